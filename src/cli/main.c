/* bingfa: presales and project-sales management. Entry point and help. */
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"

static const char usage_head[] =
    "bingfa " BINGFA_VERSION " - presales and project-sales management (兵法)\n"
    "\n"
    "Usage:\n"
    "  bingfa init --db DB [--demo]        create (or upgrade) a database; --demo adds demo data\n";

static const char usage_tail[] =
    "  bingfa playbook validate FILE...    check playbook files against the schema\n"
    "  bingfa playbook import --db DB PLAYBOOK.json\n"
    "                                      add a custom playbook (or a new version of one)\n"
    "  bingfa tool bid-simulation [FILE]   bid score simulation on a JSON request (stdin: -)\n"
    "  bingfa tool procurement-advice [FILE]\n"
    "                                      procurement methods whose legal conditions are met\n"
    "  bingfa user add --db DB --name NAME --role ROLE [--team TEAM_ID] [--partner PARTNER_ID]\n"
    "                  [--display-name TEXT] (--password-stdin | --random-password)\n"
    "                                      add a user (roles: sales consultant manager partner\n"
    "                                      implementation admin)\n"
    "  bingfa user passwd --db DB --name NAME (--password-stdin | --random-password)\n"
    "                                      set a user's password (ends the user's sessions)\n"
    "  bingfa token create --db DB --user NAME [--label TEXT]\n"
    "                                      an API token for scripts, printed alone on the last "
    "line\n"
    "  bingfa token revoke --db DB TOKEN|TOKEN_ID\n"
    "                                      revoke an API token\n"
    "  bingfa api --db DB [--user NAME] [--if-match V] [--lang zh|en]\n"
    "             METHOD PATH [BODY.json|-]\n"
    "                                      any API route in-process, e.g. GET "
    "/api/v1/opportunities/ID/health\n"
    "  bingfa import --db FILE [--as USER] [--resource RESOURCE] [--batch N]\n"
    "                [--skip-invalid] [--progress SECONDS | --quiet] FILE|-\n"
    "                                      a bulk load of JSON lines, one record a line, made\n"
    "                                      as POST /api/v1/RESOURCE makes it (as USER); a\n"
    "                                      line's \"ref\" labels it, \"@label\" names it; N\n"
    "                                      lines a transaction (default 100000); a bad line\n"
    "                                      stops it, or is skipped (docs/import.md)\n"
    "  bingfa export --db DB [--user NAME] [--format csv|xlsx] [--columns A,B]\n"
    "                [--ids ID,…] [--lang zh|en] [--output FILE] RESOURCE [QUERY]\n"
    "                                      a list (opportunities, accounts, contacts,\n"
    "                                      activities) as a file, with the list's filters\n"
    "                                      and sort as QUERY (docs/lists.md)\n"
    "  bingfa knowledge import --db DB FILE|-\n"
    "  bingfa knowledge export --db DB     the knowledge base in and out as JSON\n"
    "                                      ({\"entries\": [...]}, docs/knowledge.md)\n"
    "  bingfa backup --db DB [--force] [--pg-bin DIR] OUT\n"
    "                                      a consistent copy while servers write, checked\n"
    "                                      (SQLite: online backup, integrity_check; PostgreSQL:\n"
    "                                      pg_dump custom format of one snapshot); OUT is not\n"
    "                                      replaced without --force (docs/backup.md)\n"
    "  bingfa restore --db DB [--force] [--pg-bin DIR] IN\n"
    "                                      bring a backup back: checked (a bingfa database, its\n"
    "                                      schema not newer than this bingfa), refused while a\n"
    "                                      server uses DB or when DB exists without --force;\n"
    "                                      all or nothing; migrations upgrade it on next open\n"
    "  bingfa notify run --db DB [--now TIME]\n"
    "                                      the notifications' periodic job once: stalled deals,\n"
    "                                      visits tomorrow, tender dates near "
    "(docs/notifications.md)\n"
    "  bingfa openapi                      print the API's OpenAPI 3.1 document (for client\n"
    "                                      generators and linters)\n"
    "  bingfa --help | --version\n";

const char cli_db_usage[] =
    "DB is a SQLite file, or a PostgreSQL database as a URI: postgresql://USER@HOST/NAME\n"
    "(or postgres://…; libpq's parameters, such as ?host=/run/postgresql or sslmode=…,\n"
    "go after ?). Without --db, the environment variable BINGFA_DB names it.\n";

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bingfa: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

