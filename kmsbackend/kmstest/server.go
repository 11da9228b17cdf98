// Package kmstest is an in-process AWS KMS emulator for tests: an
// httptest server that speaks the KMS JSON 1.1 protocol (POST /,
// X-Amz-Target: TrentService.<Operation>, Content-Type
// application/x-amz-json-1.1) well enough for the real aws-sdk-go-v2 KMS
// client, backed by real ECDSA keys, with fault injection.
//
// # Operations
//
// CreateKey, DescribeKey, GetPublicKey, Sign, Verify, GetKeyPolicy,
// PutKeyPolicy, CreateAlias, ListAliases, EnableKey, DisableKey and
// ScheduleKeyDeletion. Keys of spec ECC_NIST_P256, ECC_NIST_P384 and
// ECC_NIST_P521 (usage SIGN_VERIFY or KEY_AGREEMENT) hold real ECDSA keys;
// SYMMETRIC_DEFAULT keys (ENCRYPT_DECRYPT) exist so that wrong-usage keys
// can be described, but have no key material. Other specs (including
// ECC_SECG_P256K1 and RSA) are answered with UnsupportedOperationException.
//
// Key IDs may be given as a key ID, key ARN, alias name (alias/NAME) or
// alias ARN where KMS accepts them (DescribeKey, GetPublicKey, Sign,
// Verify); the key-management operations accept only a key ID or key ARN,
// like KMS.
//
// # Errors
//
// Errors are JSON bodies {"__type": "...", "message": "..."} with the HTTP
// status codes of the KMS Smithy model: 400 for most client errors, 404
// NotFoundException, 409 DisabledException and KMSInvalidStateException,
// 500 KMSInternalException and KeyUnavailableException, 503
// DependencyTimeoutException. ThrottlingException and
// AccessDeniedException (not modelled by KMS; the SDK returns them as
// smithy.GenericAPIError) are 400.
//
// # Faults
//
// A Server's fault settings (SetThrottleRate, SetInternalErrorRate,
// SetLatency, SetShortSignatures, SetBadSignatureRate, Fail) may be changed
// while requests are in flight. Calls counts the requests per operation.
//
// Requests must carry a SigV4 Authorization header scoped to the server's
// region and the kms service; the signature itself is not checked.
package kmstest

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Default region and account of a Server.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "111122223333"
)

// Options configure a Server. The zero value is a server in us-east-1 for
// account 111122223333.
type Options struct {
	// Region is the server's region, used in ARNs and required in the
	// SigV4 credential scope. Empty means DefaultRegion.
	Region string
	// Account is the AWS account ID in ARNs. Empty means DefaultAccount.
	Account string
}

// Short selects which half of an ECDSA signature SetShortSignatures
// forces to be shorter than the field size.
type Short uint8

const (
	// ShortOff returns signatures as they come.
	ShortOff Short = iota
	// ShortR returns only signatures whose r is below 2^(8·(size−1)), so
	// its DER INTEGER has fewer than size magnitude bytes.
	ShortR
	// ShortS returns only signatures whose s is short.
	ShortS
	// ShortEither returns only signatures whose r or s is short.
	ShortEither
)

// Server is a KMS emulator. Create one with NewServer; it is safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the server (http://127.0.0.1:PORT), to be used
	// as the SDK's BaseEndpoint.
	URL string

	region  string
	account string
	ts      *httptest.Server

	mu      sync.RWMutex
	keys    map[string]*key   // by key ID
	aliases map[string]*alias // by alias name

	faultMu      sync.Mutex
	throttleRate float64
	internalRate float64
	badSigRate   float64
	latency      time.Duration
	short        Short
	failures     map[string]*failure

	callsMu sync.Mutex
	calls   map[string]int64

	shortForced atomic.Int64
	inFlight    atomic.Int64
	peak        atomic.Int64
}

type failure struct {
	code string
	left int // <= 0: forever
}

type key struct {
	id          string
	arn         string
	spec        string
	usage       string
	priv        *ecdsa.PrivateKey
	created     time.Time
	description string
	multiRegion bool
	tags        []tag

	// guarded by Server.mu
	state    string
	policy   string
	deletion time.Time
	window   int32
}

type alias struct {
	name    string
	target  string
	created time.Time
}

type tag struct {
	TagKey   string
	TagValue string
}

// NewServer starts a Server with default Options. Call Close when done.
func NewServer() *Server { return NewServerWith(Options{}) }

