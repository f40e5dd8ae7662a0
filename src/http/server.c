/* The HTTP server on libmicrohttpd (see server.h). */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/text.h"
#include "http/response.h"

struct http_server {
    struct MHD_Daemon *daemon;
    http_handler handler;
    void *app;
    http_options opt;
    uint16_t port;
    atomic_int in_flight;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const char *local_find(const char *const *pairs, const char *name, bool fold)
{
    for (size_t i = 0; pairs && pairs[i] && pairs[i + 1]; i += 2)
        if (fold ? strcasecmp(pairs[i], name) == 0 : strcmp(pairs[i], name) == 0)
            return pairs[i + 1];
    return NULL;
}

const char *http_header(const http_request *req, const char *name)
{
    if (req->local)
        return local_find(req->local->headers, name, true);
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(const http_request *req, const char *name)
{
    if (req->local)
        return NULL;
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_client_address(http_request *req)
{
    if (req->local)
        return "local";
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL)
        return "unknown";
    char text[INET6_ADDRSTRLEN] = "unknown";
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text,
                  sizeof(text));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text,
                  sizeof(text));
    const char *copy = arena_strdup(req->arena, text);
    return copy ? copy : "unknown";
}

const char *http_query(const http_request *req, const char *name)
{
    if (req->local)
        return local_find(req->local->query, name, false);
    const char *v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
    if (v == NULL && MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND, name,
                                                   strlen(name), NULL, NULL) == MHD_YES)
        return "";
    return v;
}

typedef struct query_iter {
    bool (*fn)(void *ctx, const char *key, const char *value);
    void *ctx;
    bool stopped;
} query_iter;

static enum MHD_Result query_visit(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    query_iter *it = cls;
    if (!it->fn(it->ctx, key, value ? value : "")) {
        it->stopped = true;
        return MHD_NO;
    }
    return MHD_YES;
}

bool http_query_each(const http_request *req,
                     bool (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
    if (req->local) {
        for (size_t i = 0; req->local->query && req->local->query[i]; i += 2)
            if (!fn(ctx, req->local->query[i], req->local->query[i + 1]))
                return false;
        return true;
    }
    query_iter it = {fn, ctx, false};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_visit, &it);
    return !it.stopped;
}

void http_set_header(http_request *req, const char *name, const char *value)
{
    if (req->nheaders < HTTP_MAX_HEADERS) {
        req->header_names[req->nheaders] = name;
        req->header_values[req->nheaders] = value;
        req->nheaders++;
    }
}

static enum MHD_Result queue(http_request *req)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        req->out.len, req->out.len ? req->out.data : (void *)"", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL)
        return MHD_NO;
    if (req->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
    for (size_t i = 0; i < req->nheaders; i++)
        MHD_add_response_header(resp, req->header_names[i], req->header_values[i]);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    req->responded = true;
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    http_server *srv = cls;
    http_request *req = *con_cls;

    if (req == NULL) {
        /* First call: headers are in, the body is not. */
        arena *a = arena_new(16 * 1024);
        if (a == NULL)
            return MHD_NO;
        req = arena_calloc(a, 1, sizeof(*req));
        if (req == NULL) {
            arena_free(a);
            return MHD_NO;
        }
        req->arena = a;
        req->conn = connection;
        req->method = arena_strdup(a, method);
        req->path = arena_strdup(a, url);
        req->started_ns = now_ns();
        req->status = 500;
        buf_init(&req->body, a, srv->opt.max_body);
        buf_init(&req->out, a, 64 * 1024 * 1024);
        *con_cls = req;
        atomic_fetch_add(&srv->in_flight, 1);
        if (req->method == NULL || req->path == NULL)
            return MHD_NO;

        const char *cl = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL) {
            char *end;
            unsigned long long n = strtoull(cl, &end, 10);
            if (*end != '\0' || n > srv->opt.max_body) {
                /* Refused before a byte of the body is read. */
                char *msg =
                    arena_printf(a, "the request body is larger than %zu bytes", srv->opt.max_body);
                http_respond_error(req, 413, "body_too_large", msg ? msg : "body too large", NULL,
                                   NULL);
                http_set_header(req, "Connection", "close");
                return queue(req);
            }
        }
        return MHD_YES;
    }

    if (req->responded) {
        *upload_data_size = 0; /* discard the rest of a refused body */
        return MHD_YES;
    }

    if (*upload_data_size > 0) {
        if (!req->body_too_large && buf_append(&req->body, upload_data, *upload_data_size) != BF_OK)
            req->body_too_large = true;
        *upload_data_size = 0;
        return MHD_YES;
    }

    if (req->body_too_large) {
        char *msg = arena_printf(req->arena, "the request body is larger than %zu bytes",
                                 srv->opt.max_body);
        http_respond_error(req, 413, "body_too_large", msg ? msg : "body too large", NULL, NULL);
    } else {
        srv->handler(req, srv->app);
    }
    return queue(req);
}

/* Appends s as the inside of a JSON string; bytes that are not UTF-8
 * become U+FFFD, so every log line is valid JSON whatever a client sent. */
