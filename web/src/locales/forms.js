// Money fields and unsaved changes, for every form of the app.
export default {
  zh: {
    money: {
      placeholder: '如 500000、50万、1.2亿',
      bad: '无法识别的金额：可输入 500000、5,000,000、50万、1.2亿 或 ￥5,000；以元计最多两位小数',
    },
    dirty: {
      title: '未保存的修改',
      ask: '放弃未保存的修改？',
      discard: '放弃修改',
      keep: '继续编辑',
    },
  },
  en: {
    money: {
      placeholder: 'e.g. 500000, 50万, 1.2亿',
      bad: 'Not an amount: type e.g. 500000, 5,000,000, 50万 (500,000), 1.2亿 (120,000,000) or ¥5,000; in yuan, at most two decimals',
    },
    dirty: {
      title: 'Unsaved changes',
      ask: 'Discard your unsaved changes?',
      discard: 'Discard',
      keep: 'Keep editing',
    },
  },
}
