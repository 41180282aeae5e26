/**
 * What keeps a committed notebook from being clean: outputs and execution counts (they belong
 * in executed copies, not in git), or a kernel other than tslab.
 */
interface Cell {
  readonly cell_type: string;
  readonly outputs?: readonly unknown[];
  readonly execution_count?: number | null;
}

export interface Notebook {
  readonly cells: readonly Cell[];
  readonly metadata?: { readonly kernelspec?: { readonly name?: string } };
}

export function uncleanParts(nb: Notebook): string[] {
  const problems = nb.cells.flatMap((c, i) => [
    ...((c.outputs?.length ?? 0) > 0 ? [`cell ${i} has ${c.outputs!.length} output(s)`] : []),
    ...(c.execution_count != null ? [`cell ${i} has execution count ${c.execution_count}`] : []),
  ]);
  const kernel = nb.metadata?.kernelspec?.name;
  return kernel === 'tslab' ? problems : [...problems, `kernelspec is '${kernel ?? 'missing'}', not 'tslab'`];
}
