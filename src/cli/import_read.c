/* The reading thread of bingfa import (see import_read.h): lines are read,
 * parsed and prepared CHUNK_LINES at a time and handed over through a queue
 * of at most QUEUE_CHUNKS chunks, so the reader stays a little ahead and no
 * more; the chunks the importer is done with come back to it to be freed.
 * A chunk, its JSON values and its arena belong to one thread at a time,
 * handed over under the lock. */
#include "cli/import_read.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_LINES 256
#define QUEUE_CHUNKS 8

struct import_reader {
    FILE *in;
    import_prepare prepare;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a chunk was queued, taken or handed back, or stop was set */
    import_chunk *queue[QUEUE_CHUNKS];
    size_t head, count;
    import_chunk *used; /* handed back, to free */
    bool stop;          /* the importer wants no more */
    bool finished;      /* the last chunk was queued */
};

void import_chunk_free(import_chunk *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        json_decref(c->lines[i].obj);
        free(c->lines[i].err);
    }
    free(c->lines);
    arena_free(c->arena);
    free(c);
}

/* Frees the chunks of a list. */
static void free_list(import_chunk *c)
{
    while (c != NULL) {
        import_chunk *next = c->next;
        import_chunk_free(c);
        c = next;
    }
}

/* Takes the chunks handed back (under the lock). */
static import_chunk *take_used(import_reader *r)
{
    import_chunk *used = r->used;
    r->used = NULL;
    return used;
}

/* Parses one line (len bytes, its end of line taken off) into *l. */
static void parse(read_line *l, const char *text, size_t len)
{
    json_error_t jerr;
    bool too_large = len > IMPORT_MAX_LINE;
    if (!too_large)
        l->obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (l->obj != NULL && json_is_object(l->obj))
        return;
    bool parsed = l->obj != NULL; /* JSON, but not an object */
    json_decref(l->obj);
    l->obj = NULL;
    if ((l->err = calloc(1, sizeof(*l->err))) == NULL)
        l->r = BF_ERR_NOMEM;
    else if (too_large)
        l->r = bf_fail(l->err, BF_ERR_TOO_LARGE, "too_large", NULL,
                       "the line is longer than %d bytes, the largest body the API takes",
                       IMPORT_MAX_LINE);
    else if (parsed)
        l->r = bf_fail(l->err, BF_ERR_INVALID, "wrong_type", NULL, "a line must be a JSON object");
    else if (json_error_code(&jerr) == json_error_out_of_memory)
        l->r = bf_fail(l->err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
    else
        l->r = bf_fail(l->err, BF_ERR_MALFORMED, "malformed_json", NULL,
                       "malformed JSON at column %d: %s", jerr.column, jerr.text);
}

/* Reads up to CHUNK_LINES lines that are not blank into a new chunk. */
static import_chunk *read_chunk(import_reader *r, char **line, size_t *cap, size_t *number)
{
    import_chunk *c = calloc(1, sizeof(*c));
    if (c != NULL && ((c->lines = calloc(CHUNK_LINES, sizeof(read_line))) == NULL ||
                      (r->prepare != NULL && (c->arena = arena_new(256 * 1024)) == NULL))) {
        import_chunk_free(c);
        c = NULL;
    }
    if (c == NULL)
        return NULL;
    ssize_t len = 0;
    while (c->n < CHUNK_LINES && (len = getline(line, cap, r->in)) >= 0) {
        ++*number;
        while (len > 0 && ((*line)[len - 1] == '\n' || (*line)[len - 1] == '\r'))
            len--;
        if (strspn(*line, " \t") >= (size_t)len)
            continue; /* a blank line */
        read_line *l = &c->lines[c->n++];
        l->number = *number;
        parse(l, *line, (size_t)len);
        if (l->obj != NULL && r->prepare != NULL)
            r->prepare(r->ctx, c->arena, l);
    }
    c->last = *number;
    if (len < 0 && ferror(r->in)) {
        c->failed = true;
        snprintf(c->why, sizeof(c->why), "%s", strerror(errno));
    }
    c->end = len < 0;
    return c;
}

/* Queues c, waiting for room; false when the importer stopped first. */
static bool push(import_reader *r, import_chunk *c)
{
    pthread_mutex_lock(&r->lock);
    while (r->count == QUEUE_CHUNKS && !r->stop) {
        import_chunk *used = take_used(r);
        if (used == NULL) {
            pthread_cond_wait(&r->changed, &r->lock);
            continue;
        }
        pthread_mutex_unlock(&r->lock); /* freed while the importer works */
        free_list(used);
        pthread_mutex_lock(&r->lock);
    }
    bool queued = !r->stop;
    if (queued) {
        r->queue[(r->head + r->count) % QUEUE_CHUNKS] = c;
        r->count++;
        r->finished = c->end;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
    return queued;
}

static void *reader_main(void *arg)
{
    import_reader *r = arg;
    char *line = NULL;
    size_t cap = 0, number = 0;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        import_chunk *used = take_used(r);
        pthread_mutex_unlock(&r->lock);
        free_list(used);
        import_chunk *c = read_chunk(r, &line, &cap, &number);
        if (c == NULL && (c = calloc(1, sizeof(*c))) != NULL) {
            c->failed = c->end = true;
            snprintf(c->why, sizeof(c->why), "out of memory");
        }
        if (c == NULL) { /* not even that: the importer is told by an empty end */
            pthread_mutex_lock(&r->lock);
            r->finished = true;
            pthread_cond_broadcast(&r->changed);
            pthread_mutex_unlock(&r->lock);
            break;
        }
        bool end = c->end;
        if (!push(r, c)) {
            import_chunk_free(c);
            break;
        }
        if (end)
            break;
    }
    free(line);
    return NULL;
}

bf_result import_reader_start(FILE *in, import_prepare prepare, void *ctx, import_reader **out)
{
    import_reader *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return BF_ERR_NOMEM;
    r->in = in;
    r->prepare = prepare;
    r->ctx = ctx;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    json_object_seed(0); /* before two threads make objects */
    if (pthread_create(&r->thread, NULL, reader_main, r) != 0) {
        pthread_cond_destroy(&r->changed);
        pthread_mutex_destroy(&r->lock);
        free(r);
        return BF_ERR_INTERNAL;
    }
    *out = r;
    return BF_OK;
}

import_chunk *import_reader_next(import_reader *r)
{
    pthread_mutex_lock(&r->lock);
    while (r->count == 0 && !r->finished)
        pthread_cond_wait(&r->changed, &r->lock);
    import_chunk *c = NULL;
    if (r->count > 0) {
        c = r->queue[r->head];
        r->head = (r->head + 1) % QUEUE_CHUNKS;
        r->count--;
        pthread_cond_broadcast(&r->changed);
    }
    pthread_mutex_unlock(&r->lock);
    return c;
}

void import_reader_recycle(import_reader *r, import_chunk *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    c->next = r->used;
    r->used = c;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

void import_reader_stop(import_reader *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    free_list(take_used(r));
    while (r->count > 0) {
        import_chunk_free(r->queue[r->head]);
        r->head = (r->head + 1) % QUEUE_CHUNKS;
        r->count--;
    }
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
