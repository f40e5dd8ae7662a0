/* The store's records: one statement per shape of get, insert, update and
 * delete, composed from the resource field tables (see store.h), in SQL
 * that SQLite and PostgreSQL both run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite.h"

/* ---- statement shapes of the record functions -------------------------------- */

bf_result sq_append_columns(buf *b, const resource_spec *spec)
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
        r = sq_append_columns(b, spec);
    if (r == BF_OK)
        r = buf_printf(b, " FROM %s WHERE id = ?1", spec->name);
    return r;
}

/* A new deal's stage last changed when it was made (its first stage): the
 * column is written with the row, so the 'create' entry of its history, made
 * at the same time, leaves the row as it is (migration 11). */
static bool inserts_stage_changed_at(const resource_spec *spec)
{
    return spec == &resource_opportunities;
}

static bf_result build_insert(buf *b, const void *ctx)
{
    const resource_spec *spec = ctx;
    bf_result r = buf_printf(b, "INSERT INTO %s (", spec->name);
    if (r == BF_OK)
        r = sq_append_columns(b, spec);
    if (r == BF_OK && inserts_stage_changed_at(spec))
        r = buf_append_str(b, ", stage_changed_at");
    if (r == BF_OK)
        r = buf_append_str(b, ") VALUES (?1, ?2, ?3, ?4");
    for (size_t i = 0; i < spec->nfields && r == BF_OK; i++)
        r = buf_printf(b, ", ?%zu", i + 5);
    if (r == BF_OK && inserts_stage_changed_at(spec))
        r = buf_append_str(b, ", ?3");
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

/* Does an id list name the id? Each list has a table of the ids it names,
 * <table>_<field>, kept by triggers (migration 7): one seek. */
static bf_result build_listed(buf *b, const void *ctx)
{
    const field_ref *fr = ctx;
    return buf_printf(b, "SELECT 1 FROM %s_%s WHERE listed_id = ?1 LIMIT 1", fr->spec->name,
                      fr->spec->fields[fr->field].name);
}

static bf_result build_set_where(buf *b, const void *ctx)
{
    const field_ref *fr = ctx;
    return buf_printf(b,
                      "UPDATE %s SET %s = ?1, version = version + 1, updated_at = ?3 "
                      "WHERE %s = ?2 AND %s IS DISTINCT FROM ?1",
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
            db_stmt *s;
            bf_result r =
                sq_stmt_get(c, sq_shape_key(K_LISTED, other, i, 0), build_listed, &fr, &s, err);
            if (r != BF_OK)
                return r;
            sq_bind_text(s, 1, id);
            int rc = db_step(s);
            db_reset(s);
            if (rc == DB_ROW)
                return bf_fail(err, BF_ERR_CONFLICT, "in_use", NULL,
                               "this %s is named in the %s of %s; remove it there first",
                               spec->singular, f->name, other->name);
            if (rc != DB_DONE)
                return sq_db_error(err, c->db, rc, "delete check");
        }
    }
    return BF_OK;
}

void sq_read_record(arena *a, db_stmt *s, record *rec)
{
    rec->id = sq_column_text(a, s, 0);
    rec->version = db_column_int64(s, 1);
    rec->created_at = sq_column_text(a, s, 2);
    rec->updated_at = sq_column_text(a, s, 3);
    for (size_t i = 0; i < rec->spec->nfields; i++) {
        field_value *v = &rec->values[i];
        int col = (int)i + 4;
        v->present = true;
        v->null = db_column_is_null(s, col);
        if (v->null)
            continue;
        field_type t = rec->spec->fields[i].type;
        if (FIELD_IS_INTEGER(t))
            v->i = db_column_int64(s, col);
        else
            v->s = sq_column_text(a, s, col);
    }
}

static int bind_fields(db_stmt *s, const record *rec)
{
    int rc = DB_OK;
    for (size_t i = 0; i < rec->spec->nfields && rc == DB_OK; i++) {
        const field_value *v = &rec->values[i];
        int idx = (int)i + 5;
        field_type t = rec->spec->fields[i].type;
        if (v->null || !v->present)
            rc = db_bind_null(s, idx);
        else if (FIELD_IS_INTEGER(t))
            rc = db_bind_int64(s, idx, v->i);
        else
            rc = sq_bind_text(s, idx, v->s);
    }
    return rc;
}

