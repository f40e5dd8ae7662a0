/* File kinds by extension and signature (see filetype.h). The signatures
 * are the registered magic numbers: "%PDF-"; ZIP's local header "PK\3\4"
 * with the part names of Office Open XML ([Content_Types].xml and word/,
 * xl/ or ppt/) or OpenDocument's mimetype; the OLE2 compound file of the
 * older Office formats; PNG, JPEG, GIF and WebP; text is anything without a
 * NUL byte in its first 8 KiB that no signature claims. */
#include "core/filetype.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"

typedef enum sig {
    SIG_PDF,
    SIG_OOXML_WORD,
    SIG_OOXML_EXCEL,
    SIG_OOXML_POWERPOINT,
    SIG_ODF_TEXT,
    SIG_ODF_SHEET,
    SIG_ODF_PRESENTATION,
    SIG_ZIP,
    SIG_OLE2,
    SIG_PNG,
    SIG_JPEG,
    SIG_GIF,
    SIG_WEBP,
    SIG_TEXT,
} sig;

static const struct kind {
    const char *ext;
    sig signature;
    const char *content_type;
} kinds[] = {
    {"pdf", SIG_PDF, "application/pdf"},
    {"docx", SIG_OOXML_WORD,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xlsx", SIG_OOXML_EXCEL, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"pptx", SIG_OOXML_POWERPOINT,
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"odt", SIG_ODF_TEXT, "application/vnd.oasis.opendocument.text"},
    {"ods", SIG_ODF_SHEET, "application/vnd.oasis.opendocument.spreadsheet"},
    {"odp", SIG_ODF_PRESENTATION, "application/vnd.oasis.opendocument.presentation"},
    {"doc", SIG_OLE2, "application/msword"},
    {"xls", SIG_OLE2, "application/vnd.ms-excel"},
    {"ppt", SIG_OLE2, "application/vnd.ms-powerpoint"},
    {"wps", SIG_OLE2, "application/vnd.ms-works"}, /* WPS 文字 */
    {"et", SIG_OLE2, "application/vnd.ms-excel"},  /* WPS 表格 */
    {"zip", SIG_ZIP, "application/zip"},
    {"png", SIG_PNG, "image/png"},
    {"jpg", SIG_JPEG, "image/jpeg"},
    {"jpeg", SIG_JPEG, "image/jpeg"},
    {"gif", SIG_GIF, "image/gif"},
    {"webp", SIG_WEBP, "image/webp"},
    {"txt", SIG_TEXT, "text/plain; charset=utf-8"},
    {"md", SIG_TEXT, "text/markdown; charset=utf-8"},
    {"csv", SIG_TEXT, "text/csv; charset=utf-8"},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static const char accepted[] =
    "pdf, docx, xlsx, pptx, odt, ods, odp, doc, xls, ppt, wps, et, zip, png, jpg, jpeg, gif, "
    "webp, txt, md, csv";

const char *filetype_accepted(void)
{
    return accepted;
}

static bool starts(const unsigned char *d, size_t len, const void *magic, size_t n)
{
    return len >= n && memcmp(d, magic, n) == 0;
}

static bool contains(const unsigned char *d, size_t len, const char *what)
{
    size_t n = strlen(what);
    for (const unsigned char *p = d; len >= n && (size_t)(p - d) <= len - n; p++) {
        p = memchr(p, what[0], len - n - (size_t)(p - d) + 1);
        if (p == NULL)
            return false;
        if (memcmp(p, what, n) == 0)
            return true;
    }
    return false;
}

/* The kind of a ZIP file: OpenDocument's first part is "mimetype", stored,
 * with the media type as its content (at byte 38); Office Open XML names
 * [Content_Types].xml and its main folder in the central directory. */
static sig zip_kind(const unsigned char *d, size_t len)
{
    static const char odf[] = "mimetypeapplication/vnd.oasis.opendocument.";
    if (len > 30 + sizeof(odf) && memcmp(d + 30, odf, sizeof(odf) - 1) == 0) {
        const char *rest = (const char *)d + 30 + sizeof(odf) - 1;
        size_t left = len - 30 - (sizeof(odf) - 1);
        if (left >= 4 && strncmp(rest, "text", 4) == 0)
            return SIG_ODF_TEXT;
        if (left >= 11 && strncmp(rest, "spreadsheet", 11) == 0)
            return SIG_ODF_SHEET;
        if (left >= 12 && strncmp(rest, "presentation", 12) == 0)
            return SIG_ODF_PRESENTATION;
        return SIG_ZIP;
    }
    if (!contains(d, len, "[Content_Types].xml"))
        return SIG_ZIP;
    if (contains(d, len, "word/document.xml"))
        return SIG_OOXML_WORD;
    if (contains(d, len, "xl/workbook.xml"))
        return SIG_OOXML_EXCEL;
    if (contains(d, len, "ppt/presentation.xml"))
        return SIG_OOXML_POWERPOINT;
    return SIG_ZIP;
}

/* What the bytes are, by their signature. */
static sig sniff(const unsigned char *d, size_t len)
{
    static const unsigned char ole2[] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF};
    if (starts(d, len, "%PDF-", 5))
        return SIG_PDF;
    if (starts(d, len, "PK\3\4", 4))
        return zip_kind(d, len);
    if (starts(d, len, ole2, sizeof(ole2)))
        return SIG_OLE2;
    if (starts(d, len, png, sizeof(png)))
        return SIG_PNG;
    if (starts(d, len, jpeg, sizeof(jpeg)))
        return SIG_JPEG;
    if (starts(d, len, "GIF87a", 6) || starts(d, len, "GIF89a", 6))
        return SIG_GIF;
    if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return SIG_WEBP;
    return memchr(d, '\0', len < 8192 ? len : 8192) == NULL ? SIG_TEXT : (sig)-1;
}

