#!/usr/bin/env node
// The specgate command. The sources are TypeScript run through tsx's loader, so the command
// works straight after `npm ci` with no build step (see README, "How TypeScript runs").
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../generator/cli.ts');
process.exitCode = await main(process.argv.slice(2));
