/* The store's part of access: which rows a viewer sees, users and their
 * credentials, sessions, the deal team, partner registrations and the audit
 * log (see store.h). */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite.h"

/* ---- visibility ---------------------------------------------------------------- */

/* A statement that reads for a viewer is checked row by row: the condition
 * that the viewer sees a row asks indexed questions of that row (who owns
 * it, is a person of the viewer's on its deal team, is the viewer's partner
 * registered on it) instead of collecting every deal the viewer sees first.
 * The one set a statement names first is `people`: the users whose deals
 * and accounts the viewer sees (the viewer; the viewer's team when it
 * shares; a manager's team tree) — a handful of users, not a set that grows
 * with the deals. A record's owner is owner_id, a user's id: the name beside
 * it is display. Parameters: ?90 user id, ?92 partner id, ?93 team id. */
/* Beside it, viewer_scope names the same people in the tables of the deals
 * seen aside (migration 10): 'u:' the user alone, 't:' one team, 's:' a
 * team and those below it (the viewer is a user of their own team). */
static const char VIS_PEOPLE_SELF[] = "WITH people(id) AS (SELECT CAST(?90 AS TEXT)), "
                                      "viewer_scope(id) AS (SELECT 'u:' || ?90) ";
static const char VIS_PEOPLE_TEAM[] = "WITH people(id) AS (SELECT id FROM users "
                                      "WHERE id = ?90 OR team_id = ?93), "
                                      "viewer_scope(id) AS (SELECT 't:' || ?93) ";
static const char VIS_PEOPLE_TREE[] =
    "WITH RECURSIVE tree(id) AS (SELECT CAST(?93 AS TEXT) UNION SELECT t.id FROM teams t JOIN tree "
    "ON "
    "t.parent_id = tree.id), "
    "people(id) AS (SELECT id FROM users WHERE id = ?90 OR team_id IN (SELECT id FROM tree)), "
    "viewer_scope(id) AS (SELECT COALESCE('s:' || ?93, 'u:' || ?90)) ";

static bool sees_all(const viewer *v)
{
    return v == NULL || v->role == ROLE_ADMIN;
}

/* Whether the viewer sees deals through people (owners and deal teams). */
static bool sees_through_people(const viewer *v)
{
    return v->role == ROLE_SALES || v->role == ROLE_CONSULTANT || v->role == ROLE_MANAGER;
}

uint64_t sq_visibility_shape(const viewer *v)
{
    if (sees_all(v))
        return 0;
    return (uint64_t)(v->role + 1) | ((uint64_t)(v->team_shares && v->team_id != NULL) << 3);
}

bf_result sq_append_visibility_with(buf *b, const viewer *v)
{
    if (sees_all(v) || !sees_through_people(v))
        return BF_OK;
    if (v->role == ROLE_MANAGER)
        return buf_append_str(b, VIS_PEOPLE_TREE);
    return buf_append_str(b, v->team_shares && v->team_id ? VIS_PEOPLE_TEAM : VIS_PEOPLE_SELF);
}

/* The condition that the viewer sees the deal of row t. */
static bf_result append_deal_seen(buf *b, const viewer *v, const char *t)
{
    switch (v->role) {
    case ROLE_SALES:
    case ROLE_CONSULTANT:
    case ROLE_MANAGER:
        return buf_printf(b,
                          "(%s.owner_id IN (SELECT id FROM people) OR EXISTS (SELECT 1 FROM "
                          "opportunity_members vm WHERE vm.opportunity_id = %s.id AND "
                          "vm.user_id IN (SELECT id FROM people)))",
                          t, t);
    case ROLE_PARTNER:
        return buf_printf(b,
                          "EXISTS (SELECT 1 FROM opportunity_partners vp WHERE "
                          "vp.opportunity_id = %s.id AND vp.partner_id = ?92)",
                          t);
    case ROLE_IMPLEMENTATION:
        return buf_printf(b,
                          "(%s.status = 'won' AND EXISTS (SELECT 1 FROM opportunity_members vm "
                          "WHERE vm.opportunity_id = %s.id AND vm.user_id = ?90 AND "
                          "vm.role = 'implementation'))",
                          t, t);
    case ROLE_ADMIN:
    case ROLE_COUNT:
        break;
    }
    BF_ASSERT(!"unknown role");
    return BF_ERR_INTERNAL;
}

bool sq_visibility_by_people(const viewer *v)
{
    return !sees_all(v) && sees_through_people(v);
}

