package route53ksk

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/dnsseal/dnsseal/dsrecord"
	"github.com/dnsseal/dnsseal/keytag"
)

// What Route 53 reports for every KSK.
const (
	// Flag is the DNSKEY flags of a KSK: Zone Key and Secure Entry Point.
	Flag = 257
	// Algorithm is ECDSAP256SHA256, the only KSK algorithm Route 53 has.
	Algorithm = 13
	// AlgorithmMnemonic is the mnemonic of Algorithm.
	AlgorithmMnemonic = "ECDSAP256SHA256"
	// DigestType is SHA-256, the DS digest type Route 53 reports.
	DigestType = 2
	// DigestMnemonic is the mnemonic of DigestType.
	DigestMnemonic = "SHA-256"
	// MaxKeys is the most KSKs a hosted zone can have.
	MaxKeys = 2
	// KMSRegion is the region Route 53 takes KSK KMS keys from.
	KMSRegion = "us-east-1"
)

// Field names of findings that are not about one KeySigningKey field.
const (
	// FieldKeySigningKeys is the set of KSKs: their number, repeated
	// names or KMS keys, no ACTIVE KSK while the zone is signed.
	FieldKeySigningKeys = "KeySigningKeys"
	// FieldServeSignature is the zone's DNSSEC status (Options.Status).
	FieldServeSignature = "ServeSignature"
	// FieldParentDS is the DS set of the parent zone (Options.ParentDS).
	FieldParentDS = "ParentDS"
)

// Options control Check. The zero value checks the KSKs against
// themselves and the zone name only.
type Options struct {
	// PublicKeys maps a KmsArn to the public key of that KMS key (for
	// example from KMS GetPublicKey): an *ecdsa.PublicKey, a []byte of
	// 64 octets X‖Y or 65 octets 0x04‖X‖Y, or a *dns.DNSKEY. The key the
	// output describes must be this key. Nil means no comparison, except
	// through KeyLookup.
	PublicKeys map[string]crypto.PublicKey

	// KeyLookup, if not nil, is called once for each KmsArn not in
	// PublicKeys, to fetch the KMS key's public key (in one of the forms
	// of PublicKeys) and any reasons Route 53 cannot use it. Check calls
	// it with context.Background(); CheckContext with its context.
	KeyLookup func(ctx context.Context, kmsArn string) (KMSKey, error)

	// ParentDS are the DS records published for the zone in its parent.
	// When it is not empty, or CheckParentDS is set, Check says which KSK
	// each DS matches, and reports a DS that matches no KSK and a DS set
	// that matches no ACTIVE KSK.
	ParentDS []*dns.DS
	// CheckParentDS makes an empty ParentDS mean "the parent has no DS
	// records" rather than "not checked".
	CheckParentDS bool

	// Status is the zone's DNSSEC status from GetDNSSEC (Output.Status).
	// When not nil, ACTION_NEEDED and INTERNAL_FAILURE are reported, and
	// SIGNING with no ACTIVE KSK. Nil means not checked.
	Status *DNSSECStatus
}

// KMSKey is what Options.KeyLookup found out about a KMS key.
type KMSKey struct {
	// PublicKey is the key, in one of the forms of Options.PublicKeys.
	// Nil means it could not be had (Problems should say why).
	PublicKey crypto.PublicKey
	// Problems are reasons Route 53 cannot use the key (such as
	// kmsbackend.CheckRoute53 finds), each reported as a finding on
	// KmsArn.
	Problems []string
}

// Finding is one inconsistency. Message names the field, the expected
// value and the value found.
type Finding struct {
	// Key is the index of the KSK in the checked slice, or -1 for a
	// finding about the set (Field FieldKeySigningKeys, FieldParentDS or
	// FieldServeSignature).
	Key int
	// Name is the KSK's Name, "" when Key is -1.
	Name string
	// Field is the JSON field name of KeySigningKey the finding is about,
	// or one of the Field constants.
	Field string
	// Expected and Found are the expected and the actual value, as text.
	Expected string
	Found    string
	// Message is a sentence naming Field, Expected and Found.
	Message string
}

