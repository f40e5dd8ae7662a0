/* The messages of the API's errors in the request's language (docs/api.md
 * "Languages of messages"): one catalogue, per error code (and, where the
 * words differ, per code and field), of a Chinese and an English template,
 * and the names of fields in both languages. The English answer is the
 * server's own message, which names the values at fault; the Chinese one is
 * the code's template with the field's Chinese name and the numbers of that
 * message. Pure: no I/O. */
#ifndef BF_CORE_MESSAGES_H
#define BF_CORE_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum bf_lang {
    BF_LANG_EN,
    BF_LANG_ZH,
} bf_lang;

/* The language of a request: the query's lang (zh or en) wins; else the
 * Accept-Language tag of the highest weight, zh* giving zh; else English.
 * Either may be NULL. */
bf_lang bf_lang_of(const char *query_lang, const char *accept_language);

/* Whether the catalogue has the code. */
bool bf_message_known(const char *code);

/* The template of code (for field, when a template of that pair exists) in
 * lang, or NULL for a code the catalogue lacks. {field} stands for the
 * field's name; {1}, {2} and {n} for the first, second and last number of
 * the English message. */
const char *bf_message_template(const char *code, const char *field, bf_lang lang);

/* The name of field in lang, for a record of resource (its URL segment, may
 * be NULL): "lines[2].quantity" is named by "quantity". NULL when no name is
 * declared. */
const char *bf_field_label(const char *resource, const char *field, bf_lang lang);

/* Writes into out (cap bytes, always ended) the message of an error in lang:
 * in English the server's message (en_message) as it is, or the code's
 * template when that is empty; in Chinese the code's template filled in, or
 * en_message for a code without one. */
void bf_message_render(char *out, size_t cap, bf_lang lang, const char *resource, const char *code,
                       const char *field, const char *en_message);

/* The codes of the catalogue, ended by NULL (for tests and documentation). */
const char *bf_message_code_at(size_t i);

#endif
