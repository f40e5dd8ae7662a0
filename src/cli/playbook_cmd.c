/* bingfa playbook validate FILE…: check playbook files against the schema. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Reads a whole file into a new heap buffer (caller frees); NULL on error. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 64 * 1024, n = 0;
    char *data = malloc(cap);
    while (data != NULL) {
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= 16 * 1024 * 1024) { /* no playbook is this large */
            free(data);
            data = NULL;
            errno = EFBIG;
            break;
        }
        char *bigger = realloc(data, cap * 2);
        if (bigger == NULL) {
            free(data);
            data = NULL;
        }
        data = bigger;
        cap *= 2;
    }
    if (data != NULL && ferror(f)) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *len = n;
    return data;
}

int cli_playbook(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[0], "validate") != 0) {
        cli_error("usage: bingfa playbook validate FILE...");
        return 2;
    }
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        size_t len;
        char *text = read_file(argv[i], &len);
        if (text == NULL) {
            cli_error("%s: cannot read: %s", argv[i], strerror(errno));
            failed++;
            continue;
        }
        bf_error err = {0};
        playbook *pb;
        if (playbook_parse(text, len, &pb, &err) != BF_OK) {
            fprintf(stderr, "%s: invalid: %s\n", argv[i], err.message);
            failed++;
        } else {
            size_t items = 0;
            for (size_t k = 0; k < pb->nstages; k++)
                items += pb->stages[k].nitems;
            printf("%s: ok: playbook %s, %zu stages, %zu checklist items\n", argv[i], pb->id,
                   pb->nstages, items);
            playbook_free(pb);
        }
        free(text);
    }
    return failed ? 1 : 0;
}
