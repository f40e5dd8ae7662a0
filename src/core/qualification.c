/* Qualification forms: opportunity evaluation, MANT, 5W+2P and the compelling
 * event (see qualification.h). */
#include "core/qualification.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/deal_facts.h"
#include "core/schema.h"
#include "core/text.h"

/* ---- small JSON helpers ---- */

#define MAX_INDICATORS 20
#define NOTE_MAX_CHARS 2000

static bf_result fail_nomem(bf_error *err)
{
    return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
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
        if (json_equal(schema_get(json_array_get(all, j), "id"), id))
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
        r = bf_fail_args(err, BF_ERR_INVALID, "weight_sum", "indicators",
                         BF_ARGS(BF_NUM("sum", sum)),
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
    json_array_foreach(schema_get(cfg, "indicators"), i, ind)
    {
        const char *s = schema_get_text(ind, "id");
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
    {.name = "facts",
     .ref = &deal_facts_schema,
     .doc = "Shared facts written to their home (the deal, its contacts), not kept in the form"},
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
            if (json_equal(schema_get(json_array_get(inds, j), "id"), id))
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
    const char *a = schema_get_text(schema_get(form, part), "answer");
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
    json_array_foreach(schema_get(form, "indicators"), i, ind)
    {
        const char *s = schema_get_text(ind, "id");
        if (s != NULL && strcmp(s, id) == 0)
            return json_integer_value(schema_get(ind, "score"));
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
    json_array_foreach(schema_get(cfg, "indicators"), i, ind)
    {
        const char *id = schema_get_text(ind, "id");
        int64_t w = json_integer_value(schema_get(ind, "weight"));
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

    json_t *th = schema_get(cfg, "mode_thresholds");
    int64_t consultative = json_integer_value(schema_get(th, "consultative"));
    int64_t strategic = json_integer_value(schema_get(th, "strategic"));
    int rec = h >= strategic * 100 ? 2 : h >= consultative * 100 ? 1 : 0;
    json_decref(own_cfg);

    json_t *qual = schema_get(schema_get(form, "qualitative"), "score");
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

/* ---- 5W+2P ---- */

/* The seven questions of seed 001, in its order, in bingfa's words. */
static const struct w5p2_question {
    const char *id, *zh, *en;
    const char *fact; /* the shared fact that answers it too, or NULL */
} w5p2_questions[] = {
    {"motive", "动机：他们为什么需要（或想要）建设新系统？",
     "Motive: why do they need, or want, a new system?", NULL},
    {"decision_maker", "决策人：谁是决策人？他本人想要吗？",
     "Decision maker: who decides, and does he want it?", "decision_makers"},
    {"process", "决策过程：如何决策？哪些因素会左右决策？",
     "Process: how will they decide, and what weighs on the decision?", NULL},
    {"needs", "需求：需求是什么？", "Needs: what do they need?", NULL},
    {"competitors", "竞争对手：谁在和我们竞争？", "Competitors: who are we up against?",
     "competitors"},
    {"budget", "预算：有资金计划吗？预算大约多少？",
     "Budget: is there a funding plan, and roughly how much?", "budget"},
    {"timetable", "时间表：上线时间有计划吗？", "Timetable: is there a planned go-live date?",
     "expected_close"},
};

#define W5P2_TOTAL (sizeof(w5p2_questions) / sizeof(w5p2_questions[0]))

#define W5P2_ANSWER(key)                                                                           \
    {                                                                                              \
        .name = key, .kind = SCHEMA_TEXT, .max = NOTE_MAX_CHARS                                    \
    }

static const schema w5p2_members[] = {
    W5P2_ANSWER("motive"),
    W5P2_ANSWER("decision_maker"),
    W5P2_ANSWER("process"),
    W5P2_ANSWER("needs"),
    W5P2_ANSWER("competitors"),
    W5P2_ANSWER("budget"),
    W5P2_ANSWER("timetable"),
    {.name = "facts",
     .ref = &deal_facts_schema,
     .doc = "Shared facts written to their home (the deal, its contacts), not kept in the form"},
    {0},
};

const schema w5p2_form_schema = {.name = "W5p2Form",
                                 .kind = SCHEMA_OBJECT,
                                 .members = w5p2_members,
                                 .doc = "5W+2P: the answers to the seven questions"};

bf_result w5p2_validate(json_t *in, json_t **out, bf_error *err)
{
    return schema_check(&w5p2_form_schema, in, out, err);
}

/* The shared fact of facts called key when it holds something (a non-empty
 * list, a value), else NULL; borrowed. */
static json_t *known_fact(json_t *facts, const char *key)
{
    json_t *v = key ? schema_get(facts, key) : NULL;
    return json_is_array(v) && json_array_size(v) == 0 ? NULL : v;
}

json_t *w5p2_evaluate(json_t *form, json_t *facts)
{
    json_t *questions = json_array();
    if (questions == NULL)
        return NULL;
    json_int_t answered = 0;
    for (size_t i = 0; i < W5P2_TOTAL; i++) {
        const struct w5p2_question *q = &w5p2_questions[i];
        const char *answer = schema_get_text(form, q->id);
        json_t *fact = known_fact(facts, q->fact);
        answered += answer != NULL || fact != NULL;
        if (json_array_append_new(questions,
                                  json_pack("{s:s, s:o, s:s?, s:s?, s:O?}", "id", q->id, "question",
                                            schema_text_pair_new(q->zh, q->en), "answer", answer,
                                            "shared", q->fact, "fact", fact)) != 0) {
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
    {.name = "pattern",
     .kind = SCHEMA_SLUG,
     .doc = "Which of the playbook's compelling-event patterns (ce_patterns) applies"},
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
    const char *c = schema_get_text(*out, "consequence");
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
    if (schema_get_text(form, "what") == NULL)
        ok &= push_text(missing, "what");
    if (schema_get_text(form, "by_when") == NULL)
        ok &= push_text(missing, "by_when");
    const char *c = schema_get_text(form, "consequence");
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

/* ---- checklist items derived from the forms ---- */

/* 5W+2P questions by the words an item id names them with. */
static const char *const w5p2_item_words[][2] = {
    {"motive", "motive"},
    {"decision-maker", "decision_maker"},
    {"decision-process", "process"},
    {"needs", "needs"},
    {"competitors", "competitors"},
    {"budget", "budget"},
    {"timetable", "timetable"},
};
#define W5P2_ITEM_WORDS (sizeof(w5p2_item_words) / sizeof(w5p2_item_words[0]))

static bool is(const char *framework, const char *name)
{
    return framework != NULL && strcmp(framework, name) == 0;
}

bool qualification_item_derived(const char *framework, const char *item_id)
{
    if (is(framework, "5W2P") || is(framework, "CE"))
        return true;
    return is(framework, "MAN") &&
           (strstr(item_id, "man-evaluated") != NULL || strstr(item_id, "mode-matched") != NULL);
}

/* Appends the question ids of w5p2 (w5p2_evaluate's answer) left unanswered,
 * of the one named by item_id or of all. */
static void w5p2_missing(json_t *w5p2, const char *item_id, json_t *out)
{
    const char *only = NULL;
    for (size_t i = 0; i < W5P2_ITEM_WORDS && only == NULL; i++)
        if (strstr(item_id, w5p2_item_words[i][0]) != NULL)
            only = w5p2_item_words[i][1];
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(w5p2, "questions"), i, q)
    {
        const char *id = json_string_value(json_object_get(q, "id"));
        if (id && json_is_null(json_object_get(q, "answer")) && (!only || strcmp(only, id) == 0))
            json_array_append_new(out, json_string(id));
    }
}

json_t *qualification_item_missing(const char *framework, const char *item_id, json_t *w5p2,
                                   json_t *ce, json_t *evaluation_form, json_t *evaluation)
{
    json_t *out = json_array();
    if (out == NULL)
        return NULL;
    if (is(framework, "5W2P")) {
        w5p2_missing(w5p2, item_id, out);
    } else if (is(framework, "CE")) {
        json_array_extend(out, json_object_get(ce, "missing"));
    } else if (strstr(item_id, "man-evaluated") != NULL) {
        static const char *const parts[] = {"money", "authority", "need"};
        for (size_t i = 0; i < 3; i++) {
            const char *a = json_string_value(
                json_object_get(json_object_get(evaluation_form, parts[i]), "answer"));
            if (a == NULL || strcmp(a, "unknown") == 0)
                json_array_append_new(out, json_string(parts[i]));
        }
    } else if (strstr(item_id, "mode-matched") != NULL) {
        /* The deal is evaluated, a mode is chosen, and not below the one the
         * evaluation recommends (防止大单做小). */
        if (evaluation_form == NULL)
            json_array_append_new(out, json_string("evaluation"));
        if (json_is_null(json_object_get(evaluation, "chosen_mode")) ||
            json_object_get(evaluation, "chosen_mode") == NULL ||
            !json_is_null(json_object_get(evaluation, "warning")))
            json_array_append_new(out, json_string("sales_mode"));
    }
    return out;
}

/* Words for the names qualification_item_missing gives. */
static const char *const missing_labels[][3] = {
    {"motive", "动机", "motive"},
    {"decision_maker", "决策人", "decision maker"},
    {"process", "决策过程", "decision process"},
    {"needs", "需求", "needs"},
    {"competitors", "竞争对手", "competitors"},
    {"budget", "预算", "budget"},
    {"timetable", "时间表", "timetable"},
    {"what", "强迫事件", "the event"},
    {"by_when", "期限", "the date"},
    {"consequence", "可衡量的后果", "a measurable consequence"},
    {"pattern", "所属的强迫事件情形", "which compelling-event pattern applies"},
    {"money", "资金（M）", "money (M)"},
    {"authority", "决策权（A）", "authority (A)"},
    {"need", "需求（N）", "need (N)"},
    {"sales_mode", "不低于建议的销售方式", "a sales mode not below the recommended one"},
    {"evaluation", "商机评价", "the opportunity evaluation"},
};

static const char *missing_label(const char *name, bool zh)
{
    for (size_t i = 0; i < sizeof(missing_labels) / sizeof(missing_labels[0]); i++)
        if (strcmp(missing_labels[i][0], name) == 0)
            return missing_labels[i][zh ? 1 : 2];
    return name;
}

void qualification_item_evidence(const char *framework, json_t *missing, const char *lang,
                                 char *out, size_t cap)
{
    bool zh = lang == NULL || strcmp(lang, "en") != 0;
    const char *form_zh = is(framework, "5W2P") ? "5W+2P表"
                          : is(framework, "CE") ? "强迫事件（CE）表"
                                                : "商机评价表（MAN）";
    const char *form_en = is(framework, "5W2P") ? "the 5W+2P form"
                          : is(framework, "CE") ? "the compelling event (CE) form"
                                                : "the opportunity evaluation (MAN)";
    if (json_array_size(missing) == 0) {
        snprintf(out, cap, zh ? "由%s计算得出" : "Computed from %s", zh ? form_zh : form_en);
        return;
    }
    int n = snprintf(out, cap,
                     zh ? "%s未完整，缺：" : "%s incomplete, missing: ", zh ? form_zh : form_en);
    size_t used = n > 0 && (size_t)n < cap ? (size_t)n : cap;
    for (size_t i = 0; i < json_array_size(missing) && used < cap; i++) {
        const char *name = json_string_value(json_array_get(missing, i));
        n = snprintf(out + used, cap - used, "%s%s",
                     i == 0 ? ""
                     : zh   ? "、"
                            : ", ",
                     missing_label(name ? name : "?", zh));
        used = n > 0 && used + (size_t)n < cap ? used + (size_t)n : cap;
    }
}
