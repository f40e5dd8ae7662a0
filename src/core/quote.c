/* Quotation arithmetic and amounts in Chinese capital numerals (see quote.h). */
#include "core/quote.h"

#include <stdio.h>
#include <string.h>

typedef __int128 i128;

#define QUOTE_MAX_QUANTITY 100000000LL     /* hundredths: one million units */
#define QUOTE_MAX_PRICE 1000000000000000LL /* fen: ten trillion yuan */
#define BP 10000                           /* basis points in one */

const char *const quote_kinds[] = {
    "licence_module", "licence_project", "service_day", "service_ratio", "hardware", "other", NULL,
};

_Static_assert(sizeof(quote_kinds) / sizeof(quote_kinds[0]) == QUOTE_OTHER + 2,
               "quote_kinds names every quote_kind");

/* num / den rounded half away from zero; den > 0. */
static i128 round_div(i128 num, i128 den)
{
    if (num < 0)
        return -((2 * -num + den) / (2 * den));
    return (2 * num + den) / (2 * den);
}

static bool is_licence(quote_kind k)
{
    return k == QUOTE_LICENCE_MODULE || k == QUOTE_LICENCE_PROJECT;
}

/* v lies in lo .. hi, or fails naming lines[k].name. */
static bf_result check_range(int64_t v, int64_t lo, int64_t hi, size_t k, const char *name,
                             bf_error *err)
{
    if (v >= lo && v <= hi)
        return BF_OK;
    char field[64];
    snprintf(field, sizeof(field), "lines[%zu].%s", k, name);
    return bf_fail(err, BF_ERR_INVALID, "out_of_range", field, "%s must be between %lld and %lld",
                   field, (long long)lo, (long long)hi);
}

/* Line k's inputs lie in their ranges; fields its kind ignores are not looked at. */
static bf_result check_line(const quote_line_in *l, size_t k, bf_error *err)
{
    bf_result r;
    if ((r = check_range((int64_t)l->kind, 0, QUOTE_OTHER, k, "kind", err)) != BF_OK)
        return r;
    if ((r = check_range(l->quantity, 1, QUOTE_MAX_QUANTITY, k, "quantity", err)) != BF_OK)
        return r;
    if (l->kind == QUOTE_SERVICE_RATIO)
        r = check_range(l->ratio, 0, BP, k, "ratio", err);
    else
        r = check_range(l->unit_price, 0, QUOTE_MAX_PRICE, k, "unit_price", err);
    if (r != BF_OK)
        return r;
    if ((r = check_range(l->discount, 0, BP, k, "discount", err)) != BF_OK)
        return r;
    if ((r = check_range(l->tax_rate, 0, BP, k, "tax_rate", err)) != BF_OK)
        return r;
    return check_range(l->unit_cost, -1, QUOTE_MAX_PRICE, k, "unit_cost", err);
}

/* The inputs of a whole quotation lie in their ranges. */
static bf_result check_quote(const quote_line_in *lines, size_t n, int64_t whole_discount,
                             bf_error *err)
{
    if (n > QUOTE_MAX_LINES)
        return bf_fail_args(err, BF_ERR_INVALID, "too_many", "lines",
                            BF_ARGS(BF_NUM("max", QUOTE_MAX_LINES)),
                            "a quotation has at most %d lines, not %zu", QUOTE_MAX_LINES, n);
    if (whole_discount < 0 || whole_discount > BP)
        return bf_fail(err, BF_ERR_INVALID, "out_of_range", "discount",
                       "discount must be between 0 and %d basis points", BP);
    for (size_t k = 0; k < n; k++) {
        bf_result r = check_line(&lines[k], k, err);
        if (r != BF_OK)
            return r;
    }
    return BF_OK;
}

/* L: the licence lines' value after their own discounts, before the whole
 * discount. At most 200 x 10^21, so exact in 128 bits. */
static i128 licence_value(const quote_line_in *lines, size_t n)
{
    i128 sum = 0;
    for (size_t k = 0; k < n; k++)
        if (is_licence(lines[k].kind))
            sum +=
                round_div((i128)lines[k].quantity * lines[k].unit_price * (BP - lines[k].discount),
                          (i128)100 * BP);
    return sum;
}

