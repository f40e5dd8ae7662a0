/* Notifications (migration 33): a user's inbox, the webhooks of group
 * robots, their outbox and the tender's key dates (see store.h). Every read
 * is a seek of one index: an inbox by notifications_inbox (its unread part by
 * the partial notifications_unread), the outbox's due messages by the
 * partial webhook_deliveries_due, what the periodic job finds by
 * opportunities_stalled, activities_planned and tender_dates_day. */
#include <string.h>

#include "store/sqlite.h"

/* ---- the inbox ---------------------------------------------------------------------- */

#define NOTIFICATION_COLUMNS                                                                       \
    "n.id, n.user_id, n.kind, n.opportunity_id, n.record_type, n.record_id, n.day, n.part, "       \
    "n.params, n.created_at, n.read_at, o.name, o.owner_id"

static const char SQL_NOTIFICATION_ADD[] =
    "INSERT INTO notifications (id, user_id, kind, opportunity_id, record_type, record_id, day, "
    "part, params, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
    "ON CONFLICT DO NOTHING";

#define INBOX_FROM                                                                                 \
    "SELECT " NOTIFICATION_COLUMNS " FROM notifications n LEFT JOIN opportunities o ON o.id = "    \
    "n.opportunity_id WHERE n.user_id = ?1"
#define INBOX_UNREAD " AND n.read_at IS NULL"
#define INBOX_AFTER " AND (n.created_at, n.id) < (?2, ?3)"
#define INBOX_ORDER " ORDER BY n.created_at DESC, n.id DESC LIMIT ?4"
/* [unread][after a cursor] */
static const char *const SQL_INBOX[2][2] = {
    {INBOX_FROM INBOX_ORDER, INBOX_FROM INBOX_AFTER INBOX_ORDER},
    {INBOX_FROM INBOX_UNREAD INBOX_ORDER, INBOX_FROM INBOX_UNREAD INBOX_AFTER INBOX_ORDER},
};

static const char SQL_NOTIFICATION_GET[] = INBOX_FROM " AND n.id = ?2";

static const char SQL_UNREAD[] = "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE "
                                 "user_id = ?1 AND read_at IS NULL LIMIT ?2) AS u";

static const char SQL_READ_ONE[] = "UPDATE notifications SET read_at = ?3 WHERE user_id = ?1 AND "
                                   "id = ?2 AND read_at IS NULL";
static const char SQL_READ_ALL[] =
    "UPDATE notifications SET read_at = ?3 WHERE user_id = ?1 AND read_at IS NULL";

static const char SQL_USERS_OF_ROLE[] =
    "SELECT id FROM users WHERE role = ?1 AND active = 1 AND (CAST(?2 AS TEXT) IS NULL OR "
    "team_id = ?2) ORDER BY id LIMIT 500";

static void read_notification(arena *a, db_stmt *s, void *row)
{
    notification *n = row;
    n->id = sq_column_text(a, s, 0);
    n->user_id = sq_column_text(a, s, 1);
    n->kind = sq_column_text(a, s, 2);
    n->opportunity_id = sq_column_text(a, s, 3);
    n->record_type = sq_column_text(a, s, 4);
    n->record_id = sq_column_text(a, s, 5);
    n->day = sq_column_text(a, s, 6);
    n->part = sq_column_text(a, s, 7);
    n->params = sq_column_text(a, s, 8);
    n->created_at = sq_column_text(a, s, 9);
    n->read_at = sq_column_text(a, s, 10);
    n->deal_name = sq_column_text(a, s, 11);
    n->deal_owner_id = sq_column_text(a, s, 12);
}

