#!/bin/sh
# Prints the version of this tree in a form both Go and dpkg accept
# (a Debian version must start with a digit): the VERSION file if there
# is one, else from `git describe --tags --always --dirty`:
#   v1.2.3                -> 1.2.3
#   v1.2.3-4-gabc1234     -> 1.2.3+4.gabc1234
#   v1.2.3-dirty          -> 1.2.3+dirty
#   abc1234 (no tag yet)  -> 0.0.0+gitabc1234
set -eu
cd "$(dirname "$0")/.."
if [ -r VERSION ]; then
	v=$(tr -d ' \n' <VERSION)
elif v=$(git describe --tags --dirty 2>/dev/null); then
	v=${v#v}
else
	v="0.0.0+git$(git describe --always --dirty 2>/dev/null || echo unknown)"
fi
# Debian: only [A-Za-z0-9.+~] after the first digit; '-' would start a
# Debian revision. The first '-' becomes '+', the others '.'.
case "$v" in
*+*) v=$(printf '%s' "$v" | tr -- '-' '.') ;;
*-*) v=$(printf '%s' "$v" | sed 's/-/+/' | tr -- '-' '.') ;;
esac
v=$(printf '%s' "$v" | tr -c 'A-Za-z0-9.+~\n' '.')
printf '%s\n' "$v"
