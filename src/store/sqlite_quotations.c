/* Quotations (migration 20; see store.h). Every read is a seek of one
 * index: one by its id, a deal's by quotations_opportunity, a number's
 * revisions and a day's numbers by the unique (number, revision). */
#include <stdio.h>
#include <string.h>

#include "store/sqlite.h"

#define QUOTATION_COLUMNS                                                                          \
    "id, opportunity_id, number, revision, version, status, is_primary, title, currency, "         \
    "valid_until, payment_terms, delivery_terms, notes, discount, lines, list_amount, net, tax, "  \
    "gross, cost, cost_complete, max_line_discount, approval_id, created_at, updated_at, "         \
    "created_by, sent_at"

static const char SQL_QUOTATION_INSERT[] =
    "INSERT INTO quotations (" QUOTATION_COLUMNS ") VALUES (?1, ?2, ?3, ?4, 1, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)";
static const char SQL_QUOTATION_GET[] =
    "SELECT " QUOTATION_COLUMNS " FROM quotations WHERE id = ?1";
static const char SQL_QUOTATION_UPDATE[] =
    "UPDATE quotations SET version = version + 1, status = ?6, is_primary = ?7, title = ?8, "
    "currency = ?9, valid_until = ?10, payment_terms = ?11, delivery_terms = ?12, notes = ?13, "
    "discount = ?14, lines = ?15, list_amount = ?16, net = ?17, tax = ?18, gross = ?19, "
    "cost = ?20, cost_complete = ?21, max_line_discount = ?22, approval_id = ?23, "
    "updated_at = ?25, sent_at = ?27 WHERE id = ?1 AND version = ?5";
static const char SQL_QUOTATION_DELETE[] = "DELETE FROM quotations WHERE id = ?1 AND version = ?2";
static const char SQL_QUOTATION_LIST[] =
    "SELECT " QUOTATION_COLUMNS " FROM quotations WHERE opportunity_id = ?1 "
    "ORDER BY number DESC, revision DESC LIMIT 500";
static const char SQL_QUOTATION_NEXT_REVISION[] =
    "SELECT COALESCE(MAX(revision), 0) + 1 FROM quotations WHERE number = ?1";
/* The numbers of a day: "BJ20261205-" ≤ number < "BJ20261205." ('.' follows '-'). */
static const char SQL_QUOTATION_DAY_COUNT[] =
    "SELECT COUNT(*) FROM quotations WHERE number >= ?1 AND number < ?2 AND revision = 1";
static const char SQL_QUOTATION_PRIMARY[] =
    "UPDATE quotations SET is_primary = CASE WHEN id = ?2 THEN 1 ELSE 0 END, "
    "version = version + 1 WHERE opportunity_id = ?1 AND (id = ?2 OR is_primary = 1)";

static void read_quotation(arena *a, db_stmt *s, void *row)
{
    quotation *q = row;
    int i = 0;
    q->id = sq_column_text(a, s, i++);
    q->opportunity_id = sq_column_text(a, s, i++);
    q->number = sq_column_text(a, s, i++);
    q->revision = db_column_int64(s, i++);
    q->version = db_column_int64(s, i++);
    q->status = sq_column_text(a, s, i++);
    q->primary = db_column_int64(s, i++) != 0;
    q->title = sq_column_text(a, s, i++);
    q->currency = sq_column_text(a, s, i++);
    q->valid_until = sq_column_text(a, s, i++);
    q->payment_terms = sq_column_text(a, s, i++);
    q->delivery_terms = sq_column_text(a, s, i++);
    q->notes = sq_column_text(a, s, i++);
    q->discount = db_column_int64(s, i++);
    q->lines = sq_column_text(a, s, i++);
    q->list_amount = db_column_int64(s, i++);
    q->net = db_column_int64(s, i++);
    q->tax = db_column_int64(s, i++);
    q->gross = db_column_int64(s, i++);
    q->cost = db_column_int64(s, i++);
    q->cost_complete = db_column_int64(s, i++) != 0;
    q->max_line_discount = db_column_int64(s, i++);
    q->approval_id = sq_column_text(a, s, i++);
    q->created_at = sq_column_text(a, s, i++);
    q->updated_at = sq_column_text(a, s, i++);
    q->created_by = sq_column_text(a, s, i++);
    q->sent_at = sq_column_text(a, s, i++);
}

/* Binds every column of q by its number in QUOTATION_COLUMNS (?1..?27). */
static void bind_quotation(db_stmt *s, const quotation *q)
{
    sq_bind_text(s, 1, q->id);
    sq_bind_text(s, 2, q->opportunity_id);
    sq_bind_text(s, 3, q->number);
    db_bind_int64(s, 4, q->revision);
    db_bind_int64(s, 5, q->version);
    sq_bind_text(s, 6, q->status);
    db_bind_int64(s, 7, q->primary);
    sq_bind_text(s, 8, q->title);
    sq_bind_text(s, 9, q->currency ? q->currency : "CNY");
    sq_bind_text(s, 10, q->valid_until);
    sq_bind_text(s, 11, q->payment_terms);
    sq_bind_text(s, 12, q->delivery_terms);
    sq_bind_text(s, 13, q->notes);
    db_bind_int64(s, 14, q->discount);
    sq_bind_text(s, 15, q->lines ? q->lines : "[]");
    db_bind_int64(s, 16, q->list_amount);
    db_bind_int64(s, 17, q->net);
    db_bind_int64(s, 18, q->tax);
    db_bind_int64(s, 19, q->gross);
    db_bind_int64(s, 20, q->cost);
    db_bind_int64(s, 21, q->cost_complete);
    db_bind_int64(s, 22, q->max_line_discount);
    sq_bind_text(s, 23, q->approval_id);
    sq_bind_text(s, 24, q->created_at);
    sq_bind_text(s, 25, q->updated_at);
    sq_bind_text(s, 26, q->created_by);
    sq_bind_text(s, 27, q->sent_at);
}

