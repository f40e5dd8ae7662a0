/* Document templates (docs/templates.md): the built-in ones and the
 * company's own versions (admin), checked when saved, and documents made
 * from them for a deal — Markdown filled by Mustache from the deal's data
 * (api_document_data), as Markdown, an HTML page, a Word file or a PDF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/filetype.h"
#include "api/pdf_doc.h"
#include "core/markdown.h"
#include "core/mustache.h"
#include "core/template_catalog.h"
#include "http/response.h"

#define DOCUMENT_MAX (8 * 1024 * 1024) /* the largest document a template makes */
#define PARTIALS_MAX 16

/* ---- finding a template --------------------------------------------------------------- */

/* The built-in template key in lang, named from the index; false when
 * there is none. */
static bool builtin_of(const char *key, const char *lang, doc_template *out)
{
    size_t len;
    const char *body = template_builtin_body(key, lang, &len);
    if (body == NULL)
        return false;
    *out = (doc_template){.key = key, .lang = lang, .body = body, .kind = "other"};
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)template_builtin_index(), i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "key")), key) != 0)
            continue;
        json_t *name = json_object_get(e, "name");
        out->kind = json_string_value(json_object_get(e, "kind"));
        out->name_zh = json_string_value(json_object_get(name, "zh"));
        out->name_en = json_string_value(json_object_get(name, "en"));
    }
    return true;
}

/* The template key in lang: the company's newest (or version), else the
 * built-in one. *builtin says which. */
static bf_result find_template(api_call *call, const char *key, const char *lang, int64_t version,
                               doc_template *out, bool *builtin)
{
    bf_result r =
        store_template_get(call->app->store, call->arena, key, lang, version, out, &call->err);
    *builtin = false;
    if (r != BF_ERR_NOT_FOUND || version > 0)
        return r;
    if (!builtin_of(key, lang, out))
        return bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "key", "no template %s (%s)", key,
                       lang);
    bf_error_clear(&call->err);
    *builtin = true;
    return BF_OK;
}

/* Partials are other templates of the same language, parsed once a render. */
typedef struct partials {
    api_call *call;
    const char *lang;
    const char *names[PARTIALS_MAX];
    const mustache_template *parsed[PARTIALS_MAX];
    size_t n;
} partials;

static const mustache_template *partial_of(void *ctx, const char *name)
{
    partials *p = ctx;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->parsed[i];
    doc_template t;
    bool builtin;
    mustache_template *m = NULL;
    bf_error ignored;
    if (p->n == PARTIALS_MAX || find_template(p->call, name, p->lang, 0, &t, &builtin) != BF_OK ||
        mustache_parse(p->call->arena, t.body, strlen(t.body), &m, &ignored) != BF_OK) {
        bf_error_clear(&p->call->err);
        return NULL;
    }
    p->names[p->n] = arena_strdup(p->call->arena, name);
    p->parsed[p->n++] = m;
    return m;
}

/* ---- the names a template reads ------------------------------------------------------ */

