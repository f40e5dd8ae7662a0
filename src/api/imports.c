/* Spreadsheet import (导入, docs/import.md "Spreadsheets"): accounts,
 * contacts, deals, activities and the price list from an XLSX workbook or a
 * CSV file, its columns those of core/import_sheet.c. Every row goes through
 * the create path of its resource, as the importing user, in one
 * transaction: a dry run reports every row's errors (row, column, why) and
 * the duplicates it found, then rolls everything back; a commit writes all
 * rows or, when any has an error, none. A row's owner and its creation time
 * in the old system are kept. Duplicates (撞单) of accounts and of deals are
 * skipped, merged (accounts) or created anyway, as the import or the row
 * decides. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/dedupe.h"
#include "core/import_sheet.h"
#include "core/sheet.h"
#include "http/response.h"

/* What one import does and has found. */
typedef struct importer {
    api_call *call;
    const import_sheet_spec *sheet;
    const api_route *create;
    const sheet_table *t;
    const import_column **cols; /* per column of the table: its column, or NULL */
    bool dry_run;
    const char *duplicates; /* the action for a duplicate no decision names */
    json_t *decisions;      /* {"<row>": "skip" | "merge" | "create"} */
    bool may_backdate;      /* whether the importer may keep creation times */
    json_t *errors, *found; /* the report's errors and duplicates */
    size_t rows, created, merged, skipped;
} importer;

static const char *const actions[] = {"skip", "merge", "create", NULL};

static bool is_action(const char *s)
{
    for (size_t i = 0; actions[i]; i++)
        if (strcmp(s, actions[i]) == 0)
            return true;
    return false;
}

/* ---- the report ----------------------------------------------------------------- */

/* Adds the error e of row (the sheet's number, from 1) at table column c
 * (-1: the whole row): its code, its field, the column's header and the
 * message in the request's language. */
static bf_result report(importer *im, size_t row, long c, const bf_error *e)
{
    char letters[8] = "";
    const import_column *col = c >= 0 ? im->cols[c] : NULL;
    if (c >= 0)
        import_column_letters((size_t)c, letters);
    http_request *req = im->call->req;
    bool en = strcmp(api_lang(im->call), "en") == 0;
    json_t *o =
        json_pack("{s:I, s:s?, s:s?, s:s?, s:s, s:s}", "row", (json_int_t)row, "column",
                  c >= 0 ? letters : NULL, "header", col ? (en ? col->en : col->zh) : NULL, "field",
                  e->field[0] ? e->field : NULL, "code", e->code[0] ? e->code : "invalid",
                  "message", http_error_text(req, im->sheet->resource, e));
    return o && json_array_append_new(im->errors, o) == 0 ? BF_OK : BF_ERR_NOMEM;
}

/* The table column of field, or -1. */
static long column_of_field(const importer *im, const char *field)
{
    for (size_t c = 0; field && c < im->t->cols; c++)
        if (im->cols[c] && im->cols[c]->field && strcmp(im->cols[c]->field, field) == 0)
            return (long)c;
    return -1;
}

/* Reports the call's error for row, at the column of its field. */
static bf_result report_call_error(importer *im, size_t row)
{
    const bf_error *e = &im->call->err;
    return report(im, row, column_of_field(im, e->field[0] ? e->field : NULL), e);
}

/* ---- the header ----------------------------------------------------------------- */

/* Maps the header row to columns: an unknown or repeated header, or a required
 * column missing, is an error of row 1. */
