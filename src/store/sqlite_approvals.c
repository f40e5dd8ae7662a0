/* Approvals (migration 15): the requests, their inboxes and who decides
 * them (see store.h). Every read is a seek of one index: a deal's
 * approvals by approvals_opportunity, an inbox by approvals_queue, one's
 * own requests by approvals_requester. */
#include <string.h>

#include "store/sqlite.h"

#define APPROVAL_COLUMNS                                                                           \
    "id, version, opportunity_id, kind, state, ask, reason, evidence, levels, level, "             \
    "approver_team_id, queue, requester_id, requested_by, requested_at, decisions, decided_at"

static const char SQL_APPROVAL_INSERT[] =
    "INSERT INTO approvals (" APPROVAL_COLUMNS ") VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, ?15, ?16)";
static const char SQL_APPROVAL_GET[] = "SELECT " APPROVAL_COLUMNS " FROM approvals WHERE id = ?1";
static const char SQL_APPROVAL_UPDATE[] =
    "UPDATE approvals SET version = version + 1, state = ?3, level = ?4, approver_team_id = ?5, "
    "queue = ?6, decisions = ?7, decided_at = ?8 WHERE id = ?1 AND version = ?2";

/* Newest first; the second of each pair continues after the cursor (?2,
 * ?3), a range of the index too. */
#define FIRST_PAGE " ORDER BY requested_at DESC, id DESC LIMIT ?4"
#define NEXT_PAGE " AND (requested_at, id) < (?2, ?3)" FIRST_PAGE
#define OF_DEAL "SELECT " APPROVAL_COLUMNS " FROM approvals WHERE opportunity_id = ?1"
#define IN_QUEUE "SELECT " APPROVAL_COLUMNS " FROM approvals WHERE queue = ?1"
#define OF_REQUESTER                                                                               \
    "SELECT " APPROVAL_COLUMNS " FROM approvals WHERE requester_id = ?1 AND (CAST(?5 AS TEXT) IS " \
    "NULL OR state = ?5)"
static const char *const SQL_APPROVAL_PAGES[3][2] = {
    {OF_DEAL FIRST_PAGE, OF_DEAL NEXT_PAGE},
    {IN_QUEUE FIRST_PAGE, IN_QUEUE NEXT_PAGE},
    {OF_REQUESTER FIRST_PAGE, OF_REQUESTER NEXT_PAGE},
};

static const char SQL_APPROVAL_COUNT[] =
    "SELECT (SELECT COUNT(*) FROM approvals WHERE queue = ?1), (SELECT COUNT(*) FROM approvals "
    "WHERE requester_id = ?2 AND state = 'pending')";

/* From the user's team up, at most 32 teams (a tree, but a cycle written by
 * hand into the database must not loop). */
static const char SQL_APPROVER_TEAMS[] =
    "WITH RECURSIVE up(id, parent_id, depth) AS (SELECT t.id, t.parent_id, 0 FROM teams t WHERE "
    "t.id = (SELECT team_id FROM users WHERE id = ?1) UNION ALL SELECT t.id, t.parent_id, "
    "up.depth + 1 FROM teams t JOIN up ON t.id = up.parent_id WHERE up.depth < 32) "
    "SELECT up.id FROM up WHERE EXISTS (SELECT 1 FROM users u WHERE u.team_id = up.id AND "
    "u.role = 'manager' AND u.active = 1) ORDER BY up.depth";

static const char SQL_TEAM_WITHIN[] =
    "WITH RECURSIVE up(id, depth) AS (SELECT CAST(?2 AS TEXT), 0 UNION ALL SELECT t.parent_id, "
    "up.depth + 1 FROM teams t JOIN up ON t.id = up.id WHERE t.parent_id IS NOT NULL AND "
    "up.depth < 32) SELECT EXISTS (SELECT 1 FROM up WHERE id = ?1)";

static void read_approval(arena *a, db_stmt *s, void *row)
{
    approval *p = row;
    p->id = sq_column_text(a, s, 0);
    p->version = db_column_int64(s, 1);
    p->opportunity_id = sq_column_text(a, s, 2);
    p->kind = sq_column_text(a, s, 3);
    p->state = sq_column_text(a, s, 4);
    p->ask = sq_column_text(a, s, 5);
    p->reason = sq_column_text(a, s, 6);
    p->evidence = sq_column_text(a, s, 7);
    p->levels = db_column_int(s, 8);
    p->level = db_column_int(s, 9);
    p->approver_team_id = sq_column_text(a, s, 10);
    p->queue = sq_column_text(a, s, 11);
    p->requester_id = sq_column_text(a, s, 12);
    p->requested_by = sq_column_text(a, s, 13);
    p->requested_at = sq_column_text(a, s, 14);
    p->decisions = sq_column_text(a, s, 15);
    p->decided_at = sq_column_text(a, s, 16);
}

