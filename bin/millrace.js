#!/usr/bin/env node
'use strict';
// The command is bundled into dist/ by `npm run build` (npm install, npm start and npm test build it).
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '../dist/millrace.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write(`millrace: ${bundle} is not built yet; run \`npm run build\` in ${path.dirname(__dirname)}\n`);
  process.exit(1);
}
require(bundle);
