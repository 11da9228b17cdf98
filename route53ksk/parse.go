package route53ksk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// KSK statuses Route 53 reports (KeySigningKey.Status).
const (
	StatusActive          = "ACTIVE"
	StatusInactive        = "INACTIVE"
	StatusDeleting        = "DELETING"
	StatusActionNeeded    = "ACTION_NEEDED"
	StatusInternalFailure = "INTERNAL_FAILURE"
)

// KeySigningKey is one key-signing key as Route 53 reports it, with the
// field names of the Route 53 API (and of the AWS CLI's JSON output), in
// the order the CLI prints them. Zero means absent for every field.
type KeySigningKey struct {
	// Name identifies the KSK within the hosted zone: 3 to 128 letters,
	// digits and underscores.
	Name string `json:"Name,omitempty"`
	// KmsArn is the ARN of the KMS key that holds the private key.
	KmsArn string `json:"KmsArn,omitempty"`
	// Flag is the DNSKEY flags field; always 257 for a KSK.
	Flag int `json:"Flag"`
	// SigningAlgorithmMnemonic is "ECDSAP256SHA256".
	SigningAlgorithmMnemonic string `json:"SigningAlgorithmMnemonic,omitempty"`
	// SigningAlgorithmType is the DNSSEC algorithm number, 13.
	SigningAlgorithmType int `json:"SigningAlgorithmType"`
	// DigestAlgorithmMnemonic is "SHA-256".
	DigestAlgorithmMnemonic string `json:"DigestAlgorithmMnemonic,omitempty"`
	// DigestAlgorithmType is the DS digest type, 2.
	DigestAlgorithmType int `json:"DigestAlgorithmType"`
	// KeyTag is the RFC 4034 Appendix B key tag of the DNSKEY.
	KeyTag int `json:"KeyTag"`
	// DigestValue is the DS digest as hex (Route 53 prints upper case).
	DigestValue string `json:"DigestValue,omitempty"`
	// PublicKey is the DNSKEY public key field, base64 of X‖Y.
	PublicKey string `json:"PublicKey,omitempty"`
	// DSRecord is the DS RDATA: "<tag> 13 2 <HEX>", without owner name.
	DSRecord string `json:"DSRecord,omitempty"`
	// DNSKEYRecord is the DNSKEY RDATA: "257 3 13 <base64>".
	DNSKEYRecord string `json:"DNSKEYRecord,omitempty"`
	// Status is one of the Status constants.
	Status string `json:"Status,omitempty"`
	// StatusMessage explains ACTION_NEEDED and INTERNAL_FAILURE.
	StatusMessage string `json:"StatusMessage,omitempty"`
	// CreatedDate and LastModifiedDate are the KSK's dates.
	CreatedDate      time.Time `json:"CreatedDate,omitzero"`
	LastModifiedDate time.Time `json:"LastModifiedDate,omitzero"`
}

// DNSSECStatus is the zone-level status of GetDNSSEC.
type DNSSECStatus struct {
	// ServeSignature is SIGNING, NOT_SIGNING, DELETING, ACTION_NEEDED or
	// INTERNAL_FAILURE.
	ServeSignature string `json:"ServeSignature,omitempty"`
	StatusMessage  string `json:"StatusMessage,omitempty"`
}

// ChangeInfo is the change CreateKeySigningKey started.
type ChangeInfo struct {
	Id          string    `json:"Id,omitempty"` //nolint:revive // the API's name
	Status      string    `json:"Status,omitempty"`
	SubmittedAt time.Time `json:"SubmittedAt,omitzero"`
	Comment     string    `json:"Comment,omitempty"`
}

// Output is what Parse found in its input. Fields the input did not hold
// are zero.
type Output struct {
	// Status is the zone's DNSSEC status (get-dnssec).
	Status *DNSSECStatus `json:"Status,omitempty"`
	// KeySigningKeys are the KSKs, in input order: those of get-dnssec,
	// the one of create-key-signing-key, or the bare objects.
	KeySigningKeys []KeySigningKey `json:"KeySigningKeys"`
	// ChangeInfo and Location come from create-key-signing-key.
	ChangeInfo *ChangeInfo `json:"ChangeInfo,omitempty"`
	Location   string      `json:"Location,omitempty"`
}

