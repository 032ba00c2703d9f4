export { PatchGanDiscriminator, type PatchGanNorm, type PatchGanOptions } from './patchgan_discriminator.js';