/* Names of the data (docs/templates.md) beyond the records' fields. */
static const char *const known_names[] = {"today",
                                          "iso",
                                          "zh",
                                          "en",
                                          "deal",
                                          "money",
                                          "fen",
                                          "yuan",
                                          "in_words",
                                          "account",
                                          "contacts",
                                          "buying_centre",
                                          "decision_maker",
                                          "approver",
                                          "evaluator",
                                          "initiator",
                                          "coach",
                                          "user",
                                          "other",
                                          "team",
                                          "display_name",
                                          "role",
                                          "quotation",
                                          "contract",
                                          "tender",
                                          "competitors",
                                          "forms",
                                          "mant",
                                          "w5p2",
                                          "compelling_event",
                                          "evaluation",
                                          "lines",
                                          "totals",
                                          "number",
                                          "revision",
                                          "status",
                                          "primary",
                                          "title",
                                          "currency",
                                          "valid_until",
                                          "payment_terms",
                                          "delivery_terms",
                                          "notes",
                                          "discount",
                                          "amount_in_words",
                                          "code",
                                          "kind",
                                          "unit",
                                          "unit_en",
                                          "name_en",
                                          "quantity",
                                          "unit_price",
                                          "list_amount",
                                          "discount_amount",
                                          "net",
                                          "tax",
                                          "gross",
                                          "tax_rate",
                                          "ratio",
                                          "description",
                                          "discount_rate",
                                          "max_line_discount",
                                          "party_a",
                                          "party_b",
                                          "signed_on",
                                          "archived_on",
                                          "archived",
                                          "amount",
                                          "plan",
                                          "milestones",
                                          "percent",
                                          "due_on",
                                          "invoiced_on",
                                          "invoice_no",
                                          "received_on",
                                          "received_amount",
                                          "planned",
                                          "received",
                                          "state",
                                          "overdue",
                                          "planned_total",
                                          "received_total",
                                          "outstanding",
                                          "first_payment_received",
                                          "id",
                                          "version",
                                          "created_at",
                                          "updated_at",
                                          "created_by",
                                          "sent_at",
                                          "owner_user",
                                          "email",
                                          "unit_price_yuan",
                                          "list_amount_yuan",
                                          "discount_amount_yuan",
                                          "net_yuan",
                                          "tax_yuan",
                                          "gross_yuan",
                                          "amount_yuan",
                                          "planned_yuan",
                                          "received_yuan",
                                          "stage",
                                          "name_zh",
                                          "probability",
                                          "handover",
                                          "complete",
                                          "missing",
                                          "items",
                                          "key",
                                          "done",
                                          "parts",
                                          "service_contract",
                                          "statement_of_work",
                                          "research_results",
                                          "proposal",
                                          "commitments",
                                          "project_lead",
                                          "implementer",
                                          "implementers",
                                          "users",
                                          "documents",
                                          "download",
                                          "contract_number",
                                          "contact",
                                          "acknowledged_by",
                                          "acknowledged_at",
                                          NULL};

static bool known_segment(const char *name, size_t n)
{
    for (size_t i = 0; known_names[i]; i++)
        if (strlen(known_names[i]) == n && strncmp(known_names[i], name, n) == 0)
            return true;
    for (size_t s = 0; resource_all[s]; s++)
        for (size_t f = 0; f < resource_all[s]->nfields; f++)
            if (strlen(resource_all[s]->fields[f].name) == n &&
                strncmp(resource_all[s]->fields[f].name, name, n) == 0)
                return true;
    return false;
}

/* Whether every part of a dotted name is one the data has somewhere. */
static bool known_name(const char *name)
{
    for (;;) {
        size_t n = strcspn(name, ".");
        if (!known_segment(name, n))
            return false;
        if (name[n] == '\0')
            return true;
        name += n + 1;
    }
}

/* {"names": […], "unknown": […]}: what t reads, and which of those no part
 * of the data has (a misspelt name renders nothing). */
static bf_result names_json(api_call *call, const mustache_template *t, json_t *into)
{
    json_t *names = json_array(), *unknown = json_array();
    if (names == NULL || unknown == NULL || json_object_set_new(into, "names", names) ||
        json_object_set_new(into, "unknown", unknown)) {
        json_decref(names);
        json_decref(unknown);
        return BF_ERR_NOMEM;
    }
    bf_result r = mustache_names(t, names);
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        if (r == BF_OK && !known_name(json_string_value(v)) && json_array_append(unknown, v) != 0)
            r = BF_ERR_NOMEM;
    }
    (void)call;
    return r;
}

static json_t *template_json(const doc_template *t, bool builtin, bool with_body)
{
    json_t *j = json_pack("{s:s, s:s, s:s?, s:{s:s?, s:s?}, s:I, s:b}", "key", t->key, "lang",
                          t->lang, "kind", t->kind, "name", "zh", t->name_zh, "en", t->name_en,
                          "version", (json_int_t)t->version, "builtin", builtin);
    if (j != NULL && t->created_at &&
        json_object_set_new(j, "created_at", json_string(t->created_at)))
        j = NULL;
    if (j != NULL && with_body && json_object_set_new(j, "body", json_string(t->body))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* ---- routes ------------------------------------------------------------------------- */

bf_result templates_list(api_call *call, const api_route *route)
{
    (void)route;
    doc_template *own = NULL;
    size_t n = 0;
    bf_result r = store_template_list(call->app->store, call->arena, &own, &n, &call->err);
    json_t *items = api_keep(call, json_array());
    if (r == BF_OK && items == NULL)
        r = BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < n; i++)
        if (json_array_append_new(items, template_json(&own[i], false, false)) != 0)
            r = BF_ERR_NOMEM;
    const json_t *index = template_builtin_index();
    size_t k;
    json_t *e;
    json_array_foreach((json_t *)index, k, e)
    {
        const char *key = json_string_value(json_object_get(e, "key"));
        for (size_t l = 0; r == BF_OK && template_langs[l]; l++) {
            bool replaced = false;
            for (size_t i = 0; i < n; i++)
                replaced |=
                    strcmp(own[i].key, key) == 0 && strcmp(own[i].lang, template_langs[l]) == 0;
            doc_template t;
            if (!replaced && builtin_of(key, template_langs[l], &t) &&
                json_array_append_new(items, template_json(&t, true, false)) != 0)
                r = BF_ERR_NOMEM;
        }
    }
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_pack("{s:O}", "items", items));
    return BF_OK;
}

