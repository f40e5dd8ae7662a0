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

/* The message of err in lang, for resource, into a static buffer. */
static const char *said(bf_lang lang, const char *resource, const bf_error *err)
{
    static char out[480];
    bf_message_render(out, sizeof(out), lang, resource, err);
    return out;
}

static void chinese_names_the_field_of_the_resource(void **state)
{
    (void)state;
    bf_error e;
    bf_fail(&e, BF_ERR_INVALID, "required", "name", "name must have at least 1 characters");
    assert_string_equal(said(BF_LANG_ZH, "opportunities", &e), "商机名称为必填项");
    assert_string_equal(said(BF_LANG_ZH, "accounts", &e), "客户名称为必填项");
    assert_string_equal(said(BF_LANG_ZH, "teams", &e), "名称为必填项");
    /* a unit in the header is left out of the message */
    bf_fail(&e, BF_ERR_INVALID, "negative", "amount", "amount must not be negative");
    assert_string_equal(said(BF_LANG_ZH, "opportunities", &e), "金额不能为负数");
    assert_string_equal(bf_field_label("opportunities", "lines[2].quantity", BF_LANG_ZH), "数量");
    assert_string_equal(bf_field_label("contacts", "name", BF_LANG_EN), "Name");
    assert_null(bf_field_label("accounts", "no_such_field_x", BF_LANG_ZH));
}

static void the_errors_args_fill_the_template(void **state)
{
    (void)state;
    bf_error e;
    bf_fail_args(&e, BF_ERR_INVALID, "too_long", "name", BF_ARGS(BF_NUM("max", 200)),
                 "name is too long: 300 characters, at most 200");
    assert_string_equal(said(BF_LANG_ZH, "accounts", &e), "客户名称过长（最多 200 个字符）");
    bf_fail_args(&e, BF_ERR_INVALID, "too_short", "password", BF_ARGS(BF_NUM("min", 8)),
                 "the password must have at least 8 characters");
    assert_string_equal(said(BF_LANG_ZH, "users", &e), "密码至少需要 8 个字符");
    /* the numbers of the field's path and of the message are not the args */
    bf_fail_args(&e, BF_ERR_INVALID, "too_short", "items[3].name", BF_ARGS(BF_NUM("min", 2)),
                 "items[3].name needs at least 2 characters, not 1");
    assert_string_equal(said(BF_LANG_ZH, NULL, &e), "名称至少需要 2 个字符");
    bf_fail_args(&e, BF_ERR_INVALID, "too_many", "tags", BF_ARGS(BF_NUM("max", 20)),
                 "the account 3 of 7 would carry more than 20 tags");
    assert_string_equal(said(BF_LANG_ZH, NULL, &e), "标签的项数过多（最多 20 项）");
    /* a remark about a value the error does not name is left out */
    bf_fail_args(&e, BF_ERR_INVALID, "too_long", "q", BF_ARGS(BF_NUM("max_bytes", 200)),
                 "q is too long: at most 200 bytes");
    assert_string_equal(said(BF_LANG_ZH, NULL, &e), "搜索词过长（最多 200 字节）");
    bf_fail(&e, BF_ERR_INVALID, "too_long", "q", "q is too long: at most 200 bytes");
    assert_string_equal(said(BF_LANG_ZH, NULL, &e), "搜索词过长");
    bf_fail_args(&e, BF_ERR_INVALID, "out_of_range", "limit",
                 BF_ARGS(BF_NUM("min", 1), BF_NUM("max", 200)), "limit is 1 to 200");
    assert_string_equal(said(BF_LANG_ZH, NULL, &e), "每页条数超出允许范围（1 至 200）");
    /* a value that is not a number: a text */
    bf_fail_args(&e, BF_ERR_INVALID, "unknown_column", NULL, BF_ARGS(BF_TEXT("name", "名称 2")),
                 "no column is named 名称 2");
    assert_string_equal(said(BF_LANG_ZH, "accounts", &e), "未知的列：名称 2");
    assert_string_equal(said(BF_LANG_EN, "accounts", &e), "no column is named 名称 2");
    /* several, in the order of the template */
    bf_fail_args(&e, BF_ERR_INVALID, "bulk_refused", "ids",
                 BF_ARGS(BF_NUM("refused", 2), BF_NUM("total", 5)),
                 "2 of the 5 opportunities may not be changed");
    assert_string_equal(said(BF_LANG_ZH, NULL, &e),
                        "5 条记录中有 2 条不能修改（见列表），未做任何修改");
}

