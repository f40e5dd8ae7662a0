/* The HTTP server: libmicrohttpd with its epoll thread pool, a memory arena
 * per request, a bounded request body, one JSON access-log line per request.
 * It knows HTTP, not the domain: every complete request goes to one handler. */
#ifndef BF_HTTP_SERVER_H
#define BF_HTTP_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/result.h"

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 12

typedef struct http_request {
    arena *arena;                        /* lives until the response is sent */
    const char *method;                  /* "GET", "POST", … */
    const char *path;                    /* without the query string */
    buf body;                            /* the request body, bounded by the server's max_body */
    const char *params[HTTP_MAX_PARAMS]; /* path parameters, filled by the router */
    size_t nparams;
    const char *route; /* the matched route pattern, for the access log */

    /* The response, filled by the handler. */
    int status;
    const char *content_type;
    buf out;
    const char *header_names[HTTP_MAX_HEADERS];
    const char *header_values[HTTP_MAX_HEADERS];
    size_t nheaders;
    bool headers_overflow; /* a header was set beyond HTTP_MAX_HEADERS: answered as 500 */
    bool has_file;         /* the body is the file file_fd (http_respond_file), not out */
    int file_fd;           /* owned by the request until the server hands it to the answer */
    uint64_t file_size;

    void *conn;                     /* the libmicrohttpd connection (opaque) */
    const struct http_local *local; /* set instead of conn for an in-process request */
    void *app_state;                /* the handler's own state, set at admission (arena) */
    bool offload;                   /* admission asks for the handler to run on the pool */
    bool body_too_large;            /* the body passed the limit while being read */
    bool body_over_budget;          /* the server's body memory ran out while reading it */
    bool responded;                 /* a response was already queued */
    bool queued;                    /* waiting for, or running on, the pool */
    bool handled;                   /* the handler has run (on the pool) */
    size_t body_limit;              /* this request's body limit (max_body unless changed) */
    size_t upload_limit;            /* the server's max_upload: what admit may raise it to */
    size_t body_reserved;           /* bytes of the server's body budget held */
    struct conn_watch *watch;       /* the connection's deadlines */
    const char *trusted_proxy;      /* the server's option of that name */
    uint64_t started_ns;
    struct http_server *server; /* the server it came to; NULL in-process */
    atomic_int hold;            /* whether its answer is held: see http_request_hold */
} http_request;

/* Handles one complete request: sets status, content type and body. */
typedef void (*http_handler)(http_request *req, void *app);

/* Decides about a request whose headers are in, before a byte of its body is
 * read: returns true to go on (it may lower req->body_limit, raise it to
 * req->upload_limit, or set
 * req->offload), false after setting an answer (status, body) that is sent
 * at once, the body unread. http_has_body tells what the client announced. */
typedef bool (*http_admit)(http_request *req, void *app);

/* Called when a request ends, answered or abandoned, on the thread that
 * admitted it, before its arena is freed. */
typedef void (*http_done)(http_request *req, void *app);

typedef struct http_options {
    const char *address;        /* IPv4 or IPv6 literal */
    uint16_t port;              /* 0: any free port */
    size_t max_body;            /* bytes; larger bodies get 413 */
    size_t max_upload;          /* bytes of a file uploaded (a route the admit raises to it) */
    size_t body_memory;         /* bytes of request bodies held at once, server-wide (503) */
    unsigned threads;           /* worker threads; 0: one per CPU */
    unsigned connection_limit;  /* open connections at most */
    unsigned per_address_limit; /* open connections from one client address (0: no limit) */
    unsigned timeout_seconds;   /* idle connection timeout */
    unsigned header_timeout_s;  /* a request line and its headers must arrive within this */
    unsigned min_body_rate;     /* bytes/s a body must average once header_timeout_s is over */
    unsigned pool_threads;      /* threads running offloaded requests (password hashing) */
    unsigned pool_queue;        /* offloaded requests waiting at most; 503 beyond */
    bool hsts;                  /* send Strict-Transport-Security (served over TLS) */
    const char *trusted_proxy;  /* the address of a reverse proxy whose X-Forwarded-For is
                                   believed, or NULL */
    http_admit admit;           /* NULL: every request is admitted */
    http_done done;             /* NULL: nothing to do when a request ends */
    FILE *access_log;           /* one JSON line per request, written a moment later by a
                                   thread of its own (access_log.h); NULL: none */
} http_options;

