package validate

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dnsseal/dnsseal/localbackend"
	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/testvectors"
	"github.com/dnsseal/dnsseal/zonesign"
	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// wireRecord is a record in the form ZoneStream.Add takes.
type wireRecord struct {
	owner      []byte
	typ, class uint16
	ttl        uint32
	rdata      []byte
	hint       []byte
}

// toWire packs records for ZoneStream with dns.PackRR. Records that
// miekg/dns cannot pack are left out, and returned as the second result
// are the records that were packed.
func toWire(t testing.TB, rrs []dns.RR) ([]wireRecord, []dns.RR) {
	t.Helper()
	var out []wireRecord
	var packed []dns.RR
	buf := make([]byte, 2*(255+10+65535))
	for _, rr := range rrs {
		if header(rr) == nil {
			continue
		}
		n, err := dns.PackRR(dns.Copy(rr), buf, 0, nil, false)
		if err != nil {
			continue
		}
		b := slices.Clone(buf[:n])
		on := wireNameLen(b)
		if on < 0 || len(b) < on+wireHdrLen {
			continue
		}
		h := b[on:]
		out = append(out, wireRecord{
			owner: b[:on], typ: binary.BigEndian.Uint16(h), class: binary.BigEndian.Uint16(h[2:]),
			ttl: binary.BigEndian.Uint32(h[4:]), rdata: h[wireHdrLen:],
		})
		packed = append(packed, rr)
	}
	return out, packed
}

// streamZone validates records with ZoneStream.
func streamZone(ctx context.Context, recs []wireRecord, opts ZoneOptions) (*ZoneResult, error) {
	s, err := NewZoneStream(ctx, opts)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if err := s.Add(r.owner, r.typ, r.class, r.ttl, r.rdata, r.hint); err != nil {
			return nil, err
		}
	}
	return s.Finish()
}

// requireStreamSame requires that ZoneStream, given rrs packed in wire
// form in the order given, returns exactly what Zone returns. opts.Now is
// fixed first (the findings hold durations from it), and opts.Origin
// defaults to the owner of the first SOA.
func requireStreamSame(t testing.TB, rrs []dns.RR, opts ZoneOptions) *ZoneResult {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	recs, packed := toWire(t, rrs)
	if opts.Origin == "" {
		for _, rr := range packed {
			if rr.Header().Rrtype == dns.TypeSOA {
				opts.Origin = rr.Header().Name
				break
			}
		}
	}
	want, werr := Zone(context.Background(), packed, opts)
	got, gerr := streamZone(context.Background(), recs, opts)
	if werr != nil {
		require.Error(t, gerr, "Zone: %v", werr)
		return nil
	}
	require.NoError(t, gerr)
	require.Equal(t, want, got)
	return got
}

