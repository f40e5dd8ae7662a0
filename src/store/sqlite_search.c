/* The global search (migration 34; core/search.h, docs/search.md).
 *
 * The index. Each account, contact, deal and activity keeps its words in
 * search_docs and their grams in search_grams, written in the transaction
 * of the record's insert, update or delete (sqlite_records.c calls
 * sq_search_keep and sq_search_forget), the same SQL on both databases: a
 * record's grams are made from its words in C, so an update writes only
 * the grams that changed, and a delete finds them again from the words
 * kept. A deal and a contact hold their account's name among their words,
 * and a contact its account's owner: an account renamed or transferred
 * brings its deals and contacts up to date.
 *
 * A search. One statement per kind, led by one gram of the query (the
 * rarest of the pieces', asked of the index, at most a thousand rows each):
 * candidates come from the grams of the viewer's people's records (a seek
 * per person, by owner: search_grams_owner), from the head of the gram's
 * postings in the order wanted (the title's first, the newest first:
 * everybody's, walked until a page that the viewer sees is found, at most
 * WALK_MAX), and, for the deals a viewer sees aside (a deal team, a
 * partner's registration, a hand-over) while they are few, from those
 * deals one by one; each candidate's words are then checked for every
 * piece (LIKE), and the record for the viewer by the lists' own rule
 * (sqlite_access.c), so nothing is read that is not shown. */
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/sqlite.h"

/* Postings read from the head of a gram's list, every viewer's, at most;
 * and from each person's. */
#define WALK_MAX 500
#define PERSON_MAX 100
/* A viewer's deals seen aside are read one by one while fewer than this. */
#define ASIDE_MAX 500
/* A gram's postings counted to choose the rarest, at most. */
#define PROBE_MAX 1000

static search_kind kind_of(const resource_spec *spec)
{
    return spec == &resource_accounts        ? SEARCH_ACCOUNT
           : spec == &resource_contacts      ? SEARCH_CONTACT
           : spec == &resource_opportunities ? SEARCH_OPPORTUNITY
           : spec == &resource_activities    ? SEARCH_ACTIVITY
                                             : 0;
}

static const resource_spec *spec_of(search_kind kind)
{
    return kind == SEARCH_ACCOUNT       ? &resource_accounts
           : kind == SEARCH_CONTACT     ? &resource_contacts
           : kind == SEARCH_OPPORTUNITY ? &resource_opportunities
                                        : &resource_activities;
}

/* ---- keeping the index ----------------------------------------------------------- */

/* What each kind gives the index (search_doc_of's texts), its owner and
 * when it was made. */
static const char SQL_SOURCE_ACCOUNT[] =
    "SELECT name, NULL, NULL, NULL, NULL, owner_id, created_at FROM accounts WHERE id = ?1";
static const char SQL_SOURCE_CONTACT[] =
    "SELECT c.name, c.title, c.email, c.phone, a.name, a.owner_id, c.created_at FROM contacts c "
    "LEFT JOIN accounts a ON a.id = c.account_id WHERE c.id = ?1";
static const char SQL_SOURCE_OPPORTUNITY[] =
    "SELECT o.name, a.name, NULL, NULL, NULL, o.owner_id, o.created_at FROM opportunities o "
    "LEFT JOIN accounts a ON a.id = o.account_id WHERE o.id = ?1";
static const char SQL_SOURCE_ACTIVITY[] =
    "SELECT subject, outcome, NULL, NULL, NULL, owner_id, created_at FROM activities WHERE id = ?1";

static const char SQL_DOC_GET[] =
    "SELECT seq, owner_id, title, body FROM search_docs WHERE kind = ?1 AND record_id = ?2";
static const char SQL_DOC_INSERT[] = "INSERT INTO search_docs (kind, record_id, seq, owner_id, "
                                     "title, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_DOC_UPDATE[] = "UPDATE search_docs SET owner_id = ?4, title = ?5, body = ?6 "
                                     "WHERE kind = ?1 AND record_id = ?2";
static const char SQL_DOC_DELETE[] = "DELETE FROM search_docs WHERE kind = ?1 AND record_id = ?2";
static const char SQL_GRAM_DELETE[] = "DELETE FROM search_grams WHERE gram = ?1 AND kind = ?2 AND "
                                      "weight = ?3 AND seq = ?4 AND record_id = ?5";
static const char SQL_ACCOUNT_CONTACTS[] = "SELECT id FROM contacts WHERE account_id = ?1";
static const char SQL_ACCOUNT_DEALS[] = "SELECT id FROM opportunities WHERE account_id = ?1";

typedef struct stored_doc {
    int64_t seq;
    const char *owner_id, *title, *body;
} stored_doc;

static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The creation time "YYYY-MM-DDTHH:MM:SS.mmmZ" in milliseconds. */
static int64_t seq_of(const char *created_at)
{
    int64_t ms = (int64_t)text_parse_utc(created_at) * 1000;
    if (created_at != NULL && strlen(created_at) >= 23 && created_at[19] == '.')
        ms += (created_at[20] - '0') * 100 + (created_at[21] - '0') * 10 + (created_at[22] - '0');
    return ms;
}

