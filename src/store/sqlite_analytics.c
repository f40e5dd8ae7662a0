/* The manager's reports read the summaries of migration 25 (see store.h):
 * the rows of the owners the viewer sees from the summary (everyone's, a
 * manager's tree's, or each owner's), and those of the deals the viewer
 * sees aside — on a deal team, from the scope's rows (migration 28); through
 * a partner's registration or a hand-over, from the views that declare the
 * summaries — added up alike. */
#include <stdio.h>
#include <string.h>

#include "store/sqlite.h"

typedef struct cube_def {
    const char *table, *view;
    const char *dims; /* in cube_row order */
    size_t ndims, nsums;
    const char *sums;      /* of the summary's rows */
    const char *view_sums; /* of the view's rows, one per deal (or per event) */
    bool by_currency;
    const char *date_col; /* filtered from..to; NULL for none */
    const char *aside;    /* the rows of the deals seen aside, per scope (migration 28) */
    bool aside_owners;    /* … with their owner (else only for a read of all owners) */
} cube_def;

static const cube_def cubes[CUBE_COUNT] = {
    [CUBE_FORECAST] = {"forecast_cube", "deal_forecast_rows", "currency, month, playbook, category",
                       4, 3, "SUM(deals) AS s0, SUM(amount) AS s1, SUM(weighted) AS s2",
                       "COUNT(*) AS s0, SUM(v.amount) AS s1, SUM(v.weighted) AS s2", true, "month",
                       "aside_forecast_cube", true},
    [CUBE_OUTCOME] = {"outcome_cube", "deal_outcome_rows",
                      "currency, month, playbook, status, stage, sales_mode, band, reason, won_by",
                      9, 3, "SUM(deals) AS s0, SUM(amount) AS s1, SUM(total_days) AS s2",
                      "COUNT(*) AS s0, SUM(v.amount) AS s1, SUM(v.cycle_days) AS s2", true, "month",
                      "aside_outcome_cube", true},
    [CUBE_FLOW] = {"stage_flow", "deal_flow_rows", "playbook, stage, month, event, days", 5, 2,
                   "SUM(n) AS s0, SUM(total_days) AS s1", "COUNT(*) AS s0, SUM(v.exact_days) AS s1",
                   false, "month", "aside_stage_flow", false},
    [CUBE_STAGE_OUTCOMES] = {"stage_outcomes", "deal_stage_outcome_rows",
                             "playbook, stage, month, won", 4, 1, "SUM(n) AS s0",
                             "COUNT(DISTINCT v.opportunity_id) AS s0", false, "month",
                             "aside_stage_outcomes", false},
    /* 3E: of the owners the viewer sees as their people, not aside. */
    [CUBE_ACTIVITY] = {"activity_days", NULL, "day, type", 2, 1, "SUM(n) AS s0", NULL, false,
                       "day"},
    [CUBE_IDLE] = {"idle_cube", NULL, "day", 1, 1, "SUM(n) AS s0", NULL, false, "day"},
    [CUBE_PLAN] = {"plan_cube", NULL, "day, met", 2, 1, "SUM(n) AS s0", NULL, false, "day"},
    [CUBE_OPEN] = {"funnel_totals", NULL, "playbook", 1, 1, "SUM(deals) AS s0", NULL, false, NULL},
    /* Stage ageing (migration 27), of the owners the viewer sees as their people. */
    [CUBE_AGE_DAYS] = {"age_days", NULL, "day, currency", 2, 2,
                       "SUM(deals) AS s0, SUM(amount) AS s1", NULL, false, "day"},
    [CUBE_AGE_MONTHS] = {"age_months", NULL, "month, currency", 2, 2,
                         "SUM(deals) AS s0, SUM(amount) AS s1", NULL, false, "month"},
    /* The funnel of a window of close dates (migration 36). */
    [CUBE_FUNNEL] = {"funnel_cube", "deal_funnel_rows",
                     "currency, month, playbook, stage, mant_complete", 5, 3,
                     "SUM(deals) AS s0, SUM(amount) AS s1, SUM(weighted) AS s2",
                     "COUNT(*) AS s0, SUM(v.amount) AS s1, SUM(v.weighted) AS s2", true, "month",
                     "aside_funnel_cube", true},
};

