/* The sheets of the spreadsheet import and their conversions (see
 * import_sheet.h). */
#include "core/import_sheet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/quote.h"
#include "core/text.h"

/* ---- the choices' labels, in the order of the fields' values ------------------ */

static const char *const ownership_zh[] = {"国有", "改制",          "民营", "外资",
                                           "合资", "政府/事业单位", "其他", NULL};
static const char *const ownership_en[] = {"State-owned",   "Restructured", "Private", "Foreign",
                                           "Joint venture", "Government",   "Other",   NULL};
static const char *const business_zh[] = {"商贸流通", "生产销售", "加工", "服务", "其他", NULL};
static const char *const business_en[] = {
    "Distribution", "Manufacturing and sales", "Processing", "Service", "Other", NULL};
static const char *const role_zh[] = {"拍板者",    "决策者", "评估者", "发起人",
                                      "教练/内线", "使用者", "其他",   NULL};
static const char *const role_en[] = {"Approver", "Decision maker", "Evaluator", "Initiator",
                                      "Coach",    "User",           "Other",     NULL};
static const char *const attitude_zh[] = {"支持", "中立", "反对", NULL};
static const char *const attitude_en[] = {"Supporter", "Neutral", "Opponent", NULL};
static const char *const status_zh[] = {"进行中", "赢单", "丢单", "放弃", NULL};
static const char *const status_en[] = {"Open", "Won", "Lost", "Abandoned", NULL};
static const char *const mode_zh[] = {"快刀", "顾问", "战略", NULL};
static const char *const mode_en[] = {"Quick", "Consultative", "Strategic", NULL};
static const char *const activity_zh[] = {"拜访",     "电话", "会议",     "演示", "调研", "汇报",
                                          "客户参观", "开标", "商务谈判", "其他", NULL};
static const char *const activity_en[] = {
    "Visit",      "Call",        "Meeting",     "Demo",  "Research", "Presentation",
    "Site visit", "Bid opening", "Negotiation", "Other", NULL};
static const char *const kind_zh[] = {"模块许可", "项目许可", "人天服务", "比例服务",
                                      "硬件",     "其他",     NULL};
static const char *const kind_en[] = {"Licence by module",
                                      "Project licence",
                                      "Service by person-day",
                                      "Service as a share",
                                      "Hardware",
                                      "Other",
                                      NULL};

#define OWNER                                                                                      \
    {                                                                                              \
        "负责人", "Owner", "owner_id", IMPORT_USER, false, NULL, NULL, "zhaoqiang",                \
            "登录名或姓名；空：导入人", "Login or display name; empty: the importer"               \
    }
#define CREATED                                                                                    \
    {                                                                                              \
        "创建时间", "Created", NULL, IMPORT_CREATED, false, NULL, NULL, "2025-03-01 09:30",        \
            "原系统中的创建时间（北京时间）；仅管理员和经理可导入",                                \
            "Creation time in the old system (China time); admins and managers only"               \
    }

static const import_column account_columns[] = {
    {"客户名称", "Account name", "name", IMPORT_TEXT, true, NULL, NULL, "江南市第一人民医院",
     "同名客户（忽略全半角、空格、括号、有限责任公司）视为重复",
     "Names equal but for width, spaces, brackets and 有限责任公司 are duplicates"},
    {"统一社会信用代码", "Credit code", "credit_code", IMPORT_TEXT, false, NULL, NULL,
     "91350100M000100Y43", "18位，校验位须正确", "18 characters with a valid check character"},
    {"行业", "Industry", "industry", IMPORT_TEXT, false, NULL, NULL, "医疗", NULL, NULL},
    {"区域", "Region", "region", IMPORT_TEXT, false, NULL, NULL, "华东", NULL, NULL},
    {"企业性质", "Ownership", "ownership", IMPORT_ENUM, false, ownership_zh, ownership_en,
     "政府/事业单位", NULL, NULL},
    {"业务类型", "Business type", "business_type", IMPORT_ENUM, false, business_zh, business_en,
     "服务", NULL, NULL},
    {"员工人数", "Employees", "employees", IMPORT_INT, false, NULL, NULL, "2300", NULL, NULL},
    {"年营业额（元）", "Annual revenue (yuan)", "annual_revenue", IMPORT_MONEY, false, NULL, NULL,
     "850000000", NULL, NULL},
    {"分支机构数", "Branches", "branches", IMPORT_INT, false, NULL, NULL, "3", NULL, NULL},
    {"现有系统", "Existing systems", "existing_systems", IMPORT_TEXT, false, NULL, NULL, "HIS、LIS",
     NULL, NULL},
    {"上级客户", "Parent account", "parent_id", IMPORT_ACCOUNT, false, NULL, NULL, "",
     "已有客户或本文件中前面行的客户", "An existing account or one of an earlier row"},
    OWNER,
    CREATED,
    {"内部备注", "Internal notes", "notes", IMPORT_TEXT, false, NULL, NULL, "", NULL, NULL},
};

