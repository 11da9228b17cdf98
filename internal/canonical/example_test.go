package canonical_test

import (
	"fmt"
	"slices"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/miekg/dns"
)

func ExampleLabels() {
	for _, owner := range []string{"www.example.com.", "*.example.com.", "*foo.example.com.", "."} {
		n, err := canonical.Labels(owner)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(owner, n)
	}
	// Output:
	// www.example.com. 3
	// *.example.com. 2
	// *foo.example.com. 3
	// . 0
}

func ExampleCompare() {
	// The names of RFC 4034 §6.1, shuffled.
	names := []string{
		`\200.z.example.`, "z.example.", "Z.a.example.", "*.z.example.", "example.",
		"zABC.a.EXAMPLE.", `\001.z.example.`, "yljkjljk.a.example.", "a.example.",
	}
	slices.SortFunc(names, canonical.Compare)
	for _, n := range names {
		fmt.Println(n)
	}
	// Output:
	// example.
	// a.example.
	// yljkjljk.a.example.
	// Z.a.example.
	// zABC.a.EXAMPLE.
	// z.example.
	// \001.z.example.
	// *.z.example.
	// \200.z.example.
}

func ExampleEncoder_AppendRRset() {
	// A wildcard-expanded answer: the RRSIG has Labels 2, so the signed
	// owner is "*.example.com.", lower-cased at the wire level.
	a, _ := dns.NewRR(`\065.B.Example.COM. 300 IN A 192.0.2.1`)
	var e canonical.Encoder
	b, err := e.AppendRRset(nil, []dns.RR{a}, 3600, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%x\n", b)
	// Output:
	// 012a076578616d706c6503636f6d000001000100000e100004c0000201
}
