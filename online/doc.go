// Package online signs DNS responses on the fly, for authoritative servers
// written in Go on github.com/miekg/dns that want DNSSEC without
// pre-signing their zones (like CoreDNS's dnssec plugin).
//
// New (or Handler) wraps a dns.Handler. For queries with the DO bit
// (RFC 3225) in a zone it has keys for, the returned Middleware
//
//   - signs every RRset of the answer and authority sections of the wrapped
//     handler's response: with the zone's ZSKs (or CSKs), and the apex
//     DNSKEY RRset with its KSKs, so a KSK held in KMS is called only to
//     sign the DNSKEY RRset, once per validity period;
//   - answers DNSKEY queries at the apex itself, from the keys;
//   - never signs a delegation's NS RRset (referrals, RFC 4035 §2.2) or the
//     additional section (glue), and signs DS RRsets with the parent zone's
//     keys;
//   - proves denial of existence with NSEC records made for each answer
//     (see below), a DS-less delegation with an NSEC at the delegation
//     point (NS bit set, DS and SOA bits clear), and wildcard expansions with
//     an NSEC covering the next closer name (RFC 4035 §3.1.3.3);
//   - copies DO to the response, clears AD (an authoritative server does not
//     validate) and truncates UDP responses that exceed the client's EDNS
//     buffer size or Options.MaxUDPSize (1232 by default), setting TC.
//
// Queries without DO pass through to the wrapped handler untouched (apart
// from DNSKEY queries at the apex, answered from the keys); so do queries
// for names outside the keys' zones. RRSIG, NSEC and NSEC3 records in the
// wrapped handler's response are dropped: the Middleware makes its own.
// An RRset that cannot be signed turns the response into SERVFAIL; the
// Middleware never serves a zone it has keys for unsigned to a DO query.
//
// # Denial of existence
//
// With DenialWhiteLies (the default), answers carry minimally covering NSEC
// records (RFC 4470, https://www.rfc-editor.org/rfc/rfc4470): an NXDOMAIN
// carries one NSEC from the predecessor of the next closer name to its
// successor and one around the wildcard at the closest encloser, each
// spanning only names that do not exist, so the zone cannot be walked. The
// predecessor and successor are those of the absolute method of RFC 4471
// (a decremented last octet padded with \255, and \255 labels to the maximum
// name length), so NXDOMAIN responses are about 1 KB: clients with a 512-byte
// buffer are sent TC and retry over TCP. A NODATA answer carries an NSEC at
// the query name whose next name is \000.<qname> and whose bitmap lists the
// types at the name.
//
// With DenialCompact, an NXDOMAIN is answered as RFC 9824 compact denial
// (https://www.rfc-editor.org/rfc/rfc9824): one NSEC at the query name with
// RRSIG, NSEC and NXNAME in its bitmap, and the rcode rewritten to NOERROR,
// unless the query set the Compact Answers OK (CO) EDNS flag, in which case
// the rcode stays NXDOMAIN and the response sets CO. An explicit query for
// the NXNAME type gets FORMERR (RFC 9824 §3.5).
//
// The wrapped handler's response shows neither which types exist at a name,
// nor whether an answer was synthesised from a wildcard, nor where the
// closest encloser of a nonexistent name is. Options.Zone (a ZoneInfo)
// supplies them. Without it the Middleware assumes that the query name's
// parent is the closest encloser (the NSECs then still cover only nonexistent
// names), signs wildcard answers as if the query name existed, and lists in a
// NODATA bitmap every common type but the one asked for (as CoreDNS does),
// which validators accept and which keeps RFC 8198 aggressive caches from
// denying data that exists.
//
// # Signature cache
//
// Signatures are cached by the canonical wire form of the RRset (RFC 4034
// §6, with the Original TTL and the Labels of the signature) prefixed with
// the zone and the key set, never by strings: a changed RRset has another
// key and is signed anew, and the same RRset asked for with a different
// case, or expanded from a wildcard for another name, shares the entry. The
// Original TTL is the smallest TTL of the RRset's records. Each signature is
// valid from InceptionSkew (one hour) before its making until
// Options.Validity (7 days by default) after it, and is served only while
// more than Options.RefreshMargin (2 days) of that validity remains; then
// the next query for the RRset makes a new one. No cached signature is ever
// served outside its validity window, even if the clock steps back.
//
// On top of the signatures, whole signed responses are cached, keyed by the
// wire form of the wrapped handler's response (without its ID) together
// with the client's size limit and CO flag; such an entry expires with the
// first of its signatures, so it never outlives them, and a changed answer
// has another key. A hit then costs the wrapped handler's work, one packing
// and a copy: about 1.2 times an unsigned answer (see TestHitCostRatio).
// Responses that depend on Options.Zone (NSEC bitmaps, wildcard Labels) are
// not cached whole, since the zone may change without the response
// changing; their signatures still are.
//
// The cache is split into 64 shards, each an LRU with its own lock and its
// share of Options.CacheBytes, counted as allocator-rounded sizes of the key,
// the RRSIGs and their signature strings plus a per-entry overhead; the live
// heap it holds tracks that count within about 15 %. Concurrent misses for
// the same RRset sign it once and share the result (single flight).
//
// # Metrics
//
// Options.Metrics receives cache hits and misses, each signing's latency
// and evictions. ExpvarMetrics counts them in expvar variables; other
// metrics libraries plug in with a small adapter.
//
// # Embedding
//
// A server that has its zone in memory serves it signed by wrapping its
// handler:
//
//	zsk, _ := localbackend.Generate(localbackend.ECDSAP256SHA256, "example.com.", signer.FlagsZSK, localbackend.Options{})
//	ksk, _ := kmsbackend.New(ctx, kmsClient, "alias/example-ksk", kmsbackend.Options{...})
//	keys := []*signer.Key{mustKey(zsk), mustKey(ksk)}
//	h, err := online.New(myZone, keys, online.Options{Zone: myZone, Metrics: online.NewExpvarMetrics(expvar.NewMap("dnssec"))})
//	...
//	dns.ListenAndServe("127.0.0.1:53", "udp", h)
//
// The program in examples/onlineserver is a complete authoritative server
// built this way.
package online
