/* The PostgreSQL driver of db.h, over libpq.
 *
 * SQL comes written for both databases with ?NN parameters; a statement is
 * translated once, when it is prepared: each distinct ?NN becomes $k, k
 * counting the distinct numbers in the order they first appear (so numbers
 * left out, such as ?90 beside ?1..?5, leave no parameter without a type),
 * and the statement keeps which k each original number became, so binding
 * by the original number works. Text inside quotes is copied as it is. The
 * translation is prepared with PQprepare under a name of its own on this
 * connection, with every parameter's type left to the server to infer.
 *
 * Values are sent as text (integers written out in decimal) with
 * PQexecPrepared on the first step; the whole result is kept and walked one
 * row per step. Results of a statement are small (lists have a LIMIT).
 *
 * Write transactions take a transaction-level advisory lock right after
 * BEGIN: the write transactions of every bingfa process on the database run
 * one at a time, as SQLite's BEGIN IMMEDIATE does, and each statement after
 * the lock (READ COMMITTED) sees every transaction committed before it. A
 * wait for a lock longer than the busy timeout fails (lock_timeout) and is
 * reported as busy, like a deadlock or a serialisation failure.
 *
 * With an interrupt set (db_set_interrupt), stop() is asked before a
 * statement starts (it is not run when it says stop), and the statement is
 * sent without waiting and its result awaited in short polls, asking stop()
 * between them; when it says stop, the server is asked to cancel it. */
#include <errno.h>
#include <limits.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_driver.h"

/* The key of the advisory lock of write transactions: "bingfa" in ASCII.
 * Advisory locks are per database, so databases on one server do not share it. */
#define WRITE_LOCK_KEY "108304485021281"

typedef struct pg_conn {
    db_conn base;
    PGconn *pg;
    unsigned next_name; /* names the next prepared statement */
    int64_t changes;
    int busy_timeout_ms;
    bool synchronous_full;
    void (*trace)(void *ctx, const char *sql);
    void *trace_ctx;
    bool (*stop)(void *ctx); /* see db_set_interrupt */
    void *stop_ctx;
    bool cancelled;    /* the last statement was cancelled because stop() said so */
    PGresult *columns; /* every (table, column) of the schema, read once; see pg_has_column */
    int plan_mode;     /* plan_cache_mode set on the session: PLAN_AUTO, PLAN_GENERIC or -1 */
} pg_conn;

/* The session's plan_cache_mode, set when a statement wants the other one
 * (db_plan_generic): "auto" re-plans a statement for each execution's values
 * while that looks cheaper than a generic plan; "force_generic_plan" plans it
 * once. A SET in a transaction rolled back is undone, so after a rollback or
 * a reconnection the mode is unknown (-1) and set again by the next statement. */
enum { PLAN_AUTO = 0, PLAN_GENERIC = 1 };

typedef struct pg_stmt {
    db_stmt base;
    char name[24];
    char *sql;   /* the translation (for the trace) */
    int *map;    /* map[n]: the $k of ?n, 0 when the SQL lacks ?n */
    int map_len; /* entries of map */
    int nparams; /* distinct parameters */
    const char **values;
    char (*numbers)[24]; /* the text of integers bound, one per parameter */
    int *lengths;        /* of the bytes bound as bytea, one per parameter */
    int *formats;        /* 1 where bytes are bound (binary), else 0 (text) */
    unsigned char *blob; /* the bytea last read (db_column_blob), PQfreemem'd */
    PGresult *res;
    int row, nrows;
    bool ran;
    bool generic; /* planned once for any values (db_plan_generic) */
} pg_stmt;

static pg_conn *conn_of(db_conn *c)
{
    return (pg_conn *)c;
}

static pg_stmt *stmt_of(db_stmt *s)
{
    return (pg_stmt *)s;
}

static bool is_state(const char *state, const char *want)
{
    return state != NULL && strcmp(state, want) == 0;
}

/* The single column named by a unique violation's detail, "Key (col)=(…)
 * already exists.", into c->base.column. */
static void unique_column(pg_conn *c, const char *detail)
{
    if (detail == NULL || strncmp(detail, "Key (", 5) != 0)
        return;
    const char *name = detail + 5;
    size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");
    if (n > 0 && n < sizeof(c->base.column) && strncmp(name + n, ")=(", 3) == 0)
        snprintf(c->base.column, sizeof(c->base.column), "%.*s", (int)n, name);
}

