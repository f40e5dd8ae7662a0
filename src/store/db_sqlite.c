/* The SQLite driver of db.h: a connection in WAL mode with foreign keys on,
 * the chosen durability (synchronous FULL or NORMAL) and a busy timeout.
 * Write transactions are BEGIN IMMEDIATE: the database's one writer lock is
 * taken at the start, so a transaction's reads are not overtaken by another
 * writer before it writes. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db_driver.h"

typedef struct sl_conn {
    db_conn base;
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *rollback;
    void (*trace)(void *ctx, const char *sql);
    void *trace_ctx;
    bool (*stop)(void *ctx); /* see db_set_interrupt */
    void *stop_ctx;
    int (*commit_hook)(void *ctx); /* see db_on_commit */
    void *commit_ctx;
} sl_conn;

typedef struct sl_stmt {
    db_stmt base;
    sqlite3_stmt *stmt;
} sl_stmt;

static sl_conn *conn_of(db_conn *c)
{
    return (sl_conn *)c;
}

static sqlite3_stmt *stmt_of(db_stmt *s)
{
    return ((sl_stmt *)s)->stmt;
}

/* The single column of a unique key from "UNIQUE constraint failed: t.col"
 * into c->base.column ("" when several). */
static void unique_column(sl_conn *c, const char *msg)
{
    const char *unique = strstr(msg, "UNIQUE constraint failed: ");
    const char *dot = unique ? strchr(unique, '.') : NULL;
    if (dot != NULL && strchr(dot, ',') == NULL)
        snprintf(c->base.column, sizeof(c->base.column), "%s", dot + 1);
}

/* Records the failure rc of the connection and returns DB_ERROR. */
static int fault(sl_conn *c, int rc)
{
    int base = rc & 0xff;
    const char *msg = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    db_fault f = DB_FAULT_OTHER;
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        f = DB_FAULT_BUSY;
    else if (base == SQLITE_NOMEM)
        f = DB_FAULT_NOMEM;
    else if (base == SQLITE_INTERRUPT)
        f = DB_FAULT_INTERRUPTED;
    else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY ||
             (base == SQLITE_CONSTRAINT && strstr(msg, "FOREIGN KEY") != NULL))
        f = DB_FAULT_FOREIGN_KEY; /* ON DELETE RESTRICT reports itself as a trigger */
    else if (base == SQLITE_CONSTRAINT && strstr(msg, "UNIQUE constraint failed") != NULL)
        f = DB_FAULT_UNIQUE;
    else if (base == SQLITE_CONSTRAINT)
        f = DB_FAULT_CONSTRAINT;
    db_fail(&c->base, f, "%s", msg);
    if (f == DB_FAULT_UNIQUE)
        unique_column(c, msg);
    return DB_ERROR;
}

/* Hands each statement run, values bound in, to the store's trace. */
static int trace_statement(unsigned type, void *ctx, void *stmt, void *sql)
{
    (void)sql;
    const sl_conn *c = ctx;
    if (type != SQLITE_TRACE_STMT)
        return 0;
    char *text = sqlite3_expanded_sql(stmt);
    if (text != NULL)
        c->trace(c->trace_ctx, text);
    sqlite3_free(text);
    return 0;
}

/* Creates a new database file readable by its owner only (0600): it holds
 * password hashes and the company's deals. SQLite gives its -wal and -shm
 * files the same permissions. An existing file is left as it is. */
bf_result db_sqlite_create(const char *path, bf_error *err)
{
    if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
        return BF_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return BF_OK;
    }
    if (errno == EEXIST)
        return BF_OK;
    return bf_fail(err, BF_ERR_IO, "store_error", NULL, "cannot create %s: %s", path,
                   strerror(errno));
}

static void sl_close(db_conn *dc)
{
    sl_conn *c = conn_of(dc);
    sqlite3_finalize(c->begin);
    sqlite3_finalize(c->commit);
    sqlite3_finalize(c->rollback);
    sqlite3_close(c->db);
    free(c);
}

/* A connection's page cache holds up to 12 MiB (SQLite's default is 2):
 * a create changes a leaf of each of some thirty indexes, all over them, and
 * a page the cache does not hold is read again from the file, a system call
 * a page. A server has a connection per thread that reads, so the caches add
 * up: at 64 MiB each, a server that had served a million deals for a while
 * held 104 MiB. The cache grows only as pages are read; a bulk load sets a
 * larger one (store_sqlite.c). */
#define SL_CACHE_KIB "12288"