/* Version of spec's record id: 1+ when it exists, 0 when not. */
static bf_result record_version(conn *c, const resource_spec *spec, const char *id,
                                int64_t *version, bf_error *err)
{
    db_stmt *s;
    bf_result r = sq_stmt_get(c, sq_shape_key(K_EXISTS, spec, 0, 0), build_exists, spec, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *version = db_column_int64(s, 0);
    else if (rc == DB_DONE)
        *version = 0;
    else
        r = sq_db_error(err, c->db, rc, "exists");
    db_reset(s);
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

/* ---- the totals of a new deal --------------------------------------------------- */

/* A new open deal added to the funnel's and the forecast's totals, as the
 * triggers of migration 7 did on insert before migration 11 (they still do
 * on update and delete). mant_complete is not written by an insert: a new
 * deal has the column's default, 0. */
static const char SQL_FUNNEL_ADD[] =
    "INSERT INTO funnel_totals AS t (playbook, currency, owner_id, owner, stage, mant_complete, "
    "deals, amount, weighted) VALUES (?1, ?2, ?3, ?4, ?5, 0, 1, ?6, "
    "CAST(?6 AS BIGINT) * CAST(?7 AS BIGINT)) "
    "ON CONFLICT (playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET "
    "deals = t.deals + 1, amount = t.amount + excluded.amount, "
    "weighted = t.weighted + excluded.weighted";

/* … and to the funnel by month of expected close (migration 36). */
static const char SQL_FUNNEL_CUBE_ADD[] =
    "INSERT INTO funnel_cube AS t (owner_id, currency, month, playbook, stage, mant_complete, "
    "deals, amount, weighted) VALUES (?1, ?2, COALESCE(substr(CAST(?3 AS TEXT), 1, 7), ''), ?4, "
    "?5, 0, 1, ?6, CAST(?6 AS BIGINT) * CAST(?7 AS BIGINT)) "
    "ON CONFLICT (owner_id, currency, month, playbook, stage, mant_complete) DO UPDATE SET "
    "deals = t.deals + 1, amount = t.amount + excluded.amount, "
    "weighted = t.weighted + excluded.weighted";

static const char SQL_FORECAST_ADD[] =
    "INSERT INTO forecast_totals AS t (currency, owner_id, month, deals, amount, weighted) "
    "VALUES (?1, ?2, COALESCE(substr(CAST(?3 AS TEXT), 1, 7), ''), 1, ?4, "
    "CAST(?4 AS BIGINT) * CAST(?5 AS BIGINT)) "
    "ON CONFLICT (currency, owner_id, month) DO UPDATE SET "
    "deals = t.deals + 1, amount = t.amount + excluded.amount, "
    "weighted = t.weighted + excluded.weighted";

/* A new deal counted for its owner (owner_counts, migration 10), whatever
 * its status, as a trigger did before migration 11. */
static const char SQL_OWNER_COUNT_ADD[] =
    "INSERT INTO owner_counts AS t (owner_id, deals) VALUES (?1, 1) "
    "ON CONFLICT (owner_id) DO UPDATE SET deals = t.deals + 1";

/* The value of field name as it was written: NULL when not set. */
static const field_value *written(const record *rec, const char *name)
{
    const field_value *v = record_field_const(rec, name);
    return v->present && !v->null ? v : NULL;
}

static int bind_written(db_stmt *s, int idx, const field_value *v, bool integer)
{
    if (v == NULL)
        return db_bind_null(s, idx);
    return integer ? db_bind_int64(s, idx, v->i) : sq_bind_text(s, idx, v->s);
}

static bf_result totals_step(conn *c, db_stmt *s, int rc, bf_error *err)
{
    if (rc == DB_OK)
        rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "deal totals");
}

/* ---- a bulk load's totals, added up in memory (store_bulk_defer_totals) ---------- */

/* The sums of one row of a totals table, by its key (up to five texts). */
typedef struct sum_slot {
    uint64_t hash;
    char *key[5]; /* key[0] NULL: an empty slot */
    int64_t deals, amount, weighted;
} sum_slot;

typedef struct sum_table {
    sum_slot *slots;
    size_t cap, n; /* cap a power of two, at least twice n */
} sum_table;

/* The funnel's, the forecast's and the owners' counts: as their upserts
 * (SQL_FUNNEL_ADD …) would have added them, one deal at a time. */
typedef struct deferred_totals {
    store *st;
    sum_table funnel, forecast, owners;
    sum_table cube, flow;  /* forecast_cube and stage_flow's entries (migration 25) */
    sum_table funnel_cube; /* migration 36 */
} deferred_totals;

static _Thread_local deferred_totals *deferred;

static uint64_t key_hash(const char *const *key, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        for (const char *p = key[i]; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL; /* no byte of UTF-8 text */
    }
    return h;
}

static sum_slot *sum_find(const sum_table *t, const char *const *key, size_t n, uint64_t h)
{
    size_t mask = t->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        sum_slot *s = &t->slots[i];
        bool same = s->key[0] != NULL && s->hash == h;
        for (size_t k = 0; same && k < n; k++)
            same = strcmp(s->key[k], key[k]) == 0;
        if (s->key[0] == NULL || same)
            return s;
    }
}

