/* Playbooks (销售方法): the loaded methodologies, browsed whole or in one
 * language, and custom playbooks imported as new documents or versions. */
#include "api/api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"

/* A copy of v where every text {"zh", "en"} is replaced by the string of
 * lang (zh when the language is missing). */
static json_t *localize(json_t *v, const char *lang)
{
    if (json_is_object(v)) {
        json_t *zh = json_object_get(v, "zh");
        size_t n = json_object_size(v);
        if (json_is_string(zh) && (n == 1 || (n == 2 && json_object_get(v, "en")))) {
            json_t *en = json_object_get(v, "en");
            return json_incref(strcmp(lang, "en") == 0 && json_is_string(en) ? en : zh);
        }
        json_t *out = json_object();
        const char *key;
        json_t *item;
        json_object_foreach(v, key, item)
        {
            json_object_set_new(out, key, localize(item, lang));
        }
        return out;
    }
    if (json_is_array(v)) {
        json_t *out = json_array();
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            json_array_append_new(out, localize(item, lang));
        }
        return out;
    }
    return json_deep_copy(v);
}

bf_result playbooks_list(api_call *call, const api_route *route)
{
    (void)route;
    const char *lang = api_lang(call);
    json_t *items = json_array();
    const playbook_set *set = call->app->playbooks;
    for (size_t i = 0; items && i < playbook_set_count(set); i++) {
        const playbook *pb = playbook_set_at(set, i);
        if (playbook_set_find(set, pb->id) != pb)
            continue; /* older versions are reachable with ?version= */
        json_t *versions = json_array();
        for (size_t k = 0; k < playbook_set_count(set); k++)
            if (strcmp(playbook_set_at(set, k)->id, pb->id) == 0)
                json_array_append_new(versions, json_integer(playbook_set_at(set, k)->version));
        json_t *stages = json_array();
        for (size_t k = 0; stages && k < pb->nstages; k++)
            json_array_append_new(
                stages,
                json_pack("{s:s, s:s, s:s, s:s?, s:i, s:b, s:I}", "id", pb->stages[k].id, "name",
                          i18n_pick(&pb->stages[k].name, lang), "name_zh", pb->stages[k].name.zh,
                          "name_en", pb->stages[k].name.en, "probability",
                          pb->stages[k].probability, "in_funnel", pb->stages[k].in_funnel, "items",
                          (json_int_t)pb->stages[k].nitems));
        json_array_append_new(items,
                              json_pack("{s:s, s:i, s:o, s:s, s:s, s:s?, s:o, s:I, s:I, s:o}", "id",
                                        pb->id, "version", pb->version, "versions", versions,
                                        "name", i18n_pick(&pb->name, lang), "name_zh", pb->name.zh,
                                        "name_en", pb->name.en, "description",
                                        json_string(i18n_pick(&pb->description, lang)),
                                        "decision_points", (json_int_t)pb->ndecisions, "modes",
                                        (json_int_t)pb->nmodes, "stages", stages));
    }
    return api_respond_items(call, items);
}

bf_result playbooks_get(api_call *call, const api_route *route)
{
    (void)route;
    const char *id = call->req->params[0];
    const char *version = http_query(call->req, "version");
    const playbook *pb;
    if (version != NULL) {
        char *end;
        errno = 0;
        long v = strtol(version, &end, 10);
        if (*version == '\0' || *end != '\0' || errno || v < 1 || v > 1000000)
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "version",
                           "version must be a positive integer");
        pb = playbook_set_find_version(call->app->playbooks, id, (int)v);
    } else {
        pb = playbook_set_find(call->app->playbooks, id);
    }
    if (pb == NULL)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", NULL,
                       "no playbook with id %s%s%s", id, version ? " and version " : "",
                       version ? version : "");
    /* Without a language the document is served whole, both languages; with
     * one, every text becomes a plain string. Either way from a copy: the
     * shared document is only read by requests. */
    bool one_language =
        http_query(call->req, "lang") != NULL || http_header(call->req, "Accept-Language");
    json_t *doc = one_language ? localize(pb->doc, api_lang(call)) : json_deep_copy(pb->doc);
    if (doc != NULL && one_language)
        json_object_set_new(doc, "lang", json_string(api_lang(call)));
    http_respond_json(call->req, 200, doc);
    return BF_OK;
}

/* The problems of a playbook, each with its path, code and message in the
 * request's language. */
