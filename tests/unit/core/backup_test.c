/* Unit tests of src/core/backup.c: what pg_restore writes, read back; the
 * versions of a copy checked; a URI without its password; names and sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/backup.h"

static const char *names[] = {NULL, "0001_init.sql", "0002_stage_history_checklist.sql",
                              "0003_playbook_engine.sql"};

/* This "binary" knows versions 1 to 3. */
static const char *known(int v)
{
    return v >= 1 && v <= 3 ? names[v] : NULL;
}

static void copy_text_of_schema_migrations_is_read(void **state)
{
    (void)state;
    static const char text[] =
        "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n\n"
        "COPY public.schema_migrations (version, name, applied_at) FROM stdin;\n"
        "1\t0001_init.sql\t2026-01-05T01:30:00.000Z\n"
        "2\t0002_stage_history_checklist.sql\t2026-01-05T01:30:00.000Z\n"
        "3\t0003_\\\\playbook\\tengine.sql\t2026-01-05T01:30:00.000Z\n"
        "\\.\n\n--\n-- PostgreSQL database dump complete\n--\n";
    backup_version rows[8];
    size_t n;
    bf_error err = {0};
    assert_int_equal(backup_parse_copy(text, strlen(text), rows, 8, &n, &err), BF_OK);
    assert_int_equal(n, 3);
    assert_int_equal(rows[0].version, 1);
    assert_string_equal(rows[0].name, "0001_init.sql");
    assert_int_equal(rows[1].version, 2);
    assert_string_equal(rows[2].name, "0003_\\playbook\tengine.sql"); /* escapes decoded */

    /* More rows than room: counted, the first kept. */
    assert_int_equal(backup_parse_copy(text, strlen(text), rows, 1, &n, &err), BF_OK);
    assert_int_equal(n, 3);

    /* An unqualified table name is the same table. */
    static const char plain[] = "COPY schema_migrations (version, name) FROM stdin;\n7\tx\n\\.\n";
    assert_int_equal(backup_parse_copy(plain, strlen(plain), rows, 8, &n, &err), BF_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].version, 7);
}

