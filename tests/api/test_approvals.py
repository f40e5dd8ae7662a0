"""Approvals (审批): one flow for every decision a manager makes about a
deal — a gate passed with items unmet, a deal closed before its winning
stage, a sales mode below the recommendation. Who decides (the manager of
the owner's team, the managers above as the amount requires, an admin where
no manager is), that nothing asked happens before the last approval, that a
manager's direct decision is recorded as an approval, and that the deal,
its history and its audit log show every step. Through the real server."""

import unittest

from bingfa_server import ADMIN_NAME, ServerTestCase

WAN = 1_000_000  # 一万元 in fen


class ApprovalsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        hq = s.post("/api/v1/teams", {"name": "审批总部"}).json
        east = s.post("/api/v1/teams", {"name": "审批华东", "parent_id": hq["id"]}).json
        lone = s.post("/api/v1/teams", {"name": "审批无经理"}).json
        west = s.post("/api/v1/teams", {"name": "审批华西", "parent_id": hq["id"]}).json
        cls.teams = {"hq": hq, "east": east, "lone": lone, "west": west}
        for name, role, team in (("apr.hq", "manager", hq), ("apr.east.m", "manager", east),
                                 ("apr.east.s", "sales", east), ("apr.west.m", "manager", west),
                                 ("apr.west.s", "sales", west), ("apr.lone.s", "sales", lone)):
            s.make_user(name, role=role, team_id=team["id"])
        cls.account = s.post("/api/v1/accounts", {"name": "审批测试客户"}).json
        pb = s.get("/api/v1/playbooks/uss-5").json
        cls.stages = [st["id"] for st in pb["stages"]]

    def setUp(self):
        # One level for every amount unless a test says otherwise.
        self.put_rules([0])

    def put_rules(self, levels_from, user=ADMIN_NAME, role="admin"):
        return self.request("PUT", "/api/v1/settings/approvals", body={"levels_from": levels_from},
                            headers=self.server.auth(user, role=role))

    def h(self, name):
        return self.server.auth(name)

    def deal(self, owner="apr.east.s", amount=50 * WAN, **fields):
        body = {"account_id": self.account["id"], "name": self.unique("审批商机"),
                "playbook": "uss-5", "owner_id": self.server.user_id(owner), "amount": amount}
        body.update(fields)
        return self.create("opportunities", body)

    def ask(self, opp, user="apr.east.s", expect=201, **body):
        body.setdefault("reason", "客户高层已口头确认，书面材料下周补齐")
        r = self.post("/api/v1/opportunities/%s/approvals" % opp["id"], body,
                      headers=self.h(user))
        self.assertEqual(r.status, expect, r)
        return r.json

    def decide(self, approval, verdict, user, comment=None, status=200):
        body = {"comment": comment} if comment is not None else \
            ({} if verdict == "reject" else None)
        r = self.post("/api/v1/approvals/%s/%s" % (approval["id"], verdict), body,
                      headers=self.h(user))
        self.assertEqual(r.status, status, r)
        return r.json

    def count(self, user):
        r = self.get("/api/v1/approvals/count", headers=self.h(user))
        self.assertEqual(r.status, 200, r)
        return r.json

    def inbox(self, user, box="inbox"):
        r = self.get("/api/v1/approvals?box=%s" % box, headers=self.h(user))
        self.assertEqual(r.status, 200, r)
        return [a["id"] for a in r.json["items"]]

    def reload(self, opp):
        return self.get("/api/v1/opportunities/" + opp["id"]).json

    def audit_actions(self, opp):
        r = self.get("/api/v1/audit?record_id=" + opp["id"])
        return [e["action"] for e in r.json["items"]]

    # -- one level ------------------------------------------------------------------------

    def test_an_override_waits_for_the_owners_manager_and_then_happens(self):
        opp = self.deal()
        before = self.count("apr.east.m")["inbox"]
        a = self.ask(opp, kind="override", evidence="客户邮件 2026-12-01")["approval"]
        self.assertEqual((a["state"], a["kind"], a["level"], a["levels"], a["stage"]),
                         ("pending", "override", 1, 1, self.stages[0]))
        self.assertEqual((a["approver_team_id"], a["approver_team"]),
                         (self.teams["east"]["id"], "审批华东"))
        self.assertEqual(a["evidence"], "客户邮件 2026-12-01")
        self.assertTrue(a["may_withdraw"])
        self.assertFalse(a["may_decide"])
        # Nothing moved yet.
        self.assertEqual(self.reload(opp)["stage"], self.stages[0])
        # It waits in the owner's manager's inbox, not the head office's.
        self.assertEqual(self.count("apr.east.m")["inbox"], before + 1)
        self.assertIn(a["id"], self.inbox("apr.east.m"))
        self.assertNotIn(a["id"], self.inbox("apr.hq"))
        self.assertIn(a["id"], self.inbox("apr.east.s", box="mine"))
        self.assertGreaterEqual(self.count("apr.east.s")["mine_pending"], 1)
        # Who may not decide it: the requester, another team's manager (who
        # does not even see it), a salesperson.
        err = self.decide(a, "approve", "apr.east.s", status=403)
        self.assertEqual(err["error"]["code"], "not_approver")
        self.decide(a, "approve", "apr.west.m", status=404)
        self.assertEqual(self.get("/api/v1/approvals/" + a["id"],
                                  headers=self.h("apr.west.s")).status, 404)
        # The owner's manager sees it as theirs to decide, and approves.
        seen = self.get("/api/v1/approvals/" + a["id"], headers=self.h("apr.east.m")).json
        self.assertTrue(seen["may_decide"])
        out = self.decide(a, "approve", "apr.east.m", comment="同意，材料后补")
        self.assertEqual(out["approval"]["state"], "approved")
        self.assertEqual([(d["level"], d["by"], d["verdict"], d["comment"])
                          for d in out["approval"]["decisions"]],
                         [(1, "apr.east.m", "approved", "同意，材料后补")])
        self.assertEqual(out["opportunity"]["stage"], self.stages[1])
        self.assertEqual(self.count("apr.east.m")["inbox"], before)
        h = self.get("/api/v1/opportunities/%s/history" % opp["id"]).json["items"][-1]
        self.assertEqual((h["kind"], h["to_stage"], h["changed_by"]),
                         ("override", self.stages[1], "apr.east.m"))
        self.assertIn(a["id"], h["reason"])
        self.assertEqual(self.audit_actions(opp)[:3],
                         ["stage_override", "approval_approve", "approval_request"])
        # Decided is decided.
        err = self.decide(a, "reject", "apr.east.m", comment="晚了", status=409)
        self.assertEqual(err["error"]["code"], "approval_decided")

    def test_a_rejection_needs_a_reason_and_changes_nothing(self):
        opp = self.deal()
        a = self.ask(opp, kind="close", status="abandoned")["approval"]
        err = self.decide(a, "reject", "apr.east.m", status=422)
        self.assertEqual(err["error"]["field"], "comment")
        out = self.decide(a, "reject", "apr.east.m", comment="客户仍在评估，继续跟进")
        self.assertEqual(out["approval"]["state"], "rejected")
        self.assertEqual(out["approval"]["decisions"][0]["verdict"], "rejected")
        self.assertEqual((self.reload(opp)["status"], self.reload(opp)["stage"]),
                         ("open", self.stages[0]))
        self.assertIn("approval_reject", self.audit_actions(opp))
        # A new request may follow a rejection.
        self.ask(opp, kind="close", status="abandoned")

    def test_the_requester_withdraws_and_only_one_request_of_a_kind_waits(self):
        opp = self.deal()
        a = self.ask(opp, kind="close", status="lost", won_by="友商甲")["approval"]
        r = self.post("/api/v1/opportunities/%s/approvals" % opp["id"],
                      {"kind": "close", "status": "abandoned", "reason": "再问一次"},
                      headers=self.h("apr.east.s"))
        self.assertEqual((r.status, r.json["error"]["code"], r.json["approval"]),
                         (409, "approval_pending", a["id"]))
        self.assertEqual(self.post("/api/v1/approvals/%s/withdraw" % a["id"],
                                   headers=self.h("apr.east.m")).status, 403)
        out = self.post("/api/v1/approvals/%s/withdraw" % a["id"], headers=self.h("apr.east.s"))
        self.assertEqual((out.status, out.json["approval"]["state"]), (200, "withdrawn"), out)
        self.assertNotIn(a["id"], self.inbox("apr.east.m"))
        self.assertEqual(self.reload(opp)["status"], "open")

    def test_pages_of_ones_own_requests(self):
        user = self.unique("apr.pager")
        self.server.make_user(user, role="sales", team_id=self.teams["east"]["id"])
        asked = [self.ask(self.deal(owner=user), user=user, kind="override")["approval"]["id"]
                 for _ in range(3)]
        seen, url = [], "/api/v1/approvals?box=mine&state=pending&limit=2"
        while url:
            r = self.get(url, headers=self.h(user))
            self.assertEqual(r.status, 200, r)
            self.assertLessEqual(len(r.json["items"]), 2)
            seen += [a["id"] for a in r.json["items"]]
            cursor = r.json["next_cursor"]
            url = "/api/v1/approvals?box=mine&state=pending&limit=2&cursor=" + cursor \
                if cursor else None
        self.assertEqual(seen, asked[::-1])
        r = self.get("/api/v1/approvals?box=mine&state=approved", headers=self.h(user))
        self.assertEqual(r.json["items"], [])
        for query, field in (("box=all", "box"), ("box=mine&state=maybe", "state"),
                             ("box=inbox&state=approved", "state"), ("limit=0", "limit"),
                             ("cursor=abc", "cursor")):
            r = self.get("/api/v1/approvals?" + query, headers=self.h(user))
            self.assertEqual((r.status, r.json["error"]["field"]), (422, field), (query, r))

    def test_asking_is_checked(self):
        opp = self.deal()
        for body, field in (({"kind": "close", "status": "lost"}, "won_by"),
                            ({"kind": "close"}, "status"),
                            ({"kind": "sales_mode"}, "sales_mode"),
                            ({"kind": "sales_mode", "sales_mode": "nosuchmode"}, "sales_mode"),
                            ({"kind": "discount"}, "kind")):
            r = self.post("/api/v1/opportunities/%s/approvals" % opp["id"],
                          dict(body, reason="理由"), headers=self.h("apr.east.s"))
            self.assertEqual((r.status, r.json["error"]["field"]), (422, field), r)
        r = self.post("/api/v1/opportunities/%s/approvals" % opp["id"], {"kind": "override"},
                      headers=self.h("apr.east.s"))
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "reason"), r)
        # Someone who does not see the deal cannot ask about it.
        r = self.post("/api/v1/opportunities/%s/approvals" % opp["id"],
                      {"kind": "override", "reason": "x"}, headers=self.h("apr.west.s"))
        self.assertEqual(r.status, 404, r)
        self.assertEqual(self.get("/api/v1/opportunities/%s/approvals" % opp["id"]).json["items"],
                         [])

    # -- levels ---------------------------------------------------------------------------

    def test_a_large_deal_needs_the_managers_above(self):
        r = self.put_rules([0, 100 * WAN])
        self.assertEqual(r.status, 200, r)
        opp = self.deal(amount=500 * WAN)
        a = self.ask(opp, kind="close", status="lost", won_by="友商乙",
                     reason="客户选择了友商乙的方案")["approval"]
        self.assertEqual((a["levels"], a["level"], a["amount"]), (2, 1, 500 * WAN))
        out = self.decide(a, "approve", "apr.east.m", comment="同意")
        self.assertEqual((out["approval"]["state"], out["approval"]["level"],
                          out["approval"]["approver_team"]), ("pending", 2, "审批总部"))
        self.assertEqual(out["opportunity"]["status"], "open")
        self.assertIn(a["id"], self.inbox("apr.hq"))
        self.assertNotIn(a["id"], self.inbox("apr.east.m"))
        out = self.decide(a, "approve", "apr.hq")
        self.assertEqual(out["approval"]["state"], "approved")
        self.assertEqual([d["by"] for d in out["approval"]["decisions"]], ["apr.east.m", "apr.hq"])
        deal = self.reload(opp)
        self.assertEqual((deal["status"], deal["won_by"], deal["close_reason"]),
                         ("lost", "友商乙", "客户选择了友商乙的方案"))
        # A small deal still needs one level; the head office decides both
        # levels of a large one at once (its team is above the owner's).
        small = self.deal(amount=10 * WAN)
        self.assertEqual(self.ask(small, kind="override")["approval"]["levels"], 1)
        big = self.deal(amount=500 * WAN)
        b = self.ask(big, kind="override")["approval"]
        out = self.decide(b, "approve", "apr.hq")
        self.assertEqual((out["approval"]["state"], len(out["approval"]["decisions"])),
                         ("approved", 2))
        # The owner's manager may not decide a large deal's early close alone.
        late = self.deal(amount=500 * WAN)
        r = self.patch("/api/v1/opportunities/" + late["id"],
                       {"status": "abandoned", "close_reason": "客户取消"},
                       version=late["version"], headers=self.h("apr.east.m"))
        self.assertEqual((r.status, r.json["error"]["code"], r.json["kind"]),
                         (403, "approval_required", "close"), r)

    def test_the_levels_are_an_admins_setting(self):
        self.assertEqual(self.get("/api/v1/settings/approvals").json, {"levels_from": [0]})
        r = self.put_rules([0, 100 * WAN], user="apr.hq", role="manager")
        self.assertEqual(r.status, 403, r)
        for rules, field in (([100], "levels_from[0]"), ([0, 50, 50], "levels_from[2]"),
                             ([], "levels_from"), ([0, 1, 2, 3, 4, 5], "levels_from"),
                             ([0, -1], "levels_from[1]")):
            r = self.put_rules(rules)
            self.assertEqual((r.status, r.json["error"]["field"]), (422, field), (rules, r))
        self.assertEqual(self.get("/api/v1/settings/approvals").json, {"levels_from": [0]})

    def test_an_admin_decides_where_no_manager_is(self):
        opp = self.deal(owner="apr.lone.s")
        a = self.ask(opp, user="apr.lone.s", kind="close", status="abandoned")["approval"]
        self.assertIsNone(a["approver_team_id"])
        self.assertIn(a["id"], self.inbox(ADMIN_NAME))
        self.assertGreaterEqual(self.count(ADMIN_NAME)["inbox"], 1)
        out = self.decide(a, "approve", ADMIN_NAME)
        self.assertEqual(out["opportunity"]["status"], "abandoned")

    # -- what is asked ----------------------------------------------------------------------

    def test_winning_early_goes_through_an_approval(self):
        opp = self.deal()
        r = self.patch("/api/v1/opportunities/" + opp["id"], {"status": "won"},
                       version=opp["version"], headers=self.h("apr.east.s"))
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "win_through_gate"))
        a = self.ask(opp, kind="close", status="won", reason="客户直接签约")["approval"]
        out = self.decide(a, "approve", "apr.east.m")
        deal = out["opportunity"]
        self.assertEqual((deal["status"], deal["probability"]), ("won", 100))
        self.assertEqual(deal["stage"], self.stages[-1])
        h = self.get("/api/v1/opportunities/%s/history" % opp["id"]).json["items"][-1]
        self.assertEqual(h["kind"], "won")
        tasks = self.get("/api/v1/activities?opportunity_id=%s&plan_ref=reference-case"
                         % opp["id"]).json["items"]
        self.assertEqual(len(tasks), 1)

    def test_the_winning_gate_is_never_overridden(self):
        opp = self.deal(stage=self.stages[-1])
        r = self.post("/api/v1/opportunities/%s/approvals" % opp["id"],
                      {"kind": "override", "reason": "x"}, headers=self.h("apr.east.s"))
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "win_through_gate"), r)

    def test_a_decision_on_a_deal_that_moved_on_is_stale(self):
        opp = self.deal()
        a = self.ask(opp, kind="override")["approval"]
        # The manager overrides directly meanwhile: recorded as an approval too.
        r = self.post("/api/v1/opportunities/%s/advance" % opp["id"],
                      {"override": True, "reason": "经理直接放行"}, headers=self.h("apr.east.m"))
        self.assertEqual(r.status, 200, r)
        err = self.decide(a, "approve", "apr.east.m", status=409)
        self.assertEqual(err["error"]["code"], "approval_stale")
        # Nothing of the failed approval was written.
        again = self.get("/api/v1/approvals/" + a["id"]).json
        self.assertEqual((again["state"], again["decisions"]), ("pending", []))
        self.assertEqual(self.reload(opp)["stage"], self.stages[1])
        items = self.get("/api/v1/opportunities/%s/approvals" % opp["id"]).json["items"]
        direct = [i for i in items if i["id"] != a["id"]]
        self.assertEqual(len(direct), 1)
        self.assertEqual((direct[0]["state"], direct[0]["kind"], direct[0]["reason"],
                          direct[0]["requested_by"], direct[0]["decisions"][0]["by"]),
                         ("approved", "override", "经理直接放行", "apr.east.m", "apr.east.m"))

    def test_closing_early_is_asked_for_and_a_manager_closes_directly(self):
        opp = self.deal()
        r = self.patch("/api/v1/opportunities/" + opp["id"],
                       {"status": "abandoned", "close_reason": "客户取消"},
                       version=opp["version"], headers=self.h("apr.east.s"))
        self.assertEqual((r.status, r.json["error"]["code"], r.json["kind"],
                          r.json["error"]["field"]), (403, "approval_required", "close", "status"))
        self.assertEqual(self.reload(opp)["status"], "open")
        r = self.patch("/api/v1/opportunities/" + opp["id"],
                       {"status": "abandoned", "close_reason": "客户取消"},
                       version=opp["version"], headers=self.h("apr.east.m"))
        self.assertEqual((r.status, r.json["status"]), (200, "abandoned"), r)
        items = self.get("/api/v1/opportunities/%s/approvals" % opp["id"]).json["items"]
        self.assertEqual([(i["kind"], i["state"], i["status"], i["reason"]) for i in items],
                         [("close", "approved", "abandoned", "客户取消")])
        # At the winning stage a loss is the tender's result: no approval.
        last = self.deal(stage=self.stages[-1])
        r = self.patch("/api/v1/opportunities/" + last["id"],
                       {"status": "lost", "won_by": "友商丙", "close_reason": "价格"},
                       version=last["version"], headers=self.h("apr.east.s"))
        self.assertEqual((r.status, r.json["status"]), (200, "lost"), r)

    def test_a_new_deal_starts_in_the_first_stage(self):
        # Only an admin loads a deal further along; anyone else starts at the
        # beginning, so no deal is reported past gates it never passed.
        body = {"account_id": self.account["id"], "name": self.unique("跳阶段"),
                "playbook": "uss-5", "stage": self.stages[3]}
        for user in ("apr.east.s", "apr.east.m"):
            r = self.post("/api/v1/opportunities", body, headers=self.h(user))
            self.assertEqual((r.status, r.json["error"]["code"], r.json["error"]["field"]),
                             (403, "stage_through_gates", "stage"), r)
        r = self.post("/api/v1/opportunities", dict(body, stage=self.stages[0]),
                      headers=self.h("apr.east.s"))
        self.assertEqual(r.status, 201, r)
        r = self.post("/api/v1/opportunities", body)  # the admin, loading history
        self.assertEqual((r.status, r.json["stage"]), (201, self.stages[3]), r)

    def test_openapi_declares_the_routes(self):
        doc = self.get("/api/v1/openapi.json").json
        for path in ("/api/v1/opportunities/{id}/approvals", "/api/v1/approvals",
                     "/api/v1/approvals/count", "/api/v1/approvals/{id}",
                     "/api/v1/approvals/{id}/approve", "/api/v1/approvals/{id}/reject",
                     "/api/v1/approvals/{id}/withdraw", "/api/v1/settings/approvals"):
            self.assertIn(path, doc["paths"])
        self.assertEqual(self.server.undocumented_answers(), [])


if __name__ == "__main__":
    unittest.main()
