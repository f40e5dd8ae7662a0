/* Unit tests of the store (src/store/) through its interface: opening and
 * migrations, records and their versions, references, transactions, lists,
 * who sees which rows, and the playbooks' generation. On in-memory SQLite
 * databases, or on fresh PostgreSQL databases when BINGFA_TEST_STORE is
 * postgresql (test_db.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/embedded.h"
#include "store/store.h"
#include "../test_db.h"

extern const embedded_file store_migration_files[], store_migration_files_pg[];

typedef struct fixture {
    store *st;
    arena *a;
    bf_error err;
    char db[512];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    f->a = arena_new(64 * 1024);
    if (f->a == NULL || !test_db_fresh(":memory:", f->db, sizeof(f->db)) ||
        store_open(f->db, NULL, &f->st, &f->err) != BF_OK) {
        fprintf(stderr, "set-up: %s\n", f->err.message);
        arena_free(f->a);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    test_db_drop(f->db);
    arena_free(f->a);
    free(f);
    return 0;
}

/* A record of spec from a JSON object text, validated as a create is. */
static record *make(fixture *f, const resource_spec *spec, const char *json)
{
    json_error_t jerr;
    json_t *obj = json_loads(json, 0, &jerr);
    assert_non_null(obj);
    record *rec = NULL;
    bf_result r = record_from_json(f->a, spec, obj, RECORD_CREATE, &rec, &f->err);
    json_decref(obj);
    assert_int_equal(r, BF_OK);
    return rec;
}

/* Inserts a record made from json and returns its id. */
static const char *insert(fixture *f, const resource_spec *spec, const char *json)
{
    record *rec = make(f, spec, json);
    assert_int_equal(store_record_insert(f->st, f->a, rec, &f->err), BF_OK);
    return rec->id;
}

/* An open deal on account_id owned by owner_id (stage and probability are
 * the server's to set, so they are set here by hand). */
static const char *insert_deal(fixture *f, const char *account_id, const char *owner_id,
                               const char *status)
{
    char json[256];
    snprintf(json, sizeof(json),
             "{\"account_id\":\"%s\",\"name\":\"deal\",\"owner_id\":\"%s\",\"status\":\"%s\"}",
             account_id, owner_id, status);
    record *rec = make(f, &resource_opportunities, json);
    record_set_text(rec, "stage", "first");
    record_set_int(rec, "probability", 10);
    assert_int_equal(store_record_insert(f->st, f->a, rec, &f->err), BF_OK);
    return rec->id;
}

static void a_new_database_gets_every_migration(void **state)
{
    fixture *f = *state;
    assert_true(store_schema_latest() >= 6);
    assert_int_equal(store_schema_version(f->st), store_schema_latest());
}

/* The migrations of both databases are the same versions, by name. */
static void both_dialects_have_the_same_migrations(void **state)
{
    (void)state;
    size_t n = 0;
    while (store_migration_files[n].name != NULL) {
        const char *pg = store_migration_files_pg[n].name;
        assert_non_null(pg);
        assert_string_equal(store_migration_files[n].name, pg);
        n++;
    }
    assert_null(store_migration_files_pg[n].name);
}

/* A database made by an older binary is brought up to date when opened,
 * and keeps what it held. */
static void an_old_database_is_migrated_on_open(void **state)
{
    (void)state;
    char dir[] = "/tmp/bingfa-store-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char file[64], path[512], wal[80], shm[80];
    snprintf(file, sizeof(file), "%s/old.db", dir);
    assert_true(test_db_fresh(file, path, sizeof(path)));
    snprintf(wal, sizeof(wal), "%s-wal", file);
    snprintf(shm, sizeof(shm), "%s-shm", file);

    bf_error err = {0};
    store *st;
    store_options old = {.migrate_to = 1};
    assert_int_equal(store_open(path, &old, &st, &err), BF_OK);
    assert_int_equal(store_schema_version(st), 1);
    assert_int_equal(store_setting_put(st, "kept", "{\"a\":1}", "test", &err), BF_ERR_STORE);
    store_close(st);

    assert_int_equal(store_open(path, NULL, &st, &err), BF_OK);
    assert_int_equal(store_schema_version(st), store_schema_latest());
    assert_int_equal(store_setting_put(st, "kept", "{\"a\":1}", "test", &err), BF_OK);
    store_close(st);

    /* Opened again, nothing is applied twice and the data is there. */
    assert_int_equal(store_open(path, NULL, &st, &err), BF_OK);
    arena *a = arena_new(0);
    const char *data = NULL;
    assert_int_equal(store_setting_get(st, a, "kept", &data, &err), BF_OK);
    assert_string_equal(data, "{\"a\":1}");
    arena_free(a);
    store_close(st);

    unlink(wal);
    unlink(shm);
    unlink(file);
    test_db_drop(path);
    assert_int_equal(rmdir(dir), 0);
}

