/* The summaries the manager's reports read (migration 25): a new closed
 * deal's outcome rows and a new stage change's flow, written by the store
 * beside the row (the triggers of migration 25 move them when deals change;
 * a new deal's forecast row and first entry are sqlite_records.c's). */
#include <string.h>

#include "store/sqlite.h"

/* A deal stored closed (an admin's load of history): its outcome, the stage
 * it closed in as passed through, and its exit from that stage. */
static const char SQL_OUTCOME_CUBE_ADD[] =
    "INSERT INTO outcome_cube AS t (owner_id, currency, month, playbook, status, stage, "
    "sales_mode, band, reason, won_by, deals, amount, total_days) SELECT owner_id, currency, "
    "month, playbook, status, stage, sales_mode, band, reason, won_by, 1, amount, cycle_days "
    "FROM deal_outcome_rows WHERE opportunity_id = ?1 "
    "ON CONFLICT (owner_id, currency, month, playbook, status, stage, sales_mode, band, reason, "
    "won_by) DO UPDATE SET deals = t.deals + excluded.deals, amount = t.amount + excluded.amount, "
    "total_days = t.total_days + excluded.total_days";
static const char SQL_STAGE_OUTCOME_ADD[] =
    "INSERT INTO stage_outcomes AS t (owner_id, playbook, stage, month, won, n) "
    "SELECT COALESCE(owner_id, ''), playbook, stage, COALESCE(substr(closed_at, 1, 7), ''), "
    "CASE WHEN status = 'won' THEN 1 ELSE 0 END, 1 FROM opportunities "
    "WHERE id = ?1 AND status <> 'open' "
    "ON CONFLICT (owner_id, playbook, stage, month, won) DO UPDATE SET n = t.n + excluded.n";
/* A deal made lost or abandoned leaves its stage on closing (the last arm
 * of deal_flow_rows: made now, it has no stage change yet). */
#define CLOSED_EXIT(days)                                                                          \
    "INSERT INTO stage_flow AS t (owner_id, playbook, stage, month, event, days, n, total_days) "  \
    "SELECT owner, playbook, stage, month, status, " SQ_DAY_BUCKET(                                \
        "d") ", 1, d FROM (SELECT "                                                                \
             "COALESCE(owner_id, '') AS owner, playbook, stage, substr(closed_at, 1, 7) AS "       \
             "month, "                                                                             \
             "status, " days " AS d FROM opportunities WHERE id = ?1 AND status IN ('lost', "      \
             "'abandoned') AND closed_at IS NOT NULL) AS stay WHERE 1 = 1 ON CONFLICT (owner_id, " \
             "playbook, stage, month, event, days) DO UPDATE SET n = t.n + excluded.n, "           \
             "total_days = "                                                                       \
             "t.total_days + excluded.total_days"
static const char SQL_CLOSED_EXIT_SQLITE[] = CLOSED_EXIT(
    "MAX(0, CAST(julianday(closed_at) - julianday(COALESCE(stage_changed_at, created_at)) AS "
    "INTEGER))");
static const char SQL_CLOSED_EXIT_PG[] =
    CLOSED_EXIT("bf_whole_days(closed_at, COALESCE(stage_changed_at, created_at))");

static bf_result cube_step(conn *c, const char *sql, const char *id, bf_error *err)
{
    db_stmt *s;
    bf_result r = sq_stmt_static(c, sql, &s, err);
    if (r != BF_OK)
        return r;
    int rc = sq_bind_text(s, 1, id);
    if (rc == DB_OK)
        rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "report summaries");
}

bf_result sq_cube_add_closed(conn *c, const char *id, bool won, bf_error *err)
{
    bf_result r = cube_step(c, SQL_OUTCOME_CUBE_ADD, id, err);
    if (r == BF_OK)
        r = cube_step(c, SQL_STAGE_OUTCOME_ADD, id, err);
    if (r == BF_OK && !won)
        r = cube_step(
            c, db_dialect_of(c->db) == DB_POSTGRES ? SQL_CLOSED_EXIT_PG : SQL_CLOSED_EXIT_SQLITE,
            id, err);
    return r;
}

/* A stage change's rows in stage_flow: the entry into its stage and the exit
 * from the one before, with the whole days since the change before it (or
 * the deal's creation). ?1 deal, ?2 playbook, ?3 from, ?4 to, ?5 changed_at,
 * ?6 kind, ?7 from probability, ?8 to probability. */
#define FLOW_UPSERT                                                                                \
    " ON CONFLICT (owner_id, playbook, stage, month, event, days) DO UPDATE SET n = t.n + "        \
    "excluded.n, total_days = t.total_days + excluded.total_days"
static const char SQL_FLOW_ENTERED[] =
    "INSERT INTO stage_flow AS t (owner_id, playbook, stage, month, event, days, n, total_days) "
    "SELECT COALESCE(owner_id, ''), ?2, ?4, substr(CAST(?5 AS TEXT), 1, 7), 'entered', 0, 1, 0 "
    "FROM opportunities WHERE id = ?1" FLOW_UPSERT;
