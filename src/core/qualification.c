/* Qualification forms: opportunity evaluation, MANT, 5W+2P and the compelling
 * event (see qualification.h). */
#include "core/qualification.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/json_check.h"
#include "core/text.h"

/* ---- small JSON helpers ---- */

#define MAX_INDICATORS 20
#define NOTE_MAX_CHARS 2000

/* {"zh": zh, "en": en}, new ref. */
static json_t *text_pair(const char *zh, const char *en)
{
    return json_pack("{s:s, s:s}", "zh", zh, "en", en);
}

static bf_result fail_nomem(bf_error *err)
{
    return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
}

/* The member key of obj, or NULL when obj is not an object, key is absent or
 * its value is JSON null (null means "not given" in every form). */
static json_t *member(json_t *obj, const char *key)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_null(v) ? NULL : v;
}

/* Fails with wrong_type unless v is an object. */
static bf_result want_object(json_t *v, const char *path, bf_error *err)
{
    if (json_is_object(v))
        return BF_OK;
    return bf_fail(err, BF_ERR_INVALID, "wrong_type", path, "%s must be a JSON object",
                   path[0] ? path : "the form");
}

static bool is_ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Reads a string at path, trims ASCII white space and the ideographic space
 * U+3000 at both ends, and checks its length (1..max_chars characters after
 * trimming). *out is the trimmed string as a new ref, or NULL when it is
 * blank and blank_ok (a blank optional answer is "not given"). */
static bf_result take_text(json_t *v, const char *path, size_t max_chars, bool blank_ok,
                           json_t **out, bf_error *err)
{
    *out = NULL;
    bf_result r = json_check_string(v, path, err);
    if (r != BF_OK)
        return r;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (memchr(s, '\0', n) != NULL || !text_utf8_valid(s, n, NULL))
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", path,
                       "%s must be UTF-8 text without NUL characters", path);
    for (;;) {
        if (n > 0 && is_ascii_space((unsigned char)s[0])) {
            s++, n--;
        } else if (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0) {
            s += 3, n -= 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (n > 0 && is_ascii_space((unsigned char)s[n - 1])) {
            n--;
        } else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0) {
            n -= 3;
        } else {
            break;
        }
    }
    if (n == 0) {
        if (blank_ok)
            return BF_OK;
        return bf_fail(err, BF_ERR_INVALID, "required", path, "%s must not be empty", path);
    }
    size_t chars = text_utf8_length(s, n);
    if (chars > max_chars)
        return bf_fail(err, BF_ERR_INVALID, "too_long", path,
                       "%s is too long: %zu characters, at most %zu", path, chars, max_chars);
    *out = json_stringn(s, n);
    return *out ? BF_OK : fail_nomem(err);
}

/* Sets key of obj to the optional text member key of in (dropped when absent,
 * null or blank). */
static bf_result copy_optional_text(json_t *in, json_t *obj, const char *key, const char *prefix,
                                    size_t max_chars, bf_error *err)
{
    json_t *v = member(in, key);
    if (v == NULL)
        return BF_OK;
    char path[64];
    json_check_path_key(path, sizeof(path), prefix, key);
    json_t *s;
    bf_result r = take_text(v, path, max_chars, true, &s, err);
    if (r != BF_OK || s == NULL)
        return r;
    return json_object_set_new(obj, key, s) == 0 ? BF_OK : fail_nomem(err);
}

/* Sets key of obj to the optional calendar date member key of in. */
static bf_result copy_optional_date(json_t *in, json_t *obj, const char *key, const char *prefix,
                                    bf_error *err)
{
    json_t *v = member(in, key);
    if (v == NULL)
        return BF_OK;
    char path[64];
    json_check_path_key(path, sizeof(path), prefix, key);
    bf_result r;
    if ((r = json_check_string(v, path, err)) != BF_OK ||
        (r = json_check_date(v, path, err)) != BF_OK)
        return r;
    return json_object_set_new(obj, key, json_string(json_string_value(v))) == 0 ? BF_OK
                                                                                 : fail_nomem(err);
}

/* Fails unless v is an object whose keys are all in allowed (NULL-ended). */
static bf_result want_fields(json_t *v, const char *path, const char *const *allowed, bf_error *err)
{
    bf_result r = want_object(v, path, err);
    return r != BF_OK ? r : json_check_keys(v, allowed, path, "is not a field here", err);
}

/* A non-empty string member, or NULL. */
static const char *member_text(json_t *obj, const char *key)
{
    const char *s = json_string_value(member(obj, key));
    return s != NULL && s[0] != '\0' ? s : NULL;
}

/* Appends the string s to the array arr; false on no memory. */
static bool push_text(json_t *arr, const char *s)
{
    return json_array_append_new(arr, json_string(s)) == 0;
}

