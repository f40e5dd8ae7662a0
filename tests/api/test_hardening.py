"""One client must not take the server down: connections per address, the
deadline of request headers and the pace of bodies, bodies refused before
they are read when the caller is unknown, a server-wide budget of body
memory, password hashing off the request workers, request framing that two
parties could read differently; and what a browser and the file system are
told: security headers, compression, a private database file, API tokens
that end with the password, login throttling that survives a restart."""

import gzip
import json
import os
import resource
import socket
import stat
import statistics
import threading
import time
import unittest

from bingfa_server import (ADMIN_NAME, ADMIN_PASSWORD, BingfaServer, ServerTestCase,
                           on_postgres, parse_raw_response, run_cli)

# A second loopback address: the well-behaved client, apart from the one
# that misbehaves on 127.0.0.1.
OTHER = "127.0.0.2"


def raise_fd_limit(want):
    """Lets this process (and the servers it starts) open want descriptors;
    answers how many it may."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        soft = new
    return soft


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def healthz(port, source=OTHER, timeout=5):
    """GET /healthz from source: (seconds, status or None)."""
    started = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                     source_address=(source, 0))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        return time.monotonic() - started, int(data.split(b" ")[1])
    except (OSError, IndexError, ValueError):
        return time.monotonic() - started, None


def closed_by_server(sock, wait):
    """True when the server closes sock within wait seconds."""
    sock.settimeout(wait)
    try:
        return sock.recv(4096) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def login_body(name=ADMIN_NAME, password=ADMIN_PASSWORD):
    return json.dumps({"name": name, "password": password}).encode()


def raw_request(port, data, timeout=10, source="127.0.0.1"):
    """Sends data and reads until the server closes: (raw answer, closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                 source_address=(source, 0))
    try:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return out, False
            if not chunk:
                return out, True
            out += chunk
    finally:
        s.close()


class SlowClientsTest(ServerTestCase):
    """Item 1: 1,500 slow connections from one address."""

    server_args = ["--header-timeout", "3"]

    @classmethod
    def setUpClass(cls):
        cls.fds = raise_fd_limit(4096)  # inherited by the server
        super().setUpClass()

    def test_slow_connections_from_one_address_leave_others_served(self):
        n = min(1500, self.fds - 200)
        self.assertGreaterEqual(n, 1100, "the test needs about 1,500 descriptors")
        port = self.server.port
        slow = []
        for _ in range(n):
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=2)
                s.sendall(b"GET /healthz HTTP/1.1\r\n")
                slow.append(s)
            except OSError:
                pass
        try:
            answered, times = 0, []
            for _ in range(12):
                for s in slow:  # a header line now and then: never idle
                    try:
                        s.send(b"X-Slow: 1\r\n")
                    except OSError:
                        pass
                took, status = healthz(port)
                times.append(took)
                answered += status == 200
                # and an authenticated read, as a user would
                out, _ = raw_request(port, (
                    "GET /api/v1/accounts HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                    "Authorization: Bearer %s\r\n\r\n" % self.server.token).encode(),
                    source=OTHER)
                self.assertEqual(parse_raw_response(out).status, 200)
                time.sleep(0.25)
            self.assertEqual(answered, 12, "healthz answered %d of 12" % answered)
            self.assertLess(max(times), 2.0, times)
            # The address holds at most its limit of open connections, and
            # those too are closed once their headers are overdue.
            open_after = [s for s in slow if not closed_by_server(s, 0.01)]
            self.assertLessEqual(len(open_after), 64)
            time.sleep(4)
            still = [s for s in open_after if not closed_by_server(s, 0.5)]
            self.assertEqual(still, [], "connections without headers after the deadline")
            # Refusals are logged, a few lines a second, not one per connection.
            logged = self.server.stderr_text.count("bingfa: http:")
            self.assertGreater(logged, 0)
            self.assertLess(logged, 300)
        finally:
            for s in slow:
                s.close()

    def test_headers_have_a_deadline(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10,
                                     source_address=(OTHER, 0))
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\n")
            started = time.monotonic()
            closed = False
            while time.monotonic() - started < 8:
                try:
                    s.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    closed = True
                    break
                if closed_by_server(s, 0.5):
                    closed = True
                    break
            took = time.monotonic() - started
            self.assertTrue(closed, "a header line every half second kept the connection")
            self.assertGreater(took, 2)
            self.assertLess(took, 6)
        finally:
            s.close()

    def test_a_body_must_keep_a_minimum_rate(self):
        head = ("POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Authorization: Bearer %s\r\nContent-Length: 100000\r\n\r\n" % self.server.token)
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10,
                                     source_address=(OTHER, 0))
        try:
            s.sendall(head.encode())
            started = time.monotonic()
            closed = False
            while time.monotonic() - started < 10:
                try:
                    s.sendall(b"x" * 10)  # 20 bytes a second, under 1 KiB/s
                except OSError:
                    closed = True
                    break
                if closed_by_server(s, 0.5):
                    closed = True
                    break
            took = time.monotonic() - started
            self.assertTrue(closed, "a body at 20 bytes/s was read for 10 s")
            self.assertLess(took, 7)
        finally:
            s.close()


