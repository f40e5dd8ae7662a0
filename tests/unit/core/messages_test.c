/* Unit tests of src/core/messages.c: the language of a request, the
 * catalogue's templates filled in, the names of fields, and a walk of the
 * sources so that no error code the API can answer lacks a message. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/messages.h"
#include "core/result.h"

static void language_from_query_then_accept_language(void **state)
{
    (void)state;
    assert_int_equal(bf_lang_of(NULL, NULL), BF_LANG_EN);
    assert_int_equal(bf_lang_of(NULL, "zh-CN,zh;q=0.9,en;q=0.8"), BF_LANG_ZH);
    assert_int_equal(bf_lang_of(NULL, "zh"), BF_LANG_ZH);
    assert_int_equal(bf_lang_of(NULL, "en-US,en;q=0.9"), BF_LANG_EN);
    assert_int_equal(bf_lang_of(NULL, "fr"), BF_LANG_EN);
    assert_int_equal(bf_lang_of(NULL, "en;q=0.5, zh-TW;q=0.8"), BF_LANG_ZH);
    assert_int_equal(bf_lang_of(NULL, "zh;q=0.3, en"), BF_LANG_EN);
    assert_int_equal(bf_lang_of("en", "zh-CN"), BF_LANG_EN);
    assert_int_equal(bf_lang_of("zh", "en"), BF_LANG_ZH);
    assert_int_equal(bf_lang_of("xx", "zh"), BF_LANG_ZH);
}

static void chinese_names_the_field_of_the_resource(void **state)
{
    (void)state;
    char out[300];
    bf_message_render(out, sizeof(out), BF_LANG_ZH, "opportunities", "required", "name",
                      "name must have at least 1 characters");
    assert_string_equal(out, "商机名称为必填项");
    bf_message_render(out, sizeof(out), BF_LANG_ZH, "accounts", "required", "name", "x");
    assert_string_equal(out, "客户名称为必填项");
    bf_message_render(out, sizeof(out), BF_LANG_ZH, "teams", "required", "name", "x");
    assert_string_equal(out, "名称为必填项");
    /* a unit in the header is left out of the message */
    bf_message_render(out, sizeof(out), BF_LANG_ZH, "opportunities", "negative", "amount",
                      "amount must not be negative");
    assert_string_equal(out, "金额不能为负数");
    assert_string_equal(bf_field_label("opportunities", "lines[2].quantity", BF_LANG_ZH), "数量");
    assert_string_equal(bf_field_label("contacts", "name", BF_LANG_EN), "Name");
    assert_null(bf_field_label("accounts", "no_such_field_x", BF_LANG_ZH));
}

static void numbers_of_the_message_fill_the_template(void **state)
{
    (void)state;
    char out[300];
    bf_message_render(out, sizeof(out), BF_LANG_ZH, "accounts", "too_long", "name",
                      "name is too long: 300 characters, at most 200");
    assert_string_equal(out, "客户名称过长（最多 200）");
    bf_message_render(out, sizeof(out), BF_LANG_ZH, "users", "too_short", "password",
                      "the password must have at least 8 characters");
    assert_string_equal(out, "密码至少需要 8 个字符");
    /* numbers in the field's path are not the message's */
    bf_message_render(out, sizeof(out), BF_LANG_ZH, NULL, "too_short", "items[3].name",
                      "items[3].name needs at least 2 characters");
    assert_string_equal(out, "名称至少需要 2 个字符");
    /* a remark whose number is missing is left out */
    bf_message_render(out, sizeof(out), BF_LANG_ZH, NULL, "too_long", "q", "q is too long");
    assert_string_equal(out, "搜索词过长");
}

static void english_keeps_the_servers_message(void **state)
{
    (void)state;
    char out[300];
    bf_message_render(out, sizeof(out), BF_LANG_EN, "accounts", "required", "name",
                      "name must have at least 1 characters");
    assert_string_equal(out, "name must have at least 1 characters");
    bf_message_render(out, sizeof(out), BF_LANG_EN, "accounts", "required", "name", "");
    assert_string_equal(out, "Account name is required");
    /* a code without a template keeps the message in both languages */
    bf_message_render(out, sizeof(out), BF_LANG_ZH, NULL, "no_such_code_x", NULL, "as it is");
    assert_string_equal(out, "as it is");
    /* a short buffer ends on a whole character */
    char small[8];
    bf_message_render(small, sizeof(small), BF_LANG_ZH, NULL, "not_found", NULL, "x");
    assert_string_equal(small, "记录");
}

