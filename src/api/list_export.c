/* Exports of the lists (导出): GET /api/v1/<resource>/export writes the
 * records a list finds — the same filters, search, sort and visibility as
 * GET /api/v1/<resource> — or the records ?ids= names, with the columns
 * ?columns= chooses, as CSV (UTF-8 with a BOM, CRLF, formulas neutralised:
 * core/csv.c) or as an Excel workbook (libxlsxwriter in its constant-memory
 * mode: amounts in yuan as numbers, dates as dates). Headings are Chinese, or
 * English for ?lang=en or Accept-Language: en; values too (enumerations,
 * stages, yes/no); times in China time (UTC+8). The list is read a page at a
 * time by its keyset, each page in an arena of its own that is freed once
 * written, into a temporary file (unlinked at once) that the answer is sent
 * from: an export of any length holds two pages in memory, never the file.
 * At most EXPORT_ROWS_MAX rows (422 beyond: nothing is sent). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "api/api.h"
#include "core/csv.h"
#include "core/text.h"
#include "http/response.h"

/* The most rows an export writes, and records ?ids= names. */
#define EXPORT_ROWS_MAX 100000
#define EXPORT_IDS_MAX 500
/* The most columns, and the bytes of CSV gathered before they are written out. */
#define EXPORT_COLUMNS_MAX 64
#define EXPORT_FLUSH (64 * 1024)
/* China time: UTC+8, no daylight saving. */
#define CHINA_OFFSET_S (8 * 3600)
/* The parameters of an export beside the list's; limit and cursor are the
 * list's paging, which an export has none of (they are left out). */
#define EXPORT_OWN "format columns ids lang limit cursor"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* ---- what the columns are called -------------------------------------------------- */

typedef struct label {
    const char *name, *zh, *en;
} label;

static const label meta_labels[] = {{"id", "编号", "ID"},
                                    {"created_at", "创建时间", "Created"},
                                    {"updated_at", "更新时间", "Updated"},
                                    {0}};

/* Fields every resource has the same way. */
static const label common_labels[] = {{"owner_id", "负责人姓名", "Owner name"},
                                      {"owner", "负责人", "Owner"},
                                      {"tags", "标签", "Tags"},
                                      {"notes", "内部备注", "Internal notes"},
                                      {"account_id", "客户", "Account"},
                                      {0}};

static const label account_labels[] = {{"name", "客户名称", "Account"},
                                       {"industry", "行业", "Industry"},
                                       {"region", "区域", "Region"},
                                       {"ownership", "企业性质", "Ownership"},
                                       {"business_type", "业务类型", "Business type"},
                                       {"employees", "员工人数", "Employees"},
                                       {"annual_revenue", "年营业额", "Annual revenue"},
                                       {"gross_profit", "毛利", "Gross profit"},
                                       {"existing_systems", "现有系统", "Existing systems"},
                                       {"branches", "分支机构数", "Branches"},
                                       {"it_landscape", "客户盘点", "IT landscape"},
                                       {"parent_id", "上级客户", "Parent account"},
                                       {0}};

static const label contact_labels[] = {{"name", "姓名", "Name"},
                                       {"title", "职务", "Title"},
                                       {"department", "部门", "Department"},
                                       {"reports_to", "汇报对象", "Reports to"},
                                       {"buying_role", "决策圈角色", "Buying role"},
                                       {"attitude", "态度", "Attitude"},
                                       {"influence", "影响力", "Influence"},
                                       {"phone", "电话", "Phone"},
                                       {"email", "邮箱", "E-mail"},
                                       {"personal_win", "个人诉求", "Personal win"},
                                       {0}};

static const label opportunity_labels[] = {{"name", "商机名称", "Deal"},
                                           {"amount", "金额", "Amount"},
                                           {"currency", "币种", "Currency"},
                                           {"budget", "预算", "Budget"},
                                           {"expected_close", "预计成交日期", "Expected close"},
                                           {"playbook", "销售方法", "Playbook"},
                                           {"stage", "阶段", "Stage"},
                                           {"probability", "赢率（%）", "Probability (%)"},
                                           {"sales_mode", "销售模式", "Sales mode"},
                                           {"status", "状态", "Status"},
                                           {"close_reason", "关闭原因", "Close reason"},
                                           {"compelling_event", "关键事件", "Compelling event"},
                                           {"competitors", "竞争对手", "Competitors"},
                                           {"products", "产品", "Products"},
                                           {"description", "说明", "Description"},
                                           {"won_by", "赢单厂商", "Won by"},
                                           {"playbook_version", "方法版本", "Playbook version"},
                                           {"turnaround", "翻盘", "Turnaround"},
                                           {"in_funnel", "漏斗内", "In funnel"},
                                           {"closed_at", "关闭时间", "Closed at"},
                                           {"forecast_category", "预测类别", "Forecast category"},
                                           {"forecast_override", "手选预测类别", "Forecast chosen"},
                                           {"forecast_reason", "预测理由", "Forecast reason"},
                                           {"sales_mode_since", "销售模式起始", "Sales mode since"},
                                           {"internal_notes", "内部备注", "Internal notes"},
                                           {"margin", "预计毛利", "Expected margin"},
                                           {0}};

