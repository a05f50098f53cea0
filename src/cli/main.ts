import { runCli } from './run.js';

// The `mainstay` command (bin/mainstay.mjs imports the built copy of this file).
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
});
