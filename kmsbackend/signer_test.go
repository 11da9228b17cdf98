package kmsbackend_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

func TestNewResolvesKeyReferences(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, kmstest.Options{})
	_, err := e.client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/dnssec-ksk"), TargetKeyId: aws.String(e.key.ID)})
	require.NoError(t, err)
	want := base64.StdEncoding.EncodeToString(mustPoint(t, e.pub))
	for name, ref := range map[string]string{
		"key id":    e.key.ID,
		"key ARN":   e.key.ARN,
		"alias":     "alias/dnssec-ksk",
		"alias ARN": "arn:aws:kms:us-east-1:111122223333:alias/dnssec-ksk",
	} {
		t.Run(name, func(t *testing.T) {
			s, err := kmsbackend.New(ctx, e.client, ref, kmsbackend.Options{Zone: "Example.COM"})
			require.NoError(t, err)
			require.Equal(t, e.key.ARN, s.ARN())
			require.Equal(t, e.key.ID, s.KeyID())
			require.Equal(t, uint8(dns.ECDSAP256SHA256), s.Algorithm())
			k := s.DNSKEY()
			require.Equal(t, "example.com.", k.Hdr.Name)
			require.Equal(t, dns.TypeDNSKEY, k.Hdr.Rrtype)
			require.Equal(t, uint16(dns.ClassINET), k.Hdr.Class)
			require.Equal(t, uint32(3600), k.Hdr.Ttl)
			require.Equal(t, uint16(257), k.Flags)
			require.Equal(t, uint8(3), k.Protocol)
			require.Equal(t, uint8(13), k.Algorithm)
			require.Equal(t, want, k.PublicKey)
			require.True(t, e.pub.Equal(s.Public()))
		})
	}
}

func mustPoint(t *testing.T, pub *ecdsa.PublicKey) []byte {
	t.Helper()
	b, err := pub.Bytes()
	require.NoError(t, err)
	require.Len(t, b, 65)
	return b[1:]
}

func TestNewOptions(t *testing.T) {
	e := newEnv(t, kmstest.Options{})
	s := e.signer(t, kmsbackend.Options{Zone: "sub.example.org.", Flags: signer.FlagsZSK, TTL: 86400})
	require.Equal(t, uint16(256), s.DNSKEY().Flags)
	require.Equal(t, uint32(86400), s.DNSKEY().Hdr.Ttl)
	require.Equal(t, "sub.example.org.", s.DNSKEY().Hdr.Name)
	k, err := signer.NewKey(s, 0)
	require.NoError(t, err)
	require.Equal(t, signer.RoleZSK, k.Role())
}

