/* bingfa knowledge: the knowledge base in and out as JSON (docs/knowledge.md)
 * — import posts each entry in-process as the command line's admin (so it
 * passes the API's checks, with its status), all in one transaction: all
 * or nothing; export writes every entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"

static const char usage_text[] =
    "usage: bingfa knowledge import --db DB FILE|-    entries {\"entries\": [...]} (or an array)\n"
    "       bingfa knowledge export --db DB           every entry, as {\"entries\": [...]}\n";

/* The API over the database db, for in-process requests; NULL after saying why. */
typedef struct kn_session {
    store *st;
    playbook_set *playbooks;
    api *app;
    arena *a;
} kn_session;

static void kn_close(kn_session *k)
{
    api_free(k->app);
    store_close(k->st);
    playbook_set_free(k->playbooks);
    arena_free(k->a);
}

static bool kn_open(const char *db, kn_session *k)
{
    bf_error err = {0};
    store_options opt = {.synchronous_full = true};
    memset(k, 0, sizeof(*k));
    if ((k->a = arena_new(1 << 20)) == NULL || store_open(db, &opt, &k->st, &err) != BF_OK) {
        cli_error("%s: %s", cli_db_name(db), k->a ? err.message : "out of memory");
        return false;
    }
    if ((k->playbooks = cli_load_all_playbooks(k->st)) == NULL ||
        api_new(k->st, k->playbooks, &k->app) != BF_OK) {
        cli_error("cannot start the API");
        return false;
    }
    return true;
}

static int kn_import(const char *db, const char *file)
{
    json_error_t jerr;
    json_t *doc =
        strcmp(file, "-") == 0 ? json_loadf(stdin, 0, &jerr) : json_load_file(file, 0, &jerr);
    if (doc == NULL) {
        cli_error("%s: line %d: %s", file, jerr.line, jerr.text);
        return 1;
    }
    json_t *entries = json_is_array(doc) ? doc : json_object_get(doc, "entries");
    kn_session k;
    int status = 1;
    size_t done = 0, i;
    json_t *e;
    if (!json_is_array(entries)) {
        cli_error("%s: a JSON array of entries, or {\"entries\": [...]}", file);
        goto out;
    }
    if (!kn_open(db, &k))
        goto close;
    bf_error err = {0};
    if (store_begin(k.st, &err) != BF_OK) { /* all or nothing */
        cli_error("%s", err.message);
        goto close;
    }
    json_array_foreach(entries, i, e)
    {
        json_object_del(e, "ref"); /* a label of the file's own */
        static const char *const kept[] = {"id",         "author",     "version",
                                           "created_at", "updated_at", "source_opportunity_id"};
        for (size_t j = 0; j < sizeof(kept) / sizeof(kept[0]); j++)
            json_object_del(e, kept[j]);
        char *text = json_dumps(e, JSON_COMPACT);
        const char *headers[] = {"Content-Type", "application/json", NULL};
        http_request *req;
        if (text == NULL || http_request_local(k.a, "POST", "/api/v1/knowledge", text, strlen(text),
                                               headers, api_handle, k.app, &req) != BF_OK) {
            free(text);
            cli_error("out of memory");
            goto close;
        }
        free(text);
        if (req->status != 201) {
            cli_error("entry %zu: %.*s", i + 1, (int)req->out.len, req->out.data);
            store_rollback(k.st);
            goto close;
        }
        done++;
    }
    if (store_commit(k.st, &err) != BF_OK) {
        cli_error("%s", err.message);
        goto close;
    }
    printf("imported %zu knowledge entries\n", done);
    status = 0;
close:
    kn_close(&k);
out:
    json_decref(doc);
    return status;
}

static int kn_export(const char *db)
{
    kn_session k;
    bf_error err = {0};
    int status = 1;
    if (!kn_open(db, &k)) {
        kn_close(&k);
        return 1;
    }
    json_t *entries = json_array();
    int64_t after = 0;
    for (;;) {
        knowledge_entry *rows;
        size_t n = 0;
        if (store_knowledge_page(k.st, k.a, after, 500, &rows, &n, &after, &err) != BF_OK) {
            cli_error("%s", err.message);
            goto done;
        }
        for (size_t i = 0; i < n; i++) {
            json_t *j = json_loads(rows[i].entry, 0, NULL);
            if (j == NULL || json_object_set_new(j, "status", json_string(rows[i].status)) ||
                json_object_set_new(j, "shareable", json_boolean(rows[i].shareable)) ||
                (rows[i].reviewer &&
                 json_object_set_new(j, "reviewer", json_string(rows[i].reviewer))) ||
                json_array_append_new(entries, j)) {
                cli_error("out of memory");
                goto done;
            }
        }
        if (n < 500)
            break;
    }
    json_t *doc = json_pack("{s:O}", "entries", entries);
    if (doc == NULL || json_dumpf(doc, stdout, JSON_INDENT(2)) != 0) {
        json_decref(doc);
        cli_error("cannot write the entries");
        goto done;
    }
    json_decref(doc);
    fputc('\n', stdout);
    status = 0;
done:
    json_decref(entries);
    kn_close(&k);
    return status;
}

int cli_knowledge(int argc, char **argv)
{
    const char *db = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (file == NULL && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
            file = argv[i];
        else {
            fputs(usage_text, stderr);
            return 2;
        }
    }
    db = cli_db(db, NULL);
    bool import = argc > 0 && strcmp(argv[0], "import") == 0;
    bool export = argc > 0 && strcmp(argv[0], "export") == 0;
    if (db == NULL || (!import && !export) || (import && file == NULL) || (export && file)) {
        fputs(usage_text, stderr);
        return 2;
    }
    return import ? kn_import(db, file) : kn_export(db);
}
