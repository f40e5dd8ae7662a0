export default {
  zh: { title: '登录兵法', name: '用户名', password: '密码', submit: '登录', failed: '用户名或密码错误', throttled: '失败次数过多，请稍后再试' },
  en: { title: 'Log in to bingfa', name: 'Name', password: 'Password', submit: 'Log in', failed: 'The name or the password is wrong', throttled: 'Too many failed attempts; try again later' },
}
