#!/usr/bin/env bash
# On a lent GPU machine (no network; Python 3.12 with torch): install the carried wheels, run
# benchmarks/gpu_report.py on the carried data, and leave the report, its log and the executed notebooks
# in $OUT, the folder the device tool brings back. The device tool's call (README, "GPU report"):
#   run(command="bash benchmarks/gpu_device_run.sh", carry=[".whl", ".gpu_data"], timeout_s=600)
# Arguments go on to gpu_report.py (e.g. --smoke). The report stops itself inside its --budget-s and this
# script at LIMIT_S, both inside the call's 600 s, so that what was measured still reaches $OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
SITE="${SITE:-/tmp/site}"
WHL="${WHL_DIR:-.whl}"
OUT="${OUT:-build/gpu-out}"
REPORT="${REPORT:-benchmarks/GPU.md}"
mkdir -p "$OUT"
if [ -d "$WHL" ]; then  # the device README's install line: no index, no dependency resolution
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" \
        "$WHL"/*.whl || { echo "gpu_device_run: installing $WHL failed" >&2; exit 1; }
    export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONUNBUFFERED=1 NIN_DATA_DIR="${NIN_DATA_DIR:-$PWD/.gpu_data}"
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || true
rm -rf build/gpu-report
timeout "${LIMIT_S:-575}" "$PY" benchmarks/gpu_report.py --out "$REPORT" --executed-dir build/gpu-report "$@" \
    2>&1 | tee "$OUT/gpu_report.log"
status=${PIPESTATUS[0]}
cp "$REPORT" "$OUT/GPU.md" 2>/dev/null || echo "gpu_device_run: no report was written" >&2
[ -d build/gpu-report ] && tar czf "$OUT/executed_notebooks.tar.gz" -C build gpu-report
echo "gpu_device_run: exit status $status; in $OUT: $(ls "$OUT" | tr '\n' ' ')"
exit "$status"
