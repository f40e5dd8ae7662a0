/* Query plans: every statement the reads of the API issue — records got and
 * listed with each filter and sort, reports, checklists, history, audit — as
 * an admin, a manager and a salesperson, and the writes of a deal's life
 * (create, edit, activity, deal team, advance, delete), is planned, and a
 * full scan of a table that grows with the data fails the test unless it is
 * one of the scans known today (known_scans below: the work list of the
 * reads that must stop scanning; it may only shrink). What the server does
 * at start, writes included, scans none.
 *
 * On SQLite (the default) a plan is EXPLAIN QUERY PLAN's. On PostgreSQL
 * (BINGFA_TEST_STORE=postgresql, see test_db.h) it is the generic plan of
 * the statement as the store prepares it, with sequential scans switched
 * off so that the planner shows whether an index can serve it at all: a
 * Seq Scan of a growing table there means none can. Which index
 * PostgreSQL then picks, and in what order it joins, depends on the
 * statistics of real data (a test's few rows make every plan look cheap):
 * that is what `make bench STORE=postgresql` measures. */
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
#include <sqlite3.h>

#include "api/api.h"
#include "core/text.h"
#include "store/db.h"
#include "../app_fixture.h"
#include "../test_db.h"

/* Tables that grow with the data (the rest hold configuration). */
static const char *const growing[] = {"accounts",
                                      "contacts",
                                      "opportunities",
                                      "activities",
                                      "audit_log",
                                      "stage_changes",
                                      "checklist_items",
                                      "forms",
                                      "sessions",
                                      "api_tokens",
                                      "opportunity_members",
                                      "opportunity_partners",
                                      "deal_scopes",
                                      "approvals",
                                      "quotations",
                                      "contracts",
                                      "documents",
                                      "document_contents",
                                      "handovers",
                                      "knowledge",
                                      "knowledge_facets",
                                      "knowledge_grams",
                                      "knowledge_versions",
                                      "knowledge_facet_counts",
                                      "forecast_cube",
                                      "outcome_cube",
                                      "stage_flow",
                                      "stage_outcomes",
                                      "activity_days",
                                      "idle_cube",
                                      "plan_cube",
                                      "age_days",
                                      "age_months",
                                      "funnel_cube",
                                      "aside_funnel_cube",
                                      "views",
                                      "deal_changes",
                                      "targets",
                                      "calendar_feeds",
                                      "tender_dates",
                                      "record_tags",
                                      "tag_counts",
                                      "notifications",
                                      "webhook_deliveries",
                                      "search_docs",
                                      "search_grams",
                                      NULL};

/* The scans known today, as "<request> | SCAN <table>" prefixes: reads that
 * must become index-served. The list may only shrink, and is empty: every
 * read is served by an index. A walk of an index in a statement with LIMIT
 * (keyset pages) is not counted; a SEARCH over a range that grows with the
 * data is not caught here (the reports read kept totals, not deals). */
static const char *const known_scans[] = {
    NULL,
};

typedef struct fixture {
    char path[256];
    app_fixture base;
    api *app;
    arena *a;
    json_t *seen;     /* statement -> the request that ran it */
    const char *what; /* the request being run */
    bool admin_user;  /* an admin user is made (run_calendar) */
} fixture;

static void remember(void *ctx, const char *sql)
{
    fixture *f = ctx;
    if (f->what != NULL && json_object_get(f->seen, sql) == NULL)
        json_object_set_new(f->seen, sql, json_string(f->what));
}

/* Opens the fixture's store, lists of deals read as deals_read says
 * (store_options). */
static int setup_with(void **state, int deals_read)
{
    fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    const char *dir = getenv("TMPDIR");
    char file[200];
    snprintf(file, sizeof(file), "%s/bingfa-plans-%d.db", dir && *dir ? dir : "/tmp",
             (int)getpid());
    unlink(file);
    if (!test_db_fresh(file, f->path, sizeof(f->path)))
        return -1;
    store_options opt = {
        .synchronous_full = false, .deals_read = deals_read, .trace = remember, .trace_ctx = f};
    f->seen = json_object();
    if ((f->a = arena_new(64 * 1024)) == NULL || app_fixture_open(&f->base, f->path, &opt) != 0)
        return -1;
    f->app = f->base.app;
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, STORE_DEALS_READ_AUTO);
}

/* Lists of deals read the deals seen aside one by one. */
static int setup_by_members(void **state)
{
    return setup_with(state, STORE_DEALS_READ_BY_MEMBERS);
}

/* Lists of deals pick the deals seen aside out of the sort's index. */
static int setup_aside_walk(void **state)
{
    return setup_with(state, STORE_DEALS_READ_ASIDE_WALK);
}

/* Lists of deals walk the sort's index, each deal checked. */
static int setup_walk_all(void **state)
{
    return setup_with(state, STORE_DEALS_READ_WALK_ALL);
}

static int teardown(void **state)
{
    fixture *f = *state;
    app_fixture_close(&f->base);
    arena_free(f->a);
    json_decref(f->seen);
    if (test_db_postgres()) {
        test_db_drop(f->path);
        free(f);
        return 0;
    }
    char wal[300];
    unlink(f->path);
    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    unlink(wal);
    snprintf(wal, sizeof(wal), "%s-shm", f->path);
    unlink(wal);
    free(f);
    return 0;
}

/* Runs one request as the user as (NULL: the command line's admin), with
 * If-Match: "version" when version > 0; its answer as JSON (arena-kept),
 * asserting a 2xx status. */
static json_t *run_version(fixture *f, const char *as, const char *method, const char *target,
                           const char *body, int64_t version)
{
    const char *headers[7];
    size_t h = 0;
    if (as) {
        headers[h++] = "X-Bingfa-As";
        headers[h++] = as;
    }
    if (version > 0) {
        headers[h++] = "If-Match";
        headers[h++] = arena_printf(f->a, "\"%lld\"", (long long)version);
    }
    if (body) {
        headers[h++] = "Content-Type";
        headers[h++] = "application/json";
    }
    headers[h] = NULL;
    http_request *req;
    assert_int_equal(http_request_local(f->a, method, target, body, body ? strlen(body) : 0,
                                        headers, api_handle, f->app, &req),
                     BF_OK);
    if (req->status < 200 || req->status > 299)
        fail_msg("%s %s as %s: %d %.*s", method, target, as ? as : "cli", req->status,
                 (int)req->out.len, req->out.data);
    json_t *j = req->out.len ? json_loadb(req->out.data, req->out.len, 0, NULL) : NULL;
    if (j != NULL)
        assert_int_equal(arena_on_free(f->a, (void (*)(void *))json_decref, j), 0);
    return j;
}

