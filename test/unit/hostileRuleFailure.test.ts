/**
 * One rule family failing must not silence the others: the language service runs each
 * family guarded, reports a failing family once to its `RuleFailureReporter`, and
 * still returns every other family's findings.
 *
 * The fault is injected through the service's real input, the analysis context: a
 * workspace view whose Docker configs cannot be read (its getter throws). Only the
 * credential rules (`auth`) read them, so only they fail.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LanguageService, type AnalysisContext } from '../../server/src/service/languageService';
import { WorkspaceIndex, type WorkspaceView } from '../../server/src/service/model/workspace';
import { DEFAULT_SETTINGS } from '../../server/src/service/settings';

const PIPELINE = [
  'variables:',
  '  DOCKER_AUTH_CONFIG: \'{"auths": {"registry.example.com": {"auth": "not base64!"}}}\'',
  'build:',
  '  image: registry.example.com/Team/app:latest',
  '  services: [{name: "postgres:16", alias: "bad alias!"}]',
  '  script: [make]',
  '',
].join('\n');
const URI = 'file:///project/.gitlab-ci.yml';

/** A real workspace view whose `dockerConfigs` throws, as a broken dependency would. */
function brokenWorkspace(): WorkspaceView {
  const index = new WorkspaceIndex(['/project']);
  index.setFile('file:///project/.docker/config.json', '{"auths": {}}', DEFAULT_SETTINGS);
  const view = index.view();
  return new Proxy(view, {
    get(target, property, receiver) {
      if (property === 'dockerConfigs') throw new Error('injected fault: the Docker configs cannot be read');
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

function codes(service: LanguageService, context: AnalysisContext, version: number, text = PIPELINE): string[] {
  return service.doValidation(TextDocument.create(URI, 'yaml', version, text), context).map((d) => String(d.code)).sort();
}

describe('a rule family that throws', () => {
  test('the healthy workspace gives findings of every family, auth included', () => {
    const index = new WorkspaceIndex(['/project']);
    index.setFile('file:///project/.docker/config.json', '{"auths": {}}', DEFAULT_SETTINGS);
    const found = codes(new LanguageService(), { settings: DEFAULT_SETTINGS, workspace: index.view() }, 1);
    assert.ok(found.includes('auth/invalid-base64'), found.join(', '));
    assert.ok(found.includes('image/uppercase-repository'));
    assert.ok(found.includes('service/invalid-alias'));
  });

  test('only its findings are missing; the image, service and syntax rules still report', () => {
    const failures: Array<[string, unknown]> = [];
    const service = new LanguageService((family, error) => failures.push([family, error]));
    const found = codes(service, { settings: DEFAULT_SETTINGS, workspace: brokenWorkspace() }, 1);
    assert.deepEqual(found.filter((code) => code.startsWith('auth/')), []);
    for (const code of ['image/uppercase-repository', 'image/not-pinned', 'service/invalid-alias']) assert.ok(found.includes(code), `${code} in ${found.join(', ')}`);
    assert.deepEqual(failures.map(([family]) => family), ['auth']);
    assert.match(String(failures[0]![1]), /injected fault/);
  });

  test('is reported once, however often it fails again (new versions, new contexts)', () => {
    const failures: string[] = [];
    const service = new LanguageService((family) => failures.push(family));
    for (let version = 1; version <= 5; version++) {
      const context = { settings: DEFAULT_SETTINGS, workspace: brokenWorkspace() };
      const found = codes(service, context, version, `${PIPELINE}# edit ${version}\n`);
      assert.ok(found.includes('image/uppercase-repository'));
    }
    assert.deepEqual(failures, ['auth']);
  });

  test('hovers and code actions on the same document still answer', () => {
    const service = new LanguageService(() => {});
    const context = { settings: DEFAULT_SETTINGS, workspace: brokenWorkspace() };
    const document = TextDocument.create(URI, 'yaml', 1, PIPELINE);
    const diagnostics = service.doValidation(document, context);
    const hover = service.doHover(document, document.positionAt(PIPELINE.indexOf('Team')), context);
    assert.ok(hover, 'a hover on the image');
    const uppercase = diagnostics.find((d) => d.code === 'image/uppercase-repository')!;
    const actions = service.doCodeActions(document, uppercase.range, { diagnostics: [uppercase] }, context);
    assert.ok(actions.length > 0, 'the quick fix of the image rule');
  });
});
