/* The global search's words, grams and pieces (core/search.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/search.h"

static const char *words_of(arena *a, const char *s, size_t max)
{
    buf b;
    buf_init(&b, a, 4096);
    assert_int_equal(search_words(s, max, &b), BF_OK);
    return buf_cstr(&b);
}

static void words_split_latin_from_chinese_and_fold(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    assert_string_equal(words_of(a, "江南ERP系统（二期）", 0), "江南 erp 系统 二期");
    assert_string_equal(words_of(a, "ＷＡＮＧ.Jun@Hospital.cn", 0), "wang jun hospital cn");
    assert_string_equal(words_of(a, "  第一  人民医院 ", 0), "第一 人民医院");
    assert_string_equal(words_of(a, "项目 0001234 无线网络", 0), "项目 0001234 无线网络");
    assert_string_equal(words_of(a, "医院信息中心", 2), "医院");
    assert_string_equal(words_of(a, "——、。", 0), "");
    assert_string_equal(words_of(a, NULL, 0), "");
    arena_free(a);
}

static void docs_of_each_kind(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    search_doc d;
    const char *contact[SEARCH_DOC_TEXTS] = {"王伟", "信息中心主任", "wang.wei@jn-hospital.cn",
                                             "+86 138-0013-8000", "江南市第一人民医院"};
    assert_int_equal(search_doc_of(a, SEARCH_CONTACT, contact, &d), BF_OK);
    assert_string_equal(d.title, "王伟");
    assert_string_equal(d.body, "信息中心主任 wang wei jn hospital cn 86 138 0013 8000 "
                                "8613800138000 13800138000 00138000 8000 江南市第一人民医院");
    const char *deal[SEARCH_DOC_TEXTS] = {"门诊楼无线网络", "江南医院"};
    assert_int_equal(search_doc_of(a, SEARCH_OPPORTUNITY, deal, &d), BF_OK);
    assert_string_equal(d.title, "门诊楼无线网络");
    assert_string_equal(d.body, "江南医院");
    const char *account[SEARCH_DOC_TEXTS] = {"Acme Ltd."};
    assert_int_equal(search_doc_of(a, SEARCH_ACCOUNT, account, &d), BF_OK);
    assert_string_equal(d.title, "acme ltd");
    assert_string_equal(d.body, "");
    arena_free(a);
}

static int weight_of(const search_gram *g, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(g[i].text, text) == 0)
            return g[i].weight;
    return 0;
}

static void grams_are_characters_pairs_and_prefixes(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    search_gram *g;
    size_t n;
    assert_int_equal(search_grams(a, "医院 erp", "人民医院 hospitality", &g, &n), BF_OK);
    assert_int_equal(weight_of(g, n, "医"), 3);
    assert_int_equal(weight_of(g, n, "医院"), 3);
    assert_int_equal(weight_of(g, n, "人民"), 1);
    assert_int_equal(weight_of(g, n, "民医"), 1);
    assert_int_equal(weight_of(g, n, "人民医"), 0); /* pairs, no triples */
    assert_int_equal(weight_of(g, n, "e"), 3);
    assert_int_equal(weight_of(g, n, "erp"), 3);
    assert_int_equal(weight_of(g, n, "rp"), 0); /* prefixes only */
    assert_int_equal(weight_of(g, n, "hospitality"), 1);
    assert_int_equal(weight_of(g, n, "h"), 1);
    /* 医 院 医院, e er erp; 人 民 人民 民医 (the others are the title's); 11 prefixes */
    assert_int_equal(n, 3 + 3 + 4 + 11);
    assert_int_equal(search_grams(a, "abcdefghijklmnopq", "", &g, &n), BF_OK);
    assert_int_equal(n, SEARCH_PREFIX_MAX);
    arena_free(a);
}

static void pieces_grams_and_patterns(void **state)
{
    (void)state;
    arena *a = arena_new(4096);
    const char *p[SEARCH_PIECES_MAX];
    assert_int_equal(search_pieces(a, "江南 ERP系统 erp", p, SEARCH_PIECES_MAX), 3);
    assert_string_equal(p[0], "江南");
    assert_string_equal(p[1], "erp");
    assert_string_equal(p[2], "系统");
    assert_int_equal(search_pieces(a, " 、。 ", p, SEARCH_PIECES_MAX), 0);
    assert_int_equal(search_pieces(a, "a b c d e f g", p, SEARCH_PIECES_MAX), SEARCH_PIECES_MAX);
    const char *g[8];
    assert_int_equal(search_piece_grams(a, "人民医院", g, 8), 3);
    assert_string_equal(g[0], "人民");
    assert_string_equal(g[1], "民医");
    assert_string_equal(g[2], "医院");
    assert_int_equal(search_piece_grams(a, "王", g, 8), 1);
    assert_string_equal(g[0], "王");
    assert_int_equal(search_piece_grams(a, "hospitalization", g, 8), 1);
    assert_string_equal(g[0], "hospitaliza"
                              "t");
    assert_true(search_piece_latin("hos"));
    assert_false(search_piece_latin("医院"));
    assert_string_equal(search_piece_pattern(a, "hos"), "% hos%");
    assert_string_equal(search_piece_pattern(a, "医院"), "%医院%");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(words_split_latin_from_chinese_and_fold),
        cmocka_unit_test(docs_of_each_kind),
        cmocka_unit_test(grams_are_characters_pairs_and_prefixes),
        cmocka_unit_test(pieces_grams_and_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