bf_result sq_append_deals_aside(buf *b, const viewer *v, const char *t)
{
    switch (v->role) {
    case ROLE_SALES:
    case ROLE_CONSULTANT:
    case ROLE_MANAGER:
        return buf_printf(b,
                          "%s.id IN (SELECT opportunity_id FROM opportunity_members WHERE "
                          "user_id IN (SELECT id FROM people)) AND COALESCE(%s.owner_id, '') "
                          "NOT IN (SELECT id FROM people)",
                          t, t);
    case ROLE_PARTNER:
        return buf_printf(b,
                          "%s.id IN (SELECT opportunity_id FROM opportunity_partners WHERE "
                          "partner_id = ?92)",
                          t);
    case ROLE_IMPLEMENTATION:
        return buf_printf(b,
                          "%s.id IN (SELECT opportunity_id FROM opportunity_members WHERE "
                          "user_id = ?90 AND role = 'implementation') AND %s.status = 'won'",
                          t, t);
    case ROLE_ADMIN:
    case ROLE_COUNT:
        break;
    }
    BF_ASSERT(!"unknown role");
    return BF_ERR_INTERNAL;
}

/* The condition that the viewer sees the account of row t: one its people
 * own, or one with a deal the viewer sees (one of their people's, or one
 * in their scope: migration 10). Each part is a seek or a walk of the
 * account's deals — the account's deals lead the scope's (SQLite's CROSS
 * JOIN keeps the order; without it SQLite walked every deal of the scope
 * for each account, thousands for a salesperson of a sharing team); a
 * partner's and an implementer's few deals are a set made once per
 * statement. */
static bf_result append_account_seen(buf *b, const viewer *v, const char *t)
{
    bf_result r = BF_OK;
    if (sees_through_people(v))
        r = buf_printf(b,
                       "(%s.owner_id IN (SELECT id FROM people) OR EXISTS (SELECT 1 FROM "
                       "opportunities vo WHERE vo.account_id = %s.id AND vo.owner_id IN "
                       "(SELECT id FROM people)) OR EXISTS (SELECT 1 FROM opportunities vo "
                       "CROSS JOIN deal_scopes ds WHERE vo.account_id = %s.id AND "
                       "ds.opportunity_id = vo.id AND ds.scope = (SELECT id FROM viewer_scope)))",
                       t, t, t);
    else if ((r = buf_printf(b, "%s.id IN (SELECT vo.account_id FROM opportunities vo WHERE ",
                             t)) == BF_OK &&
             (r = sq_append_deals_aside(b, v, "vo")) == BF_OK)
        r = buf_append_str(b, ")");
    return r;
}

/* The condition that the viewer sees the account whose id is column col of
 * row t. */
static bf_result append_account_of_seen(buf *b, const viewer *v, const char *t, const char *col)
{
    bf_result r =
        buf_printf(b, "EXISTS (SELECT 1 FROM accounts va WHERE va.id = %s.%s AND ", t, col);
    if (r == BF_OK)
        r = append_account_seen(b, v, "va");
    return r == BF_OK ? buf_append_str(b, ")") : r;
}

/* An activity is seen with its deal, or with its account when it has no
 * deal, or by its owner. */
static bf_result append_activity_seen(buf *b, const viewer *v, const char *t)
{
    bf_result r = buf_printf(
        b, "(EXISTS (SELECT 1 FROM opportunities vo WHERE vo.id = %s.opportunity_id AND ", t);
    if (r == BF_OK)
        r = append_deal_seen(b, v, "vo");
    if (r == BF_OK)
        r = buf_printf(b, ") OR (%s.opportunity_id IS NULL AND ", t);
    if (r == BF_OK)
        r = append_account_of_seen(b, v, t, "account_id");
    return r == BF_OK ? buf_printf(b, ") OR %s.owner_id = ?90)", t) : r;
}

bf_result sq_append_visibility_where(buf *b, const resource_spec *spec, const char *t,
                                     const viewer *v)
{
    if (sees_all(v))
        return buf_append_str(b, "1 = 1");
    bool partner = v->role == ROLE_PARTNER;
    if (spec == &resource_opportunities)
        return append_deal_seen(b, v, t);
    if (spec == &resource_accounts)
        return append_account_seen(b, v, t);
    if (spec == &resource_contacts)
        return append_account_of_seen(b, v, t, "account_id");
    if (spec == &resource_activities)
        return append_activity_seen(b, v, t);
    if (spec == &resource_users)
        return partner ? buf_printf(b, "%s.id = ?90", t) : buf_append_str(b, "1 = 1");
    if (spec == &resource_teams)
        return buf_append_str(b, partner ? "1 = 0" : "1 = 1");
    if (spec == &resource_partners)
        return partner ? buf_printf(b, "%s.id = ?92", t) : buf_append_str(b, "1 = 1");
    if (spec == &resource_products) /* the price list: everyone quotes from it */
        return buf_append_str(b, "1 = 1");
    if (spec == &resource_views) /* one's own, and those shared with one's team's trees */
        return buf_printf(b,
                          "(%s.owner_id = ?90 OR EXISTS (SELECT 1 FROM team_scopes vts WHERE "
                          "vts.team_id = ?93 AND vts.scope = 's:' || %s.shared_team_id))",
                          t, t);
    BF_ASSERT(!"resource without a visibility rule");
    return BF_ERR_INTERNAL;
}

