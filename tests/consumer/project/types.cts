// Type-checked with moduleResolution nodenext (CommonJS): the exports map's `require` types.
import gc = require('gancompress');

const backend: Promise<string> = gc.initBackend('cpu');
export = backend;
