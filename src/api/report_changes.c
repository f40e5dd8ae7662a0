/* What changed in the forecast since a day (默认上周): deals made, amounts
 * raised and cut, close dates pushed (and how many times each deal's has
 * been), categories changed, deals won, lost and abandoned — of the deals
 * the viewer sees, newest first (docs/reports.md). */
#include "api/api.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "http/response.h"

enum { CHANGES_LIMIT = 500 };

typedef struct change_sums {
    int64_t raised, cut, pushed, pulled, won, lost, abandoned, recategorised, added, added_amount;
} change_sums;

static void sum_change(change_sums *s, const deal_change *c)
{
    const char *old = c->old ? c->old : "", *now = c->new_value ? c->new_value : "";
    if (strcmp(c->field, "amount") == 0) {
        int64_t d = atoll(now) - atoll(old);
        if (d > 0)
            s->raised += d;
        else
            s->cut -= d;
    } else if (strcmp(c->field, "expected_close") == 0) {
        if (*old && strcmp(now, old) > 0)
            s->pushed++;
        else if (*old && strcmp(now, old) < 0)
            s->pulled++;
    } else if (strcmp(c->field, "status") == 0) {
        s->won += strcmp(now, "won") == 0;
        s->lost += strcmp(now, "lost") == 0;
        s->abandoned += strcmp(now, "abandoned") == 0;
    } else if (strcmp(c->field, "forecast_category") == 0) {
        s->recategorised++;
    }
}

static json_t *change_json(const deal_change *c)
{
    return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s, s:I}", "opportunity_id",
                     c->opportunity_id, "name", c->name, "owner", c->owner, "currency", c->currency,
                     "field", c->field, "old", c->old, "new", c->new_value, "changed_at", c->at,
                     "pushes", (json_int_t)c->pushes);
}

static json_t *added_json(const deal_change *c)
{
    return json_pack("{s:s, s:s, s:s?, s:s, s:I, s:s}", "opportunity_id", c->opportunity_id, "name",
                     c->name, "owner", c->owner, "currency", c->currency, "amount",
                     (json_int_t)c->amount, "created_at", c->at);
}

static const export_column change_columns[] = {
    {"name", "商机", "Deal", EXPORT_TEXT},
    {"owner", "负责人", "Owner", EXPORT_TEXT},
    {"field", "变化项", "Field", EXPORT_TEXT},
    {"old", "原值", "Was", EXPORT_TEXT},
    {"new", "新值", "Now", EXPORT_TEXT},
    {"changed_at", "时间", "When", EXPORT_TEXT},
    {"pushes", "推迟次数", "Times pushed", EXPORT_INT},
};
static const export_column added_columns[] = {
    {"name", "商机", "Deal", EXPORT_TEXT},
    {"owner", "负责人", "Owner", EXPORT_TEXT},
    {"amount", "金额（元）", "Amount (CNY)", EXPORT_FEN},
    {"created_at", "创建时间", "Created", EXPORT_TEXT},
};
static const export_table change_tables[] = {
    {"changes", "变化", "Changes", change_columns,
     sizeof(change_columns) / sizeof(change_columns[0])},
    {"added", "新增商机", "New deals", added_columns,
     sizeof(added_columns) / sizeof(added_columns[0])},
};
static const export_spec change_export = {"预测变化", "forecast-changes", change_tables, 2};

/* since: ?since=YYYY-MM-DD (00:00 UTC of that day), else seven days ago. */
static bf_result since_of(api_call *call, const char **out)
{
    const char *day = http_query(call->req, "since");
    char at[32];
    if (day == NULL || *day == '\0') {
        text_format_utc(time(NULL) - 7 * 86400, at, sizeof(at));
    } else {
        if (strlen(day) != 10 || day[4] != '-' || day[7] != '-')
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "since",
                           "since must be a day, YYYY-MM-DD");
        for (int i = 0; i < 10; i++)
            if (i != 4 && i != 7 && (day[i] < '0' || day[i] > '9'))
                return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "since",
                               "since must be a day, YYYY-MM-DD");
        snprintf(at, sizeof(at), "%.10sT00:00:00Z", day);
    }
    *out = arena_strdup(call->arena, at);
    return *out ? BF_OK : BF_ERR_NOMEM;
}

bf_result reports_changes(api_call *call, const api_route *route)
{
    (void)route;
    const char *since = NULL;
    deal_change *changes = NULL, *added = NULL;
    size_t nc = 0, na = 0;
    bf_result r = since_of(call, &since);
    if (r == BF_OK)
        r = store_report_changes(call->app->store, call->arena, call->who, since, CHANGES_LIMIT,
                                 &changes, &nc, &added, &na, &call->err);
    if (r != BF_OK)
        return r;
    change_sums s = {0};
    json_t *cj = api_keep(call, json_array()), *aj = api_keep(call, json_array());
    if (cj == NULL || aj == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < nc; i++) {
        sum_change(&s, &changes[i]);
        if (json_array_append_new(cj, change_json(&changes[i])) != 0)
            return BF_ERR_NOMEM;
    }
    for (size_t i = 0; i < na; i++) {
        s.added++;
        s.added_amount += added[i].amount;
        if (json_array_append_new(aj, added_json(&added[i])) != 0)
            return BF_ERR_NOMEM;
    }
    json_t *body = json_pack(
        "{s:s, s:b, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:O, s:O}", "since",
        since, "truncated", nc == CHANGES_LIMIT || na == CHANGES_LIMIT, "summary", "added",
        (json_int_t)s.added, "added_amount", (json_int_t)s.added_amount, "amount_raised",
        (json_int_t)s.raised, "amount_cut", (json_int_t)s.cut, "pushed", (json_int_t)s.pushed,
        "pulled", (json_int_t)s.pulled, "won", (json_int_t)s.won, "lost", (json_int_t)s.lost,
        "abandoned", (json_int_t)s.abandoned, "recategorised", (json_int_t)s.recategorised,
        "changes", cj, "added", aj);
    return body ? api_respond_export(call, body, &change_export) : BF_ERR_NOMEM;
}
