/* Unit tests of src/core/quote.c: quotation lines and totals with figures
 * computed by hand (1 yuan = 100 fen; quantities in hundredths of a unit;
 * rates in basis points), the limits and the refusals, amounts in Chinese
 * capital numerals against the PBOC's examples, and the arithmetic checked
 * against a second, separately written 128-bit computation on thousands of
 * random lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/quote.h"

/* A line of unknown cost (COSTED: of unit cost c), no discount and no tax unless set. */
#define COSTED(k, q, p, c, ...)                                                                    \
    (quote_line_in)                                                                                \
    {                                                                                              \
        .kind = (k), .quantity = (q), .unit_price = (p), .unit_cost = (c), __VA_ARGS__             \
    }
#define LINE(k, q, p, ...) COSTED(k, q, p, -1, __VA_ARGS__)

static void compute_ok(const quote_line_in *lines, size_t n, int64_t w, quote_line_out *out,
                       quote_totals *t)
{
    bf_error err;
    bf_error_clear(&err);
    bf_result r = quote_compute(lines, n, w, out, t, &err);
    if (r != BF_OK)
        fail_msg("quote_compute: %s %s: %s", err.code, err.field, err.message);
}

static void assert_line(const quote_line_out *o, int64_t list, int64_t net, int64_t tax,
                        int64_t cost)
{
    assert_int_equal(o->list_amount, list);
    assert_int_equal(o->net, net);
    assert_int_equal(o->discount_amount, list - net);
    assert_int_equal(o->tax, tax);
    assert_int_equal(o->gross, net + tax);
    assert_int_equal(o->cost, cost);
}

static void kinds_are_named_in_enum_order(void **state)
{
    (void)state;
    assert_string_equal(quote_kinds[QUOTE_LICENCE_MODULE], "licence_module");
    assert_string_equal(quote_kinds[QUOTE_LICENCE_PROJECT], "licence_project");
    assert_string_equal(quote_kinds[QUOTE_SERVICE_DAY], "service_day");
    assert_string_equal(quote_kinds[QUOTE_SERVICE_RATIO], "service_ratio");
    assert_string_equal(quote_kinds[QUOTE_HARDWARE], "hardware");
    assert_string_equal(quote_kinds[QUOTE_OTHER], "other");
    assert_null(quote_kinds[QUOTE_OTHER + 1]);
}

/* No lines: every total 0, the (empty) cost complete. */
static void empty_quotation(void **state)
{
    (void)state;
    quote_totals t;
    memset(&t, 0x5a, sizeof(t));
    compute_ok(NULL, 0, 500, NULL, &t);
    assert_int_equal(t.list_amount, 0);
    assert_int_equal(t.discount_amount, 0);
    assert_int_equal(t.net, 0);
    assert_int_equal(t.tax, 0);
    assert_int_equal(t.gross, 0);
    assert_int_equal(t.cost, 0);
    assert_true(t.cost_complete);
    assert_int_equal(t.margin, 0);
    assert_int_equal(t.margin_rate, 0);
    assert_int_equal(t.discount_rate, 0);
    assert_int_equal(t.max_line_discount, 0);
}

/* Exactly half a fen rounds up, 0.49 of a fen rounds down:
 *   0: 0.50 unit x 0.01 yuan = 0.5 fen  -> list 1, net 1
 *   1: 0.49 unit x 0.01 yuan = 0.49 fen -> list 0, net 0
 *   2: 1 x 10.50, 13% VAT: tax 1050 x 0.13 = 136.5   -> 137, gross 1187
 *   3: 1 x 10.49, 13% VAT: tax 1049 x 0.13 = 136.37  -> 136, gross 1185
 *   4: 1 x 10.01 at 50% off: net 1001 x 0.5 = 500.5  -> 501, discount 500
 *   5: 1 x 9.99 at 50% off:  net 999 x 0.5 = 499.5   -> 500, discount 499
 *   6: 1.50 unit x 0.03 yuan list 4.5 -> 5; cost 1.50 x 0.03 = 4.5 -> 5
 * Totals: list 1+0+1050+1049+1001+999+5 = 4105; net 1+0+1050+1049+501+500+5
 * = 3106; tax 137+136 = 273; gross 3379; only line 6's cost is known. */
