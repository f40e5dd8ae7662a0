"""The five built-in playbooks (ruijie-6, uss-5, huayu-5, yonyou-7,
project-8), browsed through the API in both languages, and checked against
the fixtures tests/fixtures/seeds/<id>.json that list what each seed names:
stages with their probabilities, key activities, exit criteria and
deliverables, decision points, closing steps, sales modes and keywords that
must appear somewhere (format: docs/playbook-schema.md, "Fixture file")."""

import json
import os
import unittest

from bingfa_server import BUILTIN_PLAYBOOKS, builtin_documents, ServerTestCase, source_dir

BUILTIN = tuple(BUILTIN_PLAYBOOKS)


def is_text(v):
    """A text of the document: {"zh": str, "en": str}."""
    return isinstance(v, dict) and set(v) == {"zh", "en"} and all(
        isinstance(x, str) for x in v.values())


def zh_texts(v, out=None):
    """Every zh string of the texts in v, in document order."""
    out = [] if out is None else out
    if is_text(v):
        out.append(v["zh"])
    elif isinstance(v, dict):
        for x in v.values():
            zh_texts(x, out)
    elif isinstance(v, list):
        for x in v:
            zh_texts(x, out)
    return out


def texts_left(v, path="", out=None):
    """Paths of the {zh, en} objects (or objects with a zh or en key) in v."""
    out = [] if out is None else out
    if isinstance(v, dict):
        if "zh" in v or "en" in v:
            out.append(path or "(document)")
        for k, x in v.items():
            texts_left(x, "%s.%s" % (path, k) if path else k, out)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            texts_left(x, "%s[%d]" % (path, i), out)
    return out


