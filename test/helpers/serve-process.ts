import { spawn, type ChildProcess } from 'node:child_process';

const bin = new URL('../../bin/casebridge.js', import.meta.url).pathname;

/**
 * Runs the compiled `casebridge` bin as a user would and waits until its stdout has printed a
 * line for every pattern (each with one capture group), e.g. the address `serve` listens on.
 * Rejects with what it printed if the process exits first.
 */
export async function startCliProcess<K extends string>(
  args: string[],
  env: Record<string, string>,
  wait: Record<K, RegExp>,
): Promise<{ child: ChildProcess; found: Record<K, string> }> {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
  const found = await new Promise<Record<K, string>>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const entries = Object.entries<RegExp>(wait).map(([name, pattern]) => [name, pattern.exec(out)?.[1]]);
      if (entries.every(([, value]) => value !== undefined))
        resolve(Object.fromEntries(entries) as Record<K, string>);
    });
    child.once('exit', (code) =>
      reject(new Error(`casebridge ${args.join(' ')} exited with ${code}: ${out}`)),
    );
  });
  return { child, found };
}

/** The line `serve` prints once it listens. */
export const LISTENING = /listening on (http:\/\/\S+)/;
/** The line `serve --demo` prints for its simulator. */
export const DEMO_SIMULATOR = /ServiceNow simulator at (http:\/\/\S+)/;
