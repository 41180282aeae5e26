import { rateSchema, searchSchema, searchSloSchema } from './search-schema.ts';
import { experimentSchema } from './schema.ts';
import { syntheticWorkloadSchema, traceWorkloadSchema } from './workload-schema.ts';
import { type AnySchema, def, unwrap } from './zod-def.ts';

/**
 * The config reference, generated from the schema (so it cannot drift from what is checked):
 * every key with its type, default and description, then the sweep semantics.
 */
const describe = (s: AnySchema): string | undefined => (s as unknown as { description?: string }).description;

interface Entry {
  readonly key: string;
  readonly type: string;
  readonly dflt: string;
  readonly text: string;
}

function typeName(s: AnySchema): string {
  const d = def(s);
  switch (d.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      return typeName(d.innerType!);
    case 'number':
      return d.checks?.some((c) => c._zod.def.format === 'safeint') ? 'integer' : 'number';
    case 'enum':
      return Object.values(d.entries ?? {}).join(' | ');
    case 'literal':
      return (d.values ?? []).map(String).join(' | ');
    case 'union':
      return [...new Set((d.options ?? []).map(typeName))].join(' | ');
    case 'array':
      return `list of ${typeName(d.element!)}`;
    case 'record':
      return `mapping of name → ${typeName(d.valueType!)}`;
    case 'tuple':
      return `[${(d.items ?? []).map(typeName).join(', ')}]`;
    case 'object':
      return 'mapping';
    default:
      return d.type;
  }
}

function defaultOf(s: AnySchema): string {
  const d = def(s);
  if (d.type === 'default') return JSON.stringify(d.defaultValue);
  if (d.type === 'prefault') return 'all defaults';
  if (d.type === 'optional') return '—';
  return 'required';
}

/** Entries of an object schema and, recursively, of its nested objects. */
function entries(shape: Record<string, AnySchema>, prefix: string, skip: ReadonlySet<string> = new Set()): Entry[] {
  return Object.entries(shape).flatMap(([k, s]): Entry[] => {
    if (skip.has(k)) return [];
    const key = `${prefix}${k}`;
    const own: Entry = { key, type: typeName(s), dflt: defaultOf(s), text: describe(s) ?? describe(unwrap(s)) ?? '' };
    const inner = def(unwrap(s));
    if (inner.type === 'object') return [own, ...entries(inner.shape!, `${key}.`)];
    const element = inner.element ? def(unwrap(inner.element)) : undefined;
    if (inner.type === 'array' && element?.type === 'object') return [own, ...entries(element.shape!, `${key}[].`)];
    if (inner.type === 'union' && (inner.options ?? []).every((o) => def(o).type === 'object')) {
      // A discriminated union (arrivals, lengths): each form's keys.
      return [own, ...(inner.options ?? []).flatMap((o) => entries(def(o).shape!, `${key}.`).filter((e) => !e.key.endsWith('.kind')).map((e) => ({ ...e, key: `${e.key} (${String(def(def(o).shape!.kind!).values?.[0])})` })))];
    }
    return [own];
  });
}

function render(list: readonly Entry[]): string {
  return list.map((e) => `- \`${e.key}\` (${e.type}; default: ${e.dflt})${e.text ? `: ${e.text}` : ''}`).join('\n');
}

const SWEEP_SEMANTICS = `## Placeholders, expand and sweep

- \`\${var}\` in any value (not in keys) is replaced by a variable's value. A value that is exactly
  one placeholder takes the variable's type (\`rate: \${rate}\` is a number); inside longer text it
  is replaced by the value's text (\`name: Shift-\${threshold}\`). Inside \`{ }\` or \`[ ]\` quote
  it, \`{ kind: poisson, rate: '\${rate}' }\`: there YAML reads an unquoted \`{\` as a new mapping.
  Quoted, it is still a number.
- \`systems[].expand: {var: [v1, v2, ...]}\` turns that entry into one system per combination of
  its variables' values (the last varies fastest). The name must use the variables, so that every
  system has its own name; other systems are unaffected. Expanded systems run side by side at
  every point (one line each in the plots).
- \`sweep: {var: [v1, v2, ...]}\` makes points. Each workload gives one point per combination of
  the sweep variables it uses, and of those used by any system (a system's sweep variable
  applies to every workload). A workload that uses none is a single point. A point's \`params\`
  (results.json) are \`{workload: <name>, <var>: <value>, ...}\`. A sweep variable used nowhere is
  an error, and so is a placeholder naming no variable. System names cannot use sweep
  variables (a system keeps its name at every point: that is what plots draw lines along).
- Points are numbered in order: workloads in config order, each with its combinations (the
  last sweep variable varying fastest). \`--shard i/n\` runs the points whose number is i−1 mod n.

Example: one Shift system per threshold, each at four rates of one synthetic workload:

\`\`\`yaml
systems:
  - { name: TP, strategy: tp }
  - name: Shift-\${threshold}
    strategy: shift
    policy: { name: threshold, threshold: '\${threshold}' }
    expand: { threshold: [64, 256, 1024, 4096] }
workloads:
  - name: poisson-8k
    synthetic:
      arrivals: { kind: poisson, rate: '\${rate}' }
      lengths: { kind: fixed, input: 8192, output: 250 }
      duration: 120
sweep: { rate: [1, 2, 4, 8] }        # 4 points × 5 systems = 20 runs
\`\`\`
`;

