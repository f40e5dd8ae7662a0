"""The knowledge base through the real server: entries of five kinds with
their details checked; Chinese search by two characters (the grams) and by
three and more (trigrams), ranked title first, with the matched parts; the
filters; who reads drafts, published and shareable entries; the review
flow; suggestions on a deal; and a won deal drafting a reference case."""

import json
import os
import tempfile
import unittest
import urllib.parse

from bingfa_server import ServerTestCase, run_cli, win_deal


def case(title, **kw):
    body = {"kind": "case", "title": title, "summary": kw.pop("summary", ""),
            "industries": kw.pop("industries", ["医疗"]), "products": kw.pop("products", []),
            "tags": kw.pop("tags", []), "stages": kw.pop("stages", []),
            "shareable": kw.pop("shareable", True),
            "detail": kw.pop("detail", {"customer": "某客户", "results": "效率提升 30%"})}
    body.update(kw)
    return body


class KnowledgeTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        s.make_user("kn_sales", role="sales")
        s.make_user("kn_writer", role="consultant")
        s.make_user("kn_mgr", role="manager")
        p = s.post("/api/v1/partners", {"name": "知识渠道"})
        s.make_user("kn_partner", role="partner", partner_id=p.json["id"])

    def add(self, body, status="published", who=None):
        body = dict(body)
        if status and who is None:
            body["status"] = status
        r = self.post("/api/v1/knowledge", body, headers=who)
        self.assertEqual(r.status, 201, r)
        return r.json

    def search(self, q="", who=None, **query):
        query = {k: v for k, v in dict(query, q=q).items() if v}
        r = self.get("/api/v1/knowledge?" + urllib.parse.urlencode(query), headers=who)
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def test_two_characters_find_what_trigrams_cannot(self):
        tag = self.unique("k2")
        hos = self.add(case("江南市第一人民医院门诊无线网络", tags=[tag],
                            summary="三甲医院门诊楼无线覆盖"))
        sw = self.add(case("汽车零部件工厂核心交换机改造", tags=[tag], industries=["制造"]))
        found = [e["id"] for e in self.search("医院", tag=tag)]
        self.assertEqual(found, [hos["id"]])
        self.assertEqual([e["id"] for e in self.search("交换", tag=tag)], [sw["id"]])
        self.assertEqual([e["id"] for e in self.search("院", tag=tag)], [hos["id"]])
        # The matched characters are marked, nothing else.
        hit = self.search("医院", tag=tag)[0]["hits"]["title"]
        self.assertEqual("".join(s["text"] for s in hit), hos["title"])
        self.assertEqual([s["text"] for s in hit if s["hit"]], ["医院"])
        # Two words: both must match.
        self.assertEqual([e["id"] for e in self.search("医院 交换", tag=tag)], [])
        self.assertEqual([e["id"] for e in self.search("医院 无线", tag=tag)], [hos["id"]])
        # Changed, it is found by its new words only.
        r = self.request("PUT", "/api/v1/knowledge/" + hos["id"],
                         body=case("江南市卫健委政务外网", tags=[tag], summary="政务外网改造"),
                         headers={"If-Match": '"%d"' % hos["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.search("医院", tag=tag), [])
        self.assertEqual(self.search("医院信息", tag=tag), [])
        self.assertEqual([e["id"] for e in self.search("卫健", tag=tag)], [hos["id"]])
        self.assertEqual([e["id"] for e in self.search("政务外网", tag=tag)], [hos["id"]])

    def test_longer_words_rank_the_title_first(self):
        tag = self.unique("k3")
        body = self.add(case("制造企业 ERP 上线经验", tags=[tag],
                             summary="财务共享中心的建设与供应链协同",
                             detail={"customer": "华东某集团", "results": "月结从 10 天缩短到 3 天"}))
        title = self.add(case("财务共享中心建设案例", tags=[tag], summary="集团财务管控"))
        found = [e["id"] for e in self.search("财务共享中心", tag=tag)]
        self.assertEqual(found, [title["id"], body["id"]])
        # The language narrows it in the index.
        self.assertEqual([e["id"] for e in self.search("财务共享中心", tag=tag, lang="zh")],
                         [title["id"], body["id"]])
        self.assertEqual(self.search("财务共享中心", tag=tag, lang="en"), [])
        # Latin letters ignore case and full-width forms.
        self.assertEqual([e["id"] for e in self.search("ｅｒｐ", tag=tag)], [body["id"]])
        self.assertEqual([e["id"] for e in self.search("Erp 上线", tag=tag)], [body["id"]])
        # Words in the detail count too.
        self.assertEqual([e["id"] for e in self.search("月结从", tag=tag)], [body["id"]])

    def test_filters_and_details_by_kind(self):
        tag = self.unique("kf")
        obj = self.add({"kind": "objection", "title": "你们的价格比竞争对手高", "tags": [tag],
                        "stages": ["uss-5:negotiation"],
                        "detail": {"wording": "“你们比别家贵三成。”", "cause": "rational",
                                   "method": "reason", "model_answer": "先算总拥有成本。"}})
        q = self.add({"kind": "question", "title": "预算从哪里来", "tags": [tag],
                      "stages": ["uss-5:intent"],
                      "detail": {"question": "这个项目的预算是怎么定的？",
                                 "question_type": "open", "spin": "situation"}})
        self.assertEqual([e["id"] for e in self.search(tag=tag, kind="objection")], [obj["id"]])
        self.assertEqual([e["id"] for e in self.search(tag=tag, stage="uss-5:intent")], [q["id"]])
        self.assertEqual(self.get("/api/v1/knowledge/" + obj["id"]).json["detail"]["method"],
                         "reason")
        for body, field in (({"kind": "objection", "title": "x", "detail": {}}, "detail.wording"),
                            ({"kind": "objection", "title": "x",
                              "detail": {"wording": "w", "method": "shout"}}, "detail.method"),
                            ({"kind": "solution", "title": "x", "detail": {"attachments": [
                                {"name": "a", "url": "javascript:alert(1)"}]}},
                             "detail.attachments[0]"),
                            ({"kind": "lesson", "title": "x"}, "kind"),
                            ({"kind": "case", "title": ""}, "title")):
            with self.subTest(field=field):
                r = self.post("/api/v1/knowledge", body)
                self.assertEqual((r.status, r.json["error"]["field"]), (422, field), r)
        facets = self.get("/api/v1/knowledge-facets").json
        self.assertIn(tag, [f["value"] for f in facets["tag"]])

    def test_who_reads_drafts_published_and_shared_entries(self):
        tag = self.unique("kv")
        writer = self.server.auth("kn_writer", role="consultant")
        draft = self.post("/api/v1/knowledge", case("草稿案例：医院", tags=[tag]),
                          headers=writer).json
        self.assertEqual((draft["status"], draft["author"]), ("draft", "kn_writer"))
        internal = self.add(case("内部案例：医院底价", tags=[tag], shareable=False))
        shared = self.add(case("公开案例：医院无线", tags=[tag], shareable=True))
        sales = self.server.auth("kn_sales", role="sales")
        partner = self.server.auth("kn_partner", role="partner")
        ids = lambda who: {e["id"] for e in self.search("医院", who=who, tag=tag)}
        self.assertEqual(ids(writer), {draft["id"], internal["id"], shared["id"]})
        self.assertEqual(ids(sales), {internal["id"], shared["id"]})
        self.assertEqual(ids(partner), {shared["id"]})
        for who, eid, status in ((sales, draft["id"], 404), (partner, internal["id"], 404),
                                 (partner, shared["id"], 200), (writer, draft["id"], 200)):
            self.assertEqual(self.get("/api/v1/knowledge/" + eid, headers=who).status, status)
        r = self.post("/api/v1/knowledge", case("渠道写的"), headers=partner)
        self.assertEqual(r.status, 403, r)
        # Only an admin loads an entry with its status.
        r = self.post("/api/v1/knowledge", dict(case("自己发布"), status="published"),
                      headers=writer)
        self.assertEqual((r.status, r.json["error"]["field"]), (403, "status"), r)

    def test_draft_review_publish_and_retire(self):
        writer = self.server.auth("kn_writer", role="consultant")
        mgr = self.server.auth("kn_mgr", role="manager")
        e = self.post("/api/v1/knowledge", case("待审核案例"), headers=writer).json
        url = "/api/v1/knowledge/" + e["id"]
        # The author does not publish their own.
        self.assertEqual(self.post(url + "/publish", headers=writer).status, 403)
        r = self.post(url + "/publish", headers=mgr)
        self.assertEqual((r.status, r.json["status"], r.json["reviewer"]),
                         (200, "published", "kn_mgr"), r)
        self.assertEqual(self.post(url + "/publish", headers=mgr).status, 409)
        # Changed by its author: back to review; by its reviewer: stays published.
        body = dict(case("待审核案例（补充）"))
        r = self.request("PUT", url, body=body, headers=dict(writer, **{"If-Match": '"2"'}))
        self.assertEqual((r.status, r.json["status"], r.json["version"]), (200, "draft", 3), r)
        self.assertEqual(self.post(url + "/publish", headers=mgr).json["status"], "published")
        r = self.request("PUT", url, body=dict(case("待审核案例（经理修订）")),
                         headers=dict(mgr, **{"If-Match": '"4"'}))
        self.assertEqual((r.status, r.json["status"]), (200, "published"), r)
        r = self.request("PUT", url, body=body, headers=dict(writer, **{"If-Match": '"1"'}))
        self.assertEqual(r.status, 412, r)
        versions = self.get(url + "/versions").json["items"]
        self.assertEqual([v["version"] for v in versions], [5, 4, 3, 2, 1])
        self.assertEqual(versions[-1]["entry"]["title"], "待审核案例")
        r = self.post(url + "/retire", headers=writer)
        self.assertEqual((r.status, r.json["status"]), (200, "retired"), r)
        self.assertNotIn(e["id"], [x["id"] for x in self.search("待审核案例")])
        self.assertIn(e["id"], [x["id"] for x in self.search("待审核案例", status="retired")])
        audit = self.get("/api/v1/audit?limit=50&record_id=" + e["id"]).json["items"]
        actions = [a["action"] for a in audit]
        self.assertEqual((actions.count("knowledge_publish"), actions.count("knowledge_retire"),
                          actions.count("knowledge_create")), (2, 1, 1), actions)

    def test_a_deal_is_offered_what_fits_it(self):
        acc = self.make_account(industry="物流")
        opp = self.make_opportunity(acc["id"], playbook="uss-5", products=["TMS 运输管理"],
                                    amount=200000000)
        near = self.add(case("冷链物流 TMS 上线", industries=["物流"], products=["TMS 运输管理"],
                             detail={"customer": "冷链企业", "amount": 180000000}))
        far = self.add(case("快递企业 TMS 大项目", industries=["物流"], products=["TMS 运输管理"],
                            detail={"customer": "快递集团", "amount": 90000000000}))
        other = self.add(case("医院无线", industries=["医疗"]))
        stage = "uss-5:" + opp["stage"]
        obj = self.add({"kind": "objection", "title": "现在不是时候", "stages": [stage],
                        "detail": {"wording": "明年再说吧"}})
        sp = self.add({"kind": "selling_point", "title": "运输全程可视", "products": ["TMS 运输管理"],
                       "detail": {"description": "在途监控"}})
        s = self.get("/api/v1/opportunities/%s/knowledge" % opp["id"]).json
        cases = [c["id"] for c in s["cases"]]
        self.assertEqual(cases[:2], [near["id"], far["id"]])
        self.assertNotIn(other["id"], cases)
        self.assertIn(obj["id"], [o["id"] for o in s["objections"]])
        self.assertIn(sp["id"], [o["id"] for o in s["selling_points"]])

    def test_a_won_deal_drafts_a_reference_case_for_its_owner(self):
        acc = self.make_account(industry="教育", region="江苏")
        opp = self.make_opportunity(acc["id"], playbook="uss-5", amount=35000000,
                                    owner_id=self.server.user_id("kn_sales"),
                                    compelling_event="新学期开学前上线", competitors=["友商甲"],
                                    description="全区学校统一无线网络")
        win_deal(self.server, opp["id"])
        sales = self.server.auth("kn_sales", role="sales")
        drafts = self.search(status="draft", who=sales, kind="case")
        mine = [d for d in drafts if d["source_opportunity_id"] == opp["id"]]
        self.assertEqual(len(mine), 1, drafts)
        d = mine[0]
        self.assertEqual((d["author"], d["status"], d["industries"], d["detail"]["customer"],
                          d["detail"]["amount"], d["detail"]["background"],
                          d["detail"]["competitors"]),
                         ("kn_sales", "draft", ["教育"], acc["name"], 35000000, "新学期开学前上线",
                          ["友商甲"]))
        self.assertEqual(d["detail"]["pains"], [{"pain": "全区学校统一无线网络"}])
        # A manager reviews and publishes it.
        mgr = self.server.auth("kn_mgr", role="manager")
        r = self.post("/api/v1/knowledge/%s/publish" % d["id"], headers=mgr)
        self.assertEqual(r.json["status"], "published", r)


class KnowledgeCliTest(unittest.TestCase):
    """bingfa knowledge import and export, on database files."""

    def test_import_all_or_nothing_and_export_round_trip(self):
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "kb.db")
            self.assertEqual(run_cli("init", "--db", db).returncode, 0)
            good = {"entries": [dict(case("医院无线案例"), status="published"), case("草稿"),
                                {"kind": "question", "title": "预算多少",
                                 "detail": {"question": "预算有多少？"}, "ref": "q1"}]}
            bad = {"entries": [case("会被撤销"), {"kind": "objection", "title": "缺话术"}]}
            path = os.path.join(d, "in.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(bad, f, ensure_ascii=False)
            r = run_cli("knowledge", "import", "--db", db, path)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("entry 2", r.stderr)
            self.assertIn("detail.wording", r.stderr)
            with open(path, "w", encoding="utf-8") as f:
                json.dump(good, f, ensure_ascii=False)
            r = run_cli("knowledge", "import", "--db", db, path)
            self.assertEqual((r.returncode, r.stdout.strip()), (0, "imported 3 knowledge entries"),
                             r.stderr)
            out = run_cli("knowledge", "export", "--db", db)
            self.assertEqual(out.returncode, 0, out.stderr)
            entries = json.loads(out.stdout)["entries"]
            self.assertEqual([(e["title"], e["status"]) for e in entries],
                             [("医院无线案例", "published"), ("草稿", "draft"),
                              ("预算多少", "draft")])
            # What it exports, it imports again.
            db2 = os.path.join(d, "kb2.db")
            self.assertEqual(run_cli("init", "--db", db2).returncode, 0)
            with open(path, "w", encoding="utf-8") as f:
                f.write(out.stdout)
            self.assertEqual(run_cli("knowledge", "import", "--db", db2, path).returncode, 0)
            again = json.loads(run_cli("knowledge", "export", "--db", db2).stdout)["entries"]
            self.assertEqual(again, entries)


if __name__ == "__main__":
    unittest.main()
