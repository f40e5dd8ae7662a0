/* Unit tests of `bingfa init` (src/cli/init.c): its arguments, and the
 * database it creates or upgrades. The command lives in the bingfa binary,
 * not a library, so its file is included here; what it calls only for
 * --demo must not be reached. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "../../../src/cli/db_option.c"
#include "../../../src/cli/init.c"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bingfa: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_random_password(char *out, size_t cap)
{
    (void)out;
    (void)cap;
    fail_msg("init without --demo made a password");
}

playbook_set *cli_load_all_playbooks(store *st)
{
    (void)st;
    fail_msg("init without --demo loaded playbooks");
    return NULL;
}

bf_result demo_load(store *st, const playbook_set *playbooks, const char *password, bf_error *err)
{
    (void)st;
    (void)playbooks;
    (void)password;
    (void)err;
    fail_msg("init without --demo loaded the demo");
    return BF_ERR_INTERNAL;
}

static char dir[] = "/tmp/bingfa-init-test-XXXXXX";
static char db[64];

static int setup(void **state)
{
    (void)state;
    unsetenv("BINGFA_DB");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(db, sizeof(db), "%s/b.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[80];
    snprintf(path, sizeof(path), "%s-wal", db);
    unlink(path);
    snprintf(path, sizeof(path), "%s-shm", db);
    unlink(path);
    unlink(db);
    return rmdir(dir) == 0 ? 0 : -1;
}

static int run(int argc, const char *const *argv)
{
    return cli_init(argc, (char **)argv);
}

static int schema_version_of(const char *path)
{
    sqlite3 *raw;
    assert_int_equal(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(
        sqlite3_prepare_v2(raw, "SELECT MAX(version) FROM schema_migrations", -1, &s, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(raw);
    return v;
}

static void bad_arguments_exit_2_and_create_nothing(void **state)
{
    (void)state;
    assert_int_equal(run(0, NULL), 2); /* --db is required */
    const char *const unknown[] = {"--db", db, "--verbose"};
    assert_int_equal(run(3, unknown), 2);
    const char *const dangling[] = {"--db"};
    assert_int_equal(run(1, dangling), 2);
    const char *const zero[] = {"--db", db, "--schema-version", "0"};
    assert_int_equal(run(4, zero), 2);
    const char *const junk[] = {"--db", db, "--schema-version", "2x"};
    assert_int_equal(run(4, junk), 2);
    char too_new[16];
    snprintf(too_new, sizeof(too_new), "%d", store_schema_latest() + 1);
    const char *const future[] = {"--db", db, "--schema-version", too_new};
    assert_int_equal(run(4, future), 2);
    /* The demo needs the latest schema. */
    const char *const demo_old[] = {"--db", db, "--demo", "--schema-version", "2"};
    assert_int_equal(run(5, demo_old), 2);
    assert_int_equal(access(db, F_OK), -1);
}

static void init_creates_a_private_database_and_upgrades_it(void **state)
{
    (void)state;
    const char *const old[] = {"--db", db, "--schema-version", "2"};
    assert_int_equal(run(4, old), 0);
    struct stat sb;
    assert_int_equal(stat(db, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600); /* it holds password hashes */
    assert_int_equal(schema_version_of(db), 2);

    const char *const upgrade[] = {"--db", db};
    assert_int_equal(run(2, upgrade), 0);
    assert_int_equal(schema_version_of(db), store_schema_latest());
    /* Again: nothing to do, and no error. */
    assert_int_equal(run(2, upgrade), 0);
    assert_int_equal(schema_version_of(db), store_schema_latest());
}

/* Without --db, the environment's BINGFA_DB names the database. */
static void bingfa_db_stands_in_for_db(void **state)
{
    (void)state;
    assert_int_equal(setenv("BINGFA_DB", db, 1), 0);
    assert_int_equal(run(0, NULL), 0);
    assert_int_equal(unsetenv("BINGFA_DB"), 0);
    assert_int_equal(schema_version_of(db), store_schema_latest());
}

static void a_path_that_cannot_be_created_fails_with_1(void **state)
{
    (void)state;
    char path[96];
    snprintf(path, sizeof(path), "%s/no/such/dir.db", dir);
    const char *const argv[] = {"--db", path};
    assert_int_equal(run(2, argv), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_arguments_exit_2_and_create_nothing),
        cmocka_unit_test(init_creates_a_private_database_and_upgrades_it),
        cmocka_unit_test(bingfa_db_stands_in_for_db),
        cmocka_unit_test(a_path_that_cannot_be_created_fails_with_1),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
