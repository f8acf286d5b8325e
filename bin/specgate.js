#!/usr/bin/env node
// The specgate command. The sources are TypeScript run through tsx's loader, so the command
// works straight after `npm ci` with no build step (see README, "How TypeScript runs").
import { register } from 'tsx/esm/api';

register();
// A closed pipe (`specgate validate … | head`) is the reader's choice, not an error of ours.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import('../generator/cli.ts');
process.exitCode = await main(process.argv.slice(2));