static const import_column contact_columns[] = {
    {"客户名称", "Account name", "account_id", IMPORT_ACCOUNT, true, NULL, NULL,
     "江南市第一人民医院", "已有客户的名称", "The name of an existing account"},
    {"姓名", "Name", "name", IMPORT_TEXT, true, NULL, NULL, "王主任", NULL, NULL},
    {"职务", "Title", "title", IMPORT_TEXT, false, NULL, NULL, "信息科主任", NULL, NULL},
    {"部门", "Department", "department", IMPORT_TEXT, false, NULL, NULL, "信息科", NULL, NULL},
    {"采购角色", "Buying role", "buying_role", IMPORT_ENUM, false, role_zh, role_en, "决策者", NULL,
     NULL},
    {"态度", "Attitude", "attitude", IMPORT_ENUM, false, attitude_zh, attitude_en, "支持", NULL,
     NULL},
    {"影响力", "Influence", "influence", IMPORT_INT, false, NULL, NULL, "4", "1–5", "1–5"},
    {"电话", "Phone", "phone", IMPORT_TEXT, false, NULL, NULL, "13800138000", NULL, NULL},
    {"邮箱", "E-mail", "email", IMPORT_TEXT, false, NULL, NULL, "wang@example.com", NULL, NULL},
    CREATED,
    {"内部备注", "Internal notes", "notes", IMPORT_TEXT, false, NULL, NULL, "", NULL, NULL},
};

static const import_column deal_columns[] = {
    {"客户名称", "Account name", "account_id", IMPORT_ACCOUNT, true, NULL, NULL,
     "江南市第一人民医院", "已有客户的名称", "The name of an existing account"},
    {"商机名称", "Deal name", "name", IMPORT_TEXT, true, NULL, NULL, "门诊楼无线网络",
     "同一客户下同名商机视为重复", "The same name on the same account is a duplicate"},
    {"金额（元）", "Amount (yuan)", "amount", IMPORT_MONEY, false, NULL, NULL, "500000.00", NULL,
     NULL},
    {"预算（元）", "Budget (yuan)", "budget", IMPORT_MONEY, false, NULL, NULL, "600000", NULL,
     NULL},
    {"预计成交日期", "Expected close", "expected_close", IMPORT_DATE, false, NULL, NULL,
     "2026-06-30", NULL, NULL},
    {"销售方法", "Playbook", "playbook", IMPORT_TEXT, false, NULL, NULL, "ruijie-6",
     "销售方法编号；空：默认", "Playbook id; empty: the default"},
    {"阶段", "Stage", "stage", IMPORT_TEXT, false, NULL, NULL, "", "阶段编号或名称；空：第一阶段",
     "Stage id or name; empty: the first stage"},
    {"销售模式", "Sales mode", "sales_mode", IMPORT_ENUM, false, mode_zh, mode_en, "顾问", NULL,
     NULL},
    {"状态", "Status", "status", IMPORT_ENUM, false, status_zh, status_en, "进行中",
     "已关闭的商机仅管理员可导入", "Only an admin loads closed deals"},
    {"赢单方", "Won by", "won_by", IMPORT_TEXT, false, NULL, NULL, "", "丢单时必填",
     "Required for a lost deal"},
    {"关闭原因", "Close reason", "close_reason", IMPORT_TEXT, false, NULL, NULL, "", NULL, NULL},
    {"竞争对手", "Competitors", "competitors", IMPORT_LIST, false, NULL, NULL, "华为、新华三",
     "用顿号或逗号分隔", "Separated by commas"},
    {"产品", "Products", "products", IMPORT_LIST, false, NULL, NULL, "", NULL, NULL},
    {"驱动事件", "Compelling event", "compelling_event", IMPORT_TEXT, false, NULL, NULL,
     "年底前上线", NULL, NULL},
    {"描述", "Description", "description", IMPORT_TEXT, false, NULL, NULL, "", NULL, NULL},
    OWNER,
    CREATED,
};

