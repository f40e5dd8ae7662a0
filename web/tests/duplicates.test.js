// 撞单 in the forms, through the real server: a salesperson typing the name of
// a customer someone else owns sees a warning with the owner's name and no
// link (nor the account's id anywhere on the page), in Chinese at 1366 px and
// in English at 375 px; a credit code that is not one is said on its field
// (while typing and by the server on save); the same credit code warns; the
// account saved anyway tells the warning again and exists; the admin, who
// sees the other account, gets a link to it; the new deal form warns of a
// deal of the same name on the account.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, startBrowser, must, shot, openAs, getAs, field, ADMIN } from './server.js'

let server, chrome
const ids = {}
const ANN = { name: '撞单甲', password: 'dupes-ann-password-1' }
const BOB = { name: '撞单乙', password: 'dupes-bob-password-1' }
const CODE = '91350100M000100Y43'

before(async () => {
  server = await startServer()
  chrome = await startBrowser()
  const east = await must(await server.api('POST', '/teams', { name: '撞单华东' }), 201)
  const west = await must(await server.api('POST', '/teams', { name: '撞单华西' }), 201)
  for (const [user, team] of [[ANN, east], [BOB, west]]) {
    const u = await must(await server.api('POST', '/users', { name: user.name, role: 'sales', team_id: team.id }), 201)
    ids[user.name] = u.id
    await must(await server.api('PUT', `/users/${u.id}/password`, { password: user.password }), 204)
  }
  ids.bobAcc = (await must(await server.api('POST', '/accounts',
    { name: '江南市第一人民医院（撞单）', credit_code: CODE, owner_id: ids[BOB.name] }), 201)).id
  ids.annAcc = (await must(await server.api('POST', '/accounts',
    { name: '滨江制造集团', owner_id: ids[ANN.name] }), 201)).id
  ids.annDeal = (await must(await server.api('POST', '/opportunities',
    { account_id: ids.annAcc, name: '门诊楼无线网络', owner_id: ids[ANN.name] }), 201)).id
})

after(async () => {
  await chrome?.close()
  await server?.stop()
})

const open = (user, opts) => openAs(chrome.browser, server.base, user, opts)

async function noSideScroll(page, what) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(wide <= 1, `${what} scrolls sideways by ${wide}px`)
}

async function newAccountForm(page) {
  await page.goto(server.base + '/accounts')
  await page.click('[data-test="account-new"]')
  await field(page, 'account-name').waitFor()
}

for (const [lang, width] of [['zh', 1366], ['en', 375]]) {
  test(`a salesperson typing someone else's customer sees its owner, no link (${lang}, ${width} px)`, async () => {
    const zh = lang === 'zh'
    const { ctx, page, errors } = await open(ANN, { lang, width })
    await newAccountForm(page)
    // typed differently: spaces, half-width brackets
    await field(page, 'account-name').fill(' 江南市第一人民医院 (撞单) ')
    const alert = page.locator('[data-test="dup-alert"]')
    await alert.waitFor() // after a pause in typing, without leaving the field
    assert.match(await alert.locator('.el-alert__title').innerText(),
      zh ? /可能与已有客户重复/ : /may duplicate an existing account/)
    assert.equal(await alert.locator('[data-test="dup-alert-name"]').innerText(), '江南市第一人民医院（撞单）')
    assert.equal(await alert.locator('[data-test="dup-alert-owner"]').innerText(), zh ? `负责人：${BOB.name}` : `Owner: ${BOB.name}`)
    assert.equal(await alert.locator('a').count(), 0, 'no link to an account Ann may not see')
    assert.ok(!(await page.content()).includes(ids.bobAcc), "the hidden account's id is nowhere on the page")
    await noSideScroll(page, 'the form with the warning')
    await shot(page, `duplicates-account-${width}-${lang}`)

    // another name: the warning goes
    const name = zh ? '撞单测试新客户' : '撞单测试新客户 EN'
    await field(page, 'account-name').fill(name)
    await alert.waitFor({ state: 'detached' })
    // a credit code that is not one: said on its field when it is left
    await field(page, 'account-credit-code').fill('91350100M000100Y44')
    await field(page, 'account-credit-code').blur()
    const item = page.locator('[data-test="account-credit-code-item"]')
    await item.locator('.el-form-item__error').waitFor()
    assert.match(await item.locator('.el-form-item__error').innerText(), zh ? /统一社会信用代码无效/ : /Not a valid unified social credit code/)
    // and by the server, on save
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/accounts') && r.request().method() === 'POST'),
      page.click('[data-test="account-save"]'),
    ])
    await item.locator('.el-form-item__error').waitFor()
    assert.match(await item.locator('.el-form-item__error').innerText(), zh ? /统一社会信用代码无效/ : /credit_code/)
    // Bob's customer's code (typed in lower case): the warning says why
    await field(page, 'account-credit-code').fill(CODE.toLowerCase())
    await alert.waitFor()
    assert.equal(await item.locator('.el-form-item__error').count(), 0)
    assert.match(await alert.innerText(), zh ? /信用代码相同/ : /Same credit code/)
    // (the first run's account, Ann's own, has the code too: that one has a link)
    const owners = await alert.locator('[data-test="dup-alert-owner"]').allInnerTexts()
    assert.ok(owners.includes(zh ? `负责人：${BOB.name}` : `Owner: ${BOB.name}`), owners.join())
    assert.ok(!(await page.content()).includes(ids.bobAcc), "the hidden account's id is nowhere on the page")
    // saved anyway: the answer's warning is told once more, and the account exists
    await page.click('[data-test="account-save"]')
    const notice = page.locator('[data-test="dup-notice"]')
    await notice.waitFor()
    assert.match(await notice.innerText(), new RegExp(`江南市第一人民医院（撞单）.*${BOB.name}`))
    const mine = await getAs(page, server.base, '/accounts?q=' + encodeURIComponent(name))
    assert.equal(mine.items.length, 1)
    assert.equal(mine.items[0].credit_code, CODE)
    assert.equal(mine.items[0].owner, ANN.name)
    // the console's only error is the refused save's 422
    assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), [])
    await ctx.close()
  })
}

