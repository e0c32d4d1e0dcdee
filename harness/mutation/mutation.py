"""mutation.py - how many first-order mutants (mutate.py) of a lab's reference the tests kill.
Mutants that do not compile with the grader's flags, or compile to the reference's object
(or an earlier mutant's), are dropped; each other one runs with every public and hidden test,
bounded. Survivors judged equivalent (harness/labN/equivalent.tsv) are set apart.
Run: make mutation LAB=N [SAMPLE=K SEED=S MAX_SECONDS=T MATCH=regex]; report in
build/mutation/labN/ (report.md, mutants.tsv)."""
import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True     # nothing written into the source tree
import mutate  # noqa: E402

# The grader's compile flags (harness/grader/build.c), without -g: the object is compared.
CFLAGS = ["-std=c11", "-O2", "-Wall", "-Wextra", "-D_GNU_SOURCE", "-fno-lto",
          "-fdiagnostics-color=never"]
TESTLIBS = ["-lcriterion", "-lcjson", "-lseccomp"]


def lab_vars(lab):
    """labN_VAR := value assignments of labs/*/lab.mk, as a dict VAR -> value."""
    out = {}
    for mk in sorted(os.listdir("labs")):
        path = os.path.join("labs", mk, "lab.mk")
        if os.path.exists(path):
            for line in open(path):
                m = re.match(rf"{lab}_(\w+)\s*:=\s*(.*)", line)
                if m:
                    out[m.group(1)] = m.group(2).strip()
    if "DIR" not in out:
        sys.exit(f"mutation: no lab named {lab} in labs/*/lab.mk")
    return out


class Lab:
    """One lab as labs/*/lab.mk describes it: its file, its test objects, how to grade."""

    def __init__(self, lab, build):
        v = lab_vars(lab)
        self.name, self.dir, self.file = lab, v["DIR"], v["FILE"]
        self.ldlibs = v.get("LDLIBS", "").split()
        self.solution = os.path.join("solutions", os.path.basename(self.dir), self.file)
        obj = lambda src: os.path.join(build, "obj", os.path.splitext(src)[0] + ".o")
        tests = sorted(f"{d}/{f}" for d in (f"{self.dir}/tests", f"harness/{lab}/tests")
                       if os.path.isdir(d) for f in os.listdir(d) if f.endswith(".c"))
        common = ["labs/common/mmtest.c", "labs/common/mmsubject.c", "labs/common/mmreport.c"]
        self.test_objs = [obj(f) for f in tests + common]
        # Programs linked with the student file that the tests start (beside ./run).
        helpers, tools = v.get("HELPERS", "").split(), v.get("TOOLS", "").split()
        self.programs = {p: obj(f"{self.dir}/tests/helpers/{p}.c") for p in helpers}
        self.programs.update({p: obj(f"{self.dir}/{p}.c") for p in tools})
        missing = [o for o in self.test_objs + list(self.programs.values())
                   if not os.path.exists(o)]
        if missing:
            sys.exit(f"mutation: {missing[0]} is missing: run `make {lab}-tests` first")

    def compile(self, src_dir):
        """Compiles src_dir/FILE into src_dir/impl.o; returns the object's hash or None."""
        cmd = ["gcc", *CFLAGS, f"-I{os.path.abspath(self.dir)}",
               f"-I{os.path.abspath('labs/common')}", "-c", self.file, "-o", "impl.o"]
        r = subprocess.run(cmd, cwd=src_dir, capture_output=True, timeout=120)
        if r.returncode != 0:
            return None
        return hashlib.sha256(open(os.path.join(src_dir, "impl.o"), "rb").read()).hexdigest()

    def link(self, d):
        impl = os.path.join(d, "impl.o")
        for name, objs in [("run", self.test_objs)] + [(p, [o]) for p, o in self.programs.items()]:
            libs = TESTLIBS + self.ldlibs if name == "run" else self.ldlibs
            subprocess.run(["gcc", *objs, impl, "-o", os.path.join(d, name), *libs],
                           check=True, capture_output=True, timeout=300)

    def run_tests(self, d, test_timeout, wall, ntests=None):
        """Runs every test against d/impl.o, stopping at the first failure; returns (status,
        tests that failed, seconds). Surviving means: exit 0, all ntests reported passed."""
        self.link(d)
        os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
        start = time.monotonic()
        with open(os.path.join(d, "results.jsonl"), "wb") as report, \
                open(os.path.join(d, "run.log"), "wb") as log:
            env = dict(os.environ, MMTEST_EXPECT="pass", MMTEST_REPORT_FD=str(report.fileno()),
                       TMPDIR=os.path.abspath(os.path.join(d, "tmp")))
            p = subprocess.Popen(["./run", "-j1", "--fail-fast", "--timeout", str(test_timeout)],
                                 cwd=d, env=env, stdout=log, stderr=log,
                                 pass_fds=(report.fileno(),), start_new_session=True)
            try:
                rc, timed_out = p.wait(timeout=wall), False
            except subprocess.TimeoutExpired:
                rc, timed_out = None, True
            try:
                os.killpg(p.pid, signal.SIGKILL)    # whatever the mutant left running
            except ProcessLookupError:
                pass
            p.wait()
        seconds = time.monotonic() - start
        lines = read_results(os.path.join(d, "results.jsonl"))
        results = [l for l in lines if "test" in l]
        failed = sorted(f"{l['test']} ({l['status']})" for l in results if l["status"] != "passed")
        complete = any(l.get("complete") for l in lines)
        if timed_out:
            return "killed", failed + [f"(whole run over its {wall:.0f} s bound)"], seconds
        if rc == 0 and complete and not failed and ntests in (len(results), None):
            return "survived", [], seconds
        return "killed", failed or [f"(run ended without every test reporting: exit {rc})"], seconds


