"""Opportunities (商机): CRUD, defaults, derived probability, validation,
optimistic concurrency (sequential and concurrent), delete."""

import threading
import unittest
import urllib.parse

from bingfa_server import ServerTestCase

PROBABILITY = {"problem": 10, "launch": 30, "shortlist": 50, "procure": 70, "contract": 90,
               "deliver": 100}


class OpportunitiesTest(ServerTestCase):

    def setUp(self):
        self.account = self.make_account(name="国家电网江苏分公司 " + self.unique("acc"))

    def url(self, opp):
        return "/api/v1/opportunities/" + opp["id"]

    # -- create / read ----------------------------------------------------------------

    def test_defaults(self):
        r = self.post("/api/v1/opportunities",
                      {"account_id": self.account["id"], "name": "调度中心网络升级"})
        self.assertEqual(r.status, 201, r)
        o = r.json
        self.assertTrue(o["id"].startswith("opp_"))
        self.assertEqual(o["amount"], 0)
        self.assertEqual(o["currency"], "CNY")
        self.assertEqual(o["playbook"], "ruijie-6")
        self.assertEqual(o["stage"], "problem")
        self.assertEqual(o["probability"], 10)
        self.assertEqual(o["status"], "open")
        self.assertEqual(o["competitors"], [])
        self.assertEqual(o["products"], [])
        self.assertIsNone(o["expected_close"])
        self.assertIsNone(o["close_reason"])
        self.assertEqual(o["version"], 1)
        self.assertETag(r, 1)
        self.assertEqual(r.headers.get("Location"), self.url(o))

    def test_round_trip_with_chinese_text(self):
        body = {
            "account_id": self.account["id"],
            "name": "省公司数据中心核心网络改造（一期）",
            "amount": 12800000000,
            "currency": "CNY",
            "budget": 15000000000,
            "expected_close": "2026-09-30",
            "playbook": "ruijie-6",
            "sales_mode": "strategic",
            "owner_id": self.server.user_id("孙七"),
            "compelling_event": "2026年6月30日前须通过等保2.0三级测评",
            "competitors": ["华为", "新华三"],
            "products": ["RG-N18000 核心交换机", "RG-S6510 汇聚交换机", "云桌面"],
            "description": "机房搬迁同步替换老旧设备。",
        }
        r = self.post("/api/v1/opportunities", body)
        self.assertEqual(r.status, 201, r)
        for k, v in body.items():
            self.assertEqual(r.json[k], v, k)
        self.assertEqual(r.json["owner"], "孙七")  # the owner's name, beside the id
        g = self.get(self.url(r.json))
        self.assertEqual(g.status, 200)
        self.assertEqual(g.json, r.json)
        self.assertETag(g, 1)

    def test_stage_on_create_sets_probability(self):
        for stage, prob in PROBABILITY.items():
            with self.subTest(stage=stage):
                o = self.make_opportunity(self.account["id"], stage=stage)
                self.assertEqual(o["stage"], stage)
                self.assertEqual(o["probability"], prob)
                h = self.get(self.url(o) + "/history")
                self.assertEqual(h.status, 200)
                self.assertEqual(h.json["items"][0]["kind"], "create")
                self.assertEqual(h.json["items"][0]["to_stage"], stage)

    def test_amount_limits(self):
        o = self.make_opportunity(self.account["id"], amount=10 ** 15)
        self.assertEqual(o["amount"], 10 ** 15)
        o = self.make_opportunity(self.account["id"], amount=0)
        self.assertEqual(o["amount"], 0)

    # -- validation ----------------------------------------------------------------------

    def assertCreateRefused(self, body, code, field, raw=None):
        before = self.count("opportunities")
        if raw is not None:
            r = self.request("POST", "/api/v1/opportunities", raw=raw)
        else:
            full = {"account_id": self.account["id"], "name": "校验测试"}
            full.update(body)
            full = {k: v for k, v in full.items() if v is not Ellipsis}
            r = self.post("/api/v1/opportunities", full)
        err = self.assertError(r, 422, code, field)
        self.assertEqual(self.count("opportunities"), before, "a refused POST wrote a record")
        return err

    def test_required(self):
        self.assertCreateRefused({"account_id": ...}, "required", "account_id")
        self.assertCreateRefused({"name": ...}, "required", "name")
        self.assertCreateRefused({"name": None}, "required", "name")

    def test_unknown_account(self):
        self.assertCreateRefused({"account_id": "acc_doesnotexist0000"}, "unknown_reference",
                                 "account_id")

    def test_unknown_field(self):
        self.assertCreateRefused({"discount": 3}, "unknown_field", "discount")

    def test_wrong_types(self):
        self.assertCreateRefused({"amount": "100"}, "wrong_type", "amount")
        self.assertCreateRefused({"amount": 1.5}, "wrong_type", "amount")
        self.assertCreateRefused({"competitors": "华为"}, "wrong_type", "competitors")
        self.assertCreateRefused({"products": [1, 2]}, "wrong_type", "products")
        self.assertCreateRefused({"name": ["x"]}, "wrong_type", "name")

    def test_money(self):
        self.assertCreateRefused({"amount": -1}, "negative", "amount")
        self.assertCreateRefused({"budget": -5}, "negative", "budget")
        self.assertCreateRefused({"amount": 10 ** 15 + 1}, "out_of_range", "amount")

    def test_integer_beyond_64_bits(self):
        raw = ('{"account_id": "%s", "name": "大单", "amount": 99999999999999999999999}'
               % self.account["id"]).encode("utf-8")
        self.assertCreateRefused(None, "out_of_range", "amount", raw=raw)

    def test_invalid_utf8(self):
        raw = ('{"account_id": "%s", "name": "ok", "description": "abc' % self.account["id"])
        raw = raw.encode("utf-8") + b'\xc3\x28"}'
        self.assertCreateRefused(None, "invalid_utf8", "description", raw=raw)

    def test_too_long(self):
        self.assertCreateRefused({"name": "项" * 201}, "too_long", "name")
        self.assertCreateRefused({"description": "述" * 4001}, "too_long", "description")

    def test_enums_and_codes(self):
        self.assertCreateRefused({"sales_mode": "aggressive"}, "invalid_value", "sales_mode")
        self.assertCreateRefused({"status": "pending"}, "invalid_value", "status")
        self.assertCreateRefused({"currency": "cny"}, None, "currency")
        self.assertCreateRefused({"currency": "RMB1"}, None, "currency")

    def test_dates(self):
        self.assertCreateRefused({"expected_close": "2026-02-30"}, "invalid_date",
                                 "expected_close")
        self.assertCreateRefused({"expected_close": "30/09/2026"}, "invalid_date",
                                 "expected_close")

    def test_playbook_and_stage(self):
        self.assertCreateRefused({"playbook": "spin-selling"}, None, "playbook")
        self.assertCreateRefused({"stage": "negotiation"}, None, "stage")

    def test_read_only(self):
        self.assertCreateRefused({"probability": 90}, "read_only", "probability")
        self.assertCreateRefused({"id": "opp_mine00001"}, "read_only", "id")
        self.assertCreateRefused({"version": 1}, "read_only", "version")

    def test_lost_and_abandoned_need_close_reason(self):
        self.assertCreateRefused({"status": "lost", "won_by": "华为"}, None, "close_reason")
        self.assertCreateRefused({"status": "abandoned", "close_reason": ""}, None,
                                 "close_reason")
        o = self.make_opportunity(self.account["id"], status="lost", close_reason="价格没有优势",
                                  won_by="华为")
        self.assertEqual(o["status"], "lost")
        self.assertEqual(o["won_by"], "华为")
        o = self.make_opportunity(self.account["id"], status="won")
        self.assertEqual(o["status"], "won")
        self.assertIsNone(o["won_by"])
        o = self.make_opportunity(self.account["id"], status="abandoned", close_reason="项目取消")
        self.assertIsNone(o["won_by"])

    def test_lost_needs_won_by(self):
        # Who won is the other half of a loss analysis.
        self.assertCreateRefused({"status": "lost", "close_reason": "价格没有优势"}, "required",
                                 "won_by")
        self.assertCreateRefused({"status": "lost", "close_reason": "价格没有优势",
                                  "won_by": ""}, None, "won_by")
        self.assertCreateRefused({"status": "lost", "close_reason": "价格没有优势",
                                  "won_by": None}, None, "won_by")
        self.assertCreateRefused({"won_by": "厂" * 101}, "too_long", "won_by")
        o = self.make_opportunity(self.account["id"])
        url = self.url(o)
        r = self.patch(url, {"status": "lost", "close_reason": "价格没有优势"}, version=1)
        self.assertError(r, 422, "required", "won_by")
        r = self.patch(url, {"status": "lost", "close_reason": "价格没有优势", "won_by": "新华三"},
                       version=1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["won_by"]), ("lost", "新华三"))
        # Lost deals are found by who beat us.
        ids = [x["id"] for x in
               self.list_all("opportunities", "won_by=" + urllib.parse.quote("新华三"))]
        self.assertIn(o["id"], ids)

    def test_closed_deals_are_certain(self):
        # Won is 100 %, lost and abandoned 0 %; reopened, the stage's again.
        for status, extra, prob in (("won", {}, 100),
                                    ("lost", {"close_reason": "价格", "won_by": "华为"}, 0),
                                    ("abandoned", {"close_reason": "项目取消"}, 0)):
            with self.subTest(status=status):
                o = self.make_opportunity(self.account["id"], stage="shortlist", status=status,
                                          **extra)
                self.assertEqual((o["stage"], o["probability"]), ("shortlist", prob))
                if status == "won":
                    continue  # won only through the last gate: test_won_only_through_the_gate
                o = self.make_opportunity(self.account["id"], stage="shortlist")
                r = self.patch(self.url(o), dict(status=status, **extra), version=1)
                self.assertEqual(r.status, 200, r)
                self.assertEqual((r.json["stage"], r.json["probability"]), ("shortlist", prob))
                r = self.patch(self.url(o), {"status": "open"}, version=2)
                self.assertEqual(r.status, 200, r)
                self.assertEqual((r.json["status"], r.json["probability"]),
                                 ("open", PROBABILITY["shortlist"]))

    def test_won_only_through_the_gate(self):
        # Neither an update nor a new deal reports a win the gates did not
        # give; an admin alone may load a deal already won (history).
        o = self.make_opportunity(self.account["id"], stage="contract")
        r = self.patch(self.url(o), {"status": "won"}, version=1)
        self.assertError(r, 409, "win_through_gate", "status")
        self.assertIn("contract", r.json["error"]["message"])
        self.assertEqual(self.get(self.url(o)).json["status"], "open")
        sales = self.server.staff("zhang.san")
        acc = self.request("POST", "/api/v1/accounts", body={"name": self.unique("赢单客户")},
                           headers=sales)
        self.assertEqual(acc.status, 201, acc)
        r = self.request("POST", "/api/v1/opportunities",
                         body={"account_id": acc.json["id"], "name": "直接赢单",
                               "status": "won"}, headers=sales)
        self.assertError(r, 403, "win_through_gate", "status")
        # Reopened, a won deal is won again only through the gate too.
        w = self.make_opportunity(self.account["id"], stage="contract", status="won")
        r = self.patch(self.url(w), {"status": "open"}, version=1)
        self.assertEqual((r.status, r.json["status"]), (200, "open"))
        self.assertError(self.patch(self.url(w), {"status": "won"}, version=2), 409,
                         "win_through_gate")

    def test_closed_deal_reopens_before_another_close(self):
        o = self.make_opportunity(self.account["id"], status="won")
        r = self.patch(self.url(o), {"status": "lost", "close_reason": "退单", "won_by": "华为"},
                       version=1)
        self.assertError(r, 409, "closed", "status")
        self.assertEqual(self.get(self.url(o)).json["status"], "won")

    def test_engine_fields_are_read_only(self):
        o = self.make_opportunity(self.account["id"])
        self.assertEqual(o["playbook_version"], self.latest_version("ruijie-6"))
        self.assertIs(o["turnaround"], False)
        self.assertIsNone(o["sales_mode_since"])
        for field, value in (("playbook_version", 1), ("turnaround", True),
                             ("sales_mode_since", "2026-01-01T00:00:00Z")):
            with self.subTest(field=field):
                self.assertCreateRefused({field: value}, "read_only", field)
                self.assertError(self.patch(self.url(o), {field: value}, version=1), 422,
                                 "read_only", field)
        self.assertEqual(self.get(self.url(o)).json["version"], 1)

    def latest_version(self, playbook):
        r = self.get("/api/v1/playbooks/" + playbook)
        self.assertEqual(r.status, 200, r)
        return r.json["version"]

    # -- update -------------------------------------------------------------------------

    def test_patch(self):
        o = self.make_opportunity(self.account["id"], amount=100)
        url = self.url(o)
        r = self.patch(url, {"amount": 250000, "competitors": ["思科"]}, version=1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["amount"], 250000)
        self.assertEqual(r.json["owner"], o["owner"])
        self.assertEqual(r.json["competitors"], ["思科"])
        self.assertEqual(r.json["version"], 2)
        self.assertEqual(r.json["stage"], "problem")
        self.assertEqual(r.json["probability"], 10)
        self.assertETag(r, 2)
        self.assertEqual(self.get(url).json, r.json)

    def test_patch_read_only_stage_and_probability(self):
        o = self.make_opportunity(self.account["id"])
        url = self.url(o)
        self.assertError(self.patch(url, {"stage": "contract"}, version=1), 422, "read_only",
                         "stage")
        self.assertError(self.patch(url, {"probability": 90}, version=1), 422, "read_only",
                         "probability")
        g = self.get(url).json
        self.assertEqual((g["stage"], g["probability"], g["version"]), ("problem", 10, 1))

    def test_patch_status(self):
        o = self.make_opportunity(self.account["id"])
        url = self.url(o)
        r = self.patch(url, {"status": "lost", "won_by": "华为"}, version=1)
        self.assertError(r, 422, field="close_reason")
        self.assertEqual(self.get(url).json["status"], "open")
        r = self.patch(url, {"status": "abandoned", "close_reason": "客户项目取消"}, version=1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "abandoned")
        self.assertEqual(r.json["close_reason"], "客户项目取消")

    def test_if_match_rules(self):
        o = self.make_opportunity(self.account["id"])
        url = self.url(o)
        self.assertError(self.patch(url, {"amount": 1}), 428)
        self.assertError(self.patch(url, {"amount": 1}, version=9), 412)
        for bad in ("garbage", '"abc"', "*x", '"-3"', '"0"'):
            with self.subTest(if_match=bad):
                self.assertError(self.patch(url, {"amount": 1}, headers={"If-Match": bad}), 400)
        self.assertEqual(self.get(url).json["version"], 1)

    def test_two_clients_same_version_sequential(self):
        o = self.make_opportunity(self.account["id"], amount=1000)
        url = self.url(o)
        # Both clients read version 1.
        v_a = self.get(url).headers["ETag"]
        v_b = self.get(url).headers["ETag"]
        self.assertEqual(v_a, v_b)
        ra = self.patch(url, {"amount": 2000}, headers={"If-Match": v_a})
        rb = self.patch(url, {"amount": 3000}, headers={"If-Match": v_b})
        self.assertEqual(ra.status, 200, ra)
        self.assertError(rb, 412)
        g = self.get(url)
        self.assertEqual(g.json["amount"], 2000)
        self.assertEqual(g.json["version"], 2)

    def test_two_clients_same_version_concurrent(self):
        for round_no in range(3):
            o = self.make_opportunity(self.account["id"], amount=1)
            url = self.url(o)
            n = 8
            barrier = threading.Barrier(n)
            results = [None] * n

            def client(i):
                barrier.wait()
                try:
                    results[i] = self.server.request(
                        "PATCH", url, body={"amount": 1000 + i}, headers={"If-Match": '"1"'})
                except Exception as e:  # noqa: BLE001 - reported below
                    results[i] = e

            threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            statuses = sorted(getattr(r, "status", repr(r)) for r in results)
            self.assertEqual(statuses.count(200), 1, statuses)
            self.assertEqual(statuses.count(412), n - 1, statuses)
            winner = [i for i, r in enumerate(results) if r.status == 200][0]
            g = self.get(url).json
            self.assertEqual(g["version"], 2)
            self.assertEqual(g["amount"], 1000 + winner)

    # -- delete --------------------------------------------------------------------------

    def test_delete(self):
        o = self.make_opportunity(self.account["id"])
        url = self.url(o)
        # Give it history and checklist state: they go with it.
        r = self.request("PUT", url + "/checklist/customer-inventory",
                         body={"done": True, "evidence": "客户盘点表"})
        self.assertEqual(r.status, 200, r)
        self.assertError(self.delete(url), 428)
        self.assertError(self.delete(url, version=2), 412)
        self.assertEqual(self.delete(url, version=1).status, 204)
        self.assertError(self.get(url), 404, "not_found")
        self.assertError(self.get(url + "/history"), 404, "not_found")
        self.assertError(self.get(url + "/checklist"), 404, "not_found")
        self.assertError(self.patch(url, {"amount": 1}, version=1), 404, "not_found")

    def test_account_in_use(self):
        acc = self.make_account()
        o = self.make_opportunity(acc["id"])
        self.assertError(self.delete("/api/v1/accounts/" + acc["id"], version=1), 409,
                         "in_use")
        self.assertEqual(self.delete(self.url(o), version=1).status, 204)
        self.assertEqual(self.delete("/api/v1/accounts/" + acc["id"], version=1).status, 204)


if __name__ == "__main__":
    unittest.main()
