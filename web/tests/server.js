// A real bingfa server on a fresh database in a temporary directory, and a
// headless Debian chromium driven by playwright-core, for the UI tests.
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
export const webRoot = resolve(here, '..', 'dist')
export const bin = process.env.BINGFA_BIN || resolve(here, '..', '..', 'build', 'bingfa')
export const outDir = process.env.BINGFA_UI_OUT || resolve(here, '..', '..', 'build', 'ui-output')
mkdirSync(outDir, { recursive: true })

export const ADMIN = { name: 'ui-admin', password: 'ui-admin-password-1' }

export function cli(args, input) {
  return execFileSync(bin, args, { input, encoding: 'utf-8', stdio: ['pipe', 'pipe', 'pipe'] })
}

export async function startServer({ demo = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bingfa-ui-'))
  const db = join(dir, 'bingfa.db')
  const init = cli(['init', '--db', db].concat(demo ? ['--demo'] : []))
  const demoPassword = (init.match(/demo password \(every demo user\): (\S+)/) || [])[1]
  cli(['user', 'add', '--db', db, '--name', ADMIN.name, '--role', 'admin', '--password-stdin'],
    ADMIN.password + '\n')
  const proc = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--web', webRoot,
    '--access-log', join(dir, 'access.log')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  const port = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('bingfa did not start: ' + stderr)), 30000)
    proc.stderr.on('data', (chunk) => {
      stderr += chunk
      const m = stderr.match(/serving .+ on http:\/\/127\.0\.0\.1:(\d+)\//)
      if (m) {
        clearTimeout(timer)
        ok(Number(m[1]))
      }
    })
    proc.on('exit', (code) => fail(new Error(`bingfa exited ${code}: ${stderr}`)))
  })
  const base = `http://127.0.0.1:${port}`
  const token = cli(['token', 'create', '--db', db, '--user', ADMIN.name]).trim().split('\n').pop()
  return {
    base, db, dir, demoPassword, token,
    // The API as the admin, for setting up and checking what the UI did.
    async api(method, path, body, headers = {}) {
      const res = await fetch(base + '/api/v1' + path, {
        method,
        headers: { Authorization: 'Bearer ' + token,
          ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
        body: body ? JSON.stringify(body) : undefined,
      })
      const text = await res.text()
      return { status: res.status, json: text ? JSON.parse(text) : null }
    },
    async stop() {
      proc.kill('SIGTERM')
      await new Promise((ok) => proc.on('exit', ok))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

// playwright-core gives each launch a fresh, empty user data directory of
// its own (it refuses --user-data-dir in launch()); it downloads no browser.
export async function startBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  return {
    browser,
    async close() {
      await browser.close()
    },
  }
}

// The text field marked data-test=name (on the input itself, or around it).
export function field(page, name) {
  const t = `[data-test="${name}"]`
  return page.locator(`input${t}, textarea${t}, ${t} input, ${t} textarea`).first()
}

export async function login(page, base, user) {
  await page.goto(base + '/login')
  await field(page, 'login-name').fill(user.name)
  await field(page, 'login-password').fill(user.password)
  await page.click('[data-test="login-submit"]')
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

// A fresh browser context of browser (startBrowser's) logged in as user,
// in lang at width, that may download; errors collects the console's errors
// and the page's exceptions after the login.
export async function openAs(browser, base, user, { width = 1366, lang = 'zh' } = {}) {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true })
  const page = await ctx.newPage()
  const errors = []
  let armed = false
  page.on('console', (m) => {
    if (armed && m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(base + '/login')
  await page.evaluate((l) => localStorage.setItem('bingfa.lang', l), lang)
  await login(page, base, user)
  armed = true
  return { ctx, page, errors }
}

// The JSON of GET /api/v1 + path as the page's user (its session cookie),
// which must answer 200.
export async function getAs(page, base, path) {
  const res = await page.context().request.get(base + '/api/v1' + path)
  assert.equal(res.status(), 200, path + ': ' + (await res.text()))
  return res.json()
}

export async function shot(page, name) {
  await page.screenshot({ path: join(outDir, name + '.png'), fullPage: true })
}

// The JSON of an API answer that must have this status.
export async function must(res, status) {
  assert.equal(res.status, status, JSON.stringify(res.json))
  return res.json
}

// fn's first truthy answer, asked every 100 ms for 6 s; fails with what.
export async function until(fn, what) {
  for (let i = 0; i < 60; i++) {
    const v = await fn()
    if (v) return v
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(what)
}
