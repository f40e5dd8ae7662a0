"""The sales tools that compute without storing: the bid score simulation
(投标评分模拟) and the procurement method advisor (采购方式), through HTTP
(POST /api/v1/tools/...) and the CLI (bingfa tool ... FILE), which print the
same JSON.

Every expected figure below is worked out by hand in the comments. Scores are
points; prices are fen. A bidder's price score is price weight × benchmark /
price, the benchmark being the lowest price (lowest_price_benchmark); its
total is business + technical + service + price score. Ranks are competition
ranks on the exact totals; totals and price scores are shown rounded half up
to two decimals."""

import json
import os
import random
import shutil
import tempfile
import unittest
from fractions import Fraction

from bingfa_server import ServerTestCase, run_cli

BID = "/api/v1/tools/bid-simulation"
ADVICE = "/api/v1/tools/procurement-advice"
METHODS = ["public_tender", "invited_tender", "competitive_negotiation", "single_source",
           "inquiry"]


def bidder(name, price, business, technical, service, us=False):
    b = {"name": name, "price": price,
         "scores": {"business": business, "technical": technical, "service": service}}
    if us:
        b["us"] = True
    return b


def three_competitors(us_price=100000000):
    """The brief's example: weights business 20, price 30, technical 40,
    service 10; us and three competitors."""
    return {"weights": {"business": 20, "price": 30, "technical": 40, "service": 10},
            "bidders": [bidder("我方", us_price, 18, 36, 9, us=True),
                        bidder("A", 90000000, 17, 33, 8),
                        bidder("B", 110000000, 19, 38, 9),
                        bidder("C", 95000000, 16, 30, 7)]}


def lowest_bidder(us_price=80000000):
    """Our own example where we bid lowest: weights business 10, price 50,
    technical 30, service 10. Non-price points: us 8+20+8 = 36,
    迪普 9+28+9 = 46 at 100000000, 中兴 7+25+8 = 40 at 120000000."""
    return {"weights": {"business": 10, "price": 50, "technical": 30, "service": 10},
            "formula": "lowest_price_benchmark",
            "bidders": [bidder("我方", us_price, 8, 20, 8, us=True),
                        bidder("迪普", 100000000, 9, 28, 9),
                        bidder("中兴", 120000000, 7, 25, 8)]}


