/* The SQLite backend of the store (see store.h): connections, the statement
 * cache, transactions, opening and migrations. The rest is by concern:
 * sqlite_records.c (records and lists), sqlite_deal.c (history, checklists,
 * playbooks, forms, settings), sqlite_reports.c, sqlite_access.c (people,
 * visibility, credentials, the deal team, the audit log).
 *
 * One connection per thread, opened on the thread's first call and kept in
 * thread-specific data; each connection caches its prepared statements in a
 * small hash table keyed by a number that names the statement's shape, so
 * SQL text is composed at most once per shape and connection. Values are
 * always bound, never written into SQL. */
#include "store/store.h"

#include <fcntl.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/embedded.h"
#include "store/sqlite.h"

extern const embedded_file store_migration_files[];

/* ---- connections and the statement cache ---------------------------------- */

struct store {
    char *path;
    store_options opt;
    pthread_key_t key;
    pthread_mutex_t lock; /* guards conns (the list, not the connections) */
    conn *conns;
    int schema_version;
};

bf_result sq_db_error(bf_error *err, sqlite3 *db, int rc, const char *what)
{
    int base = rc & 0xff;
    if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
        return bf_fail(err, BF_ERR_BUSY, "busy", NULL, "the database is busy; try again");
    if (base == SQLITE_NOMEM)
        return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
    if (base == SQLITE_INTERRUPT)
        return bf_fail(err, BF_ERR_BUSY, "stopped", NULL, "the request was stopped");
    return bf_fail(err, BF_ERR_STORE, "store_error", NULL, "database error in %s: %s", what,
                   db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static const char SQL_ROLLBACK[] = "ROLLBACK";

static int exec_sql(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Hands each statement run, values bound in, to the store's trace. */
static int trace_statement(unsigned type, void *ctx, void *stmt, void *sql)
{
    (void)sql;
    const store *st = ctx;
    if (type != SQLITE_TRACE_STMT)
        return 0;
    char *text = sqlite3_expanded_sql(stmt);
    if (text != NULL)
        st->opt.trace(st->opt.trace_ctx, text);
    sqlite3_free(text);
    return 0;
}

/* A bulk load's connection: a page cache of up to 1 GiB, which holds the
 * indexes a load of millions of rows writes all over, and a checkpoint every
 * 64 MiB of log rather than every 4. With synchronous=NORMAL a commit waits
 * for no disk; a checkpoint syncs. */
#define BULK_PRAGMAS " PRAGMA cache_size=-1048576; PRAGMA wal_autocheckpoint=16384;"

static bf_result conn_open(store *st, conn **out, bf_error *err)
{
    conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return BF_ERR_NOMEM;
    int rc = sqlite3_open_v2(
        st->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        bf_result r = bf_fail(err, BF_ERR_STORE, "store_error", NULL, "cannot open %s: %s",
                              st->path, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close(c->db);
        free(c);
        return r;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, st->opt.busy_timeout_ms);
    if (st->opt.trace != NULL)
        sqlite3_trace_v2(c->db, SQLITE_TRACE_STMT, trace_statement, st);
    char pragmas[320];
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=%s;"
             "PRAGMA temp_store=MEMORY;%s",
             st->opt.synchronous_full && !st->opt.bulk_load ? "FULL" : "NORMAL",
             st->opt.bulk_load ? BULK_PRAGMAS : "");
    rc = exec_sql(c->db, pragmas);
    if (rc != SQLITE_OK) {
        bf_result r = sq_db_error(err, c->db, rc, "connection set-up");
        sqlite3_close(c->db);
        free(c);
        return r;
    }
    c->nslots = 64;
    c->slots = calloc(c->nslots, sizeof(stmt_slot));
    if (c->slots == NULL) {
        sqlite3_close(c->db);
        free(c);
        return BF_ERR_NOMEM;
    }
    pthread_mutex_lock(&st->lock);
    c->next = st->conns;
    st->conns = c;
    pthread_mutex_unlock(&st->lock);
    *out = c;
    return BF_OK;
}

static void conn_close(conn *c)
{
    for (size_t i = 0; i < c->nslots; i++)
        if (c->slots[i].stmt)
            sqlite3_finalize(c->slots[i].stmt);
    free(c->slots);
    sqlite3_close(c->db);
    free(c);
}

static bf_result run_simple(conn *c, const char *sql, bf_error *err);

/* This thread's connection to st, opened on first use. */
bf_result sq_conn(store *st, conn **out, bf_error *err)
{
    conn *c = pthread_getspecific(st->key);
    if (c == NULL) {
        bf_result r = conn_open(st, &c, err);
        if (r != BF_OK)
            return r;
        if (pthread_setspecific(st->key, c) != 0)
            return BF_ERR_NOMEM; /* c stays on the list and is closed with the store */
    }
    /* A transaction that a failed ROLLBACK left open (SQLite's rollback may
     * need memory) is rolled back before the connection serves anything
     * else: it would hold the write lock and show its writes to reads. */
    if (c->tx_depth == 0 && !sqlite3_get_autocommit(c->db)) {
        bf_result r = run_simple(c, SQL_ROLLBACK, err);
        if (r != BF_OK)
            return r;
    }
    *out = c;
    return BF_OK;
}

static uint64_t hash_key(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static sqlite3_stmt **cache_slot(conn *c, stmt_key key)
{
    size_t mask = c->nslots - 1;
    size_t i = hash_key(key.shape ^ hash_key(key.filters)) & mask;
    while (c->slots[i].stmt != NULL &&
           (c->slots[i].key.shape != key.shape || c->slots[i].key.filters != key.filters))
        i = (i + 1) & mask;
    c->slots[i].key = key;
    return &c->slots[i].stmt;
}

static bf_result cache_grow(conn *c)
{
    size_t old_n = c->nslots;
    stmt_slot *old = c->slots;
    c->nslots *= 2;
    c->slots = calloc(c->nslots, sizeof(stmt_slot));
    if (c->slots == NULL) {
        c->slots = old;
        c->nslots = old_n;
        return BF_ERR_NOMEM;
    }
    for (size_t i = 0; i < old_n; i++)
        if (old[i].stmt)
            *cache_slot(c, old[i].key) = old[i].stmt;
    free(old);
    return BF_OK;
}

/* Composes the SQL of a statement shape into b (called on a cache miss only). */
/* The cached statement for key, prepared from build() on first use; reset and
 * with bindings cleared, ready to bind. */
bf_result sq_stmt_get(conn *c, stmt_key key, sql_builder build, const void *ctx, sqlite3_stmt **out,
                      bf_error *err)
{
    sqlite3_stmt **slot = cache_slot(c, key);
    if (*slot == NULL) {
        if (c->used * 2 >= c->nslots) {
            if (cache_grow(c) != BF_OK)
                return BF_ERR_NOMEM;
            slot = cache_slot(c, key);
        }
        arena *a = arena_new(4096);
        if (a == NULL)
            return BF_ERR_NOMEM;
        buf sql;
        buf_init(&sql, a, 64 * 1024);
        bf_result r = build(&sql, ctx);
        if (r == BF_OK) {
            int rc = sqlite3_prepare_v3(c->db, buf_cstr(&sql), (int)sql.len + 1,
                                        SQLITE_PREPARE_PERSISTENT, slot, NULL);
            if (rc != SQLITE_OK)
                r = sq_db_error(err, c->db, rc, "prepare");
            else
                c->used++;
        }
        arena_free(a);
        if (r != BF_OK)
            return r;
    }
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    *out = *slot;
    return BF_OK;
}

static bf_result build_static(buf *b, const void *ctx)
{
    return buf_append_str(b, ctx);
}

/* A statement whose SQL is a string constant: the constant's address is the key. */
bf_result sq_stmt_static(conn *c, const char *sql, sqlite3_stmt **out, bf_error *err)
{
    return sq_stmt_get(c, (stmt_key){(uint64_t)(uintptr_t)sql, 0}, build_static, sql, out, err);
}

/* This thread's connection and the cached statement of a constant SQL. */
bf_result sq_prepare(store *st, const char *sql, conn **c, sqlite3_stmt **s, bf_error *err)
{
    bf_result r = sq_conn(st, c, err);
    return r == BF_OK ? sq_stmt_static(*c, sql, s, err) : r;
}

/* ---- small helpers ---------------------------------------------------------- */

/* Seconds added to the clock: see store_clock_shift. */
static _Atomic int64_t clock_shift;

void store_clock_shift(int64_t seconds)
{
    clock_shift = seconds;
}

void store_now(char *out, size_t cap)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)clock_shift;
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    int ms = (int)((ts.tv_nsec / 1000000L) % 1000);
    snprintf(out + n, cap - n, ".%03dZ", ms);
}

/* Random bytes for ids, drawn from libsodium a block at a time: one system
 * call for many ids. */
static void id_random(unsigned char *out, size_t n)
{
    static _Thread_local unsigned char pool[256];
    static _Thread_local size_t left;
    if (left < n) {
        randombytes_buf(pool, sizeof(pool));
        left = sizeof(pool);
    }
    memcpy(out, pool + sizeof(pool) - left, n);
    sodium_memzero(pool + sizeof(pool) - left, n);
    left -= n;
}

/* An id such as "opp_01jf…": prefix, underscore, 26 base32 characters, the
 * first 10 the time in milliseconds and the other 16 eighty random bits.
 * Ids made one after another sort together, so a new row lands at the end
 * of the indexes of ids (its table's key, the audit log's, the history's)
 * rather than on a random page of each: a large table takes its inserts
 * without reading and writing back pages all over its indexes. */
char *sq_new_id(arena *a, const char *prefix)
{
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)(ts.tv_nsec / 1000000);
    char tail[27];
    for (int i = 9; i >= 0; i--, ms >>= 5)
        tail[i] = alphabet[ms & 31];
    unsigned char raw[10];
    id_random(raw, sizeof(raw));
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 10, i = 0;
    while (n < 26) {
        if (bits < 5) {
            acc = (acc << 8) | raw[i++];
            bits += 8;
        }
        tail[n++] = alphabet[(acc >> (bits - 5)) & 31];
        bits -= 5;
    }
    tail[26] = '\0';
    return arena_printf(a, "%s_%s", prefix, tail);
}

const char *sq_column_text(arena *a, sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    if (t == NULL)
        return NULL;
    return arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s, col));
}

