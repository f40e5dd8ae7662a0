/* What a user's calendar feed reads (docs/calendar.md): the activities the
 * user owns planned in a window, through the index of (owner_id,
 * planned_at), and the tender key dates of the deals the user sees in a
 * window, kept a row a date (tender_dates, migration 31). */
#include <string.h>

#include "store/sqlite.h"

/* ---- activities ------------------------------------------------------------------ */

/* The deal's and the account's names stand beside an activity only when the
 * viewer sees them: its owner always sees the activity, not always its deal. */
static bf_result build_activities(buf *b, const void *ctx)
{
    const viewer *v = ctx;
    bf_result r = sq_append_visibility_with(b, v);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT a.id, a.type, a.subject, a.purpose, a.planned_at, "
                              "a.done_at, a.updated_at, a.opportunity_id, CASE WHEN ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_opportunities, "o", v);
    if (r == BF_OK)
        r = buf_append_str(b, " THEN o.name END, a.account_id, CASE WHEN ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_accounts, "c", v);
    if (r == BF_OK)
        r = buf_append_str(b, " THEN c.name END FROM activities a LEFT JOIN opportunities o ON "
                              "o.id = a.opportunity_id LEFT JOIN accounts c ON c.id = "
                              "a.account_id WHERE a.owner_id = ?1 AND a.planned_at >= ?2 AND "
                              "a.planned_at < ?3 ORDER BY a.planned_at, a.id LIMIT ?4");
    return r;
}

static void read_activity(arena *a, db_stmt *s, void *row)
{
    calendar_activity *e = row;
    e->id = sq_column_text(a, s, 0);
    e->type = sq_column_text(a, s, 1);
    e->subject = sq_column_text(a, s, 2);
    e->purpose = sq_column_text(a, s, 3);
    e->planned_at = sq_column_text(a, s, 4);
    e->done_at = sq_column_text(a, s, 5);
    e->updated_at = sq_column_text(a, s, 6);
    e->opportunity_id = sq_column_text(a, s, 7);
    e->opportunity = sq_column_text(a, s, 8);
    e->account_id = sq_column_text(a, s, 9);
    e->account = sq_column_text(a, s, 10);
}

bf_result store_calendar_activities(store *st, arena *a, const viewer *v, const char *from,
                                    const char *to, int max, calendar_activity **out, size_t *n,
                                    bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    r = sq_stmt_get(c, sq_shape_key(K_CALENDAR, &resource_activities, sq_visibility_shape(v), 0),
                    build_activities, v, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, v);
    sq_bind_text(s, 1, v->user_id);
    sq_bind_text(s, 2, from);
    sq_bind_text(s, 3, to);
    db_bind_int64(s, 4, max);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(calendar_activity), read_activity, "calendar", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}

/* ---- tender key dates ------------------------------------------------------------ */

/* The dates of the deals still open or won: a lost or abandoned deal's bid is
 * no one's work any more. */
#define TENDER_COLUMNS                                                                             \
    "SELECT td.opportunity_id, td.kind, td.day, td.updated_at, o.name, c.name, o.owner FROM "      \
    "tender_dates td JOIN opportunities o ON o.id = td.opportunity_id LEFT JOIN accounts c ON "    \
    "c.id = o.account_id WHERE td.day >= ?1 AND td.day <= ?2 AND o.status NOT IN ('lost', "        \
    "'abandoned')"
#define IN_SCOPE                                                                                   \
    "EXISTS (SELECT 1 FROM deal_scopes ds WHERE ds.scope = (SELECT id FROM viewer_scope) AND "     \
    "ds.opportunity_id = td.opportunity_id"

/* How the dates are read (as a list of deals is, sq_choose_deals_read): an
 * admin walks the days; one who sees deals through people reads their
 * people's by owner and day, and the deals they see aside one by one
 * (SQ_ASIDE_BY_MEMBERS) or by walking the days (SQ_ASIDE_WALK), or walks
 * the days checking each deal (SQ_WALK_ALL: they see most); a partner or an
 * implementer reads their few deals one by one. */
typedef struct tender_shape {
    const viewer *who;
    int aside;    /* SQ_* */
    bool lateral; /* PostgreSQL: OFFSET 0 keeps the EXISTS a seek per row */
} tender_shape;

static bf_result build_tender_dates(buf *b, const void *ctx)
{
    const tender_shape *shape = ctx;
    const viewer *v = shape->who;
    bf_result r = sq_append_visibility_with(b, v);
    if (r == BF_OK)
        r = buf_append_str(b, TENDER_COLUMNS);
    if (r != BF_OK || v == NULL || v->role == ROLE_ADMIN)
        return r == BF_OK ? buf_append_str(b, " ORDER BY 3, 1, 2 LIMIT ?3") : r;
    if (!sq_visibility_by_people(v)) {
        r = buf_append_str(b, " AND ");
        if (r == BF_OK)
            r = sq_append_deals_aside(b, v, "o");
        return r == BF_OK ? buf_append_str(b, " ORDER BY 3, 1, 2 LIMIT ?3") : r;
    }
    if (shape->aside == SQ_WALK_ALL) {
        r = buf_append_str(b, " AND (td.owner_id IN (SELECT id FROM people) OR " IN_SCOPE);
        if (r == BF_OK)
            r = buf_append_str(b, shape->lateral ? " OFFSET 0))" : "))");
        return r == BF_OK ? buf_append_str(b, " ORDER BY 3, 1, 2 LIMIT ?3") : r;
    }
    /* Their people's, by owner and day (an index), then the deals aside. */
    r = buf_append_str(b, " AND td.owner_id IN (SELECT id FROM people)");
    if (r == BF_OK && shape->aside == SQ_ASIDE_WALK)
        r = buf_append_str(b, " UNION ALL " TENDER_COLUMNS " AND " IN_SCOPE
                              ") AND COALESCE(td.owner_id, '') NOT IN (SELECT id FROM people)");
    if (r == BF_OK && shape->aside == SQ_ASIDE_BY_MEMBERS) {
        r = buf_append_str(b, " UNION ALL " TENDER_COLUMNS " AND ");
        if (r == BF_OK)
            r = sq_append_deals_aside(b, v, "o");
    }
    return r == BF_OK ? buf_append_str(b, " ORDER BY 3, 1, 2 LIMIT ?3") : r;
}

static void read_tender_date(arena *a, db_stmt *s, void *row)
{
    calendar_tender_date *d = row;
    d->opportunity_id = sq_column_text(a, s, 0);
    d->kind = sq_column_text(a, s, 1);
    d->day = sq_column_text(a, s, 2);
    d->updated_at = sq_column_text(a, s, 3);
    d->opportunity = sq_column_text(a, s, 4);
    d->account = sq_column_text(a, s, 5);
    d->owner = sq_column_text(a, s, 6);
}

bf_result store_calendar_tender_dates(store *st, arena *a, const viewer *v, const char *from,
                                      const char *to, int max, calendar_tender_date **out,
                                      size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    tender_shape shape = {v, SQ_ASIDE_NONE, db_dialect_of(c->db) == DB_POSTGRES};
    if (sq_visibility_by_people(v) &&
        (r = sq_choose_deals_read(st, c, v, max, false, &shape.aside, err)) != BF_OK)
        return r;
    db_stmt *s;
    r = sq_stmt_get(c,
                    sq_shape_key(K_CALENDAR, &resource_opportunities,
                                 sq_visibility_shape(v) | ((uint64_t)shape.aside << 12), 0),
                    build_tender_dates, &shape, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, v);
    sq_bind_text(s, 1, from);
    sq_bind_text(s, 2, to);
    db_bind_int64(s, 3, max);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(calendar_tender_date), read_tender_date, "calendar", &rows,
                        n, err)) == BF_OK)
        *out = rows;
    return r;
}

