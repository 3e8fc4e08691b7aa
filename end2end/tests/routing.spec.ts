import { test, expect, type Page } from '@playwright/test';
import { createUser, gotoHydrated, signedIn } from './helpers';

// Runs after console.spec.ts (one worker, files in order), which created the first admin.
// A manager creates an EventBridge integration, writes a rule sending `level = critical` to a
// severity plan and Slack, dry-runs a pasted alarm event (the match and its trace), replays the stored alerts,
// saves; an event posted to the integration's URL opens an incident that shows on the alerts and
// incidents pages; a second manager's stale save is refused; a responder cannot edit rules.
// Desktop in English, a phone in Japanese.

const ADMIN = { username: 'admin', password: 'correct-horse-battery-1' };
const PASSWORD = 'alerts-password-12345';

// The demo's plans carry dedupe strings (an alarm while a plan's incident is open joins it, as in
// Incident Manager), so each flow pages through its own plan: sev1 on desktop, sev2 on the phone.
type Flow = { name: string; viewport: { width: number; height: number }; lang: 'en' | 'ja'; plan: string; opened: string };
const FLOWS: Flow[] = [
  { name: 'desktop, English', viewport: { width: 1280, height: 900 }, lang: 'en', plan: 'sev1-critical', opened: 'incident opened' },
  { name: 'phone, Japanese', viewport: { width: 390, height: 844 }, lang: 'ja', plan: 'sev2-high', opened: 'インシデント開始' },
];

const user = (flow: Flow, role: string) => `alerts-${role}-${flow.lang}`;

/** Fills the editor's empty row with a rule placed first. */
async function writeRule(page: Page, flow: Flow, integration: string): Promise<void> {
  const row = page.getByTestId('rule-new');
  await row.getByTestId('rule-position').fill('0');
  await row.getByTestId('rule-name').fill(`Critical ${flow.lang}`);
  // The condition from the builder: two tests, all of them.
  const tests = row.getByTestId('condition-test');
  await tests.nth(0).getByTestId('test-field').fill('alert.severity');
  await tests.nth(0).getByTestId('test-op').selectOption('equals');
  await tests.nth(0).getByTestId('test-value').fill('critical');
  await tests.nth(1).getByTestId('test-field').fill('alert.integration');
  await tests.nth(1).getByTestId('test-op').selectOption('equals');
  await tests.nth(1).getByTestId('test-value').fill(integration);
  await row.getByTestId('rule-firing').selectOption('incident');
  await row.getByTestId('rule-target').fill(flow.plan);
  await row.getByTestId('rule-notify').fill(`https://hooks.slack.com/services/T0/B0/${flow.lang}`);
}

test.describe.serial('alerts in, routed by severity', () => {
  test.beforeAll(async ({ browser }) => {
    const admin = await signedIn(browser, FLOWS[0].viewport, 'en', ADMIN.username, ADMIN.password);
    for (const flow of FLOWS) {
      for (const role of ['manager', 'manager2', 'responder']) {
        await createUser(admin.page, user(flow, role), role, PASSWORD);
      }
    }
    await admin.context.close();
  });

  for (const flow of FLOWS) {
    test(`${flow.name}: integration, rule with dry run and replay, an event opens an incident`, async ({ browser }) => {
      const m = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'manager'), PASSWORD);
      const page = m.page;
      const integration = `cw-${flow.lang}`;

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
      const other = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'manager2'), PASSWORD);
      await gotoHydrated(other.page, '/routing/rules');

      // The rule, dry-run on a pasted alarm: it matches, with its trace.
      await gotoHydrated(page, '/routing/rules');
      await writeRule(page, flow, integration);
      await page.getByTestId('dry-run-integration').selectOption({ label: `${integration} (eventbridge)` });
      await page.getByTestId('dry-run-event').fill('{"level":"critical","alarm":"CheckoutErrors","state":"ALARM"}');
      await page.getByTestId('dry-run').click();
      await expect(page.getByTestId('dry-run-result')).toBeVisible();
      await expect(page.getByTestId('dry-run-match')).toHaveText(`Critical ${flow.lang}`);
      await expect(page.getByTestId('dry-run-action')).toContainText(flow.plan);
      await expect(page.getByTestId('dry-run-result').getByTestId('trace-step').first()).toHaveAttribute('data-result', 'matched');
      // The builder's condition, as the CEL that runs.
      await expect(page.getByTestId('rule').first().getByTestId('rule-condition')).toHaveValue(
        `alert.severity == "critical" && alert.integration == "${integration}"`,
      );

      // Replay the stored alerts through the draft, then save.
      await page.getByTestId('replay').click();
      await expect(page.getByTestId('replay-result')).toBeVisible();
      await expect(page.getByTestId('rule').first().getByTestId('rule-name')).toHaveValue(`Critical ${flow.lang}`);
      await page.getByTestId('rules-save').click();
      await expect(page.getByTestId('rules-saved')).toBeVisible();

      // The second manager's save from the older version is refused, with both versions.
      await other.page.getByTestId('rule').first().getByTestId('rule-impact').fill('2');
      await other.page.getByTestId('rules-save').click();
      await expect(other.page.getByTestId('conflict')).toBeVisible();
      await expect(other.page.getByTestId('conflict-theirs')).toContainText(`Critical ${flow.lang}`);
      await other.context.close();

      // An alarm posted to the integration opens an incident from the rule's plan.
      const posted = await page.request.post(new URL(url).pathname, {
        data: { level: 'critical', alarm: `CheckoutErrors ${flow.lang}`, state: 'ALARM' },
        headers: { Authorization: `Bearer ${secret}` },
      });
      expect(posted.status(), await posted.text()).toBe(202);
      const row = page.getByTestId('alert-row').filter({ hasText: `CheckoutErrors ${flow.lang}` });
      await expect
        .poll(async () => {
          await gotoHydrated(page, '/routing/alerts');
          return row.getByTestId('alert-outcome').textContent();
        })
        .toContain(flow.opened);
      await row.getByRole('link').first().click();
      await expect(page.getByTestId('trace-step').first()).toContainText(`Critical ${flow.lang}`);
      await page.getByTestId('alert-incident').click();
      await expect(page.getByTestId('incident-title')).toHaveText(`CheckoutErrors ${flow.lang}`);
      await gotoHydrated(page, '/incidents');
      await expect(page.getByTestId('incident-row').filter({ hasText: `CheckoutErrors ${flow.lang}` })).toHaveCount(1);

      // A maintenance window keeps a deploy's alarm quiet; the alarm stays visible, suppressed.
      await gotoHydrated(page, '/routing/maintenance');
      await page.getByTestId('maintenance-note').fill(`Deploy ${flow.lang}`);
      await page.getByTestId('maintenance-condition').fill(`alert.title.startsWith("Deploy ${flow.lang}")`);
      await page.getByTestId('create-maintenance').click();
      await expect(page.getByTestId('maintenance-saved')).toBeVisible();
      const window = page.getByTestId('maintenance-window').filter({ hasText: `Deploy ${flow.lang}` });
      await expect(window).toHaveAttribute('data-state', 'in force');
      const quiet = await page.request.post(new URL(url).pathname, {
        data: { level: 'critical', alarm: `Deploy ${flow.lang} canary`, state: 'ALARM' },
        headers: { Authorization: `Bearer ${secret}` },
      });
      expect(quiet.status()).toBe(202);
      const suppressed = page.getByTestId('alert-row').filter({ hasText: `Deploy ${flow.lang} canary` });
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

    test(`${flow.name}: a responder reads the rules but cannot edit them`, async ({ browser }) => {
      const r = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'responder'), PASSWORD);
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