int sq_bind_text(sqlite3_stmt *s, int idx, const char *t)
{
    return t ? sqlite3_bind_text(s, idx, t, -1, SQLITE_STATIC) : sqlite3_bind_null(s, idx);
}

/* Room for one more element in an arena array of *cap elements holding n,
 * doubling it when full; NULL when out of memory. */
void *sq_arena_grow(arena *a, void *items, size_t n, size_t *cap, size_t size)
{
    if (items != NULL && n < *cap)
        return items;
    size_t new_cap = items == NULL ? (*cap ? *cap : 8) : *cap * 2;
    void *bigger = arena_calloc(a, new_cap, size);
    if (bigger != NULL && items != NULL)
        memcpy(bigger, items, n * size);
    *cap = new_cap;
    return bigger;
}

bf_result sq_collect(conn *c, sqlite3_stmt *s, arena *a, size_t size, sq_row_reader read,
                     const char *what, void **out, size_t *n, bf_error *err)
{
    size_t cap = 16, count = 0;
    char *items = NULL;
    int rc = SQLITE_DONE;
    while ((items = sq_arena_grow(a, items, count, &cap, size)) != NULL &&
           (rc = sqlite3_step(s)) == SQLITE_ROW)
        read(a, s, items + size * count++);
    sqlite3_reset(s);
    if (items == NULL)
        return BF_ERR_NOMEM;
    if (rc != SQLITE_DONE)
        return sq_db_error(err, c->db, rc, what);
    *out = items;
    *n = count;
    return BF_OK;
}

