/* A sales mode's visit plan against what was done: how many visits fell in
 * the mode's window (benchmark.days from the day the mode was chosen), and
 * whether the benchmark (e.g. three visits within a week) is met. Pure. */
#ifndef BF_CORE_VISIT_PLAN_H
#define BF_CORE_VISIT_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/playbook.h"

/* One activity of the opportunity, as far as the plan cares. */
typedef struct plan_activity {
    const char *type;    /* "visit", "call", … */
    const char *done_at; /* UTC, NULL when not done */
} plan_activity;

typedef struct plan_status {
    char window_end[32]; /* UTC */
    int done_in_window;  /* visits done inside the window */
    int done_total;      /* visits done at all */
    bool compliant;      /* done_in_window reaches the benchmark */
    const char *status;  /* "met", "in_progress" or "missed" */
} plan_status;

/* Evaluates mode's plan started at since (UTC) as of now (UTC). */
void visit_plan_evaluate(const mode_def *mode, const char *since, const char *now,
                         const plan_activity *acts, size_t n, plan_status *out);

/* The plan_ref of visit v of mode ("quick/2") into out. */
void visit_plan_ref(const mode_def *mode, const visit_def *v, char *out, size_t cap);

#endif
