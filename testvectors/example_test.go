package testvectors_test

import (
	"fmt"
	"strings"

	"github.com/dnsseal/dnsseal/testvectors"
)

// Print the expected key tag and DS of the RFC 6605 P-256 example key.
func ExampleLookupKey() {
	k, ok := testvectors.LookupKey("rfc6605-6.1")
	fmt.Println(ok, k.RFC, k.Section, k.KeyTag)
	for _, ds := range k.DS {
		fmt.Println(ds.DigestType, ds.Digest)
	}
	// Output:
	// true RFC 6605 6.1 55648
	// 2 b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17
}

// Select the keys whose RSA size needs GODEBUG=rsa1024min=0.
func ExampleKeys() {
	for _, k := range testvectors.Keys() {
		if k.WeakRSA {
			fmt.Println(k.Name, k.KeyTag)
		}
	}
	// Output:
	// rfc5702-6.1 9033
	// rfc5155-A-40430 40430
	// rfc5155-A-12708 12708
}

// Count the signatures that must validate and those that must not.
func ExampleSignatures() {
	valid, broken := 0, 0
	for _, s := range testvectors.Signatures() {
		if s.Valid {
			valid++
		} else {
			broken++
		}
	}
	fmt.Println(valid, "valid,", broken, "broken (RFC 8080 as printed)")
	// Output:
	// 101 valid, 4 broken (RFC 8080 as printed)
}

// Look up the NSEC3 hash of the apex of the RFC 5155 zone.
func ExampleNSEC3Hashes() {
	for _, h := range testvectors.NSEC3Hashes() {
		if h.Name == "example." {
			fmt.Println(h.Hash, h.Salt, h.Iterations)
		}
	}
	// Output:
	// 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom aabbccdd 12
}

// The first line of every data file cites its source.
func ExampleRaw() {
	first, _, _ := strings.Cut(string(testvectors.Raw("rfc4509-2.3.zone")), "\n")
	fmt.Println(first)
	// Output:
	// ; RFC 4509 Section 2.3 (example DS record using SHA-256): the RFC 4034 Section 5.4 DNSKEY and its SHA-256 DS.
}

// Walk the denial-of-existence facts of an RFC 5155 example response.
func ExampleRFC5155Responses() {
	for _, r := range testvectors.RFC5155Responses() {
		if r.Section != "B.1" {
			continue
		}
		fmt.Println(r.Title, r.Question.Name)
		for _, p := range r.Proofs {
			verb := "covers"
			if p.Match {
				verb = "matches"
			}
			fmt.Printf("%s: %s %s %s\n", p.Role, p.NSEC3, verb, p.Name)
		}
	}
	// Output:
	// Name Error a.c.x.w.example.
	// closest encloser: b4um86eghhds6nea196smvmlo4ors995.example. matches x.w.example.
	// next closer: 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. covers c.x.w.example.
	// wildcard: 35mthgpgcu1qg68fab165klnsnk3dpvl.example. covers *.x.w.example.
}
