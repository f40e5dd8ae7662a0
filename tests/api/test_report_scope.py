"""The dashboard's choice of team, owner and quarter through the reports:
the funnel of the open deals expected to close in a window of months, of a
team's tree or of one owner, and the stalled deals of a team or an owner —
each checked against the deals the viewer reads through the list, and a
manager's figures kept to what the manager may see (a team outside their
tree gives them nothing of its own), as the forecast's team does."""

import datetime
import unittest
from collections import Counter

import bingfa_db
from bingfa_server import ServerTestCase, win_deal

# Months far from today, so that no deal of another test counts by chance.
Q1 = ("2031-01", "2031-03")


def in_window(deal, window):
    close = deal.get("expected_close")
    return bool(close) and window[0] <= close[:7] <= window[1]


def forecast_sum(row):
    """Every category of a forecast row added up."""
    return sum(row[c] for c in ("pipeline", "best_case", "commit", "omitted", "closed"))


def fen_of_percent(weighted):
    return (weighted + 50) // 100


class ReportScopeTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server

        def must(r, status=(200, 201)):
            if r.status not in status:
                raise RuntimeError("setup: %r" % (r,))
            return r.json

        # 华北 (with 华北一组 below it) and 华南, each with a manager and people.
        cls.north = must(s.post("/api/v1/teams", {"name": "范围华北", "share_deals": False}))
        cls.north1 = must(s.post("/api/v1/teams", {"name": "范围华北一组", "share_deals": False,
                                                   "parent_id": cls.north["id"]}))
        cls.south = must(s.post("/api/v1/teams", {"name": "范围华南", "share_deals": False}))
        people = {"范围经理北": ("manager", cls.north), "范围销售北": ("sales", cls.north),
                  "范围销售北一": ("sales", cls.north1), "范围经理南": ("manager", cls.south),
                  "范围销售南": ("sales", cls.south)}
        cls.uid, cls.h, cls.team_of = {}, {}, {}
        for name, (role, team) in people.items():
            cls.uid[name] = s.make_user(name, role=role, team_id=team["id"])["id"]
            cls.team_of[cls.uid[name]] = team["id"]
            cls.h[name] = s.auth(name)
        # Each salesperson's deals: closing in January, February, April, or undated.
        closes = ["2031-01-20", "2031-02-10", "2031-04-05", None, "2031-03-31"]
        cls.deals = {}
        for i, rep in enumerate(("范围销售北", "范围销售北一", "范围销售南")):
            acc = must(s.post("/api/v1/accounts", {"name": "范围客户%d" % i}, headers=cls.h[rep]))
            mine = []
            for k, close in enumerate(closes):
                body = {"account_id": acc["id"], "name": "%s商机%d" % (rep, k),
                        "playbook": "uss-5" if k % 2 else "ruijie-6",
                        "amount": 1000000 * (i + 1) + 10000 * k}
                if close:
                    body["expected_close"] = close
                mine.append(must(s.post("/api/v1/opportunities", body, headers=cls.h[rep])))
            cls.deals[rep] = mine
        # One of the south's deals has a northerner on its deal team: the north's
        # manager sees it aside; another is advanced, another won.
        aside = cls.deals["范围销售南"][0]
        must(s.request("PUT", "/api/v1/opportunities/%s/team/%s"
                       % (aside["id"], cls.uid["范围销售北"]), body={"role": "consultant"}))
        for d in (cls.deals["范围销售北"][1], cls.deals["范围销售南"][4]):
            must(s.post("/api/v1/opportunities/%s/advance" % d["id"],
                        {"override": True, "reason": "经理批准推进"}))
        win_deal(s, cls.deals["范围销售北一"][1]["id"])
        # Stalled: three deals whose stage last changed 45 days ago.
        old = (datetime.datetime.now(datetime.timezone.utc) -
               datetime.timedelta(days=45)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for d in (cls.deals["范围销售北"][0], cls.deals["范围销售北一"][2], aside):
            bingfa_db.execute(s.db, "UPDATE opportunities SET stage_changed_at = ? WHERE id = ?",
                              (old, d["id"]))

    # -- what the viewer reads through the list -----------------------------------------

    def visible_open(self, headers=None, query=""):
        out, cursor = [], None
        while True:
            r = self.get("/api/v1/opportunities?status=open&limit=200%s%s"
                         % (query, "&cursor=" + cursor if cursor else ""), headers=headers)
            self.assertEqual(r.status, 200, r)
            out.extend(r.json["items"])
            cursor = r.json.get("next_cursor")
            if not cursor:
                return out

    def tree_of(self, team):
        """The people of a team's tree (华北's holds 华北一组)."""
        teams = {team["id"]} | ({self.north1["id"]} if team is self.north else set())
        return {uid for uid, t in self.team_of.items() if t in teams}

    def funnel(self, query, headers=None):
        r = self.get("/api/v1/reports/funnel?" + query, headers=headers)
        self.assertEqual(r.status, 200, r)
        return r.json

    def expected(self, deals, playbook):
        """The funnel's figures of deals, by stage and in all."""
        deals = [d for d in deals if d["playbook"] == playbook and d["currency"] == "CNY"]
        by_stage = Counter()
        for d in deals:
            by_stage[(d["stage"], "count")] += 1
            by_stage[(d["stage"], "amount")] += d["amount"]
        return (len(deals), sum(d["amount"] for d in deals),
                fen_of_percent(sum(d["amount"] * d["probability"] for d in deals))), by_stage

    def check(self, query, deals, headers=None):
        for playbook in ("ruijie-6", "uss-5"):
            body = self.funnel("playbook=%s&%s" % (playbook, query), headers)
            totals, by_stage = self.expected(deals, playbook)
            self.assertEqual((body["totals"]["count"], body["totals"]["amount"],
                              body["totals"]["weighted_amount"]), totals, (query, playbook))
            for st in body["stages"]:
                self.assertEqual((st["count"], st["amount"]),
                                 (by_stage[(st["id"], "count")], by_stage[(st["id"], "amount")]),
                                 (query, playbook, st["id"]))
            self.assertEqual(body["totals"]["count"],
                             body["funnel_totals"]["count"] + body["pre_funnel"]["count"])

    # -- the funnel -----------------------------------------------------------------------

    def test_funnel_of_a_window_of_close_months(self):
        window = "from=%s&to=%s" % Q1
        for who in (None, "范围经理北", "范围销售北", "范围经理南"):
            headers = self.h[who] if who else None
            seen = self.visible_open(headers)
            self.check(window, [d for d in seen if in_window(d, Q1)], headers)
            # Without a window, every open deal, undated ones too.
            self.check("", seen, headers)
        # One side open: from January on (April too), up to February.
        seen = self.visible_open()
        self.check("from=2031-01", [d for d in seen if in_window(d, ("2031-01", "9999-12"))])
        self.check("to=2031-02", [d for d in seen if in_window(d, ("0000-01", "2031-02"))])
        body = self.funnel(window)
        self.assertEqual((body["from"], body["to"]), Q1)
        self.assertEqual((self.funnel("")["from"], self.funnel("")["to"]), (None, None))

    def test_funnel_of_a_team_and_an_owner(self):
        window = "from=%s&to=%s" % Q1
        seen = [d for d in self.visible_open() if in_window(d, Q1)]
        north, north1 = self.tree_of(self.north), self.tree_of(self.north1)
        self.check(window + "&team=" + self.north["id"],
                   [d for d in seen if d["owner_id"] in north])
        self.check(window + "&team=" + self.north1["id"],
                   [d for d in seen if d["owner_id"] in north1])
        # A figure that differs by team.
        whole = self.funnel(window + "&playbook=ruijie-6&team=" + self.north["id"])
        sub = self.funnel(window + "&playbook=ruijie-6&team=" + self.north1["id"])
        self.assertGreater(whole["totals"]["amount"], sub["totals"]["amount"])
        self.assertGreater(sub["totals"]["count"], 0)
        self.assertEqual(whole["team"], self.north["id"])
        # The manager's own tree: what the admin reads of it.
        boss = self.h["范围经理北"]
        for team in (self.north, self.north1):
            self.assertEqual(self.funnel(window + "&team=" + team["id"], boss)["stages"],
                             self.funnel(window + "&team=" + team["id"])["stages"])
        # An owner, by id or (as before) by login name, with and without a window.
        rep = self.uid["范围销售北一"]
        mine = [d for d in seen if d["owner_id"] == rep]
        self.check(window + "&owner=" + rep, mine)
        self.check(window + "&owner=%E8%8C%83%E5%9B%B4%E9%94%80%E5%94%AE%E5%8C%97%E4%B8%80", mine)
        everything = [d for d in self.visible_open() if d["owner_id"] == rep]
        self.check("owner=" + rep, everything)
        self.check("owner=%E8%8C%83%E5%9B%B4%E9%94%80%E5%94%AE%E5%8C%97%E4%B8%80", everything)
        self.check(window + "&owner=" + rep + "&team=" + self.south["id"], [])

    def test_a_manager_asking_for_a_team_outside_their_tree(self):
        window = "from=%s&to=%s" % Q1
        boss = self.h["范围经理北"]
        south = self.tree_of(self.south)
        admin = self.funnel(window + "&team=" + self.south["id"])
        self.assertGreater(admin["totals"]["count"], 1)
        # The north's manager gets none of the south's figures: only the deal they
        # see aside (a northerner is on its deal team), as the list shows them.
        theirs = [d for d in self.visible_open(boss)
                  if d["owner_id"] in south and in_window(d, Q1)]
        self.assertEqual([d["id"] for d in theirs], [self.deals["范围销售南"][0]["id"]])
        self.check(window + "&team=" + self.south["id"], theirs, boss)
        self.check(window + "&owner=" + self.uid["范围销售南"], theirs, boss)
        got = self.funnel(window + "&team=" + self.south["id"], boss)
        self.assertLess(got["totals"]["amount"], admin["totals"]["amount"])
        # The south's manager, who sees nothing of the north, gets nothing of it;
        # the forecast answers alike.
        south_boss = self.h["范围经理南"]
        for team in (self.north, self.north1):
            self.assertEqual(self.funnel(window + "&team=" + team["id"], south_boss)["totals"],
                             {"count": 0, "amount": 0, "weighted_amount": 0})
            path = "/api/v1/reports/forecast?from=2031-01&to=2031-03&team=" + team["id"]
            fc = self.get(path, headers=south_boss)
            self.assertEqual(fc.status, 200, fc)
            self.assertEqual([forecast_sum(t) for t in fc.json["totals"]], [0])
            self.assertGreater(forecast_sum(self.get(path).json["totals"][0]), 0)

    def test_bad_windows_name_the_parameter(self):
        for query, field in (("from=2031-13", "from"), ("to=31-01", "to"),
                             ("from=2031-04&to=2031-03", "to"), ("colour=red", "colour")):
            r = self.get("/api/v1/reports/funnel?" + query)
            self.assertEqual((r.status, r.json["error"]["field"]), (422, field), query)
        r = self.get("/api/v1/reports/stalled?squad=x")
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "squad"))

    # -- stalled deals --------------------------------------------------------------------

    def stalled(self, query, headers=None):
        r = self.get("/api/v1/reports/stalled?days=30" + query, headers=headers)
        self.assertEqual(r.status, 200, r)
        return [d["id"] for d in r.json["items"]]

    def listed_stalled(self, query, headers=None):
        return {d["id"] for d in self.visible_open(headers, "&stalled_days=30" + query)}

    def test_stalled_deals_of_a_team_and_an_owner(self):
        n, n1, s = self.north["id"], self.north1["id"], self.south["id"]
        rep = self.uid["范围销售北"]
        for who in (None, "范围经理北", "范围经理南"):
            headers = self.h[who] if who else None
            for query in ("&team=" + n, "&team=" + n1, "&team=" + s, "&owner=" + rep,
                          "&owner=%s&team=%s" % (rep, n1)):
                want = self.listed_stalled(query.replace("owner=", "owner_id="), headers)
                self.assertEqual(set(self.stalled(query, headers)), want, (who, query))
        self.assertEqual(set(self.stalled("&team=" + n)),
                         {self.deals["范围销售北"][0]["id"], self.deals["范围销售北一"][2]["id"]})
        self.assertEqual(self.stalled("&team=" + n1), [self.deals["范围销售北一"][2]["id"]])
        # The north's manager asking for the south: only the deal seen aside.
        self.assertEqual(self.stalled("&team=" + s, self.h["范围经理北"]),
                         [self.deals["范围销售南"][0]["id"]])
        self.assertEqual(self.stalled("&team=" + n, self.h["范围经理南"]), [])


class ReportScopeWalkingTest(ReportScopeTest):
    """The same, with the deals seen aside picked out of the index (the way
    the stalled deals and the lists read them once they are many)."""
    server_args = ["--aside-walk-from", "1"]


if __name__ == "__main__":
    unittest.main()
