/* The forecast (销售预测, docs/reports.md): deals by month, quarter or year,
 * by forecast category — pipeline, best case, commit, omitted, and won
 * (closed) — by owner, team (rolled up through the tree) or playbook, with
 * every period of the range present and each target beside what was won.
 * Read from forecast_cube (migration 25) through the viewer's visibility. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"

enum { CAT_PIPELINE, CAT_BEST, CAT_COMMIT, CAT_OMITTED, CAT_CLOSED, CAT_COUNT };
static const char *const categories[CAT_COUNT] = {"pipeline", "best_case", "commit", "omitted",
                                                  "closed"};

typedef struct cell {
    int64_t count[CAT_COUNT], amount[CAT_COUNT], weighted[CAT_COUNT];
} cell;

typedef struct fc {
    api_call *call;
    const cube_query *q;
    char period; /* 'm', 'q', 'y' */
    const char *group;
    int first;         /* month index of from */
    int nper;          /* periods */
    const char **keys; /* group keys */
    size_t ngroups, cap;
    cell *cells;  /* [group][period] */
    cell *totals; /* [period], each row once */
    cell undated;
} fc;

static int period_of(const fc *f, int month_index)
{
    int m = month_index, m0 = f->first;
    if (f->period == 'm')
        return m - m0;
    if (f->period == 'q')
        return m / 3 - m0 / 3;
    return m / 12 - m0 / 12;
}

static const char *period_key(const fc *f, int p)
{
    int m0 = f->first;
    if (f->period == 'm')
        return arena_printf(f->call->arena, "%04d-%02d", (m0 + p) / 12, (m0 + p) % 12 + 1);
    if (f->period == 'q') {
        int q = m0 / 3 + p;
        return arena_printf(f->call->arena, "%04d-Q%d", q / 4, q % 4 + 1);
    }
    return arena_printf(f->call->arena, "%04d", m0 / 12 + p);
}

/* The cells of group key (made when new), or NULL out of memory. */
static cell *group_cells(fc *f, const char *key)
{
    for (size_t i = 0; i < f->ngroups; i++)
        if (strcmp(f->keys[i], key) == 0)
            return &f->cells[i * (size_t)f->nper];
    if (f->ngroups == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        const char **keys = arena_calloc(f->call->arena, cap, sizeof(*keys));
        cell *cells = arena_calloc(f->call->arena, cap * (size_t)f->nper, sizeof(cell));
        if (keys == NULL || cells == NULL)
            return NULL;
        if (f->ngroups) {
            memcpy(keys, f->keys, f->ngroups * sizeof(*keys));
            memcpy(cells, f->cells, f->ngroups * (size_t)f->nper * sizeof(cell));
        }
        f->keys = keys;
        f->cells = cells;
        f->cap = cap;
    }
    f->keys[f->ngroups] = key;
    return &f->cells[f->ngroups++ * (size_t)f->nper];
}

static void cell_add(cell *c, int cat, const cube_row *row)
{
    c->count[cat] += row->sums[0];
    c->amount[cat] += row->sums[1];
    c->weighted[cat] += row->sums[2];
}

static int category_of(const char *s)
{
    for (int i = 0; i < CAT_COUNT; i++)
        if (strcmp(categories[i], s) == 0)
            return i;
    return CAT_PIPELINE;
}

/* Adds a row to its group(s): a team row to the owner's team and each team
 * above it (up to the team asked for). */
static bf_result add_row(fc *f, const report_names *names, const cube_row *row)
{
    int cat = category_of(row->dims[3]);
    if (*row->dims[1] == '\0') {
        cell_add(&f->undated, cat, row);
        return BF_OK;
    }
    int p = period_of(f, api_report_month_index(row->dims[1]));
    if (p < 0 || p >= f->nper)
        return BF_OK;
    cell_add(&f->totals[p], cat, row);
    if (strcmp(f->group, "team") == 0) {
        const report_person *who = api_report_person(names, row->owner_id);
        const report_team *t = who ? api_report_team(names, who->team_id) : NULL;
        for (int depth = 0; t && depth < 64; depth++) {
            cell *c = group_cells(f, t->id);
            if (c == NULL)
                return BF_ERR_NOMEM;
            cell_add(&c[p], cat, row);
            if (f->q->team_id && strcmp(t->id, f->q->team_id) == 0)
                break;
            t = api_report_team(names, t->parent_id);
        }
        return BF_OK;
    }
    const char *key = strcmp(f->group, "owner") == 0      ? row->owner_id
                      : strcmp(f->group, "playbook") == 0 ? row->dims[2]
                                                          : "";
    cell *c = group_cells(f, key);
    if (c == NULL)
        return BF_ERR_NOMEM;
    cell_add(&c[p], cat, row);
    return BF_OK;
}