static bf_result build_deals_seen_count(buf *b, const void *ctx)
{
    bf_result r = sq_append_visibility_with(b, ctx);
    return r == BF_OK
               ? buf_append_str(
                     b,
                     "SELECT (SELECT COUNT(*) FROM people), "
                     "(SELECT COALESCE(SUM(deals), 0) FROM owner_counts WHERE owner_id "
                     "IN (SELECT id FROM people)), "
                     "(SELECT COALESCE(SUM(deals), 0) FROM owner_counts), "
                     "(SELECT COALESCE(SUM(deals), 0) FROM aside_counts WHERE scope = "
                     "(SELECT id FROM viewer_scope) AND owner_id NOT IN (SELECT id FROM people))")
               : r;
}

bf_result sq_count_deals_seen(conn *c, const viewer *v, int64_t counts[4], bf_error *err)
{
    db_stmt *s;
    bf_result r =
        sq_stmt_get(c, sq_shape_key(K_ASIDE, &resource_opportunities, sq_visibility_shape(v), 0),
                    build_deals_seen_count, v, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, v);
    int rc = db_step(s);
    if (rc != DB_ROW) {
        r = sq_db_error(err, c->db, rc, "deals seen");
        db_reset(s);
        return r;
    }
    for (int i = 0; i < 4; i++)
        counts[i] = db_column_int64(s, i);
    db_reset(s);
    return BF_OK;
}

bf_result sq_choose_deals_read(store *st, conn *c, const viewer *v, int limit, bool owner_filter,
                               int *out, bf_error *err)
{
    int64_t n[4];
    bf_result r = sq_count_deals_seen(c, v, n, err);
    if (r == BF_OK)
        *out = sq_deals_read_choice(st, n[0], n[1], n[2], n[3], limit, owner_filter);
    return r;
}

void sq_bind_viewer(db_stmt *s, const viewer *v)
{
    if (sees_all(v))
        return;
    sq_bind_text(s, 90, v->user_id);
    sq_bind_text(s, 92, v->partner_id);
    sq_bind_text(s, 93, v->team_id);
}

/* ---- users and credentials ------------------------------------------------------ */

#define USER_COLUMNS                                                                               \
    "u.id, u.name, u.role, u.team_id, COALESCE(t.share_deals, 0), u.partner_id, u.active, "        \
    "u.password_hash "
#define USER_FROM "users u LEFT JOIN teams t ON t.id = u.team_id "

static const char SQL_USER_BY_NAME[] = "SELECT " USER_COLUMNS "FROM " USER_FROM "WHERE u.name = ?1";
static const char SQL_USER_BY_TOKEN[] =
    "SELECT " USER_COLUMNS "FROM api_tokens k JOIN users u ON u.id = k.user_id "
    "LEFT JOIN teams t ON t.id = u.team_id WHERE k.token_hash = ?1 AND k.revoked_at IS NULL "
    "AND u.active = 1";
static const char SQL_USER_BY_SESSION[] =
    "SELECT " USER_COLUMNS ", x.expires_at FROM sessions x JOIN users u ON u.id = x.user_id "
    "LEFT JOIN teams t ON t.id = u.team_id WHERE x.token_hash = ?1 AND x.expires_at > ?2 "
    "AND u.active = 1";

static bf_result read_user(arena *a, db_stmt *s, user_login *out)
{
    const char *role = sq_column_text(a, s, 2);
    memset(out, 0, sizeof(*out));
    out->who.user_id = sq_column_text(a, s, 0);
    out->who.name = sq_column_text(a, s, 1);
    if (!access_role_parse(role, &out->who.role))
        return BF_ERR_INTERNAL;
    out->who.team_id = sq_column_text(a, s, 3);
    out->who.team_shares = db_column_int(s, 4) != 0;
    out->who.partner_id = sq_column_text(a, s, 5);
    out->active = db_column_int(s, 6) != 0;
    out->password_hash = sq_column_text(a, s, 7);
    if (out->who.user_id == NULL || out->who.name == NULL)
        return BF_ERR_NOMEM;
    return BF_OK;
}

