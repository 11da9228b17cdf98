package testvectors

import (
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Response is one example response of RFC 5155 Appendix B, served from the
// Appendix A zone.
type Response struct {
	// RFC and Section locate the example ("RFC 5155", "B.2.1").
	RFC, Section string
	// Title is the section's title ("No Data Error, Empty Non-Terminal").
	Title string
	// File is the data file, for [Raw].
	File string
	// Question is the query.
	Question dns.Question
	// Authoritative (AA), DO and Rcode are from the printed header (all
	// responses have QR set).
	Authoritative, DO bool
	Rcode             int
	// Answer, Authority and Additional are the message sections. The
	// printed records omit TTLs; they are 3600, as in the zone.
	Answer, Authority, Additional []dns.RR
	// Keys are the Appendix A DNSKEYs (ZSK 40430, KSK 12708; 512-bit RSA)
	// that sign the response's RRSIGs.
	Keys []*dns.DNSKEY
	// Proofs are the facts the RFC says the NSEC3 records of Authority
	// establish, for tests of denial-of-existence logic (RFC 5155 §8).
	Proofs []NSEC3Proof
}

// ProofRole is what an NSEC3 record proves in a response.
type ProofRole string

// The roles of NSEC3 records in RFC 5155 §7.2 and §8.
const (
	// ProofQName: an NSEC3 matches the QNAME, which exists; its type
	// bitmap lacks the QTYPE (and CNAME): a no-data response.
	ProofQName ProofRole = "qname"
	// ProofClosestEncloser: an NSEC3 matches the closest (provable)
	// encloser.
	ProofClosestEncloser ProofRole = "closest encloser"
	// ProofNextCloser: an NSEC3 covers the next closer name, which does
	// not exist (or, with opt-out, may be an unsigned delegation).
	ProofNextCloser ProofRole = "next closer"
	// ProofWildcard: an NSEC3 covers the wildcard at the closest encloser
	// (no wildcard) or matches it (wildcard no-data).
	ProofWildcard ProofRole = "wildcard"
)

// NSEC3Proof is one fact a response's NSEC3 records establish.
type NSEC3Proof struct {
	// Role is what the proof is for.
	Role ProofRole
	// Name is the name whose existence or absence is proved.
	Name string
	// Hash is the NSEC3 hash of Name (lower-case base32hex).
	Hash string
	// NSEC3 is the owner name of the NSEC3 record in Authority that proves it.
	NSEC3 string
	// Match is true when that NSEC3 matches Hash (Name exists), false when
	// it covers Hash (Name does not exist).
	Match bool
}

// Signatures returns a SigVector for every RRSIG of the response, paired
// with its RRset in the response and its key among r.Keys, all valid
// inside the Appendix A window.
func (r Response) Signatures() []SigVector {
	var all []dns.RR
	all = append(all, r.Answer...)
	all = append(all, r.Authority...)
	all = append(all, r.Additional...)
	return signatures(r.RFC, r.Section, all, r.Keys, r.Title)
}

// Msg returns the response as a dns.Msg: header bits, question, sections
// (copied), and an OPT record with the DO bit in Additional when DO is set.
func (r Response) Msg() *dns.Msg {
	m := new(dns.Msg)
	m.Response = true
	m.Authoritative = r.Authoritative
	m.Rcode = r.Rcode
	m.Question = []dns.Question{r.Question}
	cp := func(rrs []dns.RR) []dns.RR {
		out := make([]dns.RR, 0, len(rrs))
		for _, rr := range rrs {
			out = append(out, dns.Copy(rr))
		}
		return out
	}
	m.Answer, m.Ns, m.Extra = cp(r.Answer), cp(r.Authority), cp(r.Additional)
	if r.DO {
		m.SetEdns0(dns.DefaultMsgSize, true)
	}
	return m
}

type responseSpec struct {
	section, title string
	proofs         []NSEC3Proof // Hash is filled in from rfc5155-hashes.txt
}

var responseSpecs = []responseSpec{
	{"B.1", "Name Error", []NSEC3Proof{
		{Role: ProofClosestEncloser, Name: "x.w.example.", NSEC3: "b4um86eghhds6nea196smvmlo4ors995.example.", Match: true},
		{Role: ProofNextCloser, Name: "c.x.w.example.", NSEC3: "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example."},
		{Role: ProofWildcard, Name: "*.x.w.example.", NSEC3: "35mthgpgcu1qg68fab165klnsnk3dpvl.example."},
	}},
	{"B.2", "No Data Error", []NSEC3Proof{
		{Role: ProofQName, Name: "ns1.example.", NSEC3: "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", Match: true},
	}},
	{"B.2.1", "No Data Error, Empty Non-Terminal", []NSEC3Proof{
		{Role: ProofQName, Name: "y.w.example.", NSEC3: "ji6neoaepv8b5o6k4ev33abha8ht9fgc.example.", Match: true},
	}},
	{"B.3", "Referral to an Opt-Out Unsigned Zone", []NSEC3Proof{
		{Role: ProofNextCloser, Name: "c.example.", NSEC3: "35mthgpgcu1qg68fab165klnsnk3dpvl.example."},
		{Role: ProofClosestEncloser, Name: "example.", NSEC3: "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.", Match: true},
	}},
	{"B.4", "Wildcard Expansion", []NSEC3Proof{
		{Role: ProofNextCloser, Name: "z.w.example.", NSEC3: "q04jkcevqvmu85r014c7dkba38o0ji5r.example."},
	}},
	{"B.5", "Wildcard No Data Error", []NSEC3Proof{
		{Role: ProofClosestEncloser, Name: "w.example.", NSEC3: "k8udemvp1j2f7eg6jebps17vp3n8i58h.example.", Match: true},
		{Role: ProofNextCloser, Name: "z.w.example.", NSEC3: "q04jkcevqvmu85r014c7dkba38o0ji5r.example."},
		{Role: ProofWildcard, Name: "*.w.example.", NSEC3: "r53bq7cc2uvmubfu5ocmm6pers9tk9en.example.", Match: true},
	}},
	{"B.6", "DS Child Zone No Data Error", []NSEC3Proof{
		{Role: ProofQName, Name: "example.", NSEC3: "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.", Match: true},
	}},
}

// RFC5155Responses returns the seven example responses of RFC 5155
// Appendix B (B.1, B.2, B.2.1, B.3, B.4, B.5, B.6), with 21 RRSIGs in all,
// including the wildcard answer a.z.w.example MX with Labels 2 (B.4).
// B.6 is stored with the "(" the RFC omits; NSEC3 type lists are sorted.
// The RRSIGs are made with the 512-bit Appendix A ZSK: verifying them with
// crypto/rsa needs GODEBUG=rsa1024min=0.
func RFC5155Responses() []Response {
	hashes := NSEC3Hashes()
	keys := RFC5155Zone().Keys
	out := make([]Response, 0, len(responseSpecs))
	for _, s := range responseSpecs {
		r := Response{RFC: "RFC 5155", Section: s.section, Title: s.title, File: "rfc5155-" + s.section + ".zone"}
		parseResponse(&r, mustRaw(r.File))
		for _, k := range keys {
			r.Keys = append(r.Keys, dns.Copy(k).(*dns.DNSKEY))
		}
		for _, p := range s.proofs {
			p.Hash = nsec3Hash(hashes, p.Name)
			if p.Hash == "" {
				panic("testvectors: no NSEC3 hash listed for " + p.Name)
			}
			r.Proofs = append(r.Proofs, p)
		}
		out = append(out, r)
	}
	return out
}

// parseResponse fills r from a response file: ";; Header:" and
// ";; Question:" comment lines give the header and question, and the
// ";; Answer", ";; Authority" and ";; Additional" lines start the sections.
// Lines before the first section (directives such as $TTL) apply to all.
func parseResponse(r *Response, text []byte) {
	var preamble strings.Builder
	sections := map[string]*strings.Builder{}
	var cur *strings.Builder
	for _, line := range strings.SplitAfter(string(text), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, ";; Header:"):
			for _, f := range strings.Fields(strings.TrimPrefix(t, ";; Header:")) {
				switch {
				case f == "AA":
					r.Authoritative = true
				case f == "DO":
					r.DO = true
				case strings.HasPrefix(f, "RCODE="):
					rc, err := strconv.Atoi(strings.TrimPrefix(f, "RCODE="))
					if err != nil {
						panic("testvectors: " + r.File + ": bad " + f)
					}
					r.Rcode = rc
				}
			}
		case strings.HasPrefix(t, ";; Question:"):
			f := strings.Fields(strings.TrimPrefix(t, ";; Question:"))
			if len(f) != 3 {
				panic("testvectors: " + r.File + ": bad question " + t)
			}
			r.Question = dns.Question{Name: f[0], Qclass: dns.StringToClass[f[1]], Qtype: dns.StringToType[f[2]]}
		case t == ";; Answer" || t == ";; Authority" || t == ";; Additional":
			cur = &strings.Builder{}
			sections[t] = cur
		case cur == nil:
			preamble.WriteString(line)
		default:
			cur.WriteString(line)
		}
	}
	parse := func(sec string) []dns.RR {
		b, ok := sections[sec]
		if !ok {
			panic("testvectors: " + r.File + ": no " + sec + " section")
		}
		rrs, err := parseRecords(r.File, []byte(preamble.String()+b.String()), "")
		if err != nil {
			panic(err.Error())
		}
		return rrs
	}
	r.Answer, r.Authority, r.Additional = parse(";; Answer"), parse(";; Authority"), parse(";; Additional")
}
