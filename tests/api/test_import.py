"""`bingfa import`: JSON lines through the API's create path, run by the
real binary on a fresh database, then read back through `bingfa serve`:
valid lines and what a create leaves (owner, history, deal team, audit),
references between lines, a bad line that stops the import (its
transaction rolled back) or is skipped, what a salesperson or a partner may
import, and the progress lines and the summary."""
import json
import random
import re
import sqlite3
import unittest

import bingfa_db
from bingfa_server import BingfaServer, run_cli

SUMMARY_RE = re.compile(r"^bingfa: imported (\d+) records? from (\d+) lines? in [\d.]+ s "
                        r"\(\d+ lines/s\)(: .*)?$", re.M)
PROGRESS_RE = re.compile(r"^bingfa: import: (\d+) lines, (\d+) records, (\d+) skipped, "
                         r"\d+ lines/s, [\d.]+ s$", re.M)


def jsonl(lines):
    return "".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) +
                   "\n" for line in lines)


class ImportCase(unittest.TestCase):
    """Each test gets a fresh database (server.db), imports into it, and
    starts the server only to read what the import made."""

    def setUp(self):
        self.server = BingfaServer()

    def tearDown(self):
        try:
            if self.server.proc is not None:
                self.server.stop(check=True)
        finally:
            self.server.cleanup()

    def run_import(self, lines, *args):
        return run_cli("import", "--db", self.server.db, *args, "-", input=jsonl(lines),
                       timeout=120)

    def cli_post(self, path, body):
        res = run_cli("api", "--db", self.server.db, "POST", path, "-",
                      input=json.dumps(body, ensure_ascii=False))
        self.assertEqual(res.returncode, 0, res.stderr)
        return json.loads(res.stdout)

    def serve(self):
        if self.server.proc is None:
            self.server.start()
        return self.server

    def items(self, resource, query=""):
        r = self.serve().get("/api/v1/%s?limit=200%s" % (resource, query))
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def summary(self, res):
        m = SUMMARY_RE.search(res.stdout)
        self.assertIsNotNone(m, "no summary: %r %r" % (res.stdout, res.stderr))
        return int(m.group(1)), int(m.group(2)), m.group(3) or ""


