/* What the caller may do to a record: allowed_actions in the answers of
 * accounts, contacts, deals and activities. The rules are core/access.c's,
 * the very ones the writes enforce; here they are asked of one record, with
 * what the store knows of it (is its owner in a manager's team tree). */
#include <string.h>

#include "api/api.h"
#include "core/opportunity.h"

static bool has_actions(const resource_spec *spec)
{
    return spec == &resource_accounts || spec == &resource_contacts ||
           spec == &resource_opportunities || spec == &resource_activities;
}

/* Whether owner_id is in the manager's team tree, asked of the store once
 * per owner of a page. */
static bf_result owner_in_tree(api_call *call, api_owner_cache *cache, const char *owner_id,
                               bool *in)
{
    for (size_t i = 0; cache != NULL && i < cache->n; i++)
        if (strcmp(cache->owner_id[i], owner_id) == 0) {
            *in = cache->in[i];
            return BF_OK;
        }
    bf_result r = api_in_managers_tree(call, owner_id, in);
    if (r == BF_OK && cache != NULL && cache->n < API_OWNER_CACHE) {
        cache->owner_id[cache->n] = owner_id;
        cache->in[cache->n++] = *in;
    }
    return r;
}

/* The facts of rec that the rules ask about. */
static bf_result facts_of(api_call *call, const record *rec, api_owner_cache *cache,
                          access_record *out)
{
    memset(out, 0, sizeof(*out));
    out->spec = rec->spec;
    if (resource_field_index(rec->spec, "owner_id") >= 0)
        out->owner_id = record_text(rec, "owner_id");
    if (rec->spec == &resource_opportunities) {
        out->open = opportunity_is_open(rec);
        const playbook *pb = opportunity_playbook(call, rec);
        size_t at = 0;
        out->at_winning_stage = pb != NULL &&
                                playbook_stage(pb, record_text(rec, "stage"), &at) != NULL &&
                                at >= playbook_winning_stage(pb);
    }
    if (call->who->role == ROLE_MANAGER && out->owner_id != NULL &&
        access_may_transfer(call->who->role))
        return owner_in_tree(call, cache, out->owner_id, &out->owner_in_tree);
    return BF_OK;
}

bf_result api_append_allowed_actions(api_call *call, buf *out, const record *rec,
                                     api_owner_cache *cache)
{
    if (call->who == NULL || !has_actions(rec->spec))
        return BF_OK;
    if (out->len == 0 || out->data[out->len - 1] != '}')
        return BF_ERR_NOMEM;
    access_record facts;
    bf_result r = facts_of(call, rec, cache, &facts);
    if (r != BF_OK)
        return r;
    out->len--;
    r = buf_append_str(out, ",\"allowed_actions\":[");
    bool first = true;
    for (int a = 0; a < ACTION_COUNT && r == BF_OK; a++) {
        if (!access_record_may(call->who, &facts, (access_record_action)a))
            continue;
        r = buf_printf(out, "%s\"%s\"", first ? "" : ",",
                       access_record_action_name((access_record_action)a));
        first = false;
    }
    if (r == BF_OK)
        r = buf_append_str(out, "]}");
    return r;
}