static void rounding_edges(void **state)
{
    (void)state;
    quote_line_in in[] = {
        LINE(QUOTE_OTHER, 50, 1),
        LINE(QUOTE_OTHER, 49, 1),
        LINE(QUOTE_HARDWARE, 100, 1050, .tax_rate = 1300),
        LINE(QUOTE_HARDWARE, 100, 1049, .tax_rate = 1300),
        LINE(QUOTE_OTHER, 100, 1001, .discount = 5000),
        LINE(QUOTE_OTHER, 100, 999, .discount = 5000),
        COSTED(QUOTE_OTHER, 150, 3, 3),
    };
    quote_line_out o[7];
    quote_totals t;
    compute_ok(in, 7, 0, o, &t);
    assert_line(&o[0], 1, 1, 0, -1);
    assert_line(&o[1], 0, 0, 0, -1);
    assert_line(&o[2], 1050, 1050, 137, -1);
    assert_line(&o[3], 1049, 1049, 136, -1);
    assert_line(&o[4], 1001, 501, 0, -1);
    assert_line(&o[5], 999, 500, 0, -1);
    assert_line(&o[6], 5, 5, 0, 5);
    assert_int_equal(o[2].unit_price, 1050);
    assert_int_equal(t.list_amount, 4105);
    assert_int_equal(t.net, 3106);
    assert_int_equal(t.discount_amount, 999);
    assert_int_equal(t.tax, 273);
    assert_int_equal(t.gross, 3379);
    assert_int_equal(t.cost, 5);
    assert_false(t.cost_complete);
    assert_int_equal(t.margin, 3101);
    /* 3101 / 3106 = 0.998390… -> 9983.90 -> 9984 */
    assert_int_equal(t.margin_rate, 9984);
    /* 999 / 4105 = 0.243361… -> 2433.61 -> 2434 */
    assert_int_equal(t.discount_rate, 2434);
    assert_int_equal(t.max_line_discount, 5000);
}

/* Person-days with decimals, 6% VAT on services:
 *   0: 12.5 days x 2,800.00 = 35,000.00 (1250 x 280000 / 100 = 3,500,000 fen);
 *      tax 6% 210,000; gross 3,710,000; cost 12.5 x 1,200.00 = 1,500,000.
 *   1: 0.33 day x 1,234.56: 33 x 123456 = 4,074,048 / 100 = 40,740.48 -> 40,740;
 *      tax 40,740 x 0.06 = 2,444.4 -> 2,444; gross 43,184; cost unknown.
 * Totals: net 3,540,740; known cost 1,500,000, incomplete; margin 2,040,740;
 * margin rate 2,040,740 / 3,540,740 = 0.576360… -> 5763.60 -> 5764. */
static void person_days_with_decimals(void **state)
{
    (void)state;
    quote_line_in in[] = {
        COSTED(QUOTE_SERVICE_DAY, 1250, 280000, 120000, .tax_rate = 600),
        LINE(QUOTE_SERVICE_DAY, 33, 123456, .tax_rate = 600),
    };
    quote_line_out o[2];
    quote_totals t;
    compute_ok(in, 2, 0, o, &t);
    assert_line(&o[0], 3500000, 3500000, 210000, 1500000);
    assert_line(&o[1], 40740, 40740, 2444, -1);
    assert_int_equal(t.net, 3540740);
    assert_int_equal(t.tax, 212444);
    assert_int_equal(t.gross, 3753184);
    assert_int_equal(t.cost, 1500000);
    assert_false(t.cost_complete);
    assert_int_equal(t.margin, 2040740);
    assert_int_equal(t.margin_rate, 5764);
    assert_int_equal(t.discount_rate, 0);
    /* The first line alone: 2,000,000 / 3,500,000 = 0.571428… -> 5714. */
    compute_ok(in, 1, 0, o, &t);
    assert_true(t.cost_complete);
    assert_int_equal(t.margin, 2000000);
    assert_int_equal(t.margin_rate, 5714);
}

/* 18% yearly maintenance over two discounted licence lines, 3 years:
 *   A: 3 modules x 33,333.33 at 12.5% off: 300 x 3333333 = 999,999,900;
 *      list 9,999,999; licence value 999,999,900 x 8750 / 10^6 = 8,749,999.125
 *      -> 8,749,999
 *   B: project licence 12,345.67 at 3.33% off: 100 x 1234567 = 123,456,700;
 *      list 1,234,567; value 123,456,700 x 9667 / 10^6 = 1,193,455.9189 -> 1,193,456
 *   hardware 50,000.00, 13% VAT: not licence, not in L.
 *   L = 8,749,999 + 1,193,456 = 9,943,455; a year of maintenance =
 *   9,943,455 x 0.18 = 1,789,821.9 -> 1,789,822; 3 years list 5,369,466;
 *   6% VAT 322,167.96 -> 322,168.
 * With a whole discount of 10% the ratio's unit price stays 1,789,822 (L is
 * before the whole discount) and every net takes the 10% in its one rounding:
 *   A: 999,999,900 x 0.875 x 0.9 / 100 = 7,874,999.2125 -> 7,874,999
 *   B: 123,456,700 x 0.9667 x 0.9 / 100 = 1,074,110.327 -> 1,074,110
 *   hardware 4,500,000, tax 585,000
 *   maintenance 5,369,466 x 0.9 = 4,832,519.4 -> 4,832,519, tax 289,951.14 -> 289,951. */
