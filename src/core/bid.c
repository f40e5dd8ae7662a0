/* Bid score simulation (see bid.h). */
#include "core/bid.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/json_check.h"

typedef __int128 i128;

#define BID_MAX_BIDDERS 50
#define BID_PRICE_MAX 1000000000000000LL /* 10 trillion yuan in fen */

const char *const bid_formulas[] = {"lowest_price_benchmark", NULL};

typedef struct bidder {
    const char *name;
    bool us;
    int64_t price;     /* fen */
    int64_t non_price; /* business + technical + service, hundredths of a point */
} bidder;

typedef struct scheme {
    int business, price, technical, service; /* points, sum 100 */
} scheme;

/* A score in hundredths from a JSON number of at most two decimals in [0, max]. */
static bf_result read_score(json_t *v, int max, const char *field, int64_t *out, bf_error *err)
{
    if (!json_is_number(v))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", field, "%s must be a number", field);
    double x = json_number_value(v);
    double h = x * 100.0;
    double r = floor(h + 0.5);
    if (fabs(h - r) > 1e-6)
        return bf_fail(err, BF_ERR_INVALID, "too_precise", field, "%s has more than two decimals",
                       field);
    if (r < 0 || r > max * 100.0)
        return bf_fail(err, BF_ERR_INVALID, "out_of_range", field,
                       "%s must be between 0 and %d, the category's weight", field, max);
    *out = (int64_t)r;
    return BF_OK;
}

static bf_result read_weights(json_t *w, scheme *s, bf_error *err)
{
    static const char *const keys[] = {"business", "price", "technical", "service", NULL};
    int *slots[] = {&s->business, &s->price, &s->technical, &s->service};
    if (w == NULL)
        return bf_fail(err, BF_ERR_INVALID, "required", "weights", "weights is required");
    if (!json_is_object(w))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "weights",
                       "weights must be an object of business, price, technical, service");
    bf_result r = json_check_keys(
        w, keys, "weights", "is not a scoring category (business, price, technical, service)", err);
    if (r != BF_OK)
        return r;
    int sum = 0;
    for (int i = 0; i < 4; i++) {
        char field[40];
        json_check_path_key(field, sizeof(field), "weights", keys[i]);
        json_t *x = json_object_get(w, keys[i]);
        if (x == NULL)
            return bf_fail(err, BF_ERR_INVALID, "required", field, "%s is required", field);
        if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 100)
            return bf_fail(err, BF_ERR_INVALID, "out_of_range", field,
                           "%s must be a whole number from 0 to 100", field);
        *slots[i] = (int)json_integer_value(x);
        sum += *slots[i];
    }
    if (sum != 100)
        return bf_fail(err, BF_ERR_INVALID, "weights_sum", "weights",
                       "the weights must sum to 100, not %d", sum);
    return BF_OK;
}

static bf_result read_bidder(json_t *b, size_t i, const scheme *s, bidder *out, bf_error *err)
{
    static const char *const keys[] = {"name", "us", "price", "scores", NULL};
    char at[40], field[80];
    bf_result r =
        json_check_item(b, "bidders", i, keys, "is not a field of a bidder", at, sizeof(at), err);
    if (r != BF_OK)
        return r;
    json_check_path_key(field, sizeof(field), at, "name");
    json_t *name = json_object_get(b, "name");
    if (!json_is_string(name) || json_string_length(name) == 0 || json_string_length(name) > 200)
        return bf_fail(err, BF_ERR_INVALID, name ? "wrong_type" : "required", field,
                       "%s must be a name of 1 to 200 bytes", field);
    out->name = json_string_value(name);
    json_t *us = json_object_get(b, "us");
    json_check_path_key(field, sizeof(field), at, "us");
    if (us != NULL && (r = json_check_bool(us, field, err)) != BF_OK)
        return r;
    out->us = json_is_true(us);
    json_check_path_key(field, sizeof(field), at, "price");
    json_t *price = json_object_get(b, "price");
    if (price == NULL)
        return bf_fail(err, BF_ERR_INVALID, "required", field,
                       "%s is required: every bidder needs a price (fen)", field);
    if (!json_is_integer(price))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", field, "%s must be a whole number of fen",
                       field);
    if (json_integer_value(price) <= 0)
        return bf_fail(err, BF_ERR_INVALID, json_integer_value(price) < 0 ? "negative" : "zero",
                       field, "%s must be a positive number of fen", field);
    if (json_integer_value(price) > BID_PRICE_MAX)
        return bf_fail(err, BF_ERR_INVALID, "out_of_range", field, "%s is too large", field);
    out->price = json_integer_value(price);

    json_check_path_key(field, sizeof(field), at, "scores");
    json_t *scores = json_object_get(b, "scores");
    if (scores == NULL)
        return bf_fail(err, BF_ERR_INVALID, "required", field, "%s is required", field);
    if (!json_is_object(scores))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", field,
                       "%s must be an object of business, technical, service", field);
    static const char *const cats[] = {"business", "technical", "service"};
    const int maxes[] = {s->business, s->technical, s->service};
    const char *key;
    json_t *v;
    json_object_foreach(scores, key, v)
    {
        bool known = false;
        for (int k = 0; k < 3; k++)
            known |= strcmp(key, cats[k]) == 0;
        if (!known) {
            snprintf(field, sizeof(field), "bidders[%zu].scores.%.30s", i, key);
            return bf_fail(err, BF_ERR_INVALID, "unknown_field", field,
                           "%s: the price score is computed, the others are business, technical "
                           "and service",
                           field);
        }
    }
    out->non_price = 0;
    for (int k = 0; k < 3; k++) {
        snprintf(field, sizeof(field), "bidders[%zu].scores.%s", i, cats[k]);
        json_t *x = json_object_get(scores, cats[k]);
        if (x == NULL)
            return bf_fail(err, BF_ERR_INVALID, "required", field, "%s is required", field);
        int64_t h = 0;
        if ((r = read_score(x, maxes[k], field, &h, err)) != BF_OK)
            return r;
        out->non_price += h;
    }
    return BF_OK;
}

