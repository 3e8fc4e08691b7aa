import { test, expect, type Page } from '@playwright/test';
import { ADMIN, signIn } from './helpers';

// What a person sees: the header's controls must be readable (WCAG AA, contrast ≥ 4.5:1)
// on the desktop and on a phone, signed out and signed in.

/** The contrast ratio of every visible header control's text against what is behind it. */
async function headerContrasts(page: Page): Promise<{ what: string; ratio: number }[]> {
  return page.evaluate(() => {
    const rgba = (s: string) => {
      const m = s.match(/rgba?\(([^)]+)\)/);
      const [r, g, b, a = 1] = (m ? m[1].split(',').map(Number) : [0, 0, 0, 0]) as number[];
      return { r, g, b, a };
    };
    const background = (el: Element | null): { r: number; g: number; b: number } => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c.a > 0.5) return c;
      }
      return { r: 255, g: 255, b: 255 };
    };
    const lum = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const ch = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    const controls = document.querySelectorAll('header a, header button, header label, header .user, header .backend');
    return [...controls]
      .filter((el) => (el as HTMLElement).offsetParent !== null && (el.textContent ?? '').trim() !== '')
      .map((el) => {
        const fg = rgba(getComputedStyle(el).color);
        const [l1, l2] = [lum(fg), lum(background(el))].sort((a, b) => b - a);
        return { what: `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim()}"`, ratio: (l1 + 0.05) / (l2 + 0.05) };
      });
  });
}

for (const viewport of [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test(`header controls are readable on the ${viewport.name}`, async ({ browser }) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto('/login');
    const signedOut = await headerContrasts(page);
    await signIn(page, ADMIN.username, ADMIN.password);
    const toggle = page.getByTestId('menu-toggle');
    if (await toggle.isVisible()) await toggle.click();
    await expect(page.getByTestId('logout')).toBeVisible();
    const signedIn = await headerContrasts(page);
    for (const c of [...signedOut, ...signedIn]) {
      expect(c.ratio, `${viewport.name}: ${c.what} has contrast ${c.ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(4.5);
    }
    expect(signedIn.some((c) => c.what.includes('button'))).toBeTruthy();
    await context.close();
  });
}
