// Documents (文档) in the browser: on a deal's Documents tab the templates are
// grouped by kind; the visit letter (拜访函) previews with the customer's name
// and downloads as a PDF, a Word file, an HTML page or Markdown
// (Content-Disposition: attachment); the quotation document reads the
// accepted quotation's lines. In the admin's Templates tab the visit letter is
// edited: a broken tag shows its line and column (saving it moves the cursor
// there), a misspelt name is saved with a warning, and the company's version 1
// is listed, then the built-in text restored from the history as version 2. On a phone, in English, the tab works without the page scrolling
// sideways.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, login, field, shot, ADMIN, must, until } from './server.js'

let server, chrome
const ids = {}
const ACCOUNT = '东湖市水务集团'

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const acc = await must(await server.api('POST', '/accounts', { name: ACCOUNT }), 201)
  ids.deal = (await must(await server.api('POST', '/opportunities',
    { account_id: acc.id, name: '水务 ERP', amount: 11300000, playbook: 'uss-5' }), 201)).id
  // an accepted quotation, so the quotation document has lines
  let q = await must(await server.api('POST', `/opportunities/${ids.deal}/quotations`,
    { lines: [{ name: '软件许可', unit_price: 10000000, quantity: 1 }] }), 201)
  for (const [what, body] of [['submit'], ['status', { status: 'sent' }], ['status', { status: 'accepted' }]])
    q = await must(await server.api('POST', `/quotations/${q.id}/${what}`, body, { 'If-Match': `"${q.version}"` }), 200)
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

// The document's HTML shown in the preview under root, once it reads text.
async function previewHas(page, text, root = '[data-test="documents"]') {
  await page.locator(`${root} [data-test="doc-html"]`, { hasText: text }).waitFor()
}

// A download link answered through the page's session.
async function download(page, selector) {
  const href = await page.locator(selector).getAttribute('href')
  const res = await page.request.get(server.base + href)
  assert.equal(res.status(), 200, href)
  assert.match(res.headers()['content-disposition'] || '', /^attachment;/)
  return { href, text: await res.text() }
}

