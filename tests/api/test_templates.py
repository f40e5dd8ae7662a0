"""Document templates: the built-in ones in both languages, the company's
own versions (admin), checked when saved (a syntax error with its line and
column, names no data has listed), and documents of a deal made from them
as Markdown and HTML, everything the user typed escaped. Through the real
server."""

import io
import unittest
import zipfile
import xml.etree.ElementTree as ET
from urllib.parse import unquote

from bingfa_server import ServerTestCase, sign_contract

BUILTIN = ["letter-after-first-visit", "letter-after-research", "letter-after-presentation",
           "letter-business-notice", "letter-visit", "letter-research-consultation", "quotation",
           "contract", "reference-case", "proposal", "research-plan", "needs-report", "handover"]


class TemplateTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.acc = s.post("/api/v1/accounts", {"name": "模板客户 <b>甲</b>", "industry": "制造"}).json
        s.post("/api/v1/contacts", {"account_id": cls.acc["id"], "name": "王总 **粗**",
                                    "buying_role": "decision_maker", "title": "总经理"})
        cls.opp = s.post("/api/v1/opportunities", {"account_id": cls.acc["id"],
                                                   "name": "模板商机 | 一期", "amount": 50000000}).json
        sign_contract(s, cls.opp["id"])

    def test_every_builtin_template_in_both_languages_renders(self):
        items = self.get("/api/v1/templates").json["items"]
        have = {(t["key"], t["lang"]) for t in items if t["builtin"]}
        for key in BUILTIN:
            for lang in ("zh", "en"):
                with self.subTest(key=key, lang=lang):
                    self.assertIn((key, lang), have)
                    t = self.get("/api/v1/templates/%s?lang=%s" % (key, lang)).json
                    self.assertEqual(t["unknown"], [], t["names"])
                    r = self.request("GET", "/api/v1/opportunities/%s/documents/%s?lang=%s"
                                     % (self.opp["id"], key, lang))
                    self.assertEqual(r.status, 200, r)
                    html = r.raw.decode("utf-8")
                    self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
                    self.assertNotIn("<b>甲</b>", html)  # what a user typed stays text
                    self.assertNotIn("{{", html)
                    self.assertNotIn("raw HTML omitted", html)

    def test_markdown_download_and_escaping(self):
        r = self.request("GET", "/api/v1/opportunities/%s/documents/letter-visit?format=markdown"
                         % self.opp["id"])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["Content-Type"].startswith("text/markdown"))
        disposition = r.headers["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment; filename=\"document.md\"; "
                                               "filename*=UTF-8''"), disposition)
        name = unquote(disposition.split("''", 1)[1])
        self.assertTrue(name.startswith("模板商机 | 一期-") and name.endswith(".md"), name)
        md = r.raw.decode("utf-8")
        self.assertIn("模板客户 \\<b\\>甲\\</b\\>", md)
        # The quotation's document carries its total in words.
        q = self.get("/api/v1/opportunities/%s/document-data" % self.opp["id"]).json["quotation"]
        doc = self.request("GET", "/api/v1/opportunities/%s/documents/quotation" % self.opp["id"])
        self.assertIn(q["amount_in_words"], doc.raw.decode("utf-8"))

    def test_a_word_file_of_every_builtin_template(self):
        W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        for key in BUILTIN:
            with self.subTest(key=key):
                r = self.request("GET", "/api/v1/opportunities/%s/documents/%s?format=docx"
                                 % (self.opp["id"], key))
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.headers["Content-Type"], "application/vnd.openxmlformats-"
                                 "officedocument.wordprocessingml.document")
                self.assertIn(".docx", unquote(r.headers["Content-Disposition"]))
                book = zipfile.ZipFile(io.BytesIO(r.raw))
                self.assertEqual(sorted(book.namelist()), sorted([
                    "[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels",
                    "word/styles.xml", "word/header1.xml", "word/footer1.xml",
                    "word/document.xml"]))
                for part in book.namelist():  # every part is well-formed XML
                    ET.fromstring(book.read(part))
                doc = ET.fromstring(book.read("word/document.xml"))
                text = "".join(t.text or "" for t in doc.iter(W + "t"))
                # what users typed stays the text they typed
                self.assertTrue(any(v in text for v in ("模板商机 | 一期", "模板客户 <b>甲</b>")),
                                text[:200])
                self.assertNotIn("{{", text)
        # The quotation's Word file holds its lines in a table, its header the title.
        r = self.request("GET", "/api/v1/opportunities/%s/documents/quotation?format=docx"
                         % self.opp["id"])
        book = zipfile.ZipFile(io.BytesIO(r.raw))
        doc = ET.fromstring(book.read("word/document.xml"))
        cells = ["".join(t.text or "" for t in tc.iter(W + "t")) for tc in doc.iter(W + "tc")]
        self.assertIn("软件许可", cells)
        self.assertIn("113,000.00", cells)
        header = "".join(t.text or "" for t in ET.fromstring(book.read("word/header1.xml"))
                         .iter(W + "t"))
        self.assertTrue(header)
        self.assertIn(b"PAGE", book.read("word/footer1.xml"))
        self.assertIn(b'w:eastAsia="SimSun"', book.read("word/styles.xml"))

    def test_the_company_writes_its_own_versions(self):
        body = {"key": "letter-visit", "lang": "zh", "kind": "letter",
                "name": {"zh": "拜访函（本公司版）", "en": "Visit letter (ours)"},
                "body": "# 拜访函\n\n尊敬的{{account.name}}：\n\n{{#contacts}}- {{name}}\n"
                        "{{/contacts}}\n{{deal.nmae}}{{customer}}\n"}
        r = self.post("/api/v1/templates", body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["version"], r.json["builtin"]), (1, False))
        self.assertEqual(r.json["unknown"], ["deal.nmae", "customer"])
        body["body"] = body["body"].replace("{{deal.nmae}}{{customer}}", "{{deal.name}}")
        r = self.post("/api/v1/templates", body)
        self.assertEqual((r.status, r.json["version"], r.json["unknown"]), (201, 2, []), r)
        # Used from now on; version 1 still reads.
        doc = self.request("GET", "/api/v1/opportunities/%s/documents/letter-visit?format=markdown"
                           % self.opp["id"]).raw.decode("utf-8")
        self.assertTrue(doc.startswith("# 拜访函"), doc)
        self.assertIn("王总 \\*\\*粗\\*\\*", doc)
        self.assertIn("模板商机 \\| 一期", doc)
        v1 = self.get("/api/v1/templates/letter-visit?lang=zh&version=1").json
        self.assertIn("deal.nmae", v1["body"])
        listed = [t for t in self.get("/api/v1/templates").json["items"]
                  if t["key"] == "letter-visit" and t["lang"] == "zh"]
        self.assertEqual([(t["version"], t["builtin"]) for t in listed], [(2, False)])
        versions = self.get("/api/v1/templates/letter-visit/versions?lang=zh").json["items"]
        self.assertEqual([(v["version"], v["builtin"]) for v in versions],
                         [(2, False), (1, False), (0, True)])
        # The built-in text stays readable, to restore it (saved as the next version).
        builtin = self.get("/api/v1/templates/letter-visit?lang=zh&version=builtin").json
        self.assertTrue(builtin["builtin"])
        self.assertNotIn("deal.nmae", builtin["body"])
        self.assertEqual(self.get("/api/v1/templates/no-such?version=builtin").status, 404)
        # Written over version 1 while 2 was saved: refused, nothing saved.
        stale = self.post("/api/v1/templates", dict(body, base_version=1))
        self.assertEqual((stale.status, stale.json["error"]["field"]), (412, "base_version"), stale)
        fresh = self.post("/api/v1/templates", dict(body, base_version=2))
        self.assertEqual((fresh.status, fresh.json["version"]), (201, 3), fresh)
        # The English one is still the built-in one.
        self.assertTrue(self.get("/api/v1/templates/letter-visit?lang=en").json["builtin"])

    def test_a_syntax_error_names_its_line_and_column_and_saves_nothing(self):
        body = {"key": "broken-letter", "lang": "zh", "kind": "letter",
                "name": {"zh": "坏", "en": "Broken"}, "body": "第一行\n第二行 {{#contacts}}\n第三行\n"}
        r = self.post("/api/v1/templates", body)
        self.assertEqual((r.status, r.json["error"]["code"], r.json["error"]["field"]),
                         (422, "template_syntax", "body"), r)
        self.assertIn("line 2, column 5", r.json["error"]["message"])
        self.assertEqual(self.get("/api/v1/templates/broken-letter?lang=zh").status, 404)

    def test_only_the_admin_saves_and_a_stranger_reads_no_document(self):
        sales = self.server.auth(self.unique("模板销售"), role="sales", team_id=None)
        r = self.request("POST", "/api/v1/templates", headers=sales, body={
            "key": "x", "lang": "zh", "kind": "other", "name": {"zh": "x", "en": "x"}, "body": "x"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.request("GET", "/api/v1/opportunities/%s/documents/letter-visit"
                                      % self.opp["id"], headers=sales).status, 404)
        self.assertEqual(self.request("GET", "/api/v1/opportunities/%s/documents/no-such"
                                      % self.opp["id"]).status, 404)

    def test_preview_a_text_being_written(self):
        r = self.post("/api/v1/opportunities/%s/document-preview" % self.opp["id"],
                      {"body": "## {{account.name}}\n\n{{deal.money.in_words}}"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["html"], "<h2>模板客户 &lt;b&gt;甲&lt;/b&gt;</h2>\n"
                                         "<p>人民币伍拾万元整</p>\n")
        self.assertEqual(r.json["unknown"], [])
        r = self.post("/api/v1/opportunities/%s/document-preview" % self.opp["id"],
                      {"body": "{{deal.nmae}}{{account.name}}"})
        self.assertEqual((r.json["names"], r.json["unknown"]),
                         (["deal.nmae", "account.name"], ["deal.nmae"]), r)
        r = self.post("/api/v1/opportunities/%s/document-preview" % self.opp["id"],
                      {"body": "{{#x}}"})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "body"), r)


if __name__ == "__main__":
    unittest.main()
