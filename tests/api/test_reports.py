"""The manager's reports through the real server, each checked against a
recomputation from the deals the viewer reads through the API (a brute
force over the same visibility): the forecast by quarter and category with
empty quarters present, stage analytics, calibration and win/loss."""

import datetime
import unittest
from collections import Counter, defaultdict

import bingfa_db
from bingfa_server import ServerTestCase, win_deal

YEAR = datetime.datetime.now(datetime.timezone.utc).year


def quarter_of(date):
    return "%s-Q%d" % (date[:4], (int(date[5:7]) + 2) // 3)


def category_of(deal):
    if deal["status"] == "won":
        return "closed"
    if not deal["in_funnel"]:
        return "omitted"
    return deal["forecast_category"]


class ViewerChecks:
    """A viewer's forecast against the deals they read."""

    def seen(self, headers=None):
        """Every deal the viewer reads through the list."""
        r = self.get("/api/v1/opportunities?limit=200", headers=headers)
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def expected_forecast(self, deals):
        cells = defaultdict(Counter)
        for d in deals:
            if d["status"] not in ("open", "won") or d.get("currency", "CNY") != "CNY":
                continue
            date = d["closed_at"] if d["status"] == "won" else d.get("expected_close")
            if not date or not date.startswith(str(YEAR)):
                continue
            cells[quarter_of(date)][category_of(d)] += d["amount"]
        return cells

    def check_forecast(self, headers=None):
        r = self.get("/api/v1/reports/forecast?period=quarter", headers=headers)
        self.assertEqual(r.status, 200, r)
        body = r.json
        self.assertEqual([t["period"] for t in body["totals"]],
                         ["%d-Q%d" % (YEAR, q) for q in range(1, 5)])  # empty ones too
        want = self.expected_forecast(self.seen(headers))
        for t in body["totals"]:
            for cat in ("pipeline", "best_case", "commit", "omitted", "closed"):
                self.assertEqual(t[cat], want[t["period"]][cat], (t["period"], cat))
        return body


class ReportsTest(ViewerChecks, ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.sales = s.auth("报表销售", role="sales", team_id=None)
        acc = s.post("/api/v1/accounts", {"name": "报表客户"}).json
        own_acc = s.post("/api/v1/accounts", {"name": "销售的报表客户"}, headers=cls.sales).json
        cls.deals = []
        for i in range(6):
            d = s.post("/api/v1/opportunities", {
                "account_id": acc["id"], "name": "报表商机%d" % i, "playbook": "uss-5",
                "amount": 1000000 * (i + 1),
                "expected_close": "%d-%02d-15" % (YEAR, 2 + 3 * (i % 3))}).json
            cls.deals.append(d)
        for i in range(3):
            s.post("/api/v1/opportunities", {
                "account_id": own_acc["id"], "name": "销售商机%d" % i, "playbook": "uss-5",
                "amount": 700000, "expected_close": "%d-11-01" % YEAR}, headers=cls.sales)
        # Moves: two deals advanced, one won, one lost.
        for d in cls.deals[:2]:
            r = s.post("/api/v1/opportunities/%s/advance" % d["id"],
                       {"override": True, "reason": "经理批准推进"})
            assert r.status == 200, r
        win_deal(s, cls.deals[2]["id"])
        lost = s.get("/api/v1/opportunities/" + cls.deals[3]["id"]).json
        r = s.patch("/api/v1/opportunities/" + lost["id"],
                    {"status": "lost", "won_by": "对手甲", "close_reason": "价格"},
                    version=lost["version"])
        assert r.status in (200, 202), r
        # A close date pushed twice and an amount raised.
        d = cls.deals[4]
        for close in ("%d-09-30" % YEAR, "%d-12-31" % YEAR):
            d = s.patch("/api/v1/opportunities/" + d["id"], {"expected_close": close},
                        version=d["version"]).json
        s.patch("/api/v1/opportunities/" + d["id"], {"amount": d["amount"] + 250000},
                version=d["version"])

    def put(self, path, body, **kw):
        return self.request("PUT", path, body=body, **kw)

    def test_forecast_matches_the_deals_each_viewer_sees(self):
        admin = self.check_forecast()
        sales = self.check_forecast(self.sales)
        self.assertGreater(sum(t["closed"] for t in admin["totals"]), 0)
        self.assertEqual(sum(t["open_amount"] for t in sales["totals"]), 2100000)

    def test_forecast_by_month_keeps_every_month(self):
        body = self.get("/api/v1/reports/forecast?period=month&group=owner").json
        months = sorted({row["period"] for row in body["rows"]})
        self.assertEqual(months, ["%d-%02d" % (YEAR, m) for m in range(1, 13)])
        self.assertEqual(len(body["totals"]), 12)

    def test_bad_parameters_name_the_field(self):
        for q, field in (("period=week", "period"), ("from=2026-13", "from"),
                         ("group=region", "group"), ("from=2026-05&to=2026-01", "to")):
            r = self.get("/api/v1/reports/forecast?" + q)
            self.assertEqual(r.status, 422, r)
            self.assertEqual(r.json["error"]["field"], field)

    def test_stage_flow_counts_entries_and_exits(self):
        body = self.get("/api/v1/reports/stages?playbook=uss-5").json
        first = body["stages"][0]
        deals = [d for d in self.seen() if d["playbook"] == "uss-5"]
        self.assertEqual(first["entered"], len(deals))
        # Two advanced by one override each, and the won deal through every stage.
        self.assertGreaterEqual(first["advanced"], 3)
        self.assertEqual(first["lost"], 1)
        self.assertEqual(body["stages"][-1]["won"], 1)
        sales = self.get("/api/v1/reports/stages?playbook=uss-5", headers=self.sales).json
        self.assertEqual(sales["stages"][0]["entered"], 3)
        self.assertEqual(sales["stages"][0]["advanced"], 0)

    def test_what_changed_since_last_week(self):
        body = self.get("/api/v1/reports/forecast/changes").json
        summary = body["summary"]
        self.assertEqual(summary["added"], len(self.seen()))  # every deal is this week's
        self.assertEqual(summary["pushed"], 2)
        self.assertEqual(summary["amount_raised"], 250000)
        self.assertEqual((summary["won"], summary["lost"]), (1, 1))
        pushes = [c["pushes"] for c in body["changes"] if c["field"] == "expected_close"]
        self.assertEqual(sorted(pushes), [2, 2])
        sales = self.get("/api/v1/reports/forecast/changes", headers=self.sales).json
        self.assertEqual(sales["summary"]["added"], 3)
        self.assertEqual(sales["changes"], [])  # none of theirs changed
        self.assertEqual(self.get("/api/v1/reports/forecast/changes?since=2099-01-01"
                                  ).json["summary"]["added"], 0)
        self.assertEqual(self.get("/api/v1/reports/forecast/changes?since=last").status, 422)

    def test_owner_chooses_a_category_with_a_reason(self):
        d = self.deals[5]
        url = "/api/v1/opportunities/%s/forecast" % d["id"]
        self.assertEqual(self.put(url, {"category": "commit"}).status, 422)  # no reason
        r = self.put(url, {"category": "commit", "reason": "客户已确认预算"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["forecast_category"], r.json["forecast_override"],
                          r.json["forecast_reason"]), ("commit", "commit", "客户已确认预算"))
        self.check_forecast()
        r = self.put(url, {"category": None})
        self.assertEqual((r.json["forecast_category"], r.json["forecast_override"]),
                         ("pipeline", None))
        self.assertEqual(self.put(url, {"category": "commit", "reason": "x"},
                                  headers=self.sales).status, 404)  # not theirs to see
        # A consultant on the deal's team sees it, but the category is the owner's.
        helper = self.server.auth("预测顾问", role="consultant", team_id=None)
        hid = self.server.user_id("预测顾问", role="consultant")
        self.assertIn(self.put("/api/v1/opportunities/%s/team/%s" % (d["id"], hid),
                               {"role": "consultant"}).status, (200, 201))
        self.assertEqual(self.put(url, {"category": "commit", "reason": "x"},
                                  headers=helper).status, 403)

    def test_targets_beside_what_was_won(self):
        admin_id = self.server.user_id("报表销售", role="sales")
        r = self.put("/api/v1/targets", {"user_id": admin_id, "quarter": "%d-Q4" % YEAR,
                                         "amount": 5000000})
        self.assertEqual(r.status, 204, r)
        body = self.get("/api/v1/reports/forecast?group=owner").json
        q4 = [row for row in body["rows"] if row["group"] == admin_id and
              row["period"] == "%d-Q4" % YEAR][0]
        self.assertEqual((q4["target"], q4["gap"], q4["attainment"]), (5000000, 5000000, 0.0))
        self.assertEqual(self.put("/api/v1/targets", {"user_id": admin_id, "quarter": "Q4",
                                                      "amount": 1}).status, 422)
        self.assertEqual(self.put("/api/v1/targets", {"user_id": admin_id, "quarter": "2026-Q1",
                                                      "amount": 1}, headers=self.sales).status,
                         403)
        mine = self.get("/api/v1/targets", headers=self.sales).json["items"]
        self.assertEqual([(t["user_id"], t["amount"]) for t in mine], [(admin_id, 5000000)])
        # A person with a target and no deal has a row beside the others.
        idle = self.server.user_id("无单销售", role="sales")
        self.assertEqual(self.put("/api/v1/targets", {"user_id": idle, "quarter": "%d-Q2" % YEAR,
                                                      "amount": 300000}).status, 204)
        body = self.get("/api/v1/reports/forecast?group=owner").json
        q2 = [row for row in body["rows"] if row["group"] == idle and
              row["period"] == "%d-Q2" % YEAR][0]
        self.assertEqual((q2["target"], q2["closed"], q2["gap"], q2["group_name"]),
                         (300000, 0, 300000, "无单销售"))
        # Not to a salesperson of no team: neither the row nor the target.
        theirs = self.get("/api/v1/reports/forecast?group=owner", headers=self.sales).json
        self.assertNotIn(idle, {row["group"] for row in theirs["rows"]})
        # As a spreadsheet.
        r = self.get("/api/v1/targets?format=csv")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.raw.startswith(b"\xef\xbb\xbf"))
        self.assertIn("3000.00".encode(), r.raw)

    def test_activity_compliance(self):
        s = self.server
        who = s.auth("三E销售", role="sales", team_id=None)
        uid = s.user_id("三E销售", role="sales")
        acc = s.post("/api/v1/accounts", {"name": "三E客户"}, headers=who).json
        deal = s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "三E商机",
                                                "playbook": "uss-5", "sales_mode": "quick"},
                      headers=who).json
        quiet = s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "三E冷商机",
                                                 "playbook": "uss-5"}, headers=who).json
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for kind in ("visit", "visit", "call"):
            r = s.post("/api/v1/activities", {"opportunity_id": deal["id"], "type": kind,
                                              "done_at": now}, headers=who)
            self.assertEqual(r.status, 201, r)
        body = self.get("/api/v1/reports/activity").json
        row = [p for p in body["people"] if p["owner_id"] == uid][0]
        self.assertEqual((row["activities"], row["visits"]), (3, 2))
        self.assertEqual((row["open_deals"], row["idle_deals"], row["never_active"]), (2, 1, 1))
        self.assertAlmostEqual(row["per_day"], 3 / body["days"])
        plan = self.get("/api/v1/opportunities/%s/next" % deal["id"]).json
        mine = self.get("/api/v1/reports/activity?from=%d-01-01&to=%d-12-31" % (YEAR, YEAR + 1),
                        headers=who).json
        self.assertEqual([p["owner_id"] for p in mine["people"]], [uid])
        self.assertEqual(mine["people"][0]["plan_met"] + mine["people"][0]["plan_under_way"], 1,
                         plan)
        self.assertEqual(sum(w["activities"] for w in mine["weeks"]), 3)
        # One visit less: the deal's last activity stays, the counts follow.
        acts = self.get("/api/v1/activities?opportunity_id=%s" % deal["id"]).json["items"]
        visit = [a for a in acts if a["type"] == "visit"][0]
        self.assertEqual(s.delete("/api/v1/activities/" + visit["id"],
                                  version=visit["version"]).status, 204)
        row = [p for p in self.get("/api/v1/reports/activity").json["people"]
               if p["owner_id"] == uid][0]
        self.assertEqual((row["activities"], row["visits"], row["idle_deals"]), (2, 1, 1))
        self.assertEqual(self.get("/api/v1/reports/activity?idle_days=0").status, 422)
        self.assertIsNotNone(quiet)

    def test_a_deal_team_member_counts_the_deals_seen_aside(self):
        s = self.server
        who = s.auth("报表顾问", role="consultant", team_id=None)
        uid = s.user_id("报表顾问", role="consultant")
        for d in (self.deals[2], self.deals[3], self.deals[5]):  # won, lost, open
            r = s.request("PUT", "/api/v1/opportunities/%s/team/%s" % (d["id"], uid),
                          body={"role": "consultant"})
            self.assertIn(r.status, (200, 201), r)
        self.check_forecast(who)
        cal = self.get("/api/v1/reports/calibration?playbook=uss-5", headers=who).json
        self.assertEqual((cal["stages"][0]["closed"], cal["stages"][0]["won"]), (2, 1))
        stages = self.get("/api/v1/reports/stages?playbook=uss-5", headers=who).json["stages"]
        self.assertEqual(stages[0]["entered"], 3)
        self.assertEqual(stages[0]["lost"], 1)
        self.assertEqual(stages[-1]["won"], 1)
        # The same as the admin's figures for those three deals alone: the history of the
        # won deal through every stage.
        history = self.get("/api/v1/opportunities/%s/history" % self.deals[2]["id"]).json
        entered = sum(1 for c in history["items"] if c["from_stage"] != c["to_stage"])
        self.assertEqual(sum(st["entered"] for st in stages), entered + 2)
        # The owner's target is not the consultant's to see, beside the owner's deals.
        owner = self.get("/api/v1/opportunities/" + self.deals[5]["id"]).json["owner_id"]
        self.assertEqual(self.put("/api/v1/targets", {"user_id": owner, "quarter": "%d-Q1" % YEAR,
                                                      "amount": 7700000}).status, 204)
        rows = self.get("/api/v1/reports/forecast?group=owner", headers=who).json["rows"]
        self.assertTrue(rows and {r["group"] for r in rows} == {owner}, rows)
        self.assertEqual({r["target"] for r in rows}, {None})
        self.assertIn(7700000, {r["target"] for r in self.get(
            "/api/v1/reports/forecast?group=owner").json["rows"] if r["group"] == owner})
        wl = self.get("/api/v1/reports/win-loss?by=won_by", headers=who).json
        self.assertEqual(sorted((r["key"], r["won"], r["lost"]) for r in wl["rows"]),
                         [("", 1, 0), ("对手甲", 0, 1)])

    def test_calibration_and_win_loss(self):
        cal = self.get("/api/v1/reports/calibration?playbook=uss-5").json
        first = cal["stages"][0]
        self.assertEqual((first["closed"], first["won"]), (2, 1))
        self.assertAlmostEqual(first["observed"], 0.5)
        self.assertLess(first["low"], 0.5)
        self.assertGreater(first["high"], 0.5)
        self.assertIsNone(first["suggested"])  # two deals are no evidence
        wl = self.get("/api/v1/reports/win-loss?by=won_by").json
        by = {row["key"]: row for row in wl["rows"]}
        self.assertEqual(by["对手甲"]["lost"], 1)
        self.assertEqual(by[""]["won"], 1)
        self.assertEqual(self.get("/api/v1/reports/win-loss", headers=self.sales).json["rows"], [])
        self.assertEqual(self.get("/api/v1/reports/win-loss?by=colour").status, 422)
        # Names in the answer's language.
        by_stage = self.get("/api/v1/reports/win-loss?by=stage&playbook=uss-5&lang=en").json
        self.assertIn("Develop opportunities (potential)", [r["name"] for r in by_stage["rows"]])
        band = self.get("/api/v1/reports/win-loss?by=band").json["rows"]
        self.assertEqual([(r["key"], r["name"]) for r in band], [("0", "50万元以下")])
        band = self.get("/api/v1/reports/win-loss?by=band&lang=en").json["rows"]
        self.assertEqual([r["name"] for r in band], ["Under 0.5M CNY"])



