"""Tags (标签) through the real server: set on deals, accounts, contacts and
activities as a field (trimmed, 1-20 characters, no commas, at most 20, each
once), audited like any change, filtering the lists (?tag=a,b any of them;
?tag= again, one of each), and counted among the records the caller sees
(GET /api/v1/tags). Channel partners never see them. The rows the store keeps
for the filter follow every create, change and delete."""

import unittest
import urllib.parse

import bingfa_db
from bingfa_server import ServerTestCase, must


def q(text):
    """text percent-encoded for a query string (its & and = kept)."""
    return urllib.parse.quote(text, safe="=&,")


class TagsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        east = must(s.post("/api/v1/teams", {"name": "标签·华东"}))["id"]
        south = must(s.post("/api/v1/teams", {"name": "标签·华南"}))["id"]
        partner = must(s.post("/api/v1/partners", {"name": "标签·渠道"}))["id"]
        cls.h = {}
        for name, role, team, company in (("tg_m", "manager", east, None),
                                          ("tg_a", "sales", east, None),
                                          ("tg_b", "sales", east, None),
                                          ("tg_c", "sales", south, None),
                                          ("tg_p", "partner", None, partner)):
            cls.h[name] = s.auth(name, role=role, team_id=team, partner_id=company)
        cls.partner = partner

    def deal(self, who, tags=None, **fields):
        acc = self.post("/api/v1/accounts", {"name": self.unique("标签客户")}, headers=self.h[who])
        self.assertEqual(acc.status, 201, acc)
        body = {"account_id": acc.json["id"], "name": self.unique("标签商机")}
        if tags is not None:
            body["tags"] = tags
        body.update(fields)
        r = self.post("/api/v1/opportunities", body, headers=self.h[who])
        self.assertEqual(r.status, 201, r)
        return r.json

    def names(self, resource, query, headers=None):
        r = self.get("/api/v1/%s?limit=200&%s" % (resource, q(query)), headers=headers)
        self.assertEqual(r.status, 200, r)
        return {x["name"] for x in r.json["items"]}

    def counts(self, resource="opportunities", headers=None, query=""):
        r = self.get("/api/v1/tags?resource=%s%s" % (resource, query), headers=headers)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["complete"])
        return {t["tag"]: t["count"] for t in r.json["items"]}

    def stored(self, resource, record_id):
        """The tags record_tags holds for the record, sorted."""
        rows = bingfa_db.query(self.server.db,
                               "SELECT tag FROM record_tags WHERE resource = ? AND record_id = ?",
                               (resource, record_id))
        return sorted(r[0] for r in rows)

    # -- the field ---------------------------------------------------------------------------

    def test_tags_are_trimmed_kept_once_and_audited(self):
        d = self.deal("tg_a")
        self.assertEqual(d["tags"], [])
        url = "/api/v1/opportunities/" + d["id"]
        r = self.patch(url, {"tags": [" 重点客户 ", "重点客户", "Q4", "二十个字以内的标签一二三四五六七八九"]},
                       version=d["version"], headers=self.h["tg_a"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["tags"], ["重点客户", "Q4", "二十个字以内的标签一二三四五六七八九"])
        self.assertEqual(self.stored("opportunities", d["id"]),
                         sorted(["重点客户", "Q4", "二十个字以内的标签一二三四五六七八九"]))
        entry = self.get("/api/v1/audit?record_id=%s&action=update" % d["id"]).json["items"][0]
        self.assertEqual(entry["old"], {"tags": []})
        self.assertEqual(entry["new"]["tags"], r.json["tags"])
        r2 = self.patch(url, {"tags": ["Q4"]}, version=r.json["version"], headers=self.h["tg_a"])
        self.assertEqual(r2.json["tags"], ["Q4"])
        self.assertEqual(self.stored("opportunities", d["id"]), ["Q4"])
        r3 = self.patch(url, {"tags": None}, version=r2.json["version"], headers=self.h["tg_a"])
        self.assertEqual(r3.json["tags"], [])
        self.assertEqual(self.stored("opportunities", d["id"]), [])

    def test_bad_tags_are_refused_naming_the_field(self):
        d = self.deal("tg_a")
        url = "/api/v1/opportunities/" + d["id"]
        for tags, code in ((["a" * 21], "too_long"), (["甲,乙"], "invalid_value"),
                           (["行\n二"], "invalid_value"), (["  "], "required"),
                           ([str(i) for i in range(21)], "too_many"), ([1], "wrong_type"),
                           ("重点", "wrong_type")):
            with self.subTest(tags=tags):
                self.assertPatchRefused(url, {"tags": tags}, "tags", code, headers=self.h["tg_a"])
        self.assertEqual(self.get(url).json["version"], d["version"])
        r = self.post("/api/v1/accounts", {"name": "坏标签", "tags": ["a,b"]})
        self.assertError(r, 422, "invalid_value", "tags")

    def assertPatchRefused(self, url, body, field, code=None, status=422, headers=None):
        version = self.get(url).json["version"]
        r = self.patch(url, body, version=version, headers=headers)
        self.assertError(r, status, code, field)

    # -- the filter --------------------------------------------------------------------------

    def test_any_of_a_group_and_one_of_each_group(self):
        mark = self.unique("T")[-6:]
        big, risk, both, none = (mark + "大单", mark + "风险", mark + "大单风险", mark + "无")
        for name, tags in ((big, [mark + "大单"]), (risk, [mark + "风险"]),
                           (both, [mark + "大单", mark + "风险"]), (none, [])):
            self.deal("tg_a", tags=tags, name=name)
        self.assertEqual(self.names("opportunities", "tag=%s大单" % mark), {big, both})
        self.assertEqual(self.names("opportunities", "tag=%s大单,%s风险" % (mark, mark)),
                         {big, risk, both})
        self.assertEqual(self.names("opportunities", "tag=%s大单&tag=%s风险" % (mark, mark)),
                         {both})
        self.assertEqual(self.names("opportunities", "tag= %s风险 ,&sort=-amount" % mark),
                         {risk, both})
        self.assertEqual(self.names("opportunities", "tag=%s无" % mark), set())
        # With other filters and a cursor: the pages add up to the list.
        query = "tag=%s大单,%s风险&status=open&sort=name&limit=1" % (mark, mark)
        seen, cursor = [], None
        while True:
            r = self.get("/api/v1/opportunities?" + q(query) +
                         ("&cursor=" + cursor if cursor else ""))
            self.assertEqual(r.status, 200, r)
            seen += [x["name"] for x in r.json["items"]]
            cursor = r.json["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(seen, sorted([big, risk, both]))

    def test_every_list_filters_by_tag(self):
        mark = self.unique("R")[-6:] + "区"
        acc = self.make_account(name=mark + "客户", tags=[mark])
        self.make_account(name=mark + "另一个")
        con = self.make_contact(acc["id"], name=mark + "联系人", tags=[mark])
        self.make_contact(acc["id"], name=mark + "无标签")
        opp = self.make_opportunity(acc["id"], name=mark + "商机", tags=[mark])
        act = self.create("activities", {"opportunity_id": opp["id"], "type": "visit",
                                         "subject": mark + "拜访", "tags": [mark]})
        self.create("activities", {"opportunity_id": opp["id"], "type": "call"})
        self.assertEqual(self.names("accounts", "tag=" + mark), {acc["name"]})
        self.assertEqual(self.names("contacts", "tag=" + mark), {con["name"]})
        self.assertEqual(self.names("opportunities", "tag=" + mark), {opp["name"]})
        r = self.get("/api/v1/activities?" + q("tag=" + mark))
        self.assertEqual([x["id"] for x in r.json["items"]], [act["id"]])
        for resource in ("accounts", "contacts", "opportunities", "activities"):
            with self.subTest(resource=resource):
                self.assertEqual(self.counts(resource)[mark], 1)

    def test_the_filter_checks_its_value(self):
        r = self.get("/api/v1/opportunities?" + q("tag=" + "长" * 21))
        self.assertError(r, 422, "too_long", "tag")
        r = self.get("/api/v1/opportunities?" + q("tag=" + ",".join("abcdefghi")))
        self.assertError(r, 422, "too_many", "tag")
        r = self.get("/api/v1/opportunities?" + "&".join("tag=x%d" % i for i in range(5)))
        self.assertError(r, 422, "too_many", "tag")
        self.assertEqual(self.get("/api/v1/opportunities?tag=").status, 200)
        # A saved view keeps a query with tags, checked the same way.
        v = self.post("/api/v1/views", {"resource": "accounts", "name": self.unique("标签视图"),
                                        "query": q("tag=重点,华东&tag=大单")})
        self.assertEqual(v.status, 201, v)
        v = self.post("/api/v1/views", {"resource": "accounts", "name": self.unique("坏视图"),
                                        "query": "tag=" + "x" * 21})
        self.assertError(v, 422, "too_long", "query")

    # -- who sees them -----------------------------------------------------------------------

    def test_counts_are_of_the_records_the_caller_sees(self):
        mark = self.unique("V")[-6:]
        mine, team, south = mark + "甲", mark + "组", mark + "南"
        self.deal("tg_a", tags=[mine, team])
        self.deal("tg_a", tags=[team])
        self.deal("tg_b", tags=[team])
        self.deal("tg_c", tags=[south, team])
        def only(counts):
            return {t: n for t, n in counts.items() if t.startswith(mark)}
        self.assertEqual(only(self.counts(headers=self.h["tg_a"])), {mine: 1, team: 2})
        self.assertEqual(only(self.counts(headers=self.h["tg_b"])), {team: 1})
        self.assertEqual(only(self.counts(headers=self.h["tg_m"])), {mine: 1, team: 3})
        self.assertEqual(only(self.counts(headers=self.h["tg_c"])), {south: 1, team: 1})
        self.assertEqual(only(self.counts()), {mine: 1, team: 4, south: 1})  # the admin's
        # The most carried first; ?q= keeps those containing it.
        r = self.get("/api/v1/tags?resource=opportunities&q=" + q(mark))
        self.assertEqual([t["tag"] for t in r.json["items"]][0], team)
        self.assertEqual({t["tag"] for t in r.json["items"]}, {mine, team, south})
        # The filter is as blind: a tag on a deal one does not see finds nothing.
        self.assertEqual(self.names("opportunities", "tag=" + south, headers=self.h["tg_a"]),
                         set())

    def test_counts_follow_changes_and_deletes(self):
        mark = self.unique("C")[-6:] + "计"
        d1 = self.deal("tg_a", tags=[mark])
        d2 = self.deal("tg_a", tags=[mark])
        self.assertEqual(self.counts().get(mark), 2)
        self.patch("/api/v1/opportunities/" + d1["id"], {"tags": []}, version=d1["version"])
        self.assertEqual(self.counts().get(mark), 1)
        self.assertEqual(self.counts(headers=self.h["tg_a"]).get(mark), 1)
        r = self.delete("/api/v1/opportunities/" + d2["id"], version=d2["version"])
        self.assertEqual(r.status, 204, r)
        self.assertNotIn(mark, self.counts())
        self.assertNotIn(mark, self.counts(headers=self.h["tg_a"]))
        self.assertEqual(self.stored("opportunities", d2["id"]), [])
        kept = bingfa_db.query(self.server.db,
                               "SELECT records FROM tag_counts WHERE resource = ? AND tag = ?",
                               ("opportunities", mark))
        self.assertEqual(list(kept), [])

    def test_partners_do_not_see_tags(self):
        d = self.deal("tg_a", tags=["内部标签"])
        must(self.request("PUT", "/api/v1/opportunities/%s/partners/%s" % (d["id"], self.partner)))
        p = self.h["tg_p"]
        r = self.get("/api/v1/opportunities/" + d["id"], headers=p)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("tags", r.json)
        r = self.get("/api/v1/opportunities", headers=p)
        self.assertTrue(all("tags" not in x for x in r.json["items"]))
        self.assertError(self.get("/api/v1/opportunities?" + q("tag=内部标签"), headers=p), 422,
                         "unknown_parameter", "tag")
        self.assertError(self.get("/api/v1/tags?resource=opportunities", headers=p), 403)
        con = self.post("/api/v1/contacts", {"account_id": d["account_id"], "name": "渠道联系人",
                                             "tags": ["x"]}, headers=p)
        self.assertError(con, 422, "unknown_field", "tags")

    def test_the_route_names_a_resource_with_tags(self):
        self.assertError(self.get("/api/v1/tags"), 422, "required", "resource")
        for name in ("views", "users", "nothing"):
            with self.subTest(resource=name):
                self.assertError(self.get("/api/v1/tags?resource=" + name), 422,
                                 "invalid_value", "resource")
        self.assertError(self.get("/api/v1/tags?resource=accounts&x=1"), 422,
                         "unknown_parameter", "x")


if __name__ == "__main__":
    unittest.main()
