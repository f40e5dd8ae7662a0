/* Approvals (审批): one flow for every decision a manager makes about a
 * deal — a gate passed although items are unmet, a deal closed before its
 * winning stage, a sales mode below the evaluation's recommendation. A
 * request says what is asked, why and with what evidence; it waits for the
 * manager of the owner's team, then for the managers above as the deal's
 * amount requires (the setting "approvals"); an admin decides where no
 * manager is. What is asked happens only on the last approval, in its
 * transaction; every step is audited on the deal. A manager who may decide
 * every level does the thing directly, and that is recorded as an approval
 * too (approval_record_direct). See docs/approvals.md. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/approval.h"
#include "core/opportunity.h"
#include "http/response.h"

/* The inbox of a pending approval waiting for team (NULL: the admins'). */
static const char *queue_of(api_call *call, const char *team)
{
    return team ? arena_printf(call->arena, "t:%s", team) : "admin";
}

/* The user a pending approval waits for when its level is decided by a role
 * the playbook names (queue "u:<user>"), else NULL. */
static const char *user_of_queue(const char *queue)
{
    return queue && strncmp(queue, "u:", 2) == 0 ? queue + 2 : NULL;
}

/* Whether the viewer may decide an approval waiting for user (a member of
 * the deal team who plays the role the playbook names) or, with user NULL,
 * for team (NULL: an admin's): an admin; the user; an active manager of
 * team or of a team above it. */
static bf_result may_decide_level(api_call *call, const char *team, const char *user, bool *may)
{
    const viewer *v = call->who;
    *may = v->role == ROLE_ADMIN;
    if (!*may && user != NULL)
        *may = v->user_id != NULL && strcmp(v->user_id, user) == 0;
    if (*may || user != NULL || v->role != ROLE_MANAGER || team == NULL || v->team_id == NULL)
        return BF_OK;
    return store_team_within(call->app->store, v->team_id, team, may, &call->err);
}

/* Whether the viewer may decide the level p waits for. */
static bf_result may_decide_waiting(api_call *call, const approval *p, bool *may)
{
    return may_decide_level(call, p->approver_team_id, user_of_queue(p->queue), may);
}

/* Who decides each level (1…) of an approval about a deal: the teams with a
 * manager from the owner's up; past the last, an admin. When the playbook
 * names a role for the kind and a member of the deal team plays it, that
 * member decides level 1 and the managers from the owner's team the next. */
typedef struct approvers {
    const char **teams;
    size_t n;
    const char *role;    /* the role deciding level 1, or NULL */
    const char *user_id; /* its member on the deal team, at the request */
} approvers;

static bf_result approvers_of(api_call *call, const record *opp, approvers *out)
{
    const char *owner = record_text(opp, "owner_id");
    *out = (approvers){0};
    return owner ? store_approver_teams(call->app->store, call->arena, owner, &out->teams, &out->n,
                                        &call->err)
                 : BF_OK;
}

/* True when only managers play role: then it means the owner's managers. */
static bool role_of_managers(const playbook *pb, const char *role)
{
    const char *names[5];
    size_t n = playbook_owner_user_roles(pb, role, names);
    return n == 1 && strcmp(names[0], "manager") == 0;
}

/* The member of opp's team who decides level 1 of an approval of kind asked
 * by requester_id: the first added whose role on the deal plays the role the
 * playbook names for kind, neither the requester nor a manager or admin
 * (they decide as managers). ap->role stays NULL when there is none. */
static bf_result approver_named(api_call *call, const record *opp, approval_kind kind,
                                const char *requester_id, approvers *ap)
{
    const playbook *pb = opportunity_playbook(call, opp);
    const char *role = pb ? playbook_approver_role(pb, approval_kinds[kind]) : NULL;
    if (role == NULL || role_of_managers(pb, role))
        return BF_OK;
    deal_member *m;
    size_t n;
    bf_result r = store_member_list(call->app->store, call->arena, opp->id, &m, &n, &call->err);
    for (size_t i = 0; r == BF_OK && ap->role == NULL && i < n; i++) {
        if (m[i].role == NULL || !playbook_owner_includes(pb, role, m[i].role) ||
            (requester_id && strcmp(m[i].id, requester_id) == 0))
            continue;
        record *user;
        if ((r = store_record_get(call->app->store, call->arena, &resource_users, m[i].id, &user,
                                  &call->err)) != BF_OK)
            break;
        const char *account = record_text(user, "role");
        if (strcmp(account, "manager") != 0 && strcmp(account, "admin") != 0 &&
            record_field_const(user, "active")->i != 0) {
            ap->role = role;
            ap->user_id = m[i].id;
        }
    }
    return r;
}