/* Records the failure of res (which may be NULL) and returns DB_ERROR. */
static int result_fault(pg_conn *c, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (msg == NULL)
        msg = PQerrorMessage(c->pg);
    db_fault f = DB_FAULT_OTHER;
    if (PQstatus(c->pg) == CONNECTION_BAD || (res != NULL && state == NULL) ||
        (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0)))
        f = DB_FAULT_BUSY; /* the server went away or is shutting down: connect again */
    else if (res == NULL)
        f = DB_FAULT_NOMEM;
    else if (is_state(state, "23503"))
        f = DB_FAULT_FOREIGN_KEY;
    else if (is_state(state, "23505"))
        f = DB_FAULT_UNIQUE;
    else if ((state && strncmp(state, "23", 2) == 0) || is_state(state, "P0001"))
        f = DB_FAULT_CONSTRAINT; /* P0001: a trigger's RAISE EXCEPTION */
    else if (is_state(state, "57014") && c->cancelled)
        f = DB_FAULT_INTERRUPTED;
    else if (is_state(state, "40001") || is_state(state, "40P01") || is_state(state, "55P03") ||
             is_state(state, "57014"))
        f = DB_FAULT_BUSY; /* serialisation, deadlock, lock or statement timeout */
    else if (is_state(state, "53200"))
        f = DB_FAULT_NOMEM;
    db_fail(&c->base, f, "%s", msg);
    size_t len = strlen(c->base.message);
    while (len > 0 && c->base.message[len - 1] == '\n')
        c->base.message[--len] = '\0';
    if (f == DB_FAULT_UNIQUE)
        unique_column(c, PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
    return DB_ERROR;
}

/* Runs SQL without parameters; DB_OK when it ends with want (for a script,
 * the status of its last statement). */
static int run(pg_conn *c, const char *sql, ExecStatusType want)
{
    PGresult *res = PQexec(c->pg, sql);
    int rc = PQresultStatus(res) == want ? DB_OK : result_fault(c, res);
    PQclear(res);
    return rc;
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The session's settings: how long to wait for a lock, durability, UTF-8. */
static int session_setup(pg_conn *c)
{
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SET lock_timeout = %d; SET synchronous_commit = %s; SET client_encoding = 'UTF8'; "
             "SET client_min_messages = warning; SET application_name = 'bingfa'",
             c->busy_timeout_ms, c->synchronous_full ? "on" : "off");
    return run(c, sql, PGRES_COMMAND_OK);
}

static void pg_close(db_conn *dc)
{
    pg_conn *c = conn_of(dc);
    PQclear(c->columns);
    PQfinish(c->pg);
    free(c);
}

static bf_result pg_open(const char *target, const store_options *opt, db_conn **out, bf_error *err)
{
    pg_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return BF_ERR_NOMEM;
    c->base.driver = &db_pg_driver;
    c->busy_timeout_ms = opt->busy_timeout_ms;
    c->synchronous_full = opt->synchronous_full;
    c->trace = opt->trace;
    c->trace_ctx = opt->trace_ctx;
    c->plan_mode = -1;
    c->pg = PQconnectdb(target);
    if (c->pg == NULL) {
        free(c);
        return BF_ERR_NOMEM;
    }
    bf_result r = BF_OK;
    if (PQstatus(c->pg) != CONNECTION_OK) {
        char shown[256];
        db_target_display(target, shown, sizeof(shown));
        char why[512];
        snprintf(why, sizeof(why), "%s", PQerrorMessage(c->pg));
        why[strcspn(why, "\n")] = '\0';
        r = bf_fail(err, BF_ERR_STORE, "store_error", NULL, "cannot connect to %s: %s", shown, why);
    } else if (session_setup(c) != DB_OK) {
        r = bf_fail(err, BF_ERR_STORE, "store_error", NULL,
                    "database error in connection "
                    "set-up: %s",
                    c->base.message);
    }
    if (r != BF_OK) {
        pg_close(&c->base);
        return r;
    }
    *out = &c->base;
    return BF_OK;
}

/* Adds ?n to the statement's map (growing it); its $k. */
static int map_param(pg_stmt *s, int n)
{
    if (n >= s->map_len) {
        int len = n + 16;
        int *bigger = realloc(s->map, (size_t)len * sizeof(int));
        if (bigger == NULL)
            return -1;
        memset(bigger + s->map_len, 0, (size_t)(len - s->map_len) * sizeof(int));
        s->map = bigger;
        s->map_len = len;
    }
    if (s->map[n] == 0)
        s->map[n] = ++s->nparams;
    return s->map[n];
}

