/* bingfa init: create or upgrade a database, optionally with the demo. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* The demo's users and their one password, to log in with. */
static void print_demo_users(store *st, const char *password)
{
    arena *a = arena_new(16 * 1024);
    list_query q = {.spec = &resource_users,
                    .sort_field = resource_field_index(&resource_users, "role"),
                    .limit = 100};
    record_page page;
    bf_error err = {0};
    if (a == NULL || store_record_list(st, a, &q, &page, &err) != BF_OK) {
        arena_free(a);
        return;
    }
    printf("demo users (log in with any of them; admin sees everything):\n");
    for (size_t i = 0; i < page.n; i++) {
        const char *display = record_text(page.items[i], "display_name");
        printf("  %s\t%s\t%s\n", record_text(page.items[i], "role"),
               record_text(page.items[i], "name"), display ? display : "");
    }
    printf("demo password (every demo user): %s\n", password);
    arena_free(a);
}

int cli_init(int argc, char **argv)
{
    const char *db = NULL;
    bool demo = false;
    int schema_version = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else if (strcmp(argv[i], "--demo") == 0) {
            demo = true;
        } else if (strcmp(argv[i], "--schema-version") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end != '\0' || v < 1 || v > store_schema_latest()) {
                cli_error("--schema-version must be from 1 to %d", store_schema_latest());
                return 2;
            }
            schema_version = (int)v;
        } else {
            cli_error("init: unexpected argument '%s'; usage: bingfa init --db DB [--demo]",
                      argv[i]);
            return 2;
        }
    }
    if ((db = cli_db(db, NULL)) == NULL) {
        cli_error("init: --db DB (or BINGFA_DB) is required");
        return 2;
    }
    if (demo && schema_version != 0) {
        cli_error("init: --demo needs the latest schema");
        return 2;
    }
    bf_error err = {0};
    store *st;
    store_options opt = {.migrate_to = schema_version, .synchronous_full = true};
    if (store_open(db, &opt, &st, &err) != BF_OK) {
        cli_error("%s: %s", cli_db_name(db), err.message);
        return 1;
    }
    int status = 0;
    char password[24];
    if (demo) {
        cli_random_password(password, sizeof(password));
        playbook_set *playbooks = cli_load_all_playbooks(st);
        if (playbooks == NULL) {
            status = 1;
        } else if (demo_load(st, playbooks, password, &err) != BF_OK) {
            cli_error("demo data: %s%s%s", err.message, err.field[0] ? " at " : "", err.field);
            status = 1;
        }
        playbook_set_free(playbooks);
    }
    if (status == 0)
        printf("bingfa: %s is at schema version %d%s\n", cli_db_name(db), store_schema_version(st),
               demo ? ", with demo data" : "");
    if (status == 0 && demo)
        print_demo_users(st, password);
    store_close(st);
    return status;
}
