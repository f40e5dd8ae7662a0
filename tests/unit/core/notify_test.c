/* Unit tests of src/core/notify.c: text made inert in Markdown, the robots'
 * messages, DingTalk's signature, the waits between attempts, robots'
 * answers and China days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/notify.h"

static const char *inert(arena *a, const char *text, size_t max)
{
    buf b;
    buf_init(&b, a, 4096);
    assert_int_equal(notify_markdown_text(&b, text, max), BF_OK);
    return buf_cstr(&b);
}

static void typed_text_means_nothing_in_markdown(void **state)
{
    (void)state;
    arena *a = arena_new(8192);
    assert_non_null(a);
    /* A link, an image, emphasis, code, a heading and HTML all show as typed. */
    assert_string_equal(inert(a, "[点我](http://evil.example/x)", 100),
                        "［点我］（http：//evil．example/x）");
    assert_string_equal(inert(a, "![x](y) **粗** _斜_ `码`", 100),
                        "！［x］（y） ＊＊粗＊＊ ＿斜＿ ｀码｀");
    assert_string_equal(inert(a, "<font color=\"red\">红</font> # & | ~", 100),
                        "＜font color=\"red\"＞红＜/font＞ ＃ ＆ ｜ ～");
    assert_string_equal(inert(a, "a\\b", 100), "a＼b");
    /* Line breaks cannot start a new block; plain text stays. */
    assert_string_equal(inert(a, "第一行\n# 标题\r\t-", 100), "第一行 ＃ 标题  -");
    assert_string_equal(inert(a, "Ruijie Co., Ltd. v2.0 锐捷网络", 100),
                        "Ruijie Co., Ltd. v2．0 锐捷网络");
    assert_string_equal(inert(a, "javascript:alert(1)", 100), "javascript：alert（1）");
    /* Cut at a number of characters, never inside one. */
    assert_string_equal(inert(a, "一二三四五", 3), "一二三…");
    assert_string_equal(inert(a, "一二三", 3), "一二三");
    assert_string_equal(inert(a, NULL, 3), "");
    arena_free(a);
}

static void messages_hold_the_event_the_deal_and_a_link(void **state)
{
    (void)state;
    arena *a = arena_new(16384);
    json_t *facts = json_pack("{s:s, s:i, s:i, s:s}", "approval_kind", "override", "level", 1,
                              "levels", 2, "secret_note", "never sent");
    notify_message m = {.event = "approval_waiting",
                        .lang = "zh",
                        .deal = "华东[医院](http://x)",
                        .link = "https://bingfa.example.com/opportunities/opp_1",
                        .facts = facts};
    json_t *w = notify_payload(a, "wecom", &m);
    assert_non_null(w);
    assert_string_equal(json_string_value(json_object_get(w, "msgtype")), "markdown");
    const char *content =
        json_string_value(json_object_get(json_object_get(w, "markdown"), "content"));
    assert_string_equal(content, "**审批待处理**\n商机：华东［医院］（http：//x）\n越过关卡 · 第 "
                                 "1/2 级\n[在兵法中打开](https://bingfa.example.com/"
                                 "opportunities/opp_1)");
    assert_null(strstr(content, "never sent"));
    json_decref(w);

    m.lang = "en";
    m.event = "tender_near";
    json_decref(facts);
    facts = json_pack("{s:s, s:s}", "date_key", "submission", "date", "2026-12-10");
    m.facts = facts;
    m.link = NULL;
    json_t *d = notify_payload(a, "dingtalk", &m);
    assert_non_null(d);
    json_t *md = json_object_get(d, "markdown");
    assert_string_equal(json_string_value(json_object_get(md, "title")), "Tender date near");
    assert_string_equal(json_string_value(json_object_get(md, "text")),
                        "#### Tender date near\n\nDeal: 华东［医院］（http：//x）\n\nBid "
                        "submission: 2026-12-10");
    json_decref(d);

    /* A fact that is not what it should be is left out. */
    json_decref(facts);
    facts = json_pack("{s:s, s:s}", "date_key", "submission", "date", "[x](y)");
    m.facts = facts;
    m.deal = NULL;
    d = notify_payload(a, "dingtalk", &m);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "markdown"), "text")),
                        "#### Tender date near");
    json_decref(d);
    json_decref(facts);

    /* The test message names the robot, made inert too. */
    facts = json_pack("{s:s}", "name", "销售群*");
    notify_message t = {.event = "test", .lang = "zh", .facts = facts};
    w = notify_payload(a, "wecom", &t);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(w, "markdown"), "content")),
        "**兵法测试消息**\n机器人「销售群＊」已在兵法中设置好");
    json_decref(w);
    json_decref(facts);
    arena_free(a);
}