static const char *lang_of(api_call *call)
{
    const char *lang = http_query(call->req, "lang");
    return lang && strcmp(lang, "en") == 0 ? "en" : "zh";
}

/* Answers template t with its text, the names m reads and the unknown ones. */
static bf_result respond_template(api_call *call, int status, const doc_template *t, bool builtin,
                                  const mustache_template *m)
{
    json_t *j = api_keep(call, template_json(t, builtin, true));
    bf_result r = j ? names_json(call, m, j) : BF_ERR_NOMEM;
    if (r == BF_OK)
        http_respond_json(call->req, status, json_incref(j));
    return r;
}

bf_result template_get(api_call *call, const api_route *route)
{
    (void)route;
    const char *v = http_query(call->req, "version");
    int64_t version = v ? strtoll(v, NULL, 10) : 0;
    doc_template t;
    bool builtin = v != NULL && strcmp(v, "builtin") == 0;
    mustache_template *m;
    bf_result r = BF_OK;
    if (!builtin)
        r = find_template(call, call->req->params[0], lang_of(call), version, &t, &builtin);
    else if (!builtin_of(call->req->params[0], lang_of(call),
                         &t)) /* even when the company's is newer */
        r = bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "key",
                    "no built-in template %s (%s)", call->req->params[0], lang_of(call));
    if (r == BF_OK)
        r = mustache_parse(call->arena, t.body, strlen(t.body), &m, &call->err);
    return r == BF_OK ? respond_template(call, 200, &t, builtin, m) : r;
}

/* A parse error names the body, with the engine's line and column. */
static bf_result parse_body(api_call *call, const char *body, mustache_template **m)
{
    bf_result r = mustache_parse(call->arena, body, strlen(body), m, &call->err);
    if (r == BF_ERR_INVALID)
        snprintf(call->err.field, sizeof(call->err.field), "body");
    return r;
}

typedef struct create_ctx {
    doc_template t;
    int64_t base_version; /* the version the text was written over (0: the built-in), or -1 */
} create_ctx;

static bf_result create_in_tx(api_call *call, void *ctx)
{
    create_ctx *c = ctx;
    bf_result r = BF_OK;
    if (c->base_version >= 0) {
        /* The text was written over version base_version: someone saving
         * meanwhile must not be overwritten unseen. */
        doc_template newest;
        r = store_template_get(call->app->store, call->arena, c->t.key, c->t.lang, 0, &newest,
                               &call->err);
        int64_t now = r == BF_OK ? newest.version : 0;
        if (r == BF_ERR_NOT_FOUND) {
            bf_error_clear(&call->err);
            r = BF_OK;
        }
        if (r == BF_OK && now != c->base_version)
            r = bf_fail(&call->err, BF_ERR_STALE, "version_mismatch", "base_version",
                        "version %lld of %s (%s) was saved meanwhile: read it and write again",
                        (long long)now, c->t.key, c->t.lang);
    }
    if (r == BF_OK)
        r = store_template_insert(call->app->store, call->arena, &c->t, &call->err);
    json_t *v = r == BF_OK
                    ? api_keep(call, json_pack("{s:s, s:s, s:I}", "template", c->t.key, "lang",
                                               c->t.lang, "version", (json_int_t)c->t.version))
                    : NULL;
    if (r == BF_OK && v == NULL)
        r = BF_ERR_NOMEM;
    return r == BF_OK ? api_audit(call, "template_save", "templates", c->t.id, NULL, v) : r;
}

