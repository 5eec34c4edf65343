// Browser tests of the public website: Debian's chromium driven by playwright-core, as a
// visitor would use the demo site. Screenshots (desktop and 375 px) go to target/screenshots/.
//
//   cd tests/browser && npm ci && npm test
//
// XINYONG_BIN picks the binary (default: the newer of target/release and target/debug);
// CHROMIUM the browser (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import vnuJar from 'vnu-jar';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = join(root, 'target', 'screenshots');
// The most recently built of the release and debug binaries, unless XINYONG_BIN says.
const bin = process.env.XINYONG_BIN
  ?? [join(root, 'target', 'release', 'xinyong'), join(root, 'target', 'debug', 'xinyong')]
    .filter(existsSync)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const TENCENT = '深圳市腾讯计算机系统有限公司';
const TENCENT_CODE = '91440300708461136T';

let server, browser, base, dir, db, subjectToken, departmentToken, operatorToken;
const external = [];

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function cli(...args) {
  // The same key files as the server: the data keys seal what the demo stores.
  const keys = ['--ledger-key', join(dir, 'ledger.key'), '--data-key', join(dir, 'data.key')];
  return execFileSync(bin, ['--db', db, ...keys, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

async function waitFor(url, seconds) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not up yet */ }
    if (Date.now() > until) throw new Error(`${url} did not come up in ${seconds}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function newPage(width = 1280, height = 900) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', acceptDownloads: true });
  const page = await context.newPage();
  page.on('request', (req) => {
    if (!req.url().startsWith(base) && !req.url().startsWith('data:')) external.push(req.url());
  });
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** No valid-looking citizen identity number (18 characters, 17 digits then digit or X). */
function assertNoIdentityNumbers(text, where) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  for (const m of text.matchAll(/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g)) {
    const s = m[0].toUpperCase();
    const sum = weights.reduce((acc, w, i) => acc + w * Number(s[i]), 0);
    assert.notEqual('10X98765432'[sum % 11], s[17], `${where}: unmasked identity number ${s}`);
  }
}

before(async () => {
  assert.ok(bin, 'build the binary first: cargo build --release');
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'xinyong-browser-'));
  db = `sqlite://${join(dir, 'demo.db')}`;
  // The demo data set, plus Tencent submitted the way a department would.
  cli('demo', '--subjects', '400');
  cli('department', 'add', '--code', 'SZ-SAMR-TEST', '--name', '深圳市市场监督管理局（测试）', '--category', 'admin_license', '--category', 'admin_penalty');
  const token = cli('token', 'create', '--role', 'department', '--department', 'SZ-SAMR-TEST');
  departmentToken = token;
  operatorToken = cli('token', 'create', '--role', 'operator', '--label', 'browser test operator');
  subjectToken = cli('token', 'create', '--role', 'subject', '--subject', TENCENT_CODE);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ['--db', db, '--ledger-key', join(dir, 'ledger.key'), '--data-key', join(dir, 'data.key'), 'serve', '--addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  await waitFor(`${base}/healthz`, 60);
  const r = await fetch(`${base}/api/v1/records`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      records: [{
        category: 'admin_penalty',
        subject: { code: TENCENT_CODE, name: TENCENT, kind: 'legal_person' },
        document_no: '深市监罚〔2026〕88号',
        decided_on: '2026-09-01',
        legal_basis: '《中华人民共和国广告法》第五十五条',
        tier: 'general',
        fields: { facts: '发布虚假广告', penalty_kind: '罚款', content: '罚款人民币二十万元', authority: '深圳市市场监督管理局' },
      }],
    }),
  });
  assert.equal(r.status, 201, await r.text());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(external, [], 'pages made requests outside the platform');
});