/* ---- statement shapes and constraint errors, shared by the files of the backend ---- */

static int resource_index(const resource_spec *spec)
{
    for (int i = 0; resource_all[i] != NULL; i++)
        if (resource_all[i] == spec)
            return i;
    BF_ASSERT(!"unknown resource");
    return -1;
}

stmt_key sq_shape_key(enum stmt_kind kind, const resource_spec *spec, uint64_t options,
                      uint64_t filters)
{
    stmt_key k = {(1ULL << 63) | ((uint64_t)kind << 48) | ((uint64_t)resource_index(spec) << 40) |
                      (options & 0xffffffffffULL),
                  filters};
    return k;
}

bf_result sq_constraint_error(bf_error *err, conn *c, int rc, const char *what)
{
    /* ON DELETE RESTRICT reports itself as a trigger constraint. */
    if ((rc & 0xff) == SQLITE_CONSTRAINT && strstr(sqlite3_errmsg(c->db), "FOREIGN KEY") != NULL)
        return bf_fail(err, BF_ERR_CONFLICT, "in_use", NULL,
                       "other records still refer to this one; remove or move them first");
    const char *msg = sqlite3_errmsg(c->db);
    const char *unique = strstr(msg, "UNIQUE constraint failed: ");
    const char *dot = unique ? strchr(unique, '.') : NULL;
    if ((rc & 0xff) == SQLITE_CONSTRAINT && dot != NULL && strchr(dot, ',') == NULL)
        return bf_fail(err, BF_ERR_CONFLICT, "duplicate", dot + 1,
                       "%s is taken already: it must be unique", dot + 1);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return bf_fail(err, BF_ERR_CONFLICT, "constraint", NULL, "%s: %s", what, msg);
    return sq_db_error(err, c->db, rc, what);
}

