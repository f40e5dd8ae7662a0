/* Contracts made from accepted quotations and their payment plans
 * (docs/quotations.md): whoever sees the deal reads them, who may work it
 * writes them. The closing stage's "first payment received" and "contract
 * archived" are derived from the deal's newest contract (api_contract_facts). */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/contract.h"
#include "core/quote.h"
#include "http/response.h"

/* The payment plan of c computed (a new reference in the call's arena). */
static bf_result plan_of(api_call *call, const contract *c, json_t **plan)
{
    json_t *milestones = json_loads(c->milestones ? c->milestones : "[]", 0, NULL);
    json_t *norm =
        api_keep(call, json_pack("{s:o}", "milestones", milestones ? milestones : json_array()));
    char day[16];
    bf_result r =
        norm ? contract_plan(norm, c->amount, api_today(day, sizeof(day)), plan, &call->err)
             : BF_ERR_NOMEM;
    if (r == BF_OK && api_keep(call, *plan) == NULL)
        r = BF_ERR_NOMEM;
    return r;
}

static bf_result contract_json(api_call *call, const contract *c, json_t **out)
{
    json_t *plan;
    bf_result r = plan_of(call, c, &plan);
    if (r != BF_OK)
        return r;
    char words[QUOTE_WORDS_CAP];
    quote_amount_in_words(c->amount, words, sizeof(words));
    bool archived = c->archived_on != NULL && c->signed_on != NULL;
    *out = api_keep(
        call,
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:I, s:s, s:o, s:o, s:o, s:b, s:o, s:O, s:s, "
                  "s:s, s:s}",
                  "id", c->id, "opportunity_id", c->opportunity_id, "quotation_id", c->quotation_id,
                  "number", c->number, "version", (json_int_t)c->version, "signed_on",
                  api_text_or_null(c->signed_on), "amount", (json_int_t)c->amount,
                  "amount_in_words", arena_printf(call->arena, "人民币%s", words), "party_a",
                  api_text_or_null(c->party_a), "party_b", api_text_or_null(c->party_b),
                  "archived_on", api_text_or_null(c->archived_on), "archived", archived, "notes",
                  api_text_or_null(c->notes), "plan", plan, "created_at", c->created_at,
                  "updated_at", c->updated_at, "created_by", c->created_by));
    return *out ? BF_OK : BF_ERR_NOMEM;
}

static bf_result respond(api_call *call, int status, const contract *c)
{
    json_t *j;
    bf_result r = contract_json(call, c, &j);
    if (r == BF_OK)
        r = api_set_etag(call, c->version);
    if (r == BF_OK)
        http_respond_json(call->req, status, json_incref(j));
    return r;
}

/* Sets the fields of the checked body on c (amount and number kept when
 * not given), its plan checked against the amount. */
static bf_result apply_body(api_call *call, contract *c, json_t *body)
{
    json_t *amount = json_object_get(body, "amount");
    const char *number = json_string_value(json_object_get(body, "number"));
    if (amount != NULL)
        c->amount = json_integer_value(amount);
    if (number != NULL)
        c->number = number;
    c->signed_on = json_string_value(json_object_get(body, "signed_on"));
    c->archived_on = json_string_value(json_object_get(body, "archived_on"));
    c->notes = json_string_value(json_object_get(body, "notes"));
    const char *a = json_string_value(json_object_get(body, "party_a"));
    const char *b = json_string_value(json_object_get(body, "party_b"));
    if (a != NULL || c->id != NULL)
        c->party_a = a;
    c->party_b = b;
    if (c->archived_on != NULL && c->signed_on == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "required", "signed_on",
                       "a contract is archived once signed: give signed_on");
    json_t *plan = NULL;
    char day[16];
    bf_result r = contract_plan(body, c->amount, api_today(day, sizeof(day)), &plan, &call->err);
    json_decref(plan);
    if (r != BF_OK)
        return r;
    c->milestones = api_json_text(call, json_object_get(body, "milestones"), JSON_COMPACT);
    return c->milestones ? BF_OK : BF_ERR_NOMEM;
}

static bf_result audit(api_call *call, const char *action, const contract *c)
{
    json_t *v = api_keep(call, json_pack("{s:s, s:s, s:I, s:s?, s:s?}", "contract", c->id, "number",
                                         c->number, "amount", (json_int_t)c->amount, "signed_on",
                                         c->signed_on, "archived_on", c->archived_on));
    return v ? api_audit(call, action, "opportunities", c->opportunity_id, NULL, v) : BF_ERR_NOMEM;
}

typedef struct write_ctx {
    json_t *body;
    contract c;
    int64_t expected;
} write_ctx;

