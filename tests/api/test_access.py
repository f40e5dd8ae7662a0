"""Roles and visibility: who sees which deal, account, contact and activity,
who may change what, what channel partners never see, and the audit log.

setUpClass builds one organisation:

    HQ (manager_hq)
    +-- East (manager_east, sales_east1, sales_east2, consultant_east; share_deals false)
    +-- South (sales_south)
    partners P1 (partner1), P2 (partner2), P3 (partner3), P4; impl (implementation, no team)

and five deals on playbook ruijie-6, each on an account of its own:

    d_east1     owner sales_east1; P1 registered
    d_east2     owner sales_east2; consultant_east a member (consultant)
    d_south     owner sales_south; P2 registered
    d_won       owner the admin, won; impl a member (implementation)
    d_handover  owner the admin, open; impl a member (implementation)

The authorization matrix checks every user against every deal on every
endpoint with the status VISIBLE and expect_write say. Other deals made here
(throwaway copies, side stories) use other playbooks, so the ruijie-6 funnel
counts only the five."""

import json
import unittest
from urllib.parse import quote

import bingfa_db
from bingfa_server import ADMIN_NAME, ServerTestCase, meet_gate
from test_playbook_import import custom
from test_tools import three_competitors

MARK = "ACLMATRIX"
ACC_NOTE = "客户内部备注-SECRET-ACC"
CONTACT_NOTE = "联系人内部备注-SECRET-CONTACT"
OPP_NOTE = "商机内部备注-SECRET-OPP"
SECRETS = (ACC_NOTE, CONTACT_NOTE, OPP_NOTE)
HIDDEN_KEYS = {"notes", "internal_notes", "margin"}

ADMIN = ADMIN_NAME
ROLES = {ADMIN: "admin", "manager_hq": "manager", "manager_east": "manager",
         "sales_east1": "sales", "sales_east2": "sales", "consultant_east": "consultant",
         "sales_south": "sales", "partner1": "partner", "partner2": "partner",
         "partner3": "partner", "impl": "implementation"}
MATRIX_USERS = [ADMIN, "manager_hq", "manager_east", "sales_east1", "sales_east2",
                "consultant_east", "sales_south", "partner1", "partner2", "impl"]
DEALS = ["d_east1", "d_east2", "d_south", "d_won", "d_handover"]

# How each deal is made: owner, members (user, role), partners, status, amount (fen).
DEAL_SPECS = {
    "d_east1": ("sales_east1", [], ["P1"], "open", 100000),
    "d_east2": ("sales_east2", [("consultant_east", "consultant")], [], "open", 200000),
    "d_south": ("sales_south", [], ["P2"], "open", 400000),
    "d_won": (ADMIN, [("impl", "implementation")], [], "won", 800000),
    "d_handover": (ADMIN, [("impl", "implementation")], [], "open", 1600000),
}

# The deals each user sees (and with them their accounts, contacts, activities).
VISIBLE = {
    ADMIN: set(DEALS),
    "manager_hq": {"d_east1", "d_east2", "d_south"},
    "manager_east": {"d_east1", "d_east2"},
    "sales_east1": {"d_east1"},
    "sales_east2": {"d_east2"},
    "consultant_east": {"d_east2"},
    "sales_south": {"d_south"},
    "partner1": {"d_east1"},
    "partner2": {"d_south"},
    "impl": {"d_won"},
}

OPP_READS = ["", "/checklist", "/next", "/history", "/health", "/team", "/mant", "/tender",
             "/evaluation", "/5w2p", "/compelling-event", "/selection-scoring"]


def expect_read(user, deal):
    return 200 if deal in VISIBLE[user] else 404


def expect_write(user, deal, success):
    """404 when the user cannot see the deal; 403 for partners and
    implementation (they change no deals or accounts); else success."""
    if deal not in VISIBLE[user]:
        return 404
    if ROLES[user] in ("partner", "implementation"):
        return 403
    return success


def expect_audit(user, deal):
    if ROLES[user] == "partner":
        return 403
    return 200 if deal in VISIBLE[user] else 404


