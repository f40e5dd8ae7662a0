/* The SQLite backend's records: one statement per shape of get, insert,
 * update, delete and list, composed from the resource field tables (see
 * store.h). */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite.h"

/* ---- statement shapes of the record functions -------------------------------- */

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
    return buf_printf(b, "COALESCE(%s, %s)", f->name, field_is_numeric(f) ? "-1" : "''");
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
        r = sq_append_visibility_where(b, q->spec, q->spec->name, q->who);
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

/* Sets shape->filter_bits, one bit per filter of q (field and operator);
 * a filter given twice is refused. */
static bf_result records_shape_filters(const list_query *q, list_shape *shape, bf_error *err)
{
    for (size_t i = 0; i < q->nfilters; i++) {
        const field_spec *f = &q->spec->fields[q->filters[i].field];
        BF_ASSERT((f->flags & FIELD_FILTER) && q->filters[i].op <= LIST_LTE);
        int n = filter_bit(q->spec, q->filters[i].field, q->filters[i].op);
        BF_ASSERT(n < 64);
        uint64_t bit = 1ULL << n;
        if (shape->filter_bits & bit)
            return bf_fail(
                err, BF_ERR_INVALID, "duplicate_filter", q->spec->fields[q->filters[i].field].name,
                "the filter %s is given twice", q->spec->fields[q->filters[i].field].name);
        shape->filter_bits |= bit;
    }
    return BF_OK;
}

/* Binds the parameters of the list statement s: the limit, the viewer, the
 * cursor, the search and the filters (in bit order, as the SQL was
 * composed). */
static bf_result records_bind_list(sqlite3_stmt *s, arena *a, const list_query *q,
                                   uint64_t filter_bits)
{
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
    int param = 5;
    for (int bit = 0; bit < 64; bit++) {
        if (!(filter_bits & (1ULL << bit)))
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
    return BF_OK;
}

/* Steps the bound list statement s into out: up to q->limit records, and
 * whether there are more; resets s. */
static bf_result records_read_page(conn *c, sqlite3_stmt *s, arena *a, const list_query *q,
                                   record_page *out, bf_error *err)
{
    size_t cap = (size_t)q->limit;
    out->items = arena_calloc(a, cap, sizeof(record *));
    out->n = 0;
    out->more = false;
    if (out->items == NULL)
        return BF_ERR_NOMEM;
    bf_result r = BF_OK;
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

bf_result store_record_list(store *st, arena *a, const list_query *q, record_page *out,
                            bf_error *err)
{
    BF_ASSERT(q->limit >= 1 && q->limit <= LIST_MAX_LIMIT);
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    list_shape shape = {q, 0};
    if ((r = records_shape_filters(q, &shape, err)) != BF_OK)
        return r;
    uint64_t options = (uint64_t)(q->sort_field + 1) | ((uint64_t)(q->search != NULL) << 8) |
                       ((uint64_t)q->after << 9) | ((uint64_t)q->desc << 10) |
                       (sq_visibility_shape(q->who) << 12);
    stmt_key key = sq_shape_key(K_LIST, q->spec, options, shape.filter_bits);
    sqlite3_stmt *s;
    if ((r = sq_stmt_get(c, key, build_list, &shape, &s, err)) != BF_OK)
        return r;
    if ((r = records_bind_list(s, a, q, shape.filter_bits)) != BF_OK)
        return r;
    return records_read_page(c, s, a, q, out, err);
}
