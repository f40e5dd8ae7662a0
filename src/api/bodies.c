/* The request bodies of the routes that are not a resource, a form or a
 * tool: declared once here, validated with schema_check by their handlers
 * and described from the same declarations in the OpenAPI document. */
#include <string.h>

#include "api/api.h"
#include "core/template_catalog.h"
#include "core/approval.h"
#include "core/notify.h"

static const schema login_members[] = {
    {.name = "name",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .max = 100,
     .doc = "The user's login name"},
    {.name = "password", .kind = SCHEMA_SECRET, .flags = SCHEMA_REQUIRED, .max = 1000},
    {0},
};

const schema body_login = {
    .name = "LoginRequest", .kind = SCHEMA_OBJECT, .members = login_members, .doc = "A login"};

static const schema password_change_members[] = {
    {.name = "current_password", .kind = SCHEMA_SECRET, .flags = SCHEMA_REQUIRED, .max = 1000},
    {.name = "new_password",
     .kind = SCHEMA_SECRET,
     .flags = SCHEMA_REQUIRED,
     .max = 1000,
     .doc = "At least 10 characters, not a common password"},
    {0},
};

const schema body_password_change = {.name = "PasswordChange",
                                     .kind = SCHEMA_OBJECT,
                                     .members = password_change_members,
                                     .doc = "A change of one's own password"};

static const schema password_set_members[] = {
    {.name = "password",
     .kind = SCHEMA_SECRET,
     .flags = SCHEMA_REQUIRED,
     .max = 1000,
     .doc = "At least 10 characters, not a common password"},
    {0},
};

const schema body_password_set = {.name = "PasswordSet",
                                  .kind = SCHEMA_OBJECT,
                                  .members = password_set_members,
                                  .doc = "A user's new password, set by an admin"};

const char *const deal_member_roles[] = {"sales", "consultant", "manager", "implementation", NULL};

static const schema deal_member_members[] = {
    {.name = "role",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = deal_member_roles,
     .doc = "The member's role on the deal"},
    {0},
};

const schema body_deal_member = {.name = "DealMember",
                                 .kind = SCHEMA_OBJECT,
                                 .members = deal_member_members,
                                 .doc = "A user's role on the deal team"};

static const schema forecast_choice_members[] = {
    {.name = "category",
     .kind = SCHEMA_ENUM,
     .values = opportunity_forecast_categories,
     .doc = "pipeline, best_case, commit or omitted; null goes back to the stage's default"},
    {.name = "reason",
     .kind = SCHEMA_TEXT,
     .max = 1000,
     .doc = "Why (required with a category): kept on the deal and in the audit log"},
    {0},
};

const schema body_forecast_choice = {.name = "ForecastChoice",
                                     .kind = SCHEMA_OBJECT,
                                     .members = forecast_choice_members,
                                     .doc = "The owner's forecast category for a deal"};

static const schema target_members[] = {
    {.name = "user_id", .kind = SCHEMA_TEXT, .max = 40, .doc = "The user (or team_id)"},
    {.name = "team_id", .kind = SCHEMA_TEXT, .max = 40, .doc = "The team (or user_id)"},
    {.name = "quarter", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .max = 7, .doc = "YYYY-Qn"},
    {.name = "currency", .kind = SCHEMA_TEXT, .max = 3, .doc = "ISO 4217 (default CNY)"},
    {.name = "amount",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = 100000000000000,
     .doc = "The target in fen; 0 removes it"},
    {0},
};

const schema body_target = {.name = "Target",
                            .kind = SCHEMA_OBJECT,
                            .members = target_members,
                            .doc = "A quarter's sales target of a user or a team"};

static const schema transfer_members[] = {
    {.name = "owner_id",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .max = 40,
     .doc = "The new owner: an active user who may own deals"},
    {.name = "reason",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .max = 1000,
     .doc = "Why the owner changes; kept in the audit log"},
    {0},
};

const schema body_transfer = {.name = "TransferRequest",
                              .kind = SCHEMA_OBJECT,
                              .members = transfer_members,
                              .doc = "A transfer to another owner (转移负责人)"};

/* A bulk action's records (by id or by a list's query) and what to do to
 * them: exactly one of ids and query; transfer names owner_id and reason,
 * the tag actions their tags (as a record's tags: no commas, no control
 * characters). */
