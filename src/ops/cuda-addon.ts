import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The native CUDA addon (cuda/, built by `npm run build:cuda`) and its TypeScript types.
 * Loading it needs no GPU: `cudaStatus()` says whether a device is usable and, if not, why
 * (addon not built, no driver: cudaErrorInsufficientDriver = 35, no device: cudaErrorNoDevice
 * = 100). Every failing CUDA call throws a CudaError carrying the CUDA error's code and name.
 *
 * The addon is looked up at SHIFTLAB_CUDA_ADDON, else build/cuda/Release/shiftlab_cuda.node.
 */
export class CudaError extends Error {
  override readonly name = 'CudaError';

  constructor(
    message: string,
    /** The cudaError_t value, e.g. 35. */
    readonly code: number,
    /** Its name, e.g. 'cudaErrorInsufficientDriver'. */
    readonly cudaError: string,
  ) {
    super(message);
  }
}

/** Thrown when the cuda backend is asked for and no device can be used; says why. */
export class CudaUnavailableError extends Error {
  override readonly name = 'CudaUnavailableError';
}

/** Device memory owned by this object: freed by free() or when garbage-collected. */
export interface DeviceBuffer {
  readonly bytes: number;
  /** Its device address, valid in every thread of this process (for the collectives). */
  readonly address: bigint;
  readonly freed: boolean;
  free(): void;
}

export interface CudaEvent {
  /** Milliseconds from this event to `later`; waits for `later`. */
  elapsedMs(later: CudaEvent): number;
}

/** Element type codes of the kernels: 0 float32, 1 bfloat16. */
export type DtypeCode = 0 | 1;

/**
 * One rank's stream on one device (see cuda/src/binding/context.h). Sizes are elements unless
 * named bytes; every method checks its buffers are large enough. Only download, synchronize
 * and CudaEvent.elapsedMs wait for the device.
 */
export interface CudaContext {
  readonly device: number;
  alloc(bytes: number): DeviceBuffer;
  upload(buffer: DeviceBuffer, offset: number, data: ArrayBufferView): void;
  download(buffer: DeviceBuffer, offset: number, data: ArrayBufferView): void;
  copy(dst: DeviceBuffer, dstOffset: number, src: DeviceBuffer, srcOffset: number, bytes: number): void;
  copyFromAddress(dst: DeviceBuffer, dstOffset: number, address: bigint, bytes: number): void;
  copy2d(dst: DeviceBuffer, dstOffset: number, dstPitch: number, src: DeviceBuffer, srcOffset: number, srcPitch: number, widthBytes: number, height: number): void;
  fill(buffer: DeviceBuffer, byte: number, offset: number, bytes: number): void;
  synchronize(): void;
  record(): CudaEvent;

  gemmF32(out: DeviceBuffer, x: DeviceBuffer, w: DeviceBuffer, M: number, N: number, K: number): void;
  gemmBf16(out: DeviceBuffer, x: DeviceBuffer, w: DeviceBuffer, M: number, N: number, K: number, tile: number, splits: number, kTilesPerSplit: number, workspace: DeviceBuffer | null): void;
  rmsNorm(dtype: DtypeCode, out: DeviceBuffer, x: DeviceBuffer, gain: DeviceBuffer, rows: number, cols: number, group: number, eps: number): void;
  /** invFreq: float64 [headDim / 2] (model/rope.ts). */
  rope(dtype: DtypeCode, out: DeviceBuffer, x: DeviceBuffer, positions: DeviceBuffer, invFreq: DeviceBuffer, rows: number, cols: number, headDim: number): void;
  siluMul(dtype: DtypeCode, out: DeviceBuffer, x: DeviceBuffer, rows: number, f: number): void;
  add(dtype: DtypeCode, out: DeviceBuffer, a: DeviceBuffer, b: DeviceBuffer, n: number): void;
  sumBlocks(dtype: DtypeCode, out: DeviceBuffer, src: DeviceBuffer, blocks: number, n: number): void;
  argmax(dtype: DtypeCode, out: DeviceBuffer, x: DeviceBuffer, rows: number, cols: number): void;
  gatherRows(elemBytes: number, out: DeviceBuffer, src: DeviceBuffer, rows: DeviceBuffer, count: number, width: number, srcRows: number): void;
  selectCols(elemBytes: number, out: DeviceBuffer, x: DeviceBuffer, cols: DeviceBuffer, rows: number, inCols: number, count: number): void;
  swapBlocks(elemBytes: number, out: DeviceBuffer, x: DeviceBuffer, a: number, b: number, w: number): void;
  writeKv(elemBytes: number, kCache: DeviceBuffer, vCache: DeviceBuffer, cacheOffset: number, cacheSlots: number, k: DeviceBuffer, v: DeviceBuffer, slots: DeviceBuffer, n: number, width: number): void;
  attention(
    dtype: DtypeCode, out: DeviceBuffer, q: DeviceBuffer, kCache: DeviceBuffer, vCache: DeviceBuffer, cacheOffset: number, cacheSlots: number,
    items: DeviceBuffer, numItems: number, seqs: DeviceBuffer, numSeqs: number, tables: DeviceBuffer, tableLen: number,
    combine: DeviceBuffer | null, numCombine: number, partials: DeviceBuffer | null, numPartials: number,
    N: number, qHeads: number, kvHeads: number, headDim: number, blockSize: number, rows: number, scale: number,
  ): void;
}

