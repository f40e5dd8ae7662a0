/* bingfa import: a bulk load of JSON lines. Each line is one record, made
 * through the create path of the API's route for its resource, in-process
 * and as the user --as names (the command line's admin by default), so that
 * a line passes exactly the checks a POST of it would and leaves what a POST
 * leaves: the record, its owner, its stage history and deal team, its audit
 * entry. Lines are written in transactions of --batch records; a line may name
 * the record of an earlier line by the label of its "ref" ("@label" in a
 * reference field). A line that fails stops the import, its transaction
 * rolled back (or, with --skip-invalid, is reported and left out alone).
 * docs/import.md describes the format. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "cli/cli.h"
#include "cli/import_read.h"

#define IMPORT_MAX_LABEL 200

typedef struct import_opts {
    const char *db, *as, *resource, *file;
    long batch;        /* records a transaction; 0: all in one; -1: the store's choice */
    bool skip_invalid; /* leave a failing line out and go on */
    double progress_s; /* seconds between progress lines; < 0: none */
} import_opts;

/* What a line may make, in the order of the summary: a record of a
 * resource (POST /api/v1/<name>), or a member of a deal's team (PUT
 * /api/v1/opportunities/{opportunity_id}/team/{user_id}). */
typedef struct line_kind {
    const char *name;          /* the line's "resource" */
    const resource_spec *spec; /* NULL: the deal team */
    const char *counted;       /* what the summary counts */
} line_kind;

static const line_kind kinds[] = {
    {"accounts", &resource_accounts, "accounts"},
    {"contacts", &resource_contacts, "contacts"},
    {"opportunities", &resource_opportunities, "opportunities"},
    {"activities", &resource_activities, "activities"},
    {"deal_team", NULL, "deal team members"},
    {"products", &resource_products, "products of the price list"},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))
#define KINDS_TEXT "accounts, contacts, opportunities, activities, deal_team or products"

static const char usage_text[] =
    "usage: bingfa import --db FILE [--as USER] [--resource RESOURCE] [--batch N]\n"
    "                     [--skip-invalid] [--progress SECONDS | --quiet] FILE|-\n"
    "  One JSON object a line, each a record made as POST /api/v1/RESOURCE makes it:\n"
    "  {\"resource\":\"accounts\",\"ref\":\"a1\",\"name\":\"...\"}\n"
    "  {\"resource\":\"opportunities\",\"account_id\":\"@a1\",\"name\":\"...\",\"amount\":100}\n"
    "  {\"resource\":\"deal_team\",\"opportunity_id\":\"@o1\",\"user_id\":\"usr_...\",\n"
    "   \"role\":\"consultant\"}  (PUT /api/v1/opportunities/{id}/team/{user})\n"
    "  RESOURCE: " KINDS_TEXT "\n"
    "  (--resource: of the lines that name none). \"ref\" labels a line's record;\n"
    "  \"@label\" in a reference field names it. N records a transaction\n"
    "  (default 100000; 0: the whole file).\n"
    "  A line that fails stops the import, its transaction rolled back;\n"
    "  --skip-invalid reports it and goes on without it. docs/import.md\n";

/* ---- labels: "ref" of a line -> the id of its record ------------------------ */

typedef struct ref_slot {
    uint64_t hash;
    const char *label; /* NULL: empty */
    const char *id;
} ref_slot;

typedef struct ref_table {
    ref_slot *slots;
    size_t cap, n; /* cap is a power of two, kept at least twice n */
    arena *text;   /* the labels and ids */
} ref_table;

static uint64_t label_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h | 1; /* never 0 */
}

static ref_slot *ref_find(const ref_table *t, const char *label, size_t n, uint64_t h)
{
    size_t mask = t->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        ref_slot *s = &t->slots[i];
        if (s->label == NULL ||
            (s->hash == h && strncmp(s->label, label, n) == 0 && s->label[n] == '\0'))
            return s;
    }
}

