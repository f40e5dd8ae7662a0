/* Bid score simulation (see bid.h). */
#include "core/bid.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/schema.h"

typedef __int128 i128;

static bf_result bid_compute(json_t *norm, json_t **out);

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

static const char *const categories[] = {"business", "technical", "service", NULL};

#define WEIGHT(key)                                                                                \
    {                                                                                              \
        .name = key, .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .max = 100                      \
    }

static const schema weight_members[] = {
    WEIGHT("business"), WEIGHT("price"), WEIGHT("technical"), WEIGHT("service"), {0},
};

static const schema score = {.kind = SCHEMA_NUMBER,
                             .doc = "Points out of the category's weight, at most two decimals"};

static const schema bidder_members[] = {
    {.name = "name", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .max = 200},
    {.name = "us", .kind = SCHEMA_BOOL, .doc = "This bidder is us (false when left out)"},
    {.name = "price",
     .kind = SCHEMA_MONEY,
     .flags = SCHEMA_REQUIRED,
     .max = BID_PRICE_MAX,
     .doc = "The bid price, fen, above 0"},
    {.name = "scores",
     .kind = SCHEMA_MAP,
     .flags = SCHEMA_REQUIRED,
     .item = &score,
     .doc = "business, technical and service points (the price score is computed)"},
    {0},
};

static const schema bidder_schema = {.kind = SCHEMA_OBJECT, .members = bidder_members};

/* The weights of the four categories sum to 100. */
static bf_result check_weights(json_t *w, const char *path, bf_error *err)
{
    json_int_t sum = 0;
    for (const schema *m = weight_members; m->name; m++)
        sum += json_integer_value(json_object_get(w, m->name));
    if (sum == 100)
        return BF_OK;
    return bf_fail_args(err, BF_ERR_INVALID, "weights_sum", path, BF_ARGS(BF_NUM("sum", sum)),
                        "the weights must sum to 100, not %d", (int)sum);
}

/* Bidder i's price is above 0 and its scores name the three categories,
 * each at most the category's weight with at most two decimals. */
static bf_result check_bidder(json_t *b, size_t i, json_t *weights, const char *path, bf_error *err)
{
    char field[96];
    schema_path_format(field, sizeof(field), path, "bidders[%zu].price", i);
    if (json_integer_value(json_object_get(b, "price")) == 0)
        return bf_fail(err, BF_ERR_INVALID, "zero", field, "%s must be a positive number of fen",
                       field);
    json_t *scores = json_object_get(b, "scores");
    const char *key;
    json_t *v;
    json_object_foreach(scores, key, v)
    {
        if (!schema_one_of(key, categories)) {
            schema_path_format(field, sizeof(field), path, "bidders[%zu].scores.%.30s", i, key);
            return bf_fail(err, BF_ERR_INVALID, "unknown_field", field,
                           "%s: the price score is computed, the others are business, technical "
                           "and service",
                           field);
        }
    }
    for (size_t k = 0; categories[k]; k++) {
        schema_path_format(field, sizeof(field), path, "bidders[%zu].scores.%s", i, categories[k]);
        json_t *x = json_object_get(scores, categories[k]);
        json_int_t max = json_integer_value(json_object_get(weights, categories[k]));
        int64_t h;
        if (x == NULL)
            return bf_fail(err, BF_ERR_INVALID, "required", field, "%s is required", field);
        if (!schema_hundredths(x, &h))
            return bf_fail(err, BF_ERR_INVALID, "too_precise", field,
                           "%s has more than two decimals", field);
        if (h < 0 || h > max * 100)
            return bf_fail(err, BF_ERR_INVALID, "out_of_range", field,
                           "%s must be between 0 and %d, the category's weight", field, (int)max);
    }
    return BF_OK;
}

/* 1 to BID_MAX_BIDDERS bidders with unique names, exactly one of them us,
 * each checked against the weights. */
