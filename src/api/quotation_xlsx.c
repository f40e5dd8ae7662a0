/* A quotation as a spreadsheet (报价单.xlsx) through Debian's libxlsxwriter:
 * its heading, its lines with their figures as numbers Excel and WPS sum
 * (yuan with two decimals), the totals and the amount in Chinese capitals.
 * libxlsxwriter 1.1 writes to a file only, so the workbook goes to a
 * temporary file, read back into the answer and removed
 * (api_file_through_temp). Text is written as text cells: nothing a user
 * typed becomes a formula. */
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "api/api.h"
#include "http/response.h"

#define XLSX_MAX (16 * 1024 * 1024)

typedef struct sheet {
    lxw_workbook *book;
    lxw_worksheet *ws;
    lxw_format *title, *label, *head, *text, *money, *rate, *total, *words;
    bool en;
} sheet;

static lxw_format *format_of(sheet *s, bool bold, double size, const char *num, bool border)
{
    lxw_format *f = workbook_add_format(s->book);
    format_set_font_name(f, s->en ? "Calibri" : "宋体");
    format_set_font_size(f, size);
    if (bold)
        format_set_bold(f);
    if (num)
        format_set_num_format(f, num);
    if (border)
        format_set_border(f, LXW_BORDER_THIN);
    return f;
}

static const char *say(const sheet *s, const char *zh, const char *en)
{
    return s->en ? en : zh;
}

/* A text cell: never a formula, whatever it starts with. */
static void put_text(sheet *s, lxw_row_t row, lxw_col_t col, const char *text, lxw_format *f)
{
    worksheet_write_string(s->ws, row, col, text ? text : "", f);
}

static void put_yuan(sheet *s, lxw_row_t row, lxw_col_t col, json_t *fen, lxw_format *f)
{
    if (json_is_integer(fen))
        worksheet_write_number(s->ws, row, col, (double)json_integer_value(fen) / 100.0, f);
    else
        put_text(s, row, col, "", f);
}

static void put_rate(sheet *s, lxw_row_t row, lxw_col_t col, json_t *percent)
{
    worksheet_write_number(s->ws, row, col, json_number_value(percent) / 100.0, s->rate);
}

static void write_heading(sheet *s, json_t *q, const char *customer, const char *deal)
{
    char number[96];
    snprintf(number, sizeof(number), s->en ? "%s, revision %lld" : "%s（第 %lld 版）",
             json_string_value(json_object_get(q, "number")),
             (long long)json_integer_value(json_object_get(q, "revision")));
    worksheet_merge_range(s->ws, 0, 0, 0, 10, say(s, "商务报价单", "Quotation"), s->title);
    const char *rows[][2] = {
        {say(s, "报价单号", "Number"), number},
        {say(s, "客户", "Customer"), customer},
        {say(s, "项目", "Project"), deal},
        {say(s, "有效期至", "Valid until"), json_string_value(json_object_get(q, "valid_until"))},
    };
    for (lxw_row_t r = 0; r < 4; r++) {
        put_text(s, r + 1, 0, rows[r][0], s->label);
        worksheet_merge_range(s->ws, r + 1, 1, r + 1, 10, rows[r][1] ? rows[r][1] : "", s->text);
    }
}

static lxw_row_t write_lines(sheet *s, json_t *q)
{
    const char *heads[] = {
        say(s, "序号", "No."),      say(s, "编码", "Code"),      say(s, "名称", "Item"),
        say(s, "单位", "Unit"),     say(s, "数量", "Qty"),       say(s, "单价（元）", "Unit price"),
        say(s, "折扣", "Discount"), say(s, "不含税金额", "Net"), say(s, "税率", "VAT"),
        say(s, "税额", "Tax"),      say(s, "含税金额", "Gross")};
    lxw_row_t row = 6;
    for (lxw_col_t c = 0; c < 11; c++)
        put_text(s, row, c, heads[c], s->head);
    size_t k;
    json_t *l;
    json_array_foreach(json_object_get(q, "lines"), k, l)
    {
        row++;
        const char *name = json_string_value(json_object_get(l, "name"));
        const char *name_en = json_string_value(json_object_get(l, "name_en"));
        const char *unit = json_string_value(json_object_get(l, "unit"));
        const char *unit_en = json_string_value(json_object_get(l, "unit_en"));
        worksheet_write_number(s->ws, row, 0, (double)(k + 1), s->text);
        put_text(s, row, 1, json_string_value(json_object_get(l, "code")), s->text);
        put_text(s, row, 2, s->en && name_en ? name_en : name, s->text);
        put_text(s, row, 3, s->en && unit_en ? unit_en : unit, s->text);
        worksheet_write_number(s->ws, row, 4, json_number_value(json_object_get(l, "quantity")),
                               s->text);
        put_yuan(s, row, 5, json_object_get(l, "unit_price"), s->money);
        put_rate(s, row, 6, json_object_get(l, "discount"));
        put_yuan(s, row, 7, json_object_get(l, "net"), s->money);
        put_rate(s, row, 8, json_object_get(l, "tax_rate"));
        put_yuan(s, row, 9, json_object_get(l, "tax"), s->money);
        put_yuan(s, row, 10, json_object_get(l, "gross"), s->money);
    }
    return row;
}

