/* Documents kept on deals and the handover of won deals (migration 23; see
 * store.h). A deal's documents by documents_opportunity; bytes by their
 * SHA-256, the key of document_contents; the handovers waiting by the
 * partial index handovers_waiting. */
#include <string.h>

#include "store/sqlite.h"

#define DOCUMENT_COLUMNS                                                                           \
    "id, opportunity_id, name, version, category, content_type, size, sha256, source, "            \
    "template_key, template_version, item_id, shared, note, created_at, created_by"

static const char SQL_CONTENT_INSERT[] =
    "INSERT INTO document_contents (sha256, size, content) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (sha256) DO NOTHING";
static const char SQL_DOCUMENT_INSERT[] =
    "INSERT INTO documents (" DOCUMENT_COLUMNS
    ") SELECT ?1, ?2, ?3, COALESCE(MAX(version), 0) + 1, "
    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16 FROM documents "
    "WHERE opportunity_id = ?2 AND name = ?3 RETURNING version";
static const char SQL_DOCUMENT_GET[] = "SELECT " DOCUMENT_COLUMNS " FROM documents WHERE id = ?1";
static const char SQL_DOCUMENT_CONTENT[] =
    "SELECT content FROM document_contents WHERE sha256 = ?1";
static const char SQL_DOCUMENT_LIST[] =
    "SELECT " DOCUMENT_COLUMNS " FROM documents WHERE opportunity_id = ?1 "
    "ORDER BY name, version DESC LIMIT 1000";
static const char SQL_DOCUMENT_LIST_SHARED[] =
    "SELECT " DOCUMENT_COLUMNS " FROM documents WHERE opportunity_id = ?1 AND shared = 1 "
    "ORDER BY name, version DESC LIMIT 1000";
static const char SQL_DOCUMENT_UPDATE[] =
    "UPDATE documents SET category = ?2, item_id = ?3, shared = ?4, note = ?5 WHERE id = ?1";
static const char SQL_DOCUMENT_DELETE[] = "DELETE FROM documents WHERE id = ?1 RETURNING sha256";
static const char SQL_CONTENT_DELETE_UNUSED[] =
    "DELETE FROM document_contents WHERE sha256 = ?1 AND NOT EXISTS (SELECT 1 FROM documents "
    "WHERE sha256 = ?1)";
static const char SQL_DOCUMENT_ITEM_COUNT[] =
    "SELECT COUNT(*) FROM documents WHERE opportunity_id = ?1 AND item_id = ?2";

static void read_document(arena *a, db_stmt *s, void *row)
{
    document *d = row;
    d->id = sq_column_text(a, s, 0);
    d->opportunity_id = sq_column_text(a, s, 1);
    d->name = sq_column_text(a, s, 2);
    d->version = db_column_int64(s, 3);
    d->category = sq_column_text(a, s, 4);
    d->content_type = sq_column_text(a, s, 5);
    d->size = db_column_int64(s, 6);
    d->sha256 = sq_column_text(a, s, 7);
    d->source = sq_column_text(a, s, 8);
    d->template_key = sq_column_text(a, s, 9);
    d->template_version = db_column_int64(s, 10);
    d->item_id = sq_column_text(a, s, 11);
    d->shared = db_column_int64(s, 12) != 0;
    d->note = sq_column_text(a, s, 13);
    d->created_at = sq_column_text(a, s, 14);
    d->created_by = sq_column_text(a, s, 15);
}

/* Runs a write of one statement already bound; what names it in errors. */
static bf_result step_done(conn *c, db_stmt *s, const char *what, bf_error *err)
{
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_constraint_error(err, c, rc, what);
}

