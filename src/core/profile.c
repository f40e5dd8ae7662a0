/* Target-customer profile score (see profile.h).
 *
 * Every factor turns the account's facts into 0..100 points under its rule;
 * the score in hundredths of a point is Σ weight × points, exact because both
 * are integers and the weights sum to 100. Rules are validated once at the
 * boundary (profile_rules_validate); profile_evaluate trusts them. */
#include "core/profile.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/json_check.h"
#include "core/text.h"

#define MONEY_MAX 1000000000000000LL /* same bound as the account's money fields */
#define NAME_MAX_CHARS 100
#define NOTE_MAX_CHARS 1000
#define SIGNALS_MAX 10
#define KEYWORDS_MAX 20
#define KEYWORD_MAX_CHARS 40
#define GRADES_MAX 10
#define GRADE_MAX_CHARS 8
#define PATH_CAP 96

const char *const profile_purchase_plans[] = {"within_6_months", "within_year", "later", "none",
                                              NULL};

static const char *const factor_ids[] = {
    "size", "ownership", "business_type", "existing_systems", "branches", "purchase_plan", NULL};
static const char *const ownerships[] = {"state_owned",   "restructured", "private", "foreign",
                                         "joint_venture", "government",   "other",   NULL};
static const char *const business_types[] = {
    "distribution", "manufacture_sale", "processing", "service", "other", NULL};
static const char *const size_point_keys[] = {"employees", "revenue", "gross_profit", NULL};
static const char *const branch_keys[] = {"with", "without", NULL};

/* What a fact's value means to a salesperson, in both languages. */
typedef struct label {
    const char *value;
    const char *zh;
    const char *en;
} label;

static const label ownership_labels[] = {
    {"private", "私营企业，是我们的重点目标客户", "private company, our key target"},
    {"foreign", "外资企业，利润率高、专业性强，在国内设有工厂或子公司者最佳",
     "foreign-owned company: high margins and specialised, best with plants or subsidiaries in "
     "China"},
    {"joint_venture", "合资企业", "joint venture"},
    {"state_owned", "国有企业", "state-owned enterprise"},
    {"government", "政府或事业单位", "government or public institution"},
    {"restructured", "国企改制企业：除非严格按现代企业制度运作，否则慎重合作",
     "restructured state enterprise: work with it only if it runs on modern management rules"},
    {"other", "其他性质企业", "other ownership"},
    {NULL, NULL, NULL},
};

static const label business_labels[] = {
    {"distribution", "商品流通型（分销批发）：业务频繁、往来区域广、与厂商关系密切",
     "distribution/wholesale: frequent business over a wide area, close ties to manufacturers"},
    {"manufacture_sale", "制造与销售一体化，按单生产者最佳",
     "makes and sells its own products; build-to-order is best"},
    {"processing", "加工型企业", "processing company"},
    {"service", "服务型企业", "service company"},
    {"other", "其他业务类型", "other business type"},
    {NULL, NULL, NULL},
};

/* Short names of the business types, for the size thresholds. */
static const label business_short[] = {
    {"distribution", "分销批发企业", "distribution"},
    {"manufacture_sale", "生产销售企业", "manufacturing and sales"},
    {"processing", "加工企业", "processing"},
    {"service", "服务企业", "service"},
    {"other", "其他企业", "other business"},
    {NULL, NULL, NULL},
};

static const label plan_labels[] = {
    {"within_6_months", "半年内有管理软件采购计划",
     "plans to buy management software within 6 months"},
    {"within_year", "一年内有管理软件采购计划", "plans to buy management software within a year"},
    {"later", "一年以后才可能采购", "may buy later than a year from now"},
    {"none", "近期没有采购计划", "no plan to buy"},
    {NULL, NULL, NULL},
};

static const label *label_find(const label *labels, const char *value)
{
    if (value == NULL)
        return NULL;
    for (size_t i = 0; labels[i].value; i++)
        if (strcmp(labels[i].value, value) == 0)
            return &labels[i];
    return NULL;
}

/* ---- the default rules ---- */

