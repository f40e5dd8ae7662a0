/* Unit tests of src/http/response.c: JSON answers and the one error
 * envelope of the API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/response.h"

static arena *a;

static int setup(void **state)
{
    (void)state;
    a = arena_new(0);
    return a ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(a);
    return 0;
}

static http_request request(void)
{
    http_request req = {.arena = a, .status = 500};
    buf_init(&req.out, a, 1 << 20);
    return req;
}

/* The body as a JSON value (the test's to release). */
static json_t *body_of(const http_request *req)
{
    assert_non_null(req->out.data);
    assert_int_equal(strlen(req->out.data), req->out.len);
    json_error_t jerr;
    json_t *v = json_loadb(req->out.data, req->out.len, 0, &jerr);
    assert_non_null(v);
    return v;
}

static void json_is_written_compact_with_its_type(void **state)
{
    (void)state;
    http_request req = request();
    http_respond_json(&req, 201, json_pack("{s:s, s:i, s:f}", "name", "兵法", "n", 3, "x", 0.25));
    assert_int_equal(req.status, 201);
    assert_string_equal(req.content_type, "application/json; charset=utf-8");
    assert_string_equal(req.out.data, "{\"name\":\"兵法\",\"n\":3,\"x\":0.25}");
}

static void an_error_names_its_code_message_and_field(void **state)
{
    (void)state;
    http_request req = request();
    http_respond_error(&req, 422, "required", "name is required", "name",
                       json_pack("{s:i}", "limit", 5));
    assert_int_equal(req.status, 422);
    json_t *body = body_of(&req);
    json_t *err = json_object_get(body, "error");
    assert_string_equal(json_string_value(json_object_get(err, "code")), "required");
    assert_string_equal(json_string_value(json_object_get(err, "message")), "name is required");
    assert_string_equal(json_string_value(json_object_get(err, "field")), "name");
    assert_int_equal(json_integer_value(json_object_get(body, "limit")), 5);
    assert_int_equal(json_object_size(body), 2);
    json_decref(body);

    /* No field is an empty one, never a missing key. */
    req = request();
    http_respond_error(&req, 404, "not_found", "no account with id x", NULL, NULL);
    body = body_of(&req);
    assert_string_equal(json_string_value(json_object_get(json_object_get(body, "error"), "field")),
                        "");
    json_decref(body);
}

/* A message that quotes bad input is still written, as valid UTF-8. */
static void bytes_that_are_not_utf8_become_question_marks(void **state)
{
    (void)state;
    http_request req = request();
    http_respond_error(&req, 422, "invalid_utf8", "bad \xff\xfe here", "na\xc3me", NULL);
    assert_int_equal(req.status, 422);
    json_t *body = body_of(&req);
    json_t *err = json_object_get(body, "error");
    assert_string_equal(json_string_value(json_object_get(err, "message")), "bad ?? here");
    assert_string_equal(json_string_value(json_object_get(err, "field")), "na?me");
    json_decref(body);
}

static void no_value_answers_out_of_memory(void **state)
{
    (void)state;
    http_request req = request();
    http_respond_json(&req, 200, NULL);
    assert_int_equal(req.status, 500);
    json_t *body = body_of(&req);
    assert_string_equal(json_string_value(json_object_get(json_object_get(body, "error"), "code")),
                        "out_of_memory");
    json_decref(body);
}

static void an_empty_answer_has_no_body(void **state)
{
    (void)state;
    http_request req = request();
    http_respond_json(&req, 200, json_object());
    http_respond_empty(&req, 204);
    assert_int_equal(req.status, 204);
    assert_null(req.content_type);
    assert_int_equal(req.out.len, 0);
}

/* A descriptor of a new temporary file holding text. */
static int file_holding(const char *text)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0 && fflush(f) == 0, 1);
    int fd = dup(fileno(f));
    fclose(f);
    assert_true(fd >= 0);
    return fd;
}

/* An answer sent from a file (an export): in process, the caller copies it
 * from the request; a later answer replaces it, and the file is closed then,
 * or when the request's arena is freed. */
static void a_file_answer_is_copied_and_closed(void **state)
{
    (void)state;
    arena *own = arena_new(0);
    assert_non_null(own);
    http_local local = {0};
    http_request req = {.arena = own, .status = 500, .local = &local, .file_fd = -1};
    buf_init(&req.out, own, 1 << 20);
    int fd = file_holding("名,额\r\n");
    http_respond_file(&req, 200, "text/csv; charset=utf-8", fd, strlen("名,额\r\n"));
    assert_true(req.has_file);
    assert_int_equal(req.status, 200);
    assert_string_equal(req.content_type, "text/csv; charset=utf-8");
    assert_int_equal(req.out.len, 0);
    FILE *out = tmpfile();
    assert_non_null(out);
    assert_true(http_copy_file(&req, out));
    char got[32] = "";
    rewind(out);
    assert_int_equal(fread(got, 1, sizeof(got) - 1, out), strlen("名,额\r\n"));
    assert_string_equal(got, "名,额\r\n");
    fclose(out);
    http_respond_json(&req, 422, json_object());
    assert_false(req.has_file);
    assert_int_equal(fcntl(fd, F_GETFD), -1); /* closed */
    fd = file_holding("x");
    http_respond_file(&req, 200, "text/csv", fd, 1);
    arena_free(own);
    assert_int_equal(fcntl(fd, F_GETFD), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_is_written_compact_with_its_type),
        cmocka_unit_test(an_error_names_its_code_message_and_field),
        cmocka_unit_test(bytes_that_are_not_utf8_become_question_marks),
        cmocka_unit_test(no_value_answers_out_of_memory),
        cmocka_unit_test(an_empty_answer_has_no_body),
        cmocka_unit_test(a_file_answer_is_copied_and_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
