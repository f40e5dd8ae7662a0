"""Schema migrations: a version-1, 2, 3 or 5 database written by an old bingfa
is upgraded to the current version on start, keeping its records (and,
from version 2, their checklist state and stage history; from version 3,
the playbook engine's columns and imported playbooks), which then work with
the checklist, the gate, the history, the playbook engine and the sales
tools' forms and settings (version 4)."""

import json
import os
import shutil
import sqlite3
import tempfile
import unittest
from contextlib import closing

from bingfa_server import (BingfaServer, latest_schema_version, run_cli, meet_gate, satisfy_mant,
                           source_dir)

CREATED = "2025-06-01T08:00:00.000Z"
UPDATED = "2025-06-02T09:30:00.000Z"
CURRENT = latest_schema_version()
ALL_VERSIONS = [(v,) for v in sorted(
    int(n.split("_", 1)[0]) for n in os.listdir(os.path.join(source_dir(), "src", "store",
                                                              "migrations")) if n.endswith(".sql"))]
# The built-in ruijie-6's version (playbooks/ruijie-6.json).
RUIJIE_VERSION = 2
# A custom playbook imported into a version-3 database.
CUSTOM_PLAYBOOK = {
    "schema": "bingfa.playbook/1", "id": "mig-custom", "version": 1,
    "name": {"zh": "迁移测试方法", "en": "Migration test method"},
    "stages": [{"id": "only", "name": {"zh": "唯一阶段", "en": "Only stage"}, "probability": 50,
                "exit_criteria": [{"id": "done", "kind": "criterion",
                                   "text": {"zh": "完成", "en": "Done"}}]}]}


def tables(db):
    with closing(sqlite3.connect(db)) as c:
        return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def schema_version(db):
    with closing(sqlite3.connect(db)) as c:
        return c.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]