static bf_result notification_add_in_tx(store *st, arena *ar, notification *n, bool *inserted,
                                        bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_NOTIFICATION_ADD, &c, &s, err);
    if (r != BF_OK)
        return r;
    if (n->id == NULL && (n->id = sq_new_id(ar, "ntf")) == NULL)
        return BF_ERR_NOMEM;
    if (n->created_at == NULL) {
        char now[32];
        store_now(now, sizeof(now));
        if ((n->created_at = arena_strdup(ar, now)) == NULL)
            return BF_ERR_NOMEM;
    }
    sq_bind_text(s, 1, n->id);
    sq_bind_text(s, 2, n->user_id);
    sq_bind_text(s, 3, n->kind);
    sq_bind_text(s, 4, n->opportunity_id);
    sq_bind_text(s, 5, n->record_type);
    sq_bind_text(s, 6, n->record_id);
    sq_bind_text(s, 7, n->day);
    sq_bind_text(s, 8, n->part ? n->part : "");
    sq_bind_text(s, 9, n->params ? n->params : "{}");
    sq_bind_text(s, 10, n->created_at);
    int rc = db_step(s);
    int64_t changed = rc == DB_DONE ? db_changes(c->db) : 0;
    db_reset(s);
    if (rc != DB_DONE)
        return sq_constraint_error(err, c, rc, "notification");
    if (inserted != NULL)
        *inserted = changed > 0;
    return BF_OK;
}

bf_result store_notification_add(store *st, arena *ar, notification *n, bool *inserted,
                                 bf_error *err)
{
    IN_TRANSACTION(st, err, notification_add_in_tx(st, ar, n, inserted, err));
}

bf_result store_notification_list(store *st, arena *ar, const notification_query *q,
                                  notification **out, size_t *n, bool *more, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_INBOX[q->unread][q->before_at != NULL], &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, q->user_id);
    if (q->before_at != NULL) {
        sq_bind_text(s, 2, q->before_at);
        sq_bind_text(s, 3, q->before_id ? q->before_id : "");
    }
    db_bind_int64(s, 4, q->limit + 1);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(notification), read_notification, "notifications", &rows,
                        n, err)) != BF_OK)
        return r;
    *out = rows;
    *more = *n > (size_t)q->limit;
    if (*more)
        *n = (size_t)q->limit;
    return BF_OK;
}

bf_result store_notification_get(store *st, arena *ar, const char *user_id, const char *id,
                                 notification *out, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_NOTIFICATION_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, user_id);
    sq_bind_text(s, 2, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        read_notification(ar, s, out);
    else if (rc == DB_DONE)
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "no notification %s", id);
    else
        r = sq_db_error(err, c->db, rc, "notification");
    db_reset(s);
    return r;
}

bf_result store_notification_unread(store *st, const char *user_id, int64_t cap, int64_t *out,
                                    bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_UNREAD, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, user_id);
    db_bind_int64(s, 2, cap);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *out = db_column_int64(s, 0);
    else
        r = sq_db_error(err, c->db, rc, "notifications");
    db_reset(s);
    return r;
}

static bf_result read_in_tx(store *st, const char *user_id, const char *id, const char *at,
                            int64_t *changed, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, id ? SQL_READ_ONE : SQL_READ_ALL, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, user_id);
    if (id != NULL)
        sq_bind_text(s, 2, id);
    sq_bind_text(s, 3, at);
    int rc = db_step(s);
    *changed = rc == DB_DONE ? db_changes(c->db) : 0;
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "notifications");
}

bf_result store_notification_read(store *st, const char *user_id, const char *id, const char *at,
                                  int64_t *changed, bf_error *err)
{
    IN_TRANSACTION(st, err, read_in_tx(st, user_id, id, at, changed, err));
}

static void read_id(arena *a, db_stmt *s, void *row)
{
    *(const char **)row = sq_column_text(a, s, 0);
}

bf_result store_users_of_role(store *st, arena *ar, const char *role, const char *team_id,
                              const char ***ids, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_USERS_OF_ROLE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, role);
    sq_bind_text(s, 2, team_id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(const char *), read_id, "users", &rows, n, err)) == BF_OK)
        *ids = rows;
    return r;
}

/* ---- webhooks ------------------------------------------------------------------------ */

#define WEBHOOK_COLUMNS                                                                            \
    "id, version, name, kind, url, secret, events, team_id, lang, enabled, created_at, "           \
    "updated_at, updated_by"

static const char SQL_WEBHOOK_INSERT[] =
    "INSERT INTO webhooks (" WEBHOOK_COLUMNS ") VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?10, ?11)";
