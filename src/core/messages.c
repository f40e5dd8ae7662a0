/* The catalogue of the API's error messages, in Chinese and English. */
#include "core/messages.h"

#include "core/import_sheet.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Per code (and code+field first): {field} is the field's name, {max} and
 * the like the values the error names (bf_fail_args: "name is too long: 300
 * characters, at most 200" names max 200). A remark in brackets ("（…）",
 * " (…)") about a value the error does not name is left out; a phrase's key
 * is said by the phrases below. The unit test of the catalogue checks that
 * every call of the sources names the values its code's template needs. */
static const bf_message catalogue[] = {
    /* a request's form */
    {"malformed", NULL, "请求格式错误", "The request is malformed"},
    {"malformed_json", NULL, "请求内容不是有效的 JSON（第 {line} 行第 {column} 列）",
     "The body is not valid JSON"},
    {"wrong_type", NULL, "{field}的格式不正确（应为{expected}）", "{field} has the wrong type"},
    {"unsupported_media_type", NULL, "请求内容须为 JSON（Content-Type: application/json）",
     "The body must be JSON"},
    {"body_too_large", NULL, "请求内容过大", "The body is too large"},
    {"bad_framing", NULL, "请求格式错误", "The request is badly framed"},
    {"invalid_utf8", NULL, "{field}包含无效字符（须为 UTF-8 文本）", "{field} is not valid UTF-8"},
    {"unknown_parameter", NULL, "不支持查询参数 {field}", "{field} is not a parameter here"},
    {"unknown_field", NULL, "不支持字段 {field}", "{field} is not a field here"},
    {"no_route", NULL, "没有这个接口", "No such resource"},
    {"method_not_allowed", NULL, "此接口不支持该请求方法", "The method is not allowed here"},
    {"invalid_cursor", NULL, "分页游标无效，请从第一页重新读取", "The cursor is not valid"},
    {"invalid_sort", NULL, "不能按此字段排序", "Cannot sort by this field"},
    {"too_many_filters", NULL, "筛选条件过多", "Too many filters"},
    {"duplicate_filter", NULL, "筛选条件{field}重复", "The filter {field} is given twice"},
    {"unknown_column", NULL, "未知的列：{name}", "No column is named {name}"},
    {"too_many_rows", NULL, "导出超过 {max} 行，请缩小筛选范围", "The export has too many rows"},
    /* values */
    {"validation_failed", NULL, "{field}填写有误", "{field} is not valid"},
    {"required", NULL, "{field}为必填项", "{field} is required"},
    {"required", "password", "请输入密码", "The password is required"},
    {"required", "won_by", "丢单时须填写赢单方", "won_by is required when a deal is lost"},
    {"too_short", NULL, "{field}至少需要 {min} 个字符", "{field} is too short"},
    {"too_short", "password", "密码至少需要 {min} 个字符", "The password is too short"},
    {"too_long", NULL, "{field}过长（最多 {max} 个字符）（最多 {max_bytes} 字节）",
     "{field} is too long"},
    {"too_few", NULL, "{field}至少需要 {min} 项", "{field} needs more items"},
    {"too_many", NULL, "{field}的项数过多（最多 {max} 项）", "{field} has too many items"},
    {"too_large", NULL, "{field}超出上限", "{field} is too large"},
    {"too_precise", NULL, "{field}最多两位小数", "{field} has more than two decimals"},
    {"too_many_decimals", NULL, "{field}最多两位小数", "{field} has more than two decimals"},
    {"negative", NULL, "{field}不能为负数", "{field} must not be negative"},
    {"zero", NULL, "{field}须大于零", "{field} must be positive"},
    {"out_of_range", NULL, "{field}超出允许范围（{min} 至 {max}）", "{field} is out of range"},
    {"invalid_value", NULL, "{field}的取值无效", "{field} has an invalid value"},
    {"invalid_value", "credit_code", "统一社会信用代码无效（18 位，校验位须正确）",
     "Not a valid unified social credit code"},
    {"invalid_date", NULL, "{field}须为日期（年-月-日，如 2026-03-01）", "{field} must be a date"},
    {"invalid_datetime", NULL, "{field}须为时间（如 2026-01-31T09:30:00Z）",
     "{field} must be a time"},
    {"invalid_month", NULL, "{field}须为月份（如 2026-03）", "{field} must be a month"},
    {"invalid_if_match", NULL, "If-Match 须为记录的版本号（ETag）", "If-Match is not an ETag"},
    {"read_only", NULL, "{field}由系统设置，不能修改", "{field} cannot be written"},
    {"read_only", "owner_id", "负责人只能通过转移变更", "The owner changes only by a transfer"},
    {"unknown_reference", NULL, "{field}引用的记录不存在或无权查看（“{name}”）",
     "{field} names no record you can see"},
    {"unknown_reference", "account_id", "找不到该客户或无权查看（“{name}”）",
     "No account you can see has this name"},
    {"unknown_reference", "opportunity_id", "找不到该商机或无权查看（“{name}”）",
     "No deal you can see has this name"},
    {"unknown_reference", "owner_id", "找不到该用户（“{name}”）", "No such user"},
    {"ambiguous_reference", NULL, "{field}“{name}”对应多条记录，无法确定是哪一条",
     "{field} {name} names more than one record"},
    {"needs_account", NULL, "商机须与客户名称一起填写", "A deal is named with its account"},
    {"duplicate", NULL, "{field}已存在", "{field} exists already"},
    {"cycle", NULL, "团队不能隶属于自身", "A team cannot be inside itself"},
    {"out_of_order", NULL, "{field}的日期先后顺序不正确", "{field} is out of order"},
    {"not_descending", NULL, "{field}须低于上一档的最低值", "{field} must be below the previous"},
    {"weights_sum", NULL, "权重之和须为 100（现为 {sum}）", "The weights must add up to 100"},
    {"weight_sum", NULL, "指标权重之和须为 100（现为 {sum}）", "The weights must add up to 100"},
    {"points_sum", NULL, "{field}之和须为 100（现为 {sum}）", "{field} must add up to 100"},
    {"threshold_order", NULL, "战略型门槛须高于顾问型门槛", "The thresholds are out of order"},
    {"plan_mismatch", NULL, "付款计划合计与合同金额不一致", "The payment plan does not add up"},
    {"not_measurable", NULL, "后果须可衡量：写明金额、日期或数量",
     "The consequence must be measurable"},
    {"unknown_indicator", NULL, "评价中没有此指标", "The evaluation has no such indicator"},
    {"us_missing", NULL, "须标出一家“我方”厂商", "One vendor must be us"},
    {"us_not_unique", NULL, "只能有一家“我方”厂商", "Only one vendor can be us"},
    {"partner_user", NULL, "伙伴用户随其伙伴公司加入：请登记伙伴", "Register the partner instead"},
    {"whole_units", NULL, "该产品只能按整数数量报价", "This product is sold in whole units"},
    {"document_required", NULL, "勾选此项须附上满足它的文档", "A document is required"},
    {"content_mismatch", NULL, "文件内容与扩展名不符", "The content does not match the name"},
    {"file_type", NULL, "不接受此类文件", "This type of file is not accepted"},
    {"empty", NULL, "内容为空", "It is empty"},
    {"empty", "lines", "报价单还没有明细", "A quotation without lines is not submitted"},
    {"empty_file", NULL, "文件没有表头行", "The file has no header row"},
    {"unreadable_file", NULL, "无法读取此文件", "The file cannot be read"},
    {"missing_column", NULL, "缺少必填列：{field}", "A required column is missing"},
    {"duplicate_column", NULL, "{field}列重复", "The column is given twice"},
    {"cannot_merge", NULL, "无法合并到已有记录（{why}）", "Cannot merge into the existing record"},
    {"import_invalid", NULL, "有 {count} 处错误，未导入任何记录", "Nothing was imported"},
    {"bulk_refused", NULL, "{total} 条记录中有 {refused} 条不能修改（见列表），未做任何修改",
     "Nothing was changed"},
    {"template_syntax", NULL, "模板语法错误（第 {line} 行第 {column} 列）：{reason}",
     "The template has an error"},
    {"template_depth", NULL, "模板嵌套过深", "Partials nest too deep"},
    {"template_too_large", NULL, "模板过大", "The template is too large"},
    {"template_output", NULL, "生成的文档过大", "The output is too large"},
    {"template_work", NULL, "模板过于复杂，无法生成", "Rendering takes too long"},
    {"invalid_playbook", NULL, "销售方法定义有误（共 {count} 处，见列表），首处：{path}",
     "The playbook is not valid"},
    /* a playbook's problems, each shown beside its JSON path */
    {"unknown_role", NULL,
     "引用了未知的角色“{value}”（须为 S、C、M、channel 或 roles[] 中的代码，多个用 & 连接）",
     "Names an unknown role"},
    {"unknown_template", NULL, "引用了不存在的模板“{id}”", "Names an unknown template"},
    {"needs_list", NULL, "此项的判定需要销售方法定义 {list}", "The playbook needs {list}"},
    {"fact_not_allowed", NULL, "只有由客户档案、招标或合同判定的项才能填写 fact",
     "Only an item derived from the profile, the tender or the contract names a fact"},
    {"contract_fact", NULL, "由合同判定的项，fact 须为 first_payment 或 archived",
     "The fact must be first_payment or archived"},
    {"profile_fact", NULL,
     "fact 须为客户档案的因素：size、ownership、business_type、existing_systems、branches 或 "
     "purchase_plan",
     "The fact must be a profile factor"},
    {"tender_fact", NULL, "由招标判定的项，fact 须为 procurement_method 或 award",
     "The fact must be procurement_method or award"},
    {"repeated_id", NULL, "“{id}”重复出现", "{id} is repeated"},
    {"reserved_id", NULL, "“{id}”留给赢单后的收尾清单，不能用作阶段", "{id} is reserved"},
    {"invalid_role_code", NULL, "角色代码须为 1 到 16 个字母，且不能是 S、C、M 或 channel",
     "Not a role code"},
    {"id_taken", NULL, "与阶段“{stage}”中某一项的 id 相同",
     "The id of an item of stage {stage} already"},
    {"no_stage_required", NULL,
     "须填写：回答“否”时商机退回到该阶段（或将 no_outcome 设为 abandon）",
     "A no needs a stage to go back to"},
    {"stage_not_before", NULL, "须为“{stage}”之前的阶段", "Must be a stage before {stage}"},
    {"visit_number", NULL, "须为 {n}：拜访按 1、2、3……依次编号", "Must be {n}"},
    {"visit_day_order", NULL, "不能早于上一次拜访的天数", "Before the previous visit's day"},
    {"visit_day_range", NULL, "须在基准周期的 {days} 天之内", "Must be within {days} days"},
    {"checklist_exists", NULL, "类型为 {type} 的活动已有检查清单",
     "Activities of type {type} have a checklist"},
    {"checklist_empty", NULL, "检查清单的 before、during、after 中至少需要一项",
     "A checklist needs an item"},
    {"one_role", NULL, "只能填写一个角色，不能是多个（“{value}”）", "Names one role"},
    {"probability_order", NULL, "赢率须大于上一阶段的赢率（{previous}）",
     "Must be greater than the previous stage's"},
    {"unknown_playbook", NULL, "销售方法不存在或未加载", "The playbook is not loaded"},
    {"unknown_stage", NULL, "阶段不存在（“{id}”）", "No such stage"},
    {"not_applicable", NULL, "该销售方法不适用", "The playbook has none"},
    /* who may */
    {"unauthenticated", NULL, "请先登录", "Log in first"},
    {"invalid_credentials", NULL, "用户名或密码错误", "The name or the password is wrong"},
    {"too_many_attempts", NULL, "尝试次数过多，请稍后再试", "Too many attempts: try again later"},
    {"not_a_session", NULL, "当前不是会话登录", "This is not a session"},
    {"forbidden", NULL, "您的角色无权执行此操作", "Your role may not do this"},
    {"forbidden", "created_at", "仅管理员和经理可导入创建时间",
     "Only admins and managers import creation times"},
    {"csrf", NULL, "会话校验失败，请刷新页面后重试", "The X-CSRF-Token header is missing"},
    {"not_owner", NULL, "这一项不由您的角色负责", "This item is another role's work"},
    {"not_approver", NULL, "该级审批不由您决定", "This level is not yours to decide"},
    {"not_reviewer", NULL, "只有审核人或管理员可以发布", "Only the reviewer publishes it"},
    {"approval_required", NULL, "这是经理的决定，请提交审批", "A manager decides this"},
    {"stage_through_gates", NULL, "新商机从第一阶段开始，按关卡推进",
     "A deal starts in the first stage"},
    {"win_through_gate", NULL, "赢单须通过销售方法的最后关卡（或经审批）",
     "A deal is won by passing the last gate"},
    {"own_account", NULL, "管理员不能取消自己的管理员角色或停用自己",
     "An admin cannot demote or deactivate themselves"},
    /* the record's state */
    {"not_found", NULL, "记录不存在或无权查看", "No such record"},
    {"not_found", "path", "文件不存在", "No such file"},
    {"conflict", NULL, "与记录的当前状态冲突", "The request conflicts with the record"},
    {"version_mismatch", NULL, "记录已被他人修改，请重新读取后再保存",
     "The record was changed by someone else"},
    {"if_match_required", NULL, "缺少版本号（If-Match），请重新读取后再保存",
     "Send If-Match with the version you read"},
    {"gate_unmet", NULL, "出口条件尚未全部满足", "The stage's exit criteria are not all met"},
    {"not_open", NULL, "商机已关闭", "The deal is not open"},
    {"closed", NULL, "商机已关闭，请先重新打开", "The deal is closed: reopen it first"},
    {"not_won", NULL, "商机赢单后才能移交", "A deal is handed over once it is won"},
    {"other_stage", NULL, "这一项不属于当前阶段", "The item belongs to another stage"},
    {"derived", NULL, "该项由系统判定，不能手动勾选", "The item is computed"},
    {"not_own", NULL, "来自销售方法的项不能删除", "The item comes from the playbook"},
    {"incomplete", NULL, "尚未完成", "It is not complete"},
    {"in_use", NULL, "仍被使用，不能删除", "It is in use"},
    {"not_empty", NULL, "仍有内容，不能删除", "It is not empty"},
    {"exists", NULL, "已经存在", "It exists already"},
    {"version_exists", NULL, "该版本已存在", "The version exists already"},
    {"too_many_playbooks", NULL, "已加载的销售方法版本过多", "Too many playbook versions"},
    {"retired", NULL, "已停用", "It is retired"},
    {"not_draft", NULL, "只有草稿可以发布", "Only a draft is published"},
    {"draft", NULL, "草稿还不是正式版本，请先提交", "A draft is not submitted yet"},
    {"frozen", NULL, "只有草稿可以修改，请新建版本", "Only a draft changes: make a new revision"},
    {"expired", NULL, "报价已过期，请新建版本", "The quotation expired"},
    {"status", NULL, "当前状态不允许此操作", "Not in this status"},
    {"acknowledged", NULL, "实施方已确认移交，不能再修改", "The handover is acknowledged"},
    {"not_accepted", NULL, "尚未被接受", "It is not accepted"},
    {"approval_pending", NULL, "同类审批正在等待中", "An approval of this kind is pending"},
    {"approval_decided", NULL, "该审批已处理", "The approval is decided already"},
    {"approval_stale", NULL, "商机已变化，该审批无法执行", "The deal has changed since"},
    {"approval_not_needed", NULL, "无需审批：直接在商机上设置", "No approval is needed"},
    {"review_incomplete", NULL, "方案评审尚有问题未排除", "The proposal review is not complete"},
    {"no_user", NULL, "命令行不代表任何用户", "The command line acts as no user"},
    {"constraint", NULL, "数据与已有记录冲突", "The data conflicts with a record"},
    /* the server */
    {"busy", NULL, "系统繁忙，请稍后重试", "The server is busy: try again"},
    {"stopped", NULL, "请求已中止", "The request was stopped"},
    {"gone", NULL, "客户端已断开", "The client went away"},
    {"out_of_memory", NULL, "服务器内存不足", "Out of memory"},
    {"store_error", NULL, "数据库出错，请稍后重试", "The database failed"},
    {"io_error", NULL, "文件读写失败", "A file could not be read or written"},
    {"internal", NULL, "服务器内部错误", "Internal error"},
    {"internal_error", NULL, "服务器内部错误", "Internal error"},
    {"schema_too_new", NULL, "数据库版本高于本程序", "The database is newer than this program"},
    {"schema_mismatch", NULL, "数据库结构不一致", "The database schema does not match"},
    {"migration_missing", NULL, "缺少数据库升级步骤", "A schema migration is missing"},
    {"migration_failed", NULL, "数据库升级失败", "A schema migration failed"},
    {"not_bingfa", NULL, "这不是兵法的数据库", "Not a bingfa database"},
    {"corrupt", NULL, "数据库文件已损坏", "The database file is damaged"},
    {"truncated", NULL, "文件不完整", "The file is cut short"},
    {"listen_failed", NULL, "无法监听该端口", "Cannot listen on the port"},
    {"invalid_listen", NULL, "监听地址无效", "Not an address to listen on"},
    {"demo_refused", NULL, "演示数据加载失败", "The demo data was refused"},
};

