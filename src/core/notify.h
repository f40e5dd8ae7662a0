/* Notifications (通知, docs/notifications.md), the parts without I/O: the
 * kinds of events, the messages sent to the group robots of 企业微信 (WeCom)
 * and 钉钉 (DingTalk) with the text users typed made inert, DingTalk's
 * signature, the waits between attempts of a delivery, what a robot's
 * answer means, and the days of China time (Asia/Shanghai, UTC+8 all year)
 * that events belong to. Who receives what, and when, is src/api/notify.c. */
#ifndef BF_CORE_NOTIFY_H
#define BF_CORE_NOTIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/result.h"
#include "core/schema.h"

/* The kinds of events, NULL-ended: approval_waiting (an approval the user
 * may decide waits), gate_refused (an approval to pass a gate or to close
 * early, asked by the user or about their deal, was refused), deal_stalled
 * (their deal has not changed stage for the threshold's days),
 * visit_tomorrow (their visit planned tomorrow), tender_near (a key date of
 * their deal's tender within days), handover_received (a won deal handed
 * over to them, implementation). */
extern const char *const notify_kinds[];

/* The kinds of robots ("wecom", "dingtalk") and the languages of their
 * messages ("zh", "en"), NULL-ended. */
extern const char *const notify_robot_kinds[];
extern const char *const notify_langs[];

/* The key dates of a tender record (documents, qa, submission, opening,
 * award_notice), NULL-ended, and the name of one in lang ("zh", "en"), or
 * NULL for an unknown key. */
extern const char *const notify_tender_date_keys[];
const char *notify_tender_date_name(const char *key, const char *lang);

/* Appends text, as a user typed it, to out as Markdown that shows it and
 * means nothing else: every character that Markdown or the robots' HTML
 * subset give a meaning (\ ` * _ { } [ ] ( ) < > # ! | ~ & and : — so no
 * scheme starts a link — and a . before a letter or digit — so no domain is
 * made a link) is written as its full-width form (［ ］ （ ） ：…), line
 * breaks and other control characters as spaces; at most max_chars
 * characters, then "…". NULL appends nothing. */
bf_result notify_markdown_text(buf *out, const char *text, size_t max_chars);

/* A message to a robot: the event, the language, the deal's name (as
 * typed; NULL for none), the link that opens it (NULL for none) and the
 * event's facts (its notification's params: approval_kind, level, levels,
 * days, date, date_key, name — anything else is left out). */
typedef struct notify_message {
    const char *event; /* one of notify_kinds, or "test" */
    const char *lang;  /* "zh" or "en" (anything else: "zh") */
    const char *deal;
    const char *link;
    const json_t *facts; /* an object, or NULL */
} notify_message;

/* The title of an event in lang: static text. */
const char *notify_title(const char *event, const char *lang);

/* The body a robot of kind robot ("wecom" or "dingtalk") is sent for m, a
 * new reference (NULL when out of memory): WeCom's {"msgtype":"markdown",
 * "markdown":{"content":…}}, DingTalk's {"msgtype":"markdown","markdown":
 * {"title":…,"text":…}}. It holds the title, the deal's name made inert,
 * the facts of the event and the link, nothing else. Temporary text in a. */
json_t *notify_payload(arena *a, const char *robot, const notify_message *m);

/* DingTalk's signature of a message sent at timestamp_ms (milliseconds
 * since 1970) with the robot's secret: base64 of HMAC-SHA256 keyed by the
 * secret over "<timestamp_ms>\n<secret>", percent-encoded. False when out
 * does not hold it (cap ≥ 64 always does). */
bool notify_dingtalk_sign(const char *secret, int64_t timestamp_ms, char *out, size_t cap);

/* The address a message is posted to: url, with "timestamp=…&sign=…"
 * appended (after & or ?) when secret is set (DingTalk's signing). False
 * when out (cap bytes) does not hold it. */
bool notify_signed_url(const char *url, const char *secret, int64_t timestamp_ms, char *out,
                       size_t cap);

/* The waits, in seconds, after each failed attempt of a delivery: after the
 * first failure waits[0], …; past the last, it is given up. */
#define NOTIFY_MAX_RETRIES 16
typedef struct notify_backoff {
    int waits[NOTIFY_MAX_RETRIES];
    size_t n;
} notify_backoff;

/* 1 minute, 5 minutes, 30 minutes, 2 hours: five attempts in all. */
extern const notify_backoff notify_backoff_default;

/* Parses "60,300,1800,7200" (1 to NOTIFY_MAX_RETRIES waits of 1 to 604800
 * seconds each); false when it is not that. */
bool notify_backoff_parse(const char *text, notify_backoff *out);

/* The seconds to wait after the attempts-th failed attempt (1, 2, …), or -1
 * when it is given up. */
int notify_backoff_wait(const notify_backoff *b, int attempts);

/* Whether a robot accepted a message: a 2xx status whose body, when it is a
 * JSON object with errcode, says errcode 0. Otherwise why (cap bytes) says
 * what failed: "HTTP 500", "errcode 310000: sign not match". */
bool notify_reply_ok(long status, const char *body, size_t len, char *why, size_t cap);

/* The China day ("YYYY-MM-DD", Asia/Shanghai) of the moment t, moved by
 * days (1: the next day); out holds at least 11 bytes. */
void notify_china_day(time_t t, int days, char *out, size_t cap);

/* The moment a China day ("YYYY-MM-DD") begins, as UTC text
 * "YYYY-MM-DDTHH:MM:SSZ" (the day before, 16:00Z); false when day is not a
 * date. out holds at least 21 bytes. */
bool notify_china_day_start(const char *day, char *out, size_t cap);

/* The setting "notifications" (an admin's): public_url, the web app's
 * address that robots' messages link to (none: no links); stalled_days, the
 * days in one stage after which a deal is stalled (30, as the stalled
 * report); tender_days, how many days ahead a tender's key date is told
 * (3). Its declared body, its default (a new reference), its check (err
 * names the field) and its values (defaults for what it leaves out;
 * public_url borrowed from v, without a trailing '/', its length in
 * public_url_len). */
typedef struct notify_settings {
    const char *public_url; /* or NULL */
    int public_url_len;
    int stalled_days, tender_days;
} notify_settings;
extern const schema notify_settings_schema;
json_t *notify_default_settings(void);
bf_result notify_settings_validate(json_t *v, bf_error *err);
void notify_settings_read(const json_t *v, notify_settings *out);

/* Whether url is an http:// or https:// address without white space, quotes
 * or the characters Markdown gives a meaning to (a link made of it cannot
 * break out of its place in a message). */
bool notify_url_valid(const char *url);

#endif
