import { describe, expect, it } from 'vitest';
import { runChaos } from '../../scripts/chaos.js';
import { dialects } from '../helpers/test-store.js';

// `casebridge serve` as a child process, killed with SIGKILL several times while deliveries are
// enqueued and run (scripts/chaos.ts; `npm run chaos -- --deliveries 10000` for a larger run).
describe.each(dialects)('delivery queue crash test on %s', (dialect) => {
  it('loses nothing and creates no ticket twice across SIGKILLs', { timeout: 120_000 }, async () => {
    const report = await runChaos({ dialect, deliveries: 400, kills: 3 });
    expect(report.restarts).toBe(3);
    expect(report.succeeded).toBe(400);
    expect(report.dead).toBe(0);
    expect(report.tickets).toBe(400);
    // At-least-once: a delivery in flight at a kill may reach the target again after the
    // restart; the target's correlation lookup keeps it to one ticket.
    expect(report.requests).toBeGreaterThanOrEqual(400);
  });
});
