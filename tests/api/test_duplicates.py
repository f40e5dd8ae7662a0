"""Duplicate detection (撞单) on a single create, through the real server:
names typed differently are one customer, the same credit code is one
company, the same deal name on one account is one deal. The create goes
through with a warning; what it tells of a record the caller may not see is
its name and its owner, never its id."""

import unittest
import urllib.parse

from bingfa_server import ServerTestCase


class DuplicatesTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.east = s.post("/api/v1/teams", {"name": "撞单华东"}).json
        cls.west = s.post("/api/v1/teams", {"name": "撞单华西"}).json
        cls.ann = s.auth("撞单甲", role="sales", team_id=cls.east["id"])
        cls.bob = s.auth("撞单乙", role="sales", team_id=cls.west["id"])
        cls.hospital = s.post("/api/v1/accounts", {
            "name": "江南市第一人民医院（撞单）", "credit_code": "91350100m000100y43"},
            headers=cls.ann)
        assert cls.hospital.status == 201, cls.hospital

    def test_credit_code_is_normalised_and_checked(self):
        self.assertEqual(self.hospital.json["credit_code"], "91350100M000100Y43")
        self.assertNotIn("warnings", self.hospital.json)
        r = self.server.post("/api/v1/accounts", {"name": "错码客户",
                                                  "credit_code": "91350100M000100Y44"})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "credit_code"))

    def test_same_name_typed_differently_warns_without_leaking(self):
        s = self.server
        r = s.post("/api/v1/accounts", {"name": " 江南市第一人民医院 (撞单) "},
                   headers=self.bob)
        self.assertEqual(r.status, 201, r)
        [w] = r.json["warnings"]
        self.assertEqual(w["code"], "duplicate_account")
        [m] = w["matches"]
        self.assertEqual((m["why"], m["visible"]), ("name", False))
        self.assertEqual(m["owner"], "撞单甲")
        self.assertNotIn("id", m)  # bob may not see ann's customer
        self.assertNotIn(self.hospital.json["id"], str(r.json))
        self.assertIn("撞单甲", w["text"])
        # The admin sees it, so gets its id.
        r = s.get("/api/v1/duplicates/accounts?name=" +
                  urllib.parse.quote("江南市第一人民医院【撞单】"))
        self.assertEqual(r.status, 200, r)
        m = r.json["warnings"][0]["matches"]  # the oldest first: ann's, then bob's
        self.assertEqual([(x["visible"], x["owner"]) for x in m],
                         [(True, "撞单甲"), (True, "撞单乙")])
        self.assertEqual(m[0]["id"], self.hospital.json["id"])
        # In English on request.
        r = s.get("/api/v1/duplicates/accounts?lang=en&name=" +
                  urllib.parse.quote("江南市第一人民医院(撞单)"), headers=self.bob)
        self.assertTrue(r.json["warnings"][0]["text"].startswith("An account"))

    def test_same_credit_code_and_company_suffix(self):
        s = self.server
        r = s.post("/api/v1/accounts", {"name": "完全不同的名字",
                                        "credit_code": "９１３５０１００Ｍ０００１００Ｙ４３"},
                   headers=self.bob)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["warnings"][0]["matches"][0]["why"], "credit_code")
        a = s.post("/api/v1/accounts", {"name": "杭州云栖撞单科技有限责任公司"}).json
        self.assertNotIn("warnings", a)
        r = s.get("/api/v1/duplicates/accounts?name=" +
                  urllib.parse.quote("杭州云栖撞单科技 有限公司"))
        self.assertEqual(r.json["warnings"][0]["matches"][0]["id"], a["id"])
        r = s.get("/api/v1/duplicates/accounts?name=" + urllib.parse.quote("杭州云栖撞单"))
        self.assertEqual(r.json["warnings"], [])
        r = s.get("/api/v1/duplicates/accounts")
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "name"))

    def test_a_change_that_keeps_the_name_does_not_warn(self):
        s = self.server
        a = s.post("/api/v1/accounts", {"name": "改名撞单客户"}).json
        r = s.patch("/api/v1/accounts/" + a["id"], {"industry": "医疗"}, version=a["version"])
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("warnings", r.json)
        b = s.post("/api/v1/accounts", {"name": "另一个撞单客户"}).json
        r = s.patch("/api/v1/accounts/" + b["id"], {"name": "改名 撞单客户"},
                    version=b["version"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["warnings"][0]["matches"][0]["id"], a["id"])

    def test_same_deal_name_on_one_account(self):
        s = self.server
        acc = self.hospital.json["id"]
        d = s.post("/api/v1/opportunities", {"account_id": acc, "name": "门诊楼无线网络"},
                   headers=self.ann)
        self.assertEqual(d.status, 201, d)
        self.assertNotIn("warnings", d.json)
        r = s.post("/api/v1/opportunities", {"account_id": acc, "name": "门诊楼 无线网络"},
                   headers=self.ann)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["warnings"][0]["code"], "duplicate_deal")
        self.assertEqual(r.json["warnings"][0]["matches"][0]["id"], d.json["id"])
        # Bob may not see the account: the check says so, as if it did not exist.
        r = s.get("/api/v1/duplicates/opportunities?account_id=%s&name=%s" %
                  (acc, urllib.parse.quote("门诊楼无线网络")), headers=self.bob)
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "account_id"))
        other = s.post("/api/v1/accounts", {"name": "撞单另一家医院"}).json
        r = s.post("/api/v1/opportunities", {"account_id": other["id"],
                                             "name": "门诊楼无线网络"})
        self.assertNotIn("warnings", r.json)


if __name__ == "__main__":
    unittest.main()
