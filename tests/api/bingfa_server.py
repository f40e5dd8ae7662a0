"""Shared helpers of the bingfa API tests: run a real server on a fresh
database and talk HTTP/JSON to it with the standard library only.

Environment:
  BINGFA_BIN         path of the built bingfa binary (required)
  BINGFA_SOURCE      repository root (for playbooks/ and src/store/migrations/)
  BINGFA_TEST_STORE  sqlite (default) or postgresql: the database of every
                     server (see bingfa_db.py)
  LSAN_OPTIONS       left as given; by default LeakSanitizer reads
                     tests/lsan.supp (library internals it cannot follow)
"""

import datetime
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
from urllib.parse import quote

from bingfa_db import DbError, fresh_db, on_postgres  # noqa: F401 (for the tests)

# Generous: the binary may be built with AddressSanitizer.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0
REQUEST_TIMEOUT = 30.0

# The admin every test server gets (see BingfaServer._make_admin); requests
# act as this user unless they send their own Authorization or Cookie.
ADMIN_NAME = "tester"
ADMIN_PASSWORD = "tester-password-1"

# The OpenAPI document of the binary under test, read once (see
# BingfaServer.undocumented_answers).
_OPENAPI = None

SERVING_RE = re.compile(
    rb"bingfa: serving (.+) on http://(\[[^\]]+\]|[^:/]+):(\d+)/ \(schema version (\d+)\)")


def _lsan_suppressions():
    """A sanitized binary's LeakSanitizer reads tests/lsan.supp (fontconfig's
    patterns hold their arrays by offset, which it cannot follow), unless
    LSAN_OPTIONS is set already."""
    supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lsan.supp")
    os.environ.setdefault("LSAN_OPTIONS", "suppressions=" + os.path.normpath(supp))


_lsan_suppressions()


def bingfa_bin():
    path = os.environ.get("BINGFA_BIN")
    if not path:
        guess = os.path.join(source_dir(), "build", "bingfa")
        if os.path.exists(guess):
            return guess
        raise RuntimeError("set BINGFA_BIN to the bingfa binary")
    return path


def source_dir():
    path = os.environ.get("BINGFA_SOURCE")
    if not path:
        path = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    return path


def latest_schema_version():
    """The newest schema version this source tree has (its last migration)."""
    names = os.listdir(os.path.join(source_dir(), "src", "store", "migrations"))
    return max(int(n.split("_", 1)[0]) for n in names if n.endswith(".sql"))


def run_cli(*args, timeout=60, input=None):
    """Runs the bingfa binary; returns CompletedProcess with text output."""
    return subprocess.run([bingfa_bin()] + [str(a) for a in args], capture_output=True,
                          timeout=timeout, input=input, text=True)


class Headers:
    """Response headers with case-insensitive lookup."""

    def __init__(self, pairs):
        self._items = list(pairs)
        self._map = {}
        for k, v in self._items:
            key = k.lower()
            if key in self._map:
                self._map[key] = self._map[key] + ", " + v
            else:
                self._map[key] = v

    def get(self, name, default=None):
        return self._map.get(name.lower(), default)

    def __getitem__(self, name):
        return self._map[name.lower()]

    def __contains__(self, name):
        return name.lower() in self._map

    def items(self):
        return list(self._items)

    def __repr__(self):
        return "Headers(%r)" % (self._items,)


class Response:
    """(status, headers, json, raw) that also has attributes."""

    def __init__(self, status, headers, body, raw):
        self.status = status
        self.headers = headers
        self.json = body
        self.raw = raw

    def __iter__(self):
        return iter((self.status, self.headers, self.json, self.raw))

    def __getitem__(self, i):
        return (self.status, self.headers, self.json, self.raw)[i]

    def __repr__(self):
        text = self.raw[:400].decode("utf-8", "replace") if self.raw else ""
        return "<Response %s %s>" % (self.status, text)