static json_t *run(fixture *f, const char *as, const char *method, const char *target,
                   const char *body)
{
    return run_version(f, as, method, target, body, 0);
}

static const char *id_of(json_t *rec)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    assert_non_null(id);
    return id;
}

/* A team, its manager and two salespeople, their accounts and deals. */
static void make_data(fixture *f, const char **opp_id, const char **acc_id)
{
    const char *team = id_of(run(f, NULL, "POST", "/api/v1/teams", "{\"name\":\"华东\"}"));
    char body[256];
    const char *users[][2] = {{"经理", "manager"}, {"甲", "sales"}, {"乙", "sales"}};
    const char *ids[3];
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof(body), "{\"name\":\"%s\",\"role\":\"%s\",\"team_id\":\"%s\"}",
                 users[i][0], users[i][1], team);
        ids[i] = id_of(run(f, NULL, "POST", "/api/v1/users", body));
    }
    for (int i = 0; i < 6; i++) {
        const char *tags = i % 2 ? "[]" : "[\"重点\",\"大单\"]";
        snprintf(body, sizeof(body), "{\"name\":\"客户%d\",\"owner_id\":\"%s\",\"tags\":%s}", i,
                 ids[1 + i % 2], tags);
        const char *acc = id_of(run(f, NULL, "POST", "/api/v1/accounts", body));
        snprintf(body, sizeof(body),
                 "{\"account_id\":\"%s\",\"name\":\"项目%d\",\"amount\":%d,\"owner_id\":\"%s\","
                 "\"tags\":%s}",
                 acc, i, 100000 * (i + 1), ids[1 + i % 2], tags);
        const char *opp = id_of(run(f, NULL, "POST", "/api/v1/opportunities", body));
        snprintf(body, sizeof(body), "{\"account_id\":\"%s\",\"name\":\"联系人%d\",\"tags\":%s}",
                 acc, i, tags);
        run(f, NULL, "POST", "/api/v1/contacts", body);
        snprintf(body, sizeof(body), "{\"opportunity_id\":\"%s\",\"type\":\"visit\",\"tags\":%s}",
                 opp, tags);
        run(f, NULL, "POST", "/api/v1/activities", body);
        if (i == 0) {
            *opp_id = opp;
            *acc_id = acc;
        }
    }
    /* A deal of another team's with 甲 and the manager on its deal team:
     * both see it aside. */
    const char *south = id_of(run(f, NULL, "POST", "/api/v1/teams", "{\"name\":\"华南\"}"));
    snprintf(body, sizeof(body), "{\"name\":\"丙\",\"role\":\"sales\",\"team_id\":\"%s\"}", south);
    const char *other = id_of(run(f, NULL, "POST", "/api/v1/users", body));
    snprintf(body, sizeof(body), "{\"name\":\"客户南\",\"owner_id\":\"%s\"}", other);
    const char *acc = id_of(run(f, NULL, "POST", "/api/v1/accounts", body));
    snprintf(body, sizeof(body),
             "{\"account_id\":\"%s\",\"name\":\"南方项目\",\"owner_id\":\"%s\"}", acc, other);
    const char *opp = id_of(run(f, NULL, "POST", "/api/v1/opportunities", body));
    for (int i = 0; i < 2; i++)
        run(f, NULL, "PUT", arena_printf(f->a, "/api/v1/opportunities/%s/team/%s", opp, ids[i]),
            "{\"role\":\"consultant\"}");
}

/* The reads to plan, {path} filled with the deal or account id. */
static const char *const reads[] = {
    "/api/v1/opportunities",
    "/api/v1/opportunities?sort=-amount",
    "/api/v1/opportunities?owner_id={owner}&stage=problem&sort=-amount",
    "/api/v1/opportunities?status=open&sort=expected_close",
    "/api/v1/opportunities?amount_min=1000000&amount_max=50000000&sort=-amount",
    "/api/v1/opportunities?status=won&closed_at_from=2026-01-01",
    "/api/v1/opportunities?stalled_days=30&sort=-amount",
    "/api/v1/opportunities?q=项目",
    "/api/v1/opportunities/{opp}",
    "/api/v1/accounts",
    "/api/v1/accounts?sort=name",
    "/api/v1/accounts?team=tea_plan&sort=name",
    "/api/v1/activities?team=tea_plan&sort=-planned_at",
    "/api/v1/accounts/{acc}",
    "/api/v1/duplicates/accounts?name=%E6%B1%9F%E5%8D%97&credit_code=91350100M000100Y43",
    "/api/v1/duplicates/opportunities?account_id={acc}&name=%E9%A1%B9%E7%9B%AE",
    "/api/v1/contacts?account_id={acc}",
    "/api/v1/activities?opportunity_id={opp}",
    "/api/v1/reports/funnel",
    "/api/v1/reports/forecast",
    "/api/v1/reports/forecast?group=team&period=month&owner={owner}",
    "/api/v1/reports/forecast/changes",
    "/api/v1/reports/stages?playbook=ruijie-6",
    "/api/v1/reports/calibration",
    "/api/v1/reports/win-loss?by=won_by",
    "/api/v1/reports/win-loss?by=quarter&as_of=2026-01-15",
    "/api/v1/reports/stages?playbook=ruijie-6&as_of=2026-01-15",
    "/api/v1/reports/calibration?as_of=2026-01-15",
    "/api/v1/reports/forecast?as_of=2026-01-15",
    "/api/v1/reports/activity",
    "/api/v1/reports/activity?stalled_days=45&owner={owner}",
    "/api/v1/targets",
    "/api/v1/views?resource=opportunities",
    "/api/v1/reports/stalled",
    "/api/v1/reports/stalled?team=tea_plan",
    "/api/v1/reports/stalled?owner={owner}",
    "/api/v1/reports/stalled?owner={owner}&team=tea_plan",
    "/api/v1/reports/funnel?from=2026-10&to=2026-12",
    "/api/v1/reports/funnel?from=2026-10&to=2026-12&team=tea_plan",
    "/api/v1/reports/funnel?from=2026-10&owner={owner}",
    "/api/v1/reports/funnel?team=tea_plan&owner={owner}",
    "/api/v1/opportunities/{opp}/checklist",
    "/api/v1/opportunities/{opp}/history",
    "/api/v1/opportunities/{opp}/team",
    "/api/v1/audit?record_id={opp}",
    "/api/v1/opportunities/{opp}/approvals",
    "/api/v1/approvals",
    "/api/v1/approvals?box=mine&state=pending",
    "/api/v1/approvals/count",
    "/api/v1/opportunities/{opp}/documents",
    "/api/v1/handovers",
    "/api/v1/knowledge",
    "/api/v1/knowledge?q=%E5%8C%BB%E9%99%A2",
    "/api/v1/knowledge?q=%E5%8C%BB%E9%99%A2%E4%BF%A1%E6%81%AF&kind=case",
    "/api/v1/knowledge?tag=x&industry=y",
    "/api/v1/knowledge?q=erp%20%E5%8C%BB&status=draft",
    "/api/v1/knowledge-facets",
    "/api/v1/opportunities/{opp}/knowledge",
    "/api/v1/opportunities?tag=重点",
    "/api/v1/opportunities?tag=重点,风险&tag=大单&sort=-amount",
    "/api/v1/opportunities?tag=大单&owner_id={owner}&sort=expected_close",
    "/api/v1/accounts?tag=重点&sort=name",
    "/api/v1/contacts?tag=重点",
    "/api/v1/activities?tag=重点&sort=-planned_at",
    "/api/v1/tags?resource=opportunities",
    "/api/v1/tags?resource=accounts",
    "/api/v1/tags?resource=contacts",
    "/api/v1/tags?resource=activities",
    "/api/v1/opportunities/export?tag=重点&sort=-amount",
    "/api/v1/opportunities/export?format=xlsx&columns=name,account_id,owner_id,amount,stage",
    "/api/v1/opportunities/export?ids={opp}",
    "/api/v1/accounts/export?columns=name,parent_id,tags",
    "/api/v1/contacts/export?columns=name,account_id,reports_to",
    "/api/v1/activities/export?columns=type,opportunity_id,contacts,planned_at",
    "/api/v1/notifications",
    "/api/v1/notifications?unread=1",
    "/api/v1/notifications/count",
    /* The global search: one and two characters, three and more (led by
     * the rarest pair), a Latin prefix, several words. */
    "/api/v1/search?q=%E5%AE%A2",
    "/api/v1/search?q=%E9%A1%B9%E7%9B%AE&limit=20",
    "/api/v1/search?q=%E5%8D%97%E6%96%B9%E9%A1%B9%E7%9B%AE",
    "/api/v1/search?q=Hos",
    "/api/v1/search?q=%E5%AE%A2%E6%88%B7%20%E8%81%94%E7%B3%BB%E4%BA%BA%203",
    NULL,
};

