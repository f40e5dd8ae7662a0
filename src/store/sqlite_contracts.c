/* Contracts (migration 21; see store.h). One by its id, a deal's by
 * contracts_opportunity, a day's numbers by the unique number. */
#include <stdio.h>
#include <string.h>

#include "store/sqlite.h"

#define CONTRACT_COLUMNS                                                                           \
    "id, opportunity_id, quotation_id, number, version, signed_on, amount, party_a, party_b, "     \
    "archived_on, notes, milestones, created_at, updated_at, created_by"

static const char SQL_CONTRACT_INSERT[] =
    "INSERT INTO contracts (" CONTRACT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, 1, ?6, ?7, ?8, ?9, ?10, "
    "?11, ?12, ?13, ?14, ?15)";
static const char SQL_CONTRACT_GET[] = "SELECT " CONTRACT_COLUMNS " FROM contracts WHERE id = ?1";
static const char SQL_CONTRACT_UPDATE[] =
    "UPDATE contracts SET version = version + 1, number = ?4, signed_on = ?6, amount = ?7, "
    "party_a = ?8, party_b = ?9, archived_on = ?10, notes = ?11, milestones = ?12, "
    "updated_at = ?14 WHERE id = ?1 AND version = ?5";
static const char SQL_CONTRACT_LIST[] =
    "SELECT " CONTRACT_COLUMNS " FROM contracts WHERE opportunity_id = ?1 "
    "ORDER BY created_at DESC, id DESC LIMIT 100";
static const char SQL_CONTRACT_DAY_COUNT[] =
    "SELECT COUNT(*) FROM contracts WHERE number >= ?1 AND number < ?2";

static void read_contract(arena *a, db_stmt *s, void *row)
{
    contract *c = row;
    c->id = sq_column_text(a, s, 0);
    c->opportunity_id = sq_column_text(a, s, 1);
    c->quotation_id = sq_column_text(a, s, 2);
    c->number = sq_column_text(a, s, 3);
    c->version = db_column_int64(s, 4);
    c->signed_on = sq_column_text(a, s, 5);
    c->amount = db_column_int64(s, 6);
    c->party_a = sq_column_text(a, s, 7);
    c->party_b = sq_column_text(a, s, 8);
    c->archived_on = sq_column_text(a, s, 9);
    c->notes = sq_column_text(a, s, 10);
    c->milestones = sq_column_text(a, s, 11);
    c->created_at = sq_column_text(a, s, 12);
    c->updated_at = sq_column_text(a, s, 13);
    c->created_by = sq_column_text(a, s, 14);
}

static void bind_contract(db_stmt *s, const contract *c)
{
    sq_bind_text(s, 1, c->id);
    sq_bind_text(s, 2, c->opportunity_id);
    sq_bind_text(s, 3, c->quotation_id);
    sq_bind_text(s, 4, c->number);
    db_bind_int64(s, 5, c->version);
    sq_bind_text(s, 6, c->signed_on);
    db_bind_int64(s, 7, c->amount);
    sq_bind_text(s, 8, c->party_a);
    sq_bind_text(s, 9, c->party_b);
    sq_bind_text(s, 10, c->archived_on);
    sq_bind_text(s, 11, c->notes);
    sq_bind_text(s, 12, c->milestones ? c->milestones : "[]");
    sq_bind_text(s, 13, c->created_at);
    sq_bind_text(s, 14, c->updated_at);
    sq_bind_text(s, 15, c->created_by);
}

static bf_result next_number(store *st, arena *ar, const char *now, const char **out, bf_error *err)
{
    char from[24], to[24];
    snprintf(from, sizeof(from), "HT%.4s%.2s%.2s-", now, now + 5, now + 8);
    snprintf(to, sizeof(to), "HT%.4s%.2s%.2s.", now, now + 5, now + 8);
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_CONTRACT_DAY_COUNT, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, from);
    sq_bind_text(s, 2, to);
    int rc = db_step(s);
    int64_t n = rc == DB_ROW ? db_column_int64(s, 0) : 0;
    db_reset(s);
    if (rc != DB_ROW)
        return sq_db_error(err, c->db, rc, "contracts");
    *out = arena_printf(ar, "%s%03lld", from, (long long)n + 1);
    return *out ? BF_OK : BF_ERR_NOMEM;
}

static bf_result contract_insert_in_tx(store *st, arena *ar, contract *k, bf_error *err)
{
    char now[32];
    store_now(now, sizeof(now));
    bf_result r = BF_OK;
    if (k->number == NULL && (r = next_number(st, ar, now, &k->number, err)) != BF_OK)
        return r;
    if ((k->id = sq_new_id(ar, "ctr")) == NULL ||
        (k->created_at = k->updated_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    k->version = 1;
    conn *c;
    db_stmt *s;
    if ((r = sq_prepare(st, SQL_CONTRACT_INSERT, &c, &s, err)) != BF_OK)
        return r;
    bind_contract(s, k);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_constraint_error(err, c, rc, "contract");
}

bf_result store_contract_insert(store *st, arena *ar, contract *c, bf_error *err)
{
    IN_TRANSACTION(st, err, contract_insert_in_tx(st, ar, c, err));
}

bf_result store_contract_get(store *st, arena *ar, const char *id, contract *out, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_CONTRACT_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        read_contract(ar, s, out);
    else if (rc == DB_DONE)
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "no contract %s", id);
    else
        r = sq_db_error(err, c->db, rc, "contract");
    db_reset(s);
    return r;
}

static bf_result contract_update_in_tx(store *st, arena *ar, contract *k, int64_t expected,
                                       bf_error *err)
{
    char now[32];
    store_now(now, sizeof(now));
    if ((k->updated_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_CONTRACT_UPDATE, &c, &s, err);
    if (r != BF_OK)
        return r;
    contract bound = *k;
    bound.version = expected;
    bind_contract(s, &bound);
    int rc = db_step(s);
    int64_t changed = rc == DB_DONE ? db_changes(c->db) : 0;
    db_reset(s);
    if (rc != DB_DONE)
        return sq_constraint_error(err, c, rc, "contract");
    if (changed == 0)
        return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the contract was changed by someone else meanwhile: read it again");
    k->version = expected + 1;
    return BF_OK;
}

bf_result store_contract_update(store *st, arena *ar, contract *c, int64_t expected, bf_error *err)
{
    IN_TRANSACTION(st, err, contract_update_in_tx(st, ar, c, expected, err));
}

bf_result store_contract_list(store *st, arena *ar, const char *opportunity_id, contract **out,
                              size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_CONTRACT_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(contract), read_contract, "contracts", &rows, n, err)) ==
        BF_OK)
        *out = rows;
    return r;
}
