export { withSubnet } from './with_subnet.js';
export { checkSubnet } from './subnet.js';
export { flattenModel } from './flat_graph.js';
export {
  type SubnetConfig,
  getSubnet,
  setSubnet,
  getElasticLayers,
  maxSubnet,
  minSubnet,
  type SubnetChoices,
} from './subnet.js';
export { channelGraph, type ChannelLink, type ChannelSpace, type SpaceMember } from './channel_graph.js';