/* Total of b, in hundredths, as the fraction (non_price x price + K x benchmark) / price,
 * where K = 100 x price weight. */
typedef struct fraction {
    i128 num, den;
} fraction;

static fraction total_of(const bidder *b, int64_t benchmark, int64_t k)
{
    fraction f = {(i128)b->non_price * b->price + (i128)k * benchmark, b->price};
    return f;
}

static int fraction_cmp(fraction a, fraction b)
{
    i128 l = a.num * b.den, r = b.num * a.den;
    return l < r ? -1 : l > r ? 1 : 0;
}

/* A fraction of hundredths as points, rounded half up to two decimals. */
static json_t *points_json(i128 num, i128 den)
{
    i128 h = (2 * num + den) / (2 * den);
    return json_real((double)h / 100.0);
}

/* The highest price (fen) at which we rank strictly first, others fixed.
 * Below the lowest competitor price m, our price is the benchmark: our price
 * score is full and theirs grow with our price. Above m, m is the benchmark
 * and our score falls as our price rises. Returns 0 with *why when no price
 * wins, -1 when every price wins. */
static int64_t solve(const bidder *bs, size_t n, size_t us, int64_t k, const char **why)
{
    int64_t m = 0;
    for (size_t j = 0; j < n; j++)
        if (j != us && (m == 0 || bs[j].price < m))
            m = bs[j].price;
    if (m == 0) {
        *why = "alone";
        return -1;
    }
    if (k == 0) {
        for (size_t j = 0; j < n; j++)
            if (j != us && bs[j].non_price >= bs[us].non_price) {
                *why = "no_price_weight_behind";
                return 0;
            }
        *why = "no_price_weight_ahead";
        return -1;
    }
    i128 s_us = bs[us].non_price;

    /* Above m: P x A_j < K m P_j with A_j = S_j P_j + K m - S_us P_j. */
    bool bounded = false;
    i128 p2 = 0;
    for (size_t j = 0; j < n; j++) {
        if (j == us)
            continue;
        i128 pj = bs[j].price;
        i128 a = (i128)bs[j].non_price * pj + (i128)k * m - s_us * pj;
        if (a <= 0)
            continue;
        i128 limit = ((i128)k * m * pj - 1) / a;
        if (!bounded || limit < p2)
            p2 = limit;
        bounded = true;
    }
    if (!bounded) {
        *why = "any_price";
        return -1;
    }
    if (p2 > m)
        return p2 > BID_PRICE_MAX ? BID_PRICE_MAX : (int64_t)p2;

    /* At or below m: (S_us + K - S_j) P_j > K P. */
    i128 p1 = m;
    for (size_t j = 0; j < n; j++) {
        if (j == us)
            continue;
        i128 nj = (s_us + k - bs[j].non_price) * (i128)bs[j].price;
        if (nj <= 0) {
            *why = "non_price_gap";
            return 0;
        }
        i128 limit = (nj - 1) / k;
        if (limit < p1)
            p1 = limit;
    }
    if (p1 >= 1)
        return (int64_t)p1;
    *why = "non_price_gap";
    return 0;
}

