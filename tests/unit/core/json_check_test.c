/* Unit tests of src/core/json_check.c: paths, unknown keys, text, dates,
 * booleans, integers and the code, field and message each failure carries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/json_check.h"

static json_t *parse(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    return v;
}

/* Asserts that the last check failed as BF_ERR_INVALID with code, field and
 * message. */
static void assert_failed(bf_result r, const bf_error *err, const char *code, const char *field,
                          const char *message)
{
    assert_int_equal(r, BF_ERR_INVALID);
    assert_string_equal(err->code, code);
    assert_string_equal(err->field, field);
    assert_string_equal(err->message, message);
}

static void paths_join_parents_keys_and_indexes(void **state)
{
    (void)state;
    char out[64];
    json_check_path_key(out, sizeof(out), "", "name");
    assert_string_equal(out, "name");
    json_check_path_key(out, sizeof(out), "factors[2]", "weight");
    assert_string_equal(out, "factors[2].weight");
    json_check_path_index(out, sizeof(out), "bidders", 7);
    assert_string_equal(out, "bidders[7]");

    char small[8];
    json_check_path_key(small, sizeof(small), "money", "budget");
    assert_string_equal(small, "money.b");
}

static void one_of_and_ids(void **state)
{
    (void)state;
    static const char *const values[] = {"yes", "no", NULL};
    assert_true(json_check_one_of("no", values));
    assert_false(json_check_one_of("maybe", values));
    assert_false(json_check_one_of("", values));

    assert_true(json_check_id_valid("budget_size-2"));
    assert_false(json_check_id_valid(""));
    assert_false(json_check_id_valid("Budget"));
    assert_false(json_check_id_valid("a b"));
    assert_true(json_check_id_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));   /* 40 */
    assert_false(json_check_id_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 41 */
}

static void required_object_and_string(void **state)
{
    (void)state;
    bf_error err;
    json_t *null = json_null(), *num = json_integer(1), *obj = json_object(),
           *str = json_string("x");

    assert_int_equal(json_check_required(num, "a", &err), BF_OK);
    assert_failed(json_check_required(NULL, "a.b", &err), &err, "required", "a.b",
                  "a.b is required");
    assert_failed(json_check_required(null, "a", &err), &err, "required", "a", "a is required");

    assert_int_equal(json_check_object(obj, "o", &err), BF_OK);
    assert_failed(json_check_object(num, "vendors[0]", &err), &err, "wrong_type", "vendors[0]",
                  "vendors[0] must be an object");

    assert_int_equal(json_check_string(str, "s", &err), BF_OK);
    assert_failed(json_check_string(num, "s", &err), &err, "wrong_type", "s", "s must be a string");

    json_decref(null);
    json_decref(num);
    json_decref(obj);
    json_decref(str);
}

static void keys_name_the_unknown_one(void **state)
{
    (void)state;
    static const char *const allowed[] = {"id", "name", NULL};
    bf_error err;
    json_t *ok = parse("{\"id\":1,\"name\":2}");
    json_t *bad = parse("{\"id\":1,\"colour\":2}");
    json_t *empty = parse("{}");

    assert_int_equal(json_check_keys(ok, allowed, "x", "is not a known field", &err), BF_OK);
    assert_int_equal(json_check_keys(empty, allowed, "", "is not a known field", &err), BF_OK);
    assert_failed(json_check_keys(bad, allowed, "", "is not a known field", &err), &err,
                  "unknown_field", "colour", "colour is not a known field");
    assert_failed(json_check_keys(bad, allowed, "bidders[3]", "is not a field of a bidder", &err),
                  &err, "unknown_field", "bidders[3].colour",
                  "bidders[3].colour is not a field of a bidder");

    json_decref(ok);
    json_decref(bad);
    json_decref(empty);
}

static void text_counts_characters(void **state)
{
    (void)state;
    bf_error err;
    json_t *zh = json_string("销售漏斗"); /* 4 characters, 12 bytes */
    json_t *empty = json_string("");
    json_t *nul = json_stringn("a\0b", 3);
    json_t *num = json_integer(3);

    assert_int_equal(json_check_text(zh, "name", 4, &err), BF_OK);
    assert_failed(json_check_text(zh, "name", 3, &err), &err, "too_long", "name",
                  "name has more than 3 characters");
    assert_failed(json_check_text(empty, "name", 3, &err), &err, "required", "name",
                  "name must not be empty");
    assert_failed(json_check_text(nul, "name", 10, &err), &err, "invalid_value", "name",
                  "name must not contain NUL characters");
    assert_failed(json_check_text(num, "name", 10, &err), &err, "wrong_type", "name",
                  "name must be a string");

    json_decref(zh);
    json_decref(empty);
    json_decref(nul);
    json_decref(num);
}

static void dates_are_calendar_days(void **state)
{
    (void)state;
    bf_error err;
    json_t *ok = json_string("2028-02-29");
    json_t *bad = json_string("2027-02-29");
    json_t *num = json_integer(20260101);

    assert_int_equal(json_check_date(ok, "due", &err), BF_OK);
    assert_failed(json_check_date(bad, "tasks[0].due", &err), &err, "invalid_date", "tasks[0].due",
                  "tasks[0].due must be a date YYYY-MM-DD");
    assert_failed(json_check_date(num, "due", &err), &err, "invalid_date", "due",
                  "due must be a date YYYY-MM-DD");

    json_decref(ok);
    json_decref(bad);
    json_decref(num);
}

static void bools_and_ints(void **state)
{
    (void)state;
    bf_error err;
    json_t *t = json_true(), *f = json_false(), *one = json_integer(1), *big = json_integer(101),
           *real = json_real(1.5), *str = json_string("true");

    assert_int_equal(json_check_bool(t, "us", &err), BF_OK);
    assert_int_equal(json_check_bool(f, "us", &err), BF_OK);
    assert_failed(json_check_bool(str, "us", &err), &err, "wrong_type", "us",
                  "us must be true or false");
    assert_failed(json_check_bool(one, "us", &err), &err, "wrong_type", "us",
                  "us must be true or false");

    json_int_t n = 42;
    assert_int_equal(json_check_int(one, "weight", 1, 100, &n, &err), BF_OK);
    assert_int_equal(n, 1);
    n = 42;
    assert_failed(json_check_int(big, "weight", 1, 100, &n, &err), &err, "out_of_range", "weight",
                  "weight must be between 1 and 100");
    assert_int_equal(n, 42);
    assert_failed(json_check_int(real, "weight", 1, 100, &n, &err), &err, "wrong_type", "weight",
                  "weight must be an integer");
    assert_failed(json_check_int(str, "weight", 1, 100, &n, &err), &err, "wrong_type", "weight",
                  "weight must be an integer");

    json_decref(t);
    json_decref(f);
    json_decref(one);
    json_decref(big);
    json_decref(real);
    json_decref(str);
}

static void a_null_error_is_allowed(void **state)
{
    (void)state;
    json_t *num = json_integer(5);
    assert_int_equal(json_check_string(num, "s", NULL), BF_ERR_INVALID);
    assert_int_equal(json_check_int(num, "n", 0, 1, &(json_int_t){0}, NULL), BF_ERR_INVALID);
    json_decref(num);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_join_parents_keys_and_indexes),
        cmocka_unit_test(one_of_and_ids),
        cmocka_unit_test(required_object_and_string),
        cmocka_unit_test(keys_name_the_unknown_one),
        cmocka_unit_test(text_counts_characters),
        cmocka_unit_test(dates_are_calendar_days),
        cmocka_unit_test(bools_and_ints),
        cmocka_unit_test(a_null_error_is_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
