/* Request dispatch: routing, body parsing, preconditions and the mapping of
 * results to HTTP statuses. */
#include "api/api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "http/static.h"

int api_status(bf_result r)
{
    switch (r) {
    case BF_OK:
        return 200;
    case BF_ERR_MALFORMED:
        return 400;
    case BF_ERR_UNAUTHENTICATED:
        return 401;
    case BF_ERR_FORBIDDEN:
        return 403;
    case BF_ERR_THROTTLED:
        return 429;
    case BF_ERR_NOT_FOUND:
        return 404;
    case BF_ERR_METHOD:
        return 405;
    case BF_ERR_CONFLICT:
    case BF_ERR_GATE_UNMET:
        return 409;
    case BF_ERR_STALE:
        return 412;
    case BF_ERR_TOO_LARGE:
        return 413;
    case BF_ERR_MEDIA_TYPE:
        return 415;
    case BF_ERR_INVALID:
        return 422;
    case BF_ERR_PRECONDITION:
        return 428;
    case BF_ERR_BUSY:
        return 503;
    case BF_ERR_NOMEM:
    case BF_ERR_STORE:
    case BF_ERR_IO:
    case BF_ERR_INTERNAL:
        return 500;
    }
    return 500;
}

static void release_json(void *p)
{
    json_decref(p);
}

json_t *api_keep(api_call *call, json_t *v)
{
    if (v != NULL && arena_on_free(call->arena, release_json, v) != 0)
        return NULL;
    return v;
}

/* jansson's allocator (installed by api_new): malloc, remembering on each
 * thread that it failed. jansson's parser reports an allocation that failed
 * as a syntax error, or says nothing; a body it could not parse for want of
 * memory must be answered 500, not 400. */
static _Thread_local bool json_alloc_failed;

static void *json_alloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL)
        json_alloc_failed = true;
    return p;
}

/* The key whose value holds byte offset pos of a JSON text: the last string
 * before pos that is followed by a colon. Good enough to name the field of a
 * bad value in the flat objects the API takes. */
static void key_at(const char *t, size_t len, size_t pos, char *out, size_t cap)
{
    out[0] = '\0';
    size_t i = 0;
    if (pos > len)
        pos = len;
    while (i < pos) {
        if (t[i] != '"') {
            i++;
            continue;
        }
        size_t start = i + 1, j = start;
        while (j < len && t[j] != '"') {
            if (t[j] == '\\')
                j++;
            j++;
        }
        if (j >= pos)
            break; /* the error is inside this string */
        size_t k = j + 1;
        while (k < len && (t[k] == ' ' || t[k] == '\t' || t[k] == '\n' || t[k] == '\r'))
            k++;
        if (k < len && t[k] == ':') {
            size_t n = j - start < cap - 1 ? j - start : cap - 1;
            memcpy(out, t + start, n);
            out[n] = '\0';
        }
        i = j + 1;
    }
}