// ErrSyntax is wrapped by the errors Parse returns for input that is not
// Route 53 KSK JSON: malformed JSON (the error gives line, column and byte
// offset), values of the wrong type, or JSON without key-signing keys.
var ErrSyntax = errors.New("route53ksk: not Route 53 key-signing-key JSON")

// MaxInputSize is the most ParseReader reads. Route 53 output for a zone
// (at most two KSKs) is a few kilobytes.
const MaxInputSize = 1 << 20

// ParseReader reads at most MaxInputSize bytes from r and parses them with
// Parse.
func ParseReader(r io.Reader) (*Output, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("route53ksk: read: %w", err)
	}
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%w: input is larger than %d bytes", ErrSyntax, MaxInputSize)
	}
	return Parse(data)
}

// Parse parses the JSON output of "aws route53 get-dnssec" or "aws
// route53 create-key-signing-key", a bare KeySigningKey object, or an
// array of them. Unknown fields are ignored and field names match case
// insensitively, as with encoding/json. get-dnssec output with an empty
// KeySigningKeys list gives an Output without keys; an object with none of
// the fields of these shapes is an error.
func Parse(data []byte) (*Output, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM some editors add
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrSyntax)
	}
	if !json.Valid(data) {
		return nil, syntaxError(data)
	}
	out := &Output{}
	switch trimmed[0] {
	case '[':
		keys, err := parseKeyList(data, "")
		if err != nil {
			return nil, err
		}
		out.KeySigningKeys = keys
		return out, nil
	case '{':
	default:
		return nil, fmt.Errorf("%w: want a JSON object or array, found %s", ErrSyntax, jsonKind(trimmed[0]))
	}
	var env struct {
		Status         json.RawMessage
		KeySigningKeys json.RawMessage
		KeySigningKey  json.RawMessage
		ChangeInfo     json.RawMessage
		Location       json.RawMessage
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	statusObject := isKind(env.Status, '{')
	if !present(env.KeySigningKeys) && !present(env.KeySigningKey) && !present(env.ChangeInfo) && !statusObject {
		// A bare KeySigningKey.
		k, err := parseKey(data, "")
		if err != nil {
			return nil, err
		}
		if k == (KeySigningKey{}) {
			return nil, fmt.Errorf("%w: no KeySigningKeys, KeySigningKey or key-signing-key fields in the object (want the output of aws route53 get-dnssec or create-key-signing-key)", ErrSyntax)
		}
		out.KeySigningKeys = []KeySigningKey{k}
		return out, nil
	}
	if present(env.Status) {
		if !statusObject {
			return nil, fmt.Errorf("%w: Status: want an object with ServeSignature, found %s", ErrSyntax, jsonKind(firstByte(env.Status)))
		}
		out.Status = &DNSSECStatus{}
		if err := json.Unmarshal(env.Status, out.Status); err != nil {
			return nil, fmt.Errorf("%w: Status: %w", ErrSyntax, err)
		}
	}
	if present(env.KeySigningKeys) {
		keys, err := parseKeyList(env.KeySigningKeys, "KeySigningKeys")
		if err != nil {
			return nil, err
		}
		out.KeySigningKeys = keys
	}
	if present(env.KeySigningKey) {
		k, err := parseKey(env.KeySigningKey, "KeySigningKey")
		if err != nil {
			return nil, err
		}
		out.KeySigningKeys = append(out.KeySigningKeys, k)
	}
	if present(env.ChangeInfo) {
		ci, err := parseChangeInfo(env.ChangeInfo)
		if err != nil {
			return nil, err
		}
		out.ChangeInfo = ci
	}
	if present(env.Location) {
		if err := json.Unmarshal(env.Location, &out.Location); err != nil {
			return nil, fmt.Errorf("%w: Location: %w", ErrSyntax, err)
		}
	}
	return out, nil
}

