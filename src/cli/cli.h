/* The command line: bingfa init | serve | playbook validate. Each command
 * returns the process exit status: 0 success, 1 failure, 2 bad arguments. */
#ifndef BF_CLI_CLI_H
#define BF_CLI_CLI_H

#include "core/playbook.h"
#include "http/server.h"
#include "store/store.h"

/* bingfa init --db DB [--demo] [--schema-version N] */
int cli_init(int argc, char **argv);

/* bingfa serve [--db DB] [--listen ADDR:PORT] … (--help prints its options) */
int cli_serve(int argc, char **argv);

/* The help of bingfa serve: its line and its options (static text). */
extern const char cli_serve_usage[];

/* The help's note on what DB may be (static text). */
extern const char cli_db_usage[];

/* bingfa playbook validate FILE… */
int cli_playbook(int argc, char **argv);

/* bingfa tool bid-simulation|procurement-advice [FILE] */
int cli_tool(int argc, char **argv);

/* bingfa api --db DB METHOD PATH [BODY]: any route, in-process */
int cli_api(int argc, char **argv);

/* Runs one request in-process on the database db (headers as
 * http_request_local takes them) and hands its answer to answer(ctx, req),
 * whose return is the exit status; 1 when the request could not be run. */
int cli_api_run(const char *db, const char *method, const char *target, const char *body,
                size_t len, const char *const *headers,
                int (*answer)(void *ctx, const http_request *req), void *ctx);

/* bingfa export --db DB RESOURCE [QUERY]: a list as a CSV or XLSX file */
int cli_export(int argc, char **argv);

/* bingfa import --db FILE [--as USER] … FILE|-: a bulk load of JSON lines
 * through the API's create path (docs/import.md) */
int cli_import(int argc, char **argv);

/* bingfa knowledge import|export: the knowledge base as JSON. */
int cli_knowledge(int argc, char **argv);

/* bingfa backup [--db DB] [--force] [--pg-bin DIR] OUT: a consistent copy
 * of the database while servers write to it, checked (docs/backup.md) */
int cli_backup(int argc, char **argv);

/* bingfa restore [--db DB] [--force] [--pg-bin DIR] IN: a backup checked and
 * brought back, atomically (docs/backup.md) */
int cli_restore(int argc, char **argv);

/* bingfa notify run --db DB [--now TIME]: the notifications' periodic job once */
int cli_notify(int argc, char **argv);

/* bingfa user add|passwd …: users and their passwords */
int cli_user(int argc, char **argv);

/* bingfa token create|revoke …: API tokens */
int cli_token(int argc, char **argv);

/* Creates a user through the API's rules (as the command line's admin) and
 * sets its password; *id gets its id (in a). Prints why not. */
bf_result cli_user_create(store *st, arena *a, const char *name, const char *role,
                          const char *team_id, const char *partner_id, const char *display_name,
                          const char *password, const char **id);

/* Writes a new random password of 16 letters and digits into out (cap > 16). */
void cli_random_password(char *out, size_t cap);

/* Fills the store with the demo data set: the organisation (teams, partner
 * companies, users who all get password), accounts, contacts, opportunities
 * across the stages with their teams and partners, activities. */
bf_result demo_load(store *st, const playbook_set *playbooks, const char *password, bf_error *err);

/* Loads the built-in playbooks into a new set (caller frees); prints why not. */
playbook_set *cli_load_playbooks(void);

/* Loads the built-in playbooks, keeps each built-in version in the database
 * (so deals stay on the version they started on after an upgrade), and adds
 * every stored version and imported playbook. NULL (with a message) on error. */
playbook_set *cli_load_all_playbooks(store *st);

/* The database a command works on: the value of its --db option when given
 * (a SQLite file or a postgresql:// URI), else the environment's BINGFA_DB,
 * else fallback (which may be NULL). Not copied: one of the three. */
const char *cli_db(const char *given, const char *fallback);

/* db fit to be printed (a URI's password hidden), in static storage that
 * the next call overwrites. */
const char *cli_db_name(const char *db);

/* Prints "bingfa: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
