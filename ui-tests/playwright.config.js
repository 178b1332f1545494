/**
 * Playwright settings of the Galata tests: Debian's Chromium (Playwright's own browser
 * cannot be downloaded here) and a Jupyter server started for the tests on its own port.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const PORT = 8897;

module.exports = {
  ...baseConfig,
  reporter: [['list'], ['html', { open: 'never' }]],
  // The tests share one server and catalog, and some add to it: run them in file order.
  workers: 1,
  // The sidebar polls with back-off; on a busy 2-core machine a section can take longer than
  // the default 5 s to show a change.
  expect: { timeout: 15 * 1000 },
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1280, height: 1024 },
    video: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: `jlpm start --ServerApp.port=${PORT}`,
    url: `http://localhost:${PORT}/lab`,
    // It makes the demo catalogs first (on a DERIVA server too with DERIVAML_TEST_HOST).
    timeout: (process.env.DERIVAML_TEST_HOST ? 600 : 120) * 1000,
    reuseExistingServer: false
  }
};
