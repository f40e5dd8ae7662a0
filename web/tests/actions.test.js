// Only the actions a user may take are offered: a channel partner (钱伟) and a
// salesperson on a colleague's deal see no button the server would refuse,
// the owner sees them; the pipeline's → asks before a deal moves (and the
// server still checks the exit criteria); at 1366 px the menu shows every
// item on every load, never "···"; a deal's page highlights 商机. In Chinese
// and English, at 1366 and 375 px.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, openAs, shot, must, until, ADMIN } from './server.js'

let server, chrome
const ids = {}
const OWNER = { name: '赵销售', password: 'sales-password-1' }
const OTHER = { name: '李销售', password: 'sales-password-2' }
const PARTNER = { name: '钱伟', password: 'partner-password-1' }

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const team = await must(await server.api('POST', '/teams', { name: '华东', share_deals: true }), 201)
  const partner = await must(await server.api('POST', '/partners', { name: '金桥渠道' }), 201)
  for (const [user, role] of [[OWNER, 'sales'], [OTHER, 'sales'], [PARTNER, 'partner']]) {
    const body = role === 'partner' ? { name: user.name, role, partner_id: partner.id }
      : { name: user.name, role, team_id: team.id }
    const u = await must(await server.api('POST', '/users', body), 201)
    ids[user.name] = u.id
    await must(await server.api('PUT', `/users/${u.id}/password`, { password: user.password }), 204)
  }
  const acc = await must(await server.api('POST', '/accounts', { name: '滨江制造集团', owner_id: ids[OWNER.name] }), 201)
  ids.account = acc.id
  ids.deal = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '园区网络改造', playbook: 'ruijie-6', owner_id: ids[OWNER.name], amount: 50000000 }), 201)).id
  await must(await server.api('PUT', `/opportunities/${ids.deal}/partners/${partner.id}`), 201)
  ids.contact = (await must(await server.api('POST', '/contacts', { account_id: acc.id, name: '周处长' }), 201)).id
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

const DEAL_BUTTONS = ['opp-edit', 'close-lost', 'close-abandoned', 'advance', 'opp-transfer']

// Which of the deal page's action buttons are shown.
async function dealButtons(page) {
  await page.goto(server.base + '/opportunities/' + ids.deal)
  await page.waitForSelector('[data-test="opp-title"]')
  await page.waitForSelector('[data-test="checklist"], .advance, .el-alert', { timeout: 10000 }).catch(() => {})
  await page.waitForTimeout(300)
  const shown = []
  for (const b of DEAL_BUTTONS.concat(['close-won', 'reopen', 'opp-plan-visit'])) {
    if (await page.locator(`[data-test="${b}"]`).count()) shown.push(b)
  }
  return shown
}

async function noSidewaysScroll(page, width) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(wide <= width, `no sideways scrolling (page is ${wide} px wide)`)
}

for (const [width, lang] of [[1366, 'zh'], [375, 'en']]) {
  test(`a partner sees no deal button it may not use (${width} px, ${lang})`, async () => {
    const { ctx, page, errors } = await openAs(chrome.browser, server.base, PARTNER, { width, lang })
    try {
      assert.deepEqual(await dealButtons(page), ['opp-plan-visit'], 'a partner logs activities only')
      await shot(page, `actions-partner-deal-${width}-${lang}`)
      if (width === 375) await noSidewaysScroll(page, width)
      // its account: contacts are added and edited, never deleted; the account is not changed
      await page.goto(server.base + '/accounts/' + ids.account)
      await page.waitForSelector('[data-test="account-title"]')
      await page.waitForSelector('[data-test="contact-edit"]')
      assert.equal(await page.locator('[data-test="account-edit"]').count(), 0)
      assert.equal(await page.locator('[data-test="opp-new"]').count(), 0)
      assert.equal(await page.locator('[data-test="contact-new"]').count(), 1)
      assert.equal(await page.locator('[data-test="contact-delete"]').count(), 0)
      // the pipeline card has no →, and cannot be dragged
      await page.goto(server.base + '/pipeline?playbook=ruijie-6')
      await page.waitForSelector(`[data-test="card-${ids.deal}"]`)
      assert.equal(await page.locator(`[data-test="advance-${ids.deal}"]`).count(), 0)
      assert.equal(await page.getAttribute(`[data-test="card-${ids.deal}"]`, 'draggable'), 'false')
      assert.deepEqual(errors, [])
    } finally {
      await ctx.close()
    }
  })
}

