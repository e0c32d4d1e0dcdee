# random.gp - random 4 KiB reads of the biggest file, operations per second: pread(2) against
# a mapping, warm and cold cache; bars min..max. Variables: data, out, lib. Run by ./plot.
load lib.'common.gp'
f = data.'/random.tsv'
size = system("awk -F'\t' '".ok('1')." { if ($4 >= 1073741824) printf \"%g GiB\", $4 / 1073741824; else printf \"%g MiB\", $4 / 1048576; exit }' '".f."'")
set logscale y 10
set format y "%g"
# boxes on a log axis start at its bottom: put it below the smallest min
ymin = real(system("awk -F'\\t' '".ok('1')." && (m == \"\" || $7 < m) { m = $7 } END { print m / 3 }' '".f."'"))
ymax = real(system("awk -F'\\t' '".ok('1')." && $8 > m { m = $8 } END { print m * 3 }' '".f."'"))
set yrange [ymin:ymax]
set xrange [-0.6:count(f, '1') - 0.4]
set style fill solid 0.6 border lc rgb "#444444"
set boxwidth 0.6
set key off
set ylabel "million reads per second (log scale)"
ra = header(f, 'read_ahead_kb')
set title sprintf("Random 4 KiB reads of a %s file: pread vs mmap (read_ahead_kb %s)\n%s - %s", size, word(ra, 1), machine, mode) font ",12"
set label 1 sprintf("Median of %s rounds, bars min..max. mmap and mmap-random (MADV_RANDOM): a fresh mapping per repetition, so faults count; mmap-populated: mapped and populated once. Cache checked with mincore.\nRun %s. %s", rounds, when, noisy) at screen 0.01, 0.045 font ",8"
@PNG
set output out.'.png'
plot rows(f, '1') using 0:6:(strcol(2) eq 'warm' ? 0xd62728 : 0x1f77b4):xtic(strcol(3)."\n(".strcol(2)." cache)") with boxes lc rgb variable, \
     rows(f, '1') using 0:6:7:8 with yerrorbars lc rgb "black" pt 0, \
     rows(f, '1') using 0:8:(sprintf('%.3g M/s', $6)) with labels offset 0,1
@SVG
set output out.'.svg'
replot
set output
