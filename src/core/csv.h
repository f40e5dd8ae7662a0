/* CSV as Excel and WPS open it (RFC 4180): UTF-8 with a byte order mark,
 * CRLF line ends, fields quoted when they must be. A text cell that a
 * spreadsheet would read as a formula (it begins with = + - @, a tab or a
 * CR) is written with a single quote before it. Pure: it only appends to a
 * bounded buffer; past its limit a call fails (BF_ERR_TOO_LARGE) and the
 * file is to be given up. */
#ifndef BF_CORE_CSV_H
#define BF_CORE_CSV_H

#include <stddef.h>

#include "core/buf.h"
#include "core/result.h"

/* The UTF-8 byte order mark, by which Excel knows the file is UTF-8. */
#define CSV_BOM "\xEF\xBB\xBF"

/* Appends the byte order mark: the first thing of the file. */
bf_result csv_append_bom(buf *b);

/* Appends text[0..len) as one cell of the current row: quoted (its quotes
 * doubled) when it holds a comma, a quote, a CR or an LF; a ' before it
 * when it begins as a formula would. text may be NULL when len is 0 (an
 * empty cell). */
bf_result csv_append_cell(buf *b, const char *text, size_t len);

/* Appends a number the caller wrote ("-1234.50", "42.3%", "1e+20") as one
 * cell, as it is: a leading '-' is a sign, not a formula. BF_ERR_INVALID
 * unless it begins with a digit or '-' and a digit, and holds nothing but
 * digits, signs, points, exponents and a percent sign. */
bf_result csv_append_number(buf *b, const char *text);

/* Ends the current row (CRLF). */
bf_result csv_append_row_end(buf *b);

#endif
