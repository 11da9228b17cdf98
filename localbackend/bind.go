package localbackend

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// maxKeyFile bounds the size of a .key, .private or PEM file that is read.
// Real ones are a few hundred bytes.
const maxKeyFile = 64 << 10

// timeLayout is the YYYYMMDDHHMMSS UTC form of BIND timing metadata.
const timeLayout = "20060102150405"

// FileBase returns the base name that BIND gives the files of a key,
// K<owner>+<alg>+<tag> (without the .key or .private suffix), for example
// "Kexample.com.+013+55648". The owner is written as dnssec-keygen writes
// it: fully qualified, lower-cased, with every octet other than a letter,
// digit, hyphen or underscore written as %XX, so the result never holds a
// path separator.
func FileBase(owner string, alg uint8, tag uint16) string {
	var b strings.Builder
	b.WriteByte('K')
	appendFileName(&b, owner)
	fmt.Fprintf(&b, "+%03d+%05d", alg, tag)
	return b.String()
}

func appendFileName(b *strings.Builder, owner string) {
	escape := func(c byte) {
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			b.WriteByte(c)
		default:
			fmt.Fprintf(b, "%%%02X", c)
		}
	}
	var wire [256]byte
	n, err := dns.PackDomainName(dns.Fqdn(owner), wire[:], 0, nil, false)
	if err != nil {
		// Not a valid name: escape its text the same way, keeping dots.
		for i := 0; i < len(owner); i++ {
			if owner[i] == '.' {
				b.WriteByte('.')
			} else {
				escape(owner[i])
			}
		}
		if !strings.HasSuffix(owner, ".") {
			b.WriteByte('.')
		}
		return
	}
	if n == 1 {
		b.WriteByte('.') // the root
		return
	}
	for i := 0; i < n && wire[i] != 0; {
		l := int(wire[i])
		for _, c := range wire[i+1 : i+1+l] {
			escape(c)
		}
		b.WriteByte('.')
		i += 1 + l
	}
}

// SaveOptions configure SaveBIND. The zero value never replaces files.
type SaveOptions struct {
	// Overwrite replaces existing files. If false, SaveBIND fails with an
	// error wrapping fs.ErrExist when either file already exists.
	Overwrite bool
}

// SaveBIND writes the key pair files of s into dir, named by FileBase,
// and returns their paths. The .private file is created with mode 0600
// and the .key file with mode 0644. Each file is written to a temporary
// file in dir and then linked (or, with Overwrite, renamed) into place,
// so a reader never sees a partial file.
func (s *Signer) SaveBIND(dir string, opts SaveOptions) (keyPath, privatePath string, err error) {
	kb, pb, err := s.MarshalBIND()
	if err != nil {
		return "", "", err
	}
	base := filepath.Join(dir, FileBase(s.dnskey.Hdr.Name, s.alg, s.tag))
	keyPath, privatePath = base+".key", base+".private"
	if !opts.Overwrite {
		for _, p := range []string{privatePath, keyPath} {
			if _, err := os.Lstat(p); err == nil {
				return "", "", fmt.Errorf("localbackend: %s: %w", p, fs.ErrExist)
			}
		}
	}
	if err := writeFile(privatePath, pb, 0o600, opts.Overwrite); err != nil {
		return "", "", err
	}
	if err := writeFile(keyPath, kb, 0o644, opts.Overwrite); err != nil {
		if !opts.Overwrite {
			os.Remove(privatePath) // we created it just now
		}
		return "", "", err
	}
	return keyPath, privatePath, nil
}

// writeFile writes data to path with mode perm via a temporary file in
// the same directory. Without overwrite it fails with fs.ErrExist if path
// exists, never replacing it.
func writeFile(path string, data []byte, perm fs.FileMode, overwrite bool) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("localbackend: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if f != nil {
			f.Close()
		}
		os.Remove(tmp)
	}()
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("localbackend: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("localbackend: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("localbackend: %w", err)
	}
	err = f.Close()
	f = nil
	if err != nil {
		return fmt.Errorf("localbackend: %w", err)
	}
	if overwrite {
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("localbackend: %w", err)
		}
		return nil
	}
	// A hard link fails if path exists: no clobbering, even in a race.
	lerr := os.Link(tmp, path)
	if lerr == nil {
		return nil
	}
	if errors.Is(lerr, fs.ErrExist) {
		return fmt.Errorf("localbackend: %s: %w", path, fs.ErrExist)
	}
	// No hard links here (some file systems): create exclusively.
	g, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("localbackend: %w", err)
	}
	_, err = g.Write(data)
	if err == nil {
		err = g.Sync()
	}
	if cerr := g.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("localbackend: %w", err)
	}
	return nil
}