static const char default_rules_text[] =
    "{\"factors\": ["
    "{\"id\": \"size\", \"name\": {\"zh\": \"企业规模\", \"en\": \"Company size\"}, \"weight\": 25,"
    " \"employees_min\": {\"distribution\": 20, \"manufacture_sale\": 50, \"processing\": 50,"
    " \"service\": 50, \"other\": 50},"
    " \"revenue_min\": 2000000000, \"gross_profit_min\": 300000000,"
    " \"points\": {\"employees\": 40, \"revenue\": 30, \"gross_profit\": 30}},"
    "{\"id\": \"ownership\", \"name\": {\"zh\": \"企业性质\", \"en\": \"Ownership\"},"
    " \"weight\": 15, \"points\": {\"private\": 100, \"foreign\": 80, \"joint_venture\": 70,"
    " \"state_owned\": 40, \"government\": 30, \"restructured\": 20, \"other\": 40}},"
    "{\"id\": \"business_type\", \"name\": {\"zh\": \"主营业务\", \"en\": \"Business type\"},"
    " \"weight\": 15, \"points\": {\"distribution\": 100, \"manufacture_sale\": 90,"
    " \"processing\": 60, \"service\": 40, \"other\": 30}},"
    "{\"id\": \"existing_systems\","
    " \"name\": {\"zh\": \"已用管理软件\", \"en\": \"Management software in use\"},"
    " \"weight\": 15, \"signals\": ["
    "{\"id\": \"finance\", \"name\": {\"zh\": \"财务软件\", \"en\": \"finance software\"},"
    " \"keywords\": [\"财务\", \"会计\", \"总账\", \"finance\", \"accounting\", \"erp\"],"
    " \"points\": 40},"
    "{\"id\": \"inventory\", \"name\": {\"zh\": \"进销存/ERP\", \"en\": \"inventory/ERP\"},"
    " \"keywords\": [\"进销存\", \"库存\", \"仓储\", \"inventory\", \"erp\"], \"points\": 40},"
    "{\"id\": \"crm\", \"name\": {\"zh\": \"CRM 系统\", \"en\": \"CRM\"},"
    " \"keywords\": [\"crm\", \"客户关系\", \"客户管理\"], \"points\": 20}]},"
    "{\"id\": \"branches\", \"name\": {\"zh\": \"分支机构\", \"en\": \"Branches\"},"
    " \"weight\": 10, \"points\": {\"with\": 100, \"without\": 30}},"
    "{\"id\": \"purchase_plan\","
    " \"name\": {\"zh\": \"近期采购计划\", \"en\": \"Near-term purchase plan\"},"
    " \"weight\": 20, \"points\": {\"within_6_months\": 100, \"within_year\": 70,"
    " \"later\": 30, \"none\": 0}}],"
    "\"grades\": [{\"grade\": \"A\", \"min\": 80}, {\"grade\": \"B\", \"min\": 60},"
    " {\"grade\": \"C\", \"min\": 40}, {\"grade\": \"D\", \"min\": 0}]}";

json_t *profile_default_rules(void)
{
    return json_loadb(default_rules_text, sizeof(default_rules_text) - 1, 0, NULL);
}

/* ---- validation helpers ---- */

/* out = "path.key" (or key at the top level). */
static void path_join(char *out, const char *path, const char *key)
{
    json_check_path_key(out, PATH_CAP, path, key);
}