HEADER = re.compile(r"^[A-Za-z_][\w \t*]*?\b(\w+)\(")   # "static int check_file(" at column 0


def where(lines, m):
    """A mutant's place that survives edits elsewhere in the file: (the function around it,
    the line before it, its original line, its mutated line), blanks stripped."""
    func = next((h.group(1) for h in map(HEADER.match, reversed(lines[:m.line - 1])) if h), "")
    before = lines[m.line - 2].strip() if m.line > 1 else ""
    return (func, before, m.old.strip(), m.new.strip())


def judged_equivalent(path):
    """where() -> why the change cannot alter behaviour, from a file of lines: function,
    line before, original line, mutated line, reason, tab-separated."""
    out = {}
    if os.path.exists(path):
        for line in open(path):
            if line.strip() and not line.startswith("#"):
                *key, why = line.rstrip("\n").split("\t")
                out[tuple(k.strip() for k in key)] = why
    return out


def read_results(path):
    """The JSON Lines the test runner wrote (MMTEST_REPORT_FD); a garbled line is skipped."""
    out = []
    for line in open(path, errors="replace"):
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def one_line_diff(path, m):
    return (f"--- a/{path}\n+++ b/{path}\n@@ -{m.line} +{m.line} @@\n-{m.old}\n+{m.new}\n")


def check_reference(lab, work):
    """The reference must compile and pass every test, or the figures mean nothing. Returns
    its object's hash and the bounds: a test may take 5x its slowest reference time (at
    least 10 s), a whole run 3x the reference's (at least 60 s); slower counts as killed,
    as the grader would count it."""
    ref = os.path.join(work, "reference")
    os.makedirs(ref)
    shutil.copy(lab.solution, os.path.join(ref, lab.file))
    ref_hash = lab.compile(ref)
    _, failed, ref_seconds = lab.run_tests(ref, 60, 900)
    results = [r for r in read_results(os.path.join(ref, "results.jsonl")) if "test" in r]
    lab.ntests = len(results)
    if ref_hash is None or failed or lab.ntests == 0:
        sys.exit(f"mutation: the reference {lab.solution} does not pass its own tests: "
                 f"{failed[:3]} (see {ref}/run.log)")
    test_timeout = max(10.0, 5 * max(r.get("seconds", 0) for r in results))
    return ref_hash, test_timeout, max(60.0, 3 * ref_seconds)