class ManagerTreeTest(ViewerChecks, ServerTestCase):
    """A manager's reports read the rows of their tree added up (migration
    26): they equal the deals the manager reads, and follow a salesperson
    who changes team and a team that moves out of the tree and back."""

    def check_closed(self, headers=None):
        deals = [d for d in self.seen(headers) if d["playbook"] == "uss-5"]
        closed = [d for d in deals if d["status"] != "open"]
        cal = self.get("/api/v1/reports/calibration?playbook=uss-5", headers=headers).json
        self.assertEqual((cal["stages"][0]["closed"], cal["stages"][0]["won"]),
                         (len(closed), sum(d["status"] == "won" for d in closed)))
        wl = self.get("/api/v1/reports/win-loss?by=won_by", headers=headers).json
        want = Counter((d.get("won_by") or "", d["status"]) for d in closed)
        self.assertEqual(Counter({(r["key"], st): r[st] for r in wl["rows"]
                                  for st in ("won", "lost") if r[st]}), want)
        stages = self.get("/api/v1/reports/stages?playbook=uss-5", headers=headers).json
        self.assertEqual(stages["stages"][0]["entered"], len(deals))
        return len(deals)

    def test_a_manager_reads_their_tree(self):
        s = self.server
        top = s.post("/api/v1/teams", {"name": "报表大区", "share_deals": False}).json
        sub = s.post("/api/v1/teams", {"name": "报表小组", "share_deals": False,
                                       "parent_id": top["id"]}).json
        boss = s.auth("报表经理", role="manager", team_id=top["id"])
        rep = s.auth("报表组员", role="sales", team_id=sub["id"])
        # A salesperson of a team that shares its deals reads the team's rows together.
        shared = s.post("/api/v1/teams", {"name": "报表共享组", "share_deals": True,
                                          "parent_id": top["id"]}).json
        mate = s.auth("共享组员", role="sales", team_id=shared["id"])
        peer = s.auth("共享同事", role="sales", team_id=shared["id"])
        acc2 = s.post("/api/v1/accounts", {"name": "共享客户"}, headers=peer).json
        peer_deal = s.post("/api/v1/opportunities", {
            "account_id": acc2["id"], "name": "共享商机", "playbook": "uss-5", "amount": 500000,
            "expected_close": "%d-05-05" % YEAR}, headers=peer).json
        win_deal(s, peer_deal["id"])
        self.check_forecast(mate)
        self.assertEqual(self.check_closed(mate), 1)
        self.assertEqual(self.check_closed(peer), 1)
        rep_id = s.user_id("报表组员")
        acc = s.post("/api/v1/accounts", {"name": "组员客户"}, headers=rep).json
        mine = [s.post("/api/v1/opportunities", {
            "account_id": acc["id"], "name": "组员商机%d" % i, "playbook": "uss-5",
            "amount": 900000 * (i + 1), "expected_close": "%d-%02d-10" % (YEAR, 3 + i)},
            headers=rep).json for i in range(3)]
        win_deal(s, mine[0]["id"])
        lost = s.get("/api/v1/opportunities/" + mine[1]["id"]).json
        self.assertEqual(s.patch("/api/v1/opportunities/" + lost["id"],
                                 {"status": "lost", "won_by": "对手乙", "close_reason": "价格"},
                                 version=lost["version"]).status, 200)
        self.check_forecast(boss)
        self.assertEqual(self.check_closed(boss), 4)
        # The admin asks for the team: the same rows.
        team = self.get("/api/v1/reports/forecast?period=quarter&team=" + top["id"]).json
        mgr = self.get("/api/v1/reports/forecast?period=quarter", headers=boss).json
        self.assertEqual(team["totals"], mgr["totals"])

        def move(path, body):
            rec = s.get(path).json
            self.assertEqual(s.patch(path, body, version=rec["version"]).status, 200)

        move("/api/v1/users/" + rep_id, {"team_id": s.team_id})  # out of the tree
        self.check_forecast(boss)
        self.assertEqual(self.check_closed(boss), 1)
        move("/api/v1/users/" + rep_id, {"team_id": shared["id"]})  # into the sharing team
        self.check_forecast(mate)
        self.assertEqual(self.check_closed(mate), 4)
        move("/api/v1/users/" + rep_id, {"team_id": sub["id"]})  # back
        self.assertEqual(self.check_closed(boss), 4)
        self.assertEqual(self.check_closed(mate), 1)
        move("/api/v1/teams/" + sub["id"], {"parent_id": None})  # the team leaves
        self.check_forecast(boss)
        self.assertEqual(self.check_closed(boss), 1)
        move("/api/v1/teams/" + sub["id"], {"parent_id": top["id"]})
        self.check_forecast(boss)
        self.assertEqual(self.check_closed(boss), 4)

