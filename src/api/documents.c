/* Documents kept on deals (docs/documents.md): files uploaded, or made from
 * a template and saved, each save of a name a new version; read by whoever
 * sees the deal (a partner only what is shared with it), written by those
 * who work the deal; linked to the checklist deliverable they satisfy. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/filetype.h"
#include "http/response.h"

static bool is_category(const char *c)
{
    for (size_t i = 0; c && document_categories[i]; i++)
        if (strcmp(document_categories[i], c) == 0)
            return true;
    return false;
}

const char *api_document_category_of_kind(const char *kind)
{
    static const struct {
        const char *kind, *category;
    } map[] = {{"letter", "letter"},
               {"quotation", "quotation"},
               {"contract", "contract"},
               {"case", "case"},
               {"proposal", "proposal"},
               {"research_plan", "research_plan"},
               {"needs_report", "needs_report"},
               {"handover", "handover"}};
    for (size_t i = 0; kind && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].kind, kind) == 0)
            return map[i].category;
    return "other";
}

json_t *api_document_json(api_call *call, const document *d)
{
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:s, s:s, s:s?, s:o, s:s?, s:b, s:s?, s:s, s:s, s:s}",
        "id", d->id, "opportunity_id", d->opportunity_id, "name", d->name, "version",
        (json_int_t)d->version, "category", d->category, "content_type", d->content_type, "size",
        (json_int_t)d->size, "sha256", d->sha256, "source", d->source, "template_key",
        d->template_key, "template_version",
        d->template_key ? json_integer(d->template_version) : json_null(), "item_id", d->item_id,
        "shared", d->shared, "note", d->note, "created_at", d->created_at, "created_by",
        d->created_by, "download",
        arena_printf(call->arena, "/api/v1/documents/%s/content", d->id));
    return api_keep(call, j);
}

bf_result api_document_respond(api_call *call, int status, const document *d)
{
    json_t *j = api_document_json(call, d);
    if (j == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, status, json_incref(j));
    return BF_OK;
}

/* The checklist item id of the deal's playbook that is a deliverable (in
 * any stage or the closing), or NULL. */
static const checklist_def *deliverable_of(const playbook *pb, const char *item_id)
{
    for (size_t s = 0; s < pb->nstages; s++) {
        const checklist_def *d = playbook_item(pb, &pb->stages[s], item_id);
        if (d != NULL)
            return d;
    }
    return playbook_item(pb, NULL, item_id);
}

static bool is_deliverable(const checklist_def *d)
{
    return d->type == ITEM_DELIVERABLE || (d->kind != NULL && strcmp(d->kind, "deliverable") == 0);
}

/* 422 unless item_id is a deliverable of the deal's playbook the caller sees. */
static bf_result check_item(api_call *call, const char *deal, const char *item_id)
{
    if (item_id == NULL)
        return BF_OK;
    record *opp;
    const playbook *pb;
    bf_result r = opportunity_load_id(call, deal, &opp, &pb);
    if (r != BF_OK)
        return r;
    const checklist_def *d = deliverable_of(pb, item_id);
    if (d == NULL || checklist_item_hidden(call, d) || !is_deliverable(d))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "item_id",
                       "%s is not a deliverable of playbook %s", item_id, pb->id);
    return BF_OK;
}

/* Loads the document of the path's id, as the caller may see it: the deal
 * visible, and for a partner only a shared document (404 otherwise). */
static bf_result load(api_call *call, const char *id, document *d)
{
    bf_result r = store_document_get(call->app->store, call->arena, id, d, &call->err);
    if (r == BF_OK)
        r = api_require_visible(call, &resource_opportunities, d->opportunity_id);
    if (r == BF_OK && call->who->role == ROLE_PARTNER && !d->shared)
        r = BF_ERR_NOT_FOUND;
    if (r == BF_ERR_NOT_FOUND)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "id", "no document %s", id);
    return r;
}

/* 403 unless the caller may change or delete d: who may change the deal's
 * papers, or whoever added it. */
static bf_result require_document_writer(api_call *call, const document *d)
{
    if (strcmp(d->created_by, call->actor) == 0 && call->who->role != ROLE_IMPLEMENTATION)
        return BF_OK;
    return api_require_deal_writer(call, "documents");
}

