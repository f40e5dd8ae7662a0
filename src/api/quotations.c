/* Quotations of a deal (docs/quotations.md): written from the price list,
 * computed by core/quote.c, approved when their discount asks for it
 * (approvals of kind discount), sent, accepted, and the primary one's total
 * made the deal's amount. Who sees the deal reads its quotations; who may
 * work it writes them; costs and margins only for who sees costs. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/pricing.h"
#include "core/quote.h"
#include "http/response.h"

#define FREE_LINE_TAX 1300 /* a free line's VAT rate when none is given: 13 % */

/* ---- lines: as written, as stored, as computed ------------------------------------- */

static int64_t hundredths_of(json_t *obj, const char *key, int64_t otherwise)
{
    int64_t h;
    json_t *v = json_object_get(obj, key);
    return v != NULL && schema_hundredths(v, &h) ? h : otherwise;
}

static int64_t int_of(json_t *obj, const char *key, int64_t otherwise)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? json_integer_value(v) : otherwise;
}

static quote_kind kind_of(const char *name)
{
    for (int k = 0; name != NULL && quote_kinds[k] != NULL; k++)
        if (strcmp(quote_kinds[k], name) == 0)
            return (quote_kind)k;
    return QUOTE_OTHER;
}

static bf_result line_fail(api_call *call, size_t k, const char *field, const char *code,
                           const char *message)
{
    char path[48];
    snprintf(path, sizeof(path), "lines[%zu].%s", k, field);
    return bf_fail(&call->err, BF_ERR_INVALID, code, path, "%s: %s", path, message);
}

/* The stored form of a line of a product: what the price list says now. */
static bf_result product_line(api_call *call, size_t k, json_t *in, json_t *out)
{
    const char *id = json_string_value(json_object_get(in, "product_id"));
    record *p;
    bf_result r =
        store_record_get(call->app->store, call->arena, &resource_products, id, &p, &call->err);
    if (r == BF_ERR_NOT_FOUND)
        return line_fail(call, k, "product_id", "unknown_reference",
                         "no product of the price list has this id");
    if (r != BF_OK)
        return r;
    if (!record_field_const(p, "active")->i)
        return line_fail(call, k, "product_id", "retired",
                         "the product is retired from the price list");
    int64_t quantity = hundredths_of(in, "quantity", 0);
    if (!record_field_const(p, "decimal_quantity")->i && quantity % 100 != 0)
        return line_fail(call, k, "quantity", "whole_units", "this product is sold in whole units");
    const field_value *price = record_field_const(p, "list_price");
    const field_value *ratio = record_field_const(p, "ratio");
    const field_value *cost = record_field_const(p, "cost");
    const field_value *tax = record_field_const(p, "tax_rate");
    int bad = json_object_set_new(out, "product_id", json_string(p->id));
    bad |= json_object_set_new(out, "code", json_string(record_text(p, "code")));
    bad |= json_object_set_new(out, "kind", json_string(record_text(p, "kind")));
    bad |= json_object_set_new(out, "name", json_string(record_text(p, "name")));
    const char *name_en = record_text(p, "name_en"), *unit_en = record_text(p, "unit_en");
    if (name_en)
        bad |= json_object_set_new(out, "name_en", json_string(name_en));
    bad |= json_object_set_new(out, "unit", json_string(record_text(p, "unit")));
    if (unit_en)
        bad |= json_object_set_new(out, "unit_en", json_string(unit_en));
    bad |= json_object_set_new(out, "unit_price", json_integer(price->null ? 0 : price->i));
    bad |= json_object_set_new(out, "ratio_bp", json_integer(ratio->null ? 0 : ratio->i));
    bad |= json_object_set_new(out, "tax_bp", json_integer(tax->null ? 0 : tax->i));
    bad |= json_object_set_new(out, "unit_cost", json_integer(cost->null ? -1 : cost->i));
    bad |= json_object_set_new(out, "decimal_quantity",
                               json_boolean(record_field_const(p, "decimal_quantity")->i));
    return bad ? BF_ERR_NOMEM : BF_OK;
}

