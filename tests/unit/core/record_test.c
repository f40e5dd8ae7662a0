/* Unit tests of src/core/record.c against the resource tables of
 * src/core/resource.c: the boundary validation every API write goes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/record.h"

typedef struct fixture {
    arena *a;
    bf_error err;
} fixture;

static int setup(void **state)
{
    static fixture f;
    memset(&f, 0, sizeof(f));
    f.a = arena_new(0);
    *state = &f;
    return f.a ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    arena_free(f->a);
    return 0;
}

/* Parses text as the body of a request on spec and returns the result. */
static bf_result parse(fixture *f, const resource_spec *spec, const char *text, record_mode mode,
                       record **out)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    assert_non_null(j);
    bf_error_clear(&f->err);
    record *rec = NULL;
    bf_result r = record_from_json(f->a, spec, j, mode, &rec, &f->err);
    json_decref(j);
    if (out)
        *out = rec;
    return r;
}

static void create_applies_defaults_and_requires(void **state)
{
    fixture *f = *state;
    record *rec;
    assert_int_equal(parse(f, &resource_opportunities,
                           "{\"account_id\":\"acc_x1\",\"name\":\"园区网\",\"amount\":500}",
                           RECORD_CREATE, &rec),
                     BF_OK);
    assert_string_equal(record_text(rec, "currency"), "CNY");
    assert_string_equal(record_text(rec, "playbook"), "ruijie-6");
    assert_string_equal(record_text(rec, "status"), "open");
    assert_int_equal(record_field(rec, "amount")->i, 500);
    assert_null(record_text(rec, "expected_close"));

    assert_int_equal(parse(f, &resource_opportunities, "{\"name\":\"x\"}", RECORD_CREATE, NULL),
                     BF_ERR_INVALID);
    assert_string_equal(f->err.field, "account_id");
    assert_string_equal(f->err.code, "required");

    /* PATCH takes only what is given, and no required check. */
    assert_int_equal(
        parse(f, &resource_opportunities, "{\"description\":\"一期\"}", RECORD_PATCH, &rec), BF_OK);
    assert_false(record_field(rec, "name")->present);
    assert_true(record_field(rec, "description")->present);

    /* The owner is a user's id, given on create; its name is the server's. */
    assert_int_equal(parse(f, &resource_opportunities,
                           "{\"account_id\":\"acc_1234\",\"name\":\"x\",\"owner\":\"李娜\"}",
                           RECORD_CREATE, NULL),
                     BF_ERR_INVALID);
    assert_string_equal(f->err.code, "read_only");
    assert_int_equal(
        parse(f, &resource_opportunities, "{\"owner_id\":\"usr_lina\"}", RECORD_PATCH, NULL),
        BF_ERR_INVALID);
    assert_string_equal(f->err.field, "owner_id");
}

static void field_errors_name_the_field(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *body, *field, *code;
    } cases[] = {
        {"{\"name\":\"a\",\"colour\":1}", "colour", "unknown_field"},
        {"{\"name\":5}", "name", "wrong_type"},
        {"{\"name\":\"\"}", "name", "required"},
        {"{\"name\":null}", "name", "required"},
        {"{\"name\":\"a\",\"employees\":\"many\"}", "employees", "wrong_type"},
        {"{\"name\":\"a\",\"employees\":-1}", "employees", "out_of_range"},
        {"{\"name\":\"a\",\"annual_revenue\":-100}", "annual_revenue", "negative"},
        {"{\"name\":\"a\",\"annual_revenue\":1.5}", "annual_revenue", "wrong_type"},
        {"{\"name\":\"a\",\"ownership\":\"mine\"}", "ownership", "invalid_value"},
        {"{\"name\":\"a\",\"parent_id\":\"../etc\"}", "parent_id", "unknown_reference"},
        {"{\"name\":\"a\",\"id\":\"acc_1\"}", "id", "read_only"},
        {"{\"name\":\"a\",\"version\":3}", "version", "read_only"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(parse(f, &resource_accounts, cases[i].body, RECORD_CREATE, NULL),
                         BF_ERR_INVALID);
        assert_string_equal(f->err.field, cases[i].field);
        assert_string_equal(f->err.code, cases[i].code);
        assert_true(strlen(f->err.message) > 0);
    }
}

static void text_length_counts_characters(void **state)
{
    fixture *f = *state;
    /* 200 Chinese characters are 600 bytes, and allowed; 201 are not. */
    char body[1024];
    size_t n = 0;
    n += (size_t)snprintf(body, sizeof(body), "{\"name\":\"");
    for (int i = 0; i < 200; i++) {
        memcpy(body + n, "兵", 3);
        n += 3;
    }
    snprintf(body + n, sizeof(body) - n, "\"}");
    assert_int_equal(parse(f, &resource_accounts, body, RECORD_CREATE, NULL), BF_OK);
    memcpy(body + n, "兵\"}", 6);
    body[n + 6] = '\0';
    assert_int_equal(parse(f, &resource_accounts, body, RECORD_CREATE, NULL), BF_ERR_INVALID);
    assert_string_equal(f->err.code, "too_long");
}

static void stage_is_create_only_and_probability_derived(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        parse(f, &resource_opportunities, "{\"stage\":\"launch\"}", RECORD_PATCH, NULL),
        BF_ERR_INVALID);
    assert_string_equal(f->err.field, "stage");
    assert_int_equal(parse(f, &resource_opportunities,
                           "{\"account_id\":\"acc_x1\",\"name\":\"a\",\"probability\":90}",
                           RECORD_CREATE, NULL),
                     BF_ERR_INVALID);
    assert_string_equal(f->err.field, "probability");
    assert_string_equal(f->err.code, "read_only");
}