static bf_result approval_insert_in_tx(store *st, arena *ar, approval *p, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_APPROVAL_INSERT, &c, &s, err);
    if (r != BF_OK)
        return r;
    if (p->id == NULL && (p->id = sq_new_id(ar, "apr")) == NULL)
        return BF_ERR_NOMEM;
    if (p->requested_at == NULL) {
        char now[32];
        store_now(now, sizeof(now));
        if ((p->requested_at = arena_strdup(ar, now)) == NULL)
            return BF_ERR_NOMEM;
    }
    p->version = 1;
    sq_bind_text(s, 1, p->id);
    sq_bind_text(s, 2, p->opportunity_id);
    sq_bind_text(s, 3, p->kind);
    sq_bind_text(s, 4, p->state);
    sq_bind_text(s, 5, p->ask);
    sq_bind_text(s, 6, p->reason);
    sq_bind_text(s, 7, p->evidence);
    db_bind_int64(s, 8, p->levels);
    db_bind_int64(s, 9, p->level);
    sq_bind_text(s, 10, p->approver_team_id);
    sq_bind_text(s, 11, p->queue);
    sq_bind_text(s, 12, p->requester_id);
    sq_bind_text(s, 13, p->requested_by);
    sq_bind_text(s, 14, p->requested_at);
    sq_bind_text(s, 15, p->decisions ? p->decisions : "[]");
    sq_bind_text(s, 16, p->decided_at);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_constraint_error(err, c, rc, "approval");
}

bf_result store_approval_insert(store *st, arena *ar, approval *a, bf_error *err)
{
    IN_TRANSACTION(st, err, approval_insert_in_tx(st, ar, a, err));
}

bf_result store_approval_get(store *st, arena *ar, const char *id, approval *out, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_APPROVAL_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        read_approval(ar, s, out);
    else if (rc == DB_DONE)
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "no approval %s", id);
    else
        r = sq_db_error(err, c->db, rc, "approval");
    db_reset(s);
    return r;
}

static bf_result approval_update_in_tx(store *st, approval *p, int64_t expected, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_APPROVAL_UPDATE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, p->id);
    db_bind_int64(s, 2, expected);
    sq_bind_text(s, 3, p->state);
    db_bind_int64(s, 4, p->level);
    sq_bind_text(s, 5, p->approver_team_id);
    sq_bind_text(s, 6, p->queue);
    sq_bind_text(s, 7, p->decisions);
    sq_bind_text(s, 8, p->decided_at);
    int rc = db_step(s);
    int changed = rc == DB_DONE ? db_changes(c->db) : 0;
    db_reset(s);
    if (rc != DB_DONE)
        return sq_db_error(err, c->db, rc, "approval");
    if (changed == 0)
        return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the approval was decided by someone else meanwhile");
    p->version = expected + 1;
    return BF_OK;
}

bf_result store_approval_update(store *st, approval *a, int64_t expected, bf_error *err)
{
    IN_TRANSACTION(st, err, approval_update_in_tx(st, a, expected, err));
}

bf_result store_approval_list(store *st, arena *ar, const approval_query *q, approval **out,
                              size_t *n, bool *more, bf_error *err)
{
    int which = q->opportunity_id ? 0 : q->queue ? 1 : 2;
    const char *sql = SQL_APPROVAL_PAGES[which][q->before_at != NULL];
    const char *key = q->opportunity_id ? q->opportunity_id : q->queue ? q->queue : q->requester_id;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, key);
    if (q->before_at != NULL) {
        sq_bind_text(s, 2, q->before_at);
        sq_bind_text(s, 3, q->before_id ? q->before_id : "");
    }
    db_bind_int64(s, 4, q->limit + 1);
    if (which == 2)
        sq_bind_text(s, 5, q->state);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(approval), read_approval, "approvals", &rows, n, err)) !=
        BF_OK)
        return r;
    *out = rows;
    *more = *n > (size_t)q->limit;
    if (*more)
        *n = (size_t)q->limit;
    return BF_OK;
}

bf_result store_approval_count(store *st, const char *queue, const char *requester_id,
                               int64_t *waiting, int64_t *mine_pending, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_APPROVAL_COUNT, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, queue);
    sq_bind_text(s, 2, requester_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        *waiting = db_column_int64(s, 0);
        *mine_pending = db_column_int64(s, 1);
    } else {
        r = sq_db_error(err, c->db, rc, "approvals");
    }
    db_reset(s);
    return r;
}

static void read_team_id(arena *a, db_stmt *s, void *row)
{
    *(const char **)row = sq_column_text(a, s, 0);
}

bf_result store_approver_teams(store *st, arena *ar, const char *user_id, const char ***teams,
                               size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_APPROVER_TEAMS, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, user_id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(const char *), read_team_id, "teams", &rows, n, err)) ==
        BF_OK)
        *teams = rows;
    return r;
}

bf_result store_team_within(store *st, const char *ancestor, const char *team, bool *in,
                            bf_error *err)
{
    *in = false;
    if (ancestor == NULL || team == NULL)
        return BF_OK;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_TEAM_WITHIN, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, ancestor);
    sq_bind_text(s, 2, team);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *in = db_column_int64(s, 0) != 0;
    else
        r = sq_db_error(err, c->db, rc, "teams");
    db_reset(s);
    return r;
}