/* The deals' indexes with a definition in the SQLite database at file. */
static int deal_indexes(const char *file)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    int n = -1;
    if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                           "tbl_name = 'opportunities' AND sql IS NOT NULL",
                           -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW)
            n = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return n;
}

/* A bulk load into a database without deals drops their indexes and
 * builds them again at its end; with deals it keeps them. */
static void a_bulk_load_defers_the_deals_indexes(void **state)
{
    (void)state;
    if (test_db_postgres())
        skip();
    char dir[] = "/tmp/bingfa-store-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char file[64], wal[80], shm[80];
    snprintf(file, sizeof(file), "%s/bulk.db", dir);
    snprintf(wal, sizeof(wal), "%s-wal", file);
    snprintf(shm, sizeof(shm), "%s-shm", file);
    bf_error err = {0};
    store *st;
    store_options bulk = {.synchronous_full = true, .bulk_load = true};
    assert_int_equal(store_open(file, &bulk, &st, &err), BF_OK);
    int all = deal_indexes(file);
    assert_true(all > 10);
    bool deferred = false;
    assert_int_equal(store_bulk_defer_indexes(st, &deferred, &err), BF_OK);
    assert_true(deferred);
    assert_int_equal(deal_indexes(file), 0);
    assert_int_equal(store_bulk_build_indexes(st, &err), BF_OK);
    assert_int_equal(deal_indexes(file), all);
    /* Dropped again and the store closed: opening it builds them. */
    assert_int_equal(store_bulk_defer_indexes(st, &deferred, &err), BF_OK);
    store_close(st);
    assert_int_equal(deal_indexes(file), 0);
    assert_int_equal(store_open(file, NULL, &st, &err), BF_OK);
    assert_int_equal(deal_indexes(file), all);
    store_close(st);
    unlink(wal);
    unlink(shm);
    unlink(file);
    assert_int_equal(rmdir(dir), 0);
}

static void a_record_round_trips(void **state)
{
    fixture *f = *state;
    record *rec = make(f, &resource_accounts,
                       "{\"name\":\"华北电力\",\"industry\":\"energy\",\"employees\":1200,"
                       "\"annual_revenue\":500000000}");
    assert_null(rec->id);
    assert_int_equal(store_record_insert(f->st, f->a, rec, &f->err), BF_OK);
    assert_non_null(rec->id);
    assert_memory_equal(rec->id, "acc_", 4);
    assert_int_equal(strlen(rec->id), 4 + 26);
    assert_int_equal(rec->version, 1);
    assert_non_null(rec->created_at);

    record *got;
    assert_int_equal(store_record_get(f->st, f->a, &resource_accounts, rec->id, &got, &f->err),
                     BF_OK);
    assert_string_equal(got->id, rec->id);
    assert_int_equal(got->version, 1);
    assert_string_equal(got->created_at, rec->created_at);
    assert_string_equal(record_text(got, "name"), "华北电力");
    assert_string_equal(record_text(got, "industry"), "energy");
    assert_int_equal(record_field_const(got, "employees")->i, 1200);
    assert_int_equal(record_field_const(got, "annual_revenue")->i, 500000000);
    assert_true(record_field_const(got, "region")->null);

    assert_int_equal(
        store_record_get(f->st, f->a, &resource_accounts, "acc_missing", &got, &f->err),
        BF_ERR_NOT_FOUND);
    /* An id of another resource is not found either. */
    assert_int_equal(store_record_get(f->st, f->a, &resource_contacts, rec->id, &got, &f->err),
                     BF_ERR_NOT_FOUND);
}

