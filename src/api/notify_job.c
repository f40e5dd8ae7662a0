/* The notifications that time brings (docs/notifications.md) and the sender
 * of the robots' messages: two threads of `bingfa serve`, off every
 * request's path.
 *
 * The periodic job writes, as of now (China days, Asia/Shanghai):
 *   deal_stalled    to a deal's owner, once the deal has been in its stage
 *                   for the setting's stalled_days: the deals whose stage
 *                   changed between the last run's moment and this one's,
 *                   that many days back (a watermark kept in the settings,
 *                   so each is read once, whatever the number of deals);
 *   visit_tomorrow  to a visit's owner: visits planned tomorrow, not done;
 *   tender_near     to a deal's owner: its tender's key dates from today
 *                   to tender_days ahead.
 * Every read is a range of an index; every write is keyed by (user, kind,
 * record, day, part), so a run again, or two servers on one database, write
 * nothing twice.
 *
 * The sender claims the outbox's due messages (moving them on by a lease,
 * so that another sender leaves them), posts each with libcurl, and records
 * it delivered, or its error and the next attempt after the backoff's wait,
 * or that it was given up. A message is sent at least once: a server killed
 * between a post and its record sends it again once the lease is over. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/notify.h"
#include "core/text.h"
#include "http/client.h"

/* Rows read and written per transaction. */
#define PAGE 200

/* UTC text of t as the store writes times ("YYYY-MM-DDTHH:MM:SS.000Z"). */
static void format_time(time_t t, char *out, size_t cap)
{
    char s[32];
    text_format_utc(t, s, sizeof(s));
    snprintf(out, cap, "%.19s.000Z", s);
}

/* One run of the job: its call (no request; nobody's own events are
 * skipped), its moment and settings, what it wrote. */
typedef struct job {
    api_call call;
    arena *keep; /* lives as long as the run: the settings */
    time_t t;
    notify_settings s;
    size_t counts[3];
} job;

/* Runs each page's events in one transaction, on a fresh arena. */
typedef bf_result (*page_fn)(job *j, const notify_due *rows, size_t n);

static bf_result run_pages(job *j, notify_due_kind kind, const char *from, const char *until,
                           page_fn fn)
{
    char after_at[40] = "", after_id[64] = "", after_key[64] = "";
    store *st = j->call.app->store;
    for (;;) {
        arena *a = arena_new(64 * 1024);
        if (a == NULL)
            return BF_ERR_NOMEM;
        j->call.arena = a;
        notify_due *rows = NULL;
        size_t n = 0;
        bf_result r = store_notify_due(st, a, kind, from, until, after_at, after_id, after_key,
                                       PAGE, &rows, &n, &j->call.err);
        if (r == BF_OK && n > 0 && (r = store_begin(st, &j->call.err)) == BF_OK) {
            if ((r = fn(j, rows, n)) == BF_OK)
                r = store_commit(st, &j->call.err);
            else
                store_rollback(st);
        }
        if (r == BF_OK && n > 0) {
            snprintf(after_at, sizeof(after_at), "%s", rows[n - 1].at);
            snprintf(after_id, sizeof(after_id), "%s", rows[n - 1].record_id);
            snprintf(after_key, sizeof(after_key), "%s",
                     rows[n - 1].detail ? rows[n - 1].detail : "");
        }
        j->call.arena = j->keep;
        arena_free(a);
        if (r != BF_OK || n < PAGE)
            return r;
    }
}

/* Tells row's user of it: an event of kind about its record (record_type),
 * on day, with params; *count grows by what was written. */
