/* Authentication of every request (API token or session cookie with its CSRF
 * token), and the checks handlers make with the user it finds: role
 * permissions, record visibility and the fields a role may see. */
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "auth/token.h"
#include "core/pricing.h"

#define SESSION_COOKIE "bingfa_session"

/* The viewer of requests made by the command line on its own database. */
static const viewer cli_admin = {
    .role = ROLE_ADMIN, .user_id = NULL, .name = "cli", .sees_cost = true};

static bf_result unauthenticated(api_call *call, const char *message)
{
    return bf_fail(&call->err, BF_ERR_UNAUTHENTICATED, "unauthenticated", NULL, "%s", message);
}

static bf_result found(api_call *call, const user_login *u)
{
    viewer *v = arena_alloc(call->arena, sizeof(*v));
    if (v == NULL)
        return BF_ERR_NOMEM;
    *v = u->who;
    bool settled;
    v->sees_cost = access_sees_cost(v->role, &settled);
    v->cost_unsettled = !settled;
    call->who = v;
    call->actor = v->name;
    return BF_OK;
}

static bf_result by_local(api_call *call)
{
    const char *as = http_header(call->req, "X-Bingfa-As");
    if (as == NULL) {
        call->who = &cli_admin;
        call->actor = cli_admin.name;
        return BF_OK;
    }
    user_login u;
    bf_result r = store_user_by_name(call->app->store, call->arena, as, &u, &call->err);
    if (r == BF_ERR_NOT_FOUND || (r == BF_OK && !u.active))
        return unauthenticated(call, "no active user has that name");
    return r == BF_OK ? found(call, &u) : r;
}

static bf_result by_token(api_call *call, const char *authorization)
{
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return unauthenticated(call, "Authorization must be \"Bearer\" followed by an API token");
    const char *token = authorization + 7;
    while (*token == ' ')
        token++;
    if (!token_well_formed(token, "bft_"))
        return unauthenticated(call, "the API token is not valid, or was revoked");
    char hash[TOKEN_HASH_HEX];
    token_hash(token, hash);
    user_login u;
    bf_result r = store_token_user(call->app->store, call->arena, hash, &u, &call->err);
    if (r == BF_ERR_NOT_FOUND)
        return unauthenticated(call, "the API token is not valid, or was revoked");
    return r == BF_OK ? found(call, &u) : r;
}

