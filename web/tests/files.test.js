// Deal files (商机文件) and the handover (项目交接) in the browser. On a deal's
// Documents tab a PDF is uploaded as a proposal linked to a deliverable, then
// again (version 2, the first behind it); a file whose name lies about its
// content is refused with the server's message; the proposal template is
// saved to the deal as a Word file. On a won deal the salesperson fills the
// handover (commitments, the customer's project lead) once its files are in;
// the implementation user lands on the Handover tab, sees it ready, and
// acknowledges receipt; the dashboard lists it until then. At 375 px in
// English the tab works without the page scrolling sideways.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { startServer, startBrowser, login, field, shot, ADMIN, must, until } from './server.js'

let server, chrome
const ids = {}
const IMPL = { name: 'ui-impl', password: 'ui-impl-password-1' }
const dir = mkdtempSync(join(tmpdir(), 'bingfa-files-'))
const PDF = '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'

async function upload(dealId, name, category) {
  const res = await fetch(`${server.base}/api/v1/opportunities/${dealId}/documents?name=${encodeURIComponent(name)}&category=${category}`,
    { method: 'POST', headers: { Authorization: 'Bearer ' + server.token, 'Content-Type': 'application/pdf' }, body: PDF })
  assert.equal(res.status, 201, await res.text())
}

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const acc = await must(await server.api('POST', '/accounts', { name: '江北市第三人民医院' }), 201)
  ids.account = acc.id
  ids.lead = (await must(await server.api('POST', '/contacts',
    { account_id: acc.id, name: '周主任', title: '信息科主任', phone: '13700000000' }), 201)).id
  ids.deal = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '医院 HIS 升级', amount: 5600000, playbook: 'uss-5' }), 201)).id
  ids.won = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '医院无线网络', amount: 980000, playbook: 'uss-5', status: 'won' }), 201)).id
  const u = await must(await server.api('POST', '/users', { name: IMPL.name, role: 'implementation' }), 201)
  await must(await server.api('PUT', `/users/${u.id}/password`, { password: IMPL.password }), 204)
  const member = await server.api('PUT', `/opportunities/${ids.won}/team/${u.id}`, { role: 'implementation' })
  assert.ok([200, 201].includes(member.status), JSON.stringify(member.json))
  for (const [name, cat] of [['合同.pdf', 'contract'], ['服务合同.pdf', 'service_contract'],
    ['工作说明书.pdf', 'statement_of_work'], ['需求分析报告.pdf', 'needs_report'], ['方案建议书.pdf', 'proposal']])
    await upload(ids.won, name, cat)
  writeFileSync(join(dir, '售前方案.pdf'), PDF)
  writeFileSync(join(dir, '伪装.pdf'), 'MZ this is a program')
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

async function pickOption(page, select, text) {
  await page.click(`[data-test="${select}"]`)
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

async function uploadInDialog(page, file) {
  await page.click('[data-test="file-upload-open"]')
  await page.locator('[data-test="file-input"]').setInputFiles(join(dir, file))
}

test('files kept on a deal: uploaded, versioned, refused when lying, saved from a template', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/opportunities/' + ids.deal + '?tab=documents')
  await page.locator('[data-test="files-none"]').waitFor()

  await uploadInDialog(page, '售前方案.pdf')
  await pickOption(page, 'file-category', '方案建议书')
  await page.click('[data-test="file-submit"]')
  await page.locator('.el-message--success', { hasText: '已上传：售前方案.pdf（第 1 版）' }).waitFor()
  const link = page.locator('[data-test="file-售前方案.pdf"]')
  await link.waitFor()
  const res = await page.request.get(server.base + await link.getAttribute('href'))
  assert.equal(res.status(), 200)
  assert.equal((await res.body()).toString(), PDF)
  assert.match(res.headers()['content-disposition'], /^attachment;/)

  // again: version 2, the first one behind it
  await uploadInDialog(page, '售前方案.pdf')
  await page.click('[data-test="file-submit"]')
  await page.locator('.el-message--success', { hasText: '第 2 版' }).waitFor()
  await page.click('[data-test="file-earlier-售前方案.pdf"]')
  await page.locator('.el-popover a', { hasText: 'v1' }).waitFor()

  // a program named .pdf is refused, with the server's message
  await uploadInDialog(page, '伪装.pdf')
  await page.click('[data-test="file-submit"]')
  await page.locator('.el-message--error').waitFor()
  await page.click('[data-test="file-dialog"] .el-dialog__headerbtn')
  // the file chosen is not dropped without a question
  await page.locator('.bf-dirty-confirm').getByRole('button', { name: '放弃修改' }).click()
  await page.locator('[data-test="file-dialog"]').waitFor({ state: 'hidden' })

  // a template's document saved to the deal
  await page.click('[data-test="doc-pick-proposal"]')
  await page.click('[data-test="doc-save"]')
  await page.click('[data-test="doc-save-docx"]')
  await page.locator('.el-message--success', { hasText: '已保存为商机文件' }).waitFor()
  await page.locator('[data-test="files-table"] a', { hasText: '.docx' }).waitFor()
  const listed = await must(await server.api('GET', `/opportunities/${ids.deal}/documents`), 200)
  const names = listed.items.map((d) => `${d.name} v${d.version} ${d.category}`)
  assert.ok(names.includes('售前方案.pdf v2 other'), names.join(', '))
  assert.ok(names.some((n) => /\.docx v1 proposal$/.test(n)), names.join(', '))
  await shot(page, 'files-1366')
  await page.close()
})

