/* The document templates bingfa brings (templates/index.json and
 * templates/<key>.<lang>.md, compiled in): Markdown with Mustache tags over
 * the data of docs/templates.md, in Chinese and English. Pure: no I/O. */
#ifndef BF_CORE_TEMPLATE_CATALOG_H
#define BF_CORE_TEMPLATE_CATALOG_H

#include <jansson.h>
#include <stddef.h>

/* What a template is for: letter, quotation, contract, case, proposal,
 * research_plan, needs_report, handover, other; NULL-ended. */
extern const char *const template_kinds[];

/* The languages of templates: zh, en; NULL-ended. */
extern const char *const template_langs[];

/* The built-in templates' index, parsed once: an array of {key, kind,
 * name {zh, en}, description {zh, en}, stage_hint}; borrowed (static
 * storage), NULL when the index does not parse. */
const json_t *template_builtin_index(void);

/* The text of built-in template key in lang, its length in *len; NULL when
 * there is none. Static storage. */
const char *template_builtin_body(const char *key, const char *lang, size_t *len);

#endif