static bf_result ref_grow(ref_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    ref_slot *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL)
        return BF_ERR_NOMEM;
    ref_table bigger = {slots, cap, t->n, t->text};
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].label != NULL)
            *ref_find(&bigger, t->slots[i].label, strlen(t->slots[i].label), t->slots[i].hash) =
                t->slots[i];
    free(t->slots);
    *t = bigger;
    return BF_OK;
}

/* The id the label names, or NULL. */
static const char *ref_get(const ref_table *t, const char *label)
{
    if (t->n == 0)
        return NULL;
    size_t n = strlen(label);
    return ref_find(t, label, n, label_hash(label, n))->id;
}

/* Remembers that label names id (copied); the label is new. */
static bf_result ref_put(ref_table *t, const char *label, const char *id)
{
    if ((t->n + 1) * 2 > t->cap && ref_grow(t) != BF_OK)
        return BF_ERR_NOMEM;
    size_t n = strlen(label);
    uint64_t h = label_hash(label, n);
    ref_slot *s = ref_find(t, label, n, h);
    const char *l = arena_strndup(t->text, label, n), *i = arena_strdup(t->text, id);
    if (l == NULL || i == NULL)
        return BF_ERR_NOMEM;
    *s = (ref_slot){h, l, i};
    t->n++;
    return BF_OK;
}

/* ---- the import ------------------------------------------------------------ */

typedef struct importer {
    import_opts o;
    store *st;
    api_call call;        /* who acts; its arena is each line's own */
    api_call reader_call; /* the same, for the reading thread's checks (prepare_line) */
    viewer reader_who;    /* a copy of call.who of its own: nothing of the import changes it */
    ref_table refs;
    const api_route *routes[NKINDS];
    size_t line;            /* lines read */
    size_t done[NKINDS];    /* records committed, by resource */
    size_t pending[NKINDS]; /* records in the open transaction */
    size_t in_tx;           /* records in the open transaction */
    size_t tx_first;        /* the first line of the open transaction */
    size_t skipped;
    bool deferring;   /* the deals' report totals are added up (defer_totals) */
    bool line_failed; /* a line stopped the import (it was reported) */
    struct timespec start, last_progress;
} importer;

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static size_t total(const size_t *counts)
{
    size_t n = 0;
    for (size_t i = 0; i < NKINDS; i++)
        n += counts[i];
    return n;
}

