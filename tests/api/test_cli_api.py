"""`bingfa api`: any route of the API, in-process on a database file, gives
the same answers as the server — the command line's way to every feature."""
import json
import os
import tempfile
import unittest

from bingfa_server import BingfaServer, fresh_db, run_cli


class CliApiTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.db = fresh_db(self.tmp.name, "cli.db")
        self.assertEqual(run_cli("init", "--db", self.db, "--demo").returncode, 0)

    def tearDown(self):
        self.tmp.cleanup()

    def api(self, *args, input=None):
        p = run_cli("api", "--db", self.db, *args, input=input)
        out = p.stdout.decode() if isinstance(p.stdout, bytes) else p.stdout
        err = p.stderr.decode() if isinstance(p.stderr, bytes) else p.stderr
        return p.returncode, (json.loads(out) if out.strip() else None), err

    def test_get_with_a_chinese_query(self):
        code, body, err = self.api("GET", "/api/v1/accounts?q=%E5%8C%BB%E9%99%A2&limit=5")
        self.assertEqual(code, 0, err)
        self.assertIn("HTTP 200", err)
        self.assertTrue(body["items"])
        for item in body["items"]:
            self.assertIn("医院", item["name"])

    def test_put_a_form_from_a_file_and_from_stdin(self):
        # --user acts as that demo user: a deal of 张伟's own.
        code, body, _ = self.api("GET", "/api/v1/opportunities?playbook=ruijie-6&limit=1&owner="
                                 "%E5%BC%A0%E4%BC%9F")
        opp = body["items"][0]["id"]
        code, body, err = self.api("--user", "王磊", "GET", "/api/v1/opportunities/" + opp)
        self.assertEqual(code, 1, "王磊 of another team sees 张伟's deal")
        self.assertIn("HTTP 404", err)
        path = os.path.join(self.tmp.name, "ce.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"what": "新院区开诊", "by_when": "2027-05-01",
                       "consequence": "每推迟一个月少收入约5000万元"}, f, ensure_ascii=False)
        # (the demo filled the deal's CE in already, when the deal has passed its first stage)
        code, saved, _ = self.api("GET", "/api/v1/opportunities/%s/compelling-event" % opp)
        self.assertEqual(code, 0)
        code, body, err = self.api("--user", "张伟", "PUT",
                                   "/api/v1/opportunities/%s/compelling-event" % opp, path)
        self.assertEqual(code, 0, err)
        self.assertEqual(body["version"], (saved["version"] or 0) + 1)
        self.assertEqual(body["updated_by"], "张伟")
        self.assertTrue(body["result"]["complete"])
        # A stale If-Match is refused (exit 1, 412), and nothing changes.
        code, body, err = self.api("--if-match", '"7"', "PUT",
                                   "/api/v1/opportunities/%s/compelling-event" % opp, "-",
                                   input='{"what": "x"}')
        self.assertEqual(code, 1)
        self.assertIn("HTTP 412", err)
        code, body, _ = self.api("GET", "/api/v1/opportunities/%s/compelling-event" % opp)
        self.assertEqual(body["data"]["what"], "新院区开诊")

    def test_same_answer_as_the_server(self):
        code, cli_body, _ = self.api("GET", "/api/v1/reports/funnel")
        self.assertEqual(code, 0)
        with BingfaServer(db=self.db, init=False) as s:
            r = s.request("GET", "/api/v1/reports/funnel")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json, cli_body)

    def test_errors_and_usage(self):
        code, body, err = self.api("GET", "/api/v1/nope")
        self.assertEqual(code, 1)
        self.assertEqual(body["error"]["code"], "no_route")
        self.assertIn("HTTP 404", err)
        self.assertEqual(run_cli("api", "GET", "/healthz").returncode, 2)  # no --db
        self.assertEqual(run_cli("api", "--db", self.db, "GET").returncode, 2)


if __name__ == "__main__":
    unittest.main()