static void a_phrase_is_said_in_the_language(void **state)
{
    (void)state;
    bf_error e;
    bf_fail_args(&e, BF_ERR_INVALID, "wrong_type", "employees",
                 BF_ARGS(BF_PHRASE("expected", "whole_number")), "not a whole number");
    assert_string_equal(said(BF_LANG_ZH, "accounts", &e), "员工人数的格式不正确（应为整数）");
    assert_string_equal(said(BF_LANG_EN, "accounts", &e), "not a whole number");
    /* a phrase names the error's values too */
    bf_fail_args(&e, BF_ERR_INVALID, "template_syntax", "body",
                 BF_ARGS(BF_NUM("line", 3), BF_NUM("column", 14), BF_PHRASE("reason", "closed_as"),
                         BF_TEXT("name", "items"), BF_TEXT("as", "item")),
                 "line 3, column 14: section \"items\" is closed as \"item\"");
    assert_string_equal(said(BF_LANG_ZH, NULL, &e),
                        "模板语法错误（第 3 行第 14 列）：区段“items”的结束标签写成了“item”");
    assert_string_equal(bf_phrase("closed_as", BF_LANG_EN), "section {name} is closed as {as}");
    assert_null(bf_phrase("no_such_phrase_x", BF_LANG_ZH));
    /* an unknown key is said as it is */
    bf_fail_args(&e, BF_ERR_INVALID, "wrong_type", "x", BF_ARGS(BF_PHRASE("expected", "xyz")), "x");
    assert_string_equal(said(BF_LANG_ZH, NULL, &e), "x的格式不正确（应为xyz）");
}

static void english_keeps_the_servers_message(void **state)
{
    (void)state;
    bf_error e;
    bf_fail(&e, BF_ERR_INVALID, "required", "name", "name must have at least 1 characters");
    assert_string_equal(said(BF_LANG_EN, "accounts", &e), "name must have at least 1 characters");
    /* without one, the code's English template */
    bf_fail(&e, BF_ERR_INVALID, "required", "name", "%s", "");
    assert_string_equal(said(BF_LANG_EN, "accounts", &e), "Account name is required");
    bf_fail_args(&e, BF_ERR_INVALID, "unknown_column", NULL, BF_ARGS(BF_TEXT("name", "x")), "%s",
                 "");
    assert_string_equal(said(BF_LANG_EN, NULL, &e), "No column is named x");
    /* a code without a template keeps the message in both languages */
    bf_fail(&e, BF_ERR_INVALID, "no_such_code_x", NULL, "as it is");
    assert_string_equal(said(BF_LANG_ZH, NULL, &e), "as it is");
    /* a short buffer ends on a whole character */
    char small[8];
    bf_fail(&e, BF_ERR_NOT_FOUND, "not_found", NULL, "x");
    bf_message_render(small, sizeof(small), BF_LANG_ZH, NULL, &e);
    assert_string_equal(small, "记录");
}