static bf_result step_done(conn *c, db_stmt *s, const char *what, bf_error *err)
{
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_constraint_error(err, c, rc, what);
}

/* Copies column col of s into a: *out NULL for a NULL; false when out of
 * memory. */
static bool column_copy(arena *a, db_stmt *s, int col, const char **out)
{
    *out = sq_column_text(a, s, col);
    return *out != NULL || db_column_text(s, col) == NULL;
}

/* The stored words of a record; *found whether there are any. */
static bf_result doc_get(store *st, arena *a, search_kind kind, const char *id, stored_doc *out,
                         bool *found, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_DOC_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    db_bind_int64(s, 1, kind);
    sq_bind_text(s, 2, id);
    int rc = db_step(s);
    *found = rc == DB_ROW;
    if (rc == DB_ROW) {
        out->seq = db_column_int64(s, 0);
        if (!column_copy(a, s, 1, &out->owner_id) || !column_copy(a, s, 2, &out->title) ||
            !column_copy(a, s, 3, &out->body) || out->title == NULL || out->body == NULL)
            r = BF_ERR_NOMEM;
    } else if (rc != DB_DONE) {
        r = sq_db_error(err, c->db, rc, "search index");
    }
    db_reset(s);
    return r;
}

static int gram_order(const void *x, const void *y)
{
    const search_gram *a = x, *b = y;
    int c = strcmp(a->text, b->text);
    return c != 0 ? c : a->weight - b->weight;
}

/* The grams of words (title, body), sorted. */
static bf_result grams_sorted(arena *a, const char *title, const char *body, search_gram **out,
                              size_t *n)
{
    bf_result r = search_grams(a, title, body, out, n);
    if (r == BF_OK && *n > 1)
        qsort(*out, *n, sizeof(**out), gram_order);
    return r;
}

/* Grams inserted by one statement, at most: a record's are written a few
 * statements at a time (on PostgreSQL, a round trip each), and so are those
 * of records that waited (sq_search_flush). */
#define INSERT_ROWS 16

static const char SQL_GRAM_INSERT_HEAD[] =
    "INSERT INTO search_grams (gram, kind, weight, seq, record_id, owner_id) VALUES ";

/* INSERT of ctx (a count) rows: ?1 kind, ?2 seq, ?3 record, ?4 owner, then
 * each row's gram and weight. */
static bf_result build_gram_insert(buf *b, const void *ctx)
{
    size_t rows = *(const size_t *)ctx;
    bf_result r = buf_append_str(b, SQL_GRAM_INSERT_HEAD);
    for (size_t i = 0; r == BF_OK && i < rows; i++)
        r = buf_printf(b, "%s(?%zu, ?1, ?%zu, ?2, ?3, ?4)", i ? ", " : "", 5 + 2 * i, 6 + 2 * i);
    return r;
}

static bf_result grams_insert(store *st, search_kind kind, const char *id, int64_t seq,
                              const char *owner_id, const search_gram *const *g, size_t n,
                              bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    for (size_t at = 0; r == BF_OK && at < n; at += INSERT_ROWS) {
        size_t rows = n - at < INSERT_ROWS ? n - at : INSERT_ROWS;
        db_stmt *s;
        if ((r = sq_stmt_get(c,
                             sq_shape_key(K_SEARCH, &resource_opportunities, 1ULL << 32 | rows, 0),
                             build_gram_insert, &rows, &s, err)) != BF_OK)
            break;
        db_bind_int64(s, 1, kind);
        db_bind_int64(s, 2, seq);
        sq_bind_text(s, 3, id);
        sq_bind_text(s, 4, owner_id);
        for (size_t i = 0; i < rows; i++) {
            sq_bind_text(s, (int)(5 + 2 * i), g[at + i]->text);
            db_bind_int64(s, (int)(6 + 2 * i), g[at + i]->weight);
        }
        r = step_done(c, s, "search index", err);
    }
    return r;
}

/* Inserts (or deletes) the grams of g that are not in other (both sorted),
 * or all of them when other is NULL. */
static bf_result grams_write(store *st, arena *a, bool insert, search_kind kind, const char *id,
                             int64_t seq, const char *owner_id, const search_gram *g, size_t n,
                             const search_gram *other, size_t nother, bf_error *err)
{
    const search_gram **rows = insert ? arena_alloc(a, (n + 1) * sizeof(*rows)) : NULL;
    size_t nrows = 0, j = 0;
    if (insert && rows == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        while (other != NULL && j < nother && gram_order(&other[j], &g[i]) < 0)
            j++;
        if (other != NULL && j < nother && gram_order(&other[j], &g[i]) == 0)
            continue;
        if (insert) {
            rows[nrows++] = &g[i];
            continue;
        }
        conn *c;
        db_stmt *s;
        bf_result r = sq_prepare(st, SQL_GRAM_DELETE, &c, &s, err);
        if (r != BF_OK)
            return r;
        sq_bind_text(s, 1, g[i].text);
        db_bind_int64(s, 2, kind);
        db_bind_int64(s, 3, g[i].weight);
        db_bind_int64(s, 4, seq);
        sq_bind_text(s, 5, id);
        if ((r = step_done(c, s, "search index", err)) != BF_OK)
            return r;
    }
    return insert ? grams_insert(st, kind, id, seq, owner_id, rows, nrows, err) : BF_OK;
}