static const char SQL_TENDER_DATES_FORGET[] = "DELETE FROM tender_dates WHERE opportunity_id = ?1";
static const char SQL_TENDER_DATE_KEEP[] =
    "INSERT INTO tender_dates (opportunity_id, kind, day, owner_id, updated_at) "
    "SELECT id, ?2, ?3, owner_id, ?4 FROM opportunities WHERE id = ?1";

/* Runs a write of the deal's dates (kind and day bound when not NULL). */
static bf_result tender_date_write(store *st, const char *sql, const char *opportunity_id,
                                   const char *kind, const char *day, const char *now,
                                   bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    if (kind != NULL) {
        sq_bind_text(s, 2, kind);
        sq_bind_text(s, 3, day);
        sq_bind_text(s, 4, now);
    }
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_constraint_error(err, c, rc, "tender dates");
}

static bf_result tender_dates_put_in_tx(store *st, const char *opportunity_id,
                                        const char *const *kinds, const char *const *days, size_t n,
                                        bf_error *err)
{
    char now[32];
    store_now(now, sizeof(now));
    bf_result r =
        tender_date_write(st, SQL_TENDER_DATES_FORGET, opportunity_id, NULL, NULL, NULL, err);
    for (size_t i = 0; i < n && r == BF_OK; i++)
        if (kinds[i] != NULL && days[i] != NULL)
            r = tender_date_write(st, SQL_TENDER_DATE_KEEP, opportunity_id, kinds[i], days[i], now,
                                  err);
    return r;
}

bf_result store_tender_dates_put(store *st, const char *opportunity_id, const char *const *kinds,
                                 const char *const *days, size_t n, bf_error *err)
{
    IN_TRANSACTION(st, err, tender_dates_put_in_tx(st, opportunity_id, kinds, days, n, err));
}
