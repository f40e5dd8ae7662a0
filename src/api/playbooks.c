/* Playbooks (销售方法): the loaded methodologies, as their documents. */
#include "api/api.h"

#include "http/response.h"

bf_result playbooks_list(api_call *call, const api_route *route)
{
    (void)route;
    static const char *const params[] = {NULL};
    bf_result r = api_only_params(call, params);
    if (r != BF_OK)
        return r;
    json_t *items = json_array();
    const playbook_set *set = call->app->playbooks;
    for (size_t i = 0; items && i < playbook_set_count(set); i++) {
        const playbook *pb = playbook_set_at(set, i);
        json_t *stages = json_array();
        for (size_t k = 0; stages && k < pb->nstages; k++)
            json_array_append_new(
                stages,
                json_pack("{s:s, s:s, s:s?, s:i, s:b, s:I}", "id", pb->stages[k].id, "name_zh",
                          pb->stages[k].name.zh, "name_en", pb->stages[k].name.en, "probability",
                          pb->stages[k].probability, "in_funnel", pb->stages[k].in_funnel,
                          "criteria", (json_int_t)pb->stages[k].nitems));
        json_array_append_new(items, json_pack("{s:s, s:i, s:s, s:s?, s:o}", "id", pb->id,
                                               "version", pb->version, "name_zh", pb->name.zh,
                                               "name_en", pb->name.en, "stages", stages));
    }
    http_respond_json(call->req, 200, json_pack("{s:o}", "items", items));
    return BF_OK;
}

bf_result playbooks_get(api_call *call, const api_route *route)
{
    (void)route;
    const char *id = call->req->params[0];
    const playbook *pb = playbook_set_find(call->app->playbooks, id);
    if (pb == NULL)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", NULL, "no playbook with id %s",
                       id);
    /* A copy: the shared document is only ever read, never reference-counted, by requests. */
    http_respond_json(call->req, 200, json_deep_copy(pb->doc));
    return BF_OK;
}
