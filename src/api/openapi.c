/* The OpenAPI 3.1 document, generated from the route table and the resource
 * field tables, so it always describes the routes that exist. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"

static void add_nested_schemas(json_t *schemas, const schema *s);

static const char *status_text(int code)
{
    static const struct {
        int code;
        const char *text;
    } texts[] = {
        {200, "OK"},
        {400, "Malformed request (bad JSON: the message gives line and column)"},
        {401, "No valid credentials: log in, or send Authorization: Bearer with an API token"},
        {403, "The caller's role may not do this (or a cookie write lacks X-CSRF-Token)"},
        {404, "No such record"},
        {405, "Method not allowed on this path"},
        {409, "Conflicts with the record's state (gate_unmet lists the unmet criteria)"},
        {412, "If-Match names an old version: someone else changed the record"},
        {413, "Body larger than the server's limit"},
        {415, "Body is not application/json"},
        {422, "Validation failed; error.field names the field"},
        {428, "If-Match is required"},
        {429, "Too many failed logins: wait the seconds of Retry-After"},
        {503, "Busy: try again shortly"},
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if (texts[i].code == code)
            return texts[i].text;
    return "Error";
}

/* The JSON number of hundredths h (a FIELD_DECIMAL's bound or default). */
static json_t *decimal_of(int64_t h)
{
    return h % 100 == 0 ? json_integer(h / 100) : json_real((double)h / 100.0);
}

static json_t *field_schema(const field_spec *f)
{
    json_t *s = json_object();
    switch (f->type) {
    case FIELD_BOOL:
        json_object_set_new(s, "type", json_string("boolean"));
        break;
    case FIELD_DECIMAL:
        json_object_set_new(s, "type", json_string("number"));
        json_object_set_new(s, "multipleOf", json_real(0.01));
        json_object_set_new(s, "minimum", decimal_of(f->min));
        json_object_set_new(s, "maximum", decimal_of(f->max));
        break;
    case FIELD_INT:
    case FIELD_MONEY:
        json_object_set_new(s, "type", json_string("integer"));
        json_object_set_new(s, "minimum", json_integer(f->min));
        json_object_set_new(s, "maximum", json_integer(f->max));
        break;
    case FIELD_TEXT:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "maxLength", json_integer(f->max));
        if (f->min > 0)
            json_object_set_new(s, "minLength", json_integer(f->min));
        break;
    case FIELD_DATE:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string("date"));
        break;
    case FIELD_DATETIME:
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "format", json_string("date-time"));
        break;
    case FIELD_ENUM: {
        json_t *values = json_array();
        for (size_t i = 0; f->values[i]; i++)
            json_array_append_new(values, json_string(f->values[i]));
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "enum", values);
        break;
    }
    case FIELD_REF:
        json_object_set_new(s, "type", json_string("string"));
        break;
    case FIELD_TEXT_LIST:
    case FIELD_REF_LIST:
        json_object_set_new(s, "type", json_string("array"));
        json_object_set_new(s, "items",
                            (f->flags & FIELD_TAGS)
                                ? json_pack("{s:s, s:i, s:i, s:s}", "type", "string", "minLength",
                                            1, "maxLength", TAG_MAX_CHARS, "pattern", "^[^,]*$")
                                : json_pack("{s:s}", "type", "string"));
        json_object_set_new(s, "maxItems", json_integer(f->max));
        break;
    }
    if (!(f->flags & FIELD_REQUIRED) && f->type != FIELD_TEXT_LIST && f->type != FIELD_REF_LIST) {
        json_t *type = json_object_get(s, "type");
        json_object_set_new(s, "type", json_pack("[O, s]", type, "null"));
    }
    json_object_set_new(s, "description", json_string(f->doc ? f->doc : f->name));
    if (f->flags & FIELD_READONLY)
        json_object_set_new(s, "readOnly", json_true());
    if (f->def)
        json_object_set_new(s, "default",
                            f->type == FIELD_BOOL       ? json_boolean(strcmp(f->def, "0") != 0)
                            : f->type == FIELD_DECIMAL  ? decimal_of(strtoll(f->def, NULL, 10))
                            : FIELD_IS_INTEGER(f->type) ? json_integer(strtoll(f->def, NULL, 10))
                                                        : json_string(f->def));
    return s;
}

