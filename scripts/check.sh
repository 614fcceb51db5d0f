#!/bin/sh
# The whole test suite: installs what is missing, builds with warnings as
# errors, then runs "make check" (C unit tests, then Apache::Test).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
./autogen.sh >/dev/null 2>&1
./configure --enable-werror ${CONFIGURE_FLAGS:-} >/dev/null
make -j2
make check || { cat unit/main.log 2>/dev/null; exit 1; }
