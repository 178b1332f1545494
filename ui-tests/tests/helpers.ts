/** What the Galata tests share: opening the DerivaML sidebar, saving screenshots, and
 * switching the sidebar to a catalog. */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';

export const SIDEBAR = 'derivaml-jupyter-sidebar';

export async function openSidebar(page: Page): Promise<Locator> {
  await page.sidebar.openTab(SIDEBAR);
  const panel = page.locator(`#${SIDEBAR}`);
  await expect(panel).toBeVisible();
  return panel;
}

/** Save a screenshot of the page (or of `of`) among the test's outputs as `name`.png. */
export async function screenshot(page: Page, name: string, of?: Locator): Promise<void> {
  await (of ?? page).screenshot({ path: test.info().outputPath(`${name}.png`) });
}

/** Type `catalog` into the sidebar's catalog field and press Enter. */
export async function chooseCatalog(panel: Locator, catalog: string): Promise<void> {
  const field = panel.locator('.jp-DerivaML-catalog');
  await field.fill(catalog);
  await field.press('Enter');
}
