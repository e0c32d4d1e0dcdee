"""labbuild.py - how a lab's test programs are built around one version of the student file:
the file compiled with the grader's flags (labs/common/flags.mk), then linked with the lab's
test objects that make built (./run) and with each helper and tool the tests start. Used by
the mutation tool and by the self-test's mutant check (harness/selftest/check-mutants):
  python3 harness/mutation/labbuild.py [--build DIR] [--werror] LAB SRC_DIR...
builds SRC_DIR/impl.o, SRC_DIR/run and the programs from SRC_DIR/FILE, for each SRC_DIR (one
that does not compile keeps the compiler's words in SRC_DIR/cc.log and gets no ./run; exit 1
if any did not). Run from the tree's top."""
import argparse
import hashlib
import os
import subprocess
import sys

sys.dont_write_bytecode = True     # nothing written into the source tree


def mkvar(*names):
    """Values from labs/common/flags.mk and labs/*/lab.mk, through their one reader."""
    out = subprocess.run(["harness/mkvar", *names], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr.strip())
    return out.stdout.split("\n")[:len(names)]


def labs():
    """The lab ids, as make includes labs/*/lab.mk."""
    return subprocess.run(["harness/mkvar", "--labs"], capture_output=True, text=True,
                          check=True).stdout.split()


class Lab:
    """One lab as labs/*/lab.mk describes it: its file, its test objects, how to build."""

    def __init__(self, lab, build):
        if lab not in labs():
            sys.exit(f"labbuild: no lab named {lab} in labs/*/lab.mk")
        fields = ("DIR", "FILE", "LDLIBS", "HELPERS", "TOOLS")
        v = dict(zip(fields, mkvar(*(f"{lab}_{f}" for f in fields))))
        grade_flags, cppflags, testlibs = mkvar("MM_GRADE_CFLAGS", "MM_CPPFLAGS", "MM_TESTLIBS")
        # -fno-lto: the object itself is compared and linked, not bytecode inside it.
        self.cflags = [*cppflags.split(), *grade_flags.split(), "-fno-lto"]
        self.testlibs = testlibs.split()
        self.name, self.dir, self.file = lab, v["DIR"], v["FILE"]
        self.ldlibs = v["LDLIBS"].split()
        self.solution = os.path.join("solutions", os.path.basename(self.dir), self.file)
        obj = lambda src: os.path.join(build, "obj", os.path.splitext(src)[0] + ".o")
        tests = sorted(f"{d}/{f}" for d in (f"{self.dir}/tests", f"harness/{lab}/tests")
                       if os.path.isdir(d) for f in os.listdir(d) if f.endswith(".c"))
        common = sorted(f"labs/common/{f}" for f in os.listdir("labs/common") if f.endswith(".c"))
        self.test_objs = [obj(f) for f in tests + common]
        # Programs linked with the student file that the tests start (beside ./run).
        self.programs = {p: obj(f"{self.dir}/tests/helpers/{p}.c") for p in v["HELPERS"].split()}
        self.programs.update({p: obj(f"{self.dir}/{p}.c") for p in v["TOOLS"].split()})
        missing = [o for o in self.test_objs + list(self.programs.values())
                   if not os.path.exists(o)]
        if missing:
            sys.exit(f"labbuild: {missing[0]} is missing: run `make {lab}-tests` first")

    def compile(self, src_dir, extra=()):
        """Compiles src_dir/FILE into src_dir/impl.o; returns the object's hash, or None (the
        compiler's output is in src_dir/cc.log)."""
        cmd = ["gcc", *self.cflags, *extra, f"-I{os.path.abspath(self.dir)}",
               f"-I{os.path.abspath('labs/common')}", "-c", self.file, "-o", "impl.o"]
        with open(os.path.join(src_dir, "cc.log"), "wb") as log:
            r = subprocess.run(cmd, cwd=src_dir, stdout=log, stderr=log, timeout=120)
        if r.returncode != 0:
            return None
        return hashlib.sha256(open(os.path.join(src_dir, "impl.o"), "rb").read()).hexdigest()

    def link(self, d):
        """Links d/run and the helpers and tools beside it, each with d/impl.o."""
        impl = os.path.join(d, "impl.o")
        for name, objs in [("run", self.test_objs)] + [(p, [o]) for p, o in self.programs.items()]:
            libs = self.testlibs + self.ldlibs if name == "run" else self.ldlibs
            subprocess.run(["gcc", *objs, impl, "-o", os.path.join(d, name), *libs],
                           check=True, capture_output=True, timeout=300)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--werror", action="store_true", help="a warning fails the compile too")
    ap.add_argument("lab", help="lab1, lab2 ...")
    ap.add_argument("src_dirs", nargs="+", metavar="src_dir", help="holds the lab's file")
    args = ap.parse_args()
    lab = Lab(args.lab, args.build)
    failed = 0
    for d in args.src_dirs:
        if lab.compile(d, ["-Werror"] if args.werror else []) is None:
            sys.stderr.write(f"labbuild: {d}/{lab.file} does not compile (see {d}/cc.log)\n")
            failed += 1
        else:
            lab.link(d)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