func TestNewRejects(t *testing.T) {
	ctx := context.Background()
	srv := kmstest.NewServer()
	defer srv.Close()
	c := srv.Client()
	mk := func(spec, usage string) string {
		k, err := srv.NewKey(spec, usage)
		require.NoError(t, err)
		return k.ID
	}
	good := mk("ECC_NIST_P256", "SIGN_VERIFY")
	disabled := mk("ECC_NIST_P256", "SIGN_VERIFY")
	require.NoError(t, srv.SetKeyState(disabled, "Disabled"))
	pending := mk("ECC_NIST_P256", "SIGN_VERIFY")
	require.NoError(t, srv.SetKeyState(pending, "PendingDeletion"))

	for _, tc := range []struct {
		name     string
		key      string
		zone     string
		client   kmsbackend.SigningClient
		unsuited bool
		sdkErr   any
		contains []string
	}{
		{name: "P-384", key: mk("ECC_NIST_P384", "SIGN_VERIFY"), unsuited: true,
			contains: []string{"key spec is ECC_NIST_P384, want ECC_NIST_P256", "create a new key"}},
		{name: "P-521", key: mk("ECC_NIST_P521", "SIGN_VERIFY"), unsuited: true, contains: []string{"ECC_NIST_P521"}},
		{name: "key agreement", key: mk("ECC_NIST_P256", "KEY_AGREEMENT"), unsuited: true,
			contains: []string{"key usage is KEY_AGREEMENT, want SIGN_VERIFY"}},
		{name: "symmetric", key: mk("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), unsuited: true,
			contains: []string{"SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"}},
		{name: "disabled", key: disabled, unsuited: true,
			contains: []string{"key state is Disabled, want Enabled", "aws kms enable-key --key-id " + disabled}},
		{name: "pending deletion", key: pending, unsuited: true,
			contains: []string{"key state is PendingDeletion", "cancel-key-deletion"}},
		{name: "not found", key: "1234abcd-12ab-34cd-56ef-1234567890ab", sdkErr: new(*types.NotFoundException),
			contains: []string{"key not found", "region"}},
		{name: "unknown alias", key: "alias/none", sdkErr: new(*types.NotFoundException)},
		{name: "no zone", key: good, zone: "-", contains: []string{"Options.Zone"}},
		{name: "bad zone", key: good, zone: "a..b", contains: []string{"not a domain name"}},
		{name: "empty key", key: "", contains: []string{"empty key ID"}},
		{name: "nil client", key: good, client: nilClient(), contains: []string{"nil client"}},
		{name: "public key of another curve", key: good, client: lyingClient{c, "ECC_NIST_P384"}, unsuited: true,
			contains: []string{"P-384"}},
		{name: "public key of another spec", key: good, client: lyingClient{c, "spec"}, unsuited: true,
			contains: []string{"key spec is ECC_NIST_P384"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			zone := "example.com."
			switch tc.zone {
			case "-":
				zone = ""
			case "":
			default:
				zone = tc.zone
			}
			var cl kmsbackend.SigningClient = c
			if tc.client != nil || tc.name == "nil client" {
				cl = tc.client
			}
			s, err := kmsbackend.New(ctx, cl, tc.key, kmsbackend.Options{Zone: zone})
			require.Error(t, err)
			require.Nil(t, s)
			require.Equal(t, tc.unsuited, errors.Is(err, kmsbackend.ErrUnsuitableKey), "%v", err)
			if tc.sdkErr != nil {
				require.ErrorAs(t, err, tc.sdkErr)
			}
			for _, c := range tc.contains {
				require.Contains(t, err.Error(), c)
			}
			require.Regexp(t, `^kmsbackend: `, err.Error())
		})
	}
}

func nilClient() kmsbackend.SigningClient { return nil }

// lyingClient answers GetPublicKey with a P-384 key, or with a P-384 spec.
type lyingClient struct {
	*kms.Client
	mode string
}

func (l lyingClient) GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	out, err := l.Client.GetPublicKey(ctx, in, optFns...)
	if err != nil {
		return nil, err
	}
	switch l.mode {
	case "spec":
		out.KeySpec = types.KeySpecEccNistP384
	default:
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			return nil, err
		}
		out.PublicKey, err = x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recordingClient records the Sign requests it passes on.
type recordingClient struct {
	kmsbackend.SigningClient
	mu    sync.Mutex
	signs []*kms.SignInput
}

func (r *recordingClient) Sign(ctx context.Context, in *kms.SignInput, optFns ...func(*kms.Options)) (*kms.SignOutput, error) {
	r.mu.Lock()
	r.signs = append(r.signs, in)
	r.mu.Unlock()
	return r.SigningClient.Sign(ctx, in, optFns...)
}

func TestSignSendsDigestToKeyARN(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, kmstest.Options{})
	_, err := e.client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/ksk"), TargetKeyId: aws.String(e.key.ID)})
	require.NoError(t, err)
	rc := &recordingClient{SigningClient: e.client}
	s, err := kmsbackend.New(ctx, rc, "alias/ksk", kmsbackend.Options{Zone: "example.com.", GrantTokens: []string{"grant-token"}})
	require.NoError(t, err)

	// 10 kB of signed data: more than the 4096-byte limit of a RAW message.
	data := bytes.Repeat([]byte("dnssec"), 10000/6)
	sig, err := s.Sign(ctx, data)
	require.NoError(t, err)
	checkSig(t, e.pub, data, sig)

	require.Len(t, rc.signs, 1)
	in := rc.signs[0]
	h := sha256.Sum256(data)
	require.Equal(t, h[:], in.Message)
	require.Equal(t, types.MessageTypeDigest, in.MessageType)
	require.Equal(t, types.SigningAlgorithmSpecEcdsaSha256, in.SigningAlgorithm)
	require.Equal(t, e.key.ARN, aws.ToString(in.KeyId))
	require.Equal(t, []string{"grant-token"}, in.GrantTokens)
}

func TestSignAndVerifyRRSIG(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, kmstest.Options{})
	s := e.signer(t, kmsbackend.Options{})
	key, err := signer.NewKey(s, 0)
	require.NoError(t, err)
	require.Equal(t, signer.RoleKSK, key.Role())

	dnskeyRR := dns.Copy(s.DNSKEY())
	rrset := []dns.RR{dnskeyRR}
	a, err := dns.NewRR("www.example.com. 300 IN A 192.0.2.1")
	require.NoError(t, err)
	inception := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := signer.SignOptions{Inception: inception, Expiration: inception.Add(30 * 24 * time.Hour)}
	for _, set := range [][]dns.RR{rrset, {a}} {
		sigs, err := signer.Sign(ctx, set, []*signer.Key{key}, opts)
		require.NoError(t, err)
		require.Len(t, sigs, 1)
		rrsig := sigs[0]
		require.Equal(t, key.KeyTag(), rrsig.KeyTag)
		// Differential check: miekg/dns verifies the RRSIG on its own.
		require.NoError(t, rrsig.Verify(s.DNSKEY(), set))
		require.True(t, rrsig.ValidityPeriod(inception.Add(time.Hour)))
	}
}

