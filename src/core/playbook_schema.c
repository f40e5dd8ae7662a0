/* The declared shape of a playbook document (docs/playbook-schema.md):
 * every key, its kind, whether it is required and its limits. playbook_parse
 * checks a document against it first (listing every fault), then checks
 * what spans the document — known roles and templates, unique ids, rising
 * probabilities, decision stages, visit days — while it builds the
 * playbook. */
#include "core/playbook.h"
#include "core/resource.h"

static const schema i18n_members[] = {
    {.name = "zh", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .doc = "中文"},
    {.name = "en", .kind = SCHEMA_TEXT, .flags = SCHEMA_REQUIRED, .doc = "English"},
    {0},
};

/* A text in both languages, of any length. */
static const schema i18n = {.name = "PlaybookText", .kind = SCHEMA_OBJECT, .members = i18n_members};

#define TEXT_REQ(key)                                                                              \
    {                                                                                              \
        .name = key, .ref = &i18n, .flags = SCHEMA_REQUIRED                                        \
    }
#define TEXT_OPT(key)                                                                              \
    {                                                                                              \
        .name = key, .ref = &i18n                                                                  \
    }
#define TEXTS(key)                                                                                 \
    {                                                                                              \
        .name = key, .kind = SCHEMA_ARRAY, .item = &i18n                                           \
    }
#define ID_REQ(key)                                                                                \
    {                                                                                              \
        .name = key, .kind = SCHEMA_SLUG, .flags = SCHEMA_REQUIRED                                 \
    }
#define ROLES(key)                                                                                 \
    {                                                                                              \
        .name = key, .kind = SCHEMA_TEXT,                                                          \
        .doc = "Role codes joined by &: S, C, M, channel or roles[]"                               \
    }

static const char *const frameworks[] = {"MAN", "MANT", "5W2P", "CE", NULL};
static const char *const derived_sources[] = {
    "proposal-review", "buying-conditions", "profile", "contacts", "tender", "contract", NULL};
static const char *const criterion_kinds[] = {"criterion", "deliverable", NULL};
static const char *const audiences[] = {"customer", "internal", NULL};
static const char *const mode_ids[] = {"quick", "consultative", "strategic", NULL};

static const schema framework = {.kind = SCHEMA_ENUM, .values = frameworks};

static const char *const played_roles[] = {"sales",   "consultant",     "manager",
                                           "partner", "implementation", NULL};

static const schema user_role = {.kind = SCHEMA_ENUM, .values = played_roles};

static const schema role_members[] = {
    {.name = "code",
     .kind = SCHEMA_TEXT,
     .flags = SCHEMA_REQUIRED,
     .max = 16,
     .doc = "1 to 16 letters, not S, C, M or channel"},
    TEXT_REQ("name"),
    TEXT_OPT("description"),
    {.name = "played_by",
     .kind = SCHEMA_ARRAY,
     .item = &user_role,
     .doc = "The users' roles that play it (sales, consultant, manager, partner, "
            "implementation): who may tick the items it owns. Default: sales, consultant "
            "and manager"},
    {0},
};

static const schema role = {.kind = SCHEMA_OBJECT, .members = role_members};

static const schema template_members[] = {ID_REQ("id"), TEXT_REQ("name"), {0}};

static const schema template = {.kind = SCHEMA_OBJECT, .members = template_members};

static const schema criterion_members[] = {
    ID_REQ("id"),
    {.name = "kind", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = criterion_kinds},
    ROLES("owner"),
    {.name = "framework", .kind = SCHEMA_ENUM, .values = frameworks},
    {.name = "derived_from",
     .kind = SCHEMA_ENUM,
     .values = derived_sources,
     .doc = "proposal-review: met once the proposal's review finds none of the playbook's "
            "proposal_defects and its release is approved; buying-conditions: met by the "
            "buying conditions' check (the condition of the item's id, or all of them); "
            "profile: the account's profile (its factor fact, or all); contacts: a decision "
            "maker or approver with a phone or e-mail on the account; tender: the tender "
            "record's fact (procurement_method, award); contract: the deal's contract "
            "(first_payment received in full, or archived: signed, numbered and filed)"},
    {.name = "fact",
     .kind = SCHEMA_ID,
     .doc = "With derived_from profile, tender or contract: which part"},
    TEXT_REQ("text"),
    {0},
};

static const schema criterion = {.kind = SCHEMA_OBJECT, .members = criterion_members};

static const schema deliverable_members[] = {
    ID_REQ("id"),
    TEXT_REQ("name"),
    {.name = "audience", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = audiences},
    ROLES("owner"),
    {.name = "template", .kind = SCHEMA_SLUG, .doc = "A template of templates[]"},
    {.name = "requires_document",
     .kind = SCHEMA_BOOL,
     .doc = "Ticked only with a document kept on the deal that satisfies it"},
    {.name = "derived_from",
     .kind = SCHEMA_ENUM,
     .values = derived_sources,
     .doc = "As a criterion's: the deliverable is met by that form"},
    {.name = "fact", .kind = SCHEMA_ID, .doc = "As a criterion's"},
    {0},
};