static bool sum_grow(sum_table *t, size_t n)
{
    size_t cap = t->cap ? t->cap * 2 : 256;
    sum_slot *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL)
        return false;
    sum_table bigger = {slots, cap, t->n};
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].key[0] != NULL)
            *sum_find(&bigger, (const char *const *)t->slots[i].key, n, t->slots[i].hash) =
                t->slots[i];
    free(t->slots);
    *t = bigger;
    return true;
}

/* The slot of key in t, made (with sums of 0) when new; NULL out of memory. */
static sum_slot *sum_slot_of(sum_table *t, const char *const *key, size_t n)
{
    if ((t->n + 1) * 2 > t->cap && !sum_grow(t, n))
        return NULL;
    uint64_t h = key_hash(key, n);
    sum_slot *s = sum_find(t, key, n, h);
    if (s->key[0] != NULL)
        return s;
    for (size_t k = 0; k < n; k++)
        if ((s->key[k] = strdup(key[k])) == NULL) {
            for (size_t j = 0; j < k; j++)
                free(s->key[j]);
            s->key[0] = NULL;
            return NULL;
        }
    s->hash = h;
    t->n++;
    return s;
}

static void sum_table_free(sum_table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        for (size_t k = 0; k < 5 && t->slots[i].key[k] != NULL; k++)
            free(t->slots[i].key[k]);
    free(t->slots);
    *t = (sum_table){0};
}

/* A slot can take a deal of amount and weighted (amount x probability):
 * its sums would not overflow (SQLite would make them real numbers). */
static bool sum_fits(const sum_slot *s, int64_t amount, int64_t weighted)
{
    int64_t a, w;
    return s != NULL && !__builtin_add_overflow(s->amount, amount, &a) &&
           !__builtin_add_overflow(s->weighted, weighted, &w);
}

static void sum_add(sum_slot *s, int64_t amount, int64_t weighted)
{
    s->deals++;
    s->amount += amount;
    s->weighted += weighted;
}

static const char SQL_FUNNEL_SUM[] =
    "INSERT INTO funnel_totals AS t (playbook, currency, owner_id, owner, stage, mant_complete, "
    "deals, amount, weighted) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8) "
    "ON CONFLICT (playbook, currency, owner_id, owner, stage, mant_complete) DO UPDATE SET "
    "deals = t.deals + excluded.deals, amount = t.amount + excluded.amount, "
    "weighted = t.weighted + excluded.weighted";
static const char SQL_FUNNEL_CUBE_SUM[] =
    "INSERT INTO funnel_cube AS t (owner_id, currency, month, playbook, stage, mant_complete, "
    "deals, amount, weighted) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8) "
    "ON CONFLICT (owner_id, currency, month, playbook, stage, mant_complete) DO UPDATE SET "
    "deals = t.deals + excluded.deals, amount = t.amount + excluded.amount, "
    "weighted = t.weighted + excluded.weighted";
static const char SQL_FORECAST_SUM[] =
    "INSERT INTO forecast_totals AS t (currency, owner_id, month, deals, amount, weighted) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (currency, owner_id, month) DO UPDATE SET "
    "deals = t.deals + excluded.deals, amount = t.amount + excluded.amount, "
    "weighted = t.weighted + excluded.weighted";
static const char SQL_CUBE_SUM[] =
    "INSERT INTO forecast_cube AS t (owner_id, currency, month, playbook, category, deals, "
    "amount, weighted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (owner_id, currency, month, playbook, category) DO UPDATE SET "
    "deals = t.deals + excluded.deals, amount = t.amount + excluded.amount, "
    "weighted = t.weighted + excluded.weighted";
static const char SQL_FLOW_SUM[] =
    "INSERT INTO stage_flow AS t (owner_id, playbook, stage, month, event, days, n, total_days) "
    "VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, 0) "
    "ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET n = t.n + "
    "excluded.n";
static const char SQL_OWNER_COUNT_SUM[] =
    "INSERT INTO owner_counts AS t (owner_id, deals) VALUES (?1, ?2) "
    "ON CONFLICT (owner_id) DO UPDATE SET deals = t.deals + excluded.deals";

/* Writes the rows of t by sql: its key's texts, then deals, and with sums
 * the amount and the weighted amount. */
static bf_result sum_table_write(conn *c, const sum_table *t, const char *sql, size_t n, bool sums,
                                 bf_error *err)
{
    for (size_t i = 0; i < t->cap; i++) {
        const sum_slot *slot = &t->slots[i];
        if (slot->key[0] == NULL || slot->deals == 0)
            continue; /* made for a deal that was then written alone */
        db_stmt *s;
        bf_result r = sq_stmt_static(c, sql, &s, err);
        if (r != BF_OK)
            return r;
        int rc = DB_OK, col = 1;
        for (size_t k = 0; k < n && rc == DB_OK; k++)
            rc = sq_bind_text(s, col++, slot->key[k]);
        if (rc == DB_OK)
            rc = db_bind_int64(s, col++, slot->deals);
        if (rc == DB_OK && sums)
            rc = db_bind_int64(s, col++, slot->amount);
        if (rc == DB_OK && sums)
            rc = db_bind_int64(s, col++, slot->weighted);
        if ((r = totals_step(c, s, rc, err)) != BF_OK)
            return r;
    }
    return BF_OK;
}

