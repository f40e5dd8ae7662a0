/* Mustache templates (https://mustache.github.io/mustache.5.html): the
 * documents bingfa writes (quotations, contracts, letters) are templates
 * filled from JSON. Implements the specification's required parts —
 * variables ({{name}} escaped, {{{name}}} and {{& name}} not), dotted names,
 * the implicit iterator {{.}}, sections, inverted sections, comments,
 * partials with standalone indentation, set delimiters and the standalone-
 * line rules — and passes its tests (tests/unit/core/mustache_test.c).
 * Lambdas and inheritance are not supported.
 *
 * A section is skipped for a missing name, null, false and an empty list;
 * a list repeats it once per element; any other value (an object, a string,
 * a number, true — also "" and 0) is pushed as the context of one pass.
 * Integers print as they are (85); reals in the shortest form that reads
 * back exactly (1.21; 100.0 as 100, 1e21 as 1e+21); true and false as
 * words; null, objects and lists as nothing.
 *
 * Pure: no I/O; memory from the caller's arena, output into a buf. */
#ifndef BF_CORE_MUSTACHE_H
#define BF_CORE_MUSTACHE_H

#include <stddef.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/result.h"

/* Largest template text mustache_parse accepts, in bytes. */
#define MUSTACHE_MAX_TEMPLATE (1024 * 1024)
/* Deepest nesting of sections within one template. */
#define MUSTACHE_MAX_SECTIONS 64
/* Deepest nesting of partials while rendering. */
#define MUSTACHE_MAX_PARTIALS 16
/* Most steps one render takes — a step is a tag or text visited (sections
 * visit theirs once per list element, partials once per use), a list
 * element, or a context a name is looked up in: a bound on the work, so
 * that nested lists or partials cannot keep a render busy without writing. */
#define MUSTACHE_MAX_STEPS (1L << 24)

/* A parsed template; lives in the arena it was parsed into, immutable, so
 * one template can be rendered any number of times. */
typedef struct mustache_template mustache_template;

/* Parses text[0..len) into a template in arena a (*out then belongs to a;
 * text need not outlive the call). A syntax error — a tag never closed, a
 * section never closed, closed by another name or closing none, a bad
 * delimiter change, an empty or malformed name, sections nested deeper than
 * MUSTACHE_MAX_SECTIONS — is BF_ERR_INVALID, code "template_syntax", field
 * "template", and a message naming the line and column (1-based; columns in
 * characters): "line 3, column 14: section \"items\" is never closed". A text
 * over MUSTACHE_MAX_TEMPLATE is BF_ERR_INVALID, code "template_too_large";
 * BF_ERR_NOMEM without memory. */
bf_result mustache_parse(arena *a, const char *text, size_t len, mustache_template **out,
                         bf_error *err);

/* Escapes s[0..n) for the output format and appends it to out (HTML by
 * default; a DOCX writer passes XML escaping, Markdown its own). Returns what
 * buf_append returns. */
typedef bf_result (*mustache_escape_fn)(buf *out, const char *s, size_t n);

/* Appends s[0..n) with & < > " ' written as HTML entities (&amp; &lt; &gt;
 * &quot; &#39;): the default escape. */
bf_result mustache_escape_html(buf *out, const char *s, size_t n);

/* The parsed partial called name, or NULL when there is none (the tag then
 * renders nothing). The template stays owned by whoever parsed it. */
typedef const mustache_template *(*mustache_partial_fn)(void *ctx, const char *name);

/* Renders t with data (borrowed; NULL renders every name as missing) and
 * appends the text to out. Partials come from partial(ctx, name) (partial
 * NULL: no partials); escape NULL means mustache_escape_html. Partials nest
 * at most MUSTACHE_MAX_PARTIALS deep: deeper (a partial including itself
 * without end) is BF_ERR_INVALID, code "template_depth"; a render taking
 * more than MUSTACHE_MAX_STEPS steps is BF_ERR_TOO_LARGE, code
 * "template_work". Output past out's max is BF_ERR_TOO_LARGE, code
 * "template_output"; an escape function's own failure passes through. On
 * failure out keeps what was written before it. */
bf_result mustache_render(const mustache_template *t, json_t *data, mustache_partial_fn partial,
                          void *ctx, mustache_escape_fn escape, buf *out, bf_error *err);

/* Appends to the JSON array names the names t reads — variables, sections
 * and inverted sections, dotted as written ("customer.name"), in order of
 * first use, each once (a name already in names is not added again, so the
 * names of a template and its partials can be gathered into one array);
 * not "." and not partials' names. For listing the names a template uses
 * that the data lacks. BF_ERR_NOMEM without memory; BF_ERR_INTERNAL when
 * names is not an array. */
bf_result mustache_names(const mustache_template *t, json_t *names);

#endif
