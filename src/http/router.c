/* Route matching (see router.h). */
#include "http/router.h"

#include <stdbool.h>
#include <string.h>

/* Matches path against pattern segment by segment; captures go to params. */
static bool match(const char *pattern, const char *path, arena *a, const char **params,
                  size_t *nparams)
{
    size_t np = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        const char *pe = strchr(p, '/');
        const char *se = strchr(s, '/');
        size_t plen = pe ? (size_t)(pe - p) : strlen(p);
        size_t slen = se ? (size_t)(se - s) : strlen(s);
        if (plen > 1 && p[0] == '{' && p[plen - 1] == '}') {
            if (slen == 0 || np == HTTP_MAX_PARAMS)
                return false;
            if (params)
                params[np] = arena_strndup(a, s, slen);
            np++;
        } else if (plen != slen || memcmp(p, s, plen) != 0) {
            return false;
        }
        p += plen;
        s += slen;
    }
    if (*p || *s)
        return false;
    if (nparams)
        *nparams = np;
    return true;
}

bf_result router_match(const http_route *routes, size_t n, http_request *req,
                       const http_route **out, char *allow, size_t allow_cap)
{
    size_t used = 0;
    bool path_known = false;
    if (allow_cap)
        allow[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!match(routes[i].pattern, req->path, NULL, NULL, NULL))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, req->method) == 0) {
            match(routes[i].pattern, req->path, req->arena, req->params, &req->nparams);
            req->route = routes[i].pattern;
            *out = &routes[i];
            return BF_OK;
        }
        size_t m = strlen(routes[i].method);
        if (used + m + 3 < allow_cap) {
            if (used) {
                memcpy(allow + used, ", ", 2);
                used += 2;
            }
            memcpy(allow + used, routes[i].method, m);
            used += m;
            allow[used] = '\0';
        }
    }
    return path_known ? BF_ERR_METHOD : BF_ERR_NOT_FOUND;
}
