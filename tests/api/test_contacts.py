"""Contacts (联系人) and the buying centre: CRUD, validation, reports_to."""

import unittest

from bingfa_server import ServerTestCase


class ContactsTest(ServerTestCase):

    def setUp(self):
        self.account = self.make_account(name="上海浦东国际机场 " + self.unique("acc"))

    def test_create_and_read_round_trip_with_chinese_text(self):
        boss = self.make_contact(self.account["id"], name="刘总", title="信息中心主任",
                                 buying_role="approver", attitude="neutral", influence=5)
        body = {
            "account_id": self.account["id"],
            "name": "陈晓燕",
            "title": "网络科科长",
            "department": "信息中心",
            "reports_to": boss["id"],
            "buying_role": "evaluator",
            "attitude": "supporter",
            "influence": 4,
            "phone": "+86 138 0000 0000",
            "email": "chen.xy@example.cn",
            "personal_win": "希望项目成功后晋升为副主任",
            "notes": "技术出身，重视方案细节。",
        }
        r = self.post("/api/v1/contacts", body)
        self.assertEqual(r.status, 201, r)
        for k, v in body.items():
            self.assertEqual(r.json[k], v, k)
        self.assertTrue(r.json["id"].startswith("con_"))
        self.assertEqual(r.json["version"], 1)
        self.assertETag(r, 1)
        self.assertEqual(r.headers.get("Location"), "/api/v1/contacts/" + r.json["id"])
        g = self.get("/api/v1/contacts/" + r.json["id"])
        self.assertEqual(g.status, 200)
        self.assertEqual(g.json, r.json)
        self.assertETag(g, 1)

    def test_every_buying_role_and_attitude_is_accepted(self):
        for role in ("approver", "decision_maker", "evaluator", "initiator", "coach", "user",
                     "other"):
            c = self.make_contact(self.account["id"], buying_role=role)
            self.assertEqual(c["buying_role"], role)
        for att in ("supporter", "neutral", "opponent"):
            c = self.make_contact(self.account["id"], attitude=att)
            self.assertEqual(c["attitude"], att)

    # -- validation -------------------------------------------------------------------

    def assertCreateRefused(self, body, code, field):
        before = self.count("contacts")
        r = self.post("/api/v1/contacts", body)
        self.assertError(r, 422, code, field)
        self.assertEqual(self.count("contacts"), before, "a refused POST wrote a record")

    def test_required(self):
        self.assertCreateRefused({"name": "无客户"}, "required", "account_id")
        self.assertCreateRefused({"account_id": self.account["id"]}, "required", "name")

    def test_unknown_account(self):
        self.assertCreateRefused({"account_id": "acc_doesnotexist0000", "name": "某人"},
                                 "unknown_reference", "account_id")

    def test_field_errors(self):
        acc = self.account["id"]
        self.assertCreateRefused({"account_id": acc, "name": "甲", "wechat": "x"},
                                 "unknown_field", "wechat")
        self.assertCreateRefused({"account_id": acc, "name": "甲", "influence": "5"},
                                 "wrong_type", "influence")
        self.assertCreateRefused({"account_id": acc, "name": "甲", "influence": 0},
                                 "out_of_range", "influence")
        self.assertCreateRefused({"account_id": acc, "name": "甲", "influence": 6},
                                 "out_of_range", "influence")
        self.assertCreateRefused({"account_id": acc, "name": "甲", "buying_role": "boss"},
                                 "invalid_value", "buying_role")
        self.assertCreateRefused({"account_id": acc, "name": "甲", "attitude": "hostile"},
                                 "invalid_value", "attitude")
        self.assertCreateRefused({"account_id": acc, "name": "名" * 101}, "too_long", "name")
        self.assertCreateRefused({"account_id": acc, "name": "甲", "phone": "1" * 41},
                                 "too_long", "phone")
        self.assertCreateRefused({"account_id": acc, "name": "甲", "created_at": "2020"},
                                 "read_only", "created_at")

    def test_invalid_utf8_names_the_field(self):
        before = self.count("contacts")
        raw = ('{"account_id": "%s", "name": "ok", "title": "\xff"}' % self.account["id"])
        raw = raw.encode("latin-1")  # \xff as a single byte: not UTF-8
        r = self.request("POST", "/api/v1/contacts", raw=raw)
        self.assertError(r, 422, "invalid_utf8", "title")
        self.assertEqual(self.count("contacts"), before)

    # -- reports_to ---------------------------------------------------------------------

    def test_reports_to_must_be_in_the_same_account(self):
        other = self.make_account(name="另一家客户")
        stranger = self.make_contact(other["id"], name="外单位领导")
        self.assertCreateRefused({"account_id": self.account["id"], "name": "甲",
                                  "reports_to": stranger["id"]}, None, "reports_to")

    def test_reports_to_unknown_contact(self):
        self.assertCreateRefused({"account_id": self.account["id"], "name": "甲",
                                  "reports_to": "con_doesnotexist0000"},
                                 "unknown_reference", "reports_to")

    def test_reports_to_in_patch(self):
        boss = self.make_contact(self.account["id"], name="处长")
        me = self.make_contact(self.account["id"], name="科员")
        url = "/api/v1/contacts/" + me["id"]
        r = self.patch(url, {"reports_to": me["id"]}, version=1)
        self.assertError(r, 422, field="reports_to")
        r = self.patch(url, {"reports_to": boss["id"]}, version=1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["reports_to"], boss["id"])
        self.assertEqual(r.json["version"], 2)
        # Moving the contact to another account while reporting to someone
        # here would break the rule.
        other = self.make_account(name="第三家客户")
        r = self.patch(url, {"account_id": other["id"]}, version=2)
        self.assertError(r, 422, field="reports_to")
        self.assertEqual(self.get(url).json["account_id"], self.account["id"])

    # -- concurrency and delete -----------------------------------------------------------

    def test_if_match(self):
        c = self.make_contact(self.account["id"])
        url = "/api/v1/contacts/" + c["id"]
        self.assertError(self.patch(url, {"title": "主任"}), 428)
        r = self.patch(url, {"title": "主任"}, version=1)
        self.assertEqual(r.status, 200, r)
        self.assertETag(r, 2)
        self.assertEqual(r.json["title"], "主任")
        self.assertError(self.patch(url, {"title": "副主任"}, version=1), 412)
        self.assertEqual(self.get(url).json["title"], "主任")
        # weak ETag form is accepted too
        r = self.patch(url, {"title": "副主任"}, headers={"If-Match": 'W/"2"'})
        self.assertEqual(r.status, 200, r)
        self.assertETag(r, 3)

    def test_delete(self):
        c = self.make_contact(self.account["id"])
        url = "/api/v1/contacts/" + c["id"]
        self.assertError(self.delete(url), 428)
        self.assertError(self.delete(url, version=5), 412)
        self.assertEqual(self.delete(url, version=1).status, 204)
        self.assertError(self.get(url), 404, "not_found")

    def test_deleting_a_boss_clears_reports_to(self):
        boss = self.make_contact(self.account["id"], name="老板")
        me = self.make_contact(self.account["id"], name="下属", reports_to=boss["id"])
        self.assertEqual(self.delete("/api/v1/contacts/" + boss["id"], version=1).status, 204)
        g = self.get("/api/v1/contacts/" + me["id"])
        self.assertEqual(g.status, 200)
        self.assertIsNone(g.json["reports_to"])

    def test_list_filter_by_account_and_role(self):
        acc = self.make_account()
        a = self.make_contact(acc["id"], buying_role="coach")
        b = self.make_contact(acc["id"], buying_role="user")
        ids = {x["id"] for x in self.list_all("contacts", "account_id=" + acc["id"])}
        self.assertEqual(ids, {a["id"], b["id"]})
        ids = [x["id"] for x in
               self.list_all("contacts", "account_id=%s&buying_role=coach" % acc["id"])]
        self.assertEqual(ids, [a["id"]])


if __name__ == "__main__":
    unittest.main()
