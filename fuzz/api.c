/* Fuzz target: whole requests through the API in-process (http_request_local
 * and api_handle) on an in-memory database: routing, query parameters, list
 * filters and cursors, If-Match, every body a route takes (the forms, the
 * tools, checklist ticks, decisions, transfers, records), and the rules
 * behind them. An input is
 *
 *     METHOD /path?query
 *     Header: value
 *     …
 *     <empty line>
 *     body
 *
 * where {acc}, {opp}, {con} and {usr} in the path or the body stand for records made at
 * start. Requests act as the command line's admin, or as the user named by
 * an X-Bingfa-As header (fz_sales, fz_partner, fz_impl). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

static store *st;
static playbook_set *playbooks;
static api *app;
static char acc_id[48], opp_id[48], con_id[48], usr_id[48], ptn_id[48];

/* Runs one request as the admin during set-up; copies "id" of the answer. */
static void setup_request(const char *method, const char *path, const char *body, char *id_out)
{
    arena *a = arena_new(0);
    http_request *req;
    static const char *const headers[] = {"Content-Type", "application/json", NULL};
    if (a == NULL || http_request_local(a, method, path, body, body ? strlen(body) : 0, headers,
                                        api_handle, app, &req) != BF_OK)
        abort();
    if (req->status >= 300) {
        fprintf(stderr, "fuzz set-up: %s %s: %d %.*s\n", method, path, req->status,
                (int)req->out.len, req->out.data);
        abort();
    }
    if (id_out != NULL) {
        json_t *j = json_loadb(req->out.data, req->out.len, 0, NULL);
        const char *id = json_string_value(json_object_get(j, "id"));
        if (id == NULL)
            abort();
        snprintf(id_out, 48, "%s", id);
        json_decref(j);
    }
    arena_free(a);
}

/* A fresh database with the records the inputs name. */
static void set_up(void)
{
    bf_error err = {0};
    if (store_open(":memory:", NULL, &st, &err) != BF_OK || api_new(st, playbooks, &app) != BF_OK) {
        fprintf(stderr, "fuzz set-up: %s\n", err.message);
        abort();
    }
    char body[400];
    setup_request("POST", "/api/v1/teams", "{\"name\":\"模糊测试团队\",\"share_deals\":true}",
                  NULL);
    setup_request("POST", "/api/v1/partners", "{\"name\":\"模糊渠道\"}", ptn_id);
    snprintf(body, sizeof(body),
             "{\"name\":\"fz_partner\",\"role\":\"partner\",\"partner_id\":\"%s\"}", ptn_id);
    setup_request("POST", "/api/v1/users", body, NULL);
    setup_request("POST", "/api/v1/users", "{\"name\":\"fz_impl\",\"role\":\"implementation\"}",
                  NULL);
    setup_request("POST", "/api/v1/users", "{\"name\":\"fz_sales\",\"role\":\"sales\"}", usr_id);
    setup_request("POST", "/api/v1/accounts", "{\"name\":\"模糊测试医院\"}", acc_id);
    snprintf(body, sizeof(body),
             "{\"account_id\":\"%s\",\"name\":\"门诊楼无线\",\"amount\":5000000,"
             "\"playbook\":\"yonyou-7\",\"owner_id\":\"%s\"}",
             acc_id, usr_id);
    setup_request("POST", "/api/v1/opportunities", body, opp_id);
    snprintf(body, sizeof(body),
             "{\"account_id\":\"%s\",\"name\":\"王院长\",\"buying_role\":\"approver\"}", acc_id);
    setup_request("POST", "/api/v1/contacts", body, con_id);
    char path[200];
    snprintf(path, sizeof(path), "/api/v1/opportunities/%s/partners/%s", opp_id, ptn_id);
    setup_request("PUT", path, NULL, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    bf_error err = {0};
    if ((playbooks = playbook_set_new()) == NULL ||
        playbook_set_add_builtin(playbooks, &err) != BF_OK) {
        fprintf(stderr, "fuzz set-up: %s\n", err.message);
        abort();
    }
    set_up();
    return 0;
}

/* What the inputs write piles up in the database: start afresh now and then,
 * so that a long run keeps its memory (and its speed). */
#define RUNS_PER_DATABASE 20000

/* Appends src to out (cap bytes), replacing the placeholders by ids. */
static void expand(const char *src, size_t n, char *out, size_t cap)
{
    static const struct {
        const char *name;
        const char *value;
    } marks[] = {{"{acc}", acc_id}, {"{opp}", opp_id}, {"{con}", con_id}, {"{usr}", usr_id}};
    size_t w = 0;
    for (size_t i = 0; i < n && w + 1 < cap;) {
        bool done = false;
        for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]) && !done; k++) {
            size_t len = strlen(marks[k].name);
            if (n - i >= len && memcmp(src + i, marks[k].name, len) == 0) {
                size_t v = strlen(marks[k].value);
                if (w + v + 1 >= cap)
                    break;
                memcpy(out + w, marks[k].value, v);
                w += v;
                i += len;
                done = true;
            }
        }
        if (!done)
            out[w++] = src[i++];
    }
    out[w] = '\0';
}

