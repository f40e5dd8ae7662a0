"""Authentication: API tokens and login sessions with their CSRF token,
logging out, changing and setting passwords, throttling of failed logins,
rehashing on login when the password cost changed, revoking tokens and
deactivating users, nothing secret stored in clear, and the audit entries of
logins.

Each login hashes a password with argon2id, so every class keeps its logins
few; the throttling tests each run on a server of their own so that their
failures lock out nobody else."""

import os
import re
import unittest
from urllib.parse import quote

import bingfa_db
from bingfa_server import ADMIN_NAME, ADMIN_PASSWORD, ServerTestCase, run_cli

NO_AUTH = {"Authorization": None}
SESSION = "/api/v1/session"
COOKIE_NAME = "bingfa_session"
TOKEN_RE = re.compile(r"^bft_[A-Za-z0-9_-]{43}$")
SESSION_RE = re.compile(r"^bfs_[A-Za-z0-9_-]+$")
HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
TOKEN_LINE_RE = re.compile(r"^token (tok_\S+) for (\S+) ")
COOKIE_ATTRS = {"Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=43200"}


class Session:
    """A logged-in browser: its cookie value and CSRF token."""

    def __init__(self, cookie, csrf, user):
        self.cookie = cookie
        self.csrf = csrf
        self.user = user

    def headers(self, csrf=True):
        """Cookie only (no Authorization); with csrf, the X-CSRF-Token too."""
        h = {"Authorization": None, "Cookie": "%s=%s" % (COOKIE_NAME, self.cookie)}
        if csrf is True:
            h["X-CSRF-Token"] = self.csrf
        elif csrf:
            h["X-CSRF-Token"] = csrf
        return h


def parse_set_cookie(value):
    """(name, value, set of attributes) of a Set-Cookie header."""
    parts = [p.strip() for p in value.split(";")]
    name, _, val = parts[0].partition("=")
    return name, val, set(parts[1:])


def cli_token(db, user, label=None):
    """(token id, token) of a new API token made with the command line."""
    args = ["token", "create", "--db", db, "--user", user]
    if label:
        args += ["--label", label]
    res = run_cli(*args)
    if res.returncode != 0:
        raise AssertionError("token create: %s %s" % (res.stdout, res.stderr))
    lines = res.stdout.strip().splitlines()
    m = TOKEN_LINE_RE.match(lines[-2])
    if not m or m.group(2) != user:
        raise AssertionError("token create printed %r" % (res.stdout,))
    return m.group(1), lines[-1]


def cli_user_add(db, name, role, password, *extra):
    return run_cli("user", "add", "--db", db, "--name", name, "--role", role, *extra,
                   "--password-stdin", input=password + "\n")


def bearer(token):
    return {"Authorization": "Bearer " + token}


def password_hash_of(db, name):
    rows = bingfa_db.query(db, "SELECT password_hash FROM users WHERE name = ?", (name,))
    return rows[0][0] if rows else None


class AuthCase(ServerTestCase):
    """Helpers shared by the classes below."""

    def login(self, name, password, status=200, code=None):
        """Logs in; returns a Session when status is 200, else the error."""
        r = self.post(SESSION, {"name": name, "password": password}, headers=NO_AUTH)
        if status != 200:
            err = self.assertError(r, status, code)
            self.assertNotIn("Set-Cookie", r.headers, r.headers)
            return err
        self.assertEqual(r.status, 200, r)
        cookie_name, value, _ = parse_set_cookie(r.headers.get("Set-Cookie", ""))
        self.assertEqual(cookie_name, COOKIE_NAME, r.headers)
        return Session(value, r.json["csrf_token"], r.json["user"])

    def assertUnauthenticated(self, r):
        self.assertError(r, 401, "unauthenticated")
        self.assertEqual(r.headers.get("WWW-Authenticate"), 'Bearer realm="bingfa"', r.headers)

    def assertSessionValid(self, session):
        r = self.get(SESSION, headers=session.headers(csrf=False))
        self.assertEqual(r.status, 200, r)
        return r.json

    def assertSessionEnded(self, session):
        self.assertUnauthenticated(self.get(SESSION, headers=session.headers(csrf=False)))
        self.assertUnauthenticated(self.get("/api/v1/accounts",
                                            headers=session.headers(csrf=False)))

    def user_named(self, name):
        r = self.get("/api/v1/users?limit=200&q=" + quote(name))
        self.assertEqual(r.status, 200, r)
        found = [u for u in r.json["items"] if u["name"] == name]
        return found[0] if found else None

    def audit(self, query):
        r = self.get("/api/v1/audit?" + query)
        self.assertEqual(r.status, 200, r)
        return r.json["items"]


