/* Spreadsheets read for import (docs/import.md "Spreadsheets"): the first
 * sheet of an XLSX workbook, or a CSV file in UTF-8 (with or without BOM),
 * UTF-16 with BOM or GBK/GB18030, as a table of cells. The formats are
 * parsed by liborcus, LibreOffice's import filter library (sheet_orcus.cpp,
 * the only C++ in bingfa: orcus has no C interface); the encodings are
 * converted by iconv. Pure: the file is given in memory. */
#ifndef BF_CORE_SHEET_H
#define BF_CORE_SHEET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/result.h"

/* One cell: text as typed (a number as its shortest decimal), the number
 * when the workbook stored one (is_number: a date in XLSX is a number of days
 * since 1899-12-30). */
typedef struct sheet_cell {
    const char *text; /* NULL: empty */
    double number;
    bool is_number;
} sheet_cell;

/* A table of rows × cols cells, row-major, the first row first (in the arena
 * it was read into). Rows with no cell at all at the end are left out. */
typedef struct sheet_table {
    size_t rows, cols;
    sheet_cell *cells;
    const char *format;   /* "xlsx" or "csv" */
    const char *encoding; /* CSV: "utf-8", "utf-8-bom", "utf-16" or "gb18030"; XLSX: "utf-8" */
} sheet_table;

/* The largest table read: more rows or columns are refused. */
#define SHEET_MAX_ROWS 200000
#define SHEET_MAX_COLS 200

/* Reads data (len bytes: an XLSX file, told by its ZIP signature, else CSV)
 * into *out, in a. BF_ERR_INVALID naming field "file" when it cannot be read
 * (an old .xls, a damaged workbook, text that is no known encoding, too many
 * rows), BF_ERR_NOMEM. */
bf_result sheet_read(arena *a, const char *data, size_t len, sheet_table *out, bf_error *err);

/* The cell at row r, column c (an empty one beyond the table). */
const sheet_cell *sheet_at(const sheet_table *t, size_t r, size_t c);

#endif