// String returns the finding as one line: "KSK <name>: <message>".
func (f Finding) String() string {
	switch {
	case f.Key < 0:
		return f.Message
	case f.Name != "":
		return "KSK " + f.Name + ": " + f.Message
	}
	return "KSK #" + strconv.Itoa(f.Key+1) + ": " + f.Message
}

// KeyReport is what Check found out about one KSK.
type KeyReport struct {
	// Name, KmsArn and Status are copied from the KeySigningKey.
	Name, KmsArn, Status string
	// DNSKEY is the key the output describes, owned by the zone, with
	// flags 257, protocol 3 and algorithm 13, TTL 3600; nil when no field
	// holds a usable P-256 key. KeySource says which field it is taken
	// from: "PublicKey", "DNSKEYRecord" or "KMS".
	DNSKEY    *dns.DNSKEY
	KeySource string
	// KeyTag and DS are computed from DNSKEY (DS is SHA-256).
	KeyTag uint16
	DS     *dns.DS
	// KMSMatch is true when the caller supplied the KMS key's public key
	// and it is DNSKEY's key.
	KMSMatch bool
}

// DSMatch says which KSKs a parent DS record matches.
type DSMatch struct {
	DS *dns.DS
	// Keys are the indexes of the KSKs it matches.
	Keys []int
	// Err says why the DS could not be compared, if it could not (an
	// unsupported digest type, a digest that is not hex).
	Err error
}

// Report is the result of Check.
type Report struct {
	// Zone is the zone name, fully qualified and lower case.
	Zone string
	// Keys has one entry per KSK, in input order.
	Keys []KeyReport
	// ParentDS has one entry per Options.ParentDS record, in order.
	ParentDS []DSMatch
	// Findings are all the inconsistencies found, KSK by KSK, then those
	// about the set.
	Findings []Finding
}

// OK reports whether there are no findings.
func (r *Report) OK() bool { return len(r.Findings) == 0 }

// KeyFindings returns the findings about KSK i.
func (r *Report) KeyFindings(i int) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Key == i {
			out = append(out, f)
		}
	}
	return out
}

// Check checks the KSKs of the zone zoneName (Route 53 output does not
// contain it) with CheckContext and context.Background().
func Check(ksks []KeySigningKey, zoneName string, opts Options) (*Report, error) {
	return CheckContext(context.Background(), ksks, zoneName, opts)
}

// CheckContext checks each KSK as the package documentation describes and
// returns the findings. It returns an error, and no report, when zoneName
// is not a domain name or a value of opts.PublicKeys is of an unknown
// type; and a report together with an error when a KeyLookup call failed
// (the KSKs concerned are then checked without the KMS key).
func CheckContext(ctx context.Context, ksks []KeySigningKey, zoneName string, opts Options) (*Report, error) {
	zone, err := zoneFQDN(zoneName)
	if err != nil {
		return nil, err
	}
	kmsKeys := make(map[string][]byte, len(opts.PublicKeys))
	for arn, pk := range opts.PublicKeys {
		raw, err := publicKeyBytes(pk)
		if err != nil {
			return nil, fmt.Errorf("route53ksk: Options.PublicKeys[%q]: %w", arn, err)
		}
		kmsKeys[arn] = raw
	}
	problems := map[string][]string{}
	var lookupErrs []error
	if opts.KeyLookup != nil {
		for _, k := range ksks {
			arn := k.KmsArn
			if arn == "" {
				continue
			}
			if _, done := kmsKeys[arn]; done {
				continue
			}
			if _, done := problems[arn]; done {
				continue
			}
			info, err := opts.KeyLookup(ctx, arn)
			problems[arn] = info.Problems
			if err != nil {
				lookupErrs = append(lookupErrs, fmt.Errorf("route53ksk: KMS key %s: %w", arn, err))
				continue
			}
			if info.PublicKey != nil {
				raw, err := publicKeyBytes(info.PublicKey)
				if err != nil {
					lookupErrs = append(lookupErrs, fmt.Errorf("route53ksk: KMS key %s: %w", arn, err))
					continue
				}
				kmsKeys[arn] = raw
			}
		}
	}

	r := &Report{Zone: zone, Keys: make([]KeyReport, len(ksks))}
	for i := range ksks {
		c := &keyChecker{r: r, i: i, k: &ksks[i], zone: zone}
		kms, haveKMS := kmsKeys[ksks[i].KmsArn]
		if ksks[i].KmsArn == "" {
			haveKMS = false
		}
		c.check(kms, haveKMS, problems[ksks[i].KmsArn])
	}
	checkSet(r, ksks, opts.Status)
	if len(opts.ParentDS) > 0 || opts.CheckParentDS {
		checkParent(r, opts.ParentDS)
	}
	return r, errors.Join(lookupErrs...)
}

