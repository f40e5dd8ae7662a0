/* Callers of the API inside this process, without HTTP: the command line's
 * bulk import makes its records through the create path of the routes, as
 * the user it acts for, so that it passes the same checks as a POST. */
#include "api/api.h"

const api_route *api_create_route(const resource_spec *spec)
{
    for (const api_route *r = api_route_table(); r->method != NULL; r++)
        if (r->kind == ROUTE_CREATE && r->spec == spec)
            return r;
    return NULL;
}

/* The handler of the in-process request that only carries who acts: the
 * work is done by the caller, not by a route. */
static void no_handler(http_request *req, void *app)
{
    (void)app;
    req->status = 204;
}

bf_result api_call_in_process(api *app, arena *a, const char *as, api_call *call)
{
    *call = (api_call){.app = app, .arena = a, .actor = "anonymous"};
    /* The request keeps its headers as long as the call lives: in a. */
    const char **headers = arena_calloc(a, 3, sizeof(*headers));
    if (headers == NULL)
        return bf_fail(&call->err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
    headers[0] = as ? "X-Bingfa-As" : NULL;
    headers[1] = as;
    bf_result r =
        http_request_local(a, "POST", "/", NULL, 0, headers, no_handler, NULL, &call->req);
    if (r != BF_OK)
        return bf_fail(&call->err, r, NULL, NULL, "out of memory");
    return api_authenticate(call);
}
