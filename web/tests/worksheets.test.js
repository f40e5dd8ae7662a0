// Checklists that drive the work, in the browser: the rehearsal before a
// presentation ticked item by item with a note in the activity's editor
// (1366 px, Chinese); the proposal's review against yonyou-7's eleven common
// defects on a phone, in English, until it passes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, field, shot, ADMIN, must, until } from './server.js'

let server, chrome
const ids = {}



before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const acc = await must(await server.api('POST', '/accounts', { name: '华东重工集团' }), 201)
  ids.huayu = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '集团 ERP 方案汇报', playbook: 'huayu-5' }), 201)).id
  ids.act = (await must(await server.api('POST', '/activities',
    { opportunity_id: ids.huayu, type: 'presentation', subject: '向集团高层汇报方案' }), 201)).id
  ids.yonyou = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '财务共享方案', playbook: 'yonyou-7', stage: 'design' }), 201)).id
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

test("a presentation's rehearsal is ticked in the activity's editor", async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/activities?opportunity_id=' + ids.huayu)
  await page.locator('[data-test="act-edit"]').first().click()
  await page.locator('[data-test="act-checklist"]').waitFor()
  const list = (await server.api('GET', `/activities/${ids.act}/checklist`)).json
  assert.equal(list.source.type, 'presentation')
  assert.match(await page.textContent('[data-test="act-checklist"]'), new RegExp(list.items[1].text.zh.slice(0, 10)))
  await field(page, 'act-note-before-2').fill('开场 8 分钟讲清投资回报')
  await page.locator('[data-test="act-tick-before-2"]').click()
  const item = await until(async () => {
    const c = (await server.api('GET', `/activities/${ids.act}/checklist`)).json
    return c.items[1].done && c.items[1]
  }, 'the tick did not reach the server')
  assert.deepEqual([item.note, item.by], ['开场 8 分钟讲清投资回报', ADMIN.name])
  await page.locator('[data-test="act-checklist-progress"]', { hasText: `1/${list.total}` }).waitFor()
  await shot(page, 'activity-checklist')
  await page.close()
})

test("a new visit carries out the stage's first key activity, whose steps join its checklist", async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  const pb = (await server.api('GET', '/playbooks/huayu-5?lang=zh')).json
  const key = pb.stages[0].activities[0] // texts in Chinese
  await page.goto(server.base + '/activities?opportunity_id=' + ids.huayu)
  await page.locator('[data-test="act-new"]').click()
  await page.locator('[data-test="act-key-activity"]', { hasText: key.name }).waitFor()
  await field(page, 'act-subject').fill('拜访信息中心主任')
  await page.locator('[data-test="act-save"]').click()
  const act = await until(async () => {
    const l = (await server.api('GET', `/activities?opportunity_id=${ids.huayu}&type=visit`)).json
    return l.items.find((a) => a.subject === '拜访信息中心主任')
  }, 'the visit was not saved')
  assert.equal(act.key_activity, key.id)
  await page.locator(`[data-test="act-${act.id}"] [data-test="act-edit"]`).click()
  await page.locator('[data-test="act-key"]').waitFor()
  assert.match(await page.textContent('[data-test="act-key"]'), new RegExp(key.name))
  assert.match(await page.textContent('[data-test="act-item-key-during-1"]'), new RegExp(key.steps[0].text.slice(0, 8)))
  await page.locator('[data-test="act-tick-key-during-1"]').click()
  await until(async () => {
    const c = (await server.api('GET', `/activities/${act.id}/checklist`)).json
    return c.items.find((i) => i.id === 'key-during-1').done
  }, 'the key step was not ticked')
  await shot(page, 'activity-key-activity')
  await page.close()
})

