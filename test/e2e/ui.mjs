// The UI half of the e2e suite: a person's view of the workbench, read from the DOM. Every wait is on a DOM
// state or a registry request, never a fixed sleep.
import path from 'node:path';

const TIMEOUT = 45_000;

export function uiChecks({ page, artifacts, plain, basic, repos }) {
  const workbench = page.locator('.monaco-workbench');
  const problems = page.locator('.markers-panel');

  async function palette(text) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>' + text);
    // The list filters asynchronously: wait until the focused (first) row is the one asked for.
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: text }).waitFor();
    await page.keyboard.press('Enter');
  }

  async function openFile(name) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator(`.tab.active[aria-label^="${name}"]`).waitFor({ timeout: TIMEOUT });
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').waitFor();
  }

  async function showProblems() {
    if (!(await problems.isVisible())) await page.keyboard.press('Control+Shift+M');
    await problems.waitFor({ state: 'visible' });
  }

  async function problemsContain(...texts) {
    await showProblems();
    await page.waitForFunction(
      (want) => want.every((t) => (document.querySelector('.markers-panel')?.textContent ?? '').includes(t)),
      texts, { timeout: TIMEOUT, polling: 'raf' },
    );
  }

  /** Opens the Tagline container (its only view has no pane header of its own, just the container title). */
  async function showTree() {
    const title = page.locator('.sidebar .composite.title', { hasText: /Tagline/i });
    if (!(await title.isVisible())) await palette('Tagline: Focus on Image Repositories View');
    await title.waitFor({ state: 'visible' });
  }

  /** Waits until the tree row named `name` shows the codicon `icon` and a description matching `description`. */
  async function treeRow(name, { icon, description }) {
    await page.waitForFunction(
      ({ name, icon, description }) => {
        const row = [...document.querySelectorAll('.monaco-list-row')].find((r) => r.querySelector('.label-name')?.textContent === name);
        if (!row) return false;
        const hasIcon = row.querySelector(`.custom-view-tree-node-item-icon.codicon-${icon}`) !== null;
        return hasIcon && new RegExp(description).test(row.querySelector('.label-description')?.textContent ?? '');
      },
      { name, icon, description: description.source }, { timeout: TIMEOUT, polling: 'raf' },
    );
  }

  async function editorText() {
    return page.locator('.editor-group-container.active .monaco-editor .view-lines').innerText();
  }

  /** Scrolls the active editor to the first match of `text` (Find), so that its line is rendered. */
  async function revealText(text) {
    await page.keyboard.press('Control+F');
    const find = page.locator('.editor-group-container.active .find-widget textarea, .editor-group-container.active .find-widget input').first();
    await find.waitFor({ state: 'visible' });
    await find.fill(text);
    await page.locator('.editor-group-container.active .find-widget .matchesCount', { hasText: /^1 of/ }).waitFor();
    await page.keyboard.press('Escape');
    // Collapse the selection: selected whitespace is drawn as "·" and would change the line's text.
    await page.keyboard.press('Home');
  }

  const shot = (name) => page.screenshot({ path: path.join(artifacts, name) });
  const tagRequests = () => plain.requests.filter((r) => r.url.includes('/tags/list')).length;

  return [
    ['the extension activates on a YAML file', async () => {
      await workbench.waitFor({ timeout: 60_000 });
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
      await openFile('podinfo.yaml');
      await page.locator('.statusbar-item', { hasText: /ready|ImageRepositor/ }).first().waitFor({ timeout: TIMEOUT });
    }],
    ['a schema error and a registry condition appear in the Problems panel', async () => {
      await openFile('broken.yaml');
      await openFile('private-app.yaml');
      await problemsContain('broken.yaml', 'Go duration', 'private-app.yaml');
      await page.waitForFunction(() => /ReadOperationFailed/.test(document.querySelector('.markers-panel')?.textContent ?? ''),
        null, { timeout: TIMEOUT, polling: 'raf' });
      await shot('problems-panel.png');
    }],
    ['a wrong password shows the controller\'s ReadOperationFailed text with the registry\'s UNAUTHORIZED', async () => {
      await showProblems();
      const text = await problems.innerText();
      // The Secret is found and the options build, so not AuthenticationFailed: the registry refuses the listing.
      const wanted = /scan failed: GET http:\/\/127\.0\.0\.1:\d+\/v2\/team\/private-app\/tags\/list\?n=1000: UNAUTHORIZED: authentication required; \[map\[Action:pull Class: Name:team\/private-app Type:repository\]\]/;
      if (!/ReadOperationFailed/.test(text) || /AuthenticationFailed/.test(text) || !wanted.test(text)) {
        throw new Error(`Problems panel has not the controller's ReadOperationFailed text:\n${text}`);
      }
      if (/not-the-password/.test(await page.content())) throw new Error('the password reached the workbench');
    }],
    ['the tree shows the repositories with the right icons and tag counts', async () => {
      await showTree();
      await treeRow(repos.podinfo.name, { icon: 'pass-filled', description: /^5 tags · scanned / });
      await treeRow(repos.nginx.name, { icon: 'pass-filled', description: /^3 tags · scanned / });
      await treeRow(repos.private.name, { icon: 'error', description: /^(ReadOperationFailed|AuthenticationFailed)/ });
      await shot('tree-view.png');
    }],
    ['hover on spec.image shows the latest tags, and its copy link runs', async () => {
      await openFile('podinfo.yaml');
      // The value's own span; the line also holds the inlay hint after it.
      const image = page.locator('.editor-group-container.active .view-line', { hasText: 'image:' })
        .locator('span span', { hasText: `/${repos.podinfo.repo}` }).last();
      // Keyboard "Show Hover" (Ctrl+K Ctrl+I) at the cursor: a mouse hover needs a mouse move the browser may not
      // deliver when the pointer already rests there.
      await image.click();
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      const hover = page.locator('.monaco-hover:not(.hidden)');
      await hover.filter({ hasText: '6.6.0' }).first().waitFor({ timeout: TIMEOUT });
      const text = await hover.first().innerText();
      for (const tag of repos.podinfo.tags) if (!text.includes(tag)) throw new Error(`hover lacks tag ${tag}:\n${text}`);
      await shot('hover.png');
      // The hover's command links run only if the client marked them trusted (Tagline's own commands).
      await hover.first().locator('a', { hasText: 'copy' }).first().click();
      await page.locator('.statusbar-item', { hasText: `Copied tag ${repos.podinfo.tags.at(-1)}` }).waitFor({ timeout: TIMEOUT });
      await page.keyboard.press('Escape');
    }],
    ['hover on an ImagePolicy shows the reconciler\'s Ready message and the tag it selects', async () => {
      // The policy rows sit under their repository in the tree: expand podinfo so the screenshot shows them.
      await showTree();
      const repositoryRow = page.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^podinfo$/ }) })
        .filter({ has: page.locator('.label-description', { hasText: /tags · scanned/ }) }).first();
      if ((await repositoryRow.getAttribute('aria-expanded')) !== 'true') await repositoryRow.locator('.monaco-tl-twistie').click();
      await page.waitForFunction(
        () => [...document.querySelectorAll('.monaco-list-row')].some((r) => r.querySelector('.label-name')?.textContent === 'podinfo'
          && r.querySelector('.custom-view-tree-node-item-icon.codicon-pass-filled') !== null
          && r.querySelector('.label-description')?.textContent === 'semver >=6.5.0 → 6.6.0'),
        null, { timeout: TIMEOUT, polling: 'raf' },
      );
      await openFile('policies.yaml');
      const kind = page.locator('.editor-group-container.active .view-line', { hasText: 'kind: ImagePolicy' }).first()
        .locator('span span', { hasText: 'ImagePolicy' }).last();
      await kind.click();
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      const hover = page.locator('.monaco-hover:not(.hidden)');
      await hover.filter({ hasText: 'Selects 6.6.0' }).first().waitFor({ timeout: TIMEOUT });
      const text = await hover.first().innerText();
      if (!/Ready=True \(Succeeded\): Latest image tag for 127\.0\.0\.1:\d+\/stefanprodan\/podinfo resolved to 6\.6\.0 with digest sha256:/.test(text)) {
        throw new Error(`the policy hover lacks the reconciler's Ready message:\n${text}`);
      }
      await shot('policy-hover.png');
      await page.keyboard.press('Escape');
    }],
    ['"rescan all" from the command palette updates the scan time', async () => {
      await openFile('podinfo.yaml');
      await palette('Tagline: Describe ImageRepository');
      await page.locator('.tab.active', { hasText: 'podinfo.describe' }).waitFor({ timeout: TIMEOUT });
      await page.keyboard.press('Control+J'); // hide the panel: more of the document is rendered
      await revealText('Scan Time:');
      const before = (await editorText()).match(/Scan.Time:\s+(\S+?Z)/)?.[1];
      if (!before) throw new Error(`describe shows no Scan Time:\n${await editorText()}`);
      const requestsBefore = tagRequests();
      await palette('Tagline: Rescan All ImageRepositories');
      await page.waitForFunction(
        (old) => {
          const m = (document.querySelector('.editor-group-container.active .view-lines')?.textContent ?? '').match(/Scan.Time:\s*(\S+?Z)/);
          return m && m[1] !== old;
        },
        before, { timeout: TIMEOUT, polling: 'raf' },
      );
      if (tagRequests() <= requestsBefore) throw new Error('no tag listing reached the registry');
    }],
    ['"rescan all" shows a notification whose Cancel button ends the wait', async () => {
      // One listing hangs for 20 s at the shim, so the progress notification stays up until cancelled.
      plain.faults([{ match: `${repos.nginx.repo}/tags/list`, delayMs: 20_000, times: 1 }]);
      try {
        await palette('Tagline: Rescan All ImageRepositories');
        const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'rescanning ImageRepositories' });
        await toast.waitFor({ timeout: TIMEOUT });
        const started = Date.now();
        await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
        await toast.waitFor({ state: 'detached', timeout: 10_000 });
        if (Date.now() - started > 10_000) throw new Error('the notification outlived the cancel');
      } finally {
        plain.faults([]);
      }
    }],
    ['"Sign in to a registry" stores the login in SecretStorage and the next scan uses it', async () => {
      await showTree();
      await treeRow(repos.signedIn.name, { icon: 'error', description: /^(ReadOperationFailed|AuthenticationFailed)/ });
      await palette('Tagline: Sign In to a Registry');
      const input = page.locator('.quick-input-widget input');
      const step = async (title, value) => {
        await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor();
        await input.fill(value);
        await page.keyboard.press('Enter');
      };
      await step('(1/3)', basic.host);
      await step('(2/3)', basic.credentials.username);
      await step('(3/3)', basic.credentials.password);
      await treeRow(repos.signedIn.name, { icon: 'pass-filled', description: /^2 tags · scanned / });
      if ((await page.content()).includes(basic.credentials.password)) throw new Error('the password is visible in the workbench');
    }],
  ];
}

