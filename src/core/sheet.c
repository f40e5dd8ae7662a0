/* Spreadsheets read for import (see sheet.h): the format told from the
 * bytes, a CSV text turned into UTF-8, the cells orcus gives kept. */
#include "core/sheet.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/sheet_orcus.h"
#include "core/text.h"

/* A cell as orcus gives it, before the table is laid out. */
typedef struct loose_cell {
    uint32_t row, col;
    const char *text;
    double number;
    bool is_number;
} loose_cell;

struct sheet_sink {
    arena *a;
    loose_cell *cells; /* malloc'd, freed with the arena */
    size_t n, cap;
    size_t rows, cols;
    bool failed;
    bool too_big;
};

static void free_cells(void *p)
{
    free(*(loose_cell **)p);
}

void sheet_sink_cell(sheet_sink *k, size_t row, size_t col, const char *s, size_t n, double number,
                     bool is_number)
{
    if (k->failed)
        return;
    if (n == 0 && !is_number)
        return;
    if (row >= SHEET_MAX_ROWS || col >= SHEET_MAX_COLS) {
        k->failed = k->too_big = true;
        return;
    }
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 1024;
        loose_cell *grown = realloc(k->cells, cap * sizeof(*grown));
        if (grown == NULL) {
            k->failed = true;
            return;
        }
        k->cells = grown;
        k->cap = cap;
    }
    char *text = arena_strndup(k->a, s, n);
    if (text == NULL) {
        k->failed = true;
        return;
    }
    k->cells[k->n++] = (loose_cell){(uint32_t)row, (uint32_t)col, text, number, is_number};
    if (row + 1 > k->rows)
        k->rows = row + 1;
    if (col + 1 > k->cols)
        k->cols = col + 1;
}

bool sheet_sink_failed(const sheet_sink *k)
{
    return k->failed;
}

/* in (n bytes) converted from the encoding from to UTF-8, in a; NULL when a
 * byte sequence is not of that encoding (or out of memory: *nomem). */
static char *to_utf8(arena *a, const char *from, const char *in, size_t n, size_t *out_len,
                     bool *nomem)
{
    *nomem = false;
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = n * 2 + 16; /* GB18030 and UTF-16 grow by at most half again */
    char *out = arena_alloc(a, cap);
    if (out == NULL) {
        iconv_close(cd);
        *nomem = true;
        return NULL;
    }
    char *src = (char *)in, *dst = out;
    size_t left = n, room = cap - 1;
    size_t rc = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    if (rc == (size_t)-1)
        return NULL;
    *dst = '\0';
    *out_len = (size_t)(dst - out);
    return out;
}

static bf_result unreadable(bf_error *err, const char *why)
{
    return bf_fail(err, BF_ERR_INVALID, "unreadable_file", "file", "%s", why);
}

/* The CSV text as UTF-8, its encoding told by its BOM, else by whether it
 * is valid UTF-8 (GB18030, a superset of GBK and GB2312, otherwise). */
static bf_result csv_text(arena *a, const char **data, size_t *len, const char **encoding,
                          bf_error *err)
{
    const unsigned char *b = (const unsigned char *)*data;
    size_t n = *len;
    bool nomem;
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        *data += 3;
        *len -= 3;
        *encoding = "utf-8-bom";
    } else if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
        char *u = to_utf8(a, "UTF-16", *data, n, len, &nomem);
        if (u == NULL)
            return nomem ? BF_ERR_NOMEM : unreadable(err, "the file is not valid UTF-16");
        if (*len >= 3 && memcmp(u, "\xEF\xBB\xBF", 3) == 0) { /* iconv may keep the BOM */
            u += 3;
            *len -= 3;
        }
        *data = u;
        *encoding = "utf-16";
    } else if (text_utf8_valid(*data, n, NULL)) {
        *encoding = "utf-8";
    } else {
        char *u = to_utf8(a, "GB18030", *data, n, len, &nomem);
        if (u == NULL)
            return nomem ? BF_ERR_NOMEM
                         : unreadable(err, "the file is neither UTF-8 nor GBK (GB18030) text");
        *data = u;
        *encoding = "gb18030";
    }
    return BF_OK;
}