/* Adds a new open deal to the funnel and forecast sums, as totals_add_deal
 * would write it; false when it cannot (a value the upserts would refuse or
 * compute otherwise, a sum that would overflow, out of memory): the deal is
 * then written alone. */
static bool deferred_add_open(const record *rec, const char *owner_id, const char *owner)
{
    const field_value *book = written(rec, "playbook"), *currency = written(rec, "currency");
    const field_value *stage = written(rec, "stage"), *amount = written(rec, "amount");
    const field_value *probability = written(rec, "probability");
    const field_value *in_funnel = written(rec, "in_funnel");
    const field_value *close = written(rec, "expected_close");
    int64_t weighted;
    if (book == NULL || currency == NULL || stage == NULL || amount == NULL ||
        probability == NULL || __builtin_mul_overflow(amount->i, probability->i, &weighted))
        return false;
    char month[8] = ""; /* COALESCE(substr(expected_close, 1, 7), ''): YYYY-MM */
    if (close != NULL)
        snprintf(month, sizeof(month), "%.7s", close->s);
    const char *fkey[5] = {book->s, currency->s, owner_id, owner, stage->s};
    const char *ckey[5] = {owner_id, currency->s, month, book->s, stage->s};
    sum_slot *f = sum_slot_of(&deferred->funnel, fkey, 5), *m = NULL;
    if (!sum_fits(f, amount->i, weighted))
        return false;
    sum_slot *fc = sum_slot_of(&deferred->funnel_cube, ckey, 5);
    if (!sum_fits(fc, amount->i, weighted))
        return false;
    /* The forecast counts what the funnel proper counts (migration 13). */
    if (in_funnel == NULL || in_funnel->i != 0) {
        const char *mkey[3] = {currency->s, owner_id, month};
        m = sum_slot_of(&deferred->forecast, mkey, 3);
        if (!sum_fits(m, amount->i, weighted))
            return false;
        sum_add(m, amount->i, weighted);
    }
    sum_add(f, amount->i, weighted);
    sum_add(fc, amount->i, weighted);
    return true;
}

bf_result store_bulk_defer_totals(store *st, bool on, bf_error *err)
{
    if (on) {
        if (deferred == NULL && (deferred = calloc(1, sizeof(*deferred))) == NULL)
            return BF_ERR_NOMEM;
        deferred->st = st;
        return BF_OK;
    }
    if (deferred == NULL)
        return BF_OK;
    deferred_totals *d = deferred;
    deferred = NULL;
    conn *c;
    bf_result r = sq_conn(d->st, &c, err);
    if (r == BF_OK)
        r = sum_table_write(c, &d->owners, SQL_OWNER_COUNT_SUM, 1, false, err);
    if (r == BF_OK)
        r = sum_table_write(c, &d->funnel, SQL_FUNNEL_SUM, 5, true, err);
    if (r == BF_OK)
        r = sum_table_write(c, &d->forecast, SQL_FORECAST_SUM, 3, true, err);
    if (r == BF_OK)
        r = sum_table_write(c, &d->funnel_cube, SQL_FUNNEL_CUBE_SUM, 5, true, err);
    if (r == BF_OK)
        r = sum_table_write(c, &d->cube, SQL_CUBE_SUM, 5, true, err);
    if (r == BF_OK)
        r = sum_table_write(c, &d->flow, SQL_FLOW_SUM, 5, false, err);
    sum_table_free(&d->cube);
    sum_table_free(&d->flow);
    sum_table_free(&d->owners);
    sum_table_free(&d->funnel);
    sum_table_free(&d->forecast);
    sum_table_free(&d->funnel_cube);
    free(d);
    return r;
}