/* The stored form of a free line. */
static bf_result free_line(api_call *call, size_t k, json_t *in, json_t *out)
{
    const char *kind = json_string_value(json_object_get(in, "kind"));
    const char *name = json_string_value(json_object_get(in, "name"));
    const char *unit = json_string_value(json_object_get(in, "unit"));
    bool ratio_kind = kind != NULL && kind_of(kind) == QUOTE_SERVICE_RATIO;
    if (name == NULL)
        return line_fail(call, k, "name", "required", "a line without a product needs a name");
    if (ratio_kind && json_object_get(in, "ratio") == NULL)
        return line_fail(call, k, "ratio", "required",
                         "a service priced as a share of the licence value needs ratio");
    if (!ratio_kind && json_object_get(in, "unit_price") == NULL)
        return line_fail(call, k, "unit_price", "required",
                         "a line without a product needs unit_price (fen, without tax)");
    int bad = json_object_set_new(out, "kind", json_string(kind ? kind : "other"));
    bad |= json_object_set_new(out, "name", json_string(name));
    bad |= json_object_set_new(out, "unit", json_string(unit ? unit : "项"));
    bad |= json_object_set_new(out, "unit_price", json_integer(int_of(in, "unit_price", 0)));
    bad |= json_object_set_new(out, "ratio_bp", json_integer(hundredths_of(in, "ratio", 0)));
    bad |= json_object_set_new(out, "tax_bp",
                               json_integer(hundredths_of(in, "tax_rate", FREE_LINE_TAX)));
    bad |= json_object_set_new(out, "unit_cost", json_integer(-1));
    bad |= json_object_set_new(out, "decimal_quantity", json_true());
    return bad ? BF_ERR_NOMEM : BF_OK;
}

/* The lines of a checked body as they are stored (a new array in the
 * call's arena). */
static bf_result lines_written(api_call *call, json_t *body, json_t **out)
{
    json_t *lines = api_keep(call, json_array());
    if (lines == NULL)
        return BF_ERR_NOMEM;
    size_t k;
    json_t *in;
    json_array_foreach(json_object_get(body, "lines"), k, in)
    {
        json_t *line = json_object();
        if (line == NULL || json_array_append_new(lines, line) != 0)
            return BF_ERR_NOMEM;
        bf_result r = json_object_get(in, "product_id") ? product_line(call, k, in, line)
                                                        : free_line(call, k, in, line);
        if (r != BF_OK)
            return r;
        const char *description = json_string_value(json_object_get(in, "description"));
        int bad =
            description ? json_object_set_new(line, "description", json_string(description)) : 0;
        bad |=
            json_object_set_new(line, "quantity_h", json_integer(hundredths_of(in, "quantity", 0)));
        bad |= json_object_set_new(line, "discount_bp",
                                   json_integer(hundredths_of(in, "discount", 0)));
        if (bad)
            return BF_ERR_NOMEM;
    }
    *out = lines;
    return BF_OK;
}

/* A quotation's figures, computed from its stored lines. */
typedef struct figures {
    size_t n;
    quote_line_in *in;
    quote_line_out *out;
    quote_totals totals;
} figures;

static bf_result compute(api_call *call, json_t *lines, int64_t discount, figures *f)
{
    f->n = json_array_size(lines);
    f->in = arena_calloc(call->arena, f->n ? f->n : 1, sizeof(*f->in));
    f->out = arena_calloc(call->arena, f->n ? f->n : 1, sizeof(*f->out));
    if (f->in == NULL || f->out == NULL)
        return BF_ERR_NOMEM;
    for (size_t k = 0; k < f->n; k++) {
        json_t *l = json_array_get(lines, k);
        f->in[k] = (quote_line_in){
            .kind = kind_of(json_string_value(json_object_get(l, "kind"))),
            .quantity = int_of(l, "quantity_h", 0),
            .unit_price = int_of(l, "unit_price", 0),
            .ratio = int_of(l, "ratio_bp", 0),
            .discount = int_of(l, "discount_bp", 0),
            .tax_rate = int_of(l, "tax_bp", 0),
            .unit_cost = int_of(l, "unit_cost", -1),
        };
    }
    return quote_compute(f->in, f->n, discount, f->out, &f->totals, &call->err);
}

