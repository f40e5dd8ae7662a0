/* The knowledge base (migration 24; see store.h and docs/knowledge.md).
 * An entry's facets, counts of published facet values, grams and (SQLite)
 * its FTS5 row are written in the entry's transaction. A search is driven
 * by an index: the FTS5 trigram index (SQLite) or the pg_trgm one
 * (PostgreSQL) for terms of three characters and more — the 500 best
 * matches of the FTS5 index, then filtered — the grams for shorter ones,
 * the facets for filters, the time of change otherwise. */
#include <stdio.h>
#include <string.h>

#include "store/sqlite.h"

#define KN_COLUMNS                                                                                 \
    "k.id, k.kind, k.lang, k.title, k.entry, k.shareable, k.status, k.author, k.reviewer, "        \
    "k.source_opportunity_id, k.version, k.created_at, k.updated_at, k.search_title, "             \
    "k.search_text"

static const char SQL_KN_INSERT[] =
    "INSERT INTO knowledge (id, seq, kind, lang, title, entry, search_title, search_text, "
    "shareable, status, author, reviewer, source_opportunity_id, version, created_at, updated_at) "
    "SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1, ?13, "
    "?13 FROM knowledge RETURNING seq";
static const char SQL_KN_UPDATE[] =
    "UPDATE knowledge SET kind = ?2, lang = ?3, title = ?4, entry = ?5, search_title = ?6, "
    "search_text = ?7, shareable = ?8, status = ?9, reviewer = ?10, version = version + 1, "
    "updated_at = ?11 WHERE id = ?1 AND version = ?12 RETURNING seq";
static const char SQL_KN_GET[] = "SELECT " KN_COLUMNS " FROM knowledge k WHERE k.id = ?1";
static const char SQL_KN_VERSION_INSERT[] =
    "INSERT INTO knowledge_versions (knowledge_id, version, entry, status, changed_by, "
    "changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_KN_VERSIONS[] =
    "SELECT entry, status, version, changed_by, changed_at FROM knowledge_versions WHERE "
    "knowledge_id = ?1 ORDER BY version DESC LIMIT 200";
static const char SQL_KN_FACET_INSERT[] =
    "INSERT INTO knowledge_facets (facet, value, knowledge_id) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (facet, value, knowledge_id) DO NOTHING";
static const char SQL_KN_FACETS_OF[] =
    "SELECT facet, value FROM knowledge_facets WHERE knowledge_id = ?1";
static const char SQL_KN_FACETS_DELETE[] = "DELETE FROM knowledge_facets WHERE knowledge_id = ?1";
static const char SQL_KN_COUNT[] =
    "INSERT INTO knowledge_facet_counts (facet, value, published, shared) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (facet, value) DO UPDATE SET published = knowledge_facet_counts.published + "
    "excluded.published, shared = knowledge_facet_counts.shared + excluded.shared";
static const char SQL_KN_GRAM_INSERT[] =
    "INSERT INTO knowledge_grams (gram, knowledge_id, weight, seq) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_KN_GRAM_DELETE[] =
    "DELETE FROM knowledge_grams WHERE gram = ?1 AND weight = ?3 AND seq = ?4 AND "
    "knowledge_id = ?2";
static const char SQL_KN_FTS_INSERT[] =
    "INSERT INTO knowledge_fts (rowid, title, body, lang) VALUES (?1, ?2, ?3, ?4 || '0')";
static const char SQL_KN_FTS_DELETE[] = "DELETE FROM knowledge_fts WHERE rowid = ?1";
static const char SQL_KN_PAGE[] = "SELECT " KN_COLUMNS ", k.seq FROM knowledge k WHERE k.seq > ?1 "
                                  "ORDER BY k.seq LIMIT ?2";
/* A facet's most used values, read down its index (not every value sorted). */
static const char SQL_KN_FACET_TOP[] =
    "SELECT facet, value, published FROM knowledge_facet_counts WHERE facet = ?1 AND "
    "published > 0 ORDER BY published DESC, value LIMIT 100";