static void ratio_over_discounted_licences(void **state)
{
    (void)state;
    quote_line_in in[] = {
        LINE(QUOTE_SERVICE_RATIO, 300, 999999, .ratio = 1800, .tax_rate = 600),
        LINE(QUOTE_LICENCE_MODULE, 300, 3333333, .discount = 1250),
        LINE(QUOTE_LICENCE_PROJECT, 100, 1234567, .discount = 333),
        LINE(QUOTE_HARDWARE, 100, 5000000, .tax_rate = 1300),
    };
    quote_line_out o[4];
    quote_totals t;
    compute_ok(in, 4, 0, o, &t);
    assert_int_equal(o[0].unit_price, 1789822); /* the given 999999 is ignored */
    assert_line(&o[0], 5369466, 5369466, 322168, -1);
    assert_line(&o[1], 9999999, 8749999, 0, -1);
    assert_line(&o[2], 1234567, 1193456, 0, -1);
    assert_line(&o[3], 5000000, 5000000, 650000, -1);
    assert_int_equal(t.list_amount, 5369466 + 9999999 + 1234567 + 5000000);
    assert_int_equal(t.net, 5369466 + 8749999 + 1193456 + 5000000);
    assert_int_equal(t.tax, 972168);

    compute_ok(in, 4, 1000, o, &t);
    assert_int_equal(o[0].unit_price, 1789822);
    assert_line(&o[0], 5369466, 4832519, 289951, -1);
    assert_line(&o[1], 9999999, 7874999, 0, -1);
    assert_line(&o[2], 1234567, 1074110, 0, -1);
    assert_line(&o[3], 5000000, 4500000, 585000, -1);
    assert_int_equal(t.net, 4832519 + 7874999 + 1074110 + 4500000);
    assert_int_equal(t.tax, 289951 + 585000);
    /* Combined discounts: A 1 - 0.875 x 0.9 = 21.25%, B 1 - 0.9667 x 0.9 =
     * 12.997% (1299.7 -> 1300); the largest is A's 2125. */
    assert_int_equal(t.max_line_discount, 2125);

    /* No licence lines: the maintenance is worth nothing. */
    compute_ok(in, 1, 0, o, &t);
    assert_int_equal(o[0].unit_price, 0);
    assert_line(&o[0], 0, 0, 0, -1);
}

/* Both discounts in one rounding: 1,000.04 at 12.5% off, then 5% off the
 * whole quotation: 100004 x 0.875 x 0.95 = 83,128.325 -> 83,128. Rounding
 * after each discount would give 87,503.5 -> 87,504, x 0.95 = 83,128.8 ->
 * 83,129: one fen more. Combined discount 1 - 0.875 x 0.95 = 16.875% ->
 * 1687.5 -> 1688; a second line with no discount of its own gets 5% only:
 * 200.00 -> 190.00. Discount rate (16,876 + 1,000) / (100,004 + 20,000) =
 * 17,876 / 120,004 = 0.148961… -> 1489.62 -> 1490. */
static void both_discounts_in_one_rounding(void **state)
{
    (void)state;
    quote_line_in in[] = {
        LINE(QUOTE_LICENCE_MODULE, 100, 100004, .discount = 1250),
        LINE(QUOTE_OTHER, 100, 20000),
    };
    quote_line_out o[2];
    quote_totals t;
    compute_ok(in, 2, 500, o, &t);
    assert_line(&o[0], 100004, 83128, 0, -1);
    assert_int_equal(o[0].discount_amount, 16876);
    assert_line(&o[1], 20000, 19000, 0, -1);
    assert_int_equal(t.discount_amount, 17876);
    assert_int_equal(t.discount_rate, 1490);
    assert_int_equal(t.max_line_discount, 1688);
    /* Everything free: a 100% whole discount. */
    compute_ok(in, 2, 10000, o, &t);
    assert_int_equal(t.net, 0);
    assert_int_equal(t.discount_rate, 10000);
    assert_int_equal(t.max_line_discount, 10000);
    assert_int_equal(t.margin_rate, 0); /* net 0 */
}