static const label activity_labels[] = {{"opportunity_id", "商机", "Deal"},
                                        {"type", "类型", "Type"},
                                        {"subject", "主题", "Subject"},
                                        {"planned_at", "计划时间", "Planned at"},
                                        {"done_at", "完成时间", "Done at"},
                                        {"purpose", "目的", "Purpose"},
                                        {"outcome", "结果", "Outcome"},
                                        {"next_step", "下一步", "Next step"},
                                        {"next_step_date", "下一步日期", "Next step date"},
                                        {"contacts", "参与联系人", "Contacts"},
                                        {"plan_ref", "拜访计划", "Visit plan"},
                                        {"key_activity", "关键活动", "Key activity"},
                                        {0}};

/* A value of an enumeration as it is shown; fields is the fields that take it. */
typedef struct value_label {
    const char *fields, *value, *zh, *en;
} value_label;

#define FORECAST "forecast_category forecast_override"
static const value_label value_labels[] = {
    {"status", "open", "进行中", "Open"},
    {"status", "won", "赢单", "Won"},
    {"status", "lost", "丢单", "Lost"},
    {"status", "abandoned", "放弃", "Abandoned"},
    {"sales_mode", "quick", "快刀", "Quick"},
    {"sales_mode", "consultative", "顾问", "Consultative"},
    {"sales_mode", "strategic", "战略", "Strategic"},
    {FORECAST, "pipeline", "管道", "Pipeline"},
    {FORECAST, "best_case", "最佳情况", "Best case"},
    {FORECAST, "commit", "承诺", "Commit"},
    {FORECAST, "omitted", "排除", "Omitted"},
    {"ownership", "state_owned", "国有", "State-owned"},
    {"ownership", "restructured", "改制", "Restructured"},
    {"ownership", "private", "民营", "Private"},
    {"ownership", "foreign", "外资", "Foreign"},
    {"ownership", "joint_venture", "合资", "Joint venture"},
    {"ownership", "government", "政府", "Government"},
    {"business_type", "distribution", "分销", "Distribution"},
    {"business_type", "manufacture_sale", "生产销售", "Manufacturing and sales"},
    {"business_type", "processing", "加工", "Processing"},
    {"business_type", "service", "服务", "Service"},
    {"buying_role", "approver", "拍板者", "Approver"},
    {"buying_role", "decision_maker", "决策者", "Decision maker"},
    {"buying_role", "evaluator", "评估者", "Evaluator"},
    {"buying_role", "initiator", "发起人", "Initiator"},
    {"buying_role", "coach", "教练", "Coach"},
    {"buying_role", "user", "使用者", "User"},
    {"attitude", "supporter", "支持", "Supporter"},
    {"attitude", "neutral", "中立", "Neutral"},
    {"attitude", "opponent", "反对", "Opponent"},
    {"type", "visit", "拜访", "Visit"},
    {"type", "call", "电话", "Call"},
    {"type", "meeting", "会议", "Meeting"},
    {"type", "demo", "演示", "Demo"},
    {"type", "research", "调研", "Research"},
    {"type", "presentation", "汇报", "Presentation"},
    {"type", "site_visit", "客户参观", "Site visit"},
    {"type", "bid_opening", "开标", "Bid opening"},
    {"type", "negotiation", "商务谈判", "Negotiation"},
    {NULL, "other", "其他", "Other"}, /* of any enumeration */
    {0}};

/* What an exported list is called, and its columns by default. */
typedef struct list_kind {
    const resource_spec *spec;
    const char *zh, *en;
    const label *labels;
    const char *columns; /* space-separated */
} list_kind;

static const list_kind kinds[] = {
    {&resource_opportunities, "商机", "Deals", opportunity_labels,
     "name account_id amount stage status owner expected_close probability forecast_category "
     "tags created_at"},
    {&resource_accounts, "客户", "Accounts", account_labels,
     "name industry region ownership owner tags created_at"},
    {&resource_contacts, "联系人", "Contacts", contact_labels,
     "name account_id title department buying_role attitude phone email tags"},
    {&resource_activities, "活动", "Activities", activity_labels,
     "type subject opportunity_id account_id planned_at done_at owner tags"},
};