/* Which of the query's filters a statement has (its shape). */
enum {
    HAS_PLAYBOOK = 1,
    HAS_OWNER = 2,
    HAS_TEAM = 4,
    HAS_UNDATED = 8,
    BY_OWNER = 16,
    NO_ASIDE = 32,   /* the viewer sees no deal aside (aside_counts): no part for them */
    ROLLUP = 64,     /* the rows of the viewer's people together (migration 26), or ?6's */
    AS_OF = 128,     /* the events from ?7 on taken away again (cube_query.before) */
    ASIDE_KEPT = 256 /* the deals seen aside read from their scope's rows (migration 28) */
};

/* The deals a part of a read computes from the views: those seen aside, or
 * (as of a past day) those seen whose events since ?7 are taken away. */
typedef enum view_part { PART_ASIDE, PART_AFTER } view_part;

typedef struct cube_shape {
    const cube_query *q;
    unsigned has;
    bool pg; /* PostgreSQL: its whole days */
} cube_shape;

static bool sees_all(const viewer *v)
{
    return v == NULL || v->role == ROLE_ADMIN;
}

/* The filters on rows of alias t: ?1 currency, ?2 playbook, ?3..?4 months,
 * ?5 owner, ?6 team. */
static bf_result append_filters(buf *b, const cube_shape *sh, const char *t)
{
    const cube_def *d = &cubes[sh->q->cube];
    bf_result r = d->date_col == NULL ? buf_append_str(b, "1 = 1")
                  : sh->has & HAS_UNDATED
                      ? buf_printf(b, "(%s.%s BETWEEN ?3 AND ?4 OR %s.%s = '')", t, d->date_col, t,
                                   d->date_col)
                      : buf_printf(b, "%s.%s BETWEEN ?3 AND ?4", t, d->date_col);
    if (r == BF_OK && d->by_currency)
        r = buf_printf(b, " AND %s.currency = ?1", t);
    if (r == BF_OK && (sh->has & HAS_PLAYBOOK))
        r = buf_printf(b, " AND %s.playbook = ?2", t);
    if (r == BF_OK && (sh->has & HAS_OWNER))
        r = buf_printf(b, " AND %s.owner_id = ?5", t);
    if (r == BF_OK && (sh->has & HAS_TEAM) && !(sh->has & ROLLUP))
        r = buf_printf(b,
                       " AND %s.owner_id IN (SELECT u.id FROM users u JOIN team_scopes ts ON "
                       "ts.team_id = u.team_id WHERE ts.scope = 's:' || CAST(?6 AS TEXT))",
                       t);
    return r;
}

/* The dims of d as a select list on alias t ("t." before each, or none),
 * the folded ones as '' (not grouped). */
static bf_result append_dims(buf *b, const cube_def *d, unsigned fold, const char *t)
{
    bf_result r = BF_OK;
    size_t i = 0;
    for (const char *p = d->dims; r == BF_OK && *p; i++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (fold & (1u << i))
            r = buf_printf(b, ", '' AS %.*s", (int)len, p);
        else
            r = buf_printf(b, ", %s%.*s", t, (int)len, p);
        p = end ? end + 2 : p + len;
    }
    return r;
}

/* GROUP BY the owner (column 1) and the dims not folded (by position). */
static bf_result append_group(buf *b, const cube_def *d, unsigned fold)
{
    bf_result r = buf_append_str(b, " GROUP BY 1");
    for (size_t i = 0; r == BF_OK && i < d->ndims; i++)
        if (!(fold & (1u << i)))
            r = buf_printf(b, ", %zu", i + 2);
    return r;
}

/* The condition on the deal (o) of an arm of a view part: seen aside; or
 * seen, moved or closed since ?7 (its stage or status in deal_changes, or
 * made since: every event of the flow and the outcomes is one of those),
 * the arm's event (at) being one of them. */
static bf_result append_part_deals(buf *b, const cube_shape *sh, view_part part, const char *at)
{
    if (part == PART_ASIDE)
        return sq_append_deals_aside(b, sh->q->who, "o");
    bf_result r = buf_printf(b,
                             "%s >= ?7 AND o.id IN (SELECT opportunity_id FROM deal_changes WHERE "
                             "changed_at >= ?7 AND field IN ('stage', 'status') UNION SELECT id "
                             "FROM opportunities WHERE created_at >= ?7) AND ",
                             at);
    return r == BF_OK ? sq_append_visibility_where(b, &resource_opportunities, "o", sh->q->who) : r;
}