class ValidLines(ImportCase):
    def test_records_references_and_what_a_create_leaves(self):
        consultant = self.cli_post("/api/v1/users", {"name": "imp_c", "role": "consultant"})
        res = self.run_import([
            {"resource": "accounts", "ref": "hosp", "name": "江南市第二人民医院", "industry": "医疗"},
            {"resource": "contacts", "ref": "wang", "account_id": "@hosp", "name": "王主任",
             "buying_role": "approver"},
            {"resource": "contacts", "account_id": "@hosp", "name": "李科长",
             "reports_to": "@wang"},
            "",
            {"resource": "opportunities", "ref": "wifi", "account_id": "@hosp",
             "name": "门诊楼无线网络", "amount": 50000000, "playbook": "ruijie-6",
             "products": ["无线网络", "交换机"]},
            {"resource": "activities", "opportunity_id": "@wifi", "type": "visit",
             "subject": "初次拜访", "contacts": ["@wang"]},
            {"resource": "deal_team", "opportunity_id": "@wifi", "user_id": consultant["id"],
             "role": "consultant"},
        ])
        self.assertEqual(res.returncode, 0, res.stderr)
        made, lines, counts = self.summary(res)
        self.assertEqual((made, lines), (6, 7))
        self.assertEqual(counts, ": 1 accounts, 2 contacts, 1 opportunities, 1 activities, "
                                 "1 deal team members")

        acc, = self.items("accounts")
        wang, li = sorted(self.items("contacts"), key=lambda c: c["name"] != "王主任")
        self.assertEqual((wang["account_id"], li["account_id"]), (acc["id"], acc["id"]))
        self.assertEqual(li["reports_to"], wang["id"])
        opp, = self.items("opportunities")
        self.assertEqual(opp["account_id"], acc["id"])
        self.assertEqual((opp["stage"], opp["probability"], opp["status"]), ("problem", 10, "open"))
        act, = self.items("activities")
        self.assertEqual((act["opportunity_id"], act["account_id"], act["contacts"]),
                         (opp["id"], acc["id"], [wang["id"]]))
        # As a POST leaves it: its first stage in the history, its team, its audit entry.
        s = self.serve()
        history = s.get("/api/v1/opportunities/%s/history" % opp["id"]).json
        self.assertEqual([h["kind"] for h in history["items"]], ["create"])
        team = s.get("/api/v1/opportunities/%s/team" % opp["id"]).json
        self.assertIn(("imp_c", "consultant"),
                      [(m["name"], m["role"]) for m in team["members"]])
        audit = s.get("/api/v1/audit?record_id=" + opp["id"]).json["items"]
        create = [e for e in audit if e["action"] == "create"]
        self.assertEqual(len(create), 1, audit)
        self.assertEqual(create[0]["actor"], "cli")
        self.assertEqual(create[0]["new"]["name"], "门诊楼无线网络")
        self.assertEqual(create[0]["new"]["amount"], 50000000)
        self.assertNotIn(None, create[0]["new"].values(), "a create's entry lists what it set")

    def test_resource_flag_for_a_file_of_one_kind(self):
        res = self.run_import([{"name": "甲公司"}, {"name": "乙公司", "region": "华南"}],
                              "--resource", "accounts")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(sorted(a["name"] for a in self.items("accounts")), ["乙公司", "甲公司"])

    def test_import_beside_a_running_server(self):
        s = self.serve()
        res = self.run_import([{"resource": "accounts", "name": "运行中导入"}])
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual([a["name"] for a in self.items("accounts")], ["运行中导入"])
        self.assertEqual(s.get("/healthz").status, 200)