test('home page: search box, headline figures, list links, in Chinese', async () => {
  const page = await newPage();
  await page.goto(base + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal(await page.locator('label[for=q]').count(), 1, 'the search box is labelled');
  const figures = await page.locator('.figure').allTextContents();
  assert.equal(figures.length, 4);
  assert.ok(Number(figures[0].replaceAll(',', '')) > 300, `subjects: ${figures[0]}`);
  assert.ok(Number(figures[2].replaceAll(',', '')) > 0, `current list entries: ${figures[2]}`);
  assert.ok(await page.locator('.cards a[href^="/lists/"]').count() >= 4);
  // The stylesheet came from the platform and applied.
  const bg = await page.locator('.masthead').evaluate((e) => getComputedStyle(e).backgroundImage);
  assert.match(bg, /gradient/);
  await shot(page, 'home-desktop');
  await page.context().close();
});

test('a two-character short name finds the full name; a code finds the subject', async () => {
  const page = await newPage();
  await page.goto(base + '/');
  await page.fill('#q', '腾讯');
  await page.press('#q', 'Enter');
  await page.waitForURL(/\/search\?q=/);
  const names = await page.locator('.result-name').allTextContents();
  assert.ok(names.includes(TENCENT), `results: ${names}`);
  await shot(page, 'search-short-name-desktop');

  // Several words.
  await page.fill('#q', '腾讯 计算机');
  await page.press('#q', 'Enter');
  await page.waitForLoadState();
  assert.deepEqual(await page.locator('.result-name').allTextContents(), [TENCENT]);

  // A demo subject by its full code, then by a prefix.
  const found = await (await fetch(`${base}/api/v1/search?q=${encodeURIComponent('有限公司')}&limit=1`)).json();
  const { code, name } = found.results[0];
  await page.fill('#q', code);
  await page.press('#q', 'Enter');
  await page.waitForLoadState();
  assert.equal(await page.locator('.result-name').first().textContent(), name);
  await page.fill('#q', code.slice(0, 8));
  await page.press('#q', 'Enter');
  await page.waitForLoadState();
  assert.ok((await page.locator('.result-name').allTextContents()).includes(name));

  // Bad input is a clear message, not an error.
  const bad = await page.goto(`${base}/search?q=${'长'.repeat(101)}`);
  assert.equal(bad.status(), 400);
  assert.match(await page.locator('main').textContent(), /100/);
  await page.context().close();
});

test('subject page: report sections, adverse items with document and basis, the way to object', async () => {
  const page = await newPage();
  await page.goto(`${base}/search?q=${encodeURIComponent('腾讯')}`);
  await page.getByRole('link', { name: TENCENT }).click();
  await page.waitForURL(/\/subjects\//);
  assert.equal(await page.locator('h1').textContent(), TENCENT);
  const headings = await page.locator('.section h2').allTextContents();
  assert.equal(headings.length, 10, headings.join(' | '));
  const adverse = page.locator('#administrative .record-negative');
  assert.equal(await adverse.count(), 1);
  const text = await adverse.textContent();
  assert.ok(text.includes('深市监罚〔2026〕88号'), 'decision document');
  assert.ok(text.includes('《中华人民共和国广告法》第五十五条'), 'legal basis');
  assert.ok(text.includes('公示截止'), 'publicity end');
  const rights = page.locator('#suggestions a[href^="/rights"]');
  assert.equal(await rights.count(), 1);
  await shot(page, 'subject-desktop');
  await rights.click();
  await page.waitForURL(/\/rights/);
  assert.ok((await page.locator('main').textContent()).includes('工作日'));
  await shot(page, 'rights-desktop');
  await page.context().close();
});

test('a person is found by name, addressed by an opaque id, and switches language on its page', async () => {
  const page = await newPage();
  const listing = await (await fetch(`${base}/api/v1/subjects?limit=1000`)).json();
  const person = listing.subjects.find((s) => s.kind === 'natural_person');
  assert.ok(person, 'the demo data has natural persons');
  assert.match(person.code, /^\d{6}\*{8}[\dX]{4}$/, 'the listing masks the number');
  await page.goto(`${base}/search?q=${encodeURIComponent(person.name)}`);
  await page.locator('.result-name', { hasText: person.name }).first().click();
  await page.waitForURL(/\/subjects\//);
  assert.equal(new URL(page.url()).pathname, `/subjects/${person.id}`);
  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL(/lang=en/);
  assert.equal(new URL(page.url()).pathname, `/subjects/${person.id}`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('h1').textContent(), person.name);
  await page.context().close();
});

test('switching language changes every label and the lang attribute', async () => {
  const page = await newPage();
  await page.goto(base + '/');
  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL(/lang=en/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('h1').textContent(), 'Public Credit Information');
  assert.equal(await page.locator('label[for=q]').textContent(), 'Name, short name or Unified Social Credit Code');
  // The language stays while browsing, and the search form keeps it.
  await page.fill('#q', '腾讯');
  await page.press('#q', 'Enter');
  await page.waitForURL(/lang=en/);
  assert.match(await page.locator('h1').textContent(), /Search results/);
  await page.getByRole('link', { name: TENCENT }).click();
  await page.waitForURL(/\/subjects\/.*lang=en/);
  assert.ok((await page.locator('main').textContent()).includes('Is this wrong?'));
  assert.equal(await page.locator('h1').getAttribute('lang'), 'zh-CN', 'Chinese names are marked as such');
  await shot(page, 'subject-english-desktop');
  await page.getByRole('link', { name: '中文' }).click();
  await page.waitForLoadState();
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await page.context().close();
});

test('list page: current entries, filters by department and region, pages', async () => {
  const page = await newPage();
  await page.goto(base + '/');
  await page.locator('.cards a[href^="/lists/admin"], .cards a[href="/lists/abnormal_operation"]').first().click();
  await page.waitForURL(/\/lists\/abnormal_operation/);
  const rows = page.locator('table.entries tbody tr');
  assert.ok(await rows.count() > 0);
  await shot(page, 'list-desktop');
  const options = await page.locator('#department option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(options.length >= 1);
  await page.selectOption('#department', options[0]);
  await page.fill('#region', '44');
  await page.getByRole('button', { name: '应用' }).click();
  await page.waitForURL(/region=44/);
  for (const code of await page.locator('table.entries .code').allTextContents()) {
    assert.equal(code.slice(2, 4), '44', code);
  }
  await page.goto(base + '/lists/court_defaulter');
  assertNoIdentityNumbers(await page.content(), 'court defaulter list');
  const bad = await page.goto(base + '/lists/court_defaulter?region=4x');
  assert.equal(bad.status(), 400);
  await page.context().close();
});

test('open data downloads: CSV and JSONL with the catalogue version', async () => {
  const page = await newPage();
  await page.goto(base + '/open-data');
  const version = (await page.locator('#catalogue-version').textContent()).trim();
  assert.match(version, /^\d{4}\./);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('a[href$="records.csv"]').click()]);
  const csvPath = join(dir, 'records.csv');
  await csv.saveAs(csvPath);
  assert.ok(csv.suggestedFilename().includes(version));
  const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
  assert.match(lines[0], /^id,version,category,/);
  assert.ok(lines.length > 100, `${lines.length} lines`);
  assert.ok(lines[1].endsWith(version));
  const [jsonl] = await Promise.all([page.waitForEvent('download'), page.locator('a[href$="records.jsonl"]').click()]);
  const jsonlPath = join(dir, 'records.jsonl');
  await jsonl.saveAs(jsonlPath);
  const records = readFileSync(jsonlPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(records.length, lines.length - 1);
  assert.ok(records.every((r) => r.catalogue_version === version));
  assertNoIdentityNumbers(readFileSync(jsonlPath, 'utf8'), 'JSONL export');
  await shot(page, 'open-data-desktop');
  await page.context().close();
});

test('statistics render as SVG charts without JavaScript', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const page = await context.newPage();
  page.on('request', (req) => { if (!req.url().startsWith(base)) external.push(req.url()); });
  await page.goto(base + '/stats');
  const charts = page.locator('figure.chart svg');
  // By category, by month, list entries by month, by province, and the regional credit index
  // (the demo is graded before it is served).
  assert.equal(await charts.count(), 5);
  for (let i = 0; i < 5; i++) {
    const box = await charts.nth(i).boundingBox();
    assert.ok(box.width > 200 && box.height > 50, `chart ${i} is drawn: ${JSON.stringify(box)}`);
    const drawn = await charts.nth(i).locator('rect').evaluateAll((rs) => rs.filter((r) => r.getBBox().width > 0 && r.getBBox().height > 0).length);
    assert.ok(drawn > 0, `chart ${i} has bars`);
  }
  await shot(page, 'stats-desktop');
  await context.close();
});

test('keyboard: skip link first, then the navigation and the search box', async () => {
  const page = await newPage();
  await page.goto(base + '/');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  let reached = false;
  for (let i = 0; i < 12 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.id === 'q');
  }
  assert.ok(reached, 'the search box is reachable by keyboard');
  await page.keyboard.type('腾讯');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/search/);
  await page.context().close();
});