playbook_set *cli_load_playbooks(void)
{
    bf_error err = {0};
    playbook_set *set = playbook_set_new();
    if (set == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    if (playbook_set_add_builtin(set, &err) != BF_OK) {
        cli_error("built-in playbook: %s", err.message);
        playbook_set_free(set);
        return NULL;
    }
    return set;
}

playbook_set *cli_load_all_playbooks(store *st)
{
    playbook_set *set = cli_load_playbooks();
    if (set == NULL)
        return NULL;
    bf_error err = {0};
    size_t builtin = playbook_set_count(set);
    for (size_t i = 0; i < builtin; i++) {
        const playbook *pb = playbook_set_at(set, i);
        char *text = json_dumps(pb->doc, JSON_COMPACT);
        bool inserted;
        bf_result r =
            text ? store_playbook_put(st, pb->id, pb->version, text, "bingfa", &inserted, &err)
                 : BF_ERR_NOMEM;
        free(text);
        /* Deals from before playbooks had versions stay on this one. */
        if (r == BF_OK)
            r = store_opportunity_pin_playbook_version(st, pb->id, pb->version, &err);
        if (r != BF_OK) {
            cli_error("keeping built-in playbook %s: %s", pb->id, err.message);
            playbook_set_free(set);
            return NULL;
        }
    }
    arena *a = arena_new(64 * 1024);
    stored_playbook *stored = NULL;
    size_t n = 0;
    if (a == NULL || store_playbook_list(st, a, &stored, &n, &err) != BF_OK) {
        cli_error("reading stored playbooks: %s", a ? err.message : "out of memory");
        arena_free(a);
        playbook_set_free(set);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const playbook *loaded = playbook_set_find_version(set, stored[i].id, stored[i].version);
        if (loaded != NULL) {
            /* A built-in version number an import used before: say so. */
            json_t *doc = json_loads(stored[i].doc, 0, NULL);
            if (doc != NULL && !json_equal(doc, loaded->doc))
                cli_error("warning: playbook %s version %d stored in the database differs from "
                          "the built-in one with the same version; the built-in one is used — "
                          "import your playbook under a higher version",
                          stored[i].id, stored[i].version);
            json_decref(doc);
            continue;
        }
        playbook *pb;
        if (playbook_parse(stored[i].doc, strlen(stored[i].doc), &pb, NULL, &err) != BF_OK) {
            cli_error("stored playbook %s version %d is not valid any more, skipped: %s",
                      stored[i].id, stored[i].version, err.message);
            continue;
        }
        if (playbook_set_add(set, pb, &err) != BF_OK) {
            cli_error("stored playbook %s: %s", stored[i].id, err.message);
            playbook_free(pb);
        }
    }
    arena_free(a);
    return set;
}

/* bingfa openapi: the document GET /api/v1/openapi.json answers, without a
 * database. */
static int cli_openapi(int argc, char **argv)
{
    (void)argv;
    if (argc != 0) {
        cli_error("openapi takes no arguments");
        return 2;
    }
    json_t *doc = api_openapi_document();
    if (doc == NULL || json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) != 0) {
        json_decref(doc);
        cli_error("out of memory");
        return 1;
    }
    json_decref(doc);
    putchar('\n');
    return 0;
}

/* The whole help: every command, then what DB may be. */
static void print_usage(FILE *out)
{
    fputs(usage_head, out);
    fputs(cli_serve_usage, out);
    fputs(usage_tail, out);
    fputc('\n', out);
    fputs(cli_db_usage, out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("bingfa %s\n", BINGFA_VERSION);
        return 0;
    }
    if (strcmp(cmd, "init") == 0)
        return cli_init(argc - 2, argv + 2);
    if (strcmp(cmd, "serve") == 0)
        return cli_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "playbook") == 0)
        return cli_playbook(argc - 2, argv + 2);
    if (strcmp(cmd, "tool") == 0)
        return cli_tool(argc - 2, argv + 2);
    if (strcmp(cmd, "user") == 0)
        return cli_user(argc - 2, argv + 2);
    if (strcmp(cmd, "token") == 0)
        return cli_token(argc - 2, argv + 2);
    if (strcmp(cmd, "notify") == 0)
        return cli_notify(argc - 2, argv + 2);
    if (strcmp(cmd, "api") == 0)
        return cli_api(argc - 2, argv + 2);
    if (strcmp(cmd, "import") == 0)
        return cli_import(argc - 2, argv + 2);
    if (strcmp(cmd, "export") == 0)
        return cli_export(argc - 2, argv + 2);
    if (strcmp(cmd, "knowledge") == 0)
        return cli_knowledge(argc - 2, argv + 2);
    if (strcmp(cmd, "backup") == 0)
        return cli_backup(argc - 2, argv + 2);
    if (strcmp(cmd, "restore") == 0)
        return cli_restore(argc - 2, argv + 2);
    if (strcmp(cmd, "openapi") == 0)
        return cli_openapi(argc - 2, argv + 2);
    cli_error("unknown command '%s'; see bingfa --help", cmd);
    return 2;
}
