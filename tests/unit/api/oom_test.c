/* Allocation failures, as SQLite tests them: one representative request
 * (POST /api/v1/accounts, run in-process as in crud_test.c) is repeated
 * with its 1st, 2nd, … allocation failing, until it runs without reaching
 * the failing one. Each time the answer must be a clean error (500 or 503),
 * and the request must leave nothing half-written; the tests run under
 * ASan and LSan (make test), so a crash, a use after free or a leak fails
 * them too. Finally the request must succeed.
 *
 * Every allocation is counted: bingfa's own malloc, calloc and realloc are
 * wrapped at link time (-Wl,--wrap, see tests/CMakeLists.txt), and so is
 * jansson's, through the allocator api_new gives it; SQLite's go through
 * SQLITE_CONFIG_MALLOC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "api/api.h"
#include "../app_fixture.h"

/* ---- the failing allocator ---------------------------------------------------- */

static long allocations; /* counted while fail_at > 0 */
static long fail_at;     /* the allocation that fails (1-based); 0: none */
static bool persistent;  /* every allocation from fail_at on fails, not only that one */
static bool injected;    /* an allocation was failed */

static bool should_fail(void)
{
    if (fail_at <= 0)
        return false;
    allocations++;
    if (allocations == fail_at || (persistent && allocations > fail_at)) {
        injected = true;
        return true;
    }
    return false;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

static sqlite3_mem_methods sqlite_mem;

static void *sqlite_malloc(int n)
{
    return should_fail() ? NULL : sqlite_mem.xMalloc(n);
}

static void *sqlite_realloc(void *p, int n)
{
    return should_fail() ? NULL : sqlite_mem.xRealloc(p, n);
}

/* Counts SQLite's allocations too: before SQLite is first used. */
static void install_allocators(void)
{
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem) != SQLITE_OK)
        abort();
    sqlite3_mem_methods counted = sqlite_mem;
    counted.xMalloc = sqlite_malloc;
    counted.xRealloc = sqlite_realloc;
    /* No lookaside: its slots would hide allocations from the count. */
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &counted) != SQLITE_OK ||
        sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0) != SQLITE_OK)
        abort();
}

/* ---- the request ---------------------------------------------------------------- */

typedef app_fixture fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL || app_fixture_open(f, ":memory:", NULL) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    app_fixture_close(f);
    free(f);
    return 0;
}

static const char *const json_headers[] = {"Content-Type", "application/json", NULL};
static const char body[] = "{\"name\":\"华北电力\",\"industry\":\"energy\",\"employees\":1200}";

static char answer[512]; /* the last answer's body, for messages */

/* Runs the request with allocation n failing (0: none); its status, or 0
 * when it could not even be built (http_request_local answered NOMEM). */
static int post_account(fixture *f, long n)
{
    arena *a = arena_new(0);
    assert_non_null(a);
    allocations = 0;
    injected = false;
    fail_at = n;
    http_request *req = NULL;
    bf_result r = http_request_local(a, "POST", "/api/v1/accounts", body, strlen(body),
                                     json_headers, api_handle, f->app, &req);
    fail_at = 0;
    int status = r == BF_OK ? req->status : 0;
    if (r != BF_OK)
        assert_int_equal(r, BF_ERR_NOMEM);
    snprintf(answer, sizeof(answer), "%.*s", r == BF_OK ? (int)req->out.len : 0,
             r == BF_OK ? req->out.data : "");
    arena_free(a);
    return status;
}

/* How many accounts exist, and how many creations of one the audit log
 * holds: a write and its audit entry are one transaction, so the two agree
 * whatever failed. */
static void counts(fixture *f, size_t *accounts, size_t *audited)
{
    arena *a = arena_new(0);
    assert_non_null(a);
    bf_error err = {0};
    list_query q = {.spec = &resource_accounts, .sort_field = LIST_SORT_CREATED, .limit = 200};
    record_page page;
    assert_int_equal(store_record_list(f->st, a, &q, &page, &err), BF_OK);
    assert_false(page.more);
    *accounts = page.n;
    *audited = 0;
    audit_query aq = {.action = "create", .limit = LIST_MAX_LIMIT};
    for (;;) {
        audit_entry *e;
        size_t n;
        bool more;
        assert_int_equal(store_audit_list(f->st, a, &aq, &e, &n, &more, &err), BF_OK);
        for (size_t i = 0; i < n; i++)
            *audited += strcmp(e[i].resource, "accounts") == 0;
        if (!more)
            break;
        aq.after_seq = e[n - 1].seq;
    }
    arena_free(a);
}

static void run_failing_each_allocation(fixture *f)
{
    /* Once without failures first, so that statements are prepared and
     * caches filled as on a server that has been running. */
    assert_int_equal(post_account(f, 0), 201);
    size_t accounts, audited;
    long n;
    for (n = 1;; n++) {
        int status = post_account(f, n);
        if (!injected) {
            /* The request needed fewer allocations than n: done. */
            if (status != 201)
                fail_msg("nothing failed, and yet: %d %s", status, answer);
            break;
        }
        if (status != 0 && status != 500 && status != 503)
            fail_msg("allocation %ld failing: %d %s", n, status, answer);
        counts(f, &accounts, &audited);
        if (accounts != audited)
            fail_msg("allocation %ld failing: %zu accounts, %zu audited", n, accounts, audited);
    }
    assert_true(n > 10); /* the request did allocate, so failures were tried */
    print_message("the request was run with each of its %ld allocations failing\n", n - 1);
    /* After all that, the store still works. */
    counts(f, &accounts, &audited);
    assert_int_equal(post_account(f, 0), 201);
    size_t after, audited_after;
    counts(f, &after, &audited_after);
    assert_int_equal(after, accounts + 1);
    assert_int_equal(audited_after, audited + 1);
}

/* The failing allocator reaches the arena, jansson (once api_new has given
 * it bingfa's allocator) and SQLite, or the rest would prove little. */
static void every_allocator_is_counted(void **state)
{
    (void)state;
    fail_at = 1;
    persistent = true;
    arena *a = arena_new(0);
    json_t *j = json_object();
    void *q = sqlite3_malloc(16);
    fail_at = 0;
    persistent = false;
    assert_null(a);
    assert_null(j);
    assert_null(q);
    assert_int_equal(allocations, 3);
}

static void each_failing_allocation_is_a_clean_error(void **state)
{
    persistent = false;
    run_failing_each_allocation(*state);
}

/* Once memory runs out it stays out: the clean-up paths get none either. */
static void memory_that_stays_out_is_a_clean_error(void **state)
{
    persistent = true;
    run_failing_each_allocation(*state);
    persistent = false;
}

int main(void)
{
    install_allocators();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_allocator_is_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(each_failing_allocation_is_a_clean_error, setup, teardown),
        cmocka_unit_test_setup_teardown(memory_that_stays_out_is_a_clean_error, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
