/* 3E activity compliance (人人、日日、事事, docs/reports.md): for the people
 * the viewer sees as theirs (a manager's tree, a salesperson alone or with
 * a sharing team, every one for an admin), the activities each did per day
 * and type, the open deals without an activity for idle_days (or ever), the
 * visit plans of the deals' sales modes met, missed or under way, and how
 * long the open deals have stood in their stage (ageing, and those stalled
 * for stalled_days) — by person, team (rolled up) and week. Days are China
 * time (UTC+8). */
#include "api/api.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/response.h"

enum { DAY_SECONDS = 86400, CHINA_OFFSET = 8 * 3600 };

typedef struct who_sums {
    const char *key, *name;
    int64_t activities, visits, open, active, idle_active, met, missed, under_way;
    int64_t age[4];  /* open deals by whole days in their stage: 0–30, 31–60, 61–90, more */
    int64_t stalled; /* of them, in their stage for stalled_days or more */
} who_sums;

enum { AGE_WINDOW_DAYS = 90, STALLED_DAYS_MAX = AGE_WINDOW_DAYS };

typedef struct act_report {
    api_call *call;
    const char *from, *to, *cutoff, *today;
    const char *age_from, *age_months_to; /* the days read day by day; the months before */
    int ndays, stalled_days;
    who_sums *people, *teams, *weeks;
    size_t npeople, nteams, nweeks, cap_people, cap_teams, cap_weeks;
} act_report;

static bool is_day(const char *s)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

/* A day as a time (00:00 UTC of it), and back. */
static time_t day_time(const char *day)
{
    struct tm tm = {0};
    tm.tm_year = atoi(day) - 1900;
    tm.tm_mon = atoi(day + 5) - 1;
    tm.tm_mday = atoi(day + 8);
    return timegm(&tm);
}

static const char *day_text(arena *a, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    return arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The Monday of day's week. */
static const char *week_of(arena *a, const char *day)
{
    time_t t = day_time(day);
    struct tm tm;
    gmtime_r(&t, &tm);
    return day_text(a, t - (time_t)((tm.tm_wday + 6) % 7) * DAY_SECONDS);
}

static who_sums *sums_of(act_report *r, who_sums **list, size_t *n, size_t *cap, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i].key, key) == 0)
            return &(*list)[i];
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 32;
        who_sums *grown = arena_calloc(r->call->arena, c, sizeof(*grown));
        if (grown == NULL)
            return NULL;
        if (*n)
            memcpy(grown, *list, *n * sizeof(*grown));
        *list = grown;
        *cap = c;
    }
    (*list)[*n] = (who_sums){.key = key};
    return &(*list)[(*n)++];
}

