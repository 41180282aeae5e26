/**
 * The KV layout verifier's public API: layouts as modes declare them, and the verdict on a
 * switch between two. The deployment-level proofs of each strategy (e.g. Shift's
 * verifyShiftDeployment in src/strategies/shift.ts) live with the strategies; their shared
 * entry points are in src/strategies/deployment.ts.
 */
export { type HeadShard, tpShard } from './heads.ts';
export { type KvLayout, type RankKv, cacheShape, kvLayout, layoutFromShards, slotOf } from './layout.ts';
export { type Counterexample, type RankHeads, type RankProof, type Verdict, compareLayouts, verifyInvariance } from './verify.ts';
export { KvLayoutError, assertSwitchKeepsKv } from './switch-check.ts';
export { type KvGeometry, KvMovedError, type KvSwitchSnapshots, assertKvUnmoved } from './unmoved.ts';
export { formatVerdict, summarizeVerdict } from './format.ts';