class AuthTest(AuthCase):
    """One server; every test uses users of its own. Failed logins here stay
    well below the per-address limit (20)."""

    # -- no credentials ----------------------------------------------------------------

    def test_every_route_needs_credentials(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        me = self.user_named(ADMIN_NAME)
        spec = self.get("/api/v1/openapi.json")
        self.assertEqual(spec.status, 200, spec)
        # Real records where the path names one, so that only credentials are missing.
        ids = {"accounts": acc["id"], "opportunities": opp["id"], "users": me["id"],
               "teams": me["team_id"]}
        names = {"user": me["id"], "partner": "ptn_x", "item": "ce-recorded",
                 "decision": "vision"}

        def fill(path):
            kind = path.split("/")[3] if path.startswith("/api/v1/") else ""
            return re.sub(r"\{(\w+)\}",
                          lambda m: ids.get(kind, "x_x") if m.group(1) == "id"
                          else names.get(m.group(1), "x"), path)

        checked = 0
        for path, ops in spec.json["paths"].items():
            for method in ops:
                method = method.upper()
                if method not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    continue
                if path == "/healthz" or (path == SESSION and method == "POST"):
                    continue
                if path == "/api/v1/calendar/feed/{file}":
                    continue  # its secret is in the path (test_calendar.py)
                url = fill(path)
                body = {} if method in ("POST", "PUT", "PATCH") else None
                headers = dict(NO_AUTH)
                if method in ("PATCH", "DELETE"):
                    headers["If-Match"] = '"1"'
                r = self.request(method, url, body=body, headers=headers)
                with self.subTest(method=method, path=url):
                    self.assertUnauthenticated(r)
                checked += 1
        self.assertGreaterEqual(checked, 60)
        # Nothing was written without credentials.
        self.assertEqual(self.get("/api/v1/opportunities/" + opp["id"]).json, opp)
        self.assertEqual(self.get("/api/v1/accounts/" + acc["id"]).json["version"], 1)
        # The two open routes.
        r = self.get("/healthz", headers=NO_AUTH)
        self.assertEqual(r.status, 200, r)
        r = self.post(SESSION, {}, headers=NO_AUTH)
        self.assertError(r, 422, field="name")

    def test_garbage_credentials(self):
        before = self.count("accounts")
        for value in ("Bearer garbage", "Bearer bft_" + "A" * 43, "Bearer bfs_" + "A" * 43,
                      "Bearer ", "Basic dGVzdGVyOnRlc3Rlci1wYXNzd29yZC0x", "bft_" + "A" * 43,
                      "Bearer " + self.server.token + "x", "Bearer " + self.server.token[:-1]):
            with self.subTest(authorization=value):
                self.assertUnauthenticated(self.get("/api/v1/accounts",
                                                    headers={"Authorization": value}))
                self.assertUnauthenticated(self.post("/api/v1/accounts", {"name": "不该建"},
                                                     headers={"Authorization": value}))
        for cookie in ("bfs_" + "A" * 43, "garbage", "", self.server.token):
            with self.subTest(cookie=cookie):
                h = {"Authorization": None, "Cookie": "%s=%s" % (COOKIE_NAME, cookie)}
                self.assertUnauthenticated(self.get("/api/v1/accounts", headers=h))
        self.assertEqual(self.count("accounts"), before)

    # -- logging in --------------------------------------------------------------------

    def test_login_answer_and_cookie(self):
        user = self.server.make_user("login.ok", role="sales", password="login-ok-pass")
        r = self.post(SESSION, {"name": "login.ok", "password": "login-ok-pass"},
                      headers=NO_AUTH)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json), {"user", "csrf_token", "expires_at"}, r)
        self.assertEqual(r.json["user"], {"id": user["id"], "name": "login.ok", "role": "sales",
                                          "team_id": user["team_id"], "partner_id": None})
        self.assertRegex(r.json["csrf_token"], HEX64_RE)
        self.assertRegex(r.json["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
        name, value, attrs = parse_set_cookie(r.headers["Set-Cookie"])
        self.assertEqual(name, COOKIE_NAME)
        self.assertRegex(value, SESSION_RE)
        self.assertEqual(attrs, COOKIE_ATTRS, r.headers["Set-Cookie"])
        self.assertNotIn("Secure", r.headers["Set-Cookie"])
        # Two logins: two sessions, two CSRF tokens.
        again = self.login("login.ok", "login-ok-pass")
        self.assertNotEqual(again.cookie, value)
        self.assertNotEqual(again.csrf, r.json["csrf_token"])

    def test_wrong_password_and_unknown_name_answer_alike(self):
        self.server.make_user("login.wrong", role="sales", password="login-wrong-pass")
        wrong = self.login("login.wrong", "not-the-password", 401, "invalid_credentials")
        unknown = self.login("no.such.user", "login-wrong-pass", 401, "invalid_credentials")
        self.assertEqual(wrong["message"], unknown["message"])
        self.assertEqual(wrong["field"], unknown["field"])

    def test_login_needs_both_fields(self):
        for body, field in (({}, "name"), ({"password": "whatever-123"}, "name"),
                            ({"name": ADMIN_NAME}, "password")):
            with self.subTest(body=body):
                r = self.post(SESSION, body, headers=NO_AUTH)
                self.assertError(r, 422, field=field)
                self.assertNotIn("Set-Cookie", r.headers)

    def test_an_unknown_field_of_a_login_is_refused_and_the_server_stays_up(self):
        # Found by fuzzing: an unknown key in a body checked without a parent
        # path once dereferenced NULL and took the server down, unauthenticated.
        for path, body in ((SESSION, {"name": "x", "password": "y", "extra": 1}),
                           ("/api/v1/session/password", {"current_password": "x",
                                                         "new_password": "y" * 12, "extra": 1})):
            with self.subTest(path=path):
                r = self.post(path, body, headers=NO_AUTH if path == SESSION else None)
                self.assertError(r, 422, "unknown_field", "extra")
        self.assertEqual(self.get("/healthz").status, 200)

    def test_session_and_token_say_who(self):
        user = self.server.make_user("who.am.i", role="consultant", password="who-am-i-pass")
        s = self.login("who.am.i", "who-am-i-pass")
        me = self.assertSessionValid(s)
        self.assertEqual(me["authenticated_by"], "session")
        self.assertEqual(me["csrf_token"], s.csrf)
        self.assertEqual((me["user"]["id"], me["user"]["name"], me["user"]["role"]),
                         (user["id"], "who.am.i", "consultant"))
        r = self.get(SESSION)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["authenticated_by"], "token")
        self.assertEqual((r.json["user"]["name"], r.json["user"]["role"]), (ADMIN_NAME, "admin"))
        self.assertNotIn("csrf_token", r.json)

    # -- CSRF --------------------------------------------------------------------------

    def test_cookie_writes_need_the_csrf_token(self):
        self.server.make_user("csrf.user", role="sales", password="csrf-user-pass")
        s = self.login("csrf.user", "csrf-user-pass")
        other = self.login("csrf.user", "csrf-user-pass")
        # Reading needs no CSRF token.
        r = self.get("/api/v1/accounts", headers=s.headers(csrf=False))
        self.assertEqual(r.status, 200, r)
        before = self.count("accounts")
        bad = [False, "0" * 64, other.csrf, s.csrf.upper(), s.csrf[:-1], ""]
        for csrf in bad:
            with self.subTest(csrf=csrf):
                r = self.post("/api/v1/accounts", {"name": "CSRF 客户"}, headers=s.headers(csrf))
                self.assertError(r, 403, "csrf", "X-CSRF-Token")
        self.assertEqual(self.count("accounts"), before, "a refused POST wrote")
        # With the right one it works; the record is the user's.
        r = self.post("/api/v1/accounts", {"name": "CSRF 客户"}, headers=s.headers())
        self.assertEqual(r.status, 201, r)
        acc = r.json
        self.assertEqual(acc["owner"], "csrf.user")
        self.assertEqual(self.count("accounts"), before + 1)
        url = "/api/v1/accounts/" + acc["id"]
        for csrf in bad:
            with self.subTest(csrf=csrf):
                h = dict(s.headers(csrf), **{"If-Match": '"1"'})
                r = self.request("PATCH", url, body={"industry": "政府"}, headers=h)
                self.assertError(r, 403, "csrf", "X-CSRF-Token")
                r = self.request("DELETE", url, headers=h)
                self.assertError(r, 403, "csrf", "X-CSRF-Token")
                r = self.request("PUT", url + "/profile", body={}, headers=s.headers(csrf))
                self.assertError(r, 403, "csrf", "X-CSRF-Token")
        now = self.get(url)
        # what each may do is the reader's own (the admin here, the user above)
        now.json.pop("allowed_actions"), acc.pop("allowed_actions")
        self.assertEqual(now.json, acc, "a refused PATCH or DELETE wrote")
        self.assertEqual(self.get(url + "/profile").json["version"], 0)
        h = dict(s.headers(), **{"If-Match": '"1"'})
        r = self.request("PATCH", url, body={"industry": "政府"}, headers=h)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["industry"], "政府")
        h = dict(s.headers(), **{"If-Match": '"2"'})
        r = self.request("DELETE", url, headers=h)
        self.assertEqual(r.status, 204, r)
        self.assertError(self.get(url), 404, "not_found")
        # The other session's own token works for it.
        r = self.post("/api/v1/accounts", {"name": "CSRF 客户二"}, headers=other.headers())
        self.assertEqual(r.status, 201, r)

    # -- logging out -------------------------------------------------------------------

    def test_logout(self):
        self.server.make_user("logout.user", role="sales", password="logout-user-pass")
        s = self.login("logout.user", "logout-user-pass")
        kept = self.login("logout.user", "logout-user-pass")
        r = self.request("DELETE", SESSION, headers=s.headers(csrf=False))
        self.assertError(r, 403, "csrf", "X-CSRF-Token")
        r = self.request("DELETE", SESSION, headers=s.headers("1" * 64))
        self.assertError(r, 403, "csrf", "X-CSRF-Token")
        self.assertSessionValid(s)
        r = self.request("DELETE", SESSION, headers=s.headers())
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.raw, b"")
        self.assertSessionEnded(s)
        self.assertUnauthenticated(self.request("DELETE", SESSION, headers=s.headers()))
        # Only that session ended.
        self.assertSessionValid(kept)
        # A token is not a session.
        self.assertError(self.request("DELETE", SESSION), 409, "not_a_session")
        self.assertEqual(self.get(SESSION).status, 200)

    # -- passwords ---------------------------------------------------------------------

    def test_change_own_password(self):
        old, new = "change-old-pass", "新密码12"   # 5 characters, 11 bytes
        user = self.server.make_user("change.pw", role="sales", password=old)
        s = self.login("change.pw", old)
        other = self.login("change.pw", old)
        url = SESSION + "/password"
        for body, field in (({"current_password": old, "new_password": "1234567"},
                             "new_password"),
                            ({"current_password": old, "new_password": ""}, "new_password"),
                            ({"current_password": old}, "new_password"),
                            ({"new_password": new}, "current_password")):
            with self.subTest(body=body):
                self.assertError(self.post(url, body, headers=s.headers()), 422, field=field)
        r = self.post(url, {"current_password": "wrong-current", "new_password": new},
                      headers=s.headers())
        self.assertError(r, 401)
        # Without the CSRF token: refused, nothing changes.
        r = self.post(url, {"current_password": old, "new_password": new},
                      headers=s.headers(csrf=False))
        self.assertError(r, 403, "csrf", "X-CSRF-Token")
        self.assertSessionValid(other)
        r = self.post(url, {"current_password": old, "new_password": new}, headers=s.headers())
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.raw, b"")
        # The session used stays; the other ends.
        self.assertSessionValid(s)
        self.assertSessionEnded(other)
        self.login("change.pw", old, 401, "invalid_credentials")
        fresh = self.login("change.pw", new)
        self.assertEqual(fresh.user["id"], user["id"])
        entries = self.audit("record_id=" + user["id"])
        self.assertIn("password_change", [e["action"] for e in entries])

    def test_admin_sets_a_password(self):
        user = self.server.make_user("set.pw", role="sales", password="set-pw-first")
        s = self.login("set.pw", "set-pw-first")
        url = "/api/v1/users/%s/password" % user["id"]
        manager = self.server.auth("set.pw.manager", role="manager")
        for headers in (manager, self.server.auth("set.pw.sales", role="sales"),
                        s.headers()):
            r = self.request("PUT", url, body={"password": "by-someone-else"}, headers=headers)
            self.assertError(r, 403)
        self.assertSessionValid(s)
        self.assertError(self.request("PUT", url, body={"password": "short"}), 422,
                         field="password")
        self.assertError(self.request("PUT", url, body={}), 422, field="password")
        self.assertError(self.request("PUT", "/api/v1/users/usr_nosuchuser/password",
                                      body={"password": "long-enough-1"}), 404)
        r = self.request("PUT", url, body={"password": "set-pw-second"})
        self.assertEqual(r.status, 204, r)
        self.assertSessionEnded(s)
        self.login("set.pw", "set-pw-first", 401, "invalid_credentials")
        self.login("set.pw", "set-pw-second")
        entries = self.audit("record_id=" + user["id"])
        sets = [e for e in entries if e["action"] == "password_set"]
        self.assertEqual(len(sets), 2, entries)   # make_user's and this one
        self.assertEqual(sets[0]["actor"], ADMIN_NAME)

    # -- tokens and users from the command line ------------------------------------------

    def test_token_revocation(self):
        self.server.make_user("revoke.me", role="sales")
        tok_id, token = cli_token(self.server.db, "revoke.me", label="脚本")
        self.assertRegex(token, TOKEN_RE)
        self.assertRegex(tok_id, r"^tok_\w+$")
        tok_id2, token2 = cli_token(self.server.db, "revoke.me")
        self.assertNotEqual(token, token2)
        for t in (token, token2):
            r = self.get(SESSION, headers=bearer(t))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["user"]["name"], "revoke.me")
        # Revoked by the token itself.
        res = run_cli("token", "revoke", "--db", self.server.db, token)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertUnauthenticated(self.get("/api/v1/accounts", headers=bearer(token)))
        self.assertEqual(self.get(SESSION, headers=bearer(token2)).status, 200)
        res = run_cli("token", "revoke", "--db", self.server.db, token)
        self.assertEqual(res.returncode, 1, (res.stdout, res.stderr))
        # Revoked by its id.
        res = run_cli("token", "revoke", "--db", self.server.db, tok_id2)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertUnauthenticated(self.get("/api/v1/accounts", headers=bearer(token2)))
        for key in (tok_id2, token2, "tok_nosuchtoken", "bft_" + "A" * 43):
            with self.subTest(key=key):
                res = run_cli("token", "revoke", "--db", self.server.db, key)
                self.assertEqual(res.returncode, 1, (res.stdout, res.stderr))
        user = self.user_named("revoke.me")
        actions = [e["action"] for e in self.audit("record_id=" + user["id"])]
        self.assertEqual(actions.count("token_create"), 2, actions)
        self.assertEqual(actions.count("token_revoke"), 2, actions)

    def test_deactivated_user_loses_tokens_and_sessions(self):
        user = self.server.make_user("leaver", role="sales", password="leaver-pass-1")
        _, token = cli_token(self.server.db, "leaver")
        s = self.login("leaver", "leaver-pass-1")
        self.assertEqual(self.get("/api/v1/accounts", headers=bearer(token)).status, 200)
        self.assertSessionValid(s)
        url = "/api/v1/users/" + user["id"]
        # Deactivating needs If-Match, and an admin.
        self.assertError(self.patch(url, {"active": False}), 428)
        self.assertError(self.patch(url, {"active": False}, version=user["version"],
                                    headers=bearer(token)), 403)
        r = self.patch(url, {"active": False}, version=user["version"])
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["active"], False)
        self.assertUnauthenticated(self.get("/api/v1/accounts", headers=bearer(token)))
        self.assertSessionEnded(s)
        self.login("leaver", "leaver-pass-1", 401, "invalid_credentials")
        res = run_cli("token", "create", "--db", self.server.db, "--user", "leaver")
        self.assertNotEqual(res.returncode, 0, res.stdout)

    def test_cli_user_add_roles(self):
        db = self.server.db
        for role in ("boss", "Admin", "", "partners"):
            with self.subTest(role=role):
                res = cli_user_add(db, "bad.role.%s" % (role or "empty"), role, "cli-pass-123")
                self.assertNotEqual(res.returncode, 0, res.stdout)
                self.assertIsNone(self.user_named("bad.role.%s" % (role or "empty")))
        res = cli_user_add(db, "cli.partner.none", "partner", "cli-pass-123")
        self.assertNotEqual(res.returncode, 0, res.stdout)
        self.assertIsNone(self.user_named("cli.partner.none"))
        p = self.create("partners", {"name": "命令行伙伴"})
        res = cli_user_add(db, "cli.partner", "partner", "cli-pass-123", "--partner", p["id"])
        self.assertEqual(res.returncode, 0, res.stderr)
        u = self.user_named("cli.partner")
        self.assertEqual((u["role"], u["partner_id"]), ("partner", p["id"]))
        res = cli_user_add(db, "cli.sales.partner", "sales", "cli-pass-123", "--partner", p["id"])
        self.assertNotEqual(res.returncode, 0, res.stdout)
        for role in ("sales", "consultant", "manager", "implementation", "admin"):
            with self.subTest(role=role):
                res = cli_user_add(db, "cli." + role, role, "cli-pass-123")
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(self.user_named("cli." + role)["role"], role)
        # A password too short is refused too.
        res = cli_user_add(db, "cli.short", "sales", "short")
        self.assertNotEqual(res.returncode, 0, res.stdout)
        self.assertIsNone(self.user_named("cli.short"))
        self.login("cli.consultant", "cli-pass-123")

    # -- nothing in clear ----------------------------------------------------------------

    def test_nothing_secret_is_stored_in_clear(self):
        db = self.server.db
        passwords = {"clear.api": "明文不存-api-pass-1", "clear.cli": "clear-cli-pass-2"}
        self.server.make_user("clear.api", role="sales", password=passwords["clear.api"])
        res = cli_user_add(db, "clear.cli", "consultant", passwords["clear.cli"])
        self.assertEqual(res.returncode, 0, res.stderr)
        secrets = [ADMIN_PASSWORD, self.server.token] + list(passwords.values())
        sessions = [self.login(n, p) for n, p in passwords.items()]
        sessions.append(self.login("clear.cli", passwords["clear.cli"]))
        # A password change and a failed attempt: neither password is kept.
        changed = "clear-cli-pass-3"
        r = self.post(SESSION + "/password", {"current_password": passwords["clear.cli"],
                                              "new_password": changed},
                      headers=sessions[-1].headers())
        self.assertEqual(r.status, 204, r)
        failed = "clear-wrong-guess-4"
        self.login("clear.api", failed, 401, "invalid_credentials")
        secrets += [changed, failed]
        secrets += [s.cookie for s in sessions]
        for name in passwords:
            for _ in range(2):
                secrets.append(cli_token(db, name)[1])
        secrets.append(self.server.token_for("clear.api"))
        # Every secret works (or worked) as what it is.
        self.assertEqual(self.get(SESSION, headers=bearer(secrets[-1])).status, 200)
        self.assertSessionValid(sessions[0])
        secrets = [s for s in secrets if s]
        self.assertGreaterEqual(len(secrets), 12)
        tables = bingfa_db.tables(db)
        self.assertIn("audit_log", tables)
        self.assertIn("api_tokens", tables)
        self.assertIn("sessions", tables)
        scanned = 0
        for table in tables:
            for row in bingfa_db.query(db, 'SELECT * FROM "%s"' % table.replace('"', '""')):
                for value in row:
                    if value is None:
                        continue
                    if isinstance(value, bytes):
                        text = value.decode("utf-8", "replace")
                    else:
                        text = str(value)
                    scanned += 1
                    for secret in secrets:
                        self.assertNotIn(secret, text,
                                         "a secret is stored in clear in table %s" % table)
        self.assertGreater(scanned, 100)
        hashes = bingfa_db.query(db, "SELECT name, password_hash FROM users "
                                     "WHERE password_hash IS NOT NULL")
        self.assertGreaterEqual(len(hashes), 3)
        for name, h in hashes:
            self.assertTrue(h.startswith("$argon2id$"), (name, h))
        self.assertGreaterEqual(bingfa_db.query(db, "SELECT count(*) FROM api_tokens")[0][0], 5)
        self.assertGreaterEqual(bingfa_db.query(db, "SELECT count(*) FROM sessions")[0][0], 2)
        # Nor in the database's files as bytes (the write-ahead log included; a
        # SQLite file: PostgreSQL's files are the server's).
        for suffix in ("", "-wal", "-journal"):
            path = db + suffix
            if not os.path.exists(path):
                continue
            with open(path, "rb") as f:
                data = f.read()
            for secret in secrets:
                self.assertNotIn(secret.encode("utf-8"), data,
                                 "a secret is in %s as bytes" % os.path.basename(path))

    # -- the audit of logins -------------------------------------------------------------

    def test_logins_are_audited(self):
        guess = "audit-wrong-guess-9"
        user = self.server.make_user("audit.login", role="sales", password="audit-login-pass")
        s = self.login("audit.login", "audit-login-pass")
        self.login("audit.login", guess, 401, "invalid_credentials")
        self.login("audit.nobody", guess, 401, "invalid_credentials")
        r = self.request("DELETE", SESSION, headers=s.headers())
        self.assertEqual(r.status, 204, r)

        failed = self.audit("action=login_failed&limit=200")
        self.assertTrue(all(e["action"] == "login_failed" for e in failed), failed)
        mine = [e for e in failed if (e["new"] or {}).get("name") in ("audit.login",
                                                                     "audit.nobody")]
        self.assertEqual([e["new"]["name"] for e in mine], ["audit.nobody", "audit.login"])
        for e in mine:
            self.assertEqual(set(e), {"seq", "at", "actor", "action", "resource", "record_id",
                                      "old", "new", "address"})
            self.assertTrue(e["address"], e)
            self.assertTrue(e["at"], e)
        self.assertGreater(mine[0]["seq"], mine[1]["seq"])   # newest first
        for e in failed:
            self.assertNotIn(guess, str(e))
            self.assertNotIn("audit-login-pass", str(e))

        logins = self.audit("action=login&limit=200")
        ok = [e for e in logins if e["record_id"] == user["id"]]
        self.assertEqual(len(ok), 1, logins)
        self.assertEqual((ok[0]["action"], ok[0]["actor"]), ("login", "audit.login"))
        self.assertNotIn("audit-login-pass", str(ok[0]))
        outs = [e for e in self.audit("action=logout&limit=200") if e["record_id"] == user["id"]]
        self.assertEqual(len(outs), 1)
        self.assertEqual(outs[0]["actor"], "audit.login")
        # Per user record, newest first: logout, failure not tied to the record, login.
        actions = [e["action"] for e in self.audit("record_id=" + user["id"])]
        self.assertEqual(actions[:2], ["logout", "login"], actions)
        # The whole log (and a search by action) is an admin's.
        manager = self.server.auth("audit.manager", role="manager")
        for query in ("action=login_failed", "", "actor=audit.login"):
            with self.subTest(query=query):
                self.assertError(self.get("/api/v1/audit?" + query, headers=manager), 403)


