/* The knowledge base (docs/knowledge.md): entries written, reviewed,
 * published and retired; searched; suggested on a deal; drafted from a won
 * deal. Who reads what: published entries every internal user, partners
 * only the shareable ones; a draft its author, its reviewer and admins. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/knowledge.h"
#include "http/response.h"

static bool is_admin(api_call *call)
{
    return call->who->role == ROLE_ADMIN;
}

static bool is_partner(api_call *call)
{
    return call->who->role == ROLE_PARTNER;
}

static bool same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Whether the caller reads e (404 for them otherwise). */
static bool may_read(api_call *call, const knowledge_entry *e)
{
    if (is_partner(call))
        return same(e->status, "published") && e->shareable;
    if (same(e->status, "draft"))
        return is_admin(call) || same(e->author, call->actor) || same(e->reviewer, call->actor) ||
               (e->reviewer == NULL && call->who->role == ROLE_MANAGER);
    return true;
}

/* e as the API answers it: its stored body and what the server keeps. */
static json_t *entry_json(api_call *call, const knowledge_entry *e)
{
    json_t *j = json_loads(e->entry ? e->entry : "{}", 0, NULL);
    if (j == NULL)
        return NULL;
    int bad = json_object_set_new(j, "id", json_string(e->id));
    bad |= json_object_set_new(j, "status", json_string(e->status));
    bad |= json_object_set_new(j, "shareable", json_boolean(e->shareable));
    bad |= json_object_set_new(j, "author", json_string(e->author));
    bad |= json_object_set_new(j, "reviewer", e->reviewer ? json_string(e->reviewer) : json_null());
    bad |= json_object_set_new(j, "source_opportunity_id",
                               e->source_opportunity_id ? json_string(e->source_opportunity_id)
                                                        : json_null());
    bad |= json_object_set_new(j, "version", json_integer(e->version));
    bad |= json_object_set_new(j, "created_at", json_string(e->created_at));
    bad |= json_object_set_new(j, "updated_at", json_string(e->updated_at));
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return api_keep(call, j);
}

/* The facets of a normalized body: its industries, products, tags,
 * stages and activities. */
static bf_result facets_of(api_call *call, json_t *body, knowledge_entry *e)
{
    static const struct {
        const char *key, *facet;
    } lists[] = {{"industries", "industry"},
                 {"products", "product"},
                 {"tags", "tag"},
                 {"stages", "stage"},
                 {"activities", "activity"}};
    size_t n = 0;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        n += json_array_size(json_object_get(body, lists[i].key));
    knowledge_facet *f = arena_alloc(call->arena, (n + 1) * sizeof(*f));
    if (f == NULL)
        return BF_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        size_t j;
        json_t *v;
        json_array_foreach(json_object_get(body, lists[i].key), j, v)
        {
            f[k].facet = lists[i].facet;
            f[k++].value = json_string_value(v);
        }
    }
    e->facets = f;
    e->nfacets = k;
    return BF_OK;
}

/* Fills e from a checked body: what is stored, searched and filtered. */
static bf_result entry_from_body(api_call *call, json_t *body, knowledge_entry *e)
{
    e->kind = json_string_value(json_object_get(body, "kind"));
    e->lang = json_string_value(json_object_get(body, "lang"));
    e->title = json_string_value(json_object_get(body, "title"));
    e->shareable = json_is_true(json_object_get(body, "shareable"));
    e->reviewer = json_string_value(json_object_get(body, "reviewer"));
    e->changed_by = call->actor;
    json_t *kept = json_deep_copy(body);
    if (kept == NULL)
        return BF_ERR_NOMEM;
    json_object_del(kept, "status");
    json_object_del(kept, "reviewer");
    json_object_del(kept, "shareable");
    char *text = json_dumps(kept, JSON_COMPACT);
    json_decref(kept);
    e->entry = text ? arena_strdup(call->arena, text) : NULL;
    free(text);
    knowledge_gram *grams = NULL;
    bf_result r = e->entry ? BF_OK : BF_ERR_NOMEM;
    if (r == BF_OK && ((e->search_title = knowledge_search_title(call->arena, body)) == NULL ||
                       (e->search_text = knowledge_search_text(call->arena, body)) == NULL))
        r = BF_ERR_NOMEM;
    if (r == BF_OK)
        r = knowledge_grams(call->arena, body, &grams, &e->ngrams);
    e->grams = grams;
    return r == BF_OK ? facets_of(call, body, e) : r;
}

