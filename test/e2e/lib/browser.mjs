// Debian's headless chromium through playwright-core, pointed at the VS Code server's workbench.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error('chromium is missing: the e2e suite drives Debian\'s chromium. Install it with\n'
      + '  apt-get install -y --no-install-recommends chromium\n(or set CHROMIUM to a Chromium binary)');
  }
  return found;
}

// launch() always uses a fresh temporary profile (playwright refuses --user-data-dir).
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--no-zygote', '--disable-crash-reporter', '--disable-breakpad', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/**
 * The workbench URL for `folder`. extensionDevelopmentPath/extensionTestsPath travel in the `payload` query,
 * which a built server honours only with --enable-smoke-test-driver.
 */
export function workbenchUrl(server, folder, { dev, tests } = {}) {
  const host = new URL(server).host;
  const remote = (p) => `vscode-remote://${host}${p}`;
  const payload = [];
  if (dev) payload.push(['extensionDevelopmentPath', remote(dev)]);
  if (tests) payload.push(['extensionTestsPath', remote(tests)]);
  return `${server}/?folder=${encodeURIComponent(folder)}`
    + (payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : '');
}
