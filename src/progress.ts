// A progress bar for long runs: drawn on a stream (stderr by default) when it is a
// terminal, silent otherwise, so CI logs and pipes get the plain result lines only.
// Called by src/cli.ts (`wann build` / `wann query`) and bench/kernels.ts, bench/search.ts.

const WIDTH = 28;

export interface Progress {
  /** Moves the bar to `done` of the total, with a short label of the current step. */
  tick(done: number, label?: string): void;
  /** Clears the bar, so the next printed line starts clean. */
  done(): void;
}

export function progress(title: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const start = performance.now();
  const live = stream.isTTY === true;
  let lastDraw = 0;
  const draw = (done: number, label: string) => {
    const now = performance.now();
    if (now - lastDraw < 100 && done < total) return; // repaint at most 10 times a second
    lastDraw = now;
    const frac = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(frac * WIDTH);
    const elapsed = (now - start) / 1000;
    const eta = frac > 0.02 ? ` ~${Math.round((elapsed / frac) - elapsed)} s left` : '';
    const line = `${title} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total}${eta} ${label}`;
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
  };
  return {
    tick(done, label = '') {
      if (live) draw(done, label);
    },
    done() {
      if (live) stream.write('\r\x1b[2K');
    },
  };
}