static bf_result read_header(importer *im)
{
    const sheet_table *t = im->t;
    bf_result r = BF_OK;
    if ((im->cols = arena_calloc(im->call->arena, t->cols ? t->cols : 1, sizeof(*im->cols))) ==
        NULL)
        return BF_ERR_NOMEM;
    bf_error e;
    for (size_t c = 0; c < t->cols && r == BF_OK; c++) {
        const char *h = sheet_at(t, 0, c)->text;
        if (h == NULL)
            continue;
        const import_column *col = import_column_by_header(im->sheet, h);
        for (size_t k = 0; col && k < c; k++)
            if (im->cols[k] == col) {
                bf_fail(&e, BF_ERR_INVALID, "duplicate_column", col->field,
                        "this column is there twice");
                return report(im, 1, (long)c, &e);
            }
        if (col == NULL) {
            bf_fail_args(&e, BF_ERR_INVALID, "unknown_column", NULL, BF_ARGS(BF_TEXT("name", h)),
                         "no column is named %s", h);
            r = report(im, 1, (long)c, &e);
        }
        im->cols[c] = col;
    }
    for (size_t i = 0; i < im->sheet->ncolumns && r == BF_OK; i++) {
        const import_column *col = &im->sheet->columns[i];
        bool there = false;
        for (size_t c = 0; c < t->cols; c++)
            there = there || im->cols[c] == col;
        if (col->required && !there) {
            bf_fail(&e, BF_ERR_INVALID, "missing_column", col->field, "the column %s is required",
                    col->en);
            r = report(im, 1, -1, &e);
        }
    }
    return r;
}

/* ---- a row ---------------------------------------------------------------------- */

/* The one of the matches d (n of them, of spec) the caller sees: *id, or
 * NULL with *seen how many they see (0, or 2 for more than one). */
static bf_result one_seen(importer *im, const resource_spec *spec, const store_duplicate *d,
                          size_t n, const char **id, size_t *seen)
{
    api_call *call = im->call;
    bf_result r = BF_OK;
    *id = NULL;
    *seen = 0;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        bool visible = false;
        r = store_record_visible(call->app->store, call->who, spec, d[i].id, &visible, &call->err);
        if (visible && (*seen)++ == 0)
            *id = d[i].id;
    }
    if (*seen > 1)
        *id = NULL;
    return r;
}

/* The id of the account the caller sees whose name key is that of name;
 * else *seen is how many they see (0, or 2 for more than one). */
static bf_result find_account(importer *im, const char *name, const char **id, size_t *seen)
{
    api_call *call = im->call;
    char *key = dedupe_name_key(call->arena, name);
    if (key == NULL)
        return BF_ERR_NOMEM;
    store_duplicate *d;
    size_t n;
    *seen = 0;
    bf_result r = store_account_duplicates(call->app->store, call->arena, key, NULL, NULL, &d, &n,
                                           &call->err);
    return r == BF_OK ? one_seen(im, &resource_accounts, d, n, id, seen) : r;
}

/* The id of the deal of account the caller sees named so; else *seen as
 * find_account's. */
static bf_result find_deal(importer *im, const char *account, const char *name, const char **id,
                           size_t *seen)
{
    api_call *call = im->call;
    char *key = dedupe_name_key(call->arena, name);
    if (key == NULL)
        return BF_ERR_NOMEM;
    store_duplicate *d;
    size_t n;
    *seen = 0;
    bf_result r = store_deal_duplicates(call->app->store, call->arena, account, key, NULL, &d, &n,
                                        &call->err);
    return r == BF_OK ? one_seen(im, &resource_opportunities, d, n, id, seen) : r;
}

/* Fills why for a name (of field) that names no record the caller sees
 * (seen 0) or more than one (what: "account", "deal", "user"). */
static void not_one(bf_error *why, const char *field, const char *name, size_t seen,
                    const char *what)
{
    if (seen == 0)
        bf_fail_args(why, BF_ERR_INVALID, "unknown_reference", field,
                     BF_ARGS(BF_TEXT("name", name)), "no %s you can see is named %s", what, name);
    else
        bf_fail_args(why, BF_ERR_INVALID, "ambiguous_reference", field,
                     BF_ARGS(BF_TEXT("name", name)), "more than one %s is named %s", what, name);
}

/* A stage named by its name (in either language) in the deal's playbook
 * becomes its id; an id is kept. */
