/* What a database driver implements behind db.h: its connection and
 * statement types start with the base structs below, and its table of
 * functions is what db.c calls. Only db.c and the drivers include it. */
#ifndef BF_STORE_DB_DRIVER_H
#define BF_STORE_DB_DRIVER_H

#include "store/db.h"

typedef struct db_driver {
    db_dialect dialect;
    bf_result (*open)(const char *target, const store_options *opt, db_conn **out, bf_error *err);
    void (*close)(db_conn *c);
    int (*prepare)(db_conn *c, const char *sql, size_t len, db_stmt **out);
    void (*finalize)(db_stmt *s);
    int (*bind_text)(db_stmt *s, int idx, const char *t);
    int (*bind_int64)(db_stmt *s, int idx, int64_t v);
    int (*bind_null)(db_stmt *s, int idx);
    int (*bind_blob)(db_stmt *s, int idx, const void *data, size_t len);
    int (*step)(db_stmt *s);
    void (*reset)(db_stmt *s);
    void (*clear_bindings)(db_stmt *s);
    const char *(*column_text)(db_stmt *s, int col);
    size_t (*column_bytes)(db_stmt *s, int col);
    const void *(*column_blob)(db_stmt *s, int col, size_t *len);
    int64_t (*column_int64)(db_stmt *s, int col);
    bool (*column_is_null)(db_stmt *s, int col);
    int64_t (*changes)(db_conn *c);
    int64_t (*total_changes)(db_conn *c);
    int (*exec)(db_conn *c, const char *sql);
    int (*begin)(db_conn *c);
    int (*commit)(db_conn *c);
    int (*rollback)(db_conn *c);
    bool (*in_transaction)(db_conn *c);
    int (*has_column)(db_conn *c, const char *table, const char *column, bool *has);
    void (*set_interrupt)(db_conn *c, bool (*stop)(void *ctx), void *ctx);
    void (*plan_generic)(db_stmt *s, bool generic); /* NULL: plans are the driver's own */
    void (*on_commit)(db_conn *c, int (*hook)(void *ctx), void *ctx); /* NULL: none */
    bool (*lost)(db_conn *c);
    int (*reconnect)(db_conn *c);
} db_driver;

/* The first member of every driver's connection. */
struct db_conn {
    const db_driver *driver;
    db_fault fault;
    char message[512];
    char column[64]; /* the unique key's column, or "" */
};

/* The first member of every driver's statement. */
struct db_stmt {
    db_conn *conn;
};

/* Records a failure on c (message formatted like printf) and returns DB_ERROR. */
int db_fail(db_conn *c, db_fault fault, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Converts integer text to its value: "t" and "f" (booleans) are 1 and 0. */
int64_t db_parse_int64(const char *text);

/* Creates the SQLite file path when missing, mode 0600 (see db_create). */
bf_result db_sqlite_create(const char *path, bf_error *err);

extern const db_driver db_sqlite_driver;
extern const db_driver db_pg_driver;

#endif
