/* Unit tests of the store's backups on SQLite (src/store/store_backup.c):
 * the copy is one snapshot while a writer goes on, the check finds damage
 * and files that are not bingfa's, a file in use is not held. PostgreSQL's
 * part runs through the binary in tests/api/test_backup.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"

typedef struct fixture {
    char dir[64];
    char db[96], copy[96], other[96];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/bingfa-backup-test-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->db, sizeof(f->db), "%s/bingfa.db", f->dir);
    snprintf(f->copy, sizeof(f->copy), "%s/copy.db", f->dir);
    snprintf(f->other, sizeof(f->other), "%s/other.db", f->dir);
    store *st;
    bf_error err = {0};
    store_options opt = {.synchronous_full = true};
    if (store_open(f->db, &opt, &st, &err) != BF_OK) {
        free(f);
        return -1;
    }
    store_close(st);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void run(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

static int64_t count(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

static void copy_is_checked_and_a_rollback_journal_file(void **state)
{
    fixture *f = *state;
    bf_error err = {0};
    bool wal = false;
    assert_int_equal(store_sqlite_copy(f->db, f->copy, &wal, &err), BF_OK);
    assert_true(wal);
    store_copy_info info;
    assert_int_equal(store_sqlite_check(f->copy, &info, &err), BF_OK);
    assert_int_equal(info.schema_version, store_schema_latest());
    assert_true(info.tables > 30);
    assert_int_equal(access(f->copy, R_OK), 0);
    char wal_file[128];
    snprintf(wal_file, sizeof(wal_file), "%s-wal", f->copy);
    assert_int_not_equal(access(wal_file, F_OK), 0);
    assert_int_equal(count(f->copy, "SELECT count(*) FROM pragma_journal_mode WHERE "
                                    "journal_mode = 'delete'"),
                     1);
    /* An existing file is never written over. */
    assert_int_not_equal(store_sqlite_copy(f->db, f->copy, &wal, &err), BF_OK);
    assert_int_equal(store_sqlite_copy(f->other, f->copy, &wal, &err), BF_ERR_NOT_FOUND);
}

/* A transaction a connection keeps open over the copy is not in it; what
 * was committed before it is, whole. */
static void copy_is_one_snapshot_while_a_writer_goes_on(void **state)
{
    fixture *f = *state;
    sqlite3 *w;
    assert_int_equal(sqlite3_open(f->db, &w), SQLITE_OK);
    run(w, "PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER);"
           "INSERT INTO t VALUES (1), (2), (3); BEGIN IMMEDIATE; INSERT INTO t VALUES (4)");
    bf_error err = {0};
    bool wal;
    assert_int_equal(store_sqlite_copy(f->db, f->copy, &wal, &err), BF_OK);
    run(w, "COMMIT");
    sqlite3_close(w);
    assert_int_equal(count(f->copy, "SELECT count(*) FROM t"), 3);
    assert_int_equal(count(f->db, "SELECT count(*) FROM t"), 4);
}

static void check_finds_damage_and_strangers(void **state)
{
    fixture *f = *state;
    bf_error err = {0};
    bool wal;
    store_copy_info info;
    /* Not bingfa's: no schema_migrations. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->other, &db), SQLITE_OK);
    run(db, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('a')");
    sqlite3_close(db);
    assert_int_equal(store_sqlite_check(f->other, &info, &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "not_bingfa");
    /* Another application's versions. */
    assert_int_equal(sqlite3_open(f->other, &db), SQLITE_OK);
    run(db, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT);"
            "INSERT INTO schema_migrations VALUES (1, '0001_create_notes.sql')");
    sqlite3_close(db);
    assert_int_equal(store_sqlite_check(f->other, &info, &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "not_bingfa");
    /* A damaged copy: a page of the middle overwritten. */
    assert_int_equal(store_sqlite_copy(f->db, f->copy, &wal, &err), BF_OK);
    FILE *fp = fopen(f->copy, "r+b");
    assert_non_null(fp);
    char junk[4096];
    memset(junk, 0x5a, sizeof(junk));
    assert_int_equal(fseek(fp, 8 * 4096, SEEK_SET), 0);
    assert_int_equal(fwrite(junk, 1, sizeof(junk), fp), sizeof(junk));
    fclose(fp);
    assert_int_equal(store_sqlite_check(f->copy, &info, &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "corrupt");
}

static void a_file_in_use_is_not_held(void **state)
{
    fixture *f = *state;
    bf_error err = {0};
    sqlite3 *reader;
    assert_int_equal(sqlite3_open(f->db, &reader), SQLITE_OK);
    assert_int_equal(count(f->db, "SELECT count(*) FROM schema_migrations"), store_schema_latest());
    run(reader, "SELECT count(*) FROM schema_migrations"); /* a WAL reader keeps its lock */
    store_file_hold *h = NULL;
    assert_int_equal(store_sqlite_hold(f->db, &h, &err), BF_ERR_BUSY);
    assert_string_equal(err.code, "in_use");
    assert_null(h);
    sqlite3_close(reader);
    assert_int_equal(store_sqlite_hold(f->db, &h, &err), BF_OK);
    /* Held: no one else reads it. */
    sqlite3 *late;
    assert_int_equal(sqlite3_open(f->db, &late), SQLITE_OK);
    assert_int_equal(sqlite3_exec(late, "SELECT count(*) FROM schema_migrations", NULL, NULL, NULL),
                     SQLITE_BUSY);
    sqlite3_close(late);
    store_sqlite_release(h);
    assert_int_equal(count(f->db, "SELECT count(*) FROM schema_migrations"), store_schema_latest());
    assert_int_equal(store_sqlite_hold(f->other, &h, &err), BF_ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(copy_is_checked_and_a_rollback_journal_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(copy_is_one_snapshot_while_a_writer_goes_on, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(check_finds_damage_and_strangers, setup, teardown),
        cmocka_unit_test_setup_teardown(a_file_in_use_is_not_held, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
