/* The demo data set: data/demo.json, compiled in. Records refer to one
 * another by local "ref" labels and to time in days from today, so the demo
 * always looks current. Every record, tick, form, advance and close goes
 * through the API in-process (as `bingfa api` does), acting as the user the
 * demo names, so the demo passes the same validation, hooks, history and
 * audit as real use; the store's clock is set back while a deal's weeks of
 * history are written. Only the demo users' one password hash is stored
 * directly (hashing it once per user would cost seconds for nothing). All of
 * it runs in one transaction: a failure leaves the database as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "auth/password.h"
#include "cli/cli.h"
#include "core/embedded.h"
#include "core/text.h"

extern const embedded_file demo_files[];

#define DAY 86400

/* Days between two stage moves in a demo deal's history. */
#define DAYS_PER_STAGE 12

typedef struct demo {
    store *st;
    api *app;
    const playbook_set *playbooks;
    arena *a;
    json_t *refs;   /* ref label -> id */
    json_t *kept;   /* the API's answers, kept until the demo ends */
    json_t *owners; /* deal ref label -> its owner's name */
    json_t *doc;    /* demo.json */
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

/* Replaces the ref label at key from of obj by the id it names, at key to. */
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

/* The id a ref label names (it must have been made). */
static const char *ref_id(demo *d, const char *label)
{
    return json_string_value(json_object_get(d->refs, label));
}

/* Who acts where the demo names nobody: its admin user, made first. */
#define DEMO_ADMIN "admin"

/* One request to the API in-process, acting as the user called as (NULL:
 * the demo's admin once the users exist, before that the command line's), with version as If-Match
 * when >= 0. On a 2xx answer *answer (may be NULL) is its JSON, kept until the demo ends; any other
 * answer fails with its error and the request named. */
static bf_result call(demo *d, const char *as, const char *method, const char *path, json_t *body,
                      int64_t version, json_t **answer)
{
    const char *headers[9];
    size_t h = 0;
    char if_match[32];
    if (as == NULL && json_object_get(d->refs, DEMO_ADMIN) != NULL)
        as = DEMO_ADMIN;
    if (as != NULL) {
        headers[h++] = "X-Bingfa-As";
        headers[h++] = as;
    }
    if (body != NULL) {
        headers[h++] = "Content-Type";
        headers[h++] = "application/json";
    }
    if (version >= 0) {
        snprintf(if_match, sizeof(if_match), "\"%lld\"", (long long)version);
        headers[h++] = "If-Match";
        headers[h++] = if_match;
    }
    headers[h] = NULL;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    http_request *req;
    bf_result r = body && text == NULL
                      ? BF_ERR_NOMEM
                      : http_request_local(d->a, method, path, text, text ? strlen(text) : 0,
                                           headers, api_handle, d->app, &req);
    free(text);
    if (r != BF_OK)
        return bf_fail(d->err, r, NULL, NULL, "out of memory");
    json_t *j = req->out.len ? json_loadb(req->out.data, req->out.len, 0, NULL) : NULL;
    if (j != NULL && json_array_append_new(d->kept, j) != 0)
        return bf_fail(d->err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
    if (req->status < 200 || req->status > 299) {
        json_t *e = json_object_get(j, "error");
        return bf_fail(d->err, BF_ERR_INVALID, "demo_refused",
                       json_string_value(json_object_get(e, "field")), "%s %s answered %d: %s",
                       method, path, req->status, json_string_value(json_object_get(e, "message")));
    }
    if (answer)
        *answer = j;
    return BF_OK;
}

/* POSTs obj to the collection path as the user as; remembers the new
 * record's id under obj's "ref" label. */
static bf_result create(demo *d, const char *as, const char *path, json_t *obj, json_t **out)
{
    json_t *ref = json_incref(json_object_get(obj, "ref"));
    json_object_del(obj, "ref");
    json_t *rec;
    bf_result r = call(d, as, "POST", path, obj, -1, &rec);
    if (r == BF_OK && ref != NULL &&
        json_object_set(d->refs, json_string_value(ref), json_object_get(rec, "id")) != 0)
        r = bf_fail(d->err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
    json_decref(ref);
    if (r == BF_OK && out)
        *out = rec;
    return r;
}

/* Sets owner_id of obj to the demo user called name: an admin makes the
 * record for its owner, as a manager would. */
static bf_result owned_by(demo *d, json_t *obj, const char *name)
{
    json_t *id = json_object_get(d->refs, name);
    if (id == NULL)
        return bf_fail(d->err, BF_ERR_INVALID, "unknown_reference", "owner", "no demo user %s",
                       name);
    return json_object_set(obj, "owner_id", id) == 0 ? BF_OK : BF_ERR_NOMEM;
}

/* The organisation: teams, partner companies and users (one password). */
static bf_result load_org(demo *d, json_t *doc)
{
    bf_result r = BF_OK;
    size_t i;
    json_t *o, *user;
    json_array_foreach(json_object_get(doc, "teams"), i, o)
    {
        if ((r = resolve(d, o, "parent", "parent_id")) != BF_OK ||
            (r = create(d, NULL, "/api/v1/teams", o, NULL)) != BF_OK)
            return r;
    }
    json_array_foreach(json_object_get(doc, "partners"), i, o)
    {
        if ((r = create(d, NULL, "/api/v1/partners", o, NULL)) != BF_OK)
            return r;
    }
    json_array_foreach(json_object_get(doc, "users"), i, o)
    {
        json_t *name = json_incref(json_object_get(o, "name"));
        json_object_set(o, "ref", name);
        json_decref(name);
        if ((r = resolve(d, o, "team", "team_id")) != BF_OK ||
            (r = resolve(d, o, "partner", "partner_id")) != BF_OK ||
            (r = create(d, NULL, "/api/v1/users", o, &user)) != BF_OK ||
            (r = store_user_set_password(d->st, json_string_value(json_object_get(user, "id")),
                                         d->password_hash, d->err)) != BF_OK)
            return r;
    }
    return BF_OK;
}

/* Deals past the first stage of a MANT playbook get their MANT form, filled
 * from the deal, saved by its owner. */
static bf_result save_mant(demo *d, json_t *opp, const char *owner)
{
    const playbook *pb =
        playbook_set_find(d->playbooks, json_string_value(json_object_get(opp, "playbook")));
    if (pb == NULL || !playbook_uses(pb, "MANT"))
        return BF_OK;
    json_int_t budget = json_integer_value(json_object_get(opp, "budget"));
    json_int_t money = budget > 0 ? budget : json_integer_value(json_object_get(opp, "amount"));
    const char *close = json_string_value(json_object_get(opp, "expected_close"));
    char month[8] = "2027-01";
    if (close)
        snprintf(month, sizeof(month), "%.7s", close);
    json_t *needs = json_deep_copy(json_object_get(opp, "products"));
    while (json_array_size(needs) > 5)
        json_array_remove(needs, json_array_size(needs) - 1);
    json_t *form = json_pack("{s:{s:I, s:s, s:b, s:b}, s:o, s:{s:s, s:s}}", "money", "budget",
                             money, "source", "年度信息化专项预算", "approved", 1, "in_place", 1,
                             "needs", needs ? needs : json_array(), "time", "tender_month", month,
                             "go_live", date_in_days(d, 150));
    const char *path = arena_printf(d->a, "/api/v1/opportunities/%s/mant",
                                    json_string_value(json_object_get(opp, "id")));
    bf_result r = form && path ? call(d, owner, "PUT", path, form, -1, NULL) : BF_ERR_NOMEM;
    json_decref(form);
    return r;
}

/* The demo user called name: its entry of users[], or NULL. */
static json_t *demo_user(demo *d, const char *name)
{
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(d->doc, "users"), i, u)
    {
        const char *n = json_string_value(json_object_get(u, "name"));
        if (name && n && strcmp(n, name) == 0)
            return u;
    }
    return NULL;
}

/* Who ticks item of the deal labelled ref: the first that plays the item's
 * owning role of its owner, its team members (demo.json's deal_members) and
 * the managers (the owner's first); the admin when none does. */
static const char *ticker(demo *d, const playbook *pb, const checklist_def *item, const char *ref,
                          const char *owner)
{
    const char *who[12];
    size_t n = 0, i;
    who[n++] = owner;
    json_t *o;
    json_array_foreach(json_object_get(d->doc, "deal_members"), i, o)
    {
        const char *deal = json_string_value(json_object_get(o, "opportunity"));
        if (n < 6 && ref && deal && strcmp(deal, ref) == 0)
            who[n++] = json_string_value(json_object_get(o, "user"));
    }
    const char *team = json_string_value(json_object_get(demo_user(d, owner), "team"));
    for (int pass = 0; pass < 2; pass++)
        json_array_foreach(json_object_get(d->doc, "users"), i, o)
        {
            const char *t = json_string_value(json_object_get(o, "team"));
            bool same = team && t && strcmp(team, t) == 0;
            if (n < 12 && same == (pass == 0) &&
                strcmp(json_string_value(json_object_get(o, "role")), "manager") == 0)
                who[n++] = json_string_value(json_object_get(o, "name"));
        }
    for (i = 0; i < n; i++) {
        const char *role = json_string_value(json_object_get(demo_user(d, who[i]), "role"));
        if (role && playbook_owner_includes(pb, item->owner, role))
            return who[i];
    }
    return NULL;
}

/* PUTs a form of the deal as its owner. */
static bf_result put_form(demo *d, json_t *opp, const char *owner, const char *form, json_t *body)
{
    const char *path = arena_printf(d->a, "/api/v1/opportunities/%s/%s",
                                    json_string_value(json_object_get(opp, "id")), form);
    bf_result r = body && path ? call(d, owner, "PUT", path, body, -1, NULL) : BF_ERR_NOMEM;
    json_decref(body);
    return r;
}

/* Deals past their first stage get the qualification forms their playbook
 * reads, filled from the deal by its owner: the compelling event (when the
 * deal's states a figure), 5W+2P, the evaluation's M, A and N. */
static bf_result save_forms(demo *d, json_t *opp, const char *owner)
{
    const playbook *pb =
        playbook_set_find(d->playbooks, json_string_value(json_object_get(opp, "playbook")));
    const char *ce = json_string_value(json_object_get(opp, "compelling_event"));
    const char *close = json_string_value(json_object_get(opp, "expected_close"));
    bf_result r = BF_OK;
    if (pb == NULL)
        return BF_OK;
    if (playbook_uses(pb, "CE") && ce && strpbrk(ce, "0123456789") && strlen(ce) < 1500)
        r = put_form(d, opp, owner, "compelling-event",
                     json_pack("{s:s, s:s, s:s}", "what", ce, "by_when",
                               close ? close : date_in_days(d, 90), "consequence", ce));
    if (r == BF_OK && playbook_uses(pb, "5W2P")) {
        json_t *comp = json_object_get(opp, "competitors");
        const char *rival = json_string_value(json_array_get(comp, 0));
        r = put_form(d, opp, owner, "5w2p",
                     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "motive",
                               ce ? ce : "业务扩张，现有系统无法支撑", "decision_maker",
                               "分管副总经理，本人支持立项", "process",
                               "信息中心牵头评估，总经理办公会决策", "needs",
                               "业务全程可追溯、调度与结算一体化", "competitors",
                               rival ? rival : "两家国内厂商", "budget", "已列入年度信息化预算",
                               "timetable", close ? close : "明年上半年上线"));
    }
    if (r == BF_OK && playbook_uses(pb, "MAN"))
        r = put_form(d, opp, owner, "evaluation",
                     json_pack("{s:{s:s}, s:{s:s}, s:{s:s}}", "money", "answer", "yes", "authority",
                               "answer", "yes", "need", "answer", "yes"));
    return r;
}

/* What a passed stage's items derived from the account's profile or the
 * tender record read: the profile's purchase plan, and the tender's method
 * (and its award, where an item waits for it), filled in by the owner. */
static bf_result meet_derived(demo *d, json_t *opp, const stage_def *stage, const char *owner)
{
    bool profile = false, tender = false, award = false;
    for (size_t i = 0; i < stage->nitems; i++) {
        const checklist_def *def = &stage->items[i];
        if (def->derived_from == NULL)
            continue;
        profile |= strcmp(def->derived_from, "profile") == 0;
        tender |= strcmp(def->derived_from, "tender") == 0;
        award |= def->fact && strcmp(def->fact, "award") == 0;
    }
    bf_result r = BF_OK;
    if (profile) {
        const char *path = arena_printf(d->a, "/api/v1/accounts/%s/profile",
                                        json_string_value(json_object_get(opp, "account_id")));
        json_t *body = json_pack("{s:s}", "purchase_plan", "within_year");
        r = body && path ? call(d, owner, "PUT", path, body, -1, NULL) : BF_ERR_NOMEM;
        json_decref(body);
    }
    if (r == BF_OK && tender)
        r = put_form(d, opp, owner, "tender",
                     json_pack("{s:s, s:s}", "procurement_method", "public_tender", "result",
                               award ? "won" : "pending"));
    return r;
}

/* A deliverable that requires a document gets one: the proposal made from
 * the built-in template as a Word file, kept on the deal (its id in *out). */
static bf_result save_document(demo *d, const char *opp_id, const checklist_def *item,
                               const char *as, const char **out)
{
    json_t *body =
        json_pack("{s:s, s:s, s:s}", "format", "docx", "category", "proposal", "item_id", item->id);
    const char *path = arena_printf(d->a, "/api/v1/opportunities/%s/documents/proposal", opp_id);
    json_t *doc = NULL;
    bf_result r = body && path ? call(d, as, "POST", path, body, -1, &doc) : BF_ERR_NOMEM;
    json_decref(body);
    if (r == BF_OK && (*out = json_string_value(json_object_get(doc, "id"))) == NULL)
        r = bf_fail(d->err, BF_ERR_INTERNAL, NULL, NULL, "a saved document without its id");
    return r;
}

/* Ticks the first n items of stage, each by whose work it is, with evidence
 * (and the document a deliverable requires). */
static bf_result tick_items(demo *d, const char *opp_id, const char *ref, const playbook *pb,
                            const stage_def *stage, size_t n, const char *owner)
{
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        if (checklist_item_derived(&stage->items[i]))
            continue; /* computed from MANT and the buying centre */
        const char *as = ticker(d, pb, &stage->items[i], ref, owner);
        const char *doc_id = NULL;
        if (stage->items[i].requires_document &&
            (r = save_document(d, opp_id, &stage->items[i], as, &doc_id)) != BF_OK)
            break;
        json_t *body = json_pack("{s:b, s:s, s:s?}", "done", 1, "evidence", "演示数据：已核实",
                                 "document_id", doc_id);
        const char *path =
            arena_printf(d->a, "/api/v1/opportunities/%s/checklist/%s", opp_id, stage->items[i].id);
        r = body && path ? call(d, as, "PUT", path, body, -1, NULL) : BF_ERR_NOMEM;
        json_decref(body);
    }
    return r;
}