static const char SQL_WEBHOOK_GET[] = "SELECT " WEBHOOK_COLUMNS " FROM webhooks WHERE id = ?1";
static const char SQL_WEBHOOK_UPDATE[] =
    "UPDATE webhooks SET version = version + 1, name = ?3, kind = ?4, url = ?5, secret = ?6, "
    "events = ?7, team_id = ?8, lang = ?9, enabled = ?10, updated_at = ?11, updated_by = ?12 "
    "WHERE id = ?1 AND version = ?2";
static const char SQL_WEBHOOK_DELETE[] = "DELETE FROM webhooks WHERE id = ?1 AND version = ?2";
static const char SQL_WEBHOOK_EXISTS[] = "SELECT version FROM webhooks WHERE id = ?1";
static const char SQL_WEBHOOK_LIST[] =
    "SELECT " WEBHOOK_COLUMNS " FROM webhooks ORDER BY created_at, id LIMIT 200";
static const char SQL_WEBHOOK_ENABLED[] =
    "SELECT " WEBHOOK_COLUMNS " FROM webhooks WHERE enabled = 1 ORDER BY created_at, id LIMIT 200";

static void read_webhook(arena *a, db_stmt *s, void *row)
{
    webhook *w = row;
    w->id = sq_column_text(a, s, 0);
    w->version = db_column_int64(s, 1);
    w->name = sq_column_text(a, s, 2);
    w->kind = sq_column_text(a, s, 3);
    w->url = sq_column_text(a, s, 4);
    w->secret = sq_column_text(a, s, 5);
    w->events = sq_column_text(a, s, 6);
    w->team_id = sq_column_text(a, s, 7);
    w->lang = sq_column_text(a, s, 8);
    w->enabled = db_column_int64(s, 9) != 0;
    w->created_at = sq_column_text(a, s, 10);
    w->updated_at = sq_column_text(a, s, 11);
    w->updated_by = sq_column_text(a, s, 12);
}

/* Binds w's fields from ?from on: name, kind, url, secret, events, team,
 * lang, enabled. */
static void bind_webhook(db_stmt *s, int from, const webhook *w)
{
    sq_bind_text(s, from, w->name);
    sq_bind_text(s, from + 1, w->kind);
    sq_bind_text(s, from + 2, w->url);
    sq_bind_text(s, from + 3, w->secret);
    sq_bind_text(s, from + 4, w->events ? w->events : "[]");
    sq_bind_text(s, from + 5, w->team_id);
    sq_bind_text(s, from + 6, w->lang ? w->lang : "zh");
    db_bind_int64(s, from + 7, w->enabled ? 1 : 0);
}

static bf_result webhook_insert_in_tx(store *st, arena *ar, webhook *w, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_WEBHOOK_INSERT, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    if ((w->id = sq_new_id(ar, "whk")) == NULL ||
        (w->created_at = w->updated_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    w->version = 1;
    sq_bind_text(s, 1, w->id);
    bind_webhook(s, 2, w);
    sq_bind_text(s, 10, w->created_at);
    sq_bind_text(s, 11, w->updated_by);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_constraint_error(err, c, rc, "webhook");
}

bf_result store_webhook_insert(store *st, arena *ar, webhook *w, bf_error *err)
{
    IN_TRANSACTION(st, err, webhook_insert_in_tx(st, ar, w, err));
}

bf_result store_webhook_get(store *st, arena *ar, const char *id, webhook *out, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_WEBHOOK_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        read_webhook(ar, s, out);
    else if (rc == DB_DONE)
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "no webhook %s", id);
    else
        r = sq_db_error(err, c->db, rc, "webhook");
    db_reset(s);
    return r;
}

/* After a write that changed nothing: 404 when the webhook is gone, else
 * 412 (its version moved on). */
static bf_result webhook_unchanged(store *st, const char *id, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_WEBHOOK_EXISTS, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    db_reset(s);
    if (rc == DB_ROW)
        return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the webhook was changed by someone else meanwhile: read it again");
    if (rc == DB_DONE)
        return bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "no webhook %s", id);
    return sq_db_error(err, c->db, rc, "webhook");
}

