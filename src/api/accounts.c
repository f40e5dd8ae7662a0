/* Accounts (客户): generic handlers plus the parent rule. */
#include "api/api.h"

#include <string.h>

#include "core/dedupe.h"

/* The credit code kept normalised, and refused when its check fails. */
static bf_result credit_code_check(api_call *call, record *rec)
{
    const char *code = record_text(rec, "credit_code");
    if (code == NULL)
        return BF_OK;
    char *normal = dedupe_credit_code_normalize(call->arena, code);
    if (normal == NULL)
        return BF_ERR_NOMEM;
    if (normal[0] && !dedupe_credit_code_valid(normal))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "credit_code",
                       "credit_code is not a unified social credit code (18 characters whose "
                       "last checks the others)");
    record_set_text(rec, "credit_code", normal[0] ? normal : NULL);
    return BF_OK;
}

static bf_result account_check(api_call *call, record *rec, const record *before)
{
    const char *parent = record_text(rec, "parent_id");
    if (before != NULL && parent != NULL && strcmp(parent, rec->id) == 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "parent_id",
                       "an account cannot be its own parent");
    bf_result r = credit_code_check(call, rec);
    return r == BF_OK ? api_duplicates_keep_key(call, rec, before) : r;
}

const resource_hooks account_hooks = {account_check, NULL, NULL, NULL};