/* Who decides level: a member (*user) or the team (*team; NULL: an admin). */
static void approver_at(const approvers *ap, int level, const char **team, const char **user)
{
    *user = ap->role && level == 1 ? ap->user_id : NULL;
    size_t k = (size_t)level - (ap->role ? 1 : 0); /* the teams' index, from 1 */
    *team = *user == NULL && k >= 1 && k <= ap->n ? ap->teams[k - 1] : NULL;
}

/* Makes p wait for the approver of its level. */
static bf_result wait_for_level(api_call *call, approval *p, const approvers *ap)
{
    const char *user;
    approver_at(ap, p->level, &p->approver_team_id, &user);
    p->queue = user ? arena_printf(call->arena, "u:%s", user) : queue_of(call, p->approver_team_id);
    return p->queue ? BF_OK : BF_ERR_NOMEM;
}

static int levels_of(api_call *call, const record *opp, int *levels)
{
    json_t *rules;
    bf_result r = api_setting_value(call, &api_setting_approvals, &rules);
    if (r != BF_OK)
        return r;
    const field_value *amount = record_field_const(opp, "amount");
    *levels =
        approval_levels_for(amount->null ? 0 : amount->i, json_object_get(rules, "levels_from"));
    return BF_OK;
}

/* Appends the viewer's approval of p's current level, and of each next one
 * they may decide as well; p ends approved when no level is left. */
static bf_result approve_levels(api_call *call, approval *p, const approvers *ap,
                                const char *comment, json_t *decisions)
{
    char now[32];
    store_now(now, sizeof(now));
    for (;;) {
        bool may;
        bf_result r = may_decide_waiting(call, p, &may);
        if (r != BF_OK)
            return r;
        if (!may)
            break;
        if (json_array_append_new(decisions,
                                  json_pack("{s:i, s:s, s:s, s:s?, s:s}", "level", p->level, "by",
                                            call->actor, "verdict", "approved", "comment", comment,
                                            "at", now)) != 0)
            return BF_ERR_NOMEM;
        if (p->level >= p->levels) {
            p->state = "approved";
            p->queue = NULL;
            p->approver_team_id = NULL;
            p->decided_at = arena_strdup(call->arena, now);
            return p->decided_at ? BF_OK : BF_ERR_NOMEM;
        }
        p->level++;
        if ((r = wait_for_level(call, p, ap)) != BF_OK)
            return r;
    }
    return BF_OK;
}

static json_t *ask_of(api_call *call, const approval *p)
{
    return api_keep(call, json_loads(p->ask, 0, NULL));
}

/* Carries out what p asks, as the viewer who gave its last approval. */
static bf_result carry_out(api_call *call, const approval *p, record **opp)
{
    json_t *ask = ask_of(call, p);
    if (ask == NULL)
        return BF_ERR_NOMEM;
    approval_kind kind;
    if (!approval_kind_parse(p->kind, &kind))
        return BF_ERR_INTERNAL;
    const char *saved = call->approved;
    call->approved = p->id;
    const char *reason = arena_printf(call->arena, "%s (%s)", p->reason, p->id);
    bf_result r = reason ? BF_OK : BF_ERR_NOMEM;
    const char *status = json_string_value(json_object_get(ask, "status"));
    if (r == BF_OK && kind == APPROVAL_PROPOSAL_RELEASE)
        ; /* the release is the approval itself: the review's item reads it */
    else if (r == BF_OK && kind == APPROVAL_DISCOUNT)
        r = api_quotation_decided(call, json_string_value(json_object_get(ask, "quotation_id")),
                                  p->id, true);
    else if (r == BF_OK && kind == APPROVAL_OVERRIDE)
        r = opportunity_advance_approved(
            call, p->opportunity_id, json_string_value(json_object_get(ask, "stage")), reason, opp);
    else if (r == BF_OK && kind == APPROVAL_CLOSE && status && strcmp(status, "won") == 0)
        r = opportunity_win_approved(call, p->opportunity_id, reason, opp);
    else if (r == BF_OK) {
        record *now;
        r = store_record_get(call->app->store, call->arena, &resource_opportunities,
                             p->opportunity_id, &now, &call->err);
        if (r == BF_OK && !opportunity_is_open(now))
            r = bf_fail(&call->err, BF_ERR_CONFLICT, "approval_stale", "status",
                        "the deal is %s already", record_text(now, "status"));
        json_t *body = json_object();
        if (r == BF_OK && (body == NULL || api_keep(call, body) == NULL))
            r = BF_ERR_NOMEM;
        if (r == BF_OK && kind == APPROVAL_CLOSE) {
            json_object_set(body, "status", json_object_get(ask, "status"));
            json_object_set_new(body, "close_reason", json_string(p->reason));
            if (json_object_get(ask, "won_by"))
                json_object_set(body, "won_by", json_object_get(ask, "won_by"));
        } else if (r == BF_OK) {
            json_object_set(body, "sales_mode", json_object_get(ask, "sales_mode"));
        }
        if (r == BF_OK)
            r = api_patch_record(call, &resource_opportunities, p->opportunity_id, body, opp);
    }
    call->approved = saved;
    return r;
}