test('a deliverable that needs a file is ticked with one uploaded from the checklist', async () => {
  const deal = await must(await server.api('POST', '/opportunities',
    { account_id: ids.account, name: '医院数据中心方案', playbook: 'uss-5', stage: 'solution' }), 201)
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/opportunities/' + deal.id)
  await page.locator('[data-test="needs-doc-solution-proposal"]', { hasText: '须附文件' }).waitFor()
  await page.click('[data-test="evidence-solution-proposal"]')
  await page.locator('[data-test="item-doc-upload-solution-proposal"]').setInputFiles(join(dir, '售前方案.pdf'))
  await page.locator('.el-message--success', { hasText: '已上传：售前方案.pdf' }).waitFor()
  await page.click('[data-test="evidence-tick-solution-proposal"]')
  await page.locator('[data-test="item-doc-solution-proposal"]', { hasText: '售前方案.pdf v1' }).waitFor()
  const c = await must(await server.api('GET', `/opportunities/${deal.id}/checklist`), 200)
  const item = c.items.find((i) => i.id === 'solution-proposal')
  assert.equal(item.done, true)
  assert.deepEqual(item.documents.map((d) => d.name), ['售前方案.pdf'])
  await shot(page, 'checklist-document-1366')
  await page.close()
})

test('a won deal’s handover: sales completes it, implementation acknowledges it', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/opportunities/' + ids.won + '?tab=handover')
  await page.locator('[data-test="handover-status"]', { hasText: '资料不全' }).waitFor()
  await page.locator('[data-test="handover-part-proposal"] a', { hasText: '方案建议书.pdf' }).waitFor()
  await field(page, 'handover-commitments').fill('免费培训两次；上线后驻场一个月')
  await pickOption(page, 'handover-lead', '周主任')
  await page.click('[data-test="handover-save"]')
  await page.locator('[data-test="handover-status"]', { hasText: '待实施接收' }).waitFor()
  await page.locator('[data-test="handover-part-project_lead"]', { hasText: '13700000000' }).waitFor()
  await shot(page, 'handover-1366')
  await page.close()

  const impl = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(impl, server.base, IMPL)
  await impl.goto(server.base + '/')
  await impl.locator(`[data-test="handover-${ids.won}"]`).click()
  await impl.locator('[data-test="handover-status"]', { hasText: '待实施接收' }).waitFor()
  await impl.click('[data-test="handover-acknowledge"]')
  await impl.locator('.el-message-box__btns .el-button--primary').click()
  await impl.locator('[data-test="handover-status"]', { hasText: '已接收' }).waitFor()
  await impl.locator('[data-test="handover-ack"]', { hasText: IMPL.name }).waitFor()
  const h = await must(await server.api('GET', `/opportunities/${ids.won}/handover`), 200)
  assert.equal(h.acknowledged_by, IMPL.name)
  await until(async () => !(await must(await server.api('GET', '/handovers'), 200)).items
    .some((w) => w.opportunity_id === ids.won), 'the acknowledged handover left the list')
  await impl.close()
})

test('on a phone, in English, the files and the handover fit the screen', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 375, height: 740 } })
  await login(page, server.base, ADMIN)
  await page.evaluate(() => localStorage.setItem('bingfa.lang', 'en'))
  await page.goto(server.base + '/opportunities/' + ids.deal + '?tab=documents')
  await page.locator('[data-test="deal-files"]', { hasText: 'Deal files' }).waitFor()
  await page.locator('[data-test="files-table"]').waitFor()
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
  assert.equal(wide, false, 'the page scrolls sideways at 375 px')
  await shot(page, 'files-375-en')
  await page.goto(server.base + '/opportunities/' + ids.won + '?tab=handover')
  await page.locator('[data-test="handover-status"]', { hasText: 'Received' }).waitFor()
  const wide2 = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
  assert.equal(wide2, false, 'the handover scrolls sideways at 375 px')
  await shot(page, 'handover-375-en')
  await page.close()
})