/* A rate in basis points as the API writes it: percent, two decimals. */
static json_t *percent(int64_t bp)
{
    return bp % 100 == 0 ? json_integer(bp / 100) : json_real((double)bp / 100.0);
}

/* The state a reader sees: a sent quotation past its date has expired. */
static const char *status_seen(const quotation *q)
{
    char day[16];
    if (strcmp(q->status, "sent") == 0 && q->valid_until != NULL &&
        strcmp(q->valid_until, api_today(day, sizeof(day))) < 0)
        return "expired";
    return q->status;
}

static json_t *line_json(const json_t *stored, const quote_line_in *in, const quote_line_out *o,
                         bool costs)
{
    json_t *j = json_deep_copy(stored);
    if (j == NULL)
        return NULL;
    static const char *const internal[] = {"quantity_h", "discount_bp", "tax_bp",
                                           "ratio_bp",   "unit_cost",   NULL};
    for (size_t i = 0; internal[i]; i++)
        json_object_del(j, internal[i]);
    int bad = json_object_set_new(j, "quantity", percent(in->quantity));
    bad |= json_object_set_new(j, "discount", percent(in->discount));
    bad |= json_object_set_new(j, "tax_rate", percent(in->tax_rate));
    bad |= json_object_set_new(j, "ratio",
                               in->kind == QUOTE_SERVICE_RATIO ? percent(in->ratio) : json_null());
    bad |= json_object_set_new(j, "unit_price", json_integer(o->unit_price));
    bad |= json_object_set_new(j, "list_amount", json_integer(o->list_amount));
    bad |= json_object_set_new(j, "discount_amount", json_integer(o->discount_amount));
    bad |= json_object_set_new(j, "net", json_integer(o->net));
    bad |= json_object_set_new(j, "tax", json_integer(o->tax));
    bad |= json_object_set_new(j, "gross", json_integer(o->gross));
    if (costs) {
        bad |= json_object_set_new(j, "unit_cost",
                                   in->unit_cost < 0 ? json_null() : json_integer(in->unit_cost));
        bad |= json_object_set_new(j, "cost", o->cost < 0 ? json_null() : json_integer(o->cost));
    }
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *totals_json(const quote_totals *t, bool costs)
{
    json_t *j =
        json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "list_amount", (json_int_t)t->list_amount,
                  "discount_amount", (json_int_t)t->discount_amount, "net", (json_int_t)t->net,
                  "tax", (json_int_t)t->tax, "gross", (json_int_t)t->gross, "discount_rate",
                  percent(t->discount_rate), "max_line_discount", percent(t->max_line_discount));
    if (j != NULL && costs &&
        (json_object_set_new(j, "cost", json_integer(t->cost)) ||
         json_object_set_new(j, "margin", json_integer(t->margin)) ||
         json_object_set_new(j, "margin_rate", percent(t->margin_rate)) ||
         json_object_set_new(j, "cost_complete", json_boolean(t->cost_complete)))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* The figures of lines and discount as the answer writes them: "lines",
 * "totals", "amount_in_words", "cost_shown", set on j. */
static bf_result figures_into(api_call *call, json_t *j, json_t *lines, const figures *f)
{
    bool costs = call->who->sees_cost;
    json_t *out = json_array();
    int bad = out == NULL || json_object_set_new(j, "lines", out);
    for (size_t k = 0; !bad && k < f->n; k++)
        bad = json_array_append_new(
            out, line_json(json_array_get(lines, k), &f->in[k], &f->out[k], costs));
    char words[QUOTE_WORDS_CAP];
    quote_amount_in_words(f->totals.gross, words, sizeof(words));
    bad |= json_object_set_new(j, "totals", totals_json(&f->totals, costs));
    bad |= json_object_set_new(j, "amount_in_words",
                               json_string(arena_printf(call->arena, "人民币%s", words)));
    bad |= json_object_set_new(j, "cost_shown", json_boolean(costs));
    return bad ? BF_ERR_NOMEM : BF_OK;
}

/* The answer of a quotation (kept in the call's arena); rules are the
 * quotation settings, read once by the caller. */
static bf_result quotation_json(api_call *call, const quotation *q, json_t *rules, json_t **out)
{
    json_t *lines = api_keep(call, json_loads(q->lines ? q->lines : "[]", 0, NULL));
    figures f;
    bf_result r = lines ? compute(call, lines, q->discount, &f) : BF_ERR_INTERNAL;
    if (r != BF_OK)
        return r;
    json_t *j = api_keep(
        call, json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:b, s:o, s:s, s:o, s:o, s:o, s:o, s:o, "
                        "s:o, s:o, s:s, s:s, s:s, s:o}",
                        "id", q->id, "opportunity_id", q->opportunity_id, "number", q->number,
                        "revision", (json_int_t)q->revision, "version", (json_int_t)q->version,
                        "status", status_seen(q), "primary", q->primary, "title",
                        api_text_or_null(q->title), "currency", q->currency ? q->currency : "CNY",
                        "valid_until", api_text_or_null(q->valid_until), "payment_terms",
                        api_text_or_null(q->payment_terms), "delivery_terms",
                        api_text_or_null(q->delivery_terms), "notes", api_text_or_null(q->notes),
                        "discount", percent(q->discount), "approval_id",
                        api_text_or_null(q->approval_id), "approval_levels", json_integer(0),
                        "created_at", q->created_at, "updated_at", q->updated_at, "created_by",
                        q->created_by, "sent_at", api_text_or_null(q->sent_at)));
    if (j == NULL)
        return BF_ERR_NOMEM;
    json_object_set_new(j, "approval_levels",
                        json_integer(pricing_discount_levels(f.totals.max_line_discount, rules)));
    if ((r = figures_into(call, j, lines, &f)) != BF_OK)
        return r;
    *out = j;
    return BF_OK;
}

/* ---- loading and checks -------------------------------------------------------------- */

/* The quotation of the path, its deal visible to the viewer (404 alike
 * when not), and that deal. */
static bf_result load(api_call *call, quotation *q, record **opp)
{
    bf_result r = api_costs_settle(call, NULL);
    if (r == BF_OK)
        r = store_quotation_get(call->app->store, call->arena, call->req->params[0], q, &call->err);
    if (r == BF_OK)
        r = api_require_visible(call, &resource_opportunities, q->opportunity_id);
    if (r == BF_ERR_NOT_FOUND)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "id", "no quotation %s",
                       call->req->params[0]);
    if (r == BF_OK && opp != NULL)
        r = store_record_get(call->app->store, call->arena, &resource_opportunities,
                             q->opportunity_id, opp, &call->err);
    return r;
}