bf_result api_body(api_call *call, json_t **out)
{
    http_request *req = call->req;
    const char *ct = http_header(req, "Content-Type");
    if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' '))
        return bf_fail(&call->err, BF_ERR_MEDIA_TYPE, "unsupported_media_type", NULL,
                       "the body must be JSON, sent with Content-Type: application/json");
    if (req->body.len == 0)
        return bf_fail(&call->err, BF_ERR_MALFORMED, "malformed_json", NULL,
                       "the request body is empty; a JSON object is expected");
    json_error_t jerr;
    json_alloc_failed = false;
    json_t *v = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (v == NULL) {
        enum json_error_code code = json_error_code(&jerr);
        /* Out of memory is the server's failure, not a malformed body. */
        if (code == json_error_out_of_memory || json_alloc_failed)
            return bf_fail(&call->err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
        if (code == json_error_invalid_utf8 || code == json_error_numeric_overflow) {
            char field[64];
            key_at(req->body.data, req->body.len, (size_t)jerr.position, field, sizeof(field));
            if (code == json_error_invalid_utf8)
                return bf_fail(&call->err, BF_ERR_INVALID, "invalid_utf8", field,
                               "%s is not valid UTF-8", field[0] ? field : "the body");
            return bf_fail(&call->err, BF_ERR_INVALID, "out_of_range", field,
                           "%s is too large a number", field[0] ? field : "a value");
        }
        if (code == json_error_duplicate_key)
            return bf_fail_args(&call->err, BF_ERR_MALFORMED, "malformed_json", NULL,
                                BF_ARGS(BF_NUM("line", jerr.line), BF_NUM("column", jerr.column)),
                                "%s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
        return bf_fail_args(&call->err, BF_ERR_MALFORMED, "malformed_json", NULL,
                            BF_ARGS(BF_NUM("line", jerr.line), BF_NUM("column", jerr.column)),
                            "malformed JSON at line %d, column %d: %s", jerr.line, jerr.column,
                            jerr.text);
    }
    if (api_keep(call, v) == NULL)
        return BF_ERR_NOMEM;
    if (!json_is_object(v))
        return bf_fail(&call->err, BF_ERR_INVALID, "wrong_type", NULL,
                       "the body must be a JSON object");
    *out = v;
    return BF_OK;
}

bf_result api_if_match(api_call *call, int64_t *version)
{
    return api_if_match_from(call, 1, version);
}

bf_result api_each_record(api_call *call, const resource_spec *spec, const char *field,
                          const char *value,
                          bf_result (*fn)(api_call *call, record *rec, void *ctx), void *ctx)
{
    list_query q = {.spec = spec, .sort_field = LIST_SORT_CREATED, .limit = LIST_MAX_LIMIT};
    q.filters[0] =
        (list_filter){.field = resource_field_index(spec, field), .op = LIST_EQ, .text = value};
    q.nfilters = 1;
    for (;;) {
        record_page page;
        bf_result r = store_record_list(call->app->store, call->arena, &q, &page, &call->err);
        for (size_t i = 0; r == BF_OK && i < page.n; i++)
            r = fn(call, page.items[i], ctx);
        if (r != BF_OK || !page.more)
            return r;
        const record *last = page.items[page.n - 1];
        q.after = true;
        q.after_text = last->created_at;
        q.after_id = last->id;
    }
}

bf_result api_if_match_from(api_call *call, int64_t min, int64_t *version)
{
    const char *h = http_header(call->req, "If-Match");
    if (h == NULL || *h == '\0')
        return bf_fail(&call->err, BF_ERR_PRECONDITION, "if_match_required", "If-Match",
                       "send If-Match with the version (ETag) you read, so that no one's change "
                       "is overwritten");
    const char *p = h;
    if (strncmp(p, "W/", 2) == 0)
        p += 2;
    bool quoted = *p == '"';
    if (quoted)
        p++;
    errno = 0;
    char *end;
    long long v = strtoll(p, &end, 10);
    if (quoted) {
        if (*end != '"')
            end = (char *)p; /* unbalanced quote: not an ETag */
        else
            end++;
    }
    if (end == p || *end != '\0' || errno != 0 || v < min)
        return bf_fail(&call->err, BF_ERR_MALFORMED, "invalid_if_match", "If-Match",
                       "If-Match must be the ETag of the record, such as \"3\"");
    *version = v;
    return BF_OK;
}

bf_result api_transaction(api_call *call, bf_result (*fn)(api_call *call, void *ctx), void *ctx)
{
    store *st = call->app->store;
    bf_result r = store_begin(st, &call->err);
    if (r != BF_OK)
        return r;
    if ((r = fn(call, ctx)) != BF_OK) {
        store_rollback(st);
        return r;
    }
    return store_commit(st, &call->err);
}

bf_result api_set_etag(api_call *call, int64_t version)
{
    char *etag = arena_printf(call->arena, "\"%lld\"", (long long)version);
    if (etag == NULL)
        return BF_ERR_NOMEM;
    http_set_header(call->req, "ETag", etag);
    return BF_OK;
}

/* Adds "warnings" to the record object just written into out (dumped by
 * api_json_text: json_dumps may leave a key out when memory runs out). */
static bf_result append_warnings(api_call *call, buf *out, json_t *warnings)
{
    const char *text = api_json_text(call, warnings, JSON_COMPACT);
    if (text == NULL || out->len == 0 || out->data[out->len - 1] != '}')
        return BF_ERR_NOMEM;
    out->len--;
    bf_result r = buf_append_str(out, ",\"warnings\":");
    if (r == BF_OK)
        r = buf_append_str(out, text);
    if (r == BF_OK)
        r = buf_append(out, "}", 1);
    return r;
}

bf_result api_respond_items(api_call *call, json_t *items)
{
    json_t *body = items ? json_pack("{s:o}", "items", items) : NULL;
    if (body == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, body);
    return BF_OK;
}

bf_result api_respond_record(api_call *call, int status, const record *rec)
{
    /* Without memory for its ETag or Location the answer fails whole: a
     * client must not lose the version it needs for its next change. */
    char *etag = arena_printf(call->arena, "\"%lld\"", (long long)rec->version);
    char *loc =
        status == 201 ? arena_printf(call->arena, "/api/v1/%s/%s", rec->spec->name, rec->id) : NULL;
    if (etag == NULL || (status == 201 && loc == NULL))
        return BF_ERR_NOMEM;
    buf *out = &call->req->out;
    out->len = 0;
    bf_result r = record_append_json(out, rec, api_field_hidden, call->who);
    if (r == BF_OK)
        r = api_append_allowed_actions(call, out, rec, NULL);
    if (r != BF_OK) {
        out->len = 0;
        return r;
    }
    if ((call->warnings && append_warnings(call, out, call->warnings) != BF_OK)) {
        out->len = 0;
        return BF_ERR_NOMEM;
    }
    http_set_header(call->req, "ETag", etag);
    if (loc)
        http_set_header(call->req, "Location", loc);
    http_respond_json_written(call->req, status);
    return BF_OK;
}

static bool utf8(const char *s)
{
    return text_utf8_valid(s, strlen(s), NULL);
}

static bool query_is_utf8(void *ctx, const char *key, const char *value)
{
    api_call *call = ctx;
    if (utf8(key) && utf8(value))
        return true;
    bf_fail(&call->err, BF_ERR_INVALID, "invalid_utf8", utf8(key) ? key : "query",
            "the query parameter %s is not valid UTF-8", utf8(key) ? key : "");
    return false;
}

/* What every request must satisfy before it is routed: a UTF-8 path and
 * UTF-8 query parameters. */
static bf_result check_request(api_call *call)
{
    http_request *req = call->req;
    if (!utf8(req->path))
        return bf_fail(&call->err, BF_ERR_MALFORMED, "invalid_utf8", "path",
                       "the path is not valid UTF-8");
    if (!http_query_each(req, query_is_utf8, call))
        return BF_ERR_INVALID;
    return BF_OK;
}

bool api_names_hold(const char *names, const char *name, size_t n)
{
    for (const char *p = names; p && *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, name, n) == 0)
            return true;
        p = end ? end + 1 : p + len;
    }
    return false;
}

