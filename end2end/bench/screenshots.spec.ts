import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { issueApiKey, ssm, startIncident } from '../tests/ssm';
import { linkIn, mailWith } from '../tests/mail';

// Screenshots of every page, desktop and phone, English and Japanese, for a person to look at
// (`.ci/screenshots`; written to target/screenshots). Not a test of anything.

const ADMIN = { username: 'admin', password: process.env.E2E_ADMIN_PASSWORD ?? 'size-gate-password-1' };
const OUT = path.join(__dirname, '..', '..', 'target', 'screenshots');

test('screenshots of every page', async ({ browser }) => {
  mkdirSync(OUT, { recursive: true });
  const setup = await browser.newContext();
  const admin = await setup.newPage();
  await admin.goto('/login');
  await admin.locator('input[name="username"]').fill(ADMIN.username);
  await admin.locator('input[name="password"]').fill(ADMIN.password);
  await admin.getByTestId('login-submit').click();
  await expect(admin.getByTestId('current-user')).toBeVisible();
  const key = await issueApiKey(admin, 'screenshots');
  await startIncident(admin, key, 'sev1-critical', 'Checkout API: error rate above 5% / 決済APIのエラー率上昇');
  await admin.goto('/rotations');
  const rotation = await admin.getByTestId('open-rotation').first().getAttribute('href');
  await admin.goto('/incidents');
  const incident = await admin.getByTestId('incident-row').first().getByRole('link').getAttribute('href');
  // The admin is the first user; as tanaka's account, /me has pages to show.
  const base = process.env.E2E_BASE_URL!;
  const linked = await admin.request.post('/api/admin_set_contact', {
    form: { user_id: '1', contact: 'tanaka' },
    headers: { Origin: base, Accept: 'application/json' },
  });
  expect(linked.status(), await linked.text()).toBe(200);
  // A related link and a note on the incident, as responders add them.
  const incidentId = incident!.split('/').pop()!;
  for (const [endpoint, form] of [
    ['incidents_add_link', { id: incidentId, url: 'https://grafana.example.com/d/checkout-errors?orgId=1&from=now-6h', title: 'Checkout errors dashboard / 決済エラーのダッシュボード' }],
    ['incidents_note', { id: incidentId, text: 'Rolled back deploy 42 / デプロイ42をロールバック' }],
  ] as [string, Record<string, string>][]) {
    const res = await admin.request.post(`/api/${endpoint}`, { form, headers: { Origin: base, Accept: 'application/json' } });
    expect(res.status(), await res.text()).toBe(200);
  }
  const links: [string, string][] = [];
  for (const [who, lang] of [['tanaka', 'ja'], ['emily', 'en']]) {
    await ssm(admin, key, 'ssm-contacts', 'StartEngagement', {
      ContactId: `arn:aws:ssm-contacts:ap-northeast-1:000000000000:contact/${who}`,
      Sender: 'cloudwatch',
      Subject: '[Impact 1] Checkout API: error rate above 5% / 決済APIのエラー率上昇',
      Content: `Checkout 5xx above 5% for 3 minutes (screenshot ${who})`,
    });
    links.push([lang, linkIn(await mailWith(`(screenshot ${who})`))]);
  }
  // An EventBridge integration and an alarm through it, routed by the demo's rules.
  const created = await admin.request.post('/api/alerts_create_integration', {
    form: { name: 'CloudWatch (screenshots)', kind: 'eventbridge', topics: '' },
    headers: { Origin: base, Accept: 'application/json' },
  });
  expect(created.status(), await created.text()).toBe(200);
  const issued = (await created.json()) as { url: string; secret: string };
  const posted = await admin.request.post(new URL(issued.url).pathname, {
    data: { level: 'critical', alarm: 'CheckoutErrorRate', state: 'ALARM', reason: 'Threshold Crossed: 5xx > 5% / 5xxエラー率5%超過' },
    headers: { Authorization: `Bearer ${issued.secret}` },
  });
  expect(posted.status(), await posted.text()).toBe(202);
  await expect.poll(async () => {
    await admin.goto('/routing/alerts');
    return admin.getByTestId('alert-incident').count();
  }).toBeGreaterThan(0);
  const alert = await admin.getByTestId('alert-row').first().getByRole('link').first().getAttribute('href');
  // A maintenance window in force.
  const minute = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 16);
  const windowRes = await admin.request.post('/api/alerts_create_maintenance', {
    form: { note: 'Database failover drill / DBフェイルオーバー訓練', condition: 'alert.labels.env == "staging"', starts: minute(0), ends: minute(2 * 3600e3), zone: 'UTC' },
    headers: { Origin: base, Accept: 'application/json' },
  });
  expect(windowRes.status(), await windowRes.text()).toBe(200);
  // A drill someone acknowledged, for its report.
  const drillRes = await admin.request.post('/api/drills_run', {
    form: { plan: 'web-escalation' },
    headers: { Origin: base, Accept: 'application/json' },
  });
  expect(drillRes.status(), await drillRes.text()).toBe(200);
  const drill = `/escalation/drills/${await drillRes.json()}`;
  const pages: [string, string][] = [
    ['login', '/login'],
    ['home', '/'],
    ['rotations', '/rotations'],
    ['rotation', rotation!],
    ['rotation-month', `${rotation}?view=month&offset=0`],
    ['history', `${rotation}/history`],
    ['editor', `${rotation}/edit`],
    ['rotation-new', '/rotations/new'],
    ['escalation', '/escalation'],
    ['plan-editor', '/escalation/plans/web-escalation'],
    ['plan-new', '/escalation/new-plan'],
    ['person', '/escalation/people/tanaka'],
    ['schedule', '/escalation/schedules/primary-oncall'],
    ['drills', '/escalation/drills'],
    ['drill', drill],
    ['routing', '/routing'],
    ['response-plan', '/routing/plans/sev1-critical'],
    ['integrations', '/routing/integrations'],
    ['alerts', '/routing/alerts'],
    ['alert', alert!],
    ['rules', '/routing/rules'],
    ['maintenance', '/routing/maintenance'],
    ['incidents', '/incidents'],
    ['incident', incident!],
    ['incident-new', '/incidents/new'],
    ['review', `${incident}/review`],
    ['analytics', '/incidents/analytics'],
    ['engagements', '/engagements'],
    ['deliveries', '/deliveries'],
    ['users', '/admin/users'],
    ['audit', '/admin/audit'],
    ['api-keys', '/admin/api-keys'],
    ['me', '/me'],
  ];
  for (const lang of ['en', 'ja']) {
    for (const vp of [
      { name: 'desktop', width: 1280, height: 900 },
      { name: 'phone', width: 390, height: 844 },
    ]) {
      const context = await browser.newContext({
        viewport: { width: vp.width, height: vp.height },
        storageState: await setup.storageState(),
        timezoneId: 'Asia/Tokyo',
      });
      await context.addCookies([{ name: 'lang', value: lang, url: process.env.E2E_BASE_URL! }]);
      const page = await context.newPage();
      for (const [name, url] of pages) {
        if (name === 'login') await context.clearCookies();
        await page.goto(url);
        if ((await page.locator('leptos-island').count()) > 0) await page.locator('body[data-hydrated="true"]').waitFor();
        await page.screenshot({ path: path.join(OUT, `${name}-${vp.name}-${lang}.png`), fullPage: true });
        if (name === 'login') {
          await context.addCookies(await setup.cookies());
          await context.addCookies([{ name: 'lang', value: lang, url: process.env.E2E_BASE_URL! }]);
        }
      }
      await context.close();
    }
  }
  // The acknowledge page in its person's language (not the reader's), before and after a tap.
  const phones = [
    { name: 'desktop', viewport: { width: 1280, height: 900 } },
    { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2 },
  ];
  for (const state of ['open', 'done']) {
    for (const { name, ...options } of phones) {
      const context = await browser.newContext({ ...options, javaScriptEnabled: false, timezoneId: 'Asia/Tokyo' });
      const page = await context.newPage();
      for (const [lang, link] of links) {
        await page.goto(link);
        await page.screenshot({ path: path.join(OUT, `ack-${state}-${name}-${lang}.png`), fullPage: true });
      }
      await context.close();
    }
    if (state === 'open') {
      for (const [, link] of links) {
        const tap = await admin.request.post(link, { headers: { Origin: base } });
        expect(tap.status()).toBe(200);
      }
    }
  }
  await setup.close();
});
