// The API's errors in words: its message, in Chinese led by what its code means.
import { i18n } from '../i18n.js'

const zhCodes = {
  required: '必填',
  wrong_type: '类型不正确',
  too_long: '内容过长',
  negative: '不能为负数',
  out_of_range: '超出允许范围',
  invalid_value: '取值无效',
  invalid_date: '日期无效',
  invalid_datetime: '时间无效',
  invalid_month: '月份无效',
  invalid_utf8: '包含无效字符',
  unknown_reference: '引用的记录不存在或无权查看',
  unknown_field: '未知字段',
  unknown_parameter: '未知参数',
  read_only: '只读字段',
  unknown_playbook: '销售方法不存在',
  unknown_stage: '阶段不存在',
  weights_sum: '权重之和须为 100',
  out_of_order: '日期先后顺序不正确',
  not_measurable: '后果须可衡量（金额、日期或数量）',
  derived: '该项由系统计算，不能手动勾选',
  not_open: '商机已关闭',
  other_stage: '不属于当前阶段',
  closed: '商机已关闭，请先重新打开',
  forbidden: '无权执行此操作',
  csrf: '会话校验失败，请刷新页面',
  gate_unmet: '出口条件未满足',
  not_owner: '这一项不由您的角色负责',
  mode_below_recommendation: '低于商机评价建议的销售方式，须由经理决定（防止大单做小）',
  approval_required: '这是经理的决定，请提交审批',
  stage_through_gates: '新商机从第一阶段开始，按关卡推进',
  approval_pending: '同类审批正在等待中',
  approval_decided: '该审批已处理',
  approval_stale: '商机已变化，该审批无法执行',
  approval_not_needed: '无需审批',
  not_approver: '该级审批不由您决定',
  review_incomplete: '方案评审尚有问题未排除',
  not_applicable: '该销售方法不适用',
  win_through_gate: '赢单需通过销售方法的最后关口（或经审批）',
  version_mismatch: '记录已被他人修改',
  if_match_required: '缺少版本号',
  not_found: '记录不存在或无权查看',
  busy: '系统繁忙，请稍后重试',
  in_use: '仍被其他记录引用，不能删除',
  malformed_json: '请求格式错误',
  whole_units: '该产品只能按整数数量报价',
  retired: '该产品已停售',
  too_large: '金额超出上限',
  too_many_decimals: '最多两位小数',
  frozen: '只有草稿可以修改，请新建版本',
  empty: '报价单还没有明细',
  expired: '报价已过期，请新建版本',
  status: '当前状态不允许此操作',
  duplicate: '已存在',
}

// The API's message, in Chinese led by what its code means.
export function errorText(e) {
  if (!e) return ''
  const msg = e.message || String(e)
  if (i18n.global.locale.value === 'zh' && e.code && zhCodes[e.code]) return `${zhCodes[e.code]}：${msg}`
  return msg
}
