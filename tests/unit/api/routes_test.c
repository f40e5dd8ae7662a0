/* Unit tests of the route table (src/api/routes.c) and of the OpenAPI
 * document made from it (src/api/openapi.c): every write declares its body,
 * statuses are numbers in order, every form has its GET and PUT, every
 * operation has a unique operationId and its security, and a route answers
 * exactly what it declares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/api.h"

static bool is_write(const api_route *r)
{
    return strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
           strcmp(r->method, "PATCH") == 0;
}

static void every_write_declares_its_body(void **state)
{
    (void)state;
    size_t writes = 0;
    for (const api_route *r = api_route_table(); r->method; r++) {
        if (!is_write(r))
            continue;
        writes++;
        bool resource = r->spec != NULL && r->kind != ROUTE_OTHER;
        if (!resource && r->body == NULL && !(r->flags & (ROUTE_NO_BODY | ROUTE_UPLOAD)))
            fail_msg("%s %s takes a body it does not declare", r->method, r->pattern);
        if (r->body != NULL && r->body->name == NULL)
            fail_msg("%s %s: its body has no name for the document", r->method, r->pattern);
    }
    assert_true(writes > 20);
}

static void statuses_are_numbers_in_order(void **state)
{
    (void)state;
    for (const api_route *r = api_route_table(); r->method; r++) {
        int last = 0;
        for (size_t i = 0; i < API_MAX_STATUSES && r->statuses[i]; i++) {
            int s = r->statuses[i];
            if (s < 200 || s > 599 || s <= last)
                fail_msg("%s %s: status %d is out of order or range", r->method, r->pattern, s);
            last = s;
        }
    }
}

static void every_form_has_its_get_and_put(void **state)
{
    (void)state;
    size_t forms = 0;
    for (const api_form *f = api_forms; f->name; f++, forms++) {
        int get = 0, put = 0;
        char pattern[96];
        snprintf(pattern, sizeof(pattern), "/api/v1/%s/{id}/%s", f->owner->name, f->name);
        for (const api_route *r = api_route_table(); r->method; r++) {
            if (r->form != f)
                continue;
            assert_string_equal(r->pattern, pattern);
            get += strcmp(r->method, "GET") == 0;
            put += strcmp(r->method, "PUT") == 0 && r->body == f->body;
        }
        assert_int_equal(get, 1);
        assert_int_equal(put, 1);
    }
    assert_int_equal(forms, 9);
}

static void a_route_answers_what_it_declares(void **state)
{
    (void)state;
    const api_route *login = NULL, *audit = NULL, *partner = NULL, *create = NULL;
    for (const api_route *r = api_route_table(); r->method; r++) {
        if (strcmp(r->pattern, "/api/v1/session") == 0 && strcmp(r->method, "POST") == 0)
            login = r;
        if (strcmp(r->pattern, "/api/v1/audit") == 0)
            audit = r;
        if (strstr(r->pattern, "/partners/{partner}") && strcmp(r->method, "PUT") == 0)
            partner = r;
        if (strcmp(r->pattern, "/api/v1/accounts") == 0 && r->kind == ROUTE_CREATE)
            create = r;
    }
    assert_non_null(login);
    assert_non_null(audit);
    assert_non_null(partner);
    assert_non_null(create);
    assert_true(api_route_answers(login, 200));
    assert_true(api_route_answers(login, 429));
    assert_false(api_route_answers(login, 401 + 3)); /* 404: a login has no record */
    assert_true(api_route_answers(audit, 401));      /* credentials needed */
    assert_false(api_route_answers(audit, 409));
    assert_true(api_route_answers(partner, 201));
    assert_true(api_route_answers(partner, 200));
    assert_true(api_route_answers(partner, 400)); /* a path parameter that is not UTF-8 */
    assert_true(api_route_answers(create, 201));
    assert_false(api_route_answers(create, 200));
}

static void the_document_names_and_secures_every_operation(void **state)
{
    (void)state;
    json_t *doc = api_openapi_document();
    assert_non_null(doc);
    json_t *seen = json_object();
    const char *path;
    json_t *item;
    size_t ops = 0;
    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op)
        {
            ops++;
            const char *id = json_string_value(json_object_get(op, "operationId"));
            if (id == NULL || json_object_get(seen, id) != NULL)
                fail_msg("%s %s: operationId missing or repeated", method, path);
            json_object_set_new(seen, id, json_true());
            json_t *security = json_object_get(op, "security");
            assert_true(json_is_array(security));
            /* A calendar feed's secret is in its path, which no security
             * scheme describes (docs/calendar.md). */
            bool open = strcmp(path, "/healthz") == 0 ||
                        (strcmp(path, "/api/v1/session") == 0 && strcmp(method, "post") == 0) ||
                        strcmp(path, "/api/v1/calendar/feed/{file}") == 0;
            bool session = strcmp(path, "/api/v1/session") == 0 && strcmp(method, "delete") == 0;
            assert_int_equal(json_array_size(security) == 0, open);
            /* Logging out is a session's: a token is not one. */
            assert_int_equal(json_array_size(security) == 1, session);
            assert_true(json_object_size(json_object_get(op, "responses")) > 0);
        }
    }
    assert_true(ops > 80);
    json_t *schemes = json_object_get(json_object_get(doc, "components"), "securitySchemes");
    assert_non_null(json_object_get(schemes, "bearerToken"));
    assert_non_null(json_object_get(schemes, "sessionCookie"));
    assert_non_null(json_object_get(schemes, "csrfHeader"));
    /* A form's body is the declared one, with its limits. */
    json_t *needs = json_object_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"),
                            "MantForm"),
            "properties"),
        "needs");
    assert_int_equal(json_integer_value(json_object_get(needs, "maxItems")), 5);
    json_decref(seen);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_write_declares_its_body),
        cmocka_unit_test(statuses_are_numbers_in_order),
        cmocka_unit_test(every_form_has_its_get_and_put),
        cmocka_unit_test(a_route_answers_what_it_declares),
        cmocka_unit_test(the_document_names_and_secures_every_operation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
