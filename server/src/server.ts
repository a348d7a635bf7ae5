/**
 * The language server: wiring only. Connection, documents, settings and the
 * workspace index in, the pure language service out; each handler a few lines.
 * The program is serverEntry.ts, which answers `initialize` before loading this.
 */
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  FileChangeType,
  MessageType,
  ShowMessageNotification,
  TextDocuments,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type InitializeParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { pathToFileURL } from 'node:url';
// Imported, not the global: Node loads the global's module on its first use (~3 ms),
// which would be the first document's validation.
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LanguageService, type AnalysisContext } from './service/languageService';
import { WorkspaceIndex, type WorkspaceView } from './service/model/workspace';
import type { IncludedFile } from './service/model/ciModel';
import { warmUp, warmUpWhileIdle, type WorkspacePipeline } from './service/warmUp';
import { isPipelinePath, mayBeReadFile } from './service/documentKind';
import { DEFAULT_SETTINGS, parseSettings, type Settings } from './service/settings';
import { findCandidateFilesAsync, readTextFile } from './node/findFiles';
import { refreshCodeCaches } from './codeCache';
import { analysisPathOf, filePathOf } from './node/fileUri';
import { IdleTask } from './utils/idleTask';
import { runSafe, runSafeAsync, runSafeAsyncTask } from './utils/runner';
import { registerClientRequests } from './clientRequests';
import { editorDocuments } from './editorDocuments';
import { DocumentSettings, folderUri } from './documentSettings';
import { registerRegistryRequests } from './registryRequests';

/**
 * Push-mode validation of a change that follows the one before quicker than that
 * document's validation takes waits, so the burst coalesces: as long as the last
 * validation took, up to this. A change after a pause is validated at once. Waiting
 * longer than the work it may save would only delay the diagnostics.
 */
const MAX_VALIDATION_DELAY_MS = 50;

/**
 * After the first warm-up rounds (before `initialized` is done), more whenever the server
 * is idle, IDLE_WARM_UP_SLICE_MS at a time (see warmUpWhileIdle): a second of one core at
 * most, once per server.
 */
const IDLE_WARM_UP_ROUNDS = 40;
const IDLE_WARM_UP_MS = 1000;
/** How long a message that arrives while the server warms up may wait for it. */
const IDLE_WARM_UP_SLICE_MS = 5;
/**
 * The workspace's pipelines the idle warm-up analyses (WORKSPACE_PIPELINE_ANALYSES times
 * each) after its synthetic rounds: at most this many, of at most this length. A 50-job
 * pipeline (15 KB) takes 2–5 ms an analysis once warm; 64 KB, about 200 jobs, 10–20.
 */
const MAX_WARM_UP_PIPELINES = 3;
const MAX_WARM_UP_PIPELINE_LENGTH = 64 * 1024;
/**
 * The server counts as idle this long after its last message or analysis. Shorter than a
 * user's pause before the first keystroke in a file just opened, longer than the gaps
 * between keystrokes, and between the requests an editor sends around one.
 */
const IDLE_AFTER_MS = 300;

/**
 * A file can be reported changed while it is still being written: a program that writes
 * it in place truncates it first, and a read between the two sees it cut short. The
 * watcher may report the rest of the write with that same event, or not at all. So a
 * reported file is read again this long after the read.
 */
const WATCHED_FILE_SETTLE_MS = 500;

/**
 * Pull mode: how long after a change a document nobody pulled is read into the workspace
 * index (see unpulledIndexing). Longer than the editor takes to pull a document it shows
 * (which indexes it first), so that typing in one is not parsed twice.
 */
const UNPULLED_CHANGE_INDEX_DELAY_MS = 250;

/**
 * After publishing (or, pulled, answering) the diagnostics of a document at least this
 * long, the server may collect its garbage (see collectGarbageIfGrown and
 * OLD_GENERATION_GROWTH_BEFORE_IDLE_COLLECTION).
 */
const LARGE_DOCUMENT_LENGTH = 256 * 1024;

/** The old generation may grow by this much over its size after the last collection before the server collects again. */
const OLD_GENERATION_GROWTH_BEFORE_COLLECTING = 32 * 1024 * 1024;