static const list_kind *kind_of(const resource_spec *spec)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (kinds[i].spec == spec)
            return &kinds[i];
    return NULL;
}

static const label *label_in(const label *labels, const char *name)
{
    for (const label *l = labels; l->name != NULL; l++)
        if (strcmp(l->name, name) == 0)
            return l;
    return NULL;
}

/* ---- the export ----------------------------------------------------------------------- */

typedef enum col_kind { COL_FIELD, COL_ID, COL_CREATED, COL_UPDATED } col_kind;

typedef struct column {
    col_kind kind;
    int field; /* COL_FIELD: its index in the spec */
    const field_spec *f;
    const char *heading;
} column;

/* The name of a record another refers to: id → name, or "" when the viewer
 * does not see it. */
typedef struct name_slot {
    const char *id, *name;
} name_slot;

#define NAMES_CAP 8192 /* a power of two; half of it is kept at most */

typedef struct exporter {
    api_call *call;
    const list_kind *kind;
    const resource_spec *spec;
    bool en, xlsx;
    column cols[EXPORT_COLUMNS_MAX];
    size_t ncols;
    size_t rows;
    int fd;           /* CSV: the file written; -1 before */
    char path[512];   /* XLSX: the file libxlsxwriter writes, until it is opened */
    buf csv;          /* CSV: what is not written to fd yet */
    uint64_t written; /* CSV: bytes in fd */
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *head, *fen, *hundredths, *date, *datetime;
    bool xlsx_ok;
    name_slot *names; /* NAMES_CAP slots, in the call's arena */
    size_t nnames;
} exporter;

/* One cell: a text, a number (its text for CSV in digits) or a date and time. */
typedef enum cell_kind { CELL_TEXT, CELL_NUMBER, CELL_DATE, CELL_DATETIME } cell_kind;

typedef struct cell {
    cell_kind kind;
    const char *text;
    size_t len;
    double number;
    lxw_format *format;
    lxw_datetime when;
    char digits[48];
} cell;

static const char *pick(const exporter *x, const char *zh, const char *en)
{
    return x->en ? en : zh;
}

/* The heading of a column of field f (or meta, a meta column's name). */
static const char *heading_of(exporter *x, const field_spec *f, const char *meta)
{
    const label *l = f ? label_in(x->kind->labels, f->name) : label_in(meta_labels, meta);
    if (l == NULL && f != NULL)
        l = label_in(common_labels, f->name);
    const char *h = l ? pick(x, l->zh, l->en) : f ? f->name : meta;
    if (f != NULL && f->type == FIELD_MONEY)
        return arena_printf(x->call->arena, "%s%s", h, pick(x, "（元）", " (yuan)"));
    if (f == NULL ? strcmp(meta, "id") != 0 : f->type == FIELD_DATETIME)
        return arena_printf(x->call->arena, "%s%s", h, pick(x, "（北京时间）", " (UTC+8)"));
    return h;
}

/* Adds the column called name[0..n) (a field the viewer sees, or id,
 * created_at, updated_at); 422 naming columns otherwise, or nothing for a
 * field the viewer does not see when skip_hidden (the list's own columns). */
static bf_result add_column(exporter *x, const char *name, size_t n, bool skip_hidden)
{
    api_call *call = x->call;
    char key[64];
    if (n == 0 || n >= sizeof(key))
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "columns",
                       "columns names the columns of the list, comma-separated");
    memcpy(key, name, n);
    key[n] = '\0';
    if (x->ncols == EXPORT_COLUMNS_MAX)
        return bf_fail_args(&call->err, BF_ERR_INVALID, "too_many", "columns",
                            BF_ARGS(BF_NUM("max", EXPORT_COLUMNS_MAX)),
                            "columns names at most %d columns", EXPORT_COLUMNS_MAX);
    column *c = &x->cols[x->ncols];
    int idx = resource_field_index(x->spec, key);
    bool hidden = idx >= 0 && api_field_hidden(&x->spec->fields[idx], call->who);
    if (hidden && skip_hidden)
        return BF_OK;
    if (idx >= 0 && !hidden) {
        *c = (column){COL_FIELD, idx, &x->spec->fields[idx], NULL};
    } else if (idx < 0 && label_in(meta_labels, key) != NULL) {
        *c = (column){key[0] == 'i'   ? COL_ID
                      : key[0] == 'c' ? COL_CREATED
                                      : COL_UPDATED,
                      -1, NULL, NULL};
    } else { /* a field the viewer does not see does not exist for them */
        return bf_fail_args(&call->err, BF_ERR_INVALID, "unknown_column", "columns",
                            BF_ARGS(BF_TEXT("name", key)), "%s has no column %s", x->spec->singular,
                            key);
    }
    c->heading = heading_of(x, c->f, key);
    if (c->heading == NULL)
        return BF_ERR_NOMEM;
    x->ncols++;
    return BF_OK;
}

