import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test, expect, type Browser, type BrowserContext } from '@playwright/test';
import { issueApiKey, ssm, startIncident } from '../tests/ssm';
import { linkIn, mailWith } from '../tests/mail';

// What each page really costs: every route loaded in Chromium with a cold cache, on a desktop
// and on a phone profile (9 Mbit/s, 60 ms round trips, CPU slowed 4×). Bytes are what crossed
// the network (compressed) and what they decoded to (raw), by type. Time to interactive is from
// navigation to the load event, or to the islands' hydration marker on pages that have islands.
// Byte budgets fail the run; times are reported only (machines are noisy).

const ADMIN = { username: 'admin', password: process.env.E2E_ADMIN_PASSWORD ?? 'size-gate-password-1' };
const KB = 1000;
/** WASM a read-only page may load (brotli as transferred). */
const READ_ONLY_WASM = 30 * KB;
/** WASM an editor page (rotation, escalation plan) may load. */
const EDITOR_WASM = 150 * KB;
/** Everything the acknowledge page (`/a/<token>`) transfers: it is opened on a phone at night. */
const ACK_PAGE = 14 * 1024;
/** Every WASM file of the console together, brotli -q 11. */
const ALL_WASM = 300 * KB;

type Kind = 'HTML' | 'CSS' | 'JS' | 'WASM' | 'other';
type Totals = Record<Kind, { wire: number; raw: number }>;
type Row = {
  route: string;
  viewport: string;
  totals: Totals;
  ms: number;
  islands: boolean;
  /** The document's Content-Security-Policy, and what Chromium refused under it. */
  csp: string;
  violations: string[];
};

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900, throttle: false },
  { name: 'phone', width: 390, height: 844, throttle: true },
];

function kindOf(type: string, url: string): Kind {
  if (url.split('?')[0].endsWith('.wasm')) return 'WASM';
  if (type === 'Document') return 'HTML';
  if (type === 'Stylesheet') return 'CSS';
  if (type === 'Script') return 'JS';
  return 'other';
}

async function measure(browser: Browser, auth: BrowserContext | null, route: string, vp: (typeof VIEWPORTS)[number]): Promise<Row> {
  const context = await browser.newContext({
    viewport: { width: vp.width, height: vp.height },
    storageState: auth ? await auth.storageState() : undefined,
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (vp.throttle) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 60,
      downloadThroughput: (9 * 1000 * 1000) / 8,
      uploadThroughput: (9 * 1000 * 1000) / 8,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  }
  const requests = new Map<string, { kind: Kind; wire: number; raw: number }>();
  cdp.on('Network.responseReceived', (e: any) => {
    requests.set(e.requestId, { kind: kindOf(e.type, e.response.url), wire: 0, raw: 0 });
  });
  cdp.on('Network.dataReceived', (e: any) => {
    const r = requests.get(e.requestId);
    if (r) r.raw += e.dataLength;
  });
  cdp.on('Network.loadingFinished', (e: any) => {
    const r = requests.get(e.requestId);
    if (r) r.wire = e.encodedDataLength;
  });
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) violations.push(m.text());
  });
  const started = Date.now();
  const response = await page.goto(route, { waitUntil: 'load' });
  const csp = response?.headers()['content-security-policy'] ?? '';
  const islands = (await page.locator('leptos-island').count()) > 0;
  if (islands) await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 60_000 });
  const ms = Date.now() - started;
  await page.waitForLoadState('networkidle');
  const totals = Object.fromEntries(['HTML', 'CSS', 'JS', 'WASM', 'other'].map((k) => [k, { wire: 0, raw: 0 }])) as Totals;
  for (const r of requests.values()) {
    totals[r.kind].wire += r.wire;
    totals[r.kind].raw += r.raw;
  }
  await context.close();
  return { route, viewport: vp.name, totals, ms, islands, csp, violations };
}

/** Brotli size of every WASM file the build produced (the `.br` files the server sends). */
function allWasmBrotli(): { files: number; bytes: number } {
  const pkg = process.env.SITE_PKG ?? path.join(__dirname, '..', '..', 'target', 'site', 'pkg');
  const wasm = readdirSync(pkg).filter((f) => f.endsWith('.wasm'));
  const bytes = wasm.reduce((sum, f) => sum + statSync(path.join(pkg, `${f}.br`)).size, 0);
  return { files: wasm.length, bytes };
}

const fmt = (n: number) => n.toLocaleString('en-US');

