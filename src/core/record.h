/* A record is one row of a resource: fixed metadata plus one value per field
 * of its spec. Records are built from request JSON (validated here, once),
 * read from the store, and written back out as JSON. All memory belongs to
 * the arena given. */
#ifndef BF_CORE_RECORD_H
#define BF_CORE_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/resource.h"
#include "core/result.h"

typedef struct field_value {
    bool present;  /* given in the input (or loaded from the store) */
    bool null;     /* explicitly null / absent in the store */
    int64_t i;     /* FIELD_INT, FIELD_MONEY */
    const char *s; /* text kinds; lists hold their JSON array text */
} field_value;

typedef struct record {
    const resource_spec *spec;
    const char *id;
    int64_t version;
    const char *created_at;
    const char *updated_at;
    const char *created_as; /* an import's creation time from the old system, kept on insert
                               in place of the time of the insert (NULL: now) */
    field_value *values;    /* spec->nfields entries */
} record;

typedef enum record_mode {
    RECORD_CREATE, /* defaults applied, required fields enforced */
    RECORD_PATCH,  /* only the given fields; create-only fields refused */
} record_mode;

/* Allocates an empty record of spec in a; NULL when out of memory. */
record *record_new(arena *a, const resource_spec *spec);

/* Validates the JSON object obj against spec and fills a new record: unknown,
 * read-only, wrongly typed, too long, out of range or badly formatted fields
 * fail with BF_ERR_INVALID naming the field. *out belongs to a. */
bf_result record_from_json(arena *a, const resource_spec *spec, json_t *obj, record_mode mode,
                           record **out, bf_error *err);

/* Copies every present value of patch into base (both of one spec). */
void record_apply_patch(record *base, const record *patch);

/* The record as a new JSON object (caller owns the reference); NULL on no memory. */
json_t *record_to_json(const record *rec);

/* Appends to b the JSON text of the object record_to_json makes of rec
 * (the same keys in the same order), without the fields hidden(f, ctx)
 * says to leave out (hidden may be NULL): lists and pages of records are
 * written straight into the answer instead of through a tree of objects. */
bf_result record_append_json(buf *b, const record *rec,
                             bool (*hidden)(const field_spec *f, const void *ctx), const void *ctx);

/* The fields of rec that are set — not null, lists not empty — as the text
 * of a compact JSON object, keys in name order, written straight from the
 * values (what a create's audit entry keeps). In a; NULL when out of memory. */
const char *record_set_fields_text(arena *a, const record *rec);

/* Value accessors by field name; BF_ASSERT that the name exists. */
field_value *record_field(record *rec, const char *name);
const field_value *record_field_const(const record *rec, const char *name);

/* The text value of field name, or NULL when null. */
const char *record_text(const record *rec, const char *name);

/* Sets the text value of field name (s may be NULL for null). */
void record_set_text(record *rec, const char *name, const char *s);

/* Sets the integer value of field name. */
void record_set_int(record *rec, const char *name, int64_t v);

#endif
