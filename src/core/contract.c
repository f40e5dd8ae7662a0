/* A contract's payment plan (see contract.h). */
#include "core/contract.h"

#include <stdio.h>
#include <string.h>

#define MONEY_MAX INT64_C(100000000000000000) /* as a quotation's largest figure */

static const schema milestone_members[] = {
    {.name = "name",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .max = 100,
     .doc = "What is paid (首期款, 验收款, 尾款)"},
    {.name = "percent",
     .kind = SCHEMA_DECIMAL,
     .min = 1,
     .max = 10000,
     .doc = "Percent of the contract's amount (or amount)"},
    {.name = "amount", .kind = SCHEMA_MONEY, .min = 1, .max = MONEY_MAX, .doc = "Fen (or percent)"},
    {.name = "due_on", .kind = SCHEMA_DATE, .doc = "Due (应收日期)"},
    {.name = "invoiced_on", .kind = SCHEMA_DATE, .doc = "Invoice issued (开票日期)"},
    {.name = "invoice_no", .kind = SCHEMA_TEXT, .max = 60, .doc = "Invoice number (发票号)"},
    {.name = "received_on", .kind = SCHEMA_DATE, .doc = "Money received (到账日期)"},
    {.name = "received_amount",
     .kind = SCHEMA_MONEY,
     .min = 0,
     .max = MONEY_MAX,
     .doc = "Fen received (the planned amount when not given)"},
    {0}};

static const schema milestone = {
    .name = "PaymentMilestone", .kind = SCHEMA_OBJECT, .members = milestone_members};

static const schema body_members[] = {
    {.name = "number",
     .kind = SCHEMA_TEXT,
     .max = 60,
     .doc = "Contract number (合同编号); made when not given"},
    {.name = "signed_on", .kind = SCHEMA_DATE, .doc = "Signed by both parties (签订日期)"},
    {.name = "amount",
     .kind = SCHEMA_MONEY,
     .min = 0,
     .max = MONEY_MAX,
     .doc = "Contract amount with tax, fen (the quotation's gross total when not given)"},
    {.name = "party_a",
     .kind = SCHEMA_TEXT,
     .max = 200,
     .doc = "The customer (甲方; the account's name when not given)"},
    {.name = "party_b", .kind = SCHEMA_TEXT, .max = 200, .doc = "Our company (乙方)"},
    {.name = "archived_on",
     .kind = SCHEMA_DATE,
     .doc = "Numbered and filed (归档日期): the contract is archived"},
    {.name = "notes", .kind = SCHEMA_TEXT, .max = 2000, .doc = "Notes (备注)"},
    {.name = "milestones",
     .kind = SCHEMA_ARRAY,
     .max = CONTRACT_MAX_MILESTONES,
     .item = &milestone,
     .def = "[]",
     .doc = "The payment plan, in order: the first is the first payment (首期款)"},
    {0}};

const schema contract_body_schema = {.name = "ContractBody",
                                     .kind = SCHEMA_OBJECT,
                                     .members = body_members,
                                     .doc = "A contract and its payment plan"};

static bf_result fail_at(bf_error *err, size_t k, const char *field, const char *code,
                         const char *message)
{
    char path[48];
    snprintf(path, sizeof(path), "milestones[%zu].%s", k, field);
    return bf_fail(err, BF_ERR_INVALID, code, path, "%s: %s", path, message);
}

static int64_t hundredths(json_t *m, const char *key)
{
    int64_t h = 0;
    json_t *v = json_object_get(m, key);
    return v && schema_hundredths(v, &h) ? h : -1;
}