/* Runs a statement that finds one user (and maybe one more column). */
static bf_result find_user(conn *c, db_stmt *s, arena *a, user_login *out, const char **extra,
                           bf_error *err)
{
    int rc = db_step(s);
    bf_result r = BF_OK;
    if (rc == DB_ROW) {
        r = read_user(a, s, out);
        if (r == BF_ERR_INTERNAL)
            bf_fail(err, r, NULL, NULL, "a user has an unknown role");
        if (r == BF_OK && extra)
            *extra = sq_column_text(a, s, 8);
    } else if (rc == DB_DONE) {
        r = bf_fail(err, BF_ERR_NOT_FOUND, NULL, NULL, "no such user");
    } else {
        r = sq_db_error(err, c->db, rc, "user");
    }
    db_reset(s);
    return r;
}

bf_result store_user_by_name(store *st, arena *a, const char *name, user_login *out, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_USER_BY_NAME, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, name);
    return find_user(c, s, a, out, NULL, err);
}

/* Runs a one-statement write; BF_ERR_NOT_FOUND when it changed no row and
 * missing is not NULL (missing is the message then). */
static bf_result run_write(conn *c, db_stmt *s, const char *what, const char *missing,
                           bf_error *err)
{
    int rc = db_step(s);
    db_reset(s);
    if (rc == DB_ERROR && db_fault_of(c->db) == DB_FAULT_FOREIGN_KEY)
        return bf_fail(err, BF_ERR_CONFLICT, "in_use", NULL,
                       "other records still refer to this one; remove or move them first");
    if (rc != DB_DONE)
        return sq_db_error(err, c->db, rc, what);
    if (missing != NULL && db_changes(c->db) == 0)
        return bf_fail(err, BF_ERR_NOT_FOUND, NULL, NULL, "%s", missing);
    return BF_OK;
}

static const char SQL_USER_PASSWORD[] = "UPDATE users SET password_hash = ?2 WHERE id = ?1";

static bf_result store_user_set_password_in_tx(store *st, const char *user_id, const char *hash,
                                               bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_USER_PASSWORD, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, user_id);
    sq_bind_text(s, 2, hash);
    return run_write(c, s, "password", "no such user", err);
}

bf_result store_user_set_password(store *st, const char *user_id, const char *hash, bf_error *err)
{
    IN_TRANSACTION(st, err, store_user_set_password_in_tx(st, user_id, hash, err));
}

static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO api_tokens (id, user_id, token_hash, label, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";

static bf_result store_token_insert_in_tx(store *st, arena *a, const char *user_id,
                                          const char *token_hash, const char *label,
                                          const char **id, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_TOKEN_INSERT, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    char *tid = sq_new_id(a, "tok");
    if (tid == NULL)
        return BF_ERR_NOMEM;
    sq_bind_text(s, 1, tid);
    sq_bind_text(s, 2, user_id);
    sq_bind_text(s, 3, token_hash);
    sq_bind_text(s, 4, label);
    sq_bind_text(s, 5, now);
    if ((r = run_write(c, s, "token", NULL, err)) == BF_OK)
        *id = tid;
    return r;
}

bf_result store_token_insert(store *st, arena *a, const char *user_id, const char *token_hash,
                             const char *label, const char **id, bf_error *err)
{
    IN_TRANSACTION(st, err, store_token_insert_in_tx(st, a, user_id, token_hash, label, id, err));
}

static const char SQL_TOKEN_FIND[] =
    "SELECT k.id, u.name FROM api_tokens k JOIN users u ON u.id = k.user_id "
    "WHERE (k.token_hash = ?1 OR k.id = ?1) AND k.revoked_at IS NULL";
static const char SQL_TOKEN_REVOKE[] = "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1";

static bf_result token_revoke_in_tx(store *st, arena *a, const char *hash_or_id,
                                    const char **user_name, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_TOKEN_FIND, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, hash_or_id);
    int rc = db_step(s);
    const char *id = rc == DB_ROW ? sq_column_text(a, s, 0) : NULL;
    *user_name = rc == DB_ROW ? sq_column_text(a, s, 1) : NULL;
    db_reset(s);
    if (rc == DB_DONE)
        return bf_fail(err, BF_ERR_NOT_FOUND, NULL, NULL, "no such token, or revoked already");
    if (rc != DB_ROW)
        return sq_db_error(err, c->db, rc, "token");
    if (id == NULL)
        return BF_ERR_NOMEM;
    if ((r = sq_prepare(st, SQL_TOKEN_REVOKE, &c, &s, err)) != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, id);
    sq_bind_text(s, 2, now);
    return run_write(c, s, "token", "no such token", err);
}

bf_result store_token_revoke(store *st, arena *a, const char *hash_or_id, const char **user_name,
                             bf_error *err)
{
    IN_TRANSACTION(st, err, token_revoke_in_tx(st, a, hash_or_id, user_name, err));
}

bf_result store_token_user(store *st, arena *a, const char *token_hash, user_login *out,
                           bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_USER_BY_TOKEN, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, token_hash);
    return find_user(c, s, a, out, NULL, err);
}

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, address) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";

