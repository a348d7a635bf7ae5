#!/usr/bin/env node
// The UI smoke: the installed .vsix in code-server, driven like a user through headless
// chromium (playwright-core): open .gitlab-ci.yml, find Pullguard's problems in the
// Problems panel, show an image hover, apply a quick fix (once the server has code
// actions), run *Pullguard: Create DOCKER_AUTH_CONFIG…* from the command palette and answer
// its prompts (the password input must be masked), and see the JSON of DOCKER_AUTH_CONFIG
// highlighted by the injection grammar. A screenshot after each step goes to out/e2e/artifacts/e2e-ui/screenshots/;
// `--readme-shots` also copies the README's ones to docs/images/.
//
//   node scripts/e2e/ui.mjs [--vsix dist/pullguard.vsix] [--results FILE] [--readme-shots]
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildSuite, SUITE_OUT } from './buildSuite.mjs';
import { ARTIFACTS, Checks, installVsix, keepArtifacts, launchBrowser, log, parseArgs, prepareWorkspace, ROOT, runDir, startCodeServer } from './lib.mjs';

const SUITE = 'e2e-ui';
const STEP_TIMEOUT_MS = 60_000;
const SHOTS = join(ARTIFACTS, SUITE, 'screenshots');
/** Screenshot → README image. */
const README_SHOTS = {
  '03-problems.png': 'problems-panel.png',
  '04-hover.png': 'image-hover.png',
  '05-quick-fix-menu.png': 'quick-fix.png',
  '08-palette-registry.png': 'create-auth-config.png',
  '09-palette-password.png': 'masked-password.png',
  '11-injection-grammar.png': 'docker-auth-config-highlighting.png',
};

const args = parseArgs();
const checks = new Checks(SUITE);
const started = Date.now();
const dir = runDir(SUITE);
let server;
let browser;
let page;
let shot = 0;

rmSync(SHOTS, { recursive: true, force: true });
mkdirSync(SHOTS, { recursive: true });

async function screenshot(name) {
  const file = join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The position (1-based line and column) of `needle` in `text`, for Ctrl+G. */
function lineColumnOf(text, needle) {
  const offset = text.indexOf(needle);
  if (offset === -1) throw new Error(`the pipeline has no ${JSON.stringify(needle)}`);
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** Ctrl+P / F1 / Ctrl+G with `text` (its `>` or `:` prefix included); Enter once `rowText` is focused. */
async function quickInput(key, text, rowText) {
  await page.keyboard.press(key);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  if (rowText) await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: rowText }).waitFor();
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** The active editor's text. Monaco's line divs are not in document order: sort by `top`. */
function editorText() {
  return page.evaluate(() =>
    [...document.querySelector('.editor-instance .view-lines').children]
      .map((line) => [parseFloat(line.style.top), line.textContent.replace(/\u00a0/g, ' ')])
      .sort((a, b) => a[0] - b[0])
      .map((entry) => entry[1])
      .join('\n'),
  );
}

async function goTo(text, needle, offset = 1) {
  const { line, column } = lineColumnOf(text, needle);
  await page.locator('.editor-instance .view-lines').first().click();
  await quickInput('Control+G', `:${line}:${column + offset}`);
}

/** What the extension host logged when it did not activate Pullguard, if it did. */
function activationProblem() {
  const logs = join(dir, 'user-data/logs');
  for (const session of existsSync(logs) ? readdirSync(logs) : []) {
    const file = join(logs, session, 'exthost1/remoteexthost.log');
    const line = existsSync(file) && readFileSync(file, 'utf8').split('\n').find((l) => l.includes("Not activating extension 'pullguard.pullguard'"));
    if (line) return `The extension host log says: ${line}`;
  }
  return undefined;
}

const pipeline = readFileSync(join(ROOT, 'examples/.gitlab-ci.yml'), 'utf8');

const steps = [
  ['the workbench opens the examples workspace', async () => {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: STEP_TIMEOUT_MS });
    await screenshot('workbench');
  }],
  ['Quick Open opens .gitlab-ci.yml in an editor', async () => {
    await quickInput('Control+P', '.gitlab-ci.yml', '.gitlab-ci.yml');
    await page.locator('.tab.active', { hasText: '.gitlab-ci.yml' }).waitFor();
    await page.locator('.editor-instance .view-lines', { hasText: 'stages: [build, test, deploy]' }).waitFor();
    await screenshot('pipeline-open');
  }],
  ["the Problems panel lists Pullguard's problems with code and position", async () => {
    await page.keyboard.press('Control+Shift+M');
    const { line, column } = lineColumnOf(pipeline, 'Acme');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'image/uppercase-repository' }).first();
    await row.waitFor({ timeout: STEP_TIMEOUT_MS }).catch((error) => {
      throw new Error(`${error.message}\n${activationProblem() ?? 'The extension host log does not say why.'}`);
    });
    const text = await row.innerText();
    for (const part of ['pullguard', 'Write `acme`', `[Ln ${line}, Col ${column}]`]) {
      if (!text.includes(part)) throw new Error(`the Problems row ${JSON.stringify(text)} lacks ${JSON.stringify(part)}`);
    }
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'image/port-as-tag' }).first().waitFor();
    await screenshot('problems');
    return text.replace(/\s+/g, ' ');
  }],
  ['a hover on an image shows registry, repository and credentials', async () => {
    // On `node`, outside the tag's image/not-pinned range, the hover is Pullguard's table alone.
    await goTo(pipeline, 'node:$NODE_VERSION-alpine', 1);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I'); // editor.action.showHover
    // A regular expression: a string would match case-insensitively, and the problem text above
    // the hover says "credentials" too.
    const hover = page.locator('.monaco-hover:visible', { hasText: /Full name/ }).first();
    await hover.waitFor({ timeout: STEP_TIMEOUT_MS });
    const text = await hover.innerText();
    for (const part of ['Image', 'node:$NODE_VERSION-alpine', 'Docker Hub', 'library/node', 'Full name', 'Credentials']) {
      if (!text.includes(part)) throw new Error(`the hover ${JSON.stringify(text)} lacks ${JSON.stringify(part)}`);
    }
    await screenshot('hover');
    await page.keyboard.press('Escape');
  }],
];

