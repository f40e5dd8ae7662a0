/* The API layer: maps HTTP routes to the core and the store. One file per
 * resource; this header holds what they share. */
#ifndef BF_API_API_H
#define BF_API_API_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "auth/throttle.h"
#include "core/docx.h"
#include "core/access.h"
#include "core/playbook.h"
#include "core/record.h"
#include "core/result.h"
#include "core/schema.h"
#include "http/server.h"
#include "store/store.h"

/* What every handler can reach: the store and the loaded playbooks. */
typedef struct api {
    store *store;
    playbook_set *playbooks;
    /* The playbooks' generation (store_playbook_generation) the set was
     * last synced at; -1 before the first sync. See api_playbooks_sync. */
    _Atomic int64_t playbooks_generation;
    pthread_mutex_t playbooks_lock; /* one sync at a time */
    throttle_options logins;        /* limits of login failures per account and address */
    unsigned login_rate;            /* logins from one address a minute, right or wrong (0: any) */
    unsigned session_ttl_s;         /* how long a login session lasts */
    bool cookie_secure;             /* mark the session cookie Secure (served behind TLS) */
    const char *web_root;           /* directory of the built web app, or NULL */
    const char *public_url;         /* where users reach the server ("https://crm.example.com",
                                       no slash at the end), or NULL when not told */
    struct http_route *routes;      /* built from api_routes, for the router */
    size_t nroutes;
} api;

/* One request being handled. */
typedef struct api_call {
    api *app;
    http_request *req;
    arena *arena;
    bf_error err;
    json_t *error_extra;      /* keys added beside "error" in an error response */
    json_t *warnings;         /* a record answer's "warnings" (kept by api_keep), or NULL */
    bool duplicates_asked;    /* the caller has looked for this write's duplicates already
                                 (an import's row): the check hooks do not ask again */
    const viewer *who;        /* the authenticated user; NULL before authentication */
    const char *actor;        /* who acts: the user's login name ("anonymous" before login) */
    const char *session_hash; /* the session's hash when authenticated by cookie */
    struct mant_cache *mant;  /* api_mant_of's last answer in this request, or NULL */
    const char *approved;     /* the approval being carried out in this request, or NULL: what
                                 it asks passes the checks that would ask for one */
} api_call;

struct api_route;

/* A route handler: on BF_OK it has set the response; otherwise the dispatcher
 * answers with the error envelope for the result and call->err. */
typedef bf_result (*api_handler)(api_call *call, const struct api_route *route);

/* Resource-specific rules run by the generic create/update handlers inside
 * the write transaction. rec is complete (update: stored record + patch);
 * before is the stored record on update, NULL on create. */
typedef struct resource_hooks {
    bf_result (*check)(api_call *call, record *rec, const record *before);
    bf_result (*after_write)(api_call *call, record *rec, const record *before);
    bf_result (*after_delete)(api_call *call, const record *deleted);
    bf_result (*before_delete)(api_call *call, const record *doomed); /* may refuse */
} resource_hooks;

/* What a route does, for the router and the OpenAPI document. */
typedef enum api_route_kind {
    ROUTE_LIST,
    ROUTE_CREATE,
    ROUTE_GET,
    ROUTE_PATCH,
    ROUTE_DELETE,
    ROUTE_OTHER,
} api_route_kind;

/* Who may call a route. */
typedef enum api_auth {
    AUTH_CREDENTIALS = 0, /* an API token (Authorization: Bearer) or the session cookie, whose
                             writes add X-CSRF-Token */
    AUTH_PUBLIC,          /* anyone (the health check, the login): small bodies only */
    AUTH_SESSION,         /* a login's session cookie (with X-CSRF-Token for a write); an API
                             token is answered 409 (logging out) */
} api_auth;

/* A form (forms.c): one JSON document per owner record, with its declared
 * body, its rules and what follows from it. Its GET and PUT routes are made
 * from this table. */
typedef struct api_form {
    const char *name;           /* last path segment, and the stored form's name */
    const resource_spec *owner; /* the records that own one: accounts or opportunities */
    const schema *body;         /* its declared body */
    const schema *result;       /* what follows from it (the answer's "result") */
    access_action need;         /* what saving it needs beyond ACCESS_FILL_FORMS, or 0 */
    const char *summary;
    /* Validates a body into its normalized copy *out (a new reference). */
    bf_result (*validate)(api_call *call, json_t *in, json_t **out);
    /* What follows from the form (NULL: never saved) for the owner record. */
    bf_result (*evaluate)(api_call *call, record *owner, json_t *form, json_t **result);
    /* Runs in the save's transaction once the form (normalized) is stored, or NULL. */
    bf_result (*after_save)(api_call *call, const record *owner, json_t *form);
    /* Takes out of an answer what the viewer may not see, or NULL. */
    void (*redact)(api_call *call, json_t *answer);
    /* It shows the deal's shared facts (core/deal_facts.h): its answer carries
     * them from their home ("facts"), and a body's facts are written there. */
    bool shares_facts;
} api_form;

/* A setting (forms.c): one JSON document of the company, with a default. */
typedef struct api_setting {
    const char *key; /* stored key */
    const schema *body;
    json_t *(*make_default)(void);
    bf_result (*validate)(json_t *v, bf_error *err);
    access_action need; /* what changing it needs */
} api_setting;

/* The largest number of error statuses a route declares. */
#define API_MAX_STATUSES 12

typedef struct api_route {
    const char *method;
    const char *pattern;
    api_handler handler;
    api_route_kind kind;
    const char *operation; /* operationId; resource and form routes derive theirs */
    const char *summary;
    api_auth auth;
    const resource_spec *spec;      /* for resource routes, else NULL */
    const resource_hooks *hooks;    /* for create and update, may be NULL */
    const api_form *form;           /* the form it serves, or NULL */
    const api_setting *setting;     /* the setting it serves, or NULL */
    const schema *body;             /* its declared request body, or NULL (resource routes take
                                       their resource's) */
    const schema *response;         /* its success body, or NULL (a resource's record, or none) */
    int success;                    /* its success status when not the kind's usual one */
    int statuses[API_MAX_STATUSES]; /* the error statuses it may answer, 0-ended; 401 is implied
                                       for a route that needs credentials */
    const char *query;              /* query parameters it takes, space-separated ("lang stage");
                                       lists take theirs from the resource */
    unsigned flags; /* ROUTE_HASHES, ROUTE_IF_MATCH, ROUTE_BODY_OPTIONAL, ROUTE_NO_BODY,
                       ROUTE_REPORT, and the documents it answers: ROUTE_HTML, ROUTE_XLSX,
                       ROUTE_DOCX, ROUTE_PDF, ROUTE_MARKDOWN, ROUTE_EXPORT, ROUTE_CSV,
                       ROUTE_LIST_QUERY */
} api_route;