/* target with {opp}, {acc} and {owner} replaced. */
static const char *fill(fixture *f, const char *target, const char *opp, const char *acc,
                        const char *owner)
{
    char out[256];
    size_t n = 0;
    for (const char *p = target; *p && n + 1 < sizeof(out);) {
        const char *with = strncmp(p, "{opp}", 5) == 0     ? opp
                           : strncmp(p, "{acc}", 5) == 0   ? acc
                           : strncmp(p, "{owner}", 7) == 0 ? owner
                                                           : NULL;
        if (with == NULL) {
            out[n++] = *p++;
            continue;
        }
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", with);
        p += strncmp(p, "{owner}", 7) == 0 ? 7 : 5;
    }
    out[n < sizeof(out) ? n : sizeof(out) - 1] = '\0';
    return arena_strdup(f->a, out);
}

static bool known(const char *what)
{
    for (size_t i = 0; known_scans[i] != NULL; i++)
        if (strncmp(what, known_scans[i], strlen(known_scans[i])) == 0)
            return true;
    return false;
}

/* The full scans of growing tables in sql's plan, each as "<what> | SCAN
 * <table>", appended to found (a JSON array). */
static void scans_of(sqlite3 *db, const char *sql, const char *what, json_t *found)
{
    char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *stmt;
    assert_non_null(explain);
    if (sqlite3_prepare_v2(db, explain, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("cannot explain: %s\n%s", sqlite3_errmsg(db), sql);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(stmt, 3);
        for (size_t i = 0; detail && growing[i]; i++) {
            char scan[64];
            snprintf(scan, sizeof(scan), "SCAN %s", growing[i]);
            size_t n = strlen(scan);
            if (strncmp(detail, scan, n) == 0 && (detail[n] == '\0' || detail[n] == ' ') &&
                !(strstr(detail, "INDEX") != NULL && strstr(sql, " LIMIT ") != NULL)) {
                char *line = sqlite3_mprintf("%s | %s", what, detail);
                json_array_append_new(found, json_string(line));
                sqlite3_free(line);
            }
        }
    }
    sqlite3_finalize(stmt);
    sqlite3_free(explain);
}

static bool growing_table(const char *name)
{
    for (size_t i = 0; name && growing[i]; i++)
        if (strcmp(name, growing[i]) == 0)
            return true;
    return false;
}

/* Appends the sequential scans of growing tables in the PostgreSQL plan
 * node (and below it) to found. */
static void pg_scans_in(json_t *node, const char *what, json_t *found)
{
    const char *type = json_string_value(json_object_get(node, "Node Type"));
    const char *rel = json_string_value(json_object_get(node, "Relation Name"));
    if (type == NULL)
        return;
    if (growing_table(rel) && strcmp(type, "Seq Scan") == 0) {
        char *line = sqlite3_mprintf("%s | %s on %s", what, type, rel);
        json_array_append_new(found, json_string(line));
        sqlite3_free(line);
    }
    size_t i;
    json_t *child;
    json_array_foreach(json_object_get(node, "Plans"), i, child)
    {
        pg_scans_in(child, what, found);
    }
}

/* The scans of growing tables in the generic plan of sql (as the store
 * prepares it, $n parameters) on PostgreSQL, appended to found. */
static void pg_scans_of(PGconn *pg, const char *sql, const char *what, json_t *found)
{
    PGresult *res = PQprepare(pg, "planned", sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("cannot prepare: %s\n%s", PQerrorMessage(pg), sql);
    PQclear(res);
    res = PQdescribePrepared(pg, "planned");
    int nparams = PQnparams(res);
    PQclear(res);
    char explain[4096] = "EXPLAIN (FORMAT JSON) EXECUTE planned";
    size_t len = strlen(explain);
    for (int i = 0; i < nparams && len + 8 < sizeof(explain); i++)
        len += (size_t)snprintf(explain + len, sizeof(explain) - len, "%sNULL", i ? ", " : "(");
    if (nparams > 0)
        snprintf(explain + len, sizeof(explain) - len, ")");
    res = PQexec(pg, explain);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("cannot explain: %s\n%s", PQerrorMessage(pg), sql);
    json_t *plans = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    assert_non_null(plans);
    pg_scans_in(json_object_get(json_array_get(plans, 0), "Plan"), what, found);
    json_decref(plans);
    PQclear(PQexec(pg, "DEALLOCATE planned"));
}

/* A connection to the fixture's PostgreSQL database that plans generically
 * and without sequential scans. */
static PGconn *pg_planner(fixture *f)
{
    PGconn *pg = PQconnectdb(f->path);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    PGresult *res = PQexec(pg, "SET plan_cache_mode = force_generic_plan; "
                               "SET enable_seqscan = off");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    return pg;
}

/* The plan of sql, its lines' details joined (arena-kept). */
static char *plan_of(fixture *f, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *stmt;
    assert_non_null(explain);
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &stmt, NULL), SQLITE_OK);
    char *plan = arena_strdup(f->a, "");
    while (plan != NULL && sqlite3_step(stmt) == SQLITE_ROW)
        plan = arena_printf(f->a, "%s%s; ", plan, (const char *)sqlite3_column_text(stmt, 3));
    assert_non_null(plan);
    sqlite3_finalize(stmt);
    sqlite3_free(explain);
    sqlite3_close(db);
    return plan;
}