static void stage_by_name(importer *im, json_t *body)
{
    json_t *stage = json_object_get(body, "stage");
    if (!json_is_string(stage))
        return;
    json_t *pbv = json_object_get(body, "playbook");
    const playbook *pb = playbook_set_find(
        im->call->app->playbooks, json_is_string(pbv) ? json_string_value(pbv) : "ruijie-6");
    const char *s = json_string_value(stage);
    for (size_t i = 0; pb && i < pb->nstages; i++) {
        const stage_def *st = &pb->stages[i];
        if ((st->name.zh && strcmp(st->name.zh, s) == 0) ||
            (st->name.en && strcasecmp(st->name.en, s) == 0)) {
            json_object_set_new(body, "stage", json_string(st->id));
            return;
        }
    }
}

/* Puts the value v of column col (table column c) of row r into body: a
 * customer, a user or a creation time looked up first (a deal waits for its
 * customer: *deal_name). Errors reported, *ok false then. */
static bf_result cell_into_body(importer *im, size_t r, size_t c, json_t *v, json_t *body,
                                const char **created, const char **deal_name, bool *ok)
{
    api_call *call = im->call;
    const import_column *col = im->cols[c];
    const char *text = json_string_value(v);
    const char *id = NULL;
    size_t n = 0;
    bf_error why;
    bf_result res = BF_OK;
    switch (col->kind) {
    case IMPORT_ACCOUNT:
        if ((res = find_account(im, text, &id, &n)) == BF_OK && id == NULL)
            not_one(&why, col->field, text, n, "account");
        break;
    case IMPORT_DEAL:
        *deal_name = text;
        return BF_OK;
    case IMPORT_USER:
        res = store_user_named(call->app->store, call->arena, text, &id, &n, &call->err);
        if (res == BF_OK && n != 1) {
            not_one(&why, col->field, text, n, "active user");
            id = NULL;
        }
        break;
    case IMPORT_CREATED:
        if (im->may_backdate) {
            *created = text;
            return BF_OK;
        }
        bf_fail(&why, BF_ERR_FORBIDDEN, "forbidden", "created_at",
                "only admins and managers import creation times");
        break;
    default:
        return json_object_set(body, col->field, v) == 0 ? BF_OK : BF_ERR_NOMEM;
    }
    if (res != BF_OK)
        return res;
    if (id != NULL)
        return json_object_set_new(body, col->field, json_string(id)) == 0 ? BF_OK : BF_ERR_NOMEM;
    *ok = false;
    return report(im, r + 1, (long)c, &why);
}

/* The deal of the row's customer named deal_name, into body. */
static bf_result deal_into_body(importer *im, size_t r, const char *deal_name, json_t *body,
                                bool *ok)
{
    json_t *account = json_object_get(body, "account_id");
    const char *id = NULL;
    bf_error why;
    bf_result res = BF_OK;
    size_t seen = 0;
    if (!json_is_string(account))
        bf_fail(&why, BF_ERR_INVALID, "needs_account", "opportunity_id",
                "a deal is named with its account (the column Account name)");
    else if ((res = find_deal(im, json_string_value(account), deal_name, &id, &seen)) == BF_OK &&
             id == NULL)
        not_one(&why, "opportunity_id", deal_name, seen, "deal of the account");
    if (res != BF_OK)
        return res;
    if (id != NULL)
        return json_object_set_new(body, "opportunity_id", json_string(id)) == 0 ? BF_OK
                                                                                 : BF_ERR_NOMEM;
    if (!*ok)
        return BF_OK; /* the customer's own error says enough */
    *ok = false;
    return report(im, r + 1, column_of_field(im, "opportunity_id"), &why);
}

/* Builds row r's body from its cells (errors reported, *ok false then);
 * *created gets the kept creation time, or NULL. */
