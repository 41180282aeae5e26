/** The cost model: hardware profiles and the pricing of engine iterations traced on the meta backends. */
export { type AttentionHeads, type PrefillChunk, attentionEfficiency, attentionTime } from './attention.ts';
export { type Breakdown, BreakdownSum } from './breakdown.ts';
export { algorithmTime, busFactor, collectiveTime } from './collective.ts';
export { defaultCaptureSizes, padForGraph, paddedTokens } from './cuda-graph.ts';
export { type GemmShape, denseGemm, gemmTime, memoryTime } from './gemm.ts';
export { type CostModelOptions, IterationCostModel, type IterationShape } from './iteration.ts';
export { type MemoryOptions, type MemoryPlan, MemoryPlanError, planMemory } from './memory.ts';
export { type BlockFp8Kernel, type CalibrationProvenance, type CollectiveAlgorithm, type FittedConstant, type HardwareProfile, ProfileError, loadProfileFile, parseProfile, profileSchema } from './profile.ts';
export { getProfile, profileNames } from './profiles/index.ts';
export { TraceCache } from './trace-cache.ts';
export { StrategyTracer, syntheticBatch } from './tracer.ts';
