/* The store's reports: the funnel, the forecast and stalled deals, over the
 * deals the viewer sees (see store.h). */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite.h"

/* ---- reports --------------------------------------------------------------------- */

/* The funnel and the forecast add up the totals kept per owner (migration
 * 7) for the owners the viewer sees, and the totals kept per scope of the
 * deals on whose deal team the viewer's people are (migration 10), less
 * those owners. A partner's registrations and an implementer's hand-overs,
 * few, are read deal by deal. Neither reads every open deal. Parameters: ?1
 * playbook or currency, ?2 currency, ?3 owner name, ?4 owner id, ?5 team;
 * the viewer's scope is viewer_scope (sq_append_visibility_with). */

/* Whether the viewer sees every deal of some owners (and so reads totals). */
static bool reads_totals(const viewer *who)
{
    return who == NULL || who->role == ROLE_ADMIN || who->role == ROLE_SALES ||
           who->role == ROLE_CONSULTANT || who->role == ROLE_MANAGER;
}

static bool sees_all_deals(const viewer *who)
{
    return who == NULL || who->role == ROLE_ADMIN;
}

/* The conditions of the funnel's owner, owner id and team on the rows of
 * alias t (each led by " AND "). */
static bf_result append_funnel_owner(buf *b, const funnel_query *q, const char *t)
{
    bf_result r = BF_OK;
    if (q->owner)
        r = buf_printf(b, " AND %sowner = ?3", t);
    if (r == BF_OK && q->owner_id)
        r = buf_printf(b, " AND %sowner_id = ?4", t);
    if (r == BF_OK && q->team_id)
        r = buf_printf(b,
                       " AND %sowner_id IN (SELECT tu.id FROM users tu JOIN team_scopes tts ON "
                       "tts.team_id = tu.team_id WHERE tts.scope = 's:' || CAST(?5 AS TEXT))",
                       t);
    return r;
}

static bf_result build_funnel(buf *b, const void *ctx)
{
    const funnel_query *q = ctx;
    bf_result r = sq_append_visibility_with(b, q->who);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT stage, SUM(deals), SUM(amount), SUM(weighted), "
                              "SUM(CASE WHEN mant_complete = 0 THEN deals ELSE 0 END), "
                              "SUM(CASE WHEN mant_complete = 0 THEN amount ELSE 0 END), "
                              "SUM(CASE WHEN mant_complete = 0 THEN weighted ELSE 0 END) FROM (");
    if (r == BF_OK && reads_totals(q->who))
        r = buf_append_str(b, "SELECT stage, mant_complete, deals, amount, weighted "
                              "FROM funnel_totals WHERE playbook = ?1 AND currency = ?2");
    if (r == BF_OK && reads_totals(q->who) && !sees_all_deals(q->who))
        r = buf_append_str(b, " AND owner_id IN (SELECT id FROM people)");
    if (r == BF_OK && reads_totals(q->who))
        r = append_funnel_owner(b, q, "");
    if (r == BF_OK && reads_totals(q->who) && !sees_all_deals(q->who)) {
        /* The deals of the viewer's scope (migration 10) whose owners are
         * not counted above. */
        r = buf_append_str(b, " UNION ALL SELECT stage, mant_complete, deals, amount, weighted "
                              "FROM aside_funnel_totals WHERE scope = (SELECT id FROM "
                              "viewer_scope) AND playbook = ?1 AND "
                              "currency = ?2 AND owner_id NOT IN (SELECT id FROM people)");
        if (r == BF_OK)
            r = append_funnel_owner(b, q, "");
    }
    if (r == BF_OK && !reads_totals(q->who))
        r = buf_append_str(b, "SELECT stage, mant_complete, 1 AS deals, amount, "
                              "amount * probability AS weighted "
                              "FROM opportunities o WHERE (o.playbook || '') = ?1 AND "
                              "(o.currency || '') = ?2 AND (o.status || '') = 'open' AND ");
    if (r == BF_OK && !reads_totals(q->who))
        r = sq_append_deals_aside(b, q->who, "o");
    if (r == BF_OK && !reads_totals(q->who))
        r = append_funnel_owner(b, q, "o.");
    if (r == BF_OK)
        r = buf_append_str(b, ") AS rows_seen GROUP BY stage HAVING SUM(deals) > 0");
    return r;
}

static void read_funnel_row(arena *a, db_stmt *s, void *row)
{
    funnel_row *f = row;
    f->stage = sq_column_text(a, s, 0);
    f->count = db_column_int64(s, 1);
    f->amount = db_column_int64(s, 2);
    f->weighted = db_column_int64(s, 3);
    f->pre_count = db_column_int64(s, 4);
    f->pre_amount = db_column_int64(s, 5);
    f->pre_weighted = db_column_int64(s, 6);
}

