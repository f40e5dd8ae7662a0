/* Activities (活动/拜访): an activity of an opportunity takes the
 * opportunity's account, and the contacts met must work for that account. */
#include "api/api.h"

#include <stdbool.h>
#include <string.h>

#include "core/activity.h"

/* key_activity, when given, names a key activity of a stage of the deal's
 * playbook. */
static bf_result key_activity_check(api_call *call, const record *rec, const record *opp)
{
    const char *id = record_text(rec, "key_activity");
    if (id == NULL)
        return BF_OK;
    const playbook *pb = opportunity_playbook(call, opp);
    if (pb && playbook_key_activity(pb, id, NULL))
        return BF_OK;
    return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "key_activity",
                   "key_activity must name a key activity of the deal's playbook (%s)",
                   pb ? pb->id : "none");
}

static bf_result activity_hook_check(api_call *call, record *rec, const record *before)
{
    bf_result r = activity_check(rec, &call->err);
    if (r != BF_OK)
        return r;
    store *st = call->app->store;
    const char *opp_id = record_text(rec, "opportunity_id");
    if (opp_id != NULL) {
        record *opp;
        bf_error ignored;
        if (store_record_get(st, call->arena, &resource_opportunities, opp_id, &opp, &ignored) !=
            BF_OK)
            return bf_fail(&call->err, BF_ERR_INVALID, "unknown_reference", "opportunity_id",
                           "opportunity_id does not name an existing opportunity");
        /* The account follows the opportunity unless the request names
         * another one explicitly. */
        const char *acc = record_text(rec, "account_id");
        const char *opp_acc = record_text(opp, "account_id");
        const char *old_acc = before ? record_text(before, "account_id") : NULL;
        bool account_given = acc != NULL && (old_acc == NULL || strcmp(acc, old_acc) != 0);
        if (account_given && strcmp(acc, opp_acc) != 0)
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "account_id",
                           "account_id differs from the opportunity's account");
        record_set_text(rec, "account_id", opp_acc);
        if ((r = key_activity_check(call, rec, opp)) != BF_OK)
            return r;
    } else if (record_text(rec, "key_activity") != NULL) {
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "key_activity",
                       "key_activity names a key activity of a deal: give opportunity_id");
    }
    /* Contacts are checked when they are given or changed: a contact who has
     * since moved on does not lock the record of an old visit. */
    const char *contacts = record_text(rec, "contacts");
    const char *old_contacts = before ? record_text(before, "contacts") : NULL;
    if (contacts == NULL || (old_contacts != NULL && strcmp(contacts, old_contacts) == 0))
        return BF_OK;
    json_t *list = api_keep(call, json_loads(contacts, 0, NULL));
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        record *con;
        bf_error ignored;
        if (store_record_get(st, call->arena, &resource_contacts, json_string_value(item), &con,
                             &ignored) != BF_OK)
            return bf_fail(&call->err, BF_ERR_INVALID, "unknown_reference", "contacts",
                           "contacts[%zu] does not name an existing contact", i);
        if (strcmp(record_text(con, "account_id"), record_text(rec, "account_id")) != 0)
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "contacts",
                           "contacts[%zu] works for another account", i);
    }
    return BF_OK;
}

const resource_hooks activity_hooks = {activity_hook_check, NULL, NULL, NULL};
