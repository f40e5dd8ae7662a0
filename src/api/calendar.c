/* Calendar feeds (日历订阅, docs/calendar.md): each user may subscribe to an
 * iCalendar of their own planned activities and of the tender key dates of
 * the deals they see, through a secret address that needs no login. Only
 * the secret's hash is kept, so the address is shown once, when it is
 * made; making a new one or revoking it ends the old one. The feed reads as
 * its user, with the visibility of every other read. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api/api.h"
#include "auth/token.h"
#include "core/activity.h"
#include "core/ical.h"
#include "core/tender.h"
#include "core/text.h"
#include "http/response.h"

/* The prefix of a feed's secret, and the path a feed is read at. */
#define FEED_PREFIX "bfc_"
#define FEED_PATH "/api/v1/calendar/feed/"
#define FEED_SUFFIX ".ics"

/* The window of a feed: the days before today and after it. */
#define FEED_DAYS_BEFORE 30
#define FEED_DAYS_AFTER 365
/* The most activities and tender dates a feed holds, each; and its size. */
#define FEED_MAX_EVENTS 1000
#define FEED_MAX_BYTES (16 * 1024 * 1024)
/* How long a planned activity lasts in the calendar (the product keeps no end). */
#define ACTIVITY_MINUTES 60

/* ---- the caller's feed ---------------------------------------------------------- */

/* The caller's user id; the command line's admin is none (409). */
static bf_result caller_user(api_call *call, const char **user_id)
{
    *user_id = call->who->user_id;
    if (*user_id == NULL)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "no_user", NULL,
                       "the command line acts as no user and has no calendar");
    return BF_OK;
}

/* Answers the state of a feed; with its secret (just made) its path and
 * address too. */
static bf_result respond_feed(api_call *call, int status, const calendar_feed *f,
                              const char *secret)
{
    const char *path =
        secret ? arena_printf(call->arena, FEED_PATH "%s" FEED_SUFFIX, secret) : NULL;
    const char *url = path && call->app->public_url
                          ? arena_printf(call->arena, "%s%s", call->app->public_url, path)
                          : NULL;
    if (secret && (path == NULL || (call->app->public_url && url == NULL)))
        return BF_ERR_NOMEM;
    json_t *body = json_pack("{s:b, s:s?}", "active", f->id != NULL, "created_at", f->created_at);
    if (body == NULL || (path && json_object_set_new(body, "path", json_string(path)) != 0) ||
        (path && json_object_set_new(body, "url", api_text_or_null(url)) != 0)) {
        json_decref(body);
        return BF_ERR_NOMEM;
    }
    http_set_header(call->req, "Cache-Control", "no-store");
    http_respond_json(call->req, status, body);
    return BF_OK;
}

bf_result calendar_feed_get(api_call *call, const api_route *route)
{
    (void)route;
    const char *user_id;
    calendar_feed f;
    bf_result r = caller_user(call, &user_id);
    if (r == BF_OK)
        r = store_calendar_feed_of(call->app->store, call->arena, user_id, &f, &call->err);
    return r == BF_OK ? respond_feed(call, 200, &f, NULL) : r;
}

/* A feed being made: its hash, and what the store made of it. */
typedef struct feed_make {
    const char *user_id;
    char hash[TOKEN_HASH_HEX];
    calendar_feed made;
} feed_make;

static bf_result create_in_tx(api_call *call, void *ctx)
{
    feed_make *m = ctx;
    int64_t revoked = 0;
    bf_result r = store_calendar_feed_create(call->app->store, call->arena, m->user_id, m->hash,
                                             &m->made, &revoked, &call->err);
    json_t *what = NULL;
    if (r == BF_OK && (what = api_keep(call, json_pack("{s:s, s:I}", "calendar_feed", m->made.id,
                                                       "revoked", (json_int_t)revoked))) == NULL)
        r = BF_ERR_NOMEM;
    return r == BF_OK ? api_audit(call, "token_create", "users", m->user_id, NULL, what) : r;
}

bf_result calendar_feed_create(api_call *call, const api_route *route)
{
    (void)route;
    feed_make m = {0};
    bf_result r = caller_user(call, &m.user_id);
    if (r != BF_OK)
        return r;
    char secret[TOKEN_TEXT_MAX];
    token_generate(FEED_PREFIX, secret);
    token_hash(secret, m.hash);
    if ((r = api_transaction(call, create_in_tx, &m)) == BF_OK)
        r = respond_feed(call, 201, &m.made, secret);
    sodium_memzero(secret, sizeof(secret));
    return r;
}

static bf_result revoke_in_tx(api_call *call, void *ctx)
{
    const char *user_id = ctx;
    calendar_feed f;
    int64_t n = 0;
    bf_result r = store_calendar_feed_of(call->app->store, call->arena, user_id, &f, &call->err);
    if (r == BF_OK && f.id == NULL)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", NULL,
                       "there is no calendar feed to revoke");
    if (r == BF_OK)
        r = store_calendar_feeds_revoke_user(call->app->store, user_id, &n, &call->err);
    json_t *what = NULL;
    if (r == BF_OK && (what = api_keep(call, json_pack("{s:s}", "calendar_feed", f.id))) == NULL)
        r = BF_ERR_NOMEM;
    return r == BF_OK ? api_audit(call, "token_revoke", "users", user_id, NULL, what) : r;
}