bf_result store_report_funnel(store *st, arena *a, const funnel_query *q, funnel_row **out,
                              size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    db_stmt *s;
    uint64_t options = (uint64_t)(q->owner != NULL) | ((uint64_t)(q->owner_id != NULL) << 1) |
                       ((uint64_t)(q->team_id != NULL) << 2) | (sq_visibility_shape(q->who) << 12);
    if ((r = sq_stmt_get(c, sq_shape_key(K_FUNNEL, &resource_opportunities, options, 0),
                         build_funnel, q, &s, err)) != BF_OK)
        return r;
    sq_bind_viewer(s, q->who);
    sq_bind_text(s, 1, q->playbook);
    sq_bind_text(s, 2, q->currency);
    if (q->owner)
        sq_bind_text(s, 3, q->owner);
    if (q->owner_id)
        sq_bind_text(s, 4, q->owner_id);
    if (q->team_id)
        sq_bind_text(s, 5, q->team_id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(funnel_row), read_funnel_row, "funnel", &rows, n, err)) ==
        BF_OK)
        *out = rows;
    return r;
}

#define STALLED_COLUMNS                                                                            \
    "SELECT o.id, o.name, o.owner, o.playbook, o.stage, o.amount, o.currency, "                    \
    "o.stage_changed_at FROM "
#define STALLED_WHERE "o.status = 'open' AND o.stage_changed_at < ?1"
/* The owners of the team's tree (?4). */
#define STALLED_TEAM                                                                               \
    "(SELECT tu.id FROM users tu JOIN team_scopes tts ON tts.team_id = tu.team_id WHERE "          \
    "tts.scope = 's:' || CAST(?4 AS TEXT))"

/* Open deals in the order their stage last changed (an index): for an
 * admin, all of them; for others, and for an admin asking for a team, the
 * first page of each person's they see (an index led by the owner) and the
 * deals they see aside, merged — read one by one while they are few,
 * picked out of the index once they are many (as lists do,
 * sq_choose_aside). Parameters: ?1 before, ?2 limit, ?3 owner, ?4 team. */
typedef struct stalled_shape {
    const stalled_query *q;
    int aside;    /* SQ_ASIDE_* */
    bool lateral; /* PostgreSQL */
} stalled_shape;

/* The owner's and the team's conditions on deal o (each led by " AND "). */
static bf_result append_stalled_owner(buf *b, const stalled_query *q)
{
    bf_result r = q->owner_id ? buf_append_str(b, " AND o.owner_id = ?3") : BF_OK;
    return r == BF_OK && q->team_id ? buf_append_str(b, " AND o.owner_id IN " STALLED_TEAM) : r;
}

/* The persons whose pages are read: the viewer's people (everyone for an
 * admin), of the owner and the team asked for. */
static bf_result append_stalled_persons(buf *b, const stalled_query *q)
{
    bf_result r = buf_append_str(b, sees_all_deals(q->who) ? "(SELECT id AS person FROM users "
                                                             "WHERE 1 = 1"
                                                           : "(SELECT id AS person FROM people "
                                                             "WHERE 1 = 1");
    if (r == BF_OK && q->owner_id)
        r = buf_append_str(b, " AND id = ?3");
    if (r == BF_OK && q->team_id)
        r = buf_append_str(b, " AND id IN " STALLED_TEAM);
    return r == BF_OK ? buf_append_str(b, ") p") : r;
}

