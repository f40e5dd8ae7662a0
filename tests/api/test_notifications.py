"""Notifications (通知) through the real server: the events of the app in
the inboxes of those they are for and nobody else's, read and unread; the
periodic job (`bingfa notify run --now`) that tells of stalled deals, visits
tomorrow and tender dates near, once however often it runs; and the group
robots' webhooks (企业微信, 钉钉) posted to a receiver on loopback by the
server's sender thread — both formats, DingTalk's signature checked, a
failing robot tried again after the backoff, a slow one never holding a
request up."""

import base64
import datetime
import hashlib
import hmac
import json
import subprocess
import threading
import time
import unittest
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bingfa_server import ADMIN_NAME, ServerTestCase, bingfa_bin, run_cli, win_deal

WAN = 1_000_000  # 一万元 in fen
CHINA = datetime.timezone(datetime.timedelta(hours=8))


class Receiver:
    """A robot on loopback: records every POST (path, query, JSON body, when)
    and answers as the behaviour of its path says: a function of how many
    posts the path had before, giving (status, body, seconds to wait)."""

    def __init__(self):
        self.posts = []
        self.behaviours = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                url = urllib.parse.urlsplit(self.path)
                with outer.lock:
                    before = sum(1 for p in outer.posts if p["path"] == url.path)
                    outer.posts.append({"path": url.path, "query": urllib.parse.parse_qs(url.query),
                                        "body": json.loads(raw.decode("utf-8")),
                                        "type": self.headers.get("Content-Type"),
                                        "at": time.monotonic()})
                behave = outer.behaviours.get(url.path, lambda n: (200, {"errcode": 0}, 0))
                status, body, wait = behave(before)
                if wait:
                    time.sleep(wait)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.httpd.server_address[1], path)

    def at(self, path):
        with self.lock:
            return [p for p in self.posts if p["path"] == path]

    def wait_for(self, path, n=1, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.at(path)
            if len(got) >= n:
                return got
            time.sleep(0.1)
        raise AssertionError("%s: %d posts, not %d: %r" % (path, len(self.at(path)), n,
                                                           self.posts))

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def fails_then_ok(failures, failure):
    """A robot that answers failure failures times, then errcode 0."""
    return lambda n: failure if n < failures else (200, {"errcode": 0, "errmsg": "ok"}, 0)


class NotificationsBase(ServerTestCase):
    """Teams, people, a customer and a robots' receiver, and the helpers the
    tests of notifications share."""

    # The job runs when a test says (`bingfa notify run`); a robot that fails
    # is tried again after 1, 1 and 1 second, then given up.
    server_args = ("--notify-interval", "0", "--webhook-retry", "1,1,1", "--webhook-timeout", "8")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        hq = s.post("/api/v1/teams", {"name": "通知总部"}).json
        east = s.post("/api/v1/teams", {"name": "通知华东", "parent_id": hq["id"]}).json
        west = s.post("/api/v1/teams", {"name": "通知华西", "parent_id": hq["id"]}).json
        cls.teams = {"hq": hq, "east": east, "west": west}
        for name, role, team in (("ntf.hq", "manager", hq), ("ntf.east.m", "manager", east),
                                 ("ntf.east.s", "sales", east), ("ntf.east.c", "consultant", east),
                                 ("ntf.west.m", "manager", west), ("ntf.west.s", "sales", west)):
            s.make_user(name, role=role, team_id=team["id"])
        s.make_user("ntf.impl", role="implementation", team_id=None)
        cls.account = s.post("/api/v1/accounts", {"name": "通知测试客户"}).json
        cls.receiver = Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.receiver.close()
        super().tearDownClass()

    def setUp(self):
        self.request("PUT", "/api/v1/settings/approvals", body={"levels_from": [0]})

    # -- helpers -------------------------------------------------------------------------

    def h(self, name):
        return self.server.auth(name)

    def deal(self, owner="ntf.east.s", amount=50 * WAN, name=None, **fields):
        body = {"account_id": self.account["id"], "name": name or self.unique("通知商机"),
                "playbook": "uss-5", "owner_id": self.server.user_id(owner), "amount": amount}
        body.update(fields)
        return self.create("opportunities", body)

    def ask(self, opp, user="ntf.east.s", kind="override", expect=201, **body):
        body.setdefault("reason", "客户已口头确认")
        r = self.post("/api/v1/opportunities/%s/approvals" % opp["id"], dict(body, kind=kind),
                      headers=self.h(user))
        self.assertEqual(r.status, expect, r)
        return r.json

    def inbox(self, user, query=""):
        r = self.get("/api/v1/notifications?limit=100" + query, headers=self.h(user))
        self.assertEqual(r.status, 200, r)
        return r.json

    def of(self, user, kind, record_id=None):
        return [n for n in self.inbox(user)["items"] if n["kind"] == kind and
                (record_id is None or n["record_id"] == record_id)]

    def unread(self, user):
        r = self.get("/api/v1/notifications/count", headers=self.h(user))
        self.assertEqual(r.status, 200, r)
        return r.json["unread"]

    def webhook(self, path, kind="wecom", events=("approval_waiting",), **fields):
        body = {"name": self.unique("机器人"), "kind": kind, "url": self.receiver.url(path),
                "events": list(events)}
        body.update(fields)
        r = self.post("/api/v1/webhooks", body)
        self.assertEqual(r.status, 201, r)
        self.addCleanup(lambda: self.delete("/api/v1/webhooks/" + r.json["id"],
                                            version=self.get("/api/v1/webhooks/" +
                                                             r.json["id"]).json["version"]))
        return r.json

    def deliveries(self, hook):
        r = self.get("/api/v1/webhooks/%s/deliveries" % hook["id"])
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def wait_delivery(self, hook, state, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            items = self.deliveries(hook)
            if items and items[0]["state"] == state:
                return items[0]
            time.sleep(0.2)
        raise AssertionError("no delivery %s: %r" % (state, self.deliveries(hook)))

    def run_job(self, now, check=True):
        r = run_cli("notify", "run", "--db", self.server.db, "--now", now)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
            return json.loads(r.stdout)
        return r


class NotificationsTest(NotificationsBase):

    # -- events in the inboxes -------------------------------------------------------------

    def test_an_approval_waits_in_its_deciders_inbox_and_a_refusal_goes_back(self):
        opp = self.deal(name="华东医院网络改造")
        before = {u: self.unread(u) for u in ("ntf.east.m", "ntf.west.m", "ntf.hq", "ntf.east.s")}
        a = self.ask(opp)["approval"]
        waiting = self.of("ntf.east.m", "approval_waiting", a["id"])
        self.assertEqual(len(waiting), 1, self.inbox("ntf.east.m"))
        n = waiting[0]
        self.assertEqual((n["opportunity_id"], n["deal_name"], n["record_type"], n["read"],
                          n["hidden"]), (opp["id"], "华东医院网络改造", "approval", False, False))
        self.assertEqual((n["params"]["approval_kind"], n["params"]["level"],
                          n["params"]["requested_by"]), ("override", 1, "ntf.east.s"))
        self.assertEqual(self.unread("ntf.east.m"), before["ntf.east.m"] + 1)
        # Nobody else: another team's manager, the manager above (the inbox
        # of approvals is the owner's team's), the requester.
        for other in ("ntf.west.m", "ntf.hq", "ntf.east.s"):
            self.assertEqual(self.of(other, "approval_waiting", a["id"]), [])
            self.assertEqual(self.unread(other), before[other])
        # A request that fails writes nothing: a second one of the kind is refused.
        self.ask(opp, expect=409)
        self.assertEqual(len(self.of("ntf.east.m", "approval_waiting")),
                         len([x for x in self.inbox("ntf.east.m")["items"]
                              if x["kind"] == "approval_waiting"]))
        self.assertEqual(self.unread("ntf.east.m"), before["ntf.east.m"] + 1)
        # The manager refuses: who asked is told, with the comment; not the manager.
        r = self.post("/api/v1/approvals/%s/reject" % a["id"], {"comment": "材料不全"},
                      headers=self.h("ntf.east.m"))
        self.assertEqual(r.status, 200, r)
        refused = self.of("ntf.east.s", "gate_refused", a["id"])
        self.assertEqual(len(refused), 1)
        self.assertEqual((refused[0]["params"]["comment"], refused[0]["params"]["decided_by"]),
                         ("材料不全", "ntf.east.m"))
        self.assertEqual(self.of("ntf.east.m", "gate_refused", a["id"]), [])

    def test_a_refused_early_close_asked_by_a_consultant_tells_the_owner_too(self):
        opp = self.deal()
        r = self.request("PUT", "/api/v1/opportunities/%s/team/%s" % (
            opp["id"], self.server.user_id("ntf.east.c")), body={"role": "consultant"})
        self.assertIn(r.status, (200, 201), r)
        a = self.ask(opp, user="ntf.east.c", kind="close", status="abandoned")["approval"]
        r = self.post("/api/v1/approvals/%s/reject" % a["id"], {"comment": "继续跟进"},
                      headers=self.h("ntf.east.m"))
        self.assertEqual(r.status, 200, r)
        for user in ("ntf.east.c", "ntf.east.s"):
            self.assertEqual(len(self.of(user, "gate_refused", a["id"])), 1, user)

    def test_the_next_level_is_told_once_the_first_approves(self):
        self.request("PUT", "/api/v1/settings/approvals", body={"levels_from": [0, 100 * WAN]})
        opp = self.deal(amount=500 * WAN)
        a = self.ask(opp)["approval"]
        self.assertEqual(a["levels"], 2)
        self.assertEqual(self.of("ntf.hq", "approval_waiting", a["id"]), [])
        r = self.post("/api/v1/approvals/%s/approve" % a["id"], {}, headers=self.h("ntf.east.m"))
        self.assertEqual(r.status, 200, r)
        up = self.of("ntf.hq", "approval_waiting", a["id"])
        self.assertEqual([(n["params"]["level"], n["params"]["levels"]) for n in up], [(2, 2)])

    def test_implementation_receives_the_handover_of_a_won_deal(self):
        opp = self.deal(owner="ntf.east.s")
        impl = self.server.user_id("ntf.impl", role="implementation")
        r = self.request("PUT", "/api/v1/opportunities/%s/team/%s" % (opp["id"], impl),
                         body={"role": "implementation"})
        self.assertIn(r.status, (200, 201), r)
        self.assertEqual(self.of("ntf.impl", "handover_received", opp["id"]), [])
        win_deal(self.server, opp["id"])
        got = self.of("ntf.impl", "handover_received", opp["id"])
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["opportunity_id"], opp["id"])
        self.assertEqual(self.of("ntf.east.s", "handover_received"), [])

    def test_read_one_read_all_and_only_ones_own(self):
        for _ in range(2):
            self.ask(self.deal())
        items = self.inbox("ntf.east.m", "&unread=1")["items"]
        self.assertTrue(items)
        first = items[0]
        count = self.unread("ntf.east.m")
        # Someone else's notification is not found, and stays unread.
        r = self.post("/api/v1/notifications/%s/read" % first["id"], headers=self.h("ntf.west.m"))
        self.assertEqual(r.status, 404, r)
        self.assertEqual(self.unread("ntf.east.m"), count)
        r = self.post("/api/v1/notifications/%s/read" % first["id"], headers=self.h("ntf.east.m"))
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["read"])
        self.assertEqual(self.unread("ntf.east.m"), count - 1)
        self.assertNotIn(first["id"],
                         [n["id"] for n in self.inbox("ntf.east.m", "&unread=1")["items"]])
        self.assertIn(first["id"], [n["id"] for n in self.inbox("ntf.east.m")["items"]])
        # Again: still read, nothing changes.
        r = self.post("/api/v1/notifications/%s/read" % first["id"], headers=self.h("ntf.east.m"))
        self.assertEqual(r.status, 200, r)
        r = self.post("/api/v1/notifications/read", headers=self.h("ntf.east.m"))
        self.assertEqual((r.status, r.json["unread"]), (200, 0), r)
        self.assertEqual(r.json["marked"], count - 1)
        self.assertEqual(self.unread("ntf.east.m"), 0)
        self.assertEqual(self.inbox("ntf.east.m", "&unread=1")["items"], [])
        # Bad parameters are named.
        for q, field in (("unread=2", "unread"), ("limit=0", "limit"), ("cursor=x", "cursor")):
            r = self.get("/api/v1/notifications?" + q, headers=self.h("ntf.east.m"))
            self.assertEqual((r.status, r.json["error"]["field"]), (422, field), r)

    def test_pages_newest_first(self):
        opps = [self.deal() for _ in range(3)]
        for o in opps:
            self.ask(o)
        seen, cursor = [], None
        for _ in range(20):
            r = self.get("/api/v1/notifications?limit=2" + ("&cursor=" + cursor if cursor else ""),
                         headers=self.h("ntf.east.m"))
            self.assertEqual(r.status, 200, r)
            seen += r.json["items"]
            cursor = r.json["next_cursor"]
            if not cursor:
                break
        keys = [(n["created_at"], n["id"]) for n in seen]
        self.assertEqual(keys, sorted(keys, reverse=True))
        self.assertEqual(len(set(keys)), len(keys))
        mine = {n["opportunity_id"] for n in seen}
        self.assertTrue({o["id"] for o in opps} <= mine)

    def test_a_deal_no_longer_seen_is_not_shown(self):
        opp = self.deal(owner="ntf.east.s", name="将被移交的商机")
        a = self.ask(opp)["approval"]
        self.assertEqual(self.of("ntf.east.m", "approval_waiting", a["id"])[0]["deal_name"],
                         "将被移交的商机")
        # The deal goes to another team: the east manager sees it no more.
        r = self.request("POST", "/api/v1/opportunities/%s/transfer" % opp["id"],
                         body={"owner_id": self.server.user_id("ntf.west.s"),
                               "reason": "调往华西"},
                         headers={"If-Match": '"%d"' % self.get(
                             "/api/v1/opportunities/" + opp["id"]).json["version"]})
        self.assertEqual(r.status, 200, r)
        hidden = [n for n in self.inbox("ntf.east.m")["items"] if n["hidden"]]
        self.assertTrue(hidden)
        for n in hidden:
            self.assertEqual((n["deal_name"], n["opportunity_id"], n["record_id"], n["params"]),
                             ("", None, None, {}))
        self.assertNotIn("将被移交的商机", json.dumps(self.inbox("ntf.east.m"), ensure_ascii=False))

    # -- the periodic job ------------------------------------------------------------------

    def test_the_job_tells_of_stalled_deals_visits_and_tenders_once(self):
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        opp = self.deal(owner="ntf.west.s", name="停滞的商机")
        # A visit tomorrow (China time), one the day after, one done.
        tomorrow = (now.astimezone(CHINA) + datetime.timedelta(days=1)).date()
        at = datetime.datetime.combine(tomorrow, datetime.time(10, 0), CHINA)
        visits = []
        for when, done in ((at, False), (at + datetime.timedelta(days=1), False), (at, True)):
            body = {"account_id": self.account["id"], "opportunity_id": opp["id"],
                    "type": "visit", "subject": self.unique("拜访"),
                    "planned_at": when.astimezone(datetime.timezone.utc).isoformat(),
                    "owner_id": self.server.user_id("ntf.west.s")}
            if done:
                body["done_at"] = body["planned_at"]
            visits.append(self.create("activities", body))
        # The tender's submission in two days, its opening in ten.
        today = now.astimezone(CHINA).date()
        r = self.request("PUT", "/api/v1/opportunities/%s/tender" % opp["id"], body={
            "dates": {"submission": str(today + datetime.timedelta(days=2)),
                      "opening": str(today + datetime.timedelta(days=10))}})
        self.assertEqual(r.status, 200, r)
        stamp = now.isoformat().replace("+00:00", "Z")
        first = self.run_job(stamp)
        self.assertGreaterEqual(first["visit_tomorrow"], 1)
        self.assertGreaterEqual(first["tender_near"], 1)
        seen = self.of("ntf.west.s", "visit_tomorrow")
        self.assertEqual([n["record_id"] for n in seen if n["opportunity_id"] == opp["id"]],
                         [visits[0]["id"]])
        self.assertEqual(seen[0]["params"]["date"], str(tomorrow))
        tender = [n for n in self.of("ntf.west.s", "tender_near") if n["opportunity_id"] == opp["id"]]
        self.assertEqual([(n["params"]["date_key"], n["params"]["days_left"]) for n in tender],
                         [("submission", 2)])
        # Again, and two at once (two servers on one database): nothing twice.
        self.assertEqual(self.run_job(stamp), {"deal_stalled": 0, "visit_tomorrow": 0,
                                               "tender_near": 0})
        procs = [subprocess.Popen([bingfa_bin(), "notify", "run", "--db", self.server.db,
                                   "--now", stamp], stdout=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outs = [json.loads(p.communicate(timeout=60)[0]) for p in procs]
        self.assertEqual(sum(o["visit_tomorrow"] + o["tender_near"] for o in outs), 0)
        self.assertEqual(len(self.of("ntf.west.s", "visit_tomorrow", visits[0]["id"])), 1)
        # Nobody else hears of them.
        self.assertEqual(self.of("ntf.east.s", "visit_tomorrow", visits[0]["id"]), [])
        # Thirty-one days on, the deal is stalled: its owner is told, once.
        later = (now + datetime.timedelta(days=31)).isoformat().replace("+00:00", "Z")
        self.assertGreaterEqual(self.run_job(later)["deal_stalled"], 1)
        self.assertEqual(self.run_job(later)["deal_stalled"], 0)
        stalled = self.of("ntf.west.s", "deal_stalled", opp["id"])
        self.assertEqual(len(stalled), 1)
        self.assertEqual((stalled[0]["params"]["days"], stalled[0]["deal_name"]), (30, "停滞的商机"))
        self.assertEqual(self.of("ntf.west.m", "deal_stalled", opp["id"]), [])
        # A moment that is not one is refused.
        bad = self.run_job("yesterday", check=False)
        self.assertEqual(bad.returncode, 2, bad)
        self.assertIn("now", bad.stderr)

    def test_the_settings_say_when(self):
        r = self.request("PUT", "/api/v1/settings/notifications",
                         body={"stalled_days": 400}, headers=self.h("ntf.east.m"))
        self.assertEqual(r.status, 403, r)
        r = self.request("PUT", "/api/v1/settings/notifications",
                         body={"public_url": "javascript:alert(1)"})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "public_url"), r)
        r = self.request("PUT", "/api/v1/settings/notifications", body={"stalled_days": 0})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "stalled_days"), r)
        r = self.request("PUT", "/api/v1/settings/notifications",
                         body={"public_url": "https://bingfa.example.com/", "stalled_days": 30,
                               "tender_days": 3})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.get("/api/v1/settings/notifications").json["tender_days"], 3)

    # -- the robots -----------------------------------------------------------------------

    def test_wecom_and_dingtalk_get_their_formats_signed_and_inert(self):
        self.request("PUT", "/api/v1/settings/notifications",
                     body={"public_url": "https://bingfa.example.com"})
        wecom = self.webhook("/wecom")
        secret = "SEC0123456789abcdef"
        ding = self.webhook("/ding?access_token=tok123", kind="dingtalk", secret=secret,
                            lang="en")
        # A webhook of the west team hears nothing of the east's deals.
        west = self.webhook("/west", team_id=self.teams["west"]["id"])
        opp = self.deal(name="医院[点我](http://evil.example)**改造**")
        started = time.monotonic()
        a = self.ask(opp)["approval"]
        self.assertLess(time.monotonic() - started, 5)
        w = self.receiver.wait_for("/wecom")[0]
        self.assertEqual(w["type"], "application/json; charset=utf-8")
        self.assertEqual(w["body"]["msgtype"], "markdown")
        content = w["body"]["markdown"]["content"]
        self.assertIn("审批待处理", content)
        self.assertIn("医院［点我］（http：//evil．example）＊＊改造＊＊", content)
        self.assertNotIn("(http://evil", content)
        self.assertIn("[在兵法中打开](https://bingfa.example.com/approvals)", content)
        self.assertNotIn(a["reason"], content)  # what was asked stays in the app
        d = self.receiver.wait_for("/ding")[0]
        md = d["body"]["markdown"]
        self.assertEqual((d["body"]["msgtype"], md["title"]), ("markdown", "Approval waiting"))
        self.assertIn("Deal: 医院［点我］", md["text"])
        # DingTalk's signature: base64(HMAC-SHA256(secret, timestamp + "\n" + secret)).
        self.assertEqual(d["query"]["access_token"], ["tok123"])
        ts = d["query"]["timestamp"][0]
        expected = base64.b64encode(hmac.new(secret.encode(), (ts + "\n" + secret).encode(),
                                             hashlib.sha256).digest()).decode()
        self.assertEqual(d["query"]["sign"], [expected])
        self.assertLess(abs(int(ts) / 1000 - time.time()), 60)
        self.assertEqual(self.wait_delivery(wecom, "delivered")["attempts"], 1)
        self.assertEqual(self.wait_delivery(ding, "delivered")["kind"], "approval_waiting")
        time.sleep(1.5)
        self.assertEqual(self.receiver.at("/west"), [])
        self.assertEqual(self.deliveries(west), [])
        # The WeCom robot has no secret: no signature on its address.
        self.assertNotIn("sign", w["query"])

    def test_a_failing_robot_is_tried_again_until_it_answers(self):
        self.receiver.behaviours["/flaky"] = fails_then_ok(2, (500, {"errcode": -1}, 0))
        self.receiver.behaviours["/busy"] = fails_then_ok(
            1, (200, {"errcode": 45009, "errmsg": "api freq out of limit"}, 0))
        self.receiver.behaviours["/down"] = lambda n: (503, {}, 0)
        flaky = self.webhook("/flaky")
        busy = self.webhook("/busy", kind="dingtalk")
        down = self.webhook("/down")
        self.ask(self.deal())
        got = self.receiver.wait_for("/flaky", 3)
        gaps = [b["at"] - a["at"] for a, b in zip(got, got[1:])]
        self.assertTrue(all(g >= 0.9 for g in gaps), gaps)  # the backoff's waits
        last = self.wait_delivery(flaky, "delivered")
        self.assertEqual((last["attempts"], last["last_error"]), (3, None))
        self.receiver.wait_for("/busy", 2)
        self.assertEqual(self.wait_delivery(busy, "delivered")["attempts"], 2)
        # Given up after the last wait, the error kept.
        gone = self.wait_delivery(down, "failed")
        self.assertEqual((gone["attempts"], gone["last_error"], gone["next_attempt_at"]),
                         (4, "HTTP 503", None))
        self.assertEqual(len(self.receiver.at("/down")), 4)

    def test_a_robot_disabled_meanwhile_is_sent_nothing_more(self):
        self.receiver.behaviours["/off"] = lambda n: (500, {}, 0)
        hook = self.webhook("/off")
        self.ask(self.deal())
        self.receiver.wait_for("/off")
        r = self.request("PUT", "/api/v1/webhooks/" + hook["id"],
                         body={"name": hook["name"], "kind": "wecom", "url": hook["url"],
                               "events": hook["events"], "enabled": False},
                         headers={"If-Match": '"%d"' % hook["version"]})
        self.assertEqual(r.status, 200, r)
        gone = self.wait_delivery(hook, "failed")
        self.assertEqual((gone["last_error"], gone["attempts"]), ("the webhook is disabled", 2))
        self.assertEqual(len(self.receiver.at("/off")), 1)
        # Nothing new is queued for it.
        self.ask(self.deal())
        time.sleep(1.5)
        self.assertEqual(len(self.deliveries(hook)), 1)

    def test_a_slow_robot_never_holds_a_request(self):
        self.receiver.behaviours["/slow"] = lambda n: (200, {"errcode": 0}, 4)
        self.webhook("/slow")
        opp = self.deal()
        started = time.monotonic()
        self.ask(opp)
        self.assertLess(time.monotonic() - started, 2.0)
        self.receiver.wait_for("/slow")
        # While the sender waits for the robot, requests are answered at once.
        started = time.monotonic()
        self.assertEqual(self.get("/api/v1/notifications/count",
                                  headers=self.h("ntf.east.m")).status, 200)
        self.assertLess(time.monotonic() - started, 2.0)

    def test_webhooks_are_an_admins_and_keep_their_secret(self):
        r = self.get("/api/v1/webhooks", headers=self.h("ntf.east.m"))
        self.assertEqual(r.status, 403, r)
        r = self.post("/api/v1/webhooks", {"name": "x", "kind": "wecom", "url": "http://a.b/c"},
                      headers=self.h("ntf.east.m"))
        self.assertEqual(r.status, 403, r)
        for body, field in (({"kind": "wecom", "url": "http://a.b/"}, "name"),
                            ({"name": "x", "kind": "slack", "url": "http://a.b/"}, "kind"),
                            ({"name": "x", "kind": "wecom", "url": "ftp://a.b/"}, "url"),
                            ({"name": "x", "kind": "wecom", "url": "http://a.b/(x)"}, "url"),
                            ({"name": "x", "kind": "wecom", "url": "http://a.b/",
                              "events": ["nope"]}, "events[0]"),
                            ({"name": "x", "kind": "wecom", "url": "http://a.b/",
                              "team_id": "team_nothere"}, "team_id")):
            r = self.post("/api/v1/webhooks", body)
            self.assertEqual((r.status, r.json["error"]["field"]), (422, field), r)
        hook = self.webhook("/kept", kind="dingtalk", secret="SECkeep", events=[])
        self.assertTrue(hook["secret_set"])
        self.assertNotIn("SECkeep", json.dumps(hook))
        self.assertNotIn("SECkeep", json.dumps(self.get("/api/v1/webhooks").json))
        url = "/api/v1/webhooks/" + hook["id"]
        body = {"name": "改名", "kind": "dingtalk", "url": hook["url"], "enabled": False}
        r = self.request("PUT", url, body=body)
        self.assertEqual(r.status, 428, r)
        r = self.request("PUT", url, body=body, headers={"If-Match": '"%d"' % hook["version"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["name"], r.json["secret_set"], r.json["enabled"]),
                         ("改名", True, False))
        r2 = self.request("PUT", url, body=body, headers={"If-Match": '"%d"' % hook["version"]})
        self.assertEqual(r2.status, 412, r2)
        r = self.request("PUT", url, body=dict(body, secret=None),
                         headers={"If-Match": '"%d"' % r.json["version"]})
        self.assertEqual((r.status, r.json["secret_set"]), (200, False), r)
        # A disabled robot still takes a test; it is posted within seconds.
        r = self.post(url + "/test")
        self.assertEqual((r.status, r.json["kind"], r.json["state"]), (202, "test", "queued"), r)
        got = self.receiver.wait_for("/kept")[0]
        self.assertIn("兵法测试消息", got["body"]["markdown"]["title"])
        self.assertIn("改名", got["body"]["markdown"]["text"])
        self.assertEqual(self.wait_delivery(hook, "delivered")["kind"], "test")
        self.assertEqual(self.post("/api/v1/webhooks/whk_nothere/test").status, 404)
        # The audit log keeps neither the address nor the secret.
        audit = self.get("/api/v1/audit?record_id=" + hook["id"]).json["items"]
        self.assertTrue(audit)
        self.assertNotIn("SECkeep", json.dumps(audit))
        self.assertNotIn("/kept", json.dumps(audit))


class ServeAddressTest(NotificationsBase):
    """Without the setting public_url, a robot's link starts with the address
    the server was started with (serve --public-url)."""

    server_args = NotificationsBase.server_args + ("--public-url", "https://crm.example.com")

    def test_a_robots_link_falls_back_to_the_servers_address(self):
        r = self.get("/api/v1/settings/notifications")
        self.assertIsNone(r.json.get("public_url"), r)
        self.webhook("/serve-address")
        self.ask(self.deal(name="服务地址商机"))
        content = self.receiver.wait_for("/serve-address")[0]["body"]["markdown"]["content"]
        self.assertIn("[在兵法中打开](https://crm.example.com/approvals)", content)


class JobThreadTest(ServerTestCase):
    """The server's own job thread, every second: a visit planned tomorrow
    reaches its owner without anyone running the job."""

    server_args = ("--notify-interval", "1")

    def test_the_server_runs_the_job(self):
        s = self.server
        acc = self.make_account()
        owner = s.user_id("job.owner")
        tomorrow = (datetime.datetime.now(CHINA) + datetime.timedelta(days=1)).date()
        at = datetime.datetime.combine(tomorrow, datetime.time(15, 30), CHINA)
        act = self.create("activities", {"account_id": acc["id"], "type": "visit",
                                         "subject": "明日拜访客户",
                                         "planned_at": at.astimezone(datetime.timezone.utc)
                                         .isoformat(), "owner_id": owner})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            items = self.get("/api/v1/notifications", headers=s.auth("job.owner")).json["items"]
            if any(n["record_id"] == act["id"] for n in items):
                break
            time.sleep(0.3)
        else:
            self.fail("no visit_tomorrow: %r" % items)
        n = [n for n in items if n["record_id"] == act["id"]][0]
        self.assertEqual((n["kind"], n["params"]["subject"], n["deal_name"]),
                         ("visit_tomorrow", "明日拜访客户", ""))


if __name__ == "__main__":
    unittest.main()
