import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { call, gotoHydrated, ownAddress, signedIn, unique } from './helpers';
import { adminSession, makePerson, makeResponsePlan, makeRotation, makeUser, type Person } from './data';
import { linkIn, mailWith } from './mail';

// A responder declares an incident from a response plan, pages a second person and adds a note;
// a manager's summary edit begun from the older summary is refused with both versions; the
// manager resolves it, fills the review and exports it as Markdown whose timeline matches the
// page; a viewer reads the merged timeline but has no actions. The person paged acknowledges
// from the link in their e-mail; the analytics page shows the incident's time to acknowledge for
// its plan, and its on-call-hours CSV equals, for this run's people, their rotation's recorded
// shifts over the period.
// Desktop in English, a phone in Japanese. The people, their rotation and the response plan are
// this run's own, so the analytics rows compared are this run's alone.

const PASSWORD = 'incidents-password-12345';

type Flow = { name: string; viewport: { width: number; height: number }; lang: 'en' | 'ja'; resolved: string };
const FLOWS: Flow[] = [
  { name: 'desktop, English', viewport: { width: 1280, height: 900 }, lang: 'en', resolved: 'Resolved' },
  { name: 'phone, Japanese', viewport: { width: 390, height: 844 }, lang: 'ja', resolved: '解決済み' },
];

// The viewer's zone on the analytics page, and its offset from UTC (neither has summer time).
const ZONES = { en: { name: 'UTC', offset: 0 }, ja: { name: 'Asia/Tokyo', offset: 9 * 3600 } };

/** `YYYY-MM-DD` of the day `days` after today in a zone `offset` seconds east of UTC. */
function day(offset: number, days: number): string {
  return new Date(Date.now() + (offset + days * 86_400) * 1000).toISOString().slice(0, 10);
}

