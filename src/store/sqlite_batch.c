/* The outcomes of shared write transactions (see sqlite.h): with group
 * commit, the write transactions of a server's requests run one after the
 * other inside one SQLite transaction, a batch, each in a savepoint of its
 * own (store_sqlite.c decides when a batch commits). A request whose
 * transaction is left in an open batch holds a ticket, the batch's number,
 * and is answered once that batch has committed and its commit is on disk,
 * or told that it failed. This file keeps what each batch came to.
 *
 * Batches are numbered from 1 and end in that order, one at a time. The
 * outcome of the last OUTCOMES batches is kept; a ticket older than that
 * (its request waited through OUTCOMES batches between its write and its
 * question, which does not happen) is answered from the newest commit
 * token, or as failed when any batch since it failed. */
#include "store/sqlite.h"

#include <pthread.h>
#include <stdlib.h>

enum { OUTCOMES = 1024 };

typedef struct outcome {
    uint64_t seq;   /* the batch, 0: none yet */
    uint64_t token; /* its commit's token (0: it wrote nothing) */
    bool ok;
} outcome;

struct sq_batch {
    pthread_mutex_t lock;
    pthread_cond_t ended; /* to blocking waiters: a batch ended */
    sq_sync *sync;
    uint64_t open;        /* the batch being filled (or the next one) */
    uint64_t last_token;  /* the newest commit token of a batch */
    uint64_t last_failed; /* the newest batch that failed, 0: none */
    store_waiter *waiters;
    outcome done[OUTCOMES];
};

bf_result sq_batch_new(sq_sync *sync, sq_batch **out)
{
    sq_batch *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return BF_ERR_NOMEM;
    if (pthread_mutex_init(&b->lock, NULL) != 0) {
        free(b);
        return BF_ERR_NOMEM;
    }
    if (pthread_cond_init(&b->ended, NULL) != 0) {
        pthread_mutex_destroy(&b->lock);
        free(b);
        return BF_ERR_NOMEM;
    }
    b->sync = sync;
    b->open = 1;
    *out = b;
    return BF_OK;
}

void sq_batch_free(sq_batch *b)
{
    if (b == NULL)
        return;
    BF_ASSERT(b->waiters == NULL);
    pthread_cond_destroy(&b->ended);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

uint64_t sq_batch_current(sq_batch *b)
{
    pthread_mutex_lock(&b->lock);
    uint64_t seq = b->open;
    pthread_mutex_unlock(&b->lock);
    return seq;
}

/* What batch seq came to (lock held): SQ_BATCH_OPEN while it is being
 * filled. */
static sq_batch_state state_of(const sq_batch *b, uint64_t seq, uint64_t *token)
{
    *token = 0;
    if (seq >= b->open)
        return SQ_BATCH_OPEN;
    const outcome *o = &b->done[seq % OUTCOMES];
    if (o->seq == seq) {
        *token = o->token;
        return o->ok ? SQ_BATCH_COMMITTED : SQ_BATCH_FAILED;
    }
    *token = b->last_token;
    return seq <= b->last_failed ? SQ_BATCH_FAILED : SQ_BATCH_COMMITTED;
}

sq_batch_state sq_batch_state_of(sq_batch *b, uint64_t seq, uint64_t *token)
{
    pthread_mutex_lock(&b->lock);
    sq_batch_state s = state_of(b, seq, token);
    pthread_mutex_unlock(&b->lock);
    return s;
}

/* Tells w what its batch came to: on disk, or not. */
static void answer(sq_batch *b, store_waiter *w, sq_batch_state s, uint64_t token)
{
    if (s == SQ_BATCH_FAILED)
        w->done(w->ctx, false);
    else if (token != 0 && b->sync != NULL)
        sq_sync_notify(b->sync, token, w);
    else
        w->done(w->ctx, true);
}

void sq_batch_end(sq_batch *b, bool ok, uint64_t token)
{
    pthread_mutex_lock(&b->lock);
    uint64_t seq = b->open++;
    b->done[seq % OUTCOMES] = (outcome){.seq = seq, .token = token, .ok = ok};
    if (token > b->last_token)
        b->last_token = token;
    if (!ok)
        b->last_failed = seq;
    store_waiter *w = b->waiters;
    b->waiters = NULL;
    pthread_cond_broadcast(&b->ended);
    pthread_mutex_unlock(&b->lock);
    while (w != NULL) {
        store_waiter *next = w->next; /* done may free the waiter */
        answer(b, w, ok ? SQ_BATCH_COMMITTED : SQ_BATCH_FAILED, token);
        w = next;
    }
}

void sq_batch_notify(sq_batch *b, uint64_t seq, store_waiter *w)
{
    uint64_t token;
    pthread_mutex_lock(&b->lock);
    sq_batch_state s = state_of(b, seq, &token);
    if (s == SQ_BATCH_OPEN) {
        w->token = seq;
        w->next = b->waiters;
        b->waiters = w;
        pthread_mutex_unlock(&b->lock);
        return;
    }
    pthread_mutex_unlock(&b->lock);
    answer(b, w, s, token);
}

bf_result sq_batch_wait(sq_batch *b, uint64_t seq, bf_error *err)
{
    uint64_t token;
    pthread_mutex_lock(&b->lock);
    sq_batch_state s;
    while ((s = state_of(b, seq, &token)) == SQ_BATCH_OPEN)
        pthread_cond_wait(&b->ended, &b->lock);
    pthread_mutex_unlock(&b->lock);
    if (s == SQ_BATCH_FAILED)
        return bf_fail(err, BF_ERR_STORE, "store_error", NULL,
                       "the change could not be written to the database and is lost");
    return token != 0 && b->sync != NULL ? sq_sync_wait(b->sync, token, err) : BF_OK;
}