static bf_result must_be(api_call *call, const quotation *q, const char *status, const char *what)
{
    if (strcmp(status_seen(q), status) == 0)
        return BF_OK;
    return bf_fail(&call->err, BF_ERR_CONFLICT, strcmp(status, "draft") == 0 ? "frozen" : "status",
                   "status", "quotation %s rev. %lld is %s: %s", q->number, (long long)q->revision,
                   status_seen(q), what);
}

/* Sets the terms and lines of body on q (computed, its totals kept). */
static bf_result apply_body(api_call *call, quotation *q, json_t *body)
{
    json_t *lines;
    figures f;
    bf_result r = lines_written(call, body, &lines);
    if (r == BF_OK)
        r = compute(call, lines, hundredths_of(body, "discount", 0), &f);
    if (r != BF_OK)
        return r;
    q->title = json_string_value(json_object_get(body, "title"));
    q->valid_until = json_string_value(json_object_get(body, "valid_until"));
    q->payment_terms = json_string_value(json_object_get(body, "payment_terms"));
    q->delivery_terms = json_string_value(json_object_get(body, "delivery_terms"));
    q->notes = json_string_value(json_object_get(body, "notes"));
    q->discount = hundredths_of(body, "discount", 0);
    q->lines = api_json_text(call, lines, JSON_COMPACT);
    q->list_amount = f.totals.list_amount;
    q->net = f.totals.net;
    q->tax = f.totals.tax;
    q->gross = f.totals.gross;
    q->cost = f.totals.cost;
    q->cost_complete = f.totals.cost_complete;
    q->max_line_discount = f.totals.max_line_discount;
    return q->lines ? BF_OK : BF_ERR_NOMEM;
}