bf_result template_create(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body;
    mustache_template *m;
    bf_result r = api_require(call, ACCESS_EDIT_PLAYBOOKS);
    if (r == BF_OK)
        r = api_body_as(call, &body_template, &body);
    create_ctx c = {.base_version = -1};
    if (r == BF_OK) {
        json_t *base = json_object_get(body, "base_version");
        c.base_version = base ? json_integer_value(base) : -1;
        json_t *name = json_object_get(body, "name");
        c.t = (doc_template){.key = json_string_value(json_object_get(body, "key")),
                             .lang = json_string_value(json_object_get(body, "lang")),
                             .kind = json_string_value(json_object_get(body, "kind")),
                             .name_zh = json_string_value(json_object_get(name, "zh")),
                             .name_en = json_string_value(json_object_get(name, "en")),
                             .body = json_string_value(json_object_get(body, "body")),
                             .created_by = call->actor};
        r = parse_body(call, c.t.body, &m);
    }
    if (r == BF_OK)
        r = api_transaction(call, create_in_tx, &c);
    return r == BF_OK ? respond_template(call, 201, &c.t, false, m) : r;
}

/* ---- documents of a deal -------------------------------------------------------------- */

/* The Markdown of template text (NULL: the template key's) for the deal of
 * the path, in the call's arena. */
static bf_result render_markdown(api_call *call, const char *key, const char *text,
                                 const char *lang, const char **md, size_t *len, doc_template *used)
{
    record *opp;
    bool builtin;
    bf_result r = api_require_visible(call, &resource_opportunities, call->req->params[0]);
    if (r == BF_OK)
        r = store_record_get(call->app->store, call->arena, &resource_opportunities,
                             call->req->params[0], &opp, &call->err);
    if (r == BF_OK && text == NULL)
        r = find_template(call, key, lang, 0, used, &builtin);
    mustache_template *m;
    if (r == BF_OK)
        r = parse_body(call, text ? text : used->body, &m);
    json_t *data;
    if (r == BF_OK)
        r = api_document_data(call, opp, &data);
    if (r != BF_OK)
        return r;
    partials p = {.call = call, .lang = lang};
    buf b;
    buf_init(&b, call->arena, DOCUMENT_MAX);
    if ((r = mustache_render(m, data, partial_of, &p, markdown_escape, &b, &call->err)) != BF_OK)
        return r;
    *md = buf_cstr(&b);
    *len = b.len;
    return BF_OK;
}

/* md as a page of its own: a title and print-friendly styles around its HTML. */
static bf_result page_of(api_call *call, const char *title, const char *md, size_t len,
                         const char *lang, buf *page)
{
    const char *html;
    size_t n;
    bf_result r = markdown_to_html(call->arena, md, len, &html, &n);
    buf_init(page, call->arena, DOCUMENT_MAX + 4096);
    if (r == BF_OK)
        r = buf_printf(page,
                       "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
                       strcmp(lang, "en") == 0 ? "en" : "zh-CN");
    if (r == BF_OK)
        r = buf_append_html(page, title);
    if (r == BF_OK)
        r = buf_append_str(
            page, "</title><style>body{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\","
                  "\"PingFang SC\",sans-serif;max-width:800px;margin:24px auto;line-height:1.7;"
                  "color:#222;font-size:14px}table{border-collapse:collapse;width:100%}th,td{"
                  "border:1px solid #999;padding:4px 6px}th{background:#f2f2f2}@media print{"
                  "body{margin:0}}</style></head><body>");
    if (r == BF_OK)
        r = buf_append(page, html, n);
    return r == BF_OK ? buf_append_str(page, "</body></html>") : r;
}

