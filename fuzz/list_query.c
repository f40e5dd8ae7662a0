/* Fuzz target: list queries (src/api/list.c) of every resource: limit,
 * cursor, sort, q and each resource's filters, as a query string
 * "a=1&b=2"; the first byte picks the resource. A refusal names the
 * parameter; an accepted query stays within its bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

#define MAX_ARGS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t nspecs = 0;
    while (resource_all[nspecs] != NULL)
        nspecs++;
    const resource_spec *spec = resource_all[data[0] % nspecs];
    arena *a = arena_new(0);
    if (a == NULL)
        abort();
    char *text = arena_strndup(a, (const char *)data + 1, size - 1);
    const char **query = arena_calloc(a, 2 * MAX_ARGS + 1, sizeof(char *));
    if (text == NULL || query == NULL)
        abort();
    size_t n = 0;
    for (char *arg = text; arg && *arg && n < 2 * MAX_ARGS;) {
        char *next = strchr(arg, '&');
        if (next)
            *next++ = '\0';
        char *eq = strchr(arg, '=');
        if (eq)
            *eq++ = '\0';
        query[n++] = arg;
        query[n++] = eq ? eq : "";
        arg = next;
    }
    http_local local = {.query = query};
    http_request req = {.arena = a, .local = &local, .method = "GET", .path = "/"};
    api_call call = {.req = &req, .arena = a};
    list_query q;
    bf_result r = list_query_from_request(&call, spec, &q);
    if (r == BF_OK) {
        if (q.limit < 1 || q.limit > LIST_MAX_LIMIT || q.nfilters > LIST_MAX_FILTERS)
            abort();
        for (size_t i = 0; i < q.nfilters; i++)
            if (q.filters[i].field < 0 || (size_t)q.filters[i].field >= spec->nfields)
                abort();
    } else if (call.err.message[0] == '\0') {
        abort();
    }
    arena_free(a);
    return 0;
}