static const char SQL_KN_FACET_TOP_SHARED[] =
    "SELECT facet, value, shared FROM knowledge_facet_counts WHERE facet = ?1 AND shared > 0 "
    "ORDER BY shared DESC, value LIMIT 100";

static void read_entry(arena *a, db_stmt *s, void *row)
{
    knowledge_entry *e = row;
    memset(e, 0, sizeof(*e));
    e->id = sq_column_text(a, s, 0);
    e->kind = sq_column_text(a, s, 1);
    e->lang = sq_column_text(a, s, 2);
    e->title = sq_column_text(a, s, 3);
    e->entry = sq_column_text(a, s, 4);
    e->shareable = db_column_int64(s, 5) != 0;
    e->status = sq_column_text(a, s, 6);
    e->author = sq_column_text(a, s, 7);
    e->reviewer = sq_column_text(a, s, 8);
    e->source_opportunity_id = sq_column_text(a, s, 9);
    e->version = db_column_int64(s, 10);
    e->created_at = sq_column_text(a, s, 11);
    e->updated_at = sq_column_text(a, s, 12);
    e->search_title = sq_column_text(a, s, 13);
    e->search_text = sq_column_text(a, s, 14);
}

static bool is_postgres(conn *c)
{
    return db_dialect_of(c->db) == DB_POSTGRES;
}

/* Runs a statement already bound to its end; what names it in errors. */
static bf_result run(conn *c, db_stmt *s, const char *what, bf_error *err)
{
    int rc = db_step(s);
    while (rc == DB_ROW)
        rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_constraint_error(err, c, rc, what);
}

static bf_result by_id(store *st, const char *sql, const char *id, const char *what, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, sql, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    return run(c, s, what, err);
}

/* Adds delta to the counts of the published (and shared) entries with
 * each of the facets. */
static bf_result count_facets(store *st, const knowledge_facet *f, size_t n, bool shared, int delta,
                              bf_error *err)
{
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        conn *c;
        db_stmt *s;
        if ((r = sq_prepare(st, SQL_KN_COUNT, &c, &s, err)) != BF_OK)
            break;
        sq_bind_text(s, 1, f[i].facet);
        sq_bind_text(s, 2, f[i].value);
        db_bind_int64(s, 3, delta);
        db_bind_int64(s, 4, shared ? delta : 0);
        r = run(c, s, "knowledge facet counts", err);
    }
    return r;
}

/* Writes e's facets (the distinct ones counted when published), grams,
 * text index row (SQLite) and version. */
static bf_result write_parts(store *st, arena *ar, const knowledge_entry *e, int64_t seq,
                             bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = BF_OK;
    knowledge_facet *added = arena_alloc(ar, (e->nfacets + 1) * sizeof(*added));
    size_t nadded = 0;
    if (added == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < e->nfacets; i++) {
        if ((r = sq_prepare(st, SQL_KN_FACET_INSERT, &c, &s, err)) != BF_OK)
            break;
        sq_bind_text(s, 1, e->facets[i].facet);
        sq_bind_text(s, 2, e->facets[i].value);
        sq_bind_text(s, 3, e->id);
        int rc = db_step(s);
        int64_t changed = rc == DB_DONE ? db_changes(c->db) : 0;
        db_reset(s);
        if (rc != DB_DONE)
            r = sq_constraint_error(err, c, rc, "knowledge facets");
        else if (changed > 0)
            added[nadded++] = e->facets[i];
    }
    if (r == BF_OK && strcmp(e->status, "published") == 0)
        r = count_facets(st, added, nadded, e->shareable, 1, err);
    for (size_t i = 0; r == BF_OK && i < e->ngrams; i++) {
        if ((r = sq_prepare(st, SQL_KN_GRAM_INSERT, &c, &s, err)) != BF_OK)
            break;
        sq_bind_text(s, 1, e->grams[i].text);
        sq_bind_text(s, 2, e->id);
        db_bind_int64(s, 3, e->grams[i].weight);
        db_bind_int64(s, 4, seq);
        r = run(c, s, "knowledge grams", err);
    }
    if (r == BF_OK && (r = sq_conn(st, &c, err)) == BF_OK && !is_postgres(c) &&
        (r = sq_prepare(st, SQL_KN_FTS_INSERT, &c, &s, err)) == BF_OK) {
        db_bind_int64(s, 1, seq);
        sq_bind_text(s, 2, e->search_title);
        sq_bind_text(s, 3, e->search_text);
        sq_bind_text(s, 4, e->lang);
        r = run(c, s, "knowledge text index", err);
    }
    if (r == BF_OK && (r = sq_prepare(st, SQL_KN_VERSION_INSERT, &c, &s, err)) == BF_OK) {
        sq_bind_text(s, 1, e->id);
        db_bind_int64(s, 2, e->version);
        sq_bind_text(s, 3, e->entry);
        sq_bind_text(s, 4, e->status);
        sq_bind_text(s, 5, e->changed_by);
        sq_bind_text(s, 6, e->updated_at);
        r = run(c, s, "knowledge versions", err);
    }
    return r;
}

