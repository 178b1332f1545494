/**
 * The DerivaML sidebar and notebook button in a real JupyterLab, against the demo catalog and
 * the execution that jupyter_server_test_config.py records before the server starts.
 */
import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

import {
  dataset,
  expectLooks,
  openSidebar,
  QUICKSTART,
  screenshot,
  SIDEBAR,
  slowToasts
} from './helpers';

test('the sidebar lists the four demo datasets at version 1.0.0', async ({ page }) => {
  const panel = await openSidebar(page);
  await expect(panel.locator('.jp-DerivaML-summary')).toHaveText(
    'local/default: 4 datasets, 1 execution'
  );
  const items = panel.locator('.jp-DerivaML-datasets .jp-DerivaML-list .jp-DerivaML-item');
  await expect(items).toHaveCount(4);
  for (const type of ['Complete', 'Training', 'Testing', 'Split']) {
    await expect(dataset(panel, type)).toHaveCount(1);
    await expect(dataset(panel, type).locator('.jp-DerivaML-version')).toHaveText('1.0.0');
  }
  await screenshot(page, 'datasets');
  await expectLooks(panel, 'sidebar'); // at the default width, no RID wraps
});

test('the sidebar follows the dark theme', async ({ page }) => {
  await page.theme.setDarkTheme();
  const panel = await openSidebar(page);
  await expect(panel.locator('.jp-DerivaML-datasets .jp-DerivaML-item')).toHaveCount(4);
  const luminance = (color: string) => {
    const [r, g, b] = (color.match(/\d+/g) ?? ['255', '255', '255']).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = await panel.evaluate(node => {
    let element: HTMLElement | null = node as HTMLElement;
    while (element) {
      const color = getComputedStyle(element).backgroundColor;
      if (color && !color.endsWith(', 0)') && color !== 'transparent') {
        return color;
      }
      element = element.parentElement;
    }
    return 'rgb(255, 255, 255)';
  });
  const text = await panel
    .locator('.jp-DerivaML-description')
    .first()
    .evaluate(node => getComputedStyle(node).color);
  expect(luminance(background)).toBeLessThan(80); // a dark background
  expect(luminance(text)).toBeGreaterThan(150); // with light text on it
  await screenshot(page, 'dark-theme');
  await expectLooks(panel, 'sidebar-dark');
  await page.theme.setLightTheme();
});

test('a dataset shows its member counts, history and pages of members', async ({ page }) => {
  const panel = await openSidebar(page);
  await dataset(panel, 'Complete').click();
  const detail = panel.locator('.jp-DerivaML-datasets .jp-DerivaML-detail');
  const imageRow = detail.locator('tr', { hasText: 'Image' });
  await expect(imageRow).toContainText('1797');
  await expect(detail.locator('tr', { hasText: 'Digits demo release.' })).toContainText('1.0.0');
  await screenshot(page, 'dataset-counts');
  await imageRow.getByRole('button', { name: 'Show' }).click();
  const members = detail.locator('.jp-DerivaML-members');
  await expect(members).toContainText('Image: 50 of 1797 shown');
  await expect(members.locator('tbody tr')).toHaveCount(50);
  await members.getByRole('button', { name: 'Load more' }).click();
  await expect(members).toContainText('Image: 100 of 1797 shown');
  await expect(members.locator('tbody tr')).toHaveCount(100);
  await expect(members.locator('tbody tr').first()).toContainText('digit_0000.png');
  await screenshot(page, 'dataset-detail');
});

test('datasets are searched, filtered by type and walked with the keyboard', async ({ page }) => {
  const panel = await openSidebar(page);
  const items = panel.locator('.jp-DerivaML-datasets .jp-DerivaML-list .jp-DerivaML-item');
  await expect(items).toHaveCount(4);
  await panel.getByLabel('Dataset type').selectOption('Training');
  await expect(items).toHaveCount(1);
  await expect(items).toContainText('training images');
  await panel.getByLabel('Dataset type').selectOption('');
  await panel.getByLabel('Search datasets').fill('TESTING images');
  await expect(items).toHaveCount(1);
  await panel.getByLabel('Search datasets').fill('');
  await expect(items).toHaveCount(4);
  await items.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(items.nth(1)).toBeFocused();
  await page.keyboard.press('End');
  await expect(items.nth(3)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(items.nth(2)).toBeFocused();
  await page.keyboard.press('Enter');
  const rid = (await items.nth(2).getAttribute('data-rid')) as string;
  await expect(panel.locator('.jp-DerivaML-datasets .jp-DerivaML-detail')).toContainText(
    `Dataset ${rid}`
  );
});

test('image members show thumbnails', async ({ page }) => {
  const panel = await openSidebar(page);
  await dataset(panel, 'Complete').click();
  const detail = panel.locator('.jp-DerivaML-datasets .jp-DerivaML-detail');
  await detail.locator('tr', { hasText: 'Image' }).getByRole('button', { name: 'Show' }).click();
  const thumb = detail.locator('.jp-DerivaML-members img.jp-DerivaML-thumb').first();
  await expect(thumb).toHaveAttribute('alt', 'digit_0000.png');
  await thumb.scrollIntoViewIfNeeded();
  await expect
    .poll(() => thumb.evaluate(img => (img as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0); // the picture loaded from the asset route
  await screenshot(page, 'thumbnails');
  await expectLooks(thumb, 'thumbnail');
});

test('the executions list shows the recorded run and its detail', async ({ page }) => {
  const panel = await openSidebar(page);
  const item = panel.locator('.jp-DerivaML-executions .jp-DerivaML-item', { hasText: 'UI test' });
  await expect(item).toHaveCount(1);
  await expect(item.locator('.jp-DerivaML-status')).toHaveText('Uploaded');
  await item.click();
  const detail = panel.locator('.jp-DerivaML-executions .jp-DerivaML-detail');
  await expect(detail).toContainText('UI test run');
  await expect(detail.locator('tr', { hasText: 'Dataset' })).toContainText('version 1.0.0');
  await expect(detail.locator('tr', { hasText: 'metrics.txt' })).toContainText('Execution_Asset');
  await screenshot(page, 'execution-detail');
});

test('an output file opens rendered in a tab, and downloads', async ({ page }) => {
  const panel = await openSidebar(page);
  await panel.locator('.jp-DerivaML-executions .jp-DerivaML-item', { hasText: 'UI test' }).click();
  const row = panel.locator('.jp-DerivaML-executions .jp-DerivaML-detail tr', {
    hasText: 'report.md'
  });
  const download = row.locator('a.jp-DerivaML-download');
  await expect(download).toHaveAttribute('href', /\/derivaml\/api\/assets\/.+\/content\?.*download=true/);
  const saved = await page.request.get((await download.getAttribute('href'))!);
  expect(saved.headers()['content-disposition']).toContain('attachment');
  expect(await saved.text()).toContain('# UI test report');
  await row.getByRole('button', { name: 'report.md' }).click();
  const rendered = page.locator('#jp-main-dock-panel .jp-RenderedMarkdown');
  await expect(rendered.locator('h1')).toContainText('UI test report');
  await expect(rendered.locator('strong')).toHaveText('0.9');
  await expect(page.getByRole('tab', { name: 'report.md' })).toHaveAttribute(
    'title',
    /Path: derivaml-outputs\/.+\/report.md/
  );
  await screenshot(page, 'output-markdown');
  await expectLooks(rendered, 'output-markdown');
});

test('an execution opens in a tab with its provenance, inputs and sized outputs', async ({
  page
}) => {
  const panel = await openSidebar(page);
  await panel.locator('.jp-DerivaML-executions .jp-DerivaML-item', { hasText: 'UI test' }).click();
  await panel.getByRole('button', { name: 'Open in a tab' }).click();
  const view = page.locator('#jp-main-dock-panel .jp-DerivaML-executionView');
  await expect(view.locator('h2')).toContainText('Uploaded');
  const provenance = view.locator('dl').nth(1);
  await expect(provenance).toContainText('UI test (Training)');
  await expect(provenance.locator('dt', { hasText: 'Python' })).toBeVisible();
  await expect(provenance).toContainText(/3\.\d+\.\d+/);
  await expect(view.locator('tr', { hasText: 'metrics.txt' })).toContainText('13 B');
  await expect(view).toContainText('No metrics files');
  await screenshot(page, 'execution-tab');
  // masked: the RIDs, and the times, paths, versions and checksums of the provenance
  await expectLooks(view, 'execution-tab', [
    view.locator('h2'),
    view.locator('dd'),
    view.locator('td:nth-child(2)')
  ]);
  await view.locator('tr', { hasText: 'Dataset' }).getByRole('button').click();
  const dataset = panel.locator('.jp-DerivaML-datasets .jp-DerivaML-detail');
  await expect(dataset).toContainText('Dataset');
  await expect(dataset.locator('dd', { hasText: '1.0.0' }).first()).toBeVisible();
});

test('the runs of a sweep compare side by side in a tab', async ({ page }) => {
  await page.notebook.createNew('make-sweep.ipynb');
  await page.notebook.setCell(
    0,
    'code',
    [
      'from derivaml import DerivaML, ExecutionConfiguration',
      'ml = DerivaML("local", "ui-sweep")',
      'ml.add_term("Workflow_Type", "Sweep", description="UI sweeps", exists_ok=True)',
      'wf = ml.create_workflow("UI sweep", "Sweep")',
      'about = "## The sweep\\n\\nTwo **jobs**, one per rate."',
      'parent = ml.create_execution(ExecutionConfiguration(workflow=wf, description=about))',
      'jobs = [ml.create_execution(ExecutionConfiguration(workflow=wf, description=f"job {i}"))',
      '        for i in range(2)]',
      'metrics = [j.asset_file_path("Execution_Metadata", "metrics.json") for j in jobs]',
      '_ = [m.write_text(f\'{{"accuracy": {a}, "epochs": 3}}\') for m, a in zip(metrics, [0.8, 0.9])]',
      '_ = [j.upload_execution_outputs(progress=False) for j in jobs]',
      '_ = [parent.add_nested_execution(j, sequence=i) for i, j in enumerate(jobs)]'
    ].join('\n')
  );
  await page.notebook.run();
  const panel = await openSidebar(page);
  const field = panel.locator('.jp-DerivaML-catalog');
  await field.fill('ui-sweep');
  await field.press('Enter');
  const items = panel.locator('.jp-DerivaML-executions .jp-DerivaML-item');
  await expect(items).toHaveCount(3, { timeout: 30000 });
  const sweep = items.filter({ hasText: 'The sweep' });
  await expect(sweep.locator('.jp-DerivaML-description')).toHaveText('The sweep'); // first line
  await sweep.click();
  const about = panel.locator('.jp-DerivaML-executions .jp-DerivaML-detail .jp-DerivaML-markdown');
  await expect(about.locator('strong')).toHaveText('jobs'); // the Markdown, rendered
  await panel.getByRole('button', { name: 'Compare these 2 executions' }).click();
  const view = page.locator('#jp-main-dock-panel .jp-DerivaML-compare');
  const accuracy = view.locator('tr', { hasText: 'accuracy' });
  await expect(accuracy).toHaveClass(/jp-mod-differs/);
  await expect(accuracy.locator('td')).toHaveText(['0.8', '0.9']);
  await expect(view.locator('tr', { hasText: 'epochs' }).locator('td')).toHaveText(['3', '3']);
  await screenshot(page, 'compare-sweep');
  await expectLooks(view, 'compare-tab', [
    view.locator('thead th'), // the RIDs
    view.locator('tbody tr').filter({ hasText: /time|start|stop|duration|version|rid/i })
  ]);
  await view.getByLabel('Only differences').check();
  await expect(view.locator('tr', { hasText: 'epochs' })).toHaveCount(0);
  await expect(accuracy).toHaveCount(1);

  // Ctrl-click marks any executions for comparison
  await items.filter({ hasText: 'job 0' }).click({ modifiers: ['ControlOrMeta'] });
  await items.filter({ hasText: 'job 1' }).click({ modifiers: ['ControlOrMeta'] });
  await expect(items.filter({ hasText: 'job 1' })).toHaveClass(/jp-mod-marked/);
  await panel.getByRole('button', { name: 'Compare 2 executions' }).click();
  await expect(page.getByRole('tab', { name: 'Compare 2 executions' })).toHaveCount(2);
});

test('executions are searched, filtered and marked abandoned from their context menu', async ({
  page
}) => {
  await page.notebook.createNew('make-runs.ipynb');
  await page.notebook.setCell(
    0,
    'code',
    [
      'from derivaml import DerivaML, ExecutionConfiguration',
      'ml = DerivaML("local", "ui-search")',
      'ml.add_term("Workflow_Type", "Search", description="UI search", exists_ok=True)',
      'wf = ml.create_workflow("UI search", "Search")',
      'alpha = ml.create_execution(ExecutionConfiguration(workflow=wf, description="alpha run"))',
      'alpha.update_status("Running", "working")',
      'beta = ml.create_execution(ExecutionConfiguration(workflow=wf, description="beta run"))',
      '_ = beta.upload_execution_outputs(progress=False)'
    ].join('\n')
  );
  await page.notebook.run();
  const panel = await openSidebar(page);
  const field = panel.locator('.jp-DerivaML-catalog');
  await field.fill('ui-search');
  await field.press('Enter');
  const items = panel.locator('.jp-DerivaML-executions .jp-DerivaML-item');
  await expect(items).toHaveCount(2, { timeout: 30000 });
  await panel.getByLabel('Search executions').fill('ALPHA');
  await expect(items).toHaveCount(1);
  await expect(items).toContainText('alpha run');
  await panel.getByLabel('Search executions').fill('');
  await panel.getByLabel('Status').selectOption('Uploaded');
  await expect(items).toHaveCount(1);
  await expect(items).toContainText('beta run');
  await panel.getByLabel('Status').selectOption('');
  await expect(items).toHaveCount(2);
  await screenshot(page, 'executions-filtered');

  const alpha = items.filter({ hasText: 'alpha run' });
  await alpha.click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Mark Abandoned…' }).click();
  await page.locator('.jp-Dialog input').fill('the kernel died');
  await page.getByRole('button', { name: 'OK' }).click();
  await expect(alpha.locator('.jp-DerivaML-status')).toHaveText('Aborted');
  await alpha.click({ button: 'right' });
  await expect(page.getByRole('menuitem', { name: 'Copy Python to Load It' })).toBeVisible();
  await page.keyboard.press('Escape');
});

test('configs follow the file browser folder', async ({ page, tmpPath }) => {
  let panel = await openSidebar(page);
  await expect(panel.locator('.jp-DerivaML-configs')).toContainText('is in no DerivaML project');
  await page.contents.uploadDirectory(path.join(QUICKSTART, 'src'), `${tmpPath}/quickstart/src`);
  await page.sidebar.openTab('filebrowser');
  await page.filebrowser.openDirectory(`${tmpPath}/quickstart`);
  panel = await openSidebar(page);
  const configs = panel.locator('.jp-DerivaML-configs');
  await expect(configs).toContainText(`Project: /${tmpPath}/quickstart`, { timeout: 30000 });
  await expect(configs.locator('dt', { hasText: 'digits_split' })).toBeVisible();
  await expect(configs).toContainText('Quick training on the digits split.');
  await screenshot(page, 'configs');
  await expectLooks(configs, 'configs');
});

test('the sidebar follows the active notebook to its project and remembers the catalog', async ({
  page,
  tmpPath
}) => {
  const project = `${tmpPath}/quickstart`;
  await page.contents.uploadDirectory(path.join(QUICKSTART, 'src'), `${project}/src`);
  const notebook = `${project}/notebooks/digits_analysis.ipynb`;
  await page.contents.uploadFile(path.join(QUICKSTART, 'notebooks', 'digits_analysis.ipynb'), notebook);
  let panel = await openSidebar(page);
  const field = () => page.locator(`#${SIDEBAR} .jp-DerivaML-catalog`);
  await expect(field()).toHaveValue('default');
  await page.sidebar.openTab('filebrowser');
  await page.filebrowser.open(notebook);
  panel = await openSidebar(page);
  const configs = panel.locator('.jp-DerivaML-configs');
  await expect(configs).toContainText(`Project: /${project}`, { timeout: 30000 });
  await expect(field()).toHaveValue('quickstart'); // what the project's deriva_ml config names
  await field().focus();
  const choices = panel.locator('datalist option');
  await expect(choices.first()).toHaveAttribute('value', 'quickstart'); // the project's first
  const values = await choices.evaluateAll(o => o.map(e => (e as HTMLOptionElement).value));
  expect(values).toContain('default'); // then the local catalogs
  const saved = page.waitForResponse(
    r => r.url().includes('/api/workspaces/') && r.request().method() === 'PUT'
  );
  await field().fill('default');
  await field().press('Enter');
  await expect(panel.locator('.jp-DerivaML-datasets .jp-DerivaML-item')).toHaveCount(4);
  await saved; // the choice is in the workspace, which a reload restores
  await page.reload({ waitForIsReady: false }); // the notebook, not the Launcher, is restored
  await expect(page.locator(`#${SIDEBAR} .jp-DerivaML-configs`)).toContainText(
    `Project: /${project}`,
    { timeout: 30000 }
  );
  await expect(field()).toHaveValue('default'); // the choice made in this project
  await screenshot(page, 'project-catalog');
});

test('the notebook button uploads the saved notebook to a chosen execution', async ({
  page
}) => {
  await slowToasts(page, 2000); // the upload answers before its toast is drawn
  await page.notebook.createNew('upload-me.ipynb');
  await page.notebook.setCell(0, 'markdown', '# Uploaded from the UI test');
  await page.locator('.jp-NotebookPanel-toolbar').getByText('Upload to DerivaML').click();
  const dialog = page.locator('.jp-Dialog');
  const option = dialog.locator('option', { hasText: 'UI test' });
  await expect(option).toHaveCount(1);
  const rid = (await option.getAttribute('value')) as string;
  await dialog.locator('select').selectOption(rid);
  await expect(dialog.locator('input')).toHaveValue(rid);
  await screenshot(page, 'upload-dialog');
  await dialog.getByRole('button', { name: 'Upload', exact: true }).click();
  const toast = page.locator('.Toastify__toast', { hasText: 'Uploaded to execution' });
  await expect(toast).toContainText(rid);
  await expect(toast).toContainText('upload-me.ipynb');
  await expect(toast).toContainText('upload-me.md');
  await expect(page.locator('.Toastify__toast', { hasText: 'Uploading' })).toHaveCount(0);
  await screenshot(page, 'upload-done');
});

test('the upload dialog offers the notebook kernel\'s own execution, and refuses no RID', async ({
  page
}) => {
  await page.notebook.createNew('own-execution.ipynb');
  await page.notebook.setCell(
    0,
    'code',
    [
      'from derivaml import DerivaML, ExecutionConfiguration',
      'ml = DerivaML("local", "ui-upload")',
      'ml.add_term("Workflow_Type", "Upload", description="UI upload", exists_ok=True)',
      'wf = ml.create_workflow("UI upload", "Upload")',
      'execution = ml.create_execution(ExecutionConfiguration(workflow=wf, description="mine"))',
      'print(execution.execution_rid)'
    ].join('\n')
  );
  await page.notebook.run();
  const rid = ((await page.notebook.getCellTextOutput(0)) ?? [''])[0].trim();
  expect(rid).toMatch(/^[0-9A-Z]+-[0-9A-Z]+$/);
  const panel = await openSidebar(page);
  await panel.locator('.jp-DerivaML-catalog').fill('ui-upload');
  await panel.locator('.jp-DerivaML-catalog').press('Enter');
  const button = page.locator('.jp-NotebookPanel-toolbar').getByText('Upload to DerivaML');
  await button.click();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('input')).toHaveValue(rid); // the kernel's `execution`
  await expect(dialog).toContainText('is this notebook’s execution');
  await dialog.locator('input').fill('');
  await dialog.getByRole('button', { name: 'Upload', exact: true }).click();
  await expect(page.locator('.Toastify__toast', { hasText: 'Nothing was uploaded' })).toBeVisible();
  await button.click();
  await dialog.getByRole('button', { name: 'Upload', exact: true }).click();
  const toast = page.locator('.Toastify__toast', { hasText: 'Uploaded to execution' });
  await expect(toast).toContainText(rid);
  await expect(toast).toContainText('own-execution.ipynb');
});

test('the executions list picks up a new execution by itself', async ({ page }) => {
  const panel = await openSidebar(page);
  const executions = panel.locator('.jp-DerivaML-executions .jp-DerivaML-item');
  await expect(executions.filter({ hasText: 'UI test' })).toHaveCount(1);
  await page.notebook.createNew('new-execution.ipynb');
  await page.notebook.setCell(
    0,
    'code',
    [
      'from derivaml import DerivaML, ExecutionConfiguration',
      'ml = DerivaML()',
      'workflow = ml.create_workflow("Live test", "Training")',
      'config = ExecutionConfiguration(workflow=workflow, description="made while watching")',
      'print(ml.create_execution(config).execution_rid)'
    ].join('\n')
  );
  await page.notebook.run();
  const created = executions.filter({ hasText: 'Live test' });
  await expect(created).toHaveCount(1, { timeout: 30000 });
  await expect(created.locator('.jp-DerivaML-status')).toHaveText('Created');
  await expect(executions.first()).toContainText('Live test');
  await expect(panel.locator('.jp-DerivaML-summary')).toContainText('2 executions');
  await screenshot(page, 'executions-live');
});

test('the catalog field switches every section to another catalog', async ({ page }) => {
  const panel = await openSidebar(page);
  const field = panel.locator('.jp-DerivaML-catalog');
  await field.fill('ui-missing');
  await field.press('Enter');
  const missing = "There is no local catalog 'ui-missing'";
  await expect(panel.locator('.jp-DerivaML-summary')).toContainText(missing);
  await expect(panel.locator('.jp-DerivaML-datasets .jp-DerivaML-list')).toBeEmpty();
  await expect(panel.locator('.jp-DerivaML-executions .jp-DerivaML-list')).toBeEmpty();
  await screenshot(page, 'missing-catalog');
  await field.fill('default');
  await field.press('Enter');
  await expect(panel.locator('.jp-DerivaML-datasets .jp-DerivaML-item')).toHaveCount(4);
  await expect(panel.locator('.jp-DerivaML-executions .jp-DerivaML-item')).not.toHaveCount(0);
});

test('a notebook runs headless and its run and execution show in the sidebar', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(240000);
  for (const folder of ['src', 'notebooks']) {
    await page.contents.uploadDirectory(
      path.join(QUICKSTART, folder),
      `${tmpPath}/quickstart/${folder}`
    );
  }
  await page.notebook.openByPath(`${tmpPath}/quickstart/notebooks/digits_analysis.ipynb`);
  await page.locator('.jp-NotebookPanel-toolbar').getByText('Run headless with DerivaML').click();
  const dialog = page.locator('.jp-Dialog');
  await dialog.locator('textarea.jp-DerivaML-overrides').fill('datasets=digits_testing');
  await dialog.locator('textarea.jp-DerivaML-parameters').fill('examples_shown=12');
  await screenshot(page, 'run-dialog');
  await expectLooks(dialog.locator('.jp-Dialog-content'), 'run-dialog');
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();
  const toast = page.locator('.Toastify__toast', { hasText: 'started' });
  await expect(toast).toContainText('notebook digits_analysis.ipynb');

  const panel = await openSidebar(page);
  const run = panel.locator('.jp-DerivaML-runs .jp-DerivaML-item', {
    hasText: 'digits_analysis.ipynb'
  });
  await expect(run).toHaveCount(1);
  await expect(run.locator('.jp-DerivaML-overridesShown')).toHaveText('datasets=digits_testing');
  await expect(run.locator('.jp-DerivaML-status')).toHaveText('succeeded', { timeout: 120000 });
  const rid = (await run.locator('.jp-DerivaML-runExecution').textContent()) as string;
  const ended = page.locator('.Toastify__toast', { hasText: 'finished' });
  await expect(ended).toContainText(`finished: execution ${rid}`);
  await expect(ended.getByRole('button', { name: 'Show execution' })).toBeVisible();
  await run.click();
  const output = panel.locator('.jp-DerivaML-runs .jp-DerivaML-output');
  await expect(output).toContainText(`Execution ${rid}: Uploaded`);
  await screenshot(page, 'run-succeeded');

  await expect(panel.locator('.jp-DerivaML-runs .jp-DerivaML-detail')).toContainText(
    'local/quickstart'
  );
  // The run recorded its execution in the quickstart catalog: its RID opens it there.
  const field = panel.locator('.jp-DerivaML-catalog');
  await field.fill('default');
  await field.press('Enter');
  await run.locator('.jp-DerivaML-runExecution').click();
  await expect(field).toHaveValue('quickstart');
  const execution = panel.locator('.jp-DerivaML-executions .jp-DerivaML-item', { hasText: rid });
  await expect(execution.locator('.jp-DerivaML-status')).toHaveText('Uploaded');
  const detail = panel.locator('.jp-DerivaML-executions .jp-DerivaML-detail');
  await expect(detail).toContainText(`Execution ${rid}`);
  await expect(detail.locator('tr', { hasText: 'digits_analysis.ipynb' })).toHaveCount(1);
  await screenshot(page, 'run-execution');
  await field.fill('default');
  await field.press('Enter');
});

test('the Configs section runs the project model with overrides', async ({ page, tmpPath }) => {
  test.setTimeout(180000);
  await page.contents.uploadDirectory(path.join(QUICKSTART, 'src'), `${tmpPath}/quickstart/src`);
  await page.sidebar.openTab('filebrowser');
  await page.filebrowser.openDirectory(`${tmpPath}/quickstart`);
  const panel = await openSidebar(page);
  const form = panel.locator('.jp-DerivaML-configs .jp-DerivaML-runModel');
  await form.locator('input.jp-DerivaML-overrides').fill('model_config=quick', { timeout: 30000 });
  await form.getByRole('button', { name: 'Run model' }).click();
  await expect(page.locator('.Toastify__toast', { hasText: 'started: model' })).toBeVisible();
  const run = panel.locator('.jp-DerivaML-runs .jp-DerivaML-item', { hasText: 'model' }).first();
  await expect(run.locator('.jp-DerivaML-status')).toHaveText('succeeded', { timeout: 120000 });
  await expect(run.locator('.jp-DerivaML-runExecution')).toHaveText(/^\d-[0-9A-Z]+$/);
  await run.click();
  const output = panel.locator('.jp-DerivaML-runs .jp-DerivaML-output');
  await expect(output).toContainText('accuracy=');
  await panel.locator('.jp-DerivaML-runs').screenshot({ path: test.info().outputPath('runs.png') });
  await screenshot(page, 'run-model');
});
