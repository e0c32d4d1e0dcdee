# scan.gp - whole-file scan throughput against file size (log2 x) per method, bars from the
# min to the max sample; warm only, the memory-scan ceiling as a dashed line (a cold scan
# waits for the disk: the ceiling would only squash it). Variables: data, out, lib,
# cache ('warm' or 'cold'). Run by ./plot.
load lib.'common.gp'
f = data.'/scan.tsv'
cond = sprintf('$2 == "%s" && $3 != "memscan"', cache)
ms = methods(f, cond)
eval('set xtics ('.sizetics(f, cond).')')
folios = header(f, 'folios')
# the folio evidence is long: its second part on a line of its own
fp = strstrt(folios, "; pages")
folios = fp > 0 ? folios[1:fp - 1].";\n".folios[fp + 2:] : folios
xmax = maxsize(f, cond)
xmin = minsize(f, cond)
# wc -l starts a process per scan: below 1 MiB that is all it shows, so it is left out there
sel(m) = sprintf('$2 == "%s" && $3 == "%s"%s', cache, m, m eq 'wc-l' ? ' && $4 >= 1048576' : '')
set logscale x 2
set bmargin 9
set logscale y 10
set format y "%g"
set xlabel "file size"
set ylabel "throughput, GB/s (10^9 bytes/s), log scale"
ttl = sprintf("Whole-file scan: count the '\\n' of a file, %s page cache", cache)
@HEAD
what = cache eq 'warm' ? "wc -l is fork+exec of wc(1); the memory ceiling scans a warm buffer.\n" : "Every repetition reads the file from the disk.\n"
set label 1 sprintf("Median of %s rounds, bars min..max. %s%s cache checked with mincore before each %s. Run %s.\nFolios: %s\n%s", rounds, what, cache, cache eq 'warm' ? 'sample' : 'repetition', when, folios, noisy) at screen 0.01, 0.125 font ",10"
lwof(m) = (m eq 'mmap' || m eq 'read-1M') ? 2.5 : 1.2
tit(m) = m eq 'wc-l' ? "wc -l (>= 1 MiB)" : m
cw = sprintf('$2 == "warm" && $3 == "memscan" && $4 >= %.0f && $4 <= %.0f', xmin, xmax)
M = "for [i = 1:words(ms)] rows(f, sel(word(ms, i))) using 4:6:7:8 with yerrorlines lw lwof(word(ms, i)) lt lt(word(ms, i)) pt i ps 0.8 title tit(word(ms, i))"
@PNG
set output out.'.png'
if (cache eq 'warm') {
    plot @M, rows(f, cw) using 4:6 with lines dt 2 lw 2.5 lc rgb "black" title "memory ceiling"
} else {
    plot @M
}
@SVG
set output out.'.svg'
replot
set output