/* Plans every statement seen, reads and writes, appending the full scans of
 * growing tables to found; the number of statements. */
static size_t plan_seen(fixture *f, json_t *found)
{
    sqlite3 *db = NULL;
    PGconn *pg = NULL;
    if (test_db_postgres())
        pg = pg_planner(f);
    else
        assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    const char *sql;
    json_t *what;
    size_t statements = 0;
    json_object_foreach(f->seen, sql, what)
    {
        bool read = strncmp(sql, "SELECT", 6) == 0 || strncmp(sql, "WITH", 4) == 0;
        bool write = strncmp(sql, "UPDATE", 6) == 0 || strncmp(sql, "INSERT", 6) == 0 ||
                     strncmp(sql, "DELETE", 6) == 0;
        if (!read && !write)
            continue;
        statements++;
        if (pg != NULL)
            pg_scans_of(pg, sql, json_string_value(what), found);
        else
            scans_of(db, sql, json_string_value(what), found);
    }
    sqlite3_close(db);
    PQfinish(pg);
    return statements;
}

/* Runs every sort each growing resource offers, both ways, as the viewer
 * as (names: how the request is reported), and the page after the first. */
static void run_every_sort(fixture *f, const char *as, const char *name)
{
    const resource_spec *specs[] = {&resource_accounts, &resource_contacts, &resource_opportunities,
                                    &resource_activities};
    for (size_t r = 0; r < sizeof(specs) / sizeof(specs[0]); r++) {
        for (size_t i = 0; i < specs[r]->nfields; i++) {
            if (!(specs[r]->fields[i].flags & FIELD_SORT))
                continue;
            for (int desc = 0; desc < 2; desc++) {
                const char *target =
                    arena_printf(f->a, "/api/v1/%s?limit=1&sort=%s%s", specs[r]->name,
                                 desc ? "-" : "", specs[r]->fields[i].name);
                f->what = arena_printf(f->a, "%s GET %s", name, target);
                json_t *page = run(f, as, "GET", target, NULL);
                const char *next = json_string_value(json_object_get(page, "next_cursor"));
                if (next != NULL) {
                    f->what = arena_printf(f->a, "%s GET %s&cursor=", name, target);
                    run(f, as, "GET", arena_printf(f->a, "%s&cursor=%s", target, next), NULL);
                }
                f->what = NULL;
            }
        }
    }
}

static int64_t version_of(json_t *rec)
{
    return json_integer_value(json_object_get(rec, "version"));
}

/* The writes of a deal's life, as its salesperson and as the admin. */
static void run_writes(fixture *f, const char *opp, const char *acc, const char *owner)
{
    const char *url = arena_printf(f->a, "/api/v1/opportunities/%s", opp);
    f->what = "sales writes";
    json_t *o = run(f, "甲", "GET", url, NULL);
    o = run_version(f, "甲", "PATCH", url, "{\"amount\":123400}", version_of(o));
    run(f, "甲", "POST", "/api/v1/activities",
        arena_printf(f->a, "{\"opportunity_id\":\"%s\",\"type\":\"visit\"}", opp));
    run(f, "甲", "PUT", arena_printf(f->a, "%s/team/%s", url, owner), "{\"role\":\"sales\"}");
    json_t *asked = run(f, "甲", "POST", arena_printf(f->a, "%s/approvals", url),
                        "{\"kind\":\"close\",\"status\":\"abandoned\",\"reason\":\"取消\"}");
    /* A quotation's life: written, revised, submitted (its discount asks
     * for an approval), read, listed, made primary, and a draft deleted. */
    json_t *q = run(f, "甲", "POST", arena_printf(f->a, "%s/quotations", url),
                    "{\"lines\":[{\"name\":\"服务\",\"unit_price\":10000,\"quantity\":2,"
                    "\"discount\":15}]}");
    const char *qurl = arena_printf(f->a, "/api/v1/quotations/%s", id_of(q));
    q = run_version(f, "甲", "PUT", qurl,
                    "{\"lines\":[{\"name\":\"服务\",\"unit_price\":10000,"
                    "\"quantity\":3,\"discount\":15}]}",
                    version_of(q));
    json_t *rev = run(f, "甲", "POST", arena_printf(f->a, "%s/revisions", qurl), NULL);
    run_version(f, "甲", "POST", arena_printf(f->a, "%s/submit", qurl), NULL, version_of(q));
    run(f, "甲", "GET", qurl, NULL);
    run(f, "甲", "GET", arena_printf(f->a, "%s/document", qurl), NULL);
    run(f, "甲", "GET", arena_printf(f->a, "%s/quotations", url), NULL);
    run(f, "甲", "POST", arena_printf(f->a, "%s/primary", qurl), "{\"update_amount\":true}");
    run_version(f, "甲", "DELETE", arena_printf(f->a, "/api/v1/quotations/%s", id_of(rev)), NULL,
                version_of(rev));
    /* Bulk actions: tags by ids and by a list's query, a manager's transfer. */
    run(f, "甲", "POST", "/api/v1/opportunities/bulk",
        arena_printf(f->a, "{\"ids\":[\"%s\"],\"action\":\"add_tag\",\"tags\":[\"风险\"]}", opp));
    run(f, "甲", "POST", "/api/v1/accounts/bulk",
        "{\"query\":\"tag=重点\",\"action\":\"remove_tag\",\"tags\":[\"大单\"]}");
    json_t *manager = json_object_get(run(f, "经理", "GET", "/api/v1/session", NULL), "user");
    run(f, "经理", "POST", "/api/v1/opportunities/bulk",
        arena_printf(f->a,
                     "{\"query\":\"tag=风险\",\"action\":\"transfer\",\"owner_id\":\"%s\","
                     "\"reason\":\"调整\"}",
                     id_of(manager)));
    f->what = "admin writes";
    run(f, NULL, "POST",
        arena_printf(f->a, "/api/v1/approvals/%s/reject",
                     json_string_value(json_object_get(json_object_get(asked, "approval"), "id"))),
        "{\"comment\":\"继续跟进\"}");
    run(f, NULL, "POST", arena_printf(f->a, "%s/advance", url),
        "{\"override\":true,\"reason\":\"批准\"}");
    o = run(f, NULL, "GET", url, NULL);
    json_t *other = run(f, NULL, "POST", "/api/v1/opportunities",
                        arena_printf(f->a, "{\"account_id\":\"%s\",\"name\":\"删除\"}", acc));
    run_version(f, NULL, "DELETE", arena_printf(f->a, "/api/v1/opportunities/%s", id_of(other)),
                NULL, version_of(other));
    json_t *c = run(f, NULL, "POST", "/api/v1/contacts",
                    arena_printf(f->a, "{\"account_id\":\"%s\",\"name\":\"删除\"}", acc));
    run_version(f, NULL, "DELETE", arena_printf(f->a, "/api/v1/contacts/%s", id_of(c)), NULL,
                version_of(c));
    f->what = NULL;
}

