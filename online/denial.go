package online

import (
	"slices"

	"github.com/dnsseal/dnsseal/internal/canonical"
	"github.com/miekg/dns"
)

// The functions below derive names in canonical order (RFC 4034 §6.1) for
// minimally covering NSEC records, after the "absolute method" of RFC 4471
// (https://www.rfc-editor.org/rfc/rfc4471#section-3): they work on
// lower-cased wire-format names, so escapes and case cannot upset the
// order, and they never produce an upper-case ASCII letter, which would
// sort as its lower-case form.

const maxLabel = 63

// wireName packs name in canonical (lower-case) wire form.
func wireName(name string) ([]byte, bool) {
	w, err := canonical.AppendName(nil, dns.Fqdn(name))
	return w, err == nil
}

// presentation turns a wire-format name back into presentation format.
func presentation(w []byte) (string, bool) {
	s, _, err := dns.UnpackDomainName(w, 0)
	return s, err == nil
}

// fillBelow prepends labels of \255 octets to the wire name w until the
// name is as long as a name can be (255 octets), which makes it the
// greatest name in canonical order among w and its descendants.
func fillBelow(w []byte) []byte {
	for len(w) < canonical.MaxNameLen-1 {
		n := min(maxLabel, canonical.MaxNameLen-len(w)-1)
		l := make([]byte, 0, n+1+len(w))
		l = append(l, byte(n))
		for range n {
			l = append(l, 0xff)
		}
		w = append(l, w...)
	}
	return w
}

// predecessor returns the immediate predecessor of the wire name w = L.P
// among the names below P that are not below L.P, i.e. the greatest name
// smaller than w: with the last octet of L decremented (skipping 'A'..'Z'),
// padded with \255 octets and filled below with \255 labels; or, when L
// ends in a \000 octet, L without it, filled below. It returns false when
// L is the single octet \000 (whose predecessor is P itself, an existing
// name) or w is the root.
func predecessor(w []byte) ([]byte, bool) {
	if len(w) < 2 || w[0] == 0 {
		return nil, false
	}
	n := int(w[0])
	label, parent := w[1:1+n], w[1+n:]
	last := label[n-1]
	var l []byte
	if last == 0 {
		if n == 1 {
			return nil, false
		}
		l = slices.Clone(label[:n-1])
	} else {
		last--
		if last >= 'A' && last <= 'Z' {
			last = 'A' - 1
		}
		l = append(slices.Clone(label[:n-1]), last)
		for len(l) < maxLabel && 1+len(l)+1+len(parent) <= canonical.MaxNameLen {
			l = append(l, 0xff)
		}
	}
	out := make([]byte, 0, canonical.MaxNameLen)
	out = append(out, byte(len(l)))
	out = append(out, l...)
	out = append(out, parent...)
	return fillBelow(out), true
}

// successorSibling returns the smallest name below P that is greater than
// w = L.P and all its descendants: L with a \000 octet appended, or, when
// L cannot grow, L with its trailing \255 octets dropped and its last octet
// incremented (skipping 'A'..'Z'). It returns false if there is none.
func successorSibling(w []byte) ([]byte, bool) {
	if len(w) < 2 || w[0] == 0 {
		return nil, false
	}
	n := int(w[0])
	label, parent := w[1:1+n], w[1+n:]
	if n < maxLabel && len(w)+1 <= canonical.MaxNameLen {
		out := make([]byte, 0, len(w)+1)
		out = append(out, byte(n+1))
		out = append(out, label...)
		out = append(out, 0)
		return append(out, parent...), true
	}
	l := slices.Clone(label)
	for len(l) > 0 && l[len(l)-1] == 0xff {
		l = l[:len(l)-1]
	}
	if len(l) == 0 {
		return nil, false
	}
	l[len(l)-1]++
	if c := l[len(l)-1]; c >= 'A' && c <= 'Z' {
		l[len(l)-1] = 'Z' + 1
	}
	out := make([]byte, 0, len(w))
	out = append(out, byte(len(l)))
	out = append(out, l...)
	return append(out, parent...), true
}

// successor returns the immediate successor of w: \000.w, or, if that is
// too long, the successor sibling of w.
func successor(w []byte) ([]byte, bool) {
	if len(w)+2 <= canonical.MaxNameLen {
		out := make([]byte, 0, len(w)+2)
		out = append(out, 1, 0)
		return append(out, w...), true
	}
	return successorSibling(w)
}

// parentWire returns the parent of the wire name w (w itself for the root).
func parentWire(w []byte) []byte {
	if len(w) < 2 {
		return w
	}
	return w[1+int(w[0]):]
}

// wildcardOf returns *.w.
func wildcardOf(w []byte) []byte {
	out := make([]byte, 0, len(w)+2)
	out = append(out, 1, '*')
	return append(out, w...)
}

// ancestorWithLabels returns the ancestor of w (or w) with n labels.
func ancestorWithLabels(w []byte, n int) []byte {
	for canonical.WireLabels(w) > uint8(n) && len(w) > 1 {
		w = parentWire(w)
	}
	return w
}

// bitmap returns types sorted and without duplicates, as NSEC bitmaps
// are packed.
func bitmap(types ...uint16) []uint16 {
	slices.Sort(types)
	return slices.Compact(types)
}

// defaultTypes are claimed present at a name whose real types are unknown
// (no ZoneInfo) in a NODATA NSEC, minus the query type, as CoreDNS and
// Cloudflare do: a validator only needs the query type to be absent, and
// claiming more types than exist is harmless, while claiming fewer would
// let an RFC 8198 aggressive cache deny data that exists. NS, SOA, DS,
// CNAME and DNAME are left out because their bits change what the NSEC
// proves (a delegation, a zone apex, an alias).
var defaultTypes = []uint16{
	dns.TypeA, dns.TypeHINFO, dns.TypeMX, dns.TypeTXT, dns.TypeAAAA, dns.TypeLOC,
	dns.TypeSRV, dns.TypeNAPTR, dns.TypeCERT, dns.TypeSSHFP, dns.TypeTLSA, dns.TypeSMIMEA,
	dns.TypeOPENPGPKEY, dns.TypeSVCB, dns.TypeHTTPS, dns.TypeURI, dns.TypeCAA,
}
