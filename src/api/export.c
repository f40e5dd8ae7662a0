/* Reports as files: the tables a route declares (export_spec), taken from
 * the JSON body it answers, as CSV (core/csv.c: UTF-8 with a BOM, CRLF,
 * formulas neutralised) or as an Excel workbook through libxlsxwriter, a
 * sheet per table: a bold, frozen header row, amounts in yuan as numbers
 * (#,##0.00), text always as text cells. libxlsxwriter 1.1 writes to files
 * only, so the workbook goes through a temporary file
 * (api_file_through_temp, which the quotation's spreadsheet uses too). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "api/api.h"
#include "core/csv.h"
#include "http/response.h"

/* The largest file an export answers. */
#define EXPORT_MAX (16 * 1024 * 1024)

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* The file at path into the call's arena. */
static bf_result read_back(api_call *call, const char *path, const char *what, size_t max,
                           char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (f == NULL || fstat(fileno(f), &st) != 0 || st.st_size <= 0 || (size_t)st.st_size > max) {
        if (f)
            fclose(f);
        return bf_fail(&call->err, BF_ERR_IO, NULL, NULL, "%s could not be read", what);
    }
    size_t n = (size_t)st.st_size;
    char *p = arena_alloc(call->arena, n);
    bool ok = p != NULL && fread(p, 1, n, f) == n;
    fclose(f);
    if (!ok)
        return p == NULL ? BF_ERR_NOMEM
                         : bf_fail(&call->err, BF_ERR_IO, NULL, NULL, "%s could not be read", what);
    *data = p;
    *len = n;
    return BF_OK;
}

bf_result api_file_through_temp(api_call *call, bool (*write)(const char *path, void *ctx),
                                void *ctx, const char *what, size_t max, char **data, size_t *len)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    int n = snprintf(path, sizeof(path), "%s/bingfa-file-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = n > 0 && (size_t)n < sizeof(path) ? mkstemp(path) : -1;
    if (fd < 0)
        return bf_fail(&call->err, BF_ERR_IO, NULL, NULL, "no temporary file: %s",
                       n > 0 && (size_t)n < sizeof(path) ? strerror(errno) : "TMPDIR too long");
    close(fd);
    bf_result r = write(path, ctx)
                      ? read_back(call, path, what, max, data, len)
                      : bf_fail(&call->err, BF_ERR_IO, NULL, NULL, "%s could not be written", what);
    unlink(path);
    return r;
}

/* The value of row at key (a dot path), NULL when missing or null; a text
 * in both languages as the one in the answer's (the other when it lacks it). */
static json_t *value_at(json_t *row, const char *key, bool en)
{
    json_t *v = row;
    for (const char *p = key; v != NULL;) {
        const char *dot = strchr(p, '.');
        v = json_object_getn(v, p, dot ? (size_t)(dot - p) : strlen(p));
        if (dot == NULL)
            break;
        p = dot + 1;
    }
    if (json_is_object(v)) {
        json_t *t = json_object_get(v, en ? "en" : "zh");
        if (!json_is_string(t))
            t = json_object_get(v, en ? "zh" : "en");
        if (json_is_string(t))
            return t;
    }
    return json_is_null(v) ? NULL : v;
}

/* A cell as it is written: a number (its value, and its text for CSV) or a
 * text. */
typedef struct cell {
    bool number;
    double value;
    const char *text;
    size_t len;
    char digits[48]; /* a number's text, or a scalar written as text */
} cell;

/* fen as yuan with two decimals, exactly ("-1234.05"). */
static void yuan_text(int64_t fen, char *out, size_t cap)
{
    uint64_t m = fen < 0 ? -(uint64_t)fen : (uint64_t)fen;
    snprintf(out, cap, "%s%llu.%02u", fen < 0 ? "-" : "", (unsigned long long)(m / 100),
             (unsigned)(m % 100));
}