/* The rows of a part computed from the views of a summary whose view is a
 * compound (stage flow, stage outcomes): the view's arms, each led by the
 * part's deals (o), so that only their rows are made (SQLite does not push
 * a join into a compound view). They mirror deal_flow_rows and
 * deal_stage_outcome_rows of migration 25; tests/api/test_reports.py checks
 * a deal team member's reports against the deals they read, and the
 * reports as of a past day against the events up to it. */
static bf_result append_view_arms(buf *b, const cube_shape *sh, view_part part)
{
    const char *days = sh->pg ? "bf_whole_days(c.changed_at, COALESCE((SELECT MAX(p.changed_at) "
                                "FROM stage_changes p WHERE p.opportunity_id = c.opportunity_id "
                                "AND p.changed_at < c.changed_at), o.created_at))"
                              : "MAX(0, CAST(julianday(c.changed_at) - julianday(COALESCE((SELECT "
                                "MAX(p.changed_at) FROM stage_changes p WHERE p.opportunity_id = "
                                "c.opportunity_id AND p.changed_at < c.changed_at), "
                                "o.created_at)) AS INTEGER))";
    const char *closed = sh->pg ? "bf_whole_days(o.closed_at, COALESCE(o.stage_changed_at, "
                                  "o.created_at))"
                                : "MAX(0, CAST(julianday(o.closed_at) - julianday(COALESCE("
                                  "o.stage_changed_at, o.created_at)) AS INTEGER))";
    const char *arms[3];
    size_t n = 0;
    if (sh->q->cube == CUBE_FLOW) {
        arms[n++] = "SELECT c.opportunity_id, COALESCE(o.owner_id, '') AS owner_id, c.playbook, "
                    "c.to_stage AS stage, substr(c.changed_at, 1, 7) AS month, 'entered' AS "
                    "event, 0 AS exact_days FROM opportunities o JOIN stage_changes c ON "
                    "c.opportunity_id = o.id WHERE (c.from_stage IS NULL OR c.from_stage <> "
                    "c.to_stage) AND ";
        arms[n++] = NULL; /* the exits by a change: days by dialect, below */
        arms[n++] = NULL; /* the exits by closing */
    } else {
        arms[n++] = "SELECT o.id AS opportunity_id, COALESCE(o.owner_id, '') AS owner_id, "
                    "o.playbook, c.to_stage AS stage, COALESCE(substr(o.closed_at, 1, 7), '') "
                    "AS month, CASE WHEN o.status = 'won' THEN 1 ELSE 0 END AS won FROM "
                    "opportunities o JOIN stage_changes c ON c.opportunity_id = o.id WHERE "
                    "o.status <> 'open' AND ";
        arms[n++] = "SELECT o.id, COALESCE(o.owner_id, ''), o.playbook, o.stage, "
                    "COALESCE(substr(o.closed_at, 1, 7), ''), CASE WHEN o.status = 'won' THEN 1 "
                    "ELSE 0 END FROM opportunities o WHERE o.status <> 'open' AND ";
    }
    /* The flow's stays: their days into buckets, as deal_flow_rows. */
    bf_result r =
        sh->q->cube == CUBE_FLOW
            ? buf_append_str(b, "SELECT opportunity_id, owner_id, playbook, stage, month, "
                                "event, " SQ_DAY_BUCKET("exact_days") " AS days, "
                                                                      "exact_days FROM (")
            : BF_OK;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        if (i > 0)
            r = buf_append_str(b, " UNION ALL ");
        if (r == BF_OK && arms[i])
            r = buf_append_str(b, arms[i]);
        else if (r == BF_OK && i == 1)
            r = buf_printf(b,
                           "SELECT c.opportunity_id, COALESCE(o.owner_id, ''), c.playbook, "
                           "c.from_stage, substr(c.changed_at, 1, 7), CASE WHEN c.kind = 'won' "
                           "THEN 'won' WHEN c.to_probability >= c.from_probability THEN "
                           "'advanced' ELSE 'back' END, %s FROM opportunities o JOIN "
                           "stage_changes c ON c.opportunity_id = o.id WHERE c.from_stage IS NOT "
                           "NULL AND (c.from_stage <> c.to_stage OR c.kind = 'won') AND ",
                           days);
        else if (r == BF_OK)
            r = buf_printf(b,
                           "SELECT o.id, COALESCE(o.owner_id, ''), o.playbook, o.stage, "
                           "substr(o.closed_at, 1, 7), o.status, %s FROM opportunities o WHERE "
                           "o.status IN ('lost', 'abandoned') AND o.closed_at IS NOT NULL AND ",
                           closed);
        if (r == BF_OK)
            r = append_part_deals(
                b, sh, part, sh->q->cube == CUBE_FLOW && i < 2 ? "c.changed_at" : "o.closed_at");
    }
    return r == BF_OK && sh->q->cube == CUBE_FLOW ? buf_append_str(b, ") AS stays") : r;
}

