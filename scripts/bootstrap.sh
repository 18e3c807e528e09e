# Sourced by ./run and ./test: find Python >= 3.12, create .venv/ and install declass into it.
# Re-installs only when pyproject.toml changed since the last install.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

find_python() {
    for candidate in python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    # pyenv keeps versions outside the path unless a shim is active.
    root=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}
    for candidate in "$root"/versions/3.1[2-9]*/bin/python3; do
        if [ -x "$candidate" ] \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ]; then
    if ! python=$(find_python); then
        echo "declass needs Python 3.12 or newer and found none on the PATH or under pyenv." >&2
        echo "Install it (e.g. 'apt-get install python3.12 python3.12-venv' or 'pyenv install 3.12')" >&2
        echo "and run this command again." >&2
        exit 1
    fi
    echo "Creating .venv/ with $python"
    "$python" -m venv .venv
fi

stamp=.venv/.declass-installed
want=$(cat pyproject.toml | cksum)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing dependencies into .venv/ (log: .venv/pip.log)"
    if ! { .venv/bin/python -m pip install --upgrade pip \
            && .venv/bin/python -m pip install -e ".[dev]"; } > .venv/pip.log 2>&1; then
        tail -n 30 .venv/pip.log >&2
        echo "Installing the dependencies failed; the whole log is in .venv/pip.log." >&2
        exit 1
    fi
    echo "$want" > "$stamp"
fi