static bf_result webhook_update_in_tx(store *st, arena *ar, webhook *w, int64_t expected,
                                      bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_WEBHOOK_UPDATE, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    if ((w->updated_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    sq_bind_text(s, 1, w->id);
    db_bind_int64(s, 2, expected);
    bind_webhook(s, 3, w);
    sq_bind_text(s, 11, w->updated_at);
    sq_bind_text(s, 12, w->updated_by);
    int rc = db_step(s);
    int64_t changed = rc == DB_DONE ? db_changes(c->db) : 0;
    db_reset(s);
    if (rc != DB_DONE)
        return sq_constraint_error(err, c, rc, "webhook");
    if (changed == 0)
        return webhook_unchanged(st, w->id, err);
    w->version = expected + 1;
    return BF_OK;
}

bf_result store_webhook_update(store *st, arena *ar, webhook *w, int64_t expected, bf_error *err)
{
    IN_TRANSACTION(st, err, webhook_update_in_tx(st, ar, w, expected, err));
}

static bf_result webhook_delete_in_tx(store *st, const char *id, int64_t expected, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_WEBHOOK_DELETE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    db_bind_int64(s, 2, expected);
    int rc = db_step(s);
    int64_t changed = rc == DB_DONE ? db_changes(c->db) : 0;
    db_reset(s);
    if (rc != DB_DONE)
        return sq_constraint_error(err, c, rc, "webhook");
    return changed > 0 ? BF_OK : webhook_unchanged(st, id, err);
}

bf_result store_webhook_delete(store *st, const char *id, int64_t expected, bf_error *err)
{
    IN_TRANSACTION(st, err, webhook_delete_in_tx(st, id, expected, err));
}

bf_result store_webhook_list(store *st, arena *ar, bool enabled_only, webhook **out, size_t *n,
                             bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r =
        sq_prepare(st, enabled_only ? SQL_WEBHOOK_ENABLED : SQL_WEBHOOK_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(webhook), read_webhook, "webhooks", &rows, n, err)) ==
        BF_OK)
        *out = rows;
    return r;
}

/* ---- the outbox ------------------------------------------------------------------------ */

#define DELIVERY_COLUMNS                                                                           \
    "d.id, d.webhook_id, d.kind, d.event_key, d.payload, d.created_at, d.next_attempt_at, "        \
    "d.last_error, d.delivered_at, d.failed_at, d.attempts"

static const char SQL_DELIVERY_ADD[] =
    "INSERT INTO webhook_deliveries (id, webhook_id, kind, event_key, payload, created_at, "
    "attempts, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?6) ON CONFLICT DO NOTHING";
static const char SQL_DELIVERY_LIST[] =
    "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries d WHERE d.webhook_id = ?1 "
    "ORDER BY d.created_at DESC, d.id DESC LIMIT ?2";
static const char SQL_DELIVERY_DUE[] =
    "SELECT " DELIVERY_COLUMNS ", w.kind, w.url, w.secret, w.enabled FROM webhook_deliveries d "
    "JOIN webhooks w ON w.id = d.webhook_id WHERE d.next_attempt_at IS NOT NULL AND "
    "d.next_attempt_at <= ?1 ORDER BY d.next_attempt_at, d.id LIMIT ?2";
static const char SQL_DELIVERY_LEASE[] = "UPDATE webhook_deliveries SET next_attempt_at = ?2, "
                                         "attempts = attempts + 1 WHERE id = ?1";
static const char SQL_DELIVERY_OK[] =
    "UPDATE webhook_deliveries SET delivered_at = ?2, next_attempt_at = NULL, last_error = NULL "
    "WHERE id = ?1";
static const char SQL_DELIVERY_FAILED[] =
    "UPDATE webhook_deliveries SET last_error = ?3, next_attempt_at = ?4, failed_at = CASE WHEN "
    "CAST(?4 AS TEXT) IS NULL THEN CAST(?2 AS TEXT) ELSE NULL END WHERE id = ?1";