static void lists_and_times_round_trip(void **state)
{
    fixture *f = *state;
    record *rec;
    assert_int_equal(parse(f, &resource_activities,
                           "{\"type\":\"visit\",\"account_id\":\"acc_x1\",\"planned_at\":"
                           "\"2026-01-05T09:30:00+08:00\",\"contacts\":[\"con_a1\",\"con_b2\"]}",
                           RECORD_CREATE, &rec),
                     BF_OK);
    assert_string_equal(record_text(rec, "planned_at"), "2026-01-05T01:30:00Z");
    rec->id = "act_1";
    json_t *j = record_to_json(rec);
    assert_non_null(j);
    json_t *contacts = json_object_get(j, "contacts");
    assert_int_equal(json_array_size(contacts), 2);
    assert_string_equal(json_string_value(json_array_get(contacts, 1)), "con_b2");
    assert_true(json_is_null(json_object_get(j, "done_at")));
    json_decref(j);

    assert_int_equal(parse(f, &resource_activities, "{\"type\":\"visit\",\"contacts\":[1]}",
                           RECORD_CREATE, NULL),
                     BF_ERR_INVALID);
    assert_string_equal(f->err.field, "contacts");
}

/* Tags are trimmed and kept once, in the order given; a tag is 1 to 20
 * characters without a comma or a control character, and a record holds at
 * most 20: anything else names the field. */
static void tags_are_trimmed_kept_once_and_checked(void **state)
{
    fixture *f = *state;
    record *rec;
    assert_int_equal(parse(f, &resource_opportunities,
                           "{\"tags\":[\" 重点客户 "
                           "\",\"Q4\",\"重点客户\",\"二十个字二十个字二十个字二十个字二十个\"]}",
                           RECORD_PATCH, &rec),
                     BF_OK);
    assert_string_equal(record_text(rec, "tags"),
                        "[\"重点客户\",\"Q4\",\"二十个字二十个字二十个字二十个字二十个\"]");
    assert_int_equal(
        parse(f, &resource_accounts, "{\"name\":\"x\",\"tags\":[]}", RECORD_CREATE, &rec), BF_OK);
    assert_string_equal(record_text(rec, "tags"), "[]");
    static const struct {
        const char *body, *code;
    } bad[] = {
        {"{\"tags\":[\"二十一个字二十一个字二十一个字二十一个字二\"]}", "too_long"},
        {"{\"tags\":[\"a,b\"]}", "invalid_value"},
        {"{\"tags\":[\"a\\tb\"]}", "invalid_value"},
        {"{\"tags\":[\"   \"]}", "required"},
        {"{\"tags\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\","
         "\"13\","
         "\"14\",\"15\",\"16\",\"17\",\"18\",\"19\",\"20\",\"21\"]}",
         "too_many"},
        {"{\"tags\":\"重点\"}", "wrong_type"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(f, &resource_contacts, bad[i].body, RECORD_PATCH, NULL),
                         BF_ERR_INVALID);
        assert_string_equal(f->err.field, "tags");
        assert_string_equal(f->err.code, bad[i].code);
    }
    assert_int_equal(resource_tags_field(&resource_activities),
                     resource_field_index(&resource_activities, "tags"));
    assert_int_equal(resource_tags_field(&resource_users), -1);
}

static bool hide_margin(const field_spec *f, const void *ctx)
{
    return strcmp(f->name, (const char *)ctx) == 0;
}

/* The text record_append_json writes is the JSON text of the object
 * record_to_json makes, byte for byte (the same keys, in the same order),
 * with a hidden field left out; a list stored as anything but a JSON array
 * reads as empty, as record_to_json has it. */
static void written_json_is_the_objects_text(void **state)
{
    fixture *f = *state;
    record *rec;
    assert_int_equal(parse(f, &resource_opportunities,
                           "{\"account_id\":\"acc_1\",\"name\":\"华东\\\"项目\\n\\u0001/\","
                           "\"amount\":12345,\"currency\":\"CNY\",\"competitors\":[\"甲\",\"乙\"],"
                           "\"margin\":3000}",
                           RECORD_CREATE, &rec),
                     BF_OK);
    rec->id = "opp_1";
    rec->version = 7;
    rec->created_at = "2026-01-05T01:30:00.000Z";
    rec->updated_at = "2026-01-06T01:30:00.000Z";
    for (int round = 0; round < 2; round++) {
        json_t *j = record_to_json(rec);
        assert_non_null(j);
        json_object_del(j, "margin");
        char *want = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        buf b;
        buf_init(&b, f->a, 1 << 20);
        assert_int_equal(record_append_json(&b, rec, hide_margin, "margin"), BF_OK);
        assert_int_equal(buf_append(&b, "", 1), BF_OK);
        assert_string_equal(b.data, want);
        assert_null(strstr(b.data, "margin"));
        free(want);
        /* Then with nulls, and a list stored as something else. */
        int products = -1;
        for (size_t i = 0; i < rec->spec->nfields; i++)
            if (strcmp(rec->spec->fields[i].name, "products") == 0)
                products = (int)i;
        assert_true(products >= 0);
        rec->values[products].null = false;
        rec->values[products].present = true;
        rec->values[products].s = "not a list";
        for (size_t i = 0; i < rec->spec->nfields; i++)
            if (strcmp(rec->spec->fields[i].name, "amount") == 0 ||
                strcmp(rec->spec->fields[i].name, "description") == 0)
                rec->values[i].null = true;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_applies_defaults_and_requires, setup, teardown),
        cmocka_unit_test_setup_teardown(field_errors_name_the_field, setup, teardown),
        cmocka_unit_test_setup_teardown(text_length_counts_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(stage_is_create_only_and_probability_derived, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(lists_and_times_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(tags_are_trimmed_kept_once_and_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(written_json_is_the_objects_text, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