func zoneFQDN(name string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", errors.New("route53ksk: empty zone name")
	}
	if _, ok := dns.IsDomainName(name); !ok {
		return "", fmt.Errorf("route53ksk: zone name %q is not a domain name", name)
	}
	return dns.CanonicalName(name), nil
}

// publicKeyBytes returns X‖Y of a P-256 public key given in one of the
// forms of Options.PublicKeys. It checks only the form, not the curve.
func publicKeyBytes(pk crypto.PublicKey) ([]byte, error) {
	switch k := pk.(type) {
	case *ecdsa.PublicKey:
		if k == nil {
			return nil, errors.New("nil public key")
		}
		b, err := k.Bytes()
		if err != nil {
			return nil, err
		}
		if len(b) != 65 {
			return nil, fmt.Errorf("ECDSA key of %d-octet encoding, want P-256", len(b))
		}
		return b[1:], nil
	case []byte:
		switch {
		case len(k) == 64:
			return bytes.Clone(k), nil
		case len(k) == 65 && k[0] == 4:
			return bytes.Clone(k[1:]), nil
		}
		return nil, fmt.Errorf("public key of %d octets, want 64 (X‖Y) or 65 (0x04‖X‖Y)", len(k))
	case *dns.DNSKEY:
		if k == nil {
			return nil, errors.New("nil DNSKEY")
		}
		b, err := base64.StdEncoding.DecodeString(k.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("DNSKEY public key is not base64: %w", err)
		}
		return b, nil
	case nil:
		return nil, errors.New("nil public key")
	}
	return nil, fmt.Errorf("public key of type %T, want *ecdsa.PublicKey, []byte or *dns.DNSKEY", pk)
}

// onCurve reports whether raw is X‖Y of a point on P-256.
func onCurve(raw []byte) bool {
	if len(raw) != 64 {
		return false
	}
	var b [65]byte
	b[0] = 4
	copy(b[1:], raw)
	_, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), b[:])
	return err == nil
}

// derived is what follows from a key: its DNSKEY, tag and DS digest.
type derived struct {
	raw    []byte
	dnskey *dns.DNSKEY
	tag    uint16
	digest []byte
}

func derive(zone string, raw []byte) (*derived, error) {
	k := &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: zone, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     Flag,
		Protocol:  3,
		Algorithm: Algorithm,
		PublicKey: base64.StdEncoding.EncodeToString(raw),
	}
	tag, err := keytag.Compute(k)
	if err != nil {
		return nil, err
	}
	d, err := dsrecord.Digest(zone, k, DigestType)
	if err != nil {
		return nil, err
	}
	return &derived{raw: raw, dnskey: k, tag: tag, digest: d}, nil
}

func (d *derived) b64() string { return d.dnskey.PublicKey }

func (d *derived) hexDigest() string { return strings.ToUpper(hex.EncodeToString(d.digest)) }

func (d *derived) dsRDATA() string {
	return fmt.Sprintf("%d %d %d %s", d.tag, Algorithm, DigestType, d.hexDigest())
}

func (d *derived) dnskeyRDATA() string {
	return fmt.Sprintf("%d 3 %d %s", Flag, Algorithm, d.b64())
}

// keyChecker checks one KSK.
type keyChecker struct {
	r    *Report
	i    int
	k    *KeySigningKey
	zone string
}