/* The audit entry of a step of p, on its deal. */
static bf_result audit_step(api_call *call, const char *action, const approval *p,
                            const char *comment)
{
    json_t *v = api_keep(call, json_pack("{s:s, s:s, s:s, s:i, s:i, s:s?}", "approval", p->id,
                                         "kind", p->kind, "state", p->state, "level", p->level,
                                         "levels", p->levels, "comment", comment));
    return v ? api_audit(call, action, "opportunities", p->opportunity_id, NULL, v) : BF_ERR_NOMEM;
}

/* Inserts the approval of kind asked about opp, with its first level
 * approved (and the next ones) when the requester may decide them, and
 * carries it out when that approves it. */
static bf_result request_in_tx(api_call *call, const record *opp, approval_kind kind, json_t *ask,
                               const char *reason, const char *evidence, int levels_given,
                               approval *p, record **after)
{
    approvers ap;
    int levels = levels_given;
    bf_result r = approvers_of(call, opp, &ap);
    if (r == BF_OK)
        r = approver_named(call, opp, kind, call->who->user_id, &ap);
    if (r == BF_OK && levels_given <= 0)
        r = levels_of(call, opp, &levels);
    if (r != BF_OK)
        return r;
    const field_value *amount = record_field_const(opp, "amount");
    json_object_set_new(ask, "amount", json_integer(amount->null ? 0 : amount->i));
    if (ap.role != NULL)
        json_object_set_new(ask, "approver_role", json_string(ap.role));
    *p = (approval){
        .opportunity_id = opp->id,
        .kind = approval_kinds[kind],
        .state = "pending",
        .ask = api_json_text(call, ask, JSON_COMPACT),
        .reason = reason,
        .evidence = evidence,
        .levels = levels,
        .level = 1,
        .requester_id = call->who->user_id,
        .requested_by = call->actor,
    };
    json_t *decisions = api_keep(call, json_array());
    if (p->ask == NULL || decisions == NULL)
        return BF_ERR_NOMEM;
    if ((r = wait_for_level(call, p, &ap)) != BF_OK)
        return r;
    if ((r = approve_levels(call, p, &ap, NULL, decisions)) != BF_OK)
        return r;
    if ((p->decisions = api_json_text(call, decisions, JSON_COMPACT)) == NULL)
        return BF_ERR_NOMEM;
    if ((r = store_approval_insert(call->app->store, call->arena, p, &call->err)) != BF_OK)
        return r;
    if ((r = audit_step(call, "approval_request", p, NULL)) != BF_OK)
        return r;
    if ((r = api_notify_approval_waiting(call, opp, p)) != BF_OK)
        return r;
    if (strcmp(p->state, "approved") == 0 && after != NULL)
        return carry_out(call, p, after);
    return BF_OK;
}

bf_result approval_record_direct(api_call *call, const record *opp, int kind, json_t *ask,
                                 const char *reason)
{
    if (call->approved != NULL)
        return BF_OK;
    approvers ap;
    int levels;
    bf_result r = approvers_of(call, opp, &ap);
    if (r == BF_OK)
        r = approver_named(call, opp, (approval_kind)kind, call->who->user_id, &ap);
    if (r == BF_OK)
        r = levels_of(call, opp, &levels);
    bool may = true;
    for (int level = 1; r == BF_OK && may && level <= levels; level++) {
        const char *team, *user;
        approver_at(&ap, level, &team, &user);
        r = may_decide_level(call, team, user, &may);
    }
    if (r != BF_OK)
        return r;
    if (!may) {
        call->error_extra =
            json_pack("{s:s, s:s, s:O?}", "kind", approval_kinds[kind], "request",
                      arena_printf(call->arena, "/api/v1/opportunities/%s/approvals", opp->id),
                      "recommended", json_object_get(ask, "recommended"));
        static const char *const what[] = {
            [APPROVAL_OVERRIDE] = "passing a gate whose items are unmet",
            [APPROVAL_CLOSE] = "closing a deal before its winning stage",
            [APPROVAL_SALES_MODE] = "a sales mode below the recommendation (防止大单做小)",
            [APPROVAL_PROPOSAL_RELEASE] = "releasing the proposal",
            [APPROVAL_DISCOUNT] = "a quotation's discount above the limit",
        };
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "approval_required",
                       kind == APPROVAL_SALES_MODE ? "sales_mode"
                       : kind == APPROVAL_CLOSE    ? "status"
                                                   : "override",
                       "%s is a manager's decision: ask for an approval (POST "
                       "/api/v1/opportunities/%s/approvals, kind %s)",
                       what[kind], opp->id, approval_kinds[kind]);
    }
    approval p;
    const char *text = reason && *reason ? reason : "直接决定 (decided directly)";
    return request_in_tx(call, opp, (approval_kind)kind, ask, text, NULL, 0, &p, NULL);
}