static bf_result need_object(json_t *v, const char *path, bf_error *err)
{
    if (!path[0] && !json_is_object(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "", "the body must be an object");
    return json_check_object(v, path, err);
}

static bf_result check_keys(json_t *obj, const char *const *allowed, const char *path,
                            bf_error *err)
{
    return json_check_keys(obj, allowed, path, "is not a known field", err);
}

/* Fails unless v is an object whose keys are all in allowed (NULL-ended). */
static bf_result need_fields(json_t *v, const char *path, const char *const *allowed, bf_error *err)
{
    bf_result r = need_object(v, path, err);
    return r != BF_OK ? r : check_keys(v, allowed, path, err);
}

/* The member key of obj, which must be present and not null. */
static bf_result get_member(json_t *obj, const char *key, const char *path, json_t **out,
                            bf_error *err)
{
    *out = json_object_get(obj, key);
    char f[PATH_CAP];
    path_join(f, path, key);
    return json_check_required(*out, f, err);
}

static bf_result get_int(json_t *obj, const char *key, const char *path, long long min,
                         long long max, long long *out, bf_error *err)
{
    json_t *v;
    bf_result r = get_member(obj, key, path, &v, err);
    if (r != BF_OK)
        return r;
    char f[PATH_CAP];
    path_join(f, path, key);
    return json_check_int(v, f, min, max, out, err);
}

static bf_result get_string(json_t *obj, const char *key, const char *path, size_t max_chars,
                            const char **out, bf_error *err)
{
    json_t *v;
    bf_result r = get_member(obj, key, path, &v, err);
    if (r != BF_OK)
        return r;
    char f[PATH_CAP];
    path_join(f, path, key);
    if ((r = json_check_text(v, f, max_chars, err)) != BF_OK)
        return r;
    *out = json_string_value(v);
    return BF_OK;
}

/* A bilingual name {"zh": …, "en": …} at path.key. */
static bf_result get_name(json_t *obj, const char *key, const char *path, bf_error *err)
{
    static const char *const langs[] = {"zh", "en", NULL};
    json_t *v;
    bf_result r = get_member(obj, key, path, &v, err);
    if (r != BF_OK)
        return r;
    char f[PATH_CAP];
    path_join(f, path, key);
    if ((r = need_fields(v, f, langs, err)) != BF_OK)
        return r;
    const char *s;
    for (size_t i = 0; langs[i]; i++)
        if ((r = get_string(v, langs[i], f, NAME_MAX_CHARS, &s, err)) != BF_OK)
            return r;
    return BF_OK;
}

/* path.key is an object with exactly the keys and integer values min..max. */
static bf_result get_int_map(json_t *obj, const char *key, const char *path,
                             const char *const *keys, long long min, long long max, bf_error *err)
{
    json_t *v;
    bf_result r = get_member(obj, key, path, &v, err);
    if (r != BF_OK)
        return r;
    char f[PATH_CAP];
    path_join(f, path, key);
    if ((r = need_fields(v, f, keys, err)) != BF_OK)
        return r;
    long long n;
    for (size_t i = 0; keys[i]; i++)
        if ((r = get_int(v, keys[i], f, min, max, &n, err)) != BF_OK)
            return r;
    return BF_OK;
}

/* An array at path.key with min..max items. */
static bf_result get_array(json_t *obj, const char *key, const char *path, size_t min, size_t max,
                           json_t **out, bf_error *err)
{
    bf_result r = get_member(obj, key, path, out, err);
    if (r != BF_OK)
        return r;
    char f[PATH_CAP];
    path_join(f, path, key);
    if (!json_is_array(*out))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", f, "%s must be an array", f);
    if (json_array_size(*out) < min)
        return bf_fail(err, BF_ERR_INVALID, "too_few", f, "%s needs at least %zu items", f, min);
    if (json_array_size(*out) > max)
        return bf_fail(err, BF_ERR_INVALID, "too_many", f, "%s has more than %zu items", f, max);
    return BF_OK;
}

/* ---- rules validation ---- */

static bf_result validate_signals(json_t *factor, const char *path, bf_error *err)
{
    static const char *const keys[] = {"id", "name", "keywords", "points", NULL};
    json_t *signals;
    bf_result r = get_array(factor, "signals", path, 1, SIGNALS_MAX, &signals, err);
    if (r != BF_OK)
        return r;
    size_t i;
    json_t *s;
    json_array_foreach(signals, i, s)
    {
        char p[PATH_CAP];
        snprintf(p, sizeof(p), "%.60s.signals[%zu]", path, i);
        if ((r = need_fields(s, p, keys, err)) != BF_OK)
            return r;
        const char *id;
        char f[PATH_CAP];
        path_join(f, p, "id");
        if ((r = get_string(s, "id", p, 40, &id, err)) != BF_OK)
            return r;
        if (!json_check_id_valid(id))
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", f,
                           "%s must be lowercase letters, digits, '_' or '-'", f);
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_object_get(json_array_get(signals, k), "id")), id) ==
                0)
                return bf_fail(err, BF_ERR_INVALID, "duplicate", f, "%s repeats signal %s", f, id);
        if ((r = get_name(s, "name", p, err)) != BF_OK)
            return r;
        json_t *kws;
        if ((r = get_array(s, "keywords", p, 1, KEYWORDS_MAX, &kws, err)) != BF_OK)
            return r;
        size_t k;
        json_t *kw;
        json_array_foreach(kws, k, kw)
        {
            snprintf(f, sizeof(f), "%.60s.keywords[%zu]", p, k);
            if ((r = json_check_text(kw, f, KEYWORD_MAX_CHARS, err)) != BF_OK)
                return r;
        }
        long long points;
        if ((r = get_int(s, "points", p, 0, 100, &points, err)) != BF_OK)
            return r;
    }
    return BF_OK;
}

