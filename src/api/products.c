/* The price list (价格表): products as records (admin writes, everyone reads;
 * costs only for those who see them), their rules, and the whole active
 * list in one answer for the quotation editor and for print. */
#include <string.h>

#include "api/api.h"
#include "core/quote.h"
#include "http/response.h"

#define PRICE_LIST_MAX 2000 /* products the answer of GET /price-list holds at most */

static bf_result product_check(api_call *call, record *rec, const record *before)
{
    (void)before;
    const char *kind = record_text(rec, "kind");
    bool ratio_kind = strcmp(kind, quote_kinds[QUOTE_SERVICE_RATIO]) == 0;
    const field_value *ratio = record_field_const(rec, "ratio");
    const field_value *price = record_field_const(rec, "list_price");
    if (ratio_kind && (ratio->null || !ratio->present))
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "ratio",
                       "a service priced as a share of the licence value needs ratio (percent)");
    if (!ratio_kind && (price->null || !price->present))
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "list_price",
                       "list_price is required (fen, without tax)");
    if (!ratio_kind && !ratio->null && ratio->present)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "ratio",
                       "only a service_ratio product has a ratio");
    field_value *decimals = record_field(rec, "decimal_quantity");
    if (decimals->null || !decimals->present)
        *decimals =
            (field_value){.present = true, .i = strcmp(kind, quote_kinds[QUOTE_SERVICE_DAY]) == 0};
    return BF_OK;
}

const resource_hooks product_hooks = {product_check, NULL, NULL, NULL};

bf_result price_list_get(api_call *call, const api_route *route)
{
    (void)route;
    int code = resource_field_index(&resource_products, "code");
    int active = resource_field_index(&resource_products, "active");
    list_query q = {.spec = &resource_products,
                    .filters = {{.field = active, .op = LIST_EQ, .num = 1}},
                    .nfilters = 1,
                    .sort_field = code,
                    .limit = LIST_MAX_LIMIT,
                    .who = call->who};
    json_t *items = api_keep(call, json_array());
    if (items == NULL)
        return BF_ERR_NOMEM;
    bf_result settled = api_costs_settle(call, &resource_products);
    if (settled != BF_OK)
        return settled;
    record_page page = {.more = true};
    while (page.more && json_array_size(items) < PRICE_LIST_MAX) {
        bf_result r = store_record_list(call->app->store, call->arena, &q, &page, &call->err);
        if (r != BF_OK)
            return r;
        for (size_t i = 0; i < page.n; i++)
            if (json_array_append_new(items, api_record_json(call, page.items[i])) != 0)
                return BF_ERR_NOMEM;
        if (page.n > 0) {
            const record *last = page.items[page.n - 1];
            q.after = true;
            q.after_text = record_text(last, "code");
            q.after_id = last->id;
        }
    }
    http_respond_json(call->req, 200,
                      json_pack("{s:s, s:O, s:b}", "currency", "CNY", "items", items, "cost_shown",
                                call->who->sees_cost));
    return BF_OK;
}