class CookieSecureTest(AuthCase):
    """--cookie-secure adds Secure to the session cookie."""

    server_args = ["--cookie-secure"]

    def test_secure_cookie(self):
        self.server.make_user("secure.user", role="sales", password="secure-user-pass")
        r = self.post(SESSION, {"name": "secure.user", "password": "secure-user-pass"},
                      headers=NO_AUTH)
        self.assertEqual(r.status, 200, r)
        name, value, attrs = parse_set_cookie(r.headers["Set-Cookie"])
        self.assertEqual(name, COOKIE_NAME)
        self.assertRegex(value, SESSION_RE)
        self.assertEqual(attrs, COOKIE_ATTRS | {"Secure"}, r.headers["Set-Cookie"])
        s = Session(value, r.json["csrf_token"], r.json["user"])
        self.assertEqual(self.assertSessionValid(s)["authenticated_by"], "session")


class AccountThrottleTest(AuthCase):
    """Five failures for one name lock that name out, even with the right
    password; other names from the same address still log in."""

    def test_five_failures_lock_the_account(self):
        self.server.make_user("locked", role="sales", password="locked-right-pass")
        self.server.make_user("bystander", role="sales", password="bystander-pass")
        for i in range(5):
            self.login("locked", "wrong-guess-%d" % i, 401, "invalid_credentials")
        r = self.post(SESSION, {"name": "locked", "password": "locked-right-pass"},
                      headers=NO_AUTH)
        self.assertError(r, 429, "too_many_attempts")
        self.assertNotIn("Set-Cookie", r.headers)
        retry = r.headers.get("Retry-After")
        self.assertIsNotNone(retry, r.headers)
        self.assertRegex(retry, r"^\d+$")
        self.assertTrue(1 <= int(retry) <= 900, retry)
        self.login("locked", "wrong-guess-x", 429, "too_many_attempts")
        # Not a lock-out of the address: another name logs in.
        self.login("bystander", "bystander-pass")
        # The account's tokens still work: only password logins are throttled.
        self.assertEqual(self.get(SESSION, headers=self.server.auth("locked")).status, 200)


