"""Calendar feeds (日历订阅) through the real server: a user makes a feed, a
calendar program reads it without a session, and python3-icalendar parses
it — planned activities in Asia/Shanghai time, tender key dates as whole
days, user text escaped and long lines folded at 75 octets with CRLF, only
the deals the user sees; a new address ends the old one, revoking answers
404, and so does a password change."""

import datetime
import sys
import unittest

from bingfa_server import ServerTestCase

try:
    import icalendar
except ImportError:  # Debian's python3-icalendar, under another interpreter
    sys.path.append("/usr/lib/python3/dist-packages")
    import icalendar

PUBLIC = "https://crm.example.com"
FEED = "/api/v1/calendar/feed"
CHINA = datetime.timezone(datetime.timedelta(hours=8))
# An account name with every character TEXT escapes, and a line break.
TRICKY = "华夏医院, 北京; 分院\\二部\n门诊楼"
# A deal name long enough that its lines are folded, between Chinese characters.
LONG = "北京华夏医院信息化改造一期工程（含数据中心、网络与安全、运维服务）"
NO_SESSION = {"Authorization": None}


def utc_in(days, hour=2, minute=30):
    """A UTC time days from now at hour:minute, as the API writes times."""
    d = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return d.replace(hour=hour, minute=minute, second=0, microsecond=0)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def china_day_in(days):
    return (datetime.datetime.now(CHINA) + datetime.timedelta(days=days)).date()


