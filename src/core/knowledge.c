/* Knowledge entries (see knowledge.h). */
#include "core/knowledge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

const char *const knowledge_kinds[] = {"case",     "selling_point", "objection",
                                       "question", "solution",      NULL};
const char *const knowledge_statuses[] = {"draft", "published", "retired", NULL};

static const char *const langs[] = {"zh", "en", NULL};
static const char *const roles[] = {"decision_maker", "approver", "evaluator", "initiator",
                                    "coach",          "user",     "other",     NULL};
static const char *const causes[] = {"emotional", "rational", NULL};
static const char *const methods[] = {"ignore", "compensate", "reason", "counter_question", NULL};
static const char *const question_types[] = {"open", "guiding", "closing", NULL};
static const char *const spin_types[] = {"situation", "problem", "implication", "need_payoff",
                                         NULL};

#define TEXT(n, most)                                                                              \
    {                                                                                              \
        .name = n, .kind = SCHEMA_TEXT, .max = most                                                \
    }
#define TEXT_REQ(n, most)                                                                          \
    {                                                                                              \
        .name = n, .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .min = 1, .max = most            \
    }
#define ENUM(n, v)                                                                                 \
    {                                                                                              \
        .name = n, .kind = SCHEMA_ENUM, .values = v                                                \
    }

static const schema short_text = {.kind = SCHEMA_TEXT, .min = 1, .max = 40};
static const schema product_text = {.kind = SCHEMA_TEXT, .min = 1, .max = 80};
static const schema place_text = {.kind = SCHEMA_TEXT, .min = 3, .max = 100};
static const schema module_text = {.kind = SCHEMA_TEXT, .min = 1, .max = 200};

/* ---- each kind's detail ---------------------------------------------------------- */

static const schema pain_members[] = {TEXT_REQ("pain", 1000), TEXT("cause", 1000), {0}};
static const schema pain = {.kind = SCHEMA_OBJECT, .members = pain_members};

static const schema case_members[] = {
    TEXT("customer", 200),
    TEXT("industry", 40),
    TEXT("region", 80),
    TEXT("size", 200),
    {.name = "amount", .kind = SCHEMA_MONEY, .min = 0, .max = INT64_C(100000000000000000)},
    TEXT("background", 4000),
    ENUM("role", roles),
    {.name = "pains", .kind = SCHEMA_ARRAY, .max = 10, .item = &pain},
    TEXT("capability", 2000),
    TEXT("delivered", 4000),
    TEXT("results", 4000),
    {.name = "may_name", .kind = SCHEMA_BOOL, .def = "false"},
    {.name = "may_contact", .kind = SCHEMA_BOOL, .def = "false"},
    {.name = "competitors", .kind = SCHEMA_ARRAY, .max = 20, .item = &product_text},
    {0}};

static const schema role_value_members[] = {
    {.name = "role", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = roles},
    TEXT("value", 1000),
    TEXT("typical_need", 1000),
    {0}};
static const schema role_value = {.kind = SCHEMA_OBJECT, .members = role_value_members};

static const schema selling_point_members[] = {
    TEXT("description", 4000),
    TEXT("company_benefit", 4000),
    {.name = "roles", .kind = SCHEMA_ARRAY, .max = 10, .item = &role_value},
    TEXT("demo_guide", 4000),
    {0}};

static const schema objection_members[] = {TEXT_REQ("wording", 1000),    ENUM("cause", causes),
                                           ENUM("method", methods),      TEXT("model_answer", 4000),
                                           TEXT("when_to_answer", 1000), {0}};

static const schema question_members[] = {TEXT_REQ("question", 1000),
                                          ENUM("question_type", question_types),
                                          ENUM("spin", spin_types),
                                          TEXT("purpose", 1000),
                                          {0}};

/* An attachment is a web address: http or https, nothing a browser runs. */
static bf_result attachment_rule(json_t *norm, const char *path, bf_error *err)
{
    const char *url = json_string_value(json_object_get(norm, "url"));
    if (url != NULL && strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", path,
                       "an attachment's url begins with https:// or http://");
    return BF_OK;
}

