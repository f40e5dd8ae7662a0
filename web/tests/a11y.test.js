// Accessibility: axe-core (from the web app's npm packages) runs over every
// screen of the router — and over each tab of the screens that have tabs —
// as the demo manager (the admin screens as an admin; the login page logged
// out), and over the dialogs and drawers that open on a click on the main
// screens (new deal, edit and close a deal, the pipeline's stage move and its
// refused gate, a contact, an activity, a new customer, a contract, a file,
// the notifications, the search), in Chinese and English, at 1366 and 375 px.
// Any critical or serious violation fails the test, printed with the
// elements it was found on. Every chart — drawn on a canvas or in SVG — is an
// image with a name and a description in the page's language.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { startServer, startBrowser, login, getAs, ADMIN } from './server.js'

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

let server, chrome
const ids = {}

before(async () => {
  server = await startServer({ demo: true })
  chrome = await startBrowser()
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

// The screens: path, who sees it, and the tab bar whose tabs are visited too.
function screens() {
  return [
    { name: 'dashboard', path: '/' },
    { name: 'pipeline', path: '/pipeline' },
    { name: 'deals', path: '/deals' },
    { name: 'deal', path: `/opportunities/${ids.deal}`, tabs: '.opp-tabs' },
    { name: 'accounts', path: '/accounts' },
    { name: 'account', path: `/accounts/${ids.account}` },
    { name: 'contacts', path: '/contacts' },
    { name: 'activities', path: '/activities' },
    { name: 'activity-list', path: '/activities/list' },
    { name: 'approvals', path: '/approvals', tabs: '.el-tabs' },
    { name: 'reports', path: '/reports', tabs: '.rep-tabs' },
    { name: 'knowledge', path: '/knowledge' },
    { name: 'knowledge-entry', path: `/knowledge/${ids.knowledge}` },
    { name: 'playbooks', path: '/playbooks', tabs: '.tabs' },
    { name: 'import', path: '/import' },
    { name: 'admin', path: '/admin', as: 'admin', tabs: '.el-tabs' },
  ]
}

// A context in lang at width, logged in as user (none: logged out); the
// server's Content-Security-Policy allows no injected script, so the
// browser is told to bypass it for axe-core.
async function open(user, lang, width) {
  const ctx = await chrome.browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true })
  const page = await ctx.newPage()
  // the requests under way, for quiet()
  page.inflight = 0
  page.on('request', () => page.inflight++)
  for (const done of ['requestfinished', 'requestfailed']) page.on(done, () => page.inflight--)
  await page.goto(server.base + '/login')
  await page.evaluate((l) => localStorage.setItem('bingfa.lang', l), lang)
  if (user) await login(page, server.base, user)
  return { ctx, page }
}

// After a click on a loaded page (where networkidle was reached long ago):
// what the click asked for is answered and shown.
async function quiet(page) {
  await page.waitForTimeout(100)
  for (let i = 0; i < 100 && page.inflight > 0; i++) await page.waitForTimeout(50)
  await page.waitForTimeout(150)
}

async function settle(page) {
  await page.waitForLoadState('networkidle')
  // transitions (tabs, progress bars, dialogs) run to their end
  await page.waitForTimeout(150)
}

// axe-core's critical and serious violations on the page, one line each.
// Over the whole page, or only within the element of the selector within.
async function audit(page, where, within) {
  if (!(await page.evaluate(() => !!window.axe))) {
    await page.addScriptTag({ path: axePath })
    // colours are judged at rest, not halfway through an entrance's fade
    await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; animation: none !important; }' })
  }
  const found = await page.evaluate(async (within) => {
    // where on the page: the nearest data-test around the element, and its form label
    const near = (target) => {
      const e = document.querySelector(target[0])
      const t = e && e.closest('[data-test]')
      const l = e && e.closest('.el-form-item')
      const label = l && l.querySelector('.el-form-item__label')
      return (t ? ` in [data-test=${t.getAttribute('data-test')}]` : '') + (label ? ` labelled "${label.textContent.trim()}"` : '')
    }
    // a table's rows after its fifth repeat the first five's markup: they are left out, for time
    const rows = [...document.querySelectorAll('.el-table__body tr:nth-child(n+6)')]
    const r = await window.axe.run({ include: [within ? document.querySelector(within) : document], exclude: rows },
      { resultTypes: ['violations'] })
    return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ') + near(n.target) + ' ' + n.html.slice(0, 120) +
        (n.any[0] && n.any[0].message ? ' — ' + n.any[0].message : '')),
    }))
  }, within)
  return found.map((v) => `${where}: ${v.impact} ${v.id} (${v.help}), ${v.nodes.length} element(s):\n` +
    v.nodes.slice(0, 6).map((n) => '    ' + n).join('\n') + (v.nodes.length > 6 ? '\n    …' : ''))
}