/* Answers yes to the decision points of the stage at index s. */
static bf_result answer_decisions(demo *d, const char *opp_id, const playbook *pb, size_t s,
                                  const char *owner)
{
    bf_result r = BF_OK;
    for (size_t k = 0; r == BF_OK && k < pb->ndecisions; k++) {
        if (pb->decisions[k].stage != s)
            continue;
        json_t *body = json_pack("{s:s, s:s}", "answer", "yes", "reason", "客户已确认");
        const char *path = arena_printf(d->a, "/api/v1/opportunities/%s/decisions/%s", opp_id,
                                        pb->decisions[k].id);
        r = body && path ? call(d, owner, "POST", path, body, -1, NULL) : BF_ERR_NOMEM;
        json_decref(body);
    }
    return r;
}

/* Moves the deal to its next stage as its owner; where the demo's data
 * leaves a criterion unmet (a buying centre not yet known), an admin
 * overrides the gate, with the reason kept in the history. */
static bf_result advance(demo *d, const char *opp_id, const char *owner)
{
    const char *path = arena_printf(d->a, "/api/v1/opportunities/%s/advance", opp_id);
    const char *list = arena_printf(d->a, "/api/v1/opportunities/%s/checklist", opp_id);
    json_t *checklist;
    bf_result r = path && list ? call(d, owner, "GET", list, NULL, -1, &checklist) : BF_ERR_NOMEM;
    if (r != BF_OK)
        return r;
    bool met = json_is_true(json_object_get(checklist, "complete"));
    json_t *body = met ? json_pack("{s:s}", "note", "出口标准全部满足")
                       : json_pack("{s:b, s:s}", "override", 1, "reason",
                                   "演示数据：资格表单与客户决策圈待补充，经理批准推进");
    r = body ? call(d, met ? owner : NULL, "POST", path, body, -1, NULL) : BF_ERR_NOMEM;
    json_decref(body);
    return r;
}