static const schema attachment_members[] = {TEXT_REQ("name", 200), TEXT_REQ("url", 1000), {0}};
static const schema attachment = {
    .kind = SCHEMA_OBJECT, .members = attachment_members, .rule = attachment_rule};

static const schema solution_members[] = {
    TEXT("industry", 40),
    TEXT("problem", 4000),
    TEXT("architecture", 4000),
    {.name = "modules", .kind = SCHEMA_ARRAY, .max = 40, .item = &module_text},
    {.name = "attachments", .kind = SCHEMA_ARRAY, .max = 20, .item = &attachment},
    {0}};

static const schema details[] = {
    {.name = "KnowledgeCase", .kind = SCHEMA_OBJECT, .members = case_members},
    {.name = "KnowledgeSellingPoint", .kind = SCHEMA_OBJECT, .members = selling_point_members},
    {.name = "KnowledgeObjection", .kind = SCHEMA_OBJECT, .members = objection_members},
    {.name = "KnowledgeQuestion", .kind = SCHEMA_OBJECT, .members = question_members},
    {.name = "KnowledgeSolution", .kind = SCHEMA_OBJECT, .members = solution_members},
};

/* ---- the body -------------------------------------------------------------------- */

static const schema body_members[] = {
    {.name = "kind", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = knowledge_kinds},
    {.name = "lang", .kind = SCHEMA_ENUM, .values = langs, .def = "\"zh\""},
    TEXT_REQ("title", 200),
    TEXT("summary", 2000),
    {.name = "industries", .kind = SCHEMA_ARRAY, .max = 20, .item = &short_text, .def = "[]"},
    {.name = "products", .kind = SCHEMA_ARRAY, .max = 20, .item = &product_text, .def = "[]"},
    {.name = "tags", .kind = SCHEMA_ARRAY, .max = 30, .item = &short_text, .def = "[]"},
    {.name = "stages",
     .kind = SCHEMA_ARRAY,
     .max = 40,
     .item = &place_text,
     .def = "[]",
     .doc = "Where it helps: <playbook>:<stage>"},
    {.name = "activities",
     .kind = SCHEMA_ARRAY,
     .max = 40,
     .item = &place_text,
     .def = "[]",
     .doc = "Where it helps: <playbook>:<key activity>"},
    {.name = "shareable",
     .kind = SCHEMA_BOOL,
     .def = "false",
     .doc = "Partners read it once published"},
    {.name = "reviewer", .kind = SCHEMA_TEXT, .max = 80, .doc = "Who publishes it: a user's name"},
    {.name = "status",
     .kind = SCHEMA_ENUM,
     .values = knowledge_statuses,
     .doc = "An admin's load only (an import); otherwise by publish and retire"},
    {.name = "detail",
     .kind = SCHEMA_ANY,
     .def = "{}",
     .doc = "By kind: docs/knowledge.md (KnowledgeCase, KnowledgeSellingPoint, …)"},
    {0}};

const schema knowledge_body_schema = {.name = "KnowledgeEntryBody",
                                      .kind = SCHEMA_OBJECT,
                                      .members = body_members,
                                      .doc = "A knowledge entry (知识条目)"};

bf_result knowledge_check_detail(json_t *body, bf_error *err)
{
    const char *kind = json_string_value(json_object_get(body, "kind"));
    for (size_t i = 0; knowledge_kinds[i]; i++) {
        if (kind == NULL || strcmp(kind, knowledge_kinds[i]) != 0)
            continue;
        json_t *norm;
        bf_result r =
            schema_check_at(&details[i], json_object_get(body, "detail"), "detail", &norm, err);
        if (r != BF_OK)
            return r;
        return json_object_set_new(body, "detail", norm) == 0 ? BF_OK : BF_ERR_NOMEM;
    }
    return bf_fail(err, BF_ERR_INVALID, "invalid_value", "kind", "no kind %s",
                   kind ? kind : "(none)");
}

/* ---- text ------------------------------------------------------------------------ */

/* The code point at s (its length in *len, 1 for a bad byte). */
static uint32_t next_cp(const unsigned char *s, size_t *len)
{
    return text_utf8_next((const char *)s, len);
}