static void write_totals(sheet *s, json_t *q, lxw_row_t row)
{
    json_t *t = json_object_get(q, "totals");
    row++;
    worksheet_merge_range(s->ws, row, 0, row, 6, say(s, "合计", "Total"), s->total);
    put_yuan(s, row, 7, json_object_get(t, "net"), s->total);
    put_text(s, row, 8, "", s->total);
    put_yuan(s, row, 9, json_object_get(t, "tax"), s->total);
    put_yuan(s, row, 10, json_object_get(t, "gross"), s->total);
    row += 2;
    put_text(s, row, 0, say(s, "含税总计（大写）", "Total in words"), s->label);
    worksheet_merge_range(s->ws, row, 1, row, 10,
                          json_string_value(json_object_get(q, "amount_in_words")), s->words);
    const char *terms[][2] = {
        {say(s, "付款方式", "Payment terms"),
         json_string_value(json_object_get(q, "payment_terms"))},
        {say(s, "交付与服务", "Delivery"), json_string_value(json_object_get(q, "delivery_terms"))},
        {say(s, "备注", "Notes"), json_string_value(json_object_get(q, "notes"))},
    };
    for (size_t i = 0; i < 3; i++)
        if (terms[i][1] != NULL) {
            row++;
            put_text(s, row, 0, terms[i][0], s->label);
            worksheet_merge_range(s->ws, row, 1, row, 10, terms[i][1], s->text);
        }
}

/* What the workbook is made of. */
typedef struct book_of {
    json_t *q;
    const char *customer, *deal;
    bool en;
} book_of;

/* Writes the workbook of the quotation to path (api_file_through_temp's
 * writer; ctx is a book_of). */
static bool write_book(const char *path, void *ctx)
{
    const book_of *b = ctx;
    json_t *q = b->q;
    bool en = b->en;
    lxw_workbook_options opt = {.constant_memory = 0, .tmpdir = NULL};
    sheet s = {.book = workbook_new_opt(path, &opt), .en = en};
    if (s.book == NULL)
        return false;
    s.ws = workbook_add_worksheet(s.book, en ? "Quotation" : "报价单");
    s.title = format_of(&s, true, 16, NULL, false);
    format_set_align(s.title, LXW_ALIGN_CENTER);
    s.label = format_of(&s, true, 11, NULL, false);
    s.head = format_of(&s, true, 11, NULL, true);
    format_set_bg_color(s.head, 0xF2F2F2);
    s.text = format_of(&s, false, 11, NULL, true);
    s.money = format_of(&s, false, 11, "#,##0.00", true);
    s.rate = format_of(&s, false, 11, "0.##%", true);
    s.total = format_of(&s, true, 11, "#,##0.00", true);
    s.words = format_of(&s, true, 12, NULL, false);
    worksheet_set_column(s.ws, 0, 0, 12, NULL);
    worksheet_set_column(s.ws, 1, 1, 14, NULL);
    worksheet_set_column(s.ws, 2, 2, 30, NULL);
    worksheet_set_column(s.ws, 3, 4, 8, NULL);
    worksheet_set_column(s.ws, 5, 10, 14, NULL);
    write_heading(&s, q, b->customer, b->deal);
    write_totals(&s, q, write_lines(&s, q));
    return workbook_close(s.book) == LXW_NO_ERROR;
}

bf_result quotation_spreadsheet(api_call *call, const api_route *route)
{
    (void)route;
    quotation q;
    json_t *j;
    record *opp, *acc;
    bf_result r = api_quotation_paper(call, &q, &j, &opp, &acc);
    if (r != BF_OK)
        return r;
    book_of b = {.q = j,
                 .customer = acc ? record_text(acc, "name") : NULL,
                 .deal = record_text(opp, "name"),
                 .en = strcmp(api_lang(call), "en") == 0};
    char *data;
    size_t len;
    r = api_file_through_temp(call, write_book, &b, "the spreadsheet", XLSX_MAX, &data, &len);
    if (r != BF_OK)
        return r;
    const char *disposition =
        arena_printf(call->arena, "attachment; filename=\"%s.xlsx\"", q.number);
    if (disposition == NULL || !http_set_header(call->req, "Content-Disposition", disposition))
        return BF_ERR_NOMEM;
    http_respond_body(call->req, 200,
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data,
                      len);
    return BF_OK;
}
