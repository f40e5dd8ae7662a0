/* Content codings (see compress.h). */
#include "http/compress.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

/* The q-value of one list element's parameters (";q=0.5"): 1 when absent,
 * 0 when malformed. */
static double q_value(const char *params, const char *end)
{
    const char *p = params;
    while (p < end) {
        while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
            p++;
        if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            p += 2;
            double q = 0, scale = 1;
            bool dot = false, digits = false;
            for (; p < end && (isdigit((unsigned char)*p) || *p == '.'); p++) {
                if (*p == '.') {
                    if (dot)
                        return 0;
                    dot = true;
                } else if (!dot) {
                    q = q * 10 + (*p - '0');
                    digits = true;
                } else {
                    scale /= 10;
                    q += (*p - '0') * scale;
                    digits = true;
                }
            }
            return digits && q <= 1 ? q : 0;
        }
        while (p < end && *p != ';')
            p++;
    }
    return 1;
}

bool http_accepts_encoding(const char *header, const char *coding)
{
    if (header == NULL)
        return false;
    size_t n = strlen(coding);
    double named = -1, any = -1;
    for (const char *p = header; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        const char *name_end = p;
        while (name_end < end && *name_end != ';' && *name_end != ' ' && *name_end != '\t')
            name_end++;
        size_t len = (size_t)(name_end - p);
        double q = q_value(name_end, end);
        if (len == n && strncasecmp(p, coding, n) == 0)
            named = q;
        else if (len == 1 && *p == '*')
            any = q;
        p = end;
    }
    if (named >= 0)
        return named > 0;
    return any > 0;
}

bf_result http_gzip(const void *data, size_t len, buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    /* 15 window bits + 16: a gzip wrapper; level 5 weighs speed and size. */
    if (deflateInit2(&z, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return BF_ERR_NOMEM;
    size_t bound = deflateBound(&z, (uLong)len);
    bf_result r = buf_reserve(out, bound);
    if (r != BF_OK) {
        deflateEnd(&z);
        return r;
    }
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->data + out->len;
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    size_t written = bound - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END)
        return BF_ERR_INTERNAL;
    out->len += written;
    out->data[out->len] = '\0';
    return BF_OK;
}
