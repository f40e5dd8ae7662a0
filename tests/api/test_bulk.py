"""Bulk actions (批量操作) through the real server: POST /api/v1/<resource>/bulk
transfers deals and accounts to another owner, or adds and removes tags, on
records named by id or found by the list's query, by the rules of the same
action on one record. All or nothing: when any record may not be changed,
none is — owners, versions and the audit log stay as they were — and the
answer (422 bulk_refused) lists each refused record and why; a record the
caller does not see is not_found, like one that does not exist."""

import unittest
import urllib.parse

from bingfa_server import ServerTestCase, must


class BulkTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        east = must(s.post("/api/v1/teams", {"name": "批量·华东"}))["id"]
        east_sub = must(s.post("/api/v1/teams", {"name": "批量·苏州", "parent_id": east}))["id"]
        south = must(s.post("/api/v1/teams", {"name": "批量·华南"}))["id"]
        partner = must(s.post("/api/v1/partners", {"name": "批量·渠道"}))["id"]
        cls.h, cls.uid = {}, {}
        for name, role, team, company in (("bk_east_m", "manager", east, None),
                                          ("bk_zhang", "sales", east, None),
                                          ("bk_li", "sales", east_sub, None),
                                          ("bk_south_m", "manager", south, None),
                                          ("bk_wang", "sales", south, None),
                                          ("bk_partner", "partner", None, partner)):
            cls.h[name] = s.auth(name, role=role, team_id=team, partner_id=company)
            cls.uid[name] = s.user_id(name)
        cls.partner = partner

    def deal(self, owner, tags=None):
        h = self.h[owner]
        acc = self.post("/api/v1/accounts", {"name": self.unique("批量客户")}, headers=h)
        self.assertEqual(acc.status, 201, acc)
        body = {"account_id": acc.json["id"], "name": self.unique("批量商机"), "amount": 100}
        if tags:
            body["tags"] = tags
        opp = self.post("/api/v1/opportunities", body, headers=h)
        self.assertEqual(opp.status, 201, opp)
        return opp.json

    def bulk(self, body, who=None, resource="opportunities"):
        return self.post("/api/v1/%s/bulk" % resource, body,
                         headers=self.h[who] if who else None)

    def state(self, ids, resource="opportunities"):
        """(owner_id, version, tags) of each record, as the admin reads them."""
        out = []
        for i in ids:
            r = self.get("/api/v1/%s/%s" % (resource, i))
            self.assertEqual(r.status, 200, r)
            out.append((r.json.get("owner_id"), r.json["version"], r.json["tags"]))
        return out

    def audit(self, record_id, action):
        r = self.get("/api/v1/audit?record_id=%s&action=%s" % (record_id, action))
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def refused(self, r, field="ids"):
        """The refused records of a 422 bulk_refused answer: {id: code}."""
        self.assertError(r, 422, "bulk_refused", field)
        self.assertEqual(r.json["refused"], len(r.json["records"]))
        return {x["id"]: x["code"] for x in r.json["records"]}

    # -- transfers ---------------------------------------------------------------------------

    def test_a_manager_transfers_within_their_tree(self):
        deals = [self.deal("bk_zhang") for _ in range(3)]
        ids = [d["id"] for d in deals]
        r = self.bulk({"ids": ids + [ids[0]], "action": "transfer",
                       "owner_id": self.uid["bk_li"], "reason": "张伟调岗"}, who="bk_east_m")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["total"], r.json["changed"], r.json["unchanged"]), (3, 3, 0))
        self.assertEqual([x["id"] for x in r.json["results"]], ids)  # each once, in order
        self.assertEqual({x["status"] for x in r.json["results"]}, {"changed"})
        for d, (owner, version, _), res in zip(deals, self.state(ids), r.json["results"]):
            self.assertEqual((owner, version), (self.uid["bk_li"], d["version"] + 1))
            self.assertEqual(res["version"], version)
            entry = self.audit(d["id"], "transfer")
            self.assertEqual(len(entry), 1)
            self.assertEqual(entry[0]["actor"], "bk_east_m")
            self.assertEqual(entry[0]["old"], {"owner_id": self.uid["bk_zhang"],
                                               "owner": "bk_zhang"})
            self.assertEqual(entry[0]["new"], {"owner_id": self.uid["bk_li"], "owner": "bk_li",
                                               "reason": "张伟调岗"})
        # The new owner sees them, the old one no longer does.
        self.assertEqual(self.get("/api/v1/opportunities/" + ids[0],
                                  headers=self.h["bk_li"]).status, 200)
        self.assertEqual(self.get("/api/v1/opportunities/" + ids[0],
                                  headers=self.h["bk_zhang"]).status, 404)
        # Again: nothing to do, nothing written.
        r = self.bulk({"ids": ids, "action": "transfer", "owner_id": self.uid["bk_li"],
                       "reason": "再来一次"}, who="bk_east_m")
        self.assertEqual((r.status, r.json["changed"], r.json["unchanged"]), (200, 0, 3), r)
        self.assertEqual(len(self.audit(ids[0], "transfer")), 1)

    def test_outside_the_tree_nothing_is_written(self):
        mine = [self.deal("bk_zhang") for _ in range(2)]
        south = self.deal("bk_wang")
        # The east manager sees the south deal from its deal team, but may not move it.
        must(self.request("PUT", "/api/v1/opportunities/%s/team/%s" %
                          (south["id"], self.uid["bk_east_m"]), body={"role": "consultant"}), 200)
        ids = [mine[0]["id"], south["id"], mine[1]["id"]]
        before = self.state(ids)
        r = self.bulk({"ids": ids, "action": "transfer", "owner_id": self.uid["bk_li"],
                       "reason": "越界"}, who="bk_east_m")
        self.assertEqual(self.refused(r), {south["id"]: "forbidden"})
        self.assertEqual(r.json["total"], 3)
        self.assertEqual(self.state(ids), before)
        for i in ids:
            self.assertEqual(self.audit(i, "transfer"), [])
        # Nor to someone outside the tree: every record refused.
        r = self.bulk({"ids": [mine[0]["id"], mine[1]["id"]], "action": "transfer",
                       "owner_id": self.uid["bk_wang"], "reason": "越界"}, who="bk_east_m")
        self.assertEqual(set(self.refused(r).values()), {"forbidden"})
        self.assertEqual(self.state(ids), before)
        # The admin moves them anywhere.
        r = self.bulk({"ids": ids, "action": "transfer", "owner_id": self.uid["bk_wang"],
                       "reason": "总部调整"})
        self.assertEqual((r.status, r.json["changed"], r.json["unchanged"]), (200, 2, 1), r)

    def test_records_the_caller_does_not_see_are_not_found(self):
        mine = self.deal("bk_zhang")
        hidden = self.deal("bk_wang")
        ghost = "opp_nosuchdeal000000000000"
        r = self.bulk({"ids": [mine["id"], hidden["id"], ghost], "action": "transfer",
                       "owner_id": self.uid["bk_li"], "reason": "调整"}, who="bk_east_m")
        refused = {x["id"]: x for x in r.json["records"]}
        self.assertEqual(self.refused(r), {hidden["id"]: "not_found", ghost: "not_found"})
        # Told alike: nothing says the hidden one exists.
        self.assertEqual(refused[hidden["id"]]["message"].replace(hidden["id"], "X"),
                         refused[ghost]["message"].replace(ghost, "X"))
        self.assertEqual(set(refused[hidden["id"]]), set(refused[ghost]))
        self.assertEqual(self.state([mine["id"]])[0][:2], (self.uid["bk_zhang"], mine["version"]))

    def test_a_salesperson_transfers_nothing(self):
        d = self.deal("bk_zhang")
        r = self.bulk({"ids": [d["id"]], "action": "transfer", "owner_id": self.uid["bk_li"],
                       "reason": "我自己转"}, who="bk_zhang")
        self.assertError(r, 403, "forbidden")
        self.assertNotIn("records", r.json)
        r = self.bulk({"ids": [d["id"]], "action": "transfer", "owner_id": self.uid["bk_li"],
                       "reason": "x"}, who="bk_partner")
        self.assertError(r, 403)
        self.assertEqual(self.state([d["id"]])[0][:2], (self.uid["bk_zhang"], d["version"]))

    def test_accounts_are_transferred_the_same_way(self):
        accs = [self.post("/api/v1/accounts", {"name": self.unique("批量转客户")},
                          headers=self.h["bk_zhang"]).json for _ in range(2)]
        r = self.bulk({"ids": [a["id"] for a in accs], "action": "transfer",
                       "owner_id": self.uid["bk_li"], "reason": "客户重新分配"},
                      who="bk_east_m", resource="accounts")
        self.assertEqual((r.status, r.json["changed"]), (200, 2), r)
        self.assertEqual({o for o, _, _ in self.state([a["id"] for a in accs], "accounts")},
                         {self.uid["bk_li"]})
        self.assertEqual(len(self.audit(accs[0]["id"], "transfer")), 1)

    def test_the_new_owner_is_checked_once_for_all(self):
        d = self.deal("bk_zhang")
        base = {"ids": [d["id"]], "action": "transfer", "reason": "x"}
        self.assertError(self.bulk(dict(base, owner_id="usr_ghost00000000")), 422,
                         "unknown_reference", "owner_id")
        self.assertError(self.bulk(dict(base, owner_id=self.uid["bk_partner"])), 422,
                         "invalid_value", "owner_id")
        self.assertEqual(self.state([d["id"]])[0][1], d["version"])

    # -- tags --------------------------------------------------------------------------------

    def test_tags_are_added_and_removed_all_or_nothing(self):
        mark = self.unique("B")[-6:]
        own = [self.deal("bk_zhang", tags=[mark + "旧"]) for _ in range(2)]
        other = self.deal("bk_wang")
        ids = [d["id"] for d in own]
        before = self.state(ids + [other["id"]])
        r = self.bulk({"ids": ids + [other["id"]], "action": "add_tag", "tags": [mark + "新"]},
                      who="bk_zhang")
        self.assertEqual(self.refused(r), {other["id"]: "not_found"})
        self.assertEqual(self.state(ids + [other["id"]]), before)
        for i in ids:
            self.assertEqual(self.audit(i, "update"), [])
        r = self.bulk({"ids": ids, "action": "add_tag", "tags": [mark + "新", mark + "旧"]},
                      who="bk_zhang")
        self.assertEqual((r.status, r.json["changed"]), (200, 2), r)
        self.assertEqual([t for _, _, t in self.state(ids)], [[mark + "旧", mark + "新"]] * 2)
        entry = self.audit(ids[0], "update")[0]
        self.assertEqual((entry["old"], entry["new"]),
                         ({"tags": [mark + "旧"]}, {"tags": [mark + "旧", mark + "新"]}))
        r = self.bulk({"ids": ids, "action": "add_tag", "tags": [mark + "新"]}, who="bk_zhang")
        self.assertEqual((r.json["changed"], r.json["unchanged"]), (0, 2))
        r = self.bulk({"ids": ids, "action": "remove_tag", "tags": [mark + "旧", "没有的"]},
                      who="bk_zhang")
        self.assertEqual((r.status, r.json["changed"]), (200, 2), r)
        self.assertEqual([t for _, _, t in self.state(ids)], [[mark + "新"]] * 2)
        counts = {t["tag"]: t["count"] for t in
                  self.get("/api/v1/tags?resource=opportunities").json["items"]}
        self.assertEqual((counts.get(mark + "新"), counts.get(mark + "旧")), (2, None))

    def test_a_record_with_too_many_tags_refuses_the_whole_action(self):
        full = self.deal("bk_zhang", tags=["满%d" % i for i in range(20)])
        light = self.deal("bk_zhang")
        r = self.bulk({"ids": [light["id"], full["id"]], "action": "add_tag", "tags": ["再一个"]},
                      who="bk_zhang")
        self.assertEqual(self.refused(r), {full["id"]: "too_many"})
        self.assertEqual(self.state([light["id"]])[0][2], [])

    def test_by_the_lists_query(self):
        mark = self.unique("Q")[-6:]
        tagged = [self.deal("bk_zhang", tags=[mark]) for _ in range(3)]
        self.deal("bk_wang", tags=[mark])  # not the east manager's to see
        query = "tag=%s&status=open&sort=-amount" % urllib.parse.quote(mark)
        r = self.bulk({"query": query, "action": "transfer", "owner_id": self.uid["bk_li"],
                       "reason": "按筛选转移"}, who="bk_east_m")
        self.assertEqual((r.status, r.json["total"], r.json["changed"]), (200, 3, 3), r)
        self.assertEqual({x["id"] for x in r.json["results"]}, {d["id"] for d in tagged})
        # A query is the list's: its parameters checked, naming query.
        for bad in ("bogus=1", "status=closed", "tag=" + "x" * 21):
            with self.subTest(query=bad):
                r = self.bulk({"query": bad, "action": "add_tag", "tags": ["x"]})
                self.assertEqual((r.status, r.json["error"]["field"]), (422, "query"), r)

    def test_a_query_finds_at_most_500(self):
        mark = self.unique("M")[-6:]
        acc = self.post("/api/v1/accounts", {"name": self.unique("上限客户")}).json
        for i in range(501):
            self.create("contacts", {"account_id": acc["id"], "name": "联系人%d" % i,
                                     "tags": [mark]})
        r = self.bulk({"query": "tag=" + urllib.parse.quote(mark), "action": "remove_tag",
                       "tags": [mark]}, resource="contacts")
        self.assertError(r, 422, "too_many", "query")
        self.assertEqual({t["tag"]: t["count"] for t in self.get(
            "/api/v1/tags?resource=contacts").json["items"]}[mark], 501)
        r = self.bulk({"query": "tag=%s&sort=name&limit=10" % urllib.parse.quote(mark),
                       "action": "remove_tag", "tags": [mark]}, resource="contacts")
        self.assertError(r, 422, "too_many", "query")  # limit pages the list, not the action

    def test_contacts_and_activities_take_tags(self):
        d = self.deal("bk_zhang")
        con = self.post("/api/v1/contacts", {"account_id": d["account_id"], "name": "标签联系人"},
                        headers=self.h["bk_zhang"]).json
        act = self.post("/api/v1/activities", {"opportunity_id": d["id"], "type": "visit"},
                        headers=self.h["bk_zhang"]).json
        for resource, rec in (("contacts", con), ("activities", act)):
            with self.subTest(resource=resource):
                r = self.bulk({"ids": [rec["id"]], "action": "add_tag", "tags": ["关键人"]},
                              who="bk_zhang", resource=resource)
                self.assertEqual((r.status, r.json["changed"]), (200, 1), r)
                self.assertEqual(self.state([rec["id"]], resource)[0][2], ["关键人"])
                r = self.bulk({"ids": [rec["id"]], "action": "transfer", "reason": "x",
                               "owner_id": self.uid["bk_li"]}, resource=resource)
                self.assertError(r, 422, "invalid_value", "action")

    def test_the_request_is_checked(self):
        d = self.deal("bk_zhang")
        ids = [d["id"]]
        for body, code, field in (
                ({"action": "add_tag", "tags": ["x"]}, "required", "ids"),
                ({"ids": ids, "query": "status=open", "action": "add_tag", "tags": ["x"]},
                 "invalid_value", "ids"),
                ({"ids": [], "action": "add_tag", "tags": ["x"]}, "too_few", "ids"),
                ({"ids": ["opp_%04d" % i for i in range(501)], "action": "add_tag",
                  "tags": ["x"]}, "too_many", "ids"),
                ({"ids": ids, "action": "delete"}, "invalid_value", "action"),
                ({"ids": ids, "action": "add_tag"}, "required", "tags"),
                ({"ids": ids, "action": "add_tag", "tags": ["a,b"]}, "invalid_value", "tags"),
                ({"ids": ids, "action": "add_tag", "tags": ["x" * 21]}, "too_long", "tags[0]"),
                ({"ids": ids, "action": "transfer", "reason": "x"}, "required", "owner_id"),
                ({"ids": ids, "action": "transfer", "owner_id": self.uid["bk_li"]},
                 "required", "reason"),
                ({"ids": ids, "action": "add_tag", "tags": ["x"], "extra": 1},
                 "unknown_field", "extra")):
            with self.subTest(body=body):
                self.assertError(self.bulk(body), 422, code, field)
        self.assertError(self.bulk({"ids": ids, "action": "add_tag", "tags": ["x"]},
                                   who="bk_partner"), 403)
        self.assertEqual(self.state(ids)[0][1], d["version"])


if __name__ == "__main__":
    unittest.main()