// MarshalBIND returns the contents of the .key and .private files of s, in
// the format dnssec-keygen writes (Private-key-format v1.3 with the
// non-zero times of s.Timing()).
func (s *Signer) MarshalBIND() (keyFile, privateFile []byte, err error) {
	var priv []byte
	if s.ec != nil {
		if priv, err = s.ec.Bytes(); err != nil {
			return nil, nil, fmt.Errorf("localbackend: %w", err)
		}
	} else {
		priv = s.ed.Seed()
	}

	var k bytes.Buffer
	kind := "zone"
	if s.dnskey.Flags&0x0001 != 0 {
		kind = "key"
	}
	revoked := ""
	if s.dnskey.Flags&0x0080 != 0 {
		revoked = "revoked "
	}
	fmt.Fprintf(&k, "; This is a %s%s-signing key, keyid %d, for %s\n", revoked, kind, s.tag, s.dnskey.Hdr.Name)
	s.timing.each(func(name string, t time.Time) {
		fmt.Fprintf(&k, "; %s: %s (%s)\n", name, t.Format(timeLayout), t.Format("Mon Jan _2 15:04:05 2006"))
	})
	r := s.dnskey
	fmt.Fprintf(&k, "%s %d IN DNSKEY %d %d %d %s\n", r.Hdr.Name, r.Hdr.Ttl, r.Flags, r.Protocol, r.Algorithm, r.PublicKey)

	var p bytes.Buffer
	p.WriteString("Private-key-format: v1.3\n")
	fmt.Fprintf(&p, "Algorithm: %d (%s)\n", s.alg, algName(s.alg))
	fmt.Fprintf(&p, "PrivateKey: %s\n", base64.StdEncoding.EncodeToString(priv))
	s.timing.each(func(name string, t time.Time) {
		fmt.Fprintf(&p, "%s: %s\n", name, t.Format(timeLayout))
	})
	return k.Bytes(), p.Bytes(), nil
}

func algName(alg uint8) string {
	switch alg {
	case ECDSAP256SHA256:
		return "ECDSAP256SHA256"
	case ECDSAP384SHA384:
		return "ECDSAP384SHA384"
	case ED25519:
		return "ED25519"
	}
	return strconv.Itoa(int(alg))
}

// each calls f for every non-zero time, in the order BIND writes them.
func (t Timing) each(f func(name string, t time.Time)) {
	for _, e := range t.fields() {
		if !e.t.IsZero() {
			f(e.name, e.t.UTC())
		}
	}
}

type timingField struct {
	name string
	t    time.Time
	p    *time.Time
}

func (t *Timing) fields() []timingField {
	return []timingField{
		{"Created", t.Created, &t.Created},
		{"Publish", t.Publish, &t.Publish},
		{"Activate", t.Activate, &t.Activate},
		{"Revoke", t.Revoke, &t.Revoke},
		{"Inactive", t.Inactive, &t.Inactive},
		{"Delete", t.Delete, &t.Delete},
		{"SyncPublish", t.SyncPublish, &t.SyncPublish},
		{"SyncDelete", t.SyncDelete, &t.SyncDelete},
	}
}

// LoadBIND reads a key pair written by dnssec-keygen, ldns-keygen or
// SaveBIND. path names either file or their common base: "Kexample.com.+013+55648",
// with or without ".key" or ".private". The private key must derive the
// public key of the .key file; if not, the error wraps ErrKeyMismatch and
// names both files. The DNSKEY owner, flags and TTL come from the .key
// file (opts.TTL, if set, replaces the TTL) and the timing from the
// .private file; opts.Deterministic applies as usual. A .key file without
// a TTL gives DefaultTTL.
func LoadBIND(path string, opts Options) (*Signer, error) {
	base := path
	if b, ok := strings.CutSuffix(path, ".key"); ok {
		base = b
	} else if b, ok := strings.CutSuffix(path, ".private"); ok {
		base = b
	}
	keyPath, privPath := base+".key", base+".private"
	kb, err := readFile(keyPath)
	if err != nil {
		return nil, err
	}
	pb, err := readFile(privPath)
	if err != nil {
		return nil, err
	}
	return parseBIND(kb, pb, keyPath, privPath, opts)
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("localbackend: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("localbackend: read %s: %w", path, err)
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrMalformed, path, maxKeyFile)
	}
	return b, nil
}

// ParseBIND parses the contents of a .key file and its .private file, as
// LoadBIND does.
func ParseBIND(keyFile, privateFile []byte, opts Options) (*Signer, error) {
	return parseBIND(keyFile, privateFile, "the .key file", "the .private file", opts)
}

