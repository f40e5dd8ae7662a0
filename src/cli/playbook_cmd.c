/* bingfa playbook validate FILE…: check playbook files against the schema. */
#include <errno.h>
#include <stdbool.h>
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

/* Reads and validates one file; prints every problem. NULL when invalid. */
static playbook *check_file(const char *path)
{
    size_t len;
    char *text = read_file(path, &len);
    if (text == NULL) {
        cli_error("%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    bf_error err = {0};
    playbook *pb = NULL;
    playbook_problems problems;
    if (playbook_parse(text, len, &pb, &problems, &err) != BF_OK) {
        fprintf(stderr, "%s: invalid: %zu problem%s\n", path, problems.total,
                problems.total == 1 ? "" : "s");
        for (size_t k = 0; k < problems.n; k++)
            fprintf(stderr, "  %s: %s\n", problems.items[k].path, problems.items[k].err.message);
        if (problems.total > problems.n)
            fprintf(stderr, "  … and %zu more\n", problems.total - problems.n);
        pb = NULL;
    }
    free(text);
    return pb;
}

/* bingfa playbook import --db DB PLAYBOOK: a new playbook or version. */
static int playbook_import(int argc, char **argv)
{
    const char *db = NULL, *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (file == NULL && argv[i][0] != '-')
            file = argv[i];
        else {
            cli_error("usage: bingfa playbook import --db DB PLAYBOOK.json");
            return 2;
        }
    }
    if ((db = cli_db(db, NULL)) == NULL || file == NULL) {
        cli_error("usage: bingfa playbook import --db DB PLAYBOOK.json");
        return 2;
    }
    playbook *pb = check_file(file);
    if (pb == NULL)
        return 1;
    bf_error err = {0};
    store *st;
    store_options opt = {.synchronous_full = true};
    if (store_open(db, &opt, &st, &err) != BF_OK) {
        cli_error("%s: %s", cli_db_name(db), err.message);
        playbook_free(pb);
        return 1;
    }
    int status = 1;
    playbook_set *set = cli_load_all_playbooks(st);
    const playbook *latest = set ? playbook_set_find(set, pb->id) : NULL;
    char *text = json_dumps(pb->doc, JSON_COMPACT);
    bool inserted = false;
    if (set == NULL || text == NULL) {
        cli_error("cannot load the playbooks of %s", cli_db_name(db));
    } else if (latest != NULL && pb->version <= latest->version) {
        cli_error("%s: playbook %s is at version %d; a new one needs a higher version", file,
                  pb->id, latest->version);
    } else if (store_playbook_put(st, pb->id, pb->version, text, "bingfa playbook import",
                                  &inserted, &err) != BF_OK) {
        cli_error("%s: %s", cli_db_name(db), err.message);
    } else {
        printf("%s: imported playbook %s version %d into %s\n", file, pb->id, pb->version,
               cli_db_name(db));
        status = 0;
    }
    free(text);
    playbook_set_free(set);
    playbook_free(pb);
    store_close(st);
    return status;
}

int cli_playbook(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "import") == 0)
        return playbook_import(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[0], "validate") != 0) {
        cli_error("usage: bingfa playbook validate FILE... | bingfa playbook import --db DB "
                  "PLAYBOOK.json");
        return 2;
    }
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        playbook *pb = check_file(argv[i]);
        if (pb == NULL) {
            failed++;
            continue;
        }
        size_t items = 0;
        for (size_t k = 0; k < pb->nstages; k++)
            items += pb->stages[k].nitems;
        printf("%s: ok: playbook %s version %d, %zu stages, %zu checklist items, %zu decision "
               "points, %zu modes\n",
               argv[i], pb->id, pb->version, pb->nstages, items, pb->ndecisions, pb->nmodes);
        playbook_free(pb);
    }
    return failed ? 1 : 0;
}
