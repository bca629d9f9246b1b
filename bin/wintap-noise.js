#!/usr/bin/env node
// The `wintap-noise` command: TypeScript sources run through tsx, so it works right after `npm install`.
require('tsx/cjs');
require('../cli/main.ts');
