/* Unit tests of src/core/qualification.c: the opportunity evaluation (MAN,
 * weighted score, sales mode), MANT, 5W+2P and the compelling event. Every
 * figure below was worked out by hand; the arithmetic is in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/qualification.h"

/* Parses text (which must be valid JSON) into a new ref. */
static json_t *J(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (j == NULL)
        fprintf(stderr, "bad test JSON: %s: %s\n", jerr.text, text);
    assert_non_null(j);
    return j;
}

/* The member at a dotted path of j ("man.label.zh"), or NULL. */
static json_t *G(json_t *j, const char *path)
{
    json_t *cur = j;
    while (cur != NULL && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        cur = json_object_getn(cur, path, n);
        path += n + (dot != NULL);
    }
    return cur;
}

/* The string at a dotted path of j, or NULL. */
static const char *S(json_t *j, const char *path)
{
    return json_string_value(G(j, path));
}

/* Asserts that array j holds exactly the strings of want (a JSON array text). */
static void assert_json(json_t *j, const char *want)
{
    json_t *w = J(want);
    if (!json_equal(j, w)) {
        char *got = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
        fprintf(stderr, "want %s\n got %s\n", want, got ? got : "(null)");
        free(got);
    }
    assert_true(json_equal(j, w));
    json_decref(w);
}

/* A validator taking (in, out, err). */
typedef bf_result (*validator)(json_t *in, json_t **out, bf_error *err);

static bf_result eval_validate_default(json_t *in, json_t **out, bf_error *err)
{
    return evaluation_validate(in, NULL, out, err);
}

static bf_result config_validate(json_t *in, json_t **out, bf_error *err)
{
    *out = NULL;
    return evaluation_config_validate(in, err);
}

typedef struct error_case {
    const char *body, *field, *code;
} error_case;

/* Runs every case through v and expects BF_ERR_INVALID on field with code. */
static void expect_errors(validator v, const error_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *in = J(cases[i].body);
        json_t *out = NULL;
        bf_error err;
        bf_error_clear(&err);
        bf_result r = v(in, &out, &err);
        if (r != BF_ERR_INVALID || strcmp(err.field, cases[i].field) != 0 ||
            strcmp(err.code, cases[i].code) != 0)
            fprintf(stderr, "case %zu %s: got %d field '%s' code '%s' (%s)\n", i, cases[i].body,
                    (int)r, err.field, err.code, err.message);
        assert_int_equal(r, BF_ERR_INVALID);
        assert_string_equal(err.field, cases[i].field);
        assert_string_equal(err.code, cases[i].code);
        assert_null(out);
        json_decref(in);
    }
}

/* Validates text with v, expecting success; returns *out. */
static json_t *valid(validator v, const char *text)
{
    json_t *in = J(text);
    json_t *out = NULL;
    bf_error err;
    bf_error_clear(&err);
    bf_result r = v(in, &out, &err);
    if (r != BF_OK)
        fprintf(stderr, "unexpected %s on %s: %s\n", err.code, err.field, err.message);
    assert_int_equal(r, BF_OK);
    assert_non_null(out);
    json_decref(in);
    return out;
}

/* A string of n copies of the UTF-8 character c, as a JSON string literal
 * body, into buf. */
static void repeat(char *buf, size_t cap, const char *c, size_t n)
{
    size_t used = 0, len = strlen(c);
    for (size_t i = 0; i < n && used + len < cap; i++, used += len)
        memcpy(buf + used, c, len);
    buf[used] = '\0';
}

/* ---- opportunity evaluation: configuration ---- */

static void default_config_is_valid(void **state)
{
    (void)state;
    json_t *cfg = evaluation_default_config();
    assert_non_null(cfg);
    bf_error err;
    bf_error_clear(&err);
    assert_int_equal(evaluation_config_validate(cfg, &err), BF_OK);
    /* 25 + 20 + 20 + 15 + 10 + 10 = 100 over six indicators. */
    json_t *inds = json_object_get(cfg, "indicators");
    assert_int_equal(json_array_size(inds), 6);
    json_int_t sum = 0;
    size_t i;
    json_t *ind;
    json_array_foreach(inds, i, ind)
    {
        sum += json_integer_value(json_object_get(ind, "weight"));
        assert_non_null(S(ind, "name.zh"));
        assert_non_null(S(ind, "name.en"));
    }
    assert_int_equal(sum, 100);
    assert_int_equal(json_integer_value(G(cfg, "mode_thresholds.consultative")), 40);
    assert_int_equal(json_integer_value(G(cfg, "mode_thresholds.strategic")), 70);
    json_decref(cfg);
}

#define IND(id, w) "{\"id\":\"" id "\",\"name\":{\"zh\":\"指标\",\"en\":\"x\"},\"weight\":" #w "}"
#define TH "\"mode_thresholds\":{\"consultative\":40,\"strategic\":70}"