#define NCATALOGUE (sizeof(catalogue) / sizeof(catalogue[0]))

/* Words a message takes from the error (a BF_PHRASE arg), by key: what a
 * cell should have been, why a syntax error is one. A phrase may name the
 * error's values too. */
static const bf_message phrases[] = {
    /* what a spreadsheet's cell should be */
    {"whole_number", NULL, "整数", "a whole number"},
    {"yuan_amount", NULL, "以元为单位、最多两位小数的金额",
     "an amount in yuan with at most two decimals"},
    {"decimal_number", NULL, "最多两位小数的数字", "a number with at most two decimals"},
    {"yes_no", NULL, "“是”或“否”", "是 or 否 (yes or no)"},
    /* why a row does not merge */
    {"only_accounts_merge", NULL, "仅客户可合并，请选择跳过或新建",
     "only accounts are merged: skip the row or create it"},
    {"not_yours_to_merge", NULL, "重复的客户归属他人，无权合并",
     "the account it duplicates is one you may not change"},
    /* why a template's syntax is wrong */
    {"tag_no_name", NULL, "标签没有名称", "the tag has no name"},
    {"name_has_space", NULL, "名称“{name}”中含有空白", "the name {name} contains white space"},
    {"name_not_utf8", NULL, "名称不是有效的 UTF-8 文本", "the name is not valid UTF-8"},
    {"tag_unclosed_before", NULL, "标签在“{name}”之前没有结束",
     "a tag is never closed before {name}"},
    {"name_empty_part", NULL, "名称“{name}”中有空的部分", "the name {name} has an empty part"},
    {"delimiters_two", NULL, "更改分隔符须给出两个分隔符，如 {{=<% %>=}}",
     "a delimiter change needs two delimiters"},
    {"delimiter_too_long", NULL, "分隔符超过 {max} 字节", "a delimiter is longer than {max} bytes"},
    {"delimiter_equals", NULL, "分隔符中不能有“=”", "a delimiter contains ="},
    {"tag_unclosed", NULL, "标签没有结束", "the tag is never closed"},
    {"sections_too_deep", NULL, "区段嵌套超过 {max} 层", "sections nest deeper than {max}"},
    {"closes_nothing", NULL, "“{name}”没有对应的开始标签", "{name} closes no open section"},
    {"closed_as", NULL, "区段“{name}”的结束标签写成了“{as}”", "section {name} is closed as {as}"},
    {"section_unclosed", NULL, "区段“{name}”没有结束", "section {name} is never closed"},
};