static bf_result audit(api_call *call, const char *action, const quotation *q)
{
    json_t *v = api_keep(call, json_pack("{s:s, s:s, s:I, s:s, s:I}", "quotation", q->id, "number",
                                         q->number, "revision", (json_int_t)q->revision, "status",
                                         q->status, "gross", (json_int_t)q->gross));
    return v ? api_audit(call, action, "opportunities", q->opportunity_id, NULL, v) : BF_ERR_NOMEM;
}

static bf_result respond(api_call *call, int status, const quotation *q)
{
    json_t *j;
    json_t *rules;
    bf_result r = api_setting_value(call, &api_setting_quotations, &rules);
    if (r == BF_OK)
        r = quotation_json(call, q, rules, &j);
    if (r == BF_OK)
        r = api_set_etag(call, q->version);
    if (r == BF_OK)
        http_respond_json(call->req, status, json_incref(j));
    return r;
}

/* ---- routes ------------------------------------------------------------------------- */

bf_result quotations_of_deal(api_call *call, const api_route *route)
{
    (void)route;
    const char *deal = call->req->params[0];
    bf_result r = api_costs_settle(call, NULL);
    if (r == BF_OK)
        r = api_require_visible(call, &resource_opportunities, deal);
    quotation *items = NULL;
    size_t n = 0;
    if (r == BF_OK)
        r = store_quotation_list(call->app->store, call->arena, deal, &items, &n, &call->err);
    json_t *rules = NULL; /* the quotation settings, read once for the list */
    if (r == BF_OK)
        r = api_setting_value(call, &api_setting_quotations, &rules);
    json_t *arr = api_keep(call, json_array());
    if (r == BF_OK && arr == NULL)
        r = BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        json_t *j;
        if ((r = quotation_json(call, &items[i], rules, &j)) == BF_OK &&
            json_array_append(arr, j) != 0)
            r = BF_ERR_NOMEM;
    }
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_pack("{s:O}", "items", arr));
    return BF_OK;
}

typedef struct write_ctx {
    json_t *body;
    quotation q;
    int64_t expected;
} write_ctx;

static bf_result create_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    w->q = (quotation){.opportunity_id = call->req->params[0],
                       .revision = 1,
                       .status = "draft",
                       .currency = "CNY",
                       .created_by = call->actor};
    bf_result r = apply_body(call, &w->q, w->body);
    if (r == BF_OK)
        r = store_quotation_insert(call->app->store, call->arena, &w->q, &call->err);
    return r == BF_OK ? audit(call, "quotation_create", &w->q) : r;
}

bf_result quotation_create(api_call *call, const api_route *route)
{
    (void)route;
    write_ctx w = {0};
    bf_result r = api_costs_settle(call, NULL);
    if (r == BF_OK)
        r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = api_require_deal_writer(call, "quotations");
    if (r == BF_OK)
        r = api_body_as(call, &quotation_body_schema, &w.body);
    if (r == BF_OK)
        r = api_transaction(call, create_in_tx, &w);
    return r == BF_OK ? respond(call, 201, &w.q) : r;
}

bf_result quotation_preview(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body, *lines;
    figures f;
    bf_result r = api_costs_settle(call, NULL);
    if (r == BF_OK)
        r = api_body_as(call, &quotation_body_schema, &body);
    if (r == BF_OK)
        r = lines_written(call, body, &lines);
    if (r == BF_OK)
        r = compute(call, lines, hundredths_of(body, "discount", 0), &f);
    json_t *j = r == BF_OK ? api_keep(call, json_pack("{s:o}", "discount",
                                                      percent(hundredths_of(body, "discount", 0))))
                           : NULL;
    if (r == BF_OK && j == NULL)
        r = BF_ERR_NOMEM;
    json_t *rules;
    if (r == BF_OK)
        r = api_setting_value(call, &api_setting_quotations, &rules);
    if (r == BF_OK)
        r = figures_into(call, j, lines, &f);
    if (r != BF_OK)
        return r;
    json_object_set_new(j, "approval_levels",
                        json_integer(pricing_discount_levels(f.totals.max_line_discount, rules)));
    http_respond_json(call->req, 200, json_incref(j));
    return BF_OK;
}

