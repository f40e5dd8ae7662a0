/* The route table: every route of the API with its handler, who may call
 * it, its body, its success and the error statuses it may answer. The
 * router, the check of query parameters, admission and the OpenAPI document
 * are all built from it; the routes of the forms are made from the form
 * table. */
#include "api/api.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/approval.h"
#include "core/bid.h"
#include "core/playbook.h"
#include "core/pricing.h"
#include "core/procurement.h"
#include "core/profile.h"
#include "core/qualification.h"

/* The five routes of a resource. */
#define RESOURCE_ROUTES(path, resource, resource_hooks, what)                                      \
    {.method = "GET",                                                                              \
     .pattern = "/api/v1/" path,                                                                   \
     .handler = crud_list,                                                                         \
     .kind = ROUTE_LIST,                                                                           \
     .spec = &resource,                                                                            \
     .summary = "List " what,                                                                      \
     .statuses = {400, 422}},                                                                      \
        {.method = "POST",                                                                         \
         .pattern = "/api/v1/" path,                                                               \
         .handler = crud_create,                                                                   \
         .kind = ROUTE_CREATE,                                                                     \
         .spec = &resource,                                                                        \
         .hooks = &resource_hooks,                                                                 \
         .summary = "Create " what,                                                                \
         .statuses = {400, 403, 404, 409, 413, 415, 422}},                                         \
        {.method = "GET",                                                                          \
         .pattern = "/api/v1/" path "/{id}",                                                       \
         .handler = crud_get,                                                                      \
         .kind = ROUTE_GET,                                                                        \
         .spec = &resource,                                                                        \
         .summary = "Read " what,                                                                  \
         .statuses = {404}},                                                                       \
        {.method = "PATCH",                                                                        \
         .pattern = "/api/v1/" path "/{id}",                                                       \
         .handler = crud_patch,                                                                    \
         .kind = ROUTE_PATCH,                                                                      \
         .spec = &resource,                                                                        \
         .hooks = &resource_hooks,                                                                 \
         .summary = "Update " what " (If-Match required)",                                         \
         .statuses = {400, 403, 404, 409, 412, 413, 415, 422, 428}},                               \
    {                                                                                              \
        .method = "DELETE", .pattern = "/api/v1/" path "/{id}", .handler = crud_delete,            \
        .kind = ROUTE_DELETE, .spec = &resource, .hooks = &resource_hooks,                         \
        .summary = "Delete " what " (If-Match required)",                                          \
        .statuses = {400, 403, 404, 409, 412, 428},                                                \
    }