/* ---- transactions ------------------------------------------------------------ */

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";

static bf_result run_simple(conn *c, const char *sql, bf_error *err)
{
    sqlite3_stmt *s;
    bf_result r = sq_stmt_static(c, sql, &s, err);
    if (r != BF_OK)
        return r;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? BF_OK : sq_db_error(err, c->db, rc, sql);
}

bf_result store_begin(store *st, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    if (c->tx_depth == 0) {
        if ((r = run_simple(c, SQL_BEGIN, err)) != BF_OK)
            return r;
        c->tx_failed = false;
    }
    c->tx_depth++;
    return BF_OK;
}

bf_result store_commit(store *st, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    BF_ASSERT(c->tx_depth > 0);
    if (--c->tx_depth > 0)
        return BF_OK;
    if (c->tx_failed) {
        run_simple(c, SQL_ROLLBACK, NULL);
        return bf_fail(err, BF_ERR_INTERNAL, NULL, NULL, "transaction was rolled back");
    }
    r = run_simple(c, SQL_COMMIT, err);
    if (r != BF_OK)
        run_simple(c, SQL_ROLLBACK, NULL);
    return r;
}

void store_rollback(store *st)
{
    conn *c;
    if (sq_conn(st, &c, NULL) != BF_OK)
        return;
    BF_ASSERT(c->tx_depth > 0);
    if (--c->tx_depth > 0) {
        c->tx_failed = true; /* the outer commit must not keep a half-done write */
        return;
    }
    run_simple(c, SQL_ROLLBACK, NULL);
}

static const char SQL_SAVEPOINT[] = "SAVEPOINT bulk_line";
static const char SQL_SAVEPOINT_RELEASE[] = "RELEASE bulk_line";
static const char SQL_SAVEPOINT_ROLLBACK[] = "ROLLBACK TO bulk_line";

bf_result store_savepoint(store *st, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    BF_ASSERT(c->tx_depth > 0);
    return run_simple(c, SQL_SAVEPOINT, err);
}

bf_result store_savepoint_release(store *st, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    return r == BF_OK ? run_simple(c, SQL_SAVEPOINT_RELEASE, err) : r;
}

bf_result store_savepoint_rollback(store *st, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r == BF_OK)
        r = run_simple(c, SQL_SAVEPOINT_ROLLBACK, err);
    if (r == BF_OK)
        r = run_simple(c, SQL_SAVEPOINT_RELEASE, err);
    if (r == BF_OK)
        c->tx_failed = false; /* what failed inside it is undone */
    return r;
}

bf_result store_checkpoint(store *st, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    int rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    /* Busy: a reader still uses the log, which was synced before the copy. */
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? BF_OK : sq_db_error(err, c->db, rc, "checkpoint");
}

/* ---- opening, migrations ----------------------------------------------------------- */

static int migration_version(const char *name)
{
    return atoi(name); /* "0002_name.sql" -> 2 */
}

int store_schema_latest(void)
{
    int latest = 0;
    for (size_t i = 0; store_migration_files[i].name != NULL; i++)
        if (migration_version(store_migration_files[i].name) > latest)
            latest = migration_version(store_migration_files[i].name);
    return latest;
}

int store_schema_version(store *st)
{
    return st->schema_version;
}

static bf_result read_schema_version(sqlite3 *db, int *version, bf_error *err)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1,
                                &s, NULL);
    if (rc != SQLITE_OK)
        return sq_db_error(err, db, rc, "schema version");
    rc = sqlite3_step(s);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? BF_OK : sq_db_error(err, db, rc, "schema version");
}

/* Applies each migration newer than the database, each in one transaction.
 * Migrations only add: they never drop or rewrite what is there. */
