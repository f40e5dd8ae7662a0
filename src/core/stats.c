/* Small statistics for the reports (see stats.h). */
#include "core/stats.h"

#include <math.h>

void stats_wilson(int64_t k, int64_t n, double *lo, double *hi)
{
    if (n <= 0) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    const double z = 1.959963984540054; /* the 97.5th percentile of the normal */
    double p = (double)k / (double)n, nn = (double)n, z2 = z * z;
    double centre = (p + z2 / (2.0 * nn)) / (1.0 + z2 / nn);
    double half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / (1.0 + z2 / nn);
    *lo = centre - half < 0.0 ? 0.0 : centre - half;
    *hi = centre + half > 1.0 ? 1.0 : centre + half;
}

int64_t stats_day_quantile(const stats_day_count *counts, size_t n, double q)
{
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += counts[i].n;
    if (total == 0)
        return 0;
    /* The rank of the quantile: ceil(q x total), at least 1. */
    double want = ceil(q * (double)total);
    int64_t rank = want < 1.0 ? 1 : (int64_t)want, seen = 0;
    for (size_t i = 0; i < n; i++) {
        seen += counts[i].n;
        if (seen >= rank)
            return counts[i].days;
    }
    return counts[n - 1].days;
}

int stats_suggest_percent(int nominal, int64_t k, int64_t n, int64_t min_n)
{
    if (n < min_n || n <= 0)
        return -1;
    double lo, hi;
    stats_wilson(k, n, &lo, &hi);
    double p = nominal / 100.0;
    if (p >= lo && p <= hi)
        return -1;
    return (int)lround(100.0 * (double)k / (double)n);
}
