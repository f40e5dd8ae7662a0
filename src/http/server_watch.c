/* The HTTP server's guards (see server.h, server_internal.h): the sweeper
 * that watches every connection's deadlines (headers due, a body too slow),
 * the rate limit on libmicrohttpd's log, the server-wide budget of body
 * memory, and the pool of threads that runs offloaded requests. */
#define _GNU_SOURCE /* POLLRDHUP: the client shut its side of the connection */
#include "http/server_internal.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "http/response.h"

/* ---- libmicrohttpd's log ------------------------------------------------- */

/* libmicrohttpd's own messages ("reached per IP connection limit"), at most
 * HTTP_LOG_LINES_PER_S a second: a flood of refused connections must not
 * become a flood of log lines. */
#define HTTP_LOG_LINES_PER_S 10

void server_on_log(void *cls, const char *fmt, va_list ap)
{
    http_server *srv = cls;
    time_t now = time(NULL);
    pthread_mutex_lock(&srv->log_lock);
    if (now != srv->log_second) {
        srv->log_second = now;
        srv->log_lines = 0;
    }
    bool write = srv->log_lines < HTTP_LOG_LINES_PER_S;
    unsigned dropped = 0;
    if (write) {
        srv->log_lines++;
        dropped = srv->log_dropped;
        srv->log_dropped = 0;
    } else {
        srv->log_dropped++;
    }
    pthread_mutex_unlock(&srv->log_lock);
    if (!write)
        return;
    char line[512];
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    if (dropped > 0)
        fprintf(stderr, "bingfa: http: %s (and %u similar lines dropped)\n", line, dropped);
    else
        fprintf(stderr, "bingfa: http: %s\n", line);
}

/* ---- deadlines ------------------------------------------------------------- */

void server_on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn_watch *w = calloc(1, sizeof(*w));
        if (w == NULL || ci == NULL) {
            free(w);
            *socket_context = NULL; /* unwatched: the idle timeout still applies */
            return;
        }
        w->fd = ci->connect_fd;
        atomic_init(&w->headers_due_ns, now_ns() + srv->opt.header_timeout_s * NS_PER_S);
        atomic_init(&w->body_since_ns, 0);
        atomic_init(&w->body_bytes, 0);
        pthread_mutex_lock(&srv->watch_lock);
        w->next = srv->watches;
        if (srv->watches)
            srv->watches->prev = w;
        srv->watches = w;
        pthread_mutex_unlock(&srv->watch_lock);
        *socket_context = w;
        return;
    }
    conn_watch *w = *socket_context;
    if (w == NULL)
        return;
    /* Called before libmicrohttpd closes the socket: once unlinked, the
     * sweeper never touches this descriptor again. */
    pthread_mutex_lock(&srv->watch_lock);
    if (w->prev)
        w->prev->next = w->next;
    else
        srv->watches = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&srv->watch_lock);
    free(w);
    *socket_context = NULL;
}

/* Ends the connections that missed a deadline: headers not in by their due
 * time, or a body slower than min_body_rate once header_timeout_s is over.
 * shutdown() wakes libmicrohttpd's poll on the socket, which then closes it. */
static void sweep(http_server *srv)
{
    uint64_t now = now_ns();
    uint64_t grace = srv->opt.header_timeout_s * NS_PER_S;
    pthread_mutex_lock(&srv->watch_lock);
    for (conn_watch *w = srv->watches; w; w = w->next) {
        uint64_t due = atomic_load(&w->headers_due_ns);
        uint64_t since = atomic_load(&w->body_since_ns);
        bool late = due != 0 && now > due;
        bool slow = since != 0 && now - since > grace &&
                    atomic_load(&w->body_bytes) * NS_PER_S <
                        (uint64_t)srv->opt.min_body_rate * (now - since);
        if (late || slow) {
            atomic_store(&w->headers_due_ns, 0);
            atomic_store(&w->body_since_ns, 0);
            shutdown(w->fd, SHUT_RDWR);
        }
    }
    pthread_mutex_unlock(&srv->watch_lock);
}

static void *sweeper_main(void *arg)
{
    http_server *srv = arg;
    pthread_mutex_lock(&srv->watch_lock);
    while (!srv->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 250 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->sweeper_wake, &srv->watch_lock, &ts);
        if (srv->stopping)
            break;
        pthread_mutex_unlock(&srv->watch_lock);
        sweep(srv);
        pthread_mutex_lock(&srv->watch_lock);
    }
    pthread_mutex_unlock(&srv->watch_lock);
    return NULL;
}

