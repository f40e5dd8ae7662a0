/* Accounts (客户): generic handlers plus the parent rule. */
#include "api/api.h"

#include <string.h>

static bf_result account_check(api_call *call, record *rec, const record *before)
{
    const char *parent = record_text(rec, "parent_id");
    if (before != NULL && parent != NULL && strcmp(parent, rec->id) == 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "parent_id",
                       "an account cannot be its own parent");
    return BF_OK;
}

const resource_hooks account_hooks = {account_check, NULL, NULL, NULL};
