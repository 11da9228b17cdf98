package kmsbackend

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/dnsseal/dnsseal/internal/rawsig"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/miekg/dns"
)

// Defaults of Options.
const (
	DefaultFlags       = signer.FlagsKSK // 257
	DefaultTTL         = 3600
	DefaultMaxInFlight = 64
)

// Options configure a Signer. Only Zone is required.
type Options struct {
	// Zone is the owner name of the DNSKEY, the zone the key signs.
	// Required.
	Zone string

	// Flags is the DNSKEY flags field. Zero means DefaultFlags (257, a
	// key-signing key); use signer.FlagsZSK (256) for a zone-signing key.
	Flags uint16

	// TTL is the DNSKEY's TTL. Zero means DefaultTTL (3600).
	TTL uint32

	// MaxInFlight bounds the Sign calls in flight at once; callers beyond
	// it wait (or give up when their context is done). Zero means
	// DefaultMaxInFlight (64); a negative value means no bound.
	MaxInFlight int

	// RateLimit bounds the Sign calls started per second (a token bucket
	// holding Burst tokens). Retries the SDK makes within a call are not
	// counted. Zero or negative means no limit.
	RateLimit float64

	// Burst is the token bucket's capacity when RateLimit is set. Zero
	// means 1: calls are spaced evenly at 1/RateLimit.
	Burst int

	// GrantTokens are passed with every KMS request, for access granted
	// by a grant that is not yet eventually consistent. Usually empty.
	GrantTokens []string
}

// Signer is a DNSSEC algorithm 13 signer whose private key is an AWS KMS
// key. It implements signer.Signer and signer.DigestSigner and is safe
// for concurrent use.
type Signer struct {
	client   SigningClient
	arn      string
	keyID    string
	pub      *ecdsa.PublicKey
	dnskey   *dns.DNSKEY
	verifier *signer.Verifier
	limit    *limiter
	grants   []string
}

var _ signer.DigestSigner = (*Signer)(nil)

// New returns a Signer for the KMS key keyID (a key ID, key ARN, alias
// name alias/NAME or alias ARN). It calls DescribeKey and GetPublicKey
// once; the key must be an enabled ECC_NIST_P256 SIGN_VERIFY key with the
// ECDSA_SHA_256 signing algorithm, or New returns an error wrapping
// ErrUnsuitableKey that says what is wrong and how to fix it.
//
// Signatures are requested for the key's ARN as resolved here, so an
// alias that is later pointed at another key does not change the key the
// Signer uses.
func New(ctx context.Context, client SigningClient, keyID string, opts Options) (*Signer, error) {
	if client == nil {
		return nil, errors.New("kmsbackend: nil client")
	}
	if keyID == "" {
		return nil, errors.New("kmsbackend: empty key ID")
	}
	owner, err := ownerName(opts.Zone)
	if err != nil {
		return nil, err
	}
	d, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID), GrantTokens: opts.GrantTokens})
	if err != nil {
		return nil, explain("DescribeKey", keyID, err)
	}
	md := d.KeyMetadata
	if md == nil || aws.ToString(md.Arn) == "" {
		return nil, fmt.Errorf("kmsbackend: DescribeKey %s: response has no key metadata or ARN", keyID)
	}
	arn := aws.ToString(md.Arn)
	if ps := keyProblems(md); len(ps) > 0 {
		return nil, unsuitable(keyID, ps)
	}
	pk, err := client.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(arn), GrantTokens: opts.GrantTokens})
	if err != nil {
		return nil, explain("GetPublicKey", keyID, err)
	}
	var ps []Problem
	if pk.KeySpec != "" && pk.KeySpec != types.KeySpecEccNistP256 {
		ps = append(ps, specProblem(string(pk.KeySpec)))
	}
	if pk.KeyUsage != "" && pk.KeyUsage != types.KeyUsageTypeSignVerify {
		ps = append(ps, usageProblem(string(pk.KeyUsage)))
	}
	if len(ps) == 0 && pk.SigningAlgorithms != nil && !slices.Contains(pk.SigningAlgorithms, types.SigningAlgorithmSpecEcdsaSha256) {
		ps = append(ps, algorithmProblem(pk.SigningAlgorithms))
	}
	if len(ps) > 0 {
		return nil, unsuitable(keyID, ps)
	}
	pub, err := parsePublicKey(pk.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("kmsbackend: GetPublicKey %s: %w", keyID, err)
	}
	point, err := pub.Bytes() // 0x04 ‖ X ‖ Y
	if err != nil {
		return nil, fmt.Errorf("kmsbackend: GetPublicKey %s: %w", keyID, err)
	}
	flags, ttl := opts.Flags, opts.TTL
	if flags == 0 {
		flags = DefaultFlags
	}
	if ttl == 0 {
		ttl = DefaultTTL
	}
	k := &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: owner, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: ttl},
		Flags:     flags,
		Protocol:  3,
		Algorithm: dns.ECDSAP256SHA256,
		PublicKey: base64.StdEncoding.EncodeToString(point[1:]),
	}
	v, err := signer.NewVerifier(k)
	if err != nil {
		return nil, fmt.Errorf("kmsbackend: %s: %w", keyID, err)
	}
	maxInFlight := opts.MaxInFlight
	if maxInFlight == 0 {
		maxInFlight = DefaultMaxInFlight
	}
	return &Signer{
		client:   client,
		arn:      arn,
		keyID:    aws.ToString(md.KeyId),
		pub:      pub,
		dnskey:   k,
		verifier: v,
		limit:    newLimiter(maxInFlight, opts.RateLimit, opts.Burst),
		grants:   slices.Clone(opts.GrantTokens),
	}, nil
}

