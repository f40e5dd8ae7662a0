/* Unit tests of src/core/schema.c: paths, unknown keys, texts, dates,
 * booleans, integers, arrays, maps, defaults, rules, the code, field and
 * message each failure carries, and the JSON Schema made from a body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/schema.h"

static json_t *parse(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    assert_non_null(v);
    return v;
}

/* Checks text against s and asserts it fails as BF_ERR_INVALID with code,
 * field and message (message NULL: any). */
static void assert_refused(const schema *s, const char *text, const char *code, const char *field,
                           const char *message)
{
    json_t *in = parse(text), *out = (json_t *)1;
    bf_error err;
    bf_error_clear(&err);
    assert_int_equal(schema_check(s, in, &out, &err), BF_ERR_INVALID);
    assert_null(out);
    assert_string_equal(err.code, code);
    assert_string_equal(err.field, field);
    if (message)
        assert_string_equal(err.message, message);
    json_decref(in);
}

/* Checks text against s and asserts the normalized copy equals expected. */
static void assert_normalized(const schema *s, const char *text, const char *expected)
{
    json_t *in = parse(text), *want = parse(expected), *out = NULL;
    bf_error err;
    bf_result r = schema_check(s, in, &out, &err);
    if (r != BF_OK)
        fail_msg("%s: %s %s %s", text, err.code, err.field, err.message);
    if (!json_equal(out, want)) {
        char *got = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("%s: got %s, want %s", text, got, expected);
    }
    json_decref(in);
    json_decref(want);
    json_decref(out);
}

static const char *const answers[] = {"yes", "no", NULL};

static const schema part_members[] = {
    {.name = "answer", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = answers},
    {.name = "note", .kind = SCHEMA_TEXT, .max = 3},
    {0},
};

static const schema word = {.kind = SCHEMA_TEXT, .max = 4};
static const schema points = {.kind = SCHEMA_DECIMAL, .max = 1000};

static bf_result weights_sum(json_t *norm, const char *path, bf_error *err)
{
    json_int_t sum = 0;
    const char *key;
    json_t *v;
    json_object_foreach(norm, key, v)
    {
        sum += json_integer_value(v);
    }
    return sum == 100
               ? BF_OK
               : bf_fail(err, BF_ERR_INVALID, "weights_sum", path, "%s must sum to 100", path);
}

static const schema weight = {.kind = SCHEMA_INT, .min = 1, .max = 100};

static const schema body_members[] = {
    {.name = "name", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .max = 4},
    {.name = "us", .kind = SCHEMA_BOOL, .def = "false"},
    {.name = "weight", .kind = SCHEMA_INT, .min = 1, .max = 100},
    {.name = "due", .kind = SCHEMA_DATE},
    {.name = "month", .kind = SCHEMA_MONTH},
    {.name = "id", .kind = SCHEMA_ID},
    {.name = "budget", .kind = SCHEMA_MONEY, .max = 1000},
    {.name = "part", .kind = SCHEMA_OBJECT, .members = part_members},
    {.name = "words", .kind = SCHEMA_ARRAY, .min = 1, .max = 2, .item = &word},
    {.name = "scores", .kind = SCHEMA_MAP, .item = &points},
    {.name = "weights", .kind = SCHEMA_MAP, .item = &weight, .rule = weights_sum},
    {.name = "pair", .ref = &schema_text_pair},
    {.name = "secret", .kind = SCHEMA_SECRET, .max = 10},
    {0},
};

static const schema body = {.name = "Body", .kind = SCHEMA_OBJECT, .members = body_members};

static void paths_join_parents_keys_and_indexes(void **state)
{
    (void)state;
    char out[64];
    schema_path_key(out, sizeof(out), "", "name");
    assert_string_equal(out, "name");
    schema_path_key(out, sizeof(out), "factors[2]", "weight");
    assert_string_equal(out, "factors[2].weight");
    schema_path_index(out, sizeof(out), "bidders", 7);
    assert_string_equal(out, "bidders[7]");
    schema_path_format(out, sizeof(out), "scheme", "bidders[%d].price", 1);
    assert_string_equal(out, "scheme.bidders[1].price");
    schema_path_format(out, sizeof(out), "", "bidders[%d].price", 1);
    assert_string_equal(out, "bidders[1].price");

    char small[8];
    schema_path_key(small, sizeof(small), "money", "budget");
    assert_string_equal(small, "money.b");
}

static void one_of_and_ids(void **state)
{
    (void)state;
    static const char *const values[] = {"yes", "no", NULL};
    assert_true(schema_one_of("no", values));
    assert_false(schema_one_of("maybe", values));
    assert_false(schema_one_of("", values));

    assert_true(schema_id_valid("budget_size-2"));
    assert_false(schema_id_valid(""));
    assert_false(schema_id_valid("Budget"));
    assert_false(schema_id_valid("a b"));
    assert_true(schema_id_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));   /* 40 */
    assert_false(schema_id_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 41 */
    assert_refused(&body, "{\"name\":\"a\",\"id\":\"Bad\"}", "invalid_value", "id", NULL);
}