/* Puts the members demo.json gives the deal labelled ref on its team, before
 * its story: they work its checklist. */
static bf_result staff_deal(demo *d, const char *ref)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(d->doc, "deal_members"), i, o)
    {
        const char *deal = json_string_value(json_object_get(o, "opportunity"));
        if (ref == NULL || deal == NULL || strcmp(deal, ref) != 0)
            continue;
        const char *opp = ref_id(d, ref);
        const char *user = ref_id(d, json_string_value(json_object_get(o, "user")));
        json_t *body = json_pack("{s:O}", "role", json_object_get(o, "role"));
        const char *path =
            opp && user ? arena_printf(d->a, "/api/v1/opportunities/%s/team/%s", opp, user) : NULL;
        bf_result r = body && path
                          ? call(d, NULL, "PUT", path, body, -1, NULL)
                          : bf_fail(d->err, BF_ERR_INVALID, "unknown_reference", "deal_members",
                                    "deal_members[%zu] names an unknown user", i);
        json_decref(body);
        if (r != BF_OK)
            return r;
    }
    return BF_OK;
}

/* The life of a demo deal: created in the first stage days_ago days back,
 * moved through each stage before its target with every criterion ticked
 * and its decisions answered, then half of the target stage's checklist
 * done; the store's clock follows the story and is set right after. */
