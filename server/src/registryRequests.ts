/**
 * The server's side of the registry actions (SPEC §3): custom requests the client sends
 * when the user asks, and the workspace trust they depend on.
 *
 *   pullguard/pinImage       {textDocument, offset | position}  → PinImageResult
 *   pullguard/pinAllImages   {textDocument}                     → PinAllImagesResult
 *   pullguard/checkAccess    {textDocument, offset | position}  → CheckAccessResult
 *   pullguard/didChangeWorkspaceTrust (notification) {trusted}
 *
 * Trust: `initializationOptions.workspaceTrusted` (boolean), then the notification on
 * change. Without either, the workspace counts as untrusted: nothing is contacted and no
 * helper runs — every request answers an `untrusted` failure at once.
 *
 * Each request honours LSP cancellation (an AbortSignal down to every socket and helper).
 * Edits carry the document version they were computed for, so a client does not apply a
 * stale one.
 */
import type { CancellationToken, Connection, TextDocuments } from 'vscode-languageserver/node';
import type { WorkspaceEdit } from 'vscode-languageserver-types';
import { REGISTRY_REQUESTS, WORKSPACE_TRUST_NOTIFICATION, type CheckAccessResult, type ImageAtParams, type PinAllImagesResult, type PinImageResult } from './service/protocol';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisContext, LanguageService } from './service/languageService';
import type { ImageOccurrence } from './service/model/images';
import { checkAccess, getKnownImageName, summarizeAccess, type ActionOptions } from './registry/actions';
import { getOccurrenceSources, pinOccurrences } from './registry/documentPins';
import { toFailure, type Failure } from './registry/errors';
import { readUserDockerConfig } from './registry/userConfig';

export interface RegistryRequestContext {
  readonly documents: TextDocuments<TextDocument>;
  readonly languageService: LanguageService;
  getContext(uri: string): Promise<AnalysisContext>;
  /** The client's `initializationOptions`, once initialized. */
  getInitializationOptions(): unknown;
}

const UNTRUSTED: Failure = {
  kind: 'untrusted',
  message: 'This workspace is not trusted, so Pullguard contacts no registry and runs no credential helper for it. Trust the workspace to pin images or check access.',
};