/* allowed_actions: what the caller may do to the record (core/access.c). */
static json_t *allowed_actions_schema(void)
{
    json_t *names = json_array();
    for (int a = 0; a < ACTION_COUNT; a++)
        json_array_append_new(names,
                              json_string(access_record_action_name((access_record_action)a)));
    return json_pack(
        "{s:s, s:{s:s, s:o}, s:b, s:s}", "type", "array", "items", "type", "string", "enum", names,
        "readOnly", 1, "description",
        "What the caller may do to this record, by the rules the writes enforce (docs/access.md): "
        "edit, delete; deals also advance, win (at the winning stage), lose, abandon (early: "
        "through an approval), reopen, transfer, staff (team and partners), add_activity, "
        "add_contact; accounts transfer, add_activity, add_contact, add_deal. An action absent is "
        "refused (403); one present may still meet a rule of the record (a gate, a version)");
}

static json_t *resource_schema(const resource_spec *spec)
{
    json_t *props = json_object();
    json_t *required = json_array();
    json_object_set_new(props, "id", json_pack("{s:s, s:b}", "type", "string", "readOnly", 1));
    for (size_t i = 0; i < spec->nfields; i++) {
        json_object_set_new(props, spec->fields[i].name, field_schema(&spec->fields[i]));
        if (spec->fields[i].flags & FIELD_REQUIRED)
            json_array_append_new(required, json_string(spec->fields[i].name));
    }
    json_object_set_new(props, "version",
                        json_pack("{s:s, s:b, s:s}", "type", "integer", "readOnly", 1,
                                  "description", "Version for optimistic concurrency; the ETag"));
    json_object_set_new(
        props, "created_at",
        json_pack("{s:s, s:s, s:b}", "type", "string", "format", "date-time", "readOnly", 1));
    json_object_set_new(
        props, "updated_at",
        json_pack("{s:s, s:s, s:b}", "type", "string", "format", "date-time", "readOnly", 1));
    json_object_set_new(
        props, "warnings",
        json_pack("{s:s, s:{s:s}, s:b, s:s}", "type", "array", "items", "type", "object",
                  "readOnly", 1, "description",
                  "In the answer to a create or a change only, when there is something to warn "
                  "of: {code, text, matches}, e.g. the records this one may duplicate (撞单)"));
    if (spec == &resource_accounts || spec == &resource_contacts ||
        spec == &resource_opportunities || spec == &resource_activities)
        json_object_set_new(props, "allowed_actions", allowed_actions_schema());
    return json_pack("{s:s, s:s, s:o, s:o, s:b}", "type", "object", "description", spec->doc,
                     "properties", props, "required", required, "additionalProperties", 0);
}

static const char *schema_name(const resource_spec *spec, char *out, size_t cap)
{
    snprintf(out, cap, "%c%s", spec->singular[0] - 'a' + 'A', spec->singular + 1);
    return out;
}

static json_t *ref_to(const char *name)
{
    char ref[96];
    snprintf(ref, sizeof(ref), "#/components/schemas/%s", name);
    return json_pack("{s:s}", "$ref", ref);
}

static json_t *json_content(json_t *spec_schema)
{
    return json_pack("{s:{s:o}}", "application/json", "schema", spec_schema);
}

/* The filters of the fields of spec that lists filter by: ?name=, and
 * ?name_from=/_to= for dates, ?name_min=/_max= for numbers. */
