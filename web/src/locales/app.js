export default {
  zh: {
    dashboard: '仪表盘', pipeline: '销售管道', accounts: '客户', activities: '活动',
    playbooks: '销售方法', admin: '管理', logout: '退出登录',
    loading: '加载中…', empty: '暂无数据', save: '保存', cancel: '取消', reload: '重新加载',
    stale: '该记录已被他人修改。重新加载后再保存；您填写的内容已保留。',
    yuan: '元', error: '出错了',
    navMore: '更多',
  },
  en: {
    dashboard: 'Dashboard', pipeline: 'Pipeline', accounts: 'Accounts', activities: 'Activities',
    playbooks: 'Playbooks', admin: 'Admin', logout: 'Log out',
    loading: 'Loading…', empty: 'Nothing here yet', save: 'Save', cancel: 'Cancel', reload: 'Reload',
    stale: 'Someone else changed this record. Reload, then save again; what you typed is kept.',
    yuan: 'yuan', error: 'Something went wrong',
    navMore: 'More',
  },
}
