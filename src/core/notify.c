/* Notifications without I/O (see notify.h). */
#include "core/notify.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

const char *const notify_kinds[] = {"approval_waiting",
                                    "gate_refused",
                                    "deal_stalled",
                                    "visit_tomorrow",
                                    "tender_near",
                                    "handover_received",
                                    NULL};

const char *const notify_robot_kinds[] = {"wecom", "dingtalk", NULL};
const char *const notify_langs[] = {"zh", "en", NULL};

const char *const notify_tender_date_keys[] = {"documents", "qa",           "submission",
                                               "opening",   "award_notice", NULL};

/* Names in both languages, by key. */
typedef struct named {
    const char *key, *zh, *en;
} named;

static const named tender_dates[] = {
    {"documents", "发售标书", "Tender documents"}, {"qa", "答疑澄清", "Q&A"},
    {"submission", "递交投标", "Bid submission"},  {"opening", "开标", "Bid opening"},
    {"award_notice", "中标公示", "Award notice"},
};

static const named titles[] = {
    {"approval_waiting", "审批待处理", "Approval waiting"},
    {"gate_refused", "审批被驳回", "Approval refused"},
    {"deal_stalled", "商机停滞", "Deal stalled"},
    {"visit_tomorrow", "明日拜访", "Visit tomorrow"},
    {"tender_near", "招标日期临近", "Tender date near"},
    {"handover_received", "交接待接收", "Handover to receive"},
    {"test", "兵法测试消息", "bingfa test message"},
};

static const named approval_kind_names[] = {
    {"override", "越过关卡", "Gate override"},
    {"close", "提前关闭", "Early close"},
    {"sales_mode", "低于推荐的销售模式", "Sales mode below the recommendation"},
    {"proposal_release", "方案发布", "Proposal release"},
    {"discount", "报价折扣", "Quotation discount"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_en(const char *lang)
{
    return lang != NULL && strcmp(lang, "en") == 0;
}

static const char *name_of(const named *table, size_t n, const char *key, const char *lang)
{
    for (size_t i = 0; key != NULL && i < n; i++)
        if (strcmp(table[i].key, key) == 0)
            return is_en(lang) ? table[i].en : table[i].zh;
    return NULL;
}

const char *notify_tender_date_name(const char *key, const char *lang)
{
    return name_of(tender_dates, COUNT(tender_dates), key, lang);
}

const char *notify_title(const char *event, const char *lang)
{
    const char *t = name_of(titles, COUNT(titles), event, lang);
    return t ? t : is_en(lang) ? "Notification" : "通知";
}

/* ---- text made inert -------------------------------------------------------------- */

/* The ASCII characters written in their full-width forms (U+FF01…U+FF5E). */
static bool inert_always(unsigned char c)
{
    return c != '\0' && strchr("\\`*_{}[]()<>#!|~&:", c) != NULL;
}

static bf_result append_full_width(buf *out, unsigned char c)
{
    unsigned cp = 0xFEE0u + c;
    char u[3] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                 (char)(0x80 | (cp & 0x3F))};
    return buf_append(out, u, sizeof(u));
}

bf_result notify_markdown_text(buf *out, const char *text, size_t max_chars)
{
    if (text == NULL)
        return BF_OK;
    const unsigned char *s = (const unsigned char *)text;
    size_t chars = 0;
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && s[i] != '\0';) {
        if (chars++ >= max_chars)
            return buf_append_str(out, "…");
        unsigned char c = s[i];
        if (c >= 0x80) { /* a whole UTF-8 sequence, kept as it is */
            size_t len = 1;
            while (len < 4 && (s[i + len] & 0xC0) == 0x80)
                len++;
            r = buf_append(out, s + i, len);
            i += len;
            continue;
        }
        if (c < 0x20 || c == 0x7F)
            r = buf_append(out, " ", 1);
        else if (inert_always(c) || (c == '.' && isalnum(s[i + 1])))
            r = append_full_width(out, c);
        else
            r = buf_append(out, s + i, 1);
        i++;
    }
    return r;
}

/* ---- messages --------------------------------------------------------------------- */