test('page weight per route, within budget', async ({ browser }) => {
  const auth = await browser.newContext();
  const admin = await auth.newPage();
  await admin.goto('/login');
  await admin.locator('input[name="username"]').fill(ADMIN.username);
  await admin.locator('input[name="password"]').fill(ADMIN.password);
  await admin.getByTestId('login-submit').click();
  await expect(admin.getByTestId('current-user')).toBeVisible();
  const key = await issueApiKey(admin, 'size-gate');
  await startIncident(admin, key, 'sev1-critical', 'Size gate: checkout latency');
  await admin.goto('/rotations');
  const rotation = await admin.getByTestId('open-rotation').first().getAttribute('href');
  await admin.goto('/incidents');
  const incident = await admin.getByTestId('incident-row').first().getByRole('link').getAttribute('href');
  await ssm(admin, key, 'ssm-contacts', 'StartEngagement', {
    ContactId: 'arn:aws:ssm-contacts:ap-northeast-1:000000000000:contact/tanaka',
    Sender: 'size-gate',
    Subject: '[Impact 1] 決済APIのエラー率上昇',
    Content: 'Checkout 5xx above 5% (size gate)',
  });
  // Opened without a session, as from the e-mail.
  const ack = linkIn(await mailWith('(size gate)'));

  const routes = [
    '/',
    '/rotations',
    rotation!,
    `${rotation}/history`,
    `${rotation}/edit`,
    '/rotations/new',
    '/escalation',
    '/escalation/new-plan',
    '/escalation/plans/web-escalation',
    '/escalation/people/tanaka',
    '/escalation/schedules/primary-oncall',
    '/escalation/drills',
    '/routing',
    '/routing/plans/sev1-critical',
    '/routing/integrations',
    '/routing/alerts',
    '/routing/rules',
    '/routing/maintenance',
    '/incidents',
    incident!,
    '/incidents/new',
    `${incident}/review`,
    '/incidents/analytics',
    '/engagements',
    '/deliveries',
    '/admin/users',
    '/admin/audit',
    '/admin/api-keys',
    '/me',
  ];
  const rows: Row[] = [];
  for (const vp of VIEWPORTS) {
    rows.push(await measure(browser, null, '/login', vp));
    rows.push(await measure(browser, null, ack, vp));
    for (const route of routes) rows.push(await measure(browser, auth, route, vp));
  }
  const all = allWasmBrotli();

  const name = (r: string) =>
    r.replace(rotation!, '/rotations/{id}').replace(incident!, '/incidents/{id}').replace(ack, '/a/{token}');
  const cell = (t: { wire: number; raw: number }) => (t.raw === 0 ? '0' : `${fmt(t.wire)} / ${fmt(t.raw)}`);
  const lines = [
    '| Route | Viewport | HTML | CSS | JS | WASM | Time to interactive |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| \`${name(r.route)}\` | ${r.viewport === 'phone' ? 'phone (throttled)' : 'desktop'} | ${cell(r.totals.HTML)} | ${cell(r.totals.CSS)} | ${cell(r.totals.JS)} | ${cell(r.totals.WASM)} | ${fmt(r.ms)} ms |`,
    ),
    '',
    `Bytes: transferred (compressed) / decoded. All WASM files of the build: ${all.files}, ${fmt(all.bytes)} B brotli.`,
  ];
  const report = lines.join('\n');
  console.log(report);
  const out = path.join(__dirname, '..', '..', 'target');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'sizes.md'), `${report}\n`);

  const problems: string[] = [];
  for (const r of rows) {
    const editor = r.route.endsWith('/edit') || r.route.startsWith('/escalation/plans/') || r.route === '/escalation/new-plan' || r.route === '/rotations/new';
    const budget = editor ? EDITOR_WASM : READ_ONLY_WASM;
    if (r.totals.WASM.wire > budget) problems.push(`${name(r.route)} (${r.viewport}) loads ${fmt(r.totals.WASM.wire)} B of WASM; budget ${fmt(budget)} B`);
  }
  for (const r of rows.filter((r) => r.route === ack)) {
    const total = Object.values(r.totals).reduce((sum, t) => sum + t.wire, 0);
    if (total > ACK_PAGE || r.totals.JS.raw > 0 || r.totals.WASM.raw > 0) {
      problems.push(`/a/{token} (${r.viewport}) transfers ${fmt(total)} B with ${fmt(r.totals.JS.raw)} B JS and ${fmt(r.totals.WASM.raw)} B WASM; budget ${fmt(ACK_PAGE)} B, no script`);
    }
  }
  // Every page's script policy: the console's files and this response's nonce, nothing inline
  // without it (the acknowledge page: no script at all); and nothing the page does is refused.
  for (const r of rows) {
    const policy = r.route === ack ? /^default-src 'none'/ : /script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval';/;
    if (!policy.test(r.csp) || /script-src[^;]*unsafe-inline/.test(r.csp)) problems.push(`${name(r.route)} (${r.viewport}): CSP ${r.csp}`);
    for (const v of r.violations) problems.push(`${name(r.route)} (${r.viewport}): ${v}`);
  }
  if (all.bytes > ALL_WASM) problems.push(`all WASM files together are ${fmt(all.bytes)} B brotli; budget ${fmt(ALL_WASM)} B`);
  expect(problems, problems.join('\n')).toEqual([]);
  expect(readFileSync(path.join(out, 'sizes.md'), 'utf8')).toContain('/rotations/{id}/edit');
  await auth.close();
});