static bf_result bulk_rule(json_t *norm, const char *path, bf_error *err)
{
    (void)path;
    bool ids = json_object_get(norm, "ids") != NULL, query = json_object_get(norm, "query") != NULL;
    if (ids == query)
        return bf_fail(err, BF_ERR_INVALID, ids ? "invalid_value" : "required", "ids",
                       "give the records either by ids or by query, not %s",
                       ids ? "both" : "neither");
    const char *action = json_string_value(json_object_get(norm, "action"));
    bool transfer = strcmp(action, "transfer") == 0;
    if (transfer && json_object_get(norm, "owner_id") == NULL)
        return bf_fail(err, BF_ERR_INVALID, "required", "owner_id",
                       "owner_id (the new owner) is required to transfer");
    if (transfer && json_object_get(norm, "reason") == NULL)
        return bf_fail(err, BF_ERR_INVALID, "required", "reason",
                       "reason is required to transfer: it is kept in the audit log");
    json_t *tags = json_object_get(norm, "tags");
    if (!transfer && tags == NULL)
        return bf_fail(err, BF_ERR_INVALID, "required", "tags", "tags is required to %s", action);
    if (transfer && tags != NULL)
        return bf_fail(err, BF_ERR_INVALID, "unknown_field", "tags", "a transfer takes no tags");
    size_t i;
    json_t *tag;
    json_array_foreach(tags, i, tag)
    {
        for (const char *c = json_string_value(tag); *c; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == ',')
                return bf_fail(err, BF_ERR_INVALID, "invalid_value", "tags",
                               "tags[%zu] must not hold a comma or a control character", i);
    }
    return BF_OK;
}

static const schema bulk_id = {.kind = SCHEMA_TEXT, .min = 1, .max = 40};
static const schema bulk_tag = {.kind = SCHEMA_TEXT, .min = 1, .max = TAG_MAX_CHARS};
static const char *const bulk_actions[] = {"transfer", "add_tag", "remove_tag", NULL};

static const schema bulk_members[] = {
    {.name = "ids",
     .kind = SCHEMA_ARRAY,
     .min = 1,
     .max = API_BULK_MAX,
     .item = &bulk_id,
     .doc = "The records, by id (at most 500; each once). Or query"},
    {.name = "query",
     .kind = SCHEMA_TEXT,
     .max = 2000,
     .doc = "The list's query string, its filters as GET /api/v1/<resource> takes them "
            "(status=open&tag=重点): the records the list finds for the caller, at most 500. "
            "Or ids"},
    {.name = "action",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = bulk_actions,
     .doc = "transfer (deals and accounts: 转移负责人), add_tag or remove_tag"},
    {.name = "owner_id",
     .kind = SCHEMA_TEXT,
     .max = 40,
     .doc = "transfer: the new owner, an active user who may own deals"},
    {.name = "reason",
     .kind = SCHEMA_TEXT,
     .max = 1000,
     .doc = "transfer: why; kept in each record's audit entry"},
    {.name = "tags",
     .kind = SCHEMA_ARRAY,
     .min = 1,
     .max = TAGS_MAX,
     .item = &bulk_tag,
     .doc = "add_tag, remove_tag: the tags (标签) to add to or take off every record"},
    {0},
};

const schema body_bulk = {.name = "BulkRequest",
                          .kind = SCHEMA_OBJECT,
                          .members = bulk_members,
                          .rule = bulk_rule,
                          .doc = "A bulk action (批量操作) on records of a list: all of them "
                                 "changed, or none"};

static const schema advance_members[] = {
    {.name = "note", .kind = SCHEMA_TEXT, .max = 1000, .doc = "Kept in the stage history"},
    {.name = "override",
     .kind = SCHEMA_BOOL,
     .doc = "A manager moves on although criteria are unmet"},
    {.name = "reason",
     .kind = SCHEMA_TEXT,
     .max = 1000,
     .doc = "Why (required with override); the same text as note"},
    {0},
};

const schema body_advance = {.name = "AdvanceRequest",
                             .kind = SCHEMA_OBJECT,
                             .members = advance_members,
                             .doc = "A move to the next stage"};