for (const [width, lang] of [[1366, 'en'], [375, 'zh']]) {
  test(`a salesperson on a colleague's deal may not transfer it; the owner has every button (${width} px, ${lang})`, async () => {
    const other = await openAs(chrome.browser, server.base, OTHER, { width, lang })
    const owner = await openAs(chrome.browser, server.base, OWNER, { width, lang })
    const admin = await openAs(chrome.browser, server.base, ADMIN, { width, lang })
    try {
      const asOther = await dealButtons(other.page)
      assert.ok(!asOther.includes('opp-transfer'), 'no transfer for a colleague')
      assert.ok(asOther.includes('opp-edit'), 'the team shares its deals: a colleague may change it')
      const asOwner = await dealButtons(owner.page)
      for (const b of ['opp-edit', 'close-lost', 'close-abandoned', 'advance', 'opp-plan-visit'])
        assert.ok(asOwner.includes(b), `the owner has ${b}: ${asOwner}`)
      assert.ok(!asOwner.includes('opp-transfer'), 'a salesperson transfers nothing')
      assert.ok(!asOwner.includes('close-won'), 'won only at the winning stage')
      assert.ok((await dealButtons(admin.page)).includes('opp-transfer'))
      await shot(owner.page, `actions-owner-deal-${width}-${lang}`)
      assert.deepEqual(other.errors.concat(owner.errors, admin.errors), [])
    } finally {
      await other.ctx.close()
      await owner.ctx.close()
      await admin.ctx.close()
    }
  })
}

for (const [width, lang] of [[1366, 'zh'], [375, 'en']]) {
  test(`the pipeline's → asks before a deal moves, and the gate is still checked (${width} px, ${lang})`, async () => {
    const { ctx, page, errors } = await openAs(chrome.browser, server.base, OWNER, { width, lang })
    try {
      const before = (await server.api('GET', '/opportunities/' + ids.deal)).json
      await page.goto(server.base + '/pipeline?playbook=ruijie-6')
      const arrow = page.locator(`[data-test="advance-${ids.deal}"]`)
      await arrow.click()
      const text = page.locator('[data-test="advance-confirm-text"]')
      await text.waitFor()
      const said = await text.textContent()
      assert.ok(said.includes('园区网络改造'), said)
      assert.ok(lang === 'zh' ? said.includes('推进到') : said.includes('Move'), said)
      // before the click it tells what the gate out of the stage still lacks: the deal's checklist's
      // unmet exit criteria and deliverables, and its decisions not answered yes, in that order
      const lacks = page.locator('[data-test="advance-confirm-unmet"]')
      await lacks.waitFor()
      const unmetNow = async () => {
        const c = (await server.api('GET', `/opportunities/${ids.deal}/checklist`)).json
        return { items: c.items, ids: c.items.filter((i) => i.gate && !i.done).map((i) => i.id)
          .concat(c.decisions.filter((d) => d.answer !== 'yes').map((d) => d.id)) }
      }
      const listed = () => lacks.locator('li').evaluateAll((ls) => ls.map((l) => l.dataset.test.replace('advance-lack-', '')))
      const unmet = await unmetNow()
      assert.ok(unmet.ids.length > 1, 'the new deal meets nothing yet')
      assert.deepEqual(await listed(), unmet.ids)
      const lacksText = await lacks.textContent()
      for (const i of unmet.items.filter((x) => unmet.ids.includes(x.id))) {
        assert.ok(lacksText.includes(i.text[lang]), i.id)
        // a deliverable is called one (Ruijie's are exit criteria of kind deliverable)
        const kind = [i.type, i.kind].includes('deliverable') ? { zh: '交付物', en: 'Deliverable' } : { zh: '出口标准', en: 'Exit criterion' }
        assert.ok((await lacks.locator(`[data-test="advance-lack-${i.id}"] .el-tag`).textContent()).includes(kind[lang]), i.id)
      }
      assert.ok(lacksText.includes(lang === 'zh' ? `还缺以下 ${unmet.ids.length} 项` : `still lacks ${unmet.ids.length} items`), lacksText)
      assert.equal(await lacks.locator('[data-test="advance-confirm-open"]').getAttribute('href'), '/opportunities/' + ids.deal)
      await page.waitForTimeout(400) // the dialog's entrance
      await shot(page, `actions-pipeline-confirm-${width}-${lang}`)
      if (width === 375) await noSidewaysScroll(page, width)
      await page.click('[data-test="advance-cancel"]')
      await text.waitFor({ state: 'hidden' })
      await page.waitForTimeout(300)
      const kept = (await server.api('GET', '/opportunities/' + ids.deal)).json
      assert.equal(kept.stage, before.stage, 'cancelled: the deal stays')
      assert.equal(kept.version, before.version, 'cancelled: nothing written')
      // an item met meanwhile (by someone else) is no longer listed when it is asked again
      const met = unmet.items.find((i) => unmet.ids.includes(i.id) && !i.derived && i.type === 'criterion')
      await must(await server.api('PUT', `/opportunities/${ids.deal}/checklist/${met.id}`, { done: true, evidence: '已核实' }), 200)
      await arrow.click()
      await lacks.waitFor()
      await until(async () => (await listed()).length === unmet.ids.length - 1, 'the met item is still listed')
      assert.deepEqual(await listed(), unmet.ids.filter((x) => x !== met.id))
      await page.click('[data-test="advance-cancel"]')
      await text.waitFor({ state: 'hidden' })
      // confirmed: the server checks the exit criteria, unmet here
      await arrow.click()
      await text.waitFor()
      await page.click('[data-test="advance-go"]')
      await page.locator('[data-test="gate-unmet"]').waitFor()
      assert.equal((await server.api('GET', '/opportunities/' + ids.deal)).json.stage, before.stage)
      // the browser logs the refused advance (409 gate_unmet), which the gate dialog answers
      assert.deepEqual(errors.filter((e) => !e.includes('409')), [])
    } finally {
      await ctx.close()
    }
  })
}