class BingfaServer:
    """A bingfa server on a fresh database in a temporary directory.

    server = BingfaServer(demo=False); server.start(); ...; server.stop()
    or use it as a context manager.
    """

    def __init__(self, demo=False, extra_args=(), db=None, init=True, schema_version=None,
                 tmpdir=None):
        self.demo = demo
        self.extra_args = list(extra_args)
        self.owns_tmp = tmpdir is None
        self.tmpdir = tmpdir or tempfile.mkdtemp(prefix="bingfa-test-")
        self.db = db or fresh_db(self.tmpdir)
        self.access_log = os.path.join(self.tmpdir, "access-%d.log" % id(self))
        self.stderr_path = os.path.join(self.tmpdir, "stderr-%d.log" % id(self))
        self.proc = None
        self.port = None
        self.schema_version = None
        self.exit_code = None
        self._stderr_buf = b""
        self._stderr_file = None
        self.token = None   # the API token of ADMIN_NAME, made on first start
        self.team_id = None  # the team of ADMIN_NAME and of users made by auth()
        self._tokens = {}
        self.seen = set()    # (method, path, status) of every answer to request()
        self.mismatches = set()  # successes whose body does not follow the document
        if init:
            self.init_db(schema_version=schema_version)

    # -- database -----------------------------------------------------------

    def init_db(self, schema_version=None):
        args = ["init", "--db", self.db]
        if self.demo:
            args.append("--demo")
        if schema_version is not None:
            args += ["--schema-version", str(schema_version)]
        res = run_cli(*args, timeout=120)
        if res.returncode != 0:
            raise RuntimeError("bingfa init failed (%d): %s %s" %
                               (res.returncode, res.stdout, res.stderr))
        return res

    # -- process ------------------------------------------------------------

    def start(self):
        cmd = [bingfa_bin(), "serve", "--db", self.db, "--listen", "127.0.0.1:0",
               "--access-log", self.access_log] + self.extra_args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT
        buf = b""
        fd = self.proc.stderr.fileno()
        while True:
            m = SERVING_RE.search(buf)
            if m:
                self.port = int(m.group(3))
                self.schema_version = int(m.group(4))
                break
            left = deadline - time.monotonic()
            if left <= 0:
                self._kill()
                raise RuntimeError("bingfa serve did not start in time; stderr: %r" % buf)
            ready, _, _ = select.select([fd], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    code = self.proc.wait(timeout=STOP_TIMEOUT)
                    self.proc.stderr.close()
                    self.proc = None
                    raise RuntimeError("bingfa serve exited %s before serving; stderr: %r" %
                                       (code, buf))
                buf += chunk
        self._stderr_buf = buf
        # Keep draining stderr so that the server never blocks on a full pipe.
        self._drain = threading.Thread(target=self._drain_stderr, daemon=True)
        self._drain.start()
        if self.token is None:
            self._make_admin()
        return self

    # -- users ------------------------------------------------------------------

    def renew_admin_token(self):
        """A new API token for ADMIN_NAME: changing its password revokes the
        tokens it had."""
        self._make_admin()

    def _make_admin(self):
        """Creates ADMIN_NAME (admin, in a team of its own) and its API token,
        with the command line, on the running server's database; or, when
        the database has it already, just a new token."""
        res = run_cli("token", "create", "--db", self.db, "--user", ADMIN_NAME)
        if res.returncode != 0:
            team = run_cli("api", "--db", self.db, "POST", "/api/v1/teams", "-",
                           input=json.dumps({"name": "测试团队", "share_deals": True}))
            if team.returncode != 0:
                raise RuntimeError("team: %s %s" % (team.stdout, team.stderr))
            self.team_id = json.loads(team.stdout)["id"]
            add = run_cli("user", "add", "--db", self.db, "--name", ADMIN_NAME, "--role", "admin",
                          "--team", self.team_id, "--password-stdin",
                          input=ADMIN_PASSWORD + "\n")
            if add.returncode != 0:
                raise RuntimeError("user add: %s %s" % (add.stdout, add.stderr))
            res = run_cli("token", "create", "--db", self.db, "--user", ADMIN_NAME)
            if res.returncode != 0:
                raise RuntimeError("token create: %s %s" % (res.stdout, res.stderr))
        else:
            me = self._users_named(ADMIN_NAME, token=res.stdout.strip().splitlines()[-1])
            self.team_id = me["team_id"] if me else None
        self.token = res.stdout.strip().splitlines()[-1]
        self._tokens[ADMIN_NAME] = self.token

    def _users_named(self, name, token=None):
        r = self.request("GET", "/api/v1/users?limit=200&q=" + quote(name),
                         headers={"Authorization": "Bearer " + (token or self.token)})
        if r.status != 200:
            raise RuntimeError("users: %r" % (r,))
        for u in r.json["items"]:
            if u["name"] == name:
                return u
        return None

    def make_user(self, name, role="consultant", team_id="default", partner_id=None,
                  password=None):
        """Creates a user through the API (as the admin) and returns its
        record; team_id "default" puts internal staff in the admin's team.
        With password, sets it too."""
        body = {"name": name, "role": role}
        if team_id == "default":
            team_id = self.team_id if role != "partner" else None
        if team_id:
            body["team_id"] = team_id
        if partner_id:
            body["partner_id"] = partner_id
        r = self.request("POST", "/api/v1/users", body=body)
        if r.status != 201:
            raise RuntimeError("user %s: %r" % (name, r))
        if password is not None:
            p = self.request("PUT", "/api/v1/users/%s/password" % r.json["id"],
                             body={"password": password})
            if p.status != 204:
                raise RuntimeError("password of %s: %r" % (name, p))
        return r.json

    def user_id(self, name, role="sales"):
        """The id of the user name, made (a salesperson of the admin's team)
        when there is none: an owner_id to give a record."""
        if not hasattr(self, "_user_ids"):
            self._user_ids = {}
        if name not in self._user_ids:
            found = self._users_named(name)
            self._user_ids[name] = found["id"] if found else self.make_user(name, role=role)["id"]
        return self._user_ids[name]

    def token_for(self, name, role="consultant", **kw):
        """The API token of user name, creating the user (make_user) first
        when there is none."""
        if name in self._tokens:
            return self._tokens[name]
        if self._users_named(name) is None:
            self.make_user(name, role=role, **kw)
        res = run_cli("token", "create", "--db", self.db, "--user", name)
        if res.returncode != 0:
            raise RuntimeError("token create %s: %s %s" % (name, res.stdout, res.stderr))
        self._tokens[name] = res.stdout.strip().splitlines()[-1]
        return self._tokens[name]

    def auth(self, name, role="consultant", **kw):
        """Headers that act as user name (see token_for). A new user is by
        default a consultant of the admin's team, which shares its deals:
        it sees and works what the admin created, but is not a manager."""
        return {"Authorization": "Bearer " + self.token_for(name, role=role, **kw)}

    @staticmethod
    def owner_user(owner):
        """(name, role) of someone who plays a checklist item's owner ("S&C"):
        a consultant for C, else a salesperson for S, a manager for M, the
        admin for anything else (channel, a playbook's own role)."""
        codes = (owner or "C").split("&")
        if "C" in codes:
            return "li.si", "consultant"
        if "S" in codes:
            return "zhao.liu", "sales"
        if "M" in codes:
            return "经理", "manager"
        return ADMIN_NAME, "admin"

    def owner_headers(self, owner):
        """Headers acting as owner_user(owner)."""
        name, role = self.owner_user(owner)
        return self.auth(name, role=role)

    def staff(self, name, role=None):
        """Headers acting as name: a manager or an admin when role says so,
        else a consultant (any other role: someone who is not a manager)."""
        return self.auth(name, role=role if role in ("manager", "admin") else "consultant")

    def _drain_stderr(self):
        fd = self.proc.stderr.fileno()
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            self._stderr_buf += chunk

    @property
    def stderr_text(self):
        return self._stderr_buf.decode("utf-8", "replace")

    def _kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
        if self.proc.stderr:
            self.proc.stderr.close()

    def openapi(self):
        """The OpenAPI document of the binary (read once per process)."""
        global _OPENAPI
        if _OPENAPI is None:
            conn = self.connection()
            try:
                conn.request("GET", "/api/v1/openapi.json",
                             headers={"Authorization": "Bearer " + self.token})
                resp = conn.getresponse()
                if resp.status == 200:
                    _OPENAPI = json.loads(resp.read())
            finally:
                conn.close()
        return _OPENAPI

    def check_answer(self, method, path, status, body):
        """Checks a success's body against the schema the document declares
        for it; a mismatch is kept for stop() to report."""
        doc = _OPENAPI if _OPENAPI is not None else (self.openapi() if self.token else None)
        if doc is None:
            return
        for template, item in doc["paths"].items():
            op = item.get(method.lower())
            if op is None or item not in operations_of(doc, path):
                continue
            answer = op["responses"].get(str(status), {})
            schema = answer.get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                for problem in schema_problems(doc, schema, body, "body"):
                    self.mismatches.add("%s %s -> %d: %s" % (method, template, status, problem))
            return

    def undocumented_answers(self):
        """The answers seen that the OpenAPI document does not describe: a
        status that an operation (method and path template) does not list.
        Requests that match no operation (404 no_route, 405) are the
        router's and are left out. None when the document cannot be read."""
        doc = self.openapi() if self.token else _OPENAPI
        if doc is None:
            return None
        missing = []
        for method, path, status in sorted(self.seen):
            ops = [item[method.lower()] for item in operations_of(doc, path)
                   if method.lower() in item]
            if ops and not any(str(status) in op["responses"] for op in ops):
                missing.append("%s %s -> %d (%s)" % (method, path, status,
                                                     ops[0].get("operationId")))
        return missing

    def stop(self, check=True):
        """SIGTERM; returns the exit status. With check, raises unless the
        server exited 0 within STOP_TIMEOUT seconds, or when it gave an
        answer the OpenAPI document does not describe."""
        if self.proc is None:
            return self.exit_code
        missing = None
        if check:
            try:
                missing = self.undocumented_answers()
            except (OSError, http.client.HTTPException):
                missing = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._kill()
            self.exit_code = None
            if check:
                raise AssertionError("bingfa serve did not stop within %ss of SIGTERM" %
                                     STOP_TIMEOUT)
        if hasattr(self, "_drain"):
            self._drain.join(timeout=5)
        self.proc.stderr.close()
        self.proc = None
        if check and self.exit_code != 0:
            raise AssertionError("bingfa serve exited %r after SIGTERM; stderr: %s" %
                                 (self.exit_code, self.stderr_text))
        missing = (missing or []) + sorted(self.mismatches)[:40]
        if missing:
            raise AssertionError("answers the OpenAPI document does not describe:\n  " +
                                 "\n  ".join(missing))
        return self.exit_code

    def cleanup(self):
        if self.proc is not None:
            self._kill()
            self.proc = None
        if self.owns_tmp:
            shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            self.stop(check=exc[0] is None)
        finally:
            self.cleanup()

    # -- HTTP -----------------------------------------------------------------

    def connection(self, timeout=REQUEST_TIMEOUT):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, raw=None, timeout=REQUEST_TIMEOUT):
        """Sends one request on a new connection.

        body: a Python value sent as JSON (Content-Type: application/json);
        raw: bytes sent as they are (Content-Type application/json unless
        headers say otherwise). Returns Response(status, headers, json, raw);
        json is None when the body is empty or not JSON."""
        hdrs = {}
        if self.token and not any(k.lower() in ("authorization", "cookie")
                                  for k in (headers or {})):
            hdrs["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        elif raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        for k, v in (headers or {}).items():
            for existing in list(hdrs):
                if existing.lower() == k.lower():
                    del hdrs[existing]
            if v is not None:
                if isinstance(v, str):
                    try:
                        v.encode("latin-1")
                    except UnicodeEncodeError:
                        v = v.encode("utf-8")
                hdrs[k] = v
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            payload = resp.read()
            self.seen.add((method, path.split("?", 1)[0], resp.status))
            response = make_response(resp.status, resp.getheaders(), payload)
            if 200 <= resp.status < 300 and response.json is not None:
                self.check_answer(method, path.split("?", 1)[0], resp.status, response.json)
            return response
        finally:
            conn.close()

    # Short-hands.
    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def patch(self, path, body, version=None, **kw):
        headers = dict(kw.pop("headers", None) or {})
        if version is not None:
            headers["If-Match"] = '"%s"' % version
        return self.request("PATCH", path, body=body, headers=headers, **kw)

    def delete(self, path, version=None, **kw):
        headers = dict(kw.pop("headers", None) or {})
        if version is not None:
            headers["If-Match"] = '"%s"' % version
        return self.request("DELETE", path, headers=headers, **kw)

    def raw_exchange(self, data, timeout=REQUEST_TIMEOUT, shutdown_write=False):
        """Sends raw bytes on a socket and reads until the server closes (or
        the response is complete). Returns the raw bytes received."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            if shutdown_write:
                s.shutdown(socket.SHUT_WR)
            out = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                out += chunk
                if response_complete(out):
                    break
            return out
        finally:
            s.close()

    def read_access_log(self):
        """The access log's lines, parsed (raises on a line that is not JSON)."""
        with open(self.access_log, "rb") as f:
            data = f.read()
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        return [json.loads(line.decode("utf-8")) for line in lines]


_PY_TYPES = {"object": dict, "array": list, "string": str, "integer": int,
             "number": (int, float), "boolean": bool, "null": type(None)}


def operations_of(doc, path):
    """The path items of doc whose templates the router matches path with:
    of those that match, the ones that match it most literally (a literal
    segment wins over a {parameter}, as in src/http/router.c)."""
    found = []
    for template, item in doc["paths"].items():
        parts, segs = template.split("/"), path.split("/")
        if len(parts) != len(segs):
            continue
        literal = []
        for p, s in zip(parts, segs):
            param = p.startswith("{") and p.endswith("}")
            if not param and p != s or param and not s:
                break
            literal.append(not param)
        else:
            found.append((literal, item))
    best = max((lit for lit, _ in found), default=None)
    return [item for lit, item in found if lit == best]


def schema_problems(doc, schema, value, at):
    """What in value does not follow the JSON Schema schema (OpenAPI 3.1 as
    bingfa writes it: $ref, type or a list of types, enum, properties,
    required, additionalProperties, items); a list of texts."""
    for _ in range(10):
        if "$ref" not in schema:
            break
        schema = doc["components"]["schemas"][schema["$ref"].split("/")[-1]]
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types
    if types:
        ok = any(isinstance(value, _PY_TYPES[t]) and
                 not (t in ("integer", "number") and isinstance(value, bool)) for t in types)
        if not ok:
            return ["%s is %s, not %s" % (at, type(value).__name__, "/".join(types))]
    if value is not None and "enum" in schema and value not in schema["enum"]:
        return ["%s is %r, not one of %s" % (at, value, schema["enum"])]
    problems = []
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                problems.append("%s has no %s" % (at, key))
        extra = schema.get("additionalProperties", True)
        for key, v in value.items():
            if key in props:
                problems += schema_problems(doc, props[key], v, at + "." + key)
            elif extra is False and props:
                problems.append("%s has %s, which is not declared" % (at, key))
            elif isinstance(extra, dict):
                problems += schema_problems(doc, extra, v, at + "." + key)
    elif isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value[:50]):
            problems += schema_problems(doc, schema["items"], v, "%s[%d]" % (at, i))
    return problems