static bf_result deal_story(demo *d, json_t *opp, const char *ref, const char *target,
                            long days_in_stage, const char *owner)
{
    const playbook *pb =
        playbook_set_find(d->playbooks, json_string_value(json_object_get(opp, "playbook")));
    size_t current = 0;
    if (pb == NULL || playbook_stage(pb, target, &current) == NULL)
        return bf_fail(d->err, BF_ERR_INVALID, "unknown_stage", "stage", "no stage %s", target);
    const char *id = json_string_value(json_object_get(opp, "id"));
    bf_result r = BF_OK;
    for (size_t s = 0; r == BF_OK && s <= current; s++) {
        long days_ago = days_in_stage + DAYS_PER_STAGE * (long)(current - s);
        store_clock_shift(-(int64_t)days_ago * DAY);
        bool passed = s < current;
        const stage_def *stage = &pb->stages[s];
        if (s == 0 && current >= 1 &&
            ((r = save_mant(d, opp, owner)) != BF_OK || (r = save_forms(d, opp, owner)) != BF_OK))
            break;
        if (passed && (r = meet_derived(d, opp, stage, owner)) != BF_OK)
            break;
        r = tick_items(d, id, ref, pb, stage, passed ? stage->nitems : stage->nitems / 2, owner);
        if (r == BF_OK && passed)
            r = answer_decisions(d, id, pb, s, owner);
        if (r == BF_OK && passed) {
            store_clock_shift(-(int64_t)(days_ago - DAYS_PER_STAGE) * DAY);
            r = advance(d, id, owner);
        }
    }
    store_clock_shift(0);
    return r;
}