/* cp as matched: full-width ASCII as ASCII, Latin capitals lowercase, the
 * ideographic and no-break spaces as a space. */
static uint32_t fold(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFEE0;
    if (cp == 0x3000 || cp == 0xA0 || cp == '\t' || cp == '\n' || cp == '\r')
        cp = ' ';
    if (cp >= 'A' && cp <= 'Z')
        cp += 'a' - 'A';
    return cp;
}

static bf_result put_cp(buf *out, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_append(out, b, n);
}

bf_result knowledge_normalize(const char *s, buf *out)
{
    bool space = false;
    bf_result r = BF_OK;
    for (const unsigned char *p = (const unsigned char *)s; r == BF_OK && p && *p;) {
        size_t len;
        uint32_t cp = fold(next_cp(p, &len));
        p += len;
        if (cp == ' ') {
            space = true;
            continue;
        }
        if (space && out->len > 0)
            r = buf_append(out, " ", 1);
        space = false;
        if (r == BF_OK)
            r = put_cp(out, cp);
    }
    return r;
}

/* Appends every text of v (a string, or those inside arrays and objects,
 * leaving out the enum codes and addresses) to out, a line each. */
static bf_result append_texts(json_t *v, const char *key, buf *out)
{
    static const char *const codes[] = {"role", "cause", "method", "question_type",
                                        "spin", "url",   NULL};
    for (size_t i = 0; key && codes[i]; i++)
        if (strcmp(key, codes[i]) == 0)
            return BF_OK;
    bf_result r = BF_OK;
    if (json_is_string(v)) {
        if ((r = knowledge_normalize(json_string_value(v), out)) == BF_OK)
            r = buf_append(out, "\n", 1);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (r == BF_OK)
                r = append_texts(e, NULL, out);
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e)
        {
            if (r == BF_OK)
                r = append_texts(e, k, out);
        }
    }
    return r;
}

const char *knowledge_search_title(arena *a, json_t *entry)
{
    buf b;
    buf_init(&b, a, 4096);
    if (knowledge_normalize(json_string_value(json_object_get(entry, "title")), &b) != BF_OK)
        return NULL;
    return buf_cstr(&b);
}

const char *knowledge_search_text(arena *a, json_t *entry)
{
    static const char *const keys[] = {"title",    "summary", "tags", "industries",
                                       "products", "detail",  NULL};
    buf b;
    buf_init(&b, a, 1 << 20);
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && keys[i]; i++)
        r = append_texts(json_object_get(entry, keys[i]), keys[i], &b);
    return r == BF_OK ? buf_cstr(&b) : NULL;
}

/* A character a gram is made of: a letter or digit of any script, not
 * white space, ASCII punctuation or the CJK and full-width signs (the
 * text is normalized: ASCII letters are lowercase). */
static bool gram_char(uint32_t cp)
{
    return text_word_char(cp);
}

typedef struct grams {
    knowledge_gram *items;
    size_t n;
} grams;

static void add_gram(grams *g, const char *text, size_t len, int weight)
{
    for (size_t i = 0; i < g->n; i++)
        if (strlen(g->items[i].text) == len && memcmp(g->items[i].text, text, len) == 0) {
            if (weight > g->items[i].weight)
                g->items[i].weight = weight;
            return;
        }
    if (g->n == KNOWLEDGE_GRAMS_MAX || len >= sizeof(g->items[0].text))
        return; /* the rest of a very long text is left to the trigram search */
    memcpy(g->items[g->n].text, text, len);
    g->items[g->n].text[len] = '\0';
    g->items[g->n].weight = weight;
    g->n++;
}

/* The grams of the normalized text s: each gram character, and each two
 * adjacent ones. */
static void grams_of(grams *g, const char *s, int weight)
{
    const unsigned char *prev = NULL;
    size_t prev_len = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t len;
        uint32_t cp = next_cp(p, &len);
        if (!gram_char(cp)) {
            prev = NULL;
            p += len;
            continue;
        }
        add_gram(g, (const char *)p, len, weight);
        if (prev != NULL)
            add_gram(g, (const char *)prev, prev_len + len, weight);
        prev = p;
        prev_len = len;
        p += len;
    }
}

