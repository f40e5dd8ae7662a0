/* Unit tests of src/core/arena.c and src/core/buf.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/buf.h"

static int cleanups_run;

static void count_cleanup(void *p)
{
    cleanups_run += *(int *)p;
}

static void arena_allocates_aligned_and_large(void **state)
{
    (void)state;
    arena *a = arena_new(1024);
    assert_non_null(a);
    for (int i = 0; i < 1000; i++) {
        void *p = arena_alloc(a, (size_t)(i % 37) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)(i % 37) + 1);
    }
    char *big = arena_alloc(a, 1 << 20);
    assert_non_null(big);
    memset(big, 1, 1 << 20);
    assert_string_equal(arena_strdup(a, "兵法"), "兵法");
    assert_string_equal(arena_printf(a, "%s-%d", "ruijie", 6), "ruijie-6");
    assert_null(arena_calloc(a, SIZE_MAX / 2, 4));
    arena_free(a);
}

static void arena_runs_cleanups_once(void **state)
{
    (void)state;
    int weight = 5;
    cleanups_run = 0;
    arena *a = arena_new(0);
    assert_int_equal(arena_on_free(a, count_cleanup, &weight), 0);
    assert_int_equal(arena_on_free(a, count_cleanup, &weight), 0);
    assert_int_equal(cleanups_run, 0);
    arena_free(a);
    assert_int_equal(cleanups_run, 10);
}

static void buf_grows_to_its_max_and_no_further(void **state)
{
    (void)state;
    arena *a = arena_new(0);
    buf b;
    buf_init(&b, a, 10);
    assert_string_equal(buf_cstr(&b), "");
    assert_int_equal(buf_append_str(&b, "12345"), BF_OK);
    assert_int_equal(buf_printf(&b, "%d", 6789), BF_OK);
    assert_string_equal(buf_cstr(&b), "123456789");
    assert_int_equal(buf_append_str(&b, "0"), BF_OK);
    assert_int_equal(buf_append_str(&b, "x"), BF_ERR_TOO_LARGE);
    assert_int_equal(buf_printf(&b, "%s", "y"), BF_ERR_TOO_LARGE);
    assert_int_equal(b.len, 10);
    assert_string_equal(buf_cstr(&b), "1234567890");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_allocates_aligned_and_large),
        cmocka_unit_test(arena_runs_cleanups_once),
        cmocka_unit_test(buf_grows_to_its_max_and_no_further),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