static void add_field_filters(json_t *params, const resource_spec *spec)
{
    for (size_t i = 0; i < spec->nfields; i++) {
        const field_spec *f = &spec->fields[i];
        if (!(f->flags & FIELD_FILTER))
            continue;
        json_t *spec_schema = field_schema(f);
        bool number = FIELD_IS_NUMBER(f->type);
        json_object_set_new(spec_schema, "type",
                            json_string(f->type == FIELD_BOOL ? "boolean"
                                        : number              ? "integer"
                                                              : "string"));
        json_array_append_new(params,
                              json_pack("{s:s, s:s, s:s, s:o}", "name", f->name, "in", "query",
                                        "description", "Equal to", "schema", spec_schema));
        if (f->type == FIELD_DATE || f->type == FIELD_DATETIME) {
            char from[80], to[80];
            snprintf(from, sizeof(from), "%s_from", f->name);
            snprintf(to, sizeof(to), "%s_to", f->name);
            json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "name", from,
                                                    "in", "query", "description", "On or after",
                                                    "schema", "type", "string", "format", "date"));
            json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "name", to,
                                                    "in", "query", "description", "On or before",
                                                    "schema", "type", "string", "format", "date"));
        }
        if (number) {
            char min[80], max[80];
            snprintf(min, sizeof(min), "%s_min", f->name);
            snprintf(max, sizeof(max), "%s_max", f->name);
            json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s, s:i}}", "name", min,
                                                    "in", "query", "description", "At least",
                                                    "schema", "type", "integer", "minimum", 0));
            json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s, s:i}}", "name", max,
                                                    "in", "query", "description", "At most",
                                                    "schema", "type", "integer", "minimum", 0));
        }
    }
}

/* The parameters of spec's list: with paging (limit, cursor) for the list
 * itself; an export of it takes the others. */
static json_t *list_parameters(const resource_spec *spec, bool paging)
{
    json_t *params = json_array();
    if (paging) {
        json_array_append_new(
            params, json_pack("{s:s, s:s, s:s, s:{s:s, s:i, s:i, s:i}}", "name", "limit", "in",
                              "query", "description", "Items per page", "schema", "type", "integer",
                              "minimum", 1, "maximum", LIST_MAX_LIMIT, "default", 50));
        json_array_append_new(params,
                              json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "cursor", "in", "query",
                                        "description", "next_cursor of the previous page", "schema",
                                        "type", "string"));
    }
    json_t *sorts = json_array();
    json_array_append_new(sorts, json_string("created_at"));
    json_array_append_new(sorts, json_string("-created_at"));
    for (size_t i = 0; i < spec->nfields; i++) {
        const field_spec *f = &spec->fields[i];
        if (f->flags & FIELD_SORT) {
            char desc[80];
            snprintf(desc, sizeof(desc), "-%s", f->name);
            json_array_append_new(sorts, json_string(f->name));
            json_array_append_new(sorts, json_string(desc));
        }
    }
    json_array_append_new(
        params, json_pack("{s:s, s:s, s:s, s:{s:s, s:o, s:s}}", "name", "sort", "in", "query",
                          "description", "Sort key; a leading - sorts descending", "schema", "type",
                          "string", "enum", sorts, "default", "-created_at"));
    json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "q", "in", "query",
                                            "description", "Text contained in the name", "schema",
                                            "type", "string"));
    add_field_filters(params, spec);
    if (resource_tags_field(spec) >= 0)
        json_array_append_new(
            params,
            json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "tag", "in", "query", "description",
                      "Carrying one of these tags (标签), comma-separated (at most 8); "
                      "repeated (at most 4 times), one of each. Not for channel partners",
                      "schema", "type", "string"));
    if (resource_field_index(spec, "owner_id") >= 0)
        json_array_append_new(
            params, json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "team", "in", "query",
                              "description", "Owned by a user of this team or of a team below it",
                              "schema", "type", "string"));
    if (spec == &resource_opportunities) {
        json_array_append_new(
            params,
            json_pack("{s:s, s:s, s:s, s:{s:s, s:i, s:i}}", "name", "stalled_days", "in", "query",
                      "description", "Open, and in their stage for this many days or more (停滞)",
                      "schema", "type", "integer", "minimum", 1, "maximum", 3650));
    }
    return params;
}

