/**
 * Sweeps, re-runs and the states of every section, against the example project `quickstart/`
 * that jupyter_server_test_config.py copies into the server root: its notebook ran there as
 * `make demo` runs it, and a sweep of two learning rates ran there through deriva-ml-run.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';

import { chooseCatalog, openSidebar, screenshot, slowToasts } from './helpers';

/** The setup's sweep: its parent's description (each job's starts with `[Job N]`). */
const SETUP_SWEEP = 'UI-sweep-setup';

/** The executions list's items. */
function executions(panel: Locator): Locator {
  return panel.locator('.jp-DerivaML-executions .jp-DerivaML-list .jp-DerivaML-item');
}

/** The item of the execution whose description's first line is `text` exactly. */
function described(panel: Locator, text: string | RegExp): Locator {
  const exact = typeof text === 'string' ? new RegExp(`^${text.replace(/[[\]]/g, '\\$&')}$`) : text;
  return executions(panel).filter({
    has: panel.page().locator('.jp-DerivaML-description', { hasText: exact })
  });
}

/** Show the quickstart project in the file browser: the sidebar follows it to its catalog. */
async function openQuickstart(page: Page): Promise<Locator> {
  await page.sidebar.openTab('filebrowser');
  await page.filebrowser.openDirectory('quickstart');
  const panel = await openSidebar(page);
  await expect(panel.locator('.jp-DerivaML-configs')).toContainText('Project: /quickstart', {
    timeout: 30000
  });
  await expect(panel.locator('.jp-DerivaML-catalog')).toHaveValue('quickstart');
  return panel;
}

/** The notes (empty, loading, error) shown in `area`, by text. */
async function notes(area: Locator): Promise<string[]> {
  return area.locator('.jp-DerivaML-note').allTextContents();
}

test('a sweep opens in a tab with a row per job: its parameters and metrics', async ({
  page
}) => {
  const panel = await openSidebar(page);
  await chooseCatalog(panel, 'quickstart');
  const parent = described(panel, SETUP_SWEEP);
  await expect(parent).toHaveCount(1, { timeout: 30000 });
  await parent.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Open in a Tab' }).click();
  const view = page.locator('#jp-main-dock-panel .jp-DerivaML-executionView:visible');
  await expect(view.locator('h3', { hasText: 'Sweep: 2 jobs' })).toBeVisible();
  const sweep = view.locator('.jp-DerivaML-sweepTable');
  await expect(sweep.locator('tbody tr')).toHaveCount(2);
  const header = await sweep.locator('th').allTextContents();
  expect(header.slice(0, 2)).toEqual(['Execution', 'Status']);
  expect(header).toContain('model_config.learning_rate');
  expect(header).toContain('accuracy');
  const column = (name: string) => header.indexOf(name);
  const rates = sweep.locator(`tbody td:nth-child(${column('model_config.learning_rate') + 1})`);
  await expect(rates).toHaveText(['0.1', '1.0']);
  const accuracies = await sweep
    .locator(`tbody td:nth-child(${column('accuracy') + 1})`)
    .allTextContents();
  accuracies.forEach(value => expect(Number(value)).toBeGreaterThan(0.5));
  await screenshot(page, 'sweep-table');

  // a job's RID opens the job in its own tab
  const job = sweep.locator('tbody tr').nth(1).locator('button.jp-DerivaML-link');
  const rid = (await job.textContent()) as string;
  await job.click();
  await expect(page.getByRole('tab', { name: `Execution ${rid}` })).toHaveCount(1);
  const jobView = page.locator('#jp-main-dock-panel .jp-DerivaML-executionView:visible');
  await expect(jobView.locator('h2')).toContainText(`Execution ${rid}`);
  await expect(jobView.locator('tr', { hasText: 'accuracy' })).toHaveCount(1);
});

test('an execution re-runs with its recorded overrides from its context menu', async ({
  page
}) => {
  test.setTimeout(180000);
  const panel = await openQuickstart(page);
  const job = described(panel, /^\[Job 1\] UI-sweep-setup/);
  await expect(job).toHaveCount(1, { timeout: 30000 });
  await job.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Re-run with These Overrides…' }).click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('model of project /quickstart');
  const overrides = dialog.locator('.jp-DerivaML-rerunOverrides li');
  await expect(overrides).toContainText([
    'model_config=quick',
    'model_config.learning_rate=1.0'
  ]);
  await screenshot(page, 'rerun-dialog');
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.locator('.Toastify__toast', { hasText: 'started: model quickstart' })).toBeVisible();
  const run = panel.locator('.jp-DerivaML-runs .jp-DerivaML-item').first();
  await expect(run.locator('.jp-DerivaML-overridesShown')).toContainText(
    'model_config.learning_rate=1.0'
  );
  await expect(run.locator('.jp-DerivaML-status')).toHaveText('succeeded', { timeout: 120000 });
  await expect(run.locator('.jp-DerivaML-runExecution')).toHaveText(/^\d-[0-9A-Z]+$/);
});