/* The columns of ?columns= (comma-separated), or the list's by default (those
 * the viewer sees). */
static bf_result export_columns(exporter *x)
{
    const char *given = http_query(x->call->req, "columns");
    bool defaults = given == NULL || *given == '\0';
    const char *p = defaults ? x->kind->columns : given;
    char sep = defaults ? ' ' : ',';
    while (*p) {
        const char *end = strchr(p, sep);
        size_t n = end ? (size_t)(end - p) : strlen(p);
        size_t len = n;
        const char *name = text_trim(p, &len);
        bf_result r = len > 0 ? add_column(x, name, len, defaults) : BF_OK;
        if (r != BF_OK)
            return r;
        p += end ? n + 1 : n;
    }
    return x->ncols > 0 ? BF_OK
                        : bf_fail(&x->call->err, BF_ERR_INVALID, "required", "columns",
                                  "columns names no column");
}

/* ---- values ------------------------------------------------------------------------- */

static const char *enum_label(const exporter *x, const field_spec *f, const char *value)
{
    for (const value_label *v = value_labels; v->value != NULL; v++)
        if (strcmp(v->value, value) == 0 &&
            (v->fields == NULL || api_names_hold(v->fields, f->name, strlen(f->name))))
            return pick(x, v->zh, v->en);
    return value;
}

/* A UTC time as China time: its text ("2026-01-31 17:30") and its parts. */
static bool china_time(const char *utc, cell *c)
{
    time_t t = text_parse_utc(utc);
    if (t == 0)
        return false;
    t += CHINA_OFFSET_S;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(c->digits, sizeof(c->digits), "%Y-%m-%d %H:%M", &tm);
    c->when = (lxw_datetime){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                             tm.tm_hour,        tm.tm_min,     (double)tm.tm_sec};
    return true;
}

static void set_text(cell *c, const char *text)
{
    c->kind = CELL_TEXT;
    c->text = text ? text : "";
    c->len = strlen(c->text);
}

/* The name of the record of target with this id, as the viewer may see it
 * ("" when they do not); remembered for the rest of the export. */
static bf_result ref_name(exporter *x, const resource_spec *target, const char *id,
                          const char **out)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    size_t i = (size_t)h & (NAMES_CAP - 1);
    for (; x->names[i].id != NULL; i = (i + 1) & (NAMES_CAP - 1))
        if (strcmp(x->names[i].id, id) == 0) {
            *out = x->names[i].name;
            return BF_OK;
        }
    api_call *call = x->call;
    bool visible = false;
    record *rec = NULL;
    bf_result r =
        store_record_visible(call->app->store, call->who, target, id, &visible, &call->err);
    if (r == BF_OK && visible)
        r = store_record_get(call->app->store, call->arena, target, id, &rec, &call->err);
    if (r == BF_ERR_NOT_FOUND) /* gone since: no name */
        r = BF_OK;
    if (r != BF_OK)
        return r;
    const char *name = NULL;
    if (rec != NULL && resource_field_index(target, "display_name") >= 0)
        name = record_text(rec, "display_name");
    if (rec != NULL && (name == NULL || *name == '\0'))
        name = resource_field_index(target, "name") >= 0 ? record_text(rec, "name") : id;
    *out = name ? name : "";
    if (x->nnames * 2 < NAMES_CAP) { /* kept while the table is roomy */
        const char *kept_id = arena_strdup(call->arena, id);
        const char *kept = arena_strdup(call->arena, *out);
        if (kept_id == NULL || kept == NULL)
            return BF_ERR_NOMEM;
        x->names[i] = (name_slot){kept_id, kept};
        x->nnames++;
        *out = kept;
    }
    return BF_OK;
}

/* A list's items (a JSON array text) joined as one text; ids of a list of
 * references by their names. */
static bf_result list_text(exporter *x, const field_spec *f, const char *json, cell *c)
{
    json_t *items = api_keep(x->call, json_loads(json, 0, NULL));
    buf b;
    buf_init(&b, x->call->arena, 1 << 20);
    size_t i;
    json_t *v;
    bf_result r = buf_append_str(&b, "");
    json_array_foreach(items, i, v)
    {
        const char *item = json_string_value(v);
        if (item != NULL && f->type == FIELD_REF_LIST && r == BF_OK)
            r = ref_name(x, resource_by_name(f->ref), item, &item);
        if (r == BF_OK && i > 0)
            r = buf_append_str(&b, pick(x, "、", ", "));
        if (r == BF_OK && item != NULL)
            r = buf_append_str(&b, item);
    }
    if (r != BF_OK)
        return r == BF_ERR_TOO_LARGE ? BF_ERR_NOMEM : r;
    set_text(c, buf_cstr(&b));
    return c->text ? BF_OK : BF_ERR_NOMEM;
}

