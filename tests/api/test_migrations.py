"""Schema migrations: a version-1 database written by an old bingfa is
upgraded to version 2 on start, keeping its records, which then work with
the checklist, the gate and the history."""

import os
import shutil
import sqlite3
import tempfile
import unittest
from contextlib import closing

from bingfa_server import BingfaServer, run_cli, source_dir

CREATED = "2025-06-01T08:00:00.000Z"
UPDATED = "2025-06-02T09:30:00.000Z"


def tables(db):
    with closing(sqlite3.connect(db)) as c:
        return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def schema_version(db):
    with closing(sqlite3.connect(db)) as c:
        return c.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]


class MigrationTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bingfa-mig-")
        self.db = os.path.join(self.tmp, "old.db")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def server(self, **kw):
        s = BingfaServer(db=self.db, init=False, tmpdir=self.tmp, **kw)
        self.servers.append(s)
        return s

    def make_v1(self):
        res = run_cli("init", "--db", self.db, "--schema-version", "1")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(schema_version(self.db), 1)
        t = tables(self.db)
        self.assertIn("opportunities", t)
        self.assertNotIn("stage_changes", t)
        self.assertNotIn("checklist_items", t)

    def insert_v1_records(self):
        # Columns as in src/store/migrations/0001_init.sql.
        with open(os.path.join(source_dir(), "src", "store", "migrations", "0001_init.sql"),
                  encoding="utf-8") as f:
            sql = f.read()
        self.assertIn("CREATE TABLE opportunities", sql)
        with closing(sqlite3.connect(self.db)) as c:
            c.execute("PRAGMA foreign_keys=ON")
            c.execute(
                "INSERT INTO accounts (id, version, created_at, updated_at, name, industry, "
                "region, ownership, business_type, employees, annual_revenue, owner, notes) "
                "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ("acc_test0001", CREATED, UPDATED, "老客户·苏州工业园区管委会", "政府", "华东",
                 "government", "service", 320, 0, "钱九", "v1 时代录入"))
            c.execute(
                "INSERT INTO opportunities (id, version, created_at, updated_at, account_id, "
                "name, amount, currency, budget, expected_close, playbook, stage, probability, "
                "sales_mode, owner, status, compelling_event, competitors, products, "
                "description) VALUES (?, 1, ?, ?, ?, ?, ?, 'CNY', ?, ?, 'ruijie-6', 'launch', "
                "30, 'consultative', ?, 'open', ?, ?, ?, ?)",
                ("opp_test0001", CREATED, UPDATED, "acc_test0001", "园区政务外网升级",
                 5000000000, 6000000000, "2026-10-31", "钱九", "年底前上线",
                 '["华为"]', '["RG-S7808C"]', "旧版本录入的商机"))
            c.execute(
                "INSERT INTO contacts (id, version, created_at, updated_at, account_id, name, "
                "buying_role) VALUES ('con_test0001', 1, ?, ?, 'acc_test0001', '孙主任', "
                "'decision_maker')", (CREATED, UPDATED))
            c.commit()

    def test_server_upgrades_a_version_1_database(self):
        self.make_v1()
        self.insert_v1_records()
        s = self.server()
        s.start()
        self.assertEqual(s.schema_version, 2)
        h = s.get("/healthz")
        self.assertEqual(h.status, 200)
        self.assertEqual(h.json["schema_version"], 2)
        self.assertEqual(schema_version(self.db), 2)
        self.assertTrue({"stage_changes", "checklist_items"} <= tables(self.db))

        # Old records read back unchanged.
        a = s.get("/api/v1/accounts/acc_test0001")
        self.assertEqual(a.status, 200, a)
        self.assertEqual(a.json["name"], "老客户·苏州工业园区管委会")
        self.assertEqual(a.json["ownership"], "government")
        self.assertEqual(a.json["employees"], 320)
        self.assertEqual(a.json["annual_revenue"], 0)
        self.assertIsNone(a.json["gross_profit"])
        self.assertEqual((a.json["version"], a.json["created_at"], a.json["updated_at"]),
                         (1, CREATED, UPDATED))
        self.assertEqual(a.headers.get("ETag"), '"1"')
        o = s.get("/api/v1/opportunities/opp_test0001")
        self.assertEqual(o.status, 200, o)
        want = {"id": "opp_test0001", "account_id": "acc_test0001", "name": "园区政务外网升级",
                "amount": 5000000000, "currency": "CNY", "budget": 6000000000,
                "expected_close": "2026-10-31", "playbook": "ruijie-6", "stage": "launch",
                "probability": 30, "sales_mode": "consultative", "owner": "钱九",
                "status": "open", "close_reason": None, "compelling_event": "年底前上线",
                "competitors": ["华为"], "products": ["RG-S7808C"],
                "description": "旧版本录入的商机", "version": 1, "created_at": CREATED,
                "updated_at": UPDATED}
        self.assertEqual(o.json, want)
        c = s.get("/api/v1/contacts/con_test0001")
        self.assertEqual(c.status, 200, c)
        self.assertEqual(c.json["buying_role"], "decision_maker")
        ids = [x["id"] for x in s.get("/api/v1/opportunities?account_id=acc_test0001").json["items"]]
        self.assertEqual(ids, ["opp_test0001"])

        # Checklist, gate and history work on the migrated deal.
        pb = s.get("/api/v1/playbooks/ruijie-6").json
        launch_items = [c["id"] for st in pb["stages"] if st["id"] == "launch"
                        for c in st["exit_criteria"]]
        cl = s.get("/api/v1/opportunities/opp_test0001/checklist")
        self.assertEqual(cl.status, 200, cl)
        self.assertEqual(cl.json["stage"]["id"], "launch")
        self.assertEqual(cl.json["unmet"], len(launch_items))
        r = s.post("/api/v1/opportunities/opp_test0001/advance")
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["error"]["code"], "gate_unmet")
        self.assertEqual(sorted(u["id"] for u in r.json["unmet"]), sorted(launch_items))
        for item in launch_items:
            r = s.request("PUT", "/api/v1/opportunities/opp_test0001/checklist/" + item,
                          body={"done": True, "evidence": "迁移后补录"},
                          headers={"X-User": "qian.jiu"})
            self.assertEqual(r.status, 200, r)
        r = s.request("POST", "/api/v1/opportunities/opp_test0001/advance",
                      headers={"X-User": "qian.jiu", "If-Match": '"1"'})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["stage"], r.json["probability"], r.json["version"]),
                         ("shortlist", 50, 2))
        self.assertEqual(r.json["created_at"], CREATED)
        h = s.get("/api/v1/opportunities/opp_test0001/history")
        self.assertEqual(h.status, 200, h)
        adv = [i for i in h.json["items"] if i["kind"] == "advance"]
        self.assertEqual(len(adv), 1)
        self.assertEqual((adv[0]["from_stage"], adv[0]["to_stage"], adv[0]["changed_by"]),
                         ("launch", "shortlist", "qian.jiu"))
        s.stop()

        # The upgrade is kept: a second start does not migrate again.
        with closing(sqlite3.connect(self.db)) as c:
            rows = c.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        self.assertEqual(rows, [(1,), (2,)])

    def test_init_upgrades_a_version_1_database(self):
        self.make_v1()
        self.insert_v1_records()
        res = run_cli("init", "--db", self.db)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("2", res.stdout)
        self.assertEqual(schema_version(self.db), 2)
        with closing(sqlite3.connect(self.db)) as c:
            self.assertEqual(c.execute("SELECT name, version FROM opportunities").fetchall(),
                             [("园区政务外网升级", 1)])

    def test_init_on_an_up_to_date_database_is_harmless(self):
        s = self.server()
        s.init_db()
        s.start()
        acc = s.post("/api/v1/accounts", {"name": "保留的数据"}).json
        s.stop()
        for _ in range(2):
            res = run_cli("init", "--db", self.db)
            self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(schema_version(self.db), 2)
        with closing(sqlite3.connect(self.db)) as c:
            rows = c.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        self.assertEqual(rows, [(1,), (2,)])
        s2 = self.server()
        s2.start()
        g = s2.get("/api/v1/accounts/" + acc["id"])
        self.assertEqual(g.status, 200, g)
        self.assertEqual(g.json, acc)
        s2.stop()

    def test_database_newer_than_the_binary_is_refused(self):
        res = run_cli("init", "--db", self.db)
        self.assertEqual(res.returncode, 0, res.stderr)
        with closing(sqlite3.connect(self.db)) as c:
            c.execute("INSERT INTO schema_migrations (version, name, applied_at) "
                      "VALUES (99, '0099_future.sql', '2030-01-01T00:00:00Z')")
            c.commit()
        s = self.server()
        with self.assertRaises(RuntimeError) as ctx:
            s.start()
        self.assertIn("99", str(ctx.exception))
        res = run_cli("init", "--db", self.db)
        self.assertNotEqual(res.returncode, 0)

    def test_schema_version_option_is_checked(self):
        for bad in ("0", "99", "x", "-1"):
            res = run_cli("init", "--db", self.db, "--schema-version", bad)
            self.assertEqual(res.returncode, 2, (bad, res.stderr))
            self.assertTrue(res.stderr.strip())


if __name__ == "__main__":
    unittest.main()