static bf_result notify_row(job *j, const notify_due *row, const char *kind,
                            const char *record_type, const char *day, const char *part,
                            json_t *params, size_t *count)
{
    notify_event ev = {.kind = kind,
                       .opportunity_id = row->opportunity_id,
                       .deal_name = row->deal_name,
                       .deal_owner_id = row->deal_owner_id,
                       .record_type = record_type,
                       .record_id = row->record_id,
                       .day = day,
                       .part = part,
                       .params = params};
    const char *users[] = {row->user_id};
    return api_notify(&j->call, &ev, users, 1, count);
}
static bf_result stalled_page(job *j, const notify_due *rows, size_t n)
{
    api_call *call = &j->call;
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        char day[16];
        notify_china_day(text_parse_utc(rows[i].at), j->s.stalled_days, day, sizeof(day));
        json_t *params = api_keep(call, json_pack("{s:i, s:s, s:s?}", "days", j->s.stalled_days,
                                                  "since", rows[i].at, "stage", rows[i].detail));
        if (params == NULL)
            return BF_ERR_NOMEM;
        r = notify_row(j, &rows[i], "deal_stalled", "deal", day, NULL, params, &j->counts[0]);
    }
    return r;
}

/* The settings key of the stalled deals' watermark: {"until", "days"}. */
#define WATERMARK "notify_stalled_watermark"

/* Deals stalled since the last run: whose stage changed in [from, cutoff),
 * cutoff stalled_days before now; from the watermark of the run before, or
 * a day before cutoff (the first run, a clock moved back, stalled_days
 * changed), so that a new server does not tell of every deal stalled long
 * ago; a server that was stopped catches up from its last run. */
static bf_result run_stalled(job *j)
{
    char cutoff[40], from[40];
    format_time(j->t - (time_t)j->s.stalled_days * 86400, cutoff, sizeof(cutoff));
    format_time(j->t - (time_t)j->s.stalled_days * 86400 - 86400, from, sizeof(from));
    const char *text;
    store *st = j->call.app->store;
    bf_result r = store_setting_get(st, j->keep, WATERMARK, &text, &j->call.err);
    json_t *mark = r == BF_OK && text ? json_loads(text, 0, NULL) : NULL;
    const char *until = json_string_value(json_object_get(mark, "until"));
    if (until && strcmp(until, cutoff) <= 0 &&
        json_integer_value(json_object_get(mark, "days")) == j->s.stalled_days)
        snprintf(from, sizeof(from), "%s", until);
    json_decref(mark);
    if (r == BF_OK)
        r = run_pages(j, NOTIFY_DUE_STALLED, from, cutoff, stalled_page);
    char *done = r == BF_OK ? arena_printf(j->keep, "{\"until\":\"%s\",\"days\":%d}", cutoff,
                                           j->s.stalled_days)
                            : NULL;
    if (r == BF_OK && done == NULL)
        r = BF_ERR_NOMEM;
    return r == BF_OK ? store_setting_put(st, WATERMARK, done, "bingfa", &j->call.err) : r;
}

static bf_result visits_page(job *j, const notify_due *rows, size_t n)
{
    api_call *call = &j->call;
    char day[16];
    notify_china_day(j->t, 1, day, sizeof(day));
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        json_t *params = api_keep(call, json_pack("{s:s, s:s?, s:s, s:s}", "activity_id",
                                                  rows[i].record_id, "subject", rows[i].detail,
                                                  "planned_at", rows[i].at, "date", day));
        if (params == NULL)
            return BF_ERR_NOMEM;
        r = notify_row(j, &rows[i], "visit_tomorrow", "activity", day, NULL, params, &j->counts[1]);
    }
    return r;
}

/* Visits planned tomorrow, China time: from its 00:00 to the next day's. */
static bf_result run_visits(job *j)
{
    char tomorrow[16], after[16], from[32], until[32];
    notify_china_day(j->t, 1, tomorrow, sizeof(tomorrow));
    notify_china_day(j->t, 2, after, sizeof(after));
    if (!notify_china_day_start(tomorrow, from, sizeof(from)) ||
        !notify_china_day_start(after, until, sizeof(until)))
        return BF_ERR_INTERNAL;
    return run_pages(j, NOTIFY_DUE_VISITS, from, until, visits_page);
}