static const import_column activity_columns[] = {
    {"客户名称", "Account name", "account_id", IMPORT_ACCOUNT, false, NULL, NULL,
     "江南市第一人民医院", "已有客户的名称", "The name of an existing account"},
    {"商机名称", "Deal name", "opportunity_id", IMPORT_DEAL, false, NULL, NULL, "门诊楼无线网络",
     "该客户下已有商机的名称", "The name of a deal of the account"},
    {"类型", "Type", "type", IMPORT_ENUM, true, activity_zh, activity_en, "拜访", NULL, NULL},
    {"主题", "Subject", "subject", IMPORT_TEXT, false, NULL, NULL, "需求调研", NULL, NULL},
    {"计划时间", "Planned at", "planned_at", IMPORT_DATETIME, false, NULL, NULL, "2026-03-05 14:00",
     "北京时间", "China time"},
    {"发生时间", "Done at", "done_at", IMPORT_DATETIME, false, NULL, NULL, "", "北京时间",
     "China time"},
    {"目的", "Purpose", "purpose", IMPORT_TEXT, false, NULL, NULL, "", NULL, NULL},
    {"结果", "Outcome", "outcome", IMPORT_TEXT, false, NULL, NULL, "", NULL, NULL},
    {"下一步", "Next step", "next_step", IMPORT_TEXT, false, NULL, NULL, "", NULL, NULL},
    {"下一步日期", "Next step date", "next_step_date", IMPORT_DATE, false, NULL, NULL, "", NULL,
     NULL},
    OWNER,
    CREATED,
};

static const import_column product_columns[] = {
    {"编码", "Code", "code", IMPORT_TEXT, true, NULL, NULL, "ERP-FIN", NULL, NULL},
    {"名称", "Name", "name", IMPORT_TEXT, true, NULL, NULL, "财务模块", NULL, NULL},
    {"英文名称", "English name", "name_en", IMPORT_TEXT, false, NULL, NULL, "Finance module", NULL,
     NULL},
    {"类别", "Kind", "kind", IMPORT_ENUM, true, kind_zh, kind_en, "模块许可", NULL, NULL},
    {"单位", "Unit", "unit", IMPORT_TEXT, true, NULL, NULL, "套", NULL, NULL},
    {"英文单位", "English unit", "unit_en", IMPORT_TEXT, false, NULL, NULL, "set", NULL, NULL},
    {"标准价（元）", "List price (yuan)", "list_price", IMPORT_MONEY, false, NULL, NULL, "120000",
     NULL, NULL},
    {"系数", "Ratio", "ratio", IMPORT_DECIMAL, false, NULL, NULL, "", NULL, NULL},
    {"税率（%）", "Tax rate (%)", "tax_rate", IMPORT_DECIMAL, false, NULL, NULL, "13", NULL, NULL},
    {"成本（元）", "Cost (yuan)", "cost", IMPORT_MONEY, false, NULL, NULL, "", NULL, NULL},
    {"启用", "Active", "active", IMPORT_BOOL, false, NULL, NULL, "是", NULL, NULL},
    {"说明", "Description", "description", IMPORT_TEXT, false, NULL, NULL, "", NULL, NULL},
};

