/* Playbooks: a sales methodology as data. Stages with win probabilities,
 * milestones and exit criteria; per stage the perspectives of customer,
 * sales, channel and presales, deliverables and key activities with their
 * sub-steps and owning roles; decision points with their "no" branch; the
 * closing steps of a won deal; sales modes with visit plans. A playbook is
 * parsed from its JSON document and validated against the schema documented
 * in docs/playbook-schema.md; every problem is reported with its JSON path. */
#ifndef BF_CORE_PLAYBOOK_H
#define BF_CORE_PLAYBOOK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/result.h"
#include "core/schema.h"

/* The body of a playbook import, for the API's description: the document
 * itself is checked by playbook_parse. */
extern const schema playbook_document_schema;

#define PLAYBOOK_SCHEMA "bingfa.playbook/1"

/* A text in both languages. */
typedef struct i18n_text {
    const char *zh;
    const char *en;
} i18n_text;

/* The text in lang ("en" or anything else for zh); "" when absent. */
const char *i18n_pick(const i18n_text *t, const char *lang);

typedef struct text_list {
    i18n_text *items;
    size_t n;
} text_list;

/* What a checklist item is: the gate is made of criteria and deliverables. */
typedef enum item_type {
    ITEM_CRITERION,   /* exit_criteria[]: must be true to leave the stage */
    ITEM_DELIVERABLE, /* deliverables[]: a document the stage produces */
    ITEM_ACTIVITY,    /* activities[]: a key activity, tracked, not gating */
    ITEM_CLOSING,     /* closing[]: a step after the deal is won */
} item_type;

typedef struct step_def {
    i18n_text text;
    const char *owner;
} step_def;

/* One checklist item of a stage (or of the closing). */
typedef struct checklist_def {
    const char *id;
    item_type type;
    const char *kind;         /* exit criteria: "criterion" or "deliverable"; else NULL */
    const char *owner;        /* role codes such as "S&C", or NULL */
    const char *framework;    /* MAN, MANT, 5W2P, CE or NULL */
    const char *derived_from; /* "proposal-review": met by the proposal's review and release;
                                 "buying-conditions": by the buying conditions' check;
                                 "profile", "contacts", "tender": by the account's profile,
                                 its buying centre, the tender record */
    const char *fact;         /* which part of it: a profile factor, a tender fact; or NULL */
    i18n_text text;           /* criterion text, deliverable or activity name */
    const char *audience;     /* deliverables: "customer" or "internal" */
    const char *template_id;
    bool requires_document; /* deliverables: ticked only with a document kept on the deal */
    /* key activities */
    i18n_text goal;
    step_def *steps;
    size_t nsteps;
    text_list tools, inspection, skills;
    const char **templates;
    size_t ntemplates;
} checklist_def;

typedef struct key_behaviour {
    i18n_text behaviour, output, pass_bar;
} key_behaviour;

typedef enum perspective_view {
    VIEW_CUSTOMER,
    VIEW_SALES,
    VIEW_CHANNEL,
    VIEW_PRESALES,
    VIEW_COUNT,
} perspective_view;

typedef struct perspective {
    bool present;
    i18n_text goal, signature_action;
    text_list behaviours;
    key_behaviour *key_behaviours;
    size_t nkey_behaviours;
} perspective;

typedef struct stage_def {
    const char *id;
    i18n_text name, goal, milestone, success_criteria, signature_action;
    int probability;  /* percent */
    int typical_days; /* 0 when not given */
    bool in_funnel;
    const char *forecast; /* forecast category by default: pipeline, best_case or commit */
    perspective views[VIEW_COUNT];
    checklist_def *items; /* criteria, then deliverables, then activities */
    size_t nitems;
} stage_def;

/* True when the item gates the advance out of its stage. */
bool checklist_def_gates(const checklist_def *item);

typedef struct decision_def {
    const char *id;
    size_t stage;    /* index of the stage it is asked in */
    bool abandons;   /* a go/no-go: "no" abandons the deal (no_outcome "abandon") */
    size_t no_stage; /* else the index of the stage "no" turns the deal back to */
    i18n_text question, no_action;
} decision_def;

typedef struct visit_def {
    int n, day;
    const char *owner;
    i18n_text purpose;
    text_list before, during, after;
} visit_def;

typedef struct mode_def {
    const char *id; /* quick, consultative, strategic */
    i18n_text name, description, benchmark_text;
    const char *team;
    int benchmark_visits, benchmark_days;
    visit_def *visits;
    size_t nvisits;
} mode_def;

/* The checklist of an activity of a type (a rehearsal before a presentation,
 * a demo's flow, a negotiation's steps): what to do before, during and
 * after it. A planned visit's checklist is its visit's (visit_def). */
typedef struct activity_checklist_def {
    const char *id;
    const char *type; /* an activity type: presentation, demo, bid_opening … */
    i18n_text name;
    text_list before, during, after;
} activity_checklist_def;

typedef struct role_def {
    const char *code;
    i18n_text name, description;
    const char **played_by; /* the user roles ("consultant" …) that play it; NULL: any of
                               sales, consultant and manager */
    size_t nplayed_by;
} role_def;

typedef struct template_def {
    const char *id;
    i18n_text name;
} template_def;

/* The approval kinds a playbook may name an approver for, NULL-ended (the
 * kinds of core/approval.h). */
extern const char *const playbook_approval_kinds[];

/* The role a playbook names to decide the first level of an approval of a
 * kind, instead of the manager of the deal owner's team. */
typedef struct approver_def {
    const char *kind; /* one of playbook_approval_kinds */
    const char *role; /* one role code: S, C, M or a code of roles[] */
} approver_def;