static void read_delivery(arena *a, db_stmt *s, void *row)
{
    webhook_delivery *d = row;
    d->id = sq_column_text(a, s, 0);
    d->webhook_id = sq_column_text(a, s, 1);
    d->kind = sq_column_text(a, s, 2);
    d->event_key = sq_column_text(a, s, 3);
    d->payload = sq_column_text(a, s, 4);
    d->created_at = sq_column_text(a, s, 5);
    d->next_attempt_at = sq_column_text(a, s, 6);
    d->last_error = sq_column_text(a, s, 7);
    d->delivered_at = sq_column_text(a, s, 8);
    d->failed_at = sq_column_text(a, s, 9);
    d->attempts = db_column_int64(s, 10);
}

static void read_claimed(arena *a, db_stmt *s, void *row)
{
    webhook_delivery *d = row;
    read_delivery(a, s, row);
    d->robot = sq_column_text(a, s, 11);
    d->url = sq_column_text(a, s, 12);
    d->secret = sq_column_text(a, s, 13);
    d->enabled = db_column_int64(s, 14) != 0;
}

static bf_result delivery_add_in_tx(store *st, arena *ar, webhook_delivery *d, bool *inserted,
                                    bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_DELIVERY_ADD, &c, &s, err);
    if (r != BF_OK)
        return r;
    if (d->id == NULL && (d->id = sq_new_id(ar, "dlv")) == NULL)
        return BF_ERR_NOMEM;
    if (d->created_at == NULL) {
        char now[32];
        store_now(now, sizeof(now));
        if ((d->created_at = arena_strdup(ar, now)) == NULL)
            return BF_ERR_NOMEM;
    }
    sq_bind_text(s, 1, d->id);
    sq_bind_text(s, 2, d->webhook_id);
    sq_bind_text(s, 3, d->kind);
    sq_bind_text(s, 4, d->event_key);
    sq_bind_text(s, 5, d->payload);
    sq_bind_text(s, 6, d->created_at);
    int rc = db_step(s);
    int64_t changed = rc == DB_DONE ? db_changes(c->db) : 0;
    db_reset(s);
    if (rc != DB_DONE)
        return sq_constraint_error(err, c, rc, "delivery");
    if (inserted != NULL)
        *inserted = changed > 0;
    return BF_OK;
}

bf_result store_delivery_add(store *st, arena *ar, webhook_delivery *d, bool *inserted,
                             bf_error *err)
{
    IN_TRANSACTION(st, err, delivery_add_in_tx(st, ar, d, inserted, err));
}

bf_result store_delivery_list(store *st, arena *ar, const char *webhook_id, int limit,
                              webhook_delivery **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_DELIVERY_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, webhook_id);
    db_bind_int64(s, 2, limit);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(webhook_delivery), read_delivery, "deliveries", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}

static bf_result claim_in_tx(store *st, arena *ar, const char *now, const char *lease_until,
                             int limit, webhook_delivery **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_DELIVERY_DUE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, now);
    db_bind_int64(s, 2, limit);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(webhook_delivery), read_claimed, "deliveries", &rows, n,
                        err)) != BF_OK)
        return r;
    *out = rows;
    for (size_t i = 0; i < *n; i++) {
        if ((r = sq_prepare(st, SQL_DELIVERY_LEASE, &c, &s, err)) != BF_OK)
            return r;
        sq_bind_text(s, 1, (*out)[i].id);
        sq_bind_text(s, 2, lease_until);
        int rc = db_step(s);
        db_reset(s);
        if (rc != DB_DONE)
            return sq_db_error(err, c->db, rc, "delivery");
        (*out)[i].attempts++;
    }
    return BF_OK;
}

static const char SQL_DELIVERY_ANY_DUE[] =
    "SELECT 1 FROM webhook_deliveries WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ?1 "
    "LIMIT 1";

bf_result store_delivery_claim(store *st, arena *ar, const char *now, const char *lease_until,
                               int limit, webhook_delivery **out, size_t *n, bf_error *err)
{
    *out = NULL;
    *n = 0;
    /* A sender asks every second: a read, and a write only when one is due. */
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_DELIVERY_ANY_DUE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, now);
    int rc = db_step(s);
    db_reset(s);
    if (rc == DB_DONE)
        return BF_OK;
    if (rc != DB_ROW)
        return sq_db_error(err, c->db, rc, "deliveries");
    IN_TRANSACTION(st, err, claim_in_tx(st, ar, now, lease_until, limit, out, n, err));
}