/* v written as text: a string as it is, other scalars as JSON writes them. */
static bf_result text_cell(api_call *call, json_t *v, cell *c)
{
    c->number = false;
    if (v == NULL) {
        c->text = "";
        c->len = 0;
    } else if (json_is_string(v)) {
        c->text = json_string_value(v);
        c->len = json_string_length(v);
    } else if (json_is_object(v) || json_is_array(v)) {
        c->text = api_json_text(call, v, JSON_COMPACT);
        if (c->text == NULL)
            return BF_ERR_NOMEM;
        c->len = strlen(c->text);
    } else { /* a number or a boolean: a few characters */
        size_t n = json_dumpb(v, c->digits, sizeof(c->digits) - 1,
                              JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
        c->digits[n < sizeof(c->digits) ? n : 0] = '\0';
        c->text = c->digits;
        c->len = strlen(c->digits);
    }
    return BF_OK;
}

/* How v is written in a column of kind: numbers as numbers, anything else
 * (a value of another type) as text. */
static bf_result cell_of(api_call *call, json_t *v, export_kind kind, cell *c)
{
    memset(c->digits, 0, sizeof(c->digits));
    if (kind == EXPORT_TEXT || !json_is_number(v))
        return text_cell(call, v, c);
    c->number = true;
    c->value = json_number_value(v);
    if (kind == EXPORT_FEN) {
        int64_t fen = json_is_integer(v) ? (int64_t)json_integer_value(v) : llround(c->value);
        c->value = (double)fen / 100.0;
        yuan_text(fen, c->digits, sizeof(c->digits));
    } else if (kind == EXPORT_RATIO) {
        snprintf(c->digits, sizeof(c->digits), "%.1f%%", c->value * 100.0);
    } else if (json_is_integer(v)) {
        snprintf(c->digits, sizeof(c->digits), "%lld", (long long)json_integer_value(v));
    } else {
        snprintf(c->digits, sizeof(c->digits), "%.15g", c->value);
    }
    c->text = c->digits;
    c->len = strlen(c->digits);
    return BF_OK;
}

static const char *heading(const export_column *col, bool en)
{
    return en ? col->en : col->zh;
}

/* The rows of table t in body: an array, or a failure of the route's spec. */
static bf_result rows_of(api_call *call, json_t *body, const export_table *t, json_t **rows)
{
    *rows = json_object_get(body, t->rows);
    if (!json_is_array(*rows))
        return bf_fail(&call->err, BF_ERR_INTERNAL, NULL, NULL, "the answer has no table %s",
                       t->rows);
    return BF_OK;
}

/* Table t of body as a CSV file into b. */
static bf_result csv_of_table(api_call *call, json_t *body, const export_table *t, bool en, buf *b)
{
    json_t *rows, *row;
    bf_result r = rows_of(call, body, t, &rows);
    if (r == BF_OK)
        r = csv_append_bom(b);
    for (size_t c = 0; r == BF_OK && c < t->ncolumns; c++)
        r = csv_append_cell(b, heading(&t->columns[c], en), strlen(heading(&t->columns[c], en)));
    if (r == BF_OK)
        r = csv_append_row_end(b);
    for (size_t i = 0; r == BF_OK && (row = json_array_get(rows, i)) != NULL; i++) {
        for (size_t c = 0; r == BF_OK && c < t->ncolumns; c++) {
            cell x;
            r = cell_of(call, value_at(row, t->columns[c].key, en), t->columns[c].kind, &x);
            if (r == BF_OK)
                r = x.number ? csv_append_number(b, x.digits) : csv_append_cell(b, x.text, x.len);
        }
        if (r == BF_OK)
            r = csv_append_row_end(b);
    }
    if (r == BF_ERR_TOO_LARGE || r == BF_ERR_INVALID)
        return bf_fail(&call->err, BF_ERR_IO, NULL, NULL,
                       r == BF_ERR_INVALID ? "a number could not be written"
                                           : "the export is larger than %d MiB",
                       EXPORT_MAX / (1024 * 1024));
    return r;
}

/* What the workbook's writer works with. */
typedef struct book {
    api_call *call;
    json_t *body;
    const export_spec *spec;
    const export_table *only; /* the table ?table= names, or NULL: every table */
    bool en;
    bool ok;
    lxw_workbook *wb;
    lxw_format *head, *fen, *ratio, *number;
} book;

/* How many columns a text takes on screen: a CJK character (three or four
 * bytes of UTF-8) two, any other one. */
static double text_width(const char *s, size_t len)
{
    double w = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        w += ch < 0x80 ? 1 : ch >= 0xE0 ? 2 : ch >= 0xC0 ? 1 : 0;
    }
    return w;
}

