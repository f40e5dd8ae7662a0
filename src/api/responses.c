/* The success bodies of the routes that do not answer a resource's record,
 * declared for the OpenAPI document; the handlers build them, and the API
 * tests check the answers they see against these declarations. */
#include "api/api.h"
#include "core/approval.h"
#include "core/notify.h"
#include "core/pricing.h"

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

#define OBJECT_OR_NULL(key, what)                                                                  \
    {                                                                                              \
        .name = key, .kind = SCHEMA_ANY, .flags = SCHEMA_NULLABLE, .doc = what                     \
    }

static const schema any_object = {.kind = SCHEMA_ANY};
static const schema name_item = {.kind = SCHEMA_TEXT};
static const schema version_number = {.kind = SCHEMA_INT, .min = 1, .max = INT64_MAX};

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

static const schema calendar_feed_members[] = {
    BOOL("active"),
    {.name = "created_at",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "When the feed in use was made (UTC); absent when there is none"},
    {.name = "path",
     .kind = SCHEMA_TEXT,
     .doc = "The feed's path with its secret: only in the answer that made it"},
    {.name = "url",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "The feed's whole address, when the server knows its public address (serve "
            "--public-url), else null: only in the answer that made it"},
    {0}};

const schema response_calendar_feed = {
    .name = "CalendarFeed",
    .kind = SCHEMA_OBJECT,
    .members = calendar_feed_members,
    .doc = "The caller's calendar feed (日历订阅). Only the secret's hash is kept: its address is "
           "answered once, when it is made"};

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
    {.name = "derived_from",
     .kind = SCHEMA_TEXT,
     .doc = "proposal-review: met by the proposal's review and its approved release"},
    {.name = "audience", .kind = SCHEMA_TEXT, .doc = "A deliverable: who it is for"},
    {.name = "requires_document",
     .kind = SCHEMA_BOOL,
     .doc = "A deliverable: ticked only with a document kept on the deal"},
    {.name = "template",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "A deliverable: the template it is made from"},
    {.name = "documents",
     .kind = SCHEMA_ARRAY,
     .item = &any_object,
     .doc = "A deliverable (in a checklist read): the documents kept that satisfy it"},
    BOOL("derived"),
    {.name = "owner_roles",
     .kind = SCHEMA_ARRAY,
     .flags = SCHEMA_REQUIRED | SCHEMA_NULLABLE,
     .item = &name_item,
     .doc = "The users' roles that play the owner (sales, consultant, manager, partner, "
            "implementation); null without an owner"},
    {.name = "may_tick",
     .kind = SCHEMA_BOOL,
     .flags = SCHEMA_REQUIRED,
     .doc = "Whether the viewer may tick it: not derived, and the viewer plays its owner (or "
            "is an admin)"},
    BOOL("done"),
    TEXT_OR_NULL("evidence"),
    TEXT_OR_NULL("activity_id"),
    TEXT_OR_NULL("document"),
    TEXT_OR_NULL("updated_by"),
    TEXT_OR_NULL("updated_at"),
    {.name = "stage", .kind = SCHEMA_TEXT, .doc = "The stage (in the answer to a tick)"},
    {.name = "steps",
     .kind = SCHEMA_ARRAY,
     .item = &any_object,
     .doc = "A key activity's sub-steps: {n, text, owner, owner_roles, may_tick, done, evidence, "
            "updated_by, updated_at}, ticked with PUT …/checklist/{item}/steps/{n}"},
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
    {.name = "facts",
     .kind = SCHEMA_ANY,
     .doc = "The deal's shared facts from their home, on the worksheets that show them "
            "(evaluation, mant, 5w2p): {budget: fen|null, competitors: [names], "
            "decision_makers: [names], expected_close: date|null}; a body's member facts "
            "(DealFacts) writes them there"},
    {0}};

const schema response_form = {.name = "FormAnswer",
                              .kind = SCHEMA_OBJECT,
                              .members = form_members,
                              .doc = "A saved form and what follows from it"};

static const schema totals_members[] = {INT("count"), INT("amount"), INT("weighted_amount"), {0}};

static const schema totals = {.kind = SCHEMA_OBJECT,
                              .members = totals_members,
                              .doc = "Count, amount and weighted amount (fen)"};

#define TOTALS(key)                                                                                \
    {                                                                                              \
        .name = key, .ref = &totals, .flags = SCHEMA_REQUIRED                                      \
    }

static const schema funnel_stage_members[] = {
    TEXT("id"),
    OBJECT("name", "{zh, en}"),
    INT("probability"),
    BOOL("in_funnel"),
    INT("count"),
    INT("amount"),
    INT("weighted_amount"),
    {.name = "mant_incomplete",
     .ref = &totals,
     .flags = SCHEMA_NULLABLE,
     .doc = "Of those, deals without a complete MANT (null when the playbook has no MANT gate)"},
    {0}};

static const schema funnel_stage = {.kind = SCHEMA_OBJECT, .members = funnel_stage_members};

static const schema funnel_members[] = {
    TEXT("playbook"),      TEXT("currency"),
    TEXT_OR_NULL("owner"), TEXT_OR_NULL("team"),
    TEXT_OR_NULL("from"),  TEXT_OR_NULL("to"),
    BOOL("mant_gate"),     LIST("stages", &funnel_stage, "In the playbook's order"),
    TOTALS("totals"),      TOTALS("funnel_totals"),
    TOTALS("pre_funnel"),  {0}};

const schema response_funnel = {.name = "Funnel",
                                .kind = SCHEMA_OBJECT,
                                .members = funnel_members,
                                .doc = "Open deals per stage of one playbook and currency "
                                       "(of the close months from..to when asked)"};