const SEARCH_SEMANTICS = `A config with a \`search:\` section is a search (\`yarn exp search <config>\`; plain
\`yarn exp <config>\` runs it too). It has the top-level keys above except \`systems\`, \`sweep\`,
\`compare\` and \`slo\`, and exactly one workload, whose arrival rate is the search variable: a
synthetic workload writes \`rate: '\${rate}'\` in its arrivals (poisson, gamma or constant); a
trace is replayed with its inter-arrival times scaled to each rate (its own mean rate,
requests / (last − first arrival), is measured from the window; leave \`time_scale\` out).

- The space: every strategy of \`search.strategies\`, with every (s, t) layout it accepts with
  s·t = \`search.world\`, with every policy of \`search.policies\` (strategies that switch
  modes), with every combination of the \`search.engine\` values. Candidates the model cannot
  run (heads that do not divide, weights that do not fit) are listed as undeployable with the
  reason; none is dropped.
- Per candidate: one run at \`search.rate.reference\` (the latency columns of the table), then
  the capacity: the highest rate meeting \`search.slo\`, by bisection on a log scale over
  [min, max] until fail ≤ pass × (1 + tolerance). A candidate is skipped only where a bound
  proves it cannot win: one decode step alone slower than the p99 TPOT target (the report names
  the bound).
- Output: search.json, summary.md (ranked table, pruned and undeployable candidates),
  plots/pareto.svg, plots/capacity-curves.svg, winner.yaml (the winner at its capacity as a
  ready-to-run experiment). A candidate is a unit: \`--resume\`, \`--shard i/n\`, \`merge\` and
  \`submit --slurm\` work as for experiments.

Example (every strategy with every layout of 2 GPUs: nine candidates, seconds long):

\`\`\`yaml
name: search-example
model: llama-3.1-8b
workloads:
  - name: poisson
    synthetic:
      arrivals: { kind: poisson, rate: '\${rate}' }
      lengths: { kind: uniform, input: [256, 2048], output: [8, 64] }
      count: 40
search:
  world: 2
  rate: { min: 1, max: 256, tolerance: 0.25, reference: 8 }
  slo: { ttft_p99_ms: 300, tpot_p99_ms: 30 }
\`\`\`
`;

export function configReference(): string {
  const top = experimentSchema.shape;
  const systems = def(def(top.systems).element!).shape!;
  return [
    '# Experiment config reference (generated by `yarn exp keys`)',
    '',
    'Every key below is checked: an unknown key or a wrong type is an error naming the file, line and key path. Paths in the config are relative to the config file.',
    '',
    '## Top level',
    '',
    render(entries(top, '', new Set(['systems', 'workloads']))),
    '',
    '## systems[] (every one runs at every point)',
    '',
    render(entries(systems, 'systems[].')),
    '',
    '## workloads[]: a trace replay',
    '',
    render(entries(traceWorkloadSchema.shape, 'workloads[].')),
    '',
    '## workloads[]: a synthetic workload',
    '',
    render(entries(syntheticWorkloadSchema.shape, 'workloads[].').filter((e) => !['name', 'optional', 'max_in_flight', 'seed'].some((k) => e.key === `workloads[].${k}`))),
    '',
    SWEEP_SEMANTICS,
    '## search (a config that searches deployments and policies)',
    '',
    SEARCH_SEMANTICS,
    render([...entries(def(searchSchema).shape!, 'search.', new Set(['rate', 'slo'])), ...entries(def(rateSchema).shape!, 'search.rate.'), ...entries(def(searchSloSchema).shape!, 'search.slo.')]),
    '',
  ].join('\n');
}