static bf_result doc_write(store *st, const char *sql, search_kind kind, const char *id,
                           int64_t seq, const char *owner_id, const search_doc *d, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    db_bind_int64(s, 1, kind);
    sq_bind_text(s, 2, id);
    if (d != NULL) {
        if (sql == SQL_DOC_INSERT)
            db_bind_int64(s, 3, seq);
        sq_bind_text(s, 4, owner_id);
        sq_bind_text(s, 5, d->title);
        sq_bind_text(s, 6, d->body);
    }
    return step_done(c, s, "search index", err);
}

/* ---- deferred grams (sq_search_defer) -------------------------------------------
 * Inserted one record at a time, the grams of records created in random
 * order of seq (an import's creation times) land all over a large index,
 * and each insert reads and dirties pages of its own. Deferred, a new
 * record's words are written at once and its name put in search_pending (a
 * TEMP table, so a rollback takes it back with the rest); its grams wait,
 * and are written in the index's order, many at a time. A record still
 * waiting has no grams: its update writes only its words, its delete only
 * takes them out. */

/* Records waiting before their grams are written, at most: some twenty
 * grams each, held and sorted in memory. */
#define PENDING_MAX 50000

static const char SQL_PENDING_CREATE[] =
    "CREATE TEMP TABLE IF NOT EXISTS search_pending (kind INTEGER NOT NULL, record_id TEXT NOT "
    "NULL, PRIMARY KEY (kind, record_id)) WITHOUT ROWID";
static const char SQL_PENDING_ADD[] =
    "INSERT OR IGNORE INTO temp.search_pending (kind, record_id) VALUES (?1, ?2)";
static const char SQL_PENDING_HAS[] =
    "SELECT 1 FROM temp.search_pending WHERE kind = ?1 AND record_id = ?2";
static const char SQL_PENDING_REMOVE[] =
    "DELETE FROM temp.search_pending WHERE kind = ?1 AND record_id = ?2";
static const char SQL_PENDING_DOCS[] =
    "SELECT d.kind, d.record_id, d.seq, d.owner_id, d.title, d.body FROM temp.search_pending p "
    "JOIN search_docs d ON d.kind = p.kind AND d.record_id = p.record_id";
static const char SQL_PENDING_CLEAR[] = "DELETE FROM temp.search_pending";

/* Runs one of the statements above on (kind, id); *row whether it gave one. */
static bf_result pending_run(store *st, const char *sql, search_kind kind, const char *id,
                             bool *row, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    db_bind_int64(s, 1, kind);
    sq_bind_text(s, 2, id);
    int rc = db_step(s);
    db_reset(s);
    if (row != NULL)
        *row = rc == DB_ROW;
    return rc == DB_ROW || rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "search index");
}

bf_result sq_search_defer(conn *c, bf_error *err)
{
    if (db_dialect_of(c->db) != DB_SQLITE)
        return BF_OK;
    if (db_exec(c->db, SQL_PENDING_CREATE) != DB_OK)
        return sq_db_error(err, c->db, DB_ERROR, "search index");
    c->search_defer = true;
    c->search_pending = 0;
    return BF_OK;
}

typedef struct pending_gram {
    search_gram g;
    int kind;
    int64_t seq;
    const char *id, *owner;
} pending_gram;

/* The index's order: gram, kind, weight, seq, record. */
static int pending_order(const void *x, const void *y)
{
    const pending_gram *a = x, *b = y;
    int c = strcmp(a->g.text, b->g.text);
    if (c != 0)
        return c;
    if (a->kind != b->kind)
        return a->kind - b->kind;
    if (a->g.weight != b->g.weight)
        return a->g.weight - b->g.weight;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return strcmp(a->id, b->id);
}

typedef struct pending_set {
    pending_gram *rows;
    size_t n, cap;
} pending_set;

