import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { ConfigError, type LocatedIssue } from './errors.ts';
import type { KeyIssue } from '../../util/issues.ts';

/** A parsed YAML config that can say on which line a key path is written. */
export interface ConfigSource {
  readonly file: string;
  readonly data: unknown;
  /** Adds the line and column of the deepest node of `issue.path` written in the file. */
  locate(issue: KeyIssue): LocatedIssue;
}

/** Reads and parses a YAML file; a syntax error is a ConfigError at its line. */
export function readConfigSource(file: string): ConfigSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: [], message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` }]);
  }
  return parseConfigText(file, text);
}

function parseConfigText(file: string, text: string): ConfigSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return { path: [], message: `YAML syntax: ${e.message.split('\n')[0]}`, line: at.line, col: at.col };
      }),
    );
  }
  const at = (offset: number): { line: number; col: number } => lines.linePos(offset);
  return {
    file,
    data: doc.toJS() as unknown,
    locate(issue) {
      const offset = offsetOf(doc.contents as Node | null, issue.path);
      return offset === undefined ? issue : { ...issue, ...at(offset) };
    },
  };
}

/** Offset of the key (or item) deepest along `path` that exists in the document. */
function offsetOf(root: Node | null, path: readonly (string | number)[]): number | undefined {
  let node: unknown = root;
  let offset = root?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
      node = node.items[key];
      offset = (node as Node).range?.[0] ?? offset;
    } else break;
  }
  return offset;
}