#define NPHRASES (sizeof(phrases) / sizeof(phrases[0]))

/* Fields no import column names, in Chinese and English. */
typedef struct field_label {
    const char *field, *zh, *en;
} field_label;

static const field_label labels[] = {
    {"name", "名称", "Name"},
    {"password", "密码", "Password"},
    {"login", "登录名", "Login"},
    {"display_name", "显示名", "Display name"},
    {"role", "角色", "Role"},
    {"team_id", "团队", "Team"},
    {"partner_id", "伙伴", "Partner"},
    {"owner", "负责人", "Owner"},
    {"tags", "标签", "Tags"},
    {"tag", "标签", "Tag"},
    {"currency", "币种", "Currency"},
    {"probability", "赢率", "Probability"},
    {"quantity", "数量", "Quantity"},
    {"discount", "折扣", "Discount"},
    {"price", "单价", "Price"},
    {"lines", "明细", "Lines"},
    {"number", "编号", "Number"},
    {"reason", "原因", "Reason"},
    {"comment", "意见", "Comment"},
    {"title", "标题", "Title"},
    {"body", "正文", "Body"},
    {"url", "地址", "URL"},
    {"limit", "每页条数", "Limit"},
    {"cursor", "分页游标", "Cursor"},
    {"sort", "排序", "Sort"},
    {"q", "搜索词", "Search"},
    {"from", "开始日期", "From"},
    {"to", "结束日期", "To"},
    {"file", "文件", "File"},
    {"template", "模板", "Template"},
    {"item", "检查项", "Item"},
    {"kind", "类别", "Kind"},
    {"version", "版本", "Version"},
    {"parent_id", "上级", "Parent"},
    {"user", "用户", "User"},
    {"vendors", "厂商", "Vendors"},
    {"criteria", "评分项", "Criteria"},
    {"milestones", "付款节点", "Milestones"},
    {"forecast_category", "预测类别", "Forecast category"},
    {"forecast_override", "预测金额", "Forecast override"},
    {"margin", "毛利率", "Margin"},
    {"gross_profit", "毛利", "Gross profit"},
    {"closed_at", "关闭时间", "Closed at"},
    {"in_funnel", "进入漏斗", "In funnel"},
    {"key_activity", "关键活动", "Key activity"},
    {"contact", "联系人", "Contact"},
    {"reports_to", "直属上级", "Reports to"},
    {"personal_win", "个人赢", "Personal win"},
    {"internal_notes", "内部备注", "Internal notes"},
    {"it_landscape", "IT 现状", "IT landscape"},
    {"share_deals", "共享商机", "Share deals"},
    {"shared_team_id", "共享团队", "Shared team"},
    {"consequence", "后果", "Consequence"},
    {"ids", "记录", "Records"},
    {"query", "查询条件", "Query"},
    {"columns", "列", "Columns"},
    {"document_id", "文档", "Document"},
    {"step", "步骤", "Step"},
    {"now", "时间", "Time"},
    {"If-Match", "版本号（If-Match）", "If-Match"},
    {"X-CSRF-Token", "会话校验（X-CSRF-Token）", "X-CSRF-Token"},
    {"action", "操作", "Action"},
    {"activity_id", "活动", "Activity"},
    {"approvals", "审批", "Approvals"},
    {"as_of", "截至日期", "As of"},
    {"base_version", "基础版本", "Base version"},
    {"category", "类别", "Category"},
    {"contacts", "联系人", "Contacts"},
    {"content", "文件内容", "Content"},
    {"created_at", "创建时间", "Created"},
    {"days", "天数", "Days"},
    {"deal_members", "商机团队", "Deal team"},
    {"deal_partners", "商机伙伴", "Deal partners"},
    {"decision", "决定", "Decision"},
    {"decisions", "决策点", "Decisions"},
    {"evidence", "依据", "Evidence"},
    {"factors", "因素", "Factors"},
    {"format", "格式", "Format"},
    {"group", "分组", "Group"},
    {"id", "编号", "Id"},
    {"idle_days", "闲置天数", "Idle days"},
    {"indicators", "指标", "Indicators"},
    {"item_id", "检查项", "Item"},
    {"items", "条目", "Items"},
    {"lang", "语言", "Language"},
    {"mode_thresholds", "销售模式门槛", "Mode thresholds"},
    {"override", "越过关卡", "Override"},
    {"partner", "伙伴", "Partner"},
    {"pattern", "情形", "Pattern"},
    {"period", "周期", "Period"},
    {"product_id", "产品", "Product"},
    {"project_lead_id", "项目负责人", "Project lead"},
    {"public_url", "公开地址", "Public URL"},
    {"quarter", "季度", "Quarter"},
    {"quotation_id", "报价单", "Quotation"},
    {"signed_on", "签订日期", "Signed on"},
    {"since", "起始时间", "Since"},
    {"stalled_days", "停滞天数", "Stalled days"},
    {"state", "状态", "State"},
    {"table", "表", "Table"},
    {"text", "正文", "Text"},
    {"unit_price", "单价", "Unit price"},
    {"user_id", "用户", "User"},
};