/* ---- JSON ----------------------------------------------------------------------------- */

static json_t *approval_json(api_call *call, const approval *p)
{
    json_t *ask = ask_of(call, p);
    /* A discount's cost and margin are for who sees costs (the approvers). */
    if (ask != NULL && (api_costs_settle(call, NULL) != BF_OK || !call->who->sees_cost)) {
        json_object_del(ask, "cost");
        json_object_del(ask, "margin");
        json_object_del(ask, "margin_rate");
        json_object_del(ask, "cost_complete");
    }
    json_t *decisions = json_loads(p->decisions ? p->decisions : "[]", 0, NULL);
    record *opp = NULL, *team = NULL;
    bf_error ignored;
    store_record_get(call->app->store, call->arena, &resource_opportunities, p->opportunity_id,
                     &opp, &ignored);
    if (p->approver_team_id)
        store_record_get(call->app->store, call->arena, &resource_teams, p->approver_team_id, &team,
                         &ignored);
    bool pending = strcmp(p->state, "pending") == 0, may = false;
    if (pending && may_decide_waiting(call, p, &may) != BF_OK)
        may = false;
    const char *waits_for = pending ? user_of_queue(p->queue) : NULL;
    record *member = NULL;
    if (waits_for)
        store_record_get(call->app->store, call->arena, &resource_users, waits_for, &member,
                         &ignored);
    bool mine =
        call->who->user_id && p->requester_id && strcmp(call->who->user_id, p->requester_id) == 0;
    const playbook *pb = opp ? opportunity_playbook(call, opp) : NULL;
    const stage_def *stage =
        pb ? playbook_stage(pb, json_string_value(json_object_get(ask, "stage")), NULL) : NULL;
    json_t *o = json_pack(
        "{s:s, s:I, s:s, s:s?, s:s, s:s, s:s, s:s?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:i, "
        "s:i, s:s?, s:s?, s:s, s:s, s:o, s:s?, s:b, s:b, s:O}",
        "id", p->id, "version", (json_int_t)p->version, "opportunity_id", p->opportunity_id,
        "opportunity_name", opp ? record_text(opp, "name") : NULL, "kind", p->kind, "state",
        p->state, "reason", p->reason, "evidence", p->evidence, "stage",
        json_object_get(ask, "stage"), "status", json_object_get(ask, "status"), "won_by",
        json_object_get(ask, "won_by"), "sales_mode", json_object_get(ask, "sales_mode"),
        "recommended", json_object_get(ask, "recommended"), "to", json_object_get(ask, "to"),
        "amount", json_object_get(ask, "amount"), "levels", p->levels, "level", p->level,
        "approver_team_id", p->approver_team_id, "approver_team",
        team ? record_text(team, "name") : NULL, "requested_by", p->requested_by, "requested_at",
        p->requested_at, "decisions", decisions ? decisions : json_array(), "decided_at",
        p->decided_at, "may_decide", may, "may_withdraw", pending && mine, "ask",
        ask ? ask : json_null());
    if (o != NULL && stage != NULL)
        json_object_set_new(o, "stage_name", api_text_json(&stage->name));
    const char *role = json_string_value(json_object_get(ask, "approver_role"));
    const role_def *rd = pb && role ? playbook_role(pb, role) : NULL;
    if (o != NULL && role != NULL) {
        json_object_set_new(o, "approver_role", json_string(role));
        json_object_set_new(o, "approver_role_name",
                            rd ? api_text_json(&rd->name) : json_string(role));
    }
    if (o != NULL && member != NULL) {
        const char *shown = record_text(member, "display_name");
        json_object_set_new(o, "approver_user_id", json_string(member->id));
        json_object_set_new(o, "approver_user",
                            json_string(shown && *shown ? shown : record_text(member, "name")));
    }
    return o;
}