// present reports whether a field was given and is not null.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

func firstByte(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func isKind(raw json.RawMessage, c byte) bool { return firstByte(raw) == c }

func jsonKind(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case 0:
		return "nothing"
	}
	return "a number"
}

// syntaxError describes malformed JSON with its line, column and offset.
func syntaxError(data []byte) error {
	var v struct{}
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		// json.Valid and Unmarshal disagree only if the input is
		// truncated in a way Unmarshal reports differently.
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	// The offset encoding/json reports is just after the offending byte.
	off := se.Offset - 1
	off = max(0, min(off, int64(len(data))))
	line, col := lineCol(data, off)
	return fmt.Errorf("%w: malformed JSON at line %d, column %d (byte offset %d): %w", ErrSyntax, line, col, off, se)
}

// lineCol returns the 1-based line and column (in bytes) of the byte at
// offset off.
func lineCol(data []byte, off int64) (line, col int) {
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func parseKeyList(raw json.RawMessage, path string) ([]KeySigningKey, error) {
	if !isKind(raw, '[') {
		return nil, fmt.Errorf("%w: %s: want an array of key-signing keys, found %s", ErrSyntax, orTop(path), jsonKind(firstByte(raw)))
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrSyntax, orTop(path), err)
	}
	keys := make([]KeySigningKey, 0, len(elems))
	for i, e := range elems {
		k, err := parseKey(e, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func orTop(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}

// rawKey is KeySigningKey as it arrives: numbers and dates are decoded
// leniently by parseKey.
type rawKey struct {
	Name                     *string
	KmsArn                   *string
	Flag                     json.RawMessage
	SigningAlgorithmMnemonic *string
	SigningAlgorithmType     json.RawMessage
	DigestAlgorithmMnemonic  *string
	DigestAlgorithmType      json.RawMessage
	KeyTag                   json.RawMessage
	DigestValue              *string
	PublicKey                *string
	DSRecord                 *string
	DNSKEYRecord             *string
	Status                   *string
	StatusMessage            *string
	CreatedDate              json.RawMessage
	LastModifiedDate         json.RawMessage
}

func parseKey(raw json.RawMessage, path string) (KeySigningKey, error) {
	var k KeySigningKey
	if !isKind(raw, '{') {
		return k, fmt.Errorf("%w: %s: want a KeySigningKey object, found %s", ErrSyntax, orTop(path), jsonKind(firstByte(raw)))
	}
	var r rawKey
	if err := json.Unmarshal(raw, &r); err != nil {
		return k, fmt.Errorf("%w: %s: %w", ErrSyntax, orTop(path), err)
	}
	field := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	k.Name = str(r.Name)
	k.KmsArn = str(r.KmsArn)
	k.SigningAlgorithmMnemonic = str(r.SigningAlgorithmMnemonic)
	k.DigestAlgorithmMnemonic = str(r.DigestAlgorithmMnemonic)
	k.DigestValue = str(r.DigestValue)
	k.PublicKey = str(r.PublicKey)
	k.DSRecord = str(r.DSRecord)
	k.DNSKEYRecord = str(r.DNSKEYRecord)
	k.Status = str(r.Status)
	k.StatusMessage = str(r.StatusMessage)
	ints := []struct {
		name string
		raw  json.RawMessage
		dst  *int
	}{
		{"Flag", r.Flag, &k.Flag},
		{"SigningAlgorithmType", r.SigningAlgorithmType, &k.SigningAlgorithmType},
		{"DigestAlgorithmType", r.DigestAlgorithmType, &k.DigestAlgorithmType},
		{"KeyTag", r.KeyTag, &k.KeyTag},
	}
	for _, f := range ints {
		v, err := parseInt(f.raw)
		if err != nil {
			return k, fmt.Errorf("%w: %s: %w", ErrSyntax, field(f.name), err)
		}
		*f.dst = v
	}
	var err error
	if k.CreatedDate, err = parseTime(r.CreatedDate); err != nil {
		return k, fmt.Errorf("%w: %s: %w", ErrSyntax, field("CreatedDate"), err)
	}
	if k.LastModifiedDate, err = parseTime(r.LastModifiedDate); err != nil {
		return k, fmt.Errorf("%w: %s: %w", ErrSyntax, field("LastModifiedDate"), err)
	}
	return k, nil
}

func parseChangeInfo(raw json.RawMessage) (*ChangeInfo, error) {
	if !isKind(raw, '{') {
		return nil, fmt.Errorf("%w: ChangeInfo: want an object, found %s", ErrSyntax, jsonKind(firstByte(raw)))
	}
	var r struct {
		Id, Status, Comment string //nolint:revive // the API's name
		SubmittedAt         json.RawMessage
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("%w: ChangeInfo: %w", ErrSyntax, err)
	}
	t, err := parseTime(r.SubmittedAt)
	if err != nil {
		return nil, fmt.Errorf("%w: ChangeInfo.SubmittedAt: %w", ErrSyntax, err)
	}
	return &ChangeInfo{Id: r.Id, Status: r.Status, Comment: r.Comment, SubmittedAt: t}, nil
}

// parseInt decodes an integer given as a JSON number or a string holding
// one; absent and null are 0.
func parseInt(raw json.RawMessage) (int, error) {
	if !present(raw) {
		return 0, nil
	}
	s, err := scalarText(raw)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, fmt.Errorf("want an integer, found %s", raw)
		}
		n = int64(f)
	}
	if n > math.MaxInt32 || n < math.MinInt32 {
		return 0, fmt.Errorf("integer %s out of range", s)
	}
	return int(n), nil
}

// scalarText returns the text of a JSON number, or the contents of a JSON
// string, trimmed.
func scalarText(raw json.RawMessage) (string, error) {
	switch c := firstByte(raw); {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return string(bytes.TrimSpace(raw)), nil
	default:
		return "", fmt.Errorf("want a number or a string, found %s", jsonKind(c))
	}
}

// timeLayouts are the date formats parseTime accepts: RFC 3339 (as the
// AWS CLI prints dates, e.g. 2021-03-01T12:00:00.123000+00:00) and its
// space-separated and zone-less variants.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
}