/** The cookie of a website session of the demo's subject, signed in without a browser. */
async function sessionCookie() {
  const r = await fetch(`${base}/me/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(subjectToken)}`,
  });
  assert.equal(r.status, 303);
  return r.headers.get('set-cookie').split(';')[0];
}

test('a subject signs in with its token, sees its file and objects to a record', async () => {
  const page = await newPage();
  await page.goto(base + '/me');
  assert.equal(await page.locator('input[name=token][type=password]').count(), 1);
  await shot(page, 'me-sign-in');
  await page.fill('input[name=token]', subjectToken);
  await page.click('form.form button[type=submit]');
  await page.waitForURL(`${base}/me`);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'xinyong_me');
  assert.ok(cookie, 'the session cookie is set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(cookie.path, '/me');
  assert.equal(await page.evaluate(() => document.cookie), '', 'no script can read the session');
  const records = page.locator('#records ~ .table-wrap tbody tr');
  assert.ok(await records.count() >= 1, 'the subject sees its records');
  assert.match(await page.locator('main').textContent(), /深市监罚〔2026〕88号/);
  // Upload a receipt as evidence; it is listed, and offered on the case forms.
  await page.setInputFiles('#e-file', { name: '缴款凭证.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
  await page.click('form[action="/me/attachments"] button[type=submit]');
  await page.waitForURL(/done=attachment/);
  assert.match(await page.locator('#evidence ~ .table-wrap').textContent(), /缴款凭证\.pdf/);
  // Object to the penalty through the form, with the receipt attached.
  await page.check('form[action="/me/objections"] input[name=attachments]');
  await page.selectOption('#o-record', { label: await page.locator('#o-record option', { hasText: '88号' }).first().textContent() });
  await page.fill('#o-reason', '罚款所依据的广告并非本公司发布');
  await page.click('form[action="/me/objections"] button[type=submit]');
  await page.waitForURL(/done=objection/);
  assert.match(await page.locator('.notice[role=status]').textContent(), /异议已提交/);
  assert.match(await page.locator('#records ~ .table-wrap').textContent(), /异议处理中/);
  assert.ok(await page.locator('#objections ~ .table-wrap tbody tr').count() >= 1);
  assertNoIdentityNumbers(await page.content(), '/me');
  await shot(page, 'me-desktop');
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto(base + '/me');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `/me is ${overflow}px too wide at 375px`);
  await shot(page, 'me-375');
  // A form posted from another site is refused, whatever it carries.
  const r = await fetch(`${base}/me/objections`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', cookie: await sessionCookie() },
    body: 'csrf=x&record=x&what=content&reason=x',
  });
  assert.equal(r.status, 403);
  await page.context().close();
});