/* ---- opportunity evaluation ---- */

static const char *const man_parts[] = {"money", "authority", "need", NULL};

/* The default indicators of the quantitative evaluation. Seed 003 gives the
 * method (key indicators chosen with MAN; the weighted average of their
 * scores measures the size of the opportunity) but no fixed list: these are
 * bingfa's defaults, and an admin may configure others. */
static const struct default_indicator {
    const char *id, *zh, *en;
    int weight;
} default_indicators[] = {
    {"budget_size", "预算规模", "Budget size", 25},
    {"decision_maker_access", "接触决策人程度", "Access to the decision maker", 20},
    {"need_urgency", "需求紧迫度", "Urgency of the need", 20},
    {"solution_fit", "我方方案匹配度", "Fit of our solution", 15},
    {"competitive_position", "竞争态势", "Competitive position", 10},
    {"relationship", "客户关系", "Relationship with the account", 10},
};

json_t *evaluation_default_config(void)
{
    json_t *inds = json_array();
    if (inds == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(default_indicators) / sizeof(default_indicators[0]); i++) {
        const struct default_indicator *d = &default_indicators[i];
        if (json_array_append_new(inds, json_pack("{s:s, s:o, s:i}", "id", d->id, "name",
                                                  text_pair(d->zh, d->en), "weight", d->weight)) !=
            0) {
            json_decref(inds);
            return NULL;
        }
    }
    return json_pack("{s:o, s:{s:i, s:i}}", "indicators", inds, "mode_thresholds", "consultative",
                     40, "strategic", 70);
}

static bool indicator_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static bf_result check_config_indicator(json_t *ind, size_t i, json_t *all, json_int_t *weight,
                                        bf_error *err)
{
    static const char *const keys[] = {"id", "name", "weight", NULL};
    static const char *const langs[] = {"zh", "en", NULL};
    char at[40], path[64];
    json_check_path_index(at, sizeof(at), "indicators", i);
    bf_result r;
    if ((r = want_fields(ind, at, keys, err)) != BF_OK)
        return r;

    json_t *id = json_check_member(ind, at, "id", path, sizeof(path));
    if ((r = json_check_required(id, path, err)) != BF_OK ||
        (r = json_check_string(id, path, err)) != BF_OK)
        return r;
    if (!indicator_id_valid(json_string_value(id)))
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", path,
                       "%s must be a lowercase identifier [a-z][a-z0-9_]*, at most 40 characters",
                       path);
    for (size_t j = 0; j < i; j++)
        if (json_equal(member(json_array_get(all, j), "id"), id))
            return bf_fail(err, BF_ERR_INVALID, "duplicate", path,
                           "%s repeats the id %s of indicators[%zu]", path, json_string_value(id),
                           j);

    json_t *name = json_check_member(ind, at, "name", path, sizeof(path));
    if ((r = json_check_required(name, path, err)) != BF_OK)
        return r;
    if ((r = want_fields(name, path, langs, err)) != BF_OK)
        return r;
    for (size_t k = 0; langs[k] != NULL; k++) {
        char lang_path[64];
        json_check_path_key(lang_path, sizeof(lang_path), path, langs[k]);
        json_t *v = member(name, langs[k]);
        if ((r = json_check_required(v, lang_path, err)) != BF_OK)
            return r;
        json_t *s;
        if ((r = take_text(v, lang_path, 100, false, &s, err)) != BF_OK)
            return r;
        json_decref(s);
    }

    json_t *w = json_check_member(ind, at, "weight", path, sizeof(path));
    if ((r = json_check_required(w, path, err)) != BF_OK)
        return r;
    return json_check_int(w, path, 1, 100, weight, err);
}

