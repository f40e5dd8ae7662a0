/* Activity rules: an activity belongs to an opportunity, an account or both. */
#ifndef BF_CORE_ACTIVITY_H
#define BF_CORE_ACTIVITY_H

#include "core/record.h"
#include "core/result.h"

/* Checks the cross-field rules of a complete activity record. */
bf_result activity_check(const record *act, bf_error *err);

#endif