static bf_result store_session_insert_in_tx(store *st, const char *token_hash, const char *user_id,
                                            const char *expires_at, const char *address,
                                            bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_SESSION_INSERT, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, token_hash);
    sq_bind_text(s, 2, user_id);
    sq_bind_text(s, 3, now);
    sq_bind_text(s, 4, expires_at);
    sq_bind_text(s, 5, address);
    return run_write(c, s, "session", NULL, err);
}

bf_result store_session_insert(store *st, const char *token_hash, const char *user_id,
                               const char *expires_at, const char *address, bf_error *err)
{
    IN_TRANSACTION(st, err,
                   store_session_insert_in_tx(st, token_hash, user_id, expires_at, address, err));
}

bf_result store_session_user(store *st, arena *a, const char *token_hash, const char *now,
                             user_login *out, const char **expires_at, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_USER_BY_SESSION, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, token_hash);
    sq_bind_text(s, 2, now);
    return find_user(c, s, a, out, expires_at, err);
}

static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE token_hash = ?1";

static bf_result store_session_delete_in_tx(store *st, const char *token_hash, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_SESSION_DELETE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, token_hash);
    return run_write(c, s, "session", NULL, err);
}

bf_result store_session_delete(store *st, const char *token_hash, bf_error *err)
{
    IN_TRANSACTION(st, err, store_session_delete_in_tx(st, token_hash, err));
}

static const char SQL_SESSIONS_END[] = "DELETE FROM sessions WHERE (user_id = ?1 AND token_hash IS "
                                       "DISTINCT FROM ?2) OR expires_at <= ?3";

static bf_result store_sessions_end_user_in_tx(store *st, const char *user_id,
                                               const char *keep_hash, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_SESSIONS_END, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, user_id);
    sq_bind_text(s, 2, keep_hash);
    sq_bind_text(s, 3, now);
    return run_write(c, s, "sessions", NULL, err);
}

bf_result store_sessions_end_user(store *st, const char *user_id, const char *keep_hash,
                                  bf_error *err)
{
    IN_TRANSACTION(st, err, store_sessions_end_user_in_tx(st, user_id, keep_hash, err));
}

static const char SQL_IN_TEAM_TREE[] =
    "WITH RECURSIVE tree(id) AS (SELECT CAST(?1 AS TEXT) UNION SELECT t.id FROM teams t "
    "JOIN tree ON t.parent_id = tree.id) SELECT EXISTS (SELECT 1 FROM users WHERE id = ?2 AND "
    "team_id IN (SELECT id FROM tree))";

bf_result store_user_in_team_tree(store *st, const char *team_id, const char *user_id, bool *in,
                                  bf_error *err)
{
    *in = false;
    if (team_id == NULL || user_id == NULL)
        return BF_OK;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_IN_TEAM_TREE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, team_id);
    sq_bind_text(s, 2, user_id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *in = db_column_int(s, 0) != 0;
    db_reset(s);
    return rc == DB_ROW ? BF_OK : sq_db_error(err, c->db, rc, "teams");
}

static const char SQL_TOKENS_REVOKE_USER[] =
    "UPDATE api_tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL";

static bf_result store_tokens_revoke_user_in_tx(store *st, const char *user_id, int64_t *n,
                                                bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_TOKENS_REVOKE_USER, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, user_id);
    sq_bind_text(s, 2, now);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return sq_db_error(err, c->db, rc, "tokens");
    *n = db_changes(c->db);
    return BF_OK;
}

bf_result store_tokens_revoke_user(store *st, const char *user_id, int64_t *n, bf_error *err)
{
    IN_TRANSACTION(st, err, store_tokens_revoke_user_in_tx(st, user_id, n, err));
}

/* ---- calendar feeds ---------------------------------------------------------------- */

static const char SQL_FEED_OF[] =
    "SELECT id, created_at FROM calendar_feeds WHERE user_id = ?1 AND revoked_at IS NULL "
    "ORDER BY created_at DESC, id LIMIT 1";
static const char SQL_FEEDS_REVOKE_USER[] =
    "UPDATE calendar_feeds SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL";
static const char SQL_FEED_INSERT[] =
    "INSERT INTO calendar_feeds (id, user_id, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_USER_BY_FEED[] =
    "SELECT " USER_COLUMNS ", u.display_name FROM calendar_feeds k JOIN users u ON "
    "u.id = k.user_id LEFT JOIN teams t ON t.id = u.team_id WHERE k.token_hash = ?1 AND "
    "k.revoked_at IS NULL AND u.active = 1";