static bf_result create_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    quotation q;
    json_t *qj;
    bf_result r = api_quotation_load_json(call, call->req->params[0], &q, &qj);
    if (r == BF_OK)
        r = api_require_visible(call, &resource_opportunities, q.opportunity_id);
    if (r == BF_ERR_NOT_FOUND)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "id", "no quotation %s",
                       call->req->params[0]);
    if (r != BF_OK)
        return r;
    const char *status = json_string_value(json_object_get(qj, "status"));
    if (strcmp(status, "accepted") != 0)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "not_accepted", "status",
                       "a contract is made from a quotation the customer accepted; %s rev. %lld "
                       "is %s",
                       q.number, (long long)q.revision, status);
    record *opp, *acc = NULL;
    if ((r = store_record_get(call->app->store, call->arena, &resource_opportunities,
                              q.opportunity_id, &opp, &call->err)) != BF_OK)
        return r;
    bf_error ignored;
    store_record_get(call->app->store, call->arena, &resource_accounts,
                     record_text(opp, "account_id"), &acc, &ignored);
    w->c = (contract){.opportunity_id = q.opportunity_id,
                      .quotation_id = q.id,
                      .amount = q.gross,
                      .created_by = call->actor};
    if ((r = apply_body(call, &w->c, w->body)) != BF_OK)
        return r;
    if (w->c.party_a == NULL && acc != NULL)
        w->c.party_a = record_text(acc, "name");
    r = store_contract_insert(call->app->store, call->arena, &w->c, &call->err);
    if (r == BF_ERR_CONFLICT)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "exists", "quotation_id",
                       "quotation %s rev. %lld has a contract already (or the number is taken)",
                       q.number, (long long)q.revision);
    return r == BF_OK ? audit(call, "contract_create", &w->c) : r;
}

bf_result contract_create(api_call *call, const api_route *route)
{
    (void)route;
    write_ctx w = {0};
    bf_result r = api_require_deal_writer(call, "contracts");
    if (r == BF_OK && call->req->body.len > 0)
        r = api_body_as(call, &contract_body_schema, &w.body);
    if (r == BF_OK && w.body == NULL &&
        (w.body = api_keep(call, json_pack("{s:[]}", "milestones"))) == NULL)
        r = BF_ERR_NOMEM;
    if (r == BF_OK)
        r = api_transaction(call, create_in_tx, &w);
    return r == BF_OK ? respond(call, 201, &w.c) : r;
}

static bf_result load(api_call *call, contract *c)
{
    bf_result r =
        store_contract_get(call->app->store, call->arena, call->req->params[0], c, &call->err);
    if (r == BF_OK)
        r = api_require_visible(call, &resource_opportunities, c->opportunity_id);
    if (r == BF_ERR_NOT_FOUND)
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "id", "no contract %s",
                       call->req->params[0]);
    return r;
}

bf_result contract_get(api_call *call, const api_route *route)
{
    (void)route;
    contract c;
    bf_result r = load(call, &c);
    return r == BF_OK ? respond(call, 200, &c) : r;
}

static bf_result update_in_tx(api_call *call, void *ctx)
{
    write_ctx *w = ctx;
    bf_result r = load(call, &w->c);
    if (r == BF_OK && w->c.version != w->expected)
        r = bf_fail(&call->err, BF_ERR_STALE, "version_mismatch", NULL,
                    "the contract was changed by someone else meanwhile: read it again");
    if (r == BF_OK)
        r = apply_body(call, &w->c, w->body);
    if (r == BF_OK)
        r = store_contract_update(call->app->store, call->arena, &w->c, w->expected, &call->err);
    if (r == BF_ERR_CONFLICT)
        return bf_fail(&call->err, BF_ERR_CONFLICT, "duplicate", "number",
                       "another contract has number %s", w->c.number);
    return r == BF_OK ? audit(call, "contract_update", &w->c) : r;
}

bf_result contract_put(api_call *call, const api_route *route)
{
    (void)route;
    write_ctx w = {0};
    bf_result r = api_require_deal_writer(call, "contracts");
    if (r == BF_OK)
        r = api_if_match(call, &w.expected);
    if (r == BF_OK)
        r = api_body_as(call, &contract_body_schema, &w.body);
    if (r == BF_OK)
        r = api_transaction(call, update_in_tx, &w);
    return r == BF_OK ? respond(call, 200, &w.c) : r;
}

bf_result contracts_of_deal(api_call *call, const api_route *route)
{
    (void)route;
    const char *deal = call->req->params[0];
    bf_result r = api_require_visible(call, &resource_opportunities, deal);
    contract *items = NULL;
    size_t n = 0;
    if (r == BF_OK)
        r = store_contract_list(call->app->store, call->arena, deal, &items, &n, &call->err);
    json_t *arr = api_keep(call, json_array());
    if (r == BF_OK && arr == NULL)
        r = BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        json_t *j;
        if ((r = contract_json(call, &items[i], &j)) == BF_OK && json_array_append(arr, j) != 0)
            r = BF_ERR_NOMEM;
    }
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_pack("{s:O}", "items", arr));
    return BF_OK;
}

