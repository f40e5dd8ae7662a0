/* Stage analytics, calibration and win/loss (docs/reports.md), from the
 * summaries of migration 25 through the viewer's visibility: how deals
 * move through a playbook's stages and how long they stay, how often the
 * deals that passed a stage were won against the stage's nominal
 * probability, and why deals are won and lost. */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "http/response.h"

static const playbook *report_playbook(api_call *call, cube_query *q)
{
    if (q->playbook == NULL)
        q->playbook = "ruijie-6";
    return playbook_set_find(call->app->playbooks, q->playbook);
}

static json_t *ratio_or_null(int64_t k, int64_t n)
{
    return n > 0 ? json_real((double)k / (double)n) : json_null();
}

/* ---- stages ---- */

enum { EV_ENTERED, EV_ADVANCED, EV_WON, EV_BACK, EV_LOST, EV_ABANDONED, EV_COUNT };
static const char *const events[EV_COUNT] = {"entered", "advanced", "won",
                                             "back",    "lost",     "abandoned"};

static int event_of(const char *s)
{
    for (int i = 0; i < EV_COUNT; i++)
        if (strcmp(events[i], s) == 0)
            return i;
    return -1;
}

static int by_days(const void *a, const void *b)
{
    const stats_day_count *x = a, *y = b;
    return (x->days > y->days) - (x->days < y->days);
}

/* The days of the exits from stage among rows, summed by days, sorted. */
static stats_day_count *stage_days(api_call *call, const cube_row *rows, size_t n,
                                   const char *stage, size_t *out_n)
{
    stats_day_count *c = arena_calloc(call->arena, n + 1, sizeof(*c));
    size_t k = 0;
    for (size_t i = 0; c && i < n; i++) {
        int ev = event_of(rows[i].dims[3]);
        if (ev > EV_ENTERED && strcmp(rows[i].dims[1], stage) == 0)
            c[k++] = (stats_day_count){atoll(rows[i].dims[4]), rows[i].sums[0]};
    }
    if (c == NULL)
        return NULL;
    if (k > 1)
        qsort(c, k, sizeof(*c), by_days);
    size_t m = 0; /* the same days added up */
    for (size_t i = 0; i < k; i++) {
        if (m > 0 && c[m - 1].days == c[i].days)
            c[m - 1].n += c[i].n;
        else
            c[m++] = c[i];
    }
    *out_n = m;
    return c;
}

static json_t *stage_json(api_call *call, const stage_def *st, const cube_row *rows, size_t n,
                          const cube_row *outcomes, size_t no)
{
    int64_t ev[EV_COUNT] = {0}, won = 0, closed = 0;
    for (size_t i = 0; i < n; i++) {
        int e = event_of(rows[i].dims[3]);
        if (e >= 0 && strcmp(rows[i].dims[1], st->id) == 0)
            ev[e] += rows[i].sums[0];
    }
    for (size_t i = 0; i < no; i++)
        if (strcmp(outcomes[i].dims[1], st->id) == 0) {
            closed += outcomes[i].sums[0];
            won += strcmp(outcomes[i].dims[3], "1") == 0 ? outcomes[i].sums[0] : 0;
        }
    size_t nd;
    stats_day_count *days = stage_days(call, rows, n, st->id, &nd);
    if (days == NULL)
        return NULL;
    int64_t exits = ev[EV_ADVANCED] + ev[EV_WON] + ev[EV_BACK] + ev[EV_LOST] + ev[EV_ABANDONED];
    int64_t total = 0; /* the exits' exact days: the mean is exact, the quantiles buckets */
    for (size_t i = 0; i < n; i++)
        if (event_of(rows[i].dims[3]) > EV_ENTERED && strcmp(rows[i].dims[1], st->id) == 0)
            total += rows[i].sums[1];
    return json_pack("{s:s, s:s, s:s?, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:I, "
                     "s:f, s:I, s:I, s:I, s:o}",
                     "stage", st->id, "name", st->name.zh, "name_en", st->name.en, "probability",
                     st->probability, "entered", (json_int_t)ev[EV_ENTERED], "advanced",
                     (json_int_t)ev[EV_ADVANCED], "won", (json_int_t)ev[EV_WON], "back",
                     (json_int_t)ev[EV_BACK], "lost", (json_int_t)ev[EV_LOST], "abandoned",
                     (json_int_t)ev[EV_ABANDONED], "exits", (json_int_t)exits, "conversion_next",
                     ratio_or_null(ev[EV_ADVANCED] + ev[EV_WON], ev[EV_ENTERED]), "conversion_won",
                     ratio_or_null(won, closed), "days_median",
                     (json_int_t)stats_day_quantile(days, nd, 0.5), "days_mean",
                     exits ? (double)total / (double)exits : 0.0, "days_p90",
                     (json_int_t)stats_day_quantile(days, nd, 0.9), "closed", (json_int_t)closed,
                     "closed_won", (json_int_t)won, "stays", json_integer(exits));
}

