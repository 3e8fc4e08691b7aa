import { test, expect, type Page } from '@playwright/test';
import { expectPath, gotoHydrated, signedIn, unique } from './helpers';
import { adminSession, makePerson, makeRotation, makeSchedule, makeUser } from './data';

// A manager builds an escalation plan from scratch in the editor, watching the simulated
// timeline change as stages change; a second manager's stale save is refused; a viewer cannot
// edit. Desktop in English, a phone in Japanese. The plan pages people of this run's own: the
// on-call schedule of a rotation of one, then another person.

const PASSWORD = 'plans-password-1234';

type Flow = { name: string; viewport: { width: number; height: number }; lang: 'en' | 'ja'; saved: RegExp };
const FLOWS: Flow[] = [
  { name: 'desktop, English', viewport: { width: 1280, height: 900 }, lang: 'en', saved: /Escalation plan saved/ },
  { name: 'phone, Japanese', viewport: { width: 390, height: 844 }, lang: 'ja', saved: /保存しました/ },
];

/** The timeline's lines as text. */
async function timeline(page: Page): Promise<string[]> {
  return page.getByTestId('timeline-step').allTextContents();
}

/** Fills stage `i` of the stage list (the island's rows). */
async function setStage(page: Page, i: number, targets: string, minutes: string): Promise<void> {
  const row = page.getByTestId('stage').nth(i);
  await row.getByTestId('stage-targets').fill(targets);
  await row.getByTestId('stage-minutes').fill(minutes);
}

