import { createHash, createHmac } from 'node:crypto';
import { expect, type Page } from '@playwright/test';

/** An access key for the console's SSM-compatible API, issued by an admin's page. */
export type ApiKey = { id: string; secret: string };

const REGION = 'ap-northeast-1';

export async function issueApiKey(admin: Page, name: string): Promise<ApiKey> {
  const base = process.env.E2E_BASE_URL!;
  const res = await admin.request.post('/api/admin_issue_api_key', {
    form: { name },
    headers: { Origin: base, Accept: 'application/json' },
  });
  expect(res.status(), await res.text()).toBe(200);
  const key = (await res.json()) as { access_key_id: string; secret_access_key: string };
  return { id: key.access_key_id, secret: key.secret_access_key };
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * Calls the console's SSM API as an AWS SDK would: SigV4 over `body`.
 * SSM Incidents is REST (`POST /startIncident`); SSM Contacts is `POST /` with X-Amz-Target.
 */
export async function ssm(
  page: Page,
  key: ApiKey,
  service: 'ssm-incidents' | 'ssm-contacts',
  operation: string,
  body: unknown,
): Promise<any> {
  const base = new URL(process.env.E2E_BASE_URL!);
  const path = service === 'ssm-incidents' ? `/${operation[0].toLowerCase()}${operation.slice(1)}` : '/';
  const payload = JSON.stringify(body);
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    host: base.host,
    'x-amz-date': amzDate,
    'content-type': service === 'ssm-incidents' ? 'application/json' : 'application/x-amz-json-1.1',
  };
  if (service === 'ssm-contacts') headers['x-amz-target'] = `SSMContacts.${operation}`;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]}\n`).join('');
  const canonicalRequest = ['POST', path, '', canonicalHeaders, names.join(';'), sha256(payload)].join('\n');
  const scope = `${day}/${REGION}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let signingKey = hmac(`AWS4${key.secret}`, day);
  for (const part of [REGION, service, 'aws4_request']) signingKey = hmac(signingKey, part);
  const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${key.id}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  const { host: _host, ...sent } = headers;
  const res = await page.request.post(`${base.origin}${path}`, { headers: sent, data: payload });
  const text = await res.text();
  expect(res.status(), `${operation}: ${text}`).toBe(200);
  return text ? JSON.parse(text) : {};
}

/** Starts an incident from a demo response plan through SSM Incidents `StartIncident`. */
export async function startIncident(page: Page, key: ApiKey, plan: string, title: string): Promise<string> {
  const out = await ssm(page, key, 'ssm-incidents', 'StartIncident', {
    responsePlanArn: `arn:aws:ssm-incidents::000000000000:response-plan/${plan}`,
    title,
    clientToken: `${title}-${Date.now()}`,
  });
  return out.incidentRecordArn as string;
}
