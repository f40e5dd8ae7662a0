/* The group robots' webhooks (企业微信 and 钉钉, docs/notifications.md): an
 * admin sets them up — the robot's address, DingTalk's signing secret
 * (written, never answered back), the events each is sent, the team whose
 * deals it is about — sends one a test message, and reads what was
 * delivered. Messages are sent by the sender of `bingfa serve`
 * (notify_job.c), never by a request: a request only queues them. */
#include <stdatomic.h>
#include <string.h>

#include "api/api.h"
#include "core/notify.h"
#include "http/response.h"

static json_t *webhook_json(const webhook *w)
{
    json_t *events = json_loads(w->events ? w->events : "[]", 0, NULL);
    return json_pack("{s:s, s:I, s:s, s:s, s:s, s:b, s:o, s:s?, s:s, s:b, s:s, s:s, s:s?}", "id",
                     w->id, "version", (json_int_t)w->version, "name", w->name, "kind", w->kind,
                     "url", w->url, "secret_set", w->secret != NULL && *w->secret != '\0', "events",
                     events ? events : json_array(), "team_id", w->team_id, "lang", w->lang,
                     "enabled", w->enabled, "created_at", w->created_at, "updated_at",
                     w->updated_at, "updated_by", w->updated_by);
}

static const char *delivery_state(const webhook_delivery *d)
{
    return d->delivered_at ? "delivered"
           : d->failed_at  ? "failed"
           : d->attempts   ? "retrying"
                           : "queued";
}

static json_t *delivery_json(const webhook_delivery *d)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s?, s:s?, s:s?, s:s?}", "id", d->id, "kind",
                     d->kind, "state", delivery_state(d), "created_at", d->created_at, "attempts",
                     (json_int_t)d->attempts, "next_attempt_at", d->next_attempt_at, "last_error",
                     d->last_error, "delivered_at", d->delivered_at, "failed_at", d->failed_at);
}

static bf_result respond_webhook(api_call *call, int status, const webhook *w)
{
    json_t *j = webhook_json(w);
    const char *loc = status == 201 ? arena_printf(call->arena, "/api/v1/webhooks/%s", w->id) : "";
    if (j == NULL || loc == NULL || api_set_etag(call, w->version) != BF_OK) {
        json_decref(j);
        return BF_ERR_NOMEM;
    }
    if (status == 201)
        http_set_header(call->req, "Location", loc);
    http_respond_json(call->req, status, j);
    return BF_OK;
}

/* What an audit entry says of w: not its address nor its secret. */
static json_t *audit_values(api_call *call, const webhook *w)
{
    return api_keep(call,
                    json_pack("{s:s, s:s, s:s, s:s?, s:s, s:b, s:b}", "name", w->name, "kind",
                              w->kind, "events", w->events, "team_id", w->team_id, "lang", w->lang,
                              "enabled", w->enabled, "secret_set", w->secret != NULL));
}

/* The kinds of norm's events, each once, as a JSON array text. */
static const char *events_text(api_call *call, json_t *norm)
{
    json_t *out = api_keep(call, json_array());
    size_t i, j;
    json_t *e, *seen;
    json_array_foreach(json_object_get(norm, "events"), i, e)
    {
        bool dup = false;
        json_array_foreach(out, j, seen) dup |= json_equal(seen, e);
        if (out && !dup)
            json_array_append(out, e);
    }
    return out ? api_json_text(call, out, JSON_COMPACT) : NULL;
}

/* Fills w from the request's body (raw, and its checked copy norm); the
 * secret stays before's when the body leaves it out. */
static bf_result from_body(api_call *call, json_t *raw, json_t *norm, const webhook *before,
                           webhook *w)
{
    w->name = schema_get_text(norm, "name");
    w->kind = schema_get_text(norm, "kind");
    w->url = schema_get_text(norm, "url");
    w->team_id = schema_get_text(norm, "team_id");
    w->lang = schema_get_text(norm, "lang");
    w->enabled = json_is_true(json_object_get(norm, "enabled"));
    w->updated_by = call->actor;
    if ((w->events = events_text(call, norm)) == NULL)
        return BF_ERR_NOMEM;
    json_t *secret = json_object_get(raw, "secret");
    if (secret == NULL)
        w->secret = before ? before->secret : NULL;
    else
        w->secret = schema_get_text(norm, "secret"); /* null or "": none */
    if (!notify_url_valid(w->url))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "url",
                       "url must be the robot's http:// or https:// webhook address, without "
                       "spaces or quotes");
    if (w->team_id == NULL)
        return BF_OK;
    record *team;
    bf_result r = store_record_get(call->app->store, call->arena, &resource_teams, w->team_id,
                                   &team, &call->err);
    if (r == BF_ERR_NOT_FOUND)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_reference", "team_id",
                       "team_id does not name an existing team");
    return r;
}

/* The body of a create or a change, checked: raw as sent, norm normalized. */
static bf_result read_body(api_call *call, json_t **raw, json_t **norm)
{
    bf_result r = api_body(call, raw);
    if (r == BF_OK)
        r = schema_check(&body_webhook, *raw, norm, &call->err);
    if (r == BF_OK && api_keep(call, *norm) == NULL)
        r = BF_ERR_NOMEM;
    return r;
}

typedef struct webhook_write {
    json_t *raw, *norm;
    int64_t expected;
    webhook w;
} webhook_write;

static bf_result create_in_tx(api_call *call, void *ctx)
{
    webhook_write *ww = ctx;
    bf_result r = from_body(call, ww->raw, ww->norm, NULL, &ww->w);
    if (r == BF_OK)
        r = store_webhook_insert(call->app->store, call->arena, &ww->w, &call->err);
    return r == BF_OK ? api_audit(call, "webhook_create", "webhooks", ww->w.id, NULL,
                                  audit_values(call, &ww->w))
                      : r;
}

