"""The proposal's review (方案评审): a reviewer marks each of the playbook's
common defects absent; the proposal is released only after the review
passes, through an approval; yonyou-7's gate item "the proposal passed
internal review" is met by exactly that. Through the real server."""

import unittest

from bingfa_server import ServerTestCase


class ProposalReviewTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.pb = s.get("/api/v1/playbooks/yonyou-7").json
        cls.defects = [d["id"] for d in cls.pb["proposal_defects"]]
        team = s.post("/api/v1/teams", {"name": "评审组"}).json
        s.make_user("rv.m", role="manager", team_id=team["id"])
        s.make_user("rv.s", role="sales", team_id=team["id"])
        s.make_user("rv.c", role="consultant", team_id=team["id"])
        s.make_user("rv.c2", role="consultant", team_id=team["id"])
        cls.acc = s.post("/api/v1/accounts", {"name": "方案评审客户"}).json

    def deal(self, playbook="yonyou-7", stage="design"):
        return self.create("opportunities", {
            "account_id": self.acc["id"], "name": self.unique("评审商机"), "playbook": playbook,
            "stage": stage, "owner_id": self.server.user_id("rv.s")})

    def review_url(self, opp):
        return "/api/v1/opportunities/%s/proposal-review" % opp["id"]

    def put_review(self, opp, marks, status=200, user="rv.s"):
        v = self.get(self.review_url(opp), headers=self.server.auth(user)).json["version"]
        r = self.request("PUT", self.review_url(opp), body={"defects": marks, "note": "评审会"},
                         headers=dict(self.server.auth(user), **{"If-Match": '"%d"' % v}))
        self.assertEqual(r.status, status, r)
        return r.json

    def item(self, opp):
        cl = self.get("/api/v1/opportunities/%s/checklist" % opp["id"]).json
        return [i for i in cl["items"] if i["id"] == "ds-review-passed"][0]

    def ask_release(self, opp, expect=201):
        r = self.post("/api/v1/opportunities/%s/approvals" % opp["id"],
                      {"kind": "proposal_release", "reason": "方案已评审，可提交客户"},
                      headers=self.server.auth("rv.s"))
        self.assertEqual(r.status, expect, r)
        return r.json

    def test_yonyou_names_seed_000s_eleven_defects(self):
        self.assertEqual(len(self.defects), 11)
        for d in self.pb["proposal_defects"]:
            self.assertTrue(d["name"]["zh"] and d["name"]["en"])

    def test_review_then_release_meets_the_gate_item(self):
        opp = self.deal()
        item = self.item(opp)
        self.assertTrue(item["derived"])
        self.assertFalse(item["done"])
        # Nothing is released before the review passes.
        err = self.ask_release(opp, expect=409)
        self.assertEqual((err["error"]["code"], err["open"]), ("review_incomplete", self.defects))
        # One defect left: not passed.
        marks = {d: {"absent": True} for d in self.defects}
        marks[self.defects[3]] = {"absent": False, "note": "第三章缺少同行业案例数据"}
        res = self.put_review(opp, marks)["result"]
        self.assertEqual((res["total"], res["absent"], res["open"], res["passed"],
                          res["released"]), (11, 10, [self.defects[3]], False, False))
        item = self.item(opp)
        self.assertEqual((item["done"], item["missing"]), (False, [self.defects[3], "release"]))
        self.assertEqual(self.ask_release(opp, expect=409)["open"], [self.defects[3]])
        # All absent: passed, still not released.
        marks[self.defects[3]] = {"absent": True, "note": "已补充三家同行案例"}
        res = self.put_review(opp, marks)["result"]
        self.assertTrue(res["passed"])
        self.assertEqual(self.item(opp)["missing"], ["release"])
        # The release waits for the manager; then the item is met.
        a = self.ask_release(opp)["approval"]
        self.assertEqual((a["kind"], a["state"]), ("proposal_release", "pending"))
        self.assertFalse(self.item(opp)["done"])
        r = self.post("/api/v1/approvals/%s/approve" % a["id"], {"comment": "同意提交"},
                      headers=self.server.auth("rv.m"))
        self.assertEqual((r.status, r.json["approval"]["state"]), (200, "approved"), r)
        item = self.item(opp)
        self.assertTrue(item["done"], item)
        self.assertIn(a["id"], item["evidence"])
        got = self.get(self.review_url(opp)).json["result"]
        self.assertEqual((got["released"], got["release_approval"]), (True, a["id"]))
        # A derived item is not ticked by hand.
        r = self.request("PUT", "/api/v1/opportunities/%s/checklist/ds-review-passed" % opp["id"],
                         body={"done": False})
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "derived"), r)

    def pass_review(self, opp):
        self.put_review(opp, {d: {"absent": True} for d in self.defects})

    def add_member(self, opp, user, role):
        r = self.request("PUT", "/api/v1/opportunities/%s/team/%s"
                         % (opp["id"], self.server.user_id(user)), body={"role": role})
        self.assertEqual(r.status, 200, r)

    def test_yonyou_names_the_solution_manager_to_release(self):
        self.assertEqual(self.pb["approvers"], {"proposal_release": "SM"})
        opp = self.deal()
        self.add_member(opp, "rv.c", "consultant")
        self.pass_review(opp)
        a = self.ask_release(opp)["approval"]
        # Level 1 waits for the deal team's 方案经理, not for the manager.
        self.assertEqual((a["state"], a["approver_role"], a["approver_role_name"]["zh"],
                          a["approver_user_id"], a["approver_team_id"]),
                         ("pending", "SM", "方案经理", self.server.user_id("rv.c"), None))
        inbox = self.get("/api/v1/approvals?box=inbox", headers=self.server.auth("rv.c")).json
        self.assertIn(a["id"], [i["id"] for i in inbox["items"]])
        self.assertTrue([i for i in inbox["items"] if i["id"] == a["id"]][0]["may_decide"])
        count = self.get("/api/v1/approvals/count", headers=self.server.auth("rv.c")).json
        self.assertGreaterEqual(count["inbox"], 1)
        r = self.post("/api/v1/approvals/%s/approve" % a["id"], {},
                      headers=self.server.auth("rv.m"))
        self.assertEqual((r.status, r.json["error"]["code"]), (403, "not_approver"), r)
        self.assertIn("SM", r.json["error"]["message"])
        # A consultant off the deal does not even see it.
        r = self.post("/api/v1/approvals/%s/approve" % a["id"], {},
                      headers=self.server.auth("rv.c2"))
        self.assertEqual(r.status, 404, r)
        self.assertFalse(self.item(opp)["done"])
        r = self.post("/api/v1/approvals/%s/approve" % a["id"], {"comment": "方案可以发布"},
                      headers=self.server.auth("rv.c"))
        self.assertEqual((r.status, r.json["approval"]["state"]), (200, "approved"), r)
        self.assertEqual(r.json["approval"]["decisions"][0]["by"], "rv.c")
        self.assertTrue(self.item(opp)["done"])
        inbox = self.get("/api/v1/approvals?box=inbox", headers=self.server.auth("rv.c")).json
        self.assertNotIn(a["id"], [i["id"] for i in inbox["items"]])

    def test_the_named_role_never_approves_its_own_request(self):
        # The only consultant on the deal asks: the manager decides, as
        # without the playbook's naming; with a second one, they decide.
        opp = self.deal()
        self.add_member(opp, "rv.c", "consultant")
        self.pass_review(opp)
        r = self.post("/api/v1/opportunities/%s/approvals" % opp["id"],
                      {"kind": "proposal_release", "reason": "评审通过"},
                      headers=self.server.auth("rv.c"))
        self.assertEqual(r.status, 201, r)
        a = r.json["approval"]
        self.assertNotIn("approver_role", a)
        self.assertIsNotNone(a["approver_team_id"])
        self.post("/api/v1/approvals/%s/withdraw" % a["id"], {}, headers=self.server.auth("rv.c"))
        self.add_member(opp, "rv.c2", "consultant")
        r = self.post("/api/v1/opportunities/%s/approvals" % opp["id"],
                      {"kind": "proposal_release", "reason": "评审通过"},
                      headers=self.server.auth("rv.c"))
        self.assertEqual(r.json["approval"]["approver_user_id"], self.server.user_id("rv.c2"))

    def test_more_levels_go_to_the_owners_managers(self):
        r = self.request("PUT", "/api/v1/settings/approvals", body={"levels_from": [0, 100]})
        self.assertEqual(r.status, 200, r)
        try:
            opp = self.create("opportunities", {
                "account_id": self.acc["id"], "name": self.unique("评审大单"),
                "playbook": "yonyou-7", "stage": "design", "amount": 500,
                "owner_id": self.server.user_id("rv.s")})
            self.add_member(opp, "rv.c", "consultant")
            self.pass_review(opp)
            a = self.ask_release(opp)["approval"]
            self.assertEqual((a["levels"], a["approver_role"]), (2, "SM"))
            r = self.post("/api/v1/approvals/%s/approve" % a["id"], {},
                          headers=self.server.auth("rv.c"))
            a = r.json["approval"]
            self.assertEqual((a["state"], a["level"]), ("pending", 2), r)
            self.assertIsNotNone(a["approver_team_id"])
            self.assertNotIn("approver_user_id", a)
            self.assertFalse(self.item(opp)["done"])
            r = self.post("/api/v1/approvals/%s/approve" % a["id"], {},
                          headers=self.server.auth("rv.m"))
            self.assertEqual(r.json["approval"]["state"], "approved", r)
            self.assertTrue(self.item(opp)["done"])
        finally:
            self.request("PUT", "/api/v1/settings/approvals", body={"levels_from": [0]})

    def test_the_review_names_only_the_playbooks_defects(self):
        opp = self.deal()
        err = self.put_review(opp, {"weather": {"absent": True}}, status=422)
        self.assertEqual((err["error"]["code"], err["error"]["field"]),
                         ("unknown_defect", "defects.weather"))
        err = self.put_review(opp, {self.defects[0]: {"absent": "yes"}}, status=422)
        self.assertEqual(err["error"]["field"], "defects.%s.absent" % self.defects[0])
        other = self.create("opportunities", {
            "account_id": self.acc["id"], "name": self.unique("华宇"), "playbook": "huayu-5",
            "owner_id": self.server.user_id("rv.s")})
        err = self.put_review(other, {}, status=422)
        self.assertEqual(err["error"]["code"], "not_applicable")
        err = self.ask_release(other, expect=409)
        self.assertEqual(err["error"]["code"], "not_applicable")


