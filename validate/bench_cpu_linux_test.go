//go:build linux

package validate

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// threadCPU returns the CPU time (user + system) used so far by the
// calling OS thread.
func threadCPU(b *testing.B) time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkVerifyCPU is BenchmarkVerifyInterleaved measured in CPU time
// of the benchmark's own thread, in alternating batches, so that other
// processes competing for the CPU do not distort the ratio. (Garbage
// collection work done on other threads is not counted, which favours
// miekg, the one that allocates.)
func BenchmarkVerifyCPU(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	k := newTestKey(b, "example.", signer.FlagsZSK)
	key := k.dnskey()
	const batch = 50
	for _, n := range []int{1, 4} {
		var rrset []dns.RR
		for i := range n {
			rrset = append(rrset, mustRR(b, fmt.Sprintf("www.Example. 300 IN A 192.0.2.%d", i+1)))
		}
		sig := k.sign(b, rrset)
		opts := VerifyOptions{Now: t0}
		b.Run(fmt.Sprintf("%dRR", n), func(b *testing.B) {
			var v Verifier
			var ours, theirs time.Duration
			ops := 0
			for b.Loop() {
				c0 := threadCPU(b)
				for range batch {
					if f := v.Verify(sig, rrset, key, opts); f != nil {
						b.Fatal(f)
					}
				}
				c1 := threadCPU(b)
				for range batch {
					if err := sig.Verify(key, rrset); err != nil || !sig.ValidityPeriod(t0) {
						b.Fatal(err)
					}
				}
				ours += c1 - c0
				theirs += threadCPU(b) - c1
				ops += batch
			}
			b.ReportMetric(float64(ours.Nanoseconds())/float64(ops), "dnsseal-cpu-ns/op")
			b.ReportMetric(float64(theirs.Nanoseconds())/float64(ops), "miekg-cpu-ns/op")
			b.ReportMetric(float64(theirs)/float64(ours), "speedup")
		})
	}
}
