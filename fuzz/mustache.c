/* Fuzz target: Mustache templates (src/core/mustache.c). The input is parsed
 * as a template and rendered against a small fixed document, every partial
 * (but "none") being the input itself, so partials recurse until the depth
 * limit. A refusal is a syntax error naming its line and column; a render
 * succeeds or stops at one of the limits; rendering again writes the same
 * text; the names listed are strings, each once. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mustache.h"

static json_t *document;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    json_error_t jerr;
    document = json_loads(
        "{\"name\":\"北京某某科技 & <Co> \\\"x\\\" 'y'\",\"n\":85,\"power\":1.21,\"neg\":-0.5,"
        "\"yes\":true,\"no\":false,\"nothing\":null,\"empty\":[],\"blank\":\"\",\"zero\":0,"
        "\"list\":[1,\"two\",3.5,{\"name\":\"four\",\"list\":[{\"a\":1},{\"a\":2}]}],"
        "\"a\":{\"b\":{\"c\":{\"d\":\"deep\"}},\"list\":[true,false]},"
        "\"nodes\":[{\"content\":\"x\",\"nodes\":[{\"content\":\"y\",\"nodes\":[]}]}],"
        "\"items\":[{\"品名\":\"服务器\",\"数量\":2},{\"品名\":\"维保\",\"数量\":1}]}",
        0, &jerr);
    if (document == NULL) {
        fprintf(stderr, "fuzz set-up: %s\n", jerr.text);
        abort();
    }
    return 0;
}

static const mustache_template *partial(void *ctx, const char *name)
{
    return strcmp(name, "none") == 0 ? NULL : ctx;
}

/* A render may fail only at a limit, and then says which. */
static void check_render(bf_result r, const bf_error *err)
{
    if (r == BF_OK)
        return;
    if (r == BF_ERR_INVALID && strcmp(err->code, "template_depth") == 0)
        return;
    if (r == BF_ERR_TOO_LARGE &&
        (strcmp(err->code, "template_output") == 0 || strcmp(err->code, "template_work") == 0))
        return;
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new(1 << 14);
    if (a == NULL)
        return 0;
    bf_error err;
    bf_error_clear(&err);
    mustache_template *t = NULL;
    bf_result r = mustache_parse(a, (const char *)data, size, &t, &err);
    if (r != BF_OK) {
        if (r != BF_ERR_INVALID || t != NULL || strcmp(err.code, "template_syntax") != 0 ||
            strncmp(err.message, "line ", 5) != 0)
            abort();
        arena_free(a);
        return 0;
    }

    buf out;
    buf_init(&out, a, 1 << 16);
    r = mustache_render(t, document, partial, t, NULL, &out, &err);
    check_render(r, &err);
    if (out.len > out.max)
        abort();
    if (r == BF_OK) {
        /* The template does not change: a second render writes the same. */
        buf again;
        buf_init(&again, a, 1 << 16);
        if (mustache_render(t, document, partial, t, NULL, &again, &err) != BF_OK ||
            again.len != out.len || memcmp(buf_cstr(&again), buf_cstr(&out), out.len) != 0)
            abort();
    }

    json_t *names = json_array();
    if (names == NULL || mustache_names(t, names) != BF_OK)
        abort();
    size_t n = json_array_size(names), i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) == 0)
            abort();
    }
    /* Listing again adds nothing: each name is there once. */
    if (mustache_names(t, names) != BF_OK || json_array_size(names) != n)
        abort();
    json_decref(names);
    arena_free(a);
    return 0;
}