#define SHEET(res, spec, zh, en, cols)                                                             \
    {                                                                                              \
        res, &spec, zh, en, cols, sizeof(cols) / sizeof(cols[0])                                   \
    }

const import_sheet_spec import_sheets[] = {
    SHEET("accounts", resource_accounts, "客户", "Accounts", account_columns),
    SHEET("contacts", resource_contacts, "联系人", "Contacts", contact_columns),
    SHEET("opportunities", resource_opportunities, "商机", "Deals", deal_columns),
    SHEET("activities", resource_activities, "活动", "Activities", activity_columns),
    SHEET("products", resource_products, "价格表", "Price list", product_columns),
    {NULL, NULL, NULL, NULL, NULL, 0},
};

const import_sheet_spec *import_sheet_find(const char *resource)
{
    for (const import_sheet_spec *s = import_sheets; resource && s->resource; s++)
        if (strcmp(s->resource, resource) == 0)
            return s;
    return NULL;
}

/* ---- headers ------------------------------------------------------------------ */

/* Whether header (n bytes) is name, letter case aside for English. */
static bool header_is(const char *header, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(header, name, n) == 0;
}

const import_column *import_column_by_header(const import_sheet_spec *s, const char *header)
{
    size_t n = strlen(header);
    const char *h = text_trim(header, &n);
    static const char *const marks[] = {"（必填）", "(必填)", "*", "＊", NULL};
    for (bool cut = true; cut;) {
        cut = false;
        for (size_t i = 0; marks[i]; i++) {
            size_t m = strlen(marks[i]);
            if (n >= m && memcmp(h + n - m, marks[i], m) == 0) {
                n -= m;
                cut = true;
            }
        }
        while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
            n--;
    }
    for (size_t i = 0; i < s->ncolumns; i++)
        if (header_is(h, n, s->columns[i].zh) || header_is(h, n, s->columns[i].en))
            return &s->columns[i];
    return NULL;
}

void import_column_letters(size_t i, char out[8])
{
    char rev[8];
    size_t n = 0;
    for (i++; i > 0 && n < 7; i = (i - 1) / 26)
        rev[n++] = (char)('A' + (i - 1) % 26);
    for (size_t k = 0; k < n; k++)
        out[k] = rev[n - 1 - k];
    out[n] = '\0';
}

/* ---- cells -------------------------------------------------------------------- */

/* A cell of col that is not what it should be: code, the values its
 * message names (args, may be NULL: what it should be, a phrase) and why. */
static bf_result bad(bf_error *err, const import_column *col, const char *code, const bf_arg *args,
                     const char *why)
{
    return bf_fail_args(err, BF_ERR_INVALID, code, col->field ? col->field : "created_at", args,
                        "%s", why);
}

/* Hundredths from a decimal text ("1,234.5", "¥ 99", "-3"): false when it is
 * not one, or has more than two decimals. */
static bool parse_hundredths(const char *s, int64_t *out)
{
    int64_t whole = 0, frac = 0;
    int decimals = -1;
    bool neg = false, digits = false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == ',')
            continue;
        if (strncmp(p, "¥", 2) == 0 || strncmp(p, "￥", 3) == 0) {
            p += (strncmp(p, "¥", 2) == 0 ? 2 : 3) - 1;
            continue;
        }
        if (c == '-' && !digits && !neg) {
            neg = true;
            continue;
        }
        if (c == '.' && decimals < 0) {
            decimals = 0;
            continue;
        }
        if (c < '0' || c > '9')
            return false;
        digits = true;
        if (decimals >= 0) {
            if (++decimals > 2)
                return false;
            frac = frac * 10 + (c - '0');
        } else {
            if (whole > 100000000000000LL) /* beyond any amount a field takes */
                return false;
            whole = whole * 10 + (c - '0');
        }
    }
    if (!digits)
        return false;
    if (decimals == 1)
        frac *= 10;
    *out = (whole * 100 + frac) * (neg ? -1 : 1);
    return true;
}