/* Answers {approval, opportunity} with status. */
static bf_result respond_result(api_call *call, int status, const approval *p, const record *opp)
{
    json_t *a = approval_json(call, p);
    record *deal = (record *)opp;
    bf_error ignored;
    if (deal == NULL)
        store_record_get(call->app->store, call->arena, &resource_opportunities, p->opportunity_id,
                         &deal, &ignored);
    json_t *body = json_pack("{s:o?, s:o?}", "approval", a, "opportunity",
                             deal ? api_record_json(call, deal) : NULL);
    if (a == NULL || body == NULL) {
        json_decref(body);
        return BF_ERR_NOMEM;
    }
    http_respond_json(call->req, status, body);
    return BF_OK;
}

/* ---- the routes ------------------------------------------------------------------------ */

typedef struct request_ctx {
    json_t *body;
    approval p;
    record *opp; /* after it was carried out, or NULL */
} request_ctx;

/* The checks of what kind asks for, and its ask. */
static bf_result ask_for(api_call *call, record *opp, const playbook *pb, approval_kind kind,
                         json_t *body, json_t **ask)
{
    if (!opportunity_is_open(opp))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_open", "status",
                       "the deal is %s; approvals are asked about open deals",
                       record_text(opp, "status"));
    const char *stage = record_text(opp, "stage");
    if (kind == APPROVAL_OVERRIDE) {
        size_t at;
        if (playbook_stage(pb, stage, &at) == NULL)
            return bf_fail_args(&call->err, BF_ERR_CONFLICT, "unknown_stage", "stage",
                                BF_ARGS(BF_TEXT("id", stage)),
                                "stage %s is no longer in playbook %s", stage, pb->id);
        if (at >= playbook_winning_stage(pb))
            return bf_fail(&call->err, BF_ERR_CONFLICT, "win_through_gate", "kind",
                           "the gate of stage %s wins the deal and is never overridden: ask to "
                           "close it as won (kind close, status won)",
                           stage);
        *ask = json_pack("{s:s}", "stage", stage);
    } else if (kind == APPROVAL_PROPOSAL_RELEASE) {
        if (pb->nproposal_defects == 0)
            return bf_fail(&call->err, BF_ERR_CONFLICT, "not_applicable", "kind",
                           "playbook %s has no proposal review (proposal_defects)", pb->id);
        json_t *review;
        int64_t version;
        bf_result r = api_proposal_review(call, opp, pb, &review, &version);
        if (r != BF_OK)
            return r;
        if (!json_is_true(json_object_get(review, "passed"))) {
            call->error_extra = json_pack("{s:O}", "open", json_object_get(review, "open"));
            return bf_fail(&call->err, BF_ERR_CONFLICT, "review_incomplete", "kind",
                           "the proposal's review has %zu defects not marked absent; review it "
                           "first (PUT /api/v1/opportunities/%s/proposal-review)",
                           json_array_size(json_object_get(review, "open")), opp->id);
        }
        *ask = json_pack("{s:s, s:I}", "stage", stage, "review_version", (json_int_t)version);
    } else if (kind == APPROVAL_CLOSE) {
        const char *status = json_string_value(json_object_get(body, "status"));
        const char *won_by = json_string_value(json_object_get(body, "won_by"));
        if (status == NULL || strcmp(status, "open") == 0)
            return bf_fail(&call->err, BF_ERR_INVALID, "required", "status",
                           "say how the deal closes: won, lost or abandoned");
        if (strcmp(status, "lost") == 0 && won_by == NULL)
            return bf_fail(&call->err, BF_ERR_INVALID, "required", "won_by",
                           "won_by (the competitor who won) is required when a deal is lost");
        *ask = json_pack("{s:s, s:s, s:s?}", "stage", stage, "status", status, "won_by",
                         strcmp(status, "lost") == 0 ? won_by : NULL);
    } else {
        const char *mode = json_string_value(json_object_get(body, "sales_mode"));
        if (mode == NULL)
            return bf_fail(&call->err, BF_ERR_INVALID, "required", "sales_mode",
                           "name the sales mode asked for");
        if (playbook_mode(pb, mode) == NULL)
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "sales_mode",
                           "playbook %s has no sales mode %s", pb->id, mode);
        record probe = *opp;
        field_value *values = arena_calloc(call->arena, opp->spec->nfields, sizeof(*values));
        if (values == NULL)
            return BF_ERR_NOMEM;
        memcpy(values, opp->values, opp->spec->nfields * sizeof(*values));
        probe.values = values;
        record_set_text(&probe, "sales_mode", mode);
        const char *recommended;
        bf_result r = api_sales_mode_below(call, &probe, &recommended);
        if (r != BF_OK)
            return r;
        if (recommended == NULL)
            return bf_fail(&call->err, BF_ERR_CONFLICT, "approval_not_needed", "sales_mode",
                           "%s is not below the evaluation's recommendation: set it on the deal",
                           mode);
        *ask = json_pack("{s:s, s:s, s:s?}", "sales_mode", mode, "recommended", recommended, "from",
                         record_text(opp, "sales_mode"));
    }
    return api_keep(call, *ask) ? BF_OK : BF_ERR_NOMEM;
}

