/* The handover of a won deal to implementation (docs/documents.md): the
 * package the seeds list — the contract, the service contract, the statement
 * of work, the research results, the proposal, the verbal commitments made,
 * the customer's project lead and contacts — assembled from the deal's
 * contract, documents (by category) and handover record; the
 * implementation user on the deal team acknowledges receipt (audited) once
 * it is complete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/response.h"

/* The parts of the package, in the order shown; each met by one of the
 * document categories named (or, for the contract, a signed contract). */
static const struct part {
    const char *key;
    const char *categories[3];
} parts[] = {
    {"contract", {"contract", NULL}},
    {"service_contract", {"service_contract", NULL}},
    {"statement_of_work", {"statement_of_work", NULL}},
    {"research_results", {"research_results", "needs_report", NULL}},
    {"proposal", {"proposal", NULL}},
    {"commitments", {NULL}},
    {"project_lead", {NULL}},
    {"implementer", {NULL}},
};

#define NPARTS (sizeof(parts) / sizeof(parts[0]))

/* What the package holds: a per-part flag and the JSON of each part. */
typedef struct package {
    handover h;
    record *opp;
    bool done[NPARTS];
    json_t *items, *missing, *implementers, *lead;
    bool complete; /* every part but the implementer, who acknowledges */
} package;

static bool met_by(const struct part *p, const char *category)
{
    for (size_t i = 0; p->categories[i]; i++)
        if (strcmp(p->categories[i], category) == 0)
            return true;
    return false;
}

/* The documents part p's documents: the newest version of each name in one
 * of its categories. */
static bf_result part_documents(api_call *call, const struct part *p, const document *docs,
                                size_t n, json_t **out)
{
    *out = json_array();
    if (*out == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(docs[i].name, docs[i - 1].name) == 0)
            continue; /* an earlier version */
        if (!met_by(p, docs[i].category))
            continue;
        json_t *j = api_document_json(call, &docs[i]);
        if (j == NULL || json_array_append(*out, j) != 0)
            return BF_ERR_NOMEM;
    }
    return BF_OK;
}

static bf_result lead_json(api_call *call, package *k)
{
    k->lead = NULL;
    if (k->h.project_lead_id == NULL)
        return BF_OK;
    record *c;
    bf_error ignored;
    if (store_record_get(call->app->store, call->arena, &resource_contacts, k->h.project_lead_id,
                         &c, &ignored) != BF_OK)
        return BF_OK; /* a contact since removed leads nothing */
    k->lead = api_keep(call, json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "id", c->id, "name",
                                       record_text(c, "name"), "title", record_text(c, "title"),
                                       "department", record_text(c, "department"), "phone",
                                       record_text(c, "phone"), "email", record_text(c, "email")));
    return k->lead ? BF_OK : BF_ERR_NOMEM;
}

static bf_result implementers_json(api_call *call, package *k)
{
    deal_member *m;
    size_t n;
    bf_result r = store_member_list(call->app->store, call->arena, k->opp->id, &m, &n, &call->err);
    k->implementers = api_keep(call, json_array());
    if (r == BF_OK && k->implementers == NULL)
        r = BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        if (m[i].role == NULL || strcmp(m[i].role, "implementation") != 0)
            continue;
        const char *shown = m[i].display_name && *m[i].display_name ? m[i].display_name : m[i].name;
        if (json_array_append_new(k->implementers,
                                  json_pack("{s:s, s:s, s:s}", "user_id", m[i].id, "name",
                                            m[i].name, "display_name", shown)) != 0)
            r = BF_ERR_NOMEM;
    }
    return r;
}