/* Translates sql (len bytes) into s->sql, ?NN into $k (see the top). */
static bool translate(pg_stmt *s, const char *sql, size_t len)
{
    size_t cap = 3 * len + 16, o = 0; /* "?N" may become "$KKK" */
    char *out = malloc(cap);
    if (out == NULL)
        return false;
    char quote = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = sql[i];
        if (quote != 0) {
            quote = ch == quote ? 0 : quote; /* '' reopens at once: copied either way */
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
        } else if (ch == '?' && i + 1 < len && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            int n = 0;
            while (i + 1 < len && sql[i + 1] >= '0' && sql[i + 1] <= '9' && n < 100000)
                n = n * 10 + (sql[++i] - '0');
            int k = map_param(s, n);
            if (k < 0) {
                free(out);
                return false;
            }
            o += (size_t)snprintf(out + o, cap - o, "$%d", k);
            continue;
        }
        out[o++] = ch;
    }
    out[o] = '\0';
    s->sql = out;
    return true;
}

static void pg_finalize(db_stmt *ds)
{
    pg_stmt *s = stmt_of(ds);
    PQclear(s->res);
    free(s->sql);
    free(s->map);
    free(s->values);
    free(s->numbers);
    free(s->lengths);
    free(s->formats);
    PQfreemem(s->blob);
    free(s);
}

static int pg_prepare(db_conn *dc, const char *sql, size_t len, db_stmt **out)
{
    pg_conn *c = conn_of(dc);
    pg_stmt *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return db_fail(dc, DB_FAULT_NOMEM, "out of memory");
    s->base.conn = dc;
    if (!translate(s, sql, len) ||
        (s->nparams > 0 && ((s->values = calloc((size_t)s->nparams, sizeof(char *))) == NULL ||
                            (s->numbers = calloc((size_t)s->nparams, 24)) == NULL ||
                            (s->lengths = calloc((size_t)s->nparams, sizeof(int))) == NULL ||
                            (s->formats = calloc((size_t)s->nparams, sizeof(int))) == NULL))) {
        pg_finalize(&s->base);
        return db_fail(dc, DB_FAULT_NOMEM, "out of memory");
    }
    snprintf(s->name, sizeof(s->name), "bf%u", ++c->next_name);
    PGresult *res = PQprepare(c->pg, s->name, s->sql, 0, NULL);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? DB_OK : result_fault(c, res);
    PQclear(res);
    if (rc != DB_OK) {
        pg_finalize(&s->base);
        return rc;
    }
    *out = &s->base;
    return DB_OK;
}

/* The slot of ?idx, or -1 when the SQL lacks it. */
static int slot_of(pg_stmt *s, int idx)
{
    return idx > 0 && idx < s->map_len && s->map[idx] > 0 ? s->map[idx] - 1 : -1;
}

static int pg_bind_text(db_stmt *ds, int idx, const char *t)
{
    pg_stmt *s = stmt_of(ds);
    int k = slot_of(s, idx);
    if (k >= 0) {
        s->values[k] = t;
        s->formats[k] = 0;
    }
    return DB_OK;
}

static int pg_bind_int64(db_stmt *ds, int idx, int64_t v)
{
    pg_stmt *s = stmt_of(ds);
    int k = slot_of(s, idx);
    if (k >= 0) {
        snprintf(s->numbers[k], sizeof(s->numbers[k]), "%lld", (long long)v);
        s->values[k] = s->numbers[k];
        s->formats[k] = 0;
    }
    return DB_OK;
}

static int pg_bind_null(db_stmt *ds, int idx)
{
    return pg_bind_text(ds, idx, NULL);
}

