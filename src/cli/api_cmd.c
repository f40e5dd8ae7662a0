/* bingfa api: one request to any route of the API, run in-process on a
 * database file — the command line's access to every feature (forms,
 * tools, reports, playbooks …) without a server. The answer's body goes to
 * standard output, its status to standard error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"

static const char usage_text[] =
    "usage: bingfa api --db FILE [--user NAME] [--if-match VERSION] [--lang zh|en]\n"
    "                  METHOD PATH [BODY.json|-]\n"
    "  Acts as an admin, or as the user NAME (with that user's role and visibility).\n"
    "  e.g. bingfa api --db bingfa.db GET /api/v1/opportunities/OPP_ID/health\n"
    "       bingfa api --db bingfa.db PUT /api/v1/opportunities/OPP_ID/mant mant.json\n";

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 64 * 1024, n = 0;
    char *data = malloc(cap);
    while (data != NULL) {
        n += fread(data + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *bigger = cap < (16u << 20) ? realloc(data, cap * 2) : NULL;
        if (bigger == NULL) {
            free(data);
            return NULL;
        }
        data = bigger;
        cap *= 2;
    }
    *len = n;
    return data;
}

int cli_api(int argc, char **argv)
{
    const char *db = NULL, *user = NULL, *if_match = NULL, *lang = NULL;
    const char *pos[3] = {NULL, NULL, NULL};
    int npos = 0;
    for (int i = 0; i < argc; i++) {
        const char **opt = strcmp(argv[i], "--db") == 0         ? &db
                           : strcmp(argv[i], "--user") == 0     ? &user
                           : strcmp(argv[i], "--if-match") == 0 ? &if_match
                           : strcmp(argv[i], "--lang") == 0     ? &lang
                                                                : NULL;
        if (opt != NULL && i + 1 < argc)
            *opt = argv[++i];
        else if (opt == NULL && npos < 3 && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
            pos[npos++] = argv[i];
        else {
            fputs(usage_text, stderr);
            return 2;
        }
    }
    if (db == NULL || npos < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    char *body = NULL;
    size_t len = 0;
    if (pos[2] != NULL) {
        FILE *f = strcmp(pos[2], "-") == 0 ? stdin : fopen(pos[2], "rb");
        if (f == NULL || (body = read_all(f, &len)) == NULL) {
            cli_error("cannot read %s", pos[2]);
            if (f && f != stdin)
                fclose(f);
            return 1;
        }
        if (f != stdin)
            fclose(f);
    }
    const char *headers[12];
    size_t h = 0;
    if (body) {
        headers[h++] = "Content-Type";
        headers[h++] = "application/json";
    }
    if (user) {
        headers[h++] = "X-Bingfa-As";
        headers[h++] = user;
    }
    if (if_match) {
        headers[h++] = "If-Match";
        headers[h++] = if_match;
    }
    if (lang) {
        headers[h++] = "Accept-Language";
        headers[h++] = lang;
    }
    headers[h] = NULL;

    int status = 1;
    bf_error err = {0};
    store *st = NULL;
    playbook_set *playbooks = NULL;
    api *app = NULL;
    arena *a = arena_new(64 * 1024);
    store_options opt = {.synchronous_full = true};
    if (a == NULL || store_open(db, &opt, &st, &err) != BF_OK) {
        cli_error("%s: %s", db, a ? err.message : "out of memory");
        goto done;
    }
    if ((playbooks = cli_load_all_playbooks(st)) == NULL || api_new(st, playbooks, &app) != BF_OK)
        goto done;
    http_request *req;
    if (http_request_local(a, pos[0], pos[1], body, len, headers, api_handle, app, &req) != BF_OK) {
        cli_error("out of memory");
        goto done;
    }
    fprintf(stderr, "HTTP %d\n", req->status);
    if (req->out.len) {
        fwrite(req->out.data, 1, req->out.len, stdout);
        fputc('\n', stdout);
    }
    status = req->status >= 200 && req->status < 300 ? 0 : 1;
done:
    api_free(app);
    store_close(st);
    playbook_set_free(playbooks);
    arena_free(a);
    free(body);
    return status;
}