/* The owner column of a read: the owner's, or one for all. */
static const char *owner_column(const cube_shape *sh, const char *t)
{
    if (sh->has & BY_OWNER)
        return strcmp(t, "c") == 0 ? "c.owner_id" : "v.owner_id";
    return "''";
}

/* SELECT owner_id, dims, sums of the rows of a part's deals, computed from
 * the summary's view, filtered and added up like the summary's rows. */
static bf_result append_view_part(buf *b, const cube_shape *sh, view_part part)
{
    const cube_def *d = &cubes[sh->q->cube];
    bool compound = sh->q->cube == CUBE_FLOW || sh->q->cube == CUBE_STAGE_OUTCOMES;
    bf_result r = buf_printf(b, "SELECT %s AS owner_id", owner_column(sh, "v"));
    if (r == BF_OK)
        r = append_dims(b, d, sh->q->fold, "v.");
    if (r == BF_OK && compound && (r = buf_printf(b, ", %s FROM (", d->view_sums)) == BF_OK &&
        (r = append_view_arms(b, sh, part)) == BF_OK)
        r = buf_append_str(b, ") AS v WHERE ");
    if (r == BF_OK && !compound &&
        (r = buf_printf(b, ", %s FROM opportunities o JOIN %s v ON v.opportunity_id = o.id WHERE ",
                        d->view_sums, d->view)) == BF_OK &&
        (r = append_part_deals(b, sh, part, "o.closed_at")) == BF_OK)
        r = buf_append_str(b, " AND ");
    if (r == BF_OK)
        r = append_filters(b, sh, "v");
    return r == BF_OK ? append_group(b, d, sh->q->fold) : r;
}

/* SELECT owner_id, dims, sums of the deals the viewer sees aside, from the
 * rows kept for the viewer's scope: only deals whose owner is not one of
 * the viewer's people (migration 28). */
static bf_result append_aside_kept(buf *b, const cube_shape *sh)
{
    const cube_def *d = &cubes[sh->q->cube];
    bf_result r = buf_printf(b, "SELECT %s AS owner_id", owner_column(sh, "c"));
    if (r == BF_OK)
        r = append_dims(b, d, sh->q->fold, "c.");
    if (r == BF_OK)
        r = buf_printf(b, ", %s FROM %s c WHERE c.scope = (SELECT id FROM viewer_scope) AND ",
                       d->sums, d->aside);
    if (r == BF_OK)
        r = append_filters(b, sh, "c");
    return r == BF_OK ? append_group(b, d, sh->q->fold) : r;
}

/* The owner of the rows that add up all the viewer's people (migration 26):
 * a manager's tree ('s:'), a sharing team ('t:'), the viewer alone; for one
 * who sees all, the tree of the team asked for (?6). */
static const char *rollup_owner(const viewer *v)
{
    if (sees_all(v))
        return "'s:' || ?6";
    if (v->role == ROLE_MANAGER)
        return "COALESCE('s:' || ?93, ?90)";
    return v->team_shares && v->team_id ? "'t:' || ?93" : "?90";
}

/* WITH people …; SELECT owner_id, dims, sums FROM (the summary's rows of
 * the owners seen UNION ALL the deals seen aside, added up) GROUP BY; the
 * owner '' for all when the report does not ask by owner. */
