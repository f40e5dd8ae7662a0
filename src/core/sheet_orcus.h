/* Between sheet.c and sheet_orcus.cpp (see sheet.h): orcus gives each cell
 * to a sink that sheet.c keeps. Not for use elsewhere. */
#ifndef BF_CORE_SHEET_ORCUS_H
#define BF_CORE_SHEET_ORCUS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sheet_sink sheet_sink;

/* Keeps a cell of the first sheet (s: n bytes, not NUL-terminated). */
void sheet_sink_cell(sheet_sink *k, size_t row, size_t col, const char *s, size_t n, double number,
                     bool is_number);

/* Whether the sink refused a cell (out of memory, too many rows or columns). */
bool sheet_sink_failed(const sheet_sink *k);

/* Reads an XLSX workbook (xlsx non-zero) or a UTF-8 CSV text into k: 0, or
 * -1 with why (cap bytes) saying what orcus could not read, -2 out of memory. */
int sheet_orcus_read(const char *data, size_t len, int xlsx, sheet_sink *k, char *why, size_t cap);

#endif