/* The target of subject for period p, summed over its quarters; -1 when
 * none is set (or the period is a month). */
static int64_t target_of(const fc *f, const sales_target *t, size_t nt, const char *subject, int p)
{
    if (subject == NULL || f->period == 'm')
        return -1;
    int64_t sum = 0;
    bool any = false;
    for (size_t i = 0; i < nt; i++) {
        if (strcmp(t[i].subject, subject) != 0)
            continue;
        int y = 0, qn = 0;
        if (sscanf(t[i].quarter, "%4d-Q%1d", &y, &qn) != 2)
            continue;
        int month = y * 12 + (qn - 1) * 3;
        if (period_of(f, month) == p) {
            sum += t[i].amount;
            any = true;
        }
    }
    return any ? sum : -1;
}

static json_t *cell_json(const fc *f, const cell *c, const char *period, const char *group,
                         const char *name, int64_t target)
{
    int64_t open_amount = c->amount[CAT_PIPELINE] + c->amount[CAT_BEST] + c->amount[CAT_COMMIT];
    int64_t open_count = c->count[CAT_PIPELINE] + c->count[CAT_BEST] + c->count[CAT_COMMIT];
    int64_t weighted = c->weighted[CAT_PIPELINE] + c->weighted[CAT_BEST] + c->weighted[CAT_COMMIT];
    int64_t closed = c->amount[CAT_CLOSED];
    json_t *counts = json_object();
    for (int i = 0; counts && i < CAT_COUNT; i++)
        json_object_set_new(counts, categories[i], json_integer(c->count[i]));
    json_t *o = json_pack(
        "{s:s, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I}", "period", period,
        "group", group, "group_name", name, "pipeline", (json_int_t)c->amount[CAT_PIPELINE],
        "best_case", (json_int_t)c->amount[CAT_BEST], "commit", (json_int_t)c->amount[CAT_COMMIT],
        "omitted", (json_int_t)c->amount[CAT_OMITTED], "closed", (json_int_t)closed, "counts",
        counts, "open_count", (json_int_t)open_count, "open_amount", (json_int_t)open_amount,
        "weighted_amount", (json_int_t)((weighted + 50) / 100), "forecast_amount",
        (json_int_t)(closed + c->amount[CAT_COMMIT]));
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "target", target >= 0 ? json_integer(target) : json_null());
    json_object_set_new(o, "attainment",
                        target > 0 ? json_real((double)closed / (double)target) : json_null());
    json_object_set_new(o, "gap", target >= 0 ? json_integer(target - closed) : json_null());
    (void)f;
    return o;
}

/* The subject whose target a group has: a user, a team, or for the whole
 * report the owner or team asked for. */
static const char *subject_of(const fc *f, const char *key)
{
    arena *a = f->call->arena;
    if (strcmp(f->group, "owner") == 0)
        return arena_printf(a, "u:%s", key);
    if (strcmp(f->group, "team") == 0)
        return arena_printf(a, "t:%s", key);
    if (strcmp(f->group, "none") != 0)
        return NULL;
    if (f->q->owner_id)
        return arena_printf(a, "u:%s", f->q->owner_id);
    return f->q->team_id ? arena_printf(a, "t:%s", f->q->team_id) : NULL;
}

static const char *group_name(const fc *f, const report_names *names, const char *key)
{
    if (strcmp(f->group, "owner") == 0) {
        const report_person *p = api_report_person(names, key);
        return p ? p->name : key;
    }
    if (strcmp(f->group, "team") == 0) {
        const report_team *t = api_report_team(names, key);
        return t ? t->name : key;
    }
    if (strcmp(f->group, "playbook") != 0)
        return NULL;
    const playbook *pb = playbook_set_find(f->call->app->playbooks, key);
    bool en = strcmp(api_lang(f->call), "en") == 0;
    return pb == NULL ? key : en && pb->name.en ? pb->name.en : pb->name.zh;
}