bf_lang bf_lang_of(const char *query_lang, const char *accept_language)
{
    if (query_lang && strcasecmp(query_lang, "zh") == 0)
        return BF_LANG_ZH;
    if (query_lang && strcasecmp(query_lang, "en") == 0)
        return BF_LANG_EN;
    bf_lang best = BF_LANG_EN;
    int best_q = -1;
    for (const char *p = accept_language; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *tag = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ')
            p++;
        size_t n = (size_t)(p - tag);
        int q = 1000;
        const char *end = strchr(p, ',');
        const char *qs = strstr(p, "q=");
        if (qs && (end == NULL || qs < end)) {
            q = 0;
            int place = 0; /* digits after the point: 0.5 is 500 */
            for (const char *d = qs + 2; (*d >= '0' && *d <= '9') || *d == '.'; d++)
                if (*d == '.')
                    place = 1;
                else if (place == 0)
                    q = (*d - '0') * 1000;
                else if (place <= 3)
                    q += (*d - '0') * (place == 1 ? 100 : place == 2 ? 10 : 1), place++;
        }
        if (n > 0 && q > best_q && q > 0) {
            best_q = q;
            best = n >= 2 && strncasecmp(tag, "zh", 2) == 0 ? BF_LANG_ZH : BF_LANG_EN;
        }
        p = end ? end : p + strlen(p);
    }
    return best;
}