/* A calendar feed made, read through its secret address (no session) and
 * revoked, as the user as; the admin of the command line is no user, so an
 * admin's is made for one. */
static void run_calendar(fixture *f, const char *as, const char *name)
{
    if (as == NULL) {
        as = "管";
        if (!f->admin_user)
            run(f, NULL, "POST", "/api/v1/users", "{\"name\":\"管\",\"role\":\"admin\"}");
        f->admin_user = true;
    }
    f->what = arena_printf(f->a, "%s calendar", name);
    run(f, as, "GET", "/api/v1/calendar/feed", NULL);
    json_t *feed = run(f, as, "POST", "/api/v1/calendar/feed", NULL);
    const char *path = json_string_value(json_object_get(feed, "path"));
    assert_non_null(path);
    run(f, NULL, "GET", path, NULL);
    run(f, NULL, "GET", arena_printf(f->a, "%s?lang=en", path), NULL);
    run(f, as, "DELETE", "/api/v1/calendar/feed", NULL);
    f->what = NULL;
}

/* What a calendar shows: a tender with its key dates on a deal of 甲's and
 * on the deal 甲 sees aside, and planned visits. */
static void make_calendar_data(fixture *f, const char *opp)
{
    const char *tender = "{\"dates\":{\"qa\":\"2026-06-01\",\"submission\":\"2026-06-10\","
                         "\"opening\":\"2026-06-11\"}}";
    f->what = "tender dates kept";
    run(f, "甲", "PUT", arena_printf(f->a, "/api/v1/opportunities/%s/tender", opp), tender);
    json_t *aside = run(f, NULL, "GET", "/api/v1/opportunities?q=%E5%8D%97%E6%96%B9", NULL);
    const char *south = id_of(json_array_get(json_object_get(aside, "items"), 0));
    run(f, NULL, "PUT", arena_printf(f->a, "/api/v1/opportunities/%s/tender", south), tender);
    run(f, "甲", "POST", "/api/v1/activities",
        arena_printf(f->a,
                     "{\"opportunity_id\":\"%s\",\"type\":\"visit\",\"planned_at\":"
                     "\"2026-06-02T02:00:00Z\"}",
                     opp));
    f->what = NULL;
}

/* A calendar reads its user's activities by (owner, planned time), and the
 * tender dates of its user's people by (owner, day): a SEARCH of another
 * index over the window would read everyone's (SQLite's plans; the scans
 * on PostgreSQL are checked with the rest). */
static void calendar_reads_seek(fixture *f)
{
    if (test_db_postgres())
        return;
    const char *sql;
    json_t *what;
    size_t activities = 0, tenders = 0;
    json_object_foreach(f->seen, sql, what)
    {
        if (strstr(json_string_value(what), "calendar") == NULL)
            continue;
        bool acts = strstr(sql, "FROM activities a ") != NULL;
        bool own = strstr(sql, "AND td.owner_id IN (SELECT id FROM people)") != NULL;
        tenders += strstr(sql, "FROM tender_dates td ") != NULL;
        if (!acts && !own)
            continue;
        const char *plan = plan_of(f, sql);
        const char *index = acts ? "activities_owner_planned" : "tender_dates_owner";
        if (strstr(plan, index) == NULL)
            fail_msg("a calendar read without %s: %s\n%s", index, sql, plan);
        activities += acts;
    }
    assert_true(activities > 0);
    assert_true(tenders > 0);
}

static void reads_do_not_scan_growing_tables(void **state)
{
    fixture *f = *state;
    const char *opp = NULL, *acc = NULL;
    make_data(f, &opp, &acc);
    json_t *me = run(f, "甲", "GET", "/api/v1/session", NULL);
    const char *owner = json_string_value(json_object_get(json_object_get(me, "user"), "id"));
    const char *viewers[] = {NULL, "经理", "甲"};
    const char *names[] = {"admin", "manager", "sales"};
    make_calendar_data(f, opp);
    for (size_t v = 0; v < 3; v++) {
        for (size_t i = 0; reads[i]; i++) {
            const char *target = fill(f, reads[i], opp, acc, owner);
            f->what = arena_printf(f->a, "%s GET %s", names[v], reads[i]);
            run(f, viewers[v], "GET", target, NULL);
            f->what = NULL;
        }
        run_every_sort(f, viewers[v], names[v]);
        run_calendar(f, viewers[v], names[v]);
    }
    run_writes(f, opp, acc, owner);
    json_t *found = json_array();
    size_t statements = plan_seen(f, found);
    calendar_reads_seek(f);
    assert_true(statements > 20);
    size_t unknown = 0;
    size_t i;
    json_t *line;
    json_array_foreach(found, i, line)
    {
        bool ok = known(json_string_value(line));
        printf("%s %s\n", ok ? "known scan:  " : "NEW SCAN:    ", json_string_value(line));
        unknown += !ok;
    }
    printf("%zu statements planned, %zu scans of growing tables, %zu not known\n", statements,
           json_array_size(found), unknown);
    json_decref(found);
    assert_int_equal(unknown, 0);
}

/* Tags are read through their index: a list's ?tag= seeks record_tags by
 * (resource, tag) — one seek per group, whatever else the list asks — and the
 * tags in use are a range of the same index (a viewer's) or of the kept
 * counts (an admin's), for every resource and viewer. */