/* The text with its line ends as orcus reads them: CR LF and a lone CR
 * (Excel for Mac) become LF. In place when the text is the arena's, else a
 * copy in a. */
static const char *plain_line_ends(arena *a, const char *data, size_t *len)
{
    if (memchr(data, '\r', *len) == NULL)
        return data;
    char *out = arena_alloc(a, *len + 1);
    if (out == NULL)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < *len; i++) {
        if (data[i] != '\r')
            out[w++] = data[i];
        else if (i + 1 == *len || data[i + 1] != '\n')
            out[w++] = '\n';
    }
    out[w] = '\0';
    *len = w;
    return out;
}

/* The bytes of the archive's entry name, in a (NULL: no such entry). */
static char *zip_entry(arena *a, zip_t *z, const char *name, zip_int64_t *index, size_t *len)
{
    zip_stat_t st;
    *index = zip_name_locate(z, name, 0);
    if (*index < 0 || zip_stat_index(z, (zip_uint64_t)*index, 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_SIZE) || st.size > 256 * 1024 * 1024)
        return NULL;
    char *out = arena_alloc(a, st.size + 1);
    zip_file_t *f = out ? zip_fopen_index(z, (zip_uint64_t)*index, 0) : NULL;
    zip_int64_t got = f ? zip_fread(f, out, st.size) : -1;
    if (f)
        zip_fclose(f);
    if (got != (zip_int64_t)st.size)
        return NULL;
    out[st.size] = '\0';
    *len = st.size;
    return out;
}

/* Whether a worksheet of the archive keeps text in its cells (t="inlineStr",
 * written by openpyxl and by POI's streaming writer): orcus 0.17 leaves those
 * cells out, so such a workbook is refused rather than read with holes. */
static bool inline_strings(arena *a, zip_t *z)
{
    zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (name == NULL || strncmp(name, "xl/worksheets/sheet", 19) != 0)
            continue;
        zip_int64_t index;
        size_t len;
        char *xml = zip_entry(a, z, name, &index, &len);
        if (xml && strstr(xml, "t=\"inlineStr\""))
            return true;
    }
    return false;
}

/* And orcus 0.17 finds a workbook's sheets only by the relative names its
 * relationships give them ("worksheets/sheet1.xml"); some writers (openpyxl
 * among them) give absolute ones ("/xl/worksheets/sheet1.xml"), which make
 * the workbook read as empty. Those are made relative, in a copy of the
 * archive (libzip) in a; *data is left as it is when there is nothing to do
 * or the archive is not one (orcus then says so). */
static bf_result workbook_prepare(arena *a, const char **data, size_t *len, bf_error *err)
{
    static const char absolute[] = "Target=\"/xl/";
    zip_error_t ze;
    zip_error_init(&ze);
    /* libzip owns the bytes it reads from: writing the archive back into
     * the same source replaces them. */
    char *own = malloc(*len ? *len : 1);
    if (own == NULL)
        return BF_ERR_NOMEM;
    memcpy(own, *data, *len);
    zip_source_t *src = zip_source_buffer_create(own, *len, 1, &ze);
    if (src == NULL)
        free(own);
    zip_t *z = src ? zip_open_from_source(src, 0, &ze) : NULL;
    if (z == NULL) {
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        return BF_OK;
    }
    zip_int64_t index;
    size_t n = 0;
    if (inline_strings(a, z)) {
        zip_discard(z);
        zip_error_fini(&ze);
        return bf_fail(err, BF_ERR_INVALID, "unreadable_file", "file",
                       "the workbook keeps its text as inline strings, which cannot be read here: "
                       "open it in Excel or WPS and save it again, or save it as CSV");
    }
    char *rels = zip_entry(a, z, "xl/_rels/workbook.xml.rels", &index, &n);
    if (rels == NULL || strstr(rels, absolute) == NULL) {
        zip_discard(z);
        zip_error_fini(&ze);
        return BF_OK;
    }
    char *fixed = arena_alloc(a, n + 1);
    if (fixed == NULL) {
        zip_discard(z);
        return BF_ERR_NOMEM;
    }
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        if (strncmp(rels + i, absolute, sizeof(absolute) - 1) == 0) {
            memcpy(fixed + w, "Target=\"", 8);
            w += 8;
            i += sizeof(absolute) - 1;
        } else
            fixed[w++] = rels[i++];
    }
    zip_source_keep(src);
    zip_source_t *part = zip_source_buffer(z, fixed, w, 0);
    bool ok = part && zip_file_replace(z, (zip_uint64_t)index, part, 0) == 0;
    if (!ok && part)
        zip_source_free(part);
    if (!ok || zip_close(z) != 0) {
        zip_discard(z);
        zip_source_free(src);
        return BF_OK;
    }
    zip_stat_t st;
    char *copy = NULL;
    if (zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && zip_source_open(src) == 0) {
        copy = arena_alloc(a, st.size ? st.size : 1);
        if (copy && zip_source_read(src, copy, st.size) == (zip_int64_t)st.size) {
            *data = copy;
            *len = st.size;
        }
        zip_source_close(src);
    }
    zip_source_free(src);
    return copy ? BF_OK : BF_ERR_NOMEM;
}