/* Whole days from day a to day b ("YYYY-MM-DD"). */
static int days_between(const char *a, const char *b)
{
    char ta[32], tb[32];
    snprintf(ta, sizeof(ta), "%.10sT00:00:00Z", a);
    snprintf(tb, sizeof(tb), "%.10sT00:00:00Z", b);
    return (int)((text_parse_utc(tb) - text_parse_utc(ta)) / 86400);
}

static bf_result tenders_page(job *j, const notify_due *rows, size_t n)
{
    api_call *call = &j->call;
    char today[16];
    notify_china_day(j->t, 0, today, sizeof(today));
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        json_t *params =
            api_keep(call, json_pack("{s:s, s:s, s:i}", "date_key", rows[i].detail, "date",
                                     rows[i].at, "days_left", days_between(today, rows[i].at)));
        if (params == NULL)
            return BF_ERR_NOMEM;
        r = notify_row(j, &rows[i], "tender_near", "deal", rows[i].at, rows[i].detail, params,
                       &j->counts[2]);
    }
    return r;
}

/* Key dates from today to tender_days ahead. */
static bf_result run_tenders(job *j)
{
    char today[16], last[16];
    notify_china_day(j->t, 0, today, sizeof(today));
    notify_china_day(j->t, j->s.tender_days, last, sizeof(last));
    return run_pages(j, NOTIFY_DUE_TENDERS, today, last, tenders_page);
}

bf_result api_notify_run(api *app, const char *now, size_t counts[3], bf_error *err)
{
    job j = {.call = {.app = app, .actor = "bingfa"}};
    if (now != NULL && (j.t = text_parse_utc(now)) == 0)
        return bf_fail(err, BF_ERR_INVALID, "invalid_datetime", "now",
                       "now must be an ISO 8601 time such as 2026-01-31T09:30:00Z");
    if (now == NULL)
        j.t = time(NULL);
    if ((j.keep = arena_new(16 * 1024)) == NULL)
        return BF_ERR_NOMEM;
    j.call.arena = j.keep;
    bf_result r = api_notify_settings(&j.call, &j.s);
    if (r == BF_OK)
        r = run_stalled(&j);
    if (r == BF_OK)
        r = run_visits(&j);
    if (r == BF_OK)
        r = run_tenders(&j);
    if (r != BF_OK && err != NULL)
        *err = j.call.err;
    if (counts != NULL)
        memcpy(counts, j.counts, sizeof(j.counts));
    arena_free(j.keep);
    return r;
}

/* ---- the threads -------------------------------------------------------------------- */

struct notify_service {
    api *app;
    unsigned interval_s, timeout_s;
    notify_backoff backoff;
    atomic_bool stop;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t job, sender;
    bool job_started, sender_started, curl_ready;
};

/* Waits ms milliseconds, or less when asked to stop; true when stopping. */
static bool wait_or_stop(notify_service *s, unsigned ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->lock);
    while (!atomic_load(&s->stop) && pthread_cond_timedwait(&s->wake, &s->lock, &until) == 0)
        ;
    pthread_mutex_unlock(&s->lock);
    return atomic_load(&s->stop);
}

static void *job_main(void *ctx)
{
    notify_service *s = ctx;
    do {
        bf_error err = {0};
        if (api_notify_run(s->app, NULL, NULL, &err) != BF_OK)
            fprintf(stderr, "bingfa: notifications: the periodic job failed: %s\n", err.message);
    } while (!wait_or_stop(s, s->interval_s * 1000));
    return NULL;
}

