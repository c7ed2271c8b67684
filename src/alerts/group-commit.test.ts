import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('writes requests that wait behind a write together, each answered with its own slice', async () => {
    const groups: number[][] = [];
    const batcher = new GroupCommit<number, string>(
      async (items) => {
        groups.push(items);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return items.map((item) => `r${item}`);
      },
      { maxItems: 3, concurrency: 1 },
    );
    const answers = await Promise.all([
      batcher.submit([1]),
      batcher.submit([2, 3]),
      batcher.submit([4]),
      batcher.submit([5]),
    ]);
    expect(answers).toEqual([['r1'], ['r2', 'r3'], ['r4'], ['r5']]);
    // The first runs alone; the rest waited and are grouped up to maxItems, in arrival order.
    expect(groups).toEqual([[1], [2, 3, 4], [5]]);
  });

  it("reruns a failed group request by request, so one request's error is not another's answer", async () => {
    const batcher = new GroupCommit<number, number>(
      async (items) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (items.includes(13)) throw new Error('13 refused');
        return items;
      },
      { maxItems: 10, concurrency: 1 },
    );
    const results = await Promise.allSettled([
      batcher.submit([1]),
      batcher.submit([2]),
      batcher.submit([13]),
      batcher.submit([4]),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      [1],
      [2],
      '13 refused',
      [4],
    ]);
  });
});
