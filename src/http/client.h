/* Outgoing HTTP (libcurl): a JSON body posted to a group robot's webhook by
 * the sender thread of `bingfa serve` — never from a request's thread. */
#ifndef BF_HTTP_CLIENT_H
#define BF_HTTP_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* What a post came to: the status (0 when no answer came), the answer's
 * first bytes, and why it failed when it did not reach the server. */
typedef struct http_client_answer {
    long status;
    char body[4096];
    size_t len;
    char error[256];
} http_client_answer;

/* Sets libcurl up; once, before any other thread uses it. False when it
 * cannot. */
bool http_client_init(void);

/* Frees what http_client_init set up; once no thread posts any more. */
void http_client_cleanup(void);

/* POSTs body[0..len) as application/json to url (http or https only, no
 * redirects followed) within timeout_ms; given up at once when *stop turns
 * true (may be NULL). True when an answer came (any status: out->status),
 * false with out->error when none did. */
bool http_client_post_json(const char *url, const char *body, size_t len, unsigned timeout_ms,
                           const atomic_bool *stop, http_client_answer *out);

#endif