static json_t *reason_json(const char *why)
{
    static const struct {
        const char *code, *zh, *en;
    } reasons[] = {
        {"alone", "只有我方一家投标：任何价格都排名第一（但单一投标人通常导致流标）。",
         "We are the only bidder: any price ranks first (though a single bidder usually makes the "
         "tender fail)."},
        {"any_price", "我方非价格得分领先幅度足够大：任何价格都排名第一。",
         "Our non-price lead is large enough that any price ranks first."},
        {"no_price_weight_ahead", "价格分权重为 0，我方非价格得分领先：任何价格都排名第一。",
         "Price carries no weight and our other scores lead: any price ranks first."},
        {"no_price_weight_behind", "价格分权重为 0，我方非价格得分不领先：任何价格都无法排名第一。",
         "Price carries no weight and our other scores do not lead: no price ranks first."},
        {"non_price_gap",
         "即使我方报价最低、拿满价格分，仍有对手的商务+技术+"
         "服务得分高出我方，任何价格都无法排名第一；"
         "应先提升技术或商务得分。",
         "Even as the lowest bid with the full price score, a competitor's business, technical and "
         "service points stay ahead: no price ranks first. Raise the non-price scores first."},
    };
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (strcmp(reasons[i].code, why) == 0)
            return json_pack("{s:s, s:s, s:s}", "code", why, "zh", reasons[i].zh, "en",
                             reasons[i].en);
    return json_null();
}

bf_result bid_simulate(json_t *in, json_t **out, bf_error *err)
{
    if (!json_is_object(in))
        return bf_fail(err, BF_ERR_INVALID, "wrong_type", "", "the request must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        if (strcmp(key, "weights") != 0 && strcmp(key, "formula") != 0 &&
            strcmp(key, "bidders") != 0)
            return bf_fail(err, BF_ERR_INVALID, "unknown_field", key,
                           "%s is not a field of a bid simulation", key);
    }
    scheme s;
    bf_result r = read_weights(json_object_get(in, "weights"), &s, err);
    if (r != BF_OK)
        return r;
    json_t *formula = json_object_get(in, "formula");
    const char *f = formula ? json_string_value(formula) : "lowest_price_benchmark";
    if (f == NULL || strcmp(f, "lowest_price_benchmark") != 0)
        return bf_fail(err, BF_ERR_INVALID, "invalid_value", "formula",
                       "formula must be one of: lowest_price_benchmark");

    json_t *arr = json_object_get(in, "bidders");
    if (arr == NULL)
        return bf_fail(err, BF_ERR_INVALID, "required", "bidders", "bidders is required");
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > BID_MAX_BIDDERS)
        return bf_fail(err, BF_ERR_INVALID, "out_of_range", "bidders",
                       "bidders must be an array of 1 to %d bidders", BID_MAX_BIDDERS);
    size_t n = json_array_size(arr), us = SIZE_MAX;
    bidder bs[BID_MAX_BIDDERS];
    for (size_t i = 0; i < n; i++) {
        if ((r = read_bidder(json_array_get(arr, i), i, &s, &bs[i], err)) != BF_OK)
            return r;
        for (size_t j = 0; j < i; j++)
            if (strcmp(bs[j].name, bs[i].name) == 0) {
                char field[40];
                snprintf(field, sizeof(field), "bidders[%zu].name", i);
                return bf_fail(err, BF_ERR_INVALID, "duplicate", field, "%s repeats the bidder %s",
                               field, bs[i].name);
            }
        if (bs[i].us) {
            if (us != SIZE_MAX) {
                char field[40];
                snprintf(field, sizeof(field), "bidders[%zu].us", i);
                return bf_fail(err, BF_ERR_INVALID, "duplicate", field,
                               "only one bidder can be us");
            }
            us = i;
        }
    }
    if (us == SIZE_MAX)
        return bf_fail(err, BF_ERR_INVALID, "required", "bidders",
                       "one bidder must be us (\"us\": true)");

    int64_t k = 100LL * s.price, benchmark = bs[0].price;
    for (size_t i = 1; i < n; i++)
        if (bs[i].price < benchmark)
            benchmark = bs[i].price;

    fraction totals[BID_MAX_BIDDERS];
    for (size_t i = 0; i < n; i++)
        totals[i] = total_of(&bs[i], benchmark, k);
    json_t *list = json_array();
    int us_rank = 0;
    for (size_t i = 0; i < n; i++) {
        int rank = 1;
        for (size_t j = 0; j < n; j++)
            if (fraction_cmp(totals[j], totals[i]) > 0)
                rank++;
        if (i == us)
            us_rank = rank;
        json_array_append_new(list,
                              json_pack("{s:s, s:b, s:I, s:o, s:o, s:i}", "name", bs[i].name, "us",
                                        bs[i].us, "price", (json_int_t)bs[i].price, "price_score",
                                        points_json((i128)k * benchmark, bs[i].price), "total",
                                        points_json(totals[i].num, totals[i].den), "rank", rank));
    }
    const char *why = NULL;
    int64_t winning = solve(bs, n, us, k, &why);
    *out = json_pack("{s:s, s:I, s:o, s:i, s:o, s:o}", "formula", f, "benchmark",
                     (json_int_t)benchmark, "bidders", list, "us_rank", us_rank, "winning_price",
                     winning > 0 ? json_integer(winning) : json_null(), "reason",
                     winning > 0 ? json_null() : reason_json(why));
    return *out ? BF_OK : BF_ERR_NOMEM;
}
