/* The floor of `make bench`: the reads the benchmark sends over HTTP, run
 * in-process on the store alone — no HTTP, no JSON, no routing — on one
 * thread, as many as fit in the time given (after half a second to warm
 * up). What the server answers per second can be set against what the same
 * SQL does (docs/performance.md).
 *
 * usage: bench_floor --db PATH [--as USER] [--seconds S] QUERY [ARG…]
 *   get IDFILE                 visibility and read of each id in turn (one per line)
 *   list-owner-stage OWNER_ID STAGE
 *                              ?owner_id=&stage=&sort=-amount&limit=50
 *   list-status STATUS         ?status=&sort=expected_close&limit=50
 *   list-plain                 ?limit=50 (newest first)
 *   list-page2                 the second page of list-plain, by its cursor
 *   funnel                     the ruijie-6 funnel in CNY
 *   forecast                   the forecast's summary in CNY, 2026
 * Prints "QUERY N queries in S s: Q/s". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

#define LIST_LIMIT 50

typedef struct floor_run {
    store *st;
    const viewer *who;
    const char *query;
    const char *arg1, *arg2;
    char **ids; /* get: the ids to read in turn */
    size_t nids, next;
    list_query page2; /* list-page2: the query of the second page */
} floor_run;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int field(const char *name)
{
    int i = resource_field_index(&resource_opportunities, name);
    if (i < 0) {
        fprintf(stderr, "bench_floor: no field %s\n", name);
        exit(2);
    }
    return i;
}

/* The list query of a list-* QUERY (not its cursor). */
static list_query list_of(const floor_run *f)
{
    list_query q = {.spec = &resource_opportunities,
                    .sort_field = LIST_SORT_CREATED,
                    .desc = true,
                    .limit = LIST_LIMIT,
                    .who = f->who};
    if (strcmp(f->query, "list-owner-stage") == 0) {
        q.filters[0] = (list_filter){.field = field("owner_id"), .op = LIST_EQ, .text = f->arg1};
        q.filters[1] = (list_filter){.field = field("stage"), .op = LIST_EQ, .text = f->arg2};
        q.nfilters = 2;
        q.sort_field = field("amount");
    } else if (strcmp(f->query, "list-status") == 0) {
        q.filters[0] = (list_filter){.field = field("status"), .op = LIST_EQ, .text = f->arg1};
        q.nfilters = 1;
        q.sort_field = field("expected_close");
        q.desc = false;
    }
    return q;
}

/* One query; 0 when it ran. */
static int run_one(floor_run *f, arena *a)
{
    bf_error err = {0};
    bf_result r;
    if (strcmp(f->query, "get") == 0) {
        const char *id = f->ids[f->next++ % f->nids];
        bool visible = false;
        record *rec;
        r = store_record_visible(f->st, f->who, &resource_opportunities, id, &visible, &err);
        if (r == BF_OK && visible)
            r = store_record_get(f->st, a, &resource_opportunities, id, &rec, &err);
    } else if (strcmp(f->query, "funnel") == 0) {
        funnel_query q = {.playbook = "ruijie-6", .currency = "CNY", .who = f->who};
        funnel_row *rows;
        size_t n;
        r = store_report_funnel(f->st, a, &q, &rows, &n, &err);
    } else if (strcmp(f->query, "forecast") == 0) {
        /* The forecast's read of its summary: this year, every owner seen. */
        cube_query q = {.who = f->who,
                        .cube = CUBE_FORECAST,
                        .currency = "CNY",
                        .from = "2026-01",
                        .to = "2026-12"};
        cube_row *rows;
        size_t n;
        r = store_report_cube(f->st, a, &q, &rows, &n, &err);
    } else {
        list_query q = strcmp(f->query, "list-page2") == 0 ? f->page2 : list_of(f);
        record_page page;
        r = store_record_list(f->st, a, &q, &page, &err);
    }
    if (r != BF_OK)
        fprintf(stderr, "bench_floor: %s: %s\n", f->query, err.message);
    return r == BF_OK ? 0 : 1;
}

/* list-page2: the first page of the plain list read once, and the query
 * that continues after its last record, as the cursor would. */
