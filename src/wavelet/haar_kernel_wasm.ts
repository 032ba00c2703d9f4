import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackend } from '../backend/index.js';
import { kernelInput } from './haar_kernel_input.js';
import { haarLoop, type HaarDirection } from './haar_pass.js';
import { haarKernelOver, kernelArguments } from './haar_wasm_module.js';

/**
 * The wasm backend with the emscripten module's memory: exported as `asm.memory` by the
 * single-threaded builds, kept as `wasmMemory` by the threaded ones (which import it).
 */
type HeapBackend = WasmBackend & { wasm: { asm?: { memory?: unknown }; wasmMemory?: unknown } };

/** Which implementation the wasm kernels use: 'auto' (SIMD when it compiles) or 'js'. */
export type WasmHaarChoice = 'auto' | 'js';

let choice: WasmHaarChoice = 'auto';

/**
 * Selects the implementation of the wasm backend's Haar kernels; returns the previous choice.
 * Tests use it to run the JavaScript fallback (what runtimes without WebAssembly SIMD get).
 */
export function setWasmHaarChoice(next: WasmHaarChoice): WasmHaarChoice {
  const previous = choice;
  choice = next;
  return previous;
}

function memoryOf(backend: HeapBackend): WebAssembly.Memory | null {
  const candidate = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  return candidate instanceof WebAssembly.Memory ? candidate : null;
}

/** Whether the wasm backend's kernels run the SIMD module ('simd') or the JavaScript loop ('js'). */
export function wasmHaarImplementation(backend: unknown): 'simd' | 'js' {
  const memory = choice === 'js' ? null : memoryOf(backend as HeapBackend);
  return memory != null && haarKernelOver(memory) != null ? 'simd' : 'js';
}

/**
 * The wasm backend's kernel for one direction: the output is allocated by the backend itself,
 * then one pass runs between the two tensors inside the backend's memory — the SIMD module when
 * the runtime compiles it, otherwise the same loop in JavaScript over a view of that memory.
 */
export function haarWasmKernel(kernelName: string, direction: HaarDirection): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const { x, pass } = kernelInput(kernelName, direction, inputs);
    const wasm = backend as unknown as HeapBackend;
    const out = wasm.makeOutput(pass.outShape, 'float32');
    if (pass.rows * pass.cols * pass.channels === 0) return out;
    const src = wasm.getMemoryOffset(x.dataId);
    const dst = wasm.getMemoryOffset(out.dataId);
    const memory = choice === 'js' ? null : memoryOf(wasm);
    const kernel = memory == null ? null : haarKernelOver(memory);
    if (kernel != null) {
      kernel(...kernelArguments(pass, src, dst));
    } else {
      // Read the buffer after makeOutput: growing the memory replaces it.
      const heap = new Float32Array(memory?.buffer ?? wasm.wasm.HEAPU8.buffer);
      haarLoop(heap, src / 4, heap, dst / 4, pass);
    }
    return out;
  };
}