class ReportTotals(ImportCase):
    """The report totals a load keeps (the import adds the deals' up in memory
    and writes them before other lines and each commit) equal the GROUP BY
    over the deals, after loads that commit in small transactions, mix
    deals with other lines and deal teams, and stop at a bad line."""

    TOTALS = [
        ("SELECT * FROM funnel_totals ORDER BY 1, 2, 3, 4, 5, 6",
         "SELECT playbook, currency, COALESCE(owner_id, '') AS owner_id, "
         "COALESCE(owner, '') AS owner, stage, mant_complete, COUNT(*) AS deals, "
         "SUM(amount) AS amount, SUM(amount * probability) AS weighted "
         "FROM opportunities WHERE status = 'open' GROUP BY 1, 2, 3, 4, 5, 6 "
         "ORDER BY 1, 2, 3, 4, 5, 6"),
        ("SELECT * FROM forecast_totals ORDER BY 1, 2, 3",
         "SELECT currency, COALESCE(owner_id, '') AS owner_id, "
         "COALESCE(substr(expected_close, 1, 7), '') AS month, COUNT(*) AS deals, "
         "SUM(amount) AS amount, SUM(amount * probability) AS weighted "
         "FROM opportunities WHERE status = 'open' AND in_funnel = 1 "
         "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"),
        ("SELECT * FROM owner_counts ORDER BY 1",
         "SELECT COALESCE(owner_id, '') AS owner_id, COUNT(*) AS deals "
         "FROM opportunities GROUP BY 1 ORDER BY 1"),
        ("SELECT * FROM aside_counts ORDER BY 1, 2",
         "SELECT ds.scope, COALESCE(o.owner_id, '') AS owner_id, COUNT(*) AS deals "
         "FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id "
         "GROUP BY 1, 2 ORDER BY 1, 2"),
        # The reports' summaries (migration 25) against the views declaring them.
        ("SELECT owner_id, currency, month, playbook, category, deals, amount, weighted "
         "FROM forecast_cube WHERE deals <> 0 AND owner_id <> '*' AND owner_id NOT LIKE 's:%' "
         "AND owner_id NOT LIKE 't:%' "
         "ORDER BY 1, 2, 3, 4, 5",
         "SELECT owner_id, currency, month, playbook, category, COUNT(*) AS deals, "
         "SUM(amount) AS amount, SUM(weighted) AS weighted FROM deal_forecast_rows "
         "GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"),
        ("SELECT owner_id, playbook, stage, month, event, days, n, total_days FROM stage_flow "
         "WHERE n <> 0 AND owner_id <> '*' AND owner_id NOT LIKE 's:%' "
         "AND owner_id NOT LIKE 't:%' "
         "ORDER BY 1, 2, 3, 4, 5, 6",
         "SELECT owner_id, playbook, stage, month, event, days, COUNT(*) AS n, "
         "SUM(exact_days) AS total_days FROM deal_flow_rows "
         "GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"),
        ("SELECT owner_id, currency, month, playbook, status, stage, sales_mode, band, reason, "
         "won_by, deals, amount, total_days FROM outcome_cube WHERE deals <> 0 "
         "AND owner_id <> '*' AND owner_id NOT LIKE 's:%' "
         "AND owner_id NOT LIKE 't:%' "
         "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
         "SELECT owner_id, currency, month, playbook, status, stage, sales_mode, band, reason, "
         "won_by, COUNT(*) AS deals, SUM(amount) AS amount, SUM(cycle_days) AS total_days "
         "FROM deal_outcome_rows "
         "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"),
    ]

    def assert_totals(self):
        for kept, counted in self.TOTALS:
            self.assertEqual(bingfa_db.query(self.server.db, kept),
                             bingfa_db.query(self.server.db, counted), kept)

    def deals(self, rnd, n, tag, owners, consultant):
        stages = {"ruijie-6": [None, "launch", "shortlist"], "huayu-5": [None, "needs", "bid"]}
        lines = []
        for i in range(n):
            book = rnd.choice(sorted(stages))
            deal = {"resource": "opportunities", "account_id": "@a%d" % rnd.randrange(3),
                    "name": "%s %d" % (tag, i), "amount": rnd.randrange(0, 10 ** 9),
                    "playbook": book, "owner_id": rnd.choice(owners)}
            stage = rnd.choice(stages[book])
            if stage:
                deal["stage"] = stage
            if rnd.random() < 0.7:
                deal["expected_close"] = "2027-%02d-%02d" % (rnd.randint(1, 12), rnd.randint(1, 28))
            fate = rnd.random()
            if fate < 0.1:
                deal.update(status="won", close_reason="方案领先")
            elif fate < 0.2:
                deal.update(status="lost", won_by="某友商", close_reason="价格")
            if rnd.random() < 0.2:
                deal["ref"] = "%s%d" % (tag, i)
            lines.append(deal)
            if "ref" in deal:
                lines.append({"resource": "deal_team", "opportunity_id": "@" + deal["ref"],
                              "user_id": consultant, "role": "consultant"})
            if rnd.random() < 0.1:
                lines.append({"resource": "contacts", "account_id": "@a0",
                              "name": "联系人 %s %d" % (tag, i)})
        return lines

    def test_totals_equal_the_deals_after_loads(self):
        rnd = random.Random(7)
        team = self.cli_post("/api/v1/teams", {"name": "华东", "share_deals": True})
        owners = [self.cli_post("/api/v1/users", {"name": "tot_s%d" % i, "role": "sales",
                                                  "team_id": team["id"]})["id"] for i in range(3)]
        consultant = self.cli_post("/api/v1/users", {"name": "tot_c", "role": "consultant",
                                                     "team_id": team["id"]})["id"]
        accounts = [{"resource": "accounts", "ref": "a%d" % i, "name": "客户 %d" % i}
                    for i in range(3)]
        res = self.run_import(accounts + self.deals(rnd, 60, "x", owners, consultant),
                              "--batch", "7")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assert_totals()
        # Into a database with deals (added to the rows there), stopped by a
        # bad line: its transaction rolled back, the sums of its deals too.
        bad = {"resource": "opportunities", "account_id": "@a0", "name": "坏", "amount": -1}
        res = self.run_import(accounts + self.deals(rnd, 40, "y", owners, consultant) + [bad] +
                              self.deals(rnd, 5, "z", owners, consultant), "--batch", "9")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("amount: amount must not be negative", res.stderr)
        self.assert_totals()
        n = bingfa_db.query(self.server.db, "SELECT COUNT(*) FROM opportunities")[0][0]
        self.assertGreater(n, 60)
        self.assertLess(n, 100)


