import { test, expect, type Browser, type Page } from '@playwright/test';
import { ADMIN, expectPath, ownAddress, unique } from './helpers';
import { adminSession, linkUser, makePerson, makeUser, type Person } from './data';
import { issueApiKey, ssm, type ApiKey } from './ssm';
import { linkIn, mailWith } from './mail';

// Acknowledging from a phone, with scripts on (project `chromium`) and off (`no-javascript`):
// a page's e-mail, caught by the run's loopback SMTP server (mail-sink.ts), carries a personal
// link; a scanner that fetches every URL in it acknowledges nothing; the link opens a page in the
// person's language with no script and no WASM, within 14 KB; one tap acknowledges; again says
// so; a tampered link gets its own page; /me lists and acknowledges a page. Everyone paged is a
// person this spec made, so what /me shows is this spec's pages alone.
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

test.use(PHONE);

async function signIn(page: Page, username: string, password: string) {
  await page.goto('/login');
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('current-user')).toHaveCount(1);
}

async function page_(key: ApiKey, admin: Page, who: string, marker: string) {
  await ssm(admin, key, 'ssm-contacts', 'StartEngagement', {
    ContactId: `arn:aws:ssm-contacts:ap-northeast-1:000000000000:contact/${who}`,
    Sender: 'cloudwatch',
    Subject: `[Impact 1] 決済APIのエラー率上昇 (${marker})`,
    Content: `Checkout 5xx above 5% (${marker})`,
  });
}

/** A new page on a phone, with scripts on or off as the project says. */
async function phonePage(browser: Browser, locale?: string): Promise<Page> {
  const javaScriptEnabled = test.info().project.use.javaScriptEnabled !== false;
  return browser.newPage({ ...PHONE, ...ownAddress(), javaScriptEnabled, ...(locale ? { locale } : {}) });
}