func TestSignDigest(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, kmstest.Options{})
	s := e.signer(t, kmsbackend.Options{})
	data := []byte("digest me")
	h := sha256.Sum256(data)
	sig, err := s.SignDigest(ctx, h[:])
	require.NoError(t, err)
	checkSig(t, e.pub, data, sig)

	_, err = s.SignDigest(ctx, h[:31])
	require.ErrorContains(t, err, "digest is 31 bytes")

	// As a crypto.Signer, for other protocols.
	cs, err := signer.ToCryptoSigner(ctx, s)
	require.NoError(t, err)
	der, err := cs.Sign(rand.Reader, h[:], crypto.SHA256)
	require.NoError(t, err)
	require.True(t, ecdsa.VerifyASN1(e.pub, h[:], der))
}

func TestBadSignatureIsNeverReturned(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, kmstest.Options{})
	s := e.signer(t, kmsbackend.Options{})
	e.srv.SetBadSignatureRate(1)
	sig, err := s.Sign(ctx, []byte("data"))
	require.ErrorIs(t, err, kmsbackend.ErrInvalidSignature)
	require.Nil(t, sig)
	h := sha256.Sum256([]byte("data"))
	sig, err = s.SignDigest(ctx, h[:])
	require.ErrorIs(t, err, kmsbackend.ErrInvalidSignature)
	require.Nil(t, sig)

	e.srv.SetBadSignatureRate(0)
	sig, err = s.Sign(ctx, []byte("data"))
	require.NoError(t, err)
	checkSig(t, e.pub, []byte("data"), sig)
}

// garbageClient returns a signature that is not DER, or has another
// algorithm.
type garbageClient struct {
	kmsbackend.SigningClient
	sig []byte
	alg types.SigningAlgorithmSpec
}

func (g garbageClient) Sign(ctx context.Context, in *kms.SignInput, optFns ...func(*kms.Options)) (*kms.SignOutput, error) {
	return &kms.SignOutput{KeyId: in.KeyId, Signature: g.sig, SigningAlgorithm: g.alg}, nil
}

func TestMalformedKMSResponses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, kmstest.Options{})
	for _, tc := range []struct {
		name string
		g    garbageClient
		is   error
		msg  string
	}{
		{name: "not DER", g: garbageClient{sig: []byte{1, 2, 3}}, is: kmsbackend.ErrInvalidSignature},
		{name: "empty", g: garbageClient{}, is: kmsbackend.ErrInvalidSignature},
		{name: "r too long", g: garbageClient{sig: append([]byte{0x30, 0x26, 0x02, 0x21, 0x01}, append(bytes.Repeat([]byte{1}, 32), 0x02, 0x01, 0x01)...)}, is: kmsbackend.ErrInvalidSignature},
		{name: "other algorithm", g: garbageClient{sig: []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}, alg: types.SigningAlgorithmSpecEcdsaSha384}, msg: "ECDSA_SHA_384"},
		{name: "valid DER, wrong values", g: garbageClient{sig: []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01}}, is: kmsbackend.ErrInvalidSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := tc.g
			g.SigningClient = e.client
			s, err := kmsbackend.New(ctx, g, e.key.ID, kmsbackend.Options{Zone: "example."})
			require.NoError(t, err)
			sig, err := s.Sign(ctx, []byte("x"))
			require.Error(t, err)
			require.Nil(t, sig)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			if tc.msg != "" {
				require.ErrorContains(t, err, tc.msg)
			}
		})
	}
}

func TestNewHonoursContext(t *testing.T) {
	e := newEnv(t, kmstest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := kmsbackend.New(ctx, e.client, e.key.ID, kmsbackend.Options{Zone: "example."})
	require.Nil(t, s)
	require.ErrorIs(t, err, context.Canceled)

	e.srv.SetLatency(time.Hour)
	defer e.srv.SetLatency(0)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	start := time.Now()
	_, err = kmsbackend.New(ctx2, e.client, e.key.ID, kmsbackend.Options{Zone: "example."})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), time.Second)
}
