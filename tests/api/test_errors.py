"""Errors: every failure is {"error":{"code","message","field"}} with the
right status - 400, 404, 405, 409, 412, 413, 415, 422, 428."""

import socket
import threading
import time
import unittest

from bingfa_server import (ServerTestCase, latest_schema_version, parse_raw_response,
                          response_complete)


def post_streaming(port, head, body, timeout=30):
    """Sends head+body on a raw socket from another thread while reading the
    answer, so that a server answering early (and closing) is seen as it is.
    Returns (raw response bytes, seconds until the answer was complete)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    started = time.monotonic()

    def send():
        try:
            sock.sendall(head + body)
        except OSError:
            pass  # the server may close early: that is the point

    t = threading.Thread(target=send, daemon=True)
    t.start()
    out = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
            if response_complete(out):
                break
    except OSError:
        pass
    elapsed = time.monotonic() - started
    sock.close()
    t.join(timeout)
    return out, elapsed


class ErrorsTest(ServerTestCase):

    def test_malformed_json_gives_line_and_column(self):
        before = self.count("accounts")
        r = self.request("POST", "/api/v1/accounts", raw=b'{\n  "name": "x",\n  oops\n}')
        err = self.assertError(r, 400, "malformed_json")
        self.assertIn("line", err["message"])
        self.assertIn("column", err["message"])
        self.assertIn("3", err["message"])  # the error is on line 3
        for raw in (b'{"name": ', b'not json', b'{"name": "x",}', b'{"name": "x"} trailing'):
            with self.subTest(raw=raw):
                r = self.request("POST", "/api/v1/accounts", raw=raw)
                err = self.assertError(r, 400, "malformed_json")
                self.assertIn("line", err["message"])
                self.assertIn("column", err["message"])
        self.assertEqual(self.count("accounts"), before)

    def test_body_must_be_an_object(self):
        for raw in (b'[]', b'"x"', b'42', b'null'):
            with self.subTest(raw=raw):
                r = self.request("POST", "/api/v1/accounts", raw=raw)
                self.assertIn(r.status, (400, 422), r)
                self.assertErrorEnvelope(r)

    def test_empty_body(self):
        r = self.request("POST", "/api/v1/accounts", raw=b"")
        self.assertError(r, 400, "malformed_json")

    def test_404_no_route(self):
        for path in ("/api/v1/nothing", "/api/v2/accounts", "/", "/api/v1/accounts/x/y",
                     "/api/v1/opportunities/x/checklist/y/z", "/api/v1/reports"):
            with self.subTest(path=path):
                self.assertError(self.get(path), 404, "no_route")

    def test_404_not_found(self):
        for res in ("accounts", "contacts", "opportunities", "activities"):
            with self.subTest(res=res):
                r = self.get("/api/v1/%s/xyz_doesnotexist0000" % res)
                self.assertError(r, 404, "not_found")
        self.assertError(self.get("/api/v1/playbooks/nope"), 404, "not_found")

    def test_405_with_allow(self):
        cases = {
            ("PUT", "/api/v1/accounts"): {"GET", "POST"},
            ("DELETE", "/api/v1/accounts"): {"GET", "POST"},
            ("POST", "/api/v1/accounts/acc_x"): {"GET", "PATCH", "DELETE"},
            ("PUT", "/api/v1/opportunities/opp_x"): {"GET", "PATCH", "DELETE"},
            ("POST", "/healthz"): {"GET"},
            ("GET", "/api/v1/opportunities/opp_x/advance"): {"POST"},
            ("DELETE", "/api/v1/reports/funnel"): {"GET"},
        }
        for (method, path), allowed in cases.items():
            with self.subTest(method=method, path=path):
                r = self.request(method, path, raw=b"{}")
                self.assertError(r, 405)
                allow = r.headers.get("Allow")
                self.assertIsNotNone(allow, r.headers)
                self.assertEqual({m.strip() for m in allow.split(",")}, allowed)

    def test_409_in_use(self):
        acc = self.make_account()
        self.make_contact(acc["id"])
        self.assertError(self.delete("/api/v1/accounts/" + acc["id"], version=1), 409, "in_use")

    def test_412_and_428(self):
        acc = self.make_account()
        url = "/api/v1/accounts/" + acc["id"]
        self.assertError(self.patch(url, {"region": "x"}), 428)
        self.assertError(self.delete(url), 428)
        self.assertError(self.patch(url, {"region": "x"}, version=2), 412)
        self.assertError(self.delete(url, version=2), 412)
        self.assertEqual(self.get(url).json, acc)

    def test_415_unsupported_media_type(self):
        before = self.count("accounts")
        for ctype in ("text/plain", "application/x-www-form-urlencoded", None):
            with self.subTest(ctype=ctype):
                r = self.request("POST", "/api/v1/accounts", raw=b'{"name": "x"}',
                                 headers={"Content-Type": ctype})
                self.assertError(r, 415, "unsupported_media_type")
        # with a charset is fine
        r = self.request("POST", "/api/v1/accounts", raw='{"name": "编码"}'.encode("utf-8"),
                         headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.count("accounts"), before + 1)

    def test_422_invalid_utf8(self):
        r = self.request("POST", "/api/v1/accounts", raw=b'{"name": "\xe4\xb8"}')
        self.assertError(r, 422, "invalid_utf8", "name")
        r = self.request("POST", "/api/v1/accounts",
                         raw=b'{"name": "ok", "notes": "\xed\xa0\x80 surrogate"}')
        self.assertError(r, 422, "invalid_utf8", "notes")

    def test_422_huge_integer(self):
        acc = self.make_account()
        raw = ('{"account_id": "%s", "name": "x", "amount": 99999999999999999999999}'
               % acc["id"]).encode()
        r = self.request("POST", "/api/v1/opportunities", raw=raw)
        self.assertError(r, 422, "out_of_range", "amount")
        raw = ('{"account_id": "%s", "name": "x", "amount": -99999999999999999999999}'
               % acc["id"]).encode()
        r = self.request("POST", "/api/v1/opportunities", raw=raw)
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["field"], "amount")

    def test_413_real_body(self):
        before = self.count("accounts")
        body = b'{"name": "big", "notes": "' + b"a" * (2 * 1024 * 1024) + b'"}'
        head = (b"POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        out, _ = post_streaming(self.server.port, head, body)
        r = parse_raw_response(out)
        self.assertError(r, 413, "body_too_large")
        self.assertEqual(self.count("accounts"), before)

    def test_413_claimed_content_length_answered_promptly(self):
        head = (b"POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\n"
                b"Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
        out, elapsed = post_streaming(self.server.port, head, b"", timeout=10)
        r = parse_raw_response(out)
        self.assertError(r, 413, "body_too_large")
        self.assertLess(elapsed, 5.0, "the 413 waited for a body that never came")

    def test_413_content_length_beyond_64_bits(self):
        # A Content-Length that does not fit 64 bits is refused by
        # libmicrohttpd itself, before the application sees the request, with
        # its own (non-JSON) 413 page; the server must stay up.
        head = (b"POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: 99999999999999999999999\r\n\r\n")
        out, _ = post_streaming(self.server.port, head, b"", timeout=10)
        r = parse_raw_response(out)
        self.assertEqual(r.status, 413, out)
        self.assertEqual(self.get("/healthz").status, 200)

    def test_non_utf8_in_the_url_is_not_a_500(self):
        """Percent-encoded bytes that are not UTF-8 (%FF) in a path or query
        are refused as such (400 for the path, 422 naming the parameter),
        never a 500."""
        cases = [
            ("/api/v1/accounts/%FF", 400, "invalid_utf8", "path"),
            ("/api/v1/%FF", 400, "invalid_utf8", "path"),
            ("/api/v1/playbooks/%FF", 400, "invalid_utf8", "path"),
            ("/api/v1/accounts?%FF=1", 422, None, None),
            ("/api/v1/accounts?sort=%FF", 422, None, "sort"),
            ("/api/v1/accounts?ownership=%FF", 422, None, "ownership"),
            ("/api/v1/reports/funnel?playbook=%FF", 422, None, "playbook"),
        ]
        for path, status, code, field in cases:
            with self.subTest(path=path):
                self.assertError(self.get(path), status, code, field)
        for path in ("/api/v1/reports/funnel?currency=%FF", "/api/v1/reports/funnel?owner=%FF"):
            with self.subTest(path=path):
                r = self.get(path)
                self.assertIn(r.status, (200, 422), r)
                self.assertIsNotNone(r.json, r)

    def test_healthz(self):
        r = self.get("/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "ok")
        self.assertEqual(r.json["schema_version"], latest_schema_version())
        self.assertIsInstance(r.json["version"], str)
        self.assertTrue(r.json["version"])

    def test_error_envelope_everywhere(self):
        """A sweep of failing requests: each has exactly the envelope keys."""
        acc = self.make_account()
        opp = self.make_opportunity(acc["id"])
        cases = [
            ("GET", "/nope", None, None, 404),
            ("GET", "/api/v1/accounts/acc_nope0000", None, None, 404),
            ("PUT", "/api/v1/accounts", None, None, 405),
            ("POST", "/api/v1/accounts", b"{", None, 400),
            ("POST", "/api/v1/accounts", b'{"x": 1}', None, 422),
            ("POST", "/api/v1/accounts", b'{"name": "x"}', {"Content-Type": "text/plain"}, 415),
            ("PATCH", "/api/v1/accounts/" + acc["id"], b"{}", None, 428),
            ("PATCH", "/api/v1/accounts/" + acc["id"], b"{}", {"If-Match": '"9"'}, 412),
            ("POST", "/api/v1/opportunities/%s/advance" % opp["id"], None, None, 409),
            ("GET", "/api/v1/opportunities?limit=0", None, None, 422),
            ("GET", "/api/v1/reports/funnel?playbook=x", None, None, 422),
        ]
        for method, path, raw, headers, status in cases:
            with self.subTest(method=method, path=path, status=status):
                r = self.request(method, path, raw=raw, headers=headers)
                self.assertError(r, status)
                self.assertEqual(set(r.json["error"]), {"code", "message", "field"}, r)


class SmallBodyLimitTest(ServerTestCase):
    """A server started with --max-body 1000."""

    server_args = ("--max-body", "1000")

    def body(self, n):
        prefix, suffix = b'{"name": "x", "notes": "', b'"}'
        b = prefix + b"a" * (n - len(prefix) - len(suffix)) + suffix
        self.assertEqual(len(b), n)
        return b

    def test_limit_is_inclusive(self):
        r = self.request("POST", "/api/v1/accounts", raw=self.body(1000))
        self.assertEqual(r.status, 201, r)

    def test_one_byte_over(self):
        before = self.count("accounts")
        r = self.request("POST", "/api/v1/accounts", raw=self.body(1001))
        err = self.assertError(r, 413, "body_too_large")
        self.assertIn("1000", err["message"])
        self.assertEqual(self.count("accounts"), before)

    def test_chunked_body_over_the_limit(self):
        before = self.count("accounts")
        body = self.body(3000)
        head = (b"POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                b"Authorization: Bearer " + self.server.token.encode() + b"\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunks = b""
        for i in range(0, len(body), 400):
            c = body[i:i + 400]
            chunks += b"%x\r\n" % len(c) + c + b"\r\n"
        chunks += b"0\r\n\r\n"
        out, _ = post_streaming(self.server.port, head, chunks)
        self.assertError(parse_raw_response(out), 413, "body_too_large")
        self.assertEqual(self.count("accounts"), before)

    def test_claimed_length(self):
        head = (b"POST /api/v1/accounts HTTP/1.1\r\nHost: t\r\n"
                b"Content-Type: application/json\r\nContent-Length: 1001\r\n\r\n")
        out, elapsed = post_streaming(self.server.port, head, b"", timeout=10)
        self.assertError(parse_raw_response(out), 413, "body_too_large")
        self.assertLess(elapsed, 5.0)

    def test_server_still_serves_after_refusals(self):
        for _ in range(3):
            r = self.request("POST", "/api/v1/accounts", raw=self.body(1500))
            self.assertEqual(r.status, 413)
        self.assertEqual(self.get("/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
