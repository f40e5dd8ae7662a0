"""bingfa backup and bingfa restore through the real binary (docs/backup.md):
a backup taken while clients keep writing through the API is one consistent
snapshot — restored into a new database it is the backup table for table,
row for row, and holds every write acknowledged before the backup began —
checked, and served again by a server; refusals (an existing file, a
database in use, a file that is not bingfa's, a schema newer than the
binary) leave everything as it was; an older backup is upgraded when a
server next opens it. On SQLite files and on PostgreSQL (pg_dump)."""

import os
import sqlite3
import subprocess
import threading
import time
import unittest
from contextlib import closing

import bingfa_db
from bingfa_server import BingfaServer, latest_schema_version, on_postgres, run_cli

WRITERS = 4


def pg_args():
    """--pg-bin naming the test cluster's programs (its version's pg_dump)."""
    return ["--pg-bin", bingfa_db.cluster()["bin"]] if on_postgres() else []


def sqlite_tables(path):
    """Every table of a SQLite file: its rows, all columns, ordered."""
    out = {}
    with closing(sqlite3.connect(path)) as c:
        names = [r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        for name in names:
            cols = [r[1] for r in c.execute('PRAGMA table_info("%s")' % name)]
            order = ", ".join('"%s"' % col for col in cols)
            out[name] = c.execute('SELECT * FROM "%s" ORDER BY %s' % (name, order)).fetchall()
    return out


def archive_tables(path):
    """Every table of a pg_dump archive: the lines of its COPY data, sorted
    (pg_restore --data-only writes each table's rows in COPY's text form)."""
    res = subprocess.run([os.path.join(bingfa_db.cluster()["bin"], "pg_restore"), "--data-only",
                          "-f", "-", path], capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise AssertionError("pg_restore: %s" % res.stderr)
    out, table = {}, None
    for line in res.stdout.split("\n"):
        if table is None:
            if line.startswith("COPY ") and line.endswith(" FROM stdin;"):
                table = line.split(" ")[1].split(".")[-1].strip('"')
                out[table] = []
        elif line == "\\.":
            out[table].sort()
            table = None
        else:
            out[table].append(line)
    return out


def pg_tables(uri):
    """Every table of a PostgreSQL database, as archive_tables gives them:
    COPY's text form of each row, sorted."""
    out = {}
    names = bingfa_db.query(uri, "SELECT tablename FROM pg_tables WHERE schemaname = "
                                 "current_schema()")
    for (name,) in sorted(names):
        text = bingfa_db._psql(uri, 'COPY "%s" TO STDOUT;\n' % name)
        out[name] = sorted(line for line in text.split("\n") if line != "")
    return out


def dump_of_backup(path):
    return archive_tables(path) if on_postgres() else sqlite_tables(path)


def dump_of_database(db):
    return pg_tables(db) if on_postgres() else sqlite_tables(db)


def schema_version(db):
    return bingfa_db.query(db, "SELECT MAX(version) FROM schema_migrations")[0][0]


class Writers:
    """Threads that create accounts and deals through the API until stopped,
    keeping each acknowledged (201) record's id and when it was answered."""

    def __init__(self, server):
        self.server = server
        self.acked = []  # (monotonic time of the answer, resource, id)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.failures = []
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(WRITERS)]

    def run(self, i):
        s = self.server
        n = 0
        while not self.stop.is_set():
            n += 1
            r = s.post("/api/v1/accounts", {"name": "备份客户 %d-%d" % (i, n)})
            if r.status != 201:
                self.failures.append(r)
                continue
            self.note("accounts", r.json["id"])
            d = s.post("/api/v1/opportunities", {"account_id": r.json["id"],
                                                 "name": "备份商机 %d-%d" % (i, n),
                                                 "amount": 1000000 + n})
            if d.status != 201:
                self.failures.append(d)
                continue
            self.note("opportunities", d.json["id"])

    def note(self, resource, rid):
        with self.lock:
            self.acked.append((time.monotonic(), resource, rid))

    def before(self, moment):
        with self.lock:
            return [(res, rid) for t, res, rid in self.acked if t < moment]

    def after(self, moment):
        with self.lock:
            return [(res, rid) for t, res, rid in self.acked if t > moment]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


class BackupTest(unittest.TestCase):

    # The tests whose database needs the demo's data (the others, its schema).
    DEMO = {"test_backup_while_writing_is_a_snapshot_restored_whole",
            "test_damaged_backup_leaves_the_database_as_it_was"}

    def setUp(self):
        self.server = BingfaServer(demo=self._testMethodName in self.DEMO)
        self.tmp = self.server.tmpdir
        self.servers = [self.server]

    def tearDown(self):
        for s in self.servers:
            s.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def backup(self, db, out, *extra):
        return run_cli("backup", "--db", db, *(pg_args() + list(extra) + [out]), timeout=300)

    def restore(self, db, src, *extra):
        return run_cli("restore", "--db", db, *(pg_args() + list(extra) + [src]), timeout=300)

    def new_server(self, db):
        s = BingfaServer(db=db, init=False, tmpdir=self.tmp)
        self.servers.append(s)
        return s

    def test_backup_while_writing_is_a_snapshot_restored_whole(self):
        s = self.server.start()
        out = self.path("bingfa.backup")
        with Writers(s) as w:
            deadline = time.monotonic() + 60
            while len(w.before(time.monotonic())) < 40 and time.monotonic() < deadline:
                time.sleep(0.05)
            began = time.monotonic()
            res = self.backup(s.db, out)
            ended = time.monotonic()
            time.sleep(0.5)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(w.failures, [])
        self.assertIn("schema version %d" % latest_schema_version(), res.stdout)
        self.assertIn("read back whole" if on_postgres() else "integrity_check ok", res.stdout)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        self.assertEqual([f for f in os.listdir(self.tmp) if ".partial-" in f], [])
        self.assertGreater(len(w.before(ended)) - len(w.before(began)), 0,
                           "writes were acknowledged while the backup ran")
        acked_before = w.before(began)
        self.assertGreater(len(acked_before), 10)
        self.assertTrue(w.after(ended), "the writers went on after the backup")

        target = bingfa_db.fresh_db(self.tmp, "restored.db")
        res = self.restore(target, out)
        self.assertEqual(res.returncode, 0, res.stderr)

        # The restore is the backup, table for table, row for row.
        backup = dump_of_backup(out)
        restored = dump_of_database(target)
        self.assertEqual(sorted(backup), sorted(restored))
        self.assertIn("opportunities", restored)
        for table in backup:
            self.assertEqual(backup[table], restored[table], table)
        if not on_postgres():
            with closing(sqlite3.connect(target)) as c:
                self.assertEqual(c.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
                self.assertEqual(c.execute("PRAGMA foreign_key_check").fetchall(), [])

        # Every write acknowledged before the backup began is in it; some
        # made after it ended are not (the source went on).
        for resource, rid in acked_before:
            rows = bingfa_db.query(target, "SELECT id FROM %s WHERE id = ?" % resource, (rid,))
            self.assertEqual(rows, [(rid,)], "%s %s acknowledged before the backup" %
                             (resource, rid))
        later = [rid for res_, rid in w.after(ended) if res_ == "accounts"]
        missing = [rid for rid in later
                   if not bingfa_db.query(target, "SELECT id FROM accounts WHERE id = ?", (rid,))]
        self.assertEqual(missing, later)
        self.assertGreater(bingfa_db.query(s.db, "SELECT count(*) FROM accounts")[0][0],
                           len(restored["accounts"]))

        # A server serves the restored database: what it lists is the backup's.
        s.stop()
        r2 = self.new_server(target).start()
        self.assertEqual(r2.schema_version, latest_schema_version())
        resource, rid = acked_before[-1]
        got = r2.get("/api/v1/%s/%s" % (resource, rid))
        self.assertEqual(got.status, 200, got)
        deals = r2.get("/api/v1/opportunities?limit=1")
        self.assertEqual(deals.status, 200, deals)
        funnel = r2.get("/api/v1/reports/funnel")
        self.assertEqual(funnel.status, 200, funnel)
        created = r2.post("/api/v1/accounts", {"name": "恢复后新客户"})
        self.assertEqual(created.status, 201, created)
        r2.stop()

    def test_refusals_change_nothing(self):
        s = self.server
        out = self.path("bingfa.backup")
        self.assertEqual(self.backup(s.db, out).returncode, 0)
        first = os.stat(out)

        # An existing backup is not replaced without --force.
        res = self.backup(s.db, out)
        self.assertEqual(res.returncode, 1)
        self.assertIn("--force", res.stderr)
        self.assertEqual(os.stat(out).st_ino, first.st_ino)
        res = self.backup(s.db, out, "--force")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotEqual(os.stat(out).st_ino, first.st_ino)

        # A file that is not a backup, or a backup of the other kind of store.
        junk = self.path("junk")
        with open(junk, "w") as f:
            f.write("not a database\n")
        target = bingfa_db.fresh_db(self.tmp, "target.db")
        res = self.restore(target, junk)
        self.assertEqual(res.returncode, 1)
        self.assertIn("neither", res.stderr)
        stranger = self.path("stranger.db")
        with closing(sqlite3.connect(stranger)) as c:
            c.execute("CREATE TABLE notes (x TEXT)")
            c.commit()
        res = self.restore(target, stranger)
        self.assertEqual(res.returncode, 1)
        self.assertIn("is a SQLite backup" if on_postgres() else "not a bingfa database",
                      res.stderr)

        # Into a database that exists: refused without --force; refused with
        # it while a server uses the database, which goes on serving.
        self.assertEqual(self.restore(target, out).returncode, 0)
        server = self.new_server(target).start()
        made = server.post("/api/v1/accounts", {"name": "目标库新客户"})
        self.assertEqual(made.status, 201, made)
        res = self.restore(target, out)
        self.assertEqual(res.returncode, 1)
        self.assertIn("--force", res.stderr)
        res = self.restore(target, out, "--force")
        self.assertEqual(res.returncode, 1)
        self.assertIn("in use", res.stderr)
        self.assertEqual(server.get("/api/v1/accounts/" + made.json["id"]).status, 200)
        server.stop()

        # Stopped, the database is replaced: the account made since is gone.
        res = self.restore(target, out, "--force")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(bingfa_db.query(target, "SELECT id FROM accounts WHERE id = ?",
                                         (made.json["id"],)), [])
        self.assertEqual(dump_of_database(target), dump_of_backup(out))

    def test_newer_schema_is_refused(self):
        s = self.server
        latest = latest_schema_version()
        bingfa_db.execute(s.db, "INSERT INTO schema_migrations (version, name, applied_at) "
                                "VALUES (?, ?, ?)", (latest + 1, "future.sql",
                                                     "2030-01-01T00:00:00Z"))
        out = self.path("future.backup")
        res = self.backup(s.db, out)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("schema version %d" % (latest + 1), res.stdout)
        target = bingfa_db.fresh_db(self.tmp, "target.db")
        res = self.restore(target, out)
        self.assertEqual(res.returncode, 1)
        self.assertIn("newer than this bingfa", res.stderr)
        if on_postgres():
            self.assertEqual(bingfa_db.tables(target), set())
        else:
            self.assertFalse(os.path.exists(target))

    def test_damaged_backup_leaves_the_database_as_it_was(self):
        old = bingfa_db.fresh_db(self.tmp, "old.db")
        self.assertEqual(run_cli("init", "--db", old, "--schema-version", "20").returncode, 0)
        target = bingfa_db.fresh_db(self.tmp, "target.db")
        self.assertEqual(self.backup(old, self.path("old.backup")).returncode, 0)
        self.assertEqual(self.restore(target, self.path("old.backup")).returncode, 0)
        before = dump_of_database(target)

        # The demo's backup with its last 100 bytes gone. On PostgreSQL its
        # beginning reads well (the archive's contents, schema_migrations) and
        # the restore fails on its way, its one transaction rolled back; a
        # SQLite file is shorter than its header says (SQLite would read the
        # missing bytes as zeros, which integrity_check does not see inside a
        # value).
        out = self.path("bingfa.backup")
        self.assertEqual(self.backup(self.server.db, out).returncode, 0)
        cut = self.path("cut.backup")
        with open(out, "rb") as f:
            data = f.read()
        with open(cut, "wb") as f:
            f.write(data[:-100])
        res = self.restore(target, cut, "--force")
        self.assertEqual(res.returncode, 1, res.stdout)
        self.assertIn("the database is as it was" if on_postgres() else "cut short", res.stderr)
        self.assertEqual(schema_version(target), 20)
        self.assertEqual(dump_of_database(target), before)
        self.assertEqual([f for f in os.listdir(self.tmp) if ".partial-" in f], [])

    def test_older_backup_is_upgraded_on_next_open(self):
        old = bingfa_db.fresh_db(self.tmp, "old.db")
        res = run_cli("init", "--db", old, "--schema-version", "20")
        self.assertEqual(res.returncode, 0, res.stderr)
        out = self.path("old.backup")
        res = self.backup(old, out)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("schema version 20", res.stdout)
        target = bingfa_db.fresh_db(self.tmp, "target.db")
        res = self.restore(target, out)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("brings it to schema version %d" % latest_schema_version(), res.stdout)
        self.assertEqual(schema_version(target), 20)
        server = self.new_server(target).start()
        self.assertEqual(server.schema_version, latest_schema_version())
        self.assertEqual(schema_version(target), latest_schema_version())
        server.stop()


if __name__ == "__main__":
    unittest.main()
