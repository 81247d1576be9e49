#!/usr/bin/env node
import { runCli } from './run-cli.js';

// A reader that went away (a pipe closed, the parent gone) must not abort the clean-up with EPIPE.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
// The exit code is the contract (0/1/2/3): set it and let pending output flush.
const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
process.exitCode = code;
// A target may leave timers or sockets behind (a hung call); the run is over, so leave anyway.
setTimeout(() => process.exit(code), 500).unref();