/* A manager who decides the level an approval (an answer of the approvals
 * API), pending, waits for: one of its team's, or the demo's admin for an admin's
 * level. */
static bf_result approver_of(demo *d, json_t *pending, const char **name)
{
    const char *team = json_string_value(json_object_get(pending, "approver_team_id"));
    *name = DEMO_ADMIN;
    if (team == NULL)
        return BF_OK;
    json_t *users;
    const char *path = arena_printf(d->a, "/api/v1/users?team_id=%s&role=manager&limit=1", team);
    bf_result r = path ? call(d, NULL, "GET", path, NULL, -1, &users) : BF_ERR_NOMEM;
    json_t *first = r == BF_OK ? json_array_get(json_object_get(users, "items"), 0) : NULL;
    if (first != NULL)
        *name = json_string_value(json_object_get(first, "name"));
    return r;
}

/* Asks, as who, for the approval body describes of the deal with this id,
 * and has every level decided (verdict "approve" or "reject", with comment)
 * by its approvers; verdict NULL leaves it pending. */
static bf_result ask_approval(demo *d, const char *who, const char *deal, json_t *body,
                              const char *verdict, const char *comment)
{
    const char *path = arena_printf(d->a, "/api/v1/opportunities/%s/approvals", deal);
    json_t *answer;
    bf_result r = path ? call(d, who, "POST", path, body, -1, &answer) : BF_ERR_NOMEM;
    json_t *a = r == BF_OK ? json_object_get(answer, "approval") : NULL;
    while (r == BF_OK && verdict != NULL &&
           strcmp(json_string_value(json_object_get(a, "state")), "pending") == 0) {
        const char *approver;
        if ((r = approver_of(d, a, &approver)) != BF_OK)
            break;
        const char *step = arena_printf(d->a, "/api/v1/approvals/%s/%s",
                                        json_string_value(json_object_get(a, "id")), verdict);
        json_t *decision = json_pack("{s:s}", "comment", comment);
        r = step && decision ? call(d, approver, "POST", step, decision, -1, &answer)
                             : BF_ERR_NOMEM;
        json_decref(decision);
        a = r == BF_OK ? json_object_get(answer, "approval") : NULL;
    }
    return r;
}

/* A demo deal: made by its owner in the first stage, its history played
 * through the API up to its stage, then closed as won, lost or abandoned
 * when the demo says so. */
