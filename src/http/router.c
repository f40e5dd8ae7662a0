/* Route matching (see router.h). */
#include "http/router.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Matches path against pattern segment by segment; captures go to params.
 * *literals (when not NULL) gets a bit for each segment matched literally,
 * the first segment's the highest, so that the larger value is the pattern
 * that names the path more exactly. */
static bool match(const char *pattern, const char *path, arena *a, const char **params,
                  size_t *nparams, uint64_t *literals)
{
    size_t np = 0;
    uint64_t lit = 0, bit = 1ULL << 63;
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
        } else {
            lit |= bit;
        }
        bit >>= 1;
        p += plen;
        s += slen;
    }
    if (*p || *s)
        return false;
    if (nparams)
        *nparams = np;
    if (literals)
        *literals = lit;
    return true;
}

bf_result router_match(const http_route *routes, size_t n, http_request *req,
                       const http_route **out, char *allow, size_t allow_cap)
{
    size_t used = 0;
    bool path_known = false;
    if (allow_cap)
        allow[0] = '\0';
    /* A literal segment names a path more exactly than a parameter: of the
     * patterns that match, only those that match it most literally count
     * (POST /accounts/bulk is not PATCH /accounts/{id} with id "bulk"). */
    uint64_t best = 0, lit;
    for (size_t i = 0; i < n; i++)
        if (match(routes[i].pattern, req->path, NULL, NULL, NULL, &lit) && lit > best)
            best = lit;
    for (size_t i = 0; i < n; i++) {
        if (!match(routes[i].pattern, req->path, NULL, NULL, NULL, &lit) || lit != best)
            continue;
        path_known = true;
        if (strcmp(routes[i].method, req->method) == 0) {
            match(routes[i].pattern, req->path, req->arena, req->params, &req->nparams, NULL);
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