static bf_result request_route_in_tx(api_call *call, void *ctx)
{
    request_ctx *rq = ctx;
    record *opp;
    const playbook *pb;
    bf_result r = opportunity_load(call, &opp, &pb);
    if (r != BF_OK)
        return r;
    approval_kind kind;
    approval_kind_parse(json_string_value(json_object_get(rq->body, "kind")), &kind);
    /* One pending request of a kind a deal at a time. */
    approval_query q = {.opportunity_id = opp->id, .limit = 200};
    approval *items;
    size_t n;
    bool more;
    if ((r = store_approval_list(call->app->store, call->arena, &q, &items, &n, &more,
                                 &call->err)) != BF_OK)
        return r;
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].state, "pending") == 0 &&
            strcmp(items[i].kind, approval_kinds[kind]) == 0) {
            call->error_extra = json_pack("{s:s}", "approval", items[i].id);
            return bf_fail(&call->err, BF_ERR_CONFLICT, "approval_pending", "kind",
                           "approval %s of this kind is pending on the deal already", items[i].id);
        }
    json_t *ask = NULL;
    if ((r = ask_for(call, opp, pb, kind, rq->body, &ask)) != BF_OK)
        return r;
    return request_in_tx(
        call, opp, kind, ask, json_string_value(json_object_get(rq->body, "reason")),
        json_string_value(json_object_get(rq->body, "evidence")), 0, &rq->p, &rq->opp);
}

bf_result approval_request_discount(api_call *call, const record *opp, json_t *ask, int levels,
                                    const char *reason, const char **id, const char **state)
{
    approval p;
    bf_result r = request_in_tx(call, opp, APPROVAL_DISCOUNT, ask, reason, NULL, levels, &p, NULL);
    if (r != BF_OK)
        return r;
    *id = p.id;
    *state = p.state;
    return BF_OK;
}

bf_result approval_request(api_call *call, const api_route *route)
{
    (void)route;
    request_ctx rq = {0};
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = api_require(call, ACCESS_MOVE_DEALS);
    if (r == BF_OK)
        r = api_body_as(call, &body_approval_request, &rq.body);
    if (r == BF_OK)
        r = api_transaction(call, request_route_in_tx, &rq);
    return r == BF_OK ? respond_result(call, 201, &rq.p, rq.opp) : r;
}

/* The approval of the path, its deal visible to the viewer. */
static bf_result load_approval(api_call *call, approval *p)
{
    bf_result r =
        store_approval_get(call->app->store, call->arena, call->req->params[0], p, &call->err);
    if (r == BF_OK)
        r = api_require_visible(call, &resource_opportunities, p->opportunity_id);
    if (r == BF_ERR_NOT_FOUND)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "id", "no approval %s",
                       call->req->params[0]);
    return r;
}

bf_result approval_get(api_call *call, const api_route *route)
{
    (void)route;
    approval p;
    bf_result r = load_approval(call, &p);
    if (r != BF_OK)
        return r;
    json_t *o = approval_json(call, &p);
    if (o == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, o);
    return BF_OK;
}

typedef enum verdict { VERDICT_APPROVE, VERDICT_REJECT, VERDICT_WITHDRAW } verdict;

typedef struct decide_ctx {
    verdict v;
    const char *comment;
    approval p;
    record *opp;
} decide_ctx;

/* What follows a decision stored, in its transaction: who decides next, or
 * who asked for what was refused, is told; a discount refused or withdrawn
 * sends its quotation back to draft; the last approval carries out what is
 * asked. */
static bf_result after_decision(api_call *call, decide_ctx *d)
{
    approval *p = &d->p;
    bf_result r = strcmp(p->state, "rejected") == 0
                      ? api_notify_approval_refused(call, NULL, p, d->comment)
                      : api_notify_approval_waiting(call, NULL, p);
    if (r != BF_OK)
        return r;
    if (strcmp(p->kind, approval_kinds[APPROVAL_DISCOUNT]) == 0 &&
        (strcmp(p->state, "rejected") == 0 || strcmp(p->state, "withdrawn") == 0))
        return api_quotation_decided(
            call, json_string_value(json_object_get(ask_of(call, p), "quotation_id")), p->id,
            false);
    return strcmp(p->state, "approved") == 0 ? carry_out(call, p, &d->opp) : BF_OK;
}