static void required_object_and_string(void **state)
{
    (void)state;
    assert_refused(&body, "[]", "wrong_type", "", "the body must be a JSON object");
    assert_refused(&body, "{}", "required", "name", "name is required");
    assert_refused(&body, "{\"name\":null}", "required", "name", "name is required");
    assert_refused(&body, "{\"name\":\"a\",\"part\":{}}", "required", "part.answer",
                   "part.answer is required");
    assert_refused(&body, "{\"name\":\"a\",\"part\":3}", "wrong_type", "part",
                   "part must be an object");
    assert_refused(&body, "{\"name\":3}", "wrong_type", "name", "name must be a string");
    assert_refused(&body, "{\"name\":\"a\",\"part\":{\"answer\":\"maybe\"}}", "invalid_value",
                   "part.answer", "part.answer must be one of: yes, no");
}

static void keys_name_the_unknown_one(void **state)
{
    (void)state;
    assert_refused(&body, "{\"name\":\"a\",\"colour\":2}", "unknown_field", "colour",
                   "colour is not a known field");
    assert_refused(&body, "{\"name\":\"a\",\"part\":{\"answer\":\"no\",\"colour\":1}}",
                   "unknown_field", "part.colour", "part.colour is not a known field");
    /* Unknown keys come before the members' own checks. */
    assert_refused(&body, "{\"colour\":2}", "unknown_field", "colour", NULL);
}

static void text_counts_characters_and_is_trimmed(void **state)
{
    (void)state;
    assert_normalized(&body, "{\"name\":\"销售漏斗\"}", "{\"name\":\"销售漏斗\",\"us\":false}");
    assert_normalized(&body, "{\"name\":\"\\u3000 ab \\t\"}", "{\"name\":\"ab\",\"us\":false}");
    assert_refused(&body, "{\"name\":\"销售漏斗哦\"}", "too_long", "name",
                   "name has more than 4 characters");
    assert_refused(&body, "{\"name\":\"  \"}", "required", "name", "name must not be empty");
    assert_refused(&body, "{\"name\":\"a\\u0000b\"}", "invalid_value", "name",
                   "name must not contain NUL characters");
    /* A blank optional text is not given; a secret is kept as sent. */
    assert_normalized(&body, "{\"name\":\"a\",\"part\":{\"answer\":\"no\",\"note\":\" \"}}",
                      "{\"name\":\"a\",\"us\":false,\"part\":{\"answer\":\"no\"}}");
    assert_normalized(&body, "{\"name\":\"a\",\"secret\":\" pw \"}",
                      "{\"name\":\"a\",\"us\":false,\"secret\":\" pw \"}");
}

static void dates_and_months_are_calendar_days(void **state)
{
    (void)state;
    assert_normalized(&body, "{\"name\":\"a\",\"due\":\"2028-02-29\",\"month\":\"2026-09\"}",
                      "{\"name\":\"a\",\"us\":false,\"due\":\"2028-02-29\",\"month\":\"2026-09\"}");
    assert_refused(&body, "{\"name\":\"a\",\"due\":\"2027-02-29\"}", "invalid_date", "due",
                   "due must be a date YYYY-MM-DD");
    assert_refused(&body, "{\"name\":\"a\",\"due\":20260101}", "wrong_type", "due",
                   "due must be a string");
    assert_refused(&body, "{\"name\":\"a\",\"month\":\"2026-13\"}", "invalid_month", "month",
                   "month must be a month YYYY-MM");
}

static void bools_ints_and_money(void **state)
{
    (void)state;
    assert_refused(&body, "{\"name\":\"a\",\"us\":\"true\"}", "wrong_type", "us",
                   "us must be true or false");
    assert_refused(&body, "{\"name\":\"a\",\"us\":1}", "wrong_type", "us", NULL);
    assert_refused(&body, "{\"name\":\"a\",\"weight\":101}", "out_of_range", "weight",
                   "weight must be between 1 and 100");
    assert_refused(&body, "{\"name\":\"a\",\"weight\":1.5}", "wrong_type", "weight",
                   "weight must be an integer");
    assert_refused(&body, "{\"name\":\"a\",\"budget\":-1}", "negative", "budget", NULL);
    assert_refused(&body, "{\"name\":\"a\",\"budget\":1001}", "out_of_range", "budget", NULL);
    assert_normalized(&body, "{\"name\":\"a\",\"us\":true,\"weight\":7}",
                      "{\"name\":\"a\",\"us\":true,\"weight\":7}");
}