bf_result store_calendar_feed_of(store *st, arena *a, const char *user_id, calendar_feed *out,
                                 bf_error *err)
{
    conn *c;
    db_stmt *s;
    *out = (calendar_feed){0};
    bf_result r = sq_prepare(st, SQL_FEED_OF, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, user_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->id = sq_column_text(a, s, 0);
        out->created_at = sq_column_text(a, s, 1);
        if (out->id == NULL || out->created_at == NULL)
            r = BF_ERR_NOMEM;
    } else if (rc != DB_DONE) {
        r = sq_db_error(err, c->db, rc, "calendar feed");
    }
    db_reset(s);
    return r;
}

static bf_result feeds_revoke_in_tx(store *st, const char *user_id, int64_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_FEEDS_REVOKE_USER, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, user_id);
    sq_bind_text(s, 2, now);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return sq_db_error(err, c->db, rc, "calendar feeds");
    *n = db_changes(c->db);
    return BF_OK;
}

bf_result store_calendar_feeds_revoke_user(store *st, const char *user_id, int64_t *n,
                                           bf_error *err)
{
    IN_TRANSACTION(st, err, feeds_revoke_in_tx(st, user_id, n, err));
}

static bf_result feed_create_in_tx(store *st, arena *a, const char *user_id, const char *token_hash,
                                   calendar_feed *out, int64_t *revoked, bf_error *err)
{
    bf_result r = feeds_revoke_in_tx(st, user_id, revoked, err);
    conn *c;
    db_stmt *s;
    if (r != BF_OK || (r = sq_prepare(st, SQL_FEED_INSERT, &c, &s, err)) != BF_OK)
        return r;
    char *id = sq_new_id(a, "cal");
    char *now = arena_alloc(a, 32);
    if (id == NULL || now == NULL)
        return BF_ERR_NOMEM;
    store_now(now, 32);
    sq_bind_text(s, 1, id);
    sq_bind_text(s, 2, user_id);
    sq_bind_text(s, 3, token_hash);
    sq_bind_text(s, 4, now);
    if ((r = run_write(c, s, "calendar feed", NULL, err)) == BF_OK)
        *out = (calendar_feed){id, now};
    return r;
}

bf_result store_calendar_feed_create(store *st, arena *a, const char *user_id,
                                     const char *token_hash, calendar_feed *out, int64_t *revoked,
                                     bf_error *err)
{
    IN_TRANSACTION(st, err, feed_create_in_tx(st, a, user_id, token_hash, out, revoked, err));
}

bf_result store_calendar_feed_user(store *st, arena *a, const char *token_hash, user_login *out,
                                   const char **display_name, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_USER_BY_FEED, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, token_hash);
    return find_user(c, s, a, out, display_name, err);
}

/* Through the indexes of logins by name and by address (schema version 9):
 * the read is as short as the window, however long the log. */
static const char SQL_LOGINS_OF[] =
    "SELECT at, actor, address, action, seq FROM audit_log WHERE actor = ?1 "
    "AND action IN ('login', 'login_failed') AND at >= ?3 "
    "UNION SELECT at, actor, address, action, seq FROM audit_log WHERE address = ?2 "
    "AND action IN ('login', 'login_failed') AND at >= ?3 ORDER BY 1, 5";

static void read_login(arena *a, db_stmt *s, void *row)
{
    login_attempt *e = row;
    e->at = sq_column_text(a, s, 0);
    e->name = sq_column_text(a, s, 1);
    e->address = sq_column_text(a, s, 2);
    const char *action = db_column_text(s, 3);
    e->ok = action != NULL && strcmp(action, "login") == 0;
}

bf_result store_logins_of(store *st, arena *a, const char *name, const char *address,
                          const char *since, login_attempt **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_LOGINS_OF, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, name);
    sq_bind_text(s, 2, address);
    sq_bind_text(s, 3, since);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(login_attempt), read_login, "audit log", &rows, n, err)) ==
        BF_OK)
        *out = rows;
    return r;
}

/* ---- the deal team and partner registrations -------------------------------------- */

static const char SQL_MEMBER_PUT[] =
    "INSERT INTO opportunity_members (opportunity_id, user_id, role, added_at, added_by) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (opportunity_id, user_id) DO UPDATE SET "
    "role = excluded.role";
static const char SQL_MEMBER_DELETE[] =
    "DELETE FROM opportunity_members WHERE opportunity_id = ?1 AND user_id = ?2";
static const char SQL_MEMBER_LIST[] =
    "SELECT m.user_id, u.name, u.display_name, m.role, m.added_at, m.added_by "
    "FROM opportunity_members m JOIN users u ON u.id = m.user_id "
    "WHERE m.opportunity_id = ?1 ORDER BY m.added_at, u.name";
static const char SQL_PARTNER_REGISTER[] =
    "INSERT INTO opportunity_partners (opportunity_id, partner_id, registered_at, registered_by) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";