# Each summary against its recomputation from the deals, their stage history
# and activities (rows of zero are left behind at times and mean nothing).
SUMMARIES = [
    ("forecast_cube", "owner_id, currency, month, playbook, category, deals, amount, weighted",
     "SELECT owner_id, currency, month, playbook, category, COUNT(*), SUM(amount), "
     "SUM(weighted) FROM deal_forecast_rows GROUP BY 1, 2, 3, 4, 5", "deals"),
    ("outcome_cube", "owner_id, currency, month, playbook, status, stage, sales_mode, band, "
     "reason, won_by, deals, amount, total_days",
     "SELECT owner_id, currency, month, playbook, status, stage, sales_mode, band, reason, "
     "won_by, COUNT(*), SUM(amount), SUM(cycle_days) FROM deal_outcome_rows "
     "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10", "deals"),
    ("stage_flow", "owner_id, playbook, stage, month, event, days, n, total_days",
     "SELECT owner_id, playbook, stage, month, event, days, COUNT(*), SUM(exact_days) "
     "FROM deal_flow_rows GROUP BY 1, 2, 3, 4, 5, 6", "n"),
    ("stage_outcomes", "owner_id, playbook, stage, month, won, n",
     "SELECT owner_id, playbook, stage, month, won, COUNT(DISTINCT opportunity_id) "
     "FROM deal_stage_outcome_rows GROUP BY 1, 2, 3, 4, 5", "n"),
]