static bf_result row_body(importer *im, size_t r, json_t *body, const char **created, bool *ok)
{
    api_call *call = im->call;
    *created = NULL;
    *ok = true;
    const char *deal_name = NULL;
    bf_result res = BF_OK;
    for (size_t c = 0; c < im->t->cols && res == BF_OK; c++) {
        const import_column *col = im->cols[c];
        if (col == NULL)
            continue;
        json_t *v = NULL;
        bf_error err = {0};
        res = import_cell_value(call->arena, im->sheet, col, sheet_at(im->t, r, c), &v, &err);
        if (res == BF_ERR_INVALID) {
            *ok = false;
            res = report(im, r + 1, (long)c, &err);
        } else if (res == BF_OK && v == NULL && col->required) {
            *ok = false;
            bf_fail(&err, BF_ERR_INVALID, "required", col->field, "this cell is required");
            res = report(im, r + 1, (long)c, &err);
        } else if (res == BF_OK && v != NULL && api_keep(call, v) != NULL)
            res = cell_into_body(im, r, c, v, body, created, &deal_name, ok);
    }
    if (res == BF_OK && deal_name != NULL)
        res = deal_into_body(im, r, deal_name, body, ok);
    if (res == BF_OK && im->sheet->spec == &resource_opportunities)
        stage_by_name(im, body);
    return res;
}

/* The decision for a duplicate of row (the sheet's number). */
static const char *decision(const importer *im, size_t row)
{
    char key[24];
    snprintf(key, sizeof(key), "%zu", row);
    const char *d = json_string_value(json_object_get(im->decisions, key));
    return d ? d : im->duplicates;
}

/* Merges the row into the account it duplicates: its filled cells, but its
 * name and owner, change that account. */
static bf_result merge_row(importer *im, size_t r, json_t *body, json_t *warning, bool *done)
{
    api_call *call = im->call;
    *done = false;
    json_t *m = json_array_get(json_object_get(warning, "matches"), 0);
    const char *id = json_string_value(json_object_get(m, "id"));
    bf_error why;
    if (im->sheet->spec != &resource_accounts) {
        bf_fail_args(&why, BF_ERR_INVALID, "cannot_merge", "name",
                     BF_ARGS(BF_PHRASE("why", "only_accounts_merge")),
                     "only accounts are merged: skip the row or create it");
        return report(im, r + 1, -1, &why);
    }
    if (id == NULL || !access_may_write(call->who->role, &resource_accounts, ACCESS_UPDATE)) {
        bf_fail_args(&why, BF_ERR_INVALID, "cannot_merge", "name",
                     BF_ARGS(BF_PHRASE("why", "not_yours_to_merge")),
                     "the account it duplicates is one you may not change");
        return report(im, r + 1, column_of_field(im, "name"), &why);
    }
    json_object_del(body, "name");
    json_object_del(body, "owner_id");
    record *rec;
    bf_result res =
        json_object_size(body) ? api_patch_record(call, &resource_accounts, id, body, &rec) : BF_OK;
    if (res == BF_OK)
        *done = true;
    return res;
}

/* Imports row r (0-based in the table) under a savepoint. */
static bf_result import_row(importer *im, size_t r)
{
    api_call *call = im->call;
    store *st = call->app->store;
    json_t *body = api_keep(call, json_object());
    if (body == NULL)
        return BF_ERR_NOMEM;
    const char *created;
    bool ok;
    bf_result res = row_body(im, r, body, &created, &ok);
    if (res != BF_OK || !ok)
        return res;
    size_t row = r + 1;
    json_t *warning = NULL;
    if (im->sheet->spec == &resource_accounts || im->sheet->spec == &resource_opportunities) {
        json_t *name = json_object_get(body, "name");
        res = api_duplicates_find(call, im->sheet->spec, json_string_value(name),
                                  json_string_value(json_object_get(body, "credit_code")),
                                  json_string_value(json_object_get(body, "account_id")), NULL,
                                  &warning);
        if (res != BF_OK)
            return res;
    }
    const char *action = warning ? decision(im, row) : "create";
    if (warning) {
        json_t *d =
            json_pack("{s:I, s:s, s:O, s:O, s:O}", "row", (json_int_t)row, "action", action, "code",
                      json_object_get(warning, "code"), "text", json_object_get(warning, "text"),
                      "matches", json_object_get(warning, "matches"));
        if (d == NULL || json_array_append_new(im->found, d) != 0)
            return BF_ERR_NOMEM;
    }
    if (strcmp(action, "skip") == 0) {
        im->skipped++;
        return BF_OK;
    }
    /* Each row under a savepoint where a failed statement would spoil the
     * rows after it. Elsewhere what a failed row half wrote is rolled back
     * with the rest: an import with an error is never committed. */
    bool sp = store_failure_spoils_transaction(st);
    if (sp && (res = store_savepoint(st, &call->err)) != BF_OK)
        return res;
    bool merged = false;
    record *rec = NULL;
    if (strcmp(action, "merge") == 0)
        res = merge_row(im, r, body, warning, &merged);
    else if ((res = api_create_check(call, im->create, body, &rec)) == BF_OK) {
        rec->created_as = created;
        res = api_create_write(call, im->create, rec);
    }
    if (res == BF_OK) {
        if (strcmp(action, "merge") != 0)
            im->created++;
        else if (merged)
            im->merged++;
        return sp ? store_savepoint_release(st, &call->err) : BF_OK;
    }
    if (api_status(res) >= 500)
        return res;
    bf_result e = report_call_error(im, row);
    bf_error_clear(&call->err);
    res = sp ? store_savepoint_rollback(st, &call->err) : BF_OK;
    return res == BF_OK ? e : res;
}

