/* The field tables of every resource (see resource.h). */
#include "core/resource.h"

#include <string.h>

#include "core/quote.h"

#define MONEY_MAX 1000000000000000LL /* 10 trillion yuan in fen: weighting never overflows */
#define NAME_MAX_CHARS 200
#define NOTE_MAX_CHARS 4000

static const char *const account_ownerships[] = {
    "state_owned",   "restructured", "private", "foreign",
    "joint_venture", "government",   "other",   NULL};
static const char *const account_business_types[] = {
    "distribution", "manufacture_sale", "processing", "service", "other", NULL};

static const field_spec account_fields[] = {
    {"name", FIELD_TEXT, FIELD_REQUIRED | FIELD_SORT | FIELD_SEARCH, 1, NAME_MAX_CHARS, NULL, NULL,
     NULL, "Account name (客户名称)"},
    {"credit_code", FIELD_TEXT, FIELD_FILTER, 0, 40, NULL, NULL, NULL,
     "Unified social credit code (统一社会信用代码, 18 characters, checked; kept normalised)"},
    {"name_key", FIELD_TEXT, FIELD_READONLY, 0, 800, NULL, NULL, NULL,
     "The name as duplicates are compared (kept by the server: width, spaces, brackets and "
     "有限责任公司 normalised)"},
    {"industry", FIELD_TEXT, FIELD_FILTER | FIELD_SORT, 0, 100, NULL, NULL, NULL,
     "Industry (行业)"},
    {"region", FIELD_TEXT, FIELD_FILTER | FIELD_SORT, 0, 100, NULL, NULL, NULL, "Region (区域)"},
    {"ownership", FIELD_ENUM, FIELD_FILTER, 0, 0, account_ownerships, NULL, NULL,
     "Ownership (企业性质)"},
    {"business_type", FIELD_ENUM, FIELD_FILTER, 0, 0, account_business_types, NULL, NULL,
     "Business type (业务类型)"},
    {"employees", FIELD_INT, FIELD_SORT, 0, 10000000, NULL, NULL, NULL, "Employees (员工人数)"},
    {"annual_revenue", FIELD_MONEY, FIELD_SORT, 0, MONEY_MAX, NULL, NULL, NULL,
     "Annual revenue in fen (年营业额，分)"},
    {"gross_profit", FIELD_MONEY, 0, 0, MONEY_MAX, NULL, NULL, NULL,
     "Gross profit in fen (毛利，分)"},
    {"existing_systems", FIELD_TEXT, 0, 0, 1000, NULL, NULL, NULL,
     "Existing systems: finance, inventory, CRM … (现有系统)"},
    {"branches", FIELD_INT, 0, 0, 100000, NULL, NULL, NULL, "Number of branches (分支机构数)"},
    {"it_landscape", FIELD_TEXT, 0, 0, NOTE_MAX_CHARS, NULL, NULL, NULL,
     "IT landscape: current systems, equipment, topology (客户盘点表)"},
    {"parent_id", FIELD_REF, FIELD_FILTER, 0, 0, NULL, "accounts", NULL,
     "Parent account (上级客户)"},
    {"owner_id", FIELD_REF, FIELD_FILTER | FIELD_CREATE_ONLY, 0, 0, NULL, "users", NULL,
     "Account owner, a user (客户负责人); the creator unless named; changed only by a transfer"},
    {"owner", FIELD_TEXT, FIELD_READONLY | FIELD_FILTER | FIELD_SORT, 0, 100, NULL, NULL, NULL,
     "The owner's login name (kept by the server)"},
    {"notes", FIELD_TEXT, FIELD_INTERNAL, 0, NOTE_MAX_CHARS, NULL, NULL, NULL,
     "Internal notes (内部备注; channel partners never see them)"},
    {"tags", FIELD_TEXT_LIST, FIELD_TAGS | FIELD_INTERNAL, 1, TAGS_MAX, NULL, NULL, NULL,
     "Tags (标签): free labels of the company's, each 1 to 20 characters without commas; "
     "lists filter by them (?tag=); channel partners never see them"},
};

static const char *const contact_buying_roles[] = {
    "approver", "decision_maker", "evaluator", "initiator", "coach", "user", "other", NULL};
static const char *const contact_attitudes[] = {"supporter", "neutral", "opponent", NULL};

