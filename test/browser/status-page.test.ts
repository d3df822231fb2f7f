import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync } from '../helpers/run-cli.js';
import { sharing } from '../helpers/suite-reactor.js';
import { tempDir } from '../helpers/temp-dir.js';
import { adminPortOf, TOKEN, useAdminReactor } from '../reactor/admin/admin-client.js';

const PASSWORD = 'page-pw';
const MiB = 1024 * 1024;

// The status page an operator opens, in Debian's chromium (npm run test:browser installs it).
describe('browser: the reactor\'s status page', function () {
  this.timeout(120_000);
  const { reactor } = useAdminReactor(sharing(PASSWORD, 'alice'));
  let browser: Browser;
  let page: Page;
  let url: string;

  before(async () => {
    url = `https://127.0.0.1:${adminPortOf(reactor)}/`;
    browser = await chromium.launch({
      executablePath: process.env.SNAPSYNC_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox'],
    });
    // The reactor's certificate is its own, pinned by fingerprint elsewhere: the browser cannot check it.
    page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } })).newPage();
  });

  after(async () => {
    await browser?.close();
  });

  async function logIn(token: string): Promise<void> {
    await page.goto(url);
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.fill('#token', token);
    await page.click('#login button');
  }

  it('asks for the token once, and says so when the reactor refuses it', async () => {
    await logIn('not-the-token-at-all');
    await page.locator('#login-error', { hasText: 'The reactor refused this token.' }).waitFor();
    expect(await page.locator('#status').isHidden()).to.equal(true);
    await logIn(TOKEN);
    await page.locator('#status').waitFor({ state: 'visible' });
    await page.reload();
    await page.locator('#users tbody tr', { hasText: 'alice' }).waitFor();
    expect(await page.locator('#login').isHidden(), 'the tab keeps the token').to.equal(true);
  });

  it('shows a session appear while it runs and finish, with its files, and the users', async () => {
    const local = tempDir('snapsync-page-');
    for (let i = 0; i < 3; i += 1) writeFileSync(join(local, `part-${i}.bin`), randomBytes(MiB));
    // A directory named as markup: the page must show it as text.
    const remote = '/<img src=x onerror=alert(1)>';
    mkdirSync(join(reactor.docroot, remote));
    const push = snapsync(['-N', 'onpage', '-d', local, '-r', `alice@127.0.0.1:${remote}`, '-P', String(reactor.port),
      '--fingerprint', reactor.fingerprint, '-l', '8M', '-q'], { env: { SNAPSYNC_PASSWORD: PASSWORD } });
    const row = page.locator('#sessions tbody tr', { hasText: 'onpage' });
    await row.locator('.state', { hasText: 'syncing' }).waitFor({ timeout: 20_000 });
    // Bytes count as each file lands: once one has, the throughput shows.
    await row.locator('.files').filter({ hasNotText: /^0$/ }).waitFor({ timeout: 20_000 });
    // SNAPSYNC_SCREENSHOTS=DIR keeps them (docs/images/status-page.png is the running one).
    const shots = process.env.SNAPSYNC_SCREENSHOTS ?? tempDir('snapsync-page-shot-');
    await page.screenshot({ path: join(shots, 'running.png'), fullPage: true });
    expect((await push).code).to.equal(0);
    await row.locator('.state', { hasText: 'done' }).waitFor({ timeout: 20_000 });
    expect(await row.locator('.files').textContent()).to.equal('3');
    expect(await row.locator('.dir').textContent()).to.equal(remote);
    expect(await page.locator('#sessions img').count(), 'no markup from a path').to.equal(0);
    await page.locator('#users tbody tr', { hasText: 'alice' }).waitFor();
    await row.click();
    await page.locator('#detail-name', { hasText: 'onpage' }).waitFor();
    await page.screenshot({ path: join(shots, 'done.png'), fullPage: true });
    expect(statSync(join(shots, 'running.png')).size).to.be.greaterThan(10_000);
    expect(statSync(join(shots, 'done.png')).size).to.be.greaterThan(10_000);
  });
});
