/* The demo data set: data/demo.json, compiled in. Records refer to one
 * another by local "ref" labels and to time in days from today, so the demo
 * always looks current. Everything goes through the same validation as the
 * API, in one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/password.h"
#include "cli/cli.h"
#include "core/activity.h"
#include "core/embedded.h"
#include "core/opportunity.h"
#include "core/qualification.h"
#include "core/text.h"

extern const embedded_file demo_files[];

#define DAY 86400

typedef struct demo {
    store *st;
    const playbook_set *playbooks;
    arena *a;
    json_t *refs;     /* ref label -> id */
    json_t *contacts; /* the demo's contacts, with their account ids */
    bf_error *err;
    time_t now;
    const char *password_hash; /* of every demo user */
} demo;

static const char *date_in_days(demo *d, long days)
{
    char out[16];
    text_format_date(d->now + days * DAY, out, sizeof(out));
    return arena_strdup(d->a, out);
}

/* A time of day in China (UTC+8) as UTC: 09:30 local is 01:30Z. */
static const char *time_in_days(demo *d, long days, int local_hour, int minute)
{
    char out[32];
    time_t day = (d->now / DAY + days) * DAY;
    text_format_utc(day + (local_hour - 8) * 3600 + minute * 60, out, sizeof(out));
    return arena_strdup(d->a, out);
}

static bf_result resolve(demo *d, json_t *obj, const char *from, const char *to)
{
    json_t *ref = json_object_get(obj, from);
    if (ref == NULL)
        return BF_OK;
    json_t *id = json_object_get(d->refs, json_string_value(ref));
    if (id == NULL)
        return bf_fail(d->err, BF_ERR_INVALID, "unknown_reference", from, "unknown ref %s",
                       json_string_value(ref));
    json_object_set(obj, to, id);
    if (strcmp(from, to) != 0)
        json_object_del(obj, from);
    return BF_OK;
}

/* Validates obj as a spec record and inserts it; remembers its ref. */
static bf_result insert(demo *d, const resource_spec *spec, json_t *obj, record **out)
{
    json_t *ref = json_incref(json_object_get(obj, "ref"));
    json_object_del(obj, "ref");
    /* The demo names owners by login name; a record holds the user's id. */
    const char *owner = json_string_value(json_object_get(obj, "owner"));
    owner = owner ? arena_strdup(d->a, owner) : NULL;
    json_object_del(obj, "owner");
    record *rec;
    bf_result r = record_from_json(d->a, spec, obj, RECORD_CREATE, &rec, d->err);
    if (r == BF_OK && owner != NULL) {
        user_login u;
        r = store_user_by_name(d->st, d->a, owner, &u, d->err);
        if (r == BF_OK) {
            record_set_text(rec, "owner_id", u.who.user_id);
            record_set_text(rec, "owner", u.who.name);
        }
    }
    if (r == BF_OK && spec == &resource_opportunities) {
        bool moved;
        r = opportunity_prepare(rec, NULL, d->playbooks, &moved, d->err);
        if (r == BF_OK) {
            const playbook *pb = playbook_set_find(d->playbooks, record_text(rec, "playbook"));
            record_set_int(rec, "playbook_version", pb->version);
            if (record_text(rec, "sales_mode") != NULL)
                record_set_text(rec, "sales_mode_since", time_in_days(d, -7, 9, 0));
        }
    }
    if (r == BF_OK && spec == &resource_activities)
        r = activity_check(rec, d->err);
    if (r == BF_OK)
        r = store_record_insert(d->st, d->a, rec, d->err);
    if (r == BF_OK && ref != NULL)
        json_object_set_new(d->refs, json_string_value(ref), json_string(rec->id));
    json_decref(ref);
    if (r == BF_OK && out)
        *out = rec;
    return r;
}

/* The history of a demo deal: created in the first stage, moved through
 * each stage before its current one with every criterion ticked, and part of
 * the current stage's checklist done. */
/* Deals past the MANT gate of a MANT playbook get their MANT form, filled
 * from the deal; completeness is computed as the API does. */
