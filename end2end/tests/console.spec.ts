import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { expectPath, gotoHydrated, signIn, unique, waitForHydration } from './helpers';
import { adminSession, makeUser } from './data';

// Sign-in, sign-out, roles, language and the demo team, in one signed-in browser page shared by
// the tests below (so they run in order). The spec signs in as an administrator of its own,
// made by the first admin: its wrong passwords never touch another spec's account.

const PASSWORD = 'console-password-1234';

test.describe.serial('web console', () => {
  let context: BrowserContext;
  let page: Page;
  // This run's own administrator and the viewer it creates.
  let own = '';
  let viewer = { username: '', displayName: 'Vera Example', password: 'viewer-password-123' };

  test.beforeAll(async ({ browser }) => {
    const admin = await adminSession(browser);
    own = (await makeUser(admin.page, 'console-admin', 'admin', PASSWORD)).username;
    await admin.context.close();
    viewer = { ...viewer, username: unique('vera') };
    context = await browser.newContext();
    page = await context.newPage();
    await signIn(page, own, PASSWORD);
    await expect(page.getByTestId('current-user')).toContainText(own);
  });

  test.afterAll(async () => {
    await context?.close();
  });

  test('sign out ends the session', async () => {
    await gotoHydrated(page, '/');
    await expectPath(page, '/');
    await expect(page.getByTestId('current-user')).toContainText(own);

    await page.getByTestId('logout').click();
    await expectPath(page, '/login');

    // The session is really gone, not just hidden.
    await gotoHydrated(page, '/');
    await expectPath(page, '/login');
    await expect(page.getByTestId('current-user')).toHaveCount(0);
  });

  test('wrong password is rejected', async () => {
    await signIn(page, own, 'not-the-right-password');

    const error = page.getByTestId('login-error');
    await expect(error).toBeVisible();
    await expect(error).toContainText('Incorrect username or password');
    await expectPath(page, '/login');
    await expect(page.getByTestId('current-user')).toHaveCount(0);
  });

  test('an admin signs in', async () => {
    await signIn(page, own, PASSWORD);

    await expectPath(page, '/');
    await expect(page.getByTestId('current-user')).toContainText(own);
    await expect(page.getByTestId('login-error')).toHaveCount(0);
  });

  test('admin creates a viewer on Admin → Users', async () => {
    await gotoHydrated(page, '/admin/users');

    const userList = page.getByTestId('user-list');
    const rowOf = (username: string) => userList.locator(`tr[data-username="${username}"]`);
    const veraRow = rowOf(viewer.username);
    await expect(userList).toBeVisible();
    await expect(rowOf(own)).toHaveCount(1);
    await expect(veraRow).toHaveCount(0);

    const create = page.getByTestId('create-user-form');
    await create.locator('input[name="username"]').fill(viewer.username);
    await create.locator('input[name="display_name"]').fill(viewer.displayName);
    await create.locator('input[name="password"]').fill(viewer.password);
    await create.locator('select[name="role"]').selectOption('viewer');
    await page.getByTestId('create-user-submit').click();

    await expect(veraRow).toHaveCount(1);
    await expect(veraRow.getByTestId('user-role')).toHaveText('viewer');
    await expect(veraRow).toContainText(viewer.displayName);

    // Persisted on the server, not only shown optimistically.
    await gotoHydrated(page, '/admin/users');
    await expect(veraRow).toHaveCount(1);
    await expect(veraRow.getByTestId('user-role')).toHaveText('viewer');
  });

  test('viewer is denied the admin pages', async () => {
    await gotoHydrated(page, '/');
    await page.getByTestId('logout').click();
    await expectPath(page, '/login');

    await signIn(page, viewer.username, viewer.password);
    await expectPath(page, '/');
    await expect(page.getByTestId('current-user')).toContainText(viewer.username);

    const response = await gotoHydrated(page, '/admin/users');
    expect(response, 'navigation response').not.toBeNull();
    expect(response!.status()).toBe(403);
    await expect(page.getByTestId('forbidden')).toBeVisible();
    await expect(page.getByTestId('user-list')).toHaveCount(0);
    await expect(page.getByTestId('create-user-submit')).toHaveCount(0);
  });

  test('language switch is applied and remembered', async () => {
    const html = page.locator('html');
    const navRotations = page.getByTestId('nav-rotations');

    await gotoHydrated(page, '/');
    await expect(html).toHaveAttribute('lang', 'en');
    await expect(navRotations).toHaveText('Rotations');

    await page.getByTestId('lang-ja').click();
    await expect(html).toHaveAttribute('lang', 'ja');
    await expect(navRotations).toHaveText('ローテーション');

    // After a reload the server itself renders Japanese (choice kept in a cookie).
    const reloaded = await page.reload();
    await waitForHydration(page);
    expect(reloaded, 'reload response').not.toBeNull();
    const ssr = await reloaded!.text();
    expect(ssr).toMatch(/<html\b[^>]*\slang="ja"/);
    expect(ssr).toContain('ローテーション');
    await expect(html).toHaveAttribute('lang', 'ja');
    await expect(navRotations).toHaveText('ローテーション');

    await page.getByTestId('lang-en').click();
    await expect(html).toHaveAttribute('lang', 'en');
    await expect(navRotations).toHaveText('Rotations');

    // Switching back is remembered as well.
    await page.reload();
    await waitForHydration(page);
    await expect(html).toHaveAttribute('lang', 'en');
    await expect(navRotations).toHaveText('Rotations');
  });

  for (const { locale, lang, heading } of [
    { locale: 'ja-JP', lang: 'ja', heading: 'サインイン' },
    { locale: 'en-US', lang: 'en', heading: 'Sign in' },
  ]) {
    test(`anonymous login page follows Accept-Language (${locale})`, async ({ browser }) => {
      const fresh = await browser.newContext({ locale });
      try {
        const anon = await fresh.newPage();
        await gotoHydrated(anon, '/login');
        await expectPath(anon, '/login');
        await expect(anon.locator('html')).toHaveAttribute('lang', lang);
        await expect(anon.getByRole('heading', { level: 1 })).toHaveText(heading);
      } finally {
        await fresh.close();
      }
    });
  }

  test('sign out works on a phone-sized viewport', async ({ browser }) => {
    const phone = await newPhoneContext(browser);
    try {
      const mobile = await phone.newPage();
      await signIn(mobile, own, PASSWORD);
      await expectPath(mobile, '/');

      await gotoHydrated(mobile, '/');
      const toggle = mobile.getByTestId('menu-toggle');
      if (await toggle.isVisible()) {
        await toggle.click();
      }
      await expect(mobile.getByTestId('nav-rotations')).toBeVisible();
      const logout = mobile.getByTestId('logout');
      await expect(logout).toBeVisible();
      await logout.click();
      await expectPath(mobile, '/login');

      await gotoHydrated(mobile, '/');
      await expectPath(mobile, '/login');
    } finally {
      await phone.close();
    }
  });

  // The demo team is the server's seed, which no spec changes: this test only reads it.
  test('demo team, rotations, plans and routing are visible; deliveries are for managers', async ({ browser }) => {
    const DEMO_ROTATIONS = ['Primary (weekly, Mon 10:00 JST)', 'Secondary (daily, 10:00 JST)'];
    const rotation = (p: Page, name: string) => p.locator(`[data-testid="rotation"][data-name="${name}"]`);
    const admin = await browser.newContext();
    try {
      const p = await admin.newPage();
      await signIn(p, own, PASSWORD);
      await expectPath(p, '/');
      // An ordinary link: the server works out who is on call.
      await p.getByTestId('nav-rotations').click();
      await expectPath(p, '/rotations');
      for (const name of DEMO_ROTATIONS) await expect(rotation(p, name)).toHaveCount(1);
      const primary = rotation(p, DEMO_ROTATIONS[0]);
      await expect(primary.getByTestId('on-call-now')).toHaveText(/^(田中 太郎|佐藤 花子|鈴木 一郎|Emily Carter) \(until \d{4}-\d\d-\d\d 10:00 JST\)$/);
      await expect(primary.getByTestId('on-call-next')).toHaveText(/^(田中 太郎|佐藤 花子|鈴木 一郎|Emily Carter) \(from \d{4}-\d\d-\d\d 10:00 JST\)$/);

      await gotoHydrated(p, '/escalation');
      await expect(p.locator('[data-testid="escalation-plan"][data-alias="web-escalation"]')).toContainText('Primary on call');
      // If nobody acknowledged now: the primary's e-mail and SMS at once, their call 10 minutes on.
      const timeline = p.locator('[data-testid="escalation-plan"][data-alias="web-escalation"] [data-testid="plan-timeline"] li');
      await expect(timeline.first()).toContainText('+0');
      await expect(timeline.filter({ hasText: '+10' }).first()).toBeVisible();
      await expect(p.locator('tr[data-alias="tanaka"]')).toContainText('田中 太郎');
      await expect(p.locator('tr[data-alias="tanaka"]')).toContainText('tanaka@example.co.jp');
      // A manager proves the chain with a test page to one person.
      await p.locator('tr[data-alias="tanaka"] [data-testid="test-page"] button').click();
      await expect(p.getByTestId('test-page-sent')).toBeVisible();

      await gotoHydrated(p, '/routing');
      for (const name of ['sev1-critical', 'sev2-high', 'sev3-low']) {
        await expect(p.locator(`[data-testid="response-plan"][data-name="${name}"]`)).toHaveCount(1);
      }
      await expect(p.locator('[data-testid="response-plan"][data-name="sev1-critical"]')).toContainText('web-escalation');

      await gotoHydrated(p, '/deliveries');
      await expect(p.getByRole('heading', { name: 'Deliveries' })).toBeVisible();
      await expect(p.getByTestId('forbidden')).toHaveCount(0);
      await gotoHydrated(p, '/incidents');
      await expect(p.getByRole('heading', { name: 'Incidents' })).toBeVisible();
    } finally {
      await admin.close();
    }

    const reader = await browser.newContext({ locale: 'ja-JP' });
    try {
      const p = await reader.newPage();
      await signIn(p, viewer.username, viewer.password);
      await expectPath(p, '/');
      await expect(p.getByTestId('nav-deliveries')).toHaveCount(0);
      await gotoHydrated(p, '/rotations');
      await expect(p.getByText('現在のオンコール').first()).toBeVisible();
      for (const name of DEMO_ROTATIONS) await expect(rotation(p, name)).toHaveCount(1);
      await gotoHydrated(p, '/deliveries');
      await expect(p.getByTestId('forbidden')).toBeVisible();
    } finally {
      await reader.close();
    }
  });
});

function newPhoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 390, height: 844 } });
}