static const field_spec contact_fields[] = {
    {"account_id", FIELD_REF, FIELD_REQUIRED | FIELD_FILTER, 0, 0, NULL, "accounts", NULL,
     "Account the contact works for"},
    {"name", FIELD_TEXT, FIELD_REQUIRED | FIELD_SORT | FIELD_SEARCH, 1, 100, NULL, NULL, NULL,
     "Name (姓名)"},
    {"title", FIELD_TEXT, 0, 0, 100, NULL, NULL, NULL, "Title (职务)"},
    {"department", FIELD_TEXT, FIELD_FILTER, 0, 100, NULL, NULL, NULL, "Department (部门)"},
    {"reports_to", FIELD_REF, FIELD_FILTER, 0, 0, NULL, "contacts", NULL,
     "Contact this person reports to, in the same account (汇报对象)"},
    {"buying_role", FIELD_ENUM, FIELD_FILTER, 0, 0, contact_buying_roles, NULL, NULL,
     "Role in the buying centre (决策圈角色): approver 拍板者, decision_maker 决策者, "
     "evaluator 评估者, initiator 发起人, coach 教练/内线, user 使用者, other"},
    {"attitude", FIELD_ENUM, FIELD_FILTER, 0, 0, contact_attitudes, NULL, NULL,
     "Attitude towards us (态度)"},
    {"influence", FIELD_INT, FIELD_SORT, 1, 5, NULL, NULL, NULL, "Influence 1–5 (影响力)"},
    {"phone", FIELD_TEXT, 0, 0, 40, NULL, NULL, NULL, "Phone (电话)"},
    {"email", FIELD_TEXT, 0, 0, 200, NULL, NULL, NULL, "E-mail (邮箱)"},
    {"personal_win", FIELD_TEXT, 0, 0, 1000, NULL, NULL, NULL,
     "What the person wants from the project (个人诉求)"},
    {"notes", FIELD_TEXT, FIELD_INTERNAL, 0, NOTE_MAX_CHARS, NULL, NULL, NULL,
     "Internal notes (内部备注; channel partners never see them)"},
    {"tags", FIELD_TEXT_LIST, FIELD_TAGS | FIELD_INTERNAL, 1, TAGS_MAX, NULL, NULL, NULL,
     "Tags (标签): free labels of the company's, each 1 to 20 characters without commas; "
     "lists filter by them (?tag=); channel partners never see them"},
};

const char *const opportunity_statuses[] = {"open", "won", "lost", "abandoned", NULL};
const char *const opportunity_sales_modes[] = {"quick", "consultative", "strategic", NULL};
const char *const opportunity_forecast_categories[] = {"pipeline", "best_case", "commit", "omitted",
                                                       NULL};