static void updates_and_deletes_need_the_current_version(void **state)
{
    fixture *f = *state;
    const char *id = insert(f, &resource_accounts, "{\"name\":\"one\"}");
    record *rec;
    assert_int_equal(store_record_get(f->st, f->a, &resource_accounts, id, &rec, &f->err), BF_OK);
    record_set_text(rec, "name", "two");
    assert_int_equal(store_record_update(f->st, f->a, rec, 1, &f->err), BF_OK);
    assert_int_equal(rec->version, 2);

    /* Someone who read version 1 cannot overwrite version 2. */
    record_set_text(rec, "name", "lost update");
    assert_int_equal(store_record_update(f->st, f->a, rec, 1, &f->err), BF_ERR_STALE);
    assert_int_equal(store_record_delete(f->st, &resource_accounts, id, 1, &f->err), BF_ERR_STALE);
    record *now;
    assert_int_equal(store_record_get(f->st, f->a, &resource_accounts, id, &now, &f->err), BF_OK);
    assert_int_equal(now->version, 2);
    assert_string_equal(record_text(now, "name"), "two");

    assert_int_equal(store_record_delete(f->st, &resource_accounts, id, 2, &f->err), BF_OK);
    assert_int_equal(store_record_get(f->st, f->a, &resource_accounts, id, &now, &f->err),
                     BF_ERR_NOT_FOUND);
    assert_int_equal(store_record_update(f->st, f->a, rec, 2, &f->err), BF_ERR_NOT_FOUND);
    assert_int_equal(store_record_delete(f->st, &resource_accounts, id, 2, &f->err),
                     BF_ERR_NOT_FOUND);
}

static void references_must_exist_and_keep_their_target(void **state)
{
    fixture *f = *state;
    record *orphan = make(f, &resource_contacts, "{\"account_id\":\"acc_gone\",\"name\":\"Li\"}");
    assert_int_equal(store_record_insert(f->st, f->a, orphan, &f->err), BF_ERR_INVALID);
    assert_string_equal(f->err.field, "account_id");

    const char *acc = insert(f, &resource_accounts, "{\"name\":\"acme\"}");
    char json[128];
    snprintf(json, sizeof(json), "{\"account_id\":\"%s\",\"name\":\"Li\"}", acc);
    insert(f, &resource_contacts, json);
    /* The account is still referred to: it cannot go. */
    assert_int_equal(store_record_delete(f->st, &resource_accounts, acc, 1, &f->err),
                     BF_ERR_CONFLICT);
    assert_string_equal(f->err.code, "in_use");
    record *still;
    assert_int_equal(store_record_get(f->st, f->a, &resource_accounts, acc, &still, &f->err),
                     BF_OK);
}

static void a_rolled_back_write_leaves_nothing(void **state)
{
    fixture *f = *state;
    assert_int_equal(store_begin(f->st, &f->err), BF_OK);
    const char *id = insert(f, &resource_accounts, "{\"name\":\"gone\"}");
    store_rollback(f->st);
    record *rec;
    assert_int_equal(store_record_get(f->st, f->a, &resource_accounts, id, &rec, &f->err),
                     BF_ERR_NOT_FOUND);

    /* A failure inside a nested transaction undoes the outer one too. */
    assert_int_equal(store_begin(f->st, &f->err), BF_OK);
    const char *outer = insert(f, &resource_accounts, "{\"name\":\"outer\"}");
    assert_int_equal(store_begin(f->st, &f->err), BF_OK);
    insert(f, &resource_accounts, "{\"name\":\"inner\"}");
    store_rollback(f->st);
    assert_int_equal(store_commit(f->st, &f->err), BF_ERR_INTERNAL);
    assert_int_equal(store_record_get(f->st, f->a, &resource_accounts, outer, &rec, &f->err),
                     BF_ERR_NOT_FOUND);

    /* And the store is usable afterwards. */
    id = insert(f, &resource_accounts, "{\"name\":\"kept\"}");
    assert_int_equal(store_record_get(f->st, f->a, &resource_accounts, id, &rec, &f->err), BF_OK);
}

/* The accounts a search for piece finds (everything), and the first's title. */
static size_t accounts_found(fixture *f, const char *piece, const char **first)
{
    search_query q = {.npieces = 1, .limit = 50};
    q.pieces[0] = piece;
    search_found out;
    assert_int_equal(store_search(f->st, f->a, &q, &out, &f->err), BF_OK);
    *first = out.n[SEARCH_ACCOUNT] ? out.hits[SEARCH_ACCOUNT][0].title : NULL;
    return out.n[SEARCH_ACCOUNT];
}

/* A large transaction (store_begin_alone, an import's) writes the grams of
 * the records it creates at its end, sorted: the index then holds what
 * one-by-one writes make, after renames and deletes inside the
 * transaction, and a rollback leaves nothing waiting. */