static bf_result validate_factor(json_t *factors, size_t i, long long *weight, bf_error *err)
{
    static const char *const size_keys[] = {
        "id", "name", "weight", "employees_min", "revenue_min", "gross_profit_min", "points", NULL};
    static const char *const system_keys[] = {"id", "name", "weight", "signals", NULL};
    static const char *const plain_keys[] = {"id", "name", "weight", "points", NULL};
    json_t *factor = json_array_get(factors, i);
    char p[PATH_CAP];
    snprintf(p, sizeof(p), "factors[%zu]", i);
    bf_result r = need_object(factor, p, err);
    if (r != BF_OK)
        return r;
    const char *id;
    if ((r = get_string(factor, "id", p, 40, &id, err)) != BF_OK)
        return r;
    char f[PATH_CAP];
    path_join(f, p, "id");
    if (!json_check_one_of(id, factor_ids))
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", f,
                       "%s must be one of: size, ownership, business_type, existing_systems, "
                       "branches, purchase_plan",
                       f);
    for (size_t k = 0; k < i; k++)
        if (strcmp(json_string_value(json_object_get(json_array_get(factors, k), "id")), id) == 0)
            return bf_fail(err, BF_ERR_INVALID, "duplicate", f, "%s repeats factor %s", f, id);
    bool is_size = strcmp(id, "size") == 0;
    bool is_systems = strcmp(id, "existing_systems") == 0;
    const char *const *keys = is_size ? size_keys : is_systems ? system_keys : plain_keys;
    if ((r = check_keys(factor, keys, p, err)) != BF_OK)
        return r;
    if ((r = get_name(factor, "name", p, err)) != BF_OK)
        return r;
    if ((r = get_int(factor, "weight", p, 1, 100, weight, err)) != BF_OK)
        return r;
    if (is_systems)
        return validate_signals(factor, p, err);
    if (is_size) {
        long long n;
        if ((r = get_int_map(factor, "employees_min", p, business_types, 0, 10000000, err)) !=
                BF_OK ||
            (r = get_int(factor, "revenue_min", p, 0, MONEY_MAX, &n, err)) != BF_OK ||
            (r = get_int(factor, "gross_profit_min", p, 0, MONEY_MAX, &n, err)) != BF_OK ||
            (r = get_int_map(factor, "points", p, size_point_keys, 0, 100, err)) != BF_OK)
            return r;
        json_t *pts = json_object_get(factor, "points");
        long long sum = 0;
        for (size_t k = 0; size_point_keys[k]; k++)
            sum += json_integer_value(json_object_get(pts, size_point_keys[k]));
        if (sum != 100) {
            path_join(f, p, "points");
            return bf_fail(err, BF_ERR_INVALID, "points_sum", f, "%s must add up to 100, not %lld",
                           f, sum);
        }
        return BF_OK;
    }
    const char *const *point_keys = strcmp(id, "ownership") == 0       ? ownerships
                                    : strcmp(id, "business_type") == 0 ? business_types
                                    : strcmp(id, "branches") == 0      ? branch_keys
                                                                       : profile_purchase_plans;
    return get_int_map(factor, "points", p, point_keys, 0, 100, err);
}