static bf_result build_cube(buf *b, const void *ctx)
{
    const cube_shape *sh = ctx;
    const cube_query *q = sh->q;
    const cube_def *d = &cubes[q->cube];
    bool people = !sees_all(q->who) && sq_visibility_by_people(q->who);
    bool aside = !sees_all(q->who) && d->view && !(sh->has & NO_ASIDE);
    bf_result r = sq_append_visibility_with(b, q->who);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT owner_id");
    if (r == BF_OK)
        r = append_dims(b, d, 0, "");
    for (size_t i = 0; r == BF_OK && i < d->nsums; i++)
        r = buf_printf(b, ", SUM(s%zu)", i);
    if (r == BF_OK)
        r = buf_append_str(b, " FROM (");
    if (r == BF_OK && (sees_all(q->who) || people)) {
        r = buf_printf(b, "SELECT %s AS owner_id", owner_column(sh, "c"));
        if (r == BF_OK)
            r = append_dims(b, d, q->fold, "c.");
        if (r == BF_OK)
            r = buf_printf(b, ", %s FROM %s c WHERE ", d->sums, d->table);
        if (r == BF_OK)
            r = append_filters(b, sh, "c");
        /* One tree's rows together (migration 26): a manager's people, or
         * the team asked for by one who sees all; everyone's ('*', migration
         * 25) where the report asks for all; else the owners' alone, each
         * read by its key (the summaries have no other index: the primary
         * key leads by owner). The funnel by month (migration 36) keeps no
         * rows together: its owners' are read, or the owner's or the team's
         * people's asked for. */
        bool all = !(sh->has & (BY_OWNER | HAS_OWNER | HAS_TEAM));
        if (r == BF_OK && (sh->has & ROLLUP))
            r = buf_printf(b, " AND c.owner_id = %s", rollup_owner(q->who));
        else if (r == BF_OK && people)
            r = buf_append_str(b, " AND c.owner_id IN (SELECT id FROM people)");
        else if (r == BF_OK && sees_all(q->who) && q->cube <= CUBE_STAGE_OUTCOMES)
            r = buf_append_str(b, all ? " AND c.owner_id = '*'"
                                      : " AND c.owner_id IN (SELECT id FROM users UNION ALL "
                                        "SELECT '')");
        else if (r == BF_OK && sees_all(q->who) && q->cube == CUBE_FUNNEL &&
                 !(sh->has & (HAS_OWNER | HAS_TEAM))) /* else the owner's, or the team's */
            r = buf_append_str(b, " AND c.owner_id IN (SELECT id FROM users UNION ALL SELECT '')");
        if (r == BF_OK)
            r = append_group(b, d, q->fold);
    }
    bool first = !(sees_all(q->who) || people);
    if (r == BF_OK && aside && (r = buf_append_str(b, first ? "" : " UNION ALL ")) == BF_OK)
        r = (sh->has & ASIDE_KEPT) ? append_aside_kept(b, sh) : append_view_part(b, sh, PART_ASIDE);
    first = first && !aside;
    /* As of a past day: the events since, of the deals seen, taken away. */
    if (r == BF_OK && (sh->has & AS_OF)) {
        r = buf_printf(b, "%sSELECT owner_id", first ? "" : " UNION ALL ");
        if (r == BF_OK)
            r = append_dims(b, d, 0, "");
        for (size_t i = 0; r == BF_OK && i < d->nsums; i++)
            r = buf_printf(b, ", -s%zu AS s%zu", i, i);
        if (r == BF_OK)
            r = buf_append_str(b, " FROM (");
        if (r == BF_OK)
            r = append_view_part(b, sh, PART_AFTER);
        if (r == BF_OK)
            r = buf_append_str(b, ") AS after");
    }
    if (r == BF_OK)
        r = buf_append_str(b, ") AS seen");
    if (r == BF_OK)
        r = append_group(b, d, 0);
    return r == BF_OK ? buf_append_str(b, " HAVING SUM(s0) <> 0") : r;
}

static _Thread_local const cube_def *reading_cube;

static void read_cube_row(arena *a, db_stmt *s, void *row)
{
    cube_row *c = row;
    const cube_def *d = reading_cube;
    c->owner_id = sq_column_text(a, s, 0);
    for (size_t i = 0; i < d->ndims; i++)
        c->dims[i] = sq_column_text(a, s, (int)i + 1);
    for (size_t i = 0; i < d->nsums; i++)
        c->sums[i] = db_column_int64(s, (int)(d->ndims + i + 1));
}