/* 13% VAT on hardware, 6% on services:
 *   0: 2 servers x 45,999.00 = 91,998.00; tax 9,199,800 x 0.13 = 1,195,974;
 *      cost 2 x 38,000.00 = 7,600,000
 *   1: 5 days x 1,500.00 = 750,000; tax 45,000; cost 5 x 800.00 = 400,000
 * Totals: list = net 9,949,800; tax 1,240,974; gross 11,190,774; cost
 * 8,000,000 complete; margin 1,949,800; margin rate 1,949,800 / 9,949,800 =
 * 0.195963… -> 1959.63 -> 1960. */
static void tax_rates_per_line(void **state)
{
    (void)state;
    quote_line_in in[] = {
        COSTED(QUOTE_HARDWARE, 200, 4599900, 3800000, .tax_rate = 1300),
        COSTED(QUOTE_SERVICE_DAY, 500, 150000, 80000, .tax_rate = 600),
    };
    quote_line_out o[2];
    quote_totals t;
    compute_ok(in, 2, 0, o, &t);
    assert_line(&o[0], 9199800, 9199800, 1195974, 7600000);
    assert_line(&o[1], 750000, 750000, 45000, 400000);
    assert_int_equal(t.list_amount, 9949800);
    assert_int_equal(t.net, 9949800);
    assert_int_equal(t.tax, 1240974);
    assert_int_equal(t.gross, 11190774);
    assert_int_equal(t.cost, 8000000);
    assert_true(t.cost_complete);
    assert_int_equal(t.margin, 1949800);
    assert_int_equal(t.margin_rate, 1960);
}

/* Margin and discount rates round half up, away from zero when negative:
 *   net 200.00, cost 200.01: margin -1 fen = -0.5 bp -> -1
 *   net 200.00, cost 199.99: margin  1 fen =  0.5 bp ->  1
 *   net 10.00, cost 15.00: -50% -> -5000
 *   list 199.99 + 0.01 = 200.00, the 0.01 free: discount 1 fen = 0.5 bp -> 1 */
static void margin_and_discount_rates(void **state)
{
    (void)state;
    quote_totals t;
    quote_line_in a = COSTED(QUOTE_HARDWARE, 100, 20000, 20001);
    compute_ok(&a, 1, 0, NULL, &t);
    assert_int_equal(t.margin, -1);
    assert_int_equal(t.margin_rate, -1);
    a.unit_cost = 19999;
    compute_ok(&a, 1, 0, NULL, &t);
    assert_int_equal(t.margin_rate, 1);
    a = COSTED(QUOTE_OTHER, 100, 1000, 1500);
    compute_ok(&a, 1, 0, NULL, &t);
    assert_int_equal(t.margin, -500);
    assert_int_equal(t.margin_rate, -5000);
    quote_line_in b[] = {
        LINE(QUOTE_OTHER, 100, 19999),
        LINE(QUOTE_OTHER, 100, 1, .discount = 10000),
    };
    compute_ok(b, 2, 0, NULL, &t);
    assert_int_equal(t.list_amount, 20000);
    assert_int_equal(t.net, 19999);
    assert_int_equal(t.discount_rate, 1);
    assert_int_equal(t.max_line_discount, 10000);
}

/* Large amounts, near 10^13 fen:
 *   0: one licence of 10^13 fen (100,000,000,000.00 yuan), 13%: tax 1.3 x 10^12
 *   1: 123.45 x 810,000,000.00: 12345 x 81,000,000,000 / 100 = 9,999,450,000,000;
 *      6%: 599,967,000,000
 * Totals: list 19,999,450,000,000; tax 1,899,967,000,000; gross 21,899,417,000,000. */
static void large_amounts(void **state)
{
    (void)state;
    quote_line_in in[] = {
        LINE(QUOTE_LICENCE_PROJECT, 100, 10000000000000LL, .tax_rate = 1300),
        LINE(QUOTE_HARDWARE, 12345, 81000000000LL, .tax_rate = 600),
    };
    quote_line_out o[2];
    quote_totals t;
    compute_ok(in, 2, 0, o, &t);
    assert_line(&o[0], 10000000000000LL, 10000000000000LL, 1300000000000LL, -1);
    assert_line(&o[1], 9999450000000LL, 9999450000000LL, 599967000000LL, -1);
    assert_int_equal(t.list_amount, 19999450000000LL);
    assert_int_equal(t.tax, 1899967000000LL);
    assert_int_equal(t.gross, 21899417000000LL);

    /* Exactly QUOTE_MAX_FEN: 1,000,000 units x 1,000,000,000.00 = 10^17 fen,
     * with a cost of 10^15 per unit on another line: 10^17 too. */
    quote_line_in max[] = {
        LINE(QUOTE_HARDWARE, 100000000, 100000000000LL),
        COSTED(QUOTE_OTHER, 10000, 0, 1000000000000000LL),
    };
    compute_ok(max, 2, 0, o, &t);
    assert_int_equal(t.list_amount, QUOTE_MAX_FEN);
    assert_int_equal(t.gross, QUOTE_MAX_FEN);
    assert_int_equal(t.cost, QUOTE_MAX_FEN);
    assert_int_equal(t.margin, 0);
    assert_int_equal(t.margin_rate, 0);
}

