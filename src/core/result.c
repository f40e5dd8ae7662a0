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

/* Copies src into dst (cap bytes), cut at a whole UTF-8 character. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void fill(bf_error *err, bf_result r, const char *code, const char *field, const char *fmt,
                 va_list ap)
{
    copy_bounded(err->code, sizeof(err->code), code ? code : bf_result_code(r));
    copy_bounded(err->field, sizeof(err->field), field ? field : "");
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    memset(err->args, 0, sizeof(err->args));
}

bf_result bf_fail(bf_error *err, bf_result r, const char *code, const char *field, const char *fmt,
                  ...)
{
    if (err == NULL)
        return r;
    va_list ap;
    va_start(ap, fmt);
    fill(err, r, code, field, fmt, ap);
    va_end(ap);
    return r;
}

bf_result bf_fail_args(bf_error *err, bf_result r, const char *code, const char *field,
                       const bf_arg *args, const char *fmt, ...)
{
    if (err == NULL)
        return r;
    va_list ap;
    va_start(ap, fmt);
    fill(err, r, code, field, fmt, ap);
    va_end(ap);
    for (size_t i = 0; args && args[i].name; i++)
        bf_error_arg_add(err, args[i]);
    return r;
}

void bf_error_arg_add(bf_error *err, bf_arg arg)
{
    if (err == NULL || arg.name == NULL || arg.name[0] == '\0')
        return;
    bf_error_arg *slot = NULL;
    for (size_t i = 0; i < BF_ERROR_ARGS && slot == NULL; i++)
        if (err->args[i].name[0] == '\0' || strcmp(err->args[i].name, arg.name) == 0)
            slot = &err->args[i];
    if (slot == NULL)
        return;
    copy_bounded(slot->name, sizeof(slot->name), arg.name);
    slot->phrase = arg.kind == BF_ARG_PHRASE;
    if (arg.kind == BF_ARG_NUMBER)
        snprintf(slot->value, sizeof(slot->value), "%lld", arg.number);
    else
        copy_text(slot->value, sizeof(slot->value), arg.text ? arg.text : "");
}

const bf_error_arg *bf_error_arg_get(const bf_error *err, const char *name)
{
    for (size_t i = 0; err && name && i < BF_ERROR_ARGS && err->args[i].name[0]; i++)
        if (strcmp(err->args[i].name, name) == 0)
            return &err->args[i];
    return NULL;
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