static void check(book *k, lxw_error e)
{
    if (e != LXW_NO_ERROR)
        k->ok = false;
}

/* Column c of table t into ws: its heading and every row's cell; returns
 * the column's width on screen. */
static double xlsx_column(book *k, lxw_worksheet *ws, const export_table *t, json_t *rows,
                          lxw_col_t c)
{
    const export_column *col = &t->columns[c];
    const char *h = heading(col, k->en);
    double width = text_width(h, strlen(h));
    check(k, worksheet_write_string(ws, 0, c, h, k->head));
    json_t *row;
    for (size_t i = 0; k->ok && (row = json_array_get(rows, i)) != NULL; i++) {
        cell x;
        if (cell_of(k->call, value_at(row, col->key, k->en), col->kind, &x) != BF_OK) {
            k->ok = false;
            break;
        }
        lxw_row_t at = (lxw_row_t)(i + 1);
        lxw_format *f = col->kind == EXPORT_FEN      ? k->fen
                        : col->kind == EXPORT_RATIO  ? k->ratio
                        : col->kind == EXPORT_NUMBER ? k->number
                                                     : NULL;
        if (x.number)
            check(k, worksheet_write_number(ws, at, c, x.value, f));
        else if (x.len > 0) /* never a formula, whatever it begins with */
            check(k, worksheet_write_string(ws, at, c, x.text, NULL));
        double w = text_width(x.text, x.len) * (x.number ? 4.0 / 3.0 : 1.0); /* separators */
        if (w > width)
            width = w;
    }
    return width;
}

/* Table t as a sheet of its own. */
static void xlsx_sheet(book *k, const export_table *t)
{
    json_t *rows;
    lxw_worksheet *ws = workbook_add_worksheet(k->wb, k->en ? t->en : t->zh);
    if (ws == NULL || rows_of(k->call, k->body, t, &rows) != BF_OK || t->ncolumns == 0) {
        k->ok = false;
        return;
    }
    for (lxw_col_t c = 0; k->ok && c < t->ncolumns; c++) {
        double width = xlsx_column(k, ws, t, rows, c) + 2;
        check(k, worksheet_set_column(ws, c, c, width < 8 ? 8 : width > 60 ? 60 : width, NULL));
    }
    worksheet_freeze_panes(ws, 1, 0);
    check(k, worksheet_autofilter(ws, 0, 0, (lxw_row_t)json_array_size(rows),
                                  (lxw_col_t)(t->ncolumns - 1)));
}

static lxw_format *number_format(lxw_workbook *wb, const char *num)
{
    lxw_format *f = workbook_add_format(wb);
    if (f != NULL)
        format_set_num_format(f, num);
    return f;
}

