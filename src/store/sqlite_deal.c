/* The store's deal state beside the records: stage history, checklists,
 * playbooks, forms and settings (see store.h). */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite.h"

/* ---- stage history ------------------------------------------------------------ */

static const char SQL_STAGE_INSERT[] =
    "INSERT INTO stage_changes (id, opportunity_id, kind, playbook, from_stage, to_stage, "
    "from_probability, to_probability, changed_at, changed_by, reason, checklist) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

/* The deal's latest stage change moves on to the one appended (what the
 * trigger stage_changes_latest did before migration 11). A deal's first
 * change, made with it, leaves the row as it is: the deal was written with
 * stage_changed_at already (see store_record_insert). */
static const char SQL_STAGE_LATEST[] =
    "UPDATE opportunities SET stage_changed_at = ?2 WHERE id = ?1 "
    "AND (stage_changed_at IS NULL OR stage_changed_at < ?2)";

/* Oldest first; changes of one millisecond come with the deal's creation
 * first, then by id. */
static const char SQL_STAGE_LIST[] =
    "SELECT id, opportunity_id, kind, playbook, from_stage, to_stage, from_probability, "
    "to_probability, changed_at, changed_by, reason, checklist FROM stage_changes "
    "WHERE opportunity_id = ?1 ORDER BY changed_at, CASE WHEN kind = 'create' THEN 0 ELSE 1 END, "
    "id";

static bf_result stage_append_in_tx(store *st, arena *a, stage_change *ch, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    if (ch->id == NULL && (ch->id = sq_new_id(a, "stg")) == NULL)
        return BF_ERR_NOMEM;
    if (ch->changed_at == NULL && (ch->changed_at = arena_strdup(a, now)) == NULL)
        return BF_ERR_NOMEM;
    db_stmt *s;
    if ((r = sq_stmt_static(c, SQL_STAGE_INSERT, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, ch->id);
    sq_bind_text(s, 2, ch->opportunity_id);
    sq_bind_text(s, 3, ch->kind);
    sq_bind_text(s, 4, ch->playbook);
    sq_bind_text(s, 5, ch->from_stage);
    sq_bind_text(s, 6, ch->to_stage);
    if (ch->from_stage)
        db_bind_int64(s, 7, ch->from_probability);
    db_bind_int64(s, 8, ch->to_probability);
    sq_bind_text(s, 9, ch->changed_at);
    sq_bind_text(s, 10, ch->changed_by);
    sq_bind_text(s, 11, ch->reason);
    sq_bind_text(s, 12, ch->checklist);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return sq_constraint_error(err, c, rc, "stage history");
    if ((r = sq_flow_add_change(c, ch, err)) != BF_OK)
        return r;
    if ((r = sq_stmt_static(c, SQL_STAGE_LATEST, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, ch->opportunity_id);
    sq_bind_text(s, 2, ch->changed_at);
    rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "stage history");
}

bf_result store_stage_change_append(store *st, arena *a, stage_change *ch, bf_error *err)
{
    IN_TRANSACTION(st, err, stage_append_in_tx(st, a, ch, err));
}

static void read_stage_change(arena *a, db_stmt *s, void *row)
{
    stage_change *ch = row;
    ch->id = sq_column_text(a, s, 0);
    ch->opportunity_id = sq_column_text(a, s, 1);
    ch->kind = sq_column_text(a, s, 2);
    ch->playbook = sq_column_text(a, s, 3);
    ch->from_stage = sq_column_text(a, s, 4);
    ch->to_stage = sq_column_text(a, s, 5);
    ch->from_probability = db_column_int(s, 6);
    ch->to_probability = db_column_int(s, 7);
    ch->changed_at = sq_column_text(a, s, 8);
    ch->changed_by = sq_column_text(a, s, 9);
    ch->reason = sq_column_text(a, s, 10);
    ch->checklist = sq_column_text(a, s, 11);
}

bf_result store_stage_history(store *st, arena *a, const char *opportunity_id, stage_change **out,
                              size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_STAGE_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(stage_change), read_stage_change, "stage history", &rows, n,
                        err)) == BF_OK)
        *out = rows;
    return r;
}

/* ---- checklist ------------------------------------------------------------------ */

static const char SQL_CHECKLIST_GET[] =
    "SELECT item_id, done, evidence, updated_by, updated_at, activity_id, document "
    "FROM checklist_items WHERE opportunity_id = ?1 AND stage = ?2";

