/* Unit tests of the API below HTTP (src/api/dispatch.c, crud.c, auth.c): a
 * request built in memory goes through api_handle, as the command line's
 * do, against an in-memory store; the status, headers and body are
 * checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "api/api.h"
#include "../app_fixture.h"

typedef struct fixture {
    app_fixture base;
    api *app;
    arena *a;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL || (f->a = arena_new(64 * 1024)) == NULL ||
        app_fixture_open(&f->base, ":memory:", NULL) != 0)
        return -1;
    f->app = f->base.app;
    *state = f;
    return 0;
}

/* Statements that read the playbooks' documents, counted by the store's
 * trace (the traced fixture's). */
static int playbook_reads;

static void count_playbook_reads(void *ctx, const char *sql)
{
    (void)ctx;
    if (strstr(sql, "FROM playbooks") != NULL)
        playbook_reads++;
}

static int setup_traced(void **state)
{
    store_options opt = {.trace = count_playbook_reads};
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL || (f->a = arena_new(64 * 1024)) == NULL ||
        app_fixture_open(&f->base, ":memory:", &opt) != 0)
        return -1;
    f->app = f->base.app;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    app_fixture_close(&f->base);
    arena_free(f->a);
    free(f);
    return 0;
}

typedef struct answer {
    int status;
    json_t *body; /* NULL when there is none; released with the fixture's arena */
    http_request *req;
} answer;

static void release(void *p)
{
    json_decref(p);
}

/* Runs one request; headers are name, value pairs ending with NULL. */
static answer call_with(fixture *f, const char *method, const char *target, const char *body,
                        const char *const *headers)
{
    answer ans = {0};
    size_t len = body ? strlen(body) : 0;
    assert_int_equal(
        http_request_local(f->a, method, target, body, len, headers, api_handle, f->app, &ans.req),
        BF_OK);
    ans.status = ans.req->status;
    if (ans.req->out.len > 0) {
        json_error_t jerr;
        ans.body = json_loadb(ans.req->out.data, ans.req->out.len, 0, &jerr);
        assert_non_null(ans.body);
        assert_int_equal(arena_on_free(f->a, release, ans.body), 0);
    }
    return ans;
}

static const char *const json_headers[] = {"Content-Type", "application/json", NULL};

static answer call(fixture *f, const char *method, const char *target, const char *body)
{
    return call_with(f, method, target, body, body ? json_headers : NULL);
}

static const char *header(const answer *ans, const char *name)
{
    for (size_t i = 0; i < ans->req->nheaders; i++)
        if (strcasecmp(ans->req->header_names[i], name) == 0)
            return ans->req->header_values[i];
    return NULL;
}