static void dingtalk_signs_the_timestamp_with_the_secret(void **state)
{
    (void)state;
    char sign[128], url[512];
    /* As DingTalk's documentation computes it (Python: quote_plus(b64encode(
     * hmac.new(secret, f"{ts}\n{secret}", sha256).digest()))). */
    assert_true(notify_dingtalk_sign("SECtest-secret-0123", 1700000000000LL, sign, sizeof(sign)));
    assert_string_equal(sign, "ZoxuMI81gjiygETIOy2%2Fox3O5s5xPLOU3JAX2t9WCfI%3D");
    assert_true(notify_signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc",
                                  "SECtest-secret-0123", 1700000000000LL, url, sizeof(url)));
    assert_string_equal(url, "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp="
                             "1700000000000&sign=ZoxuMI81gjiygETIOy2%2Fox3O5s5xPLOU3JAX2t9WCfI%3D");
    assert_true(notify_signed_url("http://127.0.0.1:9/hook", "s", 1, url, sizeof(url)));
    assert_non_null(strstr(url, "/hook?timestamp=1&sign="));
    /* No secret: the address as it is. */
    assert_true(notify_signed_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", NULL, 1,
                                  url, sizeof(url)));
    assert_string_equal(url, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k");
    assert_false(notify_signed_url("https://example.com/x", "s", 1, url, 20));
}

static void deliveries_wait_longer_then_give_up(void **state)
{
    (void)state;
    const notify_backoff *d = &notify_backoff_default;
    assert_int_equal(notify_backoff_wait(d, 1), 60);
    assert_int_equal(notify_backoff_wait(d, 2), 300);
    assert_int_equal(notify_backoff_wait(d, 3), 1800);
    assert_int_equal(notify_backoff_wait(d, 4), 7200);
    assert_int_equal(notify_backoff_wait(d, 5), -1);
    assert_int_equal(notify_backoff_wait(d, 0), -1);
    notify_backoff b;
    assert_true(notify_backoff_parse("1,2", &b));
    assert_int_equal(b.n, 2);
    assert_int_equal(notify_backoff_wait(&b, 2), 2);
    assert_int_equal(notify_backoff_wait(&b, 3), -1);
    assert_false(notify_backoff_parse("", &b));
    assert_false(notify_backoff_parse("1,,2", &b));
    assert_false(notify_backoff_parse("0", &b));
    assert_false(notify_backoff_parse("-5", &b));
    assert_false(notify_backoff_parse("60,x", &b));
    assert_false(notify_backoff_parse("1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1", &b));
}

static void a_robot_accepts_with_errcode_zero(void **state)
{
    (void)state;
    char why[200];
    const char *ok = "{\"errcode\":0,\"errmsg\":\"ok\"}";
    assert_true(notify_reply_ok(200, ok, strlen(ok), why, sizeof(why)));
    assert_true(notify_reply_ok(204, "", 0, why, sizeof(why)));
    assert_false(notify_reply_ok(500, ok, strlen(ok), why, sizeof(why)));
    assert_string_equal(why, "HTTP 500");
    const char *bad = "{\"errcode\":310000,\"errmsg\":\"sign not match\"}";
    assert_false(notify_reply_ok(200, bad, strlen(bad), why, sizeof(why)));
    assert_string_equal(why, "errcode 310000: sign not match");
    const char *odd = "{\"errcode\":\"x\"}";
    assert_false(notify_reply_ok(200, odd, strlen(odd), why, sizeof(why)));
}

static void days_are_china_days(void **state)
{
    (void)state;
    char day[16], start[32];
    /* 2026-12-07T15:59:59Z is 23:59:59 in Shanghai; a second later, the 8th. */
    time_t t = 1796659199; /* 2026-12-07T15:59:59Z */
    notify_china_day(t, 0, day, sizeof(day));
    assert_string_equal(day, "2026-12-07");
    notify_china_day(t + 1, 0, day, sizeof(day));
    assert_string_equal(day, "2026-12-08");
    notify_china_day(t, 1, day, sizeof(day));
    assert_string_equal(day, "2026-12-08");
    assert_true(notify_china_day_start("2026-12-08", start, sizeof(start)));
    assert_string_equal(start, "2026-12-07T16:00:00Z");
    assert_false(notify_china_day_start("2026-13-01", start, sizeof(start)));
    assert_string_equal(notify_tender_date_name("opening", "zh"), "开标");
    assert_null(notify_tender_date_name("nope", "en"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(typed_text_means_nothing_in_markdown),
        cmocka_unit_test(messages_hold_the_event_the_deal_and_a_link),
        cmocka_unit_test(dingtalk_signs_the_timestamp_with_the_secret),
        cmocka_unit_test(deliveries_wait_longer_then_give_up),
        cmocka_unit_test(a_robot_accepts_with_errcode_zero),
        cmocka_unit_test(days_are_china_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
