/* Quotation arithmetic (商务报价单): the lines of a quotation (licences,
 * services by person-day or as a ratio of the licence value, hardware,
 * other), each with its own discount and VAT rate, and a discount on the
 * whole quotation: every line's list price, net, discount, tax, gross and
 * cost, and the totals with the margin and discount rates. Money is integer
 * fen throughout, never floating point. Also writes an amount in Chinese
 * capital numerals (人民币大写) for the quotation or contract. Pure
 * functions: no allocation, no I/O. */
#ifndef BF_CORE_QUOTE_H
#define BF_CORE_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/result.h"

/* The most lines a quotation may have. */
#define QUOTE_MAX_LINES 200

/* The largest figure, fen, a line or a total may reach: 10^15 yuan (壹仟万亿元). */
#define QUOTE_MAX_FEN 100000000000000000LL

/* Room, bytes with the NUL, for quote_amount_in_words of any int64 value. */
#define QUOTE_WORDS_CAP 256

/* What a line sells. */
typedef enum quote_kind {
    QUOTE_LICENCE_MODULE,  /* software licence by module */
    QUOTE_LICENCE_PROJECT, /* software licence for the whole project */
    QUOTE_SERVICE_DAY,     /* service by person-day at a day rate */
    QUOTE_SERVICE_RATIO,   /* service priced as a ratio of the licence value
                              (e.g. 18% yearly maintenance) */
    QUOTE_HARDWARE,        /* hardware */
    QUOTE_OTHER,           /* anything else */
} quote_kind;

/* Names of the kinds as the API spells them, NULL-ended, in enum order:
 * "licence_module", "licence_project", "service_day", "service_ratio", "hardware", "other".
 * Static storage; the caller owns nothing. */
extern const char *const quote_kinds[];

/* One line as entered. Fields a kind ignores are not checked. */
typedef struct quote_line_in {
    quote_kind kind;
    int64_t quantity;   /* hundredths of a unit (1.5 person-days = 150), 1 .. 100000000 */
    int64_t unit_price; /* fen, 0 .. 10^15, before any discount and without tax;
                           ignored for SERVICE_RATIO */
    int64_t ratio;      /* SERVICE_RATIO only: basis points of the licence value (1800 = 18%),
                           0 .. 10000 */
    int64_t discount;   /* basis points 0 .. 10000 (1250 = 12.5% off) */
    int64_t tax_rate;   /* basis points 0 .. 10000 (1300 = 13% VAT) */
    int64_t unit_cost;  /* fen per unit, 0 .. 10^15, or -1 when unknown */
} quote_line_in;

/* One line as computed, fen. */
typedef struct quote_line_out {
    int64_t unit_price;      /* the line's unit price; for SERVICE_RATIO the computed price of one
                                unit */
    int64_t list_amount;     /* quantity x unit_price, rounded */
    int64_t net;             /* after the line's and the whole discount, without tax */
    int64_t discount_amount; /* list_amount - net */
    int64_t tax;             /* net x tax_rate, rounded */
    int64_t gross;           /* net + tax */
    int64_t cost;            /* quantity x unit_cost, rounded; -1 when unknown */
} quote_line_out;

/* The whole quotation: the sums of the lines' rounded figures, and rates. */
typedef struct quote_totals {
    int64_t list_amount, discount_amount, net, tax, gross; /* fen */
    int64_t cost;                                          /* fen, the sum of the known costs */
    bool cost_complete;        /* every line's cost known (true when there are no lines) */
    int64_t margin;            /* net - cost, fen; negative when sold below cost */
    int64_t margin_rate;       /* margin in basis points of net, rounded half up (away from
                                  zero when negative); 0 when net is 0 */
    int64_t discount_rate;     /* effective discount off list, basis points: discount_amount /
                                  list_amount, rounded half up; 0 when list_amount is 0 */
    int64_t max_line_discount; /* the largest combined discount of any line, basis points */
} quote_totals;