bf_result quotation_get(api_call *call, const api_route *route)
{
    (void)route;
    quotation q;
    bf_result r = load(call, &q, NULL);
    return r == BF_OK ? respond(call, 200, &q) : r;
}

static bf_result update_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    bf_result r = load(call, &w->q, NULL);
    if (r == BF_OK && w->q.version != w->expected)
        r = bf_fail(&call->err, BF_ERR_STALE, "version_mismatch", NULL,
                    "the quotation was changed by someone else meanwhile: read it again");
    if (r == BF_OK)
        r = must_be(call, &w->q, "draft", "only a draft is changed; make a new revision");
    if (r == BF_OK)
        r = apply_body(call, &w->q, w->body);
    if (r == BF_OK)
        r = store_quotation_update(call->app->store, call->arena, &w->q, w->expected, &call->err);
    return r == BF_OK ? audit(call, "quotation_update", &w->q) : r;
}

/* The shape of the write routes of a quotation: who may write, If-Match
 * when match, the body when one is declared, fn in one transaction, and
 * the quotation answered with status (204: nothing). */
static bf_result write_route(api_call *call, const schema *body, bool match,
                             bf_result (*fn)(api_call *call, void *ctx), int status)
{
    write_ctx w = {0};
    bf_result r = api_require_deal_writer(call, "quotations");
    if (r == BF_OK && match)
        r = api_if_match(call, &w.expected);
    if (r == BF_OK && body != NULL)
        r = api_body_as(call, body, &w.body);
    if (r == BF_OK)
        r = api_transaction(call, fn, &w);
    if (r != BF_OK)
        return r;
    if (status != 204)
        return respond(call, status, &w.q);
    http_respond_empty(call->req, 204);
    return BF_OK;
}

bf_result quotation_put(api_call *call, const api_route *route)
{
    (void)route;
    return write_route(call, &quotation_body_schema, true, update_in_tx, 200);
}

static bf_result delete_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    bf_result r = load(call, &w->q, NULL);
    if (r == BF_OK)
        r = must_be(call, &w->q, "draft", "only a draft is deleted");
    if (r == BF_OK)
        r = store_quotation_delete(call->app->store, w->q.id, w->expected, &call->err);
    return r == BF_OK ? audit(call, "quotation_delete", &w->q) : r;
}

bf_result quotation_delete(api_call *call, const api_route *route)
{
    (void)route;
    return write_route(call, NULL, true, delete_in_tx, 204);
}

static bf_result revise_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    quotation from;
    bf_result r = load(call, &from, NULL);
    int64_t revision;
    if (r == BF_OK)
        r = store_quotation_next_revision(call->app->store, from.number, &revision, &call->err);
    if (r != BF_OK)
        return r;
    w->q = from;
    w->q.revision = revision;
    w->q.status = "draft";
    w->q.primary = false;
    w->q.approval_id = NULL;
    w->q.sent_at = NULL;
    w->q.created_by = call->actor;
    if ((r = store_quotation_insert(call->app->store, call->arena, &w->q, &call->err)) != BF_OK)
        return r;
    return audit(call, "quotation_revise", &w->q);
}

bf_result quotation_revise(api_call *call, const api_route *route)
{
    (void)route;
    return write_route(call, NULL, false, revise_in_tx, 201);
}

/* Loads the quotation of the path for a change of state at version expected. */
static bf_result load_for_change(api_call *call, write_ctx *w, record **opp)
{
    bf_result r = load(call, &w->q, opp);
    if (r == BF_OK && w->q.version != w->expected)
        r = bf_fail(&call->err, BF_ERR_STALE, "version_mismatch", NULL,
                    "the quotation was changed by someone else meanwhile: read it again");
    return r;
}

