/* Request bodies as data: every JSON body the API accepts (a form, a tool's
 * facts, a login, an advance…) is declared once as a tree of schema nodes.
 * From the declaration come its validation — errors name the JSON path,
 * "money.budget" or "vendors[2].scores.price" — the normalized copy that is
 * stored, and its JSON Schema in the OpenAPI document, from which the web app
 * reads its field limits and choices. Rules that span several fields (weights
 * that sum to 100, ids that must be unique) stay with the module that owns
 * the body, which runs them on the normalized copy. Pure: no I/O. */
#ifndef BF_CORE_SCHEMA_H
#define BF_CORE_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

typedef enum schema_kind {
    SCHEMA_OBJECT,  /* members: the known keys, ended by an entry with name NULL */
    SCHEMA_MAP,     /* an object with free keys; item: the schema of every value */
    SCHEMA_ARRAY,   /* item: the schema of every element; min..max elements */
    SCHEMA_TEXT,    /* a string, trimmed at both ends; min..max characters (max 0: no limit) */
    SCHEMA_SECRET,  /* a password: a string kept as sent, min..max characters */
    SCHEMA_ID,      /* 1 to 40 lowercase ASCII letters, digits, '_' or '-' */
    SCHEMA_SLUG,    /* a playbook's id: ^[a-z0-9][a-z0-9-]{0,47}$ */
    SCHEMA_ENUM,    /* one of values */
    SCHEMA_INT,     /* an integer in min..max */
    SCHEMA_MONEY,   /* integer fen in min..max */
    SCHEMA_DECIMAL, /* a number with at most two decimals; min..max in hundredths */
    SCHEMA_NUMBER,  /* a finite number, checked further by the owner's rule */
    SCHEMA_BOOL,    /* true or false */
    SCHEMA_DATE,    /* a calendar date YYYY-MM-DD */
    SCHEMA_MONTH,   /* a month YYYY-MM, years 1900..2999 */
    SCHEMA_ANY,     /* any JSON object, kept as sent: its owner checks it (a playbook) */
} schema_kind;

enum schema_flags {
    SCHEMA_REQUIRED = 1 << 0, /* a member that must be given, not null (nor blank text) */
    SCHEMA_NULLABLE = 1 << 1, /* an answer's member that may be null (documentation only) */
    SCHEMA_CLEARS = 1 << 2,   /* a body's member whose null is kept in the normalized copy:
                                 null clears what it names (documented as nullable) */
};

typedef struct schema {
    const char *name; /* a member's key; a body's name in the OpenAPI components */
    schema_kind kind;
    unsigned flags;
    int64_t min, max;             /* see schema_kind */
    const char *const *values;    /* SCHEMA_ENUM: NULL-ended */
    const struct schema *members; /* SCHEMA_OBJECT */
    const struct schema *item;    /* SCHEMA_ARRAY, SCHEMA_MAP */
    const struct schema *ref;     /* a member that follows another named body (kind unused) */
    const char *def;              /* JSON text taken when the member is absent, or NULL */
    /* A rule across the node's parts (weights that sum to 100, unique ids),
     * run on its normalized value once the parts passed; path names the node
     * ("" for a body). NULL for none. */
    bf_result (*rule)(json_t *norm, const char *path, bf_error *err);
    const char *doc; /* one line for the documentation, or NULL */
} schema;

/* A text in two languages, {"zh", "en"}: both required, 1..100 characters
 * each (a name of an indicator, a factor, a criterion). */
extern const schema schema_text_pair;

/* A new value of schema_text_pair, {"zh": zh, "en": en}; the caller owns it;
 * NULL when out of memory. */
json_t *schema_text_pair_new(const char *zh, const char *en);

/* Checks in against s and makes its normalized copy: texts trimmed, members
 * that are absent, null or blank dropped (or set to their default; a null
 * member flagged SCHEMA_CLEARS is kept as null), numbers
 * and booleans as sent. On BF_OK *out is a new reference the caller owns; on
 * failure *out is NULL and err carries BF_ERR_INVALID with a stable code
 * ("wrong_type", "required", "unknown_field", "too_long", "too_short",
 * "too_few", "too_many", "out_of_range", "too_many_decimals",
 * "invalid_value", "invalid_date", "invalid_month"), the path of the field,
 * and a message naming it. Unknown keys are checked before members, members
 * in their declared order. */
bf_result schema_check(const schema *s, json_t *in, json_t **out, bf_error *err);

/* Checks in against s like schema_check, but reports every fault to
 * report(ctx, fault) — in document order, a part that fails left out and the
 * walk going on — instead of stopping at the first; a rule runs only on a
 * node whose parts all passed. Returns the number of faults (0: in follows
 * s). For documents whose every problem is listed at once (a playbook). */
size_t schema_check_all(const schema *s, json_t *in,
                        void (*report)(void *ctx, const bf_error *fault), void *ctx);

/* As schema_check for the value v found at path (a member or an element). */
bf_result schema_check_at(const schema *s, json_t *v, const char *path, json_t **out,
                          bf_error *err);

/* The JSON Schema (OpenAPI 3.1) of s, a new reference; NULL when out of
 * memory. Named bodies met inside s are written as references
 * "#/components/schemas/<name>" when by_ref, else in place. */
json_t *schema_to_json(const schema *s, bool by_ref);

/* The value of key in the JSON object obj, or NULL when obj is not an object,
 * key is absent or its value is null (null means "not given" in every
 * body); borrowed. */
json_t *schema_get(json_t *obj, const char *key);

/* The non-empty string value of key in obj, or NULL; borrowed. */
const char *schema_get_text(json_t *obj, const char *key);

/* The member of the object schema s called name, or NULL. */
const schema *schema_member(const schema *s, const char *name);

/* True when s is an id: 1 to 40 lowercase ASCII letters, digits, '_' or '-'. */
bool schema_id_valid(const char *s);

/* True when s equals one of values (a NULL-ended list). */
bool schema_one_of(const char *s, const char *const *values);

/* Writes "parent.key" (or key alone when parent is empty or NULL) into out,
 * cut to cap bytes. */
void schema_path_key(char *out, size_t cap, const char *parent, const char *key);

/* Writes "parent[i]" into out, cut to cap bytes. */
void schema_path_index(char *out, size_t cap, const char *parent, size_t i);

/* Writes path, a dot when path is not empty, and then fmt: the field of a
 * rule's failure below the node at path ("scheme" + "bidders[1].price"). */
void schema_path_format(char *out, size_t cap, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reads the hundredths of a number with at most two decimals (8.35 → 835). */
bool schema_hundredths(json_t *v, int64_t *out);

#endif