/* Assembles the package of the won deal opp_id (its handover read). */
static bf_result assemble(api_call *call, const char *opp_id, package *k)
{
    memset(k, 0, sizeof(*k));
    bf_result r = store_record_get(call->app->store, call->arena, &resource_opportunities, opp_id,
                                   &k->opp, &call->err);
    if (r == BF_OK && strcmp(record_text(k->opp, "status"), "won") != 0)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_won", "status",
                       "the opportunity is %s: a deal is handed over once it is won",
                       record_text(k->opp, "status"));
    if (r == BF_OK)
        r = store_handover_get(call->app->store, call->arena, opp_id, &k->h, &call->err);
    if (r == BF_ERR_NOT_FOUND) { /* won before handovers were kept: version 0 until written */
        k->h = (handover){.opportunity_id = opp_id,
                          .created_at = k->opp->updated_at,
                          .updated_at = k->opp->updated_at};
        r = BF_OK;
    }
    document *docs = NULL;
    size_t ndocs = 0;
    if (r == BF_OK)
        r = store_document_list(call->app->store, call->arena, opp_id,
                                call->who->role == ROLE_PARTNER, &docs, &ndocs, &call->err);
    contract_facts facts = {0};
    if (r == BF_OK)
        r = api_contract_facts(call, opp_id, &facts);
    if (r == BF_OK)
        r = lead_json(call, k);
    if (r == BF_OK)
        r = implementers_json(call, k);
    k->items = api_keep(call, json_array());
    k->missing = api_keep(call, json_array());
    if (r == BF_OK && (k->items == NULL || k->missing == NULL))
        r = BF_ERR_NOMEM;
    k->complete = true;
    for (size_t i = 0; r == BF_OK && i < NPARTS; i++) {
        const struct part *p = &parts[i];
        json_t *docs_of = NULL;
        if ((r = part_documents(call, p, docs, ndocs, &docs_of)) != BF_OK)
            break;
        bool done = json_array_size(docs_of) > 0;
        json_t *item = json_pack("{s:s, s:o}", "key", p->key, "documents", docs_of);
        if (item == NULL || json_array_append_new(k->items, item) != 0)
            return BF_ERR_NOMEM;
        int bad = 0;
        if (strcmp(p->key, "contract") == 0 && facts.signed_on != NULL) {
            done = true;
            bad |= json_object_set_new(item, "contract_number", json_string(facts.number));
            bad |= json_object_set_new(item, "signed_on", json_string(facts.signed_on));
        } else if (strcmp(p->key, "commitments") == 0) {
            done = k->h.commitments != NULL && *k->h.commitments != '\0';
            bad |= json_object_set_new(
                item, "text", k->h.commitments ? json_string(k->h.commitments) : json_null());
        } else if (strcmp(p->key, "project_lead") == 0) {
            done = k->lead != NULL;
            bad |=
                json_object_set_new(item, "contact", k->lead ? json_incref(k->lead) : json_null());
        } else if (strcmp(p->key, "implementer") == 0) {
            done = json_array_size(k->implementers) > 0;
            bad |= json_object_set(item, "users", k->implementers);
        }
        bad |= json_object_set_new(item, "done", json_boolean(done));
        if (!done)
            bad |= json_array_append_new(k->missing, json_string(p->key));
        if (bad)
            return BF_ERR_NOMEM;
        k->done[i] = done;
        if (!done && strcmp(p->key, "implementer") != 0)
            k->complete = false;
    }
    return r;
}

static const char *status_of(const package *k)
{
    return k->h.acknowledged_at ? "acknowledged" : k->complete ? "ready" : "incomplete";
}

static json_t *package_json(api_call *call, const package *k)
{
    json_t *j =
        json_pack("{s:s, s:s, s:I, s:s, s:b, s:O, s:O, s:s?, s:O?, s:O, s:s?, s:s?, s:s, s:s, s:s}",
                  "opportunity_id", k->h.opportunity_id, "deal_name", record_text(k->opp, "name"),
                  "version", (json_int_t)k->h.version, "status", status_of(k), "complete",
                  k->complete, "items", k->items, "missing", k->missing, "commitments",
                  k->h.commitments, "project_lead", k->lead, "implementers", k->implementers,
                  "acknowledged_by", k->h.acknowledged_by, "acknowledged_at", k->h.acknowledged_at,
                  "created_at", k->h.created_at, "updated_at", k->h.updated_at, "document",
                  arena_printf(call->arena, "/api/v1/opportunities/%s/documents/handover",
                               k->h.opportunity_id));
    if (j != NULL && k->lead == NULL)
        json_object_set_new(j, "project_lead", json_null());
    return api_keep(call, j);
}