#define MAX_HEADERS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned runs;
    if (++runs % RUNS_PER_DATABASE == 0) {
        api_free(app);
        store_close(st);
        set_up();
    }
    const char *text = (const char *)data;
    const char *end = text + size;
    const char *nl = memchr(text, '\n', size);
    if (nl == NULL)
        return 0;
    /* The request line. */
    const char *space = memchr(text, ' ', (size_t)(nl - text));
    if (space == NULL)
        return 0;
    char method[16], target[2048];
    size_t mlen = (size_t)(space - text);
    if (mlen == 0 || mlen >= sizeof(method))
        return 0;
    memcpy(method, text, mlen);
    method[mlen] = '\0';
    expand(space + 1, (size_t)(nl - space - 1), target, sizeof(target));
    /* Headers, up to an empty line. */
    char names[MAX_HEADERS][64], values[MAX_HEADERS][512];
    const char *headers[2 * MAX_HEADERS + 1];
    size_t nh = 0;
    const char *p = nl + 1;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        if (eol == p) {
            p = eol + 1;
            break;
        }
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon != NULL && nh < MAX_HEADERS && (size_t)(colon - p) < sizeof(names[0])) {
            size_t kl = (size_t)(colon - p);
            memcpy(names[nh], p, kl);
            names[nh][kl] = '\0';
            const char *v = colon + 1;
            while (v < eol && *v == ' ')
                v++;
            size_t vl = (size_t)(eol - v) < sizeof(values[0]) - 1 ? (size_t)(eol - v)
                                                                  : sizeof(values[0]) - 1;
            memcpy(values[nh], v, vl);
            values[nh][vl] = '\0';
            if (strlen(names[nh]) == kl && strlen(values[nh]) == vl) {
                headers[2 * nh] = names[nh];
                headers[2 * nh + 1] = values[nh];
                nh++;
            }
        }
        p = eol + 1;
    }
    headers[2 * nh] = NULL;
    if (p > end)
        p = end;

    arena *a = arena_new(0);
    size_t blen = (size_t)(end - p);
    char *body = a ? arena_alloc(a, 2 * blen + 256) : NULL;
    if (body == NULL)
        abort();
    expand(p, blen, body, 2 * blen + 256);
    http_request *req;
    if (http_request_local(a, method, target, body, strlen(body), headers, api_handle, app, &req) !=
        BF_OK)
        abort();
    if (getenv("BINGFA_FUZZ_VERBOSE") != NULL) /* to see what a corpus reaches */
        fprintf(stderr, "%d %s %s %.*s\n", req->status, method, target,
                (int)(req->out.len < 160 ? req->out.len : 160), req->out.data);
    /* Every answer is a status the API documents, and an error says why. */
    if (req->status < 200 || req->status > 599)
        abort();
    if (req->status >= 400) {
        json_t *j = json_loadb(req->out.data, req->out.len, 0, NULL);
        json_t *e = json_object_get(j, "error");
        if (!json_is_string(json_object_get(e, "message")))
            abort();
        json_decref(j);
    }
    if (req->status == 500)
        abort(); /* no input is a server error */
    arena_free(a);
    return 0;
}