static const schema deliverable = {.kind = SCHEMA_OBJECT, .members = deliverable_members};

static const schema step_members[] = {TEXT_REQ("text"), ROLES("owner"), {0}};

static const schema step = {.kind = SCHEMA_OBJECT, .members = step_members};

static const schema template_id = {.kind = SCHEMA_SLUG, .doc = "A template of templates[]"};

static const schema activity_members[] = {
    ID_REQ("id"),
    TEXT_REQ("name"),
    TEXT_OPT("goal"),
    ROLES("owner"),
    {.name = "steps", .kind = SCHEMA_ARRAY, .item = &step},
    TEXTS("tools"),
    {.name = "templates", .kind = SCHEMA_ARRAY, .item = &template_id},
    TEXTS("inspection"),
    TEXTS("skills"),
    {0},
};

static const schema activity = {.kind = SCHEMA_OBJECT, .members = activity_members};

static const schema key_behaviour_members[] = {
    TEXT_REQ("behaviour"), TEXT_OPT("output"), TEXT_OPT("pass_bar"), {0}};

static const schema key_behaviour_schema = {.kind = SCHEMA_OBJECT,
                                            .members = key_behaviour_members};

static const schema view_members[] = {
    TEXT_OPT("goal"), TEXTS("behaviours"), TEXT_OPT("signature_action"), {0}};

static const schema presales_members[] = {
    TEXT_OPT("goal"),
    TEXTS("behaviours"),
    TEXT_OPT("signature_action"),
    {.name = "key_behaviours", .kind = SCHEMA_ARRAY, .item = &key_behaviour_schema},
    {0},
};

static const schema perspective_members[] = {
    {.name = "customer", .kind = SCHEMA_OBJECT, .members = view_members},
    {.name = "sales", .kind = SCHEMA_OBJECT, .members = view_members},
    {.name = "channel", .kind = SCHEMA_OBJECT, .members = view_members},
    {.name = "presales", .kind = SCHEMA_OBJECT, .members = presales_members},
    {0},
};

static const char *const forecast_defaults[] = {"pipeline", "best_case", "commit", NULL};

static const schema stage_members[] = {
    ID_REQ("id"),
    TEXT_REQ("name"),
    {.name = "probability",
     .kind = SCHEMA_INT,
     .flags = SCHEMA_REQUIRED,
     .max = 100,
     .doc = "Win probability, rising from stage to stage"},
    {.name = "in_funnel", .kind = SCHEMA_BOOL, .doc = "Counted in the funnel (true when left out)"},
    {.name = "forecast",
     .kind = SCHEMA_ENUM,
     .values = forecast_defaults,
     .doc = "The forecast category of its deals unless their owner chooses one: pipeline, "
            "best_case or commit (left out: commit from 75%, best_case from 45%)"},
    TEXT_OPT("goal"),
    TEXT_OPT("milestone"),
    TEXT_OPT("success_criteria"),
    {.name = "typical_days", .kind = SCHEMA_INT, .min = 1, .max = 3650},
    TEXT_OPT("signature_action"),
    {.name = "perspectives", .kind = SCHEMA_OBJECT, .members = perspective_members},
    {.name = "exit_criteria", .kind = SCHEMA_ARRAY, .item = &criterion},
    {.name = "deliverables", .kind = SCHEMA_ARRAY, .item = &deliverable},
    {.name = "activities", .kind = SCHEMA_ARRAY, .item = &activity},
    {0},
};

static const schema stage = {.kind = SCHEMA_OBJECT, .members = stage_members};

static const char *const no_outcomes[] = {"turnaround", "abandon", NULL};

static const schema decision_members[] = {
    ID_REQ("id"),
    {.name = "stage", .kind = SCHEMA_SLUG, .flags = SCHEMA_REQUIRED},
    TEXT_REQ("question"),
    {.name = "no_outcome",
     .kind = SCHEMA_ENUM,
     .values = no_outcomes,
     .doc = "What a no does: turnaround (back to no_stage, flagged; the default) or abandon "
            "(a go/no-go: the deal is closed as abandoned, the reason kept)"},
    {.name = "no_stage",
     .kind = SCHEMA_SLUG,
     .doc = "The earlier stage a no turns the deal back to; required for a turnaround"},
    TEXT_OPT("no_action"),
    {0},
};

static const schema decision = {.kind = SCHEMA_OBJECT, .members = decision_members};

static const schema closing_members[] = {ID_REQ("id"), ROLES("owner"), TEXT_REQ("text"), {0}};

static const schema closing = {.kind = SCHEMA_OBJECT, .members = closing_members};

