/* What every manager's report takes (docs/reports.md): the months from and
 * to (YYYY-MM; this year by default), a currency, a playbook, an owner or a
 * team (its whole tree), checked alike, and the names of people and teams
 * the reports show; the window of close months of a report of open deals. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "http/response.h"

/* Whether s is YYYY-MM with a month 01..12. */
static bool is_month(const char *s)
{
    if (s == NULL || strlen(s) != 7 || s[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return false;
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    return m >= 1 && m <= 12;
}

static const char *query_or_null(api_call *call, const char *name)
{
    const char *v = http_query(call->req, name);
    return v && *v ? v : NULL;
}

int api_report_month_index(const char *month)
{
    int y = 0, m = 0;
    sscanf(month, "%4d-%2d", &y, &m);
    return y * 12 + (m - 1);
}

/* ?as_of=YYYY-MM-DD: the report as it stood at the end of that day (UTC).
 * The moment after it into *before; NULL without. */
static bf_result as_of(api_call *call, const char **before)
{
    const char *day = http_query(call->req, "as_of");
    *before = NULL;
    if (day == NULL || *day == '\0')
        return BF_OK;
    int y, m, d;
    char tail;
    if (strlen(day) != 10 || sscanf(day, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 ||
        m > 12 || d < 1 || d > 31)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "as_of",
                       "as_of must be a day, YYYY-MM-DD");
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1};
    time_t t = timegm(&tm);
    char at[32];
    text_format_utc(t, at, sizeof(at));
    *before = arena_strdup(call->arena, at);
    return *before ? BF_OK : BF_ERR_NOMEM;
}

bf_result api_report_query(api_call *call, report_cube cube, cube_query *q)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char year_from[16], year_to[16];
    snprintf(year_from, sizeof(year_from), "%04d-01", tm.tm_year + 1900);
    snprintf(year_to, sizeof(year_to), "%04d-12", tm.tm_year + 1900);
    *q = (cube_query){.who = call->who, .cube = cube};
    q->from = query_or_null(call, "from");
    q->to = query_or_null(call, "to");
    if (q->from == NULL && (q->from = arena_strdup(call->arena, year_from)) == NULL)
        return BF_ERR_NOMEM;
    if (q->to == NULL && (q->to = arena_strdup(call->arena, year_to)) == NULL)
        return BF_ERR_NOMEM;
    if (!is_month(q->from))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "from",
                       "from must be a month, YYYY-MM");
    if (!is_month(q->to))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "to",
                       "to must be a month, YYYY-MM");
    int span = api_report_month_index(q->to) - api_report_month_index(q->from);
    if (span < 0 || span >= 120)
        return bf_fail(&call->err, BF_ERR_INVALID, "out_of_range", "to",
                       "to must be from the month of from to at most 120 months later");
    q->currency = query_or_null(call, "currency");
    if (q->currency == NULL)
        q->currency = "CNY";
    q->playbook = query_or_null(call, "playbook");
    if (q->playbook && playbook_set_find(call->app->playbooks, q->playbook) == NULL)
        return bf_fail(&call->err, BF_ERR_INVALID, "unknown_playbook", "playbook",
                       "playbook %s is not loaded", q->playbook);
    q->owner_id = query_or_null(call, "owner");
    q->team_id = query_or_null(call, "team");
    return as_of(call, &q->before);
}

bf_result api_report_window(api_call *call, const char **from, const char **to)
{
    *from = query_or_null(call, "from");
    *to = query_or_null(call, "to");
    if (*from == NULL && *to == NULL)
        return BF_OK;
    if (*from && !is_month(*from))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "from",
                       "from must be a month, YYYY-MM");
    if (*to && !is_month(*to))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "to",
                       "to must be a month, YYYY-MM");
    if (*from && *to && strcmp(*from, *to) > 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "out_of_range", "to",
                       "to must be the month of from or later");
    if (*from == NULL)
        *from = "0000-01";
    if (*to == NULL)
        *to = "9999-12";
    return BF_OK;
}

const char *api_report_as_of(api_call *call)
{
    return query_or_null(call, "as_of");
}

bf_result api_report_names(api_call *call, report_names *out)
{
    *out = (report_names){0};
    return store_report_people(call->app->store, call->arena, &out->people, &out->npeople,
                               &out->teams, &out->nteams, &call->err);
}

const report_person *api_report_person(const report_names *names, const char *id)
{
    for (size_t i = 0; id && i < names->npeople; i++)
        if (strcmp(names->people[i].id, id) == 0)
            return &names->people[i];
    return NULL;
}

const report_team *api_report_team(const report_names *names, const char *id)
{
    for (size_t i = 0; id && i < names->nteams; i++)
        if (strcmp(names->teams[i].id, id) == 0)
            return &names->teams[i];
    return NULL;
}
