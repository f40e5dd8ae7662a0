/* The route table: every route of the API, its handler and what the OpenAPI
 * document says of it. The router, the check of query parameters and the
 * document are all built from it. */
#include "api/api.h"
#include "core/bid.h"
#include "core/procurement.h"
#include "core/profile.h"
#include "core/qualification.h"
#include "core/selection.h"
#include "core/tender.h"

/* A route names its flags only when it has some: the rest are 0. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define RESOURCE_ROUTES(path, spec, hooks, what)                                                   \
    {                                                                                              \
        "GET", "/api/v1/" path, crud_list, ROUTE_LIST, &spec,                                      \
        NULL,  "List " what,    "400 422", NULL,       0},                                         \
        {"POST", "/api/v1/" path, crud_create,       ROUTE_CREATE, &spec,                          \
         &hooks, "Create " what,  "400 413 415 422", NULL,         0},                             \
        {"GET",        "/api/v1/" path "/{id}",                                                    \
         crud_get,     ROUTE_GET,                                                                  \
         &spec,        NULL,                                                                       \
         "Read " what, "404",                                                                      \
         NULL,         0},                                                                         \
        {"PATCH",                                                                                  \
         "/api/v1/" path "/{id}",                                                                  \
         crud_patch,                                                                               \
         ROUTE_PATCH,                                                                              \
         &spec,                                                                                    \
         &hooks,                                                                                   \
         "Update " what " (If-Match required)",                                                    \
         "400 404 409 412 413 415 422 428",                                                        \
         NULL,                                                                                     \
         0},                                                                                       \
    {                                                                                              \
        "DELETE", "/api/v1/" path "/{id}", crud_delete, ROUTE_DELETE, &spec, &hooks,               \
            "Delete " what " (If-Match required)", "400 404 409 412 428", NULL, 0                  \
    }

#define FORM_ROUTES(owner, name, body, what)                                                       \
    {"GET", "/api/v1/" owner "/{id}/" name, form_get, ROUTE_OTHER, NULL, NULL, what, "404", NULL,  \
     0},                                                                                           \
    {                                                                                              \
        "PUT", "/api/v1/" owner "/{id}/" name, form_put, ROUTE_OTHER, NULL, NULL, "Save: " what,   \
            "400 404 412 413 415 422", NULL, 0, 0, &body                                           \
    }

const api_route api_routes[] = {
    {"GET", "/healthz", health_get, ROUTE_OTHER, NULL, NULL, "Health check", "", NULL, 0,
     ROUTE_PUBLIC},
    {"GET", "/api/v1/openapi.json", openapi_get, ROUTE_OTHER, NULL, NULL, "This OpenAPI document",
     "401", NULL, 0},
    {"POST", "/api/v1/session", session_login, ROUTE_OTHER, NULL, NULL,
     "Log in with name and password: sets the session cookie and answers the CSRF token that "
     "writes made with the cookie send as X-CSRF-Token (throttled after failures: 429)",
     "400 401 413 415 422 429 503", NULL, 0, ROUTE_PUBLIC | ROUTE_HASHES, &body_login},
    {"GET", "/api/v1/session", session_get, ROUTE_OTHER, NULL, NULL,
     "Who is logged in (and the session's CSRF token)", "401", NULL, 0},
    {"DELETE", "/api/v1/session", session_logout, ROUTE_OTHER, NULL, NULL, "Log out", "401 403 409",
     NULL, 204},
    {"POST", "/api/v1/session/password", session_password, ROUTE_OTHER, NULL, NULL,
     "Change one's own password (current_password, new_password); other sessions end",
     "400 401 403 409 413 415 422 429 503", NULL, 204, ROUTE_HASHES, &body_password_change},
    RESOURCE_ROUTES("users", resource_users, user_hooks, "users (admin writes)"),
    {"PUT", "/api/v1/users/{id}/password", user_password_put, ROUTE_OTHER, NULL, NULL,
     "Set a user's password (admin); the user's sessions end", "400 401 403 404 413 415 422 503",
     NULL, 204, ROUTE_HASHES, &body_password_set},
    RESOURCE_ROUTES("teams", resource_teams, team_hooks, "teams (admin writes)"),
    RESOURCE_ROUTES("partners", resource_partners, partner_hooks,
                    "channel partner companies (admin writes)"),
    {"GET", "/api/v1/audit", audit_list, ROUTE_OTHER, NULL, NULL,
     "The audit log, newest first: every write and login with who, when, which record, old and "
     "new values. Staff read it per record (?record_id=) for records they see; an admin reads "
     "all",
     "401 403 404 422", "record_id action actor limit cursor", 0},
    {"GET", "/api/v1/opportunities/{id}/team", deal_team_get, ROUTE_OTHER, NULL, NULL,
     "Who works the deal: sales owner, team members and registered partners", "401 404", NULL, 0},
    {"PUT", "/api/v1/opportunities/{id}/team/{user}", deal_member_put, ROUTE_OTHER, NULL, NULL,
     "Put a user on the deal with a role (sales owner, manager or admin)",
     "400 401 403 404 413 415 422", NULL, 0, 0, &body_deal_member},
    {"DELETE", "/api/v1/opportunities/{id}/team/{user}", deal_member_delete, ROUTE_OTHER, NULL,
     NULL, "Take a user off the deal (sales owner, manager or admin)", "401 403 404", NULL, 204},
    {"PUT", "/api/v1/opportunities/{id}/partners/{partner}", deal_partner_put, ROUTE_OTHER, NULL,
     NULL,
     "Register a channel partner on the deal (sales owner, manager or admin): 201, or 200 when "
     "it is registered already",
     "401 403 404", NULL, 201},
    {"DELETE", "/api/v1/opportunities/{id}/partners/{partner}", deal_partner_delete, ROUTE_OTHER,
     NULL, NULL, "Remove a partner's registration (sales owner, manager or admin)", "401 403 404",
     NULL, 204},
    RESOURCE_ROUTES("accounts", resource_accounts, account_hooks, "accounts"),
    {"POST", "/api/v1/accounts/{id}/transfer", record_transfer, ROUTE_OTHER, &resource_accounts,
     NULL,
     "Transfer the account to another owner (转移负责人; If-Match): an admin, or a manager "
     "whose team tree holds both owners; audited with the reason",
     "400 403 404 412 415 422 428", NULL, 0, ROUTE_IF_MATCH, &body_transfer},
    {"POST", "/api/v1/opportunities/{id}/transfer", record_transfer, ROUTE_OTHER,
     &resource_opportunities, NULL,
     "Transfer the deal to another owner (转移负责人; If-Match): an admin, or a manager whose "
     "team tree holds both owners; stage, checklist, forms, team and history stay; audited with "
     "the reason",
     "400 403 404 412 415 422 428", NULL, 0, ROUTE_IF_MATCH, &body_transfer},
    RESOURCE_ROUTES("contacts", resource_contacts, contact_hooks, "contacts"),
    RESOURCE_ROUTES("opportunities", resource_opportunities, opportunity_hooks, "opportunities"),
    RESOURCE_ROUTES("activities", resource_activities, activity_hooks, "activities"),
    {"GET", "/api/v1/opportunities/{id}/checklist", opportunity_checklist_get, ROUTE_OTHER, NULL,
     NULL,
     "Checklist of the opportunity's current stage (or ?stage=; ?stage=won: the closing after "
     "a win)",
     "404 409 422", "stage lang", 0},
    {"PUT", "/api/v1/opportunities/{id}/checklist/{item}", opportunity_checklist_put, ROUTE_OTHER,
     NULL, NULL,
     "Tick or untick a checklist item of the current stage, with evidence (note, linked "
     "activity, document)",
     "400 404 409 413 415 422", NULL, 0, 0, &body_checklist_item},
    {"POST", "/api/v1/opportunities/{id}/advance", opportunity_advance, ROUTE_OTHER, NULL, NULL,
     "Move to the next stage when every exit criterion is met (409 gate_unmet otherwise); a "
     "manager may override with a reason",
     "400 403 404 409 412 415 422", NULL, 0, ROUTE_BODY_OPTIONAL, &body_advance},
    {"GET", "/api/v1/opportunities/{id}/history", opportunity_history, ROUTE_OTHER, NULL, NULL,
     "Stage history of the opportunity (append-only)", "404", NULL, 0},
    {"POST", "/api/v1/opportunities/{id}/decisions/{decision}", opportunity_decide, ROUTE_OTHER,
     NULL, NULL,
     "Answer a decision point of the current stage; no turns the deal around (翻盘) to the stage "
     "the playbook names",
     "400 404 409 413 415 422", NULL, 0, 0, &body_decision},
    {"GET", "/api/v1/opportunities/{id}/next", opportunity_next, ROUTE_OTHER, NULL, NULL,
     "What the playbook says to do now: unmet criteria, missing deliverables, pending key "
     "activities, open decisions, visits due (?lang=zh|en)",
     "404 409 422", "lang", 0},
    {"GET", "/api/v1/playbooks", playbooks_list, ROUTE_OTHER, NULL, NULL,
     "Loaded playbooks with their stages (latest versions)", "422", "lang", 0},
    {"POST", "/api/v1/playbooks", playbooks_import, ROUTE_OTHER, NULL, NULL,
     "Import a custom playbook or a new version (422 lists every problem by JSON path)",
     "400 409 413 415 422", NULL, 201, 0, &playbook_document_schema},
    {"GET", "/api/v1/playbooks/{id}", playbooks_get, ROUTE_OTHER, NULL, NULL,
     "A playbook's document (?version=, ?lang=zh|en for one language)", "404 422", "lang version",
     0},
    {"GET", "/api/v1/reports/funnel", reports_funnel, ROUTE_OTHER, NULL, NULL,
     "Funnel of open opportunities per stage: count, amount, weighted amount", "422",
     "playbook currency owner", 0},
    {"GET", "/api/v1/reports/forecast", reports_forecast, ROUTE_OTHER, NULL, NULL,
     "Forecast: open deals by month of expected close (count, amount, weighted amount)", "",
     "currency", 0},
    {"GET", "/api/v1/reports/stalled", reports_stalled, ROUTE_OTHER, NULL, NULL,
     "Stalled deals: open deals whose stage has not changed for ?days= (default 30), longest "
     "first",
     "422", "days", 0},
    FORM_ROUTES("opportunities", "evaluation", evaluation_form_schema,
                "Opportunity evaluation (商机评价): MAN class and action, weighted indicators, the "
                "recommended sales mode and a warning when the chosen one is smaller"),
    FORM_ROUTES("opportunities", "mant", mant_form_schema,
                "MANT: money, authority (from the account's contacts' buying roles), needs and "
                "time-scale, with completeness computed from the data"),
    FORM_ROUTES("opportunities", "5w2p", w5p2_form_schema,
                "5W+2P lead qualification: seven questions and answers"),
    FORM_ROUTES("opportunities", "compelling-event", ce_form_schema,
                "Compelling event (CE): what, by when, the measurable consequence; flagged when "
                "missing where the playbook needs it"),
    FORM_ROUTES(
        "opportunities", "selection-scoring", selection_form_schema,
        "Selection scoring table (选型评分表): criteria, weights, every vendor's totals and "
        "rank"),
    FORM_ROUTES("opportunities", "tender", tender_form_schema,
                "Tender record: method, number, key dates, bid tasks, opening record, result; with "
                "the procurement advice and the bid simulation of its scheme"),
    FORM_ROUTES("accounts", "profile", profile_form_schema,
                "Target customer profile (seed 002's six factors): fit score and grade"),
    {"GET", "/api/v1/opportunities/{id}/health", opportunity_health, ROUTE_OTHER, NULL, NULL,
     "Deal health: an explainable score with each factor's weight and the action that fixes it",
     "404 409", "lang", 0},
    {"POST", "/api/v1/tools/procurement-advice", tool_procurement_advice, ROUTE_OTHER, NULL, NULL,
     "Procurement method advisor: the methods whose legal conditions the facts meet",
     "400 413 415 422", NULL, 0, 0, &procurement_facts_schema},
    {"POST", "/api/v1/tools/bid-simulation", tool_bid_simulation, ROUTE_OTHER, NULL, NULL,
     "Bid score simulation: every bidder's price score, total and rank, and our winning price",
     "400 413 415 422", NULL, 0, 0, &bid_simulation_schema},
    {"GET", "/api/v1/settings/evaluation", setting_get, ROUTE_OTHER, NULL, NULL,
     "Evaluation indicators, weights and mode thresholds", "", NULL, 0},
    {"PUT", "/api/v1/settings/evaluation", setting_put, ROUTE_OTHER, NULL, NULL,
     "Change the evaluation indicators (manager or admin)", "400 403 413 415 422", NULL, 0, 0,
     &evaluation_config_schema},
    {"GET", "/api/v1/settings/profile-rules", setting_get, ROUTE_OTHER, NULL, NULL,
     "Target customer profile rules", "", NULL, 0},
    {"PUT", "/api/v1/settings/profile-rules", setting_put, ROUTE_OTHER, NULL, NULL,
     "Change the profile rules (manager or admin)", "400 403 413 415 422", NULL, 0, 0,
     &profile_rules_schema},
    {NULL, NULL, NULL, ROUTE_OTHER, NULL, NULL, NULL, NULL, NULL, 0},
};
