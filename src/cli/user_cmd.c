/* bingfa user add|passwd and bingfa token create|revoke: the first admin, and
 * passwords and API tokens, from the command line. Users are created through
 * the API's own rules (in-process, as the command line's admin), so the same
 * checks and the same audit entries apply. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/password.h"
#include "auth/token.h"
#include "cli/cli.h"
#include "http/server.h"

/* A command's options: --name value pairs and flags. */
typedef struct opts {
    const char *db, *name, *role, *team, *partner, *display, *user, *label;
    bool password_stdin, random_password;
    const char *positional;
} opts;

static bool parse_opts(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--db") == 0             ? &o->db
                            : strcmp(a, "--name") == 0         ? &o->name
                            : strcmp(a, "--role") == 0         ? &o->role
                            : strcmp(a, "--team") == 0         ? &o->team
                            : strcmp(a, "--partner") == 0      ? &o->partner
                            : strcmp(a, "--display-name") == 0 ? &o->display
                            : strcmp(a, "--user") == 0         ? &o->user
                            : strcmp(a, "--label") == 0        ? &o->label
                                                               : NULL;
        if (slot != NULL && i + 1 < argc)
            *slot = argv[++i];
        else if (strcmp(a, "--password-stdin") == 0)
            o->password_stdin = true;
        else if (strcmp(a, "--random-password") == 0)
            o->random_password = true;
        else if (slot == NULL && a[0] != '-' && o->positional == NULL)
            o->positional = a;
        else
            return false;
    }
    return (o->db = cli_db(o->db, NULL)) != NULL;
}

void cli_random_password(char *out, size_t cap)
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    size_t n = 16 < cap ? 16 : cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    out[n] = '\0';
}

/* The password to set: one line of standard input, or a new random one. */
static bool read_password(const opts *o, char *out, size_t cap)
{
    if (o->password_stdin == o->random_password) {
        cli_error("give exactly one of --password-stdin and --random-password");
        return false;
    }
    if (o->random_password) {
        cli_random_password(out, cap);
        return true;
    }
    if (fgets(out, (int)cap, stdin) == NULL) {
        cli_error("no password on standard input");
        return false;
    }
    size_t len = strlen(out);
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
        out[--len] = '\0';
    return true;
}

/* One in-process request as the command line's admin; prints the error. */
static bf_result call_api(store *st, arena *a, const char *method, const char *path, json_t *body,
                          json_t **answer)
{
    playbook_set *playbooks = cli_load_all_playbooks(st);
    api *app = NULL;
    if (playbooks == NULL || api_new(st, playbooks, &app) != BF_OK) {
        playbook_set_free(playbooks);
        return BF_ERR_NOMEM;
    }
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    const char *headers[] = {"Content-Type", "application/json", NULL};
    http_request *req;
    bf_result r = http_request_local(a, method, path, text, text ? strlen(text) : 0, headers,
                                     api_handle, app, &req);
    free(text);
    if (r == BF_OK) {
        json_t *out = req->out.len ? json_loadb(req->out.data, req->out.len, 0, NULL) : NULL;
        if (req->status >= 300) {
            json_t *e = json_object_get(out, "error");
            cli_error("%s%s%s", json_string_value(json_object_get(e, "message")),
                      *json_string_value(json_object_get(e, "field")) ? ": " : "",
                      json_string_value(json_object_get(e, "field")));
            r = BF_ERR_INVALID;
            json_decref(out);
        } else if (answer) {
            *answer = out;
        } else {
            json_decref(out);
        }
    }
    api_free(app);
    playbook_set_free(playbooks);
    return r;
}

static bf_result set_password(store *st, arena *a, const char *id, const char *password)
{
    json_t *body = json_pack("{s:s}", "password", password);
    char *path = arena_printf(a, "/api/v1/users/%s/password", id);
    bf_result r = body && path ? call_api(st, a, "PUT", path, body, NULL) : BF_ERR_NOMEM;
    json_decref(body);
    return r;
}

bf_result cli_user_create(store *st, arena *a, const char *name, const char *role,
                          const char *team_id, const char *partner_id, const char *display_name,
                          const char *password, const char **id)
{
    json_t *body = json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "name", name, "role", role, "team_id",
                             team_id, "partner_id", partner_id, "display_name", display_name);
    json_t *answer = NULL;
    bf_result r = body ? call_api(st, a, "POST", "/api/v1/users", body, &answer) : BF_ERR_NOMEM;
    json_decref(body);
    if (r != BF_OK)
        return r;
    *id = arena_strdup(a, json_string_value(json_object_get(answer, "id")));
    json_decref(answer);
    if (*id == NULL)
        return BF_ERR_NOMEM;
    return set_password(st, a, *id, password);
}

/* Opens the database of the command; NULL (with a message) when it cannot. */
static store *open_db(const char *db)
{
    store *st = NULL;
    bf_error err = {0};
    store_options sopt = {.synchronous_full = true};
    if (store_open(db, &sopt, &st, &err) != BF_OK) {
        cli_error("%s: %s", cli_db_name(db), err.message);
        return NULL;
    }
    return st;
}