test('a notebook run re-runs the notebook, a sweep all its jobs; no record says why not', async ({
  page
}) => {
  const panel = await openQuickstart(page);
  const notebookRun = executions(panel).filter({ hasText: 'Digits Analysis' }).last();
  await notebookRun.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Re-run with These Overrides…' }).click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog).toContainText('notebook /quickstart/notebooks/digits_analysis.ipynb');
  await expect(dialog).toContainText('None: the config’s defaults.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // a sweep runs again as one multirun of its jobs' overrides
  await described(panel, SETUP_SWEEP).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Re-run with These Overrides…' }).click();
  await expect(dialog).toContainText('model of project /quickstart as a multirun');
  await expect(dialog.locator('.jp-DerivaML-rerunOverrides li')).toContainText([
    'model_config=quick',
    'model_config.learning_rate=0.1,1.0'
  ]);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await chooseCatalog(panel, 'default'); // its execution was recorded by Python, not a runner
  const plain = executions(panel).filter({ hasText: 'UI test' });
  await plain.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Re-run with These Overrides…' }).click();
  await expect(page.locator('.jp-Dialog')).toContainText('recorded no Hydra overrides');
  await page.keyboard.press('Escape');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
});

test('empty, loading and error states are each shown once', async ({ page }) => {
  const panel = await openSidebar(page);
  const datasets = panel.locator('.jp-DerivaML-datasets');
  const executionList = panel.locator('.jp-DerivaML-executions');
  const configs = panel.locator('.jp-DerivaML-configs');

  // empty: one note per section
  await chooseCatalog(panel, 'ui-empty');
  await expect(panel.locator('.jp-DerivaML-summary')).toContainText('0 datasets, 0 executions');
  await expect.poll(() => notes(datasets)).toEqual([
    'No datasets in this catalog yet (`derivaml demo` loads example data).'
  ]);
  await expect.poll(() => notes(executionList)).toEqual(['No executions in this catalog yet.']);
  await expect.poll(() => notes(configs)).toHaveLength(1);
  await screenshot(page, 'states-empty');

  // a catalog that cannot be opened: said once, in the header
  await chooseCatalog(panel, 'ui-missing');
  const missing = "There is no local catalog 'ui-missing'";
  await expect(panel.locator('.jp-DerivaML-summary')).toContainText(missing);
  await expect(datasets.locator('.jp-DerivaML-list')).toBeEmpty();
  await expect.poll(() => notes(executionList)).toEqual([]);
  await expect(panel.getByText(missing)).toHaveCount(1);
  await screenshot(page, 'states-error');

  // loading: one note while the answer is on its way (the routes stay until the test ends:
  // page.unroute here would stop the next route from holding requests)
  let release = () => {};
  const held = new Promise<void>(resolve => (release = resolve));
  await page.route(/\/derivaml\/api\/(datasets|executions)\?/, async route => {
    await held;
    await route.continue();
  });
  await chooseCatalog(panel, 'ui-empty');
  await expect.poll(() => notes(datasets)).toEqual(['Loading…']);
  await expect.poll(() => notes(executionList)).toEqual(['Loading…']);
  expect(await panel.getByText('Loading…').count()).toBe(2); // one in each of the two
  await screenshot(page, 'states-loading');
  release();
  await expect.poll(() => notes(datasets)).toHaveLength(1);
  await expect.poll(() => notes(executionList)).toEqual(['No executions in this catalog yet.']);
  await chooseCatalog(panel, 'default');
  await expect(datasets.locator('.jp-DerivaML-item')).toHaveCount(4);
  await expect.poll(() => notes(datasets)).toEqual([]);

  // a tab: one loading note, then one error
  let fail = () => {};
  const failing = new Promise<void>(resolve => (fail = resolve));
  await page.route(/\/derivaml\/api\/compare\?/, async route => {
    await failing;
    await route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ error: 'DerivaMLUnavailable', message: 'The catalog is busy.' })
    });
  });
  await chooseCatalog(panel, 'quickstart');
  const items = executions(panel);
  await expect(items.nth(1)).toBeVisible();
  await items.nth(0).click({ modifiers: ['ControlOrMeta'] });
  await items.nth(1).click({ modifiers: ['ControlOrMeta'] });
  await panel.getByRole('button', { name: 'Compare 2 executions' }).click();
  const tab = page.locator('#jp-main-dock-panel .jp-DerivaML-compare:visible');
  await expect.poll(() => notes(tab)).toEqual(['Loading…']);
  fail();
  await expect.poll(() => notes(tab)).toEqual(['The catalog is busy.']);
});

test('a server extension that is not there is said once, in the header', async ({ page }) => {
  await page.route(/\/derivaml\/api\//, route =>
    route.fulfill({ status: 404, contentType: 'text/html', body: '<html>Not Found</html>' })
  );
  await page.reload();
  const panel = await openSidebar(page);
  const missing = 'The derivaml_jupyter server extension is not installed or not enabled';
  await expect(panel.locator('.jp-DerivaML-summary')).toContainText(missing);
  await expect(panel.locator('.jp-DerivaML-datasets .jp-DerivaML-list')).toBeEmpty();
  await expect(panel.locator('.jp-DerivaML-configs .jp-DerivaML-list')).toBeEmpty();
  await expect.poll(() => notes(panel.locator('.jp-DerivaML-executions'))).toEqual([]);
  await expect.poll(() => notes(panel.locator('.jp-DerivaML-runs'))).toEqual([]);
  await expect(panel.getByText(missing)).toHaveCount(1);
  await screenshot(page, 'states-not-installed');
});

