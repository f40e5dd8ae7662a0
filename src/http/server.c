/* The HTTP server on libmicrohttpd (see server.h): requests, answers and the
 * access log; the connection sweeper, the body budget and the pool of
 * offloaded requests are in server_watch.c. */
#define _GNU_SOURCE /* sched_getaffinity: the CPUs the process may use */
#include "http/server_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/text.h"
#include "http/compress.h"
#include "http/response.h"

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

bool http_has_body(const http_request *req, uint64_t *n)
{
    *n = 0;
    if (req->local)
        return req->body.len > 0 && (*n = req->body.len) > 0;
    if (http_header(req, "Transfer-Encoding") != NULL) {
        *n = UINT64_MAX;
        return true;
    }
    const char *cl = http_header(req, "Content-Length");
    if (cl == NULL)
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(cl, &end, 10);
    if (end == cl || *end != '\0' || errno != 0)
        return false; /* refused before admission (400) */
    *n = v;
    return v > 0;
}

/* The peer's address as text into out. */
static void peer_address(const http_request *req, char *out, size_t cap)
{
    snprintf(out, cap, "unknown");
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL)
        return;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
}

/* The last address of X-Forwarded-For: the one the trusted proxy appended
 * (what the client wrote before it is not believed). NULL when absent or not
 * an IP address. */
static const char *forwarded_for(http_request *req)
{
    const char *xff = http_header(req, "X-Forwarded-For");
    if (xff == NULL)
        return NULL;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ' || *last == '\t')
        last++;
    char text[INET6_ADDRSTRLEN];
    size_t n = strcspn(last, " \t");
    if (n == 0 || n >= sizeof(text))
        return NULL;
    memcpy(text, last, n);
    text[n] = '\0';
    unsigned char bin[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, text, bin) != 1 && inet_pton(AF_INET6, text, bin) != 1)
        return NULL;
    return arena_strdup(req->arena, text);
}

const char *http_client_address(http_request *req)
{
    if (req->local)
        return "local";
    char text[INET6_ADDRSTRLEN];
    peer_address(req, text, sizeof(text));
    if (req->trusted_proxy != NULL && strcmp(text, req->trusted_proxy) == 0) {
        const char *client = forwarded_for(req);
        if (client != NULL)
            return client;
    }
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

bool http_set_header(http_request *req, const char *name, const char *value)
{
    if (req->nheaders >= HTTP_MAX_HEADERS) {
        req->headers_overflow = true;
        return false;
    }
    req->header_names[req->nheaders] = name;
    req->header_values[req->nheaders] = value;
    req->nheaders++;
    return true;
}

static bool has_header(const http_request *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->header_names[i], name) == 0)
            return true;
    return false;
}

/* The policy of the web app's pages: scripts and styles from our own origin
 * only (no inline script), never framed. Element Plus sets style attributes,
 * hence 'unsafe-inline' for styles alone. Other answers load nothing. */
#define CSP_PAGE                                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "     \
    "data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; " \
    "form-action 'self'; frame-ancestors 'none'"
#define CSP_OTHER "default-src 'none'; frame-ancestors 'none'"

/* Compresses a JSON answer of some size for a client that accepts gzip. An
 * answer that sets a cookie is left alone (it carries secrets beside what a
 * client sent: no compression oracle). */
static void maybe_compress(http_request *req)
{
    if (req->out.len < HTTP_COMPRESS_MIN || req->content_type == NULL ||
        strncmp(req->content_type, "application/json", 16) != 0 ||
        has_header(req, "Content-Encoding") || has_header(req, "Set-Cookie") ||
        !http_accepts_encoding(http_header(req, "Accept-Encoding"), "gzip"))
        return;
    buf z;
    buf_init(&z, req->arena, req->out.len + 1024);
    if (http_gzip(req->out.data, req->out.len, &z) != BF_OK)
        return; /* sent as it is */
    req->out = z;
    http_set_header(req, "Content-Encoding", "gzip");
    http_set_header(req, "Vary", "Accept-Encoding");
}