static bf_result parse_shape(api_call *call, fc *f)
{
    const char *period = http_query(call->req, "period");
    const char *group = http_query(call->req, "group");
    if (period == NULL || *period == '\0')
        period = "quarter";
    if (strcmp(period, "month") != 0 && strcmp(period, "quarter") != 0 &&
        strcmp(period, "year") != 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "period",
                       "period must be month, quarter or year");
    if (group == NULL || *group == '\0')
        group = "none";
    if (strcmp(group, "none") != 0 && strcmp(group, "owner") != 0 && strcmp(group, "team") != 0 &&
        strcmp(group, "playbook") != 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "group",
                       "group must be none, owner, team or playbook");
    f->period = period[0];
    f->group = group;
    f->first = api_report_month_index(f->q->from);
    f->nper = period_of(f, api_report_month_index(f->q->to)) + 1;
    f->totals = arena_calloc(call->arena, (size_t)f->nper, sizeof(cell));
    return f->totals ? BF_OK : BF_ERR_NOMEM;
}

static bf_result forecast_rows(fc *f, const report_names *names, const sales_target *t, size_t nt,
                               json_t *rows)
{
    for (size_t g = 0; g < f->ngroups; g++) {
        const char *subject = subject_of(f, f->keys[g]);
        for (int p = 0; p < f->nper; p++) {
            json_t *row = cell_json(f, &f->cells[g * (size_t)f->nper + (size_t)p], period_key(f, p),
                                    f->keys[g], group_name(f, names, f->keys[g]),
                                    target_of(f, t, nt, subject, p));
            if (row == NULL || json_array_append_new(rows, row) != 0)
                return BF_ERR_NOMEM;
        }
    }
    return BF_OK;
}

static const export_column forecast_columns[] = {
    {"period", "期间", "Period", EXPORT_TEXT},
    {"group_name", "分组", "Group", EXPORT_TEXT},
    {"pipeline", "管道（元）", "Pipeline (CNY)", EXPORT_FEN},
    {"best_case", "最佳情况（元）", "Best case (CNY)", EXPORT_FEN},
    {"commit", "承诺（元）", "Commit (CNY)", EXPORT_FEN},
    {"omitted", "排除（元）", "Omitted (CNY)", EXPORT_FEN},
    {"closed", "已成交（元）", "Closed won (CNY)", EXPORT_FEN},
    {"open_count", "在途商机数", "Open deals", EXPORT_INT},
    {"weighted_amount", "加权金额（元）", "Weighted (CNY)", EXPORT_FEN},
    {"forecast_amount", "预测（承诺+成交，元）", "Forecast: commit + won (CNY)", EXPORT_FEN},
    {"target", "目标（元）", "Target (CNY)", EXPORT_FEN},
    {"attainment", "达成率", "Attainment", EXPORT_RATIO},
    {"gap", "差距（元）", "Gap (CNY)", EXPORT_FEN},
};
static const export_table forecast_tables[] = {
    {"rows", "预测", "Forecast", forecast_columns,
     sizeof(forecast_columns) / sizeof(forecast_columns[0])},
    {"totals", "合计", "Totals", forecast_columns,
     sizeof(forecast_columns) / sizeof(forecast_columns[0])},
};
static const export_spec forecast_export = {"销售预测", "forecast", forecast_tables, 2};

/* Whether the user (or, with user NULL, the team) is in team ancestor's tree. */
static bool in_team(const report_names *names, const char *user, const char *team,
                    const char *ancestor)
{
    const report_person *p = user ? api_report_person(names, user) : NULL;
    const report_team *t = api_report_team(names, user ? (p ? p->team_id : NULL) : team);
    for (int depth = 0; t && depth < 64; depth++, t = api_report_team(names, t->parent_id))
        if (strcmp(t->id, ancestor) == 0)
            return true;
    return false;
}

/* The people or teams with a target in the range (of those the caller may
 * see) that the report asks for have a row, deals or not. */
static bf_result target_groups(fc *f, const report_names *names, const sales_target *t, size_t nt)
{
    bool owners = strcmp(f->group, "owner") == 0, teams = strcmp(f->group, "team") == 0;
    for (size_t i = 0; (owners || teams) && i < nt; i++) {
        const char *id = t[i].subject + 2;
        if (strncmp(t[i].subject, owners ? "u:" : "t:", 2) != 0 ||
            (owners && f->q->owner_id && strcmp(id, f->q->owner_id) != 0))
            continue;
        if (f->q->team_id && !in_team(names, owners ? id : NULL, owners ? NULL : id, f->q->team_id))
            continue;
        if (group_cells(f, id) == NULL)
            return BF_ERR_NOMEM;
    }
    return BF_OK;
}

