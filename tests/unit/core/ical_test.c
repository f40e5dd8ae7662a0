/* Unit tests of src/core/ical.c: TEXT escaping, folding at 75 octets
 * without splitting a UTF-8 character (Chinese text), CRLF line ends, China
 * time, and whole events and calendars. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/ical.h"
#include "core/text.h"

static const char *escaped(arena *a, const char *s)
{
    buf b;
    buf_init(&b, a, 4096);
    assert_int_equal(ical_append_text(&b, s), BF_OK);
    return buf_cstr(&b);
}

static void text_is_escaped(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    assert_string_equal(escaped(a, "拜访，客户"), "拜访，客户"); /* the full-width comma stays */
    assert_string_equal(escaped(a, "a,b;c\\d"), "a\\,b\\;c\\\\d");
    assert_string_equal(escaped(a, "one\ntwo\r\nthree\rfour"), "one\\ntwo\\nthree\\nfour");
    assert_string_equal(escaped(a, "tab\there"), "tab\there");
    assert_string_equal(escaped(a, "bell\a del\x7f nul-free"), "bell del nul-free");
    assert_string_equal(escaped(a, "end\\"), "end\\\\");
    assert_string_equal(escaped(a, ""), "");
    buf b;
    buf_init(&b, a, 16);
    assert_int_equal(ical_append_text(&b, NULL), BF_OK);
    assert_int_equal(b.len, 0);
    arena_free(a);
}

/* The lines of text, split at CRLF; asserts that no bare CR or LF is in it
 * and that it ends with CRLF. */
static size_t lines_of(const char *text, const char *lines[], size_t max)
{
    size_t n = 0;
    const char *p = text;
    assert_true(strlen(text) >= 2);
    assert_memory_equal(text + strlen(text) - 2, "\r\n", 2);
    while (*p) {
        const char *end = strstr(p, "\r\n");
        assert_non_null(end);
        for (const char *q = p; q < end; q++)
            assert_true(*q != '\r' && *q != '\n');
        assert_true(n < max);
        lines[n++] = p;
        p = end + 2;
    }
    return n;
}

static size_t line_len(const char *line)
{
    return (size_t)(strstr(line, "\r\n") - line);
}

static const char *folded(arena *a, const char *line)
{
    buf b;
    buf_init(&b, a, 64 * 1024);
    assert_int_equal(ical_append_line(&b, line, strlen(line)), BF_OK);
    return buf_cstr(&b);
}

/* Unfolds text (RFC 5545 3.1: CRLF and one space removed). */
static const char *unfolded(arena *a, const char *text)
{
    buf b;
    buf_init(&b, a, 64 * 1024);
    for (const char *p = text; *p; p++) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
            p += 2;
            continue;
        }
        assert_int_equal(buf_append(&b, p, 1), BF_OK);
    }
    return buf_cstr(&b);
}

static void short_lines_are_not_folded(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    assert_string_equal(folded(a, "SUMMARY:拜访"), "SUMMARY:拜访\r\n");
    char exact[ICAL_LINE_OCTETS + 1];
    memset(exact, 'x', ICAL_LINE_OCTETS);
    exact[ICAL_LINE_OCTETS] = '\0';
    const char *out = folded(a, exact);
    assert_int_equal(strlen(out), ICAL_LINE_OCTETS + 2);
    assert_string_equal(folded(a, ""), "\r\n");
    arena_free(a);
}

static void ascii_is_folded_at_75_octets(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    char line[201];
    for (int i = 0; i < 200; i++)
        line[i] = (char)('a' + i % 26);
    line[200] = '\0';
    const char *out = folded(a, line);
    const char *lines[8];
    size_t n = lines_of(out, lines, 8);
    assert_int_equal(n, 3); /* 75, then 1 + 74, then 1 + 51 */
    assert_int_equal(line_len(lines[0]), 75);
    assert_int_equal(line_len(lines[1]), 75);
    assert_int_equal(line_len(lines[2]), 1 + 200 - 75 - 74);
    assert_int_equal(lines[1][0], ' ');
    assert_int_equal(lines[2][0], ' ');
    char expect[204];
    memcpy(expect, line, 200);
    memcpy(expect + 200, "\r\n", 3);
    assert_string_equal(unfolded(a, out), expect);
    arena_free(a);
}

/* Chinese text (3 octets a character) and a 4-octet character: every line at
 * most 75 octets, each a whole number of characters, valid UTF-8 alone,
 * and the whole unfolds to the line given. */