static void every_entry_has_both_languages(void **state)
{
    (void)state;
    for (size_t i = 0; bf_message_code_at(i); i++) {
        const char *code = bf_message_code_at(i);
        const char *zh = bf_message_template(code, NULL, BF_LANG_ZH);
        const char *en = bf_message_template(code, NULL, BF_LANG_EN);
        if (zh == NULL || en == NULL || zh[0] == '\0' || en[0] == '\0')
            fail_msg("code %s lacks a template", code);
    }
}

/* ---- every code of the sources ------------------------------------------ */

/* Reads path whole (NUL-ended), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* The argument number `want` (0-based) of the call whose '(' is at open, as
 * [*from, *to); false when the call has fewer. Strings and nesting kept. */
static int argument(const char *open, int want, const char **from, const char **to)
{
    int depth = 0, k = 0;
    const char *start = open + 1;
    for (const char *p = open; *p; p++) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            continue;
        }
        if (*p == '(' || *p == '[' || *p == '{') {
            depth++;
        } else if (*p == ')' || *p == ']' || *p == '}') {
            if (--depth == 0) {
                if (k == want) {
                    *from = start;
                    *to = p;
                    return 1;
                }
                return 0;
            }
        } else if (*p == ',' && depth == 1) {
            if (k == want) {
                *from = start;
                *to = p;
                return 1;
            }
            k++;
            start = p + 1;
        }
    }
    return 0;
}

/* Checks every string literal of [from, to) that looks like a code
 * (lower-case letters and '_') is in the catalogue; counts them in *seen. */
static void check_literals(const char *file, const char *from, const char *to, int *seen)
{
    for (const char *p = from; p < to; p++) {
        if (*p != '"')
            continue;
        const char *s = ++p;
        while (p < to && *p != '"')
            p++;
        size_t n = (size_t)(p - s);
        int code_like = n > 0 && n < 40;
        for (size_t i = 0; i < n && code_like; i++)
            code_like = (s[i] >= 'a' && s[i] <= 'z') || s[i] == '_';
        if (!code_like)
            continue;
        char code[40];
        memcpy(code, s, n);
        code[n] = '\0';
        (*seen)++;
        if (!bf_message_known(code))
            fail_msg("%s: error code \"%s\" has no message in src/core/messages.c", file, code);
    }
}

/* The calls that carry an error code, and which argument it is. */
static const struct {
    const char *name;
    int arg;
} carriers[] = {{"bf_fail(", 2},   {"http_respond_error(", 2},
                {"line_fail(", 3}, {"report_error(", 4},
                {"fail_at(", 3},   {" bad(", 2}};

static void check_file(const char *path, int *seen)
{
    char *s = slurp(path);
    assert_non_null(s);
    for (size_t c = 0; c < sizeof(carriers) / sizeof(carriers[0]); c++) {
        size_t len = strlen(carriers[c].name);
        for (const char *p = strstr(s, carriers[c].name); p; p = strstr(p + 1, carriers[c].name)) {
            char before = p > s ? p[-1] : ' ';
            if ((before >= 'a' && before <= 'z') || before == '_')
                continue;
            const char *from, *to;
            if (argument(p + len - 1, carriers[c].arg, &from, &to))
                check_literals(path, from, to, seen);
        }
    }
    free(s);
}

static void walk(const char *dir, int *seen)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        size_t n = strlen(e->d_name);
        if (n > 2 && strcmp(e->d_name + n - 2, ".c") == 0)
            check_file(path, seen);
        else if (strchr(e->d_name, '.') == NULL)
            walk(path, seen);
    }
    closedir(d);
}

static void every_code_of_the_sources_has_a_message(void **state)
{
    (void)state;
    int seen = 0;
    walk(FIXTURES "/../../src", &seen);
    assert_true(seen > 300); /* the walk found the sources' calls */
    /* the default code of every result */
    for (int r = BF_ERR_NOMEM; r <= BF_ERR_INTERNAL; r++)
        if (!bf_message_known(bf_result_code((bf_result)r)))
            fail_msg("default code %s has no message", bf_result_code((bf_result)r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(language_from_query_then_accept_language),
        cmocka_unit_test(chinese_names_the_field_of_the_resource),
        cmocka_unit_test(numbers_of_the_message_fill_the_template),
        cmocka_unit_test(english_keeps_the_servers_message),
        cmocka_unit_test(every_entry_has_both_languages),
        cmocka_unit_test(every_code_of_the_sources_has_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