static void bind_entry(db_stmt *s, const knowledge_entry *e)
{
    sq_bind_text(s, 2, e->kind);
    sq_bind_text(s, 3, e->lang);
    sq_bind_text(s, 4, e->title);
    sq_bind_text(s, 5, e->entry);
    sq_bind_text(s, 6, e->search_title);
    sq_bind_text(s, 7, e->search_text);
    db_bind_int64(s, 8, e->shareable ? 1 : 0);
    sq_bind_text(s, 9, e->status);
}

static bf_result insert_in_tx(store *st, arena *ar, knowledge_entry *e, bf_error *err)
{
    char now[32];
    store_now(now, sizeof(now));
    if ((e->id = sq_new_id(ar, "kn")) == NULL ||
        (e->created_at = e->updated_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    e->version = 1;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_KN_INSERT, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, e->id);
    bind_entry(s, e);
    sq_bind_text(s, 10, e->author);
    sq_bind_text(s, 11, e->reviewer);
    sq_bind_text(s, 12, e->source_opportunity_id);
    sq_bind_text(s, 13, e->created_at);
    int rc = db_step(s);
    int64_t seq = rc == DB_ROW ? db_column_int64(s, 0) : 0;
    db_reset(s);
    if (rc != DB_ROW)
        return sq_constraint_error(err, c, rc, "knowledge");
    return write_parts(st, ar, e, seq, err);
}

bf_result store_knowledge_insert(store *st, arena *ar, knowledge_entry *e, bf_error *err)
{
    IN_TRANSACTION(st, err, insert_in_tx(st, ar, e, err));
}

static void read_facet(arena *a, db_stmt *s, void *row)
{
    knowledge_facet *f = row;
    f->facet = sq_column_text(a, s, 0);
    f->value = sq_column_text(a, s, 1);
}

/* Takes the stored entry's facets, grams and text index row away (its
 * counts too, when it was published). */
static bf_result remove_parts(store *st, arena *ar, const knowledge_entry *old, int64_t seq,
                              bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_KN_FACETS_OF, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, old->id);
    void *rows = NULL;
    size_t n = 0;
    if ((r = sq_collect(c, s, ar, sizeof(knowledge_facet), read_facet, "knowledge facets", &rows,
                        &n, err)) != BF_OK)
        return r;
    if (strcmp(old->status, "published") == 0 &&
        (r = count_facets(st, rows, n, old->shareable, -1, err)) != BF_OK)
        return r;
    if ((r = by_id(st, SQL_KN_FACETS_DELETE, old->id, "knowledge facets", err)) != BF_OK)
        return r;
    /* The grams are found by their key (the old entry's own): no second
     * index of them by entry, which would be as large as the table. */
    json_t *body = json_loads(old->entry, 0, NULL);
    knowledge_gram *grams = NULL;
    size_t ngrams = 0;
    r = body ? knowledge_grams(ar, body, &grams, &ngrams) : BF_ERR_NOMEM;
    json_decref(body);
    for (size_t i = 0; r == BF_OK && i < ngrams; i++) {
        if ((r = sq_prepare(st, SQL_KN_GRAM_DELETE, &c, &s, err)) != BF_OK)
            break;
        sq_bind_text(s, 1, grams[i].text);
        sq_bind_text(s, 2, old->id);
        db_bind_int64(s, 3, grams[i].weight);
        db_bind_int64(s, 4, seq);
        r = run(c, s, "knowledge grams", err);
    }
    if (r != BF_OK)
        return r;
    if ((r = sq_conn(st, &c, err)) != BF_OK || is_postgres(c))
        return r;
    if ((r = sq_prepare(st, SQL_KN_FTS_DELETE, &c, &s, err)) != BF_OK)
        return r;
    db_bind_int64(s, 1, seq);
    return run(c, s, "knowledge text index", err);
}