static const field_spec opportunity_fields[] = {
    {"account_id", FIELD_REF, FIELD_REQUIRED | FIELD_FILTER, 0, 0, NULL, "accounts", NULL,
     "Account (客户)"},
    {"name", FIELD_TEXT, FIELD_REQUIRED | FIELD_SORT | FIELD_SEARCH, 1, NAME_MAX_CHARS, NULL, NULL,
     NULL, "Opportunity name (商机名称)"},
    {"name_key", FIELD_TEXT, FIELD_READONLY, 0, 800, NULL, NULL, NULL,
     "The name as duplicates on one account are compared (kept by the server)"},
    {"amount", FIELD_MONEY, FIELD_SORT | FIELD_FILTER, 0, MONEY_MAX, NULL, NULL, "0",
     "Expected contract amount in fen (金额，分)"},
    {"currency", FIELD_TEXT, FIELD_FILTER, 3, 3, NULL, NULL, "CNY", "ISO 4217 currency (币种)"},
    {"budget", FIELD_MONEY, 0, 0, MONEY_MAX, NULL, NULL, NULL, "Customer budget in fen (预算，分)"},
    {"expected_close", FIELD_DATE, FIELD_FILTER | FIELD_SORT, 0, 0, NULL, NULL, NULL,
     "Expected close date (预计成交日期)"},
    {"playbook", FIELD_TEXT, FIELD_FILTER, 1, 48, NULL, NULL, "ruijie-6", "Playbook id (销售方法)"},
    {"stage", FIELD_TEXT, FIELD_CREATE_ONLY | FIELD_FILTER | FIELD_SORT, 1, 48, NULL, NULL, NULL,
     "Current stage id; set on create (default: first stage), then moved only by advance"},
    {"probability", FIELD_INT, FIELD_READONLY | FIELD_SORT, 0, 100, NULL, NULL, NULL,
     "Win probability in percent, derived from the stage (赢率)"},
    {"sales_mode", FIELD_ENUM, FIELD_FILTER, 0, 0, opportunity_sales_modes, NULL, NULL,
     "Sales mode: quick 快刀, consultative 顾问, strategic 战略"},
    {"owner_id", FIELD_REF, FIELD_FILTER | FIELD_CREATE_ONLY, 0, 0, NULL, "users", NULL,
     "Sales owner, a user (销售负责人); the creator unless named; changed only by a transfer"},
    {"owner", FIELD_TEXT, FIELD_READONLY | FIELD_FILTER | FIELD_SORT, 0, 100, NULL, NULL, NULL,
     "The owner's login name (kept by the server)"},
    {"status", FIELD_ENUM, FIELD_FILTER, 0, 0, opportunity_statuses, NULL, "open",
     "open, won, lost or abandoned"},
    {"close_reason", FIELD_TEXT, 0, 0, 1000, NULL, NULL, NULL,
     "Why it was won, lost or abandoned; required for lost and abandoned"},
    {"compelling_event", FIELD_TEXT, 0, 0, 1000, NULL, NULL, NULL,
     "Compelling event: the measurable reason the customer must act (CE)"},
    {"competitors", FIELD_TEXT_LIST, 0, 1, 20, NULL, NULL, NULL, "Competitors (竞争对手)"},
    {"products", FIELD_TEXT_LIST, 0, 1, 50, NULL, NULL, NULL, "Products and modules (产品/模块)"},
    {"description", FIELD_TEXT, 0, 0, NOTE_MAX_CHARS, NULL, NULL, NULL, "Description (说明)"},
    {"won_by", FIELD_TEXT, FIELD_FILTER, 0, 100, NULL, NULL, NULL,
     "The competitor who won; required when the opportunity is lost (赢单厂商)"},
    {"playbook_version", FIELD_INT, FIELD_READONLY, 1, 1000000, NULL, NULL, NULL,
     "Version of the playbook the opportunity runs on; kept when new versions arrive"},
    {"turnaround", FIELD_BOOL, FIELD_READONLY | FIELD_FILTER, 0, 1, NULL, NULL, "0",
     "Set when a decision point was answered no: the deal is being turned around (翻盘)"},
    {"in_funnel", FIELD_BOOL, FIELD_READONLY, 0, 1, NULL, NULL, "1",
     "In the funnel proper (漏斗内): its stage is inside the funnel and, where the playbook "
     "qualifies with MANT, its MANT is complete. Only such open deals count in the funnel's "
     "totals and the forecast"},
    {"closed_at", FIELD_DATETIME, FIELD_READONLY | FIELD_FILTER, 0, 0, NULL, NULL, NULL,
     "When it was won, lost or abandoned (成交/关闭时间; kept by the server)"},
    {"forecast_category", FIELD_ENUM, FIELD_READONLY | FIELD_FILTER, 0, 0,
     opportunity_forecast_categories, NULL, "pipeline",
     "Forecast category (预测类别): pipeline 管道, best_case 最佳情况, commit 承诺, omitted 排除; "
     "the stage's default unless the owner chose one (PUT …/forecast)"},
    {"forecast_override", FIELD_ENUM, FIELD_READONLY, 0, 0, opportunity_forecast_categories, NULL,
     NULL, "The category the owner chose, or null for the stage's default"},
    {"forecast_reason", FIELD_TEXT, FIELD_READONLY, 0, 1000, NULL, NULL, NULL,
     "Why the owner chose the category"},
    {"sales_mode_since", FIELD_DATETIME, FIELD_READONLY, 0, 0, NULL, NULL, NULL,
     "When the sales mode was chosen: its visit plan counts from here"},
    {"internal_notes", FIELD_TEXT, FIELD_INTERNAL, 0, NOTE_MAX_CHARS, NULL, NULL, NULL,
     "Internal notes (内部备注; channel partners never see them)"},
    {"margin", FIELD_MONEY, FIELD_INTERNAL, 0, MONEY_MAX, NULL, NULL, NULL,
     "Expected gross margin in fen (预计毛利，分; channel partners never see it)"},
    {"tags", FIELD_TEXT_LIST, FIELD_TAGS | FIELD_INTERNAL, 1, TAGS_MAX, NULL, NULL, NULL,
     "Tags (标签): free labels of the company's, each 1 to 20 characters without commas; "
     "lists filter by them (?tag=); channel partners never see them"},
};