/* The body of a POST or PUT, checked, its detail by its kind. */
static bf_result read_body(api_call *call, json_t **body)
{
    bf_result r = api_body_as(call, &knowledge_body_schema, body);
    if (r == BF_OK)
        r = knowledge_check_detail(*body, &call->err);
    const char *status = json_string_value(json_object_get(*body, "status"));
    if (r == BF_OK && status != NULL && !is_admin(call))
        r = bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", "status",
                    "an entry is published by its reviewer (POST …/publish); only an admin loads "
                    "one with its status");
    return r;
}

static bf_result require_writer(api_call *call)
{
    if (is_partner(call))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                       "partners read the knowledge base; they do not write it");
    return BF_OK;
}

static bf_result audit(api_call *call, const char *action, const knowledge_entry *e)
{
    json_t *v = api_keep(call, json_pack("{s:s, s:s, s:s, s:I}", "kind", e->kind, "title", e->title,
                                         "status", e->status, "version", (json_int_t)e->version));
    return v ? api_audit(call, action, "knowledge", e->id, NULL, v) : BF_ERR_NOMEM;
}

static bf_result respond(api_call *call, int status, const knowledge_entry *e)
{
    json_t *j = entry_json(call, e);
    const char *etag = arena_printf(call->arena, "\"%lld\"", (long long)e->version);
    if (j == NULL || etag == NULL || !http_set_header(call->req, "ETag", etag))
        return BF_ERR_NOMEM;
    http_respond_json(call->req, status, json_incref(j));
    return BF_OK;
}

bf_result api_knowledge_save(api_call *call, json_t *body, const char *source_opportunity_id,
                             const char **id)
{
    knowledge_entry e = {.author = call->actor, .source_opportunity_id = source_opportunity_id};
    bf_result r = entry_from_body(call, body, &e);
    const char *status = json_string_value(json_object_get(body, "status"));
    e.status = status ? status : "draft";
    if (r == BF_OK)
        r = store_knowledge_insert(call->app->store, call->arena, &e, &call->err);
    if (r == BF_OK)
        r = audit(call, "knowledge_create", &e);
    if (r == BF_OK && id != NULL)
        *id = e.id;
    return r;
}

typedef struct write_ctx {
    json_t *body;
    int64_t expected;
    knowledge_entry e;
} write_ctx;

static bf_result create_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    const char *id;
    bf_result r = api_knowledge_save(call, w->body, NULL, &id);
    return r == BF_OK ? store_knowledge_get(call->app->store, call->arena, id, &w->e, &call->err)
                      : r;
}

bf_result knowledge_create(api_call *call, const api_route *route)
{
    (void)route;
    write_ctx w = {0};
    bf_result r = require_writer(call);
    if (r == BF_OK)
        r = read_body(call, &w.body);
    if (r == BF_OK)
        r = api_transaction(call, create_in_tx, &w);
    return r == BF_OK ? respond(call, 201, &w.e) : r;
}

static bf_result load(api_call *call, knowledge_entry *e)
{
    bf_result r =
        store_knowledge_get(call->app->store, call->arena, call->req->params[0], e, &call->err);
    if (r == BF_OK && !may_read(call, e))
        r = bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "id", "no knowledge entry %s",
                    call->req->params[0]);
    return r;
}

bf_result knowledge_get(api_call *call, const api_route *route)
{
    (void)route;
    knowledge_entry e;
    bf_result r = load(call, &e);
    return r == BF_OK ? respond(call, 200, &e) : r;
}

static bool may_review(api_call *call, const knowledge_entry *e)
{
    return is_admin(call) || same(e->reviewer, call->actor) ||
           (e->reviewer == NULL && call->who->role == ROLE_MANAGER &&
            !same(e->author, call->actor));
}

