package online

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// TestKMSKSKLocalZSK runs a KSK held in (an emulation of) AWS KMS with a
// local ZSK: KMS signs the DNSKEY RRset once per validity period and is
// never called for other RRsets.
func TestKMSKSKLocalZSK(t *testing.T) {
	ctx := context.Background()
	srv := kmstest.NewServer()
	t.Cleanup(srv.Close)
	info, err := srv.NewKey("ECC_NIST_P256", "SIGN_VERIFY")
	require.NoError(t, err)
	kms, err := kmsbackend.New(ctx, srv.Client(), info.ID, kmsbackend.Options{Zone: "example.com."})
	require.NoError(t, err)
	ksk, err := signer.NewKey(kms, 0)
	require.NoError(t, err)
	require.Equal(t, signer.RoleKSK, ksk.Role())
	local, err := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.com.", signer.FlagsZSK, localbackend.Options{})
	require.NoError(t, err)
	zsk, err := signer.NewKey(local, 0)
	require.NoError(t, err)
	keys := []*signer.Key{ksk, zsk}

	zone := newStaticZone(t, "example.com.", "example.com. 3600 IN NS ns1.example.com.")
	zone.synthA = true
	clock := newClock()
	m, err := New(zone, keys, Options{Now: clock.Now, Validity: 24 * time.Hour, RefreshMargin: 6 * time.Hour})
	require.NoError(t, err)
	srv.ResetCalls()

	for i := range 100 {
		for _, q := range []*dns.Msg{
			newQuery(fmt.Sprintf("h%d.example.com.", i), dns.TypeA, true),
			newQuery(fmt.Sprintf("h%d.example.com.", i), dns.TypeMX, true),
			newQuery("example.com.", dns.TypeNS, true),
		} {
			resp := serve(t, m, q, true)
			verifyAll(t, resp, keys, clock.Now())
		}
	}
	require.Zero(t, srv.Calls("Sign"), "KMS is not on the query path of other RRsets")

	for range 100 {
		resp := serve(t, m, newQuery("example.com.", dns.TypeDNSKEY, true), true)
		require.Equal(t, 1, verifyAll(t, resp, keys, clock.Now()))
		require.Equal(t, ksk.KeyTag(), rrsigs(resp.Answer)[0].KeyTag)
		clock.Advance(10 * time.Minute) // 100 × 10 min < 18 h
	}
	require.Equal(t, int64(1), srv.Calls("Sign"), "one KMS signature per validity period")
	clock.Advance(2 * time.Hour) // now inside the refresh margin
	serve(t, m, newQuery("example.com.", dns.TypeDNSKEY, true), true)
	require.Equal(t, int64(2), srv.Calls("Sign"))
}