class AddressThrottleTest(AuthCase):
    """Twenty failures from one address, each for another name, lock the
    address out."""

    def test_twenty_failures_lock_the_address(self):
        self.server.make_user("good.user", role="sales", password="good-user-pass")
        for i in range(20):
            self.login("ghost.%d" % i, "wrong-guess-%d" % i, 401, "invalid_credentials")
        r = self.post(SESSION, {"name": "good.user", "password": "good-user-pass"},
                      headers=NO_AUTH)
        self.assertError(r, 429, "too_many_attempts")
        retry = r.headers.get("Retry-After")
        self.assertIsNotNone(retry, r.headers)
        self.assertRegex(retry, r"^\d+$")
        self.assertGreaterEqual(int(retry), 1)
        self.login("ghost.new", "wrong-guess", 429, "too_many_attempts")


class RehashTest(AuthCase):
    """A hash made with other limits than the server's is remade at login."""

    server_args = ["--password-cost", "min"]

    def test_login_rehashes_with_the_servers_cost(self):
        db = self.server.db
        res = cli_user_add(db, "rehash.me", "sales", "rehash-me-pass")
        self.assertEqual(res.returncode, 0, res.stderr)
        before = password_hash_of(db, "rehash.me")
        self.assertTrue(before.startswith("$argon2id$v=19$m=65536"), before)
        self.login("rehash.me", "rehash-me-pass")
        after = password_hash_of(db, "rehash.me")
        self.assertNotEqual(after, before)
        self.assertTrue(after.startswith("$argon2id$"), after)
        self.assertIn("m=8,", after)
        # It still logs in, and the hash is not remade again.
        self.login("rehash.me", "rehash-me-pass")
        self.assertEqual(password_hash_of(db, "rehash.me"), after)
        self.login("rehash.me", "rehash-me-pasS", 401, "invalid_credentials")
        # Passwords set through the server get its cost at once.
        self.server.make_user("rehash.api", role="sales", password="rehash-api-pass")
        self.assertIn("m=8,", password_hash_of(db, "rehash.api"))
        self.login("rehash.api", "rehash-api-pass")


class DuplicateNameTest(ServerTestCase):
    def test_a_login_name_is_unique(self):
        r = self.post("/api/v1/users", {"name": "同名", "role": "sales"})
        self.assertEqual(r.status, 201, r)
        r = self.post("/api/v1/users", {"name": "同名", "role": "consultant"})
        self.assertError(r, 409, "duplicate", "name")
        users = self.list_all("users", "q=%E5%90%8C%E5%90%8D")
        self.assertEqual([(u["name"], u["role"]) for u in users], [("同名", "sales")])


if __name__ == "__main__":
    unittest.main()