static bf_result validate_grades(json_t *rules, bf_error *err)
{
    static const char *const keys[] = {"grade", "min", NULL};
    json_t *grades;
    bf_result r = get_array(rules, "grades", "", 1, GRADES_MAX, &grades, err);
    if (r != BF_OK)
        return r;
    long long prev = 101;
    size_t i;
    json_t *g;
    json_array_foreach(grades, i, g)
    {
        char p[PATH_CAP], f[PATH_CAP];
        r = json_check_item(g, "grades", i, keys, "is not a known field", p, sizeof(p), err);
        if (r != BF_OK)
            return r;
        const char *name;
        if ((r = get_string(g, "grade", p, GRADE_MAX_CHARS, &name, err)) != BF_OK)
            return r;
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_object_get(json_array_get(grades, k), "grade")),
                       name) == 0) {
                path_join(f, p, "grade");
                return bf_fail(err, BF_ERR_INVALID, "duplicate", f, "%s repeats grade %s", f, name);
            }
        long long min;
        if ((r = get_int(g, "min", p, 0, 100, &min, err)) != BF_OK)
            return r;
        path_join(f, p, "min");
        if (min >= prev)
            return bf_fail(err, BF_ERR_INVALID, "not_descending", f,
                           "%s must be below the previous grade's minimum %lld", f, prev);
        prev = min;
        if (i + 1 == json_array_size(grades) && min != 0)
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", f,
                           "%s must be 0: the last grade takes every remaining score", f);
    }
    return BF_OK;
}

bf_result profile_rules_validate(json_t *rules, bf_error *err)
{
    static const char *const keys[] = {"factors", "grades", NULL};
    bf_result r = need_fields(rules, "", keys, err);
    if (r != BF_OK)
        return r;
    json_t *factors;
    if ((r = get_array(rules, "factors", "", 1, 6, &factors, err)) != BF_OK)
        return r;
    long long sum = 0;
    for (size_t i = 0; i < json_array_size(factors); i++) {
        long long w;
        if ((r = validate_factor(factors, i, &w, err)) != BF_OK)
            return r;
        sum += w;
    }
    if (sum != 100)
        return bf_fail(err, BF_ERR_INVALID, "weights_sum", "factors",
                       "the factor weights must add up to 100, not %lld", sum);
    return validate_grades(rules, err);
}

bf_result profile_form_validate(json_t *in, json_t **out, bf_error *err)
{
    static const char *const keys[] = {"purchase_plan", "note", NULL};
    *out = NULL;
    bf_result r = need_fields(in, "", keys, err);
    if (r != BF_OK)
        return r;
    const char *plan;
    if ((r = get_string(in, "purchase_plan", "", 40, &plan, err)) != BF_OK)
        return r;
    if (!json_check_one_of(plan, profile_purchase_plans))
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", "purchase_plan",
                       "purchase_plan must be one of: within_6_months, within_year, later, none");
    json_t *note = json_object_get(in, "note");
    if (note != NULL && json_is_null(note))
        note = NULL;
    if (note != NULL) {
        if (!json_is_string(note))
            return bf_fail(err, BF_ERR_INVALID, "wrong_type", "note", "note must be a string");
        const char *s = json_string_value(note);
        size_t len = json_string_length(note);
        if (memchr(s, '\0', len) != NULL)
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", "note",
                           "note must not contain NUL characters");
        if (text_utf8_length(s, len) > NOTE_MAX_CHARS)
            return bf_fail(err, BF_ERR_INVALID, "too_long", "note",
                           "note has more than %d characters", NOTE_MAX_CHARS);
    }
    json_t *o = json_object();
    if (o == NULL || json_object_set_new(o, "purchase_plan", json_string(plan)) != 0 ||
        (note != NULL && json_object_set_new(o, "note", json_copy(note)) != 0)) {
        json_decref(o);
        return bf_fail(err, BF_ERR_NOMEM, NULL, "", "out of memory");
    }
    *out = o;
    return BF_OK;
}

