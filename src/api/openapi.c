/* The OpenAPI 3.1 document, generated from the route table and the resource
 * field tables, so it always describes the routes that exist. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"

static void add_nested_schemas(json_t *schemas, const schema *s);

static const char *status_text(const char *code)
{
    static const struct {
        const char *code, *text;
    } texts[] = {
        {"400", "Malformed request (bad JSON: the message gives line and column)"},
        {"401", "No valid credentials: log in, or send Authorization: Bearer with an API token"},
        {"403", "The caller's role may not do this (or a cookie write lacks X-CSRF-Token)"},
        {"404", "No such record"},
        {"405", "Method not allowed on this path"},
        {"409", "Conflicts with the record's state (gate_unmet lists the unmet criteria)"},
        {"412", "If-Match names an old version: someone else changed the record"},
        {"413", "Body larger than the server's limit"},
        {"415", "Body is not application/json"},
        {"422", "Validation failed; error.field names the field"},
        {"428", "If-Match is required"},
        {"429", "Too many failed logins: wait the seconds of Retry-After"},
        {"503", "Busy: try again shortly"},
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if (strcmp(texts[i].code, code) == 0)
            return texts[i].text;
    return "Error";
}

static json_t *field_schema(const field_spec *f)
{
    json_t *s = json_object();
    switch (f->type) {
    case FIELD_BOOL:
        json_object_set_new(s, "type", json_string("boolean"));
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
        json_object_set_new(s, "items", json_pack("{s:s}", "type", "string"));
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
                            : FIELD_IS_INTEGER(f->type) ? json_integer(strtoll(f->def, NULL, 10))
                                                        : json_string(f->def));
    return s;
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

static json_t *list_parameters(const resource_spec *spec)
{
    json_t *params = json_array();
    json_array_append_new(params, json_pack("{s:s, s:s, s:s, s:{s:s, s:i, s:i, s:i}}", "name",
                                            "limit", "in", "query", "description", "Items per page",
                                            "schema", "type", "integer", "minimum", 1, "maximum",
                                            LIST_MAX_LIMIT, "default", 50));
    json_array_append_new(params,
                          json_pack("{s:s, s:s, s:s, s:{s:s}}", "name", "cursor", "in", "query",
                                    "description", "next_cursor of the previous page", "schema",
                                    "type", "string"));
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
    for (size_t i = 0; i < spec->nfields; i++) {
        const field_spec *f = &spec->fields[i];
        if (!(f->flags & FIELD_FILTER))
            continue;
        json_t *spec_schema = field_schema(f);
        json_object_set_new(spec_schema, "type",
                            json_string(f->type == FIELD_BOOL ? "boolean" : "string"));
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
    }
    return params;
}

static json_t *operation(const api_route *r)
{
    char name[64];
    json_t *op = json_pack("{s:s}", "summary", r->summary);
    json_t *params = r->kind == ROUTE_LIST && r->spec ? list_parameters(r->spec) : json_array();
    /* Path parameters, from the pattern's {name} segments. */
    for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p + 1,
                                                (size_t)(end - p - 1), "in", "path", "required", 1,
                                                "schema", "type", "string"));
    }
    /* Query parameters of the other routes, from the route table. */
    for (const char *p = r->query; p && *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        json_array_append_new(params,
                              json_pack("{s:s%, s:s, s:b, s:{s:s}}", "name", p, len, "in", "query",
                                        "required", 0, "schema", "type", "string"));
        p = end ? end + 1 : p + len;
    }
    if (r->kind == ROUTE_PATCH || r->kind == ROUTE_DELETE || (r->flags & ROUTE_IF_MATCH))
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "If-Match",
                                                "in", "header", "required", 1, "description",
                                                "The ETag (version) last read", "schema", "type",
                                                "string"));
    json_object_set_new(op, "parameters", params);

    json_t *responses = json_object();
    if (r->spec) {
        schema_name(r->spec, name, sizeof(name));
        if (r->kind == ROUTE_CREATE || r->kind == ROUTE_PATCH || r->body)
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:o}", "required", 1, "content",
                                          json_content(ref_to(r->body ? r->body->name : name))));
        if (r->kind == ROUTE_LIST)
            json_object_set_new(
                responses, "200",
                json_pack(
                    "{s:s, s:o}", "description", "A page of records", "content",
                    json_content(json_pack("{s:s, s:{s:{s:s, s:o}, s:{s:[s, s]}, s:{s:s}}}", "type",
                                           "object", "properties", "items", "type", "array",
                                           "items", ref_to(name), "next_cursor", "type", "string",
                                           "null", "limit", "type", "integer"))));
        else if (r->kind == ROUTE_DELETE)
            json_object_set_new(responses, "204", json_pack("{s:s}", "description", "Deleted"));
        else
            json_object_set_new(responses, r->kind == ROUTE_CREATE ? "201" : "200",
                                json_pack("{s:s, s:o}", "description",
                                          "The record; its version is also the ETag header",
                                          "content", json_content(ref_to(name))));
    } else {
        char ok[8];
        snprintf(ok, sizeof(ok), "%d", r->success ? r->success : 200);
        json_object_set_new(responses, ok,
                            json_pack("{s:s, s:o}", "description", "OK", "content",
                                      json_content(json_pack("{s:s}", "type", "object"))));
        if (r->body != NULL) /* declared in the route table */
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:o}", "required",
                                          !(r->flags & ROUTE_BODY_OPTIONAL), "content",
                                          json_content(ref_to(r->body->name))));
    }
    /* Every route but the health check and the login needs credentials. */
    bool open = (r->flags & ROUTE_PUBLIC) != 0;
    char codes[80];
    snprintf(codes, sizeof(codes), "%s%s%s", open || strstr(r->statuses, "401") ? "" : "401",
             open || strstr(r->statuses, "401") || !*r->statuses ? "" : " ", r->statuses);
    for (char *c = codes; *c;) {
        char code[4] = {c[0], c[1], c[2], '\0'};
        json_object_set_new(responses, code,
                            json_pack("{s:s, s:o}", "description", status_text(code), "content",
                                      json_content(ref_to("Error"))));
        c += 3;
        while (*c == ' ')
            c++;
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

json_t *api_openapi_document(void)
{
    json_t *paths = json_object();
    for (size_t i = 0; api_routes[i].method; i++) {
        const api_route *r = &api_routes[i];
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
    for (size_t i = 0; api_routes[i].method; i++)
        if (api_routes[i].body != NULL)
            add_body_schemas(schemas, api_routes[i].body);
    return json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:o}}", "openapi", "3.1.0", "info", "title",
        "bingfa API", "version", BINGFA_VERSION, "description",
        "bingfa (兵法): presales and project-sales management. Money is integer fen; times are "
        "UTC ISO 8601. Every record carries a version, sent as its ETag; PATCH and DELETE "
        "require If-Match. Errors are {\"error\":{\"code\",\"message\",\"field\"}}. "
        "Authenticate with Authorization: Bearer <API token> (bingfa token create), or log in "
        "with POST /api/v1/session: its cookie works for reads, and writes add the "
        "X-CSRF-Token it answered. Records one may not see answer 404.",
        "servers", "url", "/", "paths", paths, "components", "schemas", schemas);
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
