/* Activity rules: an activity belongs to an opportunity, an account or both. */
#ifndef BF_CORE_ACTIVITY_H
#define BF_CORE_ACTIVITY_H

#include "core/record.h"
#include "core/result.h"

/* Checks the cross-field rules of a complete activity record. */
bf_result activity_check(const record *act, bf_error *err);

/* The name of an activity type (resource.c's activity_types) in lang ("zh"
 * or "en"): 拜访 / Visit …; the type itself when it is none of them. */
const char *activity_type_label(const char *type, const char *lang);

#endif
