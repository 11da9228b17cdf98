package keytag_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/keytag"
	"github.com/dnsseal/dnsseal/testvectors"
)

// TestSharedVectors checks Compute against the module-wide RFC vectors of
// package testvectors, a second transcription of the same RFC sections.
func TestSharedVectors(t *testing.T) {
	vs := testvectors.Keys()
	require.NotEmpty(t, vs)
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			tag, err := keytag.Compute(v.DNSKEY)
			require.NoError(t, err)
			require.Equal(t, v.KeyTag, tag)
			for _, ds := range append(v.DS, v.ExtraDS...) {
				require.Equal(t, ds.KeyTag, tag)
			}
		})
	}
}
