"""Custom playbooks: POST /api/v1/playbooks and `bingfa playbook import`
add a playbook (or a new version of one) that is usable at once and kept in
the database; an invalid one is refused with every problem listed by JSON
path (API and `bingfa playbook validate`), checked against the corpus
tests/fixtures/broken-playbooks/*.json and its expected.json (file name ->
paths that must be among the problems). Versions: a new version must be
higher; deals keep the version they run on, new deals get the latest."""

import copy
import json
import os
import re
import shutil
import tempfile
import threading
import unittest

import bingfa_db
from bingfa_server import BingfaServer, ServerTestCase, fresh_db, run_cli, source_dir

CORPUS = os.path.join(source_dir(), "tests", "fixtures", "broken-playbooks")
PROBLEM_LINE = re.compile(r"^\s+(\S+): (.+)$")


def text(zh, en):
    return {"zh": zh, "en": en}


def custom(pid, version=1):
    """A small playbook of three stages with a decision point, a closing step
    and a sales mode."""
    return {
        "schema": "bingfa.playbook/1",
        "id": pid,
        "version": version,
        "name": text("自定义三步法", "Custom three steps"),
        "description": text("测试用的自定义销售方法。", "A custom sales method for tests."),
        "source": "bingfa API tests",
        "qualification": ["MAN"],
        "roles": [{"code": "PM", "name": text("项目经理", "Project manager")}],
        "templates": [{"id": "brief", "name": text("一页纸简介", "One-page brief")}],
        "stages": [
            {"id": "qualify", "name": text("资格确认", "Qualify"), "probability": 20,
             "goal": text("确认值得跟进", "Confirm the deal is worth pursuing"),
             "milestone": text("首次会面", "First meeting"),
             "success_criteria": text("MAN成立", "MAN holds"), "typical_days": 10,
             "exit_criteria": [
                 {"id": "q-money", "kind": "criterion", "owner": "S", "framework": "MAN",
                  "text": text("预算已确认", "Budget confirmed")},
                 {"id": "q-authority", "kind": "criterion", "owner": "S&M", "framework": "MAN",
                  "text": text("已见到决策人", "Decision maker met")}],
             "deliverables": [
                 {"id": "q-brief", "name": text("一页纸简介", "One-page brief"),
                  "audience": "customer", "owner": "C", "template": "brief"}],
             "activities": [
                 {"id": "q-visit", "name": text("首次拜访", "First visit"), "owner": "S",
                  "goal": text("了解现状", "Learn the situation"),
                  "steps": [{"text": text("预约会面", "Book the meeting"), "owner": "S"},
                            {"text": text("准备简介", "Prepare the brief"), "owner": "C&PM"}],
                  "templates": ["brief"]}]},
            {"id": "propose", "name": text("提交方案", "Propose"), "probability": 60,
             "exit_criteria": [
                 {"id": "p-accepted", "kind": "deliverable", "owner": "C",
                  "text": text("客户认可方案", "Customer accepts the proposal")}]},
            {"id": "sign", "name": text("签约", "Sign"), "probability": 90,
             "exit_criteria": [
                 {"id": "s-signed", "kind": "criterion", "owner": "S",
                  "text": text("合同已签", "Contract signed")}]},
        ],
        "decision_points": [
            {"id": "fit", "stage": "propose", "no_stage": "qualify",
             "question": text("方案是否契合？", "Does the proposal fit?"),
             "no_action": text("重新确认需求", "Confirm the needs again")}],
        "closing": [{"id": "c-pay", "owner": "S",
                     "text": text("收首款", "Collect the first payment")}],
        "reference_case": text("整理参考案例", "Write up the reference case"),
        "modes": [
            {"id": "quick", "name": text("快刀", "Quick"), "team": "S",
             "benchmark": {"visits": 2, "days": 5},
             "visits": [{"n": 1, "day": 0, "owner": "S", "purpose": text("初访", "First visit")},
                        {"n": 2, "day": 4, "owner": "S", "purpose": text("签约", "Close")}]}],
    }