static const export_column stage_columns[] = {
    {"name", "阶段", "Stage", EXPORT_TEXT},
    {"probability", "名义赢率%", "Nominal %", EXPORT_INT},
    {"entered", "进入", "Entered", EXPORT_INT},
    {"advanced", "推进", "Advanced", EXPORT_INT},
    {"won", "赢单", "Won", EXPORT_INT},
    {"back", "退回", "Sent back", EXPORT_INT},
    {"lost", "输单", "Lost", EXPORT_INT},
    {"abandoned", "放弃", "Abandoned", EXPORT_INT},
    {"conversion_next", "下一阶段转化率", "To next stage", EXPORT_RATIO},
    {"conversion_won", "最终赢单率", "To won", EXPORT_RATIO},
    {"days_median", "停留天数中位数", "Days (median)", EXPORT_INT},
    {"days_mean", "停留天数平均", "Days (mean)", EXPORT_NUMBER},
    {"days_p90", "停留天数P90", "Days (p90)", EXPORT_INT},
};
static const export_table stage_tables[] = {
    {"stages", "阶段分析", "Stages", stage_columns,
     sizeof(stage_columns) / sizeof(stage_columns[0])},
};
static const export_spec stage_export = {"阶段分析", "stages", stage_tables, 1};

bf_result reports_stages(api_call *call, const api_route *route)
{
    (void)route;
    cube_query q, qo;
    bf_result r = api_report_query(call, CUBE_FLOW, &q);
    if (r != BF_OK)
        return r;
    const playbook *pb = report_playbook(call, &q);
    q.fold = 1u << 2; /* the month: the stages over the whole period */
    qo = q;
    qo.cube = CUBE_STAGE_OUTCOMES;
    cube_row *rows = NULL, *outcomes = NULL;
    size_t n = 0, no = 0;
    if ((r = store_report_cube(call->app->store, call->arena, &q, &rows, &n, &call->err)) !=
            BF_OK ||
        (r = store_report_cube(call->app->store, call->arena, &qo, &outcomes, &no, &call->err)) !=
            BF_OK)
        return r;
    json_t *stages = api_keep(call, json_array());
    for (size_t i = 0; stages && i < pb->nstages; i++) {
        json_t *s = stage_json(call, &pb->stages[i], rows, n, outcomes, no);
        if (s == NULL || json_array_append_new(stages, s) != 0)
            return BF_ERR_NOMEM;
    }
    if (stages == NULL)
        return BF_ERR_NOMEM;
    json_t *body = json_pack("{s:s, s:s, s:s, s:s?, s:O}", "playbook", pb->id, "from", q.from, "to",
                             q.to, "as_of", api_report_as_of(call), "stages", stages);
    return body ? api_respond_export(call, body, &stage_export) : BF_ERR_NOMEM;
}

/* ---- calibration ---- */

enum { CALIBRATION_MIN_CLOSED = 30 }; /* closed deals before a suggestion */

