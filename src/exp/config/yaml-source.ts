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
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : (code ?? (e as Error).message);
    throw new ConfigError(file, [{ path: [], message: `cannot read the config (${why})` }]);
  }
  return parseConfigText(file, text);
}

function parseConfigText(file: string, text: string): ConfigSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(file, syntaxIssues(text, doc.errors.map((e) => ({ message: e.message, ...lines.linePos(e.pos[0]) }))));
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

/**
 * The YAML errors worth reading: those on the first error's line (the parser's later errors
 * are mostly its attempts to recover from the first), a count of the rest, and a hint where a
 * `${var}` placeholder stands unquoted inside a flow collection, the usual cause.
 */
function syntaxIssues(text: string, errors: readonly { message: string; line: number; col: number }[]): LocatedIssue[] {
  const first = errors.filter((e) => e.line === errors[0]!.line).slice(0, 3);
  const rest = errors.length - first.length;
  const more = rest > 0 ? ` (and ${rest} more YAML error${rest === 1 ? '' : 's'} after this line, most likely caused by this one)` : '';
  const issues: LocatedIssue[] = first.map((e, i) => ({ path: [], message: `YAML syntax: ${e.message.split('\n')[0]}${i === first.length - 1 ? more : ''}`, line: e.line, col: e.col }));
  const p = unquotedFlowPlaceholder(text);
  if (p) {
    issues.push({
      path: [],
      line: p.line,
      col: p.col,
      message: `hint: the placeholder ${p.text} stands unquoted inside { } or [ ], where YAML reads its '{' as the start of a mapping; quote it, '${p.text}' (the value still takes the variable's type), or write that mapping in block style`,
    });
  }
  return issues;
}

/** The first `${...}` outside quotes within a flow collection ({ } or [ ]), with its 1-based line and column. */
export function unquotedFlowPlaceholder(text: string): { line: number; col: number; text: string } | undefined {
  let depth = 0;
  const lines = text.split('\n');
  for (let l = 0; l < lines.length; l++) {
    const s = lines[l]!;
    let quote: string | undefined;
    for (let c = 0; c < s.length; c++) {
      const ch = s[c]!;
      if (quote !== undefined) {
        if (ch === quote) quote = undefined;
      } else if (ch === "'" || ch === '"') quote = ch;
      else if (ch === '#' && (c === 0 || /\s/.test(s[c - 1]!))) break;
      else if (ch === '$' && s[c + 1] === '{') {
        if (depth > 0) return { line: l + 1, col: c + 1, text: /^\$\{[^}\s]*\}?/.exec(s.slice(c))![0] };
        c++;
      } else if (ch === '{' || ch === '[') depth++;
      else if ((ch === '}' || ch === ']') && depth > 0) depth--;
    }
  }
  return undefined;
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
