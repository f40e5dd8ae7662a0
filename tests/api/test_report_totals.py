"""The funnel and the forecast are sums kept by every write (the totals of
schema version 7), not counted from the deals at each request. They must be
exact: after random creates, edits, stage moves, transfers, wins and losses,
deletes, deal-team and partner changes, MANT completions, people moved
between teams and teams moved in the tree, every user's funnel and
forecast equal a recomputation from the deals that user lists, and the kept
totals (per owner, schema version 7; of the deals seen aside per scope of
people, schema version 10) equal a GROUP BY over the tables they sum."""

import collections
import random
import unittest

import bingfa_db
from bingfa_server import ServerTestCase, satisfy_mant, win_deal

SEED = 20261204
STEPS = 160
PLAYBOOKS = ("ruijie-6", "huayu-5")
CURRENCIES = ("CNY", "USD")
# name: (role, team key, partner key)
PEOPLE = {"经理甲": ("manager", "T1", None), "销售甲": ("sales", "T1", None),
          "销售乙": ("sales", "T1", None), "顾问甲": ("consultant", "T1", None),
          "销售丙": ("sales", "T2", None), "销售丁": ("sales", "T2", None),
          "销售戊": ("sales", "T3", None), "顾问乙": ("consultant", "T3", None),
          "经理乙": ("manager", "TOP", None),
          "伙伴甲": ("partner", None, "P1")}
OWNERS = ("销售甲", "销售乙", "销售丙", "销售丁", "销售戊")
MOVERS = ("销售乙", "顾问甲", "销售戊")  # people moved between teams


def fen_of_percent(weighted):
    return (weighted + 50) // 100


class ReportTotalsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server

        def must(r, status=(200, 201)):
            if r.status not in status:
                raise RuntimeError("setup: %r" % (r,))
            return r.json

        top = must(s.post("/api/v1/teams", {"name": "总部"}))["id"]
        cls.teams = {"T1": must(s.post("/api/v1/teams", {"name": "华东", "parent_id": top,
                                                          "share_deals": False}))["id"],
                     "T2": must(s.post("/api/v1/teams", {"name": "华南", "parent_id": top,
                                                          "share_deals": True}))["id"],
                     "TOP": top}
        cls.teams["T3"] = must(s.post("/api/v1/teams", {"name": "华东二组",
                                                         "parent_id": cls.teams["T1"],
                                                         "share_deals": True}))["id"]
        cls.partner = must(s.post("/api/v1/partners", {"name": "渠道伙伴"}))["id"]
        cls.uid, cls.h = {}, {"admin": None}
        for name, (role, team, partner) in PEOPLE.items():
            u = s.make_user(name, role=role, team_id=cls.teams.get(team),
                            partner_id=cls.partner if partner else None)
            cls.uid[name] = u["id"]
            cls.h[name] = s.auth(name)
        cls.accounts = [must(s.post("/api/v1/accounts", {"name": "客户%d" % i}))["id"]
                        for i in range(4)]

    def setUp(self):
        self.rng = random.Random(SEED)
        self.deals = {}  # id -> version
        self.done = collections.Counter()  # writes that took effect, by kind

    # -- the random writes ----------------------------------------------------------------

    def fetch(self, opp_id):
        r = self.get("/api/v1/opportunities/" + opp_id)
        self.assertEqual(r.status, 200, r)
        return r.json

    def create(self):
        body = {"account_id": self.rng.choice(self.accounts), "name": "商机",
                "amount": self.rng.randrange(0, 5000000),
                "currency": self.rng.choice(CURRENCIES),
                "playbook": self.rng.choice(PLAYBOOKS),
                "owner_id": self.uid[self.rng.choice(OWNERS)]}
        if self.rng.random() < 0.7:
            body["expected_close"] = "2027-%02d-%02d" % (self.rng.randrange(1, 13),
                                                         self.rng.randrange(1, 28))
        r = self.post("/api/v1/opportunities", body)
        self.assertEqual(r.status, 201, r)
        self.deals[r.json["id"]] = r.json["version"]
        self.done["create"] += 1

    def edit(self, opp_id):
        o = self.fetch(opp_id)
        change = self.rng.choice(["amount", "expected_close", "currency", "none"])
        body = {"amount": self.rng.randrange(0, 5000000)} if change == "amount" else \
            {"expected_close": self.rng.choice([None, "2028-01-15", "2027-06-30"])} \
            if change == "expected_close" else \
            {"currency": self.rng.choice(CURRENCIES)} if change == "currency" else \
            {"name": "改名"}
        r = self.patch("/api/v1/opportunities/" + opp_id, body, version=o["version"])
        self.assertIn(r.status, (200, 409), r)  # 409: a closed deal refuses edits
        self.took("edit " + change, r)

    def advance(self, opp_id):
        r = self.post("/api/v1/opportunities/%s/advance" % opp_id,
                      {"override": True, "reason": "经理批准推进"})
        self.assertIn(r.status, (200, 409), r)  # 409: the winning gate unmet, or closed
        self.took("advance", r)

    def transfer(self, opp_id):
        o = self.fetch(opp_id)
        r = self.request("POST", "/api/v1/opportunities/%s/transfer" % opp_id,
                         body={"owner_id": self.uid[self.rng.choice(
                             [n for n in OWNERS if self.uid[n] != o["owner_id"]])],
                               "reason": "调整分工"},
                         headers={"If-Match": '"%d"' % o["version"]})
        self.assertIn(r.status, (200, 409), r)
        self.took("transfer", r)

    def close(self, opp_id):
        o = self.fetch(opp_id)
        if o["status"] != "open":
            return
        if self.rng.random() < 0.5:
            return self.win(opp_id)
        body = {"status": "lost", "won_by": "竞争对手", "close_reason": "价格"}
        r = self.patch("/api/v1/opportunities/" + opp_id, body, version=o["version"])
        self.assertIn(r.status, (200, 409), r)
        self.took(body["status"], r)

    def win(self, opp_id):
        """Wins the deal through its last gate (win_deal): the only way a deal is won."""
        r = win_deal(self.server, opp_id)
        self.assertEqual((r["status"], r["probability"]), ("won", 100), r)
        self.done["won"] += 1

    def delete_deal(self, opp_id):
        o = self.fetch(opp_id)
        r = self.delete("/api/v1/opportunities/" + opp_id, version=o["version"])
        self.assertEqual(r.status, 204, r)
        del self.deals[opp_id]
        self.took("delete", r)

    def team(self, opp_id):
        """Puts someone on the deal team, or takes them off when they are on."""
        who = self.uid[self.rng.choice(["顾问甲", "销售甲", "销售丙", "经理甲", "销售戊", "顾问乙"])]
        members = self.get("/api/v1/opportunities/%s/team" % opp_id)
        self.assertEqual(members.status, 200, members)
        url = "/api/v1/opportunities/%s/team/%s" % (opp_id, who)
        if who in [m["id"] for m in members.json["members"]]:
            r = self.request("DELETE", url)
            self.assertEqual(r.status, 204, r)
            self.took("team delete", r)
        else:
            r = self.request("PUT", url, body={"role": "consultant"})
            self.assertIn(r.status, (200, 201), r)
            self.took("team put", r)

    def partner_registration(self, opp_id):
        url = "/api/v1/opportunities/%s/partners/%s" % (opp_id, self.partner)
        r = self.request("PUT" if self.rng.random() < 0.6 else "DELETE", url)
        self.assertIn(r.status, (200, 201, 204, 404), r)
        self.took("partner", r)

    def mant(self, opp_id):
        if self.fetch(opp_id)["playbook"] == "ruijie-6":
            satisfy_mant(self.server, opp_id)
            self.done["mant"] += 1

    def move_person(self, opp_id):
        """Moves someone to another team (or to none)."""
        del opp_id
        name = self.rng.choice(MOVERS)
        u = self.get("/api/v1/users/" + self.uid[name])
        self.assertEqual(u.status, 200, u)
        team = self.rng.choice(["T1", "T2", "T3", None])
        r = self.patch("/api/v1/users/" + self.uid[name],
                       {"team_id": self.teams[team] if team else None},
                       version=u.json["version"])
        self.assertEqual(r.status, 200, r)
        self.took("move person", r)

    def move_team(self, opp_id):
        """Moves the team T3 (a leaf) under another parent."""
        del opp_id
        t = self.get("/api/v1/teams/" + self.teams["T3"])
        self.assertEqual(t.status, 200, t)
        parent = self.rng.choice(["T1", "T2", "TOP"])
        r = self.patch("/api/v1/teams/" + self.teams["T3"], {"parent_id": self.teams[parent]},
                       version=t.json["version"])
        self.assertEqual(r.status, 200, r)
        self.took("move team", r)

    def took(self, kind, r, ok=(200, 201, 204)):
        if r.status in ok:
            self.done[kind] += 1

    def random_step(self):
        if len(self.deals) < 6 or self.rng.random() < 0.3:
            return self.create()
        opp_id = self.rng.choice(list(self.deals))  # in the order made: the same walk each run
        step = self.rng.choice([self.edit, self.advance, self.transfer, self.close,
                                self.delete_deal, self.team, self.team,
                                self.partner_registration, self.mant, self.move_person,
                                self.move_team])
        step(opp_id)

    # -- the recomputation ----------------------------------------------------------------

    def visible_open(self, user, playbook=None, currency=None):
        """The open deals user lists (every page), optionally of one playbook
        and currency."""
        query = "/api/v1/opportunities?status=open&limit=200"
        if playbook:
            query += "&playbook=" + playbook
        if currency:
            query += "&currency=" + currency
        out, cursor = [], None
        while True:
            r = self.get(query + ("&cursor=" + cursor if cursor else ""), headers=self.h[user])
            self.assertEqual(r.status, 200, r)
            out.extend(r.json["items"])
            cursor = r.json.get("next_cursor")
            if not cursor:
                return out

    def check_reports(self, user):
        in_funnel = {c: [0, 0] for c in CURRENCIES}  # the funnels' deals in the funnel proper
        for playbook in PLAYBOOKS:
            for currency in CURRENCIES:
                deals = self.visible_open(user, playbook, currency)
                f = self.get("/api/v1/reports/funnel?playbook=%s&currency=%s"
                             % (playbook, currency), headers=self.h[user])
                self.assertEqual(f.status, 200, f)
                weighted = sum(d["amount"] * d["probability"] for d in deals)
                self.assertEqual((f.json["totals"]["count"], f.json["totals"]["amount"],
                                  f.json["totals"]["weighted_amount"]),
                                 (len(deals), sum(d["amount"] for d in deals),
                                  fen_of_percent(weighted)), (user, playbook, currency))
                in_funnel[currency][0] += f.json["funnel_totals"]["count"]
                in_funnel[currency][1] += f.json["funnel_totals"]["amount"]
                for st in f.json["stages"]:
                    mine = [d for d in deals if d["stage"] == st["id"]]
                    self.assertEqual((st["count"], st["amount"]),
                                     (len(mine), sum(d["amount"] for d in mine)),
                                     (user, playbook, currency, st["id"]))
                self.check_window(user, playbook, currency, deals)
        for currency in CURRENCIES:
            deals = self.visible_open(user, currency=currency)
            fc = self.get("/api/v1/reports/forecast?period=month&from=2027-01&to=2028-12&"
                          "currency=" + currency, headers=self.h[user])
            self.assertEqual(fc.status, 200, fc)
            months = {}
            for d in deals:
                if not d["in_funnel"]:
                    continue  # the forecast counts what the funnel proper counts
                m = d["expected_close"][:7] if d.get("expected_close") else None
                c, a, w = months.get(m, (0, 0, 0))
                months[m] = (c + 1, a + d["amount"], w + d["amount"] * d["probability"])
            rows = fc.json["totals"] + [dict(fc.json["undated"], period=None)]
            got = {m["period"]: (m["open_count"], m["open_amount"], m["weighted_amount"])
                   for m in rows if m["open_count"]}
            want = {m: (c, a, fen_of_percent(w)) for m, (c, a, w) in months.items()}
            self.assertEqual(got, want, (user, currency))
            self.assertEqual([sum(m["open_count"] for m in rows),
                              sum(m["open_amount"] for m in rows)],
                             in_funnel[currency], (user, currency))

    def check_window(self, user, playbook, currency, deals):
        """The funnel of the deals expected to close from March to August 2027
        (the summary by month, migration 36), by stage and pre-funnel."""
        f = self.get("/api/v1/reports/funnel?playbook=%s&currency=%s&from=2027-03&to=2027-08"
                     % (playbook, currency), headers=self.h[user])
        self.assertEqual(f.status, 200, f)
        deals = [d for d in deals
                 if d.get("expected_close") and "2027-03" <= d["expected_close"][:7] <= "2027-08"]
        weighted = sum(d["amount"] * d["probability"] for d in deals)
        self.assertEqual((f.json["totals"]["count"], f.json["totals"]["amount"],
                          f.json["totals"]["weighted_amount"]),
                         (len(deals), sum(d["amount"] for d in deals), fen_of_percent(weighted)),
                         (user, playbook, currency, "window"))
        in_funnel = [d for d in deals if d["in_funnel"]]
        self.assertEqual((f.json["funnel_totals"]["count"], f.json["funnel_totals"]["amount"]),
                         (len(in_funnel), sum(d["amount"] for d in in_funnel)),
                         (user, playbook, currency, "window in funnel"))
        for st in f.json["stages"]:
            mine = [d for d in deals if d["stage"] == st["id"]]
            self.assertEqual((st["count"], st["amount"]),
                             (len(mine), sum(d["amount"] for d in mine)),
                             (user, playbook, currency, "window", st["id"]))

    def assert_kept(self, kept_sql, counted_sql):
        """A table kept by writes equals the GROUP BY over what it sums."""
        db = self.server.db
        self.assertEqual(bingfa_db.query(db, kept_sql), bingfa_db.query(db, counted_sql))

    def check_kept_totals(self):
        self.assert_kept("SELECT * FROM funnel_totals ORDER BY 1, 2, 3, 4, 5, 6",
                         "SELECT playbook, currency, COALESCE(owner_id, '') AS owner_id, "
                         "COALESCE(owner, '') AS owner, stage, mant_complete, COUNT(*) AS deals, "
                         "SUM(amount) AS amount, SUM(amount * probability) AS weighted "
                         "FROM opportunities WHERE status = 'open' GROUP BY 1, 2, 3, 4, 5, 6 "
                         "ORDER BY 1, 2, 3, 4, 5, 6")
        # in_funnel follows its rule: ruijie-6 leaves out its first stage and,
        # being a MANT playbook, every deal without MANT complete; huayu-5 none.
        self.assert_kept("SELECT id, in_funnel FROM opportunities ORDER BY 1",
                         "SELECT id, CASE WHEN playbook = 'ruijie-6' AND (stage = 'problem' OR "
                         "mant_complete = 0) THEN 0 ELSE 1 END FROM opportunities ORDER BY 1")
        self.assert_kept("SELECT * FROM forecast_totals ORDER BY 1, 2, 3",
                         "SELECT currency, COALESCE(owner_id, '') AS owner_id, "
                         "COALESCE(substr(expected_close, 1, 7), '') AS month, COUNT(*) AS deals, "
                         "SUM(amount) AS amount, SUM(amount * probability) AS weighted "
                         "FROM opportunities WHERE status = 'open' AND in_funnel = 1 "
                         "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
        # The deals seen aside, per scope of people (schema version 10).
        self.assert_kept("SELECT team_id, scope FROM team_scopes ORDER BY 1, 2",
                         "WITH RECURSIVE above(team_id, ancestor) AS (SELECT id, id FROM teams "
                         "UNION ALL SELECT a.team_id, t.parent_id FROM above a JOIN teams t "
                         "ON t.id = a.ancestor WHERE t.parent_id IS NOT NULL) "
                         "SELECT team_id, 's:' || ancestor AS scope FROM above "
                         "UNION SELECT id, 't:' || id FROM teams ORDER BY 1, 2")
        self.assert_kept("SELECT * FROM deal_scopes ORDER BY 1, 2",
                         "SELECT scope, opportunity_id, COUNT(*) AS n FROM ("
                         "SELECT 'u:' || m.user_id AS scope, m.opportunity_id FROM opportunity_members m "
                         "UNION ALL SELECT ts.scope, m.opportunity_id FROM opportunity_members m "
                         "JOIN users u ON u.id = m.user_id JOIN team_scopes ts ON ts.team_id = u.team_id) s "
                         "GROUP BY 1, 2 ORDER BY 1, 2")
        self.assert_kept("SELECT * FROM aside_funnel_totals ORDER BY 1, 2, 3, 4, 5, 6, 7",
                         "SELECT ds.scope, o.playbook, o.currency, COALESCE(o.owner_id, '') AS owner_id, "
                         "COALESCE(o.owner, '') AS owner, o.stage, o.mant_complete, COUNT(*) AS deals, "
                         "SUM(o.amount) AS amount, SUM(o.amount * o.probability) AS weighted "
                         "FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id "
                         "WHERE o.status = 'open' GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7")
        self.assert_kept("SELECT * FROM aside_forecast_totals ORDER BY 1, 2, 3, 4",
                         "SELECT ds.scope, o.currency, COALESCE(o.owner_id, '') AS owner_id, "
                         "COALESCE(substr(o.expected_close, 1, 7), '') AS month, COUNT(*) AS deals, "
                         "SUM(o.amount) AS amount, SUM(o.amount * o.probability) AS weighted "
                         "FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id "
                         "WHERE o.status = 'open' AND o.in_funnel = 1 "
                         "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4")
        # The funnel by month of expected close, per owner and of the deals seen
        # aside per scope (schema version 36).
        self.assert_kept("SELECT * FROM funnel_cube WHERE deals <> 0 ORDER BY 1, 2, 3, 4, 5, 6",
                         "SELECT COALESCE(owner_id, '') AS owner_id, currency, "
                         "COALESCE(substr(expected_close, 1, 7), '') AS month, playbook, stage, "
                         "mant_complete, COUNT(*) AS deals, SUM(amount) AS amount, "
                         "SUM(amount * probability) AS weighted FROM opportunities "
                         "WHERE status = 'open' GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6")
        self.assert_kept("SELECT * FROM aside_funnel_cube WHERE deals <> 0 "
                         "ORDER BY 1, 2, 3, 4, 5, 6, 7",
                         "SELECT ds.scope, v.owner_id, v.currency, v.month, v.playbook, v.stage, "
                         "v.mant_complete, COUNT(*) AS deals, SUM(v.amount) AS amount, "
                         "SUM(v.weighted) AS weighted FROM deal_scopes ds JOIN deal_funnel_rows v "
                         "ON v.opportunity_id = ds.opportunity_id WHERE NOT (ds.scope = 'u:' || "
                         "v.owner_id OR EXISTS (SELECT 1 FROM users u JOIN team_scopes ts "
                         "ON ts.team_id = u.team_id WHERE u.id = v.owner_id AND ts.scope = ds.scope)) "
                         "GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7")
        self.assert_kept("SELECT * FROM owner_counts ORDER BY 1",
                         "SELECT COALESCE(owner_id, '') AS owner_id, COUNT(*) AS deals "
                         "FROM opportunities GROUP BY 1 ORDER BY 1")
        self.assert_kept("SELECT * FROM aside_counts ORDER BY 1, 2",
                         "SELECT ds.scope, COALESCE(o.owner_id, '') AS owner_id, COUNT(*) AS deals "
                         "FROM deal_scopes ds JOIN opportunities o ON o.id = ds.opportunity_id "
                         "GROUP BY 1, 2 ORDER BY 1, 2")

    def test_reports_equal_a_recomputation_after_random_writes(self):
        for step in range(STEPS):
            self.random_step()
            if step % 40 == 39:
                self.check_kept_totals()
                for user in ["admin"] + list(PEOPLE):
                    self.check_reports(user)
        self.check_kept_totals()
        for user in ["admin"] + list(PEOPLE):
            self.check_reports(user)
        # Every kind of write took effect at least once: the sums were tested
        # against each, not against failures.
        kinds = {"create", "edit amount", "edit expected_close", "edit currency", "advance",
                 "transfer", "won", "lost", "delete", "team put", "team delete", "partner",
                 "mant", "move person", "move team"}
        self.assertEqual(kinds - set(self.done), set(), self.done)


class ReportTotalsWalkingTest(ReportTotalsTest):
    """The same, with every list of deals picking the deals seen aside out
    of the sort's index (the way a list reads them once they are many), so
    that the lists the reports are checked against are read that way."""
    server_args = ["--aside-walk-from", "1"]


if __name__ == "__main__":
    unittest.main()