bool bf_message_known(const char *code)
{
    for (size_t i = 0; code && i < NCATALOGUE; i++)
        if (strcmp(catalogue[i].code, code) == 0)
            return true;
    return false;
}

const bf_message *bf_message_at(size_t i)
{
    return i < NCATALOGUE ? &catalogue[i] : NULL;
}

const bf_message *bf_phrase_at(size_t i)
{
    return i < NPHRASES ? &phrases[i] : NULL;
}

const char *bf_phrase(const char *key, bf_lang lang)
{
    for (size_t i = 0; key && i < NPHRASES; i++)
        if (strcmp(phrases[i].code, key) == 0)
            return lang == BF_LANG_ZH ? phrases[i].zh : phrases[i].en;
    return NULL;
}

const char *bf_message_template(const char *code, const char *field, bf_lang lang)
{
    const bf_message *any = NULL;
    for (size_t i = 0; code && i < NCATALOGUE; i++) {
        const bf_message *e = &catalogue[i];
        if (strcmp(e->code, code) != 0)
            continue;
        if (e->field == NULL && any == NULL)
            any = e;
        else if (e->field && field && strcmp(e->field, field) == 0)
            return lang == BF_LANG_ZH ? e->zh : e->en;
    }
    return any ? (lang == BF_LANG_ZH ? any->zh : any->en) : NULL;
}

