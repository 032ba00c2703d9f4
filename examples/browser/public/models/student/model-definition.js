// UpscalerJS model definition of the model in "model.json", written by gancompress.
// Use: import definition from './model-definition.js'; new Upscaler({ model: definition })
// Registers plain-tfjs versions of the custom layers the model holds (written by gancompress).
const setup = (tf) => {
  class PixelShuffle extends tf.layers.Layer {
    constructor(config) { super(config); this.scale = config.scale; }
    computeOutputShape(s) { const r = this.scale; return [s[0], s[1] == null ? null : s[1] * r, s[2] == null ? null : s[2] * r, s[3] / (r * r)]; }
    call(inputs) { return tf.depthToSpace(Array.isArray(inputs) ? inputs[0] : inputs, this.scale, 'NHWC'); }
    getConfig() { return { ...super.getConfig(), scale: this.scale }; }
  }
  PixelShuffle.className = 'PixelShuffle';
  class ReflectionPad2d extends tf.layers.Layer {
    constructor(config) { super(config); const p = config.padding; this.pads = typeof p === 'number' ? [p, p, p, p] : p; }
    computeOutputShape(s) { const [t, b, l, r] = this.pads; return [s[0], s[1] == null ? null : s[1] + t + b, s[2] == null ? null : s[2] + l + r, s[3]]; }
    call(inputs) { const [t, b, l, r] = this.pads; return tf.mirrorPad(Array.isArray(inputs) ? inputs[0] : inputs, [[0, 0], [t, b], [l, r], [0, 0]], 'reflect'); }
    getConfig() { return { ...super.getConfig(), padding: this.pads }; }
  }
  ReflectionPad2d.className = 'ReflectionPad2d';
  if (tf.serialization.SerializationMap.getMap().classNameMap['PixelShuffle'] == null) tf.serialization.registerClass(PixelShuffle);
  if (tf.serialization.SerializationMap.getMap().classNameMap['ReflectionPad2d'] == null) tf.serialization.registerClass(ReflectionPad2d);
};

export default {
  "scale": 4,
  "modelType": "layers",
  "path": "model.json",
  "inputRange": [
    0,
    1
  ],
  "outputRange": [
    0,
    1
  ],
  "meta": {
    "name": "gancompress student of @upscalerjs/esrgan-thick",
    "config": "trunk 56, hidden 16/24/48/24/48/24/16/16",
    "gmacsAt32": 0.253,
    "testPsnr": 27.1
  },
  setup,
};
