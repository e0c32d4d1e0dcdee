# pressure.gp - the larger-than-memory regime: random 4 KiB reads (left) and a sequential scan
# (right) of one file from inside a memory cgroup, against the limit as a fraction of the
# file (log2 x; the last point: it all fits). One line per method, bars min..max.
# Variables: data, out, lib. Run by ./plot.
load lib.'common.gp'
f = data.'/pressure.tsv'
fsize = real(header(f, 'pressure_file'))
ra = word(header(f, 'read_ahead_kb'), 1)
prounds = system("awk -F'\\t' '".ok('1')." { print $5; exit }' '".f."'")
cgv = system("awk -F'\\t' '$1 == \"# pressure\" { print ($2 ~ /cgroup2/ ? \"cgroup2\" : \"v1\"); exit }' '".f."'")
set logscale x 2
set logscale y 10
set format y "%g"
set xrange [0.1:2.5]
set xtics ("1/8" 0.125, "1/4" 0.25, "1/2" 0.5, "1" 1, "fits\n(2x)" 2)
set xlabel "memory limit / file size"
set key inside left top font ",11" spacing 1 samplen 2.5
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 3 lc rgb "#888888"
fs = fsize >= 1073741824 ? sprintf("%g GiB", fsize / 1073741824) : sprintf("%g MiB", fsize / 1048576)
ttl = sprintf("Larger than memory: a %s file read inside a memory cgroup (%s)", fs, cgv)
# limits below the file size are joined by lines; the point where it all fits stands apart
below(w, m) = sprintf('$1 == "%s" && $3 == "%s" && $4 < %.0f', w, m, fsize)
fits(w, m) = sprintf('$1 == "%s" && $3 == "%s" && $4 >= %.0f', w, m, fsize)
# points of the methods side by side, not on top of each other
dodge(m) = 2 ** (0.05 * ((p = strstrt(pm, " ".m." "), p > 0 ? words(pm[1:p]) : 2) - 2))
have(w, op) = methods(f, sprintf('$1 == "%s" && $4 %s %.0f', w, op, fsize))
note = sprintf("Median of %s rounds, bars min..max; the file is evicted, then read in from inside the cgroup.\nRandom: 4 KiB reads at random offsets; scan: 1 MiB at a time, continuing where the last sample stopped.\nmmap* map the file per sample; pread-direct is O_DIRECT (no page cache). read_ahead_kb %s:\na default mmap fault reads that much. Run %s.\n%s", prounds, ra, when, noisy)
do for [term in "png svg"] {
    eval (term eq 'png' ? PNG : SVG)
    set output out.'.'.term
    eval HEAD
    set label 1 note at screen 0.01, 0.155 font ",10"
    set multiplot layout 1, 2 margins 0.1, 0.98, 0.33, 0.84 spacing 0.11
    set title "random 4 KiB reads" font ",12"
    set ylabel "million reads per second (log scale)"
    plot for [m in have('pressure-random', '<')] rows(f, below('pressure-random', m)) \
        using ($4 / fsize * dodge(m)):6:7:8 with yerrorlines lw 2 pt 7 ps 0.8 lc rgb pcolor(m) title m, \
         for [m in have('pressure-random', '>=')] rows(f, fits('pressure-random', m)) \
        using ($4 / fsize * dodge(m)):6:7:8 with yerrorbars lw 2 pt 7 ps 0.8 lc rgb pcolor(m) notitle
    unset label
    set title "sequential scan" font ",12"
    set ylabel "GB/s (log scale)"
    plot for [m in have('pressure-scan', '<')] rows(f, below('pressure-scan', m)) \
        using ($4 / fsize * dodge(m)):6:7:8 with yerrorlines lw 2 pt 7 ps 0.8 lc rgb pcolor(m) notitle, \
         for [m in have('pressure-scan', '>=')] rows(f, fits('pressure-scan', m)) \
        using ($4 / fsize * dodge(m)):6:7:8 with yerrorbars lw 2 pt 7 ps 0.8 lc rgb pcolor(m) notitle
    unset multiplot
    set output
}
