/**
 * A task run once the server is idle. `schedule()` starts a wait of `waitMs`; when it
 * ends, the task runs if `isBusy()` says the server has nothing to do, else the wait
 * starts again. A call while one is pending starts the wait anew, so a burst of calls
 * (a keystroke's publish each) runs the task once, in the pause after the last. With an
 * `isBusy` that is always false, only that pause counts.
 */
export class IdleTask {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly task: () => void,
    private readonly isBusy: () => boolean,
    private readonly waitMs: number,
  ) {}

  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.isBusy()) this.schedule();
      else this.task();
    }, this.waitMs);
  }
}
