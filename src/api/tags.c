/* Tags (标签): the tags in use among the records the caller sees, with how
 * many records carry each (GET /api/v1/tags?resource=…). Tags are set as a
 * record's field (PATCH, or a bulk action: bulk.c) and filter the lists
 * (?tag=, list.c); channel partners never see them. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/response.h"

/* The resources that have tags, for messages. */
#define TAGGED "opportunities, accounts, contacts or activities"

static int by_count(const void *a, const void *b)
{
    const tag_count *x = a, *y = b;
    if (x->records != y->records)
        return x->records > y->records ? -1 : 1;
    return strcmp(x->tag, y->tag);
}

bf_result api_tagged_resource(api_call *call, const char *name, const char *field,
                              const resource_spec **out)
{
    const resource_spec *spec = name ? resource_by_name(name) : NULL;
    if (name == NULL || *name == '\0')
        return bf_fail(&call->err, BF_ERR_INVALID, "required", field, "%s is required: " TAGGED,
                       field);
    if (spec == NULL || resource_tags_field(spec) < 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", field, "%s is one of " TAGGED,
                       field);
    if (api_field_hidden(&spec->fields[resource_tags_field(spec)], call->who))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                       "tags are the company's own: channel partners do not see them");
    *out = spec;
    return BF_OK;
}

bf_result tags_list(api_call *call, const api_route *route)
{
    (void)route;
    const resource_spec *spec;
    bf_result r = api_tagged_resource(call, http_query(call->req, "resource"), "resource", &spec);
    if (r != BF_OK)
        return r;
    const char *q = http_query(call->req, "q");
    tag_count *tags;
    size_t n;
    bool complete;
    if ((r = store_tag_counts(call->app->store, call->arena, call->who, spec, &tags, &n, &complete,
                              &call->err)) != BF_OK)
        return r;
    qsort(tags, n, sizeof(*tags), by_count);
    json_t *items = json_array();
    json_t *body =
        json_pack("{s:s, s:o, s:b}", "resource", spec->name, "items", items, "complete", complete);
    if (body == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (q != NULL && *q != '\0' && strstr(tags[i].tag, q) == NULL)
            continue;
        if (json_array_append_new(items, json_pack("{s:s, s:I}", "tag", tags[i].tag, "count",
                                                   (json_int_t)tags[i].records)) != 0) {
            json_decref(body);
            return BF_ERR_NOMEM;
        }
    }
    http_respond_json(call->req, 200, body);
    return BF_OK;
}
