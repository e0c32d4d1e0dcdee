# ratio.gp - mmap throughput divided by read(2) with a 1 MiB buffer, per round, against file
# size: above the y = 1 line mmap wins. Variables: data, out, lib. Run by ./plot.
load lib.'common.gp'
f = data.'/ratio.tsv'
eval('set xtics ('.sizetics(f, '1').')')
set logscale x 2
set logscale y 2
set format y "%g"
set xlabel "file size"
set ylabel "mmap / read-1M throughput (per-round ratio), log scale"
ttl = "When does mmap beat read(2)? Whole-file scan, warm and cold cache"
@HEAD
set label 1 sprintf("Median of the %s per-round ratios, bars min..max (cold points drawn 8%% to the right);\nabove the dashed line mmap is faster.\nRun %s.\n%s", rounds, when, noisy) at screen 0.01, 0.105 font ",10"
@PNG
set output out.'.png'
plot rows(f, '$2 == "warm"') using 4:6:7:8 with yerrorlines lw 2.5 pt 7 lc rgb "#d62728" title "warm cache", \
     rows(f, '$2 == "cold"') using ($4 * 1.08):6:7:8 with yerrorlines lw 2.5 pt 5 lc rgb "#1f77b4" title "cold cache", \
     1 with lines dt 2 lw 2 lc rgb "black" title "y = 1: crossover"
@SVG
set output out.'.svg'
replot
set output