static void tags_are_read_through_their_index(void **state)
{
    fixture *f = *state;
    const char *opp = NULL, *acc = NULL;
    make_data(f, &opp, &acc);
    const char *viewers[] = {NULL, "经理", "甲"};
    static const char *const tag_reads[] = {
        "/api/v1/opportunities?tag=重点",
        "/api/v1/opportunities?tag=重点,风险&tag=大单&sort=-amount",
        "/api/v1/opportunities?tag=大单&stalled_days=30",
        "/api/v1/accounts?tag=重点&sort=name",
        "/api/v1/contacts?tag=重点",
        "/api/v1/activities?tag=重点",
        "/api/v1/tags?resource=opportunities",
        "/api/v1/tags?resource=accounts",
        "/api/v1/tags?resource=contacts",
        "/api/v1/tags?resource=activities",
        NULL};
    f->what = "tags";
    for (size_t v = 0; v < 3; v++)
        for (size_t i = 0; tag_reads[i]; i++) {
            json_t *page = run(f, viewers[v], "GET", tag_reads[i], NULL);
            if (strstr(tag_reads[i], "stalled") == NULL) /* none has stalled */
                assert_true(json_array_size(json_object_get(page, "items")) > 0);
        }
    f->what = NULL;
    if (test_db_postgres())
        skip(); /* no sequential scan there is reads_do_not_scan_growing_tables' matter */
    size_t filters = 0, counts = 0, totals = 0;
    const char *sql;
    json_t *what;
    json_object_foreach(f->seen, sql, what)
    {
        bool select = strncmp(sql, "SELECT", 6) == 0 || strncmp(sql, "WITH", 4) == 0;
        if (!select || (strstr(sql, "record_tags") == NULL && strstr(sql, "tag_counts") == NULL))
            continue;
        char *plan = plan_of(f, sql);
        if (strstr(sql, "rt.tag IN") != NULL) {
            filters++;
            if (strstr(plan, "USING COVERING INDEX record_tags_by_tag (resource=? AND tag=?)") ==
                NULL)
                fail_msg("a tag filter does not seek (resource, tag): %s\n%s", plan, sql);
        } else if (strstr(sql, "FROM record_tags WHERE resource") != NULL) {
            counts++;
            if (strstr(plan, "USING COVERING INDEX record_tags_by_tag (resource=?)") == NULL)
                fail_msg("a viewer's tags are not a range of their index: %s\n%s", plan, sql);
        } else if (strstr(sql, "FROM tag_counts") != NULL) {
            totals++;
            if (strstr(plan, "USING PRIMARY KEY (resource=?)") == NULL)
                fail_msg("the kept counts are not read by their key: %s\n%s", plan, sql);
        }
    }
    assert_true(filters >= 4);
    assert_true(counts >= 4);
    assert_true(totals >= 2);
}

/* The notifications: an inbox's pages (all, unread, after a cursor), one
 * read and all read; a robot's webhook, its test and its deliveries; the
 * tender's key dates kept; the periodic job (stalled deals, visits
 * tomorrow, tender dates near); the sender's claim of the outbox and its
 * record of an attempt. */
static void notifications_do_not_scan_growing_tables(void **state)
{
    fixture *f = *state;
    const char *opp = NULL, *acc = NULL;
    make_data(f, &opp, &acc);
    const char *url = arena_printf(f->a, "/api/v1/opportunities/%s", opp);
    f->what = "notifications";
    json_t *hook = run(f, NULL, "POST", "/api/v1/webhooks",
                       "{\"name\":\"群\",\"kind\":\"dingtalk\",\"url\":\"http://127.0.0.1:9/x\","
                       "\"secret\":\"SEC1\",\"events\":[\"approval_waiting\",\"deal_stalled\","
                       "\"visit_tomorrow\",\"tender_near\"]}");
    run(f, NULL, "POST", arena_printf(f->a, "/api/v1/webhooks/%s/test", id_of(hook)), NULL);
    run(f, NULL, "GET", arena_printf(f->a, "/api/v1/webhooks/%s/deliveries", id_of(hook)), NULL);
    run(f, NULL, "GET", "/api/v1/webhooks", NULL);
    run(f, "甲", "POST", arena_printf(f->a, "%s/approvals", url),
        "{\"kind\":\"override\",\"reason\":\"客户确认\"}");
    run(f, "甲", "PUT", arena_printf(f->a, "%s/tender", url),
        "{\"dates\":{\"submission\":\"2030-01-03\",\"opening\":\"2030-01-04\"}}");
    run(f, "甲", "POST", "/api/v1/activities",
        arena_printf(f->a,
                     "{\"opportunity_id\":\"%s\",\"account_id\":\"%s\",\"type\":\"visit\","
                     "\"planned_at\":\"2030-01-02T02:00:00Z\"}",
                     opp, acc));
    json_t *page = run(f, "经理", "GET", "/api/v1/notifications?limit=1", NULL);
    const char *next = json_string_value(json_object_get(page, "next_cursor"));
    if (next != NULL)
        run(f, "经理", "GET", arena_printf(f->a, "/api/v1/notifications?limit=1&cursor=%s", next),
            NULL);
    run(f, "经理", "GET", "/api/v1/notifications?limit=1&unread=1&cursor=2030-01-01T00:00:00Z,x",
        NULL);
    json_t *first = json_array_get(json_object_get(page, "items"), 0);
    assert_non_null(first);
    run(f, "经理", "POST", arena_printf(f->a, "/api/v1/notifications/%s/read", id_of(first)), NULL);
    run(f, "经理", "POST", "/api/v1/notifications/read", NULL);
    bf_error err = {0};
    size_t counts[3];
    /* Thirty days and an hour on, the deals made today are stalled. */
    char later[32];
    text_format_utc(time(NULL) + 30 * 86400 + 3600, later, sizeof(later));
    assert_int_equal(api_notify_run(f->app, later, counts, &err), BF_OK);
    assert_true(counts[0] > 0);
    assert_int_equal(api_notify_run(f->app, "2030-01-01T03:00:00Z", counts, &err), BF_OK);
    assert_int_equal(counts[1] + counts[2], 3); /* the visit, the submission, the opening */
    webhook_delivery *due = NULL;
    size_t n = 0;
    assert_int_equal(store_delivery_claim(f->base.st, f->a, "2031-01-01T00:00:00.000Z",
                                          "2031-01-01T00:01:00.000Z", 8, &due, &n, &err),
                     BF_OK);
    assert_true(n > 0);
    assert_int_equal(store_delivery_done(f->base.st, due[0].id, false, "2031-01-01T00:00:01.000Z",
                                         "HTTP 500", "2031-01-01T00:01:01.000Z", &err),
                     BF_OK);
    assert_int_equal(store_delivery_done(f->base.st, due[0].id, true, "2031-01-01T00:01:01.000Z",
                                         NULL, NULL, &err),
                     BF_OK);
    f->what = NULL;
    json_t *found = json_array();
    assert_true(plan_seen(f, found) > 20);
    size_t i;
    json_t *line;
    json_array_foreach(found, i, line)
    {
        printf("NEW SCAN:     %s\n", json_string_value(line));
    }
    assert_int_equal(json_array_size(found), 0);
    json_decref(found);
}