/** After a window reload: tags come back from the database, with no request to the registry. */
export function restartChecks({ page, plain, repos, requestsBefore }) {
  return [
    ['restarting the window keeps the tags from the database without rescanning', async () => {
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      const title = page.locator('.sidebar .composite.title', { hasText: /Tagline/i });
      // The reloaded window restores the Tagline container it had open; its title can appear a moment after the
      // workbench (and the palette may not list the view's focus command until the contributions are read).
      const restored = await title.waitFor({ state: 'visible', timeout: 30_000 }).then(() => true, () => false);
      if (!restored) {
        await page.keyboard.press('F1');
        await page.locator('.quick-input-widget input').fill('>Tagline: Focus on Image Repositories View');
        await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Focus on Image' }).waitFor();
        await page.keyboard.press('Enter');
      }
      await page.waitForFunction(
        (name) => [...document.querySelectorAll('.monaco-list-row')].some((r) => r.querySelector('.label-name')?.textContent === name
          && (r.querySelector('.label-description')?.textContent ?? '').startsWith('5 tags')),
        repos.podinfo.name, { timeout: TIMEOUT, polling: 'raf' },
      );
      // The reconcile after the restart is over when its event is there: Flux's Trace for "no scan needed".
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input').fill('podinfo.yaml');
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'podinfo.yaml' }).waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.tab.active[aria-label^="podinfo.yaml"]').waitFor({ timeout: TIMEOUT });
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').fill('>Tagline: Show Events');
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Show Events' }).waitFor();
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        () => (document.querySelector('.editor-group-container.active .view-lines')?.textContent ?? '')
          .replace(/\u00a0/g, ' ').includes('no change in repository configuration since last scan'),
        null, { timeout: TIMEOUT, polling: 'raf' },
      );
      const after = plain.requests.length;
      if (after !== requestsBefore) {
        throw new Error(`the registry saw ${after - requestsBefore} request(s) after the restart: ${plain.requests.slice(requestsBefore).map((r) => r.url).join(', ')}`);
      }
    }],
  ];
}
