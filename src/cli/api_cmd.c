/* bingfa api: one request to any route of the API, run in-process on a
 * database file — the command line's access to every feature (forms,
 * tools, reports, playbooks …) without a server. The answer's body goes to
 * standard output, its status to standard error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "http/response.h"

static const char usage_text[] =
    "usage: bingfa api --db DB [--user NAME] [--if-match VERSION] [--lang zh|en]\n"
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

/* The command's options and positional arguments (METHOD PATH [BODY]). */
typedef struct api_cmd_args {
    const char *db, *user, *if_match, *lang;
    const char *pos[3];
    int npos;
} api_cmd_args;

/* Parses the command line into args; false (after printing the usage) when
 * it is not one the command takes. */
static bool api_cmd_parse_args(int argc, char **argv, api_cmd_args *args)
{
    for (int i = 0; i < argc; i++) {
        const char **opt = strcmp(argv[i], "--db") == 0         ? &args->db
                           : strcmp(argv[i], "--user") == 0     ? &args->user
                           : strcmp(argv[i], "--if-match") == 0 ? &args->if_match
                           : strcmp(argv[i], "--lang") == 0     ? &args->lang
                                                                : NULL;
        if (opt != NULL && i + 1 < argc)
            *opt = argv[++i];
        else if (opt == NULL && args->npos < 3 && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0))
            args->pos[args->npos++] = argv[i];
        else {
            fputs(usage_text, stderr);
            return false;
        }
    }
    if ((args->db = cli_db(args->db, NULL)) == NULL || args->npos < 2) {
        fputs(usage_text, stderr);
        return false;
    }
    return true;
}

/* Reads the request body from the file name ("-": standard input) into
 * *body (malloc'd); false, after saying so, when it cannot be read. */
static bool api_cmd_read_body(const char *name, char **body, size_t *len)
{
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    if (f == NULL || (*body = read_all(f, len)) == NULL) {
        cli_error("cannot read %s", name);
        if (f && f != stdin)
            fclose(f);
        return false;
    }
    if (f != stdin)
        fclose(f);
    return true;
}

/* Fills headers (name, value pairs, NULL-terminated; room for 12) from the
 * options and whether there is a body. */
static void api_cmd_build_headers(const api_cmd_args *args, bool has_body, const char **headers)
{
    size_t h = 0;
    if (has_body) {
        headers[h++] = "Content-Type";
        headers[h++] = "application/json";
    }
    if (args->user) {
        headers[h++] = "X-Bingfa-As";
        headers[h++] = args->user;
    }
    if (args->if_match) {
        headers[h++] = "If-Match";
        headers[h++] = args->if_match;
    }
    if (args->lang) {
        headers[h++] = "Accept-Language";
        headers[h++] = args->lang;
    }
    headers[h] = NULL;
}

int cli_api_run(const char *db, const char *method, const char *target, const char *body,
                size_t len, const char *const *headers,
                int (*answer)(void *ctx, const http_request *req), void *ctx)
{
    int status = 1;
    bf_error err = {0};
    store *st = NULL;
    playbook_set *playbooks = NULL;
    api *app = NULL;
    arena *a = arena_new(64 * 1024);
    store_options opt = {.synchronous_full = true};
    if (a == NULL || store_open(db, &opt, &st, &err) != BF_OK) {
        cli_error("%s: %s", cli_db_name(db), a ? err.message : "out of memory");
        goto done;
    }
    if ((playbooks = cli_load_all_playbooks(st)) == NULL || api_new(st, playbooks, &app) != BF_OK)
        goto done;
    http_request *req;
    if (http_request_local(a, method, target, body, len, headers, api_handle, app, &req) != BF_OK) {
        cli_error("out of memory");
        goto done;
    }
    status = answer(ctx, req);
done:
    api_free(app);
    store_close(st);
    playbook_set_free(playbooks);
    arena_free(a);
    return status;
}

/* Prints the answer: its status to standard error, its body to standard
 * output; 0 for a 2xx answer. */
static int api_cmd_print(void *ctx, const http_request *req)
{
    (void)ctx;
    fprintf(stderr, "HTTP %d\n", req->status);
    if (req->has_file && !http_copy_file(req, stdout)) {
        cli_error("cannot write the answer");
        return 1;
    }
    if (req->out.len) {
        fwrite(req->out.data, 1, req->out.len, stdout);
        fputc('\n', stdout);
    }
    return req->status >= 200 && req->status < 300 ? 0 : 1;
}

int cli_api(int argc, char **argv)
{
    api_cmd_args args = {.db = NULL};
    if (!api_cmd_parse_args(argc, argv, &args))
        return 2;
    char *body = NULL;
    size_t len = 0;
    if (args.pos[2] != NULL && !api_cmd_read_body(args.pos[2], &body, &len))
        return 1;
    const char *headers[12];
    api_cmd_build_headers(&args, body != NULL, headers);
    int status =
        cli_api_run(args.db, args.pos[0], args.pos[1], body, len, headers, api_cmd_print, NULL);
    free(body);
    return status;
}