const quickFixSteps = [
  ['Ctrl+. on `Acme` offers a quick fix and applying it lowercases the repository', async () => {
    await goTo(pipeline, 'Acme');
    const action = page.locator('.action-widget .monaco-list-row.action', { hasText: /acme/ }).first();
    // On a loaded machine the first Ctrl+. can come before the editor has the code actions;
    // the menu then opens empty or not at all. Ask again, a bounded number of times.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      try {
        await action.waitFor({ timeout: STEP_TIMEOUT_MS / 3 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
        await page.keyboard.press('Escape');
        await goTo(pipeline, 'Acme');
      }
    }
    await screenshot('quick-fix-menu');
    const title = (await action.innerText()).trim();
    await action.click();
    await page.waitForFunction(() => document.querySelector('.editor-instance .view-lines')?.textContent.includes('registry.gitlab.com/acme/tools/lint:2.1'), null, { timeout: STEP_TIMEOUT_MS });
    if (!(await editorText()).includes('  image: registry.gitlab.com/acme/tools/lint:2.1')) throw new Error('the lint image is not lowercased');
    return title;
  }],
  ['the fixed problem leaves the Problems panel', async () => {
    await page.locator('.markers-panel .monaco-list-row', { hasText: 'image/port-as-tag' }).first().waitFor();
    await page.waitForFunction(() => ![...document.querySelectorAll('.markers-panel .monaco-list-row')].some((row) => row.textContent.includes('image/uppercase-repository')), null, { timeout: STEP_TIMEOUT_MS });
    await screenshot('quick-fix-applied');
  }],
];

/** Waits for the quick input titled like `title`, fills it, and presses Enter once `rowText` (if any) is focused. */
async function answerQuickInput(title, text, rowText, shotName) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor();
  const input = page.locator('.quick-input-widget input');
  await input.fill(text);
  if (rowText) await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: rowText }).waitFor();
  if (shotName) await screenshot(shotName);
  await page.keyboard.press('Enter');
}

