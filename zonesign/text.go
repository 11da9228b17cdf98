package zonesign

import (
	"encoding/base32"
	"encoding/binary"
	"net/netip"
	"strconv"

	"github.com/miekg/dns"
)

// appendRRText appends the presentation form of one record, exactly as
// miekg/dns's String method writes it, without building a dns.RR for the
// common types. ok is false when the caller must fall back to miekg/dns.
func appendRRText(b []byte, name string, r rec, rd []byte) ([]byte, bool) {
	start := len(b)
	b = append(b, name...)
	b = append(b, '\t')
	b = strconv.AppendUint(b, uint64(r.ttl), 10)
	b = append(b, '\t')
	b = appendClass(b, r.class)
	b = append(b, '\t')
	b = appendType(b, r.typ)
	b = append(b, '\t')
	ok := false
	switch r.typ {
	case dns.TypeA:
		if len(rd) == 4 {
			b = netip.AddrFrom4([4]byte(rd)).AppendTo(b)
			ok = true
		}
	case dns.TypeAAAA:
		// miekg writes IPv4-mapped addresses its own way
		if len(rd) == 16 && !(binary.BigEndian.Uint64(rd) == 0 && binary.BigEndian.Uint32(rd[8:]) == 0xffff) {
			b = netip.AddrFrom16([16]byte(rd)).AppendTo(b)
			ok = true
		}
	case dns.TypeNS, dns.TypeCNAME, dns.TypeDNAME, dns.TypePTR:
		var n int
		b, n = appendNameText(b, rd)
		ok = n == len(rd)
	case dns.TypeMX:
		if len(rd) > 2 {
			b = strconv.AppendUint(b, uint64(binary.BigEndian.Uint16(rd)), 10)
			b = append(b, ' ')
			var n int
			b, n = appendNameText(b, rd[2:])
			ok = n == len(rd)-2
		}
	case dns.TypeDS:
		if len(rd) > 4 {
			b = strconv.AppendUint(b, uint64(binary.BigEndian.Uint16(rd)), 10)
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(rd[2]), 10)
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(rd[3]), 10)
			b = append(b, ' ')
			b = appendHexUpper(b, rd[4:])
			ok = true
		}
	case dns.TypeNSEC:
		var n int
		b, n = appendNameText(b, rd)
		if n > 0 {
			b, ok = appendBitmapText(b, rd[n:])
		}
	case dns.TypeNSEC3:
		if len(rd) >= 5 && len(rd) >= 6+int(rd[4]) {
			sl := int(rd[4])
			hl := int(rd[5+sl])
			if len(rd) >= 6+sl+hl {
				b = strconv.AppendUint(b, uint64(rd[0]), 10)
				b = append(b, ' ')
				b = strconv.AppendUint(b, uint64(rd[1]), 10)
				b = append(b, ' ')
				b = strconv.AppendUint(b, uint64(binary.BigEndian.Uint16(rd[2:])), 10)
				b = append(b, ' ')
				if sl == 0 {
					b = append(b, '-')
				} else {
					b = appendHexUpper(b, rd[5:5+sl])
				}
				b = append(b, ' ')
				b = b32upper.AppendEncode(b, rd[6+sl:6+sl+hl])
				b, ok = appendBitmapText(b, rd[6+sl+hl:])
			}
		}
	}
	if !ok {
		return b[:start], false
	}
	return append(b, '\n'), true
}

// b32upper is base32hex in upper case without padding, as miekg/dns
// writes the NSEC3 next hashed owner name.
var b32upper = base32.HexEncoding.WithPadding(base32.NoPadding)

func appendHexUpper(b []byte, v []byte) []byte {
	const digits = "0123456789ABCDEF"
	for _, c := range v {
		b = append(b, digits[c>>4], digits[c&15])
	}
	return b
}

// appendNameText appends the presentation form of the uncompressed wire
// name at the start of w, escaped as miekg/dns does, and returns the
// length of the wire name, or 0 if w does not start with a valid name.
func appendNameText(b []byte, w []byte) ([]byte, int) {
	start := len(b)
	i := 0
	for {
		if i >= len(w) {
			return b[:start], 0
		}
		l := int(w[i])
		if l == 0 {
			if i == 0 {
				b = append(b, '.')
			}
			return b, i + 1
		}
		if l > 63 || i+1+l > len(w) {
			return b[:start], 0
		}
		for _, c := range w[i+1 : i+1+l] {
			switch {
			case c == '.' || c == ' ' || c == '\'' || c == '@' || c == ';' || c == '(' || c == ')' || c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < ' ' || c > '~':
				b = append(b, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
			default:
				b = append(b, c)
			}
		}
		b = append(b, '.')
		i += 1 + l
	}
}

// appendBitmapText appends " TYPE" for every type of an RFC 4034 §4.1.2
// type bit map.
func appendBitmapText(b []byte, bm []byte) ([]byte, bool) {
	last := -1
	for len(bm) > 0 {
		if len(bm) < 2 {
			return b, false
		}
		win, n := int(bm[0]), int(bm[1])
		if win <= last || n == 0 || n > 32 || len(bm) < 2+n {
			return b, false
		}
		last = win
		for i, c := range bm[2 : 2+n] {
			for bit := range 8 {
				if c&(0x80>>bit) != 0 {
					b = append(b, ' ')
					b = appendType(b, uint16(win<<8|i*8+bit))
				}
			}
		}
		bm = bm[2+n:]
	}
	return b, true
}
