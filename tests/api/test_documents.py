"""Documents kept on deals and the handover at won, through the real server:
uploads whose extension must match their content, stored once by content
hash, versioned by name, downloaded under a safe name with the deal's
visibility (a partner only what is shared with it); linked to the checklist
deliverable they satisfy; and the handover package a won deal's
implementation user acknowledges once it is complete."""

import hashlib
import unittest
import urllib.parse

import http.client

from bingfa_server import ServerTestCase, win_deal

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DOCX = (b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 8 +
        b"word/document.xml" + b"\x00" * 8)
EXE = b"MZ\x90\x00\x03" + b"\x00" * 60


class DocumentsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.make_user("doc_sales", role="sales")
        s.make_user("doc_other", role="sales", team_id=None)
        s.make_user("doc_impl", role="implementation")
        p = s.post("/api/v1/partners", {"name": "文档渠道伙伴"})
        cls.partner_id = p.json["id"]
        s.make_user("doc_partner", role="partner", partner_id=cls.partner_id)

    def deal(self, owner="doc_sales"):
        acc = self.make_account()
        return self.make_opportunity(acc["id"], playbook="uss-5",
                                     owner_id=self.server.user_id(owner))

    def upload(self, opp_id, name, data, who=None, status=201, **query):
        q = {"name": name}
        q.update({k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items()})
        headers = {"Content-Type": "application/octet-stream"}
        if who:
            headers.update(self.server.auth(who) if "@" not in who else {})
        r = self.request("POST", "/api/v1/opportunities/%s/documents?%s" %
                         (opp_id, urllib.parse.urlencode(q)), raw=data, headers=headers)
        self.assertEqual(r.status, status, r)
        return r

    def test_an_upload_is_kept_by_hash_and_versioned_by_name(self):
        opp = self.deal()
        first = self.upload(opp["id"], "售前方案 v1.pdf", PDF, category="proposal").json
        self.assertEqual((first["name"], first["version"], first["content_type"], first["size"],
                          first["sha256"], first["category"], first["source"]),
                         ("售前方案 v1.pdf", 1, "application/pdf", len(PDF),
                          hashlib.sha256(PDF).hexdigest(), "proposal", "upload"))
        again = self.upload(opp["id"], "售前方案 v1.pdf", PDF + b"% two\n").json
        self.assertEqual(again["version"], 2)
        self.upload(opp["id"], "现场照片.png", PNG)
        items = self.get("/api/v1/opportunities/%s/documents" % opp["id"]).json["items"]
        # Newest first.
        self.assertEqual([(i["name"], i["version"], len(i["earlier"])) for i in items],
                         [("现场照片.png", 1, 0), ("售前方案 v1.pdf", 2, 1)])
        self.assertEqual(items[1]["earlier"][0]["id"], first["id"])
        # The bytes come back exactly, saved under the name.
        r = self.get(first["download"])
        self.assertEqual((r.status, r.raw, r.headers["Content-Type"]),
                         (200, PDF, "application/pdf"))
        disposition = r.headers["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment; filename=\""), disposition)
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote("售前方案 v1.pdf", safe=""),
                      disposition)
        # Each upload is audited on the deal.
        audit = self.get("/api/v1/audit?limit=200&record_id=" + opp["id"]).json
        actions = [e["action"] for e in audit["items"]]
        self.assertEqual(actions.count("document_add"), 3, actions)

    def test_a_name_must_say_what_the_content_is(self):
        opp = self.deal()
        cases = [("setup.exe", EXE, "name", "file_type"),
                 ("方案.pdf", EXE, "content", "content_mismatch"),
                 ("方案.docx", PDF, "content", "content_mismatch"),
                 ("照片.png", PDF, "content", "content_mismatch"),
                 ("page.html", b"<script>alert(1)</script>", "name", "file_type"),
                 ("图.svg", b"<svg onload=alert(1)>", "name", "file_type"),
                 ("空.pdf", b"", "content", "empty"),
                 ("..", PDF, "name", "invalid_value")]
        for name, data, field, code in cases:
            with self.subTest(name=name):
                r = self.upload(opp["id"], name, data, status=422)
                self.assertEqual((r.json["error"]["field"], r.json["error"]["code"]),
                                 (field, code), r)
        r = self.request("POST", "/api/v1/opportunities/%s/documents" % opp["id"], raw=PDF,
                         headers={"Content-Type": "application/pdf"})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "name"), r)
        self.assertEqual(self.get("/api/v1/opportunities/%s/documents" % opp["id"]).json["items"],
                         [])
        # A Word file is a ZIP with Word's parts: accepted as .docx, not as .xlsx.
        self.upload(opp["id"], "需求.docx", DOCX)
        self.upload(opp["id"], "需求.xlsx", DOCX, status=422)

    def test_names_are_made_safe_to_keep_and_to_download(self):
        opp = self.deal()
        evil = '../../etc/报价"单<1>|?*.pdf'
        d = self.upload(opp["id"], evil, PDF).json
        self.assertEqual(d["name"], "报价单1.pdf")
        bidi = "invoice\u202efdp.exe"  # right-to-left override hiding .exe
        r = self.upload(opp["id"], bidi + ".pdf", PDF).json
        self.assertNotIn("\u202e", r["name"])
        r = self.get(d["download"])
        self.assertNotIn("/", r.headers["Content-Disposition"].split("filename*=")[0])
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")

    def announce(self, path, length):
        """POSTs headers announcing a body of length bytes, with Expect:
        100-continue, and sends none: the status the server answers (100
        when it would read the body)."""
        conn = self.server.connection()
        try:
            conn.putrequest("POST", path)
            conn.putheader("Authorization", "Bearer " + self.server.token)
            conn.putheader("Content-Type", "application/octet-stream")
            conn.putheader("Content-Length", str(length))
            conn.putheader("Expect", "100-continue")
            conn.endheaders()
            line = conn.sock.makefile("rb").readline().decode()
            return int(line.split()[1])
        finally:
            conn.close()

    def test_a_file_over_the_upload_limit_is_refused_unread(self):
        opp = self.deal()
        # Announced too large: answered before a byte of the body is sent.
        url = "/api/v1/opportunities/%s/documents?name=big.pdf" % opp["id"]
        self.assertEqual(self.announce(url, 20 * 1024 * 1024 + 1), 413)
        self.assertEqual(self.announce(url, 20 * 1024 * 1024), 100)
        # Over the JSON limit (1 MiB) is fine for a file.
        big = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)
        d = self.upload(opp["id"], "大文件.pdf", big).json
        self.assertEqual(d["size"], len(big))
        self.assertEqual(self.get(d["download"]).raw, big)
        # JSON routes keep their own limit.
        self.assertEqual(self.announce("/api/v1/accounts", 2 << 20), 413)

    def test_documents_follow_the_deals_visibility(self):
        opp = self.deal()
        d = self.upload(opp["id"], "内部评估.pdf", PDF).json
        other = self.server.auth("doc_other")
        for url in ("/api/v1/documents/" + d["id"], d["download"],
                    "/api/v1/opportunities/%s/documents" % opp["id"]):
            with self.subTest(url=url):
                self.assertEqual(self.get(url, headers=other).status, 404)
        r = self.request("PUT", "/api/v1/documents/" + d["id"], body={"category": "other"},
                         headers=other)
        self.assertEqual(r.status, 404, r)
        self.assertEqual(self.delete("/api/v1/documents/" + d["id"], headers=other).status, 404)
        owner = self.server.auth("doc_sales")
        self.assertEqual(self.get(d["download"], headers=owner).status, 200)

    def test_a_partner_sees_only_what_is_shared_with_it(self):
        opp = self.deal()
        r = self.request("PUT", "/api/v1/opportunities/%s/partners/%s" %
                         (opp["id"], self.partner_id), body={})
        self.assertIn(r.status, (200, 201), r)
        internal = self.upload(opp["id"], "底价测算.pdf", PDF).json
        shared = self.upload(opp["id"], "方案建议书.pdf", PDF + b"%s\n", shared=True).json
        partner = self.server.auth("doc_partner")
        listed = self.get("/api/v1/opportunities/%s/documents" % opp["id"], headers=partner)
        self.assertEqual([i["id"] for i in listed.json["items"]], [shared["id"]], listed)
        self.assertEqual(self.get(internal["download"], headers=partner).status, 404)
        self.assertEqual(self.get("/api/v1/documents/" + internal["id"], headers=partner).status,
                         404)
        self.assertEqual(self.get(shared["download"], headers=partner).status, 200)
        # What a partner uploads stays shared with it.
        mine = self.upload(opp["id"], "渠道拜访纪要.txt", "纪要".encode(), who="doc_partner").json
        self.assertTrue(mine["shared"])
        # Changing it to unshared is refused for the partner.
        r = self.request("PUT", "/api/v1/documents/" + mine["id"],
                         body={"category": "minutes", "shared": False}, headers=partner)
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "shared"), r)

    def test_change_and_delete_keep_bytes_another_version_shares(self):
        opp = self.deal()
        a = self.upload(opp["id"], "合同扫描.pdf", PDF).json
        b = self.upload(opp["id"], "合同扫描-副本.pdf", PDF).json  # the same bytes
        self.assertEqual(a["sha256"], b["sha256"])
        r = self.request("PUT", "/api/v1/documents/" + a["id"],
                         body={"category": "contract", "note": "双方盖章版", "shared": False})
        self.assertEqual((r.status, r.json["category"], r.json["note"]),
                         (200, "contract", "双方盖章版"), r)
        r = self.request("PUT", "/api/v1/documents/" + a["id"], body={"category": "bogus"})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "category"), r)
        self.assertEqual(self.delete("/api/v1/documents/" + a["id"]).status, 204)
        self.assertEqual(self.get("/api/v1/documents/" + a["id"]).status, 404)
        self.assertEqual(self.get(b["download"]).raw, PDF)
        # A partner on the deal may not remove the owner's documents it sees.
        r = self.request("PUT", "/api/v1/opportunities/%s/partners/%s" %
                         (opp["id"], self.partner_id), body={})
        self.assertIn(r.status, (200, 201), r)
        r = self.request("PUT", "/api/v1/documents/" + b["id"],
                         body={"category": "contract", "shared": True})
        self.assertEqual(r.status, 200, r)
        partner = self.server.auth("doc_partner")
        self.assertEqual(self.get(b["download"], headers=partner).status, 200)
        self.assertEqual(self.delete("/api/v1/documents/" + b["id"], headers=partner).status, 403)

    def test_a_document_links_a_deliverable_of_the_deals_playbook(self):
        opp = self.deal()
        c = self.get("/api/v1/opportunities/%s/checklist" % opp["id"]).json
        deliverable = next(i for i in c["items"] if i["type"] == "deliverable")
        d = self.upload(opp["id"], "评价表.pdf", PDF, item_id=deliverable["id"]).json
        self.assertEqual(d["item_id"], deliverable["id"])
        r = self.upload(opp["id"], "x.pdf", PDF, item_id="no-such-item", status=422)
        self.assertEqual(r.json["error"]["field"], "item_id")
        criterion = next(i for i in c["items"] if i["type"] == "criterion")
        r = self.upload(opp["id"], "x.pdf", PDF, item_id=criterion["id"], status=422)
        self.assertEqual(r.json["error"]["field"], "item_id")


class HandoverTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.make_user("ho_sales", role="sales")
        cls.server.make_user("ho_impl", role="implementation")

    def won_deal(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"], playbook="uss-5",
                                    owner_id=self.server.user_id("ho_sales"))
        r = self.request("PUT", "/api/v1/opportunities/%s/team/%s" %
                         (opp["id"], self.server.user_id("ho_impl", role="implementation")),
                         body={"role": "implementation"})
        self.assertIn(r.status, (200, 201), r)
        win_deal(self.server, opp["id"])
        return opp, acc

    def upload(self, opp_id, name, category):
        r = self.request("POST", "/api/v1/opportunities/%s/documents?%s" % (
            opp_id, urllib.parse.urlencode({"name": name, "category": category})), raw=PDF,
            headers={"Content-Type": "application/pdf"})
        self.assertEqual(r.status, 201, r)

    def test_an_open_deal_has_no_handover(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"], playbook="uss-5")
        r = self.get("/api/v1/opportunities/%s/handover" % opp["id"])
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "not_won"), r)

    def test_the_package_fills_up_and_implementation_acknowledges_it(self):
        opp, acc = self.won_deal()
        url = "/api/v1/opportunities/%s/handover" % opp["id"]
        h = self.get(url).json
        self.assertEqual((h["status"], h["complete"]), ("incomplete", False))
        # uss-5 is won on the signed contract's first payment: that part is in.
        self.assertEqual(set(h["missing"]), {"service_contract", "statement_of_work",
                                             "research_results", "proposal", "commitments",
                                             "project_lead"})
        self.assertEqual([u["name"] for u in h["implementers"]], ["ho_impl"])
        # The waiting list flags it incomplete, for the owner and for implementation.
        impl = self.server.auth("ho_impl")
        for who in (None, self.server.auth("ho_sales"), impl):
            waiting = self.get("/api/v1/handovers", headers=who).json["items"]
            mine = [w for w in waiting if w["opportunity_id"] == opp["id"]]
            self.assertEqual([(w["status"], w["complete"]) for w in mine],
                             [("incomplete", False)], waiting)
        # Implementation cannot acknowledge an incomplete package.
        r = self.post(url + "/acknowledge", headers=impl)
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "incomplete"), r)
        self.assertIn("proposal", r.json["missing"])
        # Sales completes it: documents by category, the commitments and the
        # customer's project lead.
        for name, cat in (("服务合同.pdf", "service_contract"), ("工作说明书.pdf", "statement_of_work"),
                          ("需求分析报告.pdf", "needs_report"), ("方案建议书.pdf", "proposal")):
            self.upload(opp["id"], name, cat)
        lead = self.make_contact(acc["id"], name="刘主任", title="信息中心主任", phone="13900000000")
        other_acc = self.make_account()
        stranger = self.make_contact(other_acc["id"], name="外人")
        r = self.request("PUT", url, body={"project_lead_id": stranger["id"]},
                         headers={"If-Match": '"%d"' % h["version"]})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "project_lead_id"), r)
        r = self.request("PUT", url, body={"commitments": "免费培训两次；上线后三个月驻场",
                                           "project_lead_id": lead["id"]},
                         headers={"If-Match": '"%d"' % h["version"]})
        self.assertEqual(r.status, 200, r)
        h = r.json
        self.assertEqual((h["status"], h["complete"], h["missing"]), ("ready", True, []), h)
        self.assertEqual(h["project_lead"]["name"], "刘主任")
        contract = next(i for i in h["items"] if i["key"] == "contract")
        self.assertTrue(contract["done"] and contract["signed_on"], contract)
        # The handover document reads the package: files, commitments, lead, receiver.
        md = self.get("/api/v1/opportunities/%s/documents/handover?format=html" %
                      opp["id"]).raw.decode()
        for text in ("免费培训两次", "刘主任", "信息中心主任", "方案建议书.pdf（第1版）",
                     "工作说明书.pdf（第1版）", "ho_impl"):
            self.assertIn(text, md)
        data = self.get("/api/v1/opportunities/%s/document-data" % opp["id"]).json
        self.assertEqual((data["handover"]["status"], data["stage"]["id"]),
                         ("ready", self.get("/api/v1/opportunities/" + opp["id"]).json["stage"]))
        # A stale write is refused.
        r = self.request("PUT", url, body={"commitments": "x"}, headers={"If-Match": '"1"'})
        self.assertEqual(r.status, 412, r)
        # Only implementation acknowledges; then it is closed, and audited.
        r = self.post(url + "/acknowledge", {"note": "已收到"}, headers=self.server.auth("ho_sales"))
        self.assertEqual(r.status, 403, r)
        r = self.post(url + "/acknowledge", {"note": "资料齐全，已收到"}, headers=impl)
        self.assertEqual((r.status, r.json["status"], r.json["acknowledged_by"]),
                         (200, "acknowledged", "ho_impl"), r)
        self.assertEqual(self.post(url + "/acknowledge", headers=impl).status, 409)
        r = self.request("PUT", url, body={"commitments": "改"},
                         headers={"If-Match": '"%d"' % r.json["version"]})
        self.assertEqual((r.status, r.json["error"]["code"]), (409, "acknowledged"), r)
        waiting = self.get("/api/v1/handovers", headers=impl).json["items"]
        self.assertNotIn(opp["id"], [w["opportunity_id"] for w in waiting])
        audit = self.get("/api/v1/audit?limit=200&record_id=" + opp["id"]).json
        ack = [e for e in audit["items"] if e["action"] == "handover_acknowledge"]
        self.assertEqual([e["actor"] for e in ack], ["ho_impl"], audit)

    def test_implementation_reads_the_package_documents(self):
        opp, _ = self.won_deal()
        self.upload(opp["id"], "方案建议书.pdf", "proposal")
        impl = self.server.auth("ho_impl")
        h = self.get("/api/v1/opportunities/%s/handover" % opp["id"], headers=impl)
        self.assertEqual(h.status, 200, h)
        proposal = next(i for i in h.json["items"] if i["key"] == "proposal")
        self.assertEqual(len(proposal["documents"]), 1)
        r = self.get(proposal["documents"][0]["download"], headers=impl)
        self.assertEqual((r.status, r.raw), (200, PDF))
        # Implementation reads, but does not write documents.
        r = self.request("POST", "/api/v1/opportunities/%s/documents?name=a.pdf" % opp["id"],
                         raw=PDF, headers=dict(impl, **{"Content-Type": "application/pdf"}))
        self.assertEqual(r.status, 403, r)


if __name__ == "__main__":
    unittest.main()