static const char SQL_PARTNER_UNREGISTER[] =
    "DELETE FROM opportunity_partners WHERE opportunity_id = ?1 AND partner_id = ?2";
static const char SQL_PARTNER_LIST[] =
    "SELECT r.partner_id, p.name, NULL, NULL, r.registered_at, r.registered_by "
    "FROM opportunity_partners r JOIN partners p ON p.id = r.partner_id "
    "WHERE r.opportunity_id = ?1 ORDER BY r.registered_at, p.name";

/* Binds (opportunity, other, [role,] now, by) and runs an insert. */
static bf_result link_put_in_tx(store *st, const char *sql, const char *opportunity_id,
                                const char *other_id, const char *role, const char *by,
                                bool *inserted, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    int i = 1;
    sq_bind_text(s, i++, opportunity_id);
    sq_bind_text(s, i++, other_id);
    if (role)
        sq_bind_text(s, i++, role);
    sq_bind_text(s, i++, now);
    sq_bind_text(s, i++, by);
    if ((r = run_write(c, s, "deal team", NULL, err)) == BF_OK && inserted)
        *inserted = db_changes(c->db) > 0;
    return r;
}

static bf_result link_put(store *st, const char *sql, const char *opportunity_id,
                          const char *other_id, const char *role, const char *by, bool *inserted,
                          bf_error *err)
{
    IN_TRANSACTION(st, err,
                   link_put_in_tx(st, sql, opportunity_id, other_id, role, by, inserted, err));
}

static bf_result link_delete_in_tx(store *st, const char *sql, const char *opportunity_id,
                                   const char *other_id, const char *missing, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    sq_bind_text(s, 2, other_id);
    return run_write(c, s, "deal team", missing, err);
}

static bf_result link_delete(store *st, const char *sql, const char *opportunity_id,
                             const char *other_id, const char *missing, bf_error *err)
{
    IN_TRANSACTION(st, err, link_delete_in_tx(st, sql, opportunity_id, other_id, missing, err));
}

static void read_deal_member(arena *a, db_stmt *s, void *row)
{
    deal_member *m = row;
    m->id = sq_column_text(a, s, 0);
    m->name = sq_column_text(a, s, 1);
    m->display_name = sq_column_text(a, s, 2);
    m->role = sq_column_text(a, s, 3);
    m->added_at = sq_column_text(a, s, 4);
    m->added_by = sq_column_text(a, s, 5);
}

static bf_result link_list(store *st, arena *a, const char *sql, const char *opportunity_id,
                           deal_member **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(deal_member), read_deal_member, "deal team", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}

bf_result store_member_put(store *st, const char *opportunity_id, const char *user_id,
                           const char *role, const char *by, bf_error *err)
{
    return link_put(st, SQL_MEMBER_PUT, opportunity_id, user_id, role, by, NULL, err);
}

bf_result store_member_delete(store *st, const char *opportunity_id, const char *user_id,
                              bf_error *err)
{
    return link_delete(st, SQL_MEMBER_DELETE, opportunity_id, user_id,
                       "this user is not on the deal", err);
}

bf_result store_member_list(store *st, arena *a, const char *opportunity_id, deal_member **out,
                            size_t *n, bf_error *err)
{
    return link_list(st, a, SQL_MEMBER_LIST, opportunity_id, out, n, err);
}

bf_result store_partner_register(store *st, const char *opportunity_id, const char *partner_id,
                                 const char *by, bool *inserted, bf_error *err)
{
    return link_put(st, SQL_PARTNER_REGISTER, opportunity_id, partner_id, NULL, by, inserted, err);
}

bf_result store_partner_unregister(store *st, const char *opportunity_id, const char *partner_id,
                                   bf_error *err)
{
    return link_delete(st, SQL_PARTNER_UNREGISTER, opportunity_id, partner_id,
                       "this partner is not registered on the deal", err);
}

bf_result store_partner_list(store *st, arena *a, const char *opportunity_id, deal_member **out,
                             size_t *n, bf_error *err)
{
    return link_list(st, a, SQL_PARTNER_LIST, opportunity_id, out, n, err);
}

/* ---- the audit log ------------------------------------------------------------------ */

static const char SQL_AUDIT_INSERT[] =
    "INSERT INTO audit_log (at, actor, action, resource, record_id, old_values, new_values, "
    "address) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING seq";
/* On SQLite, without RETURNING: to SQLite a statement that returns rows of
 * an insert is one that fires a trigger, for which it keeps a statement
 * journal and a table of the rows; the entry's seq is its rowid. An import
 * of a million deals spent 2 to 3 s of its 5 s of audit entries on them. */