/* Fails naming lines[k].quantity: a figure of line k is too large. */
static bf_result line_too_large(size_t k, const char *what, bf_error *err)
{
    char field[64];
    snprintf(field, sizeof(field), "lines[%zu].quantity", k);
    return bf_fail(err, BF_ERR_INVALID, "too_large", field,
                   "line %zu: the %s is over %lld fen (10^15 yuan)", k + 1, what,
                   (long long)QUOTE_MAX_FEN);
}

/* Computes line k into *o. Bounds: quantity <= 10^8 and unit price <=
 * 10^17 (checked first), so every product stays below 10^34. */
static bf_result compute_line(const quote_line_in *l, size_t k, int64_t w, i128 licence,
                              quote_line_out *o, bf_error *err)
{
    i128 price = l->unit_price;
    if (l->kind == QUOTE_SERVICE_RATIO) {
        price = round_div(licence * l->ratio, BP);
        if (price > QUOTE_MAX_FEN)
            return line_too_large(k, "unit price (licence value x ratio)", err);
    }
    i128 qp = (i128)l->quantity * price;
    i128 list = round_div(qp, 100);
    i128 net = round_div(qp * (BP - l->discount) * (BP - w), (i128)100 * BP * BP);
    i128 tax = round_div(net * l->tax_rate, BP);
    i128 cost = l->unit_cost < 0 ? -1 : round_div((i128)l->quantity * l->unit_cost, 100);
    if (list > QUOTE_MAX_FEN)
        return line_too_large(k, "list amount", err);
    if (net + tax > QUOTE_MAX_FEN)
        return line_too_large(k, "gross amount", err);
    if (cost > QUOTE_MAX_FEN)
        return line_too_large(k, "cost", err);
    *o = (quote_line_out){
        .unit_price = (int64_t)price,
        .list_amount = (int64_t)list,
        .net = (int64_t)net,
        .discount_amount = (int64_t)(list - net),
        .tax = (int64_t)tax,
        .gross = (int64_t)(net + tax),
        .cost = (int64_t)cost,
    };
    return BF_OK;
}

/* The combined discount of a line, basis points, rounded half up. */
static int64_t combined_discount(int64_t d, int64_t w)
{
    return (int64_t)round_div((i128)BP * BP - (i128)(BP - d) * (BP - w), BP);
}

/* Sums the computed lines into *t, refusing a total over QUOTE_MAX_FEN. */
static bf_result sum_lines(const quote_line_in *lines, const quote_line_out *o, size_t n, int64_t w,
                           quote_totals *t, bf_error *err)
{
    i128 list = 0, net = 0, tax = 0, cost = 0;
    *t = (quote_totals){.cost_complete = true};
    for (size_t k = 0; k < n; k++) {
        list += o[k].list_amount;
        net += o[k].net;
        tax += o[k].tax;
        if (o[k].cost < 0)
            t->cost_complete = false;
        else
            cost += o[k].cost;
        int64_t c = combined_discount(lines[k].discount, w);
        if (c > t->max_line_discount)
            t->max_line_discount = c;
    }
    if (list > QUOTE_MAX_FEN || net + tax > QUOTE_MAX_FEN || cost > QUOTE_MAX_FEN)
        return bf_fail(err, BF_ERR_INVALID, "too_large", "lines",
                       "the quotation's totals are over %lld fen (10^15 yuan)",
                       (long long)QUOTE_MAX_FEN);
    i128 margin_rate = net == 0 ? 0 : round_div((net - cost) * BP, net);
    if (margin_rate > INT64_MAX || margin_rate < INT64_MIN)
        return bf_fail(err, BF_ERR_INVALID, "too_large", "lines",
                       "the cost is so far above the net amount that the margin rate is out of "
                       "range");
    t->list_amount = (int64_t)list;
    t->net = (int64_t)net;
    t->discount_amount = (int64_t)(list - net);
    t->tax = (int64_t)tax;
    t->gross = (int64_t)(net + tax);
    t->cost = (int64_t)cost;
    t->margin = (int64_t)(net - cost);
    t->margin_rate = (int64_t)margin_rate;
    t->discount_rate = list == 0 ? 0 : (int64_t)round_div((list - net) * BP, list);
    return BF_OK;
}