/* Route flags. */
enum {
    ROUTE_HASHES = 2,          /* computes a password hash: runs on the server's pool, never in a
                                  worker */
    ROUTE_IF_MATCH = 4,        /* needs If-Match beyond PATCH and DELETE (a transfer) */
    ROUTE_BODY_OPTIONAL = 8,   /* its body may be left out (advance) */
    ROUTE_NO_BODY = 16,        /* a write that takes no body (a partner's registration) */
    ROUTE_REPORT = 32,         /* a report: runs on the server's pool, so that reports never hold
                                  every worker, and stops when its client goes away */
    ROUTE_HTML = 64,           /* answers a document in HTML (text/html), not JSON */
    ROUTE_XLSX = 128,          /* answers an Excel workbook (.xlsx), not JSON */
    ROUTE_DOCX = 256,          /* may answer a Word file (.docx), not JSON */
    ROUTE_PDF = 512,           /* may answer a PDF, not JSON */
    ROUTE_MARKDOWN = 1024,     /* may answer Markdown (text/markdown), not JSON */
    ROUTE_UPLOAD = 4096,       /* its body is a file (any type, up to the server's max_upload) */
    ROUTE_FILE = 8192,         /* answers a stored file, in the type it was kept as */
    ROUTE_EXPORT = 16384,      /* may answer CSV or XLSX besides JSON, with ?format=csv|xlsx&table=
                                  (api_respond_export): takes API_EXPORT_QUERY too */
    ROUTE_CALENDAR = 32768,    /* answers an iCalendar (text/calendar), not JSON */
    ROUTE_CSV = 65536,         /* answers a CSV file (text/csv) */
    ROUTE_LIST_QUERY = 131072, /* takes its resource's list parameters (filters, q, sort) beside
                                  its own (route->query), and checks them itself */
};

/* The query parameters every ROUTE_EXPORT route takes beside its own. */
#define API_EXPORT_QUERY "format table lang"

/* Whether the space-separated list names (NULL: none) holds name[0..n). */
bool api_names_hold(const char *names, const char *name, size_t n);

/* How an exported column's value is written. */
typedef enum export_kind {
    EXPORT_TEXT,   /* a string (or anything, written as text) */
    EXPORT_INT,    /* an integer count */
    EXPORT_FEN,    /* integer fen, written in yuan: number with 2 decimals, #,##0.00 in XLSX */
    EXPORT_RATIO,  /* a real 0..1, written as a percentage (0.0% in XLSX, "42.3%" in CSV) */
    EXPORT_NUMBER, /* a real, written as it is (days: 0.0) */
} export_kind;

/* A column of an exported table: the key of its value in each row object
 * (a dot path into nested objects, e.g. "commit.amount"; a value that is a
 * text in both languages, {"zh","en"}, is written in the answer's), its
 * heading in Chinese and English, and how it is written. */
typedef struct export_column {
    const char *key;
    const char *zh, *en;
    export_kind kind;
} export_column;

/* A table of a report: the key of the array of row objects in the answer's
 * body, its sheet name in Chinese and English, and its columns. */
typedef struct export_table {
    const char *rows;
    const char *zh, *en;
    const export_column *columns;
    size_t ncolumns;
} export_table;

/* What a route exports: the file's base name in Chinese and English and its tables. */
typedef struct export_spec {
    const char *file_zh, *file_en;
    const export_table *tables;
    size_t ntables;
} export_spec;

/* Answers body (which it takes) as JSON 200, or, when ?format=csv or
 * ?format=xlsx asks, as a download of spec's tables (CSV: the table named by
 * ?table= (its rows key), else the first; XLSX: a sheet per table, or the
 * one ?table= names), headings in the answer's language (api_lang).
 * ?format= anything else: 422 invalid_value naming "format"; ?table= no
 * table's: 422 naming "table". */
bf_result api_respond_export(api_call *call, json_t *body, const export_spec *spec);

/* Has write(path, ctx) write a file at a new temporary path (for libraries
 * that write only to files: libxlsxwriter), then reads it into the call's
 * arena (*data, *len; at most max bytes) and removes it. write returns
 * false when it failed: 500 naming what, with *data untouched. */
bf_result api_file_through_temp(api_call *call, bool (*write)(const char *path, void *ctx),
                                void *ctx, const char *what, size_t max, char **data, size_t *len);

/* The forms, ended by an entry whose name is NULL. */
extern const api_form api_forms[];

/* The settings. */
extern const api_setting api_setting_evaluation, api_setting_profile_rules, api_setting_approvals,
    api_setting_quotations;

/* Settles whether the call's viewer sees costs (viewer.sees_cost) when the
 * quotation settings decide it (sales, consultants) and spec has a cost
 * field, or spec is NULL (a quotation's handler): read once per call. */
bf_result api_costs_settle(api_call *call, const resource_spec *spec);
/* The value of setting s, or its default; a reference the call's arena
 * keeps. */
bf_result api_setting_value(api_call *call, const api_setting *s, json_t **out);

/* Every route of the API: the table of routes.c, then a GET and a PUT for
 * every form; ends with a zeroed entry. Built once; static storage. */
const api_route *api_route_table(void);

/* True when route answers status (a declared error, its success, or 401
 * for a route that needs credentials). */
bool api_route_answers(const api_route *route, int status);

/* The window of login throttling: failures counted, and the lock-out. */
#define API_LOGIN_WINDOW_S 900

/* Largest body a request without credentials may send (a login). */
#define API_PUBLIC_MAX_BODY 4096

/* Adds to the loaded set the playbook versions stored since it was loaded
 * (by another server of the database, or bingfa playbook import): called
 * before every request that needs credentials, it costs one read of the
 * playbooks' generation by its key when nothing is new, and a read of every
 * stored document when the generation moved. A stored document that is not
 * a valid playbook is left out (the start said so). */
bf_result api_playbooks_sync(api_call *call);