static json_t *problems_json(api_call *call, const playbook_problems *pr)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < pr->n; i++) {
        const playbook_problem *p = &pr->items[i];
        json_t *o = json_pack("{s:s, s:s, s:s}", "path", p->path, "code", p->err.code, "message",
                              http_error_text(call->req, "playbooks", &p->err));
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* Stores the playbook pb (a new version) with its audit entry. */
static bf_result import_in_tx(api_call *call, void *ctx)
{
    const playbook *pb = ctx;
    const char *text = api_json_text(call, pb->doc, JSON_COMPACT);
    bool inserted = false;
    bf_result r = text ? store_playbook_put(call->app->store, pb->id, pb->version, text,
                                            call->actor, &inserted, &call->err)
                       : BF_ERR_NOMEM;
    if (r == BF_OK && !inserted)
        r = bf_fail(&call->err, BF_ERR_CONFLICT, "version_exists", "version",
                    "version %d of playbook %s is stored already", pb->version, pb->id);
    json_t *v = api_keep(call, json_pack("{s:s, s:i}", "id", pb->id, "version", pb->version));
    if (r == BF_OK)
        r = v ? api_audit(call, "playbook_import", "playbooks", pb->id, NULL, v) : BF_ERR_NOMEM;
    return r;
}

/* Adds the stored playbooks the set lacks; false when out of memory. */
static bool add_stored(playbook_set *set, const stored_playbook *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (playbook_set_find_version(set, items[i].id, items[i].version) != NULL)
            continue;
        playbook *pb = NULL;
        bf_error err = {0};
        bf_result r = playbook_parse(items[i].doc, strlen(items[i].doc), &pb, NULL, &err);
        if (r == BF_ERR_NOMEM)
            return false;
        if (r == BF_OK && playbook_set_add(set, pb, &err) != BF_OK)
            playbook_free(pb); /* another request added it meanwhile, or the set is full */
    }
    return true;
}

bf_result api_playbooks_sync(api_call *call)
{
    api *app = call->app;
    int64_t generation = 0;
    bf_result r = store_playbook_generation(app->store, &generation, &call->err);
    if (r != BF_OK || generation == atomic_load(&app->playbooks_generation))
        return r;
    pthread_mutex_lock(&app->playbooks_lock);
    /* The documents are read after the generation: they hold at least what
     * it counts, so the set is complete for it (a request that synced while
     * this one waited for the lock may have made it so already). */
    if (generation != atomic_load(&app->playbooks_generation)) {
        stored_playbook *items = NULL;
        size_t k = 0;
        r = store_playbook_list(app->store, call->arena, &items, &k, &call->err);
        if (r == BF_OK && !add_stored(app->playbooks, items, k))
            r = BF_ERR_NOMEM;
        if (r == BF_OK)
            atomic_store(&app->playbooks_generation, generation);
    }
    pthread_mutex_unlock(&app->playbooks_lock);
    return r;
}

bf_result playbooks_import(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body;
    bf_result r = api_require(call, ACCESS_EDIT_PLAYBOOKS);
    if (r == BF_OK)
        r = api_body(call, &body);
    if (r != BF_OK)
        return r;
    playbook_problems *pr = arena_alloc(call->arena, sizeof(*pr));
    if (pr == NULL)
        return BF_ERR_NOMEM;
    playbook *pb = NULL;
    r = playbook_parse(call->req->body.data, call->req->body.len, &pb, pr, &call->err);
    if (r == BF_ERR_INVALID) {
        call->error_extra = json_pack("{s:o, s:I}", "problems", problems_json(call, pr), "count",
                                      (json_int_t)pr->total);
        return r;
    }
    if (r != BF_OK)
        return r;
    const playbook *latest = playbook_set_find(call->app->playbooks, pb->id);
    if (latest != NULL && pb->version <= latest->version) {
        r = bf_fail(&call->err, BF_ERR_CONFLICT, "version_exists", "version",
                    "playbook %s is at version %d; a new one needs a higher version", pb->id,
                    latest->version);
        playbook_free(pb);
        return r;
    }
    r = api_transaction(call, import_in_tx, pb);
    const char *id = arena_strdup(call->arena, pb->id);
    int version = pb->version;
    if (r == BF_OK && id == NULL)
        r = BF_ERR_NOMEM;
    bf_result added = r == BF_OK ? playbook_set_add(call->app->playbooks, pb, &call->err) : r;
    if (added != BF_OK)
        playbook_free(pb);
    /* A request that synced the stored set may have loaded it already. */
    if (r == BF_OK && added != BF_OK &&
        playbook_set_find_version(call->app->playbooks, id, version) == NULL)
        r = added;
    if (r != BF_OK)
        return r;
    bf_error_clear(&call->err);
    char *loc = arena_printf(call->arena, "/api/v1/playbooks/%s?version=%d", id, version);
    if (loc)
        http_set_header(call->req, "Location", loc);
    http_respond_json(call->req, 201, json_pack("{s:s, s:i}", "id", id, "version", version));
    return BF_OK;
}
