package localbackend_test

import (
	"testing"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/signer/signertest"
)

// The shared signer.Signer conformance suite, for every algorithm, both
// ECDSA modes, and a key loaded from BIND files.
func TestConformance(t *testing.T) {
	for _, a := range algs {
		for _, det := range []bool{false, true} {
			name := a.name
			if det {
				name += "/deterministic"
			}
			t.Run(name, func(t *testing.T) {
				s, err := localbackend.Generate(a.alg, "example.com.", signer.FlagsZSK, localbackend.Options{Deterministic: det})
				if err != nil {
					t.Fatal(err)
				}
				signertest.Run(t, func(t *testing.T) signer.Signer { return s })
			})
		}
	}
	t.Run("LoadBIND", func(t *testing.T) {
		signertest.Run(t, func(t *testing.T) signer.Signer {
			s, err := localbackend.LoadBIND("testdata/rfc/Kexample.net.+013+55648", localbackend.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}