static const schema visit_members[] = {
    {.name = "n", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .min = 1, .max = 100},
    {.name = "day", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .max = 3650},
    ROLES("owner"),
    TEXT_REQ("purpose"),
    TEXTS("before"),
    TEXTS("during"),
    TEXTS("after"),
    {0},
};

static const schema visit = {.kind = SCHEMA_OBJECT, .members = visit_members};

static const schema benchmark_members[] = {
    {.name = "visits", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .min = 1, .max = 1000},
    {.name = "days", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .min = 1, .max = 3650},
    TEXT_OPT("text"),
    {0},
};

static const schema mode_members[] = {
    {.name = "id", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = mode_ids},
    TEXT_REQ("name"),
    TEXT_OPT("description"),
    ROLES("team"),
    {.name = "benchmark", .kind = SCHEMA_OBJECT, .members = benchmark_members},
    {.name = "visits", .kind = SCHEMA_ARRAY, .item = &visit},
    {0},
};

static const schema mode = {.kind = SCHEMA_OBJECT, .members = mode_members};

static const schema activity_checklist_members[] = {
    ID_REQ("id"),
    {.name = "type",
     .kind = SCHEMA_ENUM,
     .flags = SCHEMA_REQUIRED,
     .values = activity_types,
     .doc = "The activity type whose activities get this checklist"},
    TEXT_REQ("name"),
    TEXTS("before"),
    TEXTS("during"),
    TEXTS("after"),
    {0},
};

static const schema activity_checklist = {.kind = SCHEMA_OBJECT,
                                          .members = activity_checklist_members};

static const schema approvers_members[] = {
    {.name = "override", .kind = SCHEMA_TEXT, .doc = "Who decides a gate override"},
    {.name = "close", .kind = SCHEMA_TEXT, .doc = "Who decides closing before the winning stage"},
    {.name = "sales_mode",
     .kind = SCHEMA_TEXT,
     .doc = "Who decides a sales mode below the recommendation"},
    {.name = "proposal_release", .kind = SCHEMA_TEXT, .doc = "Who releases a reviewed proposal"},
    {0},
};

static const char *const schema_ids[] = {PLAYBOOK_SCHEMA, NULL};

static const schema document_members[] = {
    {.name = "schema", .kind = SCHEMA_ENUM, .flags = SCHEMA_REQUIRED, .values = schema_ids},
    ID_REQ("id"),
    {.name = "version", .kind = SCHEMA_INT, .flags = SCHEMA_REQUIRED, .min = 1, .max = 1000000},
    TEXT_REQ("name"),
    TEXT_OPT("description"),
    {.name = "source", .kind = SCHEMA_TEXT},
    {.name = "qualification", .kind = SCHEMA_ARRAY, .item = &framework},
    {.name = "roles", .kind = SCHEMA_ARRAY, .item = &role},
    {.name = "templates", .kind = SCHEMA_ARRAY, .item = &template},
    {.name = "ce_patterns",
     .kind = SCHEMA_ARRAY,
     .item = &template,
     .doc = "The compelling-event patterns the method names ({id, name}): a CE form of a deal "
            "then says which applies"},
    {.name = "proposal_defects",
     .kind = SCHEMA_ARRAY,
     .item = &template,
     .doc = "The common defects a proposal's review checks are absent ({id, name}) before its "
            "release is asked for"},
    {.name = "buying_conditions",
     .kind = SCHEMA_ARRAY,
     .item = &template,
     .doc = "The customer's buying conditions a deal is checked against ({id, name}); the "
            "form buying-conditions marks each met"},
    {.name = "stages", .kind = SCHEMA_ARRAY, .flags = SCHEMA_REQUIRED, .min = 1, .item = &stage},
    {.name = "decision_points", .kind = SCHEMA_ARRAY, .item = &decision},
    {.name = "closing", .kind = SCHEMA_ARRAY, .item = &closing},
    TEXT_OPT("reference_case"),
    {.name = "modes", .kind = SCHEMA_ARRAY, .item = &mode},
    {.name = "activity_checklists",
     .kind = SCHEMA_ARRAY,
     .item = &activity_checklist,
     .doc = "Checklists of activities by type (a rehearsal before a presentation, a demo's flow, "
            "a negotiation's steps): each activity of the type on a deal gets it to tick"},
    {.name = "approvers",
     .kind = SCHEMA_OBJECT,
     .members = approvers_members,
     .doc = "By approval kind, the one role code (S, C, M or roles[]) whose member on the deal "
            "team decides an approval's first level instead of the manager of the owner's "
            "team; further levels stay with the managers above"},
    {0},
};

const schema playbook_document_schema = {
    .name = "Playbook",
    .kind = SCHEMA_OBJECT,
    .members = document_members,
    .doc = "A playbook document (docs/playbook-schema.md): stages with win probabilities, exit "
           "criteria, deliverables and key activities, decision points, closing steps and sales "
           "modes; an import lists every problem by JSON path"};
