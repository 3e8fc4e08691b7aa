import { defineConfig, devices } from '@playwright/test';
import base from './playwright.config';

// The in-browser preview benchmark (`.ci/bench-preview`); not part of the test suite.
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: /preview\.spec\.ts/,
  timeout: 120_000,
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
});
