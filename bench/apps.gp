# The applications stage's plot (bench/apps.sh): per program, each way's
# median time over plain glibc's, side by side.
# usage: gnuplot -e "datafile='...'; outfile='...'" bench/apps.gp
set terminal pngcairo size 1400,640 font ",10"
set output outfile
set termoption noenhanced
set bmargin 11
set rmargin 10
set title "Real programs: median time per run over plain glibc 2.36 (lower is faster)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set ylabel "time / plain"
set yrange [0:*]
set grid ytics
set xtics rotate by -35 scale 0 font ",9"
plot datafile using 2:xtic(1) title "plain glibc 2.36", \
     '' using 3 title "libvgetrandom (LD_PRELOAD)", \
     '' using 4 title "glibc 2.41"
