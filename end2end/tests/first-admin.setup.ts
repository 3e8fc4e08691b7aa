import { test, expect } from '@playwright/test';
import { ADMIN, expectPath, gotoHydrated, setupLink, signIn } from './helpers';

// Runs before every other spec (the `setup` project they depend on): the console starts on an
// empty database with no users, and its first administrator is made once, through the one-time
// setup link the server wrote to its data directory. Every other spec signs in as this admin
// only to make users and data of its own.

test('the first admin is created once through the setup link', async ({ page }) => {
  // Anonymous visitors are sent to the login page.
  await gotoHydrated(page, '/');
  await expectPath(page, '/login');
  await expect(page.getByTestId('current-user')).toHaveCount(0);

  let link: string;
  try {
    link = setupLink();
  } catch {
    // Repeated in the same run (`--repeat-each`): the link was used and its file removed; the
    // admin it made signs in.
    await signIn(page, ADMIN.username, ADMIN.password);
    await expect(page.getByTestId('current-user')).toContainText(ADMIN.username);
    return;
  }
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