/**
 * In idle time after a large document's publish, the server collects its garbage if the
 * old generation grew by this much: a collection (~60 ms at 5,000 jobs) then falls in a
 * pause rather than on a keystroke, where it would fall once the growth reached
 * OLD_GENERATION_GROWTH_BEFORE_COLLECTING (every ~10 edits of a 5,000-job pipeline, ~3 MB
 * each).
 */
const OLD_GENERATION_GROWTH_BEFORE_IDLE_COLLECTION = 8 * 1024 * 1024;

/**
 * A full garbage collection when the old generation has grown by
 * OLD_GENERATION_GROWTH_BEFORE_COLLECTING since the last one, where Node allows it. A whole
 * analysis of a large pipeline leaves the one before as garbage (tens of MB at 5,000
 * jobs), and V8 lets the heap grow by several of them before it collects: the server's
 * memory would climb to twice its live size while the user types. An edit re-analysed
 * incrementally leaves little, so most keystrokes skip the collection (it costs
 * ~60-100 ms at 5,000 jobs). The young generation is not counted: what dies young
 * (the text of each publish, most of an analysis's temporaries) goes in V8's own
 * cheap collections, and counting it made every fourth edit of a 5,000-job pipeline
 * pay for a full one. It runs once the diagnostics are written: the editor is then
 * reading them (~30 ms for the 4 MB of a 5,000-job pipeline), so the next keystroke
 * waits only for what is left of it (measured in bench/README.md, session 7). A hover
 * that arrives meanwhile waits too, as it waits for an analysis.
 */
function collectGarbageIfGrown(growth = OLD_GENERATION_GROWTH_BEFORE_COLLECTING): void {
  const size = oldGenerationSize();
  if (oldGenerationAfterCollection === undefined) {
    // The first large document: no analysis came before it to be garbage now, and V8
    // collected as its analysis grew the heap (after a 5,000-job open a collection freed
    // 1.6-3 of ~68 MiB in 85-96 ms, which fell on the first keystroke and threw away
    // compiled code). What it holds is where the growth is counted from.
    oldGenerationAfterCollection = size;
    return;
  }
  if (size < oldGenerationAfterCollection + growth) return;
  collectGarbage();
  oldGenerationAfterCollection = oldGenerationSize();
}
let oldGenerationAfterCollection: number | undefined;

/** What the heap holds outside the young generation (the spaces V8 calls new_space and new_large_object_space). */
function oldGenerationSize(): number {
  let size = 0;
  for (const space of getHeapSpaceStatistics()) if (!space.space_name.startsWith('new_')) size += space.space_used_size;
  return size;
}

function collectGarbage(): void {
  // Looked up on first use: the context it takes costs start-up time a small file never needs.
  if (gcFunction === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      gcFunction = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      gcFunction = null;
    }
  }
  gcFunction?.();
}
let gcFunction: (() => void) | null | undefined;

/** What the entry (serverEntry.ts) calls once it has the `initialize` request it answered. */
export interface StartedServer {
  applyInitializeParams(params: InitializeParams): void;
  /** Called before each message from the client is handled: the server is not idle (see IDLE_AFTER_MS). */
  messageArrived(): void;
}

/**
 * Wires the analysis to the connection: every handler but `initialize`'s, which
 * serverEntry.ts answers (getInitializeResult) before this module is loaded.
 */