static bf_result update_in_tx(store *st, arena *ar, knowledge_entry *e, int64_t expected,
                              bf_error *err)
{
    knowledge_entry old;
    bf_result r = store_knowledge_get(st, ar, e->id, &old, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    if ((e->updated_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    conn *c;
    db_stmt *s;
    if ((r = sq_prepare(st, SQL_KN_UPDATE, &c, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, e->id);
    bind_entry(s, e);
    sq_bind_text(s, 10, e->reviewer);
    sq_bind_text(s, 11, e->updated_at);
    db_bind_int64(s, 12, expected);
    int rc = db_step(s);
    int64_t seq = rc == DB_ROW ? db_column_int64(s, 0) : 0;
    db_reset(s);
    if (rc == DB_DONE)
        return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the entry was changed by someone else meanwhile: read it again");
    if (rc != DB_ROW)
        return sq_constraint_error(err, c, rc, "knowledge");
    e->version = expected + 1;
    if ((r = remove_parts(st, ar, &old, seq, err)) != BF_OK)
        return r;
    return write_parts(st, ar, e, seq, err);
}

bf_result store_knowledge_update(store *st, arena *ar, knowledge_entry *e, int64_t expected,
                                 bf_error *err)
{
    IN_TRANSACTION(st, err, update_in_tx(st, ar, e, expected, err));
}

bf_result store_knowledge_get(store *st, arena *ar, const char *id, knowledge_entry *out,
                              bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_KN_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        read_entry(ar, s, out);
    else if (rc == DB_DONE)
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "no knowledge entry %s", id);
    else
        r = sq_db_error(err, c->db, rc, "knowledge");
    db_reset(s);
    return r;
}

static void read_version(arena *a, db_stmt *s, void *row)
{
    knowledge_entry *e = row;
    memset(e, 0, sizeof(*e));
    e->entry = sq_column_text(a, s, 0);
    e->status = sq_column_text(a, s, 1);
    e->version = db_column_int64(s, 2);
    e->changed_by = sq_column_text(a, s, 3);
    e->updated_at = sq_column_text(a, s, 4);
}

bf_result store_knowledge_versions(store *st, arena *ar, const char *id, knowledge_entry **out,
                                   size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_KN_VERSIONS, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(knowledge_entry), read_version, "knowledge versions",
                        &rows, n, err)) == BF_OK)
        *out = rows;
    return r;
}

static void read_paged(arena *a, db_stmt *s, void *row)
{
    read_entry(a, s, row);
    ((knowledge_entry *)row)->seq = db_column_int64(s, 15);
}

bf_result store_knowledge_page(store *st, arena *ar, int64_t after, int limit,
                               knowledge_entry **out, size_t *n, int64_t *last, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_KN_PAGE, &c, &s, err);
    if (r != BF_OK)
        return r;
    db_bind_int64(s, 1, after);
    db_bind_int64(s, 2, limit);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(knowledge_entry), read_paged, "knowledge", &rows, n,
                        err)) != BF_OK)
        return r;
    *out = rows;
    if (*n > 0)
        *last = (*out)[*n - 1].seq;
    return BF_OK;
}

static void read_count(arena *a, db_stmt *s, void *row)
{
    knowledge_facet_count *f = row;
    f->facet = sq_column_text(a, s, 0);
    f->value = sq_column_text(a, s, 1);
    f->count = db_column_int64(s, 2);
}