static const char *sig_name(sig s)
{
    switch (s) {
    case SIG_PDF:
        return "a PDF document";
    case SIG_OOXML_WORD:
        return "a Word document";
    case SIG_OOXML_EXCEL:
        return "an Excel workbook";
    case SIG_OOXML_POWERPOINT:
        return "a PowerPoint presentation";
    case SIG_ODF_TEXT:
    case SIG_ODF_SHEET:
    case SIG_ODF_PRESENTATION:
        return "an OpenDocument file";
    case SIG_ZIP:
        return "a ZIP archive";
    case SIG_OLE2:
        return "an older Office (OLE2) file";
    case SIG_PNG:
    case SIG_JPEG:
    case SIG_GIF:
    case SIG_WEBP:
        return "an image";
    case SIG_TEXT:
        return "text";
    }
    return "a file of an unknown kind";
}

bf_result filetype_check(const char *name, const void *data, size_t len, const char **content_type,
                         bf_error *err)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    const struct kind *k = NULL;
    for (size_t i = 0; dot && i < NKINDS && k == NULL; i++)
        if (strcasecmp(dot + 1, kinds[i].ext) == 0)
            k = &kinds[i];
    if (k == NULL)
        return bf_fail(err, BF_ERR_INVALID, "file_type", "name",
                       "a file named %s is not accepted: the name must end in one of %s",
                       name ? name : "(none)", accepted);
    if (len == 0)
        return bf_fail(err, BF_ERR_INVALID, "empty", "content", "the file is empty");
    sig found = sniff(data, len);
    /* A ZIP part list is at the file's end: an OOXML file made by a tool that
     * writes [Content_Types].xml late is still one. Text files carry no
     * signature beyond their lack of NUL bytes. */
    if (found != k->signature)
        return bf_fail(err, BF_ERR_INVALID, "content_mismatch", "content",
                       "%s is named .%s, but its content is %s", name, k->ext, sig_name(found));
    *content_type = k->content_type;
    return BF_OK;
}

/* Bytes of the UTF-8 sequence that starts with c (1 for a stray byte). */
static size_t seq_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

const char *filetype_safe_name(arena *a, const char *name)
{
    if (name == NULL)
        return NULL;
    const char *base = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    size_t n = strlen(base);
    if (!text_utf8_valid(base, n, NULL))
        return NULL;
    char *out = arena_alloc(a, n + 1);
    if (out == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)base[i];
        size_t s = seq_len(c);
        if (c < 0x20 || c == 0x7F || strchr(":*?\"<>|", c) != NULL) {
            i++;
            continue;
        }
        /* C1 controls (U+0080–U+009F) and the bidirectional overrides
         * (U+202A–U+202E, U+2066–U+2069) that disguise an extension. */
        unsigned char c1 = (unsigned char)base[i + 1], c2 = s == 3 ? (unsigned char)base[i + 2] : 0;
        bool control = (c == 0xC2 && c1 >= 0x80 && c1 <= 0x9F) ||
                       (c == 0xE2 && c1 == 0x80 && c2 >= 0xAA && c2 <= 0xAE) ||
                       (c == 0xE2 && c1 == 0x81 && c2 >= 0xA6 && c2 <= 0xA9);
        if (!control) {
            memcpy(out + k, base + i, s);
            k += s;
        }
        i += s;
    }
    out[k] = '\0';
    size_t from = 0;
    while (out[from] == ' ' || out[from] == '.')
        from++;
    while (k > from && (out[k - 1] == ' ' || out[k - 1] == '.'))
        k--;
    out[k] = '\0';
    char *clean = out + from;
    size_t len = k - from;
    if (len == 0)
        return NULL;
    if (len <= FILETYPE_NAME_MAX)
        return clean;
    /* Too long: cut the stem on a character boundary, keep the extension. */
    const char *dot = strrchr(clean, '.');
    size_t ext = dot && (size_t)(clean + len - dot) <= 16 ? (size_t)(clean + len - dot) : 0;
    size_t stem = FILETYPE_NAME_MAX - ext;
    while (stem > 0 && ((unsigned char)clean[stem] & 0xC0) == 0x80)
        stem--;
    memmove(clean + stem, clean + len - ext, ext);
    clean[stem + ext] = '\0';
    return clean;
}
