/* The store (see store.h) over a database driver (db.h: SQLite or
 * PostgreSQL, chosen by the target's form): connections, the statement
 * cache, transactions, opening and migrations. The rest is by concern:
 * sqlite_records.c (records and lists), sqlite_deal.c (history, checklists,
 * playbooks, forms, settings), sqlite_reports.c, sqlite_access.c (people,
 * visibility, credentials, the deal team, the audit log). Their SQL is
 * written once, in what both databases understand.
 *
 * One connection per thread, opened on the thread's first call and kept in
 * thread-specific data; each connection caches its prepared statements in a
 * small hash table keyed by a number that names the statement's shape, so
 * SQL text is composed at most once per shape and connection. Values are
 * always bound, never written into SQL. The connections of a store are as
 * many as the threads that use it (a server's workers, its hashing threads
 * and its main thread): a bounded number, closed with the store. */
#include "store/store.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/embedded.h"
#include "store/sqlite.h"

extern const embedded_file store_migration_files[];
extern const embedded_file store_migration_files_pg[];

typedef struct checkpointer checkpointer;

/* ---- connections and the statement cache ---------------------------------- */

struct store {
    char *path;
    store_options opt;
    pthread_key_t key;
    pthread_mutex_t lock; /* guards conns (the list, not the connections) */
    conn *conns;
    /* Held by the thread whose connection has a write transaction open, from
     * BEGIN IMMEDIATE to COMMIT or ROLLBACK: this process's writers queue
     * here and hand the database over without sleeping in SQLite's busy
     * handler (which stays, for other processes writing the same file). */
    pthread_mutex_t write_lock;
    sq_sync *sync; /* group commit (sqlite_sync.c), or NULL when commits are not waited for */
    /* Batching (SQLite with group commit; see "transactions" below): every
     * write transaction of the process runs on writer, inside the open
     * batch; the threads' own connections only read. */
    bool batching;
    conn *writer;
    sq_batch *batch;
    bool batch_open;    /* writer is inside a batch's transaction (under write_lock) */
    int batch_members;  /* write transactions in it (under write_lock) */
    int64_t tx_changes; /* the writer's changes when the current one began */
    int schema_version;
    checkpointer *ckpt; /* a bulk load's checkpoints (SQLite), or NULL */
};

/* The store whose write_lock this thread holds (batching): its statements
 * run on the store's writer connection until it lets go. */
static _Thread_local store *held_writes;

bf_result sq_db_error(bf_error *err, db_conn *db, int rc, const char *what)
{
    (void)rc;
    db_fault f = db ? db_fault_of(db) : DB_FAULT_OTHER;
    if (f == DB_FAULT_BUSY)
        return bf_fail(err, BF_ERR_BUSY, "busy", NULL, "the database is busy; try again");
    if (f == DB_FAULT_NOMEM)
        return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
    if (f == DB_FAULT_INTERRUPTED)
        return bf_fail(err, BF_ERR_BUSY, "stopped", NULL, "the request was stopped");
    return bf_fail(err, BF_ERR_STORE, "store_error", NULL, "database error in %s: %s", what,
                   db ? db_message(db) : "no connection");
}

/* What follows a commit of this thread: it waits until the commit is on
 * disk, or, deferring, keeps its token for store_sync_take. */
static bf_result after_commit(conn *c, uint64_t token, bf_error *err)
{
    if (c->sync_defer) {
        if (token > c->sync_pending)
            c->sync_pending = token;
        return BF_OK;
    }
    return sq_sync_wait(c->sync, token, err);
}

/* The driver calls this on the committing thread after every commit that
 * wrote to SQLite's WAL, its write lock released (db_on_commit): the commit
 * gets its token; store_commit waits for it once the store's write lock is
 * released; a write outside a transaction (one statement) waits here. */
static int on_wal_commit(void *ctx)
{
    conn *c = ctx;
    uint64_t token = sq_sync_committed(c->sync);
    if (c->in_commit) {
        c->commit_token = token;
        return 0;
    }
    return after_commit(c, token, NULL) == BF_OK ? 0 : 1;
}

/* A bulk load's connection: a page cache of up to a quarter of the
 * machine's memory, at most 4 GiB and at least 1 GiB, which holds the
 * indexes a load of millions of rows writes all over (a million deals make
 * 2.8 GiB; with 1 GiB, pages fell out of the cache and were read again, and
 * the last 100,000 deals of a million went in at half the rate of the
 * first). The log is copied into the database by the checkpointer below, on
 * a thread of its own; without one, by the connection every 64 MiB of log
 * rather than every 4. The cache grows only as pages are read. With
 * synchronous=NORMAL a commit waits for no disk; a checkpoint syncs. */
#define BULK_CACHE_MIN_KIB (1024L * 1024)
#define BULK_CACHE_MAX_KIB (4L * 1024 * 1024)

static long bulk_cache_kib(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    long kib = pages > 0 && page > 0 ? pages / 4 / 1024 * page : 0;
    return kib < BULK_CACHE_MIN_KIB   ? BULK_CACHE_MIN_KIB
           : kib > BULK_CACHE_MAX_KIB ? BULK_CACHE_MAX_KIB
                                      : kib;
}

static int bulk_pragmas(const store *st, db_conn *db)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%ld; PRAGMA wal_autocheckpoint=%d;",
             bulk_cache_kib(), st->ckpt ? 0 : 16384);
    return db_exec(db, sql);
}

/* ---- a bulk load's checkpoints -------------------------------------------- */

/* A bulk load on SQLite copies its log into the database file on a thread
 * and a connection of their own, after each commit: a passive checkpoint,
 * which waits neither for the writer nor the writer for it, so the writing
 * thread goes on meanwhile (on the writer, the checkpoints of a million deals
 * took 5 s of it). SQLite starts the log again from its beginning only when
 * a write transaction begins after a checkpoint caught up with the log;
 * a load's next transaction begins at once, so when the log has grown past
 * CKPT_RESTART_FRAMES pages (1 GiB of 4 KiB pages), the next BEGIN waits for
 * the checkpoint of the last commit first. */
#define CKPT_RESTART_FRAMES 262144

