export { getElasticLayers, getSubnet, setSubnet, maxSubnet, minSubnet, type SubnetConfig, type SubnetChoices } from './subnet.js';
