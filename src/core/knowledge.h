/* The knowledge base's entries (docs/knowledge.md): reference cases,
 * selling points, objections, questions and solutions — the body of an
 * entry and each kind's detail, declared once as schemas; the texts a
 * search reads; the one- and two-character grams a short query matches;
 * a search's terms; and the matched parts of a text for highlighting.
 * Pure: no I/O. */
#ifndef BF_CORE_KNOWLEDGE_H
#define BF_CORE_KNOWLEDGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/result.h"
#include "core/schema.h"

/* The kinds, ended by NULL; the statuses, ended by NULL. */
extern const char *const knowledge_kinds[];
extern const char *const knowledge_statuses[];

/* The body of POST and PUT /knowledge: common fields, detail by kind. */
extern const schema knowledge_body_schema;

/* Checks body (normalized by knowledge_body_schema) once more against the
 * detail schema of its kind and replaces its "detail" by the normalized
 * detail. BF_ERR_INVALID naming "detail.<field>". */
bf_result knowledge_check_detail(json_t *body, bf_error *err);

/* Writes s normalized for matching into out: full-width ASCII letters,
 * digits and signs as half-width, Latin letters lowercase, runs of white
 * space (the ideographic space too) as one space. */
bf_result knowledge_normalize(const char *s, buf *out);

/* The normalized text a search reads of entry (its title first, on a
 * line of its own, then the summary, tags, industries, products and the
 * detail's texts), in a. */
const char *knowledge_search_text(arena *a, json_t *entry);

/* The normalized title of entry, in a. */
const char *knowledge_search_title(arena *a, json_t *entry);

/* One gram of an entry: a one- or two-character text and its weight (3 in
 * the title, else 1). */
typedef struct knowledge_gram {
    char text[9];
    int weight;
} knowledge_gram;

/* The distinct one- and two-character grams of entry's short texts (the
 * title, summary, tags, industries, products, and a case's customer, an
 * objection's wording, a question's question), each with its highest
 * weight; in a, at most max (KNOWLEDGE_GRAMS_MAX). */
#define KNOWLEDGE_GRAMS_MAX 4096
bf_result knowledge_grams(arena *a, json_t *entry, knowledge_gram **out, size_t *n);

/* The terms of a query: split at white space, normalized, at most max;
 * each term is at most 100 bytes. */
#define KNOWLEDGE_TERMS_MAX 5
size_t knowledge_terms(arena *a, const char *q, const char **terms, size_t max);

/* Whether term is short: fewer than three characters (trigrams cannot
 * match it). */
bool knowledge_term_short(const char *term);

/* text as segments [{"text": …, "hit": bool}] marking where any of terms
 * occurs (compared normalized); a new reference, NULL when out of memory. */
json_t *knowledge_hits(const char *text, const char *const *terms, size_t n);

#endif
