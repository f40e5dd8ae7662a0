/* Fuzz target: the router (src/http/router.c) over the API's route table: a
 * method (first byte) and any path. A match fills the parameters within the
 * path; a refusal is 404 or 405 with the methods that would do. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/router.h"

static http_route *routes;
static size_t nroutes;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const api_route *table = api_route_table();
    while (table[nroutes].method != NULL)
        nroutes++;
    routes = calloc(nroutes, sizeof(*routes));
    if (routes == NULL)
        abort();
    for (size_t i = 0; i < nroutes; i++)
        routes[i] = (http_route){table[i].method, table[i].pattern, &table[i]};
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};
    if (routes == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    if (size < 1)
        return 0;
    arena *a = arena_new(0);
    if (a == NULL)
        abort();
    http_request *req = arena_calloc(a, 1, sizeof(*req));
    char *path = arena_strndup(a, (const char *)data + 1, size - 1);
    if (req == NULL || path == NULL)
        abort();
    req->arena = a;
    req->method = methods[data[0] % 6];
    req->path = path;
    const http_route *route = NULL;
    char allow[64];
    bf_result r = router_match(routes, nroutes, req, &route, allow, sizeof(allow));
    if (r == BF_OK) {
        if (route == NULL || req->route == NULL || req->nparams > HTTP_MAX_PARAMS)
            abort();
        for (size_t i = 0; i < req->nparams; i++)
            if (req->params[i] == NULL || strstr(path, req->params[i]) == NULL)
                abort(); /* a parameter is a piece of the path */
    } else if (r == BF_ERR_METHOD) {
        if (allow[0] == '\0')
            abort();
    } else if (r != BF_ERR_NOT_FOUND) {
        abort();
    }
    arena_free(a);
    return 0;
}