// maxEpoch bounds epoch seconds (about the year 5138).
const maxEpoch = 1e11

// parseTime decodes a date: an RFC 3339 string or a non-negative number
// of seconds since the epoch (a JSON number or a string holding one, with
// an optional fraction). Absent, null and "" are the zero time. Times are returned in
// UTC.
func parseTime(raw json.RawMessage) (time.Time, error) {
	if !present(raw) {
		return time.Time{}, nil
	}
	s, err := scalarText(raw)
	if err != nil {
		return time.Time{}, err
	}
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, ok := parseEpoch(s); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("want an RFC 3339 date or seconds since the epoch, found %q", s)
}

// parseEpoch parses decimal seconds since the epoch, exactly for plain
// decimals ("1614600000.123") and through float64 for exponents.
func parseEpoch(s string) (time.Time, bool) {
	ip, fp, hasFrac := strings.Cut(s, ".")
	plain := !hasFrac || (fp != "" && len(fp) <= 9 && allDigits(fp))
	if sec, err := strconv.ParseInt(ip, 10, 64); err == nil && plain && sec >= 0 && sec < maxEpoch {
		var nsec int64
		if hasFrac {
			nsec, _ = strconv.ParseInt((fp + "000000000")[:9], 10, 64)
		}
		return time.Unix(sec, nsec).UTC(), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f >= maxEpoch {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// UnmarshalJSON decodes a KeySigningKey as Parse does: numbers may be
// strings, dates RFC 3339 strings or epoch seconds.
func (k *KeySigningKey) UnmarshalJSON(b []byte) error {
	v, err := parseKey(b, "")
	if err != nil {
		return err
	}
	*k = v
	return nil
}
