"""Acknowledged writes survive the server being killed: 64 clients create
deals at once, the server is killed with SIGKILL at random moments, again
and again, and after each kill every deal that was answered 201 is in the
database, whole (its stage history and its audit entry with it), and the
database is consistent.

A kill -9 loses what the process had not written yet, not what the kernel
holds; that commits are also on disk before they are acknowledged (power
loss) rests on the flush that precedes every answer: see
src/store/sqlite_sync.c (on PostgreSQL, on its synchronous commit)."""

import json
import os
import random
import re
import socket
import threading
import time
import unittest

import bingfa_db
from bingfa_server import BingfaServer, must, on_postgres

WRITERS = 64
ROUNDS = 20


def post_deal(port, token, account_id, name):
    """One POST /api/v1/opportunities on its own connection. Returns (sent,
    id): whether the request was sent, and the id of the deal when the
    answer's status line and headers say 201 (an acknowledgement, even if
    the body was cut), else None."""
    body = json.dumps({"account_id": account_id, "name": name, "amount": 100000,
                       "playbook": "ruijie-6"}, ensure_ascii=False).encode("utf-8")
    head = ("POST /api/v1/opportunities HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % (token, len(body))).encode("ascii")
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    except OSError:
        return False, None
    data = b""
    sent = False
    try:
        sock.sendall(head + body)
        sent = True
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    finally:
        sock.close()
    head, sep, _ = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1.1 201 "):
        return sent, None
    m = re.search(rb"(?im)^location:\s*/api/v1/opportunities/(\S+)\s*$", head)
    if m is None:
        raise AssertionError("201 without Location: %r" % head)
    return sent, m.group(1).decode("ascii")


class KillTest(unittest.TestCase):

    def setUp(self):
        self.server = BingfaServer()
        self.server.start()

    def tearDown(self):
        self.server.cleanup()

    def kill(self):
        s = self.server
        s.proc.kill()
        s.proc.wait(timeout=20)
        if hasattr(s, "_drain"):
            s._drain.join(timeout=5)
        s.proc.stderr.close()
        s.proc = None

    def load_until_killed(self, account_id, acked, rng, round_no):
        """WRITERS clients create deals until the server is killed, at a random
        moment once some were acknowledged; the ids answered 201 go to acked.
        Returns the number of requests sent."""
        s = self.server
        port, token = s.port, s.token
        lock = threading.Lock()
        stop = threading.Event()
        tried = [0]
        round_acked = [0]

        def writer(n):
            i = 0
            while not stop.is_set():
                i += 1
                name = "断电测试-%d-%d-%d" % (round_no, n, i)
                sent, deal = post_deal(port, token, account_id, name)
                with lock:
                    tried[0] += sent
                    if deal is not None:
                        acked[deal] = name
                        round_acked[0] += 1
                if not sent:
                    time.sleep(0.01)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for t in threads:
            t.start()
        try:
            deadline = time.monotonic() + 20
            want = rng.randint(1, 40)
            while time.monotonic() < deadline:
                with lock:
                    if round_acked[0] >= want:
                        break
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.6))
            self.kill()
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        self.assertGreater(round_acked[0], 0, "no write was acknowledged in round %d" % round_no)
        return tried[0]

    def check_database(self, acked):
        db = self.server.db
        if not on_postgres():  # PostgreSQL checks its foreign keys on every write
            self.assertEqual(bingfa_db.query(db, "PRAGMA integrity_check")[0][0], "ok")
            self.assertEqual(bingfa_db.query(db, "PRAGMA foreign_key_check"), [])
        names = dict(bingfa_db.query(db, "SELECT id, name FROM opportunities"))
        lost = sorted(d for d in acked if d not in names)
        self.assertEqual(lost, [], "%d acknowledged deals lost" % len(lost))
        for deal, name in acked.items():
            self.assertEqual(names[deal], name)
        # Each deal is whole: its creation in the stage history and the
        # audit log; neither names a deal that is not there.
        history = {r[0] for r in bingfa_db.query(
            db, "SELECT opportunity_id FROM stage_changes WHERE kind = 'create'")}
        audited = {r[0] for r in bingfa_db.query(
            db, "SELECT record_id FROM audit_log WHERE action = 'create' "
            "AND resource = 'opportunities'")}
        self.assertEqual(history, set(names))
        self.assertEqual(audited, set(names))
        return len(names)

    def test_acknowledged_writes_survive_kill_9(self):
        seed = int(os.environ.get("BINGFA_KILL_SEED", time.time()))
        rng = random.Random(seed)
        account = must(self.server.post("/api/v1/accounts", {"name": "断电测试客户"}))
        acked = {}
        tried = 0
        started = time.monotonic()
        for round_no in range(ROUNDS):
            if round_no > 0:
                self.server.start()
            tried += self.load_until_killed(account["id"], acked, rng, round_no)
            stored = self.check_database(acked)
        print("\nkill test (seed %d): %d kills, %d requests sent, %d acknowledged, %d stored, "
              "0 lost, %.1f s" % (seed, ROUNDS, tried, len(acked), stored, time.monotonic() - started))
        # The server starts on what the kills left, and serves it.
        self.server.start()
        deal = next(iter(acked))
        self.assertEqual(self.server.get("/api/v1/opportunities/" + deal).status, 200)
        self.server.stop()


if __name__ == "__main__":
    unittest.main()
