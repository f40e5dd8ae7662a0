/* The messages of the API's errors in the request's language (docs/api.md
 * "Languages of messages"): one catalogue, per error code (and, where the
 * words differ, per code and field), of a Chinese and an English template,
 * phrases the templates say, and the names of fields in both languages. The
 * English answer is the server's own message, which names the values at
 * fault; the Chinese one is the code's template filled with the field's
 * Chinese name and the values the error carries (bf_error's args). Pure: no
 * I/O. */
#ifndef BF_CORE_MESSAGES_H
#define BF_CORE_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/result.h"

typedef enum bf_lang {
    BF_LANG_EN,
    BF_LANG_ZH,
} bf_lang;

/* The language of a request: the query's lang (zh or en) wins; else the
 * Accept-Language tag of the highest weight, zh* giving zh; else English.
 * Either may be NULL. */
bf_lang bf_lang_of(const char *query_lang, const char *accept_language);

/* One entry of the catalogue: a code (and a field, NULL for any) and its
 * templates; or a phrase (code is its key, field NULL). */
typedef struct bf_message {
    const char *code;
    const char *field;
    const char *zh, *en;
} bf_message;

/* Whether the catalogue has the code. */
bool bf_message_known(const char *code);

/* The template of code (for field, when a template of that pair exists) in
 * lang, or NULL for a code the catalogue lacks. {field} stands for the
 * field's name, {max} and the like for the error's arg of that name (a
 * phrase's in its words); a remark in brackets ("（…）", " (…)") naming an
 * arg the error lacks is left out. */
const char *bf_message_template(const char *code, const char *field, bf_lang lang);

/* The name of field in lang, for a record of resource (its URL segment, may
 * be NULL): "lines[2].quantity" is named by "quantity". NULL when no name is
 * declared. */
const char *bf_field_label(const char *resource, const char *field, bf_lang lang);

/* The words of the phrase key in lang, or NULL for a key the catalogue
 * lacks. */
const char *bf_phrase(const char *key, bf_lang lang);

/* Writes into out (cap bytes, always ended) the message of err in lang, its
 * field named as resource (the URL segment, may be NULL) names it: in
 * English the server's message as it is, or the code's template when that is
 * empty; in Chinese the code's template filled in, or the message for a code
 * without one. */
void bf_message_render(char *out, size_t cap, bf_lang lang, const char *resource,
                       const bf_error *err);

/* The entries of the catalogue and its phrases, ended by NULL (for tests
 * and documentation). */
const bf_message *bf_message_at(size_t i);
const bf_message *bf_phrase_at(size_t i);

#endif
