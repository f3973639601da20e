#!/bin/sh
# Compiles one line, #include "HEADER", with the given include flags.
# Usage: include-probe.sh HEADER CXX [FLAGS...]; the compiler's status.
header=$1 cxx=$2
shift 2
printf '#include "%s"\n' "$header" | "$cxx" -std=c++20 -fsyntax-only -x c++ "$@" -