/* ---- evaluation ---- */

/* A reason being written in both languages; overflow truncates. */
typedef struct reason {
    char zh[768];
    char en[768];
} reason;

static void append(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
}

/* fen as Chinese text: "2500万元", "1234元", "12.50元". */
static void money_zh(long long fen, char *out, size_t cap)
{
    if (fen % 1000000 == 0)
        snprintf(out, cap, "%lld万元", fen / 1000000);
    else if (fen % 100 == 0)
        snprintf(out, cap, "%lld元", fen / 100);
    else
        snprintf(out, cap, "%lld.%02lld元", fen / 100, fen % 100);
}

/* fen as English text: "CNY 25,000,000", "CNY 12.50". */
static void money_en(long long fen, char *out, size_t cap)
{
    char digits[32], grouped[48];
    snprintf(digits, sizeof(digits), "%lld", fen / 100);
    size_t n = strlen(digits), k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            grouped[k++] = ',';
        grouped[k++] = digits[i];
    }
    grouped[k] = '\0';
    if (fen % 100)
        snprintf(out, cap, "CNY %s.%02lld", grouped, fen % 100);
    else
        snprintf(out, cap, "CNY %s", grouped);
}

static int map_int(json_t *factor, const char *map, const char *key)
{
    return (int)json_integer_value(json_object_get(json_object_get(factor, map), key));
}

/* One money part of the size factor: met when value >= min. */
static int size_money_part(reason *rs, const char *zh_name, const char *en_name, long long value,
                           long long min, int points, bool *unknown)
{
    char zmin[64], emin[64];
    money_zh(min, zmin, sizeof(zmin));
    money_en(min, emin, sizeof(emin));
    if (value < 0) {
        *unknown = true;
        append(rs->zh, sizeof(rs->zh), "；%s未知（门槛 %s）+0", zh_name, zmin);
        append(rs->en, sizeof(rs->en), "; %s unknown (threshold %s) +0", en_name, emin);
        return 0;
    }
    char zv[64], ev[64];
    money_zh(value, zv, sizeof(zv));
    money_en(value, ev, sizeof(ev));
    bool met = value >= min;
    append(rs->zh, sizeof(rs->zh), "；%s %s（门槛 %s）：%s +%d", zh_name, zv, zmin,
           met ? "达标" : "未达标", met ? points : 0);
    append(rs->en, sizeof(rs->en), "; %s %s (threshold %s): %s +%d", en_name, ev, emin,
           met ? "met" : "not met", met ? points : 0);
    return met ? points : 0;
}

static int score_size(const profile_facts *fa, json_t *factor, reason *rs, bool *unknown)
{
    const char *bt = fa->business_type && json_check_one_of(fa->business_type, business_types)
                         ? fa->business_type
                         : "other";
    const label *shortl = label_find(business_short, bt);
    long long emp_min = map_int(factor, "employees_min", bt);
    int points = 0;
    if (fa->employees < 0) {
        *unknown = true;
        append(rs->zh, sizeof(rs->zh), "人员规模未知（%s门槛 %lld 人）+0", shortl->zh, emp_min);
        append(rs->en, sizeof(rs->en), "employees unknown (threshold %lld for %s) +0", emp_min,
               shortl->en);
    } else {
        bool met = fa->employees >= emp_min;
        int p = met ? map_int(factor, "points", "employees") : 0;
        append(rs->zh, sizeof(rs->zh), "人员 %lld 人（%s门槛 %lld 人）：%s +%d", fa->employees,
               shortl->zh, emp_min, met ? "达标" : "未达标", p);
        append(rs->en, sizeof(rs->en), "%lld employees (threshold %lld for %s): %s +%d",
               fa->employees, emp_min, shortl->en, met ? "met" : "not met", p);
        points += p;
    }
    if (fa->business_type == NULL || !json_check_one_of(fa->business_type, business_types)) {
        append(rs->zh, sizeof(rs->zh), "（业务类型未知，按其他企业门槛）");
        append(rs->en, sizeof(rs->en), " (business type unknown: the threshold for other)");
    }
    json_t *pts = json_object_get(factor, "points");
    points += size_money_part(rs, "上年度销售额", "last year's sales", fa->annual_revenue,
                              json_integer_value(json_object_get(factor, "revenue_min")),
                              (int)json_integer_value(json_object_get(pts, "revenue")), unknown);
    points +=
        size_money_part(rs, "年毛利", "gross profit", fa->gross_profit,
                        json_integer_value(json_object_get(factor, "gross_profit_min")),
                        (int)json_integer_value(json_object_get(pts, "gross_profit")), unknown);
    return points;
}