class BidSimulationTest(ServerTestCase):

    def simulate(self, body, status=200):
        r = self.post(BID, body)
        self.assertEqual(r.status, status, r)
        return r.json

    def summary(self, out):
        """(name, price_score, total, rank) of every bidder, in request order."""
        return [(b["name"], b["price_score"], b["total"], b["rank"]) for b in out["bidders"]]

    # -- the brief's worked example ----------------------------------------------------------

    def test_three_competitors(self):
        out = self.simulate(three_competitors())
        # Benchmark: the lowest price, A's 90000000.
        # us: 18+36+9 = 63 + 30 × 90/100 = 27      → 90.00
        # A:  17+33+8 = 58 + 30 × 90/90  = 30      → 88.00
        # B:  19+38+9 = 66 + 30 × 90/110 = 24.5454… → 90.5454… → 90.55
        # C:  16+30+7 = 53 + 30 × 90/95  = 28.4210… → 81.4210… → 81.42
        # Ranks: B 1, us 2, A 3, C 4.
        self.assertEqual(out["formula"], "lowest_price_benchmark")
        self.assertEqual(out["benchmark"], 90000000)
        self.assertEqual(self.summary(out), [("我方", 27.0, 90.0, 2), ("A", 30.0, 88.0, 3),
                                             ("B", 24.55, 90.55, 1), ("C", 28.42, 81.42, 4)])
        self.assertEqual([(b["us"], b["price"]) for b in out["bidders"]],
                         [(True, 100000000), (False, 90000000), (False, 110000000),
                          (False, 95000000)])
        self.assertEqual(out["us_rank"], 2)
        # Above A's 90000000 A stays the benchmark and our total is
        # 63 + 2700000000 / P. To pass B (66 + 2700/110 = 996/11) we need
        # 2700000000 / P > 996/11 − 63 = 303/11, i.e.
        # P < 2700000000 × 11 / 303 = 98019801.98…; A (88) and C (81.42) are
        # passed long before: the winning price is 98019801.
        self.assertEqual(out["winning_price"], 98019801)
        self.assertIsNone(out["reason"])

    def test_winning_price_is_exact(self):
        win = self.simulate(three_competitors())["winning_price"]
        self.assertEqual(win, 98019801)
        # At the winning price we rank first: 63 + 2700000000/98019801 =
        # 90.54545470… > 90.54545454… = B — both shown as 90.55.
        out = self.simulate(three_competitors(win))
        self.assertEqual(out["us_rank"], 1)
        self.assertEqual(self.summary(out)[0], ("我方", 27.55, 90.55, 1))
        self.assertEqual(self.summary(out)[2], ("B", 24.55, 90.55, 2))
        # One fen more and B is ahead again: 63 + 2700000000/98019802 = 90.5454544… < B.
        out = self.simulate(three_competitors(win + 1))
        self.assertEqual(out["us_rank"], 2)
        self.assertEqual([b["rank"] for b in out["bidders"]], [2, 3, 1, 4])
        # The winning price does not depend on our own price.
        self.assertEqual(out["winning_price"], win)

    # -- our own examples --------------------------------------------------------------------

    def test_lowest_bidder_sets_the_benchmark(self):
        # At 80000000 we are the lowest: our price is the benchmark and our
        # price score is the full 50.
        # us   36 + 50                  = 86.00
        # 迪普 46 + 50 × 80/100 = 40     = 86.00
        # 中兴 40 + 50 × 80/120 = 33.33… = 73.33
        # A tie at the top: both rank 1 (competition ranking), 中兴 3.
        out = self.simulate(lowest_bidder())
        self.assertEqual(out["benchmark"], 80000000)
        self.assertEqual(self.summary(out), [("我方", 50.0, 86.0, 1), ("迪普", 40.0, 86.0, 1),
                                             ("中兴", 33.33, 73.33, 3)])
        self.assertEqual(out["us_rank"], 1)
        # Ranking first means strictly ahead: below 迪普's 100000000 we stay
        # the benchmark, so 迪普's total 46 + 50 P / 100000000 grows with our
        # price P while ours stays 86: we lead while 46 + P / 2000000 < 86,
        # i.e. P < 80000000 (中兴: 40 + 50 P / 120000000 < 86 for
        # P < 110400000). The winning price is 79999999.
        self.assertEqual(out["winning_price"], 79999999)
        self.assertIsNone(out["reason"])

        # One fen below: 迪普 46 + 39.9999995 = 85.9999995, shown as 86.00 like
        # ours, yet we alone rank first.
        out = self.simulate(lowest_bidder(79999999))
        self.assertEqual(out["benchmark"], 79999999)
        self.assertEqual(self.summary(out), [("我方", 50.0, 86.0, 1), ("迪普", 40.0, 86.0, 2),
                                             ("中兴", 33.33, 73.33, 3)])

        # Raising our price moves the benchmark with it while we are lowest:
        # at 90000000, 迪普 46 + 50 × 90/100 = 91.00, 中兴 40 + 50 × 90/120 = 77.50.
        out = self.simulate(lowest_bidder(90000000))
        self.assertEqual(out["benchmark"], 90000000)
        self.assertEqual(self.summary(out), [("我方", 50.0, 86.0, 2), ("迪普", 45.0, 91.0, 1),
                                             ("中兴", 37.5, 77.5, 3)])
        self.assertEqual(out["us_rank"], 2)
        # Past 迪普's price, 迪普 is the benchmark (100000000):
        # us   36 + 50 × 100/110 = 45.4545… → 81.4545… → 81.45
        # 迪普 46 + 50                      → 96.00
        # 中兴 40 + 50 × 100/120 = 41.666…  → 81.666…  → 81.67
        out = self.simulate(lowest_bidder(110000000))
        self.assertEqual(out["benchmark"], 100000000)
        self.assertEqual(self.summary(out), [("我方", 45.45, 81.45, 3), ("迪普", 50.0, 96.0, 1),
                                             ("中兴", 41.67, 81.67, 2)])
        self.assertEqual(out["winning_price"], 79999999)

    def test_no_price_wins(self):
        # Non-price points: us 10+20+5 = 35, 华为 19+38+9 = 66. Even with the
        # full 30 price points we reach 65 < 66: no price ranks first.
        body = {"weights": {"business": 20, "price": 30, "technical": 40, "service": 10},
                "bidders": [bidder("我方", 100000000, 10, 20, 5, us=True),
                            bidder("华为", 120000000, 19, 38, 9)]}
        out = self.simulate(body)
        # us 35 + 30 = 65.00; 华为 66 + 30 × 100/120 = 25 → 91.00.
        self.assertEqual(self.summary(out), [("我方", 30.0, 65.0, 2), ("华为", 25.0, 91.0, 1)])
        self.assertIsNone(out["winning_price"])
        self.assertEqual(out["reason"]["code"], "non_price_gap")
        self.assertTrue(out["reason"]["zh"])
        self.assertTrue(out["reason"]["en"])
        # A fen is the lowest price there is, and it does not win either.
        body["bidders"][0]["price"] = 1
        out = self.simulate(body)
        self.assertEqual(out["us_rank"], 2)
        self.assertEqual(out["reason"]["code"], "non_price_gap")

    def test_other_reasons(self):
        w = {"business": 20, "price": 30, "technical": 40, "service": 10}
        # Any price: 20+40+10 = 70 against 10+20+5 = 35; 35 + 30 < 70.
        out = self.simulate({"weights": w, "bidders": [
            bidder("我方", 150000000, 20, 40, 10, us=True), bidder("X", 100000000, 10, 20, 5)]})
        # us 70 + 30 × 100/150 = 20 → 90.00; X 35 + 30 = 65.00.
        self.assertEqual(self.summary(out), [("我方", 20.0, 90.0, 1), ("X", 30.0, 65.0, 2)])
        self.assertIsNone(out["winning_price"])
        self.assertEqual(out["reason"]["code"], "any_price")
        # Alone: we are the benchmark with the full price score.
        out = self.simulate({"weights": w, "bidders": [bidder("我方", 5000, 10, 20, 5, us=True)]})
        self.assertEqual((out["benchmark"], out["us_rank"], out["reason"]["code"]),
                         (5000, 1, "alone"))
        self.assertEqual(self.summary(out), [("我方", 30.0, 65.0, 1)])
        # No price weight: only the other scores count.
        w0 = {"business": 30, "price": 0, "technical": 60, "service": 10}
        out = self.simulate({"weights": w0, "bidders": [
            bidder("我方", 100, 20, 40, 5, us=True), bidder("X", 200, 25, 50, 8)]})
        self.assertEqual(self.summary(out), [("我方", 0.0, 65.0, 2), ("X", 0.0, 83.0, 1)])
        self.assertEqual(out["reason"]["code"], "no_price_weight_behind")
        out = self.simulate({"weights": w0, "bidders": [
            bidder("我方", 100, 25, 50, 8, us=True), bidder("X", 200, 20, 40, 5)]})
        self.assertEqual(out["reason"]["code"], "no_price_weight_ahead")
        self.assertEqual(out["us_rank"], 1)

    def test_decimal_scores(self):
        # Scores of two decimals are exact: 18.25 + 35.5 + 9.05 = 62.80, and
        # 30 × 100/100 = 30 → 92.80; X 17.75 + 36 + 8.5 = 62.25 + 30 × 100/120
        # = 25 → 87.25.
        out = self.simulate({
            "weights": {"business": 20, "price": 30, "technical": 40, "service": 10},
            "bidders": [bidder("我方", 100000000, 18.25, 35.5, 9.05, us=True),
                        bidder("X", 120000000, 17.75, 36, 8.5)]})
        self.assertEqual(self.summary(out), [("我方", 30.0, 92.8, 1), ("X", 25.0, 87.25, 2)])

    def test_random_schemes_against_exact_arithmetic(self):
        """Random schemes (fixed seed): every total and rank against exact
        fractions computed here, and the winning price's property — at it we
        rank first, one fen more we do not; or, when no price wins, a fen
        does not win either."""
        rng = random.Random(20261122)
        cats = ("business", "price", "technical", "service")
        reasons = []
        for case in range(40):
            cuts = sorted(rng.sample(range(1, 100), 3))
            w = dict(zip(cats, [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], 100 - cuts[2]]))
            bidders = []
            for i in range(rng.randint(2, 5)):
                # Scores in hundredths, up to their category's weight.
                h = {c: rng.randint(w[c] * 40, w[c] * 100) for c in cats if c != "price"}
                bidders.append({"name": "投标人%d" % i, "price": rng.randint(50000000, 150000000),
                                "scores": {c: v / 100 for c, v in h.items()}, "_h": h})
            us = rng.randrange(len(bidders))
            bidders[us]["us"] = True
            hs = [b.pop("_h") for b in bidders]
            body = {"weights": w, "bidders": bidders}
            with self.subTest(case=case, body=body):
                out = self.simulate(body)
                bench = min(b["price"] for b in bidders)
                exact = [Fraction(sum(h.values()), 100) + Fraction(w["price"] * bench, b["price"])
                         for b, h in zip(bidders, hs)]
                for b, got, x in zip(bidders, out["bidders"], exact):
                    # Shown rounded half up to hundredths.
                    self.assertEqual(round(got["total"] * 100), int(x * 100 + Fraction(1, 2)))
                    self.assertEqual(got["rank"], 1 + sum(1 for y in exact if y > x))
                self.assertEqual(out["benchmark"], bench)
                win = out["winning_price"]
                if win is None:
                    # No winning price: a fen does not win (non_price_gap), or
                    # any price does (any_price).
                    code = out["reason"]["code"]
                    self.assertIn(code, ("non_price_gap", "any_price"))
                    body["bidders"][us]["price"] = 1 if code == "non_price_gap" else 10 ** 12
                    probe = [b["rank"] for b in self.simulate(body)["bidders"]]
                    self.assertEqual(probe[us] == 1 and probe.count(1) == 1, code == "any_price")
                    reasons.append(code)
                    continue
                reasons.append(None)
                body["bidders"][us]["price"] = win
                at = self.simulate(body)
                self.assertEqual(at["us_rank"], 1)
                self.assertEqual([b["rank"] for b in at["bidders"]].count(1), 1,
                                 "first alone at the winning price")
                body["bidders"][us]["price"] = win + 1
                above = self.simulate(body)
                self.assertFalse(above["us_rank"] == 1 and
                                 [b["rank"] for b in above["bidders"]].count(1) == 1,
                                 "still first alone one fen above the winning price")
        # The seed covers a winning price and both reasons.
        self.assertEqual(set(reasons), {None, "non_price_gap", "any_price"})

    # -- bad requests ------------------------------------------------------------------------

    def test_invalid_requests(self):
        def case(mutate):
            body = three_competitors()
            mutate(body)
            return body

        def drop_price(b):
            del b["bidders"][2]["price"]

        def drop_service(b):
            del b["weights"]["service"]

        def two_us(b):
            b["bidders"][1]["us"] = True

        def no_us(b):
            del b["bidders"][0]["us"]

        def dup_name(b):
            b["bidders"][3]["name"] = "A"

        cases = [
            # The weights must sum to 100: 20 + 30 + 39 + 10 = 99.
            ("weights 99", case(lambda b: b["weights"].update(technical=39)), "weights",
             "weights_sum"),
            ("weights 101", case(lambda b: b["weights"].update(service=11)), "weights",
             "weights_sum"),
            ("weight missing", case(drop_service), "weights.service", "required"),
            ("weight negative", case(lambda b: b["weights"].update(price=-10, technical=80)),
             "weights.price", "out_of_range"),
            ("unknown weight", case(lambda b: b["weights"].update(brand=0)), "weights.brand",
             "unknown_field"),
            ("negative price", case(lambda b: b["bidders"][1].update(price=-90000000)),
             "bidders[1].price", "negative"),
            ("zero price", case(lambda b: b["bidders"][1].update(price=0)), "bidders[1].price",
             "zero"),
            ("no price", case(drop_price), "bidders[2].price", "required"),
            ("price in yuan", case(lambda b: b["bidders"][0].update(price=1000000.5)),
             "bidders[0].price", "wrong_type"),
            ("price as text", case(lambda b: b["bidders"][0].update(price="100000000")),
             "bidders[0].price", "wrong_type"),
            # A score above its category's weight (technical: 40).
            ("score over weight", case(lambda b: b["bidders"][0]["scores"].update(technical=41)),
             "bidders[0].scores.technical", "out_of_range"),
            ("negative score", case(lambda b: b["bidders"][3]["scores"].update(service=-1)),
             "bidders[3].scores.service", "out_of_range"),
            ("three decimals", case(lambda b: b["bidders"][0]["scores"].update(business=17.555)),
             "bidders[0].scores.business", "too_precise"),
            ("price scored", case(lambda b: b["bidders"][0]["scores"].update(price=20)),
             "bidders[0].scores.price", "unknown_field"),
            ("score missing", case(lambda b: b["bidders"][1]["scores"].pop("service")),
             "bidders[1].scores.service", "required"),
            ("no us", case(no_us), "bidders", "required"),
            ("two us", case(two_us), "bidders[1].us", "duplicate"),
            ("same name", case(dup_name), "bidders[3].name", "duplicate"),
            ("no bidders", case(lambda b: b.update(bidders=[])), "bidders", "out_of_range"),
            ("formula", case(lambda b: b.update(formula="average_price")), "formula",
             "invalid_value"),
            ("unknown field", case(lambda b: b.update(currency="CNY")), "currency",
             "unknown_field"),
            ("unknown bidder field", case(lambda b: b["bidders"][2].update(discount=5)),
             "bidders[2].discount", "unknown_field"),
        ]
        for label, body, field, code in cases:
            with self.subTest(label):
                self.assertError(self.post(BID, body), 422, code, field)
        self.assertError(self.post(BID, [1, 2]), 422)
        self.assertError(self.request("POST", BID, raw=b'{"weights":'), 400)
        self.assertError(self.request("POST", BID, raw=b"{}",
                                      headers={"Content-Type": "text/plain"}), 415)
        self.assertError(self.request("GET", BID), 405)


