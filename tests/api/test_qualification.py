"""The qualification forms of an opportunity: the evaluation 商机评价 (MAN
class, weighted indicators, recommended sales mode) and its settings, MANT
(authority from the account's contacts), 5W+2P and the compelling event.

A form is one JSON document per opportunity: GET answers the saved form (or
null) and what follows from it, PUT validates the whole form and stores it
(422 naming the field, and nothing stored, on bad input; 412 on a stale
If-Match). Expected results are worked out by hand in the comments."""

import threading
import unittest

from bingfa_server import ADMIN_NAME, ServerTestCase

# The default indicators and weights (GET /api/v1/settings/evaluation).
DEFAULT_WEIGHTS = {"budget_size": 25, "decision_maker_access": 20, "need_urgency": 20,
                   "solution_fit": 15, "competitive_position": 10, "relationship": 10}


def indicators(**scores):
    return [{"id": k, "score": v} for k, v in scores.items()]


def man(money="yes", authority="yes", need="yes"):
    return {"money": {"answer": money}, "authority": {"answer": authority},
            "need": {"answer": need}}


class EvaluationTest(ServerTestCase):

    def setUp(self):
        self.account = self.make_account(name="杭州市数据资源局 " + self.unique("acc"))
        self.opp = self.make_opportunity(self.account["id"], name="政务云网络扩容")
        self.url = self.form_url(self.opp, "evaluation")

    def set_mode(self, mode):
        cur = self.get("/api/v1/opportunities/" + self.opp["id"]).json
        r = self.patch("/api/v1/opportunities/" + self.opp["id"], {"sales_mode": mode},
                       version=cur["version"])
        self.assertEqual(r.status, 200, r)

    def test_nothing_saved_yet(self):
        f = self.get_form(self.url)
        self.assertEqual((f["form"], f["owner"], f["owner_id"], f["data"], f["version"],
                          f["updated_at"], f["updated_by"]),
                         ("evaluation", "opportunity", self.opp["id"], None, 0, None, None))
        self.assertEqual(f["result"]["man"]["class"], "other")
        self.assertEqual(f["result"]["score"], {"value": "0.00", "hundredths": 0})
        self.assertEqual(f["result"]["recommended_mode"], "quick")
        self.assertIsNone(f["result"]["warning"])

    def test_worked_example(self):
        body = {"money": {"answer": "yes", "evidence": "  财政预算已批复 "},
                "authority": {"answer": "yes"}, "need": {"answer": "yes", "evidence": None},
                "indicators": indicators(budget_size=80, decision_maker_access=60,
                                         need_urgency=90, solution_fit=70,
                                         competitive_position=50, relationship=40),
                "qualitative": {"score": 65, "note": "局长亲自过问"}}
        f = self.put_form(self.url, body, user="zhao.liu")
        self.assertEqual((f["version"], f["updated_by"]), (1, "zhao.liu"))
        # Normalised: evidence trimmed, null dropped.
        self.assertEqual(f["data"]["money"], {"answer": "yes", "evidence": "财政预算已批复"})
        self.assertEqual(f["data"]["need"], {"answer": "yes"})
        self.assertEqual(f["data"]["indicators"], body["indicators"])
        self.assertEqual(f["data"]["qualitative"], {"score": 65, "note": "局长亲自过问"})
        res = f["result"]
        self.assertEqual(res["man"]["class"], "M+A+N")
        self.assertTrue(res["man"]["label"]["zh"] and res["man"]["action"]["en"])
        # 25×80 + 20×60 + 20×90 + 15×70 + 10×50 + 10×40
        # = 2000 + 1200 + 1800 + 1050 + 500 + 400 = 6950 → 69.50 (weights sum to 100)
        self.assertEqual(res["score"], {"value": "69.50", "hundredths": 6950})
        # 40 ≤ 69.50 < 70: consultative.
        self.assertEqual(res["recommended_mode"], "consultative")
        self.assertEqual(res["qualitative"], 65)
        self.assertIsNone(res["chosen_mode"])
        self.assertIsNone(res["warning"])
        g = self.get_form(self.url)
        self.assertEqual((g["data"], g["result"], g["version"]), (f["data"], res, 1))

    def test_man_classes(self):
        cases = [
            (man("yes", "yes", "yes"), "M+A+N"),
            (man("yes", "yes", "no"), "M+A+n"),
            (man("yes", "yes", "unknown"), "M+A+n"),
            (man("yes", "no", "yes"), "M+a+N"),
            (man("no", "yes", "yes"), "m+A+N"),
            (man("unknown", "yes", "yes"), "m+A+N"),
            (man("yes", "no", "no"), "other"),
            (man("no", "no", "no"), "other"),
            # Parts not given are "unknown": small letters.
            ({"money": {"answer": "yes"}, "need": {"answer": "yes"}}, "M+a+N"),
            ({}, "other"),
        ]
        actions = set()
        for body, cls in cases:
            with self.subTest(body=body):
                f = self.put_form(self.url, body)
                self.assertEqual(f["result"]["man"]["class"], cls)
                for part in ("money", "authority", "need"):
                    self.assertIn(f["data"][part]["answer"], ("yes", "no", "unknown"))
                actions.add(f["result"]["man"]["action"]["zh"])
        self.assertEqual(f["data"], {"money": {"answer": "unknown"},
                                     "authority": {"answer": "unknown"},
                                     "need": {"answer": "unknown"}, "indicators": []})
        # Every class has its own action.
        self.assertEqual(len(actions), 5)

    def test_recommended_mode_follows_the_thresholds(self):
        cases = [
            # 25×100 + 20×70 = 3900 → 39.00 < 40: quick.
            (dict(budget_size=100, decision_maker_access=70), "39.00", "quick"),
            # every indicator 40 → 40.00, the consultative threshold itself.
            ({k: 40 for k in DEFAULT_WEIGHTS}, "40.00", "consultative"),
            # 25×79 + 20×100 + 20×100 + 15×68 = 1975 + 4000 + 1020 = 6995 → 69.95.
            (dict(budget_size=79, decision_maker_access=100, need_urgency=100, solution_fit=68),
             "69.95", "consultative"),
            # solution_fit 69: + 15 → 7010 → 70.10: strategic.
            (dict(budget_size=79, decision_maker_access=100, need_urgency=100, solution_fit=69),
             "70.10", "strategic"),
            ({k: 70 for k in DEFAULT_WEIGHTS}, "70.00", "strategic"),
            ({k: 100 for k in DEFAULT_WEIGHTS}, "100.00", "strategic"),
            # One indicator scored, the others count 0: 10×1 = 10 → 0.10.
            (dict(relationship=1), "0.10", "quick"),
        ]
        for scores, value, mode in cases:
            with self.subTest(scores=scores):
                f = self.put_form(self.url, {"indicators": indicators(**scores)})
                self.assertEqual(f["result"]["score"]["value"], value)
                self.assertEqual(f["result"]["score"]["hundredths"],
                                 int(value.replace(".", "")))
                self.assertEqual(f["result"]["recommended_mode"], mode)

    def test_mode_below_recommendation(self):
        # 6950 → 69.50: consultative recommended.
        body = dict(man(), indicators=indicators(budget_size=80, decision_maker_access=60,
                                                 need_urgency=90, solution_fit=70,
                                                 competitive_position=50, relationship=40))
        self.set_mode("quick")
        f = self.put_form(self.url, body)
        res = f["result"]
        self.assertEqual((res["recommended_mode"], res["chosen_mode"]), ("consultative", "quick"))
        self.assertEqual(res["warning"]["code"], "mode_below_recommendation")
        self.assertIn("顾问", res["warning"]["text"]["zh"])
        self.assertIn("快刀", res["warning"]["text"]["zh"])
        # The result follows the opportunity's mode without saving the form again.
        for mode, warned in (("consultative", False), ("strategic", False), ("quick", True)):
            with self.subTest(mode=mode):
                self.set_mode(mode)
                g = self.get_form(self.url)
                self.assertEqual(g["version"], 1)
                self.assertEqual(g["result"]["chosen_mode"], mode)
                self.assertEqual(g["result"]["warning"] is not None, warned, g["result"])
        # Strategic recommended (all 80 → 80.00), consultative chosen: warned.
        self.set_mode("consultative")
        f = self.put_form(self.url, {"indicators": indicators(**{k: 80 for k in DEFAULT_WEIGHTS})})
        self.assertEqual(f["result"]["recommended_mode"], "strategic")
        self.assertEqual(f["result"]["warning"]["code"], "mode_below_recommendation")
        # Quick recommended: no mode is below it.
        f = self.put_form(self.url, {})
        self.assertEqual(f["result"]["recommended_mode"], "quick")
        self.assertIsNone(f["result"]["warning"])

    def test_a_mode_below_the_recommendation_is_a_managers_decision(self):
        # 防止大单做小: consultative recommended; the salesperson may choose it
        # or higher, not quick; a manager may.
        sales = self.server.auth("zhao.liu", role="sales")
        body = dict(man(), indicators=indicators(budget_size=80, decision_maker_access=60,
                                                 need_urgency=90, solution_fit=70,
                                                 competitive_position=50, relationship=40))
        self.assertEqual(self.put_form(self.url, body)["result"]["recommended_mode"],
                         "consultative")
        url = "/api/v1/opportunities/" + self.opp["id"]

        def choose(mode, headers):
            v = self.get(url).json["version"]
            return self.request("PATCH", url, body={"sales_mode": mode},
                                headers=dict(headers, **{"If-Match": '"%d"' % v}))
        r = choose("quick", sales)
        self.assertError(r, 403, "approval_required", "sales_mode")
        self.assertEqual((r.json["kind"], r.json["recommended"]), ("sales_mode", "consultative"))
        self.assertIsNone(self.get(url).json["sales_mode"])
        for mode in ("strategic", "consultative"):
            self.assertEqual(choose(mode, sales).status, 200)
        r = choose("quick", self.server.staff("经理", "manager"))
        self.assertEqual((r.status, r.json["sales_mode"]), (200, "quick"), r)

    def test_invalid_forms_store_nothing(self):
        self.put_form(self.url, dict(man(), indicators=indicators(budget_size=50)))
        cases = [
            ({"indicators": indicators(budget_size=50, weather=80)}, "indicators[1].id",
             "unknown_indicator"),
            ({"indicators": indicators(budget_size=101)}, "indicators[0].score", "out_of_range"),
            ({"indicators": indicators(relationship=-1)}, "indicators[0].score", "out_of_range"),
            ({"indicators": indicators(relationship=50.5)}, "indicators[0].score", "wrong_type"),
            ({"indicators": indicators(relationship="80")}, "indicators[0].score", "wrong_type"),
            ({"indicators": [{"id": "relationship"}]}, "indicators[0].score", "required"),
            ({"indicators": indicators(relationship=1) + indicators(relationship=2)},
             "indicators[1].id", "duplicate"),
            ({"indicators": {"relationship": 80}}, "indicators", "wrong_type"),
            ({"money": {"answer": "maybe"}}, "money.answer", "invalid_value"),
            ({"authority": {"evidence": "见过局长"}}, "authority.answer", "required"),
            ({"need": "yes"}, "need", "wrong_type"),
            ({"need": {"answer": "yes", "weight": 3}}, "need.weight", "unknown_field"),
            ({"qualitative": {"score": 101}}, "qualitative.score", "out_of_range"),
            ({"qualitative": {"note": "好"}}, "qualitative.score", "required"),
            ({"score": 80}, "score", "unknown_field"),
        ]
        for body, field, code in cases:
            with self.subTest(field=field, body=body):
                self.assertRefused(self.url, body, field, code)
        self.assertRefused(self.url, ["money"], None, "wrong_type")
        f = self.get_form(self.url)
        self.assertEqual((f["version"], f["data"]["indicators"]),
                         (1, indicators(budget_size=50)))

    def test_if_match(self):
        f = self.put_form(self.url, man())
        self.assertEqual(f["version"], 1)
        f = self.put_form(self.url, man("no"), version=1)
        self.assertEqual(f["version"], 2)
        # Stale: 412, and nothing stored.
        err = self.assertRefused(self.url, man("yes", "no"), None, status=412,
                                 headers={"If-Match": '"1"'})
        self.assertEqual(err["code"], "version_mismatch")
        self.assertRefused(self.url, man("yes", "no"), None, status=412,
                           headers={"If-Match": '"3"'})
        self.assertEqual(self.get_form(self.url)["data"]["money"], {"answer": "no"})
        self.assertError(self.request("PUT", self.url, body=man(), headers={"If-Match": "abc"}),
                         400, "invalid_if_match")
        # Without If-Match the last writer wins.
        self.assertEqual(self.put_form(self.url, man())["version"], 3)

    def test_if_match_of_a_form_never_saved(self):
        # GET of a form never saved answers ETag "0"; a client that sends back
        # the ETag it read may save it, once: a second save with "0" is stale.
        self.assertEqual(self.get(self.url).headers.get("ETag"), '"0"')
        f = self.put_form(self.url, man(), version=0)
        self.assertEqual(f["version"], 1)
        self.assertError(self.request("PUT", self.url, body=man("no"),
                                      headers={"If-Match": '"0"'}), 412, "version_mismatch")
        self.assertEqual(self.get_form(self.url)["data"]["money"], {"answer": "yes"})

    def test_concurrent_saves_with_the_same_version(self):
        # Eight editors read version 1 and save at once: one wins, seven get 412.
        url = self.form_url(self.opp, "5w2p")
        self.put_form(url, {"motive": "初稿"})
        results = []
        start = threading.Barrier(8)

        def save(i):
            start.wait(30)
            r = self.request("PUT", url, body={"motive": "编辑 %d" % i},
                             headers={"If-Match": '"1"'})
            results.append((r.status, i))

        threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = sorted(st for st, _ in results)
        self.assertEqual(statuses, [200] + [412] * 7)
        winner = [i for st, i in results if st == 200][0]
        f = self.get_form(url)
        self.assertEqual((f["version"], f["data"]), (2, {"motive": "编辑 %d" % winner}))

    def test_put_answers_what_get_reads(self):
        # "PUT … stores it, answers the same": the answer of a PUT is what a GET
        # reads right after, updated_at included.
        url = self.form_url(self.opp, "5w2p")
        for i in range(20):
            put = self.request("PUT", url, body={"motive": "动机 %d" % i},
                               headers=self.server.staff("li.si"))
            self.assertEqual(put.status, 200, put)
            get = self.get(url)
            self.assertEqual(put.headers.get("ETag"), get.headers.get("ETag"))
            self.assertEqual(put.json["updated_at"], get.json["updated_at"],
                             "PUT #%d answered an updated_at other than the one stored" % i)
            self.assertEqual(put.json, get.json, "PUT #%d answered other than GET reads" % i)

    def test_unknown_owner(self):
        for form in ("evaluation", "mant", "5w2p", "compelling-event", "selection-scoring",
                     "tender"):
            with self.subTest(form=form):
                url = "/api/v1/opportunities/opp_nope0000/" + form
                self.assertError(self.get(url), 404, "not_found")
                self.assertError(self.request("PUT", url, body={}), 404, "not_found")
                # An account's id is no opportunity's.
                url = "/api/v1/opportunities/%s/%s" % (self.account["id"], form)
                self.assertError(self.get(url), 404)
        self.assertError(self.request("PUT", self.url, raw=b"{\"money\":"), 400)
        self.assertError(self.request("PUT", self.url, raw=b"{}",
                                      headers={"Content-Type": "text/plain"}), 415)
        self.assertEqual(self.get_form(self.url)["version"], 0)


