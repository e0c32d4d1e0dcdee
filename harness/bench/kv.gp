# kv.gp - Lab 3's figure: gets and puts per second on one key-value table shared by client
# processes, five ways, with 1 and 2 clients; points with min..max bars on a log axis (the
# methods span three decades). Variables: data, out, lib. Run by ./plot.
load lib.'common.gp'
f = data.'/kv.tsv'
kvm = " kvstore-file kvstore-shm pread-pwrite unix-socket sqlite-wal "
kx(m) = (p = strstrt(kvm, " ".m." "), p > 0 ? words(kvm[1:p]) : -10)
set xtics ("kvstore\nfile" 0, "kvstore\nshm" 1, "pread\npwrite" 2, "Unix\nsocket" 3, "SQLite\nWAL" 4) font ",11"
set xrange [-0.6:4.6]
set logscale y 10
set format y "%g"
ymin = real(system("awk -F'\\t' '".ok('1')." && (m == \"\" || $7 < m) { m = $7 } END { print m / 3 }' '".f."'"))
ymax = real(system("awk -F'\\t' '".ok('1')." && $8 > m { m = $8 } END { print m * 4 }' '".f."'"))
set yrange [ymin:ymax]
set key inside right top
set bmargin 10
ttl = "Lab 3: unrelated processes sharing one key-value table"
@HEAD
sqlite = system("awk -F'\t' '$1 == \"# kv\" { if (match($2, /SQLite [0-9.]+/)) print substr($2, RSTART, RLENGTH); exit }' '".f."'")
note = sprintf("Median of %s rounds, bars min..max. Clients are processes that open the table by name. Every\nget is checked against the last value put, every put sample key by key. kvstore: Lab 3's reference (lock-free\ngets, puts under its mutex); pread/pwrite: the same table in a file; socket: one server process;\n%s: WAL, synchronous=NORMAL, a transaction per put. Run %s.\n%s", rounds, sqlite, when, noisy)
# multiplot cannot replot: the figure is drawn once per terminal
do for [term in "png svg"] {
    eval (term eq 'png' ? PNG : SVG)
    set output out.'.'.term
    eval HEAD
    set label 1 note at screen 0.01, 0.155 font ",10"
    set ylabel "million operations per second (log)"
    set multiplot layout 1, 2 margins 0.1, 0.98, 0.33, 0.84 spacing 0.07
    set title "gets" font ",12"
    plot rows(f, '$1 == "kv-get" && $4 == 1') using (kx(strcol(3)) - 0.15):6:7:8 with yerrorbars pt 7 ps 1.3 lc rgb "#1f77b4" title "1 client", \
         rows(f, '$1 == "kv-get" && $4 == 2') using (kx(strcol(3)) + 0.15):6:7:8 with yerrorbars pt 5 ps 1.3 lc rgb "#d62728" title "2 clients", \
         rows(f, '$1 == "kv-get" && $4 == 1') using (kx(strcol(3)) - 0.15):6:(sprintf('%.2g', $6)) with labels center offset 0,1.2 font ",10" notitle, \
         rows(f, '$1 == "kv-get" && $4 == 2') using (kx(strcol(3)) + 0.15):6:(sprintf('%.2g', $6)) with labels center offset 0,-1.2 font ",10" notitle
    unset label
    unset ylabel
    set title "puts" font ",12"
    plot rows(f, '$1 == "kv-put" && $4 == 1') using (kx(strcol(3)) - 0.15):6:7:8 with yerrorbars pt 7 ps 1.3 lc rgb "#1f77b4" notitle, \
         rows(f, '$1 == "kv-put" && $4 == 2') using (kx(strcol(3)) + 0.15):6:7:8 with yerrorbars pt 5 ps 1.3 lc rgb "#d62728" notitle, \
         rows(f, '$1 == "kv-put" && $4 == 1') using (kx(strcol(3)) - 0.15):6:(sprintf('%.2g', $6)) with labels center offset 0,1.2 font ",10" notitle, \
         rows(f, '$1 == "kv-put" && $4 == 2') using (kx(strcol(3)) + 0.15):6:(sprintf('%.2g', $6)) with labels center offset 0,-1.2 font ",10" notitle
    unset multiplot
    set output
}
