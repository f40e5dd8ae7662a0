/* The shared facts of a deal and the worksheets that show them (see
 * deal_facts.h). */
#include "core/deal_facts.h"

#include <string.h>

#define MONEY_MAX 1000000000000000LL /* as the deal's budget field */

static const schema facts_competitor = {.kind = SCHEMA_TEXT, .min = 1, .max = 100};
static const schema facts_person = {.kind = SCHEMA_TEXT, .min = 1, .max = 100};

static const schema deal_facts_members[] = {
    {.name = "budget",
     .kind = SCHEMA_MONEY,
     .flags = SCHEMA_CLEARS,
     .max = MONEY_MAX,
     .doc = "The customer's budget in fen (预算); its home is the deal's budget; null clears it"},
    {.name = "competitors",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_CLEARS,
     .max = 20,
     .item = &facts_competitor,
     .doc = "Competitors (竞争对手); its home is the deal's competitors; [] or null clears them"},
    {.name = "decision_makers",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_CLEARS,
     .max = 20,
     .item = &facts_person,
     .doc = "Names of the decision makers (决策者); their home is the account's contacts whose "
            "buying role is decision_maker: a name without such a contact becomes one, a "
            "decision maker left out loses the role ([] or null: every one loses it)"},
    {.name = "expected_close",
     .kind = SCHEMA_DATE,
     .flags = SCHEMA_CLEARS,
     .doc = "Expected close date (预计成交日期); its home is the deal's expected_close; null "
            "clears it"},
    {0},
};

const schema deal_facts_schema = {
    .name = "DealFacts",
    .kind = SCHEMA_OBJECT,
    .members = deal_facts_members,
    .doc = "The deal's shared facts (与商机共用): one home each, read and written by every "
           "worksheet that shows them; a member left out stays as it is, a member null clears "
           "the fact"};

json_t *deal_facts_take(json_t *form)
{
    json_t *facts = json_object();
    if (facts == NULL)
        return NULL;
    json_t *money = json_object_get(form, "money");
    json_t *budget = json_object_get(money, "budget");
    if (json_is_integer(budget)) {
        if (json_object_set(facts, "budget", budget) != 0)
            goto nomem;
        json_object_del(money, "budget");
    }
    json_t *given = json_object_get(form, "facts");
    if (json_is_object(given)) {
        if (json_object_update(facts, given) != 0)
            goto nomem;
    }
    json_object_del(form, "facts");
    /* A list cleared by null is the empty list. */
    static const char *const lists[] = {"competitors", "decision_makers"};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        if (json_is_null(json_object_get(facts, lists[i])) &&
            json_object_set_new(facts, lists[i], json_array()) != 0)
            goto nomem;
    }
    return facts;
nomem:
    json_decref(facts);
    return NULL;
}

bool deal_facts_show(json_t *data, const char *form_name, json_t *facts)
{
    if (!json_is_object(data) || strcmp(form_name, "mant") != 0)
        return true;
    json_t *money = json_object_get(data, "money");
    if (!json_is_object(money)) {
        if ((money = json_object()) == NULL || json_object_set_new(data, "money", money) != 0)
            return false;
    }
    json_t *budget = schema_get(facts, "budget");
    if (budget == NULL) {
        json_object_del(money, "budget");
        return true;
    }
    return json_object_set(money, "budget", budget) == 0;
}

/* The MAN parts and their MANT counterparts. */
static const struct man_part {
    const char *man, *mant;
} man_parts[] = {
    {"money", "money"},
    {"authority", "authority"},
    {"need", "needs"},
};

/* Whether the MANT counterpart of p is complete. */
static bool counterpart_complete(json_t *mant, const struct man_part *p)
{
    json_t *part = schema_get(schema_get(mant, "parts"), p->mant);
    return json_is_true(json_object_get(part, "complete"));
}

json_t *man_from_facts(json_t *form, json_t *mant)
{
    json_t *out = json_is_object(form) ? json_deep_copy(form) : json_object();
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(man_parts) / sizeof(man_parts[0]); i++) {
        const struct man_part *p = &man_parts[i];
        if (!counterpart_complete(mant, p))
            continue; /* MANT's stricter part not met: the form's answer stands */
        json_t *part = json_object_get(out, p->man);
        if (!json_is_object(part)) {
            if ((part = json_object()) == NULL || json_object_set_new(out, p->man, part) != 0)
                goto nomem;
        }
        if (json_object_set_new(part, "answer", json_string("yes")) != 0)
            goto nomem;
    }
    return out;
nomem:
    json_decref(out);
    return NULL;
}

json_t *man_answer_sources(json_t *mant)
{
    json_t *out = json_object();
    for (size_t i = 0; out != NULL && i < sizeof(man_parts) / sizeof(man_parts[0]); i++) {
        const char *from = counterpart_complete(mant, &man_parts[i]) ? "facts" : "form";
        if (json_object_set_new(out, man_parts[i].man, json_string(from)) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}