/* The shortest decimal text of a number of the workbook (15 significant
 * digits, as Excel shows it), so that 0.1 + 0.2 typed as 0.3 stays 0.3. */
static void number_text(double v, char *out, size_t cap)
{
    snprintf(out, cap, "%.15g", v);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* A date and time of China time (UTC+8), from an Excel serial number (days
 * since 1899-12-30) or from text: "2026-03-01", "2026/3/1", "2026年3月1日",
 * "2026.3.1", each optionally followed by " 14:30" or " 14:30:15". *t gets the
 * UTC seconds; *has_time whether a time was given. */
static bool parse_china_time(const sheet_cell *c, time_t *t, bool *has_time)
{
    *has_time = false;
    if (c->is_number) {
        if (c->number < 1 || c->number > 2958465) /* 1900-01-01 to 9999-12-31 */
            return false;
        double days = floor(c->number);
        int64_t secs = (int64_t)llround((c->number - days) * 86400.0);
        *has_time = secs != 0;
        *t = (time_t)(((int64_t)days - 25569) * 86400 + secs - 8 * 3600);
        return true;
    }
    const char *s = c->text;
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    int used = 0;
    char sep1[8] = "", sep2[8] = "";
    if (sscanf(s, "%4u%1[-/.]%2u%1[-/.]%2u%n", &y, sep1, &mo, sep2, &d, &used) == 5) {
        if (sep1[0] != sep2[0])
            return false;
    } else if (sscanf(s, "%4u年%2u月%2u日%n", &y, &mo, &d, &used) != 3 || used == 0) {
        return false;
    }
    const char *rest = s + used;
    while (*rest == ' ' || *rest == 'T')
        rest++;
    if (*rest) {
        int more = 0;
        if (sscanf(rest, "%2u:%2u:%2u%n", &h, &mi, &se, &more) == 3 ||
            sscanf(rest, "%2u:%2u%n", &h, &mi, &more) == 2) {
            if (rest[more] != '\0' || h > 23 || mi > 59 || se > 59)
                return false;
            *has_time = true;
        } else
            return false;
    }
    char day[16];
    snprintf(day, sizeof(day), "%04u-%02u-%02u", y, mo, d);
    if (!text_date_valid(day))
        return false;
    *t = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - 8 * 3600);
    return true;
}

/* The index of text among labels (either language) or values; -1 when none. */
static int choice_of(const import_column *col, const field_spec *f, const char *text)
{
    for (int i = 0; f->values[i]; i++) {
        if (strcmp(text, f->values[i]) == 0 ||
            (col->labels_zh && strcmp(text, col->labels_zh[i]) == 0) ||
            (col->labels_en && strcasecmp(text, col->labels_en[i]) == 0))
            return i;
    }
    return -1;
}

/* The items of a list cell, split at , ， 、 ; ； and new lines, trimmed. */
static json_t *list_of(const char *text)
{
    json_t *items = json_array();
    const char *p = text;
    while (items && *p) {
        size_t n = strcspn(p, ",;\n");
        const char *cut = NULL;
        static const char *const wide[] = {"，", "、", "；", NULL};
        for (size_t i = 0; wide[i]; i++) {
            const char *w = strstr(p, wide[i]);
            if (w && (size_t)(w - p) < n && (cut == NULL || w < cut))
                cut = w;
        }
        if (cut)
            n = (size_t)(cut - p);
        size_t len = n;
        const char *item = text_trim(p, &len);
        if (len > 0 && json_array_append_new(items, json_stringn(item, len)) != 0) {
            json_decref(items);
            return NULL;
        }
        p += n;
        if (cut)
            p += 3; /* the wide separators are three bytes */
        else if (*p)
            p++;
    }
    return items;
}