// TestZoneStreamSameAsZone feeds valid and broken zones to ZoneStream and
// Zone, in file order, reversed and shuffled (so that RRsets grow after
// their early check, and the apex comes late).
func TestZoneStreamSameAsZone(t *testing.T) {
	keys := newZoneKeys(t, "example.")
	zones := []struct {
		name string
		rrs  []dns.RR
		opts ZoneOptions
	}{
		{"RFC 4035", testvectors.RFC4035Zone().Records, ZoneOptions{Now: testvectors.RFC4035Zone().ValidAt}},
		{"RFC 5155", testvectors.RFC5155Zone().Records, ZoneOptions{Now: testvectors.RFC5155Zone().ValidAt}},
		{"RFC 4035 expired", testvectors.RFC4035Zone().Records, ZoneOptions{Now: testvectors.RFC4035Zone().Expiration.Add(time.Hour)}},
		{"signed NSEC", zoneOf(t, signTestZone(t, zoneText, keys, nil)), ZoneOptions{Now: t0}},
		{"signed NSEC3", zoneOf(t, signTestZone(t, zoneText, keys, &zonesign.NSEC3Params{Iterations: 1, Salt: []byte{0xaa, 0xbb}})), ZoneOptions{Now: t0}},
		{"signed NSEC, expiring", zoneOf(t, signTestZone(t, zoneText, keys, nil)), ZoneOptions{Now: expires.Add(-time.Hour)}},
		{"signed NSEC, anchored", zoneOf(t, signTestZone(t, zoneText, keys, nil)), ZoneOptions{Now: t0, Anchors: []dns.RR{keys.ksk.dnskey().ToDS(dns.SHA256)}}},
		{"signed NSEC, wrong anchor", zoneOf(t, signTestZone(t, zoneText, keys, nil)), ZoneOptions{Now: t0, Anchors: []dns.RR{keys.zsk.dnskey()}}},
		{"unsigned", zoneOf(t, []byte(zoneText)), ZoneOptions{Now: t0}},
		{"KeyTrap limits", zoneOf(t, signTestZone(t, zoneText, keys, nil)), ZoneOptions{Now: t0, MaxSigsPerRRset: 1, MaxKeysPerTag: 1, Concurrency: 1}},
	}
	for _, z := range zones {
		for _, order := range []string{"file", "reversed", "shuffled"} {
			t.Run(z.name+"/"+order, func(t *testing.T) {
				rrs := slices.Clone(z.rrs)
				switch order {
				case "reversed":
					slices.Reverse(rrs)
				case "shuffled":
					rrs = shuffled(mathrand.New(mathrand.NewPCG(7, 1)), rrs)
				}
				res := requireStreamSame(t, rrs, z.opts)
				require.NotNil(t, res)
			})
		}
	}
	// A name with many types (more than znode.sets scans linearly), none
	// of them signed nor in the NSEC bitmap.
	t.Run("many types at one name", func(t *testing.T) {
		rrs := zoneOf(t, signTestZone(t, zoneText, keys, nil))
		for i := range 40 {
			rr, err := dns.NewRR(fmt.Sprintf("mail.example. 300 IN TYPE%d \\# 2 %04x", 65280+i, i))
			require.NoError(t, err)
			rrs = append(rrs, rr, dns.Copy(rr))
		}
		for _, order := range []uint64{0, 5} {
			in := rrs
			if order > 0 {
				in = shuffled(mathrand.New(mathrand.NewPCG(order, 1)), rrs)
			}
			res := requireStreamSame(t, in, ZoneOptions{Now: t0})
			require.Equal(t, ZoneBogus, res.Status)
			require.True(t, res.Has(ReasonMissingSignature))
			require.True(t, res.Has(ReasonNSECBitmap))
		}
	})
	// Owner names in upper case at some records of a name.
	t.Run("mixed case owners", func(t *testing.T) {
		rrs := zoneOf(t, signTestZone(t, zoneText, keys, nil))
		for _, rr := range rrs {
			if strings.HasPrefix(rr.Header().Name, "mail.") {
				rr.Header().Name = "MAIL." + strings.TrimPrefix(rr.Header().Name, "mail.")
			}
		}
		res := requireStreamSame(t, rrs, ZoneOptions{Now: t0})
		requireSecure(t, res)
	})
}

// TestZoneStreamBaseCorpus runs the bases of the mutation test (zones
// signed by zonesign and, when installed, BIND) through both.
func TestZoneStreamBaseCorpus(t *testing.T) {
	for _, b := range []baseZone{oursBase(t, false), oursBase(t, true)} {
		t.Run(b.name, func(t *testing.T) {
			res := requireStreamSame(t, b.rrs, ZoneOptions{})
			requireSecure(t, res)
			res = requireStreamSame(t, shuffled(mathrand.New(mathrand.NewPCG(3, 1)), b.rrs), ZoneOptions{})
			requireSecure(t, res)
		})
	}
}

// recorder is a zonesign.RecordValidator that keeps the records.
type recorder struct{ recs []wireRecord }

func (r *recorder) Add(owner []byte, typ, class uint16, ttl uint32, rdata, hint []byte) error {
	r.recs = append(r.recs, wireRecord{owner: slices.Clone(owner), typ: typ, class: class, ttl: ttl, rdata: slices.Clone(rdata), hint: slices.Clone(hint)})
	return nil
}

func (r *recorder) Finish() error { return nil }