/* The exit, its days d into their bucket and the exact sum. */
#define FLOW_EXIT(days)                                                                            \
    "INSERT INTO stage_flow AS t (owner_id, playbook, stage, month, event, days, n, total_days) "  \
    "SELECT owner, ?2, ?3, substr(CAST(?5 AS TEXT), 1, 7), CASE WHEN CAST(?6 AS TEXT) = 'won' "    \
    "THEN 'won' WHEN CAST(?8 AS BIGINT) >= CAST(?7 AS BIGINT) THEN 'advanced' ELSE 'back' "        \
    "END, " SQ_DAY_BUCKET(                                                                         \
        "d") ", 1, d FROM (SELECT COALESCE(o.owner_id, '') AS owner, " days                        \
             " AS d FROM opportunities o WHERE o.id = ?1) AS stay WHERE 1 = 1" FLOW_UPSERT
#define FLOW_PREVIOUS                                                                              \
    "COALESCE((SELECT MAX(p.changed_at) FROM stage_changes p WHERE p.opportunity_id = ?1 AND "     \
    "p.changed_at < CAST(?5 AS TEXT)), o.created_at)"
static const char SQL_FLOW_EXIT_SQLITE[] =
    FLOW_EXIT("MAX(0, CAST(julianday(?5) - julianday(" FLOW_PREVIOUS ") AS INTEGER))");
static const char SQL_FLOW_EXIT_PG[] =
    FLOW_EXIT("bf_whole_days(CAST(?5 AS TEXT), " FLOW_PREVIOUS ")");

static int bind_change(db_stmt *s, const stage_change *ch, bool exit)
{
    int rc = sq_bind_text(s, 1, ch->opportunity_id);
    if (rc == DB_OK)
        rc = sq_bind_text(s, 2, ch->playbook);
    if (rc == DB_OK && exit)
        rc = sq_bind_text(s, 3, ch->from_stage);
    if (rc == DB_OK)
        rc = sq_bind_text(s, 4, ch->to_stage);
    if (rc == DB_OK)
        rc = sq_bind_text(s, 5, ch->changed_at);
    if (rc == DB_OK && exit)
        rc = sq_bind_text(s, 6, ch->kind);
    if (rc == DB_OK && exit)
        rc = db_bind_int64(s, 7, ch->from_probability);
    if (rc == DB_OK && exit)
        rc = db_bind_int64(s, 8, ch->to_probability);
    return rc;
}

bf_result sq_flow_add_change(conn *c, const stage_change *ch, bf_error *err)
{
    /* A deal's first stage is entered with the deal (see store_record_insert). */
    bool moved = strcmp(ch->kind, "create") != 0 &&
                 (ch->from_stage == NULL || strcmp(ch->from_stage, ch->to_stage) != 0);
    bool exit = ch->from_stage != NULL && (moved || strcmp(ch->kind, "won") == 0);
    const char *sqls[2] = {
        moved ? SQL_FLOW_ENTERED : NULL,
        !exit                                 ? NULL
        : db_dialect_of(c->db) == DB_POSTGRES ? SQL_FLOW_EXIT_PG
                                              : SQL_FLOW_EXIT_SQLITE,
    };
    for (int i = 0; i < 2; i++) {
        if (sqls[i] == NULL)
            continue;
        db_stmt *s;
        bf_result r = sq_stmt_static(c, sqls[i], &s, err);
        if (r != BF_OK)
            return r;
        int rc = bind_change(s, ch, i == 1);
        if (rc == DB_OK)
            rc = db_step(s);
        db_reset(s);
        if (rc != DB_DONE)
            return sq_db_error(err, c->db, rc, "stage flow");
    }
    return BF_OK;
}

static const char SQL_VISIT_WINDOW[] =
    "UPDATE opportunities SET visit_window_end = ?2, visit_benchmark = ?3 WHERE id = ?1";

static bf_result visit_window_in_tx(store *st, const char *id, const char *end, int visits,
                                    bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_conn(st, &c, err);
    if (r == BF_OK)
        r = sq_stmt_static(c, SQL_VISIT_WINDOW, &s, err);
    if (r != BF_OK)
        return r;
    int rc = sq_bind_text(s, 1, id);
    if (rc == DB_OK)
        rc = sq_bind_text(s, 2, end);
    if (rc == DB_OK)
        rc = end ? db_bind_int64(s, 3, visits) : db_bind_null(s, 3);
    if (rc == DB_OK)
        rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "visit window");
}

bf_result store_opportunity_set_visit_window(store *st, const char *id, const char *end, int visits,
                                             bf_error *err)
{
    IN_TRANSACTION(st, err, visit_window_in_tx(st, id, end, visits, err));
}