/* The pragmas of a connection and its transaction statements. */
static int sl_setup(sl_conn *c, const store_options *opt)
{
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, opt->busy_timeout_ms);
    if (opt->trace != NULL)
        sqlite3_trace_v2(c->db, SQLITE_TRACE_STMT, trace_statement, c);
    char pragmas[256];
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=%s;"
             "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" SL_CACHE_KIB ";",
             opt->synchronous_full ? "FULL" : "NORMAL");
    int rc = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(c->db, "BEGIN IMMEDIATE", -1, SQLITE_PREPARE_PERSISTENT, &c->begin,
                                NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(c->db, "COMMIT", -1, SQLITE_PREPARE_PERSISTENT, &c->commit, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(c->db, "ROLLBACK", -1, SQLITE_PREPARE_PERSISTENT, &c->rollback,
                                NULL);
    return rc;
}

/* SQLite keeps no count of its memory: the count is a global mutex taken
 * at every allocation and every free, of which a write makes hundreds, and
 * nothing here reads it (sqlite3_memory_used, a soft heap limit). It can be
 * set only before SQLite starts; when it has started already (a test that
 * set its own allocator first), it stays as it is. */
static void sl_configure(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static pthread_once_t sl_configured = PTHREAD_ONCE_INIT;

static bf_result sl_open(const char *path, const store_options *opt, db_conn **out, bf_error *err)
{
    pthread_once(&sl_configured, sl_configure);
    bf_result r = db_sqlite_create(path, err);
    if (r != BF_OK)
        return r;
    sl_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return BF_ERR_NOMEM;
    c->base.driver = &db_sqlite_driver;
    c->trace = opt->trace;
    c->trace_ctx = opt->trace_ctx;
    int rc = sqlite3_open_v2(
        path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        r = bf_fail(err, BF_ERR_STORE, "store_error", NULL, "cannot open %s: %s", path,
                    c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sl_close(&c->base);
        return r;
    }
    if ((rc = sl_setup(c, opt)) != SQLITE_OK) {
        r = (rc & 0xff) == SQLITE_NOMEM ? BF_ERR_NOMEM
            : (rc & 0xff) == SQLITE_BUSY
                ? bf_fail(err, BF_ERR_BUSY, "busy", NULL, "the database is busy; try again")
                : bf_fail(err, BF_ERR_STORE, "store_error", NULL,
                          "database error in connection set-up: %s", sqlite3_errmsg(c->db));
        sl_close(&c->base);
        return r;
    }
    *out = &c->base;
    return BF_OK;
}

static int sl_prepare(db_conn *dc, const char *sql, size_t len, db_stmt **out)
{
    sl_conn *c = conn_of(dc);
    sl_stmt *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return db_fail(dc, DB_FAULT_NOMEM, "out of memory");
    int rc = sqlite3_prepare_v3(c->db, sql, (int)len, SQLITE_PREPARE_PERSISTENT, &s->stmt, NULL);
    if (rc != SQLITE_OK) {
        free(s);
        return fault(c, rc);
    }
    s->base.conn = dc;
    *out = &s->base;
    return DB_OK;
}

static void sl_finalize(db_stmt *s)
{
    sqlite3_finalize(stmt_of(s));
    free(s);
}

/* DB_OK, or the failure of a bind (a parameter the SQL lacks is no failure). */
static int bound(db_stmt *s, int rc)
{
    if (rc == SQLITE_OK || rc == SQLITE_RANGE)
        return DB_OK;
    return fault(conn_of(s->conn), rc);
}

static int sl_bind_text(db_stmt *s, int idx, const char *t)
{
    sqlite3_stmt *st = stmt_of(s);
    return bound(s,
                 t ? sqlite3_bind_text(st, idx, t, -1, SQLITE_STATIC) : sqlite3_bind_null(st, idx));
}

static int sl_bind_int64(db_stmt *s, int idx, int64_t v)
{
    return bound(s, sqlite3_bind_int64(stmt_of(s), idx, v));
}

static int sl_bind_null(db_stmt *s, int idx)
{
    return bound(s, sqlite3_bind_null(stmt_of(s), idx));
}

static int sl_bind_blob(db_stmt *s, int idx, const void *data, size_t len)
{
    if (len > INT_MAX)
        return db_fail(s->conn, DB_FAULT_OTHER, "a value of %zu bytes is too large", len);
    return bound(s, sqlite3_bind_blob(stmt_of(s), idx, data ? data : "", (int)len, SQLITE_STATIC));
}

static int sl_step(db_stmt *s)
{
    int rc = sqlite3_step(stmt_of(s));
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    return fault(conn_of(s->conn), rc);
}

static void sl_reset(db_stmt *s)
{
    sqlite3_reset(stmt_of(s));
}

static void sl_clear_bindings(db_stmt *s)
{
    sqlite3_clear_bindings(stmt_of(s));
}

static const char *sl_column_text(db_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(stmt_of(s), col);
}

static size_t sl_column_bytes(db_stmt *s, int col)
{
    return (size_t)sqlite3_column_bytes(stmt_of(s), col);
}

static const void *sl_column_blob(db_stmt *s, int col, size_t *len)
{
    const void *data = sqlite3_column_blob(stmt_of(s), col);
    *len = data ? (size_t)sqlite3_column_bytes(stmt_of(s), col) : 0;
    return data;
}

static int64_t sl_column_int64(db_stmt *s, int col)
{
    return sqlite3_column_int64(stmt_of(s), col);
}

static bool sl_column_is_null(db_stmt *s, int col)
{
    return sqlite3_column_type(stmt_of(s), col) == SQLITE_NULL;
}

static int64_t sl_changes(db_conn *c)
{
    return sqlite3_changes64(conn_of(c)->db);
}

static int64_t sl_total_changes(db_conn *c)
{
    return sqlite3_total_changes64(conn_of(c)->db);
}

static int sl_exec(db_conn *dc, const char *sql)
{
    int rc = sqlite3_exec(conn_of(dc)->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? DB_OK : fault(conn_of(dc), rc);
}

/* Runs one of the connection's transaction statements. */
static int run(sl_conn *c, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? DB_OK : fault(c, rc);
}

static int sl_begin(db_conn *c)
{
    return run(conn_of(c), conn_of(c)->begin);
}

static int sl_commit(db_conn *c)
{
    return run(conn_of(c), conn_of(c)->commit);
}

static int sl_rollback(db_conn *c)
{
    return run(conn_of(c), conn_of(c)->rollback);
}

static bool sl_in_transaction(db_conn *c)
{
    return !sqlite3_get_autocommit(conn_of(c)->db);
}

static int sl_has_column(db_conn *dc, const char *table, const char *column, bool *has)
{
    int rc = sqlite3_table_column_metadata(conn_of(dc)->db, NULL, table, column, NULL, NULL, NULL,
                                           NULL, NULL);
    *has = rc == SQLITE_OK;
    return DB_OK;
}

/* Called by SQLite every few thousand steps of a statement: nonzero stops it
 * (SQLITE_INTERRUPT). */
static int on_progress(void *ctx)
{
    const sl_conn *c = ctx;
    return c->stop != NULL && c->stop(c->stop_ctx);
}

/* Steps between two checks: a few tens of microseconds of work. */
enum { STEPS_PER_CHECK = 4000 };

static void sl_set_interrupt(db_conn *dc, bool (*stop)(void *ctx), void *ctx)
{
    sl_conn *c = conn_of(dc);
    c->stop = stop;
    c->stop_ctx = ctx;
    sqlite3_progress_handler(c->db, stop ? STEPS_PER_CHECK : 0, stop ? on_progress : NULL, c);
}

/* SQLite's default: a passive checkpoint once the WAL holds this many frames. */
#define WAL_CHECKPOINT_FRAMES 1000

/* SQLite calls this on the committing thread after every commit that wrote
 * frames to the WAL, its write lock released (sqlite3_wal_hook; it takes the
 * place of the automatic checkpoint, done here as SQLite does it). */
static int on_wal_commit(void *ctx, sqlite3 *db, const char *name, int frames)
{
    sl_conn *c = ctx;
    if (frames >= WAL_CHECKPOINT_FRAMES)
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return c->commit_hook(c->commit_ctx) == 0 ? SQLITE_OK : SQLITE_IOERR;
}

static void sl_on_commit(db_conn *dc, int (*hook)(void *ctx), void *ctx)
{
    sl_conn *c = conn_of(dc);
    c->commit_hook = hook;
    c->commit_ctx = ctx;
    sqlite3_wal_hook(c->db, on_wal_commit, c);
}

static bool sl_lost(db_conn *c)
{
    (void)c;
    return false; /* a file does not go away */
}

static int sl_reconnect(db_conn *c)
{
    (void)c;
    return DB_OK;
}

const db_driver db_sqlite_driver = {
    .dialect = DB_SQLITE,
    .open = sl_open,
    .close = sl_close,
    .prepare = sl_prepare,
    .finalize = sl_finalize,
    .bind_text = sl_bind_text,
    .bind_int64 = sl_bind_int64,
    .bind_null = sl_bind_null,
    .bind_blob = sl_bind_blob,
    .step = sl_step,
    .reset = sl_reset,
    .clear_bindings = sl_clear_bindings,
    .column_text = sl_column_text,
    .column_bytes = sl_column_bytes,
    .column_blob = sl_column_blob,
    .column_int64 = sl_column_int64,
    .column_is_null = sl_column_is_null,
    .changes = sl_changes,
    .total_changes = sl_total_changes,
    .exec = sl_exec,
    .begin = sl_begin,
    .commit = sl_commit,
    .rollback = sl_rollback,
    .in_transaction = sl_in_transaction,
    .has_column = sl_has_column,
    .set_interrupt = sl_set_interrupt,
    .on_commit = sl_on_commit,
    .lost = sl_lost,
    .reconnect = sl_reconnect,
};