/* Creates the API over st and playbooks (both stay owned by the caller). */
bf_result api_new(store *st, playbook_set *playbooks, api **out);

/* Frees what api_new made. */
void api_free(api *app);

/* The http_handler that serves every request (app is the api). */
void api_handle(http_request *req, void *app);

/* The http_admit of the API: routes the request and authenticates it on its
 * headers, before its body is read. A request that carries no valid
 * credentials, to a route that needs them, is answered at once (401), its
 * body unread; a public route's body is limited to API_PUBLIC_MAX_BODY; a
 * route that hashes passwords is offloaded to the server's pool. */
bool api_admit(http_request *req, void *app);

/* The http_done of the API: ends the read snapshot a request may have left
 * open on this thread (an answered GET has ended it already). */
void api_done(http_request *req, void *app);

/* The HTTP status of a result: the one place results become statuses. */
int api_status(bf_result r);

/* Parses the request body as a JSON object: 415 when not JSON, 400 when
 * malformed (with line and column), 422 naming the field for invalid UTF-8
 * or an integer too large. The value belongs to the call's arena. */
bf_result api_body(api_call *call, json_t **out);

/* The version named by If-Match: BF_ERR_PRECONDITION when missing (428),
 * BF_ERR_MALFORMED when it is not a version. */
bf_result api_if_match(api_call *call, int64_t *version);

/* api_body, then schema_check against s: *out is the normalized body,
 * owned by the call's arena; 422 naming the field when it does not follow s. */
bf_result api_body_as(api_call *call, const schema *s, json_t **out);

/* The bodies declared in bodies.c. */
extern const schema body_login, body_password_change, body_password_set, body_deal_member,
    body_transfer, body_advance, body_checklist_item, body_checklist_step, body_decision,
    body_approval_request, body_approval_decision, body_approval_rejection, body_activity_tick,
    body_activity_item, body_quotation_status, body_quotation_primary, body_template,
    body_document_preview, body_document_change, body_document_save, body_handover,
    body_handover_ack, body_forecast_choice, body_target, body_bulk, body_webhook;

/* The most records one bulk action changes (by ids, or found by a query). */
#define API_BULK_MAX 500

/* The categories of a kept document, ended by NULL. */
extern const char *const document_categories[];

/* The success bodies declared in responses.c. */
extern const schema response_any, response_health, response_session, response_audit_page,
    response_deal_team, response_checklist, response_checklist_item, response_history,
    response_form, response_funnel, response_forecast, response_stage_report, response_calibration,
    response_winloss, response_changes, response_activity, response_targets, response_stalled,
    response_deal_health, response_next, response_playbooks, response_playbook_imported,
    response_decision, response_procurement_advice, response_bid_simulation, response_playbook_view,
    response_approval, response_approval_result, response_approval_page, response_approval_list,
    response_approval_count, response_activity_checklist, response_activity_checklist_progress,
    response_price_list, response_quotation, response_quotation_list, response_quotation_preview,
    response_contract, response_contract_list, response_document_data, response_template,
    response_template_list, response_document_preview, response_document, response_document_list,
    response_handover, response_handover_list, response_knowledge_entry, response_knowledge_list,
    response_knowledge_versions, response_knowledge_facets, response_knowledge_suggestions,
    response_duplicates, response_import_sheets, response_import_template, response_import_report,
    response_calendar_feed, response_tag_counts, response_bulk, response_notification,
    response_notification_page, response_notification_count, response_notifications_read,
    response_webhook, response_webhook_list, response_delivery, response_delivery_list,
    response_search;

/* The roles of a deal team member. */
extern const char *const deal_member_roles[];

/* As api_if_match, accepting versions from min (0 names a form never saved). */
bf_result api_if_match_from(api_call *call, int64_t min, int64_t *version);

/* Calls fn for every record of spec whose field equals value, page by page
 * (no limit on how many); stops at the first failure and returns it. */
bf_result api_each_record(api_call *call, const resource_spec *spec, const char *field,
                          const char *value,
                          bf_result (*fn)(api_call *call, record *rec, void *ctx), void *ctx);

/* Runs fn(call, ctx) in one transaction of the store: committed when fn
 * succeeds, rolled back when it fails, so a request that fails writes
 * nothing. Joins the caller's transaction when there is one. */
bf_result api_transaction(api_call *call, bf_result (*fn)(api_call *call, void *ctx), void *ctx);

/* Sets the ETag header to the record's version; BF_ERR_NOMEM when it
 * cannot (an answer without the version its client needs must fail). */
bf_result api_set_etag(api_call *call, int64_t version);

/* Responds 200/201 with rec as JSON, with its ETag. */
bf_result api_respond_record(api_call *call, int status, const record *rec);

/* Answers 200 {"items": items}, taking items; NULL (out of memory while
 * making it) answers BF_ERR_NOMEM. */
bf_result api_respond_items(api_call *call, json_t *items);

/* Duplicates (撞单, duplicates.c): the warning {code, text, matches} of the
 * accounts (name, credit_code) or the deals of account_id (name) that a record
 * named so may duplicate, except the record except; *out NULL when none.
 * Kept by the call. */
bf_result api_duplicates_find(api_call *call, const resource_spec *spec, const char *name,
                              const char *credit_code, const char *account_id, const char *except,
                              json_t **out);

/* For an account's or a deal's check hook: keeps its name key and, when its
 * name (or credit code, or account) is new, adds the duplicates it may be to
 * call->warnings. */
bf_result api_duplicates_keep_key(api_call *call, record *rec, const record *before);

/* Spreadsheet import (imports.c): GET /api/v1/imports, POST
 * /api/v1/imports/{resource} and GET /api/v1/imports/{resource}/template. */
bf_result imports_list(api_call *call, const struct api_route *route);
bf_result imports_run(api_call *call, const struct api_route *route);
bf_result imports_template(api_call *call, const struct api_route *route);

/* GET /api/v1/duplicates/…: the warnings a create would give (route->spec: accounts
 * or opportunities). */
bf_result duplicates_check(api_call *call, const struct api_route *route);

/* v as JSON text (json_dumpb flags) in the call's arena; NULL when v is NULL
 * or out of memory. Use it, not json_dumps, for text that is stored. */
const char *api_json_text(api_call *call, json_t *v, size_t flags);

/* Takes a new JSON reference into the call's arena: released with it. */
json_t *api_keep(api_call *call, json_t *v);