static const schema forecast_members[] = {
    TEXT("period"),
    TEXT("group"),
    TEXT("from"),
    TEXT("to"),
    TEXT("currency"),
    TEXT_OR_NULL("as_of"),
    LIST("rows", &any_object,
         "Each group and period: period, group, group_name, pipeline, best_case, commit, omitted, "
         "closed (amounts in fen), counts {category: n}, open_count, open_amount, "
         "weighted_amount, forecast_amount (commit + closed), target, attainment (closed / "
         "target), gap (target - closed); every period of the range, empty ones too"),
    LIST("totals", &any_object, "The same per period over every group, each deal once"),
    OBJECT("undated", "Open deals without an expected close date, as a row"),
    {0}};

const schema response_forecast = {.name = "Forecast",
                                  .kind = SCHEMA_OBJECT,
                                  .members = forecast_members,
                                  .doc = "Deals by period and forecast category, with targets"};

static const schema stage_report_members[] = {
    TEXT("playbook"),
    TEXT("from"),
    TEXT("to"),
    TEXT_OR_NULL("as_of"),
    LIST("stages", &any_object,
         "Each stage: entered, advanced, won, back, lost, abandoned, conversion_next, "
         "conversion_won, days_median, days_mean, days_p90 (of the stays that ended)"),
    {0}};

const schema response_stage_report = {
    .name = "StageReport", .kind = SCHEMA_OBJECT, .members = stage_report_members};

static const schema calibration_members[] = {
    TEXT("playbook"),
    TEXT("from"),
    TEXT("to"),
    TEXT_OR_NULL("as_of"),
    INT("min_closed"),
    LIST("stages", &any_object,
         "Each stage: nominal (percent), closed, won, observed, low and high (95% Wilson "
         "interval), suggested (percent, or null), calibrated"),
    {0}};

const schema response_calibration = {
    .name = "Calibration", .kind = SCHEMA_OBJECT, .members = calibration_members};

static const schema winloss_members[] = {
    TEXT("by"),
    TEXT("from"),
    TEXT("to"),
    TEXT("currency"),
    TEXT_OR_NULL("as_of"),
    LIST("rows", &any_object,
         "Each group: key, name, won, won_amount, lost, lost_amount, abandoned, "
         "abandoned_amount, win_rate, won_cycle_days and closed_cycle_days (the mean days from "
         "creation to winning, to closing; null without)"),
    LIST("quarters", &any_object, "The same by quarter of closing"),
    {0}};

const schema response_winloss = {
    .name = "WinLoss", .kind = SCHEMA_OBJECT, .members = winloss_members};

static const schema changes_members[] = {
    TEXT("since"),
    BOOL("truncated"),
    OBJECT("summary",
           "added, added_amount, amount_raised, amount_cut (fen), pushed, pulled (close dates "
           "moved later or earlier), won, lost, abandoned, recategorised"),
    LIST("changes", &any_object,
         "Newest first: opportunity_id, name, owner, currency, field (amount, expected_close, "
         "forecast_category, status, stage), old, new, changed_at, pushes (times the deal's "
         "close date was pushed later in all)"),
    LIST("added", &any_object,
         "Deals made since: opportunity_id, name, owner, currency, amount, "
         "created_at"),
    {0}};

const schema response_changes = {
    .name = "ForecastChanges", .kind = SCHEMA_OBJECT, .members = changes_members};

static const schema activity_report_members[] = {
    TEXT("from"),
    TEXT("to"),
    INT("days"),
    INT("idle_days"),
    INT("stalled_days"),
    LIST("people", &any_object,
         "Each person: owner_id, name, activities, visits, per_day, open_deals, idle_deals (no "
         "activity for idle_days or ever), never_active, plan_met, plan_missed, plan_under_way "
         "(visit plans whose window ends in the range), age_0_30, age_31_60, age_61_90, "
         "age_over_90 (open deals by whole days in their stage, China time) and stalled_deals "
         "(in their stage for stalled_days or more)"),
    LIST("teams", &any_object, "The same per team, rolled up through the tree (team_id)"),
    LIST("weeks", &any_object, "The same per week (week: its Monday)"),
    {0}};

const schema response_activity = {
    .name = "ActivityCompliance", .kind = SCHEMA_OBJECT, .members = activity_report_members};

static const schema targets_members[] = {
    LIST("items", &any_object,
         "Each target: user_id or team_id, name, quarter, currency, amount (fen), updated_at, "
         "updated_by"),
    {0}};

const schema response_targets = {
    .name = "Targets", .kind = SCHEMA_OBJECT, .members = targets_members};

static const schema stalled_members[] = {INT("days"),
                                         TEXT_OR_NULL("owner"),
                                         TEXT_OR_NULL("team"),
                                         LIST("items", &any_object,
                                              "{id, name, owner, playbook, stage, amount, "
                                              "currency, stage_since}, longest first"),
                                         {0}};

const schema response_stalled = {
    .name = "StalledDeals", .kind = SCHEMA_OBJECT, .members = stalled_members};

static const schema health_factor_members[] = {TEXT("id"),
                                               INT("weight"),
                                               INT("penalty"),
                                               BOOL("ok"),
                                               OBJECT("detail", "{zh, en}"),
                                               OBJECT("action", "{zh, en}: what fixes it"),
                                               {0}};

static const schema health_factor = {.kind = SCHEMA_OBJECT, .members = health_factor_members};

static const schema deal_health_members[] = {
    INT("score"),
    TEXT("level"),
    LIST("factors", &health_factor, "Each factor with its weight and the action that fixes it"),
    TEXT("opportunity_id"),
    OBJECT("inputs", "The facts the score was computed from"),
    {0}};