static bf_result totals_add_deal(conn *c, const record *rec, bf_error *err)
{
    const field_value *owner_id = written(rec, "owner_id"), *owner = written(rec, "owner");
    if (deferred != NULL) {
        const field_value *status = written(rec, "status");
        const char *oid = owner_id ? owner_id->s : "", *oname = owner ? owner->s : "";
        bool open = status != NULL && strcmp(status->s, "open") == 0;
        const char *okey[1] = {oid};
        sum_slot *o = sum_slot_of(&deferred->owners, okey, 1);
        /* A deal the sums cannot take is written alone, counted with them. */
        if (o != NULL && (!open || deferred_add_open(rec, oid, oname))) {
            o->deals++;
            return BF_OK;
        }
    }
    db_stmt *s;
    bf_result r = sq_stmt_static(c, SQL_OWNER_COUNT_ADD, &s, err);
    if (r != BF_OK ||
        (r = totals_step(c, s, sq_bind_text(s, 1, owner_id ? owner_id->s : ""), err)) != BF_OK)
        return r;
    const field_value *status = written(rec, "status");
    if (status == NULL || strcmp(status->s, "open") != 0)
        return BF_OK;
    const field_value *currency = written(rec, "currency"), *amount = written(rec, "amount");
    const field_value *probability = written(rec, "probability");
    if ((r = sq_stmt_static(c, SQL_FUNNEL_ADD, &s, err)) != BF_OK)
        return r;
    int rc = bind_written(s, 1, written(rec, "playbook"), false);
    if (rc == DB_OK)
        rc = bind_written(s, 2, currency, false);
    if (rc == DB_OK)
        rc = sq_bind_text(s, 3, owner_id ? owner_id->s : "");
    if (rc == DB_OK)
        rc = sq_bind_text(s, 4, owner ? owner->s : "");
    if (rc == DB_OK)
        rc = bind_written(s, 5, written(rec, "stage"), false);
    if (rc == DB_OK)
        rc = bind_written(s, 6, amount, true);
    if (rc == DB_OK)
        rc = bind_written(s, 7, probability, true);
    if ((r = totals_step(c, s, rc, err)) != BF_OK)
        return r;
    if ((r = sq_stmt_static(c, SQL_FUNNEL_CUBE_ADD, &s, err)) != BF_OK)
        return r;
    rc = sq_bind_text(s, 1, owner_id ? owner_id->s : "");
    if (rc == DB_OK)
        rc = bind_written(s, 2, currency, false);
    if (rc == DB_OK)
        rc = bind_written(s, 3, written(rec, "expected_close"), false);
    if (rc == DB_OK)
        rc = bind_written(s, 4, written(rec, "playbook"), false);
    if (rc == DB_OK)
        rc = bind_written(s, 5, written(rec, "stage"), false);
    if (rc == DB_OK)
        rc = bind_written(s, 6, amount, true);
    if (rc == DB_OK)
        rc = bind_written(s, 7, probability, true);
    if ((r = totals_step(c, s, rc, err)) != BF_OK)
        return r;
    /* The forecast counts what the funnel proper counts (migration 13). */
    const field_value *in_funnel = written(rec, "in_funnel");
    if (in_funnel != NULL && in_funnel->i == 0)
        return BF_OK;
    if ((r = sq_stmt_static(c, SQL_FORECAST_ADD, &s, err)) != BF_OK)
        return r;
    rc = bind_written(s, 1, currency, false);
    if (rc == DB_OK)
        rc = sq_bind_text(s, 2, owner_id ? owner_id->s : "");
    if (rc == DB_OK)
        rc = bind_written(s, 3, written(rec, "expected_close"), false);
    if (rc == DB_OK)
        rc = bind_written(s, 4, amount, true);
    if (rc == DB_OK)
        rc = bind_written(s, 5, probability, true);
    return totals_step(c, s, rc, err);
}

/* ---- a new deal's report summaries (migration 25) -------------------------------- */

/* A new deal's row of forecast_cube and its entry into its first stage in
 * stage_flow, as deal_forecast_rows and deal_flow_rows declare them (the
 * summaries test holds them to the views): added to a bulk load's sums, or
 * written. A deal made closed (an admin's load of history) has its outcome
 * rows written from the views (sq_cube_add_closed). */
typedef struct new_rows {
    const char *owner_id, *currency, *playbook, *stage, *category, *status;
    char month[8], created[8];
    int64_t amount, weighted;
    bool forecast; /* open or won */
} new_rows;

static bool new_rows_of(const record *rec, new_rows *n)
{
    const field_value *v;
    const field_value *amount = written(rec, "amount"), *p = written(rec, "probability");
    n->owner_id = (v = written(rec, "owner_id")) ? v->s : "";
    n->currency = (v = written(rec, "currency")) ? v->s : NULL;
    n->playbook = (v = written(rec, "playbook")) ? v->s : NULL;
    n->stage = (v = written(rec, "stage")) ? v->s : NULL;
    n->status = (v = written(rec, "status")) ? v->s : "open";
    if (n->currency == NULL || n->playbook == NULL || n->stage == NULL || amount == NULL ||
        p == NULL || __builtin_mul_overflow(amount->i, p->i, &n->weighted))
        return false;
    n->amount = amount->i;
    bool won = strcmp(n->status, "won") == 0;
    n->forecast = won || strcmp(n->status, "open") == 0;
    const field_value *in = written(rec, "in_funnel"), *cat = written(rec, "forecast_category");
    n->category = won ? "closed" : in && in->i == 0 ? "omitted" : cat ? cat->s : "pipeline";
    const field_value *date = written(rec, won ? "closed_at" : "expected_close");
    snprintf(n->month, sizeof(n->month), "%.7s", date ? date->s : "");
    snprintf(n->created, sizeof(n->created), "%.7s", rec->created_at ? rec->created_at : "");
    return true;
}