static json_t *calibration_json(const stage_def *st, const cube_row *rows, size_t n)
{
    int64_t won = 0, closed = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].dims[1], st->id) == 0) {
            closed += rows[i].sums[0];
            won += strcmp(rows[i].dims[3], "1") == 0 ? rows[i].sums[0] : 0;
        }
    double lo, hi;
    stats_wilson(won, closed, &lo, &hi);
    int suggested = stats_suggest_percent(st->probability, won, closed, CALIBRATION_MIN_CLOSED);
    return json_pack("{s:s, s:s, s:s?, s:i, s:I, s:I, s:o, s:o, s:o, s:o, s:i}", "stage", st->id,
                     "name", st->name.zh, "name_en", st->name.en, "nominal", st->probability,
                     "closed", (json_int_t)closed, "won", (json_int_t)won, "observed",
                     ratio_or_null(won, closed), "low", closed ? json_real(lo) : json_null(),
                     "high", closed ? json_real(hi) : json_null(), "suggested",
                     suggested >= 0 ? json_integer(suggested) : json_null(), "calibrated",
                     suggested >= 0 ? suggested : st->probability);
}

static const export_column calibration_columns[] = {
    {"name", "阶段", "Stage", EXPORT_TEXT},
    {"nominal", "名义赢率%", "Nominal %", EXPORT_INT},
    {"closed", "已关闭商机", "Closed deals", EXPORT_INT},
    {"won", "其中赢单", "Of them won", EXPORT_INT},
    {"observed", "实际赢单率", "Observed", EXPORT_RATIO},
    {"low", "95%下限", "95% low", EXPORT_RATIO},
    {"high", "95%上限", "95% high", EXPORT_RATIO},
    {"suggested", "建议赢率%", "Suggested %", EXPORT_INT},
};
static const export_table calibration_tables[] = {
    {"stages", "赢率校准", "Calibration", calibration_columns,
     sizeof(calibration_columns) / sizeof(calibration_columns[0])},
};
static const export_spec calibration_export = {"赢率校准", "calibration", calibration_tables, 1};

bf_result reports_calibration(api_call *call, const api_route *route)
{
    (void)route;
    cube_query q;
    bf_result r = api_report_query(call, CUBE_STAGE_OUTCOMES, &q);
    if (r != BF_OK)
        return r;
    const playbook *pb = report_playbook(call, &q);
    q.fold = 1u << 2; /* the month */
    cube_row *rows = NULL;
    size_t n = 0;
    if ((r = store_report_cube(call->app->store, call->arena, &q, &rows, &n, &call->err)) != BF_OK)
        return r;
    json_t *stages = api_keep(call, json_array());
    for (size_t i = 0; stages && i < pb->nstages; i++) {
        json_t *s = calibration_json(&pb->stages[i], rows, n);
        if (s == NULL || json_array_append_new(stages, s) != 0)
            return BF_ERR_NOMEM;
    }
    if (stages == NULL)
        return BF_ERR_NOMEM;
    json_t *body = json_pack("{s:s, s:s, s:s, s:s?, s:i, s:O}", "playbook", pb->id, "from", q.from,
                             "to", q.to, "as_of", api_report_as_of(call), "min_closed",
                             CALIBRATION_MIN_CLOSED, "stages", stages);
    return body ? api_respond_export(call, body, &calibration_export) : BF_ERR_NOMEM;
}

/* ---- win/loss ---- */

typedef struct wl_group {
    const char *key;
    int64_t count[3], amount[3], days[3]; /* won, lost, abandoned; days: creation to close */
} wl_group;

static const char *const wl_dims[] = {"reason",   "won_by",  "stage", "band", "sales_mode",
                                      "playbook", "quarter", "owner", NULL};

/* The key of row for dimension by (an index of wl_dims). */
static const char *wl_key(api_call *call, const cube_row *row, int by)
{
    switch (by) {
    case 0:
        return row->dims[7];
    case 1:
        return row->dims[8];
    case 2:
        return row->dims[4];
    case 3:
        return row->dims[6];
    case 4:
        return row->dims[5];
    case 5:
        return row->dims[2];
    case 6:
        return *row->dims[1] ? arena_printf(call->arena, "%.4s-Q%d", row->dims[1],
                                            (atoi(row->dims[1] + 5) + 2) / 3 % 8)
                             : "";
    default:
        return row->owner_id;
    }
}