bf_result quote_compute(const quote_line_in *lines, size_t n, int64_t whole_discount,
                        quote_line_out *out, quote_totals *totals, bf_error *err)
{
    BF_ASSERT(totals != NULL);
    BF_ASSERT(lines != NULL || n == 0);
    bf_result r = check_quote(lines, n, whole_discount, err);
    if (r != BF_OK)
        return r;
    /* Computed into locals, so a failure leaves out and totals untouched. */
    quote_line_out computed[QUOTE_MAX_LINES];
    quote_totals t;
    i128 licence = licence_value(lines, n);
    for (size_t k = 0; k < n; k++)
        if ((r = compute_line(&lines[k], k, whole_discount, licence, &computed[k], err)) != BF_OK)
            return r;
    if ((r = sum_lines(lines, computed, n, whole_discount, &t, err)) != BF_OK)
        return r;
    if (out != NULL && n > 0)
        memcpy(out, computed, n * sizeof(computed[0]));
    *totals = t;
    return BF_OK;
}

/* Amount in words: a writer that counts every byte and keeps whole pieces
 * (characters) while they fit. */
typedef struct words {
    char *out;
    size_t cap, len, kept;
    bool full;
} words;

static void put(words *w, const char *s)
{
    size_t n = strlen(s);
    if (!w->full && w->kept + n < w->cap) {
        memcpy(w->out + w->kept, s, n);
        w->kept += n;
    } else {
        w->full = true;
    }
    w->len += n;
}

static const char *const digit_words[] = {"零", "壹", "贰", "叁", "肆",
                                          "伍", "陆", "柒", "捌", "玖"};

/* g in 1 .. 9999: its digits with 仟佰拾, inner zeros as one 零, trailing ones dropped. */
static void put_group(words *w, unsigned g)
{
    static const char *const units[] = {"仟", "佰", "拾", ""};
    bool started = false, zero = false;
    unsigned div = 1000;
    for (int i = 0; i < 4; i++, div /= 10) {
        unsigned d = g / div % 10;
        if (d == 0) {
            zero = started;
            continue;
        }
        if (zero)
            put(w, "零");
        put(w, digit_words[d]);
        put(w, units[i]);
        started = true;
        zero = false;
    }
}

/* n in 1 .. 99999999: 万 groups; a 零 when the lower group has no 仟 digit. */
static void put_below_yi(words *w, uint64_t n)
{
    if (n < 10000) {
        put_group(w, (unsigned)n);
        return;
    }
    put_group(w, (unsigned)(n / 10000));
    put(w, "万");
    unsigned low = (unsigned)(n % 10000);
    if (low != 0 && low < 1000)
        put(w, "零");
    if (low != 0)
        put_group(w, low);
}

/* n >= 1 yuan: the count of 亿 (itself in words), 亿, then the rest. */
static void put_yuan(words *w, uint64_t n)
{
    if (n < 100000000u) {
        put_below_yi(w, n);
        return;
    }
    put_yuan(w, n / 100000000u);
    put(w, "亿");
    uint64_t low = n % 100000000u;
    if (low != 0 && low < 10000000u)
        put(w, "零");
    if (low != 0)
        put_below_yi(w, low);
}

size_t quote_amount_in_words(int64_t fen, char *out, size_t cap)
{
    words w = {.out = out, .cap = cap};
    uint64_t v = fen < 0 ? 0u - (uint64_t)fen : (uint64_t)fen;
    uint64_t yuan = v / 100;
    unsigned jiao = (unsigned)(v / 10 % 10), fen_digit = (unsigned)(v % 10);
    if (fen < 0)
        put(&w, "负");
    if (v == 0) {
        put(&w, "零");
        put(&w, "元");
    }
    if (yuan > 0) {
        put_yuan(&w, yuan);
        put(&w, "元");
        if ((jiao != 0 && yuan % 10 == 0) || (jiao == 0 && fen_digit != 0))
            put(&w, "零");
    }
    if (jiao != 0) {
        put(&w, digit_words[jiao]);
        put(&w, "角");
    }
    if (fen_digit != 0) {
        put(&w, digit_words[fen_digit]);
        put(&w, "分");
    } else {
        put(&w, "整");
    }
    if (cap > 0)
        out[w.kept] = '\0';
    return w.len;
}

const char *quote_yuan_text(int64_t fen, char *out, size_t cap)
{
    uint64_t v = fen < 0 ? (uint64_t)(-(fen + 1)) + 1 : (uint64_t)fen;
    char digits[24];
    int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)(v / 100));
    size_t k = 0;
    if (fen < 0 && k + 1 < cap)
        out[k++] = '-';
    for (int i = 0; i < n && k + 1 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0 && k + 2 < cap)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    snprintf(out + k, cap > k ? cap - k : 0, ".%02u", (unsigned)(v % 100));
    return out;
}
