import { test, expect } from '@playwright/test';

test('app loads and shows its tabs', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.locator('header .brand')).toHaveText('Pointerprint');
  for (const t of ['capture', 'sessions', 'enrol', 'groups', 'score', 'splunk']) {
    await page.click(`nav a[data-tab="${t}"]`);
    await expect(page.locator(`nav a[data-tab="${t}"]`)).toHaveClass(/active/);
  }
  expect(errors).toEqual([]);
});

test('page is cross-origin isolated (SharedArrayBuffer for wasm threads)', async ({ page }) => {
  await page.goto('/');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
});