/* The OpenAPI document of the API (a new reference). */
json_t *api_openapi_document(void);

/* The login name of the user user_id names as the owner of a record of spec:
 * an active user and, for accounts and deals, one whose role may own them
 * (422 on owner_id otherwise). *name lives in the call's arena. */
bf_result api_owner_name(api_call *call, const resource_spec *spec, const char *user_id,
                         const char **name);

/* Creates a record of the route's resource (route is a ROUTE_CREATE one)
 * from the JSON object body exactly as a POST to it does, without HTTP: the
 * caller's right to create, the fields it may not see, validation, the
 * visibility of the records it names, its owner, the resource's rules, the
 * insert, what follows (stage history, deal team) and its audit entry, in
 * one transaction (joining the caller's). *out belongs to the call's arena. */
bf_result api_create_record(api_call *call, const struct api_route *route, json_t *body,
                            record **out);

/* api_create_record in two halves. The first checks what needs no database
 * (the caller's right to create, the fields it may not see, each field's
 * type and limits) and makes *out in the call's arena; it may run on
 * another thread than the second, with a call of its own that has the
 * same app and who. The second writes it, as api_create_record does. */
bf_result api_create_check(api_call *call, const struct api_route *route, json_t *body,
                           record **out);
bf_result api_create_write(api_call *call, const struct api_route *route, record *rec);

/* Puts user_id on the team of the deal opportunity_id as PUT
 * /api/v1/opportunities/{id}/team/{user} with the JSON object body does,
 * without HTTP and without its answer (bingfa import): the same checks, the
 * same change and audit entry, the same failures. */
bf_result api_deal_member_put(api_call *call, const char *opportunity_id, const char *user_id,
                              json_t *body);

/* Changes the record of spec with this id by the JSON object body as a
 * PATCH of its current version does, without HTTP and without the caller's
 * right to write it (the caller decided that: an approval carried out):
 * validation, the resource's rules, the update, what follows and its audit
 * entry, in the caller's transaction. *out belongs to the call's arena. */
bf_result api_patch_record(api_call *call, const resource_spec *spec, const char *id, json_t *body,
                           record **out);
/* The route that creates records of spec (POST /api/v1/<spec->name>), or
 * NULL when the API creates none. Static storage. */
const struct api_route *api_create_route(const resource_spec *spec);

/* Prepares *call for requests made in this process without HTTP (bingfa
 * import): it acts as the active user called as, or as the command line's
 * admin when as is NULL, as X-Bingfa-As does for bingfa api. What it holds
 * lives in a; the caller points call->arena at an arena of its own for each
 * piece of work (and clears call->err). 401 when no active user has that
 * name, the reason in call->err. */
bf_result api_call_in_process(api *app, arena *a, const char *as, api_call *call);

/* Generic handlers of a resource route (route->spec, route->hooks). */
bf_result crud_list(api_call *call, const struct api_route *route);
bf_result crud_create(api_call *call, const struct api_route *route);
bf_result crud_get(api_call *call, const struct api_route *route);
bf_result crud_patch(api_call *call, const struct api_route *route);
bf_result crud_delete(api_call *call, const struct api_route *route);

/* Reads the list parameters of the request (limit, cursor, sort, q and the
 * resource's filters) into q; 422 naming the parameter when one is wrong. */
bf_result list_query_from_request(api_call *call, const resource_spec *spec, list_query *q);

/* As list_query_from_request, the parameters named in skip (space-separated:
 * a route's own beside the list's) left out. */
bf_result list_query_from_request_beside(api_call *call, const resource_spec *spec,
                                         const char *skip, list_query *q);

/* Checks text, a list's query string as a saved view keeps it ("status=won
 * &sort=-amount"), against spec's list parameters (a cursor is ignored);
 * 422 naming field, with the parameter's own message, when one is wrong. */
bf_result list_query_check(api_call *call, const resource_spec *spec, const char *text,
                           const char *field);

/* list_query_check, and the query text asks into q (its cursor left out,
 * the paging the caller's): for a query given in a body. */
bf_result list_query_from_text(api_call *call, const resource_spec *spec, const char *text,
                               const char *field, list_query *q);

/* Makes q continue after last, the last record of its page (a keyset, as
 * a cursor does): for reading a list to its end page by page. */
void list_query_continue(list_query *q, const record *last);

/* The opaque cursor that continues after the last record of a page. */
const char *list_cursor_after(api_call *call, const list_query *q, const record *last);

/* The language of the answer: ?lang=en|zh, else Accept-Language, else zh. */
const char *api_lang(api_call *call);

/* Authenticates the request: an API token (Authorization: Bearer), else the
 * session cookie (with the CSRF token for writes), else 401. Sets call->who
 * and call->actor. In-process requests act as the command line's admin, or
 * as the user named by their X-Bingfa-As header. */
bf_result api_authenticate(api_call *call);

/* BF_OK when the caller's role may do action; else 403 with a message. */
bf_result api_require(api_call *call, access_action action);

/* Whether the caller sees the record (404 naming no one when not). */
bf_result api_require_visible(api_call *call, const resource_spec *spec, const char *id);

/* Whether field f is hidden from the viewer who (a const viewer *; NULL:
 * the command line, which sees all): for record_append_json. */
bool api_field_hidden(const field_spec *f, const void *who);

/* rec as JSON without the fields the caller may not see (a new reference). */
json_t *api_record_json(api_call *call, const record *rec);

/* Appends to the audit log, in the caller's transaction: action on the
 * record id of resource, with the old and new values (JSON objects or NULL,
 * not stolen). */
bf_result api_audit(api_call *call, const char *action, const char *resource, const char *id,
                    json_t *old_values, json_t *new_values);

/* As api_audit, with the values as JSON object texts already (or NULL). */
bf_result api_audit_text(api_call *call, const char *action, const char *resource, const char *id,
                         const char *old_values, const char *new_values);

/* The fields that differ between two JSON objects: *old_out and *new_out get
 * new objects holding them (NULL when nothing differs). */
bf_result api_audit_diff(json_t *before, json_t *after, json_t **old_out, json_t **new_out);

/* An i18n text as JSON {"zh","en"} (NULL parts omitted); a new reference. */
json_t *api_text_json(const i18n_text *t);

/* s as a JSON string, or null when NULL (a new reference). */
json_t *api_text_or_null(const char *s);

