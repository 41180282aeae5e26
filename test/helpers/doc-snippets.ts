import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Typechecks the fenced ```ts blocks of a Markdown guide as if each were a file at the place the
 * guide says it lives (so its relative imports resolve against the real source tree), with the
 * repository's tsconfig. A block whose first line is a comment naming a path (`// src/x/y.ts`)
 * is that file, and other blocks may import it; any other block is a module of its own in the
 * folder the caller names. Nothing is written to disk. Returns one message per diagnostic,
 * naming the line of the guide.
 */
export interface Snippet {
  /** Line of the opening fence in the guide, 1-based. */
  readonly line: number;
  readonly text: string;
  /** The repository path the block stands for, when its first line names one. */
  readonly file?: string;
}

/** The ```ts blocks of `markdown`, in order. */
export function tsBlocks(markdown: string): Snippet[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => {
    const file = /^\/\/ ([\w./-]+\.ts)\n/.exec(m[1]!)?.[1];
    return { line: markdown.slice(0, m.index).split('\n').length, text: m[1]!, ...(file ? { file } : {}) };
  });
}

export function typecheckSnippets(repo: string, snippets: readonly Snippet[], dir: string, guide: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(repo, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error(`cannot read ${path.join(repo, 'tsconfig.json')}`);
  const virtual = new Map(snippets.map((s) => [path.join(repo, s.file ?? path.join(dir, `guide-snippet-line-${s.line}.ts`)), s]));
  for (const f of virtual.keys()) if (ts.sys.fileExists(f)) throw new Error(`${guide}: a snippet stands for ${path.relative(repo, f)}, which exists; name a new file`);
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(path.resolve(f)) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(path.resolve(f))?.text ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const s = virtual.get(path.resolve(f));
    return s ? ts.createSourceFile(f, s.text, lang) : getSourceFile.call(host, f, lang, ...rest);
  };
  const program = ts.createProgram([...virtual.keys()], config.options, host);
  const diagnostics = [...virtual.keys()].flatMap((f) => {
    const source = program.getSourceFile(f)!;
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  });
  return diagnostics.map((d) => {
    const s = d.file ? virtual.get(path.resolve(d.file.fileName)) : undefined;
    const where = s && d.start !== undefined ? `${guide}:${s.line + 1 + d.file!.getLineAndCharacterOfPosition(d.start).line}` : guide;
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** Reads `guide` (relative to `repo`) and typechecks its ```ts blocks as files in `dir`. */
export function checkGuide(repo: string, guide: string, dir: string): { blocks: number; errors: string[] } {
  const snippets = tsBlocks(readFileSync(path.join(repo, guide), 'utf8'));
  return { blocks: snippets.length, errors: typecheckSnippets(repo, snippets, dir, guide) };
}
