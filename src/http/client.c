/* Outgoing HTTP with libcurl (see client.h). One easy handle per post: a
 * robot is posted to a few times a minute at most. */
#include "http/client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

bool http_client_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

void http_client_cleanup(void)
{
    curl_global_cleanup();
}

/* Keeps the answer's first bytes; the rest is read and dropped. */
static size_t keep_body(char *data, size_t size, size_t n, void *ctx)
{
    http_client_answer *a = ctx;
    size_t bytes = size * n, room = sizeof(a->body) - 1 - a->len;
    size_t take = bytes < room ? bytes : room;
    memcpy(a->body + a->len, data, take);
    a->len += take;
    a->body[a->len] = '\0';
    return bytes;
}

/* Aborts the transfer when the server is stopping. */
static int check_stop(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                      curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const atomic_bool *stop = ctx;
    return stop != NULL && atomic_load(stop) ? 1 : 0;
}

bool http_client_post_json(const char *url, const char *body, size_t len, unsigned timeout_ms,
                           const atomic_bool *stop, http_client_answer *out)
{
    memset(out, 0, sizeof(*out));
    CURL *h = curl_easy_init();
    struct curl_slist *headers =
        curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    if (h == NULL || headers == NULL) {
        snprintf(out->error, sizeof(out->error), "out of memory");
        curl_slist_free_all(headers);
        curl_easy_cleanup(h);
        return false;
    }
    char why[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_ms < 10000 ? timeout_ms : 10000));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "bingfa");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, check_stop);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)stop);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, why);
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    } else {
        snprintf(out->error, sizeof(out->error), "%s", why[0] ? why : curl_easy_strerror(rc));
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    return rc == CURLE_OK;
}
