export default {
  zh: { sales: '销售', consultant: '售前顾问', manager: '经理', partner: '渠道', implementation: '实施', admin: '管理员' },
  en: { sales: 'Sales', consultant: 'Consultant', manager: 'Manager', partner: 'Partner', implementation: 'Implementation', admin: 'Admin' },
}
