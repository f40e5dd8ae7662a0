/* Logging in and out: POST /api/v1/session checks a password (throttled per
 * account and address, in a bounded number of hashing slots) and answers a
 * session cookie with its CSRF token; GET tells who is logged in; DELETE logs
 * out; POST /api/v1/session/password changes one's own password; an admin
 * sets anyone's with PUT /api/v1/users/{id}/password. */
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "auth/password.h"
#include "auth/token.h"
#include "core/text.h"
#include "http/response.h"

static void time_text(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static void time_after(unsigned seconds, char *out, size_t cap)
{
    time_text((int64_t)time(NULL) + seconds, out, cap);
}

static json_t *user_json(const viewer *v)
{
    return json_pack("{s:s?, s:s, s:s, s:s?, s:s?}", "id", v->user_id, "name", v->name, "role",
                     access_role_name(v->role), "team_id", v->team_id, "partner_id", v->partner_id);
}

/* The text member key of a checked body. */
static const char *body_text(json_t *body, const char *key)
{
    return json_string_value(json_object_get(body, key));
}

static bf_result throttled(api_call *call, unsigned retry_after)
{
    char *s = arena_printf(call->arena, "%u", retry_after);
    if (s)
        http_set_header(call->req, "Retry-After", s);
    return bf_fail(&call->err, BF_ERR_THROTTLED, "too_many_attempts", NULL,
                   "too many logins; try again in %u seconds", retry_after);
}

/* Whether a login of name from address may be tried at now (*retry_after
 * the seconds until it may, when not). Login throttling is the same on every
 * server of a database: its counts are made afresh for each attempt from
 * what the audit log holds of the name and the address in the last window
 * (their logins and failed logins, replayed through a throttle table of
 * those keys alone), so a failure on one server counts on all of them and a
 * restart forgets nothing. An attempt still being checked is not counted
 * until its entry is written. */
static bf_result login_allowed(api_call *call, const char *name, const char *address, int64_t now,
                               unsigned *retry_after, bool *allowed)
{
    char since[32];
    time_text(now - (int64_t)call->app->logins.window_s, since, sizeof(since));
    login_attempt *items = NULL;
    size_t n = 0;
    bf_result r = store_logins_of(call->app->store, call->arena, name, address, since, &items, &n,
                                  &call->err);
    throttle *t = r == BF_OK ? throttle_new(&call->app->logins) : NULL;
    if (r == BF_OK && t == NULL)
        r = BF_ERR_NOMEM;
    if (r != BF_OK)
        return r;
    throttle_set_address_rate(t, call->app->login_rate, 60);
    for (size_t i = 0; i < n; i++) {
        int64_t at = (int64_t)text_parse_utc(items[i].at);
        const char *who = items[i].name && strcmp(items[i].name, name) == 0 ? name : NULL;
        const char *from =
            address && items[i].address && strcmp(items[i].address, address) == 0 ? address : NULL;
        if (at <= 0)
            continue;
        throttle_attempt(t, from, at);
        if (items[i].ok)
            throttle_succeed(t, who, at);
        else
            throttle_fail(t, who, from, at);
    }
    *allowed = throttle_allows(t, name, address, now, retry_after);
    throttle_free(t);
    return BF_OK;
}

static bf_result audit_login(api_call *call, const char *action, const char *name,
                             const char *user_id);

/* Checks name's password. BF_OK with *u when right (rehashing when the hash
 * was made with other limits); BF_ERR_UNAUTHENTICATED when wrong or unknown,
 * after the same work either way, with a failed login in the audit log
 * (what throttling counts). */
static bf_result check_password(api_call *call, const char *name, const char *password,
                                const char *field, user_login *u)
{
    const char *address = http_client_address(call->req);
    unsigned retry = 0;
    bool allowed = false;
    bf_result r = login_allowed(call, name, address, (int64_t)time(NULL), &retry, &allowed);
    if (r != BF_OK)
        return r;
    if (!allowed)
        return throttled(call, retry);
    r = store_user_by_name(call->app->store, call->arena, name, u, &call->err);
    if (r != BF_OK && r != BF_ERR_NOT_FOUND)
        return r;
    bool ok = false, rehash = false;
    if (r == BF_OK && u->active && u->password_hash != NULL) {
        if ((r = password_verify(u->password_hash, password, &ok, &rehash, &call->err)) != BF_OK)
            return r;
    } else {
        password_verify_dummy(password);
    }
    if (!ok) {
        bf_error_clear(&call->err);
        r = audit_login(call, "login_failed", name, NULL);
        if (r != BF_OK)
            return r;
        return bf_fail(&call->err, BF_ERR_UNAUTHENTICATED, "invalid_credentials", field,
                       "the name or the password is wrong");
    }
    if (rehash) {
        char hash[PASSWORD_HASH_MAX];
        if ((r = password_hash(password, hash, sizeof(hash), &call->err)) == BF_OK)
            r = store_user_set_password(call->app->store, u->who.user_id, hash, &call->err);
        if (r != BF_OK)
            return r;
    }
    return BF_OK;
}

static bf_result audit_login(api_call *call, const char *action, const char *name,
                             const char *user_id)
{
    json_t *v = api_keep(call, json_pack("{s:s}", "name", name));
    if (v == NULL)
        return BF_ERR_NOMEM;
    return api_audit(call, action, user_id ? "users" : NULL, user_id, NULL, v);
}

/* A login's session and its audit entry. */
typedef struct login_write {
    const char *hash, *expires, *name, *user_id;
} login_write;

static bf_result login_in_tx(api_call *call, void *ctx)
{
    login_write *w = ctx;
    bf_result r = store_session_insert(call->app->store, w->hash, w->user_id, w->expires,
                                       http_client_address(call->req), &call->err);
    return r == BF_OK ? audit_login(call, "login", w->name, w->user_id) : r;
}

bf_result session_login(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body;
    bf_result r = api_body_as(call, &body_login, &body);
    if (r != BF_OK)
        return r;
    const char *name = body_text(body, "name"), *password = body_text(body, "password");
    call->actor = name;
    user_login u;
    r = check_password(call, name, password, "password", &u);
    if (r != BF_OK)
        return r;

    char token[TOKEN_TEXT_MAX], hash[TOKEN_HASH_HEX], csrf[TOKEN_HASH_HEX], expires[32];
    token_generate("bfs_", token);
    token_hash(token, hash);
    token_csrf_of(token, csrf);
    time_after(call->app->session_ttl_s, expires, sizeof(expires));
    call->who = &u.who;
    call->actor = u.who.name;
    login_write w = {hash, expires, name, u.who.user_id};
    if ((r = api_transaction(call, login_in_tx, &w)) != BF_OK)
        return r;
    char *cookie =
        arena_printf(call->arena, "bingfa_session=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%u%s",
                     token, call->app->session_ttl_s, call->app->cookie_secure ? "; Secure" : "");
    if (cookie == NULL)
        return BF_ERR_NOMEM;
    http_set_header(call->req, "Set-Cookie", cookie);
    http_set_header(call->req, "Cache-Control", "no-store");
    json_t *out = json_pack("{s:o, s:s, s:s}", "user", user_json(&u.who), "csrf_token", csrf,
                            "expires_at", expires);
    if (out == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, out);
    return BF_OK;
}

bf_result session_get(api_call *call, const api_route *route)
{
    (void)route;
    json_t *out = json_pack("{s:o, s:s}", "user", user_json(call->who), "authenticated_by",
                            call->session_hash ? "session" : "token");
    if (out == NULL)
        return BF_ERR_NOMEM;
    if (call->session_hash) {
        /* The page may have been reloaded: give the CSRF token again. */
        const char *cookie = http_cookie(call->req, "bingfa_session");
        char csrf[TOKEN_HASH_HEX];
        token_csrf_of(cookie, csrf);
        json_object_set_new(out, "csrf_token", json_string(csrf));
    }
    http_set_header(call->req, "Cache-Control", "no-store");
    http_respond_json(call->req, 200, out);
    return BF_OK;
}

/* Ends the call's session, with its audit entry. */
static bf_result logout_in_tx(api_call *call, void *ctx)
{
    (void)ctx;
    bf_result r = store_session_delete(call->app->store, call->session_hash, &call->err);
    return r == BF_OK ? audit_login(call, "logout", call->who->name, call->who->user_id) : r;
}

bf_result session_logout(api_call *call, const api_route *route)
{
    (void)route;
    if (call->session_hash == NULL)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_a_session", NULL,
                       "this request carries an API token, not a session; revoke the token "
                       "with bingfa token revoke");
    bf_result r = api_transaction(call, logout_in_tx, NULL);
    if (r != BF_OK)
        return r;
    http_set_header(call->req, "Set-Cookie",
                    "bingfa_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    http_respond_empty(call->req, 204);
    return BF_OK;
}

/* A new password hash being stored. */
typedef struct password_write {
    const char *user_id, *hash, *keep, *action;
} password_write;

static bf_result password_in_tx(api_call *call, void *ctx)
{
    password_write *w = ctx;
    store *st = call->app->store;
    bf_result r = store_user_set_password(st, w->user_id, w->hash, &call->err);
    if (r == BF_OK)
        r = store_sessions_end_user(st, w->user_id, w->keep, &call->err);
    int64_t revoked = 0, feeds = 0;
    if (r == BF_OK)
        r = store_tokens_revoke_user(st, w->user_id, &revoked, &call->err);
    if (r == BF_OK)
        r = store_calendar_feeds_revoke_user(st, w->user_id, &feeds, &call->err);
    json_t *what = NULL;
    if (r == BF_OK &&
        (what = api_keep(call, json_pack("{s:I}", "tokens_revoked", (json_int_t)revoked))) == NULL)
        r = BF_ERR_NOMEM;
    if (r == BF_OK && feeds > 0 &&
        json_object_set_new(what, "calendar_feeds_revoked", json_integer(feeds)) != 0)
        r = BF_ERR_NOMEM;
    return r == BF_OK ? api_audit(call, w->action, "users", w->user_id, NULL, what) : r;
}

/* Hashes password and stores it for user_id, ending the user's other
 * sessions (all when keep is NULL) and revoking every API token and the
 * calendar feed of the user (a secret made under the old password must not
 * outlive it), with an audit entry of action. */
static bf_result set_password(api_call *call, const char *user_id, const char *password,
                              const char *keep, const char *action)
{
    char hash[PASSWORD_HASH_MAX];
    bf_result r = password_hash(password, hash, sizeof(hash), &call->err);
    if (r != BF_OK)
        return r;
    password_write w = {user_id, hash, keep, action};
    return api_transaction(call, password_in_tx, &w);
}

bf_result session_password(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body = NULL;
    bf_result r = api_body_as(call, &body_password_change, &body);
    const char *current = body_text(body, "current_password");
    const char *next = body_text(body, "new_password");
    if (r == BF_OK)
        r = password_check_policy(next, "new_password", &call->err);
    if (r != BF_OK)
        return r;
    if (call->who->user_id == NULL)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "no_user", NULL,
                       "the command line acts as no user; use bingfa user passwd");
    user_login u;
    r = check_password(call, call->who->name, current, "current_password", &u);
    if (r != BF_OK)
        return r;
    if ((r = set_password(call, u.who.user_id, next, call->session_hash, "password_change")) !=
        BF_OK)
        return r;
    http_respond_empty(call->req, 204);
    return BF_OK;
}

bf_result user_password_put(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body = NULL;
    const char *id = call->req->params[0];
    bf_result r = api_require(call, ACCESS_MANAGE_USERS);
    if (r == BF_OK)
        r = api_require_visible(call, &resource_users, id);
    if (r == BF_OK)
        r = api_body_as(call, &body_password_set, &body);
    const char *password = body_text(body, "password");
    if (r == BF_OK)
        r = password_check_policy(password, "password", &call->err);
    if (r == BF_OK)
        r = set_password(call, id, password, NULL, "password_set");
    if (r != BF_OK)
        return r;
    http_respond_empty(call->req, 204);
    return BF_OK;
}