/* Adds the grams of the waiting record at s's row (ids copied into a). */
static bf_result pending_collect(pending_set *p, arena *a, db_stmt *s)
{
    arena *scratch = arena_new(16 * 1024);
    if (scratch == NULL)
        return BF_ERR_NOMEM;
    search_gram *g;
    size_t n;
    const char *id = sq_column_text(a, s, 1), *owner = sq_column_text(a, s, 3);
    const char *title = (const char *)db_column_text(s, 4),
               *body = (const char *)db_column_text(s, 5);
    bf_result r = id == NULL || (owner == NULL && db_column_text(s, 3) != NULL)
                      ? BF_ERR_NOMEM
                      : search_grams(scratch, title ? title : "", body ? body : "", &g, &n);
    if (r == BF_OK && p->n + n > p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4096;
        while (cap < p->n + n)
            cap *= 2;
        pending_gram *rows = realloc(p->rows, cap * sizeof(*rows));
        if (rows == NULL)
            r = BF_ERR_NOMEM;
        else {
            p->rows = rows;
            p->cap = cap;
        }
    }
    for (size_t i = 0; r == BF_OK && i < n; i++)
        p->rows[p->n++] =
            (pending_gram){g[i], (int)db_column_int64(s, 0), db_column_int64(s, 2), id, owner};
    arena_free(scratch);
    return r;
}

/* INSERT of ctx (a count) rows of six values each. */
static bf_result build_pending_insert(buf *b, const void *ctx)
{
    size_t rows = *(const size_t *)ctx;
    bf_result r = buf_append_str(b, SQL_GRAM_INSERT_HEAD);
    for (size_t i = 0; r == BF_OK && i < rows; i++)
        r = buf_printf(b, "%s(?%zu, ?%zu, ?%zu, ?%zu, ?%zu, ?%zu)", i ? ", " : "", 6 * i + 1,
                       6 * i + 2, 6 * i + 3, 6 * i + 4, 6 * i + 5, 6 * i + 6);
    return r;
}

static bf_result pending_insert(conn *c, const pending_set *p, bf_error *err)
{
    bf_result r = BF_OK;
    for (size_t at = 0; r == BF_OK && at < p->n; at += INSERT_ROWS) {
        size_t rows = p->n - at < INSERT_ROWS ? p->n - at : INSERT_ROWS;
        db_stmt *s;
        if ((r = sq_stmt_get(c,
                             sq_shape_key(K_SEARCH, &resource_opportunities, 2ULL << 32 | rows, 0),
                             build_pending_insert, &rows, &s, err)) != BF_OK)
            break;
        for (size_t i = 0; i < rows; i++) {
            const pending_gram *g = &p->rows[at + i];
            int k = (int)(6 * i);
            sq_bind_text(s, k + 1, g->g.text);
            db_bind_int64(s, k + 2, g->kind);
            db_bind_int64(s, k + 3, g->g.weight);
            db_bind_int64(s, k + 4, g->seq);
            sq_bind_text(s, k + 5, g->id);
            sq_bind_text(s, k + 6, g->owner);
        }
        r = step_done(c, s, "search index", err);
    }
    return r;
}

static bf_result flush_pending(store *st, conn *c, arena *a, bf_error *err)
{
    db_stmt *s;
    bf_result r = sq_stmt_static(c, SQL_PENDING_DOCS, &s, err);
    if (r != BF_OK)
        return r;
    pending_set p = {0};
    int rc;
    while (r == BF_OK && (rc = db_step(s)) == DB_ROW)
        r = pending_collect(&p, a, s);
    db_reset(s);
    if (r == BF_OK && rc != DB_DONE)
        r = sq_db_error(err, c->db, rc, "search index");
    if (r == BF_OK && p.n > 1)
        qsort(p.rows, p.n, sizeof(*p.rows), pending_order);
    if (r == BF_OK)
        r = pending_insert(c, &p, err);
    free(p.rows);
    if (r == BF_OK && (r = sq_stmt_static(c, SQL_PENDING_CLEAR, &s, err)) == BF_OK)
        r = step_done(c, s, "search index", err);
    (void)st;
    return r;
}

bf_result sq_search_flush(store *st, conn *c, bool end, bf_error *err)
{
    if (!c->search_defer)
        return BF_OK;
    bf_result r = BF_OK;
    if (c->search_pending > 0) {
        arena *a = arena_new(64 * 1024);
        r = a != NULL ? flush_pending(st, c, a, err) : BF_ERR_NOMEM;
        arena_free(a);
    }
    c->search_pending = 0;
    if (end)
        c->search_defer = false;
    return r;
}

/* Writes the words of a record whose grams wait (new to the index, or
 * still waiting); flushes when enough wait. */
static bf_result keep_waiting(store *st, conn *c, search_kind kind, const char *id, bool found,
                              int64_t seq, const char *owner_id, const search_doc *doc,
                              bf_error *err)
{
    bf_result r =
        doc_write(st, found ? SQL_DOC_UPDATE : SQL_DOC_INSERT, kind, id, seq, owner_id, doc, err);
    if (r != BF_OK || found)
        return r;
    if ((r = pending_run(st, SQL_PENDING_ADD, kind, id, NULL, err)) != BF_OK)
        return r;
    return ++c->search_pending >= PENDING_MAX ? sq_search_flush(st, c, false, err) : BF_OK;
}

