// Imports this project's ESM TypeScript modules into a tslab kernel (see README.md here).
// tslab compiles each cell to CommonJS and runs it with vm, where import() of an ES module is
// unavailable; this file is a real CommonJS module, so its import() works. It registers tsx's
// ESM loader once in the kernel process, then imports the module (path relative to this folder).
const path = require('node:path');
const { pathToFileURL } = require('node:url');

let registered;

module.exports = async function importTs(specifier) {
  registered ??= import('tsx/esm/api').then((tsx) => tsx.register());
  await registered;
  return import(pathToFileURL(path.resolve(__dirname, specifier)).href);
};
