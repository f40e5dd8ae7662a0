/* The store's reports: the funnel, the forecast and stalled deals, over the
 * deals the viewer sees (see store.h). */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite.h"

/* ---- reports --------------------------------------------------------------------- */

#define FUNNEL_COLUMNS                                                                             \
    "SELECT stage, COUNT(*), SUM(amount), SUM(amount * probability), "                             \
    "SUM(CASE WHEN mant_complete = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN mant_complete = 0 THEN "    \
    "amount ELSE 0 END), "                                                                         \
    "SUM(CASE WHEN mant_complete = 0 THEN amount * probability ELSE 0 END) FROM opportunities "

static bf_result build_funnel(buf *b, const void *ctx)
{
    const funnel_query *q = ctx;
    bf_result r = sq_append_visibility_with(b, q->who);
    if (r == BF_OK)
        r = buf_append_str(b, FUNNEL_COLUMNS "WHERE playbook = ?1 AND status = 'open' "
                                             "AND currency = ?2 AND ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_opportunities, q->who);
    if (r == BF_OK && q->owner)
        r = buf_append_str(b, " AND owner = ?3");
    if (r == BF_OK)
        r = buf_append_str(b, " GROUP BY stage");
    return r;
}

static void read_funnel_row(arena *a, db_stmt *s, void *row)
{
    funnel_row *f = row;
    f->stage = sq_column_text(a, s, 0);
    f->count = db_column_int64(s, 1);
    f->amount = db_column_int64(s, 2);
    f->weighted = db_column_int64(s, 3);
    f->pre_count = db_column_int64(s, 4);
    f->pre_amount = db_column_int64(s, 5);
    f->pre_weighted = db_column_int64(s, 6);
}

bf_result store_report_funnel(store *st, arena *a, const funnel_query *q, funnel_row **out,
                              size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    db_stmt *s;
    uint64_t options = (uint64_t)(q->owner != NULL) | (sq_visibility_shape(q->who) << 12);
    if ((r = sq_stmt_get(c, sq_shape_key(K_FUNNEL, &resource_opportunities, options, 0),
                         build_funnel, q, &s, err)) != BF_OK)
        return r;
    sq_bind_viewer(s, q->who);
    sq_bind_text(s, 1, q->playbook);
    sq_bind_text(s, 2, q->currency);
    if (q->owner)
        sq_bind_text(s, 3, q->owner);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(funnel_row), read_funnel_row, "funnel", &rows, n, err)) ==
        BF_OK)
        *out = rows;
    return r;
}

static bf_result build_forecast(buf *b, const void *ctx)
{
    const viewer *who = ctx;
    bf_result r = sq_append_visibility_with(b, who);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT COALESCE(substr(expected_close, 1, 7), ''), COUNT(*), "
                              "SUM(amount), SUM(amount * probability) FROM opportunities "
                              "WHERE status = 'open' AND currency = ?1 AND ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_opportunities, who);
    if (r == BF_OK)
        r = buf_append_str(b, " GROUP BY 1 ORDER BY 1");
    return r;
}

static void read_forecast_row(arena *a, db_stmt *s, void *row)
{
    forecast_row *f = row;
    f->month = sq_column_text(a, s, 0);
    f->count = db_column_int64(s, 1);
    f->amount = db_column_int64(s, 2);
    f->weighted = db_column_int64(s, 3);
}

bf_result store_report_forecast(store *st, arena *a, const viewer *who, const char *currency,
                                forecast_row **out, size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    db_stmt *s;
    r = sq_stmt_get(c,
                    sq_shape_key(K_FORECAST, &resource_opportunities, sq_visibility_shape(who), 0),
                    build_forecast, who, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, who);
    sq_bind_text(s, 1, currency);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(forecast_row), read_forecast_row, "forecast", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}

static bf_result build_stalled(buf *b, const void *ctx)
{
    const viewer *who = ctx;
    bf_result r = sq_append_visibility_with(b, who);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT o.id, o.name, o.owner, o.playbook, o.stage, o.amount, "
                              "o.currency, MAX(h.changed_at) FROM opportunities o "
                              "JOIN stage_changes h ON h.opportunity_id = o.id "
                              "WHERE o.status = 'open' AND o.id IN (SELECT id FROM opportunities "
                              "WHERE ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_opportunities, who);
    if (r == BF_OK)
        r = buf_append_str(b, ") GROUP BY o.id HAVING MAX(h.changed_at) < ?1 "
                              "ORDER BY 8, o.id LIMIT ?2");
    return r;
}

static void read_stalled_deal(arena *a, db_stmt *s, void *row)
{
    stalled_deal *d = row;
    d->id = sq_column_text(a, s, 0);
    d->name = sq_column_text(a, s, 1);
    d->owner = sq_column_text(a, s, 2);
    d->playbook = sq_column_text(a, s, 3);
    d->stage = sq_column_text(a, s, 4);
    d->amount = db_column_int64(s, 5);
    d->currency = sq_column_text(a, s, 6);
    d->since = sq_column_text(a, s, 7);
}

bf_result store_report_stalled(store *st, arena *a, const viewer *who, const char *before,
                               int limit, stalled_deal **out, size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    db_stmt *s;
    r = sq_stmt_get(c,
                    sq_shape_key(K_STALLED, &resource_opportunities, sq_visibility_shape(who), 0),
                    build_stalled, who, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, who);
    sq_bind_text(s, 1, before);
    db_bind_int64(s, 2, limit);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(stalled_deal), read_stalled_deal, "stalled", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}
