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

export default defineConfig({
  testDir: './tests',
  // E-mail from the console lands here (see mail-sink.ts).
  globalSetup: './mail-sink.ts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
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
      name: 'chromium',
      // No `channel`: the browser is the system Chromium given above.
      use: { ...devices['Desktop Chrome'] },
      testIgnore: /nojs\.spec\.ts/,
    },
    {
      // The same console with scripts off: every page renders and every form posts without them.
      name: 'no-javascript',
      use: { ...devices['Desktop Chrome'], javaScriptEnabled: false },
      testMatch: /(nojs|phone-ack)\.spec\.ts/,
      dependencies: ['chromium'],
    },
  ],
});
