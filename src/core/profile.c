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

#include "core/schema.h"
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

/* ---- rules validation ---- */

static const schema int_0_100 = {.kind = SCHEMA_INT, .max = 100};
static const schema employees_min = {.kind = SCHEMA_INT, .max = 10000000};
static const schema keyword = {.kind = SCHEMA_TEXT, .max = KEYWORD_MAX_CHARS};

static const schema signal_members[] = {
    {.name = "id", .kind = SCHEMA_ID, .flags = SCHEMA_REQUIRED},
    {.name = "name", .ref = &schema_text_pair, .flags = SCHEMA_REQUIRED},
    {.name = "keywords",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = KEYWORDS_MAX,
     .item = &keyword,
     .doc = "Words in the account's existing systems that show the signal"},
    {.name = "points", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .max = 100},
    {0},
};

static const schema signal_schema = {.kind = SCHEMA_OBJECT, .members = signal_members};

static const schema factor_members[] = {
    {.name = "id", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = factor_ids},
    {.name = "name", .ref = &schema_text_pair, .flags = SCHEMA_REQUIRED},
    {.name = "weight", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .min = 1, .max = 100},
    {.name = "employees_min",
     .kind = SCHEMA_MAP,
     .max = 20,
     .item = &employees_min,
     .doc = "size: least employees per business type"},
    {.name = "revenue_min",
     .kind = SCHEMA_INT,
     .max = MONEY_MAX,
     .doc = "size: least sales of last year, fen"},
    {.name = "gross_profit_min",
     .kind = SCHEMA_INT,
     .max = MONEY_MAX,
     .doc = "size: least gross profit, fen"},
    {.name = "points",
     .kind = SCHEMA_MAP,
     .max = 20,
     .item = &int_0_100,
     .doc = "Points 0..100 per value of the fact (size: per measure, summing to 100)"},
    {.name = "signals",
     .kind = SCHEMA_ARRAY,
     .max = SIGNALS_MAX,
     .item = &signal_schema,
     .doc = "existing_systems: the signals looked for"},
    {0},
};

static const schema factor_schema = {.kind = SCHEMA_OBJECT, .members = factor_members};

static const schema grade_members[] = {
    {.name = "grade", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .max = GRADE_MAX_CHARS},
    {.name = "min", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .max = 100},
    {0},
};

static const schema grade_schema = {.kind = SCHEMA_OBJECT, .members = grade_members};

static const schema rules_members[] = {
    {.name = "factors",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = 6,
     .item = &factor_schema,
     .doc = "The six factors, weights summing to 100"},
    {.name = "grades",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = GRADES_MAX,
     .item = &grade_schema,
     .doc = "Grades by least score, descending, the last 0"},
    {0},
};

const schema profile_rules_schema = {
    .name = "ProfileRules",
    .kind = SCHEMA_OBJECT,
    .members = rules_members,
    .doc = "Target customer profile rules: the six factors and the grades"};

static const schema form_members[] = {
    {.name = "purchase_plan",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = profile_purchase_plans,
     .doc = "When the account plans to buy"},
    {.name = "note", .kind = SCHEMA_TEXT, .max = NOTE_MAX_CHARS},
    {0},
};

const schema profile_form_schema = {.name = "ProfileForm",
                                    .kind = SCHEMA_OBJECT,
                                    .members = form_members,
                                    .doc = "The target customer profile form"};

/* The members a factor of id takes beside id, name and weight, and the keys
 * of its points (NULL: none). */
typedef struct factor_shape {
    const char *id;
    const char *const *members;
    const char *const *point_keys;
} factor_shape;

static const char *const size_members[] = {"employees_min", "revenue_min", "gross_profit_min",
                                           "points", NULL};
static const char *const systems_members[] = {"signals", NULL};
static const char *const points_only[] = {"points", NULL};

static const factor_shape factor_shapes[] = {
    {"size", size_members, size_point_keys},
    {"ownership", points_only, ownerships},
    {"business_type", points_only, business_types},
    {"existing_systems", systems_members, NULL},
    {"branches", points_only, branch_keys},
    {"purchase_plan", points_only, profile_purchase_plans},
};

/* The map at path holds exactly keys. */
static bf_result check_map_keys(json_t *map, const char *path, const char *const *keys,
                                bf_error *err)
{
    char f[PATH_CAP];
    const char *key;
    json_t *v;
    json_object_foreach(map, key, v)
    {
        if (!schema_one_of(key, keys)) {
            schema_path_key(f, sizeof(f), path, key);
            return bf_fail(err, BF_ERR_INVALID, "unknown_field", f, "%s is not a known field", f);
        }
    }
    for (size_t k = 0; keys[k]; k++) {
        if (json_object_get(map, keys[k]) == NULL) {
            schema_path_key(f, sizeof(f), path, keys[k]);
            return bf_fail(err, BF_ERR_INVALID, "required", f, "%s is required", f);
        }
    }
    return BF_OK;
}

/* The members of factor i follow its id; ids and signal ids are unique; size
 * points add up to 100. */