static bf_result submit_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    record *opp;
    bf_result r = load_for_change(call, w, &opp);
    if (r == BF_OK)
        r = must_be(call, &w->q, "draft", "only a draft is submitted");
    json_t *lines = r == BF_OK ? api_keep(call, json_loads(w->q.lines, 0, NULL)) : NULL;
    if (r == BF_OK && lines == NULL)
        r = BF_ERR_INTERNAL;
    if (r == BF_OK && json_array_size(lines) == 0)
        r = bf_fail(&call->err, BF_ERR_CONFLICT, "empty", "lines",
                    "a quotation without lines is not submitted");
    figures f;
    if (r == BF_OK)
        r = compute(call, lines, w->q.discount, &f);
    json_t *rules;
    if (r == BF_OK)
        r = api_setting_value(call, &api_setting_quotations, &rules);
    if (r != BF_OK)
        return r;
    int levels = pricing_discount_levels(f.totals.max_line_discount, rules);
    w->q.status = "approved";
    if (levels > 0) {
        /* What the approver weighs: the discount, the totals and the margin
         * (shown to those who see costs). */
        json_t *ask = api_keep(
            call,
            json_pack("{s:s, s:s, s:I, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:b}", "quotation_id",
                      w->q.id, "number", w->q.number, "revision", (json_int_t)w->q.revision,
                      "discount", percent(f.totals.max_line_discount), "list_amount",
                      (json_int_t)f.totals.list_amount, "net", (json_int_t)f.totals.net, "gross",
                      (json_int_t)f.totals.gross, "cost", (json_int_t)f.totals.cost, "margin",
                      (json_int_t)f.totals.margin, "margin_rate", percent(f.totals.margin_rate),
                      "cost_complete", f.totals.cost_complete));
        if (ask == NULL)
            return BF_ERR_NOMEM;
        const char *reason =
            arena_printf(call->arena, "报价 %s 第%lld版 折扣 %lld.%02lld%%", w->q.number,
                         (long long)w->q.revision, (long long)(w->q.max_line_discount / 100),
                         (long long)(w->q.max_line_discount % 100));
        const char *approval_id = NULL, *state = NULL;
        if (reason == NULL)
            return BF_ERR_NOMEM;
        if ((r = approval_request_discount(call, opp, ask, levels, reason, &approval_id, &state)) !=
            BF_OK)
            return r;
        w->q.approval_id = approval_id;
        w->q.status = strcmp(state, "approved") == 0 ? "approved" : "submitted";
    }
    if ((r = store_quotation_update(call->app->store, call->arena, &w->q, w->expected,
                                    &call->err)) != BF_OK)
        return r;
    return audit(call, "quotation_submit", &w->q);
}

bf_result quotation_submit(api_call *call, const api_route *route)
{
    (void)route;
    return write_route(call, NULL, true, submit_in_tx, 200);
}

/* Which state may follow which by POST …/status. */
static bool may_follow(const char *from, const char *to)
{
    static const char *const moves[][2] = {
        {"approved", "sent"},  {"sent", "accepted"},  {"sent", "rejected"},
        {"approved", "draft"}, {"rejected", "draft"},
    };
    for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
        if (strcmp(moves[i][0], from) == 0 && strcmp(moves[i][1], to) == 0)
            return true;
    return false;
}

static bf_result status_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    const char *to = json_string_value(json_object_get(w->body, "status"));
    bf_result r = load_for_change(call, w, NULL);
    if (r != BF_OK)
        return r;
    const char *from = status_seen(&w->q);
    if (strcmp(from, "expired") == 0)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "expired", "status",
                       "quotation %s rev. %lld expired on %s: make a new revision", w->q.number,
                       (long long)w->q.revision, w->q.valid_until);
    if (!may_follow(from, to))
        return bf_fail(&call->err, BF_ERR_CONFLICT, "status", "status",
                       "a %s quotation does not become %s", from, to);
    w->q.status = to;
    if (strcmp(to, "sent") == 0) {
        char now[32];
        store_now(now, sizeof(now));
        if ((w->q.sent_at = arena_strdup(call->arena, now)) == NULL)
            return BF_ERR_NOMEM;
    }
    if ((r = store_quotation_update(call->app->store, call->arena, &w->q, w->expected,
                                    &call->err)) != BF_OK)
        return r;
    return audit(call, "quotation_status", &w->q);
}

