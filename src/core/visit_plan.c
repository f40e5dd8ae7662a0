/* Visit plan compliance (see visit_plan.h). */
#include "core/visit_plan.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

void visit_plan_evaluate(const mode_def *mode, const char *since, const char *now,
                         const plan_activity *acts, size_t n, plan_status *out)
{
    time_t start = text_parse_utc(since);
    text_format_utc(start + (time_t)mode->benchmark_days * 86400, out->window_end,
                    sizeof(out->window_end));
    out->done_in_window = 0;
    out->done_total = 0;
    for (size_t i = 0; i < n; i++) {
        if (acts[i].done_at == NULL || strcmp(acts[i].type, "visit") != 0)
            continue;
        out->done_total++;
        time_t done = text_parse_utc(acts[i].done_at);
        if (done >= start && done <= start + (time_t)mode->benchmark_days * 86400)
            out->done_in_window++;
    }
    out->compliant = out->done_in_window >= mode->benchmark_visits;
    bool over = text_parse_utc(now) > start + (time_t)mode->benchmark_days * 86400;
    out->status = out->compliant ? "met" : over ? "missed" : "in_progress";
}

void visit_plan_ref(const mode_def *mode, const visit_def *v, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%d", mode->id, v->n);
}
