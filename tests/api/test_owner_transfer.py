"""The owner of a deal or an account is a user (owner_id), given on create and
changed only by a transfer that a manager of the owner's team or an admin
performs: it keeps stage and history and is audited. Nobody takes a deal by
PATCHing its owner, or hides it behind a name that is no user."""

import unittest

from bingfa_server import ServerTestCase, must


class OwnerTransferTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server

        east = must(s.post("/api/v1/teams", {"name": "转移·华东"}))["id"]
        south = must(s.post("/api/v1/teams", {"name": "转移·华南"}))["id"]
        partner = must(s.post("/api/v1/partners", {"name": "转移·渠道"}))["id"]
        cls.users = {}
        for name, role, team, company in (("tr_east_m", "manager", east, None),
                                          ("tr_zhang", "sales", east, None),
                                          ("tr_li", "sales", east, None),
                                          ("tr_south_m", "manager", south, None),
                                          ("tr_wang", "sales", south, None),
                                          ("tr_partner", "partner", None, partner),
                                          ("tr_impl", "implementation", None, None),
                                          ("tr_gone", "sales", east, None)):
            cls.users[name] = s.make_user(name, role=role, team_id=team, partner_id=company)
        cls.h = {name: s.auth(name) for name in cls.users if name != "tr_gone"}
        gone = cls.users["tr_gone"]
        must(s.patch("/api/v1/users/%s" % gone["id"], {"active": False}, version=gone["version"]),
             200)
        cls.partner = partner

    def uid(self, name):
        return self.users[name]["id"]

    def new_deal(self, owner="tr_zhang"):
        h = self.h[owner]
        acc = self.post("/api/v1/accounts", {"name": self.unique("转移客户")}, headers=h)
        self.assertEqual(acc.status, 201, acc)
        opp = self.post("/api/v1/opportunities",
                        {"account_id": acc.json["id"], "name": "转移商机", "amount": 5000000,
                         "playbook": "uss-5"}, headers=h)
        self.assertEqual(opp.status, 201, opp)
        return acc.json, opp.json

    def transfer(self, rec, to, who=None, reason="区域调整", version=None, kind="opportunities"):
        headers = dict(self.h[who]) if who else {}
        headers["If-Match"] = '"%d"' % (version or rec["version"])
        return self.request("POST", "/api/v1/%s/%s/transfer" % (kind, rec["id"]),
                            body={"owner_id": to, "reason": reason}, headers=headers)

    # -- no takeover -----------------------------------------------------------------

    def test_patching_the_owner_is_refused(self):
        _, opp = self.new_deal()
        url = "/api/v1/opportunities/" + opp["id"]
        # Neither the manager who may edit it nor its owner changes the owner by PATCH.
        for who in ("tr_east_m", "tr_zhang"):
            for body in ({"owner": "tr_li"}, {"owner_id": self.uid("tr_li")},
                         {"owner": "ghost"}, {"owner_id": "usr_ghost00000000"}):
                with self.subTest(who=who, body=body):
                    r = self.patch(url, body, version=opp["version"], headers=self.h[who])
                    self.assertError(r, 422, "read_only", next(iter(body)))
                    self.assertIn("transfer", r.json["error"]["message"])
        self.assertEqual(self.get(url, headers=self.h["tr_zhang"]).json["owner_id"],
                         self.uid("tr_zhang"))
        self.assertEqual(self.get(url, headers=self.h["tr_li"]).status, 404)

    def test_the_owner_on_create_is_an_active_user_who_may_own_deals(self):
        acc, _ = self.new_deal()
        for owner, code in (("usr_ghost00000000", "unknown_reference"),
                            (self.uid("tr_partner"), "invalid_value"),
                            (self.uid("tr_impl"), "invalid_value"),
                            (self.uid("tr_gone"), "invalid_value")):
            with self.subTest(owner=owner):
                r = self.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "x",
                                                        "owner_id": owner},
                              headers=self.h["tr_zhang"])
                self.assertError(r, 422, code, "owner_id")
        # The creator by default; another user when named (the creator stays on the team).
        mine = self.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "我的"},
                         headers=self.h["tr_zhang"]).json
        self.assertEqual((mine["owner_id"], mine["owner"]), (self.uid("tr_zhang"), "tr_zhang"))
        given = self.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "给李",
                                                    "owner_id": self.uid("tr_li")},
                          headers=self.h["tr_zhang"])
        self.assertEqual(given.status, 201, given)
        self.assertEqual(given.json["owner"], "tr_li")
        self.assertEqual(self.get("/api/v1/opportunities/" + given.json["id"],
                                  headers=self.h["tr_li"]).status, 200)

    # -- who transfers -------------------------------------------------------------------

    def test_only_a_manager_of_the_team_or_an_admin_transfers(self):
        _, opp = self.new_deal()
        self.assertError(self.transfer(opp, self.uid("tr_li"), who="tr_zhang"), 403)
        self.assertError(self.transfer(opp, self.uid("tr_li"), who="tr_li"), 404)
        self.assertError(self.transfer(opp, self.uid("tr_li"), who="tr_partner"), 404)
        # The south manager does not see the east deal; nor may he give it to his own people.
        self.assertError(self.transfer(opp, self.uid("tr_wang"), who="tr_south_m"), 404)
        # The east manager moves it within his team, not out of it.
        self.assertError(self.transfer(opp, self.uid("tr_wang"), who="tr_east_m"), 403)
        r = self.transfer(opp, self.uid("tr_li"), who="tr_east_m")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["owner_id"], r.json["owner"]), (self.uid("tr_li"), "tr_li"))
        # An admin moves it anywhere.
        r = self.transfer(r.json, self.uid("tr_wang"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["owner"], "tr_wang")

    def test_a_transfer_keeps_stage_and_history_and_is_audited(self):
        _, opp = self.new_deal()
        url = "/api/v1/opportunities/" + opp["id"]
        history = self.get(url + "/history").json["items"]
        r = self.transfer(opp, self.uid("tr_li"), who="tr_east_m", reason="张伟调往华南")
        self.assertEqual(r.status, 200, r)
        after = r.json
        for k in ("stage", "probability", "amount", "playbook", "status", "account_id"):
            self.assertEqual(after[k], opp[k], k)
        self.assertEqual(after["version"], opp["version"] + 1)
        self.assertEqual(self.get(url + "/history").json["items"], history)
        entry = self.get("/api/v1/audit?record_id=%s&action=transfer" % opp["id"]).json["items"]
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry[0]["actor"], "tr_east_m")
        self.assertEqual(entry[0]["old"], {"owner_id": self.uid("tr_zhang"), "owner": "tr_zhang"})
        self.assertEqual(entry[0]["new"], {"owner_id": self.uid("tr_li"), "owner": "tr_li",
                                           "reason": "张伟调往华南"})
        # The new owner sees it; the old one no longer does.
        self.assertEqual(self.get(url, headers=self.h["tr_li"]).status, 200)
        self.assertEqual(self.get(url, headers=self.h["tr_zhang"]).status, 404)

    def test_a_transfer_checks_its_request(self):
        _, opp = self.new_deal()
        url = "/api/v1/opportunities/%s/transfer" % opp["id"]
        r = self.request("POST", url, body={"owner_id": self.uid("tr_li"), "reason": "x"})
        self.assertError(r, 428, "if_match_required")
        self.assertError(self.transfer(opp, self.uid("tr_li"), version=opp["version"] + 5), 412)
        self.assertError(self.transfer(opp, self.uid("tr_li"), reason="  "), 422, "required",
                         "reason")
        self.assertError(self.transfer(opp, "usr_ghost00000000"), 422, "unknown_reference",
                         "owner_id")
        self.assertError(self.transfer(opp, self.uid("tr_partner")), 422, "invalid_value",
                         "owner_id")
        self.assertError(self.transfer(opp, self.uid("tr_gone")), 422, "invalid_value",
                         "owner_id")
        self.assertError(self.transfer(opp, self.uid("tr_zhang")), 422, "invalid_value",
                         "owner_id")
        self.assertEqual(self.get("/api/v1/opportunities/" + opp["id"]).json["version"],
                         opp["version"])

    def test_accounts_are_transferred_the_same_way(self):
        acc, _ = self.new_deal()
        r = self.patch("/api/v1/accounts/" + acc["id"], {"owner_id": self.uid("tr_li")},
                       version=acc["version"], headers=self.h["tr_zhang"])
        self.assertError(r, 422, "read_only", "owner_id")
        r = self.transfer(acc, self.uid("tr_li"), who="tr_east_m", kind="accounts")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["owner"], "tr_li")


if __name__ == "__main__":
    unittest.main()