const schema response_deal_health = {
    .name = "DealHealth", .kind = SCHEMA_OBJECT, .members = deal_health_members};

static const schema next_members[] = {
    TEXT("opportunity_id"),
    TEXT("playbook"),
    INT("playbook_version"),
    TEXT("lang"),
    TEXT("status"),
    OBJECT("stage", "{id, name, probability, goal, milestone, success_criteria, typical_days}"),
    BOOL("turnaround"),
    BOOL("can_advance"),
    BOOL("wins"),
    LIST("unmet_criteria", &any_object, NULL),
    LIST("missing_deliverables", &any_object, NULL),
    LIST("pending_activities", &any_object, NULL),
    LIST("decisions", &any_object, NULL),
    LIST("visits_due", &any_object, NULL),
    OBJECT_OR_NULL("visit_plan", "The sales mode's visit benchmark and where the deal stands"),
    LIST("closing", &any_object, "The closing steps of a won deal"),
    {0}};

const schema response_next = {.name = "NextActions",
                              .kind = SCHEMA_OBJECT,
                              .members = next_members,
                              .doc = "What the playbook says to do now"};

static const schema playbook_summary_members[] = {
    TEXT("id"),
    INT("version"),
    LIST("versions", &version_number, "Every version loaded"),
    TEXT("name"),
    TEXT("name_zh"),
    TEXT("name_en"),
    TEXT_OR_NULL("description"),
    INT("decision_points"),
    INT("modes"),
    LIST("stages", &any_object, "{id, name, probability, …}"),
    {0}};

static const schema playbook_summary = {.kind = SCHEMA_OBJECT, .members = playbook_summary_members};

static const schema playbooks_members[] = {LIST("items", &playbook_summary, NULL), {0}};

const schema response_playbooks = {
    .name = "PlaybookList", .kind = SCHEMA_OBJECT, .members = playbooks_members};

static const schema imported_members[] = {TEXT("id"), INT("version"), {0}};

const schema response_playbook_imported = {
    .name = "PlaybookImported", .kind = SCHEMA_OBJECT, .members = imported_members};

static const schema decision_answer_members[] = {
    OBJECT("decision", "{id, answer, reason, by, at, …}"),
    OBJECT("opportunity", "The deal after the answer (a no may have turned it around)"),
    {0}};

const schema response_decision = {
    .name = "DecisionAnswered", .kind = SCHEMA_OBJECT, .members = decision_answer_members};

static const schema advice_members[] = {
    LIST("methods", &any_object, "{method, name, allowed, conditions}, in the law's order"),
    TEXT_OR_NULL("recommended"),
    LIST("warnings", &any_object, "{code, text}"),
    {0}};

const schema response_procurement_advice = {
    .name = "ProcurementAdvice", .kind = SCHEMA_OBJECT, .members = advice_members};

static const schema duplicates_members[] = {
    LIST("warnings", &any_object,
         "{code: duplicate_account | duplicate_deal, text, matches: [{why: name | credit_code | "
         "deal_name, name, owner, visible, id (only when visible)}]}; empty when none"),
    {0}};

const schema response_duplicates = {
    .name = "Duplicates", .kind = SCHEMA_OBJECT, .members = duplicates_members};

static const schema import_sheets_members[] = {
    LIST("items", &any_object,
         "{resource, title, title_en, allowed (whether the caller may import it), columns: "
         "[{header, header_en, field, kind, required, example, help, help_en, choices}]}"),
    {0}};

const schema response_import_sheets = {
    .name = "ImportSheets", .kind = SCHEMA_OBJECT, .members = import_sheets_members};

static const schema import_template_members[] = {
    TEXT("resource"),
    LIST("columns", &any_object, "{header, header_en, field, kind, required, example, …}"),
    LIST("rows", &any_object, "Always empty: the template's sheet has headers only"),
    {0}};

const schema response_import_template = {
    .name = "ImportTemplate", .kind = SCHEMA_OBJECT, .members = import_template_members};

static const schema import_report_members[] = {
    TEXT("resource"),
    TEXT("format"),
    TEXT("encoding"),
    BOOL("dry_run"),
    BOOL("committed"),
    INT("rows"),
    INT("created"),
    INT("merged"),
    INT("skipped"),
    LIST("errors", &any_object,
         "{row (the sheet's, from 1), column (A, B …), header, field, code, message}"),
    LIST("duplicates", &any_object,
         "{row, action: skip | merge | create, code, text, matches: [{why, name, owner, visible, "
         "id?}]}"),
    {0}};

const schema response_import_report = {
    .name = "ImportReport", .kind = SCHEMA_OBJECT, .members = import_report_members};

static const schema simulation_members[] = {
    TEXT("formula"),
    INT("benchmark"),
    LIST("bidders", &any_object, "{name, us, price, price_score, total, rank}"),
    INT("us_rank"),
    {.name = "winning_price",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED | SCHEMA_NULLABLE,
     .max = INT64_MAX,
     .doc = "The highest price (fen) at which we still rank first"},
    OBJECT_OR_NULL("reason", "Why there is no winning price"),
    {0}};

const schema response_bid_simulation = {
    .name = "BidSimulationResult", .kind = SCHEMA_OBJECT, .members = simulation_members};

const schema response_playbook_view = {
    .name = "PlaybookView",
    .kind = SCHEMA_ANY,
    .doc = "The playbook document (schema Playbook); with ?lang=zh|en each of its texts is a "
           "plain string in that language, and \"lang\" names it"};