/* The operationId of r: declared, or made from its resource ("listAccounts",
 * "createAccount", "getAccount", "updateAccount", "deleteAccount"). */
static const char *operation_id(const api_route *r, char *out, size_t cap)
{
    if (r->operation != NULL || r->spec == NULL)
        return r->operation;
    static const char *const verbs[] = {"list", "create", "get", "update", "delete"};
    const char *noun = r->kind == ROUTE_LIST ? r->spec->name : r->spec->singular;
    snprintf(out, cap, "%s%c%s", verbs[r->kind], noun[0] - 'a' + 'A', noun + 1);
    return out;
}

/* Who may call r: no one in particular for a public route; the session
 * cookie alone for a session route; else an API token, or the session cookie
 * (with X-CSRF-Token for a write). */
static json_t *operation_security(const api_route *r)
{
    if (r->auth == AUTH_PUBLIC)
        return json_array();
    bool write = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;
    json_t *cookie = write ? json_pack("{s:[], s:[]}", "sessionCookie", "csrfHeader")
                           : json_pack("{s:[]}", "sessionCookie");
    if (r->auth == AUTH_SESSION)
        return json_pack("[o]", cookie);
    return json_pack("[{s:[]}, o]", "bearerToken", cookie);
}

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* The documents a route may answer instead of JSON: its flag, the media
 * type, whether binary, and the answer's description when it is the only one. */
static const struct {
    unsigned flag;
    const char *type;
    bool binary;
    const char *what;
} document_types[] = {
    {ROUTE_HTML, "text/html", false, "An HTML document"},
    {ROUTE_XLSX, XLSX_TYPE, true, "An Excel workbook"},
    {ROUTE_DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true,
     "A Word file"},
    {ROUTE_PDF, "application/pdf", true, "A PDF"},
    {ROUTE_MARKDOWN, "text/markdown", false, "Markdown"},
    {ROUTE_CALENDAR, "text/calendar", false, "An iCalendar (RFC 5545)"},
    {ROUTE_CSV, "text/csv", false, "A CSV file"},
};
#define DOCUMENT_FLAGS                                                                             \
    (ROUTE_HTML | ROUTE_XLSX | ROUTE_DOCX | ROUTE_PDF | ROUTE_MARKDOWN | ROUTE_CALENDAR | ROUTE_CSV)

/* The success answer of a route answering documents: each media type it may
 * answer, the binary ones as such. */
static json_t *document_response(const api_route *r)
{
    json_t *content = json_object();
    const char *what = NULL;
    size_t n = 0;
    for (size_t i = 0; i < sizeof(document_types) / sizeof(document_types[0]); i++) {
        if (!(r->flags & document_types[i].flag))
            continue;
        json_t *type = document_types[i].binary
                           ? json_pack("{s:s, s:s}", "type", "string", "format", "binary")
                           : json_pack("{s:s}", "type", "string");
        json_object_set_new(content, document_types[i].type, json_pack("{s:o}", "schema", type));
        what = document_types[i].what;
        n++;
    }
    return json_pack("{s:s, s:o}", "description",
                     n == 1 ? what : "The document, in the format asked for", "content", content);
}