/* "财务系统一期-报价单.md" made safe for a header: RFC 5987's filename*. */
static const char *download_header(api_call *call, const char *deal, const char *name,
                                   const char *ext)
{
    buf b;
    buf_init(&b, call->arena, 2048);
    bf_result r = buf_printf(&b, "attachment; filename=\"document.%s\"; filename*=UTF-8''", ext);
    char whole[600];
    snprintf(whole, sizeof(whole), "%s-%s.%s", deal, name, ext);
    for (const unsigned char *s = (const unsigned char *)whole; r == BF_OK && *s; s++) {
        bool plain = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                     (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL;
        r = plain ? buf_append(&b, s, 1) : buf_printf(&b, "%%%02X", *s);
    }
    return r == BF_OK ? buf_cstr(&b) : NULL;
}

/* The formats of a document, and what each is answered as. */
typedef enum doc_format { FORMAT_HTML, FORMAT_MARKDOWN, FORMAT_DOCX, FORMAT_PDF } doc_format;

static const struct {
    const char *name, *ext, *type;
} formats[] = {
    [FORMAT_HTML] = {"html", "html", "text/html; charset=utf-8"},
    [FORMAT_MARKDOWN] = {"markdown", "md", "text/markdown; charset=utf-8"},
    [FORMAT_DOCX] = {"docx", "docx",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    [FORMAT_PDF] = {"pdf", "pdf", "application/pdf"},
};

/* The bytes of md in format (HTML, Word or PDF), in the call's arena. */
static bf_result document_file(api_call *call, doc_format format, const char *name,
                               const char *lang, const char *md, size_t len, const char **file,
                               size_t *size)
{
    bf_result r;
    if (format == FORMAT_DOCX) {
        docx_parts parts;
        if ((r = docx_from_markdown(call->arena, md, len, name, &parts)) != BF_OK)
            return r;
        return api_zip_parts(call, &parts, file, size);
    }
    if (format == FORMAT_PDF) {
        pdf_doc pdf;
        pdf_doc_options opt = {.title = name, .lang = lang};
        if ((r = pdf_from_markdown(call->arena, md, len, &opt, &pdf, &call->err)) != BF_OK)
            return r;
        *file = pdf.data;
        *size = pdf.len;
        return BF_OK;
    }
    buf page;
    if ((r = page_of(call, name, md, len, lang, &page)) != BF_OK)
        return r;
    *file = page.data;
    *size = page.len;
    return BF_OK;
}

bf_result document_render(api_call *call, const api_route *route)
{
    (void)route;
    const char *key = call->req->params[1];
    const char *lang = lang_of(call);
    const char *asked = http_query(call->req, "format");
    doc_format format = FORMAT_HTML;
    while (asked && strcmp(asked, formats[format].name) != 0)
        if (++format > FORMAT_PDF)
            return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "format",
                           "format must be html, markdown, docx or pdf");
    doc_template t = {0};
    const char *md;
    size_t len;
    bf_result r = render_markdown(call, key, NULL, lang, &md, &len, &t);
    if (r != BF_OK)
        return r;
    record *opp;
    if ((r = store_record_get(call->app->store, call->arena, &resource_opportunities,
                              call->req->params[0], &opp, &call->err)) != BF_OK)
        return r;
    const char *name = strcmp(lang, "en") == 0 && t.name_en ? t.name_en
                       : t.name_zh                          ? t.name_zh
                                                            : key;
    const char *disposition =
        download_header(call, record_text(opp, "name"), name, formats[format].ext);
    if (disposition == NULL || !http_set_header(call->req, "Content-Disposition", disposition))
        return BF_ERR_NOMEM;
    const char *file = md;
    size_t size = len;
    if (format != FORMAT_MARKDOWN &&
        (r = document_file(call, format, name, lang, md, len, &file, &size)) != BF_OK)
        return r;
    http_respond_body(call->req, 200, formats[format].type, file, size);
    return BF_OK;
}

bf_result document_save(api_call *call, const api_route *route)
{
    json_t *body;
    bf_result r = api_require(call, ACCESS_TICK_CHECKLISTS);
    if (r == BF_OK && call->req->body.len > 0)
        r = api_body_as(call, route->body, &body);
    else if (r == BF_OK && (body = api_keep(call, json_pack("{s:s, s:s}", "format", "docx", "lang",
                                                            "zh"))) == NULL)
        r = BF_ERR_NOMEM;
    if (r != BF_OK)
        return r;
    const char *key = call->req->params[1];
    const char *lang = json_string_value(json_object_get(body, "lang"));
    const char *asked = json_string_value(json_object_get(body, "format"));
    doc_format format = FORMAT_HTML;
    while (strcmp(asked, formats[format].name) != 0)
        if (++format > FORMAT_PDF)
            return BF_ERR_INTERNAL; /* the body's enum says which */
    doc_template t = {0};
    const char *md;
    size_t len;
    if ((r = render_markdown(call, key, NULL, lang, &md, &len, &t)) != BF_OK)
        return r;
    record *opp;
    if ((r = store_record_get(call->app->store, call->arena, &resource_opportunities,
                              call->req->params[0], &opp, &call->err)) != BF_OK)
        return r;
    const char *title = strcmp(lang, "en") == 0 && t.name_en ? t.name_en
                        : t.name_zh                          ? t.name_zh
                                                             : key;
    const char *file = md;
    size_t size = len;
    if (format != FORMAT_MARKDOWN &&
        (r = document_file(call, format, title, lang, md, len, &file, &size)) != BF_OK)
        return r;
    const char *category = json_string_value(json_object_get(body, "category"));
    document d = {
        .opportunity_id = opp->id,
        .name = filetype_safe_name(call->arena,
                                   arena_printf(call->arena, "%s-%s.%s", record_text(opp, "name"),
                                                title, formats[format].ext)),
        .category = category ? category : api_document_category_of_kind(t.kind),
        .content_type = formats[format].type,
        .source = "template",
        .template_key = key,
        .template_version = t.version,
        .item_id = json_string_value(json_object_get(body, "item_id")),
        .shared = json_is_true(json_object_get(body, "shared")),
        .note = json_string_value(json_object_get(body, "note")),
    };
    if (d.name == NULL)
        d.name = arena_printf(call->arena, "%s.%s", key, formats[format].ext);
    if (d.name == NULL)
        return BF_ERR_NOMEM;
    if ((r = api_document_save(call, &d, file, size)) != BF_OK)
        return r;
    return api_document_respond(call, 201, &d);
}

bf_result document_preview(api_call *call, const api_route *route)
{
    (void)route;
    json_t *body;
    bf_result r = api_body_as(call, &body_document_preview, &body);
    const char *key = json_string_value(json_object_get(body, "template"));
    const char *text = json_string_value(json_object_get(body, "body"));
    const char *lang = json_string_value(json_object_get(body, "lang"));
    if (r == BF_OK && key == NULL && text == NULL)
        r = bf_fail(&call->err, BF_ERR_INVALID, "required", "template",
                    "name a template, or give a body to try");
    doc_template t = {0};
    const char *md, *html;
    size_t len, n;
    if (r == BF_OK)
        r = render_markdown(call, key, text, lang ? lang : "zh", &md, &len, &t);
    if (r == BF_OK)
        r = markdown_to_html(call->arena, md, len, &html, &n);
    json_t *j =
        r == BF_OK ? api_keep(call, json_pack("{s:s, s:s}", "markdown", md, "html", html)) : NULL;
    if (r == BF_OK && j == NULL)
        r = BF_ERR_NOMEM;
    /* A text being written: the names it reads, and the unknown ones, now. */
    mustache_template *m;
    if (r == BF_OK && text != NULL && (r = parse_body(call, text, &m)) == BF_OK)
        r = names_json(call, m, j);
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_incref(j));
    return BF_OK;
}

bf_result template_versions(api_call *call, const api_route *route)
{
    (void)route;
    doc_template *items = NULL;
    size_t n = 0;
    const char *key = call->req->params[0];
    bf_result r = store_template_versions(call->app->store, call->arena, key, lang_of(call), &items,
                                          &n, &call->err);
    json_t *arr = api_keep(call, json_array());
    if (r == BF_OK && arr == NULL)
        r = BF_ERR_NOMEM;
    for (size_t i = 0; r == BF_OK && i < n; i++)
        if (json_array_append_new(arr, template_json(&items[i], false, false)) != 0)
            r = BF_ERR_NOMEM;
    /* The built-in text is the version before the company's first (0). */
    doc_template base;
    if (r == BF_OK && builtin_of(key, lang_of(call), &base) &&
        json_array_append_new(arr, template_json(&base, true, false)) != 0)
        r = BF_ERR_NOMEM;
    if (r == BF_OK && json_array_size(arr) == 0)
        r = bf_fail(&call->err, BF_ERR_NOT_FOUND, "not_found", "key", "no template %s", key);
    if (r != BF_OK)
        return r;
    http_respond_json(call->req, 200, json_pack("{s:O}", "items", arr));
    return BF_OK;
}