const paletteSteps = [
  ['the command palette runs Pullguard: Create DOCKER_AUTH_CONFIG…, with the password input masked, and opens the JSON', async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>Pullguard: Create DOCKER_AUTH_CONFIG');
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'Create DOCKER_AUTH_CONFIG' }).waitFor();
    await screenshot('palette');
    await page.keyboard.press('Enter');
    // The registries the workspace pulls from; quay.io (the no-credentials fixture) has none.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'pulled without credentials' }).first().waitFor();
    await answerQuickInput('(1/3)', 'quay.io', 'quay.io', 'palette-registry');
    await answerQuickInput('(2/3): quay.io', 'deployer');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: '(3/3): quay.io' }).waitFor();
    const type = await input.getAttribute('type');
    if (type !== 'password') throw new Error(`the password input has type ${JSON.stringify(type)}, not "password": it would show the secret`);
    await answerQuickInput('(3/3): quay.io', 'not-a-real-secret', undefined, 'palette-password');
    await answerQuickInput('Create DOCKER_AUTH_CONFIG: quay.io', 'Open as new JSON document', 'Open as new JSON document');
    await page.locator('.tab.active', { hasText: 'Untitled' }).waitFor();
    await page.waitForFunction(() => document.querySelector('.editor-instance .view-lines')?.textContent.includes('quay.io'), null, { timeout: STEP_TIMEOUT_MS });
    const text = await editorText();
    const expected = Buffer.from('deployer:not-a-real-secret').toString('base64');
    if (!text.includes('"quay.io"') || !text.includes(`"auth": "${expected}"`)) throw new Error(`the new document is not the expected JSON:\n${text}`);
    await screenshot('palette-result');
    return 'untitled JSON with auths.quay.io.auth';
  }],
];

const grammarSteps = [
  ['the JSON inside DOCKER_AUTH_CONFIG is highlighted as JSON (the injection grammar)', async () => {
    await quickInput('Control+P', 'credentials.gitlab-ci.yml', 'credentials.gitlab-ci.yml');
    await page.locator('.editor-instance .view-lines', { hasText: 'DOCKER_AUTH_CONFIG' }).waitFor();
    // Monaco renders one span per token colour: with the injection, the key `"auths"` is a
    // property name and the `auth` value a string, each in its own colour; without it the
    // whole quoted scalar is one string token.
    const tokens = await page.evaluate(() => {
      const line = [...document.querySelectorAll('.editor-instance .view-line')].find((l) => l.textContent.includes('DOCKER_AUTH_CONFIG'));
      return line ? [...line.querySelectorAll('span > span')].map((span) => [span.textContent.replace(/\u00a0/g, ' '), span.className]) : [];
    });
    const key = tokens.find(([text]) => text === '"auths"');
    const value = tokens.find(([text]) => text.includes('ZGVwbG95ZXI6czNjcjN0LXZhbHVl'));
    if (!key || !value || key[1] === value[1]) throw new Error(`the DOCKER_AUTH_CONFIG line is not tokenized as JSON: ${JSON.stringify(tokens)}`);
    await screenshot('injection-grammar');
    return `"auths" ${key[1]}, the auth value ${value[1]}`;
  }],
];

let workspace;
try {
  await buildSuite();
  ({ workspace } = prepareWorkspace(dir));
  const { extensionsDir, userDataDir, extensionPath } = installVsix(args.vsix, dir);
  server = await startCodeServer({ dir, extensionsDir, userDataDir, workspace });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  // The server's own answer decides whether the quick-fix steps run or are pending.
  const { getServerCapabilities } = createRequire(import.meta.url)(join(SUITE_OUT, 'suite/serverCapabilities.js'));
  const capabilities = await getServerCapabilities(extensionPath);
  if (capabilities.codeActionProvider) steps.push(...quickFixSteps);
  else for (const [title] of quickFixSteps) checks.pending(title, 'the bundled server does not advertise codeActionProvider yet');
  steps.push(...paletteSteps, ...grammarSteps);
} catch (error) {
  checks.fail('code-server starts with the installed .vsix', error);
}

let failedStep;
for (const [title, body] of checks.counts().failed ? [] : steps) {
  if (failedStep) {
    checks.fail(title, new Error(`not run: the step "${failedStep}" failed`));
    continue;
  }
  if (!(await checks.run(title, body))) {
    failedStep = title;
    await page.screenshot({ path: join(SHOTS, '99-error.png') }).catch(() => undefined);
  }
}
await browser?.close().catch(() => undefined);
server?.stop();

const { passed, failed, pending } = checks.counts();
checks.write(args.results);
if (failed > 0 || process.env.PULLGUARD_E2E_KEEP) log(SUITE, `screenshots in ${SHOTS}; run kept in ${keepArtifacts(SUITE, dir)}`);
else if (args.flags.has('--readme-shots')) {
  mkdirSync(join(ROOT, 'docs/images'), { recursive: true });
  const copied = Object.entries(README_SHOTS).filter(([from]) => existsSync(join(SHOTS, from)));
  for (const [from, to] of copied) copyFileSync(join(SHOTS, from), join(ROOT, 'docs/images', to));
  log(SUITE, `copied ${copied.map(([, to]) => to).join(', ')} to docs/images/`);
}
rmSync(dir, { recursive: true, force: true });
log(SUITE, `${passed} passed, ${failed} failed, ${pending} pending in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed > 0 ? 1 : 0);
