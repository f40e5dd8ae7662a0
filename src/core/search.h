/* The global search (docs/search.md): what of an account, a contact, a deal
 * and an activity is searched, as words; the one- and two-character grams
 * and word prefixes the index keeps of them; a query's pieces, the grams
 * that can lead their search and the patterns that check them. Pure: no
 * I/O.
 *
 * Words. A text is normalized (knowledge_normalize: full-width letters and
 * digits as half-width, Latin letters lowercase) and cut into words: each
 * run of Latin letters and digits is a word, and so is each run of other
 * letters (Chinese, …); everything else separates them. A record's words
 * are kept as one text, the words separated by single spaces.
 *
 * Grams. A Latin word is indexed by its prefixes of 1 to SEARCH_PREFIX_MAX
 * letters ("hos" finds "hospital"); another word by each of its characters
 * and each pair of adjacent ones ("医", "医院"), so that queries of one and
 * two characters are index lookups and longer ones are led by their rarest
 * pair, then checked against the words. */
#ifndef BF_CORE_SEARCH_H
#define BF_CORE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/result.h"

/* The kinds of records the index holds, as it numbers them. */
typedef enum search_kind {
    SEARCH_ACCOUNT = 1,
    SEARCH_CONTACT = 2,
    SEARCH_OPPORTUNITY = 3,
    SEARCH_ACTIVITY = 4,
} search_kind;

#define SEARCH_KINDS 4

/* The resource name of a kind ("accounts" …). */
const char *search_kind_name(search_kind kind);

#define SEARCH_PREFIX_MAX 12 /* a Latin word's prefixes are indexed up to this length */
#define SEARCH_GRAMS_MAX                                                                           \
    4096                       /* at most this many grams of one record (more than the             \
                                  fields' limits allow) */
#define SEARCH_BODY_CHARS 300  /* of a long text (an activity's outcome), the first characters */
#define SEARCH_PIECES_MAX 5    /* a query's words beyond these are left out */
#define SEARCH_QUERY_CHARS 100 /* the longest query */

/* Appends the words of s (NULL: none) to out, separated by single spaces
 * and from what out holds already; at most max_chars characters of s are
 * read (0: all of it). */
bf_result search_words(const char *s, size_t max_chars, buf *out);

/* What a kind's record gives the index, as search_doc reads it:
 *   accounts       name
 *   contacts       name, title, email, phone, the account's name
 *   opportunities  name, the account's name
 *   activities     subject, outcome
 * The first is the record's title; the rest its body. NULL texts are left
 * out. */
#define SEARCH_DOC_TEXTS 5

typedef struct search_doc {
    const char *title; /* the title's words */
    const char *body;  /* the body's words */
} search_doc;

/* The words of a record of kind from texts (as above), in a. A phone adds
 * to its digit groups all its digits and their last 11, 8 and 4, so that a
 * number is found however it was written; an activity's outcome gives its
 * first SEARCH_BODY_CHARS characters. */
bf_result search_doc_of(arena *a, search_kind kind, const char *const texts[SEARCH_DOC_TEXTS],
                        search_doc *out);

/* One gram of a record and its weight: 3 when it is the title's, else 1. */
typedef struct search_gram {
    char text[16];
    int weight;
} search_gram;

/* The distinct grams of a record's words (a search_doc's title and body),
 * in a; at most SEARCH_GRAMS_MAX (the rest of a very long text is not
 * indexed). */
bf_result search_grams(arena *a, const char *title, const char *body, search_gram **out, size_t *n);

/* The pieces of query q: its words, at most max (in a). */
size_t search_pieces(arena *a, const char *q, const char **pieces, size_t max);

/* Whether piece is a Latin word (matched as the start of a word), not one
 * of other letters (matched anywhere in a word). */
bool search_piece_latin(const char *piece);

/* The grams that can lead the search of piece, in a, at most max: a Latin
 * word's prefix of up to SEARCH_PREFIX_MAX letters; a word of one or two
 * other characters itself; a longer one's pairs of characters. */
size_t search_piece_grams(arena *a, const char *piece, const char **grams, size_t max);

/* The LIKE pattern that finds piece in a record's words with a space put
 * before them: "% piece%" for a Latin word, "%piece%" for another (pieces
 * hold no wildcard); in a. */
const char *search_piece_pattern(arena *a, const char *piece);

#endif
