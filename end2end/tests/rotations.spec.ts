import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { gotoHydrated, signedIn, unique } from './helpers';
import { adminSession, linkUser, makePerson, makeRotation, makeUser } from './data';

// Each flow has a rotation of its own, of people of its own, a viewport and a language: desktop
// in English on a weekly rotation of four, a phone in Japanese on a daily rotation of three.

const PASSWORD = 'rotation-password-123';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

type Flow = {
  name: string;
  kind: 'weekly' | 'daily';
  times: string;
  people: number;
  viewport: { width: number; height: number };
  lang: 'en' | 'ja';
  save: string;
};
const FLOWS: Flow[] = [
  { name: 'desktop, English', kind: 'weekly', times: 'Mon 10:00', people: 4, viewport: DESKTOP, lang: 'en', save: 'Save' },
  { name: 'phone, Japanese', kind: 'daily', times: '10:00', people: 3, viewport: PHONE, lang: 'ja', save: '保存' },
];

/** Signs `username` in, in a fresh context with the flow's viewport and language. */
function as(browser: Browser, flow: Flow, username: string, password = PASSWORD): Promise<{ context: BrowserContext; page: Page }> {
  return signedIn(browser, flow.viewport, flow.lang, username, password);
}

async function openRotation(page: Page, name: string): Promise<string> {
  await gotoHydrated(page, '/rotations');
  await page.getByTestId('rotation-search').fill(name.toLowerCase());
  await page.getByTestId('rotation-search').press('Enter');
  await expect(page.getByTestId('rotation')).toHaveCount(1);
  await page.getByTestId('open-rotation').click();
  await expect(page.getByTestId('calendar')).toBeVisible();
  await expect(page.getByTestId('shift').first()).toBeVisible();
  return new URL(page.url()).pathname;
}

