/* Unit tests of src/core/text.c: UTF-8, dates, times, identifiers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/text.h"

static void utf8_accepts_chinese_and_rejects_bad_bytes(void **state)
{
    (void)state;
    const char *ok = "销售漏斗 funnel";
    assert_true(text_utf8_valid(ok, strlen(ok), NULL));
    assert_int_equal(text_utf8_length(ok, strlen(ok)), 11);

    size_t at = 99;
    const char bad[] = "ab\xff"
                       "cd";
    assert_false(text_utf8_valid(bad, sizeof(bad) - 1, &at));
    assert_int_equal(at, 2);

    const char overlong[] = "\xc0\xaf";
    assert_false(text_utf8_valid(overlong, 2, NULL));
    const char surrogate[] = "\xed\xa0\x80";
    assert_false(text_utf8_valid(surrogate, 3, NULL));
    const char truncated[] = "\xe9\x94";
    assert_false(text_utf8_valid(truncated, 2, NULL));
}

static void dates_are_real_calendar_days(void **state)
{
    (void)state;
    assert_true(text_date_valid("2026-11-22"));
    assert_true(text_date_valid("2028-02-29"));
    assert_false(text_date_valid("2027-02-29"));
    assert_false(text_date_valid("2026-13-01"));
    assert_false(text_date_valid("2026-1-01"));
    assert_false(text_date_valid("2026-01-01x"));
    assert_false(text_date_valid(""));
}

static void datetimes_normalize_to_utc(void **state)
{
    (void)state;
    char out[32];
    assert_true(text_datetime_normalize("2026-01-05T09:30:00+08:00", out, sizeof(out)));
    assert_string_equal(out, "2026-01-05T01:30:00Z");
    assert_true(text_datetime_normalize("2026-01-01T02:00:00+08:00", out, sizeof(out)));
    assert_string_equal(out, "2025-12-31T18:00:00Z");
    assert_true(text_datetime_normalize("2026-03-01T10:00:00.123Z", out, sizeof(out)));
    assert_string_equal(out, "2026-03-01T10:00:00Z");
    assert_true(text_datetime_normalize("2026-03-01T10:00Z", out, sizeof(out)));
    assert_string_equal(out, "2026-03-01T10:00:00Z");
    assert_false(text_datetime_normalize("2026-03-01T10:00:00", out, sizeof(out)));
    assert_false(text_datetime_normalize("2026-03-01T24:00:00Z", out, sizeof(out)));
    assert_false(text_datetime_normalize("2026-03-01", out, sizeof(out)));
}

static void trimmed(const char *in, const char *want)
{
    size_t n = strlen(in);
    const char *s = text_trim(in, &n);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(s, want, n);
}

static void trim_takes_ascii_and_full_width_space(void **state)
{
    (void)state;
    trimmed("  江南医院\t\n", "江南医院");
    trimmed("\xe3\x80\x80江南医院\xe3\x80\x80", "江南医院"); /* U+3000 */
    trimmed("\xc2\xa0医院\xc2\xa0", "医院");                 /* U+00A0 */
    trimmed("第一 人民医院", "第一 人民医院");               /* inside: kept */
    trimmed(" \xe3\x80\x80 \t", "");
    trimmed("", "");
    trimmed("\xe3\x80", "\xe3\x80"); /* a cut sequence is not a space */
}

static void slugs(void **state)
{
    (void)state;
    assert_true(text_slug_valid("ruijie-6"));
    assert_true(text_slug_valid("mant-money"));
    assert_false(text_slug_valid("-lead"));
    assert_false(text_slug_valid("Stage"));
    assert_false(text_slug_valid(""));
    assert_false(text_slug_valid("a_b"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_accepts_chinese_and_rejects_bad_bytes),
        cmocka_unit_test(dates_are_real_calendar_days),
        cmocka_unit_test(datetimes_normalize_to_utc),
        cmocka_unit_test(slugs),
        cmocka_unit_test(trim_takes_ascii_and_full_width_space),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