test("a visit's own checklist items are kept apart from its purpose, an old one's moved there", async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  // An activity saved with its checklist inside the purpose, as before.
  const old = await must(await server.api('POST', '/activities', {
    opportunity_id: ids.huayu, type: 'call', subject: '电话确认参会人',
    purpose: '确认演示时间\n\n【访前准备】\n[x] 准备参会名单\n【访后跟进】\n[ ] 发送会议纪要' }), 201)
  await page.goto(server.base + '/activities?opportunity_id=' + ids.huayu)
  await page.locator(`[data-test="act-${old.id}"] [data-test="act-edit"]`).click()
  await page.locator('[data-test="act-own-draft"]').waitFor()
  await page.locator('[data-test="act-save"]').click()
  const moved = await until(async () => {
    const c = (await server.api('GET', `/activities/${old.id}/checklist`)).json
    return c.items.length === 2 && c
  }, 'the old checklist did not move')
  assert.deepEqual(moved.items.map((i) => [i.id, i.phase, i.text.zh, i.done]),
    [['own-1', 'before', '准备参会名单', true], ['own-2', 'after', '发送会议纪要', false]])
  await until(async () => (await server.api('GET', `/activities/${old.id}`)).json.purpose === '确认演示时间',
    'the purpose still holds the checklist')
  // In the editor again: an item of the team's own is added, then removed.
  await page.locator(`[data-test="act-${old.id}"] [data-test="act-edit"]`).click()
  await page.locator('[data-test="act-item-own-2"]').waitFor()
  assert.equal(await page.locator('[data-test="act-own-draft"]').count(), 0)
  await field(page, 'act-own-text-during').fill('<b>确认</b>预算口径')
  await page.locator('[data-test="act-own-add-during"]').click()
  await page.locator('[data-test="act-item-own-3"]', { hasText: '<b>确认</b>预算口径' }).waitFor()
  await page.locator('[data-test="act-own-del-own-1"]').click()
  await until(async () => {
    const c = (await server.api('GET', `/activities/${old.id}/checklist`)).json
    return c.items.map((i) => i.id).join() === 'own-2,own-3'
  }, 'the own items were not added and removed')
  // The card in the list counts the activity's checklist as the server keeps it.
  await page.reload()
  await page.locator(`[data-test="act-${old.id}"]`, { hasText: '清单 0/2' }).waitFor()
  await shot(page, 'activity-own-items')
  await page.close()
})

test("on a phone, in English: a visit's key activity and an item of the team's own", async () => {
  const ctx = await chrome.browser.newContext({ viewport: { width: 375, height: 812 } })
  const page = await ctx.newPage()
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/activities?opportunity_id=' + ids.yonyou)
  await page.click('[data-test="lang"]')
  await page.waitForFunction(() => document.body.innerText.includes('Activities'))
  const pb = (await server.api('GET', '/playbooks/yonyou-7?lang=en')).json
  const key = pb.stages.find((st) => st.id === 'design').activities[0] // texts in English
  await page.locator('[data-test="act-new"]').click()
  await page.locator('[data-test="act-key-activity"]', { hasText: key.name }).waitFor()
  await field(page, 'act-subject').fill('Design workshop')
  await page.locator('[data-test="act-save"]').click()
  const act = await until(async () => {
    const l = (await server.api('GET', `/activities?opportunity_id=${ids.yonyou}`)).json
    return l.items.find((a) => a.subject === 'Design workshop')
  }, 'the visit was not saved')
  assert.equal(act.key_activity, key.id)
  await page.locator(`[data-test="act-${act.id}"] [data-test="act-edit"]`).click()
  await page.locator('[data-test="act-key"]', { hasText: key.name }).waitFor()
  await field(page, 'act-own-text-after').fill('Send the minutes')
  await page.locator('[data-test="act-own-add-after"]').click()
  await page.locator('[data-test="act-item-own-1"]', { hasText: 'Send the minutes' }).waitFor()
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 375, 'the page scrolls sideways: ' + width)
  await shot(page, 'activity-key-activity-phone-en')
  await ctx.close()
})

test('on a phone, in English: the proposal review until it passes', async () => {
  const ctx = await chrome.browser.newContext({ viewport: { width: 375, height: 812 } })
  const page = await ctx.newPage()
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/opportunities/' + ids.yonyou)
  await page.click('[data-test="lang"]')
  await page.waitForFunction(() => document.body.innerText.includes('Proposal review'))
  await page.click('#tab-proposal-review')
  const pb = (await server.api('GET', '/playbooks/yonyou-7')).json
  assert.equal(pb.proposal_defects.length, 11)
  for (const d of pb.proposal_defects) await page.locator(`[data-test="mark-on-${d.id}"]`).click()
  await field(page, `mark-text-${pb.proposal_defects[3].id}`).fill('Added three reference cases')
  await page.click('[data-test="save-proposal-review"]')
  const form = await until(async () => {
    const f = (await server.api('GET', `/opportunities/${ids.yonyou}/proposal-review`)).json
    return f.result && f.result.passed && f
  }, 'the review did not pass')
  assert.equal(form.data.defects[pb.proposal_defects[3].id].note, 'Added three reference cases')
  await page.locator('[data-test="release-state"]', { hasText: 'ask for the release' }).waitFor()
  const wide = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(wide <= 375, `no sideways scrolling on a phone (page is ${wide} px wide)`)
  await shot(page, 'proposal-review-phone-en')
  await page.click('[data-test="lang"]')
  await ctx.close()
})