class EvaluationSettingsTest(ServerTestCase):
    """The indicators and thresholds are settings a manager may change; the
    results follow at once. A server of its own: the other tests keep the
    defaults."""

    URL = "/api/v1/settings/evaluation"

    def setUp(self):
        self.default = self.get(self.URL).json
        self.addCleanup(self.request, "PUT", self.URL, body=self.default, headers=self.manager_headers())

    def config(self, weights, consultative=40, strategic=70):
        return {"indicators": [{"id": k, "name": {"zh": "指标" + k, "en": "Indicator " + k},
                                "weight": w} for k, w in weights.items()],
                "mode_thresholds": {"consultative": consultative, "strategic": strategic}}

    def test_defaults(self):
        r = self.get(self.URL)
        self.assertEqual(r.status, 200, r)
        self.assertEqual({i["id"]: i["weight"] for i in r.json["indicators"]}, DEFAULT_WEIGHTS)
        self.assertEqual(sum(DEFAULT_WEIGHTS.values()), 100)
        self.assertEqual(r.json["mode_thresholds"], {"consultative": 40, "strategic": 70})
        for ind in r.json["indicators"]:
            self.assertTrue(ind["name"]["zh"] and ind["name"]["en"])

    def test_only_a_manager_changes_them(self):
        new = self.config({"budget_size": 100})
        for headers in (self.server.staff("li.si"), self.server.auth("销售甲", role="sales")):
            with self.subTest(headers=headers):
                self.assertError(self.request("PUT", self.URL, body=new, headers=headers), 403,
                                 "forbidden")
        self.assertEqual(self.get(self.URL).json, self.default)
        for role in ("manager", "admin"):
            r = self.request("PUT", self.URL, body=new,
                             headers=self.server.staff("经理" if role == "manager" else ADMIN_NAME,
                                                       role))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json, new)
            self.assertEqual(self.get(self.URL).json, new)

    def test_invalid_settings(self):
        bad_id = self.config({"budget_size": 50, "relationship": 50})
        bad_id["indicators"][1]["id"] = "Relationship"
        no_en = self.config({"budget_size": 100})
        del no_en["indicators"][0]["name"]["en"]
        cases = [
            # 60 + 39 = 99.
            (self.config({"budget_size": 60, "relationship": 39}), "indicators", "weight_sum"),
            (self.config({"budget_size": 60, "relationship": 41}), "indicators", "weight_sum"),
            (self.config({"budget_size": 100, "relationship": 0}), "indicators[1].weight",
             "out_of_range"),
            (self.config({"budget_size": 100}, 70, 40), "mode_thresholds.strategic",
             "threshold_order"),
            (self.config({"budget_size": 100}, 50, 50), "mode_thresholds.strategic",
             "threshold_order"),
            (self.config({"budget_size": 100}, 40, 101), "mode_thresholds.strategic",
             "out_of_range"),
            (bad_id, "indicators[1].id", "invalid_value"),
            (no_en, "indicators[0].name.en", "required"),
            ({"indicators": [], "mode_thresholds": {"consultative": 1, "strategic": 2}},
             "indicators", "too_few"),
        ]
        for body, field, code in cases:
            with self.subTest(field=field, code=code):
                self.assertError(self.request("PUT", self.URL, body=body, headers=self.manager_headers()), 422,
                                 code, field)
        dup = self.config({"budget_size": 50})
        dup["indicators"].append(dict(dup["indicators"][0]))
        self.assertError(self.request("PUT", self.URL, body=dup, headers=self.manager_headers()), 422,
                         "duplicate", "indicators[1].id")
        self.assertEqual(self.get(self.URL).json, self.default)

    def test_results_follow_the_settings(self):
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"], sales_mode="consultative")
        url = self.form_url(opp, "evaluation")
        f = self.put_form(url, {"indicators": indicators(budget_size=80, relationship=40,
                                                         need_urgency=90)})
        # Defaults: 25×80 + 10×40 + 20×90 = 2000 + 400 + 1800 = 4200 → 42.00, consultative.
        self.assertEqual(f["result"]["score"]["value"], "42.00")
        self.assertEqual(f["result"]["recommended_mode"], "consultative")
        self.assertIsNone(f["result"]["warning"])
        new = self.config({"budget_size": 60, "relationship": 40}, consultative=30, strategic=60)
        r = self.request("PUT", self.URL, body=new, headers=self.manager_headers())
        self.assertEqual(r.status, 200, r)
        # Now 60×80 + 40×40 = 4800 + 1600 = 6400 → 64.00 ≥ 60: strategic, above
        # the chosen consultative; need_urgency is no indicator any more.
        g = self.get_form(url)
        self.assertEqual(g["version"], 1)
        self.assertEqual(g["data"], f["data"])
        self.assertEqual(g["result"]["score"], {"value": "64.00", "hundredths": 6400})
        self.assertEqual(g["result"]["recommended_mode"], "strategic")
        self.assertEqual(g["result"]["warning"]["code"], "mode_below_recommendation")
        # Scoring it again is refused, and nothing is stored.
        self.assertRefused(url, {"indicators": indicators(budget_size=80, need_urgency=90)},
                           "indicators[1].id", "unknown_indicator")
        # Weights that do not divide evenly are exact to hundredths:
        # (33×67 + 67×1)/100 = (2211 + 67)/100 = 22.78.
        r = self.request("PUT", self.URL, headers=self.manager_headers(),
                         body=self.config({"budget_size": 33, "relationship": 67}))
        self.assertEqual(r.status, 200, r)
        f = self.put_form(url, {"indicators": indicators(budget_size=67, relationship=1)})
        self.assertEqual(f["result"]["score"], {"value": "22.78", "hundredths": 2278})
        self.assertEqual(f["result"]["recommended_mode"], "quick")
        # Back to the defaults: 25×67 + 10×1 = 1685 → 16.85.
        r = self.request("PUT", self.URL, body=self.default, headers=self.manager_headers())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.get_form(url)["result"]["score"]["value"], "16.85")


