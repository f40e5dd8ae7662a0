/* The playbook set and queries on a parsed playbook (see playbook.h); the
 * document parser and its problem list are in playbook_parse.c. */
#include "core/playbook.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/embedded.h"

void playbook_free(playbook *pb)
{
    if (pb == NULL)
        return;
    json_decref(pb->doc);
    arena_free(pb->arena); /* pb itself lives in the arena */
}

const char *i18n_pick(const i18n_text *t, const char *lang)
{
    const char *s = lang && strcmp(lang, "en") == 0 && t->en ? t->en : t->zh;
    return s ? s : "";
}

bool checklist_def_gates(const checklist_def *item)
{
    return item->type == ITEM_CRITERION || item->type == ITEM_DELIVERABLE;
}

const stage_def *playbook_stage(const playbook *pb, const char *id, size_t *index)
{
    for (size_t i = 0; id && i < pb->nstages; i++) {
        if (strcmp(pb->stages[i].id, id) == 0) {
            if (index)
                *index = i;
            return &pb->stages[i];
        }
    }
    return NULL;
}

/* The user roles, in the order playbook_owner_user_roles gives them. */
static const char *const user_roles[] = {"sales",   "consultant",     "manager",
                                         "partner", "implementation", NULL};

/* True when the role code (len bytes at code) is played by user_role. */
static bool code_played_by(const playbook *pb, const char *code, size_t len, const char *user_role)
{
    static const char *const builtin[][2] = {
        {"S", "sales"}, {"C", "consultant"}, {"M", "manager"}, {"channel", "partner"}};
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        if (strlen(builtin[i][0]) == len && memcmp(builtin[i][0], code, len) == 0)
            return strcmp(builtin[i][1], user_role) == 0;
    for (size_t i = 0; i < pb->nroles; i++) {
        const role_def *r = &pb->roles[i];
        if (r->code == NULL || strlen(r->code) != len || memcmp(r->code, code, len) != 0)
            continue;
        if (r->played_by == NULL) /* undeclared: the company's own deal staff */
            return strcmp(user_role, "sales") == 0 || strcmp(user_role, "consultant") == 0 ||
                   strcmp(user_role, "manager") == 0;
        for (size_t k = 0; k < r->nplayed_by; k++)
            if (strcmp(r->played_by[k], user_role) == 0)
                return true;
        return false;
    }
    return false;
}

bool playbook_owner_includes(const playbook *pb, const char *owner, const char *user_role)
{
    if (owner == NULL)
        return true;
    for (const char *p = owner;;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (code_played_by(pb, p, n, user_role))
            return true;
        if (amp == NULL)
            return false;
        p = amp + 1;
    }
}

size_t playbook_owner_user_roles(const playbook *pb, const char *owner, const char *out[5])
{
    size_t n = 0;
    for (size_t i = 0; user_roles[i] && n < 5; i++)
        if (owner != NULL && playbook_owner_includes(pb, owner, user_roles[i]))
            out[n++] = user_roles[i];
    return n;
}

const char *const playbook_approval_kinds[] = {"override", "close", "sales_mode",
                                               "proposal_release", NULL};

const checklist_def *playbook_key_activity(const playbook *pb, const char *id,
                                           const stage_def **stage)
{
    for (size_t s = 0; id && s < pb->nstages; s++)
        for (size_t i = 0; i < pb->stages[s].nitems; i++)
            if (pb->stages[s].items[i].type == ITEM_ACTIVITY &&
                strcmp(pb->stages[s].items[i].id, id) == 0) {
                if (stage)
                    *stage = &pb->stages[s];
                return &pb->stages[s].items[i];
            }
    return NULL;
}

const role_def *playbook_role(const playbook *pb, const char *code)
{
    for (size_t i = 0; code && i < pb->nroles; i++)
        if (pb->roles[i].code && strcmp(pb->roles[i].code, code) == 0)
            return &pb->roles[i];
    return NULL;
}

const char *playbook_approver_role(const playbook *pb, const char *kind)
{
    for (size_t i = 0; kind && i < pb->napprovers; i++)
        if (pb->approvers[i].kind && strcmp(pb->approvers[i].kind, kind) == 0)
            return pb->approvers[i].role;
    return NULL;
}

size_t playbook_winning_stage(const playbook *pb)
{
    size_t last = pb->nstages - 1; /* a playbook has at least one stage */
    return last > 0 && pb->stages[last].probability == 100 ? last - 1 : last;
}

const stage_def *playbook_stage_by_probability(const playbook *pb, int probability)
{
    const stage_def *best = &pb->stages[0];
    for (size_t i = 1; i < pb->nstages; i++) {
        int d_best = abs(best->probability - probability);
        int d = abs(pb->stages[i].probability - probability);
        if (d < d_best)
            best = &pb->stages[i];
    }
    return best;
}

