"""Gate items derived from the account's profile, its buying centre and the
tender record, like MANT from its form: project-8's planning criteria from
the customer profile's factors and the key people from the contacts,
huayu-5's and ruijie-6's procurement method and award from the tender
record. Never ticked by hand. Through the real server."""

import unittest

from bingfa_server import ServerTestCase


class DerivedSourcesTest(ServerTestCase):

    def items(self, opp, lang="zh"):
        cl = self.get("/api/v1/opportunities/%s/checklist?lang=%s" % (opp["id"], lang)).json
        return {i["id"]: i for i in cl["items"]}

    def test_project_8_planning_from_the_profile_and_the_contacts(self):
        acc = self.create("accounts", {"name": self.unique("画像客户")})
        opp = self.create("opportunities", {"account_id": acc["id"], "name": "规划",
                                            "playbook": "project-8"})
        profile_items = {"profile-size": "size", "profile-ownership": "ownership",
                         "profile-business": "business_type",
                         "profile-systems": "existing_systems", "profile-branches": "branches",
                         "profile-plan": "purchase_plan"}
        items = self.items(opp)
        for item, fact in profile_items.items():
            self.assertEqual((items[item]["derived"], items[item]["done"], items[item]["missing"]),
                             (True, False, [fact]), item)
        self.assertFalse(items["key-people-found"]["done"])
        self.assertFalse(items["target-list"]["done"])
        self.assertIn("profile", items["target-list"]["missing"])
        # Small: the size is known but below the rules' scale.
        r = self.patch("/api/v1/accounts/" + acc["id"],
                       {"employees": 10, "annual_revenue": 100000000, "gross_profit": 1000000,
                        "ownership": "private", "business_type": "distribution",
                        "existing_systems": "无", "branches": 0},
                       version=acc["version"])
        self.assertEqual(r.status, 200, r)
        items = self.items(opp)
        self.assertFalse(items["profile-size"]["done"])
        self.assertTrue(items["profile-ownership"]["done"])
        self.assertIn("客户画像", items["profile-ownership"]["evidence"])
        self.assertFalse(items["profile-plan"]["done"])
        r = self.patch("/api/v1/accounts/" + acc["id"],
                       {"employees": 600, "annual_revenue": 30000000000,
                        "gross_profit": 4000000000}, version=r.json["version"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.request("PUT", "/api/v1/accounts/%s/profile" % acc["id"],
                                      body={"purchase_plan": "within_6_months"}).status, 200)
        items = self.items(opp)
        for item in list(profile_items) + ["target-list"]:
            self.assertTrue(items[item]["done"], items[item])
        self.assertIn("Customer profile", self.items(opp, "en")["target-list"]["evidence"])
        # The key people: a decision maker one can reach; a coach is not one.
        self.create("contacts", {"account_id": acc["id"], "name": "教练", "buying_role": "coach",
                                 "phone": "13900000001"})
        self.create("contacts", {"account_id": acc["id"], "name": "没电话",
                                 "buying_role": "decision_maker"})
        self.assertFalse(self.items(opp)["key-people-found"]["done"])
        self.create("contacts", {"account_id": acc["id"], "name": "周总",
                                 "buying_role": "approver", "email": "zhou@example.cn"})
        item = self.items(opp)["key-people-found"]
        self.assertTrue(item["done"])
        self.assertIn("周总", item["evidence"])
        r = self.request("PUT", "/api/v1/opportunities/%s/checklist/key-people-found" % opp["id"],
                         body={"done": False})
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "derived"))

    def test_the_tender_record_meets_the_method_and_the_award(self):
        acc = self.create("accounts", {"name": self.unique("招标客户")})
        for pb, stage, items in (("huayu-5", "bid", ("procurement-method-known", "award-notice")),
                                 ("ruijie-6", "contract", ("award-notice",))):
            opp = self.create("opportunities", {"account_id": acc["id"], "name": pb,
                                                "playbook": pb, "stage": stage})
            got = self.items(opp)
            for i in items:
                self.assertEqual((got[i]["derived"], got[i]["done"]), (True, False), (pb, i))
            url = "/api/v1/opportunities/%s/tender" % opp["id"]
            r = self.request("PUT", url, body={"procurement_method": "invited_tender"})
            self.assertEqual(r.status, 200, r)
            got = self.items(opp)
            if "procurement-method-known" in items:
                self.assertTrue(got["procurement-method-known"]["done"])
                self.assertIn("邀请招标", got["procurement-method-known"]["evidence"])  # in words
            self.assertFalse(got["award-notice"]["done"])
            v = self.get(url).json["version"]
            r = self.request("PUT", url, body={"procurement_method": "invited_tender",
                                               "result": "won"},
                             headers={"If-Match": '"%d"' % v})
            self.assertEqual(r.status, 200, r)
            self.assertTrue(self.items(opp)["award-notice"]["done"], pb)

    def test_a_playbook_checks_what_it_derives_from(self):
        doc = {"schema": "bingfa.playbook/v1", "id": self.unique("derive").lower()[:40],
               "version": 1, "name": {"zh": "派生", "en": "Derived"},
               "stages": [{"id": "one", "name": {"zh": "一", "en": "One"}, "probability": 10,
                           "exit_criteria": [
                               {"id": "a", "kind": "criterion", "derived_from": "tender",
                                "text": {"zh": "甲", "en": "A"}},
                               {"id": "b", "kind": "criterion", "derived_from": "profile",
                                "fact": "weather", "text": {"zh": "乙", "en": "B"}},
                               {"id": "c", "kind": "criterion", "derived_from": "contacts",
                                "fact": "size", "text": {"zh": "丙", "en": "C"}}]},
                          {"id": "two", "name": {"zh": "二", "en": "Two"}, "probability": 100}]}
        r = self.post("/api/v1/playbooks", doc)
        self.assertEqual(r.status, 422, r)
        paths = {p["path"] for p in r.json["problems"]}
        for p in ("stages[0].exit_criteria[0].fact", "stages[0].exit_criteria[1].fact",
                  "stages[0].exit_criteria[2].fact"):
            self.assertIn(p, paths)


if __name__ == "__main__":
    unittest.main()
