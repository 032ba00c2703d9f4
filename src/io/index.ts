export { fileSystem, fileSystemWith, nodeFileOps } from './file_system.js';
export type { FileOps, WritableFile } from './file_ops.js';
export { writeFileAtomic } from './write_file_atomic.js';
