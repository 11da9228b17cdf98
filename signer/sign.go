package signer

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/internal/dnscrypto"
	"github.com/miekg/dns"
)

// SignOptions are the explicit inputs of an RRSIG besides the RRset and
// the key.
type SignOptions struct {
	// Inception and Expiration bound the signature's validity. Both are
	// required; Expiration must be after Inception and less than 2^31
	// seconds later (RFC 4034 §3.1.5 serial arithmetic).
	Inception, Expiration time.Time

	// TTL is the RRSIG's TTL and Original TTL field. Zero means the TTL
	// of the RRset (the smallest TTL of its records, RFC 2181 §5.2).
	// Records whose TTL differs are signed with this value; a zone signer
	// should normalise them first.
	TTL uint32
}

// ErrInput reports an RRset, key list or options that cannot be signed.
var ErrInput = errors.New("signer: invalid input")

// ErrBadSignature reports a Signer that returned a signature of the wrong
// length for its algorithm (or an empty one).
var ErrBadSignature = errors.New("signer: Signer returned a malformed signature")

// RRsetSigner signs RRsets, reusing its buffers between calls. The zero
// value is ready to use. It is not safe for concurrent use: give each
// goroutine its own, or call Sign, which pools them.
type RRsetSigner struct {
	enc   canonical.Encoder
	owner []byte // canonical wire form of the owner
	set   []byte // canonical RRset
	data  []byte // signed data
}

var pool = sync.Pool{New: func() any { return new(RRsetSigner) }}

// Sign signs rrset with each key in keys and returns one RRSIG per key, in
// the order of keys. The RRset is canonicalised once. It is a convenience
// wrapper around a pooled RRsetSigner.
func Sign(ctx context.Context, rrset []dns.RR, keys []*Key, opts SignOptions) ([]*dns.RRSIG, error) {
	s := pool.Get().(*RRsetSigner)
	defer pool.Put(s)
	return s.Sign(ctx, rrset, keys, opts)
}

// Sign signs rrset with each key in keys and returns one RRSIG per key.
//
// Each RRSIG has the owner, class and TTL of the RRset, Type Covered of
// the RRset, Labels from the owner (RFC 4034 §3.1.3: a leading "*" label is
// not counted), Original TTL equal to the RRSIG TTL, the key's algorithm,
// key tag and signer name, and the given validity. The owner must be at or
// below each key's owner name.
func (s *RRsetSigner) Sign(ctx context.Context, rrset []dns.RR, keys []*Key, opts SignOptions) ([]*dns.RRSIG, error) {
	if len(rrset) == 0 {
		return nil, fmt.Errorf("%w: empty RRset", ErrInput)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no keys", ErrInput)
	}
	if opts.Inception.IsZero() || opts.Expiration.IsZero() {
		return nil, fmt.Errorf("%w: inception and expiration are required", ErrInput)
	}
	if d := opts.Expiration.Sub(opts.Inception); d <= 0 || d >= 1<<31*time.Second {
		return nil, fmt.Errorf("%w: expiration %s is not after inception %s (or is 68 years or more later)",
			ErrInput, opts.Expiration.UTC().Format(time.RFC3339), opts.Inception.UTC().Format(time.RFC3339))
	}
	minTTL := uint32(1<<32 - 1)
	for _, rr := range rrset {
		h := header(rr)
		if h == nil {
			return nil, fmt.Errorf("%w: nil record", ErrInput)
		}
		minTTL = min(minTTL, h.Ttl)
	}
	h := rrset[0].Header()
	if h.Rrtype == dns.TypeRRSIG {
		return nil, fmt.Errorf("%w: RRSIG RRsets are not signed", ErrInput)
	}
	ttl := opts.TTL
	if ttl == 0 {
		ttl = minTTL
	}
	var err error
	s.owner, err = canonical.AppendName(s.owner[:0], h.Name)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	labels := canonical.WireLabels(s.owner)
	s.set, err = s.enc.AppendRRset(s.set[:0], rrset, ttl, labels)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	sigs := make([]*dns.RRSIG, 0, len(keys))
	for _, k := range keys {
		if k == nil || k.Signer == nil || k.dnskey == nil {
			return nil, fmt.Errorf("%w: nil key (make Keys with NewKey)", ErrInput)
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("signer: sign %s/%s: %w", h.Name, dns.Type(h.Rrtype), err)
		}
		if !canonical.IsSubdomainWire(k.wire, s.owner) {
			return nil, fmt.Errorf("%w: %s is not at or below the key's zone %s", ErrInput, h.Name, k.name)
		}
		sig := &dns.RRSIG{
			Hdr:         dns.RR_Header{Name: h.Name, Rrtype: dns.TypeRRSIG, Class: h.Class, Ttl: ttl},
			TypeCovered: h.Rrtype,
			Algorithm:   k.dnskey.Algorithm,
			Labels:      labels,
			OrigTtl:     ttl,
			Expiration:  uint32(opts.Expiration.Unix()),
			Inception:   uint32(opts.Inception.Unix()),
			KeyTag:      k.tag,
			SignerName:  k.name,
		}
		raw, err := s.signData(ctx, k, sig)
		if err != nil {
			return nil, err
		}
		sig.Signature = base64.StdEncoding.EncodeToString(raw)
		sigs = append(sigs, sig)
	}
	return sigs, nil
}

// header returns the header of rr, or nil if rr is nil or a typed nil
// pointer (whose Header method panics).
func header(rr dns.RR) (h *dns.RR_Header) {
	if rr == nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			h = nil
		}
	}()
	return rr.Header()
}

// signData builds the signed data for sig over the canonical RRset in
// s.set and signs it with k.
func (s *RRsetSigner) signData(ctx context.Context, k *Key, sig *dns.RRSIG) ([]byte, error) {
	var err error
	s.data, err = canonical.AppendRRSIGRDATA(s.data[:0], sig)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	s.data = append(s.data, s.set...)
	raw, err := k.Signer.Sign(ctx, s.data)
	if err != nil {
		return nil, fmt.Errorf("signer: sign %s/%s with key %d: %w", sig.Hdr.Name, dns.Type(sig.TypeCovered), k.tag, err)
	}
	if n := dnscrypto.SignatureSize(sig.Algorithm); (n != 0 && len(raw) != n) || len(raw) == 0 {
		return nil, fmt.Errorf("signer: sign %s/%s with key %d: %w: %d bytes for algorithm %d",
			sig.Hdr.Name, dns.Type(sig.TypeCovered), k.tag, ErrBadSignature, len(raw), sig.Algorithm)
	}
	return raw, nil
}

// SignedData returns the RFC 4034 §3.1.8.1 signed data for sig (whose
// Signature field is ignored) over rrset, appended to dst. It is what a
// Signer signs and what a validator verifies.
func SignedData(dst []byte, sig *dns.RRSIG, rrset []dns.RR) ([]byte, error) {
	var enc canonical.Encoder
	dst, err := canonical.AppendRRSIGRDATA(dst, sig)
	if err != nil {
		return dst, err
	}
	return enc.AppendRRset(dst, rrset, sig.OrigTtl, sig.Labels)
}