test.describe.serial('acknowledging from a phone', () => {
  let key: ApiKey;
  let run = '';
  // People of this run: one reading Japanese, one English.
  let ja: Person;
  let en: Person;
  test.beforeAll(async ({ browser }) => {
    run = unique(test.info().project.name === 'no-javascript' ? 'nojs' : 'js');
    const admin = await adminSession(browser);
    ja = await makePerson(admin.page, 'ack-ja', 'ja', '田中 一');
    en = await makePerson(admin.page, 'ack-en', 'en', 'Emily Ack');
    await admin.context.close();
  });

  test('a link in the e-mail acknowledges with one tap, in Japanese, with no script', async ({ page, browser }) => {
    await signIn(page, ADMIN.username, ADMIN.password);
    key = await issueApiKey(page, `phone-ack-${run}`);
    const marker = `ja-${run}`;
    await page_(key, page, ja.alias, marker);
    const mail = await mailWith(marker);
    const link = linkIn(mail);

    // A mail scanner (from an address of its own) fetches every URL in the message: nothing is
    // acknowledged.
    const base = process.env.E2E_BASE_URL!;
    const scanner = ownAddress().extraHTTPHeaders;
    for (const url of mail.match(/https?:\/\/[^\s"<>]+/g) ?? []) {
      if (url.startsWith(base)) await page.request.get(url, { headers: scanner });
    }

    const phone = await phonePage(browser, 'en-US');
    const responses: { url: string; bytes: number }[] = [];
    phone.on('requestfinished', async (req) => {
      const sizes = await req.sizes();
      responses.push({ url: req.url(), bytes: sizes.responseHeadersSize + sizes.responseBodySize });
    });
    await phone.goto(link);
    await expect(phone.getByTestId('ack-button')).toBeVisible();
    await expect(phone.locator('html')).toHaveAttribute('lang', 'ja');
    await expect(phone.getByTestId('ack-button')).toHaveText('対応する');
    await expect(phone.locator('h1')).toContainText('決済APIのエラー率上昇');
    expect(await phone.locator('script').count()).toBe(0);
    await phone.waitForLoadState('load');
    expect(responses.filter((r) => r.url.endsWith('.wasm') || r.url.endsWith('.js'))).toEqual([]);
    const total = responses.reduce((sum, r) => sum + r.bytes, 0);
    expect(total, JSON.stringify(responses)).toBeLessThanOrEqual(14 * 1024);

    await phone.getByTestId('ack-button').click();
    await expect(phone.getByTestId('ack-done')).toContainText('対応済み');
    await expect(phone.getByTestId('ack-standing')).toContainText('エスカレーションは止まりました');
    // A second tap (the form sent again) says it is already done.
    const again = await phone.request.post(link, { headers: { Origin: base } });
    expect(again.status()).toBe(200);
    expect(await again.text()).toContain('対応済み');
    await phone.goto(link);
    await expect(phone.getByTestId('ack-done')).toContainText(ja.name);

    // One character changed: its own page, in the browser's language.
    const tampered = link.slice(0, -1) + (link.endsWith('A') ? 'B' : 'A');
    const res = await phone.goto(tampered);
    expect(res?.status()).toBe(404);
    await expect(phone.locator('h1')).toHaveText('This link is not valid.');
    await phone.close();
  });

  test('an English contact reads English', async ({ page, browser }) => {
    await signIn(page, ADMIN.username, ADMIN.password);
    const marker = `en-${run}`;
    await page_(key, page, en.alias, marker);
    const link = linkIn(await mailWith(marker));
    const phone = await phonePage(browser, 'ja-JP');
    await phone.goto(link);
    await expect(phone.locator('html')).toHaveAttribute('lang', 'en');
    await expect(phone.getByTestId('ack-button')).toHaveText('Acknowledge');
    await phone.close();
  });

  // The person's other page stays open while one is acknowledged: /me is about this person's
  // pages, whatever else is open for anyone.
  test('My pages lists a page and acknowledges it while another page stays open', async ({ page, browser }) => {
    await signIn(page, ADMIN.username, ADMIN.password);
    const password = 'phone-ack-password-1';
    const person = await makePerson(page, 'ack-me', 'ja', '佐藤 一');
    const { username, id } = await makeUser(page, 'me', 'responder', password);
    await linkUser(page, id, person.alias);
    const [first, other] = [`me-${run}`, `me-other-${run}`];
    await page_(key, page, person.alias, first);
    await mailWith(first);
    await page_(key, page, person.alias, other);
    await mailWith(other);

    const phone = await phonePage(browser);
    await signIn(phone, username, password);
    // The home page lists both open pages and leads to My pages in one tap.
    await expectPath(phone, '/');
    await expect(phone.getByTestId('home-open-pages')).toContainText(`(${first})`);
    await expect(phone.getByTestId('home-open-pages')).toContainText(`(${other})`);
    await expect(phone.getByTestId('home-to-me')).toBeVisible();
    // On a phone the user's name sits in the folded menu.
    const toggle = phone.getByTestId('menu-toggle');
    if (await toggle.isVisible()) await toggle.click();
    await phone.getByTestId('current-user').click();
    await expect(phone).toHaveURL(/\/me$/);
    const open = phone.getByTestId('me-open').locator('li');
    const item = (marker: string) => open.filter({ hasText: `(${marker})` });
    await expect(item(first)).toHaveCount(1);
    await expect(item(other)).toHaveCount(1);

    await item(first).getByTestId('me-ack').click();
    await expect(item(first)).toHaveCount(0);
    await expect(item(other)).toHaveCount(1);
    await expect(phone.getByTestId('me-recent')).toContainText(`(${first})`);
    await expect(phone.getByTestId('me-nothing-open')).toHaveCount(0);

    await item(other).getByTestId('me-ack').click();
    await expect(phone.getByTestId('me-nothing-open')).toBeVisible();
    await expect(phone.getByTestId('me-recent')).toContainText(`(${other})`);
    // Home says so too: nothing waits, in the page's own words.
    await phone.goto('/');
    await expect(phone.getByTestId('home-nothing-open')).toBeVisible();
    await expect(phone.getByTestId('home-open-pages')).toHaveCount(0);
    await phone.close();
  });
});