static bf_result build_stalled(buf *b, const void *ctx)
{
    const stalled_shape *shape = ctx;
    const stalled_query *q = shape->q;
    const viewer *who = q->who;
    bf_result r = sq_append_visibility_with(b, who);
    /* An admin's: the whole index, or one owner's part of it. */
    if (r == BF_OK && sees_all_deals(who) && q->team_id == NULL)
        return buf_append_str(b, q->owner_id ? STALLED_COLUMNS
                                     "opportunities o WHERE o.owner_id = ?3 AND " STALLED_WHERE
                                     " ORDER BY o.stage_changed_at, o.id LIMIT ?2"
                                             : STALLED_COLUMNS
                                     "opportunities o WHERE " STALLED_WHERE
                                     " ORDER BY o.stage_changed_at, o.id LIMIT ?2");
    /* OFFSET 0 on PostgreSQL: a seek per deal walked, not the whole scope
     * hashed first (see build_list_walk_all in sqlite_list.c). */
    if (r == BF_OK && shape->aside == SQ_WALK_ALL) {
        r = buf_append_str(b, STALLED_COLUMNS "opportunities o WHERE " STALLED_WHERE);
        if (r == BF_OK)
            r = append_stalled_owner(b, q);
        if (r == BF_OK)
            r = buf_append_str(b, " AND (o.owner_id IN (SELECT id FROM people) OR EXISTS (SELECT "
                                  "1 FROM deal_scopes ds WHERE ds.scope = (SELECT id FROM "
                                  "viewer_scope) AND ds.opportunity_id = o.id");
        if (r == BF_OK)
            r = buf_append_str(b, shape->lateral ? " OFFSET 0))" : "))");
        return r == BF_OK ? buf_append_str(b, " ORDER BY o.stage_changed_at, o.id LIMIT ?2") : r;
    }
    /* A page per person: a correlated IN (SELECT … LIMIT) for SQLite, a
     * LATERAL subquery for PostgreSQL (see build_list_by_people). */
    bool persons = reads_totals(who);
    if (r == BF_OK && persons && shape->lateral) {
        r = buf_append_str(b, "SELECT o.* FROM ");
        if (r == BF_OK)
            r = append_stalled_persons(b, q);
        if (r == BF_OK)
            r = buf_append_str(b, " CROSS JOIN LATERAL (" STALLED_COLUMNS
                                  "opportunities o WHERE o.owner_id = p.person AND " STALLED_WHERE
                                  " ORDER BY o.stage_changed_at, o.id LIMIT ?2) AS o");
    }
    if (r == BF_OK && persons && !shape->lateral) {
        r = buf_append_str(b, STALLED_COLUMNS);
        if (r == BF_OK)
            r = append_stalled_persons(b, q);
        if (r == BF_OK)
            r = buf_append_str(b, " JOIN opportunities o ON o.id IN "
                                  "(SELECT id FROM opportunities WHERE owner_id = p.person AND "
                                  "status = 'open' AND stage_changed_at < ?1 ORDER BY "
                                  "stage_changed_at, id LIMIT ?2)");
    }
    if (r == BF_OK && persons && shape->aside == SQ_ASIDE_WALK) {
        r = buf_append_str(b, " UNION ALL SELECT * FROM (" STALLED_COLUMNS
                              "opportunities o WHERE " STALLED_WHERE
                              " AND EXISTS (SELECT 1 FROM deal_scopes ds WHERE ds.scope = (SELECT "
                              "id FROM viewer_scope) "
                              "AND ds.opportunity_id = o.id) AND COALESCE(o.owner_id, '') NOT IN "
                              "(SELECT id FROM people)");
        if (r == BF_OK)
            r = append_stalled_owner(b, q);
        if (r == BF_OK)
            r = buf_append_str(b, " ORDER BY o.stage_changed_at, o.id LIMIT ?2) AS aside");
    }
    if (r == BF_OK && (!persons || shape->aside == SQ_ASIDE_BY_MEMBERS)) {
        r = buf_append_str(b, persons ? " UNION ALL " STALLED_COLUMNS
                                        "opportunities o WHERE " STALLED_WHERE " AND "
                                      : STALLED_COLUMNS "opportunities o WHERE " STALLED_WHERE
                                                        " AND ");
        if (r == BF_OK)
            r = sq_append_deals_aside(b, who, "o");
        if (r == BF_OK)
            r = append_stalled_owner(b, q);
    }
    return r == BF_OK ? buf_append_str(b, " ORDER BY 8, 1 LIMIT ?2") : r;
}

static void read_stalled_deal(arena *a, db_stmt *s, void *row)
{
    stalled_deal *d = row;
    d->id = sq_column_text(a, s, 0);
    d->name = sq_column_text(a, s, 1);
    d->owner = sq_column_text(a, s, 2);
    d->playbook = sq_column_text(a, s, 3);
    d->stage = sq_column_text(a, s, 4);
    d->amount = db_column_int64(s, 5);
    d->currency = sq_column_text(a, s, 6);
    d->since = sq_column_text(a, s, 7);
}

bf_result store_report_stalled(store *st, arena *a, const stalled_query *q, stalled_deal **out,
                               size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    const viewer *who = q->who;
    stalled_shape shape = {q, SQ_ASIDE_NONE, db_dialect_of(c->db) == DB_POSTGRES};
    if (reads_totals(who) && !sees_all_deals(who) &&
        (r = sq_choose_deals_read(st, c, who, q->limit, q->owner_id != NULL, &shape.aside, err)) !=
            BF_OK)
        return r;
    uint64_t options = sq_visibility_shape(who) | ((uint64_t)shape.aside << 12) |
                       ((uint64_t)(q->owner_id != NULL) << 16) |
                       ((uint64_t)(q->team_id != NULL) << 17);
    db_stmt *s;
    r = sq_stmt_get(c, sq_shape_key(K_STALLED, &resource_opportunities, options, 0), build_stalled,
                    &shape, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, who);
    sq_bind_text(s, 1, q->before);
    db_bind_int64(s, 2, q->limit);
    if (q->owner_id)
        sq_bind_text(s, 3, q->owner_id);
    if (q->team_id)
        sq_bind_text(s, 4, q->team_id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(stalled_deal), read_stalled_deal, "stalled", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}
