"""Several servers on one database (the deployment of docs/deploy.md): what
one server writes, the others read; a login on one is a session on all;
the same If-Match update raced across them is won once; login throttling
counts failures on every server; a playbook imported on one is served by
all; a server killed mid-stream loses no acknowledged write; servers that
start together on an empty database migrate it once. Runs on SQLite (two
processes on one file) and on PostgreSQL."""

import http.client
import json
import os
import signal
import tempfile
import threading
import unittest

import bingfa_db
from bingfa_server import ADMIN_NAME, ADMIN_PASSWORD, BingfaServer, fresh_db, run_cli
from test_auth import COOKIE_NAME, SESSION, parse_set_cookie
from test_playbook_import import custom, next_version

ARGS = ["--password-cost", "min"]
NO_AUTH = {"Authorization": None}


class TwoServersTest(unittest.TestCase):
    """Servers a and b on one database, for the whole class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a = BingfaServer(extra_args=ARGS)
        cls.b = BingfaServer(db=cls.a.db, init=False, tmpdir=cls.a.tmpdir, extra_args=ARGS)
        try:
            cls.a.start()
            cls.b.start()
        except Exception:
            cls.b.cleanup()
            cls.a.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.b.stop()
            cls.a.stop()
        finally:
            cls.b.cleanup()
            cls.a.cleanup()
            super().tearDownClass()

    def login(self, server, name, password):
        r = server.post(SESSION, {"name": name, "password": password}, headers=NO_AUTH)
        self.assertEqual(r.status, 200, r)
        _, cookie, _ = parse_set_cookie(r.headers["Set-Cookie"])
        return {"Authorization": None, "Cookie": "%s=%s" % (COOKIE_NAME, cookie),
                "X-CSRF-Token": r.json["csrf_token"]}

    def test_a_login_on_one_server_is_a_session_on_the_other(self):
        session = self.login(self.a, ADMIN_NAME, ADMIN_PASSWORD)
        r = self.b.get(SESSION, headers=session)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["user"]["name"], r.json["authenticated_by"]),
                         (ADMIN_NAME, "session"))
        made = self.b.post("/api/v1/accounts", {"name": "会话写入客户"}, headers=session)
        self.assertEqual(made.status, 201, made)
        self.assertEqual(self.a.get("/api/v1/accounts/" + made.json["id"]).json, made.json)
        # Logged out on b, the session is over on a too.
        self.assertEqual(self.b.request("DELETE", SESSION, headers=session).status, 204)
        self.assertEqual(self.a.get(SESSION, headers=session).status, 401)

    def test_what_one_writes_the_other_reads(self):
        acc = self.a.post("/api/v1/accounts", {"name": "两台服务器的客户"})
        self.assertEqual(acc.status, 201, acc)
        got = self.b.get("/api/v1/accounts/" + acc.json["id"])
        self.assertEqual((got.status, got.json), (200, acc.json))
        self.assertEqual(got.headers.get("ETag"), '"1"')
        changed = self.b.patch("/api/v1/accounts/" + acc.json["id"], {"industry": "医疗"},
                               version=1)
        self.assertEqual(changed.status, 200, changed)
        again = self.a.get("/api/v1/accounts/" + acc.json["id"])
        self.assertEqual((again.json["industry"], again.headers.get("ETag")), ("医疗", '"2"'))
        # An update from the stale version is refused wherever it arrives.
        self.assertEqual(self.a.patch("/api/v1/accounts/" + acc.json["id"], {"industry": "x"},
                                      version=1).status, 412)

    def race(self, path, version, body_of, n):
        """n PATCHes of path with If-Match version at once, alternating the
        servers; their statuses."""
        start = threading.Barrier(n)
        statuses = [None] * n

        def one(i):
            server = self.a if i % 2 == 0 else self.b
            start.wait()
            statuses[i] = server.patch(path, body_of(i), version=version).status

        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        return statuses

    def test_the_same_if_match_update_raced_across_servers_is_won_once(self):
        for round_ in range(5):
            acc = self.a.post("/api/v1/accounts", {"name": "竞争客户 %d" % round_}).json
            path = "/api/v1/accounts/" + acc["id"]
            statuses = self.race(path, 1, lambda i: {"region": "区域 %d" % i}, 8)
            self.assertEqual(sorted(statuses), [200] + [412] * 7, statuses)
            winner = statuses.index(200)
            for server in (self.a, self.b):
                now = server.get(path)
                self.assertEqual((now.json["version"], now.json["region"]),
                                 (2, "区域 %d" % winner))

    def test_failed_logins_on_both_servers_lock_the_account(self):
        self.a.make_user("split.guess", role="sales", password="split-right-pass")
        for i in range(5):
            server = self.a if i % 2 == 0 else self.b
            r = server.post(SESSION, {"name": "split.guess", "password": "wrong-%d" % i},
                            headers=NO_AUTH)
            self.assertEqual(r.status, 401, r)
        for server in (self.a, self.b):
            r = server.post(SESSION, {"name": "split.guess", "password": "split-right-pass"},
                            headers=NO_AUTH)
            self.assertEqual(r.status, 429, r)
            self.assertTrue(1 <= int(r.headers["Retry-After"]) <= 900, r.headers)

    def test_a_playbook_imported_on_one_server_is_served_by_the_other(self):
        self.assertEqual(self.a.post("/api/v1/playbooks", custom("two-servers")).status, 201)
        got = self.b.get("/api/v1/playbooks/two-servers")
        self.assertEqual(got.status, 200, got)
        acc = self.b.post("/api/v1/accounts", {"name": "新方法客户"}).json
        opp = self.b.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "新方法商机",
                                                    "playbook": "two-servers"})
        self.assertEqual((opp.status, opp.json["playbook_version"]), (201, 1), opp)
        # Imported with the command line while both run: both serve it at once.
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "v2.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(next_version(custom("two-servers"), 2), f, ensure_ascii=False)
            res = run_cli("playbook", "import", "--db", self.a.db, path)
            self.assertEqual(res.returncode, 0, res.stderr)
        for server in (self.a, self.b):
            listed = [p for p in server.get("/api/v1/playbooks").json["items"]
                      if p["id"] == "two-servers"]
            self.assertEqual((listed[0]["version"], sorted(listed[0]["versions"])), (2, [1, 2]))
        # Version 2 again, on b: stored already.
        self.assertEqual(self.b.post("/api/v1/playbooks",
                                     next_version(custom("two-servers"), 2)).status, 409)


class KilledServerTest(unittest.TestCase):
    """kill -9 of one server during a stream of writes: every write it
    acknowledged is in the database, and the other server goes on."""

    def test_no_acknowledged_write_is_lost(self):
        a = BingfaServer(extra_args=ARGS)
        b = BingfaServer(db=a.db, init=False, tmpdir=a.tmpdir, extra_args=ARGS)
        try:
            a.start()
            b.start()
            acknowledged = {}
            lock = threading.Lock()
            enough = threading.Event()

            def stream(worker):
                for i in range(100000):
                    try:
                        r = a.post("/api/v1/accounts", {"name": "流 %d-%d" % (worker, i)},
                                   timeout=10)
                    except (OSError, http.client.HTTPException):
                        return  # the server is gone
                    if r.status == 201:
                        with lock:
                            acknowledged[r.json["id"]] = r.json
                            if len(acknowledged) >= 150:
                                enough.set()

            threads = [threading.Thread(target=stream, args=(w,)) for w in range(4)]
            for t in threads:
                t.start()
            self.assertTrue(enough.wait(120), "too few writes acknowledged")
            os.kill(a.proc.pid, signal.SIGKILL)
            for t in threads:
                t.join(60)
            self.assertEqual(a.proc.wait(timeout=20), -signal.SIGKILL)
            a.stop(check=False)
            for rid, rec in acknowledged.items():
                got = b.get("/api/v1/accounts/" + rid)
                self.assertEqual((got.status, got.json), (200, rec))
            stored = bingfa_db.query(b.db, "SELECT COUNT(*) FROM accounts WHERE name LIKE ?",
                                     ("流 %",))[0][0]
            print("\nkill -9 mid-stream: %d writes acknowledged, all there; %d stored"
                  % (len(acknowledged), stored))
            # b writes on.
            self.assertEqual(b.post("/api/v1/accounts", {"name": "之后"}).status, 201)
            b.stop()
        finally:
            b.cleanup()
            a.cleanup()


class StartTogetherTest(unittest.TestCase):
    """Two servers started at once on an empty database: one migrates it,
    the other finds it done; both serve the latest schema."""

    def test_two_servers_migrate_an_empty_database_once(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = fresh_db(tmp)
            servers = [BingfaServer(db=db, init=False, tmpdir=tmp, extra_args=ARGS)
                       for _ in range(2)]
            for s in servers:
                s.token = "made after the start"  # not by both at once
            errors = []

            def start(s):
                try:
                    s.start()
                except Exception as e:  # noqa: BLE001 (reported below)
                    errors.append(e)

            threads = [threading.Thread(target=start, args=(s,)) for s in servers]
            try:
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(120)
                self.assertEqual(errors, [])
                self.assertEqual(servers[0].schema_version, servers[1].schema_version)
                for s in servers:
                    s.renew_admin_token()
                acc = servers[0].post("/api/v1/accounts", {"name": "同时启动"}).json
                self.assertEqual(servers[1].get("/api/v1/accounts/" + acc["id"]).status, 200)
                for s in servers:
                    s.stop()
            finally:
                for s in servers:
                    s.cleanup()


if __name__ == "__main__":
    unittest.main()