/* The workbook to path (api_file_through_temp's writer). */
static bool xlsx_write(const char *path, void *ctx)
{
    book *k = ctx;
    lxw_workbook_options opt = {.constant_memory = 0, .tmpdir = NULL};
    k->wb = workbook_new_opt(path, &opt);
    if (k->wb == NULL)
        return false;
    k->ok = true;
    k->head = workbook_add_format(k->wb);
    k->fen = number_format(k->wb, "#,##0.00");
    k->ratio = number_format(k->wb, "0.0%");
    k->number = number_format(k->wb, "0.0");
    if (k->head == NULL || k->fen == NULL || k->ratio == NULL || k->number == NULL)
        k->ok = false;
    else {
        format_set_bold(k->head);
        format_set_bg_color(k->head, 0xF2F2F2);
        format_set_bottom(k->head, LXW_BORDER_THIN);
    }
    for (size_t i = 0; k->ok && i < k->spec->ntables; i++)
        if (k->only == NULL || k->only == &k->spec->tables[i])
            xlsx_sheet(k, &k->spec->tables[i]);
    return workbook_close(k->wb) == LXW_NO_ERROR && k->ok;
}

/* Answers data as a download named after spec (and table t when the
 * report has several), with extension ext. */
static bf_result respond_file(api_call *call, const export_spec *spec, const export_table *t,
                              bool en, const char *ext, const char *type, const char *data,
                              size_t len)
{
    const char *base = en ? spec->file_en : spec->file_zh;
    const char *name = t != NULL && spec->ntables > 1
                           ? arena_printf(call->arena, "%s-%s.%s", base, en ? t->en : t->zh, ext)
                           : arena_printf(call->arena, "%s.%s", base, ext);
    if (name == NULL || !http_set_attachment(call->req, name))
        return BF_ERR_NOMEM;
    http_respond_body(call->req, 200, type, data, len);
    return BF_OK;
}

/* The table of spec ?table= names into *t (NULL when it names none); 422
 * when it names no table of spec. */
static bf_result table_asked(api_call *call, const export_spec *spec, const export_table **t)
{
    const char *name = http_query(call->req, "table");
    *t = NULL;
    if (name == NULL)
        return BF_OK;
    for (size_t i = 0; i < spec->ntables; i++)
        if (strcmp(spec->tables[i].rows, name) == 0)
            *t = &spec->tables[i];
    if (*t != NULL)
        return BF_OK;
    buf names;
    buf_init(&names, call->arena, 512);
    for (size_t i = 0; i < spec->ntables; i++)
        if (buf_printf(&names, "%s%s", i ? ", " : "", spec->tables[i].rows) != BF_OK)
            return BF_ERR_NOMEM;
    return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "table",
                   "table is one of the report's tables: %s", buf_cstr(&names));
}

bf_result api_respond_export(api_call *call, json_t *body, const export_spec *spec)
{
    const char *format = http_query(call->req, "format");
    if (format == NULL) {
        http_respond_json(call->req, 200, body);
        return BF_OK;
    }
    bool csv = strcmp(format, "csv") == 0;
    if (!csv && strcmp(format, "xlsx") != 0) {
        json_decref(body);
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "format",
                       "format is csv or xlsx (JSON without it)");
    }
    if (body == NULL || api_keep(call, body) == NULL) { /* the arena releases it */
        json_decref(body);
        return BF_ERR_NOMEM;
    }
    BF_ASSERT(spec->ntables > 0);
    const export_table *t;
    bf_result r = table_asked(call, spec, &t);
    bool en = strcmp(api_lang(call), "en") == 0;
    if (r != BF_OK)
        return r;
    if (csv) {
        buf b;
        buf_init(&b, call->arena, EXPORT_MAX);
        t = t ? t : &spec->tables[0];
        if ((r = csv_of_table(call, body, t, en, &b)) != BF_OK)
            return r;
        return respond_file(call, spec, t, en, "csv", "text/csv; charset=utf-8", b.data, b.len);
    }
    book k = {.call = call, .body = body, .spec = spec, .only = t, .en = en};
    char *data = NULL;
    size_t len = 0;
    if ((r = api_file_through_temp(call, xlsx_write, &k, "the spreadsheet", EXPORT_MAX, &data,
                                   &len)) != BF_OK)
        return r;
    return respond_file(call, spec, t, en, "xlsx", XLSX_TYPE, data, len);
}