def must(resp, status=201):
    """resp's JSON when its status is status; raises otherwise (for the
    set-up of a test class, where assertions are not at hand)."""
    if resp.status != status:
        raise RuntimeError("expected %d: %r" % (status, resp))
    return resp.json


def make_response(status, header_pairs, payload):
    headers = Headers(header_pairs)
    parsed = None
    if payload:
        try:
            parsed = json.loads(payload.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            parsed = None
    return Response(status, headers, parsed, payload)


def response_complete(data):
    """True when data holds a whole HTTP/1.1 response with Content-Length."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    if m:
        return len(body) >= int(m.group(1))
    return False


def parse_raw_response(data):
    """Parses raw HTTP response bytes into a Response (Content-Length bodies)."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no complete header block in %r" % data[:200])
    lines = head.decode("iso-8859-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    pairs = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        pairs.append((k.strip(), v.strip()))
    headers = Headers(pairs)
    cl = headers.get("Content-Length")
    if cl is not None:
        body = body[:int(cl)]
    return make_response(status, pairs, body)


# -- MANT: the checklist items it derives --------------------------------------

# A complete MANT form (PUT /api/v1/opportunities/{id}/mant).
MANT_COMPLETE = {"money": {"budget": 720000000, "source": "财政拨款", "approved": True,
                           "in_place": True},
                 "needs": ["内外网隔离", "无线全覆盖", "等保三级"],
                 "time": {"tender_month": "2027-01", "go_live": "2027-06-30"}}

# The buying roles MANT's authority needs, one contact each.
MANT_ROLES = ("approver", "decision_maker", "evaluator", "coach")


def satisfy_mant(server, opp, user=None):
    """Completes MANT of an opportunity (a record or an id) on server: one
    contact of each buying role MANT_ROLES on its account, and the complete
    MANT form. The checklist items of framework MANT (derived: true) are then
    done. Does nothing when MANT is complete already. Returns the form."""
    opp_id = opp if isinstance(opp, str) else opp["id"]
    url = "/api/v1/opportunities/%s/mant" % opp_id
    form = server.get(url)
    if form.status != 200:
        raise AssertionError("MANT form: %r" % (form,))
    if form.json["result"] and form.json["result"].get("complete") is True:
        return form.json
    o = server.get("/api/v1/opportunities/" + opp_id)
    if o.status != 200:
        raise AssertionError("opportunity: %r" % (o,))
    for role in MANT_ROLES:
        r = server.post("/api/v1/contacts", {"account_id": o.json["account_id"],
                                             "name": "决策圈 %s %s" % (role, opp_id),
                                             "buying_role": role})
        if r.status != 201:
            raise AssertionError("contact %s: %r" % (role, r))
    headers = server.staff(user) if user is not None else None
    r = server.request("PUT", url, body=MANT_COMPLETE, headers=headers)
    if r.status != 200 or r.json["result"].get("complete") is not True:
        raise AssertionError("MANT form not complete: %r" % (r,))
    return r.json


# Complete answers of the forms other derived checklist items read.
W5P2_COMPLETE = {"motive": "旧系统无法支撑集团化管控", "decision_maker": "分管副总，本人支持",
                 "process": "信息中心评估，总经理办公会决策", "needs": "财务业务一体化",
                 "competitors": "两家国内厂商", "budget": "约 800 万，已列入年度预算",
                 "timetable": "2027 年 6 月上线"}
CE_COMPLETE = {"what": "集团要求明年起统一财务核算", "by_when": "2027-01-01",
               "consequence": "逾期将无法按期出具 2027 年合并报表"}
EVALUATION_MAN = {"money": {"answer": "yes"}, "authority": {"answer": "yes"},
                  "need": {"answer": "yes"}}


def satisfy_forms(server, opp, user=None, frameworks=("5W2P", "CE", "MAN")):
    """Fills the forms the derived checklist items of frameworks read: 5W+2P
    and the compelling event complete; for MAN, the evaluation's M, A and N
    answered and, when none is chosen or it is below, the sales mode the
    evaluation recommends."""
    opp_id = opp if isinstance(opp, str) else opp["id"]
    url = "/api/v1/opportunities/" + opp_id
    headers = server.staff(user) if user is not None else None
    for framework, form, body in (("5W2P", "5w2p", W5P2_COMPLETE),
                                  ("CE", "compelling-event", CE_COMPLETE),
                                  ("MAN", "evaluation", EVALUATION_MAN)):
        if framework not in frameworks:
            continue
        if framework == "CE":  # the first of the playbook's patterns, when it names some
            pb = server.get("/api/v1/playbooks/" + server.get(url).json["playbook"]).json
            body = dict(body, **({"pattern": pb["ce_patterns"][0]["id"]}
                                 if pb.get("ce_patterns") else {}))
        r = server.request("PUT", "%s/%s" % (url, form), body=body, headers=headers)
        if r.status != 200:
            raise AssertionError("%s form: %r" % (form, r))
    if "MAN" not in frameworks:
        return
    mode = r.json["result"]["recommended_mode"]
    o = server.get(url).json
    if o.get("sales_mode") is None or r.json["result"]["warning"]:  # none, or below it
        r = server.request("PATCH", url, body={"sales_mode": mode},
                           headers=dict(headers or {}, **{"If-Match": '"%d"' % o["version"]}))
        if r.status != 200:
            raise AssertionError("sales mode: %r" % (r,))


def satisfy_sources(server, opp_id, sources):
    """Fills what the derived items of sources ("profile", "contacts",
    "tender") read: the account's facts and profile; a decision maker with a
    phone; the tender record with its method and a won award."""
    opp = server.get("/api/v1/opportunities/" + opp_id).json
    acc_url = "/api/v1/accounts/" + opp["account_id"]
    if "profile" in sources:
        acc = server.get(acc_url).json
        r = server.request("PATCH", acc_url, body={
            "employees": 800, "annual_revenue": 50000000000, "gross_profit": 6000000000,
            "ownership": "private",
            "business_type": "manufacture_sale", "existing_systems": "用友 U8 财务",
            "branches": 4}, headers={"If-Match": '"%d"' % acc["version"]})
        if r.status != 200:
            raise AssertionError("account facts: %r" % (r,))
        r = server.request("PUT", acc_url + "/profile", body={"purchase_plan": "within_year"})
        if r.status != 200:
            raise AssertionError("profile: %r" % (r,))
    if "contacts" in sources:
        r = server.post("/api/v1/contacts", {"account_id": opp["account_id"], "name": "决策人",
                                             "buying_role": "decision_maker",
                                             "phone": "13800000000"})
        if r.status != 201:
            raise AssertionError("contact: %r" % (r,))
    if "tender" in sources:
        r = server.request("PUT", "/api/v1/opportunities/%s/tender" % opp_id,
                           body={"procurement_method": "public_tender", "result": "won"})
        if r.status != 200:
            raise AssertionError("tender: %r" % (r,))
    if "contract" in sources:
        sign_contract(server, opp_id)


def sign_contract(server, opp_id):
    """Gives the deal an archived contract whose first payment arrived: a
    quotation (as the admin, approved at once) sent and accepted, and its
    contract signed, filed and paid 30 % up front. Nothing when the deal has
    such a contract already."""
    for c in server.get("/api/v1/opportunities/%s/contracts" % opp_id).json["items"]:
        if c["archived"] and c["plan"]["first_payment_received"]:
            return c
    q = server.post("/api/v1/opportunities/%s/quotations" % opp_id, {"lines": [
        {"name": "软件许可", "unit_price": 10000000, "quantity": 1}]})
    if q.status != 201:
        raise AssertionError("quotation: %r" % (q,))
    q = q.json
    for what, body in (("submit", None), ("status", {"status": "sent"}),
                       ("status", {"status": "accepted"})):
        r = server.request("POST", "/api/v1/quotations/%s/%s" % (q["id"], what), body=body,
                           headers={"If-Match": '"%d"' % q["version"]})
        if r.status != 200:
            raise AssertionError("quotation %s: %r" % (what, r))
        q = r.json
    today = datetime.date.today().isoformat()
    r = server.post("/api/v1/quotations/%s/contract" % q["id"], {
        "signed_on": today, "archived_on": today, "party_b": "本公司",
        "milestones": [{"name": "首期款", "percent": 30, "received_on": today},
                       {"name": "验收款", "percent": 60}, {"name": "尾款", "percent": 10}]})
    if r.status != 201:
        raise AssertionError("contract: %r" % (r,))
    return r.json


def pass_proposal_review(server, opp_id):
    """Marks every proposal defect of the deal's playbook absent and has the
    release approved (asked by the admin, who decides it at once)."""
    opp = server.get("/api/v1/opportunities/" + opp_id).json
    pb = server.get("/api/v1/playbooks/" + opp["playbook"]).json
    url = "/api/v1/opportunities/%s/proposal-review" % opp_id
    v = server.get(url).json["version"]
    r = server.request("PUT", url, body={"defects": {d["id"]: {"absent": True}
                                                     for d in pb["proposal_defects"]}},
                       headers={"If-Match": '"%d"' % v})
    if r.status != 200 or not r.json["result"]["passed"]:
        raise AssertionError("proposal review: %r" % (r,))
    r = server.post("/api/v1/opportunities/%s/approvals" % opp_id,
                    {"kind": "proposal_release", "reason": "评审通过"})
    if r.status != 201 or r.json["approval"]["state"] != "approved":
        raise AssertionError("proposal release: %r" % (r,))


def confirm_buying_conditions(server, opp_id, evidence="已与客户逐项确认"):
    """Marks every buying condition of the deal's playbook met."""
    opp = server.get("/api/v1/opportunities/" + opp_id).json
    pb = server.get("/api/v1/playbooks/" + opp["playbook"]).json
    url = "/api/v1/opportunities/%s/buying-conditions" % opp_id
    v = server.get(url).json["version"]
    r = server.request("PUT", url, body={"conditions": {
        c["id"]: {"met": True, "evidence": evidence} for c in pb["buying_conditions"]}},
        headers={"If-Match": '"%d"' % v})
    if r.status != 200 or not r.json["result"]["passed"]:
        raise AssertionError("buying conditions: %r" % (r,))


def win_deal(server, opp_id):
    """Wins the deal the only way one is won: a manager's overrides up to its
    winning stage, that stage's gate met (its tickable items, the sources its
    derived ones read, its decisions answered yes), then the last advance.
    Returns the deal as the advance answers it."""
    url = "/api/v1/opportunities/" + opp_id
    while not server.get(url + "/next").json["wins"]:
        r = server.post(url + "/advance", {"override": True, "reason": "经理批准推进"})
        if r.status != 200:
            raise AssertionError("advance: %r" % (r,))
    c = server.get(url + "/checklist").json
    for i in c["items"]:
        if i["gate"] and not i["done"] and not i["derived"]:
            body = {"done": True, "evidence": "已完成"}
            if i.get("requires_document"):
                body["document_id"] = keep_document(server, opp_id, i["id"])
            r = server.request("PUT", "%s/checklist/%s" % (url, i["id"]), body=body)
            if r.status != 200:
                raise AssertionError("tick %s: %r" % (i["id"], r))
    sources = {i.get("derived_from") for i in c["items"]} & {"profile", "contacts", "tender",
                                                              "contract"}
    if sources:  # the tender's award, the contract's first payment, where the gate reads them
        satisfy_sources(server, opp_id, sources)
    for d in c["decisions"]:
        if d["answer"] != "yes":
            r = server.post("%s/decisions/%s" % (url, d["id"]), {"answer": "yes"})
            if r.status != 200:
                raise AssertionError("decision %s: %r" % (d["id"], r))
    r = server.post(url + "/advance", {"note": "客户签约"})
    if r.status != 200 or r.json["status"] != "won":
        raise AssertionError("win: %r" % (r,))
    return r.json


def keep_document(server, opp_id, name, category="proposal"):
    """Uploads a small PDF named name.pdf to the deal (as the admin): its id."""
    r = server.request("POST", "/api/v1/opportunities/%s/documents?name=%s.pdf&category=%s" %
                       (opp_id, name, category), raw=b"%PDF-1.4\n%%EOF\n",
                       headers={"Content-Type": "application/pdf"})
    if r.status != 201:
        raise AssertionError("document: %r" % (r,))
    return r.json["id"]


def meet_gate(server, opp, evidence="已核实", user=None, ticked=None):
    """Meets the gate items of the opportunity's current stage on server:
    ticks each gate item not done (with evidence, as user), skipping the
    derived ones (derived: true, not tickable by hand); if any of these is not
    done, completes MANT once (satisfy_mant). Decisions are left alone.
    Appends the ids ticked to the list ticked when given. Returns the
    checklist before."""
    opp_id = opp if isinstance(opp, str) else opp["id"]
    url = "/api/v1/opportunities/%s/checklist" % opp_id
    headers = server.staff(user) if user is not None else None
    c = server.get(url, headers=headers)  # what user may tick
    if c.status != 200:
        raise AssertionError("checklist: %r" % (c,))
    derived_open = set()  # the frameworks of the derived items not met
    for item in c.json["items"]:
        if not item["gate"] or item["done"]:
            continue
        if item.get("derived_from") == "proposal-review":
            pass_proposal_review(server, opp_id)
            continue
        if item.get("derived_from") == "buying-conditions":
            confirm_buying_conditions(server, opp_id)
            continue
        if item.get("derived_from") in ("profile", "contacts", "tender", "contract"):
            satisfy_sources(server, opp_id, [item["derived_from"]])
            continue
        if item.get("derived"):
            derived_open.add(item["framework"])
            continue
        text = evidence(item["id"]) if callable(evidence) else evidence
        # user ticks what they own; someone who plays the owner the rest
        h = headers if headers is None or item.get("may_tick") \
            else server.owner_headers(item.get("owner"))
        body = {"done": True, "evidence": text}
        if item.get("requires_document"):
            body["document_id"] = keep_document(server, opp_id, item["id"])
        r = server.request("PUT", "%s/%s" % (url, item["id"]), body=body, headers=h)
        if r.status != 200:
            raise AssertionError("tick %s: %r" % (item["id"], r))
        if ticked is not None:
            ticked.append(item["id"])
    if "MANT" in derived_open:
        satisfy_mant(server, opp_id, user=user)
    if derived_open - {"MANT"}:
        satisfy_forms(server, opp_id, user=user, frameworks=derived_open)
    return c.json


class ServerTestCase(unittest.TestCase):
    """A TestCase with one server for the whole class (setUpClass)."""

    demo = False
    server_args = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = BingfaServer(demo=cls.demo, extra_args=cls.server_args)
        try:
            cls.server.start()
        except Exception:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop(check=True)
        finally:
            cls.server.cleanup()
            super().tearDownClass()

    # -- request short-hands --------------------------------------------------

    def request(self, *a, **kw):
        return self.server.request(*a, **kw)

    def get(self, path, **kw):
        return self.server.get(path, **kw)

    def post(self, path, body=None, **kw):
        return self.server.post(path, body, **kw)

    def patch(self, path, body, version=None, **kw):
        return self.server.patch(path, body, version, **kw)

    def delete(self, path, version=None, **kw):
        return self.server.delete(path, version, **kw)

    # -- record helpers -------------------------------------------------------

    _counter = 0

    @classmethod
    def unique(cls, prefix="t"):
        ServerTestCase._counter += 1
        return "%s-%d-%d" % (prefix, os.getpid(), ServerTestCase._counter)

    def create(self, resource, body, status=201):
        r = self.post("/api/v1/" + resource, body)
        self.assertEqual(r.status, status, r)
        return r.json

    def make_account(self, **fields):
        body = {"name": fields.pop("name", "测试客户 " + self.unique("acc"))}
        body.update(fields)
        return self.create("accounts", body)

    def make_contact(self, account_id, **fields):
        body = {"account_id": account_id, "name": fields.pop("name", "张三 " + self.unique("c"))}
        body.update(fields)
        return self.create("contacts", body)

    def make_opportunity(self, account_id, **fields):
        body = {"account_id": account_id,
                "name": fields.pop("name", "网络改造项目 " + self.unique("opp"))}
        body.update(fields)
        return self.create("opportunities", body)

    def count(self, resource, query=""):
        """Number of records of a list query, paging through all pages."""
        return len(self.list_all(resource, query))

    def list_all(self, resource, query="", limit=200):
        items = []
        cursor = None
        sep = "&" if query else ""
        for _ in range(10000):
            path = "/api/v1/%s?%s%slimit=%d" % (resource, query, sep, limit)
            if cursor:
                path += "&cursor=" + cursor
            r = self.get(path)
            self.assertEqual(r.status, 200, r)
            items.extend(r.json["items"])
            cursor = r.json["next_cursor"]
            if not cursor:
                return items
        self.fail("list did not end")

    def manager_headers(self):
        """Headers acting as a manager of the admin's team."""
        return self.server.auth("经理", role="manager")

    def satisfy_mant(self, opp, user=None):
        """Completes MANT of opp: see the module's satisfy_mant."""
        return satisfy_mant(self.server, opp, user=user)

    def satisfy_forms(self, opp, user=None, frameworks=("5W2P", "CE", "MAN")):
        """Fills the 5W+2P, CE and evaluation forms: the module's satisfy_forms."""
        return satisfy_forms(self.server, opp, user=user, frameworks=frameworks)

    def meet_gate(self, opp, evidence="已核实", user=None, ticked=None):
        """Meets the gate items of opp's stage: see the module's meet_gate."""
        return meet_gate(self.server, opp, evidence=evidence, user=user, ticked=ticked)

    # -- the sales tools' forms -------------------------------------------------

    FORM_KEYS = {"form", "owner", "owner_id", "data", "version", "updated_at", "updated_by",
                 "result"}
    # The worksheets that show the deal's shared facts answer them too.
    FACTS_FORMS = {"evaluation", "mant", "5w2p"}

    def form_keys(self, answer):
        if answer.get("form") in self.FACTS_FORMS:
            return self.FORM_KEYS | {"facts"}
        return self.FORM_KEYS

    def form_url(self, owner, form):
        """The form's path; owner is a record (an opportunity, or an account
        for the profile)."""
        kind = "opportunities" if owner["id"].startswith("opp_") else "accounts"
        return "/api/v1/%s/%s/%s" % (kind, owner["id"], form)

    def get_form(self, url):
        r = self.get(url)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json), self.form_keys(r.json), r)
        self.assertETag(r, r.json["version"])
        return r.json

    def put_form(self, url, body, version=None, user=None, status=200):
        """PUT of a form (If-Match when version is given); returns the answer's
        JSON after checking its status (and, on success, shape and ETag)."""
        headers = {}
        if version is not None:
            headers["If-Match"] = '"%s"' % version
        if user is not None:
            headers.update(self.server.staff(user))
        r = self.request("PUT", url, body=body, headers=headers)
        self.assertEqual(r.status, status, r)
        if status == 200:
            self.assertEqual(set(r.json), self.form_keys(r.json), r)
            self.assertETag(r, r.json["version"])
        return r.json

    def assertRefused(self, url, body, field, code=None, status=422, headers=None):
        """A PUT of body is refused naming field, and the form is as it was."""
        before = self.get(url)
        self.assertEqual(before.status, 200, before)
        r = self.request("PUT", url, body=body, headers=headers)
        err = self.assertError(r, status, code, field)
        after = self.get(url)
        self.assertEqual(after.json, before.json, "a refused PUT changed the form")
        self.assertEqual(after.headers.get("ETag"), before.headers.get("ETag"))
        return err

    # -- assertions -----------------------------------------------------------

    def assertError(self, resp, status, code=None, field=None):
        """resp is an error with the right envelope, status, code and field."""
        self.assertEqual(resp.status, status, resp)
        self.assertErrorEnvelope(resp)
        err = resp.json["error"]
        if code is not None:
            self.assertEqual(err["code"], code, resp)
        if field is not None:
            self.assertEqual(err["field"], field, resp)
        return err

    def assertErrorEnvelope(self, resp):
        self.assertIsNotNone(resp.json, "error body is not JSON: %r" % (resp.raw,))
        self.assertIsInstance(resp.json, dict, resp)
        self.assertIn("error", resp.json, resp)
        err = resp.json["error"]
        self.assertIsInstance(err, dict, resp)
        for key in ("code", "message", "field"):
            self.assertIn(key, err, resp)
            self.assertIsInstance(err[key], str, resp)
        self.assertTrue(err["code"], resp)
        self.assertTrue(err["message"], resp)
        ctype = resp.headers.get("Content-Type", "")
        self.assertTrue(ctype.startswith("application/json"), ctype)

    def assertETag(self, resp, version):
        self.assertEqual(resp.headers.get("ETag"), '"%d"' % version, resp.headers)


BUILTIN_PLAYBOOKS = ["ruijie-6", "uss-5", "huayu-5", "yonyou-7", "project-8"]


def builtin_documents(server):
    """The documents of the five built-in playbooks, by id, as the server serves them."""
    docs = {}
    for pid in BUILTIN_PLAYBOOKS:
        r = server.get("/api/v1/playbooks/" + pid)
        if r.status != 200:
            raise RuntimeError("playbook %s: %r" % (pid, r))
        docs[pid] = r.json
    return docs