/* The success answer of a route that is not a resource's. */
static json_t *success_response(const api_route *r, int status)
{
    if (status == 204)
        return json_pack("{s:s}", "description", "Done; no body");
    if (r->flags & DOCUMENT_FLAGS)
        return document_response(r);
    if (r->flags & ROUTE_FILE)
        return json_pack("{s:s, s:{s:{s:{s:s, s:s}}}}", "description",
                         "The file, in the type it was kept as (Content-Disposition names it)",
                         "content", "*/*", "schema", "type", "string", "format", "binary");
    char name[64];
    json_t *body = r->response != NULL && r->response->name != NULL ? ref_to(r->response->name)
                   : r->response != NULL ? schema_to_json(r->response, true)
                   : r->spec != NULL     ? ref_to(schema_name(r->spec, name, sizeof(name)))
                                         : json_pack("{s:s}", "type", "object");
    if (r->flags & ROUTE_EXPORT) /* ?format=csv|xlsx: the same tables as a file */
        return json_pack("{s:s, s:{s:{s:o}, s:{s:{s:s}}, s:{s:{s:s, s:s}}}}", "description",
                         "The report as JSON; with ?format=csv or ?format=xlsx, its tables as a "
                         "file (Content-Disposition names it)",
                         "content", "application/json", "schema", body, "text/csv", "schema",
                         "type", "string", XLSX_TYPE, "schema", "type", "string", "format",
                         "binary");
    return json_pack("{s:s, s:o}", "description", status == 201 ? "Created" : "OK", "content",
                     json_content(body));
}

/* A query parameter of r, named name[0..len). */
static json_t *query_parameter(const api_route *r, const char *name, size_t len)
{
    bool export = (r->flags & ROUTE_EXPORT) != 0;
    if (export && len == 6 && memcmp(name, "format", 6) == 0)
        return json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:[s, s]}}", "name", "format", "in", "query",
                         "required", 0, "description",
                         "csv (UTF-8 with a BOM) or xlsx: the report's tables as a file; JSON "
                         "without it",
                         "schema", "type", "string", "enum", "csv", "xlsx");
    if (export && len == 5 && memcmp(name, "table", 5) == 0)
        return json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "table", "in", "query",
                         "required", 0, "description",
                         "The table to export, by the key of its rows in the JSON answer: the "
                         "CSV's (default: the first), the workbook's only sheet (default: a sheet "
                         "per table)",
                         "schema", "type", "string");
    return json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", name, len, "in", "query", "required", 0,
                     "schema", "type", "string");
}

/* Adds to params the query parameters of r that names lists (space-separated)
 * and skip does not. */
static void add_query_parameters(json_t *params, const api_route *r, const char *names,
                                 const char *skip)
{
    for (const char *p = names; p && *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (!api_names_hold(skip, p, len))
            json_array_append_new(params, query_parameter(r, p, len));
        p = end ? end + 1 : p + len;
    }
}

/* Whether params declares a parameter called name already. */
static bool has_parameter(const json_t *params, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(params, i, p)
    {
        const char *have = json_string_value(json_object_get(p, "name"));
        if (have != NULL && strcmp(have, name) == 0)
            return true;
    }
    return false;
}

static json_t *parameters(const api_route *r)
{
    json_t *params = r->kind == ROUTE_LIST && r->spec           ? list_parameters(r->spec, true)
                     : (r->flags & ROUTE_LIST_QUERY) && r->spec ? list_parameters(r->spec, false)
                                                                : json_array();
    /* Path parameters, from the pattern's {name} segments. */
    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
                                                (size_t)(end - p - 1), "in", "path", "required", 1,
                                                "schema", "type", "string"));
    }
    /* Query parameters of the other routes, from the route table; an
     * export's beside them. */
    add_query_parameters(params, r, r->query, NULL);
    if (r->flags & ROUTE_EXPORT)
        add_query_parameters(params, r, API_EXPORT_QUERY, r->query);
    if (!has_parameter(params, "lang")) /* every route's: the language of its errors */
        json_array_append_new(
            params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:[s, s]}}", "name", "lang", "in",
                              "query", "required", 0, "description",
                              "The language of error messages, zh or en (before Accept-Language)",
                              "schema", "type", "string", "enum", "zh", "en"));
    if (r->kind == ROUTE_PATCH || r->kind == ROUTE_DELETE || (r->flags & ROUTE_IF_MATCH))
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "If-Match",
                                                "in", "header", "required", 1, "description",
                                                "The ETag (version) last read", "schema", "type",
                                                "string"));
    return params;
}