static bf_result decide_in_tx(api_call *call, void *ctx)
{
    decide_ctx *d = ctx;
    approval *p = &d->p;
    bf_result r = load_approval(call, p);
    if (r != BF_OK)
        return r;
    if (strcmp(p->state, "pending") != 0)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "approval_decided", "state",
                       "the approval is %s already", p->state);
    int64_t expected = p->version;
    json_t *decisions = api_keep(call, json_loads(p->decisions, 0, NULL));
    if (decisions == NULL)
        return BF_ERR_NOMEM;
    char now[32];
    store_now(now, sizeof(now));
    const char *action;
    if (d->v == VERDICT_WITHDRAW) {
        if (call->who->user_id == NULL || p->requester_id == NULL ||
            strcmp(call->who->user_id, p->requester_id) != 0)
            return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                           "only who asked for an approval withdraws it");
        p->state = "withdrawn";
        action = "approval_withdraw";
    } else {
        bool may;
        if ((r = may_decide_waiting(call, p, &may)) != BF_OK)
            return r;
        if (!may && user_of_queue(p->queue))
            return bf_fail(&call->err, BF_ERR_FORBIDDEN, "not_approver", NULL,
                           "level %d of this approval is decided by the deal team's %s, the "
                           "role the playbook names (or an admin)",
                           p->level,
                           json_string_value(json_object_get(ask_of(call, p), "approver_role")));
        if (!may)
            return bf_fail(&call->err, BF_ERR_FORBIDDEN, "not_approver", NULL,
                           "level %d of this approval is decided by a manager of the team above "
                           "the deal's owner%s",
                           p->level, p->approver_team_id ? "" : " (here: an admin)");
        if (d->v == VERDICT_REJECT) {
            p->state = "rejected";
            action = "approval_reject";
            if (json_array_append_new(decisions,
                                      json_pack("{s:i, s:s, s:s, s:s?, s:s}", "level", p->level,
                                                "by", call->actor, "verdict", "rejected", "comment",
                                                d->comment, "at", now)) != 0)
                return BF_ERR_NOMEM;
        } else {
            approvers ap;
            record *opp;
            if ((r = store_record_get(call->app->store, call->arena, &resource_opportunities,
                                      p->opportunity_id, &opp, &call->err)) != BF_OK ||
                (r = approvers_of(call, opp, &ap)) != BF_OK)
                return r;
            /* Level 1 waited for the role the playbook names: the next ones
             * are the owner's managers'. */
            ap.role = json_string_value(json_object_get(ask_of(call, p), "approver_role"));
            if ((r = approve_levels(call, p, &ap, d->comment, decisions)) != BF_OK)
                return r;
            action = "approval_approve";
        }
    }
    if (strcmp(p->state, "pending") != 0) {
        p->queue = NULL;
        if (p->decided_at == NULL && (p->decided_at = arena_strdup(call->arena, now)) == NULL)
            return BF_ERR_NOMEM;
    }
    if ((p->decisions = api_json_text(call, decisions, JSON_COMPACT)) == NULL)
        return BF_ERR_NOMEM;
    if ((r = store_approval_update(call->app->store, p, expected, &call->err)) != BF_OK ||
        (r = audit_step(call, action, p, d->comment)) != BF_OK)
        return r;
    return after_decision(call, d);
}

static bf_result decide(api_call *call, verdict v, const schema *body_schema)
{
    decide_ctx d = {.v = v};
    json_t *body = NULL;
    /* An approval's comment is optional, and so is its body. */
    bool read = body_schema && (v == VERDICT_REJECT || call->req->body.len > 0);
    bf_result r = read ? api_body_as(call, body_schema, &body) : BF_OK;
    if (r != BF_OK)
        return r;
    d.comment = json_string_value(json_object_get(body, "comment"));
    if ((r = api_transaction(call, decide_in_tx, &d)) != BF_OK)
        return r;
    return respond_result(call, 200, &d.p, d.opp);
}

bf_result approval_approve(api_call *call, const api_route *route)
{
    (void)route;
    return decide(call, VERDICT_APPROVE, &body_approval_decision);
}

bf_result approval_reject(api_call *call, const api_route *route)
{
    (void)route;
    return decide(call, VERDICT_REJECT, &body_approval_rejection);
}

bf_result approval_withdraw(api_call *call, const api_route *route)
{
    (void)route;
    return decide(call, VERDICT_WITHDRAW, NULL);
}

/* The viewer's inbox: "t:<team>" for a manager, "admin" for an admin,
 * "u:<user>" for anyone else (a role the playbook names to decide). */
static const char *inbox_of(api_call *call)
{
    const viewer *v = call->who;
    if (v->role == ROLE_ADMIN)
        return "admin";
    if (v->role == ROLE_MANAGER)
        return v->team_id ? queue_of(call, v->team_id) : NULL;
    return v->user_id ? arena_printf(call->arena, "u:%s", v->user_id) : NULL;
}