class CalendarTest(ServerTestCase):

    server_args = ("--public-url", PUBLIC + "/")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s = cls.server
        cls.east = s.post("/api/v1/teams", {"name": "日历华东"}).json
        cls.west = s.post("/api/v1/teams", {"name": "日历华西"}).json
        cls.ann = s.auth("日历销售甲", role="sales", team_id=cls.east["id"])
        cls.ann_id = s.user_id("日历销售甲")
        cls.eve = s.auth("日历销售乙", role="sales", team_id=cls.west["id"])
        cls.eve_id = s.user_id("日历销售乙")
        acc = s.post("/api/v1/accounts", {"name": TRICKY, "owner_id": cls.ann_id}).json
        cls.acc = acc
        cls.deal = s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": LONG,
                                                    "owner_id": cls.ann_id}).json
        other = s.post("/api/v1/accounts", {"name": "西部客户", "owner_id": cls.eve_id}).json
        cls.hidden = s.post("/api/v1/opportunities", {"account_id": other["id"],
                                                      "name": "乙的保密商机",
                                                      "owner_id": cls.eve_id}).json
        cls.aside = s.post("/api/v1/opportunities", {"account_id": other["id"],
                                                     "name": "乙的合作商机",
                                                     "owner_id": cls.eve_id}).json
        r = s.request("PUT", "/api/v1/opportunities/%s/team/%s" % (cls.aside["id"], cls.ann_id),
                      body={"role": "consultant"})
        assert r.status in (200, 201, 204), r
        cls.lost = s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "日历已丢单",
                                                    "owner_id": cls.ann_id, "status": "lost",
                                                    "close_reason": "价格", "won_by": "对手"}).json
        assert "id" in cls.lost, cls.lost
        cls.qa, cls.submission = china_day_in(5), china_day_in(12)
        for deal in (cls.deal, cls.hidden, cls.aside, cls.lost):
            cls.put_tender(deal["id"], {"qa": cls.qa.isoformat(),
                                        "submission": cls.submission.isoformat()})
        # Planned activities of ann's: one in two days, one too far ahead,
        # one too long ago.
        cls.visit_at = utc_in(2)
        cls.visit = cls.activity(cls.ann, {"opportunity_id": cls.deal["id"], "type": "visit",
                                           "planned_at": iso(cls.visit_at),
                                           "subject": "方案交流",
                                           "purpose": "演示方案; 确认预算\n带上案例"})
        cls.far = cls.activity(cls.ann, {"account_id": acc["id"], "type": "call",
                                         "planned_at": iso(utc_in(400))})
        cls.old = cls.activity(cls.ann, {"account_id": acc["id"], "type": "meeting",
                                         "planned_at": iso(utc_in(-40))})
        # Eve's own visit never shows in ann's calendar.
        cls.eves = cls.activity(cls.eve, {"opportunity_id": cls.hidden["id"], "type": "visit",
                                          "planned_at": iso(utc_in(3))})

    @classmethod
    def put_tender(cls, deal_id, dates):
        r = cls.server.request("PUT", "/api/v1/opportunities/%s/tender" % deal_id,
                               body={"dates": dates})
        assert r.status == 200, r
        return r

    @classmethod
    def activity(cls, headers, body):
        r = cls.server.post("/api/v1/activities", body, headers=headers)
        assert r.status == 201, r
        return r.json

    def make_feed(self, headers):
        r = self.post(FEED, headers=headers)
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.json["active"])
        self.assertRegex(r.json["path"], r"^/api/v1/calendar/feed/bfc_[A-Za-z0-9_-]{43}\.ics$")
        self.assertEqual(r.json["url"], PUBLIC + r.json["path"])
        return r.json["path"]

    def fetch(self, path, status=200):
        r = self.get(path, headers=NO_SESSION)
        self.assertEqual(r.status, status, r)
        return r

    def calendar(self, path):
        r = self.fetch(path)
        self.assertEqual(r.headers["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn("no-store", r.headers["Cache-Control"])
        return r.raw, icalendar.Calendar.from_ical(r.raw)

    @staticmethod
    def events(cal):
        return {str(e["UID"]): e for e in cal.walk("VEVENT")}

    def assert_lines(self, raw):
        """CRLF at every line's end, no line over 75 octets, and no UTF-8
        character cut by a fold (each line decodes alone)."""
        self.assertTrue(raw.endswith(b"\r\n"))
        lines = raw[:-2].split(b"\r\n")
        for line in lines:
            self.assertNotIn(b"\n", line)
            self.assertNotIn(b"\r", line)
            self.assertLessEqual(len(line), 75, line)
            line.decode("utf-8")  # raises when a character was split
        self.assertTrue(any(line.startswith(b" ") for line in lines), "nothing was folded")
        return lines

    # -- the feed ---------------------------------------------------------------------

    def test_feed_of_visits_and_tender_dates(self):
        dan = self.server.auth("日历销售丙", role="sales", team_id=self.east["id"])
        self.assertEqual(self.get(FEED, headers=dan).json, {"active": False, "created_at": None})
        path = self.make_feed(self.ann)
        state = self.get(FEED, headers=self.ann)
        self.assertEqual(state.status, 200, state)
        self.assertTrue(state.json["active"])
        self.assertNotIn("path", state.json)  # the secret is shown once
        raw, cal = self.calendar(path)
        self.assert_lines(raw)
        self.assertEqual(str(cal["VERSION"]), "2.0")
        self.assertTrue(str(cal["PRODID"]))
        self.assertEqual(str(cal["CALSCALE"]), "GREGORIAN")
        self.assertEqual(str(cal["X-WR-CALNAME"]), "日历销售甲 · 兵法")
        self.assertEqual(str(cal["X-WR-TIMEZONE"]), "Asia/Shanghai")
        zones = cal.walk("VTIMEZONE")
        self.assertEqual([str(z["TZID"]) for z in zones], ["Asia/Shanghai"])
        standard = zones[0].walk("STANDARD")
        self.assertEqual(len(standard), 1)
        eight = datetime.timedelta(hours=8)
        self.assertEqual(standard[0].decoded("TZOFFSETFROM"), eight)
        self.assertEqual(standard[0].decoded("TZOFFSETTO"), eight)

        events = self.events(cal)
        visit = events[self.visit["id"] + "@bingfa"]
        self.assertEqual(str(visit["SUMMARY"]), "拜访：%s – %s" % (TRICKY, LONG))
        self.assertEqual(visit["DTSTART"].params["TZID"], "Asia/Shanghai")
        start = visit.decoded("DTSTART")
        self.assertEqual(start.replace(tzinfo=None),
                         self.visit_at.astimezone(CHINA).replace(tzinfo=None))
        self.assertEqual(start.astimezone(datetime.timezone.utc), self.visit_at)
        self.assertEqual(visit.decoded("DURATION"), datetime.timedelta(hours=1))
        self.assertEqual(visit.decoded("DTSTAMP").utcoffset(), datetime.timedelta(0))
        description = str(visit["DESCRIPTION"])
        self.assertIn("主题：方案交流", description)
        self.assertIn("目的：演示方案; 确认预算\n带上案例", description)
        self.assertEqual(str(visit["URL"]), PUBLIC + "/opportunities/" + self.deal["id"])
        # User text escaped in the file itself, and one line folded between
        # Chinese characters.
        text = raw.decode("utf-8")
        self.assertIn("华夏医院\\, 北京\\; 分院\\\\二部\\n门诊楼", text.replace("\r\n ", ""))
        self.assertIn("确认预算\\n带上案例", text.replace("\r\n ", ""))

        for kind, day, label in (("qa", self.qa, "答疑澄清"),
                                 ("submission", self.submission, "投标截止")):
            ev = events["%s-tender-%s@bingfa" % (self.deal["id"], kind)]
            self.assertEqual(str(ev["SUMMARY"]), "%s：%s" % (label, LONG))
            self.assertEqual(ev["DTSTART"].params.get("VALUE"), "DATE")
            self.assertEqual(ev.decoded("DTSTART"), day)
            self.assertEqual(ev.decoded("DTEND"), day + datetime.timedelta(days=1))
            self.assertEqual(str(ev["TRANSP"]), "TRANSPARENT")
            self.assertIn("客户：" + TRICKY, str(ev["DESCRIPTION"]))
            self.assertEqual(str(ev["URL"]), PUBLIC + "/opportunities/" + self.deal["id"])
        # The deal ann is on the team of shows; eve's own deal and visit do not.
        self.assertIn("%s-tender-submission@bingfa" % self.aside["id"], events)
        self.assertNotIn("%s-tender-submission@bingfa" % self.hidden["id"], events)
        self.assertNotIn("乙的保密商机", text)
        self.assertNotIn(self.eves["id"] + "@bingfa", events)
        # A lost deal's bid is no one's work any more.
        self.assertNotIn("%s-tender-submission@bingfa" % self.lost["id"], events)
        # Outside the window: too far ahead, too long ago.
        self.assertNotIn(self.far["id"] + "@bingfa", events)
        self.assertNotIn(self.old["id"] + "@bingfa", events)
        # The UIDs stay the same from one read to the next.
        _, again = self.calendar(path)
        self.assertEqual(set(self.events(again)), set(events))

    def test_english_titles(self):
        path = self.make_feed(self.ann)
        _, cal = self.calendar(path + "?lang=en")
        events = self.events(cal)
        self.assertEqual(str(events[self.visit["id"] + "@bingfa"]["SUMMARY"]),
                         "Visit: %s – %s" % (TRICKY, LONG))
        self.assertEqual(str(events["%s-tender-submission@bingfa" % self.deal["id"]]["SUMMARY"]),
                         "Bids due: " + LONG)

    def test_a_manager_sees_the_team_tree(self):
        top = self.post("/api/v1/teams", {"name": "日历大区"}).json
        self.patch("/api/v1/teams/" + self.west["id"], {"parent_id": top["id"]},
                   version=self.get("/api/v1/teams/" + self.west["id"]).json["version"])
        boss = self.server.auth("日历经理", role="manager", team_id=top["id"])
        events = self.events(self.calendar(self.make_feed(boss))[1])
        self.assertIn("%s-tender-qa@bingfa" % self.hidden["id"], events)
        self.assertNotIn("%s-tender-qa@bingfa" % self.deal["id"], events)  # east is not below
        self.assertNotIn(self.eves["id"] + "@bingfa", events)  # a visit is its owner's

    # -- what follows the deal --------------------------------------------------------

    def test_dates_follow_the_tender_form_and_the_owner(self):
        s = self.server
        acc = s.post("/api/v1/accounts", {"name": "日历转移客户", "owner_id": self.ann_id}).json
        deal = s.post("/api/v1/opportunities", {"account_id": acc["id"], "name": "日历转移商机",
                                                "owner_id": self.ann_id}).json
        self.activity(self.ann, {"opportunity_id": deal["id"], "type": "demo",
                                 "planned_at": iso(utc_in(4))})
        opening = china_day_in(20)
        self.put_tender(deal["id"], {"opening": opening.isoformat()})
        ann_feed, eve_feed = self.make_feed(self.ann), self.make_feed(self.eve)
        uid = "%s-tender-opening@bingfa" % deal["id"]
        self.assertEqual(self.events(self.calendar(ann_feed)[1])[uid].decoded("DTSTART"), opening)
        # Moved in the form: the calendar follows; taken out: gone.
        later = china_day_in(25)
        self.put_tender(deal["id"], {"opening": later.isoformat(), "award_notice":
                                     china_day_in(30).isoformat()})
        events = self.events(self.calendar(ann_feed)[1])
        self.assertEqual(events[uid].decoded("DTSTART"), later)
        self.assertIn("%s-tender-award_notice@bingfa" % deal["id"], events)
        # Transferred to eve: her calendar has it, ann's not; ann's own demo
        # stays hers, without the name of a deal she no longer sees.
        r = s.post("/api/v1/opportunities/%s/transfer" % deal["id"],
                   {"owner_id": self.eve_id, "reason": "区域调整"},
                   headers={"If-Match": '"%d"' % self.get(
                       "/api/v1/opportunities/" + deal["id"]).json["version"]})
        self.assertEqual(r.status, 200, r)
        ann_events = self.events(self.calendar(ann_feed)[1])
        self.assertNotIn(uid, ann_events)
        demo = [e for e in ann_events.values() if str(e["SUMMARY"]).startswith("演示")]
        self.assertEqual([str(e["SUMMARY"]) for e in demo], ["演示：日历转移客户"])
        self.assertNotIn("日历转移商机", str(demo[0].get("DESCRIPTION", "")))
        self.assertIn(uid, self.events(self.calendar(eve_feed)[1]))
        self.put_tender(deal["id"], {})
        self.assertNotIn(uid, self.events(self.calendar(eve_feed)[1]))

    # -- the secret -------------------------------------------------------------------

    def test_a_new_address_ends_the_old_and_revoking_ends_it(self):
        kim = self.server.auth("日历销售丁", role="sales", team_id=self.east["id"])
        first = self.make_feed(kim)
        self.calendar(first)
        second = self.make_feed(kim)
        self.assertNotEqual(first, second)
        gone = self.fetch(first, 404)
        self.calendar(second)
        # Unknown, malformed and revoked addresses answer alike.
        for path in (FEED + "/bfc_" + "A" * 43 + ".ics", FEED + "/nothing.ics",
                     FEED + "/" + second.rsplit("/", 1)[1][:-4], FEED + "/x"):
            r = self.fetch(path, 404)
            self.assertEqual(r.json, gone.json, path)
        self.assertEqual(self.delete(FEED, headers=kim).status, 204)
        self.assertEqual(self.fetch(second, 404).json, gone.json)
        self.assertEqual(self.get(FEED, headers=kim).json["active"], False)
        r = self.delete(FEED, headers=kim)
        self.assertEqual((r.status, r.json["error"]["code"]), (404, "not_found"))
        # Made and revoked are in the user's login entries.
        kim_id = self.server.user_id("日历销售丁")
        entries = self.get("/api/v1/audit?record_id=" + kim_id).json["items"]
        actions = [e["action"] for e in entries if "calendar_feed" in (e["new"] or {})]
        self.assertEqual(actions, ["token_revoke", "token_create", "token_create"])

    def test_a_password_change_revokes_the_feed(self):
        lee = self.server.auth("日历销售戊", role="sales", team_id=self.east["id"])
        path = self.make_feed(lee)
        lee_id = self.server.user_id("日历销售戊")
        r = self.request("PUT", "/api/v1/users/%s/password" % lee_id,
                         body={"password": "new-password-long-1"})
        self.assertEqual(r.status, 204, r)
        self.fetch(path, 404)
        entries = self.get("/api/v1/audit?record_id=%s&action=password_set" % lee_id).json
        self.assertEqual(entries["items"][0]["new"]["calendar_feeds_revoked"], 1)

    def test_a_deactivated_user_has_no_feed(self):
        s = self.server
        roy = s.auth("日历销售己", role="sales", team_id=self.east["id"])
        path = self.make_feed(roy)
        user = self.get("/api/v1/users/" + s.user_id("日历销售己")).json
        r = self.patch("/api/v1/users/" + user["id"], {"active": False}, version=user["version"])
        self.assertEqual(r.status, 200, r)
        self.fetch(path, 404)


if __name__ == "__main__":
    unittest.main()