bf_result calendar_feed_delete(api_call *call, const api_route *route)
{
    (void)route;
    const char *user_id;
    bf_result r = caller_user(call, &user_id);
    if (r == BF_OK)
        r = api_transaction(call, revoke_in_tx, (void *)user_id);
    if (r == BF_OK)
        http_respond_empty(call->req, 204);
    return r;
}

/* ---- tender dates kept for calendars ---------------------------------------------- */

bf_result api_tender_dates_keep(api_call *call, const record *opp, json_t *tender)
{
    const char *days[8];
    size_t n = 0;
    json_t *dates = json_object_get(tender, "dates");
    for (; tender_date_keys[n] != NULL && n < sizeof(days) / sizeof(days[0]); n++)
        days[n] = json_string_value(json_object_get(dates, tender_date_keys[n]));
    return store_tender_dates_put(call->app->store, opp->id, tender_date_keys, days, n, &call->err);
}

/* ---- the feed itself -------------------------------------------------------------- */

/* The feed's window: UTC times for activities, China days for tender dates. */
typedef struct feed_window {
    char from_utc[32], to_utc[32], from_day[16], to_day[16];
} feed_window;

static void window_of(feed_window *w)
{
    char now[32];
    store_now(now, sizeof(now));
    time_t t = text_parse_utc(now);
    text_format_utc(t - FEED_DAYS_BEFORE * 86400, w->from_utc, sizeof(w->from_utc));
    text_format_utc(t + (FEED_DAYS_AFTER + 1) * 86400, w->to_utc, sizeof(w->to_utc));
    time_t china = t + 8 * 3600;
    text_format_date(china - FEED_DAYS_BEFORE * 86400, w->from_day, sizeof(w->from_day));
    text_format_date(china + FEED_DAYS_AFTER * 86400, w->to_day, sizeof(w->to_day));
}

/* Writing a feed: its buffer and language. */
typedef struct feed_out {
    api_call *call;
    buf b;
    bool en;
} feed_out;

/* The web app's address of a record, when the server knows its own. */
static const char *web_url(feed_out *o, const char *kind, const char *id)
{
    const char *base = o->call->app->public_url;
    return base && id ? arena_printf(o->call->arena, "%s/%s/%s", base, kind, id) : NULL;
}

/* Appends "label: value\n" to d when value is there. */
static bf_result describe(buf *d, const char *label, const char *value)
{
    if (value == NULL || *value == '\0')
        return BF_OK;
    return buf_printf(d, "%s%s\n", label, value);
}

/* "客户 – 商机" from what the viewer sees of them, or the subject. */
static const char *activity_about(arena *a, const calendar_activity *e)
{
    if (e->account && e->opportunity)
        return arena_printf(a, "%s – %s", e->account, e->opportunity);
    return e->opportunity ? e->opportunity : e->account ? e->account : e->subject;
}

static bf_result activity_event(feed_out *o, const calendar_activity *e)
{
    arena *a = o->call->arena;
    const char *label = activity_type_label(e->type, o->en ? "en" : "zh");
    const char *about = activity_about(a, e);
    const char *summary =
        about ? arena_printf(a, "%s%s%s", label, o->en ? ": " : "：", about) : label;
    buf d;
    buf_init(&d, a, 64 * 1024);
    char local[16], done[24] = "";
    if (e->done_at && ical_local_time(e->done_at, local))
        snprintf(done, sizeof(done), "%.4s-%.2s-%.2s %.2s:%.2s", local, local + 4, local + 6,
                 local + 9, local + 11);
    bf_result r = describe(&d, o->en ? "Subject: " : "主题：", e->subject);
    if (r == BF_OK)
        r = describe(&d, o->en ? "Purpose: " : "目的：", e->purpose);
    if (r == BF_OK)
        r = describe(&d, o->en ? "Account: " : "客户：", e->account);
    if (r == BF_OK)
        r = describe(&d, o->en ? "Deal: " : "商机：", e->opportunity);
    if (r == BF_OK)
        r = describe(&d, o->en ? "Done: " : "已完成：", done);
    if (r != BF_OK || summary == NULL)
        return r != BF_OK ? r : BF_ERR_NOMEM;
    if (d.len > 0)
        d.data[--d.len] = '\0'; /* no line break at the end */
    ical_event ev = {.uid = arena_printf(a, "%s@bingfa", e->id),
                     .stamp = e->updated_at,
                     .start = e->planned_at,
                     .minutes = ACTIVITY_MINUTES,
                     .summary = summary,
                     .description = d.len ? buf_cstr(&d) : NULL,
                     .url = e->opportunity ? web_url(o, "opportunities", e->opportunity_id)
                            : e->account   ? web_url(o, "accounts", e->account_id)
                                           : NULL};
    return ev.uid ? ical_append_event(&o->b, &ev) : BF_ERR_NOMEM;
}

