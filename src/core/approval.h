/* Approvals: the decisions a manager makes about a deal, as rules without
 * I/O — what may be asked, and how many levels of managers decide it.
 * The flow (who decides, what happens on approval) is src/api/approvals.c. */
#ifndef BF_CORE_APPROVAL_H
#define BF_CORE_APPROVAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "core/schema.h"

/* What an approval asks for. */
typedef enum approval_kind {
    APPROVAL_OVERRIDE,   /* pass the current stage's gate although items are unmet */
    APPROVAL_CLOSE,      /* close the deal (won, lost, abandoned) before its winning stage */
    APPROVAL_SALES_MODE, /* a sales mode below the evaluation's recommendation (防止大单做小) */
    APPROVAL_PROPOSAL_RELEASE, /* release the proposal to the customer, its review passed */
    APPROVAL_DISCOUNT,         /* a quotation's discount above the salesperson's own limit */
    APPROVAL_KIND_COUNT
} approval_kind;

/* The names of the kinds ("override", "close", "sales_mode",
 * "proposal_release", "discount"), NULL-ended. */
extern const char *const approval_kinds[];

/* The kinds asked for on a deal's approvals route, NULL-ended: all but
 * discount, which a quotation's submission asks for. */
extern const char *const approval_request_kinds[];

/* The states of an approval ("pending", "approved", "rejected",
 * "withdrawn"), NULL-ended. */
extern const char *const approval_states[];

/* The kind called name; false when there is none. */
bool approval_kind_parse(const char *name, approval_kind *out);

/* The most levels an approval may need. */
#define APPROVAL_MAX_LEVELS 5

/* How many levels of managers decide an approval about a deal of amount
 * (fen): one, and one more for each threshold of levels_from (the setting's
 * array of fen, ascending, the first 0) past the first that amount reaches. */
int approval_levels_for(int64_t amount, const json_t *levels_from);

/* The setting "approvals" ({"levels_from": [0, …]}): its declared body,
 * its default (one level for every amount; a new reference) and its check
 * (the schema, then: the first 0, each next one larger; err names
 * levels_from[i]). */
extern const schema approval_rules_schema;
json_t *approval_default_rules(void);
bf_result approval_rules_validate(json_t *rules, bf_error *err);

#endif
