/* Document templates (migration 22; see store.h). A key's versions by the
 * unique (key, lang, version); the list reads the small table whole. */
#include <string.h>

#include "store/sqlite.h"

#define TEMPLATE_COLUMNS                                                                           \
    "id, key, lang, version, kind, name_zh, name_en, body, created_at, created_by"

static const char SQL_TEMPLATE_INSERT[] =
    "INSERT INTO templates (" TEMPLATE_COLUMNS ") SELECT ?1, ?2, ?3, "
    "COALESCE(MAX(version), 0) + 1, ?5, ?6, ?7, ?8, ?9, ?10 FROM templates "
    "WHERE key = ?2 AND lang = ?3 RETURNING version";
static const char SQL_TEMPLATE_NEWEST[] =
    "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE key = ?1 AND lang = ?2 "
    "ORDER BY version DESC LIMIT 1";
static const char SQL_TEMPLATE_VERSION[] =
    "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE key = ?1 AND lang = ?2 AND version = ?3";
static const char SQL_TEMPLATE_VERSIONS[] =
    "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE key = ?1 AND lang = ?2 "
    "ORDER BY version DESC LIMIT 200";
static const char SQL_TEMPLATE_LIST[] =
    "SELECT " TEMPLATE_COLUMNS " FROM templates t WHERE version = (SELECT MAX(version) FROM "
    "templates n WHERE n.key = t.key AND n.lang = t.lang) ORDER BY key, lang LIMIT 500";

static void read_template(arena *a, db_stmt *s, void *row)
{
    doc_template *t = row;
    t->id = sq_column_text(a, s, 0);
    t->key = sq_column_text(a, s, 1);
    t->lang = sq_column_text(a, s, 2);
    t->version = db_column_int64(s, 3);
    t->kind = sq_column_text(a, s, 4);
    t->name_zh = sq_column_text(a, s, 5);
    t->name_en = sq_column_text(a, s, 6);
    t->body = sq_column_text(a, s, 7);
    t->created_at = sq_column_text(a, s, 8);
    t->created_by = sq_column_text(a, s, 9);
}

static bf_result template_insert_in_tx(store *st, arena *ar, doc_template *t, bf_error *err)
{
    char now[32];
    store_now(now, sizeof(now));
    if ((t->id = sq_new_id(ar, "tpl")) == NULL || (t->created_at = arena_strdup(ar, now)) == NULL)
        return BF_ERR_NOMEM;
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_TEMPLATE_INSERT, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, t->id);
    sq_bind_text(s, 2, t->key);
    sq_bind_text(s, 3, t->lang);
    sq_bind_text(s, 5, t->kind);
    sq_bind_text(s, 6, t->name_zh);
    sq_bind_text(s, 7, t->name_en);
    sq_bind_text(s, 8, t->body);
    sq_bind_text(s, 9, t->created_at);
    sq_bind_text(s, 10, t->created_by);
    int rc = db_step(s);
    if (rc == DB_ROW)
        t->version = db_column_int64(s, 0);
    db_reset(s);
    return rc == DB_ROW ? BF_OK : sq_constraint_error(err, c, rc, "template");
}

bf_result store_template_insert(store *st, arena *ar, doc_template *t, bf_error *err)
{
    IN_TRANSACTION(st, err, template_insert_in_tx(st, ar, t, err));
}

bf_result store_template_get(store *st, arena *ar, const char *key, const char *lang,
                             int64_t version, doc_template *out, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r =
        sq_prepare(st, version > 0 ? SQL_TEMPLATE_VERSION : SQL_TEMPLATE_NEWEST, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, key);
    sq_bind_text(s, 2, lang);
    if (version > 0)
        db_bind_int64(s, 3, version);
    int rc = db_step(s);
    if (rc == DB_ROW)
        read_template(ar, s, out);
    else if (rc == DB_DONE)
        r = bf_fail(err, BF_ERR_NOT_FOUND, "not_found", "key", "no template %s (%s)", key, lang);
    else
        r = sq_db_error(err, c->db, rc, "template");
    db_reset(s);
    return r;
}

bf_result store_template_list(store *st, arena *ar, doc_template **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_TEMPLATE_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(doc_template), read_template, "templates", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}

bf_result store_template_versions(store *st, arena *ar, const char *key, const char *lang,
                                  doc_template **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_TEMPLATE_VERSIONS, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, key);
    sq_bind_text(s, 2, lang);
    void *rows = NULL;
    if ((r = sq_collect(c, s, ar, sizeof(doc_template), read_template, "templates", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}
