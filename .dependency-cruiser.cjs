// The layering rules of DESIGN.md, checked by dependency-cruiser on src/ (test/layering.test.ts
// runs it in `npm test`; `npx depcruise src` prints the same verdict). Type-only imports count:
// a layer that names another's type depends on it as much as one that calls it.
// Fix a violation by moving the shared type or function down to a layer both may import, not
// by adding an exception here.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles between modules (DESIGN.md layering).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'No cycles between folders either (e.g. cost → comm → ops → cost): data flows one way, ' +
        'trace → engine → executor (meta) → cost → metrics → report, so the layers form a DAG.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'low-layers-not-strategies',
      comment:
        'model, kv, ops and comm never import strategies: strategies are written against them. ' +
        "Plain data they share with strategies (Batch, SeqWork) lives in src/model/batch.ts.",
      severity: 'error',
      from: { path: '^src/(model|kv|ops|comm)/' },
      to: { path: '^src/strategies/' },
    },
    {
      name: 'cost-sim-not-exp',
      comment: 'cost and sim never import exp: experiments drive the simulator, not the reverse.',
      severity: 'error',
      from: { path: '^src/(cost|sim)/' },
      to: { path: '^src/exp/' },
    },
    {
      name: 'policy-not-engine',
      comment:
        'Policies never import the engine: the serving engine (src/sim), the executor (src/exec) ' +
        'or a folder they share (src/engine). A policy sees only the IterationState it is handed.',
      severity: 'error',
      from: { path: '^src/policy/' },
      to: { path: '^src/(sim|exec|engine)/' },
    },
    // DESIGN.md: "data flows one way: trace → engine → executor (meta) → cost → metrics →
    // report". Each stage is called by the one that drives it and knows nothing above it.
    {
      name: 'traces-not-consumers',
      comment: 'Trace loaders feed the engine and know none of their consumers.',
      severity: 'error',
      from: { path: '^src/traces/' },
      to: { path: '^src/(sim|exec|engine|strategies|cost|policy|exp|calibrate|cli)/' },
    },
    {
      name: 'executor-not-cost-or-engine',
      comment: 'Strategy code runs the same on real and meta backends: it never asks the cost model or the engine.',
      severity: 'error',
      from: { path: '^src/strategies/' },
      to: { path: '^src/(cost|sim|engine|exp)/' },
    },
    {
      name: 'cost-not-engine',
      comment: 'The engine prices its iterations through the cost model; the cost model never imports the engine.',
      severity: 'error',
      from: { path: '^src/cost/' },
      to: { path: '^src/(sim|engine)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
