/* Duplicate detection (撞单): the accounts and the deals of an account that
 * a new or changed one may duplicate, and the name keys of the rows that
 * were there before name keys were kept (docs/import.md "Duplicates"). */
#include <string.h>

#include "core/dedupe.h"
#include "store/sqlite.h"

static const char SQL_ACCOUNT_DUPLICATES[] =
    "SELECT a.id, a.name, a.owner_id, COALESCE(u.display_name, u.name), a.credit_code,"
    " CASE WHEN a.name_key = ?1 THEN 'name' ELSE 'credit_code' END"
    " FROM accounts a LEFT JOIN users u ON u.id = a.owner_id"
    " WHERE (a.name_key = ?1 OR a.credit_code = ?2) AND a.id <> ?3"
    " ORDER BY a.created_at, a.id LIMIT 5";

static const char SQL_DEAL_DUPLICATES[] =
    "SELECT o.id, o.name, o.owner_id, COALESCE(u.display_name, u.name), NULL, 'deal_name'"
    " FROM opportunities o LEFT JOIN users u ON u.id = o.owner_id"
    " WHERE o.account_id = ?1 AND o.name_key = ?2 AND o.id <> ?3"
    " ORDER BY o.created_at, o.id LIMIT 5";

/* Column col copied into a; *lost set when it is not null but could not be
 * copied (out of memory). */
static const char *text_at(arena *a, db_stmt *s, int col, bool *lost)
{
    const char *t = sq_column_text(a, s, col);
    if (t == NULL && !db_column_is_null(s, col))
        *lost = true;
    return t;
}

static void read_match(arena *a, db_stmt *s, void *row)
{
    store_duplicate *d = row;
    bool lost = false;
    d->id = text_at(a, s, 0, &lost);
    d->name = text_at(a, s, 1, &lost);
    d->owner_id = text_at(a, s, 2, &lost);
    d->owner_name = text_at(a, s, 3, &lost);
    d->credit_code = text_at(a, s, 4, &lost);
    d->why = text_at(a, s, 5, &lost);
    d->lost = lost;
}

static bf_result collect(store *st, arena *a, const char *sql, const char *one, const char *two,
                         const char *except, store_duplicate **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, one);
    sq_bind_text(s, 2, two);
    sq_bind_text(s, 3, except ? except : "");
    void *rows = NULL;
    r = sq_collect(c, s, a, sizeof(store_duplicate), read_match, "duplicates", &rows, n, err);
    for (size_t i = 0; r == BF_OK && i < *n; i++)
        if (((store_duplicate *)rows)[i].lost)
            r = BF_ERR_NOMEM;
    if (r == BF_OK)
        *out = rows;
    else
        *n = 0;
    return r;
}

bf_result store_account_duplicates(store *st, arena *a, const char *name_key,
                                   const char *credit_code, const char *except,
                                   store_duplicate **out, size_t *n, bf_error *err)
{
    *out = NULL;
    *n = 0;
    if ((name_key == NULL || !name_key[0]) && credit_code == NULL)
        return BF_OK;
    return collect(st, a, SQL_ACCOUNT_DUPLICATES, name_key && name_key[0] ? name_key : NULL,
                   credit_code, except, out, n, err);
}

bf_result store_deal_duplicates(store *st, arena *a, const char *account_id, const char *name_key,
                                const char *except, store_duplicate **out, size_t *n, bf_error *err)
{
    *out = NULL;
    *n = 0;
    if (account_id == NULL || name_key == NULL || !name_key[0])
        return BF_OK;
    return collect(st, a, SQL_DEAL_DUPLICATES, account_id, name_key, except, out, n, err);
}

/* ---- the keys of rows from before name keys were kept --------------------------- */

static const char *const SQL_MISSING[] = {
    "SELECT id, name FROM accounts WHERE name_key IS NULL ORDER BY id LIMIT 1000",
    "SELECT id, name FROM opportunities WHERE name_key IS NULL ORDER BY id LIMIT 1000",
};
static const char *const SQL_SET_KEY[] = {
    "UPDATE accounts SET name_key = ?2 WHERE id = ?1",
    "UPDATE opportunities SET name_key = ?2 WHERE id = ?1",
};

/* Gives up to 1000 rows of table t their keys in one transaction; *left
 * tells whether there may be more. */
static bf_result fill_some(db_conn *db, arena *a, int t, bool *left, bf_error *err)
{
    db_stmt *get = NULL, *set = NULL;
    int rc = db_begin(db);
    if (rc == DB_OK)
        rc = db_prepare(db, SQL_MISSING[t], strlen(SQL_MISSING[t]), &get);
    if (rc == DB_OK)
        rc = db_prepare(db, SQL_SET_KEY[t], strlen(SQL_SET_KEY[t]), &set);
    size_t done = 0;
    while (rc == DB_OK && (rc = db_step(get)) == DB_ROW) {
        const char *name = db_column_text(get, 1);
        char *key = dedupe_name_key(a, name ? name : "");
        if (key == NULL) {
            rc = DB_ERROR;
            break;
        }
        db_bind_text(set, 1, db_column_text(get, 0));
        db_bind_text(set, 2, key);
        rc = db_step(set) == DB_DONE ? DB_OK : DB_ERROR;
        db_reset(set);
        done++;
    }
    if (rc == DB_DONE)
        rc = DB_OK;
    db_finalize(get);
    db_finalize(set);
    if (rc == DB_OK && db_commit(db) == DB_OK) {
        *left = done == 1000;
        return BF_OK;
    }
    bf_result r = sq_db_error(err, db, DB_ERROR, "name keys");
    if (db_in_transaction(db))
        db_rollback(db);
    return r;
}

bf_result sq_fill_name_keys(db_conn *db, bf_error *err)
{
    for (int t = 0; t < 2; t++) {
        for (bool left = true; left;) {
            arena *a = arena_new(64 * 1024);
            if (a == NULL)
                return BF_ERR_NOMEM;
            bf_result r = fill_some(db, a, t, &left, err);
            arena_free(a);
            if (r != BF_OK)
                return r;
        }
    }
    return BF_OK;
}

/* ---- names an import gives ------------------------------------------------------- */

static const char SQL_USER_NAMED[] = "SELECT id, CASE WHEN name = ?1 THEN 1 ELSE 0 END FROM users"
                                     " WHERE (name = ?1 OR display_name = ?1) AND active = 1"
                                     " ORDER BY CASE WHEN name = ?1 THEN 0 ELSE 1 END, id LIMIT 2";

bf_result store_user_named(store *st, arena *a, const char *name, const char **id, size_t *n,
                           bf_error *err)
{
    conn *c;
    db_stmt *s;
    *id = NULL;
    *n = 0;
    bf_result r = sq_prepare(st, SQL_USER_NAMED, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, name);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if ((*n)++ == 0 && (*id = sq_column_text(a, s, 0)) == NULL)
            r = BF_ERR_NOMEM;
        if (*n == 1 && db_column_int(s, 1) == 1) { /* a login name is one user's */
            rc = DB_DONE;
            break;
        }
    }
    if (rc != DB_DONE && r == BF_OK)
        r = sq_db_error(err, c->db, rc, "users");
    db_reset(s);
    return r;
}
