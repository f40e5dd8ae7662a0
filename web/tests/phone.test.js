// The web app on a phone (375 px), as the demo manager (the admin screens as
// an admin), in Chinese and English: no screen scrolls sideways as a whole;
// a table wider than the screen scrolls inside a container that shows it
// does (a shadow at the edge that has more); the user menu and its logout
// are on screen and work; the account's org chart has no boxes over one
// another; the deal's perspectives keep a label column one can read.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, getAs, must, shot, ADMIN } from './server.js'

const WIDTH = 375
let server, chrome
const ids = {}
const demo = (name) => ({ name, password: server.demoPassword })

before(async () => {
  server = await startServer({ demo: true })
  chrome = await startBrowser()
  // the account with the most contacts, for its org chart
  const contacts = await must(await server.api('GET', '/contacts?limit=200'), 200)
  const under = {}
  for (const c of contacts.items) if (c.reports_to) under[c.account_id] = (under[c.account_id] || 0) + 1
  ids.orgAccount = Object.keys(under).sort((a, b) => under[b] - under[a])[0]
  assert.ok(ids.orgAccount, 'a demo account has an org chart')
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

async function open(user, lang) {
  const ctx = await chrome.browser.newContext({ viewport: { width: WIDTH, height: 800 }, isMobile: true, hasTouch: true })
  const page = await ctx.newPage()
  await page.goto(server.base + '/login')
  await page.evaluate((l) => localStorage.setItem('bingfa.lang', l), lang)
  if (user) await login(page, server.base, user)
  return { ctx, page }
}

async function settle(page) {
  await page.waitForLoadState('networkidle')
  // Element Plus marks how far a table is scrolled (is-scrolling-*) once it
  // has laid the table out, some frames after it shows: a table that never
  // gets the mark is reported below
  await page.waitForFunction(() => [...document.querySelectorAll('.el-table')].every((t) =>
    t.getClientRects().length === 0 || [...t.classList].some((c) => c.startsWith('is-scrolling-'))),
  null, { timeout: 5000 }).catch(() => {})
  await page.waitForTimeout(200)
}

function screens() {
  return [
    { name: 'dashboard', path: '/' },
    { name: 'pipeline', path: '/pipeline' },
    { name: 'deals', path: '/deals' },
    { name: 'deal', path: `/opportunities/${ids.deal}` },
    { name: 'deal-quotations', path: `/opportunities/${ids.deal}?tab=quotations` },
    { name: 'deal-selection', path: `/opportunities/${ids.deal}?tab=selection` },
    { name: 'deal-activities', path: `/opportunities/${ids.deal}?tab=activities` },
    { name: 'accounts', path: '/accounts' },
    { name: 'account', path: `/accounts/${ids.orgAccount}` },
    { name: 'contacts', path: '/contacts' },
    { name: 'activities', path: '/activities' },
    { name: 'activity-list', path: '/activities/list' },
    { name: 'approvals', path: '/approvals' },
    { name: 'reports', path: '/reports' },
    { name: 'knowledge', path: '/knowledge' },
    { name: 'knowledge-entry', path: `/knowledge/${ids.knowledge}` },
    { name: 'playbooks', path: '/playbooks' },
    { name: 'import', path: '/import' },
    { name: 'admin', path: '/admin', as: 'admin' },
  ]
}

// What is wrong with the page's width: the page scrolling sideways, or a
// table wider than its box without the shadow that says so.
async function widthProblems(page) {
  return page.evaluate(() => {
    const out = []
    const doc = document.documentElement
    if (doc.scrollWidth > window.innerWidth) out.push(`the page is ${doc.scrollWidth} px wide`)
    const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden'
    for (const table of document.querySelectorAll('.el-table')) {
      if (!shown(table)) continue
      const wrap = table.querySelector('.el-table__body-wrapper .el-scrollbar__wrap') || table.querySelector('.el-table__body-wrapper')
      if (!wrap || wrap.scrollWidth <= wrap.clientWidth + 1) continue
      const cue = getComputedStyle(table, '::after')
      const at = [...table.classList].find((c) => c.startsWith('is-scrolling-'))
      if (!(at === 'is-scrolling-left' || at === 'is-scrolling-middle') || !/gradient/.test(cue.backgroundImage) ||
          cue.display === 'none')
        out.push(`a table ${wrap.scrollWidth} px wide in ${wrap.clientWidth} px shows no sign that it scrolls (${at})`)
    }
    // tables of the app's own: inside a box that scrolls, with a cue
    for (const table of document.querySelectorAll('table')) {
      if (table.closest('.el-table') || !shown(table)) continue
      const box = table.parentElement
      if (table.offsetWidth <= box.clientWidth + 1) continue
      const style = getComputedStyle(box)
      if (!/auto|scroll/.test(style.overflowX)) out.push(`a table ${table.offsetWidth} px wide is not in a box that scrolls`)
      else if (!box.classList.contains('bf-scroll-more') || !/gradient/.test(style.backgroundImage))
        out.push('a table scrolls with no sign that it does')
    }
    return out
  })
}

test('the demo manager\'s open deal and a knowledge entry, to visit', async () => {
  const { ctx, page } = await open(demo('孙丽'), 'zh')
  const deals = await getAs(page, server.base, '/opportunities?status=open&limit=20')
  ids.deal = (deals.items.find((d) => d.account_id) || deals.items[0]).id
  ids.knowledge = (await getAs(page, server.base, '/knowledge?limit=1')).items[0].id
  await ctx.close()
})

for (const lang of ['zh', 'en']) {
  test(`at 375 px, ${lang}: no screen scrolls sideways; a wide table shows that it scrolls`, async () => {
    const problems = []
    const anon = await open(null, lang)
    await anon.page.reload()
    await settle(anon.page)
    problems.push(...(await widthProblems(anon.page)).map((p) => 'login: ' + p))
    await anon.ctx.close()
    const manager = await open(demo('孙丽'), lang)
    const admin = await open(ADMIN, lang)
    for (const s of screens()) {
      const page = s.as === 'admin' ? admin.page : manager.page
      await page.goto(server.base + s.path)
      await settle(page)
      problems.push(...(await widthProblems(page)).map((p) => `${s.name}: ${p}`))
      if (lang === 'zh') await shot(page, 'phone-' + s.name)
    }
    await manager.ctx.close()
    await admin.ctx.close()
    assert.deepEqual(problems, [])
  })

  test(`at 375 px, ${lang}: the user menu is on screen and logs out`, async () => {
    const { ctx, page } = await open(demo('孙丽'), lang)
    for (const path of ['/', `/opportunities/${ids.deal}`, '/reports']) {
      await page.goto(server.base + path)
      await settle(page)
      const who = page.locator('[data-test="who"]')
      await who.waitFor()
      const box = await who.boundingBox()
      assert.ok(box && box.x >= 0 && box.x + box.width <= WIDTH && box.width >= 24 && box.height >= 24,
        `${path}: the user menu at ${JSON.stringify(box)}`)
      // nothing covers it
      const top = await page.evaluate(({ x, y }) => !!document.elementFromPoint(x, y)?.closest('[data-test="who"]'),
        { x: box.x + box.width / 2, y: box.y + box.height / 2 })
      assert.ok(top, `${path}: the user menu is covered`)
    }
    await page.locator('[data-test="who"]').click()
    const logout = page.locator('[data-test="logout"]')
    await logout.waitFor({ state: 'visible' })
    const lb = await logout.boundingBox()
    assert.ok(lb.x >= 0 && lb.x + lb.width <= WIDTH, 'the logout item on screen: ' + JSON.stringify(lb))
    await logout.click()
    await page.waitForURL(/\/login/)
    const me = await page.context().request.get(server.base + '/api/v1/me')
    assert.notEqual(me.status(), 200, 'logged out')
    await ctx.close()
  })
}

test('at 375 px: the org chart has no boxes over one another', async () => {
  const { ctx, page } = await open(demo('孙丽'), 'zh')
  await page.goto(server.base + `/accounts/${ids.orgAccount}`)
  await page.locator('[data-test="org-chart"] svg').waitFor()
  await page.waitForTimeout(600)
  const boxes = await page.evaluate(() => [...document.querySelectorAll('[data-test="org-chart"] svg path')]
    // the contacts' boxes: the filled shapes placed by a matrix (the lines are not filled)
    .filter((p) => (p.getAttribute('fill') || 'none') !== 'none' && /^matrix/.test(p.getAttribute('transform') || ''))
    .map((p) => { const r = p.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height } }))
  assert.ok(boxes.length >= 3, 'the chart has its contacts: ' + boxes.length)
  for (const b of boxes) assert.ok(b.w >= 60 && b.h >= 30, 'a box of a readable size: ' + JSON.stringify(b))
  const over = []
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]
      const b = boxes[j]
      if (a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1) over.push([a, b])
    }
  }
  await shot(page, 'phone-org-chart')
  assert.deepEqual(over, [], 'boxes over one another')
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'the page does not scroll sideways')
  await ctx.close()
})

test('at 375 px: the perspectives keep a label column of four characters at least', async () => {
  for (const lang of ['zh', 'en']) {
    const { ctx, page } = await open(demo('孙丽'), lang)
    await page.goto(server.base + `/opportunities/${ids.deal}?tab=perspectives`)
    const labels = page.locator('[data-test="perspectives"] .el-descriptions__label')
    await labels.first().waitFor()
    const narrow = await labels.evaluateAll((ls) => ls.map((l) => {
      const size = parseFloat(getComputedStyle(l).fontSize)
      return { text: l.textContent, width: l.getBoundingClientRect().width, size }
    }).filter((l) => l.width < 4 * l.size))
    assert.deepEqual(narrow, [], `${lang}: label cells narrower than four characters`)
    await ctx.close()
  }
})
