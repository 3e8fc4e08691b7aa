import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from '@playwright/test';

// Reading what the console sent to the run's loopback SMTP server (../mail-sink.ts).

/** A MIME part's text, decoded from base64 or quoted-printable. */
function decodePart(part: string): string {
  const [head, ...rest] = part.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/content-transfer-encoding:\s*base64/i.test(head)) {
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** The decoded text of the e-mail whose content has `marker`, once it has arrived. */
export async function mailWith(marker: string): Promise<string> {
  const file = path.join(process.env.E2E_DATA_DIR!, 'mail.jsonl');
  for (let i = 0; i < 100; i++) {
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
        const data: string = JSON.parse(line).data;
        const text = data.split(/\n--/).map(decodePart).join('\n');
        if (text.includes(marker)) return text;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no e-mail with ${marker} arrived`);
}

/** The path of the acknowledge link in a message. */
export function linkIn(mail: string): string {
  const m = mail.match(/https?:\/\/[^\s"<>]+\/a\/[A-Za-z0-9_-]{22}/);
  expect(m, mail).not.toBeNull();
  return new URL(m![0]).pathname;
}