bf_result store_report_cube(store *st, arena *a, const cube_query *q, cube_row **out, size_t *n,
                            bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    cube_shape sh = {q,
                     (q->playbook ? HAS_PLAYBOOK : 0u) | (q->owner_id ? HAS_OWNER : 0u) |
                         (q->team_id ? HAS_TEAM : 0u) |
                         (q->cube == CUBE_FORECAST ? HAS_UNDATED : 0u) |
                         (q->by_owner ? BY_OWNER : 0u),
                     db_dialect_of(c->db) == DB_POSTGRES};
    int64_t seen[4] = {0, 0, 0, 1};
    if (!sees_all(q->who) && sq_visibility_by_people(q->who) &&
        (r = sq_count_deals_seen(c, q->who, seen, err)) != BF_OK)
        return r;
    if (seen[3] == 0)
        sh.has |= NO_ASIDE;
    if (q->cube <= CUBE_STAGE_OUTCOMES && !(sh.has & (BY_OWNER | HAS_OWNER)) &&
        (sees_all(q->who) ? (sh.has & HAS_TEAM) != 0
                          : sq_visibility_by_people(q->who) && !(sh.has & HAS_TEAM)))
        sh.has |= ROLLUP;
    if (q->before && cubes[q->cube].view && q->cube != CUBE_FORECAST)
        sh.has |= AS_OF;
    const cube_def *d = &cubes[q->cube];
    if (d->aside && sq_visibility_by_people(q->who) &&
        (d->aside_owners || !(sh.has & (BY_OWNER | HAS_OWNER | HAS_TEAM))))
        sh.has |= ASIDE_KEPT;
    uint64_t options = (uint64_t)q->cube | ((uint64_t)sh.has << 4) |
                       (sq_visibility_shape(q->who) << 16) | ((uint64_t)(q->fold & 0x1ff) << 24);
    db_stmt *s;
    if ((r = sq_stmt_get(c, sq_shape_key(K_CUBE, &resource_opportunities, options, 0), build_cube,
                         &sh, &s, err)) != BF_OK)
        return r;
    sq_bind_viewer(s, q->who);
    if (cubes[q->cube].by_currency)
        sq_bind_text(s, 1, q->currency);
    if (q->playbook)
        sq_bind_text(s, 2, q->playbook);
    if (cubes[q->cube].date_col) {
        sq_bind_text(s, 3, q->from);
        sq_bind_text(s, 4, q->to);
    }
    if (q->owner_id)
        sq_bind_text(s, 5, q->owner_id);
    if (q->team_id)
        sq_bind_text(s, 6, q->team_id);
    if (sh.has & AS_OF)
        sq_bind_text(s, 7, q->before);
    void *rows = NULL;
    reading_cube = &cubes[q->cube];
    if ((r = sq_collect(c, s, a, sizeof(cube_row), read_cube_row, "report", &rows, n, err)) ==
        BF_OK)
        *out = rows;
    return r;
}

static const char SQL_PEOPLE[] = "SELECT id, COALESCE(display_name, name), team_id FROM users";
static const char SQL_TEAMS[] = "SELECT id, name, parent_id FROM teams";

static void read_person(arena *a, db_stmt *s, void *row)
{
    report_person *p = row;
    p->id = sq_column_text(a, s, 0);
    p->name = sq_column_text(a, s, 1);
    p->team_id = sq_column_text(a, s, 2);
}

static void read_team(arena *a, db_stmt *s, void *row)
{
    report_team *t = row;
    t->id = sq_column_text(a, s, 0);
    t->name = sq_column_text(a, s, 1);
    t->parent_id = sq_column_text(a, s, 2);
}

bf_result store_report_people(store *st, arena *a, report_person **people, size_t *npeople,
                              report_team **teams, size_t *nteams, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_PEOPLE, &c, &s, err);
    void *rows = NULL;
    if (r == BF_OK && (r = sq_collect(c, s, a, sizeof(report_person), read_person, "people", &rows,
                                      npeople, err)) == BF_OK)
        *people = rows;
    if (r == BF_OK)
        r = sq_prepare(st, SQL_TEAMS, &c, &s, err);
    if (r == BF_OK && (r = sq_collect(c, s, a, sizeof(report_team), read_team, "teams", &rows,
                                      nteams, err)) == BF_OK)
        *teams = rows;
    return r;
}

/* ---- targets ------------------------------------------------------------------ */

static const char SQL_TARGETS[] =
    "SELECT subject, quarter, currency, amount, updated_at, updated_by FROM targets "
    "WHERE quarter BETWEEN ?1 AND ?2 AND currency = ?3 ORDER BY subject, quarter";
static const char SQL_TARGET_PUT[] =
    "INSERT INTO targets AS t (subject, quarter, currency, amount, updated_at, updated_by) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (subject, quarter, currency) DO UPDATE SET "
    "amount = excluded.amount, updated_at = excluded.updated_at, updated_by = excluded.updated_by";
static const char SQL_TARGET_DELETE[] =
    "DELETE FROM targets WHERE subject = ?1 AND quarter = ?2 AND currency = ?3";

static void read_target(arena *a, db_stmt *s, void *row)
{
    sales_target *t = row;
    t->subject = sq_column_text(a, s, 0);
    t->quarter = sq_column_text(a, s, 1);
    t->currency = sq_column_text(a, s, 2);
    t->amount = db_column_int64(s, 3);
    t->updated_at = sq_column_text(a, s, 4);
    t->updated_by = sq_column_text(a, s, 5);
}