static const schema checklist_members[] = {
    {.name = "done", .kind = SCHEMA_BOOL, .flags = SCHEMA_REQUIRED},
    {.name = "evidence", .kind = SCHEMA_TEXT, .max = 2000, .doc = "What shows it is done"},
    {.name = "activity_id",
     .kind = SCHEMA_TEXT,
     .max = 40,
     .doc = "An activity of this opportunity that shows it"},
    {.name = "document", .kind = SCHEMA_TEXT, .max = 2000, .doc = "The document delivered"},
    {.name = "document_id",
     .kind = SCHEMA_TEXT,
     .max = 40,
     .doc = "A document kept on the deal that satisfies the deliverable: linked to it"},
    {0},
};

const schema body_checklist_item = {.name = "ChecklistItemUpdate",
                                    .kind = SCHEMA_OBJECT,
                                    .members = checklist_members,
                                    .doc = "A tick or untick of a checklist item, with evidence"};

static const schema checklist_step_members[] = {
    {.name = "done", .kind = SCHEMA_BOOL, .flags = SCHEMA_REQUIRED},
    {.name = "evidence", .kind = SCHEMA_TEXT, .max = 2000, .doc = "What shows it is done"},
    {0},
};

const schema body_checklist_step = {.name = "ChecklistStepUpdate",
                                    .kind = SCHEMA_OBJECT,
                                    .members = checklist_step_members,
                                    .doc = "A tick or untick of a key activity's sub-step"};

static const char *const decision_answers[] = {"yes", "no", NULL};

static const schema decision_members[] = {
    {.name = "answer", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = decision_answers},
    {.name = "reason",
     .kind = SCHEMA_TEXT,
     .max = 2000,
     .doc = "Required with no: it turns the deal around"},
    {0},
};

const schema body_decision = {.name = "DecisionAnswer",
                              .kind = SCHEMA_OBJECT,
                              .members = decision_members,
                              .doc = "The answer to a decision point"};

bf_result api_body_as(api_call *call, const schema *s, json_t **out)
{
    json_t *body;
    *out = NULL;
    bf_result r = api_body(call, &body);
    if (r == BF_OK)
        r = schema_check(s, body, out, &call->err);
    if (r == BF_OK && api_keep(call, *out) == NULL)
        return BF_ERR_NOMEM;
    return r;
}

static const char *const approval_close_statuses[] = {"won", "lost", "abandoned", NULL};

static const schema approval_request_members[] = {
    {.name = "kind",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = approval_request_kinds,
     .doc = "override: pass the current stage's gate although items are unmet; close: close the "
            "deal before its winning stage; sales_mode: a mode below the recommendation"},
    {.name = "reason",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .max = 1000,
     .doc = "Why (close: kept as the close reason)"},
    {.name = "evidence", .kind = SCHEMA_TEXT, .max = 2000, .doc = "What shows it"},
    {.name = "status",
     .kind = SCHEMA_ENUM,
     .values = approval_close_statuses,
     .doc = "close: how the deal closes"},
    {.name = "won_by",
     .kind = SCHEMA_TEXT,
     .max = 100,
     .doc = "close lost: the competitor who won"},
    {.name = "sales_mode", .kind = SCHEMA_ID, .doc = "sales_mode: the mode asked for"},
    {0}};

const schema body_approval_request = {.name = "ApprovalRequest",
                                      .kind = SCHEMA_OBJECT,
                                      .members = approval_request_members,
                                      .doc = "A request for a manager's decision about the deal"};

static const schema approval_decision_members[] = {
    {.name = "comment", .kind = SCHEMA_TEXT, .max = 1000, .doc = "Kept with the decision"}, {0}};

const schema body_approval_decision = {.name = "ApprovalDecision",
                                       .kind = SCHEMA_OBJECT,
                                       .members = approval_decision_members,
                                       .doc = "An approval, with an optional comment"};

static const schema approval_rejection_members[] = {{.name = "comment",
                                                     .kind = SCHEMA_TEXT,
                                                     .flags = SCHEMA_REQUIRED,
                                                     .max = 1000,
                                                     .doc = "Why not: the requester reads it"},
                                                    {0}};

const schema body_approval_rejection = {.name = "ApprovalRejection",
                                        .kind = SCHEMA_OBJECT,
                                        .members = approval_rejection_members,
                                        .doc = "A rejection, with its reason"};

