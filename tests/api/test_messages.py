"""Languages of messages: an error's message is Chinese for a request in
Chinese (Accept-Language zh*, or ?lang=zh, which wins) and English
otherwise, naming the field by its name in that language and the values at
fault; the code and the field of the error stay the same. So are the
messages listed in an answer: an import's rows, a playbook's problems, a
bulk action's records."""

import io
import json
import os
import re
import sys
import unittest

from bingfa_server import ServerTestCase

try:
    import xlsxwriter
except ImportError:  # Debian's package, under another interpreter
    sys.path.append("/usr/lib/python3/dist-packages")
    import xlsxwriter

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                      "broken-playbooks")
CJK = "[\u4e00-\u9fff]"


def english_words(text, codes=()):
    """The English words of a Chinese message: what is left of its Latin
    letters once the values it quotes (“…”) and the codes it shows as codes
    are taken out."""
    rest = re.sub("“[^”]*”", "", text)
    for code in sorted(codes, key=len, reverse=True):
        rest = rest.replace(code, "")
    return re.findall("[A-Za-z]{2,}", rest)


def workbook(rows):
    """An XLSX file of rows (the first the header)."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet("导入")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    return out.getvalue()


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
        self.assertEqual(zh, "客户名称过长（最多 200 个字符）")
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
                         "每页条数超出允许范围（1 至 200）")
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


    # -- the values an error names -------------------------------------------

    def test_the_values_of_the_error_not_the_numbers_of_its_text(self):
        # A number in the field's path or in a value is not the limit.
        zh, en = self.both("GET", "/api/v1/accounts?tag=" + ",".join("t%d" % i for i in range(11)),
                           None, 422, "too_many", "tag")
        self.assertEqual(zh, "标签的项数过多（最多 8 项）")
        self.assertEqual(en, "tag names at most 8 tags")
        zh, en = self.both("GET", "/api/v1/accounts?q=" + "q" * 201, None, 422, "too_long", "q")
        self.assertEqual(zh, "搜索词过长（最多 200 字节）")
        self.assertEqual(en, "q is too long: at most 200 bytes")
        zh, en = self.both("POST", "/api/v1/accounts", {"name": "第2个客户" + "长" * 200},
                           422, "too_long", "name")
        self.assertEqual(zh, "客户名称过长（最多 200 个字符）")
        # A body that is not JSON: where.
        for lang, want in (("zh", "请求内容不是有效的 JSON（第 2 行第 3 列）"), ("en", "line 2, column 3")):
            r = self.request("POST", "/api/v1/accounts?lang=" + lang, raw=b'{"name":\n  x}',
                             headers={"Content-Type": "application/json"})
            msg = self.assertError(r, 400, "malformed_json")["message"]
            if lang == "zh":
                self.assertEqual(msg, want)
            else:
                self.assertIn(want, msg)

    # -- the messages listed in an answer --------------------------------------

    def upload(self, resource, rows, query="", headers=None):
        h = {"Content-Type": XLSX}
        h.update(headers or {})
        return self.request("POST", "/api/v1/imports/%s%s" % (resource, query),
                            raw=workbook(rows), headers=h)

    def reasons(self, report):
        """{(row, column): message} of an import's report."""
        return {(e["row"], e["column"]): e["message"] for e in report["errors"]}

    def assertChinese(self, messages, codes=()):
        for m in messages:
            self.assertRegex(m, CJK)
            self.assertEqual(english_words(m, codes), [], m)

    def assertEnglish(self, messages, values=()):
        """English but for the values they name (quoted, or given)."""
        for m in messages:
            rest = re.sub("“[^”]*”|\"[^\"]*\"", "", m)
            for v in values:
                rest = rest.replace(v, "")
            self.assertNotRegex(rest, CJK, m)

    def test_an_imports_errors_in_the_language_of_the_request(self):
        rows = [["客户名称", "员工人数", "年营业额（元）", "企业性质", "负责人", "统一社会信用代码"],
                ["导入" + "长" * 200, 12, None, None, None, None],
                ["导入行三", "很多", "12.345", "国企", None, None],
                [None, 5, None, None, None, None],
                ["导入行五", None, None, None, "查无此人", None],
                ["导入行六", 7, 100, None, None, "91350100M000100Y44"]]
        want = {(2, "A"): "客户名称过长（最多 200 个字符）",
                (3, "B"): "员工人数的格式不正确（应为整数）",
                (3, "C"): "年营业额的格式不正确（应为以元为单位、最多两位小数的金额）",
                (3, "D"): "企业性质的取值无效",
                (4, "A"): "客户名称为必填项",
                (5, "E"): "找不到该用户（“查无此人”）",
                (6, "F"): "统一社会信用代码无效（18 位，校验位须正确）"}
        r = self.upload("accounts", rows, "?dry_run=true", ZH)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.reasons(r.json), want)
        self.assertChinese(want.values())
        en = self.upload("accounts", rows, "?dry_run=true&lang=en", ZH)
        self.assertEqual(set(self.reasons(en.json)), set(want))
        self.assertEqual([e["code"] for e in en.json["errors"]],
                         [e["code"] for e in r.json["errors"]])
        self.assertEnglish(self.reasons(en.json).values(), ["查无此人"])
        self.assertIn("at most 200", self.reasons(en.json)[(2, "A")])
        self.assertEqual(self.reasons(en.json)[(3, "B")], "not a whole number")
        self.assertEqual(self.reasons(en.json)[(5, "E")],
                         "no active user you can see is named 查无此人")
        # A commit: 422, the count in the message, the report's rows as in a dry run.
        r = self.upload("accounts", rows, "", ZH)
        self.assertEqual(self.assertError(r, 422, "import_invalid", "file")["message"],
                         "有 7 处错误，未导入任何记录")
        self.assertEqual(self.reasons(r.json["report"]), want)
        r = self.upload("accounts", rows, "", EN)
        self.assertEqual(self.assertError(r, 422, "import_invalid", "file")["message"],
                         "7 errors: nothing was imported")
        self.assertEnglish(self.reasons(r.json["report"]).values(), ["查无此人"])
        # The header: columns unknown and missing.
        r = self.upload("accounts", [["名称", "行业"], ["x", "y"]], "?dry_run=1", ZH)
        self.assertEqual(self.reasons(r.json), {(1, "A"): "未知的列：名称",
                                                (1, None): "缺少必填列：客户名称"})
        r = self.upload("accounts", [["名称", "行业"], ["x", "y"]], "?dry_run=1", EN)
        self.assertEqual(self.reasons(r.json), {(1, "A"): "no column is named 名称",
                                                (1, None): "the column Account name is required"})

    def test_an_imports_lookups_in_the_language_of_the_request(self):
        twin = "导入同名客户" + self.unique("x")
        self.make_account(name=twin)
        self.make_account(name=twin)
        one = self.make_account(name="导入独一客户" + self.unique("y"))["name"]
        rows = [["客户名称", "商机名称", "类型", "主题"],
                [twin, None, "拜访", "甲"],
                [None, "无客户的商机", "拜访", "乙"],
                [one, "查无此商机", "拜访", "丙"],
                ["查无此客户", None, "拜访", "丁"]]
        want = {(2, "A"): "客户名称“%s”对应多条记录，无法确定是哪一条" % twin,
                (3, "B"): "商机须与客户名称一起填写",
                (4, "B"): "找不到该商机或无权查看（“查无此商机”）",
                (5, "A"): "找不到该客户或无权查看（“查无此客户”）"}
        r = self.upload("activities", rows, "?dry_run=true", ZH)
        self.assertEqual(self.reasons(r.json), want)
        self.assertChinese(want.values())
        r = self.upload("activities", rows, "?dry_run=true", EN)
        got = self.reasons(r.json)
        self.assertEqual(set(got), set(want))
        self.assertEnglish(got.values(), [twin, "查无此商机", "查无此客户"])
        self.assertEqual(got[(2, "A")], "more than one account is named %s" % twin)
        self.assertEqual(got[(4, "B")], "no deal of the account you can see is named 查无此商机")
        # Creation times only by admins and managers.
        sales = self.server.auth(self.unique("导入销售"), role="sales")
        rows = [["客户名称", "创建时间"], ["导入带时间", "2024-01-02 08:00"]]
        r = self.upload("accounts", rows, "?dry_run=true", dict(ZH, **sales))
        self.assertEqual(self.reasons(r.json), {(2, "B"): "仅管理员和经理可导入创建时间"})
        r = self.upload("accounts", rows, "?dry_run=true", dict(EN, **sales))
        self.assertEqual(self.reasons(r.json),
                         {(2, "B"): "only admins and managers import creation times"})

    # The JSON keys and values a playbook's problem shows as they are written.
    PLAYBOOK_CODES = ("no_outcome", "abandon", "roles[]", "channel", "fact", "first_payment",
                      "archived", "before", "during", "after", "id", "schema")

    def test_a_playbooks_problems_in_the_language_of_the_request(self):
        for name in sorted(f for f in os.listdir(CORPUS) if f != "expected.json"):
            with self.subTest(file=name):
                with open(os.path.join(CORPUS, name), "rb") as f:
                    raw = f.read()
                zh = self.request("POST", "/api/v1/playbooks", raw=raw, headers=ZH)
                en = self.request("POST", "/api/v1/playbooks?lang=en", raw=raw, headers=ZH)
                self.assertError(zh, 422, "invalid_playbook")
                self.assertError(en, 422, "invalid_playbook")
                self.assertEqual([(p["path"], p["code"]) for p in zh.json["problems"]],
                                 [(p["path"], p["code"]) for p in en.json["problems"]])
                for p in zh.json["problems"]:
                    # a path is a code; so are the keys of a path without a Chinese name
                    codes = self.PLAYBOOK_CODES + (p["path"],) + tuple(
                        re.findall("[A-Za-z_]+", p["path"]))
                    self.assertChinese([p["message"]], codes)
                self.assertEnglish(p["message"] for p in en.json["problems"])
                first = zh.json["problems"][0]["path"]
                self.assertEqual(zh.json["error"]["message"],
                                 "销售方法定义有误（共 %d 处，见列表），首处：%s"
                                 % (zh.json["count"], first))
        # Their words, with the values they name.
        with open(os.path.join(CORPUS, "modes.json"), "rb") as f:
            raw = f.read()
        zh = self.request("POST", "/api/v1/playbooks", raw=raw, headers=ZH).json["problems"]
        said = {p["path"]: p["message"] for p in zh}
        self.assertEqual(said["modes[1].visits[1].n"], "须为 2：拜访按 1、2、3……依次编号")
        self.assertEqual(said["modes[1].visits[3].day"], "须在基准周期的 7 天之内")
        self.assertEqual(said["modes[2].id"], "“quick”重复出现")

    def test_a_bulk_actions_records_in_the_language_of_the_request(self):
        acc = self.make_account(tags=["t%d" % i for i in range(20)])
        ghost = "acc_nosuchaccount00000000"
        body = {"ids": [acc["id"], ghost], "action": "add_tag", "tags": ["再加一个"]}
        zh = self.request("POST", "/api/v1/accounts/bulk", body=body, headers=ZH)
        err = self.assertError(zh, 422, "bulk_refused", "ids")
        self.assertEqual(err["message"], "2 条记录中有 2 条不能修改（见列表），未做任何修改")
        said = {x["id"]: (x["code"], x["message"]) for x in zh.json["records"]}
        self.assertEqual(said, {acc["id"]: ("too_many", "标签的项数过多（最多 20 项）"),
                                ghost: ("not_found", "记录不存在或无权查看")})
        en = self.request("POST", "/api/v1/accounts/bulk", body=body, headers=EN)
        self.assertIn("2 of the 2 accounts may not be changed",
                      self.assertError(en, 422, "bulk_refused", "ids")["message"])
        said = {x["id"]: x["message"] for x in en.json["records"]}
        self.assertEqual(said[acc["id"]], "the account would carry more than 20 tags")
        self.assertEnglish(said.values())

    def test_a_templates_syntax_error_says_where_and_why(self):
        body = {"key": "msg-broken", "lang": "zh", "kind": "letter",
                "name": {"zh": "坏", "en": "Broken"}, "body": "第一行\n第二行 {{#contacts}}\n第三行\n"}
        zh, en = self.both("POST", "/api/v1/templates", body, 422, "template_syntax", "body")
        self.assertEqual(zh, "模板语法错误（第 2 行第 5 列）：区段“contacts”没有结束")
        self.assertEqual(en, 'line 2, column 5: section "contacts" is never closed')
        body["body"] = "{{#deal}}x{{/account}}"
        zh, en = self.both("POST", "/api/v1/templates", body, 422, "template_syntax", "body")
        self.assertEqual(zh, "模板语法错误（第 1 行第 11 列）：区段“deal”的结束标签写成了“account”")
        self.assertIn('is closed as "account"', en)
        body["body"] = "{{deal name}}"
        zh, en = self.both("POST", "/api/v1/templates", body, 422, "template_syntax", "body")
        self.assertEqual(zh, "模板语法错误（第 1 行第 1 列）：名称“deal name”中含有空白")


if __name__ == "__main__":
    unittest.main()
