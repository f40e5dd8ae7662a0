// The deal page (商机): its first screen and the groups of tabs below it.
export default {
  zh: {
    fill: '去填写',
    formDone: '完成',
    contacts: '客户联系人',
    contactsManage: '在客户页管理',
    noContacts: '还没有联系人',
    groups: {
      qualify: '资格与评估',
      compete: '竞争与投标',
      commercial: '报价与合同',
      files: '文档与交付',
      records: '历史与详情',
    },
  },
  en: {
    fill: 'Fill in',
    formDone: 'Done',
    contacts: 'Customer contacts',
    contactsManage: 'Manage on the customer page',
    noContacts: 'No contacts yet',
    groups: {
      qualify: 'Qualification',
      compete: 'Competition & tender',
      commercial: 'Quotations & contracts',
      files: 'Documents & handover',
      records: 'History & details',
    },
  },
}