static const schema approval_members[] = {
    TEXT("id"),
    INT("version"),
    TEXT("opportunity_id"),
    TEXT_OR_NULL("opportunity_name"),
    {.name = "kind", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = approval_kinds},
    {.name = "state", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = approval_states},
    TEXT("reason"),
    TEXT_OR_NULL("evidence"),
    {.name = "stage",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "The stage the deal was in when asked (override, close)"},
    OBJECT_OR_NULL("stage_name", "{zh, en}: the name of that stage"),
    {.name = "to",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "override made directly: the stage it led to"},
    {.name = "status",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "close: won, lost or abandoned"},
    TEXT_OR_NULL("won_by"),
    {.name = "sales_mode",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "sales_mode: the mode asked for"},
    {.name = "recommended",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "sales_mode: the mode the evaluation recommends"},
    {.name = "amount",
     .kind = SCHEMA_MONEY,
     .flags = SCHEMA_NULLABLE,
     .max = INT64_MAX,
     .doc = "The deal's amount in fen when asked: it sets the levels"},
    INT("levels"),
    {.name = "level",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = INT64_MAX,
     .doc = "The level waiting for a decision (levels once decided)"},
    {.name = "approver_team_id",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "A manager of this team or of a team above decides the level; null: an admin"},
    TEXT_OR_NULL("approver_team"),
    {.name = "approver_role",
     .kind = SCHEMA_TEXT,
     .doc = "Present when the playbook names the role that decides level 1 (approvers) and a "
            "member of the deal team plays it: its code"},
    {.name = "approver_role_name", .kind = SCHEMA_ANY, .doc = "{zh, en}: that role's name"},
    {.name = "approver_user_id",
     .kind = SCHEMA_TEXT,
     .doc = "Present while the level waits for that member: their user id"},
    {.name = "approver_user", .kind = SCHEMA_TEXT, .doc = "That member's name"},
    TEXT("requested_by"),
    TEXT("requested_at"),
    LIST("decisions", &any_object, "{level, by, verdict: approved|rejected, comment, at}"),
    TEXT_OR_NULL("decided_at"),
    BOOL("may_decide"),
    BOOL("may_withdraw"),
    OBJECT("ask", "What is asked, as stored"),
    {0}};

const schema response_approval = {.name = "Approval",
                                  .kind = SCHEMA_OBJECT,
                                  .members = approval_members,
                                  .doc = "A decision a manager makes about a deal (审批)"};

static const schema approval_result_members[] = {
    {.name = "approval",
     .kind = SCHEMA_OBJECT,
     .flags = SCHEMA_REQUIRED,
     .members = approval_members},
    OBJECT("opportunity", "The deal after the step (changed when it approved the last level)"),
    {0}};

const schema response_approval_result = {
    .name = "ApprovalResult", .kind = SCHEMA_OBJECT, .members = approval_result_members};

static const schema approval_page_members[] = {LIST("items", &response_approval, "Newest first"),
                                               TEXT_OR_NULL("next_cursor"),
                                               INT("limit"),
                                               {0}};

const schema response_approval_page = {
    .name = "ApprovalPage", .kind = SCHEMA_OBJECT, .members = approval_page_members};

static const schema approval_list_members[] = {LIST("items", &response_approval, "Newest first"),
                                               {0}};

const schema response_approval_list = {
    .name = "ApprovalList", .kind = SCHEMA_OBJECT, .members = approval_list_members};

static const schema approval_count_members[] = {
    {.name = "inbox",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = INT64_MAX,
     .doc = "Approvals waiting for the viewer's decision"},
    {.name = "mine_pending",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = INT64_MAX,
     .doc = "The viewer's own requests still pending"},
    {0}};

const schema response_approval_count = {
    .name = "ApprovalCount", .kind = SCHEMA_OBJECT, .members = approval_count_members};

static const schema activity_checklist_members[] = {
    TEXT("activity_id"),
    OBJECT_OR_NULL("source", "{kind: visit, mode, n} (a planned visit of a sales mode), {kind: "
                             "type, id, type} (the playbook's checklist of the activity's type), "
                             "or null: no checklist"),
    OBJECT_OR_NULL("name", "{zh, en}: the visit's purpose or the checklist's name"),
    {.name = "key_activity",
     .kind = SCHEMA_ANY,
     .flags = SCHEMA_NULLABLE,
     .doc = "{id, name, stage, stage_name}: the key activity the activity carries out, when it "
            "names one; its items are key-before-N (tools), key-during-N (steps, with owner) "
            "and key-after-N (checks)"},
    LIST("items", &any_object,
         "{id: before-1 … key-during-1 …, phase: before|during|after, text: {zh, en}, done, by, "
         "at, note, owner (a key step's roles), from: checklist|key_activity}"),
    INT("done"),
    INT("total"),
    {0}};

static const schema activity_progress_members[] = {OBJECT("items", "{activity id: {done, total}}"),
                                                   {0}};

const schema response_activity_checklist_progress = {
    .name = "ActivityChecklistProgress",
    .kind = SCHEMA_OBJECT,
    .members = activity_progress_members,
    .doc = "How far each activity's checklist is ticked"};

const schema response_activity_checklist = {.name = "ActivityChecklist",
                                            .kind = SCHEMA_OBJECT,
                                            .members = activity_checklist_members,
                                            .doc = "What to do before, during and after an "
                                                   "activity, ticked"};

static const schema price_list_members[] = {
    TEXT("currency"),
    LIST("items", &any_object,
         "The active products, by code: each as GET /api/v1/products/{id} answers it (cost only "
         "for those who see costs)"),
    BOOL("cost_shown"),
    {0}};

const schema response_price_list = {.name = "PriceList",
                                    .kind = SCHEMA_OBJECT,
                                    .members = price_list_members,
                                    .doc = "The price list (价格表): every active product"};