// The charts shown: each an image (role="img") whose name says what it
// shows in the page's language — ECharts' description of a canvas chart, the
// org chart's own words. Problems, one line each; the charts seen are counted.
const charts = { seen: 0 }
async function checkCharts(page, where, lang) {
  const found = await page.evaluate(() => [...document.querySelectorAll('.dash-chart, [data-test="org-chart"]')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => ({ role: e.getAttribute('role'), label: e.getAttribute('aria-label') || '', org: e.matches('[data-test="org-chart"]') })))
  charts.seen += found.length
  const out = []
  for (const [i, c] of found.entries()) {
    const said = lang === 'zh' ? (c.org ? /的组织结构图：/ : /^这是一个关于“[^”]+”的图表/) : (c.org ? /^Organisation chart of / : /^This is a chart about "[^"]+"/)
    if (c.role !== 'img' || !said.test(c.label))
      out.push(`${where}: chart ${i + 1} is not an image named in ${lang}: role=${c.role} aria-label="${c.label.slice(0, 80)}"`)
  }
  return out
}

async function visit(page, s, where, withTabs, lang) {
  await page.goto(server.base + s.path)
  await settle(page)
  const out = await audit(page, where)
  out.push(...(await checkCharts(page, where, lang)))
  if (!s.tabs || !withTabs) return out
  // the screen's own tabs (not those nested in a pane)
  const tabs = page.locator(`${s.tabs} > .el-tabs__header .el-tabs__item`)
  const n = await tabs.count()
  assert.ok(n > 1, `${where}: its tabs`)
  for (let i = 0; i < n; i++) {
    const tab = tabs.nth(i)
    const label = (await tab.textContent()).trim()
    await tab.click()
    await settle(page)
    // the rest of the page was audited with the first tab
    const pane = await tab.getAttribute('aria-controls')
    if (i > 0) out.push(...(await audit(page, `${where} [${label}]`, '#' + pane)), ...(await checkCharts(page, `${where} [${label}]`, lang)))
    // a group of tabs (the deal page's): each of its own
    const inner = page.locator(`#${pane} .el-tabs > .el-tabs__header .el-tabs__item`)
    const m = await inner.count()
    for (let j = 1; j < m; j++) {
      const sub = inner.nth(j)
      const subLabel = (await sub.textContent()).trim()
      await sub.click()
      await settle(page)
      const subPane = await sub.getAttribute('aria-controls')
      out.push(...(await audit(page, `${where} [${label} / ${subLabel}]`, '#' + subPane)))
    }
  }
  return out
}

// The overlay on top (a dialog, a drawer), once the click opened it, audited
// on its own; then closed with Esc.
async function auditOverlay(page, where, open, ready) {
  await open()
  const overlay = page.locator('.el-overlay:visible').last()
  await overlay.waitFor()
  if (ready) await page.locator(ready).first().waitFor()
  await quiet(page)
  await overlay.evaluate((e) => e.setAttribute('data-audit', ''))
  const out = await audit(page, where, '[data-audit]')
  await overlay.evaluate((e) => e.removeAttribute('data-audit'))
  await page.keyboard.press('Escape')
  await overlay.waitFor({ state: 'hidden' })
  return out
}