test('a deal’s documents: the visit letter previewed and downloaded, the quotation with its lines', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/opportunities/' + ids.deal)
  await page.click('#tab-files')
  await page.click('#tab-documents')
  await page.locator('[data-test="doc-hint"]', { hasText: '【】' }).waitFor()
  for (const kind of ['letter', 'proposal', 'quotation', 'contract', 'handover'])
    await page.locator(`[data-test="doc-kind-${kind}"]`).waitFor()

  await page.click('[data-test="doc-pick-letter-visit"]')
  await previewHas(page, `${ACCOUNT}：`)
  await page.locator('[data-test="doc-html"] h1', { hasText: '拜访函' }).waitFor()
  // the placeholders for the salesperson stay as they are
  await previewHas(page, '【请填写')

  const html = await download(page, '[data-test="doc-download-html"]')
  assert.match(html.href, /format=html/)
  assert.match(html.href, /lang=zh/)
  assert.match(html.text, /^<!doctype html>/)
  assert.ok(html.text.includes(ACCOUNT))
  const word = await page.locator('[data-test="doc-download-docx"]').getAttribute('href')
  assert.match(word, /format=docx/)
  const docx = await page.request.get(server.base + word)
  assert.equal(docx.status(), 200)
  assert.equal(docx.headers()['content-type'], 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
  assert.equal((await docx.body()).subarray(0, 2).toString(), 'PK')
  const pdfLink = page.locator('[data-test="doc-download-pdf"]')
  await pdfLink.filter({ hasText: '下载 PDF' }).waitFor()
  const pdfHref = await pdfLink.getAttribute('href')
  assert.match(pdfHref, /format=pdf/)
  assert.match(pdfHref, /lang=zh/)
  const pdf = await page.request.get(server.base + pdfHref)
  assert.equal(pdf.status(), 200)
  assert.equal(pdf.headers()['content-type'], 'application/pdf')
  assert.match(pdf.headers()['content-disposition'] || '', /^attachment;.*\.pdf$/)
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-')
  const md = await download(page, '[data-test="doc-download-md"]')
  assert.match(md.href, /format=markdown/)
  assert.match(md.text, /^# 拜访函/)

  // The quotation document reads the accepted quotation.
  await page.click('[data-test="doc-pick-quotation"]')
  await previewHas(page, '软件许可')
  await page.locator('[data-test="doc-html"] table').first().waitFor()
  // The other language's version, the UI staying in Chinese.
  await page.click('[data-test="doc-lang-en"]')
  await page.locator('[data-test="doc-pick-quotation"]', { hasText: '商务报价书' }).waitFor()
  await until(async () => /lang=en/.test(await page.locator('[data-test="doc-download-md"]').getAttribute('href')),
    'the download link is not in English')
  await previewHas(page, 'Quotation')
  await shot(page, 'documents-tab')
  await page.close()
})

test('the admin edits the visit letter: a syntax error at its line, a misspelt name warned, version 1 saved', async () => {
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 900 } })
  await login(page, server.base, ADMIN)
  await page.goto(server.base + '/admin?tab=templates')
  await page.locator('[data-test="tpl-source-letter-visit-zh"]', { hasText: '内置' }).waitFor()
  await page.click('[data-test="tpl-edit-letter-visit-zh"]')
  const body = field(page, 'tpl-body')
  await until(async () => (await body.inputValue()).startsWith('# 拜访函'), 'the template did not open')
  const original = await body.inputValue()
  // the live preview, on the only deal
  await page.locator('[data-test="tpl-deal"]', { hasText: '水务 ERP' }).waitFor()
  await previewHas(page, `${ACCOUNT}：`, '[data-test="tpl-preview"]')
  await page.locator('[data-test="tpl-note"]', { hasText: '内置模板' }).waitFor()

  // A section never closed: its line and column.
  await body.click()
  await page.keyboard.press('Control+End')
  await page.keyboard.type('\n{{#deal}}未闭合')
  const broken = await body.inputValue()
  const line = broken.split('\n').findIndex((l) => l.includes('{{#deal}}未闭合')) + 1
  assert.ok(line > 10)
  await page.locator('[data-test="tpl-syntax"]', { hasText: `第 ${line} 行，第 1 列` }).waitFor()
  // and why, in Chinese
  await page.locator('[data-test="tpl-syntax"]', { hasText: '区段“deal”没有结束' }).waitFor()
  await page.locator('[data-test="tpl-syntax"]', { hasText: '{{#deal}}未闭合' }).waitFor()
  // Saving it is refused and puts the cursor on that line; nothing is saved.
  await body.evaluate((ta) => ta.setSelectionRange(0, 0))
  await page.click('[data-test="tpl-save"]')
  const at = broken.indexOf('{{#deal}}未闭合')
  await until(() => body.evaluate((ta, at) => document.activeElement === ta && ta.selectionStart === at, at),
    'the cursor did not move to the error')
  assert.equal((await server.api('GET', '/templates/letter-visit?lang=zh')).json.builtin, true)

  // Fixed, with a misspelt name: it parses, the preview comes back, and saving warns about the name.
  await body.fill(original + '\n项目：{{deal.nmae}}\n')
  await page.locator('[data-test="tpl-syntax"]').waitFor({ state: 'hidden' })
  await previewHas(page, '项目：', '[data-test="tpl-preview"]')
  await page.click('[data-test="tpl-save"]')
  await page.locator('[data-test="tpl-unknown"]', { hasText: 'deal.nmae' }).waitFor()
  await page.locator('.el-message', { hasText: '已保存为第 1 版' }).waitFor()
  await page.locator('[data-test="tpl-version"]', { hasText: '公司版本 v1' }).waitFor()
  await shot(page, 'documents-template-editor')
  const saved = (await server.api('GET', '/templates/letter-visit?lang=zh')).json
  assert.equal(saved.version, 1)
  assert.equal(saved.builtin, false)
  assert.deepEqual(saved.unknown, ['deal.nmae'])

  // The built-in text restored from the history and saved: version 2, as it was.
  await page.click('[data-test="tpl-history"]')
  await page.click('[data-test="tpl-restore-0"]')
  await until(async () => (await body.inputValue()) === original,
    'the built-in text was not restored: ' + JSON.stringify((await body.inputValue()).slice(0, 80)))
  await page.click('[data-test="tpl-save"]')
  await page.locator('[data-test="tpl-version"]', { hasText: '公司版本 v2' }).waitFor()
  const back = (await server.api('GET', '/templates/letter-visit?lang=zh')).json
  assert.equal(back.version, 2)
  assert.deepEqual(back.unknown, [])
  await page.keyboard.press('Escape')

  // The list: the company's version 1 in Chinese, the built-in one still in English.
  await page.click('[data-test="tpl-back"]')
  await page.locator('[data-test="tpl-source-letter-visit-zh"]', { hasText: '公司版本 v2' }).waitFor()
  await page.locator('[data-test="tpl-source-letter-visit-en"]', { hasText: '内置' }).waitFor()
  await page.close()
})

test('on a phone in English: the Documents tab without sideways scrolling', async () => {
  const ctx = await chrome.browser.newContext({ viewport: { width: 375, height: 740 } })
  const page = await ctx.newPage()
  await login(page, server.base, ADMIN)
  await page.click('[data-test="lang"]')
  await page.goto(server.base + '/opportunities/' + ids.deal + '?tab=documents')
  await page.locator('[data-test="doc-hint"]', { hasText: 'for you to fill in' }).waitFor()
  await page.click('[data-test="doc-pick-letter-visit"]')
  await page.locator('[data-test="doc-html"] h1', { hasText: 'Request for a Meeting' }).waitFor()
  await previewHas(page, ACCOUNT)
  const wide = () => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)
  assert.equal(await wide(), false, 'the page scrolls sideways on a phone')
  await page.click('[data-test="doc-pick-quotation"]')
  await previewHas(page, '软件许可')
  assert.equal(await wide(), false, 'the quotation makes the page scroll sideways on a phone')
  assert.match(await page.locator('[data-test="doc-download-html"]').getAttribute('href'), /lang=en&format=html/)
  await page.locator('[data-test="doc-download-pdf"]', { hasText: 'Download PDF' }).waitFor()
  assert.match(await page.locator('[data-test="doc-download-pdf"]').getAttribute('href'), /lang=en&format=pdf/)
  await shot(page, 'documents-phone-en')
  await ctx.close()
})
