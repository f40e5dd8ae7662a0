/* Procurement method advisor (see procurement.h). */
#include "core/procurement.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/schema.h"

enum { M_PUBLIC, M_INVITED, M_NEGOTIATION, M_SINGLE, M_INQUIRY, M_COUNT };

const char *const procurement_methods[] = {
    "public_tender", "invited_tender", "competitive_negotiation", "single_source", "inquiry", NULL,
};

/* A tender needs at least this many qualified bidders, or it fails. */
#define MIN_BIDDERS 3

typedef struct bilingual {
    const char *zh;
    const char *en;
} bilingual;

static const bilingual method_names[M_COUNT] = {
    {"公开招标", "Public tender"},
    {"邀请招标", "Invited tender"},
    {"竞争性谈判", "Competitive negotiation"},
    {"单一来源采购", "Single-source procurement"},
    {"询价", "Request for quotation"},
};

const char *procurement_method_label(const char *method, const char *lang)
{
    bool en = lang != NULL && strcmp(lang, "en") == 0;
    for (int m = 0; method != NULL && m < M_COUNT; m++)
        if (strcmp(procurement_methods[m], method) == 0)
            return en ? method_names[m].en : method_names[m].zh;
    return method;
}

/* The facts, validated. A "has_" flag tells whether an integer was given. */
typedef struct proc_facts {
    bool has_amount, has_suppliers, has_original, has_add_on_amount, has_bidders;
    int64_t amount, suppliers, original, add_on_amount, bidders;
    bool only_one_given, only_one, urgent, special_nature, cost_disproportionate,
        technically_complex, price_not_calculable, no_qualified_bids, standard_goods, add_on;
} proc_facts;

#define FEN(key, least, what)                                                                      \
    {                                                                                              \
        .name = key, .kind = SCHEMA_INT, .min = least, .max = INT64_MAX, .doc = what               \
    }
#define FACT(key, what)                                                                            \
    {                                                                                              \
        .name = key, .kind = SCHEMA_BOOL, .doc = what                                              \
    }

static const schema facts_members[] = {
    FEN("amount", 0, "The purchase amount, fen (分)"),
    {.name = "qualified_suppliers",
     .kind = SCHEMA_INT,
     .max = INT64_MAX,
     .doc = "How many qualified suppliers there are"},
    FACT("only_one_supplier", "Only one supplier can deliver"),
    FACT("urgent", "An unforeseeable emergency"),
    FACT("special_nature", "The purchase is of a special nature"),
    FACT("tender_cost_disproportionate", "A tender would cost too much for the amount"),
    FACT("technically_complex", "Technically complex or special"),
    FACT("price_not_calculable", "The total price cannot be worked out in advance"),
    FACT("no_qualified_bids_before", "An earlier tender had no qualified bids"),
    FACT("standard_goods", "Standard goods with a uniform specification"),
    FACT("add_on", "An add-on to an existing contract"),
    FEN("original_contract_amount", 1, "The original contract's amount, fen (add_on)"),
    FEN("add_on_amount", 0, "The add-on's amount, fen (add_on; defaults to amount)"),
    {.name = "bidders",
     .kind = SCHEMA_INT,
     .max = INT64_MAX,
     .doc = "Qualified bidders of a tender already run"},
    {0},
};

/* Reads integer key of facts into *out; false when it is not given. */
static bool fact_int(json_t *facts, const char *key, int64_t *out)
{
    json_t *v = json_object_get(facts, key);
    *out = v ? (int64_t)json_integer_value(v) : 0;
    return v != NULL;
}

static bool fact_bool(json_t *facts, const char *key)
{
    return json_is_true(json_object_get(facts, key));
}