/* The kind of line called name, as an index of kinds[], or -1. */
static int kind_of(const char *name)
{
    for (size_t i = 0; name != NULL && i < NKINDS; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Replaces "@label" in the value v of the reference field f by the id of
 * the record the label names; *out gets the value to keep (v itself when
 * it names no label), a new reference otherwise. */
static bf_result resolve_one(importer *im, const field_spec *f, json_t *v, size_t item,
                             json_t **out)
{
    const char *s = json_string_value(v);
    *out = v;
    if (s == NULL || s[0] != '@')
        return BF_OK;
    const char *id = ref_get(&im->refs, s + 1);
    if (id == NULL && f->type == FIELD_REF_LIST)
        return bf_fail(&im->call.err, BF_ERR_INVALID, "unknown_reference", f->name,
                       "%s[%zu] names %s, the ref of no line before", f->name, item, s);
    if (id == NULL)
        return bf_fail(&im->call.err, BF_ERR_INVALID, "unknown_reference", f->name,
                       "%s names %s, the ref of no line before", f->name, s);
    return (*out = json_string(id)) ? BF_OK : BF_ERR_NOMEM;
}

/* Every "@label" in the reference field called name of obj (a list when
 * f says so) becomes an id. */
static bf_result resolve_field(importer *im, const field_spec *f, json_t *obj)
{
    json_t *v = json_object_get(obj, f->name), *id;
    bf_result r = BF_OK;
    if (f->type == FIELD_REF && (r = resolve_one(im, f, v, 0, &id)) == BF_OK && id != v)
        r = json_object_set_new(obj, f->name, id) == 0 ? BF_OK : BF_ERR_NOMEM;
    size_t k;
    json_t *item;
    if (f->type == FIELD_REF_LIST && json_is_array(v))
        json_array_foreach(v, k, item)
        {
            if (r == BF_OK && (r = resolve_one(im, f, item, k, &id)) == BF_OK && id != item)
                r = json_array_set_new(v, k, id) == 0 ? BF_OK : BF_ERR_NOMEM;
        }
    return r;
}

/* Every "@label" of the reference fields of spec in obj becomes an id. */
static bf_result resolve_refs(importer *im, const resource_spec *spec, json_t *obj)
{
    bf_result r = BF_OK;
    for (size_t i = 0; i < spec->nfields && r == BF_OK; i++)
        if (spec->fields[i].type == FIELD_REF || spec->fields[i].type == FIELD_REF_LIST)
            r = resolve_field(im, &spec->fields[i], obj);
    return r;
}

/* Takes "resource" and "ref" out of the line: *which gets the index of its
 * resource, *label its ref (in the call's arena) or NULL. */
static bf_result line_header(importer *im, json_t *obj, int *which, const char **label)
{
    bf_error *err = &im->call.err;
    json_t *res = json_object_get(obj, "resource"), *ref = json_object_get(obj, "ref");
    const char *name = res ? json_string_value(res) : im->o.resource;
    if (name == NULL)
        return bf_fail(err, BF_ERR_INVALID, "required", "resource",
                       "resource is required (" KINDS_TEXT "), or --resource");
    if ((*which = kind_of(name)) < 0)
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", "resource",
                       "resource must be one of: " KINDS_TEXT);
    if (ref != NULL && kinds[*which].spec == NULL)
        return bf_fail(err, BF_ERR_INVALID, "unknown_field", "ref",
                       "a deal_team line makes no record for a ref to label");
    *label = NULL;
    if (ref != NULL) {
        const char *s = json_string_value(ref);
        if (s == NULL || *s == '\0' || strlen(s) > IMPORT_MAX_LABEL)
            return bf_fail(err, BF_ERR_INVALID, "invalid_value", "ref",
                           "ref must be a text of 1 to %d bytes", IMPORT_MAX_LABEL);
        if (ref_get(&im->refs, s) != NULL)
            return bf_fail(err, BF_ERR_INVALID, "duplicate", "ref",
                           "ref %s labels an earlier line already", s);
        if ((*label = arena_strdup(im->call.arena, s)) == NULL)
            return BF_ERR_NOMEM;
    }
    json_object_del(obj, "resource");
    json_object_del(obj, "ref");
    return BF_OK;
}

/* The id that the field called name of a deal_team line gives (taken out
 * of obj), after its "@label" is resolved; it goes into a path, so it must
 * look like an id. */
static bf_result team_line_id(importer *im, json_t *obj, const char *name, const char *target,
                              const char **out)
{
    const field_spec f = {.name = name, .type = FIELD_REF, .ref = target};
    bf_result r = resolve_field(im, &f, obj);
    const char *id = json_string_value(json_object_get(obj, name));
    if (r != BF_OK)
        return r;
    if (id == NULL)
        return bf_fail(&im->call.err, BF_ERR_INVALID, "required", name, "%s is required", name);
    size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_");
    if (n < 4 || n > 40 || id[n] != '\0')
        return bf_fail(&im->call.err, BF_ERR_INVALID, "unknown_reference", name,
                       "%s does not name an existing %s", name, target);
    if ((*out = arena_strdup(im->call.arena, id)) == NULL)
        return BF_ERR_NOMEM;
    json_object_del(obj, name);
    return BF_OK;
}

/* A deal_team line: the rest of it is the body of PUT
 * /api/v1/opportunities/{opportunity_id}/team/{user_id}, run in-process as
 * the importing user (api_deal_member_put: the route's checks and change,
 * without HTTP and the answer); it fails as its answer would say: the
 * message with the status, a failure of the server (500) as the store's. */
static bf_result put_team_member(importer *im, json_t *obj)
{
    api_call *call = &im->call;
    const char *opp, *user;
    bf_result r = team_line_id(im, obj, "opportunity_id", "opportunity", &opp);
    if (r == BF_OK)
        r = team_line_id(im, obj, "user_id", "user", &user);
    if (r != BF_OK || (r = api_deal_member_put(call, opp, user, obj)) == BF_OK)
        return r;
    bf_error e = call->err; /* as the error answer has it (see respond_failure) */
    if (e.message[0] == '\0')
        bf_fail(&e, r, NULL, NULL, "%s",
                r == BF_ERR_NOMEM ? "out of memory" : "the request failed");
    int status = api_status(r);
    return bf_fail(&call->err, status >= 500 ? BF_ERR_STORE : BF_ERR_INVALID, e.code,
                   e.field[0] ? e.field : NULL, "%s (%d)", e.message, status);
}

/* ---- the checks that need no database, on the reading thread ---------------- */

/* A reference field of a record line that names a label. */
typedef struct label_use {
    size_t field;      /* its index in the resource's fields */
    const char *label; /* "@label", as written */
} label_use;

/* What the reading thread made of a record line (prepare_line): its header
 * and api_create_check's part of the API's create path, run with each
 * "@label" replaced by PLACEHOLDER_ID. The checks see no more of a reference
 * than the shape of an id, which the id of a label's record has as the
 * placeholder does: so they answer as they would on the line with its
 * labels resolved, and the importer puts the ids in their place. */
typedef struct prepared_line {
    int which;         /* an index of kinds[] */
    const char *label; /* its ref, or NULL */
    label_use *uses;
    size_t nuses;
    bf_result r;   /* of the checks */
    bf_error *err; /* why not, when r is not BF_OK */
    record *rec;   /* the record, when r is BF_OK */
} prepared_line;

#define PLACEHOLDER_ID "ref_label_placeholder"

/* The "@label" references of the fields of spec in obj, in the order
 * resolve_refs takes them, into p->uses; false when a list names one (the
 * importer resolves those itself) or out of memory. */
static bool find_label_uses(const resource_spec *spec, json_t *obj, arena *a, prepared_line *p)
{
    for (size_t i = 0; i < spec->nfields; i++) {
        const field_spec *f = &spec->fields[i];
        json_t *v = json_object_get(obj, f->name), *item;
        size_t k;
        if (f->type == FIELD_REF_LIST && json_is_array(v))
            json_array_foreach(v, k, item)
            {
                const char *s = json_string_value(item);
                if (s != NULL && s[0] == '@')
                    return false;
            }
        const char *s = f->type == FIELD_REF ? json_string_value(v) : NULL;
        if (s == NULL || s[0] != '@')
            continue;
        if (p->uses == NULL &&
            (p->uses = arena_calloc(a, spec->nfields, sizeof(label_use))) == NULL)
            return false;
        p->uses[p->nuses].field = i;
        if ((p->uses[p->nuses++].label = arena_strdup(a, s)) == NULL)
            return false;
    }
    return true;
}

/* import_prepare: on the reading thread, a record line whose header holds
 * no error that needs no database gets its prepared_line. Any other line
 * is left to the importer as it is. */
static void prepare_line(void *ctx, arena *a, read_line *l)
{
    importer *im = ctx;
    json_t *obj = l->obj, *res = json_object_get(obj, "resource");
    json_t *ref = json_object_get(obj, "ref");
    int which = kind_of(res ? json_string_value(res) : im->o.resource);
    const char *label = ref ? json_string_value(ref) : NULL;
    if (which < 0 || kinds[which].spec == NULL ||
        (ref != NULL && (label == NULL || *label == '\0' || strlen(label) > IMPORT_MAX_LABEL)))
        return;
    prepared_line *p = arena_calloc(a, 1, sizeof(*p));
    if (p == NULL || (label != NULL && (label = arena_strdup(a, label)) == NULL) ||
        !find_label_uses(kinds[which].spec, obj, a, p))
        return;
    p->which = which;
    p->label = label;
    l->ready = p;
    /* From here the line is the reading thread's to change. */
    json_object_del(obj, "resource");
    json_object_del(obj, "ref");
    api_call *call = &im->reader_call;
    call->arena = a;
    bf_error_clear(&call->err);
    p->r = BF_OK;
    for (size_t i = 0; i < p->nuses && p->r == BF_OK; i++)
        if (json_object_set_new(obj, kinds[which].spec->fields[p->uses[i].field].name,
                                json_string(PLACEHOLDER_ID)) != 0)
            p->r = bf_fail(&call->err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
    if (p->r == BF_OK)
        p->r = api_create_check(call, im->routes[which], obj, &p->rec);
    if (p->r != BF_OK && (p->err = arena_alloc(a, sizeof(*p->err))) != NULL)
        *p->err = call->err;
    else if (p->r != BF_OK)
        p->r = BF_ERR_NOMEM;
}

/* A line the reading thread prepared: what is left of line_header (a ref
 * that an earlier line gave), its labels resolved as resolve_refs does, the
 * checks' answer, then the write. */
static bf_result import_prepared(importer *im, prepared_line *p, record **rec)
{
    bf_error *err = &im->call.err;
    const resource_spec *spec = kinds[p->which].spec;
    if (p->label != NULL && ref_get(&im->refs, p->label) != NULL)
        return bf_fail(err, BF_ERR_INVALID, "duplicate", "ref",
                       "ref %s labels an earlier line already", p->label);
    for (size_t i = 0; i < p->nuses; i++) {
        const field_spec *f = &spec->fields[p->uses[i].field];
        const char *id = ref_get(&im->refs, p->uses[i].label + 1);
        if (id == NULL)
            return bf_fail(err, BF_ERR_INVALID, "unknown_reference", f->name,
                           "%s names %s, the ref of no line before", f->name, p->uses[i].label);
        if (p->r == BF_OK)
            p->rec->values[p->uses[i].field].s = id; /* kept as long as the import runs */
    }
    if (p->r != BF_OK) {
        if (p->err != NULL)
            *err = *p->err;
        else
            bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
        return p->r;
    }
    *rec = p->rec;
    return api_create_write(&im->call, im->routes[p->which], p->rec);
}

/* ---- the import, line by line -------------------------------------------------- */

/* One line: its record made through the API's create path, its label kept
 * (or its deal team member put on). */
static bf_result import_line(importer *im, const read_line *l)
{
    json_t *obj = l->obj;
    prepared_line *p = l->ready;
    int which = p ? p->which : 0;
    const char *label = NULL;
    record *rec = NULL;
    bf_result r = BF_OK;
    if (p != NULL) {
        label = p->label;
        r = import_prepared(im, p, &rec);
    } else if ((r = line_header(im, obj, &which, &label)) == BF_OK && kinds[which].spec == NULL)
        r = put_team_member(im, obj);
    else if (r == BF_OK && (r = resolve_refs(im, kinds[which].spec, obj)) == BF_OK)
        r = api_create_record(&im->call, im->routes[which], obj, &rec);
    if (r == BF_OK && label != NULL)
        r = ref_put(&im->refs, label, rec->id);
    if (r == BF_OK) {
        im->pending[which]++;
        im->in_tx++;
    }
    return r;
}

/* "bingfa: line 17, amount: amount must not be negative". */
static void report_line(const importer *im)
{
    const bf_error *e = &im->call.err;
    cli_error("line %zu%s%s: %s", im->line, e->field[0] ? ", " : "", e->field,
              e->message[0] ? e->message : "failed");
}

static void progress(importer *im, bool force)
{
    if (im->o.progress_s < 0 || (!force && seconds_since(&im->last_progress) < im->o.progress_s))
        return;
    clock_gettime(CLOCK_MONOTONIC, &im->last_progress);
    double s = seconds_since(&im->start);
    size_t made = total(im->done) + total(im->pending);
    fprintf(stderr, "bingfa: import: %zu lines, %zu records, %zu skipped, %.0f lines/s, %.1f s\n",
            im->line, made, im->skipped, s > 0 ? (double)im->line / s : 0.0, s);
}

/* The report totals of new deals are added up in memory while the lines
 * make deals or put people on their teams, which neither read nor change
 * them (store_bulk_defer_totals), and written before any other line and
 * before each commit. Not with --skip-invalid: a line undone alone would
 * leave its deal in the sums. */
static bf_result defer_totals(importer *im, const read_line *l, bf_error *err)
{
    int which = -1;
    if (l->ready != NULL) {
        which = ((const prepared_line *)l->ready)->which;
    } else if (l->obj != NULL) {
        json_t *res = json_object_get(l->obj, "resource");
        which = kind_of(res ? json_string_value(res) : im->o.resource);
    }
    bool on = !im->o.skip_invalid && which >= 0 &&
              (kinds[which].spec == &resource_opportunities || kinds[which].spec == NULL);
    if (on == im->deferring)
        return BF_OK;
    im->deferring = on;
    return store_bulk_defer_totals(im->st, on, err);
}

/* Writes the totals added up so far (before a commit or a rollback). */
static bf_result write_totals(importer *im, bf_error *err)
{
    if (!im->deferring)
        return BF_OK;
    im->deferring = false;
    return store_bulk_defer_totals(im->st, false, err);
}

/* Commits the open transaction and counts its records as done. */
static bf_result commit(importer *im, bf_error *err)
{
    bf_result r = write_totals(im, err);
    if (r == BF_OK)
        r = store_commit(im->st, err);
    if (r != BF_OK)
        return r;
    for (size_t i = 0; i < NKINDS; i++) {
        im->done[i] += im->pending[i];
        im->pending[i] = 0;
    }
    im->in_tx = 0;
    return BF_OK;
}

/* Rolls the open transaction back; its records are not made. */
static void roll_back(importer *im)
{
    bf_error ignored;
    write_totals(im, &ignored); /* undone with the rest */
    store_rollback(im->st);
    memset(im->pending, 0, sizeof(im->pending));
    im->in_tx = 0;
}

/* A failure of the line itself (its data, or what its user may do), not of
 * the database or the machine: --skip-invalid goes on after it. */
static bool line_fault(bf_result r)
{
    return api_status(r) < 500;
}

/* With --skip-invalid, a line that failed under savepoint began: reported,
 * undone alone and counted as skipped. */
static bf_result skip_line(importer *im, bool began)
{
    report_line(im);
    bf_error_clear(&im->call.err);
    bf_result r = began ? store_savepoint_rollback(im->st, &im->call.err) : BF_OK;
    if (r != BF_OK) {
        report_line(im);
        im->line_failed = true;
        return r;
    }
    im->skipped++;
    return BF_OK;
}

/* Runs one line (in the arena of its chunk) and, with --skip-invalid,
 * under a savepoint that undoes it alone when it fails. BF_OK when its
 * record was made or the line was skipped; any other result stops the
 * import (the line is reported). */
static bf_result run_line(importer *im, const read_line *l)
{
    im->line = l->number;
    im->call.mant = NULL;
    im->call.error_extra = NULL;
    im->call.warnings = NULL;
    bf_error_clear(&im->call.err);
    bool sp = im->o.skip_invalid, began = false;
    bf_result r = l->r;
    if (r != BF_OK && l->err != NULL)
        im->call.err = *l->err;
    if (r == BF_OK)
        r = defer_totals(im, l, &im->call.err);
    if (r == BF_OK && sp && (r = store_savepoint(im->st, &im->call.err)) == BF_OK)
        began = true;
    if (r == BF_OK)
        r = import_line(im, l);
    if (began && r == BF_OK)
        r = store_savepoint_release(im->st, &im->call.err);
    else if (sp && line_fault(r) && (began || l->r != BF_OK))
        return skip_line(im, began);
    if (r != BF_OK) {
        report_line(im);
        im->line_failed = true;
    }
    return r;
}

/* Imports the lines of chunk c, in an arena of its own, a transaction every
 * --batch records; *open tells whether a transaction is open. */
static bf_result import_chunk_lines(importer *im, const import_chunk *c, bool *open, bf_error *err)
{
    arena *a = arena_new(256 * 1024);
    if (a == NULL)
        return bf_fail(err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
    im->call.arena = a;
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < c->n; i++) {
        if (im->o.batch > 0 && im->in_tx >= (size_t)im->o.batch) {
            *open = false;
            if ((r = commit(im, err)) == BF_OK && (r = store_begin(im->st, err)) == BF_OK)
                *open = true;
            im->tx_first = c->lines[i].number;
        }
        if (r == BF_OK && (r = run_line(im, &c->lines[i])) != BF_OK)
            *err = im->call.err;
        progress(im, im->o.progress_s == 0);
    }
    arena_free(a);
    return r;
}

/* Reads and imports every line of in, a transaction every --batch records.
 * BF_OK when the whole input was read; otherwise the open transaction was
 * rolled back and the reason printed. */
/* Ends the import: the open transaction committed after the last line,
 * or rolled back when the import stopped (and what is imported said). */
static bf_result import_end(importer *im, bf_result r, bool open, bf_error *err)
{
    if (r == BF_OK) {
        open = false;
        r = commit(im, err);
    }
    if (r != BF_OK && !im->line_failed && err->message[0])
        cli_error("%s", err->message); /* the input, a begin or a commit failed */
    if (!open)
        return r;
    roll_back(im);
    if (im->tx_first > 1)
        cli_error("import stopped at line %zu: the transaction of lines %zu to %zu was rolled "
                  "back; the lines before %zu are imported",
                  im->line, im->tx_first, im->line, im->tx_first);
    else
        cli_error("import stopped at line %zu: nothing was imported", im->line);
    return r;
}

static bf_result import_lines(importer *im, FILE *in)
{
    bf_error err = {0};
    import_reader *reader = NULL;
    /* A load of records from another system warns of no duplicates: their
     * lookups would each read a table whose indexes wait for the end. */
    im->call.duplicates_asked = true;
    im->reader_call = im->call;
    im->reader_who = *im->call.who;
    im->reader_call.who = &im->reader_who;
    bf_result r = import_reader_start(in, prepare_line, im, &reader);
    if (r != BF_OK)
        bf_fail(&err, r, NULL, NULL, "cannot start reading %s", im->o.file);
    bool open = r == BF_OK && (r = store_begin(im->st, &err)) == BF_OK;
    im->tx_first = 1;
    import_chunk *c = NULL;
    while (r == BF_OK && (c = import_reader_next(reader)) != NULL) {
        r = import_chunk_lines(im, c, &open, &err);
        if (r == BF_OK)
            im->line = c->last;
        if (r == BF_OK && c->failed)
            r = bf_fail(&err, BF_ERR_IO, NULL, NULL, "cannot read %s: %s", im->o.file, c->why);
        bool end = c->end;
        import_reader_recycle(reader, c);
        if (end)
            break;
    }
    import_reader_stop(reader);
    return import_end(im, r, open, &err);
}

/* "10000 accounts, 990000 opportunities" */
static void print_summary(const importer *im, double seconds)
{
    printf("bingfa: imported %zu record%s from %zu line%s in %.1f s (%.0f lines/s)",
           total(im->done), total(im->done) == 1 ? "" : "s", im->line, im->line == 1 ? "" : "s",
           seconds, seconds > 0 ? (double)im->line / seconds : 0.0);
    const char *sep = ": ";
    for (size_t i = 0; i < NKINDS; i++)
        if (im->done[i] > 0) {
            printf("%s%zu %s", sep, im->done[i], kinds[i].counted);
            sep = ", ";
        }
    if (im->skipped > 0)
        printf("; %zu line%s skipped", im->skipped, im->skipped == 1 ? "" : "s");
    putchar('\n');
    fflush(stdout);
}

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Parses the command line into o; false (after saying why) when it is not
 * one the command takes. */
static bool import_parse_args(int argc, char **argv, import_opts *o)
{
    *o = (import_opts){.batch = -1, .progress_s = 1.0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = strcmp(a, "--db") == 0         ? &o->db
                            : strcmp(a, "--as") == 0       ? &o->as
                            : strcmp(a, "--resource") == 0 ? &o->resource
                                                           : NULL;
        char *end = NULL;
        if (slot != NULL && v != NULL) {
            *slot = argv[++i];
        } else if (strcmp(a, "--batch") == 0 && v && parse_long(v, 0, 100000000, &o->batch)) {
            i++;
        } else if (strcmp(a, "--progress") == 0 && v && (o->progress_s = strtod(v, &end)) >= 0 &&
                   end != v && *end == '\0') {
            i++;
        } else if (strcmp(a, "--quiet") == 0) {
            o->progress_s = -1;
        } else if (strcmp(a, "--skip-invalid") == 0) {
            o->skip_invalid = true;
        } else if ((a[0] != '-' || strcmp(a, "-") == 0) && o->file == NULL) {
            o->file = a;
        } else {
            cli_error("import: bad argument %s", a);
            fputs(usage_text, stderr);
            return false;
        }
    }
    if (o->db == NULL || o->file == NULL) {
        fputs(usage_text, stderr);
        return false;
    }
    if (o->resource != NULL && kind_of(o->resource) < 0) {
        cli_error("import: --resource must be " KINDS_TEXT);
        return false;
    }
    return true;
}

/* Opens the input, the database and the API, acting as --as; then imports. */
static int import_run(importer *im, FILE *in, arena *a)
{
    bf_error err = {0};
    store_options sopt = {.synchronous_full = true, .bulk_load = true};
    if (store_open(im->o.db, &sopt, &im->st, &err) != BF_OK) {
        cli_error("%s: %s", im->o.db, err.message);
        return 1;
    }
    if (im->o.batch < 0)
        im->o.batch = store_bulk_batch(im->st);
    int status = 1;
    api *app = NULL;
    playbook_set *playbooks = cli_load_all_playbooks(im->st);
    if (playbooks != NULL && api_new(im->st, playbooks, &app) != BF_OK)
        cli_error("out of memory");
    if (app != NULL && api_call_in_process(app, a, im->o.as, &im->call) != BF_OK)
        cli_error("import: --as %s: %s", im->o.as ? im->o.as : "", im->call.err.message);
    else if (app != NULL && (im->refs.text = arena_new(1024 * 1024)) == NULL)
        cli_error("out of memory");
    else if (app != NULL) {
        for (size_t i = 0; i < NKINDS; i++)
            BF_ASSERT(kinds[i].spec == NULL ||
                      (im->routes[i] = api_create_route(kinds[i].spec)) != NULL);
        clock_gettime(CLOCK_MONOTONIC, &im->start);
        im->last_progress = im->start;
        bool deferred = false;
        bf_result r = store_bulk_defer_indexes(im->st, &deferred, &err);
        if (r != BF_OK)
            cli_error("%s: %s", im->o.db, err.message);
        else
            r = import_lines(im, in);
        /* Built whether the load ended or stopped: what was imported is kept. */
        if (deferred && im->o.progress_s >= 0)
            fprintf(stderr, "bingfa: import: building the deals' indexes\n");
        struct timespec built;
        clock_gettime(CLOCK_MONOTONIC, &built);
        if (deferred && store_bulk_build_indexes(im->st, &err) != BF_OK) {
            cli_error("%s: %s", im->o.db, err.message);
            r = BF_ERR_STORE;
        } else if (deferred && im->o.progress_s >= 0) {
            fprintf(stderr, "bingfa: import: the deals' indexes built in %.1f s\n",
                    seconds_since(&built));
        }
        if (store_checkpoint(im->st, &err) != BF_OK) {
            cli_error("%s: %s", im->o.db, err.message);
            r = BF_ERR_STORE;
        }
        print_summary(im, seconds_since(&im->start));
        status = r == BF_OK && im->skipped == 0 ? 0 : 1;
    }
    arena_free(im->refs.text);
    free(im->refs.slots);
    api_free(app);
    playbook_set_free(playbooks);
    store_close(im->st);
    return status;
}

int cli_import(int argc, char **argv)
{
    importer im = {0};
    if (!import_parse_args(argc, argv, &im.o))
        return 2;
    FILE *in = strcmp(im.o.file, "-") == 0 ? stdin : fopen(im.o.file, "r");
    if (in == NULL) {
        cli_error("import: cannot open %s: %s", im.o.file, strerror(errno));
        return 1;
    }
    arena *a = arena_new(4096);
    int status = a ? import_run(&im, in, a) : 1;
    if (a == NULL)
        cli_error("out of memory");
    arena_free(a);
    if (in != stdin)
        fclose(in);
    return status;
}