class MantTest(ServerTestCase):

    FULL = {"money": {"budget": 5000000000, "source": "市财政专项", "approved": True,
                      "in_place": True},
            "needs": ["出口带宽扩容到 100G", "统一身份认证", "等保三级整改"],
            "time": {"tender_month": "2026-09", "go_live": "2026-12-31"}}

    def setUp(self):
        self.account = self.make_account(name="宁波港集团 " + self.unique("acc"))
        self.contacts = {role: self.make_contact(self.account["id"], name=name, buying_role=role)
                         for role, name in (("approver", "王总"), ("decision_maker", "李处"),
                                            ("evaluator", "张工"), ("initiator", "赵科"))}
        # A coach of another account does not count.
        other = self.make_account()
        self.make_contact(other["id"], name="别家教练", buying_role="coach")
        self.opp = self.make_opportunity(self.account["id"], name="码头 5G 专网")
        self.url = self.form_url(self.opp, "mant")

    def authority(self):
        return self.get_form(self.url)["result"]["parts"]["authority"]

    def test_empty(self):
        f = self.get_form(self.url)
        self.assertIsNone(f["data"])
        parts = f["result"]["parts"]
        self.assertIs(f["result"]["complete"], False)
        self.assertEqual(parts["money"], {"complete": False,
                                          "missing": ["budget", "source", "approved", "in_place"]})
        self.assertEqual(parts["needs"], {"complete": False, "missing": ["needs"], "count": 0})
        self.assertEqual(parts["time"], {"complete": False,
                                         "missing": ["tender_month", "go_live"]})
        self.assertEqual(parts["authority"]["missing"], ["coaches"])
        self.assertEqual((parts["authority"]["approvers"], parts["authority"]["decision_makers"],
                          parts["authority"]["evaluators"], parts["authority"]["coaches"]),
                         (["王总"], ["李处"], ["张工"], []))

    def test_coach_contact_flips_completeness(self):
        f = self.put_form(self.url, self.FULL)
        self.assertEqual(f["data"], self.FULL)
        parts = f["result"]["parts"]
        for p in ("money", "needs", "time"):
            self.assertIs(parts[p]["complete"], True, p)
        self.assertEqual(parts["needs"]["count"], 3)
        self.assertEqual(parts["authority"]["missing"], ["coaches"])
        self.assertIs(f["result"]["complete"], False)

        # A coach joins the account's contacts: MANT is complete, the form
        # untouched.
        coach = self.make_contact(self.account["id"], name="周工", buying_role="coach")
        g = self.get_form(self.url)
        self.assertIs(g["result"]["complete"], True)
        self.assertEqual(g["result"]["parts"]["authority"],
                         {"complete": True, "missing": [], "approvers": ["王总"],
                          "decision_makers": ["李处"], "evaluators": ["张工"],
                          "coaches": ["周工"]})
        self.assertEqual((g["version"], g["data"]), (1, self.FULL))

        # The coach becomes a user: incomplete again; a coach again: complete.
        r = self.patch("/api/v1/contacts/" + coach["id"], {"buying_role": "user"}, version=1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.authority()["missing"], ["coaches"])
        self.assertIs(self.get_form(self.url)["result"]["complete"], False)
        r = self.patch("/api/v1/contacts/" + coach["id"], {"buying_role": "coach"}, version=2)
        self.assertEqual(r.status, 200, r)
        self.assertIs(self.get_form(self.url)["result"]["complete"], True)
        # The coach is removed: incomplete.
        r = self.delete("/api/v1/contacts/" + coach["id"], version=3)
        self.assertEqual(r.status, 204, r)
        self.assertIs(self.get_form(self.url)["result"]["complete"], False)
        self.assertEqual(self.authority()["coaches"], [])
        # Losing the approver shows too.
        self.make_contact(self.account["id"], name="孙教练", buying_role="coach")
        self.assertIs(self.get_form(self.url)["result"]["complete"], True)
        r = self.patch("/api/v1/contacts/" + self.contacts["approver"]["id"],
                       {"buying_role": "other"}, version=1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.authority()["missing"], ["approvers"])
        self.assertEqual(self.get_form(self.url)["version"], 1)

    def test_authority_follows_the_opportunity_to_another_account(self):
        self.put_form(self.url, self.FULL)
        other = self.make_account(name="宁波港股份 " + self.unique("acc"))
        for role in ("approver", "decision_maker", "evaluator", "coach"):
            self.make_contact(other["id"], name="新" + role, buying_role=role)
        # MANT's budget is the deal's: the PUT above wrote it there (version 2).
        deal = self.get("/api/v1/opportunities/" + self.opp["id"]).json
        self.assertEqual((deal["budget"], deal["version"]), (self.FULL["money"]["budget"], 2))
        r = self.patch("/api/v1/opportunities/" + self.opp["id"], {"account_id": other["id"]},
                       version=2)
        self.assertEqual(r.status, 200, r)
        f = self.get_form(self.url)
        self.assertEqual(f["result"]["parts"]["authority"]["coaches"], ["新coach"])
        self.assertEqual(f["result"]["parts"]["authority"]["approvers"], ["新approver"])
        self.assertIs(f["result"]["complete"], True)
        self.assertEqual(f["version"], 1)

    def test_authority_of_a_large_buying_centre(self):
        # The whole buying centre counts, however many contacts the account
        # has: here 200 users first, then the coach.
        for i in range(200):
            self.make_contact(self.account["id"], name="用户%03d" % i, buying_role="user")
        self.assertEqual(self.count("contacts", "account_id=" + self.account["id"]), 204)
        self.make_contact(self.account["id"], name="周工", buying_role="coach")
        self.put_form(self.url, self.FULL)
        auth = self.authority()
        self.assertEqual((auth["approvers"], auth["coaches"], auth["missing"]),
                         (["王总"], ["周工"], []))
        self.assertIs(self.get_form(self.url)["result"]["complete"], True)

    def test_funnel_of_a_large_buying_centre(self):
        # The funnel keeps deals without complete MANT apart; a deal whose
        # coach is the account's 205th contact has complete MANT.
        cur = "XBC"
        opp = self.make_opportunity(self.account["id"], stage="launch", amount=1000,
                                    currency=cur)
        self.put_form(self.form_url(opp, "mant"), self.FULL)
        for i in range(200):
            self.make_contact(self.account["id"], name="用户%03d" % i, buying_role="user")
        self.make_contact(self.account["id"], name="周工", buying_role="coach")
        f = self.get("/api/v1/reports/funnel?playbook=ruijie-6&currency=" + cur).json
        self.assertEqual((f["funnel_totals"]["count"], f["pre_funnel"]["count"]), (1, 0))
        self.assertIs(self.get_form(self.form_url(opp, "mant"))["result"]["complete"], True)

    def test_parts_computed_from_the_data(self):
        cases = [
            ({"money": {"budget": 0, "source": "自筹", "approved": True, "in_place": True}},
             "money", ["budget"]),
            ({"money": {"budget": 100, "source": "自筹", "approved": False, "in_place": True}},
             "money", ["approved"]),
            ({"money": {"budget": 100, "source": "   ", "in_place": True}}, "money",
             ["source", "approved"]),
            ({"needs": ["一", "二"]}, "needs", ["needs"]),
            ({"needs": ["一", "二", "三"]}, "needs", []),
            ({"needs": ["一", "二", "三", "四", "五"]}, "needs", []),
            ({"time": {"tender_month": "2026-09"}}, "time", ["go_live"]),
            ({"time": {"go_live": "2027-01-31", "tender_month": None}}, "time", ["tender_month"]),
        ]
        for body, part, missing in cases:
            with self.subTest(body=body):
                f = self.put_form(self.url, body)
                self.assertEqual(f["result"]["parts"][part]["missing"], missing)
                self.assertIs(f["result"]["parts"][part]["complete"], not missing)
        # Normalised: trimmed, blanks and nulls dropped. A budget not given
        # leaves the deal's (its home) as it was: 100 from the cases above.
        f = self.put_form(self.url, {"money": {"source": "  省级专项  ", "budget": None},
                                     "needs": [" 一 ", "二"]})
        self.assertEqual(f["data"], {"money": {"source": "省级专项", "budget": 100},
                                     "needs": ["一", "二"]})
        self.assertEqual(f["result"]["parts"]["needs"]["count"], 2)

    def test_invalid_forms_store_nothing(self):
        self.put_form(self.url, self.FULL)
        cases = [
            ({"needs": ["一", "二", "三", "四", "五", "六"]}, "needs", "too_many"),
            ({"needs": []}, "needs", "too_few"),
            ({"needs": ["一", "  "]}, "needs[1]", "required"),
            ({"needs": ["长" * 501]}, "needs[0]", "too_long"),
            ({"needs": "带宽"}, "needs", "wrong_type"),
            ({"money": {"budget": -1}}, "money.budget", "out_of_range"),
            ({"money": {"budget": "5000"}}, "money.budget", "wrong_type"),
            ({"money": {"budget": 12.5}}, "money.budget", "wrong_type"),
            ({"money": {"approved": "yes"}}, "money.approved", "wrong_type"),
            ({"money": {"currency": "CNY"}}, "money.currency", "unknown_field"),
            ({"time": {"tender_month": "2026-13"}}, "time.tender_month", "invalid_month"),
            ({"time": {"tender_month": "2026-9"}}, "time.tender_month", "invalid_month"),
            ({"time": {"go_live": "2026-02-30"}}, "time.go_live", "invalid_date"),
            # Authority is not part of the form: it comes from the contacts.
            ({"authority": {"approvers": [self.contacts["approver"]["id"]]}}, "authority",
             "unknown_field"),
            ({"authority": {"coaches": ["con_nope0000"]}}, "authority", "unknown_field"),
        ]
        for body, field, code in cases:
            with self.subTest(field=field, body=body):
                self.assertRefused(self.url, body, field, code)
        self.assertEqual(self.get_form(self.url)["data"], self.FULL)