// TestZoneStreamHints signs a zone with localbackend P-256 keys (which
// give signature hints) and checks that ZoneStream's answer does not
// depend on the hints: right, wrong or missing, with valid and with bad
// signatures.
func TestZoneStreamHints(t *testing.T) {
	ctx := context.Background()
	ksk, err := localbackend.Generate(dns.ECDSAP256SHA256, "example.", signer.FlagsKSK, localbackend.Options{})
	require.NoError(t, err)
	zsk, err := localbackend.Generate(dns.ECDSAP256SHA256, "example.", signer.FlagsZSK, localbackend.Options{})
	require.NoError(t, err)
	var keys []*signer.Key
	for _, s := range []signer.Signer{ksk, zsk} {
		k, err := signer.NewKey(s, 0)
		require.NoError(t, err)
		keys = append(keys, k)
	}
	// Enough names for several batches per key.
	var text strings.Builder
	text.WriteString(zoneText)
	for i := range 700 {
		text.WriteString("h" + strings.Repeat("x", i%5) + itoa(i) + " A 192.0.2.9\n")
	}
	z, err := zonesign.Parse(strings.NewReader(text.String()), "test", "example.")
	require.NoError(t, err)
	rec := &recorder{}
	var out bytes.Buffer
	_, err = zonesign.Sign(ctx, z, zonesign.Options{
		Keys: keys, Now: t0, Inception: inception, Expiration: expires,
		Validator: func(context.Context, string) (zonesign.RecordValidator, error) { return rec, nil },
	}, &out)
	require.NoError(t, err)
	hints := 0
	for _, r := range rec.recs {
		if r.hint != nil {
			require.Len(t, r.hint, 65)
			hints++
		}
	}
	require.Positive(t, hints, "localbackend P-256 keys give hints")

	opts := ZoneOptions{Origin: "example.", Now: t0}
	want, err := Zone(ctx, zoneOf(t, out.Bytes()), opts)
	require.NoError(t, err)
	requireSecure(t, want)

	// sigIndex lists the RRSIGs (with hints) of the recording.
	var sigIndex []int
	for i, r := range rec.recs {
		if r.typ == dns.TypeRRSIG && r.hint != nil {
			sigIndex = append(sigIndex, i)
		}
	}
	clone := func() []wireRecord {
		out := make([]wireRecord, len(rec.recs))
		for i, r := range rec.recs {
			out[i] = r
			out[i].rdata = slices.Clone(r.rdata)
			out[i].hint = slices.Clone(r.hint)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		mutate func(recs []wireRecord)
		secure bool
	}{
		{"right hints", func([]wireRecord) {}, true},
		{"no hints", func(recs []wireRecord) {
			for i := range recs {
				recs[i].hint = nil
			}
		}, true},
		{"every hint wrong", func(recs []wireRecord) {
			for _, i := range sigIndex {
				recs[i].hint[64] ^= 1
			}
		}, true},
		{"hints swapped", func(recs []wireRecord) {
			for k := 0; k+1 < len(sigIndex); k += 2 {
				a, b := sigIndex[k], sigIndex[k+1]
				recs[a].hint, recs[b].hint = recs[b].hint, recs[a].hint
			}
		}, true},
		{"hint not on the curve", func(recs []wireRecord) {
			recs[sigIndex[5]].hint = append([]byte{4}, make([]byte, 64)...)
		}, true},
		{"bad signatures, right hints", func(recs []wireRecord) {
			for k, i := range sigIndex {
				if k%97 == 3 {
					recs[i].rdata[len(recs[i].rdata)-1] ^= 1
				}
			}
		}, false},
		{"bad signature with its hint changed to match nothing", func(recs []wireRecord) {
			i := sigIndex[len(sigIndex)/2]
			recs[i].rdata[len(recs[i].rdata)-40] ^= 0x80
			recs[i].hint[10] ^= 0xff
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := clone()
			tc.mutate(recs)
			got, err := streamZone(ctx, recs, opts)
			require.NoError(t, err)
			// Zone on the same records (hints are not part of them).
			var rrs []dns.RR
			for _, r := range recs {
				rr, _, err := decodeRR(nil, r.owner, recView{typ: r.typ, class: r.class, ttl: r.ttl, rdata: r.rdata})
				require.NoError(t, err)
				rrs = append(rrs, rr)
			}
			ref, err := Zone(ctx, rrs, opts)
			require.NoError(t, err)
			require.Equal(t, ref, got)
			if tc.secure {
				requireSecure(t, got)
				require.Equal(t, want.Verified, got.Verified)
				return
			}
			require.Equal(t, ZoneBogus, got.Status)
			require.True(t, got.Has(ReasonBadSignature))
		})
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestZoneStreamAdd checks what Add refuses, and its use before and after
// Finish.
func TestZoneStreamAdd(t *testing.T) {
	ctx := context.Background()
	origin := []byte("\x07example\x00")
	okSig := append([]byte{0, 1, 13, 2, 0, 0, 14, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0x30, 0x39}, origin...)
	okSig = append(okSig, make([]byte, 64)...)
	for _, tc := range []struct {
		name  string
		owner []byte
		typ   uint16
		rdata []byte
		want  string // "ok", "error" (from Add) or "malformed" (a finding)
	}{
		{"A record", origin, dns.TypeA, []byte{192, 0, 2, 1}, "ok"},
		{"RRSIG", origin, dns.TypeRRSIG, okSig, "ok"},
		{"unknown type, opaque RDATA", origin, 65000, []byte{1, 2, 3}, "ok"},
		{"empty owner", nil, dns.TypeA, []byte{192, 0, 2, 1}, "error"},
		{"owner without root", []byte("\x07example"), dns.TypeA, []byte{192, 0, 2, 1}, "error"},
		{"owner with trailing octets", append(slices.Clone(origin), 1), dns.TypeA, []byte{192, 0, 2, 1}, "error"},
		{"compression pointer in owner", []byte{0xc0, 12}, dns.TypeA, []byte{192, 0, 2, 1}, "error"},
		{"label of 64 octets", append(append([]byte{64}, make([]byte, 64)...), 0), dns.TypeA, nil, "error"},
		{"RDATA over 65535 octets", origin, 65000, make([]byte, 65536), "error"},
		{"short RRSIG", origin, dns.TypeRRSIG, okSig[:17], "malformed"},
		{"RRSIG signer truncated", origin, dns.TypeRRSIG, okSig[:22], "malformed"},
		{"NS with a truncated name", origin, dns.TypeNS, []byte{3, 'n', 's'}, "malformed"},
		{"NSEC bitmap block of 33", origin, dns.TypeNSEC, append(slices.Clone(origin), 0, 33), "malformed"},
		{"NSEC3 truncated salt", origin, dns.TypeNSEC3, []byte{1, 0, 0, 0, 4, 1}, "malformed"},
		{"NSEC3PARAM trailing octets", origin, dns.TypeNSEC3PARAM, []byte{1, 0, 0, 0, 0, 9}, "malformed"},
		{"DNSKEY of 3 octets", origin, dns.TypeDNSKEY, []byte{1, 1, 3}, "malformed"},
		{"DS of 2 octets", origin, dns.TypeDS, []byte{1, 1}, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewZoneStream(ctx, ZoneOptions{Origin: "example."})
			require.NoError(t, err)
			err = s.Add(tc.owner, tc.typ, dns.ClassINET, 3600, tc.rdata, nil)
			if tc.want == "error" {
				require.Error(t, err)
				require.True(t, strings.HasPrefix(err.Error(), "validate: "), err.Error())
			} else {
				require.NoError(t, err)
			}
			res, err := s.Finish()
			require.NoError(t, err)
			require.Equal(t, tc.want == "malformed", res.Has(ReasonMalformed), "%v", res.Findings)
			require.Error(t, s.Add(origin, dns.TypeA, dns.ClassINET, 3600, []byte{192, 0, 2, 1}, nil))
			_, err = s.Finish()
			require.Error(t, err)
		})
	}
	_, err := NewZoneStream(ctx, ZoneOptions{})
	require.Error(t, err)

	// A done context is reported by Finish.
	cctx, cancel := context.WithCancel(ctx)
	s, err := NewZoneStream(cctx, ZoneOptions{Origin: "example."})
	require.NoError(t, err)
	recs, _ := toWire(t, zoneOf(t, signTestZone(t, zoneText, newZoneKeys(t, "example."), nil)))
	for _, r := range recs {
		require.NoError(t, s.Add(r.owner, r.typ, r.class, r.ttl, r.rdata, nil))
	}
	cancel()
	_, err = s.Finish()
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
}

// FuzzZoneStreamAdd feeds arbitrary records to ZoneStream: it must never
// panic, and when it accepts every record its answer must be Zone's on
// the same records decoded by miekg/dns (when they all decode).
func FuzzZoneStreamAdd(f *testing.F) {
	keys := newZoneKeys(f, "example.")
	recs, _ := toWire(f, zoneOf(f, signTestZone(f, zoneText, keys, nil)))
	var seed []byte
	for _, r := range recs {
		seed = appendFuzzRecord(seed, r)
	}
	f.Add(seed, uint32(t0.Unix()))
	f.Add(seed[:len(seed)/2], uint32(t0.Unix()))
	f.Add([]byte("\x00\x07example\x00\x00\x2e\x00\x01\x00\x00\x0e\x10\x00\x13"), uint32(0))
	f.Add([]byte{}, uint32(0))
	f.Fuzz(fuzzZoneStreamAdd)
}

func fuzzZoneStreamAdd(t *testing.T, data []byte, now uint32) {
	if len(data) > 64<<10 {
		return
	}
	opts := ZoneOptions{Origin: "example.", Now: time.Unix(int64(now), 0), Concurrency: 1}
	s, err := NewZoneStream(context.Background(), opts)
	require.NoError(t, err)
	var rrs []dns.RR
	var accepted []wireRecord
	all := true
	for len(data) > 0 {
		var r wireRecord
		r, data = nextFuzzRecord(data)
		if s.Add(r.owner, r.typ, r.class, r.ttl, r.rdata, r.hint) != nil {
			all = false
			continue
		}
		rr, _, err := decodeRR(nil, r.owner, recView{typ: r.typ, class: r.class, ttl: r.ttl, rdata: r.rdata})
		if err != nil {
			all = false
			continue
		}
		rrs = append(rrs, rr)
		accepted = append(accepted, r)
	}
	got, err := s.Finish()
	require.NoError(t, err)
	require.Equal(t, got.Errors > 0, got.Status == ZoneBogus)
	if !all {
		return
	}
	// Every record decodes: when miekg/dns packs each back to the
	// same RDATA, Zone must find the same problems (owner names may
	// be spelled differently: miekg/dns has its own escapes).
	packed, _ := toWire(t, rrs)
	if len(packed) != len(rrs) {
		return
	}
	for i, r := range packed {
		if !bytes.Equal(r.rdata, accepted[i].rdata) {
			return
		}
	}
	want, err := Zone(context.Background(), rrs, opts)
	require.NoError(t, err)
	require.Equal(t, want.Status, got.Status)
	require.Equal(t, reasons(want), reasons(got))
}

// reasons lists the reasons, types and severities of the findings, sorted.
func reasons(r *ZoneResult) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s %s", f.Severity, dns.Type(f.Type), f.Reason.Code()))
	}
	slices.Sort(out)
	return out
}

