/* JSON responses and the one error envelope of the API:
 * {"error":{"code":"…","message":"…","field":"…"}}. */
#ifndef BF_HTTP_RESPONSE_H
#define BF_HTTP_RESPONSE_H

#include <jansson.h>
#include <stdio.h>

#include "core/messages.h"
#include "core/result.h"
#include "http/server.h"

/* Responds with status and the JSON value body (the reference is stolen). */
void http_respond_json(http_request *req, int status, json_t *body);

/* Responds with the error envelope of err, its message in the request's
 * language (http_error_text). extra, when not NULL, is an object whose keys
 * are added beside "error" (stolen). */
void http_respond_failure(http_request *req, int status, const bf_error *err, json_t *extra);

/* http_respond_failure for an error that names no values; field may be NULL
 * or "". */
void http_respond_error(http_request *req, int status, const char *code, const char *message,
                        const char *field, json_t *extra);

/* The language of the request's messages: ?lang=, else Accept-Language
 * (docs/api.md "Languages of messages"). */
bf_lang http_message_lang(const http_request *req);

/* The message of err in the request's language, from the catalogue of
 * messages (core/messages.h), its field named as in resource (the URL
 * segment of its records; NULL: the resource of the request's path); valid
 * UTF-8, in the request's arena (err's message when out of memory). For an
 * error's message and for those listed in an answer (an import's rows, a
 * bulk action's records, a playbook's problems). */
const char *http_error_text(http_request *req, const char *resource, const bf_error *err);

/* Responds with status and the JSON text the caller wrote into req->out
 * (which it emptied first). */
void http_respond_json_written(http_request *req, int status);

/* Responds 204 with no body. */
void http_respond_empty(http_request *req, int status);

/* Responds with data[0..len) (kept by the caller until the answer is sent:
 * the request's arena) as content_type. */
void http_respond_body(http_request *req, int status, const char *content_type, const char *data,
                       size_t len);

/* Responds with the file fd holds, from its start, size bytes long, as
 * content_type: the request takes fd (and closes it), so an answer of any
 * size is sent from the file without being held in memory (an export, made
 * in a temporary file that is unlinked already). An in-process request
 * keeps it (req->has_file, out empty) for its caller to read with
 * http_copy_file until its arena is freed. */
void http_respond_file(http_request *req, int status, const char *content_type, int fd,
                       uint64_t size);

/* Writes the file an answer was set to (http_respond_file) to out; true when
 * there is none. False when it could not be read or written. */
bool http_copy_file(const http_request *req, FILE *out);

/* Closes the file a response was to be sent from, if any (a response set
 * after it replaces it). */
void http_drop_file(http_request *req);

/* Sets Content-Disposition so that the answer is saved as a file named
 * filename (UTF-8): attachment, an ASCII fallback name for old clients
 * (other characters as '_') and the name itself in RFC 5987 form. False
 * when out of memory. */
bool http_set_attachment(http_request *req, const char *filename);

#endif