/* Computes every line of a quotation and its totals.
 *
 * Rounding, the one rule: everything is computed per line in exact 128-bit
 * integer arithmetic and rounded once, half up (away from zero for these
 * non-negative values), to the fen:
 *   - L, the licence value, is the sum over the licence lines (LICENCE_MODULE
 *     and LICENCE_PROJECT) of
 *       round(quantity x unit_price x (10000 - discount) / (100 x 10000)),
 *     the licence value after the licence lines' own discounts and before
 *     the whole discount;
 *   - a SERVICE_RATIO line's unit price = round(L x ratio / 10000);
 *   - list_amount = round(quantity x unit_price / 100);
 *   - net = round(quantity x unit_price x (10000 - discount) x (10000 - whole_discount)
 *                 / (100 x 10000 x 10000)),
 *     both discounts applied in one rounding, from the unrounded product;
 *   - discount_amount = list_amount - net;
 *   - tax = round(net x tax_rate / 10000); gross = net + tax;
 *   - cost = round(quantity x unit_cost / 100), -1 when unit_cost is -1;
 *   - a line's combined discount = 10000 - (10000 - discount) x (10000 - whole_discount)
 *     / 10000, rounded half up; max_line_discount is the largest (0 with no lines);
 *   - the totals are the sums of the lines' rounded figures, so the
 *     quotation adds up on paper; margin_rate and discount_rate are rounded
 *     once from those sums.
 *
 * lines[0..n) is read (lines may be NULL when n is 0); whole_discount is in
 * basis points, 0 .. 10000. On success out[0..n) (the caller's array; out
 * may be NULL when only the totals are wanted) and *totals are written. On
 * failure neither is touched and the result is BF_ERR_INVALID with err
 * naming the field:
 *   - "lines", "too_many": n over QUOTE_MAX_LINES;
 *   - "discount", "out_of_range": whole_discount;
 *   - "lines[k].<field>", "out_of_range": an input outside its range above
 *     (kind, quantity, unit_price, ratio, discount, tax_rate, unit_cost);
 *   - "lines[k].quantity", "too_large": a figure of line k over QUOTE_MAX_FEN;
 *   - "lines", "too_large": a total over QUOTE_MAX_FEN, or a margin rate
 *     beyond int64.
 * Inputs are checked in order (n, whole_discount, then each line), so the
 * first bad field is named. totals must not be NULL. */
bf_result quote_compute(const quote_line_in *lines, size_t n, int64_t whole_discount,
                        quote_line_out *out, quote_totals *totals, bf_error *err);

/* Writes fen as Chinese capital numerals the way a Chinese quotation or
 * contract writes its amount (人民币大写, after the PBOC's rules for filling
 * in bills, 《正确填写票据和结算凭证的基本规定》), into the caller's out of cap
 * bytes, NUL-terminated. Returns the bytes the whole text needs (without the
 * NUL), like snprintf; when that is cap or more, out holds as many whole
 * characters as fit (never a cut UTF-8 sequence). out may be NULL when cap
 * is 0. QUOTE_WORDS_CAP bytes always suffice.
 *   - Digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿; 拾 is always 壹拾
 *     (壹拾万, 壹拾元). Above 亿 the count of 亿 is itself written with 万
 *     and 亿: 10^12 元 is 壹万亿, 10^16 元 壹亿亿.
 *   - A run of zeros between digits is written once as 零 (6,007.14 ->
 *     陆仟零柒元壹角肆分); zeros ending a four-digit group before a group
 *     that starts with its 仟 digit are not (107,000.53 -> 壹拾万柒仟元零伍角叁分).
 *   - After 元, 零 is written when the 元 digit is 0 and the 角 is not
 *     (1,680.32 -> 壹仟陆佰捌拾元零叁角贰分; the rules allow either form, this
 *     one is the safer against alteration), and when the 角 is 0 and the 分
 *     is not (325.04 -> 叁佰贰拾伍元零肆分, required).
 *   - 整 follows 元 or 角 when there is no 分 (100.00 -> 壹佰元整, 1,409.50 ->
 *     壹仟肆佰零玖元伍角整), never 分.
 *   - Below one yuan no 元 is written (0.50 -> 伍角整, 0.05 -> 伍分); 0 is
 *     零元整; a negative amount starts with 负. */
size_t quote_amount_in_words(int64_t fen, char *out, size_t cap);

/* Room, bytes with the NUL, for quote_yuan_text of any int64 value. */
#define QUOTE_YUAN_CAP 40

/* Writes fen as yuan the way a document prints money: thousands separated,
 * two decimals, "-" first when negative (123456789 -> "1,234,567.89") into
 * the caller's out of cap bytes (QUOTE_YUAN_CAP always suffice); returns out. */
const char *quote_yuan_text(int64_t fen, char *out, size_t cap);

#endif