static const char SQL_CHECKLIST_PUT[] =
    "INSERT INTO checklist_items (opportunity_id, stage, item_id, done, evidence, updated_by, "
    "updated_at, activity_id, document) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT (opportunity_id, stage, item_id) DO UPDATE SET done = excluded.done, "
    "evidence = excluded.evidence, updated_by = excluded.updated_by, "
    "updated_at = excluded.updated_at, activity_id = excluded.activity_id, "
    "document = excluded.document";

static void read_checklist_state(arena *a, db_stmt *s, void *row)
{
    checklist_state *it = row;
    it->item_id = sq_column_text(a, s, 0);
    it->done = db_column_int(s, 1) != 0;
    it->evidence = sq_column_text(a, s, 2);
    it->done_by = sq_column_text(a, s, 3);
    it->done_at = sq_column_text(a, s, 4);
    it->activity_id = sq_column_text(a, s, 5);
    it->document = sq_column_text(a, s, 6);
}

bf_result store_checklist_get(store *st, arena *a, const char *opportunity_id, const char *stage,
                              checklist_state **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_CHECKLIST_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    sq_bind_text(s, 2, stage);
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(checklist_state), read_checklist_state, "checklist", &rows,
                        n, err)) == BF_OK)
        *out = rows;
    return r;
}

static bf_result checklist_put_in_tx(store *st, const char *opportunity_id, const char *stage,
                                     const checklist_state *item, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    db_stmt *s;
    if ((r = sq_stmt_static(c, SQL_CHECKLIST_PUT, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    sq_bind_text(s, 2, stage);
    sq_bind_text(s, 3, item->item_id);
    db_bind_int64(s, 4, item->done ? 1 : 0);
    sq_bind_text(s, 5, item->evidence);
    sq_bind_text(s, 6, item->done_by);
    sq_bind_text(s, 7, item->done_at ? item->done_at : now);
    sq_bind_text(s, 8, item->activity_id);
    sq_bind_text(s, 9, item->document);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_constraint_error(err, c, rc, "checklist");
}

bf_result store_checklist_put(store *st, const char *opportunity_id, const char *stage,
                              const checklist_state *item, bf_error *err)
{
    IN_TRANSACTION(st, err, checklist_put_in_tx(st, opportunity_id, stage, item, err));
}

/* ---- playbooks ------------------------------------------------------------------- */

static const char SQL_PLAYBOOK_PUT[] =
    "INSERT INTO playbooks (id, version, doc, imported_at, imported_by) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id, version) DO NOTHING";

/* The playbooks' generation: a number kept in the settings row below, one
 * more with every playbook document stored, in the same transaction. A
 * database whose playbooks were stored before it was kept has no row: 0. */
#define PLAYBOOK_GENERATION_KEY "'playbooks.generation'"

static const char SQL_PLAYBOOK_BUMP[] =
    "INSERT INTO settings (key, data, updated_at, updated_by) "
    "VALUES (" PLAYBOOK_GENERATION_KEY ", '1', ?1, ?2) ON CONFLICT (key) DO UPDATE SET "
    "data = CAST(CAST(settings.data AS BIGINT) + 1 AS TEXT), updated_at = excluded.updated_at, "
    "updated_by = excluded.updated_by";

static const char SQL_PLAYBOOK_GENERATION[] =
    "SELECT CAST(data AS BIGINT) FROM settings WHERE key = " PLAYBOOK_GENERATION_KEY;

static const char SQL_PLAYBOOK_LIST[] =
    "SELECT id, version, doc FROM playbooks ORDER BY id, version";

static bf_result playbook_put_in_tx(store *st, const char *id, int version, const char *doc,
                                    const char *by, bool *inserted, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_PLAYBOOK_PUT, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, id);
    db_bind_int64(s, 2, version);
    sq_bind_text(s, 3, doc);
    sq_bind_text(s, 4, now);
    sq_bind_text(s, 5, by);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return sq_db_error(err, c->db, rc, "playbook");
    *inserted = db_changes(c->db) > 0;
    if (!*inserted)
        return BF_OK;
    if ((r = sq_stmt_static(c, SQL_PLAYBOOK_BUMP, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, now);
    sq_bind_text(s, 2, by);
    rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "playbook generation");
}

bf_result store_playbook_put(store *st, const char *id, int version, const char *doc,
                             const char *by, bool *inserted, bf_error *err)
{
    IN_TRANSACTION(st, err, playbook_put_in_tx(st, id, version, doc, by, inserted, err));
}

bf_result store_playbook_generation(store *st, int64_t *generation, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_PLAYBOOK_GENERATION, &c, &s, err);
    if (r != BF_OK)
        return r;
    int rc = db_step(s);
    *generation = rc == DB_ROW ? db_column_int64(s, 0) : 0;
    db_reset(s);
    return rc == DB_ROW || rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "playbooks");
}

static void read_stored_playbook(arena *a, db_stmt *s, void *row)
{
    stored_playbook *p = row;
    p->id = sq_column_text(a, s, 0);
    p->version = db_column_int(s, 1);
    p->doc = sq_column_text(a, s, 2);
}

bf_result store_playbook_list(store *st, arena *a, stored_playbook **out, size_t *n, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_PLAYBOOK_LIST, &c, &s, err);
    if (r != BF_OK)
        return r;
    void *rows = NULL;
    if ((r = sq_collect(c, s, a, sizeof(stored_playbook), read_stored_playbook, "playbooks", &rows,
                        n, err)) == BF_OK)
        *out = rows;
    return r;
}