class ProcurementAdviceTest(ServerTestCase):

    def advise(self, facts):
        r = self.post(ADVICE, facts)
        self.assertEqual(r.status, 200, r)
        out = r.json
        self.assertEqual([m["method"] for m in out["methods"]], METHODS)
        for m in out["methods"]:
            self.assertTrue(m["name"]["zh"] and m["name"]["en"])
            self.assertIs(m["allowed"], any(c["met"] for c in m["conditions"]) and
                          not (m["method"] in METHODS[:2] and
                               "tender_fails" in self.codes(out)), m)
        return out

    @staticmethod
    def allowed(out):
        return [m["method"] for m in out["methods"] if m["allowed"]]

    @staticmethod
    def codes(out):
        return [w["code"] for w in out["warnings"]]

    def test_no_special_facts(self):
        # Public tender needs no special condition; nothing else applies.
        out = self.advise({"amount": 300000000})
        self.assertEqual(self.allowed(out), ["public_tender"])
        self.assertEqual(out["recommended"], "public_tender")
        self.assertEqual(out["warnings"], [])
        self.assertEqual(self.advise({})["recommended"], "public_tender")
        # null counts as absent.
        self.assertEqual(self.advise({"urgent": None, "amount": None})["recommended"],
                         "public_tender")

    def test_special_methods_in_the_law_order(self):
        cases = [
            ({"special_nature": True}, ["public_tender", "invited_tender"], "invited_tender"),
            ({"tender_cost_disproportionate": True}, ["public_tender", "invited_tender"],
             "invited_tender"),
            ({"technically_complex": True}, ["public_tender", "competitive_negotiation"],
             "competitive_negotiation"),
            ({"price_not_calculable": True}, ["public_tender", "competitive_negotiation"],
             "competitive_negotiation"),
            ({"no_qualified_bids_before": True}, ["public_tender", "competitive_negotiation"],
             "competitive_negotiation"),
            # Urgency allows both negotiation and single source; the first in
            # the law's order is recommended.
            ({"urgent": True}, ["public_tender", "competitive_negotiation", "single_source"],
             "competitive_negotiation"),
            ({"only_one_supplier": True}, ["public_tender", "single_source"], "single_source"),
            ({"standard_goods": True}, ["public_tender", "inquiry"], "inquiry"),
            ({"special_nature": True, "standard_goods": True},
             ["public_tender", "invited_tender", "inquiry"], "invited_tender"),
        ]
        for facts, allowed, recommended in cases:
            with self.subTest(facts=facts):
                out = self.advise(facts)
                self.assertEqual(self.allowed(out), allowed)
                self.assertEqual(out["recommended"], recommended)
                self.assertEqual(out["warnings"], [])

    def test_qualified_suppliers(self):
        # One qualified supplier means only one supplier: single source, and
        # a tender would fail.
        out = self.advise({"qualified_suppliers": 1})
        self.assertEqual(out["recommended"], "single_source")
        self.assertEqual(self.codes(out), ["few_qualified_suppliers"])
        self.assertIn("1", out["warnings"][0]["text"]["zh"])
        out = self.advise({"qualified_suppliers": 2})
        self.assertEqual(out["recommended"], "public_tender")
        self.assertEqual(self.codes(out), ["few_qualified_suppliers"])
        self.assertEqual(self.codes(self.advise({"qualified_suppliers": 3})), [])
        # A count of 1 and "only one supplier: false" contradict each other.
        self.assertError(self.post(ADVICE, {"qualified_suppliers": 1, "only_one_supplier": False}),
                         422, "invalid_value", "only_one_supplier")
        self.assertError(self.post(ADVICE, {"qualified_suppliers": 4, "only_one_supplier": True}),
                         422, "invalid_value", "only_one_supplier")

    def test_tender_with_fewer_than_three_bidders_fails(self):
        # Two bidders: the tender fails (废标), which also bars invited tender;
        # no special method applies, so nothing is recommended.
        out = self.advise({"bidders": 2, "special_nature": True})
        self.assertEqual(self.allowed(out), [])
        self.assertIsNone(out["recommended"])
        self.assertEqual(self.codes(out), ["tender_fails"])
        public = out["methods"][0]
        self.assertEqual([c["met"] for c in public["conditions"]], [True, False])
        # No bidder at all: competitive negotiation becomes lawful.
        out = self.advise({"bidders": 0})
        self.assertEqual(self.allowed(out), ["competitive_negotiation"])
        self.assertEqual(out["recommended"], "competitive_negotiation")
        # Bidders given: the warning is about them, not the suppliers.
        out = self.advise({"bidders": 1, "qualified_suppliers": 2})
        self.assertEqual(self.codes(out), ["tender_fails"])
        # Three bidders: the tender stands.
        out = self.advise({"bidders": 3})
        self.assertEqual(out["recommended"], "public_tender")
        self.assertEqual(out["warnings"], [])

    def test_add_on_within_ten_percent(self):
        # Original contract 10000.00 yuan: an add-on of exactly 1000.00 yuan
        # (10%) may go single source; one fen more may not.
        out = self.advise({"add_on": True, "original_contract_amount": 1000000,
                           "add_on_amount": 100000})
        self.assertEqual(out["recommended"], "single_source")
        self.assertEqual(out["warnings"], [])
        out = self.advise({"add_on": True, "original_contract_amount": 1000000,
                           "add_on_amount": 100001})
        self.assertEqual(out["recommended"], "public_tender")
        self.assertEqual(self.codes(out), ["add_on_over_limit"])
        en = out["warnings"][0]["text"]["en"]
        for figure in ("1000.01", "10000.00", "1000.00"):
            self.assertIn(figure, en)
        # The amount stands in for the add-on amount.
        out = self.advise({"add_on": True, "original_contract_amount": 1000000, "amount": 99999})
        self.assertEqual(out["recommended"], "single_source")
        self.assertError(self.post(ADVICE, {"add_on": True, "add_on_amount": 5}), 422,
                         "required", "original_contract_amount")
        self.assertError(self.post(ADVICE, {"add_on": True, "original_contract_amount": 100}),
                         422, "required", "add_on_amount")

    def test_invalid_facts(self):
        cases = [
            ({"amount": -1}, "amount", "out_of_range"),
            ({"amount": 12.5}, "amount", "wrong_type"),
            ({"qualified_suppliers": -2}, "qualified_suppliers", "out_of_range"),
            ({"bidders": -1}, "bidders", "out_of_range"),
            ({"original_contract_amount": 0, "add_on": True, "add_on_amount": 0},
             "original_contract_amount", "out_of_range"),
            ({"urgent": "yes"}, "urgent", "wrong_type"),
            ({"budget": 100}, "budget", "unknown_field"),
        ]
        for facts, field, code in cases:
            with self.subTest(facts=facts):
                self.assertError(self.post(ADVICE, facts), 422, code, field)
        self.assertError(self.post(ADVICE, ["urgent"]), 422, "wrong_type")
        self.assertError(self.request("POST", ADVICE, raw=b"{"), 400)


