//go:debug rsa1024min=0

package signer_test

import (
	"testing"

	"github.com/dnsseal/dnsseal/internal/dnscrypto"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/testvectors"
	"github.com/stretchr/testify/require"
)

// TestRFCSignatures verifies every RRSIG of package testvectors with
// signer.NewVerifier and signer.SignedData. The go:debug line lets
// crypto/rsa check the 512-bit keys of RFC 5702 §6.1 and RFC 5155.
func TestRFCSignatures(t *testing.T) {
	n := 0
	for _, v := range testvectors.Signatures() {
		t.Run(v.Name, func(t *testing.T) {
			err := func() error {
				if _, err := signer.NewVerifier(v.Key); err != nil {
					return err
				}
				return verifyRRSIG(t, v.Key, v.RRSIG, v.RRset)
			}()
			switch {
			case v.Key.Algorithm == dnscrypto.ED448:
				require.ErrorIs(t, err, dnscrypto.ErrUnsupported)
			case v.Valid:
				require.NoError(t, err)
				n++
			default:
				require.Error(t, err)
			}
		})
	}
	require.Greater(t, n, 90)
}
