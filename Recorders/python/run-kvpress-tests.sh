#!/usr/bin/env bash
# Runs the kvpress tests of the recorder in a virtualenv of their own, outside the checkout.
#
# kvpress 0.5.5 requires transformers < 5.3, so it cannot share an environment with a newer
# transformers. The virtualenv sees the system site-packages, so the torch already installed there
# (a CPU build is enough) is used rather than downloaded. Usage, from anywhere:
#
#   KVPRESS_VENV=/work/venv-kvpress bash Recorders/python/run-kvpress-tests.sh [pytest arguments]
#
# KVPRESS_VENV defaults to ~/.cache/deptrace/kvpress-venv; it is created, and requirements-kvpress.txt
# installed into it, when missing. The tests that check traces with the deptrace binary use
# $DEPTRACE, else .build/debug or .build/release of this checkout (`swift build`), else PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${KVPRESS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/deptrace/kvpress-venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv (with the system site-packages)"
    "$python" -m venv --system-site-packages "$venv"
fi
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    echo "torch is not importable in $venv: install a CPU build into the system python or into the venv," >&2
    echo "e.g. $venv/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu" >&2
    exit 1
fi
if ! "$venv/bin/python" -c "import kvpress, pytest" 2>/dev/null; then
    "$venv/bin/pip" install --quiet -r "$here/requirements-kvpress.txt" pytest
fi
"$venv/bin/python" - <<'EOF'
from importlib import metadata
print("kvpress %s, transformers %s, torch %s" % tuple(metadata.version(p) for p in ("kvpress", "transformers", "torch")))
EOF
cd "$here"
exec "$venv/bin/python" -m pytest -q -rs -p no:cacheprovider tests/test_kvpress_integration.py tests/test_kvpress_logic.py "$@"
