import type { TraceFormat } from './rows.ts';

/**
 * The public traces the project knows by short name. Facts (paths, commits, sums, row counts)
 * come from ../shared/traces/README.md, where each file's origin is described; the sha256 of the
 * Vidur/etalon CSVs, which that README does not list, was computed from those byte-identical copies.
 */
export interface TraceEntry {
  readonly name: string;
  /** Path inside a traces directory (the layout of ../shared/traces). */
  readonly file: string;
  readonly format: TraceFormat;
  /** 'timed': arrivals + lengths; 'lengths': a length distribution only. */
  readonly kind: 'timed' | 'lengths';
  readonly description: string;
  /** Where `yarn traces download` gets it: a GitHub repository at a pinned commit. */
  readonly source: { readonly repo: string; readonly commit: string; readonly path: string };
  /** sha256 of the content; for gzip-stored files, of the uncompressed bytes. */
  readonly sha256: string;
  /** Stored gzip-compressed (`file` ends in .gz) although the upstream file is plain. */
  readonly gzipped: boolean;
  /** Data rows, to check a loader against. */
  readonly rows: number;
}

const AZURE = { repo: 'Azure/AzurePublicDataset', commit: '790921015d50dd6aae7f7e47f39ba0e235ad6b08' };
const MOONCAKE = { repo: 'kvcache-ai/Mooncake', commit: '3cca71daccf2a7afb8fe3f0295358f70e3a69fdb' };
const VIDUR_SPLITWISE = { repo: 'microsoft/vidur', commit: '8e54dd5c137a9b5aa0b6ff512ace6cc7caf8a377' };
const VIDUR_ARXIV = { repo: 'microsoft/vidur', commit: '6d98aa8f71696520acc603d87439e77cc78160a7' };
const ETALON = { repo: 'project-etalon/etalon', commit: '10102d06d17e7763a9779b0483b41abd7fabeb3b' };

export const TRACE_CATALOG: readonly TraceEntry[] = [
  {
    name: 'azure-code',
    file: 'azure_llm_2023/AzureLLMInferenceTrace_code.csv',
    format: 'azure',
    kind: 'timed',
    description: 'Azure LLM inference 2023, coding service (production, 1 h)',
    source: { ...AZURE, path: 'data/AzureLLMInferenceTrace_code.csv' },
    sha256: '54e9a6d2a4bd06ba1e060304b900abbc74cbea53de96506e60fe5bb4f2277fb6',
    gzipped: false,
    rows: 8819,
  },
  {
    name: 'azure-conv',
    file: 'azure_llm_2023/AzureLLMInferenceTrace_conv.csv',
    format: 'azure',
    kind: 'timed',
    description: 'Azure LLM inference 2023, conversation service (production, 1 h)',
    source: { ...AZURE, path: 'data/AzureLLMInferenceTrace_conv.csv' },
    sha256: '2f1e5b666d4e3055fdbba98598ce2ec307767b9064e03e2fa46676dbcc7d0bf8',
    gzipped: false,
    rows: 19366,
  },
  {
    name: 'mooncake-conversation',
    file: 'mooncake_fast25/conversation_trace.jsonl.gz',
    format: 'mooncake',
    kind: 'timed',
    description: 'Mooncake FAST25 conversation trace (Kimi production, 1 h, 3 s timestamp steps)',
    source: { ...MOONCAKE, path: 'FAST25-release/traces/conversation_trace.jsonl' },
    sha256: 'b8cbb061a85206d729d91cdc2981f43c9e0d99209dce588d3af5f7934408b9df',
    gzipped: true,
    rows: 12031,
  },
  {
    name: 'mooncake-synthetic',
    file: 'mooncake_fast25/synthetic_trace.jsonl.gz',
    format: 'mooncake',
    kind: 'timed',
    description: 'Mooncake FAST25 synthetic trace (public datasets, Poisson arrivals)',
    source: { ...MOONCAKE, path: 'FAST25-release/traces/synthetic_trace.jsonl' },
    sha256: 'bd070915a98fc0ed264d7cfef2ce746002eb3076a695ec31ba2674c0111ec131',
    gzipped: true,
    rows: 3993,
  },
  {
    name: 'splitwise-code',
    file: 'vidur_processed_traces/splitwise_code.csv',
    format: 'vidur',
    kind: 'timed',
    description: 'Azure 2023 code in Vidur format (same data as azure-code)',
    source: { ...VIDUR_SPLITWISE, path: 'data/processed_traces/splitwise_code.csv' },
    sha256: 'f266b907d109d471c61283ab69771c17ad79a18b33ff6e96aa546346f52767a6',
    gzipped: false,
    rows: 8819,
  },
  {
    name: 'splitwise-conv',
    file: 'vidur_processed_traces/splitwise_conv.csv',
    format: 'vidur',
    kind: 'timed',
    description: 'Azure 2023 conv in Vidur format (same data as azure-conv)',
    source: { ...VIDUR_SPLITWISE, path: 'data/processed_traces/splitwise_conv.csv' },
    sha256: '439e4138b7e384f316de614c071f7162be05b8af0cef866f82faacd1b0472249',
    gzipped: false,
    rows: 19366,
  },
  {
    name: 'arxiv-lengths',
    file: 'vidur_processed_traces/arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv',
    format: 'lengths',
    kind: 'lengths',
    description: 'arXiv summarization lengths (Llama-2 tokenizer, <= 4k total; no timestamps)',
    source: { ...VIDUR_ARXIV, path: 'data/processed_traces/arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv' },
    sha256: '9d3580538d915ca75e4aaaa54590b42dbb17abc6d74c8913310cf07c232adcdc',
    gzipped: false,
    rows: 28257,
  },
  {
    name: 'sharegpt-lengths',
    file: 'vidur_processed_traces/sharegpt_8k_filtered_stats_llama2_tokenizer.csv',
    format: 'lengths',
    kind: 'lengths',
    description: 'ShareGPT lengths (Llama-2 tokenizer, <= 8k total; no timestamps)',
    source: { ...ETALON, path: 'data/processed_traces/sharegpt_8k_filtered_stats_llama2_tokenizer.csv' },
    sha256: '6d6c296302a853e2669a674a96f269283e60c57e60363bd450588a1066919f9f',
    gzipped: false,
    rows: 30731,
  },
  {
    name: 'bwb-lengths',
    file: 'vidur_processed_traces/bwb_stats_llama2_tokenizer_filtered_v2.csv',
    format: 'lengths',
    kind: 'lengths',
    description: 'BWB translation lengths, decode-heavy (Llama-2 tokenizer, <= 4k total; no timestamps)',
    source: { ...ETALON, path: 'data/processed_traces/bwb_stats_llama2_tokenizer_filtered_v2.csv' },
    sha256: '389419d2f2e55149b5d6ccfedb881572798d39650436ab86fd61f3c40337a990',
    gzipped: false,
    rows: 33768,
  },
];

/** The catalog entry of a short name, or undefined. */
export function traceEntry(name: string): TraceEntry | undefined {
  return TRACE_CATALOG.find((e) => e.name === name);
}

/** The raw.githubusercontent.com address of an entry's upstream file at its pinned commit. */
export function upstreamUrl(e: TraceEntry): string {
  return `https://raw.githubusercontent.com/${e.source.repo}/${e.source.commit}/${e.source.path}`;
}
