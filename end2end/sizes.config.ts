import { defineConfig, devices } from '@playwright/test';

// The size gate (`.ci/sizes`): loads every route in Chromium on a desktop and on a throttled
// phone, reports bytes by type and time to interactive, and fails when a byte budget is exceeded.
export default defineConfig({
  testDir: './bench',
  testMatch: /sizes\.spec\.ts/,
  // The acknowledge link comes by e-mail (see mail-sink.ts).
  globalSetup: './mail-sink.ts',
  workers: 1,
  retries: 0,
  timeout: 600_000,
  reporter: [['list']],
  use: {
    baseURL: process.env.E2E_BASE_URL,
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
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
});