/* Today's date in UTC, "YYYY-MM-DD", into day (cap >= 11); returns day. */
const char *api_today(char *day, size_t cap);

/* BF_OK when the caller may write a deal's papers (quotations, contracts):
 * who may change the deal; 403 naming what otherwise. */
bf_result api_require_deal_writer(api_call *call, const char *what);

/* The mode opp's evaluation recommends when its sales_mode is below it (防止
 * 大单做小), else *recommended NULL (also when not evaluated). */
bf_result api_sales_mode_below(api_call *call, record *opp, const char **recommended);

/* Sets opp's in_funnel from its stage and, where pb qualifies with MANT, its
 * MANT (a new deal has none): whether it counts in the funnel proper and the
 * forecast (migration 13); and its forecast_category, the owner's choice or
 * the stage's default. */
bf_result opportunity_set_in_funnel(api_call *call, record *opp, const playbook *pb, bool is_new);

/* Sets opp's closed_at when its status leaves open (now, in the call's
 * arena) or comes back to it (null); before is the deal as it was, NULL for
 * a new one. */
bf_result opportunity_set_closed(api_call *call, record *opp, const record *before);

/* What follows a win, in the caller's transaction: the reference-case task
 * and a reference case drafted in the knowledge base (it learns from every
 * won deal), and the handover to implementation opened. */
bf_result opportunity_won(api_call *call, const record *opp, const playbook *pb);

/* Loads the opportunity with the id of the path and the playbook version it
 * runs on (the latest when that version is gone). */
bf_result opportunity_load(api_call *call, record **opp, const playbook **pb);
/* The same for the opportunity with this id. */
bf_result opportunity_load_id(api_call *call, const char *id, record **opp, const playbook **pb);
/* Approvals (approvals.c). A manager or an admin who may decide every level
 * of what kind asks about opp (ask: a JSON object, not stolen) makes the
 * decision themself: it is recorded as an approval they granted, with its
 * audit entry, in the caller's transaction, and BF_OK lets the caller carry
 * it out. Anyone else gets 403 approval_required naming the kind and the
 * route that asks for one. Does nothing while call->approved is set. */
bf_result approval_record_direct(api_call *call, const record *opp, int kind, json_t *ask,
                                 const char *reason);
/* The id of the approved release of the deal's proposal (newest), or NULL. */
bf_result api_proposal_released(api_call *call, const char *opportunity_id,
                                const char **approval_id);
/* The deal's proposal review as proposal_review_evaluate says it (kept in
 * the call), and the stored form's version (0: never saved). */
bf_result api_proposal_review(api_call *call, const record *opp, const playbook *pb,
                              json_t **review, int64_t *version);
/* Carries out an approved override: opportunity_id passes the gate of
 * stage (409 approval_stale when the deal is no longer open in it), in the
 * caller's transaction; *out is the deal after. */
bf_result opportunity_advance_approved(api_call *call, const char *opportunity_id,
                                       const char *stage, const char *reason, record **out);
/* Carries out an approved win before the winning stage: the deal is won and
 * enters the stage winning leads to, as its gate would have done. */
bf_result opportunity_win_approved(api_call *call, const char *opportunity_id, const char *reason,
                                   record **out);

/* The playbook an opportunity runs on, or NULL. */
const playbook *opportunity_playbook(api_call *call, const record *opp);

/* Route handlers beyond the generic ones (one file per resource). */
bf_result opportunity_decide(api_call *call, const struct api_route *route);
bf_result opportunity_next(api_call *call, const struct api_route *route);
bf_result playbooks_import(api_call *call, const struct api_route *route);
bf_result form_get(api_call *call, const struct api_route *route);
bf_result form_put(api_call *call, const struct api_route *route);
bf_result setting_get(api_call *call, const struct api_route *route);
bf_result setting_put(api_call *call, const struct api_route *route);
bf_result tool_bid_simulation(api_call *call, const struct api_route *route);
bf_result tool_procurement_advice(api_call *call, const struct api_route *route);
bf_result opportunity_health(api_call *call, const struct api_route *route);
bf_result opportunity_checklist_get(api_call *call, const struct api_route *route);
bf_result opportunity_checklist_put(api_call *call, const struct api_route *route);
bf_result opportunity_checklist_step_put(api_call *call, const struct api_route *route);
bf_result opportunity_advance(api_call *call, const struct api_route *route);
bf_result opportunity_history(api_call *call, const struct api_route *route);
bf_result playbooks_list(api_call *call, const struct api_route *route);
bf_result playbooks_get(api_call *call, const struct api_route *route);
bf_result reports_funnel(api_call *call, const struct api_route *route);
bf_result reports_stalled(api_call *call, const struct api_route *route);
bf_result health_get(api_call *call, const struct api_route *route);
bf_result openapi_get(api_call *call, const struct api_route *route);
bf_result session_login(api_call *call, const struct api_route *route);
bf_result session_get(api_call *call, const struct api_route *route);
bf_result session_logout(api_call *call, const struct api_route *route);
bf_result session_password(api_call *call, const struct api_route *route);
bf_result user_password_put(api_call *call, const struct api_route *route);
bf_result audit_list(api_call *call, const struct api_route *route);
bf_result deal_team_get(api_call *call, const struct api_route *route);
bf_result record_transfer(api_call *call, const struct api_route *route);
bf_result deal_member_put(api_call *call, const struct api_route *route);
bf_result deal_member_delete(api_call *call, const struct api_route *route);
bf_result deal_partner_put(api_call *call, const struct api_route *route);
bf_result deal_partner_delete(api_call *call, const struct api_route *route);
bf_result approval_request(api_call *call, const struct api_route *route);
bf_result activity_checklist_get(api_call *call, const struct api_route *route);
bf_result activity_checklist_put(api_call *call, const struct api_route *route);
bf_result activity_checklist_add(api_call *call, const struct api_route *route);
bf_result activity_checklist_remove(api_call *call, const struct api_route *route);
bf_result activity_checklists_progress(api_call *call, const struct api_route *route);
bf_result approval_get(api_call *call, const struct api_route *route);
bf_result approval_approve(api_call *call, const struct api_route *route);
bf_result approval_reject(api_call *call, const struct api_route *route);
bf_result approval_withdraw(api_call *call, const struct api_route *route);
bf_result approvals_of_deal(api_call *call, const struct api_route *route);
bf_result approvals_list(api_call *call, const struct api_route *route);
bf_result approvals_count(api_call *call, const struct api_route *route);
bf_result price_list_get(api_call *call, const struct api_route *route);
bf_result quotations_of_deal(api_call *call, const struct api_route *route);
bf_result quotation_create(api_call *call, const struct api_route *route);
bf_result quotation_preview(api_call *call, const struct api_route *route);
bf_result quotation_get(api_call *call, const struct api_route *route);
bf_result quotation_put(api_call *call, const struct api_route *route);
bf_result quotation_delete(api_call *call, const struct api_route *route);
bf_result quotation_revise(api_call *call, const struct api_route *route);
bf_result quotation_submit(api_call *call, const struct api_route *route);
bf_result quotation_status(api_call *call, const struct api_route *route);
bf_result quotation_primary(api_call *call, const struct api_route *route);
bf_result quotation_document(api_call *call, const struct api_route *route);
bf_result quotation_spreadsheet(api_call *call, const struct api_route *route);

