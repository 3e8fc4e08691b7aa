import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Browser, type BrowserContext, type Page, type Response } from '@playwright/test';

/** The first administrator, made by `first-admin.setup.ts` before any other spec runs. */
export const ADMIN = { username: 'admin', password: 'correct-horse-battery-1' };

/**
 * A name no other test and no earlier run has used: `prefix-` and eight random base-36
 * characters. Every user, person, rotation and plan a spec makes is named with it, so specs run
 * in any order, repeated, without meeting each other's data.
 */
export function unique(prefix: string): string {
  const tail = Array.from({ length: 8 }, () => Math.floor(Math.random() * 36).toString(36)).join('');
  const name = `${prefix}-${tail}`;
  if (name.length > 32) throw new Error(`unique('${prefix}'): '${name}' is longer than a username may be`);
  return name;
}

/**
 * Headers that make a browser context look like a phone of its own: the e-2-e console trusts one
 * proxy hop (`--trusted-proxy-hops 1`, as behind a reverse proxy), so an `X-Forwarded-For` of a
 * random private address is the client address it counts. The acknowledge page's rate limit
 * (per address and minute) then counts this test's taps only, not every spec's from 127.0.0.1.
 */
export function ownAddress(): { extraHTTPHeaders: Record<string, string> } {
  const octet = () => Math.floor(Math.random() * 254) + 1;
  return { extraHTTPHeaders: { 'X-Forwarded-For': `10.${octet()}.${octet()}.${octet()}` } };
}

/** Selector for the marker an island sets on <body> once it is live. */
export const HYDRATED = 'body[data-hydrated="true"]';

/**
 * Wait until the page currently shown is ready: pages render on the server and most load no
 * WASM at all; a page with islands (`<leptos-island>`) is ready once they have hydrated.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForLoadState('domcontentloaded');
  if ((await page.locator('leptos-island').count()) > 0) {
    await page.locator(HYDRATED).waitFor({ state: 'attached' });
  }
}

/**
 * Navigate to `target` (relative to baseURL) and wait until the page is ready (its islands,
 * if any, hydrated), so that clicks are handled rather than lost.
 * Returns the navigation response (e.g. to check its HTTP status).
 */
export async function gotoHydrated(page: Page, target: string): Promise<Response | null> {
  const response = await page.goto(target);
  await waitForHydration(page);
  return response;
}

/** Open /login and submit the sign-in form. Callers assert on the outcome. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await gotoHydrated(page, '/login');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByTestId('login-submit').click();
}

/** Assert the page's current URL path (ignoring any query string). */
export async function expectPath(page: Page, pathname: string): Promise<void> {
  await expect(page).toHaveURL((url) => url.pathname === pathname);
}

/**
 * The one-time first-admin setup link written by the server to
 * `${E2E_DATA_DIR}/setup-link.txt`, returned as path + query
 * (e.g. "/setup?token=abc...") so it is resolved against baseURL.
 */
export function setupLink(): string {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) {
    throw new Error('E2E_DATA_DIR is not set (it must point at the server data directory).');
  }
  const file = path.join(dataDir, 'setup-link.txt');
  const line = readFileSync(file, 'utf8').trim();
  if (!line) {
    throw new Error(`${file} is empty; expected the setup URL.`);
  }
  const url = new URL(line);
  return `${url.pathname}${url.search}`;
}

/** A fresh context with this viewport and language, signed in as `username`. */
export async function signedIn(
  browser: Browser,
  viewport: { width: number; height: number },
  lang: 'en' | 'ja',
  username: string,
  password: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const base = process.env.E2E_BASE_URL!;
  await context.addCookies([{ name: 'lang', value: lang, url: base }]);
  const page = await context.newPage();
  await signIn(page, username, password);
  await expect(page.getByTestId('current-user')).toHaveCount(1);
  return { context, page };
}

/** Calls a server function the way the page does (same-origin form POST). */
export async function call(page: Page, endpoint: string, form: Record<string, string>): Promise<unknown> {
  const base = process.env.E2E_BASE_URL!;
  const res = await page.request.post(`/api/${endpoint}`, { form, headers: { Origin: base, Accept: 'application/json' } });
  expect(res.status(), `${endpoint}: ${await res.text()}`).toBe(200);
  return res.json();
}
