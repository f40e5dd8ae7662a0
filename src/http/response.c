/* JSON responses (see response.h). */
#include "http/response.h"

#include "core/text.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void respond_oom(http_request *req)
{
    static const char oom[] = "{\"error\":{\"code\":\"out_of_memory\",\"message\":\"out of "
                              "memory\",\"field\":\"\"}}";
    req->status = 500;
    req->content_type = "application/json; charset=utf-8";
    req->out.data = (char *)oom;
    req->out.len = sizeof(oom) - 1;
}

void http_drop_file(http_request *req)
{
    if (!req->has_file)
        return;
    if (req->file_fd >= 0)
        close(req->file_fd);
    req->has_file = false;
    req->file_fd = -1;
}

static void drop_file_of(void *req)
{
    http_drop_file(req);
}

void http_respond_file(http_request *req, int status, const char *content_type, int fd,
                       uint64_t size)
{
    http_drop_file(req);
    req->status = status;
    req->content_type = content_type;
    req->out.len = 0;
    /* In process, the caller reads the file (http_copy_file) before it frees
     * the request's arena, which closes it. */
    if (req->local != NULL && arena_on_free(req->arena, drop_file_of, req) != 0) {
        close(fd);
        respond_oom(req);
        return;
    }
    req->has_file = true;
    req->file_fd = fd;
    req->file_size = size;
}

bool http_copy_file(const http_request *req, FILE *out)
{
    char chunk[64 * 1024];
    for (uint64_t at = 0; req->has_file && at < req->file_size;) {
        size_t want =
            req->file_size - at < sizeof(chunk) ? (size_t)(req->file_size - at) : sizeof(chunk);
        ssize_t n = pread(req->file_fd, chunk, want, (off_t)at);
        if (n <= 0 || fwrite(chunk, 1, (size_t)n, out) != (size_t)n)
            return false;
        at += (uint64_t)n;
    }
    return true;
}

void http_respond_json(http_request *req, int status, json_t *body)
{
    http_drop_file(req);
    req->status = status;
    req->content_type = "application/json; charset=utf-8";
    req->out.len = 0;
    if (body == NULL) {
        respond_oom(req);
        return;
    }
    /* Reals are scores rounded to two decimals: 15 digits print them as such. */
    size_t flags = JSON_COMPACT | JSON_REAL_PRECISION(15);
    size_t n = json_dumpb(body, NULL, 0, flags);
    char *p = n ? arena_alloc(req->arena, n + 1) : NULL;
    if (p == NULL || json_dumpb(body, p, n, flags) != n) {
        json_decref(body);
        respond_oom(req);
        return;
    }
    json_decref(body);
    p[n] = '\0';
    req->out.data = p;
    req->out.len = n;
    req->out.cap = n + 1;
}

void http_respond_json_written(http_request *req, int status)
{
    http_drop_file(req);
    req->status = status;
    req->content_type = "application/json; charset=utf-8";
}

/* A copy of s in the request's arena with every byte that is not UTF-8
 * replaced by '?', so an error about bad input can still be written. */
static const char *printable(http_request *req, const char *s)
{
    size_t n = strlen(s), bad;
    if (text_utf8_valid(s, n, &bad))
        return s;
    char *copy = arena_strndup(req->arena, s, n);
    if (copy == NULL)
        return "";
    while (!text_utf8_valid(copy, n, &bad))
        copy[bad] = '?';
    return copy;
}

/* The resource a path of the API names (/api/v1/<resource>/…) into out, or
 * "" (the names of fields differ between resources: a deal's name, a
 * contact's name). */
static void resource_of(const char *path, char out[40])
{
    static const char prefix[] = "/api/v1/";
    out[0] = '\0';
    if (path == NULL || strncmp(path, prefix, sizeof(prefix) - 1) != 0)
        return;
    const char *s = path + sizeof(prefix) - 1;
    size_t n = strcspn(s, "/?");
    if (n < 40) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
}

bf_lang http_message_lang(const http_request *req)
{
    return bf_lang_of(http_query(req, "lang"), http_header(req, "Accept-Language"));
}

const char *http_error_text(http_request *req, const char *resource, const bf_error *err)
{
    bf_lang lang = http_message_lang(req);
    if (lang == BF_LANG_EN && err->message[0] != '\0')
        return printable(req, err->message);
    char own[40];
    if (resource == NULL) {
        resource_of(req->path, own);
        resource = own;
    }
    enum { CAP = 480 };
    char *out = arena_alloc(req->arena, CAP);
    if (out == NULL)
        return printable(req, err->message);
    bf_message_render(out, CAP, lang, resource, err);
    return printable(req, out);
}

void http_respond_failure(http_request *req, int status, const bf_error *err, json_t *extra)
{
    http_drop_file(req);
    json_t *e = json_pack("{s:s, s:s, s:s}", "code", err->code, "message",
                          http_error_text(req, NULL, err), "field", printable(req, err->field));
    json_t *body = json_object();
    if (e == NULL || body == NULL) {
        json_decref(e);
        json_decref(body);
        json_decref(extra);
        respond_oom(req);
        return;
    }
    if (json_object_set_new(body, "error", e) != 0) { /* e is released by jansson */
        json_decref(body);
        json_decref(extra);
        respond_oom(req);
        return;
    }
    if (extra != NULL) {
        json_object_update(body, extra);
        json_decref(extra);
    }
    http_respond_json(req, status, body);
}

void http_respond_error(http_request *req, int status, const char *code, const char *message,
                        const char *field, json_t *extra)
{
    bf_error err;
    bf_fail(&err, BF_ERR_INTERNAL, code, field, "%s", message ? message : "");
    http_respond_failure(req, status, &err, extra);
}

void http_respond_empty(http_request *req, int status)
{
    http_drop_file(req);
    req->status = status;
    req->content_type = NULL;
    req->out.len = 0;
}

void http_respond_body(http_request *req, int status, const char *content_type, const char *data,
                       size_t len)
{
    http_drop_file(req);
    req->status = status;
    req->content_type = content_type;
    req->out.data = (char *)data;
    req->out.len = len;
}

bool http_set_attachment(http_request *req, const char *filename)
{
    buf b;
    buf_init(&b, req->arena, 4096);
    bf_result r = buf_append_str(&b, "attachment; filename=\"");
    for (const unsigned char *s = (const unsigned char *)filename; r == BF_OK && *s; s++) {
        bool plain = *s > 0x20 && *s < 0x7F && *s != '"' && *s != '\\' && *s != '%' && *s != ';';
        if (plain || (*s & 0xC0) != 0x80) /* one '_' per character */
            r = buf_append(&b, plain ? (const char *)s : "_", 1);
    }
    if (r == BF_OK)
        r = buf_append_str(&b, "\"; filename*=UTF-8''");
    for (const unsigned char *s = (const unsigned char *)filename; r == BF_OK && *s; s++) {
        bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                     (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL;
        r = plain ? buf_append(&b, (const char *)s, 1) : buf_printf(&b, "%%%02X", *s);
    }
    const char *value = r == BF_OK ? buf_cstr(&b) : NULL;
    return value != NULL && http_set_header(req, "Content-Disposition", value);
}
