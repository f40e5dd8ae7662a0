/* Unit tests of src/cli/proc.c: another program run with its output kept,
 * its exit status, a password in its environment and not its arguments.
 * The command line is not a library, so its file is included here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../src/cli/proc.c"

void cli_error(const char *fmt, ...)
{
    (void)fmt; /* the failures below are expected: nothing to print */
}

static void output_and_status_come_back(void **state)
{
    (void)state;
    char *sh_argv[] = {"sh", "-c", "printf 'hello\\n'; exit 3", NULL};
    char *out;
    size_t len;
    assert_int_equal(proc_output(NULL, sh_argv, NULL, 1024, &out, &len), 3);
    assert_int_equal(len, 6);
    assert_string_equal(out, "hello\n");
    free(out);

    /* From a directory named, not the PATH. */
    char *true_argv[] = {"true", NULL};
    assert_int_equal(proc_run("/bin", true_argv, -1, NULL), 0);
    char *missing_argv[] = {"no-such-program-here", NULL};
    assert_int_equal(proc_run("/bin", missing_argv, -1, NULL), -1);
    assert_int_equal(proc_run(NULL, missing_argv, -1, NULL), -1);
}

static void output_past_its_limit_is_refused(void **state)
{
    (void)state;
    char *argv[] = {"sh", "-c", "head -c 200000 /dev/zero", NULL};
    char *out = (char *)1;
    size_t len;
    assert_int_equal(proc_output(NULL, argv, NULL, 100000, &out, &len), -1);
    assert_null(out);
    assert_int_equal(proc_output(NULL, argv, NULL, 300000, &out, &len), 0);
    assert_int_equal(len, 200000);
    free(out);
}

static void password_goes_in_the_environment_only(void **state)
{
    (void)state;
    setenv("PGPASSWORD", "the-callers", 1);
    char *argv[] = {"sh", "-c", "printf '%s|%s' \"$PGPASSWORD\" \"$*\"", "sh", "arg", NULL};
    char *out;
    size_t len;
    assert_int_equal(proc_output(NULL, argv, "s3cr:t", 1024, &out, &len), 0);
    assert_string_equal(out, "s3cr:t|arg");
    free(out);
    /* Without one, the caller's own (or ~/.pgpass) serves. */
    assert_int_equal(proc_output(NULL, argv, "", 1024, &out, &len), 0);
    assert_string_equal(out, "the-callers|arg");
    free(out);
    unsetenv("PGPASSWORD");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(output_and_status_come_back),
        cmocka_unit_test(output_past_its_limit_is_refused),
        cmocka_unit_test(password_goes_in_the_environment_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
