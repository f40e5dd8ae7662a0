"""The tender record (招投标), the selection scoring table (选型评分表), the
target-customer profile (目标客户定位) and deal health (商机健康度).

The tender's result carries the procurement advisor's answer for its facts
and the bid simulation of its scheme (the same as POST /api/v1/tools/...);
the profile scores an account from its own fields and the profile form; the
health score moves by exactly the penalty of the factor that is fixed.
Expected figures are worked out by hand in the comments."""

import copy
import datetime
import unittest

import bingfa_db
from bingfa_server import ServerTestCase
from test_tools import ADVICE, BID, three_competitors


# The ten bid steps (标书制作十步): the tasks of a tender record by default.
BID_STEPS = 10


def utc(days_ago=0, hours=0):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days_ago,
                                                                          hours=hours)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class TenderTest(ServerTestCase):

    FACTS = {"amount": 10000000000, "qualified_suppliers": 5, "technically_complex": True}
    RECORD = {
        "procurement_method": "public_tender",
        "number": "GZ-ZB-2026-018",
        "dates": {"documents": "2026-03-02", "qa": "2026-03-09", "submission": "2026-03-23",
                  "opening": "2026-03-23", "award_notice": "2026-03-30"},
        "tasks": [{"step": "通读招标文件两遍", "owner": "王五", "due": "2026-03-04", "done": True},
                  {"step": "制定投标策略", "owner": "赵六", "due": "2026-03-10", "done": True},
                  {"step": "述标演练", "owner": "王五", "due": "2026-03-22", "done": False}],
        "opening_record": [{"bidder": "我方", "price": 9800000000},
                           {"bidder": "华为", "price": 9500000000, "note": "含三年维保"},
                           {"bidder": "新华三", "price": 0, "note": "报价为零，待澄清"}],
        "result": "pending",
        "result_note": "等待评标结果",
    }

    def setUp(self):
        acc = self.make_account(name="广州市公安局 " + self.unique("acc"))
        self.opp = self.make_opportunity(acc["id"], name="视频专网改造", stage="procure")
        self.url = self.form_url(self.opp, "tender")

    def test_defaults(self):
        f = self.get_form(self.url)
        self.assertEqual((f["data"], f["result"], f["version"]), (None, None, 0))
        f = self.put_form(self.url, {})
        tasks = f["data"]["tasks"]
        self.assertEqual(len(tasks), BID_STEPS)
        self.assertEqual(len({t["step"] for t in tasks}), BID_STEPS)
        self.assertTrue(all(t["done"] is False and t["step"] for t in tasks))
        self.assertEqual(f["data"]["result"], "pending")
        self.assertEqual(f["result"], {"tender": f["data"], "advice": None, "simulation": None,
                                       "tasks_done": 0, "tasks_total": BID_STEPS,
                                       "warnings": []})

    def test_full_record_with_advice_and_simulation(self):
        body = dict(self.RECORD, facts=self.FACTS, scheme=three_competitors())
        f = self.put_form(self.url, body, user="wang.wu")
        self.assertEqual(f["data"], body)
        self.assertEqual(f["updated_by"], "wang.wu")
        res = f["result"]
        self.assertEqual(res["tender"], body)
        self.assertEqual((res["tasks_done"], res["tasks_total"]), (2, 3))
        # Three bidders opened: the tender stands.
        self.assertEqual(res["warnings"], [])
        # The advice and the simulation are the tools' own answers.
        self.assertEqual(res["advice"], self.post(ADVICE, self.FACTS).json)
        self.assertEqual(res["advice"]["recommended"], "competitive_negotiation")
        self.assertEqual(res["simulation"], self.post(BID, three_competitors()).json)
        self.assertEqual((res["simulation"]["us_rank"], res["simulation"]["winning_price"]),
                         (2, 98019801))
        g = self.get_form(self.url)
        self.assertEqual((g["data"], g["result"], g["version"]), (body, res, 1))

    def test_public_tender_with_fewer_than_three_bidders_fails(self):
        two = dict(self.RECORD, opening_record=self.RECORD["opening_record"][:2])
        f = self.put_form(self.url, two)
        self.assertEqual([w["code"] for w in f["result"]["warnings"]], ["tender_fails"])
        self.assertTrue(f["result"]["warnings"][0]["text"]["zh"])
        one = dict(self.RECORD, opening_record=self.RECORD["opening_record"][:1])
        self.assertEqual([w["code"] for w in self.put_form(self.url, one)["result"]["warnings"]],
                         ["tender_fails"])
        # Three: no warning; no opening yet: none; another method: none.
        for body in (self.RECORD, dict(self.RECORD, opening_record=[]),
                     {k: v for k, v in two.items() if k != "procurement_method"},
                     dict(two, procurement_method="invited_tender"),
                     dict(two, procurement_method="competitive_negotiation")):
            with self.subTest(method=body.get("procurement_method"),
                              bidders=len(body["opening_record"])):
                self.assertEqual(self.put_form(self.url, body)["result"]["warnings"], [])

    def test_an_item_met_by_the_tender_names_its_result_in_words(self):
        # ruijie-6's contract stage is left by the award notice: the tender's result.
        self.put_form(self.url, dict(self.RECORD, result="won"))
        path = "/api/v1/opportunities/%s/checklist?stage=contract&lang=" % self.opp["id"]
        for lang, words in (("zh", "招投标记录：结果 中标"), ("en", "Tender record: result Won")):
            r = self.get(path + lang)
            self.assertEqual(r.status, 200, r.raw)
            item = next(i for i in r.json["items"] if i["id"] == "award-notice")
            self.assertEqual((item["evidence"], item["done"]), (words, True))

    def test_dates_in_order(self):
        ok = [{"documents": "2026-03-02", "opening": "2026-03-02"},
              {"qa": "2026-03-09", "award_notice": "2026-04-01"},
              {"submission": "2026-03-23"}, {}]
        for dates in ok:
            with self.subTest(dates=dates):
                self.assertEqual(self.put_form(self.url, {"dates": dates})["data"]["dates"], dates)
        bad = [
            ({"documents": "2026-03-10", "qa": "2026-03-09"}, "dates.qa"),
            ({"documents": "2026-03-10", "submission": "2026-03-05"}, "dates.submission"),
            (dict(self.RECORD["dates"], opening="2026-03-22"), "dates.opening"),
            (dict(self.RECORD["dates"], award_notice="2026-03-01"), "dates.award_notice"),
        ]
        for dates, field in bad:
            with self.subTest(dates=dates):
                self.assertRefused(self.url, {"dates": dates}, field, "out_of_order")
        self.assertRefused(self.url, {"dates": {"opening": "2026-02-30"}}, "dates.opening",
                           "invalid_date")
        self.assertRefused(self.url, {"dates": {"bid_bond": "2026-03-01"}}, "dates.bid_bond",
                           "unknown_field")

    def test_invalid_records_store_nothing(self):
        self.put_form(self.url, self.RECORD)

        def rec(**changes):
            return dict(self.RECORD, **changes)

        opening = self.RECORD["opening_record"]
        no_price = [opening[0], {"bidder": "华为"}, opening[2]]
        scheme_99 = three_competitors()
        scheme_99["weights"]["technical"] = 39
        scheme_neg = three_competitors()
        scheme_neg["bidders"][1]["price"] = -1
        scheme_none = three_competitors()
        del scheme_none["bidders"][2]["price"]
        cases = [
            (rec(procurement_method="auction"), "procurement_method", "invalid_value"),
            (rec(result="draw"), "result", "invalid_value"),
            (rec(number="号" * 101), "number", "too_long"),
            (rec(opening_record=no_price), "opening_record[1].price", "required"),
            (rec(opening_record=[{"bidder": "华为", "price": -9500000000}]),
             "opening_record[0].price", "negative"),
            (rec(opening_record=[{"bidder": "华为", "price": "9500 万"}]),
             "opening_record[0].price", "wrong_type"),
            (rec(opening_record=[{"price": 100}]), "opening_record[0].bidder", "required"),
            (rec(tasks=[{"owner": "王五"}]), "tasks[0].step", "required"),
            (rec(tasks=[{"step": "密封", "done": "yes"}]), "tasks[0].done", "wrong_type"),
            (rec(tasks=[{"step": "密封", "due": "03/20"}]), "tasks[0].due", "invalid_date"),
            (rec(facts={"amount": -1}), "facts.amount", "out_of_range"),
            (rec(facts={"budget": 1}), "facts.budget", "unknown_field"),
            (rec(facts={"add_on": True, "add_on_amount": 1}), "facts.original_contract_amount",
             "required"),
            (rec(scheme=scheme_99), "scheme.weights", "weights_sum"),
            (rec(scheme=scheme_neg), "scheme.bidders[1].price", "negative"),
            (rec(scheme=scheme_none), "scheme.bidders[2].price", "required"),
            (rec(scheme={}), "scheme.weights", "required"),
            (rec(winner="华为"), "winner", "unknown_field"),
        ]
        for body, field, code in cases:
            with self.subTest(field=field):
                self.assertRefused(self.url, body, field, code)
        self.assertEqual(self.get_form(self.url)["data"], self.RECORD)


    def test_a_bad_list_element_is_named(self):
        # Like every other form (vendors[2], indicators[0], bidders[1]), the
        # element that is not an object is the field named.
        self.assertRefused(self.url, {"tasks": [{"step": "密封"}, "装订"]}, "tasks[1]",
                           "wrong_type")
        self.assertRefused(self.url, {"opening_record": [{"bidder": "华为", "price": 1}, 7]},
                           "opening_record[1]", "wrong_type")