/* A stage or a playbook of a deal by its name in the playbook. */
static const char *playbook_text(exporter *x, const record *rec, const field_spec *f,
                                 const char *value)
{
    const playbook *pb = playbook_set_find(x->call->app->playbooks, record_text(rec, "playbook"));
    if (pb == NULL)
        return value;
    const char *lang = x->en ? "en" : "zh";
    if (strcmp(f->name, "playbook") == 0)
        return i18n_pick(&pb->name, lang);
    const stage_def *st = playbook_stage(pb, value, NULL);
    return st ? i18n_pick(&st->name, lang) : value;
}

/* A number: integer, or hundredths (money in yuan, a decimal). */
static void set_number(exporter *x, cell *c, int64_t v, bool hundredths, bool money)
{
    c->kind = CELL_NUMBER;
    if (!hundredths) {
        c->number = (double)v;
        snprintf(c->digits, sizeof(c->digits), "%lld", (long long)v);
        return;
    }
    uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
    c->number = (double)v / 100.0;
    c->format = money ? x->fen : x->hundredths;
    snprintf(c->digits, sizeof(c->digits), "%s%llu.%02u", v < 0 ? "-" : "",
             (unsigned long long)(m / 100), (unsigned)(m % 100));
}

/* The cell of field column col of rec. */
static bf_result field_cell(exporter *x, const record *rec, const column *col, cell *c)
{
    const field_spec *f = col->f;
    const field_value *v = &rec->values[col->field];
    set_text(c, "");
    if (v->null)
        return BF_OK;
    switch (f->type) {
    case FIELD_INT:
        set_number(x, c, v->i, false, false);
        return BF_OK;
    case FIELD_MONEY:
    case FIELD_DECIMAL:
        set_number(x, c, v->i, true, f->type == FIELD_MONEY);
        return BF_OK;
    case FIELD_BOOL:
        set_text(c, v->i ? pick(x, "是", "Yes") : pick(x, "否", "No"));
        return BF_OK;
    case FIELD_ENUM:
        set_text(c, enum_label(x, f, v->s));
        return BF_OK;
    case FIELD_DATE:
        set_text(c, v->s);
        c->kind = text_date_valid(v->s) ? CELL_DATE : CELL_TEXT;
        c->when = (lxw_datetime){atoi(v->s), atoi(v->s + 5), atoi(v->s + 8), 0, 0, 0};
        return BF_OK;
    case FIELD_DATETIME:
        if (china_time(v->s, c)) {
            c->kind = CELL_DATETIME;
            c->text = c->digits;
            c->len = strlen(c->digits);
        } else {
            set_text(c, v->s);
        }
        return BF_OK;
    case FIELD_REF: {
        bf_result r = ref_name(x, resource_by_name(f->ref), v->s, &c->text);
        c->len = r == BF_OK ? strlen(c->text) : 0;
        return r;
    }
    case FIELD_TEXT_LIST:
    case FIELD_REF_LIST:
        return list_text(x, f, v->s, c);
    case FIELD_TEXT:
        break;
    }
    bool deal = rec->spec == &resource_opportunities;
    set_text(c, deal && (strcmp(f->name, "stage") == 0 || strcmp(f->name, "playbook") == 0)
                    ? playbook_text(x, rec, f, v->s)
                    : v->s);
    return BF_OK;
}

static bf_result cell_of(exporter *x, const record *rec, const column *col, cell *c)
{
    memset(c, 0, sizeof(*c));
    if (col->kind == COL_FIELD)
        return field_cell(x, rec, col, c);
    if (col->kind == COL_ID) {
        set_text(c, rec->id);
        return BF_OK;
    }
    const char *at = col->kind == COL_CREATED ? rec->created_at : rec->updated_at;
    set_text(c, at);
    if (at != NULL && china_time(at, c)) {
        c->kind = CELL_DATETIME;
        c->text = c->digits;
        c->len = strlen(c->digits);
    }
    return BF_OK;
}

/* ---- writing ----------------------------------------------------------------------------- */

static bf_result io_failure(exporter *x, const char *what)
{
    return bf_fail(&x->call->err, BF_ERR_IO, NULL, NULL, "the export could not be %s: %s", what,
                   strerror(errno));
}

