"""Spreadsheet import (导入) through the real server: XLSX written by
xlsxwriter (Debian's python3-xlsxwriter) and CSV in UTF-8, UTF-8 with BOM
and GBK; the template; a dry run listing every row's errors (row, column,
why) and writing nothing; all or nothing on commit; owner and creation time
kept; duplicates (撞单) skipped, merged or created; what a salesperson may
not see stays hidden."""

import io
import sys
import urllib.parse
import unittest

from bingfa_server import ServerTestCase

try:
    import xlsxwriter
    import openpyxl
except ImportError:  # Debian's packages, under another interpreter
    sys.path.append("/usr/lib/python3/dist-packages")
    import xlsxwriter
    import openpyxl

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows, formats=None):
    """An XLSX file of rows (the first the header), cells as given: numbers
    stay numbers, datetime objects become Excel dates."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("导入")
    date = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            if hasattr(v, "year"):
                ws.write_datetime(r, c, v, date)
            else:
                ws.write(r, c, v)
    wb.close()
    return out.getvalue()


def csv_text(rows):
    return "\r\n".join(",".join(
        '"%s"' % str(v).replace('"', '""') if any(ch in str(v) for ch in ',"\n') else str(v)
        for v in row) for row in rows) + "\r\n"


class SheetImportTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.east = s.post("/api/v1/teams", {"name": "导入华东"}).json
        cls.west = s.post("/api/v1/teams", {"name": "导入华西"}).json
        cls.boss = s.auth("导入经理", role="manager", team_id=cls.east["id"])
        cls.ann = s.auth("导入销售甲", role="sales", team_id=cls.east["id"])
        cls.bob = s.auth("导入销售乙", role="sales", team_id=cls.west["id"])

    def upload(self, resource, data, query="", headers=None, content_type=XLSX):
        h = {"Content-Type": content_type}
        h.update(headers or {})
        return self.server.request("POST", "/api/v1/imports/%s%s" % (resource, query),
                                   raw=data, headers=h)

    def test_template_in_both_formats(self):
        s = self.server
        r = s.get("/api/v1/imports/accounts/template")
        self.assertEqual(r.status, 200, r)
        headers = [c["header"] for c in r.json["columns"]]
        self.assertEqual(headers[:2], ["客户名称", "统一社会信用代码"])
        r = s.get("/api/v1/imports/accounts/template?format=xlsx")
        self.assertEqual(r.status, 200, r)
        wb = openpyxl.load_workbook(io.BytesIO(r.raw))
        self.assertEqual(wb.sheetnames, ["客户", "填写说明"])
        first = [c.value for c in wb["客户"][1]]
        self.assertEqual(first[0], "客户名称*")
        notes = list(wb["填写说明"].iter_rows(values_only=True))
        self.assertIn(("企业性质", "否"), [row[:2] for row in notes])
        choices = {row[0]: row[4] for row in notes[1:]}
        self.assertIn("政府/事业单位", choices["企业性质"])
        r = s.get("/api/v1/imports/contacts/template?format=csv&lang=en")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.raw.startswith(b"\xef\xbb\xbf"), r.raw[:10])
        self.assertTrue(r.raw[3:].decode().startswith("Account name*,Name*"), r.raw)
        # The template, filled in, imports.
        r = s.get("/api/v1/imports/accounts/template?format=xlsx")
        wb = openpyxl.load_workbook(io.BytesIO(r.raw))
        header = [c.value for c in wb["客户"][1]]
        row = [""] * len(header)
        row[0] = "模板导入客户"
        data = workbook([header, row])
        r = self.upload("accounts", data, "?dry_run=true")
        self.assertEqual((r.status, r.json["errors"]), (200, []), r)
        self.assertEqual(r.json["created"], 1)
        r = s.get("/api/v1/imports/users/template")
        self.assertEqual(r.status, 404, r)

    def test_dry_run_lists_every_error_and_writes_nothing(self):
        s = self.server
        rows = [["客户名称", "员工人数", "年营业额（元）", "企业性质", "统一社会信用代码"],
                ["干跑客户一", 120, "1,234.50", "民营", None],
                ["干跑客户二", "很多", "12.345", "国企", None],
                [None, 5, None, None, None],
                [None, None, None, None, None],  # blank: not a row
                ["干跑客户三", 7, 100, "外资", "91350100M000100Y44"]]
        r = self.upload("accounts", workbook(rows), "?dry_run=true")
        self.assertEqual(r.status, 200, r)
        rep = r.json
        self.assertEqual((rep["dry_run"], rep["committed"], rep["rows"], rep["format"]),
                         (True, False, 4, "xlsx"))
        where = sorted((e["row"], e["column"], e["field"], e["code"]) for e in rep["errors"])
        self.assertEqual(where, [
            (3, "B", "employees", "wrong_type"),
            (3, "C", "annual_revenue", "wrong_type"),
            (3, "D", "ownership", "invalid_value"),
            (4, "A", "name", "required"),
            (6, "E", "credit_code", "invalid_value"),  # found by the create path
        ])
        self.assertEqual(rep["errors"][0]["header"], "员工人数")
        names = [a["name"] for a in s.get("/api/v1/accounts?q=%E5%B9%B2%E8%B7%91").json["items"]]
        self.assertEqual(names, [])
        # A commit of the same file writes nothing either: 422 with the report.
        r = self.upload("accounts", workbook(rows))
        self.assertEqual((r.status, r.json["error"]["code"]), (422, "import_invalid"), r)
        self.assertEqual(len(r.json["report"]["errors"]), 5)
        self.assertFalse(r.json["report"]["committed"])
        self.assertEqual(s.get("/api/v1/accounts?q=%E5%B9%B2%E8%B7%91").json["items"], [])
        # Headers it does not know, and a required column missing.
        r = self.upload("accounts", workbook([["名称", "行业"], ["x", "y"]]), "?dry_run=1")
        self.assertEqual([(e["row"], e["column"], e["code"]) for e in r.json["errors"]],
                         [(1, "A", "unknown_column"), (1, None, "missing_column")])

    def test_commit_keeps_owner_and_creation_time(self):
        s = self.server
        created = __import__("datetime").datetime(2024, 5, 6, 9, 30)
        rows = [["客户名称", "行业", "负责人", "创建时间", "年营业额（元）"],
                ["保留负责人客户", "制造", "导入销售甲", created, 8500000.5],
                ["保留负责人客户二", "医疗", None, "2023/1/2 08:00", None]]
        r = self.upload("accounts", workbook(rows), headers=self.boss)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["committed"], r.json["created"]), (True, 2), r)
        items = s.get("/api/v1/accounts?q=%E4%BF%9D%E7%95%99%E8%B4%9F%E8%B4%A3%E4%BA%BA&sort=name"
                      ).json["items"]
        by = {a["name"]: a for a in items}
        one = by["保留负责人客户"]
        self.assertEqual((one["owner"], one["industry"], one["annual_revenue"]),
                         ("导入销售甲", "制造", 850000050))
        self.assertEqual(one["created_at"][:19], "2024-05-06T01:30:00")  # 09:30 China time
        two = by["保留负责人客户二"]
        self.assertEqual(two["owner"], "导入经理")
        self.assertEqual(two["created_at"][:19], "2023-01-02T00:00:00")
        # A salesperson keeps no creation time.
        r = self.upload("accounts", workbook([["客户名称", "创建时间"], ["销售补录", "2020-01-01"]]),
                        "?dry_run=1", headers=self.ann)
        self.assertEqual([e["column"] for e in r.json["errors"]], ["B"])

    def test_imported_rows_are_searchable_after_the_commit(self):
        """The import writes its records' search grams together at its end
        (docs/import.md, "Speed"); they are then found, renamed and deleted
        as any record's."""
        s = self.server

        def found(q):
            r = s.get("/api/v1/search?q=" + urllib.parse.quote(q))
            self.assertEqual(r.status, 200, r)
            return sorted(i["title"] for g in r.json["groups"] if g["kind"] == "accounts"
                          for i in g["items"])

        rows = [["客户名称", "行业", "创建时间"],
                ["检索导入甲有限公司", "医疗", "2021-05-01"],
                ["Searchable Import Beta", "制造", "2019-01-01"],
                ["检索导入丙", "教育", "2023-07-09 08:00"],
                ["检索导入甲有限公司", "金融", "2020-02-02"]]   # row 2 again: merged into it
        r = self.upload("accounts", workbook(rows), "?dry_run=1&decisions=5:merge")
        self.assertEqual((r.status, r.json["created"], r.json["merged"]), (200, 3, 1), r)
        self.assertEqual(found("检索导入"), [])
        r = self.upload("accounts", workbook(rows), "?decisions=5:merge")
        self.assertEqual((r.status, r.json["created"], r.json["merged"]), (200, 3, 1), r)
        self.assertEqual(found("检索导入"), ["检索导入丙", "检索导入甲有限公司"])
        self.assertEqual(found("导入甲"), ["检索导入甲有限公司"])
        self.assertEqual(found("searchab import"), ["Searchable Import Beta"])
        beta = s.get("/api/v1/accounts?q=Searchable").json["items"][0]
        r = s.patch("/api/v1/accounts/" + beta["id"], {"name": "检索改名"},
                    headers={"If-Match": '"%d"' % beta["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((found("searchab"), found("检索改名")), ([], ["检索改名"]))
        # An import with an error writes nothing, its grams neither.
        r = self.upload("accounts", workbook([["客户名称", "员工人数"], ["检索失败客户", "10"],
                                              ["检索失败客户二", "很多"]]))
        self.assertEqual(r.status, 422, r)
        self.assertEqual(found("检索失败"), [])

    def test_csv_encodings(self):
        s = self.server
        rows = [["客户名称", "区域"], ["编码客户，逗号", "华东"], ["编码客户二", "华南"]]
        text = csv_text(rows)
        for enc, data in (("utf-8", text.encode()), ("utf-8-bom", b"\xef\xbb\xbf" + text.encode()),
                          ("gb18030", text.encode("gbk"))):
            with self.subTest(enc=enc):
                r = self.upload("accounts", data, "?dry_run=true", content_type="text/csv")
                self.assertEqual(r.status, 200, r)
                self.assertEqual((r.json["format"], r.json["encoding"], r.json["errors"],
                                  r.json["created"]), ("csv", enc, [], 2))
        r = self.upload("accounts", "客户名称\n江南\n".encode("gbk"), content_type="text/csv")
        self.assertEqual(r.status, 200, r)
        a = s.get("/api/v1/accounts?q=%E6%B1%9F%E5%8D%97").json["items"]
        self.assertEqual([x["name"] for x in a], ["江南"])
        r = self.upload("accounts", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old", content_type="x")
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "file"), r)
        self.assertIn(".xls", r.json["error"]["message"])

    def test_duplicates_skip_merge_create_without_leaking(self):
        s = self.server
        bob_acc = s.post("/api/v1/accounts", {"name": "撞单导入医院"}, headers=self.bob).json
        mine = s.post("/api/v1/accounts", {"name": "撞单导入公司（本部）"}, headers=self.ann).json
        rows = [["客户名称", "行业"],
                ["撞单导入医院", "医疗"],          # 2: bob's, hidden from ann
                ["撞单导入公司 本部", "制造"],     # 3: ann's own
                ["撞单导入新客户", "教育"],        # 4: new
                ["撞单导入新客户", "教育"]]        # 5: the row above
        r = self.upload("accounts", workbook(rows), "?dry_run=1", headers=self.ann)
        self.assertEqual(r.status, 200, r)
        found = {d["row"]: d for d in r.json["duplicates"]}
        self.assertEqual(sorted(found), [2, 3, 5])
        self.assertEqual(found[2]["matches"][0]["owner"], "导入销售乙")
        self.assertNotIn("id", found[2]["matches"][0])
        self.assertNotIn(bob_acc["id"], str(r.json))
        self.assertEqual(found[3]["matches"][0]["id"], mine["id"])
        self.assertEqual((r.json["created"], r.json["skipped"]), (1, 3))
        # Merging a hidden account is refused; merging one's own fills it in.
        r = self.upload("accounts", workbook(rows), "?dry_run=1&duplicates=merge",
                        headers=self.ann)
        self.assertEqual([(e["row"], e["code"]) for e in r.json["errors"]],
                         [(2, "cannot_merge")])
        r = self.upload("accounts", workbook(rows), "?decisions=3:merge,5:create",
                        headers=self.ann)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["created"], r.json["merged"], r.json["skipped"]), (2, 1, 1))
        got = s.get("/api/v1/accounts/" + mine["id"]).json
        self.assertEqual((got["industry"], got["name"]), ("制造", "撞单导入公司（本部）"))
        r = self.upload("accounts", workbook(rows), "?decisions=3:merge,5:eat",
                        headers=self.ann)
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "decisions"))

    def test_deals_contacts_activities_by_names(self):
        s = self.server
        acc = s.post("/api/v1/accounts", {"name": "名称导入集团"}, headers=self.ann).json
        hidden = s.post("/api/v1/accounts", {"name": "名称导入隐藏"}, headers=self.bob).json
        deals = [["客户名称", "商机名称", "金额（元）", "预计成交日期", "阶段", "竞争对手"],
                 ["名称导入集团", "一期网络", 500000, "2026/6/30", None, "华为、新华三"],
                 ["名称 导入集团", "二期网络", "1200000.00", "2026年9月1日", None, None],
                 ["名称导入隐藏", "看不见", 1, None, None, None],
                 ["名称导入集团", "一期 网络", 3, None, None, None]]
        r = self.upload("opportunities", workbook(deals), headers=self.ann)
        self.assertEqual(r.status, 422, r)
        rep = r.json["report"]
        self.assertEqual([(e["row"], e["column"], e["code"]) for e in rep["errors"]],
                         [(4, "A", "unknown_reference")])
        self.assertEqual([d["row"] for d in rep["duplicates"]], [5])
        del deals[3]
        r = self.upload("opportunities", workbook(deals), headers=self.ann)
        self.assertEqual((r.status, r.json["created"], r.json["skipped"]), (200, 2, 1), r)
        got = {d["name"]: d for d in s.get("/api/v1/opportunities?account_id=" + acc["id"]
                                           ).json["items"]}
        self.assertEqual(got["一期网络"]["amount"], 50000000)
        self.assertEqual(got["一期网络"]["competitors"], ["华为", "新华三"])
        self.assertEqual(got["二期网络"]["expected_close"], "2026-09-01")
        self.assertEqual(got["一期网络"]["owner"], "导入销售甲")
        contacts = [["客户名称", "姓名", "采购角色", "电话"],
                    ["名称导入集团", "王主任", "决策者", 13800138000]]
        r = self.upload("contacts", workbook(contacts), headers=self.ann)
        self.assertEqual((r.status, r.json["created"]), (200, 1), r)
        c = s.get("/api/v1/contacts?account_id=" + acc["id"]).json["items"][0]
        self.assertEqual((c["buying_role"], c["phone"]), ("decision_maker", "13800138000"))
        acts = [["客户名称", "商机名称", "类型", "主题", "计划时间"],
                ["名称导入集团", "一期网络", "拜访", "需求调研", "2026-03-05 14:00"],
                ["名称导入集团", "不存在的商机", "电话", "x", None]]
        r = self.upload("activities", workbook(acts), "?dry_run=1", headers=self.ann)
        self.assertEqual([(e["row"], e["column"]) for e in r.json["errors"]], [(3, "B")])
        del acts[2]
        r = self.upload("activities", workbook(acts), headers=self.ann)
        self.assertEqual((r.status, r.json["created"]), (200, 1), r)
        a = s.get("/api/v1/activities?opportunity_id=" + got["一期网络"]["id"]).json["items"]
        visit = [x for x in a if x["subject"] == "需求调研"][0]
        self.assertEqual(visit["planned_at"][:16], "2026-03-05T06:00")
        # A salesperson imports no price list.
        r = self.upload("products", workbook([["编码", "名称", "类别", "单位"],
                                              ["X-1", "某产品", "硬件", "台"]]), headers=self.ann)
        self.assertEqual(r.status, 403, r)
        r = self.upload("products", workbook([["编码", "名称", "类别", "单位", "标准价（元）",
                                               "税率（%）"],
                                              ["IMP-1", "导入产品", "硬件", "台", 1999.9, 13]]))
        self.assertEqual((r.status, r.json["created"]), (200, 1), r)


if __name__ == "__main__":
    unittest.main()
