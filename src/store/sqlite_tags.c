/* The store's tags: which tags the records a viewer sees carry, and how many
 * of them each (see store.h). The rows and counts are written with the
 * records (sqlite_records.c, migration 32). */
#include <string.h>

#include "store/sqlite.h"

/* Every record's tags, counted as they are written: an admin's answer, and
 * how many rows of record_tags a resource has. */
static const char SQL_TAG_TOTALS[] =
    "SELECT tag, records FROM tag_counts WHERE resource = ?1 ORDER BY tag LIMIT ?2";
static const char SQL_TAG_ROWS[] =
    "SELECT COALESCE(SUM(records), 0) FROM tag_counts WHERE resource = ?1";

/* The tagged records of a resource in the order of the index of their tags,
 * at most ?2 rows of it, each record asked whether the viewer sees it (a
 * seek, as the lists ask it), counted by tag. */
static bf_result build_tag_counts(buf *b, const void *ctx)
{
    const list_query *q = ctx;
    bf_result r = sq_append_visibility_with(b, q->who);
    if (r == BF_OK)
        r = buf_printf(b,
                       "SELECT rt.tag, COUNT(*) FROM (SELECT tag, record_id FROM record_tags "
                       "WHERE resource = ?1 ORDER BY tag, record_id LIMIT ?2) rt JOIN %s x ON "
                       "x.id = rt.record_id WHERE ",
                       q->spec->name);
    if (r == BF_OK)
        r = sq_append_visibility_where(b, q->spec, "x", q->who);
    return r == BF_OK ? buf_append_str(b, " GROUP BY rt.tag ORDER BY rt.tag") : r;
}

static void read_tag_count(arena *a, db_stmt *s, void *row)
{
    tag_count *t = row;
    t->tag = sq_column_text(a, s, 0);
    t->records = db_column_int64(s, 1);
}

bf_result store_tag_counts(store *st, arena *a, const viewer *who, const resource_spec *spec,
                           tag_count **out, size_t *n, bool *complete, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_TAG_ROWS, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, spec->name);
    int rc = db_step(s);
    int64_t rows = rc == DB_ROW ? db_column_int64(s, 0) : 0;
    db_reset(s);
    if (rc != DB_ROW)
        return sq_db_error(err, c->db, rc, "tag counts");
    bool all = who == NULL || who->role == ROLE_ADMIN;
    if (all) {
        r = sq_prepare(st, SQL_TAG_TOTALS, &c, &s, err);
        *complete = true;
    } else {
        list_query shape = {.spec = spec, .who = who};
        r = sq_stmt_get(c, sq_shape_key(K_TAG_COUNTS, spec, sq_visibility_shape(who), 0),
                        build_tag_counts, &shape, &s, err);
        *complete = rows <= STORE_TAG_WALK;
    }
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, spec->name);
    db_bind_int64(s, 2, all ? STORE_TAGS_MAX + 1 : STORE_TAG_WALK);
    sq_bind_viewer(s, who);
    void *items = NULL;
    if ((r = sq_collect(c, s, a, sizeof(tag_count), read_tag_count, "tag counts", &items, n,
                        err)) != BF_OK)
        return r;
    *out = items;
    if (*n > STORE_TAGS_MAX) {
        *n = STORE_TAGS_MAX;
        *complete = false;
    }
    return BF_OK;
}
