"""Saved views of the lists (保存的视图) through the real server: one's own,
shared by a manager with a team of their tree, their queries checked against
the list's parameters, changed and deleted only by their owner."""

import unittest

from bingfa_server import ServerTestCase


class ViewsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.top = s.post("/api/v1/teams", {"name": "视图大区"}).json
        cls.sub = s.post("/api/v1/teams", {"name": "视图小组", "parent_id": cls.top["id"]}).json
        cls.other = s.post("/api/v1/teams", {"name": "视图他组"}).json
        cls.boss = s.auth("视图经理", role="manager", team_id=cls.top["id"])
        cls.ann = s.auth("视图销售甲", role="sales", team_id=cls.sub["id"])
        cls.bob = s.auth("视图销售乙", role="sales", team_id=cls.sub["id"])
        cls.eve = s.auth("视图外人", role="sales", team_id=cls.other["id"])

    def names(self, headers=None, query=""):
        r = self.get("/api/v1/views?limit=200" + query, headers=headers)
        self.assertEqual(r.status, 200, r)
        return {v["name"] for v in r.json["items"]}

    def test_own_and_shared_views(self):
        s = self.server
        mine = s.post("/api/v1/views", {"resource": "opportunities", "name": "我的大单",
                                        "query": "amount_min=100000000&sort=-amount",
                                        "columns": ["name", "amount", "stage"]},
                      headers=self.ann)
        self.assertEqual(mine.status, 201, mine)
        self.assertEqual(mine.json["owner_id"], s.user_id("视图销售甲"))
        self.assertEqual(mine.json["columns"], ["name", "amount", "stage"])
        self.assertIn("我的大单", self.names(self.ann))
        self.assertNotIn("我的大单", self.names(self.bob))
        self.assertIn("我的大单", self.names())  # the admin's
        # A salesperson shares nothing; a manager shares with a team of their tree.
        r = s.post("/api/v1/views", {"resource": "opportunities", "name": "共享失败",
                                     "shared_team_id": self.sub["id"]}, headers=self.ann)
        self.assertEqual((r.status, r.json["error"]["field"]), (403, "shared_team_id"))
        shared = s.post("/api/v1/views", {"resource": "opportunities", "name": "小组停滞",
                                          "query": "stalled_days=30&team=" + self.sub["id"],
                                          "shared_team_id": self.sub["id"]}, headers=self.boss)
        self.assertEqual(shared.status, 201, shared)
        for who, sees in ((self.ann, True), (self.bob, True), (self.eve, False),
                          (self.boss, True), (None, True)):
            self.assertEqual("小组停滞" in self.names(who), sees, who)
        r = s.post("/api/v1/views", {"resource": "accounts", "name": "越界",
                                     "shared_team_id": self.other["id"]}, headers=self.boss)
        self.assertEqual((r.status, r.json["error"]["field"]), (403, "shared_team_id"))
        # By resource.
        self.assertNotIn("我的大单", self.names(self.ann, "&resource=accounts"))
        # Only the owner changes or deletes it.
        v = shared.json
        url = "/api/v1/views/" + v["id"]
        r = s.patch(url, {"name": "改名"}, version=v["version"], headers=self.bob)
        self.assertEqual(r.status, 403, r)
        r = s.delete(url, version=v["version"], headers=self.bob)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(s.get(url, headers=self.eve).status, 404)
        r = s.patch(url, {"name": "小组停滞商机"}, version=v["version"], headers=self.boss)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(s.delete(url, version=r.json["version"], headers=self.boss).status, 204)
        self.assertNotIn("小组停滞商机", self.names(self.bob))

    def test_queries_are_checked_against_the_list(self):
        s = self.server
        for query, field_in_message in (("colour=red", "colour"), ("amount_min=abc", "amount_min"),
                                        ("sort=colour", "sort"), ("stage=x&stalled_days=0",
                                                                  "stalled_days"),
                                        ("q=%ZZ", "query")):
            with self.subTest(query=query):
                r = s.post("/api/v1/views", {"resource": "opportunities", "name": "坏查询",
                                             "query": query}, headers=self.ann)
                self.assertEqual((r.status, r.json["error"]["field"]), (422, "query"), r)
                self.assertIn(field_in_message, r.json["error"]["message"])
        r = s.post("/api/v1/views", {"resource": "contacts", "name": "联系人",
                                     "query": "attitude=supporter&q=%E5%BC%A0"}, headers=self.ann)
        self.assertEqual(r.status, 201, r)
        r = s.post("/api/v1/views", {"resource": "contacts", "name": "不是商机",
                                     "query": "stalled_days=30"}, headers=self.ann)
        self.assertEqual(r.status, 422, r)
        r = s.post("/api/v1/views", {"resource": "quotations", "name": "没有这个列表"},
                   headers=self.ann)
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "resource"))

    def test_a_view_is_its_creators(self):
        s = self.server
        r = s.post("/api/v1/views", {"resource": "opportunities", "name": "替人保存",
                                     "owner_id": s.user_id("视图销售乙")}, headers=self.ann)
        self.assertEqual(r.status, 403, r)
        partner = s.post("/api/v1/partners", {"name": "视图渠道"}).json
        p = s.auth("视图渠道用户", role="partner", team_id=None, partner_id=partner["id"])
        r = s.post("/api/v1/views", {"resource": "opportunities", "name": "渠道视图"}, headers=p)
        self.assertEqual(r.status, 403, r)


if __name__ == "__main__":
    unittest.main()