/* Imports every row, each in an arena of its own. */
static bf_result import_rows(importer *im)
{
    api_call *call = im->call;
    arena *request = call->arena;
    bf_result r = BF_OK;
    for (size_t row = 1; row < im->t->rows && r == BF_OK; row++) {
        bool blank = true;
        for (size_t c = 0; c < im->t->cols && blank; c++) {
            const sheet_cell *cell = sheet_at(im->t, row, c);
            blank = !cell->is_number && (cell->text == NULL || cell->text[0] == '\0');
        }
        if (blank)
            continue;
        im->rows++;
        arena *a = arena_new(16 * 1024);
        if (a == NULL)
            return BF_ERR_NOMEM;
        call->arena = a;
        call->warnings = NULL;
        call->mant = NULL;
        call->duplicates_asked = true; /* import_row asks, and reports them */
        r = import_row(im, row);
        call->duplicates_asked = false;
        call->arena = request;
        call->warnings = NULL;
        call->mant = NULL;
        arena_free(a);
    }
    return r;
}

/* ---- the routes ----------------------------------------------------------------- */

static bf_result sheet_asked(api_call *call, const import_sheet_spec **out)
{
    *out = import_sheet_find(call->req->params[0]);
    if (*out == NULL)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", NULL,
                       "%s cannot be imported: accounts, contacts, opportunities, activities or "
                       "products",
                       call->req->params[0]);
    return BF_OK;
}

static bf_result options(api_call *call, importer *im)
{
    const char *dry = http_query(call->req, "dry_run");
    im->dry_run = dry && (strcmp(dry, "1") == 0 || strcmp(dry, "true") == 0);
    if (dry && !im->dry_run && strcmp(dry, "0") != 0 && strcmp(dry, "false") != 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "dry_run",
                       "dry_run is true or false");
    im->duplicates = http_query(call->req, "duplicates");
    if (im->duplicates == NULL)
        im->duplicates = "skip";
    if (!is_action(im->duplicates))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "duplicates",
                       "duplicates is skip, merge or create");
    im->decisions = api_keep(call, json_object());
    const char *d = http_query(call->req, "decisions");
    /* "3:merge,7:create": the sheet's row number, then the action. */
    for (const char *p = d; p && *p && im->decisions;) {
        char *end;
        unsigned long row = strtoul(p, &end, 10);
        size_t n = strcspn(end, ",");
        char action[16];
        if (end == p || *end != ':' || n - 1 >= sizeof(action) || row < 2)
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "decisions",
                           "decisions is a list of ROW:ACTION, e.g. 3:merge,7:create");
        memcpy(action, end + 1, n - 1);
        action[n - 1] = '\0';
        if (!is_action(action))
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "decisions",
                           "a decision is skip, merge or create");
        char key[24];
        snprintf(key, sizeof(key), "%lu", row);
        json_object_set_new(im->decisions, key, json_string(action));
        p = end + n;
        if (*p == ',')
            p++;
    }
    return im->decisions ? BF_OK : BF_ERR_NOMEM;
}