class BadLines(ImportCase):
    def test_a_bad_line_stops_and_rolls_back_its_transaction(self):
        res = self.run_import([
            {"resource": "accounts", "ref": "a", "name": "客户一"},
            {"resource": "opportunities", "account_id": "@a", "name": "第一单"},
            {"resource": "opportunities", "account_id": "@a", "name": "第二单"},
            {"resource": "opportunities", "account_id": "@a", "name": "第三单", "amount": -5},
            {"resource": "opportunities", "account_id": "@a", "name": "第四单"},
        ], "--batch", "2")
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("bingfa: line 4, amount: amount must not be negative", res.stderr)
        self.assertIn("the transaction of lines 3 to 4 was rolled back; the lines before 3 are "
                      "imported", res.stderr)
        self.assertEqual(self.summary(res)[:2], (2, 4))
        self.assertEqual([o["name"] for o in self.items("opportunities")], ["第一单"])
        self.assertEqual(len(self.items("accounts")), 1)

    def test_one_transaction_is_all_or_nothing(self):
        res = self.run_import([{"resource": "accounts", "name": "客户一"},
                               {"resource": "accounts", "name": "客户二", "ownership": "martian"}],
                              "--batch", "0")
        self.assertEqual(res.returncode, 1)
        self.assertIn("line 2, ownership: ownership must be one of", res.stderr)
        self.assertIn("nothing was imported", res.stderr)
        self.assertEqual(self.items("accounts"), [])

    def test_skip_invalid_leaves_out_the_bad_lines_alone(self):
        res = self.run_import([
            {"resource": "accounts", "ref": "a", "name": "客户一"},
            "{not json",
            {"resource": "opportunities", "account_id": "@a", "name": ""},
            [1, 2],
            {"resource": "opportunities", "account_id": "@nowhere", "name": "无客户"},
            {"resource": "widgets", "name": "x"},
            {"resource": "opportunities", "account_id": "@a", "name": "好商机"},
        ], "--skip-invalid", "--batch", "3")
        self.assertEqual(res.returncode, 1, "some lines were not imported")
        for text in ("line 2: malformed JSON at column", "line 3, name: name must have at least",
                     "line 4: a line must be a JSON object",
                     "line 5, account_id: account_id names @nowhere, the ref of no line before",
                     "line 6, resource: resource must be one of"):
            self.assertIn("bingfa: " + text, res.stderr)
        made, lines, counts = self.summary(res)
        self.assertEqual((made, lines), (2, 7))
        self.assertIn("; 5 lines skipped", counts)
        self.assertEqual([o["name"] for o in self.items("opportunities")], ["好商机"])

    def test_labels_are_unique_and_name_records(self):
        res = self.run_import([
            {"resource": "accounts", "ref": "a", "name": "客户一"},
            {"resource": "accounts", "ref": "a", "name": "客户二"},
            {"resource": "deal_team", "ref": "t", "opportunity_id": "opp_x1", "user_id": "usr_x"},
            {"resource": "deal_team", "opportunity_id": "../../users", "user_id": "usr_x1"},
            {"resource": "deal_team", "opportunity_id": "opp_nothere1", "user_id": "usr_x1"},
        ], "--skip-invalid")
        self.assertIn("line 2, ref: ref a labels an earlier line already", res.stderr)
        self.assertIn("line 3, ref: a deal_team line makes no record for a ref to label",
                      res.stderr)
        self.assertIn("line 4, opportunity_id: opportunity_id does not name an existing "
                      "opportunity", res.stderr)
        self.assertRegex(res.stderr, r"line 5: no opportunity with id opp_nothere1 \(404\)")
        self.assertEqual([a["name"] for a in self.items("accounts")], ["客户一"])