static bf_result wl_add(api_call *call, wl_group **groups, size_t *n, size_t *cap,
                        const cube_row *row, int by)
{
    const char *key = wl_key(call, row, by);
    if (key == NULL)
        return BF_ERR_NOMEM;
    size_t i = 0;
    while (i < *n && strcmp((*groups)[i].key, key) != 0)
        i++;
    if (i == *n) {
        if (*n == *cap) {
            size_t c = *cap ? *cap * 2 : 32;
            wl_group *g = arena_calloc(call->arena, c, sizeof(*g));
            if (g == NULL)
                return BF_ERR_NOMEM;
            if (*n)
                memcpy(g, *groups, *n * sizeof(*g));
            *groups = g;
            *cap = c;
        }
        (*groups)[(*n)++] = (wl_group){.key = key};
    }
    int k = strcmp(row->dims[3], "won") == 0 ? 0 : strcmp(row->dims[3], "lost") == 0 ? 1 : 2;
    (*groups)[i].count[k] += row->sums[0];
    (*groups)[i].amount[k] += row->sums[1];
    (*groups)[i].days[k] += row->sums[2];
    return BF_OK;
}

/* The mean of days over n, or null. */
static json_t *mean_or_null(int64_t days, int64_t n)
{
    return n > 0 ? json_real((double)days / (double)n) : json_null();
}

static json_t *wl_json(const wl_group *g, const char *name)
{
    int64_t all = g->count[0] + g->count[1] + g->count[2];
    return json_pack(
        "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "key", g->key, "name", name,
        "won", (json_int_t)g->count[0], "won_amount", (json_int_t)g->amount[0], "lost",
        (json_int_t)g->count[1], "lost_amount", (json_int_t)g->amount[1], "abandoned",
        (json_int_t)g->count[2], "abandoned_amount", (json_int_t)g->amount[2], "win_rate",
        ratio_or_null(g->count[0], all), "won_cycle_days", mean_or_null(g->days[0], g->count[0]),
        "closed_cycle_days", mean_or_null(g->days[0] + g->days[1] + g->days[2], all));
}

static const char *in_lang(bool en, i18n_text t)
{
    return en && t.en ? t.en : t.zh;
}

/* The name of a stage of id: in the playbook asked for, else the first
 * playbook that has one; NULL when none. */
static const char *stage_name(api_call *call, const char *id, bool en)
{
    const char *asked = http_query(call->req, "playbook");
    size_t n = playbook_set_count(call->app->playbooks);
    for (size_t i = 0; i < n; i++) {
        const playbook *pb = playbook_set_at(call->app->playbooks, i);
        const stage_def *st = playbook_stage(pb, id, NULL);
        if (st && (asked == NULL || *asked == '\0' || strcmp(pb->id, asked) == 0))
            return in_lang(en, st->name);
    }
    return NULL;
}

/* A group's name in the answer's language: an amount band, an owner, a
 * stage, a playbook, a sales mode; else its key. */
static const char *wl_name(api_call *call, const report_names *names, int by, const char *key)
{
    static const char *const bands[2][4] = {
        {"50万元以下", "50万–200万元", "200万–1000万元", "1000万元以上"},
        {"Under 0.5M CNY", "0.5M–2M CNY", "2M–10M CNY", "10M CNY and more"}};
    static const char *const modes[][3] = {{"quick", "快刀", "Quick"},
                                           {"consultative", "顾问式", "Consultative"},
                                           {"strategic", "战略", "Strategic"}};
    bool en = strcmp(api_lang(call), "en") == 0;
    const char *name = NULL;
    if (by == 3 && key[0] >= '0' && key[0] <= '3')
        name = bands[en][key[0] - '0'];
    if (by == 7) {
        const report_person *p = api_report_person(names, key);
        name = p ? p->name : NULL;
    }
    if (by == 2)
        name = stage_name(call, key, en);
    if (by == 5) {
        const playbook *pb = playbook_set_find(call->app->playbooks, key);
        name = pb ? in_lang(en, pb->name) : NULL;
    }
    for (size_t i = 0; by == 4 && i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strcmp(modes[i][0], key) == 0)
            name = modes[i][en ? 2 : 1];
    return name ? name : key;
}

