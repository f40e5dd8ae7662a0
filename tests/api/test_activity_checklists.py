"""Activity checklists: what to do before, during and after an activity,
ticked item by item — a planned visit's from its sales mode's visit plan,
another activity's from its deal's playbook by type (the rehearsal before a
presentation or a bid, a demo's flow, a negotiation's steps). Through the
real server."""

import unittest

from bingfa_server import ServerTestCase


class ActivityChecklistTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pbs = {p: cls.server.get("/api/v1/playbooks/" + p).json
                   for p in ("huayu-5", "project-8", "uss-5", "yonyou-7", "ruijie-6")}
        cls.acc = cls.server.post("/api/v1/accounts", {"name": "活动检查单客户"}).json

    def checklist_def(self, playbook, type_):
        for c in self.pbs[playbook].get("activity_checklists", []):
            if c["type"] == type_:
                return c
        return None

    def activity(self, opp, type_, **kw):
        body = {"opportunity_id": opp["id"], "type": type_, "subject": self.unique("活动")}
        body.update(kw)
        return self.create("activities", body)

    def url(self, act, item=None):
        u = "/api/v1/activities/%s/checklist" % act["id"]
        return u + "/" + item if item else u

    def test_every_type_the_playbooks_name_gets_its_checklist(self):
        seen = set()
        for pb, doc in self.pbs.items():
            opp = self.make_opportunity(self.acc["id"], playbook=pb)
            for c in doc.get("activity_checklists", []):
                with self.subTest(playbook=pb, type=c["type"]):
                    act = self.activity(opp, c["type"])
                    got = self.get(self.url(act)).json
                    self.assertEqual(got["source"], {"kind": "type", "id": c["id"],
                                                     "type": c["type"]})
                    self.assertEqual(got["name"], c["name"])
                    want = [("%s-%d" % (ph, k + 1), ph, t["zh"], t["en"])
                            for ph in ("before", "during", "after")
                            for k, t in enumerate(c.get(ph, []))]
                    self.assertEqual([(i["id"], i["phase"], i["text"]["zh"], i["text"]["en"])
                                      for i in got["items"]], want)
                    self.assertEqual((got["done"], got["total"]), (0, len(want)))
                    seen.add((pb, c["type"]))
        # The rehearsal before a presentation and a bid, the demo's flow and
        # the negotiation's steps are there.
        for pair in (("huayu-5", "presentation"), ("huayu-5", "bid_opening"),
                     ("huayu-5", "demo"), ("huayu-5", "negotiation"),
                     ("project-8", "negotiation")):
            self.assertIn(pair, seen)

    def test_ticks_are_kept_with_who_and_when_and_audited(self):
        opp = self.make_opportunity(self.acc["id"], playbook="huayu-5")
        act = self.activity(opp, "presentation")
        c = self.checklist_def("huayu-5", "presentation")
        r = self.request("PUT", self.url(act, "before-2"),
                         body={"done": True, "note": "开场 8 分钟讲清预算收益"})
        self.assertEqual(r.status, 200, r)
        item = r.json["items"][1]
        self.assertEqual((item["id"], item["done"], item["by"], item["note"]),
                         ("before-2", True, "tester", "开场 8 分钟讲清预算收益"))
        self.assertTrue(item["at"].endswith("Z"))
        self.assertEqual(r.json["done"], 1)
        # Kept: read back the same; untick.
        self.assertEqual(self.get(self.url(act)).json["items"][1]["done"], True)
        r = self.request("PUT", self.url(act, "before-2"), body={"done": False})
        self.assertEqual((r.status, r.json["done"], r.json["items"][1]["done"]), (200, 0, False))
        last = "after-%d" % len(c["after"])
        self.assertEqual(self.request("PUT", self.url(act, last), body={"done": True}).status, 200)
        audit = self.get("/api/v1/audit?record_id=" + act["id"]).json["items"]
        self.assertEqual([(e["action"], e["new"]["item"]) for e in audit[:3]],
                         [("checklist", last), ("checklist", "before-2"),
                          ("checklist", "before-2")])
        # Unknown items, bad bodies.
        for item, body, status in (("before-99", {"done": True}, 404),
                                   ("middle-1", {"done": True}, 404),
                                   ("before-1", {}, 422),
                                   ("before-1", {"done": "yes"}, 422),
                                   ("before-1", {"done": True, "note": "x" * 1001}, 422)):
            r = self.request("PUT", self.url(act, item), body=body)
            self.assertEqual(r.status, status, (item, body, r))

    def test_an_activity_without_a_checklist_says_so(self):
        opp = self.make_opportunity(self.acc["id"], playbook="huayu-5")
        act = self.activity(opp, "call")
        got = self.get(self.url(act)).json
        self.assertEqual((got["source"], got["items"], got["total"]), (None, [], 0))
        r = self.request("PUT", self.url(act, "before-1"), body={"done": True})
        self.assertEqual((r.status, r.json["error"]["code"]), (404, "not_found"))
        no_deal = self.create("activities", {"account_id": self.acc["id"], "type": "demo"})
        self.assertEqual(self.get(self.url(no_deal)).json["source"], None)

    def test_others_do_not_see_it_and_it_goes_with_the_activity(self):
        opp = self.make_opportunity(self.acc["id"], playbook="huayu-5")
        act = self.activity(opp, "demo")
        self.assertEqual(self.request("PUT", self.url(act, "before-1"),
                                      body={"done": True}).status, 200)
        outsider = self.server.auth(self.unique("外人"), role="sales", team_id=None)
        self.assertEqual(self.get(self.url(act), headers=outsider).status, 404)
        self.assertEqual(self.request("PUT", self.url(act, "before-1"), body={"done": False},
                                      headers=outsider).status, 404)
        r = self.delete("/api/v1/activities/" + act["id"], version=act["version"])
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.get(self.url(act)).status, 404)

    def test_a_planned_visit_gets_its_visits_steps(self):
        opp = self.make_opportunity(self.acc["id"], playbook="uss-5")
        r = self.patch("/api/v1/opportunities/" + opp["id"], {"sales_mode": "consultative"},
                       version=opp["version"])
        self.assertEqual(r.status, 200, r)
        mode = [m for m in self.pbs["uss-5"]["modes"] if m["id"] == "consultative"][0]
        acts = self.list_all("activities", "opportunity_id=" + opp["id"])
        planned = {a["plan_ref"]: a for a in acts if a["plan_ref"]}
        for v in mode["visits"]:
            a = planned["consultative/%d" % v["n"]]
            got = self.get(self.url(a)).json
            self.assertEqual(got["name"], v["purpose"])
            self.assertEqual([i["text"] for i in got["items"]],
                             v.get("before", []) + v.get("during", []) + v.get("after", []))

    def key_items(self, key):
        return ([("key-before-%d" % (k + 1), "before", t["zh"], None)
                 for k, t in enumerate(key.get("tools", []))] +
                [("key-during-%d" % (k + 1), "during", st["text"]["zh"],
                  st.get("owner") or key.get("owner"))
                 for k, st in enumerate(key.get("steps", []))] +
                [("key-after-%d" % (k + 1), "after", t["zh"], None)
                 for k, t in enumerate(key.get("inspection", []))])

    def test_a_key_activity_of_the_stage_joins_the_checklist(self):
        # On every built-in playbook, a visit that carries out a key activity
        # of a stage gets its tools to take, its steps with their owners and
        # its checks afterwards.
        for pb, doc in self.pbs.items():
            opp = self.make_opportunity(self.acc["id"], playbook=pb)
            for stage in doc["stages"]:
                key = stage["activities"][0]
                with self.subTest(playbook=pb, key=key["id"]):
                    act = self.activity(opp, "visit", key_activity=key["id"])
                    self.assertEqual(act["key_activity"], key["id"])
                    got = self.get(self.url(act)).json
                    self.assertEqual(got["key_activity"]["id"], key["id"])
                    self.assertEqual((got["key_activity"]["stage"],
                                      got["key_activity"]["stage_name"]),
                                     (stage["id"], stage["name"]))
                    keyed = [(i["id"], i["phase"], i["text"]["zh"], i.get("owner"))
                             for i in got["items"] if i["from"] == "key_activity"]
                    self.assertEqual(keyed, self.key_items(key))
                    self.assertTrue(any(i[1] == "during" for i in keyed))
        # A key step is ticked like any other item.
        opp = self.make_opportunity(self.acc["id"], playbook="uss-5")
        key = self.pbs["uss-5"]["stages"][1]["activities"][2]
        act = self.activity(opp, "visit", key_activity=key["id"])
        r = self.request("PUT", self.url(act, "key-during-2"), body={"done": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["done"], 1)

    def test_a_planned_visit_and_its_key_activity(self):
        opp = self.make_opportunity(self.acc["id"], playbook="uss-5")
        r = self.patch("/api/v1/opportunities/" + opp["id"], {"sales_mode": "quick"},
                       version=opp["version"])
        self.assertEqual(r.status, 200, r)
        acts = self.list_all("activities", "opportunity_id=" + opp["id"])
        visit = [a for a in acts if a["plan_ref"] == "quick/1"][0]
        key = self.pbs["uss-5"]["stages"][1]["activities"][0]
        r = self.patch("/api/v1/activities/" + visit["id"], {"key_activity": key["id"]},
                       version=visit["version"])
        self.assertEqual(r.status, 200, r)
        got = self.get(self.url(visit)).json
        self.assertEqual(got["source"]["kind"], "visit")
        mode = [m for m in self.pbs["uss-5"]["modes"] if m["id"] == "quick"][0]
        v = [v for v in mode["visits"] if v["n"] == 1][0]
        plan = v.get("before", []) + v.get("during", []) + v.get("after", [])
        self.assertEqual([i["text"] for i in got["items"] if i["from"] == "checklist"], plan)
        self.assertEqual([(i["id"], i["phase"], i["text"]["zh"], i.get("owner"))
                          for i in got["items"] if i["from"] == "key_activity"],
                         self.key_items(key))
        self.assertEqual(got["total"], len(plan) + len(self.key_items(key)))

    def test_the_key_activity_is_one_of_the_deals_playbook(self):
        opp = self.make_opportunity(self.acc["id"], playbook="uss-5")
        other = self.pbs["yonyou-7"]["stages"][0]["activities"][0]["id"]
        for bad in (other, "no-such-activity"):
            r = self.post("/api/v1/activities", {"opportunity_id": opp["id"], "type": "visit",
                                                 "key_activity": bad})
            self.assertEqual((r.status, r.json["error"]["field"]), (422, "key_activity"), r)
        r = self.post("/api/v1/activities", {"account_id": self.acc["id"], "type": "visit",
                                             "key_activity": "prepare-visit"})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "key_activity"), r)

    def test_the_team_adds_items_of_its_own(self):
        # A call has no playbook checklist; the team writes its own, kept as
        # structured items, not inside the purpose.
        opp = self.make_opportunity(self.acc["id"], playbook="huayu-5")
        act = self.activity(opp, "call", purpose="确认演示时间")
        url = self.url(act)
        r = self.post(url, {"phase": "before", "text": "准备<b>演示</b>环境清单"})
        self.assertEqual((r.status, r.json["total"]), (201, 1), r)
        r = self.post(url, {"phase": "after", "text": "发送会议纪要"})
        self.post(url, {"phase": "during", "text": "确认参会人"})
        got = self.get(url).json
        self.assertEqual([(i["id"], i["phase"], i["text"]["zh"], i["from"]) for i in got["items"]],
                         [("own-1", "before", "准备<b>演示</b>环境清单", "own"),
                          ("own-2", "after", "发送会议纪要", "own"),
                          ("own-3", "during", "确认参会人", "own")])
        self.assertEqual(self.get("/api/v1/activities/" + act["id"]).json["purpose"], "确认演示时间")
        r = self.request("PUT", self.url(act, "own-2"), body={"done": True, "note": "已发"})
        self.assertEqual(r.status, 200, r)
        item = [i for i in r.json["items"] if i["id"] == "own-2"][0]
        self.assertEqual((item["done"], item["note"], item["text"]["zh"], item["phase"]),
                         (True, "已发", "发送会议纪要", "after"))
        r = self.delete(self.url(act, "own-1"))
        self.assertEqual((r.status, [i["id"] for i in r.json["items"]]), (200, ["own-2", "own-3"]))
        # Numbers are not reused; bad input names its field.
        self.assertEqual([i["id"] for i in self.post(url, {"phase": "before", "text": "带名片"})
                          .json["items"]], ["own-2", "own-3", "own-4"])
        for body, field in (({"phase": "later", "text": "x"}, "phase"),
                            ({"phase": "before", "text": ""}, "text"),
                            ({"phase": "before"}, "text")):
            r = self.post(url, body)
            self.assertEqual((r.status, r.json["error"]["field"]), (422, field), r)
        # The playbook's items stay; audited.
        demo = self.activity(opp, "demo")
        r = self.delete(self.url(demo, "before-1"))
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "not_own"), r)
        log = self.get("/api/v1/audit?limit=200&record_id=" + act["id"]).json["items"]
        actions = [e["action"] for e in log]
        for a in ("checklist_add", "checklist_remove", "checklist"):
            self.assertIn(a, actions)

    def test_the_progress_of_a_page_of_activities(self):
        opp = self.make_opportunity(self.acc["id"], playbook="huayu-5")
        demo = self.activity(opp, "demo")
        call = self.activity(opp, "call")
        self.post(self.url(call), {"phase": "after", "text": "发纪要"})
        self.request("PUT", self.url(demo, "before-1"), body={"done": True})
        total = self.get(self.url(demo)).json["total"]
        outsider = self.server.auth(self.unique("外人"), role="sales", team_id=None)
        r = self.get("/api/v1/activity-checklists?ids=%s,%s,act_nope" % (demo["id"], call["id"]))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["items"], {demo["id"]: {"done": 1, "total": total},
                                           call["id"]: {"done": 0, "total": 1}})
        # Someone who does not see them gets nothing of them.
        r = self.get("/api/v1/activity-checklists?ids=%s" % demo["id"], headers=outsider)
        self.assertEqual((r.status, r.json["items"]), (200, {}))
        self.assertEqual(self.get("/api/v1/activity-checklists").json["items"], {})
        many = ",".join([demo["id"]] * 201)
        r = self.get("/api/v1/activity-checklists?ids=" + many)
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "ids"), r)


if __name__ == "__main__":
    unittest.main()
