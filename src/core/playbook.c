/* Playbook parsing, validation and the playbook set (see playbook.h). */
#include "core/playbook.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/embedded.h"
#include "core/text.h"

/* Validation walks the document with a path for messages: "stages[2].id". */
typedef struct ctx {
    arena *a;
    bf_error *err;
    char path[160];
} ctx;

static bf_result invalid(ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bf_result invalid(ctx *c, const char *key, const char *fmt, ...)
{
    char field[sizeof(c->path) + 64];
    if (key && c->path[0])
        snprintf(field, sizeof(field), "%s.%s", c->path, key);
    else
        snprintf(field, sizeof(field), "%s", key ? key : c->path);
    char detail[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    return bf_fail(c->err, BF_ERR_INVALID, "invalid_playbook", field, "playbook: %.100s %s", field,
                   detail);
}

static bf_result only_keys(ctx *c, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(allowed[i], key) == 0;
        if (!ok)
            return invalid(c, key, "is not a known key");
    }
    return BF_OK;
}

static bf_result get_string(ctx *c, json_t *obj, const char *key, bool required, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL) {
        if (required)
            return invalid(c, key, "is required");
        return BF_OK;
    }
    if (!json_is_string(v) || json_string_length(v) == 0)
        return invalid(c, key, "must be a non-empty string");
    *out = arena_strdup(c->a, json_string_value(v));
    return *out ? BF_OK : BF_ERR_NOMEM;
}

static bf_result get_id(ctx *c, json_t *obj, const char *key, const char **out)
{
    bf_result r = get_string(c, obj, key, true, out);
    if (r != BF_OK)
        return r;
    if (!text_slug_valid(*out))
        return invalid(c, key, "must match ^[a-z0-9][a-z0-9-]{0,47}$, not \"%s\"", *out);
    return BF_OK;
}

static bf_result get_text(ctx *c, json_t *obj, const char *key, bool required, i18n_text *out)
{
    static const char *const keys[] = {"zh", "en", NULL};
    json_t *v = json_object_get(obj, key);
    out->zh = out->en = NULL;
    if (v == NULL)
        return required ? invalid(c, key, "is required") : BF_OK;
    if (!json_is_object(v))
        return invalid(c, key, "must be an object {\"zh\": …, \"en\": …}");
    char saved[sizeof(c->path)];
    memcpy(saved, c->path, sizeof(saved));
    size_t n = strlen(c->path);
    snprintf(c->path + n, sizeof(c->path) - n, "%s%s", n ? "." : "", key);
    bf_result r = only_keys(c, v, keys);
    if (r == BF_OK)
        r = get_string(c, v, "zh", true, &out->zh);
    if (r == BF_OK)
        r = get_string(c, v, "en", false, &out->en);
    if (r == BF_OK)
        memcpy(c->path, saved, sizeof(saved));
    return r;
}

static bool one_of(const char *s, const char *const *values)
{
    for (size_t i = 0; values[i]; i++)
        if (strcmp(s, values[i]) == 0)
            return true;
    return false;
}

/* Role codes: S, C, M, channel, joined by '&' ("M&C&S"). */
static bool owner_valid(const char *s)
{
    static const char *const roles[] = {"S", "C", "M", "channel", NULL};
    char part[16];
    const char *p = s;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (n == 0 || n >= sizeof(part))
            return false;
        memcpy(part, p, n);
        part[n] = '\0';
        if (!one_of(part, roles))
            return false;
        p += n;
        if (*p == '&')
            p++;
        if (amp && *p == '\0')
            return false;
    }
    return true;
}

static bf_result parse_item(ctx *c, json_t *v, checklist_def *item)
{
    static const char *const keys[] = {"id", "kind", "owner", "framework", "text", NULL};
    static const char *const kinds[] = {"criterion", "deliverable", NULL};
    static const char *const frameworks[] = {"MAN", "MANT", "5W2P", "CE", NULL};
    if (!json_is_object(v))
        return invalid(c, NULL, "must be an object");
    bf_result r;
    if ((r = only_keys(c, v, keys)) != BF_OK || (r = get_id(c, v, "id", &item->id)) != BF_OK ||
        (r = get_string(c, v, "kind", true, &item->kind)) != BF_OK ||
        (r = get_string(c, v, "owner", false, &item->owner)) != BF_OK ||
        (r = get_string(c, v, "framework", false, &item->framework)) != BF_OK ||
        (r = get_text(c, v, "text", true, &item->text)) != BF_OK)
        return r;
    if (!one_of(item->kind, kinds))
        return invalid(c, "kind", "must be criterion or deliverable, not \"%s\"", item->kind);
    if (item->owner && !owner_valid(item->owner))
        return invalid(c, "owner", "must be role codes S, C, M, channel joined by &, not \"%s\"",
                       item->owner);
    if (item->framework && !one_of(item->framework, frameworks))
        return invalid(c, "framework", "must be MAN, MANT, 5W2P or CE, not \"%s\"",
                       item->framework);
    return BF_OK;
}

