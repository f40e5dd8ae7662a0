/* A growable byte buffer that knows its maximum (after curl's dynbuf). Memory
 * comes from an arena; growing past max is an error, never a crash. */
#ifndef BF_CORE_BUF_H
#define BF_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/result.h"

typedef struct buf {
    arena *arena;
    char *data; /* always NUL-terminated when len > 0 */
    size_t len;
    size_t cap;
    size_t max;
} buf;

/* Prepares an empty buffer that may grow up to max bytes. */
void buf_init(buf *b, arena *a, size_t max);

/* Makes room for n more bytes in one allocation, so that appending them
 * later allocates nothing (a body whose length is announced). BF_ERR_TOO_LARGE
 * past max, BF_ERR_NOMEM without memory. */
bf_result buf_reserve(buf *b, size_t n);

/* Appends n bytes; BF_ERR_TOO_LARGE past max, BF_ERR_NOMEM without memory. */
bf_result buf_append(buf *b, const void *data, size_t n);

/* Appends a NUL-terminated string. */
bf_result buf_append_str(buf *b, const char *s);

/* Appends formatted text. */
bf_result buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s with the characters HTML gives a meaning (& < > " ') written as
 * entities: text a user typed, put into a document. NULL appends nothing. */
bf_result buf_append_html(buf *b, const char *s);

/* The contents as a C string ("" when empty); owned by the arena. */
const char *buf_cstr(const buf *b);

#endif
