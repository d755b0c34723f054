#!/usr/bin/env node
// The `omps` executable: the compiled command line (`npm run build` writes dist/).
import '../dist/src/infrastructure/cli/main.js';