/* A factor scored by looking the fact up in its points map. */
static int score_choice(const char *value, json_t *factor, const label *labels, const char *zh_what,
                        const char *en_what, reason *rs, bool *unknown)
{
    const label *l = label_find(labels, value);
    json_t *p = l ? json_object_get(json_object_get(factor, "points"), value) : NULL;
    if (p == NULL) {
        *unknown = true;
        snprintf(rs->zh, sizeof(rs->zh), "%s未知，记 0 分", zh_what);
        snprintf(rs->en, sizeof(rs->en), "%s unknown, scored 0", en_what);
        return 0;
    }
    snprintf(rs->zh, sizeof(rs->zh), "%s", l->zh);
    snprintf(rs->en, sizeof(rs->en), "%s", l->en);
    return (int)json_integer_value(p);
}

static bool ascii_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* True when kw occurs in text, ASCII letters compared without case. A
 * keyword edge that is an ASCII letter or digit must meet a word boundary,
 * so "erp" matches "ERP系统" but not "enterprise". UTF-8 is self-
 * synchronising, so byte matching never starts inside a character. */
static bool keyword_in(const char *text, const char *kw)
{
    size_t n = strlen(text), m = strlen(kw);
    if (m == 0 || m > n)
        return false;
    const unsigned char *t = (const unsigned char *)text, *k = (const unsigned char *)kw;
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && ascii_lower(t[i + j]) == ascii_lower(k[j]))
            j++;
        if (j < m)
            continue;
        if (ascii_alnum(k[0]) && i > 0 && ascii_alnum(t[i - 1]))
            continue;
        if (ascii_alnum(k[m - 1]) && i + m < n && ascii_alnum(t[i + m]))
            continue;
        return true;
    }
    return false;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static int score_systems(const char *text, json_t *factor, reason *rs, bool *unknown)
{
    if (text == NULL || blank(text)) {
        *unknown = true;
        snprintf(rs->zh, sizeof(rs->zh), "已用管理软件情况未知，记 0 分");
        snprintf(rs->en, sizeof(rs->en), "software in use unknown, scored 0");
        return 0;
    }
    int points = 0, found = 0;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(factor, "signals"), i, s)
    {
        json_t *kws = json_object_get(s, "keywords");
        size_t k;
        json_t *kw;
        bool hit = false;
        json_array_foreach(kws, k, kw)
        {
            if (keyword_in(text, json_string_value(kw))) {
                hit = true;
                break;
            }
        }
        if (!hit)
            continue;
        int p = (int)json_integer_value(json_object_get(s, "points"));
        json_t *name = json_object_get(s, "name");
        append(rs->zh, sizeof(rs->zh), "%s%s +%d", found ? "、" : "已在使用：",
               json_string_value(json_object_get(name, "zh")), p);
        append(rs->en, sizeof(rs->en), "%s%s +%d",
               found ? ", " : "in use: ", json_string_value(json_object_get(name, "en")), p);
        points += p;
        found++;
    }
    if (found == 0) {
        snprintf(rs->zh, sizeof(rs->zh), "未识别出已在使用的管理软件");
        snprintf(rs->en, sizeof(rs->en), "no management software recognised in use");
    }
    if (points > 100) {
        points = 100;
        append(rs->zh, sizeof(rs->zh), "（封顶 100 分）");
        append(rs->en, sizeof(rs->en), " (capped at 100)");
    }
    return points;
}