bf_result evaluation_config_validate(json_t *cfg, bf_error *err)
{
    static const char *const keys[] = {"indicators", "mode_thresholds", NULL};
    static const char *const th_keys[] = {"consultative", "strategic", NULL};
    bf_result r;
    if ((r = want_fields(cfg, "", keys, err)) != BF_OK)
        return r;

    json_t *inds = member(cfg, "indicators");
    if ((r = json_check_required(inds, "indicators", err)) != BF_OK)
        return r;
    if (!json_is_array(inds))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "indicators",
                       "indicators must be an array");
    size_t n = json_array_size(inds);
    if (n == 0)
        return bf_fail(err, BF_ERR_INVALID, "too_few", "indicators",
                       "indicators must list at least one indicator");
    if (n > MAX_INDICATORS)
        return bf_fail(err, BF_ERR_INVALID, "too_many", "indicators",
                       "indicators has more than %d items", MAX_INDICATORS);
    json_int_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        json_int_t w;
        if ((r = check_config_indicator(json_array_get(inds, i), i, inds, &w, err)) != BF_OK)
            return r;
        sum += w;
    }
    if (sum != 100)
        return bf_fail(err, BF_ERR_INVALID, "weight_sum", "indicators",
                       "the indicators' weights must sum to 100, not %" JSON_INTEGER_FORMAT, sum);

    json_t *th = member(cfg, "mode_thresholds");
    if ((r = json_check_required(th, "mode_thresholds", err)) != BF_OK)
        return r;
    if ((r = want_fields(th, "mode_thresholds", th_keys, err)) != BF_OK)
        return r;
    json_int_t t[2];
    for (size_t k = 0; k < 2; k++) {
        char path[64];
        json_check_path_key(path, sizeof(path), "mode_thresholds", th_keys[k]);
        json_t *v = member(th, th_keys[k]);
        if ((r = json_check_required(v, path, err)) != BF_OK ||
            (r = json_check_int(v, path, 0, 100, &t[k], err)) != BF_OK)
            return r;
    }
    if (t[0] >= t[1])
        return bf_fail(err, BF_ERR_INVALID, "threshold_order", "mode_thresholds.strategic",
                       "mode_thresholds.strategic (%" JSON_INTEGER_FORMAT
                       ") must be above mode_thresholds.consultative (%" JSON_INTEGER_FORMAT ")",
                       t[1], t[0]);
    return BF_OK;
}

/* The indicator of cfg called id, or NULL. */
static json_t *config_indicator(json_t *cfg, const char *id)
{
    size_t i;
    json_t *ind;
    json_array_foreach(member(cfg, "indicators"), i, ind)
    {
        const char *s = member_text(ind, "id");
        if (s != NULL && strcmp(s, id) == 0)
            return ind;
    }
    return NULL;
}

/* One MAN part: {"answer": yes|no|unknown, "evidence"?}, normalized. */
static bf_result validate_man_part(json_t *in, const char *part, json_t **out, bf_error *err)
{
    static const char *const keys[] = {"answer", "evidence", NULL};
    static const char *const answers[] = {"yes", "no", "unknown", NULL};
    *out = NULL;
    json_t *v = member(in, part);
    if (v == NULL) {
        *out = json_pack("{s:s}", "answer", "unknown");
        return *out ? BF_OK : fail_nomem(err);
    }
    bf_result r;
    if ((r = want_fields(v, part, keys, err)) != BF_OK)
        return r;
    char path[64];
    json_t *a = json_check_member(v, part, "answer", path, sizeof(path));
    if ((r = json_check_required(a, path, err)) != BF_OK ||
        (r = json_check_string(a, path, err)) != BF_OK)
        return r;
    bool known = false;
    for (size_t i = 0; answers[i] != NULL && !known; i++)
        known = strcmp(json_string_value(a), answers[i]) == 0;
    if (!known)
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", path,
                       "%s must be one of: yes, no, unknown", path);
    json_t *o = json_pack("{s:s}", "answer", json_string_value(a));
    if (o == NULL)
        return fail_nomem(err);
    if ((r = copy_optional_text(v, o, "evidence", part, NOTE_MAX_CHARS, err)) != BF_OK) {
        json_decref(o);
        return r;
    }
    *out = o;
    return BF_OK;
}

/* "indicators": an array of {"id", "score"} naming indicators of cfg once. */
static bf_result validate_indicators(json_t *in, json_t *cfg, json_t *out, bf_error *err)
{
    static const char *const keys[] = {"id", "score", NULL};
    json_t *inds = member(in, "indicators");
    json_t *arr = json_array();
    if (arr == NULL || json_object_set_new(out, "indicators", arr) != 0)
        return fail_nomem(err);
    if (inds == NULL)
        return BF_OK;
    if (!json_is_array(inds))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "indicators",
                       "indicators must be an array of {\"id\", \"score\"}");
    size_t i;
    json_t *ind;
    json_array_foreach(inds, i, ind)
    {
        char at[40], path[64];
        json_check_path_index(at, sizeof(at), "indicators", i);
        bf_result r;
        if ((r = want_fields(ind, at, keys, err)) != BF_OK)
            return r;
        json_t *id = json_check_member(ind, at, "id", path, sizeof(path));
        if ((r = json_check_required(id, path, err)) != BF_OK ||
            (r = json_check_string(id, path, err)) != BF_OK)
            return r;
        const char *ids = json_string_value(id);
        if (config_indicator(cfg, ids) == NULL)
            return bf_fail(err, BF_ERR_INVALID, "unknown_indicator", path,
                           "%s: the evaluation has no indicator %.60s", path, ids);
        for (size_t j = 0; j < i; j++)
            if (json_equal(member(json_array_get(inds, j), "id"), id))
                return bf_fail(err, BF_ERR_INVALID, "duplicate", path,
                               "%s scores %s a second time (see indicators[%zu])", path, ids, j);
        json_t *sv = json_check_member(ind, at, "score", path, sizeof(path));
        if ((r = json_check_required(sv, path, err)) != BF_OK)
            return r;
        json_int_t score;
        if ((r = json_check_int(sv, path, 0, 100, &score, err)) != BF_OK)
            return r;
        if (json_array_append_new(arr, json_pack("{s:s, s:I}", "id", ids, "score", score)) != 0)
            return fail_nomem(err);
    }
    return BF_OK;
}