static bf_result audit(api_call *call, const char *action, const document *d)
{
    json_t *v =
        api_keep(call, json_pack("{s:s, s:s, s:I, s:s, s:I, s:s, s:s?, s:b}", "document", d->id,
                                 "name", d->name, "version", (json_int_t)d->version, "category",
                                 d->category, "size", (json_int_t)d->size, "sha256", d->sha256,
                                 "item_id", d->item_id, "shared", d->shared));
    return v ? api_audit(call, action, "opportunities", d->opportunity_id, NULL, v) : BF_ERR_NOMEM;
}

typedef struct save_ctx {
    document d;
    const void *content;
} save_ctx;

static bf_result save_in_tx(api_call *call, void *ctx)
{
    save_ctx *w = ctx;
    bf_result r = check_item(call, w->d.opportunity_id, w->d.item_id);
    if (r == BF_OK)
        r = store_document_insert(call->app->store, call->arena, &w->d, w->content, &call->err);
    return r == BF_OK ? audit(call, "document_add", &w->d) : r;
}

bf_result api_document_save(api_call *call, document *d, const void *content, size_t len)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    char *hex = arena_alloc(call->arena, 2 * sizeof(hash) + 1);
    if (hex == NULL)
        return BF_ERR_NOMEM;
    crypto_hash_sha256(hash, content, len);
    sodium_bin2hex(hex, 2 * sizeof(hash) + 1, hash, sizeof(hash));
    d->sha256 = hex;
    d->size = (int64_t)len;
    d->created_by = call->actor;
    if (call->who->role == ROLE_PARTNER)
        d->shared = true; /* a partner's own documents stay visible to it */
    save_ctx w = {.d = *d, .content = content};
    bf_result r = api_transaction(call, save_in_tx, &w);
    if (r == BF_OK)
        *d = w.d;
    return r;
}

/* A query flag: "true" or "1"; "false", "0" or absent; else 422. */
static bf_result query_flag(api_call *call, const char *name, bool *out)
{
    const char *v = http_query(call->req, name);
    if (v == NULL || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", name,
                       "%s must be true or false", name);
    return BF_OK;
}

static bf_result query_category(api_call *call, const char *fallback, const char **out)
{
    const char *c = http_query(call->req, "category");
    *out = c ? c : fallback;
    if (!is_category(*out))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "category",
                       "category must be one of proposal, quotation, contract, service_contract, "
                       "statement_of_work, research_results, research_plan, needs_report, letter, "
                       "case, handover, minutes, tender, other");
    return BF_OK;
}

bf_result document_upload(api_call *call, const api_route *route)
{
    (void)route;
    const char *deal = call->req->params[0];
    bf_result r = api_require_visible(call, &resource_opportunities, deal);
    if (r == BF_OK)
        r = api_require(call, ACCESS_TICK_CHECKLISTS);
    if (r != BF_OK)
        return r;
    const char *given = http_query(call->req, "name");
    if (given == NULL || *given == '\0')
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "name",
                       "name (the file's name, with its extension) is required");
    const char *name = filetype_safe_name(call->arena, given);
    if (name == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "name",
                       "name must be UTF-8 and keep something besides dots, spaces and the "
                       "characters \\ / : * ? \" < > |");
    document d = {.opportunity_id = deal, .name = name, .source = "upload"};
    if ((r = filetype_check(name, call->req->body.data, call->req->body.len, &d.content_type,
                            &call->err)) != BF_OK ||
        (r = query_category(call, "other", &d.category)) != BF_OK ||
        (r = query_flag(call, "shared", &d.shared)) != BF_OK)
        return r;
    d.item_id = http_query(call->req, "item_id");
    if (d.item_id != NULL && *d.item_id == '\0')
        d.item_id = NULL;
    d.note = http_query(call->req, "note");
    if ((r = api_document_save(call, &d, call->req->body.data, call->req->body.len)) != BF_OK)
        return r;
    return api_document_respond(call, 201, &d);
}

/* Newest first: by the creation of each name's newest version. */
static int newest_first(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "created_at"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "created_at"));
    int c = strcmp(y ? y : "", x ? x : "");
    if (c != 0)
        return c;
    x = json_string_value(json_object_get(*(json_t *const *)a, "id"));
    y = json_string_value(json_object_get(*(json_t *const *)b, "id"));
    return strcmp(x ? x : "", y ? y : "");
}