static bf_result migrate(store *st, conn *c, bf_error *err)
{
    int rc = exec_sql(c->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                             "applied_at TEXT NOT NULL)");
    if (rc != SQLITE_OK)
        return sq_db_error(err, c->db, rc, "migrations");
    int current;
    bf_result r = read_schema_version(c->db, &current, err);
    if (r != BF_OK)
        return r;
    int latest = store_schema_latest();
    if (current > latest)
        return bf_fail(err, BF_ERR_STORE, "schema_too_new", NULL,
                       "the database is at schema version %d but this bingfa knows only up to "
                       "%d; use a newer bingfa",
                       current, latest);
    int target =
        st->opt.migrate_to > 0 && st->opt.migrate_to < latest ? st->opt.migrate_to : latest;
    for (int v = current + 1; v <= target; v++) {
        const embedded_file *m = NULL;
        for (size_t i = 0; store_migration_files[i].name != NULL; i++)
            if (migration_version(store_migration_files[i].name) == v)
                m = &store_migration_files[i];
        if (m == NULL)
            return bf_fail(err, BF_ERR_STORE, "migration_missing", NULL,
                           "schema migration %d is missing", v);
        rc = exec_sql(c->db, "BEGIN IMMEDIATE");
        if (rc == SQLITE_OK)
            rc = exec_sql(c->db, m->data);
        if (rc == SQLITE_OK) {
            sqlite3_stmt *s;
            char now[32];
            store_now(now, sizeof(now));
            rc = sqlite3_prepare_v2(c->db,
                                    "INSERT INTO schema_migrations (version, name, applied_at) "
                                    "VALUES (?1, ?2, ?3)",
                                    -1, &s, NULL);
            if (rc == SQLITE_OK) {
                sqlite3_bind_int(s, 1, v);
                sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
                sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
                rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(c->db);
                sqlite3_finalize(s);
            }
        }
        if (rc == SQLITE_OK)
            rc = exec_sql(c->db, "COMMIT");
        if (rc != SQLITE_OK) {
            r = bf_fail(err, BF_ERR_STORE, "migration_failed", NULL, "migration %s failed: %s",
                        m->name, sqlite3_errmsg(c->db));
            exec_sql(c->db, "ROLLBACK");
            return r;
        }
    }
    st->schema_version = target;
    return BF_OK;
}

/* Every field of every resource must be a column: a mismatch between the
 * field tables and the migrations is found at start, not on a request. */
static bf_result check_columns(conn *c, bf_error *err)
{
    for (size_t k = 0; resource_all[k] != NULL; k++) {
        const resource_spec *spec = resource_all[k];
        for (size_t i = 0; i < spec->nfields; i++) {
            int rc = sqlite3_table_column_metadata(c->db, NULL, spec->name, spec->fields[i].name,
                                                   NULL, NULL, NULL, NULL, NULL);
            if (rc != SQLITE_OK)
                return bf_fail(err, BF_ERR_STORE, "schema_mismatch", spec->fields[i].name,
                               "table %s has no column %s", spec->name, spec->fields[i].name);
        }
    }
    return BF_OK;
}

static void conn_release(void *p)
{
    (void)p; /* connections are closed with the store, not when a thread ends */
}

/* Creates a new database file readable by its owner only (0600): it holds
 * password hashes and the company's deals. SQLite gives its -wal and -shm
 * files the same permissions. An existing file is left as it is. */
static bf_result create_private(const char *path, bf_error *err)
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

bf_result store_open(const char *path, const store_options *opt, store **out, bf_error *err)
{
    if (sodium_init() < 0)
        return bf_fail(err, BF_ERR_INTERNAL, NULL, NULL, "libsodium failed to initialise");
    store *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return BF_ERR_NOMEM;
    st->path = strdup(path);
    if (st->path == NULL) {
        free(st);
        return BF_ERR_NOMEM;
    }
    st->opt.synchronous_full = true;
    st->opt.busy_timeout_ms = 5000;
    if (opt) {
        st->opt = *opt;
        if (st->opt.busy_timeout_ms <= 0)
            st->opt.busy_timeout_ms = 5000;
    }
    pthread_mutex_init(&st->lock, NULL);
    if (pthread_key_create(&st->key, conn_release) != 0) {
        free(st->path);
        free(st);
        return BF_ERR_NOMEM;
    }
    conn *c;
    bf_result r = create_private(path, err);
    if (r == BF_OK)
        r = sq_conn(st, &c, err);
    if (r == BF_OK)
        r = migrate(st, c, err);
    if (r == BF_OK && st->schema_version == store_schema_latest())
        r = check_columns(c, err);
    if (r != BF_OK) {
        store_close(st);
        return r;
    }
    *out = st;
    return BF_OK;
}

void store_close(store *st)
{
    if (st == NULL)
        return;
    conn *c = st->conns;
    while (c != NULL) {
        conn *next = c->next;
        conn_close(c);
        c = next;
    }
    pthread_key_delete(st->key);
    pthread_mutex_destroy(&st->lock);
    free(st->path);
    free(st);
}