def load_fixture(pid):
    path = os.path.join(source_dir(), "tests", "fixtures", "seeds", pid + ".json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class PlaybooksTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.docs = builtin_documents(cls.server)

    def listing(self, lang):
        r = self.get("/api/v1/playbooks?lang=" + lang)
        self.assertEqual(r.status, 200, r)
        return {p["id"]: p for p in r.json["items"]}

    # -- browsing ------------------------------------------------------------------------

    def test_list_in_both_languages(self):
        zh, en = self.listing("zh"), self.listing("en")
        default = {p["id"]: p for p in self.get("/api/v1/playbooks").json["items"]}
        header = {p["id"]: p for p in self.get("/api/v1/playbooks",
                                               headers={"Accept-Language": "en"}).json["items"]}
        self.assertTrue(set(BUILTIN) <= set(zh), sorted(zh))
        self.assertEqual(set(zh), set(en))
        for pid in BUILTIN:
            with self.subTest(playbook=pid):
                doc, z, e = self.docs[pid], zh[pid], en[pid]
                for p in (z, e):
                    self.assertEqual(p["version"], doc["version"])
                    self.assertIn(doc["version"], p["versions"])
                    self.assertEqual(max(p["versions"]), p["version"])
                    self.assertEqual((p["name_zh"], p["name_en"]),
                                     (doc["name"]["zh"], doc["name"]["en"]))
                    self.assertEqual(p["decision_points"], len(doc.get("decision_points", [])))
                    self.assertEqual(p["modes"], len(doc.get("modes", [])))
                    self.assertEqual([s["id"] for s in p["stages"]],
                                     [s["id"] for s in doc["stages"]])
                    self.assertIsInstance(p["description"], str)
                # The name is the one of the language asked for, and differs.
                self.assertEqual(z["name"], doc["name"]["zh"])
                self.assertEqual(e["name"], doc["name"]["en"])
                self.assertNotEqual(z["name"], e["name"])
                self.assertEqual(z["description"], doc["description"]["zh"])
                self.assertEqual(e["description"], doc["description"]["en"])
                # Without lang: Chinese; Accept-Language counts as well.
                self.assertEqual(default[pid]["name"], z["name"])
                self.assertEqual(header[pid]["name"], e["name"])
                for sz, se, sd in zip(z["stages"], e["stages"], doc["stages"]):
                    self.assertEqual((sz["name"], se["name"]), (sd["name"]["zh"],
                                                                sd["name"]["en"]))
                    self.assertEqual((sz["name_zh"], sz["name_en"]),
                                     (sd["name"]["zh"], sd["name"]["en"]))
                    self.assertNotEqual(sz["name"], se["name"])
                    self.assertEqual(sz["probability"], sd["probability"])
                    self.assertEqual(sz["in_funnel"], sd.get("in_funnel", True))
                    n = sum(len(sd.get(k, [])) for k in ("exit_criteria", "deliverables",
                                                         "activities"))
                    self.assertEqual(sz["items"], n)

    def test_document_in_one_language(self):
        for pid in BUILTIN:
            doc = self.docs[pid]
            for lang, how in (("zh", "?lang=zh"), ("en", "?lang=en"), ("en", "header")):
                with self.subTest(playbook=pid, lang=lang, how=how):
                    if how == "header":
                        r = self.get("/api/v1/playbooks/" + pid,
                                     headers={"Accept-Language": "en-GB,en;q=0.8"})
                    else:
                        r = self.get("/api/v1/playbooks/%s%s" % (pid, how))
                    self.assertEqual(r.status, 200, r)
                    one = r.json
                    self.assertEqual(one.pop("lang"), lang)
                    self.assertEqual(texts_left(one), [], "texts left in both languages")
                    self.assertEqual(one["name"], doc["name"][lang])
                    self.assertEqual([s["name"] for s in one["stages"]],
                                     [s["name"][lang] for s in doc["stages"]])
                    self.assertEqual(one, self.pick(doc, lang))

    def pick(self, v, lang):
        """The document with every text replaced by its string in lang."""
        if is_text(v):
            return v[lang]
        if isinstance(v, dict):
            return {k: self.pick(x, lang) for k, x in v.items()}
        if isinstance(v, list):
            return [self.pick(x, lang) for x in v]
        return v

    def test_whole_document_keeps_both_languages(self):
        for pid in BUILTIN:
            with self.subTest(playbook=pid):
                doc = self.docs[pid]
                self.assertNotIn("lang", doc)
                self.assertEqual(doc["schema"], "bingfa.playbook/1")
                self.assertEqual(doc["id"], pid)
                self.assertTrue(is_text(doc["name"]))
                for s in doc["stages"]:
                    self.assertTrue(is_text(s["name"]), s["id"])
                    for item in s.get("exit_criteria", []):
                        self.assertTrue(item["text"]["zh"] and item["text"]["en"], item["id"])
                r = self.get("/api/v1/playbooks/%s?version=%d" % (pid, doc["version"]))
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json, doc)

    def test_unknown_and_bad_versions(self):
        self.assertError(self.get("/api/v1/playbooks/no-such-playbook"), 404, "not_found")
        self.assertError(self.get("/api/v1/playbooks/no-such-playbook?lang=en"), 404,
                         "not_found")
        self.assertError(self.get("/api/v1/playbooks/uss-5?version=999"), 404, "not_found")
        for bad in ("x", "0", "-1", "1.5", ""):
            with self.subTest(version=bad):
                self.assertError(self.get("/api/v1/playbooks/uss-5?version=" + bad), 422,
                                 field="version")
        self.assertError(self.get("/api/v1/playbooks/uss-5?colour=red"), 422, field="colour")
        self.assertError(self.get("/api/v1/playbooks?colour=red"), 422, field="colour")

    # -- what the seeds name ---------------------------------------------------------------

    def test_fixtures_are_carried(self):
        for pid in BUILTIN:
            with self.subTest(playbook=pid):
                self.check_fixture(pid, load_fixture(pid))

    def check_fixture(self, pid, fx):
        doc = self.docs[pid]
        self.assertEqual(fx["playbook"], pid)
        stages = {s["id"]: s for s in doc["stages"]}
        self.assertEqual([s["id"] for s in doc["stages"]], [s["id"] for s in fx["stages"]],
                         "stage ids in order")
        for fs in fx["stages"]:
            st = stages[fs["id"]]
            where = "%s stage %s" % (pid, fs["id"])
            self.assertEqual(st["probability"], fs["probability"], where)
            self.assertIn(fs["name_zh"], st["name"]["zh"], where)
            for key, field, field_name in (("activities", "activities", "name"),
                                           ("exit_criteria", "exit_criteria", "text"),
                                           ("deliverables", "deliverables", "name")):
                texts = [x[field_name]["zh"] for x in st.get(field, [])]
                for word in fs.get(key, []):
                    self.assertTrue(any(word in t for t in texts),
                                    "%s: %s %r not found in %s" % (where, key, word, texts))
        questions = [d["question"]["zh"] for d in doc.get("decision_points", [])]
        for word in fx.get("decision_points", []):
            self.assertTrue(any(word in q for q in questions), "%s decision %r" % (pid, word))
        closing = [c["text"]["zh"] for c in doc.get("closing", [])]
        for word in fx.get("closing", []):
            self.assertTrue(any(word in c for c in closing), "%s closing %r" % (pid, word))
        self.assertEqual(sorted(m["id"] for m in doc.get("modes", [])),
                         sorted(fx.get("modes", [])), pid)
        blob = "\n".join(zh_texts(doc))
        missing = [w for w in fx.get("anywhere", []) if w not in blob]
        self.assertEqual(missing, [], "%s: keywords not in any zh text" % pid)

    # -- the shape of each method ---------------------------------------------------------------

    def test_every_stage_is_described(self):
        for pid in BUILTIN:
            for st in self.docs[pid]["stages"]:
                with self.subTest(playbook=pid, stage=st["id"]):
                    for key in ("name", "goal", "milestone", "success_criteria"):
                        self.assertIn(key, st)
                        self.assertTrue(is_text(st[key]), key)
                        self.assertTrue(st[key]["zh"].strip() and st[key]["en"].strip(), key)
                    self.assertTrue(st.get("exit_criteria", []) or st.get("deliverables", []),
                                    "a stage without a gate")

    def test_probabilities_rise(self):
        for pid in BUILTIN:
            with self.subTest(playbook=pid):
                probs = [s["probability"] for s in self.docs[pid]["stages"]]
                self.assertEqual(probs, sorted(set(probs)))
                self.assertTrue(all(0 <= p <= 100 for p in probs))

    def test_project_8_milestones(self):
        doc = self.docs["project-8"]
        self.assertEqual(len(doc["stages"]), 8)
        for st in doc["stages"]:
            with self.subTest(stage=st["id"]):
                self.assertTrue(st["milestone"]["zh"] and st["milestone"]["en"])
                self.assertTrue(st["success_criteria"]["zh"] and st["success_criteria"]["en"])
                self.assertNotEqual(st["milestone"], st["success_criteria"])

    def test_uss_5(self):
        doc = self.docs["uss-5"]
        self.assertEqual(len(doc["stages"]), 5)
        acts = [a for s in doc["stages"] for a in s.get("activities", [])]
        self.assertEqual(len(acts), 15, [a["id"] for a in acts])
        for a in acts:
            self.assertTrue(a.get("steps"), a["id"])
            for step in a["steps"]:
                self.assertTrue(step.get("owner"), (a["id"], step))
        stage_ids = [s["id"] for s in doc["stages"]]
        dps = doc["decision_points"]
        self.assertEqual(len(dps), 3)
        for d in dps:
            with self.subTest(decision=d["id"]):
                self.assertIn(d["stage"], stage_ids)
                self.assertLess(stage_ids.index(d["no_stage"]), stage_ids.index(d["stage"]))
                self.assertTrue(d["no_action"]["zh"])
        self.assertEqual(len({d["stage"] for d in dps}), 3, "one decision point per stage")
        modes = {m["id"]: m for m in doc["modes"]}
        self.assertEqual(set(modes), {"quick", "consultative", "strategic"})
        for mid, m in modes.items():
            with self.subTest(mode=mid):
                b = m["benchmark"]
                self.assertEqual([v["n"] for v in m["visits"]],
                                 list(range(1, len(m["visits"]) + 1)))
                self.assertGreaterEqual(len(m["visits"]), b["visits"])
                days = [v["day"] for v in m["visits"]]
                self.assertEqual(days, sorted(days))
                self.assertTrue(all(0 <= d <= b["days"] for d in days), days)
        # Quick (快刀): three visits within a week.
        self.assertEqual((modes["quick"]["benchmark"]["visits"],
                          modes["quick"]["benchmark"]["days"]), (3, 7))
        self.assertLess(modes["quick"]["benchmark"]["days"],
                        modes["consultative"]["benchmark"]["days"])
        self.assertLess(modes["consultative"]["benchmark"]["days"],
                        modes["strategic"]["benchmark"]["days"])
        self.assertTrue(doc["closing"])
        self.assertTrue(is_text(doc["reference_case"]))

    def test_huayu_5_qualifies_by_5w2p(self):
        doc = self.docs["huayu-5"]
        self.assertIn("5W2P", doc["qualification"])
        first = doc["stages"][0]
        crit = [c for c in first["exit_criteria"] if c.get("framework") == "5W2P"]
        self.assertGreaterEqual(len(crit), 7, [c["id"] for c in crit])
        texts = "\n".join(c["text"]["zh"] for c in crit)
        for word in ("动机", "决策人", "决策过程", "需求", "竞争对手", "预算", "时间表"):
            self.assertIn(word, texts)
        # The checklist serves them with their framework.
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"], playbook="huayu-5")
        c = self.get("/api/v1/opportunities/%s/checklist" % opp["id"]).json
        self.assertEqual(sorted(i["id"] for i in c["items"] if i["framework"] == "5W2P"),
                         sorted(x["id"] for x in crit))

    def test_yonyou_7_t6_four_steps(self):
        doc = self.docs["yonyou-7"]
        value = [s for s in doc["stages"] if s["id"] == "value"]
        self.assertEqual(len(value), 1)
        t6 = [a for a in value[0]["activities"]
              if "T6" in a["name"]["zh"] or "T6" in a["name"]["en"]]
        self.assertEqual(len(t6), 1, [a["id"] for a in value[0]["activities"]])
        steps = t6[0]["steps"]
        self.assertEqual(len(steps), 4)
        for step in steps:
            self.assertTrue(step["text"]["zh"] and step["text"]["en"] and step["owner"])
        # Its owners are roles the playbook declares (or the built-in ones).
        codes = {r["code"] for r in doc.get("roles", [])} | {"S", "C", "M", "channel"}
        for step in steps:
            self.assertTrue(set(step["owner"].split("&")) <= codes, step["owner"])

    def test_references_resolve(self):
        # Templates named by deliverables and activities exist; owners are
        # known roles; ids are unique across the whole playbook.
        for pid in BUILTIN:
            with self.subTest(playbook=pid):
                doc = self.docs[pid]
                templates = {t["id"] for t in doc.get("templates", [])}
                codes = {r["code"] for r in doc.get("roles", [])} | {"S", "C", "M", "channel"}
                ids = []
                for st in doc["stages"]:
                    for d in st.get("deliverables", []):
                        if "template" in d:
                            self.assertIn(d["template"], templates, d["id"])
                    for a in st.get("activities", []):
                        for t in a.get("templates", []):
                            self.assertIn(t, templates, a["id"])
                    for item in (st.get("exit_criteria", []) + st.get("deliverables", []) +
                                 st.get("activities", [])):
                        ids.append(item["id"])
                        if item.get("owner"):
                            self.assertTrue(set(item["owner"].split("&")) <= codes,
                                            (item["id"], item["owner"]))
                ids += [d["id"] for d in doc.get("decision_points", [])]
                ids += [c["id"] for c in doc.get("closing", [])]
                dup = sorted({i for i in ids if ids.count(i) > 1})
                self.assertEqual(dup, [], "ids used twice")


if __name__ == "__main__":
    unittest.main()
