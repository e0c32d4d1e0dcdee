# common.gp - what every figure shares: the TSV columns, row selection with awk, the title
# and caption lines taken from the TSV header, and the PNG (pngcairo when gnuplot has it)
# and SVG terminals. Loaded by the other *.gp scripts; see ./plot for how they are run.
set datafile separator "\t"
# columns: 1 workload 2 cache 3 method 4 size 5 rounds 6 median 7 min 8 max 9 unit
#          10 spread 11 noisy 12 resident 13 rewarms 14 cpu_share
#          15 status ("ok" or why it is excluded)
header(f, key) = system(sprintf("awk -F'\t' '$1 == \"# %s\" { print $2; exit }' '%s'", key, f))
ok(cond) = sprintf("$1 !~ /^#/ && $1 != \"workload\" && $15 == \"ok\" && (%s)", cond)
rows(f, cond) = sprintf("< awk -F'\t' '%s' '%s'", ok(cond), f)
methods(f, cond) = system("awk -F'\t' '".ok(cond)." && !seen[$3]++ { printf \"%s \", $3 }' '".f."'")
# x tics at the sizes present, labelled 4K, 64K, 1M, 1G
sizetics(f, cond) = system("awk -F'\t' '".ok(cond)." && !seen[$4]++ { s = $4; u = \"\"; if (s >= 1073741824) { s = s / 1073741824; u = \"G\" } else if (s >= 1048576) { s = s / 1048576; u = \"M\" } else if (s >= 1024) { s = s / 1024; u = \"K\" } sep = n++ ? \", \" : \"\"; printf(\"%s%c%g%s%c %s\", sep, 34, s, u, 34, $4) }' '".f."'")
maxsize(f, cond) = real(system("awk -F'\\t' '".ok(cond)." && $4 > m { m = $4 } END { print m + 0 }' '".f."'"))
minsize(f, cond) = real(system("awk -F'\\t' '".ok(cond)." && (m == \"\" || $4 < m) { m = $4 } END { print m + 0 }' '".f."'"))
# "cache:method " for each pair with rows: a plot over it never meets an empty selection
pairs(f, cond) = system("awk -F'\t' '".ok(cond)." && !seen[$2 \":\" $3]++ { printf \"%s:%s \", $2, $3 }' '".f."'")
cpart(cm) = cm[1:strstrt(cm, ":") - 1]
mpart(cm) = cm[strstrt(cm, ":") + 1:]
# a log-axis range around the rows' min..max (a single value would make gnuplot warn)
yrange(f, cond) = system("awk -F'\t' '".ok(cond)." && $6 > 0 { v = $7 > 0 ? $7 : $6; if (lo == \"\" || v < lo) lo = v; if ($8 > hi) hi = $8 } END { if (lo == \"\") print \"[*:*]\"; else printf \"[%g:%g]\", lo / 3, hi * 3 }' '".f."'")
count(f, cond) = int(system(sprintf("awk -F'\t' '%s { n++ } END { print n + 0 }' '%s'", ok(cond), f)))

machine = header(data.'/summary.tsv', 'title')
when = header(data.'/summary.tsv', 'date')
mode = header(data.'/summary.tsv', 'run')
noisy = header(data.'/summary.tsv', 'noise_short')
rounds = header(data.'/summary.tsv', 'rounds')

set macros
# Drawn at the size the handouts show them (their text column is 832 px wide), so that
# 12 px labels stay 12 px on screen (~7 pt on A4); footnotes (font ",11") are the smallest.
W = 832
H = 620
PNG = strstrt(GPVAL_TERMINALS, "pngcairo") > 0 \
    ? sprintf("set terminal pngcairo size %d,%d font ',12' noenhanced", W, H) \
    : sprintf("set terminal png size %d,%d font ',12' noenhanced", W, H)
SVG = sprintf("set terminal svg size %d,%d font ',12' noenhanced dynamic", W, H)
# distinct colours (matplotlib's tab10), so that ten methods stay apart
set linetype 1 lc rgb "#1f77b4"
set linetype 2 lc rgb "#ff7f0e"
set linetype 3 lc rgb "#2ca02c"
set linetype 4 lc rgb "#d62728"
set linetype 5 lc rgb "#9467bd"
set linetype 6 lc rgb "#8c564b"
set linetype 7 lc rgb "#e377c2"
set linetype 8 lc rgb "#7f7f7f"
set linetype 9 lc rgb "#bcbd22"
set linetype 10 lc rgb "#17becf"
# a method keeps its colour in every figure, whichever methods were excluded
allm = "read-4K read-64K read-128K read-1M mmap mmap-populate mmap-sequential mf_count_lines wc-l pread read-write mmap-write mf_copy copy_file_range cp ring pipe socketpair"
# the methods of the regimes drawn side by side (pressure, readers), five distinct colours
pm = " mmap mmap-random mmap-sequential pread pread-direct "
pcolor(m) = word("#d62728 #ff7f0e #9467bd #1f77b4 #2ca02c", (p = strstrt(pm, " ".m." "), p > 0 ? words(pm[1:p]) + 1 : 1))
lt(m) = (P = " ".allm." ", p = strstrt(P, " ".m." "), (p > 0 ? words(P[1:p]) : 0) % 10 + 1)
# The heading: the figure's question (ttl, set by each script) over the machine and run,
# centred on the figure, not over the plot area beside the key.
HEAD = "set label 90 ttl at screen 0.5, 0.965 center font ',14'; set label 91 sprintf('%s - %s', machine, mode) at screen 0.5, 0.925 center font ',11'; set tmargin 4.5"
set grid xtics ytics lc rgb "#dddddd"
set border lc rgb "#444444"
set key outside right top vertical Left reverse noautotitle spacing 1.1
set bmargin 8
# keep the first and last points off the border, where log-scale tics get lost
set offsets graph 0.03, graph 0.03, 0, 0