typedef struct refusal {
    const char *why;
    quote_line_in lines[3];
    size_t n;
    int64_t whole;
    const char *field, *code;
} refusal;

#define BIG_Q 100000000          /* the largest quantity: 1,000,000 units */
#define BIG_P 100000000000LL     /* x BIG_Q / 100 = 10^17 fen */
#define MAX_P 1000000000000000LL /* the largest unit price, 10^15 fen */

static const refusal refusals[] = {
    {"negative quantity", {LINE(QUOTE_OTHER, -100, 1)}, 1, 0, "lines[0].quantity", "out_of_range"},
    {"zero quantity", {LINE(QUOTE_OTHER, 0, 1)}, 1, 0, "lines[0].quantity", "out_of_range"},
    {"quantity over 1,000,000 units",
     {LINE(QUOTE_OTHER, BIG_Q + 1, 1)},
     1,
     0,
     "lines[0].quantity",
     "out_of_range"},
    {"discount 10001",
     {LINE(QUOTE_OTHER, 100, 1), LINE(QUOTE_OTHER, 100, 1, .discount = 10001)},
     2,
     0,
     "lines[1].discount",
     "out_of_range"},
    {"negative discount",
     {LINE(QUOTE_OTHER, 100, 1, .discount = -1)},
     1,
     0,
     "lines[0].discount",
     "out_of_range"},
    {"whole discount 10001", {LINE(QUOTE_OTHER, 100, 1)}, 1, 10001, "discount", "out_of_range"},
    {"negative whole discount before the lines",
     {LINE(QUOTE_OTHER, -1, 1)},
     1,
     -1,
     "discount",
     "out_of_range"},
    {"negative price", {LINE(QUOTE_OTHER, 100, -1)}, 1, 0, "lines[0].unit_price", "out_of_range"},
    {"price over 10^15",
     {LINE(QUOTE_OTHER, 100, MAX_P + 1)},
     1,
     0,
     "lines[0].unit_price",
     "out_of_range"},
    {"tax 100.01%",
     {LINE(QUOTE_OTHER, 100, 1, .tax_rate = 10001)},
     1,
     0,
     "lines[0].tax_rate",
     "out_of_range"},
    {"ratio 100.01%",
     {LINE(QUOTE_SERVICE_RATIO, 100, 0, .ratio = 10001)},
     1,
     0,
     "lines[0].ratio",
     "out_of_range"},
    {"cost -2", {COSTED(QUOTE_OTHER, 100, 1, -2)}, 1, 0, "lines[0].unit_cost", "out_of_range"},
    {"unknown kind", {LINE((quote_kind)6, 100, 1)}, 1, 0, "lines[0].kind", "out_of_range"},
    /* 1,000,000 units x 10^15 fen = 10^21 fen: beyond int64, refused, not wrapped. */
    {"list beyond int64",
     {LINE(QUOTE_OTHER, 100, 1), LINE(QUOTE_OTHER, BIG_Q, MAX_P)},
     2,
     0,
     "lines[1].quantity",
     "too_large"},
    /* 10^17 + 1,000,000 fen */
    {"list one unit price fen over",
     {LINE(QUOTE_OTHER, BIG_Q, BIG_P + 1)},
     1,
     0,
     "lines[0].quantity",
     "too_large"},
    /* net 10^17, tax 0.01% = 10^13: gross over */
    {"gross over",
     {LINE(QUOTE_OTHER, BIG_Q, BIG_P, .tax_rate = 1)},
     1,
     0,
     "lines[0].quantity",
     "too_large"},
    /* cost 10^15 x 10^6 units = 10^21 */
    {"cost over", {COSTED(QUOTE_OTHER, BIG_Q, 0, MAX_P)}, 1, 0, "lines[0].quantity", "too_large"},
    /* two lines of 6 x 10^16: each fine, the sum 1.2 x 10^17 is not */
    {"sum over",
     {LINE(QUOTE_OTHER, BIG_Q, 60000000000LL), LINE(QUOTE_OTHER, BIG_Q, 60000000000LL)},
     2,
     0,
     "lines",
     "too_large"},
    /* the licences sum to 2 x 10^17, so 100% of it as a unit price is too
     * large, named on the ratio line, which comes first */
    {"ratio unit price over",
     {LINE(QUOTE_SERVICE_RATIO, 1, 0, .ratio = 10000), LINE(QUOTE_LICENCE_MODULE, BIG_Q, BIG_P),
      LINE(QUOTE_LICENCE_PROJECT, BIG_Q, BIG_P)},
     3,
     0,
     "lines[0].quantity",
     "too_large"},
    /* a unit price of 10^17 (fine) x 1,000,000 units */
    {"ratio list over",
     {LINE(QUOTE_LICENCE_MODULE, BIG_Q, BIG_P),
      LINE(QUOTE_SERVICE_RATIO, BIG_Q, 0, .ratio = 10000)},
     2,
     0,
     "lines[1].quantity",
     "too_large"},
    /* net 1.00, cost 10^17: margin rate about -10^19 bp, beyond int64 */
    {"margin rate beyond int64",
     {COSTED(QUOTE_OTHER, 10000, 1, MAX_P)},
     1,
     0,
     "lines",
     "too_large"},
};