def hidden_keys(value, path="$"):
    """Paths of the keys of HIDDEN_KEYS anywhere in a JSON value."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in HIDDEN_KEYS:
                found.append("%s.%s" % (path, k))
            found.extend(hidden_keys(v, "%s.%s" % (path, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.extend(hidden_keys(v, "%s[%d]" % (path, i)))
    return found


def keys_anywhere(value, key):
    if isinstance(value, dict):
        return key in value or any(keys_anywhere(v, key) for v in value.values())
    if isinstance(value, list):
        return any(keys_anywhere(v, key) for v in value)
    return False


class AccessTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.h = {ADMIN: {"Authorization": "Bearer " + s.token}}

        def must(r, status=(200, 201)):
            if r.status not in ((status,) if isinstance(status, int) else status):
                raise RuntimeError("setup: %r" % (r,))
            return r.json

        cls.teams = {}
        cls.teams["HQ"] = must(s.post("/api/v1/teams", {"name": "HQ 总部"}))["id"]
        for name in ("East", "South"):
            cls.teams[name] = must(s.post("/api/v1/teams", {"name": name, "share_deals": False,
                                                             "parent_id": cls.teams["HQ"]}))["id"]
        cls.partners = {p: must(s.post("/api/v1/partners", {"name": "渠道 " + p}))["id"]
                        for p in ("P1", "P2", "P3", "P4")}
        cls.uid = {ADMIN: s._users_named(ADMIN)["id"]}
        placement = {"manager_hq": ("HQ", None), "manager_east": ("East", None),
                     "sales_east1": ("East", None), "sales_east2": ("East", None),
                     "consultant_east": ("East", None), "sales_south": ("South", None),
                     "partner1": (None, "P1"), "partner2": (None, "P2"),
                     "partner3": (None, "P3"), "impl": (None, None)}
        for name, (team, partner) in placement.items():
            u = s.make_user(name, role=ROLES[name], team_id=cls.teams.get(team),
                            partner_id=cls.partners.get(partner))
            cls.uid[name] = u["id"]
            cls.h[name] = s.auth(name)

        # The five deals, each made by its owner on an account of its own.
        cls.deal, cls.account, cls.contact, cls.activity = {}, {}, {}, {}
        cls.setup_status = {}
        for key in DEALS:
            owner, members, partners, status, amount = DEAL_SPECS[key]
            hdr = cls.h[owner]
            acc = must(s.post("/api/v1/accounts", {"name": "%s 客户 %s" % (MARK, key),
                                                   "notes": ACC_NOTE}, headers=hdr), 201)
            opp = must(s.post("/api/v1/opportunities",
                              {"account_id": acc["id"], "name": "%s 商机 %s" % (MARK, key),
                               "amount": amount, "playbook": "ruijie-6", "status": status,
                               "internal_notes": OPP_NOTE, "margin": 12345},
                              headers=hdr), 201)
            cls.account[key], cls.deal[key] = acc["id"], opp["id"]
            cls.contact[key] = must(s.post("/api/v1/contacts",
                                           {"account_id": acc["id"], "notes": CONTACT_NOTE,
                                            "name": "%s 联系人 %s" % (MARK, key)},
                                           headers=hdr), 201)["id"]
            cls.activity[key] = must(s.post("/api/v1/activities",
                                            {"opportunity_id": opp["id"], "type": "visit",
                                             "subject": "%s 拜访 %s" % (MARK, key)},
                                            headers=hdr), 201)["id"]
        # The deal teams, each staffed by someone allowed to.
        team = "/api/v1/opportunities/%s/team/%s"
        reg = "/api/v1/opportunities/%s/partners/%s"
        first = s.request("PUT", reg % (cls.deal["d_east1"], cls.partners["P1"]),
                          headers=cls.h["sales_east1"])
        again = s.request("PUT", reg % (cls.deal["d_east1"], cls.partners["P1"]),
                          headers=cls.h["sales_east1"])
        cls.setup_status["register"] = (must(first), first.status, again.status)
        must(s.request("PUT", reg % (cls.deal["d_south"], cls.partners["P2"]),
                       headers=cls.h["manager_hq"]))
        must(s.request("PUT", team % (cls.deal["d_east2"], cls.uid["consultant_east"]),
                       body={"role": "consultant"}, headers=cls.h["sales_east2"]))
        for key in ("d_won", "d_handover"):
            must(s.request("PUT", team % (cls.deal[key], cls.uid["impl"]),
                           body={"role": "implementation"}))
        # Tender forms with a scoring scheme (our estimates of the rivals' prices).
        for key in ("d_east1", "d_south"):
            must(s.request("PUT", "/api/v1/opportunities/%s/tender" % cls.deal[key],
                           body={"scheme": three_competitors()}), 200)

    # -- helpers -------------------------------------------------------------------------

    def as_(self, user, method, path, body=None, **headers):
        h = dict(self.h[user])
        h.update(headers)
        return self.request(method, path, body=body, headers=h)

    def opp_url(self, deal_or_id):
        return "/api/v1/opportunities/" + self.deal.get(deal_or_id, deal_or_id)

    def admin_get(self, path):
        r = self.get(path)
        self.assertEqual(r.status, 200, r)
        return r.json

    def list_as(self, user, resource, query=""):
        items, cursor = [], None
        for _ in range(100):
            path = "/api/v1/%s?%slimit=200" % (resource, query + "&" if query else "")
            if cursor:
                path += "&cursor=" + cursor
            r = self.as_(user, "GET", path)
            self.assertEqual(r.status, 200, r)
            self.assertPartnerClean(user, r)
            items.extend(r.json["items"])
            cursor = r.json["next_cursor"]
            if not cursor:
                return items
        self.fail("list did not end")

    def visible_deals_in(self, user, resource, ids, query=""):
        """The main deals whose record of resource (ids: deal -> record id)
        the user's list holds."""
        got = {item["id"] for item in self.list_as(user, resource, query)}
        return {d for d in DEALS if ids[d] in got}

    def assertPartnerClean(self, user, r):
        """A partner's answer holds no internal field and no internal note."""
        if ROLES[user] != "partner" or r.status != 200:
            return
        self.assertEqual(hidden_keys(r.json), [], r)
        text = r.raw.decode("utf-8")
        for secret in SECRETS:
            self.assertNotIn(secret, text, r)

    def copy_of(self, deal, playbook="uss-5", own_account=False):
        """A throwaway deal seen by the same people as deal: same owner, account,
        members, partners and status (on another playbook: not in the funnel).
        With own_account, on a new account of the owner's instead: changes to
        its team then leave the main accounts' visibility alone."""
        owner, members, partners, status, amount = DEAL_SPECS[deal]
        account = self.account[deal]
        if own_account:
            r = self.as_(owner, "POST", "/api/v1/accounts", {"name": "ACLCOPY 客户"})
            self.assertEqual(r.status, 201, r)
            account = r.json["id"]
        r = self.as_(owner, "POST", "/api/v1/opportunities",
                     {"account_id": account, "name": "ACLCOPY %s" % deal,
                      "amount": amount, "playbook": playbook, "status": status,
                      "internal_notes": OPP_NOTE})
        self.assertEqual(r.status, 201, r)
        opp = r.json
        for user, role in members:
            r = self.request("PUT", "%s/team/%s" % (self.opp_url(opp["id"]), self.uid[user]),
                             body={"role": role})
            self.assertEqual(r.status, 200, r)
        for p in partners:
            r = self.request("PUT", "%s/partners/%s" % (self.opp_url(opp["id"]),
                                                       self.partners[p]))
            self.assertIn(r.status, (200, 201), r)
        return opp

    def audit_actions(self, record_id):
        items = self.admin_get("/api/v1/audit?limit=200&record_id=" + record_id)["items"]
        return items

    # -- the org itself ------------------------------------------------------------------

    def test_setup_deals_belong_to_their_owners(self):
        for key in DEALS:
            o = self.admin_get(self.opp_url(key))
            self.assertEqual(o["owner"], DEAL_SPECS[key][0])
            self.assertEqual(o["internal_notes"], OPP_NOTE)
            self.assertEqual(o["margin"], 12345)
            self.assertEqual(self.admin_get("/api/v1/accounts/" + self.account[key])["owner"],
                             DEAL_SPECS[key][0])

    def test_partner_registration_statuses(self):
        team, first, again = self.setup_status["register"]
        self.assertEqual((first, again), (201, 200),
                         "PUT .../partners/{id}: 201 the first time, 200 again")
        self.assertEqual([p["id"] for p in team["partners"]], [self.partners["P1"]])
        self.assertEqual(team["partners"][0]["kind"], "partner")

    # -- the matrix: reads ----------------------------------------------------------------

    def test_matrix_reads(self):
        for user in MATRIX_USERS:
            for deal in DEALS:
                want = expect_read(user, deal)
                paths = [self.opp_url(deal) + sub for sub in OPP_READS]
                paths += ["/api/v1/accounts/" + self.account[deal],
                          "/api/v1/accounts/%s/profile" % self.account[deal],
                          "/api/v1/contacts/" + self.contact[deal],
                          "/api/v1/activities/" + self.activity[deal]]
                for path in paths:
                    with self.subTest(user=user, deal=deal, path=path):
                        r = self.as_(user, "GET", path)
                        self.assertEqual(r.status, want, r)
                        if want == 404:
                            self.assertError(r, 404, "not_found")
                            self.assertNotIn(MARK, r.raw.decode("utf-8"))
                        self.assertPartnerClean(user, r)
                with self.subTest(user=user, deal=deal, path="audit"):
                    r = self.as_(user, "GET", "/api/v1/audit?record_id=" + self.deal[deal])
                    self.assertEqual(r.status, expect_audit(user, deal), r)
                    if r.status != 200:
                        self.assertNotIn(MARK, r.raw.decode("utf-8"))

    def test_matrix_internal_fields(self):
        """Staff see the internal fields; partners never, not even as null."""
        for user in MATRIX_USERS:
            for deal in sorted(VISIBLE[user]):
                with self.subTest(user=user, deal=deal):
                    o = self.as_(user, "GET", self.opp_url(deal)).json
                    a = self.as_(user, "GET", "/api/v1/accounts/" + self.account[deal]).json
                    c = self.as_(user, "GET", "/api/v1/contacts/" + self.contact[deal]).json
                    if ROLES[user] == "partner":
                        self.assertNotIn("internal_notes", o)
                        self.assertNotIn("margin", o)
                        self.assertNotIn("notes", a)
                        self.assertNotIn("notes", c)
                    else:
                        self.assertEqual((o["internal_notes"], o["margin"]), (OPP_NOTE, 12345))
                        self.assertEqual(a["notes"], ACC_NOTE)
                        self.assertEqual(c["notes"], CONTACT_NOTE)

    def test_matrix_tender_scheme(self):
        for user in MATRIX_USERS:
            for deal in ("d_east1", "d_south"):
                if deal not in VISIBLE[user]:
                    continue
                with self.subTest(user=user, deal=deal):
                    f = self.as_(user, "GET", self.opp_url(deal) + "/tender").json
                    self.assertIsNotNone(f["data"])
                    if ROLES[user] == "partner":
                        self.assertNotIn("scheme", f["data"])
                        self.assertNotIn("simulation", f["result"] or {})
                        self.assertFalse(keys_anywhere(f, "scheme"), f)
                    else:
                        self.assertEqual(f["data"]["scheme"], three_competitors())
                        self.assertIsNotNone(f["result"]["simulation"])

    # -- the matrix: lists, search, funnel -------------------------------------------------

    def test_matrix_lists_search_and_funnel(self):
        resources = {"opportunities": self.deal, "accounts": self.account,
                     "contacts": self.contact, "activities": self.activity}
        for user in MATRIX_USERS:
            want = VISIBLE[user]
            for resource, ids in resources.items():
                with self.subTest(user=user, resource=resource, query="list"):
                    self.assertEqual(self.visible_deals_in(user, resource, ids), want)
                with self.subTest(user=user, resource=resource, query="q"):
                    self.assertEqual(self.visible_deals_in(user, resource, ids,
                                                           "q=" + quote(MARK)), want)
            with self.subTest(user=user, query="funnel"):
                r = self.as_(user, "GET", "/api/v1/reports/funnel?playbook=ruijie-6")
                self.assertEqual(r.status, 200, r)
                self.assertPartnerClean(user, r)
                open_deals = [d for d in want if DEAL_SPECS[d][3] == "open"]
                self.assertEqual(r.json["totals"]["count"], len(open_deals), r)
                self.assertEqual(r.json["totals"]["amount"],
                                 sum(DEAL_SPECS[d][4] for d in open_deals), r)
                self.assertEqual(sum(st["count"] for st in r.json["stages"]), len(open_deals))

    # -- the matrix: writes ------------------------------------------------------------------

    def test_matrix_patch(self):
        for user in MATRIX_USERS:
            for deal in DEALS:
                for path, body in ((self.opp_url(deal), {"description": "矩阵改 " + user}),
                                   ("/api/v1/accounts/" + self.account[deal],
                                    {"industry": "矩阵 " + user})):
                    with self.subTest(user=user, deal=deal, path=path):
                        before = self.admin_get(path)
                        want = expect_write(user, deal, 200)
                        r = self.as_(user, "PATCH", path, body,
                                     **{"If-Match": '"%d"' % before["version"]})
                        self.assertEqual(r.status, want, r)
                        after = self.admin_get(path)
                        if want == 200:
                            self.assertEqual(after["version"], before["version"] + 1)
                            self.assertPartnerClean(user, r)
                        else:
                            self.assertEqual(after, before, "a refused PATCH wrote")
                            self.assertNotIn(MARK, r.raw.decode("utf-8"))

    def test_matrix_delete_on_copies(self):
        shared = {deal: self.copy_of(deal) for deal in DEALS}
        for user in MATRIX_USERS:
            for deal in DEALS:
                want = expect_write(user, deal, 204)
                with self.subTest(user=user, deal=deal):
                    opp = self.copy_of(deal) if want == 204 else shared[deal]
                    url = self.opp_url(opp["id"])
                    # The copy is seen exactly as the deal is.
                    self.assertEqual(self.as_(user, "GET", url).status,
                                     expect_read(user, deal))
                    r = self.as_(user, "DELETE", url, **{"If-Match": '"%d"' % opp["version"]})
                    self.assertEqual(r.status, want, r)
                    self.assertEqual(self.get(url).status, 404 if want == 204 else 200)
                    log = self.audit_actions(opp["id"])
                    if want == 204:
                        self.assertEqual((log[0]["actor"], log[0]["action"]), (user, "delete"))
                        self.assertEqual(log[0]["old"]["name"], opp["name"])
                    else:
                        self.assertNotIn("delete", [e["action"] for e in log])
        # Nobody else could remove the shared copies.
        for deal, opp in shared.items():
            self.assertEqual(self.get(self.opp_url(opp["id"])).status, 200)

    def test_matrix_advance_and_forms(self):
        """Advancing (the gate is not met: 409 for those allowed) and saving a
        form (MANT: partners may, implementation may not; the tender: staff)."""
        for user in MATRIX_USERS:
            for deal in DEALS:
                with self.subTest(user=user, deal=deal, op="advance"):
                    before = self.admin_get(self.opp_url(deal))
                    r = self.as_(user, "POST", self.opp_url(deal) + "/advance",
                                 {"note": "矩阵推进"})
                    self.assertEqual(r.status, expect_write(user, deal, 409), r)
                    after = self.admin_get(self.opp_url(deal))
                    self.assertEqual((after["stage"], after["version"]),
                                     (before["stage"], before["version"]))
                with self.subTest(user=user, deal=deal, op="tender"):
                    url = self.opp_url(deal) + "/tender"
                    before = self.admin_get(url)
                    r = self.as_(user, "PUT", url, before["data"] or {})
                    if deal not in VISIBLE[user]:
                        want = 404
                    elif ROLES[user] in ("partner", "implementation"):
                        want = 403
                    else:
                        want = 200
                    self.assertEqual(r.status, want, r)
                    if want != 200:
                        self.assertEqual(self.admin_get(url), before)
                with self.subTest(user=user, deal=deal, op="mant"):
                    url = self.opp_url(deal) + "/mant"
                    before = self.admin_get(url)
                    r = self.as_(user, "PUT", url, {"needs": ["矩阵 " + user]})
                    if deal not in VISIBLE[user]:
                        want = 404
                    elif ROLES[user] == "implementation":
                        want = 403
                    else:
                        want = 200
                    self.assertEqual(r.status, want, r)
                    if want != 200:
                        self.assertEqual(self.admin_get(url), before)
                    self.assertPartnerClean(user, r)

    # -- partners ----------------------------------------------------------------------------

    def test_partner_directory_and_audit(self):
        for user, partner in (("partner1", "P1"), ("partner2", "P2")):
            with self.subTest(user=user):
                self.assertEqual(self.list_as(user, "teams"), [])
                users = self.list_as(user, "users")
                self.assertEqual([u["id"] for u in users], [self.uid[user]])
                partners = self.list_as(user, "partners")
                self.assertEqual([p["id"] for p in partners], [self.partners[partner]])
                other = "P2" if partner == "P1" else "P1"
                self.assertError(self.as_(user, "GET", "/api/v1/partners/" +
                                          self.partners[other]), 404)
                self.assertError(self.as_(user, "GET", "/api/v1/users/" + self.uid[ADMIN]), 404)
                self.assertError(self.as_(user, "GET", "/api/v1/teams/" + self.teams["HQ"]), 404)
                for query in ("", "?record_id=" + self.deal["d_east1"],
                              "?record_id=" + self.deal["d_south"], "?action=login"):
                    self.assertError(self.as_(user, "GET", "/api/v1/audit" + query), 403)
        # Staff read the directory.
        for user in ("sales_east1", "impl"):
            self.assertGreaterEqual(len(self.list_as(user, "teams")), 3)
            self.assertGreaterEqual(len(self.list_as(user, "users")), 11)
            self.assertGreaterEqual(len(self.list_as(user, "partners")), 4)

    def test_partner_writes(self):
        p1 = "partner1"
        acc_e1, acc_s = self.account["d_east1"], self.account["d_south"]
        n_acc, n_opp = self.count("accounts"), self.count("opportunities")
        self.assertError(self.as_(p1, "POST", "/api/v1/accounts", {"name": "伙伴建的客户"}), 403)
        self.assertError(self.as_(p1, "POST", "/api/v1/opportunities",
                                  {"account_id": acc_e1, "name": "伙伴建的商机"}), 403)
        self.assertEqual((self.count("accounts"), self.count("opportunities")), (n_acc, n_opp))
        # Contacts and activities on what it sees: yes.
        r = self.as_(p1, "POST", "/api/v1/contacts", {"account_id": acc_e1, "name": "伙伴见的人"})
        self.assertEqual(r.status, 201, r)
        self.assertPartnerClean(p1, r)
        self.assertEqual(self.admin_get("/api/v1/contacts/" + r.json["id"])["account_id"], acc_e1)
        r = self.as_(p1, "POST", "/api/v1/activities",
                     {"opportunity_id": self.deal["d_east1"], "type": "call",
                      "subject": "伙伴电话"})
        self.assertEqual(r.status, 201, r)
        act = r.json
        self.assertEqual(self.as_(p1, "GET", "/api/v1/activities/" + act["id"]).status, 200)
        # On what it cannot see: an unknown reference.
        n_con = self.count("contacts")
        for user in (p1, "sales_east1"):
            with self.subTest(user=user):
                r = self.as_(user, "POST", "/api/v1/contacts",
                             {"account_id": acc_s, "name": "看不见的客户的人"})
                self.assertError(r, 422, "unknown_reference", "account_id")
                self.assertNotIn(MARK, r.raw.decode("utf-8"))
                r = self.as_(user, "POST", "/api/v1/activities",
                             {"opportunity_id": self.deal["d_south"], "type": "call",
                              "subject": "看不见的商机"})
                self.assertError(r, 422, "unknown_reference", "opportunity_id")
        self.assertEqual(self.count("contacts"), n_con)
        # No advancing, not even with an override; no tender.
        stage = self.admin_get(self.opp_url("d_east1"))["stage"]
        for body in ({}, {"override": True, "reason": "伙伴想推进"}):
            self.assertError(self.as_(p1, "POST", self.opp_url("d_east1") + "/advance", body),
                             403)
            self.assertError(self.as_(p1, "POST", self.opp_url("d_south") + "/advance", body),
                             404)
        self.assertError(self.as_(p1, "PUT", self.opp_url("d_east1") + "/tender",
                                  {"scheme": three_competitors()}), 403)
        self.assertError(self.as_(p1, "PUT", self.opp_url("d_south") + "/tender", {}), 404)
        self.assertEqual(self.admin_get(self.opp_url("d_east1"))["stage"], stage)

    def test_partner_decisions_checklist_and_team(self):
        """On a uss-5 deal (with a decision point) and a project-8 deal (with
        internal deliverables), both with P3 and P4 registered."""
        acc = self.make_account(name="伙伴侧客户")
        deals = {}
        for pb, stage in (("uss-5", "intent"), ("project-8", "planning")):
            o = self.make_opportunity(acc["id"], name="伙伴侧 " + pb, playbook=pb, stage=stage)
            for p in ("P3", "P4"):
                r = self.request("PUT", "%s/partners/%s" % (self.opp_url(o["id"]),
                                                           self.partners[p]))
                self.assertIn(r.status, (200, 201), r)
            deals[pb] = o
        p3 = "partner3"
        # Decisions: not for partners.
        url = self.opp_url(deals["uss-5"]["id"])
        c = self.as_(p3, "GET", url + "/checklist")
        self.assertEqual(c.status, 200, c)
        self.assertIn("vision", [d["id"] for d in c.json["decisions"]])
        r = self.as_(p3, "POST", url + "/decisions/vision", {"answer": "yes", "reason": "伙伴"})
        self.assertError(r, 403)
        r = self.as_(p3, "POST", url + "/decisions/vision", {"answer": "no", "reason": "伙伴"})
        self.assertError(r, 403)
        self.assertEqual(self.admin_get(url)["stage"], "intent")
        c = self.admin_get(url + "/checklist")
        self.assertEqual([d["answer"] for d in c["decisions"] if d["id"] == "vision"], [None])
        # The team: only its own company among the partners.
        team = self.as_(p3, "GET", url + "/team")
        self.assertEqual(team.status, 200, team)
        self.assertEqual([p["id"] for p in team.json["partners"]], [self.partners["P3"]])
        self.assertEqual(sorted(p["id"] for p in self.admin_get(url + "/team")["partners"]),
                         sorted([self.partners["P3"], self.partners["P4"]]))
        self.assertNotIn(self.partners["P4"], team.raw.decode("utf-8"))
        # Internal deliverables: absent from the checklist and from next.
        for pb, deal in deals.items():
            url = self.opp_url(deal["id"])
            staff = self.admin_get(url + "/checklist")
            internal = {i["id"] for i in staff["items"] if i.get("audience") == "internal"}
            self.assertTrue(internal, "%s has internal deliverables in its first stage" % pb)
            mine = self.as_(p3, "GET", url + "/checklist")
            self.assertEqual(mine.status, 200, mine)
            ids = [i["id"] for i in mine.json["items"]]
            self.assertEqual(ids, [i["id"] for i in staff["items"] if i["id"] not in internal])
            self.assertFalse(internal & set(ids))
            nxt_staff = self.admin_get(url + "/next")
            nxt = self.as_(p3, "GET", url + "/next")
            self.assertEqual(nxt.status, 200, nxt)
            staff_text = json.dumps(nxt_staff, ensure_ascii=False)
            text = json.dumps(nxt.json, ensure_ascii=False)
            for item in internal:
                if '"%s"' % item in staff_text:
                    self.assertNotIn('"%s"' % item, text)
            self.assertPartnerClean(p3, nxt)
            self.assertPartnerClean(p3, mine)
            # Checklist of a stage asked for by name: the same rule.
            by_stage = self.as_(p3, "GET", url + "/checklist?stage=" + deal["stage"])
            self.assertEqual([i["id"] for i in by_stage.json["items"]], ids)

    # -- permissions -------------------------------------------------------------------------

    def test_gate_override_is_for_managers(self):
        opp = self.copy_of("d_east1", own_account=True)
        url = self.opp_url(opp["id"]) + "/advance"
        body = {"override": True, "reason": "客户高层已拍板"}
        for user in ("sales_east1", "consultant_east"):
            if user == "consultant_east":
                r = self.request("PUT", "%s/team/%s" % (self.opp_url(opp["id"]),
                                                       self.uid[user]), body={"role": "consultant"})
                self.assertEqual(r.status, 200, r)
            with self.subTest(user=user):
                self.assertError(self.as_(user, "POST", url, body), 403)
        self.assertEqual(self.admin_get(self.opp_url(opp["id"]))["stage"], opp["stage"])
        self.assertError(self.as_("sales_south", "POST", url, body), 404)
        stages = [opp["stage"]]
        for user in ("manager_east", ADMIN):
            r = self.as_(user, "POST", url, body)
            self.assertEqual(r.status, 200, r)
            stages.append(self.admin_get(self.opp_url(opp["id"]))["stage"])
        self.assertEqual(len(set(stages)), 3, stages)
        overrides = [e for e in self.audit_actions(opp["id"]) if e["action"] == "stage_override"]
        self.assertEqual([e["actor"] for e in overrides], [ADMIN, "manager_east"])
        self.assertEqual(overrides[1]["new"]["reason"], body["reason"])

    def test_advance_and_decision_are_audited(self):
        opp = self.copy_of("d_east1", own_account=True)
        url = self.opp_url(opp["id"])
        meet_gate(self.server, opp["id"], user="sales_east1")
        r = self.as_("sales_east1", "POST", url + "/advance", {"note": "关卡已满足"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.admin_get(url)["stage"], "intent")
        self.assertError(self.as_("partner1", "POST", url + "/decisions/vision",
                                  {"answer": "yes"}), 403)
        self.assertError(self.as_("sales_south", "POST", url + "/decisions/vision",
                                  {"answer": "yes"}), 404)
        r = self.as_("sales_east1", "POST", url + "/decisions/vision",
                     {"answer": "yes", "reason": "决策者已认可"})
        self.assertEqual(r.status, 200, r)
        log = [(e["actor"], e["action"]) for e in self.audit_actions(opp["id"])]
        self.assertEqual(log[:2], [("sales_east1", "decision"), ("sales_east1", "stage_advance")])
        self.assertIn(("sales_east1", "checklist"), log)

    def test_playbook_import_is_for_admins(self):
        doc = custom("acl-custom")
        for user in ("manager_hq", "sales_east1", "partner1", "impl"):
            with self.subTest(user=user):
                self.assertError(self.as_(user, "POST", "/api/v1/playbooks", doc), 403)
                self.assertError(self.as_(user, "POST", "/api/v1/playbooks", {}), 403)
        self.assertError(self.get("/api/v1/playbooks/acl-custom"), 404)
        r = self.as_(ADMIN, "POST", "/api/v1/playbooks", {})
        self.assertEqual(r.status, 422, r)
        r = self.as_(ADMIN, "POST", "/api/v1/playbooks", doc)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.get("/api/v1/playbooks/acl-custom").status, 200)
        log = self.admin_get("/api/v1/audit?action=playbook_import")["items"]
        self.assertEqual([(e["actor"], e["record_id"]) for e in log], [(ADMIN, "acl-custom")])

    def test_settings_are_for_managers(self):
        url = "/api/v1/settings/evaluation"
        current = self.admin_get(url)
        for user in ("sales_east1", "consultant_east", "partner1", "impl"):
            with self.subTest(user=user):
                self.assertError(self.as_(user, "PUT", url, current), 403)
        for user in ("manager_east", ADMIN):
            with self.subTest(user=user):
                r = self.as_(user, "PUT", url, current)
                self.assertEqual(r.status, 200, r)
        self.assertEqual(self.admin_get(url), current)
        settings = self.admin_get("/api/v1/audit?action=setting")["items"]
        self.assertEqual([e["actor"] for e in settings[:2]], [ADMIN, "manager_east"])

    def test_directory_writes_are_for_admins(self):
        east = self.admin_get("/api/v1/teams/" + self.teams["East"])
        p4 = self.admin_get("/api/v1/partners/" + self.partners["P4"])
        target = self.admin_get("/api/v1/users/" + self.uid["sales_east2"])
        counts = {r: self.count(r) for r in ("users", "teams", "partners")}
        for user in ("manager_hq", "manager_east", "sales_east1", "consultant_east", "impl",
                     "partner1"):
            internal = ROLES[user] != "partner"
            with self.subTest(user=user):
                self.assertError(self.as_(user, "POST", "/api/v1/teams", {"name": "私建团队"}),
                                 403)
                self.assertError(self.as_(user, "POST", "/api/v1/partners", {"name": "私建伙伴"}),
                                 403)
                self.assertError(self.as_(user, "POST", "/api/v1/users",
                                          {"name": "sneaky", "role": "admin"}), 403)
                if not internal:
                    continue
                self.assertError(self.as_(user, "PATCH", "/api/v1/teams/" + east["id"],
                                          {"share_deals": True},
                                          **{"If-Match": '"%d"' % east["version"]}), 403)
                self.assertError(self.as_(user, "DELETE", "/api/v1/partners/" + p4["id"],
                                          **{"If-Match": '"%d"' % p4["version"]}), 403)
                self.assertError(self.as_(user, "PATCH", "/api/v1/users/" + target["id"],
                                          {"role": "admin"},
                                          **{"If-Match": '"%d"' % target["version"]}), 403)
                self.assertError(self.as_(user, "PATCH", "/api/v1/users/" + self.uid[user],
                                          {"role": "admin"},
                                          **{"If-Match": '"1"'}), 403)
                self.assertError(self.as_(user, "PUT", "/api/v1/users/%s/password" % target["id"],
                                          {"password": "taken-over-1"}), 403)
        self.assertEqual({r: self.count(r) for r in counts}, counts)
        self.assertEqual(self.admin_get("/api/v1/teams/" + east["id"]), east)
        self.assertEqual(self.admin_get("/api/v1/partners/" + p4["id"]), p4)
        self.assertEqual(self.admin_get("/api/v1/users/" + target["id"]), target)
        self.assertEqual(self.admin_get("/api/v1/users/" + self.uid["sales_east1"])["role"],
                         "sales")

    # -- the deal team -----------------------------------------------------------------------

    def test_deal_team_changes(self):
        opp = self.copy_of("d_east1", own_account=True)
        base = self.opp_url(opp["id"])
        member = base + "/team/" + self.uid["consultant_east"]
        reg_p2 = base + "/partners/" + self.partners["P2"]
        n = len(self.audit_actions(opp["id"]))
        # Who may not: 404 when the deal is out of sight, 403 when in sight.
        for user, want in (("sales_south", 404), ("sales_east2", 404), ("partner1", 403),
                           ("partner2", 404), ("impl", 404)):
            with self.subTest(user=user):
                self.assertError(self.as_(user, "PUT", member, {"role": "consultant"}), want)
                self.assertError(self.as_(user, "PUT", reg_p2), want)
                self.assertError(self.as_(user, "DELETE",
                                          base + "/partners/" + self.partners["P1"]), want)
        self.assertEqual(len(self.audit_actions(opp["id"])), n)
        # The sales owner puts a consultant on, who then sees the deal.
        self.assertError(self.as_("sales_east1", "PUT", member, {"role": "boss"}), 422,
                         field="role")
        self.assertError(self.as_("sales_east1", "PUT", base + "/team/" + self.uid["partner2"],
                                  {"role": "consultant"}), 422)
        r = self.as_("sales_east1", "PUT", member, {"role": "consultant"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(m["id"], m["name"], m["role"]) for m in r.json["members"]],
                         [(self.uid["consultant_east"], "consultant_east", "consultant")])
        self.assertEqual(r.json["owner"], "sales_east1")
        self.assertEqual(self.as_("consultant_east", "GET", base).status, 200)
        # A member who is not the owner (nor a manager) may not staff it.
        self.assertError(self.as_("consultant_east", "PUT",
                                  base + "/team/" + self.uid["sales_east2"],
                                  {"role": "consultant"}), 403)
        # A manager who sees it may; so may the admin.
        r = self.as_("manager_east", "PUT", base + "/team/" + self.uid["impl"],
                     {"role": "implementation"})
        self.assertEqual(r.status, 200, r)
        r = self.as_("manager_hq", "DELETE", base + "/team/" + self.uid["impl"])
        self.assertEqual(r.status, 204, r)
        # Partners: 201 registered, 200 again; P2's user then sees the deal.
        r = self.as_("sales_east1", "PUT", reg_p2)
        with self.subTest("the first registration answers 201"):
            self.assertEqual(r.status, 201, r)
        self.assertIn(r.status, (200, 201), r)
        r = self.as_("sales_east1", "PUT", reg_p2)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(p["id"] for p in r.json["partners"]),
                         sorted([self.partners["P1"], self.partners["P2"]]))
        self.assertTrue(all(p["kind"] == "partner" for p in r.json["partners"]))
        for user, own in (("partner1", "P1"), ("partner2", "P2")):
            t = self.as_(user, "GET", base + "/team")
            self.assertEqual(t.status, 200, t)
            self.assertEqual([p["id"] for p in t.json["partners"]], [self.partners[own]])
        r = self.as_("sales_east1", "DELETE", reg_p2)
        self.assertEqual(r.status, 204, r)
        self.assertError(self.as_("partner2", "GET", base), 404)
        r = self.as_(ADMIN, "DELETE", member)
        self.assertEqual(r.status, 204, r)
        self.assertError(self.as_("consultant_east", "GET", base), 404)
        team = self.admin_get(base + "/team")
        self.assertEqual((team["opportunity_id"], team["members"]), (opp["id"], []))
        self.assertEqual([p["id"] for p in team["partners"]], [self.partners["P1"]])
        # Every change is in the audit log, newest first.
        entries = self.audit_actions(opp["id"])
        new = entries[:len(entries) - n]
        chrono = [(e["actor"], e["action"]) for e in reversed(new)]
        if len(chrono) > 4 and chrono[4] == chrono[3]:
            del chrono[4]   # the repeated registration changed nothing; it may be logged
        self.assertEqual([a for a, _ in chrono], ["sales_east1", "manager_east", "manager_hq",
                                                  "sales_east1", "sales_east1", ADMIN], chrono)
        self.assertEqual([chrono[i][1] for i in (0, 1, 3)],
                         ["member_put", "member_put", "partner_register"])
        # Taking a member off (twice) and removing a registration: other actions.
        self.assertEqual(chrono[2][1], chrono[5][1])
        self.assertNotIn(chrono[2][1], ("member_put", "partner_register"))
        self.assertNotIn(chrono[4][1], ("member_put", "partner_register", chrono[2][1]))
        self.assertEqual(new[-1]["new"]["user_id"], self.uid["consultant_east"])
        self.assertEqual(new[-1]["new"]["role"], "consultant")
        self.assertIn(self.uid["impl"], json.dumps(new[-3]))
        self.assertIn(self.partners["P2"], json.dumps(new[1]))
        self.assertIn(self.uid["consultant_east"], json.dumps(new[0]))

    # -- visibility rules beyond the matrix ----------------------------------------------------

    def test_shared_team_sees_its_peoples_deals(self):
        west = self.create("teams", {"name": "West", "share_deals": True})
        w1 = self.server.make_user("west1", role="sales", team_id=west["id"])
        self.server.make_user("west2", role="consultant", team_id=west["id"])
        h1, h2 = self.server.auth("west1"), self.server.auth("west2")
        acc = self.request("POST", "/api/v1/accounts", body={"name": "西区客户"}, headers=h1)
        self.assertEqual(acc.status, 201, acc)
        own = self.request("POST", "/api/v1/opportunities",
                           body={"account_id": acc.json["id"], "name": "西区商机",
                                 "playbook": "uss-5"}, headers=h1)
        self.assertEqual(own.status, 201, own)
        # A deal of someone else on which west2 is a member.
        other = self.make_opportunity(self.make_account(name="他人客户")["id"], playbook="uss-5")
        r = self.request("PUT", "%s/team/%s" % (self.opp_url(other["id"]),
                                               self.server._users_named("west2")["id"]),
                         body={"role": "consultant"})
        self.assertEqual(r.status, 200, r)
        own_url, other_url = self.opp_url(own.json["id"]), self.opp_url(other["id"])
        self.assertEqual(self.request("GET", own_url, headers=h2).status, 200)
        self.assertEqual(self.request("GET", other_url, headers=h1).status, 200)
        self.assertEqual(self.request("GET", "/api/v1/accounts/" + acc.json["id"],
                                      headers=h2).status, 200)
        # Outsiders: no.
        for user in ("sales_east1", "manager_east", "manager_hq", "partner1"):
            self.assertError(self.as_(user, "GET", own_url), 404)
        # Sharing off: each sees its own (owned, or as a member) only.
        r = self.patch("/api/v1/teams/" + west["id"], {"share_deals": False},
                       version=west["version"])
        self.assertEqual(r.status, 200, r)
        self.assertError(self.request("GET", own_url, headers=h2), 404)
        self.assertError(self.request("GET", other_url, headers=h1), 404)
        self.assertEqual(self.request("GET", own_url, headers=h1).status, 200)
        self.assertEqual(self.request("GET", other_url, headers=h2).status, 200)
        self.assertEqual(w1["team_id"], west["id"])

    def test_manager_sees_the_whole_subtree(self):
        north = self.create("teams", {"name": "East-North", "parent_id": self.teams["East"]})
        self.server.make_user("sales_en", role="sales", team_id=north["id"])
        h = self.server.auth("sales_en")
        acc = self.request("POST", "/api/v1/accounts", body={"name": "东北客户"}, headers=h)
        self.assertEqual(acc.status, 201, acc)
        o = self.request("POST", "/api/v1/opportunities",
                         body={"account_id": acc.json["id"], "name": "东北商机",
                               "playbook": "uss-5"}, headers=h)
        self.assertEqual(o.status, 201, o)
        url = self.opp_url(o.json["id"])
        for user, want in (("manager_east", 200), ("manager_hq", 200), (ADMIN, 200),
                           ("sales_east1", 404), ("sales_south", 404), ("partner1", 404),
                           ("impl", 404)):
            with self.subTest(user=user):
                self.assertEqual(self.as_(user, "GET", url).status, want)
                self.assertEqual(self.as_(user, "GET", "/api/v1/accounts/" +
                                          acc.json["id"]).status, want)

    def test_implementation_sees_only_won_deals_handed_to_it(self):
        acc = self.make_account(name="交付客户")
        won = self.make_opportunity(acc["id"], playbook="uss-5", status="won")
        url = self.opp_url(won["id"])
        member = "%s/team/%s" % (url, self.uid["impl"])
        self.assertError(self.as_("impl", "GET", url), 404)
        r = self.request("PUT", member, body={"role": "consultant"})
        self.assertEqual(r.status, 200, r)
        self.assertError(self.as_("impl", "GET", url), 404)
        r = self.request("PUT", member, body={"role": "implementation"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.as_("impl", "GET", url).status, 200)
        self.assertEqual(self.as_("impl", "GET", "/api/v1/accounts/" + acc["id"]).status, 200)
        # Implementation logs activities on it, and changes nothing else.
        r = self.as_("impl", "POST", "/api/v1/activities",
                     {"opportunity_id": won["id"], "type": "site_visit", "subject": "上线巡检"})
        self.assertEqual(r.status, 201, r)
        self.assertError(self.as_("impl", "PUT", url + "/mant", {"needs": ["x"]}), 403)
        self.assertError(self.as_("impl", "PUT", "%s/team/%s" % (url, self.uid["sales_east1"]),
                                  {"role": "consultant"}), 403)

    # -- the audit log ---------------------------------------------------------------------------

    def test_audit_per_record(self):
        d = self.deal["d_east2"]
        before = self.admin_get(self.opp_url("d_east2"))
        r = self.as_("sales_east2", "PATCH", self.opp_url("d_east2"),
                     {"description": "审计测试", "budget": 500000},
                     **{"If-Match": '"%d"' % before["version"]})
        self.assertEqual(r.status, 200, r)
        page = self.as_("sales_east2", "GET", "/api/v1/audit?record_id=" + d)
        self.assertEqual(page.status, 200, page)
        self.assertEqual(set(page.json), {"items", "next_cursor", "limit"})
        items = page.json["items"]
        seqs = [e["seq"] for e in items]
        self.assertEqual(seqs, sorted(seqs, reverse=True))
        for e in items:
            self.assertEqual(set(e), {"seq", "at", "actor", "action", "resource", "record_id",
                                      "old", "new", "address"})
            self.assertEqual(e["record_id"], d)
        top = items[0]
        self.assertEqual((top["action"], top["actor"], top["resource"]),
                         ("update", "sales_east2", "opportunities"))
        self.assertEqual(top["old"], {"description": before["description"],
                                      "budget": before["budget"]})
        self.assertEqual(top["new"], {"description": "审计测试", "budget": 500000})
        self.assertEqual(items[-1]["action"], "create")
        self.assertEqual(items[-1]["actor"], "sales_east2")
        self.assertIn(("sales_east2", "member_put"), [(e["actor"], e["action"]) for e in items])
        # Managers above see it; the other side of the tree does not.
        self.assertEqual(self.as_("manager_hq", "GET", "/api/v1/audit?record_id=" + d).status,
                         200)
        for user in ("sales_south", "sales_east1", "impl"):
            self.assertError(self.as_(user, "GET", "/api/v1/audit?record_id=" + d), 404)
            self.assertError(self.as_(user, "GET", "/api/v1/audit?record_id=" +
                                      self.account["d_east2"]), 404)
        self.assertEqual(self.as_("sales_east2", "GET", "/api/v1/audit?record_id=" +
                                  self.account["d_east2"]).status, 200)
        # The whole log: an admin's only.
        for user in ("manager_hq", "sales_east2", "impl"):
            self.assertError(self.as_(user, "GET", "/api/v1/audit"), 403)
        everything = self.admin_get("/api/v1/audit?limit=5")
        self.assertEqual(len(everything["items"]), 5)
        self.assertIsNotNone(everything["next_cursor"])
        older = self.admin_get("/api/v1/audit?limit=5&cursor=" + everything["next_cursor"])
        self.assertLess(older["items"][0]["seq"], everything["items"][-1]["seq"])

    def test_audit_is_append_only(self):
        db = self.server.db
        n = bingfa_db.query(db, "SELECT count(*) FROM audit_log")[0][0]
        self.assertGreater(n, 10)
        for sql in ("UPDATE audit_log SET actor = 'forger'",
                    "UPDATE audit_log SET new_values = NULL WHERE seq = 1",
                    "DELETE FROM audit_log WHERE seq = 1",
                    "DELETE FROM audit_log"):
            with self.subTest(sql=sql):
                with self.assertRaises(bingfa_db.DbError) as cm:
                    bingfa_db.execute(db, sql)
                self.assertIn("append-only", str(cm.exception))
        self.assertEqual(bingfa_db.query(db, "SELECT count(*) FROM audit_log")[0][0], n)
        self.assertEqual(bingfa_db.query(
            db, "SELECT count(*) FROM audit_log WHERE actor = 'forger'")[0][0], 0)

    # -- the story -----------------------------------------------------------------------------

    def test_done_when(self):
        """Each sees exactly its deals; partner1 cannot reach d_south in any
        way; every change made here is in the deal's audit log."""
        for user, want in (("manager_east", {"d_east1", "d_east2"}),
                           ("sales_south", {"d_south"}), ("partner1", {"d_east1"}),
                           ("partner2", {"d_south"})):
            with self.subTest(user=user):
                self.assertEqual(self.visible_deals_in(user, "opportunities", self.deal), want)
        # partner1 and d_south: by id, every sub-route, list, search, report, audit.
        south = self.deal["d_south"]
        for sub in OPP_READS:
            self.assertError(self.as_("partner1", "GET", self.opp_url("d_south") + sub), 404)
        listed = {o["id"] for o in self.list_as("partner1", "opportunities")}
        self.assertNotIn(south, listed)
        found = {o["id"] for o in self.list_as("partner1", "opportunities",
                                               "q=" + quote("d_south"))}
        self.assertEqual(found, set())
        funnel = self.as_("partner1", "GET", "/api/v1/reports/funnel?playbook=ruijie-6").json
        self.assertEqual((funnel["totals"]["count"], funnel["totals"]["amount"]),
                         (1, DEAL_SPECS["d_east1"][4]))
        r = self.as_("partner1", "GET", "/api/v1/audit?record_id=" + south)
        self.assertError(r, 403)
        self.assertNotIn(MARK, r.raw.decode("utf-8"))

        # Changes to d_east1 by its people; each shows in its audit log.
        d = self.deal["d_east1"]
        url = self.opp_url("d_east1")
        before = self.admin_get(url)
        r = self.as_("sales_east1", "PATCH", url, {"compelling_event": "等保测评 2026-12 到期"},
                     **{"If-Match": '"%d"' % before["version"]})
        self.assertEqual(r.status, 200, r)
        # The customer inventory is the consultant's work (C), not sales'.
        r = self.as_("sales_east1", "PUT", url + "/checklist/customer-inventory",
                     {"done": True, "evidence": "客户盘点表已交"})
        self.assertError(r, 403, "not_owner", "item")
        self.assertEqual(r.json["owner_roles"], ["consultant"])
        r = self.as_("sales_east1", "PUT", url + "/compelling-event",
                     {"what": "等保测评到期", "by_when": "2026-12-31",
                      "consequence": "逾期整改将被通报，影响 3 个业务系统"})
        self.assertEqual(r.status, 200, r)
        r = self.as_("partner1", "PUT", url + "/mant", {"needs": ["伙伴了解到的需求"]})
        self.assertEqual(r.status, 200, r)
        r = self.as_("manager_east", "POST", url + "/advance",
                     {"override": True, "reason": "经理批准越过关卡"})
        self.assertEqual(r.status, 200, r)
        r = self.as_("partner1", "POST", "/api/v1/activities",
                     {"opportunity_id": d, "type": "meeting", "subject": "伙伴交流"})
        self.assertEqual(r.status, 201, r)
        items = self.audit_actions(d)
        got = [(e["actor"], e["action"]) for e in items]
        want = [("manager_east", "stage_override"), ("manager_east", "approval_request"),
                ("partner1", "form"),
                ("sales_east1", "form"), ("sales_east1", "update")]
        self.assertEqual(got[:len(want)], want, got)
        self.assertEqual(items[len(want) - 1]["new"],
                         {"compelling_event": "等保测评 2026-12 到期"})
        self.assertEqual(items[0]["old"]["stage"], before["stage"])
        # From the start: created by its owner, P1 registered, the tender saved.
        self.assertEqual(got[-1], ("sales_east1", "create"))
        self.assertIn(("sales_east1", "partner_register"), got)
        self.assertIn((ADMIN, "form"), got)
        south_log = [(e["actor"], e["action"]) for e in self.audit_actions(south)]
        self.assertIn(("manager_hq", "partner_register"), south_log)
        self.assertEqual(south_log[-1], ("sales_south", "create"))
        won_log = [(e["actor"], e["action"]) for e in self.audit_actions(self.deal["d_won"])]
        self.assertIn((ADMIN, "member_put"), won_log)
        self.assertEqual(won_log[-1], (ADMIN, "create"))
        # And partner1 still sees d_east1, now one stage on.
        o = self.as_("partner1", "GET", url)
        self.assertEqual(o.status, 200, o)
        self.assertEqual(o.json["stage"], self.admin_get(url)["stage"])
        self.assertNotEqual(o.json["stage"], before["stage"])


if __name__ == "__main__":
    unittest.main()
