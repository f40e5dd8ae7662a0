"""The stage gate of playbook ruijie-6: checklist, gated advance, stage
history, and the funnel report moving with it.

The checklist of a stage lists its exit criteria and deliverables (gate:
true) and then its key activities (gate: false, tracked only); the item ids
are read from the playbook, only the first stage's exit criteria are fixed
here (STAGE1_ITEMS: the playbook's versions keep them)."""

import threading
import unittest
import urllib.parse

from bingfa_server import ADMIN_NAME, MANT_COMPLETE, MANT_ROLES, ServerTestCase

STAGE1_ITEMS = ["mant-money", "mant-authority", "mant-need", "mant-time", "ce-recorded",
                "customer-inventory", "first-visit-one-pager", "needs-response-table"]
# The items of framework MANT: derived from the MANT form and the account's
# buying centre, never ticked by hand (stage problem's four, launch's one).
MANT_ITEMS = {"problem": ["mant-money", "mant-authority", "mant-need", "mant-time"],
              "launch": ["mant-verified"]}
# Every derived item of stage problem: MANT's and the CE's (from the CE form).
DERIVED_PROBLEM = MANT_ITEMS["problem"] + ["ce-recorded"]


class GateTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.server.get("/api/v1/playbooks/ruijie-6")
        if r.status != 200:
            raise RuntimeError("playbook: %r" % (r,))
        cls.playbook = r.json
        cls.stages = [s["id"] for s in cls.playbook["stages"]]
        # Every checklist item of a stage, in checklist order; the gating ones;
        # the key activities.
        cls.gate = {s["id"]: [c["id"] for c in s.get("exit_criteria", []) +
                              s.get("deliverables", [])]
                    for s in cls.playbook["stages"]}
        cls.activities = {s["id"]: [a["id"] for a in s.get("activities", [])]
                          for s in cls.playbook["stages"]}
        cls.items = {k: cls.gate[k] + cls.activities[k] for k in cls.gate}
        cls.prob = {s["id"]: s["probability"] for s in cls.playbook["stages"]}
        cls.in_funnel = {s["id"]: s["in_funnel"] for s in cls.playbook["stages"]}
        # The gate items that are ticked by hand (not derived).
        derived = {c["id"] for s in cls.playbook["stages"]
                   for c in s.get("exit_criteria", []) + s.get("deliverables", [])
                   if c.get("framework") in ("MANT", "CE")}
        cls.tickable = {k: [i for i in v if i not in derived] for k, v in cls.gate.items()}
        # Whose work each item is (its owning roles).
        cls.owner = {c["id"]: c.get("owner") for s in cls.playbook["stages"]
                     for k in ("exit_criteria", "deliverables", "activities")
                     for c in s.get(k, [])}

    # -- helpers -------------------------------------------------------------------------

    def opp_url(self, opp):
        return "/api/v1/opportunities/" + opp["id"]

    def tick(self, opp, item, done=True, evidence="已核实", user=None, **extra):
        """Ticks item as user, else as someone who plays its owner."""
        body = {"done": done, "evidence": evidence}
        body.update(extra)
        who = self.server.staff(user) if user else self.server.owner_headers(self.owner.get(item))
        return self.request("PUT", "%s/checklist/%s" % (self.opp_url(opp), item),
                            body=body, headers=who)

    def advance(self, opp, note=None, user="li.si", if_match=None, body=None, role=None):
        if role in ("manager", "admin") and user == "li.si":
            user = "经理" if role == "manager" else ADMIN_NAME
        headers = dict(self.server.staff(user, role))
        if if_match is not None:
            headers["If-Match"] = if_match
        if body is None and note is not None:
            body = {"note": note}
        return self.request("POST", self.opp_url(opp) + "/advance", body=body, headers=headers)

    def funnel(self, query="playbook=ruijie-6&currency=CNY"):
        r = self.get("/api/v1/reports/funnel?" + query)
        self.assertEqual(r.status, 200, r)
        return r.json

    def stage_row(self, funnel, stage):
        return [s for s in funnel["stages"] if s["id"] == stage][0]

    def answer_decisions(self, opp, checklist):
        """Answers yes to the decision points of the checklist's stage."""
        for d in checklist["decisions"]:
            r = self.post("%s/decisions/%s" % (self.opp_url(opp), d["id"]),
                          {"answer": "yes", "reason": "客户已确认"})
            self.assertEqual(r.status, 200, r)

    def tick_all_and_advance(self, opp, stage):
        """Ticks every gate item of stage but the derived ones; completes MANT
        once when the stage has any derived item."""
        self.assertEqual(self.get(self.opp_url(opp)).json["stage"], stage)
        c = self.meet_gate(opp, evidence=lambda item: "证据：%s" % item, user="li.si")
        self.answer_decisions(opp, c)
        r = self.advance(opp)
        self.assertEqual(r.status, 200, r)
        return r

    # -- the story ------------------------------------------------------------------------

    def test_playbook_document(self):
        self.assertEqual(self.playbook["id"], "ruijie-6")
        self.assertEqual(self.stages, ["problem", "launch", "shortlist", "procure", "contract",
                                       "deliver"])
        self.assertEqual([c["id"] for c in self.playbook["stages"][0]["exit_criteria"]],
                         STAGE1_ITEMS)
        self.assertEqual(self.gate["problem"][:len(STAGE1_ITEMS)], STAGE1_ITEMS)
        self.assertEqual([self.prob[s] for s in self.stages], [10, 30, 50, 70, 90, 100])
        r = self.get("/api/v1/playbooks")
        self.assertEqual(r.status, 200)
        ids = [p["id"] for p in r.json["items"]]
        self.assertIn("ruijie-6", ids)
        pb = [p for p in r.json["items"] if p["id"] == "ruijie-6"][0]
        for key in ("version", "name_zh", "name_en", "stages"):
            self.assertIn(key, pb)
        self.assertEqual([s["id"] for s in pb["stages"]], self.stages)
        self.assertError(self.get("/api/v1/playbooks/no-such-playbook"), 404, "not_found")

    def test_playbook_document_under_concurrent_reads(self):
        results = []
        lock = threading.Lock()

        def read():
            for _ in range(15):
                r = self.server.get("/api/v1/playbooks/ruijie-6")
                with lock:
                    results.append((r.status, r.raw))

        threads = [threading.Thread(target=read) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(len(results), 120)
        first = results[0][1]
        for status, raw in results:
            self.assertEqual(status, 200)
            self.assertEqual(raw, first)

    def test_full_story(self):
        acc = self.make_account(name="宁波港集团 " + self.unique("acc"))
        before = self.funnel()
        amount = 98765400  # multiple of 100 fen: weighted amounts are exact
        r = self.request("POST", "/api/v1/opportunities",
                         body={"account_id": acc["id"], "name": "港区无线网络覆盖",
                               "amount": amount, "playbook": "ruijie-6",
                               "expected_close": "2026-12-31"},
                         headers=self.server.staff("zhang.san"))
        self.assertEqual(r.status, 201, r)
        opp = r.json
        url = self.opp_url(opp)
        self.assertEqual((opp["stage"], opp["probability"]), ("problem", 10))

        # The funnel counts the new deal in the first stage.
        after_create = self.funnel()
        b, a = self.stage_row(before, "problem"), self.stage_row(after_create, "problem")
        self.assertEqual(a["count"], b["count"] + 1)
        self.assertEqual(a["amount"], b["amount"] + amount)
        self.assertEqual(a["weighted_amount"], b["weighted_amount"] + amount * 10 // 100)
        self.assertEqual(after_create["totals"]["count"], before["totals"]["count"] + 1)
        self.assertEqual(after_create["totals"]["amount"], before["totals"]["amount"] + amount)
        # problem is not in the funnel proper
        self.assertFalse(a["in_funnel"])
        self.assertEqual(after_create["funnel_totals"], before["funnel_totals"])

        # The checklist of the first stage: the gate items, then the key
        # activities, none done.
        gate1 = self.gate["problem"]
        c = self.get(url + "/checklist")
        self.assertEqual(c.status, 200, c)
        self.assertEqual(c.json["opportunity_id"], opp["id"])
        self.assertEqual(c.json["playbook"], "ruijie-6")
        self.assertEqual(c.json["stage"]["id"], "problem")
        self.assertEqual(c.json["stage"]["probability"], 10)
        self.assertIn("zh", c.json["stage"]["name"])
        self.assertIn("en", c.json["stage"]["name"])
        self.assertIs(c.json["complete"], False)
        self.assertEqual(c.json["unmet"], len(gate1))
        self.assertEqual([i["id"] for i in c.json["items"]], self.items["problem"])
        self.assertEqual([i["id"] for i in c.json["items"] if i["gate"]], gate1)
        self.assertEqual(c.json["decisions"], [])
        for item in c.json["items"]:
            for key in ("id", "type", "kind", "owner", "framework", "text", "gate", "done",
                        "derived", "evidence", "activity_id", "document", "updated_by",
                        "updated_at"):
                self.assertIn(key, item)
            self.assertIs(item["done"], False)
            self.assertIs(item["derived"], item["framework"] in ("MANT", "CE"), item)
            self.assertTrue(item["text"]["zh"])
            self.assertTrue(item["text"]["en"])
            self.assertIs(item["gate"], item["type"] in ("criterion", "deliverable"), item)
        self.assertEqual({i["type"] for i in c.json["items"] if i["id"] in STAGE1_ITEMS},
                         {"criterion"})
        self.assertEqual([i["id"] for i in c.json["items"] if i["type"] == "activity"],
                         self.activities["problem"])
        self.assertEqual([i["id"] for i in c.json["items"] if i["derived"]], DERIVED_PROBLEM)

        # Advance is refused, naming exactly the unmet gate items.
        r = self.advance(opp)
        err = self.assertError(r, 409, "gate_unmet")
        self.assertEqual(r.json["stage"], "problem")
        self.assertEqual(sorted(u["id"] for u in r.json["unmet"]), sorted(gate1))
        for u in r.json["unmet"]:
            for key in ("id", "type", "text", "text_en", "owner"):
                self.assertIn(key, u)
            self.assertIn(u["type"], ("criterion", "deliverable"))
        self.assertTrue(err["message"])
        g = self.get(url).json
        self.assertEqual((g["stage"], g["probability"], g["version"]), ("problem", 10, 1))

        # Tick three (ticked by hand, not derived): the unmet list shrinks to
        # the other five.
        three = ["needs-response-table", "customer-inventory", "first-visit-one-pager"]
        rest = [i for i in gate1 if i not in three]
        for item in three:
            r = self.tick(opp, item, evidence="客户确认：%s" % item, user="wang.wu")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["id"], item)
            self.assertIs(r.json["done"], True)
            self.assertEqual(r.json["evidence"], "客户确认：%s" % item)
            self.assertEqual(r.json["updated_by"], "wang.wu")
        c = self.get(url + "/checklist").json
        self.assertEqual(c["unmet"], len(gate1) - 3)
        done = {i["id"]: i for i in c["items"] if i["done"]}
        self.assertEqual(set(done), set(three))
        self.assertEqual(done["customer-inventory"]["updated_by"], "wang.wu")
        self.assertEqual(done["customer-inventory"]["evidence"], "客户确认：customer-inventory")
        self.assertTrue(done["customer-inventory"]["updated_at"])
        # The CE is not ticked: it follows the CE form.
        r = self.tick(opp, "ce-recorded", evidence="口头确认")
        self.assertError(r, 409, "derived", "item")
        self.assertIn("compelling-event", r.json["error"]["message"])
        r = self.advance(opp)
        self.assertError(r, 409, "gate_unmet")
        self.assertEqual(sorted(u["id"] for u in r.json["unmet"]), sorted(rest))

        # Unticking puts an item back.
        self.assertEqual(self.tick(opp, "customer-inventory", done=False).status, 200)
        r = self.advance(opp)
        self.assertEqual(sorted(u["id"] for u in r.json["unmet"]),
                         sorted(["customer-inventory"] + rest))

        # Key activities are tracked but do not gate: ticking one changes
        # nothing in the count.
        if self.activities["problem"]:
            act_item = self.activities["problem"][0]
            r = self.tick(opp, act_item, evidence="已陪同拜访")
            self.assertEqual(r.status, 200, r)
            self.assertEqual((r.json["type"], r.json["gate"], r.json["done"]),
                             ("activity", False, True))
            self.assertEqual(self.get(url + "/checklist").json["unmet"], len(gate1) - 2)

        # The deal enters the funnel proper only with MANT complete (schema 4:
        # a MANT playbook's deal without it is pre-funnel): its MANT form and
        # its account's buying centre.
        for role in ("approver", "decision_maker", "evaluator", "coach"):
            self.make_contact(acc["id"], buying_role=role)
        r = self.request("PUT", url + "/mant", body={
            "money": {"budget": amount, "source": "集团自筹", "approved": True, "in_place": True},
            "needs": ["无线全覆盖", "漫游不断线", "统一运维"],
            "time": {"tender_month": "2026-09", "go_live": "2026-12-31"}})
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["result"]["complete"], True)
        # The MANT items are now done, by bingfa.
        c = self.get(url + "/checklist").json
        mant = {i["id"]: i for i in c["items"] if i["derived"] and i["framework"] == "MANT"}
        self.assertEqual(sorted(mant), sorted(MANT_ITEMS["problem"]))
        for i in mant.values():
            self.assertEqual((i["done"], i["updated_by"]), (True, "bingfa"), i)
            self.assertTrue(i["evidence"], i)

        # Tick all the others, fill in the CE, advance with a note.
        for item in self.tickable["problem"]:
            self.assertEqual(self.tick(opp, item, evidence="已完成 " + item,
                                       user="wang.wu").status, 200)
        self.assertIs(self.get(url + "/checklist").json["complete"], False)
        self.satisfy_forms(opp, frameworks=("CE",))
        c = self.get(url + "/checklist").json
        self.assertIs(c["complete"], True)
        self.assertEqual(c["unmet"], 0)
        r = self.advance(opp, note="MANT齐全，进入漏斗", user="zhao.liu")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "launch")
        self.assertEqual(r.json["probability"], 30)
        # Version 2 was MANT's budget written to the deal (its home), 3 the advance.
        self.assertEqual(r.json["version"], 3)
        self.assertETag(r, 3)
        g = self.get(url).json
        self.assertEqual((g["stage"], g["probability"], g["version"]), ("launch", 30, 3))

        # The new stage's checklist starts empty, but for its MANT item:
        # MANT is complete already.
        c = self.get(url + "/checklist").json
        self.assertEqual(c["stage"]["id"], "launch")
        self.assertEqual([i["id"] for i in c["items"]], self.items["launch"])
        self.assertEqual(c["unmet"], len(self.tickable["launch"]))
        self.assertEqual([i["id"] for i in c["items"] if i["done"]], MANT_ITEMS["launch"])
        self.assertEqual([i["id"] for i in c["items"] if i["derived"]], MANT_ITEMS["launch"])

        # History: create and advance, with who and the checklist left behind.
        h = self.get(url + "/history")
        self.assertEqual(h.status, 200, h)
        self.assertEqual(h.json["opportunity_id"], opp["id"])
        items = h.json["items"]
        self.assertEqual([i["kind"] for i in items], ["create", "advance"])
        create, adv = items
        self.assertIsNone(create["from_stage"])
        self.assertEqual(create["to_stage"], "problem")
        self.assertEqual(create["to_probability"], 10)
        self.assertEqual(create["changed_by"], "zhang.san")
        self.assertEqual(adv["from_stage"], "problem")
        self.assertEqual(adv["to_stage"], "launch")
        self.assertEqual(adv["from_probability"], 10)
        self.assertEqual(adv["to_probability"], 30)
        self.assertEqual(adv["changed_by"], "zhao.liu")
        self.assertEqual(adv["reason"], "MANT齐全，进入漏斗")
        self.assertTrue(adv["changed_at"])
        self.assertGreaterEqual(adv["changed_at"], create["changed_at"])
        snap = adv["checklist"]
        self.assertIsInstance(snap, list)
        self.assertEqual([s["id"] for s in snap], self.items["problem"])
        self.assertTrue(all(s["done"] is True for s in snap if s["id"] in gate1), snap)
        by_id = {s["id"]: s for s in snap}
        self.assertEqual(by_id["customer-inventory"]["evidence"], "已完成 customer-inventory")
        self.assertIs(by_id["ce-recorded"]["done"], True)  # from the CE form
        self.assertIs(by_id["mant-money"]["done"], True)

        # The funnel moved the deal from problem to launch.
        after_adv = self.funnel()
        p0, p1 = self.stage_row(after_create, "problem"), self.stage_row(after_adv, "problem")
        l0, l1 = self.stage_row(after_create, "launch"), self.stage_row(after_adv, "launch")
        self.assertEqual(p1["count"], p0["count"] - 1)
        self.assertEqual(p1["amount"], p0["amount"] - amount)
        self.assertEqual(l1["count"], l0["count"] + 1)
        self.assertEqual(l1["amount"], l0["amount"] + amount)
        self.assertEqual(l1["weighted_amount"], l0["weighted_amount"] + amount * 30 // 100)
        self.assertEqual(after_adv["totals"]["count"], after_create["totals"]["count"])
        self.assertEqual(after_adv["funnel_totals"]["count"],
                         after_create["funnel_totals"]["count"] + 1)
        self.assertEqual(after_adv["funnel_totals"]["amount"],
                         after_create["funnel_totals"]["amount"] + amount)
        self.assertEqual(after_adv["funnel_totals"]["weighted_amount"],
                         after_create["funnel_totals"]["weighted_amount"] + amount * 30 // 100)

        # Walk all the way: contract's gate wins the deal and enters the
        # certain last stage, deliver.
        for stage in self.stages[1:-1]:
            r = self.tick_all_and_advance(opp, stage)
            nxt = self.stages[self.stages.index(stage) + 1]
            self.assertEqual(r.json["stage"], nxt)
            self.assertEqual(r.json["probability"], self.prob[nxt])
        g = self.get(url).json
        self.assertEqual((g["stage"], g["probability"]), ("deliver", 100))
        # One version per advance, and one for MANT's budget written to the deal.
        self.assertEqual(g["version"], 1 + 1 + len(self.stages) - 1)
        self.assertEqual(g["status"], "won")
        for item in self.tickable["deliver"]:  # the work after the win
            self.assertEqual(self.tick(opp, item).status, 200)
        r = self.advance(opp)
        self.assertError(r, 409, "not_open")
        self.assertEqual(self.get(url).json["version"], g["version"])
        h = self.get(url + "/history").json["items"]
        self.assertEqual([i["kind"] for i in h], ["create"] + ["advance"] * 4 + ["won"])
        self.assertEqual([i["to_stage"] for i in h], self.stages)
        # A won deal is no longer open: it left the funnel.
        after_walk = self.funnel()
        d0, d1 = self.stage_row(after_adv, "deliver"), self.stage_row(after_walk, "deliver")
        self.assertEqual(d1["count"], d0["count"])
        self.assertEqual(after_walk["funnel_totals"]["count"],
                         after_create["funnel_totals"]["count"])
        self.assertEqual(d1["weighted_amount"], d0["weighted_amount"])

        # A won deal is closed: reopened first, it is open in deliver again.
        r = self.patch(url, {"status": "lost", "close_reason": "退单", "won_by": "华为"},
                       version=g["version"])
        self.assertError(r, 409, "closed")
        r = self.patch(url, {"status": "open"}, version=g["version"])
        self.assertEqual((r.status, r.json["stage"], r.json["probability"]), (200, "deliver", 100))
        version = r.json["version"]
        d1 = self.stage_row(self.funnel(), "deliver")
        self.assertEqual((d1["count"], d1["amount"]), (d0["count"] + 1, d0["amount"] + amount))

        # Lost needs a reason and who won; a lost deal leaves the funnel and
        # is not open.
        r = self.patch(url, {"status": "lost", "won_by": "华为"}, version=version)
        self.assertError(r, 422, field="close_reason")
        r = self.patch(url, {"status": "lost", "close_reason": "竞争对手低价中标"}, version=version)
        self.assertError(r, 422, "required", "won_by")
        r = self.patch(url, {"status": "lost", "close_reason": "竞争对手低价中标",
                             "won_by": "华为"}, version=version)
        self.assertEqual(r.status, 200, r)
        after_lost = self.funnel()
        d2 = self.stage_row(after_lost, "deliver")
        self.assertEqual(d2["count"], d1["count"] - 1)
        self.assertEqual(d2["amount"], d1["amount"] - amount)
        self.assertEqual(after_lost["totals"]["count"], after_walk["totals"]["count"])
        self.assertError(self.advance(opp), 409, "not_open")
        self.assertError(self.tick(opp, self.items["deliver"][0]), 409, "not_open")

    def test_mant_items_are_derived(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"], playbook="ruijie-6")
        url = self.opp_url(opp)

        def checklist(stage=None):
            r = self.get(url + "/checklist" + ("?stage=" + stage if stage else ""))
            self.assertEqual(r.status, 200, r)
            return r.json

        def derived(stage=None):
            return {i["id"]: i["done"] for i in checklist(stage)["items"]
                    if i["derived"] and i["framework"] == "MANT"}

        def refused(unmet):
            r = self.advance(opp)
            self.assertError(r, 409, "gate_unmet")
            self.assertEqual(sorted(u["id"] for u in r.json["unmet"]), sorted(unmet))
            self.assertEqual(self.get(url).json["stage"], "problem")

        # A fresh deal: the MANT items are derived, none done, explained, by bingfa.
        c = checklist()
        mant = [i for i in c["items"] if i["derived"] and i["framework"] == "MANT"]
        self.assertEqual([i["id"] for i in mant], MANT_ITEMS["problem"])
        for i in mant:
            self.assertEqual((i["framework"], i["gate"], i["done"], i["updated_by"]),
                             ("MANT", True, False, "bingfa"), i)
            self.assertTrue(i["evidence"], i)
        self.assertFalse(any(i["derived"] for i in c["items"]
                             if i["framework"] not in ("MANT", "CE")))
        self.assertEqual(derived("launch"), {"mant-verified": False})

        # They cannot be ticked (nor unticked) by hand.
        for item in MANT_ITEMS["problem"]:
            for done in (True, False):
                with self.subTest(item=item, done=done):
                    self.assertError(self.tick(opp, item, done=done), 409, "derived", "item")
        self.assertEqual(derived(), {i: False for i in MANT_ITEMS["problem"]})

        # Everything else ticked, the CE filled in: the advance waits for MANT alone.
        for item in self.tickable["problem"]:
            self.assertEqual(self.tick(opp, item).status, 200)
        self.satisfy_forms(opp, frameworks=("CE",))
        self.assertEqual(checklist()["unmet"], len(MANT_ITEMS["problem"]))
        refused(MANT_ITEMS["problem"])
        self.assertIs(self.get(url + "/next").json["can_advance"], False)

        # The MANT form alone: money, need and time done; authority wants the
        # buying centre.
        self.put_form(self.form_url(opp, "mant"), MANT_COMPLETE)
        self.assertEqual(derived(), {"mant-money": True, "mant-authority": False,
                                     "mant-need": True, "mant-time": True})
        by_id = {i["id"]: i for i in checklist()["items"]}
        self.assertEqual(by_id["mant-money"]["updated_by"], "bingfa")
        self.assertTrue(by_id["mant-authority"]["evidence"])
        self.assertEqual(derived("launch"), {"mant-verified": False})
        # MANT as a whole names the parts still missing.
        # (structured in "missing"; the evidence in words, in the language asked for).
        verified = [i for i in checklist("launch")["items"] if i["id"] == "mant-verified"]
        self.assertEqual(verified[0]["missing"], ["authority"])
        self.assertEqual(verified[0]["evidence"], "MANT未完整，缺：权力（决策圈）")
        en = self.get(url + "/checklist?stage=launch&lang=en").json["items"]
        verified = [i for i in en if i["id"] == "mant-verified"]
        self.assertEqual(verified[0]["evidence"], "MANT incomplete, missing: authority (buying centre)")
        self.assertEqual(by_id["mant-authority"]["missing"],
                         ["approvers", "decision_makers", "evaluators", "coaches"])
        self.assertEqual(by_id["mant-money"]["missing"], [])
        refused(["mant-authority"])

        # The four buying roles on the account: authority done, MANT complete.
        contacts = {role: self.make_contact(acc["id"], buying_role=role) for role in MANT_ROLES}
        self.assertEqual(derived(), {i: True for i in MANT_ITEMS["problem"]})
        self.assertEqual(derived("launch"), {"mant-verified": True})
        c = checklist()
        self.assertEqual((c["complete"], c["unmet"]), (True, 0))
        self.assertIs(self.get(url + "/next").json["can_advance"], True)

        # Without the coach, authority is missing again, and the gate with it.
        coach = contacts["coach"]
        r = self.delete("/api/v1/contacts/" + coach["id"], version=coach["version"])
        self.assertEqual(r.status, 204, r)
        self.assertEqual(derived(), {"mant-money": True, "mant-authority": False,
                                     "mant-need": True, "mant-time": True})
        self.assertEqual(derived("launch"), {"mant-verified": False})
        refused(["mant-authority"])

        # A coach again: the advance goes through, and launch's item is done.
        self.make_contact(acc["id"], buying_role="coach")
        r = self.advance(opp)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "launch")
        self.assertEqual(derived(), {"mant-verified": True})
        self.assertError(self.tick(opp, "mant-verified"), 409, "derived", "item")

    def test_other_stage_and_unknown_item(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        r = self.tick(opp, self.items["launch"][0])
        self.assertError(r, 409, "other_stage")
        if self.activities["launch"]:
            self.assertError(self.tick(opp, self.activities["launch"][0]), 409, "other_stage")
        r = self.tick(opp, "no-such-item")
        self.assertError(r, 404)
        c = self.get(self.opp_url(opp) + "/checklist").json
        self.assertEqual(c["unmet"], len(self.gate["problem"]))

    def test_checklist_put_validation(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        url = "%s/checklist/customer-inventory" % self.opp_url(opp)
        self.assertError(self.request("PUT", url, body={"evidence": "x"}), 422, "required", "done")
        self.assertError(self.request("PUT", url, body={"done": "yes"}), 422, "wrong_type",
                         "done")
        self.assertError(self.request("PUT", url, body={"done": True, "who": "me"}), 422,
                         "unknown_field", "who")
        self.assertError(self.request("PUT", url, body={"done": True, "evidence": "证" * 2001}),
                         422, "too_long", "evidence")
        self.assertError(self.request("PUT", url, raw=b'{"done": tru'), 400, "malformed_json")
        self.assertError(self.request("PUT", "/api/v1/opportunities/opp_doesnotexist0000/"
                                             "checklist/customer-inventory",
                                 body={"done": True}),
                         404, "not_found")
        self.assertError(self.request("PUT", url, body={"done": True, "document": 5}), 422,
                         "wrong_type", "document")
        self.assertError(self.request("PUT", url, body={"done": True, "activity_id": 5}), 422,
                         "wrong_type", "activity_id")
        c = self.get(self.opp_url(opp) + "/checklist").json
        self.assertEqual(c["unmet"], len(self.gate["problem"]))

    def test_evidence_links_an_activity_and_a_document(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        other = self.make_opportunity(acc["id"])
        act = self.create("activities", {"opportunity_id": opp["id"], "type": "visit",
                                         "subject": "拜访信息中心主任"})
        foreign = self.create("activities", {"opportunity_id": other["id"], "type": "visit"})
        lone = self.create("activities", {"account_id": acc["id"], "type": "call"})
        r = self.tick(opp, "first-visit-one-pager", evidence="主任确认其决策权",
                      activity_id=act["id"],
                      document="docs/拜访纪要-0105.docx")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["activity_id"], r.json["document"]),
                         (act["id"], "docs/拜访纪要-0105.docx"))
        item = [i for i in self.get(self.opp_url(opp) + "/checklist").json["items"]
                if i["id"] == "first-visit-one-pager"][0]
        self.assertEqual((item["done"], item["evidence"], item["activity_id"], item["document"]),
                         (True, "主任确认其决策权", act["id"], "docs/拜访纪要-0105.docx"))
        # Only an activity of this opportunity may be the evidence.
        for bad in (foreign["id"], lone["id"], "act_doesnotexist0000"):
            with self.subTest(activity=bad):
                self.assertError(self.tick(opp, "needs-response-table", activity_id=bad), 422,
                                 field="activity_id")
        item = [i for i in self.get(self.opp_url(opp) + "/checklist").json["items"]
                if i["id"] == "needs-response-table"][0]
        self.assertIs(item["done"], False)
        self.assertIsNone(item["activity_id"])

    def test_manager_override(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        url = self.opp_url(opp)
        body = {"override": True, "reason": "客户高层已口头确认预算，书面批复下周到"}
        # Not a manager: refused, and nothing moves.
        for role in (None, "sales", "consultant"):
            with self.subTest(role=role):
                self.assertError(self.advance(opp, body=body, role=role), 403, "approval_required")
        # A reason is required.
        self.assertError(self.advance(opp, body={"override": True}, role="manager"), 422,
                         field="reason")
        self.assertError(self.advance(opp, body={"override": True, "reason": ""},
                                      role="manager"), 422, field="reason")
        self.assertError(self.advance(opp, body={"override": "yes", "reason": "x"},
                                      role="manager"), 422, "wrong_type", "override")
        # override false is an ordinary advance: the gate holds.
        self.assertError(self.advance(opp, body={"override": False, "reason": "x"},
                                      role="manager"), 409, "gate_unmet")
        g = self.get(url).json
        self.assertEqual((g["stage"], g["version"]), ("problem", 1))
        self.assertEqual(len(self.get(url + "/history").json["items"]), 1)

        r = self.advance(opp, body=body, role="manager", user="zhou.ba")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["stage"], r.json["probability"], r.json["version"]),
                         ("launch", 30, 2))
        h = self.get(url + "/history").json["items"]
        self.assertEqual([i["kind"] for i in h], ["create", "override"])
        self.assertEqual((h[1]["from_stage"], h[1]["to_stage"], h[1]["changed_by"],
                          h[1]["reason"]), ("problem", "launch", "zhou.ba", body["reason"]))
        # The snapshot keeps what was left undone.
        self.assertFalse(any(s["done"] for s in h[1]["checklist"]))
        # admin may override too.
        r = self.advance(opp, body={"override": True, "reason": "战略客户"}, role="admin")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "shortlist")
        # With the gate met, an override is an ordinary advance.
        for item in self.gate["shortlist"]:
            self.assertEqual(self.tick(opp, item).status, 200)
        self.answer_decisions(opp, self.get(url + "/checklist").json)
        r = self.advance(opp, body={"override": True, "reason": "无须越过"}, role="manager")
        self.assertEqual(r.status, 200, r)
        kinds = [i["kind"] for i in self.get(url + "/history").json["items"]]
        self.assertEqual(kinds, ["create", "override", "override", "advance"])

    def test_advance_if_match(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        self.meet_gate(opp)
        r = self.advance(opp, if_match='"5"')
        self.assertError(r, 412)
        # Version 2: MANT's budget, written to the deal (its home) by meet_gate.
        g = self.get(self.opp_url(opp)).json
        self.assertEqual((g["stage"], g["version"]), ("problem", 2))
        self.assertEqual(len(self.get(self.opp_url(opp) + "/history").json["items"]), 1)
        self.assertError(self.advance(opp, if_match='"1"'), 412)
        r = self.advance(opp, if_match='"2"')
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "launch")

    def test_advance_body_rules(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        url = self.opp_url(opp) + "/advance"
        self.assertError(self.request("POST", url, body={"why": "x"}), 422, "unknown_field",
                         "why")
        self.assertError(self.request("POST", url, body={"reason": 5}), 422, "wrong_type",
                         "reason")
        self.assertError(self.request("POST", url, body={"note": 5}), 422, "wrong_type", "note")
        self.assertError(self.request("POST", url, raw=b'{"note": "x"',), 400, "malformed_json")
        self.assertError(self.request("POST", url, raw=b'{"note": "x"}',
                                      headers={"Content-Type": "text/plain"}), 415)
        self.assertError(self.request("POST", "/api/v1/opportunities/opp_doesnotexist0000/advance"),
                         404, "not_found")
        g = self.get(self.opp_url(opp)).json
        self.assertEqual((g["stage"], g["version"]), ("problem", 1))

    def test_not_open_deals(self):
        acc = self.make_account()
        for status, reason in (("won", None), ("lost", "预算取消"), ("abandoned", "客户放弃")):
            with self.subTest(status=status):
                body = {"status": status}
                if reason:
                    body["close_reason"] = reason
                if status == "lost":
                    body["won_by"] = "新华三"
                opp = self.make_opportunity(acc["id"], **body)
                self.assertError(self.advance(opp), 409, "not_open")
                # A won deal's checklist is the closing after the win: the
                # stage's items are elsewhere.
                self.assertError(self.tick(opp, "ce-recorded"), 409,
                                 "other_stage" if status == "won" else "not_open")
                g = self.get(self.opp_url(opp)).json
                self.assertEqual((g["stage"], g["version"]), ("problem", 1))

    def test_concurrent_advances_move_one_stage_only(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        # Concurrent ticks of different items all land.
        results = {}

        def tick(item):
            results[item] = self.server.request(
                "PUT", "%s/checklist/%s" % (self.opp_url(opp), item),
                body={"done": True, "evidence": "并发"}, headers=self.server.staff("t-" + item))

        gate1 = self.tickable["problem"]
        threads = [threading.Thread(target=tick, args=(i,)) for i in gate1]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual({i: r.status for i, r in results.items()}, {i: 200 for i in gate1})
        c = self.get(self.opp_url(opp) + "/checklist").json
        self.assertEqual(c["unmet"], len(DERIVED_PROBLEM))
        self.satisfy_mant(opp)
        self.satisfy_forms(opp, frameworks=("CE",))
        c = self.get(self.opp_url(opp) + "/checklist").json
        self.assertEqual(c["unmet"], 0)
        self.assertEqual({i["id"]: i["updated_by"] for i in c["items"] if i["gate"]},
                         dict({i: "t-" + i for i in gate1},
                              **{i: "bingfa" for i in DERIVED_PROBLEM}))

        n = 6
        barrier = threading.Barrier(n)
        answers = [None] * n

        def advance(k):
            barrier.wait()
            answers[k] = self.server.request("POST", self.opp_url(opp) + "/advance")

        threads = [threading.Thread(target=advance, args=(k,)) for k in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = sorted(a.status for a in answers)
        self.assertEqual(statuses, [200] + [409] * (n - 1), statuses)
        for a in answers:
            if a.status == 409:
                self.assertEqual(a.json["error"]["code"], "gate_unmet")
                self.assertEqual(a.json["stage"], "launch")
        g = self.get(self.opp_url(opp)).json
        # Version 2 was MANT's budget written to the deal, 3 the one advance.
        self.assertEqual((g["stage"], g["version"]), ("launch", 3))
        kinds = [h["kind"] for h in self.get(self.opp_url(opp) + "/history").json["items"]]
        self.assertEqual(kinds, ["create", "advance"])

    def test_checklist_of_another_stage(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        c = self.get(self.opp_url(opp) + "/checklist?stage=shortlist")
        self.assertEqual(c.status, 200, c)
        self.assertEqual(c.json["stage"]["id"], "shortlist")
        self.assertEqual([i["id"] for i in c.json["items"]], self.items["shortlist"])
        self.assertError(self.get(self.opp_url(opp) + "/checklist?stage=nope"), 422,
                         field="stage")
        self.assertETag(self.get(self.opp_url(opp) + "/checklist"), 1)

    # The actor is the authenticated user: a header claiming another name
    # (even one that is not UTF-8) changes nothing.

    def test_a_user_header_does_not_name_the_actor(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        self.meet_gate(opp)
        r = self.request("POST", self.opp_url(opp) + "/advance",
                         headers=dict(self.server.staff("li.si"),
                                      **{"X-User": "José".encode("latin-1")}))
        self.assertEqual(r.status, 200, r)
        h = self.get(self.opp_url(opp) + "/history").json["items"]
        self.assertEqual([(i["kind"], i["changed_by"]) for i in h],
                         [("create", ADMIN_NAME), ("advance", "li.si")])

    def test_history_names_the_creator(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        h = self.get(self.opp_url(opp) + "/history").json["items"]
        self.assertEqual(len(h), 1)
        self.assertEqual(h[0]["changed_by"], ADMIN_NAME)
        self.assertError(self.get("/api/v1/opportunities/opp_doesnotexist0000/history"), 404)

    def test_activity_sub_steps_are_ticked_by_their_owners(self):
        # Ruijie's joint-visits (联合拜访客户各层级): four sub-steps, each with
        # its owning roles; ticked one by one by who plays them.
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        url = self.opp_url(opp) + "/checklist"
        act = [i for i in self.get(url).json["items"] if i["id"] == "joint-visits"][0]
        want = [s for s in self.playbook["stages"][0]["activities"] if s["id"] == "joint-visits"][0]
        self.assertEqual([(s["n"], s["owner"], s["done"]) for s in act["steps"]],
                         [(n, s.get("owner"), False) for n, s in enumerate(want["steps"], 1)])
        self.assertEqual(act["steps"][1]["owner_roles"], ["sales", "consultant"])
        # Step 1 is the salesperson's and the channel's: a consultant may not.
        self.assertEqual(act["steps"][0]["owner"], "S&channel")
        r = self.request("PUT", url + "/joint-visits/steps/1", body={"done": True},
                         headers=self.server.staff("li.si"))
        self.assertError(r, 403, "not_owner", "step")
        self.assertEqual(r.json["owner_roles"], ["sales", "partner"])
        r = self.request("PUT", url + "/joint-visits/steps/1",
                         body={"done": True, "evidence": "已拜访信息中心主任"},
                         headers=self.server.owner_headers("S"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual([s["done"] for s in r.json["steps"]], [True, False, False, False])
        self.assertEqual((r.json["steps"][0]["updated_by"], r.json["steps"][0]["evidence"]),
                         ("zhao.liu", "已拜访信息中心主任"))
        r = self.request("PUT", url + "/joint-visits/steps/2", body={"done": True},
                         headers=self.server.staff("li.si"))  # S&C: the consultant may
        self.assertEqual(r.status, 200, r)
        got = [i for i in self.get(url).json["items"] if i["id"] == "joint-visits"][0]
        self.assertEqual([s["done"] for s in got["steps"]], [True, True, False, False])
        self.assertIs(got["done"], False)  # the activity itself is ticked on its own
        # Sub-steps neither gate nor count: the unmet count is the gate's.
        self.assertEqual(self.get(url).json["unmet"], len(self.gate["problem"]))
        # No such step, no such activity, an item that is not an activity.
        for path, field in (("joint-visits/steps/5", "step"), ("joint-visits/steps/0", "step"),
                            ("joint-visits/steps/x", "step"), ("nope/steps/1", "item"),
                            ("customer-inventory/steps/1", "item")):
            self.assertError(self.request("PUT", url + "/" + path, body={"done": True}), 404,
                             "not_found", field)
        self.assertError(self.request("PUT", url + "/joint-visits/steps/1", body={}), 422,
                         "required", "done")
        # Unticked again.
        r = self.request("PUT", url + "/joint-visits/steps/2", body={"done": False})
        self.assertEqual([s["done"] for s in r.json["steps"]], [True, False, False, False])

    def test_forecast_counts_what_the_funnel_counts(self):
        # Ruijie keeps a deal out of the funnel in its first stage and, being a
        # MANT playbook, until its MANT is complete: the forecast too. A
        # currency of our own isolates these deals.
        cur = "XTF"
        acc = self.make_account()

        def forecast():
            """The open deals forecast in the funnel proper: the months that have
            any, and the totals."""
            r = self.get("/api/v1/reports/forecast?period=month&from=2027-01&to=2027-12&"
                         "currency=" + cur)
            self.assertEqual(r.status, 200, r)
            months = [{"month": t["period"], "count": t["open_count"],
                       "amount": t["open_amount"], "weighted_amount": t["weighted_amount"]}
                      for t in r.json["totals"] if t["open_count"]]
            undated = r.json["undated"]  # deals without an expected close
            return {"months": months,
                    "totals": {"count": sum(m["count"] for m in months) + undated["open_count"],
                               "amount": sum(m["amount"] for m in months) +
                               undated["open_amount"]}}

        def agree():
            f, fc = self.funnel("playbook=ruijie-6&currency=" + cur), forecast()
            self.assertEqual((fc["totals"]["count"], fc["totals"]["amount"]),
                             (f["funnel_totals"]["count"], f["funnel_totals"]["amount"]))
            return fc

        first = self.make_opportunity(acc["id"], amount=1000, currency=cur,
                                      expected_close="2027-03-31")
        launch = self.make_opportunity(acc["id"], amount=2000, currency=cur, stage="launch",
                                       expected_close="2027-04-30")
        self.assertEqual((first["in_funnel"], launch["in_funnel"]), (False, False))
        self.assertEqual(agree()["months"], [])
        # MANT complete: the deal in launch counts, in its month.
        self.satisfy_mant(launch)
        self.assertIs(self.get(self.opp_url(launch)).json["in_funnel"], True)
        self.assertEqual(agree()["months"], [{"month": "2027-04", "count": 1, "amount": 2000,
                                              "weighted_amount": 600}])
        # The first deal's MANT complete too: still out, its stage is outside.
        self.satisfy_mant(first)
        self.assertIs(self.get(self.opp_url(first)).json["in_funnel"], False)
        self.assertEqual(agree()["totals"]["count"], 1)
        # Advanced into launch, it counts; a huayu-5 deal counts from its first stage.
        self.assertEqual(self.tick_all_and_advance(first, "problem").json["in_funnel"], True)
        self.assertEqual(agree()["totals"]["count"], 2)
        hy = self.make_opportunity(acc["id"], amount=500, currency=cur, playbook="huayu-5")
        self.assertIs(hy["in_funnel"], True)
        self.assertEqual(forecast()["totals"]["count"], 3)
        # in_funnel is the server's to say.
        r = self.patch(self.opp_url(hy), {"in_funnel": False}, version=hy["version"])
        self.assertError(r, 422, "read_only", "in_funnel")

    def test_funnel_weighted_amount_rounds_the_sum(self):
        # A currency of our own isolates these deals from everything else.
        cur = "XTS"
        acc = self.make_account()
        empty = self.funnel("currency=" + cur)
        self.assertEqual(empty["currency"], cur)
        self.assertEqual(empty["totals"], {"count": 0, "amount": 0, "weighted_amount": 0})
        # Three deals of 1 fen at 30 %: each 0.3 fen, together 0.9 -> 1 fen.
        for _ in range(3):
            self.make_opportunity(acc["id"], amount=1, currency=cur, stage="launch")
        # 7 fen at 70 %: 4.9 -> 5 fen; 333 fen at 50 %: 166.5 is avoided: 334 -> 167.
        self.make_opportunity(acc["id"], amount=7, currency=cur, stage="procure")
        self.make_opportunity(acc["id"], amount=334, currency=cur, stage="shortlist")
        # Not counted: closed deals, and deals of another currency.
        self.make_opportunity(acc["id"], amount=1000, currency=cur, stage="launch", status="won")
        self.make_opportunity(acc["id"], amount=1000, currency="XTT", stage="launch")
        f = self.funnel("playbook=ruijie-6&currency=" + cur)
        rows = {s["id"]: s for s in f["stages"]}
        self.assertEqual([s["id"] for s in f["stages"]], self.stages)
        self.assertEqual((rows["launch"]["count"], rows["launch"]["amount"],
                          rows["launch"]["weighted_amount"]), (3, 3, 1))
        self.assertEqual((rows["procure"]["count"], rows["procure"]["amount"],
                          rows["procure"]["weighted_amount"]), (1, 7, 5))
        self.assertEqual((rows["shortlist"]["count"], rows["shortlist"]["amount"],
                          rows["shortlist"]["weighted_amount"]), (1, 334, 167))
        self.assertEqual(rows["problem"]["count"], 0)
        for s in f["stages"]:
            self.assertEqual(s["probability"], self.prob[s["id"]])
            self.assertEqual(s["in_funnel"], self.in_funnel[s["id"]])
        # totals: 3*30 + 7*70 + 334*50 = 90 + 490 + 16700 = 17280 -> 172.8 -> 173
        self.assertEqual(f["totals"], {"count": 5, "amount": 344, "weighted_amount": 173})
        # None of them has its MANT complete: all pre-funnel (ruijie-6 is a MANT
        # playbook), rounded the same way.
        self.assertIs(f["mant_gate"], True)
        self.assertEqual(f["funnel_totals"], {"count": 0, "amount": 0, "weighted_amount": 0})
        self.assertEqual(f["pre_funnel"], {"count": 5, "amount": 344, "weighted_amount": 173})
        self.assertEqual(rows["launch"]["mant_incomplete"],
                         {"count": 3, "amount": 3, "weighted_amount": 1})

    def test_funnel_owner(self):
        owner = self.unique("销售")
        acc = self.make_account()
        uid, other = self.server.user_id(owner), self.server.user_id(owner + "x")
        self.make_opportunity(acc["id"], amount=10000, owner_id=uid, stage="contract")
        self.make_opportunity(acc["id"], amount=20000, owner_id=uid, stage="contract")
        self.make_opportunity(acc["id"], amount=40000, owner_id=other, stage="contract")
        f = self.funnel("owner=" + urllib.parse.quote(owner))
        self.assertEqual(f["owner"], owner)
        self.assertEqual(f["totals"]["count"], 2)
        self.assertEqual(f["totals"]["amount"], 30000)
        self.assertEqual(self.stage_row(f, "contract")["weighted_amount"], 27000)

    def test_funnel_errors(self):
        self.assertError(self.get("/api/v1/reports/funnel?playbook=nope"), 422, field="playbook")
        self.assertError(self.get("/api/v1/reports/funnel?colour=red"), 422, field="colour")


if __name__ == "__main__":
    unittest.main()
