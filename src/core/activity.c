/* Activity rules (see activity.h). */
#include "core/activity.h"

#include <string.h>

bf_result activity_check(const record *act, bf_error *err)
{
    if (record_text(act, "opportunity_id") == NULL && record_text(act, "account_id") == NULL)
        return bf_fail(err, BF_ERR_INVALID, "required", "account_id",
                       "an activity needs an opportunity_id or an account_id");
    return BF_OK;
}

/* The names of the activity types, in the order of resource.c's. */
static const struct {
    const char *type, *zh, *en;
} type_labels[] = {
    {"visit", "拜访", "Visit"},
    {"call", "电话", "Call"},
    {"meeting", "会议", "Meeting"},
    {"demo", "演示", "Demo"},
    {"research", "调研", "Research"},
    {"presentation", "汇报", "Presentation"},
    {"site_visit", "客户参观", "Site visit"},
    {"bid_opening", "开标", "Bid opening"},
    {"negotiation", "商务谈判", "Negotiation"},
    {"other", "其他", "Other"},
};

const char *activity_type_label(const char *type, const char *lang)
{
    bool en = lang != NULL && strcmp(lang, "en") == 0;
    for (size_t i = 0; type != NULL && i < sizeof(type_labels) / sizeof(type_labels[0]); i++)
        if (strcmp(type_labels[i].type, type) == 0)
            return en ? type_labels[i].en : type_labels[i].zh;
    return type;
}
