/* What a document's template reads about a deal (docs/templates.md): the
 * deal, its account, contacts and buying centre, team, forms, primary
 * quotation, contract, tender and competitors, and today's date in Chinese
 * and ISO form — each as the viewer sees it (a partner without internal
 * fields and forms, costs only for who sees costs). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/quote.h"
#include "http/response.h"

/* The forms a template reads, by the names it reads them under. */
static const struct {
    const char *form, *key;
} forms[] = {
    {"mant", "mant"},
    {"5w2p", "w5p2"},
    {"compelling-event", "compelling_event"},
    {"evaluation", "evaluation"},
    {"tender", "tender"},
};

/* Today as {"iso": "2026-12-05", "zh": "2026年12月5日", "en": "5 December 2026"}. */
static json_t *today_json(void)
{
    static const char *const months[] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
    char iso[16];
    api_today(iso, sizeof(iso));
    int y = 0, m = 1, d = 1;
    if (sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12)
        m = 1;
    char zh[32], en[32];
    snprintf(zh, sizeof(zh), "%d年%d月%d日", y, m, d);
    snprintf(en, sizeof(en), "%d %s %d", d, months[m - 1], y);
    return json_pack("{s:s, s:s, s:s}", "iso", iso, "zh", zh, "en", en);
}

/* Money of a record as the document prints it: yuan with separators and in words. */
static json_t *money_json(int64_t fen)
{
    char words[QUOTE_WORDS_CAP], yuan[QUOTE_YUAN_CAP];
    quote_yuan_text(fen, yuan, sizeof(yuan));
    quote_amount_in_words(fen, words, sizeof(words));
    char in_words[QUOTE_WORDS_CAP + 16];
    snprintf(in_words, sizeof(in_words), "人民币%s", words);
    return json_pack("{s:I, s:s, s:s}", "fen", (json_int_t)fen, "yuan", yuan, "in_words", in_words);
}

/* "1,234,567.89" of fen; a new JSON string. */
static json_t *yuan_json(json_int_t fen)
{
    char text[QUOTE_YUAN_CAP];
    return json_string(quote_yuan_text(fen, text, sizeof(text)));
}

/* Beside each money figure (fen) of obj named in keys, its yuan text under
 * "<key>_yuan": what a document prints. */
static int add_yuan(json_t *obj, const char *const *keys)
{
    int bad = 0;
    for (size_t i = 0; obj != NULL && keys[i]; i++) {
        json_t *v = json_object_get(obj, keys[i]);
        char name[64];
        snprintf(name, sizeof(name), "%s_yuan", keys[i]);
        if (json_is_integer(v))
            bad |= json_object_set_new(obj, name, yuan_json(json_integer_value(v)));
    }
    return bad;
}

/* The quotation's and the contract's money as text too. */
static int papers_in_yuan(json_t *quote, json_t *paper)
{
    static const char *const line_keys[] = {
        "unit_price", "list_amount", "discount_amount", "net", "tax", "gross", NULL};
    static const char *const total_keys[] = {"list_amount", "discount_amount", "net",
                                             "tax",         "gross",           NULL};
    static const char *const contract_keys[] = {"amount", NULL};
    static const char *const milestone_keys[] = {"planned", "received", NULL};
    int bad = add_yuan(json_object_get(quote, "totals"), total_keys);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(quote, "lines"), i, v) bad |= add_yuan(v, line_keys);
    bad |= add_yuan(paper, contract_keys);
    json_array_foreach(json_object_get(json_object_get(paper, "plan"), "milestones"), i, v) bad |=
        add_yuan(v, milestone_keys);
    return bad;
}