static bf_result parse_items(ctx *c, json_t *items, stage_def *st)
{
    bf_result r;
    st->nitems = json_array_size(items);
    st->items = arena_calloc(c->a, st->nitems ? st->nitems : 1, sizeof(checklist_def));
    if (st->items == NULL)
        return BF_ERR_NOMEM;
    char saved[sizeof(c->path)];
    memcpy(saved, c->path, sizeof(saved));
    for (size_t i = 0; i < st->nitems; i++) {
        int n = snprintf(c->path, sizeof(c->path), "%s.exit_criteria[%zu]", saved, i);
        if (n < 0 || (size_t)n >= sizeof(c->path))
            return invalid(c, NULL, "is nested too deeply");
        if ((r = parse_item(c, json_array_get(items, i), &st->items[i])) != BF_OK)
            return r;
        for (size_t k = 0; k < i; k++)
            if (strcmp(st->items[k].id, st->items[i].id) == 0)
                return invalid(c, "id", "repeats the id \"%s\" within the stage", st->items[i].id);
    }
    memcpy(c->path, saved, sizeof(saved));
    return BF_OK;
}

static bf_result parse_stage(ctx *c, json_t *v, stage_def *st)
{
    static const char *const keys[] = {
        "id", "name", "probability", "in_funnel", "goal", "signature_action", "exit_criteria",
        NULL};
    if (!json_is_object(v))
        return invalid(c, NULL, "must be an object");
    bf_result r;
    if ((r = only_keys(c, v, keys)) != BF_OK || (r = get_id(c, v, "id", &st->id)) != BF_OK ||
        (r = get_text(c, v, "name", true, &st->name)) != BF_OK ||
        (r = get_text(c, v, "goal", false, &st->goal)) != BF_OK ||
        (r = get_text(c, v, "signature_action", false, &st->signature_action)) != BF_OK)
        return r;
    json_t *p = json_object_get(v, "probability");
    if (p == NULL)
        return invalid(c, "probability", "is required");
    if (!json_is_integer(p) || json_integer_value(p) < 0 || json_integer_value(p) > 100)
        return invalid(c, "probability", "must be an integer from 0 to 100");
    st->probability = (int)json_integer_value(p);
    json_t *f = json_object_get(v, "in_funnel");
    if (f != NULL && !json_is_boolean(f))
        return invalid(c, "in_funnel", "must be true or false");
    st->in_funnel = f == NULL || json_is_true(f);

    json_t *items = json_object_get(v, "exit_criteria");
    if (items == NULL)
        items = json_array(); /* no gate: the stage is left at will */
    else
        json_incref(items);
    if (!json_is_array(items)) {
        json_decref(items);
        return invalid(c, "exit_criteria", "must be an array");
    }
    bf_result items_r = parse_items(c, items, st);
    json_decref(items);
    return items_r;
}