class FiveWTwoPTest(ServerTestCase):

    ANSWERS = {"motive": "原有网络老化，频繁掉线", "decision_maker": "分管副院长，本人支持",
               "process": "信息科评估，院长办公会决定", "needs": "全院无线覆盖和准入",
               "competitors": "华为、新华三", "budget": "约 800 万元，已列入年度预算",
               "timetable": "2026 年 10 月上线"}
    IDS = ["motive", "decision_maker", "process", "needs", "competitors", "budget", "timetable"]

    def setUp(self):
        acc = self.make_account(name="市第一人民医院 " + self.unique("acc"))
        self.opp = self.make_opportunity(acc["id"], playbook="huayu-5")
        self.url = self.form_url(self.opp, "5w2p")

    def test_seven_questions(self):
        f = self.get_form(self.url)
        self.assertEqual((f["result"]["answered"], f["result"]["total"],
                          f["result"]["complete"]), (0, 7, False))
        self.assertEqual([q["id"] for q in f["result"]["questions"]], self.IDS)
        f = self.put_form(self.url, self.ANSWERS)
        self.assertEqual((f["result"]["answered"], f["result"]["complete"]), (7, True))
        self.assertEqual([q["answer"] for q in f["result"]["questions"]],
                         [self.ANSWERS[k] for k in self.IDS])
        for q in f["result"]["questions"]:
            self.assertTrue(q["question"]["zh"] and q["question"]["en"])
        # Blank and null answers are not answers; answers are trimmed.
        body = dict(self.ANSWERS, competitors="　 ", budget=None, motive="  设备老化\n")
        f = self.put_form(self.url, body)
        self.assertEqual((f["result"]["answered"], f["result"]["complete"], f["version"]),
                         (5, False, 2))
        self.assertNotIn("competitors", f["data"])
        self.assertNotIn("budget", f["data"])
        self.assertEqual(f["data"]["motive"], "设备老化")
        by_id = {q["id"]: q["answer"] for q in f["result"]["questions"]}
        self.assertEqual((by_id["competitors"], by_id["budget"]), (None, None))
        # At most 2000 characters (not bytes).
        f = self.put_form(self.url, {"needs": "需" * 2000})
        self.assertEqual(f["result"]["answered"], 1)

    def test_invalid_forms_store_nothing(self):
        self.put_form(self.url, self.ANSWERS)
        cases = [
            ({"needs": "需" * 2001}, "needs", "too_long"),
            ({"budget": 8000000}, "budget", "wrong_type"),
            ({"who": "院长"}, "who", "unknown_field"),
        ]
        for body, field, code in cases:
            with self.subTest(field=field):
                self.assertRefused(self.url, body, field, code)
        self.assertRefused(self.url, ["motive"], None, "wrong_type")
        self.assertEqual(self.get_form(self.url)["data"], self.ANSWERS)


