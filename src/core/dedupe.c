/* Duplicate keys (see dedupe.h). */
#include "core/dedupe.h"

#include <string.h>

/* Decodes one UTF-8 character of s (n bytes left) into *cp; returns its
 * length, or 1 with *cp = -1 for a byte that begins no valid character. */
static size_t utf8_next(const unsigned char *s, size_t n, long *cp)
{
    unsigned char c = s[0];
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len == 0 || len > n) {
        *cp = -1;
        return 1;
    }
    long v = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
}

static size_t utf8_put(char *out, long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Full-width forms of ASCII (！ to ～) and the ideographic space, as ASCII. */
static long half_width(long cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFF01 + 0x21;
    if (cp == 0x3000 || cp == 0x00A0)
        return ' ';
    return cp;
}

/* What a name key leaves out: spaces, brackets of every kind and the
 * punctuation people put in names or leave out of them. */
static bool is_ignored(long cp)
{
    static const long ignored[] = {' ',
                                   '\t',
                                   '\r',
                                   '\n',
                                   '(',
                                   ')',
                                   '[',
                                   ']',
                                   '{',
                                   '}',
                                   '<',
                                   '>',
                                   '.',
                                   ',',
                                   '-',
                                   '_',
                                   '\'',
                                   '"',
                                   '&',
                                   '/',
                                   0x00B7,
                                   /* · */ 0x2022,
                                   /* • */ 0x2014,
                                   /* — */ 0x2013,
                                   /* – */ 0x3001, /* 、 */
                                   0x3002,
                                   /* 。 */ 0x3008,
                                   0x3009,
                                   0x300A,
                                   0x300B,
                                   0x300C,
                                   0x300D,
                                   0x300E,
                                   0x300F,
                                   0x3010,
                                   0x3011,
                                   /* 【】 */ 0x3014,
                                   0x3015,
                                   /* 〔〕 */ 0x3016,
                                   0x3017,
                                   0x2018,
                                   0x2019,
                                   0x201C,
                                   0x201D,
                                   /* “” */ 0x30FB,
                                   /* ・ */ 0x200B,
                                   0xFEFF};
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        if (ignored[i] == cp)
            return true;
    return false;
}

/* Replaces every "from" in s (len bytes, NUL-terminated) by the shorter
 * "to", in place; returns the new length. */
static size_t replace_all(char *s, size_t len, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), r = 0, w = 0;
    while (r < len) {
        if (len - r >= nf && memcmp(s + r, from, nf) == 0) {
            memmove(s + w, to, nt);
            w += nt;
            r += nf;
        } else
            s[w++] = s[r++];
    }
    s[w] = '\0';
    return w;
}

/* What a key keeps of a character (half-width already): -1 to leave it out,
 * else the character as kept. */
typedef long (*keep_fn)(long cp);

static long name_keeps(long cp)
{
    if (is_ignored(cp))
        return -1;
    return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
}

static long code_keeps(long cp)
{
    if (cp == ' ' || cp == '\t' || cp == '-')
        return -1;
    return cp >= 'a' && cp <= 'z' ? cp - ('a' - 'A') : cp;
}

/* text with each character made half-width, then kept as keep says, in a
 * (bytes that are not UTF-8 kept as they are); NULL when out of memory. A
 * half-width form is never longer than its full-width one, so the result
 * fits in the text's length. */
static char *normalize(arena *a, const char *text, keep_fn keep, size_t *len)
{
    size_t n = strlen(text);
    char *out = arena_alloc(a, n + 1);
    if (out == NULL)
        return NULL;
    const unsigned char *s = (const unsigned char *)text;
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        long cp;
        size_t step = utf8_next(s + i, n - i, &cp);
        if (cp < 0)
            out[w++] = (char)s[i];
        else if ((cp = keep(half_width(cp))) >= 0)
            w += utf8_put(out + w, cp);
        i += step;
    }
    out[w] = '\0';
    *len = w;
    return out;
}

char *dedupe_name_key(arena *a, const char *name)
{
    size_t w;
    char *out = normalize(a, name, name_keeps, &w);
    if (out != NULL && w > 0)
        replace_all(out, w, "有限责任公司", "有限公司");
    return out;
}

char *dedupe_credit_code_normalize(arena *a, const char *code)
{
    size_t w;
    return normalize(a, code, code_keeps, &w);
}

bool dedupe_credit_code_valid(const char *code)
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    if (strlen(code) != 18)
        return false;
    int sum = 0;
    for (int i = 0; i < 18; i++) {
        const char *p = code[i] ? strchr(alphabet, code[i]) : NULL;
        if (p == NULL)
            return false;
        if (i < 17)
            sum += (int)(p - alphabet) * weights[i];
        else
            return alphabet[(31 - sum % 31) % 31] == code[17];
    }
    return false;
}