/* The answers of a resource route. */
static void resource_responses(const api_route *r, json_t *op, json_t *responses)
{
    char name[64];
    schema_name(r->spec, name, sizeof(name));
    if (r->kind == ROUTE_CREATE || r->kind == ROUTE_PATCH || r->body)
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:o}", "required", 1, "content",
                                      json_content(ref_to(r->body ? r->body->name : name))));
    if (r->kind == ROUTE_LIST)
        json_object_set_new(
            responses, "200",
            json_pack("{s:s, s:o}", "description", "A page of records", "content",
                      json_content(json_pack(
                          "{s:s, s:{s:{s:s, s:o}, s:{s:[s, s]}, s:{s:s}}, s:[s, s, s]}", "type",
                          "object", "properties", "items", "type", "array", "items", ref_to(name),
                          "next_cursor", "type", "string", "null", "limit", "type", "integer",
                          "required", "items", "next_cursor", "limit"))));
    else if (r->kind == ROUTE_DELETE)
        json_object_set_new(responses, "204", json_pack("{s:s}", "description", "Deleted"));
    else
        json_object_set_new(responses, r->kind == ROUTE_CREATE ? "201" : "200",
                            json_pack("{s:s, s:o}", "description",
                                      "The record; its version is also the ETag header", "content",
                                      json_content(ref_to(name))));
}

static json_t *operation(const api_route *r)
{
    char id[80], code[8];
    json_t *op = json_pack("{s:s, s:s, s:o, s:o}", "summary", r->summary, "operationId",
                           operation_id(r, id, sizeof(id)), "parameters", parameters(r), "security",
                           operation_security(r));
    json_t *responses = json_object();
    if (r->spec != NULL && r->kind != ROUTE_OTHER) {
        resource_responses(r, op, responses);
    } else {
        int success = r->success ? r->success : 200;
        snprintf(code, sizeof(code), "%d", success);
        json_object_set_new(responses, code, success_response(r, success));
        if (r->flags & ROUTE_UPLOAD) /* a file, its name in ?name= */
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:{s:{s:{s:s, s:s}}}}", "required", 1, "content",
                                          "application/octet-stream", "schema", "type", "string",
                                          "format", "binary"));
        else if (r->body != NULL) /* declared in the route table */
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:o}", "required",
                                          !(r->flags & ROUTE_BODY_OPTIONAL), "content",
                                          json_content(ref_to(r->body->name))));
    }
    /* A path parameter that is not UTF-8 is refused before the route runs. */
    if (strchr(r->pattern, '{') != NULL)
        json_object_set_new(responses, "400",
                            json_pack("{s:s, s:o}", "description", status_text(400), "content",
                                      json_content(ref_to("Error"))));
    /* Every route but the health check and the login needs credentials. */
    if (r->auth != AUTH_PUBLIC)
        json_object_set_new(responses, "401",
                            json_pack("{s:s, s:o}", "description", status_text(401), "content",
                                      json_content(ref_to("Error"))));
    for (size_t i = 0; i < API_MAX_STATUSES && r->statuses[i] != 0; i++) {
        snprintf(code, sizeof(code), "%d", r->statuses[i]);
        json_object_set_new(responses, code,
                            r->statuses[i] < 400 ? success_response(r, r->statuses[i])
                                                 : json_pack("{s:s, s:o}", "description",
                                                             status_text(r->statuses[i]), "content",
                                                             json_content(ref_to("Error"))));
    }
    json_object_set_new(op, "responses", responses);
    return op;
}

/* Adds the JSON Schema of the named body s, and of every named body it
 * refers to, to schemas (the document's components). */
static void add_body_schemas(json_t *schemas, const schema *s)
{
    if (s->ref != NULL) {
        add_body_schemas(schemas, s->ref);
        return;
    }
    if (s->name != NULL && json_object_get(schemas, s->name) == NULL)
        json_object_set_new(schemas, s->name, schema_to_json(s, true));
    if (s->item != NULL)
        add_body_schemas(schemas, s->item);
    for (const schema *m = s->kind == SCHEMA_OBJECT ? s->members : NULL; m && m->name; m++) {
        if (m->ref != NULL)
            add_body_schemas(schemas, m->ref);
        else if (m->members != NULL || m->item != NULL)
            add_nested_schemas(schemas, m);
    }
}