static int score_branches(long long branches, json_t *factor, reason *rs, bool *unknown)
{
    if (branches < 0) {
        *unknown = true;
        snprintf(rs->zh, sizeof(rs->zh), "分支机构情况未知，记 0 分");
        snprintf(rs->en, sizeof(rs->en), "branches unknown, scored 0");
        return 0;
    }
    if (branches == 0) {
        snprintf(rs->zh, sizeof(rs->zh), "无分支机构");
        snprintf(rs->en, sizeof(rs->en), "no branches");
        return map_int(factor, "points", "without");
    }
    snprintf(rs->zh, sizeof(rs->zh), "有 %lld 个分支机构", branches);
    snprintf(rs->en, sizeof(rs->en), "%lld branch%s", branches, branches == 1 ? "" : "es");
    return map_int(factor, "points", "with");
}

static json_t *bilingual(const char *zh, const char *en)
{
    return json_pack("{s:s, s:s}", "zh", zh, "en", en);
}

json_t *profile_evaluate(const profile_facts *facts, json_t *rules)
{
    json_t *own = NULL;
    if (rules == NULL && (rules = own = profile_default_rules()) == NULL)
        return NULL;
    json_t *out = json_object(), *list = json_array(), *unknown = json_array();
    bool ok = out && list && unknown;
    int hundredths = 0;
    size_t i;
    json_t *factor;
    json_array_foreach(json_object_get(rules, "factors"), i, factor)
    {
        if (!ok)
            break;
        const char *id = json_string_value(json_object_get(factor, "id"));
        int weight = (int)json_integer_value(json_object_get(factor, "weight"));
        reason rs = {"", ""};
        bool missing = false;
        int points;
        if (strcmp(id, "size") == 0)
            points = score_size(facts, factor, &rs, &missing);
        else if (strcmp(id, "ownership") == 0)
            points = score_choice(facts->ownership, factor, ownership_labels, "企业性质",
                                  "ownership", &rs, &missing);
        else if (strcmp(id, "business_type") == 0)
            points = score_choice(facts->business_type, factor, business_labels, "主营业务",
                                  "business type", &rs, &missing);
        else if (strcmp(id, "existing_systems") == 0)
            points = score_systems(facts->existing_systems, factor, &rs, &missing);
        else if (strcmp(id, "branches") == 0)
            points = score_branches(facts->branches, factor, &rs, &missing);
        else
            points = score_choice(facts->purchase_plan, factor, plan_labels, "近期采购计划",
                                  "purchase plan", &rs, &missing);
        hundredths += weight * points;
        json_t *item = json_pack("{s:s, s:O, s:i, s:i, s:o}", "id", id, "name",
                                 json_object_get(factor, "name"), "weight", weight, "points",
                                 points, "reason", bilingual(rs.zh, rs.en));
        ok = json_array_append_new(list, item) == 0;
        if (ok && missing)
            ok = json_array_append_new(unknown, json_string(id)) == 0;
    }
    const char *grade = "";
    json_array_foreach(json_object_get(rules, "grades"), i, factor)
    {
        if (hundredths >= 100 * json_integer_value(json_object_get(factor, "min"))) {
            grade = json_string_value(json_object_get(factor, "grade"));
            break;
        }
    }
    char value[16];
    snprintf(value, sizeof(value), "%d.%02d", hundredths / 100, hundredths % 100);
    ok = ok &&
         json_object_set_new(out, "score",
                             json_pack("{s:s, s:i}", "value", value, "hundredths", hundredths)) ==
             0 &&
         json_object_set_new(out, "grade", json_string(grade)) == 0;
    ok = ok && json_object_set(out, "factors", list) == 0 &&
         json_object_set(out, "unknown", unknown) == 0;
    json_decref(list);
    json_decref(unknown);
    json_decref(own);
    if (!ok) {
        json_decref(out);
        return NULL;
    }
    return out;
}
