// The browser entry point (package.json exports, condition "browser", and the default
// for runtimes that are not Node): the public API of src/index.ts, the one list every
// entry point re-exports. Bundled by esbuild into dist/wann.browser.js with
// --define:WANN_BROWSER=true, which leaves out Node's file system (src/node-io.ts).

import * as api from './index.js';

export * from './index.js';

// Minifying renames classes, and messages name them (`this ${this.constructor.name} was
// disposed`): the exported classes get their names back here. Cheaper than esbuild's
// --keep-names (~1 KB gzipped), which the bundle budget (test/package.test.ts) cannot spare.
for (const [name, value] of Object.entries(api)) {
  if (typeof value === 'function' && /^[A-Z]/.test(name) && value.name !== name) Object.defineProperty(value, 'name', { value: name });
}