bf_result store_targets_list(store *st, arena *a, const char *from, const char *to,
                             const char *currency, sales_target **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_TARGETS, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, from);
    sq_bind_text(s, 2, to);
    sq_bind_text(s, 3, currency);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(sales_target), read_target, "targets", &rows, n, err)) ==
        BF_OK)
        *out = rows;
    return r;
}

static bf_result target_put_in_tx(store *st, const sales_target *t, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    db_stmt *s;
    if (r == BF_OK)
        r = sq_stmt_static(c, t->amount > 0 ? SQL_TARGET_PUT : SQL_TARGET_DELETE, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, t->subject);
    sq_bind_text(s, 2, t->quarter);
    sq_bind_text(s, 3, t->currency);
    if (t->amount > 0) {
        db_bind_int64(s, 4, t->amount);
        sq_bind_text(s, 5, now);
        sq_bind_text(s, 6, t->updated_by);
    }
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "targets");
}

bf_result store_target_put(store *st, const sales_target *t, bf_error *err)
{
    IN_TRANSACTION(st, err, target_put_in_tx(st, t, err));
}

/* ---- what changed since ----------------------------------------------------------- */

typedef struct changes_shape {
    const viewer *who;
    bool added; /* the deals made since, not the changes */
} changes_shape;

static bf_result build_changes(buf *b, const void *ctx)
{
    const changes_shape *sh = ctx;
    bf_result r = sq_append_visibility_with(b, sh->who);
    if (r == BF_OK && sh->added)
        r = buf_append_str(b, "SELECT o.id, o.name, o.owner, o.currency, NULL, NULL, NULL, "
                              "o.created_at, o.amount, 0 FROM opportunities o "
                              "WHERE o.created_at >= ?1 AND ");
    if (r == BF_OK && !sh->added)
        r = buf_append_str(b, "SELECT c.opportunity_id, o.name, o.owner, o.currency, c.field, "
                              "c.old, c.new, c.changed_at, o.amount, CASE WHEN c.field = "
                              "'expected_close' THEN (SELECT COUNT(*) FROM deal_changes p WHERE "
                              "p.opportunity_id = c.opportunity_id AND p.field = "
                              "'expected_close' AND p.new > p.old) ELSE 0 END "
                              "FROM deal_changes c JOIN opportunities o ON o.id = "
                              "c.opportunity_id WHERE c.changed_at >= ?1 AND ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_opportunities, "o", sh->who);
    if (r == BF_OK)
        r = buf_append_str(b, sh->added ? " ORDER BY o.created_at DESC LIMIT ?2"
                                        : " ORDER BY c.changed_at DESC LIMIT ?2");
    return r;
}

static void read_change(arena *a, db_stmt *s, void *row)
{
    deal_change *c = row;
    c->opportunity_id = sq_column_text(a, s, 0);
    c->name = sq_column_text(a, s, 1);
    c->owner = sq_column_text(a, s, 2);
    c->currency = sq_column_text(a, s, 3);
    c->field = sq_column_text(a, s, 4);
    c->old = sq_column_text(a, s, 5);
    c->new_value = sq_column_text(a, s, 6);
    c->at = sq_column_text(a, s, 7);
    c->amount = db_column_int64(s, 8);
    c->pushes = db_column_int64(s, 9);
}

static bf_result read_changes(conn *c, arena *a, const changes_shape *sh, const char *since,
                              int limit, deal_change **out, size_t *n, bf_error *err)
{
    db_stmt *s;
    uint64_t options = (uint64_t)sh->added | (sq_visibility_shape(sh->who) << 12);
    bf_result r = sq_stmt_get(c, sq_shape_key(K_CHANGES, &resource_opportunities, options, 0),
                              build_changes, sh, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, sh->who);
    sq_bind_text(s, 1, since);
    db_bind_int64(s, 2, limit);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(deal_change), read_change, "changes", &rows, n, err)) ==
        BF_OK)
        *out = rows;
    return r;
}

bf_result store_report_changes(store *st, arena *a, const viewer *who, const char *since, int limit,
                               deal_change **changes, size_t *nchanges, deal_change **added,
                               size_t *nadded, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    changes_shape changed = {who, false}, made = {who, true};
    if (r == BF_OK)
        r = read_changes(c, a, &changed, since, limit, changes, nchanges, err);
    if (r == BF_OK)
        r = read_changes(c, a, &made, since, limit, added, nadded, err);
    return r;
}

