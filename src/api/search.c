/* The global search (docs/search.md): GET /api/v1/search?q=&limit= finds
 * accounts, contacts, deals, activities and knowledge entries by their
 * words, Chinese or English, of the records the caller sees only (the
 * store filters them by the lists' rule; the knowledge base by its own),
 * grouped by kind, best first. Nothing counts or hints at what is hidden. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/knowledge.h"
#include "core/search.h"
#include "core/text.h"
#include "http/response.h"

#define LIMIT_DEFAULT 5
#define LIMIT_MAX 20

static const char *const kind_singular[] = {NULL, "account", "contact", "opportunity", "activity"};

/* Appends the texts (NULL and empty ones left out) joined by " · ". */
static const char *joined(api_call *call, const char *const *texts, size_t n)
{
    buf b;
    buf_init(&b, call->arena, 4096);
    for (size_t i = 0; i < n; i++) {
        if (texts[i] == NULL || *texts[i] == '\0')
            continue;
        if ((b.len > 0 && buf_append_str(&b, " · ") != BF_OK) ||
            buf_append_str(&b, texts[i]) != BF_OK)
            return NULL;
    }
    return arena_strdup(call->arena, buf_cstr(&b));
}

/* A deal's stage by its name in the caller's language (its id when its
 * playbook does not know it). */
static const char *stage_name(api_call *call, const search_hit *h)
{
    const playbook *pb = h->playbook ? playbook_set_find(call->app->playbooks, h->playbook) : NULL;
    const stage_def *st = pb && h->stage ? playbook_stage(pb, h->stage, NULL) : NULL;
    if (st == NULL)
        return h->stage;
    bool en = strcmp(api_lang(call), "en") == 0;
    return en && st->name.en ? st->name.en : st->name.zh ? st->name.zh : h->stage;
}

static const char *subtitle_of(api_call *call, search_kind kind, const search_hit *h)
{
    char day[11] = "";
    if (h->at != NULL)
        snprintf(day, sizeof(day), "%.10s", h->at);
    switch (kind) {
    case SEARCH_ACCOUNT:
        return joined(call, (const char *[]){h->industry, h->region, h->owner}, 3);
    case SEARCH_CONTACT:
        return joined(call, (const char *[]){h->job_title, h->account}, 2);
    case SEARCH_OPPORTUNITY:
        return joined(call, (const char *[]){h->account, stage_name(call, h), h->owner}, 3);
    case SEARCH_ACTIVITY:
        return joined(
            call, (const char *[]){h->opportunity ? h->opportunity : h->account, day, h->owner}, 3);
    }
    return NULL;
}

static bool has_hit(json_t *segments)
{
    size_t i;
    json_t *seg;
    json_array_foreach(segments, i, seg)
    {
        if (json_is_true(json_object_get(seg, "hit")))
            return true;
    }
    return false;
}

/* Whether the words of title hold every piece (as the index matches it:
 * a Latin piece at the start of a word, another anywhere in one). */
static bool title_holds(api_call *call, const char *title, const search_query *q)
{
    buf b;
    buf_init(&b, call->arena, 64 * 1024);
    if (buf_append(&b, " ", 1) != BF_OK || search_words(title, 0, &b) != BF_OK)
        return false;
    for (size_t i = 0; i < q->npieces; i++) {
        const char *piece = q->pieces[i];
        const char *at = strstr(buf_cstr(&b), piece);
        if (search_piece_latin(piece))
            for (at = buf_cstr(&b); at && (at = strstr(at, piece)) != NULL && at[-1] != ' ';)
                at++;
        if (at == NULL)
            return false;
    }
    return true;
}

/* Where the words were found when the title does not hold them all: the
 * first of fields (name, text pairs) that shows one of them, as {field,
 * hits}; NULL when the title holds them or no field shows them. */
static json_t *match_of(api_call *call, const char *title, const char *const *fields,
                        size_t nfields, const search_query *q)
{
    if (title_holds(call, title, q))
        return NULL;
    for (size_t i = 0; i + 1 < nfields; i += 2) {
        if (fields[i + 1] == NULL)
            continue;
        json_t *hits = knowledge_hits(fields[i + 1], q->pieces, q->npieces);
        if (hits != NULL && has_hit(hits))
            return json_pack("{s:s, s:o}", "field", fields[i], "hits", hits);
        json_decref(hits);
    }
    return NULL;
}

/* The fields beside the title a match may be shown in, as name, text. */
static size_t fields_of(search_kind kind, const search_hit *h, const char **f)
{
    size_t n = 0;
    switch (kind) {
    case SEARCH_CONTACT:
        f[n++] = "title", f[n++] = h->job_title, f[n++] = "phone", f[n++] = h->phone;
        f[n++] = "email", f[n++] = h->email, f[n++] = "account", f[n++] = h->account;
        break;
    case SEARCH_OPPORTUNITY:
        f[n++] = "account", f[n++] = h->account;
        break;
    case SEARCH_ACTIVITY:
        f[n++] = "outcome", f[n++] = h->outcome;
        break;
    case SEARCH_ACCOUNT:
        break;
    }
    return n;
}

