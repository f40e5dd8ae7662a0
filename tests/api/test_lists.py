"""Lists: cursor paging over every sort, filters, search, parameter checks."""

import datetime
import unittest
import urllib.parse

import bingfa_db
from bingfa_server import ServerTestCase, win_deal

OWNERS = ("吴一", "郑二", "冯三")
STAGES = ("problem", "launch", "shortlist", "procure", "contract", "deliver")


def q(s):
    return urllib.parse.quote(s, safe="")


class ListsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.server.post("/api/v1/accounts", {"name": "列表测试客户"}).json
        cls.other_account = cls.server.post("/api/v1/accounts", {"name": "另一个客户"}).json
        cls.opps = []
        specials = {3: "促销折扣100%方案", 4: "100元以内的小项目", 5: "a_b 下划线项目",
                    6: "aXb 非下划线项目"}
        for i in range(30):
            body = {
                "account_id": cls.account["id"],
                "name": specials.get(i, "%s智慧园区项目%02d" % ("甲乙丙丁戊"[i % 5], i)),
                "amount": (i % 4) * 150000,  # many ties
                "owner_id": cls.server.user_id(OWNERS[i % 3]),
                "stage": STAGES[i % 6],
            }
            if i % 4 != 0:  # some nulls, some equal dates
                body["expected_close"] = "2026-%02d-15" % (1 + i % 6)
            if i % 7 == 0:
                body["status"] = "won"
            r = cls.server.post("/api/v1/opportunities", body)
            if r.status != 201:
                raise RuntimeError("setup failed: %r" % (r,))
            cls.opps.append(r.json)
        # Noise under another account, which filters must leave out.
        for i in range(3):
            cls.server.post("/api/v1/opportunities", {"account_id": cls.other_account["id"],
                                                      "name": "智慧园区项目 其他%d" % i,
                                                      "owner_id": cls.server.user_id(OWNERS[0])})

    def pages(self, query, limit=7):
        """All pages of a list query; checks the page shape on the way."""
        pages = []
        cursor = None
        for _ in range(1000):
            path = "/api/v1/opportunities?%s&limit=%d" % (query, limit)
            if cursor:
                path += "&cursor=" + q(cursor)
            r = self.get(path)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["limit"], limit)
            self.assertLessEqual(len(r.json["items"]), limit)
            pages.append(r.json["items"])
            cursor = r.json["next_cursor"]
            if cursor is None:
                break
            self.assertIsInstance(cursor, str)
            self.assertEqual(len(r.json["items"]), limit, "a page before the last is short")
        else:
            self.fail("paging did not end")
        return pages

    def mine(self, pred=lambda o: True):
        return [o for o in self.opps if pred(o)]

    def assertPagedOrder(self, sort, key, reverse):
        pages = self.pages("account_id=%s&sort=%s" % (self.account["id"], q(sort)))
        got = [o["id"] for page in pages for o in page]
        self.assertEqual(len(got), len(set(got)), "duplicates across pages")
        self.assertEqual(set(got), {o["id"] for o in self.opps}, "items missing")
        want = [o["id"] for o in sorted(self.opps, key=key, reverse=reverse)]
        self.assertEqual(got, want, "wrong order for sort=%s" % sort)
        self.assertEqual(len(pages), 5)  # 30 items, 7 per page

    def test_paging_default_sort_newest_first(self):
        pages = self.pages("account_id=" + self.account["id"])
        got = [o["id"] for page in pages for o in page]
        want = [o["id"] for o in sorted(self.opps, key=lambda o: (o["created_at"], o["id"]),
                                        reverse=True)]
        self.assertEqual(got, want)

    def test_paging_sort_minus_created_at(self):
        self.assertPagedOrder("-created_at", lambda o: (o["created_at"], o["id"]), True)

    def test_paging_sort_created_at(self):
        self.assertPagedOrder("created_at", lambda o: (o["created_at"], o["id"]), False)

    def test_paging_sort_name(self):
        # Names compare as UTF-8 bytes, which is code point order.
        self.assertPagedOrder("name", lambda o: (o["name"], o["id"]), False)

    def test_paging_sort_minus_amount(self):
        self.assertPagedOrder("-amount", lambda o: (o["amount"], o["id"]), True)

    def test_paging_sort_expected_close_with_nulls(self):
        self.assertPagedOrder("expected_close",
                              lambda o: (o["expected_close"] or "", o["id"]), False)

    def test_paging_sort_minus_expected_close_with_nulls(self):
        self.assertPagedOrder("-expected_close",
                              lambda o: (o["expected_close"] or "", o["id"]), True)

    def test_paging_with_limit_one_and_two_hundred(self):
        for limit in (1, 200):
            pages = self.pages("account_id=%s&sort=name" % self.account["id"], limit=limit)
            got = [o["id"] for page in pages for o in page]
            self.assertEqual(sorted(got), sorted(o["id"] for o in self.opps))
            self.assertEqual(len(got), len(set(got)))

    def test_paging_while_records_are_added(self):
        acc = self.make_account(name="翻页期间新增")
        first = [self.make_opportunity(acc["id"], name="原有%02d" % i)["id"] for i in range(10)]
        r = self.get("/api/v1/opportunities?account_id=%s&limit=4" % acc["id"])
        seen = [o["id"] for o in r.json["items"]]
        cursor = r.json["next_cursor"]
        for i in range(3):
            self.make_opportunity(acc["id"], name="新增%02d" % i)
        while cursor:
            r = self.get("/api/v1/opportunities?account_id=%s&limit=4&cursor=%s"
                         % (acc["id"], q(cursor)))
            self.assertEqual(r.status, 200, r)
            seen += [o["id"] for o in r.json["items"]]
            cursor = r.json["next_cursor"]
        self.assertEqual(len(seen), len(set(seen)), "duplicates")
        self.assertEqual(set(seen), set(first))

    # -- filters ---------------------------------------------------------------------

    def ids(self, query):
        return {o["id"] for o in self.list_all("opportunities", query)}

    def test_filter_account_id(self):
        self.assertEqual(self.ids("account_id=" + self.account["id"]),
                         {o["id"] for o in self.opps})
        other = self.ids("account_id=" + self.other_account["id"])
        self.assertEqual(len(other), 3)
        self.assertFalse(other & {o["id"] for o in self.opps})

    def test_filter_owner(self):
        for owner in OWNERS:
            want = {o["id"] for o in self.mine(lambda o: o["owner"] == owner)}
            got = self.ids("account_id=%s&owner=%s" % (self.account["id"], q(owner)))
            self.assertEqual(got, want, owner)
            self.assertEqual(len(want), 10)

    def test_filter_stage(self):
        for stage in STAGES:
            want = {o["id"] for o in self.mine(lambda o: o["stage"] == stage)}
            got = self.ids("account_id=%s&stage=%s" % (self.account["id"], stage))
            self.assertEqual(got, want, stage)
            self.assertEqual(len(want), 5)

    def test_filter_status(self):
        want = {o["id"] for o in self.mine(lambda o: o["status"] == "won")}
        self.assertEqual(len(want), 5)
        self.assertEqual(self.ids("account_id=%s&status=won" % self.account["id"]), want)
        want_open = {o["id"] for o in self.mine(lambda o: o["status"] == "open")}
        self.assertEqual(self.ids("account_id=%s&status=open" % self.account["id"]), want_open)

    def test_filters_combine(self):
        want = {o["id"] for o in self.mine(lambda o: o["owner"] == OWNERS[1] and
                                           o["stage"] == "launch")}
        got = self.ids("account_id=%s&owner=%s&stage=launch" % (self.account["id"],
                                                                  q(OWNERS[1])))
        self.assertEqual(got, want)

    def test_filter_expected_close_range(self):
        want = {o["id"] for o in self.mine(
            lambda o: o["expected_close"] and "2026-02-15" <= o["expected_close"] <= "2026-04-15")}
        self.assertTrue(want)
        got = self.ids("account_id=%s&expected_close_from=2026-02-15&expected_close_to=2026-04-15"
                       % self.account["id"])
        self.assertEqual(got, want)
        want = {o["id"] for o in self.mine(lambda o: o["expected_close"] == "2026-03-15")}
        got = self.ids("account_id=%s&expected_close=2026-03-15" % self.account["id"])
        self.assertEqual(got, want)
        want = {o["id"] for o in self.mine(
            lambda o: o["expected_close"] and o["expected_close"] >= "2026-05-01")}
        got = self.ids("account_id=%s&expected_close_from=2026-05-01" % self.account["id"])
        self.assertEqual(got, want)

    def test_filter_amount_range(self):
        want = {o["id"] for o in self.mine(lambda o: 150000 <= o["amount"] <= 300000)}
        self.assertTrue(want and len(want) < len(self.opps))
        got = self.ids("account_id=%s&amount_min=150000&amount_max=300000" % self.account["id"])
        self.assertEqual(got, want)
        got = self.ids("account_id=%s&amount=0" % self.account["id"])
        self.assertEqual(got, {o["id"] for o in self.mine(lambda o: o["amount"] == 0)})
        # With a sort and pages of the range.
        pages = self.pages("account_id=%s&amount_min=300000&sort=-amount" % self.account["id"],
                           limit=3)
        got = [o["amount"] for page in pages for o in page]
        self.assertEqual(got, sorted((o["amount"] for o in self.opps if o["amount"] >= 300000),
                                     reverse=True))

    def test_filter_closed_at_range(self):
        won = {o["id"] for o in self.mine(lambda o: o["status"] == "won")}
        self.assertTrue(won)
        today = self.opps[0]["created_at"][:10]
        got = self.ids("account_id=%s&closed_at_from=%s" % (self.account["id"], today))
        self.assertEqual(got, won)
        got = self.ids("account_id=%s&closed_at_to=2000-01-01" % self.account["id"])
        self.assertEqual(got, set())

    def test_search_chinese(self):
        want = {o["id"] for o in self.mine(lambda o: "丙智慧" in o["name"])}
        self.assertTrue(want)
        got = self.ids("account_id=%s&q=%s" % (self.account["id"], q("丙智慧")))
        self.assertEqual(got, want)
        # Without the account filter the other account's names match too.
        self.assertEqual(len(self.ids("q=" + q("智慧园区项目 其他"))), 3)

    def test_search_percent_matches_literally(self):
        got = self.ids("account_id=%s&q=%s" % (self.account["id"], q("100%")))
        self.assertEqual(got, {self.opps[3]["id"]})
        got = self.ids("account_id=%s&q=%s" % (self.account["id"], q("%")))
        self.assertEqual(got, {self.opps[3]["id"]})
        got = self.ids("account_id=%s&q=%s" % (self.account["id"], q("100")))
        self.assertEqual(got, {self.opps[3]["id"], self.opps[4]["id"]})

    def test_search_underscore_matches_literally(self):
        got = self.ids("account_id=%s&q=%s" % (self.account["id"], q("a_b")))
        self.assertEqual(got, {self.opps[5]["id"]})

    # -- parameter checks ---------------------------------------------------------------

    def test_limit_bounds(self):
        for bad in ("0", "201", "-1", "abc", ""):
            with self.subTest(limit=bad):
                self.assertError(self.get("/api/v1/opportunities?limit=" + bad), 422,
                                 field="limit")
        r = self.get("/api/v1/opportunities")
        self.assertEqual(r.json["limit"], 50)
        self.assertEqual(self.get("/api/v1/opportunities?limit=200").status, 200)
        self.assertEqual(len(self.get("/api/v1/opportunities?limit=1").json["items"]), 1)

    def test_unknown_parameter(self):
        err = self.assertError(self.get("/api/v1/opportunities?colour=red"), 422, field="colour")
        self.assertIn("colour", err["message"])
        self.assertError(self.get("/api/v1/accounts?stage=launch"), 422, field="stage")
        # probability is not filterable
        self.assertError(self.get("/api/v1/opportunities?probability=10"), 422,
                         field="probability")

    def test_unknown_sort(self):
        self.assertError(self.get("/api/v1/opportunities?sort=colour"), 422, field="sort")
        self.assertError(self.get("/api/v1/opportunities?sort=-description"), 422, field="sort")

    def test_bad_filter_values(self):
        self.assertError(self.get("/api/v1/opportunities?status=pending"), 422, field="status")
        self.assertError(self.get("/api/v1/opportunities?expected_close_from=soon"), 422,
                         "invalid_date", "expected_close_from")
        self.assertError(self.get("/api/v1/opportunities?sales_mode=fast"), 422,
                         field="sales_mode")
        for bad in ("abc", "-1", "1.5", ""):
            with self.subTest(amount_min=bad):
                self.assertError(self.get("/api/v1/opportunities?amount_min=" + q(bad)), 422,
                                 "invalid_value", "amount_min")
        self.assertError(self.get("/api/v1/opportunities?budget_min=1"), 422,
                         field="budget_min")  # not a filter

    def test_bad_cursor(self):
        self.assertError(self.get("/api/v1/opportunities?cursor=not-a-cursor"), 422,
                         field="cursor")
        r = self.get("/api/v1/opportunities?account_id=%s&sort=name&limit=3"
                     % self.account["id"])
        cursor = r.json["next_cursor"]
        self.assertTrue(cursor)
        # A cursor of one sort order cannot continue another.
        r = self.get("/api/v1/opportunities?account_id=%s&sort=-amount&limit=3&cursor=%s"
                     % (self.account["id"], q(cursor)))
        self.assertError(r, 422, field="cursor")



