"""Owners, roles and partners exactly as docs/access.md says: login history
is the user's own and the admin's; a partner's figures leave out what a
partner never sees; implementation ticks no checklist; a hidden record in a
body answers like a missing one; names are trimmed and never blank."""

import unittest

from bingfa_server import ServerTestCase, must


def unmet_of(checklist):
    """The checklist's unmet count, recomputed from what it shows."""
    items = sum(1 for i in checklist["items"] if i["gate"] and not i["done"])
    decisions = sum(1 for d in checklist["decisions"] if d["answer"] != "yes")
    return items + decisions


class HardeningAccessTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.team = must(s.post("/api/v1/teams", {"name": "加固测试团队"}))["id"]
        cls.partner = must(s.post("/api/v1/partners", {"name": "加固测试渠道"}))["id"]
        for name, role, team, partner in (("hx_sales", "sales", cls.team, None),
                                          ("hx_other", "sales", cls.team, None),
                                          ("hx_partner", "partner", None, cls.partner),
                                          ("hx_impl", "implementation", None, None)):
            s.make_user(name, role=role, team_id=team, partner_id=partner)
        cls.h = {n: s.auth(n) for n in ("hx_sales", "hx_other", "hx_partner", "hx_impl")}
        # A yonyou-7 deal of hx_sales, the partner registered on it, and
        # hx_impl on its team; and a deal of hx_other that hx_sales never sees.
        acc = must(s.post("/api/v1/accounts", {"name": "加固测试客户"}, headers=cls.h["hx_sales"]))
        cls.account = acc["id"]
        cls.deal = must(s.post("/api/v1/opportunities",
                               {"account_id": acc["id"], "name": "加固商机", "playbook": "yonyou-7"},
                               headers=cls.h["hx_sales"]))["id"]
        must(s.request("PUT", "/api/v1/opportunities/%s/partners/%s" % (cls.deal, cls.partner)))
        must(s.request("PUT", "/api/v1/opportunities/%s/team/%s"
                       % (cls.deal, s.make_user("hx_impl2", role="implementation")["id"]),
                       body={"role": "implementation"}), 200)
        other_acc = must(s.post("/api/v1/accounts", {"name": "别人的客户"},
                                headers=cls.h["hx_other"]))
        cls.other_account = other_acc["id"]
        cls.hidden_deal = must(s.post("/api/v1/opportunities",
                                      {"account_id": other_acc["id"], "name": "别人的商机"},
                                      headers=cls.h["hx_other"]))["id"]
        cls.hidden_contact = must(s.post("/api/v1/contacts",
                                         {"account_id": other_acc["id"], "name": "别人的联系人"},
                                         headers=cls.h["hx_other"]))["id"]

    # -- 5: login history --------------------------------------------------------

    def test_staff_do_not_read_others_logins(self):
        s = self.server
        me = s.get("/api/v1/session").json["user"]["id"]
        login = s.request("POST", "/api/v1/session", body={"name": "tester",
                                                           "password": "tester-password-1"},
                          headers={"Authorization": None})
        self.assertEqual(login.status, 200)
        own = s.get("/api/v1/audit?record_id=%s" % me).json["items"]
        self.assertIn("login", [e["action"] for e in own], "an admin reads every login")
        other = self.get("/api/v1/audit?record_id=%s" % me, headers=self.h["hx_sales"])
        self.assertEqual(other.status, 200, other)
        actions = {e["action"] for e in other.json["items"]}
        self.assertFalse(actions & {"login", "login_failed", "logout", "password_change",
                                    "password_set", "token_create", "token_revoke"}, actions)
        self.assertFalse([e for e in other.json["items"] if e["address"] not in (None, "local")
                          and e["action"].startswith("login")])

    def test_a_user_reads_their_own_logins(self):
        uid = self.get("/api/v1/session", headers=self.h["hx_other"]).json["user"]["id"]
        r = self.get("/api/v1/audit?record_id=%s" % uid, headers=self.h["hx_other"])
        self.assertEqual(r.status, 200, r)
        self.assertIn("token_create", [e["action"] for e in r.json["items"]])

    # -- 6: what a partner infers --------------------------------------------------

    def test_a_partners_figures_count_only_what_it_sees(self):
        url = "/api/v1/opportunities/%s/checklist" % self.deal
        full = self.get(url).json
        seen = self.get(url, headers=self.h["hx_partner"]).json
        hidden = {i["id"] for i in full["items"]} - {i["id"] for i in seen["items"]}
        self.assertTrue(hidden, "the first stage of yonyou-7 has internal deliverables")
        self.assertEqual(full["unmet"], unmet_of(full))
        self.assertEqual(seen["unmet"], unmet_of(seen))
        self.assertLess(seen["unmet"], full["unmet"])
        health = self.get("/api/v1/opportunities/%s/health" % self.deal,
                          headers=self.h["hx_partner"]).json
        self.assertEqual(health["inputs"]["unmet_gate_items"], seen["unmet"])
        admin_health = self.get("/api/v1/opportunities/%s/health" % self.deal).json
        self.assertEqual(admin_health["inputs"]["unmet_gate_items"], full["unmet"])

    def test_a_hidden_item_does_not_exist_for_a_partner(self):
        full = self.get("/api/v1/opportunities/%s/checklist" % self.deal).json
        seen = self.get("/api/v1/opportunities/%s/checklist" % self.deal,
                        headers=self.h["hx_partner"]).json
        hidden = sorted({i["id"] for i in full["items"]} - {i["id"] for i in seen["items"]})
        r = self.request("PUT", "/api/v1/opportunities/%s/checklist/%s" % (self.deal, hidden[0]),
                         body={"done": True, "evidence": "试探"}, headers=self.h["hx_partner"])
        self.assertError(r, 404, "not_found")
        self.assertNotIn("stage", r.json["error"]["message"])
        missing = self.request("PUT", "/api/v1/opportunities/%s/checklist/no-such-item"
                               % self.deal, body={"done": True}, headers=self.h["hx_partner"])
        self.assertEqual(missing.json["error"], r.json["error"] | {
            "message": missing.json["error"]["message"]})

    def test_a_partner_does_not_learn_of_the_bid_simulation(self):
        from test_tools import three_competitors
        opp = self.create("opportunities", {"account_id": self.account, "name": "投标模拟",
                                            "playbook": "ruijie-6"})
        must(self.request("PUT", "/api/v1/opportunities/%s/partners/%s"
                               % (opp["id"], self.partner)))
        r = self.put_form("/api/v1/opportunities/%s/tender" % opp["id"],
                          {"scheme": three_competitors(us_price=300000000)})
        self.assertGreater(r["result"]["simulation"]["us_rank"], 1, r)
        staff = self.get("/api/v1/opportunities/%s/health" % opp["id"]).json
        self.assertTrue(staff["inputs"]["competitor_ahead"])
        seen = self.get("/api/v1/opportunities/%s/health" % opp["id"],
                        headers=self.h["hx_partner"]).json
        self.assertFalse(seen["inputs"]["competitor_ahead"])

    # -- 7: implementation ---------------------------------------------------------

    def test_implementation_ticks_no_checklist(self):
        s = self.server
        # loaded as already won (an admin may, for history)
        opp = self.create("opportunities", {"account_id": self.account, "name": "实施交接",
                                            "playbook": "uss-5", "status": "won"})
        impl = s.make_user("hx_impl3", role="implementation")
        must(s.request("PUT", "/api/v1/opportunities/%s/team/%s" % (opp["id"], impl["id"]),
                            body={"role": "implementation"}), 200)
        h = s.auth("hx_impl3")
        self.assertEqual(self.get("/api/v1/opportunities/%s" % opp["id"], headers=h).status, 200)
        r = self.request("PUT", "/api/v1/opportunities/%s/checklist/first-payment" % opp["id"],
                         body={"done": True, "evidence": "已到账"}, headers=h)
        self.assertError(r, 403, "forbidden")
        # staff still may
        ok = self.request("PUT", "/api/v1/opportunities/%s/checklist/first-payment" % opp["id"],
                          body={"done": True, "evidence": "已到账"})
        self.assertEqual(ok.status, 200, ok)

    # -- 8: no existence oracle ------------------------------------------------------

    def test_hidden_and_missing_references_answer_alike(self):
        h = self.h["hx_sales"]
        for field, hidden, missing, body in (
                ("opportunity_id", self.hidden_deal, "opp_doesnotexist0000",
                 {"account_id": self.account, "type": "call"}),
                ("account_id", self.other_account, "acc_doesnotexist0000", {"type": "call"})):
            with self.subTest(field=field):
                a = self.post("/api/v1/activities", dict(body, **{field: hidden}), headers=h)
                b = self.post("/api/v1/activities", dict(body, **{field: missing}), headers=h)
                self.assertError(a, 422, "unknown_reference", field)
                self.assertError(b, 422, "unknown_reference", field)
                self.assertEqual(a.json, b.json)

    def test_hidden_contacts_answer_like_missing_ones(self):
        h = self.h["hx_sales"]
        contact = self.create("contacts", {"account_id": self.account, "name": "自己的联系人"})
        for field, body in (
                ("reports_to", lambda x: ("/api/v1/contacts",
                                          {"account_id": self.account, "name": "下属",
                                           "reports_to": x})),
                ("contacts", lambda x: ("/api/v1/activities",
                                        {"account_id": self.account, "type": "visit",
                                         "contacts": [contact["id"], x]}))):
            with self.subTest(field=field):
                a = self.post(*body(self.hidden_contact), headers=h)
                b = self.post(*body("con_doesnotexist0000"), headers=h)
                self.assertError(a, 422, "unknown_reference", field)
                self.assertError(b, 422, "unknown_reference", field)

    # -- 9: names --------------------------------------------------------------------

    def test_blank_names_are_refused(self):
        for resource, extra in (("accounts", {}), ("contacts", {"account_id": None}),
                                ("opportunities", {"account_id": None})):
            for blank in (" ", "\u3000", " \t\u3000 ", "\u00a0"):
                with self.subTest(resource=resource, blank=repr(blank)):
                    body = {k: self.account for k in extra}
                    body["name"] = blank
                    r = self.post("/api/v1/" + resource, body)
                    self.assertError(r, 422, None, "name")

    def test_names_are_trimmed_on_create_and_patch(self):
        acc = self.create("accounts", {"name": "\u3000 江南市第三人民医院 \u3000"})
        self.assertEqual(acc["name"], "江南市第三人民医院")
        r = self.patch("/api/v1/accounts/%s" % acc["id"], {"name": "  "},
                       version=acc["version"])
        self.assertError(r, 422, None, "name")
        r = self.patch("/api/v1/accounts/%s" % acc["id"], {"name": " 江南三院 "},
                       version=acc["version"])
        self.assertEqual(r.json["name"], "江南三院")
        opp = self.create("opportunities", {"account_id": acc["id"], "name": "无线 ",
                                            "competitors": [" 华为 ", "新华三"]})
        self.assertEqual(opp["name"], "无线")
        self.assertEqual(opp["competitors"], ["华为", "新华三"])
        blank = self.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "x",
                                                    "competitors": ["\u3000"]})
        self.assertError(blank, 422, None, "competitors")


if __name__ == "__main__":
    unittest.main()