const checklist_def *playbook_item(const playbook *pb, const stage_def *stage, const char *id)
{
    const checklist_def *items = stage ? stage->items : pb->closing;
    size_t n = stage ? stage->nitems : pb->nclosing;
    for (size_t i = 0; i < n; i++)
        if (items[i].id != NULL && strcmp(items[i].id, id) == 0)
            return &items[i];
    return NULL;
}

const decision_def *playbook_decision(const playbook *pb, const char *id)
{
    for (size_t i = 0; i < pb->ndecisions; i++)
        if (strcmp(pb->decisions[i].id, id) == 0)
            return &pb->decisions[i];
    return NULL;
}

bool playbook_uses(const playbook *pb, const char *framework)
{
    for (size_t i = 0; i < pb->nqualification; i++)
        if (strcmp(pb->qualification[i], framework) == 0)
            return true;
    return false;
}

const mode_def *playbook_mode(const playbook *pb, const char *id)
{
    for (size_t i = 0; id && i < pb->nmodes; i++)
        if (strcmp(pb->modes[i].id, id) == 0)
            return &pb->modes[i];
    return NULL;
}

#define PLAYBOOK_SET_MAX 1024

struct playbook_set {
    pthread_mutex_t lock; /* serialises writers; readers take no lock */
    atomic_size_t n;
    playbook *items[PLAYBOOK_SET_MAX];
};

playbook_set *playbook_set_new(void)
{
    playbook_set *set = calloc(1, sizeof(*set));
    if (set == NULL)
        return NULL;
    pthread_mutex_init(&set->lock, NULL);
    atomic_init(&set->n, 0);
    return set;
}

void playbook_set_free(playbook_set *set)
{
    if (set == NULL)
        return;
    size_t n = atomic_load(&set->n);
    for (size_t i = 0; i < n; i++)
        playbook_free(set->items[i]);
    pthread_mutex_destroy(&set->lock);
    free(set);
}

bf_result playbook_set_add(playbook_set *set, playbook *pb, bf_error *err)
{
    pthread_mutex_lock(&set->lock);
    bf_result r = BF_OK;
    size_t n = atomic_load(&set->n);
    if (playbook_set_find_version(set, pb->id, pb->version) != NULL)
        r = bf_fail(err, BF_ERR_CONFLICT, "version_exists", "version",
                    "version %d of playbook %s is loaded already", pb->version, pb->id);
    else if (n == PLAYBOOK_SET_MAX)
        r = bf_fail(err, BF_ERR_CONFLICT, "too_many_playbooks", NULL,
                    "at most %d playbook versions can be loaded", PLAYBOOK_SET_MAX);
    if (r == BF_OK) {
        set->items[n] = pb;
        atomic_store(&set->n, n + 1); /* publish after the entry is written */
    }
    pthread_mutex_unlock(&set->lock);
    return r;
}

bf_result playbook_set_add_builtin(playbook_set *set, bf_error *err)
{
    for (size_t i = 0; builtin_playbook_files[i].name != NULL; i++) {
        const embedded_file *f = &builtin_playbook_files[i];
        playbook *pb;
        bf_result r = playbook_parse(f->data, f->len, &pb, NULL, err);
        if (r == BF_OK) {
            r = playbook_set_add(set, pb, err);
            if (r != BF_OK)
                playbook_free(pb);
        }
        if (r != BF_OK)
            return r;
    }
    return BF_OK;
}

const playbook *playbook_set_find(const playbook_set *set, const char *id)
{
    const playbook *best = NULL;
    size_t n = atomic_load(&((playbook_set *)set)->n);
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(set->items[i]->id, id) == 0 &&
            (best == NULL || set->items[i]->version > best->version))
            best = set->items[i];
    return best;
}

const playbook *playbook_set_find_version(const playbook_set *set, const char *id, int version)
{
    size_t n = atomic_load(&((playbook_set *)set)->n);
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(set->items[i]->id, id) == 0 && set->items[i]->version == version)
            return set->items[i];
    return NULL;
}

size_t playbook_set_count(const playbook_set *set)
{
    return atomic_load(&((playbook_set *)set)->n);
}

const playbook *playbook_set_at(const playbook_set *set, size_t i)
{
    return i < playbook_set_count(set) ? set->items[i] : NULL;
}

const activity_checklist_def *playbook_activity_checklist(const playbook *pb, const char *type)
{
    for (size_t i = 0; pb && type && i < pb->nactivity_checklists; i++)
        if (pb->activity_checklists[i].type && strcmp(pb->activity_checklists[i].type, type) == 0)
            return &pb->activity_checklists[i];
    return NULL;
}
