#!/usr/bin/env bash
# One-shot thread-scaling run of `wvlib bench scale` on the 16-core device machine (GUIDE §8):
# skip-gram, CBOW and GloVe at 1, 2, 4, 8 and 16 threads on enwiki-sample written 4 times
# (1.86 M tokens, the corpus of issue 23's table), 2 epochs, beside gensim at the same worker
# counts and the original word2vec C code where it can be built (the busy column: how much of
# the threads' time went to jobs); the job queue's own cost per job at the same thread counts
# (`wvlib bench queue`); then skip-gram's and GloVe's peak memory on a 17 M-token synthetic
# corpus at 16 threads. About 7 minutes there (1 minute here with THREADS=1,2 REPEAT=1
# SYNTHETIC=); the tables come back in $OUT.
#
# Prepare, on a machine with PyPI (the device has no network and no gensim):
#   pip download --no-deps --only-binary=:all: --python-version 3.12 \
#     --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
#     --platform manylinux2014_x86_64 -d .whl gensim==4.4.0 smart_open wrapt pooch platformdirs
# and the original word2vec C code's source archive (compiled there if it has gcc):
#   python -m wvlib.benchmarks.cword2vec --dir .whl
# (.whl/ is ignored by git). Then, with the device tool:
#   run(command="bash wvlib/benchmarks/scale_device.sh", carry=[".whl"], timeout_s=540)
# Here, to try it small: THREADS=1,2 REPEAT=1 SYNTHETIC= OUT=/tmp/out PYTHON=.venv/bin/python \
#   bash wvlib/benchmarks/scale_device.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/wvlib-scale-out}
PYTHON=${PYTHON:-python3}
THREADS=${THREADS:-1,2,4,8,16}
REPEAT=${REPEAT:-4}
SYNTHETIC=${SYNTHETIC-17e6}
mkdir -p "$OUT"
if ! "$PYTHON" -c "import gensim" 2>/dev/null; then
    "$PYTHON" -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
    export PYTHONPATH="$PWD:/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
fi
export NUMBA_CACHE_DIR=${NUMBA_CACHE_DIR:-/tmp/wvlib-numba} WVLIB_CACHE=${WVLIB_CACHE:-/tmp/wvlib-cache}
export PYTHONUNBUFFERED=1
{ nproc; lscpu | grep -E "Model name|^CPU\(s\)|Thread|NUMA node\(s\)"; uptime; } > "$OUT/machine.txt"
C_WORD2VEC=()
if [ -f .whl/word2vec-0.9.4.tar.gz ] && BIN=$("$PYTHON" -m wvlib.benchmarks.cword2vec \
        --sdist .whl/word2vec-0.9.4.tar.gz --dir /tmp/wvlib-cword2vec 2>>"$OUT/machine.txt"); then
    C_WORD2VEC=(--c-word2vec "$BIN")
fi
"$PYTHON" -m wvlib bench scale --corpus enwiki-sample --repeat "$REPEAT" --tokens '' \
    --threads "$THREADS" --methods sgns,cbow,glove --epochs 2 --glove-epochs 2 "${C_WORD2VEC[@]}" \
    --workdir /tmp/wvlib-scale --out "$OUT/scale-threads.md" 2>&1 | tee "$OUT/scale-threads.log"
"$PYTHON" -m wvlib bench queue --threads "$THREADS" 2>&1 | tee "$OUT/queue.md"
if [ -n "$SYNTHETIC" ]; then
    LAST=${THREADS##*,}
    "$PYTHON" -m wvlib bench scale --tokens "$SYNTHETIC" --threads "$LAST" \
        --methods sgns,glove --epochs 1 --glove-epochs 1 \
        --workdir /tmp/wvlib-scale --out "$OUT/scale-memory.md" 2>&1 | tee "$OUT/scale-memory.log"
fi
uptime >> "$OUT/machine.txt"