/* ---- the forecast as it stood --------------------------------------------------------- */

/* A field of the deal as it stood before ?1: the old value of its first
 * change since, else today's. */
#define WAS(field, today)                                                                          \
    "CASE WHEN EXISTS (SELECT 1 FROM deal_changes c WHERE c.opportunity_id = o.id AND c.field = "  \
    "'" field "' AND c.changed_at >= ?1) THEN (SELECT c.old FROM deal_changes c WHERE "            \
    "c.opportunity_id = o.id AND c.field = '" field "' AND c.changed_at >= ?1 ORDER BY "           \
    "c.changed_at LIMIT 1) ELSE " today " END"

/* The deals made or changed since ?1 that the viewer sees, as they stood. */
/* clang-format off */
static const char SQL_UNDO_PAST[] =
    "touched AS (SELECT opportunity_id AS id FROM deal_changes WHERE changed_at >= ?1 "
    "UNION SELECT id FROM opportunities WHERE created_at >= ?1), "
    "past AS (SELECT o.id, COALESCE(o.owner_id, '') AS owner_id, o.currency, o.playbook, "
    "o.created_at, o.in_funnel, o.closed_at, "
    "CAST(" WAS("amount", "CAST(o.amount AS TEXT)") " AS BIGINT) AS amount, "
    WAS("expected_close", "o.expected_close") " AS expected_close, "
    WAS("forecast_category", "o.forecast_category") " AS category, "
    WAS("status", "o.status") " AS status, "
    "(SELECT s.to_probability FROM stage_changes s WHERE s.opportunity_id = o.id AND "
    "s.changed_at < ?1 ORDER BY s.changed_at DESC LIMIT 1) AS probability "
    "FROM touched t JOIN opportunities o ON o.id = t.id WHERE ";
/* clang-format on */

/* Their rows of today taken away, their rows as they stood added. */
static const char SQL_UNDO_ROWS[] =
    ") SELECT owner_id, currency, month, playbook, category, SUM(d), SUM(a), SUM(w) "
    "FROM (SELECT v.owner_id, v.currency, v.month, v.playbook, v.category, -1 AS d, "
    "-v.amount AS a, -v.weighted AS w FROM past p JOIN deal_forecast_rows v ON "
    "v.opportunity_id = p.id UNION ALL SELECT owner_id, currency, CASE WHEN status = "
    "'won' THEN COALESCE(substr(closed_at, 1, 7), '') ELSE "
    "COALESCE(substr(expected_close, 1, 7), '') END, playbook, CASE WHEN status = "
    "'won' THEN 'closed' WHEN in_funnel = 0 THEN 'omitted' ELSE category END, 1, "
    "amount, amount * CASE WHEN status = 'won' THEN 100 ELSE COALESCE(probability, 0) "
    "END FROM past WHERE created_at < ?1 AND status IN ('open', 'won')) AS x "
    "GROUP BY 1, 2, 3, 4, 5";

static bf_result build_undo(buf *b, const void *ctx)
{
    const viewer *who = ctx;
    bf_result r = sq_append_visibility_with(b, who);
    if (r == BF_OK) /* the viewer's WITH goes on, or one begins */
        r = buf_append_str(b, b->len > 0 ? ", " : "WITH ");
    if (r == BF_OK)
        r = buf_append_str(b, SQL_UNDO_PAST);
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_opportunities, "o", who);
    return r == BF_OK ? buf_append_str(b, SQL_UNDO_ROWS) : r;
}

static void read_undo_row(arena *a, db_stmt *s, void *row)
{
    cube_row *c = row;
    c->owner_id = sq_column_text(a, s, 0);
    for (int i = 0; i < 4; i++)
        c->dims[i] = sq_column_text(a, s, i + 1);
    for (int i = 0; i < 3; i++)
        c->sums[i] = db_column_int64(s, i + 5);
}

bf_result store_report_forecast_undo(store *st, arena *a, const viewer *who, const char *before,
                                     cube_row **out, size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    db_stmt *s;
    if (r == BF_OK)
        r = sq_stmt_get(c,
                        sq_shape_key(K_UNDO, &resource_opportunities, sq_visibility_shape(who), 0),
                        build_undo, who, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, who);
    sq_bind_text(s, 1, before);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(cube_row), read_undo_row, "forecast as of", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}