static bf_result check_simulation(json_t *norm, const char *path, bf_error *err)
{
    json_t *arr = json_object_get(norm, "bidders");
    json_t *weights = json_object_get(norm, "weights");
    char field[96];
    schema_path_format(field, sizeof(field), path, "bidders");
    if (json_array_size(arr) == 0)
        return bf_fail(err, BF_ERR_INVALID, "out_of_range", field,
                       "%s must be an array of 1 to %d bidders", field, BID_MAX_BIDDERS);
    size_t us = SIZE_MAX;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *b = json_array_get(arr, i);
        bf_result r = check_bidder(b, i, weights, path, err);
        if (r != BF_OK)
            return r;
        json_t *name = json_object_get(b, "name");
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_object_get(json_array_get(arr, j), "name"), name)) {
                schema_path_format(field, sizeof(field), path, "bidders[%zu].name", i);
                return bf_fail(err, BF_ERR_INVALID, "duplicate", field, "%s repeats the bidder %s",
                               field, json_string_value(name));
            }
        if (json_is_true(json_object_get(b, "us"))) {
            if (us != SIZE_MAX) {
                schema_path_format(field, sizeof(field), path, "bidders[%zu].us", i);
                return bf_fail(err, BF_ERR_INVALID, "duplicate", field,
                               "only one bidder can be us");
            }
            us = i;
        }
    }
    if (us == SIZE_MAX) {
        schema_path_format(field, sizeof(field), path, "bidders");
        return bf_fail(err, BF_ERR_INVALID, "required", field,
                       "one bidder must be us (\"us\": true)");
    }
    return BF_OK;
}

static const schema simulation_members[] = {
    {.name = "weights",
     .kind = SCHEMA_OBJECT,
     .flags = SCHEMA_REQUIRED,
     .members = weight_members,
     .rule = check_weights,
     .doc = "Points of each category, summing to 100"},
    {.name = "formula",
     .kind = SCHEMA_ENUM,
     .values = bid_formulas,
     .doc = "The price formula; lowest_price_benchmark when left out"},
    {.name = "bidders",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_REQUIRED,
     .max = BID_MAX_BIDDERS,
     .item = &bidder_schema,
     .doc = "Every bidder, one of them us"},
    {0},
};

const schema bid_simulation_schema = {
    .name = "BidSimulation",
    .kind = SCHEMA_OBJECT,
    .members = simulation_members,
    .rule = check_simulation,
    .doc = "A bid scoring scheme: category weights, the price formula and every bidder's "
           "expected scores and price"};

/* Reads bidder b of a checked simulation. */
static void read_bidder(json_t *b, bidder *out)
{
    out->name = json_string_value(json_object_get(b, "name"));
    out->us = json_is_true(json_object_get(b, "us"));
    out->price = json_integer_value(json_object_get(b, "price"));
    out->non_price = 0;
    json_t *scores = json_object_get(b, "scores");
    for (size_t k = 0; categories[k]; k++) {
        int64_t h = 0;
        schema_hundredths(json_object_get(scores, categories[k]), &h); /* checked */
        out->non_price += h;
    }
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
    json_t *norm;
    bf_result r = schema_check(&bid_simulation_schema, in, &norm, err);
    if (r != BF_OK)
        return r;
    r = bid_compute(norm, out);
    json_decref(norm);
    return r;
}

/* The simulation of a checked scheme. */
static bf_result bid_compute(json_t *norm, json_t **out)
{
    json_t *arr = json_object_get(norm, "bidders");
    scheme s = {.price = (int)json_integer_value(
                    json_object_get(json_object_get(norm, "weights"), "price"))};
    const char *f = json_string_value(json_object_get(norm, "formula"));
    if (f == NULL)
        f = bid_formulas[0];
    size_t n = json_array_size(arr), us = 0;
    if (n == 0 || n > BID_MAX_BIDDERS) /* the scheme's rule allows 1 to BID_MAX_BIDDERS */
        return BF_ERR_INTERNAL;
    bidder bs[BID_MAX_BIDDERS] = {0};
    for (size_t i = 0; i < n; i++) {
        read_bidder(json_array_get(arr, i), &bs[i]);
        if (bs[i].us)
            us = i;
    }

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
