package route53ksk

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/miekg/dns"
)

// Expect returns the KeySigningKey fields Route 53 should report for the
// key of dnskey in the zone dnskey.Hdr.Name, with the given KMS key ARN
// and KSK name (either may be empty): Flag 257, algorithm 13 and digest
// type 2 with their mnemonics, the key tag, the SHA-256 DS digest in upper
// case hex, the public key, and DSRecord and DNSKEYRecord as Route 53
// writes them. Route 53 publishes every KSK with flags 257, so the flags
// of dnskey are not used. Status, StatusMessage and the dates are left
// empty: they depend on what the operator does.
//
// It returns an error for a nil DNSKEY, an algorithm other than 13, a
// public key that is not a P-256 point, or an owner name that is not a
// domain name.
func Expect(dnskey *dns.DNSKEY, kmsArn, name string) (KeySigningKey, error) {
	if dnskey == nil {
		return KeySigningKey{}, errors.New("route53ksk: nil DNSKEY")
	}
	if dnskey.Algorithm != Algorithm {
		return KeySigningKey{}, fmt.Errorf("route53ksk: DNSKEY algorithm %d: Route 53 KSKs are algorithm %d (%s)", dnskey.Algorithm, Algorithm, AlgorithmMnemonic)
	}
	zone, err := zoneFQDN(dnskey.Hdr.Name)
	if err != nil {
		return KeySigningKey{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(dnskey.PublicKey)
	if err != nil {
		return KeySigningKey{}, fmt.Errorf("route53ksk: DNSKEY public key is not base64: %w", err)
	}
	if !onCurve(raw) {
		return KeySigningKey{}, fmt.Errorf("route53ksk: DNSKEY public key of %d octets is not a P-256 point", len(raw))
	}
	d, err := derive(zone, raw)
	if err != nil {
		return KeySigningKey{}, fmt.Errorf("route53ksk: %w", err)
	}
	return KeySigningKey{
		Name:                     name,
		KmsArn:                   kmsArn,
		Flag:                     Flag,
		SigningAlgorithmMnemonic: AlgorithmMnemonic,
		SigningAlgorithmType:     Algorithm,
		DigestAlgorithmMnemonic:  DigestMnemonic,
		DigestAlgorithmType:      DigestType,
		KeyTag:                   int(d.tag),
		DigestValue:              d.hexDigest(),
		PublicKey:                d.b64(),
		DSRecord:                 d.dsRDATA(),
		DNSKEYRecord:             d.dnskeyRDATA(),
	}, nil
}