static void copy_text_that_is_not_bingfa_is_refused(void **state)
{
    (void)state;
    backup_version rows[8];
    size_t n;
    bf_error err = {0};
    static const char other[] = "COPY public.accounts (id, name) FROM stdin;\n1\ta\n\\.\n";
    assert_int_equal(backup_parse_copy(other, strlen(other), rows, 8, &n, &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "not_bingfa");
    assert_int_equal(backup_parse_copy("", 0, rows, 8, &n, &err), BF_ERR_INVALID);
    static const char cut[] = "COPY public.schema_migrations (version, name) FROM stdin;\n1\ta\n";
    assert_int_equal(backup_parse_copy(cut, strlen(cut), rows, 8, &n, &err), BF_ERR_INVALID);
    assert_non_null(strstr(err.message, "cut short"));
    static const char null_name[] =
        "COPY public.schema_migrations (version, name) FROM stdin;\n1\t\\N\n\\.\n";
    assert_int_equal(backup_parse_copy(null_name, strlen(null_name), rows, 8, &n, &err),
                     BF_ERR_INVALID);
    static const char words[] =
        "COPY public.schema_migrations (version, name) FROM stdin;\none\ta\n\\.\n";
    assert_int_equal(backup_parse_copy(words, strlen(words), rows, 8, &n, &err), BF_ERR_INVALID);
}

static void versions_are_one_to_n_with_bingfa_names(void **state)
{
    (void)state;
    bf_error err = {0};
    int v = -1;
    backup_version rows[4] = {{2, "0002_stage_history_checklist.sql"}, {1, "0001_init.sql"}};
    assert_int_equal(backup_check_versions(rows, 2, known, &v, &err), BF_OK);
    assert_int_equal(v, 2);

    /* Newer than the binary: its names past the binary's are not known, not refused. */
    backup_version newer[4] = {{1, "0001_init.sql"},
                               {2, "0002_stage_history_checklist.sql"},
                               {3, "0003_playbook_engine.sql"},
                               {4, "0004_future.sql"}};
    assert_int_equal(backup_check_versions(newer, 4, known, &v, &err), BF_OK);
    assert_int_equal(v, 4);

    backup_version gap[2] = {{1, "0001_init.sql"}, {3, "0003_playbook_engine.sql"}};
    assert_int_equal(backup_check_versions(gap, 2, known, &v, &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "not_bingfa");
    backup_version twice[2] = {{1, "0001_init.sql"}, {1, "0001_init.sql"}};
    assert_int_equal(backup_check_versions(twice, 2, known, &v, &err), BF_ERR_INVALID);
    backup_version renamed[1] = {{1, "0001_other_app.sql"}};
    assert_int_equal(backup_check_versions(renamed, 1, known, &v, &err), BF_ERR_INVALID);
    assert_non_null(strstr(err.message, "0001_other_app.sql"));
    assert_int_equal(backup_check_versions(rows, 0, known, &v, &err), BF_ERR_INVALID);
    assert_int_equal(v, 0);
}

static void uri_loses_its_password(void **state)
{
    (void)state;
    char uri[256], pw[64];
    assert_true(backup_uri_without_password("postgresql://bingfa:s%40cr%3At@db1:5432/bingfa"
                                            "?sslmode=verify-full",
                                            uri, sizeof(uri), pw, sizeof(pw)));
    assert_string_equal(uri, "postgresql://bingfa@db1:5432/bingfa?sslmode=verify-full");
    assert_string_equal(pw, "s@cr:t");

    assert_true(backup_uri_without_password("postgres://u@h/d?password=p%26w&sslmode=require", uri,
                                            sizeof(uri), pw, sizeof(pw)));
    assert_string_equal(uri, "postgres://u@h/d?sslmode=require");
    assert_string_equal(pw, "p&w");

    assert_true(backup_uri_without_password("postgresql:///d?host=/run/postgresql&password=x", uri,
                                            sizeof(uri), pw, sizeof(pw)));
    assert_string_equal(uri, "postgresql:///d?host=/run/postgresql");
    assert_string_equal(pw, "x");

    /* None: the URI as it was. An '@' in a path or query is not a user's. */
    assert_true(backup_uri_without_password("postgresql:///d?host=/tmp/a:b@c", uri, sizeof(uri), pw,
                                            sizeof(pw)));
    assert_string_equal(uri, "postgresql:///d?host=/tmp/a:b@c");
    assert_string_equal(pw, "");

    /* Too long for the room: refused, not cut. */
    assert_false(backup_uri_without_password("postgresql://u:p@host/db", uri, 10, pw, sizeof(pw)));
    assert_false(
        backup_uri_without_password("postgresql://u:longpassword@h/d", uri, sizeof(uri), pw, 4));
}

static void partial_names_sit_beside_their_file(void **state)
{
    (void)state;
    char out[64];
    assert_true(backup_partial_name("/backup/bingfa-2026-01-05.db", 42, out, sizeof(out)));
    assert_string_equal(out, "/backup/.bingfa-2026-01-05.db.partial-42");
    assert_true(backup_partial_name("bingfa.db", 7, out, sizeof(out)));
    assert_string_equal(out, ".bingfa.db.partial-7");
    assert_true(backup_partial_name("/x", 1, out, sizeof(out)));
    assert_string_equal(out, "/.x.partial-1");
    assert_false(backup_partial_name("/backup/", 1, out, sizeof(out)));
    assert_false(backup_partial_name("/a/very/long/directory/name/bingfa.db", 123456, out, 20));
}

static void sizes_for_people(void **state)
{
    (void)state;
    char out[32];
    backup_format_size(812, out, sizeof(out));
    assert_string_equal(out, "812 B");
    backup_format_size(3482, out, sizeof(out));
    assert_string_equal(out, "3.40 KiB");
    backup_format_size(12 * 1024 * 1024, out, sizeof(out));
    assert_string_equal(out, "12.0 MiB");
    backup_format_size(1342177280LL, out, sizeof(out));
    assert_string_equal(out, "1.25 GiB");
}

static void files_are_known_by_their_first_bytes(void **state)
{
    (void)state;
    static const unsigned char sqlite[] = "SQLite format 3\0\x10\x00";
    static const unsigned char pg[] = "PGDMP\x01\x0e\x00";
    assert_int_equal(backup_kind_of(sqlite, sizeof(sqlite) - 1), BACKUP_SQLITE);
    assert_int_equal(backup_kind_of(pg, sizeof(pg) - 1), BACKUP_PG_ARCHIVE);
    assert_int_equal(backup_kind_of((const unsigned char *)"SQLite format 3", 15), BACKUP_UNKNOWN);
    assert_int_equal(backup_kind_of((const unsigned char *)"--\n-- PostgreSQL", 16),
                     BACKUP_UNKNOWN);
    assert_int_equal(backup_kind_of(pg, 0), BACKUP_UNKNOWN);
}

static void put32(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void sqlite_files_cut_short_are_found(void **state)
{
    (void)state;
    unsigned char head[100] = "SQLite format 3";
    bf_error err = {0};
    head[16] = 0x10; /* 4096 */
    head[17] = 0x00;
    put32(head + 24, 5);
    put32(head + 28, 10);
    put32(head + 92, 5);
    assert_int_equal(backup_sqlite_whole(head, sizeof(head), 40960, &err), BF_OK);
    assert_int_equal(backup_sqlite_whole(head, sizeof(head), 40960 + 4096, &err), BF_OK);
    assert_int_equal(backup_sqlite_whole(head, sizeof(head), 40860, &err), BF_ERR_INVALID);
    assert_string_equal(err.code, "truncated");
    assert_non_null(strstr(err.message, "10 pages"));
    /* A count an old SQLite left stale is not trusted. */
    put32(head + 92, 4);
    assert_int_equal(backup_sqlite_whole(head, sizeof(head), 100, &err), BF_OK);
    /* 1 is 65536. */
    put32(head + 92, 5);
    head[16] = 0;
    head[17] = 1;
    assert_int_equal(backup_sqlite_whole(head, sizeof(head), 40960, &err), BF_ERR_INVALID);
    assert_int_equal(backup_sqlite_whole(head, sizeof(head), 655360, &err), BF_OK);
    assert_int_equal(backup_sqlite_whole(head, 50, 655360, &err), BF_ERR_INVALID);
}

static void tables_of_an_archive_are_counted(void **state)
{
    (void)state;
    static const char list[] = ";\n; Archive created at 2026-01-05 09:30:00 CST\n"
                               ";     dbname: bingfa\n;\n"
                               "; Selected TOC Entries:\n;\n"
                               "2; 3079 16385 EXTENSION - pg_trgm \n"
                               "215; 1259 16390 TABLE public accounts bingfa\n"
                               "216; 1259 16400 TABLE public schema_migrations bingfa\n"
                               "301; 1255 16500 FUNCTION public audit_log_append() bingfa\n"
                               "3501; 0 16390 TABLE DATA public accounts bingfa\n"
                               "3502; 0 16400 TABLE DATA public schema_migrations bingfa\n"
                               "3600; 1259 16700 INDEX public accounts_name bingfa";
    assert_int_equal(backup_list_tables(list, strlen(list)), 2);
    assert_int_equal(backup_list_tables("", 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copy_text_of_schema_migrations_is_read),
        cmocka_unit_test(copy_text_that_is_not_bingfa_is_refused),
        cmocka_unit_test(versions_are_one_to_n_with_bingfa_names),
        cmocka_unit_test(uri_loses_its_password),
        cmocka_unit_test(partial_names_sit_beside_their_file),
        cmocka_unit_test(sizes_for_people),
        cmocka_unit_test(files_are_known_by_their_first_bytes),
        cmocka_unit_test(tables_of_an_archive_are_counted),
        cmocka_unit_test(sqlite_files_cut_short_are_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
