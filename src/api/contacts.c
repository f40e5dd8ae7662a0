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

/* The buying centre changed: MANT's Authority of the account's deals follows. */
static bf_result contact_after_write(api_call *call, record *rec, const record *before)
{
    bf_result r = mant_refresh_account(call, record_text(rec, "account_id"));
    if (r == BF_OK && before != NULL &&
        strcmp(record_text(before, "account_id"), record_text(rec, "account_id")) != 0)
        r = mant_refresh_account(call, record_text(before, "account_id"));
    return r;
}

static bf_result contact_after_delete(api_call *call, const record *deleted)
{
    return mant_refresh_account(call, record_text(deleted, "account_id"));
}

const resource_hooks contact_hooks = {contact_check, contact_after_write, contact_after_delete,
                                      NULL};
