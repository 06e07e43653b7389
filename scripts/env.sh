# Shared by scripts/demo and scripts/test: a Python environment for dbdesign.
# Uses the active virtual environment ($VIRTUAL_ENV) when there is one; otherwise creates and
# activates .venv in the repository (Debian's python3 needs python3-venv for that: installed
# when running as root, otherwise named).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

apt_install() {
  # apt_install PKG...: install Debian packages (root), or stop naming the command to run.
  if [ "$(id -u)" -ne 0 ]; then
    echo "dbdesign: missing system packages; run: sudo apt-get install -y $*" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
}

if [ -z "${VIRTUAL_ENV:-}" ]; then
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
      rm -rf .venv
      apt_install python3-venv
      python3 -m venv .venv
    fi
  fi
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
python -m pip install -q --disable-pip-version-check "$@"
