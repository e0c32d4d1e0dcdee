# random.gp - random 4 KiB reads of the biggest file, operations per second: pread(2) against
# a mapping, warm and cold cache. Points with min..max bars on a log axis (bars from an
# arbitrary bottom would make a 100x gap look like 3x). Variables: data, out, lib. Run by ./plot.
load lib.'common.gp'
f = data.'/random.tsv'
size = system("awk -F'\t' '".ok('1')." { if ($4 >= 1073741824) printf \"%g GiB\", $4 / 1073741824; else printf \"%g MiB\", $4 / 1048576; exit }' '".f."'")
set logscale y 10
set format y "%g"
ymin = real(system("awk -F'\\t' '".ok('1')." && (m == \"\" || $7 < m) { m = $7 } END { print m / 2 }' '".f."'"))
ymax = real(system("awk -F'\\t' '".ok('1')." && $8 > m { m = $8 } END { print m * 3 }' '".f."'"))
set yrange [ymin:ymax]
set xrange [-0.6:count(f, '1') - 0.4]
set key inside left bottom
set ylabel "million reads per second (log scale)"
set xtics font ",10"
set bmargin 10
ra = header(f, 'read_ahead_kb')
ttl = sprintf("Random 4 KiB reads of a %s file: pread vs mmap (read_ahead_kb %s)", size, word(ra, 1))
@HEAD
set label 1 sprintf("Median of %s rounds, bars min..max. mmap, mmap-random (MADV_RANDOM): a fresh mapping per\nrepetition, so faults count; mmap-populated: mapped and populated once. Cache checked with mincore.\nRun %s.\n%s", rounds, when, noisy) at screen 0.01, 0.105 font ",10"
# "mmap-populated" is wider than its slot: break after "mmap-"
lbl(c, m) = (strstrt(m, "mmap-") == 1 ? "mmap-\n".m[6:] : m."\n").(c eq 'cold' ? "\n(cold)" : "\n(warm)")
@PNG
set output out.'.png'
plot rows(f, '$2 == "warm"') using 0:6:7:8:xtic(lbl(strcol(2), strcol(3))) with yerrorbars pt 7 ps 1.5 lc rgb "#d62728" title "warm cache", \
     rows(f, '$2 == "cold"') using ($0 + count(f, '$2 == "warm"')):6:7:8:xtic(lbl(strcol(2), strcol(3))) with yerrorbars pt 5 ps 1.5 lc rgb "#1f77b4" title "cold cache", \
     rows(f, '1') using 0:6:(sprintf('%.3g M/s', $6)) with labels offset 0,1.2 notitle
@SVG
set output out.'.svg'
replot
set output