static void json_escape_into(buf *b, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf_printf(b, "\\%c", c);
            i++;
        } else if (c < 0x20) {
            buf_printf(b, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            buf_append(b, s + i, 1);
            i++;
        } else {
            size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (i + len <= n && text_utf8_valid(s + i, len, NULL)) {
                buf_append(b, s + i, len);
                i += len;
            } else {
                buf_append_str(b, "\\ufffd");
                i++;
            }
        }
    }
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)connection;
    http_server *srv = cls;
    http_request *req = *con_cls;
    if (req == NULL)
        return;
    if (srv->opt.access_log != NULL) {
        char ts[32];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        double ms = (double)(now_ns() - req->started_ns) / 1e6;
        buf line;
        buf_init(&line, req->arena, 8192);
        buf_printf(&line, "{\"ts\":\"%s\",\"method\":\"", ts);
        json_escape_into(&line, req->method ? req->method : "");
        buf_append_str(&line, "\",\"path\":\"");
        json_escape_into(&line, req->path ? req->path : "");
        buf_printf(&line, "\",\"route\":\"%s\",\"status\":%d,\"bytes\":%zu,\"ms\":%.3f",
                   req->route ? req->route : "", req->responded ? req->status : 0, req->out.len,
                   ms);
        if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
            buf_printf(&line, ",\"aborted\":%d", (int)toe);
        buf_append_str(&line, "}\n");
        fwrite(line.data, 1, line.len, srv->opt.access_log); /* one write: lines never mix */
        fflush(srv->opt.access_log);
    }
    arena_free(req->arena);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

bf_result http_server_start(const http_options *opt, http_handler handler, void *app,
                            http_server **out, bf_error *err)
{
    http_server *srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        return BF_ERR_NOMEM;
    srv->handler = handler;
    srv->app = app;
    srv->opt = *opt;
    atomic_init(&srv->in_flight, 0);
    if (srv->opt.threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        srv->opt.threads = n > 0 ? (unsigned)n : 2;
    }

    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, opt->address, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(opt->port);
    } else if (inet_pton(AF_INET6, opt->address, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(opt->port);
        flags |= MHD_USE_IPv6;
    } else {
        free(srv);
        return bf_fail(err, BF_ERR_INVALID, "invalid_listen", "listen",
                       "%s is not an IPv4 or IPv6 address", opt->address);
    }

    srv->daemon = MHD_start_daemon(
        flags, opt->port, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, srv->opt.threads, MHD_OPTION_CONNECTION_LIMIT,
        srv->opt.connection_limit, MHD_OPTION_CONNECTION_TIMEOUT, srv->opt.timeout_seconds,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)64 * 1024, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        free(srv);
        return bf_fail(err, BF_ERR_IO, "listen_failed", "listen",
                       "cannot listen on %s port %u (in use, or not allowed?)", opt->address,
                       (unsigned)opt->port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : opt->port;
    *out = srv;
    return BF_OK;
}

uint16_t http_server_port(const http_server *srv)
{
    return srv->port;
}

void http_server_stop(http_server *srv, unsigned grace_ms)
{
    if (srv == NULL)
        return;
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    /* Requests already being handled finish and get their answer. */
    for (unsigned waited = 0; atomic_load(&srv->in_flight) > 0 && waited < grace_ms; waited += 10) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(srv->daemon);
    free(srv);
}

/* Decodes %XX and '+' in place. */
static void percent_decode(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '%' && r[1] && r[2]) {
            char hex[3] = {r[1], r[2], 0};
            char *end;
            long v = strtol(hex, &end, 16);
            if (*end == '\0') {
                *w++ = (char)v;
                r += 2;
                continue;
            }
        }
        *w++ = *r == '+' ? ' ' : *r;
    }
    *w = '\0';
}

bf_result http_request_local(arena *a, const char *method, const char *target, const char *body,
                             size_t len, const char *const *headers, http_handler handler,
                             void *app, http_request **out)
{
    http_request *req = arena_calloc(a, 1, sizeof(*req));
    http_local *local = arena_calloc(a, 1, sizeof(*local));
    char *path = arena_strdup(a, target);
    if (req == NULL || local == NULL || path == NULL)
        return BF_ERR_NOMEM;
    char *q = strchr(path, '?');
    if (q != NULL) {
        *q++ = '\0';
        size_t nargs = 1;
        for (const char *p = q; *p; p++)
            nargs += *p == '&';
        local->query = arena_calloc(a, 2 * nargs + 1, sizeof(char *));
        if (local->query == NULL)
            return BF_ERR_NOMEM;
        size_t n = 0;
        for (char *arg = q; arg && *arg;) {
            char *next = strchr(arg, '&');
            if (next)
                *next++ = '\0';
            char *eq = strchr(arg, '=');
            if (eq)
                *eq++ = '\0';
            percent_decode(arg);
            if (eq)
                percent_decode(eq);
            local->query[n++] = arg;
            local->query[n++] = eq ? eq : "";
            arg = next;
        }
    }
    percent_decode(path);
    local->headers = headers;
    req->arena = a;
    req->local = local;
    req->method = method;
    req->path = path;
    req->status = 500;
    buf_init(&req->body, a, (size_t)1 << 30);
    buf_init(&req->out, a, 64 * 1024 * 1024);
    if (body != NULL && buf_append(&req->body, body, len) != BF_OK)
        return BF_ERR_NOMEM;
    handler(req, app);
    *out = req;
    return BF_OK;
}
