import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { expectPath, gotoHydrated, setupLink, signIn, waitForHydration } from './helpers';

// All tests share one server whose database starts EMPTY (no users), so they
// must run in order, and they share one signed-in browser page.

const ADMIN = { username: 'admin', password: 'correct-horse-battery-1' };
const VIEWER = { username: 'vera', displayName: 'Vera Example', password: 'viewer-password-123' };

test.describe.serial('web console', () => {
  let context: BrowserContext;
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    context = await browser.newContext();
    page = await context.newPage();
  });

  test.afterAll(async () => {
    await context?.close();
  });

  test('first admin is created once through the setup link', async () => {
    // Anonymous visitors are sent to the login page.
    await gotoHydrated(page, '/');
    await expectPath(page, '/login');
    await expect(page.getByTestId('current-user')).toHaveCount(0);

    const link = setupLink();
    expect(link).toMatch(/^\/setup\?token=\S+$/);

    await gotoHydrated(page, link);
    await expect(page.getByTestId('setup-invalid')).toHaveCount(0);
    await page.locator('input[name="username"]').fill(ADMIN.username);
    await page.locator('input[name="password"]').fill(ADMIN.password);
    await page.locator('input[name="password_confirm"]').fill(ADMIN.password);
    await page.getByTestId('setup-submit').click();

    // Landed signed in as the new admin.
    await expect(page.getByTestId('current-user')).toContainText(ADMIN.username);

    // The link is single-use.
    await gotoHydrated(page, link);
    await expect(page.getByTestId('setup-invalid')).toBeVisible();
    await expect(page.getByTestId('setup-submit')).toHaveCount(0);
  });

  test('sign out ends the session', async () => {
    await gotoHydrated(page, '/');
    await expectPath(page, '/');
    await expect(page.getByTestId('current-user')).toContainText(ADMIN.username);

    await page.getByTestId('logout').click();
    await expectPath(page, '/login');

    // The session is really gone, not just hidden.
    await gotoHydrated(page, '/');
    await expectPath(page, '/login');
    await expect(page.getByTestId('current-user')).toHaveCount(0);
  });

  test('wrong password is rejected', async () => {
    await signIn(page, ADMIN.username, 'not-the-right-password');

    const error = page.getByTestId('login-error');
    await expect(error).toBeVisible();
    await expect(error).toContainText('Incorrect username or password');
    await expectPath(page, '/login');
    await expect(page.getByTestId('current-user')).toHaveCount(0);
  });

  test('admin signs in', async () => {
    await signIn(page, ADMIN.username, ADMIN.password);

    await expectPath(page, '/');
    await expect(page.getByTestId('current-user')).toContainText(ADMIN.username);
    await expect(page.getByTestId('login-error')).toHaveCount(0);
  });

  test('admin creates a viewer on Admin → Users', async () => {
    await gotoHydrated(page, '/admin/users');

    const userList = page.getByTestId('user-list');
    const rowOf = (username: string) => userList.locator(`tr[data-username="${username}"]`);
    const veraRow = rowOf(VIEWER.username);
    await expect(userList).toBeVisible();
    await expect(rowOf(ADMIN.username)).not.toHaveCount(0);
    await expect(veraRow).toHaveCount(0);

    const create = page.getByTestId('create-user-form');
    await create.locator('input[name="username"]').fill(VIEWER.username);
    await create.locator('input[name="display_name"]').fill(VIEWER.displayName);
    await create.locator('input[name="password"]').fill(VIEWER.password);
    await create.locator('select[name="role"]').selectOption('viewer');
    await page.getByTestId('create-user-submit').click();

    await expect(veraRow).toHaveCount(1);
    await expect(veraRow.getByTestId('user-role')).toHaveText('viewer');
    await expect(veraRow).toContainText(VIEWER.displayName);

    // Persisted on the server, not only shown optimistically.
    await gotoHydrated(page, '/admin/users');
    await expect(veraRow).toHaveCount(1);
    await expect(veraRow.getByTestId('user-role')).toHaveText('viewer');
  });

  test('viewer is denied the admin pages', async () => {
    await gotoHydrated(page, '/');
    await page.getByTestId('logout').click();
    await expectPath(page, '/login');

    await signIn(page, VIEWER.username, VIEWER.password);
    await expectPath(page, '/');
    await expect(page.getByTestId('current-user')).toContainText(VIEWER.username);

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
      await signIn(mobile, ADMIN.username, ADMIN.password);
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

  test('demo team, rotations, plans and routing are visible; deliveries are for managers', async ({ browser }) => {
    const admin = await browser.newContext();
    try {
      const p = await admin.newPage();
      await signIn(p, ADMIN.username, ADMIN.password);
      await expectPath(p, '/');
      // An ordinary link: the server works out who is on call.
      await p.getByTestId('nav-rotations').click();
      await expectPath(p, '/rotations');
      const rotations = p.getByTestId('rotation');
      await expect(rotations).toHaveCount(2);
      const primary = p.locator('[data-testid="rotation"][data-name^="Primary"]');
      await expect(primary.getByTestId('on-call-now')).toHaveText(/^(tanaka|sato|suzuki|emily) \(until \d{4}-\d\d-\d\d 10:00 JST\)$/);
      await expect(primary.getByTestId('on-call-next')).toHaveText(/^(tanaka|sato|suzuki|emily) \(from \d{4}-\d\d-\d\d 10:00 JST\)$/);

      await gotoHydrated(p, '/escalation');
      await expect(p.locator('[data-testid="escalation-plan"][data-alias="web-escalation"]')).toContainText('primary-oncall');
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
      await expect(p.getByTestId('response-plan')).toHaveCount(3);
      await expect(p.locator('[data-testid="response-plan"][data-name="sev1-critical"]')).toContainText('web-escalation');

      await gotoHydrated(p, '/deliveries');
      await expect(p.getByRole('heading', { name: 'Deliveries' })).toBeVisible();
      await expect(p.getByTestId('forbidden')).toHaveCount(0);
      await gotoHydrated(p, '/incidents');
      await expect(p.getByRole('heading', { name: 'Incidents' })).toBeVisible();
    } finally {
      await admin.close();
    }

    const viewer = await browser.newContext({ locale: 'ja-JP' });
    try {
      const p = await viewer.newPage();
      await signIn(p, VIEWER.username, VIEWER.password);
      await expectPath(p, '/');
      await expect(p.getByTestId('nav-deliveries')).toHaveCount(0);
      await gotoHydrated(p, '/rotations');
      await expect(p.getByText('現在のオンコール').first()).toBeVisible();
      await expect(p.getByTestId('rotation')).toHaveCount(2);
      await gotoHydrated(p, '/deliveries');
      await expect(p.getByTestId('forbidden')).toBeVisible();
    } finally {
      await viewer.close();
    }
  });
});

function newPhoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 390, height: 844 } });
}
