// Package kmsbackend makes an AWS KMS key a DNSSEC signer.Signer, checks
// whether a KMS key can be a Route 53 key-signing key, and creates keys
// that can.
//
// # Keys
//
// Only asymmetric keys of spec ECC_NIST_P256 with key usage SIGN_VERIFY
// and signing algorithm ECDSA_SHA_256 are used: they are DNSSEC algorithm
// 13, ECDSAP256SHA256 (RFC 6605), the only algorithm Route 53 supports for
// key-signing keys. New calls DescribeKey and GetPublicKey once and keeps
// the key ARN and public key; a key that is of another spec, usage or
// algorithm, or not enabled, is rejected with an error that says what is
// wrong and how to fix it.
//
// # Signing
//
// Sign hashes the RFC 4034 §3.1.8.1 signed data with SHA-256 locally and
// sends only the digest (MessageType DIGEST: a RAW message is limited to
// 4096 bytes, and KMS would hash it again). The ASN.1 DER signature KMS
// returns is converted to the 64-byte r‖s form of RFC 6605 §4, left-padding
// r and s, and checked against the cached public key before it is
// returned: a signature that does not verify is an error
// (ErrInvalidSignature), never output.
//
// # Throttling, retries and limits
//
// KMS's ECDSA Sign quota is a few hundred requests per second per account
// and region. Retries of ThrottlingException, LimitExceededException and
// 5xx responses are left to the SDK's retryer, configured by the caller on
// the client (kms.Options.Retryer or aws.Config.Retryer). For bulk
// signing, WithBulkRetryer installs the standard retryer with more
// attempts and without the client-side retry quota, which runs dry under
// heavy sustained throttling:
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	...
//	client := kms.NewFromConfig(cfg, kmsbackend.WithBulkRetryer(0, 0))
//	s, err := kmsbackend.New(ctx, client, "alias/example-com-ksk",
//		kmsbackend.Options{Zone: "example.com.", RateLimit: 200})
//
// Options.MaxInFlight bounds the Sign calls in flight (default 64) and
// Options.RateLimit the calls started per second (default unlimited); set
// RateLimit below your KMS quota to avoid throttling in the first place.
// At high concurrency, also raise the HTTP transport's MaxIdleConnsPerHost
// (awshttp.NewBuildableClient().WithTransportOptions) so that connections
// are reused. Do not hand the SDK a bare http.Client: it ignores settings
// such as AWS_CA_BUNDLE that the SDK's buildable client applies.
//
// Every call honours its context. KMS exceptions are returned as errors
// that say what happened and wrap the SDK error, so errors.As reaches the
// types of package github.com/aws/aws-sdk-go-v2/service/kms/types (and
// smithy.APIError for AccessDeniedException and ThrottlingException).
//
// # Route 53
//
// CheckRoute53 lists every reason a key cannot be a Route 53 key-signing
// key: a region other than us-east-1, the wrong spec, usage, state or
// signing algorithms, and a key policy that does not let the Route 53
// DNSSEC service principal (dnssec-route53.amazonaws.com) call
// kms:DescribeKey, kms:GetPublicKey and kms:Sign. CreateKey creates a key
// that passes, with Route53Policy as its key policy.
//
// # Testing
//
// Package kmstest is an in-process KMS emulator with fault injection
// (throttling, latency, 5xx, disabled keys, wrong key specs, short DER
// signatures); its Server.Client is a real *kms.Client for it.
package kmsbackend
