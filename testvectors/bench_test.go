package testvectors_test

import (
	"testing"

	"github.com/dnsseal/dnsseal/testvectors"
)

// The accessors parse the embedded text on every call; these benchmarks
// show what a caller pays (callers in loops should call once and reuse).

func BenchmarkKeys(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if len(testvectors.Keys()) == 0 {
			b.Fatal("no keys")
		}
	}
}

func BenchmarkSignatures(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if len(testvectors.Signatures()) == 0 {
			b.Fatal("no signatures")
		}
	}
}

func BenchmarkRFC5155Zone(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if len(testvectors.RFC5155Zone().Records) == 0 {
			b.Fatal("no records")
		}
	}
}
