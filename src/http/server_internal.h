/* Internal to the HTTP server (server.c, server_watch.c): the server's
 * state and what the two files share. Not for use outside src/http. */
#ifndef BF_HTTP_SERVER_INTERNAL_H
#define BF_HTTP_SERVER_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "http/access_log.h"
#include "http/server.h"

/* What the sweeper knows of one connection: when its request headers are
 * due, and how fast its body arrives. Linked in the server's list from the
 * moment libmicrohttpd accepts the socket until just before it closes it. */
typedef struct conn_watch {
    struct conn_watch *prev, *next;
    int fd;
    _Atomic uint64_t headers_due_ns; /* 0: headers are not awaited */
    _Atomic uint64_t body_since_ns;  /* 0: no body is being read */
    _Atomic uint64_t body_bytes;
} conn_watch;

struct http_server {
    struct MHD_Daemon *daemon;
    http_handler handler;
    void *app;
    http_options opt;
    uint16_t port;
    atomic_int in_flight;
    atomic_size_t body_held; /* bytes of the body budget held by requests */
    atomic_uint held;        /* requests whose answer is held, until released */
    atomic_bool closing;     /* http_server_stop has begun: no answer is held any more */
    access_log *log;         /* the writer of opt.access_log, or NULL */

    pthread_mutex_t watch_lock; /* guards watches, and every shutdown of a watched socket */
    conn_watch *watches;
    pthread_cond_t sweeper_wake;
    pthread_t sweeper;
    bool sweeper_running;
    bool stopping;

    pthread_mutex_t log_lock; /* guards the three below */
    time_t log_second;        /* the second being counted */
    unsigned log_lines;       /* lines of libmicrohttpd's log written in it */
    unsigned log_dropped;     /* lines dropped since the last written */

    pthread_mutex_t pool_lock; /* guards the queue */
    pthread_cond_t pool_ready;
    http_request **queue; /* a ring of pool_queue entries */
    unsigned queue_head, queue_count;
    pthread_t *pool;
    unsigned pool_started;
    bool pool_stopping;
};

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#define NS_PER_S 1000000000ULL

/* server_watch.c: libmicrohttpd's log, at most a few lines a second
 * (MHD_OPTION_EXTERNAL_LOGGER). */
__attribute__((format(printf, 2, 0))) void server_on_log(void *cls, const char *fmt, va_list ap);

/* server_watch.c: links a connection into the sweeper's list when it opens
 * and unlinks it before it closes (MHD_OPTION_NOTIFY_CONNECTION). */
void server_on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code);

/* server_watch.c: suspends the connection and queues req for the pool;
 * false when the queue is full. Called from on_request, as libmicrohttpd
 * requires. */
bool server_pool_submit(http_server *srv, http_request *req);

/* server_watch.c: takes n bytes of the server's body budget; false when it
 * would pass it. */
bool server_budget_take(http_server *srv, http_request *req, size_t n);

/* server_watch.c: starts the sweeper and the pool's threads. */
bf_result server_start_threads(http_server *srv);

/* server_watch.c: stops and joins the sweeper and the pool (the pool first
 * runs what is queued, so that every suspended connection is resumed). */
void server_stop_threads(http_server *srv);

#endif