bf_result webhook_create(api_call *call, const api_route *route)
{
    (void)route;
    webhook_write ww = {0};
    bf_result r = api_require(call, ACCESS_MANAGE_WEBHOOKS);
    if (r == BF_OK)
        r = read_body(call, &ww.raw, &ww.norm);
    if (r == BF_OK)
        r = api_transaction(call, create_in_tx, &ww);
    return r == BF_OK ? respond_webhook(call, 201, &ww.w) : r;
}

bf_result webhooks_list(api_call *call, const api_route *route)
{
    (void)route;
    webhook *hooks = NULL;
    size_t n = 0;
    bf_result r = api_require(call, ACCESS_MANAGE_WEBHOOKS);
    if (r == BF_OK)
        r = store_webhook_list(call->app->store, call->arena, false, &hooks, &n, &call->err);
    if (r != BF_OK)
        return r;
    json_t *items = json_array();
    for (size_t i = 0; items && i < n; i++)
        if (json_array_append_new(items, webhook_json(&hooks[i])) != 0) {
            json_decref(items);
            items = NULL;
        }
    return api_respond_items(call, items);
}

/* The webhook of the path, for an admin. */
static bf_result load(api_call *call, webhook *w)
{
    bf_result r = api_require(call, ACCESS_MANAGE_WEBHOOKS);
    return r == BF_OK ? store_webhook_get(call->app->store, call->arena, call->req->params[0], w,
                                          &call->err)
                      : r;
}

bf_result webhook_get(api_call *call, const api_route *route)
{
    (void)route;
    webhook w;
    bf_result r = load(call, &w);
    return r == BF_OK ? respond_webhook(call, 200, &w) : r;
}

static bf_result put_in_tx(api_call *call, void *ctx)
{
    webhook_write *ww = ctx;
    webhook before;
    bf_result r =
        store_webhook_get(call->app->store, call->arena, call->req->params[0], &before, &call->err);
    if (r != BF_OK)
        return r;
    ww->w = before;
    if ((r = from_body(call, ww->raw, ww->norm, &before, &ww->w)) != BF_OK ||
        (r = store_webhook_update(call->app->store, call->arena, &ww->w, ww->expected,
                                  &call->err)) != BF_OK)
        return r;
    return api_audit(call, "webhook_update", "webhooks", ww->w.id, audit_values(call, &before),
                     audit_values(call, &ww->w));
}

bf_result webhook_put(api_call *call, const api_route *route)
{
    (void)route;
    webhook_write ww = {0};
    bf_result r = api_require(call, ACCESS_MANAGE_WEBHOOKS);
    if (r == BF_OK)
        r = api_if_match(call, &ww.expected);
    if (r == BF_OK)
        r = read_body(call, &ww.raw, &ww.norm);
    if (r == BF_OK)
        r = api_transaction(call, put_in_tx, &ww);
    return r == BF_OK ? respond_webhook(call, 200, &ww.w) : r;
}

static bf_result delete_in_tx(api_call *call, void *ctx)
{
    webhook_write *ww = ctx;
    bf_result r =
        store_webhook_get(call->app->store, call->arena, call->req->params[0], &ww->w, &call->err);
    if (r == BF_OK)
        r = store_webhook_delete(call->app->store, ww->w.id, ww->expected, &call->err);
    return r == BF_OK ? api_audit(call, "webhook_delete", "webhooks", ww->w.id,
                                  audit_values(call, &ww->w), NULL)
                      : r;
}

bf_result webhook_delete(api_call *call, const api_route *route)
{
    (void)route;
    webhook_write ww = {0};
    bf_result r = api_require(call, ACCESS_MANAGE_WEBHOOKS);
    if (r == BF_OK)
        r = api_if_match(call, &ww.expected);
    if (r == BF_OK)
        r = api_transaction(call, delete_in_tx, &ww);
    if (r != BF_OK)
        return r;
    http_respond_empty(call->req, 204);
    return BF_OK;
}

/* Tests queued by this process, to tell their events apart. */
static _Atomic unsigned tests_queued;

bf_result webhook_test(api_call *call, const api_route *route)
{
    (void)route;
    webhook w;
    bf_result r = load(call, &w);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    json_t *facts = api_keep(call, json_pack("{s:s}", "name", w.name));
    const char *key =
        arena_printf(call->arena, "%s|%s|%u", now, call->actor, atomic_fetch_add(&tests_queued, 1));
    if (facts == NULL || key == NULL)
        return BF_ERR_NOMEM;
    notify_message m = {.event = "test", .lang = w.lang, .facts = facts};
    json_t *payload = api_keep(call, notify_payload(call->arena, w.kind, &m));
    webhook_delivery d = {.webhook_id = w.id, .kind = "test", .event_key = key};
    if (payload == NULL || (d.payload = api_json_text(call, payload, JSON_COMPACT)) == NULL)
        return BF_ERR_NOMEM;
    if ((r = store_delivery_add(call->app->store, call->arena, &d, NULL, &call->err)) != BF_OK)
        return r;
    d.next_attempt_at = d.created_at;
    json_t *body = delivery_json(&d);
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 202, body);
    return BF_OK;
}

bf_result webhook_deliveries(api_call *call, const api_route *route)
{
    (void)route;
    webhook w;
    webhook_delivery *items = NULL;
    size_t n = 0;
    bf_result r = load(call, &w);
    if (r == BF_OK)
        r = store_delivery_list(call->app->store, call->arena, w.id, 20, &items, &n, &call->err);
    if (r != BF_OK)
        return r;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, delivery_json(&items[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    return api_respond_items(call, arr);
}