/* POST /api/v1/imports/{resource}?dry_run=&duplicates=&decisions=: the body is
 * the file. */
bf_result imports_run(api_call *call, const api_route *route)
{
    importer im = {.call = call};
    bf_result r = sheet_asked(call, &im.sheet);
    if (r == BF_OK)
        r = options(call, &im);
    if (r != BF_OK)
        return r;
    im.create = api_create_route(im.sheet->spec);
    if (!access_may_write(call->who->role, im.sheet->spec, ACCESS_CREATE))
        return bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", NULL,
                       "a %s user may not create %s", access_role_name(call->who->role),
                       im.sheet->spec->name);
    im.may_backdate = call->who->role == ROLE_ADMIN || call->who->role == ROLE_MANAGER;
    sheet_table t;
    if ((r = sheet_read(call->arena, call->req->body.data, call->req->body.len, &t, &call->err)) !=
        BF_OK)
        return r;
    if (t.rows == 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "empty_file", "file",
                       "the file has no header row");
    im.t = &t;
    im.errors = api_keep(call, json_array());
    im.found = api_keep(call, json_array());
    if (im.errors == NULL || im.found == NULL)
        return BF_ERR_NOMEM;
    if ((r = read_header(&im)) != BF_OK)
        return r;
    bool header_ok = json_array_size(im.errors) == 0;
    if (header_ok) {
        if ((r = store_begin_alone(call->app->store, &call->err)) != BF_OK)
            return r;
        r = import_rows(&im);
        bool keep = r == BF_OK && !im.dry_run && json_array_size(im.errors) == 0;
        if (keep)
            r = store_commit(call->app->store, &call->err);
        else
            store_rollback(call->app->store);
        if (r != BF_OK)
            return r;
    }
    bool committed = header_ok && !im.dry_run && json_array_size(im.errors) == 0;
    json_t *report =
        json_pack("{s:s, s:s, s:s, s:b, s:b, s:I, s:I, s:I, s:I, s:O, s:O}", "resource",
                  im.sheet->resource, "format", t.format, "encoding", t.encoding, "dry_run",
                  im.dry_run, "committed", committed, "rows", (json_int_t)im.rows, "created",
                  (json_int_t)(committed || im.dry_run ? im.created : 0), "merged",
                  (json_int_t)(committed || im.dry_run ? im.merged : 0), "skipped",
                  (json_int_t)im.skipped, "errors", im.errors, "duplicates", im.found);
    if (report == NULL)
        return BF_ERR_NOMEM;
    if (!committed && !im.dry_run) {
        call->error_extra = json_pack("{s:o}", "report", report);
        return bf_fail_args(&call->err, BF_ERR_INVALID, "import_invalid", "file",
                            BF_ARGS(BF_NUM("count", json_array_size(im.errors))),
                            "%zu errors: nothing was imported", json_array_size(im.errors));
    }
    http_respond_json(call->req, 200, report);
    return BF_OK;
}

/* The columns of a sheet, as the template's notes and the web show them. */
static json_t *columns_json(const import_sheet_spec *s)
{
    json_t *cols = json_array();
    for (size_t i = 0; cols && i < s->ncolumns; i++) {
        const import_column *c = &s->columns[i];
        static const char *const kinds[] = {"text", "integer",  "money",  "decimal", "boolean",
                                            "date", "datetime", "choice", "list",    "account",
                                            "deal", "user",     "created"};
        json_t *choices = NULL;
        if (c->labels_zh) {
            choices = json_array();
            for (size_t k = 0; choices && c->labels_zh[k]; k++)
                json_array_append_new(
                    choices, json_pack("{s:s, s:s}", "zh", c->labels_zh[k], "en", c->labels_en[k]));
        }
        json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:b, s:s?, s:s?, s:s?, s:o*}", "header", c->zh,
                              "header_en", c->en, "field", c->field, "kind", kinds[c->kind],
                              "required", c->required, "example", c->example, "help", c->help_zh,
                              "help_en", c->help_en, "choices", choices);
        if (o == NULL || json_array_append_new(cols, o) != 0) {
            json_decref(cols);
            return NULL;
        }
    }
    return cols;
}

