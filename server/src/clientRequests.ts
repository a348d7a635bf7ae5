/**
 * Custom requests the VS Code client's commands send (client/src/commands.ts); each
 * answers from the same core as diagnostics, hovers and `pullguard explain`:
 *
 * - `pullguard/workspaceRegistries`: the registries the workspace's images are pulled
 *   from (open documents, and pipelines and runner configs on disk), with how many of
 *   their images the runner would pull without credentials. No secret is in it.
 * - `pullguard/explainImage` `{textDocument, position}`: the credential resolution
 *   trace for the image at the position, as `pullguard explain` prints it.
 * - `pullguard/documentKind` `{textDocument}`: what the server reads the open document
 *   as (`gitlab-ci`, `runner-config`, `docker-config`, `none`), for `when` clauses.
 */
import { dirname } from 'node:path';
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Position } from 'vscode-languageserver-types';
import { formatExplanation } from './service/credentials/explanation';
import { hostOfPath, getCloudRegistry, isDockerHubKey } from './service/credentials/normalize';
import { isPipelinePath } from './service/documentKind';
import { LanguageService, type AnalysisContext } from './service/languageService';
import { folderHolding, uriToPath } from './service/model/workspace';
import { filePathOf } from './node/fileUri';
import { folderUri } from './documentSettings';
import { runSafeAsync } from './utils/runner';
import { CLIENT_REQUESTS, type ExplainAnswer, type WorkspaceRegistry } from './service/protocol';

/** The registry key Docker Hub images need: bare `docker.io` aliases do not all match (rule auth/docker-hub-key). */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

export interface ClientRequestHost {
  readonly documents: TextDocuments<TextDocument>;
  readonly languageService: LanguageService;
  readonly getContext: (uri: string) => Promise<AnalysisContext>;
  readonly workspaceRoots: () => readonly string[];
}

/** Images and their credential lookups in every pipeline and runner config the server knows. */
export function collectRegistries(host: ClientRequestHost, context: AnalysisContext): WorkspaceRegistry[] {
  const byRegistry = new Map<string, { images: number; anonymousImages: number }>();
  const count = (service: LanguageService, document: TextDocument) => {
    for (const { resolution } of service.analyze(document, context).credentials.images.values()) {
      const registry = hostOfPath(resolution.registryPath);
      const entry = byRegistry.get(registry) ?? { images: 0, anonymousImages: 0 };
      entry.images += 1;
      if (resolution.abortReason === undefined && (resolution.match === null || resolution.anonymous)) entry.anonymousImages += 1;
      byRegistry.set(registry, entry);
    }
  };
  const open = new Set<string>();
  for (const document of host.documents.all()) {
    open.add(document.uri);
    count(host.languageService, document);
  }
  // Files on disk are analysed by a service of their own, so the open documents' cache is left as it is.
  const disk = new LanguageService();
  const { workspace, settings } = context;
  for (const file of workspace.yamlFiles.values()) {
    // By the path first: reading the model parses the file, and most YAML files of a
    // workspace are no pipeline (3,200 Kubernetes manifests took 3.2 s and 47 MB).
    if (open.has(file.uri) || !isPipelinePath(file.path, settings, workspace.includedPatterns)) continue;
    count(disk, TextDocument.create(file.uri, 'yaml', 0, file.model.text));
  }
  for (const config of workspace.runnerConfigs) {
    if (!open.has(config.uri)) count(disk, TextDocument.create(config.uri, 'toml', 0, config.model.text));
  }
  return [...byRegistry].map(([registry, counts]) => ({
    registry,
    key: isDockerHubKey(registry) ? DOCKER_HUB_KEY : registry,
    ...counts,
    cloud: getCloudRegistry(registry),
  })).sort((a, b) => a.registry.localeCompare(b.registry));
}

function explainAt(host: ClientRequestHost, document: TextDocument, position: Position, context: AnalysisContext): ExplainAnswer {
  const offset = document.offsetAt(position);
  const image = host.languageService.getImageAt(document, offset, context);
  if (!image) return { ok: false, message: 'the cursor is not on an image or service name. Put it on the name after `image:`, `services:` or `name:`.' };
  const { occurrence, credentials: found } = image;
  if (!found) return { ok: false, message: `\`${occurrence.text}\` has no registry Pullguard can tell (a variable hides it, or it is not a valid reference), so its credentials cannot be looked up.` };
  const path = uriToPath(document.uri);
  const filePath = filePathOf(document.uri);
  const root = folderHolding(host.workspaceRoots(), path) ?? (filePath === undefined ? '/' : dirname(filePath));
  const resolution = { ...found.resolution, notes: [...found.resolution.notes, ...found.notes] };
  const options = { platform: context.settings.runner.platform, hosted: context.settings.runner.hosted };
  const header = `Where: ${occurrence.place}${occurrence.users.length > 0 ? ` (jobs: ${occurrence.users.join(', ')})` : ''}\n\n`;
  return { ok: true, image: found.resolution.image, text: header + formatExplanation(resolution, found.sources, options, root) + '\n' };
}

export function registerClientRequests(connection: Connection, host: ClientRequestHost): void {
  connection.onRequest(CLIENT_REQUESTS.workspaceRegistries, async (_params: unknown, token) => {
    const root = host.workspaceRoots()[0];
    // The folder's settings, under the URI the server asked them for (and keeps them under).
    const context = await host.getContext(root ? folderUri(root) : '');
    return runSafeAsync(token, () => collectRegistries(host, context), [], 'listing the workspace registries', connection);
  });

  connection.onRequest(CLIENT_REQUESTS.explainImage, async (params: { textDocument: { uri: string }; position: Position }, token): Promise<ExplainAnswer> => {
    const document = host.documents.get(params.textDocument.uri);
    if (!document) return { ok: false, message: 'the file is not one Pullguard reads (a `.gitlab-ci.yml`, a runner `config.toml` or a Docker `config.json`).' };
    const context = await host.getContext(document.uri);
    const failed: ExplainAnswer = { ok: false, message: 'explaining the credentials failed; the language server log has the details.' };
    return runSafeAsync(token, () => explainAt(host, document, params.position, context), failed, `explaining credentials in ${document.uri}`, connection);
  });

  connection.onRequest(CLIENT_REQUESTS.documentKind, async (params: { textDocument: { uri: string } }) => {
    const document = host.documents.get(params.textDocument.uri);
    if (!document) return 'none';
    return host.languageService.getDocumentKind(document, await host.getContext(document.uri));
  });
}
