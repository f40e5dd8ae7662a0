// The money and date parsers and formats of the web app (src/util), in plain
// node: no server, no browser.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseMoney, parseYuan, fmtMoney, fmtMoneyDiff, fmtWan, yuan, fenToYuanInput } from '../src/util/money.js'
import { fmtDate, fmtTime, fmtDay, fmtDayTime, weekday, todayChina } from '../src/util/format.js'

test('money as people type it is parsed to fen exactly', () => {
  const cases = {
    '50万': 50000000, '50 万元': 50000000, '500万元': 500000000, '5,000,000': 500000000,
    '5000000.5': 500000050, '￥5,000': 500000, '¥5,000': 500000, '1.2亿': 12000000000,
    '0.29': 29, '0.1': 10, '1.15': 115, '4.35': 435, '1.005万': 1005000, '１２３': 12300,
    '50，000': 5000000, 'RMB 300': 30000, '2.5M': 250000000, '12k': 1200000, '.5': 50,
    '1234567.89': 123456789, '0': 0, '007': 700, '3元': 300, '90071992547409.91': 9007199254740991,
  }
  for (const [text, fen] of Object.entries(cases)) assert.deepEqual(parseMoney(text), { fen }, text)
})

test('nonsense is refused with the reason', () => {
  for (const text of ['abc', '5万万', '-5', '5..0', '1,00', '12,34,567', '5.', '万', '¥', '5 000x', '1e6', '0x10', 'NaN'])
    assert.deepEqual(parseMoney(text), { error: 'format' }, text)
  assert.deepEqual(parseMoney('0.001'), { error: 'precision' })
  assert.deepEqual(parseMoney('1.0000001万'), { error: 'precision' })
  assert.deepEqual(parseMoney('1.00000000'), { fen: 100 })
  assert.deepEqual(parseMoney('99999999999999999'), { error: 'range' })
  assert.deepEqual(parseMoney('9999999亿'), { error: 'range' })
  assert.deepEqual(parseMoney('  '), { error: 'empty' })
  assert.equal(parseYuan(''), null)
  assert.ok(Number.isNaN(parseYuan('abc')))
  assert.equal(parseYuan('50万'), 50000000)
})

test('no floating point error for any cent', () => {
  for (let c = 0; c < 100; c++) {
    const text = `1234567.${String(c).padStart(2, '0')}`
    assert.deepEqual(parseMoney(text), { fen: 123456700 + c }, text)
    assert.equal(fenToYuanInput(123456700 + c).replace(/\.(\d)$/, '.$10').replace(/^1234567$/, '1234567.00'), text)
  }
})

test('records show exact yuan with separators', () => {
  assert.equal(yuan(156000000000), '1,560,000,000.00')
  assert.equal(fmtMoney(156000000, 'zh'), '1,560,000.00 元')
  assert.equal(fmtMoney(156000000, 'en'), '¥1,560,000.00')
  assert.equal(fmtMoney(0, 'zh'), '0.00 元')
  assert.equal(fmtMoney(-150, 'en'), '-¥1.50')
  assert.equal(fmtMoney(null, 'zh'), '—')
  assert.equal(fmtMoneyDiff(100000, 'zh'), '+1,000.00 元')
  assert.equal(fmtMoneyDiff(-2000, 'en'), '-¥20.00')
  assert.equal(fmtMoneyDiff(0, 'en'), '¥0.00')
})

test('summaries show 万元 / millions, rounded half up', () => {
  assert.equal(fmtWan(156000000, 'zh'), '156.0 万元')
  assert.equal(fmtWan(156000000000, 'zh'), '156,000.0 万元')
  assert.equal(fmtWan(0, 'zh'), '0.0 万元')
  assert.equal(fmtWan(95000000, 'zh'), '95.0 万元')
  assert.equal(fmtWan(50000, 'zh'), '0.1 万元')
  assert.equal(fmtWan(49999, 'zh'), '0.0 万元')
  assert.equal(fmtWan(-156000000, 'zh'), '-156.0 万元')
  assert.equal(fmtWan(156000000, 'en'), '¥1.56M')
  assert.equal(fmtWan(156000000000, 'en'), '¥1,560.00M')
  assert.equal(fmtWan(null, 'en'), '—')
})

test('dates are YYYY-MM-DD and times China time', () => {
  assert.equal(fmtDate('2026-12-07'), '2026-12-07')
  assert.equal(fmtDate('2026-12-06T17:00:00Z'), '2026-12-07')
  assert.equal(fmtDate('2026-12-06T15:59:00Z'), '2026-12-06')
  assert.equal(fmtTime('2026-12-07T01:30:00Z'), '2026-12-07 09:30')
  assert.equal(fmtTime('2026-12-07'), '2026-12-07')
  assert.equal(fmtDate(''), '')
  assert.equal(fmtDate(null), '')
  assert.equal(fmtDate('someday'), 'someday')
  assert.equal(weekday('2026-12-07', 'zh'), '周一')
  assert.equal(fmtDay('2026-12-07', 'zh'), '2026-12-07 周一')
  assert.equal(fmtDay('2026-12-07', 'en'), '2026-12-07 Mon')
  assert.equal(fmtDay('2026-12-06T16:30:00Z', 'en'), '2026-12-07 Mon')
  assert.equal(fmtDayTime('2026-12-06T16:30:00Z', 'zh'), '2026-12-07 周一 00:30')
  assert.equal(todayChina(Date.parse('2026-12-31T16:00:00Z')), '2027-01-01')
})
