"""The price list (价格表): products written by the admin, read by everyone,
costs shown to managers and admins, to sales and consultants only where the
quotation settings let them, to partners never. Through the real server."""

import json
import os
import tempfile
import unittest

from bingfa_server import ServerTestCase, run_cli


class ProductsTest(ServerTestCase):

    def product(self, **kw):
        body = {"code": self.unique("P"), "name": "财务模块", "kind": "licence_module",
                "unit": "套", "list_price": 12000000, "cost": 3000000}
        body.update(kw)
        return self.create("products", {k: v for k, v in body.items() if v is not None})

    def test_admin_writes_the_price_list_with_decimal_rates(self):
        p = self.product(tax_rate=13, name_en="Finance module")
        self.assertEqual((p["tax_rate"], p["active"], p["decimal_quantity"], p["cost"]),
                         (13, True, False, 3000000))
        day = self.product(kind="service_day", unit="人天", list_price=280000, tax_rate=6,
                           cost=120000)
        self.assertTrue(day["decimal_quantity"], "person-days take decimals by default")
        ratio = self.product(kind="service_ratio", unit="年", ratio=18.5, tax_rate=6,
                             list_price=None)
        self.assertEqual((ratio["ratio"], ratio["list_price"]), (18.5, None))
        # Read back exactly; a rate with two decimals stays exact.
        r = self.patch("/api/v1/products/" + p["id"], {"tax_rate": 9.25}, version=p["version"])
        self.assertEqual((r.status, r.json["tax_rate"]), (200, 9.25), r)
        self.assertEqual(self.get("/api/v1/products/" + p["id"]).json["tax_rate"], 9.25)

    def test_bad_products_name_the_field_and_write_nothing(self):
        code = self.unique("BAD")
        cases = [({"tax_rate": 13.125}, "tax_rate", "too_many_decimals"),
                 ({"tax_rate": 101}, "tax_rate", "out_of_range"),
                 ({"list_price": -1}, "list_price", "negative"),
                 ({"list_price": None}, "list_price", "required"),
                 ({"kind": "service_ratio", "list_price": None}, "ratio", "required"),
                 ({"ratio": 10}, "ratio", "invalid_value"),
                 ({"kind": "software"}, "kind", "invalid_value")]
        for extra, field, code_ in cases:
            with self.subTest(field=field, extra=extra):
                body = {"code": code, "name": "坏产品", "kind": "licence_module", "unit": "套",
                        "list_price": 100}
                body.update(extra)
                body = {k: v for k, v in body.items() if v is not None}
                r = self.post("/api/v1/products", body)
                self.assertEqual(r.status, 422, r)
                self.assertEqual((r.json["error"]["field"], r.json["error"]["code"]),
                                 (field, code_), r)
        self.assertEqual(self.get("/api/v1/products?code=" + code).json["items"], [])
        # The code is unique.
        p = self.product()
        r = self.post("/api/v1/products", {"code": p["code"], "name": "重复", "unit": "套",
                                           "kind": "hardware", "list_price": 1})
        self.assertEqual(r.status, 409, r)

    def test_only_the_admin_writes(self):
        p = self.product()
        for role in ("sales", "manager", "consultant"):
            h = self.server.auth("prod-" + role, role=role)
            self.assertEqual(self.request("POST", "/api/v1/products", headers=h, body={
                "code": self.unique("X"), "name": "x", "kind": "other", "unit": "项",
                "list_price": 1}).status, 403)
            self.assertEqual(self.request("PATCH", "/api/v1/products/" + p["id"], headers=dict(
                h, **{"If-Match": '"%d"' % p["version"]}), body={"name": "y"}).status, 403)

    def test_who_sees_costs(self):
        p = self.product(cost=4321)
        partner = self.create("partners", {"name": self.unique("伙伴")})
        viewers = {"manager": True, "sales": False, "consultant": False, "partner": False,
                   "implementation": False}
        def sees(role):
            kw = {"partner_id": partner["id"]} if role == "partner" else {}
            h = self.server.auth("cost-" + role, role=role, **kw)
            one = self.request("GET", "/api/v1/products/" + p["id"], headers=h)
            self.assertEqual(one.status, 200, one)
            listed = self.request("GET", "/api/v1/products?code=" + p["code"], headers=h)
            price_list = self.request("GET", "/api/v1/price-list", headers=h).json
            item = [i for i in price_list["items"] if i["id"] == p["id"]][0]
            got = {"cost" in one.json, "cost" in listed.json["items"][0], "cost" in item,
                   price_list["cost_shown"]}
            self.assertEqual(len(got), 1, (role, got))
            return got.pop()
        for role, want in viewers.items():
            with self.subTest(role=role):
                self.assertEqual(sees(role), want)
        # The setting lets sales and consultants see costs; never partners.
        rules = self.get("/api/v1/settings/quotations").json
        self.assertEqual(rules, {"sales_see_cost": False, "discount_levels_above": [10, 20]})
        r = self.request("PUT", "/api/v1/settings/quotations",
                         body={"sales_see_cost": True, "discount_levels_above": [10, 20]})
        self.assertEqual(r.status, 200, r)
        try:
            for role, want in dict(viewers, sales=True, consultant=True).items():
                with self.subTest(role=role, setting=True):
                    self.assertEqual(sees(role), want)
        finally:
            self.request("PUT", "/api/v1/settings/quotations",
                         body={"sales_see_cost": False, "discount_levels_above": [10, 20]})
        # A partner cannot even name the cost.
        bad = self.request("PUT", "/api/v1/settings/quotations",
                           body={"discount_levels_above": [20, 10]})
        self.assertEqual((bad.status, bad.json["error"]["field"]),
                         (422, "discount_levels_above[1]"))

    def test_price_list_holds_the_active_products_by_code(self):
        a = self.product(code=self.unique("PL-B"))
        b = self.product(code=self.unique("PL-A"))
        retired = self.product(code=self.unique("PL-C"), active=False)
        items = self.get("/api/v1/price-list").json["items"]
        codes = [i["code"] for i in items]
        self.assertEqual(codes, sorted(codes))
        self.assertIn(a["code"], codes)
        self.assertIn(b["code"], codes)
        self.assertNotIn(retired["code"], codes)

    def test_an_operator_imports_the_price_list(self):
        code = self.unique("IMP")
        lines = [{"resource": "products", "code": code + "-1", "name": "导入的交换机",
                  "kind": "hardware", "unit": "台", "list_price": 680000, "cost": 410000},
                 {"resource": "products", "code": code + "-2", "name": "缺价格",
                  "kind": "hardware", "unit": "台"}]
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False,
                                         encoding="utf-8") as f:
            f.write("\n".join(json.dumps(l, ensure_ascii=False) for l in lines) + "\n")
        try:
            res = run_cli("import", "--db", self.server.db, f.name)
            self.assertNotEqual(res.returncode, 0)
            self.assertIn("line 2, list_price", res.stderr)
            self.assertEqual(self.get("/api/v1/products?code=%s-1" % code).json["items"], [])
            res = run_cli("import", "--db", self.server.db, "--skip-invalid", f.name)
            self.assertEqual(res.returncode, 1, res.stderr)  # a line was left out
            got = self.get("/api/v1/products?code=%s-1" % code).json["items"]
            self.assertEqual([(p["name"], p["cost"]) for p in got], [("导入的交换机", 410000)])
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
