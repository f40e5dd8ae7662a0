"""The global search (全局搜索) through the real server: accounts, contacts,
deals, activities and knowledge entries by their words — Chinese of one,
two and more characters, English prefixes whatever their case, phones and
e-mails — kept in step with creates, renames, transfers and deletes, and
only ever what the caller may see (docs/search.md)."""

import unittest
from urllib.parse import quote

from bingfa_server import ServerTestCase, must


class SearchTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        east = must(s.post("/api/v1/teams", {"name": "搜索华东"}))
        south = must(s.post("/api/v1/teams", {"name": "搜索华南"}))
        cls.boss = s.auth("搜索经理", role="manager", team_id=east["id"])
        cls.ann = s.auth("搜索销售甲", role="sales", team_id=east["id"])
        cls.bob = s.auth("搜索销售乙", role="sales", team_id=east["id"])
        cls.eve = s.auth("搜索外区", role="sales", team_id=south["id"])
        ann, bob, eve = (s.user_id(n) for n in ("搜索销售甲", "搜索销售乙", "搜索外区"))
        cls.ids = {"ann": ann, "bob": bob, "eve": eve}

        def make(path, body, headers):
            return must(s.post(path, body, headers=headers))

        cls.hospital = make("/api/v1/accounts", {"name": "江南市第一人民医院", "industry": "医疗"},
                            cls.ann)
        cls.acme = make("/api/v1/accounts", {"name": "ACME Hospital Group"}, cls.eve)
        cls.store = make("/api/v1/accounts", {"name": "王府井百货"}, cls.bob)
        cls.wang = make("/api/v1/contacts", {
            "account_id": cls.hospital["id"], "name": "王伟", "title": "信息中心主任",
            "phone": "138-0013-8000", "email": "Wang.Wei@jnyy.cn"}, cls.ann)
        cls.wendy = make("/api/v1/contacts", {"account_id": cls.acme["id"], "name": "Wendy Wang",
                                              "email": "wendy@acme.example"}, cls.eve)
        cls.wifi = make("/api/v1/opportunities", {"account_id": cls.hospital["id"],
                                                  "name": "门诊楼无线网络"}, cls.ann)
        cls.secret = make("/api/v1/opportunities", {"account_id": cls.acme["id"],
                                                    "name": "医院数据中台 Platform"}, cls.eve)
        cls.erp = make("/api/v1/opportunities", {"account_id": cls.store["id"],
                                                 "name": "百货 ERP 升级"}, cls.bob)
        cls.visit = make("/api/v1/activities", {
            "opportunity_id": cls.wifi["id"], "type": "visit", "subject": "拜访王主任",
            "outcome": "客户认可方案，约定下周 Demo"}, cls.ann)
        kn = make("/api/v1/knowledge", {"kind": "case", "lang": "zh",
                                        "title": "某医院无线网络案例", "summary": "门诊楼全覆盖",
                                        "status": "published", "detail": {}}, None)
        cls.case = kn

    def search(self, q, headers=None, limit=None, status=200):
        url = "/api/v1/search?q=" + quote(q) + ("&limit=%s" % limit if limit is not None else "")
        r = self.get(url, headers=headers)
        self.assertEqual(r.status, status, r)
        return r

    def found(self, q, headers=None, **kw):
        """{group kind: [titles]} of what q finds for the caller."""
        r = self.search(q, headers, **kw)
        return {g["kind"]: [i["title"] for i in g["items"]] for g in r.json["groups"]}

    def test_answer_is_grouped_by_kind_with_nothing_counted(self):
        r = self.search("医院", self.ann)
        self.assertEqual(set(r.json), {"q", "groups"})
        self.assertEqual([g["kind"] for g in r.json["groups"]],
                         ["accounts", "contacts", "opportunities", "activities", "knowledge"])
        for g in r.json["groups"]:
            self.assertEqual(set(g), {"kind", "items"})
        acc = r.json["groups"][0]["items"][0]
        self.assertEqual((acc["id"], acc["kind"], acc["title"]),
                         (self.hospital["id"], "account", "江南市第一人民医院"))
        self.assertIn("医疗", acc["subtitle"])
        self.assertEqual([seg["text"] for seg in acc["hits"] if seg["hit"]], ["医院"])
        self.assertEqual("".join(seg["text"] for seg in acc["hits"]), acc["title"])
        # The deal is found by its account's name: where the words are is said.
        deal = r.json["groups"][2]["items"][0]
        self.assertEqual((deal["id"], deal["account_id"]), (self.wifi["id"], self.hospital["id"]))
        self.assertEqual(deal["match"]["field"], "account")
        self.assertIn("江南市第一人民医院", deal["subtitle"])

    def test_chinese_of_one_two_and_more_characters(self):
        one = self.found("王", self.ann)
        self.assertEqual(one["contacts"], ["王伟"])
        self.assertEqual(one["activities"], ["拜访王主任"])
        self.assertEqual(one["accounts"], [])  # 王府井百货 is bob's: ann does not see it
        two = self.found("医院", self.ann)
        self.assertEqual(two["accounts"], ["江南市第一人民医院"])
        self.assertEqual(two["opportunities"], ["门诊楼无线网络"])
        self.assertEqual(two["contacts"], ["王伟"])  # of that account
        self.assertEqual(two["knowledge"], ["某医院无线网络案例"])
        self.assertEqual(self.found("人民医院", self.ann)["accounts"], ["江南市第一人民医院"])
        self.assertEqual(self.found("第一人民医院", self.ann)["opportunities"], ["门诊楼无线网络"])
        self.assertEqual(self.found("信息中心主任", self.ann)["contacts"], ["王伟"])
        self.assertEqual(self.found("无线 江南", self.ann)["opportunities"], ["门诊楼无线网络"])
        self.assertEqual(self.found("江南医院", self.ann)["accounts"], [])  # not one word
        # Full-width letters and digits are their half-width selves.
        self.assertEqual(self.found("ＥＲＰ", self.bob)["opportunities"], ["百货 ERP 升级"])

    def test_english_prefixes_phones_and_emails(self):
        for q in ("hosp", "HOSPITAL", "Acme", "acme hos"):
            with self.subTest(q=q):
                self.assertEqual(self.found(q, self.eve)["accounts"], ["ACME Hospital Group"])
        self.assertEqual(self.found("ospital", self.eve)["accounts"], [])  # the start of a word
        self.assertEqual(self.found("wend", self.eve)["contacts"], ["Wendy Wang"])
        for q in ("13800138000", "138-0013", "8000", "wang.wei", "jnyy"):
            with self.subTest(q=q):
                self.assertEqual(self.found(q, self.ann)["contacts"], ["王伟"])
        r = self.search("8000", self.ann)
        self.assertEqual(r.json["groups"][1]["items"][0]["match"]["field"], "phone")
        self.assertEqual(self.found("demo", self.ann)["activities"], ["拜访王主任"])

    def test_only_what_the_caller_sees(self):
        self.assertEqual(self.found("医院", self.eve)["opportunities"], ["医院数据中台 Platform"])
        for who in (self.ann, self.bob, self.boss):
            found = self.found("医院数据中台", who)
            self.assertEqual(found["opportunities"], [], who)
            self.assertEqual(self.found("acme", who)["accounts"], [], who)
            self.assertEqual(self.found("wendy", who)["contacts"], [], who)
        self.assertEqual(self.found("医院数据中台")["opportunities"], ["医院数据中台 Platform"])
        # The manager finds the deals and accounts of their team; ann not bob's.
        self.assertEqual(self.found("百货", self.boss)["opportunities"], ["百货 ERP 升级"])
        self.assertEqual(self.found("百货", self.boss)["accounts"], ["王府井百货"])
        self.assertEqual(self.found("百货", self.ann)["opportunities"], [])
        # A deal team opens a deal to its members, and its account with it.
        s = self.server
        r = s.request("PUT", "/api/v1/opportunities/%s/team/%s" % (self.secret["id"],
                                                                   self.ids["bob"]),
                      body={"role": "consultant"})
        self.assertLess(r.status, 300, r)
        try:
            self.assertEqual(self.found("数据中台", self.bob)["opportunities"],
                             ["医院数据中台 Platform"])
            self.assertEqual(self.found("acme", self.bob)["accounts"], ["ACME Hospital Group"])
            self.assertEqual(self.found("数据中台", self.boss)["opportunities"],
                             ["医院数据中台 Platform"])
            self.assertEqual(self.found("数据中台", self.ann)["opportunities"], [])
        finally:
            r = s.request("DELETE", "/api/v1/opportunities/%s/team/%s" % (self.secret["id"],
                                                                          self.ids["bob"]))
            self.assertLess(r.status, 300, r)
        self.assertEqual(self.found("数据中台", self.bob)["opportunities"], [])

    def test_a_partner_finds_its_registered_deals_only(self):
        s = self.server
        partner = must(s.post("/api/v1/partners", {"name": "搜索渠道"}))
        p = s.auth("搜索渠道用户", role="partner", team_id=None, partner_id=partner["id"])
        self.assertEqual(self.found("医院", p)["opportunities"], [])
        r = s.request("PUT", "/api/v1/opportunities/%s/partners/%s" % (self.wifi["id"],
                                                                       partner["id"]))
        self.assertLess(r.status, 300, r)
        found = self.found("医院", p)
        self.assertEqual(found["opportunities"], ["门诊楼无线网络"])
        self.assertEqual(found["accounts"], ["江南市第一人民医院"])
        self.assertEqual(found["contacts"], ["王伟"])
        self.assertEqual(found["knowledge"], [])  # not shareable
        self.assertEqual(self.found("百货", p)["opportunities"], [])

    def test_renames_transfers_and_deletes_are_followed(self):
        s = self.server
        deal = must(s.post("/api/v1/opportunities", {"account_id": self.store["id"],
                                                     "name": "门店收银改造"}, headers=self.bob))
        self.assertEqual(self.found("收银", self.bob)["opportunities"], ["门店收银改造"])
        r = s.patch("/api/v1/opportunities/" + deal["id"], {"name": "门店会员系统"},
                    version=deal["version"], headers=self.bob)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.found("收银", self.bob)["opportunities"], [])
        self.assertEqual(self.found("会员", self.bob)["opportunities"], ["门店会员系统"])
        # An account renamed takes its deals and contacts along.
        acc = must(s.post("/api/v1/accounts", {"name": "临时改名客户"}, headers=self.bob))
        c = must(s.post("/api/v1/contacts", {"account_id": acc["id"], "name": "赵六"},
                        headers=self.bob))
        must(s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "机房建设"},
                    headers=self.bob))
        acc = s.patch("/api/v1/accounts/" + acc["id"], {"name": "Zenith 物流"},
                      version=acc["version"], headers=self.bob).json
        found = self.found("zenith", self.bob)
        self.assertEqual(found["accounts"], ["Zenith 物流"])
        self.assertEqual(found["opportunities"], ["机房建设"])
        self.assertEqual(found["contacts"], ["赵六"])
        self.assertEqual(self.found("临时改名", self.bob)["opportunities"], [])
        # Transferred to someone of another team: it leaves bob's search.
        r = s.post("/api/v1/accounts/%s/transfer" % acc["id"],
                   {"owner_id": self.ids["eve"], "reason": "区域调整"},
                   headers={"If-Match": '"%d"' % acc["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.found("zenith", self.eve)["accounts"], ["Zenith 物流"])
        self.assertEqual(self.found("zenith", self.eve)["contacts"], ["赵六"])
        self.assertEqual(self.found("zenith", self.bob)["accounts"], ["Zenith 物流"])  # his deal
        # Deleted: gone.
        r = s.delete("/api/v1/contacts/" + c["id"], version=c["version"])
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.found("赵六")["contacts"], [])
        r = s.delete("/api/v1/opportunities/" + deal["id"], version=deal["version"] + 1)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.found("会员")["opportunities"], [])

    def test_limits_and_order(self):
        s = self.server
        quota = must(s.post("/api/v1/accounts", {"name": "配额客户"}, headers=self.bob))
        for i in range(7):
            must(s.post("/api/v1/opportunities", {"account_id": quota["id"],
                                                  "name": "限额项目%d" % i}, headers=self.bob))
        self.assertEqual(len(self.found("限额", self.bob)["opportunities"]), 5)
        got = self.found("限额", self.bob, limit=7)["opportunities"]
        self.assertEqual(got, ["限额项目%d" % i for i in range(6, -1, -1)])  # the newest first
        self.assertEqual(len(self.found("限额", self.bob, limit=2)["opportunities"]), 2)
        # A title that holds the words comes before a match elsewhere.
        must(s.post("/api/v1/accounts", {"name": "限额集团"}, headers=self.bob))
        acc = self.found("限额", self.bob)["accounts"]
        self.assertEqual(acc, ["限额集团"])
        for bad in ("0", "21", "abc", ""):
            with self.subTest(limit=bad):
                r = self.search("限额", self.bob, limit=bad, status=422)
                self.assertEqual(r.json["error"]["field"], "limit")

    def test_bad_queries_name_q(self):
        for url in ("/api/v1/search", "/api/v1/search?q=", "/api/v1/search?q=%20%E3%80%80",
                    "/api/v1/search?q=" + quote("、。！"),
                    "/api/v1/search?q=" + quote("长" * 101)):
            with self.subTest(url=url):
                r = self.get(url, headers=self.ann)
                self.assertEqual(r.status, 422, r)
                self.assertEqual(r.json["error"]["field"], "q")
        self.assertEqual(self.search("长" * 100, self.ann).status, 200)
        r = self.get("/api/v1/search?q=x&colour=red", headers=self.ann)
        self.assertEqual(r.status, 422, r)


if __name__ == "__main__":
    unittest.main()