/* Whether an undone row belongs to the report: its currency, playbook,
 * owner and team as asked. */
static bool undo_row_wanted(const cube_query *q, const report_names *names, const cube_row *row)
{
    if (strcmp(row->dims[0], q->currency) != 0 ||
        (q->playbook && strcmp(row->dims[2], q->playbook)))
        return false;
    if (q->owner_id && strcmp(row->owner_id, q->owner_id) != 0)
        return false;
    return q->team_id == NULL || in_team(names, row->owner_id, NULL, q->team_id);
}

bf_result reports_forecast_periods(api_call *call, const api_route *route)
{
    (void)route;
    cube_query q;
    bf_result r = api_report_query(call, CUBE_FORECAST, &q);
    fc f = {.call = call, .q = &q};
    if (r == BF_OK)
        r = parse_shape(call, &f);
    cube_row *rows = NULL;
    size_t n = 0, nt = 0;
    report_names names;
    sales_target *targets = NULL;
    q.by_owner = r == BF_OK && (strcmp(f.group, "owner") == 0 || strcmp(f.group, "team") == 0);
    q.fold = r == BF_OK && strcmp(f.group, "playbook") == 0 ? 0 : 1u << 2; /* the playbook */
    if (r == BF_OK)
        r = store_report_cube(call->app->store, call->arena, &q, &rows, &n, &call->err);
    if (r == BF_OK)
        r = api_report_names(call, &names);
    char qfrom[32], qto[32];
    snprintf(qfrom, sizeof(qfrom), "%.4s-Q%d", q.from, (atoi(q.from + 5) + 2) / 3 % 8);
    snprintf(qto, sizeof(qto), "%.4s-Q%d", q.to, (atoi(q.to + 5) + 2) / 3 % 8);
    if (r == BF_OK)
        r = api_targets_seen(call, qfrom, qto, q.currency, &targets, &nt);
    if (r == BF_OK)
        r = target_groups(&f, &names, targets, nt);
    if (r == BF_OK && strcmp(f.group, "none") == 0 && group_cells(&f, "") == NULL)
        r = BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < n; i++)
        r = add_row(&f, &names, &rows[i]);
    cube_row *undo = NULL;
    size_t nundo = 0;
    if (r == BF_OK && q.before)
        r = store_report_forecast_undo(call->app->store, call->arena, call->who, q.before, &undo,
                                       &nundo, &call->err);
    for (size_t i = 0; r == BF_OK && i < nundo; i++)
        if (undo_row_wanted(&q, &names, &undo[i]))
            r = add_row(&f, &names, &undo[i]);
    json_t *out = api_keep(call, json_array()), *totals = api_keep(call, json_array());
    if (r == BF_OK && (out == NULL || totals == NULL))
        r = BF_ERR_NOMEM;
    if (r == BF_OK)
        r = forecast_rows(&f, &names, targets, nt, out);
    const char *total_subject = q.owner_id  ? arena_printf(call->arena, "u:%s", q.owner_id)
                                : q.team_id ? arena_printf(call->arena, "t:%s", q.team_id)
                                            : NULL;
    for (int p = 0; r == BF_OK && p < f.nper; p++) {
        json_t *row = cell_json(&f, &f.totals[p], period_key(&f, p), NULL, NULL,
                                target_of(&f, targets, nt, total_subject, p));
        if (row == NULL || json_array_append_new(totals, row) != 0)
            r = BF_ERR_NOMEM;
    }
    if (r != BF_OK)
        return r;
    json_t *undated = cell_json(&f, &f.undated, "", NULL, NULL, -1);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:O, s:O, s:o}", "period",
                             f.period == 'm'   ? "month"
                             : f.period == 'q' ? "quarter"
                                               : "year",
                             "group", f.group, "from", q.from, "to", q.to, "currency", q.currency,
                             "as_of", api_report_as_of(call), "rows", out, "totals", totals,
                             "undated", undated ? undated : json_null());
    if (body == NULL)
        return BF_ERR_NOMEM;
    return api_respond_export(call, body, &forecast_export);
}
