/* Documents are written in Markdown (CommonMark with GitHub's tables); this
 * turns one into HTML through cmark-gfm, and escapes a value for Markdown
 * (what a template puts into one). Raw HTML in the Markdown is never passed
 * through, and links of unsafe schemes (javascript:, vbscript:, file:) are
 * dropped: cmark's safe mode. Pure: no I/O. */
#ifndef BF_CORE_MARKDOWN_H
#define BF_CORE_MARKDOWN_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/result.h"

/* The HTML of the Markdown md[0..len) (its body only, no page around it),
 * NUL-terminated in arena a: *out and its length *out_len. BF_ERR_NOMEM
 * when memory runs out. */
bf_result markdown_to_html(arena *a, const char *md, size_t len, const char **out, size_t *out_len);

/* Appends s[0..n) to out so that Markdown reads it as the text it is: every
 * ASCII punctuation character Markdown gives a meaning is escaped with a
 * backslash, and a line break stays one (a template's value never starts a
 * heading, a list, a table cell or a link). */
bf_result markdown_escape(buf *out, const char *s, size_t n);

#endif