/* A new temporary file's path into x->path, and its descriptor. */
static bf_result temp_file(exporter *x, int *fd)
{
    const char *dir = getenv("TMPDIR");
    int n =
        snprintf(x->path, sizeof(x->path), "%s/bingfa-export-XXXXXX", dir && *dir ? dir : "/tmp");
    if (n < 0 || (size_t)n >= sizeof(x->path))
        return bf_fail(&x->call->err, BF_ERR_IO, NULL, NULL, "TMPDIR is too long");
    *fd = mkstemp(x->path);
    return *fd >= 0 ? BF_OK : io_failure(x, "written");
}

/* Writes out what the CSV gathered. */
static bf_result csv_flush(exporter *x)
{
    for (size_t done = 0; done < x->csv.len;) {
        ssize_t n = write(x->fd, x->csv.data + done, x->csv.len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return io_failure(x, "written");
        done += (size_t)n;
        x->written += (uint64_t)n;
    }
    x->csv.len = 0;
    return BF_OK;
}

static void xlsx_check(exporter *x, lxw_error e)
{
    if (e != LXW_NO_ERROR)
        x->xlsx_ok = false;
}

static lxw_format *xlsx_format(exporter *x, const char *num)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (f != NULL)
        format_set_num_format(f, num);
    else
        x->xlsx_ok = false;
    return f;
}

/* How wide a column of field f (or a meta column) is shown, in characters. */
static double column_width(const column *c)
{
    if (c->f == NULL)
        return c->kind == COL_ID ? 32 : 18;
    switch (c->f->type) {
    case FIELD_MONEY:
        return 18;
    case FIELD_DATE:
        return 12;
    case FIELD_DATETIME:
        return 18;
    case FIELD_TEXT:
        return c->f->max > 200 ? 40 : 24;
    case FIELD_TEXT_LIST:
    case FIELD_REF_LIST:
    case FIELD_REF:
        return 24;
    default:
        return 12;
    }
}

/* Opens the file and writes the headings: CSV, a BOM and a row; XLSX, a
 * bold frozen row over filtered columns. */
static bf_result export_open(exporter *x)
{
    bf_result r = temp_file(x, &x->fd);
    if (r != BF_OK)
        return r;
    if (!x->xlsx) {
        unlink(x->path); /* the answer reads it by its descriptor */
        buf_init(&x->csv, x->call->arena, (size_t)16 << 20);
        r = csv_append_bom(&x->csv);
        for (size_t i = 0; r == BF_OK && i < x->ncols; i++)
            r = csv_append_cell(&x->csv, x->cols[i].heading, strlen(x->cols[i].heading));
        return r == BF_OK ? csv_append_row_end(&x->csv) : r;
    }
    close(x->fd);
    x->fd = -1;
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = getenv("TMPDIR")};
    if ((x->wb = workbook_new_opt(x->path, &opt)) == NULL ||
        (x->ws = workbook_add_worksheet(x->wb, pick(x, x->kind->zh, x->kind->en))) == NULL)
        return io_failure(x, "made");
    x->xlsx_ok = true;
    x->head = workbook_add_format(x->wb);
    x->fen = xlsx_format(x, "#,##0.00");
    x->hundredths = xlsx_format(x, "0.00");
    x->date = xlsx_format(x, "yyyy-mm-dd");
    x->datetime = xlsx_format(x, "yyyy-mm-dd hh:mm");
    if (x->head == NULL || !x->xlsx_ok)
        return BF_ERR_NOMEM;
    format_set_bold(x->head);
    format_set_bg_color(x->head, 0xF2F2F2);
    format_set_bottom(x->head, LXW_BORDER_THIN);
    for (lxw_col_t i = 0; i < x->ncols; i++) {
        xlsx_check(x, worksheet_set_column(x->ws, i, i, column_width(&x->cols[i]), NULL));
        xlsx_check(x, worksheet_write_string(x->ws, 0, i, x->cols[i].heading, x->head));
    }
    worksheet_freeze_panes(x->ws, 1, 0);
    return x->xlsx_ok ? BF_OK : io_failure(x, "written");
}

static bf_result write_cell(exporter *x, lxw_col_t at, cell *c)
{
    if (!x->xlsx) {
        bool number = c->kind == CELL_NUMBER;
        return number ? csv_append_number(&x->csv, c->digits)
                      : csv_append_cell(&x->csv, c->text, c->len);
    }
    lxw_row_t row = (lxw_row_t)x->rows;
    if (c->kind == CELL_NUMBER)
        xlsx_check(x, worksheet_write_number(x->ws, row, at, c->number, c->format));
    else if (c->kind == CELL_DATE || c->kind == CELL_DATETIME)
        xlsx_check(x, worksheet_write_datetime(x->ws, row, at, &c->when,
                                               c->kind == CELL_DATE ? x->date : x->datetime));
    else if (c->len > 0) /* never a formula, whatever it begins with */
        xlsx_check(x, worksheet_write_string(x->ws, row, at, c->text, NULL));
    return x->xlsx_ok ? BF_OK : io_failure(x, "written");
}