class SelectionScoringTest(ServerTestCase):

    CRITERIA = [{"id": "technical", "name": "技术方案", "weight": 45},
                {"id": "price", "name": "价格", "weight": 25},
                {"id": "service", "name": "服务", "weight": 20},
                {"id": "brand", "name": "品牌", "weight": 10}]

    @staticmethod
    def vendor(name, technical, price, service, brand, us=False):
        v = {"name": name, "scores": {"technical": technical, "price": price, "service": service,
                                      "brand": brand}}
        if us:
            v["us"] = True
        return v

    def table(self, us_technical=8.5):
        return {"criteria": copy.deepcopy(self.CRITERIA),
                "vendors": [self.vendor("我方", us_technical, 7.01, 9, 6, us=True),
                            self.vendor("华为", 9, 6, 8, 9.5),
                            self.vendor("新华三", 8.7, 7.6, 7, 8),
                            self.vendor("中兴", 8, 8.5, 8, 6.9)]}

    def setUp(self):
        acc = self.make_account(name="深圳市教育局 " + self.unique("acc"))
        self.opp = self.make_opportunity(acc["id"], name="智慧校园网", stage="shortlist")
        self.url = self.form_url(self.opp, "selection-scoring")

    def test_worked_example(self):
        f = self.put_form(self.url, self.table())
        # Normalised: every vendor has "us".
        self.assertEqual([v["us"] for v in f["data"]["vendors"]], [True, False, False, False])
        self.assertEqual(f["data"]["criteria"], self.CRITERIA)
        res = f["result"]
        # total = Σ weight × score / 10, in thousandths of a point:
        # 我方   45×8.50 + 25×7.01 + 20×9 + 10×6.9… → 382.50 + 175.25 + 180 + 60 = 797.75 / 10
        #        = 79.775 → 79.78 (half up)
        # 华为   45×9 + 25×6 + 20×8 + 10×9.5 = 405 + 150 + 160 + 95 = 810 / 10 = 81.00
        # 新华三 45×8.7 + 25×7.6 + 20×7 + 10×8 = 391.5 + 190 + 140 + 80 = 801.5 / 10 = 80.15
        # 中兴   45×8 + 25×8.5 + 20×8 + 10×6.9 = 360 + 212.5 + 160 + 69 = 801.5 / 10 = 80.15
        # Ranked by total, ties by name (中兴 before 新华三 in code points), competition
        # ranks 1, 2, 2, 4.
        self.assertEqual([(v["name"], v["total"]["value"], v["total"]["hundredths"], v["rank"],
                           v["us"]) for v in res["vendors"]],
                         [("华为", "81.00", 8100, 1, False), ("中兴", "80.15", 8015, 2, False),
                          ("新华三", "80.15", 8015, 2, False), ("我方", "79.78", 7978, 4, True)])
        self.assertEqual((res["leader"], res["us_rank"]), ("华为", 4))
        # The gap uses the exact totals: 81.000 − 79.775 = 1.225 → 1.23, not
        # 81.00 − 79.78 = 1.22.
        self.assertEqual(res["gap_to_leader"], {"value": "1.23", "hundredths": 123})

        # Our technical score to 10: 45×10 = 450 instead of 382.5 → 865.25 / 10
        # = 86.525 → 86.53, first.
        f = self.put_form(self.url, self.table(us_technical=10))
        res = f["result"]
        self.assertEqual([(v["name"], v["total"]["value"], v["rank"]) for v in res["vendors"]],
                         [("我方", "86.53", 1), ("华为", "81.00", 2), ("中兴", "80.15", 3),
                          ("新华三", "80.15", 3)])
        self.assertEqual((res["leader"], res["us_rank"], res["gap_to_leader"]),
                         ("我方", 1, {"value": "0.00", "hundredths": 0}))
        self.assertEqual(self.get_form(self.url)["result"], res)

    def test_invalid_tables_store_nothing(self):
        self.put_form(self.url, self.table())

        def with_criteria(weights):
            t = self.table()
            t["criteria"] = [dict(c, weight=w) for c, w in zip(self.CRITERIA, weights)]
            return t

        def with_score(i, key, value):
            t = self.table()
            t["vendors"][i]["scores"][key] = value
            return t

        def mutate(fn):
            t = self.table()
            fn(t)
            return t

        cases = [
            # 45 + 25 + 20 + 9 = 99, and 101.
            (with_criteria([45, 25, 20, 9]), "criteria", "weights_sum"),
            (with_criteria([45, 25, 20, 11]), "criteria", "weights_sum"),
            (with_criteria([45, 25, 30, 0]), "criteria[3].weight", "out_of_range"),
            (with_criteria([45, 25, 20, 9.5]), "criteria[3].weight", "wrong_type"),
            (with_score(1, "price", 10.5), "vendors[1].scores.price", "out_of_range"),
            (with_score(2, "brand", -1), "vendors[2].scores.brand", "out_of_range"),
            (with_score(3, "service", 11), "vendors[3].scores.service", "out_of_range"),
            (with_score(0, "technical", 8.125), "vendors[0].scores.technical",
             "too_many_decimals"),
            (with_score(0, "technical", "8"), "vendors[0].scores.technical", "wrong_type"),
            (with_score(1, "cost", 5), "vendors[1].scores.cost", "unknown_field"),
            (mutate(lambda t: t["vendors"][2]["scores"].pop("brand")), "vendors[2].scores.brand",
             "required"),
            (mutate(lambda t: t["vendors"][0].pop("us")), "vendors", "us_missing"),
            (mutate(lambda t: t["vendors"][3].update(us=True)), "vendors[3].us", "us_not_unique"),
            (mutate(lambda t: t["vendors"][3].update(name="华为")), "vendors[3].name",
             "duplicate"),
            (mutate(lambda t: t["criteria"][1].update(id="technical")), "criteria[1].id",
             "duplicate"),
            (mutate(lambda t: t["criteria"][0].update(id="Tech")), "criteria[0].id",
             "invalid_value"),
            (mutate(lambda t: t.update(vendors=[])), "vendors", "too_few"),
            (mutate(lambda t: t.pop("criteria")), "criteria", "required"),
            (mutate(lambda t: t.update(leader="华为")), "leader", "unknown_field"),
        ]
        for body, field, code in cases:
            with self.subTest(field=field, code=code):
                self.assertRefused(self.url, body, field, code)
        self.assertEqual(self.get_form(self.url)["result"]["us_rank"], 4)