static const schema activity_tick_members[] = {
    {.name = "done", .kind = SCHEMA_BOOL, .flags = SCHEMA_REQUIRED},
    {.name = "note", .kind = SCHEMA_TEXT, .max = 1000, .doc = "What was found or agreed"},
    {0},
};

const schema body_activity_tick = {.name = "ActivityChecklistTick",
                                   .kind = SCHEMA_OBJECT,
                                   .members = activity_tick_members,
                                   .doc = "A tick or untick of an activity's checklist item"};

static const char *const checklist_phases[] = {"before", "during", "after", NULL};

static const schema activity_item_members[] = {
    {.name = "phase",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = checklist_phases,
     .doc = "Before, during or after the activity"},
    {.name = "text",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = 200,
     .doc = "What to do or check"},
    {0},
};

const schema body_activity_item = {.name = "ActivityChecklistItem",
                                   .kind = SCHEMA_OBJECT,
                                   .members = activity_item_members,
                                   .doc = "An item the team adds to an activity's checklist"};

static const char *const quotation_moves[] = {"sent", "accepted", "rejected", "draft", NULL};

static const schema quotation_status_members[] = {
    {.name = "status",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = quotation_moves,
     .doc = "sent (from approved), accepted or rejected (from sent, before valid_until), draft "
            "(from approved or rejected, to change it)"},
    {0},
};

const schema body_quotation_status = {.name = "QuotationStatus",
                                      .kind = SCHEMA_OBJECT,
                                      .members = quotation_status_members,
                                      .doc = "The next state of a quotation"};

static const schema quotation_primary_members[] = {
    {.name = "update_amount",
     .kind = SCHEMA_BOOL,
     .def = "false",
     .doc = "Also make the quotation's gross total (含税) the deal's amount"},
    {0},
};

const schema body_quotation_primary = {.name = "QuotationPrimary",
                                       .kind = SCHEMA_OBJECT,
                                       .members = quotation_primary_members,
                                       .doc = "Make a quotation the deal's primary one"};

static const schema template_members[] = {
    {.name = "key",
     .kind = SCHEMA_SLUG,
     .flags = SCHEMA_REQUIRED,
     .doc = "Which template: a built-in one's key makes the company's own version of it"},
    {.name = "lang", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = template_langs},
    {.name = "kind", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = template_kinds},
    {.name = "name", .ref = &schema_text_pair, .flags = SCHEMA_REQUIRED},
    {.name = "body",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .max = 200000,
     .doc = "Markdown with Mustache tags over the data of docs/templates.md"},
    {.name = "base_version",
     .kind = SCHEMA_INT,
     .min = 0,
     .max = INT64_MAX,
     .doc = "The version the text was written over (0: the built-in one): saving fails with 412 "
            "when another was saved meanwhile"},
    {0},
};

const schema body_template = {.name = "TemplateBody",
                              .kind = SCHEMA_OBJECT,
                              .members = template_members,
                              .doc = "A document template, saved as its key's next version"};

static const schema preview_members[] = {
    {.name = "template", .kind = SCHEMA_SLUG, .doc = "A template's key (or body)"},
    {.name = "body", .kind = SCHEMA_TEXT, .max = 200000, .doc = "A template text to try"},
    {.name = "lang", .kind = SCHEMA_ENUM, .values = template_langs, .def = "\"zh\""},
    {0},
};

const schema body_document_preview = {.name = "DocumentPreview",
                                      .kind = SCHEMA_OBJECT,
                                      .members = preview_members,
                                      .doc = "A template (or a text) filled from the deal"};

const char *const document_categories[] = {"proposal",
                                           "quotation",
                                           "contract",
                                           "service_contract",
                                           "statement_of_work",
                                           "research_results",
                                           "research_plan",
                                           "needs_report",
                                           "letter",
                                           "case",
                                           "handover",
                                           "minutes",
                                           "tender",
                                           "other",
                                           NULL};

static const schema document_change_members[] = {
    {.name = "category",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = document_categories,
     .doc = "What the document is: the handover package is assembled by category"},
    {.name = "item_id",
     .kind = SCHEMA_TEXT,
     .max = 80,
     .doc = "The checklist deliverable of the deal's playbook it satisfies (left out: none)"},
    {.name = "shared", .kind = SCHEMA_BOOL, .doc = "Shown to the deal's partners"},
    {.name = "note", .kind = SCHEMA_TEXT, .max = 2000},
    {0},
};

