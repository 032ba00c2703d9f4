export { fileSystem, fileSystemWith } from './file_system.js';
export { nodeFileOps, type FileOps, type WritableFile } from './file_ops.js';