def next_version(doc, version):
    """doc as version `version`, with one more exit criterion in its first
    stage and the first stage renamed."""
    out = copy.deepcopy(doc)
    out["version"] = version
    first = out["stages"][0]
    first["name"] = text("资格确认（第%d版）" % version, "Qualify (v%d)" % version)
    first["exit_criteria"].append({"id": "q-need-v%d" % version, "kind": "criterion",
                                   "owner": "S", "framework": "MAN",
                                   "text": text("需求已确认", "Need confirmed")})
    return out


def load_expected():
    with open(os.path.join(CORPUS, "expected.json"), encoding="utf-8") as f:
        return json.load(f)


class PlaybookImportTest(ServerTestCase):

    def import_playbook(self, doc, status=201, user="pb.admin"):
        r = self.request("POST", "/api/v1/playbooks", body=doc,
                         headers=self.server.auth(user, role="admin"))
        self.assertEqual(r.status, status, r)
        return r

    def checklist(self, opp):
        r = self.get("/api/v1/opportunities/%s/checklist" % opp["id"])
        self.assertEqual(r.status, 200, r)
        return r.json

    def listed(self, pid):
        items = [p for p in self.get("/api/v1/playbooks").json["items"] if p["id"] == pid]
        self.assertEqual(len(items), 1, items)
        return items[0]

    # -- a valid playbook ----------------------------------------------------------------

    def test_import_is_usable_at_once(self):
        pid = self.unique("custom").lower()
        doc = custom(pid)
        r = self.import_playbook(doc)
        self.assertEqual(r.json, {"id": pid, "version": 1})
        loc = r.headers.get("Location")
        self.assertTrue(loc and loc.startswith("/api/v1/playbooks/" + pid), r.headers)
        g = self.get(loc)
        self.assertEqual(g.status, 200, g)
        self.assertEqual(g.json, doc)
        self.assertEqual(self.get("/api/v1/playbooks/" + pid).json, doc)
        en = self.get("/api/v1/playbooks/%s?lang=en" % pid).json
        self.assertEqual((en["name"], en["stages"][0]["name"]), ("Custom three steps", "Qualify"))
        p = self.listed(pid)
        self.assertEqual((p["version"], p["versions"], p["name_zh"], p["decision_points"],
                          p["modes"]), (1, [1], "自定义三步法", 1, 1))
        self.assertEqual([s["id"] for s in p["stages"]], ["qualify", "propose", "sign"])

        # A deal on it: gate, decision point, advance, mode, win.
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"], playbook=pid, sales_mode="quick")
        self.assertEqual((opp["stage"], opp["probability"], opp["playbook_version"]),
                         ("qualify", 20, 1))
        url = "/api/v1/opportunities/" + opp["id"]
        plan = [a["plan_ref"] for a in self.list_all("activities", "opportunity_id=" + opp["id"])]
        self.assertEqual(sorted(plan), ["quick/1", "quick/2"])
        c = self.checklist(opp)
        self.assertEqual([(i["id"], i["type"], i["gate"]) for i in c["items"]],
                         [("q-money", "criterion", True), ("q-authority", "criterion", True),
                          ("q-brief", "deliverable", True), ("q-visit", "activity", False)])
        r = self.post(url + "/advance")
        self.assertError(r, 409, "gate_unmet")
        self.assertEqual(sorted(u["id"] for u in r.json["unmet"]),
                         ["q-authority", "q-brief", "q-money"])
        for item in ("q-money", "q-authority", "q-brief"):
            r = self.request("PUT", "%s/checklist/%s" % (url, item),
                             body={"done": True, "evidence": "已确认"})
            self.assertEqual(r.status, 200, r)
        r = self.post(url + "/advance")
        self.assertEqual((r.status, r.json["stage"]), (200, "propose"), r)
        r = self.post(url + "/advance")
        self.assertError(r, 409, "gate_unmet")
        self.assertEqual(sorted((u["id"], u["type"]) for u in r.json["unmet"]),
                         [("fit", "decision"), ("p-accepted", "criterion")])
        r = self.post(url + "/decisions/fit", {"answer": "no", "reason": "需求理解有偏差"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["opportunity"]["stage"], r.json["opportunity"]["turnaround"]),
                         ("qualify", True))
        self.assertEqual(self.post(url + "/advance").status, 200)
        self.assertEqual(self.post(url + "/decisions/fit", {"answer": "yes"}).status, 200)
        self.assertEqual(self.request("PUT", url + "/checklist/p-accepted",
                                      body={"done": True, "evidence": "客户已确认"}).status, 200)
        self.assertEqual(self.post(url + "/advance").json["stage"], "sign")
        nx = self.get(url + "/next?lang=en").json
        self.assertEqual((nx["playbook"], nx["stage"]["name"], nx["unmet_criteria"][0]["text"]),
                         (pid, "Sign", "Contract signed"))
        # The last stage's gate wins the deal.
        for item in self.checklist(opp)["items"]:
            if item["gate"] and not item["done"]:
                self.assertEqual(self.request("PUT", url + "/checklist/" + item["id"],
                                              body={"done": True, "evidence": "合同已签"}).status,
                                 200)
        r = self.post(url + "/advance")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["stage"], r.json["probability"]),
                         ("won", "sign", 100))
        self.assertEqual([i["id"] for i in self.checklist(opp)["items"]], ["c-pay"])
        ref = self.list_all("activities", "opportunity_id=%s&plan_ref=reference-case" % opp["id"])
        self.assertEqual([a["purpose"] for a in ref], ["整理参考案例"])
        kinds = [h["kind"] for h in self.get(url + "/history").json["items"]]
        self.assertEqual(kinds, ["create", "advance", "turnaround", "advance", "advance", "won"])

    def test_import_request_rules(self):
        pid = self.unique("rules").lower()
        raw = json.dumps(custom(pid)).encode("utf-8")
        self.assertError(self.request("POST", "/api/v1/playbooks", raw=raw,
                                      headers={"Content-Type": "text/plain"}), 415)
        self.assertError(self.request("POST", "/api/v1/playbooks", raw=raw[:-5]), 400,
                         "malformed_json")
        self.assertError(self.request("POST", "/api/v1/playbooks", raw=b"[]"), 422)
        self.assertError(self.request("POST", "/api/v1/playbooks", raw=b""), 400,
                         "malformed_json")
        self.assertError(self.request("POST", "/api/v1/playbooks",
                                      raw=raw[:-1] + b', "id": "again"}'), 400, "malformed_json")
        self.assertError(self.get("/api/v1/playbooks/" + pid), 404, "not_found")
        # A valid body after all that still imports.
        self.import_playbook(custom(pid))

    # -- invalid playbooks ------------------------------------------------------------------

    def test_corpus_is_complete(self):
        expected = load_expected()
        files = sorted(f for f in os.listdir(CORPUS) if f.endswith(".json") and
                       f != "expected.json")
        self.assertEqual(sorted(expected), files, "every corpus file has its expected paths")
        self.assertGreaterEqual(len(files), 12)
        for name, paths in expected.items():
            self.assertTrue(paths, name)
            with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
                self.assertIsInstance(json.load(f), dict, name)

    def test_corpus_refused_by_the_api(self):
        for name, paths in sorted(load_expected().items()):
            with self.subTest(file=name):
                with open(os.path.join(CORPUS, name), "rb") as f:
                    raw = f.read()
                before = [p["id"] for p in self.get("/api/v1/playbooks").json["items"]]
                r = self.request("POST", "/api/v1/playbooks", raw=raw)
                err = self.assertError(r, 422, "invalid_playbook")
                problems = r.json["problems"]
                self.assertIsInstance(problems, list)
                got = [p["path"] for p in problems]
                for p in problems:
                    self.assertEqual(set(p), {"path", "code", "message"})
                    self.assertTrue(p["message"], p)
                self.assertEqual(err["field"], got[0])
                self.assertEqual(r.json["count"], len(problems))
                self.assertEqual(len(got), len(set(got)), "a problem listed twice: %s" % got)
                missing = [p for p in paths if p not in got]
                self.assertEqual(missing, [], "not reported; got %s" % got)
                after = [p["id"] for p in self.get("/api/v1/playbooks").json["items"]]
                self.assertEqual(after, before)

    def test_corpus_refused_by_validate(self):
        expected = load_expected()
        for name, paths in sorted(expected.items()):
            with self.subTest(file=name):
                res = run_cli("playbook", "validate", os.path.join(CORPUS, name))
                self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
                got = [m.group(1) for m in map(PROBLEM_LINE.match, res.stderr.splitlines()) if m]
                missing = [p for p in paths if p not in got]
                self.assertEqual(missing, [], "not on stderr: %s" % res.stderr)
                self.assertNotIn(": ok:", res.stdout)
        # Several files: each is reported, the exit status says some failed.
        good = os.path.join(source_dir(), "playbooks", "uss-5.json")
        names = sorted(expected)[:3]
        res = run_cli("playbook", "validate", good, *[os.path.join(CORPUS, n) for n in names])
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("uss-5", res.stdout)
        for n in names:
            self.assertIn(n, res.stderr)
        res = run_cli("playbook", "validate", good)
        self.assertEqual(res.returncode, 0, res.stderr)

    def test_every_problem_is_counted(self):
        # Twenty stages, each without its English name: twenty problems.
        doc = custom(self.unique("many").lower())
        stage = doc["stages"][2]
        doc["stages"] = []
        for i in range(20):
            st = copy.deepcopy(stage)
            st["id"] = "s%d" % i
            st["probability"] = i * 5
            st["name"] = {"zh": "阶段%d" % i}
            st["exit_criteria"][0]["id"] = "c%d" % i
            doc["stages"].append(st)
        doc["decision_points"] = []
        r = self.request("POST", "/api/v1/playbooks", body=doc)
        self.assertError(r, 422, "invalid_playbook", "stages[0].name.en")
        self.assertEqual(r.json["count"], 20)
        self.assertEqual([p["path"] for p in r.json["problems"]],
                         ["stages[%d].name.en" % i for i in range(20)])
        # Very many: the count stays exact even if not every one is listed.
        for st in doc["stages"]:
            st["colour"] = "red"
            st["probability"] = 0
        r = self.request("POST", "/api/v1/playbooks", body=doc)
        self.assertError(r, 422, "invalid_playbook")
        self.assertEqual(r.json["count"], 20 + 20 + 19)
        self.assertTrue(0 < len(r.json["problems"]) <= r.json["count"])

    # -- versions -----------------------------------------------------------------------------

    def test_versions(self):
        pid = self.unique("ver").lower()
        v1 = custom(pid)
        self.import_playbook(v1)
        self.assertError(self.post("/api/v1/playbooks", v1), 409, "version_exists", "version")
        acc = self.make_account()
        old = self.make_opportunity(acc["id"], playbook=pid)
        self.assertEqual(old["playbook_version"], 1)

        v2 = next_version(v1, 2)
        r = self.import_playbook(v2)
        self.assertEqual(r.json, {"id": pid, "version": 2})
        for again in (v1, v2):
            self.assertError(self.post("/api/v1/playbooks", again), 409, "version_exists")
        p = self.listed(pid)
        self.assertEqual((p["version"], sorted(p["versions"])), (2, [1, 2]))
        self.assertEqual(p["stages"][0]["name"], "资格确认（第2版）")
        self.assertEqual(self.get("/api/v1/playbooks/" + pid).json, v2)
        self.assertEqual(self.get("/api/v1/playbooks/%s?version=1" % pid).json, v1)
        self.assertEqual(self.get("/api/v1/playbooks/%s?version=2" % pid).json, v2)
        self.assertError(self.get("/api/v1/playbooks/%s?version=3" % pid), 404)

        # The old deal keeps version 1: its checklist is version 1's.
        url = "/api/v1/opportunities/" + old["id"]
        self.assertEqual(self.get(url).json["playbook_version"], 1)
        c = self.checklist(old)
        self.assertEqual(c["playbook_version"], 1)
        self.assertNotIn("q-need-v2", [i["id"] for i in c["items"]])
        self.assertEqual(c["stage"]["name"]["zh"], "资格确认")
        self.assertEqual(self.get(url + "/next").json["playbook_version"], 1)
        r = self.post(url + "/advance")
        self.assertEqual(sorted(u["id"] for u in r.json["unmet"]),
                         ["q-authority", "q-brief", "q-money"])
        # ... even after an edit.
        r = self.patch(url, {"amount": 5000000}, version=1)
        self.assertEqual((r.status, r.json["playbook_version"]), (200, 1), r)
        self.assertEqual(self.checklist(old)["playbook_version"], 1)
        # A new deal gets version 2.
        new = self.make_opportunity(acc["id"], playbook=pid)
        self.assertEqual(new["playbook_version"], 2)
        c = self.checklist(new)
        self.assertEqual(c["playbook_version"], 2)
        self.assertIn("q-need-v2", [i["id"] for i in c["items"]])
        # Versions may skip; lower or equal ones never come back.
        self.import_playbook(next_version(v1, 5))
        self.assertError(self.post("/api/v1/playbooks", next_version(v1, 4)), 409,
                         "version_exists")
        self.assertEqual(sorted(self.listed(pid)["versions"]), [1, 2, 5])
        # Moving a deal to this playbook puts it on the latest version.
        other = self.make_opportunity(acc["id"], playbook="ruijie-6")
        r = self.patch("/api/v1/opportunities/" + other["id"], {"playbook": pid}, version=1)
        self.assertEqual((r.status, r.json["playbook_version"]), (200, 5), r)

    def test_concurrent_imports_of_one_version(self):
        doc = custom(self.unique("race").lower())
        n = 8
        barrier = threading.Barrier(n)
        results = [None] * n

        def post(k):
            barrier.wait()
            results[k] = self.server.post("/api/v1/playbooks", doc)

        threads = [threading.Thread(target=post, args=(k,)) for k in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [201] + [409] * (n - 1), statuses)
        for r in results:
            if r.status == 409:
                self.assertEqual(r.json["error"]["code"], "version_exists")
        self.assertEqual(self.listed(doc["id"])["versions"], [1])

    def test_new_version_of_a_builtin(self):
        doc = self.get("/api/v1/playbooks/project-8").json
        current = doc["version"]
        acc = self.make_account()
        old = self.make_opportunity(acc["id"], playbook="project-8")
        self.assertEqual(old["playbook_version"], current)
        self.assertError(self.post("/api/v1/playbooks", doc), 409, "version_exists")
        older = copy.deepcopy(doc)
        older["version"] = max(current - 1, 1)
        self.assertError(self.post("/api/v1/playbooks", older), 409, "version_exists")
        newer = next_version(doc, current + 1)
        self.import_playbook(newer)
        self.assertEqual(self.listed("project-8")["version"], current + 1)
        self.assertEqual(self.checklist(old)["playbook_version"], current)
        new = self.make_opportunity(acc["id"], playbook="project-8")
        self.assertEqual(new["playbook_version"], current + 1)
        self.assertIn("q-need-v%d" % (current + 1), [i["id"] for i in self.checklist(new)["items"]])