bf_result store_knowledge_facets(store *st, arena *ar, bool partner, knowledge_facet_count **out,
                                 size_t *n, bf_error *err)
{
    static const char *const facets[] = {"industry", "product", "tag", "stage", "activity"};
    size_t nfacets = sizeof(facets) / sizeof(facets[0]);
    knowledge_facet_count *all = arena_alloc(ar, nfacets * 100 * sizeof(*all));
    if (all == NULL)
        return BF_ERR_NOMEM;
    *n = 0;
    for (size_t i = 0; i < nfacets; i++) {
        conn *c;
        db_stmt *s;
        bf_result r =
            sq_prepare(st, partner ? SQL_KN_FACET_TOP_SHARED : SQL_KN_FACET_TOP, &c, &s, err);
        if (r != BF_OK)
            return r;
        sq_bind_text(s, 1, facets[i]);
        void *rows = NULL;
        size_t got = 0;
        if ((r = sq_collect(c, s, ar, sizeof(knowledge_facet_count), read_count, "knowledge facets",
                            &rows, &got, err)) != BF_OK)
            return r;
        memcpy(all + *n, rows, got * sizeof(*all));
        *n += got;
    }
    *out = all;
    return BF_OK;
}

/* ---- search ---------------------------------------------------------------------------
 * Parameters: ?1 limit, ?2 the viewer's name, ?3 kind, ?4 lang, ?10 the FTS5 query (SQLite),
 * ?11.. the short terms, ?21.. the long terms as LIKE patterns (PostgreSQL), ?20 the whole
 * query (its similarity), ?31.. the facets all given (facet, value), ?51.. those ranked. */

typedef struct search_shape {
    const knowledge_query *q;
    bool pg;
    size_t nlong, nshort;
} search_shape;

/* Which entries the viewer reads, by the status asked. */
static bf_result append_visible(buf *b, const knowledge_query *q)
{
    const char *status = q->status ? q->status : "";
    if (q->partner)
        return buf_append_str(b, strcmp(status, "draft") == 0 || strcmp(status, "retired") == 0
                                     ? "1 = 0"
                                     : "k.status = 'published' AND k.shareable = 1");
    if (strcmp(status, "retired") == 0)
        return buf_append_str(b, "k.status = 'retired'");
    if (strcmp(status, "published") == 0)
        return buf_append_str(b, "k.status = 'published'");
    const char *mine = q->manager ? "(k.author = ?2 OR k.reviewer = ?2 OR k.reviewer IS NULL)"
                                  : "(k.author = ?2 OR k.reviewer = ?2)";
    if (strcmp(status, "draft") == 0)
        return q->admin ? buf_append_str(b, "k.status = 'draft'")
                        : buf_printf(b, "k.status = 'draft' AND %s", mine);
    return q->admin
               ? buf_append_str(b, "k.status IN ('published', 'draft')")
               : buf_printf(b, "(k.status = 'published' OR (k.status = 'draft' AND %s))", mine);
}

static bf_result append_any(buf *b, const knowledge_query *q, const char *alias)
{
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < q->nany; i++)
        r = buf_printf(b, "%s(%s.facet = ?%zu AND %s.value = ?%zu)", i ? " OR " : "", alias,
                       51 + 2 * i, alias, 52 + 2 * i);
    return r;
}

