/* The route table: every route of the API, its handler and what the OpenAPI
 * document says of it. The router, the check of query parameters and the
 * document are all built from it. */
#include "api/api.h"

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
        "DELETE", "/api/v1/" path "/{id}", crud_delete, ROUTE_DELETE, &spec, NULL,                 \
            "Delete " what " (If-Match required)", "400 404 409 412 428", NULL, 0                  \
    }

const api_route api_routes[] = {
    {"GET", "/healthz", health_get, ROUTE_OTHER, NULL, NULL, "Health check", "", NULL, 0},
    {"GET", "/api/v1/openapi.json", openapi_get, ROUTE_OTHER, NULL, NULL, "This OpenAPI document",
     "", NULL, 0},
    RESOURCE_ROUTES("accounts", resource_accounts, account_hooks, "accounts"),
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
     "400 404 409 413 415 422", NULL, 0},
    {"POST", "/api/v1/opportunities/{id}/advance", opportunity_advance, ROUTE_OTHER, NULL, NULL,
     "Move to the next stage when every exit criterion is met (409 gate_unmet otherwise); a "
     "manager may override with a reason",
     "400 403 404 409 412 415 422", NULL, 0},
    {"GET", "/api/v1/opportunities/{id}/history", opportunity_history, ROUTE_OTHER, NULL, NULL,
     "Stage history of the opportunity (append-only)", "404", NULL, 0},
    {"POST", "/api/v1/opportunities/{id}/decisions/{decision}", opportunity_decide, ROUTE_OTHER,
     NULL, NULL,
     "Answer a decision point of the current stage; no turns the deal around (翻盘) to the stage "
     "the playbook names",
     "400 404 409 413 415 422", NULL, 0},
    {"GET", "/api/v1/opportunities/{id}/next", opportunity_next, ROUTE_OTHER, NULL, NULL,
     "What the playbook says to do now: unmet criteria, missing deliverables, pending key "
     "activities, open decisions, visits due (?lang=zh|en)",
     "404 409 422", "lang", 0},
    {"GET", "/api/v1/playbooks", playbooks_list, ROUTE_OTHER, NULL, NULL,
     "Loaded playbooks with their stages (latest versions)", "422", "lang", 0},
    {"POST", "/api/v1/playbooks", playbooks_import, ROUTE_OTHER, NULL, NULL,
     "Import a custom playbook or a new version (422 lists every problem by JSON path)",
     "400 409 413 415 422", NULL, 201},
    {"GET", "/api/v1/playbooks/{id}", playbooks_get, ROUTE_OTHER, NULL, NULL,
     "A playbook's document (?version=, ?lang=zh|en for one language)", "404 422", "lang version",
     0},
    {"GET", "/api/v1/reports/funnel", reports_funnel, ROUTE_OTHER, NULL, NULL,
     "Funnel of open opportunities per stage: count, amount, weighted amount", "422",
     "playbook currency owner", 0},
    {NULL, NULL, NULL, ROUTE_OTHER, NULL, NULL, NULL, NULL, NULL, 0},
};
