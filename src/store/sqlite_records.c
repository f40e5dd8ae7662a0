/* The SQLite backend's records: one statement per shape of get, insert,
 * update, delete and list, composed from the resource field tables (see
 * store.h). */
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

static bf_result build_insert(buf *b, const void *ctx)
{
    const resource_spec *spec = ctx;
    bf_result r = buf_printf(b, "INSERT INTO %s (", spec->name);
    if (r == BF_OK)
        r = sq_append_columns(b, spec);
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
                sq_stmt_get(c, sq_shape_key(K_LISTED, other, i, 0), build_listed, &fr, &s, err);
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

void sq_read_record(arena *a, sqlite3_stmt *s, record *rec)
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
    bf_result r = sq_stmt_get(c, sq_shape_key(K_EXISTS, spec, 0, 0), build_exists, spec, &s, err);
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
    r = sq_stmt_get(c, sq_shape_key(K_INSERT, rec->spec, 0, 0), build_insert, rec->spec, &s, err);
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
    return rc == SQLITE_DONE ? BF_OK : sq_constraint_error(err, c, rc, "insert");
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
    if ((r = sq_stmt_get(c, sq_shape_key(K_GET, spec, 0, 0), build_get, spec, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        record *rec = record_new(a, spec);
        if (rec == NULL) {
            sqlite3_reset(s);
            return BF_ERR_NOMEM;
        }
        sq_read_record(a, s, rec);
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
    r = sq_stmt_get(c, sq_shape_key(K_UPDATE, rec->spec, 0, 0), build_update, rec->spec, &s, err);
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
        return sq_constraint_error(err, c, rc, "update");
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
    if ((r = sq_stmt_get(c, sq_shape_key(K_DELETE, spec, 0, 0), build_delete, spec, &s, err)) !=
        BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    sqlite3_bind_int64(s, 2, expected);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        r = sq_constraint_error(err, c, rc, "delete");
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
    r = sq_stmt_get(c, sq_shape_key(K_SET_WHERE, spec, (uint64_t)fi, (uint64_t)wi), build_set_where,
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
    return rc == SQLITE_DONE ? BF_OK : sq_constraint_error(err, c, rc, "update");
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
    sqlite3_stmt *s;
    r = sq_stmt_get(c, sq_shape_key(K_VISIBLE, spec, sq_visibility_shape(who), 0), build_visible,
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
