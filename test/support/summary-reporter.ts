import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Writes .test-results/summary.json (counts, and how many tests ran on PostgreSQL)
 * for scripts/test.mjs, which prints the closing `N passed, N failed` line and lets
 * .ci/run check that the PostgreSQL half really ran.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let postgres = 0;
    const skippedReasons = new Set<string>();
    let brokenModules = 0;
    for (const mod of modules) {
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) brokenModules++;
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state === 'passed') passed++;
        else if (result.state === 'failed') failed++;
        else {
          skipped++;
          const note = 'note' in result ? result.note : undefined;
          if (note) skippedReasons.add(note);
        }
        if (result.state === 'passed' && /postgres/i.test(test.fullName)) postgres++;
      }
    }
    const dir = path.resolve('.test-results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'summary.json'),
      JSON.stringify(
        {
          passed,
          failed: failed + brokenModules + errors.length,
          skipped,
          postgres,
          skippedReasons: [...skippedReasons],
        },
        null,
        2,
      ),
    );
  }
}
