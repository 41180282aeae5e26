# nbconvert config used by scripts/notebooks.ts (passed with --config). tslab reports a failing
# cell only on its stderr stream, with an empty error name, so nbconvert's own message says
# nothing; this hook prints the failing cell's index, source and output as one JSON line.
import json
import sys


def report_cell_error(cell, cell_index, execute_reply):
    output = ''.join(o.get('text', '') for o in cell.get('outputs', []) if o.get('output_type') == 'stream')
    content = execute_reply.get('content', {})
    output += ''.join(content.get('traceback', [])) or content.get('evalue', '')
    line = json.dumps({'cell': cell_index, 'source': cell.get('source', ''), 'output': output})
    sys.stderr.write('shiftlab-cell-error: ' + line + '\n')


c.ExecutePreprocessor.on_cell_error = report_cell_error  # noqa: F821 (c is the traitlets config)
