#!/usr/bin/env node
// The `agentcol` command: the full distribution. TypeScript sources run through tsx's loader,
// registered here so `npx agentcol`, `npm start` and a global install all behave the same.
import { register } from 'tsx/esm/api';

register();
await import('../distributions/agentcol/main.ts');