/* The owner as a signature reads: name, display_name, email. */
static bf_result owner_json(api_call *call, const record *opp, json_t **out)
{
    const char *id = record_text(opp, "owner_id");
    record *u;
    *out = NULL;
    if (id == NULL)
        return BF_OK;
    bf_error ignored;
    if (store_record_get(call->app->store, call->arena, &resource_users, id, &u, &ignored) != BF_OK)
        return BF_OK; /* an owner gone from the directory signs nothing */
    const char *shown = record_text(u, "display_name");
    *out =
        api_keep(call, json_pack("{s:s, s:s, s:s?}", "name", record_text(u, "name"), "display_name",
                                 shown && *shown ? shown : record_text(u, "name"), "email",
                                 record_text(u, "email")));
    return *out ? BF_OK : BF_ERR_NOMEM;
}

typedef struct people {
    json_t *contacts, *centre;
} people;

static bf_result add_contact(api_call *call, record *rec, void *ctx)
{
    people *p = ctx;
    json_t *c = api_record_json(call, rec);
    const char *role = record_text(rec, "buying_role");
    if (c == NULL || json_array_append_new(p->contacts, c) != 0)
        return BF_ERR_NOMEM;
    if (role == NULL)
        return BF_OK;
    json_t *list = json_object_get(p->centre, role);
    if (list == NULL && json_object_set_new(p->centre, role, list = json_array()) != 0)
        return BF_ERR_NOMEM;
    return json_array_append(list, c) == 0 ? BF_OK : BF_ERR_NOMEM;
}

static bf_result team_json(api_call *call, const record *opp, json_t **out)
{
    deal_member *m;
    size_t n;
    bf_result r = store_member_list(call->app->store, call->arena, opp->id, &m, &n, &call->err);
    *out = api_keep(call, json_array());
    if (r == BF_OK && *out == NULL)
        r = BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        const char *shown = m[i].display_name && *m[i].display_name ? m[i].display_name : m[i].name;
        if (json_array_append_new(*out, json_pack("{s:s, s:s, s:s?}", "name", m[i].name,
                                                  "display_name", shown, "role", m[i].role)))
            r = BF_ERR_NOMEM;
    }
    return r;
}

/* The deal's primary quotation, else its newest; null when it has none. */
static bf_result quotation_json(api_call *call, const record *opp, json_t **out)
{
    quotation *items;
    size_t n;
    *out = NULL;
    bf_result r =
        store_quotation_list(call->app->store, call->arena, opp->id, &items, &n, &call->err);
    size_t pick = 0;
    for (size_t i = 0; r == BF_OK && i < n; i++)
        if (items[i].primary)
            pick = i;
    quotation q;
    if (r == BF_OK && n > 0)
        r = api_quotation_load_json(call, items[pick].id, &q, out);
    return r;
}

static bf_result forms_json(api_call *call, const record *opp, json_t *data)
{
    bool internal = access_may(call->who->role, ACCESS_SEE_INTERNAL);
    json_t *all = json_object();
    if (all == NULL || json_object_set_new(data, "forms", all) != 0)
        return BF_ERR_NOMEM;
    for (size_t i = 0; internal && i < sizeof(forms) / sizeof(forms[0]); i++) {
        stored_form sf;
        bf_result r = store_form_get(call->app->store, call->arena, "opportunity", opp->id,
                                     forms[i].form, &sf, &call->err);
        if (r != BF_OK)
            return r;
        json_t *v = sf.data ? json_loads(sf.data, 0, NULL) : NULL;
        if (v != NULL && json_object_set_new(all, forms[i].key, v) != 0)
            return BF_ERR_NOMEM;
    }
    json_t *tender = json_object_get(all, "tender");
    return json_object_set_new(data, "tender", tender ? json_incref(tender) : json_null()) == 0
               ? BF_OK
               : BF_ERR_NOMEM;
}

/* The deal's stage: id, names and probability of its playbook's stage. */
static json_t *stage_json(api_call *call, const record *opp)
{
    record *again;
    const playbook *pb = NULL;
    if (opportunity_load_id(call, opp->id, &again, &pb) != BF_OK)
        pb = NULL; /* a stage without its names */
    const stage_def *st = pb ? playbook_stage(pb, record_text(opp, "stage"), NULL) : NULL;
    if (st == NULL)
        return json_pack("{s:s}", "id", record_text(opp, "stage"));
    return json_pack("{s:s, s:s, s:s, s:i}", "id", st->id, "name_zh", i18n_pick(&st->name, "zh"),
                     "name_en", i18n_pick(&st->name, "en"), "probability", st->probability);
}

