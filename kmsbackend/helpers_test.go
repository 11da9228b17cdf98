package kmsbackend_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/stretchr/testify/require"
)

// env is a kmstest server, a real SDK client for it and a P-256 signing key.
type env struct {
	srv    *kmstest.Server
	client *kms.Client
	key    kmstest.KeyInfo
	pub    *ecdsa.PublicKey
}

func newEnv(t testing.TB, o kmstest.Options) *env {
	t.Helper()
	srv := kmstest.NewServerWith(o)
	t.Cleanup(srv.Close)
	key, err := srv.NewKey("ECC_NIST_P256", "SIGN_VERIFY")
	require.NoError(t, err)
	pub, err := srv.PublicKey(key.ID)
	require.NoError(t, err)
	return &env{srv: srv, client: srv.Client(), key: key, pub: pub.(*ecdsa.PublicKey)}
}

func (e *env) signer(t testing.TB, o kmsbackend.Options) *kmsbackend.Signer {
	t.Helper()
	if o.Zone == "" {
		o.Zone = "example.com."
	}
	s, err := kmsbackend.New(context.Background(), e.client, e.key.ID, o)
	require.NoError(t, err)
	return s
}

// checkSig verifies a 64-byte r‖s signature over data with the server's
// copy of the public key, independently of the code under test.
func checkSig(t testing.TB, pub *ecdsa.PublicKey, data, sig []byte) {
	t.Helper()
	require.Len(t, sig, 64)
	h := sha256.Sum256(data)
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	require.True(t, ecdsa.Verify(pub, h[:], r, s), "signature does not verify")
}