static bf_result parse(api_call *call, act_report *r, cube_query *q, int *idle_days)
{
    time_t now = time(NULL) + CHINA_OFFSET;
    r->call = call;
    r->today = day_text(call->arena, now);
    const char *from = http_query(call->req, "from"), *to = http_query(call->req, "to");
    const char *idle = http_query(call->req, "idle_days");
    r->to = to && *to ? to : r->today;
    r->from = from && *from ? from : day_text(call->arena, day_time(r->to) - 27 * DAY_SECONDS);
    if (r->today == NULL || r->from == NULL)
        return BF_ERR_NOMEM;
    if (!is_day(r->from) || !is_day(r->to))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", is_day(r->from) ? "to" : "from",
                       "a day is written YYYY-MM-DD");
    r->ndays = (int)((day_time(r->to) - day_time(r->from)) / DAY_SECONDS) + 1;
    if (r->ndays < 1 || r->ndays > 3660)
        return bf_fail(&call->err, BF_ERR_INVALID, "out_of_range", "to",
                       "to must be from the day of from to at most ten years later");
    *idle_days = 14;
    if (idle && *idle) {
        char *end;
        long d = strtol(idle, &end, 10);
        if (*end != '\0' || d < 1 || d > 3650)
            return bf_fail(&call->err, BF_ERR_INVALID, "out_of_range", "idle_days",
                           "idle_days must be a whole number from 1 to 3650");
        *idle_days = (int)d;
    }
    r->stalled_days = 30;
    const char *stalled = http_query(call->req, "stalled_days");
    if (stalled && *stalled) {
        char *end;
        long d = strtol(stalled, &end, 10);
        if (*end != '\0' || d < 1 || d > STALLED_DAYS_MAX)
            return bf_fail(&call->err, BF_ERR_INVALID, "out_of_range", "stalled_days",
                           "stalled_days must be a whole number from 1 to %d", STALLED_DAYS_MAX);
        r->stalled_days = (int)d;
    }
    /* Ageing reads the days from the first of the month AGE_WINDOW_DAYS ago
     * one by one, and the months before that whole: all of them older. */
    struct tm first;
    time_t back = day_time(r->today) - (time_t)AGE_WINDOW_DAYS * DAY_SECONDS;
    gmtime_r(&back, &first);
    r->age_from = arena_printf(call->arena, "%04d-%02d-01", first.tm_year + 1900, first.tm_mon + 1);
    int before = (first.tm_year + 1900) * 12 + first.tm_mon - 1;
    r->age_months_to = arena_printf(call->arena, "%04d-%02d", before / 12, before % 12 + 1);
    if (r->age_from == NULL || r->age_months_to == NULL)
        return BF_ERR_NOMEM;
    r->cutoff = day_text(call->arena, now - (time_t)*idle_days * DAY_SECONDS);
    const char *owner = http_query(call->req, "owner"), *team = http_query(call->req, "team");
    *q = (cube_query){.who = call->who,
                      .owner_id = owner && *owner ? owner : NULL,
                      .team_id = team && *team ? team : NULL};
    return r->cutoff ? BF_OK : BF_ERR_NOMEM;
}

/* Adds n to the field at offset of the owner's sums, of each team above the
 * owner's (up to the team asked for) and, with a day, of its week's. */
static bf_result add(act_report *r, const report_names *names, const char *team_asked,
                     const char *owner, size_t offset, int64_t n, const char *day)
{
    who_sums *p = sums_of(r, &r->people, &r->npeople, &r->cap_people, owner);
    if (p == NULL)
        return BF_ERR_NOMEM;
    *(int64_t *)((char *)p + offset) += n;
    const report_person *who = api_report_person(names, owner);
    const report_team *t = who ? api_report_team(names, who->team_id) : NULL;
    for (int depth = 0; t && depth < 64; depth++) {
        who_sums *s = sums_of(r, &r->teams, &r->nteams, &r->cap_teams, t->id);
        if (s == NULL)
            return BF_ERR_NOMEM;
        s->name = t->name;
        *(int64_t *)((char *)s + offset) += n;
        if (team_asked && strcmp(t->id, team_asked) == 0)
            break;
        t = api_report_team(names, t->parent_id);
    }
    if (day == NULL)
        return BF_OK;
    const char *week = week_of(r->call->arena, day);
    who_sums *w = week ? sums_of(r, &r->weeks, &r->nweeks, &r->cap_weeks, week) : NULL;
    if (w == NULL)
        return BF_ERR_NOMEM;
    *(int64_t *)((char *)w + offset) += n;
    return BF_OK;
}

static bf_result read_cube(act_report *r, cube_query *q, report_cube cube, const char *from,
                           const char *to, cube_row **rows, size_t *n)
{
    q->cube = cube;
    q->by_owner = true;
    q->from = from;
    q->to = to;
    return store_report_cube(r->call->app->store, r->call->arena, q, rows, n, &r->call->err);
}

/* The open deals by how long they have stood in their stage: the days of
 * the window one by one, the months before it (all older than it). */