static bf_result build_search(buf *b, const void *ctx)
{
    const search_shape *sh = ctx;
    const knowledge_query *q = sh->q;
    bool fts = sh->nlong > 0 && !sh->pg;
    /* Short terms alone: the first one's grams are read in the order asked
     * (the title's first, the newest first), each entry checked. */
    bool grams = sh->nshort > 0 && sh->nlong == 0 && q->nany == 0;
    bf_result r = buf_append_str(b, "SELECT " KN_COLUMNS " FROM ");
    if (r == BF_OK)
        r = buf_append_str(b, fts     ? "(SELECT hit, MIN(score) AS score FROM (SELECT * FROM "
                                        "(SELECT rowid AS hit, 0 AS score FROM knowledge_fts "
                                        "WHERE knowledge_fts MATCH ?9 ORDER BY rowid DESC LIMIT "
                                        "500) UNION ALL SELECT * FROM (SELECT rowid AS hit, 1 AS "
                                        "score FROM knowledge_fts WHERE knowledge_fts MATCH ?10 "
                                        "ORDER BY rowid DESC LIMIT 500)) GROUP BY hit) f JOIN "
                                        "knowledge k ON k.seq = f.hit WHERE "
                              : grams ? "knowledge_grams g JOIN knowledge k ON k.id = "
                                        "g.knowledge_id WHERE g.gram = ?11 AND "
                                      : "knowledge k WHERE ");
    if (r == BF_OK)
        r = append_visible(b, q);
    if (r == BF_OK && q->kind)
        r = buf_append_str(b, " AND k.kind = ?3");
    if (r == BF_OK && q->lang)
        r = buf_append_str(b, " AND k.lang = ?4");
    for (size_t i = 0; r == BF_OK && sh->pg && i < sh->nlong; i++)
        r = buf_printf(b, " AND k.search_text LIKE ?%zu", 21 + i);
    /* The first short term drives the read when nothing else does. */
    for (size_t i = grams ? 1 : 0; r == BF_OK && i < sh->nshort; i++)
        r = buf_printf(b,
                       " AND k.id IN (SELECT g.knowledge_id FROM knowledge_grams g WHERE "
                       "g.gram = ?%zu)",
                       11 + i);
    for (size_t i = 0; r == BF_OK && i < q->nall; i++)
        r = buf_printf(b,
                       " AND k.id IN (SELECT f.knowledge_id FROM knowledge_facets f WHERE "
                       "f.facet = ?%zu AND f.value = ?%zu)",
                       31 + 2 * i, 32 + 2 * i);
    if (r == BF_OK && q->nany > 0) {
        r = buf_append_str(b, " AND k.id IN (SELECT f.knowledge_id FROM knowledge_facets f WHERE ");
        if (r == BF_OK)
            r = append_any(b, q, "f");
        if (r == BF_OK)
            r = buf_append_str(b, ")");
    }
    if (r == BF_OK)
        r = buf_append_str(b, " ORDER BY ");
    if (r == BF_OK && q->nany > 0) {
        r = buf_append_str(b, "(SELECT COUNT(*) FROM knowledge_facets a WHERE a.knowledge_id = "
                              "k.id AND (");
        if (r == BF_OK)
            r = append_any(b, q, "a");
        if (r == BF_OK)
            r = buf_append_str(b, ")) DESC, ");
    }
    if (r == BF_OK && fts)
        r = buf_append_str(b, "f.score, ");
    else if (r == BF_OK && sh->nlong > 0)
        r = buf_append_str(b, "CASE WHEN k.search_title LIKE ?21 THEN 0 ELSE 1 END, "
                              "similarity(k.search_text, ?20) DESC, ");
    else if (r == BF_OK && grams)
        return buf_append_str(b, "g.weight DESC, g.seq DESC LIMIT ?1");
    else if (r == BF_OK && sh->nshort > 0)
        r = buf_append_str(b, "(SELECT MAX(w.weight) FROM knowledge_grams w WHERE w.knowledge_id "
                              "= k.id AND w.gram = ?11) DESC, ");
    return r == BF_OK ? buf_append_str(b, "k.updated_at DESC, k.id LIMIT ?1") : r;
}

/* term as a LIKE pattern matching it anywhere, its wildcards escaped. */
static const char *like_anywhere(arena *a, const char *term)
{
    buf b;
    buf_init(&b, a, 512);
    bf_result r = buf_append(&b, "%", 1);
    for (const char *p = term; r == BF_OK && *p; p++)
        r = (*p == '%' || *p == '_' || *p == '\\') ? buf_printf(&b, "\\%c", *p)
                                                   : buf_append(&b, p, 1);
    if (r == BF_OK)
        r = buf_append(&b, "%", 1);
    return r == BF_OK ? buf_cstr(&b) : NULL;
}

/* The long terms as an FTS5 query: each a quoted string (a substring for
 * the trigram tokenizer), all of them required — in the title alone when
 * title_only; and the language when one is asked. */