static bf_result document_insert_in_tx(store *st, arena *ar, document *d, const void *content,
                                       bf_error *err)
{
    char now[32];
    store_now(now, sizeof(now));
    if ((d->id = sq_new_id(ar, "doc")) == NULL || (d->created_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_CONTENT_INSERT, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, d->sha256);
    db_bind_int64(s, 2, d->size);
    db_bind_blob(s, 3, content, (size_t)d->size);
    if ((r = step_done(c, s, "document content", err)) != BF_OK)
        return r;
    if ((r = sq_prepare(st, SQL_DOCUMENT_INSERT, &c, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, d->id);
    sq_bind_text(s, 2, d->opportunity_id);
    sq_bind_text(s, 3, d->name);
    sq_bind_text(s, 5, d->category);
    sq_bind_text(s, 6, d->content_type);
    db_bind_int64(s, 7, d->size);
    sq_bind_text(s, 8, d->sha256);
    sq_bind_text(s, 9, d->source);
    sq_bind_text(s, 10, d->template_key);
    if (d->template_key != NULL)
        db_bind_int64(s, 11, d->template_version);
    else
        db_bind_null(s, 11);
    sq_bind_text(s, 12, d->item_id);
    db_bind_int64(s, 13, d->shared ? 1 : 0);
    sq_bind_text(s, 14, d->note);
    sq_bind_text(s, 15, d->created_at);
    sq_bind_text(s, 16, d->created_by);
    int rc = db_step(s);
    if (rc == DB_ROW)
        d->version = db_column_int64(s, 0);
    db_reset(s);
    return rc == DB_ROW ? BF_OK : sq_constraint_error(err, c, rc, "document");
}

bf_result store_document_insert(store *st, arena *ar, document *d, const void *content,
                                bf_error *err)
{
    IN_TRANSACTION(st, err, document_insert_in_tx(st, ar, d, content, err));
}

bf_result store_document_get(store *st, arena *ar, const char *id, document *out, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_DOCUMENT_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        read_document(ar, s, out);
    else if (rc == DB_DONE)
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "no document %s", id);
    else
        r = sq_db_error(err, c->db, rc, "document");
    db_reset(s);
    return r;
}

bf_result store_document_content(store *st, arena *ar, const char *sha256, const void **out,
                                 size_t *len, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_DOCUMENT_CONTENT, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, sha256);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        size_t n = 0;
        const void *data = db_column_blob(s, 0, &n);
        void *copy = arena_alloc(ar, n + 1);
        if (data == NULL && n > 0)
            r = BF_ERR_NOMEM;
        else if (copy == NULL)
            r = BF_ERR_NOMEM;
        else {
            if (n > 0)
                memcpy(copy, data, n);
            *out = copy;
            *len = n;
        }
    } else if (rc == DB_DONE)
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "no content %s", sha256);
    else
        r = sq_db_error(err, c->db, rc, "document content");
    db_reset(s);
    return r;
}

bf_result store_document_list(store *st, arena *ar, const char *opportunity_id, bool shared_only,
                              document **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r =
        sq_prepare(st, shared_only ? SQL_DOCUMENT_LIST_SHARED : SQL_DOCUMENT_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(document), read_document, "documents", &rows, n, err)) ==
        BF_OK)
        *out = rows;
    return r;
}

bf_result store_document_update(store *st, const document *d, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_DOCUMENT_UPDATE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, d->id);
    sq_bind_text(s, 2, d->category);
    sq_bind_text(s, 3, d->item_id);
    db_bind_int64(s, 4, d->shared ? 1 : 0);
    sq_bind_text(s, 5, d->note);
    return step_done(c, s, "document", err);
}

