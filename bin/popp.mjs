#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npm install` is all a user needs.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