typedef struct playbook {
    const char *id;
    int version;
    i18n_text name, description, reference_case;
    const char *source;
    const char **qualification;
    size_t nqualification;
    role_def *roles;
    size_t nroles;
    template_def *templates;
    size_t ntemplates;
    template_def *ce_patterns; /* the compelling-event patterns (an id and a name each) */
    size_t nce_patterns;
    template_def *proposal_defects; /* what a proposal's review checks is absent (an id and a
                                       name each) */
    size_t nproposal_defects;
    template_def *buying_conditions; /* the customer's buying conditions a deal is checked
                                        against (an id and a name each) */
    size_t nbuying_conditions;
    stage_def *stages;
    size_t nstages;
    decision_def *decisions;
    size_t ndecisions;
    checklist_def *closing;
    size_t nclosing;
    mode_def *modes;
    size_t nmodes;
    activity_checklist_def *activity_checklists;
    size_t nactivity_checklists;
    approver_def *approvers;
    size_t napprovers;
    json_t *doc; /* the validated document, served by the API */
    struct arena *arena;
} playbook;

/* Every problem found in a document, by JSON path (the first 64 kept): its
 * error — a code, the message in English without the path, and the values
 * it names, for the catalogue of messages (core/messages.h), the path as its
 * field. */
typedef struct playbook_problem {
    char path[128]; /* "(document)": the whole */
    bf_error err;
} playbook_problem;

typedef struct playbook_problems {
    playbook_problem items[64];
    size_t n;     /* kept */
    size_t total; /* found */
} playbook_problems;

/* Parses and validates a playbook document. On success *out is a new playbook
 * the caller frees with playbook_free. On failure err holds the first problem
 * and problems (when not NULL) every problem found. */
bf_result playbook_parse(const char *text, size_t len, playbook **out, playbook_problems *problems,
                         bf_error *err);

/* Releases a playbook from playbook_parse. */
void playbook_free(playbook *pb);

/* The stage called id and its index, or NULL. */
const stage_def *playbook_stage(const playbook *pb, const char *id, size_t *index);

/* The index of the stage whose gate wins a deal: the last stage, or the one
 * before it when the last stage is certain (100%): winning enters it, and its
 * items are the work after the win. */
size_t playbook_winning_stage(const playbook *pb);

/* The stage whose probability is closest to probability, ties going to the
 * earlier stage (used when a deal moves to another playbook). */
const stage_def *playbook_stage_by_probability(const playbook *pb, int probability);

/* The checklist the playbook gives activities of type, or NULL. */
const activity_checklist_def *playbook_activity_checklist(const playbook *pb, const char *type);

/* The item called id in stage (or, with stage NULL, among the closing steps). */
const checklist_def *playbook_item(const playbook *pb, const stage_def *stage, const char *id);

/* The key activity (activities[] of a stage) called id and, in *stage when
 * stage is not NULL, the stage it belongs to; NULL when there is none. */
const checklist_def *playbook_key_activity(const playbook *pb, const char *id,
                                           const stage_def **stage);

/* The decision point called id, or NULL. */
const decision_def *playbook_decision(const playbook *pb, const char *id);

/* True when a user whose role is called user_role ("sales", "consultant",
 * "manager", "partner", "implementation") plays one of the playbook roles
 * in owner ("S&C"): S is sales, C consultant, M manager, channel partner,
 * and a role of roles[] whoever its played_by names. An owner of NULL is
 * anyone's. */
bool playbook_owner_includes(const playbook *pb, const char *owner, const char *user_role);

/* The user roles that play owner, each once, in the order of USER_ROLES;
 * returns how many (at most 5) and fills out with their names. */
size_t playbook_owner_user_roles(const playbook *pb, const char *owner, const char *out[5]);

/* The role of roles[] with this code, or NULL (S, C, M and channel are
 * built in, not in roles[]). */
const role_def *playbook_role(const playbook *pb, const char *code);

/* The role code the playbook names to decide the first level of an
 * approval of kind ("proposal_release" …), or NULL: the owner's managers. */
const char *playbook_approver_role(const playbook *pb, const char *kind);

/* True when the playbook qualifies deals with framework ("MANT", "CE" …). */
bool playbook_uses(const playbook *pb, const char *framework);

/* The sales mode called id, or NULL. */
const mode_def *playbook_mode(const playbook *pb, const char *id);

/* A set of loaded playbooks, every version of each. Adding is serialised
 * and never moves or frees a playbook, so request threads read the set
 * without locks while a new playbook is added. */
typedef struct playbook_set playbook_set;

/* Creates an empty set; NULL when out of memory. Free with playbook_set_free. */
playbook_set *playbook_set_new(void);

/* Releases the set and every playbook in it (no reader may remain). */
void playbook_set_free(playbook_set *set);

/* Adds pb, which the set then owns. BF_ERR_CONFLICT when this id and
 * version are loaded already. */
bf_result playbook_set_add(playbook_set *set, playbook *pb, bf_error *err);

/* Parses and adds every built-in playbook. */
bf_result playbook_set_add_builtin(playbook_set *set, bf_error *err);

/* The latest version of playbook id, or NULL. The set keeps ownership. */
const playbook *playbook_set_find(const playbook_set *set, const char *id);

/* Version `version` of playbook id, or NULL. */
const playbook *playbook_set_find_version(const playbook_set *set, const char *id, int version);

/* Number of playbooks (all versions), and the i-th one in the order added. */
size_t playbook_set_count(const playbook_set *set);
const playbook *playbook_set_at(const playbook_set *set, size_t i);

#endif