typedef struct params_ctx {
    api_call *call;
    const char *allowed; /* space-separated names */
    const char *more;    /* an export's (API_EXPORT_QUERY), or NULL */
    bf_result r;
} params_ctx;

static bool check_param(void *ctx, const char *key, const char *value)
{
    (void)value;
    params_ctx *pc = ctx;
    size_t n = strlen(key);
    if (api_names_hold(pc->allowed, key, n) || api_names_hold(pc->more, key, n) ||
        strcmp(key, "lang") == 0) /* every request's: the language of its errors */
        return true;
    pc->r = bf_fail(&pc->call->err, BF_ERR_INVALID, "unknown_parameter", key,
                    "%s is not a parameter of this request", key);
    return false;
}

/* Every query parameter must be one the route takes (route->query, and an
 * export's). */
static bf_result check_route_params(api_call *call, const api_route *route)
{
    params_ctx pc = {call, route->query, (route->flags & ROUTE_EXPORT) ? API_EXPORT_QUERY : NULL,
                     BF_OK};
    http_query_each(call->req, check_param, &pc);
    return pc.r;
}

/* What admission learnt of a request, kept for its handler: its route (the
 * path parameters are in the request already) and, unless the route is
 * public, who sends it. */
typedef struct admitted {
    const api_route *route;
    const viewer *who;
    const char *actor;
    const char *session_hash;
} admitted;

/* Answers the error envelope for r and call->err. */
static void respond_failure(api_call *call, bf_result r)
{
    http_request *req = call->req;
    if (call->err.message[0] == '\0')
        bf_fail(&call->err, r, NULL, NULL, "%s",
                r == BF_ERR_NOMEM ? "out of memory" : "the request failed");
    int status = api_status(r);
    if (status == 401)
        http_set_header(req, "WWW-Authenticate", "Bearer realm=\"bingfa\"");
    if (status == 500 || status == 503)
        fprintf(stderr, "bingfa: %s %s: %s\n", req->method, req->path, call->err.message);
    http_respond_failure(req, status, &call->err, call->error_extra);
}

/* A request that only reads (GET). */
static bool reads_only(const http_request *req)
{
    return strcmp(req->method, "GET") == 0;
}

/* The route of the request, or a failure described in call->err (404, 405
 * with Allow, 400/422 for a path or query that is not UTF-8). */