class PlaybookPersistenceTest(unittest.TestCase):
    """Imports live in the database: they survive a restart, and the CLI
    imports into a database offline."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bingfa-pb-")
        self.db = fresh_db(self.tmp)
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def server(self, init=False):
        s = BingfaServer(db=self.db, init=init, tmpdir=self.tmp)
        self.servers.append(s)
        return s

    def write(self, name, doc):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=2)
        return path

    def test_restart_keeps_imports(self):
        s = self.server(init=True)
        s.start()
        v1 = custom("kept")
        self.assertEqual(s.post("/api/v1/playbooks", v1).status, 201)
        acc = s.post("/api/v1/accounts", {"name": "重启客户"}).json
        old = s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "重启前的商机",
                                               "playbook": "kept"}).json
        r = s.request("PUT", "/api/v1/opportunities/%s/checklist/q-money" % old["id"],
                      body={"done": True, "evidence": "预算批文"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(s.post("/api/v1/playbooks", next_version(v1, 2)).status, 201)
        s.stop()

        s2 = self.server()
        s2.start()
        p = [x for x in s2.get("/api/v1/playbooks").json["items"] if x["id"] == "kept"]
        self.assertEqual(len(p), 1)
        self.assertEqual((p[0]["version"], sorted(p[0]["versions"])), (2, [1, 2]))
        self.assertEqual(s2.get("/api/v1/playbooks/kept?version=1").json, v1)
        c = s2.get("/api/v1/opportunities/%s/checklist" % old["id"]).json
        self.assertEqual(c["playbook_version"], 1)
        done = [i["id"] for i in c["items"] if i["done"]]
        self.assertEqual(done, ["q-money"])
        new = s2.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "重启后的商机",
                                                "playbook": "kept"}).json
        self.assertEqual(new["playbook_version"], 2)
        self.assertEqual(s2.post("/api/v1/playbooks", next_version(v1, 2)).status, 409)
        # The built-ins are all still there.
        ids = {x["id"] for x in s2.get("/api/v1/playbooks").json["items"]}
        self.assertTrue({"ruijie-6", "uss-5", "huayu-5", "yonyou-7", "project-8"} <= ids)
        s2.stop()

    def stored(self):
        return sorted(bingfa_db.query(self.db, "SELECT id, version FROM playbooks"))

    def store_directly(self, pid, version, doc_text):
        bingfa_db.execute(self.db, "INSERT INTO playbooks (id, version, doc, imported_at, "
                          "imported_by) VALUES (?, ?, ?, '2025-01-01T00:00:00Z', "
                          "'an older bingfa')", (pid, version, doc_text))

    def test_stored_versions_are_loaded(self):
        # The server keeps its built-in playbooks in the database, so that a
        # version a later binary no longer ships stays loaded for its deals;
        # a stored document that does not validate any more is skipped.
        s = self.server(init=True)
        s.start()
        builtin = {(p["id"], p["version"]) for p in s.get("/api/v1/playbooks").json["items"]}
        s_doc = s.get("/api/v1/playbooks/ruijie-6").json
        s.stop()
        self.assertTrue(builtin <= set(self.stored()), self.stored())
        older = copy.deepcopy(s_doc)
        self.assertGreater(s_doc["version"], 1)
        older["version"] = 1
        older["stages"][0]["name"] = text("旧版第一阶段", "Old first stage")
        self.store_directly("ruijie-6", 1, json.dumps(older, ensure_ascii=False))
        broken = custom("ghost")
        broken["stages"][0]["probability"] = 500
        self.store_directly("ghost", 1, json.dumps(broken))

        s2 = self.server()
        s2.start()
        r = s2.get("/api/v1/playbooks/ruijie-6?version=1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["stages"][0]["name"]["zh"], "旧版第一阶段")
        p = [x for x in s2.get("/api/v1/playbooks").json["items"] if x["id"] == "ruijie-6"][0]
        self.assertEqual((p["version"], sorted(p["versions"])), (s_doc["version"],
                                                                 [1, s_doc["version"]]))
        self.assertError(s2.get("/api/v1/playbooks/ghost"), 404, "not_found")
        self.assertIn("ghost", s2.stderr_text)
        s2.stop()

    def assertError(self, resp, status, code):
        self.assertEqual(resp.status, status, resp)
        self.assertEqual(resp.json["error"]["code"], code, resp)

    def test_cli_import(self):
        s = self.server(init=True)
        v1 = self.write("offline.json", custom("offline"))
        res = run_cli("playbook", "import", "--db", self.db, v1)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("offline", res.stdout)
        # Same version again: refused.
        res = run_cli("playbook", "import", "--db", self.db, v1)
        self.assertEqual(res.returncode, 1, res.stdout)
        self.assertIn("version", res.stderr)
        # A broken file: refused, its problems on stderr.
        broken = os.path.join(CORPUS, "texts.json")
        res = run_cli("playbook", "import", "--db", self.db, broken)
        self.assertEqual(res.returncode, 1, res.stdout)
        got = [m.group(1) for m in map(PROBLEM_LINE.match, res.stderr.splitlines()) if m]
        for path in load_expected()["texts.json"]:
            self.assertIn(path, got)
        # Usage.
        self.assertEqual(run_cli("playbook", "import", v1).returncode, 2)
        self.assertEqual(run_cli("playbook", "import", "--db", self.db).returncode, 2)
        # A new version offline, then the server serves both.
        v2 = self.write("offline-v2.json", next_version(custom("offline"), 2))
        res = run_cli("playbook", "import", "--db", self.db, v2)
        self.assertEqual(res.returncode, 0, res.stderr)
        s.start()
        p = [x for x in s.get("/api/v1/playbooks").json["items"] if x["id"] == "offline"]
        self.assertEqual(len(p), 1, p)
        self.assertEqual(sorted(p[0]["versions"]), [1, 2])
        acc = s.post("/api/v1/accounts", {"name": "离线导入客户"}).json
        o = s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "离线导入的商机",
                                             "playbook": "offline"})
        self.assertEqual(o.status, 201, o)
        self.assertEqual((o.json["stage"], o.json["playbook_version"]), ("qualify", 2))
        self.assertEqual(s.post("/api/v1/playbooks", custom("offline")).status, 409)
        s.stop()
        # The broken file left nothing behind.
        s2 = self.server()
        s2.start()
        ids = {x["id"] for x in s2.get("/api/v1/playbooks").json["items"]}
        self.assertNotIn("broken-texts", ids)
        s2.stop()


if __name__ == "__main__":
    unittest.main()


class BuiltinVersionClashTest(unittest.TestCase):
    """A built-in playbook whose version number is already stored with other
    content (an import used it): the start says so, and the built-in is used."""

    def test_warning_on_a_clash(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = fresh_db(tmp, "clash.db")
            self.assertEqual(run_cli("init", "--db", db).returncode, 0)
            p = run_cli("api", "--db", db, "GET", "/healthz")
            self.assertNotIn("differs", p.stderr)
            doc = json.loads(bingfa_db.query(
                db, "SELECT doc FROM playbooks WHERE id = 'ruijie-6'")[0][0])
            doc["name"]["zh"] = "锐捷兵法·公司自改版"
            bingfa_db.execute(db, "UPDATE playbooks SET doc = ? WHERE id = 'ruijie-6'",
                              (json.dumps(doc, ensure_ascii=False),))
            p = run_cli("api", "--db", db, "GET", "/api/v1/playbooks/ruijie-6?lang=zh")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("ruijie-6", p.stderr)
            self.assertIn("differs from the built-in one", p.stderr)
            self.assertEqual(json.loads(p.stdout)["name"], "锐捷兵法·六阶段")
