#!/usr/bin/env bash
# Before a lent GPU machine's run (README, "GPU report"): put the wheels it lacks into .whl/ and the
# Fashion-MNIST files into .gpu_data/ (both git-ignored; the device call carries them), and check that
# everything that travels stays under the device's 64 MiB. Needs PyPI. `make gpu-prep` runs it.
#   GPU_PYVER=3.11 WHL_DIR=build/whl311 bash benchmarks/gpu_prep.sh   # wheels for another Python
set -euo pipefail
cd "$(dirname "$0")/.."
PIP_PY="${PIP_PY:-python3}"
PYVER="${GPU_PYVER:-3.12}"
WHL="${WHL_DIR:-.whl}"
SRC="${NIN_DATA_DIR:-$(cd .. && pwd)/shared/data/fashion-mnist-subset}/FashionMNIST/raw"
LIMIT_MIB=40  # wheels + data; the repository itself and the margin take the rest of the 64 MiB

rm -rf "$WHL" && mkdir -p "$WHL"
# pip matches manylinux_2_N tags one N at a time: name the usual ones (device glibc is newer than all).
platforms=(--platform manylinux2014_x86_64 --platform manylinux1_x86_64)
for n in 17 24 26 27 28 31 34 35 39; do platforms+=(--platform "manylinux_2_${n}_x86_64"); done
"$PIP_PY" -m pip download --quiet --no-deps --only-binary=:all: --python-version "$PYVER" --implementation cp \
    "${platforms[@]}" -d "$WHL" -r benchmarks/gpu_wheels.txt

files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
for f in "${files[@]}"; do
    [ -f "$SRC/$f" ] || { echo "gpu_prep: $SRC/$f not found; point NIN_DATA_DIR at a folder holding FashionMNIST/raw/ (uncompressed files)" >&2; exit 1; }
done
rm -rf .gpu_data && mkdir -p .gpu_data/FashionMNIST/raw
for f in "${files[@]}"; do cp "$SRC/$f" .gpu_data/FashionMNIST/raw/; done

carried=$(du -sbc "$WHL" .gpu_data | tail -1 | cut -f1)
repo=$(git ls-files -z --cached --others --exclude-standard | du -cb --files0-from=- | tail -1 | cut -f1)
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
echo "gpu_prep: $(ls "$WHL" | wc -l) wheels in $WHL and the data in .gpu_data: $(mib "$carried") carried" \
     "+ $(mib "$repo") repository = $(mib $((carried + repo))) of the device's 64 MiB"
ls "$WHL" | grep -v -- '-none-any.whl$' | sed 's/^/  compiled: /' || true
if [ "$carried" -gt $((LIMIT_MIB * 1048576)) ]; then
    echo "gpu_prep: wheels + data exceed ${LIMIT_MIB} MiB; carry a smaller data set" >&2; exit 1
fi