static bf_result route_of(api_call *call, const api_route **out)
{
    http_request *req = call->req;
    const http_route *route = NULL;
    char allow[64];
    bf_result r = check_request(call);
    if (r == BF_OK)
        r = router_match(call->app->routes, call->app->nroutes, req, &route, allow, sizeof(allow));
    if (route == NULL && r == BF_ERR_NOT_FOUND) {
        return bf_fail(&call->err, r, "no_route", NULL, "no such resource: %s", req->path);
    } else if (route == NULL && r == BF_ERR_METHOD) {
        char *a = arena_strdup(req->arena, allow);
        if (a)
            http_set_header(req, "Allow", a);
        return bf_fail(&call->err, r, NULL, NULL, "%s is not allowed here; allowed: %s",
                       req->method, allow);
    }
    if (r != BF_OK)
        return r;
    *out = route->target;
    return BF_OK;
}

static bool is_web_request(const api *app, const http_request *req)
{
    return app->web_root != NULL && strncmp(req->path, "/api/", 5) != 0 &&
           strcmp(req->path, "/healthz") != 0 &&
           (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0);
}

bool api_admit(http_request *req, void *app_ptr)
{
    api *app = app_ptr;
    if (is_web_request(app, req))
        return true;
    api_call call = {.app = app, .req = req, .arena = req->arena, .actor = "anonymous"};
    const api_route *route = NULL;
    bf_result r = route_of(&call, &route);
    /* A body announced too large for where it goes is answered 413 by the
     * server before anything else (an upload's limit is raised below). */
    uint64_t announced;
    if (http_has_body(req, &announced) && announced != UINT64_MAX && announced > req->body_limit &&
        (r != BF_OK || !(route->flags & ROUTE_UPLOAD)))
        return true;
    if (r == BF_OK && route->auth == AUTH_PUBLIC) {
        if (req->body_limit > API_PUBLIC_MAX_BODY)
            req->body_limit = API_PUBLIC_MAX_BODY;
    } else if (r == BF_OK) {
        /* A GET answered on this thread reads in one snapshot from here
         * (store_read_begin); anything else ends one left by another. */
        if (reads_only(req) && !(route->flags & (ROUTE_HASHES | ROUTE_REPORT)))
            r = store_read_begin(app->store, req, &call.err);
        else
            store_read_end(app->store, NULL);
        if (r == BF_OK)
            r = api_authenticate(&call);
    }
    admitted *ad = r == BF_OK ? arena_alloc(req->arena, sizeof(*ad)) : NULL;
    if (r == BF_OK && ad == NULL)
        r = BF_ERR_NOMEM;
    if (r == BF_OK) {
        *ad = (admitted){route, call.who, call.actor, call.session_hash};
        req->app_state = ad;
    }
    if (r != BF_OK) {
        store_read_end(app->store, req);
        respond_failure(&call, r);
        return false;
    }
    req->offload = (route->flags & (ROUTE_HASHES | ROUTE_REPORT)) != 0;
    if ((route->flags & ROUTE_UPLOAD) && req->upload_limit > req->body_limit)
        req->body_limit = req->upload_limit; /* a file to keep */
    return true;
}

static bool client_gone(void *req)
{
    return http_client_gone(req);
}

/* Runs the route's handler; a report stops its statements when its client
 * goes away. */
static bf_result run_handler(api_call *call, const api_route *route)
{
    bf_result settled = route->spec ? api_costs_settle(call, route->spec) : BF_OK;
    if (settled != BF_OK)
        return settled;
    if (!(route->flags & ROUTE_REPORT))
        return route->handler(call, route);
    bf_result r = store_set_interrupt(call->app->store, client_gone, call->req, &call->err);
    if (r != BF_OK)
        return r;
    r = route->handler(call, route);
    bf_error ignored;
    store_set_interrupt(call->app->store, NULL, NULL, &ignored);
    return r;
}

/* Answers the request (its writes done, their commits perhaps not on disk
 * yet when deferred: see api_handle). */
static void handle(http_request *req, api *app)
{
    api_call call = {.app = app, .req = req, .arena = req->arena, .actor = "anonymous"};

    /* Everything outside the API is the web app's. */
    if (is_web_request(app, req) && http_static_serve(req, app->web_root))
        return;
    /* Routed and authenticated at admission already, unless in-process. */
    const admitted *ad = req->app_state;
    const api_route *route = ad ? ad->route : NULL;
    bf_result r = ad ? BF_OK : route_of(&call, &route);
    if (r == BF_OK && route->auth != AUTH_PUBLIC) {
        if (ad != NULL) {
            call.who = ad->who;
            call.actor = ad->actor;
            call.session_hash = ad->session_hash;
        } else {
            r = api_authenticate(&call);
        }
    }
    if (r == BF_OK && route->kind != ROUTE_LIST && !(route->flags & ROUTE_LIST_QUERY))
        r = check_route_params(&call, route);
    /* A GET only reads: its statements share one snapshot, the one its
     * admission began when it ran on this thread (store_read_begin). */
    bool reading = r == BF_OK && reads_only(req);
    if (reading)
        r = store_read_begin(app->store, req, &call.err);
    else
        store_read_end(app->store, NULL);
    if (r == BF_OK && route->auth != AUTH_PUBLIC)
        r = api_playbooks_sync(&call);
    if (r == BF_OK)
        r = run_handler(&call, route);
    store_read_end(app->store, req);
    if (r != BF_OK)
        respond_failure(&call, r);
}

