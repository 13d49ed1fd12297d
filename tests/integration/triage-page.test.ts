import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge-harness.js';
import { fixture } from '../helpers/fixtures.js';

const TOKEN = 'triage-token';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('the triage page in a real browser', () => {
  let b: TestBridge;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    b = await startTestBridge({ env: { API_TOKEN: TOKEN } });
    for (const f of ['01-firing-single', '04-firing-group-3', '07-firing-critical']) {
      expect((await b.post('/webhooks/alertmanager', fixture('alertmanager', f))).status).toBe(202);
    }
    await b.settle();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await b?.close();
  });

  it('asks for the API token, then lists the open incidents with their links and actions', async () => {
    await page.goto(b.url);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('tbody tr').count()).toBe(0);
    await page.fill('#token', TOKEN);
    await page.click('#login button');
    await page.locator('tbody tr').first().waitFor();
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(3);
    const text = await page.locator('tbody').textContent();
    expect(text).toContain('rig_value for cpu on checkout is 100');
    expect(text).toContain('3 / 3');
    const sources = await page
      .locator('tbody a[target=_blank]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(sources.some((h) => h?.startsWith('http://127.0.0.1:47525/graph'))).toBe(true);
  });

  it('acknowledges an incident', async () => {
    const first = page.locator('tbody tr').first();
    const id = (await first.getAttribute('data-id')) ?? '';
    await first.getByRole('button', { name: 'Acknowledge' }).click();
    await expect
      .poll(async () => (await page.locator(`tr[data-id="${id}"] td:nth-child(4)`).textContent())?.trim())
      .toBe('acknowledged');
    const r = await b.get(`/api/incidents/${id}`, auth);
    expect((r.body.incident as { status: string; acknowledgedBy: string }).status).toBe('acknowledged');
  });

  it('links an incident to a new problem and shows the problem with its incidents', async () => {
    const row = page.locator('tbody tr').nth(1);
    const id = (await row.getAttribute('data-id')) ?? '';
    page.once('dialog', (d) => void d.accept('Storage rig flaps'));
    await row.locator('select').selectOption('new');
    await expect.poll(async () => (await b.get('/api/problems', auth)).body.problems).toHaveLength(1);
    await page.click('header a[href="#/problems"]');
    await page.locator('tbody tr[data-id="PRB-1"]').waitFor();
    await page.click('tbody tr[data-id="PRB-1"] a');
    await page.locator('h2', { hasText: 'PRB-1: Storage rig flaps' }).waitFor();
    expect(await page.locator(`tbody tr[data-id="${id}"]`).count()).toBe(1);

    // Another incident joins the same problem from the list's menu.
    await page.click('header a[href="#/"]');
    const other = page.locator('tbody tr').nth(2);
    const otherId = (await other.getAttribute('data-id')) ?? '';
    await other.locator('select').selectOption('PRB-1');
    await expect
      .poll(
        async () =>
          ((await b.get(`/api/incidents/${otherId}`, auth)).body.incident as { problemId: string }).problemId,
      )
      .toBe('PRB-1');
  });
});
