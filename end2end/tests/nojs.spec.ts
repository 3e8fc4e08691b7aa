import { test, expect, type Page } from '@playwright/test';
import { expectPath, unique } from './helpers';
import { adminSession, makePerson, makeResponsePlan, makeRotation, makeUser } from './data';
import { issueApiKey, startIncident } from './ssm';

// The `no-javascript` project: the browser runs no script at all. Every page renders on the
// server and every form posts. The spec signs in as an administrator of its own and reads data
// it made: a person, a rotation of them and a response plan paging them.

const PASSWORD = 'nojs-password-12345';

async function signIn(page: Page, username: string, password: string) {
  await page.goto('/login');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByTestId('login-submit').click();
}

test.describe.serial('without JavaScript', () => {
  let own = '';
  let person = { alias: '', name: '' };
  let rotation = '';
  let plan = '';

  test.beforeAll(async ({ browser }) => {
    const admin = await adminSession(browser);
    own = (await makeUser(admin.page, 'nojs-admin', 'admin', PASSWORD)).username;
    person = await makePerson(admin.page, 'nojs-person', 'ja', '野地 花子');
    rotation = `No-script rota ${unique('r')}`;
    await makeRotation(admin.page, rotation, [person.alias], 'daily', '10:00');
    plan = await makeResponsePlan(admin.page, 'nojs-plan', [person.alias]);
    await admin.context.close();
  });

  test('a wrong password says so; the right one signs in', async ({ page }) => {
    await signIn(page, own, 'not-the-password-at-all');
    await expectPath(page, '/login');
    await expect(page.getByTestId('login-error')).toContainText('Incorrect username or password');
    await expect(page.locator('input[name="username"]')).toHaveValue(own);
    await signIn(page, own, PASSWORD);
    await expectPath(page, '/');
    await expect(page.getByTestId('current-user')).toContainText(own);
  });

  test('every read-only page shows its data', async ({ page }) => {
    await signIn(page, own, PASSWORD);
    const key = await issueApiKey(page, unique('nojs-incidents'));
    const title = `No-script check: checkout errors ${unique('i')}`;
    await startIncident(page, key, plan, title);

    await page.goto('/rotations');
    const mine = page.locator(`[data-testid="rotation"][data-name="${rotation}"]`);
    await expect(mine.getByTestId('on-call-now')).toContainText(`${person.name} (until `);
    await page.getByTestId('rotation-search').fill(rotation.toLowerCase());
    await page.getByTestId('rotation-search-submit').click();
    await expect(page.getByTestId('rotation')).toHaveCount(1);

    await page.getByTestId('open-rotation').click();
    await expect(page.getByTestId('calendar-day')).toHaveCount(7);
    await expect(page.getByTestId('shift').first()).toBeVisible();
    await page.getByTestId('view-day').click();
    await expect(page.getByTestId('calendar-day')).toHaveCount(1);
    await page.getByTestId('later').click();
    await expect(page.getByTestId('calendar-day')).toHaveCount(1);
    await expect(page.getByTestId('overrides')).toBeVisible();
    await expect(page.getByTestId('swaps')).toBeVisible();

    await page.getByTestId('history-link').click();
    await expect(page.getByTestId('version').first()).toBeVisible();
    await page.getByTestId('lookup-at').fill('2030-01-01T12:00');
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('lookup-result')).not.toBeEmpty();

    await page.goto('/escalation');
    await expect(page.locator(`tr[data-alias="${person.alias}"]`)).toContainText(person.name);
    await page.goto('/routing');
    await expect(page.locator(`[data-testid="response-plan"][data-name="${plan}"]`)).toContainText(person.alias);
    await page.goto('/incidents');
    const row = page.getByTestId('incident-row').filter({ hasText: title });
    await expect(row).toHaveCount(1);
    await row.getByRole('link').click();
    await expect(page.getByTestId('incident-title')).toHaveText(title);
    await expect(page.getByTestId('timeline').locator('li').first()).toBeVisible();
    await page.goto('/engagements');
    await expect(page.getByTestId('engagement').first()).toBeVisible();
    await page.goto('/deliveries');
    await expect(page.getByRole('heading', { name: 'Deliveries' })).toBeVisible();
    await page.goto('/admin/users');
    await expect(page.locator(`tr[data-username="${own}"]`)).toHaveCount(1);
    await page.goto('/admin/audit');
    await expect(page.getByTestId('audit-list')).toBeVisible();
    await page.goto('/admin/api-keys');
    await expect(page.locator('tr[data-key]').first()).toBeVisible();
  });

  test('forms post and show their outcome once', async ({ page }) => {
    await signIn(page, own, PASSWORD);
    await page.goto('/admin/api-keys');
    await page.getByTestId('issue-key-form').locator('input[name="name"]').fill(unique('nojs-key'));
    await page.getByTestId('issue-key-form').getByRole('button').click();
    await expectPath(page, '/admin/api-keys');
    await expect(page.getByTestId('issued-key-secret')).not.toBeEmpty();
    await page.reload();
    await expect(page.getByTestId('issued-key')).toHaveCount(0);

    await page.goto('/admin/users');
    const form = page.getByTestId('create-user-form');
    await form.locator('input[name="username"]').fill('Not A Valid Name');
    await form.locator('input[name="password"]').fill('short');
    await page.getByTestId('create-user-submit').click();
    await expect(form.locator('.field-error[data-field="username"]')).toBeVisible();
    await expect(form.locator('.field-error[data-field="password"]')).toBeVisible();
    await expect(form.locator('input[name="username"]')).toHaveValue('Not A Valid Name');
    await expect(page.locator('tr[data-username="not a valid name"]')).toHaveCount(0);
  });

  test('language switch and sign out', async ({ page }) => {
    await signIn(page, own, PASSWORD);
    await page.goto('/rotations');
    await page.getByTestId('lang-ja').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
    await expect(page.getByTestId('nav-rotations')).toHaveText('ローテーション');
    await expectPath(page, '/rotations');
    await page.getByTestId('lang-en').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.getByTestId('logout').click();
    await expectPath(page, '/login');
    await page.goto('/rotations');
    await expectPath(page, '/login');
  });
});