/* One row: rec's cells. */
static bf_result export_row(exporter *x, const record *rec)
{
    if (x->rows == EXPORT_ROWS_MAX)
        return bf_fail_args(&x->call->err, BF_ERR_INVALID, "too_many_rows", NULL,
                            BF_ARGS(BF_NUM("max", EXPORT_ROWS_MAX)),
                            "the export would have more than %d rows: narrow the list's filters",
                            EXPORT_ROWS_MAX);
    x->rows++;
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < x->ncols; i++) {
        cell c;
        r = cell_of(x, rec, &x->cols[i], &c);
        if (r == BF_OK)
            r = write_cell(x, (lxw_col_t)i, &c);
    }
    if (r == BF_OK && !x->xlsx)
        r = csv_append_row_end(&x->csv);
    if (r == BF_OK && !x->xlsx && x->csv.len >= EXPORT_FLUSH)
        r = csv_flush(x);
    if (r == BF_ERR_TOO_LARGE)
        return bf_fail(&x->call->err, BF_ERR_INVALID, "too_large", NULL, "a row is too large");
    return r;
}

/* Ends the file: *fd (the caller's from now on) and its size. */
static bf_result export_finish(exporter *x, int *fd, uint64_t *size)
{
    struct stat st;
    if (!x->xlsx) {
        bf_result r = csv_flush(x);
        if (r != BF_OK)
            return r;
        *fd = x->fd;
        *size = x->written;
        x->fd = -1;
        return BF_OK;
    }
    if (x->rows > 0)
        xlsx_check(
            x, worksheet_autofilter(x->ws, 0, 0, (lxw_row_t)x->rows, (lxw_col_t)(x->ncols - 1)));
    lxw_error closed = workbook_close(x->wb);
    x->wb = NULL;
    if (closed != LXW_NO_ERROR || !x->xlsx_ok)
        return bf_fail(&x->call->err, BF_ERR_IO, NULL, NULL,
                       "the workbook could not be written: %s", lxw_strerror(closed));
    *fd = open(x->path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0 || fstat(*fd, &st) != 0) {
        if (*fd >= 0)
            close(*fd);
        return io_failure(x, "read");
    }
    *size = (uint64_t)st.st_size;
    return BF_OK;
}

/* Whatever is left of a failed export: the file, the workbook. */
static void export_discard(exporter *x)
{
    if (x->wb != NULL)
        workbook_close(x->wb);
    if (x->fd >= 0)
        close(x->fd);
    if (x->xlsx && x->path[0] != '\0')
        unlink(x->path);
}

/* ---- reading ------------------------------------------------------------------------------ */

/* Every record the list q finds, a page at a time: each page read into an
 * arena of its own, freed once the page after it is read (the keyset it
 * continues from lives in it). */
static bf_result export_query(exporter *x, list_query *q)
{
    api_call *call = x->call;
    arena *pages[2] = {NULL, NULL};
    bf_result r = BF_OK;
    q->limit = LIST_MAX_LIMIT;
    for (int turn = 0; r == BF_OK; turn ^= 1) {
        if (pages[turn] != NULL)
            arena_free(pages[turn]);
        if ((pages[turn] = arena_new(256 * 1024)) == NULL) {
            r = BF_ERR_NOMEM;
            break;
        }
        record_page page;
        r = store_record_list(call->app->store, pages[turn], q, &page, &call->err);
        for (size_t i = 0; r == BF_OK && i < page.n; i++)
            r = export_row(x, page.items[i]);
        if (r != BF_OK || !page.more || page.n == 0)
            break;
        list_query_continue(q, page.items[page.n - 1]);
    }
    for (int i = 0; i < 2; i++)
        if (pages[i] != NULL)
            arena_free(pages[i]);
    return r;
}

/* The records ids names that the viewer sees, in the order named (the others
 * are left out, as a list leaves them out). */
static bf_result export_ids(exporter *x, const char *const *ids, size_t n)
{
    api_call *call = x->call;
    bf_result r = BF_OK;
    for (size_t i = 0; r == BF_OK && i < n; i++) {
        bool visible = false, again = false;
        for (size_t k = 0; k < i && !again; k++)
            again = strcmp(ids[k], ids[i]) == 0;
        if (again)
            continue;
        r = store_record_visible(call->app->store, call->who, x->spec, ids[i], &visible,
                                 &call->err);
        if (r != BF_OK || !visible)
            continue;
        arena *a = arena_new(16 * 1024);
        record *rec;
        if (a == NULL)
            return BF_ERR_NOMEM;
        r = store_record_get(call->app->store, a, x->spec, ids[i], &rec, &call->err);
        if (r == BF_OK)
            r = export_row(x, rec);
        else if (r == BF_ERR_NOT_FOUND)
            r = BF_OK;
        arena_free(a);
    }
    return r;
}