async function consoleCookie(token = departmentToken) {
  const r = await fetch(`${base}/console/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(token)}`,
  });
  assert.equal(r.status, 303);
  return r.headers.get('set-cookie').split(';')[0];
}

test('a department clerk signs in to the console, uploads a file, sees the bad row, then stores the corrected file', async () => {
  const page = await newPage(1366, 900);
  await page.goto(base + '/console');
  await shot(page, 'console-sign-in');
  await page.fill('input[name=token]', departmentToken);
  await page.click('form.form button[type=submit] >> nth=0');
  await page.waitForURL(`${base}/console`);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'xinyong_console');
  assert.ok(cookie, 'the session cookie is set');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(cookie.path, '/console');
  assert.match(await page.locator('main').textContent(), /深圳市市场监督管理局（测试）/);
  await page.click('.console-nav a[href="/console/upload"]');
  const header = 'category,subject_code,subject_name,subject_kind,document_no,decided_on,legal_basis,tier,facts,penalty_kind,content,authority\n';
  const row = (code, doc) => `admin_penalty,${code},${TENCENT},legal_person,${doc},2026-10-08,《中华人民共和国广告法》第五十五条,general,发布虚假广告,罚款,罚款人民币五万元,深圳市市场监督管理局\n`;
  const bad = header + row(TENCENT_CODE, '深市监罚〔2026〕90号') + row('91440300708461136X', '深市监罚〔2026〕91号');
  await page.setInputFiles('#u-file', { name: 'penalties.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.click('form[action="/console/upload"] button[type=submit]');
  await page.waitForSelector('#report');
  assert.match(await page.locator('.notice-error').first().textContent(), /全部均未入库|整个文件均未入库/);
  assert.match(await page.locator('#report ~ .table-wrap, section .table-wrap').first().textContent(), /subject_code/);
  await shot(page, 'console-upload-rejected');
  const good = header + row(TENCENT_CODE, '深市监罚〔2026〕90号');
  await page.setInputFiles('#u-file', { name: 'penalties.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.click('form[action="/console/upload"] button[type=submit]');
  await page.waitForSelector('#report');
  assert.match(await page.locator('.notice[role=status]').first().textContent(), /已全部入库/);
  await page.click('.console-nav a[href="/console/records"]');
  assert.match(await page.locator('main').textContent(), /深市监罚〔2026〕90号/);
  await shot(page, 'console-records');
  await page.goto(base + '/console/checks?lang=en');
  await page.fill('#k-codes', TENCENT_CODE);
  await page.click('form[action="/console/checks?lang=en"] button[type=submit]');
  await page.waitForSelector('.check-result');
  await shot(page, 'console-check-en');
  await page.setViewportSize({ width: 375, height: 740 });
  for (const path of ['/console', '/console/upload', '/console/records', '/console/checks?lang=en', '/console/lists']) {
    await page.goto(base + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${path} is ${overflow}px too wide at 375px`);
    assertNoIdentityNumbers(await page.content(), path);
  }
  await shot(page, 'console-lists-375');
  await page.context().close();
});

test('a subject page prints without the site around it', async () => {
  const page = await newPage();
  const tencent = (await (await fetch(`${base}/api/v1/search?q=${encodeURIComponent('腾讯')}`)).json()).results[0].url;
  await page.goto(base + tencent);
  await page.emulateMedia({ media: 'print' });
  for (const hidden of ['.searchbar', '.masthead nav', '.footer']) {
    const display = await page.locator(hidden).first().evaluate((e) => getComputedStyle(e).display);
    assert.equal(display, 'none', `${hidden} is printed`);
  }
  const pdf = await page.pdf({ format: 'A4' });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages >= 1 && pages <= 3, `${pages} printed pages`);
  await page.context().close();
});

test('375 px wide: every page fits the screen', async () => {
  const page = await newPage(375, 740);
  const tencent = (await (await fetch(`${base}/api/v1/search?q=${encodeURIComponent('腾讯')}`)).json()).results[0].url;
  const pages = [
    ['/', 'home'],
    [`/search?q=${encodeURIComponent('腾讯')}`, 'search'],
    [tencent, 'subject'],
    ['/lists/court_defaulter', 'list'],
    ['/open-data', 'open-data'],
    ['/stats', 'stats'],
    ['/rights', 'rights'],
    ['/docs', 'docs'],
    ['/?lang=en', 'home-english'],
  ];
  for (const [path, name] of pages) {
    await page.goto(base + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${path} is ${overflow}px too wide at 375px`);
    assertNoIdentityNumbers(await page.content(), path);
    await shot(page, `${name}-375`);
  }
  // A list's dates are on screen, not in a table scrolled sideways.
  await page.goto(base + '/lists/court_defaulter');
  const until = await page.locator('table.entries tbody tr').first().locator('td').last().boundingBox();
  assert.ok(until && until.x + until.width <= 375, `the date ends at ${until && until.x + until.width}px`);
  await page.context().close();
});

test('every page is valid HTML by the Nu HTML checker (vnu-jar, run with java)', async () => {
  const tencent = (await (await fetch(`${base}/api/v1/search?q=${encodeURIComponent('腾讯')}`)).json()).results[0].url;
  const paths = [
    '/', '/?lang=en', `/search?q=${encodeURIComponent('腾讯')}`, `/search?q=${encodeURIComponent('腾讯')}&lang=en`,
    '/search?q=', tencent, `${tencent}${tencent.includes('?') ? '&' : '?'}lang=en`, '/lists', '/lists/court_defaulter',
    '/lists/abnormal_operation?region=44', '/open-data', '/stats', '/stats?lang=en', '/rights', '/rights?lang=en', '/docs', '/docs?lang=en',
    '/subjects/91000000000000000X', '/me', '/me?lang=en', '/console', '/console?lang=en',
  ];
  const htmlDir = mkdtempSync(join(dir, 'html-'));
  const files = [];
  for (const [i, path] of paths.entries()) {
    const r = await fetch(base + path);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/, path);
    const file = join(htmlDir, `${i}.html`);
    writeFileSync(file, await r.text());
    files.push([file, path]);
  }
  // The signed-in file, in both languages.
  const cookie = await sessionCookie();
  for (const path of ['/me', '/me?lang=en']) {
    const r = await fetch(base + path, { headers: { cookie } });
    const file = join(htmlDir, `signed-in-${files.length}.html`);
    writeFileSync(file, await r.text());
    files.push([file, `${path} (signed in)`]);
  }
  // The console, signed in as a department.
  const clerk = await consoleCookie();
  for (const path of ['/console', '/console/upload', '/console/records', '/console/lists', '/console/checks', '/console/cases', '/console/upload?lang=en']) {
    const r = await fetch(base + path, { headers: { cookie: clerk } });
    const file = join(htmlDir, `console-${files.length}.html`);
    writeFileSync(file, await r.text());
    files.push([file, `${path} (console)`]);
  }
  // ... and as an operator.
  const operator = await consoleCookie(operatorToken);
  for (const path of ['/console', '/console/applications', '/console/ledger', '/console/quality', '/console/departments', '/console/departments?lang=en']) {
    const r = await fetch(base + path, { headers: { cookie: operator } });
    assert.equal(r.status, 200, path);
    const file = join(htmlDir, `operator-${files.length}.html`);
    writeFileSync(file, await r.text());
    files.push([file, `${path} (operator console)`]);
  }
  // vnu exits non-zero when it finds errors; its JSON report on stderr says which.
  let report;
  try {
    execFileSync('java', ['-jar', String(vnuJar), '--errors-only', '--format', 'json', ...files.map(([f]) => f)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    report = { messages: [] };
  } catch (e) {
    report = JSON.parse(e.stderr);
  }
  const errors = report.messages.map((m) => {
    const path = files.find(([f]) => m.url?.endsWith(f))?.[1];
    return `${path} line ${m.lastLine}: ${m.message}`;
  });
  assert.deepEqual(errors, []);
});
