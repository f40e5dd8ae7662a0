/* Unit tests of the durability of commits (store.h, src/store/sqlite_sync.c,
 * sqlite_batch.c) on database files: a commit waits for the disk, or defers
 * and is called back; what writes nothing waits for nothing; concurrent
 * writers queue and share flushes without losing a write; the transactions
 * of waiting writers share a batch, fail alone, and read what they wrote;
 * a request's read snapshot is its own, and a write ends it. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"

typedef struct fixture {
    char dir[64], path[96];
    store *st;
    bf_error err;
} fixture;

static int open_with(void **state, bool synchronous_full)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/bingfa-sync-test-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/sync.db", f->dir);
    store_options opt = {.synchronous_full = synchronous_full};
    if (store_open(f->path, &opt, &f->st, &f->err) != BF_OK) {
        fprintf(stderr, "set-up: %s\n", f->err.message);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return open_with(state, true);
}

static int setup_normal(void **state)
{
    return open_with(state, false);
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    char p[128];
    snprintf(p, sizeof(p), "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", f->path);
    unlink(p);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Inserts an account named name; its id into id (when not NULL). */
static bf_result insert_account_as(store *st, const char *name, char id[64], bf_error *err)
{
    arena *a = arena_new(4096);
    if (a == NULL)
        return BF_ERR_NOMEM;
    json_t *obj = json_pack("{s:s}", "name", name);
    record *rec = NULL;
    bf_result r =
        obj ? record_from_json(a, &resource_accounts, obj, RECORD_CREATE, &rec, err) : BF_ERR_NOMEM;
    json_decref(obj);
    if (r == BF_OK)
        r = store_record_insert(st, a, rec, err);
    if (r == BF_OK && id != NULL)
        snprintf(id, 64, "%s", rec->id);
    arena_free(a);
    return r;
}

static bf_result insert_account(store *st, const char *name, bf_error *err)
{
    return insert_account_as(st, name, NULL, err);
}

/* Whether the account id is there, read on this thread's connection. */
static bool account_exists(store *st, const char *id)
{
    arena *a = arena_new(4096);
    assert_non_null(a);
    record *rec;
    bf_error err = {0};
    bool found = store_record_get(st, a, &resource_accounts, id, &rec, &err) == BF_OK;
    arena_free(a);
    return found;
}

/* A callback that counts, under a lock, the calls and whether they were durable. */
typedef struct counter {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int calls, durable;
} counter;

static void counted(void *ctx, bool durable)
{
    counter *c = ctx;
    pthread_mutex_lock(&c->lock);
    c->calls++;
    c->durable += durable;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
}

/* Waits (up to 10 s) until c has been called n times; the calls made. */
static int wait_calls(counter *c, int n)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&c->lock);
    while (c->calls < n && pthread_cond_timedwait(&c->changed, &c->lock, &until) == 0)
        ;
    int calls = c->calls;
    pthread_mutex_unlock(&c->lock);
    return calls;
}

#define COUNTER_INIT                                                                               \
    {                                                                                              \
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0                                  \
    }

static void a_deferred_commit_is_called_back_once_on_disk(void **state)
{
    fixture *f = *state;
    assert_true(store_sync_defer(f->st));
    assert_int_equal(insert_account(f->st, "甲", &f->err), BF_OK);
    assert_int_equal(insert_account(f->st, "乙", &f->err), BF_OK);
    uint64_t token = store_sync_take(f->st);
    assert_true(token >= 2); /* the later of the two commits */
    assert_int_equal(store_sync_take(f->st), 0);

    counter c = COUNTER_INIT;
    store_waiter w = {.done = counted, .ctx = &c};
    store_sync_notify(f->st, token, &w);
    assert_int_equal(wait_calls(&c, 1), 1);
    assert_int_equal(c.durable, 1);

    /* On disk already: called at once, on this thread. */
    store_waiter again = {.done = counted, .ctx = &c};
    store_sync_notify(f->st, token, &again);
    assert_int_equal(c.calls, 2);
    assert_int_equal(c.durable, 2);
    assert_int_equal(store_sync_wait(f->st, token, &f->err), BF_OK);

    /* Not deferring, a commit waits by itself: nothing is left to take. */
    assert_int_equal(insert_account(f->st, "丙", &f->err), BF_OK);
    assert_int_equal(store_sync_take(f->st), 0);
}