static bf_result forget(store *st, arena *a, search_kind kind, const char *id, bf_error *err)
{
    stored_doc old;
    bool found, waiting = false;
    search_gram *g;
    size_t n;
    conn *c;
    bf_result r = doc_get(st, a, kind, id, &old, &found, err);
    if (r != BF_OK || !found || (r = sq_conn(st, &c, err)) != BF_OK)
        return r;
    if (c->search_defer && (r = pending_run(st, SQL_PENDING_HAS, kind, id, &waiting, err)) != BF_OK)
        return r;
    if (waiting) { /* no grams yet */
        if ((r = pending_run(st, SQL_PENDING_REMOVE, kind, id, NULL, err)) != BF_OK)
            return r;
        return doc_write(st, SQL_DOC_DELETE, kind, id, 0, NULL, NULL, err);
    }
    if ((r = grams_sorted(a, old.title, old.body, &g, &n)) != BF_OK ||
        (r = grams_write(st, a, false, kind, id, old.seq, NULL, g, n, NULL, 0, err)) != BF_OK)
        return r;
    return doc_write(st, SQL_DOC_DELETE, kind, id, 0, NULL, NULL, err);
}

/* Brings one record's words and grams up to date; *moved whether its title
 * or owner changed (an account's deals and contacts then follow). */
static bf_result keep_one(store *st, arena *a, search_kind kind, const char *id, bool *moved,
                          bf_error *err)
{
    static const char *const sources[] = {NULL, SQL_SOURCE_ACCOUNT, SQL_SOURCE_CONTACT,
                                          SQL_SOURCE_OPPORTUNITY, SQL_SOURCE_ACTIVITY};
    *moved = false;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sources[kind], &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    const char *texts[SEARCH_DOC_TEXTS] = {0}, *owner_id = NULL, *created_at = NULL;
    bool copied = true;
    for (int i = 0; rc == DB_ROW && i < SEARCH_DOC_TEXTS; i++)
        copied = column_copy(a, s, i, &texts[i]) && copied;
    if (rc == DB_ROW)
        copied = column_copy(a, s, 5, &owner_id) && column_copy(a, s, 6, &created_at) && copied;
    db_reset(s);
    if (rc == DB_DONE)
        return forget(st, a, kind, id, err);
    if (rc != DB_ROW)
        return sq_db_error(err, c->db, rc, "search index");
    if (!copied || created_at == NULL)
        return BF_ERR_NOMEM;
    search_doc doc;
    stored_doc old;
    bool found;
    if ((r = search_doc_of(a, kind, texts, &doc)) != BF_OK ||
        (r = doc_get(st, a, kind, id, &old, &found, err)) != BF_OK)
        return r;
    bool owner_moved = !found || !same(old.owner_id, owner_id);
    if (found && !owner_moved && strcmp(old.title, doc.title) == 0 &&
        strcmp(old.body, doc.body) == 0)
        return BF_OK;
    *moved = found && (owner_moved || strcmp(old.title, doc.title) != 0);
    int64_t seq = found ? old.seq : seq_of(created_at);
    bool waiting = false;
    if (c->search_defer && found &&
        (r = pending_run(st, SQL_PENDING_HAS, kind, id, &waiting, err)) != BF_OK)
        return r;
    if (c->search_defer && (!found || waiting))
        return keep_waiting(st, c, kind, id, found, seq, owner_id, &doc, err);
    search_gram *was = NULL, *now = NULL;
    size_t nwas = 0, nnow = 0;
    if (found && (r = grams_sorted(a, old.title, old.body, &was, &nwas)) != BF_OK)
        return r;
    if ((r = grams_sorted(a, doc.title, doc.body, &now, &nnow)) != BF_OK)
        return r;
    /* A new owner is every gram's: all of them go and come back. */
    if (found && (r = grams_write(st, a, false, kind, id, seq, NULL, was, nwas,
                                  owner_moved ? NULL : now, nnow, err)) != BF_OK)
        return r;
    if ((r = grams_write(st, a, true, kind, id, seq, owner_id, now, nnow, owner_moved ? NULL : was,
                         nwas, err)) != BF_OK)
        return r;
    return doc_write(st, found ? SQL_DOC_UPDATE : SQL_DOC_INSERT, kind, id, seq, owner_id, &doc,
                     err);
}

static void read_id(arena *a, db_stmt *s, void *row)
{
    *(const char **)row = sq_column_text(a, s, 0);
}

/* Keeps every record of kind that sql (an account's contacts or deals)
 * names. */
static bf_result keep_all(store *st, arena *a, const char *sql, const char *account_id,
                          search_kind kind, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, account_id);
    void *rows = NULL;
    size_t n = 0;
    if ((r = sq_collect(c, s, a, sizeof(const char *), read_id, "search index", &rows, &n, err)) !=
        BF_OK)
        return r;
    const char **ids = rows;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        bool moved;
        r = ids[i] ? keep_one(st, a, kind, ids[i], &moved, err) : BF_ERR_NOMEM;
    }
    return r;
}