static bf_result grams_of_value(arena *a, grams *g, json_t *v, int weight)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            bf_result r = grams_of_value(a, g, e, weight);
            if (r != BF_OK)
                return r;
        }
        return BF_OK;
    }
    if (!json_is_string(v))
        return BF_OK;
    buf b;
    buf_init(&b, a, 64 * 1024);
    bf_result r = knowledge_normalize(json_string_value(v), &b);
    if (r == BF_OK && buf_cstr(&b) != NULL)
        grams_of(g, buf_cstr(&b), weight);
    return r;
}

bf_result knowledge_grams(arena *a, json_t *entry, knowledge_gram **out, size_t *n)
{
    grams g = {arena_alloc(a, KNOWLEDGE_GRAMS_MAX * sizeof(knowledge_gram)), 0};
    if (g.items == NULL)
        return BF_ERR_NOMEM;
    json_t *detail = json_object_get(entry, "detail");
    json_t *parts[] = {json_object_get(entry, "title"),    json_object_get(entry, "summary"),
                       json_object_get(entry, "tags"),     json_object_get(entry, "industries"),
                       json_object_get(entry, "products"), json_object_get(detail, "customer"),
                       json_object_get(detail, "wording"), json_object_get(detail, "question")};
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < sizeof(parts) / sizeof(parts[0]); i++)
        r = grams_of_value(a, &g, parts[i], i == 0 ? 3 : 1);
    *out = g.items;
    *n = g.n;
    return r;
}

size_t knowledge_terms(arena *a, const char *q, const char **terms, size_t max)
{
    buf b;
    buf_init(&b, a, 4096);
    if (q == NULL || knowledge_normalize(q, &b) != BF_OK || buf_cstr(&b) == NULL)
        return 0;
    size_t n = 0;
    for (char *p = (char *)buf_cstr(&b); *p && n < max;) {
        char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 100) { /* cut on a character */
            len = 100;
            while (len > 0 && ((unsigned char)p[len] & 0xC0) == 0x80)
                len--;
        }
        p[len] = '\0';
        if (len > 0)
            terms[n++] = p;
        if (end == NULL)
            break;
        p = end + 1;
    }
    return n;
}

bool knowledge_term_short(const char *term)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)term; *p && chars < 3; p++)
        chars += (*p & 0xC0) != 0x80;
    return chars < 3;
}

json_t *knowledge_hits(const char *text, const char *const *terms, size_t nterms)
{
    size_t n = text ? strlen(text) : 0;
    uint32_t *cps = malloc((n + 1) * sizeof(*cps));
    size_t *at = malloc((n + 2) * sizeof(*at));
    bool *hit = calloc(n + 1, sizeof(*hit));
    json_t *segments = json_array();
    size_t count = 0;
    if (cps == NULL || at == NULL || hit == NULL || segments == NULL)
        goto fail;
    for (size_t i = 0; i < n;) {
        size_t len;
        at[count] = i;
        cps[count++] = fold(next_cp((const unsigned char *)text + i, &len));
        i += len;
    }
    at[count] = n;
    for (size_t t = 0; t < nterms; t++) {
        uint32_t want[128];
        size_t m = 0;
        for (const unsigned char *p = (const unsigned char *)terms[t]; *p && m < 128;) {
            size_t len;
            want[m++] = fold(next_cp(p, &len));
            p += len;
        }
        for (size_t i = 0; m > 0 && i + m <= count; i++) {
            size_t k = 0;
            while (k < m && cps[i + k] == want[k])
                k++;
            for (size_t j = 0; k == m && j < m; j++)
                hit[i + j] = true;
        }
    }
    for (size_t i = 0; i < count;) {
        size_t j = i;
        while (j < count && hit[j] == hit[i])
            j++;
        json_t *seg = json_pack("{s:s%, s:b}", "text", text + at[i], at[j] - at[i], "hit", hit[i]);
        if (seg == NULL || json_array_append_new(segments, seg) != 0)
            goto fail;
        i = j;
    }
    free(cps);
    free(at);
    free(hit);
    return segments;
fail:
    free(cps);
    free(at);
    free(hit);
    json_decref(segments);
    return NULL;
}