static void arrays_maps_and_decimals(void **state)
{
    (void)state;
    assert_refused(&body, "{\"name\":\"a\",\"words\":[]}", "too_few", "words", NULL);
    assert_refused(&body, "{\"name\":\"a\",\"words\":[\"a\",\"b\",\"c\"]}", "too_many", "words",
                   "words has more than 2 items");
    assert_refused(&body, "{\"name\":\"a\",\"words\":[\"a\",\" \"]}", "required", "words[1]",
                   "words[1] must not be empty");
    assert_refused(&body, "{\"name\":\"a\",\"words\":[\"abcde\"]}", "too_long", "words[0]", NULL);
    assert_refused(&body, "{\"name\":\"a\",\"scores\":{\"x\":8.125}}", "too_many_decimals",
                   "scores.x", "scores.x may have at most two decimals");
    assert_refused(&body, "{\"name\":\"a\",\"scores\":{\"x\":10.5}}", "out_of_range", "scores.x",
                   NULL);
    assert_normalized(&body, "{\"name\":\"a\",\"scores\":{\"x\":8.35,\"y\":null}}",
                      "{\"name\":\"a\",\"us\":false,\"scores\":{\"x\":8.35}}");
    int64_t h = 0;
    json_t *v = json_real(8.35);
    assert_true(schema_hundredths(v, &h));
    assert_int_equal(h, 835);
    json_decref(v);
}

static void rules_and_named_parts(void **state)
{
    (void)state;
    assert_refused(&body, "{\"name\":\"a\",\"weights\":{\"a\":40,\"b\":50}}", "weights_sum",
                   "weights", "weights must sum to 100");
    assert_refused(&body, "{\"name\":\"a\",\"weights\":{\"a\":0}}", "out_of_range", "weights.a",
                   NULL);
    assert_normalized(&body, "{\"name\":\"a\",\"weights\":{\"a\":40,\"b\":60}}",
                      "{\"name\":\"a\",\"us\":false,\"weights\":{\"a\":40,\"b\":60}}");
    assert_refused(&body, "{\"name\":\"a\",\"pair\":{\"zh\":\"甲\"}}", "required", "pair.en", NULL);
}

typedef struct faults {
    char paths[8][128];
    size_t n;
} faults;

static void keep_fault(void *ctx, const bf_error *fault)
{
    faults *f = ctx;
    if (f->n < 8)
        snprintf(f->paths[f->n++], sizeof(f->paths[0]), "%s", fault->field);
}

static void check_all_lists_every_fault_in_order(void **state)
{
    (void)state;
    json_t *in = parse("{\"name\":3,\"colour\":1,\"words\":[\"a\",7,\"b\",\"c\"],"
                       "\"weights\":{\"a\":0,\"b\":50},\"due\":\"2027-02-30\"}");
    faults f = {0};
    assert_int_equal(schema_check_all(&body, in, keep_fault, &f), 6);
    assert_int_equal(f.n, 6);
    assert_string_equal(f.paths[0], "colour"); /* unknown keys first */
    assert_string_equal(f.paths[1], "name");   /* then members in declared order */
    assert_string_equal(f.paths[2], "due");
    assert_string_equal(f.paths[3], "words"); /* too many items, and still each one */
    assert_string_equal(f.paths[4], "words[1]");
    assert_string_equal(f.paths[5], "weights.a"); /* its node's rule (sum 100) is not run */
    json_decref(in);

    json_t *good = parse("{\"name\":\"a\"}");
    faults none = {0};
    assert_int_equal(schema_check_all(&body, good, keep_fault, &none), 0);
    json_decref(good);
    /* Outside schema_check_all the first fault ends the check, as before. */
    assert_refused(&body, "{\"name\":3,\"due\":\"x\"}", "wrong_type", "name", NULL);
}

static void json_schema_follows_the_declaration(void **state)
{
    (void)state;
    json_t *js = schema_to_json(&body, true);
    assert_non_null(js);
    assert_string_equal(json_string_value(json_object_get(js, "type")), "object");
    assert_true(json_is_false(json_object_get(js, "additionalProperties")));
    json_t *props = json_object_get(js, "properties");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(props, "name"), "maxLength")), 4);
    assert_string_equal(json_string_value(json_object_get(json_object_get(props, "pair"), "$ref")),
                        "#/components/schemas/TextPair");
    json_t *words = json_object_get(props, "words");
    assert_int_equal(json_integer_value(json_object_get(words, "maxItems")), 2);
    assert_int_equal(json_integer_value(json_object_get(words, "minItems")), 1);
    json_t *enums = json_object_get(
        json_object_get(json_object_get(json_object_get(props, "part"), "properties"), "answer"),
        "enum");
    assert_int_equal(json_array_size(enums), 2);
    json_t *required = json_object_get(js, "required");
    assert_int_equal(json_array_size(required), 1);
    assert_string_equal(json_string_value(json_array_get(required, 0)), "name");
    json_decref(js);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_join_parents_keys_and_indexes),
        cmocka_unit_test(one_of_and_ids),
        cmocka_unit_test(required_object_and_string),
        cmocka_unit_test(keys_name_the_unknown_one),
        cmocka_unit_test(text_counts_characters_and_is_trimmed),
        cmocka_unit_test(dates_and_months_are_calendar_days),
        cmocka_unit_test(bools_ints_and_money),
        cmocka_unit_test(arrays_maps_and_decimals),
        cmocka_unit_test(rules_and_named_parts),
        cmocka_unit_test(check_all_lists_every_fault_in_order),
        cmocka_unit_test(json_schema_follows_the_declaration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