static bf_result document_delete_in_tx(store *st, arena *scratch, const char *id, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_DOCUMENT_DELETE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, id);
    int rc = db_step(s);
    const char *sha = rc == DB_ROW ? sq_column_text(scratch, s, 0) : NULL;
    db_reset(s);
    if (rc == DB_DONE)
        return bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "no document %s", id);
    if (rc != DB_ROW)
        return sq_db_error(err, c->db, rc, "document");
    if (sha == NULL)
        return BF_ERR_NOMEM;
    if ((r = sq_prepare(st, SQL_CONTENT_DELETE_UNUSED, &c, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, sha);
    return step_done(c, s, "document content", err);
}

bf_result store_document_delete(store *st, const char *id, bf_error *err)
{
    arena *scratch = arena_new(256);
    if (scratch == NULL)
        return BF_ERR_NOMEM;
    bf_result r = store_begin(st, err);
    if (r == BF_OK) {
        r = document_delete_in_tx(st, scratch, id, err);
        r = r == BF_OK ? store_commit(st, err) : (store_rollback(st), r);
    }
    arena_free(scratch);
    return r;
}

bf_result store_document_count_for_item(store *st, const char *opportunity_id, const char *item_id,
                                        int64_t *out, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_DOCUMENT_ITEM_COUNT, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    sq_bind_text(s, 2, item_id);
    int rc = db_step(s);
    *out = rc == DB_ROW ? db_column_int64(s, 0) : 0;
    db_reset(s);
    return rc == DB_ROW ? BF_OK : sq_db_error(err, c->db, rc, "documents");
}

/* ---- handovers ----------------------------------------------------------------------- */

#define HANDOVER_COLUMNS                                                                           \
    "h.opportunity_id, h.version, h.commitments, h.project_lead_id, h.acknowledged_by, "           \
    "h.acknowledged_at, h.created_at, h.updated_at"

static const char SQL_HANDOVER_OPEN[] =
    "INSERT INTO handovers (opportunity_id, created_at, updated_at) VALUES (?1, ?2, ?2) "
    "ON CONFLICT (opportunity_id) DO NOTHING";
static const char SQL_HANDOVER_GET[] =
    "SELECT " HANDOVER_COLUMNS " FROM handovers h WHERE h.opportunity_id = ?1";
static const char SQL_HANDOVER_UPDATE[] =
    "UPDATE handovers SET version = version + 1, commitments = ?3, project_lead_id = ?4, "
    "acknowledged_by = ?5, acknowledged_at = ?6, updated_at = ?7 "
    "WHERE opportunity_id = ?1 AND version = ?2";

static void read_handover(arena *a, db_stmt *s, void *row)
{
    handover *h = row;
    h->opportunity_id = sq_column_text(a, s, 0);
    h->version = db_column_int64(s, 1);
    h->commitments = sq_column_text(a, s, 2);
    h->project_lead_id = sq_column_text(a, s, 3);
    h->acknowledged_by = sq_column_text(a, s, 4);
    h->acknowledged_at = sq_column_text(a, s, 5);
    h->created_at = sq_column_text(a, s, 6);
    h->updated_at = sq_column_text(a, s, 7);
}

static void read_handover_listed(arena *a, db_stmt *s, void *row)
{
    handover *h = row;
    read_handover(a, s, row);
    h->deal_name = sq_column_text(a, s, 8);
    h->owner_id = sq_column_text(a, s, 9);
    h->amount = db_column_int64(s, 10);
}

bf_result store_handover_open(store *st, const char *opportunity_id, bf_error *err)
{
    char now[32];
    store_now(now, sizeof(now));
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_HANDOVER_OPEN, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    sq_bind_text(s, 2, now);
    return step_done(c, s, "handover", err);
}

bf_result store_handover_get(store *st, arena *ar, const char *opportunity_id, handover *out,
                             bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_HANDOVER_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        read_handover(ar, s, out);
    else if (rc == DB_DONE)
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "id", "deal %s has no handover",
                    opportunity_id);
    else
        r = sq_db_error(err, c->db, rc, "handover");
    db_reset(s);
    return r;
}

bf_result store_handover_update(store *st, arena *ar, handover *h, int64_t expected, bf_error *err)
{
    char now[32];
    store_now(now, sizeof(now));
    if ((h->updated_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_HANDOVER_UPDATE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, h->opportunity_id);
    db_bind_int64(s, 2, expected);
    sq_bind_text(s, 3, h->commitments);
    sq_bind_text(s, 4, h->project_lead_id);
    sq_bind_text(s, 5, h->acknowledged_by);
    sq_bind_text(s, 6, h->acknowledged_at);
    sq_bind_text(s, 7, h->updated_at);
    int rc = db_step(s);
    int64_t changed = rc == DB_DONE ? db_changes(c->db) : 0;
    db_reset(s);
    if (rc != DB_DONE)
        return sq_constraint_error(err, c, rc, "handover");
    if (changed == 0)
        return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the handover was changed by someone else meanwhile: read it again");
    h->version = expected + 1;
    return BF_OK;
}

/* The handovers waiting of the deals the viewer sees: walked newest first
 * through the partial index of those not acknowledged, each deal checked. */
static bf_result build_waiting(buf *b, const void *ctx)
{
    const viewer *v = ctx;
    bf_result r = sq_append_visibility_with(b, v);
    if (r == BF_OK)
        r = buf_append_str(b, "SELECT " HANDOVER_COLUMNS ", o.name, o.owner_id, o.amount FROM "
                              "handovers h JOIN opportunities o ON o.id = h.opportunity_id "
                              "WHERE h.acknowledged_at IS NULL AND o.status = 'won' AND ");
    if (r == BF_OK)
        r = sq_append_visibility_where(b, &resource_opportunities, "o", v);
    return r == BF_OK ? buf_append_str(b, " ORDER BY h.created_at DESC LIMIT ?1") : r;
}

bf_result store_handover_waiting(store *st, arena *ar, const viewer *v, int limit, handover **out,
                                 size_t *n, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    db_stmt *s;
    r = sq_stmt_get(c,
                    sq_shape_key(K_HANDOVERS, &resource_opportunities, sq_visibility_shape(v), 0),
                    build_waiting, v, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_viewer(s, v);
    db_bind_int64(s, 1, limit < 1 ? 1 : limit > 200 ? 200 : limit);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(handover), read_handover_listed, "handovers", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}