/* ---- the request -------------------------------------------------------------------------- */

/* Refuses a list's parameter beside ?ids=, which names the records itself. */
static bool only_own(void *ctx, const char *key, const char *value)
{
    (void)value;
    exporter *x = ctx;
    if (api_names_hold("format columns ids lang", key, strlen(key)))
        return true;
    bf_fail(&x->call->err, BF_ERR_INVALID, "invalid_value", key,
            "%s does not go with ids, which names the records to export", key);
    return false;
}

/* The ids of ?ids= (comma-separated) into *ids, at most EXPORT_IDS_MAX. */
static bf_result ids_asked(exporter *x, const char *given, const char ***ids, size_t *n)
{
    api_call *call = x->call;
    if (!http_query_each(call->req, only_own, x))
        return BF_ERR_INVALID;
    *n = 0;
    if ((*ids = arena_calloc(call->arena, EXPORT_IDS_MAX, sizeof(**ids))) == NULL)
        return BF_ERR_NOMEM;
    for (const char *p = given; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *id = text_trim(p, &len);
        p += comma ? (size_t)(comma - p) + 1 : strlen(p);
        if (len == 0)
            continue;
        if (*n == EXPORT_IDS_MAX)
            return bf_fail_args(&call->err, BF_ERR_INVALID, "too_many", "ids",
                                BF_ARGS(BF_NUM("max", EXPORT_IDS_MAX)),
                                "ids names at most %d records", EXPORT_IDS_MAX);
        if (((*ids)[(*n)++] = arena_strndup(call->arena, id, len)) == NULL)
            return BF_ERR_NOMEM;
    }
    return BF_OK;
}

/* The file's name: the list's and China's date ("商机-20260131.csv"). */
static const char *file_name(exporter *x)
{
    time_t now = time(NULL) + CHINA_OFFSET_S;
    struct tm tm;
    char day[16];
    gmtime_r(&now, &tm);
    strftime(day, sizeof(day), "%Y%m%d", &tm);
    return arena_printf(x->call->arena, "%s-%s.%s", pick(x, x->kind->zh, x->spec->name), day,
                        x->xlsx ? "xlsx" : "csv");
}

/* Reads the request's format, language, columns and records (ids, or the
 * list's query into q). */
static bf_result export_asked(exporter *x, list_query *q, const char ***ids, size_t *nids)
{
    api_call *call = x->call;
    const char *format = http_query(call->req, "format");
    if (format != NULL && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
        return bf_fail(&call->err, BF_ERR_INVALID, "invalid_value", "format",
                       "format is csv (the default) or xlsx");
    x->xlsx = format != NULL && strcmp(format, "xlsx") == 0;
    x->en = strcmp(api_lang(call), "en") == 0;
    bf_result r = export_columns(x);
    if (r != BF_OK)
        return r;
    const char *given = http_query(call->req, "ids");
    *ids = NULL;
    if (given != NULL)
        return ids_asked(x, given, ids, nids);
    if ((r = list_query_from_request_beside(call, x->spec, EXPORT_OWN, q)) != BF_OK)
        return r;
    q->who = call->who;
    q->after = false;
    return BF_OK;
}

bf_result list_export(api_call *call, const api_route *route)
{
    exporter x = {.call = call, .spec = route->spec, .kind = kind_of(route->spec), .fd = -1};
    BF_ASSERT(x.kind != NULL);
    x.names = arena_calloc(call->arena, NAMES_CAP, sizeof(*x.names));
    list_query q;
    const char **ids = NULL;
    size_t nids = 0;
    bf_result r = x.names ? export_asked(&x, &q, &ids, &nids) : BF_ERR_NOMEM;
    if (r != BF_OK)
        return r;
    int fd = -1;
    uint64_t size = 0;
    if ((r = export_open(&x)) == BF_OK)
        r = ids ? export_ids(&x, ids, nids) : export_query(&x, &q);
    if (r == BF_OK)
        r = export_finish(&x, &fd, &size);
    export_discard(&x);
    const char *name = r == BF_OK ? file_name(&x) : NULL;
    if (r == BF_OK && (name == NULL || !http_set_attachment(call->req, name)))
        r = BF_ERR_NOMEM;
    if (r != BF_OK) {
        if (fd >= 0)
            close(fd);
        return r;
    }
    http_respond_file(call->req, 200, x.xlsx ? XLSX_TYPE : "text/csv; charset=utf-8", fd, size);
    return BF_OK;
}