func (c *keyChecker) add(field, expected, found, note string, quote bool) {
	e, f := expected, found
	if quote {
		e, f = strconv.Quote(expected), strconv.Quote(found)
	}
	msg := fmt.Sprintf("%s: expected %s, found %s", field, e, f)
	if note != "" {
		msg += " (" + note + ")"
	}
	c.r.Findings = append(c.r.Findings, Finding{Key: c.i, Name: c.k.Name, Field: field, Expected: expected, Found: found, Message: msg})
}

// dnskeyRecord is a parsed DNSKEYRecord.
type dnskeyRecord struct {
	flags, protocol, alg int
	key                  []byte
}

func parseDNSKEYRecord(s string) (*dnskeyRecord, error) {
	f := strings.Fields(s)
	if len(f) < 4 {
		return nil, fmt.Errorf("%d fields, want 4: flags, protocol, algorithm, public key", len(f))
	}
	var r dnskeyRecord
	var err error
	if r.flags, err = fieldInt(f[0], 0xffff, "flags"); err != nil {
		return nil, err
	}
	if r.protocol, err = fieldInt(f[1], 0xff, "protocol"); err != nil {
		return nil, err
	}
	if r.alg, err = fieldInt(f[2], 0xff, "algorithm"); err != nil {
		if a, ok := dns.StringToAlgorithm[strings.ToUpper(f[2])]; ok {
			r.alg, err = int(a), nil
		} else {
			return nil, err
		}
	}
	if r.key, err = base64.StdEncoding.DecodeString(strings.Join(f[3:], "")); err != nil {
		return nil, fmt.Errorf("public key is not base64: %w", err)
	}
	return &r, nil
}

func fieldInt(s string, limit int, what string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || int(n) > limit {
		return 0, fmt.Errorf("%s %q is not a number from 0 to %d", what, s, limit)
	}
	return int(n), nil
}

