// SPDX-License-Identifier: MIT

// randbench: Go's crypto/rand.Read as a source of vgetrandom-bench (bench/driver.c).
// It speaks that program's child protocol: "--child NAME --target-ms T"
// prints "backend -" and one "SIZE NS_PER_CALL" line per request size,
// measured as the C children measure (three warm-up calls, the count
// doubled until a run takes an eighth of the target, then one timed run of
// the target's length); "--churn" times a goroutine locked to a fresh OS
// thread that makes one 16-byte call, as the C churn times a pthread.
// Go 1.24's runtime serves crypto/rand from the kernel's vDSO getrandom.
package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

var sizes = []int{1, 4, 16, 32, 64, 128, 200, 256, 1024, 4096, 65536, 1 << 20}

func fill(buf []byte) bool {
	n, err := rand.Read(buf)
	return err == nil && n == len(buf)
}

func measure(buf []byte, target time.Duration) float64 {
	for w := 0; w < 3; w++ {
		fill(buf)
	}
	n := 1
	var t time.Duration
	for {
		start := time.Now()
		for i := 0; i < n; i++ {
			if !fill(buf) {
				fmt.Println("error crypto/rand.Read failed")
				os.Exit(1)
			}
		}
		t = time.Since(start)
		if t >= target/8 || n > 1<<30 {
			break
		}
		n *= 2
	}
	n = int(float64(n)*float64(target)/float64(t)) + 1
	start := time.Now()
	for i := 0; i < n; i++ {
		fill(buf)
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

func churn(target time.Duration) float64 {
	done := make(chan bool)
	n := 0
	start := time.Now()
	for time.Since(start) < target {
		for i := 0; i < 16; i++ {
			go func() {
				// A thread of its own, discarded when the goroutine ends
				// locked: the closest Go has to create+join.
				runtime.LockOSThread()
				var b [16]byte
				fill(b[:])
				done <- true
			}()
			<-done
			n++
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

func main() {
	target := 20.0
	doChurn := false
	args := os.Args[1:]
	if len(args) < 2 || args[0] != "--child" {
		fmt.Fprintln(os.Stderr, "usage: randbench --child NAME [--target-ms T] [--churn]")
		os.Exit(2)
	}
	for i := 2; i < len(args); i++ {
		switch args[i] {
		case "--target-ms":
			if i+1 < len(args) {
				target, _ = strconv.ParseFloat(args[i+1], 64)
				i++
			}
		case "--churn":
			doChurn = true
		case "--threads", "--size":
			fmt.Println("skip")
			return
		}
	}
	d := time.Duration(target * float64(time.Millisecond))
	fmt.Println("backend -")
	if doChurn {
		fmt.Printf("16 %.3f\n", churn(d))
		return
	}
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = 1 // pre-fault
	}
	for _, s := range sizes {
		fmt.Printf("%d %.3f\n", s, measure(buf[:s], d))
	}
}
