/* bingfa export: a list of deals, accounts, contacts or activities as a CSV
 * or XLSX file, through GET /api/v1/RESOURCE/export run in-process (the same
 * filters, columns, visibility and limits; docs/lists.md). The file goes to
 * --output (written only when the export succeeds) or to standard output;
 * a refusal to standard error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "http/response.h"

static const char usage_text[] =
    "usage: bingfa export --db DB [--user NAME] [--format csv|xlsx] [--columns A,B,…]\n"
    "                     [--ids ID,…] [--lang zh|en] [--output FILE] RESOURCE [QUERY]\n"
    "  RESOURCE: opportunities, accounts, contacts or activities; QUERY: the list's\n"
    "  filters and sort as its query string, e.g. 'status=won&tag=重点&sort=-amount'.\n"
    "  Acts as an admin, or as the user NAME (who sees what their role lets them).\n";

typedef struct export_args {
    const char *db, *user, *format, *columns, *ids, *lang, *output;
    const char *resource, *query;
} export_args;

static bool parse_args(int argc, char **argv, export_args *a)
{
    for (int i = 0; i < argc; i++) {
        const char **opt = strcmp(argv[i], "--db") == 0        ? &a->db
                           : strcmp(argv[i], "--user") == 0    ? &a->user
                           : strcmp(argv[i], "--format") == 0  ? &a->format
                           : strcmp(argv[i], "--columns") == 0 ? &a->columns
                           : strcmp(argv[i], "--ids") == 0     ? &a->ids
                           : strcmp(argv[i], "--lang") == 0    ? &a->lang
                           : strcmp(argv[i], "--output") == 0  ? &a->output
                           : strcmp(argv[i], "-o") == 0        ? &a->output
                                                               : NULL;
        if (opt != NULL && i + 1 < argc)
            *opt = argv[++i];
        else if (opt == NULL && argv[i][0] != '-' && a->resource == NULL)
            a->resource = argv[i];
        else if (opt == NULL && argv[i][0] != '-' && a->query == NULL)
            a->query = argv[i];
        else
            return false;
    }
    return (a->db = cli_db(a->db, NULL)) != NULL && a->resource != NULL;
}

/* Appends "&name=value" (value percent-encoded) when value is given. */
static bf_result add_param(buf *b, const char *name, const char *value)
{
    if (value == NULL)
        return BF_OK;
    bf_result r = buf_printf(b, "&%s=", name);
    for (const unsigned char *p = (const unsigned char *)value; r == BF_OK && *p; p++)
        r = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                    strchr("-._~,", *p) != NULL
                ? buf_append(b, (const char *)p, 1)
                : buf_printf(b, "%%%02X", *p);
    return r;
}

/* Writes a 2xx answer's file; says why not otherwise. */
static int write_answer(void *ctx, const http_request *req)
{
    const export_args *a = ctx;
    if (req->status < 200 || req->status > 299) {
        fprintf(stderr, "HTTP %d\n%.*s\n", req->status, (int)req->out.len, req->out.data);
        return 1;
    }
    FILE *f = a->output ? fopen(a->output, "wb") : stdout;
    bool ok = f != NULL && http_copy_file(req, f) &&
              (req->out.len == 0 || fwrite(req->out.data, 1, req->out.len, f) == req->out.len);
    if (f != NULL && f != stdout)
        ok = fclose(f) == 0 && ok;
    else if (f == stdout)
        ok = fflush(stdout) == 0 && ok;
    if (!ok) {
        cli_error("cannot write %s", a->output ? a->output : "standard output");
        return 1;
    }
    if (a->output)
        fprintf(stderr, "%s: %llu bytes\n", a->output,
                (unsigned long long)(req->has_file ? req->file_size : req->out.len));
    return 0;
}

int cli_export(int argc, char **argv)
{
    export_args a = {0};
    if (!parse_args(argc, argv, &a)) {
        fputs(usage_text, stderr);
        return 2;
    }
    arena *ar = arena_new(16 * 1024);
    if (ar == NULL)
        return 1;
    buf target;
    buf_init(&target, ar, 64 * 1024);
    bf_result r =
        buf_printf(&target, "/api/v1/%s/export?format=%s", a.resource, a.format ? a.format : "csv");
    if (r == BF_OK)
        r = add_param(&target, "columns", a.columns);
    if (r == BF_OK)
        r = add_param(&target, "ids", a.ids);
    if (r == BF_OK && a.query != NULL && *a.query != '\0')
        r = buf_printf(&target, "&%s", a.query);
    const char *headers[5];
    size_t h = 0;
    if (a.user) {
        headers[h++] = "X-Bingfa-As";
        headers[h++] = a.user;
    }
    if (a.lang) {
        headers[h++] = "Accept-Language";
        headers[h++] = a.lang;
    }
    headers[h] = NULL;
    int status = 1;
    if (r == BF_OK)
        status = cli_api_run(a.db, "GET", buf_cstr(&target), NULL, 0, headers, write_answer, &a);
    else
        cli_error("the arguments are too long");
    arena_free(ar);
    return status;
}