static const char SQL_AUDIT_INSERT_SQLITE[] =
    "INSERT INTO audit_log (at, actor, action, resource, record_id, old_values, new_values, "
    "address) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_LAST_ROWID[] = "SELECT last_insert_rowid()";
static const char SQL_AUDIT_LIST[] =
    "SELECT seq, at, actor, action, resource, record_id, old_values, new_values, address "
    "FROM audit_log WHERE (record_id = ?1 OR ?1 IS NULL) AND (action = ?2 OR ?2 IS NULL) "
    "AND (actor = ?3 OR ?3 IS NULL) AND (seq < ?4 OR ?4 = 0) "
    "AND (?6 = 0 OR action NOT IN ('login', 'login_failed', 'logout', 'password_change', "
    "'password_set', 'token_create', 'token_revoke')) ORDER BY seq DESC LIMIT ?5";

/* The same for one record: the index on (record_id, seq) answers it, where
 * the catch-all "record_id = ?1 OR ?1 IS NULL" above walks the whole log. */
static const char SQL_AUDIT_OF_RECORD[] =
    "SELECT seq, at, actor, action, resource, record_id, old_values, new_values, address "
    "FROM audit_log WHERE record_id = ?1 AND (action = ?2 OR ?2 IS NULL) "
    "AND (actor = ?3 OR ?3 IS NULL) AND (seq < ?4 OR ?4 = 0) "
    "AND (?6 = 0 OR action NOT IN ('login', 'login_failed', 'logout', 'password_change', "
    "'password_set', 'token_create', 'token_revoke')) ORDER BY seq DESC LIMIT ?5";

static bf_result store_audit_append_in_tx(store *st, audit_entry *e, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    bool sqlite = db_dialect_of(c->db) == DB_SQLITE;
    if ((r = sq_stmt_static(c, sqlite ? SQL_AUDIT_INSERT_SQLITE : SQL_AUDIT_INSERT, &s, err)) !=
        BF_OK)
        return r;
    char now[32];
    if (e->at == NULL) {
        store_now(now, sizeof(now));
        e->at = now;
    }
    sq_bind_text(s, 1, e->at);
    sq_bind_text(s, 2, e->actor);
    sq_bind_text(s, 3, e->action);
    sq_bind_text(s, 4, e->resource);
    sq_bind_text(s, 5, e->record_id);
    sq_bind_text(s, 6, e->old_values);
    sq_bind_text(s, 7, e->new_values);
    sq_bind_text(s, 8, e->address);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        e->seq = db_column_int64(s, 0);
        rc = db_step(s); /* to its end: a write outside a transaction commits there */
    }
    db_reset(s);
    if (e->at == now)
        e->at = NULL; /* not to leave a pointer to this frame */
    if (rc != DB_DONE)
        return sq_db_error(err, c->db, rc, "audit");
    if (sqlite && (r = sq_stmt_static(c, SQL_LAST_ROWID, &s, err)) == BF_OK) {
        rc = db_step(s);
        e->seq = rc == DB_ROW ? db_column_int64(s, 0) : 0;
        db_reset(s);
        if (rc != DB_ROW)
            r = sq_db_error(err, c->db, rc, "audit");
    }
    return r;
}

bf_result store_audit_append(store *st, audit_entry *e, bf_error *err)
{
    IN_TRANSACTION(st, err, store_audit_append_in_tx(st, e, err));
}

static void read_audit_entry(arena *a, db_stmt *s, void *row)
{
    audit_entry *e = row;
    e->seq = db_column_int64(s, 0);
    e->at = sq_column_text(a, s, 1);
    e->actor = sq_column_text(a, s, 2);
    e->action = sq_column_text(a, s, 3);
    e->resource = sq_column_text(a, s, 4);
    e->record_id = sq_column_text(a, s, 5);
    e->old_values = sq_column_text(a, s, 6);
    e->new_values = sq_column_text(a, s, 7);
    e->address = sq_column_text(a, s, 8);
}

bf_result store_audit_list(store *st, arena *a, const audit_query *q, audit_entry **out, size_t *n,
                           bool *more, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, q->record_id ? SQL_AUDIT_OF_RECORD : SQL_AUDIT_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, q->record_id);
    sq_bind_text(s, 2, q->action);
    sq_bind_text(s, 3, q->actor);
    db_bind_int64(s, 4, q->after_seq);
    db_bind_int64(s, 5, q->limit + 1);
    db_bind_int64(s, 6, q->without_credentials);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(audit_entry), read_audit_entry, "audit", &rows, n, err)) !=
        BF_OK)
        return r;
    *out = rows;
    *more = *n > (size_t)q->limit; /* one row more than asked tells that others follow */
    if (*more)
        *n = (size_t)q->limit;
    return BF_OK;
}
