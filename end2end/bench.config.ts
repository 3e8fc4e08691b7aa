import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The in-browser preview benchmark (`.ci/bench-preview`); not part of the test suite.
export default defineConfig({ ...base, testDir: './bench', timeout: 120_000 });