static void config_errors_name_the_field(void **state)
{
    (void)state;
    static const error_case cases[] = {
        {"[]", "", "wrong_type"},
        {"{\"indicators\":[" IND("a", 100) "]," TH ",\"x\":1}", "x", "unknown_field"},
        {"{" TH "}", "indicators", "required"},
        {"{\"indicators\":{}," TH "}", "indicators", "wrong_type"},
        {"{\"indicators\":[]," TH "}", "indicators", "too_few"},
        {"{\"indicators\":[5]," TH "}", "indicators[0]", "wrong_type"},
        {"{\"indicators\":[{\"name\":{\"zh\":\"a\",\"en\":\"a\"},\"weight\":100}]," TH "}",
         "indicators[0].id", "required"},
        {"{\"indicators\":[" IND("Budget", 100) "]," TH "}", "indicators[0].id", "invalid_value"},
        {"{\"indicators\":[{\"id\":7,\"name\":{\"zh\":\"a\",\"en\":\"a\"},\"weight\":100}]," TH "}",
         "indicators[0].id", "wrong_type"},
        {"{\"indicators\":[" IND("a", 50) "," IND("a", 50) "]," TH "}", "indicators[1].id",
         "duplicate"},
        {"{\"indicators\":[{\"id\":\"a\",\"weight\":100}]," TH "}", "indicators[0].name",
         "required"},
        {"{\"indicators\":[{\"id\":\"a\",\"name\":\"预算\",\"weight\":100}]," TH "}",
         "indicators[0].name", "wrong_type"},
        {"{\"indicators\":[{\"id\":\"a\",\"name\":{\"zh\":\"a\",\"en\":\"a\",\"fr\":\"a\"},"
         "\"weight\":100}]," TH "}",
         "indicators[0].name.fr", "unknown_field"},
        {"{\"indicators\":[{\"id\":\"a\",\"name\":{\"zh\":\" \",\"en\":\"a\"},\"weight\":100}]," TH
         "}",
         "indicators[0].name.zh", "required"},
        {"{\"indicators\":[{\"id\":\"a\",\"name\":{\"zh\":\"a\"},\"weight\":100}]," TH "}",
         "indicators[0].name.en", "required"},
        {"{\"indicators\":[{\"id\":\"a\",\"name\":{\"zh\":\"a\",\"en\":\"a\"}}]," TH "}",
         "indicators[0].weight", "required"},
        {"{\"indicators\":[" IND("a", 0) "," IND("b", 100) "]," TH "}", "indicators[0].weight",
         "out_of_range"},
        {"{\"indicators\":[" IND("a", -10) "," IND("b", 110) "]," TH "}", "indicators[0].weight",
         "out_of_range"},
        {"{\"indicators\":[" IND("a", "100") "]," TH "}", "indicators[0].weight", "wrong_type"},
        /* 30 + 60 = 90, not 100 */
        {"{\"indicators\":[" IND("a", 30) "," IND("b", 60) "]," TH "}", "indicators", "weight_sum"},
        {"{\"indicators\":[" IND("a", 100) "]}", "mode_thresholds", "required"},
        {"{\"indicators\":[" IND("a", 100) "],\"mode_thresholds\":[40,70]}", "mode_thresholds",
         "wrong_type"},
        {"{\"indicators\":[" IND("a", 100) "],\"mode_thresholds\":{\"strategic\":70}}",
         "mode_thresholds.consultative", "required"},
        {"{\"indicators\":[" IND("a", 100) "],\"mode_thresholds\":{\"consultative\":40}}",
         "mode_thresholds.strategic", "required"},
        {"{\"indicators\":[" IND(
             "a", 100) "],"
                       "\"mode_thresholds\":{\"consultative\":40,\"strategic\":101}}",
         "mode_thresholds.strategic", "out_of_range"},
        {"{\"indicators\":[" IND("a",
                                 100) "],"
                                      "\"mode_thresholds\":{\"consultative\":-1,\"strategic\":70}}",
         "mode_thresholds.consultative", "out_of_range"},
        {"{\"indicators\":[" IND(
             "a", 100) "],"
                       "\"mode_thresholds\":{\"consultative\":40.5,\"strategic\":70}}",
         "mode_thresholds.consultative", "wrong_type"},
        {"{\"indicators\":[" IND("a",
                                 100) "],"
                                      "\"mode_thresholds\":{\"consultative\":70,\"strategic\":70}}",
         "mode_thresholds.strategic", "threshold_order"},
        {"{\"indicators\":[" IND(
             "a", 100) "],"
                       "\"mode_thresholds\":{\"consultative\":40,\"strategic\":70,\"vip\":90}}",
         "mode_thresholds.vip", "unknown_field"},
    };
    expect_errors(config_validate, cases, sizeof(cases) / sizeof(cases[0]));

    /* 21 indicators: too many, whatever their weights. */
    char text[4096];
    size_t used = (size_t)snprintf(text, sizeof(text), "{\"indicators\":[");
    for (int i = 0; i < 21; i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used,
                                 "%s{\"id\":\"i%d\",\"name\":{\"zh\":\"a\",\"en\":\"a\"},"
                                 "\"weight\":1}",
                                 i ? "," : "", i);
    snprintf(text + used, sizeof(text) - used, "]," TH "}");
    error_case many = {text, "indicators", "too_many"};
    expect_errors(config_validate, &many, 1);
}

/* ---- opportunity evaluation: form ---- */

static void evaluation_form_is_normalized(void **state)
{
    (void)state;
    json_t *out = valid(eval_validate_default,
                        "{\"money\":{\"answer\":\"yes\",\"evidence\":\"  预算已批 500 万  \"},"
                        " \"need\":{\"answer\":\"no\",\"evidence\":\"\"},"
                        " \"authority\":null,"
                        " \"indicators\":[{\"id\":\"need_urgency\",\"score\":80},"
                        "                 {\"id\":\"budget_size\",\"score\":0}],"
                        " \"qualitative\":{\"score\":65,\"note\":null}}");
    /* Evidence trimmed, blank evidence and null parts dropped, missing MAN
     * parts "unknown", input order of indicators kept. */
    assert_json(out, "{\"money\":{\"answer\":\"yes\",\"evidence\":\"预算已批 500 万\"},"
                     " \"authority\":{\"answer\":\"unknown\"}, \"need\":{\"answer\":\"no\"},"
                     " \"indicators\":[{\"id\":\"need_urgency\",\"score\":80},"
                     "                 {\"id\":\"budget_size\",\"score\":0}],"
                     " \"qualitative\":{\"score\":65}}");
    /* The normalized copy validates to itself. */
    json_t *again = NULL;
    bf_error err;
    assert_int_equal(evaluation_validate(out, NULL, &again, &err), BF_OK);
    assert_true(json_equal(out, again));
    json_decref(again);
    json_decref(out);

    out = valid(eval_validate_default, "{}");
    assert_json(out, "{\"money\":{\"answer\":\"unknown\"},\"authority\":{\"answer\":\"unknown\"},"
                     "\"need\":{\"answer\":\"unknown\"},\"indicators\":[]}");
    json_decref(out);
}