const schema body_document_change = {.name = "DocumentChange",
                                     .kind = SCHEMA_OBJECT,
                                     .members = document_change_members,
                                     .doc = "What a document is and satisfies; what is left out "
                                            "is cleared"};

static const char *const document_formats[] = {"docx", "pdf", "html", "markdown", NULL};

static const schema document_save_members[] = {
    {.name = "format", .kind = SCHEMA_ENUM, .values = document_formats, .def = "\"docx\""},
    {.name = "lang", .kind = SCHEMA_ENUM, .values = template_langs, .def = "\"zh\""},
    {.name = "category",
     .kind = SCHEMA_ENUM,
     .values = document_categories,
     .doc = "By default the template's kind (a letter, a proposal …)"},
    {.name = "item_id",
     .kind = SCHEMA_TEXT,
     .max = 80,
     .doc = "The checklist deliverable of the deal's playbook it satisfies"},
    {.name = "shared", .kind = SCHEMA_BOOL, .doc = "Shown to the deal's partners"},
    {.name = "note", .kind = SCHEMA_TEXT, .max = 2000},
    {0},
};

const schema body_document_save = {.name = "DocumentSave",
                                   .kind = SCHEMA_OBJECT,
                                   .members = document_save_members,
                                   .doc = "A document made from a template, kept on the deal"};

static const schema handover_members[] = {
    {.name = "commitments",
     .kind = SCHEMA_TEXT,
     .max = 8000,
     .doc = "The verbal commitments made to the customer (口头承诺), for implementation"},
    {.name = "project_lead_id",
     .kind = SCHEMA_TEXT,
     .max = 40,
     .doc = "The customer's project lead: a contact of the deal's account"},
    {0},
};

const schema body_handover = {.name = "HandoverBody",
                              .kind = SCHEMA_OBJECT,
                              .members = handover_members,
                              .doc = "The handover's own parts; what is left out is cleared"};

static const schema handover_ack_members[] = {
    {.name = "note",
     .kind = SCHEMA_TEXT,
     .max = 2000,
     .doc = "What implementation says on receipt"},
    {0},
};

const schema body_handover_ack = {.name = "HandoverAcknowledgement",
                                  .kind = SCHEMA_OBJECT,
                                  .members = handover_ack_members,
                                  .doc = "Receipt of the handover package"};

static const schema webhook_event = {.kind = SCHEMA_ENUM, .values = notify_kinds};

static const schema webhook_members[] = {
    {.name = "name",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = 60,
     .doc = "What the admin calls it (华东销售群)"},
    {.name = "kind",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = notify_robot_kinds,
     .doc = "wecom: a 企业微信 group robot; dingtalk: a 钉钉 custom robot"},
    {.name = "url",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .min = 1,
     .max = 500,
     .doc = "The robot's webhook address, its key or access token in it "
            "(https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…, "
            "https://oapi.dingtalk.com/robot/send?access_token=…)"},
    {.name = "secret",
     .kind = SCHEMA_SECRET,
     .max = 200,
     .doc = "DingTalk's signing secret (SEC…), never answered back: left out, the one set stays; "
            "null or an empty text removes it"},
    {.name = "events",
     .kind = SCHEMA_ARRAY,
     .max = 6,
     .item = &webhook_event,
     .def = "[]",
     .doc = "The events it is sent"},
    {.name = "team_id",
     .kind = SCHEMA_ID,
     .doc = "Only events about the deals of this team's people and the teams below it; left "
            "out: every deal's"},
    {.name = "lang",
     .kind = SCHEMA_ENUM,
     .values = notify_langs,
     .def = "\"zh\"",
     .doc = "The language of its messages"},
    {.name = "enabled", .kind = SCHEMA_BOOL, .def = "true", .doc = "false: nothing is sent"},
    {0},
};

const schema body_webhook = {.name = "WebhookRequest",
                             .kind = SCHEMA_OBJECT,
                             .members = webhook_members,
                             .doc = "A group robot's webhook: the whole of it"};