static void a_large_transaction_indexes_its_records_at_its_end(void **state)
{
    fixture *f = *state;
    const char *title;
    assert_int_equal(store_begin_alone(f->st, &f->err), BF_OK);
    const char *a = insert(f, &resource_accounts, "{\"name\":\"延迟索引甲\"}");
    const char *b = insert(f, &resource_accounts, "{\"name\":\"Deferred Beta\"}");
    const char *c = insert(f, &resource_accounts, "{\"name\":\"延迟索引丙\"}");
    record *rec;
    assert_int_equal(store_record_get(f->st, f->a, &resource_accounts, a, &rec, &f->err), BF_OK);
    record_set_text(rec, "name", "延迟索引乙");
    assert_int_equal(store_record_update(f->st, f->a, rec, 1, &f->err), BF_OK);
    assert_int_equal(store_record_delete(f->st, &resource_accounts, c, 1, &f->err), BF_OK);
    if (!test_db_postgres()) /* SQLite's wait for the commit */
        assert_int_equal(accounts_found(f, "延迟", &title), 0);
    assert_int_equal(store_commit(f->st, &f->err), BF_OK);

    assert_int_equal(accounts_found(f, "延迟索引", &title), 1);
    assert_string_equal(title, "延迟索引乙");
    assert_int_equal(accounts_found(f, "乙", &title), 1);
    assert_int_equal(accounts_found(f, "甲", &title), 0);
    assert_int_equal(accounts_found(f, "丙", &title), 0);
    assert_int_equal(accounts_found(f, "deferr", &title), 1);
    assert_string_equal(title, "Deferred Beta");

    /* Grams written so are taken out by an ordinary rename. */
    assert_int_equal(store_record_get(f->st, f->a, &resource_accounts, b, &rec, &f->err), BF_OK);
    record_set_text(rec, "name", "Renamed Gamma");
    assert_int_equal(store_record_update(f->st, f->a, rec, 1, &f->err), BF_OK);
    assert_int_equal(accounts_found(f, "deferr", &title), 0);
    assert_int_equal(accounts_found(f, "gamma", &title), 1);

    /* Rolled back, nothing waits to be written by the next one. */
    assert_int_equal(store_begin_alone(f->st, &f->err), BF_OK);
    insert(f, &resource_accounts, "{\"name\":\"回滚索引一\"}");
    store_rollback(f->st);
    assert_int_equal(store_begin_alone(f->st, &f->err), BF_OK);
    insert(f, &resource_accounts, "{\"name\":\"回滚索引二\"}");
    assert_int_equal(store_commit(f->st, &f->err), BF_OK);
    assert_int_equal(accounts_found(f, "回滚索引", &title), 1);
    assert_string_equal(title, "回滚索引二");
}

/* The playbooks' generation: 0 before any document is stored, one more with
 * each new one, the same when a version stored already is put again, and
 * taken back with a rolled-back store of a document. */
static void the_playbook_generation_moves_with_each_new_document(void **state)
{
    fixture *f = *state;
    int64_t g = -1;
    bool inserted = false;
    assert_int_equal(store_playbook_generation(f->st, &g, &f->err), BF_OK);
    assert_int_equal(g, 0);
    assert_int_equal(store_playbook_put(f->st, "gen", 1, "{}", "t", &inserted, &f->err), BF_OK);
    assert_true(inserted);
    assert_int_equal(store_playbook_generation(f->st, &g, &f->err), BF_OK);
    assert_int_equal(g, 1);
    assert_int_equal(store_playbook_put(f->st, "gen", 1, "{}", "t", &inserted, &f->err), BF_OK);
    assert_false(inserted);
    assert_int_equal(store_playbook_generation(f->st, &g, &f->err), BF_OK);
    assert_int_equal(g, 1);
    assert_int_equal(store_playbook_put(f->st, "gen", 2, "{}", "t", &inserted, &f->err), BF_OK);
    assert_int_equal(store_playbook_put(f->st, "other", 1, "{}", NULL, &inserted, &f->err), BF_OK);
    assert_int_equal(store_playbook_generation(f->st, &g, &f->err), BF_OK);
    assert_int_equal(g, 3);

    assert_int_equal(store_begin(f->st, &f->err), BF_OK);
    assert_int_equal(store_playbook_put(f->st, "gen", 3, "{}", "t", &inserted, &f->err), BF_OK);
    assert_true(inserted);
    store_rollback(f->st);
    assert_int_equal(store_playbook_generation(f->st, &g, &f->err), BF_OK);
    assert_int_equal(g, 3);
    stored_playbook *items = NULL;
    size_t n = 0;
    assert_int_equal(store_playbook_list(f->st, f->a, &items, &n, &f->err), BF_OK);
    assert_int_equal(n, 3);
}

