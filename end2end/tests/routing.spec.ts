import { test, expect, type Page } from '@playwright/test';
import { gotoHydrated, signedIn, unique } from './helpers';
import { adminSession, makePerson, makeResponsePlan, makeUser } from './data';

// A manager creates an EventBridge integration, writes a rule sending `level = critical` to a
// severity plan and Slack, dry-runs a pasted alarm event (the match and its trace), replays the stored alerts,
// saves; an event posted to the integration's URL opens an incident that shows on the alerts and
// incidents pages; a second manager's stale save is refused; a responder cannot edit rules.
// Desktop in English, a phone in Japanese.

const PASSWORD = 'alerts-password-12345';

// Each flow pages through a response plan of its own (without a dedupe string, so its alarm opens
// an incident of its own), paging a person of its own.
type Flow = { name: string; viewport: { width: number; height: number }; lang: 'en' | 'ja'; opened: string };
const FLOWS: Flow[] = [
  { name: 'desktop, English', viewport: { width: 1280, height: 900 }, lang: 'en', opened: 'incident opened' },
  { name: 'phone, Japanese', viewport: { width: 390, height: 844 }, lang: 'ja', opened: 'インシデント開始' },
];

/** This run's names for one flow: its users by role, plan, integration, rule and alarm. */
type Run = { users: Map<string, string>; plan: string; integration: string; rule: string; alarm: string };

/** Fills the editor's empty row with a rule placed first. */
async function writeRule(page: Page, run: Run): Promise<void> {
  const row = page.getByTestId('rule-new');
  await row.getByTestId('rule-position').fill('0');
  await row.getByTestId('rule-name').fill(run.rule);
  // The condition from the builder: two tests, all of them.
  const tests = row.getByTestId('condition-test');
  await tests.nth(0).getByTestId('test-field').fill('alert.severity');
  await tests.nth(0).getByTestId('test-op').selectOption('equals');
  await tests.nth(0).getByTestId('test-value').fill('critical');
  await tests.nth(1).getByTestId('test-field').fill('alert.integration');
  await tests.nth(1).getByTestId('test-op').selectOption('equals');
  await tests.nth(1).getByTestId('test-value').fill(run.integration);
  await row.getByTestId('rule-firing').selectOption('incident');
  await row.getByTestId('rule-target').fill(run.plan);
  await row.getByTestId('rule-notify').fill(`https://hooks.slack.com/services/T0/B0/${run.rule.replace(/\W/g, '')}`);
}