/* "qualitative": {"score", "note"?}, copied only when given. */
static bf_result validate_qualitative(json_t *in, json_t *out, bf_error *err)
{
    static const char *const keys[] = {"score", "note", NULL};
    json_t *q = member(in, "qualitative");
    if (q == NULL)
        return BF_OK;
    bf_result r;
    if ((r = want_fields(q, "qualitative", keys, err)) != BF_OK)
        return r;
    json_t *sv = member(q, "score");
    if ((r = json_check_required(sv, "qualitative.score", err)) != BF_OK)
        return r;
    json_int_t score;
    if ((r = json_check_int(sv, "qualitative.score", 0, 100, &score, err)) != BF_OK)
        return r;
    json_t *o = json_pack("{s:I}", "score", score);
    if (o == NULL || json_object_set_new(out, "qualitative", o) != 0)
        return fail_nomem(err);
    return copy_optional_text(q, o, "note", "qualitative", NOTE_MAX_CHARS, err);
}

bf_result evaluation_validate(json_t *in, json_t *cfg, json_t **out, bf_error *err)
{
    static const char *const keys[] = {"money",      "authority",   "need",
                                       "indicators", "qualitative", NULL};
    *out = NULL;
    bf_result r;
    if ((r = want_fields(in, "", keys, err)) != BF_OK)
        return r;
    json_t *own_cfg = NULL;
    if (cfg == NULL && (cfg = own_cfg = evaluation_default_config()) == NULL)
        return fail_nomem(err);
    json_t *o = json_object();
    if (o == NULL)
        r = fail_nomem(err);
    for (size_t i = 0; r == BF_OK && man_parts[i] != NULL; i++) {
        json_t *part;
        if ((r = validate_man_part(in, man_parts[i], &part, err)) == BF_OK &&
            json_object_set_new(o, man_parts[i], part) != 0)
            r = fail_nomem(err);
    }
    if (r == BF_OK)
        r = validate_indicators(in, cfg, o, err);
    if (r == BF_OK)
        r = validate_qualitative(in, o, err);
    json_decref(own_cfg);
    if (r != BF_OK) {
        json_decref(o);
        return r;
    }
    *out = o;
    return BF_OK;
}

/* The MAN classes of seed 003; actions in bingfa's words. */
static const struct man_class {
    const char *id;
    bool m, a, n;
    const char *label_zh, *label_en, *action_zh, *action_en;
} man_classes[] = {
    {"M+A+N", true, true, true, "有钱、有权、有需求：理想的销售对象",
     "Money, authority and need: the ideal prospect",
     "有望成交的客户：全力推进，尽快明确销售方式并安排拜访。",
     "A real prospect: pursue it fully, settle the sales mode and book the visit."},
    {"M+A+n", true, true, false, "有钱有权，需求尚未形成", "Money and authority, no need yet",
     "可以接触：以熟练的销售技巧探寻并引导需求，仍有成功的希望。",
     "Worth contacting: with skilled selling, draw out and guide the need — it can still be won."},
    {"M+a+N", true, false, true, "有钱有需求，尚未接触到决策权",
     "Money and need, authority not reached", "可以接触：设法找到并接近有决策权的人。",
     "Worth contacting: find and reach the person who holds the authority to buy."},
    {"m+A+N", false, true, true, "有权有需求，资金未落实", "Authority and need, no money yet",
     "长期跟踪：保持联系，关注预算何时落实。",
     "Follow up over the long term: keep in touch and watch for the budget."},
};

static const struct man_class man_other = {
    "other",
    false,
    false,
    false,
    "条件不足：MAN 中两项或以上未满足",
    "Not qualified: two or more of money, authority and need are missing",
    "暂不作为商机投入资源：定期回访，情况变化后重新评价。",
    "Do not commit resources yet: check back from time to time and evaluate again when things "
    "change."};

static bool man_yes(json_t *form, const char *part)
{
    const char *a = member_text(member(form, part), "answer");
    return a != NULL && strcmp(a, "yes") == 0;
}

static const char *const mode_ids[] = {"quick", "consultative", "strategic"};
static const char *const mode_zh[] = {"快刀", "顾问", "战略"};
static const char *const mode_en[] = {"quick", "consultative", "strategic"};