func parseBIND(kb, pb []byte, keyName, privName string, opts Options) (*Signer, error) {
	k, err := parseKeyFile(kb)
	if err != nil {
		return nil, inFile(keyName, err)
	}
	p, err := parsePrivate(pb)
	if err != nil {
		return nil, inFile(privName, err)
	}
	if p.alg != k.Algorithm {
		return nil, fmt.Errorf("%w: algorithm %d in %s but %d in %s", ErrKeyMismatch, p.alg, privName, k.Algorithm, keyName)
	}
	priv, err := privateKey(p.alg, p.key)
	if err != nil {
		return nil, inFile(privName, err)
	}
	ttl := opts.TTL
	if ttl == 0 {
		ttl = k.Hdr.Ttl
	}
	s, err := newSigner(priv, k.Hdr.Name, k.Flags, ttl, opts.Deterministic, p.timing)
	if err != nil {
		return nil, inFile(keyName, err)
	}
	want, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil {
		return nil, inFile(keyName, fmt.Errorf("%w: public key is not base64: %v", ErrMalformed, err))
	}
	got, _ := base64.StdEncoding.DecodeString(s.dnskey.PublicKey)
	if !bytes.Equal(got, want) {
		return nil, fmt.Errorf("%w: the private key in %s does not derive the public key in %s", ErrKeyMismatch, privName, keyName)
	}
	return s, nil
}

// privateKey makes a crypto key of the PrivateKey field of a .private
// file: the big-endian ECDSA scalar (ldns omits leading zero octets, so
// shorter values are left-padded) or the 32-byte Ed25519 seed.
func privateKey(alg uint8, key []byte) (crypto.Signer, error) {
	switch alg {
	case ECDSAP256SHA256, ECDSAP384SHA384:
		size := 32
		if alg == ECDSAP384SHA384 {
			size = 48
		}
		if len(key) > size {
			return nil, fmt.Errorf("%w: algorithm %d PrivateKey is %d bytes, want %d", ErrMalformed, alg, len(key), size)
		}
		d := make([]byte, size)
		copy(d[size-len(key):], key)
		k, err := ecdsa.ParseRawPrivateKey(curveOf(alg), d)
		if err != nil {
			return nil, fmt.Errorf("%w: algorithm %d PrivateKey: %v", ErrMalformed, alg, err)
		}
		return k, nil
	case ED25519:
		if len(key) != ed25519.SeedSize {
			return nil, fmt.Errorf("%w: Ed25519 PrivateKey is %d bytes, want %d", ErrMalformed, len(key), ed25519.SeedSize)
		}
		return ed25519.NewKeyFromSeed(key), nil
	}
	return nil, fmt.Errorf("%w %d", ErrUnsupportedAlgorithm, alg)
}

// parseKeyFile parses a .key file: comment lines and exactly one DNSKEY
// record whose owner is absolute (relative owners are taken relative to
// the root, as BIND does). A record without a TTL (dnssec-keygen writes
// none unless asked) gets DefaultTTL.
func parseKeyFile(b []byte) (*dns.DNSKEY, error) {
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, maxKeyFile)
	}
	zp := dns.NewZoneParser(bytes.NewReader(b), ".", "")
	zp.SetDefaultTTL(DefaultTTL)
	var k *dns.DNSKEY
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		d, isKey := rr.(*dns.DNSKEY)
		if !isKey {
			return nil, fmt.Errorf("%w: a %s record, want DNSKEY", ErrMalformed, dns.TypeToString[rr.Header().Rrtype])
		}
		if k != nil {
			return nil, fmt.Errorf("%w: more than one DNSKEY record", ErrMalformed)
		}
		k = d
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if k == nil {
		return nil, fmt.Errorf("%w: no DNSKEY record", ErrMalformed)
	}
	if k.Protocol != 3 {
		return nil, fmt.Errorf("%w: DNSKEY protocol %d, want 3", ErrMalformed, k.Protocol)
	}
	switch k.Algorithm {
	case ECDSAP256SHA256, ECDSAP384SHA384, ED25519:
	default:
		return nil, fmt.Errorf("%w %d (want 13, 14 or 15)", ErrUnsupportedAlgorithm, k.Algorithm)
	}
	return k, nil
}

// privateFile is the content of a .private file.
type privateFile struct {
	major, minor int
	alg          uint8
	key          []byte
	timing       Timing
}