class CompellingEventTest(ServerTestCase):

    CE = {"what": "原机房租约到期，必须整体搬迁", "by_when": "2026-06-30",
          "consequence": "逾期每天罚款 5 万元"}

    def setUp(self):
        self.account = self.make_account(name="某城商行 " + self.unique("acc"))

    def ce(self, opp):
        return self.get_form(self.form_url(opp, "compelling-event"))["result"]

    def test_required_from_the_first_stage_of_ruijie(self):
        # ruijie-6 has the criterion ce-recorded in its first stage, problem.
        opp = self.make_opportunity(self.account["id"], playbook="ruijie-6")
        self.assertEqual(opp["stage"], "problem")
        url = self.form_url(opp, "compelling-event")
        res = self.ce(opp)
        self.assertEqual((res["complete"], res["required_now"], res["flag"], res["missing"]),
                         (False, True, True, ["what", "by_when", "consequence"]))
        f = self.put_form(url, self.CE)
        self.assertEqual(f["data"], self.CE)
        self.assertEqual((f["result"]["complete"], f["result"]["flag"], f["result"]["missing"]),
                         (True, False, []))
        # Incomplete again: flagged, naming what is missing.
        f = self.put_form(url, {"what": self.CE["what"], "consequence": self.CE["consequence"]})
        self.assertEqual((f["result"]["complete"], f["result"]["flag"], f["result"]["missing"]),
                         (False, True, ["by_when"]))
        # Later stages need it too.
        later = self.make_opportunity(self.account["id"], playbook="ruijie-6", stage="shortlist")
        self.assertEqual((self.ce(later)["required_now"], self.ce(later)["flag"]), (True, True))

    def test_required_from_the_stage_that_asks_for_it(self):
        # project-8 asks for the CE (ce-found) in its second stage, visit.
        opp = self.make_opportunity(self.account["id"], playbook="project-8")
        self.assertEqual(opp["stage"], "planning")
        res = self.ce(opp)
        self.assertEqual((res["complete"], res["required_now"], res["flag"]),
                         (False, False, False))
        cl = self.get("/api/v1/opportunities/%s/checklist" % opp["id"])
        self.assertEqual(cl.status, 200, cl)
        self.meet_gate(opp)
        r = self.post("/api/v1/opportunities/%s/advance" % opp["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stage"], "visit")
        res = self.ce(opp)
        self.assertEqual((res["required_now"], res["flag"]), (True, True))
        f = self.put_form(self.form_url(opp, "compelling-event"), self.CE)
        self.assertEqual((f["result"]["required_now"], f["result"]["flag"]), (True, False))
        # A playbook without a CE criterion never requires it.
        uss = self.make_opportunity(self.account["id"], playbook="uss-5", stage="closing")
        self.assertEqual((self.ce(uss)["required_now"], self.ce(uss)["flag"]), (False, False))

    def test_consequence_must_be_measurable(self):
        opp = self.make_opportunity(self.account["id"])
        url = self.form_url(opp, "compelling-event")
        self.put_form(url, self.CE)
        self.assertRefused(url, dict(self.CE, consequence="影响很大，领导很着急"), "consequence",
                           "not_measurable")
        self.assertRefused(url, dict(self.CE, by_when="2026-13-01"), "by_when", "invalid_date")
        self.assertRefused(url, dict(self.CE, by_when=20260630), "by_when", "wrong_type")
        self.assertRefused(url, dict(self.CE, cost="5 万"), "cost", "unknown_field")
        self.assertRefused(url, dict(self.CE, what="事" * 501), "what", "too_long")
        self.assertEqual(self.get_form(url)["data"], self.CE)
        # A full-width digit is a figure too; a date in words is not.
        f = self.put_form(url, dict(self.CE, consequence="每延误一周损失租金５０万元"))
        self.assertIs(f["result"]["complete"], True)
        self.assertRefused(url, dict(self.CE, consequence="明年春节前必须上线"), "consequence",
                           "not_measurable")
        # The form may be saved in parts; a blank consequence is no consequence.
        f = self.put_form(url, {"what": "搬迁", "consequence": "  "})
        self.assertEqual(f["data"], {"what": "搬迁"})
        self.assertEqual(f["result"]["missing"], ["by_when", "consequence"])


if __name__ == "__main__":
    unittest.main()
