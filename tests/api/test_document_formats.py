"""Documents of a deal as files, read back the way a person reads them.

The PDF (format=pdf): its text extracted with poppler's pdftotext holds the
Chinese text, the deal's name, the header and the footer (第 N 页 / 共 M 页,
or Page N of M); a proposal whose quotation has many lines runs over several
pages with the table's header row repeated on each; what a user typed —
markup characters, Pango markup, quotes, control characters — comes out as
the text it is. Every page is also rendered to PNG (pdftoppm -r 50) into the
test output directory for a person to look at: $BINGFA_TEST_OUTPUT, else
test-output/ beside the binary under test (a build directory, never
committed).

The Word file (format=docx): LibreOffice opens it headlessly and prints it
to PDF, whose text holds the headings, the table cells, the deal's name and
the Chinese text.

pdftotext, pdftoppm and soffice come with `sh scripts/setup test` (make test)."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from bingfa_server import ServerTestCase, bingfa_bin

LINES = 60  # quotation lines: the proposal's table of them spans pages

# Typed by a user into the deal's and the account's names and fields.
HOSTILE_DEAL = "水务<b>粗体</b> & \"引号\" '单引' <span foreground=\"red\">红</span> &amp; <i>"
HOSTILE_ACCOUNT = "客户 <u>下划线</u> & 公司 </span>"
CONTROL = "前\x01\x07\x1b后"  # the control characters are dropped, the rest stays


def output_dir():
    """Where the PNG pages go: document_formats-STORE/ in $BINGFA_TEST_OUTPUT,
    else in test-output/ in the build directory of the binary under test."""
    d = os.environ.get("BINGFA_TEST_OUTPUT") or os.path.join(
        os.path.dirname(os.path.abspath(bingfa_bin())), "test-output")
    # one directory a store: the SQLite and the PostgreSQL runs go at once
    d = os.path.join(d, "document_formats-" + os.environ.get("BINGFA_TEST_STORE", "sqlite"))
    os.makedirs(d, exist_ok=True)
    return d


def squeeze(text):
    """Text without white space: pdftotext spaces Chinese and breaks lines
    as the layout does, not as the source did."""
    return re.sub(r"\s+", "", text)


def run(cmd, timeout=120, **kw):
    r = subprocess.run(cmd, capture_output=True, timeout=timeout, **kw)
    if r.returncode != 0:
        raise AssertionError("%s exited %d: %s" % (cmd[0], r.returncode,
                                                  r.stderr.decode("utf-8", "replace")[-2000:]))
    return r.stdout


def pdf_text(path, first=None, last=None):
    cmd = ["pdftotext", "-enc", "UTF-8"]
    if first:
        cmd += ["-f", str(first), "-l", str(last or first)]
    return run(cmd + [path, "-"]).decode("utf-8")


def pdf_pages(path):
    info = run(["pdfinfo", path]).decode("utf-8")
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdf_title(path):
    info = run(["pdfinfo", "-enc", "UTF-8", path]).decode("utf-8")
    m = re.search(r"^Title:\s+(.*)$", info, re.M)
    return m.group(1) if m else None


@unittest.skipUnless(shutil.which("pdftotext") and shutil.which("pdftoppm"),
                     "poppler-utils is missing: sh scripts/setup test")
class DocumentFormatsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.tmp = tempfile.mkdtemp(prefix="bingfa-docs-")
        cls.out = output_dir()
        # A deal as the demo has them: a customer with its profile, a buying
        # centre, products, competitors, and a quotation of many lines.
        acc = s.post("/api/v1/accounts", {
            "name": "东湖市水务集团有限公司", "industry": "公用事业·水务", "region": "湖北·武汉",
            "employees": 3200, "branches": 12, "existing_systems": "用友 U8、自建营收系统"}).json
        for name, role, title in (("周建国", "decision_maker", "总经理"),
                                  ("陈晓燕", "approver", "财务总监"),
                                  ("刘洋", "evaluator", "信息中心主任"),
                                  ("孙丽", "user", "营收部经理")):
            s.post("/api/v1/contacts", {"account_id": acc["id"], "name": name,
                                        "buying_role": role, "title": title})
        cls.deal_name = "东湖水务智慧营收一期"
        cls.opp = s.post("/api/v1/opportunities", {
            "account_id": acc["id"], "name": cls.deal_name, "amount": 268000000,
            "products": ["智慧营收", "管网 GIS", "移动抄表"],
            "competitors": ["某国际软件公司", "本地集成商"],
            "compelling_event": "省住建厅年底前完成智慧水务试点验收"}).json
        lines = [{"name": "营收模块%02d" % i, "unit_price": 1000000 + 1000 * i, "quantity": 1 + i % 5}
                 for i in range(1, LINES + 1)]
        q = s.post("/api/v1/opportunities/%s/quotations" % cls.opp["id"], {"lines": lines})
        if q.status != 201:
            raise AssertionError("quotation: %r" % (q,))
        # A deal whose every name a user typed is made of markup.
        bad = s.post("/api/v1/accounts", {"name": HOSTILE_ACCOUNT,
                                          "industry": "制造 & <b>加工</b>"}).json
        cls.bad = s.post("/api/v1/opportunities", {
            "account_id": bad["id"], "name": HOSTILE_DEAL, "amount": 100,
            "products": ["<b>模块</b> & \"甲\"", CONTROL]}).json

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def fetch(self, opp, key, fmt, lang="zh"):
        """The document as a file in the temporary directory: its path."""
        r = self.request("GET", "/api/v1/opportunities/%s/documents/%s?format=%s&lang=%s"
                         % (opp["id"], key, fmt, lang))
        self.assertEqual(r.status, 200, r)
        path = os.path.join(self.tmp, "%s-%s-%s.%s" % (opp["id"][-6:], key, lang, fmt))
        with open(path, "wb") as f:
            f.write(r.raw)
        return r, path

    def pngs(self, path, name):
        """Every page of the PDF as PNG for a person to look at."""
        prefix = os.path.join(self.out, name)
        for old in os.listdir(self.out):
            if old.startswith(name + "-") and old.endswith(".png"):
                os.unlink(os.path.join(self.out, old))
        run(["pdftoppm", "-r", "50", "-png", path, prefix])
        made = [f for f in os.listdir(self.out) if f.startswith(name + "-")]
        self.assertEqual(len(made), pdf_pages(path))

    def test_the_proposal_as_a_pdf(self):
        r, path = self.fetch(self.opp, "proposal", "pdf")
        self.assertEqual(r.headers["Content-Type"], "application/pdf")
        disposition = r.headers["Content-Disposition"]
        self.assertTrue(disposition.startswith('attachment; filename="document.pdf"; '
                                               "filename*=UTF-8''"), disposition)
        self.assertTrue(disposition.endswith(".pdf"), disposition)
        self.assertTrue(r.raw.startswith(b"%PDF-"))
        pages = pdf_pages(path)
        self.assertGreater(pages, 1)
        self.assertEqual(pdf_title(path), "解决方案建议书")
        text = squeeze(pdf_text(path))
        for words in (self.deal_name, "解决方案建议书", "第一章项目背景", "东湖市水务集团有限公司",
                      "公用事业·水务", "周建国（总经理）", "智慧营收", "本章导读：介绍贵司概况",
                      "营收模块01", "营收模块%02d" % LINES):
            self.assertIn(squeeze(words), text)
        self.assertNotIn("{{", text)
        # Every page: the title in its header, its number in its footer.
        for n in range(1, pages + 1):
            page = squeeze(pdf_text(path, n))
            self.assertIn("第%d页/共%d页" % (n, pages), page)
            self.assertTrue(page.startswith("解决方案建议书"), page[:80])
        self.pngs(path, "proposal-zh")

    def test_a_table_over_pages_repeats_its_header_row(self):
        _, path = self.fetch(self.opp, "proposal", "pdf")
        pages = pdf_pages(path)
        # Table 6.1 (产品／服务 | 单位 | 数量) holds the quotation's lines.
        on = {n: squeeze(pdf_text(path, n)) for n in range(1, pages + 1)}
        first = [n for n in on if "营收模块01" in on[n]]
        last = [n for n in on if "营收模块%02d" % LINES in on[n]]
        self.assertEqual(len(first), 1)
        self.assertEqual(len(last), 1)
        self.assertGreater(last[0], first[0], "the table does not span pages")
        for n in range(first[0], last[0] + 1):
            self.assertIn("产品／服务单位数量", on[n], "page %d has no header row" % n)
        # each line once, in order
        rows = re.findall(r"营收模块(\d\d)", "".join(on[n] for n in sorted(on)))
        self.assertEqual(rows, ["%02d" % i for i in range(1, LINES + 1)])

    def test_the_quotation_and_a_letter_in_english(self):
        _, path = self.fetch(self.opp, "quotation", "pdf", lang="en")
        pages = pdf_pages(path)
        text = squeeze(pdf_text(path))
        self.assertIn(squeeze(self.deal_name), text)
        self.assertIn("Page1of%d" % pages, text)
        self.assertIn("营收模块07", text)
        self.pngs(path, "quotation-en")
        _, path = self.fetch(self.opp, "letter-visit", "pdf")
        self.assertEqual(pdf_pages(path), 1)
        text = squeeze(pdf_text(path))
        self.assertIn("拜访函", text)
        self.assertIn("东湖市水务集团有限公司", text)
        self.assertIn("第1页/共1页", text)
        self.pngs(path, "letter-visit-zh")

    def test_what_a_user_typed_is_printed_as_typed(self):
        for key in ("proposal", "letter-visit"):
            with self.subTest(key=key):
                _, path = self.fetch(self.bad, key, "pdf")
                raw = pdf_text(path)
                text = squeeze(raw)
                self.assertIn(squeeze(HOSTILE_ACCOUNT), text)
                if key == "proposal":
                    self.assertIn(squeeze(HOSTILE_DEAL), text)
                    self.assertIn(squeeze("<b>模块</b> & \"甲\""), text)
                    self.assertIn("前后", text)  # the control characters left out
                    self.assertIn(squeeze("制造 & <b>加工</b>"), text)
                for c in "\x01\x07\x1b":
                    self.assertNotIn(c, raw)
                self.pngs(path, "typed-" + key)

    def test_an_unknown_format_is_refused(self):
        r = self.request("GET", "/api/v1/opportunities/%s/documents/proposal?format=odt"
                         % self.opp["id"])
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["field"], "format")
        self.assertIn("pdf", r.json["error"]["message"])

    def test_the_openapi_document_declares_every_format(self):
        doc = self.get("/api/v1/openapi.json").json
        ok = doc["paths"]["/api/v1/opportunities/{id}/documents/{key}"]["get"]["responses"]["200"]
        content = ok["content"]
        self.assertEqual(content["application/pdf"]["schema"],
                         {"type": "string", "format": "binary"})
        self.assertEqual(content["application/vnd.openxmlformats-officedocument."
                                 "wordprocessingml.document"]["schema"]["format"], "binary")
        self.assertIn("text/html", content)
        self.assertIn("text/markdown", content)

    @unittest.skipUnless(shutil.which("soffice"),
                         "LibreOffice is missing: sh scripts/setup test")
    def test_libreoffice_reads_the_word_file(self):
        _, path = self.fetch(self.opp, "proposal", "docx")
        profile = tempfile.mkdtemp(prefix="bingfa-soffice-")
        outdir = os.path.join(self.tmp, "soffice")
        try:
            run(["soffice", "--headless", "--norestore",
                 "-env:UserInstallation=file://" + profile,
                 "--convert-to", "pdf", "--outdir", outdir, path], timeout=240,
                env=dict(os.environ, HOME=profile))
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        pdf = os.path.join(outdir, os.path.basename(path)[:-len(".docx")] + ".pdf")
        self.assertTrue(os.path.exists(pdf), os.listdir(outdir))
        self.assertGreater(pdf_pages(pdf), 1)
        text = squeeze(pdf_text(pdf))
        for words in (self.deal_name, "解决方案建议书", "方案摘要", "第一章项目背景",
                      "第六章成本评估", "客户名称", "东湖市水务集团有限公司", "公用事业·水务",
                      "产品／服务", "营收模块01", "营收模块%02d" % LINES,
                      "本章导读：介绍贵司概况、项目的由来与目标"):
            self.assertIn(squeeze(words), text)
        self.assertNotIn("{{", text)
        self.pngs(pdf, "proposal-docx-libreoffice")


if __name__ == "__main__":
    unittest.main()