static bf_result check_factor(json_t *factors, size_t i, bf_error *err)
{
    json_t *f = json_array_get(factors, i);
    const char *id = json_string_value(json_object_get(f, "id"));
    char p[PATH_CAP], at[PATH_CAP];
    snprintf(p, sizeof(p), "factors[%zu]", i);
    schema_path_key(at, sizeof(at), p, "id");
    for (size_t k = 0; k < i; k++)
        if (strcmp(json_string_value(json_object_get(json_array_get(factors, k), "id")), id) == 0)
            return bf_fail(err, BF_ERR_INVALID, "duplicate", at, "%s repeats factor %s", at, id);
    const factor_shape *shape = &factor_shapes[0];
    while (strcmp(shape->id, id) != 0)
        shape++;
    for (const schema *m = factor_members + 3; m->name; m++) {
        schema_path_key(at, sizeof(at), p, m->name);
        bool wanted = schema_one_of(m->name, shape->members);
        bool given = json_object_get(f, m->name) != NULL;
        if (given && !wanted)
            return bf_fail(err, BF_ERR_INVALID, "unknown_field", at, "%s is not a known field", at);
        if (!given && wanted)
            return bf_fail(err, BF_ERR_INVALID, "required", at, "%s is required", at);
    }
    bf_result r;
    schema_path_key(at, sizeof(at), p, "employees_min");
    if (strcmp(id, "size") == 0 &&
        (r = check_map_keys(json_object_get(f, "employees_min"), at, business_types, err)) != BF_OK)
        return r;
    schema_path_key(at, sizeof(at), p, "points");
    if (shape->point_keys != NULL &&
        (r = check_map_keys(json_object_get(f, "points"), at, shape->point_keys, err)) != BF_OK)
        return r;
    if (strcmp(id, "size") == 0) {
        json_t *pts = json_object_get(f, "points");
        long long sum = 0;
        for (size_t k = 0; size_point_keys[k]; k++)
            sum += json_integer_value(json_object_get(pts, size_point_keys[k]));
        if (sum != 100)
            return bf_fail_args(err, BF_ERR_INVALID, "points_sum", at, BF_ARGS(BF_NUM("sum", sum)),
                                "%s must add up to 100, not %lld", at, sum);
    }
    json_t *signals = json_object_get(f, "signals");
    schema_path_key(at, sizeof(at), p, "signals");
    if (signals != NULL && json_array_size(signals) == 0)
        return bf_fail_args(err, BF_ERR_INVALID, "too_few", at, BF_ARGS(BF_NUM("min", 1)),
                            "%s needs at least one item", at);
    for (size_t k = 0; k < json_array_size(signals); k++) {
        const char *sid = json_string_value(json_object_get(json_array_get(signals, k), "id"));
        for (size_t j = 0; j < k; j++) {
            if (strcmp(json_string_value(json_object_get(json_array_get(signals, j), "id")), sid) ==
                0) {
                snprintf(at, sizeof(at), "%.40s.signals[%zu].id", p, k);
                return bf_fail(err, BF_ERR_INVALID, "duplicate", at, "%s repeats signal %s", at,
                               sid);
            }
        }
    }
    return BF_OK;
}

/* Grades are unique, their minimums descending and the last one 0. */
static bf_result check_grades(json_t *grades, bf_error *err)
{
    long long prev = 101;
    for (size_t i = 0; i < json_array_size(grades); i++) {
        json_t *g = json_array_get(grades, i);
        const char *name = json_string_value(json_object_get(g, "grade"));
        char f[PATH_CAP];
        snprintf(f, sizeof(f), "grades[%zu].grade", i);
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_object_get(json_array_get(grades, k), "grade")),
                       name) == 0)
                return bf_fail(err, BF_ERR_INVALID, "duplicate", f, "%s repeats grade %s", f, name);
        long long min = json_integer_value(json_object_get(g, "min"));
        snprintf(f, sizeof(f), "grades[%zu].min", i);
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
    json_t *norm;
    bf_result r = schema_check(&profile_rules_schema, rules, &norm, err);
    if (r != BF_OK)
        return r;
    json_t *factors = json_object_get(norm, "factors");
    long long sum = 0;
    for (size_t i = 0; r == BF_OK && i < json_array_size(factors); i++) {
        r = check_factor(factors, i, err);
        sum += json_integer_value(json_object_get(json_array_get(factors, i), "weight"));
    }
    if (r == BF_OK && sum != 100)
        r = bf_fail_args(err, BF_ERR_INVALID, "weights_sum", "factors", BF_ARGS(BF_NUM("sum", sum)),
                         "the factor weights must add up to 100, not %lld", sum);
    if (r == BF_OK)
        r = check_grades(json_object_get(norm, "grades"), err);
    json_decref(norm);
    return r;
}

bf_result profile_form_validate(json_t *in, json_t **out, bf_error *err)
{
    return schema_check(&profile_form_schema, in, out, err);
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
    const char *bt = fa->business_type && schema_one_of(fa->business_type, business_types)
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
    if (fa->business_type == NULL || !schema_one_of(fa->business_type, business_types)) {
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
                                 points, "reason", schema_text_pair_new(rs.zh, rs.en));
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
