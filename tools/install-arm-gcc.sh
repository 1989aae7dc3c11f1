#!/bin/sh
# Install the Arm bare-metal cross compiler (arm-none-eabi-gcc, newlib) that the
# Cortex-M4 tests in tests/test_c99.py use; they are skipped without it.
# Idempotent: does nothing when the compiler is already on PATH.  Debian/Ubuntu (apt).
set -eu

if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-arm-gcc: no apt-get here; install arm-none-eabi-gcc by hand" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-arm-gcc: not root and no sudo; skipping" >&2
        exit 0
    fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gcc-arm-none-eabi libnewlib-arm-none-eabi