/* Defaults of the options a caller leaves at 0 (see docs/security.md). */
#define HTTP_DEFAULT_BODY_MEMORY ((size_t)64 << 20)
/* The default largest file uploaded. */
#define HTTP_DEFAULT_MAX_UPLOAD ((size_t)20 << 20)
#define HTTP_DEFAULT_PER_ADDRESS 64
#define HTTP_DEFAULT_HEADER_TIMEOUT 10
#define HTTP_DEFAULT_MIN_BODY_RATE 1024
#define HTTP_DEFAULT_POOL_THREADS 2
#define HTTP_DEFAULT_POOL_QUEUE 64

typedef struct http_server http_server;

/* Starts serving; *out is owned by the caller and stopped with
 * http_server_stop. The port really bound is in http_server_port. */
bf_result http_server_start(const http_options *opt, http_handler handler, void *app,
                            http_server **out, bf_error *err);

/* The port the server listens on. */
uint16_t http_server_port(const http_server *srv);

/* Stops accepting, waits (up to grace_ms) for requests in flight to finish,
 * then closes every connection and frees the server. */
void http_server_stop(http_server *srv, unsigned grace_ms);

/* A request header, or NULL. Owned by the connection. */
const char *http_header(const http_request *req, const char *name);

/* A cookie of the request, or NULL. Owned by the connection. */
const char *http_cookie(const http_request *req, const char *name);

/* The client's IP address as text ("local" for an in-process request); behind
 * the trusted proxy, the last address of its X-Forwarded-For. */
const char *http_client_address(http_request *req);

/* Whether the client of a request has gone away (closed or reset its
 * connection): work for it may stop. False for an in-process request. */
bool http_client_gone(const http_request *req);

/* Whether the request announces a body: false when it has none; true with
 * *n the announced Content-Length, or UINT64_MAX when the body is chunked. */
bool http_has_body(const http_request *req, uint64_t *n);

/* A query-string argument, or NULL (present without value gives ""). */
const char *http_query(const http_request *req, const char *name);

/* Calls fn for every query argument; stops and returns false when fn does. */
bool http_query_each(const http_request *req,
                     bool (*fn)(void *ctx, const char *key, const char *value), void *ctx);

/* Calls fn for every argument of query, a query string ("a=1&b=%E5%BC%A0"),
 * each key and value percent-decoded ('+' a space) into copies in a; stops
 * and returns false when fn does, or when memory runs out. */
bool http_query_string_each(arena *a, const char *query,
                            bool (*fn)(void *ctx, const char *key, const char *value), void *ctx);

/* Adds a response header; the strings must outlive the request (arena).
 * Beyond HTTP_MAX_HEADERS it returns false, and the answer becomes a 500
 * that says so: a header is never dropped silently. */
bool http_set_header(http_request *req, const char *name, const char *value);

/* Whether req's answer may be held (http_request_hold): a request from the
 * network whose handler runs on a worker thread, not in-process nor on the
 * pool of offloaded requests (whose handlers may block). */
bool http_request_can_hold(const http_request *req);

/* Holds the answer the handler is setting: it is sent when
 * http_request_release is called, not when the handler returns, and the
 * worker serves other connections meanwhile (a write's answer waits until
 * the write is on disk). Only where http_request_can_hold; once per request. */
void http_request_hold(http_request *req);

/* Sends the answer held by http_request_hold, from any thread; the answer may
 * be changed before, and req must not be touched after (it may be gone). */
void http_request_release(http_request *req);

/* Headers and query arguments of an in-process request: NULL-terminated
 * lists of name, value pairs. */
typedef struct http_local {
    const char *const *headers;
    const char **query;
} http_local;

/* Runs one request through handler without a network (the command line's
 * way to every route): target is the path with an optional ?query,
 * percent-decoded here. The request (and its response: status, out) lives
 * in a, which the caller frees. */
bf_result http_request_local(arena *a, const char *method, const char *target, const char *body,
                             size_t len, const char *const *headers, http_handler handler,
                             void *app, http_request **out);

#endif
