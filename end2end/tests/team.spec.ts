import { test, expect, type Page } from '@playwright/test';
import { expectPath, gotoHydrated, ownAddress, signedIn, unique } from './helpers';
import { adminSession, makeUser } from './data';
import { linkIn, mailWith } from './mail';

// A manager builds "e-mail first, a call 10 minutes later, then the secondary on call" for a new
// team from scratch: two people, their channels activated with the codes taken from the outbox,
// the seed's preset for the first one's own plan, a rotation of the second one and an on-call
// schedule on it, an escalation plan whose simulated timeline follows the stages, and a response
// plan; then runs a drill, the person acknowledges from the e-mail's link, and the drill report
// shows the time to acknowledge. Desktop in English, a phone in Japanese. Every name is this
// run's own.

const PASSWORD = 'team-password-12345';

type Flow = { name: string; viewport: { width: number; height: number }; lang: 'en' | 'ja' };
const FLOWS: Flow[] = [
  { name: 'desktop, English', viewport: { width: 1280, height: 900 }, lang: 'en' },
  { name: 'phone, Japanese', viewport: { width: 390, height: 844 }, lang: 'ja' },
];

/** A Japanese mobile number no other run has used. */
const phoneNumber = () => `+8190${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

/** The activation code the outbox holds for `address` (the Deliveries page, managers only). */
async function codeFor(page: Page, address: string): Promise<string> {
  await gotoHydrated(page, '/deliveries');
  const row = page.getByTestId('delivery-row').filter({ hasText: address }).first();
  const text = (await row.textContent()) ?? '';
  const code = text.match(/activation code: (\d{6,10})/);
  expect(code, text).not.toBeNull();
  return code![1];
}

test.describe.serial('a team from scratch', () => {
  const managers = new Map<string, string>();
  test.beforeAll(async ({ browser }) => {
    const admin = await adminSession(browser);
    for (const flow of FLOWS) {
      managers.set(flow.lang, (await makeUser(admin.page, `team-manager-${flow.lang}`, 'manager', PASSWORD)).username);
    }
    await admin.context.close();
  });

  for (const flow of FLOWS) {
    test(`${flow.name}: person, channels, preset, plan with a live timeline, drill acknowledged`, async ({ browser }) => {
      const manager = managers.get(flow.lang)!;
      const m = await signedIn(browser, flow.viewport, flow.lang, manager, PASSWORD);
      const page = m.page;
      const alias = unique(`kato-${flow.lang}`);
      const number = phoneNumber();
      const mail = `${alias}@example.com`;

      // The person.
      await gotoHydrated(page, '/escalation');
      await page.getByTestId('person-alias').fill(alias);
      await page.getByTestId('person-display-name').fill(`加藤 ${alias}`);
      await page.getByTestId('add-person-submit').click();
      await expectPath(page, `/escalation/people/${alias}`);
      await expect(page.getByTestId('no-working-channel')).toBeVisible();
      // The empty list says what to add.
      await expect(page.getByTestId('no-channels')).toBeVisible();

      // Two channels; a wrong number is refused next to its field.
      const addChannel = async (name: string, kind: string, address: string) => {
        await page.getByTestId('channel-name').fill(name);
        await page.getByTestId('channel-kind').selectOption(kind);
        await page.getByTestId('channel-address').fill(address);
        await page.getByTestId('add-channel-submit').click();
      };
      await addChannel('Phone', 'voice', '090-0000');
      await expect(page.locator('[data-field="address"]')).toBeVisible();
      await addChannel('Mail', 'email', mail);
      await expect(page.getByTestId('channel-added')).toBeVisible();
      await addChannel('Phone', 'voice', number);
      await expect(page.getByTestId('channel')).toHaveCount(2);
      // This console has no SMS/voice gateway: the note says the code waits in the outbox.
      await expect(page.getByTestId('channel-added')).toContainText(
        flow.lang === 'en' ? 'no SMS/voice gateway is configured' : 'SMS/音声のゲートウェイが設定されていません',
      );

      // Activation with the codes from the outbox.
      const codes = { Mail: await codeFor(page, mail), Phone: await codeFor(page, number) };
      await gotoHydrated(page, `/escalation/people/${alias}`);
      for (const [name, code] of Object.entries(codes)) {
        const row = page.locator(`[data-testid="channel"][data-channel="${name}"]`);
        await row.getByTestId('activation-code').fill(code);
        await row.getByTestId('activate-channel').getByRole('button').click();
        await expect(page.getByTestId('channel-activated')).toBeVisible();
      }
      await expect(page.getByTestId('no-working-channel')).toHaveCount(0);

      // The seed's order for their own plan: e-mail now, a call 10 minutes later.
      await page.locator('[data-preset="email-call-10"]').click();
      await expect(page.getByTestId('personal-plan-saved')).toBeVisible();
      await expect(page.getByTestId('person-timeline')).toContainText('+10');

      // The secondary: a second person with a working e-mail, on a new rotation and schedule.
      const second = unique(`mori-${flow.lang}`);
      await gotoHydrated(page, '/escalation');
      await page.getByTestId('person-alias').fill(second);
      await page.getByTestId('person-display-name').fill(`森 ${second}`);
      await page.getByTestId('add-person-submit').click();
      await expectPath(page, `/escalation/people/${second}`);
      await addChannel('Mail', 'email', `${second}@example.com`);
      await expect(page.getByTestId('channel-added')).toBeVisible();
      const secondCode = await codeFor(page, `${second}@example.com`);
      await gotoHydrated(page, `/escalation/people/${second}`);
      await page.getByTestId('activation-code').fill(secondCode);
      await page.getByTestId('activate-channel').getByRole('button').click();
      await expect(page.getByTestId('channel-activated')).toBeVisible();

      const rotation = `Kato secondary ${unique(flow.lang)}`;
      await gotoHydrated(page, '/rotations');
      await page.getByTestId('new-rotation').click();
      await expectPath(page, '/rotations/new');
      await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
      await page.getByTestId('edit-name').fill(rotation);
      await page.getByTestId('member-add').selectOption(second);
      await page.getByTestId('member-add-button').click();
      await expect(page.getByTestId('member')).toHaveCount(1);
      await page.getByTestId('edit-zone').fill('Asia/Tokyo');
      await expect(page.getByTestId('preview-shift').first()).toContainText(`森 ${second}`);
      await page.getByTestId('save').click();
      await expect(page.getByTestId('edit-link')).toBeVisible();
      await expect(page.getByTestId('rotation-name')).toHaveText(rotation);
      await expect(page.getByTestId('saved-note')).toContainText(
        flow.lang === 'en' ? 'Rotation created.' : 'ローテーションを作成しました。',
      );

      const schedule = unique(`kato-secondary-${flow.lang}`);
      await gotoHydrated(page, '/escalation/new-schedule');
      await page.getByTestId('schedule-alias').fill(schedule);
      await page.getByTestId('schedule-name').fill(`Kato secondary on call ${schedule}`);
      await page.getByTestId('schedule-rotation').filter({ hasText: rotation }).locator('input[type="checkbox"]').check();
      await page.getByTestId('schedule-save').click();
      await expectPath(page, `/escalation/schedules/${schedule}`);

      // Their escalation plan: them first, then the secondary on call 20 minutes later.
      const plan = unique(`kato-team-${flow.lang}`);
      await gotoHydrated(page, '/escalation/new-plan');
      await page.getByTestId('plan-alias').fill(plan);
      await page.getByTestId('plan-name').fill(`Kato team ${plan}`);
      await page.getByTestId('stage-add').click();
      await page.getByTestId('stage').nth(0).getByTestId('stage-targets').fill(alias);
      await page.getByTestId('stage').nth(0).getByTestId('stage-minutes').fill('20');
      await expect(page.getByTestId('timeline-step')).toHaveCount(2);
      await page.getByTestId('stage-add').click();
      await page.getByTestId('stage').nth(1).getByTestId('stage-targets').fill(schedule);
      await expect.poll(async () => page.getByTestId('timeline-step').count()).toBeGreaterThan(2);
      await expect(page.getByTestId('plan-timeline-body')).toContainText('+20');
      await expect(page.getByTestId('timeline-step').last()).toContainText(`森 ${second}`);
      await page.getByTestId('plan-save').click();
      await expectPath(page, `/escalation/plans/${plan}`);

      // A response plan that engages it when an incident starts.
      const responsePlan = unique(`kato-rp-${flow.lang}`);
      await gotoHydrated(page, '/routing/new-plan');
      await page.getByTestId('rp-name').fill(responsePlan);
      await page.getByTestId('rp-display-name').fill(`Kato incidents ${responsePlan}`);
      await page.getByTestId('rp-title').fill('Checkout errors / 決済エラー');
      await page.getByTestId('rp-impact').selectOption('2');
      await page.locator('label.check', { hasText: plan }).locator('input[type="checkbox"]').check();
      await page.getByTestId('rp-save').click();
      await expectPath(page, `/routing/plans/${responsePlan}`);
      await gotoHydrated(page, '/routing');
      await expect(page.locator(`[data-testid="response-plan"][data-name="${responsePlan}"]`)).toContainText(plan);
      await gotoHydrated(page, `/escalation/plans/${plan}`);

      // A drill: the person is paged for real, marked as a drill, and acknowledges from the e-mail.
      await page.getByTestId('run-drill-submit').click();
      await expect(page.getByTestId('drill-report')).toBeVisible();
      const report = page.url();
      const message = await mailWith(`(${manager})`);
      expect(message.toLowerCase()).toContain('drill');
      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, ...ownAddress() });
      const ack = await phone.newPage();
      await ack.goto(linkIn(message));
      await ack.getByTestId('ack-button').click();
      await expect(ack.getByTestId('ack-done')).toBeVisible();
      await phone.close();

      await page.goto(report);
      const row = page.getByTestId('drill-person').filter({ hasText: `加藤 ${alias}` });
      await expect(row.getByTestId('drill-person-ack')).not.toHaveText('—');
      await expect(page.getByTestId('drill-summary')).toContainText(`加藤 ${alias}`);
      await gotoHydrated(page, '/escalation/drills');
      await expect(page.getByTestId('drill-row').filter({ hasText: `Kato team ${plan}` })).toHaveCount(1);
      await m.context.close();
    });
  }
});
