// The forms take their limits and choices from the API's declared bodies
// (GET /api/v1/openapi.json), not from numbers of their own: the 5W+2P
// answers, the MANT needs and the tender's procurement methods in the
// browser match the document, at 1366 px and on a phone, in Chinese and
// English.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, ADMIN, shot } from './server.js'

let server, chrome, doc
const ids = {}

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  doc = (await server.api('GET', '/openapi.json')).json
  const acc = await server.api('POST', '/accounts', { name: '江南市第二人民医院' })
  assert.equal(acc.status, 201)
  const opp = await server.api('POST', '/opportunities',
    { account_id: acc.json.id, name: '住院部网络改造', amount: 30000000 })
  assert.equal(opp.status, 201)
  ids.opp = opp.json.id
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

// The declared schema at a property path of a component (a.b, x[] for items).
function declared(name, path) {
  const deref = (n) => (n && n.$ref ? doc.components.schemas[n.$ref.split('/').pop()] : n)
  let node = deref(doc.components.schemas[name])
  for (const part of path.split('.')) {
    const key = part.replace('[]', '')
    node = deref(node.properties[key])
    if (part.endsWith('[]')) node = deref(node.items)
  }
  return node
}

async function openTab(page, text) {
  await page.goto(server.base + '/opportunities/' + ids.opp)
  await page.locator('.el-tabs__item', { hasText: text }).first().click()
}

test('5W+2P and MANT inputs carry the declared maxlength', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 768 } })
  await login(page, server.base, ADMIN)
  await openTab(page, '5W+2P')
  const motive = page.locator('textarea[data-test="w-motive"], [data-test="w-motive"] textarea').first()
  await motive.waitFor()
  const want = declared('W5p2Form', 'motive').maxLength
  assert.ok(want > 0)
  for (let i = 0; i < 50 && (await motive.getAttribute('maxlength')) === null; i++)
    await new Promise((r) => setTimeout(r, 100))
  assert.equal(Number(await motive.getAttribute('maxlength')), want)

  await openTab(page, 'MANT')
  const need = page.locator('input[placeholder="需求 1"]').first()
  await need.waitFor()
  assert.equal(Number(await need.getAttribute('maxlength')), declared('MantForm', 'needs[]').maxLength)
  await shot(page, 'limits-mant')
  await page.close()
})

test('on a phone, in English: the procurement methods are the declared ones', async () => {
  const ctx = await chrome.browser.newContext({ viewport: { width: 375, height: 740 } })
  const page = await ctx.newPage()
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/opportunities/' + ids.opp)
  await page.click('[data-test="lang"]')
  await page.goto(server.base + '/opportunities/' + ids.opp)
  await page.click('#tab-compete')
  await page.click('#tab-tender')
  // the tender's own select (the worksheets of other tabs hold selects too)
  await page.locator('[data-test="tool-tender"] .el-select').first().click()
  const options = page.locator('.el-select-dropdown__item:visible')
  await options.first().waitFor()
  const want = declared('TenderForm', 'procurement_method').enum
  assert.equal(await options.count(), want.length)
  const wide = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(wide <= 375, `no sideways scrolling on a phone (page is ${wide} px wide)`)
  await shot(page, 'limits-tender-phone-en')
  await page.click('[data-test="lang"]')
  await ctx.close()
})