test('dragging a card to the next stage asks the same', async () => {
  const { ctx, page } = await openAs(chrome.browser, server.base, OWNER, { width: 1366, lang: 'zh' })
  try {
    await page.goto(server.base + '/pipeline?playbook=ruijie-6')
    await page.dragAndDrop(`[data-test="card-${ids.deal}"]`, '[data-test="stage-launch"]')
    await page.locator('[data-test="advance-confirm-text"]').waitFor()
    await page.click('[data-test="advance-cancel"]')
  } finally {
    await ctx.close()
  }
})

for (const lang of ['zh', 'en']) {
  test(`at 1366 px the menu shows every item on 20 loads, no "···" (${lang})`, async () => {
    const { ctx, page, errors } = await openAs(chrome.browser, server.base, ADMIN, { width: 1366, lang })
    try {
      for (let i = 0; i < 20; i++) {
        await page.goto(server.base + (i % 2 ? '/opportunities/' + ids.deal : '/'))
        await page.waitForSelector('[data-test="nav-deals"]')
        await page.waitForTimeout(i === 0 ? 300 : 60)
        const m = await page.evaluate(() => {
          const nav = document.querySelector('[data-test="nav"]')
          const r = nav.getBoundingClientRect()
          const items = [...nav.querySelectorAll(':scope > .el-menu-item')]
          return {
            items: items.length,
            more: nav.querySelectorAll(':scope > .el-sub-menu').length,
            hidden: items.filter((e) => { const b = e.getBoundingClientRect(); return b.width === 0 || b.right > r.right + 0.5 }).length,
            overflow: nav.scrollWidth - nav.clientWidth,
          }
        })
        // the admin's menu: dashboard … knowledge, import, admin
        assert.deepEqual(m, { items: 11, more: 0, hidden: 0, overflow: 0 }, `load ${i + 1}`)
      }
      assert.deepEqual(errors, [])
    } finally {
      await ctx.close()
    }
  })
}

for (const [width, lang] of [[1366, 'zh'], [1366, 'en'], [375, 'zh']]) {
  test(`a deal's page highlights 商机, an account's 客户 (${width} px, ${lang})`, async () => {
    const { ctx, page } = await openAs(chrome.browser, server.base, OWNER, { width, lang })
    try {
      await page.goto(server.base + '/opportunities/' + ids.deal)
      await page.waitForSelector('[data-test="opp-title"]')
      if (width >= 1366) {
        await page.locator('[data-test="nav-deals"].is-active').waitFor()
        assert.equal(await page.locator('[data-test="nav-deals"]').textContent(), lang === 'zh' ? '商机' : 'Deals')
      } else {
        // folded into "···": the fold is marked active, and so is 商机 within it
        await page.locator('[data-test="nav"] > .el-sub-menu.is-active, [data-test="nav-deals"].is-active').first().waitFor()
      }
      await page.goto(server.base + '/accounts/' + ids.account)
      await page.waitForSelector('[data-test="account-title"]')
      if (width >= 1366) await page.locator('[data-test="nav-accounts"].is-active').waitFor()
      assert.equal(await page.locator('[data-test="nav"] .el-menu-item.is-active').count() <= 1, true)
    } finally {
      await ctx.close()
    }
  })
}