static bf_result parse_doc(ctx *c, json_t *doc, playbook *pb)
{
    static const char *const keys[] = {"schema",        "id",          "version",
                                       "name",          "description", "source",
                                       "qualification", "stages",      NULL};
    static const char *const frameworks[] = {"MAN", "MANT", "5W2P", "CE", NULL};
    if (!json_is_object(doc))
        return invalid(c, "(document)", "must be a JSON object");
    bf_result r;
    const char *schema, *source;
    if ((r = only_keys(c, doc, keys)) != BF_OK ||
        (r = get_string(c, doc, "schema", true, &schema)) != BF_OK)
        return r;
    if (strcmp(schema, PLAYBOOK_SCHEMA) != 0)
        return invalid(c, "schema", "must be \"" PLAYBOOK_SCHEMA "\", not \"%s\"", schema);
    if ((r = get_id(c, doc, "id", &pb->id)) != BF_OK ||
        (r = get_text(c, doc, "name", true, &pb->name)) != BF_OK ||
        (r = get_text(c, doc, "description", false, &pb->description)) != BF_OK ||
        (r = get_string(c, doc, "source", false, &source)) != BF_OK)
        return r;
    json_t *ver = json_object_get(doc, "version");
    if (ver == NULL)
        return invalid(c, "version", "is required");
    if (!json_is_integer(ver) || json_integer_value(ver) < 1 || json_integer_value(ver) > 1000000)
        return invalid(c, "version", "must be a positive integer");
    pb->version = (int)json_integer_value(ver);

    json_t *q = json_object_get(doc, "qualification");
    if (q != NULL) {
        if (!json_is_array(q))
            return invalid(c, "qualification", "must be an array");
        size_t i;
        json_t *item;
        json_array_foreach(q, i, item)
        {
            if (!json_is_string(item) || !one_of(json_string_value(item), frameworks))
                return invalid(c, "qualification", "may hold only MAN, MANT, 5W2P and CE");
            for (size_t k = 0; k < i; k++)
                if (json_equal(item, json_array_get(q, k)))
                    return invalid(c, "qualification", "names %s twice", json_string_value(item));
        }
    }

    json_t *stages = json_object_get(doc, "stages");
    if (stages == NULL)
        return invalid(c, "stages", "is required");
    if (!json_is_array(stages) || json_array_size(stages) == 0)
        return invalid(c, "stages", "must be a non-empty array");
    pb->nstages = json_array_size(stages);
    pb->stages = arena_calloc(c->a, pb->nstages, sizeof(stage_def));
    if (pb->stages == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < pb->nstages; i++) {
        snprintf(c->path, sizeof(c->path), "stages[%zu]", i);
        if ((r = parse_stage(c, json_array_get(stages, i), &pb->stages[i])) != BF_OK)
            return r;
        for (size_t k = 0; k < i; k++)
            if (strcmp(pb->stages[k].id, pb->stages[i].id) == 0)
                return invalid(c, "id", "repeats the stage id \"%s\"", pb->stages[i].id);
        if (i > 0 && pb->stages[i].probability <= pb->stages[i - 1].probability)
            return invalid(c, "probability",
                           "must be greater than the previous stage's probability");
    }
    c->path[0] = '\0';
    return BF_OK;
}

bf_result playbook_parse(const char *text, size_t len, playbook **out, bf_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL)
        return bf_fail(err, BF_ERR_MALFORMED, "malformed_json", "",
                       "playbook is not valid JSON: %s at line %d, column %d", jerr.text, jerr.line,
                       jerr.column);
    arena *a = arena_new(16 * 1024);
    playbook *pb = a ? arena_calloc(a, 1, sizeof(*pb)) : NULL;
    if (pb == NULL) {
        arena_free(a);
        json_decref(doc);
        return BF_ERR_NOMEM;
    }
    pb->arena = a;
    pb->doc = doc;
    ctx c = {.a = a, .err = err, .path = ""};
    bf_result r = parse_doc(&c, doc, pb);
    if (r != BF_OK) {
        playbook_free(pb);
        return r == BF_ERR_NOMEM ? bf_fail(err, r, NULL, "", "out of memory") : r;
    }
    *out = pb;
    return BF_OK;
}

void playbook_free(playbook *pb)
{
    if (pb == NULL)
        return;
    json_decref(pb->doc);
    arena_free(pb->arena); /* pb itself lives in the arena */
}

const stage_def *playbook_stage(const playbook *pb, const char *id, size_t *index)
{
    for (size_t i = 0; i < pb->nstages; i++) {
        if (strcmp(pb->stages[i].id, id) == 0) {
            if (index)
                *index = i;
            return &pb->stages[i];
        }
    }
    return NULL;
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

struct playbook_set {
    playbook **items;
    size_t n, cap;
};

playbook_set *playbook_set_new(void)
{
    return calloc(1, sizeof(playbook_set));
}

void playbook_set_free(playbook_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n; i++)
        playbook_free(set->items[i]);
    free(set->items);
    free(set);
}

bf_result playbook_set_add(playbook_set *set, playbook *pb, bf_error *err)
{
    if (playbook_set_find(set, pb->id) != NULL)
        return bf_fail(err, BF_ERR_CONFLICT, "duplicate_playbook", "id",
                       "a playbook with id %s is already loaded", pb->id);
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        playbook **items = realloc(set->items, cap * sizeof(*items));
        if (items == NULL)
            return BF_ERR_NOMEM;
        set->items = items;
        set->cap = cap;
    }
    set->items[set->n++] = pb;
    return BF_OK;
}

bf_result playbook_set_add_builtin(playbook_set *set, bf_error *err)
{
    for (size_t i = 0; builtin_playbook_files[i].name != NULL; i++) {
        const embedded_file *f = &builtin_playbook_files[i];
        playbook *pb;
        bf_result r = playbook_parse(f->data, f->len, &pb, err);
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
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->items[i]->id, id) == 0)
            return set->items[i];
    return NULL;
}

size_t playbook_set_count(const playbook_set *set)
{
    return set->n;
}

const playbook *playbook_set_at(const playbook_set *set, size_t i)
{
    return i < set->n ? set->items[i] : NULL;
}