static bool deferred_add_rows(const new_rows *n)
{
    const char *ckey[5] = {n->owner_id, n->currency, n->month, n->playbook, n->category};
    const char *fkey[5] = {n->owner_id, n->playbook, n->stage, n->created, "entered"};
    sum_slot *c = n->forecast ? sum_slot_of(&deferred->cube, ckey, 5) : NULL;
    sum_slot *f = sum_slot_of(&deferred->flow, fkey, 5);
    if (f == NULL || (n->forecast && !sum_fits(c, n->amount, n->weighted)))
        return false;
    if (c != NULL)
        sum_add(c, n->amount, n->weighted);
    f->deals++;
    return true;
}

static bf_result cube_add_new(conn *c, const record *rec, bf_error *err)
{
    new_rows n;
    if (!new_rows_of(rec, &n))
        return bf_fail(err, BF_ERR_INTERNAL, "internal", NULL, "a deal without its figures");
    bool closed = strcmp(n.status, "open") != 0;
    if (deferred != NULL && deferred_add_rows(&n))
        return closed ? sq_cube_add_closed(c, rec->id, strcmp(n.status, "won") == 0, err) : BF_OK;
    db_stmt *s;
    bf_result r = BF_OK;
    if (n.forecast && (r = sq_stmt_static(c, SQL_CUBE_SUM, &s, err)) == BF_OK) {
        const char *key[5] = {n.owner_id, n.currency, n.month, n.playbook, n.category};
        int rc = DB_OK;
        for (int i = 0; i < 5 && rc == DB_OK; i++)
            rc = sq_bind_text(s, i + 1, key[i]);
        if (rc == DB_OK && (rc = db_bind_int64(s, 6, 1)) == DB_OK &&
            (rc = db_bind_int64(s, 7, n.amount)) == DB_OK)
            rc = db_bind_int64(s, 8, n.weighted);
        r = totals_step(c, s, rc, err);
    }
    if (r == BF_OK && (r = sq_stmt_static(c, SQL_FLOW_SUM, &s, err)) == BF_OK) {
        const char *key[5] = {n.owner_id, n.playbook, n.stage, n.created, "entered"};
        int rc = DB_OK;
        for (int i = 0; i < 5 && rc == DB_OK; i++)
            rc = sq_bind_text(s, i + 1, key[i]);
        if (rc == DB_OK)
            rc = db_bind_int64(s, 6, 1);
        r = totals_step(c, s, rc, err);
    }
    return r == BF_OK && closed ? sq_cube_add_closed(c, rec->id, strcmp(n.status, "won") == 0, err)
                                : r;
}

/* ---- tags (migration 32) ---------------------------------------------------------- */

/* A record's tags are its column tags (the JSON array the API wrote) and a
 * row per tag in record_tags, and each tag is counted in tag_counts: the
 * store moves the rows and the counts in the transaction that writes the
 * record, from the tags it had to the tags it has. */
static const char SQL_TAG_ADD[] = "INSERT INTO record_tags (resource, record_id, tag) "
                                  "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING";
static const char SQL_TAG_REMOVE[] =
    "DELETE FROM record_tags WHERE resource = ?1 AND record_id = ?2 AND tag = ?3";
static const char SQL_TAG_COUNT[] =
    "INSERT INTO tag_counts AS t (resource, tag, records) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (resource, tag) DO UPDATE SET records = t.records + excluded.records";
static const char SQL_TAG_COUNT_GONE[] =
    "DELETE FROM tag_counts WHERE resource = ?1 AND tag = ?2 AND records <= 0";

static bf_result build_tags_of(buf *b, const void *ctx)
{
    const resource_spec *spec = ctx;
    return buf_printf(b, "SELECT tags FROM %s WHERE id = ?1", spec->name);
}

/* The tags spec's record id has now (the JSON array text), in a; NULL when
 * it has none or does not exist. */