class Permissions(ImportCase):
    def setUp(self):
        super().setUp()
        team = self.cli_post("/api/v1/teams", {"name": "华南", "share_deals": False})
        self.s1 = self.cli_post("/api/v1/users",
                                {"name": "imp_s1", "role": "sales", "team_id": team["id"]})
        self.s2 = self.cli_post("/api/v1/users",
                                {"name": "imp_s2", "role": "sales", "team_id": team["id"]})
        partner = self.cli_post("/api/v1/partners", {"name": "金桥网络"})
        self.cli_post("/api/v1/users", {"name": "imp_p", "role": "partner",
                                        "partner_id": partner["id"]})
        self.other = self.cli_post("/api/v1/accounts",
                                   {"name": "别人的客户", "owner_id": self.s2["id"]})

    def test_a_salesperson_imports_what_the_api_lets_him(self):
        res = self.run_import([
            {"resource": "accounts", "ref": "mine", "name": "我的客户"},
            {"resource": "opportunities", "account_id": "@mine", "name": "我的商机"},
            {"resource": "opportunities", "account_id": self.other["id"], "name": "别人的商机"},
            {"resource": "contacts", "account_id": self.other["id"], "name": "别人的联系人"},
        ], "--as", "imp_s1", "--skip-invalid")
        self.assertEqual(res.returncode, 1)
        # A record he does not see answers as one that does not exist.
        self.assertIn("line 3, account_id: account_id names no account", res.stderr)
        self.assertIn("line 4, account_id: account_id names no account", res.stderr)
        self.assertEqual(self.summary(res)[:2], (2, 4))
        opp, = self.items("opportunities")
        self.assertEqual((opp["name"], opp["owner"], opp["owner_id"]),
                         ("我的商机", "imp_s1", self.s1["id"]))
        mine = [a for a in self.items("accounts") if a["name"] == "我的客户"]
        self.assertEqual(mine[0]["owner"], "imp_s1")
        entry = self.serve().get("/api/v1/audit?record_id=" + opp["id"]).json["items"][0]
        self.assertEqual((entry["actor"], entry["action"]), ("imp_s1", "create"))

    def test_a_partner_may_not_create_deals(self):
        res = self.run_import([{"resource": "opportunities", "account_id": self.other["id"],
                                "name": "伙伴的商机"}], "--as", "imp_p")
        self.assertEqual(res.returncode, 1)
        self.assertIn("line 1: a partner user may not create opportunities", res.stderr)
        self.assertEqual(self.items("opportunities"), [])

    def test_as_names_an_active_user(self):
        res = self.run_import([{"resource": "accounts", "name": "x"}], "--as", "nobody")
        self.assertEqual(res.returncode, 1)
        self.assertIn("bingfa: import: --as nobody: no active user has that name", res.stderr)
        self.assertEqual(res.stdout, "")


