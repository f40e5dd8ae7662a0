/* Unit tests of src/auth/token.c: generation, digests, CSRF tokens and
 * constant-time comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/token.h"

static bool all_hex(const char *s)
{
    for (; *s != '\0'; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

static void generated_tokens_are_prefixed_and_random(void **state)
{
    (void)state;
    char a[TOKEN_TEXT_MAX], b[TOKEN_TEXT_MAX];
    token_generate("bft_", a);
    token_generate("bft_", b);
    assert_int_equal(strlen(a), 4 + 43);
    assert_int_equal(strncmp(a, "bft_", 4), 0);
    assert_true(token_well_formed(a, "bft_"));
    assert_true(token_well_formed(b, "bft_"));
    assert_string_not_equal(a, b);
    assert_false(token_well_formed(a, "bfs_"));

    char s[TOKEN_TEXT_MAX];
    token_generate("bfs_", s);
    assert_true(token_well_formed(s, "bfs_"));
    assert_int_equal(strlen(s), 47);
    /* base64url without padding: no '+', '/' or '='. */
    assert_null(strpbrk(s, "+/="));
}

static void well_formedness_is_strict(void **state)
{
    (void)state;
    const char *good = "bft_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ-_01234";
    assert_int_equal(strlen(good), 47);
    assert_true(token_well_formed(good, "bft_"));
    assert_false(token_well_formed(good, "bfs_"));

    char t[TOKEN_TEXT_MAX];
    /* One character short, one too many. */
    snprintf(t, sizeof(t), "%.46s", good);
    assert_false(token_well_formed(t, "bft_"));
    snprintf(t, sizeof(t), "%sA", good);
    assert_false(token_well_formed(t, "bft_"));
    /* Characters outside base64url, anywhere in the body. */
    const char *bad = "+/=. \n\xc3";
    for (size_t i = 0; bad[i] != '\0'; i++) {
        for (size_t at = 4; at < 47; at += 21) {
            snprintf(t, sizeof(t), "%s", good);
            t[at] = bad[i];
            assert_false(token_well_formed(t, "bft_"));
        }
    }
    /* The prefix must be there, exactly. */
    snprintf(t, sizeof(t), "bfs_%s", good + 4);
    assert_false(token_well_formed(t, "bft_"));
    snprintf(t, sizeof(t), "%s", good + 4);
    assert_false(token_well_formed(t, "bft_"));
    assert_false(token_well_formed("bft_", "bft_"));
    assert_false(token_well_formed("", "bft_"));
    assert_false(token_well_formed(NULL, "bft_"));
}

static void hashes_are_stable_hex(void **state)
{
    (void)state;
    char t[TOKEN_TEXT_MAX];
    token_generate("bft_", t);
    char h1[TOKEN_HASH_HEX], h2[TOKEN_HASH_HEX];
    token_hash(t, h1);
    token_hash(t, h2);
    assert_int_equal(strlen(h1), 64);
    assert_true(all_hex(h1));
    assert_string_equal(h1, h2);
    assert_null(strstr(h1, t + 4));

    char other[TOKEN_TEXT_MAX];
    token_generate("bft_", other);
    token_hash(other, h2);
    assert_string_not_equal(h1, h2);

    /* BLAKE2b-256 of the empty string (RFC 7693 test vector family). */
    token_hash("", h1);
    assert_string_equal(h1, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
}

static void csrf_belongs_to_its_session(void **state)
{
    (void)state;
    char s1[TOKEN_TEXT_MAX], s2[TOKEN_TEXT_MAX];
    token_generate("bfs_", s1);
    token_generate("bfs_", s2);
    char c1[TOKEN_HASH_HEX], c1again[TOKEN_HASH_HEX], c2[TOKEN_HASH_HEX];
    token_csrf_of(s1, c1);
    token_csrf_of(s1, c1again);
    token_csrf_of(s2, c2);
    assert_int_equal(strlen(c1), 64);
    assert_true(all_hex(c1));
    assert_string_equal(c1, c1again);
    assert_string_not_equal(c1, c2);

    /* The CSRF token is not the stored digest of the session. */
    char h1[TOKEN_HASH_HEX];
    token_hash(s1, h1);
    assert_string_not_equal(c1, h1);
}

static void equality_is_exact(void **state)
{
    (void)state;
    char t[TOKEN_TEXT_MAX];
    token_generate("bfs_", t);
    char copy[TOKEN_TEXT_MAX];
    memcpy(copy, t, sizeof(copy));
    assert_true(token_equal(t, copy));
    copy[10] = copy[10] == 'A' ? 'B' : 'A';
    assert_false(token_equal(t, copy));
    assert_false(token_equal("abc", "abcd"));
    assert_false(token_equal("abcd", "abc"));
    assert_true(token_equal("", ""));
    assert_false(token_equal(NULL, "abc"));
    assert_false(token_equal("abc", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generated_tokens_are_prefixed_and_random),
        cmocka_unit_test(well_formedness_is_strict),
        cmocka_unit_test(hashes_are_stable_hex),
        cmocka_unit_test(csrf_belongs_to_its_session),
        cmocka_unit_test(equality_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
