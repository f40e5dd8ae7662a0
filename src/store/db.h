/* The store's database driver: one small interface over SQLite (db_sqlite.c)
 * and PostgreSQL (db_pg.c), so that the store's SQL is written once. A
 * statement is prepared from SQL whose parameters are written ?NN (numbered
 * from 1, gaps allowed), bound by number, stepped row by row and reset for
 * its next use. A failing call returns DB_ERROR and leaves on its connection
 * what went wrong: a fault class, a message and, for a unique key, its
 * column. A connection and its statements belong to one thread at a time.
 * Not part of the store's interface (store.h); only src/store/ includes it. */
#ifndef BF_STORE_DB_H
#define BF_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "store/store.h"

typedef struct db_conn db_conn;
typedef struct db_stmt db_stmt;

/* What the calls below return. */
enum { DB_OK = 0, DB_ERROR = 1, DB_ROW = 100, DB_DONE = 101 };

/* The class of the last failure on a connection. */
typedef enum db_fault {
    DB_FAULT_NONE = 0,
    DB_FAULT_FOREIGN_KEY, /* a reference would name nothing, or a row still referred to */
    DB_FAULT_UNIQUE,      /* a unique key is taken (db_fault_column names a single column) */
    DB_FAULT_CONSTRAINT,  /* another constraint, or a trigger, refused the write */
    DB_FAULT_BUSY,        /* locked for too long, a deadlock or a serialisation failure */
    DB_FAULT_NOMEM,       /* out of memory */
    DB_FAULT_INTERRUPTED, /* stopped because the interrupt's stop() said so */
    DB_FAULT_OTHER,       /* anything else (the message says what) */
} db_fault;

typedef enum db_dialect { DB_SQLITE = 0, DB_POSTGRES = 1 } db_dialect;

/* Whether target names a PostgreSQL database (a postgresql:// or
 * postgres:// URI) rather than a SQLite file. */
bool db_target_is_postgres(const char *target);

/* Writes target into out (cap bytes) fit to be printed: a URI's password is
 * replaced by "***". */
void db_target_display(const char *target, char *out, size_t cap);

/* Opens a connection to target (a SQLite path or a PostgreSQL URI) with the
 * store's options; *out is closed with db_close. A new SQLite file is made
 * readable by its owner only. */
bf_result db_open(const char *target, const store_options *opt, db_conn **out, bf_error *err);

/* Makes sure the database of target exists as far as bingfa makes it: a
 * SQLite file is created, readable by its owner only, when missing (an
 * existing one is left as it is); nothing for a PostgreSQL URI. */
bf_result db_create(const char *target, bf_error *err);

/* Calls hook(ctx) on the committing thread after every commit that wrote to
 * SQLite's write-ahead log (in place of SQLite's automatic checkpoint, which
 * the driver does then); a nonzero answer fails that write as an I/O error.
 * PostgreSQL has no such hook: it makes its commits durable itself. */
void db_on_commit(db_conn *c, int (*hook)(void *ctx), void *ctx);

/* Closes the connection; every statement of it must be finalized first. */
void db_close(db_conn *c);

/* The SQL dialect of the connection. */
db_dialect db_dialect_of(const db_conn *c);

/* Prepares sql (len bytes, no terminator needed) into *out, owned by the
 * caller and freed with db_finalize. */
int db_prepare(db_conn *c, const char *sql, size_t len, db_stmt **out);

/* Frees a prepared statement. */
void db_finalize(db_stmt *s);

/* Binds parameter ?idx. Text is not copied: t must stay valid until the
 * statement has been stepped for the last time. NULL binds SQL NULL. A
 * parameter the SQL does not use is ignored. */
int db_bind_text(db_stmt *s, int idx, const char *t);
int db_bind_int64(db_stmt *s, int idx, int64_t v);
int db_bind_null(db_stmt *s, int idx);
/* Binds bytes data[0..len) as a BLOB (SQLite) or bytea (PostgreSQL); not
 * copied either: they stay valid until the last step. */
int db_bind_blob(db_stmt *s, int idx, const void *data, size_t len);

/* Runs the statement (on its first step) and moves to its next row:
 * DB_ROW, DB_DONE or DB_ERROR. */
int db_step(db_stmt *s);

/* Makes the statement ready to run again; its bindings stay. */
void db_reset(db_stmt *s);

/* Sets every parameter of the statement to NULL. */
void db_clear_bindings(db_stmt *s);

/* Column col of the current row: its text (NULL for SQL NULL; valid until
 * the next step or reset), its length in bytes, its value as an integer (0
 * for NULL; true and false are 1 and 0) and whether it is NULL. */
const char *db_column_text(db_stmt *s, int col);
size_t db_column_bytes(db_stmt *s, int col);
int64_t db_column_int64(db_stmt *s, int col);
int db_column_int(db_stmt *s, int col);
bool db_column_is_null(db_stmt *s, int col);
/* Column col of the current row as bytes (a BLOB or bytea), their length in
 * *len; NULL and 0 for SQL NULL or when out of memory (PostgreSQL decodes
 * them). Valid until the next step, reset or blob read of the statement. */
const void *db_column_blob(db_stmt *s, int col, size_t *len);

/* Rows changed by the connection's last INSERT, UPDATE or DELETE. */
int64_t db_changes(db_conn *c);

/* Rows changed by every statement since the connection opened (SQLite;
 * PostgreSQL: 0, it has no such count). */
int64_t db_total_changes(db_conn *c);

/* Runs a script of statements without parameters (a migration). */
int db_exec(db_conn *c, const char *sql);

/* A transaction for a write that reads, decides and writes: write
 * transactions of every connection to the database run one at a time (SQLite:
 * BEGIN IMMEDIATE; PostgreSQL: a transaction-level advisory lock taken at
 * BEGIN), so what a transaction read is still true when it writes. */
int db_begin(db_conn *c);
int db_commit(db_conn *c);
int db_rollback(db_conn *c);

/* Whether a transaction is open on the connection. */
bool db_in_transaction(db_conn *c);

/* The last failure: its class, its message and, for a unique key of one
 * column, that column (else NULL). Valid until the next call on c. */
db_fault db_fault_of(const db_conn *c);
const char *db_message(const db_conn *c);
const char *db_fault_column(const db_conn *c);

/* Sets *has to whether table has a column named column. */
int db_has_column(db_conn *c, const char *table, const char *column, bool *has);

/* Makes the connection's statements ask stop(ctx) every little while as
 * they run, and end with DB_FAULT_INTERRUPTED when it answers true; stop
 * NULL asks nothing again. */
void db_set_interrupt(db_conn *c, bool (*stop)(void *ctx), void *ctx);

/* Asks that s be planned once for any values of its parameters (generic)
 * rather than for the values of each execution: on PostgreSQL a statement
 * whose best plan does not depend on its values, read often, then skips
 * planning at each execution. SQLite plans every statement once anyway. */
void db_plan_generic(db_stmt *s, bool generic);

/* Whether the connection to the server was lost (PostgreSQL); its
 * statements are then useless and db_reconnect makes it anew. */
bool db_lost(db_conn *c);

/* Connects again after db_lost (every statement must be finalized first). */
int db_reconnect(db_conn *c);

#endif