static bf_result wl_table(api_call *call, const cube_row *rows, size_t n, int by,
                          const report_names *names, json_t *out)
{
    wl_group *groups = NULL;
    size_t ng = 0, cap = 0;
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < n; i++)
        r = wl_add(call, &groups, &ng, &cap, &rows[i], by);
    for (size_t i = 0; r == BF_OK && i < ng; i++) {
        json_t *g = wl_json(&groups[i], wl_name(call, names, by, groups[i].key));
        if (g == NULL || json_array_append_new(out, g) != 0)
            r = BF_ERR_NOMEM;
    }
    return r;
}

static const export_column wl_columns[] = {
    {"name", "分组", "Group", EXPORT_TEXT},
    {"won", "赢单数", "Won", EXPORT_INT},
    {"won_amount", "赢单金额（元）", "Won (CNY)", EXPORT_FEN},
    {"lost", "输单数", "Lost", EXPORT_INT},
    {"lost_amount", "输单金额（元）", "Lost (CNY)", EXPORT_FEN},
    {"abandoned", "放弃数", "Abandoned", EXPORT_INT},
    {"abandoned_amount", "放弃金额（元）", "Abandoned (CNY)", EXPORT_FEN},
    {"win_rate", "赢单率", "Win rate", EXPORT_RATIO},
    {"won_cycle_days", "赢单周期（天）", "Days to win", EXPORT_NUMBER},
};
static const export_table wl_tables[] = {
    {"rows", "赢输分析", "Win/loss", wl_columns, sizeof(wl_columns) / sizeof(wl_columns[0])},
    {"quarters", "季度趋势", "By quarter", wl_columns, sizeof(wl_columns) / sizeof(wl_columns[0])},
};
static const export_spec wl_export = {"赢输分析", "win-loss", wl_tables, 2};

bf_result reports_winloss(api_call *call, const api_route *route)
{
    (void)route;
    cube_query q;
    bf_result r = api_report_query(call, CUBE_OUTCOME, &q);
    if (r != BF_OK)
        return r;
    const char *by_name = http_query(call->req, "by");
    int by = 0;
    if (by_name && *by_name)
        while (wl_dims[by] && strcmp(wl_dims[by], by_name) != 0)
            by++;
    if (wl_dims[by] == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "by",
                       "by must be reason, won_by, stage, band, sales_mode, playbook, quarter "
                       "or owner");
    /* Two reads, each added up across all but the outcome and what it groups
     * by: the dimension asked, and the month (the quarters). */
    static const unsigned keep[] = {1u << 7, 1u << 8, 1u << 4, 1u << 6,
                                    1u << 5, 1u << 2, 1u << 1, 0};
    cube_query qq = q;
    q.by_owner = by == 7;
    q.fold = 0x1ffu & ~(keep[by] | 1u << 3);
    qq.fold = 0x1ffu & ~(1u << 1 | 1u << 3);
    cube_row *rows = NULL, *qrows = NULL;
    size_t n = 0, nq = 0;
    report_names names;
    if ((r = store_report_cube(call->app->store, call->arena, &q, &rows, &n, &call->err)) !=
            BF_OK ||
        (r = store_report_cube(call->app->store, call->arena, &qq, &qrows, &nq, &call->err)) !=
            BF_OK ||
        (r = api_report_names(call, &names)) != BF_OK)
        return r;
    json_t *table = api_keep(call, json_array()), *quarters = api_keep(call, json_array());
    if (table == NULL || quarters == NULL)
        return BF_ERR_NOMEM;
    if ((r = wl_table(call, rows, n, by, &names, table)) != BF_OK ||
        (r = wl_table(call, qrows, nq, 6, &names, quarters)) != BF_OK)
        return r;
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:O, s:O}", "by", wl_dims[by], "from",
                             q.from, "to", q.to, "currency", q.currency, "as_of",
                             api_report_as_of(call), "rows", table, "quarters", quarters);
    return body ? api_respond_export(call, body, &wl_export) : BF_ERR_NOMEM;
}
