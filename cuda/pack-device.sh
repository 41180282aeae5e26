#!/usr/bin/env bash
# Prepares, on the development machine, what cuda/device-run.sh needs on a GPU machine that has
# no Node and no network: the node binary and the repo's node_modules, compressed into .devnode/
# (git-ignored), plus the addon built here. Then, with the device tool:
#   run(command: "bash cuda/device-run.sh test", carry: [".devnode", "build/cuda/Release"])
# About 45 MiB travel (node ~24 MiB, node_modules ~20 MiB); the working-tree limit is 64 MiB.
# Takes ~3 minutes on 2 cores (xz).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .devnode
npm run --silent build:cuda
xz -T0 -6 -c "$(command -v node)" > .devnode/node.xz
# Packages the GPU run never loads (notebook kernel, browser driver, compilers of other tools).
tar -cf - \
  --exclude='node_modules/@tslab' --exclude='node_modules/tslab' --exclude='node_modules/zeromq' \
  --exclude='node_modules/playwright-core' --exclude='node_modules/typescript' --exclude='node_modules/cmake-ts' \
  --exclude='node_modules/.cache' --exclude='*.map' \
  node_modules | xz -T0 -6 > .devnode/node_modules.tar.xz
du -sh .devnode/node.xz .devnode/node_modules.tar.xz build/cuda/Release