static enum MHD_Result queue(http_server *srv, http_request *req)
{
    if (req->headers_overflow) {
        /* A handler set more headers than an answer holds: a bug, said aloud. */
        fprintf(stderr, "bingfa: %s %s: more than %d response headers\n", req->method, req->path,
                HTTP_MAX_HEADERS);
        req->nheaders = 0;
        req->headers_overflow = false;
        http_respond_error(req, 500, "internal", "the answer had too many headers", NULL, NULL);
    }
    maybe_compress(req);
    struct MHD_Response *resp;
    if (req->has_file) { /* the answer takes the file (and closes it) */
        resp = MHD_create_response_from_fd64(req->file_size, req->file_fd);
        if (resp != NULL)
            req->file_fd = -1;
    } else {
        resp = MHD_create_response_from_buffer(
            req->out.len, req->out.len ? req->out.data : (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (resp == NULL)
        return MHD_NO;
    if (req->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
    for (size_t i = 0; i < req->nheaders; i++)
        MHD_add_response_header(resp, req->header_names[i], req->header_values[i]);
    bool page = req->content_type != NULL && strncmp(req->content_type, "text/html", 9) == 0;
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Content-Security-Policy", page ? CSP_PAGE : CSP_OTHER);
    if (srv->opt.hsts)
        MHD_add_response_header(resp, "Strict-Transport-Security",
                                "max-age=31536000; includeSubDomains");
    enum MHD_Result ret = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    req->responded = true;
    return ret;
}

/* The server's own limits, answered 503 with the seconds to wait. */
#define BODIES_BUSY "the server is receiving too many request bodies; try again in a moment"
#define HASHES_BUSY "the server is busy checking passwords; try again in a moment"

static void respond_busy(http_request *req, const char *retry_after, const char *message)
{
    http_set_header(req, "Retry-After", retry_after);
    http_respond_error(req, 503, "busy", message, NULL, NULL);
}

static void respond_too_large(http_request *req, size_t limit)
{
    char *msg = arena_printf(req->arena, "the request body is larger than %zu bytes", limit);
    http_respond_error(req, 413, "body_too_large", msg ? msg : "body too large", NULL, NULL);
}

/* Sends the answer set already at once, and closes the connection after:
 * the body is not read. */
static enum MHD_Result refuse_answered(http_server *srv, http_request *req)
{
    http_set_header(req, "Connection", "close");
    return queue(srv, req);
}

/* ---- requests --------------------------------------------------------------- */

typedef struct length_count {
    unsigned content_lengths, transfer_encodings;
    const char *first_length;
    bool lengths_differ;
} length_count;

static enum MHD_Result count_lengths(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    length_count *c = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (c->first_length != NULL && strcmp(c->first_length, value ? value : "") != 0)
            c->lengths_differ = true;
        if (c->first_length == NULL)
            c->first_length = value ? value : "";
        c->content_lengths++;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        c->transfer_encodings++;
    }
    return MHD_YES;
}

/* A request whose framing two parties could read differently (request
 * smuggling behind a proxy) is refused: Content-Length twice with different
 * values, Content-Length with Transfer-Encoding, or a transfer coding other
 * than a single "chunked". */
static const char *framing_problem(struct MHD_Connection *connection)
{
    length_count c = {0};
    MHD_get_connection_values(connection, MHD_HEADER_KIND, count_lengths, &c);
    if (c.lengths_differ)
        return "the request has Content-Length headers with different values";
    if (c.transfer_encodings > 0 && c.content_lengths > 0)
        return "the request has both Content-Length and Transfer-Encoding";
    if (c.transfer_encodings > 1)
        return "the request has more than one Transfer-Encoding header";
    const char *te =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (te != NULL && strcasecmp(te, "chunked") != 0)
        return "the only transfer coding accepted is chunked";
    return NULL;
}

/* The first call for a request: its headers are in, its body is not. */
static enum MHD_Result on_headers(http_server *srv, struct MHD_Connection *connection,
                                  const char *url, const char *method, void **con_cls)
{
    arena *a = arena_new(16 * 1024);
    if (a == NULL)
        return MHD_NO;
    http_request *req = arena_calloc(a, 1, sizeof(*req));
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
    req->body_limit = srv->opt.max_body;
    req->upload_limit =
        srv->opt.max_upload > srv->opt.max_body ? srv->opt.max_upload : srv->opt.max_body;
    req->trusted_proxy = srv->opt.trusted_proxy;
    req->server = srv;
    req->file_fd = -1;
    buf_init(&req->out, a, 64 * 1024 * 1024);
    *con_cls = req;
    atomic_fetch_add(&srv->in_flight, 1);
    if (req->method == NULL || req->path == NULL)
        return MHD_NO;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    req->watch = ci ? ci->socket_context : NULL;
    if (req->watch)
        atomic_store(&req->watch->headers_due_ns, 0);

    const char *problem = framing_problem(connection);
    if (problem != NULL) {
        http_respond_error(req, 400, "bad_framing", problem, NULL, NULL);
        return refuse_answered(srv, req);
    }
    uint64_t announced;
    bool has_body = http_has_body(req, &announced);
    if (has_body && announced != UINT64_MAX && announced > req->upload_limit) {
        respond_too_large(req, req->upload_limit);
        return refuse_answered(srv, req);
    }
    /* Who asks, before a byte of the body is read. */
    if (srv->opt.admit != NULL && !srv->opt.admit(req, srv->app))
        return refuse_answered(srv, req);
    if (has_body && announced != UINT64_MAX && announced > req->body_limit) {
        respond_too_large(req, req->body_limit);
        return refuse_answered(srv, req);
    }
    buf_init(&req->body, a, req->body_limit);
    if (has_body && announced != UINT64_MAX) {
        if (!server_budget_take(srv, req, (size_t)announced)) {
            respond_busy(req, "5", BODIES_BUSY);
            return refuse_answered(srv, req);
        }
        if (buf_reserve(&req->body, (size_t)announced) != BF_OK)
            return MHD_NO;
    }
    if (has_body && req->watch) {
        atomic_store(&req->watch->body_bytes, 0);
        atomic_store(&req->watch->body_since_ns, now_ns());
    }
    return MHD_YES;
}

/* ---- answers held (http_request_hold) --------------------------------------- */

/* hold: none; the handler asked to hold the answer; the connection is
 * suspended; released (the answer goes out). The worker (suspending) and the
 * releasing thread race; whoever comes second acts (resumes or queues). */
enum { HOLD_NONE = 0, HOLD_WAITING, HOLD_SUSPENDED, HOLD_RELEASED };

bool http_request_can_hold(const http_request *req)
{
    /* Once the server is stopping, a request that comes after the last one
     * in flight is answered at once: a held (suspended) connection must not
     * outlive the daemon. */
    return req->server != NULL && !req->offload && !atomic_load(&req->server->closing);
}

void http_request_hold(http_request *req)
{
    atomic_fetch_add(&req->server->held, 1);
    atomic_store(&req->hold, HOLD_WAITING);
}

void http_request_release(http_request *req)
{
    http_server *srv = req->server;
    struct MHD_Connection *conn = req->conn;
    if (atomic_exchange(&req->hold, HOLD_RELEASED) == HOLD_SUSPENDED)
        MHD_resume_connection(conn); /* on_request is called again and queues the answer */
    atomic_fetch_sub(&srv->held, 1);
}

/* After the handler: suspends the connection when its answer is held and not
 * released yet (true); false to send the answer now. */
static bool hold_answer(http_request *req)
{
    if (atomic_load(&req->hold) != HOLD_WAITING)
        return false;
    req->queued = true;
    req->handled = true;
    MHD_suspend_connection(req->conn);
    if (atomic_exchange(&req->hold, HOLD_SUSPENDED) == HOLD_RELEASED)
        MHD_resume_connection(req->conn);
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    http_server *srv = cls;
    http_request *req = *con_cls;

    if (req == NULL)
        return on_headers(srv, connection, url, method, con_cls);

    if (req->responded) {
        *upload_data_size = 0; /* discard the rest of a refused body */
        return MHD_YES;
    }
    if (req->queued) /* resumed: the pool has run the handler */
        return req->handled ? queue(srv, req) : MHD_YES;

    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        if (req->watch)
            atomic_fetch_add(&req->watch->body_bytes, n);
        if (!req->body_too_large && !req->body_over_budget) {
            /* A chunked body takes its budget as it comes: at most twice
             * its size is held while the buffer doubles. */
            if (req->body.len + n > req->body.cap && !server_budget_take(srv, req, 2 * n))
                req->body_over_budget = true;
            else if (buf_append(&req->body, upload_data, n) != BF_OK)
                req->body_too_large = true;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }

    if (req->watch)
        atomic_store(&req->watch->body_since_ns, 0);
    if (req->body_over_budget) {
        respond_busy(req, "5", BODIES_BUSY);
    } else if (req->body_too_large) {
        respond_too_large(req, req->body_limit);
    } else if (req->offload) {
        if (server_pool_submit(srv, req))
            return MHD_YES;
        respond_busy(req, "2", HASHES_BUSY);
    } else {
        srv->handler(req, srv->app);
        if (hold_answer(req))
            return MHD_YES;
    }
    return queue(srv, req);
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
    if (srv->log != NULL) {
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
        buf_printf(&line, "\",\"route\":\"%s\",\"status\":%d,\"bytes\":%llu,\"ms\":%.3f",
                   req->route ? req->route : "", req->responded ? req->status : 0,
                   (unsigned long long)(req->has_file ? req->file_size : req->out.len), ms);
        if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
            buf_printf(&line, ",\"aborted\":%d", (int)toe);
        buf_append_str(&line, "}\n");
        access_log_write(srv->log, line.data, line.len); /* whole lines: they never mix */
    }
    if (srv->opt.done != NULL)
        srv->opt.done(req, srv->app);
    http_drop_file(req); /* a file the answer did not take */
    if (req->body_reserved)
        atomic_fetch_sub(&srv->body_held, req->body_reserved);
    if (req->watch != NULL) {
        /* Keep-alive: the next request's headers are due after the idle time. */
        atomic_store(&req->watch->body_since_ns, 0);
        atomic_store(&req->watch->headers_due_ns,
                     now_ns() + (srv->opt.timeout_seconds + srv->opt.header_timeout_s) * NS_PER_S);
    }
    arena_free(req->arena);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* The CPUs this process may run on (its affinity: taskset, a container's
 * cpuset), not the machine's: two threads time-sliced on one CPU answer no
 * more requests than one, and each keeps the other's connections waiting a
 * slice (p99 of a 16-connection list 13.7 ms with two threads on one CPU,
 * 8.2 ms with one). */
static unsigned cpus_usable(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 2;
}

static void defaults(http_options *o)
{
    if (o->threads == 0)
        o->threads = cpus_usable();
    if (o->body_memory == 0)
        o->body_memory = HTTP_DEFAULT_BODY_MEMORY;
    if (o->header_timeout_s == 0)
        o->header_timeout_s = HTTP_DEFAULT_HEADER_TIMEOUT;
    if (o->pool_threads == 0)
        o->pool_threads = HTTP_DEFAULT_POOL_THREADS;
    if (o->pool_queue == 0)
        o->pool_queue = HTTP_DEFAULT_POOL_QUEUE;
}

static void server_free(http_server *srv)
{
    server_stop_threads(srv);
    access_log_close(srv->log); /* after the daemon: no line comes later */
    pthread_mutex_destroy(&srv->watch_lock);
    pthread_mutex_destroy(&srv->log_lock);
    pthread_cond_destroy(&srv->sweeper_wake);
    pthread_mutex_destroy(&srv->pool_lock);
    pthread_cond_destroy(&srv->pool_ready);
    free(srv->queue);
    free(srv->pool);
    free(srv);
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
    defaults(&srv->opt);
    atomic_init(&srv->in_flight, 0);
    atomic_init(&srv->body_held, 0);
    atomic_init(&srv->held, 0);
    atomic_init(&srv->closing, false);
    pthread_mutex_init(&srv->watch_lock, NULL);
    pthread_mutex_init(&srv->log_lock, NULL);
    pthread_mutex_init(&srv->pool_lock, NULL);
    pthread_cond_init(&srv->pool_ready, NULL);
    if (opt->access_log != NULL && (srv->log = access_log_open(opt->access_log)) == NULL) {
        server_free(srv);
        return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "cannot start the access log's writer");
    }
    if (server_start_threads(srv) != BF_OK) {
        server_free(srv);
        return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "cannot start the server's threads");
    }

    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    unsigned flags =
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
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
        server_free(srv);
        return bf_fail(err, BF_ERR_INVALID, "invalid_listen", "listen",
                       "%s is not an IPv4 or IPv6 address", opt->address);
    }

    srv->daemon = MHD_start_daemon(
        flags, opt->port, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, server_on_log,
        srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        srv->opt.threads, MHD_OPTION_CONNECTION_LIMIT, srv->opt.connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->opt.per_address_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, srv->opt.timeout_seconds, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, server_on_connection, srv,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        server_free(srv);
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
    atomic_store(&srv->closing, true);
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    /* Requests already being handled finish and get their answer. */
    for (unsigned waited = 0; atomic_load(&srv->in_flight) > 0 && waited < grace_ms; waited += 10) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    /* An answer held is released by another thread (the store's flusher),
     * which must be done with the connection before the daemon goes. */
    while (atomic_load(&srv->held) > 0) {
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
    server_stop_threads(srv);
    MHD_stop_daemon(srv->daemon);
    server_free(srv);
}

/* Decodes %XX and '+' in place. */
static void percent_decode(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        /* Two hex digits exactly: strtol alone would take "%+1" or "% 1". */
        if (*r == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2])) {
            char hex[3] = {r[1], r[2], 0};
            *w++ = (char)strtol(hex, NULL, 16);
            r += 2;
            continue;
        }
        *w++ = *r == '+' ? ' ' : *r;
    }
    *w = '\0';
}