bf_result api_contract_facts(api_call *call, const char *opportunity_id, contract_facts *out)
{
    *out = (contract_facts){0};
    contract *items = NULL;
    size_t n = 0;
    bf_result r =
        store_contract_list(call->app->store, call->arena, opportunity_id, &items, &n, &call->err);
    if (r != BF_OK || n == 0)
        return r;
    json_t *plan;
    if (plan_of(call, &items[0], &plan) != BF_OK) {
        bf_error_clear(&call->err);
        plan = NULL; /* a plan stored before a rule changed: no payment known */
    }
    json_t *first = json_array_get(json_object_get(plan, "milestones"), 0);
    *out = (contract_facts){
        .number = items[0].number,
        .signed_on = items[0].signed_on,
        .archived_on = items[0].archived_on,
        .first_payment_received = json_is_true(json_object_get(plan, "first_payment_received")),
        .first_payment_on = json_string_value(json_object_get(first, "received_on")),
        .first_payment = json_integer_value(json_object_get(first, "received")),
    };
    return BF_OK;
}

/* ---- the document ------------------------------------------------------------------- */

static bf_result html_text(buf *b, const char *before, const char *text, const char *after)
{
    bf_result r = buf_append_str(b, before);
    if (r == BF_OK)
        r = buf_append_html(b, text ? text : "—");
    return r == BF_OK ? buf_append_str(b, after) : r;
}

static bf_result yuan(buf *b, int64_t fen)
{
    char text[QUOTE_YUAN_CAP];
    return buf_append_str(b, quote_yuan_text(fen, text, sizeof(text)));
}

bf_result contract_document(api_call *call, const api_route *route)
{
    (void)route;
    contract c;
    json_t *j;
    bf_result r = load(call, &c);
    if (r == BF_OK)
        r = contract_json(call, &c, &j);
    if (r != BF_OK)
        return r;
    bool en = strcmp(api_lang(call), "en") == 0;
    buf b;
    buf_init(&b, call->arena, 1024 * 1024);
    r = buf_printf(&b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s",
                   en ? "en" : "zh-CN", en ? "Contract " : "合同 ");
    if (r == BF_OK)
        r = html_text(&b, "", c.number,
                      "</title><style>body{font-family:\"Noto Sans CJK SC\",\"Microsoft "
                      "YaHei\",sans-serif;margin:24px;font-size:13px}table{border-collapse:"
                      "collapse;width:100%}th,td{border:1px solid #999;padding:4px 6px}th{"
                      "background:#f2f2f2;text-align:left}td.n{text-align:right}</style></head>"
                      "<body>");
    if (r == BF_OK)
        r = html_text(&b, en ? "<h1>Contract " : "<h1>合同 ", c.number, "</h1>");
    if (r == BF_OK)
        r = html_text(&b, en ? "<p>Party A (customer): " : "<p>甲方：", c.party_a, "</p>");
    if (r == BF_OK)
        r = html_text(&b, en ? "<p>Party B: " : "<p>乙方：", c.party_b, "</p>");
    if (r == BF_OK)
        r = html_text(&b, en ? "<p>Signed on: " : "<p>签订日期：", c.signed_on, "</p>");
    if (r == BF_OK)
        r = buf_append_str(&b, en ? "<p>Amount (with tax): ¥" : "<p>合同金额（含税）：¥");
    if (r == BF_OK)
        r = yuan(&b, c.amount);
    if (r == BF_OK)
        r = html_text(&b, "（", json_string_value(json_object_get(j, "amount_in_words")), "）</p>");
    if (r == BF_OK)
        r = buf_printf(&b,
                       "<h3>%s</h3><table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                       "<th>%s</th><th>%s</th></tr>",
                       en ? "Payment plan" : "回款计划", en ? "Milestone" : "款项",
                       en ? "Amount" : "金额（元）", en ? "Due" : "应收日期",
                       en ? "Invoiced" : "开票", en ? "Received" : "到账", en ? "State" : "状态");
    size_t k;
    json_t *m;
    json_array_foreach(json_object_get(json_object_get(j, "plan"), "milestones"), k, m)
    {
        if (r == BF_OK)
            r = html_text(&b, "<tr><td>", json_string_value(json_object_get(m, "name")),
                          "</td><td class=\"n\">");
        if (r == BF_OK)
            r = yuan(&b, json_integer_value(json_object_get(m, "planned")));
        if (r == BF_OK)
            r = html_text(&b, "</td><td>", json_string_value(json_object_get(m, "due_on")),
                          "</td>");
        if (r == BF_OK)
            r = html_text(&b, "<td>", json_string_value(json_object_get(m, "invoiced_on")),
                          "</td>");
        if (r == BF_OK)
            r = html_text(&b, "<td>", json_string_value(json_object_get(m, "received_on")),
                          "</td>");
        if (r == BF_OK)
            r = html_text(&b, "<td>", json_string_value(json_object_get(m, "state")), "</td></tr>");
    }
    if (r == BF_OK)
        r = html_text(&b, "</table><p>", c.notes, "</p></body></html>");
    if (r != BF_OK)
        return r;
    http_respond_body(call->req, 200, "text/html; charset=utf-8", b.data, b.len);
    return BF_OK;
}

bf_result api_contract_newest_json(api_call *call, const char *opportunity_id, json_t **out)
{
    contract *items = NULL;
    size_t n = 0;
    *out = NULL;
    bf_result r =
        store_contract_list(call->app->store, call->arena, opportunity_id, &items, &n, &call->err);
    return r == BF_OK && n > 0 ? contract_json(call, &items[0], out) : r;
}