/* Asks for an approval of a quotation's discount (kind discount) about opp,
 * of levels levels of managers, in the caller's transaction: the
 * requester's own levels approved at once. *id and *state (pending or
 * approved) are the approval's, in the call's arena. */
bf_result approval_request_discount(api_call *call, const record *opp, json_t *ask, int levels,
                                    const char *reason, const char **id, const char **state);

/* What the decision of the discount approval approval_id does to its
 * quotation: approved, or back to draft; nothing when the quotation has
 * moved on since (or is gone). In the caller's transaction. */
bf_result api_quotation_decided(api_call *call, const char *quotation_id, const char *approval_id,
                                bool approved);

bf_result contract_create(api_call *call, const struct api_route *route);
bf_result contract_get(api_call *call, const struct api_route *route);
bf_result contract_put(api_call *call, const struct api_route *route);
bf_result contracts_of_deal(api_call *call, const struct api_route *route);
bf_result contract_document(api_call *call, const struct api_route *route);

/* Documents (documents.c). */
bf_result document_upload(api_call *call, const struct api_route *route);
bf_result document_save(api_call *call, const struct api_route *route);
bf_result documents_of_deal(api_call *call, const struct api_route *route);
bf_result document_get(api_call *call, const struct api_route *route);
bf_result document_content(api_call *call, const struct api_route *route);
bf_result document_change(api_call *call, const struct api_route *route);
bf_result document_delete(api_call *call, const struct api_route *route);

/* The category of a document made from a template of kind ("letter" …). */
const char *api_document_category_of_kind(const char *kind);

/* d as the API answers it (kept in the call's arena), or NULL. */
json_t *api_document_json(api_call *call, const document *d);

/* Answers d with status (200, 201) as the API shows a document. */
bf_result api_document_respond(api_call *call, int status, const document *d);

/* Saves content[0..len) as document d (opportunity, name, category,
 * content type, source and the rest set by the caller; hash, size, author,
 * id and version made here) with its audit entry, in a transaction of its
 * own; checks that d->item_id names a deliverable of the deal. */
bf_result api_document_save(api_call *call, document *d, const void *content, size_t len);

/* Calendar feeds (calendar.c, docs/calendar.md). */
bf_result calendar_feed_get(api_call *call, const struct api_route *route);
bf_result calendar_feed_create(api_call *call, const struct api_route *route);
bf_result calendar_feed_delete(api_call *call, const struct api_route *route);
bf_result calendar_feed_ics(api_call *call, const struct api_route *route);

/* Keeps the key dates of the deal's tender form (normalized) for calendars,
 * in the caller's transaction. */
bf_result api_tender_dates_keep(api_call *call, const record *opp, json_t *tender);

/* The knowledge base (knowledge.c). */
bf_result knowledge_search(api_call *call, const struct api_route *route);
bf_result knowledge_create(api_call *call, const struct api_route *route);
bf_result knowledge_get(api_call *call, const struct api_route *route);
bf_result knowledge_put(api_call *call, const struct api_route *route);
bf_result knowledge_publish(api_call *call, const struct api_route *route);
bf_result knowledge_retire(api_call *call, const struct api_route *route);
bf_result knowledge_versions(api_call *call, const struct api_route *route);
bf_result knowledge_facet_list(api_call *call, const struct api_route *route);
bf_result knowledge_for_deal(api_call *call, const struct api_route *route);

/* The global search (search.c). */
bf_result search_get(api_call *call, const struct api_route *route);

/* Writes body (checked against knowledge_body_schema and its kind's
 * detail) as a new entry by the call's actor — a draft unless it says its
 * status — with its audit entry, in the caller's transaction; its id in
 * *id (may be NULL). */
bf_result api_knowledge_save(api_call *call, json_t *body, const char *source_opportunity_id,
                             const char **id);

/* Drafts a reference case from the won deal opp (its customer, industry,
 * region, products, amount, compelling event, description, competitors),
 * the owner's to complete, in the caller's transaction. */
bf_result api_knowledge_draft_case(api_call *call, const record *opp);

/* The handover of a won deal (handover.c). */
bf_result handover_get(api_call *call, const struct api_route *route);
bf_result handover_put(api_call *call, const struct api_route *route);
bf_result handover_acknowledge(api_call *call, const struct api_route *route);
bf_result handovers_waiting(api_call *call, const struct api_route *route);

/* The handover of the won deal opp_id as GET …/handover answers it (kept in
 * the call's arena), without checking who sees the deal. */
bf_result api_handover_json(api_call *call, const char *opp_id, json_t **out);

/* What the closing stage reads of a deal's newest contract (all zero and
 * NULL when it has none). Texts in the call's arena. */
typedef struct contract_facts {
    const char *number, *signed_on, *archived_on;
    bool first_payment_received;  /* the plan's first milestone received in full */
    const char *first_payment_on; /* when it arrived, or NULL */
    int64_t first_payment;        /* fen received of it */
} contract_facts;

/* opportunity_id's newest contract as GET /contracts/{id} answers it (kept
 * in the call's arena), or *out NULL when it has none; without checking who
 * sees it. */
bf_result api_contract_newest_json(api_call *call, const char *opportunity_id, json_t **out);

/* What a template reads about opp, as the viewer sees it (docs/templates.md):
 * a JSON object kept in the call's arena. */
bf_result api_document_data(api_call *call, const record *opp, json_t **out);
bf_result document_data_get(api_call *call, const struct api_route *route);
bf_result templates_list(api_call *call, const struct api_route *route);