static bf_result add_ageing(act_report *r, cube_query *q, const report_names *names)
{
    cube_row *rows = NULL;
    size_t n = 0;
    time_t today = day_time(r->today);
    bf_result e = read_cube(r, q, CUBE_AGE_DAYS, r->age_from, "9999-12-31", &rows, &n);
    for (size_t i = 0; e == BF_OK && i < n; i++) {
        int64_t age = (int64_t)(today - day_time(rows[i].dims[0])) / DAY_SECONDS;
        size_t bucket = age <= 30 ? 0 : age <= 60 ? 1 : age <= 90 ? 2 : 3;
        e = add(r, names, q->team_id, rows[i].owner_id,
                offsetof(who_sums, age) + bucket * sizeof(int64_t), rows[i].sums[0], NULL);
        if (e == BF_OK && age >= r->stalled_days)
            e = add(r, names, q->team_id, rows[i].owner_id, offsetof(who_sums, stalled),
                    rows[i].sums[0], NULL);
    }
    if (e == BF_OK)
        e = read_cube(r, q, CUBE_AGE_MONTHS, "0000-01", r->age_months_to, &rows, &n);
    for (size_t i = 0; e == BF_OK && i < n; i++) {
        e = add(r, names, q->team_id, rows[i].owner_id, offsetof(who_sums, age[3]), rows[i].sums[0],
                NULL);
        if (e == BF_OK)
            e = add(r, names, q->team_id, rows[i].owner_id, offsetof(who_sums, stalled),
                    rows[i].sums[0], NULL);
    }
    return e;
}

static bf_result add_rows(act_report *r, cube_query *q, const report_names *names)
{
    cube_row *rows = NULL;
    size_t n = 0;
    bf_result e = read_cube(r, q, CUBE_ACTIVITY, r->from, r->to, &rows, &n);
    for (size_t i = 0; e == BF_OK && i < n; i++) {
        e = add(r, names, q->team_id, rows[i].owner_id, offsetof(who_sums, activities),
                rows[i].sums[0], rows[i].dims[0]);
        if (e == BF_OK && strcmp(rows[i].dims[1], "visit") == 0)
            e = add(r, names, q->team_id, rows[i].owner_id, offsetof(who_sums, visits),
                    rows[i].sums[0], rows[i].dims[0]);
    }
    if (e == BF_OK)
        e = read_cube(r, q, CUBE_OPEN, NULL, NULL, &rows, &n);
    for (size_t i = 0; e == BF_OK && i < n; i++)
        e = add(r, names, q->team_id, rows[i].owner_id, offsetof(who_sums, open), rows[i].sums[0],
                NULL);
    if (e == BF_OK)
        e = read_cube(r, q, CUBE_IDLE, "0000-01-01", "9999-12-31", &rows, &n);
    for (size_t i = 0; e == BF_OK && i < n; i++) {
        e = add(r, names, q->team_id, rows[i].owner_id, offsetof(who_sums, active), rows[i].sums[0],
                NULL);
        if (e == BF_OK && strcmp(rows[i].dims[0], r->cutoff) < 0)
            e = add(r, names, q->team_id, rows[i].owner_id, offsetof(who_sums, idle_active),
                    rows[i].sums[0], NULL);
    }
    if (e == BF_OK)
        e = add_ageing(r, q, names);
    if (e == BF_OK)
        e = read_cube(r, q, CUBE_PLAN, r->from, r->to, &rows, &n);
    for (size_t i = 0; e == BF_OK && i < n; i++) {
        size_t at = strcmp(rows[i].dims[1], "1") == 0       ? offsetof(who_sums, met)
                    : strcmp(rows[i].dims[0], r->today) < 0 ? offsetof(who_sums, missed)
                                                            : offsetof(who_sums, under_way);
        e = add(r, names, q->team_id, rows[i].owner_id, at, rows[i].sums[0], rows[i].dims[0]);
    }
    return e;
}

static json_t *sums_json(const act_report *r, const who_sums *s, const char *key_name)
{
    int64_t never = s->open - s->active;
    return json_pack(
        "{s:s, s:s?, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
        key_name, s->key, "name", s->name, "activities", (json_int_t)s->activities, "visits",
        (json_int_t)s->visits, "per_day", (double)s->activities / r->ndays, "open_deals",
        (json_int_t)s->open, "idle_deals", (json_int_t)(s->idle_active + (never > 0 ? never : 0)),
        "never_active", (json_int_t)(never > 0 ? never : 0), "plan_met", (json_int_t)s->met,
        "plan_missed", (json_int_t)s->missed, "plan_under_way", (json_int_t)s->under_way,
        "age_0_30", (json_int_t)s->age[0], "age_31_60", (json_int_t)s->age[1], "age_61_90",
        (json_int_t)s->age[2], "age_over_90", (json_int_t)s->age[3], "stalled_deals",
        (json_int_t)s->stalled);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const who_sums *)a)->key, ((const who_sums *)b)->key);
}

