/* The global search's words, grams and pieces (see search.h). */
#include "core/search.h"

#include <string.h>

#include "core/knowledge.h"
#include "core/text.h"

const char *search_kind_name(search_kind kind)
{
    switch (kind) {
    case SEARCH_ACCOUNT:
        return "accounts";
    case SEARCH_CONTACT:
        return "contacts";
    case SEARCH_OPPORTUNITY:
        return "opportunities";
    case SEARCH_ACTIVITY:
        return "activities";
    }
    return "";
}

/* 1 for an ASCII letter or digit, 2 for a letter of another script, 0 for
 * what separates words. */
static int char_class(uint32_t cp)
{
    if (!text_word_char(cp))
        return 0;
    return cp < 0x80 ? 1 : 2;
}

bf_result search_words(const char *s, size_t max_chars, buf *out)
{
    if (s == NULL || *s == '\0')
        return BF_OK;
    buf norm;
    buf_init(&norm, out->arena, strlen(s) * 2 + 16);
    bf_result r = knowledge_normalize(s, &norm);
    if (r != BF_OK)
        return r;
    int prev = 0;
    size_t chars = 0;
    for (const char *p = buf_cstr(&norm); r == BF_OK && *p && (max_chars == 0 || chars < max_chars);
         chars++) {
        size_t len;
        int cls = char_class(text_utf8_next(p, &len));
        if (cls != 0 && cls != prev && out->len > 0)
            r = buf_append(out, " ", 1);
        if (cls != 0 && r == BF_OK)
            r = buf_append(out, p, len);
        prev = cls;
        p += len;
    }
    return r;
}

/* Appends the words of a phone number: its groups as written, then all its
 * digits and the last 11, 8 and 4 of them (when it has more). */
static bf_result phone_words(const char *phone, buf *out)
{
    size_t start = out->len;
    bf_result r = search_words(phone, 0, out);
    char digits[64];
    size_t n = 0;
    for (size_t i = start; r == BF_OK && i < out->len && n + 1 < sizeof(digits); i++)
        if (out->data[i] >= '0' && out->data[i] <= '9')
            digits[n++] = out->data[i];
    digits[n] = '\0';
    static const size_t tails[] = {0, 11, 8, 4};
    for (size_t i = 0; r == BF_OK && n > 0 && i < sizeof(tails) / sizeof(tails[0]); i++) {
        if (tails[i] != 0 && n <= tails[i])
            continue;
        r = buf_append(out, " ", 1);
        if (r == BF_OK)
            r = buf_append_str(out, tails[i] ? digits + n - tails[i] : digits);
    }
    return r;
}

/* The first n characters of s, in a (NULL when out of memory: then no
 * words). */
static const char *first_chars(arena *a, const char *s, size_t n)
{
    size_t at = 0;
    for (size_t chars = 0; s[at] && chars < n; chars++) {
        size_t len;
        text_utf8_next(s + at, &len);
        at += len;
    }
    return arena_strndup(a, s, at);
}

bf_result search_doc_of(arena *a, search_kind kind, const char *const texts[SEARCH_DOC_TEXTS],
                        search_doc *out)
{
    buf title, body;
    buf_init(&title, a, 16 * 1024);
    buf_init(&body, a, 64 * 1024);
    bf_result r = search_words(texts[0], 0, &title);
    for (size_t i = 1; r == BF_OK && i < SEARCH_DOC_TEXTS; i++) {
        if (kind == SEARCH_CONTACT && i == 3)
            r = texts[i] ? phone_words(texts[i], &body) : BF_OK;
        else if (kind == SEARCH_ACTIVITY && texts[i] != NULL)
            r = search_words(first_chars(a, texts[i], SEARCH_BODY_CHARS), 0, &body);
        else
            r = search_words(texts[i], 0, &body);
    }
    if (r != BF_OK)
        return r;
    out->title = arena_strdup(a, buf_cstr(&title));
    out->body = arena_strdup(a, buf_cstr(&body));
    return out->title && out->body ? BF_OK : BF_ERR_NOMEM;
}