// NewServerWith starts a Server with the given options. Call Close when
// done.
func NewServerWith(o Options) *Server {
	s := &Server{
		region:   o.Region,
		account:  o.Account,
		keys:     map[string]*key{},
		aliases:  map[string]*alias{},
		failures: map[string]*failure{},
		calls:    map[string]int64{},
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if s.account == "" {
		s.account = DefaultAccount
	}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.ts.URL
	return s
}

// Close shuts the server down, blocking until all requests have finished.
func (s *Server) Close() { s.ts.Close() }

// Region returns the server's region.
func (s *Server) Region() string { return s.region }

// Account returns the server's account ID.
func (s *Server) Account() string { return s.account }

// SetThrottleRate makes a fraction f (0 to 1) of Sign calls fail with
// ThrottlingException (HTTP 400).
func (s *Server) SetThrottleRate(f float64) {
	s.faultMu.Lock()
	s.throttleRate = f
	s.faultMu.Unlock()
}

// SetInternalErrorRate makes a fraction f of Sign calls fail with
// KMSInternalException (HTTP 500).
func (s *Server) SetInternalErrorRate(f float64) {
	s.faultMu.Lock()
	s.internalRate = f
	s.faultMu.Unlock()
}

// SetBadSignatureRate makes a fraction f of Sign calls return a
// well-formed signature over another digest, which does not verify.
func (s *Server) SetBadSignatureRate(f float64) {
	s.faultMu.Lock()
	s.badSigRate = f
	s.faultMu.Unlock()
}

// SetLatency delays every request by d before it is handled. A request
// whose client goes away during the delay is abandoned.
func (s *Server) SetLatency(d time.Duration) {
	s.faultMu.Lock()
	s.latency = d
	s.faultMu.Unlock()
}

// SetShortSignatures makes Sign return only valid signatures whose r or s
// (as selected) is short, found by signing repeatedly and, for s, also
// trying the equally valid n−s.
func (s *Server) SetShortSignatures(m Short) {
	s.faultMu.Lock()
	s.short = m
	s.faultMu.Unlock()
}

// ShortSignatures returns how many Sign responses were forced short.
func (s *Server) ShortSignatures() int64 { return s.shortForced.Load() }

// Fail makes the next n calls of operation op (such as "Sign") fail with
// the exception code (such as "AccessDeniedException"), or every call if
// n <= 0, until ClearFailures. The HTTP status is the one KMS uses for the
// code (see the package documentation).
func (s *Server) Fail(op, code string, n int) {
	s.faultMu.Lock()
	s.failures[op] = &failure{code: code, left: n}
	s.faultMu.Unlock()
}

// ClearFailures removes all failures set by Fail.
func (s *Server) ClearFailures() {
	s.faultMu.Lock()
	clear(s.failures)
	s.faultMu.Unlock()
}

// Calls returns the number of requests received for operation op,
// including failed ones.
func (s *Server) Calls(op string) int64 {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	return s.calls[op]
}

// InFlightPeak returns the largest number of requests the server has
// handled at once since it started or since ResetCalls.
func (s *Server) InFlightPeak() int64 { return s.peak.Load() }

// ResetCalls sets every counter of Calls, and InFlightPeak, to zero.
func (s *Server) ResetCalls() {
	s.callsMu.Lock()
	clear(s.calls)
	s.callsMu.Unlock()
	s.peak.Store(s.inFlight.Load())
}

// KeyInfo identifies a key made by NewKey.
type KeyInfo struct {
	ID  string
	ARN string
}

// NewKey creates a key directly, without a request, with the default key
// policy. spec is a KMS KeySpec (ECC_NIST_P256, ECC_NIST_P384,
// ECC_NIST_P521, SYMMETRIC_DEFAULT) and usage a KeyUsage (SIGN_VERIFY,
// KEY_AGREEMENT, ENCRYPT_DECRYPT).
func (s *Server) NewKey(spec, usage string) (KeyInfo, error) {
	k, aerr := s.createKey(createKeyInput{KeySpec: spec, KeyUsage: usage})
	if aerr != nil {
		return KeyInfo{}, fmt.Errorf("kmstest: %s: %s", aerr.code, aerr.msg)
	}
	return KeyInfo{ID: k.id, ARN: k.arn}, nil
}

// SetKeyState sets the state of a key: "Enabled", "Disabled" or
// "PendingDeletion".
func (s *Server) SetKeyState(keyID, state string) error {
	switch state {
	case "Enabled", "Disabled", "PendingDeletion":
	default:
		return fmt.Errorf("kmstest: unknown key state %q", state)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, aerr := s.lookupLocked(keyID, true)
	if aerr != nil {
		return fmt.Errorf("kmstest: %s", aerr.msg)
	}
	k.state = state
	return nil
}

// PublicKey returns the public key of an asymmetric key, for checking
// signatures independently of the code under test.
func (s *Server) PublicKey(keyID string) (crypto.PublicKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, aerr := s.lookupLocked(keyID, true)
	if aerr != nil {
		return nil, fmt.Errorf("kmstest: %s", aerr.msg)
	}
	if k.priv == nil {
		return nil, fmt.Errorf("kmstest: key %s has no public key", k.id)
	}
	return &k.priv.PublicKey, nil
}

// apiError is a KMS exception.
type apiError struct {
	code string
	msg  string
}

func errf(code, format string, args ...any) *apiError {
	return &apiError{code: code, msg: fmt.Sprintf(format, args...)}
}

// statusOf returns the HTTP status KMS uses for an exception code.
func statusOf(code string) int {
	switch code {
	case "NotFoundException":
		return http.StatusNotFound
	case "DisabledException", "KMSInvalidStateException", "AlreadyExistsException", "ConflictException":
		return http.StatusConflict
	case "KMSInternalException", "KeyUnavailableException", "InternalFailure":
		return http.StatusInternalServerError
	case "DependencyTimeoutException", "ServiceUnavailable":
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

func (s *Server) count(op string) {
	s.callsMu.Lock()
	s.calls[op]++
	s.callsMu.Unlock()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"__type":"KMSInternalException","message":"kmstest: cannot encode response"}`)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", newUUID())
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, statusOf(e.code), map[string]string{"__type": e.code, "message": e.msg})
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "TrentService.")
	if r.Method != http.MethodPost || r.URL.Path != "/" || !ok {
		writeError(w, errf("UnknownOperationException", "kmstest: want POST / with X-Amz-Target: TrentService.<Operation>, got %s %s %q", r.Method, r.URL.Path, target))
		return
	}
	s.count(op)
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeError(w, errf("SerializationException", "kmstest: Content-Type %q, want application/x-amz-json-1.1", ct))
		return
	}
	if e := s.checkAuth(r); e != nil {
		writeError(w, e)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, errf("SerializationException", "kmstest: read body: %v", err))
		return
	}

	s.faultMu.Lock()
	latency := s.latency
	var injected *apiError
	if f := s.failures[op]; f != nil {
		injected = errf(f.code, "kmstest: injected %s for %s", f.code, op)
		if f.left > 0 {
			f.left--
			if f.left == 0 {
				delete(s.failures, op)
			}
		}
	}
	throttle, internal := s.throttleRate, s.internalRate
	s.faultMu.Unlock()

	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if injected != nil {
		writeError(w, injected)
		return
	}
	if op == "Sign" {
		if throttle > 0 && mrand.Float64() < throttle {
			writeError(w, errf("ThrottlingException", "Rate exceeded"))
			return
		}
		if internal > 0 && mrand.Float64() < internal {
			writeError(w, errf("KMSInternalException", "kmstest: injected internal error"))
			return
		}
	}

	out, aerr := s.dispatch(op, body)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// checkAuth requires a SigV4 Authorization header whose credential scope
// names the server's region and the kms service.
func (s *Server) checkAuth(r *http.Request) *apiError {
	a := r.Header.Get("Authorization")
	if a == "" {
		return errf("MissingAuthenticationTokenException", "Missing Authentication Token")
	}
	if !strings.HasPrefix(a, "AWS4-HMAC-SHA256 ") {
		return errf("IncompleteSignatureException", "kmstest: Authorization is not AWS4-HMAC-SHA256")
	}
	_, cred, ok := strings.Cut(a, "Credential=")
	if !ok {
		return errf("IncompleteSignatureException", "kmstest: Authorization has no Credential")
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/") // AKID/date/region/service/aws4_request
	if len(parts) != 5 || parts[3] != "kms" || parts[4] != "aws4_request" {
		return errf("IncompleteSignatureException", "kmstest: bad credential scope %q", cred)
	}
	if parts[2] != s.region {
		return errf("InvalidSignatureException", "Credential should be scoped to a valid region. (region %q, this endpoint is %q)", parts[2], s.region)
	}
	return nil
}

func decode[T any](body []byte) (*T, *apiError) {
	v := new(T)
	if len(body) == 0 {
		return v, nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return nil, errf("SerializationException", "kmstest: %v", err)
	}
	return v, nil
}

func (s *Server) dispatch(op string, body []byte) (any, *apiError) {
	switch op {
	case "CreateKey":
		in, e := decode[createKeyInput](body)
		if e != nil {
			return nil, e
		}
		k, e := s.createKey(*in)
		if e != nil {
			return nil, e
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		return map[string]any{"KeyMetadata": s.metadataLocked(k)}, nil
	case "DescribeKey":
		in, e := decode[keyIDInput](body)
		if e != nil {
			return nil, e
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		k, e := s.lookupLocked(in.KeyId, true)
		if e != nil {
			return nil, e
		}
		return map[string]any{"KeyMetadata": s.metadataLocked(k)}, nil
	case "GetPublicKey":
		return call(body, func(in *keyIDInput) (any, *apiError) { return s.getPublicKey(in.KeyId) })
	case "Sign":
		return call(body, s.sign)
	case "Verify":
		return call(body, s.verify)
	case "GetKeyPolicy":
		return call(body, s.getKeyPolicy)
	case "PutKeyPolicy":
		return call(body, s.putKeyPolicy)
	case "CreateAlias":
		return call(body, s.createAlias)
	case "ListAliases":
		return call(body, s.listAliases)
	case "EnableKey", "DisableKey":
		return call(body, func(in *keyIDInput) (any, *apiError) { return s.setEnabled(in.KeyId, op == "EnableKey") })
	case "ScheduleKeyDeletion":
		return call(body, s.scheduleDeletion)
	}
	return nil, errf("UnknownOperationException", "kmstest: operation %q is not implemented", op)
}

// call decodes the request body as a T and hands it to fn.
func call[T any](body []byte, fn func(*T) (any, *apiError)) (any, *apiError) {
	in, e := decode[T](body)
	if e != nil {
		return nil, e
	}
	return fn(in)
}

type keyIDInput struct {
	KeyId string
}

type createKeyInput struct {
	Policy                string
	Description           string
	KeyUsage              string
	KeySpec               string
	CustomerMasterKeySpec string
	Origin                string
	MultiRegion           bool
	Tags                  []tag
}

type signInput struct {
	KeyId            string
	Message          []byte
	MessageType      string
	Signature        []byte
	SigningAlgorithm string
}

type policyInput struct {
	KeyId      string
	PolicyName string
	Policy     string
}

type createAliasInput struct {
	AliasName   string
	TargetKeyId string
}

type listAliasesInput struct {
	KeyId  string
	Limit  int
	Marker string
}

type scheduleInput struct {
	KeyId               string
	PendingWindowInDays int32
}

func (s *Server) arnPrefix() string {
	return "arn:aws:kms:" + s.region + ":" + s.account + ":"
}

// DefaultPolicy returns the key policy KMS attaches when CreateKey gets
// none: the account's root principal may do anything with the key.
func (s *Server) DefaultPolicy() string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + s.account + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

func checkPolicy(p string) *apiError {
	var v map[string]any
	if err := json.Unmarshal([]byte(p), &v); err != nil {
		return errf("MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future. (kmstest: policy is not a JSON object: %v)", err)
	}
	if _, ok := v["Statement"]; !ok {
		return errf("MalformedPolicyDocumentException", "Policy has no Statement")
	}
	return nil
}

func (s *Server) createKey(in createKeyInput) (*key, *apiError) {
	spec := in.KeySpec
	if spec == "" {
		spec = in.CustomerMasterKeySpec
	}
	if spec == "" {
		spec = "SYMMETRIC_DEFAULT"
	}
	usage := in.KeyUsage
	if usage == "" {
		usage = "ENCRYPT_DECRYPT"
	}
	if in.Origin != "" && in.Origin != "AWS_KMS" {
		return nil, errf("UnsupportedOperationException", "kmstest: origin %s is not supported", in.Origin)
	}
	k := &key{spec: spec, usage: usage, created: time.Now(), description: in.Description,
		multiRegion: in.MultiRegion, tags: in.Tags, state: "Enabled", policy: in.Policy}
	var curve elliptic.Curve
	switch spec {
	case "ECC_NIST_P256":
		curve = elliptic.P256()
	case "ECC_NIST_P384":
		curve = elliptic.P384()
	case "ECC_NIST_P521":
		curve = elliptic.P521()
	case "SYMMETRIC_DEFAULT":
	default:
		return nil, errf("UnsupportedOperationException", "kmstest: key spec %s is not supported by this emulator", spec)
	}
	switch {
	case curve != nil && usage != "SIGN_VERIFY" && usage != "KEY_AGREEMENT":
		return nil, errf("ValidationException", "KeyUsage %s is not compatible with KeySpec %s", usage, spec)
	case curve == nil && usage != "ENCRYPT_DECRYPT":
		return nil, errf("ValidationException", "KeyUsage %s is not compatible with KeySpec %s", usage, spec)
	}
	if curve != nil {
		priv, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			return nil, errf("KMSInternalException", "kmstest: %v", err)
		}
		k.priv = priv
	}
	if k.policy == "" {
		k.policy = s.DefaultPolicy()
	} else if e := checkPolicy(k.policy); e != nil {
		return nil, e
	}
	for _, t := range in.Tags {
		if t.TagKey == "" || strings.HasPrefix(strings.ToLower(t.TagKey), "aws:") {
			return nil, errf("TagException", "kmstest: invalid tag key %q", t.TagKey)
		}
	}
	k.id = newUUID()
	if in.MultiRegion {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		k.id = "mrk-" + hex.EncodeToString(b)
	}
	k.arn = s.arnPrefix() + "key/" + k.id
	s.mu.Lock()
	s.keys[k.id] = k
	s.mu.Unlock()
	return k, nil
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// lookupLocked resolves a key ID, key ARN, alias name or alias ARN.
// Aliases are accepted only when allowAlias is set.
func (s *Server) lookupLocked(id string, allowAlias bool) (*key, *apiError) {
	if id == "" {
		return nil, errf("ValidationException", "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	}
	ref := id
	if strings.HasPrefix(ref, "arn:") {
		rest, ok := strings.CutPrefix(ref, s.arnPrefix())
		if !ok {
			return nil, errf("NotFoundException", "Invalid arn %s", id)
		}
		ref = rest
		if kid, ok := strings.CutPrefix(ref, "key/"); ok {
			ref = kid
		} else if !strings.HasPrefix(ref, "alias/") {
			return nil, errf("NotFoundException", "Invalid arn %s", id)
		}
	}
	if strings.HasPrefix(ref, "alias/") {
		if !allowAlias {
			return nil, errf("NotFoundException", "Invalid keyId %s", id)
		}
		a := s.aliases[ref]
		if a == nil {
			return nil, errf("NotFoundException", "Alias %s%s is not found.", s.arnPrefix(), ref)
		}
		ref = a.target
	}
	k := s.keys[ref]
	if k == nil {
		return nil, errf("NotFoundException", "Key '%skey/%s' does not exist", s.arnPrefix(), ref)
	}
	return k, nil
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func signingAlgorithms(k *key) []string {
	if k.usage != "SIGN_VERIFY" {
		return nil
	}
	switch k.spec {
	case "ECC_NIST_P256":
		return []string{"ECDSA_SHA_256"}
	case "ECC_NIST_P384":
		return []string{"ECDSA_SHA_384"}
	case "ECC_NIST_P521":
		return []string{"ECDSA_SHA_512"}
	}
	return nil
}

func (s *Server) metadataLocked(k *key) map[string]any {
	m := map[string]any{
		"AWSAccountId":          s.account,
		"KeyId":                 k.id,
		"Arn":                   k.arn,
		"CreationDate":          epoch(k.created),
		"Enabled":               k.state == "Enabled",
		"Description":           k.description,
		"KeyUsage":              k.usage,
		"KeyState":              k.state,
		"Origin":                "AWS_KMS",
		"KeyManager":            "CUSTOMER",
		"CustomerMasterKeySpec": k.spec,
		"KeySpec":               k.spec,
		"MultiRegion":           k.multiRegion,
	}
	if algs := signingAlgorithms(k); algs != nil {
		m["SigningAlgorithms"] = algs
	}
	switch {
	case k.usage == "KEY_AGREEMENT":
		m["KeyAgreementAlgorithms"] = []string{"ECDH"}
	case k.spec == "SYMMETRIC_DEFAULT":
		m["EncryptionAlgorithms"] = []string{"SYMMETRIC_DEFAULT"}
	}
	if k.multiRegion {
		m["MultiRegionConfiguration"] = map[string]any{
			"MultiRegionKeyType": "PRIMARY",
			"PrimaryKey":         map[string]any{"Arn": k.arn, "Region": s.region},
			"ReplicaKeys":        []any{},
		}
	}
	if k.state == "PendingDeletion" {
		m["DeletionDate"] = epoch(k.deletion)
		m["PendingDeletionWindowInDays"] = k.window
	}
	return m
}

// usableLocked reports the exception KMS gives for a cryptographic
// operation on a key that is not enabled.
func usableLocked(k *key) *apiError {
	switch k.state {
	case "Enabled":
		return nil
	case "Disabled":
		return errf("DisabledException", "%s is disabled.", k.arn)
	}
	return errf("KMSInvalidStateException", "%s is pending deletion.", k.arn)
}

func (s *Server) getPublicKey(id string) (any, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, e := s.lookupLocked(id, true)
	if e != nil {
		return nil, e
	}
	if e := usableLocked(k); e != nil {
		return nil, e
	}
	if k.priv == nil {
		return nil, errf("UnsupportedOperationException", "%s key usage is ENCRYPT_DECRYPT which is not valid for GetPublicKey.", k.arn)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.priv.PublicKey)
	if err != nil {
		return nil, errf("KMSInternalException", "kmstest: %v", err)
	}
	out := map[string]any{
		"KeyId":                 k.arn,
		"PublicKey":             der,
		"KeySpec":               k.spec,
		"CustomerMasterKeySpec": k.spec,
		"KeyUsage":              k.usage,
	}
	if algs := signingAlgorithms(k); algs != nil {
		out["SigningAlgorithms"] = algs
	}
	if k.usage == "KEY_AGREEMENT" {
		out["KeyAgreementAlgorithms"] = []string{"ECDH"}
	}
	return out, nil
}

func hashFor(alg string) (func() hash.Hash, bool) {
	switch alg {
	case "ECDSA_SHA_256":
		return sha256.New, true
	case "ECDSA_SHA_384":
		return sha512.New384, true
	case "ECDSA_SHA_512":
		return sha512.New, true
	}
	return nil, false
}

// digestFor checks a Sign or Verify request against the key and returns
// the digest to sign.
func (s *Server) digestFor(in *signInput) (*key, []byte, *apiError) {
	s.mu.RLock()
	k, e := s.lookupLocked(in.KeyId, true)
	if e == nil {
		e = usableLocked(k)
	}
	s.mu.RUnlock()
	if e != nil {
		return nil, nil, e
	}
	if k.usage != "SIGN_VERIFY" {
		return nil, nil, errf("InvalidKeyUsageException", "%s key usage is %s which is not valid for signing.", k.arn, k.usage)
	}
	if !slices.Contains(signingAlgorithms(k), in.SigningAlgorithm) {
		return nil, nil, errf("InvalidKeyUsageException", "Signing algorithm %q is not valid for key %s (%s).", in.SigningAlgorithm, k.arn, k.spec)
	}
	newHash, _ := hashFor(in.SigningAlgorithm)
	if len(in.Message) == 0 {
		return nil, nil, errf("ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	switch in.MessageType {
	case "", "RAW":
		if len(in.Message) > 4096 {
			return nil, nil, errf("ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096")
		}
		h := newHash()
		h.Write(in.Message)
		return k, h.Sum(nil), nil
	case "DIGEST":
		if len(in.Message) != newHash().Size() {
			return nil, nil, errf("ValidationException", "Digest is invalid length for algorithm %s.", in.SigningAlgorithm)
		}
		return k, in.Message, nil
	}
	return nil, nil, errf("ValidationException", "MessageType %q is not supported by this emulator", in.MessageType)
}

func (s *Server) sign(in *signInput) (any, *apiError) {
	k, digest, e := s.digestFor(in)
	if e != nil {
		return nil, e
	}
	s.faultMu.Lock()
	short, bad := s.short, s.badSigRate
	s.faultMu.Unlock()
	if bad > 0 && mrand.Float64() < bad {
		other := make([]byte, len(digest))
		copy(other, digest)
		other[0] ^= 0xff
		digest = other
	}
	var sig []byte
	var err error
	if short == ShortOff {
		sig, err = ecdsa.SignASN1(rand.Reader, k.priv, digest)
	} else {
		sig, err = signShort(k.priv, digest, short)
		if err == nil {
			s.shortForced.Add(1)
		}
	}
	if err != nil {
		return nil, errf("KMSInternalException", "kmstest: sign: %v", err)
	}
	return map[string]any{"KeyId": k.arn, "Signature": sig, "SigningAlgorithm": in.SigningAlgorithm}, nil
}

// ecdsaSig is the ASN.1 form of an ECDSA signature.
type ecdsaSig struct{ R, S *big.Int }

// signShort makes ECDSA signatures of digest until r or s (per m) is
// shorter than the field size. It computes each candidate from a fresh
// random nonce k (R = k·G by crypto/ecdh, r = R.x mod n, s = k⁻¹(e + r·d)
// mod n, FIPS 186-5 §6.4.1), and also tries the equally valid (r, n−s).
// The result is checked with ecdsa.VerifyASN1 before it is returned.
func signShort(priv *ecdsa.PrivateKey, digest []byte, m Short) ([]byte, error) {
	var curve ecdh.Curve
	switch priv.Curve {
	case elliptic.P256():
		curve = ecdh.P256()
	case elliptic.P384():
		curve = ecdh.P384()
	case elliptic.P521():
		curve = ecdh.P521()
	default:
		return nil, errors.New("unsupported curve")
	}
	params := priv.Curve.Params()
	n := params.N
	size := (params.BitSize + 7) / 8
	limit := new(big.Int).Lsh(big.NewInt(1), uint(8*(size-1)))
	db, err := priv.Bytes()
	if err != nil {
		return nil, err
	}
	d := new(big.Int).SetBytes(db)
	e := hashToInt(digest, n)
	var k, r, s, t big.Int
	for range 1 << 20 {
		nonce, err := curve.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		point := nonce.PublicKey().Bytes() // 0x04 ‖ X ‖ Y
		r.SetBytes(point[1 : 1+size])
		if r.Cmp(n) >= 0 {
			r.Sub(&r, n)
		}
		rShort := r.Sign() > 0 && r.Cmp(limit) < 0
		if m == ShortR && !rShort {
			continue
		}
		k.SetBytes(nonce.Bytes())
		k.ModInverse(&k, n)
		t.Mul(&r, d)
		t.Add(&t, e)
		s.Mul(&k, &t)
		s.Mod(&s, n)
		if r.Sign() == 0 || s.Sign() == 0 {
			continue
		}
		sShort := false
		if m != ShortR {
			if s.Cmp(limit) < 0 {
				sShort = true
			} else if t.Sub(n, &s); t.Cmp(limit) < 0 {
				s.Set(&t) // (r, n−s) is also a valid signature
				sShort = true
			}
		}
		switch {
		case m == ShortR && !rShort, m == ShortS && !sShort, m == ShortEither && !rShort && !sShort:
			continue
		}
		der, err := marshalSig(&r, &s)
		if err != nil {
			return nil, err
		}
		if !ecdsa.VerifyASN1(&priv.PublicKey, digest, der) {
			return nil, errors.New("crafted signature does not verify")
		}
		return der, nil
	}
	return nil, errors.New("no short signature found")
}

// hashToInt converts a digest to an integer as ECDSA does: its leftmost
// bits, as many as n has.
func hashToInt(digest []byte, n *big.Int) *big.Int {
	bits := n.BitLen()
	if size := (bits + 7) / 8; len(digest) > size {
		digest = digest[:size]
	}
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - bits; excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

func parseSig(der []byte) (r, s *big.Int, err error) {
	var v ecdsaSig
	if err := unmarshalSig(der, &v); err != nil {
		return nil, nil, err
	}
	return v.R, v.S, nil
}

// SignatureValues returns r and s of a DER ECDSA signature, for tests.
func SignatureValues(der []byte) (r, s *big.Int, err error) { return parseSig(der) }

func (s *Server) verify(in *signInput) (any, *apiError) {
	k, digest, e := s.digestFor(in)
	if e != nil {
		return nil, e
	}
	if !ecdsa.VerifyASN1(&k.priv.PublicKey, digest, in.Signature) {
		return nil, errf("KMSInvalidSignatureException", "")
	}
	return map[string]any{"KeyId": k.arn, "SignatureValid": true, "SigningAlgorithm": in.SigningAlgorithm}, nil
}

func checkPolicyName(n string) *apiError {
	if n != "" && n != "default" {
		return errf("NotFoundException", "Policy %s not found", n)
	}
	return nil
}

func (s *Server) getKeyPolicy(in *policyInput) (any, *apiError) {
	if e := checkPolicyName(in.PolicyName); e != nil {
		return nil, e
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, e := s.lookupLocked(in.KeyId, false)
	if e != nil {
		return nil, e
	}
	return map[string]any{"Policy": k.policy, "PolicyName": "default"}, nil
}

func (s *Server) putKeyPolicy(in *policyInput) (any, *apiError) {
	if e := checkPolicyName(in.PolicyName); e != nil {
		return nil, e
	}
	if e := checkPolicy(in.Policy); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, e := s.lookupLocked(in.KeyId, false)
	if e != nil {
		return nil, e
	}
	if k.state == "PendingDeletion" {
		return nil, usableLocked(k)
	}
	k.policy = in.Policy
	return map[string]any{}, nil
}

func (s *Server) createAlias(in *createAliasInput) (any, *apiError) {
	name := in.AliasName
	if !strings.HasPrefix(name, "alias/") || len(name) == len("alias/") || strings.HasPrefix(name, "alias/aws/") || len(name) > 256 {
		return nil, errf("InvalidAliasNameException", "Alias must start with the prefix \"alias/\" and not with \"alias/aws/\": %s", name)
	}
	for _, c := range name[len("alias/"):] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/_-", c)) {
			return nil, errf("ValidationException", "Alias %s contains invalid characters", name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, e := s.lookupLocked(in.TargetKeyId, false)
	if e != nil {
		return nil, e
	}
	if k.state == "PendingDeletion" {
		return nil, usableLocked(k)
	}
	if _, ok := s.aliases[name]; ok {
		return nil, errf("AlreadyExistsException", "An alias with the name %s%s already exists", s.arnPrefix(), name)
	}
	s.aliases[name] = &alias{name: name, target: k.id, created: time.Now()}
	return map[string]any{}, nil
}

func (s *Server) listAliases(in *listAliasesInput) (any, *apiError) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var target string
	if in.KeyId != "" {
		k, e := s.lookupLocked(in.KeyId, false)
		if e != nil {
			return nil, e
		}
		target = k.id
	}
	var names []string
	for n, a := range s.aliases {
		if target == "" || a.target == target {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	start := 0
	if in.Marker != "" {
		start = sort.SearchStrings(names, in.Marker)
		if start == len(names) || names[start] != in.Marker {
			return nil, errf("InvalidMarkerException", "kmstest: invalid marker")
		}
	}
	limit := in.Limit
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	end := min(start+limit, len(names))
	list := []map[string]any{}
	for _, n := range names[start:end] {
		a := s.aliases[n]
		list = append(list, map[string]any{
			"AliasName":       a.name,
			"AliasArn":        s.arnPrefix() + a.name,
			"TargetKeyId":     a.target,
			"CreationDate":    epoch(a.created),
			"LastUpdatedDate": epoch(a.created),
		})
	}
	out := map[string]any{"Aliases": list, "Truncated": end < len(names)}
	if end < len(names) {
		out["NextMarker"] = names[end]
	}
	return out, nil
}

func (s *Server) setEnabled(id string, enabled bool) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, e := s.lookupLocked(id, false)
	if e != nil {
		return nil, e
	}
	if k.state == "PendingDeletion" {
		return nil, usableLocked(k)
	}
	k.state = "Disabled"
	if enabled {
		k.state = "Enabled"
	}
	return map[string]any{}, nil
}

func (s *Server) scheduleDeletion(in *scheduleInput) (any, *apiError) {
	w := in.PendingWindowInDays
	if w == 0 {
		w = 30
	}
	if w < 7 || w > 30 {
		return nil, errf("ValidationException", "PendingWindowInDays must be between 7 and 30")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, e := s.lookupLocked(in.KeyId, false)
	if e != nil {
		return nil, e
	}
	if k.state == "PendingDeletion" {
		return nil, usableLocked(k)
	}
	k.state = "PendingDeletion"
	k.window = w
	k.deletion = time.Now().Add(time.Duration(w) * 24 * time.Hour)
	return map[string]any{
		"KeyId":               k.arn,
		"DeletionDate":        epoch(k.deletion),
		"KeyState":            k.state,
		"PendingWindowInDays": w,
	}, nil
}