static json_t *hit_json(api_call *call, search_kind kind, const search_hit *h,
                        const search_query *q)
{
    const char *title = h->title ? h->title : "";
    const char *fields[8];
    size_t nfields = fields_of(kind, h, fields);
    json_t *hits = knowledge_hits(title, q->pieces, q->npieces);
    json_t *match = match_of(call, title, fields, nfields, q);
    const char *subtitle = subtitle_of(call, kind, h);
    return json_pack("{s:s, s:s, s:s, s:s, s:o?, s:o, s:o, s:o, s:o}", "id", h->id, "kind",
                     kind_singular[kind], "title", title, "subtitle", subtitle ? subtitle : "",
                     "hits", hits, "match", match ? match : json_null(), "type",
                     api_text_or_null(h->type), "account_id", api_text_or_null(h->account_id),
                     "opportunity_id", api_text_or_null(h->opportunity_id));
}

static json_t *group(const char *kind)
{
    return json_pack("{s:s, s:[]}", "kind", kind, "items");
}

/* The knowledge entries the words find, as the knowledge base's own search
 * finds them for the caller (published ones, and the drafts they read). */
static bf_result knowledge_group(api_call *call, const char *q, int limit, json_t *items)
{
    const char *terms[KNOWLEDGE_TERMS_MAX];
    knowledge_query kq = {.viewer = call->actor,
                          .admin = call->who->role == ROLE_ADMIN,
                          .partner = call->who->role == ROLE_PARTNER,
                          .manager = call->who->role == ROLE_MANAGER,
                          .terms = terms,
                          .limit = limit};
    kq.nterms = knowledge_terms(call->arena, q, terms, KNOWLEDGE_TERMS_MAX);
    if (kq.nterms == 0)
        return BF_OK;
    knowledge_entry *rows = NULL;
    size_t n = 0;
    bf_result r = store_knowledge_search(call->app->store, call->arena, &kq, &rows, &n, &call->err);
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        json_t *entry = json_loads(rows[i].entry ? rows[i].entry : "{}", 0, NULL);
        const char *summary = json_string_value(json_object_get(entry, "summary"));
        json_t *match = NULL;
        json_t *title_hits = knowledge_hits(rows[i].title, terms, kq.nterms);
        if (summary != NULL && !has_hit(title_hits)) {
            json_t *hits = knowledge_hits(summary, terms, kq.nterms);
            match = hits && has_hit(hits)
                        ? json_pack("{s:s, s:o}", "field", "summary", "hits", hits)
                        : NULL;
            if (match == NULL)
                json_decref(hits);
        }
        json_t *item = json_pack(
            "{s:s, s:s, s:s, s:s, s:o?, s:o, s:s, s:n, s:n}", "id", rows[i].id, "kind", "knowledge",
            "title", rows[i].title, "subtitle", summary ? summary : "", "hits", title_hits, "match",
            match ? match : json_null(), "type", rows[i].kind, "account_id", "opportunity_id");
        json_decref(entry);
        if (item == NULL || json_array_append_new(items, item) != 0)
            r = BF_ERR_NOMEM;
    }
    return r;
}

/* The query's words, checked: 422 naming q when there are none or too
 * many characters, limit when it is not 1 to LIMIT_MAX. */
static bf_result read_query(api_call *call, search_query *sq, const char **q)
{
    *q = http_query(call->req, "q");
    const char *limit = http_query(call->req, "limit");
    size_t len = *q ? strlen(*q) : 0;
    const char *trimmed = *q ? text_trim(*q, &len) : NULL;
    if (trimmed == NULL || len == 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "q",
                       "q is required: the words to search for");
    if (!text_utf8_valid(trimmed, len, NULL) || text_utf8_length(trimmed, len) > SEARCH_QUERY_CHARS)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "q",
                       "q must be UTF-8 text of at most %d characters", SEARCH_QUERY_CHARS);
    char *end = NULL;
    long n = limit ? strtol(limit, &end, 10) : LIMIT_DEFAULT;
    if (limit != NULL && (*limit == '\0' || *end != '\0' || n < 1 || n > LIMIT_MAX))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "limit",
                       "limit must be a whole number from 1 to %d", LIMIT_MAX);
    *sq = (search_query){.who = call->who, .limit = (int)n};
    sq->npieces = search_pieces(call->arena, *q, sq->pieces, SEARCH_PIECES_MAX);
    if (sq->npieces == 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "q",
                       "q holds no letter or digit to search for");
    return BF_OK;
}

bf_result search_get(api_call *call, const api_route *route)
{
    (void)route;
    search_query sq;
    const char *q;
    bf_result r = read_query(call, &sq, &q);
    if (r != BF_OK)
        return r;
    search_found found;
    if ((r = store_search(call->app->store, call->arena, &sq, &found, &call->err)) != BF_OK)
        return r;
    json_t *groups = api_keep(call, json_array());
    if (groups == NULL)
        return BF_ERR_NOMEM;
    for (int kind = SEARCH_ACCOUNT; kind <= SEARCH_ACTIVITY; kind++) {
        json_t *g = group(search_kind_name((search_kind)kind));
        if (g == NULL || json_array_append_new(groups, g) != 0)
            return BF_ERR_NOMEM;
        json_t *items = json_object_get(g, "items");
        for (size_t i = 0; i < found.n[kind]; i++) {
            json_t *item = hit_json(call, (search_kind)kind, &found.hits[kind][i], &sq);
            if (item == NULL || json_array_append_new(items, item) != 0)
                return BF_ERR_NOMEM;
        }
    }
    json_t *g = group("knowledge");
    if (g == NULL || json_array_append_new(groups, g) != 0)
        return BF_ERR_NOMEM;
    if ((r = knowledge_group(call, q, sq.limit, json_object_get(g, "items"))) != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_pack("{s:s, s:O}", "q", q, "groups", groups));
    return BF_OK;
}