/* The global search's statements, as each role reads them (a partner's and
 * an implementer's deals one by one among them), and its index kept by the
 * writes that move it (an account renamed and transferred brings its deals
 * and contacts along), scan no growing table; a search reads the grams by
 * their keys, and by owner for a viewer's people. */
static void searches_do_not_scan_growing_tables(void **state)
{
    fixture *f = *state;
    const char *opp = NULL, *acc = NULL;
    make_data(f, &opp, &acc);
    const char *partner =
        id_of(run(f, NULL, "POST", "/api/v1/partners", "{\"name\":\"伙伴公司\"}"));
    run(f, NULL, "POST", "/api/v1/users",
        arena_printf(f->a, "{\"name\":\"伙伴\",\"role\":\"partner\",\"partner_id\":\"%s\"}",
                     partner));
    const char *impl = id_of(
        run(f, NULL, "POST", "/api/v1/users", "{\"name\":\"实施\",\"role\":\"implementation\"}"));
    run(f, NULL, "PUT", arena_printf(f->a, "/api/v1/opportunities/%s/partners/%s", opp, partner),
        NULL);
    run(f, NULL, "PUT", arena_printf(f->a, "/api/v1/opportunities/%s/team/%s", opp, impl),
        "{\"role\":\"implementation\"}");
    json_t *me = run(f, "乙", "GET", "/api/v1/session", NULL);
    const char *other = json_string_value(json_object_get(json_object_get(me, "user"), "id"));
    f->what = "search writes";
    const char *url = arena_printf(f->a, "/api/v1/accounts/%s", acc);
    json_t *a = run(f, NULL, "GET", url, NULL);
    a = run_version(f, NULL, "PATCH", url, "{\"name\":\"客户零 Hospital\"}", version_of(a));
    run_version(f, NULL, "POST", arena_printf(f->a, "%s/transfer", url),
                arena_printf(f->a, "{\"owner_id\":\"%s\",\"reason\":\"调整\"}", other),
                version_of(a));
    f->what = NULL;
    const char *viewers[] = {NULL, "经理", "甲", "伙伴", "实施"};
    const char *names[] = {"admin", "manager", "sales", "partner", "implementation"};
    for (size_t v = 0; v < 5; v++)
        for (size_t i = 0; reads[i]; i++) {
            if (strncmp(reads[i], "/api/v1/search", 14) != 0)
                continue;
            f->what = arena_printf(f->a, "%s GET %s", names[v], reads[i]);
            run(f, viewers[v], "GET", reads[i], NULL);
            f->what = NULL;
        }
    json_t *found = json_array();
    assert_true(plan_seen(f, found) > 10);
    size_t i, searches = 0;
    json_t *line;
    json_array_foreach(found, i, line)
    {
        printf("SEARCH SCAN: %s\n", json_string_value(line));
    }
    assert_int_equal(json_array_size(found), 0);
    json_decref(found);
    /* The grams are read by their keys: the gram's postings in order, and
     * a person's by owner. */
    const char *sql;
    json_t *what;
    bool by_owner = false;
    json_object_foreach(f->seen, sql, what)
    {
        if (strstr(sql, "FROM search_grams g WHERE g.gram") == NULL || test_db_postgres())
            continue;
        searches++;
        char *plan = plan_of(f, sql);
        if (getenv("PLANS_SHOW"))
            printf("%s\n  %s\n", sql, plan);
        if (strstr(plan, "search_grams") != NULL && strstr(plan, "INDEX search_grams_owner"))
            by_owner = true;
        if (strstr(plan, "USING PRIMARY KEY (gram=? AND kind=?)") == NULL)
            fail_msg("a search does not read the gram's postings by its key: %s", plan);
        /* Nor every record of a kind, each looked up among the candidates. */
        if (strstr(plan, "(kind=?)") != NULL)
            fail_msg("a search reads every record of a kind: %s", plan);
    }
    assert_true(test_db_postgres() || (searches > 0 && by_owner));
}

/* What bingfa serve does before it listens takes the same time whatever the
 * size of the data: pinning old deals to their playbook's version (an index
 * holds only the unpinned ones); and so does what login throttling reads at
 * each attempt, a name's and an address's logins of the window in the audit
 * log (through its indexes of logins by name and by address). */
static void starting_does_not_scan_growing_tables(void **state)
{
    fixture *f = *state;
    const char *opp = NULL, *acc = NULL;
    make_data(f, &opp, &acc);
    bf_error err = {0};
    f->what = "start";
    for (size_t i = 0; i < playbook_set_count(f->base.playbooks); i++) {
        const playbook *pb = playbook_set_at(f->base.playbooks, i);
        assert_int_equal(
            store_opportunity_pin_playbook_version(f->base.st, pb->id, pb->version, &err), BF_OK);
    }
    login_attempt *logins = NULL;
    size_t nlogins = 0;
    assert_int_equal(store_logins_of(f->base.st, f->a, "甲", "127.0.0.1",
                                     "2000-01-01T00:00:00.000Z", &logins, &nlogins, &err),
                     BF_OK);
    f->what = NULL;
    json_t *found = json_array();
    assert_true(plan_seen(f, found) >= 2);
    /* A SEARCH by playbook would still read every deal of it. */
    size_t pins = 0;
    const char *sql;
    json_t *what;
    json_object_foreach(f->seen, sql, what)
    {
        if (strstr(sql, "SET playbook_version") == NULL)
            continue;
        pins++;
        if (test_db_postgres())
            continue; /* its scans are checked above; the index's name is SQLite's */
        char *plan = plan_of(f, sql);
        if (strstr(plan, "USING INDEX opportunities_unpinned") == NULL)
            fail_msg("pinning reads more than the unpinned deals: %s", plan);
    }
    assert_true(pins > 0);
    size_t i;
    json_t *line;
    json_array_foreach(found, i, line)
    {
        printf("SCAN AT START: %s\n", json_string_value(line));
    }
    assert_int_equal(json_array_size(found), 0);
    json_decref(found);
}

/* A list of deals reads the deals seen aside one by one, or picks them out
 * of the sort's index: every page of every sort, filter and cursor comes
 * out the same either way, for a salesperson and for a manager. */