static void utf8_characters_are_never_split(void **state)
{
    (void)state;
    arena *a = arena_new(16 * 1024);
    const char *texts[] = {
        "SUMMARY:拜访：北京华夏医院信息化改造项目一期工程（含数据中心、网络与安全）– "
        "商机名称很长很长很长",
        "DESCRIPTION:x拜访：北京华夏医院信息化改造项目一期工程（含数据中心、网络与安全）– "
        "商机名称很长很长很长",
        "DESCRIPTION:xx𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀😀😀😀é",
    };
    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        const char *out = folded(a, texts[t]);
        const char *lines[32];
        size_t n = lines_of(out, lines, 32);
        assert_true(n >= 2);
        for (size_t i = 0; i < n; i++) {
            size_t len = line_len(lines[i]);
            assert_true(len <= ICAL_LINE_OCTETS);
            assert_true(text_utf8_valid(lines[i], len, NULL));
            if (i > 0)
                assert_int_equal(lines[i][0], ' ');
            /* Folded only where the next character would not fit. */
            if (i + 1 < n) {
                unsigned char next = (unsigned char)lines[i + 1][1];
                size_t more = next < 0x80 ? 1 : next < 0xE0 ? 2 : next < 0xF0 ? 3 : 4;
                assert_true(len + more > ICAL_LINE_OCTETS);
            }
        }
        char expect[1024];
        snprintf(expect, sizeof(expect), "%s\r\n", texts[t]);
        assert_string_equal(unfolded(a, out), expect);
    }
    arena_free(a);
}

/* A backslash and the character it escapes stay on one line. */
static void escapes_are_never_split(void **state)
{
    (void)state;
    arena *a = arena_new(16 * 1024);
    for (size_t pad = 70; pad < 80; pad++) {
        char line[256];
        memset(line, 'x', pad);
        memcpy(line + pad, "\\n\\\\\\,\\;abc", 12);
        line[pad + 12] = '\0';
        const char *out = folded(a, line);
        const char *lines[8];
        size_t n = lines_of(out, lines, 8);
        for (size_t i = 0; i < n; i++) {
            size_t len = line_len(lines[i]), run = 0;
            assert_true(len <= ICAL_LINE_OCTETS);
            for (size_t k = 0; k < len; k++)
                run = lines[i][k] == '\\' ? run + 1 : 0;
            assert_int_equal(run % 2, 0); /* no line ends inside an escape */
        }
        char expect[300];
        snprintf(expect, sizeof(expect), "%s\r\n", line);
        assert_string_equal(unfolded(a, out), expect);
    }
    arena_free(a);
}

static void china_time_is_utc_plus_eight(void **state)
{
    (void)state;
    char out[16];
    assert_true(ical_local_time("2026-03-04T01:30:00Z", out));
    assert_string_equal(out, "20260304T093000");
    assert_true(ical_local_time("2026-12-31T16:00:00.123Z", out)); /* the next day, next year */
    assert_string_equal(out, "20270101T000000");
    assert_true(ical_local_time("2026-07-01T23:59:59Z", out)); /* no summer time */
    assert_string_equal(out, "20260702T075959");
    assert_false(ical_local_time("2026-03-04", out));
    assert_false(ical_local_time("soon", out));
    assert_false(ical_local_time(NULL, out));
}

static void a_timed_event_is_written_in_china_time(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    buf b;
    buf_init(&b, a, 64 * 1024);
    ical_event e = {.uid = "act_1@bingfa",
                    .stamp = "2026-03-01T08:00:00.250Z",
                    .start = "2026-03-04T01:30:00Z",
                    .minutes = 60,
                    .summary = "拜访：华夏医院 – 信息化, 一期; 试点\\二期",
                    .description = "目的：演示\n带上方案",
                    .url = "https://crm.example.com/opportunities/opp_1"};
    assert_int_equal(ical_append_event(&b, &e), BF_OK);
    assert_string_equal(buf_cstr(&b), "BEGIN:VEVENT\r\n"
                                      "UID:act_1@bingfa\r\n"
                                      "DTSTAMP:20260301T080000Z\r\n"
                                      "DTSTART;TZID=Asia/Shanghai:20260304T093000\r\n"
                                      "DURATION:PT1H\r\n"
                                      "SUMMARY:拜访：华夏医院 – 信息化\\, 一期\\; 试点\\\\二期\r\n"
                                      "DESCRIPTION:目的：演示\\n带上方案\r\n"
                                      "URL:https://crm.example.com/opportunities/opp_1\r\n"
                                      "TRANSP:OPAQUE\r\n"
                                      "END:VEVENT\r\n");
    b.len = 0;
    e.minutes = 90;
    e.description = NULL;
    e.url = NULL;
    e.location = "会议室 A";
    assert_int_equal(ical_append_event(&b, &e), BF_OK);
    assert_non_null(strstr(buf_cstr(&b), "\r\nDURATION:PT1H30M\r\n"));
    assert_non_null(strstr(buf_cstr(&b), "\r\nLOCATION:会议室 A\r\n"));
    assert_null(strstr(buf_cstr(&b), "DESCRIPTION"));
    arena_free(a);
}