/* 是/否 and the like as JSON true or false; NULL when t is neither. */
static json_t *bool_value(const char *t)
{
    static const char *const yes[] = {"是", "true", "1", "yes", "y", NULL};
    static const char *const no[] = {"否", "false", "0", "no", "n", NULL};
    for (size_t i = 0; yes[i]; i++) {
        if (strcasecmp(t, yes[i]) == 0)
            return json_true();
        if (strcasecmp(t, no[i]) == 0)
            return json_false();
    }
    return NULL;
}

/* A date (the China day) or a time (UTC) of cell c, whose text is t. */
static bf_result time_value(const import_column *col, const sheet_cell *c, const char *t,
                            json_t **out, bf_error *err)
{
    sheet_cell copy = *c;
    copy.text = t;
    time_t when;
    bool has_time;
    bool date = col->kind == IMPORT_DATE;
    if (!parse_china_time(&copy, &when, &has_time))
        return date ? bad(err, col, "invalid_date", NULL, "not a date (2026-03-01)")
                    : bad(err, col, "invalid_datetime", NULL,
                          "not a date and time (2026-03-01 14:30)");
    char text[32];
    if (date)
        text_format_date(when + 8 * 3600, text, sizeof(text)); /* the China day */
    else
        text_format_utc(when, text, sizeof(text));
    *out = json_string(text);
    return *out ? BF_OK : BF_ERR_NOMEM;
}

bf_result import_cell_value(arena *a, const import_sheet_spec *s, const import_column *col,
                            const sheet_cell *c, json_t **out, bf_error *err)
{
    *out = NULL;
    char num[48];
    const char *text = c->text;
    if (c->is_number) {
        number_text(c->number, num, sizeof(num));
        text = num;
    }
    size_t n = text ? strlen(text) : 0;
    if (text)
        text = text_trim(text, &n);
    if (text == NULL || n == 0)
        return BF_OK;
    char *t = arena_strndup(a, text, n);
    if (t == NULL)
        return BF_ERR_NOMEM;
    int fi = col->field ? resource_field_index(s->spec, col->field) : -1;
    const field_spec *f = fi >= 0 ? &s->spec->fields[fi] : NULL;
    int64_t v;
    switch (col->kind) {
    case IMPORT_TEXT:
    case IMPORT_ACCOUNT:
    case IMPORT_DEAL:
    case IMPORT_USER:
        *out = json_string(t);
        break;
    case IMPORT_INT:
        if (!parse_hundredths(t, &v) || v % 100 != 0)
            return bad(err, col, "wrong_type", BF_ARGS(BF_PHRASE("expected", "whole_number")),
                       "not a whole number");
        *out = json_integer(v / 100);
        break;
    case IMPORT_MONEY:
        if (!parse_hundredths(t, &v))
            return bad(err, col, "wrong_type", BF_ARGS(BF_PHRASE("expected", "yuan_amount")),
                       "not an amount in yuan with at most two decimals");
        *out = json_integer(v);
        break;
    case IMPORT_DECIMAL:
        if (!parse_hundredths(t, &v))
            return bad(err, col, "wrong_type", BF_ARGS(BF_PHRASE("expected", "decimal_number")),
                       "not a number with at most two decimals");
        *out = v % 100 == 0 ? json_integer(v / 100) : json_real((double)v / 100.0);
        break;
    case IMPORT_BOOL:
        if ((*out = bool_value(t)) == NULL)
            return bad(err, col, "wrong_type", BF_ARGS(BF_PHRASE("expected", "yes_no")),
                       "not 是 or 否 (yes or no)");
        break;
    case IMPORT_DATE:
    case IMPORT_DATETIME:
    case IMPORT_CREATED:
        return time_value(col, c, t, out, err);
    case IMPORT_ENUM: {
        int i = f && f->values ? choice_of(col, f, t) : -1;
        if (i < 0)
            return bad(err, col, "invalid_value", NULL, "not one of the choices");
        *out = json_string(f->values[i]);
        break;
    }
    case IMPORT_LIST:
        *out = list_of(t);
        break;
    }
    return *out ? BF_OK : BF_ERR_NOMEM;
}
