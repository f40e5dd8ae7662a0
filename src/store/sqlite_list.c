/* The store's lists: keyset pages of records in the order asked,
 * filtered, searched and checked for the viewer (see store.h). */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite.h"

/* ---- lists ------------------------------------------------------------------- */

/* The shape of a list query: which (field, op) filters, search, sort and
 * direction, and whether a cursor is given. Values are not part of it. */
typedef struct list_shape {
    const list_query *q;
    uint64_t filter_bits;
    int aside;    /* SQ_ASIDE_*: how a list by people reads the deals seen aside */
    bool lateral; /* PostgreSQL: a page per person is a LATERAL subquery, and a
                     deal's scope is checked by a seek (build_list_walk_all) */
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

/* The ORDER BY expression of the query's sort key; NULLs sort as the lowest
 * value. Each has an index on this very expression (migration 7). */
static bf_result append_sort_expr(buf *b, const list_query *q)
{
    if (q->sort_field == LIST_SORT_CREATED)
        return buf_append_str(b, "created_at");
    const field_spec *f = &q->spec->fields[q->sort_field];
    return buf_printf(b, "COALESCE(%s, %s)", f->name, field_is_numeric(f) ? "-1" : "''");
}

/* An equality filter on a category (a stage, a status, a currency) picks
 * many rows: it is checked on the rows an index gives in the order asked,
 * never used to pick rows and sort them all, so its column is wrapped to
 * keep the planner off its index. References (an account, an owner) pick
 * few rows and are left to their indexes. */
static bf_result append_filter(buf *b, const field_spec *f, list_op op, int param)
{
    static const char *const ops[] = {"=", ">=", "<="};
    bool category = op == LIST_EQ && f->type != FIELD_REF && strcmp(f->name, "owner") != 0;
    if (!category)
        return buf_printf(b, " AND %s %s ?%d", f->name, ops[op], param);
    return buf_printf(b, field_is_numeric(f) ? " AND (%s + 0) = ?%d" : " AND (%s || '') = ?%d",
                      f->name, param);
}

/* The conditions of the query on a row, each led by " AND ": filters,
 * a deal's team and stalled, search, and the keyset cursor. Parameters: ?1
 * limit, ?2 cursor value, ?3 cursor id, ?4 search, then one per filter bit
 * in bit order; ?70 team, ?71 stalled since; the tags of ?tag= from ?100
 * (SQ_TAG_PARAM). */
static bf_result append_conditions(buf *b, const list_shape *shape)
{
    const list_query *q = shape->q;
    bf_result r = BF_OK;
    int param = 5;
    for (int bit = 0; bit < 64 && r == BF_OK; bit++)
        if (shape->filter_bits & (1ULL << bit))
            r = append_filter(b, &q->spec->fields[bit_field(q->spec, bit)], (list_op)(bit % 3),
                              param++);
    if (q->team_id && r == BF_OK)
        r = buf_append_str(b, " AND owner_id IN (SELECT tu.id FROM users tu JOIN team_scopes tts "
                              "ON tts.team_id = tu.team_id WHERE tts.scope = 's:' || ?70)");
    if (q->stage_before && r == BF_OK)
        r = buf_append_str(b, " AND status = 'open' AND stage_changed_at < ?71");
    /* Each group of ?tag= a seek of record_tags by (resource, tag); its
     * slots past the tags given repeat the first (sq_bind_tag_groups), so
     * that the statement's shape is the number of groups alone. */
    for (size_t g = 0; g < q->ntag_groups && r == BF_OK; g++) {
        r = buf_printf(b,
                       " AND id IN (SELECT rt.record_id FROM record_tags rt WHERE rt.resource = "
                       "'%s' AND rt.tag IN (",
                       q->spec->name);
        for (int k = 0; k < LIST_TAGS_PER_GROUP && r == BF_OK; k++)
            r = buf_printf(b, "%s?%d", k ? ", " : "", SQ_TAG_PARAM(g, k));
        if (r == BF_OK)
            r = buf_append_str(b, "))");
    }
    if (q->search && r == BF_OK) {
        r = buf_append_str(b, " AND (1 = 0");
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
    return r;
}

/* " ORDER BY <key> <dir>, id <dir> LIMIT ?1", the key named or composed. */
static bf_result append_order(buf *b, const list_query *q, const char *key)
{
    const char *dir = q->desc ? "DESC" : "ASC";
    bf_result r = buf_append_str(b, " ORDER BY ");
    if (r == BF_OK)
        r = key ? buf_append_str(b, key) : append_sort_expr(b, q);
    return r == BF_OK ? buf_printf(b, " %s, id %s LIMIT ?1", dir, dir) : r;
}

/* A list of deals for a viewer who sees them through people: the first
 * page of each person's own deals, each from an index led by the owner,
 * and the page of the deals seen aside (deal teams), merged. It reads a
 * page per person, however many deals there are; the deals seen aside are
 * read one by one while they are few, and picked out of the sort's index
 * (viewer_scope, migration 10) once they are many. */
static bf_result build_list_by_people(buf *b, const list_shape *shape)
{
    const list_query *q = shape->q;
    bf_result r = sq_append_visibility_with(b, q->who);
    int branches = shape->aside == SQ_ASIDE_NONE ? 1 : 2;
    bool walk = shape->aside == SQ_ASIDE_WALK;
    for (int branch = 0; branch < branches && r == BF_OK; branch++) {
        /* SQLite pages each person in a correlated IN (SELECT … LIMIT);
         * PostgreSQL, which would run that for every deal, in a LATERAL
         * subquery (which SQLite lacks). */
        r = buf_append_str(b, branch == 0 && shape->lateral
                                  ? "SELECT own.* FROM (SELECT id AS person FROM people) p CROSS "
                                    "JOIN LATERAL (SELECT "
                              : branch == 0 ? "SELECT "
                              : walk        ? " UNION ALL SELECT * FROM (SELECT "
                                            : " UNION ALL SELECT ");
        if (r == BF_OK)
            r = sq_append_columns(b, q->spec);
        if (r == BF_OK)
            r = buf_append_str(b, ", ");
        if (r == BF_OK)
            r = append_sort_expr(b, q);
        if (r == BF_OK && branch == 0 && shape->lateral)
            r = buf_append_str(b, " AS sort_key FROM opportunities WHERE owner_id = p.person");
        if (r == BF_OK && branch == 0 && !shape->lateral)
            r = buf_append_str(b, " AS sort_key FROM (SELECT id AS person FROM people) p "
                                  "JOIN opportunities ON opportunities.id IN (SELECT id FROM "
                                  "opportunities WHERE owner_id = p.person");
        if (r == BF_OK && branch == 1 && walk)
            r = buf_append_str(b, " AS sort_key FROM opportunities WHERE EXISTS (SELECT 1 FROM "
                                  "deal_scopes ds WHERE ds.scope = (SELECT id FROM viewer_scope) "
                                  "AND ds.opportunity_id = "
                                  "opportunities.id) AND COALESCE(opportunities.owner_id, '') "
                                  "NOT IN (SELECT id FROM people)");
        if (r == BF_OK && branch == 1 && !walk)
            r = buf_append_str(b, " FROM opportunities WHERE ");
        if (r == BF_OK && branch == 1 && !walk)
            r = sq_append_deals_aside(b, q->who, "opportunities");
        if (r == BF_OK)
            r = append_conditions(b, shape);
        if (r == BF_OK && (branch == 0 || walk))
            r = append_order(b, q, NULL);
        if (r == BF_OK && branch == 0)
            r = buf_append_str(b, shape->lateral ? ") AS own" : ")");
        if (r == BF_OK && branch == 1 && walk)
            r = buf_append_str(b, ") AS aside");
    }
    return r == BF_OK ? append_order(b, q, "sort_key") : r;
}

/* A list of deals for a viewer who sees them through people, walked in
 * the order asked (the sort's index, or a named owner's), each deal checked:
 * one of the people's, or in the viewer's scope (viewer_scope, migration 10). Cheap
 * when the viewer sees many of the deals walked. */
static bf_result build_list_walk_all(buf *b, const list_shape *shape)
{
    const list_query *q = shape->q;
    bf_result r = sq_append_visibility_with(b, q->who);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT ");
    if (r == BF_OK)
        r = sq_append_columns(b, q->spec);
    if (r == BF_OK)
        r = buf_append_str(b, " FROM opportunities WHERE (owner_id IN (SELECT id FROM people) OR "
                              "EXISTS (SELECT 1 FROM deal_scopes ds WHERE ds.scope = (SELECT id "
                              "FROM viewer_scope) AND "
                              "ds.opportunity_id = opportunities.id");
    /* PostgreSQL turns an EXISTS under OR into a hashed IN (SELECT …): every
     * deal of the scope read and hashed first (50,000 at a million deals),
     * however few the walk passes. OFFSET 0 keeps it a seek per deal in
     * deal_scopes, made only for the deals the cheaper conditions let by. */
    if (r == BF_OK)
        r = buf_append_str(b, shape->lateral ? " OFFSET 0))" : "))");
    if (r == BF_OK)
        r = append_conditions(b, shape);
    return r == BF_OK ? append_order(b, q, NULL) : r;
}

static bf_result build_list(buf *b, const void *ctx)
{
    const list_shape *shape = ctx;
    const list_query *q = shape->q;
    if (q->spec == &resource_opportunities && sq_visibility_by_people(q->who))
        return shape->aside == SQ_WALK_ALL ? build_list_walk_all(b, shape)
                                           : build_list_by_people(b, shape);
    bool aside = q->spec == &resource_opportunities && q->who != NULL && q->who->role != ROLE_ADMIN;
    bf_result r = sq_append_visibility_with(b, q->who);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT ");
    if (r == BF_OK)
        r = sq_append_columns(b, q->spec);
    if (r == BF_OK)
        r = buf_printf(b, " FROM %s WHERE ", q->spec->name);
    /* Partners and implementation see a few deals, read by their ids. */
    if (r == BF_OK)
        r = aside ? sq_append_deals_aside(b, q->who, q->spec->name)
                  : sq_append_visibility_where(b, q->spec, q->spec->name, q->who);
    if (r == BF_OK)
        r = append_conditions(b, shape);
    return r == BF_OK ? append_order(b, q, NULL) : r;
}

void sq_bind_tag_groups(db_stmt *s, const list_query *q)
{
    for (size_t g = 0; g < q->ntag_groups; g++)
        for (size_t k = 0; k < LIST_TAGS_PER_GROUP; k++)
            sq_bind_text(s, SQ_TAG_PARAM(g, k),
                         q->tag_groups[g].tags[k < q->tag_groups[g].n ? k : 0]);
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
static bf_result records_bind_list(db_stmt *s, arena *a, const list_query *q, uint64_t filter_bits)
{
    db_bind_int64(s, 1, q->limit + 1);
    sq_bind_viewer(s, q->who);
    if (q->after) {
        const field_spec *f =
            q->sort_field == LIST_SORT_CREATED ? NULL : &q->spec->fields[q->sort_field];
        if (f && field_is_numeric(f))
            db_bind_int64(s, 2, q->after_num);
        else
            sq_bind_text(s, 2, q->after_text);
        sq_bind_text(s, 3, q->after_id);
    }
    if (q->team_id)
        sq_bind_text(s, 70, q->team_id);
    if (q->stage_before)
        sq_bind_text(s, 71, q->stage_before);
    sq_bind_tag_groups(s, q);
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
                db_bind_int64(s, param, lf->num);
            else
                sq_bind_text(s, param, lf->text);
        }
        param++;
    }
    return BF_OK;
}

/* Steps the bound list statement s into out: up to q->limit records, and
 * whether there are more; resets s. */
static bf_result records_read_page(conn *c, db_stmt *s, arena *a, const list_query *q,
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
    while ((rc = db_step(s)) == DB_ROW) {
        if (out->n == cap) {
            out->more = true;
            break;
        }
        record *rec = record_new(a, q->spec);
        if (rec == NULL) {
            db_reset(s);
            return BF_ERR_NOMEM;
        }
        sq_read_record(a, s, rec);
        out->items[out->n++] = rec;
    }
    if (rc != DB_ROW && rc != DB_DONE)
        r = sq_db_error(err, c->db, rc, "list");
    db_reset(s);
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
    list_shape shape = {q, 0, SQ_ASIDE_NONE, db_dialect_of(c->db) == DB_POSTGRES};
    if ((r = records_shape_filters(q, &shape, err)) != BF_OK)
        return r;
    bool by_people = q->spec == &resource_opportunities && sq_visibility_by_people(q->who);
    bool owner_filter = false;
    for (size_t i = 0; i < q->nfilters; i++) {
        const char *name = q->spec->fields[q->filters[i].field].name;
        owner_filter =
            owner_filter || (q->filters[i].op == LIST_EQ &&
                             (strcmp(name, "owner_id") == 0 || strcmp(name, "owner") == 0));
    }
    if (by_people && (r = sq_choose_deals_read(st, c, q->who, q->limit, owner_filter, &shape.aside,
                                               err)) != BF_OK)
        return r;
    uint64_t options = (uint64_t)(q->sort_field + 1) | ((uint64_t)(q->search != NULL) << 8) |
                       ((uint64_t)q->after << 9) | ((uint64_t)q->desc << 10) |
                       (sq_visibility_shape(q->who) << 12) | ((uint64_t)shape.aside << 20) |
                       ((uint64_t)(q->team_id != NULL) << 24) |
                       ((uint64_t)(q->stage_before != NULL) << 25) |
                       ((uint64_t)q->ntag_groups << 26);
    stmt_key key = sq_shape_key(K_LIST, q->spec, options, shape.filter_bits);
    db_stmt *s;
    if ((r = sq_stmt_get(c, key, build_list, &shape, &s, err)) != BF_OK)
        return r;
    /* A page per person (a salesperson's or a manager's list of everything
     * they see) is planned for the viewer's people each time; the others
     * (an admin's, or one owner's deals) do best with one plan for all: at
     * 300,000 deals on PostgreSQL, planning each execution cost an owner's
     * list a quarter of its time. */
    db_plan_generic(s, !by_people || owner_filter);
    if ((r = records_bind_list(s, a, q, shape.filter_bits)) != BF_OK) {
        db_reset(s);
        return r;
    }
    return records_read_page(c, s, a, q, out, err);
}
