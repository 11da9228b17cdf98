// Package localbackend holds DNSSEC private keys in process memory and
// implements [signer.Signer] (and [signer.DigestSigner]) with them.
//
// It supports ECDSA P-256 with SHA-256 (algorithm 13, RFC 6605), ECDSA
// P-384 with SHA-384 (algorithm 14) and Ed25519 (algorithm 15, RFC 8080).
// Sign and SignDigest use the standard library's crypto; batch signing
// (below) uses internal/p256sign, built on filippo.io/nistec and
// filippo.io/bigmod, the standard library's own curve and scalar code.
//
// # Keys
//
// [Generate] makes a new key, [New] wraps an existing *ecdsa.PrivateKey or
// ed25519.PrivateKey, [LoadBIND] and [ParseBIND] read the key pair files
// that dnssec-keygen (BIND 9) and ldns-keygen write, and [LoadPEM] and
// [ParsePEM] read PKCS#8 (or SEC 1) PEM. [Signer.SaveBIND] and
// [Signer.MarshalBIND] write BIND files that dnssec-signzone and
// ldns-signzone accept; [Signer.MarshalPEM] writes PKCS#8 PEM.
//
// # BIND key files
//
// A key pair is two files named by [FileBase]: K<owner>+<alg>+<tag>.key,
// the DNSKEY record in presentation format with comment lines, and
// K<owner>+<alg>+<tag>.private, the "Private-key-format: v1.x" file
// described in the BIND 9 source (lib/dns/dst_parse.c): Algorithm, the
// base64 PrivateKey (the ECDSA scalar, or the 32-byte Ed25519 seed of
// RFC 8080 §6) and, in v1.3, the timing metadata (Created, Publish,
// Activate, ...) in YYYYMMDDHHMMSS UTC. On load the private key must
// derive the public key of the .key file.
//
// # Signatures
//
// Sign hashes the RFC 4034 §3.1.8.1 signed data and returns the DNSSEC
// signature field: the fixed-width r‖s of RFC 6605 §4 for ECDSA, the
// 64-byte signature of RFC 8080 §3 for Ed25519. ECDSA signatures are
// randomized unless [Options.Deterministic] selects RFC 6979
// (https://www.rfc-editor.org/rfc/rfc6979) deterministic signatures, as
// implemented by crypto/ecdsa when it is given a nil random source.
// Ed25519 signatures are always deterministic.
//
// # Batch signing
//
// [Signer.SignDigests] implements [signer.BatchSigner] for algorithm 13:
// it signs many SHA-256 digests with one key at a time, sharing one
// modular inversion among 64 signatures and deriving nonces without
// allocation, which makes a signature cost about 40 % less CPU than with
// SignDigest (benchmarks in internal/p256sign). With Deterministic keys its
// signatures are byte for byte those of SignDigest; otherwise they are
// hedged (RFC 6979 §3.6, fresh randomness mixed into the deterministic
// nonce). It also returns the point R = k·G of each signature, as hints
// for batch verification. P-384 and Ed25519 keys return an error.
package localbackend
