#!/usr/bin/env python3
"""PyTorch timings of the same kernel cases as `yarn bench cuda` and `yarn calibrate`.

Reads a JSON list of cases on stdin, prints one JSON object on stdout:
  {"torch": "2.11.0", "device": "NVIDIA H100 80GB HBM3", "results": {name: ms per call}}
Each case is {"name", "op", "copies", ...shape}; `copies` input sets are rotated so that
repeated calls do not run from L2. Times are CUDA-event medians of 5 repeats after warm-up.
Exits 3 with a message on stderr when torch or a CUDA device is missing.
"""
import json
import sys


def main():
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        print(f"torch is not importable: {e}", file=sys.stderr)
        sys.exit(3)
    if not torch.cuda.is_available():
        print("torch sees no CUDA device", file=sys.stderr)
        sys.exit(3)

    cases = json.load(sys.stdin)
    dev = torch.device("cuda")
    bf16 = torch.bfloat16

    def rand(*shape, dtype=bf16, scale=1.0):
        return (torch.randn(*shape, device=dev, dtype=torch.float32) * scale).to(dtype)

    def setup(c):
        """Returns fn(inputs) and a list of input tuples for case c."""
        op = c["op"]
        n = c.get("copies", 1)
        if op == "copy":
            src = torch.empty(c["bytes"], dtype=torch.uint8, device=dev)
            dst = torch.empty_like(src)
            return (lambda a: a[1].copy_(a[0])), [(src, dst)]
        if op == "gemm":
            M, N, K = c["M"], c["N"], c["K"]
            return (lambda a: a[0] @ a[1]), [(rand(M, K), rand(K, N, scale=K ** -0.5)) for _ in range(n)]
        if op == "rms_norm":
            M, H = c["M"], c["H"]
            g = torch.ones(H, device=dev, dtype=bf16)
            return (lambda a: F.rms_norm(a[0], (H,), g, 1e-5)), [(rand(M, H),) for _ in range(n)]
        if op == "add":
            M, H = c["M"], c["H"]
            return (lambda a: a[0] + a[1]), [(rand(M, H), rand(M, H)) for _ in range(n)]
        if op == "silu_mul":
            M, Fd = c["M"], c["F"]
            return (lambda a: F.silu(a[0][:, :Fd]) * a[0][:, Fd:]), [(rand(M, 2 * Fd),) for _ in range(n)]
        if op == "rope":
            M, heads, d = c["M"], c["heads"], c["d"]
            half = d // 2
            pos = torch.randint(0, 8192, (M,), device=dev).float()
            inv = 500000.0 ** (-torch.arange(0, half, device=dev).float() * 2 / d)
            ang = pos[:, None] * inv[None, :]
            cos, sin = ang.cos().repeat(1, 2)[:, None, :].to(bf16), ang.sin().repeat(1, 2)[:, None, :].to(bf16)

            def rope(a):
                x = a[0].view(M, heads, d)
                rot = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
                return (x * cos + rot * sin).view(M, heads * d)

            return rope, [(rand(M, heads * d),) for _ in range(n)]
        if op == "embedding":
            V, H, M = c["V"], c["H"], c["M"]
            table = rand(V, H)
            return (lambda a: F.embedding(a[0], table)), [(torch.randint(0, V, (M,), device=dev),) for _ in range(n)]
        if op == "write_kv":
            M, w, slots = c["M"], c["width"], c["slots"]
            kc, vc = rand(slots, w), rand(slots, w)

            def write(a):
                kc.index_copy_(0, a[2], a[0])
                vc.index_copy_(0, a[2], a[1])

            return write, [(rand(M, w), rand(M, w), torch.randperm(slots, device=dev)[:M]) for _ in range(n)]
        if op == "select_cols":
            M, C = c["M"], c["C"]
            cols = torch.randperm(C, device=dev)
            return (lambda a: a[0].index_select(1, cols)), [(rand(M, C),) for _ in range(n)]
        if op == "swap_blocks":
            A, B, w = c["a"], c["b"], c["w"]
            return (lambda a: a[0].view(A, B, w).transpose(0, 1).contiguous()), [(rand(A * B * w),) for _ in range(n)]
        if op == "argmax":
            return (lambda a: a[0].argmax(dim=1)), [(rand(c["M"], c["V"]),) for _ in range(n)]
        if op == "attention_decode":
            B, L, hq, g, d = c["batch"], c["context"], c["qHeads"], c["kvHeads"], c["d"]
            return (
                lambda a: F.scaled_dot_product_attention(a[0], a[1], a[2], enable_gqa=True)
            ), [(rand(B, hq, 1, d), rand(B, g, L, d), rand(B, g, L, d)) for _ in range(n)]
        if op == "attention_prefill":
            L, hq, g, d = c["context"], c["qHeads"], c["kvHeads"], c["d"]
            return (
                lambda a: F.scaled_dot_product_attention(a[0], a[1], a[2], is_causal=True, enable_gqa=True)
            ), [(rand(1, hq, L, d), rand(1, g, L, d), rand(1, g, L, d)) for _ in range(n)]
        raise ValueError(f"unknown op {op}")

    def time_ms(fn, inputs):
        for i in range(3):
            fn(inputs[i % len(inputs)])
        torch.cuda.synchronize()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for i in range(3):
            fn(inputs[i % len(inputs)])
        end.record()
        end.synchronize()
        iters = max(3, min(200, int(20.0 / max(start.elapsed_time(end) / 3, 1e-3))))
        samples = []
        for _ in range(5):
            start.record()
            for i in range(iters):
                fn(inputs[i % len(inputs)])
            end.record()
            end.synchronize()
            samples.append(start.elapsed_time(end) / iters)
        return sorted(samples)[len(samples) // 2]

    results = {}
    with torch.inference_mode():
        for c in cases:
            fn, inputs = setup(c)
            try:
                results[c["name"]] = time_ms(fn, inputs)
            except RuntimeError as e:  # e.g. no SDPA kernel for a shape: report, keep going
                print(f"{c['name']}: {e}", file=sys.stderr)
            del fn, inputs
            torch.cuda.empty_cache()
    print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(), "results": results}))


if __name__ == "__main__":
    main()