static bf_result update_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    knowledge_entry old;
    bf_result r = load(call, &old);
    if (r != BF_OK)
        return r;
    if (!is_admin(call) && !same(old.author, call->actor) && !same(old.reviewer, call->actor))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                       "an entry is changed by its author, its reviewer or an admin");
    if (same(old.status, "retired") && !is_admin(call))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "retired", "status",
                       "the entry is retired; an admin may still change it");
    if (old.version != w->expected)
        return bf_fail(&call->err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the entry was changed by someone else meanwhile: read it again");
    w->e = old;
    if ((r = entry_from_body(call, w->body, &w->e)) != BF_OK)
        return r;
    if (!same(w->e.kind, old.kind))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "kind",
                       "an entry keeps its kind (%s)", old.kind);
    const char *status = json_string_value(json_object_get(w->body, "status"));
    /* A published entry changed by someone else than its reviewer goes
     * back to review. */
    w->e.status = status                                                     ? status
                  : same(old.status, "published") && !may_review(call, &old) ? "draft"
                                                                             : old.status;
    if ((r = store_knowledge_update(call->app->store, call->arena, &w->e, w->expected,
                                    &call->err)) != BF_OK)
        return r;
    return audit(call, "knowledge_update", &w->e);
}

bf_result knowledge_put(api_call *call, const api_route *route)
{
    (void)route;
    write_ctx w = {0};
    bf_result r = require_writer(call);
    if (r == BF_OK)
        r = api_if_match(call, &w.expected);
    if (r == BF_OK)
        r = read_body(call, &w.body);
    if (r == BF_OK)
        r = api_transaction(call, update_in_tx, &w);
    return r == BF_OK ? respond(call, 200, &w.e) : r;
}

/* A change of status only: publish or retire. */
static bf_result status_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    bool publish = w->expected == 1;
    bf_result r = load(call, &w->e);
    if (r != BF_OK)
        return r;
    knowledge_entry *e = &w->e;
    if (publish && !same(e->status, "draft"))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_draft", "status",
                       "the entry is %s: only a draft is published", e->status);
    if (!publish && same(e->status, "retired"))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "retired", "status", "the entry is retired");
    if (publish && !may_review(call, e))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "not_reviewer", NULL,
                       e->reviewer ? "the entry is published by its reviewer, %s, or an admin"
                                   : "an entry without a reviewer is published by a manager "
                                     "who did not write it, or an admin%s",
                       e->reviewer ? e->reviewer : "");
    if (!publish && !is_admin(call) && !same(e->author, call->actor) &&
        !same(e->reviewer, call->actor))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                       "an entry is retired by its author, its reviewer or an admin");
    bool shareable = e->shareable;
    const char *reviewer = e->reviewer ? e->reviewer : publish ? call->actor : NULL;
    json_t *body = api_keep(call, json_loads(e->entry, 0, NULL));
    if (body == NULL)
        return BF_ERR_NOMEM;
    r = entry_from_body(call, body, e); /* the parts written again with the new status */
    e->reviewer = reviewer;
    e->shareable = shareable;
    e->status = publish ? "published" : "retired";
    if (r == BF_OK)
        r = store_knowledge_update(call->app->store, call->arena, e, e->version, &call->err);
    return r == BF_OK ? audit(call, publish ? "knowledge_publish" : "knowledge_retire", e) : r;
}

static bf_result change_status(api_call *call, bool publish)
{
    write_ctx w = {.expected = publish ? 1 : 0};
    bf_result r = require_writer(call);
    if (r == BF_OK)
        r = api_transaction(call, status_in_tx, &w);
    return r == BF_OK ? respond(call, 200, &w.e) : r;
}

bf_result knowledge_publish(api_call *call, const api_route *route)
{
    (void)route;
    return change_status(call, true);
}

bf_result knowledge_retire(api_call *call, const api_route *route)
{
    (void)route;
    return change_status(call, false);
}

bf_result knowledge_versions(api_call *call, const api_route *route)
{
    (void)route;
    knowledge_entry e, *rows = NULL;
    size_t n = 0;
    bf_result r = load(call, &e);
    if (r == BF_OK)
        r = store_knowledge_versions(call->app->store, call->arena, e.id, &rows, &n, &call->err);
    json_t *items = api_keep(call, json_array());
    if (r == BF_OK && items == NULL)
        r = BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        json_t *entry = json_loads(rows[i].entry, 0, NULL);
        json_t *v =
            json_pack("{s:I, s:s, s:s, s:s, s:o}", "version", (json_int_t)rows[i].version, "status",
                      rows[i].status, "changed_by", rows[i].changed_by, "changed_at",
                      rows[i].updated_at, "entry", entry ? entry : json_object());
        if (v == NULL || json_array_append_new(items, v) != 0)
            r = BF_ERR_NOMEM;
    }
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_pack("{s:O}", "items", items));
    return BF_OK;
}

