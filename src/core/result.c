/* The project-wide result type and its error details. */
#include "core/result.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_bounded(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

bf_result bf_fail(bf_error *err, bf_result r, const char *code, const char *field, const char *fmt,
                  ...)
{
    if (err == NULL)
        return r;
    copy_bounded(err->code, sizeof(err->code), code ? code : bf_result_code(r));
    copy_bounded(err->field, sizeof(err->field), field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return r;
}

const char *bf_result_code(bf_result r)
{
    switch (r) {
    case BF_OK:
        return "ok";
    case BF_ERR_NOMEM:
        return "out_of_memory";
    case BF_ERR_MALFORMED:
        return "malformed";
    case BF_ERR_INVALID:
        return "validation_failed";
    case BF_ERR_NOT_FOUND:
        return "not_found";
    case BF_ERR_UNAUTHENTICATED:
        return "unauthenticated";
    case BF_ERR_FORBIDDEN:
        return "forbidden";
    case BF_ERR_THROTTLED:
        return "too_many_attempts";
    case BF_ERR_METHOD:
        return "method_not_allowed";
    case BF_ERR_CONFLICT:
        return "conflict";
    case BF_ERR_GATE_UNMET:
        return "gate_unmet";
    case BF_ERR_STALE:
        return "version_mismatch";
    case BF_ERR_PRECONDITION:
        return "if_match_required";
    case BF_ERR_TOO_LARGE:
        return "body_too_large";
    case BF_ERR_MEDIA_TYPE:
        return "unsupported_media_type";
    case BF_ERR_STORE:
        return "store_error";
    case BF_ERR_BUSY:
        return "busy";
    case BF_ERR_IO:
        return "io_error";
    case BF_ERR_INTERNAL:
        return "internal_error";
    }
    return "internal_error";
}

void bf_error_clear(bf_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

void bf_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "bingfa: assertion failed: %s (%s:%d)\n", expr, file, line);
    abort();
}
