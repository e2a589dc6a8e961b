#!/usr/bin/env node
// Entry point: load the compiled CLI and hand it the process. Kept tiny so start-up stays fast.
import { runFromProcess } from '../dist/cli/main.js';

await runFromProcess();
