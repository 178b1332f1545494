/**
 * The DerivaML sidebar against a catalog on a DERIVA server: the catalog that
 * jupyter_server_test_config.py makes there with the demo data and two executions, named in
 * `.run/remote.json`. Skipped unless DERIVAML_TEST_HOST names the server.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

import { chooseCatalog, dataset, openSidebar, QUICKSTART, screenshot } from './helpers';

test.skip(!process.env.DERIVAML_TEST_HOST, 'set DERIVAML_TEST_HOST to a DERIVA server');

interface IRemote {
  host: string;
  catalog: string;
  datasets: Record<string, string>; // demo dataset RIDs by key (Complete, Training...)
}

function remote(): IRemote {
  return JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '.run', 'remote.json'), 'utf-8'));
}

/** The sidebar, switched to the server catalog. */
async function serverSidebar(page: Page): Promise<Locator> {
  const { host, catalog } = remote();
  const panel = await openSidebar(page);
  await chooseCatalog(panel, `${host}/${catalog}`);
  await expect(panel.locator('.jp-DerivaML-summary')).toHaveText(
    `${host}/${catalog}: 4 datasets, 2 executions`
  );
  return panel;
}

/** The executions list item described `description`. */
function execution(panel: Locator, description: string): Locator {
  return panel.locator('.jp-DerivaML-executions .jp-DerivaML-item', { hasText: description });
}

test('the sidebar reads a catalog on a DERIVA server', async ({ page }) => {
  const panel = await serverSidebar(page);
  for (const type of ['Complete', 'Training', 'Testing', 'Split']) {
    await expect(dataset(panel, type).locator('.jp-DerivaML-version')).toHaveText('1.0.0');
  }
  await dataset(panel, 'Complete').click();
  const members = panel.locator('.jp-DerivaML-datasets .jp-DerivaML-detail');
  await expect(members.locator('tr', { hasText: 'Image' })).toContainText('1797');
  const item = execution(panel, 'UI test run');
  await expect(item.locator('.jp-DerivaML-status')).toHaveText('Uploaded');
  await item.click();
  const detail = panel.locator('.jp-DerivaML-executions .jp-DerivaML-detail');
  await expect(detail.locator('tr', { hasText: 'Dataset' })).toContainText('version 1.0.0');
  await expect(detail.locator('tr', { hasText: 'metrics.txt' })).toContainText('Execution_Asset');
  await screenshot(page, 'deriva-server-catalog');
  await chooseCatalog(panel, 'default');
  await expect(panel.locator('.jp-DerivaML-summary')).toHaveText(/^local\/default: /);
});

test('a server execution\'s output file and the execution open in tabs', async ({ page }) => {
  const { host, catalog } = remote();
  const panel = await serverSidebar(page);
  await execution(panel, 'UI test run').click();
  const detail = panel.locator('.jp-DerivaML-executions .jp-DerivaML-detail');
  const row = detail.locator('tr', { hasText: 'report.md' });
  // The bytes come from the server's object store through our asset route.
  const download = row.locator('a.jp-DerivaML-download');
  await expect(download).toHaveAttribute(
    'href',
    new RegExp(`/derivaml/api/assets/.+/content\\?host=${host}&catalog=${catalog}&`)
  );
  const saved = await page.request.get((await download.getAttribute('href'))!);
  expect(saved.status()).toBe(200);
  expect(await saved.text()).toContain('# UI test report');
  await row.getByRole('button', { name: 'report.md' }).click();
  const rendered = page.locator('#jp-main-dock-panel .jp-RenderedMarkdown');
  await expect(rendered.locator('h1')).toContainText('UI test report');
  await expect(rendered).toContainText('on the Training dataset');
  await expect(page.getByRole('tab', { name: 'report.md' })).toHaveAttribute(
    'title',
    /Path: derivaml-outputs\/.+\/report.md/
  );
  await screenshot(page, 'server-output-markdown');

  await panel.getByRole('button', { name: 'Open in a tab' }).click();
  const view = page.locator('#jp-main-dock-panel .jp-DerivaML-executionView');
  await expect(view.locator('h2')).toContainText('Uploaded');
  await expect(view.locator('dl').nth(1)).toContainText('UI test (Training)');
  await expect(view.locator('tr', { hasText: 'metrics.txt' })).toContainText('13 B');
  await screenshot(page, 'server-execution-tab');
});

