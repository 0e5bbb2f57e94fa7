# ns per call against request size, log-log, from vgetrandom-bench's CSV.
# The top panel holds the series a reader compares (the syscall, the raw
# vDSO, the peers, the library and its generator), drawn bold; the bottom
# panel every other source, with those in faint grey for reference.  Sized
# for a README column (1000 px wide).
#   gnuplot -e "csv='bench.csv'; png='bench.png'; main='a b'; rest='c d'" bench/plot.gp
set terminal pngcairo size 1000,1150 font 'sans,12'
set output png
set datafile separator ','
set logscale xy
set grid
set termoption noenhanced
set xrange [0.8:1.5e6]
set xlabel 'request size (bytes)'
set ylabel 'ns per call (median; lower is better)'
set key top left
set multiplot layout 2,1
set title 'libvgetrandom against the syscall, the raw vDSO and the peers'
plot for [i=1:words(main)] csv using (strcol(1) eq word(main, i) ? $3 : NaN):4 \
     with linespoints lw 3 pt 7 title word(main, i)
set title 'every other source (the top panel in grey)'
plot for [i=1:words(main)] csv using (strcol(1) eq word(main, i) ? $3 : NaN):4 \
     with lines lw 1 lc rgb '#d0d0d0' notitle, \
     for [i=1:words(rest)] csv using (strcol(1) eq word(rest, i) ? $3 : NaN):4 \
     with linespoints lw 1.5 pt i title word(rest, i)
unset multiplot
