"""Exports of the lists (导出) through the real server: GET
/api/v1/<resource>/export writes what the list finds — its filters, search,
sort and visibility — or the records ?ids= names, with the chosen columns, as
CSV (UTF-8 with a BOM so that Excel and WPS read Chinese, CRLF, quoted where
needed, formulas neutralised) read back with the csv module, and as XLSX read
back with openpyxl (amounts in yuan as numbers, dates as dates, text as text,
a bold frozen header). Headings and values in Chinese, or English; amounts in
yuan with two decimals; times in China time. Records and fields the caller
may not see are never in it."""

import csv
import datetime
import io
import os
import sys
import tempfile
import unittest
import urllib.parse

from bingfa_server import ADMIN_NAME, ServerTestCase, must, run_cli

try:
    import openpyxl
except ImportError:  # Debian's python3-openpyxl, under another interpreter
    sys.path.append("/usr/lib/python3/dist-packages")
    import openpyxl

BOM = b"\xef\xbb\xbf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3"]
QUOTED = '华东, "北区"\n第二行'
DEFAULT_ZH = ["商机名称", "客户", "金额（元）", "阶段", "状态", "负责人", "预计成交日期",
              "赢率（%）", "预测类别", "标签", "创建时间（北京时间）"]
DEFAULT_EN = ["Deal", "Account", "Amount (yuan)", "Stage", "Status", "Owner", "Expected close",
              "Probability (%)", "Forecast category", "Tags", "Created (UTC+8)"]


def rows_of_csv(raw):
    """The rows of a CSV answer (after its BOM)."""
    return list(csv.reader(io.StringIO(raw[len(BOM):].decode("utf-8"), newline="")))


