package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// parseAlgorithm accepts an IANA number (13, 14, 15) or a mnemonic
// (ECDSAP256SHA256, ECDSAP384SHA384, ED25519).
func parseAlgorithm(s string) (uint8, error) {
	if n, err := strconv.ParseUint(s, 10, 8); err == nil {
		switch uint8(n) {
		case dns.ECDSAP256SHA256, dns.ECDSAP384SHA384, dns.ED25519:
			return uint8(n), nil
		}
	}
	switch strings.ToUpper(s) {
	case "ECDSAP256SHA256":
		return dns.ECDSAP256SHA256, nil
	case "ECDSAP384SHA384":
		return dns.ECDSAP384SHA384, nil
	case "ED25519":
		return dns.ED25519, nil
	}
	return 0, usagef("unsupported algorithm %q: want 13 (ECDSAP256SHA256), 14 (ECDSAP384SHA384) or 15 (ED25519)", s)
}

func cmdKeygen(e *env, args []string) error {
	fs := newFlagSet(e, "keygen", "keygen -origin ZONE [-ksk] [-algorithm 13] [-dir DIR]",
		"  dnsseal keygen -origin example.com -ksk -dir keys\n  dnsseal keygen -origin example.com -dir keys")
	origin := fs.String("origin", "", "zone the key is for (required)")
	ksk := fs.Bool("ksk", false, "make a key-signing key (flags 257) instead of a zone-signing key (256)")
	alg := fs.String("algorithm", "13", "DNSSEC algorithm: 13 (ECDSAP256SHA256), 14 (ECDSAP384SHA384) or 15 (ED25519)")
	dir := fs.String("dir", ".", "directory to write the K<zone>.+<alg>+<tag>.key and .private files to")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *origin == "" {
		return usagef("-origin is required")
	}
	if _, ok := dns.IsDomainName(*origin); !ok {
		return usagef("bad -origin %q", *origin)
	}
	a, err := parseAlgorithm(*alg)
	if err != nil {
		return err
	}
	flags := signer.FlagsZSK
	if *ksk {
		flags = signer.FlagsKSK
	}
	if err := ensureKeyDir(*dir); err != nil {
		return err
	}
	s, err := localbackend.Generate(a, dns.Fqdn(*origin), flags, localbackend.Options{})
	if err != nil {
		return err
	}
	keyPath, privPath, err := s.SaveBIND(*dir, localbackend.SaveOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "dnsseal: wrote %s and %s\n", keyPath, privPath)
	fmt.Fprintln(e.stdout, s.DNSKEY().String())
	return nil
}
