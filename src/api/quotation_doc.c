/* A quotation as a document (商务报价单): HTML to print or save, in Chinese
 * by default (?lang=en: English). Everything a user typed — names, terms,
 * notes, the customer's name — is escaped. The figures are the quotation's
 * answer's (src/api/quotations.c), so paper and screen agree. */
#include <string.h>

#include "api/api.h"
#include "core/quote.h"
#include "http/response.h"

#define DOC_MAX (4 * 1024 * 1024)

typedef struct doc {
    buf b;
    bool en;
} doc;

static const char *say(const doc *d, const char *zh, const char *en)
{
    return d->en ? en : zh;
}

/* fen as "12,345.67". */
static bf_result money(buf *b, int64_t fen)
{
    char text[QUOTE_YUAN_CAP];
    return buf_append_str(b, quote_yuan_text(fen, text, sizeof(text)));
}

static bf_result number(buf *b, json_t *v)
{
    if (json_is_integer(v))
        return buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return buf_printf(b, "%.2f", json_number_value(v));
}

static bf_result cell_text(doc *d, const char *cls, const char *text)
{
    bf_result r =
        buf_printf(&d->b, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    if (r == BF_OK)
        r = buf_append_html(&d->b, text);
    return r == BF_OK ? buf_append_str(&d->b, "</td>") : r;
}

static bf_result cell_money(doc *d, json_t *v)
{
    bf_result r = buf_append_str(&d->b, "<td class=\"n\">");
    if (r == BF_OK && json_is_integer(v))
        r = money(&d->b, json_integer_value(v));
    return r == BF_OK ? buf_append_str(&d->b, "</td>") : r;
}

static bf_result cell_percent(doc *d, json_t *v)
{
    bf_result r = buf_append_str(&d->b, "<td class=\"n\">");
    if (r == BF_OK && json_is_number(v))
        r = number(&d->b, v);
    return r == BF_OK ? buf_append_str(&d->b, json_is_number(v) ? "%</td>" : "</td>") : r;
}

static bf_result meta_row(doc *d, const char *zh, const char *en, const char *value)
{
    bf_result r = buf_printf(&d->b, "<tr><th>%s</th><td>", say(d, zh, en));
    if (r == BF_OK)
        r = buf_append_html(&d->b, value ? value : "—");
    return r == BF_OK ? buf_append_str(&d->b, "</td></tr>") : r;
}

static bf_result head(doc *d, json_t *q, const record *opp, const record *acc)
{
    bf_result r = buf_printf(
        &d->b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>%s ",
        d->en ? "en" : "zh-CN", say(d, "报价单", "Quotation"));
    if (r == BF_OK)
        r = buf_append_html(&d->b, json_string_value(json_object_get(q, "number")));
    if (r == BF_OK)
        r = buf_append_str(
            &d->b,
            "</title><style>body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",\"PingFang "
            "SC\",sans-serif;margin:24px;color:#222;font-size:13px}h1{text-align:center;"
            "letter-spacing:4px}table{border-collapse:collapse;width:100%;margin:12px 0}th,td{"
            "border:1px solid #999;padding:4px 6px;vertical-align:top}th{background:#f2f2f2;"
            "text-align:left}td.n{text-align:right;white-space:nowrap}.meta th{width:16%}"
            "tfoot td{font-weight:bold}.words{font-size:15px;font-weight:bold}@media print{"
            "body{margin:0}}</style></head><body>");
    if (r == BF_OK)
        r = buf_printf(&d->b, "<h1>%s</h1><table class=\"meta\">",
                       say(d, "商务报价单", "Quotation"));
    const char *number = json_string_value(json_object_get(q, "number"));
    const char *numbered = arena_printf(d->b.arena,
                                        d->en ? "%s, revision %" JSON_INTEGER_FORMAT
                                              : "%s（第 %" JSON_INTEGER_FORMAT " 版）",
                                        number, json_integer_value(json_object_get(q, "revision")));
    const char *created = json_string_value(json_object_get(q, "created_at"));
    const char *date = created ? arena_printf(d->b.arena, "%.10s", created) : NULL;
    if (r == BF_OK)
        r = meta_row(d, "报价单号", "Number", numbered);
    if (r == BF_OK)
        r = meta_row(d, "报价日期", "Date", date);
    if (r == BF_OK)
        r = meta_row(d, "客户", "Customer", acc ? record_text(acc, "name") : NULL);
    if (r == BF_OK)
        r = meta_row(d, "项目", "Project", opp ? record_text(opp, "name") : NULL);
    if (r == BF_OK)
        r = meta_row(d, "报价主题", "Subject", json_string_value(json_object_get(q, "title")));
    if (r == BF_OK)
        r = meta_row(d, "有效期至", "Valid until",
                     json_string_value(json_object_get(q, "valid_until")));
    if (r == BF_OK)
        r = meta_row(d, "币种", "Currency", "CNY");
    return r == BF_OK ? buf_append_str(&d->b, "</table>") : r;
}

static bf_result lines(doc *d, json_t *q)
{
    bf_result r = buf_printf(
        &d->b,
        "<table class=\"lines\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
        "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
        "</tr></thead><tbody>",
        say(d, "序号", "No."), say(d, "编码", "Code"), say(d, "名称", "Item"),
        say(d, "单位", "Unit"), say(d, "数量", "Qty"), say(d, "单价（元）", "Unit price"),
        say(d, "折扣", "Discount"), say(d, "金额（不含税）", "Net"), say(d, "税率", "VAT"),
        say(d, "税额", "Tax"), say(d, "含税金额", "Gross"));
    size_t k;
    json_t *l;
    json_array_foreach(json_object_get(q, "lines"), k, l)
    {
        const char *name = json_string_value(json_object_get(l, "name"));
        const char *name_en = json_string_value(json_object_get(l, "name_en"));
        const char *unit = json_string_value(json_object_get(l, "unit"));
        const char *unit_en = json_string_value(json_object_get(l, "unit_en"));
        const char *description = json_string_value(json_object_get(l, "description"));
        if (r == BF_OK)
            r = buf_printf(&d->b, "<tr><td class=\"n\">%zu</td>", k + 1);
        if (r == BF_OK)
            r = cell_text(d, NULL, json_string_value(json_object_get(l, "code")));
        if (r == BF_OK)
            r = buf_append_str(&d->b, "<td>");
        if (r == BF_OK)
            r = buf_append_html(&d->b, d->en && name_en ? name_en : name);
        if (r == BF_OK && description) {
            r = buf_append_str(&d->b, "<br><small>");
            if (r == BF_OK)
                r = buf_append_html(&d->b, description);
            if (r == BF_OK)
                r = buf_append_str(&d->b, "</small>");
        }
        if (r == BF_OK)
            r = buf_append_str(&d->b, "</td>");
        if (r == BF_OK)
            r = cell_text(d, NULL, d->en && unit_en ? unit_en : unit);
        if (r == BF_OK)
            r = buf_append_str(&d->b, "<td class=\"n\">");
        if (r == BF_OK)
            r = number(&d->b, json_object_get(l, "quantity"));
        if (r == BF_OK)
            r = buf_append_str(&d->b, "</td>");
        if (r == BF_OK)
            r = cell_money(d, json_object_get(l, "unit_price"));
        if (r == BF_OK)
            r = cell_percent(d, json_object_get(l, "discount"));
        if (r == BF_OK)
            r = cell_money(d, json_object_get(l, "net"));
        if (r == BF_OK)
            r = cell_percent(d, json_object_get(l, "tax_rate"));
        if (r == BF_OK)
            r = cell_money(d, json_object_get(l, "tax"));
        if (r == BF_OK)
            r = cell_money(d, json_object_get(l, "gross"));
        if (r == BF_OK)
            r = buf_append_str(&d->b, "</tr>");
    }
    json_t *t = json_object_get(q, "totals");
    if (r == BF_OK)
        r = buf_printf(&d->b, "</tbody><tfoot><tr><td colspan=\"7\">%s</td>",
                       say(d, "合计", "Total"));
    if (r == BF_OK)
        r = cell_money(d, json_object_get(t, "net"));
    if (r == BF_OK)
        r = buf_append_str(&d->b, "<td></td>");
    if (r == BF_OK)
        r = cell_money(d, json_object_get(t, "tax"));
    if (r == BF_OK)
        r = cell_money(d, json_object_get(t, "gross"));
    return r == BF_OK ? buf_append_str(&d->b, "</tr></tfoot></table>") : r;
}

static bf_result section(doc *d, const char *zh, const char *en, const char *text)
{
    if (text == NULL)
        return BF_OK;
    bf_result r = buf_printf(&d->b, "<h3>%s</h3><p>", say(d, zh, en));
    if (r == BF_OK)
        r = buf_append_html(&d->b, text);
    return r == BF_OK ? buf_append_str(&d->b, "</p>") : r;
}

static bf_result tail(doc *d, json_t *q)
{
    json_t *t = json_object_get(q, "totals");
    bf_result r = buf_printf(&d->b, "<p>%s ", say(d, "标准价合计", "List total"));
    if (r == BF_OK)
        r = money(&d->b, json_integer_value(json_object_get(t, "list_amount")));
    if (r == BF_OK)
        r = buf_printf(&d->b, " %s；%s ", say(d, "元", "yuan"), say(d, "优惠", "discount"));
    if (r == BF_OK)
        r = money(&d->b, json_integer_value(json_object_get(t, "discount_amount")));
    if (r == BF_OK)
        r = buf_printf(&d->b, " %s（%s ", say(d, "元", "yuan"),
                       say(d, "整单折扣", "whole discount"));
    if (r == BF_OK)
        r = number(&d->b, json_object_get(q, "discount"));
    if (r == BF_OK)
        r = buf_printf(&d->b, "%%）。</p><p class=\"words\">%s：",
                       say(d, "含税总计（大写）", "Total with tax, in words"));
    if (r == BF_OK)
        r = buf_append_html(&d->b, json_string_value(json_object_get(q, "amount_in_words")));
    if (r == BF_OK)
        r = buf_append_str(&d->b, "（¥");
    if (r == BF_OK)
        r = money(&d->b, json_integer_value(json_object_get(t, "gross")));
    if (r == BF_OK)
        r = buf_append_str(&d->b, "）</p>");
    if (r == BF_OK)
        r = section(d, "付款方式", "Payment terms",
                    json_string_value(json_object_get(q, "payment_terms")));
    if (r == BF_OK)
        r = section(d, "交付与服务", "Delivery and service",
                    json_string_value(json_object_get(q, "delivery_terms")));
    if (r == BF_OK)
        r = section(d, "备注", "Notes", json_string_value(json_object_get(q, "notes")));
    if (r == BF_OK)
        r = buf_printf(&d->b, "<p>%s：", say(d, "报价人", "Quoted by"));
    if (r == BF_OK)
        r = buf_append_html(&d->b, json_string_value(json_object_get(q, "created_by")));
    return r == BF_OK ? buf_append_str(&d->b, "</p></body></html>") : r;
}

bf_result quotation_document(api_call *call, const api_route *route)
{
    (void)route;
    quotation q;
    json_t *j;
    record *opp, *acc;
    bf_result r = api_quotation_paper(call, &q, &j, &opp, &acc);
    if (r != BF_OK)
        return r;
    doc d = {.en = strcmp(api_lang(call), "en") == 0};
    buf_init(&d.b, call->arena, DOC_MAX);
    if ((r = head(&d, j, opp, acc)) == BF_OK && (r = lines(&d, j)) == BF_OK)
        r = tail(&d, j);
    if (r != BF_OK)
        return r;
    http_respond_body(call->req, 200, "text/html; charset=utf-8", d.b.data, d.b.len);
    return BF_OK;
}
