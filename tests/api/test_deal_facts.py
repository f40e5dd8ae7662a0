"""The shared facts of a deal have one home each (docs/playbook-schema.md,
"Where a deal's facts live"): the budget, the competitors and the expected
close are the deal's fields, the decision makers the account's contacts
whose buying role is decision_maker. Every worksheet that shows a fact — the
evaluation's MAN, MANT, 5W+2P — answers it from there ("facts"), and a write
through any of them lands there; MAN's answers follow the same data as MANT's
parts, so the two verdicts cannot disagree."""

import json
import shutil
import tempfile
import unittest

from bingfa_db import execute, fresh_db, query
from bingfa_server import BingfaServer, ServerTestCase

FORMS = ("evaluation", "mant", "5w2p")


class DealFactsTest(ServerTestCase):

    def setUp(self):
        self.account = self.make_account(name="温州市大数据局 " + self.unique("acc"))
        self.opp = self.make_opportunity(self.account["id"], name="城市大脑二期")
        self.oid = self.opp["id"]

    def url(self, form):
        return self.form_url(self.opp, form)

    def deal(self):
        r = self.get("/api/v1/opportunities/" + self.oid)
        self.assertEqual(r.status, 200, r)
        return r.json

    def facts_everywhere(self):
        """The facts as each worksheet answers them, which must all agree."""
        answers = {form: self.get_form(self.url(form)) for form in FORMS}
        first = answers["evaluation"]["facts"]
        for form in FORMS:
            self.assertEqual(answers[form]["facts"], first, form)
        return first, answers

    def question(self, answer, qid):
        return next(q for q in answer["result"]["questions"] if q["id"] == qid)

    def test_budget_written_through_man_is_read_everywhere(self):
        f = self.put_form(self.url("evaluation"),
                          {"money": {"answer": "yes", "evidence": "财政已批复"},
                           "facts": {"budget": 320000000}})
        self.assertEqual(f["facts"]["budget"], 320000000)
        # Not a copy in the form: the form keeps its own answers only.
        self.assertNotIn("facts", f["data"])
        self.assertEqual(self.deal()["budget"], 320000000)
        facts, answers = self.facts_everywhere()
        self.assertEqual(facts["budget"], 320000000)
        self.assertEqual(answers["mant"]["data"], None)  # MANT never saved ...
        self.assertNotIn("budget", answers["mant"]["result"]["parts"]["money"]["missing"])
        w = self.question(answers["5w2p"], "budget")
        self.assertEqual((w["shared"], w["fact"]), ("budget", 320000000))
        self.assertEqual(answers["5w2p"]["result"]["answered"], 1)

    def test_budget_through_mant_and_the_header(self):
        # MANT's money.budget is the deal's budget: written there ...
        f = self.put_form(self.url("mant"), {"money": {"budget": 5000000, "source": "自筹"}})
        self.assertEqual(f["data"]["money"], {"budget": 5000000, "source": "自筹"})
        self.assertEqual(self.deal()["budget"], 5000000)
        # ... and a change of the header's budget is what MANT shows next.
        d = self.deal()
        r = self.patch("/api/v1/opportunities/" + self.oid, {"budget": 7000000},
                       version=d["version"])
        self.assertEqual(r.status, 200, r)
        mant = self.get_form(self.url("mant"))
        self.assertEqual(mant["data"]["money"], {"budget": 7000000, "source": "自筹"})
        self.assertEqual(mant["facts"]["budget"], 7000000)
        self.assertEqual(self.get_form(self.url("5w2p"))["facts"]["budget"], 7000000)
        # A 5W+2P write lands there too; its text stays a note of its own.
        w = self.put_form(self.url("5w2p"), {"budget": "已列入年度预算",
                                             "facts": {"budget": 9000000}})
        self.assertEqual(w["data"], {"budget": "已列入年度预算"})
        self.assertEqual(self.deal()["budget"], 9000000)
        self.assertEqual(self.get_form(self.url("mant"))["data"]["money"]["budget"], 9000000)

    def test_decision_makers_written_through_man(self):
        kept = self.make_contact(self.account["id"], name="陈局", buying_role="approver")
        old = self.make_contact(self.account["id"], name="刘处", buying_role="decision_maker")
        f = self.put_form(self.url("evaluation"),
                          {"facts": {"decision_makers": ["陈局", "周主任"]}})
        self.assertEqual(sorted(f["facts"]["decision_makers"]), ["周主任", "陈局"])
        contacts = {c["name"]: c for c in
                    self.list_all("contacts", "account_id=" + self.account["id"])}
        # The home: the named contact takes the role, a new name is a new
        # contact, and the decision maker left out loses the role.
        self.assertEqual(contacts["陈局"]["buying_role"], "decision_maker")
        self.assertEqual(contacts["周主任"]["buying_role"], "decision_maker")
        self.assertIn(contacts["刘处"]["buying_role"], (None, ""))
        self.assertEqual(contacts["陈局"]["id"], kept["id"])
        self.assertEqual(contacts["刘处"]["id"], old["id"])
        facts, answers = self.facts_everywhere()
        self.assertEqual(sorted(facts["decision_makers"]), ["周主任", "陈局"])
        self.assertEqual(sorted(answers["mant"]["result"]["parts"]["authority"]["decision_makers"]),
                         ["周主任", "陈局"])
        w = self.question(answers["5w2p"], "decision_maker")
        self.assertEqual(sorted(w["fact"]), ["周主任", "陈局"])

    def test_competitors_written_through_5w2p(self):
        f = self.put_form(self.url("5w2p"), {"competitors": "两家国内厂商，价格战",
                                             "facts": {"competitors": ["华为", "新华三"]}})
        self.assertEqual(f["facts"]["competitors"], ["华为", "新华三"])
        self.assertEqual(self.deal()["competitors"], ["华为", "新华三"])
        facts, answers = self.facts_everywhere()
        self.assertEqual(facts["competitors"], ["华为", "新华三"])
        # The deal's own list (the competitors tab) is the same home.
        d = self.deal()
        r = self.patch("/api/v1/opportunities/" + self.oid, {"competitors": ["锐捷"]},
                       version=d["version"])
        self.assertEqual(r.status, 200, r)
        for form in FORMS:
            self.assertEqual(self.get_form(self.url(form))["facts"]["competitors"], ["锐捷"])
        # Written through MANT as well.
        self.put_form(self.url("mant"), {"facts": {"competitors": ["锐捷", "思科"]}})
        self.assertEqual(self.deal()["competitors"], ["锐捷", "思科"])

    def test_timing_is_the_expected_close(self):
        self.put_form(self.url("mant"), {"facts": {"expected_close": "2027-03-31"}})
        self.assertEqual(self.deal()["expected_close"], "2027-03-31")
        w = self.get_form(self.url("5w2p"))
        self.assertEqual(self.question(w, "timetable")["fact"], "2027-03-31")
        self.assertEqual(w["facts"]["expected_close"], "2027-03-31")

    def man_and_mant(self):
        ev = self.get_form(self.url("evaluation"))["result"]
        mant = self.get_form(self.url("mant"))["result"]
        return ev, mant

    def assertAgree(self, ev, mant):
        """MANT's parts are the stricter test: a complete one makes MAN's part
        yes, so MANT 齐全 is MAN's M+A+N and MAN's 条件不足 an incomplete MANT."""
        parts = mant["parts"]
        for man_part, mant_part in (("money", "money"), ("authority", "authority"),
                                    ("need", "needs")):
            if parts[mant_part]["complete"]:
                self.assertEqual(ev["man"]["answers"][man_part], "yes", man_part)
                self.assertEqual(ev["man"]["sources"][man_part], "facts", man_part)
            else:
                self.assertEqual(ev["man"]["sources"][man_part], "form", man_part)
        if mant["complete"]:
            self.assertEqual(ev["man"]["class"], "M+A+N")
        if ev["man"]["class"] == "other":
            self.assertFalse(mant["complete"])

    def test_man_and_mant_verdicts_agree(self):
        # MAN says no money and no authority by hand: 条件不足 …
        self.put_form(self.url("evaluation"), {"money": {"answer": "no"},
                                               "authority": {"answer": "no"},
                                               "need": {"answer": "unknown"}})
        ev, mant = self.man_and_mant()
        self.assertEqual(ev["man"]["class"], "other")
        self.assertEqual(ev["man"]["sources"], {"money": "form", "authority": "form",
                                                "need": "form"})
        self.assertAgree(ev, mant)
        # … then MANT gets its data complete: MANT 齐全, and MAN, reading the
        # same data, can no longer say 条件不足.
        for role in ("approver", "decision_maker", "evaluator", "coach"):
            self.make_contact(self.account["id"], name="圈内 " + role, buying_role=role)
        ev, mant = self.man_and_mant()
        self.assertEqual(ev["man"]["answers"], {"money": "no", "authority": "yes",
                                                "need": "unknown"})
        self.assertAgree(ev, mant)
        self.put_form(self.url("mant"), {
            "money": {"budget": 8000000, "source": "市财政", "approved": True,
                      "in_place": True},
            "needs": ["视频汇聚", "算力调度", "数据共享"],
            "time": {"tender_month": "2027-01", "go_live": "2027-06-30"}})
        ev, mant = self.man_and_mant()
        self.assertTrue(mant["complete"])
        self.assertEqual(ev["man"]["class"], "M+A+N")
        self.assertEqual(ev["man"]["answers"], {"money": "yes", "authority": "yes",
                                                "need": "yes"})
        self.assertAgree(ev, mant)
        # The budget cut to 0 in the deal's header: MANT's money part fails, and
        # MAN's M is the form's own "no" again.
        d = self.deal()
        r = self.patch("/api/v1/opportunities/" + self.oid, {"budget": 0}, version=d["version"])
        self.assertEqual(r.status, 200, r)
        ev, mant = self.man_and_mant()
        self.assertEqual(mant["parts"]["money"]["missing"], ["budget"])
        self.assertFalse(mant["complete"])
        self.assertEqual((ev["man"]["answers"]["money"], ev["man"]["class"]), ("no", "m+A+N"))
        self.assertAgree(ev, mant)
        # The form itself keeps what was said by hand.
        self.assertEqual(self.get_form(self.url("evaluation"))["data"]["money"], {"answer": "no"})

    def test_null_clears_a_fact_from_any_worksheet(self):
        self.put_form(self.url("mant"), {"facts": {
            "budget": 5000000, "expected_close": "2027-03-31", "competitors": ["华为"],
            "decision_makers": ["陈局"]}})
        d = self.deal()
        self.assertEqual((d["budget"], d["expected_close"]), (5000000, "2027-03-31"))
        # A worksheet's body that leaves a fact out leaves it as it is.
        self.put_form(self.url("evaluation"), {"money": {"answer": "yes"}})
        self.assertEqual(self.deal()["budget"], 5000000)
        # The budget emptied in MAN: null clears it in its home, and every
        # worksheet then shows it empty (MANT's money part misses it again).
        f = self.put_form(self.url("evaluation"), {"money": {"answer": "yes"},
                                                   "facts": {"budget": None}})
        self.assertIsNone(f["facts"]["budget"])
        self.assertIsNone(self.deal()["budget"])
        facts, answers = self.facts_everywhere()
        self.assertIsNone(facts["budget"])
        self.assertIn("budget", answers["mant"]["result"]["parts"]["money"]["missing"])
        self.assertNotIn("budget", answers["mant"]["data"]["money"])
        self.assertIsNone(self.question(answers["5w2p"], "budget")["fact"])
        # The expected close emptied in MANT, the competitors and the decision
        # makers in 5W+2P (null is the empty list, as [] is).
        self.put_form(self.url("mant"), {"facts": {"expected_close": None}})
        self.assertIsNone(self.deal()["expected_close"])
        self.put_form(self.url("5w2p"), {"facts": {"competitors": None,
                                                   "decision_makers": None}})
        d = self.deal()
        self.assertEqual((d["budget"], d["expected_close"], d["competitors"]), (None, None, []))
        contacts = self.list_all("contacts", "account_id=" + self.account["id"])
        self.assertEqual([c["name"] for c in contacts if c.get("buying_role") == "decision_maker"],
                         [])
        facts, answers = self.facts_everywhere()
        self.assertEqual(facts, {"budget": None, "competitors": [], "decision_makers": [],
                                 "expected_close": None})
        w = answers["5w2p"]["result"]["questions"]
        for qid in ("budget", "timetable", "competitors", "decision_maker"):
            self.assertIn(next(q for q in w if q["id"] == qid)["fact"], (None, []), qid)
        # Clearing what is already empty changes nothing.
        before = self.deal()
        self.put_form(self.url("mant"), {"facts": {"budget": None, "expected_close": None}})
        self.assertEqual(self.deal()["version"], before["version"])

    def test_the_document_says_null_clears(self):
        doc = self.server.openapi()
        facts = doc["components"]["schemas"]["DealFacts"]["properties"]
        for name in ("budget", "expected_close", "competitors", "decision_makers"):
            self.assertIn("null", facts[name]["type"], name)
            self.assertIn("null", facts[name]["description"], name)

    def test_a_partner_fills_the_worksheet_but_does_not_change_the_deal(self):
        # A channel partner fills forms but changes no deal (docs/access.md):
        # the same budget is no change; another one is refused, nothing stored.
        pid = self.create("partners", {"name": "渠道 " + self.unique("p")})["id"]
        r = self.request("PUT", "/api/v1/opportunities/%s/partners/%s" % (self.oid, pid))
        self.assertIn(r.status, (200, 201), r)
        d = self.deal()
        self.assertEqual(self.patch("/api/v1/opportunities/" + self.oid, {"budget": 600},
                                    version=d["version"]).status, 200)
        hdr = self.server.auth(self.unique("partner"), role="partner", partner_id=pid)
        same = self.request("PUT", self.url("mant"), body={"money": {"budget": 600,
                                                                     "source": "自筹"}},
                            headers=hdr)
        self.assertEqual(same.status, 200, same)
        self.assertEqual(same.json["data"]["money"], {"budget": 600, "source": "自筹"})
        before = self.deal()
        self.assertError(self.request("PUT", self.url("mant"), body={"money": {"budget": 700}},
                                      headers=hdr), 403, "forbidden", "facts")
        self.assertEqual(self.get_form(self.url("mant"))["data"]["money"],
                         {"budget": 600, "source": "自筹"})
        self.assertEqual(self.deal()["version"], before["version"])

    def test_a_refused_fact_stores_nothing(self):
        before = self.deal()
        self.assertRefused(self.url("evaluation"), {"facts": {"budget": -1}}, "facts.budget")
        self.assertRefused(self.url("5w2p"), {"facts": {"expected_close": "明年"}},
                           "facts.expected_close")
        self.assertEqual(self.deal()["version"], before["version"])


