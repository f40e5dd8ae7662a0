/* Unit tests of src/http/router.c: matching, path parameters, 404 and 405
 * with Allow, and paths a client may send on purpose (trailing slashes,
 * empty and dot segments, encoded slashes, very long paths). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/router.h"

static const http_route routes[] = {
    {"GET", "/healthz", "health"},
    {"GET", "/api/v1/accounts", "list"},
    {"POST", "/api/v1/accounts", "create"},
    {"GET", "/api/v1/accounts/{id}", "get"},
    {"PATCH", "/api/v1/accounts/{id}", "patch"},
    {"DELETE", "/api/v1/accounts/{id}", "delete"},
    {"POST", "/api/v1/accounts/{id}/transfer", "transfer"},
    {"GET", "/api/v1/accounts/export", "export"},
    {"POST", "/api/v1/accounts/bulk", "bulk"},
    {"PUT", "/api/v1/opportunities/{id}/team/{user}", "member"},
    {"GET", "/a/{p1}/{p2}/{p3}/{p4}", "four"},
    {"GET", "/b/{p1}/{p2}/{p3}/{p4}/{p5}", "five"},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

typedef struct result {
    bf_result r;
    const char *target; /* the matched route's, or NULL */
    char allow[64];
} result;

static arena *test_arena;

static http_request request(const char *method, const char *path)
{
    http_request req = {.arena = test_arena, .method = method, .path = path};
    return req;
}

static result route(http_request *req)
{
    result res = {.target = NULL};
    const http_route *found = NULL;
    res.r = router_match(routes, NROUTES, req, &found, res.allow, sizeof(res.allow));
    if (res.r == BF_OK)
        res.target = found->target;
    return res;
}

static result route_path(const char *method, const char *path)
{
    http_request req = request(method, path);
    return route(&req);
}

static int setup(void **state)
{
    (void)state;
    test_arena = arena_new(0);
    return test_arena ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(test_arena);
    return 0;
}

static void a_route_matches_by_method_and_path(void **state)
{
    (void)state;
    http_request req = request("GET", "/api/v1/accounts");
    result res = route(&req);
    assert_int_equal(res.r, BF_OK);
    assert_string_equal(res.target, "list");
    assert_string_equal(req.route, "/api/v1/accounts");
    assert_int_equal(req.nparams, 0);
    assert_string_equal(route_path("POST", "/api/v1/accounts").target, "create");
    assert_string_equal(route_path("GET", "/healthz").target, "health");
}

static void parameters_capture_whole_segments(void **state)
{
    (void)state;
    http_request req = request("PATCH", "/api/v1/accounts/acc_123");
    result res = route(&req);
    assert_int_equal(res.r, BF_OK);
    assert_string_equal(res.target, "patch");
    assert_int_equal(req.nparams, 1);
    assert_string_equal(req.params[0], "acc_123");
    assert_string_equal(req.route, "/api/v1/accounts/{id}");

    req = request("PUT", "/api/v1/opportunities/opp_9/team/usr_7");
    res = route(&req);
    assert_string_equal(res.target, "member");
    assert_int_equal(req.nparams, 2);
    assert_string_equal(req.params[0], "opp_9");
    assert_string_equal(req.params[1], "usr_7");

    /* A longer path is another route, not the shorter one with more in it. */
    req = request("POST", "/api/v1/accounts/acc_1/transfer");
    res = route(&req);
    assert_string_equal(res.target, "transfer");
    assert_int_equal(req.nparams, 1);
    assert_string_equal(req.params[0], "acc_1");

    /* As many parameters as a request holds, and not one more. */
    req = request("GET", "/a/1/2/3/4");
    res = route(&req);
    assert_string_equal(res.target, "four");
    assert_int_equal(req.nparams, HTTP_MAX_PARAMS);
    assert_string_equal(req.params[3], "4");
    assert_int_equal(route_path("GET", "/b/1/2/3/4/5").r, BF_ERR_NOT_FOUND);
}