static bf_result opportunity_mant(demo *d, const record *opp, const playbook *pb)
{
    if (!playbook_uses(pb, "MANT"))
        return BF_OK;
    const field_value *budget = record_field_const(opp, "budget");
    int64_t money =
        budget->null || budget->i == 0 ? record_field_const(opp, "amount")->i : budget->i;
    const char *close = record_text(opp, "expected_close");
    char month[8] = "";
    if (close)
        snprintf(month, sizeof(month), "%.7s", close);
    json_t *needs =
        json_loads(record_text(opp, "products") ? record_text(opp, "products") : "[]", 0, NULL);
    while (json_array_size(needs) > 5)
        json_array_remove(needs, json_array_size(needs) - 1);
    json_t *form =
        json_pack("{s:{s:I, s:s, s:b, s:b}, s:o, s:{s:s, s:s}}", "money", "budget",
                  (json_int_t)money, "source", "年度信息化专项预算", "approved", 1, "in_place", 1,
                  "needs", needs ? needs : json_array(), "time", "tender_month",
                  month[0] ? month : "2027-01", "go_live", date_in_days(d, 150));
    const char *names[4][32] = {{0}};
    static const char *const roles[] = {"approver", "decision_maker", "evaluator", "coach"};
    size_t counts[4] = {0}, i;
    json_t *c;
    json_array_foreach(d->contacts, i, c)
    {
        const char *acc = json_string_value(json_object_get(c, "account_id"));
        const char *role = json_string_value(json_object_get(c, "buying_role"));
        if (acc == NULL || role == NULL || strcmp(acc, record_text(opp, "account_id")) != 0)
            continue;
        for (int k = 0; k < 4; k++)
            if (strcmp(role, roles[k]) == 0 && counts[k] < 31)
                names[k][counts[k]++] = json_string_value(json_object_get(c, "name"));
    }
    mant_authority authority = {names[0], names[1], names[2], names[3]};
    json_t *result = form ? mant_evaluate(form, &authority) : NULL;
    char *text = form ? json_dumps(form, JSON_COMPACT) : NULL;
    int64_t version;
    bf_result r = text && result ? BF_OK : BF_ERR_NOMEM;
    if (r == BF_OK)
        r = store_form_put(d->st, "opportunity", opp->id, "mant", text, 0,
                           record_text(opp, "owner"), &version, d->err);
    if (r == BF_OK)
        r = store_opportunity_set_mant_complete(
            d->st, opp->id, json_is_true(json_object_get(result, "complete")), d->err);
    free(text);
    json_decref(result);
    json_decref(form);
    return r;
}

static bf_result opportunity_story(demo *d, record *opp, long days_in_stage, const char *owner)
{
    const playbook *pb = playbook_set_find(d->playbooks, record_text(opp, "playbook"));
    size_t current;
    playbook_stage(pb, record_text(opp, "stage"), &current);
    long days_ago = days_in_stage + 12L * (long)current;
    char when[32];
    text_format_utc(d->now - days_ago * DAY, when, sizeof(when));
    stage_change create = {.opportunity_id = opp->id,
                           .kind = "create",
                           .playbook = pb->id,
                           .to_stage = pb->stages[0].id,
                           .to_probability = pb->stages[0].probability,
                           .changed_at = arena_strdup(d->a, when),
                           .changed_by = owner};
    bf_result r = store_stage_change_append(d->st, d->a, &create, d->err);
    for (size_t s = 0; r == BF_OK && s <= current; s++) {
        const stage_def *stage = &pb->stages[s];
        bool passed = s < current;
        /* Passed stages are complete; the current one is about half done. */
        size_t ticks = passed ? stage->nitems : stage->nitems / 2;
        for (size_t i = 0; r == BF_OK && i < ticks; i++) {
            checklist_state item = {.item_id = stage->items[i].id,
                                    .done = true,
                                    .evidence = "演示数据：已核实",
                                    .done_by = owner};
            r = store_checklist_put(d->st, opp->id, stage->id, &item, d->err);
        }
        /* A passed stage's decision points were answered yes. */
        for (size_t k = 0; r == BF_OK && passed && k < pb->ndecisions; k++) {
            if (pb->decisions[k].stage != s)
                continue;
            checklist_state yes = {.item_id = pb->decisions[k].id,
                                   .done = true,
                                   .evidence = "客户已确认",
                                   .done_by = owner};
            r = store_checklist_put(d->st, opp->id, stage->id, &yes, d->err);
        }
        if (r != BF_OK || !passed)
            break;
        days_ago = days_in_stage + 12L * (long)(current - s - 1);
        text_format_utc(d->now - days_ago * DAY, when, sizeof(when));
        stage_change move = {.opportunity_id = opp->id,
                             .kind = "advance",
                             .playbook = pb->id,
                             .from_stage = stage->id,
                             .to_stage = pb->stages[s + 1].id,
                             .from_probability = stage->probability,
                             .to_probability = pb->stages[s + 1].probability,
                             .changed_at = arena_strdup(d->a, when),
                             .changed_by = owner,
                             .reason = "出口标准全部满足"};
        r = store_stage_change_append(d->st, d->a, &move, d->err);
    }
    return r;
}

