import type { CollectiveKind } from '../ops/trace.ts';
import type { CollectiveAlgorithm, HardwareProfile } from './profile.ts';

/**
 * A collective's time in NCCL's α–β form, t = α + S · f(n) / busBW, where S is one rank's input
 * payload and f the nccl-tests bus factor that turns algorithm bandwidth into bus bandwidth:
 *
 *   all_reduce       f = 2(n−1)/n     (every byte is reduced and broadcast)
 *   all_gather       f = n−1          (S is the input slice; each rank receives (n−1)·S)
 *   all_to_all       f = (n−1)/n      (S is the whole send buffer; 1/n of it stays local)
 *   reduce_scatter   f = (n−1)/n      (S is the whole input; each rank keeps 1/n)
 *
 * Algorithm choice: like NCCL's tuner, the fastest of the profile's algorithms that implement the
 * kind and accept the message (max_bytes). With the built-in NVSwitch table that gives vLLM's
 * custom all-reduce for small TP all-reduces (decode), NCCL ring for mid sizes and all
 * non-all-reduce collectives, NVLS for very large all-reduces.
 */
export function busFactor(kind: CollectiveKind, n: number): number {
  switch (kind) {
    case 'all_reduce':
      return (2 * (n - 1)) / n;
    case 'all_gather':
      return n - 1;
    case 'all_to_all':
    case 'reduce_scatter':
      return (n - 1) / n;
  }
}

export function algorithmTime(a: CollectiveAlgorithm, kind: CollectiveKind, n: number, bytes: number): number {
  return a.alpha_s + (bytes * busFactor(kind, n)) / a.bus_bytes_per_s;
}

/** The fastest eligible algorithm and its time; a group of one rank costs nothing. */
export function collectiveTime(p: HardwareProfile, kind: CollectiveKind, n: number, bytes: number): { time: number; algorithm: string } {
  if (n <= 1) return { time: 0, algorithm: 'none' };
  return fastest(p, kind, bytes, busFactor(kind, n));
}

/**
 * One point-to-point send of `bytes`: t = α + bytes / BW (nccl-tests' sendrecv has bus factor 1:
 * busBW = algBW). No profile has a sourced send/recv line (shared/CALIBRATION.md gives NVLink P2P
 * bandwidth, 376–380 GB/s one direction, but no start-up), so a send reuses the profile's
 * point-to-point line: the fastest algorithm that implements all_to_all, which NCCL runs as grouped
 * send/recv pairs (nccl_p2p_all_to_all in the built-in profiles). A send to oneself costs nothing.
 */
export function p2pTime(p: HardwareProfile, bytes: number): { time: number; algorithm: string } {
  return fastest(p, 'all_to_all', bytes, 1);
}

/** Like NCCL's tuner: the fastest of the profile's algorithms that implement `kind` and accept `bytes`, at bus factor `factor`. */
function fastest(p: HardwareProfile, kind: CollectiveKind, bytes: number, factor: number): { time: number; algorithm: string } {
  let best = { time: Infinity, algorithm: 'none' };
  for (const a of p.collectives) {
    if (!a.kinds.includes(kind) || (a.max_bytes !== undefined && bytes > a.max_bytes)) continue;
    const time = a.alpha_s + (bytes * factor) / a.bus_bytes_per_s;
    if (time < best.time) best = { time, algorithm: a.algorithm };
  }
  return best;
}
