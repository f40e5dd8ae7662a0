"""Languages of messages: an error's message is Chinese for a request in
Chinese (Accept-Language zh*, or ?lang=zh, which wins) and English
otherwise, naming the field by its name in that language; the code and the
field of the error stay the same."""

import unittest

from bingfa_server import ServerTestCase

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


class MessagesTest(ServerTestCase):

    def both(self, method, path, body, status, code, field, headers=None):
        """The error in Chinese (by Accept-Language) and in English (by
        ?lang=en, over a Chinese Accept-Language): (zh message, en message)."""
        sep = "&" if "?" in path else "?"
        zh = self.request(method, path, body=body, headers=dict(ZH, **(headers or {})))
        en = self.request(method, path + sep + "lang=en", body=body,
                          headers=dict(ZH, **(headers or {})))
        zh_err = self.assertError(zh, status, code, field)
        en_err = self.assertError(en, status, code, field)
        return zh_err["message"], en_err["message"]

    def test_required_names_the_field_of_the_resource(self):
        zh, en = self.both("POST", "/api/v1/accounts", {}, 422, "required", "name")
        self.assertEqual(zh, "客户名称为必填项")
        self.assertIn("name", en)
        self.assertNotRegex(en, "[\u4e00-\u9fff]")
        acc = self.make_account()
        zh, en = self.both("POST", "/api/v1/opportunities", {"account_id": acc["id"], "name": ""},
                           422, "required", "name")
        self.assertEqual(zh, "商机名称为必填项")
        self.assertEqual(en, "name must have at least 1 characters")

    def test_too_long_and_too_short_give_the_limit(self):
        zh, en = self.both("POST", "/api/v1/accounts", {"name": "长" * 300}, 422, "too_long",
                           "name")
        self.assertEqual(zh, "客户名称过长（最多 200）")
        self.assertIn("at most 200", en)
        user = self.server.make_user(self.unique("pw"), role="sales")
        zh, en = self.both("PUT", "/api/v1/users/%s/password" % user["id"], {"password": "abc"},
                           422, "too_short", "password")
        self.assertEqual(zh, "密码至少需要 8 个字符")
        self.assertEqual(en, "the password must have at least 8 characters")

    def test_invalid_value(self):
        zh, en = self.both("POST", "/api/v1/accounts", {"name": self.unique("v"),
                                                        "ownership": "bogus"},
                           422, "invalid_value", "ownership")
        self.assertEqual(zh, "企业性质的取值无效")
        self.assertIn("ownership must be one of", en)

    def test_not_found(self):
        zh, en = self.both("GET", "/api/v1/accounts/acc_nope000", None, 404, "not_found", "")
        self.assertEqual(zh, "记录不存在或无权查看")
        self.assertNotRegex(en, "[\u4e00-\u9fff]")

    def test_forbidden(self):
        who = self.server.auth(self.unique("c"), role="consultant")
        zh, en = self.both("POST", "/api/v1/users", {"name": "x", "role": "sales"}, 403,
                           "forbidden", "", headers=who)
        self.assertEqual(zh, "您的角色无权执行此操作")
        self.assertEqual(en, "a consultant user may not create users")

    def test_stale_version(self):
        acc = self.make_account()
        url = "/api/v1/accounts/" + acc["id"]
        zh, en = self.both("PATCH", url, {"region": "华东"}, 412, "version_mismatch", "",
                           headers={"If-Match": '"9"'})
        self.assertEqual(zh, "记录已被他人修改，请重新读取后再保存")
        self.assertIn("changed by someone else", en)

    def test_query_lang_wins_over_accept_language(self):
        r = self.request("GET", "/api/v1/accounts?limit=0&lang=zh", headers=EN)
        self.assertEqual(self.assertError(r, 422, "out_of_range", "limit")["message"],
                         "每页条数超出允许范围")
        r = self.request("GET", "/api/v1/accounts?bogus=1&lang=zh")
        self.assertEqual(self.assertError(r, 422, "unknown_parameter", "bogus")["message"],
                         "不支持查询参数 bogus")
        r = self.request("GET", "/api/v1/accounts?bogus=1")  # no language: English
        self.assertEqual(self.assertError(r, 422, "unknown_parameter", "bogus")["message"],
                         "bogus is not a parameter of this list")

    def test_login_failure_in_chinese(self):
        r = self.request("POST", "/api/v1/session?lang=zh",
                         body={"name": "nobody", "password": "wrong-password"},
                         headers={"Authorization": None})
        err = self.assertError(r, 401, "invalid_credentials")
        self.assertEqual(err["message"], "用户名或密码错误")

    def test_the_records_of_a_refused_bulk_action_too(self):
        ghost = "opp_nosuchdeal000000000000"
        body = {"ids": [ghost], "action": "transfer",
                "owner_id": self.server.user_id(self.unique("bk")), "reason": "调整"}
        zh = self.request("POST", "/api/v1/opportunities/bulk", body=body, headers=ZH)
        self.assertError(zh, 422, "bulk_refused", "ids")
        self.assertEqual([(x["code"], x["message"]) for x in zh.json["records"]],
                         [("not_found", "记录不存在或无权查看")])
        en = self.request("POST", "/api/v1/opportunities/bulk", body=body, headers=EN)
        self.assertEqual(en.json["records"][0]["code"], "not_found")
        self.assertNotRegex(en.json["records"][0]["message"], "[\u4e00-\u9fff]")


if __name__ == "__main__":
    unittest.main()
