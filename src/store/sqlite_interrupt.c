/* The SQLite backend's interruption of long statements: a request whose
 * client went away stops the statement it is running (see store.h). */
#include "store/sqlite.h"

/* What the calling thread's statements ask between steps of their work. */
static _Thread_local struct {
    bool (*stop)(void *ctx);
    void *ctx;
} watch;

/* Called by SQLite every few thousand steps of a statement: nonzero stops it
 * (SQLITE_INTERRUPT). */
static int on_progress(void *unused)
{
    (void)unused;
    return watch.stop != NULL && watch.stop(watch.ctx);
}

/* Steps between two checks: a few tens of microseconds of work. */
enum { STEPS_PER_CHECK = 4000 };

bf_result store_set_interrupt(store *st, bool (*stop)(void *ctx), void *ctx, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    watch.stop = stop;
    watch.ctx = ctx;
    sqlite3_progress_handler(c->db, stop ? STEPS_PER_CHECK : 0, stop ? on_progress : NULL, NULL);
    return BF_OK;
}
