/* Notifications (通知, docs/notifications.md): the events of the app, each
 * written for its recipients' inboxes — and queued for the group robots
 * whose webhooks take it — in the transaction of the change that causes it,
 * so that a request that fails writes none; the time-based ones by the
 * periodic job (notify_job.c). Who receives what:
 *
 *   approval_waiting   an approval waits at a level: whoever may decide it
 *                      (the managers of its team, the admins, or the deal
 *                      team's member the playbook names)
 *   gate_refused       an approval to pass a gate or to close a deal early
 *                      was refused: who asked, and the deal's owner
 *   handover_received  a won deal is handed over: the implementation
 *                      members of its deal team (and one added later)
 *   deal_stalled, visit_tomorrow, tender_near: see notify_job.c
 *
 * Nobody is told of what they did themselves. The inbox (its routes here)
 * is its recipient's alone, and shows a deal's name only while they still
 * see the deal. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/notify.h"
#include "core/text.h"
#include "http/response.h"

/* ---- the setting ---------------------------------------------------------------------- */

const api_setting api_setting_notifications = {
    .key = "notifications",
    .body = &notify_settings_schema,
    .make_default = notify_default_settings,
    .validate = notify_settings_validate,
    .need = ACCESS_MANAGE_WEBHOOKS,
};

bf_result api_notify_settings(api_call *call, notify_settings *out)
{
    json_t *v;
    bf_result r = api_setting_value(call, &api_setting_notifications, &v);
    if (r == BF_OK)
        notify_settings_read(v, out);
    return r;
}

/* ---- events -------------------------------------------------------------------------- */

static bool listed(const char *const *ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] != NULL && strcmp(ids[i], id) == 0)
            return true;
    return false;
}

/* Whether webhook w takes the event kind about opp: it names the kind,
 * and the deal's owner is in its team's tree when it names a team. */
static bf_result webhook_takes(api_call *call, const webhook *w, const char *kind,
                               const char *owner, bool *yes)
{
    *yes = false;
    json_t *events = json_loads(w->events ? w->events : "[]", 0, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), kind) == 0)
            *yes = true;
    }
    json_decref(events);
    if (!*yes || w->team_id == NULL)
        return BF_OK;
    *yes = false;
    return owner ? store_user_in_team_tree(call->app->store, w->team_id, owner, yes, &call->err)
                 : BF_OK;
}

const char *api_notify_link(api_call *call, const notify_settings *s, const char *kind,
                            const char *opportunity_id)
{
    /* The setting, else the address the server was started with. */
    const char *base = s->public_url ? s->public_url : call->app->public_url;
    int len = s->public_url ? s->public_url_len : base ? (int)strlen(base) : 0;
    if (base == NULL)
        return NULL;
    if (strcmp(kind, "approval_waiting") == 0)
        return arena_printf(call->arena, "%.*s/approvals", len, base);
    return opportunity_id
               ? arena_printf(call->arena, "%.*s/opportunities/%s", len, base, opportunity_id)
               : NULL;
}

bf_result api_notify_queue(api_call *call, const webhook *w, const char *kind,
                           const char *event_key, const notify_message *m)
{
    json_t *payload = api_keep(call, notify_payload(call->arena, w->kind, m));
    webhook_delivery d = {.webhook_id = w->id, .kind = kind, .event_key = event_key};
    if (payload == NULL || (d.payload = api_json_text(call, payload, JSON_COMPACT)) == NULL)
        return BF_ERR_NOMEM;
    return store_delivery_add(call->app->store, call->arena, &d, NULL, &call->err);
}

