/**
 * Progress of a run over its units: a redrawn bar on a terminal, plain lines at most every
 * `intervalMs` otherwise (logs of batch jobs). The time left extrapolates from finished units.
 */
export interface Progress {
  start(total: number, alreadyDone: number): void;
  running(unit: string, label: string): void;
  /** How far a running unit got, in words (e.g. '1200 requests done'). */
  update(unit: string, status: string): void;
  done(unit: string, ok: boolean): void;
  stop(): void;
}

export const silentProgress: Progress = { start() {}, running() {}, update() {}, done() {}, stop() {} };

interface Sink {
  write(s: string): unknown;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

export function createProgress(out: Sink, o: { tty: boolean; intervalMs?: number; width?: number }): Progress {
  const interval = o.intervalMs ?? 5000;
  const running = new Map<string, { label: string; status: string }>();
  let total = 0;
  let skipped = 0;
  let finished = 0;
  let failed = 0;
  let t0 = 0;
  let lastLine = 0;
  let lastText = '';
  let timer: NodeJS.Timeout | undefined;

  const text = (): string => {
    const done = skipped + finished + failed;
    const elapsed = (Date.now() - t0) / 1000;
    const rate = (finished + failed) / Math.max(elapsed, 1e-3);
    const left = rate > 0 ? (total - done) / rate : Infinity;
    const now = [...running.values()].map((r) => `${r.label}${r.status ? ` (${r.status})` : ''}`).join(', ');
    const fails = failed > 0 ? `, ${failed} failed` : '';
    const eta = done < total && Number.isFinite(left) ? ` · ~${duration(left)} left` : '';
    return `${done}/${total} units${fails} · ${duration(elapsed)} elapsed${eta}${now ? ` · running ${now}` : ''}`;
  };
  const draw = (): void => {
    if (o.tty) {
      const width = o.width ?? 24;
      const filled = Math.round((width * (skipped + finished + failed)) / Math.max(total, 1));
      const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text()}`;
      out.write(`\r\x1b[2K${line.slice(0, 160)}`);
    } else if (Date.now() - lastLine >= interval) {
      lastLine = Date.now();
      lastText = text();
      out.write(`exp: ${lastText}\n`);
    }
  };

  return {
    start(n, already) {
      total = n;
      skipped = already;
      t0 = Date.now();
      if (already > 0) out.write(`exp: ${already} of ${n} units already finished, running the other ${n - already}\n`);
      if (o.tty) timer = setInterval(draw, 500).unref();
      draw();
    },
    running(unit, label) {
      running.set(unit, { label, status: '' });
      if (o.tty) draw();
    },
    update(unit, status) {
      const r = running.get(unit);
      if (r) r.status = status;
    },
    done(unit, ok) {
      running.delete(unit);
      if (ok) finished++;
      else failed++;
      draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      if (o.tty) out.write(`\r\x1b[2K${text()}\n`);
      else if (text() !== lastText) out.write(`exp: ${text()}\n`);
    },
  };
}