static void evaluation_errors_name_the_field(void **state)
{
    (void)state;
    static char long_evidence[8192], long_case[8300];
    repeat(long_evidence, sizeof(long_evidence), "证", 2001); /* 2001 characters > 2000 */
    snprintf(long_case, sizeof(long_case), "{\"money\":{\"answer\":\"yes\",\"evidence\":\"%s\"}}",
             long_evidence);
    const error_case cases[] = {
        {"[]", "", "wrong_type"},
        {"\"yes\"", "", "wrong_type"},
        {"{\"budget\":1}", "budget", "unknown_field"},
        {"{\"money\":\"yes\"}", "money", "wrong_type"},
        {"{\"money\":{}}", "money.answer", "required"},
        {"{\"money\":{\"answer\":null}}", "money.answer", "required"},
        {"{\"authority\":{\"answer\":\"maybe\"}}", "authority.answer", "invalid_value"},
        {"{\"need\":{\"answer\":1}}", "need.answer", "wrong_type"},
        {"{\"need\":{\"answer\":\"yes\",\"source\":\"x\"}}", "need.source", "unknown_field"},
        {"{\"money\":{\"answer\":\"yes\",\"evidence\":5}}", "money.evidence", "wrong_type"},
        {long_case, "money.evidence", "too_long"},
        {"{\"indicators\":{\"budget_size\":80}}", "indicators", "wrong_type"},
        {"{\"indicators\":[80]}", "indicators[0]", "wrong_type"},
        {"{\"indicators\":[{\"score\":80}]}", "indicators[0].id", "required"},
        {"{\"indicators\":[{\"id\":3,\"score\":80}]}", "indicators[0].id", "wrong_type"},
        {"{\"indicators\":[{\"id\":\"budget_size\",\"score\":80},{\"id\":\"luck\",\"score\":9}]}",
         "indicators[1].id", "unknown_indicator"},
        {"{\"indicators\":[{\"id\":\"budget_size\",\"score\":80},"
         "{\"id\":\"budget_size\",\"score\":70}]}",
         "indicators[1].id", "duplicate"},
        {"{\"indicators\":[{\"id\":\"budget_size\"}]}", "indicators[0].score", "required"},
        {"{\"indicators\":[{\"id\":\"budget_size\",\"score\":101}]}", "indicators[0].score",
         "out_of_range"},
        {"{\"indicators\":[{\"id\":\"budget_size\",\"score\":-1}]}", "indicators[0].score",
         "out_of_range"},
        {"{\"indicators\":[{\"id\":\"budget_size\",\"score\":\"80\"}]}", "indicators[0].score",
         "wrong_type"},
        {"{\"indicators\":[{\"id\":\"budget_size\",\"score\":79.5}]}", "indicators[0].score",
         "wrong_type"},
        {"{\"indicators\":[{\"id\":\"budget_size\",\"score\":80,\"weight\":30}]}",
         "indicators[0].weight", "unknown_field"},
        {"{\"qualitative\":\"high\"}", "qualitative", "wrong_type"},
        {"{\"qualitative\":{\"note\":\"big\"}}", "qualitative.score", "required"},
        {"{\"qualitative\":{\"score\":101}}", "qualitative.score", "out_of_range"},
        {"{\"qualitative\":{\"score\":true}}", "qualitative.score", "wrong_type"},
        {"{\"qualitative\":{\"score\":50,\"note\":3}}", "qualitative.note", "wrong_type"},
        {"{\"qualitative\":{\"score\":50,\"by\":\"王经理\"}}", "qualitative.by", "unknown_field"},
    };
    expect_errors(eval_validate_default, cases, sizeof(cases) / sizeof(cases[0]));

    /* Exactly 2000 characters (6000 bytes) is allowed: characters, not bytes. */
    snprintf(long_case, sizeof(long_case), "{\"money\":{\"answer\":\"yes\",\"evidence\":\"%s\"}}",
             long_evidence + 3);
    json_decref(valid(eval_validate_default, long_case));

    /* Indicator ids are those of the configuration given, not the default. */
    json_t *cfg = J("{\"indicators\":[" IND("luck", 100) "]," TH "}");
    json_t *in = J("{\"indicators\":[{\"id\":\"budget_size\",\"score\":80}]}");
    json_t *out = NULL;
    bf_error err;
    assert_int_equal(evaluation_validate(in, cfg, &out, &err), BF_ERR_INVALID);
    assert_string_equal(err.field, "indicators[0].id");
    assert_string_equal(err.code, "unknown_indicator");
    json_decref(in);
    in = J("{\"indicators\":[{\"id\":\"luck\",\"score\":80}]}");
    assert_int_equal(evaluation_validate(in, cfg, &out, &err), BF_OK);
    json_decref(out);
    json_decref(in);
    json_decref(cfg);
}

/* Evaluates form (JSON text) under cfg (JSON text or NULL for the default). */
static json_t *result_of(const char *form, const char *cfg, const char *chosen)
{
    json_t *f = form ? J(form) : NULL;
    json_t *c = cfg ? J(cfg) : NULL;
    json_t *r = evaluation_result(f, c, chosen);
    assert_non_null(r);
    json_decref(f);
    json_decref(c);
    return r;
}

