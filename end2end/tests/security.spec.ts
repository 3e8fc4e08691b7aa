import { test, expect } from '@playwright/test';
import { call, gotoHydrated, unique } from './helpers';
import { adminSession } from './data';

// An alert sent with hostile "links" (a `javascript:` runbook, a `data:` URL, a tab hidden in a
// scheme) is opened by an admin, who clicks every link on its page: no script of the sender's
// runs (no dialog, nothing written to the page), the hostile addresses show as text, and the
// page's Content-Security-Policy holds a per-response nonce.

test('an alert with javascript: links runs nothing when its links are clicked', async ({ browser }) => {
  const admin = await adminSession(browser);
  const page = admin.page;
  const name = unique('xss');
  const issued = (await call(page, 'alerts_create_integration', { name, kind: 'webhook' })) as { url: string; secret: string };
  const title = `Disk full ${name}`;
  const hostile = {
    title,
    severity: 'critical',
    runbook: "javascript:alert(document.domain);document.body.dataset.pwned='runbook'",
    url: " JavaScript:document.body.dataset.pwned='url'",
    link: "data:text/html,<script>alert('data')</script>",
    dashboard: `https://grafana.example.test/d/${name}`,
  };
  const posted = await page.request.post(new URL(issued.url).pathname, {
    data: hostile,
    headers: { Authorization: `Bearer ${issued.secret}` },
  });
  expect(posted.status(), await posted.text()).toBe(202);

  const row = page.getByTestId('alert-row').filter({ hasText: title });
  await expect
    .poll(async () => {
      await gotoHydrated(page, '/routing/alerts');
      return row.count();
    })
    .toBe(1);
  const alertPath = await row.getByRole('link').first().getAttribute('href');

  const dialogs: string[] = [];
  const violations: string[] = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) violations.push(m.text());
  });
  const response = await gotoHydrated(page, alertPath!);
  const csp = response!.headers()['content-security-policy'];
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval'/);
  expect(csp).not.toContain('unsafe-inline');

  const card = page.getByTestId('alert');
  await expect(card.getByTestId('alert-link-text')).toHaveCount(3);
  await expect(card.getByTestId('alert-link-text').filter({ hasText: hostile.runbook })).toBeVisible();
  const hrefs = await card.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  expect(hrefs.length).toBeGreaterThan(0);
  for (const href of hrefs) expect(href, href).toMatch(/^(\/|https:\/\/)/);

  // Click each link the page shows (coming back between clicks); then the hostile texts too.
  for (let i = 0; i < hrefs.length; i++) {
    await gotoHydrated(page, alertPath!);
    await card.locator('a').nth(i).click({ modifiers: hrefs[i].startsWith('https://') ? ['ControlOrMeta'] : [] });
  }
  await gotoHydrated(page, alertPath!);
  for (const text of await card.getByTestId('alert-link-text').all()) await text.click();
  expect(await page.evaluate(() => document.body.dataset.pwned ?? '')).toBe('');
  expect(dialogs).toEqual([]);
  expect(violations).toEqual([]);
  await admin.context.close();
});