/* Refusals name the field and leave out and totals untouched. */
static void invalid_input_names_the_field(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
        const refusal *c = &refusals[i];
        quote_line_out o[3], before[3];
        quote_totals t, tbefore;
        memset(o, 0xa5, sizeof(o));
        memset(&t, 0xa5, sizeof(t));
        memcpy(before, o, sizeof(o));
        memcpy(&tbefore, &t, sizeof(t));
        bf_error err;
        bf_error_clear(&err);
        bf_result r = quote_compute(c->lines, c->n, c->whole, o, &t, &err);
        if (r != BF_ERR_INVALID || strcmp(err.field, c->field) != 0 ||
            strcmp(err.code, c->code) != 0)
            fail_msg("%s: got %d %s %s (%s)", c->why, (int)r, err.code, err.field, err.message);
        assert_memory_equal(o, before, sizeof(o));
        assert_memory_equal(&t, &tbefore, sizeof(t));
        assert_true(err.message[0] != '\0');
    }
}

static void too_many_lines(void **state)
{
    (void)state;
    static quote_line_in in[QUOTE_MAX_LINES + 1];
    static quote_line_out o[QUOTE_MAX_LINES + 1];
    for (size_t i = 0; i <= QUOTE_MAX_LINES; i++)
        in[i] = LINE(QUOTE_OTHER, 100, 100);
    quote_totals t;
    compute_ok(in, QUOTE_MAX_LINES, 0, o, &t);
    assert_int_equal(t.list_amount, 100 * QUOTE_MAX_LINES);
    bf_error err;
    assert_int_equal(quote_compute(in, QUOTE_MAX_LINES + 1, 0, o, &t, &err), BF_ERR_INVALID);
    assert_string_equal(err.field, "lines");
    assert_string_equal(err.code, "too_many");
}

/* The amount in capital numerals, and its length counted like snprintf. */
static void assert_words(int64_t fen, const char *expect)
{
    char buf[QUOTE_WORDS_CAP];
    size_t n = quote_amount_in_words(fen, buf, sizeof(buf));
    if (strcmp(buf, expect) != 0)
        fail_msg("%lld fen: got %s, expected %s", (long long)fen, buf, expect);
    assert_int_equal(n, strlen(expect));
}

/* The examples of the PBOC's rules (正确填写票据和结算凭证的基本规定), with
 * 整 after 角 (the rules allow it; 会计基础工作规范 asks for it) and, where
 * the rules allow 零 or none after 元, the 零. */
static void words_pboc_examples(void **state)
{
    (void)state;
    assert_words(140950, "壹仟肆佰零玖元伍角整");      /* 1,409.50 */
    assert_words(600714, "陆仟零柒元壹角肆分");        /* 6,007.14 */
    assert_words(168032, "壹仟陆佰捌拾元零叁角贰分");  /* 1,680.32 */
    assert_words(10700053, "壹拾万柒仟元零伍角叁分");  /* 107,000.53 */
    assert_words(1640902, "壹万陆仟肆佰零玖元零贰分"); /* 16,409.02 */
    assert_words(32504, "叁佰贰拾伍元零肆分");         /* 325.04 */
}

