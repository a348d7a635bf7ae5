/**
 * What the client does when the language server process dies or its connection
 * fails (vscode-languageclient's ErrorHandler, adapted in extension.ts): restart it,
 * tell the user once, and give up after too many deaths in a short time rather than
 * loop. Pure, so the policy is unit-tested without VS Code.
 */

export interface CloseDecision {
  readonly restart: boolean;
  /** A message for the user, or undefined to stay quiet (said once per session). */
  readonly message: string | undefined;
}

export class RestartPolicy {
  private readonly deaths: number[] = [];
  private toldRestart = false;
  private toldGiveUp = false;

  /**
   * @param maxRestarts restarts allowed within `windowMs`
   * @param now the clock (tests pass their own)
   */
  constructor(
    private readonly maxRestarts = 4,
    private readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The server's connection closed (the process exited or crashed). */
  onClosed(): CloseDecision {
    const time = this.now();
    this.deaths.push(time);
    while (this.deaths.length > 0 && this.deaths[0]! < time - this.windowMs) this.deaths.shift();
    if (this.deaths.length > this.maxRestarts) {
      const message = this.toldGiveUp
        ? undefined
        : `Pullguard's language server stopped ${this.deaths.length} times in ${Math.round(this.windowMs / 60_000)} minutes and was not restarted again, so diagnostics are not updated. Run "Developer: Reload Window" to start it again; its log is in the Output panel (Pullguard).`;
      this.toldGiveUp = true;
      return { restart: false, message };
    }
    const message = this.toldRestart ? undefined : "Pullguard's language server stopped unexpectedly and was restarted; diagnostics are up to date again. Its log is in the Output panel (Pullguard).";
    this.toldRestart = true;
    return { restart: true, message };
  }

  /** A read or write error on the connection: keep going for a few, then shut it down (which closes and may restart). */
  onError(count: number | undefined): 'continue' | 'shutdown' {
    return (count ?? 1) <= 3 ? 'continue' : 'shutdown';
  }
}