static json_t *list_json(const act_report *r, who_sums *list, size_t n, const char *key_name)
{
    if (n > 1)
        qsort(list, n, sizeof(*list), by_key);
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, sums_json(r, &list[i], key_name)) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static const export_column activity_columns[] = {
    {"name", "姓名/团队", "Person or team", EXPORT_TEXT},
    {"activities", "活动数", "Activities", EXPORT_INT},
    {"visits", "拜访数", "Visits", EXPORT_INT},
    {"per_day", "日均活动", "Per day", EXPORT_NUMBER},
    {"open_deals", "在途商机", "Open deals", EXPORT_INT},
    {"idle_deals", "久未跟进商机", "Idle deals", EXPORT_INT},
    {"plan_met", "拜访计划达标", "Visit plans met", EXPORT_INT},
    {"plan_missed", "拜访计划未达标", "Visit plans missed", EXPORT_INT},
    {"plan_under_way", "拜访计划进行中", "Visit plans under way", EXPORT_INT},
    {"age_0_30", "阶段停留0–30天", "In stage 0–30 days", EXPORT_INT},
    {"age_31_60", "阶段停留31–60天", "In stage 31–60 days", EXPORT_INT},
    {"age_61_90", "阶段停留61–90天", "In stage 61–90 days", EXPORT_INT},
    {"age_over_90", "阶段停留90天以上", "In stage over 90 days", EXPORT_INT},
    {"stalled_deals", "停滞商机", "Stalled deals", EXPORT_INT},
};
static const export_column week_columns[] = {
    {"week", "周（周一）", "Week (Monday)", EXPORT_TEXT},
    {"activities", "活动数", "Activities", EXPORT_INT},
    {"visits", "拜访数", "Visits", EXPORT_INT},
    {"plan_met", "拜访计划达标", "Visit plans met", EXPORT_INT},
    {"plan_missed", "拜访计划未达标", "Visit plans missed", EXPORT_INT},
};
static const export_table activity_tables[] = {
    {"people", "人员", "People", activity_columns,
     sizeof(activity_columns) / sizeof(activity_columns[0])},
    {"teams", "团队", "Teams", activity_columns,
     sizeof(activity_columns) / sizeof(activity_columns[0])},
    {"weeks", "按周", "By week", week_columns, sizeof(week_columns) / sizeof(week_columns[0])},
};
static const export_spec activity_export = {"3E活动执行", "activity-compliance", activity_tables,
                                            3};

bf_result reports_activity(api_call *call, const api_route *route)
{
    (void)route;
    access_role role = call->who->role;
    if (role == ROLE_PARTNER || role == ROLE_IMPLEMENTATION)
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                       "a %s user does not read the team's activity compliance",
                       access_role_name(role));
    act_report r = {0};
    cube_query q;
    int idle_days = 0;
    report_names names;
    bf_result e = parse(call, &r, &q, &idle_days);
    if (e == BF_OK)
        e = api_report_names(call, &names);
    if (e == BF_OK)
        e = add_rows(&r, &q, &names);
    if (e != BF_OK)
        return e;
    for (size_t i = 0; i < r.npeople; i++) {
        const report_person *p = api_report_person(&names, r.people[i].key);
        r.people[i].name = p ? p->name : r.people[i].key;
    }
    json_t *people = api_keep(call, list_json(&r, r.people, r.npeople, "owner_id"));
    json_t *teams = api_keep(call, list_json(&r, r.teams, r.nteams, "team_id"));
    json_t *weeks = api_keep(call, list_json(&r, r.weeks, r.nweeks, "week"));
    if (people == NULL || teams == NULL || weeks == NULL)
        return BF_ERR_NOMEM;
    json_t *body = json_pack("{s:s, s:s, s:i, s:i, s:i, s:O, s:O, s:O}", "from", r.from, "to", r.to,
                             "days", r.ndays, "idle_days", idle_days, "stalled_days",
                             r.stalled_days, "people", people, "teams", teams, "weeks", weeks);
    return body ? api_respond_export(call, body, &activity_export) : BF_ERR_NOMEM;
}
