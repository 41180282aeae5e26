import { fileURLToPath } from 'node:url';
import type { Results } from '../../src/exp/index.ts';

/**
 * The reproduction study of the paper's evaluation (Shift Parallelism, arXiv 2509.16495, §6;
 * shared/SHIFT.md): one experiment config per experiment, run by `yarn paper`.
 */
export const EXPERIMENT_IDS = [
  'latency-peak-llama',
  'latency-peak-qwen',
  'context-llama',
  'context-qwen',
  'rate-sweep',
  'bursty',
  'azure-code',
  'mooncake',
] as const;

export type ExperimentId = (typeof EXPERIMENT_IDS)[number];

export interface StudyExperiment {
  readonly id: ExperimentId;
  /** The experiment's number in the brief (issue 6) and in the README. */
  readonly number: number;
  /** The config file, beside this module. */
  readonly file: string;
  readonly title: string;
}

export const STUDY: readonly StudyExperiment[] = [
  { id: 'latency-peak-llama', number: 1, file: 'latency-peak-llama.yaml', title: '4k/250: minimum latency and peak throughput, Llama-3.3-70B' },
  { id: 'latency-peak-qwen', number: 1, file: 'latency-peak-qwen.yaml', title: '4k/250: minimum latency and peak throughput, Qwen3-32B' },
  { id: 'context-llama', number: 2, file: 'context-llama.yaml', title: 'Context sweep 2k–128k, Llama-3.3-70B' },
  { id: 'context-qwen', number: 2, file: 'context-qwen.yaml', title: 'Context sweep 2k–128k, Qwen3-32B' },
  { id: 'rate-sweep', number: 3, file: 'rate-sweep.yaml', title: 'Arrival-rate sweep at 8k/250, Llama-3.3-70B' },
  { id: 'bursty', number: 4, file: 'bursty.yaml', title: 'Four bursts over a low steady stream, Llama-3.3-70B' },
  { id: 'azure-code', number: 5, file: 'azure-code.yaml', title: 'Azure code trace, minutes 2–17, Llama-3.3-70B' },
  { id: 'mooncake', number: 6, file: 'mooncake.yaml', title: 'Mooncake conversation trace, first 15 minutes, Qwen3-32B, FP8 KV' },
];

/** The results.json of every experiment of the study, by id. */
export type StudyResults = Readonly<Record<ExperimentId, Results>>;

/** The study's config files live beside this module. */
export function configPath(e: StudyExperiment): string {
  return fileURLToPath(new URL(e.file, import.meta.url));
}

/** The Mooncake replay window (mooncake.yaml: window.duration), for the offered load. */
export const MOONCAKE_WINDOW_S = 900;
