// Names of the codes a person would otherwise see: the system's own actor,
// currencies, where each built-in playbook comes from, and the plan an
// activity belongs to.
export default {
  zh: {
    system: '系统',
    planRef: { visit: '{mode}·第{n}次拜访', 'reference-case': '标杆案例' },
    modes: { quick: '快刀', consultative: '顾问', strategic: '战略' },
    currency: { CNY: '元', USD: '美元', EUR: '欧元', HKD: '港元' },
    playbookSource: {
      'ruijie-6': '锐捷售前课程（锐捷兵法），2017',
      'huayu-5': '华宇售前方法论：标准五阶段售前流程',
      'project-8': '项目型软件销售流程（项目型销售推动流程）',
      'uss-5': '用友 USS 方案式销售手册',
      'yonyou-7': '用友售前咨询方法论 V1.0（2005），含 T6 售前四步法、售前方案模板、方案缺陷与实施移交清单',
    },
  },
  en: {
    system: 'System',
    planRef: { visit: '{mode} · visit {n}', 'reference-case': 'Reference case' },
    modes: { quick: 'Quick', consultative: 'Consultative', strategic: 'Strategic' },
    currency: { CNY: 'CNY (yuan)', USD: 'USD', EUR: 'EUR', HKD: 'HKD' },
    playbookSource: {
      'ruijie-6': 'Ruijie presales course (the Ruijie method), 2017',
      'huayu-5': 'Huayu presales methodology: the standard five-stage presales process',
      'project-8': 'Project-type software sales process',
      'uss-5': 'Yonyou USS (solution selling) sales handbook',
      'yonyou-7': 'Yonyou presales consulting methodology V1.0 (2005), with the T6 four-step presales method, the proposal template, proposal defects and the implementation handover list',
    },
  },
}
