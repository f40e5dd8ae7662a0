/* Contacts (联系人) and the buying centre: reports_to must be another contact
 * of the same account, so the org chart stays within one customer. */
#include "api/api.h"

#include <string.h>

static bf_result contact_check(api_call *call, record *rec, const record *before)
{
    const char *boss = record_text(rec, "reports_to");
    if (boss == NULL)
        return BF_OK;
    if (before != NULL && strcmp(boss, rec->id) == 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "reports_to",
                       "a contact cannot report to themselves");
    record *other;
    bf_error ignored;
    if (store_record_get(call->app->store, call->arena, &resource_contacts, boss, &other,
                         &ignored) != BF_OK)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_reference", "reports_to",
                       "reports_to does not name an existing contact");
    if (strcmp(record_text(other, "account_id"), record_text(rec, "account_id")) != 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "reports_to",
                       "reports_to must be a contact of the same account");
    return BF_OK;
}

const resource_hooks contact_hooks = {contact_check, NULL};