test('the admin, who sees the other account, gets a link to it', async () => {
  const { ctx, page, errors } = await open(ADMIN)
  await newAccountForm(page)
  await field(page, 'account-name').fill('江南市第一人民医院【撞单】')
  await field(page, 'account-name').blur()
  const alert = page.locator('[data-test="dup-alert"]')
  await alert.waitFor()
  const link = alert.locator('[data-test="dup-alert-link"]').first()
  assert.equal(await link.getAttribute('href'), '/accounts/' + ids.bobAcc)
  assert.equal(await link.innerText(), '江南市第一人民医院（撞单）')
  assert.equal(await link.getAttribute('target'), '_blank', 'the form stays open')
  assert.deepEqual(errors, [])
  await ctx.close()
})

test('editing an account checks only a changed name, leaving the account itself out', async () => {
  const { ctx, page, errors } = await open(ANN)
  await page.goto(server.base + '/accounts/' + ids.annAcc)
  await page.click('[data-test="account-edit"]')
  await field(page, 'account-name').waitFor()
  await field(page, 'account-name').fill('滨江制造集团 ')
  await field(page, 'account-name').blur()
  await page.waitForTimeout(800)
  assert.equal(await page.locator('[data-test="dup-alert"]').count(), 0, 'the account is no duplicate of itself')
  await field(page, 'account-name').fill('江南市第一人民医院(撞单)')
  await page.locator('[data-test="dup-alert"]').waitFor()
  assert.deepEqual(errors, [])
  await ctx.close()
})

for (const [lang, width] of [['zh', 1366], ['en', 375]]) {
  test(`the new deal form warns of a deal of the same name on the account (${lang}, ${width} px)`, async () => {
    const zh = lang === 'zh'
    const { ctx, page, errors } = await open(ANN, { lang, width })
    await page.goto(server.base + '/accounts/' + ids.annAcc)
    // the account's 新建商机: the one new-deal dialog, for this account
    await page.click('[data-test="opp-new"]')
    await page.locator('[data-test="qd-account-fixed"]', { hasText: '滨江制造集团' }).waitFor()
    await field(page, 'qd-name').fill('门诊楼 无线网络')
    const alert = page.locator('[data-test="quick-deal"] [data-test="dup-alert"]')
    await alert.waitFor()
    assert.match(await alert.locator('.el-alert__title').innerText(), zh ? /已有同名商机/ : /already has a deal of this name/)
    const hrefs = await alert.locator('[data-test="dup-alert-link"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
    assert.ok(hrefs.includes('/opportunities/' + ids.annDeal), hrefs.join())
    assert.equal(await alert.locator('[data-test="dup-alert-owner"]').first().innerText(), zh ? `负责人：${ANN.name}` : `Owner: ${ANN.name}`)
    await noSideScroll(page, 'the deal form')
    await shot(page, `duplicates-deal-${width}-${lang}`)
    const before = await getAs(page, server.base, '/opportunities?account_id=' + ids.annAcc)
    await page.click('[data-test="qd-save"]')
    await page.waitForURL(/\/opportunities\/opp_/)
    await page.locator('[data-test="dup-notice"]').waitFor()
    assert.match(await page.locator('[data-test="dup-notice"]').innerText(), /门诊楼无线网络/)
    const after = await getAs(page, server.base, '/opportunities?account_id=' + ids.annAcc)
    assert.equal(after.items.length, before.items.length + 1)
    assert.deepEqual(errors, [])
    await ctx.close()
  })
}
