/* Fuzz target: the sales tools' forms and tools in core, each validated and,
 * when valid, evaluated (src/core/qualification.c, profile.c, selection.c,
 * tender.c, procurement.c, bid.c). The first byte picks the form; the rest is
 * its JSON body. A refusal must name its reason; a valid form must evaluate. */
#include <stdint.h>
#include <stdlib.h>

#include "core/bid.h"
#include "core/procurement.h"
#include "core/profile.h"
#include "core/qualification.h"
#include "core/selection.h"
#include "core/tender.h"

static void refused(const bf_error *err)
{
    if (err->message[0] == '\0')
        abort(); /* every refusal explains itself */
}

static void evaluated(json_t *result)
{
    if (result == NULL)
        abort();
    json_decref(result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    json_t *in = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
    if (in == NULL)
        return 0;
    bf_error err = {0};
    json_t *out = NULL;
    bf_result r;
    switch (data[0] % 9) {
    case 0: {
        const char *dm[] = {"王院长", NULL}, *none[] = {NULL};
        mant_authority auth = {none, dm, none, dm};
        if ((r = mant_validate(in, &out, &err)) == BF_OK)
            evaluated(mant_evaluate(out, &auth));
        break;
    }
    case 1:
        if ((r = w5p2_validate(in, &out, &err)) == BF_OK)
            evaluated(w5p2_evaluate(out, NULL));
        break;
    case 2:
        if ((r = ce_validate(in, &out, &err)) == BF_OK) {
            evaluated(ce_evaluate(out, false));
            evaluated(ce_evaluate(out, true));
        }
        break;
    case 3: {
        json_t *cfg = evaluation_default_config();
        if (cfg == NULL)
            abort();
        if ((r = evaluation_validate(in, cfg, &out, &err)) == BF_OK)
            evaluated(evaluation_result(out, cfg, "consultative"));
        json_decref(cfg);
        break;
    }
    case 4:
        if ((r = selection_validate(in, &out, &err)) == BF_OK)
            evaluated(selection_evaluate(out));
        break;
    case 5:
        if ((r = tender_validate(in, &out, &err)) == BF_OK)
            evaluated(tender_evaluate(out));
        break;
    case 6:
        r = procurement_advise(in, &out, &err);
        break;
    case 7:
        r = bid_simulate(in, &out, &err);
        break;
    default: {
        if ((r = profile_form_validate(in, &out, &err)) == BF_OK) {
            json_t *rules = profile_default_rules();
            profile_facts facts = {.employees = 320,
                                   .annual_revenue = -1,
                                   .gross_profit = -1,
                                   .ownership = "government",
                                   .business_type = "service",
                                   .branches = 3,
                                   .purchase_plan =
                                       json_string_value(json_object_get(out, "purchase_plan"))};
            evaluated(profile_evaluate(&facts, rules));
            json_decref(rules);
        }
        break;
    }
    }
    if (r != BF_OK)
        refused(&err);
    json_decref(out);
    json_decref(in);
    return 0;
}
