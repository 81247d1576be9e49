// `npm run test:matrix`: the slow whole-matrix checks (every built-in target's expect map, the Prisma
// cells, the full-size twins of seed sweeps that `npm test` runs smaller), named `*.matrix.test.ts`.
import { defineConfig } from 'vitest/config';
import base, { MATRIX_TESTS } from './vitest.config.js';

// Spread, not mergeConfig: mergeConfig concatenates arrays, and `include`/`exclude` must be replaced.
export default defineConfig({
  ...base,
  test: { ...base.test, include: [MATRIX_TESTS], exclude: ['node_modules/**', 'reports/runs/**'] },
});