class ProgressAndSummary(ImportCase):
    LINES = [{"resource": "accounts", "name": "客户%d" % i} for i in range(3)]

    def test_a_progress_line_after_each_line_with_progress_0(self):
        res = self.run_import(self.LINES, "--progress", "0", "--batch", "2")
        self.assertEqual(res.returncode, 0, res.stderr)
        seen = [tuple(int(g) for g in m.groups()) for m in PROGRESS_RE.finditer(res.stderr)]
        self.assertEqual(seen, [(1, 1, 0), (2, 2, 0), (3, 3, 0)])
        self.assertEqual(self.summary(res), (3, 3, ": 3 accounts"))

    def test_quiet_prints_the_summary_only(self):
        res = self.run_import(self.LINES, "--quiet")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stderr, "")
        self.assertEqual(len(res.stdout.splitlines()), 1)
        self.assertEqual(self.summary(res)[:2], (3, 3))

    def test_bad_arguments(self):
        for args in (["--batch", "-1"], ["--progress", "soon"], ["--resource", "users"],
                     ["--frobnicate"]):
            with self.subTest(args=args):
                res = run_cli("import", "--db", self.server.db, *args, "-", input="")
                self.assertEqual(res.returncode, 2, res.stderr)
        self.assertEqual(run_cli("import", "--db", self.server.db).returncode, 2)



class DeferredIndexes(ImportCase):
    """A load into a database without deals builds the deals' secondary
    indexes (and the search's grams by owner) at its end (SQLite); a load
    that stopped leaves none missing."""

    def setUp(self):
        super().setUp()
        if self.server.db.startswith("postgresql"):
            self.skipTest("PostgreSQL's import writes through its indexes")

    def schema(self):
        con = sqlite3.connect(self.server.db)
        try:
            names = sorted(r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name IN ('opportunities', 'search_grams') AND sql IS NOT NULL"))
            waiting = con.execute("SELECT COUNT(*) FROM deferred_indexes").fetchone()[0]
            return names, waiting
        finally:
            con.close()

    def deals(self, n, first=0):
        return [{"resource": "accounts", "ref": "a", "name": "客户%d" % first}] + [
            {"resource": "opportunities", "account_id": "@a", "name": "商机%d" % (first + i),
             "amount": 1000 * i} for i in range(n)]

    def test_an_empty_database_gets_every_index_back(self):
        before, _ = self.schema()
        self.assertGreater(len(before), 10)
        self.assertIn("search_grams_owner", before)
        res = self.run_import(self.deals(30))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("bingfa: import: building the deals' indexes", res.stderr)
        self.assertEqual(self.schema(), (before, 0))
        # With deals there, the next load writes through the indexes.
        res = self.run_import(self.deals(5, first=100))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertNotIn("building the deals' indexes", res.stderr)
        self.assertEqual(self.schema(), (before, 0))
        got = self.items("opportunities", "&sort=-amount")
        self.assertEqual(len(got), 35)
        self.assertEqual(got[0]["amount"], 29000)
        # The imported deals are in the search, by owner too.
        r = self.server.get("/api/v1/search?q=%E5%95%86%E6%9C%BA29&limit=20")
        self.assertEqual([i["title"] for i in r.json["groups"][2]["items"]], ["商机29"])

    def test_a_stopped_load_still_builds_them(self):
        before, _ = self.schema()
        lines = self.deals(3) + [{"resource": "opportunities", "account_id": "@a", "amount": -1}]
        res = self.run_import(lines)
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertEqual(self.schema(), (before, 0))

    def test_opening_the_database_builds_what_a_killed_load_left(self):
        before, _ = self.schema()
        con = sqlite3.connect(self.server.db)
        try:
            con.execute("INSERT INTO deferred_indexes (name, sql) SELECT name, sql "
                        "FROM sqlite_master WHERE name = 'opportunities_owner_amount'")
            con.execute("DROP INDEX opportunities_owner_amount")
            con.commit()
        finally:
            con.close()
        self.assertNotIn("opportunities_owner_amount", self.schema()[0])
        res = run_cli("api", "--db", self.server.db, "GET", "/api/v1/opportunities")
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.schema(), (before, 0))


if __name__ == "__main__":
    unittest.main()
