#!/usr/bin/env bash
# Runs the GPU checks of the cuda backend on a lent GPU machine (no Node, no network there).
#
#   bash cuda/device-run.sh [all|test|bench|calibrate]      (default all; from the repo root)
#
# Needs what cuda/pack-device.sh made on the development machine, carried with the call:
#   .devnode/node.xz               the node binary (xz)
#   .devnode/node_modules.tar.xz   the repo's node_modules, without dev tools the run never uses
#   build/cuda/Release/            the built addon (optional: rebuilt here with cmake + nvcc if
#                                  absent or if it does not load on this image)
# Writes into $OUT (at most 8 files come back): summary.txt, test-gpu.log, bench-cuda.log,
# bench-cuda.json, calibrate.log, profile.json, profile.measurements.json.
# Each stage fits the 10-minute limit of one call on its own; `all` may not: run stages in
# separate calls on a warm machine (the unpacked node and node_modules are reused).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/results/device}
mkdir -p "$OUT"
stage=${1:-all}
summary="$OUT/summary.txt"
say() { echo "[device-run $(date +%H:%M:%S)] $*" | tee -a "$summary"; }

# --- node and node_modules ------------------------------------------------------------------
if [ ! -x .devnode/bin/node ]; then
  [ -f .devnode/node.xz ] || { say "missing .devnode/node.xz: run bash cuda/pack-device.sh here first, carry .devnode"; exit 2; }
  mkdir -p .devnode/bin && xz -dc .devnode/node.xz > .devnode/bin/node && chmod +x .devnode/bin/node
fi
export PATH="$PWD/.devnode/bin:$PATH"
if [ ! -d node_modules/tsx ]; then
  [ -f .devnode/node_modules.tar.xz ] || { say "missing .devnode/node_modules.tar.xz"; exit 2; }
  tar -xJf .devnode/node_modules.tar.xz
fi
say "node $(node --version); $(nvcc --version 2>/dev/null | tail -1)"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv >> "$summary" 2>&1

# --- the addon: use the carried build if it loads here, else build it here -------------------
addon=build/cuda/Release/shiftlab_cuda.node
probe() { node -e "const a = require('./$addon'); const p = a.probe(); console.log(JSON.stringify(p)); process.exit(p.available ? 0 : 1)"; }
if ! probe >> "$summary" 2>&1; then
  say "the carried addon does not load or sees no device: building it here"
  node cuda/build.mjs >> "$summary" 2>&1 || { say "build:cuda failed (see above)"; exit 1; }
  probe >> "$summary" 2>&1 || { say "the addon still sees no device"; exit 1; }
fi
if command -v cuobjdump > /dev/null; then
  sass=$(cuobjdump --dump-sass "$addon" 2>/dev/null)
  say "SASS: $(grep -c 'HMMA' <<< "$sass") HMMA, $(grep -c 'LDSM' <<< "$sass") LDSM, $(grep -c 'LDGSTS' <<< "$sass") LDGSTS (cp.async), $(grep -cE '\bLDL|\bSTL' <<< "$sass") local-memory instructions"
fi

# --- stages ---------------------------------------------------------------------------------
run_test() {
  say "test:gpu"
  node scripts/test.mjs gpu > "$OUT/test-gpu.log" 2>&1
  say "test:gpu exit $?: $(tail -1 "$OUT/test-gpu.log")"
}
run_bench() {
  say "bench cuda"
  node --import tsx bench/index.ts cuda --out "$OUT/bench-cuda.json" > "$OUT/bench-cuda.log" 2>&1
  say "bench cuda exit $?: $(grep 'goals met' "$OUT/bench-cuda.log")"
}
run_calibrate() {
  say "calibrate"
  node --import tsx src/cli/calibrate.ts --out "$OUT/profile.json" > "$OUT/calibrate.log" 2>&1
  say "calibrate exit $?: $(tail -1 "$OUT/calibrate.log")"
}
case "$stage" in
  test) run_test ;;
  bench) run_bench ;;
  calibrate) run_calibrate ;;
  all) run_test; run_bench; run_calibrate ;;
  *) say "unknown stage '$stage' (all, test, bench, calibrate)"; exit 2 ;;
esac
