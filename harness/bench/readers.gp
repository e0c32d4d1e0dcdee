# readers.gp - many readers: random 4 KiB reads by 1..N threads of one process, total reads
# per second, and what the kernel did per read: page faults (getrusage) and TLB shootdowns
# (/proc/interrupts), warm (solid) and under a memory limit (dashed). Zero counts are not
# drawn (log axis). Variables: data, out, lib. Run by ./plot.
load lib.'common.gp'
f = data.'/readers.tsv'
maxn = maxsize(f, '1')
rrounds = system("awk -F'\\t' '".ok('1')." { print $5; exit }' '".f."'")
ymax = real(system("awk -F'\\t' '".ok('$1 == "readers"')." && $8 > m { m = $8 } END { print m }' '".f."'"))
ymin = real(system("awk -F'\\t' '".ok('$1 == "readers"')." && (m == \"\" || $7 < m) { m = $7 } END { print m }' '".f."'"))
set logscale y 10
set format y "%g"
set xrange [0.75:maxn * 1.33]
set logscale x 2
eval('set xtics ('.system("awk -F'\\t' '".ok('1')." && !s[$4]++ { printf \"%s%d\", n++ ? \", \" : \"\", $4 }' '".f."'").')')
set xlabel "reader threads"
set key inside left top font ",11" spacing 1 samplen 2
ttl = "Many readers of one file: threads of one process, random 4 KiB reads"
note = sprintf("Median of %s rounds, bars min..max. Solid: warm (whole file cached); dashed: in a memory cgroup\nof a quarter of the file. mmap: one mapping shared by the threads (mmap-random: MADV_RANDOM); pread: one fd.\nFaults: minor + major of the process; TLB: the /proc/interrupts TLB line of every CPU (machine-wide: other\nprograms count too). Zeros are not drawn. Run %s.\n%s", rrounds, when, noisy)
dash(c) = c eq 'warm' ? 1 : 2
sel(w, cm) = sprintf('$1 == "%s" && $2 == "%s" && $3 == "%s" && $6 > 0', w, cpart(cm), mpart(cm))
have(w) = pairs(f, sprintf('$1 == "%s" && $6 > 0', w))
do for [term in "png svg"] {
    eval (term eq 'png' ? PNG : SVG)
    set output out.'.'.term
    eval HEAD
    set label 1 note at screen 0.01, 0.155 font ",10"
    set multiplot layout 1, 3 margins 0.1, 0.99, 0.33, 0.84 spacing 0.07
    set title "reads per second" font ",12"
    set ylabel "million per second (log)"
    set yrange [ymin / 2 : ymax * 40]
    plot for [cm in have('readers')] rows(f, sel('readers', cm)) using 4:6:7:8 with yerrorlines \
        lw 2 dt dash(cpart(cm)) pt 7 ps 0.7 lc rgb pcolor(mpart(cm)) title (cpart(cm) eq 'warm' ? mpart(cm) : "")
    unset label
    unset ylabel
    eval "set yrange ".yrange(f, '$1 == "readers-faults" && $6 > 0')
    set title "page faults per read" font ",12"
    plot for [cm in have('readers-faults')] rows(f, sel('readers-faults', cm)) using 4:6:7:8 \
        with yerrorlines lw 2 dt dash(cpart(cm)) pt 7 ps 0.7 lc rgb pcolor(mpart(cm)) notitle
    set title "TLB shootdowns per read" font ",12"
    if (count(f, '$1 == "readers-tlb" && $6 > 0') > 0) {
        eval "set yrange ".yrange(f, '$1 == "readers-tlb" && $6 > 0')
        plot for [cm in have('readers-tlb')] rows(f, sel('readers-tlb', cm)) using 4:6:7:8 \
            with yerrorlines lw 2 dt dash(cpart(cm)) pt 7 ps 0.7 lc rgb pcolor(mpart(cm)) notitle
    } else {
        # A quiet machine may count none at all: nothing to draw on a log axis, so say so.
        set yrange [0.001:1]
        set label 2 "none counted in this run" at graph 0.5, 0.5 center font ",11"
        plot 1e-9 notitle
        unset label 2
    }
    unset multiplot
    set output
}
