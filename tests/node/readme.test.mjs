// The README's ten-line Node example (tests/node/readme-example.mjs), run
// as it stands: copied next to the built synack.mjs and synack.wasm in a
// temporary folder and started with node. It must echo its line and exit 0.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));

test('the README Node example runs and echoes its line', { timeout: 60_000 }, async () => {
  const built = dirname(process.env.SYNACK_JS);
  const dir = mkdtempSync(join(tmpdir(), 'synack-readme-'));
  try {
    for (const f of ['synack.mjs', 'synack.wasm']) copyFileSync(join(built, f), join(dir, f));
    copyFileSync(join(here, 'readme-example.mjs'), join(dir, 'example.mjs'));
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'example.mjs')],
      { timeout: 30_000 });
    assert.equal(stdout, 'hello over synack\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