static bf_result tender_event(feed_out *o, const calendar_tender_date *t)
{
    arena *a = o->call->arena;
    const char *label = tender_date_label(t->kind, o->en ? "en" : "zh");
    buf d;
    buf_init(&d, a, 16 * 1024);
    bf_result r = describe(&d, o->en ? "Account: " : "客户：", t->account);
    if (r == BF_OK)
        r = describe(&d, o->en ? "Deal: " : "商机：", t->opportunity);
    if (r == BF_OK)
        r = describe(&d, o->en ? "Owner: " : "负责人：", t->owner);
    if (r != BF_OK)
        return r;
    if (d.len > 0)
        d.data[--d.len] = '\0';
    ical_event ev = {.uid = arena_printf(a, "%s-tender-%s@bingfa", t->opportunity_id, t->kind),
                     .stamp = t->updated_at,
                     .start = t->day,
                     .all_day = true,
                     .summary =
                         arena_printf(a, "%s%s%s", label, o->en ? ": " : "：", t->opportunity),
                     .description = d.len ? buf_cstr(&d) : NULL,
                     .url = web_url(o, "opportunities", t->opportunity_id),
                     .transparent = true};
    return ev.uid && ev.summary ? ical_append_event(&o->b, &ev) : BF_ERR_NOMEM;
}

/* Appends an event; an event refused as not one (a time the store would not
 * write) is left out, and the feed ends early when it is full. */
static bf_result appended(bf_result r, bool *full)
{
    if (r == BF_ERR_TOO_LARGE)
        *full = true;
    return r == BF_ERR_INVALID || r == BF_ERR_TOO_LARGE ? BF_OK : r;
}

/* Writes the calendar of who, called name, with what who sees. */
static bf_result write_feed(feed_out *o, const viewer *who, const char *name)
{
    api_call *call = o->call;
    feed_window w;
    window_of(&w);
    calendar_activity *acts = NULL;
    calendar_tender_date *dates = NULL;
    size_t nacts = 0, ndates = 0;
    bf_result r = store_calendar_activities(call->app->store, call->arena, who, w.from_utc,
                                            w.to_utc, FEED_MAX_EVENTS, &acts, &nacts, &call->err);
    if (r == BF_OK)
        r = store_calendar_tender_dates(call->app->store, call->arena, who, w.from_day, w.to_day,
                                        FEED_MAX_EVENTS, &dates, &ndates, &call->err);
    if (r == BF_OK)
        r = ical_begin(&o->b, arena_printf(call->arena, "%s · 兵法", name));
    bool full = false;
    for (size_t i = 0; r == BF_OK && !full && i < nacts; i++)
        r = appended(activity_event(o, &acts[i]), &full);
    for (size_t i = 0; r == BF_OK && !full && i < ndates; i++)
        r = appended(tender_event(o, &dates[i]), &full);
    o->b.max += 64; /* room for the end, however full */
    return r == BF_OK ? ical_end(&o->b) : r;
}

/* The secret of a feed's last path segment "bfc_….ics", or NULL. */
static const char *secret_of(api_call *call, const char *file)
{
    size_t n = file ? strlen(file) : 0, suffix = strlen(FEED_SUFFIX);
    if (n <= suffix || strcmp(file + n - suffix, FEED_SUFFIX) != 0)
        return NULL;
    char *secret = arena_strndup(call->arena, file, n - suffix);
    return secret && token_well_formed(secret, FEED_PREFIX) ? secret : NULL;
}

bf_result calendar_feed_ics(api_call *call, const api_route *route)
{
    (void)route;
    const char *secret = secret_of(call, call->req->params[0]);
    char hash[TOKEN_HASH_HEX];
    user_login u;
    const char *display = NULL;
    bf_result r = BF_ERR_NOT_FOUND;
    if (secret != NULL) {
        token_hash(secret, hash);
        r = store_calendar_feed_user(call->app->store, call->arena, hash, &u, &display, &call->err);
    }
    /* Unknown, revoked, malformed or its user gone: the same answer. */
    if (r == BF_ERR_NOT_FOUND)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", NULL, "no such calendar");
    if (r != BF_OK)
        return r;
    call->who = &u.who;
    call->actor = u.who.name;
    /* Chinese unless the address asks ?lang=en: a calendar program's own
     * Accept-Language says nothing of its user. */
    const char *lang = http_query(call->req, "lang");
    feed_out o = {.call = call, .en = lang != NULL && strncmp(lang, "en", 2) == 0};
    buf_init(&o.b, call->arena, FEED_MAX_BYTES);
    if ((r = write_feed(&o, &u.who, display && *display ? display : u.who.name)) != BF_OK)
        return r;
    http_set_header(call->req, "Cache-Control", "private, no-store");
    http_set_header(call->req, "X-Robots-Tag", "noindex");
    http_respond_body(call->req, 200, "text/calendar; charset=utf-8", o.b.data, o.b.len);
    return BF_OK;
}