class TeamAndStalledTest(ServerTestCase):
    """?team= (the owners of a team's tree) and ?stalled_days= (open deals
    whose stage has not changed for that long) on the deal list, under the
    viewer's visibility."""

    def test_team_and_stalled_filters(self):
        s = self.server
        top = s.post("/api/v1/teams", {"name": "列表大区", "share_deals": False}).json
        sub = s.post("/api/v1/teams", {"name": "列表小组", "share_deals": False,
                                       "parent_id": top["id"]}).json
        boss = s.auth("列表经理", role="manager", team_id=top["id"])
        owners = {"a": s.make_user("列表甲", role="sales", team_id=top["id"])["id"],
                  "b": s.make_user("列表乙", role="sales", team_id=sub["id"])["id"],
                  "c": s.user_id("列表丙")}
        acc = s.post("/api/v1/accounts", {"name": "列表团队客户"}).json
        deals = {k: s.post("/api/v1/opportunities", {
            "account_id": acc["id"], "name": "团队商机" + k, "owner_id": uid,
            "playbook": "uss-5"}).json for k, uid in owners.items()}
        base = "account_id=%s&" % acc["id"]

        def ids(query, headers=None):
            got = set()
            for d in self.list_all("opportunities", base + query) if headers is None else \
                    self.get("/api/v1/opportunities?%s%s&limit=200" % (base, query),
                             headers=headers).json["items"]:
                got.add(d["id"])
            return got

        self.assertEqual(ids("team=" + top["id"]), {deals["a"]["id"], deals["b"]["id"]})
        self.assertEqual(ids("team=" + sub["id"]), {deals["b"]["id"]})
        self.assertEqual(ids("team=nosuchteam"), set())
        self.assertEqual(ids("team=" + sub["id"], boss), {deals["b"]["id"]})
        self.assertEqual(ids("team=" + top["id"], boss), {deals["a"]["id"], deals["b"]["id"]})
        # Stalled: a's stage unchanged for 40 days, c's too but won since.
        old = (datetime.datetime.now(datetime.timezone.utc) -
               datetime.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ")
        win_deal(s, deals["c"]["id"])
        for k in ("a", "c"):
            bingfa_db.execute(s.db, "UPDATE opportunities SET stage_changed_at = ? WHERE id = ?",
                              (old, deals[k]["id"]))
        self.assertEqual(ids("stalled_days=30"), {deals["a"]["id"]})
        self.assertEqual(ids("stalled_days=41"), set())
        self.assertEqual(ids("stalled_days=30&team=" + sub["id"]), set())
        self.assertEqual(ids("stalled_days=30", boss), {deals["a"]["id"]})
        for bad in ("0", "3651", "x"):
            r = self.get("/api/v1/opportunities?stalled_days=" + bad)
            self.assertEqual((r.status, r.json["error"]["field"]), (422, "stalled_days"))
        # Accounts and activities by their owners' team too; contacts have no owner.
        accs = {k: s.post("/api/v1/accounts", {"name": "团队客户" + k, "owner_id": uid}).json
                for k, uid in owners.items()}
        got = {a["id"] for a in self.get("/api/v1/accounts?limit=200&q=%E5%9B%A2%E9%98%9F"
                                         "%E5%AE%A2%E6%88%B7&team=" + sub["id"]).json["items"]}
        self.assertEqual(got, {accs["b"]["id"]})
        act = s.post("/api/v1/activities", {"account_id": acc["id"], "type": "call",
                                            "owner_id": owners["a"]}).json
        got = {a["id"] for a in self.get("/api/v1/activities?limit=200&account_id=%s&team=%s"
                                         % (acc["id"], top["id"])).json["items"]}
        self.assertEqual(got, {act["id"]})
        r = self.get("/api/v1/contacts?team=" + top["id"])
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "team"))

if __name__ == "__main__":
    unittest.main()
