#!/usr/bin/env node
'use strict';
// Built by `npm run build` (npm start and npm test build first).
require('../dist/millrace.cjs');