/* ---- opportunities from before playbook versions ---------------------------------- */

/* Read through opportunities_unpinned, an index of the unpinned deals only
 * (migration 8): the same at every start, whatever the number of deals. */
static const char SQL_PIN_VERSION[] =
    "UPDATE opportunities SET playbook_version = ?2 WHERE playbook = ?1 AND playbook_version IS "
    "NULL";

static bf_result store_opportunity_pin_playbook_version_in_tx(store *st, const char *playbook_id,
                                                              int version, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_PIN_VERSION, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, playbook_id);
    db_bind_int64(s, 2, version);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "pin playbook version");
}

bf_result store_opportunity_pin_playbook_version(store *st, const char *playbook_id, int version,
                                                 bf_error *err)
{
    IN_TRANSACTION(st, err,
                   store_opportunity_pin_playbook_version_in_tx(st, playbook_id, version, err));
}

/* ---- forms and settings ------------------------------------------------------------ */

static const char SQL_FORM_GET[] = "SELECT data, version, updated_at, updated_by FROM forms "
                                   "WHERE owner_kind = ?1 AND owner_id = ?2 AND form = ?3";

static const char SQL_FORM_INSERT[] =
    "INSERT INTO forms (owner_kind, owner_id, form, data, version, updated_at, updated_by) "
    "VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6) ON CONFLICT DO NOTHING";

static const char SQL_FORM_UPDATE[] =
    "UPDATE forms SET data = ?4, version = version + 1, updated_at = ?5, updated_by = ?6 "
    "WHERE owner_kind = ?1 AND owner_id = ?2 AND form = ?3 AND (version = ?7 OR ?7 < 0)";

static const char SQL_SETTING_GET[] = "SELECT data FROM settings WHERE key = ?1";

static const char SQL_SETTING_PUT[] =
    "INSERT INTO settings (key, data, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, "
    "updated_by = excluded.updated_by";

bf_result store_form_get(store *st, arena *a, const char *owner_kind, const char *owner_id,
                         const char *form, stored_form *out, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_FORM_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, owner_kind);
    sq_bind_text(s, 2, owner_id);
    sq_bind_text(s, 3, form);
    memset(out, 0, sizeof(*out));
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->data = sq_column_text(a, s, 0);
        out->version = db_column_int64(s, 1);
        out->updated_at = sq_column_text(a, s, 2);
        out->updated_by = sq_column_text(a, s, 3);
    } else if (rc != DB_DONE) {
        r = sq_db_error(err, c->db, rc, "form");
    }
    db_reset(s);
    return r;
}

