/* CSV cells and rows (see csv.h). Every cell is followed by a comma; the
 * end of the row takes the last one back, so a row needs no state: a comma
 * that ends the buffer is always a separator (a cell that ends with one is
 * quoted). */
#include "core/csv.h"

#include <string.h>

bf_result csv_append_bom(buf *b)
{
    return buf_append(b, CSV_BOM, sizeof(CSV_BOM) - 1);
}

/* Whether a spreadsheet would read a cell beginning with c as a formula. */
static bool starts_formula(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

bf_result csv_append_cell(buf *b, const char *text, size_t len)
{
    bool guard = len > 0 && starts_formula(text[0]);
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = text[i] == ',' || text[i] == '"' || text[i] == '\r' || text[i] == '\n';
    bf_result r = quote ? buf_append(b, "\"", 1) : BF_OK;
    if (r == BF_OK && guard)
        r = buf_append(b, "'", 1);
    size_t from = 0;
    for (size_t i = 0; r == BF_OK && i < len; i++) {
        if (text[i] != '"')
            continue;
        r = buf_append(b, text + from, i + 1 - from); /* through the quote, then it again */
        if (r == BF_OK)
            r = buf_append(b, "\"", 1);
        from = i + 1;
    }
    if (r == BF_OK && len > from)
        r = buf_append(b, text + from, len - from);
    if (r == BF_OK && quote)
        r = buf_append(b, "\"", 1);
    return r == BF_OK ? buf_append(b, ",", 1) : r;
}

bf_result csv_append_number(buf *b, const char *text)
{
    size_t len = strlen(text);
    const char *digits = text[0] == '-' ? text + 1 : text; /* a sign, then a digit */
    if (*digits < '0' || *digits > '9' || strspn(text + 1, "0123456789.%eE+-") != len - 1)
        return BF_ERR_INVALID;
    bf_result r = buf_append(b, text, len);
    return r == BF_OK ? buf_append(b, ",", 1) : r;
}

bf_result csv_append_row_end(buf *b)
{
    bool separator = b->len > 0 && b->data[b->len - 1] == ',';
    bf_result r = buf_reserve(b, separator ? 1 : 2); /* all or nothing */
    if (r != BF_OK)
        return r;
    if (separator) /* the last cell's comma becomes the CR */
        b->len--;
    return buf_append(b, "\r\n", 2);
}