static void words_more_cases(void **state)
{
    (void)state;
    assert_words(0, "零元整");
    assert_words(1, "壹分");
    assert_words(5, "伍分");      /* 0.05 */
    assert_words(50, "伍角整");   /* 0.50 */
    assert_words(55, "伍角伍分"); /* 0.55 */
    assert_words(100, "壹元整");
    assert_words(1000, "壹拾元整");       /* a leading 拾 is 壹拾 */
    assert_words(1050, "壹拾元零伍角整"); /* 10.50: 元 digit 0, as 1,680.32 */
    assert_words(1005, "壹拾元零伍分");   /* 10.05: one 零 for both zeros */
    assert_words(10000, "壹佰元整");
    assert_words(100505, "壹仟零伍元零伍分");                        /* 1,005.05 */
    assert_words(123456789, "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"); /* 1,234,567.89 */
    assert_words(1001000, "壹万零壹拾元整");                         /* 10,010 */
    assert_words(10000000, "壹拾万元整");
    assert_words(100050000, "壹佰万零伍佰元整");        /* 1,000,500 */
    assert_words(1000000100, "壹仟万零壹元整");         /* 10,000,001 */
    assert_words(1100000000, "壹仟壹佰万元整");         /* 11,000,000 */
    assert_words(10000000000LL, "壹亿元整");            /* 100,000,000 */
    assert_words(10001000000LL, "壹亿零壹万元整");      /* 100,010,000 */
    assert_words(10000000100LL, "壹亿零壹元整");        /* 100,000,001 */
    assert_words(11000000000LL, "壹亿壹仟万元整");      /* 110,000,000 */
    assert_words(10010000000000LL, "壹仟零壹亿元整");   /* 100,100,000,000 */
    assert_words(10001000000000LL, "壹仟亿壹仟万元整"); /* 100,010,000,000 */
    assert_words(200000000000LL, "贰拾亿元整");         /* 2,000,000,000 */
    assert_words(10000000000000LL, "壹仟亿元整");       /* 10^13 fen = 10^11 yuan */
    assert_words(100000000000000LL, "壹万亿元整");      /* 10^12 yuan */
    assert_words(100010000000000LL, "壹万零壹亿元整");  /* 1,000,100,000,000 */
    assert_words(100000000000001LL, "壹万亿元零壹分");  /* 10^12 yuan and a fen */
    assert_words(1234567800000000LL, "壹拾贰万叁仟肆佰伍拾陆亿柒仟捌佰万元整");
    assert_words(QUOTE_MAX_FEN, "壹仟万亿元整");           /* 10^15 yuan */
    assert_words(100000000000000000LL * 10, "壹亿亿元整"); /* 10^16 yuan */
    /* INT64_MAX fen = 92,233,720,368,547,758.07 yuan: 922,337,203 亿 and
     * 68,547,758; the 亿 count is itself 玖亿 and 22,337,203. */
    assert_words(INT64_MAX,
                 "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分");
    assert_words(-32504, "负叁佰贰拾伍元零肆分");
    assert_words(INT64_MIN,
                 "负玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零捌分");
}

/* Too small a buffer: whole characters only (3 bytes each), the needed
 * length returned; nothing written with cap 0. */
static void words_truncated(void **state)
{
    (void)state;
    const char *full = "壹佰元整";
    assert_int_equal(quote_amount_in_words(10000, NULL, 0), strlen(full));
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(quote_amount_in_words(10000, buf, sizeof(buf)), 12);
    assert_string_equal(buf, "壹佰"); /* 6 bytes: a third character needs 9 + NUL */
    assert_int_equal(quote_amount_in_words(10000, buf, 1), 12);
    assert_string_equal(buf, "");
    char exact[13];
    assert_int_equal(quote_amount_in_words(10000, exact, sizeof(exact)), 12);
    assert_string_equal(exact, full);
    assert_true(quote_amount_in_words(INT64_MIN, NULL, 0) < QUOTE_WORDS_CAP);
}

/* A second computation, written apart: floor division and a remainder test. */
static __int128 half_up(__int128 num, __int128 den)
{
    __int128 q = num / den, r = num % den;
    return r * 2 >= den ? q + 1 : q;
}

static uint64_t rng = 88172645463325252u;

static uint64_t next(uint64_t below)
{
    rng ^= rng << 13; /* xorshift64 */
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng % below;
}

static void random_line(quote_line_in *l)
{
    static const int64_t rates[] = {0, 300, 600, 900, 1300};
    l->kind = (quote_kind)next(6);
    l->quantity = 1 + (int64_t)next(next(2) ? 1000 : 1000000);
    l->unit_price = (int64_t)next(next(2) ? 100000 : 10000000000LL);
    l->ratio = (int64_t)next(3001);
    l->discount = next(3) ? (int64_t)next(10001) : 0;
    l->tax_rate = rates[next(5)];
    if (l->kind == QUOTE_SERVICE_RATIO) /* up to 3 years of up to 30% */
        l->quantity = 1 + (int64_t)next(300);
    l->unit_cost = next(4) ? (int64_t)next(1000000000) : -1;
}