func ownerName(zone string) (string, error) {
	if zone == "" {
		return "", errors.New("kmsbackend: Options.Zone (the DNSKEY owner name) is required")
	}
	if _, ok := dns.IsDomainName(zone); !ok {
		return "", fmt.Errorf("kmsbackend: Options.Zone %q is not a domain name", zone)
	}
	return dns.CanonicalName(zone), nil
}

func unsuitable(keyID string, ps []Problem) error {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Message)
		if p.Fix != "" {
			b.WriteString(" (fix: " + p.Fix + ")")
		}
	}
	return fmt.Errorf("%w: %s: %s", ErrUnsuitableKey, keyID, b.String())
}

// parsePublicKey parses a DER SubjectPublicKeyInfo holding a P-256 key.
func parsePublicKey(der []byte) (*ecdsa.PublicKey, error) {
	if len(der) == 0 {
		return nil, errors.New("no public key in the response")
	}
	p, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	ec, ok := p.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: public key is %T, want ECDSA P-256", ErrUnsuitableKey, p)
	}
	if ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: public key is on %s, want P-256", ErrUnsuitableKey, ec.Curve.Params().Name)
	}
	return ec, nil
}

// Algorithm returns 13 (ECDSAP256SHA256).
func (s *Signer) Algorithm() uint8 { return dns.ECDSAP256SHA256 }

// DNSKEY returns the key's DNSKEY record. The caller must not modify it.
func (s *Signer) DNSKEY() *dns.DNSKEY { return s.dnskey }

// ARN returns the key ARN, as resolved by New.
func (s *Signer) ARN() string { return s.arn }

// KeyID returns the key ID (a UUID, or mrk-… for a multi-Region key).
func (s *Signer) KeyID() string { return s.keyID }

// Public returns the key's public key, an *ecdsa.PublicKey on P-256.
func (s *Signer) Public() crypto.PublicKey { return s.pub }

// Sign hashes data with SHA-256 and signs the digest with KMS
// (MessageType DIGEST, ECDSA_SHA_256). It returns the 64-byte r‖s
// signature after checking it verifies over data.
func (s *Signer) Sign(ctx context.Context, data []byte) ([]byte, error) {
	h := sha256.Sum256(data)
	sig, err := s.signDigest(ctx, h[:])
	if err != nil {
		return nil, err
	}
	if err := s.verifier.Verify(data, sig); err != nil {
		return nil, fmt.Errorf("%w: key %s: %v", ErrInvalidSignature, s.arn, err)
	}
	return sig, nil
}

// SignDigest signs a SHA-256 digest with KMS and returns the 64-byte r‖s
// signature after checking it verifies.
func (s *Signer) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	if len(digest) != sha256.Size {
		return nil, fmt.Errorf("kmsbackend: digest is %d bytes, want %d (SHA-256)", len(digest), sha256.Size)
	}
	sig, err := s.signDigest(ctx, digest)
	if err != nil {
		return nil, err
	}
	r := new(big.Int).SetBytes(sig[:32])
	v := new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(s.pub, digest, r, v) {
		return nil, fmt.Errorf("%w: key %s", ErrInvalidSignature, s.arn)
	}
	return sig, nil
}

// signDigest asks KMS to sign digest and returns the raw r‖s, unverified.
func (s *Signer) signDigest(ctx context.Context, digest []byte) ([]byte, error) {
	if err := s.limit.acquire(ctx); err != nil {
		return nil, fmt.Errorf("kmsbackend: sign with %s: %w", s.arn, err)
	}
	out, err := s.client.Sign(ctx, &kms.SignInput{
		KeyId:            aws.String(s.arn),
		Message:          digest,
		MessageType:      types.MessageTypeDigest,
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
		GrantTokens:      s.grants,
	})
	s.limit.release()
	if err != nil {
		return nil, explain("Sign", s.arn, err)
	}
	if out.SigningAlgorithm != "" && out.SigningAlgorithm != types.SigningAlgorithmSpecEcdsaSha256 {
		return nil, fmt.Errorf("kmsbackend: sign with %s: KMS used signing algorithm %s, want ECDSA_SHA_256", s.arn, out.SigningAlgorithm)
	}
	sig, err := rawsig.AppendRaw(make([]byte, 0, 64), out.Signature, 32)
	if err != nil {
		return nil, fmt.Errorf("%w: key %s: %v", ErrInvalidSignature, s.arn, err)
	}
	return sig, nil
}
