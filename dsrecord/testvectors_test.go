package dsrecord_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/testvectors"
)

// TestSharedVectors recomputes every DS of the module-wide vectors of
// package testvectors (the RFC's own DS records and the extra computed
// ones), a second transcription of the same RFC sections.
func TestSharedVectors(t *testing.T) {
	n := 0
	for _, v := range testvectors.Keys() {
		for _, want := range append(v.DS, v.ExtraDS...) {
			t.Run(v.Name+"/"+dsrecord.DigestTypeString(want.DigestType), func(t *testing.T) {
				got, err := dsrecord.New(v.DNSKEY, dsrecord.Options{DigestType: want.DigestType, AllowSHA1: true})
				require.NoError(t, err)
				require.Equal(t, strings.ToUpper(want.Digest), got.Digest)
				ok, err := dsrecord.Match(got, v.DNSKEY)
				require.NoError(t, err)
				require.True(t, ok)
				ok, err = dsrecord.Match(want, v.DNSKEY)
				require.NoError(t, err)
				require.True(t, ok, "%s", want)
				require.NoError(t, dsrecord.Check(want, v.DNSKEY))
			})
			n++
		}
	}
	require.GreaterOrEqual(t, n, 18)
}
