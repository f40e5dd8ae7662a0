/* Group commit for the SQLite backend (see sqlite.h): commits run with
 * synchronous=NORMAL, which in WAL mode writes a commit's frames to the -wal
 * file without an fsync, and a flusher thread makes them durable with one
 * fdatasync of that file for every commit made before it started. A commit
 * is acknowledged only once a flush that covers it has completed, so many
 * waiting commits share one fsync and none is acknowledged before it is on
 * disk. This is SQLite's business only: PostgreSQL groups its commits
 * itself (commit_delay, its WAL writer).
 *
 * Why one fdatasync of the -wal file is enough (the argument, step by step):
 *
 * 1. A commit in WAL mode is complete once its frames, the last one marked
 *    as a commit frame with a checksum, are in the -wal file: recovery after
 *    a crash replays every frame up to the last valid commit frame. SQLite
 *    writes them with write() (never through a memory map), and calls the
 *    WAL hook (sqlite3_wal_hook) after they are written; there the store
 *    takes the commit's token, a number that only grows (sq_sync_committed).
 * 2. A flush reads the highest token given out so far, then calls
 *    fdatasync on the -wal file. Every commit whose token is at most that
 *    number had written its frames before the read, so they are in the page
 *    cache of that file and fdatasync puts them on disk (with the file's
 *    size, and the WAL header written when the log was last restarted).
 * 3. A commit's frames leave the -wal file only after a checkpoint copied
 *    them into the database: SQLite restarts the log from its beginning, or
 *    truncates it, only once a checkpoint has backfilled every frame, and
 *    with synchronous=NORMAL a checkpoint fsyncs the -wal file before it
 *    copies and the database file after. Such a commit is durable in the
 *    database whatever the flush finds in the -wal file. (Every process
 *    writing the file must use NORMAL or FULL for this; bingfa's do.)
 * 4. The -wal file is removed only when the last connection to the
 *    database closes, after a complete checkpoint; this process keeps its
 *    connections open while it serves. Should the file be gone or replaced
 *    all the same (st_nlink is 0), the flusher opens it again by path, or,
 *    when there is none, fsyncs the database file.
 * 5. An fdatasync that fails leaves the outcome unknown (the kernel may have
 *    dropped the dirty pages), so the failure is final: every waiter is told,
 *    and the store refuses writes from then on (store_begin).
 *
 * The waits happen after the write lock is released: the next writer
 * commits while the previous ones wait for the disk. */
#include "store/sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sq_sync {
    pthread_mutex_t lock;       /* guards everything below but committed */
    pthread_cond_t work;        /* to the flusher: someone waits, or stop */
    pthread_cond_t flushed;     /* to blocking waiters: durable moved, or failed */
    _Atomic uint64_t committed; /* the last token given out */
    uint64_t durable;           /* every commit up to this token is on disk */
    uint64_t wanted;            /* the highest token someone waits for */
    bool failed;                /* a flush failed: nothing is durable any more */
    bool stopping;
    bool kicked;               /* a shared transaction waits to be committed */
    void (*commit)(void *ctx); /* commits it (sq_sync_set_committer) */
    void *commit_ctx;
    store_waiter *waiters; /* waiting for a callback, in no order */
    pthread_t thread;
    int fd; /* the -wal file, opened on the first flush; -1 when not open */
    char *wal_path, *db_path;
};

/* fdatasync of the -wal file (see point 4 above for when there is none). */
static bool flush_files(sq_sync *s)
{
    struct stat sb;
    if (s->fd >= 0 && (fstat(s->fd, &sb) != 0 || sb.st_nlink == 0)) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->fd < 0)
        s->fd = open(s->wal_path, O_RDONLY | O_CLOEXEC);
    if (s->fd >= 0)
        return fdatasync(s->fd) == 0;
    if (errno != ENOENT)
        return false;
    int fd = open(s->db_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fdatasync(fd) == 0;
    close(fd);
    return ok;
}

/* Takes off the list the waiters a flush has served: those at most durable,
 * or every one when the flush failed. Called with the lock held. */
static store_waiter *take_served(sq_sync *s)
{
    store_waiter *served = NULL, **p = &s->waiters;
    while (*p != NULL) {
        store_waiter *w = *p;
        if (s->failed || w->token <= s->durable) {
            *p = w->next;
            w->next = served;
            served = w;
        } else {
            p = &w->next;
        }
    }
    return served;
}