bf_result api_handover_json(api_call *call, const char *opp_id, json_t **out)
{
    package k;
    bf_result r = assemble(call, opp_id, &k);
    if (r == BF_OK && (*out = package_json(call, &k)) == NULL)
        r = BF_ERR_NOMEM;
    return r;
}

static bf_result respond(api_call *call, int status, const package *k)
{
    json_t *j = package_json(call, k);
    if (j == NULL)
        return BF_ERR_NOMEM;
    const char *etag = arena_printf(call->arena, "\"%lld\"", (long long)k->h.version);
    if (etag == NULL || !http_set_header(call->req, "ETag", etag))
        return BF_ERR_NOMEM;
    http_respond_json(call->req, status, json_incref(j));
    return BF_OK;
}

bf_result handover_get(api_call *call, const api_route *route)
{
    (void)route;
    package k;
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = assemble(call, call->req->params[0], &k);
    return r == BF_OK ? respond(call, 200, &k) : r;
}

typedef struct write_ctx {
    json_t *body;
    int64_t expected;
    package k;
} write_ctx;

/* Writes the handover record of a deal won before handovers were kept
 * (version 0: none yet), so that it can be updated. */
static bf_result ensure_record(api_call *call, handover *h)
{
    if (h->version > 0)
        return BF_OK;
    bf_result r = store_handover_open(call->app->store, h->opportunity_id, &call->err);
    if (r == BF_OK)
        r = store_handover_get(call->app->store, call->arena, h->opportunity_id, h, &call->err);
    return r;
}

/* 422 unless contact_id is a contact of the deal's account. */
static bf_result check_lead(api_call *call, const record *opp, const char *contact_id)
{
    record *c;
    bf_error ignored;
    if (contact_id == NULL)
        return BF_OK;
    if (store_record_get(call->app->store, call->arena, &resource_contacts, contact_id, &c,
                         &ignored) != BF_OK ||
        strcmp(record_text(c, "account_id"), record_text(opp, "account_id")) != 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "project_lead_id",
                       "project_lead_id must be a contact of the deal's customer");
    return BF_OK;
}

static bf_result put_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    const char *id = call->req->params[0];
    bf_result r = assemble(call, id, &w->k);
    if (r != BF_OK)
        return r;
    if (w->k.h.version != w->expected)
        return bf_fail(&call->err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the handover was changed by someone else meanwhile: read it again");
    if (w->k.h.acknowledged_at != NULL)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "acknowledged", "status",
                       "implementation acknowledged the handover on %s: it is closed",
                       w->k.h.acknowledged_at);
    handover h = w->k.h;
    if ((r = ensure_record(call, &h)) != BF_OK)
        return r;
    /* The body is the whole of what may change: what it leaves out is cleared. */
    h.commitments = json_string_value(json_object_get(w->body, "commitments"));
    h.project_lead_id = json_string_value(json_object_get(w->body, "project_lead_id"));
    if ((r = check_lead(call, w->k.opp, h.project_lead_id)) != BF_OK ||
        (r = store_handover_update(call->app->store, call->arena, &h, h.version, &call->err)) !=
            BF_OK)
        return r;
    json_t *values = api_keep(call, json_pack("{s:s?, s:s?}", "commitments", h.commitments,
                                              "project_lead_id", h.project_lead_id));
    if (values == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_audit(call, "handover_update", "opportunities", id, NULL, values)) != BF_OK)
        return r;
    return assemble(call, id, &w->k);
}

