#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain what to install and fail.
set -u
candidates=()
for name in python3.13 python3.12 python3.14 python3; do
  p=$(command -v "$name" 2>/dev/null) && candidates+=("$p")
done
for root in "${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv; do
  # Newest first.
  while IFS= read -r p; do
    [ -x "$p" ] && candidates+=("$p")
  done < <(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV)
done
for p in "${candidates[@]}"; do
  if "$p" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "$p"
    exit 0
  fi
done
echo "Descent needs Python 3.12 or newer, with venv. None was found on PATH or under pyenv." >&2
echo "Install one, e.g. 'pyenv install 3.12' or 'apt-get install python3.12 python3.12-venv', then run make again." >&2
exit 1