/* GET /api/v1/imports: what can be imported, and each sheet's columns. */
bf_result imports_list(api_call *call, const api_route *route)
{
    json_t *items = json_array();
    for (const import_sheet_spec *s = import_sheets; items && s->resource; s++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:o}", "resource", s->resource, "title",
                              s->title_zh, "title_en", s->title_en, "allowed",
                              access_may_write(call->who->role, s->spec, ACCESS_CREATE), "columns",
                              columns_json(s));
        if (o == NULL || json_array_append_new(items, o) != 0) {
            json_decref(items);
            return BF_ERR_NOMEM;
        }
    }
    return api_respond_items(call, items);
}

static const export_column note_columns[] = {
    {"header", "列名", "Column", EXPORT_TEXT},
    {"required_text", "必填", "Required", EXPORT_TEXT},
    {"help_text", "说明", "Notes", EXPORT_TEXT},
    {"example", "示例", "Example", EXPORT_TEXT},
    {"choices_text", "可选值", "Choices", EXPORT_TEXT},
};

/* GET /api/v1/imports/{resource}/template[?format=xlsx|csv]: the columns, or a
 * file whose first sheet has the headers (* marks the required ones) and
 * whose second explains each column. */
bf_result imports_template(api_call *call, const api_route *route)
{
    const import_sheet_spec *s;
    bf_result r = sheet_asked(call, &s);
    if (r != BF_OK)
        return r;
    bool en = strcmp(api_lang(call), "en") == 0;
    export_column *cols = arena_calloc(call->arena, s->ncolumns, sizeof(*cols));
    export_table *tables = arena_calloc(call->arena, 2, sizeof(*tables));
    export_spec *spec = arena_calloc(call->arena, 1, sizeof(*spec));
    json_t *notes = api_keep(call, columns_json(s));
    if (cols == NULL || tables == NULL || spec == NULL || notes == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < s->ncolumns; i++) {
        const import_column *c = &s->columns[i];
        cols[i] = (export_column){c->field ? c->field : "created_at",
                                  c->required ? arena_printf(call->arena, "%s*", c->zh) : c->zh,
                                  c->required ? arena_printf(call->arena, "%s*", c->en) : c->en,
                                  EXPORT_TEXT};
        json_t *n = json_array_get(notes, i);
        json_t *choices = json_object_get(n, "choices");
        char *list = NULL;
        size_t k;
        json_t *ch;
        json_array_foreach(choices, k, ch)
        {
            const char *label = json_string_value(json_object_get(ch, en ? "en" : "zh"));
            list = list ? arena_printf(call->arena, "%s%s%s", list, en ? ", " : "、", label)
                        : arena_strdup(call->arena, label);
        }
        json_object_set_new(n, "required_text",
                            json_string(c->required ? (en ? "yes" : "是") : (en ? "no" : "否")));
        json_object_set_new(
            n, "help_text",
            json_string(en ? (c->help_en ? c->help_en : "") : (c->help_zh ? c->help_zh : "")));
        json_object_set_new(n, "choices_text", json_string(list ? list : ""));
        if (en)
            json_object_set(n, "header", json_object_get(n, "header_en"));
    }
    tables[0] = (export_table){"rows", s->title_zh, s->title_en, cols, s->ncolumns};
    tables[1] = (export_table){"columns", "填写说明", "Notes", note_columns,
                               sizeof(note_columns) / sizeof(note_columns[0])};
    *spec = (export_spec){arena_printf(call->arena, "%s导入模板", s->title_zh),
                          arena_printf(call->arena, "%s import template", s->title_en), tables, 2};
    json_t *body = json_pack("{s:s, s:O, s:[]}", "resource", s->resource, "columns", notes, "rows");
    if (body == NULL || spec->file_zh == NULL || spec->file_en == NULL) {
        json_decref(body);
        return BF_ERR_NOMEM;
    }
    return api_respond_export(call, body, spec);
}
