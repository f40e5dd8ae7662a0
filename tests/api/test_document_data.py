"""What a document's template reads about a deal (GET
/opportunities/{id}/document-data): the deal with its money in words, the
account, contacts by buying role, team, forms, primary quotation, contract,
competitors and today's date — as the caller sees it. Through the real
server."""

import datetime
import unittest

from bingfa_server import ServerTestCase, sign_contract


class DocumentDataTest(ServerTestCase):

    def test_the_deal_and_all_around_it(self):
        acc = self.make_account(name="文档数据客户", industry="制造")
        boss = self.make_contact(acc["id"], name="王总", buying_role="decision_maker",
                                 notes="内部：偏好国产")
        self.make_contact(acc["id"], name="李工", buying_role="evaluator")
        opp = self.make_opportunity(acc["id"], name="文档数据商机", amount=123456789,
                                    competitors=["甲公司"])
        sign_contract(self.server, opp["id"])
        d = self.get("/api/v1/opportunities/%s/document-data" % opp["id"])
        self.assertEqual(d.status, 200, d)
        d = d.json
        self.assertEqual(d["today"]["iso"], datetime.datetime.utcnow().date().isoformat())
        y, m, day = (int(x) for x in d["today"]["iso"].split("-"))
        self.assertEqual(d["today"]["zh"], "%d年%d月%d日" % (y, m, day))
        self.assertEqual(d["deal"]["name"], "文档数据商机")
        self.assertEqual(d["deal"]["money"], {"fen": 123456789, "yuan": "1,234,567.89",
                                              "in_words": "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"})
        self.assertEqual(d["account"]["industry"], "制造")
        self.assertEqual(sorted(c["name"] for c in d["contacts"]), ["李工", "王总"])
        self.assertEqual([c["name"] for c in d["buying_centre"]["decision_maker"]], ["王总"])
        self.assertEqual(d["competitors"], ["甲公司"])
        self.assertEqual(d["contract"]["plan"]["first_payment_received"], True)
        self.assertEqual(d["quotation"]["status"], "accepted")
        self.assertIsInstance(d["forms"], dict)
        self.assertIn("tester", [m["name"] for m in d["team"]] + [d["deal"].get("owner")])
        # A partner registered on the deal reads it without what is internal.
        partner = self.create("partners", {"name": self.unique("文档伙伴")})
        ph = self.server.auth(self.unique("文档伙伴用户"), role="partner",
                              partner_id=partner["id"])
        self.assertEqual(self.get("/api/v1/opportunities/%s/document-data" % opp["id"],
                                  headers=ph).status, 404)
        self.request("PUT", "/api/v1/opportunities/%s/partners/%s" % (opp["id"], partner["id"]))
        seen = self.get("/api/v1/opportunities/%s/document-data" % opp["id"], headers=ph).json
        boss_seen = [c for c in seen["contacts"] if c["name"] == "王总"][0]
        self.assertNotIn("notes", boss_seen)
        self.assertEqual(seen["forms"], {})
        self.assertIsNone(seen["tender"])
        self.assertNotIn("margin", seen["quotation"]["totals"])
        self.assertEqual(boss["notes"], "内部：偏好国产")


if __name__ == "__main__":
    unittest.main()