const char *const activity_types[] = {"visit",       "call",         "meeting",    "demo",
                                      "research",    "presentation", "site_visit", "bid_opening",
                                      "negotiation", "other",        NULL};

static const field_spec activity_fields[] = {
    {"opportunity_id", FIELD_REF, FIELD_FILTER, 0, 0, NULL, "opportunities", NULL,
     "Opportunity (商机)"},
    {"account_id", FIELD_REF, FIELD_FILTER, 0, 0, NULL, "accounts", NULL,
     "Account (客户); taken from the opportunity when omitted"},
    {"type", FIELD_ENUM, FIELD_REQUIRED | FIELD_FILTER, 0, 0, activity_types, NULL, NULL,
     "visit 拜访, call 电话, meeting 会议, demo 演示, research 调研, presentation 汇报, "
     "site_visit 客户参观, bid_opening 开标, negotiation 商务谈判, other"},
    {"subject", FIELD_TEXT, FIELD_SEARCH, 0, 200, NULL, NULL, NULL, "Subject (主题)"},
    {"planned_at", FIELD_DATETIME, FIELD_FILTER | FIELD_SORT, 0, 0, NULL, NULL, NULL,
     "Planned time, UTC (计划时间)"},
    {"done_at", FIELD_DATETIME, FIELD_SORT, 0, 0, NULL, NULL, NULL, "When it took place, UTC"},
    {"purpose", FIELD_TEXT, 0, 0, 2000, NULL, NULL, NULL, "Purpose (目的)"},
    {"outcome", FIELD_TEXT, 0, 0, NOTE_MAX_CHARS, NULL, NULL, NULL, "Outcome (结果)"},
    {"next_step", FIELD_TEXT, 0, 0, 1000, NULL, NULL, NULL, "Next step (下一步)"},
    {"next_step_date", FIELD_DATE, FIELD_FILTER, 0, 0, NULL, NULL, NULL, "Date of the next step"},
    {"contacts", FIELD_REF_LIST, 0, 0, 50, NULL, "contacts", NULL, "Contacts met (参与联系人)"},
    {"owner_id", FIELD_REF, FIELD_FILTER | FIELD_CREATE_ONLY, 0, 0, NULL, "users", NULL,
     "Who did it, a user (负责人); the creator unless named"},
    {"owner", FIELD_TEXT, FIELD_READONLY | FIELD_FILTER | FIELD_SORT, 0, 100, NULL, NULL, NULL,
     "The owner's login name (kept by the server)"},
    {"plan_ref", FIELD_TEXT, FIELD_READONLY | FIELD_FILTER, 0, 100, NULL, NULL, NULL,
     "The visit of a sales mode's plan this activity was created from, e.g. quick/2"},
    {"key_activity", FIELD_TEXT, 0, 0, 64, NULL, NULL, NULL,
     "The key activity of its deal's playbook it carries out (关键活动, an activity id of a "
     "stage): its tools, steps and checks join the activity's checklist"},
    {"tags", FIELD_TEXT_LIST, FIELD_TAGS | FIELD_INTERNAL, 1, TAGS_MAX, NULL, NULL, NULL,
     "Tags (标签): free labels of the company's, each 1 to 20 characters without commas; "
     "lists filter by them (?tag=); channel partners never see them"},
};

static const field_spec team_fields[] = {
    {"name", FIELD_TEXT, FIELD_REQUIRED | FIELD_SORT | FIELD_SEARCH, 1, 100, NULL, NULL, NULL,
     "Team name (团队)"},
    {"parent_id", FIELD_REF, FIELD_FILTER, 0, 0, NULL, "teams", NULL,
     "Parent team: teams form a tree, and a manager sees the deals of the whole subtree"},
    {"share_deals", FIELD_BOOL, 0, 0, 1, NULL, NULL, "0",
     "Sales and consultants of this team see one another's deals"},
};