bf_result quotation_status(api_call *call, const api_route *route)
{
    (void)route;
    return write_route(call, &body_quotation_status, true, status_in_tx, 200);
}

static bf_result primary_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    bf_result r = load(call, &w->q, NULL);
    if (r == BF_OK && strcmp(w->q.status, "draft") == 0)
        r = bf_fail(&call->err, BF_ERR_CONFLICT, "status", "status",
                    "a draft is not the deal's quotation yet: submit it first");
    if (r == BF_OK)
        r = store_quotation_set_primary(call->app->store, w->q.opportunity_id, w->q.id, &call->err);
    if (r == BF_OK && json_is_true(json_object_get(w->body, "update_amount"))) {
        json_t *patch = api_keep(call, json_pack("{s:I}", "amount", (json_int_t)w->q.gross));
        record *opp;
        r = patch
                ? api_patch_record(call, &resource_opportunities, w->q.opportunity_id, patch, &opp)
                : BF_ERR_NOMEM;
    }
    if (r == BF_OK)
        r = store_quotation_get(call->app->store, call->arena, w->q.id, &w->q, &call->err);
    return r == BF_OK ? audit(call, "quotation_primary", &w->q) : r;
}

bf_result quotation_primary(api_call *call, const api_route *route)
{
    (void)route;
    return write_route(call, &body_quotation_primary, false, primary_in_tx, 200);
}

/* ---- what an approval of kind discount does ---------------------------------------- */

bf_result api_quotation_decided(api_call *call, const char *quotation_id, const char *approval_id,
                                bool approved)
{
    quotation q;
    bf_result r = store_quotation_get(call->app->store, call->arena, quotation_id, &q, &call->err);
    if (r == BF_ERR_NOT_FOUND)
        return BF_OK; /* a draft deleted meanwhile: nothing to carry out */
    if (r != BF_OK)
        return r;
    if (strcmp(q.status, "submitted") != 0 || q.approval_id == NULL ||
        strcmp(q.approval_id, approval_id) != 0)
        return BF_OK; /* moved on since */
    q.status = approved ? "approved" : "draft";
    if ((r = store_quotation_update(call->app->store, call->arena, &q, q.version, &call->err)) !=
        BF_OK)
        return r;
    return audit(call, approved ? "quotation_approved" : "quotation_returned", &q);
}

bf_result api_quotation_load_json(api_call *call, const char *id, quotation *q, json_t **out)
{
    bf_result r = store_quotation_get(call->app->store, call->arena, id, q, &call->err);
    json_t *rules;
    if (r == BF_OK)
        r = api_setting_value(call, &api_setting_quotations, &rules);
    return r == BF_OK ? quotation_json(call, q, rules, out) : r;
}

bf_result api_quotation_paper(api_call *call, quotation *q, json_t **j, record **opp, record **acc)
{
    *opp = *acc = NULL;
    bf_result r = api_costs_settle(call, NULL);
    if (r == BF_OK)
        r = api_quotation_load_json(call, call->req->params[0], q, j);
    if (r == BF_OK)
        r = api_require_visible(call, &resource_opportunities, q->opportunity_id);
    if (r == BF_ERR_NOT_FOUND)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "id", "no quotation %s",
                       call->req->params[0]);
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, &resource_opportunities,
                             q->opportunity_id, opp, &call->err);
    if (r != BF_OK)
        return r;
    bf_error ignored; /* a deal without its account still prints */
    store_record_get(call->app->store, call->arena, &resource_accounts,
                     record_text(*opp, "account_id"), acc, &ignored);
    return BF_OK;
}
