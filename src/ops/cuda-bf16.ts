/**
 * bfloat16 on the host: the top 16 bits of a float32 (8 exponent bits, 7 mantissa bits).
 * The cuda backend stores bf16 tensors as raw 16-bit words; these convert at upload and
 * download. Rounding is to nearest, ties to even (as __float2bfloat16_rn on the device);
 * NaN stays NaN (quieted), ±Infinity stays, and finite values past the largest bf16 round to
 * ±Infinity.
 */
export function toBf16(x: Float32Array): Uint16Array {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const b = bits[i]!;
    if ((b & 0x7fffffff) > 0x7f800000) {
      out[i] = (b >>> 16) | 0x0040; // NaN: keep sign and payload's top bits, set the quiet bit
    } else {
      out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
    }
  }
  return out;
}

export function fromBf16(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < h.length; i++) bits[i] = h[i]! << 16;
  return out;
}

/** x rounded to the nearest bf16 values, as float32 (what a bf16 upload then download returns). */
export function roundToBf16(x: Float32Array): Float32Array {
  return fromBf16(toBf16(x));
}