/* Checks one random quotation's lines and totals against the second computation. */
static size_t check_random_quote(void)
{
    quote_line_in in[QUOTE_MAX_LINES];
    quote_line_out o[QUOTE_MAX_LINES];
    size_t n = 1 + (size_t)next(QUOTE_MAX_LINES);
    int64_t w = next(2) ? (int64_t)next(3001) : 0;
    for (size_t k = 0; k < n; k++)
        random_line(&in[k]);
    __int128 licence = 0;
    for (size_t k = 0; k < n; k++)
        if (in[k].kind == QUOTE_LICENCE_MODULE || in[k].kind == QUOTE_LICENCE_PROJECT)
            licence += half_up(
                (__int128)in[k].quantity * in[k].unit_price * (10000 - in[k].discount), 1000000);
    quote_totals t;
    compute_ok(in, n, w, o, &t);
    __int128 sum[6] = {0};
    for (size_t k = 0; k < n; k++) {
        __int128 price = in[k].kind == QUOTE_SERVICE_RATIO ? half_up(licence * in[k].ratio, 10000)
                                                           : in[k].unit_price;
        __int128 gross_value = (__int128)in[k].quantity * price;
        __int128 net =
            half_up(gross_value * (10000 - in[k].discount) * (10000 - w), (__int128)10000000000LL);
        assert_true(o[k].unit_price == price);
        assert_true(o[k].list_amount == half_up(gross_value, 100));
        assert_true(o[k].net == net);
        assert_true(o[k].tax == half_up(net * in[k].tax_rate, 10000));
        assert_true(o[k].net <= o[k].list_amount);
        assert_int_equal(o[k].gross, o[k].net + o[k].tax);
        assert_int_equal(o[k].discount_amount, o[k].list_amount - o[k].net);
        sum[0] += o[k].list_amount;
        sum[1] += o[k].net;
        sum[2] += o[k].tax;
        sum[3] += o[k].gross;
        sum[4] += o[k].discount_amount;
        sum[5] += o[k].cost < 0 ? 0 : o[k].cost;
    }
    assert_true(t.list_amount == sum[0] && t.net == sum[1] && t.tax == sum[2]);
    assert_true(t.gross == sum[3] && t.discount_amount == sum[4] && t.cost == sum[5]);
    assert_int_equal(t.margin, t.net - t.cost);
    return n;
}

static void random_lines_match_second_computation(void **state)
{
    (void)state;
    size_t lines = 0;
    for (int i = 0; i < 60; i++)
        lines += check_random_quote();
    assert_true(lines > 3000);
}

/* Money as a document prints it: thousands separated, two decimals. */
static void yuan_text_groups_thousands(void **state)
{
    (void)state;
    char out[QUOTE_YUAN_CAP];
    assert_string_equal(quote_yuan_text(0, out, sizeof(out)), "0.00");
    assert_string_equal(quote_yuan_text(5, out, sizeof(out)), "0.05");
    assert_string_equal(quote_yuan_text(100000, out, sizeof(out)), "1,000.00");
    assert_string_equal(quote_yuan_text(123456789, out, sizeof(out)), "1,234,567.89");
    assert_string_equal(quote_yuan_text(-1130000, out, sizeof(out)), "-11,300.00");
    assert_string_equal(quote_yuan_text(INT64_MAX, out, sizeof(out)), "92,233,720,368,547,758.07");
    assert_string_equal(quote_yuan_text(INT64_MIN, out, sizeof(out)), "-92,233,720,368,547,758.08");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yuan_text_groups_thousands),
        cmocka_unit_test(kinds_are_named_in_enum_order),
        cmocka_unit_test(empty_quotation),
        cmocka_unit_test(rounding_edges),
        cmocka_unit_test(person_days_with_decimals),
        cmocka_unit_test(ratio_over_discounted_licences),
        cmocka_unit_test(both_discounts_in_one_rounding),
        cmocka_unit_test(tax_rates_per_line),
        cmocka_unit_test(margin_and_discount_rates),
        cmocka_unit_test(large_amounts),
        cmocka_unit_test(invalid_input_names_the_field),
        cmocka_unit_test(too_many_lines),
        cmocka_unit_test(words_pboc_examples),
        cmocka_unit_test(words_more_cases),
        cmocka_unit_test(words_truncated),
        cmocka_unit_test(random_lines_match_second_computation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
