"""The web app's files, served by bingfa serve --web DIR: content types, the
cache of hashed assets, index.html for client routes, and no way out of DIR."""

import os
import shutil
import tempfile
import unittest

from bingfa_server import BingfaServer

INDEX = "<!doctype html><title>兵法</title><div id=app></div>"


class WebTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="bingfa-web-")
        os.makedirs(os.path.join(cls.root, "assets"))
        files = {"index.html": INDEX, "assets/index-Ab12.js": "console.log('兵法')",
                 "assets/index-Cd34.css": "body{}", "favicon.svg": "<svg/>"}
        for name, text in files.items():
            with open(os.path.join(cls.root, name), "w", encoding="utf-8") as f:
                f.write(text)
        # A secret next to the web root, that no request may reach.
        cls.secret = os.path.join(os.path.dirname(cls.root), "bingfa-web-secret.txt")
        with open(cls.secret, "w") as f:
            f.write("secret")
        cls.server = BingfaServer(extra_args=["--web", cls.root])
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
        finally:
            cls.server.cleanup()
            shutil.rmtree(cls.root, ignore_errors=True)
            os.unlink(cls.secret)

    def get(self, path):
        return self.server.request("GET", path, headers={"Authorization": None})

    def test_index_and_client_routes(self):
        for path in ("/", "/pipeline", "/opportunities/opp_x", "/accounts/acc_1/contacts"):
            with self.subTest(path=path):
                r = self.get(path)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.raw.decode("utf-8"), INDEX)
                self.assertEqual(r.headers["Content-Type"], "text/html; charset=utf-8")
                self.assertEqual(r.headers["Cache-Control"], "no-cache")

    def test_assets_have_types_and_a_long_cache(self):
        for path, ctype in (("/assets/index-Ab12.js", "text/javascript; charset=utf-8"),
                            ("/assets/index-Cd34.css", "text/css; charset=utf-8")):
            with self.subTest(path=path):
                r = self.get(path)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.headers["Content-Type"], ctype)
                self.assertEqual(r.headers["Cache-Control"],
                                 "public, max-age=31536000, immutable")
        r = self.get("/favicon.svg")
        self.assertEqual((r.status, r.headers["Content-Type"]), (200, "image/svg+xml"))
        self.assertEqual(r.headers["Cache-Control"], "no-cache")

    def test_a_missing_file_is_404(self):
        r = self.get("/assets/gone-0000.js")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json["error"]["code"], "not_found")

    def test_no_way_out_of_the_directory(self):
        for path in ("/../bingfa-web-secret.txt", "/assets/../../bingfa-web-secret.txt",
                     "/%2e%2e/bingfa-web-secret.txt", "/assets/%2e%2e/%2e%2e/bingfa-web-secret.txt",
                     "/.%2e/bingfa-web-secret.txt", "/assets/..%2f..%2fbingfa-web-secret.txt",
                     "//etc/passwd", "/assets/.hidden.js"):
            with self.subTest(path=path):
                raw = self.server.raw_exchange(
                    ("GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" % path)
                    .encode("ascii"))
                self.assertNotIn(b"secret", raw.split(b"\r\n\r\n", 1)[-1])
                self.assertNotIn(b"root:", raw)

    def test_the_api_is_not_the_app(self):
        r = self.get("/api/v1/accounts")
        self.assertEqual(r.status, 401, r)
        r = self.get("/api/v1/nothing-here")
        self.assertEqual((r.status, r.json["error"]["code"]), (404, "no_route"), r)
        self.assertEqual(self.get("/healthz").status, 200)
        r = self.server.request("POST", "/pipeline", body={}, headers={"Authorization": None})
        self.assertNotEqual(r.status, 200, r)


class NoWebTest(unittest.TestCase):
    def test_without_web_only_the_api_answers(self):
        with BingfaServer() as s:
            r = s.request("GET", "/", headers={"Authorization": None})
            self.assertEqual(r.status, 404, r)
            self.assertEqual(r.json["error"]["code"], "no_route")


if __name__ == "__main__":
    unittest.main()