static bf_result tags_stored(conn *c, arena *a, const resource_spec *spec, const char *id,
                             const char **out, bf_error *err)
{
    db_stmt *s;
    bf_result r = sq_stmt_get(c, sq_shape_key(K_TAGS_OF, spec, 0, 0), build_tags_of, spec, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    *out = rc == DB_ROW ? sq_column_text(a, s, 0) : NULL;
    if (rc == DB_ROW && *out == NULL && !db_column_is_null(s, 0))
        r = BF_ERR_NOMEM;
    else if (rc != DB_ROW && rc != DB_DONE)
        r = sq_db_error(err, c->db, rc, "tags");
    db_reset(s);
    return r;
}

/* The tags of a list's JSON array text (NULL: none), a new reference; an
 * array that does not read as one holds none. NULL when out of memory. */
static json_t *tags_of_text(const char *text)
{
    json_t *list = text ? json_loads(text, 0, NULL) : NULL;
    if (json_is_array(list))
        return list;
    json_decref(list);
    return json_array();
}

static bool tags_hold(json_t *list, const char *tag)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), tag) == 0)
            return true;
    }
    return false;
}

/* Adds (+1) or removes (-1) tag of spec's record id: its row, and its count
 * when the row came or went. */
static bf_result tag_move(conn *c, const resource_spec *spec, const char *id, const char *tag,
                          int by, bf_error *err)
{
    db_stmt *s;
    bf_result r = sq_stmt_static(c, by > 0 ? SQL_TAG_ADD : SQL_TAG_REMOVE, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, spec->name);
    sq_bind_text(s, 2, id);
    sq_bind_text(s, 3, tag);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return sq_db_error(err, c->db, rc, "tags");
    if (db_changes(c->db) == 0)
        return BF_OK;
    if ((r = sq_stmt_static(c, SQL_TAG_COUNT, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, spec->name);
    sq_bind_text(s, 2, tag);
    db_bind_int64(s, 3, by);
    rc = db_step(s);
    db_reset(s);
    if (rc == DB_DONE && by < 0 && (r = sq_stmt_static(c, SQL_TAG_COUNT_GONE, &s, err)) == BF_OK) {
        sq_bind_text(s, 1, spec->name);
        sq_bind_text(s, 2, tag);
        rc = db_step(s);
        db_reset(s);
    }
    if (r == BF_OK && rc != DB_DONE)
        r = sq_db_error(err, c->db, rc, "tag counts");
    return r;
}

/* Moves the rows and counts of spec's record id from the tags of the JSON
 * array text old to those of now (either NULL: none). */
static bf_result tags_sync(conn *c, const resource_spec *spec, const char *id, const char *old,
                           const char *now, bf_error *err)
{
    if ((old == NULL && now == NULL) || (old != NULL && now != NULL && strcmp(old, now) == 0))
        return BF_OK;
    json_t *was = tags_of_text(old), *is = tags_of_text(now);
    bf_result r = was && is ? BF_OK : BF_ERR_NOMEM;
    size_t i;
    json_t *v;
    json_array_foreach(was, i, v)
    {
        if (r == BF_OK && json_is_string(v) && !tags_hold(is, json_string_value(v)))
            r = tag_move(c, spec, id, json_string_value(v), -1, err);
    }
    json_array_foreach(is, i, v)
    {
        if (r == BF_OK && json_is_string(v) && !tags_hold(was, json_string_value(v)))
            r = tag_move(c, spec, id, json_string_value(v), +1, err);
    }
    json_decref(was);
    json_decref(is);
    return r;
}

/* The tags rec is written with (NULL: none, or no tags field). */
static const char *tags_written(const record *rec)
{
    int tf = resource_tags_field(rec->spec);
    if (tf < 0 || !rec->values[tf].present || rec->values[tf].null)
        return NULL;
    return rec->values[tf].s;
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
    if ((rec->created_at = arena_strdup(a, rec->created_as ? rec->created_as : now)) == NULL ||
        (rec->updated_at = arena_strdup(a, now)) == NULL)
        return BF_ERR_NOMEM;
    rec->version = 1;
    db_stmt *s;
    r = sq_stmt_get(c, sq_shape_key(K_INSERT, rec->spec, 0, 0), build_insert, rec->spec, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, rec->id);
    db_bind_int64(s, 2, rec->version);
    sq_bind_text(s, 3, rec->created_at);
    sq_bind_text(s, 4, rec->updated_at);
    int rc = bind_fields(s, rec);
    if (rc == DB_OK)
        rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return sq_constraint_error(err, c, rc, "insert");
    if (tags_written(rec) != NULL &&
        (r = tags_sync(c, rec->spec, rec->id, NULL, tags_written(rec), err)) != BF_OK)
        return r;
    if ((r = sq_search_keep(st, c, a, rec->spec, rec->id, err)) != BF_OK)
        return r;
    if (rec->spec != &resource_opportunities)
        return BF_OK;
    if ((r = totals_add_deal(c, rec, err)) != BF_OK)
        return r;
    return cube_add_new(c, rec, err);
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
    db_stmt *s;
    if ((r = sq_stmt_get(c, sq_shape_key(K_GET, spec, 0, 0), build_get, spec, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        record *rec = record_new(a, spec);
        if (rec == NULL) {
            db_reset(s);
            return BF_ERR_NOMEM;
        }
        sq_read_record(a, s, rec);
        *out = rec;
    } else if (rc == DB_DONE) {
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", NULL, "no %s with id %s", spec->singular,
                    id);
    } else {
        r = sq_db_error(err, c->db, rc, "get");
    }
    db_reset(s);
    return r;
}

static bf_result version_failure(conn *c, const resource_spec *spec, const char *id,
                                 int64_t expected, bf_error *err)
{
    int64_t current = 0;
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
    const char *old_tags = NULL;
    bool tagged = resource_tags_field(rec->spec) >= 0;
    if (tagged && (r = tags_stored(c, a, rec->spec, rec->id, &old_tags, err)) != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    db_stmt *s;
    r = sq_stmt_get(c, sq_shape_key(K_UPDATE, rec->spec, 0, 0), build_update, rec->spec, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, rec->id);
    db_bind_int64(s, 2, expected);
    sq_bind_text(s, 4, now);
    int rc = bind_fields(s, rec);
    if (rc == DB_OK)
        rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return sq_constraint_error(err, c, rc, "update");
    if (db_changes(c->db) == 0)
        return version_failure(c, rec->spec, rec->id, expected, err);
    if (tagged && (r = tags_sync(c, rec->spec, rec->id, old_tags, tags_written(rec), err)) != BF_OK)
        return r;
    rec->version = expected + 1;
    rec->updated_at = arena_strdup(a, now);
    if (rec->updated_at == NULL)
        return BF_ERR_NOMEM;
    return sq_search_keep(st, c, a, rec->spec, rec->id, err);
}

bf_result store_record_update(store *st, arena *a, record *rec, int64_t expected_version,
                              bf_error *err)
{
    IN_TRANSACTION(st, err, update_in_tx(st, a, rec, expected_version, err));
}

static bf_result delete_in_tx(store *st, arena *a, const resource_spec *spec, const char *id,
                              int64_t expected, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    if ((r = check_not_listed(c, spec, id, err)) != BF_OK)
        return r;
    const char *old_tags = NULL;
    bool tagged = resource_tags_field(spec) >= 0;
    if (tagged && (r = tags_stored(c, a, spec, id, &old_tags, err)) != BF_OK)
        return r;
    db_stmt *s;
    if ((r = sq_stmt_get(c, sq_shape_key(K_DELETE, spec, 0, 0), build_delete, spec, &s, err)) !=
        BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    db_bind_int64(s, 2, expected);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE) {
        r = sq_constraint_error(err, c, rc, "delete");
        if (r == BF_ERR_CONFLICT && strcmp(err ? err->code : "", "in_use") == 0)
            bf_fail(err, BF_ERR_CONFLICT, "in_use", NULL,
                    "this %s is still referred to by other records; remove or move them first",
                    spec->singular);
        return r;
    }
    if (db_changes(c->db) == 0)
        return version_failure(c, spec, id, expected, err);
    if (tagged && (r = tags_sync(c, spec, id, old_tags, NULL, err)) != BF_OK)
        return r;
    return sq_search_forget(st, c, spec, id, err);
}

/* A deleted record's old tags are read into an arena of their own: the
 * interface takes none. */
static bf_result delete_with_arena(store *st, const resource_spec *spec, const char *id,
                                   int64_t expected, bf_error *err)
{
    arena *a = arena_new(1024);
    if (a == NULL)
        return BF_ERR_NOMEM;
    bf_result r = delete_in_tx(st, a, spec, id, expected, err);
    arena_free(a);
    return r;
}

bf_result store_record_delete(store *st, const resource_spec *spec, const char *id,
                              int64_t expected_version, bf_error *err)
{
    IN_TRANSACTION(st, err, delete_with_arena(st, spec, id, expected_version, err));
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
    db_stmt *s;
    r = sq_stmt_get(c, sq_shape_key(K_SET_WHERE, spec, (uint64_t)fi, (uint64_t)wi), build_set_where,
                    &fr, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, value);
    sq_bind_text(s, 2, equals);
    sq_bind_text(s, 3, now);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_constraint_error(err, c, rc, "update");
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
        r = sq_append_visibility_where(b, q->spec, q->spec->name, q->who);
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
    db_stmt *s;
    r = sq_stmt_get(c, sq_shape_key(K_VISIBLE, spec, sq_visibility_shape(who), 0), build_visible,
                    &shape, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    sq_bind_viewer(s, who);
    int rc = db_step(s);
    *visible = rc == DB_ROW;
    if (rc != DB_ROW && rc != DB_DONE)
        r = sq_db_error(err, c->db, rc, "visibility");
    db_reset(s);
    return r;
}
