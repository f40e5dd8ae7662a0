"""Quotations (报价单): the arithmetic against figures computed by hand and
by an independent computation, revisions and frozen versions, the discount
approval by levels of managers, who sees cost and margin, the primary
quotation setting the deal's amount, expiry, and the printable document.
Through the real server."""

import datetime
import io
import unittest
import zipfile
from fractions import Fraction

from bingfa_server import ServerTestCase


def half_up(x):
    """Rounds a non-negative Fraction half up to an integer."""
    return int(x + Fraction(1, 2))


def expected(lines, whole):
    """The quotation rule of docs/quotations.md, written again with
    fractions: [(net, tax, gross)] and the totals."""
    licence = sum(half_up(Fraction(l["q"]) * l["p"] * (1 - Fraction(l["d"]) / 100))
                  for l in lines if l["kind"].startswith("licence"))
    out = []
    for l in lines:
        price = half_up(licence * Fraction(l["r"]) / 100) if l["kind"] == "service_ratio" \
            else l["p"]
        net = half_up(Fraction(l["q"]) * price * (1 - Fraction(l["d"]) / 100) *
                      (1 - Fraction(whole) / 100))
        tax = half_up(net * Fraction(l["t"]) / 100)
        out.append((half_up(Fraction(l["q"]) * price), net, tax, net + tax))
    return out


class QuotationTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        def product(**kw):
            r = s.post("/api/v1/products", kw)
            if r.status != 201:
                raise RuntimeError(r)
            return r.json
        cls.fin = product(code="Q-FIN", name="财务模块", name_en="Finance", kind="licence_module",
                          unit="套", unit_en="set", list_price=12000000, cost=3000000)
        cls.hr = product(code="Q-HR", name="人力模块", kind="licence_module", unit="套",
                         list_price=8000000, cost=2000000)
        cls.day = product(code="Q-DAY", name="实施服务", kind="service_day", unit="人天",
                          list_price=280000, tax_rate=6, cost=120000)
        cls.mnt = product(code="Q-MNT", name="年度维护", kind="service_ratio", unit="年", ratio=18,
                          tax_rate=6)
        cls.old = product(code="Q-OLD", name="旧版模块", kind="licence_module", unit="套",
                          list_price=100, active=False)
        # A director's team above a sales team: 总监 manages the top, 经理 the
        # sales team, where 销售甲 sells.
        top = s.post("/api/v1/teams", {"name": "华东大区"}).json
        team = s.post("/api/v1/teams", {"name": "华东销售一部", "parent_id": top["id"]}).json
        s.make_user("q总监", role="manager", team_id=top["id"])
        s.make_user("q经理", role="manager", team_id=team["id"])
        s.make_user("q销售", role="sales", team_id=team["id"])
        cls.director = s.auth("q总监")
        cls.manager = s.auth("q经理")
        cls.sales = s.auth("q销售")
        cls.sales_id = s._users_named("q销售")["id"]
        cls.acc = s.post("/api/v1/accounts", {"name": "报价客户 <华东>", "owner_id": cls.sales_id},
                         headers=cls.sales).json

    def deal(self):
        r = self.post("/api/v1/opportunities", {"account_id": self.acc["id"],
                                                "name": self.unique("报价商机"),
                                                "owner_id": self.sales_id}, headers=self.sales)
        self.assertEqual(r.status, 201, r)
        return r.json

    def quote(self, deal, body, headers=None, status=201):
        r = self.post("/api/v1/opportunities/%s/quotations" % deal["id"], body,
                      headers=headers or self.sales)
        self.assertEqual(r.status, status, r)
        return r.json

    def act(self, q, what, body=None, headers=None, status=200):
        h = dict(headers or self.sales, **{"If-Match": '"%d"' % q["version"]})
        r = self.request("POST", "/api/v1/quotations/%s/%s" % (q["id"], what), body=body,
                         headers=h)
        self.assertEqual(r.status, status, r)
        return r.json

    # -- the arithmetic --------------------------------------------------------------------

    def test_figures_match_the_hand_computation(self):
        q = self.quote(self.deal(), {"discount": 5, "lines": [
            {"product_id": self.fin["id"], "quantity": 2, "discount": 10},
            {"product_id": self.hr["id"], "quantity": 1, "discount": 12.5},
            {"product_id": self.day["id"], "quantity": 12.5},
            {"product_id": self.mnt["id"], "quantity": 1},
            {"name": "差旅费", "unit": "项", "unit_price": 123456, "quantity": 0.33,
             "tax_rate": 6}]})
        # By hand: the licence value L = 2 x 120,000 x 0.9 + 80,000 x 0.875
        #   = 216,000 + 70,000 = 286,000.00 yuan; maintenance 18 % of it
        #   = 51,480.00 a year. Finance: 240,000 x 0.9 x 0.95 = 205,200.00 net,
        #   13 % tax 26,676.00, gross 231,876.00.
        lines = q["lines"]
        self.assertEqual(lines[3]["unit_price"], 5148000)
        self.assertEqual((lines[0]["list_amount"], lines[0]["net"], lines[0]["tax"],
                          lines[0]["gross"]), (24000000, 20520000, 2667600, 23187600))
        # Travel: 0.33 x 1,234.56 = 407.4048 -> 407.40 list; x 0.95 =
        # 387.03456 -> 387.03 net; 6 % = 23.2218 -> 23.22.
        self.assertEqual((lines[4]["list_amount"], lines[4]["net"], lines[4]["tax"]),
                         (40740, 38703, 2322))
        want = expected([
            {"kind": "licence_module", "q": 2, "p": 12000000, "d": 10, "t": 13, "r": 0},
            {"kind": "licence_module", "q": 1, "p": 8000000, "d": Fraction(25, 2), "t": 13, "r": 0},
            {"kind": "service_day", "q": Fraction(25, 2), "p": 280000, "d": 0, "t": 6, "r": 0},
            {"kind": "service_ratio", "q": 1, "p": 0, "d": 0, "t": 6, "r": 18},
            {"kind": "other", "q": Fraction(33, 100), "p": 123456, "d": 0, "t": 6, "r": 0}], 5)
        self.assertEqual([(l["list_amount"], l["net"], l["tax"], l["gross"]) for l in lines], want)
        t = q["totals"]
        self.assertEqual(t["net"], sum(w[1] for w in want))
        self.assertEqual(t["tax"], sum(w[2] for w in want))
        self.assertEqual(t["gross"], t["net"] + t["tax"])
        self.assertEqual(t["discount_amount"], t["list_amount"] - t["net"])
        self.assertTrue(q["amount_in_words"].startswith("人民币") and
                        q["amount_in_words"].endswith(("分", "整")), q["amount_in_words"])
        # The same body previewed gives the same figures, writing nothing.
        before = self.get("/api/v1/opportunities/%s/quotations" % q["opportunity_id"],
                          headers=self.sales).json["items"]
        body = {"discount": 5, "lines": [{"product_id": self.fin["id"], "quantity": 2,
                                          "discount": 10}]}
        p = self.post("/api/v1/quotation-preview", body, headers=self.sales)
        self.assertEqual((p.status, p.json["lines"][0]["net"]), (200, 20520000), p)
        after = self.get("/api/v1/opportunities/%s/quotations" % q["opportunity_id"],
                         headers=self.sales).json["items"]
        self.assertEqual(len(before), len(after))

    def test_half_a_fen_rounds_up_and_capital_numerals(self):
        # 0.5 x 0.01 yuan = half a fen -> 1 fen; 0.49 ... -> 0.
        q = self.quote(self.deal(), {"lines": [
            {"name": "半分", "unit_price": 1, "quantity": 0.5, "tax_rate": 0},
            {"name": "不足半分", "unit_price": 1, "quantity": 0.49, "tax_rate": 0},
            {"name": "整数", "unit_price": 100000000, "quantity": 1, "tax_rate": 0}]})
        self.assertEqual([l["net"] for l in q["lines"]], [1, 0, 100000000])
        # 1,000,000.01 yuan.
        self.assertEqual(q["amount_in_words"], "人民币壹佰万元零壹分")

    def test_totals_near_ten_trillion_fen_and_beyond(self):
        q = self.quote(self.deal(), {"lines": [
            {"name": "大型项目", "unit_price": 10 ** 13, "quantity": 1, "tax_rate": 13},
            {"name": "大型项目二", "unit_price": 10 ** 13 - 1, "quantity": 1, "tax_rate": 0}]})
        self.assertEqual(q["totals"]["net"], 2 * 10 ** 13 - 1)
        self.assertEqual(q["totals"]["gross"], 2 * 10 ** 13 - 1 + 13 * 10 ** 11)
        # Beyond the largest figure: refused naming the line, nothing written.
        deal = self.deal()
        r = self.post("/api/v1/opportunities/%s/quotations" % deal["id"], {"lines": [
            {"name": "溢出", "unit_price": 10 ** 15, "quantity": 1000000}]}, headers=self.sales)
        self.assertEqual((r.status, r.json["error"]["field"], r.json["error"]["code"]),
                         (422, "lines[0].quantity", "too_large"), r)
        self.assertEqual(self.get("/api/v1/opportunities/%s/quotations" % deal["id"],
                                  headers=self.sales).json["items"], [])

    def test_bad_input_names_the_field_and_writes_nothing(self):
        deal = self.deal()
        cases = [
            ({"lines": [{"name": "x", "unit_price": 1, "quantity": -1}]},
             "lines[0].quantity", "out_of_range"),
            ({"lines": [{"name": "x", "unit_price": 1, "quantity": 0}]},
             "lines[0].quantity", "out_of_range"),
            ({"lines": [{"name": "x", "unit_price": -5, "quantity": 1}]},
             "lines[0].unit_price", "negative"),
            ({"lines": [{"name": "x", "unit_price": 1, "quantity": 1, "discount": 101}]},
             "lines[0].discount", "out_of_range"),
            ({"discount": 100.5, "lines": []}, "discount", "out_of_range"),
            ({"lines": [{"name": "x", "unit_price": 1, "quantity": 1.005}]},
             "lines[0].quantity", "too_many_decimals"),
            ({"lines": [{"product_id": self.old["id"], "quantity": 1}]},
             "lines[0].product_id", "retired"),
            ({"lines": [{"product_id": "prd_nosuch", "quantity": 1}]},
             "lines[0].product_id", "unknown_reference"),
            ({"lines": [{"product_id": self.fin["id"], "quantity": 1.5}]},
             "lines[0].quantity", "whole_units"),
            ({"lines": [{"unit_price": 1, "quantity": 1}]}, "lines[0].name", "required"),
            ({"lines": [{"name": "x", "quantity": 1}]}, "lines[0].unit_price", "required"),
        ]
        for body, field, code in cases:
            with self.subTest(field=field, code=code):
                r = self.post("/api/v1/opportunities/%s/quotations" % deal["id"], body,
                              headers=self.sales)
                self.assertEqual((r.status, r.json["error"]["field"], r.json["error"]["code"]),
                                 (422, field, code), r)
        self.assertEqual(self.get("/api/v1/opportunities/%s/quotations" % deal["id"],
                                  headers=self.sales).json["items"], [])

    # -- versions and states ----------------------------------------------------------------

    def test_revisions_copy_and_sent_versions_are_frozen(self):
        deal = self.deal()
        q = self.quote(deal, {"title": "第一版", "lines": [
            {"product_id": self.fin["id"], "quantity": 1, "discount": 5}]})
        url = "/api/v1/quotations/" + q["id"]
        # Edit the draft (If-Match required and checked).
        body = {"title": "第一版", "lines": [{"product_id": self.fin["id"], "quantity": 2,
                                            "discount": 5}]}
        self.assertEqual(self.request("PUT", url, body=body, headers=self.sales).status, 428)
        stale = self.request("PUT", url, body=body,
                             headers=dict(self.sales, **{"If-Match": '"99"'}))
        self.assertEqual(stale.status, 412, stale)
        r = self.request("PUT", url, body=body,
                         headers=dict(self.sales, **{"If-Match": '"%d"' % q["version"]}))
        self.assertEqual((r.status, r.json["lines"][0]["quantity"]), (200, 2), r)
        q = r.json
        q = self.act(q, "submit")
        self.assertEqual(q["status"], "approved")  # 5 %: within the salesperson's limit
        q = self.act(q, "status", {"status": "sent"})
        self.assertEqual(q["status"], "sent")
        self.assertTrue(q["sent_at"].endswith("Z"))
        frozen = self.request("PUT", url, body=body,
                              headers=dict(self.sales, **{"If-Match": '"%d"' % q["version"]}))
        self.assertEqual((frozen.status, frozen.json["error"]["code"]), (409, "frozen"), frozen)
        gone = self.request("DELETE", url, headers=dict(self.sales,
                                                        **{"If-Match": '"%d"' % q["version"]}))
        self.assertEqual(gone.status, 409, gone)
        # A new revision copies the sent one into a draft of the same number.
        r = self.request("POST", url + "/revisions", headers=self.sales)
        self.assertEqual(r.status, 201, r)
        rev = r.json
        self.assertEqual((rev["number"], rev["revision"], rev["status"], rev["title"]),
                         (q["number"], 2, "draft", "第一版"))
        self.assertEqual(rev["lines"], q["lines"])
        self.assertEqual(self.get(url, headers=self.sales).json["status"], "sent")
        items = self.get("/api/v1/opportunities/%s/quotations" % deal["id"],
                         headers=self.sales).json["items"]
        self.assertEqual([(i["number"], i["revision"]) for i in items],
                         [(q["number"], 2), (q["number"], 1)])
        # Accepted from sent; not twice.
        q = self.act(q, "status", {"status": "accepted"})
        self.assertEqual(q["status"], "accepted")
        self.act(q, "status", {"status": "rejected"}, status=409)
        # A draft is deleted.
        r = self.request("DELETE", "/api/v1/quotations/" + rev["id"],
                         headers=dict(self.sales, **{"If-Match": '"%d"' % rev["version"]}))
        self.assertEqual(r.status, 204, r)

    def test_a_sent_quotation_past_its_date_expires(self):
        yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
        q = self.quote(self.deal(), {"valid_until": yesterday, "lines": [
            {"product_id": self.hr["id"], "quantity": 1}]})
        q = self.act(self.act(q, "submit"), "status", {"status": "sent"})
        self.assertEqual(q["status"], "expired")
        r = self.request("POST", "/api/v1/quotations/%s/status" % q["id"],
                         body={"status": "accepted"},
                         headers=dict(self.sales, **{"If-Match": '"%d"' % q["version"]}))
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "expired"), r)

    # -- the discount's approval ------------------------------------------------------------

    def inbox(self, who):
        return [a for a in self.get("/api/v1/approvals?box=inbox", headers=who).json["items"]
                if a["kind"] == "discount"]

    def test_discount_levels_by_role(self):
        deal = self.deal()
        # Above 10 %: the salesperson's manager.
        q = self.quote(deal, {"lines": [{"product_id": self.fin["id"], "quantity": 1,
                                         "discount": 15}]})
        self.assertEqual(q["approval_levels"], 1)
        q = self.act(q, "submit")
        self.assertEqual(q["status"], "submitted")
        mine = [a for a in self.inbox(self.manager) if a["ask"]["quotation_id"] == q["id"]]
        self.assertEqual(len(mine), 1)
        a = mine[0]
        # The approver sees the margin: (120,000 x 0.85 - 30,000) / 102,000.
        self.assertEqual((a["ask"]["discount"], a["ask"]["net"], a["ask"]["margin"]),
                         (15, 10200000, 7200000))
        self.assertAlmostEqual(a["ask"]["margin_rate"], 70.59)
        # The requester does not.
        own = self.get("/api/v1/approvals/" + a["id"], headers=self.sales).json
        self.assertNotIn("margin", own["ask"])
        self.assertNotIn("cost", own["ask"])
        # Not the salesperson's to decide; the manager approves.
        self.assertEqual(self.request("POST", "/api/v1/approvals/%s/approve" % a["id"],
                                      headers=self.sales).status, 403)
        r = self.request("POST", "/api/v1/approvals/%s/approve" % a["id"], headers=self.manager)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.get("/api/v1/quotations/" + q["id"], headers=self.sales)
                         .json["status"], "approved")
        # Above 20 %: the manager, then the director.
        q2 = self.quote(deal, {"lines": [{"product_id": self.fin["id"], "quantity": 1,
                                          "discount": 25}]})
        q2 = self.act(q2, "submit")
        a2 = [a for a in self.inbox(self.manager) if a["ask"]["quotation_id"] == q2["id"]][0]
        self.assertEqual(a2["levels"], 2)
        self.request("POST", "/api/v1/approvals/%s/approve" % a2["id"], headers=self.manager)
        self.assertEqual(self.get("/api/v1/quotations/" + q2["id"], headers=self.sales)
                         .json["status"], "submitted")
        self.assertIn(a2["id"], [a["id"] for a in self.inbox(self.director)])
        r = self.request("POST", "/api/v1/approvals/%s/approve" % a2["id"], headers=self.director)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.get("/api/v1/quotations/" + q2["id"], headers=self.sales)
                         .json["status"], "approved")
        # Rejected: back to draft, to be changed.
        q3 = self.act(self.quote(deal, {"lines": [{"product_id": self.hr["id"], "quantity": 1,
                                                   "discount": 18}]}), "submit")
        a3 = [a for a in self.inbox(self.manager) if a["ask"]["quotation_id"] == q3["id"]][0]
        r = self.request("POST", "/api/v1/approvals/%s/reject" % a3["id"],
                         body={"comment": "折扣太大"}, headers=self.manager)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.get("/api/v1/quotations/" + q3["id"], headers=self.sales)
                         .json["status"], "draft")

    # -- who sees what ----------------------------------------------------------------------

    def test_costs_and_margins_only_for_who_sees_costs(self):
        q = self.quote(self.deal(), {"lines": [{"product_id": self.fin["id"], "quantity": 1}]})
        url = "/api/v1/quotations/" + q["id"]
        as_sales = self.get(url, headers=self.sales).json
        self.assertFalse(as_sales["cost_shown"])
        self.assertNotIn("margin", as_sales["totals"])
        self.assertNotIn("cost", as_sales["lines"][0])
        as_manager = self.get(url, headers=self.manager).json
        self.assertTrue(as_manager["cost_shown"])
        self.assertEqual((as_manager["totals"]["cost"], as_manager["totals"]["margin"],
                          as_manager["lines"][0]["unit_cost"]), (3000000, 9000000, 3000000))
        self.assertEqual(as_manager["totals"]["margin_rate"], 75)
        # A partner registered on the deal reads it without costs, and cannot write.
        partner = self.post("/api/v1/partners", {"name": self.unique("报价伙伴")}).json
        ph = self.server.auth(self.unique("伙伴用户"), role="partner", partner_id=partner["id"])
        r = self.request("PUT", "/api/v1/opportunities/%s/partners/%s" %
                         (q["opportunity_id"], partner["id"]))
        self.assertIn(r.status, (200, 201, 204), r)
        seen = self.get(url, headers=ph)
        self.assertEqual(seen.status, 200, seen)
        self.assertNotIn("margin", seen.json["totals"])
        self.assertNotIn("unit_cost", seen.json["lines"][0])
        self.assertEqual(self.request("POST", "/api/v1/opportunities/%s/quotations" %
                                      q["opportunity_id"], body={"lines": []},
                                      headers=ph).status, 403)
        # Someone who does not see the deal does not see its quotations.
        stranger = self.server.auth(self.unique("外人"), role="sales", team_id=None)
        self.assertEqual(self.get(url, headers=stranger).status, 404)
        self.assertEqual(self.request("GET", url + "/document", headers=stranger).status, 404)

    # -- the deal's amount and the document ---------------------------------------------------

    def test_primary_quotation_sets_the_deal_amount(self):
        deal = self.deal()
        q = self.act(self.quote(deal, {"lines": [{"product_id": self.hr["id"], "quantity": 2}]}),
                     "submit")
        draft = self.quote(deal, {"lines": []})
        r = self.post("/api/v1/quotations/%s/primary" % draft["id"], {"update_amount": True},
                      headers=self.sales)
        self.assertEqual(r.status, 409, r)
        r = self.post("/api/v1/quotations/%s/primary" % q["id"], {"update_amount": True},
                      headers=self.sales)
        self.assertEqual((r.status, r.json["primary"]), (200, True), r)
        got = self.get("/api/v1/opportunities/" + deal["id"], headers=self.sales).json
        self.assertEqual(got["amount"], q["totals"]["gross"])
        self.assertEqual(got["amount"], 2 * 8000000 * 113 // 100)
        audit = self.get("/api/v1/audit?record_id=" + deal["id"]).json["items"]
        changed = [e for e in audit if e["action"] == "update" and
                   (e.get("new") or {}).get("amount") == q["totals"]["gross"]]
        self.assertEqual(len(changed), 1, audit[:4])
        # One primary a deal.
        q2 = self.act(self.quote(deal, {"lines": [{"product_id": self.hr["id"],
                                                   "quantity": 1}]}), "submit")
        self.post("/api/v1/quotations/%s/primary" % q2["id"], {}, headers=self.sales)
        items = self.get("/api/v1/opportunities/%s/quotations" % deal["id"],
                         headers=self.sales).json["items"]
        self.assertEqual([i["id"] for i in items if i["primary"]], [q2["id"]])

    def test_document_escapes_what_users_typed(self):
        q = self.quote(self.deal(), {
            "title": "<b>报价</b>", "payment_terms": "合同签订后 30% \"首付款\" & 验收",
            "lines": [{"name": "<script>alert(1)</script>", "unit_price": 100000,
                       "quantity": 1, "description": "<img src=x onerror=alert(1)>"}]})
        r = self.request("GET", "/api/v1/quotations/%s/document" % q["id"], headers=self.sales)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
        html = r.raw.decode("utf-8") if isinstance(r.raw, bytes) else r.raw
        self.assertNotIn("<script>", html)
        self.assertNotIn("<img", html)
        self.assertNotIn("<b>报价", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertIn("报价客户 &lt;华东&gt;", html)
        self.assertIn("&quot;首付款&quot; &amp; 验收", html)
        self.assertIn(q["amount_in_words"], html)
        self.assertIn("1,130.00", html)  # 1,000.00 + 13 % tax
        en = self.request("GET", "/api/v1/quotations/%s/document?lang=en" % q["id"],
                          headers=self.sales)
        self.assertIn("Quotation", en.raw.decode("utf-8"))


    def test_the_quotation_as_an_excel_workbook(self):
        q = self.quote(self.deal(), {"payment_terms": "=HYPERLINK(\"http://x\")", "lines": [
            {"product_id": self.fin["id"], "quantity": 2, "discount": 10},
            {"name": "=1+1", "unit_price": 123456, "quantity": 0.5, "tax_rate": 6}]})
        r = self.request("GET", "/api/v1/quotations/%s/spreadsheet" % q["id"], headers=self.sales)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["Content-Type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn('filename="%s.xlsx"' % q["number"], r.headers["Content-Disposition"])
        book = zipfile.ZipFile(io.BytesIO(r.raw))
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
        self.assertIn("财务模块", strings)
        self.assertIn(q["amount_in_words"], strings)
        self.assertIn("=1+1", strings)  # typed text stays text
        self.assertNotIn("<f>", sheet)  # no formula anywhere
        # 2 x 120,000.00 at 10 % off: 216,000.00 net; the figures are numbers.
        self.assertIn("<v>216000</v>", sheet)
        self.assertIn("<v>120000</v>", sheet)
        self.assertEqual(self.request("GET", "/api/v1/quotations/%s/spreadsheet" % q["id"],
                                      headers=self.server.auth(self.unique("外人"), role="sales",
                                                               team_id=None)).status, 404)


class ContractTest(ServerTestCase):
    """Contracts from accepted quotations and their payment plans; the
    closing stage's first payment and the archived contract derived from
    them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acc = cls.server.post("/api/v1/accounts", {"name": "合同客户 <乙>"}).json

    def accepted(self, playbook="uss-5", price=10000000, valid_until=None):
        deal = self.create("opportunities", {"account_id": self.acc["id"], "playbook": playbook,
                                             "name": self.unique("合同商机")})
        body = {"lines": [{"name": "软件许可", "unit_price": price, "quantity": 1}]}
        q = self.create("opportunities/%s/quotations" % deal["id"], body)
        for what, b in (("submit", None), ("status", {"status": "sent"}),
                        ("status", {"status": "accepted"})):
            r = self.request("POST", "/api/v1/quotations/%s/%s" % (q["id"], what), body=b,
                             headers={"If-Match": '"%d"' % q["version"]})
            self.assertEqual(r.status, 200, r)
            q = r.json
        return deal, q

    def put(self, c, body, status=200):
        r = self.request("PUT", "/api/v1/contracts/" + c["id"], body=body,
                         headers={"If-Match": '"%d"' % c["version"]})
        self.assertEqual(r.status, status, r)
        return r.json

    def test_contract_from_an_accepted_quotation(self):
        deal = self.create("opportunities", {"account_id": self.acc["id"],
                                             "name": self.unique("合同商机")})
        q = self.create("opportunities/%s/quotations" % deal["id"],
                        {"lines": [{"name": "x", "unit_price": 100, "quantity": 1}]})
        r = self.post("/api/v1/quotations/%s/contract" % q["id"], {})
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "not_accepted"), r)
        deal, q = self.accepted()
        r = self.post("/api/v1/quotations/%s/contract" % q["id"])
        self.assertEqual(r.status, 201, r)
        c = r.json
        self.assertEqual((c["amount"], c["party_a"], c["archived"], c["quotation_id"]),
                         (q["totals"]["gross"], "合同客户 <乙>", False, q["id"]))
        self.assertRegex(c["number"], r"^HT\d{8}-\d{3}$")
        self.assertEqual(c["amount_in_words"], "人民币壹拾壹万叁仟元整")  # 100,000 + 13 %
        again = self.post("/api/v1/quotations/%s/contract" % q["id"])
        self.assertEqual((again.status, again.json["error"]["code"]), (409, "exists"), again)
        listed = self.get("/api/v1/opportunities/%s/contracts" % deal["id"]).json["items"]
        self.assertEqual([x["id"] for x in listed], [c["id"]])
        # If-Match is required and checked.
        self.assertEqual(self.request("PUT", "/api/v1/contracts/" + c["id"],
                                      body={"milestones": []}).status, 428)
        self.put(dict(c, version=c["version"] + 5), {"milestones": []}, status=412)

    def test_payment_plan_adds_up_and_flags_overdue_milestones(self):
        deal, q = self.accepted(price=10000001)  # 100,000.01 + 13 % = 113,000.01 yuan
        c = self.create("quotations/%s/contract" % q["id"], {})
        amount = c["amount"]
        self.assertEqual(amount, 11300001)
        yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
        c = self.put(c, {"milestones": [
            {"name": "首期款", "percent": 30, "due_on": yesterday},
            {"name": "验收款", "percent": 60, "invoiced_on": yesterday},
            {"name": "尾款", "percent": 10}]})
        plan = c["plan"]
        # 30 % of 11,300,001 = 3,390,000.3 -> 3,390,000; 60 % -> 6,780,000.6 ->
        # 6,780,001; the last takes what is left: 1,130,000.
        self.assertEqual([m["planned"] for m in plan["milestones"]],
                         [3390000, 6780001, 1130000])
        self.assertEqual(plan["planned_total"], amount)
        self.assertEqual([m["state"] for m in plan["milestones"]],
                         ["overdue", "invoiced", "planned"])
        self.assertEqual((plan["overdue"], plan["first_payment_received"]), (1, False))
        # The first payment arrives in part, then in full.
        part = self.put(c, {"milestones": [
            {"name": "首期款", "percent": 30, "due_on": yesterday, "received_on": yesterday,
             "received_amount": 1000000},
            {"name": "验收款", "percent": 60}, {"name": "尾款", "percent": 10}]})
        self.assertEqual((part["plan"]["received_total"], part["plan"]["overdue"],
                          part["plan"]["first_payment_received"]), (1000000, 1, False))
        full = self.put(part, {"milestones": [
            {"name": "首期款", "percent": 30, "due_on": yesterday, "received_on": yesterday},
            {"name": "验收款", "percent": 60}, {"name": "尾款", "percent": 10}]})
        self.assertEqual((full["plan"]["milestones"][0]["state"], full["plan"]["overdue"],
                          full["plan"]["first_payment_received"],
                          full["plan"]["outstanding"]), ("received", 0, True, amount - 3390000))
        # Bad plans name the field and change nothing.
        cases = [
            ([{"name": "a", "percent": 50}], "milestones", "plan_mismatch"),
            ([{"name": "a", "percent": 50, "amount": 5}], "milestones[0].amount",
             "invalid_value"),
            ([{"name": "a"}], "milestones[0].amount", "invalid_value"),
            ([{"name": "a", "amount": amount, "received_amount": 5}],
             "milestones[0].received_on", "required"),
            ([{"name": "a", "amount": amount, "received_on": yesterday,
               "received_amount": amount + 1}], "milestones[0].received_amount",
             "out_of_range"),
            ([{"name": "a", "percent": 33.333}], "milestones[0].percent", "too_many_decimals"),
        ]
        for milestones, field, code in cases:
            with self.subTest(field=field, code=code):
                r = self.request("PUT", "/api/v1/contracts/" + full["id"],
                                 body={"milestones": milestones},
                                 headers={"If-Match": '"%d"' % full["version"]})
                self.assertEqual((r.status, r.json["error"]["field"], r.json["error"]["code"]),
                                 (422, field, code), r)
        self.assertEqual(self.get("/api/v1/contracts/" + full["id"]).json["version"],
                         full["version"])

    def test_closing_steps_follow_the_contract(self):
        deal, q = self.accepted(playbook="uss-5")
        def item(stage, iid):
            c = self.get("/api/v1/opportunities/%s/checklist?stage=%s" % (deal["id"], stage))
            self.assertEqual(c.status, 200, c)
            return [i for i in c.json["items"] if i["id"] == iid][0]
        paid = item("closing", "clo-payment-received")
        filed = item("negotiation", "neg-contract-signed")
        self.assertEqual((paid["done"], paid["derived_from"], filed["done"]),
                         (False, "contract", False))
        self.assertTrue(paid["derived"])  # not ticked by hand
        c = self.create("quotations/%s/contract" % q["id"], {
            "signed_on": "2026-12-01", "party_b": "本公司",
            "milestones": [{"name": "首期款", "percent": 40}, {"name": "尾款", "percent": 60}]})
        self.assertFalse(item("closing", "clo-payment-received")["done"])
        self.assertFalse(item("negotiation", "neg-contract-signed")["done"])
        c = self.put(c, {"signed_on": "2026-12-01", "archived_on": "2026-12-02",
                         "milestones": [{"name": "首期款", "percent": 40,
                                         "received_on": "2026-12-03"},
                                        {"name": "尾款", "percent": 60}]})
        paid = item("closing", "clo-payment-received")
        self.assertTrue(paid["done"], paid)
        self.assertIn(c["number"], paid["evidence"])
        self.assertTrue(item("negotiation", "neg-contract-signed")["done"])
        # Archived needs signed.
        r = self.request("PUT", "/api/v1/contracts/" + c["id"],
                         body={"archived_on": "2026-12-02", "milestones": []},
                         headers={"If-Match": '"%d"' % c["version"]})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "signed_on"), r)

    def test_a_deal_deleted_takes_its_quotations_and_contract(self):
        deal, q = self.accepted()
        c = self.create("quotations/%s/contract" % q["id"], {})
        deal = self.get("/api/v1/opportunities/" + deal["id"]).json
        r = self.delete("/api/v1/opportunities/" + deal["id"], version=deal["version"])
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.get("/api/v1/quotations/" + q["id"]).status, 404)
        self.assertEqual(self.get("/api/v1/contracts/" + c["id"]).status, 404)

    def test_contract_document_escapes(self):
        deal, q = self.accepted()
        c = self.create("quotations/%s/contract" % q["id"],
                        {"party_b": "<我方>", "notes": "<script>x</script>",
                         "milestones": [{"name": "首付<款>", "percent": 100}]})
        r = self.request("GET", "/api/v1/contracts/%s/document" % c["id"])
        html = r.raw.decode("utf-8")
        self.assertEqual(r.status, 200)
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;我方&gt;", html)
        self.assertIn("首付&lt;款&gt;", html)
        self.assertIn("合同客户 &lt;乙&gt;", html)


if __name__ == "__main__":
    unittest.main()