// appendFuzzRecord encodes a record for FuzzZoneStreamAdd: owner length
// (1), owner, type (2), class (2), TTL (4), RDATA length (2), RDATA, hint
// length (1), hint.
func appendFuzzRecord(b []byte, r wireRecord) []byte {
	b = append(b, byte(len(r.owner)))
	b = append(b, r.owner...)
	b = binary.BigEndian.AppendUint16(b, r.typ)
	b = binary.BigEndian.AppendUint16(b, r.class)
	b = binary.BigEndian.AppendUint32(b, r.ttl)
	b = binary.BigEndian.AppendUint16(b, uint16(len(r.rdata)))
	b = append(b, r.rdata...)
	b = append(b, byte(len(r.hint)))
	return append(b, r.hint...)
}

// nextFuzzRecord decodes what appendFuzzRecord encodes, taking whatever
// is there when the input is short.
func nextFuzzRecord(b []byte) (wireRecord, []byte) {
	take := func(n int) []byte {
		n = min(n, len(b))
		x := b[:n]
		b = b[n:]
		return x
	}
	u16 := func() uint16 {
		x := take(2)
		if len(x) < 2 {
			return 0
		}
		return binary.BigEndian.Uint16(x)
	}
	var r wireRecord
	if len(b) == 0 {
		return r, b
	}
	r.owner = take(int(take(1)[0]))
	r.typ, r.class = u16(), u16()
	if x := take(4); len(x) == 4 {
		r.ttl = binary.BigEndian.Uint32(x)
	}
	r.rdata = take(int(u16()))
	if x := take(1); len(x) == 1 {
		r.hint = take(int(x[0]))
	}
	return r, b
}

// TestZoneStreamAbandoned checks that a ZoneStream dropped without Finish
// stops its workers (and frees its records) once it is collected.
func TestZoneStreamAbandoned(t *testing.T) {
	recs, _ := toWire(t, zoneOf(t, signTestZone(t, zoneText, newZoneKeys(t, "example."), nil)))
	before := runtime.NumGoroutine()
	func() {
		s, err := NewZoneStream(context.Background(), ZoneOptions{Origin: "example.", Now: t0, Concurrency: 3})
		require.NoError(t, err)
		for _, r := range recs {
			require.NoError(t, s.Add(r.owner, r.typ, r.class, r.ttl, r.rdata, nil))
		}
		require.Greater(t, runtime.NumGoroutine(), before, "the early workers run")
	}()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before)
}
