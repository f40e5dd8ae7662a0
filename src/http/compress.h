/* Content codings: which ones a client accepts (Accept-Encoding, RFC 9110
 * 12.5.3) and gzip compression of an answer with zlib. */
#ifndef BF_HTTP_COMPRESS_H
#define BF_HTTP_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/result.h"

/* Answers smaller than this are sent as they are: compressing them saves
 * less than it costs. */
#define HTTP_COMPRESS_MIN 1024

/* Whether the Accept-Encoding value header (may be NULL) accepts coding
 * ("gzip", "br"): named with a q-value above 0, or matched by "*" when not
 * named. */
bool http_accepts_encoding(const char *header, const char *coding);

/* Appends data, gzip-compressed, to out. BF_ERR_TOO_LARGE when it would not
 * fit out's maximum, BF_ERR_NOMEM without memory. */
bf_result http_gzip(const void *data, size_t len, buf *out);

#endif