static bf_result done_in_tx(store *st, const char *id, bool ok, const char *at, const char *why,
                            const char *next_at, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, ok ? SQL_DELIVERY_OK : SQL_DELIVERY_FAILED, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    sq_bind_text(s, 2, at);
    if (!ok) {
        sq_bind_text(s, 3, why ? why : "failed");
        sq_bind_text(s, 4, next_at);
    }
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "delivery");
}

bf_result store_delivery_done(store *st, const char *id, bool ok, const char *at, const char *why,
                              const char *next_at, bf_error *err)
{
    IN_TRANSACTION(st, err, done_in_tx(st, id, ok, at, why, next_at, err));
}

/* ---- what the periodic job finds ------------------------------------------------------- */

/* Each statement: ?1 from, ?2 until, ?3 ?4 (?5) the last row of the page
 * before, ?6 the page's size; in the order of its index. */
static const char SQL_DUE_STALLED[] =
    "SELECT o.id, o.id, o.name, o.owner_id, o.owner_id, o.stage_changed_at, o.stage "
    "FROM opportunities o WHERE o.status = 'open' AND o.stage_changed_at >= ?1 AND "
    "o.stage_changed_at < ?2 AND (o.stage_changed_at, o.id) > (?3, ?4) "
    "ORDER BY o.stage_changed_at, o.id LIMIT ?6";
static const char SQL_DUE_VISITS[] =
    "SELECT a.id, a.opportunity_id, o.name, o.owner_id, a.owner_id, a.planned_at, a.subject "
    "FROM activities a LEFT JOIN opportunities o ON o.id = a.opportunity_id WHERE "
    "a.planned_at >= ?1 AND a.planned_at < ?2 AND (a.planned_at, a.id) > (?3, ?4) AND "
    "a.type = 'visit' AND a.done_at IS NULL ORDER BY a.planned_at, a.id LIMIT ?6";
static const char SQL_DUE_TENDERS[] =
    "SELECT td.opportunity_id, td.opportunity_id, o.name, o.owner_id, o.owner_id, td.day, "
    "td.kind FROM tender_dates td JOIN opportunities o ON o.id = td.opportunity_id WHERE "
    "td.day >= ?1 AND td.day <= ?2 AND (td.day, td.opportunity_id, td.kind) > "
    "(?3, ?4, ?5) AND o.status = 'open' ORDER BY td.day, td.opportunity_id, td.kind "
    "LIMIT ?6";

static void read_due(arena *a, db_stmt *s, void *row)
{
    notify_due *d = row;
    d->record_id = sq_column_text(a, s, 0);
    d->opportunity_id = sq_column_text(a, s, 1);
    d->deal_name = sq_column_text(a, s, 2);
    d->deal_owner_id = sq_column_text(a, s, 3);
    d->user_id = sq_column_text(a, s, 4);
    d->at = sq_column_text(a, s, 5);
    d->detail = sq_column_text(a, s, 6);
}

bf_result store_notify_due(store *st, arena *ar, notify_due_kind kind, const char *from,
                           const char *until, const char *after_at, const char *after_id,
                           const char *after_key, int limit, notify_due **out, size_t *n,
                           bf_error *err)
{
    const char *sql = kind == NOTIFY_DUE_STALLED  ? SQL_DUE_STALLED
                      : kind == NOTIFY_DUE_VISITS ? SQL_DUE_VISITS
                                                  : SQL_DUE_TENDERS;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, from);
    sq_bind_text(s, 2, until);
    sq_bind_text(s, 3, after_at ? after_at : "");
    sq_bind_text(s, 4, after_id ? after_id : "");
    if (kind == NOTIFY_DUE_TENDERS)
        sq_bind_text(s, 5, after_key ? after_key : "");
    db_bind_int64(s, 6, limit);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(notify_due), read_due, "due", &rows, n, err)) == BF_OK)
        *out = rows;
    return r;
}
