package testvectors

import (
	"strings"

	"github.com/miekg/dns"
)

// NSEC3HashVector is an owner name and its NSEC3 hash (RFC 5155 §5).
type NSEC3HashVector struct {
	// RFC and Section locate the hash ("RFC 5155", "A" or "B.1" ...).
	RFC, Section string
	// Name is the fully qualified name that is hashed, in lower case.
	Name string
	// Hash is the hash in lower-case base32hex without padding, as it
	// appears in NSEC3 owner names (dns.HashName returns upper case).
	Hash string
	// Algorithm is the hash algorithm (1, SHA-1).
	Algorithm uint8
	// Salt is the salt in hex ("aabbccdd"); "" means no salt.
	Salt string
	// Iterations is the number of additional iterations.
	Iterations uint16
}

// RFC 5155 Appendix A parameters.
const (
	rfc5155Salt       = "aabbccdd"
	rfc5155Iterations = 12
)

// NSEC3Hashes returns the NSEC3 hashes given in RFC 5155: the 12 of
// Appendix A (the zone's original owner names, among them
// H(example) = 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom and
// H(2t7b4g4vsa5smi47k61mv5bv1a22bojr.example) = kohar7mbb8dc2ce8a9qvl8hon4k53uhi),
// then the names the Appendix B responses deny that Appendix A does not
// list (c.x.w.example, *.x.w.example, c.example, z.w.example). All use
// SHA-1, salt aabbccdd and 12 iterations.
func NSEC3Hashes() []NSEC3HashVector {
	var out []NSEC3HashVector
	for _, line := range strings.Split(string(mustRaw("rfc5155-hashes.txt")), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], ";") {
			continue
		}
		if len(f) != 3 {
			panic("testvectors: rfc5155-hashes.txt: bad line " + line)
		}
		out = append(out, NSEC3HashVector{
			RFC: "RFC 5155", Section: f[2],
			Name: strings.ToLower(f[0]), Hash: strings.ToLower(f[1]),
			Algorithm: dns.SHA1, Salt: rfc5155Salt, Iterations: rfc5155Iterations,
		})
	}
	return out
}

// nsec3Hash returns the listed hash of name, or "".
func nsec3Hash(hashes []NSEC3HashVector, name string) string {
	for _, h := range hashes {
		if strings.EqualFold(h.Name, name) {
			return h.Hash
		}
	}
	return ""
}