/* A won deal's handover for a template: as the API answers it, and its
 * parts by key (handover.parts.proposal.documents …); null for others. */
static bf_result handover_data(api_call *call, const record *opp, json_t **out)
{
    *out = NULL;
    if (strcmp(record_text(opp, "status"), "won") != 0)
        return BF_OK;
    json_t *h;
    bf_result r = api_handover_json(call, opp->id, &h);
    if (r != BF_OK)
        return r;
    json_t *parts = json_object(), *item;
    size_t i;
    if (parts == NULL || json_object_set_new(h, "parts", parts) != 0)
        return BF_ERR_NOMEM;
    json_array_foreach(json_object_get(h, "items"), i, item)
    {
        if (json_object_set(parts, json_string_value(json_object_get(item, "key")), item) != 0)
            return BF_ERR_NOMEM;
    }
    *out = h;
    return BF_OK;
}

bf_result api_document_data(api_call *call, const record *opp, json_t **out)
{
    bf_result r = api_costs_settle(call, NULL);
    record *acc = NULL;
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, &resource_accounts,
                             record_text(opp, "account_id"), &acc, &call->err);
    json_t *data = api_keep(call, json_object());
    json_t *deal = api_keep(call, api_record_json(call, opp));
    people p = {api_keep(call, json_array()), api_keep(call, json_object())};
    if (r == BF_OK && (data == NULL || deal == NULL || p.contacts == NULL || p.centre == NULL))
        r = BF_ERR_NOMEM;
    if (r == BF_OK)
        r = api_each_record(call, &resource_contacts, "account_id", acc->id, add_contact, &p);
    json_t *team = NULL, *quote = NULL, *paper = NULL;
    if (r == BF_OK)
        r = team_json(call, opp, &team);
    if (r == BF_OK)
        r = quotation_json(call, opp, &quote);
    if (r == BF_OK)
        r = api_contract_newest_json(call, opp->id, &paper);
    json_t *owner = NULL, *package = NULL;
    if (r == BF_OK)
        r = owner_json(call, opp, &owner);
    if (r == BF_OK)
        r = handover_data(call, opp, &package);
    if (r != BF_OK)
        return r;
    const field_value *amount = record_field_const(opp, "amount");
    int bad = json_object_set_new(deal, "money", money_json(amount->null ? 0 : amount->i));
    bad |= json_object_set_new(deal, "owner_user", owner ? json_incref(owner) : json_null());
    bad |= papers_in_yuan(quote, paper);
    bad |= json_object_set_new(data, "today", today_json());
    bad |= json_object_set(data, "deal", deal);
    bad |= json_object_set_new(data, "account", api_record_json(call, acc));
    bad |= json_object_set(data, "contacts", p.contacts);
    bad |= json_object_set(data, "buying_centre", p.centre);
    bad |= json_object_set(data, "team", team);
    bad |= json_object_set_new(data, "quotation", quote ? json_incref(quote) : json_null());
    bad |= json_object_set_new(data, "contract", paper ? json_incref(paper) : json_null());
    bad |= json_object_set_new(data, "stage", stage_json(call, opp));
    bad |= json_object_set_new(data, "handover", package ? json_incref(package) : json_null());
    json_t *competitors = json_object_get(deal, "competitors");
    bad |= json_object_set_new(data, "competitors",
                               competitors ? json_incref(competitors) : json_array());
    if (bad)
        return BF_ERR_NOMEM;
    if ((r = forms_json(call, opp, data)) == BF_OK)
        *out = data;
    return r;
}

bf_result document_data_get(api_call *call, const api_route *route)
{
    (void)route;
    record *opp;
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, &resource_opportunities,
                             call->req->params[0], &opp, &call->err);
    json_t *data;
    if (r == BF_OK)
        r = api_document_data(call, opp, &data);
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_incref(data));
    return BF_OK;
}
