/* Static files of the web app (see static.h). */
#include "http/static.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "http/compress.h"
#include "http/response.h"

#define STATIC_MAX_BYTES (32u << 20)

const char *http_static_content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {".map", "application/json; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (dot != NULL && (slash == NULL || dot > slash))
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcmp(dot, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* A path is safe when every segment is a plain name: no "..", no ".", no
 * empty segment inside, no backslash or NUL, and it starts with '/'. */
static bool path_is_safe(const char *p)
{
    if (p[0] != '/' || strchr(p, '\\') != NULL)
        return false;
    for (const char *seg = p + 1; *seg;) {
        const char *end = strchr(seg, '/');
        size_t n = end ? (size_t)(end - seg) : strlen(seg);
        if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.') ||
            (n == 0 && end != NULL) || (n > 0 && seg[0] == '.'))
            return false;
        if (end == NULL)
            break;
        seg = end + 1;
    }
    return true;
}

/* Reads the regular file root+path into the request's arena; false when it
 * is not a readable regular file. */
static bool read_file(http_request *req, const char *root, const char *path)
{
    char full[4096];
    int n = snprintf(full, sizeof(full), "%s%s", root, path);
    if (n < 0 || (size_t)n >= sizeof(full))
        return false;
    struct stat st;
    if (stat(full, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_BYTES)
        return false;
    FILE *f = fopen(full, "rb");
    if (f == NULL)
        return false;
    size_t size = (size_t)st.st_size;
    char *data = arena_alloc(req->arena, size + 1);
    bool ok = data != NULL && fread(data, 1, size, f) == size;
    fclose(f);
    if (!ok)
        return false;
    req->out.data = data;
    req->out.len = size;
    req->out.cap = size + 1;
    return true;
}

static bool has_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strchr(slash ? slash : path, '.') != NULL;
}

/* Text types, which the build may have compressed. */
static bool compressible(const char *file)
{
    const char *type = http_static_content_type(file);
    return strncmp(type, "text/", 5) == 0 || strncmp(type, "application/json", 16) == 0 ||
           strcmp(type, "image/svg+xml") == 0;
}

const char *http_static_file_of(const char *path)
{
    if (!path_is_safe(path))
        return NULL;
    if (strcmp(path, "/") == 0 || !has_extension(path))
        return "/index.html"; /* a client route: the app decides */
    return path;
}

bool http_static_serve(http_request *req, const char *root)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        return false;
    const char *path = req->path;
    bool asset = strncmp(path, "/assets/", 8) == 0;
    const char *file = http_static_file_of(path);
    if (file == NULL) {
        http_respond_error(req, 404, "not_found", "no such file", "path", NULL);
        return true;
    }
    /* The build writes file.br and file.gz beside each large text file:
     * sent to the clients that accept them, never compressed per request. */
    static const struct {
        const char *coding, *suffix;
    } variants[] = {{"br", ".br"}, {"gzip", ".gz"}};
    const char *accept = http_header(req, "Accept-Encoding");
    const char *coding = NULL;
    for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]) && coding == NULL; i++) {
        char *variant = arena_printf(req->arena, "%s%s", file, variants[i].suffix);
        if (variant != NULL && http_accepts_encoding(accept, variants[i].coding) &&
            read_file(req, root, variant))
            coding = variants[i].coding;
    }
    if (coding == NULL && !read_file(req, root, file)) {
        http_respond_error(req, 404, "not_found", "no such file", "path", NULL);
        return true;
    }
    if (coding != NULL)
        http_set_header(req, "Content-Encoding", coding);
    if (compressible(file))
        http_set_header(req, "Vary", "Accept-Encoding");
    req->status = 200;
    req->content_type = http_static_content_type(file);
    http_set_header(req, "Cache-Control",
                    asset ? "public, max-age=31536000, immutable" : "no-cache");
    return true;
}