bf_result sq_search_keep(store *st, conn *c, arena *a, const resource_spec *spec, const char *id,
                         bf_error *err)
{
    (void)c;
    search_kind kind = kind_of(spec);
    if (kind == 0)
        return BF_OK;
    bool moved;
    bf_result r = keep_one(st, a, kind, id, &moved, err);
    if (r != BF_OK || kind != SEARCH_ACCOUNT || !moved)
        return r;
    if ((r = keep_all(st, a, SQL_ACCOUNT_CONTACTS, id, SEARCH_CONTACT, err)) != BF_OK)
        return r;
    return keep_all(st, a, SQL_ACCOUNT_DEALS, id, SEARCH_OPPORTUNITY, err);
}

bf_result sq_search_forget(store *st, conn *c, const resource_spec *spec, const char *id,
                           bf_error *err)
{
    (void)c;
    search_kind kind = kind_of(spec);
    if (kind == 0)
        return BF_OK;
    arena *a = arena_new(64 * 1024);
    if (a == NULL)
        return BF_ERR_NOMEM;
    bf_result r = forget(st, a, kind, id, err);
    arena_free(a);
    return r;
}

/* ---- a search --------------------------------------------------------------------
 * Parameters: ?1 limit, ?3 the postings walked, ?4 those of each person,
 * ?11 the gram that leads, ?21.. the pieces' patterns; the viewer's ?90,
 * ?92, ?93. */

typedef struct search_shape {
    search_kind kind;
    const viewer *who;
    bool pg;
    size_t npieces;
    bool aside; /* the deals seen aside one by one */
} search_shape;

/* The columns of a hit, in search_hit's order. */
static const char *const hit_columns[] = {
    NULL,
    "t.id, t.name, t.owner, NULL, NULL, NULL, NULL, NULL, NULL, NULL, t.industry, t.region, "
    "NULL, NULL, NULL, NULL, NULL, NULL",
    "t.id, t.name, NULL, t.account_id, a.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "t.title, t.phone, t.email, NULL, NULL, NULL",
    "t.id, t.name, t.owner, t.account_id, a.name, NULL, NULL, t.stage, t.playbook, t.status, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL",
    "t.id, t.subject, t.owner, t.account_id, a.name, t.opportunity_id, o.name, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, t.type, COALESCE(t.done_at, t.planned_at), t.outcome",
};

static bool by_people(const viewer *v)
{
    return sq_visibility_by_people(v);
}

static bool sees_all(const viewer *v)
{
    return v == NULL || v->role == ROLE_ADMIN;
}

/* The viewer's deals seen aside, as a set of ids of kind's records. */
static bf_result append_aside(buf *b, const search_shape *sh)
{
    bf_result r;
    switch (sh->kind) {
    case SEARCH_OPPORTUNITY:
        r = buf_append_str(b, "SELECT x.id FROM opportunities x WHERE ");
        break;
    case SEARCH_ACCOUNT:
        r = buf_append_str(b, "SELECT x.account_id FROM opportunities x WHERE ");
        break;
    case SEARCH_CONTACT:
        r = buf_append_str(b, "SELECT xc.id FROM contacts xc WHERE xc.account_id IN (SELECT "
                              "x.account_id FROM opportunities x WHERE ");
        break;
    default:
        r = buf_append_str(b, "SELECT xa.id FROM activities xa WHERE xa.opportunity_id IN "
                              "(SELECT x.id FROM opportunities x WHERE ");
        break;
    }
    if (r == BF_OK)
        r = sq_append_deals_aside(b, sh->who, "x");
    if (r == BF_OK && (sh->kind == SEARCH_CONTACT || sh->kind == SEARCH_ACTIVITY))
        r = buf_append_str(b, ")");
    return r;
}

/* Every piece's pattern matched by col's words (a space before them). */
static bf_result append_matches(buf *b, const search_shape *sh, const char *words)
{
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < sh->npieces; i++)
        r = buf_printf(b, "%s(' ' || %s) LIKE ?%zu", i ? " AND " : "", words, 21 + i);
    return r;
}

/* The head of the gram's postings, in the order wanted, at most ?3 of them
 * walked: the first ?1 records that match every piece and that the viewer
 * sees, so that the walk stops as soon as a page is found. */