bool http_query_string_each(arena *a, const char *query,
                            bool (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
    char *copy = arena_strdup(a, query);
    if (copy == NULL)
        return false;
    for (char *arg = copy; *arg;) {
        char *next = strchr(arg, '&');
        if (next)
            *next++ = '\0';
        char *eq = strchr(arg, '=');
        if (eq)
            *eq++ = '\0';
        percent_decode(arg);
        if (eq)
            percent_decode(eq);
        if (!fn(ctx, arg, eq ? eq : ""))
            return false;
        if (next == NULL)
            break;
        arg = next;
    }
    return true;
}

/* Keeps a query argument of an in-process request. */
typedef struct local_args {
    const char **query;
    size_t n;
} local_args;

static bool local_arg(void *ctx, const char *key, const char *value)
{
    local_args *la = ctx;
    la->query[la->n++] = key;
    la->query[la->n++] = value;
    return true;
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
        local_args la = {arena_calloc(a, 2 * nargs + 1, sizeof(char *)), 0};
        if (la.query == NULL || !http_query_string_each(a, q, local_arg, &la))
            return BF_ERR_NOMEM;
        local->query = la.query;
    }
    percent_decode(path);
    local->headers = headers;
    req->arena = a;
    req->local = local;
    req->method = method;
    req->path = path;
    req->status = 500;
    req->file_fd = -1;
    req->body_limit = (size_t)1 << 30;
    buf_init(&req->body, a, req->body_limit);
    buf_init(&req->out, a, 64 * 1024 * 1024);
    if (body != NULL && buf_append(&req->body, body, len) != BF_OK)
        return BF_ERR_NOMEM;
    handler(req, app);
    *out = req;
    return BF_OK;
}
