/* Unit tests of src/http/server.c: response headers are never dropped
 * silently, the body length a request announces, and answers held until
 * another thread releases them. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/response.h"
#include "http/server.h"

static void the_header_beyond_the_limit_is_an_error(void **state)
{
    (void)state;
    http_request req = {0};
    for (int i = 0; i < HTTP_MAX_HEADERS; i++)
        assert_true(http_set_header(&req, "X-Test", "1"));
    assert_false(req.headers_overflow);
    assert_false(http_set_header(&req, "X-One-Too-Many", "1"));
    assert_true(req.headers_overflow);
    assert_int_equal(req.nheaders, HTTP_MAX_HEADERS);
}

static void an_in_process_request_announces_its_body(void **state)
{
    (void)state;
    http_local local = {0};
    http_request req = {.local = &local};
    arena *a = arena_new(0);
    assert_non_null(a);
    buf_init(&req.body, a, 100);
    uint64_t n = 7;
    assert_false(http_has_body(&req, &n));
    assert_int_equal(n, 0);
    assert_int_equal(buf_append_str(&req.body, "{\"a\":1}"), BF_OK);
    assert_true(http_has_body(&req, &n));
    assert_int_equal(n, 7);
    arena_free(a);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Releases the request after the milliseconds in its path ("/after/N"). */
static void *release_later(void *arg)
{
    http_request *req = arg;
    sleep_ms(atol(req->path + strlen("/after/")));
    http_request_release(req);
    return NULL;
}

/* Answers with the path, held: released on this thread at once ("/now"), or
 * by another thread after some milliseconds ("/after/N"). */
static void holding_handler(http_request *req, void *app)
{
    (void)app;
    http_respond_json(req, 200, json_pack("{s:s}", "path", req->path));
    assert_true(http_request_can_hold(req));
    http_request_hold(req);
    pthread_t t;
    if (strcmp(req->path, "/now") == 0 || pthread_create(&t, NULL, release_later, req) != 0)
        http_request_release(req);
    else
        pthread_detach(t);
}

/* One GET on its own connection; the whole answer into out. */
static void get(uint16_t port, const char *path, char *out, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    char req[256];
    int n =
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", path);
    assert_int_equal(send(fd, req, (size_t)n, 0), n);
    size_t len = 0;
    ssize_t got;
    while (len + 1 < cap && (got = recv(fd, out + len, cap - 1 - len, 0)) > 0)
        len += (size_t)got;
    out[len] = '\0';
    close(fd);
}

static http_server *start_holding(void)
{
    http_options opt = {.address = "127.0.0.1",
                        .max_body = 1024,
                        .threads = 2,
                        .connection_limit = 64,
                        .timeout_seconds = 10};
    http_server *srv = NULL;
    bf_error err = {0};
    assert_int_equal(http_server_start(&opt, holding_handler, NULL, &srv, &err), BF_OK);
    return srv;
}

static void a_held_answer_goes_out_when_released(void **state)
{
    (void)state;
    http_server *srv = start_holding();
    char out[4096];
    const char *paths[] = {"/now", "/after/0", "/after/50"};
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
            get(http_server_port(srv), paths[i], out, sizeof(out));
            assert_non_null(strstr(out, "HTTP/1.1 200"));
            char want[64];
            snprintf(want, sizeof(want), "{\"path\":\"%s\"}", paths[i]);
            assert_non_null(strstr(out, want));
        }
    }
    http_server_stop(srv, 1000);
}

typedef struct late_get {
    uint16_t port;
    char out[4096];
} late_get;

static void *get_late(void *arg)
{
    late_get *g = arg;
    get(g->port, "/after/300", g->out, sizeof(g->out));
    return NULL;
}

/* Stopping waits for an answer held, which is sent. */
static void stopping_waits_for_an_answer_held(void **state)
{
    (void)state;
    http_server *srv = start_holding();
    late_get g = {.port = http_server_port(srv)};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, get_late, &g), 0);
    sleep_ms(100);
    http_server_stop(srv, 5000);
    pthread_join(t, NULL);
    assert_non_null(strstr(g.out, "HTTP/1.1 200"));
}

static void an_in_process_request_cannot_be_held(void **state)
{
    (void)state;
    http_local local = {0};
    http_request req = {.local = &local};
    assert_false(http_request_can_hold(&req));
}

/* ---- the end of a request (http_done) ---- */

typedef struct ends {
    atomic_int admitted, done, same_thread;
} ends;

static bool admit_noting_thread(http_request *req, void *app)
{
    ends *e = app;
    pthread_t *self = arena_alloc(req->arena, sizeof(*self));
    assert_non_null(self);
    *self = pthread_self();
    req->app_state = self;
    atomic_fetch_add(&e->admitted, 1);
    return true;
}

static void done_counting(http_request *req, void *app)
{
    ends *e = app;
    const pthread_t *admitter = req->app_state;
    atomic_fetch_add(&e->done, 1);
    if (admitter != NULL && pthread_equal(*admitter, pthread_self()))
        atomic_fetch_add(&e->same_thread, 1);
}

static void answering_handler(http_request *req, void *app)
{
    (void)app;
    http_respond_json(req, 200, json_pack("{s:s}", "path", req->path));
}

/* A connection that sends a POST's headers and half its body, then goes. */
static void leave_mid_body(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    const char req[] = "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"a\":";
    assert_int_equal(send(fd, req, sizeof(req) - 1, 0), (ssize_t)(sizeof(req) - 1));
    sleep_ms(50);
    close(fd);
}

/* done is called once for every admitted request, answered or abandoned,
 * on the thread that admitted it. */
static void every_request_ends_on_the_thread_that_admitted_it(void **state)
{
    (void)state;
    static ends e;
    e = (ends){0};
    http_options opt = {.address = "127.0.0.1",
                        .max_body = 1024,
                        .threads = 2,
                        .connection_limit = 64,
                        .timeout_seconds = 10,
                        .admit = admit_noting_thread,
                        .done = done_counting};
    http_server *srv = NULL;
    bf_error err = {0};
    assert_int_equal(http_server_start(&opt, answering_handler, &e, &srv, &err), BF_OK);
    char out[4096];
    for (int i = 0; i < 10; i++) {
        get(http_server_port(srv), "/a", out, sizeof(out));
        assert_non_null(strstr(out, "HTTP/1.1 200"));
    }
    leave_mid_body(http_server_port(srv));
    for (int i = 0; i < 100 && atomic_load(&e.done) < 11; i++)
        sleep_ms(10);
    assert_int_equal(atomic_load(&e.admitted), 11);
    assert_int_equal(atomic_load(&e.done), 11);
    assert_int_equal(atomic_load(&e.same_thread), 11);
    http_server_stop(srv, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_header_beyond_the_limit_is_an_error),
        cmocka_unit_test(an_in_process_request_announces_its_body),
        cmocka_unit_test(a_held_answer_goes_out_when_released),
        cmocka_unit_test(stopping_waits_for_an_answer_held),
        cmocka_unit_test(an_in_process_request_cannot_be_held),
        cmocka_unit_test(every_request_ends_on_the_thread_that_admitted_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