typedef struct gram_set {
    search_gram *items;
    size_t n;
} gram_set;

static void add_gram(gram_set *g, const char *text, size_t len, int weight)
{
    if (len >= sizeof(g->items[0].text))
        return;
    for (size_t i = 0; i < g->n; i++)
        if (strlen(g->items[i].text) == len && memcmp(g->items[i].text, text, len) == 0) {
            if (weight > g->items[i].weight)
                g->items[i].weight = weight;
            return;
        }
    if (g->n == SEARCH_GRAMS_MAX)
        return;
    memcpy(g->items[g->n].text, text, len);
    g->items[g->n].text[len] = '\0';
    g->items[g->n].weight = weight;
    g->n++;
}

/* The grams of one word w[0..len). */
static void word_grams(gram_set *g, const char *w, size_t len, int weight)
{
    if ((unsigned char)w[0] < 0x80) {
        for (size_t k = 1; k <= len && k <= SEARCH_PREFIX_MAX; k++)
            add_gram(g, w, k, weight);
        return;
    }
    size_t prev = 0, at = 0;
    bool first = true;
    while (at < len) {
        size_t n;
        text_utf8_next(w + at, &n);
        add_gram(g, w + at, n, weight);
        if (!first)
            add_gram(g, w + prev, at + n - prev, weight);
        first = false;
        prev = at;
        at += n;
    }
}

static void words_grams(gram_set *g, const char *words, int weight)
{
    for (const char *p = words; p && *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0)
            word_grams(g, p, len, weight);
        if (end == NULL)
            break;
        p = end + 1;
    }
}

bf_result search_grams(arena *a, const char *title, const char *body, search_gram **out, size_t *n)
{
    gram_set g = {arena_alloc(a, SEARCH_GRAMS_MAX * sizeof(search_gram)), 0};
    if (g.items == NULL)
        return BF_ERR_NOMEM;
    words_grams(&g, title, 3);
    words_grams(&g, body, 1);
    *out = g.items;
    *n = g.n;
    return BF_OK;
}

size_t search_pieces(arena *a, const char *q, const char **pieces, size_t max)
{
    buf b;
    buf_init(&b, a, 4096);
    if (q == NULL || search_words(q, SEARCH_QUERY_CHARS, &b) != BF_OK || b.len == 0)
        return 0;
    char *words = arena_strdup(a, buf_cstr(&b));
    size_t n = 0;
    for (char *p = words; p && *p && n < max;) {
        char *end = strchr(p, ' ');
        if (end != NULL)
            *end = '\0';
        bool seen = false;
        for (size_t i = 0; i < n; i++)
            seen = seen || strcmp(pieces[i], p) == 0;
        if (!seen)
            pieces[n++] = p;
        p = end ? end + 1 : NULL;
    }
    return n;
}

bool search_piece_latin(const char *piece)
{
    return piece != NULL && (unsigned char)piece[0] < 0x80;
}

size_t search_piece_grams(arena *a, const char *piece, const char **grams, size_t max)
{
    size_t len = strlen(piece), n = 0;
    if (max == 0 || len == 0)
        return 0;
    if (search_piece_latin(piece)) {
        grams[0] = arena_strndup(a, piece, len < SEARCH_PREFIX_MAX ? len : SEARCH_PREFIX_MAX);
        return grams[0] ? 1 : 0;
    }
    size_t chars = text_utf8_length(piece, len);
    if (chars <= 2) {
        grams[0] = piece;
        return 1;
    }
    size_t prev = 0, at = 0;
    text_utf8_next(piece, &at);
    while (at < len && n < max) {
        size_t k;
        text_utf8_next(piece + at, &k);
        if ((grams[n] = arena_strndup(a, piece + prev, at + k - prev)) == NULL)
            return n;
        n++;
        prev = at;
        at += k;
    }
    return n;
}

const char *search_piece_pattern(arena *a, const char *piece)
{
    return arena_printf(a, search_piece_latin(piece) ? "%% %s%%" : "%%%s%%", piece);
}