static const api_route declared_routes[] = {
    {.method = "GET",
     .pattern = "/healthz",
     .handler = health_get,
     .kind = ROUTE_OTHER,
     .operation = "getHealth",
     .summary = "Health check",
     .auth = AUTH_PUBLIC,
     .response = &response_health},
    {.method = "GET",
     .pattern = "/api/v1/openapi.json",
     .handler = openapi_get,
     .kind = ROUTE_OTHER,
     .operation = "getOpenApiDocument",
     .summary = "This OpenAPI document",
     .response = &response_any},
    {.method = "POST",
     .pattern = "/api/v1/session",
     .handler = session_login,
     .kind = ROUTE_OTHER,
     .operation = "logIn",
     .summary = "Log in with name and password: sets the session cookie and answers the CSRF "
                "token that writes made with the cookie send as X-CSRF-Token (throttled after "
                "failures: 429)",
     .auth = AUTH_PUBLIC,
     .body = &body_login,
     .response = &response_session,
     .statuses = {400, 401, 413, 415, 422, 429, 503},
     .flags = ROUTE_HASHES},
    {.method = "GET",
     .pattern = "/api/v1/session",
     .handler = session_get,
     .kind = ROUTE_OTHER,
     .operation = "getSession",
     .summary = "Who is logged in (and the session's CSRF token)",
     .response = &response_session},
    {.method = "DELETE",
     .pattern = "/api/v1/session",
     .handler = session_logout,
     .kind = ROUTE_OTHER,
     .operation = "logOut",
     .summary = "Log out",
     .auth = AUTH_SESSION,
     .success = 204,
     .statuses = {403, 409}},
    {.method = "POST",
     .pattern = "/api/v1/session/password",
     .handler = session_password,
     .kind = ROUTE_OTHER,
     .operation = "changeOwnPassword",
     .summary = "Change one's own password (current_password, new_password); other sessions end",
     .body = &body_password_change,
     .success = 204,
     .statuses = {400, 403, 409, 413, 415, 422, 429, 503},
     .flags = ROUTE_HASHES},
    RESOURCE_ROUTES("users", resource_users, user_hooks, "users (admin writes)"),
    {.method = "PUT",
     .pattern = "/api/v1/users/{id}/password",
     .handler = user_password_put,
     .kind = ROUTE_OTHER,
     .operation = "setUserPassword",
     .summary = "Set a user's password (admin); the user's sessions end",
     .body = &body_password_set,
     .success = 204,
     .statuses = {400, 403, 404, 413, 415, 422, 503},
     .flags = ROUTE_HASHES},
    RESOURCE_ROUTES("teams", resource_teams, team_hooks, "teams (admin writes)"),
    RESOURCE_ROUTES("partners", resource_partners, partner_hooks,
                    "channel partner companies (admin writes)"),
    RESOURCE_ROUTES("products", resource_products, product_hooks,
                    "the price list's products (admin writes)"),
    {.method = "GET",
     .pattern = "/api/v1/price-list",
     .handler = price_list_get,
     .kind = ROUTE_OTHER,
     .operation = "getPriceList",
     .summary = "The price list: every active product, by code (costs only for those who see "
                "them)",
     .response = &response_price_list},
    {.method = "GET",
     .pattern = "/api/v1/audit",
     .handler = audit_list,
     .kind = ROUTE_OTHER,
     .operation = "listAudit",
     .summary = "The audit log, newest first: every write and login with who, when, which record, "
                "old and new values. Staff read it per record (?record_id=) for records they see; "
                "an admin reads all",
     .response = &response_audit_page,
     .statuses = {403, 404, 422},
     .query = "record_id action actor limit cursor"},
    {.method = "GET",
     .pattern = "/api/v1/opportunities/{id}/team",
     .handler = deal_team_get,
     .kind = ROUTE_OTHER,
     .operation = "getDealTeam",
     .summary = "Who works the deal: sales owner, team members and registered partners",
     .response = &response_deal_team,
     .statuses = {404}},
    {.method = "PUT",
     .pattern = "/api/v1/opportunities/{id}/team/{user}",
     .handler = deal_member_put,
     .kind = ROUTE_OTHER,
     .operation = "putDealMember",
     .summary = "Put a user on the deal with a role (sales owner, manager or admin)",
     .body = &body_deal_member,
     .response = &response_deal_team,
     .statuses = {400, 403, 404, 413, 415, 422}},
    {.method = "DELETE",
     .pattern = "/api/v1/opportunities/{id}/team/{user}",
     .handler = deal_member_delete,
     .kind = ROUTE_OTHER,
     .operation = "deleteDealMember",
     .summary = "Take a user off the deal (sales owner, manager or admin)",
     .success = 204,
     .statuses = {403, 404}},
    {.method = "PUT",
     .pattern = "/api/v1/opportunities/{id}/partners/{partner}",
     .handler = deal_partner_put,
     .kind = ROUTE_OTHER,
     .operation = "putDealPartner",
     .summary = "Register a channel partner on the deal (sales owner, manager or admin): 201, or "
                "200 when it is registered already",
     .response = &response_deal_team,
     .success = 201,
     .statuses = {200, 403, 404},
     .flags = ROUTE_NO_BODY},
    {.method = "DELETE",
     .pattern = "/api/v1/opportunities/{id}/partners/{partner}",
     .handler = deal_partner_delete,
     .kind = ROUTE_OTHER,
     .operation = "deleteDealPartner",
     .summary = "Remove a partner's registration (sales owner, manager or admin)",
     .success = 204,
     .statuses = {403, 404}},
    RESOURCE_ROUTES("accounts", resource_accounts, account_hooks, "accounts"),
    {.method = "GET",
     .pattern = "/api/v1/activity-checklists",
     .handler = activity_checklists_progress,
     .kind = ROUTE_OTHER,
     .operation = "getActivityChecklistProgress",
     .summary = "How many items of each activity's checklist are ticked, for the activities "
                "of ?ids= (comma-separated, at most 200; those not seen are left out): {items: "
                "{id: {done, total}}}",
     .response = &response_activity_checklist_progress,
     .query = "ids",
     .statuses = {422}},
    {.method = "GET",
     .pattern = "/api/v1/activities/{id}/checklist",
     .handler = activity_checklist_get,
     .kind = ROUTE_OTHER,
     .operation = "getActivityChecklist",
     .summary = "What to do before, during and after the activity, ticked: a planned visit's "
                "from its sales mode's visit plan, another activity's from its deal's playbook "
                "by type (a rehearsal before a presentation or a bid, a demo's flow, a "
                "negotiation's steps)",
     .response = &response_activity_checklist,
     .statuses = {404}},
    {.method = "PUT",
     .pattern = "/api/v1/activities/{id}/checklist/{item}",
     .handler = activity_checklist_put,
     .kind = ROUTE_OTHER,
     .operation = "tickActivityChecklist",
     .summary = "Tick or untick an item of the activity's checklist (before-1, during-2 …), "
                "with a note; audited",
     .body = &body_activity_tick,
     .response = &response_activity_checklist,
     .statuses = {400, 403, 404, 413, 415, 422}},
    {.method = "POST",
     .pattern = "/api/v1/activities/{id}/checklist",
     .handler = activity_checklist_add,
     .kind = ROUTE_OTHER,
     .operation = "addActivityChecklistItem",
     .summary = "Add an item of the team's own to the activity's checklist (own-1 …), before, "
                "during or after it; audited",
     .body = &body_activity_item,
     .response = &response_activity_checklist,
     .success = 201,
     .statuses = {400, 403, 404, 409, 413, 415, 422}},
    {.method = "DELETE",
     .pattern = "/api/v1/activities/{id}/checklist/{item}",
     .handler = activity_checklist_remove,
     .kind = ROUTE_OTHER,
     .operation = "removeActivityChecklistItem",
     .summary = "Remove an item the team added (own-N; the playbook's stay: 409 not_own); "
                "audited",
     .response = &response_activity_checklist,
     .statuses = {403, 404, 409}},
    {.method = "POST",
     .pattern = "/api/v1/accounts/{id}/transfer",
     .handler = record_transfer,
     .kind = ROUTE_OTHER,
     .operation = "transferAccount",
     .summary = "Transfer the account to another owner (转移负责人; If-Match): an admin, or a "
                "manager whose team tree holds both owners; audited with the reason",
     .spec = &resource_accounts,
     .body = &body_transfer,
     .statuses = {400, 403, 404, 412, 413, 415, 422, 428},
     .flags = ROUTE_IF_MATCH},
    {.method = "POST",
     .pattern = "/api/v1/opportunities/{id}/transfer",
     .handler = record_transfer,
     .kind = ROUTE_OTHER,
     .operation = "transferOpportunity",
     .summary = "Transfer the deal to another owner (转移负责人; If-Match): an admin, or a manager "
                "whose team tree holds both owners; stage, checklist, forms, team and history "
                "stay; audited with the reason",
     .spec = &resource_opportunities,
     .body = &body_transfer,
     .statuses = {400, 403, 404, 412, 413, 415, 422, 428},
     .flags = ROUTE_IF_MATCH},
    RESOURCE_ROUTES("contacts", resource_contacts, contact_hooks, "contacts"),
    RESOURCE_ROUTES("opportunities", resource_opportunities, opportunity_hooks, "opportunities"),
    RESOURCE_ROUTES("activities", resource_activities, activity_hooks, "activities"),
    {.method = "GET",
     .pattern = "/api/v1/opportunities/{id}/checklist",
     .handler = opportunity_checklist_get,
     .kind = ROUTE_OTHER,
     .operation = "getChecklist",
     .summary = "Checklist of the opportunity's current stage (or ?stage=; ?stage=won: the "
                "closing after a win)",
     .response = &response_checklist,
     .statuses = {404, 409, 422},
     .query = "stage lang"},
    {.method = "PUT",
     .pattern = "/api/v1/opportunities/{id}/checklist/{item}",
     .handler = opportunity_checklist_put,
     .kind = ROUTE_OTHER,
     .operation = "putChecklistItem",
     .summary = "Tick or untick a checklist item of the current stage, with evidence (note, "
                "linked activity, document)",
     .body = &body_checklist_item,
     .response = &response_checklist_item,
     .statuses = {400, 403, 404, 409, 413, 415, 422}},
    {.method = "PUT",
     .pattern = "/api/v1/opportunities/{id}/checklist/{item}/steps/{step}",
     .handler = opportunity_checklist_step_put,
     .kind = ROUTE_OTHER,
     .operation = "putChecklistStep",
     .summary = "Tick or untick sub-step {step} (1, 2, …) of a key activity of the current stage, "
                "as a user who plays the step's owning role",
     .body = &body_checklist_step,
     .response = &response_checklist_item,
     .statuses = {400, 403, 404, 409, 413, 415, 422}},
    {.method = "POST",
     .pattern = "/api/v1/opportunities/{id}/advance",
     .handler = opportunity_advance,
     .kind = ROUTE_OTHER,
     .operation = "advanceOpportunity",
     .summary = "Move to the next stage when every exit criterion is met (409 gate_unmet "
                "otherwise); a manager who may decide it overrides with a reason (recorded as an "
                "approval), anyone else gets 403 approval_required and asks for one",
     .spec = &resource_opportunities,
     .body = &body_advance,
     .statuses = {400, 403, 404, 409, 412, 413, 415, 422},
     .flags = ROUTE_BODY_OPTIONAL},
    {.method = "POST",
     .pattern = "/api/v1/opportunities/{id}/approvals",
     .handler = approval_request,
     .kind = ROUTE_OTHER,
     .operation = "requestApproval",
     .summary = "Ask for a manager's decision (审批): pass the gate although items are unmet, "
                "close the deal before its winning stage, or a sales mode below the "
                "recommendation. It waits for the manager of the owner's team, then the managers "
                "above as the amount requires; what it asks happens on the last approval. A "
                "requester who may decide every level gets it approved and done at once",
     .body = &body_approval_request,
     .response = &response_approval_result,
     .success = 201,
     .statuses = {400, 403, 404, 409, 413, 415, 422}},
    {.method = "GET",
     .pattern = "/api/v1/opportunities/{id}/approvals",
     .handler = approvals_of_deal,
     .kind = ROUTE_OTHER,
     .operation = "listDealApprovals",
     .summary = "The deal's approvals, newest first, with their state and decisions",
     .response = &response_approval_list,
     .statuses = {404}},
    {.method = "GET",
     .pattern = "/api/v1/approvals",
     .handler = approvals_list,
     .kind = ROUTE_OTHER,
     .operation = "listApprovals",
     .summary = "Approvals: box=inbox (default), those waiting for the viewer's decision; "
                "box=mine, the viewer's own requests (state= filters them)",
     .response = &response_approval_page,
     .statuses = {422},
     .query = "box state limit cursor"},
    {.method = "GET",
     .pattern = "/api/v1/approvals/count",
     .handler = approvals_count,
     .kind = ROUTE_OTHER,
     .operation = "countApprovals",
     .summary = "How many approvals wait for the viewer, and how many of theirs are pending",
     .response = &response_approval_count},
    {.method = "GET",
     .pattern = "/api/v1/approvals/{id}",
     .handler = approval_get,
     .kind = ROUTE_OTHER,
     .operation = "getApproval",
     .summary = "One approval",
     .response = &response_approval,
     .statuses = {404}},
    {.method = "POST",
     .pattern = "/api/v1/approvals/{id}/approve",
     .handler = approval_approve,
     .kind = ROUTE_OTHER,
     .operation = "approveApproval",
     .summary = "Approve the level waiting (a manager of its team or above, or an admin), and "
                "every next level the approver may decide too; the last approval carries out "
                "what is asked (409 approval_stale when the deal moved on)",
     .body = &body_approval_decision,
     .response = &response_approval_result,
     .statuses = {400, 403, 404, 409, 413, 415, 422},
     .flags = ROUTE_BODY_OPTIONAL},
    {.method = "POST",
     .pattern = "/api/v1/approvals/{id}/reject",
     .handler = approval_reject,
     .kind = ROUTE_OTHER,
     .operation = "rejectApproval",
     .summary = "Reject the approval, with a comment: nothing it asks happens",
     .body = &body_approval_rejection,
     .response = &response_approval_result,
     .statuses = {400, 403, 404, 409, 413, 415, 422}},
    {.method = "POST",
     .pattern = "/api/v1/approvals/{id}/withdraw",
     .handler = approval_withdraw,
     .kind = ROUTE_OTHER,
     .operation = "withdrawApproval",
     .summary = "Withdraw one's own pending request",
     .response = &response_approval_result,
     .statuses = {403, 404, 409},
     .flags = ROUTE_NO_BODY},
    {.method = "GET",
     .pattern = "/api/v1/opportunities/{id}/history",
     .handler = opportunity_history,
     .kind = ROUTE_OTHER,
     .operation = "getStageHistory",
     .summary = "Stage history of the opportunity (append-only)",
     .response = &response_history,
     .statuses = {404}},
    {.method = "POST",
     .pattern = "/api/v1/opportunities/{id}/decisions/{decision}",
     .handler = opportunity_decide,
     .kind = ROUTE_OTHER,
     .operation = "answerDecision",
     .summary = "Answer a decision point of the current stage; no turns the deal around (翻盘) "
                "to the stage the playbook names",
     .body = &body_decision,
     .response = &response_decision,
     .statuses = {400, 403, 404, 409, 413, 415, 422}},
    {.method = "GET",
     .pattern = "/api/v1/opportunities/{id}/next",
     .handler = opportunity_next,
     .kind = ROUTE_OTHER,
     .operation = "getNextActions",
     .summary = "What the playbook says to do now: unmet criteria, missing deliverables, pending "
                "key activities, open decisions, visits due (?lang=zh|en)",
     .response = &response_next,
     .statuses = {404, 409, 422},
     .query = "lang"},
    {.method = "GET",
     .pattern = "/api/v1/playbooks",
     .handler = playbooks_list,
     .kind = ROUTE_OTHER,
     .operation = "listPlaybooks",
     .summary = "Loaded playbooks with their stages (latest versions)",
     .response = &response_playbooks,
     .statuses = {422},
     .query = "lang"},
    {.method = "POST",
     .pattern = "/api/v1/playbooks",
     .handler = playbooks_import,
     .kind = ROUTE_OTHER,
     .operation = "importPlaybook",
     .summary = "Import a custom playbook or a new version (422 lists every problem by JSON path)",
     .body = &playbook_document_schema,
     .response = &response_playbook_imported,
     .success = 201,
     .statuses = {400, 403, 409, 413, 415, 422}},
    {.method = "GET",
     .pattern = "/api/v1/playbooks/{id}",
     .handler = playbooks_get,
     .kind = ROUTE_OTHER,
     .operation = "getPlaybook",
     .summary = "A playbook's document (?version=, ?lang=zh|en for one language)",
     .response = &response_playbook_view,
     .statuses = {404, 422},
     .query = "lang version"},
    {.method = "GET",
     .pattern = "/api/v1/reports/funnel",
     .handler = reports_funnel,
     .kind = ROUTE_OTHER,
     .operation = "getFunnel",
     .summary = "Funnel of open opportunities per stage: count, amount, weighted amount",
     .response = &response_funnel,
     .statuses = {422, 503},
     .query = "playbook currency owner",
     .flags = ROUTE_REPORT},
    {.method = "GET",
     .pattern = "/api/v1/reports/forecast",
     .handler = reports_forecast,
     .kind = ROUTE_OTHER,
     .operation = "getForecast",
     .summary = "Forecast: open deals by month of expected close (count, amount, weighted amount)",
     .response = &response_forecast,
     .statuses = {422, 503},
     .query = "currency",
     .flags = ROUTE_REPORT},
    {.method = "GET",
     .pattern = "/api/v1/reports/stalled",
     .handler = reports_stalled,
     .kind = ROUTE_OTHER,
     .operation = "getStalledDeals",
     .summary = "Stalled deals: open deals whose stage has not changed for ?days= (default 30), "
                "longest first",
     .response = &response_stalled,
     .statuses = {422, 503},
     .query = "days",
     .flags = ROUTE_REPORT},
    {.method = "GET",
     .pattern = "/api/v1/opportunities/{id}/health",
     .handler = opportunity_health,
     .kind = ROUTE_OTHER,
     .operation = "getDealHealth",
     .summary = "Deal health: an explainable score with each factor's weight and the action that "
                "fixes it",
     .response = &response_deal_health,
     .statuses = {404, 409},
     .query = "lang"},
    {.method = "POST",
     .pattern = "/api/v1/tools/procurement-advice",
     .handler = tool_procurement_advice,
     .kind = ROUTE_OTHER,
     .operation = "adviseProcurementMethod",
     .summary = "Procurement method advisor: the methods whose legal conditions the facts meet",
     .body = &procurement_facts_schema,
     .response = &response_procurement_advice,
     .statuses = {400, 413, 415, 422}},
    {.method = "POST",
     .pattern = "/api/v1/tools/bid-simulation",
     .handler = tool_bid_simulation,
     .kind = ROUTE_OTHER,
     .operation = "simulateBid",
     .summary = "Bid score simulation: every bidder's price score, total and rank, and our "
                "winning price",
     .body = &bid_simulation_schema,
     .response = &response_bid_simulation,
     .statuses = {400, 413, 415, 422}},
    {.method = "GET",
     .pattern = "/api/v1/settings/evaluation",
     .handler = setting_get,
     .kind = ROUTE_OTHER,
     .operation = "getEvaluationSettings",
     .summary = "Evaluation indicators, weights and mode thresholds",
     .setting = &api_setting_evaluation,
     .response = &evaluation_config_schema},
    {.method = "PUT",
     .pattern = "/api/v1/settings/evaluation",
     .handler = setting_put,
     .kind = ROUTE_OTHER,
     .operation = "putEvaluationSettings",
     .summary = "Change the evaluation indicators (manager or admin)",
     .setting = &api_setting_evaluation,
     .body = &evaluation_config_schema,
     .response = &evaluation_config_schema,
     .statuses = {400, 403, 413, 415, 422}},
    {.method = "GET",
     .pattern = "/api/v1/settings/approvals",
     .handler = setting_get,
     .kind = ROUTE_OTHER,
     .operation = "getApprovalRules",
     .summary = "From which deal amounts approvals need more levels of managers",
     .setting = &api_setting_approvals,
     .response = &approval_rules_schema},
    {.method = "PUT",
     .pattern = "/api/v1/settings/approvals",
     .handler = setting_put,
     .kind = ROUTE_OTHER,
     .operation = "putApprovalRules",
     .summary = "Change the approval levels (admin)",
     .setting = &api_setting_approvals,
     .body = &approval_rules_schema,
     .response = &approval_rules_schema,
     .statuses = {400, 403, 413, 415, 422}},
    {.method = "GET",
     .pattern = "/api/v1/settings/quotations",
     .handler = setting_get,
     .kind = ROUTE_OTHER,
     .operation = "getQuotationRules",
     .summary = "Who sees costs, and from which discount a quotation needs which approvals",
     .setting = &api_setting_quotations,
     .response = &pricing_rules_schema},
    {.method = "PUT",
     .pattern = "/api/v1/settings/quotations",
     .handler = setting_put,
     .kind = ROUTE_OTHER,
     .operation = "putQuotationRules",
     .summary = "Change the quotation rules (admin)",
     .setting = &api_setting_quotations,
     .body = &pricing_rules_schema,
     .response = &pricing_rules_schema,
     .statuses = {400, 403, 413, 415, 422}},
    {.method = "GET",
     .pattern = "/api/v1/settings/profile-rules",
     .handler = setting_get,
     .kind = ROUTE_OTHER,
     .operation = "getProfileRules",
     .summary = "Target customer profile rules",
     .setting = &api_setting_profile_rules,
     .response = &profile_rules_schema},
    {.method = "PUT",
     .pattern = "/api/v1/settings/profile-rules",
     .handler = setting_put,
     .kind = ROUTE_OTHER,
     .operation = "putProfileRules",
     .summary = "Change the profile rules (manager or admin)",
     .setting = &api_setting_profile_rules,
     .body = &profile_rules_schema,
     .response = &profile_rules_schema,
     .statuses = {400, 403, 413, 415, 422}},
};

