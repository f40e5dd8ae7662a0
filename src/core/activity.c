/* Activity rules (see activity.h). */
#include "core/activity.h"

bf_result activity_check(const record *act, bf_error *err)
{
    if (record_text(act, "opportunity_id") == NULL && record_text(act, "account_id") == NULL)
        return bf_fail(err, BF_ERR_INVALID, "required", "account_id",
                       "an activity needs an opportunity_id or an account_id");
    return BF_OK;
}
