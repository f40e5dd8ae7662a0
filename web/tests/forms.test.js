// Money, dates and unsaved changes in the forms, on the demo data, as the
// demo manager in zh and en at 1366 and 375 px:
// a deal's amount typed as 50万 is understood as 500,000.00 元 and saved as
// 50,000,000 fen; nonsense is refused with examples of what is an amount;
// the deal page shows the amount in 元 with separators, the dashboard its
// sums in 万元 (¥…M in English); dates read YYYY-MM-DD;
// Esc, the X and 取消 on 新建商机 with typed text ask 放弃未保存的修改？ and
// keep the text when the answer is no; with nothing typed they close at
// once; and so does every other form that edits (a table of them, each
// typed in, then left by another tab, another page, a click outside its
// dialog or Esc, or its own button: the question comes, 继续编辑 keeps the
// text, 放弃修改 leaves; untouched it leaves at once); closing the browser's
// tab asks too.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, field, shot, must, until, openAs, ADMIN } from './server.js'

let server, chrome
let account
const ids = {}

const manager = () => ({ name: '赵强', password: server.demoPassword })
const ask = { zh: '放弃未保存的修改？', en: 'Discard your unsaved changes?' }
const keep = { zh: '继续编辑', en: 'Keep editing' }
const discard = { zh: '放弃修改', en: 'Discard' }