static const schema quotation_members[] = {
    TEXT("id"),
    TEXT("opportunity_id"),
    TEXT("number"),
    INT("revision"),
    INT("version"),
    {.name = "status", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = quotation_statuses},
    BOOL("primary"),
    TEXT_OR_NULL("title"),
    TEXT("currency"),
    TEXT_OR_NULL("valid_until"),
    TEXT_OR_NULL("payment_terms"),
    TEXT_OR_NULL("delivery_terms"),
    TEXT_OR_NULL("notes"),
    {.name = "discount", .kind = SCHEMA_NUMBER, .flags = SCHEMA_REQUIRED, .doc = "percent"},
    LIST("lines", &any_object,
         "The lines as written and computed: quantity, unit_price, discount, tax_rate, "
         "list_amount, discount_amount, net, tax, gross (fen; rates in percent), and unit_cost "
         "and cost for who sees costs"),
    OBJECT("totals", "list_amount, discount_amount, net, tax, gross (fen), discount_rate, "
                     "max_line_discount (percent); cost, margin, margin_rate, cost_complete for "
                     "who sees costs"),
    TEXT("amount_in_words"),
    BOOL("cost_shown"),
    TEXT_OR_NULL("approval_id"),
    INT("approval_levels"),
    TEXT("created_at"),
    TEXT("updated_at"),
    TEXT("created_by"),
    TEXT_OR_NULL("sent_at"),
    {0}};

const schema response_quotation = {.name = "Quotation",
                                   .kind = SCHEMA_OBJECT,
                                   .members = quotation_members,
                                   .doc =
                                       "A quotation (报价单) with its computed lines and totals"};

static const schema quotation_item = {.ref = &response_quotation};

static const schema quotation_list_members[] = {
    LIST("items", &quotation_item, "Newest number first, each number's revisions newest first"),
    {0}};

const schema response_quotation_list = {
    .name = "QuotationList", .kind = SCHEMA_OBJECT, .members = quotation_list_members};

static const schema quotation_preview_members[] = {
    {.name = "discount", .kind = SCHEMA_NUMBER, .flags = SCHEMA_REQUIRED, .doc = "percent"},
    LIST("lines", &any_object, "As a quotation's lines"),
    OBJECT("totals", "As a quotation's totals"),
    TEXT("amount_in_words"),
    BOOL("cost_shown"),
    INT("approval_levels"),
    {0}};

const schema response_quotation_preview = {.name = "QuotationPreview",
                                           .kind = SCHEMA_OBJECT,
                                           .members = quotation_preview_members,
                                           .doc = "The figures of a quotation body, not written"};

static const schema contract_members[] = {
    TEXT("id"),
    TEXT("opportunity_id"),
    TEXT("quotation_id"),
    TEXT("number"),
    INT("version"),
    TEXT_OR_NULL("signed_on"),
    INT("amount"),
    TEXT("amount_in_words"),
    TEXT_OR_NULL("party_a"),
    TEXT_OR_NULL("party_b"),
    TEXT_OR_NULL("archived_on"),
    BOOL("archived"),
    TEXT_OR_NULL("notes"),
    OBJECT("plan", "The payment plan: milestones (as written, with planned and received fen, "
                   "state planned|invoiced|received|overdue, overdue), planned_total, "
                   "received_total, outstanding, first_payment_received, overdue (a count)"),
    TEXT("created_at"),
    TEXT("updated_at"),
    TEXT("created_by"),
    {0}};

const schema response_contract = {.name = "Contract",
                                  .kind = SCHEMA_OBJECT,
                                  .members = contract_members,
                                  .doc = "A contract (合同) and its payment plan (回款计划)"};

static const schema contract_item = {.ref = &response_contract};

static const schema contract_list_members[] = {LIST("items", &contract_item, "Newest first"), {0}};

const schema response_contract_list = {
    .name = "ContractList", .kind = SCHEMA_OBJECT, .members = contract_list_members};

static const schema document_data_members[] = {
    OBJECT("today", "iso (2026-12-05), zh (2026年12月5日), en (5 December 2026)"),
    OBJECT("deal", "The deal as GET /opportunities/{id} answers it, and money: {fen, yuan, "
                   "in_words}"),
    OBJECT("account", "The deal's account"),
    LIST("contacts", &any_object, "The account's contacts"),
    OBJECT("buying_centre", "The contacts by buying_role: decision_maker, approver, evaluator, "
                            "initiator, coach, user, other"),
    LIST("team", &any_object, "The deal team: name, display_name, role"),
    OBJECT_OR_NULL("quotation", "The primary quotation, else the newest, as GET "
                                "/quotations/{id} answers it"),
    OBJECT_OR_NULL("contract", "The newest contract, as GET /contracts/{id} answers it"),
    OBJECT("stage", "The deal's stage: id, name_zh, name_en, probability"),
    OBJECT_OR_NULL("handover", "A won deal's handover, as GET …/handover answers it, and its "
                               "parts by key (parts.proposal.documents …)"),
    OBJECT_OR_NULL("tender", "The tender record (internal staff)"),
    LIST("competitors", &name_item, "The deal's competitors"),
    OBJECT("forms", "mant, w5p2, compelling_event, evaluation, tender as saved (internal staff)"),
    {0}};

const schema response_document_data = {
    .name = "DocumentData",
    .kind = SCHEMA_OBJECT,
    .members = document_data_members,
    .doc = "What a document's template reads about a deal (docs/templates.md)"};