// parsePrivate parses a BIND "Private-key-format: v1.x" file. Lines are
// "Tag: value"; tags are matched without regard to case; blank lines and
// lines starting with ';' are skipped. The first line must give the
// format, a major version of 1; Algorithm and PrivateKey are required.
// Unknown tags are ignored (newer v1 minor versions add some); a repeated
// tag is an error. It never panics.
func parsePrivate(b []byte) (*privateFile, error) {
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, maxKeyFile)
	}
	p := &privateFile{}
	seen := map[string]bool{}
	haveFormat, haveAlg := false, false
	var key []byte
	for n, line := range strings.Split(string(b), "\n") {
		lineno := n + 1
		line = strings.TrimSpace(line)
		if line == "" || line[0] == ';' {
			continue
		}
		tag, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%w: line %d: want \"Tag: value\", got %q", ErrMalformed, lineno, clip(line))
		}
		tag, val = strings.TrimSpace(tag), strings.TrimSpace(val)
		ltag := strings.ToLower(tag)
		if !haveFormat {
			if ltag != "private-key-format" {
				return nil, fmt.Errorf("%w: line %d: want \"Private-key-format: v1.x\" first, got %q", ErrMalformed, lineno, clip(line))
			}
			maj, min, err := parseVersion(val)
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: %v", ErrMalformed, lineno, err)
			}
			p.major, p.minor = maj, min
			haveFormat = true
			seen[ltag] = true
			continue
		}
		if seen[ltag] {
			return nil, fmt.Errorf("%w: line %d: repeated tag %q", ErrMalformed, lineno, clip(tag))
		}
		seen[ltag] = true
		switch ltag {
		case "algorithm":
			f := strings.Fields(val)
			if len(f) == 0 {
				return nil, fmt.Errorf("%w: line %d: empty Algorithm", ErrMalformed, lineno)
			}
			a, err := strconv.ParseUint(f[0], 10, 8)
			if err != nil {
				return nil, fmt.Errorf("%w: line %d: Algorithm %q is not a number from 0 to 255", ErrMalformed, lineno, clip(f[0]))
			}
			p.alg, haveAlg = uint8(a), true
		case "privatekey":
			v := strings.Join(strings.Fields(val), "")
			d, err := base64.StdEncoding.DecodeString(v)
			if err != nil || len(d) == 0 {
				return nil, fmt.Errorf("%w: line %d: PrivateKey is not base64", ErrMalformed, lineno)
			}
			key = d
		case "engine", "label":
			return nil, fmt.Errorf("%w: line %d: the key is held by a cryptographic engine or HSM (%s), not in the file", ErrUnsupportedAlgorithm, lineno, tag)
		default:
			if tp := p.timing.field(ltag); tp != nil {
				t, err := time.Parse(timeLayout, val)
				if err != nil {
					return nil, fmt.Errorf("%w: line %d: %s %q is not YYYYMMDDHHMMSS", ErrMalformed, lineno, tag, clip(val))
				}
				*tp = t
			}
			// Other tags (RSA fields, Predecessor, Successor, MaxTTL,
			// RollPeriod, ...) are ignored.
		}
	}
	switch {
	case !haveFormat:
		return nil, fmt.Errorf("%w: no \"Private-key-format\" line", ErrMalformed)
	case !haveAlg:
		return nil, fmt.Errorf("%w: no Algorithm line", ErrMalformed)
	}
	switch p.alg {
	case ECDSAP256SHA256, ECDSAP384SHA384, ED25519:
	default:
		return nil, fmt.Errorf("%w %d (want 13, 14 or 15)", ErrUnsupportedAlgorithm, p.alg)
	}
	if key == nil {
		return nil, fmt.Errorf("%w: no PrivateKey line", ErrMalformed)
	}
	p.key = key
	return p, nil
}

// field returns the time field for a lower-case tag, or nil.
func (t *Timing) field(ltag string) *time.Time {
	for _, f := range t.fields() {
		if strings.ToLower(f.name) == ltag {
			return f.p
		}
	}
	return nil
}

func parseVersion(v string) (major, minor int, err error) {
	s, ok := strings.CutPrefix(v, "v")
	if !ok {
		return 0, 0, fmt.Errorf("format version %q does not start with \"v\"", clip(v))
	}
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return 0, 0, fmt.Errorf("format version %q is not vMAJOR.MINOR", clip(v))
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || major < 0 || minor < 0 {
		return 0, 0, fmt.Errorf("format version %q is not vMAJOR.MINOR", clip(v))
	}
	if major != 1 {
		return 0, 0, fmt.Errorf("format version %q: only v1.x is understood", clip(v))
	}
	return major, minor, nil
}

// inFile prefixes err with a file name, keeping the package prefix
// first: "localbackend: NAME: malformed key: ...". errors.Is and errors.As
// see err.
func inFile(name string, err error) error { return &fileError{name, err} }

type fileError struct {
	name string
	err  error
}

func (e *fileError) Error() string {
	return "localbackend: " + e.name + ": " + strings.TrimPrefix(e.err.Error(), "localbackend: ")
}

func (e *fileError) Unwrap() error { return e.err }

// clip shortens s for an error message.
func clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
