/* Sales targets (销售目标, docs/reports.md): a quarter's target of a user or
 * a team, in fen. An admin sets any; a manager those of the people and
 * teams of their tree. Staff read the targets they may see: an admin all,
 * a manager their tree's, others their own. The forecast sets them beside
 * what was won. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "http/response.h"

static bool is_quarter(const char *s)
{
    return s && strlen(s) == 7 && s[4] == '-' && s[5] == 'Q' && s[6] >= '1' && s[6] <= '4' &&
           s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
           s[3] >= '0' && s[3] <= '9';
}

/* Whether the viewer may see (write: set) the target of subject ("u:…", "t:…"). */
static bf_result may_target(api_call *call, const char *subject, bool write, bool *ok)
{
    const viewer *who = call->who;
    *ok = false;
    if (who->role == ROLE_ADMIN) {
        *ok = true;
        return BF_OK;
    }
    if (who->role == ROLE_MANAGER && who->team_id) {
        if (strncmp(subject, "u:", 2) == 0)
            return store_user_in_team_tree(call->app->store, who->team_id, subject + 2, ok,
                                           &call->err);
        return store_team_within(call->app->store, who->team_id, subject + 2, ok, &call->err);
    }
    *ok = !write && strncmp(subject, "u:", 2) == 0 && strcmp(subject + 2, who->user_id) == 0;
    return BF_OK;
}

bf_result api_targets_seen(api_call *call, const char *from, const char *to, const char *currency,
                           sales_target **out, size_t *n)
{
    bf_result r =
        store_targets_list(call->app->store, call->arena, from, to, currency, out, n, &call->err);
    size_t kept = 0;
    for (size_t i = 0; r == BF_OK && i < *n; i++) {
        bool ok;
        if ((r = may_target(call, (*out)[i].subject, false, &ok)) == BF_OK && ok)
            (*out)[kept++] = (*out)[i];
    }
    *n = kept;
    return r;
}

static bf_result require_staff(api_call *call)
{
    access_role role = call->who->role;
    if (role == ROLE_PARTNER || role == ROLE_IMPLEMENTATION)
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                       "a %s user does not read sales targets", access_role_name(role));
    return BF_OK;
}

static json_t *target_json(const sales_target *t, const report_names *names)
{
    bool user = strncmp(t->subject, "u:", 2) == 0;
    const char *name = NULL;
    if (user) {
        const report_person *p = api_report_person(names, t->subject + 2);
        name = p ? p->name : NULL;
    } else {
        const report_team *tm = api_report_team(names, t->subject + 2);
        name = tm ? tm->name : NULL;
    }
    return json_pack("{s:s?, s:s?, s:s?, s:s, s:s, s:I, s:s, s:s}", "user_id",
                     user ? t->subject + 2 : NULL, "team_id", user ? NULL : t->subject + 2, "name",
                     name, "quarter", t->quarter, "currency", t->currency, "amount",
                     (json_int_t)t->amount, "updated_at", t->updated_at, "updated_by",
                     t->updated_by);
}

static const export_column target_columns[] = {
    {"name", "人员/团队", "Person or team", EXPORT_TEXT},
    {"quarter", "季度", "Quarter", EXPORT_TEXT},
    {"amount", "目标（元）", "Target (CNY)", EXPORT_FEN},
    {"updated_at", "更新时间", "Updated", EXPORT_TEXT},
};
static const export_table target_tables[] = {
    {"items", "销售目标", "Targets", target_columns,
     sizeof(target_columns) / sizeof(target_columns[0])},
};
static const export_spec targets_export = {"销售目标", "targets", target_tables, 1};

bf_result targets_list(api_call *call, const api_route *route)
{
    (void)route;
    bf_result r = require_staff(call);
    if (r != BF_OK)
        return r;
    const char *from = http_query(call->req, "from"), *to = http_query(call->req, "to");
    const char *currency = http_query(call->req, "currency");
    if (from == NULL || *from == '\0')
        from = "0000-Q1";
    if (to == NULL || *to == '\0')
        to = "9999-Q4";
    if (!is_quarter(from) || !is_quarter(to))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value",
                       is_quarter(from) ? "to" : "from", "a quarter is written YYYY-Qn");
    if (currency == NULL || *currency == '\0')
        currency = "CNY";
    sales_target *t = NULL;
    size_t n = 0;
    report_names names;
    if ((r = api_targets_seen(call, from, to, currency, &t, &n)) != BF_OK ||
        (r = api_report_names(call, &names)) != BF_OK)
        return r;
    json_t *items = api_keep(call, json_array());
    for (size_t i = 0; items && i < n; i++)
        if (json_array_append_new(items, target_json(&t[i], &names)) != 0)
            return BF_ERR_NOMEM;
    if (items == NULL)
        return BF_ERR_NOMEM;
    json_t *body = json_pack("{s:O}", "items", items);
    return body ? api_respond_export(call, body, &targets_export) : BF_ERR_NOMEM;
}

static bf_result put_in_tx(api_call *call, void *ctx)
{
    const sales_target *t = ctx;
    bf_result r = store_target_put(call->app->store, t, &call->err);
    json_t *v = api_keep(call, json_pack("{s:s, s:s, s:s, s:I}", "subject", t->subject, "quarter",
                                         t->quarter, "currency", t->currency, "amount",
                                         (json_int_t)t->amount));
    if (r == BF_OK && v == NULL)
        r = BF_ERR_NOMEM;
    return r == BF_OK ? api_audit(call, "target", "targets", t->subject, NULL, v) : r;
}

bf_result targets_put(api_call *call, const api_route *route)
{
    json_t *body;
    bf_result r = api_body_as(call, route->body, &body);
    if (r != BF_OK)
        return r;
    const char *user = json_string_value(json_object_get(body, "user_id"));
    const char *team = json_string_value(json_object_get(body, "team_id"));
    sales_target t = {
        .quarter = json_string_value(json_object_get(body, "quarter")),
        .currency = json_string_value(json_object_get(body, "currency")),
        .amount = json_integer_value(json_object_get(body, "amount")),
        .updated_by = call->actor,
    };
    if ((user == NULL) == (team == NULL))
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "user_id",
                       "a target names either user_id or team_id");
    if (!is_quarter(t.quarter))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "quarter",
                       "a quarter is written YYYY-Qn");
    if (t.currency == NULL)
        t.currency = "CNY";
    t.subject = arena_printf(call->arena, "%s:%s", user ? "u" : "t", user ? user : team);
    if (t.subject == NULL)
        return BF_ERR_NOMEM;
    report_names names;
    if ((r = api_report_names(call, &names)) != BF_OK)
        return r;
    if (user ? api_report_person(&names, user) == NULL : api_report_team(&names, team) == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_reference",
                       user ? "user_id" : "team_id", "%s does not name an existing %s",
                       user ? "user_id" : "team_id", user ? "user" : "team");
    bool ok;
    if ((r = may_target(call, t.subject, true, &ok)) != BF_OK)
        return r;
    if (!ok)
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", user ? "user_id" : "team_id",
                       "targets are set by an admin, or by a manager for the people and teams "
                       "of their tree");
    if ((r = api_transaction(call, put_in_tx, &t)) != BF_OK)
        return r;
    http_respond_empty(call->req, 204);
    return BF_OK;
}
