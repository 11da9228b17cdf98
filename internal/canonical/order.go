package canonical

import (
	"bytes"

	"github.com/miekg/dns"
)

// maxLabels bounds the label count of a 255-octet wire name.
const maxLabels = 128

// CompareWire compares two uncompressed wire-format names in the canonical
// order of RFC 4034 §6.1: label by label from the rightmost, each label as a
// case-insensitive (ASCII) octet string where a shorter label that is a
// prefix of a longer one sorts first, and a name that is a proper suffix of
// another sorts first. It returns -1, 0 or +1. Malformed input compares as
// far as it can be read.
func CompareWire(a, b []byte) int {
	var ia, ib [maxLabels]uint8
	na := labelOffsets(a, &ia)
	nb := labelOffsets(b, &ib)
	for na > 0 && nb > 0 {
		na--
		nb--
		la := label(a, ia[na])
		lb := label(b, ib[nb])
		if c := compareLabel(la, lb); c != 0 {
			return c
		}
	}
	switch {
	case na < nb:
		return -1
	case na > nb:
		return 1
	}
	return 0
}

// AppendSortKey appends the sort key of the uncompressed wire name w: its
// labels from the rightmost, each lower-cased, with the octets 0x00 and
// 0x01 escaped as 01 01 and 01 02, and each ended by 0x00. Comparing keys
// as byte strings (bytes.Compare) gives CompareWire's order, the canonical
// order of RFC 4034 §6.1, without finding the labels again on every
// comparison, and a name's key is a prefix of its descendants' keys.
func AppendSortKey(dst, w []byte) []byte {
	var offs [maxLabels]uint8
	k := labelOffsets(w, &offs)
	for k > 0 {
		k--
		for _, c := range label(w, offs[k]) {
			switch {
			case c <= 1:
				dst = append(dst, 1, c+1)
			case 'A' <= c && c <= 'Z':
				dst = append(dst, c+('a'-'A'))
			default:
				dst = append(dst, c)
			}
		}
		dst = append(dst, 0)
	}
	return dst
}

func labelOffsets(n []byte, offs *[maxLabels]uint8) int {
	k := 0
	for i := 0; i < len(n) && n[i] != 0 && k < maxLabels && i < 256; i += int(n[i]) + 1 {
		offs[k] = uint8(i)
		k++
	}
	return k
}

func label(n []byte, off uint8) []byte {
	l := int(n[off])
	end := int(off) + 1 + l
	if end > len(n) {
		end = len(n)
	}
	return n[off+1 : end]
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func compareLabel(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := lower(a[i]), lower(b[i])
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// Compare compares two fully qualified presentation-format names in
// canonical order (RFC 4034 §6.1), decoding escapes. Names that cannot be
// packed sort after all valid names and are compared as strings.
func Compare(a, b string) int {
	if a == b {
		return 0
	}
	var ba, bb [MaxNameLen]byte
	na, erra := dns.PackDomainName(dns.Fqdn(a), ba[:], 0, nil, false)
	nb, errb := dns.PackDomainName(dns.Fqdn(b), bb[:], 0, nil, false)
	switch {
	case erra != nil && errb != nil:
		return bytes.Compare([]byte(a), []byte(b))
	case erra != nil:
		return 1
	case errb != nil:
		return -1
	}
	return CompareWire(ba[:na], bb[:nb])
}

// Equal reports whether two presentation-format names are the same name,
// ignoring ASCII case and escapes.
func Equal(a, b string) bool { return Compare(a, b) == 0 }

// IsSubdomain reports whether child is parent or below it, label-wise
// ("tim." is not a parent of "victim.").
func IsSubdomain(parent, child string) bool {
	var bp, bc [MaxNameLen]byte
	np, err1 := dns.PackDomainName(dns.Fqdn(parent), bp[:], 0, nil, false)
	nc, err2 := dns.PackDomainName(dns.Fqdn(child), bc[:], 0, nil, false)
	if err1 != nil || err2 != nil {
		return false
	}
	return IsSubdomainWire(bp[:np], bc[:nc])
}

// IsSubdomainWire is IsSubdomain for uncompressed wire-format names.
func IsSubdomainWire(parent, child []byte) bool {
	var ip, ic [maxLabels]uint8
	np := labelOffsets(parent, &ip)
	nc := labelOffsets(child, &ic)
	if np > nc {
		return false
	}
	for np > 0 {
		np--
		nc--
		if compareLabel(label(parent, ip[np]), label(child, ic[nc])) != 0 {
			return false
		}
	}
	return true
}