bf_result handover_put(api_call *call, const api_route *route)
{
    write_ctx w = {0};
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = api_require_deal_writer(call, "the handover");
    if (r == BF_OK)
        r = api_if_match_from(call, 0, &w.expected);
    if (r == BF_OK)
        r = api_body_as(call, route->body, &w.body);
    if (r == BF_OK)
        r = api_transaction(call, put_in_tx, &w);
    return r == BF_OK ? respond(call, 200, &w.k) : r;
}

static bf_result acknowledge_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    const char *id = call->req->params[0];
    bf_result r = assemble(call, id, &w->k);
    if (r != BF_OK)
        return r;
    if (w->k.h.acknowledged_at != NULL)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "acknowledged", "status",
                       "the handover was acknowledged by %s on %s", w->k.h.acknowledged_by,
                       w->k.h.acknowledged_at);
    if (!w->k.complete) {
        call->error_extra = json_pack("{s:O}", "missing", w->k.missing);
        return bf_fail(&call->err, BF_ERR_CONFLICT, "incomplete", "items",
                       "the handover package is incomplete; sales must add what is missing first");
    }
    char now[32];
    store_now(now, sizeof(now));
    handover h = w->k.h;
    if ((r = ensure_record(call, &h)) != BF_OK)
        return r;
    h.acknowledged_by = call->actor;
    h.acknowledged_at = arena_strdup(call->arena, now);
    if (h.acknowledged_at == NULL)
        return BF_ERR_NOMEM;
    if ((r = store_handover_update(call->app->store, call->arena, &h, h.version, &call->err)) !=
        BF_OK)
        return r;
    json_t *note = w->body ? json_object_get(w->body, "note") : NULL;
    json_t *values = api_keep(call, json_pack("{s:s, s:s, s:s?}", "acknowledged_by", call->actor,
                                              "acknowledged_at", h.acknowledged_at, "note",
                                              json_string_value(note)));
    if (values == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_audit(call, "handover_acknowledge", "opportunities", id, NULL, values)) != BF_OK)
        return r;
    return assemble(call, id, &w->k);
}

bf_result handover_acknowledge(api_call *call, const api_route *route)
{
    write_ctx w = {0};
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK && call->who->role != ROLE_IMPLEMENTATION)
        r = bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                    "the handover is acknowledged by the implementation user on the deal team");
    if (r == BF_OK && call->req->body.len > 0)
        r = api_body_as(call, route->body, &w.body);
    if (r == BF_OK)
        r = api_transaction(call, acknowledge_in_tx, &w);
    return r == BF_OK ? respond(call, 200, &w.k) : r;
}

bf_result handovers_waiting(api_call *call, const api_route *route)
{
    (void)route;
    const char *limit_text = http_query(call->req, "limit");
    long limit = limit_text ? strtol(limit_text, NULL, 10) : 20;
    if (limit < 1 || limit > 100)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "limit",
                       "limit must be 1 to 100");
    handover *rows = NULL;
    size_t n = 0;
    bf_result r = store_handover_waiting(call->app->store, call->arena, call->who, (int)limit,
                                         &rows, &n, &call->err);
    json_t *items = api_keep(call, json_array());
    if (r == BF_OK && items == NULL)
        r = BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        package k;
        if ((r = assemble(call, rows[i].opportunity_id, &k)) != BF_OK)
            break;
        json_t *j = json_pack("{s:s, s:s, s:s?, s:I, s:s, s:b, s:O, s:O, s:s}", "opportunity_id",
                              rows[i].opportunity_id, "deal_name", rows[i].deal_name, "owner_id",
                              rows[i].owner_id, "amount", (json_int_t)rows[i].amount, "status",
                              status_of(&k), "complete", k.complete, "missing", k.missing,
                              "implementers", k.implementers, "created_at", rows[i].created_at);
        if (j == NULL || json_array_append_new(items, j) != 0)
            r = BF_ERR_NOMEM;
    }
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_pack("{s:O}", "items", items));
    return BF_OK;
}
