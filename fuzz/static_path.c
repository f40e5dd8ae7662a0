/* Fuzz target: the web app's static files (src/http/static.c): any path,
 * with any Accept-Encoding, over a small root. No path may reach a file
 * outside the root: a secret beside it is never in an answer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/static.h"

#define SECRET "SECRET-BESIDE-THE-ROOT"

static char root[256];

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        abort();
    fputs(text, f);
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char base[] = "/tmp/bingfa-fuzz-static-XXXXXX";
    if (mkdtemp(base) == NULL)
        abort();
    write_file(base, "secret.txt", SECRET);
    snprintf(root, sizeof(root), "%s/dist", base);
    char assets[300];
    snprintf(assets, sizeof(assets), "%s/assets", root);
    if (mkdir(root, 0700) != 0 || mkdir(assets, 0700) != 0)
        abort();
    write_file(root, "index.html", "<!doctype html><div id=app></div>");
    write_file(assets, "app.js", "console.log('兵法')");
    write_file(assets, "app.js.gz", "gzip bytes");
    write_file(assets, "app.js.br", "brotli bytes");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (root[0] == '\0')
        LLVMFuzzerInitialize(NULL, NULL);
    /* path \n accept-encoding */
    const uint8_t *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - data) : size;
    arena *a = arena_new(0);
    if (a == NULL)
        abort();
    char *path = arena_strndup(a, (const char *)data, plen);
    char *accept = nl ? arena_strndup(a, (const char *)nl + 1, size - plen - 1) : NULL;
    if (path == NULL || (nl && accept == NULL))
        abort();
    const char *headers[] = {"Accept-Encoding", accept, NULL};
    http_local local = {.headers = accept ? headers : NULL, .query = NULL};
    http_request *req = arena_calloc(a, 1, sizeof(*req));
    if (req == NULL)
        abort();
    req->arena = a;
    req->local = &local;
    req->method = "GET";
    req->path = path;
    buf_init(&req->out, a, 64u << 20);
    if (http_static_serve(req, root))
        for (size_t i = 0; i + strlen(SECRET) <= req->out.len; i++)
            if (memcmp(req->out.data + i, SECRET, strlen(SECRET)) == 0)
                abort();
    arena_free(a);
    return 0;
}
