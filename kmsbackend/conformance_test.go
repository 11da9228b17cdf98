package kmsbackend_test

import (
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/signer/signertest"
)

// TestConformance runs the signer conformance suite against kmsbackend
// driven by the real aws-sdk-go-v2 KMS client over HTTP to kmstest.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		setup func(*kmstest.Server)
		opts  kmsbackend.Options
	}{
		{name: "KSK", setup: func(*kmstest.Server) {}},
		{name: "ZSK rate limited", setup: func(*kmstest.Server) {}, opts: kmsbackend.Options{Flags: signer.FlagsZSK, MaxInFlight: 4, RateLimit: 2000, Burst: 16}},
		{name: "faults", setup: func(s *kmstest.Server) {
			s.SetThrottleRate(0.3)
			s.SetInternalErrorRate(0.05)
			s.SetLatency(time.Millisecond)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, kmstest.Options{})
			s := e.signer(t, tc.opts)
			tc.setup(e.srv)
			signertest.Run(t, func(t *testing.T) signer.Signer { return s })
		})
	}
}