test.describe.serial('escalation plan editor', () => {
  const users = new Map<string, string>();
  const user = (flow: Flow, role: string) => users.get(`${role}-${flow.lang}`)!;
  // The first stage's on-call schedule and the second stage's person.
  let schedule = '';
  let second = '';

  test.beforeAll(async ({ browser }) => {
    const admin = await adminSession(browser);
    for (const flow of FLOWS) {
      for (const role of ['manager', 'manager2', 'viewer']) {
        const made = await makeUser(admin.page, `plans-${role}-${flow.lang}`, role.replace(/\d$/, ''), PASSWORD);
        users.set(`${role}-${flow.lang}`, made.username);
      }
    }
    const first = await makePerson(admin.page, 'plans-first', 'en');
    second = (await makePerson(admin.page, 'plans-second', 'ja')).alias;
    const rotation = await makeRotation(admin.page, `Plans primary ${unique('r')}`, [first.alias], 'weekly', 'Mon 10:00');
    schedule = await makeSchedule(admin.page, 'plans-primary', [rotation]);
    await admin.context.close();
  });

  for (const flow of FLOWS) {
    test(`${flow.name}: build a plan with a live timeline, save, stale save refused, viewer cannot edit`, async ({ browser }) => {
      const a = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'manager'), PASSWORD);
      const alias = unique(`team-${flow.lang}`);

      await gotoHydrated(a.page, '/escalation');
      await a.page.getByTestId('new-plan').click();
      await expectPath(a.page, '/escalation/new-plan');
      await gotoHydrated(a.page, '/escalation/new-plan');
      await a.page.getByTestId('plan-alias').fill(alias);
      await a.page.getByTestId('plan-name').fill(`Team ${flow.lang}`);
      // No stages yet: nobody is paged.
      await expect(a.page.getByTestId('plan-timeline-empty')).toBeVisible();

      // The primary on call first, then (10 minutes later) the second person: the timeline follows.
      await a.page.getByTestId('stage-add').click();
      await setStage(a.page, 0, schedule, '10');
      await expect(a.page.getByTestId('timeline-step').first()).toContainText('+0');
      const primaryOnly = await timeline(a.page);
      await a.page.getByTestId('stage-add').click();
      await setStage(a.page, 1, second, '10');
      await expect.poll(async () => (await timeline(a.page)).length).toBeGreaterThan(primaryOnly.length);
      const both = await timeline(a.page);
      expect(both.some((l) => l.includes('+10'))).toBe(true);

      // Each target has the switch "acknowledging stops the escalation", on for new ones; turned
      // off, the stage's text says so and "If acknowledged" says the escalation goes on.
      const second_ = a.page.getByTestId('stage').nth(1);
      await expect(second_.getByTestId('stage-stops')).toBeChecked();
      await expect(a.page.getByTestId('ack-effect')).toHaveCount(2);
      await second_.getByTestId('stage-stops').uncheck();
      await expect(second_.getByTestId('stage-targets')).toHaveValue(`${second}~`);
      await expect(a.page.locator('[data-testid="ack-effect"][data-stage="1"]')).toContainText(flow.lang === 'en' ? 'not stopped' : '止まりません');
      await second_.getByTestId('stage-stops').check();
      await expect(second_.getByTestId('stage-targets')).toHaveValue(second);
      await expect(a.page.locator('[data-testid="ack-effect"][data-stage="0"]')).toContainText(flow.lang === 'en' ? 'the escalation stops' : 'エスカレーションが止まり');

      // A 45-minute stage is over Incident Manager's cap: said next to it, as you type.
      await setStage(a.page, 1, second, '45');
      await expect(a.page.getByTestId('stage-errors')).toContainText(flow.lang === 'en' ? 'Stage 2' : 'ステージ 2');
      await setStage(a.page, 1, second, '10');
      await expect(a.page.getByTestId('stage-errors')).toHaveText('');

      // Reorder by keyboard: the second person first. The timeline changes with it.
      await a.page.getByTestId('stage').nth(1).focus();
      await a.page.keyboard.press('Alt+ArrowUp');
      await expect(a.page.getByTestId('stage').nth(0).getByTestId('stage-targets')).toHaveValue(second);
      await expect.poll(() => timeline(a.page)).not.toEqual(both);
      // And back with the button.
      await a.page.getByTestId('stage').nth(1).getByTestId('stage-up').click();
      await expect(a.page.getByTestId('stage').nth(0).getByTestId('stage-targets')).toHaveValue(schedule);
      await expect.poll(() => timeline(a.page)).toEqual(both);

      // Repeat twice: saved as four stages.
      await a.page.getByTestId('plan-repeat').fill('2');
      await expect(a.page.getByTestId('plan-stage-count')).toHaveText('4');
      await a.page.getByTestId('plan-save').click();
      await expectPath(a.page, `/escalation/plans/${alias}`);
      await expect(a.page.getByText(flow.saved)).toBeVisible();
      await expect(a.page.getByTestId('stage')).toHaveCount(4);

      // Two managers open the same plan; the first saves; the second's save is refused.
      const b = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'manager2'), PASSWORD);
      await gotoHydrated(a.page, `/escalation/plans/${alias}`);
      await gotoHydrated(b.page, `/escalation/plans/${alias}`);
      await a.page.getByTestId('stage').nth(3).getByTestId('stage-remove').click();
      await a.page.getByTestId('plan-save').click();
      await expect(a.page.getByText(flow.saved)).toBeVisible();
      await setStage(b.page, 0, second, '5');
      await b.page.getByTestId('plan-save').click();
      await expect(b.page.getByTestId('conflict')).toBeVisible();
      await expect(b.page.getByTestId('conflict-yours')).toContainText(`5: ${second}`);
      await gotoHydrated(a.page, `/escalation/plans/${alias}`);
      await expect(a.page.getByTestId('stage')).toHaveCount(3);
      await expect(a.page.getByTestId('stage').nth(0).getByTestId('stage-targets')).toHaveValue(schedule);

      // A viewer reads the plan and its timeline but cannot open the editor.
      const v = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'viewer'), PASSWORD);
      await gotoHydrated(v.page, '/escalation');
      await expect(v.page.locator(`[data-testid="escalation-plan"][data-alias="${alias}"]`)).toBeVisible();
      await expect(v.page.getByTestId('edit-plan')).toHaveCount(0);
      await expect(v.page.getByTestId('new-plan')).toHaveCount(0);
      await v.page.goto(`/escalation/plans/${alias}`);
      await expect(v.page.getByTestId('forbidden')).toBeVisible();

      for (const s of [a, b, v]) await s.context.close();
    });
  }
});
