// 撞单: the warnings a form shows while an account or a deal is typed in
// that may already exist (someone else's included), and after it is saved.
export default {
  zh: {
    creditCode: '统一社会信用代码',
    creditCodeHint: '18 位，选填；填写后按代码查重',
    creditCodeBad: '统一社会信用代码无效（18 位，校验位须正确）',
    title: { accounts: '可能与已有客户重复（撞单）', opportunities: '该客户下已有同名商机（撞单）' },
    hint: { accounts: '仍可保存。如是同一客户，请先联系其负责人。', opportunities: '仍可保存。如是同一商机，请先联系其负责人。' },
    why: { name: '同名', credit_code: '信用代码相同', deal_name: '同名' },
    owner: '负责人：{name}',
    nobody: '无',
    saved: '已保存，但可能重复（撞单）',
    line: '{why}：{name}（负责人：{owner}）',
  },
  en: {
    creditCode: 'Unified social credit code',
    creditCodeHint: '18 characters, optional; checked for duplicates',
    creditCodeBad: 'Not a valid unified social credit code (18 characters, valid check character)',
    title: { accounts: 'This may duplicate an existing account', opportunities: 'The account already has a deal of this name' },
    hint: { accounts: 'You may still save. If it is the same customer, talk to its owner first.', opportunities: 'You may still save. If it is the same deal, talk to its owner first.' },
    why: { name: 'Same name', credit_code: 'Same credit code', deal_name: 'Same name' },
    owner: 'Owner: {name}',
    nobody: 'nobody',
    saved: 'Saved, but it may duplicate an existing record',
    line: '{why}: {name} (owner: {owner})',
  },
}