static void an_unknown_path_is_not_found(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "/",
        "",
        "/api/v1/account",
        "/api/v1/accountsx",
        "/api/v1/accounts/acc_1/transfer/more",
        "/API/V1/ACCOUNTS",
        "/api/v1/opportunities/opp_1/team",
        "api/v1/accounts",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        result res = route_path("GET", paths[i]);
        assert_int_equal(res.r, BF_ERR_NOT_FOUND);
        assert_null(res.target);
        assert_string_equal(res.allow, "");
    }
}

static void a_known_path_with_another_method_lists_the_allowed_ones(void **state)
{
    (void)state;
    result res = route_path("PUT", "/api/v1/accounts/acc_1");
    assert_int_equal(res.r, BF_ERR_METHOD);
    assert_null(res.target);
    assert_string_equal(res.allow, "GET, PATCH, DELETE");

    res = route_path("DELETE", "/api/v1/accounts");
    assert_int_equal(res.r, BF_ERR_METHOD);
    assert_string_equal(res.allow, "GET, POST");

    /* Methods are case-sensitive (RFC 9110). */
    res = route_path("get", "/healthz");
    assert_int_equal(res.r, BF_ERR_METHOD);
    assert_string_equal(res.allow, "GET");
}

/* A literal segment wins over a parameter: /accounts/export is the export's
 * path alone, whatever the method, and /accounts/bulk the bulk action's. */
static void a_literal_segment_wins_over_a_parameter(void **state)
{
    (void)state;
    result res = route_path("GET", "/api/v1/accounts/export");
    assert_int_equal(res.r, BF_OK);
    assert_string_equal(res.target, "export");
    res = route_path("POST", "/api/v1/accounts/bulk");
    assert_int_equal(res.r, BF_OK);
    assert_string_equal(res.target, "bulk");
    res = route_path("PATCH", "/api/v1/accounts/export");
    assert_int_equal(res.r, BF_ERR_METHOD);
    assert_string_equal(res.allow, "GET");
    res = route_path("GET", "/api/v1/accounts/bulk");
    assert_int_equal(res.r, BF_ERR_METHOD);
    assert_string_equal(res.allow, "POST");
    res = route_path("PATCH", "/api/v1/accounts/acc_1");
    assert_int_equal(res.r, BF_OK);
    assert_string_equal(res.target, "patch");
}

static void a_short_allow_buffer_is_never_overrun(void **state)
{
    (void)state;
    http_request req = request("PUT", "/api/v1/accounts/acc_1");
    const http_route *found = NULL;
    char allow[16];
    memset(allow, 'x', sizeof(allow));
    /* Only 8 of the 16 bytes are the router's. */
    assert_int_equal(router_match(routes, NROUTES, &req, &found, allow, 8), BF_ERR_METHOD);
    assert_null(found);
    assert_true(strlen(allow) < 8);
    assert_memory_equal(allow, "GET", strlen(allow)); /* whole methods, or none */
    for (size_t i = 8; i < sizeof(allow); i++)
        assert_int_equal(allow[i], 'x');
    assert_int_equal(router_match(routes, NROUTES, &req, &found, NULL, 0), BF_ERR_METHOD);
}

/* The router compares segments as they are: it resolves nothing, so an odd
 * path can only name a route whose segments it spells out. */
static void odd_paths_are_taken_literally(void **state)
{
    (void)state;
    /* A trailing slash, or an empty segment, is another path. */
    assert_int_equal(route_path("GET", "/api/v1/accounts/").r, BF_ERR_NOT_FOUND);
    assert_int_equal(route_path("GET", "/healthz/").r, BF_ERR_NOT_FOUND);
    assert_int_equal(route_path("GET", "/api/v1//accounts").r, BF_ERR_NOT_FOUND);
    assert_int_equal(route_path("GET", "//api/v1/accounts").r, BF_ERR_NOT_FOUND);
    assert_int_equal(route_path("POST", "/api/v1/accounts//transfer").r, BF_ERR_NOT_FOUND);

    /* Dot segments are not resolved: ".." does not climb to another route. */
    assert_int_equal(route_path("GET", "/api/v1/x/../accounts").r, BF_ERR_NOT_FOUND);
    assert_int_equal(route_path("GET", "/api/v1/./accounts").r, BF_ERR_NOT_FOUND);
    http_request req = request("GET", "/api/v1/accounts/..");
    result res = route(&req);
    assert_string_equal(res.target, "get"); /* an id "..", which no record has */
    assert_string_equal(req.params[0], "..");

    /* Decoding is the server's: an encoded slash stays inside its segment. */
    req = request("GET", "/api/v1/accounts/a%2Fb");
    res = route(&req);
    assert_string_equal(res.target, "get");
    assert_string_equal(req.params[0], "a%2Fb");
    assert_int_equal(route_path("GET", "/api/v1%2Faccounts").r, BF_ERR_NOT_FOUND);
}

