/**
 * The KV layout verifier's public API. Simulator and experiment runner: call
 * verifyShiftDeployment (a Verdict) or assertShiftDeployment (throws KvLayoutError) before
 * simulating a config that declares a Shift deployment.
 */
export { type HeadShard, attentionPosition, attentionShard, tpShard } from './heads.ts';
export { type KvLayout, type LayoutSpec, type RankKv, cacheShape, describeSpec, kvLayout, layoutFromShards, slotOf } from './layout.ts';
export { type Counterexample, type RankHeads, type RankProof, type Verdict, compareLayouts, verifyInvariance } from './verify.ts';
export { type SweepRow, assertShiftDeployment, shiftLayouts, sweepDeployments, verifyDpAgainstTp, verifyShiftDeployment } from './deployment.ts';
export { KvLayoutError, assertSwitchKeepsKv } from './switch-check.ts';
export { type KvGeometry, KvMovedError, type KvSwitchSnapshots, assertKvUnmoved } from './unmoved.ts';
export { formatVerdict, summarizeVerdict } from './format.ts';