static void *flusher_main(void *arg)
{
    sq_sync *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->stopping && !s->kicked && s->wanted <= s->durable)
            pthread_cond_wait(&s->work, &s->lock);
        if (s->kicked) {
            /* Commit first: what waits in the shared transaction then goes
             * to disk with this flush, and the next one fills meanwhile. */
            s->kicked = false;
            pthread_mutex_unlock(&s->lock);
            s->commit(s->commit_ctx);
            pthread_mutex_lock(&s->lock);
        }
        if (s->wanted <= s->durable) {
            if (s->stopping && !s->kicked)
                break; /* nothing left to flush */
            continue;
        }
        uint64_t target = atomic_load(&s->committed);
        pthread_mutex_unlock(&s->lock);
        bool ok = flush_files(s);
        pthread_mutex_lock(&s->lock);
        if (ok && target > s->durable)
            s->durable = target;
        if (!ok) {
            s->failed = true;
            s->wanted = s->durable; /* nothing more is tried */
        }
        store_waiter *served = take_served(s);
        pthread_cond_broadcast(&s->flushed);
        pthread_mutex_unlock(&s->lock);
        while (served != NULL) {
            store_waiter *next = served->next; /* done may free the waiter */
            served->done(served->ctx, ok);
            served = next;
        }
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void sync_free(sq_sync *s)
{
    if (s->fd >= 0)
        close(s->fd);
    pthread_cond_destroy(&s->flushed);
    pthread_cond_destroy(&s->work);
    pthread_mutex_destroy(&s->lock);
    free(s->wal_path);
    free(s->db_path);
    free(s);
}

bf_result sq_sync_open(const char *db_path, sq_sync **out, bf_error *err)
{
    sq_sync *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return BF_ERR_NOMEM;
    s->fd = -1;
    /* By absolute path, as SQLite names its -wal file: a later chdir cannot
     * send the flusher to another file. */
    s->db_path = realpath(db_path, NULL);
    if (s->db_path == NULL && errno != ENOMEM)
        s->db_path = strdup(db_path);
    size_t n = s->db_path ? strlen(s->db_path) : 0;
    s->wal_path = malloc(n + sizeof("-wal"));
    if (s->db_path == NULL || s->wal_path == NULL) {
        free(s->db_path);
        free(s->wal_path);
        free(s);
        return BF_ERR_NOMEM;
    }
    memcpy(s->wal_path, s->db_path, n);
    memcpy(s->wal_path + n, "-wal", sizeof("-wal"));
    atomic_init(&s->committed, 0);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->flushed, NULL);
    if (pthread_create(&s->thread, NULL, flusher_main, s) != 0) {
        sync_free(s);
        return bf_fail(err, BF_ERR_INTERNAL, NULL, NULL, "cannot start the store's flusher");
    }
    *out = s;
    return BF_OK;
}

void sq_sync_close(sq_sync *s)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    if (!s->failed)
        s->wanted = atomic_load(&s->committed); /* a last flush of what is left */
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    sync_free(s);
}

void sq_sync_set_committer(sq_sync *s, void (*commit)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&s->lock);
    s->commit = commit;
    s->commit_ctx = ctx;
    pthread_mutex_unlock(&s->lock);
}

void sq_sync_kick(sq_sync *s)
{
    pthread_mutex_lock(&s->lock);
    if (!s->kicked && s->commit != NULL) {
        s->kicked = true;
        pthread_cond_signal(&s->work);
    }
    pthread_mutex_unlock(&s->lock);
}

uint64_t sq_sync_committed(sq_sync *s)
{
    return atomic_fetch_add(&s->committed, 1) + 1;
}

/* Asks the flusher for token (lock held). */
static void want(sq_sync *s, uint64_t token)
{
    if (token > s->wanted) {
        s->wanted = token;
        pthread_cond_signal(&s->work);
    }
}

bf_result sq_sync_wait(sq_sync *s, uint64_t token, bf_error *err)
{
    pthread_mutex_lock(&s->lock);
    if (!s->failed)
        want(s, token);
    while (s->durable < token && !s->failed)
        pthread_cond_wait(&s->flushed, &s->lock);
    bool ok = s->durable >= token;
    pthread_mutex_unlock(&s->lock);
    return ok ? BF_OK : sq_sync_error(err);
}

void sq_sync_notify(sq_sync *s, uint64_t token, store_waiter *w)
{
    pthread_mutex_lock(&s->lock);
    bool durable = s->durable >= token;
    if (durable || s->failed) {
        pthread_mutex_unlock(&s->lock);
        w->done(w->ctx, durable);
        return;
    }
    w->token = token;
    w->next = s->waiters;
    s->waiters = w;
    want(s, token);
    pthread_mutex_unlock(&s->lock);
}

bool sq_sync_failed(sq_sync *s)
{
    pthread_mutex_lock(&s->lock);
    bool failed = s->failed;
    pthread_mutex_unlock(&s->lock);
    return failed;
}

bf_result sq_sync_error(bf_error *err)
{
    return bf_fail(err, BF_ERR_STORE, "store_error", NULL,
                   "a change could not be written to disk (fdatasync failed) and may be lost; "
                   "writes are refused until bingfa is restarted");
}
