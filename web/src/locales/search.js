export default {
  zh: {
    open: '搜索',
    placeholder: '搜索客户、联系人、商机、活动、知识库…',
    hint: '输入客户名、联系人、电话、邮箱或商机名称，中英文均可',
    empty: '没有找到与“{q}”相关的内容',
    failed: '搜索失败：{message}',
    searching: '搜索中…',
    keys: '↑ ↓ 选择 · Enter 打开 · Esc 关闭',
    groups: {
      accounts: '客户', contacts: '联系人', opportunities: '商机', activities: '活动', knowledge: '知识库',
    },
    fields: {
      title: '职务', phone: '电话', email: '邮箱', account: '客户', outcome: '结果', summary: '摘要',
    },
  },
  en: {
    open: 'Search',
    placeholder: 'Search accounts, contacts, deals, activities, knowledge…',
    hint: 'Type an account, a contact, a phone, an e-mail or a deal, in Chinese or English',
    empty: 'Nothing found for “{q}”',
    failed: 'The search failed: {message}',
    searching: 'Searching…',
    keys: '↑ ↓ to choose · Enter to open · Esc to close',
    groups: {
      accounts: 'Accounts', contacts: 'Contacts', opportunities: 'Deals', activities: 'Activities',
      knowledge: 'Knowledge',
    },
    fields: {
      title: 'Title', phone: 'Phone', email: 'E-mail', account: 'Account', outcome: 'Outcome',
      summary: 'Summary',
    },
  },
}