static int prepare_page2(floor_run *f)
{
    arena *a = arena_new(64 * 1024);
    bf_error err = {0};
    const char *saved = f->query;
    f->query = "list-plain";
    f->page2 = list_of(f);
    f->query = saved;
    record_page page;
    if (a == NULL || store_record_list(f->st, a, &f->page2, &page, &err) != BF_OK || page.n == 0) {
        fprintf(stderr, "bench_floor: no first page: %s\n", err.message);
        return 1;
    }
    const record *last = page.items[page.n - 1];
    f->page2.after = true;
    f->page2.after_text = strdup(last->created_at);
    f->page2.after_id = strdup(last->id);
    arena_free(a);
    return f->page2.after_text && f->page2.after_id ? 0 : 1;
}

static int read_ids(floor_run *f, const char *path)
{
    FILE *in = fopen(path, "r");
    char line[128];
    size_t cap = 0;
    while (in != NULL && fgets(line, sizeof(line), in) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0')
            continue;
        if (f->nids == cap) {
            cap = cap ? cap * 2 : 256;
            char **bigger = realloc(f->ids, cap * sizeof(*bigger));
            if (bigger == NULL)
                break;
            f->ids = bigger;
        }
        if ((f->ids[f->nids] = strdup(line)) != NULL)
            f->nids++;
    }
    if (in != NULL)
        fclose(in);
    if (f->nids == 0)
        fprintf(stderr, "bench_floor: no ids in %s\n", path);
    return f->nids ? 0 : 1;
}

static int usage(void)
{
    fputs("usage: bench_floor --db PATH [--as USER] [--seconds S] QUERY [ARG...]\n", stderr);
    return 2;
}

/* Runs f's query over and over for seconds, after half a second of the
 * same to warm the page cache up; prints the rate. */
static int measure(floor_run *f, double seconds)
{
    for (double warm = now_s(); now_s() - warm < 0.5;) {
        arena *a = arena_new(64 * 1024);
        int bad = a == NULL || run_one(f, a) != 0;
        arena_free(a);
        if (bad)
            return 1;
    }
    long n = 0;
    double start = now_s(), end = start;
    while (end - start < seconds) {
        for (int i = 0; i < 16; i++, n++) {
            arena *a = arena_new(64 * 1024); /* a request's arena */
            int bad = a == NULL || run_one(f, a) != 0;
            arena_free(a);
            if (bad)
                return 1;
        }
        end = now_s();
    }
    printf("%s %ld queries in %.2f s: %.1f/s\n", f->query, n, end - start,
           (double)n / (end - start));
    return 0;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *as = NULL;
    double seconds = 2.0;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "--db") == 0)
            db = argv[i + 1];
        else if (strcmp(argv[i], "--as") == 0)
            as = argv[i + 1];
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = atof(argv[i + 1]);
        else
            return usage();
    }
    if (db == NULL || i >= argc)
        return usage();
    floor_run f = {.query = argv[i],
                   .arg1 = i + 1 < argc ? argv[i + 1] : NULL,
                   .arg2 = i + 2 < argc ? argv[i + 2] : NULL};
    bf_error err = {0};
    store_options opt = {.synchronous_full = true};
    if (store_open(db, &opt, &f.st, &err) != BF_OK) {
        fprintf(stderr, "bench_floor: %s: %s\n", db, err.message);
        return 1;
    }
    arena *users = arena_new(4096);
    user_login u;
    int status = users == NULL;
    if (status == 0 && as != NULL) {
        if (store_user_by_name(f.st, users, as, &u, &err) != BF_OK) {
            fprintf(stderr, "bench_floor: user %s: %s\n", as, err.message);
            status = 1;
        }
        f.who = &u.who;
    }
    if (status == 0 && strcmp(f.query, "get") == 0)
        status = f.arg1 ? read_ids(&f, f.arg1) : usage();
    if (status == 0 && strcmp(f.query, "list-page2") == 0)
        status = prepare_page2(&f);
    if (status == 0)
        status = measure(&f, seconds);
    arena_free(users);
    store_close(f.st);
    return status;
}