function signalOf(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

export function registerRegistryRequests(connection: Connection, context: RegistryRequestContext): void {
  let trustFromNotification: boolean | undefined;
  const isTrusted = (): boolean => {
    if (trustFromNotification !== undefined) return trustFromNotification;
    const options = context.getInitializationOptions() as { workspaceTrusted?: unknown } | undefined;
    return options?.workspaceTrusted === true;
  };
  connection.onNotification(WORKSPACE_TRUST_NOTIFICATION, (params: { trusted?: unknown }) => {
    trustFromNotification = params?.trusted === true;
  });

  async function getActionOptions(uri: string, signal: AbortSignal): Promise<{ options: ActionOptions; analysisContext: AnalysisContext; userNote?: string; userConfig: ReturnType<typeof readUserDockerConfig>['source'] }> {
    const analysisContext = await context.getContext(uri);
    const { settings } = analysisContext;
    const user = settings.registry.userDockerConfig ? readUserDockerConfig(settings) : {};
    return {
      analysisContext,
      userConfig: user.source,
      ...(user.note ? { userNote: user.note } : {}),
      options: {
        registry: { timeoutMs: settings.registry.timeoutMs, ...(settings.registry.caFile ? { caFile: settings.registry.caFile } : {}) },
        settings,
        // Only ever reached in a trusted workspace.
        allowHelpers: true,
        signal,
      },
    };
  }

  /** The image occurrence at the params' place, with the runner's credential lookup for it. */
  function findImage(document: TextDocument, analysisContext: AnalysisContext, params: ImageAtParams) {
    const at = params.position ?? params.range?.start;
    const offset = params.offset ?? (at ? document.offsetAt(at) : -1);
    const image = context.languageService.getImageAt(document, offset, analysisContext);
    return { occurrence: image?.occurrence, credentials: image?.credentials };
  }

  function noImage(uri: string): Failure {
    return { kind: 'invalid-image', message: `There is no image reference at the cursor in ${uri.split('/').pop() ?? uri}; put the cursor on an \`image\` or \`services\` entry.` };
  }

  function versionedEdit(document: TextDocument, edits: ReadonlyArray<{ offset: number; newText: string }>): WorkspaceEdit {
    return {
      documentChanges: [{
        textDocument: { uri: document.uri, version: document.version },
        edits: edits.map((edit) => ({ range: { start: document.positionAt(edit.offset), end: document.positionAt(edit.offset) }, newText: edit.newText })),
      }],
    };
  }

  connection.onRequest(REGISTRY_REQUESTS.pinImage, (params: ImageAtParams, token: CancellationToken): Promise<PinImageResult> =>
    guarded(() => pinImage(params, token), (failure) => ({ ok: false, image: null, failure })));

  async function pinImage(params: ImageAtParams, token: CancellationToken): Promise<PinImageResult> {
    if (!isTrusted()) return { ok: false, image: null, failure: UNTRUSTED };
    const document = context.documents.get(params.textDocument.uri);
    if (!document) return { ok: false, image: null, failure: { kind: 'invalid-image', message: `${params.textDocument.uri} is not open.` } };
    const signal = signalOf(token);
    const { options, analysisContext, userConfig } = await getActionOptions(document.uri, signal);
    const { occurrence, credentials } = findImage(document, analysisContext, params);
    if (!occurrence) return { ok: false, image: null, failure: noImage(document.uri) };
    const [outcome] = await pinOccurrences([{ occurrence, credentials }], options, userConfig);
    if (!outcome?.edit || !outcome.digest) return { ok: false, image: outcome?.image ?? occurrence.text, failure: outcome?.failure ?? { kind: 'bad-response', message: 'No digest.' } };
    return {
      ok: true,
      image: outcome.image ?? occurrence.text,
      digest: outcome.digest,
      pinned: `${occurrence.text}${outcome.edit.newText}`,
      credentials: outcome.credentials ?? '',
      edit: versionedEdit(document, [outcome.edit]),
    };
  }

  connection.onRequest(REGISTRY_REQUESTS.pinAllImages, (params: { textDocument: { uri: string } }, token: CancellationToken): Promise<PinAllImagesResult> =>
    guarded(() => pinAllImages(params, token), (failure) => ({ edit: null, pinned: [], failures: [], refused: failure })));

  async function pinAllImages(params: { textDocument: { uri: string } }, token: CancellationToken): Promise<PinAllImagesResult> {
    if (!isTrusted()) return { edit: null, pinned: [], failures: [], refused: UNTRUSTED };
    const document = context.documents.get(params.textDocument.uri);
    if (!document) return { edit: null, pinned: [], failures: [], refused: { kind: 'invalid-image', message: `${params.textDocument.uri} is not open.` } };
    const signal = signalOf(token);
    const { options, analysisContext, userConfig } = await getActionOptions(document.uri, signal);
    const analysis = context.languageService.analyze(document, analysisContext);
    const occurrences = analysis.images.map((occurrence: ImageOccurrence) => ({ occurrence, credentials: analysis.credentials.images.get(occurrence) }));
    const outcomes = await pinOccurrences(occurrences, options, userConfig);
    const edits = outcomes.flatMap((o) => (o.edit ? [o.edit] : []));
    return {
      edit: edits.length > 0 ? versionedEdit(document, edits) : null,
      pinned: outcomes.flatMap((o) => (o.edit && o.digest ? [{ image: o.occurrence.text, digest: o.digest }] : [])),
      failures: outcomes.flatMap((o) => (o.failure ? [{ image: o.occurrence.text, kind: o.failure.kind, message: o.failure.message, skipped: o.failure.skipped }] : [])),
    };
  }

  const refused = (failure: Failure): CheckAccessResult => ({
    image: null, registry: null, repository: null, reference: null, candidates: [], match: null, droppedSources: [],
    credentials: 'none', trace: [], exchanges: [], outcome: failure.kind, digest: null, message: failure.message, notes: [],
  });
  connection.onRequest(REGISTRY_REQUESTS.checkAccess, (params: ImageAtParams, token: CancellationToken): Promise<CheckAccessResult> =>
    guarded(() => checkAccessAt(params, token), refused));

  async function checkAccessAt(params: ImageAtParams, token: CancellationToken): Promise<CheckAccessResult> {
    if (!isTrusted()) return refused(UNTRUSTED);
    const document = context.documents.get(params.textDocument.uri);
    if (!document) return refused({ kind: 'invalid-image', message: `${params.textDocument.uri} is not open.` });
    const signal = signalOf(token);
    const { options, analysisContext, userConfig, userNote } = await getActionOptions(document.uri, signal);
    const { occurrence, credentials } = findImage(document, analysisContext, params);
    if (!occurrence) return refused(noImage(document.uri));
    const known = getKnownImageName(occurrence);
    if (!known.ok) return refused(known.failure);
    const image = known.image;
    const sources = getOccurrenceSources(credentials, analysisContext.settings, userConfig);
    const report = await checkAccess(image, sources, options);
    return summarizeAccess(report, [...(credentials?.notes ?? []), ...(userNote ? [userNote] : [])]);
  }

  /** An unexpected error becomes a failure answer (logged without secrets: messages never hold one). */
  async function guarded<T>(run: () => Promise<T>, answer: (failure: Failure) => T): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const failure = toFailure(error);
      connection.console.error(`Pullguard: a registry action failed: ${failure.message}`);
      return answer(failure);
    }
  }
}
