/* Markdown to HTML, and escaping for Markdown (see markdown.h). */
#include "core/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t registered = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

bf_result markdown_to_html(arena *a, const char *md, size_t len, const char **out, size_t *out_len)
{
    pthread_once(&registered, register_extensions);
    /* No CMARK_OPT_UNSAFE: raw HTML and dangerous links are left out. */
    cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
    cmark_syntax_extension *table = cmark_find_syntax_extension("table");
    if (p == NULL || table == NULL || !cmark_parser_attach_syntax_extension(p, table)) {
        if (p != NULL)
            cmark_parser_free(p);
        return BF_ERR_NOMEM;
    }
    cmark_parser_feed(p, md, len);
    cmark_node *doc = cmark_parser_finish(p);
    char *html =
        doc ? cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(p))
            : NULL;
    bf_result r = BF_ERR_NOMEM;
    if (html != NULL) {
        *out_len = strlen(html);
        char *copy = arena_alloc(a, *out_len + 1);
        if (copy != NULL) {
            memcpy(copy, html, *out_len + 1);
            *out = copy;
            r = BF_OK;
        }
    }
    free(html);
    if (doc != NULL)
        cmark_node_free(doc);
    cmark_parser_free(p);
    return r;
}

bf_result markdown_escape(buf *out, const char *s, size_t n)
{
    static const char special[] = "\\`*_{}[]()<>#+-.!|~&\"'=:";
    size_t run = 0;
    bf_result r = BF_OK;
    for (size_t i = 0; i < n && r == BF_OK; i++) {
        bool escape = s[i] != '\0' && strchr(special, s[i]) != NULL;
        bool newline = s[i] == '\n';
        if (!escape && !newline)
            continue;
        r = buf_append(out, s + run, i - run);
        /* A line break in a value stays one (a hard break), never a new block. */
        if (r == BF_OK)
            r = newline ? buf_append_str(out, "\\\n") : buf_append(out, "\\", 1);
        run = newline ? i + 1 : i;
    }
    return r == BF_OK ? buf_append(out, s + run, n - run) : r;
}
