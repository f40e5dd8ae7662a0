"""allowed_actions: what the answers say each user may do to a deal, an
account, a contact and an activity, tried for real. Every action listed
succeeds; every action left out is refused.

One team, East, shares its deals (share_deals): manager_east, sales_east1
(who owns the records), sales_east2 (someone else's deals), consultant_east;
partner P1 (partner1) is registered on every deal. Each user gets records of
their own to try things on:

    early     a deal in the first stage (to advance, edit, staff, transfer, delete)
    win, lose, abandon   deals in the winning stage (contract) to close each way
    lost      a lost deal (to reopen)
    account, its contact, the early deal's activity"""

import unittest

from bingfa_server import ADMIN_NAME, ServerTestCase, meet_gate

PLAYBOOK = "ruijie-6"
WINNING = "contract"
ROLES = {"manager_east": "manager", "sales_east1": "sales", "sales_east2": "sales",
         "consultant_east": "consultant", "partner1": "partner"}
USERS = [ADMIN_NAME] + list(ROLES)

DEAL_ACTIONS = {"edit", "delete", "advance", "win", "lose", "abandon", "reopen", "transfer",
                "staff", "add_activity", "add_contact"}
ACCOUNT_ACTIONS = {"edit", "delete", "transfer", "add_activity", "add_contact", "add_deal"}
SIMPLE_ACTIONS = {"edit", "delete"}

# What each role may do to an open early deal it sees (sales_east1 owns it).
EARLY = {
    ADMIN_NAME: DEAL_ACTIONS - {"win", "reopen"},
    "manager_east": DEAL_ACTIONS - {"win", "reopen"},
    "sales_east1": DEAL_ACTIONS - {"win", "reopen", "transfer"},
    "sales_east2": DEAL_ACTIONS - {"win", "reopen", "transfer", "staff"},
    "consultant_east": DEAL_ACTIONS - {"win", "reopen", "transfer", "staff"},
    "partner1": {"add_activity", "add_contact"},
}


def refused(r):
    """A write refused: 403 by the access rules, or 409 when the record's
    status leaves nothing to do (a closed deal does not advance)."""
    return r.status == 403 or (r.status == 409 and
                               r.json["error"]["code"] in ("not_open", "closed"))


class AllowedActionsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server

        def must(r, status=(200, 201)):
            if r.status not in ((status,) if isinstance(status, int) else status):
                raise RuntimeError("setup: %r" % (r,))
            return r.json

        cls.must = staticmethod(must)
        cls.team = must(s.post("/api/v1/teams", {"name": "East", "share_deals": True}))["id"]
        cls.partner = must(s.post("/api/v1/partners", {"name": "渠道 P1"}))["id"]
        cls.other_partner = must(s.post("/api/v1/partners", {"name": "渠道 P2"}))["id"]
        cls.uid = {ADMIN_NAME: s._users_named(ADMIN_NAME)["id"]}
        cls.h = {ADMIN_NAME: {"Authorization": "Bearer " + s.token}}
        for name, role in ROLES.items():
            u = s.make_user(name, role=role, team_id=None if role == "partner" else cls.team,
                            partner_id=cls.partner if role == "partner" else None)
            cls.uid[name] = u["id"]
            cls.h[name] = s.auth(name)

    # -- helpers -------------------------------------------------------------------------

    def as_(self, user, method, path, body=None, version=None):
        h = dict(self.h[user])
        if version is not None:
            h["If-Match"] = '"%s"' % version
        return self.request(method, path, body=body, headers=h)

    def admin(self, method, path, body=None, status=(200, 201)):
        return self.must(self.request(method, path, body=body), status)

    def world(self, tag):
        """The records one user tries things on, all owned by sales_east1."""
        owner = self.uid["sales_east1"]
        acc = self.admin("POST", "/api/v1/accounts", {"name": "AA 客户 %s" % tag,
                                                      "owner_id": owner})
        deals = {}
        for key, stage, status in (("early", None, "open"), ("win", WINNING, "open"),
                                   ("lose", WINNING, "open"), ("abandon", WINNING, "open"),
                                   ("lost", None, "lost")):
            body = {"account_id": acc["id"], "name": "AA %s %s" % (key, tag),
                    "playbook": PLAYBOOK, "owner_id": owner, "amount": 100000, "status": status}
            if stage:
                body["stage"] = stage
            if status == "lost":
                body.update(won_by="对手", close_reason="价格")
            deals[key] = self.admin("POST", "/api/v1/opportunities", body)
            self.admin("PUT", "/api/v1/opportunities/%s/partners/%s"
                       % (deals[key]["id"], self.partner))
        contact = self.admin("POST", "/api/v1/contacts", {"account_id": acc["id"],
                                                          "name": "AA 联系人 %s" % tag})
        activity = self.admin("POST", "/api/v1/activities",
                              {"opportunity_id": deals["early"]["id"], "type": "visit",
                               "subject": "AA 拜访 %s" % tag, "owner_id": owner})
        return acc, deals, contact, activity

    def read(self, user, resource, rec_id):
        r = self.as_(user, "GET", "/api/v1/%s/%s" % (resource, rec_id))
        self.assertEqual(r.status, 200, r)
        self.assertIn("allowed_actions", r.json, r)
        return r.json

    def listed(self, user, resource, rec_id, query):
        r = self.as_(user, "GET", "/api/v1/%s?%s&limit=200" % (resource, query))
        self.assertEqual(r.status, 200, r)
        for item in r.json["items"]:
            if item["id"] == rec_id:
                return item
        self.fail("%s not in %s's list of %s" % (rec_id, user, resource))

    def check(self, user, rec, action, r, ok=(200, 201, 204)):
        """r, the answer to trying action, succeeds when rec lists it, else
        is refused."""
        allowed = set(rec["allowed_actions"])
        if action in allowed:
            self.assertIn(r.status, ok, "%s may %s %s: %r" % (user, action, rec["id"], r))
        else:
            self.assertTrue(refused(r), "%s may not %s %s: %r" % (user, action, rec["id"], r))

    # -- the tries -----------------------------------------------------------------------

    def try_deal(self, user, deal, other_user):
        url = "/api/v1/opportunities/" + deal["id"]
        rec = self.read(user, "opportunities", deal["id"])
        self.assertEqual(set(rec["allowed_actions"]), EARLY[user], user)
        self.assertEqual(self.listed(user, "opportunities", deal["id"],
                                     "account_id=" + deal["account_id"])["allowed_actions"],
                         rec["allowed_actions"])
        self.check(user, rec, "edit", self.as_(user, "PATCH", url, {"amount": 123400},
                                               version=rec["version"]))
        self.check(user, rec, "add_activity", self.as_(
            user, "POST", "/api/v1/activities",
            {"opportunity_id": deal["id"], "type": "call", "subject": "试一下"}))
        self.check(user, rec, "add_contact", self.as_(
            user, "POST", "/api/v1/contacts", {"account_id": deal["account_id"], "name": "试 联系人"}))
        self.check(user, rec, "staff", self.as_(
            user, "PUT", "%s/partners/%s" % (url, self.other_partner)))
        meet_gate(self.server, deal["id"])
        self.check(user, rec, "advance", self.as_(user, "POST", url + "/advance"))
        now = self.admin("GET", url)
        self.check(user, rec, "transfer", self.as_(
            user, "POST", url + "/transfer", {"owner_id": self.uid[other_user], "reason": "试"},
            version=now["version"]))
        now = self.admin("GET", url)
        self.check(user, rec, "delete", self.as_(user, "DELETE", url, version=now["version"]))

    def try_close(self, user, deals):
        for action, status in (("win", None), ("lose", "lost"), ("abandon", "abandoned")):
            deal = deals[action]
            url = "/api/v1/opportunities/" + deal["id"]
            rec = self.read(user, "opportunities", deal["id"])
            movers = ROLES.get(user) != "partner"
            self.assertEqual(action in rec["allowed_actions"], movers, (user, rec))
            if status is None:
                meet_gate(self.server, deal["id"])
                r = self.as_(user, "POST", url + "/advance")
                self.check(user, rec, "win", r)
                if r.status == 200:
                    self.assertEqual(r.json["status"], "won", r)
                    self.assertNotIn("win", r.json["allowed_actions"], r)
                    self.assertEqual("reopen" in r.json["allowed_actions"], movers, r)
            else:
                r = self.as_(user, "PATCH", url, {"status": status, "won_by": "对手",
                                                  "close_reason": "试"}, version=rec["version"])
                self.check(user, rec, action, r)
        lost = deals["lost"]
        url = "/api/v1/opportunities/" + lost["id"]
        rec = self.read(user, "opportunities", lost["id"])
        for absent in ("advance", "win", "lose", "abandon"):
            self.assertNotIn(absent, rec["allowed_actions"], (user, rec))
        self.check(user, rec, "advance", self.as_(user, "POST", url + "/advance"))
        self.check(user, rec, "reopen", self.as_(user, "PATCH", url, {"status": "open"},
                                                 version=rec["version"]))

    def try_account(self, user, acc, other_user):
        url = "/api/v1/accounts/" + acc["id"]
        rec = self.read(user, "accounts", acc["id"])
        self.assertEqual(self.listed(user, "accounts", acc["id"], "q=AA")["allowed_actions"],
                         rec["allowed_actions"])
        self.check(user, rec, "edit", self.as_(user, "PATCH", url, {"industry": "教育"},
                                               version=rec["version"]))
        self.check(user, rec, "add_contact", self.as_(
            user, "POST", "/api/v1/contacts", {"account_id": acc["id"], "name": "试 联系人二"}))
        self.check(user, rec, "add_activity", self.as_(
            user, "POST", "/api/v1/activities",
            {"account_id": acc["id"], "type": "call", "subject": "客户电话"}))
        self.check(user, rec, "add_deal", self.as_(
            user, "POST", "/api/v1/opportunities",
            {"account_id": acc["id"], "name": "试 新商机", "playbook": PLAYBOOK}))
        now = self.admin("GET", url)
        self.check(user, rec, "transfer", self.as_(
            user, "POST", url + "/transfer", {"owner_id": self.uid[other_user], "reason": "试"},
            version=now["version"]))

    def try_simple(self, user, resource, rec_id, patch):
        url = "/api/v1/%s/%s" % (resource, rec_id)
        rec = self.read(user, resource, rec_id)
        self.assertLessEqual(set(rec["allowed_actions"]), SIMPLE_ACTIONS, rec)
        self.check(user, rec, "edit", self.as_(user, "PATCH", url, patch, version=rec["version"]))
        now = self.admin("GET", url)
        self.check(user, rec, "delete", self.as_(user, "DELETE", url, version=now["version"]))
        return rec

    def run_for(self, user):
        acc, deals, contact, activity = self.world(user)
        other = "sales_east2" if user != "sales_east2" else "consultant_east"
        self.try_simple(user, "activities", activity["id"], {"subject": "改过的拜访"})
        self.try_deal(user, deals["early"], other)
        self.try_close(user, deals)
        self.try_simple(user, "contacts", contact["id"], {"title": "处长"})
        self.try_account(user, acc, other)

    # -- the roles -----------------------------------------------------------------------

    def test_admin(self):
        self.run_for(ADMIN_NAME)

    def test_manager(self):
        self.run_for("manager_east")

    def test_sales_own(self):
        self.run_for("sales_east1")

    def test_sales_someone_elses(self):
        self.run_for("sales_east2")

    def test_consultant(self):
        self.run_for("consultant_east")

    def test_partner(self):
        self.run_for("partner1")
        rec = self.read("partner1", "opportunities", self.world("partner-2")[1]["early"]["id"])
        self.assertEqual(set(rec["allowed_actions"]), {"add_activity", "add_contact"})

    def test_partner_simple_records(self):
        """A partner edits the contacts and activities it sees and deletes
        activities, but never a contact; it changes no account."""
        acc, deals, contact, activity = self.world("partner-3")
        self.assertEqual(set(self.read("partner1", "contacts", contact["id"])["allowed_actions"]),
                         {"edit"})
        self.assertEqual(set(self.read("partner1", "activities",
                                       activity["id"])["allowed_actions"]), {"edit", "delete"})
        self.assertEqual(set(self.read("partner1", "accounts", acc["id"])["allowed_actions"]),
                         {"add_activity", "add_contact"})

    def test_manager_outside_tree(self):
        """A manager whom the owner's team does not report to may not transfer."""
        s = self.server
        other_team = self.must(s.post("/api/v1/teams", {"name": "West", "share_deals": True}))
        s.make_user("manager_west", role="manager", team_id=other_team["id"])
        self.h["manager_west"] = s.auth("manager_west")
        acc, deals, contact, activity = self.world("west")
        # the manager sees the deal as a member of its team, not as the owner's manager
        self.admin("PUT", "/api/v1/opportunities/%s/team/%s"
                   % (deals["early"]["id"], s._users_named("manager_west")["id"]),
                   {"role": "manager"})
        rec = self.read("manager_west", "opportunities", deals["early"]["id"])
        self.assertNotIn("transfer", rec["allowed_actions"], rec)
        self.check("manager_west", rec, "transfer", self.as_(
            "manager_west", "POST", "/api/v1/opportunities/%s/transfer" % rec["id"],
            {"owner_id": self.uid["sales_east2"], "reason": "试"}, version=rec["version"]))


if __name__ == "__main__":
    unittest.main()