static const char *fact_text(const json_t *facts, const char *key)
{
    return json_string_value(json_object_get(facts, key));
}

static json_int_t fact_int(const json_t *facts, const char *key)
{
    return json_integer_value(json_object_get(facts, key));
}

/* The date fact key, when it is a date (else NULL). */
static const char *fact_date(const json_t *facts, const char *key)
{
    const char *d = fact_text(facts, key);
    return d && strlen(d) == 10 && text_date_valid(d) ? d : NULL;
}

/* The line of an event's facts, into b. */
static bf_result append_detail(buf *b, const notify_message *m)
{
    const json_t *f = m->facts;
    bool en = is_en(m->lang);
    const char *ev = m->event;
    if (strcmp(ev, "approval_waiting") == 0 || strcmp(ev, "gate_refused") == 0) {
        const char *kind = name_of(approval_kind_names, COUNT(approval_kind_names),
                                   fact_text(f, "approval_kind"), m->lang);
        if (kind == NULL)
            return BF_OK;
        bf_result r = buf_append_str(b, kind);
        json_int_t level = fact_int(f, "level"), levels = fact_int(f, "levels");
        if (r == BF_OK && strcmp(ev, "approval_waiting") == 0 && level > 0 && levels > 1)
            r = en ? buf_printf(b, " · level %lld of %lld", (long long)level, (long long)levels)
                   : buf_printf(b, " · 第 %lld/%lld 级", (long long)level, (long long)levels);
        return r;
    }
    if (strcmp(ev, "deal_stalled") == 0 && fact_int(f, "days") > 0)
        return en ? buf_printf(b, "%lld days in its stage", (long long)fact_int(f, "days"))
                  : buf_printf(b, "已在当前阶段 %lld 天", (long long)fact_int(f, "days"));
    if (strcmp(ev, "visit_tomorrow") == 0 && fact_date(f, "date"))
        return en ? buf_printf(b, "Visit planned on %s", fact_date(f, "date"))
                  : buf_printf(b, "计划拜访日期：%s", fact_date(f, "date"));
    if (strcmp(ev, "tender_near") == 0 && fact_date(f, "date")) {
        const char *key = notify_tender_date_name(fact_text(f, "date_key"), m->lang);
        return key ? buf_printf(b, en ? "%s: %s" : "%s：%s", key, fact_date(f, "date")) : BF_OK;
    }
    if (strcmp(ev, "handover_received") == 0)
        return buf_append_str(b, en ? "The won deal's handover package waits for you"
                                    : "赢单商机的交接资料等待实施接收");
    if (strcmp(ev, "test") == 0) {
        bf_result r = buf_append_str(b, en ? "The robot " : "机器人「");
        if (r == BF_OK)
            r = notify_markdown_text(b, fact_text(f, "name"), 60);
        return r == BF_OK ? buf_append_str(b, en ? " is set up in bingfa" : "」已在兵法中设置好")
                          : r;
    }
    return BF_OK;
}

/* The Markdown text of m: its title (bold; a heading for DingTalk), the
 * deal, the facts and the link, as lines (sep between them). */
static bf_result message_text(buf *b, const notify_message *m, bool heading, const char *sep)
{
    bool en = is_en(m->lang);
    bf_result r = buf_printf(b, heading ? "#### %s" : "**%s**", notify_title(m->event, m->lang));
    if (r == BF_OK && m->deal != NULL) {
        r = buf_printf(b, "%s%s", sep, en ? "Deal: " : "商机：");
        if (r == BF_OK)
            r = notify_markdown_text(b, m->deal, 100);
    }
    size_t before = b->len;
    if (r == BF_OK)
        r = buf_append_str(b, sep);
    size_t mark = b->len;
    if (r == BF_OK)
        r = append_detail(b, m);
    if (r == BF_OK && b->len == mark) { /* no facts: no line */
        b->len = before;
        b->data[before] = '\0';
    }
    if (r == BF_OK && m->link != NULL)
        r = buf_printf(b, "%s[%s](%s)", sep, en ? "Open in bingfa" : "在兵法中打开", m->link);
    return r;
}

