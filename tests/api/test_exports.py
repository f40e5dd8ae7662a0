"""Reports as files, through the real server: ?format=csv (UTF-8 with a
BOM, CRLF, formulas neutralised, quoted where needed) and ?format=xlsx (read
back with openpyxl: amounts as numbers in yuan, a frozen bold header, text as
text), headings in the answer's language, the same rows as the JSON answer
for whoever asks."""

import csv
import io
import sys
import unittest
import urllib.parse

import bingfa_db
from bingfa_server import ServerTestCase

try:
    import openpyxl
except ImportError:  # Debian's python3-openpyxl, under another interpreter
    sys.path.append("/usr/lib/python3/dist-packages")
    import openpyxl

BOM = b"\xef\xbb\xbf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Deal names a spreadsheet would take for formulas, and one that needs quotes.
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3"]
QUOTED = 'Acme, "North"\nsecond line'

STALLED_ZH = ["商机", "负责人", "方法论", "阶段", "金额", "币种", "进入阶段时间"]
STALLED_EN = ["Deal", "Owner", "Playbook", "Stage", "Amount", "Currency", "In stage since"]
FUNNEL_ZH = ["阶段", "赢率（%）", "商机数", "金额", "加权金额"]
FUNNEL_EN = ["Stage", "Probability (%)", "Deals", "Amount", "Weighted amount"]


def rows_of_csv(raw):
    """The rows of a CSV answer (after its BOM)."""
    return list(csv.reader(io.StringIO(raw[len(BOM):].decode("utf-8"), newline="")))


def yuan(fen):
    """fen as the CSV writes it: yuan with two decimals."""
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


class ExportsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        acc = s.post("/api/v1/accounts", {"name": "导出测试客户"}).json
        cls.amounts = {}
        for i, name in enumerate(FORMULAS + [QUOTED, "普通商机"]):
            deal = s.post("/api/v1/opportunities",
                          {"account_id": acc["id"], "name": name,
                           "amount": 123456789 + i}).json
            cls.amounts[name] = deal["amount"]
            cls.stall(deal["id"], i)
        # A salesperson of no team: sees only their own deal.
        cls.sales = s.auth("导出销售", role="sales", team_id=None)
        own_acc = s.post("/api/v1/accounts", {"name": "销售自己的客户"}, headers=cls.sales).json
        own = s.post("/api/v1/opportunities", {"account_id": own_acc["id"], "name": "销售自己的商机",
                                               "amount": 500005}, headers=cls.sales).json
        cls.stall(own["id"], 50)
        cls.empty = s.auth("导出空销售", role="sales", team_id=None)

    @classmethod
    def stall(cls, deal_id, i):
        """Moves the deal's last stage change into 2020, so it is stalled."""
        bingfa_db.execute(cls.server.db,
                          "UPDATE opportunities SET stage_changed_at = ? WHERE id = ?",
                          ("2020-01-%02dT08:00:00Z" % (i % 28 + 1), deal_id))

    def download(self, path, ctype, headers=None):
        r = self.get(path, headers=headers)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["Content-Type"].startswith(ctype), r.headers)
        self.assertTrue(r.headers["Content-Disposition"].startswith("attachment;"), r.headers)
        return r

    def workbook(self, path, headers=None):
        r = self.download(path, XLSX, headers)
        return openpyxl.load_workbook(io.BytesIO(r.raw)), r

    # -- CSV ----------------------------------------------------------------------------------

    def test_csv_has_a_bom_crlf_and_headings_in_the_answers_language(self):
        r = self.download("/api/v1/reports/funnel?format=csv", "text/csv")
        self.assertTrue(r.raw.startswith(BOM), r.raw[:10])
        self.assertTrue(r.raw.endswith(b"\r\n"))
        self.assertEqual(r.raw.count(b"\n"), r.raw.count(b"\r\n"))  # no bare LF
        rows = rows_of_csv(r.raw)
        self.assertEqual(rows[0], FUNNEL_ZH)
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote("销售漏斗.csv"),
                      r.headers["Content-Disposition"])
        stages = self.get("/api/v1/reports/funnel").json["stages"]
        self.assertEqual(rows[1:], [[s["name"]["zh"], str(s["probability"]), str(s["count"]),
                                     yuan(s["amount"]), yuan(s["weighted_amount"])]
                                    for s in stages])
        for path, headers in (("/api/v1/reports/funnel?format=csv&lang=en", None),
                              ("/api/v1/reports/funnel?format=csv",
                               {"Accept-Language": "en-US,en;q=0.9"})):
            with self.subTest(path=path, headers=headers):
                r = self.download(path, "text/csv", headers)
                rows = rows_of_csv(r.raw)
                self.assertEqual(rows[0], FUNNEL_EN)
                self.assertEqual([row[0] for row in rows[1:]], [s["name"]["en"] for s in stages])
                self.assertIn("filename*=UTF-8''funnel.csv", r.headers["Content-Disposition"])
        en = rows_of_csv(self.download("/api/v1/reports/stalled?format=csv&lang=en",
                                       "text/csv").raw)
        self.assertEqual(en[0], STALLED_EN)

    def test_csv_neutralises_formulas_and_quotes_where_needed(self):
        r = self.download("/api/v1/reports/stalled?format=csv", "text/csv")
        self.assertTrue(r.raw.startswith(BOM))
        rows = rows_of_csv(r.raw)
        self.assertEqual(rows[0], STALLED_ZH)
        # Each record ends CRLF; the LF inside the quoted name is the name's.
        self.assertEqual(r.raw.count(b"\r\n"), len(rows))
        names = [row[0] for row in rows[1:]]
        for name in FORMULAS:
            with self.subTest(name=name):
                self.assertIn("'" + name, names)
                self.assertNotIn(name, names)
        self.assertIn(b'"\'=HYPERLINK(""http://x"")"', r.raw)
        self.assertIn(QUOTED, names)  # quoted: its comma, quotes and newline kept
        self.assertIn(b'"Acme, ""North""\nsecond line"', r.raw)
        by_name = {row[0]: row for row in rows[1:]}
        self.assertEqual(by_name["'-2+3"][4], yuan(self.amounts["-2+3"]))  # a number, unguarded
        self.assertEqual(by_name["普通商机"][4], "1234567.94")
        # The same deals as the JSON answer, in its order.
        items = self.get("/api/v1/reports/stalled").json["items"]
        self.assertEqual([("'" + i["name"] if i["name"][0] in "=+-@" else i["name"],
                           i["owner"] or "", i["playbook"], i["stage"], yuan(i["amount"]),
                           i["currency"], i["stage_since"]) for i in items],
                         [tuple(row) for row in rows[1:]])

    # -- XLSX ---------------------------------------------------------------------------------

    def test_xlsx_numbers_in_yuan_frozen_bold_header_text_as_text(self):
        wb, r = self.workbook("/api/v1/reports/stalled?format=xlsx")
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote("停滞商机.xlsx"),
                      r.headers["Content-Disposition"])
        self.assertEqual(wb.sheetnames, ["停滞商机"])  # a sheet per table
        ws = wb["停滞商机"]
        self.assertEqual(ws.freeze_panes, "A2")
        header = [c.value for c in ws[1]]
        self.assertEqual(header, STALLED_ZH)
        self.assertTrue(all(c.font.b for c in ws[1]))
        rows = {row[0].value: row for row in ws.iter_rows(min_row=2)}
        for name, fen in self.amounts.items():
            with self.subTest(name=name):
                cell = rows[name][0]  # as it is, and a string: never a formula
                self.assertEqual(cell.data_type, "s")
                amount = rows[name][4]
                self.assertIsInstance(amount.value, (int, float))
                self.assertAlmostEqual(amount.value, fen / 100, places=6)
                self.assertIn("#,##0.00", amount.number_format)
        # Every column wide enough for its heading (a CJK character is two).
        for col in "ABCDEFG":
            self.assertGreaterEqual(ws.column_dimensions[col].width, 8)
        wb, _ = self.workbook("/api/v1/reports/stalled?format=xlsx&lang=en")
        self.assertEqual(wb.sheetnames, ["Stalled deals"])
        self.assertEqual([c.value for c in wb["Stalled deals"][1]], STALLED_EN)

    def test_xlsx_funnel(self):
        stages = self.get("/api/v1/reports/funnel").json["stages"]
        wb, r = self.workbook("/api/v1/reports/funnel?format=xlsx&table=stages")
        self.assertEqual(wb.sheetnames, ["销售漏斗"])
        ws = wb["销售漏斗"]
        self.assertEqual(ws.freeze_panes, "A2")
        self.assertEqual([c.value for c in ws[1]], FUNNEL_ZH)
        got = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
        self.assertEqual([row[:3] + [round(row[3], 2), round(row[4], 2)] for row in got],
                         [[s["name"]["zh"], s["probability"], s["count"], s["amount"] / 100,
                           s["weighted_amount"] / 100] for s in stages])
        self.assertTrue(any(row[3] for row in got))  # the deals made above are in it
        for row in ws.iter_rows(min_row=2):
            self.assertIn("#,##0.00", row[3].number_format)
            self.assertIn("#,##0.00", row[4].number_format)
        wb, r = self.workbook("/api/v1/reports/funnel?format=xlsx&lang=en")
        self.assertEqual(wb.sheetnames, ["Funnel"])
        self.assertIn("filename*=UTF-8''funnel.xlsx", r.headers["Content-Disposition"])
        self.assertEqual([c.value for c in wb["Funnel"]["A"][1:]], [s["name"]["en"] for s in stages])

    # -- what is asked ------------------------------------------------------------------------

    def test_a_format_or_table_it_does_not_have_is_refused(self):
        for path in ("/api/v1/reports/stalled?format=pdf", "/api/v1/reports/funnel?format=",
                     "/api/v1/reports/funnel?format=CSV"):
            with self.subTest(path=path):
                self.assertError(self.get(path), 422, "invalid_value", "format")
        self.assertError(self.get("/api/v1/reports/stalled?format=csv&table=stages"), 422,
                         "invalid_value", "table")
        self.assertError(self.get("/api/v1/reports/funnel?format=xlsx&table=items"), 422,
                         "invalid_value", "table")
        self.download("/api/v1/reports/stalled?format=csv&table=items", "text/csv")
        # Without format, the JSON answer, as before.
        r = self.get("/api/v1/reports/stalled?days=30&lang=en")
        self.assertEqual(r.status, 200, r)
        self.assertIn("items", r.json)

    def test_a_salesperson_exports_only_what_they_see(self):
        items = self.get("/api/v1/reports/stalled", headers=self.sales).json["items"]
        self.assertEqual([i["name"] for i in items], ["销售自己的商机"])
        rows = rows_of_csv(self.download("/api/v1/reports/stalled?format=csv", "text/csv",
                                         self.sales).raw)
        self.assertEqual([row[0] for row in rows[1:]], ["销售自己的商机"])
        self.assertEqual(rows[1][4], "5000.05")
        wb, _ = self.workbook("/api/v1/reports/stalled?format=xlsx", self.sales)
        ws = wb["停滞商机"]
        self.assertEqual([row[0].value for row in ws.iter_rows(min_row=2)], ["销售自己的商机"])
        self.assertEqual(ws["E2"].value, 5000.05)
        funnel = self.get("/api/v1/reports/funnel", headers=self.sales).json["stages"]
        rows = rows_of_csv(self.download("/api/v1/reports/funnel?format=csv", "text/csv",
                                         self.sales).raw)
        self.assertEqual([int(row[2]) for row in rows[1:]], [s["count"] for s in funnel])
        self.assertEqual(sum(int(row[2]) for row in rows[1:]), 1)

    def test_no_rows_is_a_header_alone(self):
        r = self.download("/api/v1/reports/stalled?format=csv", "text/csv", self.empty)
        self.assertEqual(r.raw, BOM + ",".join(STALLED_ZH).encode() + b"\r\n")
        wb, _ = self.workbook("/api/v1/reports/stalled?format=xlsx", self.empty)
        ws = wb["停滞商机"]
        self.assertEqual(ws.max_row, 1)
        self.assertEqual([c.value for c in ws[1]], STALLED_ZH)
        self.assertEqual(ws.freeze_panes, "A2")

    def test_the_document_describes_the_exports(self):
        doc = self.get("/api/v1/openapi.json").json
        for path in ("/api/v1/reports/funnel", "/api/v1/reports/stalled"):
            with self.subTest(path=path):
                op = doc["paths"][path]["get"]
                params = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
                self.assertEqual(params["format"]["schema"]["enum"], ["csv", "xlsx"])
                self.assertIn("table", params)
                self.assertIn("lang", params)
                content = op["responses"]["200"]["content"]
                self.assertEqual(set(content), {"application/json", "text/csv", XLSX})
                self.assertEqual(content[XLSX]["schema"].get("format"), "binary")
                self.assertIn("$ref", content["application/json"]["schema"])


if __name__ == "__main__":
    unittest.main()
