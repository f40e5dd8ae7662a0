/* The success bodies of the routes that do not answer a resource's record,
 * declared for the OpenAPI document; the handlers build them, and the API
 * tests check the answers they see against these declarations. */
#include "api/api.h"

#define TEXT(key)                                                                                  \
    {                                                                                              \
        .name = key, .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED                                 \
    }
#define TEXT_OR_NULL(key)                                                                          \
    {                                                                                              \
        .name = key, .kind = SCHEMA_TEXT, .flags = SCHEMA_NULLABLE                                 \
    }
#define INT(key)                                                                                   \
    {                                                                                              \
        .name = key, .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .max = INT64_MAX                \
    }
#define BOOL(key)                                                                                  \
    {                                                                                              \
        .name = key, .kind = SCHEMA_BOOL, .flags = SCHEMA_REQUIRED                                 \
    }
#define OBJECT(key, what)                                                                          \
    {                                                                                              \
        .name = key, .kind = SCHEMA_ANY, .flags = SCHEMA_REQUIRED, .doc = what                     \
    }
#define LIST(key, of, what)                                                                        \
    {                                                                                              \
        .name = key, .kind = SCHEMA_ARRAY, .flags = SCHEMA_REQUIRED, .item = of, .doc = what       \
    }

static const schema any_object = {.kind = SCHEMA_ANY};
static const schema name_item = {.kind = SCHEMA_TEXT};

const schema response_any = {.name = "Object", .kind = SCHEMA_ANY, .doc = "A JSON object"};

static const schema health_members[] = {
    TEXT("status"), TEXT("version"), INT("schema_version"), {0}};

const schema response_health = {.name = "Health", .kind = SCHEMA_OBJECT, .members = health_members};

static const schema user_members[] = {
    TEXT("id"), TEXT("name"), TEXT("role"), TEXT_OR_NULL("team_id"), TEXT_OR_NULL("partner_id"),
    {0}};

static const schema session_members[] = {
    {.name = "user", .kind = SCHEMA_OBJECT, .flags = SCHEMA_REQUIRED, .members = user_members},
    {.name = "authenticated_by", .kind = SCHEMA_TEXT, .doc = "session or token"},
    {.name = "csrf_token", .kind = SCHEMA_TEXT, .doc = "Sent as X-CSRF-Token by cookie writes"},
    {.name = "expires_at", .kind = SCHEMA_TEXT, .doc = "When the login's session ends"},
    {0}};

const schema response_session = {.name = "Session",
                                 .kind = SCHEMA_OBJECT,
                                 .members = session_members,
                                 .doc = "Who is logged in"};

static const schema audit_entry_members[] = {
    INT("seq"),
    TEXT("at"),
    TEXT("actor"),
    TEXT("action"),
    TEXT_OR_NULL("resource"),
    TEXT_OR_NULL("record_id"),
    {.name = "old", .kind = SCHEMA_ANY, .flags = SCHEMA_NULLABLE},
    {.name = "new", .kind = SCHEMA_ANY, .flags = SCHEMA_NULLABLE},
    TEXT_OR_NULL("address"),
    {0}};

static const schema audit_entry_schema = {.kind = SCHEMA_OBJECT, .members = audit_entry_members};

static const schema audit_page_members[] = {LIST("items", &audit_entry_schema, "Newest first"),
                                            TEXT_OR_NULL("next_cursor"),
                                            INT("limit"),
                                            {0}};

const schema response_audit_page = {
    .name = "AuditPage", .kind = SCHEMA_OBJECT, .members = audit_page_members};

static const schema deal_team_members[] = {TEXT("opportunity_id"),
                                           TEXT_OR_NULL("owner_id"),
                                           TEXT_OR_NULL("owner"),
                                           LIST("members", &any_object, "{user_id, name, role, …}"),
                                           LIST("partners", &any_object, "{partner_id, name, …}"),
                                           {0}};

const schema response_deal_team = {
    .name = "DealTeam", .kind = SCHEMA_OBJECT, .members = deal_team_members};

static const schema checklist_item_members[] = {
    TEXT("id"),
    TEXT("type"),
    OBJECT("text", "{zh, en}"),
    BOOL("gate"),
    TEXT_OR_NULL("kind"),
    TEXT_OR_NULL("owner"),
    TEXT_OR_NULL("framework"),
    BOOL("derived"),
    BOOL("done"),
    TEXT_OR_NULL("evidence"),
    TEXT_OR_NULL("activity_id"),
    TEXT_OR_NULL("document"),
    TEXT_OR_NULL("updated_by"),
    TEXT_OR_NULL("updated_at"),
    {.name = "stage", .kind = SCHEMA_TEXT, .doc = "The stage (in the answer to a tick)"},
    {.name = "missing",
     .kind = SCHEMA_ARRAY,
     .item = &name_item,
     .doc = "An item derived from MANT: the fields or parts still missing (empty when met)"},
    {0}};

const schema response_checklist_item = {
    .name = "ChecklistItem", .kind = SCHEMA_OBJECT, .members = checklist_item_members};

static const schema checklist_members[] = {
    TEXT("opportunity_id"),
    TEXT("playbook"),
    INT("playbook_version"),
    OBJECT("stage", "{id, name, probability, in_funnel}"),
    BOOL("complete"),
    INT("unmet"),
    LIST("items", &response_checklist_item, NULL),
    LIST("decisions", &any_object, "The stage's decision points"),
    {0}};

const schema response_checklist = {
    .name = "Checklist", .kind = SCHEMA_OBJECT, .members = checklist_members};

static const schema history_members[] = {
    TEXT("opportunity_id"), LIST("items", &any_object, "Stage moves, oldest first"), {0}};

const schema response_history = {
    .name = "StageHistory", .kind = SCHEMA_OBJECT, .members = history_members};

static const schema items_members[] = {LIST("items", &any_object, NULL), {0}};

const schema response_items = {
    .name = "Items", .kind = SCHEMA_OBJECT, .members = items_members, .doc = "A list"};

static const schema form_members[] = {
    TEXT("form"),
    TEXT("owner"),
    TEXT("owner_id"),
    {.name = "data",
     .kind = SCHEMA_ANY,
     .flags = SCHEMA_NULLABLE,
     .doc = "The form as saved (its body), null when never saved"},
    INT("version"),
    TEXT_OR_NULL("updated_at"),
    TEXT_OR_NULL("updated_by"),
    {.name = "result",
     .kind = SCHEMA_ANY,
     .flags = SCHEMA_NULLABLE,
     .doc = "What follows from the form"},
    {0}};

const schema response_form = {.name = "FormAnswer",
                              .kind = SCHEMA_OBJECT,
                              .members = form_members,
                              .doc = "A saved form and what follows from it"};