/* Queues ev for the webhooks that take it, once per webhook and event. */
static bf_result queue_for_webhooks(api_call *call, const notify_event *ev, const char *day)
{
    webhook *hooks;
    size_t n;
    bf_result r = store_webhook_list(call->app->store, call->arena, true, &hooks, &n, &call->err);
    notify_settings s;
    if (r == BF_OK && n > 0)
        r = api_notify_settings(call, &s);
    const char *key = NULL;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        bool takes;
        if ((r = webhook_takes(call, &hooks[i], ev->kind, ev->deal_owner_id, &takes)) != BF_OK ||
            !takes)
            continue;
        if (key == NULL && (key = arena_printf(call->arena, "%s|%s|%s", ev->record_id, day,
                                               ev->part ? ev->part : "")) == NULL)
            return BF_ERR_NOMEM;
        notify_message m = {.event = ev->kind,
                            .lang = hooks[i].lang,
                            .deal = ev->deal_name,
                            .link = api_notify_link(call, &s, ev->kind, ev->opportunity_id),
                            .facts = ev->params};
        r = api_notify_queue(call, &hooks[i], ev->kind, key, &m);
    }
    return r;
}

bf_result api_notify(api_call *call, const notify_event *ev, const char *const *users, size_t n,
                     size_t *added)
{
    char today[16];
    const char *day = ev->day;
    if (day == NULL) {
        notify_china_day(time(NULL), 0, today, sizeof(today));
        day = today;
    }
    const char *params = api_json_text(call, ev->params, JSON_COMPACT);
    if (ev->params != NULL && params == NULL)
        return BF_ERR_NOMEM;
    const char *self = call->who ? call->who->user_id : NULL;
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        if (users[i] == NULL || (self && strcmp(users[i], self) == 0) || listed(users, i, users[i]))
            continue;
        notification note = {.user_id = users[i],
                             .kind = ev->kind,
                             .opportunity_id = ev->opportunity_id,
                             .record_type = ev->record_type,
                             .record_id = ev->record_id,
                             .day = day,
                             .part = ev->part,
                             .params = params};
        bool inserted = false;
        r = store_notification_add(call->app->store, call->arena, &note, &inserted, &call->err);
        if (r == BF_OK && inserted && added != NULL)
            (*added)++;
    }
    return r == BF_OK && !ev->inbox_only ? queue_for_webhooks(call, ev, day) : r;
}

/* The deal of an approval, when the caller has not read it. */
static bf_result deal_of(api_call *call, const char *id, const record **opp)
{
    if (*opp != NULL)
        return BF_OK;
    record *rec;
    bf_result r = store_record_get(call->app->store, call->arena, &resource_opportunities, id, &rec,
                                   &call->err);
    *opp = rec;
    return r;
}

bf_result api_notify_approval_waiting(api_call *call, const record *opp, const approval *p)
{
    if (p->queue == NULL || strcmp(p->state, "pending") != 0)
        return BF_OK;
    const char **users = NULL;
    size_t n = 0;
    bf_result r = deal_of(call, p->opportunity_id, &opp);
    if (r == BF_OK && strncmp(p->queue, "u:", 2) == 0) {
        users = arena_alloc(call->arena, sizeof(*users));
        if (users == NULL)
            return BF_ERR_NOMEM;
        users[0] = p->queue + 2;
        n = 1;
    } else if (r == BF_OK) {
        bool admins = strcmp(p->queue, "admin") == 0;
        r = store_users_of_role(call->app->store, call->arena, admins ? "admin" : "manager",
                                admins ? NULL : p->approver_team_id, &users, &n, &call->err);
    }
    json_t *params = api_keep(call, json_pack("{s:s, s:s, s:i, s:i, s:s?}", "approval_id", p->id,
                                              "approval_kind", p->kind, "level", p->level, "levels",
                                              p->levels, "requested_by", p->requested_by));
    if (r == BF_OK && params == NULL)
        r = BF_ERR_NOMEM;
    const char *part = arena_printf(call->arena, "%d", p->level);
    if (r == BF_OK && part == NULL)
        r = BF_ERR_NOMEM;
    notify_event ev = {.kind = "approval_waiting",
                       .opportunity_id = p->opportunity_id,
                       .deal_name = opp ? record_text(opp, "name") : NULL,
                       .deal_owner_id = opp ? record_text(opp, "owner_id") : NULL,
                       .record_type = "approval",
                       .record_id = p->id,
                       .part = part,
                       .params = params};
    return r == BF_OK ? api_notify(call, &ev, users, n, NULL) : r;
}