/* The organisation: teams, partner companies and users (one password). */
static bf_result load_org(demo *d, json_t *doc)
{
    bf_result r = BF_OK;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(doc, "teams"), i, o)
    {
        if ((r = resolve(d, o, "parent", "parent_id")) != BF_OK ||
            (r = insert(d, &resource_teams, o, NULL)) != BF_OK)
            return r;
    }
    json_array_foreach(json_object_get(doc, "partners"), i, o)
    {
        if ((r = insert(d, &resource_partners, o, NULL)) != BF_OK)
            return r;
    }
    json_array_foreach(json_object_get(doc, "users"), i, o)
    {
        record *user;
        json_t *name = json_incref(json_object_get(o, "name"));
        json_object_set(o, "ref", name);
        json_decref(name);
        if ((r = resolve(d, o, "team", "team_id")) != BF_OK ||
            (r = resolve(d, o, "partner", "partner_id")) != BF_OK ||
            (r = insert(d, &resource_users, o, &user)) != BF_OK ||
            (r = store_user_set_password(d->st, user->id, d->password_hash, d->err)) != BF_OK)
            return r;
    }
    return BF_OK;
}

/* Who works which deal beyond its owner, and the partners registered on deals. */
static bf_result load_deal_teams(demo *d, json_t *doc)
{
    bf_result r = BF_OK;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(doc, "deal_members"), i, o)
    {
        if ((r = resolve(d, o, "opportunity", "opportunity")) != BF_OK ||
            (r = resolve(d, o, "user", "user")) != BF_OK ||
            (r = store_member_put(d->st, json_string_value(json_object_get(o, "opportunity")),
                                  json_string_value(json_object_get(o, "user")),
                                  json_string_value(json_object_get(o, "role")), "demo", d->err)) !=
                BF_OK)
            return r;
    }
    json_array_foreach(json_object_get(doc, "deal_partners"), i, o)
    {
        bool inserted;
        if ((r = resolve(d, o, "opportunity", "opportunity")) != BF_OK ||
            (r = resolve(d, o, "partner", "partner")) != BF_OK ||
            (r = store_partner_register(d->st, json_string_value(json_object_get(o, "opportunity")),
                                        json_string_value(json_object_get(o, "partner")), "demo",
                                        &inserted, d->err)) != BF_OK)
            return r;
    }
    return BF_OK;
}

