import { defineConfig } from '@playwright/test';
import sizes from './sizes.config';

// Screenshots of every page for a person to look at (`.ci/screenshots`).
export default defineConfig({ ...sizes, testMatch: /screenshots\.spec\.ts/ });