class ToolCliTest(ServerTestCase):
    """bingfa tool bid-simulation|procurement-advice FILE prints what the API
    answers; bad input exits 1 naming the field."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bingfa-tool-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, name, value):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            if isinstance(value, str):
                f.write(value)
            else:
                json.dump(value, f, ensure_ascii=False)
        return path

    def test_same_json_as_the_api(self):
        cases = [("bid-simulation", BID, three_competitors()),
                 ("bid-simulation", BID, lowest_bidder(110000000)),
                 ("procurement-advice", ADVICE, {"urgent": True, "qualified_suppliers": 2}),
                 ("procurement-advice", ADVICE, {"add_on": True, "original_contract_amount": 10,
                                                 "add_on_amount": 2})]
        for i, (tool, path, body) in enumerate(cases):
            with self.subTest(tool=tool, i=i):
                res = run_cli("tool", tool, self.write("req%d.json" % i, body))
                self.assertEqual(res.returncode, 0, res.stderr)
                api = self.post(path, body)
                self.assertEqual(api.status, 200, api)
                self.assertEqual(json.loads(res.stdout), api.json)
        out = json.loads(run_cli("tool", "bid-simulation", self.write("b.json",
                                                                      three_competitors())).stdout)
        self.assertEqual((out["winning_price"], out["us_rank"]), (98019801, 2))

    def test_standard_input(self):
        body = three_competitors()
        for args in (("tool", "bid-simulation"), ("tool", "bid-simulation", "-")):
            with self.subTest(args=args):
                res = run_cli(*args, input=json.dumps(body))
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(json.loads(res.stdout), self.post(BID, body).json)

    def test_bad_input_names_the_field(self):
        bad = three_competitors()
        bad["bidders"][1]["price"] = -5
        res = run_cli("tool", "bid-simulation", self.write("neg.json", bad))
        self.assertEqual(res.returncode, 1, res.stdout)
        self.assertIn("bidders[1].price", res.stderr)
        self.assertEqual(res.stdout, "")
        bad = three_competitors()
        bad["weights"]["price"] = 31
        res = run_cli("tool", "bid-simulation", self.write("w.json", bad))
        self.assertEqual(res.returncode, 1)
        self.assertIn("weights", res.stderr)
        res = run_cli("tool", "procurement-advice", self.write("f.json", {"amount": -1}))
        self.assertEqual(res.returncode, 1)
        self.assertIn("amount", res.stderr)
        # Not JSON, or no such file.
        res = run_cli("tool", "bid-simulation", self.write("x.json", "{\"weights\": "))
        self.assertEqual(res.returncode, 1)
        self.assertTrue(res.stderr.strip())
        res = run_cli("tool", "bid-simulation", os.path.join(self.tmp, "missing.json"))
        self.assertEqual(res.returncode, 1)
        self.assertTrue(res.stderr.strip())

    def test_usage(self):
        for args in (("tool",), ("tool", "price-war"), ("tool", "bid-simulation", "a", "b")):
            with self.subTest(args=args):
                res = run_cli(*args, input="{}")
                self.assertEqual(res.returncode, 2, res)
                self.assertIn("usage", res.stderr)


if __name__ == "__main__":
    unittest.main()