static void what_writes_nothing_waits_for_nothing(void **state)
{
    fixture *f = *state;
    assert_true(store_sync_defer(f->st));
    assert_int_equal(store_begin(f->st, &f->err), BF_OK);
    assert_int_equal(store_commit(f->st, &f->err), BF_OK);
    assert_int_equal(store_begin(f->st, &f->err), BF_OK);
    assert_int_equal(insert_account(f->st, "回滚", &f->err), BF_OK);
    store_rollback(f->st);
    assert_int_equal(store_sync_take(f->st), 0);

    counter c = COUNTER_INIT;
    store_waiter w = {.done = counted, .ctx = &c};
    store_sync_notify(f->st, 0, &w);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.durable, 1);
}

/* A write of one statement, outside a transaction, is deferred too. */
static void a_write_outside_a_transaction_is_deferred_too(void **state)
{
    fixture *f = *state;
    assert_true(store_sync_defer(f->st));
    audit_entry e = {.actor = "test", .action = "login_failed", .new_values = "{}"};
    assert_int_equal(store_audit_append(f->st, &e, &f->err), BF_OK);
    uint64_t token = store_sync_take(f->st);
    assert_true(token > 0);
    assert_int_equal(store_sync_wait(f->st, token, &f->err), BF_OK);
}

static void without_synchronous_full_nothing_waits(void **state)
{
    fixture *f = *state;
    assert_false(store_sync_defer(f->st));
    assert_int_equal(insert_account(f->st, "丁", &f->err), BF_OK);
    assert_int_equal(store_sync_take(f->st), 0);
    counter c = COUNTER_INIT;
    store_waiter w = {.done = counted, .ctx = &c};
    store_sync_notify(f->st, 0, &w);
    assert_int_equal(c.calls, 1);
}

static void an_in_memory_database_has_nothing_to_wait_for(void **state)
{
    (void)state;
    store *st;
    bf_error err = {0};
    assert_int_equal(store_open(":memory:", NULL, &st, &err), BF_OK);
    assert_false(store_sync_defer(st));
    store_close(st);
}

#define WRITERS 8
#define WRITES 40

typedef struct writer {
    fixture *f;
    int n;
    bool deferred;
    counter *c;
    store_waiter waiters[WRITES];
    bf_result r;
} writer;

/* WRITES accounts, each in its own commit: waiting, or deferring and asking
 * for a call back after each. */
static void *write_many(void *arg)
{
    writer *w = arg;
    bf_error err = {0};
    for (int i = 0; i < WRITES && w->r == BF_OK; i++) {
        char name[32];
        snprintf(name, sizeof(name), "客户-%d-%d", w->n, i);
        if (w->deferred && !store_sync_defer(w->f->st)) {
            w->r = BF_ERR_INTERNAL;
            break;
        }
        w->r = insert_account(w->f->st, name, &err);
        if (w->deferred) {
            uint64_t token = store_sync_take(w->f->st);
            w->waiters[i] = (store_waiter){.done = counted, .ctx = w->c};
            store_sync_notify(w->f->st, token, &w->waiters[i]);
        }
    }
    return NULL;
}

