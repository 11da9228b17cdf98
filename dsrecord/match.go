package dsrecord

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/miekg/dns"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/keytag"
)

// ErrMismatch is wrapped by every *MismatchError, for errors.Is.
var ErrMismatch = errors.New("dsrecord: DS does not match DNSKEY")

// Fields a MismatchError may name.
const (
	FieldOwner        = "owner"
	FieldKeyTag       = "key tag"
	FieldAlgorithm    = "algorithm"
	FieldFlags        = "flags"
	FieldProtocol     = "protocol"
	FieldDigestLength = "digest length"
	FieldDigest       = "digest"
)

// MismatchError reports the first field in which a DS and a DNSKEY differ,
// in the order Check compares them.
type MismatchError struct {
	// Field is one of the Field constants.
	Field string
	// DS and DNSKEY are the two sides' values, as text.
	DS, DNSKEY string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("dsrecord: %s mismatch: DS has %s, DNSKEY has %s", e.Field, e.DS, e.DNSKEY)
}

// Unwrap returns ErrMismatch.
func (e *MismatchError) Unwrap() error { return ErrMismatch }

// Check returns nil if ds is a DS record of k. If they do not match it
// returns a *MismatchError naming the first differing field, compared in
// this order: owner name (ignoring ASCII case and escapes), key tag,
// algorithm, k's Zone Key flag (RFC 4034 §5.2), k's protocol (must be 3),
// digest length and digest bytes (ds.Digest is hex in either case). Any
// other error means the question could not be answered: nil arguments, a
// key that does not decode (ErrKey), an unsupported digest type
// (ErrDigestType, only reported when every other field matches) or a
// digest that is not hex or a nil ds (ErrDigest). SHA-1 DS records are
// checked.
func Check(ds *dns.DS, k *dns.DNSKEY) error {
	if ds == nil {
		return fmt.Errorf("%w: nil DS", ErrDigest)
	}
	if k == nil {
		return fmt.Errorf("%w: nil DNSKEY", ErrKey)
	}
	if !canonical.Equal(ds.Hdr.Name, k.Hdr.Name) {
		return &MismatchError{Field: FieldOwner, DS: ds.Hdr.Name, DNSKEY: k.Hdr.Name}
	}
	tag, err := keytag.Compute(k)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrKey, err)
	}
	if ds.KeyTag != tag {
		return &MismatchError{Field: FieldKeyTag, DS: strconv.Itoa(int(ds.KeyTag)), DNSKEY: strconv.Itoa(int(tag))}
	}
	if ds.Algorithm != k.Algorithm {
		return &MismatchError{Field: FieldAlgorithm, DS: strconv.Itoa(int(ds.Algorithm)), DNSKEY: strconv.Itoa(int(k.Algorithm))}
	}
	if k.Flags&flagZone == 0 {
		return &MismatchError{Field: FieldFlags, DS: "a zone key (flag 256)", DNSKEY: strconv.Itoa(int(k.Flags))}
	}
	if k.Protocol != 3 {
		return &MismatchError{Field: FieldProtocol, DS: "3", DNSKEY: strconv.Itoa(int(k.Protocol))}
	}
	size := DigestSize(ds.DigestType)
	if size == 0 {
		return fmt.Errorf("%w %d", ErrDigestType, ds.DigestType)
	}
	var dsBuf [2 * MaxDigestSize]byte
	got, err := hex.AppendDecode(dsBuf[:0], []byte(ds.Digest))
	if err != nil {
		return fmt.Errorf("%w %q: %w", ErrDigest, ds.Digest, err)
	}
	if len(got) != size {
		return &MismatchError{Field: FieldDigestLength, DS: strconv.Itoa(len(got)), DNSKEY: strconv.Itoa(size)}
	}
	var kBuf [MaxDigestSize]byte
	want, _, err := appendDigest(kBuf[:0], k.Hdr.Name, k, ds.DigestType)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return &MismatchError{Field: FieldDigest, DS: ds.Digest, DNSKEY: upperHex(want)}
	}
	return nil
}

// Match reports whether ds is a DS record of k; see Check for what is
// compared. It returns false and a nil error for a mismatch, and an error
// only when the question could not be answered.
func Match(ds *dns.DS, k *dns.DNSKEY) (bool, error) {
	err := Check(ds, k)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, ErrMismatch) {
		return false, nil
	}
	return false, err
}

// Find returns the keys that ds matches, in order. Several keys can share
// a key tag, but a DS matches at most one key unless keys repeat; keys
// that cannot be checked (for example with an undecodable public key) are
// skipped. It returns nil when nothing matches.
func Find(ds *dns.DS, keys []*dns.DNSKEY) []*dns.DNSKEY {
	var out []*dns.DNSKEY
	for _, k := range keys {
		if ok, _ := Match(ds, k); ok {
			out = append(out, k)
		}
	}
	return out
}
