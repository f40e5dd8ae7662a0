// What the list screens' tests (lists, saved views) do on a list: wait for
// it to settle, read the rows shown, choose in a select, check the width.
import assert from 'node:assert/strict'

// The list settled: no skeleton, no loading mask, rows or the empty state.
export async function settled(page, key) {
  await page.waitForFunction((k) => {
    const el = document.querySelector(`[data-test="${k}"]`)
    if (!el || el.querySelector('.el-skeleton') || el.querySelector('.el-loading-mask:not([style*="display: none"])')) return false
    return el.querySelector(`[data-test="${k}-count"], [data-test="${k}-empty"], [data-test="${k}-error"]`)
  }, key)
}

// The ids of the rows shown, in order.
export async function shownIds(page, key, rowTest) {
  return page.locator(`[data-test="${key}-table"] .el-table__body [data-test^="${rowTest}-link-"]`)
    .evaluateAll((els, p) => els.map((e) => e.dataset.test.slice(p.length)), `${rowTest}-link-`)
}

// The headers of the table shown.
export async function headers(page, key) {
  return (await page.locator(`[data-test="${key}-table"] .el-table__header th`).allInnerTexts()).map((h) => h.trim())
}

// Chooses the option with this text in the select marked data-test=test.
export async function pick(page, test, text) {
  await page.click(`[data-test="${test}"]`)
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

// The texts of the options the select marked data-test=test offers.
export async function options(page, test) {
  await page.click(`[data-test="${test}"]`)
  const list = page.locator('.el-select-dropdown:visible .el-select-dropdown__item')
  await list.first().waitFor()
  const out = (await list.allInnerTexts()).map((s) => s.trim())
  await page.keyboard.press('Escape')
  return out
}

export async function noSideScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`)
}
