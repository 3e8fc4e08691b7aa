import { test, expect } from '@playwright/test';
import { gotoHydrated, setupLink } from '../tests/helpers';

// Times the editor's preview in the release WASM bundle in Chromium: every change recomputes a
// year of shifts (plus the diff against the saved definition and the DST check) in the browser.
// The demo secondary rotation gets hand-offs four times a day (1,460 shifts a year) and each
// step moves a member, so every recomputation changes the diff.
test('editor preview cost per change', async ({ page }) => {
  await gotoHydrated(page, setupLink());
  await page.locator('input[name="username"]').fill('bench');
  await page.locator('input[name="password"]').fill('bench-password-123');
  await page.locator('input[name="password_confirm"]').fill('bench-password-123');
  await page.getByTestId('setup-submit').click();
  await expect(page.getByTestId('current-user')).toBeVisible();
  await gotoHydrated(page, '/rotations');
  await page.getByTestId('rotation-search').fill('secondary');
  await page.getByTestId('rotation-search').press('Enter');
  await expect(page.getByTestId('rotation')).toHaveCount(1);
  await page.getByTestId('open-rotation').click();
  await expect(page.getByTestId('calendar')).toBeVisible();
  await gotoHydrated(page, new URL(page.url()).pathname + '/edit');
  await page.getByTestId('edit-times').fill('00:00, 06:00, 12:00, 18:00');
  const samples: number[] = [];
  for (let i = 0; i < 60; i++) {
    const second = await page.getByTestId('member').nth(1).getAttribute('data-alias');
    await page.getByTestId('member-down').first().click();
    await expect(page.getByTestId('member').first()).toHaveAttribute('data-alias', second ?? '');
    await expect(page.getByTestId('preview-shift').first()).toBeVisible();
    samples.push(Number(await page.getByTestId('preview').getAttribute('data-preview-ms')));
  }
  samples.sort((a, b) => a - b);
  const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  const diffRows = await page.getByTestId('diff-row').count();
  console.log(JSON.stringify({ changes: samples.length, median_ms: pick(0.5), p95_ms: pick(0.95), max_ms: samples[samples.length - 1], diff_rows_shown: diffRows }));
});