static bool is_safe_method(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

static bf_result by_cookie(api_call *call, const char *cookie)
{
    if (!token_well_formed(cookie, "bfs_"))
        return unauthenticated(call, "the session has ended; log in again");
    char hash[TOKEN_HASH_HEX], now[32];
    token_hash(cookie, hash);
    store_now(now, sizeof(now));
    user_login u;
    const char *expires_at;
    bf_result r =
        store_session_user(call->app->store, call->arena, hash, now, &u, &expires_at, &call->err);
    if (r == BF_ERR_NOT_FOUND)
        return unauthenticated(call, "the session has ended; log in again");
    if (r != BF_OK)
        return r;
    if (!is_safe_method(call->req->method)) {
        /* A write carried by a cookie must prove it comes from our own pages. */
        const char *sent = http_header(call->req, "X-CSRF-Token");
        char expected[TOKEN_HASH_HEX];
        token_csrf_of(cookie, expected);
        if (sent == NULL || !token_equal(sent, expected))
            return bf_fail(&call->err, BF_ERR_FORBIDDEN, "csrf", "X-CSRF-Token",
                           "a change made with the session cookie needs the X-CSRF-Token header "
                           "given at login");
    }
    call->session_hash = arena_strdup(call->arena, hash);
    if (call->session_hash == NULL)
        return BF_ERR_NOMEM;
    return found(call, &u);
}

bf_result api_authenticate(api_call *call)
{
    if (call->req->local)
        return by_local(call);
    const char *authorization = http_header(call->req, "Authorization");
    if (authorization != NULL)
        return by_token(call, authorization);
    const char *cookie = http_cookie(call->req, SESSION_COOKIE);
    if (cookie != NULL)
        return by_cookie(call, cookie);
    return unauthenticated(call, "log in (POST /api/v1/session), or send Authorization: Bearer "
                                 "with an API token");
}

bf_result api_require(api_call *call, access_action action)
{
    if (call->who != NULL && access_may(call->who->role, action))
        return BF_OK;
    static const char *const what[] = {
        [ACCESS_DECIDE_APPROVALS] = "deciding an approval needs a manager",
        [ACCESS_EDIT_APPROVAL_RULES] = "the approval levels are an admin's",
        [ACCESS_EDIT_PLAYBOOKS] = "importing playbooks needs an admin",
        [ACCESS_EDIT_SETTINGS] = "changing settings needs a manager or an admin",
        [ACCESS_MANAGE_USERS] = "managing users, teams and partners needs an admin",
        [ACCESS_MANAGE_WEBHOOKS] = "the group robots' webhooks are an admin's",
        [ACCESS_READ_AUDIT] = "the audit log is for the company's own staff",
        [ACCESS_READ_AUDIT_ALL] = "the whole audit log needs an admin; ask for one record",
        [ACCESS_SEE_INTERNAL] = "this is internal to the company",
        [ACCESS_MOVE_DEALS] = "moving a deal through its stages is for the company's sales staff",
        [ACCESS_FILL_FORMS] = "implementation reads the deals handed over, and does not change "
                              "their forms",
        [ACCESS_TICK_CHECKLISTS] = "implementation reads the deals handed over, and does not "
                                   "tick their checklists; it logs activities",
    };
    return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL, "%s", what[action]);
}

bf_result api_require_visible(api_call *call, const resource_spec *spec, const char *id)
{
    bool visible = false;
    bf_result r = store_record_visible(call->app->store, call->who, spec, id, &visible, &call->err);
    if (r != BF_OK)
        return r;
    if (!visible)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, NULL, NULL, "no %s with id %s", spec->singular,
                       id);
    return BF_OK;
}

bf_result api_costs_settle(api_call *call, const resource_spec *spec)
{
    if (call->who == NULL || !call->who->cost_unsettled)
        return BF_OK;
    bool costs = spec == NULL;
    for (size_t i = 0; spec != NULL && i < spec->nfields && !costs; i++)
        costs = (spec->fields[i].flags & FIELD_COST) != 0;
    if (!costs)
        return BF_OK;
    json_t *rules;
    bf_result r = api_setting_value(call, &api_setting_quotations, &rules);
    if (r != BF_OK)
        return r;
    /* The viewer of an authenticated call is the call's own copy (found). */
    viewer *v = (viewer *)call->who;
    v->sees_cost = pricing_sales_see_cost(rules);
    v->cost_unsettled = false;
    return BF_OK;
}

bool api_field_hidden(const field_spec *f, const void *who)
{
    const viewer *v = who;
    return v != NULL && access_field_hidden(v, f);
}

json_t *api_record_json(api_call *call, const record *rec)
{
    json_t *j = record_to_json(rec);
    if (j == NULL || call->who == NULL)
        return j;
    for (size_t i = 0; i < rec->spec->nfields; i++)
        if (access_field_hidden(call->who, &rec->spec->fields[i]))
            json_object_del(j, rec->spec->fields[i].name);
    return j;
}

bool checklist_item_hidden(api_call *call, const checklist_def *item)
{
    return item->audience != NULL && strcmp(item->audience, "internal") == 0 &&
           !access_may(call->who->role, ACCESS_SEE_INTERNAL);
}

bf_result api_require_deal_writer(api_call *call, const char *what)
{
    if (access_may_write(call->who->role, &resource_opportunities, ACCESS_UPDATE))
        return BF_OK;
    return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                   "a %s user reads %s but does not write them", access_role_name(call->who->role),
                   what);
}
