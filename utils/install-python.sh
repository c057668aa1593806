#!/usr/bin/env bash
#===- utils/install-python.sh - Make `import quant` work -------------------===#
#
#   utils/install-python.sh        (after utils/check.sh or utils/demo.sh built quant)
#
# Installs the Python package in python/quant for Debian's /usr/bin/python3
# without PyPI: a quant.pth file in the user's site-packages that adds this
# checkout's python/ folder to sys.path. The package finds the tools in
# build/bin of the same checkout (or $QUANT_TOOLS_DIR). Run it again after
# moving the checkout; delete the printed .pth file to uninstall.
#
#===------------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
site="$(/usr/bin/python3 -m site --user-site)"
mkdir -p "$site"
echo "$root/python" > "$site/quant.pth"
if ! /usr/bin/python3 -c "import quant" 2>/dev/null; then
  echo "install-python: error: /usr/bin/python3 still cannot import quant" >&2
  exit 1
fi
echo "installed: $site/quant.pth -> $root/python"
