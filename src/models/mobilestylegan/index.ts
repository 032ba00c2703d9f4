export {
  MobileSynthesisNetwork,
  MOBILE_STYLEGAN_CHANNELS,
  mobileSynthesisStyleCount,
} from './mobile_synthesis_network.js';
export {
  StyleGan2SynthesisNetwork,
  STYLEGAN2_CONFIG_F_CHANNELS,
  styleGan2StyleCount,
} from './stylegan2_synthesis_network.js';
export { MappingNetwork, type MappingNetworkOptions } from './mapping_network.js';
export type { SynthesisNetworkOptions, StyleMode } from './options.js';