static const char *text(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static const char *error_field(const answer *ans, const char *key)
{
    assert_non_null(ans->body);
    json_t *err = json_object_get(ans->body, "error");
    assert_non_null(err);
    return text(err, key);
}

static void creating_an_account_answers_it(void **state)
{
    fixture *f = *state;
    answer ans = call(f, "POST", "/api/v1/accounts",
                      "{\"name\":\"  华北电力  \",\"industry\":\"energy\",\"employees\":1200}");
    assert_int_equal(ans.status, 201);
    const char *id = text(ans.body, "id");
    assert_non_null(id);
    assert_memory_equal(id, "acc_", 4);
    assert_string_equal(text(ans.body, "name"), "华北电力"); /* trimmed */
    assert_int_equal(json_integer_value(json_object_get(ans.body, "employees")), 1200);
    assert_int_equal(json_integer_value(json_object_get(ans.body, "version")), 1);
    assert_string_equal(header(&ans, "ETag"), "\"1\"");
    char location[128];
    snprintf(location, sizeof(location), "/api/v1/accounts/%s", id);
    assert_string_equal(header(&ans, "Location"), location);

    /* It is there to read, and in the list. */
    answer got = call(f, "GET", location, NULL);
    assert_int_equal(got.status, 200);
    assert_string_equal(text(got.body, "id"), id);
    assert_string_equal(text(got.body, "industry"), "energy");
    answer list = call(f, "GET", "/api/v1/accounts?industry=energy", NULL);
    assert_int_equal(list.status, 200);
    assert_int_equal(json_array_size(json_object_get(list.body, "items")), 1);
    list = call(f, "GET", "/api/v1/accounts?industry=retail", NULL);
    assert_int_equal(json_array_size(json_object_get(list.body, "items")), 0);
}

static void a_validation_error_names_the_field(void **state)
{
    fixture *f = *state;
    answer ans = call(f, "POST", "/api/v1/accounts", "{\"industry\":\"energy\"}");
    assert_int_equal(ans.status, 422);
    assert_string_equal(error_field(&ans, "field"), "name");

    ans = call(f, "POST", "/api/v1/accounts", "{\"name\":\"x\",\"employees\":-1}");
    assert_int_equal(ans.status, 422);
    assert_string_equal(error_field(&ans, "field"), "employees");

    ans = call(f, "POST", "/api/v1/accounts", "{\"name\":\"x\",\"nmae\":\"typo\"}");
    assert_int_equal(ans.status, 422);
    assert_string_equal(error_field(&ans, "field"), "nmae");

    ans = call(f, "POST", "/api/v1/accounts", "{\"name\":\"x\",\"ownership\":\"mine\"}");
    assert_int_equal(ans.status, 422);
    assert_string_equal(error_field(&ans, "field"), "ownership");

    /* A reference to nothing. */
    ans = call(f, "POST", "/api/v1/contacts", "{\"account_id\":\"acc_none\",\"name\":\"Li\"}");
    assert_int_equal(ans.status, 422);
    assert_string_equal(error_field(&ans, "code"), "unknown_reference");
    assert_string_equal(error_field(&ans, "field"), "account_id");

    /* Nothing of it was written. */
    answer list = call(f, "GET", "/api/v1/accounts", NULL);
    assert_int_equal(json_array_size(json_object_get(list.body, "items")), 0);
}

static void a_body_must_be_a_json_object(void **state)
{
    fixture *f = *state;
    static const char *const text_headers[] = {"Content-Type", "text/plain", NULL};
    answer ans = call_with(f, "POST", "/api/v1/accounts", "{\"name\":\"x\"}", text_headers);
    assert_int_equal(ans.status, 415);

    ans = call(f, "POST", "/api/v1/accounts", "{\"name\":");
    assert_int_equal(ans.status, 400);
    assert_string_equal(error_field(&ans, "code"), "malformed_json");

    ans = call(f, "POST", "/api/v1/accounts", "{\"name\":\"x\",\"name\":\"y\"}");
    assert_int_equal(ans.status, 400);

    ans = call(f, "POST", "/api/v1/accounts", "[1]");
    assert_int_equal(ans.status, 422);

    ans = call(f, "POST", "/api/v1/accounts", "{\"name\":\"\xff\"}");
    assert_int_equal(ans.status, 422);
    assert_string_equal(error_field(&ans, "field"), "name");
}

static void what_is_not_there_is_404_and_the_wrong_method_405(void **state)
{
    fixture *f = *state;
    answer ans = call(f, "GET", "/api/v1/accounts/acc_missing", NULL);
    assert_int_equal(ans.status, 404);
    assert_string_equal(error_field(&ans, "code"), "not_found");

    ans = call(f, "GET", "/api/v1/nothing", NULL);
    assert_int_equal(ans.status, 404);
    assert_string_equal(error_field(&ans, "code"), "no_route");

    ans = call(f, "PUT", "/api/v1/accounts", "{}");
    assert_int_equal(ans.status, 405);
    assert_string_equal(header(&ans, "Allow"), "GET, POST");

    /* A query parameter the route does not take is named. */
    ans = call(f, "GET", "/api/v1/accounts/acc_missing?colour=red", NULL);
    assert_int_equal(ans.status, 422);
    assert_string_equal(error_field(&ans, "field"), "colour");
}

static void a_change_needs_the_version_it_was_read_at(void **state)
{
    fixture *f = *state;
    answer created = call(f, "POST", "/api/v1/accounts", "{\"name\":\"one\"}");
    assert_int_equal(created.status, 201);
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/accounts/%s", text(created.body, "id"));

    answer ans = call(f, "PATCH", path, "{\"name\":\"two\"}");
    assert_int_equal(ans.status, 428);
    assert_string_equal(error_field(&ans, "field"), "If-Match");

    static const char *const v1[] = {"Content-Type", "application/json", "If-Match", "\"1\"", NULL};
    ans = call_with(f, "PATCH", path, "{\"name\":\"two\"}", v1);
    assert_int_equal(ans.status, 200);
    assert_string_equal(text(ans.body, "name"), "two");
    assert_int_equal(json_integer_value(json_object_get(ans.body, "version")), 2);
    assert_string_equal(header(&ans, "ETag"), "\"2\"");

    /* Whoever still holds version 1 is told, and changes nothing. */
    ans = call_with(f, "PATCH", path, "{\"name\":\"three\"}", v1);
    assert_int_equal(ans.status, 412);
    ans = call_with(f, "DELETE", path, NULL, v1 + 2);
    assert_int_equal(ans.status, 412);
    ans = call(f, "GET", path, NULL);
    assert_string_equal(text(ans.body, "name"), "two");

    static const char *const v2[] = {"If-Match", "\"2\"", NULL};
    ans = call_with(f, "DELETE", path, NULL, v2);
    assert_int_equal(ans.status, 204);
    assert_null(ans.body);
    ans = call(f, "GET", path, NULL);
    assert_int_equal(ans.status, 404);
}

/* A record one may not see answers exactly as one that does not exist. */
static void a_hidden_record_is_not_found(void **state)
{
    fixture *f = *state;
    answer ans = call(f, "POST", "/api/v1/users", "{\"name\":\"s1\",\"role\":\"sales\"}");
    assert_int_equal(ans.status, 201);
    answer other = call(f, "POST", "/api/v1/accounts", "{\"name\":\"not s1's\"}");
    assert_int_equal(other.status, 201);
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/accounts/%s", text(other.body, "id"));

    static const char *const as_s1[] = {"X-Bingfa-As", "s1", NULL};
    static const char *const as_s1_json[] = {"X-Bingfa-As", "s1", "Content-Type",
                                             "application/json", NULL};
    ans = call_with(f, "GET", path, NULL, as_s1);
    assert_int_equal(ans.status, 404);
    answer missing = call_with(f, "GET", "/api/v1/accounts/acc_missing", NULL, as_s1);
    assert_int_equal(missing.status, 404);
    assert_string_equal(error_field(&ans, "code"), error_field(&missing, "code"));
    ans = call_with(f, "GET", "/api/v1/accounts", NULL, as_s1);
    assert_int_equal(json_array_size(json_object_get(ans.body, "items")), 0);

    /* What s1 creates is s1's, and s1 sees it. */
    ans = call_with(f, "POST", "/api/v1/accounts", "{\"name\":\"mine\"}", as_s1_json);
    assert_int_equal(ans.status, 201);
    assert_string_equal(text(ans.body, "owner"), "s1");
    ans = call_with(f, "GET", "/api/v1/accounts", NULL, as_s1);
    assert_int_equal(json_array_size(json_object_get(ans.body, "items")), 1);

    /* A sales user manages no users; an unknown name is no one. */
    ans = call_with(f, "POST", "/api/v1/users", "{\"name\":\"s2\",\"role\":\"sales\"}", as_s1_json);
    assert_int_equal(ans.status, 403);
    static const char *const as_nobody[] = {"X-Bingfa-As", "nobody", NULL};
    ans = call_with(f, "GET", "/api/v1/accounts", NULL, as_nobody);
    assert_int_equal(ans.status, 401);
}

/* A playbook stored by someone else (another server, bingfa playbook
 * import) is served from the next request on; a request when none is new
 * reads no playbook document. */
static void a_playbook_stored_elsewhere_is_loaded_before_the_next_request(void **state)
{
    fixture *f = *state;
    assert_int_equal(call(f, "GET", "/api/v1/accounts", NULL).status, 200);
    playbook_reads = 0;
    assert_int_equal(call(f, "GET", "/api/v1/accounts", NULL).status, 200);
    assert_int_equal(call(f, "GET", "/api/v1/playbooks", NULL).status, 200);
    assert_int_equal(playbook_reads, 0);
    assert_int_equal(call(f, "GET", "/api/v1/playbooks/elsewhere", NULL).status, 404);

    /* A built-in playbook under another id, stored as another server would. */
    json_t *doc = json_deep_copy(playbook_set_at(f->base.playbooks, 0)->doc);
    assert_non_null(doc);
    assert_int_equal(json_object_set_new(doc, "id", json_string("elsewhere")), 0);
    assert_int_equal(json_object_set_new(doc, "version", json_integer(7)), 0);
    char *text_doc = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    assert_non_null(text_doc);
    bf_error err = {0};
    bool inserted = false;
    bf_result r = store_playbook_put(f->base.st, "elsewhere", 7, text_doc, "test", &inserted, &err);
    free(text_doc);
    assert_int_equal(r, BF_OK);
    assert_true(inserted);

    answer ans = call(f, "GET", "/api/v1/playbooks/elsewhere", NULL);
    assert_int_equal(ans.status, 200);
    assert_int_equal(json_integer_value(json_object_get(ans.body, "version")), 7);
    assert_int_equal(playbook_reads, 1);
    assert_int_equal(call(f, "GET", "/api/v1/playbooks/elsewhere", NULL).status, 200);
    assert_int_equal(playbook_reads, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(creating_an_account_answers_it, setup, teardown),
        cmocka_unit_test_setup_teardown(a_validation_error_names_the_field, setup, teardown),
        cmocka_unit_test_setup_teardown(a_body_must_be_a_json_object, setup, teardown),
        cmocka_unit_test_setup_teardown(what_is_not_there_is_404_and_the_wrong_method_405, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_change_needs_the_version_it_was_read_at, setup, teardown),
        cmocka_unit_test_setup_teardown(a_hidden_record_is_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_playbook_stored_elsewhere_is_loaded_before_the_next_request, setup_traced, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