test('from the quickstart project: a sweep, its runs compared, a run’s Markdown read', async ({
  page
}) => {
  test.setTimeout(240000);
  const panel = await openQuickstart(page);
  // run a small sweep from the project's configs
  const form = panel.locator('.jp-DerivaML-configs .jp-DerivaML-runModel');
  await form
    .locator('input.jp-DerivaML-overrides')
    .fill('model_config=quick model_config.learning_rate=0.05,2.0');
  await form.getByLabel('multirun').check();
  await form.getByRole('button', { name: 'Run model' }).click();
  await expect(page.locator('.Toastify__toast', { hasText: 'started: model quickstart' })).toBeVisible();
  const run = panel.locator('.jp-DerivaML-runs .jp-DerivaML-item').first();
  await expect(run.locator('.jp-DerivaML-status')).toHaveText('succeeded', { timeout: 150000 });
  const parent = run.locator('.jp-DerivaML-runExecution');
  const rid = (await parent.textContent()) as string;

  // the sweep in its tab: a row per job
  await parent.click();
  const detail = panel.locator('.jp-DerivaML-executions .jp-DerivaML-detail');
  await expect(detail).toContainText(`Execution ${rid}`);
  await detail.getByRole('button', { name: 'Open in a tab' }).click();
  const view = page.locator('#jp-main-dock-panel .jp-DerivaML-executionView:visible');
  const sweep = view.locator('.jp-DerivaML-sweepTable');
  await expect(sweep.locator('tbody tr')).toHaveCount(2);
  await expect(sweep.locator('tbody tr').nth(0)).toContainText('0.05');
  await expect(sweep.locator('tbody tr').nth(1)).toContainText('2.0');
  await screenshot(page, 'journey-sweep');

  // the metrics of its two jobs, side by side
  await view.getByRole('button', { name: 'Compare these 2' }).click();
  const compare = page.locator('#jp-main-dock-panel .jp-DerivaML-compare:visible');
  const accuracy = compare.locator('tr', { hasText: /^accuracy/ });
  await expect(accuracy.locator('td')).toHaveCount(2);
  await expect(accuracy).toHaveClass(/jp-mod-differs/);
  await expect(compare.locator('tr', { hasText: /^learning_rate/ }).locator('td')).toHaveText([
    '0.05',
    '2'
  ]);
  await screenshot(page, 'journey-compare');

  // the Markdown a notebook run uploaded, rendered in a tab
  const notebookRun = executions(panel).filter({ hasText: 'Digits Analysis' }).last();
  await notebookRun.click();
  await detail
    .locator('tr', { hasText: 'digits_analysis.md' })
    .getByRole('button', { name: 'digits_analysis.md' })
    .click();
  const rendered = page.locator('#jp-main-dock-panel .jp-RenderedMarkdown:visible');
  await expect(rendered.locator('h1').first()).toContainText('Digits analysis');
  await screenshot(page, 'journey-markdown');
  expect(new URL(page.url()).pathname).toMatch(/\/lab/); // never left Lab
});

test('an execution of a local catalog is pushed to another catalog from its context menu', async ({
  page
}) => {
  await slowToasts(page, 2000); // the first push answers before its toast is drawn
  const panel = await openSidebar(page);
  await chooseCatalog(panel, 'ui-offline');
  const offline = described(panel, 'made offline');
  await expect(offline).toHaveCount(1, { timeout: 30000 });
  const rid = (await offline.getAttribute('data-rid')) as string;

  // a target that does not exist: nothing is pushed, and the notification says why
  await offline.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Push to Server…' }).click();
  await page.locator('.jp-Dialog input').fill('ui-nosuch');
  await page.locator('.jp-Dialog').getByRole('button', { name: 'OK' }).click();
  await expect(
    page.locator('.Toastify__toast', { hasText: `Execution ${rid} was not pushed to ui-nosuch` })
  ).toContainText('derivaml init --catalog ui-nosuch');
  const pending = page.locator('.Toastify__toast', { hasText: 'Pushing execution' });
  await expect(pending).toHaveCount(0); // the "in progress" toast gave way to the outcome

  await offline.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Push to Server…' }).click();
  await page.locator('.jp-Dialog input').fill('ui-pushed');
  await screenshot(page, 'push-dialog');
  await page.locator('.jp-Dialog').getByRole('button', { name: 'OK' }).click();
  const done = page.locator('.Toastify__toast', { hasText: `Pushed execution ${rid}` });
  await expect(done).toContainText('to local/ui-pushed as');
  await expect(pending).toHaveCount(0);
  await screenshot(page, 'push-done');
  await chooseCatalog(panel, 'ui-pushed');
  await expect(described(panel, 'made offline')).toHaveCount(1, { timeout: 30000 });
});