static void a_very_long_path_is_matched_in_full(void **state)
{
    (void)state;
    enum { N = 100000 };
    char *path = arena_alloc(test_arena, N + 32);
    assert_non_null(path);
    memcpy(path, "/api/v1/accounts/", 17);
    memset(path + 17, 'k', N);
    path[17 + N] = '\0';
    http_request req = request("GET", path);
    result res = route(&req);
    assert_int_equal(res.r, BF_OK);
    assert_int_equal(strlen(req.params[0]), N);

    /* Many segments match nothing, and take no parameter space. */
    for (size_t i = 0; i < N; i += 2)
        memcpy(path + i, "/x", 2);
    path[N] = '\0';
    req = request("GET", path);
    assert_int_equal(route(&req).r, BF_ERR_NOT_FOUND);
    assert_int_equal(req.nparams, 0);
}

/* An in-process request (the command line's) decodes its path and query as
 * the server does, and no further. */
static void capture(http_request *req, void *app)
{
    *(http_request **)app = req;
    req->status = 200;
}

static http_request *local(const char *target)
{
    http_request *seen = NULL, *out = NULL;
    static const char *const headers[] = {"Content-Type", "application/json", NULL};
    assert_int_equal(
        http_request_local(test_arena, "GET", target, "{}", 2, headers, capture, &seen, &out),
        BF_OK);
    assert_ptr_equal(seen, out);
    return out;
}

static void an_in_process_request_is_decoded_once(void **state)
{
    (void)state;
    http_request *req = local("/api/v1/accounts/%E5%85%B5?q=a%26b&limit=5&flag&empty=");
    assert_string_equal(req->path, "/api/v1/accounts/兵");
    assert_string_equal(http_query(req, "q"), "a&b");
    assert_string_equal(http_query(req, "limit"), "5");
    assert_string_equal(http_query(req, "flag"), "");
    assert_string_equal(http_query(req, "empty"), "");
    assert_null(http_query(req, "missing"));
    assert_string_equal(http_header(req, "content-type"), "application/json");
    assert_null(http_header(req, "Authorization"));
    assert_null(http_cookie(req, "bingfa_session"));
    assert_string_equal(http_client_address(req), "local");
    assert_int_equal(req->body.len, 2);

    /* "%25" is a percent sign, not the start of another escape. */
    req = local("/x?v=%2541");
    assert_string_equal(http_query(req, "v"), "%41");
    /* What is not an escape stays as it is. */
    req = local("/x?a=%zz&b=%4&c=100%");
    assert_string_equal(http_query(req, "a"), "%zz");
    assert_string_equal(http_query(req, "b"), "%4");
    assert_string_equal(http_query(req, "c"), "100%");
    /* Nor is a sign or a space where a hex digit belongs. */
    req = local("/x?d=%-1&e=%+1&f=%%201");
    assert_string_equal(http_query(req, "d"), "%-1");
    assert_string_equal(http_query(req, "e"), "% 1");
    assert_string_equal(http_query(req, "f"), "% 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_route_matches_by_method_and_path),
        cmocka_unit_test(parameters_capture_whole_segments),
        cmocka_unit_test(an_unknown_path_is_not_found),
        cmocka_unit_test(a_known_path_with_another_method_lists_the_allowed_ones),
        cmocka_unit_test(a_literal_segment_wins_over_a_parameter),
        cmocka_unit_test(a_short_allow_buffer_is_never_overrun),
        cmocka_unit_test(odd_paths_are_taken_literally),
        cmocka_unit_test(a_very_long_path_is_matched_in_full),
        cmocka_unit_test(an_in_process_request_is_decoded_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