test('two executions of a server catalog compare side by side', async ({ page }) => {
  const { datasets } = remote();
  const panel = await serverSidebar(page);
  const first = execution(panel, 'UI test run');
  const second = execution(panel, 'UI compared run');
  await first.click({ modifiers: ['ControlOrMeta'] });
  await second.click({ modifiers: ['ControlOrMeta'] });
  await expect(second).toHaveClass(/jp-mod-marked/);
  const firstRid = (await first.locator('.jp-DerivaML-rid').textContent()) as string;
  const secondRid = (await second.locator('.jp-DerivaML-rid').textContent()) as string;
  await panel.getByRole('button', { name: 'Compare 2 executions' }).click();
  const view = page.locator('#jp-main-dock-panel .jp-DerivaML-compare');
  await expect(view.locator('thead th')).toHaveText(['', firstRid, secondRid]);
  const fact = (name: string) =>
    view.locator('tbody tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${name}$`) }) });
  await expect(fact('description')).toHaveClass(/jp-mod-differs/);
  await expect(fact('description').locator('td')).toHaveText(['UI test run', 'UI compared run']);
  await expect(fact('workflow').locator('td')).toHaveText(['UI test', 'UI test']);
  await expect(fact('datasets').locator('td')).toHaveText([
    `${datasets.Training}@1.0.0`,
    `${datasets.Testing}@1.0.0`
  ]);
  // the second execution's metrics file, read from the server's object store
  await expect(fact('accuracy').locator('td')).toHaveText(['', '0.8']);
  await screenshot(page, 'server-compare');
  await view.getByLabel('Only differences').check();
  await expect(fact('workflow')).toHaveCount(0);
  await expect(fact('accuracy')).toHaveCount(1);
});

test('a notebook runs headless against the server catalog', async ({ page, tmpPath }) => {
  test.setTimeout(300000);
  const { host, catalog, datasets } = remote();
  for (const folder of ['src', 'notebooks']) {
    await page.contents.uploadDirectory(
      path.join(QUICKSTART, folder),
      `${tmpPath}/quickstart/${folder}`
    );
  }
  // The project names its datasets by RID: those of the server catalog here.
  const configs = path.join(QUICKSTART, 'src', 'configs', 'datasets.py');
  const named = fs
    .readFileSync(configs, 'utf-8')
    .replace(
      /^DEMO_COMPLETE, DEMO_TRAINING, DEMO_TESTING = .*$/m,
      `DEMO_COMPLETE, DEMO_TRAINING, DEMO_TESTING = ` +
        `"${datasets.Complete}", "${datasets.Training}", "${datasets.Testing}"`
    );
  expect(named).toContain(datasets.Testing);
  await page.contents.uploadContent(named, 'text', `${tmpPath}/quickstart/src/configs/datasets.py`);

  await page.notebook.openByPath(`${tmpPath}/quickstart/notebooks/digits_analysis.ipynb`);
  await page.locator('.jp-NotebookPanel-toolbar').getByText('Run headless with DerivaML').click();
  const dialog = page.locator('.jp-Dialog');
  await dialog
    .locator('textarea.jp-DerivaML-overrides')
    .fill(`deriva_ml.hostname=${host}\nderiva_ml.catalog_id=${catalog}`);
  await dialog.locator('textarea.jp-DerivaML-parameters').fill('examples_shown=12');
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.locator('.Toastify__toast', { hasText: 'started' })).toContainText(
    'notebook digits_analysis.ipynb'
  );

  const panel = await openSidebar(page);
  // (the Runs section also lists the runs of derivaml.spec.ts)
  const run = panel
    .locator('.jp-DerivaML-runs .jp-DerivaML-item', { hasText: 'digits_analysis.ipynb' })
    .filter({ hasText: `deriva_ml.catalog_id=${catalog}` });
  await expect(run).toHaveCount(1);
  await expect(run.locator('.jp-DerivaML-status')).toHaveText('succeeded', { timeout: 240000 });
  const rid = (await run.locator('.jp-DerivaML-runExecution').textContent()) as string;
  await run.click();
  await expect(panel.locator('.jp-DerivaML-runs .jp-DerivaML-output')).toContainText(
    `Execution ${rid}: Uploaded`
  );
  await expect(panel.locator('.jp-DerivaML-runs .jp-DerivaML-detail')).toContainText(
    `${host}/${catalog}`
  );
  await screenshot(page, 'server-run-succeeded');

  // The run's RID opens its execution in the server catalog.
  await chooseCatalog(panel, 'default');
  await run.locator('.jp-DerivaML-runExecution').click();
  await expect(panel.locator('.jp-DerivaML-catalog')).toHaveValue(`${host}/${catalog}`);
  const made = execution(panel, rid);
  await expect(made.locator('.jp-DerivaML-status')).toHaveText('Uploaded');
  const detail = panel.locator('.jp-DerivaML-executions .jp-DerivaML-detail');
  await expect(detail).toContainText(`Execution ${rid}`);
  await expect(detail.locator('tr', { hasText: 'Dataset' })).toContainText(datasets.Testing);
  await expect(detail.locator('tr', { hasText: 'digits_analysis.ipynb' })).toHaveCount(1);
  await expect(detail.locator('tr', { hasText: 'digit_examples.png' })).toHaveCount(1);
  await screenshot(page, 'server-run-execution');
  await chooseCatalog(panel, 'default');
});
