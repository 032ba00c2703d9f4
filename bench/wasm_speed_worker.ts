/**
 * A benchmark process for bench/wasm_speed.bench.ts: sets up the wasm backend with the thread
 * count given as its argument, then times the cases the parent asks for over IPC, one request
 * at a time ({ id, case, minTotalMs } → { id, ms } or { id, error }). The thread count of a
 * wasm backend is fixed when it starts, so each count gets its own process and the parent
 * alternates between them round by round.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../src/backend/index.js';
import { replacedWasmKernel } from '../src/backend/wasm_kernel_registry.js';
import { setSubnet } from '../src/graph/index.js';
import { instanceNorm, pad2d } from '../src/layers/common/index.js';
import { resnetConfigFromString, ResnetGenerator, SuperMobileResnetGenerator } from '../src/models/index.js';
import { extractSubnet } from '../src/nas/index.js';
import type { LatencyResult } from '../src/metrics/latency.js';
import { medianMs } from './harness.js';

/** The student of the issue: GAN Compression's 16_16_32_16_32_32_16_16 at 256². */
export const STUDENT_CONFIG = '16_16_32_16_32_32_16_16';

/** A request from the parent. */
export interface WorkerRequest {
  id: number;
  case: string;
  minTotalMs: number;
}

/** A reply to the parent. */
export type WorkerReply = { id: number; ms: number } | { id: number; error: string } | { ready: true; threads: number };

type Case = () => LatencyResult;

/** Runs the package's own kernel (replaced by the library's) on the same inputs. */
function packageKernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor {
  const config = replacedWasmKernel(name);
  if (config == null) throw new Error(`no replaced '${name}' kernel`);
  const out = config.kernelFunc({ inputs, backend: tf.backend(), attrs }) as tf.TensorInfo;
  return tf.engine().makeTensorFromTensorInfo(out);
}

/** The instance norm + ReLU as the chain of tfjs ops the library ran before its fused kernel. */
function normChain(x: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    return tf.relu(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))));
  });
}

function inference(model: tfl.LayersModel, size: number): Case {
  const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 1);
  return () => model.predict(x);
}

function trainingStep(): Case {
  const model = SuperMobileResnetGenerator({ ngf: 64 }); // full width: the supernet's largest sub-network
  const x = tf.randomUniform([4, 64, 64, 3], -1, 1, 'float32', 2);
  const target = tf.randomUniform([4, 64, 64, 3], -1, 1, 'float32', 3);
  const optimizer = tf.train.adam(2e-4, 0.5, 0.999);
  const variables = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const loss = (): tf.Scalar =>
    tf.mean<tf.Scalar>(tf.abs(tf.sub(model.apply(x, { training: true }) as tf.Tensor, target)));
  return () => void tf.tidy(() => void optimizer.minimize(loss, false, variables));
}

function singleConv(): { predict: Case; execute: Case } {
  const input = tfl.input({ shape: [64, 64, 256] });
  const output = tfl.layers.conv2d({ filters: 256, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output });
  const x = tf.randomNormal([1, 64, 64, 256], 0, 1, 'float32', 4);
  return { predict: () => model.predict(x), execute: () => model.execute(x, output.name) };
}

function kernelCases(): Record<string, Case> {
  const x = tf.randomNormal<tf.Rank.R4>([1, 64, 64, 256], 0, 1, 'float32', 5);
  const w = tf.randomNormal([1, 64, 64, 256], 0, 1, 'float32', 6);
  const small = tf.randomNormal<tf.Rank.R4>([1, 256, 256, 16], 0, 1, 'float32', 7);
  const bias = tf.randomNormal([4, 64, 64, 64], 0, 1, 'float32', 8);
  const weights = tf.randomNormal([3, 3, 256, 256], 0, 1, 'float32', 9);
  const lossOf = (f: (v: tf.Tensor4D) => tf.Tensor) => (): tf.Tensor =>
    tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v as tf.Tensor4D), w)))(x);
  const fused = (v: tf.Tensor4D): tf.Tensor => tf.relu(instanceNorm(v));
  const sliceAttrs = { begin: [0, 0, 0, 0], size: [3, 3, 128, 128] };
  return {
    'norm-fused': () => fused(x),
    'norm-chain': () => normChain(x),
    'norm-fused-small': () => fused(small),
    'norm-chain-small': () => normChain(small),
    'norm-grad-fused': lossOf(fused),
    'norm-grad-chain': lossOf(normChain),
    'predict-slice-ours': () => tf.slice(x, [0, 0, 0, 0], x.shape),
    'predict-slice-package': () => packageKernel('Slice', { x }, { begin: [0, 0, 0, 0], size: x.shape }),
    'weight-slice-ours': () => tf.slice(weights, sliceAttrs.begin, sliceAttrs.size),
    'weight-slice-package': () => packageKernel('Slice', { x: weights }, sliceAttrs),
    'bias-grad-ours': () => tf.sum(bias, [0, 1, 2]),
    'bias-grad-package': () => packageKernel('Sum', { x: bias }, { axis: [0, 1, 2], keepDims: false }),
    'pad-grad': () => tf.grad((v: tf.Tensor) => tf.sum(pad2d(v as tf.Tensor4D, 1, 'reflect')))(x),
  };
}

async function main(): Promise<void> {
  const threads = Number(process.argv[2] ?? 1);
  await initBackend('wasm', { threads });
  tf.enableProdMode();
  const factories: Record<string, () => Case> = {
    teacher: () => inference(ResnetGenerator({ ngf: 64 }), 256),
    student: () => {
      const supernet = SuperMobileResnetGenerator({ ngf: 64 });
      const student = extractSubnet(supernet, resnetConfigFromString(STUDENT_CONFIG));
      supernet.dispose();
      return inference(student, 256);
    },
    supernet: () => {
      const supernet = SuperMobileResnetGenerator({ ngf: 64 });
      setSubnet(supernet, resnetConfigFromString(STUDENT_CONFIG));
      return inference(supernet, 256);
    },
    train: trainingStep,
    'conv-predict': () => singleConv().predict,
    'conv-execute': () => singleConv().execute,
  };
  const built = new Map<string, Case>();
  let kernels: Record<string, Case> | null = null;
  const get = (name: string): Case => {
    const cached = built.get(name);
    if (cached != null) return cached;
    let made: Case | undefined;
    if (name in factories) made = (factories[name] as () => Case)();
    else made = (kernels ??= kernelCases())[name];
    if (made == null) throw new Error(`unknown case '${name}'`);
    built.set(name, made);
    return made;
  };
  process.on('message', (message: WorkerRequest) => {
    void (async () => {
      let reply: WorkerReply;
      try {
        const ms = await medianMs(get(message.case), {
          warmup: 1,
          minRuns: 3,
          maxRuns: 100,
          minTotalMs: message.minTotalMs,
        });
        reply = { id: message.id, ms };
      } catch (e) {
        reply = { id: message.id, error: (e as Error).message };
      }
      process.send?.(reply);
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true, threads: getThreadsCount() } satisfies WorkerReply);
}

// Only as a forked worker: wasm_speed.bench.ts imports this module for STUDENT_CONFIG, and a second backend
// started inside the bench process would take its threads.
if (process.send != null && process.argv[1] != null && /wasm_speed_worker\.ts$/.test(process.argv[1])) void main();