struct checkpointer {
    pthread_t thread;
    pthread_mutex_t lock;    /* guards the fields below */
    pthread_cond_t changed;  /* a commit was made, a checkpoint ran, or stop was set */
    pthread_mutex_t running; /* held while a checkpoint runs (SQLite runs one at a time) */
    db_conn *db;
    db_stmt *passive;
    uint64_t commits; /* commits made */
    uint64_t done;    /* the commits the last checkpoint saw */
    int log_frames;   /* the log's length at the last checkpoint, in pages */
    bool stop;
};

static const char SQL_CKPT_PASSIVE[] = "PRAGMA wal_checkpoint(PASSIVE)";

static void *checkpointer_main(void *arg)
{
    checkpointer *k = arg;
    pthread_mutex_lock(&k->lock);
    for (;;) {
        while (!k->stop && k->done == k->commits)
            pthread_cond_wait(&k->changed, &k->lock);
        if (k->stop)
            break;
        uint64_t seen = k->commits;
        pthread_mutex_unlock(&k->lock);
        /* A failure is not the load's: the log is copied at its end anyway. */
        int log = 0;
        pthread_mutex_lock(&k->running);
        if (db_step(k->passive) == DB_ROW)
            log = db_column_int(k->passive, 1);
        db_reset(k->passive);
        pthread_mutex_unlock(&k->running);
        pthread_mutex_lock(&k->lock);
        k->done = seen;
        k->log_frames = log;
        pthread_cond_broadcast(&k->changed);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

static void checkpointer_free(checkpointer *k)
{
    if (k == NULL)
        return;
    db_finalize(k->passive);
    db_close(k->db);
    pthread_cond_destroy(&k->changed);
    pthread_mutex_destroy(&k->running);
    pthread_mutex_destroy(&k->lock);
    free(k);
}

/* Starts the checkpointer of a bulk load on SQLite; without one (it could
 * not start), the writer's connection checkpoints itself. */
static void checkpointer_start(store *st)
{
    checkpointer *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return;
    pthread_mutex_init(&k->lock, NULL);
    pthread_mutex_init(&k->running, NULL);
    pthread_cond_init(&k->changed, NULL);
    store_options copt = st->opt;
    copt.synchronous_full = false;
    bf_error ignored;
    if (db_open(st->path, &copt, &k->db, &ignored) != BF_OK) {
        k->db = NULL;
        checkpointer_free(k);
        return;
    }
    if (db_prepare(k->db, SQL_CKPT_PASSIVE, sizeof(SQL_CKPT_PASSIVE) - 1, &k->passive) != DB_OK ||
        pthread_create(&k->thread, NULL, checkpointer_main, k) != 0) {
        checkpointer_free(k);
        return;
    }
    st->ckpt = k;
}

/* Stops the checkpointer (after the checkpoint it runs) and frees it. */
static void checkpointer_stop(store *st)
{
    checkpointer *k = st->ckpt;
    if (k == NULL)
        return;
    pthread_mutex_lock(&k->lock);
    k->stop = true;
    pthread_cond_broadcast(&k->changed);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    st->ckpt = NULL;
    checkpointer_free(k);
}

/* A commit was made: its log is to be copied. */
static void checkpointer_poke(checkpointer *k)
{
    if (k == NULL)
        return;
    pthread_mutex_lock(&k->lock);
    k->commits++;
    pthread_cond_broadcast(&k->changed);
    pthread_mutex_unlock(&k->lock);
}

/* Before a write transaction: when the log has grown long, waits until the
 * checkpoint of the last commit ran, so that the transaction's first write
 * starts the log again from its beginning. */
static void checkpointer_catch_up(checkpointer *k)
{
    if (k == NULL)
        return;
    pthread_mutex_lock(&k->lock);
    if (k->log_frames > CKPT_RESTART_FRAMES) {
        while (!k->stop && k->done != k->commits)
            pthread_cond_wait(&k->changed, &k->lock);
        k->log_frames = 0;
    }
    pthread_mutex_unlock(&k->lock);
}

/* Runs a checkpoint of sql on c, not beside the checkpointer's. */
static int checkpoint_alone(store *st, conn *c, const char *sql)
{
    if (st->ckpt != NULL)
        pthread_mutex_lock(&st->ckpt->running);
    int rc = db_exec(c->db, sql);
    if (st->ckpt != NULL)
        pthread_mutex_unlock(&st->ckpt->running);
    return rc;
}

static bf_result conn_open(store *st, bool writes, conn **out, bf_error *err)
{
    conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return BF_ERR_NOMEM;
    /* With group commit, a commit is made durable by the flusher's one
     * fdatasync of the -wal file (sqlite_sync.c), not by the connection. */
    store_options copt = st->opt;
    if (st->sync != NULL || st->opt.bulk_load)
        copt.synchronous_full = false;
    bf_result r = db_open(st->path, &copt, &c->db, err);
    if (r != BF_OK) {
        free(c);
        return r;
    }
    if (st->opt.bulk_load && db_dialect_of(c->db) == DB_SQLITE &&
        bulk_pragmas(st, c->db) != DB_OK) {
        r = sq_db_error(err, c->db, DB_ERROR, "connection set-up");
        db_close(c->db);
        free(c);
        return r;
    }
    /* Batching: a thread's own connection cannot write, so no write
     * bypasses the batch (it would wait in SQLite's busy handler for it). */
    if (st->batching && !writes && db_exec(c->db, "PRAGMA query_only=1") != DB_OK) {
        r = sq_db_error(err, c->db, DB_ERROR, "connection set-up");
        db_close(c->db);
        free(c);
        return r;
    }
    c->sync = st->sync;
    if (c->sync != NULL)
        db_on_commit(c->db, on_wal_commit, c);
    c->nslots = 64;
    c->slots = calloc(c->nslots, sizeof(stmt_slot));
    if (c->slots == NULL) {
        db_close(c->db);
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

/* Finalizes every cached statement of c. */
static void conn_forget_statements(conn *c)
{
    for (size_t i = 0; i < c->nslots; i++) {
        db_finalize(c->slots[i].stmt);
        c->slots[i].stmt = NULL;
    }
    c->used = 0;
}

static void conn_close(conn *c)
{
    conn_forget_statements(c);
    free(c->slots);
    db_close(c->db);
    free(c);
}

/* Before a connection serves anything outside a transaction: one whose
 * server went away is made anew (its statements with it), and a transaction
 * that a failed ROLLBACK left open (SQLite's rollback may need memory) is
 * rolled back: it would hold the write lock and show its writes to reads. */
static bf_result conn_ready(conn *c, bf_error *err)
{
    if (c->tx_depth > 0 || c->reading != NULL)
        return BF_OK;
    if (db_lost(c->db)) {
        conn_forget_statements(c);
        if (db_reconnect(c->db) != DB_OK)
            return sq_db_error(err, c->db, DB_ERROR, "reconnect");
    }
    if (db_in_transaction(c->db) && db_rollback(c->db) != DB_OK)
        return sq_db_error(err, c->db, DB_ERROR, "rollback");
    return BF_OK;
}

/* This thread's own connection to st, opened on first use. */
static bf_result own_conn(store *st, conn **out, bf_error *err)
{
    conn *c = pthread_getspecific(st->key);
    if (c == NULL) {
        bf_result r = conn_open(st, false, &c, err);
        if (r != BF_OK)
            return r;
        if (pthread_setspecific(st->key, c) != 0)
            return BF_ERR_NOMEM; /* c stays on the list and is closed with the store */
    }
    bf_result r = conn_ready(c, err);
    if (r != BF_OK)
        return r;
    *out = c;
    return BF_OK;
}

static void read_own_writes(store *st, conn *own);

bf_result sq_conn(store *st, conn **out, bf_error *err)
{
    if (held_writes == st) {
        *out = st->writer;
        return BF_OK;
    }
    bf_result r = own_conn(st, out, err);
    if (r == BF_OK && (*out)->sync_batch != 0)
        read_own_writes(st, *out);
    return r;
}

static uint64_t hash_key(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static db_stmt **cache_slot(conn *c, stmt_key key)
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

/* The cached statement for key, prepared from build() on first use; reset and
 * with bindings cleared, ready to bind. */
bf_result sq_stmt_get(conn *c, stmt_key key, sql_builder build, const void *ctx, db_stmt **out,
                      bf_error *err)
{
    db_stmt **slot = cache_slot(c, key);
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
            int rc = db_prepare(c->db, buf_cstr(&sql), sql.len, slot);
            if (rc != DB_OK)
                r = sq_db_error(err, c->db, rc, "prepare");
            else
                c->used++;
        }
        arena_free(a);
        if (r != BF_OK)
            return r;
    }
    db_reset(*slot);
    db_clear_bindings(*slot);
    *out = *slot;
    return BF_OK;
}

static bf_result build_static(buf *b, const void *ctx)
{
    return buf_append_str(b, ctx);
}

/* A statement whose SQL is a string constant: the constant's address is the key. */
bf_result sq_stmt_static(conn *c, const char *sql, db_stmt **out, bf_error *err)
{
    return sq_stmt_get(c, (stmt_key){(uint64_t)(uintptr_t)sql, 0}, build_static, sql, out, err);
}

/* This thread's connection and the cached statement of a constant SQL. */
bf_result sq_prepare(store *st, const char *sql, conn **c, db_stmt **s, bf_error *err)
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

const char *sq_column_text(arena *a, db_stmt *s, int col)
{
    const char *t = db_column_text(s, col);
    if (t == NULL)
        return NULL;
    return arena_strndup(a, t, db_column_bytes(s, col));
}

int sq_bind_text(db_stmt *s, int idx, const char *t)
{
    return db_bind_text(s, idx, t);
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

bf_result sq_collect(conn *c, db_stmt *s, arena *a, size_t size, sq_row_reader read,
                     const char *what, void **out, size_t *n, bf_error *err)
{
    size_t cap = 16, count = 0;
    char *items = NULL;
    int rc = DB_DONE;
    while ((items = sq_arena_grow(a, items, count, &cap, size)) != NULL &&
           (rc = db_step(s)) == DB_ROW)
        read(a, s, items + size * count++);
    db_reset(s);
    if (items == NULL)
        return BF_ERR_NOMEM;
    if (rc != DB_DONE)
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
    db_fault f = db_fault_of(c->db);
    const char *column = db_fault_column(c->db);
    if (f == DB_FAULT_FOREIGN_KEY)
        return bf_fail(err, BF_ERR_CONFLICT, "in_use", NULL,
                       "other records still refer to this one; remove or move them first");
    if (f == DB_FAULT_UNIQUE && column != NULL)
        return bf_fail(err, BF_ERR_CONFLICT, "duplicate", column,
                       "%s is taken already: it must be unique", column);
    if (f == DB_FAULT_UNIQUE || f == DB_FAULT_CONSTRAINT)
        return bf_fail(err, BF_ERR_CONFLICT, "constraint", NULL, "%s: %s", what, db_message(c->db));
    return sq_db_error(err, c->db, rc, what);
}

/* ---- transactions ------------------------------------------------------------ */

/* The driver's transactions (db_begin): write transactions run one at a
 * time across every connection to the database, so "read, decide, write"
 * (a version checked, then written) cannot interleave.
 *
 * Batching (SQLite with group commit, so a server and the command line on a
 * database file): a commit writes every page it changed to the log, some
 * forty for a new deal, and most of a small write's cost is there; so the
 * write transactions of this process run one after the other on one
 * connection (the writer), each in a savepoint of its own, inside a shared
 * SQLite transaction, the batch. A transaction that ends on a thread that
 * can answer later (deferring, see store_sync_defer) releases its savepoint
 * into the batch, leaves it open, and its thread gets the batch's number as
 * its ticket; the group commit's flusher commits the batch just before its
 * next flush (commit_for_flusher), so the batch holds whatever was written
 * while the previous flush was on the disk. The BATCH_MAX-th transaction,
 * or one on a thread that cannot wait (the command line), commits it
 * itself. Every transaction in a batch becomes durable with its one commit,
 * or fails with it.
 * A transaction that fails is rolled back to its savepoint alone. Nothing is
 * acknowledged before its batch is on disk (sqlite_batch.c), and a thread
 * that reads after leaving a write in the open batch commits the batch
 * first (read_own_writes), so it reads what it wrote. */

enum { BATCH_MAX = 64 };

static const char SQL_TX_SAVEPOINT[] = "SAVEPOINT tx";
static const char SQL_TX_RELEASE[] = "RELEASE tx";
static const char SQL_TX_ROLLBACK[] = "ROLLBACK TO tx";

/* Runs one statement of its own (no values) on the connection. */
static bf_result run_simple(conn *c, const char *sql, bf_error *err)
{
    return db_exec(c->db, sql) == DB_OK ? BF_OK : sq_db_error(err, c->db, DB_ERROR, sql);
}

static void writes_lock(store *st)
{
    pthread_mutex_lock(&st->write_lock);
    held_writes = st;
}

static void writes_unlock(store *st)
{
    held_writes = NULL;
    pthread_mutex_unlock(&st->write_lock);
}

/* Commits the open batch (write_lock held) and ends it; *token is its
 * commit's token, 0 when it wrote nothing. */
static bf_result batch_commit(store *st, uint64_t *token, bf_error *err)
{
    conn *w = st->writer;
    w->commit_token = 0;
    w->in_commit = true;
    bf_result r = BF_OK;
    if (db_commit(w->db) != DB_OK) {
        r = sq_db_error(err, w->db, DB_ERROR, "COMMIT");
        if (db_in_transaction(w->db))
            db_rollback(w->db);
    }
    w->in_commit = false;
    *token = r == BF_OK ? w->commit_token : 0;
    st->batch_open = false;
    st->batch_members = 0;
    sq_batch_end(st->batch, r == BF_OK, *token);
    return r;
}

/* Undoes the writes of the current transaction in the batch: back to its
 * savepoint, or the whole batch when that fails (then it fails). */
static void batch_undo(conn *w)
{
    if (!db_in_transaction(w->db))
        return;
    if (w->tx_alone || db_exec(w->db, SQL_TX_ROLLBACK) != DB_OK ||
        db_exec(w->db, SQL_TX_RELEASE) != DB_OK)
        db_rollback(w->db);
}

/* The end of a write transaction in the batch (write_lock held, its
 * savepoint released into the batch when kept, else undone): leaves the
 * batch open for the flusher to commit, or commits it; lets go of the lock. */
static bf_result batch_leave(store *st, conn *own, bool kept, bf_error *err)
{
    conn *w = st->writer;
    if (st->batch_open && !db_in_transaction(w->db)) {
        /* SQLite rolled the batch back (a failed statement may): every
         * transaction in it is lost, and told so. */
        st->batch_open = false;
        st->batch_members = 0;
        sq_batch_end(st->batch, false, 0);
        writes_unlock(st);
        return kept ? bf_fail(err, BF_ERR_STORE, "store_error", NULL,
                              "the transaction was rolled back by the database")
                    : BF_OK;
    }
    if (st->batch_members < BATCH_MAX && (!kept || own->sync_defer)) {
        if (kept && db_total_changes(w->db) != st->tx_changes) /* else nothing to wait for */
            own->sync_batch = sq_batch_current(st->batch);
        writes_unlock(st);
        sq_sync_kick(st->sync);
        return BF_OK;
    }
    uint64_t token = 0;
    bf_result r = st->batch_open ? batch_commit(st, &token, err) : BF_OK;
    writes_unlock(st);
    if (r == BF_OK && kept && token != 0)
        r = after_commit(own, token, err);
    return kept ? r : BF_OK;
}

/* The flusher's call, before its next flush: the open batch commits. */
static void commit_for_flusher(void *ctx)
{
    store *st = ctx;
    uint64_t token;
    writes_lock(st);
    if (st->batch_open)
        batch_commit(st, &token, NULL); /* a failure reaches the batch's tickets */
    writes_unlock(st);
}

/* A read on this thread's own connection after it left a write in the open
 * batch: the batch commits first, so the read sees the write. */
static void read_own_writes(store *st, conn *own)
{
    uint64_t token;
    if (sq_batch_state_of(st->batch, own->sync_batch, &token) != SQ_BATCH_OPEN)
        return;
    writes_lock(st);
    if (st->batch_open && sq_batch_current(st->batch) == own->sync_batch)
        batch_commit(st, &token, NULL); /* a failure reaches own's ticket */
    writes_unlock(st);
}

static bf_result batch_begin(store *st, bool alone, bf_error *err)
{
    conn *own;
    bf_result r = own_conn(st, &own, err);
    if (r != BF_OK)
        return r;
    if (sq_sync_failed(st->sync))
        return sq_sync_error(err);
    writes_lock(st);
    if (st->writer == NULL && (r = conn_open(st, true, &st->writer, err)) != BF_OK) {
        writes_unlock(st);
        return r;
    }
    conn *w = st->writer;
    uint64_t token;
    if (alone && st->batch_open && (r = batch_commit(st, &token, err)) != BF_OK) {
        writes_unlock(st);
        return r;
    }
    if (!st->batch_open) {
        if (db_begin(w->db) != DB_OK) {
            r = sq_db_error(err, w->db, DB_ERROR, "BEGIN");
            writes_unlock(st);
            return r;
        }
        st->batch_open = true;
    }
    if (!alone && (r = run_simple(w, SQL_TX_SAVEPOINT, err)) != BF_OK) {
        batch_leave(st, own, false, NULL);
        return r;
    }
    /* Alone, the batch is full: its end commits it. */
    st->batch_members = alone ? BATCH_MAX : st->batch_members + 1;
    w->tx_alone = alone;
    st->tx_changes = db_total_changes(w->db);
    w->tx_depth = 1;
    w->tx_failed = false;
    return BF_OK;
}

static bf_result batch_end(store *st, bool commit, bf_error *err)
{
    conn *w = st->writer;
    conn *own = pthread_getspecific(st->key);
    if (commit && w->tx_failed) {
        batch_undo(w);
        batch_leave(st, own, false, NULL);
        return bf_fail(err, BF_ERR_INTERNAL, NULL, NULL, "transaction was rolled back");
    }
    if (commit) {
        bf_result r = w->tx_alone ? BF_OK : run_simple(w, SQL_TX_RELEASE, err);
        if (r == BF_OK)
            return batch_leave(st, own, true, err);
        batch_undo(w);
        batch_leave(st, own, false, NULL);
        return r;
    }
    batch_undo(w);
    batch_leave(st, own, false, NULL);
    return BF_OK;
}

/* Begins c's transaction outside a batch: one writer at a time. */
static bf_result begin_plain(store *st, conn *c, bf_error *err)
{
    if (st->sync != NULL && sq_sync_failed(st->sync))
        return sq_sync_error(err);
    checkpointer_catch_up(st->ckpt);
    pthread_mutex_lock(&st->write_lock);
    if (db_begin(c->db) != DB_OK) {
        pthread_mutex_unlock(&st->write_lock);
        return sq_db_error(err, c->db, DB_ERROR, "BEGIN");
    }
    c->tx_failed = false;
    return BF_OK;
}

/* store_begin, or store_begin_alone when alone. A large transaction (alone,
 * or any of a bulk load) defers the grams of the records it creates. */
static bf_result begin(store *st, bool alone, bf_error *err)
{
    if (held_writes == st) {
        st->writer->tx_depth++;
        return BF_OK;
    }
    store_read_end(st, NULL);
    bf_result r;
    conn *c;
    if (st->batching) {
        if ((r = batch_begin(st, alone, err)) != BF_OK || !alone)
            return r;
        c = st->writer;
    } else {
        if ((r = sq_conn(st, &c, err)) != BF_OK)
            return r;
        bool outermost = c->tx_depth == 0;
        if (outermost && (r = begin_plain(st, c, err)) != BF_OK)
            return r;
        c->tx_depth++;
        if (!outermost || !(alone || st->opt.bulk_load))
            return BF_OK;
    }
    if ((r = sq_search_defer(c, err)) != BF_OK)
        store_rollback(st);
    return r;
}

bf_result store_begin(store *st, bf_error *err)
{
    return begin(st, false, err);
}

bf_result store_begin_alone(store *st, bf_error *err)
{
    return begin(st, true, err);
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
    if (c->search_defer) { /* the grams that wait go in before the commit */
        r = c->tx_failed ? BF_OK : sq_search_flush(st, c, true, err);
        c->search_defer = false;
        if (r != BF_OK) {
            c->tx_depth++;
            store_rollback(st);
            return r;
        }
    }
    if (st->batching)
        return batch_end(st, true, err);
    if (c->tx_failed) {
        db_rollback(c->db);
        pthread_mutex_unlock(&st->write_lock);
        return bf_fail(err, BF_ERR_INTERNAL, NULL, NULL, "transaction was rolled back");
    }
    c->commit_token = 0;
    c->in_commit = true;
    if (db_commit(c->db) != DB_OK) {
        r = sq_db_error(err, c->db, DB_ERROR, "COMMIT");
        if (db_in_transaction(c->db))
            db_rollback(c->db);
    }
    c->in_commit = false;
    pthread_mutex_unlock(&st->write_lock);
    if (r == BF_OK)
        checkpointer_poke(st->ckpt);
    /* Outside the lock: the next writer commits while this one waits. */
    if (r == BF_OK && c->commit_token != 0)
        r = after_commit(c, c->commit_token, err);
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
    c->search_defer = false;
    c->search_pending = 0;
    if (st->batching) {
        batch_end(st, false, NULL);
        return;
    }
    db_rollback(c->db);
    pthread_mutex_unlock(&st->write_lock);
}

static const char SQL_READ_BEGIN[] = "BEGIN";

bf_result store_read_begin(store *st, const void *owner, bf_error *err)
{
    BF_ASSERT(owner != NULL);
    conn *c;
    if (held_writes == st)
        return BF_OK;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    if (c->reading != NULL && c->reading != owner)
        store_read_end(st, NULL); /* another request's: never read in it */
    if (c->tx_depth > 0 || c->reading != NULL || db_dialect_of(c->db) != DB_SQLITE)
        return BF_OK;
    db_stmt *s;
    if ((r = sq_stmt_static(c, SQL_READ_BEGIN, &s, err)) != BF_OK)
        return r;
    if (db_step(s) != DB_DONE)
        return sq_db_error(err, c->db, DB_ERROR, SQL_READ_BEGIN);
    c->reading = owner;
    return BF_OK;
}

void store_read_end(store *st, const void *owner)
{
    conn *c = pthread_getspecific(st->key);
    if (c == NULL || c->reading == NULL || (owner != NULL && c->reading != owner))
        return;
    c->reading = NULL;
    if (db_in_transaction(c->db) && db_commit(c->db) != DB_OK)
        db_rollback(c->db);
}

/* ---- durability of commits (see sqlite_sync.c) ----------------------------------- */

/* A ticket names a batch (sqlite_batch.c) when this bit is set, else a
 * commit token of the group commit. */
#define TICKET_BATCH (UINT64_C(1) << 63)

bool store_sync_defer(store *st)
{
    conn *c;
    if (st->sync == NULL || own_conn(st, &c, NULL) != BF_OK)
        return false;
    c->sync_defer = true;
    c->sync_pending = 0;
    c->sync_batch = 0;
    return true;
}

uint64_t store_sync_take(store *st)
{
    conn *c = pthread_getspecific(st->key);
    if (c == NULL)
        return 0;
    uint64_t token = c->sync_pending, seq = c->sync_batch, batch_token;
    c->sync_defer = false;
    c->sync_pending = 0;
    c->sync_batch = 0;
    if (seq == 0)
        return token;
    if (sq_batch_state_of(st->batch, seq, &batch_token) != SQ_BATCH_COMMITTED)
        return TICKET_BATCH | seq; /* still open, or failed: the batch answers */
    return batch_token > token ? batch_token : token;
}

bf_result store_sync_wait(store *st, uint64_t token, bf_error *err)
{
    if (token & TICKET_BATCH)
        return sq_batch_wait(st->batch, token & ~TICKET_BATCH, err);
    return st->sync != NULL && token != 0 ? sq_sync_wait(st->sync, token, err) : BF_OK;
}

void store_sync_notify(store *st, uint64_t token, store_waiter *w)
{
    if (token & TICKET_BATCH)
        sq_batch_notify(st->batch, token & ~TICKET_BATCH, w);
    else if (st->sync != NULL && token != 0)
        sq_sync_notify(st->sync, token, w);
    else
        w->done(w->ctx, true);
}

static const char SQL_SAVEPOINT[] = "SAVEPOINT bulk_line";
static const char SQL_SAVEPOINT_RELEASE[] = "RELEASE bulk_line";
static const char SQL_SAVEPOINT_ROLLBACK[] = "ROLLBACK TO bulk_line";

bool store_failure_spoils_transaction(store *st)
{
    conn *c;
    return sq_conn(st, &c, NULL) == BF_OK && db_dialect_of(c->db) == DB_POSTGRES;
}

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
    /* PostgreSQL's commits are durable as they are made. */
    if (db_dialect_of(c->db) != DB_SQLITE)
        return BF_OK;
    /* A reader that still uses the log leaves part of it uncopied (the
     * pragma's answer says so); the log was synced before the copy. */
    static const char sql[] = "PRAGMA wal_checkpoint(TRUNCATE)";
    return checkpoint_alone(st, c, sql) == DB_OK ? BF_OK : sq_db_error(err, c->db, DB_ERROR, sql);
}

long store_bulk_batch(store *st)
{
    return db_target_is_postgres(st->path) ? 1000 : 100000;
}

/* ---- a bulk load into an empty table ------------------------------------------------- */

#define DEFER_MAX 64
#define SL_BUILD_CACHE_KIB "12288" /* a connection's usual cache (db_sqlite.c) */

static const char SQL_DEALS_EXIST[] = "SELECT EXISTS (SELECT 1 FROM opportunities)";
static const char SQL_DEFER_KEEP[] =
    "INSERT INTO deferred_indexes (name, sql) SELECT name, sql FROM sqlite_master "
    "WHERE type = 'index' AND tbl_name IN ('opportunities', 'search_grams') AND sql IS NOT NULL "
    "AND sql NOT LIKE 'CREATE UNIQUE%'";
static const char SQL_DEFERRED[] = "SELECT name, sql FROM deferred_indexes ORDER BY name";
static const char SQL_INDEX_EXISTS[] =
    "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1)";
static const char SQL_DEFER_FORGET[] = "DELETE FROM deferred_indexes WHERE name = ?1";

/* The first column of sql's first row as an integer (with text ?1). */
static int query_int(conn *c, const char *sql, const char *text, int64_t *out)
{
    db_stmt *s;
    int rc = db_prepare(c->db, sql, strlen(sql), &s);
    if (rc != DB_OK)
        return rc;
    if (text)
        db_bind_text(s, 1, text);
    rc = db_step(s);
    *out = rc == DB_ROW ? db_column_int64(s, 0) : 0;
    db_finalize(s);
    return rc == DB_ERROR ? rc : DB_OK;
}

/* The deferred indexes' names and definitions (copies in names[], sqls[]). */
static int deferred_list(conn *c, char **names, char **sqls, size_t *n)
{
    db_stmt *s;
    *n = 0;
    int rc = db_prepare(c->db, SQL_DEFERRED, sizeof(SQL_DEFERRED) - 1, &s);
    if (rc != DB_OK)
        return rc;
    while (*n < DEFER_MAX && (rc = db_step(s)) == DB_ROW) {
        names[*n] = strdup(db_column_text(s, 0));
        sqls[*n] = strdup(db_column_text(s, 1));
        if (names[*n] == NULL || sqls[*n] == NULL) {
            free(names[*n]);
            free(sqls[*n]);
            rc = DB_ERROR;
            break;
        }
        (*n)++;
    }
    db_finalize(s);
    return rc == DB_ERROR ? DB_ERROR : DB_OK;
}

static void deferred_free(char **names, char **sqls, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
        free(sqls[i]);
    }
}

/* In a transaction: drops each deferred index. */
static int deferred_drop(conn *c)
{
    char *names[DEFER_MAX], *sqls[DEFER_MAX];
    size_t n;
    int rc = deferred_list(c, names, sqls, &n);
    for (size_t i = 0; rc == DB_OK && i < n; i++) {
        char sql[160];
        /* The names come from the schema: letters, digits and _. */
        int len = snprintf(sql, sizeof(sql), "DROP INDEX IF EXISTS \"%s\"", names[i]);
        rc = len > 0 && (size_t)len < sizeof(sql) ? db_exec(c->db, sql) : DB_ERROR;
    }
    deferred_free(names, sqls, n);
    return rc;
}

bf_result store_bulk_defer_indexes(store *st, bool *deferred, bf_error *err)
{
    *deferred = false;
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK || db_dialect_of(c->db) != DB_SQLITE)
        return r;
    if (db_begin(c->db) != DB_OK)
        return sq_db_error(err, c->db, DB_ERROR, "BEGIN");
    int64_t deals = 1;
    int rc = query_int(c, SQL_DEALS_EXIST, NULL, &deals);
    if (rc == DB_OK && deals == 0) {
        rc = db_exec(c->db, SQL_DEFER_KEEP);
        if (rc == DB_OK)
            rc = deferred_drop(c);
    }
    if (rc == DB_OK && db_commit(c->db) == DB_OK) {
        *deferred = deals == 0;
        return BF_OK;
    }
    r = sq_db_error(err, c->db, DB_ERROR, "deferring the deals' indexes");
    db_rollback(c->db);
    return r;
}

/* Builds one deferred index (unless it is there) and forgets it, in a
 * transaction of its own: the log then holds one index at a time. */
static int build_one(conn *c, const char *name, const char *sql)
{
    int64_t exists;
    db_stmt *s;
    int rc = db_begin(c->db);
    if (rc == DB_OK)
        rc = query_int(c, SQL_INDEX_EXISTS, name, &exists);
    if (rc == DB_OK && !exists)
        rc = db_exec(c->db, sql);
    if (rc == DB_OK)
        rc = db_prepare(c->db, SQL_DEFER_FORGET, sizeof(SQL_DEFER_FORGET) - 1, &s);
    if (rc == DB_OK) {
        db_bind_text(s, 1, name);
        rc = db_step(s) == DB_DONE ? DB_OK : DB_ERROR;
        db_finalize(s);
    }
    if (rc == DB_OK)
        rc = db_commit(c->db);
    return rc;
}

bf_result store_bulk_build_indexes(store *st, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK || db_dialect_of(c->db) != DB_SQLITE)
        return r;
    char *names[DEFER_MAX], *sqls[DEFER_MAX];
    size_t n;
    if (deferred_list(c, names, sqls, &n) != DB_OK)
        return sq_db_error(err, c->db, DB_ERROR, "reading deferred_indexes");
    /* A small page cache, a second thread to sort and the sort's runs in
     * temporary files, over a table copied into the database file: at a
     * million deals the 21 indexes took 18.7 s so; 33 s with the bulk load's
     * cache of 4 GiB and its temp_store in memory. */
    int rc = n ? db_exec(c->db, "PRAGMA cache_size=-" SL_BUILD_CACHE_KIB
                                "; PRAGMA threads=2; PRAGMA temp_store=FILE")
               : DB_OK;
    /* The table is read from the database file, not looked up in the log. */
    if (rc == DB_OK && n)
        rc = checkpoint_alone(st, c, "PRAGMA wal_checkpoint(TRUNCATE)");
    for (size_t i = 0; rc == DB_OK && i < n; i++)
        if ((rc = build_one(c, names[i], sqls[i])) == DB_OK)
            checkpointer_poke(st->ckpt);
    if (rc != DB_OK) {
        r = sq_db_error(err, c->db, DB_ERROR, "building the deferred indexes");
        if (db_in_transaction(c->db))
            db_rollback(c->db);
    }
    if (n)
        db_exec(c->db, "PRAGMA threads=0; PRAGMA temp_store=MEMORY");
    if (n && st->opt.bulk_load)
        bulk_pragmas(st, c->db);
    deferred_free(names, sqls, n);
    return r;
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

/* How lists of deals are read: how many deals seen aside make the walk of
 * the sort's index worth it (store_options.aside_walk_from), and whether
 * one way is forced (store_options.deals_read). */
static int aside_walk_from(const store *st)
{
    return st->opt.aside_walk_from > 0 ? st->opt.aside_walk_from : 4000;
}

int sq_deals_read_choice(const store *st, int64_t persons, int64_t own, int64_t total,
                         int64_t aside, int limit, bool owner_filter)
{
    switch (st->opt.deals_read) {
    case STORE_DEALS_READ_BY_MEMBERS:
        return aside > 0 ? SQ_ASIDE_BY_MEMBERS : SQ_ASIDE_NONE;
    case STORE_DEALS_READ_ASIDE_WALK:
        return aside > 0 ? SQ_ASIDE_WALK : SQ_ASIDE_NONE;
    case STORE_DEALS_READ_WALK_ALL:
        return SQ_WALK_ALL;
    case STORE_DEALS_READ_AUTO:
        break;
    }
    /* An owner named: that owner's index leads, and each deal is checked. */
    if (owner_filter)
        return SQ_WALK_ALL;
    /* Rows each way reads for a page, were the deals spread evenly over
     * the sort: a page per person and the deals aside (all of them, or
     * those the walk passes), or one walk of every deal. */
    double page = limit + 1, seen = (double)(own + aside);
    int mode = aside == 0                    ? SQ_ASIDE_NONE
               : aside < aside_walk_from(st) ? SQ_ASIDE_BY_MEMBERS
                                             : SQ_ASIDE_WALK;
    double by_people = (double)persons * page + (mode == SQ_ASIDE_NONE ? 0.0
                                                 : mode == SQ_ASIDE_BY_MEMBERS
                                                     ? (double)aside
                                                     : page * (double)total / (double)aside);
    double walk_all = seen > 0 ? page * (double)total / seen : (double)total;
    return walk_all < by_people ? SQ_WALK_ALL : mode;
}

/* The migrations written for the connection's database: the same versions
 * in both dialects (src/store/migrations/, src/store/migrations_pg/). */
static const embedded_file *migrations_of(const conn *c)
{
    return db_dialect_of(c->db) == DB_POSTGRES ? store_migration_files_pg : store_migration_files;
}

static const char SQL_SCHEMA_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at TEXT NOT NULL)";
static const char SQL_SCHEMA_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
static const char SQL_SCHEMA_APPLIED[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";

/* Runs a statement of the migrations once, not cached: a statement prepared
 * in a transaction that is rolled back may name a table that is not there.
 * With version set, binds it, name and the time as ?1..?3; *out gets the
 * first column of its row, if any. */
static int run_once(conn *c, const char *sql, int version, const char *name, int *out)
{
    db_stmt *s;
    int rc = db_prepare(c->db, sql, strlen(sql), &s);
    if (rc != DB_OK)
        return rc;
    char now[32];
    store_now(now, sizeof(now));
    if (name != NULL) {
        db_bind_int64(s, 1, version);
        db_bind_text(s, 2, name);
        db_bind_text(s, 3, now);
    }
    rc = db_step(s);
    if (rc == DB_ROW && out != NULL)
        *out = db_column_int(s, 0);
    db_finalize(s);
    return rc == DB_ERROR ? rc : DB_OK;
}

/* In a write transaction: reads the version the database is at and, when it
 * is below target, applies the next migration. *current gets the version
 * afterwards and *applied whether a migration was applied. */
static bf_result migrate_step(conn *c, int target, int *current, bool *applied, bf_error *err)
{
    *applied = false;
    if (db_exec(c->db, SQL_SCHEMA_TABLE) != DB_OK ||
        run_once(c, SQL_SCHEMA_VERSION, 0, NULL, current) != DB_OK)
        return sq_db_error(err, c->db, DB_ERROR, "schema version");
    int latest = store_schema_latest();
    if (*current > latest)
        return bf_fail(err, BF_ERR_STORE, "schema_too_new", NULL,
                       "the database is at schema version %d but this bingfa knows only up to "
                       "%d; use a newer bingfa",
                       *current, latest);
    if (*current >= target)
        return BF_OK;
    /* The next migration is the lowest version above the database's: the
     * numbers may leave a gap where a version was given to a change that
     * is not in this tree. */
    const embedded_file *files = migrations_of(c), *m = NULL;
    for (size_t i = 0; files[i].name != NULL; i++) {
        int version = migration_version(files[i].name);
        if (version > *current && version <= target &&
            (m == NULL || version < migration_version(m->name)))
            m = &files[i];
    }
    if (m == NULL)
        return bf_fail(err, BF_ERR_STORE, "migration_missing", NULL,
                       "schema migration %d is missing", *current + 1);
    int v = migration_version(m->name);
    if (db_exec(c->db, m->data) != DB_OK ||
        run_once(c, SQL_SCHEMA_APPLIED, v, m->name, NULL) != DB_OK)
        return bf_fail(err, BF_ERR_STORE, "migration_failed", NULL, "migration %s failed: %s",
                       m->name, db_message(c->db));
    *current = v;
    *applied = true;
    return BF_OK;
}

/* Applies each migration newer than the database, each in one transaction.
 * Migrations only add: they never drop or rewrite what is there. Each
 * transaction reads the version again, so processes that open one database
 * at the same moment apply each migration once. */
static bf_result migrate(store *st, conn *c, bf_error *err)
{
    int latest = store_schema_latest();
    int target =
        st->opt.migrate_to > 0 && st->opt.migrate_to < latest ? st->opt.migrate_to : latest;
    int current = 0;
    for (bool applied = true; applied;) {
        if (db_begin(c->db) != DB_OK)
            return sq_db_error(err, c->db, DB_ERROR, "migrations");
        bf_result r = migrate_step(c, target, &current, &applied, err);
        if (r == BF_OK && db_commit(c->db) != DB_OK)
            r = sq_db_error(err, c->db, DB_ERROR, "migrations");
        if (r != BF_OK) {
            if (db_in_transaction(c->db))
                db_rollback(c->db);
            return r;
        }
    }
    st->schema_version = current < target ? current : target;
    return BF_OK;
}

/* Every field of every resource must be a column: a mismatch between the
 * field tables and the migrations is found at start, not on a request. */
static bf_result check_columns(conn *c, bf_error *err)
{
    for (size_t k = 0; resource_all[k] != NULL; k++) {
        const resource_spec *spec = resource_all[k];
        for (size_t i = 0; i < spec->nfields; i++) {
            bool has = false;
            if (db_has_column(c->db, spec->name, spec->fields[i].name, &has) != DB_OK)
                return sq_db_error(err, c->db, DB_ERROR, "schema check");
            if (!has)
                return bf_fail(err, BF_ERR_STORE, "schema_mismatch", spec->fields[i].name,
                               "table %s has no column %s", spec->name, spec->fields[i].name);
        }
    }
    return BF_OK;
}

/* Writes from now on go through the batch: this thread's connection, opened
 * to migrate, becomes one that only reads, as every other one will. */
static bf_result batching_start(store *st, conn *c, bf_error *err)
{
    bf_result r = sq_batch_new(st->sync, &st->batch);
    if (r != BF_OK)
        return r;
    if (db_exec(c->db, "PRAGMA query_only=1") != DB_OK)
        return sq_db_error(err, c->db, DB_ERROR, "connection set-up");
    st->batching = true;
    sq_sync_set_committer(st->sync, commit_for_flusher, st);
    return BF_OK;
}

static void conn_release(void *p)
{
    (void)p; /* connections are closed with the store, not when a thread ends */
}

bool store_is_postgres(const char *path)
{
    return db_target_is_postgres(path);
}

void store_describe(const char *path, char *out, size_t cap)
{
    db_target_display(path, out, cap);
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
    pthread_mutex_init(&st->write_lock, NULL);
    if (pthread_key_create(&st->key, conn_release) != 0) {
        free(st->path);
        free(st);
        return BF_ERR_NOMEM;
    }
    conn *c;
    bf_result r = db_create(path, err);
    /* Group commit needs the -wal file's name: a plain path, not a URI. A
     * SQLite URI's commits stay synchronous=FULL, each fsynced under the
     * lock; PostgreSQL groups commits itself. */
    bool plain = path[0] != '\0' && strcmp(path, ":memory:") != 0 &&
                 strncmp(path, "file:", 5) != 0 && !db_target_is_postgres(path);
    if (r == BF_OK && st->opt.synchronous_full && !st->opt.bulk_load && plain)
        r = sq_sync_open(path, &st->sync, err);
    if (r == BF_OK)
        r = sq_conn(st, &c, err);
    if (r == BF_OK)
        r = migrate(st, c, err);
    if (r == BF_OK && st->schema_version == store_schema_latest())
        r = check_columns(c, err);
    if (r == BF_OK && st->schema_version == store_schema_latest())
        r = sq_fill_name_keys(c->db, err);
    /* A bulk load that stopped before its end leaves no index missing. */
    if (r == BF_OK && st->schema_version == store_schema_latest())
        r = store_bulk_build_indexes(st, err);
    if (r == BF_OK && st->sync != NULL)
        r = batching_start(st, c, err);
    if (r == BF_OK && st->opt.bulk_load && plain) {
        checkpointer_start(st);
        if (st->ckpt != NULL && bulk_pragmas(st, c->db) != DB_OK)
            r = sq_db_error(err, c->db, DB_ERROR, "connection set-up");
    }
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
    if (st->batching) { /* no writer is left; still, nothing is dropped */
        uint64_t token;
        writes_lock(st);
        if (st->batch_open)
            batch_commit(st, &token, NULL);
        writes_unlock(st);
    }
    checkpointer_stop(st);
    sq_sync_close(st->sync);
    sq_batch_free(st->batch);
    conn *c = st->conns;
    while (c != NULL) {
        conn *next = c->next;
        conn_close(c);
        c = next;
    }
    pthread_key_delete(st->key);
    pthread_mutex_destroy(&st->lock);
    pthread_mutex_destroy(&st->write_lock);
    free(st->path);
    free(st);
}
