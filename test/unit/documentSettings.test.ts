import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { DocumentSettings, folderUri } from '../../server/src/documentSettings';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from '../../server/src/service/settings';

const ROOT = join('/work', 'project');
const FOLDER_URI = folderUri(ROOT);
const FILE_URI = pathToFileURL(join(ROOT, 'ci', '.gitlab-ci.yml')).href;

/** A client whose answers the test releases one by one, and the questions it was asked. */
function fakeClient() {
  const asked: string[] = [];
  const pending: { uri: string; answer: (raw: unknown) => void; fail: (error: Error) => void }[] = [];
  const ask = (uri: string) => {
    asked.push(uri);
    return new Promise<unknown>((answer, fail) => pending.push({ uri, answer, fail }));
  };
  /** Answers the oldest question not answered yet and lets the promise callbacks run. */
  const answerNext = async (raw: unknown) => {
    pending.shift()!.answer(raw);
    await new Promise((resolve) => setImmediate(resolve));
  };
  const failNext = async () => {
    pending.shift()!.fail(new Error('the client refused'));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { ask, asked, answerNext, failNext };
}

const FALLBACK: Settings = { ...DEFAULT_SETTINGS, ciRegistry: 'fallback.example.com' };

function documentSettings(client = fakeClient()) {
  const settings = new DocumentSettings(client.ask, (raw) => parseSettings(raw).settings, () => FALLBACK);
  return { settings, client };
}

describe('DocumentSettings', () => {
  test('settings of equal value are one object; the defaults are DEFAULT_SETTINGS itself', () => {
    const { settings } = documentSettings();
    const first = settings.canonical(parseSettings({ pinning: 'error' }).settings);
    assert.equal(settings.canonical(parseSettings({ pinning: 'error' }).settings), first);
    assert.notEqual(settings.canonical(parseSettings({ pinning: 'hint' }).settings), first);
    assert.equal(settings.canonical(parseSettings({}).settings), DEFAULT_SETTINGS);
  });

  test('asks the client once per URI and reads the answer', async () => {
    const { settings, client } = documentSettings();
    const first = settings.get(FILE_URI);
    const second = settings.get(FILE_URI);
    assert.deepEqual(client.asked, [FILE_URI]);
    assert.equal(settings.hasAnswered(FILE_URI), false);
    await client.answerNext({ pinning: 'error' });
    assert.equal((await first).pinning, 'error');
    assert.equal(await second, await first);
    assert.equal(settings.hasAnswered(FILE_URI), true);
  });

  test('answers equal in value are the same object, so analyses made with one hold for the other', async () => {
    const { settings, client } = documentSettings();
    const folder = settings.get(FOLDER_URI);
    const file = settings.get(FILE_URI);
    await client.answerNext({ rules: { 'image/latest-tag': 'error' } });
    await client.answerNext({ rules: { 'image/latest-tag': 'error' } });
    assert.equal(await file, await folder);
  });

  test('a refused request gives the fallback settings', async () => {
    const { settings, client } = documentSettings();
    const file = settings.get(FILE_URI);
    await client.failNext();
    assert.equal(await file, FALLBACK);
  });

  test('a file not answered for yet will likely get its folder\'s settings, once the folder\'s are answered', async () => {
    const { settings, client } = documentSettings();
    assert.equal(settings.likely(FILE_URI, [ROOT]), undefined, 'nothing answered yet');
    const folder = settings.get(FOLDER_URI);
    await client.answerNext({ pinning: 'warning' });
    assert.equal(settings.likely(FILE_URI, [ROOT]), await folder);
    assert.equal(settings.likely(pathToFileURL(join('/work', 'other', '.gitlab-ci.yml')).href, [ROOT]), undefined, 'outside the folder');
    assert.equal(settings.likely(pathToFileURL(`${ROOT}-copy/.gitlab-ci.yml`).href, [ROOT]), undefined, 'a folder whose name starts with the root\'s');
    assert.equal(settings.likely('untitled:Untitled-1', [ROOT]), undefined, 'not a file');
  });

  test('in nested workspace folders a file will likely get the settings of the deepest one holding it', async () => {
    const { settings, client } = documentSettings();
    const inner = join(ROOT, 'ci');
    void settings.get(FOLDER_URI);
    await client.answerNext({ pinning: 'warning' });
    assert.equal(settings.likely(FILE_URI, [ROOT, inner]), undefined, 'not the outer folder\'s while the inner one\'s are not known');
    void settings.get(folderUri(inner));
    await client.answerNext({ pinning: 'hint' });
    assert.equal(settings.likely(FILE_URI, [ROOT, inner])?.pinning, 'hint');
    assert.equal(settings.likely(pathToFileURL(join(ROOT, 'other.yml')).href, [ROOT, inner])?.pinning, 'warning');
  });

  test('after a settings change every URI is asked again, and an answer to the question before is not kept', async () => {
    const { settings, client } = documentSettings();
    const before = settings.get(FOLDER_URI);
    settings.clear();
    await client.answerNext({ pinning: 'error' });
    assert.equal((await before).pinning, 'error', 'the caller that asked still gets its answer');
    assert.equal(settings.hasAnswered(FOLDER_URI), false);
    assert.equal(settings.likely(FILE_URI, [ROOT]), undefined);
    const after = settings.get(FOLDER_URI);
    assert.deepEqual(client.asked, [FOLDER_URI, FOLDER_URI]);
    await client.answerNext({ pinning: 'hint' });
    assert.equal((await after).pinning, 'hint');
    assert.equal(settings.likely(FILE_URI, [ROOT])?.pinning, 'hint');
  });

  test('a closed document is forgotten: asked again when it opens again', async () => {
    const { settings, client } = documentSettings();
    void settings.get(FILE_URI);
    await client.answerNext({});
    settings.forget(FILE_URI);
    assert.equal(settings.hasAnswered(FILE_URI), false);
    void settings.get(FILE_URI);
    assert.deepEqual(client.asked, [FILE_URI, FILE_URI]);
  });
});