export interface CudaProbe {
  readonly available: boolean;
  readonly devices: number;
  readonly code: number;
  readonly error: string;
  readonly message: string;
  /** e.g. 13000 for CUDA 13.0; 0 without a driver. */
  readonly driverVersion: number;
  readonly runtimeVersion: number;
}

export interface CudaDeviceInfo {
  readonly name: string;
  readonly major: number;
  readonly minor: number;
  readonly sms: number;
  readonly memoryBytes: number;
  readonly l2Bytes: number;
  readonly sharedPerBlockOptin: number;
  readonly memoryBusBits: number;
  readonly clockKHz: number;
  readonly memoryClockKHz: number;
}

export interface CudaAddon {
  readonly Context: new (device: number) => CudaContext;
  probe(): CudaProbe;
  deviceInfo(device: number): CudaDeviceInfo;
}

interface NativeModule extends CudaAddon {
  init(errorClass: typeof CudaError): void;
}

export function addonPath(): string {
  return process.env.SHIFTLAB_CUDA_ADDON ?? fileURLToPath(new URL('../../build/cuda/Release/shiftlab_cuda.node', import.meta.url));
}

/** The addon, or why it cannot be loaded. Node caches the module per thread. */
export function loadAddon(): { addon: CudaAddon } | { reason: string } {
  const file = addonPath();
  if (!existsSync(file)) return { reason: `the CUDA addon is not built (${file} is missing): run npm run build:cuda` };
  try {
    const native = createRequire(import.meta.url)(file) as NativeModule;
    native.init(CudaError);
    return { addon: native };
  } catch (e) {
    return { reason: `the CUDA addon ${file} does not load: ${(e as Error).message}` };
  }
}

export type CudaStatus = { readonly available: true; readonly addon: CudaAddon; readonly probe: CudaProbe } | { readonly available: false; readonly reason: string };

/** Whether a CUDA device is usable from this process, and if not, why. Never throws. */
export function cudaStatus(): CudaStatus {
  const loaded = loadAddon();
  if (!('addon' in loaded)) return { available: false, reason: loaded.reason };
  const probe = loaded.addon.probe();
  if (!probe.available) {
    const driver = probe.driverVersion === 0 ? 'no CUDA driver' : `driver ${formatVersion(probe.driverVersion)}`;
    const why = probe.code === 0 ? 'the driver reports 0 devices' : `cudaGetDeviceCount: ${probe.error} (${probe.code}): ${probe.message}`;
    return { available: false, reason: `${why}; ${driver}, CUDA runtime ${formatVersion(probe.runtimeVersion)}` };
  }
  return { available: true, addon: loaded.addon, probe };
}

/** The addon with at least one device, or a CudaUnavailableError saying why not. */
export function requireCuda(): { addon: CudaAddon; probe: CudaProbe } {
  const status = cudaStatus();
  if (!status.available) throw new CudaUnavailableError(`the cuda backend cannot run, no usable CUDA device: ${status.reason}`);
  return status;
}

/** 13000 → '13.0'. */
export function formatVersion(v: number): string {
  return `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
}