def yuan(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def china(utc):
    """A UTC time of the API as the export writes it: China time, to the minute."""
    t = datetime.datetime.strptime(utc[:19], "%Y-%m-%dT%H:%M:%S")
    return (t + datetime.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def guarded(text):
    return "'" + text if text[:1] in "=+-@" else text


class ListExportTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.mark = cls.unique("导出")[-6:]
        team = must(s.post("/api/v1/teams", {"name": "导出·华东"}))["id"]
        partner = must(s.post("/api/v1/partners", {"name": "导出·渠道"}))["id"]
        cls.sales = s.auth("ex_sales", role="sales", team_id=team)
        cls.partner_h = s.auth("ex_partner", role="partner", partner_id=partner, team_id=None)
        cls.acc = must(s.post("/api/v1/accounts", {"name": QUOTED, "industry": "制造业",
                                                    "tags": [cls.mark + "客户"]}))
        cls.deals = {}
        for i, name in enumerate(FORMULAS + ["普通商机", "长名" * 50]):
            d = must(s.post("/api/v1/opportunities",
                            {"account_id": cls.acc["id"], "name": name, "amount": 1234505 + i,
                             "expected_close": "2026-10-%02d" % (i + 1),
                             "tags": [cls.mark, cls.mark + "第%d" % (i % 2)],
                             "internal_notes": "内部%d" % i}))
            cls.deals[name] = d
        own_acc = must(s.post("/api/v1/accounts", {"name": "销售的客户"}, headers=cls.sales))
        cls.own = must(s.post("/api/v1/opportunities",
                              {"account_id": own_acc["id"], "name": "销售自己的商机",
                               "amount": 500005, "tags": [cls.mark]}, headers=cls.sales))
        cls.shared = cls.deals["普通商机"]
        must(s.request("PUT", "/api/v1/opportunities/%s/partners/%s" %
                       (cls.shared["id"], partner)))
        stages = s.get("/api/v1/playbooks/ruijie-6").json["stages"]
        cls.stage_names = {st["id"]: st["name"] for st in stages}

    def download(self, path, ctype, headers=None):
        r = self.get(path, headers=headers)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["Content-Type"].startswith(ctype), r.headers)
        self.assertTrue(r.headers["Content-Disposition"].startswith("attachment;"), r.headers)
        return r

    def csv_rows(self, path, headers=None):
        r = self.download(path, "text/csv", headers)
        self.assertTrue(r.raw.startswith(BOM), r.raw[:10])
        self.assertTrue(r.raw.endswith(b"\r\n"))
        return rows_of_csv(r.raw)

    def list_names(self, resource, query, headers=None):
        """The names the list gives for query, every page, in its order."""
        names, cursor = [], None
        while True:
            r = self.get("/api/v1/%s?limit=200&%s%s" % (resource, query,
                                                        "&cursor=" + cursor if cursor else ""),
                         headers=headers)
            self.assertEqual(r.status, 200, r)
            names += [x.get("name") for x in r.json["items"]]
            cursor = r.json["next_cursor"]
            if cursor is None:
                return names

    def tag(self, suffix=""):
        return "tag=" + urllib.parse.quote(self.mark + suffix)

    # -- CSV ----------------------------------------------------------------------------------

    def test_csv_bom_chinese_headings_escaping_and_values(self):
        r = self.download("/api/v1/opportunities/export?%s&sort=name" % self.tag(), "text/csv")
        self.assertTrue(r.raw.startswith(BOM))
        self.assertEqual(r.raw.count(b"\n"), r.raw.count(b"\r\n") + QUOTED.count("\n") * 6)
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote("商机-"),
                      r.headers["Content-Disposition"])
        rows = rows_of_csv(r.raw)
        self.assertEqual(rows[0], DEFAULT_ZH)
        by_name = {row[0]: row for row in rows[1:]}
        self.assertEqual(len(rows) - 1, len(self.deals) + 1)  # and the salesperson's
        for name, d in self.deals.items():
            with self.subTest(name=name[:10]):
                row = by_name[guarded(name)]
                self.assertEqual(row, [guarded(name), QUOTED, yuan(d["amount"]),
                                       self.stage_names[d["stage"]]["zh"], "进行中", ADMIN_NAME,
                                       d["expected_close"], str(d["probability"]), "管道",
                                       "%s、%s" % tuple(d["tags"]), china(d["created_at"])])
        for name in FORMULAS:
            self.assertNotIn(name, by_name)
        self.assertIn(b'"\'=HYPERLINK(""http://x"")"', r.raw)
        self.assertIn('"华东, ""北区""\n第二行"'.encode(), r.raw)
        self.assertEqual([row[0] for row in rows[1:]],
                         [guarded(n) for n in self.list_names("opportunities",
                                                              self.tag() + "&sort=name")])

    def test_english_headings_and_values(self):
        for path, headers in (("/api/v1/opportunities/export?lang=en&" + self.tag(), None),
                              ("/api/v1/opportunities/export?" + self.tag(),
                               {"Accept-Language": "en-US,en;q=0.9"})):
            with self.subTest(path=path):
                r = self.download(path, "text/csv", headers)
                self.assertIn("filename*=UTF-8''opportunities-", r.headers["Content-Disposition"])
                rows = rows_of_csv(r.raw)
                self.assertEqual(rows[0], DEFAULT_EN)
                row = [x for x in rows if x[0] == "普通商机"][0]
                self.assertEqual((row[3], row[4], row[8], row[9]),
                                 (self.stage_names[self.shared["stage"]]["en"], "Open",
                                  "Pipeline", ", ".join(self.shared["tags"])))

    def test_filters_sort_and_columns_are_the_lists(self):
        for query in (self.tag("第1") + "&sort=-amount",
                      self.tag() + "&amount_min=1234507&amount_max=1234508&sort=amount",
                      self.tag() + "&q=%E6%99%AE%E9%80%9A",
                      self.tag("第0") + "&" + self.tag("第1") + "&sort=name",
                      "status=open&sort=-created_at&" + self.tag()):
            with self.subTest(query=query):
                rows = self.csv_rows("/api/v1/opportunities/export?columns=name,amount&" + query)
                self.assertEqual(rows[0], ["商机名称", "金额（元）"])
                self.assertEqual([r[0] for r in rows[1:]],
                                 [guarded(n) for n in self.list_names("opportunities", query)])
        rows = self.csv_rows("/api/v1/opportunities/export?columns=id,name,internal_notes,"
                             "amount,tags,expected_close,updated_at&limit=1&" + self.tag("第0"))
        self.assertEqual(rows[0], ["编号", "商机名称", "内部备注", "金额（元）", "标签",
                                   "预计成交日期", "更新时间（北京时间）"])
        self.assertEqual(len(rows) - 1, 3)  # paging is the list's, not the export's
        d = self.deals[FORMULAS[0]]
        row = [x for x in rows if x[0] == d["id"]][0]
        self.assertEqual(row[2:6], ["内部0", yuan(d["amount"]), "%s、%s" % tuple(d["tags"]),
                                    "2026-10-01"])
        for path, code, field in (("columns=name,bogus", "unknown_column", "columns"),
                                  ("columns=,", "required", "columns"),
                                  ("format=pdf", "invalid_value", "format"),
                                  ("status=closed", "invalid_value", "status"),
                                  ("nothing=1", "unknown_parameter", "nothing"),
                                  ("ids=x&sort=name", "invalid_value", "sort")):
            with self.subTest(path=path):
                self.assertError(self.get("/api/v1/opportunities/export?" + path), 422, code,
                                 field)

    def test_only_what_the_caller_sees(self):
        rows = self.csv_rows("/api/v1/opportunities/export?" + self.tag(), headers=self.sales)
        self.assertEqual([r[0] for r in rows[1:]], ["销售自己的商机"])
        # Selected by id: the hidden ones are left out, as a list leaves them out.
        ids = ",".join([self.shared["id"], self.own["id"], "opp_nosuchdeal0000000"])
        rows = self.csv_rows("/api/v1/opportunities/export?columns=name&ids=" + ids,
                             headers=self.sales)
        self.assertEqual(rows[1:], [["销售自己的商机"]])
        rows = self.csv_rows("/api/v1/opportunities/export?columns=name&ids=" + ids)
        self.assertEqual(rows[1:], [["普通商机"], ["销售自己的商机"]])  # in the order named
        # A partner: the deal it is registered on, without internal fields or tags.
        rows = self.csv_rows("/api/v1/opportunities/export", headers=self.partner_h)
        self.assertNotIn("标签", rows[0])
        self.assertEqual([r[0] for r in rows[1:]], ["普通商机"])
        for column in ("internal_notes", "margin", "tags"):
            with self.subTest(column=column):
                r = self.get("/api/v1/opportunities/export?columns=name," + column,
                             headers=self.partner_h)
                self.assertError(r, 422, "unknown_column", "columns")
        self.assertError(self.get("/api/v1/opportunities/export?" + self.tag(),
                                  headers=self.partner_h), 422, "unknown_parameter", "tag")

    # -- XLSX ---------------------------------------------------------------------------------

    def test_xlsx_numbers_dates_text_and_a_frozen_bold_header(self):
        r = self.download("/api/v1/opportunities/export?format=xlsx&sort=name&" + self.tag() +
                          "&columns=name,account_id,amount,expected_close,created_at,probability,"
                          "turnaround", XLSX)
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote("商机-"),
                      r.headers["Content-Disposition"])
        book = openpyxl.load_workbook(io.BytesIO(r.raw))
        ws = book.active
        self.assertEqual(ws.title, "商机")
        self.assertEqual(ws.freeze_panes, "A2")
        head = [c.value for c in ws[1]]
        self.assertEqual(head, ["商机名称", "客户", "金额（元）", "预计成交日期",
                                "创建时间（北京时间）", "赢率（%）", "翻盘"])
        self.assertTrue(all(c.font.b for c in ws[1]))
        names = self.list_names("opportunities", self.tag() + "&sort=name")
        self.assertEqual([row[0].value for row in ws.iter_rows(min_row=2)], names)
        by_name = {row[0].value: row for row in ws.iter_rows(min_row=2)}
        for name, d in self.deals.items():
            with self.subTest(name=name[:10]):
                row = by_name[name]
                self.assertEqual(row[0].data_type, "s")  # a formula's text stays text
                self.assertEqual(row[1].value, QUOTED)
                self.assertEqual(row[2].value, d["amount"] / 100)
                self.assertEqual(row[2].number_format, "#,##0.00")
                self.assertEqual(row[3].value, datetime.datetime.strptime(d["expected_close"],
                                                                          "%Y-%m-%d"))
                self.assertEqual(row[3].number_format, "yyyy-mm-dd")
                self.assertEqual(row[4].value.strftime("%Y-%m-%d %H:%M"), china(d["created_at"]))
                self.assertEqual(row[4].number_format, "yyyy-mm-dd hh:mm")
                self.assertEqual((row[5].value, row[6].value), (d["probability"], "否"))
        self.assertEqual(ws.auto_filter.ref, "A1:G%d" % (len(names) + 1))

    def test_xlsx_in_english(self):
        book, _ = self.workbook("/api/v1/accounts/export?format=xlsx&lang=en&" +
                                self.tag("客户"))
        ws = book.active
        self.assertEqual(ws.title, "Accounts")
        self.assertEqual([c.value for c in ws[1]][:3], ["Account", "Industry", "Region"])
        self.assertEqual([c.value for c in ws[2]][:2], [QUOTED, "制造业"])

    def workbook(self, path, headers=None):
        r = self.download(path, XLSX, headers)
        return openpyxl.load_workbook(io.BytesIO(r.raw)), r

    # -- every list, and long ones ----------------------------------------------------------

    def test_every_list_exports_with_names_for_references(self):
        mark = self.unique("各表")[-6:]
        acc = self.make_account(name=mark + "客户", tags=[mark])
        boss = self.make_contact(acc["id"], name=mark + "处长", tags=[mark])
        self.make_contact(acc["id"], name=mark + "科长", reports_to=boss["id"], tags=[mark],
                          buying_role="evaluator")
        opp = self.make_opportunity(acc["id"], name=mark + "商机", tags=[mark])
        self.create("activities", {"opportunity_id": opp["id"], "type": "visit",
                                   "contacts": [boss["id"]], "subject": "拜访",
                                   "planned_at": "2026-03-01T02:30:00Z", "tags": [mark]})
        tag = "tag=" + urllib.parse.quote(mark)
        rows = self.csv_rows("/api/v1/contacts/export?sort=name&columns=name,account_id,"
                             "reports_to,buying_role,tags&" + tag)
        self.assertEqual(rows, [["姓名", "客户", "汇报对象", "决策圈角色", "标签"],
                                [mark + "处长", mark + "客户", "", "", mark],
                                [mark + "科长", mark + "客户", mark + "处长", "评估者", mark]])
        rows = self.csv_rows("/api/v1/activities/export?columns=type,subject,opportunity_id,"
                             "account_id,contacts,planned_at&" + tag)
        self.assertEqual(rows[1:], [["拜访", "拜访", mark + "商机", mark + "客户", mark + "处长",
                                     "2026-03-01 10:30"]])
        rows = self.csv_rows("/api/v1/accounts/export?columns=name,tags&" + tag)
        self.assertEqual(rows, [["客户名称", "标签"], [mark + "客户", mark]])

    def test_a_long_list_is_read_page_by_page(self):
        mark = self.unique("长表")[-6:]
        acc = self.make_account(name=mark + "客户")
        for i in range(450):
            self.create("contacts", {"account_id": acc["id"], "name": "%s联系人%03d" % (mark, i),
                                     "influence": i % 5 + 1})
        query = "account_id=%s&sort=-influence" % acc["id"]
        rows = self.csv_rows("/api/v1/contacts/export?columns=name,influence&" + query)
        self.assertEqual(len(rows), 451)
        self.assertEqual([r[0] for r in rows[1:]], self.list_names("contacts", query))
        book, _ = self.workbook("/api/v1/contacts/export?format=xlsx&columns=name,influence&" +
                                query)
        self.assertEqual(book.active.max_row, 451)
        self.assertEqual([c.value for c in book.active["B"][1:6]], [5] * 5)

    # -- the command line --------------------------------------------------------------------

    def test_bingfa_export_writes_the_same_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "deals.csv")
            res = run_cli("export", "--db", self.server.db, "--user", "ex_sales", "--columns",
                          "name,amount", "--output", out, "opportunities",
                          self.tag() + "&sort=-amount")
            self.assertEqual(res.returncode, 0, res.stderr)
            with open(out, "rb") as f:
                raw = f.read()
            self.assertEqual(raw, self.download(
                "/api/v1/opportunities/export?columns=name,amount&sort=-amount&" + self.tag(),
                "text/csv", self.sales).raw)
            self.assertEqual(rows_of_csv(raw), [["商机名称", "金额（元）"],
                                                ["销售自己的商机", "5000.05"]])
            book = os.path.join(tmp, "accounts.xlsx")
            res = run_cli("export", "--db", self.server.db, "--format", "xlsx", "--lang", "en",
                          "-o", book, "accounts", self.tag("客户"))
            self.assertEqual(res.returncode, 0, res.stderr)
            ws = openpyxl.load_workbook(book).active
            self.assertEqual((ws["A1"].value, ws["A2"].value), ("Account", QUOTED))
            bad = os.path.join(tmp, "bad.csv")
            res = run_cli("export", "--db", self.server.db, "-o", bad, "opportunities",
                          "bogus=1")
            self.assertEqual(res.returncode, 1)
            self.assertIn("unknown_parameter", res.stderr)
            self.assertFalse(os.path.exists(bad))
            res = run_cli("export", "--db", self.server.db)
            self.assertEqual(res.returncode, 2)
            self.assertIn("usage: bingfa export", res.stderr)


if __name__ == "__main__":
    unittest.main()