static void every_entry_has_both_languages(void **state)
{
    (void)state;
    for (size_t i = 0; bf_message_at(i); i++) {
        const bf_message *m = bf_message_at(i);
        if (m->zh == NULL || m->en == NULL || m->zh[0] == '\0' || m->en[0] == '\0')
            fail_msg("code %s lacks a template", m->code);
    }
    for (size_t i = 0; bf_phrase_at(i); i++) {
        const bf_message *m = bf_phrase_at(i);
        if (m->zh == NULL || m->en == NULL || m->zh[0] == '\0' || m->en[0] == '\0')
            fail_msg("phrase %s lacks its words", m->code);
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

/* Whether the walk keeps what it finds to itself (its own test's cases). */
static int quiet;

/* Whether s (n bytes) looks like a code: lower-case letters and '_'. */
static int code_like(const char *s, size_t n)
{
    int ok = n > 0 && n < 40;
    for (size_t i = 0; i < n && ok; i++)
        ok = (s[i] >= 'a' && s[i] <= 'z') || s[i] == '_';
    return ok;
}

/* The names of the values a call gives its error: the first arguments of
 * its BF_NUM, BF_TEXT and BF_PHRASE, '\n'-separated in names. */
static void given_names(const char *from, const char *to, char *names, size_t cap)
{
    static const char *const makers[] = {"BF_NUM(\"", "BF_TEXT(\"", "BF_PHRASE(\""};
    size_t len = 0;
    names[0] = '\0';
    for (const char *p = from; p < to; p++)
        for (size_t m = 0; m < 3; m++) {
            size_t k = strlen(makers[m]);
            if ((size_t)(to - p) <= k || strncmp(p, makers[m], k) != 0)
                continue;
            const char *s = p + k, *e = strchr(s, '"');
            if (e && len + (size_t)(e - s) + 2 < cap) {
                memcpy(names + len, s, (size_t)(e - s));
                len += (size_t)(e - s);
                names[len++] = '\n';
                names[len] = '\0';
            }
        }
}

/* Whether names (given_names) holds name (n bytes). */
static int names_hold(const char *names, const char *name, size_t n)
{
    for (const char *p = names; *p;) {
        const char *e = strchr(p, '\n');
        if ((size_t)(e - p) == n && strncmp(p, name, n) == 0)
            return 1;
        p = e + 1;
    }
    return 0;
}

/* The placeholders of template tpl that are not "{field}" and not within a
 * remark in brackets (a remark is left out without its value): each must
 * be given. Counts those names lacks in *lacking, telling of each. */
static void check_template(const char *where, const char *what, const char *tpl, const char *names,
                           int *lacking)
{
    int in_remark = 0;
    for (const char *p = tpl; *p; p++) {
        if (strncmp(p, "（", strlen("（")) == 0 || (p[0] == ' ' && p[1] == '('))
            in_remark = 1;
        else if (strncmp(p, "）", strlen("）")) == 0 || *p == ')')
            in_remark = 0;
        if (*p != '{')
            continue;
        size_t n = 0;
        while (p[1 + n] == '_' || (p[1 + n] >= 'a' && p[1 + n] <= 'z'))
            n++;
        if (n == 0 || p[1 + n] != '}' || (n == 5 && strncmp(p + 1, "field", 5) == 0) || in_remark)
            continue;
        if (!names_hold(names, p + 1, n)) {
            (*lacking)++;
            if (!quiet)
                print_message("%s: %s names {%.*s}, which the call does not give\n", where, what,
                              (int)n, p + 1);
        }
    }
}

/* Checks the code (n bytes at s) of a call whose text is [from, to): it is
 * in the catalogue, and each of its templates (any field's, either
 * language) names only values the call gives. */
static void check_code(const char *file, const char *s, size_t n, const char *from, const char *to,
                       int *seen, int *lacking)
{
    char code[40];
    memcpy(code, s, n);
    code[n] = '\0';
    (*seen)++;
    if (!bf_message_known(code)) {
        (*lacking)++;
        if (!quiet)
            print_message("%s: error code \"%s\" has no message in src/core/messages.c\n", file,
                          code);
        return;
    }
    char names[512];
    given_names(from, to, names, sizeof(names));
    char where[300];
    snprintf(where, sizeof(where), "%s: %.60s…", file, from);
    for (size_t i = 0; bf_message_at(i); i++) {
        const bf_message *m = bf_message_at(i);
        if (strcmp(m->code, code) != 0)
            continue;
        check_template(where, code, m->zh, names, lacking);
        check_template(where, code, m->en, names, lacking);
    }
}

/* Checks the phrase key (n bytes at s) a call of [from, to) says: it is a
 * phrase of the catalogue, whose values the call gives. */
static void check_phrase(const char *file, const char *s, size_t n, const char *from,
                         const char *to, int *lacking)
{
    char key[40];
    memcpy(key, s, n);
    key[n] = '\0';
    char names[512], where[300];
    given_names(from, to, names, sizeof(names));
    snprintf(where, sizeof(where), "%s: %.60s…", file, from);
    const char *zh = bf_phrase(key, BF_LANG_ZH), *en = bf_phrase(key, BF_LANG_EN);
    if (zh == NULL || en == NULL) {
        (*lacking)++;
        if (!quiet)
            print_message("%s: phrase \"%s\" is not in src/core/messages.c\n", where, key);
        return;
    }
    check_template(where, key, zh, names, lacking);
    check_template(where, key, en, names, lacking);
}

/* The string literals of [from, to) that look like codes, each passed to
 * check (with the whole call [call, end)). */
static void each_code(const char *file, const char *from, const char *to, const char *call,
                      const char *end, int *seen, int *lacking, int phrase)
{
    for (const char *p = from; p < to; p++) {
        if (*p != '"')
            continue;
        const char *s = ++p;
        while (p < to && *p != '"')
            p++;
        if (!code_like(s, (size_t)(p - s)))
            continue;
        if (phrase)
            check_phrase(file, s, (size_t)(p - s), call, end, lacking);
        else
            check_code(file, s, (size_t)(p - s), call, end, seen, lacking);
    }
}

/* The calls that carry an error code (code: which argument it is), and
 * those that carry the key of a phrase (phrase). */
static const struct {
    const char *name;
    int code, phrase;
} carriers[] = {
    {"bf_fail(", 2, -1},   {"bf_fail_args(", 2, -1}, {"http_respond_error(", 2, -1},
    {"line_fail(", 3, -1}, {"fail_at(", 3, -1},      {" bad(", 2, -1},
    {"problem(", 2, -1},   {"syntax_error(", -1, 2},
};

/* Checks the calls of source text s (of file): their codes, their phrases
 * and the values those name. */
static void check_text(const char *file, const char *s, int *seen, int *lacking)
{
    for (size_t c = 0; c < sizeof(carriers) / sizeof(carriers[0]); c++) {
        size_t len = strlen(carriers[c].name);
        for (const char *p = strstr(s, carriers[c].name); p; p = strstr(p + 1, carriers[c].name)) {
            char before = p > s ? p[-1] : ' ';
            if ((before >= 'a' && before <= 'z') || before == '_')
                continue;
            const char *open = p + len - 1, *from, *to, *end, *dummy;
            /* the whole call: up to the end of its last argument */
            int k = 0;
            while (argument(open, k + 1, &dummy, &end))
                k++;
            if (!argument(open, k, &dummy, &end))
                continue;
            if (carriers[c].code >= 0 && argument(open, carriers[c].code, &from, &to))
                each_code(file, from, to, open, end, seen, lacking, 0);
            if (carriers[c].phrase >= 0 && argument(open, carriers[c].phrase, &from, &to))
                each_code(file, from, to, open, end, seen, lacking, 1);
        }
    }
    /* the phrases any call says: BF_PHRASE("name", "key") */
    for (const char *p = strstr(s, "BF_PHRASE(\""); p; p = strstr(p + 1, "BF_PHRASE(\"")) {
        const char *from, *to, *call_from, *call_to;
        if (!argument(p + strlen("BF_PHRASE"), 1, &from, &to))
            continue;
        /* the call it is in: the innermost bf_fail_args, bad or syntax_error before it */
        call_from = p;
        call_to = to;
        for (const char *q = p; q > s && p - q < 600; q--)
            if (strncmp(q, "bf_fail_args(", 13) == 0 || strncmp(q, " bad(", 5) == 0 ||
                strncmp(q, "syntax_error(", 13) == 0) {
                const char *open = strchr(q, '('), *d;
                int k = 0;
                while (argument(open, k + 1, &d, &call_to))
                    k++;
                argument(open, k, &d, &call_to);
                call_from = open;
                break;
            }
        each_code(file, from, to, call_from, call_to, seen, lacking, 1);
    }
}

static void check_file(const char *path, int *seen, int *lacking)
{
    char *s = slurp(path);
    assert_non_null(s);
    check_text(path, s, seen, lacking);
    free(s);
}

static void walk(const char *dir, int *seen, int *lacking)
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
            check_file(path, seen, lacking);
        else if (strchr(e->d_name, '.') == NULL)
            walk(path, seen, lacking);
    }
    closedir(d);
}

