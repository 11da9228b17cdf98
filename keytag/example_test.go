package keytag_test

import (
	"fmt"

	"github.com/miekg/dns"

	"github.com/dnsseal/dnsseal/keytag"
)

// The P-256 key of RFC 6605 §6.1.
func ExampleCompute() {
	rr, err := dns.NewRR(`example.net. 3600 IN DNSKEY 257 3 13 (
		GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb
		krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )`)
	if err != nil {
		fmt.Println(err)
		return
	}
	tag, err := keytag.Compute(rr.(*dns.DNSKEY))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tag)
	// Output: 55648
}

// An algorithm 1 (RSA/MD5) key tag is the 3rd- and 2nd-to-last octets of
// the public key (RFC 4034 Appendix B.1), here 0x761f.
func ExampleFromRDATA() {
	rdata := []byte{
		0x01, 0x01, 3, 1, // flags 257, protocol 3, algorithm 1
		0x03, 0x01, 0x00, 0x01, // exponent 65537 ...
		0x5b, 0x76, 0x1f, 0xcb, // ... and the end of the modulus
	}
	fmt.Println(keytag.FromRDATA(rdata))
	// Output: 30239
}
