/* Bounded growable buffer (see buf.h). */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void buf_init(buf *b, arena *a, size_t max)
{
    b->arena = a;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

bf_result buf_reserve(buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return BF_ERR_TOO_LARGE;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return BF_OK;
    size_t cap = b->cap ? b->cap * 2 : 256; /* doubling, or exactly what is asked */
    if (cap < need)
        cap = need;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = arena_alloc(b->arena, cap);
    if (p == NULL)
        return BF_ERR_NOMEM;
    if (b->len)
        memcpy(p, b->data, b->len);
    p[b->len] = '\0';
    b->data = p;
    b->cap = cap;
    return BF_OK;
}

bf_result buf_append(buf *b, const void *data, size_t n)
{
    bf_result r = buf_reserve(b, n);
    if (r != BF_OK)
        return r;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return BF_OK;
}

bf_result buf_append_str(buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

bf_result buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return BF_ERR_INTERNAL;
    bf_result r = buf_reserve(b, (size_t)n);
    if (r != BF_OK)
        return r;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return BF_OK;
}

const char *buf_cstr(const buf *b)
{
    return b->len ? b->data : "";
}

bf_result buf_append_html(buf *b, const char *s)
{
    bf_result r = BF_OK;
    const char *run = s;
    for (; s != NULL && *s != '\0' && r == BF_OK; s++) {
        const char *entity = *s == '&'    ? "&amp;"
                             : *s == '<'  ? "&lt;"
                             : *s == '>'  ? "&gt;"
                             : *s == '"'  ? "&quot;"
                             : *s == '\'' ? "&#39;"
                                          : NULL;
        if (entity == NULL)
            continue;
        r = buf_append(b, run, (size_t)(s - run));
        if (r == BF_OK)
            r = buf_append_str(b, entity);
        run = s + 1;
    }
    return r == BF_OK && s != NULL ? buf_append(b, run, (size_t)(s - run)) : r;
}