before(async () => {
  server = await startServer({ demo: true })
  chrome = await startBrowser()
  const list = await must(await server.api('GET', '/accounts?limit=1'), 200)
  account = list.items[0]
  // a deal of its own, at the first stage: its checklist has MANT's items and items to tick
  ids.deal = (await must(await server.api('POST', '/opportunities',
    { account_id: account.id, name: '未保存的修改测试', budget: 100000000 }), 201)).id
  const items = (await must(await server.api('GET', `/opportunities/${ids.deal}/checklist`), 200)).items
  ids.item = items.find((i) => !i.derived && i.may_tick !== false && !i.done).id
  ids.form = items.find((i) => i.framework === 'MANT').id
  ids.won = (await must(await server.api('GET', '/opportunities?status=won&limit=1'), 200)).items[0].id
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

const open = (opts) => openAs(chrome.browser, server.base, manager(), opts)

// The question about unsaved changes, if it is on the screen.
const question = (page) => page.locator('.bf-dirty-confirm')

async function answer(page, lang, button) {
  const q = question(page)
  await q.waitFor()
  assert.match(await q.textContent(), new RegExp(ask[lang].replace('?', '\\?')))
  await q.getByRole('button', { name: button[lang] }).click()
  await q.waitFor({ state: 'hidden' })
}

async function noSideScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`)
}

// The 新建商机 dialog of the account's page, opened.
async function newDealDialog(page) {
  await page.goto(server.base + '/accounts/' + account.id)
  await page.click('[data-test="opp-new"]')
  const dlg = page.locator('[data-test="quick-deal"]')
  await dlg.waitFor()
  await field(page, 'qd-name').waitFor()
  return dlg
}

for (const lang of ['zh', 'en']) {
  for (const width of [1366, 375]) {
    test(`${lang} ${width}px: 50万 is saved as 50,000,000 fen and shown as 元 on the deal, 万元 on the dashboard`, async () => {
      const { ctx, page, errors } = await open({ width, lang })
      try {
        const dlg = await newDealDialog(page)
        const name = `表单测试 ${lang} ${width}`
        await field(page, 'qd-name').fill(name)

        // nonsense is refused, with what an amount looks like
        await field(page, 'qd-amount').fill('五十万')
        await page.click('[data-test="qd-save"]')
        await dlg.locator('.el-form-item__error', { hasText: lang === 'zh' ? '无法识别的金额' : 'Not an amount' }).waitFor()
        assert.equal(await dlg.locator('[data-test="money-understood"]').count(), 0)

        await field(page, 'qd-amount').fill('50万')
        const understood = dlg.locator('[data-test="money-understood"]')
        await understood.waitFor()
        assert.equal((await understood.textContent()).trim(), lang === 'zh' ? '= 500,000.00 元' : '= ¥500,000.00')
        await dlg.locator('.el-form-item__error').waitFor({ state: 'detached' })
        await noSideScroll(page, 'the new deal dialog')
        await page.click('[data-test="qd-save"]')
        await dlg.waitFor({ state: 'hidden' })
        // saved: no question about the text that was in it
        assert.equal(await question(page).count(), 0)

        const found = await must(await server.api('GET', '/opportunities?account_id=' + account.id + '&limit=200'), 200)
        const deal = found.items.find((o) => o.name === name)
        assert.ok(deal, 'the deal was created')
        assert.equal(deal.amount, 50000000)
        await must(await server.api('PATCH', '/opportunities/' + deal.id, { expected_close: '2026-12-07' },
          { 'If-Match': `"${deal.version}"` }), 200)

        // the deal page: 元 with separators
        await page.goto(server.base + '/opportunities/' + deal.id)
        const amount = page.locator('[data-test="opp-amount-view"]')
        await amount.waitFor()
        assert.equal((await amount.textContent()).trim(), lang === 'zh' ? '500,000.00 元' : '¥500,000.00')
        await page.getByText('2026-12-07').first().waitFor()
        await noSideScroll(page, 'the deal page')

        // the dashboard: sums in 万元 / ¥…M, one decimal / two
        await page.goto(server.base + '/')
        const kpi = page.locator('[data-test="kpi-funnel"] .kpi-value')
        await kpi.waitFor()
        await until(async () => /\d/.test(await kpi.textContent()), 'the dashboard shows its sums')
        const text = (await kpi.textContent()).trim()
        assert.match(text, lang === 'zh' ? /^-?[\d,]+\.\d 万元$/ : /^-?¥[\d,]+\.\d\dM$/, text)
        await noSideScroll(page, 'the dashboard')

        // the deals list: dates YYYY-MM-DD
        await page.goto(server.base + '/deals?q=' + encodeURIComponent(name))
        const row = page.locator(`[data-test="deal-link-${deal.id}"]`)
        await row.first().waitFor()
        const dates = await page.locator('[data-test="deals-table"] .el-table__body').textContent()
        assert.doesNotMatch(dates, /\d{4}\/\d{1,2}\/\d{1,2}|\d+月\d+日/)
        await shot(page, `forms-${lang}-${width}`)
        assert.deepEqual(errors, [])
      } finally {
        await ctx.close()
      }
    })

    test(`${lang} ${width}px: Esc, the X and 取消 on 新建商机 with typed text ask and keep it`, async () => {
      const { ctx, page, errors } = await open({ width, lang })
      try {
        // nothing typed: Esc closes at once
        let dlg = await newDealDialog(page)
        await page.keyboard.press('Escape')
        await dlg.waitFor({ state: 'hidden' })
        assert.equal(await question(page).count(), 0)

        await page.click('[data-test="opp-new"]')
        await dlg.waitFor()
        await field(page, 'qd-name').fill('还没保存的商机')
        await field(page, 'qd-amount').fill('1.2亿')

        // Esc asks; 继续编辑 keeps the dialog and the text
        await page.keyboard.press('Escape')
        await answer(page, lang, keep)
        assert.ok(await dlg.isVisible())
        assert.equal(await field(page, 'qd-name').inputValue(), '还没保存的商机')
        assert.equal(await field(page, 'qd-amount').inputValue(), '1.2亿')

        // the X asks too
        await dlg.locator('.el-dialog__headerbtn').click()
        await answer(page, lang, keep)
        assert.ok(await dlg.isVisible())

        // and 取消; 放弃修改 closes it
        await dlg.locator('.el-dialog__footer .el-button').first().click()
        await answer(page, lang, discard)
        await dlg.waitFor({ state: 'hidden' })

        // reopened it is fresh, and closes without a question
        await page.click('[data-test="opp-new"]')
        await dlg.waitFor()
        assert.equal(await field(page, 'qd-name').inputValue(), '')
        await dlg.locator('.el-dialog__footer .el-button').first().click()
        await dlg.waitFor({ state: 'hidden' })
        assert.equal(await question(page).count(), 0)
        assert.deepEqual(errors, [])
      } finally {
        await ctx.close()
      }
    })
  }
}

// Every form that edits, as a user meets it: where it is (go: opens it and
// answers the field typed in), how the user leaves it (leave), and how to
// tell that the user is still there (stays) or has left (gone).
const tabActive = (page, name) => async () => (await page.locator(`#tab-${name}.is-active`).count()) === 1
const shown = (page, sel) => async () => page.locator(sel).isVisible()
const FORMS = [
  {
    name: 'a new team (admin)',
    go: async (page) => {
      await page.goto(server.base + '/admin?tab=teams')
      return field(page, 'team-name')
    },
    leave: (page) => page.click('#tab-partners'),
    stays: (page) => tabActive(page, 'teams'),
    gone: (page) => tabActive(page, 'partners'),
  },
  {
    name: 'a new channel partner (admin)',
    go: async (page) => {
      await page.goto(server.base + '/admin?tab=partners')
      return field(page, 'partner-name')
    },
    leave: (page) => page.click('[data-test="nav-accounts"]'),
    stays: (page) => async () => new URL(page.url()).pathname === '/admin',
    gone: (page) => async () => new URL(page.url()).pathname === '/accounts',
  },
  {
    name: 'a playbook pasted to import (admin)',
    go: async (page) => {
      await page.goto(server.base + '/admin?tab=import')
      return field(page, 'import-text')
    },
    leave: (page) => page.click('#tab-partners'),
    stays: (page) => tabActive(page, 'import'),
    gone: (page) => tabActive(page, 'partners'),
  },
  {
    name: 'a document template (admin)',
    go: async (page) => {
      await page.goto(server.base + '/admin?tab=templates')
      await page.click('[data-test="tpl-new"]')
      return field(page, 'tpl-body')
    },
    leave: (page) => page.click('[data-test="tpl-back"]'),
    stays: (page) => shown(page, '[data-test="tpl-editor"]'),
    gone: (page) => shown(page, '[data-test="templates-table"]'),
  },
  {
    name: "a won deal's handover",
    go: async (page) => {
      await page.goto(server.base + '/opportunities/' + ids.won + '?tab=handover')
      return field(page, 'handover-commitments')
    },
    leave: (page) => page.click('#tab-records'),
    stays: (page) => tabActive(page, 'files'),
    gone: (page) => tabActive(page, 'records'),
  },
  {
    name: "a checklist item's evidence",
    go: async (page) => {
      await page.goto(server.base + '/opportunities/' + ids.deal)
      await page.click(`[data-test="evidence-${ids.item}"]`)
      return field(page, 'evidence-text-' + ids.item)
    },
    leave: (page) => page.click(`[data-test="evidence-${ids.item}"]`),
    stays: (page) => shown(page, `[data-test="evidence-text-${ids.item}"]`),
    gone: (page) => async () => (await page.locator(`[data-test="evidence-text-${ids.item}"]`).count()) === 0,
  },
  {
    name: "the deal's competitors",
    go: async (page) => {
      await page.goto(server.base + '/opportunities/' + ids.deal + '?tab=competitors')
      return field(page, 'competitor-input')
    },
    leave: (page) => page.click('#tab-selection'),
    stays: (page) => tabActive(page, 'competitors'),
    gone: (page) => tabActive(page, 'selection'),
  },
  {
    name: "MANT's budget, a shared fact",
    go: async (page) => {
      await page.goto(server.base + '/opportunities/' + ids.deal + '?tab=mant')
      return page.locator('[data-test="tool-mant"] input[data-test="mant-budget"]')
    },
    leave: (page) => page.click('#tab-5w2p'),
    stays: (page) => tabActive(page, 'mant'),
    gone: (page) => tabActive(page, '5w2p'),
  },
  {
    name: 'a worksheet opened from the checklist, in its dialog',
    go: async (page) => {
      await page.goto(server.base + '/opportunities/' + ids.deal)
      await page.click(`[data-test="fill-${ids.form}"]`)
      return page.locator('[data-test="form-dialog-mant"] input[data-test="mant-source"]')
    },
    // a click outside it (Esc on a phone, where it fills the screen)
    leave: (page, width) => (width > 600 ? page.mouse.click(8, 450) : page.keyboard.press('Escape')),
    stays: (page) => shown(page, '[data-test="form-dialog-mant"]'),
    gone: (page) => async () => !(await page.locator('[data-test="form-dialog-mant"]').isVisible()),
  },
]

// Each form is walked in both languages and at both widths, in two of the
// four: zh at 1366 px with en at 375 px, or zh at 375 px with en at 1366 px
// (by turns), which keeps the run short.
const walks = (lang, width) => FORMS.filter((f, i) => (i % 2 === 0) === ((lang === 'zh') === (width === 1366)))

for (const lang of ['zh', 'en']) {
  for (const width of [1366, 375]) {
    test(`${lang} ${width}px: every form that edits asks before typed text is lost, and only then`, async (t) => {
      const { ctx, page, errors } = await openAs(chrome.browser, server.base, ADMIN, { width, lang })
      try {
        for (const f of walks(lang, width)) {
          await t.test(f.name, async () => {
            // untouched: it leaves without a question (in Chinese)
            let input
            if (lang === 'zh') {
              input = await f.go(page)
              await input.waitFor()
              await f.leave(page, width)
              await until(f.gone(page), `${f.name}: untouched, it did not leave`)
              assert.equal(await question(page).count(), 0, `${f.name}: asked with nothing typed`)
            }

            // typed: the question; 继续编辑 keeps the text, 放弃修改 leaves
            input = await f.go(page)
            await input.waitFor()
            const text = '3141592' // a team, a template, a budget … (no deal's budget is 3,141,592 元)
            await input.fill(text)
            await f.leave(page, width)
            await answer(page, lang, keep)
            assert.ok(await f.stays(page)(), `${f.name}: 继续编辑 did not stay`)
            assert.equal(await input.inputValue(), text)
            await f.leave(page, width)
            await answer(page, lang, discard)
            await until(f.gone(page), `${f.name}: 放弃修改 did not leave`)
          })
        }
        assert.deepEqual(errors, [])
      } finally {
        await ctx.close()
      }
    })
  }
}

test('closing the browser tab asks with typed text, not without', async () => {
  const { ctx, page } = await openAs(chrome.browser, server.base, ADMIN, { width: 1366, lang: 'zh' })
  try {
    const asked = async (p) => {
      let seen = false
      p.on('dialog', async (d) => {
        seen = d.type() === 'beforeunload'
        await d.dismiss()
      })
      await p.close({ runBeforeUnload: true })
      await until(async () => seen || p.isClosed(), 'the tab neither asked nor closed')
      return seen
    }
    await page.goto(server.base + '/admin?tab=teams')
    await field(page, 'team-name').waitFor()
    await page.click('[data-test="team-name"]')
    assert.equal(await asked(page), false, 'asked with nothing typed')

    const typed = await ctx.newPage()
    await typed.goto(server.base + '/admin?tab=teams')
    await field(typed, 'team-name').fill('华东大区')
    assert.equal(await asked(typed), true, 'closed with typed text without asking')
  } finally {
    await ctx.close()
  }
})
