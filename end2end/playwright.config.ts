import { defineConfig, devices } from '@playwright/test';

// The server is started by an external script (fresh database, free port,
// waits for /readyz) which then runs `npx playwright test` with
// E2E_BASE_URL and E2E_DATA_DIR set. There is deliberately no `webServer`.
const baseURL = process.env.E2E_BASE_URL;
if (!baseURL) {
  throw new Error(
    'E2E_BASE_URL is not set. Start the server first and run e.g. ' +
      'E2E_BASE_URL=http://127.0.0.1:41234 E2E_DATA_DIR=/path/to/data npx playwright test',
  );
}

// Specs share one console and one database, so each makes its own users and data under names
// of its own (tests/data.ts) and reads only those: they pass in any order (`--shuffle SEED`,
// which `.ci/run` always uses) and repeated (`--repeat-each N`). Only the first admin is
// shared: the `setup` project makes it before anything else runs.
export default defineConfig({
  testDir: './tests',
  // E-mail from the console lands here (see mail-sink.ts).
  globalSetup: './mail-sink.ts',
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 1),
  forbidOnly: !!process.env.CI,
  retries: 0,
  // A failed test's own slice of the server log is printed with it (reporter.ts).
  reporter: [['list'], ['./reporter.ts']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    {
      // The first administrator, through the one-time setup link.
      name: 'setup',
      testMatch: /\.setup\.ts$/,
      use: { ...devices['Desktop Chrome'] },
    },
    {
      name: 'chromium',
      // No `channel`: the browser is the system Chromium given above.
      use: { ...devices['Desktop Chrome'] },
      testIgnore: /nojs\.spec\.ts/,
      dependencies: ['setup'],
    },
    {
      // The same console with scripts off: every page renders and every form posts without them.
      name: 'no-javascript',
      use: { ...devices['Desktop Chrome'], javaScriptEnabled: false },
      testMatch: /(nojs|phone-ack)\.spec\.ts/,
      dependencies: ['setup'],
    },
  ],
});
