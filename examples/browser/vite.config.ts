/** Vite config of the browser example: see config.ts. */
import { browserConfig } from './config.js';

export default browserConfig();