static void lists_filter_sort_and_continue(void **state)
{
    fixture *f = *state;
    static const char *const rows[] = {
        "{\"name\":\"delta\",\"industry\":\"bank\"}",
        "{\"name\":\"alpha\",\"industry\":\"bank\"}",
        "{\"name\":\"echo\",\"industry\":\"power\"}",
        "{\"name\":\"charlie\",\"industry\":\"bank\"}",
        "{\"name\":\"bravo\",\"industry\":\"bank\"}",
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        insert(f, &resource_accounts, rows[i]);

    int industry = resource_field_index(&resource_accounts, "industry");
    list_query q = {.spec = &resource_accounts,
                    .sort_field = resource_field_index(&resource_accounts, "name"),
                    .desc = true,
                    .limit = 3};
    q.filters[0] = (list_filter){.field = industry, .op = LIST_EQ, .text = "bank"};
    q.nfilters = 1;
    record_page page;
    assert_int_equal(store_record_list(f->st, f->a, &q, &page, &f->err), BF_OK);
    assert_int_equal(page.n, 3);
    assert_true(page.more);
    assert_string_equal(record_text(page.items[0], "name"), "delta");
    assert_string_equal(record_text(page.items[1], "name"), "charlie");
    assert_string_equal(record_text(page.items[2], "name"), "bravo");

    /* The next page continues after the last row, by its sort value and id. */
    q.after = true;
    q.after_text = record_text(page.items[2], "name");
    q.after_id = page.items[2]->id;
    assert_int_equal(store_record_list(f->st, f->a, &q, &page, &f->err), BF_OK);
    assert_int_equal(page.n, 1);
    assert_false(page.more);
    assert_string_equal(record_text(page.items[0], "name"), "alpha");

    /* A search matches a substring, and '%' in it is no wildcard. */
    list_query s = {
        .spec = &resource_accounts, .sort_field = LIST_SORT_CREATED, .search = "ha", .limit = 10};
    assert_int_equal(store_record_list(f->st, f->a, &s, &page, &f->err), BF_OK);
    assert_int_equal(page.n, 2); /* alpha, charlie */
    s.search = "%";
    assert_int_equal(store_record_list(f->st, f->a, &s, &page, &f->err), BF_OK);
    assert_int_equal(page.n, 0);

    /* The same filter twice is refused, naming it. */
    q.filters[1] = q.filters[0];
    q.nfilters = 2;
    assert_int_equal(store_record_list(f->st, f->a, &q, &page, &f->err), BF_ERR_INVALID);
    assert_string_equal(f->err.field, "industry");
}

/* The names of the accounts a list with these ?tag= groups finds. */
static const char *tagged(fixture *f, const char *const *groups, size_t ngroups)
{
    list_query q = {.spec = &resource_accounts,
                    .sort_field = resource_field_index(&resource_accounts, "name"),
                    .limit = 50};
    for (size_t g = 0; g < ngroups; g++) {
        list_tag_group *tg = &q.tag_groups[q.ntag_groups++];
        for (const char *p = groups[g]; *p; p += strlen(p) + 1) /* "a\0b\0" */
            tg->tags[tg->n++] = p;
    }
    record_page page;
    assert_int_equal(store_record_list(f->st, f->a, &q, &page, &f->err), BF_OK);
    char *out = arena_strdup(f->a, "");
    for (size_t i = 0; i < page.n; i++)
        out = arena_printf(f->a, "%s%s%s", out, i ? " " : "", record_text(page.items[i], "name"));
    return out;
}

/* The tags in use among every account, "tag:count …" by tag. */
static const char *tag_counts(fixture *f)
{
    tag_count *tags;
    size_t n;
    bool complete = false;
    assert_int_equal(
        store_tag_counts(f->st, f->a, NULL, &resource_accounts, &tags, &n, &complete, &f->err),
        BF_OK);
    assert_true(complete);
    char *out = arena_strdup(f->a, "");
    for (size_t i = 0; i < n; i++)
        out = arena_printf(f->a, "%s%s%s:%lld", out, i ? " " : "", tags[i].tag,
                           (long long)tags[i].records);
    return out;
}

/* A record's tags filter the lists and are counted: the rows and counts
 * follow its create, its updates, its delete, and a write rolled back
 * leaves them as they were. */
static void tags_follow_their_records(void **state)
{
    fixture *f = *state;
    insert(f, &resource_accounts, "{\"name\":\"a\",\"tags\":[\"x\",\"y\"]}");
    insert(f, &resource_accounts, "{\"name\":\"b\",\"tags\":[\"y\"]}");
    record *c = make(f, &resource_accounts, "{\"name\":\"c\",\"tags\":[\"z\"]}");
    assert_int_equal(store_record_insert(f->st, f->a, c, &f->err), BF_OK);
    insert(f, &resource_accounts, "{\"name\":\"d\"}");
    const char *const x[] = {"x\0"}, *const y[] = {"y\0"}, *const xz[] = {"x\0z\0"};
    const char *const x_and_y[] = {"x\0", "y\0"};
    assert_string_equal(tagged(f, y, 1), "a b");
    assert_string_equal(tagged(f, xz, 1), "a c");
    assert_string_equal(tagged(f, x_and_y, 2), "a");
    assert_string_equal(tag_counts(f), "x:1 y:2 z:1");

    record_set_text(c, "tags", "[\"y\",\"x\"]");
    assert_int_equal(store_record_update(f->st, f->a, c, c->version, &f->err), BF_OK);
    assert_string_equal(tagged(f, x_and_y, 2), "a c");
    assert_string_equal(tag_counts(f), "x:2 y:3");

    int64_t version = c->version;
    assert_int_equal(store_begin(f->st, &f->err), BF_OK);
    record_set_text(c, "tags", NULL);
    assert_int_equal(store_record_update(f->st, f->a, c, c->version, &f->err), BF_OK);
    store_rollback(f->st);
    assert_string_equal(tag_counts(f), "x:2 y:3");
    c->version = version; /* as it was: the update was rolled back */

    assert_int_equal(store_record_delete(f->st, &resource_accounts, c->id, c->version, &f->err),
                     BF_OK);
    assert_string_equal(tagged(f, x, 1), "a");
    assert_string_equal(tag_counts(f), "x:1 y:2");
}

/* The viewer of the user called name, as authentication finds it. */
static const viewer *viewer_of(fixture *f, const char *name)
{
    user_login *u = arena_alloc(f->a, sizeof(*u));
    assert_non_null(u);
    assert_int_equal(store_user_by_name(f->st, f->a, name, u, &f->err), BF_OK);
    return &u->who;
}

static bool sees(fixture *f, const viewer *v, const resource_spec *spec, const char *id)
{
    bool visible = true;
    assert_int_equal(store_record_visible(f->st, v, spec, id, &visible, &f->err), BF_OK);
    return visible;
}

static size_t listed(fixture *f, const viewer *v, const resource_spec *spec)
{
    list_query q = {.spec = spec, .sort_field = LIST_SORT_CREATED, .limit = 50, .who = v};
    record_page page;
    assert_int_equal(store_record_list(f->st, f->a, &q, &page, &f->err), BF_OK);
    return page.n;
}

/* docs/access.md: sales see the deals they own or are on (their team's when
 * it shares), managers their team tree, partners the deals their company is
 * registered on, implementation the won deals handed to them; accounts go
 * with their deals and contacts with their accounts. */
static void each_role_sees_its_own_rows(void **state)
{
    fixture *f = *state;
    char json[256];
    const char *team = insert(f, &resource_teams, "{\"name\":\"north\"}");
    const char *sub = NULL;
    snprintf(json, sizeof(json), "{\"name\":\"north-1\",\"parent_id\":\"%s\"}", team);
    sub = insert(f, &resource_teams, json);
    const char *partner = insert(f, &resource_partners, "{\"name\":\"channel co\"}");

    static const char *const people[][2] = {
        {"s1", "sales"}, {"s2", "sales"}, {"boss", "manager"}, {"ops", "implementation"}};
    const char *ids[4];
    for (int i = 0; i < 4; i++) {
        snprintf(json, sizeof(json), "{\"name\":\"%s\",\"role\":\"%s\",\"team_id\":\"%s\"}",
                 people[i][0], people[i][1], i == 1 ? sub : team);
        ids[i] = insert(f, &resource_users, json);
    }
    snprintf(json, sizeof(json), "{\"name\":\"p\",\"role\":\"partner\",\"partner_id\":\"%s\"}",
             partner);
    insert(f, &resource_users, json);

    snprintf(json, sizeof(json), "{\"name\":\"a1\",\"owner_id\":\"%s\"}", ids[0]);
    const char *a1 = insert(f, &resource_accounts, json);
    snprintf(json, sizeof(json), "{\"name\":\"a2\",\"owner_id\":\"%s\"}", ids[1]);
    const char *a2 = insert(f, &resource_accounts, json);
    const char *a3 = insert(f, &resource_accounts, "{\"name\":\"nobody's\"}");
    snprintf(json, sizeof(json), "{\"account_id\":\"%s\",\"name\":\"Wang\"}", a2);
    const char *c2 = insert(f, &resource_contacts, json);
    const char *o1 = insert_deal(f, a1, ids[0], "open");
    const char *o2 = insert_deal(f, a2, ids[1], "won");
    bool inserted = false;
    assert_int_equal(store_partner_register(f->st, o2, partner, "test", &inserted, &f->err), BF_OK);
    assert_true(inserted);

    const viewer *s1 = viewer_of(f, "s1"), *s2 = viewer_of(f, "s2");
    const viewer *boss = viewer_of(f, "boss"), *p = viewer_of(f, "p"), *ops = viewer_of(f, "ops");

    /* Sales: their own deal and its account, nobody else's. */
    assert_true(sees(f, s1, &resource_opportunities, o1));
    assert_true(sees(f, s1, &resource_accounts, a1));
    assert_false(sees(f, s1, &resource_opportunities, o2));
    assert_false(sees(f, s1, &resource_accounts, a2));
    assert_false(sees(f, s1, &resource_contacts, c2));
    assert_false(sees(f, s1, &resource_accounts, a3));
    assert_int_equal(listed(f, s1, &resource_opportunities), 1);
    assert_int_equal(listed(f, s1, &resource_accounts), 1);
    assert_true(sees(f, s2, &resource_contacts, c2));

    /* A manager sees the deals of the team and its sub-teams. */
    assert_true(sees(f, boss, &resource_opportunities, o1));
    assert_true(sees(f, boss, &resource_opportunities, o2));
    assert_true(sees(f, boss, &resource_contacts, c2));
    assert_false(sees(f, boss, &resource_accounts, a3));
    assert_int_equal(listed(f, boss, &resource_accounts), 2);

    /* A partner: the deal its company is registered on, and its account;
     * of the directory only its own user and company, no teams. */
    assert_true(sees(f, p, &resource_opportunities, o2));
    assert_true(sees(f, p, &resource_accounts, a2));
    assert_true(sees(f, p, &resource_contacts, c2));
    assert_false(sees(f, p, &resource_opportunities, o1));
    assert_false(sees(f, p, &resource_accounts, a1));
    assert_int_equal(listed(f, p, &resource_users), 1);
    assert_int_equal(listed(f, p, &resource_teams), 0);
    assert_int_equal(listed(f, p, &resource_partners), 1);
    assert_int_equal(listed(f, s1, &resource_users), 5);

    /* Implementation: only won deals on whose team it is, as implementation. */
    assert_false(sees(f, ops, &resource_opportunities, o2));
    assert_int_equal(store_member_put(f->st, o2, ids[3], "implementation", "test", &f->err), BF_OK);
    assert_true(sees(f, ops, &resource_opportunities, o2));
    assert_true(sees(f, ops, &resource_accounts, a2));
    assert_int_equal(store_member_put(f->st, o1, ids[3], "implementation", "test", &f->err), BF_OK);
    assert_false(sees(f, ops, &resource_opportunities, o1)); /* still open */

    /* Put on a deal's team, a salesperson sees it. */
    assert_int_equal(store_member_put(f->st, o2, ids[0], "sales", "test", &f->err), BF_OK);
    assert_true(sees(f, s1, &resource_opportunities, o2));
    assert_int_equal(store_member_delete(f->st, o2, ids[0], &f->err), BF_OK);
    assert_false(sees(f, s1, &resource_opportunities, o2));

    /* Admins, and the store's own callers (no viewer), see everything. */
    viewer admin = {.role = ROLE_ADMIN, .user_id = "usr_x", .name = "root"};
    assert_true(sees(f, &admin, &resource_accounts, a3));
    assert_true(sees(f, NULL, &resource_accounts, a3));
    assert_int_equal(listed(f, NULL, &resource_accounts), 3);

    /* Nobody sees what does not exist. */
    assert_false(sees(f, NULL, &resource_accounts, "acc_nothing"));
}

/* With share_deals on their team, sales and consultants see one another's
 * deals; sub-teams are not part of it. */
static void a_sharing_team_sees_its_deals(void **state)
{
    fixture *f = *state;
    char json[256];
    const char *team = insert(f, &resource_teams, "{\"name\":\"east\",\"share_deals\":true}");
    const char *ids[3];
    static const char *const names[] = {"x", "y", "z"};
    for (int i = 0; i < 3; i++) {
        snprintf(json, sizeof(json), "{\"name\":\"%s\",\"role\":\"%s\"%s%s%s}", names[i],
                 i == 1 ? "consultant" : "sales", i < 2 ? ",\"team_id\":\"" : "", i < 2 ? team : "",
                 i < 2 ? "\"" : "");
        ids[i] = insert(f, &resource_users, json);
    }
    snprintf(json, sizeof(json), "{\"name\":\"acc\",\"owner_id\":\"%s\"}", ids[0]);
    const char *acc = insert(f, &resource_accounts, json);
    const char *deal = insert_deal(f, acc, ids[0], "open");

    const viewer *y = viewer_of(f, "y"), *z = viewer_of(f, "z");
    assert_true(y->team_shares);
    assert_true(sees(f, y, &resource_opportunities, deal));
    assert_true(sees(f, y, &resource_accounts, acc));
    assert_false(z->team_shares);
    assert_false(sees(f, z, &resource_opportunities, deal));
}

static int asked;

static bool always_stop(void *ctx)
{
    (void)ctx;
    asked++;
    return true;
}

/* A statement whose client went away stops midway, and the next one, with
 * nothing asked, runs. */
static void an_interrupt_stops_a_long_statement(void **state)
{
    fixture *f = *state;
    char json[64];
    for (int i = 0; i < 3000; i++) {
        snprintf(json, sizeof(json), "{\"name\":\"客户 %d\"}", i);
        insert(f, &resource_accounts, json);
    }
    list_query q = {.spec = &resource_accounts,
                    .sort_field = LIST_SORT_CREATED,
                    .search = "不存在",
                    .limit = 10};
    record_page page;
    asked = 0;
    assert_int_equal(store_set_interrupt(f->st, always_stop, NULL, &f->err), BF_OK);
    assert_int_equal(store_record_list(f->st, f->a, &q, &page, &f->err), BF_ERR_BUSY);
    assert_string_equal(f->err.code, "stopped");
    assert_true(asked >= 1);
    assert_int_equal(store_set_interrupt(f->st, NULL, NULL, &f->err), BF_OK);
    assert_int_equal(store_record_list(f->st, f->a, &q, &page, &f->err), BF_OK);
    assert_int_equal(page.n, 0);
    assert_int_equal(asked, 1);
}

static bool stop_on_second_ask(void *ctx)
{
    (void)ctx;
    return ++asked >= 2;
}

/* On PostgreSQL, a statement already running when stop() says so is
 * cancelled on the server (SQLite's progress handler is the other test). */
static void a_running_statement_is_cancelled(void **state)
{
    fixture *f = *state;
    if (!test_db_postgres())
        skip();
    /* Partners: a table without an index on the names the search reads. */
    assert_true(test_db_run(f->db, "INSERT INTO partners (id, created_at, updated_at, name) "
                                   "SELECT 'ptn_' || i, '2026', '2026', repeat('伙伴', 100) || i "
                                   "FROM generate_series(1, 100000) AS i"));
    list_query q = {.spec = &resource_partners,
                    .sort_field = LIST_SORT_CREATED,
                    .search = "不存在",
                    .limit = 10};
    record_page page;
    asked = 0;
    assert_int_equal(store_set_interrupt(f->st, stop_on_second_ask, NULL, &f->err), BF_OK);
    assert_int_equal(store_record_list(f->st, f->a, &q, &page, &f->err), BF_ERR_BUSY);
    assert_string_equal(f->err.code, "stopped");
    assert_int_equal(asked, 2);
    assert_int_equal(store_set_interrupt(f->st, NULL, NULL, &f->err), BF_OK);
    q.search = "伙伴伙伴";
    assert_int_equal(store_record_list(f->st, f->a, &q, &page, &f->err), BF_OK);
    assert_int_equal(page.n, 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_new_database_gets_every_migration, setup, teardown),
        cmocka_unit_test(both_dialects_have_the_same_migrations),
        cmocka_unit_test(an_old_database_is_migrated_on_open),
        cmocka_unit_test(a_bulk_load_defers_the_deals_indexes),
        cmocka_unit_test_setup_teardown(a_record_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(updates_and_deletes_need_the_current_version, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(references_must_exist_and_keep_their_target, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_rolled_back_write_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(a_large_transaction_indexes_its_records_at_its_end, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_playbook_generation_moves_with_each_new_document, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(lists_filter_sort_and_continue, setup, teardown),
        cmocka_unit_test_setup_teardown(tags_follow_their_records, setup, teardown),
        cmocka_unit_test_setup_teardown(each_role_sees_its_own_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(a_sharing_team_sees_its_deals, setup, teardown),
        cmocka_unit_test_setup_teardown(an_interrupt_stops_a_long_statement, setup, teardown),
        cmocka_unit_test_setup_teardown(a_running_statement_is_cancelled, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