static const field_spec partner_fields[] = {
    {"name", FIELD_TEXT, FIELD_REQUIRED | FIELD_SORT | FIELD_SEARCH, 1, NAME_MAX_CHARS, NULL, NULL,
     NULL, "Partner company (渠道伙伴)"},
    {"contact", FIELD_TEXT, 0, 0, 100, NULL, NULL, NULL, "Contact person (联系人)"},
    {"phone", FIELD_TEXT, 0, 0, 40, NULL, NULL, NULL, "Phone (电话)"},
    {"region", FIELD_TEXT, FIELD_FILTER, 0, 100, NULL, NULL, NULL, "Region (区域)"},
};

/* The price list (价格表): what the company sells and at what price. The
 * kinds are the quotation's (core/quote.h). */
static const field_spec product_fields[] = {
    {"code", FIELD_TEXT, FIELD_REQUIRED | FIELD_FILTER | FIELD_SORT | FIELD_SEARCH, 1, 40, NULL,
     NULL, NULL, "Code (编码), unique"},
    {"name", FIELD_TEXT, FIELD_REQUIRED | FIELD_SORT | FIELD_SEARCH, 1, NAME_MAX_CHARS, NULL, NULL,
     NULL, "Name (名称)"},
    {"name_en", FIELD_TEXT, FIELD_SEARCH, 0, NAME_MAX_CHARS, NULL, NULL, NULL, "Name in English"},
    {"kind", FIELD_ENUM, FIELD_REQUIRED | FIELD_FILTER | FIELD_SORT, 0, 0, quote_kinds, NULL, NULL,
     "What it is (类别): a licence by module or for the project, service by person-day or as a "
     "share of the licence value, hardware, other"},
    {"unit", FIELD_TEXT, FIELD_REQUIRED, 1, 20, NULL, NULL, NULL,
     "Unit (单位): 套, 模块, 人天, 台, 年"},
    {"unit_en", FIELD_TEXT, 0, 0, 20, NULL, NULL, NULL, "Unit in English"},
    {"decimal_quantity", FIELD_BOOL, 0, 0, 1, NULL, NULL, NULL,
     "Quantities may have decimals (人天 0.5); by default only for service by person-day"},
    {"list_price", FIELD_MONEY, FIELD_SORT, 0, MONEY_MAX, NULL, NULL, NULL,
     "List price of one unit without tax, fen (标准单价，不含税，分); every kind but "
     "service_ratio"},
    {"ratio", FIELD_DECIMAL, 0, 1, 10000, NULL, NULL, NULL,
     "service_ratio: its yearly price as a percent of the quotation's licence value (比例，%)"},
    {"tax_rate", FIELD_DECIMAL, 0, 0, 10000, NULL, NULL, "1300",
     "VAT rate in percent (税率): 13 goods and software, 6 services"},
    {"cost", FIELD_MONEY, FIELD_COST | FIELD_INTERNAL, 0, MONEY_MAX, NULL, NULL, NULL,
     "Unit cost, fen (成本): partners never see it, sales and consultants where the quotation "
     "settings let them"},
    {"active", FIELD_BOOL, FIELD_FILTER, 0, 1, NULL, NULL, "1",
     "On the price list (在售): a retired product cannot be put on a quotation"},
    {"description", FIELD_TEXT, FIELD_SEARCH, 0, 500, NULL, NULL, NULL, "Description (说明)"},
};

const char *const user_roles[] = {"sales",          "consultant", "manager", "partner",
                                  "implementation", "admin",      NULL};

static const field_spec user_fields[] = {
    {"name", FIELD_TEXT, FIELD_REQUIRED | FIELD_CREATE_ONLY | FIELD_SORT | FIELD_SEARCH, 1, 100,
     NULL, NULL, NULL, "Login name, unique (登录名)"},
    {"display_name", FIELD_TEXT, FIELD_SEARCH, 0, 100, NULL, NULL, NULL, "Display name (姓名)"},
    {"role", FIELD_ENUM, FIELD_REQUIRED | FIELD_FILTER | FIELD_SORT, 0, 0, user_roles, NULL, NULL,
     "sales 销售 (S), consultant 售前顾问 (C), manager 经理 (M), partner 渠道, implementation "
     "实施, admin 管理员"},
    {"team_id", FIELD_REF, FIELD_FILTER, 0, 0, NULL, "teams", NULL, "Team (所属团队)"},
    {"partner_id", FIELD_REF, FIELD_FILTER, 0, 0, NULL, "partners", NULL,
     "Partner company of a partner user (required for role partner, refused otherwise)"},
    {"active", FIELD_BOOL, FIELD_FILTER, 0, 1, NULL, NULL, "1",
     "Whether the user may log in; deactivating ends the user's sessions and tokens' use"},
    {"email", FIELD_TEXT, 0, 0, 200, NULL, NULL, NULL, "E-mail (邮箱)"},
};

