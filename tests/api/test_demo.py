"""The demo data set (init --demo): realistic, complete, and the funnel
report agrees with the opportunities it is built from."""

import collections
import re
import unittest
import urllib.parse


import bingfa_db
from bingfa_server import BingfaServer, ServerTestCase, run_cli

HAN = re.compile(r"[\u4e00-\u9fff]")


class DemoTest(ServerTestCase):
    demo = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pb = cls.server.get("/api/v1/playbooks/ruijie-6").json
        cls.stage_ids = [s["id"] for s in cls.pb["stages"]]

    def test_accounts(self):
        accounts = self.list_all("accounts")
        self.assertGreaterEqual(len(accounts), 8)
        for a in accounts:
            self.assertRegex(a["name"], HAN)
            self.assertEqual(a["version"], 1)

    def test_opportunities_span_every_stage(self):
        opps = self.list_all("opportunities")
        self.assertGreaterEqual(len(opps), 14)
        playbooks = {p["id"]: p for p in self.get("/api/v1/playbooks").json["items"]}
        for o in opps:
            self.assertRegex(o["name"], HAN, o["name"])
            self.assertIn(o["playbook"], playbooks)
            pb = playbooks[o["playbook"]]
            # Each deal runs on the version of its playbook that is loaded.
            self.assertEqual(o["playbook_version"], pb["version"], o)
            # Open deals have their stage's probability; closed deals are
            # certain: won 100, lost and abandoned 0.
            prob = [s["probability"] for s in pb["stages"] if s["id"] == o["stage"]]
            self.assertEqual(len(prob), 1, o)
            want = {"open": prob[0], "won": 100}.get(o["status"], 0)
            self.assertEqual(o["probability"], want, o)
        ruijie = [o for o in opps if o["playbook"] == "ruijie-6"]
        stages = {o["stage"] for o in ruijie}
        self.assertEqual(stages, set(self.stage_ids))
        # Open deals span every stage but the certain last one, which only
        # a win enters (its gate is contract's).
        open_stages = {o["stage"] for o in ruijie if o["status"] == "open"}
        self.assertEqual(open_stages, set(self.stage_ids[:-1]), "open deals do not span the stages")
        self.assertEqual({o["status"] for o in ruijie if o["stage"] == "deliver"}, {"won"})
        for o in opps:
            if o["status"] in ("lost", "abandoned"):
                self.assertTrue(o["close_reason"], o)
            if o["status"] == "lost":
                self.assertTrue(o["won_by"], "a lost demo deal does not name the winner: %r" % o)
            else:
                self.assertIsNone(o["won_by"], o)

    def test_contacts_cover_the_buying_centre(self):
        contacts = self.list_all("contacts")
        roles = collections.Counter(c["buying_role"] for c in contacts)
        for role in ("approver", "decision_maker", "evaluator", "coach"):
            self.assertGreater(roles[role], 0, role)
        accounts = {a["id"] for a in self.list_all("accounts")}
        by_id = {c["id"]: c for c in contacts}
        for c in contacts:
            self.assertIn(c["account_id"], accounts)
            if c["reports_to"]:
                self.assertEqual(by_id[c["reports_to"]]["account_id"], c["account_id"])

    def test_activities(self):
        acts = self.list_all("activities")
        self.assertGreater(len(acts), 0)
        contacts = {c["id"]: c for c in self.list_all("contacts")}
        opps = {o["id"]: o for o in self.list_all("opportunities")}
        for a in acts:
            if a["opportunity_id"]:
                self.assertEqual(a["account_id"], opps[a["opportunity_id"]]["account_id"])
            for cid in a["contacts"]:
                self.assertEqual(contacts[cid]["account_id"], a["account_id"])
            for key in ("planned_at", "done_at"):
                if a[key]:
                    self.assertRegex(a[key], r"Z$")

    def test_demo_deals_have_history_and_checklist(self):
        opps = [o for o in self.list_all("opportunities") if o["status"] == "open"]
        for o in opps[:6]:
            h = self.get("/api/v1/opportunities/%s/history" % o["id"]).json["items"]
            self.assertGreaterEqual(len(h), 1)
            self.assertEqual(h[0]["kind"], "create")
            self.assertEqual(h[-1]["to_stage"], o["stage"])
            c = self.get("/api/v1/opportunities/%s/checklist" % o["id"])
            self.assertEqual(c.status, 200)
            self.assertEqual(c.json["stage"]["id"], o["stage"])

    def test_funnel_equals_own_computation(self):
        f = self.get("/api/v1/reports/funnel?playbook=ruijie-6&currency=CNY")
        self.assertEqual(f.status, 200, f)
        f = f.json
        opps = self.list_all("opportunities", "status=open&playbook=ruijie-6", limit=5)
        self.assertEqual(len({o["id"] for o in opps}), len(opps))
        opps = [o for o in opps if o["currency"] == "CNY"]
        self.assertTrue(opps)
        in_funnel = {s["id"]: s["in_funnel"] for s in self.pb["stages"]}
        prob = {s["id"]: s["probability"] for s in self.pb["stages"]}
        self.assertEqual([s["id"] for s in f["stages"]], self.stage_ids)

        def sums(deals):
            raw = sum(o["amount"] * o["probability"] for o in deals)
            return {"count": len(deals), "amount": sum(o["amount"] for o in deals),
                    "weighted_amount": (raw + 50) // 100}

        for row in f["stages"]:
            with self.subTest(stage=row["id"]):
                deals = [o for o in opps if o["stage"] == row["id"]]
                want = sums(deals)
                self.assertEqual({k: row[k] for k in want}, want)
                self.assertEqual(row["probability"], prob[row["id"]])
                self.assertEqual(row["in_funnel"], in_funnel[row["id"]])
                # no open deal is in deliver: entering it wins the deal
                self.assertEqual(row["count"] > 0, row["id"] != "deliver")
        self.assertEqual(f["totals"], sums(opps))
        self.assertEqual(f["funnel_totals"], sums([o for o in opps if in_funnel[o["stage"]]]))

    def test_funnel_per_owner(self):
        opps = [o for o in self.list_all("opportunities", "status=open&playbook=ruijie-6")
                if o["currency"] == "CNY" and o["owner"]]
        owners = collections.Counter(o["owner"] for o in opps)
        owner = owners.most_common(1)[0][0]
        f = self.get("/api/v1/reports/funnel?owner=" + urllib.parse.quote(owner)).json
        mine = [o for o in opps if o["owner"] == owner]
        self.assertEqual(f["totals"]["count"], len(mine))
        self.assertEqual(f["totals"]["amount"], sum(o["amount"] for o in mine))

    def test_approvals_wait_and_were_decided(self):
        # The regional manager and the head of sales each find a request in
        # their inbox; the early closes went through the head of sales
        # (华南 has no manager of its own); one request was rejected.
        for manager in ("孙丽", "赵强"):
            h = self.server.auth(manager)
            self.assertGreaterEqual(self.get("/api/v1/approvals/count", headers=h)
                                    .json["inbox"], 1, manager)
            items = self.get("/api/v1/approvals?box=inbox", headers=h).json["items"]
            self.assertTrue(all(i["state"] == "pending" and i["may_decide"] for i in items))
        closed = [o for o in self.list_all("opportunities")
                  if o["status"] in ("lost", "abandoned")]
        self.assertTrue(closed)
        for o in closed:
            items = self.get("/api/v1/opportunities/%s/approvals" % o["id"]).json["items"]
            self.assertEqual([(i["kind"], i["state"], i["status"]) for i in items],
                             [("close", "approved", o["status"])], o["name"])
            self.assertEqual(items[0]["decisions"][-1]["by"], "赵强")
        rejected = [i for o in self.list_all("opportunities", "status=open")
                    for i in self.get("/api/v1/opportunities/%s/approvals" % o["id"])
                    .json["items"] if i["state"] == "rejected"]
        self.assertEqual(len(rejected), 1)
        self.assertTrue(rejected[0]["decisions"][0]["comment"])


class DemoInitTwiceTest(unittest.TestCase):

    def test_init_demo_twice_does_not_duplicate(self):
        """init is meant to be harmless on an existing database: a second
        init --demo must either refuse or leave the data as it is, not load
        every demo record a second time."""
        s = BingfaServer(demo=True)
        try:
            def counts():
                return {t: bingfa_db.query(s.db, "SELECT COUNT(*) FROM " + t)[0][0]
                        for t in ("accounts", "contacts", "opportunities", "activities")}

            before = counts()
            self.assertGreaterEqual(before["accounts"], 8)
            res = run_cli("init", "--db", s.db, "--demo")
            self.assertEqual(counts(), before, "demo data loaded twice (exit %d: %s)"
                             % (res.returncode, res.stdout + res.stderr))
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()