static void lists_agree_whichever_way_they_read_aside(void **state)
{
    fixture *f = *state;
    const char *opp = NULL, *acc = NULL;
    make_data(f, &opp, &acc);
    json_t *me = run(f, "甲", "GET", "/api/v1/session", NULL);
    const char *sales = json_string_value(json_object_get(json_object_get(me, "user"), "id"));
    const char *west = id_of(run(f, NULL, "POST", "/api/v1/teams", "{\"name\":\"华西\"}"));
    char body[256];
    snprintf(body, sizeof(body), "{\"name\":\"丁\",\"role\":\"sales\",\"team_id\":\"%s\"}", west);
    const char *other = id_of(run(f, NULL, "POST", "/api/v1/users", body));
    for (int i = 0; i < 7; i++) {
        snprintf(body, sizeof(body),
                 "{\"account_id\":\"%s\",\"name\":\"西部项目%d\",\"amount\":%d,"
                 "\"owner_id\":\"%s\"%s}",
                 acc, i, 70000 * ((i * 5) % 7), other,
                 i % 3 ? ",\"expected_close\":\"2027-03-01\"" : "");
        const char *deal = id_of(run(f, NULL, "POST", "/api/v1/opportunities", body));
        if (i % 2 == 0)
            run(f, NULL, "PUT", arena_printf(f->a, "/api/v1/opportunities/%s/team/%s", deal, sales),
                "{\"role\":\"consultant\"}");
    }
    /* The same lists through a store that reads them each way. */
    app_fixture ways[3];
    for (int w = 0; w < 3; w++) {
        store_options opt = {.synchronous_full = false,
                             .deals_read = STORE_DEALS_READ_BY_MEMBERS + w};
        assert_int_equal(app_fixture_open(&ways[w], f->path, &opt), 0);
    }
    api *chosen = f->app;
    static const char *const lists[] = {"limit=2",
                                        "limit=2&sort=-amount",
                                        "limit=3&sort=name",
                                        "limit=2&sort=-expected_close",
                                        "limit=2&status=open&sort=stage",
                                        "limit=2&q=项目&sort=-probability",
                                        "limit=2&sort=owner",
                                        "limit=2&owner_id={other}&sort=-amount",
                                        NULL};
    const char *viewers[] = {"甲", "经理"};
    for (size_t v = 0; v < 2; v++) {
        for (size_t i = 0; lists[i]; i++) {
            const char *query = lists[i];
            const char *at = strstr(query, "{other}");
            if (at != NULL)
                query = arena_printf(f->a, "%.*s%s%s", (int)(at - query), query, other,
                                     at + strlen("{other}"));
            const char *next = NULL;
            size_t seen = 0;
            do {
                const char *target =
                    next ? arena_printf(f->a, "/api/v1/opportunities?%s&cursor=%s", query, next)
                         : arena_printf(f->a, "/api/v1/opportunities?%s", query);
                f->app = chosen;
                json_t *one = run(f, viewers[v], "GET", target, NULL);
                for (int w = 0; w < 3; w++) {
                    f->app = ways[w].app;
                    json_t *other_way = run(f, viewers[v], "GET", target, NULL);
                    if (!json_equal(one, other_way))
                        fail_msg("%s as %s: the pages differ read the way %d", target, viewers[v],
                                 w + 1);
                }
                f->app = chosen;
                seen += json_array_size(json_object_get(one, "items"));
                next = json_string_value(json_object_get(one, "next_cursor"));
            } while (next != NULL);
            assert_true(seen > 0);
        }
    }
    /* Stalled deals too, once their stages changed long ago. */
    static const char sql[] = "UPDATE opportunities SET stage_changed_at = '2020-01-0' || "
                              "(1 + length(name) % 9) || 'T00:00:00.000Z'";
    if (test_db_postgres()) {
        assert_true(test_db_run(f->path, sql));
    } else {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    }
    for (size_t v = 0; v < 2; v++) {
        f->app = chosen;
        json_t *one = run(f, viewers[v], "GET", "/api/v1/reports/stalled", NULL);
        assert_true(json_array_size(json_object_get(one, "items")) > 1);
        for (int w = 0; w < 3; w++) {
            f->app = ways[w].app;
            json_t *other_way = run(f, viewers[v], "GET", "/api/v1/reports/stalled", NULL);
            if (!json_equal(one, other_way))
                fail_msg("stalled deals as %s differ read the way %d", viewers[v], w + 1);
        }
        f->app = chosen;
    }
    for (int w = 0; w < 3; w++)
        app_fixture_close(&ways[w]);
}

/* The plan mode a statement asks for (db_plan_generic) is the one it runs
 * under, also after a transaction that set it was rolled back (which undoes
 * a SET on PostgreSQL). SQLite plans each statement once: nothing to see. */
static void statements_run_in_the_plan_mode_they_ask_for(void **state)
{
    fixture *f = *state;
    if (!test_db_postgres())
        skip();
    store_options opt = {.synchronous_full = false};
    db_conn *db;
    bf_error err = {0};
    assert_int_equal(db_open(f->path, &opt, &db, &err), BF_OK);
    static const char sql[] = "SELECT current_setting('plan_cache_mode')";
    db_stmt *s;
    assert_int_equal(db_prepare(db, sql, sizeof(sql) - 1, &s), DB_OK);
    /* The fourth runs in a transaction rolled back: the session's mode goes
     * back to what it was before it (generic), and the fifth, which asks
     * for the mode the fourth set, must get it set again. */
    const bool generic[] = {true, false, true, false, false, true};
    for (int i = 0; i < 6; i++) {
        if (i == 3)
            assert_int_equal(db_begin(db), DB_OK);
        db_plan_generic(s, generic[i]);
        assert_int_equal(db_step(s), DB_ROW);
        assert_string_equal(db_column_text(s, 0), generic[i] ? "force_generic_plan" : "auto");
        db_reset(s);
        if (i == 3)
            assert_int_equal(db_rollback(db), DB_OK);
    }
    db_finalize(s);
    db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_do_not_scan_growing_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_do_not_scan_growing_tables, setup_by_members,
                                        teardown),
        cmocka_unit_test_setup_teardown(reads_do_not_scan_growing_tables, setup_aside_walk,
                                        teardown),
        cmocka_unit_test_setup_teardown(reads_do_not_scan_growing_tables, setup_walk_all, teardown),
        cmocka_unit_test_setup_teardown(starting_does_not_scan_growing_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(tags_are_read_through_their_index, setup, teardown),
        cmocka_unit_test_setup_teardown(notifications_do_not_scan_growing_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(searches_do_not_scan_growing_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(lists_agree_whichever_way_they_read_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(statements_run_in_the_plan_mode_they_ask_for, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