static const char user_usage[] =
    "usage: bingfa user add --db DB --name NAME --role ROLE [--team TEAM_ID]\n"
    "                       [--partner PARTNER_ID] [--display-name TEXT]\n"
    "                       (--password-stdin | --random-password)\n"
    "       bingfa user passwd --db DB --name NAME (--password-stdin | --random-password)\n";

int cli_user(int argc, char **argv)
{
    opts o;
    bool add = argc > 0 && strcmp(argv[0], "add") == 0;
    bool passwd = argc > 0 && strcmp(argv[0], "passwd") == 0;
    if ((!add && !passwd) || !parse_opts(argc - 1, argv + 1, &o) || o.name == NULL ||
        (add && o.role == NULL)) {
        fputs(user_usage, stderr);
        return 2;
    }
    char password[PASSWORD_MAX_BYTES + 2];
    if (!read_password(&o, password, sizeof(password)))
        return 2;
    bf_error err = {0};
    if (password_check_policy(password, "password", &err) != BF_OK) {
        cli_error("%s", err.message);
        return 2;
    }
    store *st = open_db(o.db);
    arena *a = arena_new(16 * 1024);
    int status = 1;
    if (st == NULL || a == NULL)
        goto done;
    const char *id = NULL;
    if (add) {
        if (cli_user_create(st, a, o.name, o.role, o.team, o.partner, o.display, password, &id) !=
            BF_OK)
            goto done;
    } else {
        user_login u;
        if (store_user_by_name(st, a, o.name, &u, &err) != BF_OK) {
            cli_error("no user named %s", o.name);
            goto done;
        }
        id = u.who.user_id;
        if (set_password(st, a, id, password) != BF_OK)
            goto done;
    }
    printf("%s %s\n", add ? "added user" : "password set for", o.name);
    if (o.random_password)
        printf("password: %s\n", password);
    status = 0;
done:
    sodium_memzero(password, sizeof(password));
    arena_free(a);
    store_close(st);
    return status;
}

static const char token_usage[] = "usage: bingfa token create --db DB --user NAME [--label TEXT]\n"
                                  "       bingfa token revoke --db DB TOKEN|TOKEN_ID\n";

int cli_token(int argc, char **argv)
{
    opts o;
    bool create = argc > 0 && strcmp(argv[0], "create") == 0;
    bool revoke = argc > 0 && strcmp(argv[0], "revoke") == 0;
    if ((!create && !revoke) || !parse_opts(argc - 1, argv + 1, &o) || (create && o.user == NULL) ||
        (revoke && o.positional == NULL)) {
        fputs(token_usage, stderr);
        return 2;
    }
    store *st = open_db(o.db);
    arena *a = arena_new(16 * 1024);
    bf_error err = {0};
    int status = 1;
    if (st == NULL || a == NULL)
        goto done;
    audit_entry e = {.actor = "cli", .address = "local", .resource = "users"};
    if (create) {
        user_login u;
        if (store_user_by_name(st, a, o.user, &u, &err) != BF_OK || !u.active) {
            cli_error("no active user named %s", o.user);
            goto done;
        }
        char token[TOKEN_TEXT_MAX], hash[TOKEN_HASH_HEX];
        token_generate("bft_", token);
        token_hash(token, hash);
        const char *id;
        e.action = "token_create";
        e.record_id = u.who.user_id;
        if (store_begin(st, &err) != BF_OK)
            goto failed;
        if (store_token_insert(st, a, u.who.user_id, hash, o.label, &id, &err) != BF_OK) {
            store_rollback(st);
            goto failed;
        }
        json_t *v = json_pack("{s:s, s:s?}", "token_id", id, "label", o.label);
        char *vt = v ? json_dumps(v, JSON_COMPACT) : NULL;
        json_decref(v);
        e.new_values = vt;
        bf_result r = vt ? store_audit_append(st, &e, &err) : BF_ERR_NOMEM;
        free(vt);
        if (r != BF_OK || store_commit(st, &err) != BF_OK) {
            if (r != BF_OK)
                store_rollback(st);
            goto failed;
        }
        printf("token %s for %s (keep it secret; it is shown only now)\n%s\n", id, o.user, token);
        sodium_memzero(token, sizeof(token));
    } else {
        char hash[TOKEN_HASH_HEX];
        const char *key = o.positional;
        if (strncmp(key, "bft_", 4) == 0) {
            token_hash(key, hash);
            key = hash;
        }
        const char *user_name = NULL;
        e.action = "token_revoke";
        if (store_begin(st, &err) != BF_OK)
            goto failed;
        bf_result r = store_token_revoke(st, a, key, &user_name, &err);
        if (r == BF_OK) {
            user_login u;
            if (store_user_by_name(st, a, user_name, &u, &err) == BF_OK)
                e.record_id = u.who.user_id;
            r = store_audit_append(st, &e, &err);
        }
        if (r != BF_OK) {
            store_rollback(st);
            goto failed;
        }
        if (store_commit(st, &err) != BF_OK)
            goto failed;
        printf("revoked a token of %s\n", user_name);
    }
    status = 0;
    goto done;
failed:
    cli_error("%s", err.message);
done:
    arena_free(a);
    store_close(st);
    return status;
}