/* 0 quick, 1 consultative, 2 strategic, -1 another mode. */
static int mode_rank(const char *mode)
{
    for (int i = 0; i < 3; i++)
        if (mode != NULL && strcmp(mode, mode_ids[i]) == 0)
            return i;
    return -1;
}

/* The score of indicator id in form, 0 when not scored. */
static json_int_t form_score(json_t *form, const char *id)
{
    size_t i;
    json_t *ind;
    json_array_foreach(member(form, "indicators"), i, ind)
    {
        const char *s = member_text(ind, "id");
        if (s != NULL && strcmp(s, id) == 0)
            return json_integer_value(member(ind, "score"));
    }
    return 0;
}

/* sum(w*s)/sum(w) in hundredths, rounded half up: floor((200·N + D) / 2D).
 * A valid configuration has at most 20 weights of at most 100 and scores of
 * at most 100, so every product fits easily in 64 bits. */
static int64_t weighted_hundredths(json_t *form, json_t *cfg)
{
    int64_t num = 0, den = 0;
    size_t i;
    json_t *ind;
    json_array_foreach(member(cfg, "indicators"), i, ind)
    {
        const char *id = member_text(ind, "id");
        int64_t w = json_integer_value(member(ind, "weight"));
        if (id == NULL || w <= 0)
            continue;
        num += w * (int64_t)form_score(form, id);
        den += w;
    }
    if (den == 0)
        return 0;
    return (200 * num + den) / (2 * den);
}

json_t *evaluation_result(json_t *form, json_t *cfg, const char *chosen_mode)
{
    json_t *own_cfg = NULL;
    if (cfg == NULL && (cfg = own_cfg = evaluation_default_config()) == NULL)
        return NULL;

    const struct man_class *mc = &man_other;
    bool m = man_yes(form, "money"), a = man_yes(form, "authority"), n = man_yes(form, "need");
    for (size_t i = 0; i < sizeof(man_classes) / sizeof(man_classes[0]); i++)
        if (man_classes[i].m == m && man_classes[i].a == a && man_classes[i].n == n)
            mc = &man_classes[i];

    int64_t h = weighted_hundredths(form, cfg);
    char value[32];
    snprintf(value, sizeof(value), "%" PRId64 ".%02" PRId64, h / 100, h % 100);

    json_t *th = member(cfg, "mode_thresholds");
    int64_t consultative = json_integer_value(member(th, "consultative"));
    int64_t strategic = json_integer_value(member(th, "strategic"));
    int rec = h >= strategic * 100 ? 2 : h >= consultative * 100 ? 1 : 0;
    json_decref(own_cfg);

    json_t *qual = member(member(form, "qualitative"), "score");
    json_t *warning = json_null();
    int chosen = mode_rank(chosen_mode);
    if (chosen >= 0 && chosen < rec) {
        char zh[300], en[300];
        snprintf(zh, sizeof(zh),
                 "评分建议采用%s方式，实际选择了%s方式。防止大单做小：请按建议投入人员和资源，"
                 "或写明理由。",
                 mode_zh[rec], mode_zh[chosen]);
        snprintf(en, sizeof(en),
                 "The score recommends the %s mode but the %s mode was chosen. Do not work a big "
                 "deal as a small one: staff it as recommended, or record why not.",
                 mode_en[rec], mode_en[chosen]);
        warning =
            json_pack("{s:s, s:o}", "code", "mode_below_recommendation", "text", text_pair(zh, en));
    }

    return json_pack("{s:{s:s, s:o, s:o}, s:{s:s, s:I}, s:O, s:s, s:s?, s:o}", "man", "class",
                     mc->id, "label", text_pair(mc->label_zh, mc->label_en), "action",
                     text_pair(mc->action_zh, mc->action_en), "score", "value", value, "hundredths",
                     (json_int_t)h, "qualitative", json_is_integer(qual) ? qual : json_null(),
                     "recommended_mode", mode_ids[rec], "chosen_mode", chosen_mode, "warning",
                     warning);
}

/* ---- MANT ---- */

#define NEEDS_MAX 5
#define NEEDS_COMPLETE_MIN 3

