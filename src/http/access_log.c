/* The access log's writer (see access_log.h): two buffers, one filled by the
 * request workers while the writer thread writes the other out. */
#include "http/access_log.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Each buffer's size; a line is at most a few KiB. */
#define LOG_BUFFER ((size_t)256 * 1024)
/* The writer writes at once past this; else the lines gather a while. */
#define LOG_FLUSH_AT ((size_t)64 * 1024)
#define LOG_GATHER_MS 100

struct access_log {
    FILE *f;
    pthread_mutex_t lock;
    pthread_cond_t work; /* to the writer: lines are waiting, or stop */
    pthread_cond_t room; /* to the workers: the buffer was emptied */
    char *fill;          /* the buffer lines are appended to */
    size_t len;
    char *spare; /* the other, written out by the writer (unlocked) */
    bool stopping;
    pthread_t thread;
};

static void *writer_main(void *arg)
{
    access_log *log = arg;
    pthread_mutex_lock(&log->lock);
    for (;;) {
        while (log->len == 0 && !log->stopping)
            pthread_cond_wait(&log->work, &log->lock);
        if (log->len == 0)
            break; /* stopping, and everything written */
        if (!log->stopping && log->len < LOG_FLUSH_AT) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_nsec += LOG_GATHER_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&log->work, &log->lock, &until);
        }
        char *out = log->fill;
        size_t n = log->len;
        log->fill = log->spare;
        log->len = 0;
        log->spare = out;
        pthread_cond_broadcast(&log->room);
        pthread_mutex_unlock(&log->lock);
        fwrite(out, 1, n, log->f);
        fflush(log->f);
        pthread_mutex_lock(&log->lock);
    }
    pthread_mutex_unlock(&log->lock);
    return NULL;
}

static void log_free(access_log *log)
{
    pthread_cond_destroy(&log->room);
    pthread_cond_destroy(&log->work);
    pthread_mutex_destroy(&log->lock);
    free(log->fill);
    free(log->spare);
    free(log);
}

access_log *access_log_open(FILE *f)
{
    access_log *log = calloc(1, sizeof(*log));
    pthread_condattr_t attr;
    if (log == NULL || pthread_condattr_init(&attr) != 0) {
        free(log);
        return NULL;
    }
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&log->work, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0) {
        free(log);
        return NULL;
    }
    log->f = f;
    pthread_mutex_init(&log->lock, NULL);
    pthread_cond_init(&log->room, NULL);
    log->fill = malloc(LOG_BUFFER);
    log->spare = malloc(LOG_BUFFER);
    if (log->fill == NULL || log->spare == NULL ||
        pthread_create(&log->thread, NULL, writer_main, log) != 0) {
        log_free(log);
        return NULL;
    }
    return log;
}

void access_log_write(access_log *log, const char *line, size_t n)
{
    if (n > LOG_BUFFER)
        n = LOG_BUFFER; /* cannot happen: lines are a few KiB */
    pthread_mutex_lock(&log->lock);
    while (log->len + n > LOG_BUFFER)
        pthread_cond_wait(&log->room, &log->lock);
    bool wake = log->len == 0 || (log->len < LOG_FLUSH_AT && log->len + n >= LOG_FLUSH_AT);
    memcpy(log->fill + log->len, line, n);
    log->len += n;
    if (wake)
        pthread_cond_signal(&log->work);
    pthread_mutex_unlock(&log->lock);
}

void access_log_close(access_log *log)
{
    if (log == NULL)
        return;
    pthread_mutex_lock(&log->lock);
    log->stopping = true;
    pthread_cond_signal(&log->work);
    pthread_mutex_unlock(&log->lock);
    pthread_join(log->thread, NULL);
    log_free(log);
}
