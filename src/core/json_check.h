/* Shared checks of JSON request bodies for the pure-logic modules: each one
 * fills a bf_error (BF_ERR_INVALID, a stable code, the field path and a
 * message naming it) so every module reports the same failure the same way.
 * Field paths read "parent.key" and "parent[i]". */
#ifndef BF_CORE_JSON_CHECK_H
#define BF_CORE_JSON_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/result.h"

/* Writes "parent.key" (or key alone when parent is empty or NULL) into out,
 * cut to cap bytes. */
void json_check_path_key(char *out, size_t cap, const char *parent, const char *key);

/* Writes "parent[i]" into out, cut to cap bytes. */
void json_check_path_index(char *out, size_t cap, const char *parent, size_t i);

/* Writes the path "parent.key" into field (cap bytes) and returns the member
 * key of obj: NULL when absent, a JSON null as it is. */
json_t *json_check_member(json_t *obj, const char *parent, const char *key, char *field,
                          size_t cap);

/* True when s equals one of values (a NULL-ended list). */
bool json_check_one_of(const char *s, const char *const *values);

/* True when s is an id: 1 to 40 lowercase ASCII letters, digits, '_' or '-'. */
bool json_check_id_valid(const char *s);

/* Fails with "required" ("<field> is required") when v is absent (NULL) or
 * JSON null. */
bf_result json_check_required(json_t *v, const char *field, bf_error *err);

/* Fails with "wrong_type" ("<field> must be an object") unless v is an
 * object. */
bf_result json_check_object(json_t *v, const char *field, bf_error *err);

/* Fails with "wrong_type" ("<field> must be a string") unless v is a
 * string. */
bf_result json_check_string(json_t *v, const char *field, bf_error *err);

/* Fails with "unknown_field" when obj has a key not in allowed (NULL-ended);
 * the field is "parent.key" (the key alone when parent is NULL: the body) and
 * the message "<parent.key> <what>", e.g. what = "is not a known field". */
bf_result json_check_keys(json_t *obj, const char *const *allowed, const char *parent,
                          const char *what, bf_error *err);

/* Writes the path "parent[i]" of the array item v into at (cap bytes) and
 * checks that v is an object (json_check_object) whose keys are all in
 * allowed (json_check_keys with what). */
bf_result json_check_item(json_t *v, const char *parent, size_t i, const char *const *allowed,
                          const char *what, char *at, size_t cap, bf_error *err);

/* Checks that v is a string of 1..max_chars characters (code points) without
 * NUL: "wrong_type", "invalid_value", "required" (empty) or "too_long"
 * ("<field> has more than <max_chars> characters"). */
bf_result json_check_text(json_t *v, const char *field, size_t max_chars, bf_error *err);

/* Fails with "invalid_date" ("<field> must be a date YYYY-MM-DD") unless v is
 * a string naming a real calendar date. */
bf_result json_check_date(json_t *v, const char *field, bf_error *err);

/* Fails with "wrong_type" ("<field> must be true or false") unless v is a
 * JSON boolean. */
bf_result json_check_bool(json_t *v, const char *field, bf_error *err);

/* Reads the integer v into *out when it lies in [min, max]; else fails with
 * "wrong_type" ("<field> must be an integer") or "out_of_range" ("<field>
 * must be between <min> and <max>"). *out is left alone on failure. */
bf_result json_check_int(json_t *v, const char *field, json_int_t min, json_int_t max,
                         json_int_t *out, bf_error *err);

#endif
