/* The API over a store and the built-in playbooks, for the unit tests that
 * drive requests in memory (tests/unit/api, tests/unit/store). */
#ifndef BF_TESTS_APP_FIXTURE_H
#define BF_TESTS_APP_FIXTURE_H

#include <stdio.h>

#include "api/api.h"

typedef struct app_fixture {
    store *st;
    playbook_set *playbooks;
    api *app;
} app_fixture;

/* Opens the store at path (":memory:" or a file; opt may be NULL), loads the
 * built-in playbooks and makes the API over them; -1 (with the reason on
 * standard error) when any of it fails. */
static inline int app_fixture_open(app_fixture *f, const char *path, const store_options *opt)
{
    bf_error err = {0};
    if (store_open(path, opt, &f->st, &err) != BF_OK ||
        (f->playbooks = playbook_set_new()) == NULL ||
        playbook_set_add_builtin(f->playbooks, &err) != BF_OK ||
        api_new(f->st, f->playbooks, &f->app) != BF_OK) {
        fprintf(stderr, "set-up: %s\n", err.message);
        return -1;
    }
    return 0;
}

/* Frees what app_fixture_open made. */
static inline void app_fixture_close(app_fixture *f)
{
    api_free(f->app);
    playbook_set_free(f->playbooks);
    store_close(f->st);
}

#endif
