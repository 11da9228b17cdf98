package signer_test

import (
	"testing"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/signer/signertest"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// TestConformance runs the signertest suite against the crypto.Signer
// adapters of every algorithm they support.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		alg   uint8
		owner string
		flags uint16
	}{
		{dns.ECDSAP256SHA256, "example.com.", signer.FlagsZSK},
		{dns.ECDSAP384SHA384, "Example.NET.", signer.FlagsKSK},
		{dns.ED25519, ".", signer.FlagsKSK},
	} {
		t.Run(dns.AlgorithmToString[tc.alg], func(t *testing.T) {
			t.Parallel()
			signertest.Run(t, func(t *testing.T) signer.Signer {
				s, err := signer.FromCryptoSigner(newCryptoKey(t, tc.alg), tc.owner, tc.flags)
				require.NoError(t, err)
				return s
			})
		})
	}
}