json_t *notify_payload(arena *a, const char *robot, const notify_message *m)
{
    buf b;
    buf_init(&b, a, 16 * 1024);
    bool ding = robot != NULL && strcmp(robot, "dingtalk") == 0;
    if (message_text(&b, m, ding, ding ? "\n\n" : "\n") != BF_OK)
        return NULL;
    if (ding)
        return json_pack("{s:s, s:{s:s, s:s}}", "msgtype", "markdown", "markdown", "title",
                         notify_title(m->event, m->lang), "text", buf_cstr(&b));
    return json_pack("{s:s, s:{s:s}}", "msgtype", "markdown", "markdown", "content", buf_cstr(&b));
}

/* ---- DingTalk's signature ----------------------------------------------------------- */

/* Percent-encodes s (every byte but A–Z a–z 0–9 - . _ ~) into out. */
static bool percent_encode(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool plain = isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        if (n + (plain ? 1 : 3) >= cap)
            return false;
        if (plain) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = hex[*p >> 4];
            out[n++] = hex[*p & 15];
        }
    }
    if (n >= cap)
        return false;
    out[n] = '\0';
    return true;
}

bool notify_dingtalk_sign(const char *secret, int64_t timestamp_ms, char *out, size_t cap)
{
    if (sodium_init() < 0)
        return false;
    char ts[24];
    snprintf(ts, sizeof(ts), "%lld\n", (long long)timestamp_ms);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof(st));
    char b64[sodium_base64_ENCODED_LEN(sizeof(mac), sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
    return percent_encode(b64, out, cap);
}

bool notify_signed_url(const char *url, const char *secret, int64_t timestamp_ms, char *out,
                       size_t cap)
{
    int n;
    if (secret == NULL || *secret == '\0') {
        n = snprintf(out, cap, "%s", url);
    } else {
        char sign[128];
        if (!notify_dingtalk_sign(secret, timestamp_ms, sign, sizeof(sign)))
            return false;
        n = snprintf(out, cap, "%s%ctimestamp=%lld&sign=%s", url, strchr(url, '?') ? '&' : '?',
                     (long long)timestamp_ms, sign);
    }
    return n >= 0 && (size_t)n < cap;
}

/* ---- retries -------------------------------------------------------------------------- */

const notify_backoff notify_backoff_default = {{60, 300, 1800, 7200}, 4};

bool notify_backoff_parse(const char *text, notify_backoff *out)
{
    notify_backoff b = {{0}, 0};
    const char *p = text;
    if (p == NULL || *p == '\0')
        return false;
    for (;;) {
        if (!isdigit((unsigned char)*p) || b.n == NOTIFY_MAX_RETRIES)
            return false;
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno != 0 || v < 1 || v > 7 * 86400)
            return false;
        b.waits[b.n++] = (int)v;
        if (*end == '\0')
            break;
        if (*end != ',')
            return false;
        p = end + 1;
    }
    *out = b;
    return true;
}

int notify_backoff_wait(const notify_backoff *b, int attempts)
{
    return attempts >= 1 && (size_t)attempts <= b->n ? b->waits[attempts - 1] : -1;
}

/* ---- replies ---------------------------------------------------------------------------- */

bool notify_reply_ok(long status, const char *body, size_t len, char *why, size_t cap)
{
    if (status < 200 || status > 299) {
        snprintf(why, cap, "HTTP %ld", status);
        return false;
    }
    json_t *j = body && len > 0 ? json_loadb(body, len, 0, NULL) : NULL;
    json_t *code = json_object_get(j, "errcode");
    bool ok = code == NULL || (json_is_integer(code) && json_integer_value(code) == 0);
    if (!ok) {
        const char *msg = json_string_value(json_object_get(j, "errmsg"));
        if (json_is_integer(code))
            snprintf(why, cap, "errcode %lld: %.160s", (long long)json_integer_value(code),
                     msg ? msg : "");
        else
            snprintf(why, cap, "errcode is not a number");
        /* The answer's own text may hold anything: keep printable ASCII and
         * whole UTF-8 only, as the cut may have split a character. */
        size_t n = strlen(why), keep = n;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)why[i] < 0x20)
                why[i] = ' ';
        while (keep > 0 && ((unsigned char)why[keep - 1] & 0x80) != 0 &&
               !text_utf8_valid(why, keep, NULL))
            keep--;
        why[keep] = '\0';
    }
    json_decref(j);
    return ok;
}

