/**
 * The trace layer: timed traces (Azure LLM 2023, Mooncake, Vidur) and synthetic workloads as
 * request streams for the serving simulator, plus discovery, download and statistics.
 */
export type { TraceRequest, RequestStream } from './types.ts';
export { loadTrace, openTrace, openTraceFrom, loadLengths, type StreamHandle, type LengthTable } from './load.ts';
export type { TraceOptions, TraceWindow } from './options.ts';
export type { TraceFormat } from './rows.ts';
export type { LoadStats } from './stats.ts';
export { fileSource, type TraceSource } from './source.ts';
export {
  TraceFormatError,
  NoTimestampsError,
  TraceOptionsError,
  TraceNotFoundError,
  WorkloadSpecError,
  TraceDownloadError,
  ChecksumMismatchError,
} from './errors.ts';
export { TRACE_CATALOG, traceEntry, type TraceEntry } from './catalog.ts';
export { resolveTrace, tracesDirs, findTrace, DEFAULT_DOWNLOAD_DIR, REPO_ROOT } from './discover.ts';
export { downloadTraces, downloadTrace, type DownloadOptions, type DownloadResult } from './download.ts';
export { summarizeTrace, type TraceSummary, type ArrivalSummary, type Distribution } from './summary.ts';
export {
  openWorkload,
  parseWorkloadSpec,
  type WorkloadSpec,
  type TraceWorkload,
  type SyntheticWorkload,
  type OpenWorkloadOptions,
} from './workload.ts';
export { syntheticStream, rateSweep, type SyntheticSpec, type LengthLoader } from './synthetic/stream.ts';
export { arrivalTimes, type ArrivalSpec, type BurstSpec, type PeriodicBursts } from './synthetic/arrivals.ts';
export { lengthSampler, type LengthSpec, type LengthSampler } from './synthetic/lengths.ts';