static void concurrent_writers_queue_and_lose_nothing(void **state)
{
    fixture *f = *state;
    counter c = COUNTER_INIT;
    writer *ws = calloc(WRITERS, sizeof(*ws));
    assert_non_null(ws);
    pthread_t threads[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        ws[i] = (writer){.f = f, .n = i, .deferred = i % 2 == 1, .c = &c};
        assert_int_equal(pthread_create(&threads[i], NULL, write_many, &ws[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(ws[i].r, BF_OK);
    }
    int deferred = WRITERS / 2 * WRITES;
    assert_int_equal(wait_calls(&c, deferred), deferred);
    assert_int_equal(c.durable, deferred);
    free(ws);

    arena *a = arena_new(64 * 1024);
    assert_non_null(a);
    list_query q = {.spec = &resource_accounts, .sort_field = LIST_SORT_CREATED, .limit = 200};
    size_t total = 0;
    record_page page;
    do {
        assert_int_equal(store_record_list(f->st, a, &q, &page, &f->err), BF_OK);
        total += page.n;
        if (page.n > 0) {
            q.after = true;
            q.after_text = page.items[page.n - 1]->created_at;
            q.after_id = page.items[page.n - 1]->id;
        }
    } while (page.more);
    assert_int_equal(total, WRITERS * WRITES);
    arena_free(a);
}

/* ---- batches: deferred write transactions share one commit ---- */

/* A second writer: it asks for the write lock while the test's thread holds
 * it, writes an account, lingers, then commits or rolls back. */
typedef struct second {
    fixture *f;
    bool deferred, roll_back;
    int linger_ms;
    char id[64];
    uint64_t ticket;
    bf_result r;
} second;

static void *write_second(void *arg)
{
    second *b = arg;
    bf_error err = {0};
    if (b->deferred)
        store_sync_defer(b->f->st);
    b->r = store_begin(b->f->st, &err);
    if (b->r == BF_OK)
        b->r = insert_account_as(b->f->st, "乙", b->id, &err);
    if (b->linger_ms > 0)
        usleep((useconds_t)b->linger_ms * 1000);
    if (b->roll_back)
        store_rollback(b->f->st);
    else if (b->r == BF_OK)
        b->r = store_commit(b->f->st, &err);
    if (b->deferred) {
        b->ticket = store_sync_take(b->f->st);
        if (b->r == BF_OK)
            b->r = store_sync_wait(b->f->st, b->ticket, &err);
    }
    return NULL;
}

/* The test's thread writes 甲 deferring while a second writer waits for the
 * lock: its transaction is left in the open batch, and its ticket names the
 * batch (the top bit), not a commit. The batch commits once the second one
 * (or the flusher) has the lock; tries a few times, should it have
 * committed before the ticket was taken. */
static uint64_t leave_in_batch(fixture *f, second *b, pthread_t *t, char id[64])
{
    for (int attempt = 0; attempt < 5; attempt++) {
        assert_true(store_sync_defer(f->st));
        assert_int_equal(store_begin(f->st, &f->err), BF_OK);
        assert_int_equal(insert_account_as(f->st, "甲", id, &f->err), BF_OK);
        b->f = f;
        assert_int_equal(pthread_create(t, NULL, write_second, b), 0);
        usleep(100 * 1000); /* the second one is waiting for the lock by now */
        assert_int_equal(store_commit(f->st, &f->err), BF_OK);
        uint64_t ticket = store_sync_take(f->st);
        if (ticket >> 63)
            return ticket;
        pthread_join(*t, NULL);
    }
    fail_msg("a transaction was never left in the batch for a waiting writer");
    return 0;
}

static void a_transaction_left_in_the_batch_commits_with_it(void **state)
{
    fixture *f = *state;
    static second b; /* the thread outlives this frame should an assertion fail */
    b = (second){0};
    pthread_t t;
    char id[64];
    uint64_t ticket = leave_in_batch(f, &b, &t, id);
    pthread_join(t, NULL);
    assert_int_equal(b.r, BF_OK);
    counter c = COUNTER_INIT;
    store_waiter w = {.done = counted, .ctx = &c};
    store_sync_notify(f->st, ticket, &w);
    assert_int_equal(wait_calls(&c, 1), 1);
    assert_int_equal(c.durable, 1);
    assert_true(account_exists(f->st, id));
    assert_true(account_exists(f->st, b.id));
}

static void a_rolled_back_transaction_takes_nothing_of_the_batch_with_it(void **state)
{
    fixture *f = *state;
    static second b;
    b = (second){.roll_back = true};
    pthread_t t;
    char id[64];
    uint64_t ticket = leave_in_batch(f, &b, &t, id);
    pthread_join(t, NULL);
    assert_int_equal(b.r, BF_OK);
    assert_int_equal(store_sync_wait(f->st, ticket, &f->err), BF_OK);
    assert_true(account_exists(f->st, id));
    assert_false(account_exists(f->st, b.id));
}

/* The first thread reads, before it answers, while the second is still in
 * the batch (and leaves it open, deferring): the read commits the batch
 * first (or finds it committed) and sees what it wrote; both end in the
 * same commit. */
static void a_thread_reads_what_it_left_in_the_batch(void **state)
{
    fixture *f = *state;
    static second b;
    for (int attempt = 0; attempt < 5; attempt++) {
        b = (second){.f = f, .deferred = true, .linger_ms = 200};
        pthread_t t;
        char id[64];
        assert_true(store_sync_defer(f->st));
        assert_int_equal(store_begin(f->st, &f->err), BF_OK);
        assert_int_equal(insert_account_as(f->st, "甲", id, &f->err), BF_OK);
        assert_int_equal(pthread_create(&t, NULL, write_second, &b), 0);
        usleep(100 * 1000);
        assert_int_equal(store_commit(f->st, &f->err), BF_OK);
        usleep(50 * 1000); /* the second one has the lock, and lingers */
        assert_true(account_exists(f->st, id));
        uint64_t ticket = store_sync_take(f->st);
        pthread_join(t, NULL);
        assert_int_equal(b.r, BF_OK);
        assert_int_equal(store_sync_wait(f->st, ticket, &f->err), BF_OK);
        assert_true(account_exists(f->st, b.id));
        if (ticket == b.ticket || (b.ticket >> 63) != 0)
            return; /* they shared a batch */
    }
    fail_msg("the two writers never shared a batch");
}

/* ---- read snapshots (store_read_begin) ---- */

/* Writes an account on a thread of its own (its own connection), committed
 * and on disk before it returns; its id into b->id. */
static void write_elsewhere(fixture *f, second *b)
{
    *b = (second){.f = f};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, write_second, b), 0);
    pthread_join(t, NULL);
    assert_int_equal(b->r, BF_OK);
}

static void a_read_snapshot_sees_the_database_as_it_began(void **state)
{
    fixture *f = *state;
    char first[64];
    assert_int_equal(insert_account_as(f->st, "甲", first, &f->err), BF_OK);
    static int one, two; /* two requests: the owners of snapshots */
    assert_int_equal(store_read_begin(f->st, &one, &f->err), BF_OK);
    assert_true(account_exists(f->st, first));
    static second b;
    write_elsewhere(f, &b);
    assert_false(account_exists(f->st, b.id));
    /* The same owner goes on in its snapshot; another owner's end leaves it. */
    assert_int_equal(store_read_begin(f->st, &one, &f->err), BF_OK);
    store_read_end(f->st, &two);
    assert_false(account_exists(f->st, b.id));
    /* Another owner never reads the old snapshot: it begins its own. */
    assert_int_equal(store_read_begin(f->st, &two, &f->err), BF_OK);
    assert_true(account_exists(f->st, b.id));
    store_read_end(f->st, &two);
    /* Ended, reads see every commit again. */
    static second c;
    write_elsewhere(f, &c);
    assert_true(account_exists(f->st, c.id));
}

static void a_write_ends_the_snapshot(void **state)
{
    fixture *f = *state;
    static int one;
    assert_int_equal(store_read_begin(f->st, &one, &f->err), BF_OK);
    assert_false(account_exists(f->st, "acc_none"));
    static second b;
    write_elsewhere(f, &b);
    assert_false(account_exists(f->st, b.id));
    char mine[64];
    assert_int_equal(store_begin(f->st, &f->err), BF_OK);
    assert_int_equal(insert_account_as(f->st, "丙", mine, &f->err), BF_OK);
    assert_int_equal(store_commit(f->st, &f->err), BF_OK);
    assert_true(account_exists(f->st, mine));
    assert_true(account_exists(f->st, b.id));
    store_read_end(f->st, &one); /* ended already: nothing to do */
    assert_true(account_exists(f->st, mine));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_deferred_commit_is_called_back_once_on_disk, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(what_writes_nothing_waits_for_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(a_write_outside_a_transaction_is_deferred_too, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(without_synchronous_full_nothing_waits, setup_normal,
                                        teardown),
        cmocka_unit_test(an_in_memory_database_has_nothing_to_wait_for),
        cmocka_unit_test_setup_teardown(concurrent_writers_queue_and_lose_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(a_transaction_left_in_the_batch_commits_with_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_rolled_back_transaction_takes_nothing_of_the_batch_with_it, setup, teardown),
        cmocka_unit_test_setup_teardown(a_thread_reads_what_it_left_in_the_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(a_read_snapshot_sees_the_database_as_it_began, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_write_ends_the_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(a_read_snapshot_sees_the_database_as_it_began, setup_normal,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_write_ends_the_snapshot, setup_normal, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