/* ---- China days ------------------------------------------------------------------------ */

enum { CHINA_OFFSET = 8 * 3600, DAY = 86400 };

void notify_china_day(time_t t, int days, char *out, size_t cap)
{
    text_format_date(t + CHINA_OFFSET + (time_t)days * DAY, out, cap);
}

bool notify_china_day_start(const char *day, char *out, size_t cap)
{
    char utc[32];
    if (day == NULL || strlen(day) != 10 || !text_date_valid(day))
        return false;
    snprintf(utc, sizeof(utc), "%sT00:00:00Z", day);
    time_t t = text_parse_utc(utc);
    if (cap < 21)
        return false;
    text_format_utc(t - CHINA_OFFSET, out, cap);
    return true;
}

/* ---- the setting ------------------------------------------------------------------------- */

static const schema settings_members[] = {
    {.name = "public_url",
     .kind = SCHEMA_TEXT,
     .max = 200,
     .doc = "The web app's address (https://bingfa.example.com) that robots' messages link to; "
            "none: no links"},
    {.name = "stalled_days",
     .kind = SCHEMA_INT,
     .min = 1,
     .max = 365,
     .def = "30",
     .doc = "Days in one stage after which a deal is stalled and its owner told"},
    {.name = "tender_days",
     .kind = SCHEMA_INT,
     .min = 0,
     .max = 60,
     .def = "3",
     .doc = "How many days ahead a tender's key date is told to the deal's owner (0: on the day)"},
    {0},
};

const schema notify_settings_schema = {.name = "NotificationSettings",
                                       .kind = SCHEMA_OBJECT,
                                       .members = settings_members,
                                       .doc = "What the notifications link to and when they fall "
                                              "due"};

json_t *notify_default_settings(void)
{
    return json_pack("{s:i, s:i}", "stalled_days", 30, "tender_days", 3);
}

bool notify_url_valid(const char *url)
{
    if (url == NULL || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))
        return false;
    const char *host = url + (url[4] == 's' ? 8 : 7);
    if (*host == '\0' || *host == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p >= 0x7F || strchr("\"'<>()[]{}`\\|^", *p) != NULL)
            return false;
    return true;
}

bf_result notify_settings_validate(json_t *v, bf_error *err)
{
    json_t *norm;
    bf_result r = schema_check(&notify_settings_schema, v, &norm, err);
    const char *url = json_string_value(json_object_get(norm, "public_url"));
    if (r == BF_OK && url != NULL && !notify_url_valid(url))
        r = bf_fail(err, BF_ERR_INVALID, "invalid_value", "public_url",
                    "public_url must be the web app's http:// or https:// address, such as "
                    "https://bingfa.example.com");
    json_decref(norm);
    return r;
}

void notify_settings_read(const json_t *v, notify_settings *out)
{
    json_t *url = json_object_get(v, "public_url");
    json_t *stalled = json_object_get(v, "stalled_days");
    json_t *tender = json_object_get(v, "tender_days");
    out->public_url = notify_url_valid(json_string_value(url)) ? json_string_value(url) : NULL;
    out->public_url_len = out->public_url ? (int)strlen(out->public_url) : 0;
    while (out->public_url_len > 0 && out->public_url[out->public_url_len - 1] == '/')
        out->public_url_len--;
    out->stalled_days = json_is_integer(stalled) && json_integer_value(stalled) >= 1 &&
                                json_integer_value(stalled) <= 365
                            ? (int)json_integer_value(stalled)
                            : 30;
    out->tender_days = json_is_integer(tender) && json_integer_value(tender) >= 0 &&
                               json_integer_value(tender) <= 60
                           ? (int)json_integer_value(tender)
                           : 3;
}