static const schema template_members[] = {
    TEXT("key"),
    TEXT("lang"),
    TEXT_OR_NULL("kind"),
    OBJECT("name", "zh, en"),
    INT("version"),
    BOOL("builtin"),
    {.name = "created_at", .kind = SCHEMA_TEXT},
    {.name = "body", .kind = SCHEMA_TEXT, .doc = "Markdown with Mustache tags"},
    {.name = "names", .kind = SCHEMA_ARRAY, .item = &name_item, .doc = "The names it reads"},
    {.name = "unknown",
     .kind = SCHEMA_ARRAY,
     .item = &name_item,
     .doc = "The names it reads that no part of the data has"},
    {0}};

const schema response_template = {.name = "Template",
                                  .kind = SCHEMA_OBJECT,
                                  .members = template_members,
                                  .doc = "A document template (version 0: built in)"};

static const schema template_item = {.ref = &response_template};

static const schema template_list_members[] = {
    LIST("items", &template_item, "The company's newest versions, then the built-in ones"), {0}};

const schema response_template_list = {
    .name = "TemplateList", .kind = SCHEMA_OBJECT, .members = template_list_members};

static const schema document_preview_members[] = {
    TEXT("markdown"),
    TEXT("html"),
    {.name = "names",
     .kind = SCHEMA_ARRAY,
     .item = &name_item,
     .doc = "For a body: the names it reads"},
    {.name = "unknown",
     .kind = SCHEMA_ARRAY,
     .item = &name_item,
     .doc = "For a body: the names it reads that no part of the data has"},
    {0}};

const schema response_document_preview = {.name = "DocumentPreviewResult",
                                          .kind = SCHEMA_OBJECT,
                                          .members = document_preview_members,
                                          .doc = "A document filled from a deal"};

#define DOCUMENT_MEMBERS                                                                           \
    TEXT("id"), TEXT("opportunity_id"), TEXT("name"), INT("version"), TEXT("category"),            \
        TEXT("content_type"), INT("size"), TEXT("sha256"), TEXT("source"),                         \
        TEXT_OR_NULL("template_key"),                                                              \
        {.name = "template_version",                                                               \
         .kind = SCHEMA_INT,                                                                       \
         .flags = SCHEMA_NULLABLE,                                                                 \
         .max = INT64_MAX},                                                                        \
        TEXT_OR_NULL("item_id"), BOOL("shared"), TEXT_OR_NULL("note"), TEXT("created_at"),         \
        TEXT("created_by"), TEXT("download")

static const schema document_members[] = {DOCUMENT_MEMBERS, {0}};

const schema response_document = {.name = "Document",
                                  .kind = SCHEMA_OBJECT,
                                  .members = document_members,
                                  .doc = "A document kept on a deal; its bytes at download"};

static const schema document_item = {.ref = &response_document};

static const schema document_listed_members[] = {
    DOCUMENT_MEMBERS, LIST("earlier", &document_item, "The earlier versions, newest first"), {0}};

static const schema document_listed = {
    .name = "DocumentListed", .kind = SCHEMA_OBJECT, .members = document_listed_members};

static const schema document_list_members[] = {
    LIST("items", &document_listed, "The newest version of each name, by name"), {0}};

const schema response_document_list = {
    .name = "DocumentList", .kind = SCHEMA_OBJECT, .members = document_list_members};

static const schema handover_members[] = {
    TEXT("opportunity_id"),
    TEXT("deal_name"),
    INT("version"),
    TEXT("status"),
    BOOL("complete"),
    LIST("items", &any_object,
         "The parts of the package — contract, service_contract, statement_of_work, "
         "research_results, proposal, commitments, project_lead, implementer — each with done "
         "and its documents"),
    LIST("missing", &name_item, "The keys of the parts not done"),
    TEXT_OR_NULL("commitments"),
    OBJECT_OR_NULL("project_lead", "The customer's project lead: a contact"),
    LIST("implementers", &any_object, "The implementation users on the deal team"),
    TEXT_OR_NULL("acknowledged_by"),
    TEXT_OR_NULL("acknowledged_at"),
    TEXT("created_at"),
    TEXT("updated_at"),
    TEXT("document"),
    {0}};

const schema response_handover = {.name = "Handover",
                                  .kind = SCHEMA_OBJECT,
                                  .members = handover_members,
                                  .doc = "The handover package of a won deal (its version is the "
                                         "ETag)"};

static const schema handover_listed_members[] = {
    TEXT("opportunity_id"),
    TEXT("deal_name"),
    TEXT_OR_NULL("owner_id"),
    INT("amount"),
    TEXT("status"),
    BOOL("complete"),
    LIST("missing", &name_item, "The parts not done"),
    LIST("implementers", &any_object, "The implementation users on the deal team"),
    TEXT("created_at"),
    {0}};

static const schema handover_listed = {
    .name = "HandoverWaiting", .kind = SCHEMA_OBJECT, .members = handover_listed_members};

static const schema handover_list_members[] = {LIST("items", &handover_listed, "Newest win first"),
                                               {0}};

const schema response_handover_list = {
    .name = "HandoverList", .kind = SCHEMA_OBJECT, .members = handover_list_members};

#define KNOWLEDGE_MEMBERS                                                                          \
    TEXT("id"), TEXT("kind"), TEXT("lang"), TEXT("title"), TEXT_OR_NULL("summary"),                \
        LIST("industries", &name_item, NULL), LIST("products", &name_item, NULL),                  \
        LIST("tags", &name_item, NULL), LIST("stages", &name_item, "<playbook>:<stage>"),          \
        LIST("activities", &name_item, "<playbook>:<key activity>"), BOOL("shareable"),            \
        TEXT("status"), TEXT("author"), TEXT_OR_NULL("reviewer"),                                  \
        TEXT_OR_NULL("source_opportunity_id"), INT("version"), TEXT("created_at"),                 \
        TEXT("updated_at"), OBJECT("detail", "By kind (docs/knowledge.md)")