static const char *fts_query(arena *a, const char *const *terms, size_t n, const char *lang,
                             bool title_only)
{
    buf b;
    buf_init(&b, a, 2048);
    bf_result r = lang ? buf_printf(&b, "lang : \"%s0\" AND ", lang) : BF_OK;
    if (r == BF_OK && title_only)
        r = buf_append_str(&b, "title : (");
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        r = buf_append_str(&b, i ? " \"" : "\"");
        for (const char *p = terms[i]; r == BF_OK && *p; p++)
            r = buf_append(&b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
        if (r == BF_OK)
            r = buf_append(&b, "\"", 1);
    }
    if (r == BF_OK && title_only)
        r = buf_append(&b, ")", 1);
    return r == BF_OK ? buf_cstr(&b) : NULL;
}

bf_result store_knowledge_search(store *st, arena *ar, const knowledge_query *q,
                                 knowledge_entry **out, size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    const char *longs[KNOWLEDGE_TERMS_MAX], *shorts[KNOWLEDGE_TERMS_MAX];
    search_shape sh = {q, is_postgres(c), 0, 0};
    for (size_t i = 0; i < q->nterms && i < KNOWLEDGE_TERMS_MAX; i++) {
        if (knowledge_term_short(q->terms[i]))
            shorts[sh.nshort++] = q->terms[i];
        else
            longs[sh.nlong++] = q->terms[i];
    }
    const char *status = q->status ? q->status : "";
    uint64_t options = (uint64_t)sh.nlong | (uint64_t)sh.nshort << 3 | (uint64_t)q->nall << 6 |
                       (uint64_t)q->nany << 9 | (uint64_t)(q->kind != NULL) << 13 |
                       (uint64_t)(q->lang != NULL) << 14 | (uint64_t)q->admin << 15 |
                       (uint64_t)q->partner << 16 | (uint64_t)(status[0] == 'd') << 17 |
                       (uint64_t)(status[0] == 'r') << 18 | (uint64_t)(status[0] == 'p') << 19 |
                       (uint64_t)q->manager << 20;
    db_stmt *s;
    if ((r = sq_stmt_get(c, sq_shape_key(K_KNOWLEDGE, &resource_opportunities, options, 0),
                         build_search, &sh, &s, err)) != BF_OK)
        return r;
    db_bind_int64(s, 1, q->limit < 1 ? 1 : q->limit > 100 ? 100 : q->limit);
    sq_bind_text(s, 2, q->viewer);
    sq_bind_text(s, 3, q->kind);
    sq_bind_text(s, 4, q->lang);
    const char *fts = sh.nlong && !sh.pg ? fts_query(ar, longs, sh.nlong, q->lang, false) : NULL;
    const char *in_title =
        sh.nlong && !sh.pg ? fts_query(ar, longs, sh.nlong, q->lang, true) : NULL;
    if (sh.nlong && !sh.pg && (fts == NULL || in_title == NULL))
        return BF_ERR_NOMEM;
    sq_bind_text(s, 9, in_title);
    sq_bind_text(s, 10, fts);
    for (size_t i = 0; i < sh.nshort; i++)
        sq_bind_text(s, (int)(11 + i), shorts[i]);
    for (size_t i = 0; sh.pg && i < sh.nlong; i++) {
        const char *pattern = like_anywhere(ar, longs[i]);
        if (pattern == NULL)
            return BF_ERR_NOMEM;
        sq_bind_text(s, (int)(21 + i), pattern);
    }
    if (sh.pg && sh.nlong)
        sq_bind_text(s, 20, longs[0]);
    for (size_t i = 0; i < q->nall; i++) {
        sq_bind_text(s, (int)(31 + 2 * i), q->all[i].facet);
        sq_bind_text(s, (int)(32 + 2 * i), q->all[i].value);
    }
    for (size_t i = 0; i < q->nany; i++) {
        sq_bind_text(s, (int)(51 + 2 * i), q->any[i].facet);
        sq_bind_text(s, (int)(52 + 2 * i), q->any[i].value);
    }
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(knowledge_entry), read_entry, "knowledge", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}