static json_t *page_json(api_call *call, approval *items, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        bf_error ignored;
        bool sees = false;
        if (store_record_visible(call->app->store, call->who, &resource_opportunities,
                                 items[i].opportunity_id, &sees, &ignored) != BF_OK)
            sees = false;
        if (sees && json_array_append_new(arr, approval_json(call, &items[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

bf_result approvals_of_deal(api_call *call, const api_route *route)
{
    (void)route;
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    approval *items = NULL;
    size_t n = 0;
    bool more;
    approval_query q = {.opportunity_id = call->req->params[0], .limit = 200};
    if (r == BF_OK)
        r = store_approval_list(call->app->store, call->arena, &q, &items, &n, &more, &call->err);
    if (r != BF_OK)
        return r;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        if (json_array_append_new(arr, approval_json(call, &items[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    return api_respond_items(call, arr);
}

bf_result approvals_list(api_call *call, const api_route *route)
{
    (void)route;
    const char *box = http_query(call->req, "box");
    const char *state = http_query(call->req, "state");
    const char *limit = http_query(call->req, "limit");
    const char *cursor = http_query(call->req, "cursor");
    approval_query q = {.limit = 50};
    if (box == NULL || strcmp(box, "inbox") == 0) {
        q.queue = inbox_of(call);
        if (state != NULL && strcmp(state, "pending") != 0)
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "state",
                           "the inbox holds pending approvals only");
    } else if (strcmp(box, "mine") == 0) {
        q.requester_id = call->who->user_id;
        q.state = state;
        bool known = state == NULL;
        for (size_t i = 0; !known && approval_states[i]; i++)
            known = strcmp(state, approval_states[i]) == 0;
        if (!known)
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "state",
                           "state is one of pending, approved, rejected, withdrawn");
    } else {
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "box",
                       "box is inbox (waiting for you) or mine (asked by you)");
    }
    if (limit != NULL) {
        char *end;
        long n = strtol(limit, &end, 10);
        if (*limit == '\0' || *end != '\0' || n < 1 || n > 200)
            return bf_fail_args(&call->err, BF_ERR_INVALID, "out_of_range", "limit",
                                BF_ARGS(BF_NUM("min", 1), BF_NUM("max", 200)),
                                "limit must be a whole number from 1 to 200");
        q.limit = (int)n;
    }
    if (cursor != NULL) {
        const char *comma = strchr(cursor, ',');
        if (comma == NULL || comma == cursor || comma[1] == '\0')
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "cursor",
                           "cursor is the next_cursor of the page before");
        q.before_at = arena_strndup(call->arena, cursor, (size_t)(comma - cursor));
        q.before_id = comma + 1;
        if (q.before_at == NULL)
            return BF_ERR_NOMEM;
    }
    approval *items = NULL;
    size_t n = 0;
    bool more = false;
    bf_result r = q.queue || q.requester_id ? store_approval_list(call->app->store, call->arena, &q,
                                                                  &items, &n, &more, &call->err)
                                            : BF_OK;
    if (r != BF_OK)
        return r;
    json_t *arr = page_json(call, items, n);
    const char *next = more && n > 0 ? arena_printf(call->arena, "%s,%s", items[n - 1].requested_at,
                                                    items[n - 1].id)
                                     : NULL;
    json_t *body =
        arr ? json_pack("{s:o, s:s?, s:i}", "items", arr, "next_cursor", next, "limit", q.limit)
            : NULL;
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

bf_result approvals_count(api_call *call, const api_route *route)
{
    (void)route;
    int64_t waiting = 0, mine = 0;
    const char *inbox = inbox_of(call);
    bf_result r = store_approval_count(call->app->store, inbox ? inbox : "", call->who->user_id,
                                       &waiting, &mine, &call->err);
    if (r != BF_OK)
        return r;
    json_t *body =
        json_pack("{s:I, s:I}", "inbox", (json_int_t)waiting, "mine_pending", (json_int_t)mine);
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

bf_result api_proposal_released(api_call *call, const char *opportunity_id,
                                const char **approval_id)
{
    *approval_id = NULL;
    approval_query q = {.opportunity_id = opportunity_id, .limit = 200};
    approval *items;
    size_t n;
    bool more;
    bf_result r =
        store_approval_list(call->app->store, call->arena, &q, &items, &n, &more, &call->err);
    for (size_t i = 0; r == BF_OK && *approval_id == NULL && i < n; i++)
        if (strcmp(items[i].kind, approval_kinds[APPROVAL_PROPOSAL_RELEASE]) == 0 &&
            strcmp(items[i].state, "approved") == 0)
            *approval_id = items[i].id;
    return r;
}