/* The parts of a Word file zipped in memory into *data (the call's arena). */
bf_result api_zip_parts(api_call *call, const docx_parts *parts, const char **data, size_t *len);
bf_result template_get(api_call *call, const struct api_route *route);
bf_result template_create(api_call *call, const struct api_route *route);
bf_result template_versions(api_call *call, const struct api_route *route);
bf_result document_render(api_call *call, const struct api_route *route);
bf_result document_preview(api_call *call, const struct api_route *route);

/* The facts of opportunity_id's newest contract, without checking who sees it. */
bf_result api_contract_facts(api_call *call, const char *opportunity_id, contract_facts *out);

/* The quotation of the path, for a document of it: its answer as GET
 * /quotations/{id} gives it to the viewer (404 alike when they do not see
 * its deal), its deal and the deal's account (NULL when gone). */
bf_result api_quotation_paper(api_call *call, quotation *q, json_t **j, record **opp, record **acc);

/* The quotation id and its answer as GET /quotations/{id} gives it (kept
 * in the call's arena), without checking who sees it. */
bf_result api_quotation_load_json(api_call *call, const char *id, quotation *q, json_t **out);

/* The account's buying centre (every contact, by buying role) for MANT. */
struct mant_authority;
bf_result api_buying_centre(api_call *call, const char *account_id, struct mant_authority *out);

/* The checklist state of the opportunity in stage (or the closing, "won"):
 * what was ticked, with the items of framework MANT derived from the MANT
 * form and the account's buying centre instead (completeness is computed
 * from the data, never ticked by hand). *state belongs to the call. */
bf_result checklist_state_of(api_call *call, const record *opp, const playbook *pb,
                             const char *stage_id, checklist_state **state, size_t *n);

/* True when the caller may not see the checklist item: an internal
 * deliverable, to a channel partner. */
bool checklist_item_hidden(api_call *call, const checklist_def *item);

/* True when item is derived from other data (and cannot be ticked). */
bool checklist_item_derived(const checklist_def *item);

/* The opportunity's MANT as computed from its saved MANT form and its
 * account's buying centre (both filled in; *mant belongs to the call, and
 * *updated_at, when not NULL, gets the form's save time or NULL). */
bf_result api_mant_of(api_call *call, const record *opp, json_t **mant,
                      struct mant_authority *authority, const char **updated_at);

/* Recomputes whether the opportunity's MANT is complete (its MANT form and
 * its account's buying centre) and stores it for the funnel. */
bf_result mant_refresh(api_call *call, const record *opp);

/* The shared facts of the deal opp from their homes (core/deal_facts.h),
 * belonging to the call: {"budget": fen|null, "competitors": [names],
 * "decision_makers": [names], "expected_close": date|null} (deal_facts.c). */
bf_result api_deal_facts(api_call *call, const record *opp, json_t **facts);

/* Writes facts (as deal_facts_schema, members optional; a member null clears
 * its fact) to their homes, in the caller's transaction: the deal's fields
 * (a PATCH of those that change), with its audit entry, and the
 * account's contacts' buying roles (deal_facts.c); then MANT's completeness
 * follows. *fresh gets the deal as it now is (the call's arena). */
bf_result api_deal_facts_put(api_call *call, const record *opp, json_t *facts, record **fresh);

/* The same for every opportunity of the account (its buying centre changed). */
bf_result mant_refresh_account(api_call *call, const char *account_id);

/* Resource hooks, defined in the resource files. */
extern const resource_hooks account_hooks;
extern const resource_hooks contact_hooks;
extern const resource_hooks opportunity_hooks;
extern const resource_hooks activity_hooks;
extern const resource_hooks team_hooks;
extern const resource_hooks partner_hooks;
extern const resource_hooks product_hooks;
extern const resource_hooks user_hooks;
extern const resource_hooks view_hooks;

/* ---- notifications (notify.c, webhooks.c, notify_job.c; docs/notifications.md) ---- */

struct notify_settings;
struct notify_message;

/* The setting "notifications": links and when events fall due. */
extern const api_setting api_setting_notifications;

/* Its values, defaults for what it leaves out (borrowed from the call). */
bf_result api_notify_settings(api_call *call, struct notify_settings *out);

/* An event: what it is, its deal (id, name, owner; NULL for none), what it is
 * about (record_type, record_id), the China day it belongs to (NULL:
 * today) and what tells it apart from others of that record and day
 * (NULL: nothing), its facts (borrowed; a JSON object or NULL). */
typedef struct notify_event {
    const char *kind;
    const char *opportunity_id, *deal_name, *deal_owner_id; /* its deal, or NULL */
    const char *record_type, *record_id;
    const char *day, *part;
    json_t *params;
    bool inbox_only; /* not told to the robots */
} notify_event;

/* Writes ev into the inboxes of users[0..n) — but the caller's own, and
 * each once — unless it is there already, and queues it for the robots
 * whose webhooks take it (once per webhook and event), in the caller's
 * transaction; *added (may be NULL) grows by the notifications written. */
bf_result api_notify(api_call *call, const notify_event *ev, const char *const *users, size_t n,
                     size_t *added);

/* The link a robot's message about kind gives, from the setting's
 * public_url, else serve --public-url; NULL without either (in the call's
 * arena). */
const char *api_notify_link(api_call *call, const struct notify_settings *s, const char *kind,
                            const char *opportunity_id);

/* Queues the message m to webhook w as the event (kind, event_key). */
bf_result api_notify_queue(api_call *call, const webhook *w, const char *kind,
                           const char *event_key, const struct notify_message *m);

/* The events of the app, in the caller's transaction: the approval p waits
 * at its level (opp: its deal, or NULL to read it); p was refused, with the
 * approver's comment; the won deal opp was handed over to the
 * implementation members of its team (only_user: to that member alone,
 * added since). */
bf_result api_notify_approval_waiting(api_call *call, const record *opp, const approval *p);
bf_result api_notify_approval_refused(api_call *call, const record *opp, const approval *p,
                                      const char *comment);
bf_result api_notify_handover(api_call *call, const record *opp, const char *only_user);

/* The inbox's handlers. */
bf_result notifications_list(api_call *call, const struct api_route *route);
bf_result notifications_count(api_call *call, const struct api_route *route);
bf_result notification_read(api_call *call, const struct api_route *route);
bf_result notifications_read_all(api_call *call, const struct api_route *route);