static void weighted_score_worked_examples(void **state)
{
    (void)state;
    /* The brief's example, weights 30/25/20/15/10, scores 80/60/90/40/70:
     * (30·80 + 25·60 + 20·90 + 15·40 + 10·70) / 100
     * = (2400 + 1500 + 1800 + 600 + 700) / 100 = 7000 / 100 = 70.00,
     * exactly the strategic threshold 70 → strategic. */
    const char *five = "{\"indicators\":[" IND("a", 30) "," IND("b", 25) "," IND("c", 20) "," IND(
        "d", 15) "," IND("e", 10) "]," TH "}";
    json_t *r =
        result_of("{\"indicators\":[{\"id\":\"a\",\"score\":80},{\"id\":\"b\",\"score\":60},"
                  "{\"id\":\"c\",\"score\":90},{\"id\":\"d\",\"score\":40},"
                  "{\"id\":\"e\",\"score\":70}]}",
                  five, NULL);
    assert_string_equal(S(r, "score.value"), "70.00");
    assert_int_equal(json_integer_value(G(r, "score.hundredths")), 7000);
    assert_string_equal(S(r, "recommended_mode"), "strategic");
    assert_true(json_is_null(G(r, "chosen_mode")));
    assert_true(json_is_null(G(r, "warning")));
    assert_true(json_is_null(G(r, "qualitative")));
    json_decref(r);

    /* Default weights 25/20/20/15/10/10 (budget_size, decision_maker_access,
     * need_urgency, solution_fit, competitive_position, relationship), scores
     * 90/70/80/60/50/40: 2250 + 1400 + 1600 + 900 + 500 + 400 = 7050 → 70.50. */
    r = result_of("{\"indicators\":[{\"id\":\"relationship\",\"score\":40},"
                  "{\"id\":\"budget_size\",\"score\":90},"
                  "{\"id\":\"decision_maker_access\",\"score\":70},"
                  "{\"id\":\"need_urgency\",\"score\":80},{\"id\":\"solution_fit\",\"score\":60},"
                  "{\"id\":\"competitive_position\",\"score\":50}],"
                  "\"qualitative\":{\"score\":85,\"note\":\"集团级项目\"}}",
                  NULL, "strategic");
    assert_string_equal(S(r, "score.value"), "70.50");
    assert_int_equal(json_integer_value(G(r, "score.hundredths")), 7050);
    assert_int_equal(json_integer_value(G(r, "qualitative")), 85);
    assert_string_equal(S(r, "recommended_mode"), "strategic");
    assert_string_equal(S(r, "chosen_mode"), "strategic");
    assert_true(json_is_null(G(r, "warning")));
    json_decref(r);

    /* Missing indicators count as 0: only budget_size 100 and need_urgency
     * 100 scored → (25·100 + 20·100) / 100 = 4500 / 100 = 45.00 → consultative. */
    r = result_of("{\"indicators\":[{\"id\":\"budget_size\",\"score\":100},"
                  "{\"id\":\"need_urgency\",\"score\":100}]}",
                  NULL, NULL);
    assert_string_equal(S(r, "score.value"), "45.00");
    assert_string_equal(S(r, "recommended_mode"), "consultative");
    json_decref(r);

    /* Nothing filled in: 0.00, quick, MAN "other". */
    r = evaluation_result(NULL, NULL, NULL);
    assert_non_null(r);
    assert_string_equal(S(r, "score.value"), "0.00");
    assert_int_equal(json_integer_value(G(r, "score.hundredths")), 0);
    assert_string_equal(S(r, "recommended_mode"), "quick");
    assert_string_equal(S(r, "man.class"), "other");
    json_decref(r);
}

static void weighted_score_rounds_half_up(void **state)
{
    (void)state;
    /* Weights that do not sum to 100 (a configuration config_validate would
     * refuse, but the formula is general): with a sum of 100 and integer
     * scores the average is always exact in hundredths. */
    const char *w35 = "{\"indicators\":[" IND("a", 3) "," IND("b", 5) "]," TH "}";
    /* (3·67 + 5·66) / 8 = (201 + 330) / 8 = 531 / 8 = 66.375 → 66.38 (half up). */
    json_t *r = result_of(
        "{\"indicators\":[{\"id\":\"a\",\"score\":67},{\"id\":\"b\",\"score\":66}]}", w35, NULL);
    assert_string_equal(S(r, "score.value"), "66.38");
    assert_int_equal(json_integer_value(G(r, "score.hundredths")), 6638);
    json_decref(r);
    /* (3·1 + 5·0) / 8 = 0.375 → 0.38. */
    r = result_of("{\"indicators\":[{\"id\":\"a\",\"score\":1}]}", w35, NULL);
    assert_string_equal(S(r, "score.value"), "0.38");
    json_decref(r);

    const char *w12 = "{\"indicators\":[" IND("a", 1) "," IND("b", 2) "]," TH "}";
    /* (1·0 + 2·1) / 3 = 0.6666… → 0.67 (up). */
    r = result_of("{\"indicators\":[{\"id\":\"b\",\"score\":1}]}", w12, NULL);
    assert_string_equal(S(r, "score.value"), "0.67");
    json_decref(r);
    /* (1·1 + 2·0) / 3 = 0.3333… → 0.33 (down). */
    r = result_of("{\"indicators\":[{\"id\":\"a\",\"score\":1}]}", w12, NULL);
    assert_string_equal(S(r, "score.value"), "0.33");
    json_decref(r);
    /* (1·100 + 2·99) / 3 = 298 / 3 = 99.3333… → 99.33. */
    r = result_of("{\"indicators\":[{\"id\":\"a\",\"score\":100},{\"id\":\"b\",\"score\":99}]}",
                  w12, NULL);
    assert_string_equal(S(r, "score.value"), "99.33");
    assert_int_equal(json_integer_value(G(r, "score.hundredths")), 9933);
    json_decref(r);
}