/* Reads checked facts. */
static void procurement_read_facts(json_t *facts, proc_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->has_amount = fact_int(facts, "amount", &f->amount);
    f->has_suppliers = fact_int(facts, "qualified_suppliers", &f->suppliers);
    f->has_original = fact_int(facts, "original_contract_amount", &f->original);
    f->has_add_on_amount = fact_int(facts, "add_on_amount", &f->add_on_amount);
    f->has_bidders = fact_int(facts, "bidders", &f->bidders);
    f->only_one_given = json_object_get(facts, "only_one_supplier") != NULL;
    f->only_one = fact_bool(facts, "only_one_supplier");
    f->urgent = fact_bool(facts, "urgent");
    f->special_nature = fact_bool(facts, "special_nature");
    f->cost_disproportionate = fact_bool(facts, "tender_cost_disproportionate");
    f->technically_complex = fact_bool(facts, "technically_complex");
    f->price_not_calculable = fact_bool(facts, "price_not_calculable");
    f->no_qualified_bids = fact_bool(facts, "no_qualified_bids_before");
    f->standard_goods = fact_bool(facts, "standard_goods");
    f->add_on = fact_bool(facts, "add_on");
    if (f->has_suppliers)
        f->only_one = f->suppliers == 1;
    if (f->add_on && !f->has_add_on_amount) {
        f->add_on_amount = f->amount;
        f->has_add_on_amount = f->has_amount;
    }
}

/* "Only one supplier" and a count of qualified suppliers agree; an add-on
 * names the original contract's amount and its own. */
static bf_result check_facts(json_t *facts, const char *path, bf_error *err)
{
    char field[96];
    int64_t suppliers;
    json_t *one = json_object_get(facts, "only_one_supplier");
    if (fact_int(facts, "qualified_suppliers", &suppliers) && one != NULL &&
        json_is_true(one) != (suppliers == 1)) {
        schema_path_format(field, sizeof(field), path, "only_one_supplier");
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", field,
                       "%s is %s but qualified_suppliers is %" PRId64, field,
                       json_is_true(one) ? "true" : "false", suppliers);
    }
    if (!fact_bool(facts, "add_on"))
        return BF_OK;
    if (json_object_get(facts, "original_contract_amount") == NULL) {
        schema_path_format(field, sizeof(field), path, "original_contract_amount");
        return bf_fail(err, BF_ERR_INVALID, "required", field, "%s is required when add_on is true",
                       field);
    }
    if (json_object_get(facts, "add_on_amount") == NULL &&
        json_object_get(facts, "amount") == NULL) {
        schema_path_format(field, sizeof(field), path, "add_on_amount");
        return bf_fail(err, BF_ERR_INVALID, "required", field,
                       "%s (or amount) is required when add_on is true", field);
    }
    return BF_OK;
}

const schema procurement_facts_schema = {
    .name = "ProcurementFacts",
    .kind = SCHEMA_OBJECT,
    .members = facts_members,
    .rule = check_facts,
    .doc = "The facts of a purchase that decide which procurement methods the law allows"};

/* True when the add-on stays within 10% of the original contract:
 * add_on <= original / 10 exactly, i.e. add_on * 10 <= original. */
static bool add_on_within_limit(const proc_facts *f)
{
    return (__int128)f->add_on_amount * 10 <= (__int128)f->original;
}

/* Writes fen (>= 0) as yuan with two decimals: 1234567 -> "12345.67". */
static void format_yuan(int64_t fen, char *out, size_t cap)
{
    snprintf(out, cap, "%" PRId64 ".%02" PRId64, fen / 100, fen % 100);
}

/* Appends {"text": {zh,en}, "met": met} to conds; false when out of memory. */
static bool condition_add(json_t *conds, const char *zh, const char *en, bool met)
{
    json_t *c = json_pack("{s:o, s:b}", "text", schema_text_pair_new(zh, en), "met", met);
    return c != NULL && json_array_append_new(conds, c) == 0;
}

/* Appends {"code": code, "text": {zh,en}} to warnings; false when out of memory. */
static bool warning_add(json_t *warnings, const char *code, const char *zh, const char *en)
{
    json_t *w = json_pack("{s:s, s:o}", "code", code, "text", schema_text_pair_new(zh, en));
    return w != NULL && json_array_append_new(warnings, w) == 0;
}

