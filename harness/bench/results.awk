# results.awk - the results page: the targets, a few sentences on each regime, and Markdown
# tables of medians from one run's TSV files (summary.tsv first, then the workloads').
# Usage: awk -f results.awk summary.tsv scan.tsv ratio.tsv ... > results.md   (run by ./plot)
BEGIN { FS = "\t" }
FNR == 1 { file = FILENAME; sub(/.*\//, "", file); sub(/\.tsv$/, "", file) }
/^# / { if (file == "summary") { k = substr($1, 3); env[k] = $2 } ; next }
$1 == "workload" || $1 == "target" { next }
file == "summary" { ntarget++; tname[ntarget] = $1; tval[ntarget] = $2; tthr[ntarget] = $3;
                    tver[ntarget] = $4; tdet[ntarget] = $5; next }
{
    key = $1 SUBSEP $2 SUBSEP $4
    if (!((key) in seenpoint)) { seenpoint[key] = 1; np[$1, $2]++; point[$1, $2, np[$1, $2]] = $4 }
    if (!(($1, $2, $3) in seenm)) { seenm[$1, $2, $3] = 1; nm[$1, $2]++; meth[$1, $2, nm[$1, $2]] = $3 }
    if ($15 == "ok") {
        med[$1, $2, $3, $4] = $6; lo[$1, $2, $3, $4] = $7; hi[$1, $2, $3, $4] = $8
        spr[$1, $2, $3, $4] = $10; unit[$1] = $9
        noisy[$1, $2, $3, $4] = $11 == "noisy"
        if (!(($1, $2) in maxp) || $4 > maxp[$1, $2]) maxp[$1, $2] = $4
        if (!(($1, $2) in minp) || $4 < minp[$1, $2]) minp[$1, $2] = $4
    } else {
        nbad++; bad[nbad] = $1 " " $3 " (" $2 ", " rowlabel($1, $4) "): " $15
    }
    caches[$1, $2] = 1
}
function size(b,    u) {
    u = "B"
    if (b >= 1024 && b % 1024 == 0) { b /= 1024; u = "KiB" }
    if (b >= 1024 && b % 1024 == 0) { b /= 1024; u = "MiB" }
    if (b >= 1024 && b % 1024 == 0) { b /= 1024; u = "GiB" }
    return b " " u
}
function frac(s,    f) {
    f = s / env["pressure_file"]
    return f >= 1 ? "all fits" : f == 0.5 ? "1/2" : f == 0.25 ? "1/4" : f == 0.125 ? "1/8" : sprintf("%.2f", f)
}
function rowlabel(w, s) {
    if (w ~ /^kv/) return s (s == 1 ? " client" : " clients")
    if (w ~ /^readers/) return s (s == 1 ? " thread" : " threads")
    if (w ~ /^pressure/) return size(s) " (" frac(s) ")"
    return size(s)
}
function has(w, c, m, s) { return (w, c, m, s) in med }
function v(w, c, m, s) { return has(w, c, m, s) ? med[w, c, m, s] : 0 }
function cell(w, c, m, s) {
    if (!has(w, c, m, s)) return "-"
    return sprintf("%.3g%s", med[w, c, m, s], noisy[w, c, m, s] ? "*" : "")
}
function x(a, b) { return b > 0 ? sprintf("%.1fx", a / b) : "-" }
function persec(m) { return m >= 1 ? sprintf("%.2g M/s", m) : m >= 0.001 ? sprintf("%.3g k/s", m * 1e3) : sprintf("%.3g /s", m * 1e6) }
# table(w, c, title, base, ratio_m, text): one row per point, one column per method
function table(w, c, title, base, ratio_m, text,    i, j, s, line) {
    if (!((w, c) in caches)) return
    printf "\n### %s\n\n", title
    if (text != "") printf "%s\n\n", text
    printf "| %s |", w ~ /^kv/ ? "clients" : w ~ /^readers/ ? "threads" : w ~ /^pressure/ ? "memory limit" : "size"
    for (j = 1; j <= nm[w, c]; j++) printf " %s |", meth[w, c, j]
    if (ratio_m != "") printf " %s / %s |", ratio_m, base
    printf "\n|---|"
    for (j = 1; j <= nm[w, c]; j++) printf "---:|"
    if (ratio_m != "") printf "---:|"
    printf "\n"
    for (i = 1; i <= np[w, c]; i++) {
        s = point[w, c, i]
        printf "| %s |", rowlabel(w, s)
        for (j = 1; j <= nm[w, c]; j++) printf " %s |", cell(w, c, meth[w, c, j], s)
        if (ratio_m != "") {
            line = "-"
            if (has(w, c, ratio_m, s) && has(w, c, base, s) && med[w, c, base, s] > 0)
                line = sprintf("%.2fx", med[w, c, ratio_m, s] / med[w, c, base, s])
            printf " %s |", line
        }
        printf "\n"
    }
}
function fio_table(    j, job, w, a, b, d, allowed, verdict, nflag, wide) {
    if (!(("fio-psync-read-1M", "warm") in caches)) {
        if (env["fio"] != "") printf "\nfio: %s\n", env["fio"]
        return
    }
    print ""
    print "## Cross-check with fio"
    print ""
    print "fio (" env["fio"] "). mmbench times the operation fio's engine does"
    print "(psync: pread into a page-aligned buffer; mmap: memcpy out of a mapping made for the sample,"
    print "MADV_SEQUENTIAL or MADV_RANDOM as fio advises), for the same time, in the same rounds. A point is"
    print "flagged when the medians differ by more than the larger of the two spreads."
    print ""
    print "| job | mmbench (min-max) | fio (min-max) | difference | spread | verdict |"
    print "|---|---:|---:|---:|---:|---|"
    split("psync-read-1M psync-randread-4K mmap-read-1M mmap-randread-4K", job, " ")
    for (j = 1; j <= 4; j++) {
        w = "fio-" job[j]
        if (!has(w, "warm", "mmbench", maxp[w, "warm"]) || !has(w, "warm", "fio", maxp[w, "warm"])) {
            printf "| %s | - | - | - | - | not measured |\n", job[j]; continue
        }
        s = maxp[w, "warm"]
        a = med[w, "warm", "mmbench", s]; b = med[w, "warm", "fio", s]
        d = (a > b ? a - b : b - a) / ((a + b) / 2)
        allowed = spr[w, "warm", "mmbench", s] > spr[w, "warm", "fio", s] ? spr[w, "warm", "mmbench", s] : spr[w, "warm", "fio", s]
        verdict = d <= allowed ? "agree" : "DIFFER"
        nflag += d > allowed
        if (allowed > wide) wide = allowed
        printf "| %s | %.3g (%.3g-%.3g) %s | %.3g (%.3g-%.3g) %s | %.0f%% | %.0f%% | %s |\n", job[j],
            a, lo[w, "warm", "mmbench", s], hi[w, "warm", "mmbench", s], unit[w],
            b, lo[w, "warm", "fio", s], hi[w, "warm", "fio", s], unit[w], 100 * d, 100 * allowed, verdict
    }
    print ""
    if (nflag == 0) {
        print "Every point agrees within the run's own spread: mmbench's clock, cache control and rounds measure what fio measures."
        if (wide > 0.15) printf "The spreads are wide (up to %.0f%%): the machine was busy, so this agreement is weak evidence; compare the medians.\n", 100 * wide
    }
    else {
        print "Where a point differs: fio does work per I/O that mmbench's loop does not (it picks each offset"
        print "through its own generator, fills in an I/O unit, accounts for it), which shows at 4 KiB, where"
        print "one read costs a few hundred nanoseconds; at 1 MiB the copy dominates and the two agree better."
        print "A difference at 1 MiB means the run was disturbed (see the spreads) or the two differ in"
        print "where the file's pages sit (fio maps its own view; a fresh mapping faults its pages in)."
    }
}
function kv_section(    gs, gk, gsq, pk1, pk2, pp1) {
    if (!(("kv-get", "-") in caches)) {
        if (env["kv"] != "") printf "\nLab 3 (key-value table): %s\n", env["kv"]
        return
    }
    gs = v("kv-get", "-", "kvstore-shm", 1); gk = v("kv-get", "-", "unix-socket", 1)
    gsq = v("kv-get", "-", "sqlite-wal", 1)
    pk1 = v("kv-put", "-", "kvstore-shm", 1); pk2 = v("kv-put", "-", "kvstore-shm", 2)
    pp1 = v("kv-put", "-", "pread-pwrite", 1)
    print ""
    print "## Lab 3: unrelated processes sharing a key-value table"
    print ""
    print "Client processes open one table by name and do gets, then puts (" env["kv"] ")."
    printf "A get through Lab 3's mapping (%s) is a hash, a few loads and a copy, with no system call:\n", persec(gs)
    printf "%s the rate of the Unix-socket server (%s), which costs two system calls and two context\n", x(gs, gk), persec(gk)
    printf "switches per request, and %s that of SQLite (%s: a B-tree walk and a lock per statement). Puts take\n", x(gs, gsq), persec(gsq)
    printf "kvstore's robust mutex: %s with one client, %s with two, which contend for it and for the\n", persec(pk1), persec(pk2)
    printf "cache lines of the table. The pread/pwrite table (%s puts) pays a system call and a copy per\n", persec(pp1)
    print "access but needs no locking for readers; every method's results were checked value by value."
    table("kv-get", "-", "Gets (million per second), by client processes", "unix-socket", "kvstore-shm", "")
    table("kv-put", "-", "Puts (million per second), by client processes", "unix-socket", "kvstore-shm", "")
}
function pressure_section(    s0, sf, m, r, d, q, pd, pr, sq, ss, sd, agree) {
    print ""
    print "## Larger than memory"
    print ""
    if (!(("pressure-random", "limit") in caches)) { print "Larger than memory: " (env["pressure"] != "" ? env["pressure"] : "not run") "."; return }
    s0 = minp["pressure-random", "limit"]; sf = maxp["pressure-random", "limit"]
    m = v("pressure-random", "limit", "mmap", s0); r = v("pressure-random", "limit", "mmap-random", s0)
    q = v("pressure-random", "limit", "pread", s0); d = v("pressure-random", "limit", "pread-direct", s0)
    print "The file is read inside a memory cgroup (" env["pressure"] "), so the page cache must evict"
    print "as it reads, on a machine with plenty of RAM. Most memory the cgroup was charged: " env["pressure_peaks"] "."
    print "read_ahead_kb: " env["read_ahead_kb"] "."
    print ""
    printf "With %s of the file in memory, random 4 KiB reads ran at: pread %s, pread with O_DIRECT %s,\n", frac(s0), persec(q), persec(d)
    printf "mmap with MADV_RANDOM %s, and a default mapping %s", persec(r), persec(m)
    if (m > 0 && q > 0 && m < q / 2) {
        printf ", %s slower than pread: each fault reads\n", x(q, m)
        print "read_ahead_kb around the page, and under the limit most of it is evicted before it is used."
    } else print "."
    pd = v("pressure-random", "limit", "mmap-random", sf); pr = v("pressure-random", "limit", "pread", sf)
    printf "When it all fits, mmap-random does %s against pread's %s (%s): the warm regime of the other figures.\n", persec(pd), persec(pr), x(pd, pr)
    print ""
    agree = r > 0 && q > 0 && r < q * 0.7
    print "Crotty, Leis and Pavlo (\"Are You Sure You Want to Use MMAP in Your Database Management System?\","
    print "CIDR 2022) show mmap's random-read throughput collapsing below pread and O_DIRECT once the data"
    print "outgrows memory, and a scan through mmap falling behind one that reads with explicit I/O."
    if (m > 0 && q > 0 && m < q / 2)
        print "Here the default mapping agrees, for a reason of its own: fault read-around."
    else
        print "Here the default mapping does not collapse below pread."
    if (agree) printf "With MADV_RANDOM, mmap also falls below pread (%s its rate), as in the paper.\n", x(r, q)
    else {
        printf "With MADV_RANDOM, one reader keeps up with pread (%s its rate), unlike the paper: with one\n", x(r, q)
        print "thread an eviction costs a page-table update and a local TLB flush, not the cross-CPU TLB"
        print "shootdowns of the paper's many-threaded runs (see Many readers below), and this virtual disk,"
        print "not the kernel's page handling, is the bottleneck; the paper's fast NVMe storage exposes the latter."
    }
    printf "O_DIRECT bypasses the page cache, so the limit does not matter to it (%s at %s, %s when it all fits).\n", persec(d), frac(s0), persec(v("pressure-random", "limit", "pread-direct", sf))
    ss = v("pressure-scan", "limit", "mmap-sequential", s0); sq = v("pressure-scan", "limit", "pread", s0)
    sd = v("pressure-scan", "limit", "pread-direct", s0)
    printf "Scans at %s: mmap-sequential %.3g GB/s, pread %.3g, O_DIRECT %.3g (1 MiB reads one at a time, no\n", frac(s0), ss, sq, sd
    printf "read-ahead), mmap-random %.3g: MADV_RANDOM turns read-ahead off, so every page is a disk read of its own.\n", v("pressure-scan", "limit", "mmap-random", s0)
    if (ss > 0 && sq > 0)
        print (ss >= 0.8 * sq ? "A mapped scan keeps up with pread here: read-ahead works for both, and one reader evicts without contention." \
                              : "A mapped scan falls behind pread here, as in the paper: its evictions must unmap pages first.")
    table("pressure-random", "limit", "Random 4 KiB reads under a memory limit (million reads/s)", "pread", "mmap-random", "")
    table("pressure-random-faults", "limit", "Major page faults per read (mmap methods)", "", "", "")
    table("pressure-scan", "limit", "Sequential scan under a memory limit (GB/s)", "pread", "mmap-sequential", "")
}
function readers_section(    n, pw, mw, pl, ml, rl, t1, tn) {
    print ""
    print "## Many readers"
    print ""
    if (!(("readers", "warm") in caches)) { print "Many readers: " (env["readers"] != "" ? env["readers"] : "not run") "."; return }
    n = maxp["readers", "warm"]
    pw = v("readers", "warm", "pread", n); mw = v("readers", "warm", "mmap", n)
    print "Threads of one process read random 4 KiB pages of one file (" env["readers"] ")."
    printf "Warm, %d threads: pread %s, mmap %s in all.", n, persec(pw), persec(mw)
    if ((("readers", "limit") in caches)) {
        pl = v("readers", "limit", "pread", n); ml = v("readers", "limit", "mmap", n); rl = v("readers", "limit", "mmap-random", n)
        t1 = v("readers-tlb", "limit", "mmap-random", 1); tn = v("readers-tlb", "limit", "mmap-random", n)
        printf " Under the memory limit: pread %s, mmap-random %s,\n", persec(pl), persec(rl)
        printf "default mmap %s. TLB shootdowns per read through the shared mapping (mmap-random): %.3g with\n", persec(ml), t1
        printf "one thread, %.3g with %d (pread: %.3g). Evicting a page that threads have mapped must flush\n", tn, n, v("readers-tlb", "limit", "pread", n)
        print "it from the TLB of every CPU they ran on, an interrupt each; pread's pages are never mapped"
        print "in user space, so evicting them needs none. That is the paper's scaling argument:"
        if (n > 1 && tn > 1.5 * t1) printf "here the shootdowns per read grew %s from 1 to %d threads.\n", x(tn, t1), n
        else printf "here they did not grow measurably from 1 to %d threads (a 2-core machine can only start to show it).\n", n
    } else print ""
    table("readers", "warm", "Reads per second, warm (millions, all threads)", "pread", "mmap", "")
    table("readers", "limit", "Reads per second under a memory limit of a quarter of the file (millions)", "pread", "mmap-random", "")
    table("readers-faults", "limit", "Page faults per read, under the limit", "", "", "")
    table("readers-tlb", "limit", "TLB shootdowns per read, under the limit (machine-wide count)", "", "", "")
}
END {
    print "# Benchmark results"
    print ""
    print "Generated by `make plot` from one run of `mmbench` (do not edit: re-run it). Every number is"
    print "the median of the run's rounds; `*` marks a point whose spread (max - min) / median exceeded 15%."
    print ""
    print "- Machine: " env["cpu"] ", " env["memory"] ", page size " env["page_size"]
    print "- Kernel: " env["kernel"] "; transparent huge pages: " env["thp"]
    print "- Run: " env["date"] ", `" env["command"] "`; " env["mode"]
    print "- Load average at start / end: " env["load_start"] " / " env["load_end"] "; time taken: " env["elapsed"]
    print "- Cache state: " env["cache"]
    print "- File system: " env["filesystem"] "; read_ahead_kb " env["read_ahead_kb"]
    print "- Folios: " env["folios"]
    print "- Memory reclaim: " env["damon"]
    print "- Implementation: " env["implementation"] "; " env["ring"]
    print "- Noise: " env["noisy"]
    print ""
    print "## Targets"
    print ""
    print "The memory ceiling (the same counting loop over a buffer in RAM) is the physical limit of a warm"
    print "scan; `wc -l` and `cp` are reported with their per-round ranges, not judged: their own code sets"
    print "those ratios as much as ours does."
    print ""
    print "| target | value | threshold | verdict | measured |"
    print "|---|---:|---|---|---|"
    for (i = 1; i <= ntarget; i++)
        printf "| %s | %s | %s | %s | %s |\n", tname[i], tval[i], tthr[i], tver[i], tdet[i]
    print ""
    print "## Medians"
    table("scan", "warm", "Whole-file scan, warm page cache (GB/s; memscan is the memory ceiling)", "read-1M", "mmap", \
        "Every page is in the page cache: read(2) copies it into a buffer, a mapping reads it in place after one fault per folio. Small files favour read (a mapping costs a system call and a fault); large ones favour mmap, up to the memory ceiling.")
    table("scan", "cold", "Whole-file scan, cold page cache (GB/s)", "read-1M", "mmap", \
        "No page is cached: every method waits for the disk, and read-ahead decides the speed.")
    table("ratio", "warm", "mmap / read-1M, per-round ratio, warm (above 1: mmap wins)", "", "", "")
    table("ratio", "cold", "mmap / read-1M, per-round ratio, cold", "", "", "")
    table("random", "warm", "Random 4 KiB reads, warm (million reads/s)", "pread", "mmap", \
        "A pread is a system call and a 4 KiB copy; a read through a mapping is a load, plus a page fault the first time a page is touched.")
    table("random", "cold", "Random 4 KiB reads, cold (million reads/s)", "pread", "mmap", \
        "Each read waits for the disk; a default mapping reads read_ahead_kb around each fault, MADV_RANDOM only the page.")
    table("copy", "warm", "Copy, source warm (GB/s)", "cp", "mf_copy", \
        "Every method writes a new file into the page cache; the copy is compared with its source.")
    table("ipc", "-", "Parent to child messages (MB/s), by message size", "pipe", "ring", \
        "Lab 2's ring moves a message with two copies through shared memory and no system call while it is neither full nor empty; a pipe costs two system calls per message.")
    kv_section()
    fio_table()
    pressure_section()
    readers_section()
    if (nbad) {
        print ""
        print "## Not plotted (a wrong answer or a failure: correctness gates performance)"
        print ""
        for (i = 1; i <= nbad; i++) print "- " bad[i]
    }
}