/* Sends claimed message d and records what came of it. */
static void deliver(notify_service *s, const webhook_delivery *d)
{
    char why[300] = "", now[32], next[40];
    bool ok = false, disabled = !d->enabled && strcmp(d->kind, "test") != 0;
    if (disabled) {
        snprintf(why, sizeof(why), "the webhook is disabled");
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
        const char *secret = strcmp(d->robot, "dingtalk") == 0 ? d->secret : NULL;
        size_t cap = strlen(d->url) + 200;
        char *url = malloc(cap);
        http_client_answer *ans = malloc(sizeof(*ans));
        if (url == NULL || ans == NULL || !notify_signed_url(d->url, secret, ms, url, cap))
            snprintf(why, sizeof(why), "out of memory");
        else if (!http_client_post_json(url, d->payload, strlen(d->payload), s->timeout_s * 1000,
                                        &s->stop, ans))
            snprintf(why, sizeof(why), "no answer: %s", ans->error);
        else
            ok = notify_reply_ok(ans->status, ans->body, ans->len, why, sizeof(why));
        free(url);
        free(ans);
        if (!ok && atomic_load(&s->stop))
            return; /* cut short by the stop: due again once its lease is over */
    }
    time_t t = time(NULL);
    int wait = ok ? 0 : disabled ? -1 : notify_backoff_wait(&s->backoff, (int)d->attempts);
    store_now(now, sizeof(now));
    format_time(t + wait, next, sizeof(next));
    bf_error err = {0};
    if (store_delivery_done(s->app->store, d->id, ok, now, ok ? NULL : why,
                            ok || wait < 0 ? NULL : next, &err) != BF_OK)
        fprintf(stderr, "bingfa: notifications: recording delivery %s: %s\n", d->id, err.message);
    else if (!ok && wait < 0)
        fprintf(stderr,
                "bingfa: notifications: delivery %s to webhook %s given up after %lld "
                "attempts: %s\n",
                d->id, d->webhook_id, (long long)d->attempts, why);
}

/* Claims and sends the messages due; how many there were. */
static size_t send_due(notify_service *s)
{
    arena *a = arena_new(64 * 1024);
    if (a == NULL)
        return 0;
    char now[32], lease[40];
    store_now(now, sizeof(now));
    format_time(time(NULL) + (time_t)s->timeout_s + 60, lease, sizeof(lease));
    webhook_delivery *due = NULL;
    size_t n = 0;
    bf_error err = {0};
    if (store_delivery_claim(s->app->store, a, now, lease, 8, &due, &n, &err) != BF_OK) {
        fprintf(stderr, "bingfa: notifications: reading the outbox: %s\n", err.message);
        n = 0;
    }
    for (size_t i = 0; i < n && !atomic_load(&s->stop); i++)
        deliver(s, &due[i]);
    arena_free(a);
    return n;
}

static void *sender_main(void *ctx)
{
    notify_service *s = ctx;
    while (!atomic_load(&s->stop))
        if (send_due(s) == 0 && wait_or_stop(s, 1000))
            break;
    return NULL;
}

bf_result api_notify_start(api *app, const notify_service_options *opt, notify_service **out,
                           bf_error *err)
{
    notify_service *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return BF_ERR_NOMEM;
    s->app = app;
    s->interval_s = opt->interval_s;
    s->timeout_s = opt->timeout_s ? opt->timeout_s : 10;
    s->backoff = opt->backoff ? *opt->backoff : notify_backoff_default;
    atomic_init(&s->stop, false);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    *out = s;
    if (!(s->curl_ready = http_client_init())) {
        api_notify_stop(s);
        *out = NULL;
        return bf_fail(err, BF_ERR_INTERNAL, NULL, NULL, "libcurl could not be set up");
    }
    s->sender_started = pthread_create(&s->sender, NULL, sender_main, s) == 0;
    if (s->interval_s > 0)
        s->job_started = pthread_create(&s->job, NULL, job_main, s) == 0;
    if (!s->sender_started || (s->interval_s > 0 && !s->job_started)) {
        api_notify_stop(s);
        *out = NULL;
        return bf_fail(err, BF_ERR_INTERNAL, NULL, NULL,
                       "the notifications' threads did not start");
    }
    return BF_OK;
}

void api_notify_stop(notify_service *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stop, true);
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->lock);
    if (s->job_started)
        pthread_join(s->job, NULL);
    if (s->sender_started)
        pthread_join(s->sender, NULL);
    if (s->curl_ready)
        http_client_cleanup();
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