class BodyMemoryTest(ServerTestCase):
    """Item 2: bodies of unknown callers are never read; bodies in flight
    have a server-wide budget."""

    # The bound docs/security.md states for 500 unauthenticated 1 MiB posts:
    # the server's resident memory grows by less than this (the same posts
    # took a build that read them first from 11 MB to 422 MB).
    RSS_GROWTH_MIB = 48

    server_args = ["--max-body-memory", "3145728", "--max-body", "2097152",
                   "--max-connections-per-address", "600"]

    @classmethod
    def setUpClass(cls):
        raise_fd_limit(2048)  # inherited by the server
        super().setUpClass()

    def test_unauthenticated_bodies_are_not_read(self):
        pid = self.server.proc.pid
        for _ in range(3):
            self.server.get("/api/v1/accounts")
        before = rss_mib(pid)
        body = b"x" * (1 << 20)
        head = (b"POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json"
                b"\r\nContent-Length: %d\r\n\r\n" % len(body))
        statuses, peak = [], [before]
        lock = threading.Lock()

        def post():
            try:
                s = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
                s.sendall(head)
                try:
                    s.sendall(body)
                except OSError:
                    pass  # answered and closed before the body: as it should be
                out = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    out += chunk
                s.close()
                with lock:
                    statuses.append(parse_raw_response(out).status)
            except (OSError, ValueError):
                with lock:
                    statuses.append(None)

        threads = [threading.Thread(target=post) for _ in range(500)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            peak.append(rss_mib(pid))
            time.sleep(0.05)
        for t in threads:
            t.join()
        peak.append(rss_mib(pid))
        growth = max(peak) - before
        print("rss: %.1f MiB idle, %.1f MiB at most during 500 unauthenticated 1 MiB posts"
              % (before, max(peak)))
        self.assertEqual(statuses.count(401), 500, statuses[:20])
        self.assertLess(growth, self.RSS_GROWTH_MIB)
        self.assertEqual(self.server.get("/healthz").status, 200)

    def test_bodies_in_flight_have_a_budget(self):
        # Three MiB of budget: two 1.5 MiB bodies being sent hold it all,
        # and a third is refused before it is read.
        size = 1536 * 1024
        head = ("POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n"
                % (self.server.token, size)).encode()
        held = []
        try:
            for _ in range(2):
                s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
                s.sendall(head + b"{")
                held.append(s)
            time.sleep(0.3)
            out, closed = raw_request(self.server.port, head + b"{")
            r = parse_raw_response(out)
            self.assertEqual(r.status, 503, r)
            self.assertEqual(r.json["error"]["code"], "busy")
            self.assertTrue(r.headers.get("Retry-After"))
            self.assertTrue(closed)
        finally:
            for s in held:
                s.close()
        # Once they are gone the budget is back.
        time.sleep(0.3)
        r = self.server.post("/api/v1/accounts", {"name": "预算之后"})
        self.assertEqual(r.status, 201, r)

    def test_login_bodies_without_credentials_are_small(self):
        body = b'{"name":"' + b"x" * 8000 + b'","password":"y"}'
        r = self.server.request("POST", "/api/v1/session", raw=body,
                                headers={"Authorization": None})
        self.assertEqual(r.status, 413, r)


class LoginPoolTest(ServerTestCase):
    """Item 4: password hashing runs on a pool, never in a request worker."""

    server_args = ["--login-rate", "0"]

    def login(self, source="127.0.0.3"):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=60,
                                     source_address=(source, 0))
        body = login_body()
        s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                  b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                  + body)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        s.close()
        return parse_raw_response(out)

    def test_logins_do_not_stall_other_requests(self):
        stop = threading.Event()
        statuses = []

        def keep_logging_in():
            while not stop.is_set():
                statuses.append(self.login().status)

        threads = [threading.Thread(target=keep_logging_in) for _ in range(32)]
        for t in threads:
            t.start()
        try:
            time.sleep(1)
            times = []
            for _ in range(30):
                took, status = healthz(self.server.port)
                self.assertEqual(status, 200)
                times.append(took)
                time.sleep(0.1)
        finally:
            stop.set()
            for t in threads:
                t.join()
        print("healthz during 32 concurrent logins: p50 %.3f s, max %.3f s (%d logins)"
              % (statistics.median(times), max(times), len(statuses)))
        self.assertIn(200, statuses)
        self.assertTrue(set(statuses) <= {200, 503}, set(statuses))
        self.assertLess(statistics.median(times), 0.25)
        self.assertLess(max(times), 1.5)


