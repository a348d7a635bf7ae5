/**
 * The editor side of the registry commands (client/src/registry/flows.ts) over scripted
 * seams: refusal in untrusted workspaces before any request, the trust sent before each
 * request, one message per failure kind, edits applied only while still valid, and the
 * access report.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkAccess, FAILURE_TITLES, OPEN_SETTING, pinAllImages, pinImage, SHOW_DETAILS, UNTRUSTED_MESSAGE,
  type Cancellation, type CheckAccessResult, type Failure, type MessageSeverity, type PinAllImagesResult, type PinImageResult, type RegistryServer, type RegistryUi,
} from '../../client/src/registry/flows';

const URI = 'file:///project/.gitlab-ci.yml';
const DIGEST = `sha256:${'b'.repeat(64)}`;

class FakeUi implements RegistryUi {
  trusted = true;
  editor: ReturnType<RegistryUi['activeEditor']> = { uri: URI, offset: 42, position: { line: 3, character: 12 } };
  editApplies = true;
  buttons: Array<string | undefined> = [];
  readonly told: Array<{ severity: MessageSeverity; message: string; buttons: string[] }> = [];
  readonly progress: string[] = [];
  readonly edits: unknown[] = [];
  readonly settings: string[] = [];
  readonly reports: string[] = [];

  isTrusted() {
    return this.trusted;
  }
  activeEditor() {
    return this.editor;
  }
  async withProgress<T>(title: string, task: (token: Cancellation) => Promise<T>): Promise<T> {
    this.progress.push(title);
    return task({ isCancellationRequested: false });
  }
  async tell(severity: MessageSeverity, message: string, ...buttons: string[]) {
    this.told.push({ severity, message, buttons });
    return this.buttons.shift();
  }
  async applyEdit(edit: unknown) {
    this.edits.push(edit);
    return this.editApplies;
  }
  async openSetting(id: string) {
    this.settings.push(id);
  }
  showReport(text: string) {
    this.reports.push(text);
  }
}

class FakeServer implements RegistryServer {
  readonly calls: string[] = [];
  pinImageAnswer: PinImageResult | undefined;
  pinAllAnswer: PinAllImagesResult | undefined;
  accessAnswer: CheckAccessResult | undefined;

  async sendTrust(trusted: boolean) {
    this.calls.push(`trust ${trusted}`);
  }
  async pinImage(uri: string, offset: number) {
    this.calls.push(`pinImage ${uri} ${offset}`);
    return this.pinImageAnswer;
  }
  async pinAllImages(uri: string) {
    this.calls.push(`pinAllImages ${uri}`);
    return this.pinAllAnswer;
  }
  async checkAccess(uri: string, position: { line: number; character: number }) {
    this.calls.push(`checkAccess ${uri} ${position.line}:${position.character}`);
    return this.accessAnswer;
  }
}

const EDIT = { documentChanges: [{ textDocument: { uri: URI, version: 3 }, edits: [] }] };

function access(overrides: Partial<CheckAccessResult>): CheckAccessResult {
  return {
    image: 'registry.example.com/app:1', outcome: 'authorized', message: 'The registry serves it.', registry: 'registry.example.com',
    repository: 'app', reference: '1', droppedSources: [], digest: null,
    credentials: '`registry.example.com` from `$DOCKER_AUTH_CONFIG` (user `ci`)',
    candidates: [{ source: '$DOCKER_AUTH_CONFIG', key: 'registry.example.com', path: 'registry.example.com', via: 'auths' }],
    match: { source: '$DOCKER_AUTH_CONFIG', key: 'registry.example.com' },
    trace: [], exchanges: [{ request: 'HEAD https://registry.example.com/v2/app/manifests/1', status: 200 }], notes: [],
    ...overrides,
  };
}

describe('registry commands in the editor', () => {
  test('refuse in an untrusted workspace, saying why, before anything reaches the server', async () => {
    for (const command of [(ui: FakeUi, server: FakeServer) => pinImage(ui, server, { uri: URI, offset: 1 }), pinAllImages, checkAccess]) {
      const ui = new FakeUi();
      ui.trusted = false;
      const server = new FakeServer();
      await command(ui, server);
      assert.deepEqual(server.calls, []);
      assert.deepEqual(ui.progress, []);
      assert.deepEqual(ui.told.map((t) => t.message), [UNTRUSTED_MESSAGE]);
    }
  });

  test('pin from the quick fix: the trust goes first, then the request at its offset; the edit is applied', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.pinImageAnswer = { ok: true, image: 'node:20', digest: DIGEST, pinned: `node:20@${DIGEST}`, credentials: 'none (anonymous)', edit: EDIT };
    await pinImage(ui, server, { uri: 'file:///project/other.yml', offset: 7 });
    assert.deepEqual(server.calls, ['trust true', 'pinImage file:///project/other.yml 7']);
    assert.equal(ui.progress.length, 1);
    assert.deepEqual(ui.edits, [EDIT]);
    assert.equal(ui.told.length, 1);
    assert.match(ui.told[0]!.message, new RegExp(`pinned \`node:20\` to \`${DIGEST}\``));
  });

  test('pin from the palette or a menu (whose argument is a URI object) uses the cursor', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.pinImageAnswer = { ok: true, image: 'node:20', digest: DIGEST, pinned: '', credentials: '', edit: EDIT };
    await pinImage(ui, server, { scheme: 'file', path: '/project/.gitlab-ci.yml' } as never);
    assert.deepEqual(server.calls, ['trust true', `pinImage ${URI} 42`]);
  });

  test('pin with no editor open asks for one and sends nothing', async () => {
    const ui = new FakeUi();
    ui.editor = undefined;
    const server = new FakeServer();
    await pinImage(ui, server);
    assert.deepEqual(server.calls, []);
    assert.match(ui.told[0]!.message, /put the cursor on an image/);
  });

  test('a stale edit is not applied silently: the user is told to run it again', async () => {
    const ui = new FakeUi();
    ui.editApplies = false;
    const server = new FakeServer();
    server.pinImageAnswer = { ok: true, image: 'node:20', digest: DIGEST, pinned: '', credentials: '', edit: EDIT };
    await pinImage(ui, server);
    assert.equal(ui.told.length, 1);
    assert.equal(ui.told[0]!.severity, 'warning');
    assert.match(ui.told[0]!.message, /document changed/);
  });

  test('one message per failure kind: its heading, then the server\'s sentence; cancelling says nothing', async () => {
    for (const kind of Object.keys(FAILURE_TITLES)) {
      const ui = new FakeUi();
      const server = new FakeServer();
      // Every heading, the check-access outcomes' too: the client shows whatever kind the server names.
      server.pinImageAnswer = { ok: false, image: 'node:20', failure: { kind: kind as Failure['kind'], message: `What happened (${kind}).` } };
      await pinImage(ui, server);
      if (kind === 'cancelled') {
        assert.deepEqual(ui.told, []);
        continue;
      }
      assert.equal(ui.told.length, 1, kind);
      assert.equal(ui.told[0]!.message, `Pullguard: ${FAILURE_TITLES[kind]}. What happened (${kind}).`);
      assert.deepEqual(ui.edits, []);
    }
  });

  test('a TLS or timeout failure offers the setting that fixes it', async () => {
    for (const [kind, setting] of [['tls-untrusted', 'pullguard.registry.caFile'], ['timeout', 'pullguard.registry.timeoutMs']] as const) {
      const ui = new FakeUi();
      ui.buttons = [OPEN_SETTING];
      const server = new FakeServer();
      server.pinImageAnswer = { ok: false, image: 'x', failure: { kind, message: 'm' } };
      await pinImage(ui, server);
      assert.deepEqual(ui.told[0]!.buttons, [OPEN_SETTING]);
      assert.deepEqual(ui.settings, [setting]);
    }
  });

  test('pin all: the edit, then a summary naming the first real failure (skipped images are not failures)', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.pinAllAnswer = {
      edit: EDIT,
      pinned: [{ image: 'node:20', digest: DIGEST }, { image: 'redis:7', digest: DIGEST }],
      failures: [
        { image: 'app:$TAG', kind: 'invalid-image', message: 'from a variable', skipped: true },
        { image: 'private/app:1', kind: 'authentication-required', message: 'needs credentials.', skipped: false },
      ],
    };
    await pinAllImages(ui, server);
    assert.deepEqual(server.calls, ['trust true', `pinAllImages ${URI}`]);
    assert.deepEqual(ui.edits, [EDIT]);
    assert.equal(ui.told[0]!.message, 'Pullguard: pinned 2 images, 1 failed. `private/app:1`: The registry needs credentials. needs credentials.');
  });

  test('pin all refused by the server shows the refusal and applies nothing', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.pinAllAnswer = { edit: null, pinned: [], failures: [], refused: { kind: 'untrusted', message: 'Not trusted.' } };
    await pinAllImages(ui, server);
    assert.deepEqual(ui.edits, []);
    assert.equal(ui.told[0]!.message, 'Pullguard: Workspace not trusted. Not trusted.');
  });

  test('check access: the answer, and on request the report with the candidates in the runner\'s order', async () => {
    const ui = new FakeUi();
    ui.buttons = [SHOW_DETAILS];
    const server = new FakeServer();
    server.accessAnswer = access({});
    await checkAccess(ui, server);
    assert.deepEqual(server.calls, ['trust true', `checkAccess ${URI} 3:12`]);
    assert.equal(ui.told[0]!.severity, 'information');
    assert.deepEqual(ui.told[0]!.buttons, [SHOW_DETAILS]);
    assert.equal(ui.reports.length, 1);
    assert.match(ui.reports[0]!, /1\. registry\.example\.com from \$DOCKER_AUTH_CONFIG \(auths\)  <- the runner uses this/);
    assert.match(ui.reports[0]!, /HEAD https:\/\/registry\.example\.com\/v2\/app\/manifests\/1 -> 200/);
  });

  test('check access refused before any registry is named shows only the message', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.accessAnswer = access({ outcome: 'invalid-image', message: 'No image at the cursor.', registry: null, candidates: [], match: null, exchanges: [] });
    await checkAccess(ui, server);
    assert.deepEqual(ui.told.map((t) => [t.message, t.buttons]), [['Pullguard: Cannot use this image. No image at the cursor.', []]]);
  });

  test('check access that the registry refuses is a warning with details', async () => {
    const ui = new FakeUi();
    const server = new FakeServer();
    server.accessAnswer = access({ outcome: 'denied', message: 'No pull access.' });
    await checkAccess(ui, server);
    assert.equal(ui.told[0]!.severity, 'warning');
    assert.equal(ui.told[0]!.message, 'Pullguard: Access denied. No pull access.');
  });
});