static void an_all_day_event_is_a_date(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    buf b;
    buf_init(&b, a, 64 * 1024);
    ical_event e = {.uid = "opp_1.tender.submission@bingfa",
                    .stamp = "2026-03-01T08:00:00Z",
                    .start = "2026-12-31",
                    .all_day = true,
                    .summary = "投标截止：信息化一期",
                    .transparent = true};
    assert_int_equal(ical_append_event(&b, &e), BF_OK);
    assert_string_equal(buf_cstr(&b), "BEGIN:VEVENT\r\n"
                                      "UID:opp_1.tender.submission@bingfa\r\n"
                                      "DTSTAMP:20260301T080000Z\r\n"
                                      "DTSTART;VALUE=DATE:20261231\r\n"
                                      "DTEND;VALUE=DATE:20270101\r\n"
                                      "SUMMARY:投标截止：信息化一期\r\n"
                                      "TRANSP:TRANSPARENT\r\n"
                                      "END:VEVENT\r\n");
    arena_free(a);
}

static void an_event_without_a_valid_time_writes_nothing(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    buf b;
    buf_init(&b, a, 64 * 1024);
    assert_int_equal(buf_append_str(&b, "before"), BF_OK);
    ical_event e = {.uid = "x@bingfa", .stamp = "2026-03-01T08:00:00Z", .start = "2026-02-30"};
    e.all_day = true;
    assert_int_equal(ical_append_event(&b, &e), BF_ERR_INVALID);
    e.all_day = false;
    e.start = "tomorrow";
    assert_int_equal(ical_append_event(&b, &e), BF_ERR_INVALID);
    e.start = "2026-03-01T08:00:00Z";
    e.stamp = NULL;
    assert_int_equal(ical_append_event(&b, &e), BF_ERR_INVALID);
    assert_string_equal(buf_cstr(&b), "before");
    /* Too long for the buffer: refused whole, the buffer as it was. */
    buf small;
    buf_init(&small, a, 40);
    e.stamp = "2026-03-01T08:00:00Z";
    e.summary = "拜访";
    assert_int_equal(ical_append_event(&small, &e), BF_ERR_TOO_LARGE);
    assert_int_equal(small.len, 0);
    arena_free(a);
}

static void a_calendar_has_its_time_zone_and_ends_lines_with_crlf(void **state)
{
    (void)state;
    arena *a = arena_new(16 * 1024);
    buf b;
    buf_init(&b, a, 64 * 1024);
    assert_int_equal(ical_begin(&b, "张伟, 销售; 兵法"), BF_OK);
    ical_event e = {.uid = "act_2@bingfa",
                    .stamp = "2026-03-01T08:00:00Z",
                    .start = "2026-03-04T01:30:00Z",
                    .minutes = 60,
                    .summary =
                        "电话：北京华夏医院信息化改造项目一期工程（含数据中心、网络与安全）"};
    assert_int_equal(ical_append_event(&b, &e), BF_OK);
    assert_int_equal(ical_end(&b), BF_OK);
    const char *text = buf_cstr(&b);
    const char *lines[64];
    size_t n = lines_of(text, lines, 64);
    assert_memory_equal(lines[0], "BEGIN:VCALENDAR\r\n", 17);
    assert_memory_equal(lines[n - 1], "END:VCALENDAR\r\n", 15);
    for (size_t i = 0; i < n; i++)
        assert_true(line_len(lines[i]) <= ICAL_LINE_OCTETS);
    assert_non_null(strstr(text, "\r\nVERSION:2.0\r\n"));
    assert_non_null(strstr(text, "\r\nPRODID:"));
    assert_non_null(strstr(text, "\r\nCALSCALE:GREGORIAN\r\n"));
    assert_non_null(strstr(text, "\r\nX-WR-CALNAME:张伟\\, 销售\\; 兵法\r\n"));
    assert_non_null(strstr(text, "\r\nX-WR-TIMEZONE:Asia/Shanghai\r\n"));
    assert_non_null(strstr(text, "\r\nBEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\n"));
    assert_non_null(strstr(text, "\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\n"));
    assert_non_null(strstr(text, "\r\nBEGIN:STANDARD\r\n"));
    /* The time zone is defined before the event that names it. */
    assert_true(strstr(text, "BEGIN:VTIMEZONE") < strstr(text, "BEGIN:VEVENT"));
    assert_non_null(strstr(unfolded(a, text),
                           "\r\nSUMMARY:电话：北京华夏医院信息化改造项目一期工程（"
                           "含数据中心、网络与安全）\r\n"));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_is_escaped),
        cmocka_unit_test(short_lines_are_not_folded),
        cmocka_unit_test(ascii_is_folded_at_75_octets),
        cmocka_unit_test(utf8_characters_are_never_split),
        cmocka_unit_test(escapes_are_never_split),
        cmocka_unit_test(china_time_is_utc_plus_eight),
        cmocka_unit_test(a_timed_event_is_written_in_china_time),
        cmocka_unit_test(an_all_day_event_is_a_date),
        cmocka_unit_test(an_event_without_a_valid_time_writes_nothing),
        cmocka_unit_test(a_calendar_has_its_time_zone_and_ends_lines_with_crlf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