/* The last name of a path ("lines[2].quantity" → "quantity", length in *n). */
static const char *last_name(const char *field, size_t *n)
{
    const char *dot = strrchr(field, '.');
    const char *s = dot ? dot + 1 : field;
    const char *bracket = strchr(s, '[');
    *n = bracket ? (size_t)(bracket - s) : strlen(s);
    return s;
}

/* Whether s (n bytes) is field. */
static bool names(const char *s, size_t n, const char *field)
{
    return field && strlen(field) == n && strncmp(s, field, n) == 0;
}

/* The header of the import column of s that fills the field, or NULL. */
static const char *sheet_label(const import_sheet_spec *s, const char *name, size_t n, bf_lang lang)
{
    for (size_t i = 0; i < s->ncolumns; i++)
        if (names(name, n, s->columns[i].field))
            return lang == BF_LANG_ZH ? s->columns[i].zh : s->columns[i].en;
    return NULL;
}

const char *bf_field_label(const char *resource, const char *field, bf_lang lang)
{
    if (field == NULL || field[0] == '\0')
        return NULL;
    size_t n;
    const char *name = last_name(field, &n);
    const import_sheet_spec *own = import_sheet_find(resource);
    const char *label = own ? sheet_label(own, name, n, lang) : NULL;
    if (label)
        return label;
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (names(name, n, labels[i].field))
            return lang == BF_LANG_ZH ? labels[i].zh : labels[i].en;
    for (const import_sheet_spec *s = import_sheets; s->resource; s++)
        if ((label = sheet_label(s, name, n, lang)) != NULL)
            return label;
    return NULL;
}