// decodePublicKey decodes the PublicKey field and says what is wrong
// with it, if anything.
func decodePublicKey(s string) ([]byte, string) {
	if s == "" {
		return nil, "missing"
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	switch {
	case err != nil:
		return nil, "not base64: " + err.Error()
	case len(raw) != 64:
		return raw, fmt.Sprintf("%d octets, want 64 (X‖Y of a P-256 point)", len(raw))
	case !onCurve(raw):
		return raw, "not a point on P-256"
	}
	return raw, ""
}

func (c *keyChecker) check(kms []byte, haveKMS bool, problems []string) {
	k := c.k
	kr := &c.r.Keys[c.i]
	kr.Name, kr.KmsArn, kr.Status = k.Name, k.KmsArn, k.Status

	if k.Name != "" && !validName(k.Name) {
		c.add("Name", "3 to 128 letters, digits and underscores", k.Name, "", true)
	}
	if k.KmsArn != "" {
		if why := checkARN(k.KmsArn); why != "" {
			c.add("KmsArn", "a KMS key ARN in "+KMSRegion+" (arn:aws:kms:"+KMSRegion+":ACCOUNT:key/ID)", k.KmsArn, why, true)
		}
	}
	if k.Flag != Flag {
		c.add("Flag", strconv.Itoa(Flag), strconv.Itoa(k.Flag), "a KSK has the Zone Key and Secure Entry Point flags", false)
	}
	if k.SigningAlgorithmType != Algorithm {
		c.add("SigningAlgorithmType", strconv.Itoa(Algorithm), strconv.Itoa(k.SigningAlgorithmType), "Route 53 KSKs are ECDSAP256SHA256", false)
	}
	if k.SigningAlgorithmMnemonic != AlgorithmMnemonic {
		c.add("SigningAlgorithmMnemonic", AlgorithmMnemonic, k.SigningAlgorithmMnemonic, "", true)
	}
	if k.DigestAlgorithmType != DigestType {
		c.add("DigestAlgorithmType", strconv.Itoa(DigestType), strconv.Itoa(k.DigestAlgorithmType), "", false)
	}
	if k.DigestAlgorithmMnemonic != DigestMnemonic {
		c.add("DigestAlgorithmMnemonic", DigestMnemonic, k.DigestAlgorithmMnemonic, "", true)
	}

	// The candidates for the key the output describes.
	pkRaw, pkBad := decodePublicKey(k.PublicKey)
	rec, recErr := parseDNSKEYRecord(k.DNSKEYRecord)
	var recRaw []byte
	recOK := recErr == nil && onCurve(rec.key)
	if recErr == nil {
		recRaw = rec.key
	}
	dsRec, dsErr := dsrecord.ParseDSRDATA(c.zone, 3600, k.DSRecord)
	digestVal, digestErr := decodeHex(k.DigestValue)

	var cands []*derived
	var srcs []string
	if pkBad == "" {
		if d, err := derive(c.zone, pkRaw); err == nil {
			cands, srcs = append(cands, d), append(srcs, "PublicKey")
		}
	}
	if recOK && (len(cands) == 0 || !bytes.Equal(recRaw, pkRaw)) {
		if d, err := derive(c.zone, recRaw); err == nil {
			cands, srcs = append(cands, d), append(srcs, "DNSKEYRecord")
		}
	}
	var kmsD *derived
	if haveKMS && onCurve(kms) {
		kmsD, _ = derive(c.zone, kms)
	}
	ref, src := -1, ""
	best := -1
	for j, d := range cands {
		score := 0
		if kmsD != nil && bytes.Equal(d.raw, kmsD.raw) {
			score += 100
		}
		if k.KeyTag == int(d.tag) {
			score++
		}
		if digestErr == nil && bytes.Equal(digestVal, d.digest) {
			score++
		}
		if dsErr == nil && int(dsRec.KeyTag) == int(d.tag) {
			score++
		}
		if dsErr == nil && strings.EqualFold(dsRec.Digest, d.hexDigest()) {
			score++
		}
		if score > best {
			ref, best = j, score
		}
	}
	var d *derived
	switch {
	case ref >= 0:
		d, src = cands[ref], srcs[ref]
	case kmsD != nil:
		d, src = kmsD, "KMS"
	}

	// PublicKey.
	switch {
	case pkBad != "" && d != nil:
		c.add("PublicKey", d.b64(), k.PublicKey, pkBad, true)
	case pkBad != "":
		c.add("PublicKey", "base64 of 64 octets X‖Y, a point on P-256", k.PublicKey, pkBad, true)
	case d != nil && !bytes.Equal(pkRaw, d.raw):
		c.add("PublicKey", d.b64(), k.PublicKey, "the key the other fields describe is "+src+"'s", true)
	}

	// DNSKEYRecord.
	want := "257 3 13 <PublicKey>"
	if d != nil {
		want = d.dnskeyRDATA()
	}
	switch {
	case k.DNSKEYRecord == "":
		c.add("DNSKEYRecord", want, "", "missing", true)
	case recErr != nil:
		c.add("DNSKEYRecord", want, k.DNSKEYRecord, recErr.Error(), true)
	default:
		var why []string
		if rec.flags != Flag {
			why = append(why, fmt.Sprintf("flags %d, want %d", rec.flags, Flag))
		}
		if rec.protocol != 3 {
			why = append(why, fmt.Sprintf("protocol %d, want 3", rec.protocol))
		}
		if rec.alg != Algorithm {
			why = append(why, fmt.Sprintf("algorithm %d, want %d", rec.alg, Algorithm))
		}
		switch {
		case d != nil && !bytes.Equal(rec.key, d.raw):
			why = append(why, "a different public key")
		case d == nil && !recOK:
			why = append(why, "public key is not a P-256 point")
		}
		if len(why) > 0 {
			c.add("DNSKEYRecord", want, k.DNSKEYRecord, strings.Join(why, "; "), true)
		}
	}

	if d == nil {
		// Without a key, only the syntax of the rest can be checked.
		if k.DigestValue != "" && digestErr != nil {
			c.add("DigestValue", "64 hex digits", k.DigestValue, digestErr.Error(), true)
		}
		if dsErr != nil {
			c.add("DSRecord", "<KeyTag> 13 2 <DigestValue>", k.DSRecord, dsErr.Error(), true)
		}
		c.checkStatus()
		c.checkDates()
		c.checkKMS(nil, haveKMS, kms, problems)
		return
	}
	kr.DNSKEY, kr.KeySource, kr.KeyTag = d.dnskey, src, d.tag
	kr.DS = &dns.DS{
		Hdr:       dns.RR_Header{Name: c.zone, Rrtype: dns.TypeDS, Class: dns.ClassINET, Ttl: 3600},
		KeyTag:    d.tag,
		Algorithm: Algorithm, DigestType: DigestType,
		Digest: d.hexDigest(),
	}

	if k.KeyTag != int(d.tag) {
		c.add("KeyTag", strconv.Itoa(int(d.tag)), strconv.Itoa(k.KeyTag), "RFC 4034 Appendix B tag of the key in "+src, false)
	}
	switch {
	case digestErr != nil:
		c.add("DigestValue", d.hexDigest(), k.DigestValue, digestErr.Error(), true)
	case !bytes.Equal(digestVal, d.digest):
		c.add("DigestValue", d.hexDigest(), k.DigestValue, "SHA-256 DS digest of the key in "+src+" owned by "+c.zone, true)
	}
	switch {
	case k.DSRecord == "":
		c.add("DSRecord", d.dsRDATA(), "", "missing", true)
	case dsErr != nil:
		c.add("DSRecord", d.dsRDATA(), k.DSRecord, strings.TrimPrefix(dsErr.Error(), "dsrecord: "), true)
	default:
		var why []string
		if int(dsRec.KeyTag) != int(d.tag) {
			why = append(why, fmt.Sprintf("key tag %d, want %d", dsRec.KeyTag, d.tag))
		}
		if dsRec.Algorithm != Algorithm {
			why = append(why, fmt.Sprintf("algorithm %d, want %d", dsRec.Algorithm, Algorithm))
		}
		if dsRec.DigestType != DigestType {
			why = append(why, fmt.Sprintf("digest type %d, want %d", dsRec.DigestType, DigestType))
		} else if !strings.EqualFold(dsRec.Digest, d.hexDigest()) {
			why = append(why, "a different digest")
		}
		if len(why) > 0 {
			c.add("DSRecord", d.dsRDATA(), k.DSRecord, strings.Join(why, "; "), true)
		}
	}
	c.checkStatus()
	c.checkDates()
	c.checkKMS(d, haveKMS, kms, problems)
}

func decodeHex(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("missing")
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, fmt.Errorf("not hex: %w", err)
	}
	if len(b) != 32 {
		return b, fmt.Errorf("%d octets, want 32 (SHA-256)", len(b))
	}
	return b, nil
}

