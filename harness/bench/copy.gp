# copy.gp - copying one file five ways, GB/s with the time per copy; bars min..max.
# Variables: data, out, lib. Run by ./plot.
load lib.'common.gp'
f = data.'/copy.tsv'
size = system("awk -F'\t' '".ok('1')." { if ($4 >= 1073741824) printf \"%g GiB\", $4 / 1073741824; else printf \"%g MiB\", $4 / 1048576; exit }' '".f."'")
set yrange [0:*]
set xrange [-0.6:count(f, '1') - 0.4]
set style fill solid 0.6 border lc rgb "#444444"
set boxwidth 0.6
set offsets graph 0.03, graph 0.03, graph 0.15, 0   # room above the bars for their labels
set key off
set ylabel "throughput, GB/s (10^9 bytes/s)"
ttl = sprintf("Copy of a %s file (source warm in the page cache, copy left in it)", size)
@HEAD
set label 1 sprintf("Median of %s rounds, bars min..max; label: median GB/s and time per copy.\ncp is fork+exec of cp(1); every copy compared with its source.\nRun %s.\n%s", rounds, when, noisy) at screen 0.01, 0.105 font ",10"
@PNG
set output out.'.png'
plot rows(f, '1') using 0:6:xtic(3) with boxes lc rgb "#2ca02c", \
     rows(f, '1') using 0:6:7:8 with yerrorbars lc rgb "black" pt 0, \
     rows(f, '1') using 0:8:(sprintf("%.2f GB/s\n%.0f ms", $6, $4 / $6 * 1e-6)) with labels offset 0,1.5
@SVG
set output out.'.svg'
replot
set output