test.describe.serial('alerts in, routed by severity', () => {
  const runs = new Map<string, Run>();
  test.beforeAll(async ({ browser }) => {
    const admin = await adminSession(browser);
    for (const flow of FLOWS) {
      const users = new Map<string, string>();
      for (const role of ['manager', 'manager2', 'responder']) {
        users.set(role, (await makeUser(admin.page, `alerts-${role}-${flow.lang}`, role.replace(/\d$/, ''), PASSWORD)).username);
      }
      const person = await makePerson(admin.page, `alerts-${flow.lang}`, flow.lang);
      const plan = await makeResponsePlan(admin.page, `alerts-${flow.lang}`, [person.alias], { impact: '1' });
      const id = unique(flow.lang);
      runs.set(flow.lang, { users, plan, integration: `cw-${id}`, rule: `Critical ${id}`, alarm: `CheckoutErrors ${id}` });
    }
    await admin.context.close();
  });

  for (const flow of FLOWS) {
    test(`${flow.name}: integration, rule with dry run and replay, an event opens an incident`, async ({ browser }) => {
      const run = runs.get(flow.lang)!;
      const { integration } = run;
      const m = await signedIn(browser, flow.viewport, flow.lang, run.users.get('manager')!, PASSWORD);
      const page = m.page;

      // The integration: its secret and how to wire EventBridge, shown once.
      await gotoHydrated(page, '/routing/integrations');
      await page.getByTestId('integration-name').fill(integration);
      await page.getByTestId('integration-kind').selectOption('eventbridge');
      await page.getByTestId('create-integration').click();
      await expect(page.getByTestId('issued-secret')).toBeVisible();
      const url = (await page.getByTestId('issued-url').textContent())!.trim();
      const secret = (await page.getByTestId('issued-value').textContent())!.trim();
      await expect(page.getByTestId('wiring')).toContainText('create-api-destination');
      await gotoHydrated(page, '/routing/integrations');
      await expect(page.getByTestId('issued-secret')).toHaveCount(0);

      // A second manager opens the rules now, and will save later from this version.
      const other = await signedIn(browser, flow.viewport, flow.lang, run.users.get('manager2')!, PASSWORD);
      await gotoHydrated(other.page, '/routing/rules');

      // The rule, dry-run on a pasted alarm: it matches, with its trace.
      await gotoHydrated(page, '/routing/rules');
      await writeRule(page, run);
      await page.getByTestId('dry-run-integration').selectOption({ label: `${integration} (eventbridge)` });
      await page.getByTestId('dry-run-event').fill('{"level":"critical","alarm":"CheckoutErrors","state":"ALARM"}');
      await page.getByTestId('dry-run').click();
      await expect(page.getByTestId('dry-run-result')).toBeVisible();
      await expect(page.getByTestId('dry-run-match')).toHaveText(run.rule);
      await expect(page.getByTestId('dry-run-action')).toContainText(run.plan);
      await expect(page.getByTestId('dry-run-result').getByTestId('trace-step').first()).toHaveAttribute('data-result', 'matched');
      // The builder's condition, as the CEL that runs.
      await expect(page.getByTestId('rule').first().getByTestId('rule-condition')).toHaveValue(
        `alert.severity == "critical" && alert.integration == "${integration}"`,
      );

      // Replay the stored alerts through the draft, then save.
      await page.getByTestId('replay').click();
      await expect(page.getByTestId('replay-result')).toBeVisible();
      await expect(page.getByTestId('rule').first().getByTestId('rule-name')).toHaveValue(run.rule);
      await page.getByTestId('rules-save').click();
      await expect(page.getByTestId('rules-saved')).toBeVisible();

      // The second manager's save from the older version is refused, with both versions.
      await other.page.getByTestId('rule').first().getByTestId('rule-impact').fill('2');
      await other.page.getByTestId('rules-save').click();
      await expect(other.page.getByTestId('conflict')).toBeVisible();
      await expect(other.page.getByTestId('conflict-theirs')).toContainText(run.rule);
      await other.context.close();

      // An alarm posted to the integration opens an incident from the rule's plan.
      const posted = await page.request.post(new URL(url).pathname, {
        data: { level: 'critical', alarm: run.alarm, state: 'ALARM' },
        headers: { Authorization: `Bearer ${secret}` },
      });
      expect(posted.status(), await posted.text()).toBe(202);
      const row = page.getByTestId('alert-row').filter({ hasText: run.alarm });
      await expect
        .poll(async () => {
          await gotoHydrated(page, '/routing/alerts');
          return row.getByTestId('alert-outcome').textContent();
        })
        .toContain(flow.opened);
      await row.getByRole('link').first().click();
      await expect(page.getByTestId('trace-step').first()).toContainText(run.rule);
      await page.getByTestId('alert-incident').click();
      await expect(page.getByTestId('incident-title')).toHaveText(run.alarm);
      await gotoHydrated(page, '/incidents');
      await expect(page.getByTestId('incident-row').filter({ hasText: run.alarm })).toHaveCount(1);

      // A maintenance window keeps a deploy's alarm quiet; the alarm stays visible, suppressed.
      await gotoHydrated(page, '/routing/maintenance');
      await page.getByTestId('maintenance-note').fill(`Deploy ${integration}`);
      await page.getByTestId('maintenance-condition').fill(`alert.title.startsWith("Deploy ${integration}")`);
      await page.getByTestId('create-maintenance').click();
      await expect(page.getByTestId('maintenance-saved')).toBeVisible();
      const window = page.getByTestId('maintenance-window').filter({ hasText: `Deploy ${integration}` });
      await expect(window).toHaveAttribute('data-state', 'in force');
      const quiet = await page.request.post(new URL(url).pathname, {
        data: { level: 'critical', alarm: `Deploy ${integration} canary`, state: 'ALARM' },
        headers: { Authorization: `Bearer ${secret}` },
      });
      expect(quiet.status()).toBe(202);
      const suppressed = page.getByTestId('alert-row').filter({ hasText: `Deploy ${integration} canary` });
      await expect
        .poll(async () => {
          await gotoHydrated(page, '/routing/alerts');
          return suppressed.getByTestId('alert-outcome').textContent();
        })
        .toContain(flow.lang === 'en' ? 'suppressed by a maintenance window' : 'メンテナンスにより抑止');
      await gotoHydrated(page, '/routing/maintenance');
      await expect(window.getByTestId('maintenance-suppressed')).toHaveText('1');
      await window.getByTestId('end-maintenance').click();
      await expect(window).toHaveAttribute('data-state', 'ended');
      await m.context.close();
    });

    test(`${flow.name}: a draft explains itself: order, rules that never fire, labels, errors`, async ({ browser }) => {
      const run = runs.get(flow.lang)!;
      const m = await signedIn(browser, flow.viewport, flow.lang, run.users.get('manager')!, PASSWORD);
      const page = m.page;
      await gotoHydrated(page, '/routing/rules');
      // The new rule's row sits above the catch-all, which stays last.
      const fresh = page.getByTestId('rule-new');
      const pinned = page.getByTestId('rule-pinned');
      await expect(pinned).toHaveCount(1);
      expect((await fresh.boundingBox())!.y).toBeLessThan((await pinned.boundingBox())!.y);

      // A draft rule without a condition, numbered 1: it goes first, and every rule behind it
      // is marked as never firing. Nothing is saved.
      const everything = `Everything ${unique(flow.lang)}`;
      await fresh.getByTestId('rule-position').fill('1');
      await fresh.getByTestId('rule-name').fill(everything);
      await fresh.getByTestId('rule-firing').selectOption('notify');
      await page.getByTestId('dry-run-integration').selectOption({ index: 0 });
      await page.getByTestId('dry-run-event').fill('{"title":"Checkout slow","labels":{"service":"payments"}}');
      await page.getByTestId('dry-run').click();
      await expect(page.getByTestId('dry-run-match')).toHaveText(everything);
      await expect(page.getByTestId('rule').first().getByTestId('rule-name')).toHaveValue(everything);
      await expect(page.getByTestId('rule-never-matches').first()).toContainText(everything);
      // The alert as conditions see it, nested labels included.
      await page.getByTestId('dry-run-seen').locator('summary').click();
      await expect(page.getByTestId('dry-run-field').filter({ hasText: 'alert.labels.service' })).toContainText('payments');

      // A condition naming a label the alert lacks: the trace says so in the reader's language.
      await page.getByTestId('rule').first().getByTestId('rule-condition').fill('alert.labels.team == "web"');
      await page.getByTestId('dry-run').click();
      const step = page.getByTestId('dry-run-result').getByTestId('trace-step').first();
      await expect(step).toContainText(flow.lang === 'en' ? 'has no field or label “team”' : 'アラートに「team」という項目やラベルはありません');

      // Moved down a place with its button: the draft comes back reordered, as typed, unsaved.
      await page.getByTestId('rule').first().getByTestId('rule-down').click();
      await expect(page.getByTestId('rules-reordered')).toBeVisible();
      await expect(page.getByTestId('rule').nth(1).getByTestId('rule-name')).toHaveValue(everything);
      await expect(page.getByTestId('rule').nth(1).getByTestId('rule-condition')).toHaveValue('alert.labels.team == "web"');
      await expect(page.getByTestId('rule').first().getByTestId('rule-up')).toBeDisabled();
      await expect(page.getByTestId('rules-saved')).toHaveCount(0);
      await m.context.close();
    });

    test(`${flow.name}: a responder reads the rules but cannot edit them`, async ({ browser }) => {
      const r = await signedIn(browser, flow.viewport, flow.lang, runs.get(flow.lang)!.users.get('responder')!, PASSWORD);
      await gotoHydrated(r.page, '/routing/rules');
      await expect(r.page.getByTestId('view-only')).toBeVisible();
      await expect(r.page.getByTestId('rules-form')).toHaveCount(0);
      await expect(r.page.getByTestId('rule').first()).toBeVisible();
      await gotoHydrated(r.page, '/routing/integrations');
      await expect(r.page.getByTestId('new-integration')).toHaveCount(0);
      await expect(r.page.getByTestId('rotate-secret')).toHaveCount(0);
      await r.context.close();
    });
  }
});