// The dialogs and drawers a click opens on the main screens: as the manager
// on the manager's deal and customer, as the admin on a deal at its winning
// stage (won, its contract, its files).
async function dialogs(manager, admin, where) {
  const out = []
  const on = (page, path) => page.goto(server.base + path).then(() => settle(page))
  const click = (page, sel) => () => page.locator(sel).first().click()
  let page = manager
  await on(page, '/')
  out.push(...(await auditOverlay(page, `${where} new deal`, click(page, '[data-test="quick-deal-open"]'), '[data-test="qd-name"]')))
  out.push(...(await auditOverlay(page, `${where} notifications`, click(page, '[data-test="notify-bell"]'))))
  out.push(...(await auditOverlay(page, `${where} search`, async () => {
    await page.click('[data-test="search-open"]')
    await page.locator('[data-test="search-input"] input, input[data-test="search-input"]').first().fill('医院')
  }, '[data-test^="search-item-"]')))

  await on(page, '/pipeline')
  const arrow = '.board [data-test^="advance-opp_"]'
  out.push(...(await auditOverlay(page, `${where} pipeline stage move`, click(page, arrow),
    '[data-test="advance-confirm-unmet"], [data-test="advance-confirm-met"]')))
  // a move the gate refuses: what is missing, and the manager's override
  await page.locator(arrow).first().click()
  await page.locator('[data-test="advance-confirm-unmet"]').waitFor()
  out.push(...(await auditOverlay(page, `${where} pipeline gate refused`, click(page, '[data-test="advance-go"]'), '[data-test="gate-unmet"]')))

  await on(page, '/opportunities/' + ids.deal)
  out.push(...(await auditOverlay(page, `${where} edit deal`, click(page, '[data-test="opp-edit"]'))))
  out.push(...(await auditOverlay(page, `${where} close deal lost`, click(page, '[data-test="close-lost"]'))))
  await on(page, '/accounts/' + ids.account)
  out.push(...(await auditOverlay(page, `${where} contact form`, click(page, '[data-test="contact-new"]'))))
  out.push(...(await auditOverlay(page, `${where} new deal for the customer`, click(page, '[data-test="opp-new"]'), '[data-test="qd-account-fixed"]')))
  await on(page, '/accounts')
  out.push(...(await auditOverlay(page, `${where} new customer`, click(page, '[data-test="account-new"]'))))
  await on(page, '/activities')
  out.push(...(await auditOverlay(page, `${where} activity editor`, click(page, '[data-test="act-new"]'))))

  page = admin
  await on(page, '/opportunities/' + ids.winning)
  out.push(...(await auditOverlay(page, `${where} close deal won`, click(page, '[data-test="close-won"]'))))
  await on(page, `/opportunities/${ids.winning}?tab=contracts`)
  out.push(...(await auditOverlay(page, `${where} contract`, click(page, '[data-test="contract-edit"]'))))
  await on(page, `/opportunities/${ids.winning}?tab=documents`)
  out.push(...(await auditOverlay(page, `${where} file upload`, click(page, '[data-test="file-upload-open"]'))))
  return out
}

// Every screen in both languages at both widths; the tabs, which share their
// screen's frame, in Chinese at 1366 px and in English at 375 px.
for (const lang of ['zh', 'en']) {
  for (const width of [1366, 375]) {
    const tabs = (lang === 'zh') === (width === 1366)
    test(`no critical or serious axe-core violation on any screen${tabs ? ' and tab' : ''}, ${lang} at ${width} px`, async () => {
      const found = []
      // the login page, logged out
      const anon = await open(null, lang, width)
      await anon.page.reload()
      await settle(anon.page)
      found.push(...(await audit(anon.page, `${lang} ${width} login`)))
      await anon.ctx.close()

      const manager = await open({ name: '孙丽', password: server.demoPassword }, lang, width)
      const admin = await open(ADMIN, lang, width)
      if (!ids.deal) {
        const deals = await getAs(manager.page, server.base, '/opportunities?status=open&limit=20')
        const deal = deals.items.find((d) => d.account_id) || deals.items[0]
        ids.deal = deal.id
        ids.account = deal.account_id
        const kn = await getAs(manager.page, server.base, '/knowledge?limit=1')
        ids.knowledge = kn.items[0].id
        // a deal at its winning stage, with a contract (the demo's 电子政务外网)
        const open = await getAs(admin.page, server.base, '/opportunities?status=open&playbook=ruijie-6&stage=contract&limit=20')
        ids.winning = open.items[0].id
      }
      const seen = charts.seen
      for (const s of screens()) {
        const page = s.as === 'admin' ? admin.page : manager.page
        found.push(...(await visit(page, s, `${lang} ${width} ${s.name}`, tabs, lang)))
      }
      assert.ok(charts.seen - seen >= (tabs ? 8 : 3), `the dashboard's and the reports' charts were seen (${charts.seen - seen})`)
      found.push(...(await dialogs(manager.page, admin.page, `${lang} ${width}`)))
      await manager.ctx.close()
      await admin.ctx.close()
      assert.equal(found.length, 0, `${found.length} critical or serious violation(s) or unnamed chart(s):\n` + found.join('\n'))
    })
  }
}
