/* The store's interruption of long statements: a request whose client went
 * away stops the statement it is running (see store.h; the driver asks
 * stop() as the statement runs, see db_set_interrupt). */
#include "store/sqlite.h"

bf_result store_set_interrupt(store *st, bool (*stop)(void *ctx), void *ctx, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    db_set_interrupt(c->db, stop, ctx);
    return BF_OK;
}