static bf_result append_walk(buf *b, const search_shape *sh)
{
    int k = (int)sh->kind;
    const char *join = sh->pg ? "JOIN" : "CROSS JOIN"; /* SQLite keeps the postings' order */
    bf_result r = buf_printf(b,
                             "SELECT ww.record_id FROM (SELECT w.record_id FROM (SELECT "
                             "g.record_id, g.weight, g.seq FROM search_grams g WHERE g.gram = ?11 "
                             "AND g.kind = %d ORDER BY g.weight DESC, g.seq DESC LIMIT ?3) w %s "
                             "search_docs wd ON wd.kind = %d AND wd.record_id = w.record_id %s %s "
                             "wt ON wt.id = w.record_id WHERE ",
                             k, join, k, join, spec_of(sh->kind)->name);
    if (r == BF_OK)
        r = append_matches(b, sh, "wd.title || ' ' || wd.body");
    if (r == BF_OK)
        r = buf_append_str(b, " AND ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, spec_of(sh->kind), "wt", sh->who);
    /* PostgreSQL keeps the order of the postings for an ORDER BY on them. */
    if (r == BF_OK && sh->pg)
        r = buf_append_str(b, " ORDER BY w.weight DESC, w.seq DESC");
    return r == BF_OK ? buf_append_str(b, " LIMIT ?1) ww") : r;
}

/* The candidates: the records whose grams hold ?11, from the people's
 * (a seek per person), the head of the gram's postings, and the deals seen
 * aside. */
static bf_result append_candidates(buf *b, const search_shape *sh)
{
    int k = (int)sh->kind;
    bf_result r = buf_append_str(b, "(");
    if (r == BF_OK && !sees_all(sh->who)) {
        const char *persons = by_people(sh->who) ? "(SELECT id AS person FROM people) p"
                                                 : "(SELECT CAST(?90 AS TEXT) AS person) p";
        r = sh->pg ? buf_printf(b,
                                "SELECT own.record_id FROM %s CROSS JOIN LATERAL (SELECT "
                                "g.record_id FROM search_grams g WHERE g.gram = ?11 AND g.kind "
                                "= %d AND g.owner_id = p.person ORDER BY g.weight DESC, g.seq "
                                "DESC LIMIT ?4) own UNION ",
                                persons, k)
                   : buf_printf(b,
                                "SELECT pd.record_id FROM %s JOIN search_docs pd ON pd.kind = %d "
                                "AND pd.record_id IN (SELECT g.record_id FROM search_grams g "
                                "WHERE g.gram = ?11 AND g.kind = %d AND g.owner_id = p.person "
                                "ORDER BY g.weight DESC, g.seq DESC LIMIT ?4) UNION ",
                                persons, k, k);
    }
    if (r == BF_OK)
        r = append_walk(b, sh);
    if (r == BF_OK && sh->aside) {
        r = buf_append_str(b, " UNION ");
        if (r == BF_OK)
            r = append_aside(b, sh);
    }
    return r == BF_OK ? buf_append_str(b, ") cand") : r;
}

static bf_result build_search(buf *b, const void *ctx)
{
    const search_shape *sh = ctx;
    const resource_spec *spec = spec_of(sh->kind);
    bf_result r = sq_append_visibility_with(b, sh->who);
    if (r == BF_OK)
        r = buf_printf(b, "SELECT %s, d.seq, CASE WHEN ", hit_columns[sh->kind]);
    if (r == BF_OK)
        r = append_matches(b, sh, "d.title");
    if (r == BF_OK)
        r = buf_append_str(b, " THEN 0 ELSE 1 END AS title_rank FROM ");
    if (r == BF_OK)
        r = append_candidates(b, sh);
    /* The candidates lead (SQLite's CROSS JOIN keeps the order): every
     * record of the kind is what the other way would read. */
    if (r == BF_OK)
        r = buf_printf(b,
                       " %s search_docs d ON d.kind = %d AND d.record_id = cand.record_id JOIN "
                       "%s t ON t.id = d.record_id",
                       sh->pg ? "JOIN" : "CROSS JOIN", (int)sh->kind, spec->name);
    /* The names beside a record are shown only when the viewer sees their
     * records: an activity is also seen by its owner alone. */
    if (r == BF_OK && sh->kind != SEARCH_ACCOUNT) {
        r = buf_append_str(b, " LEFT JOIN accounts a ON a.id = t.account_id");
        if (r == BF_OK && sh->kind == SEARCH_ACTIVITY) {
            r = buf_append_str(b, " AND ");
            if (r == BF_OK)
                r = sq_append_visibility_where(b, &resource_accounts, "a", sh->who);
            if (r == BF_OK)
                r = buf_append_str(b, " LEFT JOIN opportunities o ON o.id = t.opportunity_id AND ");
            if (r == BF_OK)
                r = sq_append_visibility_where(b, &resource_opportunities, "o", sh->who);
        }
    }
    if (r == BF_OK)
        r = buf_append_str(b, " WHERE ");
    if (r == BF_OK)
        r = append_matches(b, sh, "d.title || ' ' || d.body");
    if (r == BF_OK)
        r = buf_append_str(b, " AND ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, spec, "t", sh->who);
    return r == BF_OK ? buf_append_str(b, " ORDER BY title_rank, d.seq DESC, d.record_id LIMIT ?1")
                      : r;
}

static void read_hit(arena *a, db_stmt *s, void *row)
{
    search_hit *h = row;
    const char **cols[] = {
        &h->id,          &h->title, &h->owner,    &h->account_id, &h->account,  &h->opportunity_id,
        &h->opportunity, &h->stage, &h->playbook, &h->status,     &h->industry, &h->region,
        &h->job_title,   &h->phone, &h->email,    &h->type,       &h->at,       &h->outcome};
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        *cols[i] = sq_column_text(a, s, (int)i);
}

static const char SQL_PROBE[] =
    "SELECT COUNT(*) FROM (SELECT 1 FROM search_grams WHERE gram = ?1 LIMIT 1000) x";

/* The gram that leads the search: of the grams that can lead each piece,
 * the one with the fewest postings (counted up to PROBE_MAX); *exact when
 * it is the only piece itself, so that every posting is a match. */
static bf_result leading_gram(store *st, arena *a, const search_query *q, const char **out,
                              bool *exact, bf_error *err)
{
    const char *grams[16];
    size_t n = 0;
    for (size_t i = 0; i < q->npieces && n < 16; i++)
        n += search_piece_grams(a, q->pieces[i], grams + n, 16 - n);
    if (n == 0)
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", "q", "q has no word to search for");
    *out = grams[0];
    *exact = q->npieces == 1 && n == 1 && strcmp(grams[0], q->pieces[0]) == 0;
    int64_t best = PROBE_MAX + 1;
    for (size_t i = 0; n > 1 && i < n; i++) {
        conn *c;
        db_stmt *s;
        bf_result r = sq_prepare(st, SQL_PROBE, &c, &s, err);
        if (r != BF_OK)
            return r;
        sq_bind_text(s, 1, grams[i]);
        int rc = db_step(s);
        int64_t count = rc == DB_ROW ? db_column_int64(s, 0) : 0;
        db_reset(s);
        if (rc != DB_ROW)
            return sq_db_error(err, c->db, rc, "search");
        if (count < best) {
            best = count;
            *out = grams[i];
        }
    }
    return BF_OK;
}

/* The records of one kind, the statement led by gram. */
static bf_result search_kind_read(conn *c, arena *ar, const search_query *q, search_shape *sh,
                                  const char *gram, bool exact, const char *const *patterns,
                                  search_found *out, bf_error *err)
{
    uint64_t options = (uint64_t)sh->kind | (uint64_t)q->npieces << 3 | (uint64_t)sh->aside << 6 |
                       sq_visibility_shape(q->who) << 8;
    db_stmt *s;
    bf_result r = sq_stmt_get(c, sq_shape_key(K_SEARCH, spec_of(sh->kind), options, 0),
                              build_search, sh, &s, err);
    if (r != BF_OK)
        return r;
    int limit = q->limit < 1 ? 1 : q->limit > 50 ? 50 : q->limit;
    db_bind_int64(s, 1, limit);
    /* When every posting of the gram is a match, an admin needs no more
     * than a page of them, and each person no more than a page of theirs. */
    db_bind_int64(s, 3, exact && sees_all(q->who) ? limit : WALK_MAX);
    db_bind_int64(s, 4, exact ? limit : PERSON_MAX);
    sq_bind_text(s, 11, gram);
    for (size_t i = 0; i < q->npieces; i++)
        sq_bind_text(s, (int)(21 + i), patterns[i]);
    sq_bind_viewer(s, q->who);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(search_hit), read_hit, "search", &rows, &out->n[sh->kind],
                        err)) == BF_OK)
        out->hits[sh->kind] = rows;
    return r;
}

