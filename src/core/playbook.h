/* Playbooks: a sales methodology as data (stages, win probabilities, exit
 * criteria). A playbook is parsed from its JSON document and validated
 * against the schema documented in docs/playbook-schema.md. */
#ifndef BF_CORE_PLAYBOOK_H
#define BF_CORE_PLAYBOOK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/result.h"

#define PLAYBOOK_SCHEMA "bingfa.playbook/1"

/* A text in both languages; en may be NULL. */
typedef struct i18n_text {
    const char *zh;
    const char *en;
} i18n_text;

/* One exit criterion or deliverable of a stage. */
typedef struct checklist_def {
    const char *id;
    const char *kind;      /* "criterion" or "deliverable" */
    const char *owner;     /* role codes: "S", "C", "M", "channel", "S&C" … (may be NULL) */
    const char *framework; /* "MANT", "CE" or NULL */
    i18n_text text;
} checklist_def;

typedef struct stage_def {
    const char *id;
    i18n_text name;
    i18n_text goal;
    i18n_text signature_action;
    int probability; /* percent */
    bool in_funnel;
    checklist_def *items;
    size_t nitems;
} stage_def;

typedef struct playbook {
    const char *id;
    int version;
    i18n_text name;
    i18n_text description;
    stage_def *stages;
    size_t nstages;
    json_t *doc; /* the validated document, served by the API */
    struct arena *arena;
} playbook;

/* Parses and validates a playbook document. On success *out is a new playbook
 * the caller frees with playbook_free; on failure err names the offending
 * path (e.g. "stages[2].probability"). */
bf_result playbook_parse(const char *text, size_t len, playbook **out, bf_error *err);

/* Releases a playbook from playbook_parse. */
void playbook_free(playbook *pb);

/* The stage called id and its index, or NULL. */
const stage_def *playbook_stage(const playbook *pb, const char *id, size_t *index);

/* The stage whose probability is closest to probability, ties going to the
 * earlier stage (used when a deal moves to another playbook). */
const stage_def *playbook_stage_by_probability(const playbook *pb, int probability);

/* A set of loaded playbooks, looked up by id. Read-only once built, so
 * request threads share it without locks. */
typedef struct playbook_set playbook_set;

/* Creates an empty set; NULL when out of memory. Free with playbook_set_free. */
playbook_set *playbook_set_new(void);

/* Releases the set and every playbook in it. */
void playbook_set_free(playbook_set *set);

/* Adds pb, which the set then owns; BF_ERR_CONFLICT when the id is taken. */
bf_result playbook_set_add(playbook_set *set, playbook *pb, bf_error *err);

/* Parses and adds every built-in playbook. */
bf_result playbook_set_add_builtin(playbook_set *set, bf_error *err);

/* The playbook called id, or NULL. The set keeps ownership. */
const playbook *playbook_set_find(const playbook_set *set, const char *id);

/* Number of playbooks, and the i-th one (in the order added). */
size_t playbook_set_count(const playbook_set *set);
const playbook *playbook_set_at(const playbook_set *set, size_t i);

#endif
