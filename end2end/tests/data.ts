import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { ADMIN, call, signedIn, unique } from './helpers';

// The data a spec makes for itself, through the same server functions the pages post to. Every
// name comes from `unique`, so no spec reads what another made: specs run in any order, repeated
// (`--repeat-each`), and never depend on the demo team beyond reading it.

/** An administrator's session for making a spec's data (close it in `afterAll`). */
export async function adminSession(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  return signedIn(browser, { width: 1280, height: 900 }, 'en', ADMIN.username, ADMIN.password);
}

/** A user of `role` with a unique name starting `prefix`; returns the name and the user's id. */
export async function makeUser(admin: Page, prefix: string, role: string, password: string): Promise<{ username: string; id: number }> {
  const username = unique(prefix);
  const made = (await call(admin, 'admin_create_user', { username, display_name: username, password, role })) as { id: number };
  return { username, id: made.id };
}

/** Links a user to the person they are on call as (My pages, swaps). */
export async function linkUser(admin: Page, userId: number, alias: string): Promise<void> {
  await call(admin, 'admin_set_contact', { user_id: String(userId), contact: alias });
}

export type Person = { alias: string; name: string; email: string };

/**
 * A person with a unique alias starting `prefix`, messages in `lang`, and one working e-mail
 * channel (activated with the code the outbox holds for it, as a person would type it).
 */
export async function makePerson(admin: Page, prefix: string, lang: 'en' | 'ja', name?: string): Promise<Person> {
  const alias = unique(prefix);
  const person = { alias, name: name ?? `${alias} (${lang})`, email: `${alias}@example.com` };
  await call(admin, 'people_create', { alias, display_name: person.name });
  await call(admin, 'oncall_contact_language', { contact: alias, language: lang });
  const channel = (await call(admin, 'people_add_channel', { contact: alias, name: 'Mail', kind: 'email', address: person.email })) as string;
  const code = await activationCode(admin, person.email);
  await call(admin, 'people_activate_channel', { contact: alias, channel_id: channel, code });
  return person;
}

/** The activation code the outbox holds for `address` (managers see the outbox). */
export async function activationCode(manager: Page, address: string): Promise<string> {
  type Delivery = { address: string; body: string };
  let code: string | undefined;
  await expect
    .poll(async () => {
      const outbox = (await call(manager, 'oncall_deliveries', {})) as Delivery[];
      const body = outbox.find((d) => d.address === address && /activation code/i.test(d.body))?.body ?? '';
      code = body.match(/(\d{6,10})/)?.[1];
      return code;
    }, { message: `an activation code for ${address}` })
    .toBeTruthy();
  return code!;
}

/**
 * A rotation named `name` of `members` (in order) in Asia/Tokyo, handing off as `kind` at `times`
 * (`'Mon 10:00'` weekly, `'10:00'` daily), from `start` days ago at 10:00. Returns its id.
 */
export async function makeRotation(
  admin: Page,
  name: string,
  members: string[],
  kind: 'daily' | 'weekly',
  times: string,
  startDaysAgo = 28,
): Promise<string> {
  const start = new Date(Date.now() - startDaysAgo * 86_400_000).toISOString().slice(0, 10);
  await call(admin, 'rotation_save', {
    id: '',
    base: '0',
    name,
    members: members.join('\n'),
    start: `${start}T10:00`,
    time_zone: 'Asia/Tokyo',
    kind,
    times,
    multiplier: '1',
    number_on_call: '1',
    coverage: '',
  });
  const rotations = (await call(admin, 'oncall_rotations', {})) as { id: string; name: string }[];
  const made = rotations.find((r) => r.name === name);
  expect(made, `rotation ${name} was made`).toBeTruthy();
  return made!.id;
}

/** An on-call schedule (a contact) that pages whoever is on call in `rotationIds`. */
export async function makeSchedule(admin: Page, prefix: string, rotationIds: string[]): Promise<string> {
  const alias = unique(prefix);
  const picks: Record<string, string> = {};
  rotationIds.forEach((id, i) => {
    picks[`picks[${i}][id]`] = id;
    picks[`picks[${i}][on]`] = 'on';
  });
  await call(admin, 'schedules_save', { alias, base: '', display_name: `${alias} on call`, ...picks });
  return alias;
}

/** A response plan without a dedupe string (each incident its own) engaging `contacts`. */
export async function makeResponsePlan(
  admin: Page,
  prefix: string,
  contacts: string[],
  opts: { title?: string; impact?: string } = {},
): Promise<string> {
  const name = unique(prefix);
  const picks: Record<string, string> = {};
  contacts.forEach((alias, i) => {
    picks[`picks[${i}][alias]`] = alias;
    picks[`picks[${i}][on]`] = 'on';
  });
  await call(admin, 'response_plans_save', {
    name,
    base: '',
    display_name: name,
    title: opts.title ?? name,
    impact: opts.impact ?? '3',
    summary: '',
    dedupe_string: '',
    ...picks,
  });
  return name;
}