static bf_result load_deal(demo *d, json_t *o)
{
    json_t *days = json_object_get(o, "expected_close_days");
    json_t *in_stage = json_object_get(o, "days_in_stage");
    long stage_days = in_stage ? (long)json_integer_value(in_stage) : 7;
    if (days)
        json_object_set_new(o, "expected_close",
                            json_string(date_in_days(d, (long)json_integer_value(days))));
    const char *owner = arena_strdup(d->a, json_string_value(json_object_get(o, "owner")));
    const char *ref = arena_strdup(d->a, json_string_value(json_object_get(o, "ref")));
    const char *target = arena_strdup(d->a, json_string_value(json_object_get(o, "stage")));
    const char *status = arena_strdup(d->a, json_string_value(json_object_get(o, "status")));
    json_t *closing =
        json_pack("{s:O?, s:O?, s:O?}", "status", json_object_get(o, "status"), "close_reason",
                  json_object_get(o, "close_reason"), "won_by", json_object_get(o, "won_by"));
    static const char *const later[] = {
        "expected_close_days", "days_in_stage", "owner", "stage", "status",
        "close_reason",        "won_by"};
    for (size_t k = 0; k < sizeof(later) / sizeof(later[0]); k++)
        json_object_del(o, later[k]);
    json_t *opp;
    store_clock_shift(-(int64_t)(stage_days + 60) * DAY);
    bf_result r = closing && target ? resolve(d, o, "account", "account_id") : BF_ERR_NOMEM;
    if (r == BF_OK && owner != NULL)
        r = owned_by(d, o, owner);
    if (r == BF_OK)
        r = create(d, NULL, "/api/v1/opportunities", o, &opp);
    store_clock_shift(0);
    if (r == BF_OK)
        r = staff_deal(d, ref);
    if (r == BF_OK)
        r = deal_story(d, opp, ref, target, stage_days, owner);
    const char *id = json_string_value(json_object_get(opp, "id"));
    if (r == BF_OK && status && strcmp(status, "won") == 0) {
        const char *path = arena_printf(d->a, "/api/v1/opportunities/%s", id);
        json_t *now;
        r = call(d, NULL, "GET", path, NULL, -1, &now);
        if (r == BF_OK)
            r = call(d, owner, "PATCH", path, closing,
                     json_integer_value(json_object_get(now, "version")), NULL);
    } else if (r == BF_OK && status && strcmp(status, "open") != 0) {
        /* Given up before its winning stage: the owner asks, the managers
         * decide (审批). */
        json_t *ask = json_pack("{s:s, s:s, s:O, s:O?}", "kind", "close", "status", status,
                                "reason", json_object_get(closing, "close_reason"), "won_by",
                                json_object_get(closing, "won_by"));
        r = ask ? ask_approval(d, owner, id, ask, "approve", "同意，按流程关闭") : BF_ERR_NOMEM;
        json_decref(ask);
    }
    json_decref(closing);
    return r;
}

/* An activity: its times from days relative to today, its contacts and
 * deal by ref; made by the deal's owner. */
static bf_result load_activity(demo *d, json_t *o, size_t i)
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
    const char *opp_ref = json_string_value(json_object_get(o, "opportunity"));
    const char *owner = arena_strdup(d->a, json_string_value(json_object_get(o, "owner")));
    json_object_del(o, "owner");
    if (owner == NULL && opp_ref != NULL)
        owner = json_string_value(json_object_get(d->owners, opp_ref));
    bf_result r = owner ? owned_by(d, o, owner) : BF_OK;
    if (r == BF_OK)
        r = resolve(d, o, "opportunity", "opportunity_id");
    if (r == BF_OK)
        r = resolve(d, o, "account", "account_id");
    return r == BF_OK ? create(d, NULL, "/api/v1/activities", o, NULL) : r;
}

/* Who works which deal beyond its owner, and the partners registered on deals. */
/* The deal partners; the members came with their deals (staff_deal). */
static bf_result load_deal_teams(demo *d, json_t *doc)
{
    bf_result r = BF_OK;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(doc, "deal_members"), i, o)
    {
        if (ref_id(d, json_string_value(json_object_get(o, "opportunity"))) == NULL)
            return bf_fail(d->err, BF_ERR_INVALID, "unknown_reference", "deal_members",
                           "deal_members[%zu] names an unknown deal", i);
    }
    json_array_foreach(json_object_get(doc, "deal_partners"), i, o)
    {
        const char *opp = ref_id(d, json_string_value(json_object_get(o, "opportunity")));
        const char *partner = ref_id(d, json_string_value(json_object_get(o, "partner")));
        const char *path =
            opp && partner
                ? arena_printf(d->a, "/api/v1/opportunities/%s/partners/%s", opp, partner)
                : NULL;
        r = path ? call(d, NULL, "PUT", path, NULL, -1, NULL)
                 : bf_fail(d->err, BF_ERR_INVALID, "unknown_reference", "deal_partners",
                           "deal_partners[%zu] names an unknown deal or partner", i);
        if (r != BF_OK)
            return r;
    }
    return BF_OK;
}