void api_done(http_request *req, void *app_ptr)
{
    api *app = app_ptr;
    store_read_end(app->store, req);
}

/* The answer of a write whose commit could not be put on disk. */
static void respond_not_durable(http_request *req, const bf_error *err)
{
    fprintf(stderr, "bingfa: %s %s: %s\n", req->method, req->path, err->message);
    req->nheaders = 0;
    bf_error shown = *err;
    shown.field[0] = '\0';
    http_respond_failure(req, 500, &shown, NULL);
}

/* Called back by the store once the commits of the request are on disk. */
static void on_durable(void *ctx, bool durable)
{
    http_request *req = ctx;
    if (!durable) {
        bf_error err = {0};
        bf_fail(&err, BF_ERR_STORE, "store_error", NULL,
                "the change could not be written to disk and may be lost");
        respond_not_durable(req, &err);
    }
    http_request_release(req);
}

/* A write is acknowledged only once it is on disk. A request on a server
 * worker defers that wait (store_sync_defer): its answer is held, and sent
 * when the store calls back, so the worker serves other requests while the
 * disk catches up, and the commits of many requests share one flush. */
void api_handle(http_request *req, void *app_ptr)
{
    api *app = app_ptr;
    bool deferred = http_request_can_hold(req) && store_sync_defer(app->store);
    handle(req, app);
    uint64_t token = deferred ? store_sync_take(app->store) : 0;
    if (token == 0)
        return;
    store_waiter *w = arena_calloc(req->arena, 1, sizeof(*w));
    if (w == NULL) {
        bf_error err = {0};
        if (store_sync_wait(app->store, token, &err) != BF_OK)
            respond_not_durable(req, &err);
        return;
    }
    w->done = on_durable;
    w->ctx = req;
    http_request_hold(req);
    store_sync_notify(app->store, token, w);
}

bf_result api_new(store *st, playbook_set *playbooks, api **out)
{
    json_set_alloc_funcs(json_alloc, free);
    api *app = calloc(1, sizeof(*app));
    if (app == NULL)
        return BF_ERR_NOMEM;
    app->store = st;
    app->playbooks = playbooks;
    atomic_init(&app->playbooks_generation, -1);
    app->session_ttl_s = 12 * 3600;
    app->logins = (throttle_options){
        .per_account = 5, .per_address = 20, .window_s = API_LOGIN_WINDOW_S, .capacity = 4};
    const api_route *table = api_route_table();
    size_t n = 0;
    while (table[n].method != NULL)
        n++;
    app->routes = calloc(n, sizeof(http_route));
    if (app->routes == NULL || pthread_mutex_init(&app->playbooks_lock, NULL) != 0) {
        free(app->routes);
        free(app);
        return BF_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        app->routes[i].method = table[i].method;
        app->routes[i].pattern = table[i].pattern;
        app->routes[i].target = &table[i];
    }
    app->nroutes = n;
    *out = app;
    return BF_OK;
}

void api_free(api *app)
{
    if (app == NULL)
        return;
    free(app->routes);
    pthread_mutex_destroy(&app->playbooks_lock);
    free(app);
}

const char *api_lang(api_call *call)
{
    const char *q = http_query(call->req, "lang");
    if (q != NULL)
        return strncmp(q, "en", 2) == 0 ? "en" : "zh";
    const char *h = http_header(call->req, "Accept-Language");
    return h != NULL && strncasecmp(h, "en", 2) == 0 ? "en" : "zh";
}

json_t *api_text_json(const i18n_text *t)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    if (t->zh)
        json_object_set_new(o, "zh", json_string(t->zh));
    if (t->en)
        json_object_set_new(o, "en", json_string(t->en));
    return o;
}

json_t *api_text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

const char *api_today(char *day, size_t cap)
{
    char now[32];
    store_now(now, sizeof(now));
    snprintf(day, cap, "%.10s", now);
    return day;
}