def classify(mids, hashes, ref_hash):
    """mid -> [status, detail] before grading: not compiling, identical to the reference,
    a duplicate of an earlier mutant (graded once), or to be graded."""
    rows, first_with = {}, {}
    for mid, h in zip(mids, hashes):
        if h is None:
            rows[mid] = ["not compiling", ""]
        elif h == ref_hash:
            rows[mid] = ["identical object", "same object code as the reference"]
        elif h in first_with:
            rows[mid] = ["duplicate", f"same object code as {first_with[h]}"]
        else:
            first_with[h] = mid
            rows[mid] = ["not graded", "MAX_SECONDS reached first"]
    return rows


def set_apart_equivalents(equivalent, chosen, rows, lines):
    """A survivor judged equivalent is set apart; a killed one stays killed, flagged: its
    judgement was wrong."""
    for mid, m in chosen:
        why = equivalent.get(where(lines, m))
        if why and rows[mid][0] == "survived":
            rows[mid] = ["equivalent", why]
        elif why and rows[mid][0] == "killed":
            rows[mid][1] = "LISTED AS EQUIVALENT, yet killed: " + rows[mid][1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", required=True, help="1, 2, 3 or lab1 ...")
    ap.add_argument("--sample", type=int, default=0, help="grade K mutants drawn at random")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--match", default="", help="only mutants whose description matches")
    ap.add_argument("--only", default="", help="only these mutants: m001,m017,...")
    ap.add_argument("--max-seconds", type=float, default=0, help="stop grading after T s")
    ap.add_argument("--jobs", type=int, default=2, choices=(1, 2))
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", help="report directory (default BUILD/mutation/labN)")
    ap.add_argument("--equivalent", help="survivors judged equivalent "
                    "(default harness/labN/equivalent.tsv)")
    args = ap.parse_args()
    lab_name = args.lab if args.lab.startswith("lab") else f"lab{args.lab}"
    lab = Lab(lab_name, args.build)
    out = args.out or os.path.join(args.build, "mutation", lab_name)
    work = os.path.join(out, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    started = time.monotonic()
    ref_hash, test_timeout, wall = check_reference(lab, work)

    source = open(lab.solution).read()
    everything = mutate.mutants(source)
    chosen = [(f"m{n:03d}", m) for n, m in enumerate(everything, 1)
              if re.search(args.match, m.describe())
              and (not args.only or f"m{n:03d}" in args.only.split(","))]
    if args.sample and args.sample < len(chosen):
        chosen = sorted(random.Random(args.seed).sample(chosen, args.sample))
    lines = source.split("\n")

    def build_mutant(item):
        mid, m = item
        d = os.path.join(work, mid)
        os.makedirs(d)
        with open(os.path.join(d, lab.file), "w") as f:
            f.write("\n".join(lines[:m.line - 1] + [m.new] + lines[m.line:]))
        return lab.compile(d)

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        hashes = list(pool.map(build_mutant, chosen))

    rows = classify([mid for mid, _ in chosen], hashes, ref_hash)
    to_grade = [mid for mid, _ in chosen if rows[mid][0] == "not graded"]

    def grade(mid):
        if args.max_seconds and time.monotonic() - started > args.max_seconds:
            return
        d = os.path.join(work, mid)
        status, failed, seconds = lab.run_tests(d, test_timeout, wall, lab.ntests)
        rows[mid] = [status, "; ".join(failed[:3]), seconds]
        for f in os.listdir(d):         # keep the source and logs, not the binaries
            if f not in (lab.file, "run.log", "results.jsonl"):
                p = os.path.join(d, f)
                shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
        print(f"  {mid} {status:8} {seconds:5.1f} s  {dict(chosen)[mid].describe()[:90]}",
              flush=True)

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(grade, to_grade))
    lab.equivalent = args.equivalent or f"harness/{lab_name}/equivalent.tsv"
    set_apart_equivalents(judged_equivalent(lab.equivalent), chosen, rows, lines)
    write_report(lab, args, out, chosen, rows, len(everything), time.monotonic() - started,
                 test_timeout, wall)


def write_report(lab, args, out, chosen, rows, generated, seconds, test_timeout, wall):
    count = lambda *s: sum(rows[mid][0] in s for mid, _ in chosen)
    killed, survived, equivalent = count("killed"), count("survived"), count("equivalent")
    graded = killed + survived + equivalent
    rate = f"{100 * killed / (killed + survived):.1f}%" if killed + survived else "n/a"
    subset = (f"{len(chosen)} of {generated} generated"
              + (f" (SAMPLE={args.sample} SEED={args.seed})" if args.sample else "")
              + (f" (MATCH={args.match})" if args.match else ""))
    summary = [
        f"mutants: {subset}",
        f"dropped: {count('not compiling')} not compiling, {count('identical object')} identical "
        f"object code to the reference, {count('duplicate')} duplicates of another mutant",
        f"graded: {graded} with {lab.ntests} tests (public + hidden); "
        f"{count('not graded')} not graded (MAX_SECONDS)",
        f"killed: {killed}, survived: {survived}, judged equivalent: {equivalent} "
        f"({lab.equivalent}), kill rate {rate} "
        f"(killed / (killed + survived))",
    ]
    with open(os.path.join(out, "mutants.tsv"), "w") as tsv:
        tsv.write("id\tclass\tline\tstatus\tdetail\tmutated line\n")
        for mid, m in chosen:
            tsv.write(f"{mid}\t{m.kind}\t{m.line}\t{rows[mid][0]}\t{rows[mid][1]}\t"
                      f"{m.new.strip()}\n")
    classes = sorted({m.kind for _, m in chosen})
    with open(os.path.join(out, "report.md"), "w") as md:
        md.write(f"# Mutation analysis of {lab.solution}\n\n")
        md.write("".join(f"- {s}\n" for s in summary))
        fs = subprocess.run(["stat", "-f", "-c", "%T", out], capture_output=True, text=True)
        md.write(f"- bounds: {test_timeout:.0f} s a test, {wall:.0f} s a mutant; "
                 f"scratch files (TMPDIR) on {fs.stdout.strip()}; took {seconds:.0f} s\n\n")
        md.write("| class | mutants | not compiling | identical | duplicate | killed | survived "
                 "| equivalent |\n|---|---|---|---|---|---|---|---|\n")
        for c in classes:
            st = [rows[mid][0] for mid, m in chosen if m.kind == c]
            md.write(f"| {c} | {len(st)} | " + " | ".join(str(st.count(s)) for s in (
                "not compiling", "identical object", "duplicate", "killed", "survived",
                "equivalent")) + " |\n")
        md.write(f"\n## Survivors ({survived})\n\nEach one changes the object code, yet every "
                 "test passes: either a test is missing, or the change cannot alter behaviour "
                 f"(then add it to {lab.equivalent} with the reason).\n")
        for mid, m in chosen:
            if rows[mid][0] == "survived":
                md.write(f"\n### {mid} ({m.kind}, line {m.line})\n\n```diff\n"
                         f"{one_line_diff(lab.solution, m)}```\n")
        md.write(f"\n## Judged equivalent ({equivalent})\n\nSurvivors listed in "
                 f"{lab.equivalent}, with the reason.\n\n")
        for mid, m in chosen:
            if rows[mid][0] == "equivalent":
                md.write(f"- {mid}, line {m.line}: `{m.new.strip()}`: {rows[mid][1]}\n")
        wrong = [mid for mid, _ in chosen if rows[mid][1].startswith("LISTED AS EQUIVALENT")]
        if wrong:
            md.write(f"\nListed as equivalent, yet killed (remove them from the list): "
                     f"{', '.join(wrong)}\n")
        md.write("\nEvery mutant, with its status and the tests that killed it: mutants.tsv\n")
    print(f"mutation {lab.name}: " + "\n  ".join(summary))
    print(f"  report: {os.path.join(out, 'report.md')}")


if __name__ == "__main__":
    main()