static int by_position(const void *x, const void *y)
{
    const loose_cell *a = x, *b = y;
    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    return a->col < b->col ? -1 : a->col > b->col;
}

bf_result sheet_read(arena *a, const char *data, size_t len, sheet_table *out, bf_error *err)
{
    *out = (sheet_table){0};
    const unsigned char *b = (const unsigned char *)data;
    bool xlsx = len >= 4 && memcmp(b, "PK\x03\x04", 4) == 0;
    if (len >= 8 && memcmp(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
        return unreadable(err, "an Excel 97-2003 workbook (.xls): save it as .xlsx or CSV");
    out->format = xlsx ? "xlsx" : "csv";
    out->encoding = "utf-8";
    bf_result r = xlsx ? BF_OK : csv_text(a, &data, &len, &out->encoding, err);
    if (r != BF_OK)
        return r;
    if (!xlsx && (data = plain_line_ends(a, data, &len)) == NULL)
        return BF_ERR_NOMEM;
    if (xlsx && (r = workbook_prepare(a, &data, &len, err)) != BF_OK)
        return r;
    sheet_sink *k = arena_calloc(a, 1, sizeof(*k));
    if (k == NULL || arena_on_free(a, free_cells, &k->cells) != 0)
        return BF_ERR_NOMEM;
    k->a = a;
    char why[256] = "";
    int rc = sheet_orcus_read(data, len, xlsx, k, why, sizeof(why));
    if (rc == -2 || (k->failed && !k->too_big))
        return BF_ERR_NOMEM;
    if (k->too_big)
        return bf_fail(err, BF_ERR_INVALID, "too_large", "file",
                       "the sheet has more than %d rows or %d columns", SHEET_MAX_ROWS,
                       SHEET_MAX_COLS);
    if (rc != 0)
        return unreadable(err,
                          xlsx ? "the workbook could not be read" : "the CSV could not be read");
    out->rows = k->rows;
    out->cols = k->cols;
    if (k->rows == 0)
        return BF_OK;
    if ((out->cells = arena_calloc(a, k->rows * k->cols, sizeof(sheet_cell))) == NULL)
        return BF_ERR_NOMEM;
    qsort(k->cells, k->n, sizeof(*k->cells), by_position); /* a later cell wins */
    for (size_t i = 0; i < k->n; i++) {
        const loose_cell *c = &k->cells[i];
        out->cells[(size_t)c->row * k->cols + c->col] =
            (sheet_cell){c->text, c->number, c->is_number};
    }
    return BF_OK;
}

const sheet_cell *sheet_at(const sheet_table *t, size_t r, size_t c)
{
    static const sheet_cell empty = {0};
    return r < t->rows && c < t->cols ? &t->cells[r * t->cols + c] : &empty;
}
