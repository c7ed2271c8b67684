#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled TypeScript (npm run build).
import { runCli } from '../dist/src/cli/main.js';

await runCli(process.argv);
