/* The SQLite backend of the store (see store.h).
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
    return bf_fail(err, BF_ERR_STORE, "store_error", NULL, "database error in %s: %s", what,
                   db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static int exec_sql(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

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
    char pragmas[256];
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=%s;"
             "PRAGMA temp_store=MEMORY;",
             st->opt.synchronous_full ? "FULL" : "NORMAL");
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

void store_now(char *out, size_t cap)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    int ms = (int)((ts.tv_nsec / 1000000L) % 1000);
    snprintf(out + n, cap - n, ".%03dZ", ms);
}

/* A random id such as "opp_4k9x…": prefix, underscore, 26 base32 characters. */
char *sq_new_id(arena *a, const char *prefix)
{
    static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
    unsigned char raw[16];
    randombytes_buf(raw, sizeof(raw));
    char tail[27];
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0, i = 0;
    while (n < 26) {
        if (bits < 5) {
            acc = (acc << 8) | (i < sizeof(raw) ? raw[i] : 0);
            i++;
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
    return t ? sqlite3_bind_text(s, idx, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, idx);
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

/* ---- transactions ------------------------------------------------------------ */

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

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

/* ---- statement shapes of the record functions -------------------------------- */

enum stmt_kind {
    K_GET = 1,
    K_INSERT,
    K_UPDATE,
    K_DELETE,
    K_EXISTS,
    K_LIST,
    K_LISTED,    /* is an id inside another resource's id list? options = field index */
    K_SET_WHERE, /* bulk update of one field; options = set field, filters = where field */
    K_FUNNEL,    /* the funnel report; options = owner filter, viewer shape */
    K_VISIBLE,   /* does the viewer see a record? options = viewer shape */
    K_FORECAST,  /* open deals by month of expected close; options = viewer shape */
    K_STALLED,   /* open deals without a stage change since; options = viewer shape */
};

static int resource_index(const resource_spec *spec)
{
    for (int i = 0; resource_all[i] != NULL; i++)
        if (resource_all[i] == spec)
            return i;
    BF_ASSERT(!"unknown resource");
    return -1;
}

/* Composed shapes have the top bit set; static ones are addresses, below it. */
static stmt_key shape_key(enum stmt_kind kind, const resource_spec *spec, uint64_t options,
                          uint64_t filters)
{
    stmt_key k = {(1ULL << 63) | ((uint64_t)kind << 48) | ((uint64_t)resource_index(spec) << 40) |
                      (options & 0xffffffffffULL),
                  filters};
    return k;
}

static bf_result append_columns(buf *b, const resource_spec *spec)
{
    bf_result r = buf_append_str(b, "id, version, created_at, updated_at");
    for (size_t i = 0; i < spec->nfields && r == BF_OK; i++)
        r = buf_printf(b, ", %s", spec->fields[i].name);
    return r;
}

static bf_result build_get(buf *b, const void *ctx)
{
    const resource_spec *spec = ctx;
    bf_result r = buf_append_str(b, "SELECT ");
    if (r == BF_OK)
        r = append_columns(b, spec);
    if (r == BF_OK)
        r = buf_printf(b, " FROM %s WHERE id = ?1", spec->name);
    return r;
}

static bf_result build_insert(buf *b, const void *ctx)
{
    const resource_spec *spec = ctx;
    bf_result r = buf_printf(b, "INSERT INTO %s (", spec->name);
    if (r == BF_OK)
        r = append_columns(b, spec);
    if (r == BF_OK)
        r = buf_append_str(b, ") VALUES (?1, ?2, ?3, ?4");
    for (size_t i = 0; i < spec->nfields && r == BF_OK; i++)
        r = buf_printf(b, ", ?%zu", i + 5);
    if (r == BF_OK)
        r = buf_append_str(b, ")");
    return r;
}

static bf_result build_update(buf *b, const void *ctx)
{
    const resource_spec *spec = ctx;
    bf_result r = buf_printf(b, "UPDATE %s SET version = version + 1, updated_at = ?4", spec->name);
    for (size_t i = 0; i < spec->nfields && r == BF_OK; i++)
        r = buf_printf(b, ", %s = ?%zu", spec->fields[i].name, i + 5);
    if (r == BF_OK)
        r = buf_append_str(b, " WHERE id = ?1 AND version = ?2");
    return r;
}

static bf_result build_delete(buf *b, const void *ctx)
{
    const resource_spec *spec = ctx;
    return buf_printf(b, "DELETE FROM %s WHERE id = ?1 AND version = ?2", spec->name);
}

static bf_result build_exists(buf *b, const void *ctx)
{
    const resource_spec *spec = ctx;
    return buf_printf(b, "SELECT version FROM %s WHERE id = ?1", spec->name);
}

typedef struct field_ref {
    const resource_spec *spec;
    size_t field;
    size_t where; /* for K_SET_WHERE */
} field_ref;

static bf_result build_listed(buf *b, const void *ctx)
{
    const field_ref *fr = ctx;
    const char *col = fr->spec->fields[fr->field].name;
    return buf_printf(b,
                      "SELECT 1 FROM %s WHERE EXISTS (SELECT 1 FROM json_each(%s.%s) "
                      "WHERE value = ?1) LIMIT 1",
                      fr->spec->name, fr->spec->name, col);
}

static bf_result build_set_where(buf *b, const void *ctx)
{
    const field_ref *fr = ctx;
    return buf_printf(b,
                      "UPDATE %s SET %s = ?1, version = version + 1, updated_at = ?3 "
                      "WHERE %s = ?2 AND %s IS NOT ?1",
                      fr->spec->name, fr->spec->fields[fr->field].name,
                      fr->spec->fields[fr->where].name, fr->spec->fields[fr->field].name);
}

/* An id list (FIELD_REF_LIST) cannot hold a foreign key, so deleting a
 * record that such a list names is refused here, as a foreign key would. */
static bf_result check_not_listed(conn *c, const resource_spec *spec, const char *id, bf_error *err)
{
    for (size_t k = 0; resource_all[k] != NULL; k++) {
        const resource_spec *other = resource_all[k];
        for (size_t i = 0; i < other->nfields; i++) {
            const field_spec *f = &other->fields[i];
            if (f->type != FIELD_REF_LIST || strcmp(f->ref, spec->name) != 0)
                continue;
            field_ref fr = {other, i, 0};
            sqlite3_stmt *s;
            bf_result r =
                sq_stmt_get(c, shape_key(K_LISTED, other, i, 0), build_listed, &fr, &s, err);
            if (r != BF_OK)
                return r;
            sq_bind_text(s, 1, id);
            int rc = sqlite3_step(s);
            sqlite3_reset(s);
            if (rc == SQLITE_ROW)
                return bf_fail(err, BF_ERR_CONFLICT, "in_use", NULL,
                               "this %s is named in the %s of %s; remove it there first",
                               spec->singular, f->name, other->name);
            if (rc != SQLITE_DONE)
                return sq_db_error(err, c->db, rc, "delete check");
        }
    }
    return BF_OK;
}

static void read_record(arena *a, sqlite3_stmt *s, record *rec)
{
    rec->id = sq_column_text(a, s, 0);
    rec->version = sqlite3_column_int64(s, 1);
    rec->created_at = sq_column_text(a, s, 2);
    rec->updated_at = sq_column_text(a, s, 3);
    for (size_t i = 0; i < rec->spec->nfields; i++) {
        field_value *v = &rec->values[i];
        int col = (int)i + 4;
        v->present = true;
        v->null = sqlite3_column_type(s, col) == SQLITE_NULL;
        if (v->null)
            continue;
        field_type t = rec->spec->fields[i].type;
        if (FIELD_IS_INTEGER(t))
            v->i = sqlite3_column_int64(s, col);
        else
            v->s = sq_column_text(a, s, col);
    }
}

static int bind_fields(sqlite3_stmt *s, const record *rec)
{
    int rc = SQLITE_OK;
    for (size_t i = 0; i < rec->spec->nfields && rc == SQLITE_OK; i++) {
        const field_value *v = &rec->values[i];
        int idx = (int)i + 5;
        field_type t = rec->spec->fields[i].type;
        if (v->null || !v->present)
            rc = sqlite3_bind_null(s, idx);
        else if (FIELD_IS_INTEGER(t))
            rc = sqlite3_bind_int64(s, idx, v->i);
        else
            rc = sq_bind_text(s, idx, v->s);
    }
    return rc;
}

/* Version of spec's record id: 1+ when it exists, 0 when not. */
static bf_result record_version(conn *c, const resource_spec *spec, const char *id,
                                int64_t *version, bf_error *err)
{
    sqlite3_stmt *s;
    bf_result r = sq_stmt_get(c, shape_key(K_EXISTS, spec, 0, 0), build_exists, spec, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int64(s, 0);
    else if (rc == SQLITE_DONE)
        *version = 0;
    else
        r = sq_db_error(err, c->db, rc, "exists");
    sqlite3_reset(s);
    return r;
}

/* Every reference of rec must name an existing record: a clear 422 before
 * the foreign keys would refuse the write with a vaguer message. */
static bf_result check_references(conn *c, arena *a, const record *rec, bf_error *err)
{
    for (size_t i = 0; i < rec->spec->nfields; i++) {
        const field_spec *f = &rec->spec->fields[i];
        const field_value *v = &rec->values[i];
        if (!v->present || v->null || (f->type != FIELD_REF && f->type != FIELD_REF_LIST))
            continue;
        const resource_spec *target = resource_by_name(f->ref);
        BF_ASSERT(target != NULL);
        if (f->type == FIELD_REF) {
            int64_t ver;
            bf_result r = record_version(c, target, v->s, &ver, err);
            if (r != BF_OK)
                return r;
            if (ver == 0)
                return bf_fail(err, BF_ERR_INVALID, "unknown_reference", f->name,
                               "%s does not name an existing %s", f->name, target->singular);
            continue;
        }
        json_t *list = json_loads(v->s, 0, NULL);
        if (list == NULL)
            return BF_ERR_NOMEM;
        size_t k;
        json_t *item;
        bf_result r = BF_OK;
        json_array_foreach(list, k, item)
        {
            int64_t ver;
            r = record_version(c, target, json_string_value(item), &ver, err);
            if (r == BF_OK && ver == 0)
                r = bf_fail(err, BF_ERR_INVALID, "unknown_reference", f->name,
                            "%s[%zu] does not name an existing %s", f->name, k, target->singular);
            if (r != BF_OK)
                break;
        }
        json_decref(list);
        if (r != BF_OK)
            return r;
    }
    (void)a;
    return BF_OK;
}

static bf_result constraint_error(bf_error *err, conn *c, int rc, const char *what)
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

/* ---- records ----------------------------------------------------------------- */

static bf_result insert_in_tx(store *st, arena *a, record *rec, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    if ((r = check_references(c, a, rec, err)) != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    if (rec->id == NULL && (rec->id = sq_new_id(a, rec->spec->id_prefix)) == NULL)
        return BF_ERR_NOMEM;
    if ((rec->created_at = arena_strdup(a, now)) == NULL ||
        (rec->updated_at = arena_strdup(a, now)) == NULL)
        return BF_ERR_NOMEM;
    rec->version = 1;
    sqlite3_stmt *s;
    r = sq_stmt_get(c, shape_key(K_INSERT, rec->spec, 0, 0), build_insert, rec->spec, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, rec->id);
    sqlite3_bind_int64(s, 2, rec->version);
    sq_bind_text(s, 3, rec->created_at);
    sq_bind_text(s, 4, rec->updated_at);
    int rc = bind_fields(s, rec);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? BF_OK : constraint_error(err, c, rc, "insert");
}

bf_result store_record_insert(store *st, arena *a, record *rec, bf_error *err)
{
    IN_TRANSACTION(st, err, insert_in_tx(st, a, rec, err));
}

bf_result store_record_get(store *st, arena *a, const resource_spec *spec, const char *id,
                           record **out, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    sqlite3_stmt *s;
    if ((r = sq_stmt_get(c, shape_key(K_GET, spec, 0, 0), build_get, spec, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        record *rec = record_new(a, spec);
        if (rec == NULL) {
            sqlite3_reset(s);
            return BF_ERR_NOMEM;
        }
        read_record(a, s, rec);
        *out = rec;
    } else if (rc == SQLITE_DONE) {
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", NULL, "no %s with id %s", spec->singular,
                    id);
    } else {
        r = sq_db_error(err, c->db, rc, "get");
    }
    sqlite3_reset(s);
    return r;
}

static bf_result version_failure(conn *c, const resource_spec *spec, const char *id,
                                 int64_t expected, bf_error *err)
{
    int64_t current;
    bf_result r = record_version(c, spec, id, &current, err);
    if (r != BF_OK)
        return r;
    if (current == 0)
        return bf_fail(err, BF_ERR_NOT_FOUND, "not_found", NULL, "no %s with id %s", spec->singular,
                       id);
    return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                   "the %s was changed by someone else: version %lld is current, not %lld",
                   spec->singular, (long long)current, (long long)expected);
}

static bf_result update_in_tx(store *st, arena *a, record *rec, int64_t expected, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    if ((r = check_references(c, a, rec, err)) != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sqlite3_stmt *s;
    r = sq_stmt_get(c, shape_key(K_UPDATE, rec->spec, 0, 0), build_update, rec->spec, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, rec->id);
    sqlite3_bind_int64(s, 2, expected);
    sq_bind_text(s, 4, now);
    int rc = bind_fields(s, rec);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return constraint_error(err, c, rc, "update");
    if (sqlite3_changes(c->db) == 0)
        return version_failure(c, rec->spec, rec->id, expected, err);
    rec->version = expected + 1;
    rec->updated_at = arena_strdup(a, now);
    return rec->updated_at ? BF_OK : BF_ERR_NOMEM;
}

bf_result store_record_update(store *st, arena *a, record *rec, int64_t expected_version,
                              bf_error *err)
{
    IN_TRANSACTION(st, err, update_in_tx(st, a, rec, expected_version, err));
}

static bf_result delete_in_tx(store *st, const resource_spec *spec, const char *id,
                              int64_t expected, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    if ((r = check_not_listed(c, spec, id, err)) != BF_OK)
        return r;
    sqlite3_stmt *s;
    if ((r = sq_stmt_get(c, shape_key(K_DELETE, spec, 0, 0), build_delete, spec, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    sqlite3_bind_int64(s, 2, expected);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        r = constraint_error(err, c, rc, "delete");
        if (r == BF_ERR_CONFLICT && strcmp(err ? err->code : "", "in_use") == 0)
            bf_fail(err, BF_ERR_CONFLICT, "in_use", NULL,
                    "this %s is still referred to by other records; remove or move them first",
                    spec->singular);
        return r;
    }
    if (sqlite3_changes(c->db) == 0)
        return version_failure(c, spec, id, expected, err);
    return BF_OK;
}

bf_result store_record_delete(store *st, const resource_spec *spec, const char *id,
                              int64_t expected_version, bf_error *err)
{
    IN_TRANSACTION(st, err, delete_in_tx(st, spec, id, expected_version, err));
}

static bf_result set_where_in_tx(store *st, const resource_spec *spec, const char *set_field,
                                 const char *value, const char *where_field, const char *equals,
                                 bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    int fi = resource_field_index(spec, set_field), wi = resource_field_index(spec, where_field);
    BF_ASSERT(fi >= 0 && wi >= 0);
    field_ref fr = {spec, (size_t)fi, (size_t)wi};
    sqlite3_stmt *s;
    r = sq_stmt_get(c, shape_key(K_SET_WHERE, spec, (uint64_t)fi, (uint64_t)wi), build_set_where,
                    &fr, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, value);
    sq_bind_text(s, 2, equals);
    sq_bind_text(s, 3, now);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? BF_OK : constraint_error(err, c, rc, "update");
}

bf_result store_record_set_where(store *st, const resource_spec *spec, const char *set_field,
                                 const char *value, const char *where_field, const char *equals,
                                 bf_error *err)
{
    IN_TRANSACTION(st, err, set_where_in_tx(st, spec, set_field, value, where_field, equals, err));
}

static bf_result build_visible(buf *b, const void *ctx)
{
    const list_query *q = ctx;
    bf_result r = sq_append_visibility_with(b, q->who);
    if (r == BF_OK)
        r = buf_printf(b, "SELECT 1 FROM %s WHERE id = ?1 AND ", q->spec->name);
    if (r == BF_OK)
        r = sq_append_visibility_where(b, q->spec, q->who);
    return r;
}

bf_result store_record_visible(store *st, const viewer *who, const resource_spec *spec,
                               const char *id, bool *visible, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    list_query shape = {.spec = spec, .who = who};
    sqlite3_stmt *s;
    r = sq_stmt_get(c, shape_key(K_VISIBLE, spec, sq_visibility_shape(who), 0), build_visible,
                    &shape, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    sq_bind_viewer(s, who);
    int rc = sqlite3_step(s);
    *visible = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = sq_db_error(err, c->db, rc, "visibility");
    sqlite3_reset(s);
    return r;
}

/* ---- lists ------------------------------------------------------------------- */

/* The shape of a list query: which (field, op) filters, search, sort and
 * direction, and whether a cursor is given. Values are not part of it. */
typedef struct list_shape {
    const list_query *q;
    uint64_t filter_bits;
} list_shape;

/* Filters are numbered by the filterable fields only (three operators
 * each), so that 64 bits cover every resource. */
static int filter_bit(const resource_spec *spec, int field, list_op op)
{
    int slot = 0;
    for (int i = 0; i < field; i++)
        if (spec->fields[i].flags & FIELD_FILTER)
            slot++;
    return slot * 3 + (int)op;
}

/* The field of a filter bit (the inverse of filter_bit). */
static int bit_field(const resource_spec *spec, int bit)
{
    int slot = bit / 3;
    for (size_t i = 0; i < spec->nfields; i++)
        if ((spec->fields[i].flags & FIELD_FILTER) && slot-- == 0)
            return (int)i;
    return -1;
}

static bool field_is_numeric(const field_spec *f)
{
    return FIELD_IS_INTEGER(f->type);
}

/* The ORDER BY expression of the query's sort key; NULLs sort as the lowest value. */
static bf_result append_sort_expr(buf *b, const list_query *q)
{
    if (q->sort_field == LIST_SORT_CREATED)
        return buf_append_str(b, "created_at");
    const field_spec *f = &q->spec->fields[q->sort_field];
    return buf_printf(b, "IFNULL(%s, %s)", f->name, field_is_numeric(f) ? "-1" : "''");
}

static bf_result build_list(buf *b, const void *ctx)
{
    const list_shape *shape = ctx;
    const list_query *q = shape->q;
    bf_result r = sq_append_visibility_with(b, q->who);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT ");
    if (r == BF_OK)
        r = append_columns(b, q->spec);
    if (r == BF_OK)
        r = buf_printf(b, " FROM %s WHERE ", q->spec->name);
    if (r == BF_OK)
        r = sq_append_visibility_where(b, q->spec, q->who);
    /* Parameters: ?1 limit, ?2 cursor value, ?3 cursor id, ?4 search, then
     * one per filter bit in bit order. */
    int param = 5;
    for (int bit = 0; bit < 64 && r == BF_OK; bit++) {
        if (!(shape->filter_bits & (1ULL << bit)))
            continue;
        const char *name = q->spec->fields[bit_field(q->spec, bit)].name;
        static const char *const ops[] = {"=", ">=", "<="};
        r = buf_printf(b, " AND %s %s ?%d", name, ops[bit % 3], param++);
    }
    if (q->search && r == BF_OK) {
        r = buf_append_str(b, " AND (0");
        for (size_t i = 0; i < q->spec->nfields && r == BF_OK; i++)
            if (q->spec->fields[i].flags & FIELD_SEARCH)
                r = buf_printf(b, " OR %s LIKE '%%' || ?4 || '%%' ESCAPE '\\'",
                               q->spec->fields[i].name);
        if (r == BF_OK)
            r = buf_append_str(b, ")");
    }
    if (q->after && r == BF_OK) {
        r = buf_append_str(b, " AND (");
        if (r == BF_OK)
            r = append_sort_expr(b, q);
        if (r == BF_OK)
            r = buf_printf(b, ", id) %s (?2, ?3)", q->desc ? "<" : ">");
    }
    if (r == BF_OK)
        r = buf_append_str(b, " ORDER BY ");
    if (r == BF_OK)
        r = append_sort_expr(b, q);
    if (r == BF_OK)
        r = buf_printf(b, " %s, id %s LIMIT ?1", q->desc ? "DESC" : "ASC",
                       q->desc ? "DESC" : "ASC");
    return r;
}

/* Escapes LIKE wildcards so ?q= matches literally. */
static const char *like_escape(arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(a, 2 * n + 1);
    if (out == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
            out[k++] = '\\';
        out[k++] = s[i];
    }
    out[k] = '\0';
    return out;
}

bf_result store_record_list(store *st, arena *a, const list_query *q, record_page *out,
                            bf_error *err)
{
    BF_ASSERT(q->limit >= 1 && q->limit <= LIST_MAX_LIMIT);
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    list_shape shape = {q, 0};
    for (size_t i = 0; i < q->nfilters; i++) {
        const field_spec *f = &q->spec->fields[q->filters[i].field];
        BF_ASSERT((f->flags & FIELD_FILTER) && q->filters[i].op <= LIST_LTE);
        int n = filter_bit(q->spec, q->filters[i].field, q->filters[i].op);
        BF_ASSERT(n < 64);
        uint64_t bit = 1ULL << n;
        if (shape.filter_bits & bit)
            return bf_fail(
                err, BF_ERR_INVALID, "duplicate_filter", q->spec->fields[q->filters[i].field].name,
                "the filter %s is given twice", q->spec->fields[q->filters[i].field].name);
        shape.filter_bits |= bit;
    }
    uint64_t options = (uint64_t)(q->sort_field + 1) | ((uint64_t)(q->search != NULL) << 8) |
                       ((uint64_t)q->after << 9) | ((uint64_t)q->desc << 10) |
                       (sq_visibility_shape(q->who) << 12);
    stmt_key key = shape_key(K_LIST, q->spec, options, shape.filter_bits);
    sqlite3_stmt *s;
    if ((r = sq_stmt_get(c, key, build_list, &shape, &s, err)) != BF_OK)
        return r;

    sqlite3_bind_int(s, 1, q->limit + 1);
    sq_bind_viewer(s, q->who);
    if (q->after) {
        const field_spec *f =
            q->sort_field == LIST_SORT_CREATED ? NULL : &q->spec->fields[q->sort_field];
        if (f && field_is_numeric(f))
            sqlite3_bind_int64(s, 2, q->after_num);
        else
            sq_bind_text(s, 2, q->after_text);
        sq_bind_text(s, 3, q->after_id);
    }
    if (q->search) {
        const char *esc = like_escape(a, q->search);
        if (esc == NULL)
            return BF_ERR_NOMEM;
        sq_bind_text(s, 4, esc);
    }
    /* Filters bind in bit order, as the SQL was composed. */
    int param = 5;
    for (int bit = 0; bit < 64; bit++) {
        if (!(shape.filter_bits & (1ULL << bit)))
            continue;
        for (size_t i = 0; i < q->nfilters; i++) {
            const list_filter *lf = &q->filters[i];
            if (filter_bit(q->spec, lf->field, lf->op) != bit)
                continue;
            if (field_is_numeric(&q->spec->fields[lf->field]))
                sqlite3_bind_int64(s, param, lf->num);
            else
                sq_bind_text(s, param, lf->text);
        }
        param++;
    }

    size_t cap = (size_t)q->limit;
    out->items = arena_calloc(a, cap, sizeof(record *));
    out->n = 0;
    out->more = false;
    if (out->items == NULL)
        return BF_ERR_NOMEM;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->n == cap) {
            out->more = true;
            break;
        }
        record *rec = record_new(a, q->spec);
        if (rec == NULL) {
            sqlite3_reset(s);
            return BF_ERR_NOMEM;
        }
        read_record(a, s, rec);
        out->items[out->n++] = rec;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = sq_db_error(err, c->db, rc, "list");
    sqlite3_reset(s);
    return r;
}

/* ---- stage history ------------------------------------------------------------ */

static const char SQL_STAGE_INSERT[] =
    "INSERT INTO stage_changes (id, opportunity_id, kind, playbook, from_stage, to_stage, "
    "from_probability, to_probability, changed_at, changed_by, reason, checklist) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

static const char SQL_STAGE_LIST[] =
    "SELECT id, opportunity_id, kind, playbook, from_stage, to_stage, from_probability, "
    "to_probability, changed_at, changed_by, reason, checklist FROM stage_changes "
    "WHERE opportunity_id = ?1 ORDER BY changed_at, rowid";

bf_result store_stage_change_append(store *st, arena *a, stage_change *ch, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    if (ch->id == NULL && (ch->id = sq_new_id(a, "stg")) == NULL)
        return BF_ERR_NOMEM;
    if (ch->changed_at == NULL && (ch->changed_at = arena_strdup(a, now)) == NULL)
        return BF_ERR_NOMEM;
    sqlite3_stmt *s;
    if ((r = sq_stmt_static(c, SQL_STAGE_INSERT, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, ch->id);
    sq_bind_text(s, 2, ch->opportunity_id);
    sq_bind_text(s, 3, ch->kind);
    sq_bind_text(s, 4, ch->playbook);
    sq_bind_text(s, 5, ch->from_stage);
    sq_bind_text(s, 6, ch->to_stage);
    if (ch->from_stage)
        sqlite3_bind_int(s, 7, ch->from_probability);
    sqlite3_bind_int(s, 8, ch->to_probability);
    sq_bind_text(s, 9, ch->changed_at);
    sq_bind_text(s, 10, ch->changed_by);
    sq_bind_text(s, 11, ch->reason);
    sq_bind_text(s, 12, ch->checklist);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? BF_OK : constraint_error(err, c, rc, "stage history");
}

static void read_stage_change(arena *a, sqlite3_stmt *s, void *row)
{
    stage_change *ch = row;
    ch->id = sq_column_text(a, s, 0);
    ch->opportunity_id = sq_column_text(a, s, 1);
    ch->kind = sq_column_text(a, s, 2);
    ch->playbook = sq_column_text(a, s, 3);
    ch->from_stage = sq_column_text(a, s, 4);
    ch->to_stage = sq_column_text(a, s, 5);
    ch->from_probability = sqlite3_column_int(s, 6);
    ch->to_probability = sqlite3_column_int(s, 7);
    ch->changed_at = sq_column_text(a, s, 8);
    ch->changed_by = sq_column_text(a, s, 9);
    ch->reason = sq_column_text(a, s, 10);
    ch->checklist = sq_column_text(a, s, 11);
}

bf_result store_stage_history(store *st, arena *a, const char *opportunity_id, stage_change **out,
                              size_t *n, bf_error *err)
{
    conn *c;
    sqlite3_stmt *s;
    bf_result r = sq_prepare(st, SQL_STAGE_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(stage_change), read_stage_change, "stage history", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}

/* ---- checklist ------------------------------------------------------------------ */

static const char SQL_CHECKLIST_GET[] =
    "SELECT item_id, done, evidence, updated_by, updated_at, activity_id, document "
    "FROM checklist_items WHERE opportunity_id = ?1 AND stage = ?2";

static const char SQL_CHECKLIST_PUT[] =
    "INSERT INTO checklist_items (opportunity_id, stage, item_id, done, evidence, updated_by, "
    "updated_at, activity_id, document) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT (opportunity_id, stage, item_id) DO UPDATE SET done = excluded.done, "
    "evidence = excluded.evidence, updated_by = excluded.updated_by, "
    "updated_at = excluded.updated_at, activity_id = excluded.activity_id, "
    "document = excluded.document";

static void read_checklist_state(arena *a, sqlite3_stmt *s, void *row)
{
    checklist_state *it = row;
    it->item_id = sq_column_text(a, s, 0);
    it->done = sqlite3_column_int(s, 1) != 0;
    it->evidence = sq_column_text(a, s, 2);
    it->done_by = sq_column_text(a, s, 3);
    it->done_at = sq_column_text(a, s, 4);
    it->activity_id = sq_column_text(a, s, 5);
    it->document = sq_column_text(a, s, 6);
}

bf_result store_checklist_get(store *st, arena *a, const char *opportunity_id, const char *stage,
                              checklist_state **out, size_t *n, bf_error *err)
{
    conn *c;
    sqlite3_stmt *s;
    bf_result r = sq_prepare(st, SQL_CHECKLIST_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    sq_bind_text(s, 2, stage);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(checklist_state), read_checklist_state, "checklist", &rows,
                        n, err)) == BF_OK)
        *out = rows;
    return r;
}

static bf_result checklist_put_in_tx(store *st, const char *opportunity_id, const char *stage,
                                     const checklist_state *item, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sqlite3_stmt *s;
    if ((r = sq_stmt_static(c, SQL_CHECKLIST_PUT, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    sq_bind_text(s, 2, stage);
    sq_bind_text(s, 3, item->item_id);
    sqlite3_bind_int(s, 4, item->done ? 1 : 0);
    sq_bind_text(s, 5, item->evidence);
    sq_bind_text(s, 6, item->done_by);
    sq_bind_text(s, 7, item->done_at ? item->done_at : now);
    sq_bind_text(s, 8, item->activity_id);
    sq_bind_text(s, 9, item->document);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? BF_OK : constraint_error(err, c, rc, "checklist");
}

bf_result store_checklist_put(store *st, const char *opportunity_id, const char *stage,
                              const checklist_state *item, bf_error *err)
{
    IN_TRANSACTION(st, err, checklist_put_in_tx(st, opportunity_id, stage, item, err));
}

/* ---- reports --------------------------------------------------------------------- */

#define FUNNEL_COLUMNS                                                                             \
    "SELECT stage, COUNT(*), SUM(amount), SUM(amount * probability), "                             \
    "SUM(mant_complete = 0), SUM(CASE WHEN mant_complete = 0 THEN amount ELSE 0 END), "            \
    "SUM(CASE WHEN mant_complete = 0 THEN amount * probability ELSE 0 END) FROM opportunities "

static bf_result build_funnel(buf *b, const void *ctx)
{
    const funnel_query *q = ctx;
    bf_result r = sq_append_visibility_with(b, q->who);
    if (r == BF_OK)
        r = buf_append_str(b, FUNNEL_COLUMNS "WHERE playbook = ?1 AND status = 'open' "
                                             "AND currency = ?2 AND ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_opportunities, q->who);
    if (r == BF_OK && q->owner)
        r = buf_append_str(b, " AND owner = ?3");
    if (r == BF_OK)
        r = buf_append_str(b, " GROUP BY stage");
    return r;
}

static void read_funnel_row(arena *a, sqlite3_stmt *s, void *row)
{
    funnel_row *f = row;
    f->stage = sq_column_text(a, s, 0);
    f->count = sqlite3_column_int64(s, 1);
    f->amount = sqlite3_column_int64(s, 2);
    f->weighted = sqlite3_column_int64(s, 3);
    f->pre_count = sqlite3_column_int64(s, 4);
    f->pre_amount = sqlite3_column_int64(s, 5);
    f->pre_weighted = sqlite3_column_int64(s, 6);
}

bf_result store_report_funnel(store *st, arena *a, const funnel_query *q, funnel_row **out,
                              size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    sqlite3_stmt *s;
    uint64_t options = (uint64_t)(q->owner != NULL) | (sq_visibility_shape(q->who) << 12);
    if ((r = sq_stmt_get(c, shape_key(K_FUNNEL, &resource_opportunities, options, 0), build_funnel,
                         q, &s, err)) != BF_OK)
        return r;
    sq_bind_viewer(s, q->who);
    sq_bind_text(s, 1, q->playbook);
    sq_bind_text(s, 2, q->currency);
    if (q->owner)
        sq_bind_text(s, 3, q->owner);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(funnel_row), read_funnel_row, "funnel", &rows, n, err)) ==
        BF_OK)
        *out = rows;
    return r;
}

static bf_result build_forecast(buf *b, const void *ctx)
{
    const viewer *who = ctx;
    bf_result r = sq_append_visibility_with(b, who);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT IFNULL(substr(expected_close, 1, 7), ''), COUNT(*), "
                              "SUM(amount), SUM(amount * probability) FROM opportunities "
                              "WHERE status = 'open' AND currency = ?1 AND ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_opportunities, who);
    if (r == BF_OK)
        r = buf_append_str(b, " GROUP BY 1 ORDER BY 1");
    return r;
}

static void read_forecast_row(arena *a, sqlite3_stmt *s, void *row)
{
    forecast_row *f = row;
    f->month = sq_column_text(a, s, 0);
    f->count = sqlite3_column_int64(s, 1);
    f->amount = sqlite3_column_int64(s, 2);
    f->weighted = sqlite3_column_int64(s, 3);
}

bf_result store_report_forecast(store *st, arena *a, const viewer *who, const char *currency,
                                forecast_row **out, size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    sqlite3_stmt *s;
    r = sq_stmt_get(c, shape_key(K_FORECAST, &resource_opportunities, sq_visibility_shape(who), 0),
                    build_forecast, who, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, who);
    sq_bind_text(s, 1, currency);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(forecast_row), read_forecast_row, "forecast", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}

static bf_result build_stalled(buf *b, const void *ctx)
{
    const viewer *who = ctx;
    bf_result r = sq_append_visibility_with(b, who);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT o.id, o.name, o.owner, o.playbook, o.stage, o.amount, "
                              "o.currency, MAX(h.changed_at) FROM opportunities o "
                              "JOIN stage_changes h ON h.opportunity_id = o.id "
                              "WHERE o.status = 'open' AND o.id IN (SELECT id FROM opportunities "
                              "WHERE ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_opportunities, who);
    if (r == BF_OK)
        r = buf_append_str(b, ") GROUP BY o.id HAVING MAX(h.changed_at) < ?1 "
                              "ORDER BY 8, o.id LIMIT ?2");
    return r;
}

static void read_stalled_deal(arena *a, sqlite3_stmt *s, void *row)
{
    stalled_deal *d = row;
    d->id = sq_column_text(a, s, 0);
    d->name = sq_column_text(a, s, 1);
    d->owner = sq_column_text(a, s, 2);
    d->playbook = sq_column_text(a, s, 3);
    d->stage = sq_column_text(a, s, 4);
    d->amount = sqlite3_column_int64(s, 5);
    d->currency = sq_column_text(a, s, 6);
    d->since = sq_column_text(a, s, 7);
}

bf_result store_report_stalled(store *st, arena *a, const viewer *who, const char *before,
                               int limit, stalled_deal **out, size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    sqlite3_stmt *s;
    r = sq_stmt_get(c, shape_key(K_STALLED, &resource_opportunities, sq_visibility_shape(who), 0),
                    build_stalled, who, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, who);
    sq_bind_text(s, 1, before);
    sqlite3_bind_int(s, 2, limit);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(stalled_deal), read_stalled_deal, "stalled", &rows, n,
                        err)) == BF_OK)
        *out = rows;
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

static bf_result read_schema_version(sqlite3 *db, int *version, bf_error *err)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(db, "SELECT IFNULL(MAX(version), 0) FROM schema_migrations", -1, &s,
                                NULL);
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

/* ---- playbooks ------------------------------------------------------------------- */

static const char SQL_PLAYBOOK_PUT[] =
    "INSERT INTO playbooks (id, version, doc, imported_at, imported_by) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id, version) DO NOTHING";

static const char SQL_PLAYBOOK_LIST[] =
    "SELECT id, version, doc FROM playbooks ORDER BY id, version";

static bf_result playbook_put_in_tx(store *st, const char *id, int version, const char *doc,
                                    const char *by, bool *inserted, bf_error *err)
{
    conn *c;
    sqlite3_stmt *s;
    bf_result r = sq_prepare(st, SQL_PLAYBOOK_PUT, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, id);
    sqlite3_bind_int(s, 2, version);
    sq_bind_text(s, 3, doc);
    sq_bind_text(s, 4, now);
    sq_bind_text(s, 5, by);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return sq_db_error(err, c->db, rc, "playbook");
    *inserted = sqlite3_changes(c->db) > 0;
    return BF_OK;
}

bf_result store_playbook_put(store *st, const char *id, int version, const char *doc,
                             const char *by, bool *inserted, bf_error *err)
{
    IN_TRANSACTION(st, err, playbook_put_in_tx(st, id, version, doc, by, inserted, err));
}

static void read_stored_playbook(arena *a, sqlite3_stmt *s, void *row)
{
    stored_playbook *p = row;
    p->id = sq_column_text(a, s, 0);
    p->version = sqlite3_column_int(s, 1);
    p->doc = sq_column_text(a, s, 2);
}

bf_result store_playbook_list(store *st, arena *a, stored_playbook **out, size_t *n, bf_error *err)
{
    conn *c;
    sqlite3_stmt *s;
    bf_result r = sq_prepare(st, SQL_PLAYBOOK_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(stored_playbook), read_stored_playbook, "playbooks", &rows,
                        n, err)) == BF_OK)
        *out = rows;
    return r;
}

/* ---- opportunities from before playbook versions ---------------------------------- */

static const char SQL_PIN_VERSION[] =
    "UPDATE opportunities SET playbook_version = ?2 WHERE playbook = ?1 AND playbook_version IS "
    "NULL";

bf_result store_opportunity_pin_playbook_version(store *st, const char *playbook_id, int version,
                                                 bf_error *err)
{
    conn *c;
    sqlite3_stmt *s;
    bf_result r = sq_prepare(st, SQL_PIN_VERSION, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, playbook_id);
    sqlite3_bind_int(s, 2, version);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? BF_OK : sq_db_error(err, c->db, rc, "pin playbook version");
}

/* ---- forms and settings ------------------------------------------------------------ */

static const char SQL_FORM_GET[] = "SELECT data, version, updated_at, updated_by FROM forms "
                                   "WHERE owner_kind = ?1 AND owner_id = ?2 AND form = ?3";

static const char SQL_FORM_INSERT[] =
    "INSERT INTO forms (owner_kind, owner_id, form, data, version, updated_at, updated_by) "
    "VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6) ON CONFLICT DO NOTHING";

static const char SQL_FORM_UPDATE[] =
    "UPDATE forms SET data = ?4, version = version + 1, updated_at = ?5, updated_by = ?6 "
    "WHERE owner_kind = ?1 AND owner_id = ?2 AND form = ?3 AND (?7 < 0 OR version = ?7)";

static const char SQL_SETTING_GET[] = "SELECT data FROM settings WHERE key = ?1";

static const char SQL_SETTING_PUT[] =
    "INSERT INTO settings (key, data, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, "
    "updated_by = excluded.updated_by";

bf_result store_form_get(store *st, arena *a, const char *owner_kind, const char *owner_id,
                         const char *form, stored_form *out, bf_error *err)
{
    conn *c;
    sqlite3_stmt *s;
    bf_result r = sq_prepare(st, SQL_FORM_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, owner_kind);
    sq_bind_text(s, 2, owner_id);
    sq_bind_text(s, 3, form);
    memset(out, 0, sizeof(*out));
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->data = sq_column_text(a, s, 0);
        out->version = sqlite3_column_int64(s, 1);
        out->updated_at = sq_column_text(a, s, 2);
        out->updated_by = sq_column_text(a, s, 3);
    } else if (rc != SQLITE_DONE) {
        r = sq_db_error(err, c->db, rc, "form");
    }
    sqlite3_reset(s);
    return r;
}

static bf_result form_put_in_tx(store *st, const char *owner_kind, const char *owner_id,
                                const char *form, const char *data, int64_t expected,
                                const char *by, int64_t *version, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sqlite3_stmt *s;
    bool inserted = false;
    if (expected <= 0) {
        if ((r = sq_stmt_static(c, SQL_FORM_INSERT, &s, err)) != BF_OK)
            return r;
        sq_bind_text(s, 1, owner_kind);
        sq_bind_text(s, 2, owner_id);
        sq_bind_text(s, 3, form);
        sq_bind_text(s, 4, data);
        sq_bind_text(s, 5, now);
        sq_bind_text(s, 6, by);
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return sq_db_error(err, c->db, rc, "form");
        inserted = sqlite3_changes(c->db) > 0;
        if (inserted) {
            *version = 1;
            return BF_OK;
        }
        if (expected == 0)
            return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                           "the form was saved by someone else meanwhile; reload it");
    }
    if ((r = sq_stmt_static(c, SQL_FORM_UPDATE, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, owner_kind);
    sq_bind_text(s, 2, owner_id);
    sq_bind_text(s, 3, form);
    sq_bind_text(s, 4, data);
    sq_bind_text(s, 5, now);
    sq_bind_text(s, 6, by);
    sqlite3_bind_int64(s, 7, expected);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return sq_db_error(err, c->db, rc, "form");
    if (sqlite3_changes(c->db) == 0)
        return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the form was changed by someone else: version %lld is not current",
                       (long long)expected);
    if ((r = sq_stmt_static(c, SQL_FORM_GET, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, owner_kind);
    sq_bind_text(s, 2, owner_id);
    sq_bind_text(s, 3, form);
    rc = sqlite3_step(s);
    *version = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
    sqlite3_reset(s);
    return BF_OK;
}

bf_result store_form_put(store *st, const char *owner_kind, const char *owner_id, const char *form,
                         const char *data, int64_t expected_version, const char *by,
                         int64_t *version, bf_error *err)
{
    IN_TRANSACTION(
        st, err,
        form_put_in_tx(st, owner_kind, owner_id, form, data, expected_version, by, version, err));
}

bf_result store_setting_get(store *st, arena *a, const char *key, const char **data, bf_error *err)
{
    conn *c;
    sqlite3_stmt *s;
    bf_result r = sq_prepare(st, SQL_SETTING_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, key);
    *data = NULL;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *data = sq_column_text(a, s, 0);
    else if (rc != SQLITE_DONE)
        r = sq_db_error(err, c->db, rc, "setting");
    sqlite3_reset(s);
    return r;
}

static bf_result setting_put_in_tx(store *st, const char *key, const char *data, const char *by,
                                   bf_error *err)
{
    conn *c;
    sqlite3_stmt *s;
    bf_result r = sq_prepare(st, SQL_SETTING_PUT, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, key);
    sq_bind_text(s, 2, data);
    sq_bind_text(s, 3, now);
    sq_bind_text(s, 4, by);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? BF_OK : sq_db_error(err, c->db, rc, "setting");
}

bf_result store_setting_put(store *st, const char *key, const char *data, const char *by,
                            bf_error *err)
{
    IN_TRANSACTION(st, err, setting_put_in_tx(st, key, data, by, err));
}

static const char SQL_MANT_COMPLETE[] =
    "UPDATE opportunities SET mant_complete = ?2 WHERE id = ?1 AND mant_complete != ?2";

bf_result store_opportunity_set_mant_complete(store *st, const char *opportunity_id, bool complete,
                                              bf_error *err)
{
    conn *c;
    sqlite3_stmt *s;
    bf_result r = sq_prepare(st, SQL_MANT_COMPLETE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    sqlite3_bind_int(s, 2, complete ? 1 : 0);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? BF_OK : sq_db_error(err, c->db, rc, "mant");
}
