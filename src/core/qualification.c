/* Qualification forms: opportunity evaluation, MANT, 5W+2P and the compelling
 * event (see qualification.h). */
#include "core/qualification.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/schema.h"
#include "core/text.h"

/* ---- small JSON helpers ---- */

#define MAX_INDICATORS 20
#define NOTE_MAX_CHARS 2000

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
                                                  schema_text_pair_new(d->zh, d->en), "weight",
                                                  d->weight)) != 0) {
            json_decref(inds);
            return NULL;
        }
    }
    return json_pack("{s:o, s:{s:i, s:i}}", "indicators", inds, "mode_thresholds", "consultative",
                     40, "strategic", 70);
}

static const char *const indicator_id_start = "abcdefghijklmnopqrstuvwxyz";

static const schema config_indicator_members[] = {
    {.name = "id",
     .kind = SCHEMA_ID,
     .flags = SCHEMA_REQUIRED,
     .doc = "A lowercase identifier [a-z][a-z0-9_]*"},
    {.name = "name", .ref = &schema_text_pair, .flags = SCHEMA_REQUIRED},
    {.name = "weight", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .min = 1, .max = 100},
    {0},
};

static const schema config_threshold_members[] = {
    {.name = "consultative",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = 100,
     .doc = "Lowest score of the consultative mode"},
    {.name = "strategic",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = 100,
     .doc = "Lowest score of the strategic mode"},
    {0},
};

static const schema config_indicator_schema = {.kind = SCHEMA_OBJECT,
                                               .members = config_indicator_members};

static const schema config_members[] = {
    {.name = "indicators",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = MAX_INDICATORS,
     .item = &config_indicator_schema,
     .doc = "The indicators of the quantitative evaluation; weights sum to 100"},
    {.name = "mode_thresholds",
     .kind = SCHEMA_OBJECT,
     .flags = SCHEMA_REQUIRED,
     .members = config_threshold_members},
    {0},
};

const schema evaluation_config_schema = {
    .name = "EvaluationConfig",
    .kind = SCHEMA_OBJECT,
    .members = config_members,
    .doc = "Evaluation indicators, weights (sum 100) and the score thresholds of the sales modes"};

/* The rules across an indicator: an id that starts with a letter, not used
 * before; adds its weight to *sum. */
static bf_result check_config_indicator(json_t *all, size_t i, json_int_t *sum, bf_error *err)
{
    json_t *ind = json_array_get(all, i);
    json_t *id = json_object_get(ind, "id");
    char path[64];
    snprintf(path, sizeof(path), "indicators[%zu].id", i);
    const char *ids = json_string_value(id);
    if (strchr(indicator_id_start, ids[0]) == NULL || strchr(ids, '-') != NULL)
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", path,
                       "%s must be a lowercase identifier [a-z][a-z0-9_]*, at most 40 characters",
                       path);
    for (size_t j = 0; j < i; j++)
        if (json_equal(member(json_array_get(all, j), "id"), id))
            return bf_fail(err, BF_ERR_INVALID, "duplicate", path,
                           "%s repeats the id %s of indicators[%zu]", path, ids, j);
    *sum += json_integer_value(json_object_get(ind, "weight"));
    return BF_OK;
}

