// Names each failed test and prints what the console logged while it ran: the part of the server
// log (E2E_SERVER_LOG, else $E2E_DATA_DIR/server.log) written between the test's start and end.
// With several workers the slice also holds what other tests caused at the same time.
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';

const TAIL_LINES = 80;

function logFile(): string | undefined {
  const file = process.env.E2E_SERVER_LOG ?? (process.env.E2E_DATA_DIR && path.join(process.env.E2E_DATA_DIR, 'server.log'));
  return file && existsSync(file) ? file : undefined;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The text of `file` between two byte offsets. */
function slice(file: string, from: number, to: number): string {
  if (to <= from) return '';
  const buffer = Buffer.alloc(to - from);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

/** `project › file:line › describe › title`. */
function name(test: TestCase): string {
  const [, project, , ...titles] = test.titlePath();
  return `${project} › ${path.relative(process.cwd(), test.location.file)}:${test.location.line} › ${titles.join(' › ')}`;
}

export default class ServerLogReporter implements Reporter {
  private readonly starts = new Map<string, number>();
  private readonly failed: string[] = [];
  private seed = '';

  printsToStdio(): boolean {
    return true;
  }

  onBegin(config: FullConfig, _suite: Suite): void {
    this.seed = String(config.metadata?.shuffleSeed ?? '');
  }

  onTestBegin(test: TestCase, result: TestResult): void {
    const file = logFile();
    this.starts.set(`${test.id}#${result.retry}#${test.repeatEachIndex}`, file ? sizeOf(file) : 0);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === test.expectedStatus || result.status === 'skipped') return;
    this.failed.push(name(test));
    const file = logFile();
    if (!file) return;
    const from = this.starts.get(`${test.id}#${result.retry}#${test.repeatEachIndex}`) ?? 0;
    const lines = slice(file, from, sizeOf(file)).split('\n').filter(Boolean);
    const shown = lines.slice(-TAIL_LINES);
    const heading = `server log while ${name(test)} ran (${shown.length} of ${lines.length} lines)`;
    process.stdout.write(`\n── ${heading} ──\n${shown.join('\n')}\n── end of ${heading.split(' (')[0]} ──\n`);
  }

  onEnd(): void {
    if (this.failed.length === 0) return;
    const again = this.seed ? ` --shuffle ${this.seed}` : '';
    process.stdout.write(`\nFailed specs (repeat the order with \`npx playwright test${again}\`):\n`);
    for (const f of this.failed) process.stdout.write(`  ✘ ${f}\n`);
  }
}
