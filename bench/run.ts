import { writeFileSync } from 'node:fs';
import { benchFoundation } from './foundation.js';
import type { Bench, BenchSection } from './types.js';

/**
 * `npm run bench [-- name …] [-- --write]`: runs the benchmarks one after another (never in
 * parallel: they would measure each other) and prints each section as a Markdown table.
 * `--write FILE` also writes the tables to FILE for pasting into docs/benchmarks.md.
 */
const benches: Record<string, () => Promise<Bench>> = {
  foundation: async () => benchFoundation,
  'servicenow-simulator': async () => (await import('./servicenow-simulator.js')).benchServiceNowSimulator,
  'servicenow-connectors': async () => (await import('./servicenow-connectors.js')).benchServiceNowConnectors,
  'delivery-queue': async () => (await import('./delivery-queue.js')).benchDeliveryQueue,
  alerts: async () => (await import('./alerts.js')).benchAlerts,
  cases: async () => (await import('./cases.js')).benchCases,
};

function toMarkdown(section: BenchSection): string {
  const lines = [
    `### ${section.title}`,
    '',
    '| measure | value | ratio to baseline | target | met |',
    '|---|---|---|---|---|',
  ];
  for (const row of section.rows) {
    const met = row.met === undefined ? '' : row.met ? 'yes' : '**no**';
    lines.push(
      `| ${row.name} | ${row.value} ${row.unit} | ${row.ratio ?? ''} | ${row.target ?? ''} | ${met} |`,
    );
  }
  for (const note of section.notes ?? []) lines.push('', `- ${note}`);
  return `${lines.join('\n')}\n`;
}

const args = process.argv.slice(2);
const writeIndex = args.indexOf('--write');
const output = writeIndex === -1 ? undefined : args[writeIndex + 1];
const names = args.filter(
  (arg, index) => !arg.startsWith('--') && (writeIndex === -1 || index !== writeIndex + 1),
);
const selected = names.length > 0 ? names : Object.keys(benches);
const header = `Run on ${new Date().toISOString()}, Node ${process.version}, ${process.platform}/${process.arch}.\n`;
const parts: string[] = [header];
console.log(header);
for (const name of selected) {
  const load = benches[name];
  if (!load) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  const section = await (await load())();
  const markdown = toMarkdown(section);
  parts.push(markdown);
  console.log(markdown);
}
if (output) writeFileSync(output, parts.join('\n'));