/* The entries found, each with its title and summary as hit segments. */
static bf_result respond_found(api_call *call, const knowledge_entry *rows, size_t n,
                               const char *const *terms, size_t nterms, json_t **out)
{
    json_t *items = api_keep(call, json_array());
    if (items == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        json_t *j = entry_json(call, &rows[i]);
        if (j == NULL)
            return BF_ERR_NOMEM;
        json_t *hits = json_pack(
            "{s:o?, s:o?}", "title", knowledge_hits(rows[i].title, terms, nterms), "summary",
            knowledge_hits(json_string_value(json_object_get(j, "summary")), terms, nterms));
        if (hits == NULL || json_object_set_new(j, "hits", hits) != 0 ||
            json_array_append(items, j) != 0)
            return BF_ERR_NOMEM;
    }
    *out = items;
    return BF_OK;
}

static void query_for(api_call *call, knowledge_query *q, int limit)
{
    *q = (knowledge_query){.viewer = call->actor,
                           .admin = is_admin(call),
                           .partner = is_partner(call),
                           .manager = call->who->role == ROLE_MANAGER,
                           .limit = limit};
}

bf_result knowledge_search(api_call *call, const api_route *route)
{
    (void)route;
    static const char *const facets[] = {"industry", "product", "tag", "stage", "activity"};
    knowledge_query q;
    const char *limit = http_query(call->req, "limit");
    query_for(call, &q, limit ? atoi(limit) : 20);
    if (q.limit < 1 || q.limit > 100)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "limit",
                       "limit must be 1 to 100");
    const char *terms[KNOWLEDGE_TERMS_MAX];
    q.nterms = knowledge_terms(call->arena, http_query(call->req, "q"), terms, KNOWLEDGE_TERMS_MAX);
    q.terms = terms;
    q.kind = http_query(call->req, "kind");
    q.lang = http_query(call->req, "lang");
    q.status = http_query(call->req, "status");
    bool kind_ok = q.kind == NULL, status_ok = q.status == NULL;
    for (size_t i = 0; knowledge_kinds[i]; i++)
        kind_ok |= same(q.kind, knowledge_kinds[i]);
    for (size_t i = 0; knowledge_statuses[i]; i++)
        status_ok |= same(q.status, knowledge_statuses[i]);
    if (!kind_ok || !status_ok || (q.lang && !same(q.lang, "zh") && !same(q.lang, "en")))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value",
                       !kind_ok     ? "kind"
                       : !status_ok ? "status"
                                    : "lang",
                       "kind, status or lang is not one of its values (docs/knowledge.md)");
    for (size_t i = 0; i < sizeof(facets) / sizeof(facets[0]) && q.nall < 4; i++) {
        const char *v = http_query(call->req, facets[i]);
        if (v != NULL && *v)
            q.all[q.nall++] = (knowledge_facet){facets[i], v};
    }
    knowledge_entry *rows = NULL;
    size_t n = 0;
    json_t *items;
    bf_result r = store_knowledge_search(call->app->store, call->arena, &q, &rows, &n, &call->err);
    if (r == BF_OK)
        r = respond_found(call, rows, n, terms, q.nterms, &items);
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_pack("{s:O}", "items", items));
    return BF_OK;
}

bf_result knowledge_facet_list(api_call *call, const api_route *route)
{
    (void)route;
    knowledge_facet_count *rows = NULL;
    size_t n = 0;
    bf_result r = store_knowledge_facets(call->app->store, call->arena, is_partner(call), &rows, &n,
                                         &call->err);
    json_t *by = api_keep(call, json_object());
    if (r == BF_OK && by == NULL)
        r = BF_ERR_NOMEM;
    static const char *const names[] = {"industry", "product", "tag", "stage", "activity"};
    for (size_t i = 0; r == BF_OK && i < sizeof(names) / sizeof(names[0]); i++)
        if (json_object_set_new(by, names[i], json_array()) != 0)
            r = BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        json_t *list = json_object_get(by, rows[i].facet);
        if (list != NULL &&
            json_array_append_new(list, json_pack("{s:s, s:I}", "value", rows[i].value, "count",
                                                  (json_int_t)rows[i].count)))
            r = BF_ERR_NOMEM;
    }
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_incref(by));
    return BF_OK;
}

/* ---- on the deal ---------------------------------------------------------------------- */

/* How well case e fits the deal: the industry and each product it shares,
 * less how far its amount is from the deal's (an order of magnitude: 1). */