static void mode_thresholds_boundaries(void **state)
{
    (void)state;
    /* Default weights, every indicator scored s except solution_fit s-1 and
     * relationship s+1: 100·s - 15 + 10 = 100·s - 5 hundredths. */
    static const struct {
        int s;
        bool just_below;
        const char *value, *mode;
    } cases[] = {
        {40, true, "39.95", "quick"},         /* 4000 - 5 = 3995 < 4000 */
        {40, false, "40.00", "consultative"}, /* 4000 = 40·100 */
        {70, true, "69.95", "consultative"},  /* 6995 < 7000 */
        {70, false, "70.00", "strategic"},    /* 7000 = 70·100 */
        {0, false, "0.00", "quick"},          {100, false, "100.00", "strategic"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int s = cases[i].s, fit = cases[i].just_below ? s - 1 : s,
            rel = cases[i].just_below ? s + 1 : s;
        char form[512];
        snprintf(form, sizeof(form),
                 "{\"indicators\":[{\"id\":\"budget_size\",\"score\":%d},"
                 "{\"id\":\"decision_maker_access\",\"score\":%d},"
                 "{\"id\":\"need_urgency\",\"score\":%d},{\"id\":\"solution_fit\",\"score\":%d},"
                 "{\"id\":\"competitive_position\",\"score\":%d},"
                 "{\"id\":\"relationship\",\"score\":%d}]}",
                 s, s, s, fit, s, rel);
        json_t *r = result_of(form, NULL, NULL);
        assert_string_equal(S(r, "score.value"), cases[i].value);
        assert_string_equal(S(r, "recommended_mode"), cases[i].mode);
        json_decref(r);
    }

    /* Other thresholds: one indicator of weight 100, consultative 10,
     * strategic 11 — 10.00 consultative, 11.00 strategic, 9.00 quick. */
    const char *cfg = "{\"indicators\":[" IND(
        "a", 100) "],"
                  "\"mode_thresholds\":{\"consultative\":10,\"strategic\":11}}";
    static const struct {
        const char *form, *mode;
    } near[] = {
        {"{\"indicators\":[{\"id\":\"a\",\"score\":9}]}", "quick"},
        {"{\"indicators\":[{\"id\":\"a\",\"score\":10}]}", "consultative"},
        {"{\"indicators\":[{\"id\":\"a\",\"score\":11}]}", "strategic"},
    };
    for (size_t i = 0; i < 3; i++) {
        json_t *r = result_of(near[i].form, cfg, NULL);
        assert_string_equal(S(r, "recommended_mode"), near[i].mode);
        json_decref(r);
    }
}

static void man_classes_and_actions(void **state)
{
    (void)state;
    static const struct {
        const char *m, *a, *n, *cls;
    } cases[] = {
        {"yes", "yes", "yes", "M+A+N"},     {"yes", "yes", "no", "M+A+n"},
        {"yes", "yes", "unknown", "M+A+n"}, {"yes", "no", "yes", "M+a+N"},
        {"yes", "unknown", "yes", "M+a+N"}, {"no", "yes", "yes", "m+A+N"},
        {"unknown", "yes", "yes", "m+A+N"}, {"yes", "no", "no", "other"},
        {"no", "yes", "no", "other"},       {"no", "no", "yes", "other"},
        {"no", "no", "no", "other"},        {"unknown", "unknown", "unknown", "other"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char form[256];
        snprintf(form, sizeof(form),
                 "{\"money\":{\"answer\":\"%s\"},\"authority\":{\"answer\":\"%s\"},"
                 "\"need\":{\"answer\":\"%s\"}}",
                 cases[i].m, cases[i].a, cases[i].n);
        json_t *r = result_of(form, NULL, NULL);
        assert_string_equal(S(r, "man.class"), cases[i].cls);
        assert_non_null(S(r, "man.label.zh"));
        assert_non_null(S(r, "man.label.en"));
        assert_non_null(S(r, "man.action.zh"));
        assert_non_null(S(r, "man.action.en"));
        json_decref(r);
    }
    /* Seed 003's actions: M+a+N find the one with authority; m+A+N follow up
     * over the long term. */
    json_t *r =
        result_of("{\"money\":{\"answer\":\"yes\"},\"need\":{\"answer\":\"yes\"}}", NULL, NULL);
    assert_non_null(strstr(S(r, "man.action.zh"), "决策权的人"));
    json_decref(r);
    r = result_of("{\"authority\":{\"answer\":\"yes\"},\"need\":{\"answer\":\"yes\"}}", NULL, NULL);
    assert_non_null(strstr(S(r, "man.action.zh"), "长期跟踪"));
    json_decref(r);
}

static void big_deal_worked_small_is_warned(void **state)
{
    (void)state;
    /* 80 everywhere: 100·80 = 8000 → 80.00 → strategic. */
    const char *big =
        "{\"indicators\":[{\"id\":\"budget_size\",\"score\":80},"
        "{\"id\":\"decision_maker_access\",\"score\":80},"
        "{\"id\":\"need_urgency\",\"score\":80},{\"id\":\"solution_fit\",\"score\":80},"
        "{\"id\":\"competitive_position\",\"score\":80},"
        "{\"id\":\"relationship\",\"score\":80}]}";
    json_t *r = result_of(big, NULL, "quick");
    assert_string_equal(S(r, "recommended_mode"), "strategic");
    assert_string_equal(S(r, "chosen_mode"), "quick");
    assert_string_equal(S(r, "warning.code"), "mode_below_recommendation");
    assert_non_null(strstr(S(r, "warning.text.zh"), "防止大单做小"));
    assert_non_null(strstr(S(r, "warning.text.zh"), "战略"));
    assert_non_null(strstr(S(r, "warning.text.zh"), "快刀"));
    assert_non_null(strstr(S(r, "warning.text.en"), "strategic"));
    json_decref(r);

    r = result_of(big, NULL, "consultative");
    assert_string_equal(S(r, "warning.code"), "mode_below_recommendation");
    json_decref(r);

    /* A mode outside the three cannot be compared: no warning. */
    r = result_of(big, NULL, "channel-only");
    assert_string_equal(S(r, "chosen_mode"), "channel-only");
    assert_true(json_is_null(G(r, "warning")));
    json_decref(r);

    /* Working a small deal big is allowed: 0.00 → quick, strategic chosen. */
    r = result_of("{}", NULL, "strategic");
    assert_string_equal(S(r, "recommended_mode"), "quick");
    assert_true(json_is_null(G(r, "warning")));
    json_decref(r);
}

/* ---- MANT ---- */

static const char *const none[] = {NULL};

static void mant_complete_from_data(void **state)
{
    (void)state;
    json_t *form =
        valid(mant_validate, "{\"money\":{\"budget\":500000000,\"source\":\"自筹加上级配套\","
                             "\"approved\":true,\"in_place\":true},"
                             "\"needs\":[\"无线覆盖车间\",\"终端统一管理\",\"研发数据不外泄\"],"
                             "\"time\":{\"tender_month\":\"2026-09\",\"go_live\":\"2027-01-15\"}}");
    const char *const approvers[] = {"张总", NULL};
    const char *const deciders[] = {"李处长", NULL};
    const char *const evaluators[] = {"王工", "赵工", NULL};
    const char *const coaches[] = {"陈主任", NULL};
    mant_authority au = {approvers, deciders, evaluators, coaches};
    json_t *r = mant_evaluate(form, &au);
    assert_non_null(r);
    assert_json(r, "{\"complete\":true,\"parts\":{"
                   "\"money\":{\"complete\":true,\"missing\":[]},"
                   "\"authority\":{\"complete\":true,\"missing\":[],\"approvers\":[\"张总\"],"
                   "  \"decision_makers\":[\"李处长\"],\"evaluators\":[\"王工\",\"赵工\"],"
                   "  \"coaches\":[\"陈主任\"]},"
                   "\"needs\":{\"complete\":true,\"missing\":[],\"count\":3},"
                   "\"time\":{\"complete\":true,\"missing\":[]}}}");
    json_decref(r);

    /* No coach among the contacts: authority, and so MANT, incomplete. */
    mant_authority no_coach = {approvers, deciders, evaluators, none};
    r = mant_evaluate(form, &no_coach);
    assert_false(json_is_true(G(r, "complete")));
    assert_false(json_is_true(G(r, "parts.authority.complete")));
    assert_json(G(r, "parts.authority.missing"), "[\"coaches\"]");
    assert_true(json_is_true(G(r, "parts.money.complete")));
    json_decref(r);

    /* Empty names do not count; NULL lists are empty. */
    const char *const blank[] = {"", NULL};
    mant_authority thin = {blank, NULL, evaluators, coaches};
    r = mant_evaluate(form, &thin);
    assert_json(G(r, "parts.authority.missing"), "[\"approvers\",\"decision_makers\"]");
    assert_json(G(r, "parts.authority.approvers"), "[]");
    json_decref(r);
    json_decref(form);
}

static void mant_incomplete_parts(void **state)
{
    (void)state;
    /* Budget 0, approved false, no in_place; two needs; no go-live. */
    json_t *form = valid(mant_validate, "{\"money\":{\"budget\":0,\"source\":\"上级拨款\","
                                        "\"approved\":false},"
                                        "\"needs\":[\"骨干网升级\",\"接入层扩容\"],"
                                        "\"time\":{\"tender_month\":\"2026-11\"}}");
    const char *const one[] = {"某人", NULL};
    mant_authority au = {one, one, one, one};
    json_t *r = mant_evaluate(form, &au);
    assert_false(json_is_true(G(r, "complete")));
    assert_json(G(r, "parts.money"),
                "{\"complete\":false,\"missing\":[\"budget\",\"approved\",\"in_place\"]}");
    assert_json(G(r, "parts.needs"), "{\"complete\":false,\"missing\":[\"needs\"],\"count\":2}");
    assert_json(G(r, "parts.time"), "{\"complete\":false,\"missing\":[\"go_live\"]}");
    assert_true(json_is_true(G(r, "parts.authority.complete")));
    json_decref(r);
    json_decref(form);

    /* Five needs are still complete (3..5). */
    form = valid(mant_validate, "{\"needs\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}");
    r = mant_evaluate(form, NULL);
    assert_json(G(r, "parts.needs"), "{\"complete\":true,\"missing\":[],\"count\":5}");
    json_decref(r);
    json_decref(form);

    /* Nothing filled in, no contacts. */
    r = mant_evaluate(NULL, NULL);
    assert_non_null(r);
    assert_json(r, "{\"complete\":false,\"parts\":{"
                   "\"money\":{\"complete\":false,"
                   "  \"missing\":[\"budget\",\"source\",\"approved\",\"in_place\"]},"
                   "\"authority\":{\"complete\":false,\"missing\":[\"approvers\","
                   "  \"decision_makers\",\"evaluators\",\"coaches\"],\"approvers\":[],"
                   "  \"decision_makers\":[],\"evaluators\":[],\"coaches\":[]},"
                   "\"needs\":{\"complete\":false,\"missing\":[\"needs\"],\"count\":0},"
                   "\"time\":{\"complete\":false,\"missing\":[\"tender_month\",\"go_live\"]}}}");
    json_decref(r);
}

static void mant_form_is_normalized(void **state)
{
    (void)state;
    json_t *out = valid(mant_validate, "{\"money\":{\"budget\":120000000,\"source\":\" \","
                                       "\"approved\":null,\"in_place\":false},"
                                       "\"needs\":[\"\u3000提升网络稳定性 \"],\"time\":null}");
    assert_json(out, "{\"money\":{\"budget\":120000000,\"in_place\":false},"
                     "\"needs\":[\"提升网络稳定性\"]}");
    json_decref(out);
}

static void mant_errors_name_the_field(void **state)
{
    (void)state;
    static char long_need[2048], long_case[2200];
    repeat(long_need, sizeof(long_need), "需", 501);
    snprintf(long_case, sizeof(long_case), "{\"needs\":[\"a\",\"b\",\"%s\"]}", long_need);
    const error_case cases[] = {
        {"[]", "", "wrong_type"},
        {"{\"authority\":{}}", "authority", "unknown_field"},
        {"{\"money\":500}", "money", "wrong_type"},
        {"{\"money\":{\"budget\":-1}}", "money.budget", "out_of_range"},
        {"{\"money\":{\"budget\":1.5}}", "money.budget", "wrong_type"},
        {"{\"money\":{\"budget\":\"500万\"}}", "money.budget", "wrong_type"},
        {"{\"money\":{\"source\":42}}", "money.source", "wrong_type"},
        {"{\"money\":{\"approved\":\"yes\"}}", "money.approved", "wrong_type"},
        {"{\"money\":{\"in_place\":1}}", "money.in_place", "wrong_type"},
        {"{\"money\":{\"currency\":\"CNY\"}}", "money.currency", "unknown_field"},
        {"{\"needs\":\"网络\"}", "needs", "wrong_type"},
        {"{\"needs\":[]}", "needs", "too_few"},
        {"{\"needs\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}", "needs", "too_many"},
        {"{\"needs\":[5]}", "needs[0]", "wrong_type"},
        {"{\"needs\":[\"a\",\"  \"]}", "needs[1]", "required"},
        {long_case, "needs[2]", "too_long"},
        {"{\"time\":\"2026-09\"}", "time", "wrong_type"},
        {"{\"time\":{\"tender_month\":\"2026-13\"}}", "time.tender_month", "invalid_month"},
        {"{\"time\":{\"tender_month\":\"2026-9\"}}", "time.tender_month", "invalid_month"},
        {"{\"time\":{\"tender_month\":\"2026-09-01\"}}", "time.tender_month", "invalid_month"},
        {"{\"time\":{\"tender_month\":202609}}", "time.tender_month", "wrong_type"},
        {"{\"time\":{\"go_live\":\"2026-02-30\"}}", "time.go_live", "invalid_date"},
        {"{\"time\":{\"go_live\":true}}", "time.go_live", "wrong_type"},
        {"{\"time\":{\"bid_day\":\"2026-09-01\"}}", "time.bid_day", "unknown_field"},
    };
    expect_errors(mant_validate, cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- 5W+2P ---- */

static void w5p2_counts_answers(void **state)
{
    (void)state;
    json_t *form = valid(w5p2_validate, "{\"motive\":\"现有系统跟不上业务增长\","
                                        "\"decision_maker\":\"刘总，本人很想上\","
                                        "\"budget\":\"约 80 万\",\"competitors\":\"  \","
                                        "\"timetable\":null}");
    /* Blank and null answers are dropped: 3 answered. */
    assert_int_equal(json_object_size(form), 3);
    json_t *r = w5p2_evaluate(form, NULL);
    assert_non_null(r);
    assert_int_equal(json_integer_value(G(r, "answered")), 3);
    assert_int_equal(json_integer_value(G(r, "total")), 7);
    assert_false(json_is_true(G(r, "complete")));
    json_t *qs = G(r, "questions");
    assert_int_equal(json_array_size(qs), 7);
    static const char *const ids[] = {"motive",      "decision_maker", "process",  "needs",
                                      "competitors", "budget",         "timetable"};
    for (size_t i = 0; i < 7; i++) {
        json_t *q = json_array_get(qs, i);
        assert_string_equal(S(q, "id"), ids[i]);
        assert_non_null(S(q, "question.zh"));
        assert_non_null(S(q, "question.en"));
    }
    assert_string_equal(S(json_array_get(qs, 0), "answer"), "现有系统跟不上业务增长");
    assert_true(json_is_null(G(json_array_get(qs, 2), "answer")));
    assert_string_equal(S(json_array_get(qs, 5), "answer"), "约 80 万");
    json_decref(r);
    json_decref(form);

    form = valid(w5p2_validate, "{\"motive\":\"a\",\"decision_maker\":\"b\",\"process\":\"c\","
                                "\"needs\":\"d\",\"competitors\":\"e\",\"budget\":\"f\","
                                "\"timetable\":\"g\"}");
    r = w5p2_evaluate(form, NULL);
    assert_int_equal(json_integer_value(G(r, "answered")), 7);
    assert_true(json_is_true(G(r, "complete")));
    json_decref(r);
    json_decref(form);

    r = w5p2_evaluate(NULL, NULL);
    assert_int_equal(json_integer_value(G(r, "answered")), 0);
    assert_false(json_is_true(G(r, "complete")));
    json_decref(r);
}

static void w5p2_errors_name_the_field(void **state)
{
    (void)state;
    static char long_answer[8192], long_case[8300];
    repeat(long_answer, sizeof(long_answer), "答", 2001);
    snprintf(long_case, sizeof(long_case), "{\"process\":\"%s\"}", long_answer);
    const error_case cases[] = {
        {"[\"motive\"]", "", "wrong_type"},         {"{\"why\":\"x\"}", "why", "unknown_field"},
        {"{\"motive\":1}", "motive", "wrong_type"}, {"{\"needs\":[\"a\"]}", "needs", "wrong_type"},
        {long_case, "process", "too_long"},
    };
    expect_errors(w5p2_validate, cases, sizeof(cases) / sizeof(cases[0]));
}

/* ---- compelling event ---- */

static void ce_must_be_measurable(void **state)
{
    (void)state;
    json_t *form =
        valid(ce_validate, "{\"what\":\"写字楼 9 月 1 日前交付租户\",\"by_when\":\"2026-09-01\","
                           "\"consequence\":\"网络不通则开发商违约，每周损失租金 20 万元\"}");
    json_t *r = ce_evaluate(form, true);
    assert_json(G(r, "missing"), "[]");
    assert_true(json_is_true(G(r, "complete")));
    assert_true(json_is_true(G(r, "required_now")));
    assert_false(json_is_true(G(r, "flag")));
    assert_non_null(S(r, "text.zh"));
    assert_non_null(S(r, "text.en"));
    json_decref(r);
    json_decref(form);

    /* Full-width digits count. */
    json_decref(valid(ce_validate, "{\"consequence\":\"延期一周赔偿２０万元\"}"));

    static const error_case cases[] = {
        {"{\"consequence\":\"学生吃不了饭会闹事\"}", "consequence", "not_measurable"},
        {"{\"consequence\":\"损失很大\"}", "consequence", "not_measurable"},
        {"{\"consequence\":7}", "consequence", "wrong_type"},
        {"[]", "", "wrong_type"},
        {"{\"reason\":\"x\"}", "reason", "unknown_field"},
        {"{\"what\":[]}", "what", "wrong_type"},
        {"{\"by_when\":\"2026-9-1\"}", "by_when", "invalid_date"},
        {"{\"by_when\":\"2026-02-29\"}", "by_when", "invalid_date"}, /* 2026 is not leap */
        {"{\"by_when\":20260901}", "by_when", "wrong_type"},
    };
    expect_errors(ce_validate, cases, sizeof(cases) / sizeof(cases[0]));

    json_t *in = J("{\"consequence\":\"损失很大\"}");
    json_t *out = NULL;
    bf_error err;
    assert_int_equal(ce_validate(in, &out, &err), BF_ERR_INVALID);
    assert_non_null(strstr(err.message, "measurable"));
    json_decref(in);
}

static void ce_flag_when_required(void **state)
{
    (void)state;
    json_t *form = valid(ce_validate, "{\"what\":\"一卡通上线\",\"by_when\":\"2026-08-20\"}");
    json_t *r = ce_evaluate(form, true);
    assert_json(G(r, "missing"), "[\"consequence\"]");
    assert_false(json_is_true(G(r, "complete")));
    assert_true(json_is_true(G(r, "flag")));
    assert_non_null(strstr(S(r, "text.zh"), "CE"));
    json_decref(r);

    r = ce_evaluate(form, false);
    assert_false(json_is_true(G(r, "flag")));
    assert_false(json_is_true(G(r, "required_now")));
    json_decref(r);
    json_decref(form);

    r = ce_evaluate(NULL, true);
    assert_json(G(r, "missing"), "[\"what\",\"by_when\",\"consequence\"]");
    assert_true(json_is_true(G(r, "flag")));
    json_decref(r);

    /* A blank answer is dropped by the validator and counts as missing. */
    form =
        valid(ce_validate, "{\"what\":\" \",\"by_when\":null,\"consequence\":\"少收 3 个月房租\"}");
    assert_json(form, "{\"consequence\":\"少收 3 个月房租\"}");
    r = ce_evaluate(form, false);
    assert_json(G(r, "missing"), "[\"what\",\"by_when\"]");
    json_decref(r);
    json_decref(form);
}

/* The checklist items derived from MANT: the part an item names, or MANT as
 * a whole, and the evidence in either language. */
static void mant_items_name_what_is_missing(void **state)
{
    (void)state;
    const char *const approvers[] = {"甲", NULL}, *const nobody[] = {NULL};
    mant_authority au = {approvers, nobody, nobody, nobody};
    json_t *form = J("{\"money\":{\"budget\":100,\"source\":\"自筹\",\"approved\":true,"
                     "\"in_place\":true},\"needs\":[\"a\",\"b\",\"c\"]}");
    json_t *mant = mant_evaluate(form, &au);
    json_t *money = mant_item_missing(mant, "mant-money");
    json_t *authority = mant_item_missing(mant, "mant-authority");
    json_t *whole = mant_item_missing(mant, "mant-verified");
    assert_int_equal(json_array_size(money), 0);
    assert_int_equal(json_array_size(authority), 3);
    assert_string_equal(json_string_value(json_array_get(authority, 0)), "decision_makers");
    assert_int_equal(json_array_size(whole), 2); /* authority and time */
    char text[256];
    mant_item_evidence(money, "zh", text, sizeof(text));
    assert_string_equal(text, "由MANT表与客户决策圈计算得出");
    mant_item_evidence(whole, "zh", text, sizeof(text));
    assert_string_equal(text, "MANT未完整，缺：权力（决策圈）、时间");
    mant_item_evidence(whole, "en", text, sizeof(text));
    assert_string_equal(text, "MANT incomplete, missing: authority (buying centre), time-scale");
    char small[24];
    mant_item_evidence(authority, "en", small, sizeof(small));
    assert_true(strlen(small) < sizeof(small));
    json_decref(money);
    json_decref(authority);
    json_decref(whole);
    json_decref(mant);
    json_decref(form);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_config_is_valid),
        cmocka_unit_test(config_errors_name_the_field),
        cmocka_unit_test(evaluation_form_is_normalized),
        cmocka_unit_test(evaluation_errors_name_the_field),
        cmocka_unit_test(weighted_score_worked_examples),
        cmocka_unit_test(weighted_score_rounds_half_up),
        cmocka_unit_test(mode_thresholds_boundaries),
        cmocka_unit_test(man_classes_and_actions),
        cmocka_unit_test(big_deal_worked_small_is_warned),
        cmocka_unit_test(mant_complete_from_data),
        cmocka_unit_test(mant_incomplete_parts),
        cmocka_unit_test(mant_form_is_normalized),
        cmocka_unit_test(mant_errors_name_the_field),
        cmocka_unit_test(w5p2_counts_answers),
        cmocka_unit_test(w5p2_errors_name_the_field),
        cmocka_unit_test(ce_must_be_measurable),
        cmocka_unit_test(ce_flag_when_required),
        cmocka_unit_test(mant_items_name_what_is_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
