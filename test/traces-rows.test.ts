import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NoTimestampsError, TraceFormatError } from '../src/traces/errors.ts';
import { loadLengths, openTrace } from '../src/traces/load.ts';
import type { TraceOptions } from '../src/traces/options.ts';
import type { TraceRequest } from '../src/traces/types.ts';

/** Bad input on purpose: each broken file must fail naming file and line, or be skipped and counted. */
const dir = mkdtempSync(join(tmpdir(), 'shiftlab-traces-rows-'));
const file = (name: string, text: string | Buffer): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function all(path: string, options: TraceOptions = {}): Promise<TraceRequest[]> {
  const out: TraceRequest[] = [];
  for await (const r of openTrace(path, options).stream) out.push(r);
  return out;
}

async function failure(path: string, options: TraceOptions = {}): Promise<TraceFormatError> {
  try {
    await all(path, options);
  } catch (e) {
    if (e instanceof TraceFormatError) return e;
    throw e;
  }
  throw new Error(`${path} loaded without error`);
}

const AZURE_HEAD = 'TIMESTAMP,ContextTokens,GeneratedTokens\n';
const row = (s: number, i: number | string, o: number | string): string =>
  `2023-11-16 18:00:${String(s).padStart(2, '0')}.0000000,${i},${o}\n`;

const bad = suite('bad rows');

const cases: [string, string, number, RegExp][] = [
  ['unparseable number', AZURE_HEAD + row(1, 10, 5) + row(2, 'abc', 5), 3, /ContextTokens is "abc"/],
  ['negative tokens', AZURE_HEAD + row(1, 10, 5) + row(2, 10, -3), 3, /GeneratedTokens is -3, token counts cannot be negative/],
  ['fractional tokens', AZURE_HEAD + row(1, 10.5, 5), 2, /expected an integer/],
  ['missing column', AZURE_HEAD + row(1, 10, 5) + '2023-11-16 18:00:02.0000000,10\n', 3, /missing column GeneratedTokens/],
  // 100 ns earlier than the row before is already backwards.
  ['backwards timestamp', AZURE_HEAD + row(5, 10, 5) + row(6, 10, 5) + '2023-11-16 18:00:05.9999999,10,5\n', 4, /goes backwards.*line 3/],
  ['bad timestamp', AZURE_HEAD + row(1, 10, 5) + '2023-13-01 00:00:00,1,1\n', 3, /TIMESTAMP: timestamp '2023-13-01 00:00:00'/],
  ['empty field', AZURE_HEAD + row(1, '', 5), 2, /ContextTokens is ""/],
];
for (const [name, text, line, reason] of cases) {
  bad(`${name}: error names file and line ${line}`, async () => {
    const path = file(`${name.replace(/ /g, '-')}.csv`, text);
    const e = await failure(path);
    assert.is(e.file, path);
    assert.is(e.line, line);
    assert.ok(e.message.startsWith(`${path}:${line}: `), e.message);
    assert.match(e.message, reason);
    assert.match(e.message, /skipBadRows/);
  });
}

bad('mooncake: bad JSON, missing key, negative length', async () => {
  const ok = '{"timestamp": 0, "input_length": 600, "output_length": 3, "hash_ids": [1, 2]}\n';
  const broken: [string, RegExp][] = [
    ['{"timestamp": 3000, "input_length": 5', /not a JSON object/],
    ['{"timestamp": 3000, "output_length": 5}', /missing key 'input_length'/],
    ['{"timestamp": 3000, "input_length": -1, "output_length": 5}', /input_length is -1/],
    ['{"timestamp": "soon", "input_length": 1, "output_length": 5}', /timestamp is "soon"/],
    ['{"timestamp": 3000, "input_length": 1, "output_length": 5, "hash_ids": "x"}', /hash_ids/],
  ];
  for (const [i, [line, reason]] of broken.entries()) {
    const path = file(`m${i}.jsonl`, ok + line + '\n');
    const e = await failure(path);
    assert.is(e.line, 2);
    assert.match(e.message, reason);
  }
  // Dropping hash ids also skips checking them.
  const path = file('m-drop.jsonl', ok + broken[4]?.[0] + '\n');
  assert.is((await all(path, { dropHashIds: true })).length, 2);
});

