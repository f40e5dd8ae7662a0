/* Duplicate detection (撞单, docs/import.md "Duplicates"): the accounts a
 * new or renamed account may duplicate — the same name once normalised, the
 * same unified social credit code — and the deals of one account with the
 * same name. A create or a change still goes through; its answer carries
 * "warnings". What a warning tells of a record the caller may not see is its
 * name and its owner's name, never its id nor anything of its deals. */
#include <string.h>

#include "api/api.h"
#include "core/dedupe.h"
#include "http/response.h"

/* The matches as the caller may know them: {why, name, owner, id?}. */
static bf_result matches_json(api_call *call, const resource_spec *spec, const store_duplicate *d,
                              size_t n, json_t **out)
{
    json_t *list = api_keep(call, json_array());
    if (list == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        bool visible = false;
        bf_result r =
            store_record_visible(call->app->store, call->who, spec, d[i].id, &visible, &call->err);
        if (r != BF_OK)
            return r;
        json_t *m = json_pack("{s:s, s:s, s:s?, s:b}", "why", d[i].why, "name", d[i].name, "owner",
                              d[i].owner_name, "visible", visible);
        if (m == NULL || json_array_append_new(list, m) != 0)
            return BF_ERR_NOMEM;
        if (visible && json_object_set_new(m, "id", json_string(d[i].id)) != 0)
            return BF_ERR_NOMEM;
    }
    *out = list;
    return BF_OK;
}

/* "客户已存在：江南市第一人民医院（负责人：赵强）" and the like. */
static char *warning_text(api_call *call, const resource_spec *spec, const store_duplicate *d)
{
    bool en = strcmp(api_lang(call), "en") == 0;
    const char *owner = d->owner_name ? d->owner_name : (en ? "nobody" : "无");
    if (spec == &resource_opportunities)
        return en ? arena_printf(call->arena, "The account already has a deal named %s (owner: %s)",
                                 d->name, owner)
                  : arena_printf(call->arena, "该客户下已有同名商机：%s（负责人：%s）", d->name,
                                 owner);
    if (strcmp(d->why, "credit_code") == 0)
        return en ? arena_printf(call->arena,
                                 "An account with this credit code exists: %s (owner: %s)", d->name,
                                 owner)
                  : arena_printf(call->arena, "统一社会信用代码相同的客户已存在：%s（负责人：%s）",
                                 d->name, owner);
    return en ? arena_printf(call->arena, "An account with this name exists: %s (owner: %s)",
                             d->name, owner)
              : arena_printf(call->arena, "同名客户已存在：%s（负责人：%s）", d->name, owner);
}

bf_result api_duplicates_find(api_call *call, const resource_spec *spec, const char *name,
                              const char *credit_code, const char *account_id, const char *except,
                              json_t **out)
{
    *out = NULL;
    char *key = name ? dedupe_name_key(call->arena, name) : NULL;
    if (name && key == NULL)
        return BF_ERR_NOMEM;
    store_duplicate *d = NULL;
    size_t n = 0;
    bf_result r = spec == &resource_accounts
                      ? store_account_duplicates(call->app->store, call->arena, key, credit_code,
                                                 except, &d, &n, &call->err)
                      : store_deal_duplicates(call->app->store, call->arena, account_id, key,
                                              except, &d, &n, &call->err);
    if (r != BF_OK || n == 0)
        return r;
    json_t *matches;
    if ((r = matches_json(call, spec, d, n, &matches)) != BF_OK)
        return r;
    const char *text = warning_text(call, spec, &d[0]);
    json_t *warning =
        text ? api_keep(call, json_pack("{s:s, s:s, s:O}", "code",
                                        spec == &resource_accounts ? "duplicate_account"
                                                                   : "duplicate_deal",
                                        "text", text, "matches", matches))
             : NULL;
    if (warning == NULL)
        return BF_ERR_NOMEM;
    *out = warning;
    return BF_OK;
}

/* The text of field, or NULL when rec's resource has no such field. */
static const char *text_of(const record *rec, const char *field)
{
    return resource_field_index(rec->spec, field) >= 0 ? record_text(rec, field) : NULL;
}

/* Whether the field differs between rec and before (or there is no before). */
static bool changed(const record *rec, const record *before, const char *field)
{
    if (before == NULL)
        return true;
    const char *a = text_of(rec, field), *b = text_of(before, field);
    return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

bf_result api_duplicates_keep_key(api_call *call, record *rec, const record *before)
{
    const char *name = record_text(rec, "name");
    char *key = dedupe_name_key(call->arena, name ? name : "");
    if (key == NULL)
        return BF_ERR_NOMEM;
    record_set_text(rec, "name_key", key);
    if (call->duplicates_asked ||
        (!changed(rec, before, "name") && !changed(rec, before, "credit_code") &&
         !changed(rec, before, "account_id")))
        return BF_OK;
    json_t *warning;
    bf_result r = api_duplicates_find(call, rec->spec, name, text_of(rec, "credit_code"),
                                      text_of(rec, "account_id"), rec->id, &warning);
    if (r != BF_OK || warning == NULL)
        return r;
    if (call->warnings == NULL && (call->warnings = api_keep(call, json_array())) == NULL)
        return BF_ERR_NOMEM;
    return json_array_append(call->warnings, warning) == 0 ? BF_OK : BF_ERR_NOMEM;
}

/* GET /api/v1/duplicates/accounts?name=…&credit_code=…&except=… and
 * GET /api/v1/duplicates/opportunities?account_id=…&name=…&except=…: what a
 * create would warn of, asked while the form is filled in. */
bf_result duplicates_check(api_call *call, const api_route *route)
{
    const resource_spec *spec = route->spec;
    const char *name = http_query(call->req, "name");
    const char *code = http_query(call->req, "credit_code");
    const char *account = http_query(call->req, "account_id");
    const char *except = http_query(call->req, "except");
    if (!access_may_write(call->who->role, spec, ACCESS_CREATE))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                       "a %s user may not create %s", access_role_name(call->who->role),
                       spec->name);
    bf_result r = BF_OK;
    char *normal = NULL;
    if (code && code[0] && (normal = dedupe_credit_code_normalize(call->arena, code)) == NULL)
        return BF_ERR_NOMEM;
    if (normal && !dedupe_credit_code_valid(normal))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "credit_code",
                       "credit_code is not a unified social credit code");
    if (spec == &resource_opportunities) {
        if (account == NULL)
            return bf_fail(&call->err, BF_ERR_INVALID, "required", "account_id",
                           "account_id is required");
        bool visible = false;
        r = store_record_visible(call->app->store, call->who, &resource_accounts, account, &visible,
                                 &call->err);
        if (r == BF_OK && !visible)
            return bf_fail(&call->err, BF_ERR_INVALID, "unknown_reference", "account_id",
                           "account_id names no account");
    } else if ((name == NULL || !name[0]) && normal == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "name",
                       "name or credit_code is required");
    json_t *warning = NULL;
    if (r == BF_OK)
        r = api_duplicates_find(call, spec, name, normal, account, except, &warning);
    if (r != BF_OK)
        return r;
    json_t *body = json_pack("{s:o}", "warnings", json_array());
    if (body == NULL ||
        (warning && json_array_append(json_object_get(body, "warnings"), warning) != 0)) {
        json_decref(body);
        return BF_ERR_NOMEM;
    }
    http_respond_json(call->req, 200, body);
    return BF_OK;
}