/* Fills conds with the legal conditions of method m, each with whether the
 * facts meet it; *any tells whether at least one is met. */
static bool conditions_fill(int m, const proc_facts *f, json_t *conds, bool *any)
{
    bool tender_failed = f->has_bidders && f->bidders < MIN_BIDDERS;
    bool ok = true;
    switch (m) {
    case M_PUBLIC:
        ok = condition_add(conds, "公开招标是政府采购的主要方式,无须满足特别条件即可采用",
                           "Public tender is the main method of government procurement and "
                           "needs no special condition",
                           true) &&
             condition_add(conds, "招标未因合格投标人不足三家而废标",
                           "The tender has not failed for want of three qualified bidders",
                           !tender_failed);
        *any = !tender_failed;
        return ok;
    case M_INVITED:
        ok = condition_add(conds, "采购项目具有特殊性,只能向有限范围内的供应商采购",
                           "The purchase is of a special nature that only a limited range of "
                           "suppliers can supply",
                           f->special_nature) &&
             condition_add(conds, "采用公开招标的费用占项目总价值的比例过大",
                           "A public tender would cost too large a share of the project's total "
                           "value",
                           f->cost_disproportionate);
        *any = f->special_nature || f->cost_disproportionate;
        return ok;
    case M_NEGOTIATION: {
        bool no_bids = f->no_qualified_bids || (f->has_bidders && f->bidders == 0);
        ok = condition_add(conds, "招标后没有供应商投标、没有合格标,或者重新招标仍未成立",
                           "After a tender no supplier bid, no bid qualified, or the re-tender "
                           "also failed",
                           no_bids) &&
             condition_add(conds, "技术复杂或者性质特殊,无法确定详细规格或具体要求",
                           "Technically complex or of a special nature, so the detailed "
                           "specification or requirements cannot be fixed",
                           f->technically_complex) &&
             condition_add(conds, "招标所需的时间无法满足用户的紧急需要",
                           "A tender would take longer than the user's urgent need allows",
                           f->urgent) &&
             condition_add(conds, "无法事先计算出价格总额",
                           "The total price cannot be calculated in advance",
                           f->price_not_calculable);
        *any = no_bids || f->technically_complex || f->urgent || f->price_not_calculable;
        return ok;
    }
    case M_SINGLE: {
        bool add_on_ok = f->add_on && add_on_within_limit(f);
        ok = condition_add(conds, "只能从唯一的供应商处采购", "Only one supplier can supply it",
                           f->only_one) &&
             condition_add(conds, "发生了不可预见的紧急情况,无法从其他供应商处采购",
                           "An unforeseeable emergency leaves no other supplier to buy from",
                           f->urgent) &&
             condition_add(conds,
                           "为保证与原项目一致或服务配套,必须向原供应商添购,且添购总额不超过原"
                           "合同金额的百分之十",
                           "To stay consistent with the original project or its services the "
                           "add-on must come from the original supplier, and it totals no more "
                           "than 10% of the original contract amount",
                           add_on_ok);
        *any = f->only_one || f->urgent || add_on_ok;
        return ok;
    }
    case M_INQUIRY:
        ok = condition_add(conds, "货物规格、标准统一,现货货源充足,且价格变化幅度小",
                           "The goods have uniform specifications and standards, ample stock "
                           "and prices that change little",
                           f->standard_goods);
        *any = f->standard_goods;
        return ok;
    }
    return false;
}