func (c *keyChecker) checkStatus() {
	k := c.k
	switch k.Status {
	case "", StatusActive, StatusInactive, StatusDeleting:
	case StatusActionNeeded, StatusInternalFailure:
		msg := k.StatusMessage
		if msg == "" {
			msg = "no StatusMessage"
		}
		c.add("Status", StatusActive+" or "+StatusInactive, k.Status, "StatusMessage: "+msg, false)
	default:
		c.add("Status", "one of ACTIVE, INACTIVE, DELETING, ACTION_NEEDED, INTERNAL_FAILURE", k.Status, "", true)
	}
}

func (c *keyChecker) checkDates() {
	k := c.k
	if !k.CreatedDate.IsZero() && !k.LastModifiedDate.IsZero() && k.LastModifiedDate.Before(k.CreatedDate) {
		c.add("LastModifiedDate", "not before CreatedDate "+k.CreatedDate.Format(timeFormat), k.LastModifiedDate.Format(timeFormat), "", false)
	}
}

const timeFormat = "2006-01-02T15:04:05.999999999Z07:00"

func (c *keyChecker) checkKMS(d *derived, haveKMS bool, kms []byte, problems []string) {
	k := c.k
	for _, p := range problems {
		c.add("KmsArn", "a KMS key Route 53 can use", k.KmsArn+": "+p, "", false)
	}
	if !haveKMS {
		return
	}
	kmsB64 := base64.StdEncoding.EncodeToString(kms)
	switch {
	case !onCurve(kms):
		c.add("KmsArn", "a KMS key with a P-256 public key", k.KmsArn+" with public key "+kmsB64, "not a point on P-256", false)
	case d != nil && !bytes.Equal(d.raw, kms):
		c.add("KmsArn", "a KMS key whose public key is "+d.b64()+" (as in "+c.r.Keys[c.i].KeySource+")",
			k.KmsArn+" whose public key is "+kmsB64, "", false)
	case d != nil:
		c.r.Keys[c.i].KMSMatch = true
	}
}