class DealFactsMigrationTest(unittest.TestCase):
    """Schema version 35 (SQLite and PostgreSQL alike): MANT's own copy of the
    budget goes to the deal; where the deal had one, the deal's is kept."""

    AT = "2026-11-02T08:00:00Z"

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bingfa-facts-")
        self.db = fresh_db(self.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_mant_budget_moves_to_the_deal(self):
        BingfaServer(db=self.db, tmpdir=self.tmp, schema_version=34)
        deals = (("opp_fact0001", None, 7000000),   # only MANT knew the budget
                 ("opp_fact0002", 100, 900),        # both: the deal's own is kept
                 ("opp_fact0003", 300, None))       # MANT without a budget
        execute(self.db, "INSERT INTO accounts (id, version, created_at, updated_at, name) "
                "VALUES ('acc_fact0001', 1, ?, ?, '迁移客户')", (self.AT, self.AT))
        for oid, budget, mant_budget in deals:
            execute(self.db,
                    "INSERT INTO opportunities (id, version, created_at, updated_at, "
                    "account_id, name, amount, currency, budget, playbook, stage, "
                    "probability, status, competitors, products) VALUES (?, 1, ?, ?, "
                    "'acc_fact0001', ?, 0, 'CNY', %s, 'ruijie-6', 'problem', 10, 'open', "
                    "'[]', '[]')" % ("NULL" if budget is None else int(budget)),
                    (oid, self.AT, self.AT, "商机 " + oid))
            money = {"source": "自筹", "approved": True}
            if mant_budget is not None:
                money["budget"] = mant_budget
            execute(self.db,
                    "INSERT INTO forms (owner_kind, owner_id, form, data, version, updated_at, "
                    "updated_by) VALUES ('opportunity', ?, 'mant', ?, 1, ?, 'qian.jiu')",
                    (oid, json.dumps({"money": money, "needs": ["一"]}, ensure_ascii=False),
                     self.AT))
        s = BingfaServer(db=self.db, init=False, tmpdir=self.tmp)
        try:
            s.start()
            for oid, budget, mant_budget in deals:
                want = budget if budget is not None else mant_budget
                d = s.get("/api/v1/opportunities/" + oid)
                self.assertEqual(d.status, 200, d)
                self.assertEqual(d.json["budget"], want, oid)
                f = s.get("/api/v1/opportunities/%s/mant" % oid).json
                self.assertEqual(f["facts"]["budget"], want, oid)
                self.assertEqual(f["data"]["money"], {"source": "自筹", "approved": True,
                                                      "budget": want})
                self.assertEqual(f["data"]["needs"], ["一"])
            s.stop()
        finally:
            s.cleanup()
        for oid, data in query(self.db, "SELECT owner_id, data FROM forms WHERE form = 'mant'"):
            self.assertNotIn("budget", json.loads(data)["money"], oid)
        # Only the deal that took MANT's budget changed.
        versions = dict(query(self.db, "SELECT id, version FROM opportunities"))
        self.assertEqual(versions, {"opp_fact0001": 2, "opp_fact0002": 1, "opp_fact0003": 1})


if __name__ == "__main__":
    unittest.main()