bad('skipBadRows: bad rows are skipped and counted, samples name the lines', async () => {
  const text = AZURE_HEAD + row(1, 10, 5) + row(2, 'x', 5) + row(3, 11, 6) + row(0, 1, 1) + '\n' + row(4, 12, -7) + row(5, 13, 8);
  const path = file('skip.csv', text);
  const h = openTrace(path, { skipBadRows: true });
  const rs: TraceRequest[] = [];
  for await (const r of h.stream) rs.push(r);
  assert.equal(rs.map((r) => r.input), [10, 11, 13]);
  assert.equal(rs.map((r) => r.arrival), [0, 2, 4]);
  assert.is(h.stats.badRows, 3);
  assert.is(h.stats.rowsRead, 6); // the blank line is not a row
  assert.is(h.stats.requests, 3);
  assert.ok(h.stats.done);
  assert.equal(h.stats.badRowSamples.map((s) => Number(s.slice(path.length + 1).split(':')[0])), [3, 5, 7]);
  // A second pass resets and recounts.
  let n = 0;
  for await (const _ of h.stream) n++;
  assert.is(n, 3);
  assert.is(h.stats.badRows, 3);
});

const formats = suite('formats');

formats('a length-only CSV is refused as a timed trace, with how to use it', async () => {
  const path = file('lengths.csv', 'num_prefill_tokens,num_decode_tokens,num_total_tokens,pd_ratio\n10,5,15,2.0\n');
  try {
    openTrace(path);
    assert.unreachable('opened');
  } catch (e) {
    assert.instance(e, NoTimestampsError);
    assert.match((e as Error).message, /has no timestamps/);
    assert.match((e as Error).message, /length source/);
    assert.match((e as Error).message, /loadLengths/);
  }
  const t = await loadLengths(path);
  assert.equal([...t.input], [10]);
  assert.equal([...t.output], [5]);
});

formats('unknown header and forced format mismatches fail at line 1', async () => {
  const odd = file('odd.csv', 'when,prompt,answer\n1,2,3\n');
  try {
    openTrace(odd);
    assert.unreachable('opened');
  } catch (e) {
    assert.instance(e, TraceFormatError);
    assert.is((e as TraceFormatError).line, 1);
    assert.match((e as Error).message, /TIMESTAMP,ContextTokens,GeneratedTokens/);
  }
  const vidur = file('v.csv', 'arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,10,5\n1.5,20,6\n');
  assert.throws(() => openTrace(vidur, { format: 'azure' }), /lacks column\(s\) TIMESTAMP, ContextTokens, GeneratedTokens/);
  assert.throws(() => openTrace(vidur, { format: 'lengths' }), (e: Error) => e instanceof NoTimestampsError);
  assert.equal((await all(vidur, { format: 'vidur' })).map((r) => r.arrival), [0, 1.5]);
});

formats('columns in any order, extra columns, CRLF line ends, BOM and gzip are fine', async () => {
  const text = '\ufeffnum_decode_tokens,extra,arrived_at,num_prefill_tokens\r\n5,x,10.0,100\r\n6,y,10.25,200\r\n';
  const plain = file('order.csv', text);
  const gz = file('order.csv.gz', gzipSync(text));
  const want = [
    { id: 0, arrival: 0, input: 100, output: 5 },
    { id: 1, arrival: 0.25, input: 200, output: 6 },
  ];
  assert.equal(await all(plain), want);
  assert.equal(await all(gz), want);
});

formats('a truncated gzip fails as a TraceFormatError naming the file', async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => `{"timestamp": ${i}, "input_length": ${i}, "output_length": 1}`).join('\n');
  const whole = gzipSync(lines);
  const path = file('cut.jsonl.gz', whole.subarray(0, whole.length >> 1));
  const e = await failure(path);
  assert.is(e.file, path);
  assert.match(e.message, /cannot read the file/);
});

formats.after(() => rmSync(dir, { recursive: true, force: true }));

bad.run();
formats.run();