/* The webhooks' handlers (an admin's). */
bf_result webhooks_list(api_call *call, const struct api_route *route);
bf_result webhook_create(api_call *call, const struct api_route *route);
bf_result webhook_get(api_call *call, const struct api_route *route);
bf_result webhook_put(api_call *call, const struct api_route *route);
bf_result webhook_delete(api_call *call, const struct api_route *route);
bf_result webhook_test(api_call *call, const struct api_route *route);
bf_result webhook_deliveries(api_call *call, const struct api_route *route);

/* The periodic job (notify_job.c): finds the deals stalled since its last
 * run, the visits planned tomorrow and the tenders' key dates near, as of
 * now (UTC text; NULL: the clock), and writes what is due; idempotent.
 * counts[0..2] (may be NULL) get how many notifications of deal_stalled,
 * visit_tomorrow and tender_near it wrote. */
bf_result api_notify_run(api *app, const char *now, size_t counts[3], bf_error *err);

/* The threads of `bingfa serve` that run the job every interval_s seconds
 * (0: never) and send the outbox to the robots, retrying after backoff's
 * waits, each attempt given timeout_s seconds. */
typedef struct notify_service notify_service;
typedef struct notify_service_options {
    unsigned interval_s;
    unsigned timeout_s;
    const struct notify_backoff *backoff;
} notify_service_options;
bf_result api_notify_start(api *app, const notify_service_options *opt, notify_service **out,
                           bf_error *err);
/* Stops them (an attempt in flight is cut short) and frees s; NULL: nothing. */
void api_notify_stop(notify_service *s);

/* ---- the manager's reports (docs/reports.md) ---- */

/* The query every report takes, checked (422 naming the parameter): from and
 * to (YYYY-MM, this year by default, at most 120 months), currency (CNY),
 * playbook, owner (a user id), team (a team id: its whole tree), as_of (a
 * day, YYYY-MM-DD: q->before the moment after it); for the call's viewer.
 * Strings are the request's or the call's arena. */
bf_result api_report_query(api_call *call, report_cube cube, cube_query *q);

/* The months of expected close a report of open deals keeps to (?from and
 * ?to, YYYY-MM, inclusive; 422 naming the parameter): both NULL when neither
 * is given, and a side left out open ("0000-01", "9999-12"). */
bf_result api_report_window(api_call *call, const char **from, const char **to);

/* The day the report is asked as of (?as_of), or NULL for now; the
 * request's. */
const char *api_report_as_of(api_call *call);

/* The months since year 0 of "YYYY-MM". */
int api_report_month_index(const char *month);

/* Every user and team, to name report rows and roll them up. */
typedef struct report_names {
    report_person *people;
    size_t npeople;
    report_team *teams;
    size_t nteams;
} report_names;

/* Reads the names (in the call's arena). */
bf_result api_report_names(api_call *call, report_names *out);

/* The user or team of id in names, or NULL. */
const report_person *api_report_person(const report_names *names, const char *id);
const report_team *api_report_team(const report_names *names, const char *id);

/* The targets of quarters from..to in currency that the caller may see: an
 * admin all, a manager their tree's, others their own. In the call's arena. */
bf_result api_targets_seen(api_call *call, const char *from, const char *to, const char *currency,
                           sales_target **out, size_t *n);

/* A transfer of spec's record id to owner_id (转移负责人) in the caller's
 * transaction, by the rules of POST …/transfer: an admin moves any record, a
 * manager one whose owner and new owner are both in their team tree (403
 * otherwise); the new owner must be an active user who may own it (422
 * naming owner_id); one audit entry with the reason. expected: the version
 * the caller read (412 when it moved on), or -1 for any. When owner_id owns
 * it already: 422, or with same_ok *unchanged and nothing written. *out is
 * the record as it is now. The caller checked that it sees the record, and
 * api_transfer_may. */
bf_result api_transfer_in_tx(api_call *call, const resource_spec *spec, const char *id,
                             const char *owner_id, const char *reason, int64_t expected,
                             bool same_ok, record **out, bool *unchanged);

/* Whether the caller may transfer records to owner_id at all: a manager or
 * an admin (403), who sees the user owner_id names (422 unknown_reference
 * naming owner_id). */
bf_result api_transfer_may(api_call *call, const char *owner_id);

/* Whether the manager's team tree holds user_id (the manager included;
 * false for NULL): whom a manager transfers records between. */
bf_result api_in_managers_tree(api_call *call, const char *user_id, bool *in);

/* The owners whose place in a manager's team tree a page of records asked
 * about (allowed_actions.c). */
#define API_OWNER_CACHE 32
typedef struct api_owner_cache {
    const char *owner_id[API_OWNER_CACHE];
    bool in[API_OWNER_CACHE];
    size_t n;
} api_owner_cache;

/* Adds "allowed_actions" — what the caller may do to rec by the access rules
 * of core/access.c — to the JSON object of rec just written into out, when rec
 * is an account, a contact, a deal or an activity. cache (or NULL) keeps the
 * store's answers across the records of a page. */
bf_result api_append_allowed_actions(api_call *call, buf *out, const record *rec,
                                     api_owner_cache *cache);

/* Tags (tags.c), bulk actions (bulk.c) and exports of the lists (list_export.c). */
bf_result tags_list(api_call *call, const api_route *route);
bf_result bulk_action(api_call *call, const api_route *route);
bf_result list_export(api_call *call, const api_route *route);

/* The resource called name (a parameter or member called field) when it
 * has tags and the caller sees them: 422 naming field when it names none
 * that has, 403 for a channel partner. */
bf_result api_tagged_resource(api_call *call, const char *name, const char *field,
                              const resource_spec **out);

/* The reports' handlers. */
bf_result reports_forecast_periods(api_call *call, const api_route *route);
bf_result reports_stages(api_call *call, const api_route *route);
bf_result reports_calibration(api_call *call, const api_route *route);
bf_result reports_winloss(api_call *call, const api_route *route);
bf_result reports_changes(api_call *call, const api_route *route);
bf_result reports_activity(api_call *call, const api_route *route);
bf_result opportunity_forecast_put(api_call *call, const api_route *route);
bf_result targets_list(api_call *call, const api_route *route);
bf_result targets_put(api_call *call, const api_route *route);

#endif
