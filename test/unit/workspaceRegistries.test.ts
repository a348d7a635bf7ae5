/**
 * `pullguard/workspaceRegistries` (collectRegistries, server/src/clientRequests.ts): the
 * registries of the pipelines on disk, found without parsing the workspace's other YAML
 * files (Kubernetes manifests, Helm charts), which would take seconds in a monorepo.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { collectRegistries, type ClientRequestHost } from '../../server/src/clientRequests';
import { LanguageService } from '../../server/src/service/languageService';
import { parseCiModel, type IncludedFile } from '../../server/src/service/model/ciModel';
import { EMPTY_WORKSPACE, type WorkspaceView } from '../../server/src/service/model/workspace';
import { DEFAULT_SETTINGS } from '../../server/src/service/settings';

/** A file on disk as the workspace index holds it; `parsed` counts the reads of its model. */
function diskFile(path: string, text: string, parsed: string[]): IncludedFile {
  return {
    uri: `file://${path}`,
    path,
    name: path.slice('/p/'.length),
    readable: true,
    text,
    get model() {
      parsed.push(path);
      return parseCiModel(text);
    },
  };
}

describe('the registries of the workspace', () => {
  test('come from the pipelines on disk, and no other YAML file is parsed', () => {
    const parsed: string[] = [];
    const files = [
      diskFile('/p/.gitlab-ci.yml', 'build:\n  image: quay.io/team/app:1\n  script: [make]\n', parsed),
      diskFile('/p/ci/jobs.yml', 'test:\n  image: ghcr.io/team/tool:2\n  script: [make]\n', parsed),
      diskFile('/p/deploy/k8s/app.yaml', 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: registry.example.com/app:1\n', parsed),
      diskFile('/p/.github/workflows/ci.yml', 'jobs:\n  build:\n    container:\n      image: node:20\n', parsed),
    ];
    const workspace: WorkspaceView = {
      ...EMPTY_WORKSPACE,
      roots: ['/p'],
      includedPatterns: ['/p/ci/*.yml'],
      yamlFiles: new Map(files.map((file) => [file.path, file])),
    };
    const host: ClientRequestHost = {
      documents: new TextDocuments(TextDocument),
      languageService: new LanguageService(),
      getContext: () => Promise.reject(new Error('not asked')),
      workspaceRoots: () => ['/p'],
    };
    const registries = collectRegistries(host, { settings: DEFAULT_SETTINGS, workspace });
    assert.deepEqual(registries.map((entry) => entry.registry), ['ghcr.io', 'quay.io']);
    assert.deepEqual(parsed.sort(), ['/p/.gitlab-ci.yml', '/p/ci/jobs.yml']);
  });
});