static bf_result query_count(store *st, const char *sql, const char *a, const char *b, int64_t *out,
                             bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, a);
    if (b != NULL)
        sq_bind_text(s, 2, b);
    int rc = db_step(s);
    if (rc == DB_ROW)
        *out = db_column_int64(s, 0);
    else
        r = sq_db_error(err, c->db, rc, "quotations");
    db_reset(s);
    return r;
}

/* The next number of the day of now ("2026-12-05T…"). */
static bf_result next_number(store *st, arena *ar, const char *now, const char **out, bf_error *err)
{
    char day[16], from[24], to[24];
    snprintf(day, sizeof(day), "%.4s%.2s%.2s", now, now + 5, now + 8);
    snprintf(from, sizeof(from), "BJ%s-", day);
    snprintf(to, sizeof(to), "BJ%s.", day);
    int64_t n = 0;
    bf_result r = query_count(st, SQL_QUOTATION_DAY_COUNT, from, to, &n, err);
    if (r != BF_OK)
        return r;
    *out = arena_printf(ar, "%s%03lld", from, (long long)n + 1);
    return *out ? BF_OK : BF_ERR_NOMEM;
}

static bf_result quotation_insert_in_tx(store *st, arena *ar, quotation *q, bf_error *err)
{
    char now[32];
    store_now(now, sizeof(now));
    bf_result r = BF_OK;
    if (q->number == NULL && (r = next_number(st, ar, now, &q->number, err)) != BF_OK)
        return r;
    if ((q->id = sq_new_id(ar, "quo")) == NULL ||
        (q->created_at = q->updated_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    q->version = 1;
    conn *c;
    db_stmt *s;
    if ((r = sq_prepare(st, SQL_QUOTATION_INSERT, &c, &s, err)) != BF_OK)
        return r;
    bind_quotation(s, q);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_constraint_error(err, c, rc, "quotation");
}

bf_result store_quotation_insert(store *st, arena *ar, quotation *q, bf_error *err)
{
    IN_TRANSACTION(st, err, quotation_insert_in_tx(st, ar, q, err));
}

bf_result store_quotation_get(store *st, arena *ar, const char *id, quotation *out, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_QUOTATION_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        read_quotation(ar, s, out);
    else if (rc == DB_DONE)
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "no quotation %s", id);
    else
        r = sq_db_error(err, c->db, rc, "quotation");
    db_reset(s);
    return r;
}

/* Runs a write of the row id at version expected: BF_ERR_STALE when it
 * changed meanwhile (or is gone). */
static bf_result versioned_write(conn *c, db_stmt *s, bf_error *err)
{
    int rc = db_step(s);
    int64_t changed = rc == DB_DONE ? db_changes(c->db) : 0;
    db_reset(s);
    if (rc != DB_DONE)
        return sq_constraint_error(err, c, rc, "quotation");
    if (changed == 0)
        return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the quotation was changed by someone else meanwhile: read it again");
    return BF_OK;
}

static bf_result quotation_update_in_tx(store *st, arena *ar, quotation *q, int64_t expected,
                                        bf_error *err)
{
    char now[32];
    store_now(now, sizeof(now));
    if ((q->updated_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_QUOTATION_UPDATE, &c, &s, err);
    if (r != BF_OK)
        return r;
    quotation bound = *q;
    bound.version = expected;
    bind_quotation(s, &bound);
    if ((r = versioned_write(c, s, err)) == BF_OK)
        q->version = expected + 1;
    return r;
}

bf_result store_quotation_update(store *st, arena *ar, quotation *q, int64_t expected,
                                 bf_error *err)
{
    IN_TRANSACTION(st, err, quotation_update_in_tx(st, ar, q, expected, err));
}

static bf_result quotation_delete_in_tx(store *st, const char *id, int64_t expected, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_QUOTATION_DELETE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    db_bind_int64(s, 2, expected);
    return versioned_write(c, s, err);
}

bf_result store_quotation_delete(store *st, const char *id, int64_t expected, bf_error *err)
{
    IN_TRANSACTION(st, err, quotation_delete_in_tx(st, id, expected, err));
}

bf_result store_quotation_list(store *st, arena *ar, const char *opportunity_id, quotation **out,
                               size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_QUOTATION_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(quotation), read_quotation, "quotations", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}

bf_result store_quotation_next_revision(store *st, const char *number, int64_t *out, bf_error *err)
{
    return query_count(st, SQL_QUOTATION_NEXT_REVISION, number, NULL, out, err);
}

static bf_result quotation_primary_in_tx(store *st, const char *opportunity_id, const char *id,
                                         bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_QUOTATION_PRIMARY, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    sq_bind_text(s, 2, id);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "quotations");
}

bf_result store_quotation_set_primary(store *st, const char *opportunity_id, const char *id,
                                      bf_error *err)
{
    IN_TRANSACTION(st, err, quotation_primary_in_tx(st, opportunity_id, id, err));
}