test.describe.serial('rotations editor', () => {
  let admin: { context: BrowserContext; page: Page };
  // Per flow: its users by role, its rotation's name and its members in order.
  const users = new Map<string, { username: string; id: number }>();
  const user = (flow: Flow, role: string) => users.get(`${role}-${flow.lang}`)!.username;
  const rotations = new Map<string, { name: string; members: string[] }>();
  const rotationOf = (flow: Flow) => rotations.get(flow.lang)!;

  test.beforeAll(async ({ browser }) => {
    admin = await adminSession(browser);
    for (const flow of FLOWS) {
      for (const role of ['manager', 'manager2', 'responder', 'responder2', 'viewer']) {
        users.set(`${role}-${flow.lang}`, await makeUser(admin.page, `rot-${role}-${flow.lang}`, role.replace(/\d$/, ''), PASSWORD));
      }
      const members: string[] = [];
      for (let i = 0; i < flow.people; i++) members.push((await makePerson(admin.page, `rot-${flow.lang}${i}`, flow.lang)).alias);
      const name = `Rota ${flow.kind} ${unique(flow.lang)}`;
      await makeRotation(admin.page, name, members, flow.kind, flow.times);
      rotations.set(flow.lang, { name, members });
    }
  });

  test.afterAll(async () => {
    await admin?.context.close();
  });

  for (const flow of FLOWS) {
    test(`${flow.name}: reorder with live preview and diff, save, history, stale edit refused`, async ({ browser }) => {
      const a = await as(browser, flow, user(flow, 'manager'));
      const b = await as(browser, flow, user(flow, 'manager2'));
      const path = await openRotation(a.page, rotationOf(flow).name);

      // Both managers open the editor on the same version.
      await gotoHydrated(a.page, `${path}/edit`);
      await gotoHydrated(b.page, `${path}/edit`);
      await expect(a.page.getByTestId('save')).toHaveText(flow.save);
      const base = Number(await a.page.getByTestId('base-version').textContent());
      const members = a.page.getByTestId('member');
      const before = await members.evaluateAll((els) => els.map((e) => e.getAttribute('data-alias')));
      const firstShift = await a.page.getByTestId('preview-shift').first().getAttribute('data-members');
      await expect(a.page.getByTestId('no-changes')).toBeVisible();

      // Reorder: by keyboard on the desktop, with the buttons on the phone.
      if (flow.viewport === DESKTOP) {
        await members.first().focus();
        await a.page.keyboard.press('Alt+ArrowDown');
      } else {
        await a.page.getByTestId('member-down').first().click();
      }
      const after = await members.evaluateAll((els) => els.map((e) => e.getAttribute('data-alias')));
      expect(after).toEqual([before[1], before[0], ...before.slice(2)]);
      // The preview and the diff changed in the browser, before anything was saved.
      await expect(a.page.getByTestId('diff-row').first()).toBeVisible();
      // (Swapping two people leaves each with the same hours over a year, so no hours line.)
      const previewFirst = await a.page.getByTestId('preview-shift').first().getAttribute('data-members');
      const shifted = before.indexOf(firstShift!) <= 1;
      if (shifted) expect(previewFirst).not.toEqual(firstShift);
      expect(Number(await a.page.getByTestId('preview').getAttribute('data-preview-ms'))).toBeGreaterThanOrEqual(0);

      await a.page.getByTestId('save').click();
      await expect(a.page.getByTestId('saved')).toBeVisible();
      const saved = Number((await a.page.getByTestId('saved').textContent())!.match(/\d+/)![0]);
      expect(saved).toBeGreaterThan(base);

      // The history shows the new version and what changed.
      await a.page.getByTestId('saved').getByTestId('history-link').click();
      const row = a.page.locator(`[data-testid="version"][data-version="${saved}"]`);
      await expect(row).toBeVisible();
      await expect(row).toContainText(user(flow, 'manager'));
      await expect(row).toContainText('→');

      // The second manager still edits the old version: the save is refused, both are shown.
      await b.page.getByTestId('member-up').last().click();
      await b.page.getByTestId('save').click();
      await expect(b.page.getByTestId('conflict')).toBeVisible();
      await expect(b.page.getByTestId('conflict-theirs')).toContainText(after.join(' → '));
      await expect(b.page.getByTestId('saved')).toHaveCount(0);
      await gotoHydrated(a.page, `${path}/history`);
      await expect(a.page.getByTestId('version').first()).toHaveAttribute('data-version', String(saved));

      await a.context.close();
      await b.context.close();
    });

    test(`${flow.name}: a responder's accepted swap shows as an override`, async ({ browser }) => {
      const r1 = await as(browser, flow, user(flow, 'responder'));
      const path = await openRotation(r1.page, rotationOf(flow).name);
      // The month shows the weekly rotation's next hand-off whatever the day (a week may not).
      const month = `${path}?view=month`;
      await gotoHydrated(r1.page, month);
      // Link the two responders to the people on the next shift and one other member.
      const now = Date.now() / 1000;
      const next = r1.page.locator('[data-testid="shift"]').filter({ has: r1.page.locator('time') });
      const starts = await next.evaluateAll((els) =>
        els.map((e) => ({ start: Number(e.getAttribute('data-start')), members: e.getAttribute('data-members') })),
      );
      const upcoming = starts.find((s) => s.start > now && s.members)!;
      const giver = upcoming.members!.split(',')[0];
      const members = await r1.page.evaluate(() => document.querySelector('[data-testid="rotation-name"]') !== null);
      expect(members).toBeTruthy();
      const taker = rotationOf(flow).members.find((m) => m !== giver)!;
      await linkUser(admin.page, users.get(`responder-${flow.lang}`)!.id, giver);
      await linkUser(admin.page, users.get(`responder2-${flow.lang}`)!.id, taker);

      await gotoHydrated(r1.page, path);
      const value = `${upcoming.start}/`;
      const option = r1.page.getByTestId('swap-shift').locator(`option[value^="${value}"]`).first();
      await r1.page.getByTestId('swap-shift').selectOption(await option.getAttribute('value'));
      await r1.page.getByTestId('swap-other').selectOption(taker);
      await r1.page.getByTestId('swap-submit').click();
      await expect(r1.page.locator('[data-testid="swap"][data-status="pending"]')).toHaveCount(1);

      const r2 = await as(browser, flow, user(flow, 'responder2'));
      await gotoHydrated(r2.page, month);
      await r2.page.getByTestId('swap-accept').click();
      await expect(r2.page.locator('[data-testid="swap"][data-status="applied"]')).toHaveCount(1);
      await expect(r2.page.locator(`[data-testid="override"][data-members*="${taker}"]`)).toHaveCount(1);
      await expect(r2.page.locator(`li.shift.override[data-start="${upcoming.start}"]`).first()).toHaveAttribute('data-members', new RegExp(taker));
      // The giver sees it too.
      await gotoHydrated(r1.page, path);
      await expect(r1.page.locator('[data-testid="swap"][data-status="applied"]')).toHaveCount(1);
      await r1.context.close();
      await r2.context.close();
    });

    test(`${flow.name}: an override for any range; an overlapping one is refused and kept`, async ({ browser }) => {
      const a = await as(browser, flow, user(flow, 'manager'));
      const path = await openRotation(a.page, rotationOf(flow).name);
      // Forty days ahead: past every shift the other tests swap, whatever the day.
      const day = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
      const add = async (from: string, to: string) => {
        await a.page.getByTestId('override-start').fill(`${day}T${from}`);
        await a.page.getByTestId('override-end').fill(`${day}T${to}`);
        await a.page.getByTestId('override-who').selectOption(rotationOf(flow).members[0]);
        await a.page.getByTestId('override-submit').click();
      };
      await add('09:00', '12:00');
      await expect(a.page.getByTestId('saved-note')).toHaveText(flow.lang === 'en' ? 'Override added.' : 'オーバーライドを追加しました。');
      // Its line says whose time it takes (or that nobody was on call then).
      await expect(a.page.getByTestId('override').filter({ hasText: `${day} 09:00` }).getByTestId('override-replaces')).toHaveText(
        flow.lang === 'en' ? /^\((in place of .+|adds cover: nobody is on call then)\)$/ : /^（(.+ の代わり|追加の当番: 本来は誰も当番でない時間)）$/,
      );
      await add('11:00', '14:00');
      await expect(a.page.getByTestId('override-form')).toContainText(
        flow.lang === 'en' ? 'overlaps another override' : '別のオーバーライド(上の一覧)と重なっています',
      );
      await expect(a.page.getByTestId('override-start')).toHaveValue(`${day}T11:00`);
      await expect(a.page.getByTestId('override-end')).toHaveValue(`${day}T14:00`);
      await a.context.close();
    });

    test(`${flow.name}: a viewer sees the rotation but cannot edit`, async ({ browser }) => {
      const v = await as(browser, flow, user(flow, 'viewer'));
      const path = await openRotation(v.page, rotationOf(flow).name);
      await expect(v.page.getByTestId('view-only')).toBeVisible();
      await expect(v.page.getByTestId('edit-link')).toHaveCount(0);
      await expect(v.page.getByTestId('override-form')).toHaveCount(0);
      await expect(v.page.getByTestId('swap-form')).toHaveCount(0);
      const res = await gotoHydrated(v.page, `${path}/edit`);
      expect(res?.status()).toBe(403);
      await expect(v.page.getByTestId('forbidden')).toBeVisible();
      await expect(v.page.getByTestId('editor')).toHaveCount(0);
      await v.context.close();
    });
  }
});
