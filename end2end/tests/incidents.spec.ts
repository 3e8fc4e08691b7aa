import { test, expect } from '@playwright/test';
import { call, gotoHydrated, signedIn } from './helpers';

// Runs after console.spec.ts (one worker, files in order), which created the first admin.
// A responder declares an incident from a response plan, pages a second person and adds a note;
// a manager's summary edit begun from the older summary is refused with both versions; the
// manager resolves it, fills the review and exports it as Markdown whose timeline matches the
// page; a viewer reads the merged timeline but has no actions.
// Desktop in English, a phone in Japanese.

const ADMIN = { username: 'admin', password: 'correct-horse-battery-1' };
const PASSWORD = 'incidents-password-12345';

type Flow = { name: string; viewport: { width: number; height: number }; lang: 'en' | 'ja'; resolved: string };
const FLOWS: Flow[] = [
  { name: 'desktop, English', viewport: { width: 1280, height: 900 }, lang: 'en', resolved: 'Resolved' },
  { name: 'phone, Japanese', viewport: { width: 390, height: 844 }, lang: 'ja', resolved: '解決済み' },
];

const user = (flow: Flow, role: string) => `incidents-${role}-${flow.lang}`;

test.describe.serial('incidents run from the console', () => {
  test.beforeAll(async ({ browser }) => {
    const admin = await signedIn(browser, FLOWS[0].viewport, 'en', ADMIN.username, ADMIN.password);
    for (const flow of FLOWS) {
      for (const role of ['responder', 'manager', 'viewer']) {
        await call(admin.page, 'admin_create_user', {
          username: user(flow, role),
          display_name: user(flow, role),
          password: PASSWORD,
          role,
        });
      }
    }
    await admin.context.close();
  });

  for (const flow of FLOWS) {
    test(`${flow.name}: declare, page, note, a stale summary refused, resolve`, async ({ browser }) => {
      const title = `Checkout down ${flow.lang}`;
      const r = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'responder'), PASSWORD);
      await gotoHydrated(r.page, '/incidents');
      await r.page.getByTestId('declare-link').click();
      await r.page.getByTestId('declare-plan').selectOption('sev3-low');
      await r.page.getByTestId('declare-title').fill(title);
      await r.page.getByTestId('declare-impact').fill('2');
      await r.page.getByTestId('declare-summary').fill('5xx on every checkout');
      await r.page.getByTestId('declare-submit').click();
      await expect(r.page.getByTestId('incident-title')).toHaveText(title);
      await expect(r.page.getByTestId('incident-impact')).toHaveText('2');
      const path = new URL(r.page.url()).pathname;

      // A manager opens the page now and will edit the summary from this version later.
      const m = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'manager'), PASSWORD);
      await gotoHydrated(m.page, path);

      await r.page.getByTestId('incident-page-contact').fill('sato');
      await r.page.getByTestId('incident-page').click();
      await expect(r.page.getByTestId('engagement')).toHaveCount(2);
      await r.page.getByTestId('incident-note').fill(`Rolled back deploy 42 (${flow.lang})`);
      await r.page.getByTestId('incident-note-add').click();
      await expect(r.page.getByTestId('timeline')).toContainText(`Rolled back deploy 42 (${flow.lang})`);
      await r.page.getByTestId('incident-summary-edit').fill('Deploy 42 broke checkout');
      await r.page.getByTestId('incident-summary-save').click();
      await expect(r.page.getByTestId('incident-summary')).toHaveText('Deploy 42 broke checkout');

      await m.page.getByTestId('incident-summary-edit').fill('Payment provider outage');
      await m.page.getByTestId('incident-summary-save').click();
      await expect(m.page.getByTestId('summary-conflict')).toBeVisible();
      await expect(m.page.getByTestId('summary-theirs')).toContainText('Deploy 42 broke checkout');
      await expect(m.page.getByTestId('summary-yours')).toContainText('Payment provider outage');
      await m.page.getByTestId('incident-resolve').click();
      await expect(m.page.getByTestId('incident-status')).toHaveText(flow.resolved);

      // The review, exported as Markdown with the same timeline as the page.
      const pageLines = await m.page.getByTestId('timeline').locator('li').count();
      await m.page.getByTestId('review-link').click();
      await m.page.getByTestId('review-what_happened').fill('Deploy 42 broke checkout');
      await m.page.getByTestId('review-action').first().getByTestId('action-text').fill('Add a canary stage');
      await m.page.getByTestId('review-action').first().getByTestId('action-owner').fill('sato');
      await m.page.getByTestId('review-action').first().getByTestId('action-due').fill('2026-12-15');
      await m.page.getByTestId('review-save').click();
      await expect(m.page.getByTestId('review-saved')).toBeVisible();
      const markdown = (await m.page.getByTestId('review-markdown').textContent())!;
      expect(markdown).toContain(`# ${title}`);
      expect(markdown).toContain('Add a canary stage — sato');
      expect(markdown).toContain(`Rolled back deploy 42 (${flow.lang})`);
      expect(markdown.split('\n').filter((l) => /^- 20\d\d-/.test(l)).length).toBe(pageLines);
      const [download] = await Promise.all([
        m.page.waitForEvent('download'),
        m.page.getByTestId('review-download').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/review\.md$/);

      const v = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'viewer'), PASSWORD);
      await gotoHydrated(v.page, `${path}?kind=note`);
      await expect(v.page.getByTestId('timeline')).toContainText(`Rolled back deploy 42 (${flow.lang})`);
      await expect(v.page.getByTestId('incident-actions')).toHaveCount(0);
      for (const c of [r, m, v]) await c.context.close();
    });
  }
});