class BuyingConditionsTest(ServerTestCase):
    """project-8's six buying conditions (seed 002): the form marks each met
    with its evidence; the six gate criteria of negotiation follow one by
    one, the check's deliverable once all six hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pb = cls.server.get("/api/v1/playbooks/project-8").json
        cls.conds = [c["id"] for c in cls.pb["buying_conditions"]]
        acc = cls.server.post("/api/v1/accounts", {"name": "购买条件客户"}).json
        cls.acc = acc

    def items(self, opp):
        cl = self.get("/api/v1/opportunities/%s/checklist" % opp["id"]).json
        return {i["id"]: i for i in cl["items"]}

    def put(self, opp, conditions, status=200):
        url = "/api/v1/opportunities/%s/buying-conditions" % opp["id"]
        v = self.get(url).json["version"]
        r = self.request("PUT", url, body={"conditions": conditions},
                         headers={"If-Match": '"%d"' % v})
        self.assertEqual(r.status, status, r)
        return r.json

    def test_each_condition_meets_its_criterion(self):
        self.assertEqual(len(self.conds), 6)
        opp = self.create("opportunities", {"account_id": self.acc["id"], "name": "谈判阶段",
                                            "playbook": "project-8", "stage": "negotiation"})
        items = self.items(opp)
        for c in self.conds + ["buy-check"]:
            self.assertEqual((items[c]["derived"], items[c]["done"]), (True, False), c)
        res = self.put(opp, {self.conds[0]: {"met": True, "evidence": "12 月 2 日演示获信息部认可"},
                             self.conds[1]: {"met": False}})["result"]
        self.assertEqual((res["total"], res["met"], res["passed"]), (6, 1, False))
        items = self.items(opp)
        self.assertTrue(items[self.conds[0]]["done"])
        self.assertIn("12 月 2 日演示获信息部认可", items[self.conds[0]]["evidence"])
        self.assertFalse(items[self.conds[1]]["done"])
        self.assertEqual(items["buy-check"]["missing"], self.conds[1:])
        res = self.put(opp, {c: {"met": True, "evidence": "已确认"} for c in self.conds})["result"]
        self.assertTrue(res["passed"])
        items = self.items(opp)
        self.assertTrue(all(items[c]["done"] for c in self.conds + ["buy-check"]))
        r = self.request("PUT", "/api/v1/opportunities/%s/checklist/buy-fit" % opp["id"],
                         body={"done": False})
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "derived"), r)

    def test_only_the_playbooks_conditions(self):
        opp = self.create("opportunities", {"account_id": self.acc["id"], "name": "未知条件",
                                            "playbook": "project-8"})
        err = self.put(opp, {"weather": {"met": True}}, status=422)
        self.assertEqual((err["error"]["code"], err["error"]["field"]),
                         ("unknown_condition", "conditions.weather"))
        other = self.create("opportunities", {"account_id": self.acc["id"], "name": "uss",
                                              "playbook": "uss-5"})
        self.assertEqual(self.put(other, {}, status=422)["error"]["code"], "not_applicable")


if __name__ == "__main__":
    unittest.main()