class LoginQueueTest(ServerTestCase):
    """Item 4: the pool's queue is bounded: 503 with Retry-After beyond it."""

    server_args = ["--login-rate", "0", "--hash-slots", "1", "--hash-queue", "1",
                   "--password-cost", "moderate"]

    def test_a_full_queue_answers_503(self):
        results = []

        def login():
            r = self.server.request("POST", "/api/v1/session",
                                    body={"name": ADMIN_NAME, "password": "wrong-password"},
                                    headers={"Authorization": None})
            results.append(r)

        threads = [threading.Thread(target=login) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        busy = [r for r in results if r.status == 503]
        self.assertTrue(busy, [r.status for r in results])
        self.assertEqual(busy[0].json["error"]["code"], "busy")
        self.assertTrue(busy[0].headers.get("Retry-After"))
        self.assertTrue(all(r.status in (401, 503) for r in results),
                        [r.status for r in results])


class LoginRateTest(ServerTestCase):
    """Item 4: valid logins are throttled per address too."""

    server_args = ["--login-rate", "3", "--password-cost", "min"]

    def test_valid_logins_from_one_address_are_limited(self):
        statuses = [self.request("POST", "/api/v1/session",
                                 body={"name": ADMIN_NAME, "password": ADMIN_PASSWORD},
                                 headers={"Authorization": None}).status for _ in range(4)]
        self.assertEqual(statuses, [200, 200, 200, 429])


class FramingTest(ServerTestCase):
    """Item 11: request smuggling."""

    def exchange(self, head, body=b"{}"):
        data = ("POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Authorization: Bearer %s\r\n%s\r\n" % (self.server.token, head)).encode() + body
        out, closed = raw_request(self.server.port, data)
        return parse_raw_response(out), closed

    def test_two_different_content_lengths(self):
        r, closed = self.exchange("Content-Length: 2\r\nContent-Length: 40\r\n")
        self.assertError(r, 400, "bad_framing")
        self.assertTrue(closed)

    def test_content_length_and_transfer_encoding(self):
        r, closed = self.exchange("Content-Length: 2\r\nTransfer-Encoding: chunked\r\n",
                                  b"2\r\n{}\r\n0\r\n\r\n")
        self.assertError(r, 400, "bad_framing")
        self.assertTrue(closed)

    def test_unknown_transfer_coding(self):
        r, closed = self.exchange("Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n")
        self.assertError(r, 400, "bad_framing")
        self.assertTrue(closed)

    def test_plain_requests_still_work(self):
        body = json.dumps({"name": "框架"}, ensure_ascii=False).encode()
        r, _ = self.exchange("Content-Length: %d\r\nConnection: close\r\n" % len(body), body)
        self.assertEqual(r.status, 201, r)


class HeadersAndCompressionTest(unittest.TestCase):
    """Item 10 (headers) and item 14 (compression)."""

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.root = tempfile.mkdtemp(prefix="bingfa-web-")
        os.makedirs(os.path.join(cls.root, "assets"))
        cls.script = ("console.log('兵法');\n" * 400).encode()
        files = {"index.html": b"<!doctype html><title>x</title><script type=module "
                               b"src=/assets/app.js></script>",
                 "assets/app.js": cls.script,
                 "assets/app.js.gz": gzip.compress(cls.script),
                 "assets/app.js.br": b"BROTLI-BYTES"}
        for name, data in files.items():
            with open(os.path.join(cls.root, name), "wb") as f:
                f.write(data)
        cls.server = BingfaServer(extra_args=["--web", cls.root, "--cookie-secure"])
        cls.server.start()
        for i in range(30):
            cls.server.post("/api/v1/accounts", {"name": "压缩客户%02d" % i,
                                                 "notes": "华东大区重点客户" * 4})

    @classmethod
    def tearDownClass(cls):
        import shutil
        try:
            cls.server.stop()
        finally:
            cls.server.cleanup()
            shutil.rmtree(cls.root, ignore_errors=True)

    def test_pages_have_a_strict_policy(self):
        r = self.server.request("GET", "/", headers={"Authorization": None})
        self.assertEqual(r.status, 200)
        csp = r.headers["Content-Security-Policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline' ;", csp)
        self.assertNotIn("script-src 'self' 'unsafe", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(r.headers["X-Frame-Options"], "DENY")
        self.assertEqual(r.headers["Referrer-Policy"], "same-origin")
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        self.assertIn("max-age=", r.headers["Strict-Transport-Security"])

    def test_api_answers_load_nothing(self):
        r = self.server.get("/api/v1/accounts")
        self.assertEqual(r.headers["Content-Security-Policy"],
                         "default-src 'none'; frame-ancestors 'none'")
        self.assertEqual(r.headers["X-Frame-Options"], "DENY")

    def test_no_hsts_without_tls(self):
        with BingfaServer() as plain:
            self.assertIsNone(plain.get("/healthz").headers.get("Strict-Transport-Security"))

    def test_precompressed_assets(self):
        for accept, coding, body in (("gzip, deflate, br", "br", b"BROTLI-BYTES"),
                                     ("gzip", "gzip", None), ("identity", None, self.script),
                                     (None, None, self.script), ("br;q=0, gzip", "gzip", None)):
            with self.subTest(accept=accept):
                headers = {"Authorization": None}
                if accept is not None:
                    headers["Accept-Encoding"] = accept
                r = self.server.request("GET", "/assets/app.js", headers=headers)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.headers.get("Content-Encoding"), coding)
                self.assertEqual(r.headers["Vary"], "Accept-Encoding")
                self.assertEqual(r.headers["Content-Type"], "text/javascript; charset=utf-8")
                if coding == "gzip":
                    self.assertEqual(gzip.decompress(r.raw), self.script)
                else:
                    self.assertEqual(r.raw, body)

    def test_large_json_is_compressed_for_who_accepts_it(self):
        plain = self.server.get("/api/v1/accounts?limit=50")
        self.assertIsNone(plain.headers.get("Content-Encoding"))
        self.assertGreater(len(plain.raw), 1024)
        z = self.server.get("/api/v1/accounts?limit=50", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(z.headers["Content-Encoding"], "gzip")
        self.assertEqual(z.headers["Vary"], "Accept-Encoding")
        self.assertLess(len(z.raw), len(plain.raw) // 2)
        self.assertEqual(json.loads(gzip.decompress(z.raw)), plain.json)
        small = self.server.get("/healthz", headers={"Accept-Encoding": "gzip"})
        self.assertIsNone(small.headers.get("Content-Encoding"))


class TrustedProxyTest(ServerTestCase):
    """Behind a reverse proxy, the client's address is the proxy's
    X-Forwarded-For, believed from that proxy alone."""

    server_args = ["--trusted-proxy", "127.0.0.1", "--password-cost", "min"]

    def failed_login_from(self, source, forwarded):
        body = json.dumps({"name": "无此人", "password": "wrong-guess"}).encode()
        data = ("POST /api/v1/session HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                "Content-Type: application/json\r\nX-Forwarded-For: %s\r\n"
                "Content-Length: %d\r\n\r\n" % (forwarded, len(body))).encode() + body
        out, _ = raw_request(self.server.port, data, source=source)
        self.assertEqual(parse_raw_response(out).status, 401)
        return self.get("/api/v1/audit?action=login_failed&limit=1").json["items"][0]["address"]

    def test_forwarded_for_from_the_proxy_only(self):
        self.assertEqual(self.failed_login_from("127.0.0.1", "198.51.100.7, 10.1.2.3"),
                         "10.1.2.3")
        self.assertEqual(self.failed_login_from("127.0.0.2", "10.9.9.9"), "127.0.0.2")
        self.assertEqual(self.failed_login_from("127.0.0.1", "not-an-address"), "127.0.0.1")


class CredentialsTest(ServerTestCase):
    """Item 10: tokens end with the password; the database file is private."""

    server_args = ["--password-cost", "min"]

    def test_password_change_revokes_tokens(self):
        name = self.unique("改密")
        self.server.make_user(name, role="sales", password="old-password-1")
        token = self.server.token_for(name)
        auth = {"Authorization": "Bearer " + token}
        self.assertEqual(self.get("/api/v1/session", headers=auth).status, 200)
        r = self.post("/api/v1/session/password",
                      {"current_password": "old-password-1", "new_password": "new-password-2"},
                      headers=auth)
        self.assertEqual(r.status, 204, r)
        self.assertError(self.get("/api/v1/session", headers=auth), 401, "unauthenticated")
        entries = self.get("/api/v1/audit?action=password_change").json["items"]
        self.assertEqual(entries[0]["new"], {"tokens_revoked": 1})

    def test_admin_setting_a_password_revokes_tokens(self):
        name = self.unique("重置")
        user = self.server.make_user(name, role="sales")
        token = self.server.token_for(name)
        auth = {"Authorization": "Bearer " + token}
        r = self.request("PUT", "/api/v1/users/%s/password" % user["id"],
                         body={"password": "reset-password-3"})
        self.assertEqual(r.status, 204, r)
        self.assertError(self.get("/api/v1/session", headers=auth), 401, "unauthenticated")

    @unittest.skipIf(on_postgres(), "the modes of SQLite's database files; PostgreSQL keeps "
                     "its files itself")
    def test_database_files_are_private(self):
        for path in (self.server.db, self.server.db + "-wal"):
            with self.subTest(path=os.path.basename(path)):
                mode = stat.S_IMODE(os.stat(path).st_mode)
                self.assertEqual(mode, 0o600, oct(mode))
        fresh = os.path.join(self.server.tmpdir, "fresh.db")
        res = run_cli("init", "--db", fresh)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(fresh).st_mode), 0o600)


class ThrottleRestartTest(unittest.TestCase):
    """Item 10: login throttling is not forgotten on restart."""

    def test_a_locked_name_stays_locked_after_a_restart(self):
        with BingfaServer(extra_args=["--password-cost", "min"]) as server:
            for _ in range(5):
                r = server.request("POST", "/api/v1/session",
                                   body={"name": ADMIN_NAME, "password": "wrong-guess"},
                                   headers={"Authorization": None})
                self.assertEqual(r.status, 401, r)
            locked = server.request("POST", "/api/v1/session", body={
                "name": ADMIN_NAME, "password": ADMIN_PASSWORD}, headers={"Authorization": None})
            self.assertEqual(locked.status, 429, locked)
            server.stop()
            server.start()
            again = server.request("POST", "/api/v1/session", body={
                "name": ADMIN_NAME, "password": ADMIN_PASSWORD}, headers={"Authorization": None})
            self.assertEqual(again.status, 429, again)
            self.assertGreater(int(again.headers["Retry-After"]), 800)


if __name__ == "__main__":
    unittest.main()