static const schema knowledge_members[] = {KNOWLEDGE_MEMBERS, {0}};

const schema response_knowledge_entry = {.name = "KnowledgeEntry",
                                         .kind = SCHEMA_OBJECT,
                                         .members = knowledge_members,
                                         .doc = "A knowledge entry (its version is the ETag)"};

static const schema knowledge_found_members[] = {
    KNOWLEDGE_MEMBERS,
    OBJECT("hits", "title and summary as segments [{text, hit}]: where the query matched"),
    {0}};

static const schema knowledge_found = {
    .name = "KnowledgeFound", .kind = SCHEMA_OBJECT, .members = knowledge_found_members};

static const schema knowledge_list_members[] = {LIST("items", &knowledge_found, "Best first"), {0}};

const schema response_knowledge_list = {
    .name = "KnowledgeList", .kind = SCHEMA_OBJECT, .members = knowledge_list_members};

static const schema knowledge_versions_members[] = {
    LIST("items", &any_object, "version, status, changed_by, changed_at, entry; newest first"),
    {0}};

const schema response_knowledge_versions = {
    .name = "KnowledgeVersions", .kind = SCHEMA_OBJECT, .members = knowledge_versions_members};

static const schema knowledge_facets_members[] = {
    LIST("industry", &any_object, "{value, count} of published entries"),
    LIST("product", &any_object, NULL),
    LIST("tag", &any_object, NULL),
    LIST("stage", &any_object, NULL),
    LIST("activity", &any_object, NULL),
    {0}};

const schema response_knowledge_facets = {
    .name = "KnowledgeFacets", .kind = SCHEMA_OBJECT, .members = knowledge_facets_members};

static const schema knowledge_suggestion_members[] = {
    LIST("cases", &knowledge_found, "Of the deal's industry and products, the nearest size first"),
    LIST("objections", &knowledge_found, "For its stage and key activities"),
    LIST("questions", &knowledge_found, "For its stage and key activities"),
    LIST("selling_points", &knowledge_found, "For its products"),
    LIST("solutions", &knowledge_found, "For its industry and products"),
    {0}};

const schema response_knowledge_suggestions = {
    .name = "KnowledgeSuggestions", .kind = SCHEMA_OBJECT, .members = knowledge_suggestion_members};

static const schema tag_count_members[] = {TEXT("tag"), INT("count"), {0}};
static const schema tag_count_item = {.kind = SCHEMA_OBJECT, .members = tag_count_members};

static const schema tag_counts_members[] = {
    TEXT("resource"),
    LIST("items", &tag_count_item,
         "The tags of the records the caller sees, with how many records carry each: the most "
         "carried first, then by tag"),
    {.name = "complete",
     .kind = SCHEMA_BOOL,
     .flags = SCHEMA_REQUIRED,
     .doc = "false when the counts cover only the first 50,000 tagged records (by tag) or the "
            "first 1,000 tags"},
    {0}};

const schema response_tag_counts = {.name = "TagCounts",
                                    .kind = SCHEMA_OBJECT,
                                    .members = tag_counts_members,
                                    .doc = "The tags in use (标签)"};

static const char *const bulk_statuses[] = {"changed", "unchanged", NULL};

static const schema bulk_result_members[] = {
    TEXT("id"),
    {.name = "status",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = bulk_statuses,
     .doc = "unchanged: it was so already (its owner, its tags)"},
    {.name = "version", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .max = INT64_MAX},
    {0}};
static const schema bulk_result_item = {.kind = SCHEMA_OBJECT, .members = bulk_result_members};

static const schema bulk_members[] = {
    TEXT("resource"),
    TEXT("action"),
    INT("total"),
    INT("changed"),
    INT("unchanged"),
    LIST("results", &bulk_result_item, "Each record, in the order asked"),
    {0}};

const schema response_bulk = {.name = "BulkResult",
                              .kind = SCHEMA_OBJECT,
                              .members = bulk_members,
                              .doc = "What a bulk action did: every record changed, or none (a "
                                     "refusal is 422 bulk_refused, listing each refused record)"};

/* ---- notifications (notify.c, webhooks.c) ---- */

static const schema notification_kind = {.kind = SCHEMA_ENUM, .values = notify_kinds};

static const schema notification_members[] = {
    TEXT("id"),
    {.name = "kind",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = notify_kinds,
     .doc = "What happened (docs/notifications.md)"},
    {.name = "record_type",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .doc = "What it is about: approval, activity or deal"},
    {.name = "record_id",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "Its id (null when hidden)"},
    {.name = "opportunity_id",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "Its deal (null when none, or hidden)"},
    {.name = "deal_name",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .doc = "The deal's name now (empty when none, or hidden)"},
    {.name = "day",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .doc = "The China day it belongs to: a visit's, a tender date's, the day a deal became "
            "stalled, the day of the event"},
    OBJECT("params", "The event's facts: approval_id, approval_kind, level, levels, requested_by "
                     "(approval_waiting); approval_id, approval_kind, decided_by, comment, stage "
                     "(gate_refused); days, since, stage (deal_stalled); activity_id, subject, "
                     "planned_at, date (visit_tomorrow); date_key, date, days_left (tender_near); "
                     "empty when hidden"),
    TEXT("created_at"),
    TEXT_OR_NULL("read_at"),
    BOOL("read"),
    {.name = "hidden",
     .kind = SCHEMA_BOOL,
     .flags = SCHEMA_REQUIRED,
     .doc = "true: the recipient no longer sees its deal, so nothing of it is shown"},
    {0}};