bf_result store_search(store *st, arena *ar, const search_query *q, search_found *out,
                       bf_error *err)
{
    BF_ASSERT(q->npieces >= 1 && q->npieces <= SEARCH_PIECES_MAX);
    memset(out, 0, sizeof(*out));
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    const char *gram = NULL, *patterns[SEARCH_PIECES_MAX];
    bool exact = false;
    if ((r = leading_gram(st, ar, q, &gram, &exact, err)) != BF_OK)
        return r;
    for (size_t i = 0; i < q->npieces; i++)
        if ((patterns[i] = search_piece_pattern(ar, q->pieces[i])) == NULL)
            return BF_ERR_NOMEM;
    /* A partner's and an implementer's deals are few: always read one by
     * one; a salesperson's or a manager's deals aside while they are few. */
    bool aside_few = !sees_all(q->who) && !by_people(q->who);
    if (by_people(q->who)) {
        int64_t counts[4];
        if ((r = sq_count_deals_seen(c, q->who, counts, err)) != BF_OK)
            return r;
        aside_few = counts[3] > 0 && counts[3] < ASIDE_MAX;
    }
    for (int kind = SEARCH_ACCOUNT; r == BF_OK && kind <= SEARCH_ACTIVITY; kind++) {
        search_shape sh = {(search_kind)kind, q->who, db_dialect_of(c->db) == DB_POSTGRES,
                           q->npieces,
                           aside_few && (!by_people(q->who) || kind == SEARCH_OPPORTUNITY)};
        r = search_kind_read(c, ar, q, &sh, gram, exact, patterns, out, err);
    }
    return r;
}