/** Hours as the console prints them: tenths, rounded down (`7.5`). */
function hours(secs: number): string {
  const tenths = Math.floor(secs / 360);
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

type Shift = { start: string; end: string; members: string[] };

/** Each person's on-call seconds within [from, to) from every rotation's recorded shifts,
 * overlapping stretches counted once. */
async function recordedOnCall(page: Page, from: number, to: number): Promise<Map<string, number>> {
  const rotations = (await call(page, 'oncall_rotations', {})) as { id: string }[];
  const spans = new Map<string, [number, number][]>();
  for (const r of rotations) {
    // A window from ten days ago to two days ahead holds the last week in any zone.
    const data = (await call(page, 'rotation_page', { id: r.id, offset_days: '-9', days: '12' })) as { shifts: Shift[] };
    for (const s of data.shifts) {
      const a = Math.max(Date.parse(s.start) / 1000, from);
      const b = Math.min(Date.parse(s.end) / 1000, to);
      if (b <= a) continue;
      for (const m of s.members) spans.set(m, [...(spans.get(m) ?? []), [a, b]]);
    }
  }
  const out = new Map<string, number>();
  for (const [who, list] of spans) {
    list.sort((x, y) => x[0] - y[0]);
    let [total, reach] = [0, -Infinity];
    for (const [a, b] of list) {
      const start = Math.max(a, reach);
      if (b > start) total += b - start;
      reach = Math.max(reach, b);
    }
    if (total > 0) out.set(who, total);
  }
  return out;
}

test.describe.serial('incidents run from the console', () => {
  const users = new Map<string, string>();
  const user = (flow: Flow, role: string) => users.get(`${role}-${flow.lang}`)!;
  // Per flow: the person its plan pages, the person paged later, and the plan (its analytics
  // row is this incident's alone). Both people are on a rotation of this run.
  const flows = new Map<string, { paged: Person; more: Person; plan: string }>();

  test.beforeAll(async ({ browser }) => {
    const admin = await adminSession(browser);
    for (const flow of FLOWS) {
      for (const role of ['responder', 'manager', 'viewer']) {
        users.set(`${role}-${flow.lang}`, (await makeUser(admin.page, `inc-${role}-${flow.lang}`, role, PASSWORD)).username);
      }
      const paged = await makePerson(admin.page, `inc-paged-${flow.lang}`, flow.lang);
      const more = await makePerson(admin.page, `inc-more-${flow.lang}`, flow.lang);
      await makeRotation(admin.page, `Checkout rota ${unique(flow.lang)}`, [paged.alias, more.alias], 'daily', '10:00');
      const plan = await makeResponsePlan(admin.page, `checkout-${flow.lang}`, [paged.alias], { title: 'Checkout down' });
      flows.set(flow.lang, { paged, more, plan });
    }
    await admin.context.close();
  });

  for (const flow of FLOWS) {
    test(`${flow.name}: declare, link, page, note, acknowledge, a stale summary refused, resolve, review, analytics`, async ({ browser }) => {
      const { paged, more, plan } = flows.get(flow.lang)!;
      const title = `Checkout down ${unique(flow.lang)}`;
      const r = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'responder'), PASSWORD);
      await gotoHydrated(r.page, '/incidents');
      await r.page.getByTestId('declare-link').click();
      await r.page.getByTestId('declare-plan').selectOption(plan);
      await r.page.getByTestId('declare-title').fill(title);
      await r.page.getByTestId('declare-impact').fill('2');
      await r.page.getByTestId('declare-summary').fill('5xx on every checkout');
      await r.page.getByTestId('declare-submit').click();
      await expect(r.page.getByTestId('incident-title')).toHaveText(title);
      await expect(r.page.getByTestId('incident-impact')).toHaveText('2');
      const path = new URL(r.page.url()).pathname;

      // A manager opens the page now and will edit the summary from this version later.
      const m = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'manager'), PASSWORD);
      await gotoHydrated(m.page, path);

      await r.page.getByTestId('incident-page-contact').fill(more.alias);
      await r.page.getByTestId('incident-page').click();
      await expect(r.page.getByTestId('engagement')).toHaveCount(2);
      await r.page.getByTestId('link-url').fill('https://wiki.example.com/runbooks/checkout');
      await r.page.getByTestId('link-title').fill('Checkout runbook');
      await r.page.getByTestId('link-add').click();
      await expect(r.page.getByTestId('related-link')).toHaveCount(1);
      await expect(r.page.getByTestId('related-link').locator('a')).toHaveAttribute(
        'href',
        'https://wiki.example.com/runbooks/checkout',
      );
      await r.page.getByTestId('incident-note').fill(`Rolled back deploy 42 (${flow.lang})`);
      await r.page.getByTestId('incident-note-add').click();
      await expect(r.page.getByTestId('timeline')).toContainText(`Rolled back deploy 42 (${flow.lang})`);
      // The person paged by the plan acknowledges from the link in the e-mail.
      const phone = await browser.newPage({ viewport: FLOWS[1].viewport, ...ownAddress() });
      // The page's subject is in the paged person's language.
      const impact = flow.lang === 'ja' ? '[影響度 2]' : '[Impact 2]';
      await phone.goto(linkIn(await mailWith(`${impact} ${title}`)));
      await phone.getByTestId('ack-button').click();
      await expect(phone.getByTestId('ack-done')).toBeVisible();
      await phone.close();
      await r.page.reload();
      await expect(r.page.getByTestId('incident-ack-after')).toHaveText(/^\d+(s|m \d\ds)$/);
      const ackAfter = (await r.page.getByTestId('incident-ack-after').textContent())!;
      await r.page.getByTestId('incident-summary-edit').fill('Deploy 42 broke checkout');
      await r.page.getByTestId('incident-summary-save').click();
      await expect(r.page.getByTestId('incident-summary')).toHaveText('Deploy 42 broke checkout');

      await m.page.getByTestId('incident-summary-edit').fill('Payment provider outage');
      await m.page.getByTestId('incident-summary-save').click();
      await expect(m.page.getByTestId('summary-conflict')).toBeVisible();
      await expect(m.page.getByTestId('summary-theirs')).toContainText('Deploy 42 broke checkout');
      await expect(m.page.getByTestId('summary-yours')).toContainText('Payment provider outage');
      await m.page.getByTestId('incident-resolve').click();
      await expect(m.page.getByTestId('incident-status')).toHaveText(flow.resolved);

      // The review, exported as Markdown with the same timeline as the page.
      const pageLines = await m.page.getByTestId('timeline').locator('li').count();
      await m.page.getByTestId('review-link').click();
      await m.page.getByTestId('review-what_happened').fill('Deploy 42 broke checkout');
      await m.page.getByTestId('review-action').first().getByTestId('action-text').fill('Add a canary stage');
      await m.page.getByTestId('review-action').first().getByTestId('action-owner').fill(more.alias);
      await m.page.getByTestId('review-action').first().getByTestId('action-due').fill(day(0, 7));
      await m.page.getByTestId('review-save').click();
      await expect(m.page.getByTestId('review-saved')).toBeVisible();
      const markdown = (await m.page.getByTestId('review-markdown').textContent())!;
      expect(markdown).toContain(`# ${title}`);
      expect(markdown).toContain(`Add a canary stage — ${more.alias}`);
      expect(markdown).toContain(`Rolled back deploy 42 (${flow.lang})`);
      expect(markdown).toContain('- [Checkout runbook](https://wiki.example.com/runbooks/checkout)');
      expect(markdown.split('\n').filter((l) => /^- 20\d\d-/.test(l)).length).toBe(pageLines);
      const [download] = await Promise.all([
        m.page.waitForEvent('download'),
        m.page.getByTestId('review-download').click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/review\.md$/);

      const v = await signedIn(browser, flow.viewport, flow.lang, user(flow, 'viewer'), PASSWORD);
      await gotoHydrated(v.page, `${path}?kind=note`);
      await expect(v.page.getByTestId('timeline')).toContainText(`Rolled back deploy 42 (${flow.lang})`);
      await expect(v.page.getByTestId('incident-actions')).toHaveCount(0);

      // Analytics over the last week in the viewer's zone: this plan's one incident and its
      // time to acknowledge; on-call hours as the rotations recorded them.
      const zone = ZONES[flow.lang];
      await m.context.addCookies([
        { name: 'tz', value: zone.name, url: process.env.E2E_BASE_URL! },
        { name: 'tzfixed', value: '1', url: process.env.E2E_BASE_URL! },
      ]);
      const [from, to] = [day(zone.offset, -6), day(zone.offset, 0)];
      await gotoHydrated(m.page, '/incidents');
      await m.page.getByTestId('analytics-link').click();
      await m.page.getByTestId('analytics-from').fill(from);
      await m.page.getByTestId('analytics-to').fill(to);
      await m.page.getByTestId('analytics-search').click();
      const row = m.page.locator(`[data-testid="analytics-plan"][data-plan="${plan}"]`);
      await expect(row.locator('td').nth(1)).toHaveText('1');
      await expect(row.getByTestId('plan-ack')).toHaveText(`${ackAfter} / ${ackAfter}`);
      const before = Date.now() / 1000;
      const [csvDownload] = await Promise.all([
        m.page.waitForEvent('download'),
        m.page.getByTestId('csv-on-call').click(),
      ]);
      expect(csvDownload.suggestedFilename()).toBe(`on-call-hours_${from}_${to}.csv`);
      const csv = readFileSync((await csvDownload.path())!, 'utf8');
      const [header, ...lines] = csv.trim().split('\r\n');
      expect(header).toBe('person,zone,working_h,evening_h,night_h,weekend_holiday_h,total_h');
      const got = new Map(lines.map((l) => [l.split(',')[0], l.split(',')[6]]));
      const start = Date.parse(`${from}T00:00:00Z`) / 1000 - zone.offset;
      const end = Date.parse(`${to}T00:00:00Z`) / 1000 - zone.offset + 86_400;
      // This run's two people, who are on no other rotation: the CSV's hours are their recorded ones.
      const ours = (rows: Map<string, string>) => new Map([...rows].filter(([who]) => who === paged.alias || who === more.alias));
      // Hours that have passed: the period is cut at the moment the CSV was made, between
      // `before` and `after` (either cut may round differently).
      const after = Date.now() / 1000;
      const expectedAt = async (now: number) => {
        const recorded = await recordedOnCall(m.page, start, Math.min(end, Math.floor(now)));
        return ours(new Map([...recorded].map(([who, secs]) => [who, hours(secs)])));
      };
      const [early, late] = [await expectedAt(before), await expectedAt(after)];
      expect(late.size).toBeGreaterThan(0);
      const text = (rows: Map<string, string>) => JSON.stringify([...rows].sort());
      expect([text(early), text(late)]).toContain(text(ours(got)));
      for (const c of [r, m, v]) await c.context.close();
    });
  }
});
