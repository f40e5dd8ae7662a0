/* Route matching: a table of (method, pattern) where a pattern segment
 * "{name}" captures one path segment. Knows nothing of what routes do. */
#ifndef BF_HTTP_ROUTER_H
#define BF_HTTP_ROUTER_H

#include <stddef.h>

#include "core/result.h"
#include "http/server.h"

typedef struct http_route {
    const char *method;
    const char *pattern; /* "/api/v1/accounts/{id}" */
    const void *target;  /* what the caller dispatches to */
} http_route;

/* Finds the route for req->method and req->path and fills req->params and
 * req->route. BF_ERR_NOT_FOUND when no pattern matches the path,
 * BF_ERR_METHOD when patterns match but not for this method (allow then
 * lists the methods that would, comma-separated). */
bf_result router_match(const http_route *routes, size_t n, http_request *req,
                       const http_route **out, char *allow, size_t allow_cap);

#endif
