"""Accounts (客户): CRUD, validation, optimistic concurrency, in_use."""

import re
import unittest

from bingfa_server import ADMIN_NAME, ServerTestCase

ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


class AccountsTest(ServerTestCase):

    def full_account(self):
        return {
            "name": "杭州西湖电子科技有限公司 " + self.unique("acc"),
            "industry": "制造业",
            "region": "华东·浙江",
            "ownership": "private",
            "business_type": "manufacture_sale",
            "employees": 1200,
            "annual_revenue": 350000000000,
            "gross_profit": 42000000000,
            "existing_systems": "用友U8、金蝶云星空",
            "branches": 7,
            "it_landscape": "核心交换机两台（主备），接入层约60台，无线AP 120个",
            "owner_id": self.server.user_id("王磊"),
            "notes": "客户关系良好；明年有机房改造计划。",
        }

    # -- create / read ----------------------------------------------------------

    def test_create_and_read_round_trip_with_chinese_text(self):
        body = self.full_account()
        r = self.post("/api/v1/accounts", body)
        self.assertEqual(r.status, 201, r)
        rec = r.json
        for k, v in body.items():
            self.assertEqual(rec[k], v, k)
        self.assertTrue(rec["id"].startswith("acc_"), rec["id"])
        self.assertEqual(rec["version"], 1)
        self.assertRegex(rec["created_at"], ISO_RE)
        self.assertRegex(rec["updated_at"], ISO_RE)
        self.assertIsNone(rec["parent_id"])
        self.assertETag(r, 1)
        self.assertEqual(r.headers.get("Location"), "/api/v1/accounts/" + rec["id"])
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"))

        g = self.get(r.headers["Location"])
        self.assertEqual(g.status, 200, g)
        self.assertEqual(g.json, rec)
        self.assertETag(g, 1)

    def test_minimal_account_has_nulls(self):
        rec = self.make_account(name="最小客户")
        for k in ("industry", "region", "ownership", "business_type", "employees",
                  "annual_revenue", "gross_profit", "existing_systems", "branches",
                  "it_landscape", "parent_id", "notes"):
            self.assertIn(k, rec)
            self.assertIsNone(rec[k], k)
        # The owner defaults to whoever created the account.
        self.assertEqual(rec["owner"], ADMIN_NAME)

    def test_name_length_counts_characters_not_bytes(self):
        # 200 Chinese characters are 600 bytes of UTF-8 and still fit.
        r = self.post("/api/v1/accounts", {"name": "客" * 200})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["name"], "客" * 200)
        r = self.post("/api/v1/accounts", {"name": "客" * 201})
        self.assertError(r, 422, "too_long", "name")

    def test_parent_account(self):
        parent = self.make_account(name="集团总部")
        child = self.make_account(name="集团华南分公司", parent_id=parent["id"])
        self.assertEqual(child["parent_id"], parent["id"])
        self.assertEqual(self.get("/api/v1/accounts/" + child["id"]).json["parent_id"],
                         parent["id"])
        # The parent is in use while the child refers to it.
        r = self.delete("/api/v1/accounts/" + parent["id"], version=1)
        self.assertEqual(r.status, 409, r)
        # An account cannot be its own parent.
        r = self.patch("/api/v1/accounts/" + child["id"], {"parent_id": child["id"]}, version=1)
        self.assertError(r, 422, field="parent_id")
        self.assertEqual(self.get("/api/v1/accounts/" + child["id"]).json["version"], 1)

    # -- validation ----------------------------------------------------------------

    def assertCreateRefused(self, body, code, field):
        before = self.count("accounts")
        r = self.post("/api/v1/accounts", body)
        self.assertError(r, 422, code, field)
        self.assertEqual(self.count("accounts"), before, "a refused POST wrote a record")

    def test_unknown_field(self):
        self.assertCreateRefused({"name": "甲", "colour": "red"}, "unknown_field", "colour")

    def test_required_name(self):
        self.assertCreateRefused({"industry": "金融"}, "required", "name")
        self.assertCreateRefused({"name": None}, "required", "name")
        self.assertCreateRefused({"name": ""}, "required", "name")

    def test_wrong_types(self):
        self.assertCreateRefused({"name": 42}, "wrong_type", "name")
        self.assertCreateRefused({"name": "甲", "employees": "1200"}, "wrong_type", "employees")
        self.assertCreateRefused({"name": "甲", "employees": 12.5}, "wrong_type", "employees")
        self.assertCreateRefused({"name": "甲", "annual_revenue": True}, "wrong_type",
                                 "annual_revenue")
        self.assertCreateRefused({"name": "甲", "notes": ["a"]}, "wrong_type", "notes")

    def test_too_long(self):
        self.assertCreateRefused({"name": "甲", "industry": "业" * 101}, "too_long", "industry")
        self.assertCreateRefused({"name": "x" * 201}, "too_long", "name")

    def test_negative_money(self):
        self.assertCreateRefused({"name": "甲", "annual_revenue": -1}, "negative",
                                 "annual_revenue")
        self.assertCreateRefused({"name": "甲", "gross_profit": -100}, "negative", "gross_profit")

    def test_out_of_range(self):
        self.assertCreateRefused({"name": "甲", "employees": -1}, "out_of_range", "employees")
        self.assertCreateRefused({"name": "甲", "employees": 10000001}, "out_of_range",
                                 "employees")
        self.assertCreateRefused({"name": "甲", "annual_revenue": 10 ** 15 + 1}, "out_of_range",
                                 "annual_revenue")

    def test_integer_beyond_64_bits(self):
        before = self.count("accounts")
        r = self.request("POST", "/api/v1/accounts",
                         raw=b'{"name": "\xe7\x94\xb2", "employees": 99999999999999999999999}')
        self.assertError(r, 422, "out_of_range", "employees")
        self.assertEqual(self.count("accounts"), before)

    def test_invalid_utf8(self):
        before = self.count("accounts")
        r = self.request("POST", "/api/v1/accounts",
                         raw=b'{"industry": "ok", "region": "\xe5\x8d\x8e\xff\xfe"}')
        self.assertError(r, 422, "invalid_utf8", "region")
        self.assertEqual(self.count("accounts"), before)

    def test_invalid_enum(self):
        self.assertCreateRefused({"name": "甲", "ownership": "public"}, "invalid_value",
                                 "ownership")
        self.assertCreateRefused({"name": "甲", "business_type": "retail"}, "invalid_value",
                                 "business_type")

    def test_unknown_reference(self):
        self.assertCreateRefused({"name": "甲", "parent_id": "acc_doesnotexist0000"},
                                 "unknown_reference", "parent_id")

    def test_read_only_fields(self):
        for key, value in (("id", "acc_mine0001"), ("version", 3),
                           ("created_at", "2020-01-01T00:00:00Z"),
                           ("updated_at", "2020-01-01T00:00:00Z")):
            with self.subTest(key=key):
                self.assertCreateRefused({"name": "甲", key: value}, "read_only", key)

    # -- update ----------------------------------------------------------------------

    def test_patch_requires_if_match(self):
        rec = self.make_account()
        r = self.patch("/api/v1/accounts/" + rec["id"], {"region": "华北"})
        self.assertError(r, 428)
        self.assertEqual(self.get("/api/v1/accounts/" + rec["id"]).json["region"], None)

    def test_patch_bumps_version_and_etag(self):
        rec = self.make_account(region="华南")
        url = "/api/v1/accounts/" + rec["id"]
        r = self.patch(url, {"region": "西南", "employees": 88}, version=1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["version"], 2)
        self.assertETag(r, 2)
        self.assertEqual(r.json["region"], "西南")
        self.assertEqual(r.json["employees"], 88)
        self.assertEqual(r.json["name"], rec["name"], "PATCH changed an untouched field")
        self.assertEqual(r.json["created_at"], rec["created_at"])
        self.assertGreaterEqual(r.json["updated_at"], rec["updated_at"])
        g = self.get(url)
        self.assertEqual(g.json, r.json)
        self.assertETag(g, 2)
        # null clears an optional field
        r = self.patch(url, {"employees": None}, version=2)
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json["employees"])
        self.assertEqual(r.json["version"], 3)

    def test_patch_with_stale_version_is_412_and_changes_nothing(self):
        rec = self.make_account(region="华东")
        url = "/api/v1/accounts/" + rec["id"]
        self.assertEqual(self.patch(url, {"region": "华中"}, version=1).status, 200)
        r = self.patch(url, {"region": "东北"}, version=1)
        self.assertError(r, 412)
        g = self.get(url)
        self.assertEqual(g.json["region"], "华中")
        self.assertEqual(g.json["version"], 2)

    def test_patch_validation_changes_nothing(self):
        rec = self.make_account()
        url = "/api/v1/accounts/" + rec["id"]
        r = self.patch(url, {"employees": -5}, version=1)
        self.assertError(r, 422, "out_of_range", "employees")
        r = self.patch(url, {"name": None}, version=1)
        self.assertError(r, 422, "required", "name")
        r = self.patch(url, {"version": 2}, version=1)
        self.assertError(r, 422, "read_only", "version")
        g = self.get(url)
        self.assertEqual(g.json, rec)

    def test_patch_missing_record_is_404(self):
        r = self.patch("/api/v1/accounts/acc_doesnotexist0000", {"region": "x"}, version=1)
        self.assertError(r, 404, "not_found")

    # -- delete ------------------------------------------------------------------------

    def test_delete(self):
        rec = self.make_account()
        url = "/api/v1/accounts/" + rec["id"]
        self.assertError(self.delete(url), 428)
        self.assertError(self.delete(url, version=2), 412)
        self.assertEqual(self.get(url).status, 200)
        r = self.delete(url, version=1)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.raw, b"")
        self.assertError(self.get(url), 404, "not_found")
        self.assertError(self.delete(url, version=1), 404, "not_found")

    def test_delete_account_with_contacts_is_409_in_use(self):
        acc = self.make_account()
        self.make_contact(acc["id"])
        r = self.delete("/api/v1/accounts/" + acc["id"], version=1)
        self.assertError(r, 409, "in_use")
        self.assertEqual(self.get("/api/v1/accounts/" + acc["id"]).status, 200)

    def test_delete_account_with_opportunities_is_409_in_use(self):
        acc = self.make_account()
        self.make_opportunity(acc["id"])
        r = self.delete("/api/v1/accounts/" + acc["id"], version=1)
        self.assertError(r, 409, "in_use")
        self.assertEqual(self.get("/api/v1/accounts/" + acc["id"]).status, 200)

    def test_delete_account_after_its_records_are_gone(self):
        acc = self.make_account()
        con = self.make_contact(acc["id"])
        self.assertEqual(self.delete("/api/v1/contacts/" + con["id"], version=1).status, 204)
        self.assertEqual(self.delete("/api/v1/accounts/" + acc["id"], version=1).status, 204)

    # -- list -----------------------------------------------------------------------------

    def test_list_filters_and_search(self):
        owner = self.unique("owner")
        uid = self.server.user_id(owner)
        a = self.make_account(name="南京钢铁集团 " + owner, owner_id=uid, ownership="state_owned")
        b = self.make_account(name="苏州外资电子 " + owner, owner_id=uid, ownership="foreign")
        items = self.list_all("accounts", "owner=" + owner)
        self.assertEqual({x["id"] for x in items}, {a["id"], b["id"]})
        items = self.list_all("accounts", "owner=%s&ownership=foreign" % owner)
        self.assertEqual([x["id"] for x in items], [b["id"]])
        items = self.list_all("accounts", "q=%E5%8D%97%E4%BA%AC%E9%92%A2%E9%93%81")  # 南京钢铁
        self.assertIn(a["id"], [x["id"] for x in items])
        self.assertNotIn(b["id"], [x["id"] for x in items])
        r = self.get("/api/v1/accounts?ownership=public")
        self.assertError(r, 422, field="ownership")


if __name__ == "__main__":
    unittest.main()