static int pg_bind_blob(db_stmt *ds, int idx, const void *data, size_t len)
{
    pg_stmt *s = stmt_of(ds);
    if (len > INT_MAX)
        return db_fail(ds->conn, DB_FAULT_OTHER, "a value of %zu bytes is too large", len);
    int k = slot_of(s, idx);
    if (k >= 0) {
        s->values[k] = data ? data : "";
        s->lengths[k] = (int)len;
        s->formats[k] = 1;
    }
    return DB_OK;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Waits for the result of the statement sent, asking c->stop between short
 * polls; when it says stop, asks the server to cancel the statement. The
 * last result, or NULL. */
static PGresult *await_result(pg_conn *c)
{
    while (PQisBusy(c->pg)) {
        struct pollfd p = {.fd = PQsocket(c->pg), .events = POLLIN};
        int n = poll(&p, 1, 50);
        if ((n < 0 && errno != EINTR) || (n > 0 && !PQconsumeInput(c->pg)))
            break;
        if (!c->cancelled && c->stop(c->stop_ctx)) {
            PGcancel *k = PQgetCancel(c->pg);
            char why[256];
            if (k != NULL)
                PQcancel(k, why, sizeof(why));
            PQfreeCancel(k);
            c->cancelled = true;
        }
    }
    PGresult *last = NULL, *res;
    while ((res = PQgetResult(c->pg)) != NULL) {
        PQclear(last);
        last = res;
    }
    return last;
}

/* Runs the prepared statement s with its values: at once, or sent and
 * awaited when an interrupt is set. */
static PGresult *run_prepared(pg_conn *c, pg_stmt *s)
{
    c->cancelled = false;
    if (c->stop == NULL)
        return PQexecPrepared(c->pg, s->name, s->nparams, s->values, s->lengths, s->formats, 0);
    if (!PQsendQueryPrepared(c->pg, s->name, s->nparams, s->values, s->lengths, s->formats, 0))
        return NULL;
    return await_result(c);
}

/* Executes the statement with its values, keeping the whole result. */
static int execute(pg_stmt *s)
{
    pg_conn *c = conn_of(s->base.conn);
    if (c->trace != NULL)
        c->trace(c->trace_ctx, s->sql);
    s->ran = true;
    if (c->stop != NULL && c->stop(c->stop_ctx)) /* gone before it starts: not started */
        return db_fail(&c->base, DB_FAULT_INTERRUPTED, "interrupted");
    int want = s->generic ? PLAN_GENERIC : PLAN_AUTO;
    if (c->plan_mode != want) {
        /* Not worth failing the statement for: it runs with the mode there is. */
        PGresult *set =
            PQexec(c->pg, want == PLAN_GENERIC ? "SET plan_cache_mode = force_generic_plan"
                                               : "SET plan_cache_mode = auto");
        c->plan_mode = PQresultStatus(set) == PGRES_COMMAND_OK ? want : -1;
        PQclear(set);
    }
    s->res = run_prepared(c, s);
    ExecStatusType st = PQresultStatus(s->res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        int rc = result_fault(c, s->res);
        PQclear(s->res);
        s->res = NULL;
        return rc;
    }
    s->row = -1;
    s->nrows = st == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
    const char *cmd = PQcmdStatus(s->res);
    if (starts(cmd, "INSERT") || starts(cmd, "UPDATE") || starts(cmd, "DELETE"))
        c->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
    return DB_OK;
}

static int pg_step(db_stmt *ds)
{
    pg_stmt *s = stmt_of(ds);
    if (!s->ran) {
        int rc = execute(s);
        if (rc != DB_OK)
            return rc;
    }
    if (s->res != NULL && s->row + 1 < s->nrows) {
        s->row++;
        return DB_ROW;
    }
    s->row = s->nrows;
    return DB_DONE;
}

static void pg_reset(db_stmt *ds)
{
    pg_stmt *s = stmt_of(ds);
    PQclear(s->res);
    s->res = NULL;
    PQfreemem(s->blob);
    s->blob = NULL;
    s->ran = false;
    s->row = s->nrows = 0;
}

static void pg_clear_bindings(db_stmt *ds)
{
    pg_stmt *s = stmt_of(ds);
    for (int k = 0; k < s->nparams; k++) {
        s->values[k] = NULL;
        s->formats[k] = 0;
    }
}

/* Whether the statement is on a row that has column col. */
static bool on_column(pg_stmt *s, int col)
{
    return s->res != NULL && s->row >= 0 && s->row < s->nrows && col >= 0 &&
           col < PQnfields(s->res);
}

static bool pg_column_is_null(db_stmt *ds, int col)
{
    pg_stmt *s = stmt_of(ds);
    return !on_column(s, col) || PQgetisnull(s->res, s->row, col);
}

static const char *pg_column_text(db_stmt *ds, int col)
{
    pg_stmt *s = stmt_of(ds);
    return pg_column_is_null(ds, col) ? NULL : PQgetvalue(s->res, s->row, col);
}

static size_t pg_column_bytes(db_stmt *ds, int col)
{
    pg_stmt *s = stmt_of(ds);
    return pg_column_is_null(ds, col) ? 0 : (size_t)PQgetlength(s->res, s->row, col);
}

/* bytea comes as text (hex, "\\x…"): decoded into s->blob. */
static const void *pg_column_blob(db_stmt *ds, int col, size_t *len)
{
    pg_stmt *s = stmt_of(ds);
    *len = 0;
    const char *text = pg_column_text(ds, col);
    if (text == NULL)
        return NULL;
    PQfreemem(s->blob);
    s->blob = PQunescapeBytea((const unsigned char *)text, len);
    if (s->blob == NULL)
        *len = 0;
    return s->blob;
}

static int64_t pg_column_int64(db_stmt *ds, int col)
{
    return db_parse_int64(pg_column_text(ds, col));
}

static int64_t pg_total_changes(db_conn *c)
{
    (void)c;
    return 0;
}

static int64_t pg_changes(db_conn *c)
{
    return conn_of(c)->changes;
}

static int pg_exec(db_conn *dc, const char *sql)
{
    pg_conn *c = conn_of(dc);
    PQclear(c->columns); /* a migration may add columns */
    c->columns = NULL;
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? DB_OK : result_fault(c, res);
    PQclear(res);
    return rc;
}

static int pg_begin(db_conn *dc)
{
    pg_conn *c = conn_of(dc);
    int rc = run(c, "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK_KEY ")", PGRES_TUPLES_OK);
    if (rc != DB_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
        db_conn saved = c->base; /* the lock's failure, not the rollback's */
        run(c, "ROLLBACK", PGRES_COMMAND_OK);
        c->base = saved;
    }
    return rc;
}

static int pg_commit(db_conn *dc)
{
    pg_conn *c = conn_of(dc);
    PGresult *res = PQexec(c->pg, "COMMIT");
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? DB_OK : result_fault(c, res);
    /* COMMIT of a transaction a failed statement aborted rolls it back. */
    if (rc == DB_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
        rc = db_fail(dc, DB_FAULT_OTHER, "the transaction was rolled back after an error");
    if (rc != DB_OK)
        c->plan_mode = -1;
    PQclear(res);
    return rc;
}

static int pg_rollback(db_conn *dc)
{
    conn_of(dc)->plan_mode = -1;
    return run(conn_of(dc), "ROLLBACK", PGRES_COMMAND_OK);
}

static void pg_plan_generic(db_stmt *ds, bool generic)
{
    stmt_of(ds)->generic = generic;
}

static bool pg_in_transaction(db_conn *dc)
{
    PGTransactionStatusType t = PQtransactionStatus(conn_of(dc)->pg);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* The columns of the schema are read once (until a script runs), not once
 * per column asked about: the start-up check asks about every field. */
static int pg_has_column(db_conn *dc, const char *table, const char *column, bool *has)
{
    pg_conn *c = conn_of(dc);
    *has = false;
    if (c->columns == NULL) {
        PGresult *res = PQexec(c->pg, "SELECT table_name, column_name FROM information_schema."
                                      "columns WHERE table_schema = current_schema()");
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            int rc = result_fault(c, res);
            PQclear(res);
            return rc;
        }
        c->columns = res;
    }
    for (int i = 0; i < PQntuples(c->columns) && !*has; i++)
        *has = strcmp(PQgetvalue(c->columns, i, 0), table) == 0 &&
               strcmp(PQgetvalue(c->columns, i, 1), column) == 0;
    return DB_OK;
}

static void pg_set_interrupt(db_conn *dc, bool (*stop)(void *ctx), void *ctx)
{
    pg_conn *c = conn_of(dc);
    c->stop = stop;
    c->stop_ctx = ctx;
}

static bool pg_lost(db_conn *dc)
{
    pg_conn *c = conn_of(dc);
    if (PQstatus(c->pg) == CONNECTION_BAD)
        return true;
    /* A connection whose last statement found the server gone may not know
     * it yet: it is tried (an empty query) before it serves again. */
    if (c->base.fault != DB_FAULT_BUSY || PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        return false;
    PGresult *res = PQexec(c->pg, "");
    bool lost = PQresultStatus(res) != PGRES_EMPTY_QUERY;
    PQclear(res);
    c->base.fault = DB_FAULT_NONE;
    return lost;
}

static int pg_reconnect(db_conn *dc)
{
    pg_conn *c = conn_of(dc);
    c->plan_mode = -1;
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK) /* the server is away: busy, try again */
        return db_fail(dc, DB_FAULT_BUSY, "%s", PQerrorMessage(c->pg));
    return session_setup(c);
}

const db_driver db_pg_driver = {
    .dialect = DB_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind_text = pg_bind_text,
    .bind_int64 = pg_bind_int64,
    .bind_null = pg_bind_null,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .reset = pg_reset,
    .clear_bindings = pg_clear_bindings,
    .column_text = pg_column_text,
    .column_bytes = pg_column_bytes,
    .column_blob = pg_column_blob,
    .column_int64 = pg_column_int64,
    .column_is_null = pg_column_is_null,
    .changes = pg_changes,
    .total_changes = pg_total_changes,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .has_column = pg_has_column,
    .set_interrupt = pg_set_interrupt,
    .lost = pg_lost,
    .reconnect = pg_reconnect,
    .plan_generic = pg_plan_generic,
};