/* A quotation's next step as its author: POST path with If-Match. */
static bf_result quote_step(demo *d, const char *by, json_t **q, const char *what, json_t *body)
{
    const char *path = arena_printf(d->a, "/api/v1/quotations/%s/%s",
                                    json_string_value(json_object_get(*q, "id")), what);
    json_int_t version = json_integer_value(json_object_get(*q, "version"));
    bf_result r = path ? call(d, by, "POST", path, body, version, q) : BF_ERR_NOMEM;
    json_decref(body);
    return r;
}

/* The contract of an accepted quotation: dates relative to today. */
static bf_result load_contract(demo *d, const char *by, json_t *q, json_t *o)
{
    json_t *body = json_pack(
        "{s:s?, s:s, s:s, s:[]}", "party_b", json_string_value(json_object_get(o, "party_b")),
        "signed_on", date_in_days(d, json_integer_value(json_object_get(o, "signed_days"))),
        "archived_on", date_in_days(d, json_integer_value(json_object_get(o, "archived_days"))),
        "milestones");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(o, "milestones"), i, m)
    {
        json_t *out =
            json_pack("{s:O, s:O, s:s}", "name", json_object_get(m, "name"), "percent",
                      json_object_get(m, "percent"), "due_on",
                      date_in_days(d, json_integer_value(json_object_get(m, "due_days"))));
        json_t *invoiced = json_object_get(m, "invoiced_days");
        if (out && invoiced)
            json_object_set_new(out, "invoiced_on",
                                json_string(date_in_days(d, json_integer_value(invoiced))));
        if (body == NULL || out == NULL ||
            json_array_append_new(json_object_get(body, "milestones"), out) != 0) {
            json_decref(body);
            return bf_fail(d->err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
        }
    }
    const char *path = arena_printf(d->a, "/api/v1/quotations/%s/contract",
                                    json_string_value(json_object_get(q, "id")));
    bf_result r = path ? call(d, by, "POST", path, body, -1, NULL) : BF_ERR_NOMEM;
    json_decref(body);
    return r;
}

/* A quotation of a demo deal, made by its salesperson from the price list,
 * taken to the state the demo names (draft, submitted, sent, accepted). */
static bf_result load_quotation(demo *d, json_t *o)
{
    const char *by = json_string_value(json_object_get(o, "by"));
    const char *deal = ref_id(d, json_string_value(json_object_get(o, "deal")));
    const char *state = json_string_value(json_object_get(o, "state"));
    if (deal == NULL)
        return bf_fail(d->err, BF_ERR_INVALID, "unknown_reference", "quotations",
                       "a quotation names an unknown deal");
    json_t *body = json_deep_copy(o);
    static const char *const own[] = {"by", "deal", "state", "primary", "contract", "valid_days"};
    for (size_t k = 0; body && k < sizeof(own) / sizeof(own[0]); k++)
        json_object_del(body, own[k]);
    bf_result r = body ? BF_OK : BF_ERR_NOMEM;
    if (r == BF_OK)
        json_object_set_new(
            body, "valid_until",
            json_string(date_in_days(d, json_integer_value(json_object_get(o, "valid_days")))));
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(body, "lines"), i, line)
    {
        if (r == BF_OK)
            r = resolve(d, line, "product", "product_id");
    }
    json_t *q = NULL;
    if (r == BF_OK)
        r = call(d, by, "POST", arena_printf(d->a, "/api/v1/opportunities/%s/quotations", deal),
                 body, -1, &q);
    json_decref(body);
    bool sent = strcmp(state, "sent") == 0, accepted = strcmp(state, "accepted") == 0;
    if (r == BF_OK && strcmp(state, "draft") != 0)
        r = quote_step(d, by, &q, "submit", NULL);
    if (r == BF_OK && (sent || accepted))
        r = quote_step(d, by, &q, "status", json_pack("{s:s}", "status", "sent"));
    if (r == BF_OK && accepted)
        r = quote_step(d, by, &q, "status", json_pack("{s:s}", "status", "accepted"));
    if (r == BF_OK && json_is_true(json_object_get(o, "primary")))
        r = quote_step(d, by, &q, "primary", json_pack("{s:b}", "update_amount", 0));
    if (r == BF_OK && json_object_get(o, "contract"))
        r = load_contract(d, by, q, json_object_get(o, "contract"));
    return r;
}