/* The planned amount of each milestone into planned[]. */
static bf_result plan_amounts(json_t *list, int64_t amount, int64_t *planned, bf_error *err)
{
    size_t n = json_array_size(list), k;
    int64_t percents = 0;
    bool all_percent = n > 0;
    json_t *m;
    json_array_foreach(list, k, m)
    {
        bool has_amount = json_object_get(m, "amount") != NULL;
        int64_t pct = hundredths(m, "percent");
        if (has_amount == (pct >= 0))
            return fail_at(err, k, "amount", "invalid_value",
                           "give either percent or amount of the contract");
        all_percent = all_percent && !has_amount;
        if (has_amount) {
            planned[k] = json_integer_value(json_object_get(m, "amount"));
        } else {
            __int128 x = (__int128)amount * pct;
            planned[k] = (int64_t)((x + 5000) / 10000);
            percents += pct;
        }
    }
    if (all_percent && percents == 10000) { /* the last takes what is left */
        int64_t before = 0;
        for (k = 0; k + 1 < n; k++)
            before += planned[k];
        planned[n - 1] = amount - before;
    }
    __int128 sum = 0;
    for (k = 0; k < n; k++)
        sum += planned[k];
    if (n > 0 && sum != amount)
        return bf_fail(err, BF_ERR_INVALID, "plan_mismatch", "milestones",
                       "the payment plan adds up to %lld fen, the contract's amount is %lld fen",
                       (long long)sum, (long long)amount);
    return BF_OK;
}

bf_result contract_plan(json_t *norm, int64_t amount, const char *today, json_t **out,
                        bf_error *err)
{
    json_t *list = json_object_get(norm, "milestones");
    size_t n = json_array_size(list), k;
    int64_t planned[CONTRACT_MAX_MILESTONES] = {0};
    if (n > CONTRACT_MAX_MILESTONES)
        return bf_fail_args(err, BF_ERR_INVALID, "too_many", "milestones",
                            BF_ARGS(BF_NUM("max", CONTRACT_MAX_MILESTONES)),
                            "at most %d milestones", CONTRACT_MAX_MILESTONES);
    bf_result r = plan_amounts(list, amount, planned, err);
    if (r != BF_OK)
        return r;
    json_t *items = json_array();
    int64_t received_total = 0, overdue = 0;
    bool first_paid = false;
    json_t *m;
    json_array_foreach(list, k, m)
    {
        const char *received_on = json_string_value(json_object_get(m, "received_on"));
        json_t *given = json_object_get(m, "received_amount");
        if (given != NULL && received_on == NULL) {
            json_decref(items);
            return fail_at(err, k, "received_on", "required", "a receipt needs its date");
        }
        int64_t received = received_on ? (given ? json_integer_value(given) : planned[k]) : 0;
        if (received > planned[k]) {
            json_decref(items);
            return fail_at(err, k, "received_amount", "out_of_range",
                           "more than the milestone's planned amount");
        }
        const char *due = json_string_value(json_object_get(m, "due_on"));
        bool paid = received_on != NULL && received == planned[k];
        bool late = !paid && due != NULL && strcmp(due, today) < 0;
        const char *state = paid                                        ? "received"
                            : late                                      ? "overdue"
                            : json_object_get(m, "invoiced_on") != NULL ? "invoiced"
                                                                        : "planned";
        json_t *o = json_deep_copy(m);
        if (o == NULL || json_array_append_new(items, o) != 0 ||
            json_object_set_new(o, "planned", json_integer(planned[k])) ||
            json_object_set_new(o, "received", json_integer(received)) ||
            json_object_set_new(o, "state", json_string(state)) ||
            json_object_set_new(o, "overdue", json_boolean(late))) {
            json_decref(items);
            return BF_ERR_NOMEM;
        }
        received_total += received;
        overdue += late;
        if (k == 0)
            first_paid = paid;
    }
    int64_t planned_total = 0;
    for (k = 0; k < n; k++)
        planned_total += planned[k];
    *out = json_pack("{s:o, s:I, s:I, s:I, s:b, s:I}", "milestones", items, "planned_total",
                     (json_int_t)planned_total, "received_total", (json_int_t)received_total,
                     "outstanding", (json_int_t)(planned_total - received_total),
                     "first_payment_received", first_paid, "overdue", (json_int_t)overdue);
    return *out ? BF_OK : BF_ERR_NOMEM;
}
