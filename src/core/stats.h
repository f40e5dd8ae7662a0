/* Small statistics the reports need: the Wilson score interval of an
 * observed rate, and quantiles of whole-day counts. Pure. */
#ifndef BF_CORE_STATS_H
#define BF_CORE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* The 95% Wilson score interval of k successes in n trials (n > 0) into
 * *lo and *hi, both within 0..1; 0..1 itself when n is 0. */
void stats_wilson(int64_t k, int64_t n, double *lo, double *hi);

/* A count of stays of `days` whole days. */
typedef struct stats_day_count {
    int64_t days, n;
} stats_day_count;

/* The q-quantile (0 < q <= 1; 0.5 the median) of the stays in counts
 * (sorted by days, no two alike): the smallest days with at least q of the
 * stays at or below it, the lower of the two middle values for an even
 * median. 0 when there are none. */
int64_t stats_day_quantile(const stats_day_count *counts, size_t n, double q);

/* The suggested probability (percent) for a stage whose nominal percent
 * lies outside the Wilson interval of k won of n closed, with at least
 * min_n closed: the observed rate rounded; else -1 (keep the nominal). */
int stats_suggest_percent(int nominal, int64_t k, int64_t n, int64_t min_n);

#endif
