/**
 * A one-line text progress bar for the command-line tools (bench runner, demo). On a TTY it
 * redraws in place; otherwise it prints one line per update.
 */
export class ProgressBar {
  private lastLength = 0;
  constructor(
    private readonly total: number,
    private readonly width = 28,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Shows `done` of `total` with a label. */
  update(done: number, label = ''): void {
    const ratio = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(ratio * this.width);
    const text = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${label}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${text.padEnd(this.lastLength)}`);
      this.lastLength = text.length;
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  /** Ends the bar's line. */
  finish(label = 'done'): void {
    this.update(this.total, label);
    if (this.stream.isTTY) this.stream.write('\n');
    this.lastLength = 0;
  }
}
