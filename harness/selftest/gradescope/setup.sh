#!/usr/bin/env bash
# setup.sh - Gradescope's image setup for mmap-labs (runs once, as root, in
# /autograder/source): installs the packages mmgrade needs and builds it.
# MMGRADE_SKIP_APT=1 skips the packages (the self-test builds a local copy this way).
set -euo pipefail
cd "$(dirname "$0")"
packages=(build-essential libcriterion-dev libcjson-dev libseccomp-dev bubblewrap procps tar unzip)

if [ -z "${MMGRADE_SKIP_APT:-}" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi
# The report hook needs Criterion 2.4 (Debian 12, Ubuntu 24.04): older ones lack its stats.
version=$(dpkg-query -W -f='${Version}' libcriterion-dev 2>/dev/null || echo none)
if [ "$version" = none ] || ! dpkg --compare-versions "$version" ge 2.4; then
    echo "setup.sh: libcriterion-dev $version found, mmgrade needs 2.4 or later;" \
         "choose Gradescope's Ubuntu 24.04 base image" >&2
    exit 1
fi
make -j"$(nproc)" build/bin/mmgrade
echo "setup.sh: built $(pwd)/build/bin/mmgrade; grading lab(s): $(cat gradescope-lab)"