static double case_score(const knowledge_entry *e, const char *industry, json_t *products,
                         int64_t amount)
{
    json_t *j = json_loads(e->entry, 0, NULL);
    double score = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "industries"), i, v) score +=
        2 * same(json_string_value(v), industry);
    json_array_foreach(json_object_get(j, "products"), i, v)
    {
        size_t k;
        json_t *p;
        json_array_foreach(products, k, p) score +=
            same(json_string_value(v), json_string_value(p));
    }
    json_t *a = json_object_get(json_object_get(j, "detail"), "amount");
    if (json_is_integer(a) && json_integer_value(a) > 0 && amount > 0)
        score -= fabs(log10((double)json_integer_value(a) / (double)amount));
    json_decref(j);
    return score;
}

typedef struct scored {
    const knowledge_entry *e;
    double score;
} scored;

static int best_first(const void *a, const void *b)
{
    double x = ((const scored *)a)->score, y = ((const scored *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* The entries of kind matching any of the facets, at most limit. */
static bf_result suggest(api_call *call, const knowledge_query *base, const char *kind,
                         const knowledge_facet *any, size_t nany, int limit, knowledge_entry **rows,
                         size_t *n)
{
    knowledge_query q = *base;
    q.kind = kind;
    q.limit = limit;
    q.nany = 0;
    for (size_t i = 0; i < nany && q.nany < 8; i++)
        if (any[i].value != NULL && *any[i].value)
            q.any[q.nany++] = any[i];
    *n = 0;
    if (q.nany == 0)
        return BF_OK;
    return store_knowledge_search(call->app->store, call->arena, &q, rows, n, &call->err);
}

static bf_result add_section(api_call *call, json_t *out, const char *name,
                             const knowledge_entry *rows, size_t n)
{
    json_t *items;
    bf_result r = respond_found(call, rows, n, NULL, 0, &items);
    return r == BF_OK && json_object_set(out, name, items) != 0 ? BF_ERR_NOMEM : r;
}

/* The cases fitting the deal: the twenty that share most, the nearest in
 * size first; the best five under "cases" in out. */
static bf_result suggest_cases(api_call *call, const knowledge_query *base, const record *opp,
                               const char *industry, json_t *products, const knowledge_facet *fit,
                               size_t nfit, json_t *out)
{
    knowledge_entry *rows;
    size_t n;
    bf_result r = suggest(call, base, "case", fit, nfit, 20, &rows, &n);
    if (r != BF_OK)
        return r;
    scored *order = arena_alloc(call->arena, (n + 1) * sizeof(*order));
    knowledge_entry *cases = arena_alloc(call->arena, (n + 1) * sizeof(*cases));
    if (order == NULL || cases == NULL)
        return BF_ERR_NOMEM;
    const field_value *amount = record_field_const(opp, "amount");
    for (size_t k = 0; k < n; k++)
        order[k] = (scored){&rows[k],
                            case_score(&rows[k], industry, products, amount->null ? 0 : amount->i)};
    qsort(order, n, sizeof(*order), best_first);
    for (size_t k = 0; k < n; k++)
        cases[k] = *order[k].e;
    return add_section(call, out, "cases", cases, n < 5 ? n : 5);
}

bf_result knowledge_for_deal(api_call *call, const api_route *route)
{
    (void)route;
    record *opp, *acc;
    const playbook *pb;
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = opportunity_load(call, &opp, &pb);
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, &resource_accounts,
                             record_text(opp, "account_id"), &acc, &call->err);
    if (r != BF_OK)
        return r;
    knowledge_query base;
    query_for(call, &base, 5);
    base.status = "published";
    base.lang = api_lang(call);
    const char *industry = record_text(acc, "industry");
    json_t *deal = api_keep(call, api_record_json(call, opp));
    json_t *products = json_object_get(deal, "products");
    knowledge_facet by_product[8], places[8];
    size_t np = 0, nplaces = 0;
    size_t i;
    json_t *v;
    json_array_foreach(products, i, v)
    {
        if (np < 7)
            by_product[np++] = (knowledge_facet){"product", json_string_value(v)};
    }
    const stage_def *stage = playbook_stage(pb, record_text(opp, "stage"), NULL);
    if (stage != NULL) {
        places[nplaces++] =
            (knowledge_facet){"stage", arena_printf(call->arena, "%s:%s", pb->id, stage->id)};
        for (size_t k = 0; k < stage->nitems && nplaces < 8; k++)
            if (stage->items[k].type == ITEM_ACTIVITY)
                places[nplaces++] = (knowledge_facet){
                    "activity", arena_printf(call->arena, "%s:%s", pb->id, stage->items[k].id)};
    }
    knowledge_facet fit[8];
    size_t nfit = 0;
    if (industry && *industry)
        fit[nfit++] = (knowledge_facet){"industry", industry};
    for (size_t k = 0; k < np && nfit < 8; k++)
        fit[nfit++] = by_product[k];
    json_t *out = api_keep(call, json_object());
    if (out == NULL)
        return BF_ERR_NOMEM;
    knowledge_entry *rows;
    size_t n;
    if ((r = suggest_cases(call, &base, opp, industry, products, fit, nfit, out)) != BF_OK)
        return r;
    static const struct {
        const char *kind, *name;
        int by; /* 0: the deal's stage and its key activities, 1: its products, 2: the fit */
    } sections[] = {{"objection", "objections", 0},
                    {"question", "questions", 0},
                    {"selling_point", "selling_points", 1},
                    {"solution", "solutions", 2}};
    for (size_t k = 0; k < sizeof(sections) / sizeof(sections[0]); k++) {
        const knowledge_facet *any = sections[k].by == 0   ? places
                                     : sections[k].by == 1 ? by_product
                                                           : fit;
        size_t nany = sections[k].by == 0 ? nplaces : sections[k].by == 1 ? np : nfit;
        if ((r = suggest(call, &base, sections[k].kind, any, nany, 5, &rows, &n)) != BF_OK ||
            (r = add_section(call, out, sections[k].name, rows, n)) != BF_OK)
            return r;
    }
    http_respond_json(call->req, 200, json_incref(out));
    return BF_OK;
}

bf_result api_knowledge_draft_case(api_call *call, const record *opp)
{
    record *acc;
    bf_error ignored;
    if (store_record_get(call->app->store, call->arena, &resource_accounts,
                         record_text(opp, "account_id"), &acc, &ignored) != BF_OK)
        return BF_OK; /* no customer, no case */
    json_t *deal = api_keep(call, api_record_json(call, opp));
    const field_value *amount = record_field_const(opp, "amount");
    const char *industry = record_text(acc, "industry");
    json_t *body = api_keep(
        call,
        json_pack("{s:s, s:s, s:s, s:[], s:O?, s:[s], s:{s:s, s:s?, s:s?, s:s?, s:s?}}", "kind",
                  "case", "lang", "zh", "title",
                  arena_printf(call->arena, "参考案例：%s", record_text(opp, "name")), "industries",
                  "products", json_object_get(deal, "products"), "tags", "赢单案例", "detail",
                  "customer", record_text(acc, "name"), "industry",
                  industry && *industry ? industry : NULL, "region", record_text(acc, "region"),
                  "background", record_text(opp, "compelling_event"), "delivered", NULL));
    if (body == NULL || deal == NULL)
        return BF_ERR_NOMEM;
    if (industry && *industry)
        json_array_append_new(json_object_get(body, "industries"), json_string(industry));
    json_t *detail = json_object_get(body, "detail");
    if (!amount->null)
        json_object_set_new(detail, "amount", json_integer(amount->i));
    const char *need = record_text(opp, "description");
    if (need && *need && /* the deal's need: the case's first pain, its cause to write */
        json_object_set_new(detail, "pains", json_pack("[{s:s}]", "pain", need)) != 0)
        return BF_ERR_NOMEM;
    json_t *competitors = json_object_get(deal, "competitors");
    if (json_array_size(competitors) > 0)
        json_object_set(detail, "competitors", competitors);
    json_t *norm;
    bf_result r = schema_check(&knowledge_body_schema, body, &norm, &call->err);
    if (r == BF_OK && api_keep(call, norm) == NULL)
        r = BF_ERR_NOMEM;
    if (r == BF_OK)
        r = knowledge_check_detail(norm, &call->err);
    /* The owner writes it up: the draft is theirs. */
    const char *actor = call->actor;
    const char *owner = record_text(opp, "owner");
    if (r == BF_OK && owner && *owner)
        call->actor = owner;
    if (r == BF_OK)
        r = api_knowledge_save(call, norm, opp->id, NULL);
    call->actor = actor;
    return r;
}
