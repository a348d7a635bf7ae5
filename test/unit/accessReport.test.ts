/**
 * The one text of a registry access check, shown by the editor's report and by
 * `pullguard check-access`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAccessReport } from '../../server/src/service/text/accessReport';
import type { CheckAccessResult } from '../../server/src/service/protocol';

const RESULT: CheckAccessResult = {
  image: 'registry.example.com:5000/team/app:1.0',
  registry: 'registry.example.com:5000',
  repository: 'team/app',
  reference: '1.0',
  candidates: [
    { source: '$DOCKER_AUTH_CONFIG', key: 'registry.example.com:5000/team', path: 'registry.example.com:5000/team', via: 'auths' },
    { source: '$DOCKER_AUTH_CONFIG', key: 'registry.example.com:5000', path: 'registry.example.com:5000', via: 'auths' },
  ],
  match: { source: '$DOCKER_AUTH_CONFIG', key: 'registry.example.com:5000/team' },
  droppedSources: [{ source: 'config.json', reason: 'its JSON is invalid' }],
  credentials: '`registry.example.com:5000/team` from $DOCKER_AUTH_CONFIG (user `alice`)',
  trace: [],
  exchanges: [{ request: 'HEAD https://registry.example.com:5000/v2/team/app/manifests/1.0', status: 200 }],
  outcome: 'authorized',
  digest: null,
  message: 'The registry lets these credentials pull the image.',
  notes: ['A note.'],
};

test('marks the candidate the runner uses, and only that one; names the registry, dropped sources and answers', () => {
  const text = formatAccessReport(RESULT);
  assert.match(text, /^Registry: {5}registry\.example\.com:5000 {2}repository team\/app {2}reference 1\.0$/m);
  assert.match(text, /1\. registry\.example\.com:5000\/team from \$DOCKER_AUTH_CONFIG \(auths\) {2}<- the runner uses this/);
  assert.match(text, /2\. registry\.example\.com:5000 from \$DOCKER_AUTH_CONFIG \(auths\)$/m);
  assert.match(text, /dropped: config\.json \(its JSON is invalid\)/);
  assert.match(text, /\(sent when the registry asks for them\)/);
  assert.match(text, /Registry answers:\n {2}HEAD .* -> 200/);
  assert.match(text, /Notes:\n {2}- A note\./);
});

test('names the path a candidate\'s key normalizes to only where it differs from the key', () => {
  const text = formatAccessReport({
    ...RESULT,
    candidates: [{ source: 'config.json', key: 'https://registry.example.com:5000/v1/', path: 'registry.example.com:5000', via: 'auths' }],
    match: { source: 'config.json', key: 'https://registry.example.com:5000/v1/' },
  });
  assert.match(text, /1\. https:\/\/registry\.example\.com:5000\/v1\/ from config\.json \(auths, path registry\.example\.com:5000\) {2}<- the runner uses this/);
  assert.doesNotMatch(formatAccessReport(RESULT), /, path /);
});

test('without an image, a registry or credentials it says so and leaves those lines out', () => {
  const text = formatAccessReport({ ...RESULT, image: null, registry: null, candidates: [], match: null, droppedSources: [], credentials: 'none', exchanges: [], notes: [], outcome: 'invalid-image', message: 'No image here.' });
  assert.match(text, /^Image: +\(none\)$/m);
  assert.doesNotMatch(text, /Registry:|Registry answers|Notes:|sent when/);
  assert.match(text, /\(no key in any source matches\)/);
  assert.match(text, /Result: invalid-image\nNo image here\./);
});