class AgeingTest(ServerTestCase):
    """How long each owner's open deals have stood in their stage (migration
    27): by bucket of days and stalled, as days pass and deals move."""

    def test_stage_ageing_and_stalled_by_owner(self):
        s = self.server
        who = s.auth("账龄销售", role="sales", team_id=None)
        uid = s.user_id("账龄销售", role="sales")
        acc = s.post("/api/v1/accounts", {"name": "账龄客户"}, headers=who).json
        deals = [s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "账龄商机%d" % i,
                                                  "playbook": "uss-5", "amount": 100000},
                        headers=who).json for i in range(6)]
        now = datetime.datetime.now(datetime.timezone.utc)
        # Days in the stage: 5, 40, 75, 200 and 400; the last deal, 300 days, is lost.
        for d, age in zip(deals, (5, 40, 75, 200, 400, 300)):
            at = (now - datetime.timedelta(days=age)).strftime("%Y-%m-%dT%H:%M:%SZ")
            bingfa_db.execute(s.db, "UPDATE opportunities SET stage_changed_at = ? WHERE id = ?",
                              (at, d["id"]))
        lost = s.get("/api/v1/opportunities/" + deals[5]["id"]).json
        self.assertEqual(s.patch("/api/v1/opportunities/" + lost["id"],
                                 {"status": "lost", "close_reason": "价格", "won_by": "对手丁"},
                                 version=lost["version"]).status, 200)

        def ageing(q=""):
            body = self.get("/api/v1/reports/activity" + q, headers=who).json
            row = [p for p in body["people"] if p["owner_id"] == uid][0]
            return [row[k] for k in ("age_0_30", "age_31_60", "age_61_90", "age_over_90",
                                     "stalled_deals", "open_deals")]

        self.assertEqual(ageing(), [1, 1, 1, 2, 4, 5])
        self.assertEqual(ageing("?stalled_days=60"), [1, 1, 1, 2, 3, 5])
        # A deal moved on today starts again; another changes hands and leaves.
        r = s.post("/api/v1/opportunities/%s/advance" % deals[4]["id"],
                   {"override": True, "reason": "经理批准推进"})
        self.assertEqual(r.status, 200, r)
        d = s.get("/api/v1/opportunities/" + deals[1]["id"])
        r = s.request("POST", "/api/v1/opportunities/%s/transfer" % deals[1]["id"],
                      body={"owner_id": s.user_id("账龄接手"), "reason": "区域调整"},
                      headers={"If-Match": d.headers["ETag"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(ageing(), [2, 0, 1, 1, 2, 4])
        r = self.get("/api/v1/reports/activity?stalled_days=91")
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "stalled_days"))


# Summaries kept per owner alone (stage ageing, migration 27; the funnel by
# month of expected close, migration 36).
OWNER_SUMMARIES = [
    ("SELECT owner_id, currency, day, deals, amount FROM age_days WHERE deals <> 0",
     "SELECT owner_id, currency, day, COUNT(*), SUM(amount) FROM deal_age_rows "
     "GROUP BY 1, 2, 3"),
    ("SELECT owner_id, currency, month, deals, amount FROM age_months WHERE deals <> 0",
     "SELECT owner_id, currency, month, COUNT(*), SUM(amount) FROM deal_age_rows "
     "GROUP BY 1, 2, 3"),
    ("SELECT owner_id, currency, month, playbook, stage, mant_complete, deals, amount, weighted "
     "FROM funnel_cube WHERE deals <> 0",
     "SELECT owner_id, currency, month, playbook, stage, mant_complete, COUNT(*), SUM(amount), "
     "SUM(weighted) FROM deal_funnel_rows GROUP BY 1, 2, 3, 4, 5, 6"),
]


# The deals seen aside per scope (migration 28): those with one of the
# scope's people on their deal team and an owner who is not one of them.
ASIDE = ("FROM deal_scopes ds JOIN {view} v ON v.opportunity_id = ds.opportunity_id "
         "WHERE NOT (ds.scope = 'u:' || v.owner_id OR EXISTS (SELECT 1 FROM users u "
         "JOIN team_scopes ts ON ts.team_id = u.team_id WHERE u.id = v.owner_id "
         "AND ts.scope = ds.scope)) GROUP BY {group}")
ASIDE_SUMMARIES = [
    ("aside_forecast_cube", "owner_id, currency, month, playbook, category",
     "deals, amount, weighted", "COUNT(*), SUM(v.amount), SUM(v.weighted)",
     "deal_forecast_rows"),
    ("aside_outcome_cube", "owner_id, currency, month, playbook, status, stage, sales_mode, "
     "band, reason, won_by", "deals, amount, total_days",
     "COUNT(*), SUM(v.amount), SUM(v.cycle_days)", "deal_outcome_rows"),
    ("aside_stage_flow", "playbook, stage, month, event, days", "n, total_days",
     "COUNT(*), SUM(v.exact_days)", "deal_flow_rows"),
    ("aside_stage_outcomes", "playbook, stage, month, won", "n",
     "COUNT(DISTINCT v.opportunity_id)", "deal_stage_outcome_rows"),
    ("aside_funnel_cube", "owner_id, currency, month, playbook, stage, mant_complete",
     "deals, amount, weighted", "COUNT(*), SUM(v.amount), SUM(v.weighted)", "deal_funnel_rows"),
]


class SummariesTest(ServerTestCase):
    """After deals are made, moved, won, lost, reopened, transferred and
    deleted, and activities logged and removed, every summary equals its
    recomputation."""

    def test_summaries_equal_their_recomputation(self):
        s = self.server
        acc = s.post("/api/v1/accounts", {"name": "汇总客户"}).json
        other = s.user_id("汇总销售", role="sales")
        deals = [s.post("/api/v1/opportunities", {
            "account_id": acc["id"], "name": "汇总商机%d" % i, "playbook": pb,
            "amount": 3000000 * (i + 1), "expected_close": "%d-%02d-01" % (YEAR, i + 1),
            "sales_mode": "quick" if pb == "uss-5" else None}).json
            for i, pb in enumerate(["uss-5", "ruijie-6", "uss-5", "huayu-5", "uss-5"])]
        # A consultant of another team on three deal teams, from the start: the deals are
        # seen aside in their scopes through everything below; one leaves again.
        helper_team = s.post("/api/v1/teams", {"name": "汇总顾问组"}).json
        helper = s.make_user("汇总顾问", role="consultant", team_id=helper_team["id"])["id"]
        for d in deals[:4]:
            r = s.request("PUT", "/api/v1/opportunities/%s/team/%s" % (d["id"], helper),
                          body={"role": "consultant"})
            self.assertIn(r.status, (200, 201), r)
        for d in deals[:3]:
            s.post("/api/v1/opportunities/%s/advance" % d["id"],
                   {"override": True, "reason": "经理批准推进"})
        win_deal(s, deals[0]["id"])
        self.assertEqual(s.request("DELETE", "/api/v1/opportunities/%s/team/%s" %
                                   (deals[3]["id"], helper)).status, 204)
        lost = s.get("/api/v1/opportunities/" + deals[1]["id"]).json
        lost = s.patch("/api/v1/opportunities/" + lost["id"], {"status": "lost", "won_by": "乙",
                                                               "close_reason": "关系"},
                       version=lost["version"]).json
        s.patch("/api/v1/opportunities/" + lost["id"], {"status": "open"},
                version=lost["version"])  # reopened
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        for d in deals[2:4]:
            s.post("/api/v1/activities", {"opportunity_id": d["id"], "type": "visit",
                                          "done_at": now})
        d = s.get("/api/v1/opportunities/" + deals[2]["id"])
        r = s.request("POST", "/api/v1/opportunities/%s/transfer" % deals[2]["id"],
                      body={"owner_id": other, "reason": "区域调整"},
                      headers={"If-Match": d.headers["ETag"]})
        self.assertEqual(r.status, 200, r)
        # The new owner changes team, and the team moves to the top.
        team = s.post("/api/v1/teams", {"name": "汇总小组", "parent_id": s.team_id}).json
        for path, body in (("/api/v1/users/" + other, {"team_id": team["id"]}),
                           ("/api/v1/teams/" + team["id"], {"parent_id": None}),
                           # the consultant's team joins the admin's tree, and the new owner
                           # the consultant's team: the deal is no longer aside there
                           ("/api/v1/teams/" + helper_team["id"], {"parent_id": s.team_id}),
                           # the new owner's team joins that tree too, and leaves it again
                           ("/api/v1/teams/" + team["id"], {"parent_id": s.team_id}),
                           ("/api/v1/teams/" + team["id"], {"parent_id": None}),
                           ("/api/v1/users/" + other, {"team_id": helper_team["id"]})):
            rec = s.get(path).json
            self.assertEqual(s.patch(path, body, version=rec["version"]).status, 200)
            self.check_summaries(path)
        gone = s.get("/api/v1/opportunities/" + deals[4]["id"]).json
        self.assertEqual(s.delete("/api/v1/opportunities/" + gone["id"],
                                  version=gone["version"]).status, 204)
        self.check_summaries("end")

    def check_summaries(self, when):
        s = self.server
        for table, columns, recomputed, count in SUMMARIES:
            with self.subTest(table=table, when=when):
                owners = ("owner_id <> '*' AND owner_id NOT LIKE 's:%%' "
                          "AND owner_id NOT LIKE 't:%%'")
                kept = "SELECT %s FROM %s WHERE %s <> 0 AND %s" % (columns, table, count, owners)
                # Everyone's rows ('*') are the owners' added up.
                dims = columns.split(", ")[1:-3 if table in ("forecast_cube", "outcome_cube")
                                              else -2 if table == "stage_flow" else -1]
                sums = columns.split(", ")[1 + len(dims):]
                everyone = ("SELECT %s FROM %s WHERE owner_id = '*' AND %s <> 0" %
                            (", ".join(dims + sums), table, count))
                added = ("SELECT %s, %s FROM %s WHERE %s GROUP BY %s HAVING SUM(%s) "
                         "<> 0" % (", ".join(dims), ", ".join("SUM(%s)" % x for x in sums),
                                   table, owners, ", ".join(dims), count))
                # Each tree ('s:<team>') and team ('t:<team>') is its users' rows added up.
                tree = ("SELECT %s FROM %s WHERE (owner_id LIKE 's:%%' OR owner_id LIKE 't:%%') "
                        "AND %s <> 0" % (columns, table, count))
                trees = ("SELECT ts.scope, %s, %s FROM %s c JOIN users u ON u.id = c.owner_id "
                         "JOIN team_scopes ts ON ts.team_id = u.team_id "
                         "WHERE c.owner_id <> '*' AND c.owner_id NOT LIKE 's:%%' "
                         "AND c.owner_id NOT LIKE 't:%%' "
                         "GROUP BY ts.scope, %s HAVING SUM(c.%s) <> 0" %
                         (", ".join("c." + x for x in dims),
                          ", ".join("SUM(c.%s)" % x for x in sums), table,
                          ", ".join("c." + x for x in dims), count))
                for a, b in ((kept, recomputed), (recomputed, kept), (everyone, added),
                             (added, everyone), (tree, trees), (trees, tree)):
                    extra = bingfa_db.query(s.db, "SELECT * FROM (%s EXCEPT %s) AS x" % (a, b))
                    self.assertEqual(extra, [], (a, b))
        for table, dims, sums, exprs, view in ASIDE_SUMMARIES:
            vdims = ", ".join("v." + x for x in dims.split(", "))
            kept = "SELECT scope, %s, %s FROM %s WHERE %s <> 0" % (dims, sums, table,
                                                                  sums.split(",")[0])
            recomputed = "SELECT ds.scope, %s, %s %s" % (
                vdims, exprs, ASIDE.format(view=view, group="ds.scope, " + vdims))
            with self.subTest(table=table, when=when):
                self.assertTrue(bingfa_db.query(s.db, kept) or table != "aside_stage_flow")
                for a, b in ((kept, recomputed), (recomputed, kept)):
                    extra = bingfa_db.query(s.db, "SELECT * FROM (%s EXCEPT %s) AS x" % (a, b))
                    self.assertEqual(extra, [], (a, b))
        for kept, recomputed in OWNER_SUMMARIES:
            for a, b in ((kept, recomputed), (recomputed, kept)):
                extra = bingfa_db.query(s.db, "SELECT * FROM (%s EXCEPT %s) AS x" % (a, b))
                self.assertEqual(extra, [], (a, b))


class AsOfTest(ServerTestCase):
    """The forecast as it stood on a past day: the changes since undone."""

    def test_forecast_as_of_a_past_day(self):
        s = self.server
        acc = s.post("/api/v1/accounts", {"name": "回溯客户"}).json
        close = "%d-11-20" % YEAR
        old = s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "回溯商机",
                                               "playbook": "uss-5", "amount": 4000000,
                                               "expected_close": close}).json
        changed = s.patch("/api/v1/opportunities/" + old["id"],
                          {"amount": 9000000, "expected_close": "%d-02-10" % (YEAR + 1)},
                          version=old["version"]).json
        late = s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "新商机",
                                                "playbook": "uss-5", "amount": 700000,
                                                "expected_close": close}).json
        # The first deal was made in January and changed in June; the other is new.
        bingfa_db.execute(s.db, "UPDATE opportunities SET created_at = ? WHERE id = ?",
                          ("%d-01-05T02:00:00Z" % YEAR, old["id"]))
        bingfa_db.execute(s.db, "UPDATE deal_changes SET changed_at = ? WHERE opportunity_id = ?",
                          ("%d-06-15T02:00:00Z" % YEAR, old["id"]))
        url = "/api/v1/reports/forecast?from=%d-01&to=%d-12" % (YEAR, YEAR + 1)

        def open_by_quarter(q):
            body = self.get(url + q).json
            return {t["period"]: t["open_amount"] for t in body["totals"] if t["open_amount"]}

        self.assertEqual(open_by_quarter(""), {"%d-Q1" % (YEAR + 1): 9000000,
                                               "%d-Q4" % YEAR: 700000})
        self.assertEqual(open_by_quarter("&as_of=%d-06-01" % YEAR), {"%d-Q4" % YEAR: 4000000})
        self.assertEqual(open_by_quarter("&as_of=%d-06-30" % YEAR),
                         {"%d-Q1" % (YEAR + 1): 9000000})
        self.assertEqual(open_by_quarter("&as_of=%d-01-01" % YEAR), {})
        self.assertEqual(self.get(url + "&as_of=June").status, 422)
        self.assertIsNotNone(changed and late)

    def test_cycle_time_from_creation_to_winning(self):
        s = self.server
        acc = s.post("/api/v1/accounts", {"name": "周期客户"}).json
        deal = s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "周期商机",
                                                "playbook": "huayu-5", "amount": 800000}).json
        made = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=10,
                                                                                 hours=1)
        bingfa_db.execute(s.db, "UPDATE opportunities SET created_at = ? WHERE id = ?",
                          (made.strftime("%Y-%m-%dT%H:%M:%SZ"), deal["id"]))
        win_deal(s, deal["id"])
        rows = self.get("/api/v1/reports/win-loss?by=playbook&playbook=huayu-5").json["rows"]
        self.assertEqual([(r["key"], r["won"], r["won_cycle_days"]) for r in rows],
                         [("huayu-5", 1, 10.0)])