// validName reports whether s is a Route 53 KSK name: 3 to 128 letters,
// digits and underscores.
func validName(s string) bool {
	if len(s) < 3 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// checkARN says what is wrong with a KMS key ARN for Route 53, or "".
func checkARN(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[1] == "" {
		return "not an ARN"
	}
	if f[2] != "kms" {
		return "service " + strconv.Quote(f[2]) + ", want kms"
	}
	if f[3] != KMSRegion {
		return "region " + strconv.Quote(f[3]) + ": Route 53 uses only KMS keys in " + KMSRegion
	}
	if len(f[4]) != 12 || !allDigits(f[4]) {
		return "account " + strconv.Quote(f[4]) + " is not 12 digits"
	}
	if !strings.HasPrefix(f[5], "key/") || len(f[5]) == len("key/") {
		return "resource " + strconv.Quote(f[5]) + ", want key/ID"
	}
	return ""
}

// checkSet reports findings about the KSKs together.
func checkSet(r *Report, ksks []KeySigningKey, st *DNSSECStatus) {
	add := func(field, expected, found, note string) {
		msg := fmt.Sprintf("%s: expected %s, found %s", field, expected, found)
		if note != "" {
			msg += " (" + note + ")"
		}
		r.Findings = append(r.Findings, Finding{Key: -1, Field: field, Expected: expected, Found: found, Message: msg})
	}
	if len(ksks) > MaxKeys {
		add(FieldKeySigningKeys, "at most "+strconv.Itoa(MaxKeys)+" KSKs", strconv.Itoa(len(ksks))+" KSKs", "Route 53 allows two KSKs per hosted zone")
	}
	seenName, seenARN := map[string]int{}, map[string]int{}
	for i, k := range ksks {
		if k.Name != "" {
			if j, ok := seenName[k.Name]; ok {
				add(FieldKeySigningKeys, "a unique Name", fmt.Sprintf("Name %q for KSKs #%d and #%d", k.Name, j+1, i+1), "")
			} else {
				seenName[k.Name] = i
			}
		}
		if k.KmsArn != "" {
			if j, ok := seenARN[k.KmsArn]; ok {
				add(FieldKeySigningKeys, "a unique KmsArn", fmt.Sprintf("KmsArn %s for KSKs #%d and #%d", k.KmsArn, j+1, i+1), "")
			} else {
				seenARN[k.KmsArn] = i
			}
		}
	}
	if st == nil {
		return
	}
	switch st.ServeSignature {
	case "SIGNING":
		active := 0
		for _, k := range ksks {
			if k.Status == StatusActive {
				active++
			}
		}
		if active == 0 {
			add(FieldKeySigningKeys, "an ACTIVE KSK while ServeSignature is SIGNING", "none of "+strconv.Itoa(len(ksks))+" KSKs ACTIVE", "")
		}
	case "NOT_SIGNING", "DELETING", "":
	case StatusActionNeeded, StatusInternalFailure:
		msg := st.StatusMessage
		if msg == "" {
			msg = "no StatusMessage"
		}
		add(FieldServeSignature, "SIGNING or NOT_SIGNING", st.ServeSignature, "StatusMessage: "+msg)
	default:
		add(FieldServeSignature, "one of SIGNING, NOT_SIGNING, DELETING, ACTION_NEEDED, INTERNAL_FAILURE", strconv.Quote(st.ServeSignature), "")
	}
}
