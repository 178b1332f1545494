/** What the Galata tests share: opening the DerivaML sidebar, saving screenshots, comparing
 * a widget with its committed screenshot, finding a dataset in the sidebar, switching the
 * sidebar to a catalog, and holding back JupyterLab's toasts; where the quickstart project is. */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import * as path from 'path';

export const SIDEBAR = 'derivaml-jupyter-sidebar';
/** The example project the tests upload into the server root. */
export const QUICKSTART = path.resolve(__dirname, '..', '..', 'examples', 'quickstart');

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

/** What changes from run to run inside a widget: RIDs, times, run numbers. */
const VOLATILE = '.jp-DerivaML-rid, .jp-DerivaML-time, .jp-DerivaML-runExecution';

/**
 * Compare `of` with its committed screenshot `name`.png (tests/<spec>-snapshots/), once it is
 * settled (Playwright waits for two equal screenshots), with animations and the caret off and
 * the RIDs and times in it masked, plus the locators in `mask`. The tolerance covers
 * anti-aliasing only: a changed width, color or layout fails.
 */
export async function expectLooks(of: Locator, name: string, mask: Locator[] = []): Promise<void> {
  await expect(of).toHaveScreenshot(`${name}.png`, {
    animations: 'disabled',
    caret: 'hide',
    mask: [of.locator(VOLATILE), ...mask],
    maxDiffPixelRatio: 0.01
  });
}

/** The list item of the dataset with type `type`. */
export function dataset(panel: Locator, type: string): Locator {
  return panel
    .locator('.jp-DerivaML-datasets .jp-DerivaML-list .jp-DerivaML-item')
    .filter({ has: panel.page().locator('.jp-DerivaML-types', { hasText: type }) });
}

/** Type `catalog` into the sidebar's catalog field and press Enter. */
export async function chooseCatalog(panel: Locator, catalog: string): Promise<void> {
  const field = panel.locator('.jp-DerivaML-catalog');
  await field.fill(catalog);
  await field.press('Enter');
}

/**
 * Hold back by `ms` the script that draws JupyterLab's toasts (react-toastify, which Lab loads
 * with a page's first notification), as a busy machine does: a request answering before that
 * toast is drawn must still have its outcome shown.
 */
export async function slowToasts(page: Page, ms: number): Promise<void> {
  await page.route(/\.js(\?|$)/, async route => {
    const response = await route.fetch();
    const body = await response.text();
    if (body.includes('Toastify__toast-container')) {
      await new Promise(resolve => setTimeout(resolve, ms));
    }
    await route.fulfill({ response, body });
  });
}