static bf_result form_put_in_tx(store *st, const char *owner_kind, const char *owner_id,
                                const char *form, const char *data, int64_t expected,
                                const char *by, int64_t *version, bf_error *err)
{
    conn *c;
    bf_result r = sq_conn(st, &c, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    db_stmt *s;
    bool inserted = false;
    if (expected <= 0) {
        if ((r = sq_stmt_static(c, SQL_FORM_INSERT, &s, err)) != BF_OK)
            return r;
        sq_bind_text(s, 1, owner_kind);
        sq_bind_text(s, 2, owner_id);
        sq_bind_text(s, 3, form);
        sq_bind_text(s, 4, data);
        sq_bind_text(s, 5, now);
        sq_bind_text(s, 6, by);
        int rc = db_step(s);
        db_reset(s);
        if (rc != DB_DONE)
            return sq_db_error(err, c->db, rc, "form");
        inserted = db_changes(c->db) > 0;
        if (inserted) {
            *version = 1;
            return BF_OK;
        }
        if (expected == 0)
            return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                           "the form was saved by someone else meanwhile; reload it");
    }
    if ((r = sq_stmt_static(c, SQL_FORM_UPDATE, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, owner_kind);
    sq_bind_text(s, 2, owner_id);
    sq_bind_text(s, 3, form);
    sq_bind_text(s, 4, data);
    sq_bind_text(s, 5, now);
    sq_bind_text(s, 6, by);
    db_bind_int64(s, 7, expected);
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return sq_db_error(err, c->db, rc, "form");
    if (db_changes(c->db) == 0)
        return bf_fail(err, BF_ERR_STALE, "version_mismatch", NULL,
                       "the form was changed by someone else: version %lld is not current",
                       (long long)expected);
    if ((r = sq_stmt_static(c, SQL_FORM_GET, &s, err)) != BF_OK)
        return r;
    sq_bind_text(s, 1, owner_kind);
    sq_bind_text(s, 2, owner_id);
    sq_bind_text(s, 3, form);
    rc = db_step(s);
    *version = rc == DB_ROW ? db_column_int64(s, 1) : 0;
    db_reset(s);
    return BF_OK;
}

bf_result store_form_put(store *st, const char *owner_kind, const char *owner_id, const char *form,
                         const char *data, int64_t expected_version, const char *by,
                         int64_t *version, bf_error *err)
{
    IN_TRANSACTION(
        st, err,
        form_put_in_tx(st, owner_kind, owner_id, form, data, expected_version, by, version, err));
}

bf_result store_setting_get(store *st, arena *a, const char *key, const char **data, bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_SETTING_GET, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, key);
    *data = NULL;
    int rc = db_step(s);
    if (rc == DB_ROW)
        *data = sq_column_text(a, s, 0);
    else if (rc != DB_DONE)
        r = sq_db_error(err, c->db, rc, "setting");
    db_reset(s);
    return r;
}

static bf_result setting_put_in_tx(store *st, const char *key, const char *data, const char *by,
                                   bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_SETTING_PUT, &c, &s, err);
    if (r != BF_OK)
        return r;
    char now[32];
    store_now(now, sizeof(now));
    sq_bind_text(s, 1, key);
    sq_bind_text(s, 2, data);
    sq_bind_text(s, 3, now);
    sq_bind_text(s, 4, by);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "setting");
}

bf_result store_setting_put(store *st, const char *key, const char *data, const char *by,
                            bf_error *err)
{
    IN_TRANSACTION(st, err, setting_put_in_tx(st, key, data, by, err));
}

static const char SQL_MANT_COMPLETE[] =
    "UPDATE opportunities SET mant_complete = ?2, in_funnel = ?3 "
    "WHERE id = ?1 AND (mant_complete != ?2 OR in_funnel != ?3)";

static bf_result store_opportunity_set_mant_complete_in_tx(store *st, const char *opportunity_id,
                                                           bool complete, bool in_funnel,
                                                           bf_error *err)
{
    conn *c;
    db_stmt *s;
    bf_result r = sq_prepare(st, SQL_MANT_COMPLETE, &c, &s, err);
    if (r != BF_OK)
        return r;
    sq_bind_text(s, 1, opportunity_id);
    db_bind_int64(s, 2, complete ? 1 : 0);
    db_bind_int64(s, 3, in_funnel ? 1 : 0);
    int rc = db_step(s);
    db_reset(s);
    return rc == DB_DONE ? BF_OK : sq_db_error(err, c->db, rc, "mant");
}

bf_result store_opportunity_set_mant_complete(store *st, const char *opportunity_id, bool complete,
                                              bool in_funnel, bf_error *err)
{
    IN_TRANSACTION(
        st, err,
        store_opportunity_set_mant_complete_in_tx(st, opportunity_id, complete, in_funnel, err));
}
