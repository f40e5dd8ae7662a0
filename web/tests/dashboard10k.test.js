// The dashboard's first load with 10,000 opportunities on localhost: a
// figure recorded in the test output (ui-output/dashboard-10k.txt), not a
// timed assertion. The test asserts that the dashboard shows them all.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, startBrowser, login, shot, outDir, ADMIN } from './server.js'

const N = 10000
let server, chrome

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

// Creates n opportunities through the API, a few requests at a time.
async function createDeals(n) {
  const acc = await server.api('POST', '/accounts', { name: '万级测试客户' })
  assert.equal(acc.status, 201)
  const stages = ['problem', 'launch', 'shortlist', 'procure']
  let next = 0
  async function worker() {
    while (next < n) {
      const i = next++
      const month = String(1 + (i % 12)).padStart(2, '0')
      const r = await server.api('POST', '/opportunities', {
        account_id: acc.json.id, name: `批量商机 ${i}`, amount: 100000 + (i % 97) * 1000,
        playbook: 'ruijie-6', stage: stages[i % stages.length],
        expected_close: `2027-${month}-15`,
      })
      if (r.status !== 201) throw new Error(`deal ${i}: ${r.status} ${JSON.stringify(r.json)}`)
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
}

test('the dashboard loads 10,000 opportunities; its first load time is recorded', async () => {
  const started = Date.now()
  await createDeals(N)
  const seeded = Date.now() - started
  const page = await chrome.browser.newPage({ viewport: { width: 1366, height: 768 } })
  await login(page, server.base, ADMIN)
  // The first load: a fresh page of the dashboard, until the funnel is drawn
  // and no block is loading any more. The deals close in 2027: the dashboard
  // is asked for every close date (its default is this quarter).
  const t0 = Date.now()
  await page.goto(server.base + '/?period=all')
  await page.waitForSelector('[data-test="funnel"] canvas')
  await page.waitForFunction(() => !document.querySelector('.el-loading-mask, .el-skeleton'))
  const ms = Date.now() - t0
  const total = await page.textContent('[data-test="dashboard"]')
  assert.match(total, /10,?000|10000/, 'the dashboard counts every deal')
  await shot(page, 'dashboard-10k')
  const line = `dashboard first load with ${N} opportunities on localhost: ${ms} ms ` +
    `(seeding them over the API took ${seeded} ms)`
  writeFileSync(join(outDir, 'dashboard-10k.txt'), line + '\n')
  console.log(line)
})
