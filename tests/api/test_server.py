"""The server process: graceful shutdown with requests in flight, the access
log, and the command line."""

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import bingfa_db
from bingfa_server import (SERVING_RE, BingfaServer, ServerTestCase, bingfa_bin,
                           latest_schema_version, on_postgres, parse_raw_response,
                           response_complete, run_cli, source_dir)


def exchange(port, data, timeout=30):
    """One request on its own connection (Connection: close); returns the raw
    bytes received (b"" when the server closed without answering), or None
    when the connection was refused."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError:
        return None
    out = b""
    try:
        sock.sendall(data)
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    finally:
        sock.close()
    return out


def http_request(method, path, body=None, token=None):
    head = "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" % (method, path)
    if token:
        head += "Authorization: Bearer %s\r\n" % token
    data = b""
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(data)
    return head.encode("ascii") + b"\r\n" + data


class ShutdownTest(unittest.TestCase):
    """Each test has a server of its own, which it stops."""

    def setUp(self):
        self.server = BingfaServer()
        self.server.start()

    def tearDown(self):
        self.server.cleanup()

    def test_sigterm_with_requests_in_flight(self):
        s = self.server
        port = s.port
        stop = threading.Event()
        lock = threading.Lock()
        outcomes = []  # (kind, name or None, raw)

        def writer(n):
            i = 0
            while not stop.is_set():
                i += 1
                name = "并发客户-%d-%d" % (n, i)
                raw = exchange(port, http_request("POST", "/api/v1/accounts", {"name": name},
                                                    token=s.token))
                with lock:
                    outcomes.append(("POST", name, raw))
                if raw is None:
                    time.sleep(0.01)

        def reader():
            while not stop.is_set():
                raw = exchange(port, http_request("GET", "/api/v1/accounts?limit=20",
                                                    token=s.token))
                with lock:
                    outcomes.append(("GET", None, raw))
                if raw is None:
                    time.sleep(0.01)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        threads += [threading.Thread(target=reader) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            # Let traffic build up, then stop the server under load.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with lock:
                    if sum(1 for o in outcomes if o[2]) >= 60:
                        break
                time.sleep(0.05)
            s.proc.send_signal(signal.SIGTERM)
            code = s.proc.wait(timeout=20)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        self.assertEqual(code, 0, s.stderr_text)
        s.proc.stderr.close()
        s.proc = None
        self.assertIn("SIGTERM", s.stderr_text)

        created = {}
        answered = 0
        for kind, name, raw in outcomes:
            if not raw:
                continue  # refused, or closed before any answer: allowed
            r = parse_raw_response(raw)  # raises on a truncated header
            self.assertEqual(len(r.raw), int(r.headers["Content-Length"]),
                             "truncated response: %r" % raw[:200])
            self.assertIsNotNone(r.json, "body is not JSON: %r" % raw[:200])
            answered += 1
            if kind == "POST":
                self.assertEqual(r.status, 201, raw[:300])
                self.assertEqual(r.json["name"], name)
                created[r.json["id"]] = r.json
            else:
                self.assertEqual(r.status, 200, raw[:300])
                self.assertIn("items", r.json)
        self.assertGreater(answered, 20)
        self.assertTrue(created)

        # Access log: every line is JSON; every answered request is there.
        log = s.read_access_log()
        for line in log:
            for key in ("method", "path", "route", "status", "bytes", "ms"):
                self.assertIn(key, line)
        self.assertGreaterEqual(len([x for x in log if x["status"] == 201]), len(created))
        self.assertGreaterEqual(len(log), answered)

        # The database is consistent, and every acknowledged write is in it.
        if not on_postgres():  # PostgreSQL checks its foreign keys on every write
            self.assertEqual(bingfa_db.query(s.db, "PRAGMA integrity_check")[0][0], "ok")
            self.assertEqual(bingfa_db.query(s.db, "PRAGMA foreign_key_check"), [])
        s2 = BingfaServer(db=s.db, init=False, tmpdir=s.tmpdir)
        s2.start()
        try:
            for rid, rec in created.items():
                g = s2.get("/api/v1/accounts/" + rid)
                self.assertEqual(g.status, 200, g)
                self.assertEqual(g.json, rec)
            total = 0
            cursor = None
            while True:
                r = s2.get("/api/v1/accounts?limit=200" + ("&cursor=" + cursor if cursor else ""))
                total += len(r.json["items"])
                cursor = r.json["next_cursor"]
                if not cursor:
                    break
            posts_tried = sum(1 for o in outcomes if o[0] == "POST" and o[2] is not None)
            self.assertGreaterEqual(total, len(created))
            self.assertLessEqual(total, posts_tried)
        finally:
            s2.stop()

    def test_request_in_flight_is_finished(self):
        """A request whose body is still arriving when SIGTERM comes is
        answered before the server exits."""
        s = self.server
        body = json.dumps({"name": "慢请求客户"}, ensure_ascii=False).encode("utf-8")
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
        try:
            sock.sendall(b"POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\n"
                         b"Authorization: Bearer " + s.token.encode() + b"\r\n"
                         b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                         % len(body) + body[:4])
            time.sleep(0.3)
            s.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            self.assertIsNone(s.proc.poll(), "exited with a request in flight")
            sock.sendall(body[4:])
            out = b""
            while not response_complete(out):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                out += chunk
        finally:
            sock.close()
        r = parse_raw_response(out)
        self.assertEqual(r.status, 201, out)
        self.assertEqual(r.json["name"], "慢请求客户")
        self.assertEqual(s.proc.wait(timeout=20), 0)
        s.proc.stderr.close()
        s.proc = None
        names = [x[0] for x in bingfa_db.query(s.db, "SELECT name FROM accounts")]
        self.assertEqual(names, ["慢请求客户"])

    def test_idle_connections_do_not_delay_shutdown(self):
        s = self.server
        idle = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        conn = s.connection()
        conn.request("GET", "/healthz")  # keep-alive, then idle
        self.assertEqual(conn.getresponse().read()[:1], b"{")
        try:
            started = time.monotonic()
            self.assertEqual(s.stop(), 0)
            self.assertLess(time.monotonic() - started, 8.0)
        finally:
            idle.close()
            conn.close()

    def test_sigint_stops_cleanly_too(self):
        s = self.server
        self.assertEqual(s.get("/healthz").status, 200)
        s.proc.send_signal(signal.SIGINT)
        self.assertEqual(s.proc.wait(timeout=20), 0)
        s.proc.stderr.close()
        s.proc = None


class AccessLogTest(ServerTestCase):

    def wait_for_log(self, pred, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            lines = self.server.read_access_log()
            if pred(lines) or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)

    def test_healthz(self):
        r = self.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json["status"], "ok")
        self.assertEqual(r.json["schema_version"], latest_schema_version())

    def test_one_json_line_per_request(self):
        marker = self.unique("log")
        paths = ["/api/v1/none/%s/%d" % (marker, i) for i in range(5)]
        answers = {}
        for p in paths:
            answers[p] = self.get(p)
        created = self.post("/api/v1/accounts", {"name": "日志客户 " + marker})
        self.assertEqual(created.status, 201)
        acc_path = "/api/v1/accounts/" + created.json["id"]
        got = self.get(acc_path)

        # A line is written when its request completes, on whichever worker
        # thread served it: wait until every expected line is there.
        def all_there(ls):
            logged = {x.get("path") for x in ls}
            return (acc_path in logged and all(p in logged for p in paths) and
                    any(x.get("method") == "POST" and x.get("status") == 201 and
                        x.get("bytes") == len(created.raw) for x in ls))

        lines = self.wait_for_log(all_there)
        for p in paths:
            mine = [x for x in lines if x["path"] == p]
            self.assertEqual(len(mine), 1, mine)
            x = mine[0]
            self.assertEqual(x["method"], "GET")
            self.assertEqual(x["status"], 404)
            self.assertEqual(x["bytes"], len(answers[p].raw))
            self.assertIsInstance(x["ms"], (int, float))
            self.assertGreaterEqual(x["ms"], 0)
        mine = [x for x in lines if x["path"] == acc_path]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["route"], "/api/v1/accounts/{id}")
        self.assertEqual(mine[0]["status"], 200)
        self.assertEqual(mine[0]["bytes"], len(got.raw))
        posts = [x for x in lines if x["method"] == "POST" and x["status"] == 201]
        self.assertTrue(any(x["route"] == "/api/v1/accounts" and
                            x["bytes"] == len(created.raw) for x in posts))

    def test_log_escapes_odd_paths(self):
        path = '/api/v1/x"y\\z'
        r = self.request("GET", path.replace('"', "%22").replace("\\", "%5C"))
        self.assertEqual(r.status, 404)
        lines = self.wait_for_log(lambda ls: any('x"y' in x.get("path", "") for x in ls))
        self.assertTrue(any('x"y\\z' in x["path"] for x in lines), lines[-3:])


class AccessLogEncodingTest(ServerTestCase):
    """A server of its own: these requests put odd bytes in its log."""

    def test_every_line_is_utf8_json(self):
        marker = self.unique("enc")
        for path in ("/api/v1/%FF" + marker, "/api/v1/%C3%28" + marker,
                     "/api/v1/%E4%B8%AD%01" + marker):
            self.get(path)  # the answer is checked in test_errors
        deadline = time.monotonic() + 10
        while True:
            with open(self.server.access_log, "rb") as f:
                data = f.read()
            if data.count(marker.encode()) >= 3 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        lines = data.split(b"\n")[:-1]
        self.assertGreaterEqual(len(lines), 3)
        for line in lines:
            with self.subTest(line=line):
                try:
                    text = line.decode("utf-8")  # JSON text is UTF-8 (RFC 8259)
                except UnicodeDecodeError as e:
                    self.fail("access log line is not UTF-8 (%s): %r" % (e, line))
                rec = json.loads(text)
                self.assertIn(marker, rec["path"])


class CommandLineTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bingfa-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_version(self):
        r = run_cli("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^bingfa \d+\.\d+\.\d+")

    def test_version_matches_healthz(self):
        r = run_cli("--version")
        with BingfaServer() as s:
            self.assertEqual(r.stdout.split()[1], s.get("/healthz").json["version"])

    def test_help(self):
        r = run_cli("--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        for word in ("init", "serve", "playbook validate", "--listen", "--db"):
            self.assertIn(word, r.stdout)

    def test_serve_help(self):
        r = run_cli("serve", "--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        for word in ("bingfa serve", "--listen", "--db", "--access-log", "standard output",
                     "DB is"):
            self.assertIn(word, r.stdout)
        self.assertNotIn("playbook import", r.stdout)

    def test_the_access_log_goes_to_standard_output_by_default(self):
        """Without --access-log, one JSON line a request on standard output;
        a stop writes what is left before the process exits."""
        s = BingfaServer()  # for its database: started by hand below
        out_path = os.path.join(self.tmp, "stdout")
        try:
            with open(out_path, "wb") as out:
                p = subprocess.Popen([bingfa_bin(), "serve", "--db", s.db, "--listen",
                                      "127.0.0.1:0"], stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=subprocess.PIPE)
            try:
                err = b""
                deadline = time.monotonic() + 30
                while SERVING_RE.search(err) is None and time.monotonic() < deadline:
                    ready, _, _ = select.select([p.stderr], [], [], 0.2)
                    chunk = os.read(p.stderr.fileno(), 4096) if ready else b""
                    if ready and not chunk:
                        break
                    err += chunk
                m = SERVING_RE.search(err)
                self.assertIsNotNone(m, err)
                port = int(m.group(3))
                for _ in range(40):
                    raw = exchange(port, http_request("GET", "/healthz"))
                    self.assertEqual(parse_raw_response(raw).status, 200)
                p.send_signal(signal.SIGTERM)
                _, rest = p.communicate(timeout=30)
                self.assertEqual(p.returncode, 0, err + rest)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            with open(out_path, "rb") as f:
                lines = [json.loads(line) for line in f.read().decode("utf-8").splitlines()]
            self.assertEqual(len(lines), 40, lines[-3:])
            self.assertEqual({(x["method"], x["path"], x["status"]) for x in lines},
                             {("GET", "/healthz", 200)})
        finally:
            s.cleanup()

    def test_no_arguments(self):
        r = run_cli()
        self.assertEqual(r.returncode, 2)
        self.assertIn("Usage", r.stderr)

    def test_unknown_command(self):
        r = run_cli("frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("frobnicate", r.stderr)

    def test_init_without_db(self):
        r = run_cli("init")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--db", r.stderr)

    def test_init_bad_argument(self):
        r = run_cli("init", "--db", os.path.join(self.tmp, "x.db"), "--colour")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--colour", r.stderr)

    def test_serve_bad_listen(self):
        db = os.path.join(self.tmp, "x.db")
        self.assertEqual(run_cli("init", "--db", db).returncode, 0)
        for listen in ("nonsense", "127.0.0.1:99999", "127.0.0.1:", "127.0.0.1:-1"):
            with self.subTest(listen=listen):
                r = run_cli("serve", "--db", db, "--listen", listen, timeout=30)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("--listen", r.stderr)

    def test_serve_bad_options(self):
        db = os.path.join(self.tmp, "x.db")
        for args in (("--threads", "0"), ("--max-body", "-5"), ("--synchronous", "maybe"),
                     ("--colour", "red")):
            with self.subTest(args=args):
                r = run_cli("serve", "--db", db, "--listen", "127.0.0.1:0", *args, timeout=30)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertTrue(r.stderr.strip())

    def test_database_in_a_missing_directory(self):
        db = os.path.join(self.tmp, "no", "such", "dir", "x.db")
        r = run_cli("init", "--db", db)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(db, r.stderr)
        r = run_cli("serve", "--db", db, "--listen", "127.0.0.1:0", "--access-log",
                    os.path.join(self.tmp, "log"), timeout=30)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(db, r.stderr)
        self.assertFalse(os.path.exists(db))

    def test_serve_on_a_port_in_use(self):
        """A second server on the port of a running one must fail to start,
        not share the port (and split the requests between two databases)."""
        with BingfaServer() as s:
            db = os.path.join(self.tmp, "y.db")
            self.assertEqual(run_cli("init", "--db", db).returncode, 0)
            p = subprocess.Popen([bingfa_bin(), "serve", "--db", db, "--listen",
                                  "127.0.0.1:%d" % s.port, "--access-log",
                                  os.path.join(self.tmp, "log")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            err = b""
            deadline = time.monotonic() + 20
            try:
                # Until it exits or says it is serving.
                while p.poll() is None and b"serving" not in err:
                    if time.monotonic() > deadline:
                        break
                    ready, _, _ = select.select([p.stderr], [], [], 0.2)
                    if ready:
                        chunk = os.read(p.stderr.fileno(), 4096)
                        if not chunk:
                            break
                        err += chunk
                if b"serving" in err:
                    p.send_signal(signal.SIGTERM)
                    p.wait(timeout=20)
                    self.fail("a second server started on port %d, which is in use: %s"
                              % (s.port, err.decode("utf-8", "replace")))
                # Its stderr closed or it said why it cannot listen: it must exit.
                code = p.wait(timeout=20)
                err = (err + p.stderr.read()).decode("utf-8", "replace")
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
                p.stderr.close()
            self.assertNotEqual(code, 0)
            self.assertIn(str(s.port), err)

    def test_playbook_validate_ok(self):
        path = os.path.join(source_dir(), "playbooks", "ruijie-6.json")
        r = run_cli("playbook", "validate", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ruijie-6", r.stdout)

    def broken_copy(self, change):
        with open(os.path.join(source_dir(), "playbooks", "ruijie-6.json"),
                  encoding="utf-8") as f:
            doc = json.load(f)
        change(doc)
        path = os.path.join(self.tmp, "broken.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        return path

    def test_playbook_validate_probabilities_not_increasing(self):
        def change(doc):
            doc["stages"][2]["probability"] = doc["stages"][1]["probability"] - 5
        r = run_cli("playbook", "validate", self.broken_copy(change))
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("stages[2].probability", r.stderr)

    def test_playbook_validate_unknown_key(self):
        def change(doc):
            doc["stages"][1]["colour"] = "red"
        r = run_cli("playbook", "validate", self.broken_copy(change))
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("stages[1].colour", r.stderr)

    def test_playbook_validate_nested_unknown_key(self):
        def change(doc):
            doc["stages"][3]["exit_criteria"][0]["weight"] = 3
        r = run_cli("playbook", "validate", self.broken_copy(change))
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("stages[3].exit_criteria[0].weight", r.stderr)

    def test_playbook_validate_several_files(self):
        good = os.path.join(source_dir(), "playbooks", "ruijie-6.json")

        def change(doc):
            del doc["stages"][0]["id"]
        bad = self.broken_copy(change)
        r = run_cli("playbook", "validate", good, bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn("stages[0]", r.stderr)
        self.assertIn("ruijie-6", r.stdout)

    def test_playbook_validate_not_json_or_missing(self):
        path = os.path.join(self.tmp, "nojson.json")
        with open(path, "w") as f:
            f.write("{not json")
        self.assertEqual(run_cli("playbook", "validate", path).returncode, 1)
        self.assertEqual(run_cli("playbook", "validate",
                                 os.path.join(self.tmp, "missing.json")).returncode, 1)
        self.assertEqual(run_cli("playbook").returncode, 2)


if __name__ == "__main__":
    unittest.main()