bf_result documents_of_deal(api_call *call, const api_route *route)
{
    (void)route;
    const char *deal = call->req->params[0];
    bf_result r = api_require_visible(call, &resource_opportunities, deal);
    document *rows = NULL;
    size_t n = 0;
    if (r == BF_OK)
        r = store_document_list(call->app->store, call->arena, deal,
                                call->who->role == ROLE_PARTNER, &rows, &n, &call->err);
    json_t *items = api_keep(call, json_array());
    if (r == BF_OK && items == NULL)
        r = BF_ERR_NOMEM;
    /* Rows come by name, newest version first: the first of a name is the
     * item, the rest its earlier versions. */
    json_t *current = NULL, *earlier = NULL;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        json_t *j = api_document_json(call, &rows[i]);
        if (j == NULL)
            return BF_ERR_NOMEM;
        if (i > 0 && strcmp(rows[i].name, rows[i - 1].name) == 0) {
            if (json_array_append(earlier, j) != 0)
                r = BF_ERR_NOMEM;
            continue;
        }
        current = j;
        earlier = json_array();
        if (earlier == NULL || json_object_set_new(current, "earlier", earlier) != 0 ||
            json_array_append(items, current) != 0)
            r = BF_ERR_NOMEM;
    }
    if (r != BF_OK)
        return r;
    size_t count = json_array_size(items);
    json_t **sorted = arena_alloc(call->arena, (count + 1) * sizeof(*sorted));
    json_t *ordered = api_keep(call, json_array());
    if (sorted == NULL || ordered == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < count; i++)
        sorted[i] = json_array_get(items, i);
    qsort(sorted, count, sizeof(*sorted), newest_first);
    for (size_t i = 0; i < count; i++)
        if (json_array_append(ordered, sorted[i]) != 0)
            return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, json_pack("{s:O}", "items", ordered));
    return BF_OK;
}

bf_result document_get(api_call *call, const api_route *route)
{
    (void)route;
    document d;
    bf_result r = load(call, call->req->params[0], &d);
    return r == BF_OK ? api_document_respond(call, 200, &d) : r;
}

bf_result document_content(api_call *call, const api_route *route)
{
    (void)route;
    document d;
    const void *data = NULL;
    size_t len = 0;
    bf_result r = load(call, call->req->params[0], &d);
    if (r == BF_OK)
        r = store_document_content(call->app->store, call->arena, d.sha256, &data, &len,
                                   &call->err);
    if (r != BF_OK)
        return r;
    if (!http_set_attachment(call->req, d.name) ||
        !http_set_header(call->req, "Cache-Control", "private, no-store"))
        return BF_ERR_NOMEM;
    http_respond_body(call->req, 200, d.content_type, data, len);
    return BF_OK;
}

typedef struct change_ctx {
    json_t *body;
    document d;
} change_ctx;

static bf_result change_in_tx(api_call *call, void *ctx)
{
    change_ctx *w = ctx;
    bf_result r = load(call, call->req->params[0], &w->d);
    if (r == BF_OK)
        r = require_document_writer(call, &w->d);
    if (r != BF_OK)
        return r;
    /* The body is the whole of what may change: what it leaves out is cleared. */
    w->d.category = json_string_value(json_object_get(w->body, "category"));
    w->d.note = json_string_value(json_object_get(w->body, "note"));
    w->d.shared = json_is_true(json_object_get(w->body, "shared"));
    w->d.item_id = json_string_value(json_object_get(w->body, "item_id"));
    if ((r = check_item(call, w->d.opportunity_id, w->d.item_id)) != BF_OK)
        return r;
    if (!is_category(w->d.category))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "category", "no category %s",
                       w->d.category);
    if (call->who->role == ROLE_PARTNER && !w->d.shared)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "shared",
                       "a partner's documents stay shared with the partner");
    r = store_document_update(call->app->store, &w->d, &call->err);
    return r == BF_OK ? audit(call, "document_update", &w->d) : r;
}

bf_result document_change(api_call *call, const api_route *route)
{
    change_ctx w = {0};
    bf_result r = api_body_as(call, route->body, &w.body);
    if (r == BF_OK)
        r = api_transaction(call, change_in_tx, &w);
    return r == BF_OK ? api_document_respond(call, 200, &w.d) : r;
}

static bf_result delete_in_tx(api_call *call, void *ctx)
{
    document *d = ctx;
    bf_result r = load(call, call->req->params[0], d);
    if (r == BF_OK)
        r = require_document_writer(call, d);
    if (r == BF_OK)
        r = store_document_delete(call->app->store, d->id, &call->err);
    return r == BF_OK ? audit(call, "document_delete", d) : r;
}

bf_result document_delete(api_call *call, const api_route *route)
{
    (void)route;
    document d;
    bf_result r = api_transaction(call, delete_in_tx, &d);
    if (r != BF_OK)
        return r;
    http_respond_empty(call->req, 204);
    return BF_OK;
}
