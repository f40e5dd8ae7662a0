/* Fuzz target: what a request's headers carry, parsed by our own code: the
 * If-Match precondition (src/api/dispatch.c), API tokens and session cookies
 * (src/auth/token.c), Accept-Encoding (src/http/compress.c) and the trimming
 * and UTF-8 checks of text (src/core/text.c). The first byte picks which. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "auth/token.h"
#include "core/text.h"
#include "http/compress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    arena *a = arena_new(0);
    if (a == NULL)
        abort();
    char *value = arena_strndup(a, (const char *)data + 1, size - 1);
    if (value == NULL)
        abort();
    size_t n = strlen(value);
    switch (data[0] % 5) {
    case 0: {
        const char *headers[] = {"If-Match", value, NULL};
        http_local local = {.headers = headers};
        http_request req = {.arena = a, .local = &local, .method = "PATCH", .path = "/"};
        api_call call = {.req = &req, .arena = a};
        int64_t version = -1;
        bf_result r = api_if_match_from(&call, 0, &version);
        if (r == BF_OK && version < 0)
            abort();
        if (r != BF_OK && (r != BF_ERR_PRECONDITION && r != BF_ERR_MALFORMED))
            abort();
        break;
    }
    case 1:
    case 2: {
        const char *prefix = data[0] % 5 == 1 ? "bft_" : "bfs_";
        if (token_well_formed(value, prefix)) {
            char hash[TOKEN_HASH_HEX], csrf[TOKEN_HASH_HEX];
            token_hash(value, hash);
            token_csrf_of(value, csrf);
            if (strlen(hash) != TOKEN_HASH_HEX - 1 || !token_equal(csrf, csrf))
                abort();
        }
        break;
    }
    case 3: {
        bool gzip = http_accepts_encoding(value, "gzip");
        bool br = http_accepts_encoding(value, "br");
        (void)gzip;
        (void)br;
        if (http_accepts_encoding(NULL, "gzip"))
            abort();
        break;
    }
    default: {
        size_t len = n;
        const char *t = text_trim(value, &len);
        if (t < value || t + len > value + n)
            abort();
        if (text_utf8_valid(value, n, NULL) && !text_utf8_valid(t, len, NULL))
            abort(); /* trimming whole characters keeps UTF-8 valid */
        char utc[32];
        (void)text_datetime_normalize(value, utc, sizeof(utc));
        (void)text_date_valid(value);
        break;
    }
    }
    arena_free(a);
    return 0;
}