def gate_items(server, opp_id, derived=None):
    """Ids of the gating items of the deal's current checklist; with derived
    True or False, only those derived (from MANT, not ticked by hand) or not."""
    cl = server.get("/api/v1/opportunities/%s/checklist" % opp_id)
    if cl.status != 200:
        raise AssertionError("checklist: %r" % (cl,))
    return [i["id"] for i in cl.json["items"]
            if i["gate"] and (derived is None or i["derived"] is derived)]


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
        self.assertNotIn("forms", t)

    def make_v2(self):
        res = run_cli("init", "--db", self.db, "--schema-version", "2")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(schema_version(self.db), 2)
        t = tables(self.db)
        self.assertTrue({"opportunities", "stage_changes", "checklist_items"} <= t, t)
        self.assertNotIn("playbooks", t)
        self.assertNotIn("forms", t)
        with closing(sqlite3.connect(self.db)) as c:
            cols = {r[1] for r in c.execute("PRAGMA table_info(opportunities)")}
        self.assertNotIn("won_by", cols)
        self.assertNotIn("playbook_version", cols)

    def insert_v2_records(self):
        """The v1 records plus what version 2 kept: the deal's history (it was
        created in problem and advanced to launch), one ticked item of its
        current stage, and a lost deal of that time (no won_by yet)."""
        self.insert_v1_records()
        snapshot = json.dumps([{"id": "mant-money", "done": True, "evidence": "预算已批"}],
                              ensure_ascii=False)
        with closing(sqlite3.connect(self.db)) as c:
            c.execute("PRAGMA foreign_keys=ON")
            c.execute(
                "INSERT INTO stage_changes (id, opportunity_id, kind, playbook, from_stage, "
                "to_stage, from_probability, to_probability, changed_at, changed_by, reason, "
                "checklist) VALUES ('stc_test0001', 'opp_test0001', 'create', 'ruijie-6', NULL, "
                "'problem', NULL, 10, ?, 'qian.jiu', NULL, NULL)", (CREATED,))
            c.execute(
                "INSERT INTO stage_changes (id, opportunity_id, kind, playbook, from_stage, "
                "to_stage, from_probability, to_probability, changed_at, changed_by, reason, "
                "checklist) VALUES ('stc_test0002', 'opp_test0001', 'advance', 'ruijie-6', "
                "'problem', 'launch', 10, 30, ?, 'qian.jiu', '进入漏斗', ?)",
                (UPDATED, snapshot))
            c.execute(
                "INSERT INTO checklist_items (opportunity_id, stage, item_id, done, evidence, "
                "updated_by, updated_at) VALUES ('opp_test0001', 'launch', 'project-launched', "
                "1, '立项批复已见', 'qian.jiu', ?)", (UPDATED,))
            c.execute(
                "INSERT INTO opportunities (id, version, created_at, updated_at, account_id, "
                "name, amount, currency, playbook, stage, probability, status, close_reason, "
                "competitors, products) VALUES ('opp_test0002', 3, ?, ?, 'acc_test0001', "
                "'园区视频监控', 100000, 'CNY', 'ruijie-6', 'shortlist', 50, 'lost', "
                "'价格落后', '[]', '[]')", (CREATED, UPDATED))
            c.commit()

    def make_v3(self):
        res = run_cli("init", "--db", self.db, "--schema-version", "3")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(schema_version(self.db), 3)
        t = tables(self.db)
        self.assertTrue({"opportunities", "stage_changes", "checklist_items", "playbooks"} <= t,
                        t)
        self.assertNotIn("forms", t)
        self.assertNotIn("settings", t)

    def insert_v3_records(self):
        """The v2 records plus what version 3 added: the deal runs on ruijie-6
        version RUIJIE_VERSION in consultative mode since UPDATED, its ticked
        item links an activity and a document, the activity came from a visit
        plan, the lost deal names its winner; a custom playbook imported then
        and a deal on it; a coach among the contacts."""
        self.insert_v2_records()
        with closing(sqlite3.connect(self.db)) as c:
            c.execute("PRAGMA foreign_keys=ON")
            c.execute("UPDATE opportunities SET playbook_version = ?, sales_mode_since = ? "
                      "WHERE id = 'opp_test0001'", (RUIJIE_VERSION, UPDATED))
            c.execute("UPDATE opportunities SET playbook_version = ?, won_by = '华为', "
                      "turnaround = 1 WHERE id = 'opp_test0002'", (RUIJIE_VERSION,))
            c.execute(
                "INSERT INTO activities (id, version, created_at, updated_at, opportunity_id, "
                "account_id, type, subject, done_at, contacts, owner, plan_ref) VALUES "
                "('act_test0001', 1, ?, ?, 'opp_test0001', 'acc_test0001', 'visit', '立项拜访', "
                "?, '[\"con_test0001\"]', '钱九', 'consultative/1')",
                (CREATED, UPDATED, UPDATED))
            c.execute("UPDATE checklist_items SET activity_id = 'act_test0001', "
                      "document = '立项批复.pdf' WHERE item_id = 'project-launched'")
            c.execute(
                "INSERT INTO contacts (id, version, created_at, updated_at, account_id, name, "
                "buying_role) VALUES ('con_test0002', 1, ?, ?, 'acc_test0001', '周工', 'coach')",
                (CREATED, UPDATED))
            c.execute("INSERT INTO playbooks (id, version, doc, imported_at, imported_by) "
                      "VALUES ('mig-custom', 1, ?, ?, 'qian.jiu')",
                      (json.dumps(CUSTOM_PLAYBOOK, ensure_ascii=False), UPDATED))
            c.execute(
                "INSERT INTO opportunities (id, version, created_at, updated_at, account_id, "
                "name, amount, currency, playbook, playbook_version, stage, probability, "
                "status, competitors, products) VALUES ('opp_test0003', 1, ?, ?, "
                "'acc_test0001', '自定义方法的商机', 200000, 'CNY', 'mig-custom', 1, 'only', 50, "
                "'open', '[]', '[]')", (CREATED, UPDATED))
            c.commit()

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
        self.assertEqual(s.schema_version, CURRENT)
        h = s.get("/healthz")
        self.assertEqual(h.status, 200)
        self.assertEqual(h.json["schema_version"], CURRENT)
        self.assertEqual(schema_version(self.db), CURRENT)
        self.assertTrue({"stage_changes", "checklist_items", "playbooks", "forms",
                         "settings"} <= tables(self.db))

        # Old records read back unchanged.
        a = s.get("/api/v1/accounts/acc_test0001")
        self.assertEqual(a.status, 200, a)
        self.assertEqual(a.json["name"], "老客户·苏州工业园区管委会")
        self.assertEqual(a.json["ownership"], "government")
        self.assertEqual(a.json["employees"], 320)
        self.assertEqual(a.json["annual_revenue"], 0)
        self.assertIsNone(a.json["gross_profit"])
        # Its name key is given at start, without a new version: "·" left out.
        self.assertEqual((a.json["name_key"], a.json["credit_code"]),
                         ("老客户苏州工业园区管委会", None))
        self.assertEqual((a.json["version"], a.json["created_at"], a.json["updated_at"]),
                         (1, CREATED, UPDATED))
        self.assertEqual(a.headers.get("ETag"), '"1"')
        o = s.get("/api/v1/opportunities/opp_test0001")
        self.assertEqual(o.status, 200, o)
        # Which playbook version the old deal runs on is
        # test_migrated_deals_keep_their_playbook_version's matter.
        o.json.pop("playbook_version", None)
        # what the caller may do is test_allowed_actions' matter
        self.assertIn("edit", o.json.pop("allowed_actions"))
        want = {"id": "opp_test0001", "account_id": "acc_test0001", "name": "园区政务外网升级",
                "amount": 5000000000, "currency": "CNY", "budget": 6000000000,
                "expected_close": "2026-10-31", "playbook": "ruijie-6", "stage": "launch",
                "probability": 30, "sales_mode": "consultative", "owner": "钱九",
                "owner_id": None,  # no user 钱九 in a version-1 database
                "status": "open", "close_reason": None, "compelling_event": "年底前上线",
                "competitors": ["华为"], "products": ["RG-S7808C"],
                "description": "旧版本录入的商机", "version": 1, "created_at": CREATED,
                "updated_at": UPDATED, "won_by": None, "turnaround": False,
                "sales_mode_since": None, "internal_notes": None, "margin": None,
                # launch is inside the funnel, but the deal's MANT is not complete
                "in_funnel": False,
                # version 25: an open deal, forecast by its stage's default (30%)
                "closed_at": None, "forecast_category": "pipeline", "forecast_override": None,
                "forecast_reason": None,
                # version 30: the name key duplicates are found by, given when the server opens
                "name_key": "园区政务外网升级",
                # version 32: tags, none on a record from before
                "tags": []}
        self.assertEqual(o.json, want)
        c = s.get("/api/v1/contacts/con_test0001")
        self.assertEqual(c.status, 200, c)
        self.assertEqual(c.json["buying_role"], "decision_maker")
        ids = [x["id"] for x in s.get("/api/v1/opportunities?account_id=acc_test0001").json["items"]]
        self.assertEqual(ids, ["opp_test0001"])

        # Checklist, gate and history work on the migrated deal.
        launch_items = gate_items(s, "opp_test0001")
        cl = s.get("/api/v1/opportunities/opp_test0001/checklist")
        self.assertEqual(cl.status, 200, cl)
        self.assertEqual(cl.json["stage"]["id"], "launch")
        self.assertEqual(cl.json["unmet"], len(launch_items))
        r = s.post("/api/v1/opportunities/opp_test0001/advance")
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["error"]["code"], "gate_unmet")
        self.assertEqual(sorted(u["id"] for u in r.json["unmet"]), sorted(launch_items))
        for item in gate_items(s, "opp_test0001", derived=False):
            r = s.request("PUT", "/api/v1/opportunities/opp_test0001/checklist/" + item,
                          body={"done": True, "evidence": "迁移后补录"},
                          headers=s.auth("qian.jiu", role="admin"))
            self.assertEqual(r.status, 200, r)
        self.assertEqual(gate_items(s, "opp_test0001", derived=True), ["mant-verified"])
        satisfy_mant(s, "opp_test0001", user="qian.jiu")
        # MANT's budget went to the deal (its home): version 2.
        r = s.request("POST", "/api/v1/opportunities/opp_test0001/advance",
                      headers=dict(s.auth("qian.jiu", role="admin"), **{"If-Match": '"2"'}))
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["stage"], r.json["probability"], r.json["version"]),
                         ("shortlist", 50, 3))
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
        self.assertEqual(rows, ALL_VERSIONS)

    def test_server_upgrades_a_version_2_database(self):
        self.make_v2()
        self.insert_v2_records()
        s = self.server()
        s.start()
        self.assertEqual(s.schema_version, CURRENT)
        self.assertEqual(s.get("/healthz").json["schema_version"], CURRENT)
        self.assertEqual(schema_version(self.db), CURRENT)
        self.assertTrue({"playbooks", "forms", "settings"} <= tables(self.db))

        o = s.get("/api/v1/opportunities/opp_test0001")
        self.assertEqual(o.status, 200, o)
        self.assertEqual((o.json["name"], o.json["stage"], o.json["probability"],
                          o.json["version"], o.json["created_at"], o.json["updated_at"]),
                         ("园区政务外网升级", "launch", 30, 1, CREATED, UPDATED))
        self.assertIsNone(o.json["won_by"])
        self.assertIs(o.json["turnaround"], False)
        self.assertIsNone(o.json["sales_mode_since"])
        lost = s.get("/api/v1/opportunities/opp_test0002")
        self.assertEqual(lost.status, 200, lost)
        self.assertEqual((lost.json["status"], lost.json["close_reason"], lost.json["won_by"]),
                         ("lost", "价格落后", None))

        # The history of version 2 reads back, in order, with its snapshot.
        h = s.get("/api/v1/opportunities/opp_test0001/history")
        self.assertEqual(h.status, 200, h)
        items = h.json["items"]
        self.assertEqual([(i["kind"], i["from_stage"], i["to_stage"]) for i in items],
                         [("create", None, "problem"), ("advance", "problem", "launch")])
        self.assertEqual(items[1]["reason"], "进入漏斗")
        self.assertEqual(items[1]["checklist"][0]["evidence"], "预算已批")

        # The ticked item is still ticked; the new evidence fields are empty.
        cl = s.get("/api/v1/opportunities/opp_test0001/checklist")
        self.assertEqual(cl.status, 200, cl)
        launch_items = gate_items(s, "opp_test0001")
        self.assertIn("project-launched", launch_items)
        by_id = {i["id"]: i for i in cl.json["items"]}
        ticked = by_id["project-launched"]
        self.assertEqual((ticked["done"], ticked["evidence"], ticked["updated_by"],
                          ticked["activity_id"], ticked["document"]),
                         (True, "立项批复已见", "qian.jiu", None, None))
        self.assertEqual(cl.json["unmet"], len(launch_items) - 1)

        # The rest of the gate, an advance, and the new history entry.
        for item in gate_items(s, "opp_test0001", derived=False):
            if item != "project-launched":
                r = s.request("PUT", "/api/v1/opportunities/opp_test0001/checklist/" + item,
                              body={"done": True, "evidence": "升级后补录"})
                self.assertEqual(r.status, 200, r)
        satisfy_mant(s, "opp_test0001")
        r = s.post("/api/v1/opportunities/opp_test0001/advance")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["stage"], r.json["probability"]), ("shortlist", 50))
        kinds = [i["kind"] for i in
                 s.get("/api/v1/opportunities/opp_test0001/history").json["items"]]
        self.assertEqual(kinds, ["create", "advance", "advance"])

        # The new columns work on old rows: a sales mode, a won deal (through
        # the winning gate: procure's passed by a manager, contract's met).
        r = s.post("/api/v1/opportunities/opp_test0001/advance",
                   {"override": True, "reason": "升级后补录"})
        self.assertEqual((r.status, r.json["stage"]), (200, "procure"), r)
        r = s.post("/api/v1/opportunities/opp_test0001/advance",
                   {"override": True, "reason": "升级后补录"})
        self.assertEqual((r.status, r.json["stage"]), (200, "contract"), r)
        meet_gate(s, "opp_test0001", evidence="升级后补录")  # the award from the tender record
        r = s.post("/api/v1/opportunities/opp_test0001/advance")
        self.assertEqual((r.status, r.json["status"], r.json["stage"]), (200, "won", "deliver"), r)
        acts = s.get("/api/v1/activities?opportunity_id=opp_test0001&plan_ref=reference-case")
        self.assertEqual(len(acts.json["items"]), 1, acts)
        s.stop()
        with closing(sqlite3.connect(self.db)) as c:
            rows = c.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        self.assertEqual(rows, ALL_VERSIONS)

    # A deal from before schema version 3 runs on the playbook version that
    # was current when it was migrated; a newer version imported later is for
    # new deals only.
    def test_migrated_deals_keep_their_playbook_version(self):
        self.make_v2()
        self.insert_v2_records()
        s = self.server()
        s.start()
        doc = s.get("/api/v1/playbooks/ruijie-6").json
        before = doc["version"]
        self.assertEqual(s.get("/api/v1/opportunities/opp_test0001/checklist")
                         .json["playbook_version"], before)
        s.stop()
        doc["version"] = before + 1
        launch = [st for st in doc["stages"] if st["id"] == "launch"][0]
        launch["exit_criteria"].append({"id": "new-in-next-version", "kind": "criterion",
                                        "owner": "S",
                                        "text": {"zh": "新版本的条件", "en": "A new criterion"}})
        path = os.path.join(self.tmp, "ruijie-next.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        res = run_cli("playbook", "import", "--db", self.db, path)
        self.assertEqual(res.returncode, 0, res.stderr)
        s = self.server()
        s.start()
        o = s.get("/api/v1/opportunities/opp_test0001").json
        cl = s.get("/api/v1/opportunities/opp_test0001/checklist").json
        ids = [i["id"] for i in cl["items"]]
        self.assertNotIn("new-in-next-version", ids,
                         "the migrated deal moved to the version imported after the migration")
        self.assertEqual(cl["playbook_version"], before)
        self.assertEqual(o["playbook_version"], before)
        s.stop()

    def test_init_upgrades_a_version_1_database(self):
        self.make_v1()
        self.insert_v1_records()
        res = run_cli("init", "--db", self.db)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn(str(CURRENT), res.stdout + res.stderr)
        self.assertEqual(schema_version(self.db), CURRENT)
        with closing(sqlite3.connect(self.db)) as c:
            self.assertEqual(c.execute("SELECT name, version FROM opportunities").fetchall(),
                             [("园区政务外网升级", 1)])

    def test_init_upgrades_a_version_2_database(self):
        self.make_v2()
        self.insert_v2_records()
        res = run_cli("init", "--db", self.db)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(schema_version(self.db), CURRENT)
        with closing(sqlite3.connect(self.db)) as c:
            self.assertEqual(c.execute("SELECT id, name, version, turnaround, won_by FROM "
                                       "opportunities ORDER BY id").fetchall(),
                             [("opp_test0001", "园区政务外网升级", 1, 0, None),
                              ("opp_test0002", "园区视频监控", 3, 0, None)])
            self.assertEqual(c.execute("SELECT COUNT(*) FROM stage_changes").fetchone()[0], 2)
            self.assertEqual(c.execute("SELECT item_id, done, activity_id, document FROM "
                                       "checklist_items").fetchall(),
                             [("project-launched", 1, None, None)])
            cols = {r[1] for r in c.execute("PRAGMA table_info(activities)")}
            self.assertIn("plan_ref", cols)

    def test_server_upgrades_a_version_3_database(self):
        self.make_v3()
        self.insert_v3_records()
        with open(os.path.join(source_dir(), "playbooks", "ruijie-6.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["version"], RUIJIE_VERSION)
        s = self.server()
        s.start()
        self.assertEqual(s.schema_version, CURRENT)
        self.assertEqual(s.get("/healthz").json["schema_version"], CURRENT)
        self.assertEqual(schema_version(self.db), CURRENT)
        self.assertTrue({"forms", "settings"} <= tables(self.db))

        # Version 3's columns read back as they were.
        o = s.get("/api/v1/opportunities/opp_test0001")
        self.assertEqual(o.status, 200, o)
        self.assertEqual((o.json["name"], o.json["stage"], o.json["version"],
                          o.json["playbook_version"], o.json["sales_mode"],
                          o.json["sales_mode_since"], o.json["created_at"],
                          o.json["updated_at"]),
                         ("园区政务外网升级", "launch", 1, RUIJIE_VERSION, "consultative", UPDATED,
                          CREATED, UPDATED))
        lost = s.get("/api/v1/opportunities/opp_test0002").json
        self.assertEqual((lost["status"], lost["won_by"], lost["turnaround"], lost["version"]),
                         ("lost", "华为", True, 3))
        act = s.get("/api/v1/activities/act_test0001")
        self.assertEqual(act.status, 200, act)
        self.assertEqual((act.json["plan_ref"], act.json["contacts"], act.json["done_at"]),
                         ("consultative/1", ["con_test0001"], UPDATED))
        cl = s.get("/api/v1/opportunities/opp_test0001/checklist")
        self.assertEqual(cl.status, 200, cl)
        ticked = {i["id"]: i for i in cl.json["items"]}["project-launched"]
        self.assertEqual((ticked["done"], ticked["evidence"], ticked["activity_id"],
                          ticked["document"]),
                         (True, "立项批复已见", "act_test0001", "立项批复.pdf"))
        h = s.get("/api/v1/opportunities/opp_test0001/history").json
        self.assertEqual([i["kind"] for i in h["items"]], ["create", "advance"])

        # The playbook imported under version 3 is still there, with its deal.
        pb = s.get("/api/v1/playbooks/mig-custom")
        self.assertEqual(pb.status, 200, pb)
        self.assertEqual(pb.json["version"], 1)
        cl3 = s.get("/api/v1/opportunities/opp_test0003/checklist")
        self.assertEqual(cl3.status, 200, cl3)
        self.assertEqual([i["id"] for i in cl3.json["items"]], ["done"])

        # Version 4 on the old records: nothing saved yet, then a form saved;
        # MANT's authority comes from the contacts of version 3.
        g = s.get("/api/v1/opportunities/opp_test0001/mant")
        self.assertEqual(g.status, 200, g)
        self.assertEqual((g.json["data"], g.json["version"]), (None, 0))
        r = s.request("PUT", "/api/v1/opportunities/opp_test0001/mant",
                      body={"needs": ["出口带宽", "统一认证", "等保"]},
                      headers=s.auth("qian.jiu", role="admin"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["version"], r.json["updated_by"]), (1, "qian.jiu"))
        auth = r.json["result"]["parts"]["authority"]
        self.assertEqual((auth["decision_makers"], auth["coaches"], auth["approvers"]),
                         (["孙主任"], ["周工"], []))
        self.assertIs(r.json["result"]["parts"]["needs"]["complete"], True)
        self.assertEqual(s.get("/api/v1/settings/evaluation").status, 200)
        p = s.get("/api/v1/accounts/acc_test0001/profile")
        self.assertEqual(p.status, 200, p)
        # ownership government 30 × 15 + business type service 40 × 15 = 1050
        # hundredths; size: 320 employees ≥ 50 → 40 points × 25 = 1000, revenue
        # 0 and gross profit unknown add nothing: 20.50 in all.
        self.assertEqual(p.json["result"]["score"], {"value": "20.50", "hundredths": 2050})
        health = s.get("/api/v1/opportunities/opp_test0001/health")
        self.assertEqual(health.status, 200, health)
        self.assertIs(health.json["inputs"]["has_coach"], True)
        self.assertIs(health.json["inputs"]["has_compelling_event"], True)  # 年底前上线 (v1 field)
        s.stop()

        with closing(sqlite3.connect(self.db)) as c:
            rows = c.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
            forms = c.execute("SELECT owner_kind, owner_id, form, version FROM forms").fetchall()
        self.assertEqual(rows, ALL_VERSIONS)
        self.assertEqual(forms, [("opportunity", "opp_test0001", "mant", 1)])

        # A second start keeps the form.
        s = self.server()
        s.start()
        g = s.get("/api/v1/opportunities/opp_test0001/mant")
        self.assertEqual((g.json["version"], g.json["data"]["needs"]),
                         (1, ["出口带宽", "统一认证", "等保"]))
        s.stop()

    def test_server_upgrades_a_version_5_database_owners_to_users(self):
        """Version 6: a text owner becomes a reference to the user of that
        name; a text that names no user keeps its text, owned by no one."""
        res = run_cli("init", "--db", self.db, "--schema-version", "5")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.insert_v3_records()  # owner 钱九 on the account, a deal and an activity
        with closing(sqlite3.connect(self.db)) as c:
            c.execute("PRAGMA foreign_keys=ON")
            c.execute("INSERT INTO users (id, created_at, updated_at, name, role) "
                      "VALUES ('usr_test0001', ?, ?, '钱九', 'sales')", (CREATED, UPDATED))
            c.execute("UPDATE opportunities SET owner = '幽灵' WHERE id = 'opp_test0002'")
            c.commit()
        s = self.server()
        s.start()
        self.assertEqual(s.schema_version, CURRENT)
        deal = s.get("/api/v1/opportunities/opp_test0001").json
        self.assertEqual((deal["owner_id"], deal["owner"]), ("usr_test0001", "钱九"))
        acc = s.get("/api/v1/accounts/acc_test0001").json
        self.assertEqual((acc["owner_id"], acc["owner"]), ("usr_test0001", "钱九"))
        act = s.get("/api/v1/activities/act_test0001").json
        self.assertEqual((act["owner_id"], act["owner"]), ("usr_test0001", "钱九"))
        ghost = s.get("/api/v1/opportunities/opp_test0002").json
        self.assertEqual((ghost["owner_id"], ghost["owner"]), (None, "幽灵"))
        # 钱九 sees his deal by the reference; nobody but admins sees the ghost's.
        token = run_cli("token", "create", "--db", self.db, "--user", "钱九")
        h = {"Authorization": "Bearer " + token.stdout.strip().splitlines()[-1]}
        self.assertEqual(s.get("/api/v1/opportunities/opp_test0001", headers=h).status, 200)
        self.assertEqual(s.get("/api/v1/opportunities/opp_test0002", headers=h).status, 404)
        # An admin hands the ghost's deal to 钱九.
        t = s.request("POST", "/api/v1/opportunities/opp_test0002/transfer",
                      body={"owner_id": "usr_test0001", "reason": "原负责人已离职"},
                      headers={"If-Match": '"%d"' % ghost["version"]})
        self.assertEqual(t.status, 200, t)
        self.assertEqual(s.get("/api/v1/opportunities/opp_test0002", headers=h).status, 200)
        s.stop()

    def test_server_upgrades_a_version_6_database_to_kept_totals(self):
        """Version 7: the funnel and forecast totals and each deal's last stage
        change are computed from the deals already there, and kept from then
        on by every write."""
        res = run_cli("init", "--db", self.db, "--schema-version", "6")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.insert_v3_records()
        s = self.server()
        s.start()
        self.assertEqual(s.schema_version, CURRENT)
        with closing(sqlite3.connect(self.db)) as c:
            kept = c.execute("SELECT playbook, currency, stage, SUM(deals), SUM(amount), "
                             "SUM(weighted) FROM funnel_totals GROUP BY 1, 2, 3 "
                             "ORDER BY 1, 2, 3").fetchall()
            counted = c.execute("SELECT playbook, currency, stage, COUNT(*), SUM(amount), "
                                "SUM(amount * probability) FROM opportunities "
                                "WHERE status = 'open' GROUP BY 1, 2, 3 "
                                "ORDER BY 1, 2, 3").fetchall()
            latest = c.execute("SELECT o.stage_changed_at, (SELECT MAX(changed_at) FROM "
                               "stage_changes h WHERE h.opportunity_id = o.id) "
                               "FROM opportunities o").fetchall()
        self.assertTrue(counted)
        self.assertEqual(kept, counted)
        self.assertTrue(all(a == b for a, b in latest), latest)
        funnel = s.get("/api/v1/reports/funnel?playbook=ruijie-6")
        self.assertEqual(funnel.status, 200, funnel)
        open_ruijie = [r for r in counted if r[0] == "ruijie-6" and r[1] == "CNY"]
        self.assertEqual(funnel.json["totals"]["count"], sum(r[3] for r in open_ruijie))
        s.stop()

    def test_server_upgrades_a_version_8_database_and_counts_its_failed_logins(self):
        """Version 9: failed logins logged before the upgrade count for login
        throttling, read from the audit log through its new indexes."""
        res = run_cli("init", "--db", self.db, "--schema-version", "8")
        self.assertEqual(res.returncode, 0, res.stderr)
        with closing(sqlite3.connect(self.db)) as c:
            for _ in range(5):
                c.execute("INSERT INTO audit_log (at, actor, action, new_values, address) "
                          "VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'mig.guess', "
                          "'login_failed', '{\"name\":\"mig.guess\"}', '192.0.2.9')")
            c.commit()
        s = self.server()
        s.start()
        self.assertEqual(s.schema_version, CURRENT)
        r = s.request("POST", "/api/v1/session", body={"name": "mig.guess", "password": "x"},
                      headers={"Authorization": None})
        self.assertEqual(r.status, 429, r)
        with closing(sqlite3.connect(self.db)) as c:
            names = {row[0] for row in c.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index'")}
        self.assertTrue({"audit_log_login_actor", "audit_log_login_address"} <= names)
        s.stop()

    def test_init_upgrades_a_version_3_database(self):
        self.make_v3()
        self.insert_v3_records()
        res = run_cli("init", "--db", self.db)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn(str(CURRENT), res.stdout + res.stderr)
        self.assertEqual(schema_version(self.db), CURRENT)
        self.assertTrue({"forms", "settings"} <= tables(self.db))
        with closing(sqlite3.connect(self.db)) as c:
            self.assertEqual(
                c.execute("SELECT id, version, playbook, playbook_version, turnaround, won_by, "
                          "sales_mode_since FROM opportunities ORDER BY id").fetchall(),
                [("opp_test0001", 1, "ruijie-6", RUIJIE_VERSION, 0, None, UPDATED),
                 ("opp_test0002", 3, "ruijie-6", RUIJIE_VERSION, 1, "华为", None),
                 ("opp_test0003", 1, "mig-custom", 1, 0, None, None)])
            self.assertEqual(c.execute("SELECT item_id, done, activity_id, document FROM "
                                       "checklist_items").fetchall(),
                             [("project-launched", 1, "act_test0001", "立项批复.pdf")])
            self.assertEqual(c.execute("SELECT id, plan_ref FROM activities").fetchall(),
                             [("act_test0001", "consultative/1")])
            self.assertEqual(c.execute("SELECT id, version, imported_by FROM playbooks")
                             .fetchall(), [("mig-custom", 1, "qian.jiu")])
            self.assertEqual(c.execute("SELECT COUNT(*) FROM stage_changes").fetchone()[0], 2)
            self.assertEqual(c.execute("SELECT COUNT(*) FROM forms").fetchone()[0], 0)
            self.assertEqual(c.execute("SELECT COUNT(*) FROM settings").fetchone()[0], 0)
            rows = c.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        self.assertEqual(rows, ALL_VERSIONS)

    def test_init_on_an_up_to_date_database_is_harmless(self):
        s = self.server()
        s.init_db()
        s.start()
        acc = s.post("/api/v1/accounts", {"name": "保留的数据"}).json
        s.stop()
        for _ in range(2):
            res = run_cli("init", "--db", self.db)
            self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(schema_version(self.db), CURRENT)
        with closing(sqlite3.connect(self.db)) as c:
            rows = c.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        self.assertEqual(rows, ALL_VERSIONS)
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
        for bad in ("0", "99", "x", "-1", str(CURRENT + 1)):
            res = run_cli("init", "--db", self.db, "--schema-version", bad)
            self.assertEqual(res.returncode, 2, (bad, res.stderr))
            self.assertTrue(res.stderr.strip())


if __name__ == "__main__":
    unittest.main()