#define DECLARED (sizeof(declared_routes) / sizeof(declared_routes[0]))
#define MAX_FORMS 16
#define PATTERN_CAP 96

static api_route table[DECLARED + 2 * MAX_FORMS + 1];
static char patterns[MAX_FORMS][PATTERN_CAP];
static char operations[2 * MAX_FORMS][64];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* The GET and PUT of form f, whose pattern is in pattern. */
static void add_form_routes(size_t *n, const api_form *f, const char *pattern, char *get_op,
                            char *put_op)
{
    snprintf(get_op, 64, "get%s", f->body->name);
    snprintf(put_op, 64, "save%s", f->body->name);
    table[(*n)++] = (api_route){.method = "GET",
                                .pattern = pattern,
                                .handler = form_get,
                                .kind = ROUTE_OTHER,
                                .operation = get_op,
                                .summary = f->summary,
                                .form = f,
                                .response = &response_form,
                                .statuses = {404}};
    table[(*n)++] = (api_route){.method = "PUT",
                                .pattern = pattern,
                                .handler = form_put,
                                .kind = ROUTE_OTHER,
                                .operation = put_op,
                                .summary = f->summary,
                                .form = f,
                                .body = f->body,
                                .response = &response_form,
                                .statuses = {400, 403, 404, 412, 413, 415, 422}};
}

static void build_table(void)
{
    size_t n = 0;
    for (; n < DECLARED; n++)
        table[n] = declared_routes[n];
    for (size_t i = 0; api_forms[i].name != NULL; i++) {
        BF_ASSERT(i < MAX_FORMS);
        snprintf(patterns[i], PATTERN_CAP, "/api/v1/%s/{id}/%s", api_forms[i].owner->name,
                 api_forms[i].name);
        add_form_routes(&n, &api_forms[i], patterns[i], operations[2 * i], operations[2 * i + 1]);
    }
    table[n] = (api_route){0};
}

const api_route *api_route_table(void)
{
    pthread_once(&table_once, build_table);
    return table;
}

bool api_route_answers(const api_route *route, int status)
{
    int success = route->success                ? route->success
                  : route->kind == ROUTE_CREATE ? 201
                  : route->kind == ROUTE_DELETE ? 204
                                                : 200;
    if (status == success || (status == 401 && route->auth != AUTH_PUBLIC) ||
        (status == 400 && strchr(route->pattern, '{') != NULL))
        return true;
    for (size_t i = 0; i < API_MAX_STATUSES && route->statuses[i] != 0; i++)
        if (route->statuses[i] == status)
            return true;
    return false;
}
