# ipc.gp - parent-to-child message throughput against message size (log2 x): Lab 2's ring in
# shared memory, a pipe, a socketpair; bars min..max. Variables: data, out, lib. Run by ./plot.
load lib.'common.gp'
f = data.'/ipc.tsv'
ms = methods(f, '1')
eval('set xtics ('.sizetics(f, '1').')')
ring = header(f, 'ring')
set logscale x 2
set logscale y 10
set format y "%g"
set xlabel "message size, bytes"
set ylabel "throughput, MB/s (10^6 bytes/s), log scale"
ttl = "Parent to forked child: shared-memory ring vs pipe vs socketpair"
@HEAD
set label 1 sprintf("Median of %s rounds, bars min..max; every message's length and order checked by the receiver.\nKernel default pipe and socket buffers. Ring: %s.\nRun %s.\n%s", rounds, ring, when, noisy) at screen 0.01, 0.105 font ",10"
@PNG
set output out.'.png'
plot for [i = 1:words(ms)] rows(f, sprintf('$3 == "%s"', word(ms, i))) \
        using 4:6:7:8 with yerrorlines lw 2 lt lt(word(ms, i)) pt i title word(ms, i)
@SVG
set output out.'.svg'
replot
set output
