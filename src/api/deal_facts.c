/* The shared facts of a deal (core/deal_facts.h): read from their homes for
 * every worksheet that shows them, and written there from any of them. */
#include "api/api.h"

#include <string.h>

#include "core/deal_facts.h"
#include "core/mant.h"

bf_result api_deal_facts(api_call *call, const record *opp, json_t **facts)
{
    mant_authority authority;
    bf_result r = api_buying_centre(call, record_text(opp, "account_id"), &authority);
    if (r != BF_OK)
        return r;
    json_t *deal = api_keep(call, record_to_json(opp));
    json_t *people = api_keep(call, json_array());
    if (deal == NULL || people == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; authority.decision_makers[i] != NULL; i++)
        if (json_array_append_new(people, json_string(authority.decision_makers[i])) != 0)
            return BF_ERR_NOMEM;
    json_t *budget = json_object_get(deal, "budget");
    json_t *close = json_object_get(deal, "expected_close");
    json_t *competitors = json_object_get(deal, "competitors");
    *facts = api_keep(
        call, json_pack("{s:o, s:o, s:O, s:o}", "budget",
                        budget ? json_incref(budget) : json_null(), "competitors",
                        json_is_array(competitors) ? json_incref(competitors) : json_array(),
                        "decision_makers", people, "expected_close",
                        json_is_string(close) && json_string_length(close) > 0 ? json_incref(close)
                                                                               : json_null()));
    return *facts ? BF_OK : BF_ERR_NOMEM;
}

/* The account's contacts as the decision makers' list finds them. */
typedef struct people {
    json_t *names;  /* the list written */
    json_t *found;  /* names of the list that have a contact */
    json_t *change; /* [[contact id, role or null]…] */
} people;

static bool in_list(json_t *names, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        if (strcmp(json_string_value(v), name) == 0)
            return true;
    }
    return false;
}

static bf_result person_seen(api_call *call, record *contact, void *ctx)
{
    (void)call;
    people *p = ctx;
    const char *name = record_text(contact, "name");
    const char *role = record_text(contact, "buying_role");
    bool listed = name != NULL && in_list(p->names, name);
    bool maker = role != NULL && strcmp(role, "decision_maker") == 0;
    if (listed && json_array_append_new(p->found, json_string(name)) != 0)
        return BF_ERR_NOMEM;
    if (listed == maker)
        return BF_OK;
    json_t *change = json_pack("[s, s?]", contact->id, listed ? "decision_maker" : NULL);
    return json_array_append_new(p->change, change) == 0 ? BF_OK : BF_ERR_NOMEM;
}

/* The decision makers' list lands on the account's contacts: a listed name
 * takes the role decision_maker (a new contact when none has the name), a
 * decision maker not listed loses it. */
static bf_result decision_makers_put(api_call *call, const record *opp, json_t *names)
{
    const char *account = record_text(opp, "account_id");
    people p = {names, api_keep(call, json_array()), api_keep(call, json_array())};
    if (p.found == NULL || p.change == NULL)
        return BF_ERR_NOMEM;
    bf_result r = api_each_record(call, &resource_contacts, "account_id", account, person_seen, &p);
    size_t i;
    json_t *v;
    json_array_foreach(p.change, i, v)
    {
        record *out;
        json_t *body = api_keep(call, json_pack("{s:O}", "buying_role", json_array_get(v, 1)));
        if (r == BF_OK)
            r = body ? api_patch_record(call, &resource_contacts,
                                        json_string_value(json_array_get(v, 0)), body, &out)
                     : BF_ERR_NOMEM;
    }
    json_array_foreach(names, i, v)
    {
        record *out;
        if (r != BF_OK || in_list(p.found, json_string_value(v)))
            continue;
        json_t *body = api_keep(call, json_pack("{s:s, s:O, s:s}", "account_id", account, "name", v,
                                                "buying_role", "decision_maker"));
        r = body ? api_create_record(call, api_create_route(&resource_contacts), body, &out)
                 : BF_ERR_NOMEM;
    }
    return r;
}

bf_result api_deal_facts_put(api_call *call, const record *opp, json_t *facts, record **fresh)
{
    static const char *const deal_fields[] = {"budget", "competitors", "expected_close"};
    json_t *patch = api_keep(call, json_object());
    json_t *now = api_keep(call, record_to_json(opp));
    if (patch == NULL || now == NULL)
        return BF_ERR_NOMEM;
    for (size_t i = 0; i < sizeof(deal_fields) / sizeof(deal_fields[0]); i++) {
        json_t *v = json_object_get(facts, deal_fields[i]);
        json_t *was = json_object_get(now, deal_fields[i]);
        /* null clears the field: a PATCH's null */
        if (v != NULL && !json_equal(v, was ? was : json_null()) &&
            json_object_set(patch, deal_fields[i], v) != 0)
            return BF_ERR_NOMEM;
    }
    bf_result r = BF_OK;
    json_t *names = json_object_get(facts, "decision_makers");
    if (json_is_array(names))
        r = decision_makers_put(call, opp, names);
    /* The deal's fields change as a PATCH would: by who may change deals. */
    if (r == BF_OK && json_object_size(patch) > 0 &&
        !access_may_write(call->who->role, &resource_opportunities, ACCESS_UPDATE))
        r = bf_fail(&call->err, BF_ERR_FORBIDDEN, "forbidden", "facts",
                    "a %s user may not change the deal's %s", access_role_name(call->who->role),
                    json_object_iter_key(json_object_iter(patch)));
    if (r == BF_OK && json_object_size(patch) > 0)
        r = api_patch_record(call, &resource_opportunities, opp->id, patch, fresh);
    else if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, &resource_opportunities, opp->id, fresh,
                             &call->err);
    return r == BF_OK ? mant_refresh(call, *fresh) : r;
}
