// Package signer defines the Signer interface that every dnsseal key backend
// implements, the Key type that binds a Signer to its DNSKEY, key tag and
// role, and the functions that build RRSIG records from explicit inputs.
//
// A Signer signs the RFC 4034 §3.1.8.1 signed data
// (https://www.rfc-editor.org/rfc/rfc4034#section-3.1.8.1) and returns the
// DNSSEC signature field; everything DNS-specific (canonical form, RRSIG
// RDATA, key tags) is done here, once, so backends stay small.
package signer

import (
	"context"
	"errors"
	"fmt"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/dnsseal/dnsseal/keytag"
	"github.com/miekg/dns"
)

// Signer is a DNSSEC private key.
//
// Implementations must be safe for concurrent use by multiple goroutines.
type Signer interface {
	// Algorithm returns the IANA DNSSEC algorithm number of the key
	// (13 = ECDSAP256SHA256, 14 = ECDSAP384SHA384, 15 = ED25519).
	Algorithm() uint8

	// DNSKEY returns the key's DNSKEY record: owner, flags, protocol 3,
	// algorithm and public key. It does no I/O. The caller must not
	// modify the returned record; use dns.Copy for a private copy.
	DNSKEY() *dns.DNSKEY

	// Sign signs data, which is the RFC 4034 §3.1.8.1 signed data (RRSIG
	// RDATA without the signature, followed by the canonical RRset), and
	// returns the DNSSEC signature field: for algorithm 13 the 64-byte
	// r‖s of RFC 6605 §4, for 14 the 96-byte r‖s, for 15 the 64-byte
	// Ed25519 signature of RFC 8080 §3. Sign hashes data itself.
	//
	// Sign returns ctx.Err() (possibly wrapped) if ctx is done before a
	// signature is made, and never returns a signature that does not
	// verify under the key's DNSKEY for backends whose signatures leave
	// the process (KMS).
	Sign(ctx context.Context, data []byte) ([]byte, error)
}

// Role says which RRsets a key signs in a zone.
type Role uint8

const (
	// RoleZSK signs every authoritative RRset except the apex DNSKEY,
	// CDS and CDNSKEY RRsets when a KSK is present.
	RoleZSK Role = iota + 1
	// RoleKSK signs the apex DNSKEY, CDS and CDNSKEY RRsets.
	RoleKSK
	// RoleCSK signs everything (a combined signing key).
	RoleCSK
)

func (r Role) String() string {
	switch r {
	case RoleZSK:
		return "ZSK"
	case RoleKSK:
		return "KSK"
	case RoleCSK:
		return "CSK"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// Flag bits of the DNSKEY flags field (RFC 4034 §2.1.1).
const (
	FlagZone   uint16 = 0x0100 // bit 7: zone key
	FlagSEP    uint16 = 0x0001 // bit 15: secure entry point
	FlagRevoke uint16 = 0x0080 // bit 8: revoked (RFC 5011)

	FlagsKSK uint16 = FlagZone | FlagSEP // 257
	FlagsZSK uint16 = FlagZone           // 256
)

// Key is a Signer together with the facts derived from its DNSKEY, computed
// once: the key tag, the signer name and the role. A Key is immutable and
// safe for concurrent use.
type Key struct {
	Signer
	dnskey *dns.DNSKEY
	tag    uint16
	role   Role
	name   string // canonical (lower-case, fully qualified) signer name
	wire   []byte // name in canonical wire form
}

// Errors returned by NewKey and the signing functions.
var (
	ErrNotZoneKey = errors.New("signer: DNSKEY does not have the zone key flag (bit 7)")
	ErrBadKey     = errors.New("signer: bad key")
)

// NewKey wraps s as a Key with the given role. If role is 0 it is derived
// from the DNSKEY flags: SEP set means RoleKSK, otherwise RoleZSK. The
// DNSKEY must have the zone key flag, protocol 3 and the signer's algorithm.
func NewKey(s Signer, role Role) (*Key, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil Signer", ErrBadKey)
	}
	k := s.DNSKEY()
	if k == nil {
		return nil, fmt.Errorf("%w: Signer has no DNSKEY", ErrBadKey)
	}
	if k.Flags&FlagZone == 0 {
		return nil, ErrNotZoneKey
	}
	if k.Protocol != 3 {
		return nil, fmt.Errorf("%w: DNSKEY protocol %d, want 3", ErrBadKey, k.Protocol)
	}
	if k.Algorithm != s.Algorithm() {
		return nil, fmt.Errorf("%w: DNSKEY algorithm %d but Signer algorithm %d", ErrBadKey, k.Algorithm, s.Algorithm())
	}
	if _, ok := dns.IsDomainName(k.Hdr.Name); !ok || !dns.IsFqdn(k.Hdr.Name) {
		return nil, fmt.Errorf("%w: DNSKEY owner %q is not a fully qualified name", ErrBadKey, k.Hdr.Name)
	}
	wire, err := canonical.AppendName(nil, k.Hdr.Name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	tag, err := keytag.Compute(k)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	switch role {
	case 0:
		role = RoleZSK
		if k.Flags&FlagSEP != 0 {
			role = RoleKSK
		}
	case RoleZSK, RoleKSK, RoleCSK:
	default:
		return nil, fmt.Errorf("%w: unknown role %d", ErrBadKey, role)
	}
	return &Key{Signer: s, dnskey: k, tag: tag, role: role, name: canonicalName(k.Hdr.Name), wire: wire}, nil
}

// DNSKEY returns the key's DNSKEY record. The caller must not modify it.
func (k *Key) DNSKEY() *dns.DNSKEY { return k.dnskey }

// KeyTag returns the RFC 4034 Appendix B key tag of the key.
func (k *Key) KeyTag() uint16 { return k.tag }

// Role returns the key's role.
func (k *Key) Role() Role { return k.role }

// SignerName returns the lower-case, fully qualified owner of the DNSKEY,
// which is the Signer's Name field of every RRSIG the key makes.
func (k *Key) SignerName() string { return k.name }

// WithRole returns a copy of k with another role.
func (k *Key) WithRole(r Role) *Key {
	c := *k
	c.role = r
	return &c
}

// canonicalName returns the canonical presentation of the name s: its
// wire form lower-cased (so \065 becomes "a") and printed back, with
// escapes only where presentation format needs them. s must be a valid
// name; if it cannot be packed it is returned lower-cased as it is.
func canonicalName(s string) string {
	var buf [canonical.MaxNameLen]byte
	w, err := canonical.AppendName(buf[:0], dns.Fqdn(s))
	if err != nil {
		return dns.CanonicalName(s)
	}
	n, _, err := dns.UnpackDomainName(w, 0)
	if err != nil {
		return dns.CanonicalName(s)
	}
	return n
}
