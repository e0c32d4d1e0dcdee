#!/usr/bin/env bash
# setup.sh - Gradescope's image setup for mmap-labs (runs once, as root, in
# /autograder/source): installs the packages mmgrade needs and builds it. Works on the
# default Ubuntu 22.04 base image and on newer ones: where the distribution's Criterion is
# older than the test layer is tested with, a pinned Criterion release is built from source.
# MMGRADE_SKIP_APT=1 skips the packages (the self-test builds a local copy this way).
set -euo pipefail
cd "$(dirname "$0")"
packages=(build-essential libcjson-dev libseccomp-dev bubblewrap procps tar unzip)
# The test layer (labs/common) is tested with Debian 12's Criterion, 2.4.1: the report hook
# reads each test's full stats (assertion messages, signal, exit code, timeout). Ubuntu
# 22.04 has a pre-release snapshot (2.4.0-rc-18-g1cc3911) that was never tested with it.
criterion_min=2.4.1
criterion_pin=2.4.2                       # a release whose reports are also valid XML/JSON
criterion_url=https://github.com/Snaipe/Criterion/releases/download/v$criterion_pin/criterion-$criterion_pin.tar.xz
# The release's source tarball carries its subprojects, so the build downloads nothing else.
# Set CRITERION_SHA256 to the checksum you verified to refuse any other file.
criterion_build_deps=(meson ninja-build cmake pkg-config libffi-dev curl ca-certificates xz-utils)

distro_criterion() {    # the version apt would install, or "none"
    apt-cache policy libcriterion-dev 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)' ||
        echo none
}

build_criterion() {
    local dir
    dir=$(mktemp -d)
    echo "setup.sh: building Criterion $criterion_pin from $criterion_url"
    curl -fsSL --retry 3 -o "$dir/criterion.tar.xz" "$criterion_url"
    local sum
    sum=$(sha256sum "$dir/criterion.tar.xz" | cut -d' ' -f1)
    echo "setup.sh: criterion-$criterion_pin.tar.xz sha256 $sum"
    if [ -n "${CRITERION_SHA256:-}" ] && [ "$sum" != "$CRITERION_SHA256" ]; then
        echo "setup.sh: checksum mismatch (want $CRITERION_SHA256): not installing it" >&2
        exit 1
    fi
    tar -xJf "$dir/criterion.tar.xz" -C "$dir"
    meson setup -Dc_std=gnu11 --prefix /usr/local --libdir lib --buildtype release \
        --wrap-mode nodownload "$dir/build" "$dir/criterion-$criterion_pin" >/dev/null
    meson compile -C "$dir/build" >/dev/null
    meson install -C "$dir/build" >/dev/null
    ldconfig
    rm -rf "$dir"
}

if [ -z "${MMGRADE_SKIP_APT:-}" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    candidate=$(distro_criterion)
    if [ "$candidate" != none ] && dpkg --compare-versions "$candidate" ge "$criterion_min"; then
        packages+=(libcriterion-dev)
    else
        # Not the distribution's: mixing its headers with the release's would break builds.
        echo "setup.sh: the distribution's Criterion is $candidate (< $criterion_min):" \
             "building $criterion_pin instead"
        packages+=("${criterion_build_deps[@]}")
        apt-get remove -y -qq libcriterion-dev >/dev/null 2>&1 || true
    fi
    apt-get install -y -qq --no-install-recommends "${packages[@]}"
    if [[ " ${packages[*]} " != *" libcriterion-dev "* ]] &&
       ! pkg-config --atleast-version="$criterion_min" criterion 2>/dev/null; then
        build_criterion
    fi
fi
# Whatever installed it, the Criterion the labs link with must be recent enough.
have=$(pkg-config --modversion criterion 2>/dev/null ||
       dpkg-query -W -f='${Version}' libcriterion-dev 2>/dev/null || echo none)
if [ "$have" = none ] || ! dpkg --compare-versions "${have%%-*}" ge "$criterion_min"; then
    echo "setup.sh: Criterion $have found, the labs' test layer needs $criterion_min or later" >&2
    exit 1
fi
make -j"$(nproc)" build/bin/mmgrade
echo "setup.sh: built $(pwd)/build/bin/mmgrade with Criterion $have;" \
     "grading lab(s): $(cat gradescope-lab), hidden tests: $(cat gradescope-hidden 2>/dev/null || echo after_published)"
