import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkGuide } from './helpers/doc-snippets.ts';

/**
 * docs/adding-a-strategy.md: every ```ts block compiles with the repository's tsconfig, as the
 * file its first line names (the worked example as src/strategies/<name>.ts), against today's
 * strategy surface. A field renamed in src/strategies/types.ts fails here until the guide follows.
 */
const repo = fileURLToPath(new URL('..', import.meta.url));

test('the ts snippets of the strategy guide typecheck', () => {
  const { blocks, errors } = checkGuide(repo, 'docs/adding-a-strategy.md', 'src/strategies');
  assert.ok(blocks >= 2, `found ${blocks} ts blocks`);
  assert.equal(errors, [], errors.join('\n'));
});

test.run();