/* As add_body_schemas for an unnamed part: only what it refers to. */
static void add_nested_schemas(json_t *schemas, const schema *s)
{
    if (s->item != NULL)
        add_body_schemas(schemas, s->item);
    for (const schema *m = s->kind == SCHEMA_OBJECT ? s->members : NULL; m && m->name; m++)
        if (m->ref != NULL)
            add_body_schemas(schemas, m->ref);
        else if (m->members != NULL || m->item != NULL)
            add_nested_schemas(schemas, m);
}

/* The ways to authenticate: an API token, or the session cookie of a login
 * with the CSRF header it answered for writes. */
static json_t *security_schemes(void)
{
    return json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}}",
                     "bearerToken", "type", "http", "scheme", "bearer", "description",
                     "An API token: bingfa token create", "sessionCookie", "type", "apiKey", "in",
                     "cookie", "name", "bingfa_session", "description",
                     "The cookie set by POST /api/v1/session", "csrfHeader", "type", "apiKey", "in",
                     "header", "name", "X-CSRF-Token", "description",
                     "The csrf_token answered by the login; writes made with the cookie send it");
}

json_t *api_openapi_document(void)
{
    json_t *paths = json_object();
    const api_route *table = api_route_table();
    for (size_t i = 0; table[i].method; i++) {
        const api_route *r = &table[i];
        json_t *item = json_object_get(paths, r->pattern);
        if (item == NULL) {
            item = json_object();
            json_object_set_new(paths, r->pattern, item);
        }
        char method[8];
        size_t k = 0;
        for (; r->method[k] && k < sizeof(method) - 1; k++)
            method[k] = (char)(r->method[k] - 'A' + 'a');
        method[k] = '\0';
        json_object_set_new(item, method, operation(r));
    }
    json_t *schemas = json_object();
    for (size_t i = 0; resource_all[i]; i++) {
        char name[64];
        json_object_set_new(schemas, schema_name(resource_all[i], name, sizeof(name)),
                            resource_schema(resource_all[i]));
    }
    json_object_set_new(
        schemas, "Error",
        json_pack("{s:s, s:{s:{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}, s:[s, s, s]}}, s:[s]}", "type",
                  "object", "properties", "error", "type", "object", "properties", "code", "type",
                  "string", "message", "type", "string", "field", "type", "string", "required",
                  "code", "message", "field", "required", "error"));
    for (size_t i = 0; table[i].method; i++) {
        if (table[i].body != NULL)
            add_body_schemas(schemas, table[i].body);
        if (table[i].response != NULL && table[i].response->name != NULL)
            add_body_schemas(schemas, table[i].response);
        else if (table[i].response != NULL)
            add_nested_schemas(schemas, table[i].response);
    }
    return json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:o, s:o}}", "openapi", "3.1.0", "info",
        "title", "bingfa API", "version", BINGFA_VERSION, "description",
        "bingfa (兵法): presales and project-sales management. Money is integer fen; times are "
        "UTC ISO 8601. Every record carries a version, sent as its ETag; PATCH and DELETE "
        "require If-Match. Errors are {\"error\":{\"code\",\"message\",\"field\"}}. "
        "Authenticate with Authorization: Bearer <API token> (bingfa token create), or log in "
        "with POST /api/v1/session: its cookie works for reads, and writes add the "
        "X-CSRF-Token it answered. Records one may not see answer 404.",
        "servers", "url", "/", "paths", paths, "components", "schemas", schemas, "securitySchemes",
        security_schemes());
}

bf_result openapi_get(api_call *call, const api_route *route)
{
    (void)route;
    json_t *doc = api_openapi_document();
    if (doc == NULL)
        return BF_ERR_NOMEM;
    http_respond_json(call->req, 200, doc);
    return BF_OK;
}