class EventsAsOfTest(ServerTestCase):
    """Stage analytics, calibration and win/loss as they stood on a past day:
    the stays ended and the deals closed since are taken away, for each
    viewer only of the deals they see."""

    def test_event_reports_as_of_past_days(self):
        s = self.server
        rep = s.auth("回溯销售", role="sales", team_id=None)
        stranger = s.auth("旁人销售", role="sales", team_id=None)
        acc = s.post("/api/v1/accounts", {"name": "事件回溯客户"}, headers=rep).json
        x, y, z = [s.post("/api/v1/opportunities", {
            "account_id": acc["id"], "name": "事件商机%d" % i, "playbook": "uss-5",
            "amount": 1000000}, headers=rep).json for i in range(3)]
        win_deal(s, x["id"])
        lost = s.get("/api/v1/opportunities/" + y["id"]).json
        self.assertEqual(s.patch("/api/v1/opportunities/" + y["id"],
                                 {"status": "lost", "won_by": "对手丙", "close_reason": "价格"},
                                 version=lost["version"]).status, 200)
        self.assertEqual(s.post("/api/v1/opportunities/%s/advance" % z["id"],
                                {"override": True, "reason": "经理批准推进"}).status, 200)
        # The history moved into the past: x made on day 0, moved on day 10 and won on
        # day 20; y made on day 0 and lost on day 40; z made on day 50, moved on day 60.
        t0 = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=120)

        def at(day):
            return (t0 + datetime.timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ")

        # The stage history is append-only: its guard stands aside while it is rewritten.
        if bingfa_db.on_postgres():
            bingfa_db.execute(s.db, "ALTER TABLE stage_changes DISABLE TRIGGER "
                                    "stage_changes_no_update")
        else:
            bingfa_db.execute(s.db, "DROP TRIGGER stage_changes_no_update")
        for deal, made, moved, closed in ((x, 0, 10, 20), (y, 0, None, 40), (z, 50, 60, None)):
            run = lambda sql, *args: bingfa_db.execute(s.db, sql, args + (deal["id"],))
            run("UPDATE stage_changes SET changed_at = ? WHERE opportunity_id = ? "
                "AND from_stage IS NULL", at(made))
            run("UPDATE stage_changes SET changed_at = ? WHERE opportunity_id = ? "
                "AND from_stage IS NOT NULL AND kind <> 'won'", at(moved or made))
            run("UPDATE stage_changes SET changed_at = ? WHERE opportunity_id = ? "
                "AND kind = 'won'", at(closed or made))
            run("UPDATE deal_changes SET changed_at = ? WHERE opportunity_id = ? "
                "AND field = 'status'", at(closed or made))
            run("UPDATE deal_changes SET changed_at = ? WHERE opportunity_id = ? "
                "AND field <> 'status'", at(moved or made))
            run("UPDATE opportunities SET created_at = ?, stage_changed_at = ?, "
                "closed_at = CASE WHEN status = 'open' THEN NULL ELSE ? END WHERE id = ?",
                at(made), at(closed or moved or made), at(closed or made))
        if bingfa_db.on_postgres():
            bingfa_db.execute(s.db, "ALTER TABLE stage_changes ENABLE TRIGGER "
                                    "stage_changes_no_update")
        else:
            bingfa_db.execute(s.db, "CREATE TRIGGER stage_changes_no_update BEFORE UPDATE ON "
                                    "stage_changes BEGIN SELECT RAISE(ABORT, 'stage history is "
                                    "append-only'); END")
        for table, _, recomputed, _ in SUMMARIES:  # the summaries made again from the history
            bingfa_db.execute(s.db, "DELETE FROM %s" % table)
            bingfa_db.execute(s.db, "INSERT INTO %s %s" % (table, recomputed))
        url = "?playbook=uss-5&from=%s&to=%s" % (at(0)[:7], at(120)[:7])

        def figures(as_of, who):
            q = url + ("&as_of=" + at(as_of)[:10] if as_of is not None else "")
            first = self.get("/api/v1/reports/stages" + q, headers=who).json["stages"][0]
            cal = self.get("/api/v1/reports/calibration" + q, headers=who).json["stages"][0]
            wl = self.get("/api/v1/reports/win-loss" + q + "&by=playbook", headers=who).json
            won_lost = [(r["won"], r["lost"]) for r in wl["rows"]]
            return (first["entered"], first["advanced"], cal["closed"], cal["won"], won_lost)

        for day, want in ((5, (2, 0, 0, 0, [])), (25, (2, 1, 1, 1, [(1, 0)])),
                          (45, (2, 1, 2, 1, [(1, 1)])), (55, (3, 1, 2, 1, [(1, 1)])),
                          (65, (3, 2, 2, 1, [(1, 1)])), (None, (3, 2, 2, 1, [(1, 1)]))):
            with self.subTest(day=day):
                self.assertEqual(figures(day, rep), want)
                self.assertEqual(figures(day, None), want)  # the admin's
                self.assertEqual(figures(day, stranger), (0, 0, 0, 0, []))
        body = self.get("/api/v1/reports/stages" + url + "&as_of=" + at(5)[:10]).json
        self.assertEqual(body["as_of"], at(5)[:10])
        self.assertEqual(self.get("/api/v1/reports/win-loss?as_of=yesterday").status, 422)

if __name__ == "__main__":
    unittest.main()