class ProfileTest(ServerTestCase):
    """Account A: 60 employees, sales 2000000000 fen (20 million yuan, exactly
    the threshold), gross profit one fen under its 3 million yuan threshold,
    private, distribution, finance software and a CRM in use, 3 branches."""

    RULES = "/api/v1/settings/profile-rules"

    def setUp(self):
        self.account = self.make_account(
            name="华南医药分销 " + self.unique("acc"), employees=60, annual_revenue=2000000000,
            gross_profit=299999999, ownership="private", business_type="distribution",
            existing_systems="用友财务软件，自建 CRM", branches=3)
        self.url = self.form_url(self.account, "profile")

    def set(self, **fields):
        cur = self.get("/api/v1/accounts/" + self.account["id"]).json
        r = self.patch("/api/v1/accounts/" + self.account["id"], fields, version=cur["version"])
        self.assertEqual(r.status, 200, r)

    def score(self):
        res = self.get_form(self.url)["result"]
        return res["score"]["value"], res["grade"]

    def test_worked_example(self):
        f = self.get_form(self.url)
        self.assertEqual((f["form"], f["owner"], f["owner_id"], f["data"]),
                         ("profile", "account", self.account["id"], None))
        res = f["result"]
        points = {x["id"]: (x["weight"], x["points"]) for x in res["factors"]}
        # size: employees 60 ≥ 20 (distribution) +40, sales at the threshold +30,
        # gross profit under it +0 = 70; finance 40 + CRM 20 = 60; branches 100;
        # purchase plan unknown 0.
        self.assertEqual(points, {"size": (25, 70), "ownership": (15, 100),
                                  "business_type": (15, 100), "existing_systems": (15, 60),
                                  "branches": (10, 100), "purchase_plan": (20, 0)})
        for x in res["factors"]:
            self.assertTrue(x["name"]["zh"] and x["reason"]["zh"] and x["reason"]["en"])
        # 25×70 + 15×100 + 15×100 + 15×60 + 10×100 + 20×0
        # = 1750 + 1500 + 1500 + 900 + 1000 + 0 = 6650 → 66.50: B (60 ≤ 66.50 < 80).
        self.assertEqual(res["score"], {"value": "66.50", "hundredths": 6650})
        self.assertEqual((res["grade"], res["unknown"]), ("B", ["purchase_plan"]))

        # Buying within six months: + 20×100 → 8650 → 86.50: A.
        f = self.put_form(self.url, {"purchase_plan": "within_6_months", "note": "年中上线 ERP"})
        self.assertEqual(f["data"], {"purchase_plan": "within_6_months", "note": "年中上线 ERP"})
        self.assertEqual((f["result"]["score"]["value"], f["result"]["grade"],
                          f["result"]["unknown"]), ("86.50", "A", []))
        # Later: 20×30 = 600 instead of 2000 → 7250 → 72.50: B.
        self.put_form(self.url, {"purchase_plan": "later"})
        self.assertEqual(self.score(), ("72.50", "B"))
        # The account's own fields count at once. Gross profit at its threshold:
        # size +30 → 25×100 = 2500 instead of 1750 → 8000 → 80.00: A, the minimum.
        self.set(gross_profit=300000000)
        self.assertEqual(self.score(), ("80.00", "A"))
        # "ERP" alone is both finance and inventory: 40 + 40 = 80 → 15×80 = 1200
        # instead of 900 → 8300; "Enterprise" holds no "erp" word.
        self.set(existing_systems="Enterprise portal, ERP")
        self.assertEqual(self.score(), ("83.00", "A"))
        self.set(existing_systems="Enterprise portal")
        self.assertEqual(self.score(), ("71.00", "B"))
        # Processing: 60 points → 15×60 = 900 instead of 1500, and its employee
        # threshold is 50 (60 still meets it) → 7100 − 600 = 6500 → 65.00.
        self.set(business_type="processing")
        self.assertEqual(self.score(), ("65.00", "B"))
        # 49 employees miss it: size 60 → 25×60 = 1500 instead of 2500 → 55.00: C.
        self.set(employees=49)
        self.assertEqual(self.score(), ("55.00", "C"))
        # No branches: 30 points → 10×30 = 300 instead of 1000 → 48.00: C.
        self.set(branches=0)
        self.assertEqual(self.score(), ("48.00", "C"))
        # Government: 30 → 15×30 = 450 instead of 1500 → 37.50: D.
        self.set(ownership="government")
        self.assertEqual(self.score(), ("37.50", "D"))

    def test_unknown_facts(self):
        acc = self.make_account(name="信息不全的客户")
        res = self.get_form(self.form_url(acc, "profile"))["result"]
        self.assertEqual(res["score"], {"value": "0.00", "hundredths": 0})
        self.assertEqual(res["grade"], "D")
        self.assertEqual(res["unknown"], ["size", "ownership", "business_type",
                                          "existing_systems", "branches", "purchase_plan"])
        # Branches 0 is known (no branches): 10×30 = 300 → 3.00.
        r = self.patch("/api/v1/accounts/" + acc["id"], {"branches": 0}, version=1)
        self.assertEqual(r.status, 200, r)
        res = self.get_form(self.form_url(acc, "profile"))["result"]
        self.assertEqual(res["score"]["value"], "3.00")
        self.assertNotIn("branches", res["unknown"])

    def test_invalid_forms_store_nothing(self):
        self.put_form(self.url, {"purchase_plan": "within_year"})
        cases = [
            ({}, "purchase_plan", "required"),
            ({"purchase_plan": None}, "purchase_plan", "required"),
            ({"purchase_plan": "soon"}, "purchase_plan", "invalid_value"),
            ({"purchase_plan": 6}, "purchase_plan", "wrong_type"),
            ({"purchase_plan": "later", "note": "注" * 1001}, "note", "too_long"),
            ({"purchase_plan": "later", "budget": 5}, "budget", "unknown_field"),
        ]
        for body, field, code in cases:
            with self.subTest(body=body):
                self.assertRefused(self.url, body, field, code)
        self.assertEqual(self.get_form(self.url)["data"], {"purchase_plan": "within_year"})
        self.assertError(self.get("/api/v1/accounts/acc_nope0000/profile"), 404)

    def test_rules_are_settings(self):
        default = self.get(self.RULES).json
        self.addCleanup(self.request, "PUT", self.RULES, body=default, headers=self.manager_headers())
        self.assertEqual([(f["id"], f["weight"]) for f in default["factors"]],
                         [("size", 25), ("ownership", 15), ("business_type", 15),
                          ("existing_systems", 15), ("branches", 10), ("purchase_plan", 20)])
        self.put_form(self.url, {"purchase_plan": "later"})
        self.assertEqual(self.score(), ("72.50", "B"))
        rules = {"factors": [dict(f) for f in default["factors"]],
                 "grades": [{"grade": "A", "min": 90}, {"grade": "B", "min": 65},
                            {"grade": "C", "min": 40}, {"grade": "D", "min": 0}]}
        rules["factors"][0]["weight"] = 15
        rules["factors"][5]["weight"] = 30
        self.assertError(self.request("PUT", self.RULES, body=rules,
                                      headers=self.server.staff("li.si")), 403, "forbidden")
        self.assertEqual(self.get(self.RULES).json, default)
        r = self.request("PUT", self.RULES, body=rules, headers=self.manager_headers())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.get(self.RULES).json, rules)
        # size 15×70 = 1050, ownership 1500, business 1500, systems 15×60 = 900,
        # branches 1000, plan "later" 30×30 = 900 → 6850 → 68.50: B (65 ≤ 68.50 < 90).
        self.assertEqual(self.score(), ("68.50", "B"))
        bad_sum = {"factors": [dict(f) for f in default["factors"]], "grades": rules["grades"]}
        bad_sum["factors"][0]["weight"] = 24
        cases = [
            (bad_sum, "factors", "weights_sum"),
            (dict(rules, grades=[{"grade": "A", "min": 60}, {"grade": "B", "min": 70},
                                 {"grade": "C", "min": 0}]), "grades[1].min", "not_descending"),
            (dict(rules, grades=[{"grade": "A", "min": 60}, {"grade": "B", "min": 10}]),
             "grades[1].min", "invalid_value"),
            (dict(rules, version=2), "version", "unknown_field"),
        ]
        for body, field, code in cases:
            with self.subTest(field=field, code=code):
                self.assertError(self.request("PUT", self.RULES, body=body, headers=self.manager_headers()),
                                 422, code, field)
        self.assertEqual(self.get(self.RULES).json, rules)