const schema response_notification = {.name = "Notification",
                                      .kind = SCHEMA_OBJECT,
                                      .members = notification_members,
                                      .doc = "An event in the user's inbox"};

static const schema notification_page_members[] = {
    LIST("items", &response_notification, "Newest first"),
    TEXT_OR_NULL("next_cursor"),
    INT("limit"),
    {.name = "unread",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = INT64_MAX,
     .doc = "How many are unread (counted up to 1000)"},
    {0}};

const schema response_notification_page = {
    .name = "NotificationPage", .kind = SCHEMA_OBJECT, .members = notification_page_members};

static const schema notification_count_members[] = {
    {.name = "unread",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = INT64_MAX,
     .doc = "How many of the user's notifications are unread, counted up to counted_up_to"},
    INT("counted_up_to"),
    {0}};

const schema response_notification_count = {
    .name = "NotificationCount", .kind = SCHEMA_OBJECT, .members = notification_count_members};

static const schema notifications_read_members[] = {
    {.name = "marked",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = INT64_MAX,
     .doc = "How many were unread and are read now"},
    INT("unread"),
    {0}};

const schema response_notifications_read = {
    .name = "NotificationsRead", .kind = SCHEMA_OBJECT, .members = notifications_read_members};

static const schema webhook_answer_members[] = {
    TEXT("id"),
    {.name = "version", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .min = 1, .max = INT64_MAX},
    TEXT("name"),
    {.name = "kind", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = notify_robot_kinds},
    {.name = "url",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .doc = "The robot's webhook address (an admin's to read)"},
    {.name = "secret_set",
     .kind = SCHEMA_BOOL,
     .flags = SCHEMA_REQUIRED,
     .doc = "Whether a signing secret is set (never answered itself)"},
    LIST("events", &notification_kind, "The events it is sent"),
    TEXT_OR_NULL("team_id"),
    {.name = "lang", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = notify_langs},
    BOOL("enabled"),
    TEXT("created_at"),
    TEXT("updated_at"),
    TEXT_OR_NULL("updated_by"),
    {0}};

const schema response_webhook = {.name = "Webhook",
                                 .kind = SCHEMA_OBJECT,
                                 .members = webhook_answer_members,
                                 .doc = "A group robot's webhook"};

static const schema webhook_list_members[] = {LIST("items", &response_webhook, "Oldest first"),
                                              {0}};

const schema response_webhook_list = {
    .name = "WebhookList", .kind = SCHEMA_OBJECT, .members = webhook_list_members};

static const char *const delivery_states[] = {"queued", "retrying", "delivered", "failed", NULL};

static const schema delivery_members[] = {
    TEXT("id"),
    {.name = "kind",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .doc = "The event it tells of, or test"},
    {.name = "state",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = delivery_states,
     .doc = "queued (not tried yet), retrying (failed, tried again at next_attempt_at), "
            "delivered, failed (given up)"},
    TEXT("created_at"),
    INT("attempts"),
    TEXT_OR_NULL("next_attempt_at"),
    {.name = "last_error",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_NULLABLE,
     .doc = "Why the last attempt failed: HTTP 500, errcode 310000: …, no answer: …"},
    TEXT_OR_NULL("delivered_at"),
    TEXT_OR_NULL("failed_at"),
    {0}};

const schema response_delivery = {.name = "WebhookDelivery",
                                  .kind = SCHEMA_OBJECT,
                                  .members = delivery_members,
                                  .doc = "A message in a webhook's outbox"};

static const schema delivery_list_members[] = {
    LIST("items", &response_delivery, "Newest first, at most 20"), {0}};

const schema response_delivery_list = {
    .name = "WebhookDeliveryList", .kind = SCHEMA_OBJECT, .members = delivery_list_members};

static const char *const search_item_kinds[] = {"account",  "contact",   "opportunity",
                                                "activity", "knowledge", NULL};
static const char *const search_group_kinds[] = {"accounts",   "contacts",  "opportunities",
                                                 "activities", "knowledge", NULL};

static const schema search_item_members[] = {
    TEXT("id"),
    {.name = "kind", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = search_item_kinds},
    {.name = "title",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .doc = "The name (an activity's subject, which may be empty)"},
    {.name = "subtitle",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .doc = "What places it, joined by \" · \": an account's industry, region and owner; a "
            "contact's title and account; a deal's account, stage and owner; an activity's deal "
            "(or account), day and owner; a knowledge entry's summary"},
    LIST("hits", &any_object,
         "The title as segments [{text, hit}]: where the query's words are (plain text: the "
         "web app escapes it)"),
    OBJECT_OR_NULL("match", "When the title does not hold every word: {field, hits} of the field "
                            "that shows them (a contact's title, phone, email or account, a "
                            "deal's account, an activity's outcome, an entry's summary)"),
    TEXT_OR_NULL("type"),
    TEXT_OR_NULL("account_id"),
    TEXT_OR_NULL("opportunity_id"),
    {0}};

static const schema search_item = {
    .name = "SearchItem", .kind = SCHEMA_OBJECT, .members = search_item_members};

static const schema search_group_members[] = {
    {.name = "kind", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = search_group_kinds},
    LIST("items", &search_item, "Best first: the title holding every word, then the newest"),
    {0}};

static const schema search_group = {
    .name = "SearchGroup", .kind = SCHEMA_OBJECT, .members = search_group_members};

static const schema search_members[] = {
    TEXT("q"),
    LIST("groups", &search_group,
         "accounts, contacts, opportunities, activities and knowledge, in this order, each "
         "with what the caller may see only"),
    {0}};

const schema response_search = {.name = "SearchResult",
                                .kind = SCHEMA_OBJECT,
                                .members = search_members,
                                .doc = "What the words find, by kind"};