/* A bounded writer into out. */
typedef struct writer {
    char *out;
    size_t cap, len;
} writer;

static void put(writer *w, const char *s, size_t n)
{
    if (w->len + 1 >= w->cap)
        return;
    size_t room = w->cap - 1 - w->len;
    if (n > room) { /* cut at a UTF-8 boundary */
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(w->out + w->len, s, n);
    w->len += n;
    w->out[w->len] = '\0';
}

/* The name of the placeholder at p ("{max}": "max", its length in *n), or
 * NULL when p starts none. */
static const char *placeholder(const char *p, size_t *n)
{
    if (p[0] != '{')
        return NULL;
    size_t k = 1;
    while ((p[k] >= 'a' && p[k] <= 'z') || p[k] == '_')
        k++;
    if (k == 1 || p[k] != '}')
        return NULL;
    *n = k - 1;
    return p + 1;
}

/* The arg of err whose name is s (n bytes), or NULL. */
static const bf_error_arg *arg_named(const bf_error *err, const char *s, size_t n)
{
    for (size_t i = 0; i < BF_ERROR_ARGS && err->args[i].name[0]; i++)
        if (strlen(err->args[i].name) == n && strncmp(err->args[i].name, s, n) == 0)
            return &err->args[i];
    return NULL;
}

/* The field's name for a message: its label without a unit in brackets
 * ("金额（元）" → "金额"), else the field as it is. */
static void put_field(writer *w, const char *resource, const char *field, bf_lang lang)
{
    const char *label = bf_field_label(resource, field, lang);
    if (field == NULL || field[0] == '\0') {
        label = lang == BF_LANG_ZH ? "此项" : "This field";
    } else if (label == NULL) {
        put(w, field, strlen(field));
        return;
    }
    const char *cut = strstr(label, "（");
    const char *cut_en = strstr(label, " (");
    size_t n = cut ? (size_t)(cut - label) : cut_en ? (size_t)(cut_en - label) : strlen(label);
    put(w, label, n);
}

/* The end of the remark of a template that starts at p ("（…）", or " (…)"
 * in English), or NULL when p starts none. */
static const char *group_end(const char *p)
{
    const char *end = NULL;
    if (strncmp(p, "（", strlen("（")) == 0)
        end = strstr(p, "）");
    else if (p[0] == ' ' && p[1] == '(')
        end = strchr(p, ')');
    return end ? end + (end[0] == ')' ? 1 : strlen("）")) : NULL;
}

/* Whether the template text [p, end) names a value err does not give. */
static bool lacks_arg(const char *p, const char *end, const bf_error *err)
{
    for (; p < end; p++) {
        size_t n;
        const char *name = placeholder(p, &n);
        if (name && !(n == 5 && strncmp(name, "field", 5) == 0) && arg_named(err, name, n) == NULL)
            return true;
    }
    return false;
}

/* Writes template tpl filled from err; a phrase said in it is filled too
 * (nested: a phrase's own phrases are said by their keys). */
static void fill(writer *w, const char *tpl, bf_lang lang, const char *resource,
                 const bf_error *err, bool nested)
{
    for (const char *p = tpl; *p;) {
        const char *g = group_end(p);
        size_t n;
        const char *name = placeholder(p, &n);
        if (g && lacks_arg(p, g, err)) { /* a remark about a value not given */
            p = g;
        } else if (name && n == 5 && strncmp(name, "field", 5) == 0) {
            put_field(w, resource, err->field, lang);
            p += n + 2;
        } else if (name) {
            const bf_error_arg *a = arg_named(err, name, n);
            const char *phrase = a && a->phrase && !nested ? bf_phrase(a->value, lang) : NULL;
            if (phrase)
                fill(w, phrase, lang, resource, err, true);
            else
                put(w, a ? a->value : "", a ? strlen(a->value) : 0);
            p += n + 2;
        } else { /* text up to the next placeholder or remark */
            const char *q = p + (g ? (size_t)(p[0] == ' ' ? 2 : strlen("（")) : 1);
            while (*q && *q != '{' && group_end(q) == NULL)
                q++;
            put(w, p, (size_t)(q - p));
            p = q;
        }
    }
}

void bf_message_render(char *out, size_t cap, bf_lang lang, const char *resource,
                       const bf_error *err)
{
    if (cap == 0)
        return;
    writer w = {out, cap, 0};
    out[0] = '\0';
    bool have_en = err->message[0] != '\0';
    const char *tpl = bf_message_template(err->code, err->field, lang);
    if ((lang == BF_LANG_EN && have_en) || tpl == NULL) {
        put(&w, err->message, strlen(err->message));
        return;
    }
    fill(&w, tpl, lang, resource, err, false);
}
