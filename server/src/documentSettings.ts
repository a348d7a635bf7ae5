/**
 * The `pullguard` settings of each document, as the client answers `workspace/configuration`
 * for it: asked once per URI, until the settings change.
 *
 * Settings of equal value are one object (`canonical`). The analysis cache is keyed by
 * the settings object (service/languageService.ts, `analysisHolds`), so a document
 * whose settings equal its folder's shares its folder's analysis context: an analysis
 * made with the folder's settings before the document's own came back (the server's
 * `analyseAhead`) is then the one the cache gives for them.
 */
import { pathToFileURL } from 'node:url';
import { sep } from 'node:path';
import { filePathOf } from './node/fileUri';
import { folderHolding } from './service/model/workspace';
import { DEFAULT_SETTINGS, type Settings } from './service/settings';

/** The URI a workspace folder's settings are asked for (and kept under). */
export function folderUri(root: string): string {
  return pathToFileURL(root).href;
}

export class DocumentSettings {
  private readonly asked = new Map<string, Promise<Settings>>();
  private readonly answered = new Map<string, Settings>();
  private readonly byJson = new Map<string, Settings>([[JSON.stringify(DEFAULT_SETTINGS), DEFAULT_SETTINGS]]);

  /**
   * @param ask asks the client for the raw `pullguard` section of a URI
   * @param read reads a raw section into settings
   * @param whenUnanswered the settings of a URI whose request failed
   */
  constructor(
    private readonly ask: (uri: string) => Promise<unknown>,
    private readonly read: (raw: unknown) => Settings,
    private readonly whenUnanswered: () => Settings,
  ) {}

  /** The one object for settings of this value (settings are plain JSON data). */
  canonical(settings: Settings): Settings {
    const json = JSON.stringify(settings);
    const known = this.byJson.get(json);
    if (known) return known;
    this.byJson.set(json, settings);
    return settings;
  }

  /** A URI's settings: asked of the client on the first call (until `clear` or `forget`). */
  get(uri: string): Promise<Settings> {
    const known = this.asked.get(uri);
    if (known) return known;
    const settings = this.ask(uri).then((raw) => this.canonical(this.read(raw)), this.whenUnanswered).then((answer) => {
      // Not when the settings changed meanwhile: the answer is to a question no longer asked.
      if (this.asked.get(uri) === settings) this.answered.set(uri, answer);
      return answer;
    });
    this.asked.set(uri, settings);
    return settings;
  }

  /** Whether the client has answered for `uri` (since the settings last changed). */
  hasAnswered(uri: string): boolean {
    return this.answered.has(uri);
  }

  /**
   * The settings a document the client has not answered for yet will most likely get: those
   * of the workspace folder it is in (asked for under `folderUri`), once answered. VS Code
   * reads a file's settings from its folder's (user, workspace and folder settings; a file
   * has none of its own).
   * @param roots the workspace folders' paths
   */
  likely(uri: string, roots: readonly string[]): Settings | undefined {
    const path = filePathOf(uri);
    const root = path === undefined ? undefined : folderHolding(roots, path, sep);
    return root === undefined ? undefined : this.answered.get(folderUri(root));
  }

  /** The settings changed: every URI's are asked again. */
  clear(): void {
    this.asked.clear();
    this.answered.clear();
  }

  /** A document closed. */
  forget(uri: string): void {
    this.asked.delete(uri);
    this.answered.delete(uri);
  }
}