bf_result api_notify_approval_refused(api_call *call, const record *opp, const approval *p,
                                      const char *comment)
{
    /* The gates: passing one although items are unmet, and closing before
     * the winning one. */
    if (strcmp(p->kind, "override") != 0 && strcmp(p->kind, "close") != 0)
        return BF_OK;
    bf_result r = deal_of(call, p->opportunity_id, &opp);
    if (r != BF_OK)
        return r;
    json_t *ask = api_keep(call, json_loads(p->ask, 0, NULL));
    json_t *params = api_keep(call, json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "approval_id", p->id,
                                              "approval_kind", p->kind, "decided_by", call->actor,
                                              "comment", comment, "stage",
                                              json_string_value(json_object_get(ask, "stage"))));
    if (params == NULL)
        return BF_ERR_NOMEM;
    const char *users[] = {p->requester_id, record_text(opp, "owner_id")};
    notify_event ev = {.kind = "gate_refused",
                       .opportunity_id = opp->id,
                       .deal_name = record_text(opp, "name"),
                       .deal_owner_id = record_text(opp, "owner_id"),
                       .record_type = "approval",
                       .record_id = p->id,
                       .params = params};
    return api_notify(call, &ev, users, 2, NULL);
}

bf_result api_notify_handover(api_call *call, const record *opp, const char *only_user)
{
    deal_member *m;
    size_t n;
    bf_result r = store_member_list(call->app->store, call->arena, opp->id, &m, &n, &call->err);
    const char **users = arena_calloc(call->arena, n + 1, sizeof(*users));
    if (r == BF_OK && users == NULL)
        r = BF_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; r == BF_OK && i < n; i++)
        if (m[i].role && strcmp(m[i].role, "implementation") == 0 &&
            (only_user == NULL || strcmp(m[i].id, only_user) == 0))
            users[k++] = m[i].id;
    json_t *params = api_keep(call, json_object());
    if (r == BF_OK && params == NULL)
        r = BF_ERR_NOMEM;
    notify_event ev = {.kind = "handover_received",
                       .opportunity_id = opp->id,
                       .deal_name = record_text(opp, "name"),
                       .deal_owner_id = record_text(opp, "owner_id"),
                       .record_type = "deal",
                       .record_id = opp->id,
                       .params = params,
                       .inbox_only = only_user != NULL}; /* the robots hear of the win's */
    return r == BF_OK ? api_notify(call, &ev, users, k, NULL) : r;
}

/* ---- the inbox ----------------------------------------------------------------------- */

/* n as the inbox shows it to its recipient: the deal's name and what the
 * event says only while they see the deal. */
static json_t *notification_json(api_call *call, const notification *n)
{
    bool sees = true;
    if (n->opportunity_id != NULL) {
        bf_error ignored;
        if (store_record_visible(call->app->store, call->who, &resource_opportunities,
                                 n->opportunity_id, &sees, &ignored) != BF_OK)
            sees = false;
    }
    json_t *params = sees ? json_loads(n->params ? n->params : "{}", 0, NULL) : json_object();
    if (params == NULL)
        params = json_object();
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:o, s:s, s:s?, s:b, s:b}", "id", n->id,
                     "kind", n->kind, "record_type", n->record_type, "record_id",
                     sees ? n->record_id : NULL, "opportunity_id", sees ? n->opportunity_id : NULL,
                     "deal_name", sees && n->deal_name ? n->deal_name : "", "day", n->day, "params",
                     params, "created_at", n->created_at, "read_at", n->read_at, "read",
                     n->read_at != NULL, "hidden", !sees);
}

/* The caller's user id: NULL for the command line's own admin, who has no inbox. */
static const char *me(api_call *call)
{
    return call->who ? call->who->user_id : NULL;
}

static bf_result parse_limit(api_call *call, int *limit)
{
    const char *text = http_query(call->req, "limit");
    *limit = 20;
    if (text == NULL)
        return BF_OK;
    char *end;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < 1 || v > 100)
        return bf_fail_args(&call->err, BF_ERR_INVALID, "out_of_range", "limit",
                            BF_ARGS(BF_NUM("min", 1), BF_NUM("max", 100)),
                            "limit must be a whole number from 1 to 100");
    *limit = (int)v;
    return BF_OK;
}

