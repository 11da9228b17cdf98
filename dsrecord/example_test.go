package dsrecord_test

import (
	"errors"
	"fmt"

	"github.com/miekg/dns"

	"github.com/dnsseal/dnsseal/dsrecord"
)

// The DS of the P-256 key of RFC 6605 §6.1.
func ExampleFromDNSKEY() {
	rr, err := dns.NewRR(`example.net. 3600 IN DNSKEY 257 3 13 (
		GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb
		krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )`)
	if err != nil {
		fmt.Println(err)
		return
	}
	ds, err := dsrecord.FromDNSKEY(rr.(*dns.DNSKEY), dsrecord.SHA256)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds)
	// Output: example.net.	3600	IN	DS	55648 13 2 B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17
}

// Checking the SHA-1 DS of RFC 4034 §5.4, and the same DS with a digit
// changed.
func ExampleCheck() {
	rr, err := dns.NewRR(`dskey.example.com. 86400 IN DNSKEY 256 3 5 (
		AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/
		2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvx
		egXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9Xzc
		nOf+EPbtG9DMBmADjFDc2w/rljwvFw== )`)
	if err != nil {
		fmt.Println(err)
		return
	}
	key := rr.(*dns.DNSKEY)
	for _, s := range []string{
		"dskey.example.com. 86400 IN DS 60485 5 1 2bb183af5f22588179a53b0a98631fad1a292118",
		"dskey.example.com. 86400 IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292119",
	} {
		ds, err := dsrecord.ParseDS(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		err = dsrecord.Check(ds, key)
		var mm *dsrecord.MismatchError
		switch {
		case err == nil:
			fmt.Println("match")
		case errors.As(err, &mm):
			fmt.Println("no match:", mm.Field)
		default:
			fmt.Println("cannot tell:", err)
		}
	}
	// Output:
	// match
	// no match: digest
}

// A DS from the RDATA alone, as Route 53 reports it, checked against the
// key.
func ExampleParseDSRDATA() {
	ds, err := dsrecord.ParseDSRDATA("example.net.", 3600,
		"55648 13 2 B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17")
	if err != nil {
		fmt.Println(err)
		return
	}
	rr, err := dns.NewRR("example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==")
	if err != nil {
		fmt.Println(err)
		return
	}
	ok, err := dsrecord.Match(ds, rr.(*dns.DNSKEY))
	fmt.Println(ok, err)
	// Output: true <nil>
}

// A SHA-1 DS is refused unless asked for explicitly.
func ExampleNew() {
	rr, err := dns.NewRR("example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==")
	if err != nil {
		fmt.Println(err)
		return
	}
	key := rr.(*dns.DNSKEY)
	_, err = dsrecord.New(key, dsrecord.Options{DigestType: dsrecord.SHA1})
	fmt.Println(errors.Is(err, dsrecord.ErrSHA1))
	ds, err := dsrecord.New(key, dsrecord.Options{DigestType: dsrecord.SHA1, AllowSHA1: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Digest)
	// Output:
	// true
	// 0A2548CAE6E93218F225029AF1AA3DCC09A4A889
}
