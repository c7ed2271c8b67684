import { readFileSync } from 'node:fs';
import { CliError } from './errors.js';

/** Reads a JSON object from `--file <path>` (`-` for stdin) or an inline `--json` string. */
export function readJsonInput(options: { file?: string; json?: string }): Record<string, unknown> {
  let text: string;
  let source: string;
  if (options.json !== undefined) {
    text = options.json;
    source = '--json';
  } else if (options.file !== undefined) {
    source = options.file === '-' ? 'stdin' : options.file;
    try {
      text = readFileSync(options.file === '-' ? 0 : options.file, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, 2);
    }
  } else {
    throw new CliError('give the JSON body with --file <path> (- for stdin) or --json <text>', 2);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source} is not valid JSON: ${(error as Error).message}`, 2);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(`${source} must hold a JSON object`, 2);
  }
  return parsed as Record<string, unknown>;
}