bf_result evaluation_config_validate(json_t *cfg, bf_error *err)
{
    json_t *norm;
    bf_result r = schema_check(&evaluation_config_schema, cfg, &norm, err);
    if (r != BF_OK)
        return r;
    json_t *inds = json_object_get(norm, "indicators");
    json_int_t sum = 0;
    for (size_t i = 0; r == BF_OK && i < json_array_size(inds); i++)
        r = check_config_indicator(inds, i, &sum, err);
    if (r == BF_OK && sum != 100)
        r = bf_fail(err, BF_ERR_INVALID, "weight_sum", "indicators",
                    "the indicators' weights must sum to 100, not %" JSON_INTEGER_FORMAT, sum);
    json_t *th = json_object_get(norm, "mode_thresholds");
    json_int_t t0 = json_integer_value(json_object_get(th, "consultative"));
    json_int_t t1 = json_integer_value(json_object_get(th, "strategic"));
    if (r == BF_OK && t0 >= t1)
        r = bf_fail(err, BF_ERR_INVALID, "threshold_order", "mode_thresholds.strategic",
                    "mode_thresholds.strategic (%" JSON_INTEGER_FORMAT
                    ") must be above mode_thresholds.consultative (%" JSON_INTEGER_FORMAT ")",
                    t1, t0);
    json_decref(norm);
    return r;
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

static const char *const man_answers[] = {"yes", "no", "unknown", NULL};

static const schema man_part_members[] = {
    {.name = "answer", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = man_answers},
    {.name = "evidence",
     .kind = SCHEMA_TEXT,
     .max = NOTE_MAX_CHARS,
     .doc = "What the answer rests on"},
    {0},
};

static const schema indicator_score_members[] = {
    {.name = "id",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .max = 100,
     .doc = "An indicator of the evaluation's configuration"},
    {.name = "score", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .max = 100},
    {0},
};

static const schema indicator_score = {.kind = SCHEMA_OBJECT, .members = indicator_score_members};

static const schema qualitative_members[] = {
    {.name = "score",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = 100,
     .doc = "The manager's judgement, 0..100"},
    {.name = "note", .kind = SCHEMA_TEXT, .max = NOTE_MAX_CHARS},
    {0},
};

#define MAN_PART(key, what)                                                                        \
    {                                                                                              \
        .name = key, .kind = SCHEMA_OBJECT, .members = man_part_members,                           \
        .def = "{\"answer\":\"unknown\"}", .doc = what                                             \
    }

static const schema evaluation_members[] = {
    MAN_PART("money", "Money: is there a budget?"),
    MAN_PART("authority", "Authority: do we reach who decides?"),
    MAN_PART("need", "Need: is there a real need?"),
    {.name = "indicators",
     .kind = SCHEMA_ARRAY,
     .max = 100,
     .item = &indicator_score,
     .def = "[]",
     .doc = "Scores of the configured indicators"},
    {.name = "qualitative", .kind = SCHEMA_OBJECT, .members = qualitative_members},
    {0},
};

const schema evaluation_form_schema = {
    .name = "EvaluationForm",
    .kind = SCHEMA_OBJECT,
    .members = evaluation_members,
    .doc = "The opportunity evaluation (商机评价): MAN answers, indicator scores and the "
           "manager's qualitative judgement"};

/* Every indicator scored names one of cfg, once. */
static bf_result check_indicators(json_t *inds, json_t *cfg, bf_error *err)
{
    size_t i;
    json_t *ind;
    json_array_foreach(inds, i, ind)
    {
        char path[64];
        snprintf(path, sizeof(path), "indicators[%zu].id", i);
        json_t *id = json_object_get(ind, "id");
        const char *ids = json_string_value(id);
        if (config_indicator(cfg, ids) == NULL)
            return bf_fail(err, BF_ERR_INVALID, "unknown_indicator", path,
                           "%s: the evaluation has no indicator %.60s", path, ids);
        for (size_t j = 0; j < i; j++)
            if (json_equal(member(json_array_get(inds, j), "id"), id))
                return bf_fail(err, BF_ERR_INVALID, "duplicate", path,
                               "%s scores %s a second time (see indicators[%zu])", path, ids, j);
    }
    return BF_OK;
}

bf_result evaluation_validate(json_t *in, json_t *cfg, json_t **out, bf_error *err)
{
    bf_result r = schema_check(&evaluation_form_schema, in, out, err);
    if (r != BF_OK)
        return r;
    json_t *own_cfg = NULL;
    if (cfg == NULL && (cfg = own_cfg = evaluation_default_config()) == NULL)
        r = fail_nomem(err);
    if (r == BF_OK)
        r = check_indicators(json_object_get(*out, "indicators"), cfg, err);
    json_decref(own_cfg);
    if (r != BF_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return r;
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
        warning = json_pack("{s:s, s:o}", "code", "mode_below_recommendation", "text",
                            schema_text_pair_new(zh, en));
    }

    return json_pack("{s:{s:s, s:o, s:o}, s:{s:s, s:I}, s:O, s:s, s:s?, s:o}", "man", "class",
                     mc->id, "label", schema_text_pair_new(mc->label_zh, mc->label_en), "action",
                     schema_text_pair_new(mc->action_zh, mc->action_en), "score", "value", value,
                     "hundredths", (json_int_t)h, "qualitative",
                     json_is_integer(qual) ? qual : json_null(), "recommended_mode", mode_ids[rec],
                     "chosen_mode", chosen_mode, "warning", warning);
}

/* ---- MANT ---- */

#define NEEDS_MAX 5
#define NEEDS_COMPLETE_MIN 3

static const schema mant_money_members[] = {
    {.name = "budget", .kind = SCHEMA_INT, .max = INT64_MAX, .doc = "The budget, in fen (分)"},
    {.name = "source", .kind = SCHEMA_TEXT, .max = 200, .doc = "Where the money comes from"},
    {.name = "approved", .kind = SCHEMA_BOOL, .doc = "The budget is approved"},
    {.name = "in_place", .kind = SCHEMA_BOOL, .doc = "The money is in place"},
    {0},
};

static const schema mant_need = {.kind = SCHEMA_TEXT, .max = 500};

static const schema mant_time_members[] = {
    {.name = "tender_month", .kind = SCHEMA_MONTH, .doc = "Month of the tender, YYYY-MM"},
    {.name = "go_live", .kind = SCHEMA_DATE, .doc = "Planned go-live date"},
    {0},
};

static const schema mant_members[] = {
    {.name = "money", .kind = SCHEMA_OBJECT, .members = mant_money_members},
    {.name = "needs",
     .kind = SCHEMA_ARRAY,
     .min = 1,
     .max = NEEDS_MAX,
     .item = &mant_need,
     .doc = "The customer's main needs, 3 to 5 make the part complete"},
    {.name = "time", .kind = SCHEMA_OBJECT, .members = mant_time_members},
    {0},
};

const schema mant_form_schema = {
    .name = "MantForm",
    .kind = SCHEMA_OBJECT,
    .members = mant_members,
    .doc = "MANT: money, needs and time-scale (authority comes from the account's contacts)"};

bf_result mant_validate(json_t *in, json_t **out, bf_error *err)
{
    return schema_check(&mant_form_schema, in, out, err);
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

/* ---- MANT items of a stage checklist ---- */

json_t *mant_item_missing(json_t *mant, const char *item_id)
{
    static const struct {
        const char *word, *part;
    } parts[] = {
        {"money", "money"}, {"authority", "authority"}, {"need", "needs"}, {"time", "time"}};
    json_t *all = member(mant, "parts");
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (strstr(item_id, parts[i].word) != NULL)
            return json_deep_copy(member(member(all, parts[i].part), "missing"));
    json_t *missing = json_array(); /* MANT as a whole: the parts not complete */
    const char *key;
    json_t *v;
    json_object_foreach(all, key, v)
    {
        if (missing != NULL && !json_is_true(json_object_get(v, "complete")) &&
            !push_text(missing, key)) {
            json_decref(missing);
            return NULL;
        }
    }
    return missing;
}

/* The words for what a MANT item may lack. */
static const struct mant_label {
    const char *name, *zh, *en;
} mant_labels[] = {
    {"money", "资金", "money"},
    {"authority", "权力（决策圈）", "authority (buying centre)"},
    {"needs", "需求（3–5 条）", "needs (3–5)"},
    {"time", "时间", "time-scale"},
    {"budget", "预算", "budget"},
    {"source", "资金来源", "source of funds"},
    {"approved", "预算审批", "budget approval"},
    {"in_place", "资金到位", "funds in place"},
    {"approvers", "拍板者", "approver"},
    {"decision_makers", "决策者", "decision maker"},
    {"evaluators", "评估者", "evaluator"},
    {"coaches", "教练", "coach"},
    {"tender_month", "招标月份", "tender month"},
    {"go_live", "上线日期", "go-live date"},
};

static const char *mant_label(const char *name, bool zh)
{
    for (size_t i = 0; i < sizeof(mant_labels) / sizeof(mant_labels[0]); i++)
        if (strcmp(mant_labels[i].name, name) == 0)
            return zh ? mant_labels[i].zh : mant_labels[i].en;
    return name;
}

void mant_item_evidence(json_t *missing, const char *lang, char *out, size_t cap)
{
    bool zh = lang == NULL || strcmp(lang, "en") != 0;
    if (json_array_size(missing) == 0) {
        snprintf(out, cap, "%s",
                 zh ? "由MANT表与客户决策圈计算得出"
                    : "Computed from the MANT form and the account's buying centre");
        return;
    }
    int n = snprintf(out, cap, "%s", zh ? "MANT未完整，缺：" : "MANT incomplete, missing: ");
    size_t used = n > 0 && (size_t)n < cap ? (size_t)n : cap;
    for (size_t i = 0; i < json_array_size(missing) && used < cap; i++) {
        const char *name = json_string_value(json_array_get(missing, i));
        n = snprintf(out + used, cap - used, "%s%s",
                     i == 0 ? ""
                     : zh   ? "、"
                            : ", ",
                     mant_label(name ? name : "?", zh));
        used = n > 0 && used + (size_t)n < cap ? used + (size_t)n : cap;
    }
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

#define W5P2_ANSWER(key)                                                                           \
    {                                                                                              \
        .name = key, .kind = SCHEMA_TEXT, .max = NOTE_MAX_CHARS                                    \
    }

static const schema w5p2_members[] = {
    W5P2_ANSWER("motive"),      W5P2_ANSWER("decision_maker"),
    W5P2_ANSWER("process"),     W5P2_ANSWER("needs"),
    W5P2_ANSWER("competitors"), W5P2_ANSWER("budget"),
    W5P2_ANSWER("timetable"),   {0},
};

const schema w5p2_form_schema = {.name = "W5p2Form",
                                 .kind = SCHEMA_OBJECT,
                                 .members = w5p2_members,
                                 .doc = "5W+2P: the answers to the seven questions"};

bf_result w5p2_validate(json_t *in, json_t **out, bf_error *err)
{
    return schema_check(&w5p2_form_schema, in, out, err);
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
        if (json_array_append_new(questions, json_pack("{s:s, s:o, s:s?}", "id", q->id, "question",
                                                       schema_text_pair_new(q->zh, q->en), "answer",
                                                       answer)) != 0) {
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

static const schema ce_members[] = {
    {.name = "what", .kind = SCHEMA_TEXT, .max = 500, .doc = "The event"},
    {.name = "by_when", .kind = SCHEMA_DATE, .doc = "The date it happens"},
    {.name = "consequence",
     .kind = SCHEMA_TEXT,
     .max = NOTE_MAX_CHARS,
     .doc = "What missing it costs, with a figure"},
    {0},
};

const schema ce_form_schema = {.name = "CompellingEventForm",
                               .kind = SCHEMA_OBJECT,
                               .members = ce_members,
                               .doc =
                                   "Compelling event: what, by when, the measurable consequence"};

bf_result ce_validate(json_t *in, json_t **out, bf_error *err)
{
    bf_result r = schema_check(&ce_form_schema, in, out, err);
    if (r != BF_OK)
        return r;
    const char *c = member_text(*out, "consequence");
    if (c != NULL && !text_has_digit(c)) {
        json_decref(*out);
        *out = NULL;
        return bf_fail(err, BF_ERR_INVALID, "not_measurable", "consequence",
                       "consequence must be measurable: state it with a figure - an amount, a date "
                       "or a count (e.g. 'each week of delay costs the developer 200000 yuan in "
                       "rent')");
    }
    return BF_OK;
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
        text = schema_text_pair_new(
            "强迫事件已明确：客户有不得不做这个项目的理由，且后果可衡量。",
            "The compelling event is clear: the customer has a measurable reason "
            "it must do this project.");
    else if (flag)
        text = schema_text_pair_new(
            "本阶段必须明确强迫事件（CE）：请补齐缺少的内容，否则项目的真实性存疑。",
            "This stage needs a compelling event (CE): fill in what is missing, or "
            "doubt that the project is real.");
    else
        text = schema_text_pair_new(
            "强迫事件尚不完整：尽早弄清客户不得不做这个项目的理由，以及不做的可衡量"
            "后果。",
            "The compelling event is not complete yet: find out early why the "
            "customer must do this project and what not doing it would cost.");
    return json_pack("{s:b, s:o, s:b, s:b, s:o}", "complete", complete, "missing", missing,
                     "required_now", required_now, "flag", flag, "text", text);
}