static bf_result load_all(demo *d, json_t *doc)
{
    bf_result r = load_org(d, doc);
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(doc, "accounts"), i, o)
    {
        const char *owner = arena_strdup(d->a, json_string_value(json_object_get(o, "owner")));
        json_object_del(o, "owner");
        if (r == BF_OK && owner != NULL)
            r = owned_by(d, o, owner);
        if (r == BF_OK)
            r = create(d, NULL, "/api/v1/accounts", o, NULL);
    }
    json_array_foreach(json_object_get(doc, "contacts"), i, o)
    {
        if (r == BF_OK)
            r = resolve(d, o, "account", "account_id");
        if (r == BF_OK)
            r = resolve(d, o, "reports_to", "reports_to");
        if (r == BF_OK)
            r = create(d, NULL, "/api/v1/contacts", o, NULL);
    }
    json_array_foreach(json_object_get(doc, "opportunities"), i, o)
    {
        json_t *ref = json_object_get(o, "ref"), *owner = json_object_get(o, "owner");
        if (r == BF_OK && ref && owner &&
            json_object_set(d->owners, json_string_value(ref), owner) != 0)
            r = bf_fail(d->err, BF_ERR_NOMEM, NULL, NULL, "out of memory");
        if (r == BF_OK)
            r = load_deal(d, o);
    }
    json_array_foreach(json_object_get(doc, "activities"), i, o)
    {
        if (r == BF_OK)
            r = load_activity(d, o, i);
    }
    if (r == BF_OK)
        r = load_deal_teams(d, doc);
    /* The price list, and quotations made from it (with a contract). */
    json_array_foreach(json_object_get(doc, "products"), i, o)
    {
        if (r == BF_OK)
            r = create(d, NULL, "/api/v1/products", o, NULL);
    }
    json_array_foreach(json_object_get(doc, "quotations"), i, o)
    {
        if (r == BF_OK)
            r = load_quotation(d, o);
    }
    /* Requests still waiting for a manager (the 审批 inbox), or decided. */
    json_array_foreach(json_object_get(doc, "approvals"), i, o)
    {
        const char *by = json_string_value(json_object_get(o, "by"));
        const char *verdict = json_string_value(json_object_get(o, "verdict"));
        const char *comment = json_string_value(json_object_get(o, "comment"));
        json_t *deal = json_object_get(d->refs, json_string_value(json_object_get(o, "deal")));
        if (r == BF_OK && deal == NULL)
            r = bf_fail(d->err, BF_ERR_INVALID, "unknown_reference", "approvals",
                        "approval %zu names an unknown deal", i);
        json_t *body = json_deep_copy(o);
        static const char *const own[] = {"by", "verdict", "comment", "deal"};
        for (size_t k = 0; body && k < sizeof(own) / sizeof(own[0]); k++)
            json_object_del(body, own[k]);
        if (r == BF_OK)
            r = body ? ask_approval(d, by, json_string_value(deal), body, verdict,
                                    comment ? comment : "")
                     : BF_ERR_NOMEM;
        json_decref(body);
    }
    return r;
}

/* The knowledge base's demo entries (data/knowledge.json), by the admin,
 * with their status. */
static bf_result load_knowledge(demo *d)
{
    json_error_t jerr;
    const embedded_file *f = &demo_files[1];
    json_t *doc = f->name ? json_loadb(f->data, f->len, 0, &jerr) : NULL;
    if (doc == NULL)
        return bf_fail(d->err, BF_ERR_MALFORMED, "malformed_json", NULL,
                       "knowledge.json line %d: %s", f->name ? jerr.line : 0,
                       f->name ? jerr.text : "missing");
    bf_result r = BF_OK;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "entries"), i, e)
    {
        if (r == BF_OK)
            r = create(d, NULL, "/api/v1/knowledge", e, NULL);
    }
    json_decref(doc);
    return r;
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
    demo d = {.st = st,
              .playbooks = playbooks,
              .a = arena_new(64 * 1024),
              .refs = json_object(),
              .kept = json_array(),
              .owners = json_object(),
              .doc = doc,
              .err = err,
              .now = time(NULL),
              .password_hash = hash};
    /* The API only reads the playbooks (no import happens here). */
    bf_result r =
        d.a && d.refs && d.owners ? api_new(st, (playbook_set *)playbooks, &d.app) : BF_ERR_NOMEM;
    if (r == BF_OK)
        r = demo_check_empty(st, d.a, err);
    if (r == BF_OK && (r = store_begin(st, err)) == BF_OK) {
        r = load_all(&d, doc);
        if (r == BF_OK)
            r = load_knowledge(&d);
        if (r == BF_OK)
            r = store_commit(st, err);
        else
            store_rollback(st);
    }
    store_clock_shift(0);
    api_free(d.app);
    json_decref(d.refs);
    json_decref(d.kept);
    json_decref(d.owners);
    json_decref(doc);
    arena_free(d.a);
    return r;
}