static void every_code_of_the_sources_has_a_message(void **state)
{
    (void)state;
    int seen = 0, lacking = 0;
    walk(FIXTURES "/../../src", &seen, &lacking);
    assert_true(seen > 300); /* the walk found the sources' calls */
    assert_int_equal(lacking, 0);
    /* the default code of every result */
    for (int r = BF_ERR_NOMEM; r <= BF_ERR_INTERNAL; r++)
        if (!bf_message_known(bf_result_code((bf_result)r)))
            fail_msg("default code %s has no message", bf_result_code((bf_result)r));
}

/* The walk finds a call that does not give what its code's template or
 * its phrase names, and an unknown code or phrase. */
static void the_walk_finds_a_value_not_given(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int lacking;
    } cases[] = {
        {"bf_fail(err, BF_ERR_INVALID, \"too_many_rows\", NULL, \"too many\");", 1},
        {"bf_fail_args(err, BF_ERR_INVALID, \"too_many_rows\", NULL, "
         "BF_ARGS(BF_NUM(\"max\", 9)), \"at most 9\");",
         0},
        {"bf_fail_args(err, BF_ERR_INVALID, \"too_many_rows\", NULL, "
         "BF_ARGS(BF_NUM(\"limit\", 9)), \"at most 9\");",
         1},
        /* a value in a remark may be left out */
        {"bf_fail(err, BF_ERR_INVALID, \"too_long\", \"name\", \"too long\");", 0},
        {"bf_fail(err, BF_ERR_INVALID, \"no_such_code_x\", \"name\", \"x\");", 1},
        {"return bad(err, col, \"wrong_type\", BF_ARGS(BF_PHRASE(\"expected\", \"no_such_x\")), "
         "\"x\");",
         1},
        {"syntax_error(p, at, \"closed_as\", BF_ARGS(BF_TEXT(\"name\", n)), \"x\");", 2},
        {"syntax_error(p, at, \"closed_as\", BF_ARGS(BF_TEXT(\"name\", n), BF_TEXT(\"as\", a)), "
         "\"x\");",
         0},
    };
    quiet = 1;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int seen = 0, lacking = 0;
        check_text("case", cases[i].text, &seen, &lacking);
        if (lacking != cases[i].lacking)
            fail_msg("case %zu: %d lacking, not %d", i, lacking, cases[i].lacking);
    }
    quiet = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(language_from_query_then_accept_language),
        cmocka_unit_test(chinese_names_the_field_of_the_resource),
        cmocka_unit_test(the_errors_args_fill_the_template),
        cmocka_unit_test(a_phrase_is_said_in_the_language),
        cmocka_unit_test(english_keeps_the_servers_message),
        cmocka_unit_test(every_entry_has_both_languages),
        cmocka_unit_test(every_code_of_the_sources_has_a_message),
        cmocka_unit_test(the_walk_finds_a_value_not_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