static bf_result load_all(demo *d, json_t *doc)
{
    bf_result r = load_org(d, doc);
    size_t i;
    json_t *o;
    if (r != BF_OK)
        return r;
    json_array_foreach(json_object_get(doc, "accounts"), i, o)
    {
        if ((r = insert(d, &resource_accounts, o, NULL)) != BF_OK)
            return r;
    }
    json_array_foreach(json_object_get(doc, "contacts"), i, o)
    {
        if ((r = resolve(d, o, "account", "account_id")) != BF_OK ||
            (r = resolve(d, o, "reports_to", "reports_to")) != BF_OK ||
            (r = insert(d, &resource_contacts, o, NULL)) != BF_OK)
            return r;
    }
    json_array_foreach(json_object_get(doc, "opportunities"), i, o)
    {
        json_t *days = json_object_get(o, "expected_close_days");
        json_t *in_stage = json_object_get(o, "days_in_stage");
        long stage_days = in_stage ? (long)json_integer_value(in_stage) : 7;
        if (days)
            json_object_set_new(o, "expected_close",
                                json_string(date_in_days(d, (long)json_integer_value(days))));
        json_object_del(o, "expected_close_days");
        json_object_del(o, "days_in_stage");
        record *opp;
        if ((r = resolve(d, o, "account", "account_id")) != BF_OK ||
            (r = insert(d, &resource_opportunities, o, &opp)) != BF_OK ||
            (r = opportunity_story(d, opp, stage_days, record_text(opp, "owner"))) != BF_OK)
            return r;
        const playbook *pb = playbook_set_find(d->playbooks, record_text(opp, "playbook"));
        size_t stage_index = 0;
        playbook_stage(pb, record_text(opp, "stage"), &stage_index);
        if (stage_index >= 1 && (r = opportunity_mant(d, opp, pb)) != BF_OK)
            return r;
    }
    json_array_foreach(json_object_get(doc, "activities"), i, o)
    {
        long planned = (long)json_integer_value(json_object_get(o, "planned_days"));
        const char *at = time_in_days(d, planned, 9 + (int)(i % 6), (int)(i % 2) * 30);
        json_object_set_new(o, "planned_at", json_string(at));
        if (json_is_true(json_object_get(o, "done")))
            json_object_set_new(o, "done_at", json_string(at));
        json_t *next = json_object_get(o, "next_step_days");
        if (next)
            json_object_set_new(o, "next_step_date",
                                json_string(date_in_days(d, (long)json_integer_value(next))));
        json_object_del(o, "planned_days");
        json_object_del(o, "done");
        json_object_del(o, "next_step_days");
        json_t *contacts = json_object_get(o, "contacts");
        size_t k;
        json_t *c;
        json_array_foreach(contacts, k, c)
        {
            json_t *id = json_object_get(d->refs, json_string_value(c));
            if (id == NULL)
                return bf_fail(d->err, BF_ERR_INVALID, "unknown_reference", "contacts",
                               "unknown contact ref %s", json_string_value(c));
            json_array_set(contacts, k, id);
        }
        if ((r = resolve(d, o, "opportunity", "opportunity_id")) != BF_OK ||
            (r = resolve(d, o, "account", "account_id")) != BF_OK ||
            (r = insert(d, &resource_activities, o, NULL)) != BF_OK)
            return r;
    }
    return load_deal_teams(d, doc);
}

/* The demo goes only into a database without accounts: loading it twice
 * would double every record. */
static bf_result demo_check_empty(store *st, arena *a, bf_error *err)
{
    list_query q = {.spec = &resource_accounts, .sort_field = LIST_SORT_CREATED, .limit = 1};
    record_page page;
    bf_result r = store_record_list(st, a, &q, &page, err);
    if (r == BF_OK && page.n > 0)
        r = bf_fail(err, BF_ERR_CONFLICT, "not_empty", NULL,
                    "the database already holds accounts; the demo is loaded only into an empty "
                    "one");
    return r;
}

bf_result demo_load(store *st, const playbook_set *playbooks, const char *password, bf_error *err)
{
    char hash[PASSWORD_HASH_MAX];
    bf_result hr = password_hash(password, hash, sizeof(hash), err);
    if (hr != BF_OK)
        return hr;
    json_error_t jerr;
    json_t *doc = json_loadb(demo_files[0].data, demo_files[0].len, 0, &jerr);
    if (doc == NULL)
        return bf_fail(err, BF_ERR_MALFORMED, "malformed_json", NULL, "demo.json line %d: %s",
                       jerr.line, jerr.text);
    demo d = {.contacts = json_object_get(doc, "contacts"),
              .st = st,
              .playbooks = playbooks,
              .a = arena_new(64 * 1024),
              .refs = json_object(),
              .err = err,
              .now = time(NULL),
              .password_hash = hash};
    bf_result r = d.a && d.refs ? BF_OK : BF_ERR_NOMEM;
    if (r == BF_OK)
        r = demo_check_empty(st, d.a, err);
    if (r == BF_OK && (r = store_begin(st, err)) == BF_OK) {
        r = load_all(&d, doc);
        if (r == BF_OK)
            r = store_commit(st, err);
        else
            store_rollback(st);
    }
    json_decref(d.refs);
    json_decref(doc);
    arena_free(d.a);
    return r;
}