class FormsGoWithTheirOwnerTest(ServerTestCase):

    def stored(self, owner_id):
        return sorted(r[0] for r in bingfa_db.query(
            self.server.db, "SELECT form FROM forms WHERE owner_id = ?", (owner_id,)))

    def test_deleting_the_owner_deletes_its_forms(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        self.put_form(self.form_url(opp, "5w2p"), {"motive": "扩容"})
        self.put_form(self.form_url(opp, "tender"), {})
        self.put_form(self.form_url(acc, "profile"), {"purchase_plan": "none"})
        self.assertEqual(self.stored(opp["id"]), ["5w2p", "tender"])
        self.assertEqual(self.stored(acc["id"]), ["profile"])
        self.assertEqual(self.delete("/api/v1/opportunities/" + opp["id"], version=1).status, 204)
        self.assertEqual(self.stored(opp["id"]), [])
        self.assertError(self.get(self.form_url(opp, "5w2p")), 404)
        self.assertEqual(self.stored(acc["id"]), ["profile"])
        self.assertEqual(self.delete("/api/v1/accounts/" + acc["id"], version=1).status, 204)
        self.assertEqual(self.stored(acc["id"]), [])


class HealthTest(ServerTestCase):

    WEIGHTS = {"gate": 20, "mant": 20, "ce": 10, "coach": 15, "activity": 15, "stage_age": 10,
               "competition": 10}
    CE = {"what": "老楼拆迁，数据中心必须搬迁", "by_when": "2026-08-31",
          "consequence": "逾期每天违约金 3 万元"}
    MANT = {"money": {"budget": 3000000000, "source": "专项债", "approved": True,
                      "in_place": True},
            "needs": ["双活数据中心", "零信任接入", "运维自动化"],
            "time": {"tender_month": "2026-07", "go_live": "2026-12-01"}}

    def setUp(self):
        self.account = self.make_account(name="某省农信社 " + self.unique("acc"))

    def health(self, opp):
        r = self.get("/api/v1/opportunities/%s/health" % opp["id"])
        self.assertEqual(r.status, 200, r)
        h = r.json
        self.assertEqual(h["opportunity_id"], opp["id"])
        factors = {f["id"]: f for f in h["factors"]}
        self.assertEqual({k: f["weight"] for k, f in factors.items()}, self.WEIGHTS)
        self.assertEqual(h["score"], 100 - sum(f["penalty"] for f in h["factors"]))
        self.assertEqual(h["level"], "good" if h["score"] >= 75 else
                         "watch" if h["score"] >= 50 else "at_risk")
        for f in h["factors"]:
            self.assertIs(f["ok"], f["penalty"] == 0, f)
            self.assertTrue(0 <= f["penalty"] <= f["weight"], f)
            for key in ("detail", "action"):
                self.assertTrue(f[key]["zh"] and f[key]["en"], f)
        h["by_id"] = factors
        return h

    def fix(self, opp, factor, action, gain=None, also=()):
        """Runs action and checks that the score rises by exactly the factor's
        penalty (or by gain), and that the other factors but those in also
        keep their penalties."""
        before = self.health(opp)
        penalty = before["by_id"][factor]["penalty"]
        self.assertGreater(penalty, 0, before["by_id"][factor])
        action()
        after = self.health(opp)
        self.assertEqual(after["score"] - before["score"],
                         penalty if gain is None else gain,
                         (factor, {k: v["penalty"] for k, v in after["by_id"].items()},
                          after["inputs"]))
        for f, v in after["by_id"].items():
            if f != factor and f not in also:
                self.assertEqual(v["penalty"], before["by_id"][f]["penalty"], f)
        return after

    def activity(self, opp, done_at, **fields):
        body = {"opportunity_id": opp["id"], "type": "visit", "done_at": done_at}
        body.update(fields)
        return self.create("activities", body)

    def selection(self, opp, we_lead):
        us, them = (9, 7) if we_lead else (7, 9)
        return self.put_form(self.form_url(opp, "selection-scoring"), {
            "criteria": [{"id": "technical", "name": "技术", "weight": 100}],
            "vendors": [{"name": "我方", "us": True, "scores": {"technical": us}},
                        {"name": "华为", "scores": {"technical": them}}]})

    def test_a_new_deal(self):
        opp = self.make_opportunity(self.account["id"], playbook="ruijie-6")
        h = self.health(opp)
        # Stage problem: 8 unmet items (5 criteria, 3 deliverables) → 20 × min(8, 4)/4
        # = 20; MANT: 4 parts missing → 20; no CE 10; no coach 15; no activity 15;
        # 0 of 60 typical days in stage 0; no competitor ahead 0 → 100 − 80 = 20.
        self.assertEqual(h["inputs"], {"unmet_gate_items": 8, "mant_gaps": 4,
                                       "has_compelling_event": False, "has_coach": False,
                                       "days_since_activity": -1, "cadence_days": 14,
                                       "days_in_stage": 0, "typical_days": 60,
                                       "competitor_ahead": False})
        self.assertEqual({k: f["penalty"] for k, f in h["by_id"].items()},
                         {"gate": 20, "mant": 20, "ce": 10, "coach": 15, "activity": 15,
                          "stage_age": 0, "competition": 0})
        self.assertEqual((h["score"], h["level"]), (20, "at_risk"))
        self.assertError(self.get("/api/v1/opportunities/opp_nope0000/health"), 404)

    def test_open_decisions_count_in_the_gate(self):
        # uss-5's stage intent: its exit criteria and the decision "vision".
        opp = self.make_opportunity(self.account["id"], playbook="uss-5", stage="intent")
        cl = self.get("/api/v1/opportunities/%s/checklist" % opp["id"]).json
        self.assertEqual([d["id"] for d in cl["decisions"]], ["vision"])
        h = self.health(opp)
        self.assertEqual(h["inputs"]["unmet_gate_items"], cl["unmet"])
        before = h["inputs"]["unmet_gate_items"]
        r = self.post("/api/v1/opportunities/%s/decisions/vision" % opp["id"], {"answer": "yes"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.health(opp)["inputs"]["unmet_gate_items"], before - 1)

    def test_fixing_a_factor_raises_the_score_by_its_penalty(self):
        opp = self.make_opportunity(self.account["id"], playbook="ruijie-6")
        self.assertEqual(self.health(opp)["score"], 20)
        # A coach (+15). MANT's authority still lacks three roles: no change there.
        h = self.fix(opp, "coach", lambda: self.make_contact(self.account["id"], name="周工",
                                                             buying_role="coach"))
        self.assertEqual((h["score"], h["inputs"]["mant_gaps"]), (35, 4))
        # A compelling event recorded (+10).
        h = self.fix(opp, "ce", lambda: self.put_form(self.form_url(opp, "compelling-event"),
                                                      self.CE))
        self.assertEqual(h["score"], 45)
        # An activity done now (+15): 0 days, within 14.
        h = self.fix(opp, "activity", lambda: self.activity(opp, utc()))
        self.assertEqual((h["score"], h["level"], h["inputs"]["days_since_activity"]),
                         (60, "watch", 0))
        # A selection scoring where a competitor leads costs 10; one where we
        # lead gives them back.
        self.selection(opp, we_lead=False)
        h = self.health(opp)
        self.assertEqual((h["score"], h["by_id"]["competition"]["penalty"]), (50, 10))
        self.assertIs(h["inputs"]["competitor_ahead"], True)
        h = self.fix(opp, "competition", lambda: self.selection(opp, we_lead=True))
        self.assertEqual(h["score"], 60)
        # MANT: money, needs and time complete, authority not: 1 gap → 20 × 1/4 = 5,
        # a gain of 15; then the approver, decision maker and evaluator: + 5.
        h = self.fix(opp, "mant", lambda: self.put_form(self.form_url(opp, "mant"), self.MANT),
                     gain=15)
        self.assertEqual((h["score"], h["level"], h["by_id"]["mant"]["penalty"]), (75, "good", 5))

        def buying_centre():
            for role in ("approver", "decision_maker", "evaluator"):
                self.make_contact(self.account["id"], buying_role=role)
        # MANT's authority complete: + 5, and the gate's derived mant-authority
        # with it, 4 unmet items down to 3 (ce-recorded is derived from the CE
        # form filled above): + 5.
        h = self.fix(opp, "mant", buying_centre, gain=10, also=("gate",))
        self.assertEqual((h["score"], h["inputs"]["mant_gaps"]), (85, 0))
        # The gate: a quarter of 20 per unmet item from 4 down. Its four MANT
        # items and the CE are derived, done with MANT and the CE complete;
        # the other three are ticked by hand.
        gate = [i for i in
                self.get("/api/v1/opportunities/%s/checklist" % opp["id"]).json["items"]
                if i["gate"]]
        self.assertEqual(len(gate), 8)
        self.assertEqual([(i["id"], i["done"]) for i in gate if i["derived"]],
                         [("mant-money", True), ("mant-authority", True), ("mant-need", True),
                          ("mant-time", True), ("ce-recorded", True)])
        items = [i["id"] for i in gate if not i["derived"]]
        self.assertEqual(len(items), 3)
        self.assertEqual(h["inputs"]["unmet_gate_items"], 3)
        for n, item in enumerate(items, 2):
            r = self.request("PUT", "/api/v1/opportunities/%s/checklist/%s" % (opp["id"], item),
                             body={"done": True, "evidence": "已核实"})
            self.assertEqual(r.status, 200, r)
            h = self.health(opp)
            unmet = 4 - n
            self.assertEqual(h["inputs"]["unmet_gate_items"], unmet)
            # 20 × min(unmet, 4) / 4 = 5 per item below 4.
            self.assertEqual(h["by_id"]["gate"]["penalty"], 5 * min(unmet, 4))
        self.assertEqual((h["score"], h["level"]), (100, "good"))
        self.assertTrue(all(f["ok"] for f in h["factors"]))
        # Losing the coach costs 15 again, MANT's authority too: 20 × 1/4 = 5,
        # and with it the gate's derived item mant-authority: 20 × 1/4 = 5.
        coach = [c for c in self.list_all("contacts", "account_id=" + self.account["id"])
                 if c["buying_role"] == "coach"][0]
        r = self.delete("/api/v1/contacts/" + coach["id"], version=coach["version"])
        self.assertEqual(r.status, 204, r)
        h = self.health(opp)
        self.assertEqual((h["inputs"]["unmet_gate_items"], h["inputs"]["mant_gaps"]), (1, 1))
        self.assertEqual({k: f["penalty"] for k, f in h["by_id"].items() if f["penalty"]},
                         {"coach": 15, "mant": 5, "gate": 5})
        self.assertEqual(h["score"], 75)

    def test_compelling_event_of_the_opportunity_record(self):
        opp = self.make_opportunity(self.account["id"])
        self.fix(opp, "ce", lambda: self.patch("/api/v1/opportunities/" + opp["id"],
                                               {"compelling_event": "年底前必须上线"}, version=1))
        # An incomplete CE form does not count.
        other = self.make_opportunity(self.account["id"])
        self.put_form(self.form_url(other, "compelling-event"), {"what": "搬迁"})
        self.assertIs(self.health(other)["inputs"]["has_compelling_event"], False)

    def test_rhythm_of_contact(self):
        # uss-5 does not use MANT: not scored. Its quick mode: 3 visits in 7 days,
        # a touch every 7 // 3 = 2 days.
        opp = self.make_opportunity(self.account["id"], playbook="uss-5", sales_mode="quick")
        h = self.health(opp)
        self.assertEqual((h["inputs"]["mant_gaps"], h["by_id"]["mant"]["penalty"]), (-1, 0))
        self.assertEqual(h["inputs"]["cadence_days"], 2)
        # Planned only: no activity yet.
        self.create("activities", {"opportunity_id": opp["id"], "type": "call",
                                   "planned_at": utc(-1)})
        self.assertEqual(self.health(opp)["inputs"]["days_since_activity"], -1)
        # 5 days ago: 15 × (5 − 2) / (2 × 2) = 45/4 → 11.
        self.activity(opp, utc(5, 1))
        h = self.health(opp)
        self.assertEqual((h["inputs"]["days_since_activity"], h["by_id"]["activity"]["penalty"]),
                         (5, 11))
        # An older one does not matter; the latest does: 2 days is within 2.
        self.activity(opp, utc(40))
        self.assertEqual(self.health(opp)["by_id"]["activity"]["penalty"], 11)
        self.activity(opp, utc(2, 1))
        h = self.health(opp)
        self.assertEqual((h["inputs"]["days_since_activity"], h["by_id"]["activity"]["penalty"]),
                         (2, 0))
        # The cadence follows the mode: consultative 30 // 5 = 6, strategic 90 // 7 = 12.
        for mode, cadence in (("consultative", 6), ("strategic", 12)):
            o = self.make_opportunity(self.account["id"], playbook="uss-5", sales_mode=mode)
            self.assertEqual(self.health(o)["inputs"]["cadence_days"], cadence)
        # Without a mode: 14 days. 30 days: 15 × 16/28 = 240/28 → 8;
        # 50 days: 15 × 36/28 → 19, capped at 15.
        o = self.make_opportunity(self.account["id"], playbook="uss-5")
        self.activity(o, utc(30, 1))
        h = self.health(o)
        self.assertEqual((h["inputs"]["cadence_days"], h["by_id"]["activity"]["penalty"]),
                         (14, 8))
        o = self.make_opportunity(self.account["id"], playbook="uss-5")
        self.activity(o, utc(50, 1))
        self.assertEqual(self.health(o)["by_id"]["activity"]["penalty"], 15)

    def test_competitor_ahead_in_the_tender_simulation(self):
        opp = self.make_opportunity(self.account["id"], stage="procure")
        url = self.form_url(opp, "tender")
        self.put_form(url, {"procurement_method": "public_tender",
                            "scheme": three_competitors()})
        h = self.health(opp)
        # We rank 2 at 100000000 (B leads).
        self.assertEqual((h["inputs"]["competitor_ahead"], h["by_id"]["competition"]["penalty"]),
                         (True, 10))
        # At the winning price we lead.
        self.fix(opp, "competition",
                 lambda: self.put_form(url, {"scheme": three_competitors(98019801)}))

    def test_every_contact_counts(self):
        # However many contacts the account has: 200 users, then the coach.
        opp = self.make_opportunity(self.account["id"])
        for i in range(200):
            self.make_contact(self.account["id"], name="用户%03d" % i, buying_role="user")
        self.fix(opp, "coach", lambda: self.make_contact(self.account["id"], name="周工",
                                                         buying_role="coach"))

    def test_every_activity_counts(self):
        # However many activities the deal has: 200 visits 60 days ago, then
        # one today.
        opp = self.make_opportunity(self.account["id"])
        old = utc(60)
        for i in range(200):
            self.activity(opp, old, subject="例行拜访 %d" % i)
        self.assertEqual(self.health(opp)["inputs"]["days_since_activity"], 60)
        h = self.fix(opp, "activity", lambda: self.activity(opp, utc(), subject="今天的拜访"))
        self.assertEqual(h["inputs"]["days_since_activity"], 0)

    def test_activity_with_an_unknown_contact_is_refused(self):
        opp = self.make_opportunity(self.account["id"])
        before = self.health(opp)
        r = self.post("/api/v1/activities", {"opportunity_id": opp["id"], "type": "visit",
                                             "done_at": utc(), "contacts": ["con_nope0000"]})
        self.assertError(r, 422, field="contacts")
        self.assertEqual(self.health(opp)["inputs"], before["inputs"])


if __name__ == "__main__":
    unittest.main()
