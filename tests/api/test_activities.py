"""Activities (活动/拜访): CRUD, the account taken from the opportunity,
contacts of the same account, time normalisation, validation."""

import unittest

from bingfa_server import ServerTestCase

TYPES = ("visit", "call", "meeting", "demo", "research", "presentation", "site_visit",
         "bid_opening", "other")


class ActivitiesTest(ServerTestCase):

    def setUp(self):
        self.account = self.make_account(name="广州地铁集团 " + self.unique("acc"))
        self.opp = self.make_opportunity(self.account["id"], name="地铁18号线通信网络")
        self.contact = self.make_contact(self.account["id"], name="黄工", buying_role="evaluator")

    def test_round_trip_on_an_opportunity(self):
        body = {
            "opportunity_id": self.opp["id"],
            "type": "visit",
            "subject": "首次拜访信息中心",
            "planned_at": "2026-01-05T09:30:00+08:00",
            "done_at": "2026-01-05T10:15:00+08:00",
            "purpose": "了解现网情况，递交一页纸方案",
            "outcome": "客户认可痛点，约定下周调研",
            "next_step": "现场调研",
            "next_step_date": "2026-01-12",
            "contacts": [self.contact["id"]],
            "owner_id": self.server.user_id("赵六"),
        }
        r = self.post("/api/v1/activities", body)
        self.assertEqual(r.status, 201, r)
        rec = r.json
        self.assertTrue(rec["id"].startswith("act_"))
        # The account is taken from the opportunity.
        self.assertEqual(rec["account_id"], self.account["id"])
        # Times are normalised to UTC.
        self.assertEqual(rec["planned_at"], "2026-01-05T01:30:00Z")
        self.assertEqual(rec["done_at"], "2026-01-05T02:15:00Z")
        for k in ("opportunity_id", "type", "subject", "purpose", "outcome", "next_step",
                  "next_step_date", "contacts", "owner_id"):
            self.assertEqual(rec[k], body[k], k)
        self.assertEqual(rec["owner"], "赵六")
        self.assertEqual(rec["version"], 1)
        self.assertETag(r, 1)
        self.assertEqual(r.headers.get("Location"), "/api/v1/activities/" + rec["id"])
        g = self.get("/api/v1/activities/" + rec["id"])
        self.assertEqual(g.status, 200)
        self.assertEqual(g.json, rec)

    def test_time_normalisation(self):
        for given, want in (("2026-01-05T09:30:00+08:00", "2026-01-05T01:30:00Z"),
                            ("2026-01-05T01:30:00Z", "2026-01-05T01:30:00Z"),
                            ("2026-01-01T03:00:00+08:00", "2025-12-31T19:00:00Z"),
                            ("2026-03-01T20:00:00-05:00", "2026-03-02T01:00:00Z")):
            with self.subTest(given=given):
                rec = self.create("activities", {"account_id": self.account["id"],
                                                 "type": "call", "done_at": given})
                self.assertEqual(rec["done_at"], want)

    def test_account_only_activity(self):
        rec = self.create("activities", {"account_id": self.account["id"], "type": "research",
                                         "subject": "行业调研"})
        self.assertIsNone(rec["opportunity_id"])
        self.assertEqual(rec["account_id"], self.account["id"])
        self.assertEqual(rec["contacts"], [])

    def test_every_type(self):
        for t in TYPES:
            rec = self.create("activities", {"account_id": self.account["id"], "type": t})
            self.assertEqual(rec["type"], t)

    def test_plan_ref_is_the_servers(self):
        # plan_ref is set only by a sales mode's plan or a win; clients read
        # and filter it.
        rec = self.create("activities", {"account_id": self.account["id"], "type": "visit"})
        self.assertIsNone(rec["plan_ref"])
        self.assertCreateRefused({"account_id": self.account["id"], "type": "visit",
                                  "plan_ref": "quick/1"}, "read_only", "plan_ref")
        r = self.patch("/api/v1/activities/" + rec["id"], {"plan_ref": "quick/1"}, version=1)
        self.assertError(r, 422, "read_only", "plan_ref")
        opp = self.make_opportunity(self.account["id"], playbook="uss-5", sales_mode="quick")
        got = self.list_all("activities", "opportunity_id=%s&plan_ref=quick%%2F2" % opp["id"])
        self.assertEqual([a["plan_ref"] for a in got], ["quick/2"])
        self.assertEqual(self.list_all("activities", "plan_ref=none%2F9"), [])

    # -- validation --------------------------------------------------------------------

    def assertCreateRefused(self, body, code, field):
        before = self.count("activities")
        r = self.post("/api/v1/activities", body)
        err = self.assertError(r, 422, code, field)
        self.assertEqual(self.count("activities"), before, "a refused POST wrote a record")
        return err

    def test_needs_opportunity_or_account(self):
        before = self.count("activities")
        r = self.post("/api/v1/activities", {"type": "visit"})
        self.assertEqual(r.status, 422, r)
        self.assertIn(r.json["error"]["field"], ("account_id", "opportunity_id"))
        self.assertEqual(self.count("activities"), before)

    def test_type_required_and_enum(self):
        self.assertCreateRefused({"account_id": self.account["id"]}, "required", "type")
        self.assertCreateRefused({"account_id": self.account["id"], "type": "dinner"},
                                 "invalid_value", "type")

    def test_bad_dates(self):
        self.assertCreateRefused({"account_id": self.account["id"], "type": "call",
                                  "next_step_date": "2026-13-01"}, "invalid_date",
                                 "next_step_date")
        self.assertCreateRefused({"account_id": self.account["id"], "type": "call",
                                  "next_step_date": "2026/01/01"}, "invalid_date",
                                 "next_step_date")
        err = self.assertCreateRefused({"account_id": self.account["id"], "type": "call",
                                        "planned_at": "next monday"}, None, "planned_at")
        self.assertTrue(err["code"].startswith("invalid_date"), err)
        err = self.assertCreateRefused({"account_id": self.account["id"], "type": "call",
                                        "done_at": "2026-01-05T25:00:00Z"}, None, "done_at")
        self.assertTrue(err["code"].startswith("invalid_date"), err)

    def test_unknown_references(self):
        self.assertCreateRefused({"opportunity_id": "opp_doesnotexist0000", "type": "call"},
                                 "unknown_reference", "opportunity_id")
        self.assertCreateRefused({"account_id": "acc_doesnotexist0000", "type": "call"},
                                 "unknown_reference", "account_id")
        self.assertCreateRefused({"account_id": self.account["id"], "type": "call",
                                  "contacts": ["con_doesnotexist0000"]},
                                 "unknown_reference", "contacts")

    def test_contacts_must_work_for_the_account(self):
        other = self.make_account(name="别家客户")
        stranger = self.make_contact(other["id"])
        self.assertCreateRefused({"opportunity_id": self.opp["id"], "type": "meeting",
                                  "contacts": [self.contact["id"], stranger["id"]]},
                                 None, "contacts")

    def test_account_must_match_the_opportunity(self):
        other = self.make_account(name="不相干客户")
        self.assertCreateRefused({"opportunity_id": self.opp["id"], "account_id": other["id"],
                                  "type": "meeting"}, None, "account_id")

    def test_field_type_and_length(self):
        acc = self.account["id"]
        self.assertCreateRefused({"account_id": acc, "type": "call", "contacts": "con_x"},
                                 "wrong_type", "contacts")
        self.assertCreateRefused({"account_id": acc, "type": "call", "subject": "主" * 201},
                                 "too_long", "subject")
        self.assertCreateRefused({"account_id": acc, "type": "call", "mood": "good"},
                                 "unknown_field", "mood")
        self.assertCreateRefused({"account_id": acc, "type": "call", "updated_at": "x"},
                                 "read_only", "updated_at")

    # -- update and delete --------------------------------------------------------------------

    def test_patch_and_delete(self):
        rec = self.create("activities", {"opportunity_id": self.opp["id"], "type": "demo"})
        url = "/api/v1/activities/" + rec["id"]
        self.assertError(self.patch(url, {"outcome": "演示顺利"}), 428)
        r = self.patch(url, {"outcome": "演示顺利", "done_at": "2026-02-01T14:00:00+08:00"},
                       version=1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["outcome"], "演示顺利")
        self.assertEqual(r.json["done_at"], "2026-02-01T06:00:00Z")
        self.assertEqual(r.json["version"], 2)
        self.assertETag(r, 2)
        self.assertError(self.patch(url, {"outcome": "x"}, version=1), 412)
        self.assertError(self.delete(url, version=1), 412)
        self.assertEqual(self.delete(url, version=2).status, 204)
        self.assertError(self.get(url), 404, "not_found")

    def test_deleting_the_opportunity_keeps_the_activity(self):
        opp = self.make_opportunity(self.account["id"])
        rec = self.create("activities", {"opportunity_id": opp["id"], "type": "call"})
        self.assertEqual(self.delete("/api/v1/opportunities/" + opp["id"], version=1).status,
                         204)
        g = self.get("/api/v1/activities/" + rec["id"])
        self.assertEqual(g.status, 200, g)
        self.assertIsNone(g.json["opportunity_id"])
        self.assertEqual(g.json["account_id"], self.account["id"])

    def test_deleting_a_listed_contact_keeps_the_activity_editable(self):
        """An activity lists the contacts met. Deleting one of them must either
        be refused (409 in_use) or take it off the list; it must not leave a
        dangling id that makes every later PATCH of the activity fail."""
        con = self.make_contact(self.account["id"], name="将被删除的联系人")
        act = self.create("activities", {"account_id": self.account["id"], "type": "visit",
                                         "contacts": [con["id"], self.contact["id"]]})
        r = self.delete("/api/v1/contacts/" + con["id"], version=1)
        url = "/api/v1/activities/" + act["id"]
        if r.status == 409:
            self.assertError(r, 409, "in_use")
            self.assertEqual(self.get(url).json["contacts"], [con["id"], self.contact["id"]])
            return
        self.assertEqual(r.status, 204, r)
        g = self.get(url)
        self.assertEqual(g.json["contacts"], [self.contact["id"]],
                         "the deleted contact is still listed")
        r = self.patch(url, {"outcome": "拜访纪要已补"}, version=g.json["version"])
        self.assertEqual(r.status, 200, r)

    def test_a_contact_is_listed_until_the_list_lets_it_go(self):
        """Whether a contact is named by an activity's list follows every
        change of the list: an edit that drops it, and the activity's
        deletion, free it to be deleted."""
        kept = self.make_contact(self.account["id"], name="留下的联系人")
        dropped = self.make_contact(self.account["id"], name="移出名单的联系人")
        act = self.create("activities", {"account_id": self.account["id"], "type": "visit",
                                         "contacts": [kept["id"], dropped["id"]]})
        url = "/api/v1/activities/" + act["id"]
        self.assertError(self.delete("/api/v1/contacts/" + dropped["id"], version=1), 409,
                         "in_use")
        r = self.patch(url, {"contacts": [kept["id"]]}, version=act["version"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.delete("/api/v1/contacts/" + dropped["id"], version=1).status, 204)
        self.assertError(self.delete("/api/v1/contacts/" + kept["id"], version=1), 409, "in_use")
        self.assertEqual(self.delete(url, version=r.json["version"]).status, 204)
        self.assertEqual(self.delete("/api/v1/contacts/" + kept["id"], version=1).status, 204)

    def test_activity_follows_its_opportunity_to_another_account(self):
        """With an opportunity, the activity's account is the opportunity's.
        When the opportunity moves to another account, the activity must stay
        editable and take the new account."""
        opp = self.make_opportunity(self.account["id"])
        act = self.create("activities", {"opportunity_id": opp["id"], "type": "call"})
        other = self.make_account(name="商机转入的客户")
        r = self.patch("/api/v1/opportunities/" + opp["id"], {"account_id": other["id"]},
                       version=1)
        if r.status >= 400:  # refusing the move is a consistent answer too
            self.assertErrorEnvelope(r)
            return
        url = "/api/v1/activities/" + act["id"]
        g = self.get(url)
        r = self.patch(url, {"outcome": "电话沟通完成"}, version=g.json["version"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["account_id"], other["id"])

    def test_account_with_activities_is_in_use(self):
        acc = self.make_account()
        self.create("activities", {"account_id": acc["id"], "type": "call"})
        self.assertError(self.delete("/api/v1/accounts/" + acc["id"], version=1), 409,
                         "in_use")

    def test_list_filter(self):
        opp = self.make_opportunity(self.account["id"])
        a = self.create("activities", {"opportunity_id": opp["id"], "type": "visit",
                                       "planned_at": "2026-04-01T09:00:00+08:00"})
        b = self.create("activities", {"opportunity_id": opp["id"], "type": "call",
                                       "planned_at": "2026-04-20T09:00:00+08:00"})
        ids = {x["id"] for x in self.list_all("activities", "opportunity_id=" + opp["id"])}
        self.assertEqual(ids, {a["id"], b["id"]})
        ids = [x["id"] for x in
               self.list_all("activities", "opportunity_id=%s&type=call" % opp["id"])]
        self.assertEqual(ids, [b["id"]])
        ids = [x["id"] for x in
               self.list_all("activities", "opportunity_id=%s&planned_at_to=2026-04-10"
                             % opp["id"])]
        self.assertEqual(ids, [a["id"]])


if __name__ == "__main__":
    unittest.main()