/* Saved views (保存的视图): a list's filters, sort and columns kept by a user
 * under a name, and shared by a manager with a team's tree. */
static const char *const view_resources[] = {"opportunities", "accounts", "contacts", "activities",
                                             NULL};

static const field_spec view_fields[] = {
    {"resource", FIELD_ENUM, FIELD_REQUIRED | FIELD_CREATE_ONLY | FIELD_FILTER, 0, 0,
     view_resources, NULL, NULL, "The list it is a view of"},
    {"name", FIELD_TEXT, FIELD_REQUIRED | FIELD_SORT | FIELD_SEARCH, 1, 60, NULL, NULL, NULL,
     "Name (视图名称)"},
    {"query", FIELD_TEXT, 0, 0, 2000, NULL, NULL, NULL,
     "The list's query string: its filters and sort (e.g. status=won&sort=-amount), checked "
     "against the list's parameters"},
    {"columns", FIELD_TEXT_LIST, 0, 1, 40, NULL, NULL, NULL, "The columns shown, in order"},
    {"shared_team_id", FIELD_REF, FIELD_FILTER, 0, 0, NULL, "teams", NULL,
     "Shared with this team and the teams below it (a manager's of their tree, or an admin's); "
     "null: the owner's alone"},
    {"owner_id", FIELD_REF, FIELD_FILTER | FIELD_CREATE_ONLY, 0, 0, NULL, "users", NULL,
     "Whose view it is: the creator"},
    {"owner", FIELD_TEXT, FIELD_READONLY | FIELD_SORT, 0, 100, NULL, NULL, NULL,
     "The owner's login name (kept by the server)"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const resource_spec resource_accounts = {"accounts",
                                         "account",
                                         "acc",
                                         account_fields,
                                         COUNT(account_fields),
                                         "Customer accounts (客户)"};
const resource_spec resource_contacts = {"contacts",
                                         "contact",
                                         "con",
                                         contact_fields,
                                         COUNT(contact_fields),
                                         "Contacts and the buying centre (联系人/决策圈)"};
const resource_spec resource_opportunities = {
    "opportunities",           "opportunity",         "opp", opportunity_fields,
    COUNT(opportunity_fields), "Opportunities (商机)"};
const resource_spec resource_activities = {"activities",
                                           "activity",
                                           "act",
                                           activity_fields,
                                           COUNT(activity_fields),
                                           "Activities and visits (活动)"};

const resource_spec resource_teams = {
    "teams", "team", "team", team_fields, COUNT(team_fields), "Teams (团队), a tree"};
const resource_spec resource_partners = {"partners",
                                         "partner",
                                         "ptn",
                                         partner_fields,
                                         COUNT(partner_fields),
                                         "Channel partner companies (渠道伙伴)"};
const resource_spec resource_products = {"products",
                                         "product",
                                         "prd",
                                         product_fields,
                                         COUNT(product_fields),
                                         "The price list (价格表), admin writes"};
const resource_spec resource_users = {
    "users", "user", "usr", user_fields, COUNT(user_fields), "Users and their roles (用户)"};

const resource_spec resource_views = {"views",
                                      "view",
                                      "view",
                                      view_fields,
                                      COUNT(view_fields),
                                      "Saved views of the lists (保存的视图)"};

const resource_spec *const resource_all[] = {&resource_accounts,      &resource_contacts,
                                             &resource_opportunities, &resource_activities,
                                             &resource_teams,         &resource_partners,
                                             &resource_users,         &resource_products,
                                             &resource_views,         NULL};

int resource_field_index(const resource_spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->nfields; i++)
        if (strcmp(spec->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

int resource_tags_field(const resource_spec *spec)
{
    for (size_t i = 0; i < spec->nfields; i++)
        if (spec->fields[i].flags & FIELD_TAGS)
            return (int)i;
    return -1;
}

const resource_spec *resource_by_name(const char *name)
{
    for (size_t i = 0; resource_all[i] != NULL; i++)
        if (strcmp(resource_all[i]->name, name) == 0)
            return resource_all[i];
    return NULL;
}
