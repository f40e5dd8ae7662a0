/* bingfa notify run: the periodic job of the notifications once, now or as
 * of a moment given (docs/notifications.md): the deals stalled since its
 * last run, the visits planned tomorrow and the tenders' key dates near.
 * `bingfa serve` runs it every --notify-interval; this runs it from the
 * command line (a server that runs none, a moment to replay). It writes
 * each notification once, however often it is run. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"

static const char usage_text[] =
    "usage: bingfa notify run --db DB [--now TIME]   the periodic job of the notifications\n"
    "                                                once (TIME: ISO 8601, e.g.\n"
    "                                                2026-12-01T01:00:00Z; default: now)\n";

int cli_notify(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "run") != 0) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *db = NULL, *now = NULL;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc) {
            cli_error("notify run: %s needs a value", argv[i]);
            return 2;
        }
        if (strcmp(argv[i], "--db") == 0)
            db = argv[i + 1];
        else if (strcmp(argv[i], "--now") == 0)
            now = argv[i + 1];
        else {
            fputs(usage_text, stderr);
            return 2;
        }
    }
    if ((db = cli_db(db, NULL)) == NULL) {
        cli_error("notify run: --db is required");
        return 2;
    }
    bf_error err = {0};
    store_options opt = {.synchronous_full = true};
    store *st = NULL;
    playbook_set *playbooks = NULL;
    api *app = NULL;
    int status = 1;
    size_t counts[3] = {0};
    if (store_open(db, &opt, &st, &err) != BF_OK) {
        cli_error("%s: %s", cli_db_name(db), err.message);
        goto done;
    }
    if ((playbooks = cli_load_all_playbooks(st)) == NULL || api_new(st, playbooks, &app) != BF_OK) {
        cli_error("cannot start the API");
        goto done;
    }
    bf_result r = api_notify_run(app, now, counts, &err);
    if (r == BF_ERR_INVALID) {
        cli_error("notify run: %s", err.message);
        status = 2;
        goto done;
    }
    if (r != BF_OK) {
        cli_error("notify run: %s", err.message[0] ? err.message : bf_result_code(r));
        goto done;
    }
    printf("{\"deal_stalled\": %zu, \"visit_tomorrow\": %zu, \"tender_near\": %zu}\n", counts[0],
           counts[1], counts[2]);
    status = 0;
done:
    api_free(app);
    store_close(st);
    playbook_set_free(playbooks);
    return status;
}
