// The browser entry point (package.json exports, condition "browser", and the default
// for runtimes that are not Node): the public API of src/index.ts, the one list every
// entry point re-exports. Bundled by esbuild into dist/wann.browser.js with
// --define:WANN_BROWSER=true, which leaves out Node's file system (src/node-io.ts).

export * from './index.js';