/* True when s is "YYYY-MM" with a year 1900..2999 and a month 01..12. */
static bool month_valid(const char *s)
{
    if (strlen(s) != 7 || s[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return false;
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int month = (s[5] - '0') * 10 + (s[6] - '0');
    return year >= 1900 && year <= 2999 && month >= 1 && month <= 12;
}

static bf_result mant_validate_money(json_t *in, json_t *o, bf_error *err)
{
    static const char *const keys[] = {"budget", "source", "approved", "in_place", NULL};
    json_t *money = member(in, "money");
    if (money == NULL)
        return BF_OK;
    bf_result r;
    if ((r = want_fields(money, "money", keys, err)) != BF_OK)
        return r;
    json_t *m = json_object();
    if (m == NULL || json_object_set_new(o, "money", m) != 0)
        return fail_nomem(err);
    json_t *b = member(money, "budget");
    if (b != NULL) {
        json_int_t budget;
        if (json_is_integer(b) && json_integer_value(b) < 0)
            return bf_fail(err, BF_ERR_INVALID, "out_of_range", "money.budget",
                           "money.budget must not be negative (an amount in fen)");
        if (!json_is_integer(b))
            return bf_fail(err, BF_ERR_INVALID, "wrong_type", "money.budget",
                           "money.budget must be an integer number of fen (分)");
        budget = json_integer_value(b);
        if (json_object_set_new(m, "budget", json_integer(budget)) != 0)
            return fail_nomem(err);
    }
    if ((r = copy_optional_text(money, m, "source", "money", 200, err)) != BF_OK)
        return r;
    static const char *const flags[] = {"approved", "in_place"};
    for (size_t i = 0; i < 2; i++) {
        json_t *f = member(money, flags[i]);
        if (f == NULL)
            continue;
        char path[64];
        json_check_path_key(path, sizeof(path), "money", flags[i]);
        if ((r = json_check_bool(f, path, err)) != BF_OK)
            return r;
        if (json_object_set_new(m, flags[i], json_boolean(json_is_true(f))) != 0)
            return fail_nomem(err);
    }
    return BF_OK;
}

static bf_result mant_validate_needs(json_t *in, json_t *o, bf_error *err)
{
    json_t *needs = member(in, "needs");
    if (needs == NULL)
        return BF_OK;
    if (!json_is_array(needs))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "needs",
                       "needs must be an array of strings");
    size_t n = json_array_size(needs);
    if (n == 0)
        return bf_fail(err, BF_ERR_INVALID, "too_few", "needs",
                       "needs must list at least one need (leave it out when none is known)");
    if (n > NEEDS_MAX)
        return bf_fail(err, BF_ERR_INVALID, "too_many", "needs",
                       "needs lists %zu items, at most %d: keep the customer's main needs", n,
                       NEEDS_MAX);
    json_t *arr = json_array();
    if (arr == NULL || json_object_set_new(o, "needs", arr) != 0)
        return fail_nomem(err);
    for (size_t i = 0; i < n; i++) {
        char path[64];
        json_check_path_index(path, sizeof(path), "needs", i);
        json_t *s;
        bf_result r = take_text(json_array_get(needs, i), path, 500, false, &s, err);
        if (r != BF_OK)
            return r;
        if (json_array_append_new(arr, s) != 0)
            return fail_nomem(err);
    }
    return BF_OK;
}

static bf_result mant_validate_time(json_t *in, json_t *o, bf_error *err)
{
    static const char *const keys[] = {"tender_month", "go_live", NULL};
    json_t *time = member(in, "time");
    if (time == NULL)
        return BF_OK;
    bf_result r;
    if ((r = want_fields(time, "time", keys, err)) != BF_OK)
        return r;
    json_t *t = json_object();
    if (t == NULL || json_object_set_new(o, "time", t) != 0)
        return fail_nomem(err);
    json_t *tm = member(time, "tender_month");
    if (tm != NULL) {
        if (!json_is_string(tm))
            return bf_fail(err, BF_ERR_INVALID, "wrong_type", "time.tender_month",
                           "time.tender_month must be a string");
        if (!month_valid(json_string_value(tm)))
            return bf_fail(err, BF_ERR_INVALID, "invalid_month", "time.tender_month",
                           "time.tender_month must be a month YYYY-MM");
        if (json_object_set_new(t, "tender_month", json_string(json_string_value(tm))) != 0)
            return fail_nomem(err);
    }
    return copy_optional_date(time, t, "go_live", "time", err);
}

bf_result mant_validate(json_t *in, json_t **out, bf_error *err)
{
    static const char *const keys[] = {"money", "needs", "time", NULL};
    *out = NULL;
    bf_result r;
    if ((r = want_fields(in, "", keys, err)) != BF_OK)
        return r;
    json_t *o = json_object();
    if (o == NULL)
        return fail_nomem(err);
    if ((r = mant_validate_money(in, o, err)) != BF_OK ||
        (r = mant_validate_needs(in, o, err)) != BF_OK ||
        (r = mant_validate_time(in, o, err)) != BF_OK) {
        json_decref(o);
        return r;
    }
    *out = o;
    return BF_OK;
}

/* {"complete": missing is empty, "missing": missing}; steals missing. */
static json_t *mant_part(json_t *missing)
{
    if (missing == NULL)
        return NULL;
    return json_pack("{s:b, s:o}", "complete", json_array_size(missing) == 0, "missing", missing);
}

static json_t *mant_money(json_t *form)
{
    json_t *money = member(form, "money");
    json_t *missing = json_array();
    if (missing == NULL)
        return NULL;
    json_t *b = member(money, "budget");
    bool ok = true;
    if (!json_is_integer(b) || json_integer_value(b) <= 0)
        ok &= push_text(missing, "budget");
    if (member_text(money, "source") == NULL)
        ok &= push_text(missing, "source");
    if (!json_is_true(member(money, "approved")))
        ok &= push_text(missing, "approved");
    if (!json_is_true(member(money, "in_place")))
        ok &= push_text(missing, "in_place");
    if (!ok) {
        json_decref(missing);
        return NULL;
    }
    return mant_part(missing);
}

static json_t *mant_authority_part(const mant_authority *au)
{
    static const char *const keys[] = {"approvers", "decision_makers", "evaluators", "coaches"};
    const char *const *lists[4] = {NULL, NULL, NULL, NULL};
    if (au != NULL) {
        lists[0] = au->approvers;
        lists[1] = au->decision_makers;
        lists[2] = au->evaluators;
        lists[3] = au->coaches;
    }
    json_t *missing = json_array();
    json_t *part = mant_part(missing);
    if (part == NULL)
        return NULL;
    bool complete = true;
    for (size_t k = 0; k < 4; k++) {
        json_t *names = json_array();
        if (names == NULL || json_object_set_new(part, keys[k], names) != 0)
            goto nomem;
        for (size_t i = 0; lists[k] != NULL && lists[k][i] != NULL; i++) {
            if (lists[k][i][0] == '\0')
                continue;
            if (!push_text(names, lists[k][i]))
                goto nomem;
        }
        if (json_array_size(names) == 0) {
            complete = false;
            if (!push_text(missing, keys[k]))
                goto nomem;
        }
    }
    if (json_object_set_new(part, "complete", json_boolean(complete)) != 0)
        goto nomem;
    return part;
nomem:
    json_decref(part);
    return NULL;
}

static json_t *mant_needs(json_t *form)
{
    size_t count = 0, i;
    json_t *need;
    json_array_foreach(member(form, "needs"), i, need)
    {
        const char *s = json_string_value(need);
        if (s != NULL && s[0] != '\0')
            count++;
    }
    bool complete = count >= NEEDS_COMPLETE_MIN && count <= NEEDS_MAX;
    json_t *missing = complete ? json_array() : json_pack("[s]", "needs");
    return json_pack("{s:b, s:o, s:I}", "complete", complete, "missing", missing, "count",
                     (json_int_t)count);
}

static json_t *mant_time(json_t *form)
{
    json_t *time = member(form, "time");
    json_t *missing = json_array();
    if (missing == NULL)
        return NULL;
    bool ok = true;
    if (member_text(time, "tender_month") == NULL)
        ok &= push_text(missing, "tender_month");
    if (member_text(time, "go_live") == NULL)
        ok &= push_text(missing, "go_live");
    if (!ok) {
        json_decref(missing);
        return NULL;
    }
    return mant_part(missing);
}

json_t *mant_evaluate(json_t *form, const mant_authority *authority)
{
    json_t *parts = json_pack("{s:o, s:o, s:o, s:o}", "money", mant_money(form), "authority",
                              mant_authority_part(authority), "needs", mant_needs(form), "time",
                              mant_time(form));
    if (parts == NULL)
        return NULL;
    bool complete = true;
    const char *key;
    json_t *part;
    json_object_foreach(parts, key, part)
    {
        complete &= json_is_true(json_object_get(part, "complete"));
    }
    return json_pack("{s:b, s:o}", "complete", complete, "parts", parts);
}

/* ---- 5W+2P ---- */

/* The seven questions of seed 001, in its order, in bingfa's words. */
static const struct w5p2_question {
    const char *id, *zh, *en;
} w5p2_questions[] = {
    {"motive", "动机：他们为什么需要（或想要）建设新系统？",
     "Motive: why do they need, or want, a new system?"},
    {"decision_maker", "决策人：谁是决策人？他本人想要吗？",
     "Decision maker: who decides, and does he want it?"},
    {"process", "决策过程：如何决策？哪些因素会左右决策？",
     "Process: how will they decide, and what weighs on the decision?"},
    {"needs", "需求：需求是什么？", "Needs: what do they need?"},
    {"competitors", "竞争对手：谁在和我们竞争？", "Competitors: who are we up against?"},
    {"budget", "预算：有资金计划吗？预算大约多少？",
     "Budget: is there a funding plan, and roughly how much?"},
    {"timetable", "时间表：上线时间有计划吗？", "Timetable: is there a planned go-live date?"},
};

#define W5P2_TOTAL (sizeof(w5p2_questions) / sizeof(w5p2_questions[0]))

bf_result w5p2_validate(json_t *in, json_t **out, bf_error *err)
{
    static const char *const keys[] = {"motive",      "decision_maker", "process",   "needs",
                                       "competitors", "budget",         "timetable", NULL};
    *out = NULL;
    bf_result r;
    if ((r = want_fields(in, "", keys, err)) != BF_OK)
        return r;
    json_t *o = json_object();
    if (o == NULL)
        return fail_nomem(err);
    for (size_t i = 0; i < W5P2_TOTAL; i++) {
        if ((r = copy_optional_text(in, o, w5p2_questions[i].id, "", NOTE_MAX_CHARS, err)) !=
            BF_OK) {
            json_decref(o);
            return r;
        }
    }
    *out = o;
    return BF_OK;
}

json_t *w5p2_evaluate(json_t *form)
{
    json_t *questions = json_array();
    if (questions == NULL)
        return NULL;
    json_int_t answered = 0;
    for (size_t i = 0; i < W5P2_TOTAL; i++) {
        const struct w5p2_question *q = &w5p2_questions[i];
        const char *answer = member_text(form, q->id);
        answered += answer != NULL;
        if (json_array_append_new(questions,
                                  json_pack("{s:s, s:o, s:s?}", "id", q->id, "question",
                                            text_pair(q->zh, q->en), "answer", answer)) != 0) {
            json_decref(questions);
            return NULL;
        }
    }
    return json_pack("{s:I, s:I, s:b, s:o}", "answered", answered, "total", (json_int_t)W5P2_TOTAL,
                     "complete", answered == (json_int_t)W5P2_TOTAL, "questions", questions);
}

/* ---- compelling event ---- */

/* True when s holds a digit, ASCII or full-width (０–９, U+FF10–FF19). */
static bool text_has_digit(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= '0' && *p <= '9')
            return true;
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99)
            return true;
    }
    return false;
}