export function startServer(connection: Connection): StartedServer {
  const documents = new TextDocuments(editorDocuments);
  const languageService = new LanguageService((family, error) => {
    connection.console.error(`Pullguard: the ${family} rules failed and were skipped: ${describeError(error)}`);
  });
  let workspaceIndex = new WorkspaceIndex([]);
  /**
   * The walk of the workspace folders under way, if any: the index is replaced when it is
   * done. The walk may yield (findCandidateFilesAsync lists a tree that is not in the file
   * system's cache in parallel), and what reads or changes the index waits for it
   * (settledIndex): an analysis meanwhile would see no workspace, and a change recorded
   * in the index being replaced would be lost.
   */
  let diskWalk: Promise<void> | undefined;
  /** Walks begun, the last one's number: only its index replaces the one in use. */
  let walksBegun = 0;
  /**
   * `PULLGUARD_WALK=parallel` lists the workspace folders in parallel from the first one, as
   * the walk does by itself once listings come from the disk (findCandidateFilesAsync): for
   * the tests of what waits for the walk, since a test cannot empty the file system's cache.
   */
  const walkInParallel = process.env.PULLGUARD_WALK === 'parallel';
  let workspaceRoots: string[] = [];
  let initializeParams: InitializeParams | undefined;
  let pullDiagnostics = false;
  /** Pull mode: the client takes `workspace/diagnostic/refresh` (LSP: only then may the server send it). */
  let refreshRequests = false;
  let configurationRequests = false;
  let globalSettings: Settings = DEFAULT_SETTINGS;
  const contexts = new WeakMap<Settings, AnalysisContext>();
  const reportedSettingsProblems = new Set<string>();
  /** Validations scheduled and not started, by URI: what cancels each. */
  const pendingValidations = new Map<string, () => void>();
  /** What was last published for each document: its version, the context, and the list (doValidation returns the same list when nothing changed). */
  const lastPublished = new Map<string, { version: number; text: string; context: AnalysisContext; diagnostics: readonly Diagnostic[] }>();
  const lastValidationMs = new Map<string, number>();
  const lastChangeAt = new Map<string, number>();
  /**
   * Open documents changed since the workspace index last read them. They are indexed
   * when an analysis next needs the index, not on every keystroke: parsing each version
   * of a typing burst would cost the incremental parse its span (one parse from the
   * analysed version to the current one re-analyses only the edited jobs).
   */
  const unindexed = new Set<string>();
  /** When the server last received a message or finished an analysis (performance.now()). */
  let lastActivityAt = performance.now();
  const noteActivity = (): void => {
    lastActivityAt = performance.now();
  };
  /** Whether the server has work of its own, or had some in the last IDLE_AFTER_MS. */
  const isBusy = (): boolean => performance.now() - lastActivityAt < IDLE_AFTER_MS || pendingValidations.size > 0;
  /** Scheduled after each analysis of a large document. */
  const idleCollection = new IdleTask(() => collectGarbageIfGrown(OLD_GENERATION_GROWTH_BEFORE_IDLE_COLLECTION), isBusy, IDLE_AFTER_MS);

  // ---- Settings and context ---------------------------------------------------

  function readSettings(raw: unknown): Settings {
    const { settings, problems } = parseSettings(raw);
    for (const problem of problems) {
      if (reportedSettingsProblems.has(problem)) continue;
      reportedSettingsProblems.add(problem);
      // A notification: nothing to answer, nothing that can fail on the client's side.
      void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `Pullguard: ${problem}` });
    }
    return settings;
  }

  const documentSettings = new DocumentSettings(
    (uri) => connection.workspace.getConfiguration({ scopeUri: uri, section: 'pullguard' }),
    readSettings,
    () => globalSettings,
  );

  function getSettings(uri: string): Promise<Settings> {
    return configurationRequests ? documentSettings.get(uri) : Promise.resolve(globalSettings);
  }

  /**
   * Analyses a document the client has not answered settings for with the settings it will
   * most likely get (its folder's), while the request is out: opening a file would
   * otherwise wait for the answer before its analysis starts, a round trip through the
   * client's event loop (2–5 ms from the benchmark's client; more from an editor busy
   * starting up: with answers 5 ms late, a 50-job open took 22 ms instead of 30). When the
   * answer is the same settings it is the same object (DocumentSettings.canonical), so the
   * context is the same and the analysis and diagnostics are the cache's. When it is not,
   * or when indexing the documents just opened changes the workspace view (their text is
   * not what the index read from disk), the context differs: the document is analysed
   * again, and only that analysis is published.
   */
  function analyseAhead(document: TextDocument): void {
    // While the folders are walked, the analysis waits for the workspace anyway.
    if (!configurationRequests || documentSettings.hasAnswered(document.uri) || diskWalk) return;
    const settings = documentSettings.likely(document.uri, workspaceRoots);
    if (!settings) return;
    const context = contextOf(settings, workspaceIndex.view());
    runSafe(() => languageService.doValidation(document, context), [], `validating ${document.uri}`, connection);
  }

  /** Records the open documents changed since the index last read them (see `unindexed`). */
  async function indexChangedDocuments(): Promise<void> {
    for (const changed of [...unindexed]) {
      unindexed.delete(changed);
      const document = documents.get(changed);
      if (document) await indexOpenDocument(document);
    }
  }

  /**
   * Pull mode: the changed documents are indexed this long after the last change if no
   * request has done it first. The editor pulls only the documents it shows (VS Code:
   * those in tabs), and a `config.toml` or `config.json` open but not shown, changed by
   * the editor reloading it from disk or by an extension's edit, would otherwise never
   * be read again: the pipelines that read it would keep their diagnostics.
   */
  const unpulledIndexing = new IdleTask(
    () => void runSafeAsyncTask(indexChangedDocuments, 'indexing the changed documents', connection),
    // Only the pause after the last change: a pull meanwhile has indexed them, leaving nothing to do.
    () => false,
    UNPULLED_CHANGE_INDEX_DELAY_MS,
  );

  /** One context object per settings object and workspace state: the analysis cache key. */
  async function getContext(uri: string): Promise<AnalysisContext> {
    await indexChangedDocuments();
    const settings = await getSettings(uri);
    return contextOf(settings, (await settledIndex()).view());
  }

  /** The workspace index once no walk of the folders is under way (see diskWalk). */
  async function settledIndex(): Promise<WorkspaceIndex> {
    while (diskWalk) await diskWalk;
    return workspaceIndex;
  }

  function contextOf(settings: Settings, workspace: WorkspaceView): AnalysisContext {
    const cached = contexts.get(settings);
    if (cached && cached.workspace === workspace) return cached;
    const context = { settings, workspace };
    contexts.set(settings, context);
    return context;
  }

  // ---- Diagnostics ---------------------------------------------------------------

  async function validate(document: TextDocument): Promise<void> {
    // Messages already sent go out first: vscode-jsonrpc writes each one from a setImmediate
    // callback, which an analysis started on the next expired timer would hold back for as
    // long as it takes (another document's diagnostics, published a moment ago, among them),
    // and the request for this document's settings, if not asked yet, with them.
    void getSettings(document.uri);
    await new Promise<void>((resolve) => setImmediate(resolve));
    analyseAhead(document);
    const context = await getContext(document.uri);
    // The document may have changed or closed while settings were fetched.
    if (documents.get(document.uri)?.version !== document.version) return;
    // Same text, same settings and workspace: the diagnostics already published stand. The
    // text too, not only the version: a client that changes a document without a new version
    // number (which LSP forbids) still gets the new text checked. The same string unless
    // it changed, so the comparison costs nothing.
    const last = lastPublished.get(document.uri);
    if (last && last.version === document.version && last.text === document.getText() && last.context === context) return;
    const started = performance.now();
    const diagnostics = runSafe(() => languageService.doValidation(document, context), [], `validating ${document.uri}`, connection);
    lastValidationMs.set(document.uri, performance.now() - started);
    lastPublished.set(document.uri, { version: document.version, text: document.getText(), context, diagnostics });
    noteActivity();
    // The workspace changed, but nothing this version shows: the editor has it already.
    if (last?.version === document.version && last.diagnostics === diagnostics) return;
    const written = connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
    if (document.getText().length >= LARGE_DOCUMENT_LENGTH) {
      // A connection that closed meanwhile is the exit handlers' business, not this one's.
      void written.then(() => collectGarbageIfGrown(), () => undefined);
      idleCollection.schedule();
    }
  }

  /**
   * No wait for a change after a pause (the user sees the result of a keystroke as soon
   * as it is computed); within a burst, as long as a validation takes, so a large
   * document is not analysed once per queued keystroke.
   */
  function delayAfterChange(uri: string): number {
    const now = performance.now();
    const previousChange = lastChangeAt.get(uri);
    lastChangeAt.set(uri, now);
    const validationMs = Math.min(MAX_VALIDATION_DELAY_MS, Math.ceil(lastValidationMs.get(uri) ?? MAX_VALIDATION_DELAY_MS));
    return previousChange === undefined || now - previousChange >= validationMs ? 0 : validationMs;
  }

  function scheduleValidation(document: TextDocument, delay: number): void {
    if (pullDiagnostics) return;
    pendingValidations.get(document.uri)?.();
    const run = (): void => {
      pendingValidations.delete(document.uri);
      void validate(document);
    };
    if (delay > 0) {
      const timer = setTimeout(run, delay);
      pendingValidations.set(document.uri, () => clearTimeout(timer));
    } else {
      // Not a timer of 0: Node waits a millisecond at least, and the turn of the event loop
      // after it, 1–2 ms of every open and of every keystroke after a pause.
      const immediate = setImmediate(run);
      pendingValidations.set(document.uri, () => clearImmediate(immediate));
    }
  }

  /** After a settings or workspace change, every open document may read differently. */
  function revalidateAll(): void {
    if (pullDiagnostics) {
      // A client without refresh pulls again on its own (after its next change, or when shown).
      if (!refreshRequests) return;
      connection.languages.diagnostics.refresh().then(undefined, (error: unknown) => {
        connection.console.error(`Pullguard: the editor did not take the request to pull diagnostics again: ${describeError(error)}`);
      });
    } else {
      for (const document of documents.all()) scheduleValidation(document, 0);
    }
  }

  /** A file on disk changed what open files mean: said in the log, as the diagnostics may change without an edit. */
  function reportDiskChange(uri: string): void {
    connection.console.info(`Pullguard: ${uri} changed on disk; the open files are checked again.`);
    revalidateAll();
  }

  // ---- Workspace index -------------------------------------------------------------

  /** Settings that decide which files on disk are what: the first workspace folder's. */
  function getFolderSettings(): Promise<Settings> {
    const folder = workspaceRoots[0];
    return folder ? getSettings(folderUri(folder)) : Promise.resolve(globalSettings);
  }

  /** (Re)builds the index of files on disk; open documents stay as the editor has them. */
  async function indexFromDisk(): Promise<void> {
    const settings = await getFolderSettings();
    const walk = walkFolders(settings).finally(() => {
      if (diskWalk === walk) diskWalk = undefined;
    });
    diskWalk = walk;
    await walk;
    for (const document of documents.all()) {
      const context = await getContext(document.uri);
      if (documents.get(document.uri) !== document) continue; // closed meanwhile
      workspaceIndex.setOpenDocument(document.uri, document.getText(), languageService.getParsed(document, context), context.settings);
    }
  }

  /**
   * Walks the workspace folders and replaces the index with the files found, unless the
   * folders or the settings changed meanwhile and a later walk has begun: its index wins.
   */
  async function walkFolders(settings: Settings): Promise<void> {
    const walk = ++walksBegun;
    const roots = workspaceRoots;
    const onSkip = (path: string, reason: string) => connection.console.info(`Pullguard: skipped ${path}: ${reason}.`);
    const isWanted = (path: string) => mayBeReadFile(analysisPathOf(path), settings);
    // Each folder's files as a list of their own: spread into one array, a walk's up to
    // 200,000 paths would overflow the stack (a call takes that many arguments).
    const foundByRoot: string[][] = [];
    for (const root of roots) foundByRoot.push(await findCandidateFilesAsync(root, { onSkip, isWanted, parallel: walkInParallel }));
    if (walk !== walksBegun) return;
    const index = new WorkspaceIndex(roots);
    for (const path of foundByRoot.flat()) {
      const uri = pathToFileURL(path).href;
      if (!documents.get(uri)) index.setDiskFile(uri, () => readOrSay(path), settings);
    }
    workspaceIndex = index;
  }

  /** A file's text for the index, or undefined with a log line saying why it cannot be read. */
  function readOrSay(path: string): string | undefined {
    const read = readTextFile(path);
    if (read.ok) return read.text;
    connection.console.info(`Pullguard: skipped ${path}: ${read.reason}.`);
    return undefined;
  }

  /** A file on disk changed (or an editor closed and the disk is the truth again). */
  async function indexFromDiskFile(uri: string): Promise<boolean> {
    return indexDiskText(uri, readDiskText(uri));
  }

  /** The text of a `file:` URI on disk; undefined when it is gone or cannot be read. */
  function readDiskText(uri: string): string | undefined {
    const path = filePathOf(uri);
    const read = path === undefined ? undefined : readTextFile(path);
    return read?.ok ? read.text : undefined;
  }

  async function indexDiskText(uri: string, text: string | undefined): Promise<boolean> {
    const settings = await getFolderSettings();
    const index = await settledIndex();
    if (text === undefined || !index.wantsFile(uri, settings)) return index.deleteFile(uri);
    return index.setFile(uri, text, settings);
  }

  /** Reported files waiting to be read again (see WATCHED_FILE_SETTLE_MS). */
  const settlingFiles = new Map<string, NodeJS.Timeout>();

  /** Reads a reported file again in a moment, and indexes it if its text is no longer `textRead`. */
  function readAgainWhenSettled(uri: string, textRead: string | undefined): void {
    clearTimeout(settlingFiles.get(uri));
    const timer = setTimeout(() => void runSafeAsyncTask(async () => {
      settlingFiles.delete(uri);
      if (documents.get(uri)) return; // opened meanwhile: the editor's text is the truth
      const text = readDiskText(uri);
      if (text !== textRead && (await indexDiskText(uri, text))) reportDiskChange(uri);
    }, `reading ${uri} again`, connection), WATCHED_FILE_SETTLE_MS);
    // Nothing to wait for once the editor has gone.
    timer.unref();
    settlingFiles.set(uri, timer);
  }

  async function indexOpenDocument(document: TextDocument): Promise<void> {
    const settings = await getSettings(document.uri);
    const index = await settledIndex();
    // Closed while its settings were asked for: the close has put the disk's text back, and
    // the editor's is no longer the truth.
    if (documents.get(document.uri) !== document) return;
    const parsed = languageService.getParsed(document, { settings, workspace: index.view() });
    if (index.setOpenDocument(document.uri, document.getText(), parsed, settings)) revalidateAll();
  }

  // ---- Lifecycle ---------------------------------------------------------------------

  /** The state the `initialize` request decides (its answer is getInitializeResult's). */
  function applyInitializeParams(params: InitializeParams): void {
    initializeParams = params;
    const capabilities = params.capabilities;
    pullDiagnostics = Boolean(capabilities.textDocument?.diagnostic);
    refreshRequests = Boolean(capabilities.workspace?.diagnostics?.refreshSupport);
    configurationRequests = Boolean(capabilities.workspace?.configuration);
    globalSettings = documentSettings.canonical(readSettings((params.initializationOptions as { settings?: unknown } | undefined)?.settings));
    const folders = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    workspaceRoots = localPaths(folders);
    workspaceIndex = new WorkspaceIndex(workspaceRoots);
  }

  /** Rebuilds the disk index, then has every open document checked again. */
  async function reindex(): Promise<void> {
    await runSafeAsyncTask(indexFromDisk, 'indexing the workspace', connection);
    revalidateAll();
  }

  connection.onInitialized(() => {
    if (configurationRequests) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'pullguard' }).catch(() => undefined);
    void connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/*.{yml,yaml,toml,json}' }],
    }).catch(() => undefined);
    if (initializeParams?.capabilities.workspace?.workspaceFolders) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        const removed = new Set(event.removed.map((folder) => folder.uri));
        const folders = [...workspaceRoots.map(folderUri).filter((uri) => !removed.has(uri)), ...event.added.map((f) => f.uri)];
        workspaceRoots = localPaths(folders);
        void reindex();
      });
    }
    void reindex();
    // After the messages already received: when the user's file is already open, analysing
    // it warms the same code, and a warm-up would only delay its diagnostics.
    setImmediate(warmUpAtStart);
  });

  /**
   * Compiles the analysis before the first file arrives (see warmUp), unless it came with
   * the start, then goes on whenever the server is idle: before the first file, or while
   * the user reads its diagnostics.
   */
  function warmUpAtStart(): void {
    const safely = (run: () => void) => runSafe(run, undefined, 'warming up', connection);
    // An editor that restores an open pipeline sends it within milliseconds: its analysis
    // warms the same code, and should not wait for the warm-up.
    if (documents.all().length === 0) {
      safely(() => warmUp());
      noteActivity();
    }
    warmUpWhileIdle({
      rounds: IDLE_WARM_UP_ROUNDS,
      budgetMs: IDLE_WARM_UP_MS,
      busy: isBusy,
      waitMs: IDLE_AFTER_MS,
      sliceMs: IDLE_WARM_UP_SLICE_MS,
      // Its analyses take a millisecond or two each: Date.now would count many as none.
      now: () => performance.now(),
      // A timer, not setImmediate: a message read meanwhile (a document opened, a keystroke) is handled first.
      schedule: (next, delayMs) => setTimeout(() => safely(next), delayMs),
      workspacePipelines: pipelinesToWarmUpOn,
      done: ({ rounds, workspaceAnalyses }) => {
        // Its garbage is left to V8, not collected now: a full collection throws away the
        // code V8 compiled for objects none of which is alive any more, and every object of
        // the warm-up is garbage once it ends. Collected then, a 500-job pipeline opened
        // later took as long as in a fresh server (bench/README.md, session 12).
        const own = workspaceAnalyses > 0 ? ` and ${workspaceAnalyses} analyses of the workspace's pipelines` : '';
        connection.console.log(`Pullguard: warm-up done: ${rounds} rounds on a small built-in pipeline${own}, run while the server was idle.`);
        // The analysis is compiled now: the next start loads it compiled (codeCache.ts).
        const cached = runSafe(() => refreshCodeCaches(), [], 'keeping the compiled analysis', connection);
        if (cached.length > 0) connection.console.log(`Pullguard: the compiled analysis is kept for the next start (${cached.join(', ')}).`);
      },
    });
  }

  /**
   * The workspace's pipelines on disk that the idle warm-up analyses after its rounds: the
   * few nearest a workspace folder's root (the root `.gitlab-ci.yml` first), not open, each
   * small enough that an analysis of it is one short step. Only those few are looked at
   * (a monorepo may hold hundreds of pipelines), by their text: none is parsed here, so a
   * large one the user has not opened is not held parsed in memory.
   */
  function pipelinesToWarmUpOn(): WorkspacePipeline[] {
    const view = workspaceIndex.view();
    const candidates: Array<{ file: IncludedFile; settings: Settings }> = [];
    for (const file of view.yamlFiles.values()) {
      if (documents.get(file.uri)) continue; // open: its own analyses warm up the same code
      const settings = documentSettings.likely(file.uri, workspaceRoots) ?? globalSettings;
      if (isPipelinePath(file.path, settings, view.includedPatterns)) candidates.push({ file, settings });
    }
    candidates.sort((a, b) => a.file.path.length - b.file.path.length || (a.file.path < b.file.path ? -1 : 1));
    const pipelines: WorkspacePipeline[] = [];
    for (const { file, settings } of candidates.slice(0, MAX_WARM_UP_PIPELINES)) {
      if (!file.readable || file.text.length > MAX_WARM_UP_PIPELINE_LENGTH) continue;
      pipelines.push({ uri: file.uri, text: file.text, context: contextOf(settings, view) });
    }
    return pipelines;
  }

  connection.onDidChangeConfiguration((change) => {
    documentSettings.clear();
    if (!configurationRequests) globalSettings = documentSettings.canonical(readSettings((change.settings as { pullguard?: unknown } | undefined)?.pullguard));
    // The file patterns may have changed what the files on disk are.
    void reindex();
  });

  connection.onDidChangeWatchedFiles(async ({ changes }) => {
    const settings = await getFolderSettings();
    const index = await settledIndex();
    const changed: string[] = [];
    for (const change of changes) {
      if (documents.get(change.uri)) continue; // the open document is the truth
      // Gone, or no file Pullguard reads (a package.json saved): nothing to read.
      if (change.type === FileChangeType.Deleted || !index.wantsFile(change.uri, settings)) {
        if (index.deleteFile(change.uri)) changed.push(change.uri);
        continue;
      }
      // The index reads the file now, or records it unread until an include names it
      // (setChangedDiskFile); only a file read now is read again once its writer is done.
      // Read as the scan reads: one that cannot be read is logged when read.
      const path = filePathOf(change.uri);
      let readNow: { text: string | undefined } | undefined;
      const read = (): string | undefined => {
        const text = path === undefined ? undefined : readOrSay(path);
        readNow ??= { text };
        return text;
      };
      if (index.setChangedDiskFile(change.uri, read, settings)) changed.push(change.uri);
      if (readNow) readAgainWhenSettled(change.uri, readNow.text);
    }
    if (changed.length > 0) reportDiskChange(changed.length === 1 ? changed[0]! : `${changed[0]} (and ${changed.length - 1} more)`);
  });

  documents.onDidOpen(({ document }) => {
    void indexOpenDocument(document);
    scheduleValidation(document, 0);
  });
  documents.onDidChangeContent(({ document }) => {
    unindexed.add(document.uri);
    if (pullDiagnostics) unpulledIndexing.schedule();
    else scheduleValidation(document, delayAfterChange(document.uri));
  });
  documents.onDidClose(({ document }) => {
    pendingValidations.get(document.uri)?.();
    pendingValidations.delete(document.uri);
    lastPublished.delete(document.uri);
    lastValidationMs.delete(document.uri);
    lastChangeAt.delete(document.uri);
    unindexed.delete(document.uri);
    languageService.forget(document.uri);
    documentSettings.forget(document.uri);
    if (!pullDiagnostics) connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    // Back to what is on disk, for the other documents' sake.
    void indexFromDiskFile(document.uri).then((changed) => {
      if (changed) revalidateAll();
    });
  });

  // ---- Requests ------------------------------------------------------------------------

  /**
   * Pull mode: each list of diagnostics the language service returns has a result id, and
   * a pull that names the id of the list it would get again is answered `unchanged`. With
   * `interFileDependencies` the editor pulls every open document again after a change in
   * any, and after each workspace change: most answers are then a few bytes, not the list
   * again (4 MB at 5,000 jobs).
   */
  const resultIds = new WeakMap<readonly Diagnostic[], string>();
  let lastResultId = 0;
  function resultIdOf(diagnostics: readonly Diagnostic[]): string {
    let id = resultIds.get(diagnostics);
    if (id === undefined) resultIds.set(diagnostics, (id = String(++lastResultId)));
    return id;
  }

  connection.languages.diagnostics.on(async (params, token) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    // A document just opened: its settings were asked for when it opened, and while the
    // answer is out it is analysed with its folder's.
    analyseAhead(document);
    const context = await getContext(document.uri);
    return runSafeAsync(token, (): DocumentDiagnosticReport => {
      const items = languageService.doValidation(document, context);
      noteActivity();
      // No publish to collect after in pull mode: only in the pause that follows.
      if (document.getText().length >= LARGE_DOCUMENT_LENGTH) idleCollection.schedule();
      const resultId = resultIdOf(items);
      return params.previousResultId === resultId ? { kind: DocumentDiagnosticReportKind.Unchanged, resultId } : { kind: DocumentDiagnosticReportKind.Full, resultId, items };
    }, { kind: DocumentDiagnosticReportKind.Full, items: [] }, `validating ${document.uri}`, connection);
  });

  connection.onHover(async (params, token) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return null;
    const context = await getContext(document.uri);
    return runSafeAsync(token, () => languageService.doHover(document, params.position, context), null, `hover in ${document.uri}`, connection);
  });

  connection.onCodeAction(async (params, token) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    const context = await getContext(document.uri);
    return runSafeAsync(token, () => languageService.doCodeActions(document, params.range, params.context, context), [], `code actions in ${document.uri}`, connection);
  });

  registerRegistryRequests(connection, { documents, languageService, getContext, getInitializationOptions: () => initializeParams?.initializationOptions });

  registerClientRequests(connection, { documents, languageService, getContext, workspaceRoots: () => workspaceRoots });

  documents.listen(connection);
  return { applyInitializeParams, messageArrived: noteActivity };
}

/** The local paths of the `file:` URIs (the workspace folders the server can read). */
function localPaths(uris: readonly string[]): string[] {
  return uris.map(filePathOf).filter((path) => path !== undefined);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
}