/* ---- the pool of offloaded requests --------------------------------------- */

bool http_client_gone(const http_request *req)
{
    if (req->local != NULL || req->conn == NULL)
        return false;
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (info == NULL)
        return false;
    struct pollfd p = {.fd = info->connect_fd, .events = POLLRDHUP};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

static void *pool_main(void *arg)
{
    http_server *srv = arg;
    for (;;) {
        pthread_mutex_lock(&srv->pool_lock);
        while (srv->queue_count == 0 && !srv->pool_stopping)
            pthread_cond_wait(&srv->pool_ready, &srv->pool_lock);
        if (srv->queue_count == 0) {
            pthread_mutex_unlock(&srv->pool_lock);
            return NULL;
        }
        http_request *req = srv->queue[srv->queue_head];
        srv->queue_head = (srv->queue_head + 1) % srv->opt.pool_queue;
        srv->queue_count--;
        pthread_mutex_unlock(&srv->pool_lock);

        /* Work its client no longer waits for is not started. */
        if (http_client_gone(req))
            http_respond_error(req, 503, "gone", "the client went away", NULL, NULL);
        else
            srv->handler(req, srv->app);
        req->handled = true;
        /* libmicrohttpd calls on_request again, which sends the answer. */
        MHD_resume_connection(req->conn);
    }
}

/* Suspends the connection and queues req for the pool (see
 * server_internal.h). */
bool server_pool_submit(http_server *srv, http_request *req)
{
    pthread_mutex_lock(&srv->pool_lock);
    if (srv->queue_count >= srv->opt.pool_queue || srv->pool_stopping) {
        pthread_mutex_unlock(&srv->pool_lock);
        return false;
    }
    req->queued = true;
    MHD_suspend_connection(req->conn);
    srv->queue[(srv->queue_head + srv->queue_count) % srv->opt.pool_queue] = req;
    srv->queue_count++;
    pthread_cond_signal(&srv->pool_ready);
    pthread_mutex_unlock(&srv->pool_lock);
    return true;
}

/* ---- the body budget ----------------------------------------------------- */

/* Takes n bytes of the server's body budget; false when it would pass it. */
bool server_budget_take(http_server *srv, http_request *req, size_t n)
{
    size_t held = atomic_load(&srv->body_held);
    do {
        if (n > srv->opt.body_memory || held > srv->opt.body_memory - n)
            return false;
    } while (!atomic_compare_exchange_weak(&srv->body_held, &held, held + n));
    req->body_reserved += n;
    return true;
}

/* ---- threads ------------------------------------------------------------- */

/* Starts the sweeper and the pool's threads. */
bf_result server_start_threads(http_server *srv)
{
    srv->queue = calloc(srv->opt.pool_queue, sizeof(*srv->queue));
    srv->pool = calloc(srv->opt.pool_threads, sizeof(*srv->pool));
    if (srv->queue == NULL || srv->pool == NULL)
        return BF_ERR_NOMEM;
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return BF_ERR_NOMEM;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&srv->sweeper_wake, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0)
        return BF_ERR_NOMEM;
    if (pthread_create(&srv->sweeper, NULL, sweeper_main, srv) != 0)
        return BF_ERR_NOMEM;
    srv->sweeper_running = true;
    for (unsigned i = 0; i < srv->opt.pool_threads; i++) {
        if (pthread_create(&srv->pool[i], NULL, pool_main, srv) != 0)
            return BF_ERR_NOMEM;
        srv->pool_started++;
    }
    return BF_OK;
}

/* Stops and joins the sweeper and the pool (the pool first runs what is
 * queued, so that every suspended connection is resumed). */
void server_stop_threads(http_server *srv)
{
    pthread_mutex_lock(&srv->pool_lock);
    srv->pool_stopping = true;
    pthread_cond_broadcast(&srv->pool_ready);
    pthread_mutex_unlock(&srv->pool_lock);
    for (unsigned i = 0; i < srv->pool_started; i++)
        pthread_join(srv->pool[i], NULL);
    srv->pool_started = 0;
    if (srv->sweeper_running) {
        pthread_mutex_lock(&srv->watch_lock);
        srv->stopping = true;
        pthread_cond_signal(&srv->sweeper_wake);
        pthread_mutex_unlock(&srv->watch_lock);
        pthread_join(srv->sweeper, NULL);
        srv->sweeper_running = false;
    }
}