bf_result ce_validate(json_t *in, json_t **out, bf_error *err)
{
    static const char *const keys[] = {"what", "by_when", "consequence", NULL};
    *out = NULL;
    bf_result r;
    if ((r = want_fields(in, "", keys, err)) != BF_OK)
        return r;
    json_t *o = json_object();
    if (o == NULL)
        return fail_nomem(err);
    if ((r = copy_optional_text(in, o, "what", "", 500, err)) != BF_OK ||
        (r = copy_optional_date(in, o, "by_when", "", err)) != BF_OK ||
        (r = copy_optional_text(in, o, "consequence", "", NOTE_MAX_CHARS, err)) != BF_OK)
        goto fail;
    const char *c = member_text(o, "consequence");
    if (c != NULL && !text_has_digit(c)) {
        r = bf_fail(err, BF_ERR_INVALID, "not_measurable", "consequence",
                    "consequence must be measurable: state it with a figure - an amount, a date "
                    "or a count (e.g. 'each week of delay costs the developer 200000 yuan in "
                    "rent')");
        goto fail;
    }
    *out = o;
    return BF_OK;
fail:
    json_decref(o);
    return r;
}

json_t *ce_evaluate(json_t *form, bool required_now)
{
    json_t *missing = json_array();
    if (missing == NULL)
        return NULL;
    bool ok = true;
    if (member_text(form, "what") == NULL)
        ok &= push_text(missing, "what");
    if (member_text(form, "by_when") == NULL)
        ok &= push_text(missing, "by_when");
    const char *c = member_text(form, "consequence");
    if (c == NULL || !text_has_digit(c))
        ok &= push_text(missing, "consequence");
    if (!ok) {
        json_decref(missing);
        return NULL;
    }
    bool complete = json_array_size(missing) == 0;
    bool flag = required_now && !complete;
    json_t *text;
    if (complete)
        text = text_pair("强迫事件已明确：客户有不得不做这个项目的理由，且后果可衡量。",
                         "The compelling event is clear: the customer has a measurable reason "
                         "it must do this project.");
    else if (flag)
        text = text_pair("本阶段必须明确强迫事件（CE）：请补齐缺少的内容，否则项目的真实性存疑。",
                         "This stage needs a compelling event (CE): fill in what is missing, or "
                         "doubt that the project is real.");
    else
        text = text_pair("强迫事件尚不完整：尽早弄清客户不得不做这个项目的理由，以及不做的可衡量"
                         "后果。",
                         "The compelling event is not complete yet: find out early why the "
                         "customer must do this project and what not doing it would cost.");
    return json_pack("{s:b, s:o, s:b, s:b, s:o}", "complete", complete, "missing", missing,
                     "required_now", required_now, "flag", flag, "text", text);
}