/* Appends the warnings the facts call for; false when out of memory. */
static bool warnings_fill(const proc_facts *f, json_t *warnings)
{
    if (f->has_bidders && f->bidders < MIN_BIDDERS) {
        char zh[240], en[320];
        snprintf(zh, sizeof(zh),
                 "合格投标人只有 %" PRId64 " 家,少于三家,本次招标按废标处理;须依法重新招标或"
                 "变更采购方式",
                 f->bidders);
        snprintf(en, sizeof(en),
                 "Only %" PRId64 " qualified bidder(s), fewer than three: this tender fails; it "
                 "must be run again or the method changed as the law allows",
                 f->bidders);
        if (!warning_add(warnings, "tender_fails", zh, en))
            return false;
    } else if (!f->has_bidders && f->has_suppliers && f->suppliers < MIN_BIDDERS) {
        char zh[240], en[320];
        snprintf(zh, sizeof(zh),
                 "符合资格条件的供应商只有 %" PRId64 " 家;招标须有三家以上合格投标人,否则废标",
                 f->suppliers);
        snprintf(en, sizeof(en),
                 "Only %" PRId64 " supplier(s) meet the qualification conditions; a tender "
                 "needs at least three qualified bidders or it fails",
                 f->suppliers);
        if (!warning_add(warnings, "few_qualified_suppliers", zh, en))
            return false;
    }
    if (f->add_on && !add_on_within_limit(f)) {
        char add[32], orig[32], limit[32], zh[240], en[320];
        format_yuan(f->add_on_amount, add, sizeof(add));
        format_yuan(f->original, orig, sizeof(orig));
        format_yuan(f->original / 10, limit, sizeof(limit)); /* the largest add-on in fen */
        snprintf(zh, sizeof(zh),
                 "添购金额 %s 元超过原合同金额 %s 元的百分之十(最多 %s 元),不能单一来源添购", add,
                 orig, limit);
        snprintf(en, sizeof(en),
                 "The add-on of %s yuan exceeds 10%% of the original contract's %s yuan (at most "
                 "%s yuan): it cannot be bought single-source",
                 add, orig, limit);
        if (!warning_add(warnings, "add_on_over_limit", zh, en))
            return false;
    }
    return true;
}

/* Builds the advice from valid facts; NULL when out of memory. */
static json_t *procurement_build(const proc_facts *f)
{
    json_t *methods = json_array();
    json_t *warnings = json_array();
    if (methods == NULL || warnings == NULL)
        goto fail;
    bool tender_failed = f->has_bidders && f->bidders < MIN_BIDDERS;
    int recommended = -1;
    for (int m = 0; m < M_COUNT; m++) {
        json_t *conds = json_array();
        bool any = false;
        if (conds == NULL || !conditions_fill(m, f, conds, &any)) {
            json_decref(conds);
            goto fail;
        }
        bool allowed = any && !((m == M_PUBLIC || m == M_INVITED) && tender_failed);
        /* json_pack steals the "o" references, also when it fails. */
        json_t *entry = json_pack("{s:s, s:o, s:b, s:o}", "method", procurement_methods[m], "name",
                                  schema_text_pair_new(method_names[m].zh, method_names[m].en),
                                  "allowed", allowed, "conditions", conds);
        if (entry == NULL || json_array_append_new(methods, entry) != 0)
            goto fail;
        /* A special method applies only when its conditions are met;
         * otherwise the default, public tender, unless its run failed. */
        if (allowed && m != M_PUBLIC && recommended < 0)
            recommended = m;
    }
    if (recommended < 0 && !tender_failed)
        recommended = M_PUBLIC;
    if (!warnings_fill(f, warnings))
        goto fail;
    json_t *rec = recommended >= 0 ? json_string(procurement_methods[recommended]) : json_null();
    return json_pack("{s:o, s:o, s:o}", "methods", methods, "recommended", rec, "warnings",
                     warnings);
fail:
    json_decref(methods);
    json_decref(warnings);
    return NULL;
}

bf_result procurement_advise(json_t *facts, json_t **out, bf_error *err)
{
    json_t *norm;
    bf_result r = schema_check(&procurement_facts_schema, facts, &norm, err);
    if (r != BF_OK)
        return r;
    proc_facts f;
    procurement_read_facts(norm, &f);
    json_decref(norm);
    json_t *advice = procurement_build(&f);
    if (advice == NULL)
        return bf_fail(err, BF_ERR_NOMEM, NULL, "", "out of memory");
    *out = advice;
    return BF_OK;
}