static bf_result parse_unread(api_call *call, bool *unread)
{
    const char *u = http_query(call->req, "unread");
    *unread = u != NULL && (strcmp(u, "1") == 0 || strcmp(u, "true") == 0);
    if (u != NULL && !*unread && strcmp(u, "0") != 0 && strcmp(u, "false") != 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "unread",
                       "unread is 1 (only the unread ones) or 0");
    return BF_OK;
}

static bf_result parse_cursor(api_call *call, notification_query *q)
{
    const char *cursor = http_query(call->req, "cursor");
    if (cursor == NULL)
        return BF_OK;
    const char *comma = strchr(cursor, ',');
    if (comma == NULL || comma == cursor || comma[1] == '\0')
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "cursor",
                       "cursor is the next_cursor of the page before");
    q->before_at = arena_strndup(call->arena, cursor, (size_t)(comma - cursor));
    q->before_id = comma + 1;
    return q->before_at ? BF_OK : BF_ERR_NOMEM;
}

/* How many of the caller's notifications are unread (at most this many counted). */
#define UNREAD_CAP 1000

static bf_result unread_of(api_call *call, int64_t *n)
{
    *n = 0;
    return me(call)
               ? store_notification_unread(call->app->store, me(call), UNREAD_CAP, n, &call->err)
               : BF_OK;
}

bf_result notifications_list(api_call *call, const api_route *route)
{
    (void)route;
    notification_query q = {.user_id = me(call)};
    bf_result r = parse_limit(call, &q.limit);
    if (r == BF_OK)
        r = parse_unread(call, &q.unread);
    if (r == BF_OK)
        r = parse_cursor(call, &q);
    notification *items = NULL;
    size_t n = 0;
    bool more = false;
    if (r == BF_OK && q.user_id != NULL)
        r = store_notification_list(call->app->store, call->arena, &q, &items, &n, &more,
                                    &call->err);
    int64_t unread = 0;
    if (r == BF_OK)
        r = unread_of(call, &unread);
    if (r != BF_OK)
        return r;
    json_t *arr = api_keep(call, json_array());
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, notification_json(call, &items[i])) != 0)
            return BF_ERR_NOMEM;
    const char *next =
        more && n > 0 ? arena_printf(call->arena, "%s,%s", items[n - 1].created_at, items[n - 1].id)
                      : NULL;
    json_t *body = arr ? json_pack("{s:O, s:s?, s:i, s:I}", "items", arr, "next_cursor", next,
                                   "limit", q.limit, "unread", (json_int_t)unread)
                       : NULL;
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

bf_result notifications_count(api_call *call, const api_route *route)
{
    (void)route;
    int64_t unread;
    bf_result r = unread_of(call, &unread);
    if (r != BF_OK)
        return r;
    json_t *body = json_pack("{s:I, s:I}", "unread", (json_int_t)unread, "counted_up_to",
                             (json_int_t)UNREAD_CAP);
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

bf_result notification_read(api_call *call, const api_route *route)
{
    (void)route;
    const char *id = call->req->params[0];
    char now[32];
    store_now(now, sizeof(now));
    notification n;
    int64_t changed;
    bf_result r = me(call) ? BF_OK
                           : bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "id",
                                     "no notification %s", id);
    /* Someone else's is not found, exactly as one that does not exist. */
    if (r == BF_OK)
        r = store_notification_read(call->app->store, me(call), id, now, &changed, &call->err);
    if (r == BF_OK)
        r = store_notification_get(call->app->store, call->arena, me(call), id, &n, &call->err);
    if (r != BF_OK)
        return r;
    json_t *body = notification_json(call, &n);
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

bf_result notifications_read_all(api_call *call, const api_route *route)
{
    (void)route;
    char now[32];
    store_now(now, sizeof(now));
    int64_t changed = 0;
    bf_result r = me(call) ? store_notification_read(call->app->store, me(call), NULL, now,
                                                     &changed, &call->err)
                           : BF_OK;
    if (r != BF_OK)
        return r;
    json_t *body = json_pack("{s:I, s:i}", "marked", (json_int_t)changed, "unread", 0);
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, body);
    return BF_OK;
}
