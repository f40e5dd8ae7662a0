/* What a spreadsheet import reads (docs/import.md "Spreadsheets"): for each
 * resource that can be imported, its columns — the Chinese and English
 * header, the field of the request body a cell fills and how a cell becomes
 * a value (yuan to fen, Excel dates, Chinese labels of choices, a customer
 * named by its name) — and the conversions themselves. Declared once: the
 * template, the reading of a file and the API's description of the columns
 * all come from these tables. Pure: no I/O. */
#ifndef BF_CORE_IMPORT_SHEET_H
#define BF_CORE_IMPORT_SHEET_H

#include <jansson.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/resource.h"
#include "core/result.h"
#include "core/sheet.h"

typedef enum import_kind {
    IMPORT_TEXT,     /* trimmed text */
    IMPORT_INT,      /* a whole number */
    IMPORT_MONEY,    /* yuan, at most two decimals ("¥1,234.50"), into fen */
    IMPORT_DECIMAL,  /* a number with at most two decimals (a percentage) */
    IMPORT_BOOL,     /* 是/否, true/false, 1/0 */
    IMPORT_DATE,     /* an Excel date, or 2026-03-01, 2026/3/1, 2026年3月1日 */
    IMPORT_DATETIME, /* an Excel date and time, or a date and hh:mm[:ss], China time, into UTC */
    IMPORT_ENUM,     /* a choice: its Chinese label, its English label or its value */
    IMPORT_LIST,     /* items separated by , ， 、 ; ； or new lines */
    IMPORT_ACCOUNT,  /* a customer named by its name: its id (the caller looks it up) */
    IMPORT_DEAL,     /* a deal of the row's customer named by its name: its id */
    IMPORT_USER,     /* a user named by login or display name: its id */
    IMPORT_CREATED,  /* the record's creation time, kept (DATETIME) */
} import_kind;

/* One column of a resource's sheet. */
typedef struct import_column {
    const char *zh, *en; /* the header, in either language */
    const char *field;   /* the body field it fills (NULL for IMPORT_CREATED) */
    import_kind kind;
    bool required;                /* the column must be there and the cell filled */
    const char *const *labels_zh; /* IMPORT_ENUM: labels of the field's values, in order */
    const char *const *labels_en;
    const char *example;           /* the template's example */
    const char *help_zh, *help_en; /* one line for the template's notes */
} import_column;

/* The sheet of one resource. */
typedef struct import_sheet_spec {
    const char *resource; /* the URL segment: accounts, contacts, opportunities, … */
    const resource_spec *spec;
    const char *title_zh, *title_en;
    const import_column *columns;
    size_t ncolumns;
} import_sheet_spec;

/* The resources that can be imported, ended by a NULL resource. */
extern const import_sheet_spec import_sheets[];

/* The sheet of resource, or NULL. */
const import_sheet_spec *import_sheet_find(const char *resource);

/* The column a header names (trimmed; a trailing * or （必填） left out), or
 * NULL. */
const import_column *import_column_by_header(const import_sheet_spec *s, const char *header);

/* The value of cell c for column col, as the request body wants it, in *out
 * (a new reference; NULL when the cell is empty). IMPORT_ACCOUNT, _DEAL and
 * _USER give the text to look up; IMPORT_CREATED and IMPORT_DATETIME a UTC
 * time "YYYY-MM-DDTHH:MM:SSZ". BF_ERR_INVALID with a message saying why
 * (in err, the field set to col->field). */
bf_result import_cell_value(arena *a, const import_sheet_spec *s, const import_column *col,
                            const sheet_cell *c, json_t **out, bf_error *err);

/* Column index i as spreadsheet letters: 0 → "A", 27 → "AB" (out: 8 bytes). */
void import_column_letters(size_t i, char out[8]);

#endif
