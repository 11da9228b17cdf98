// Package localbackend holds DNSSEC private keys in process memory and
// implements [signer.Signer] (and [signer.DigestSigner]) with them.
//
// It supports ECDSA P-256 with SHA-256 (algorithm 13, RFC 6605), ECDSA
// P-384 with SHA-384 (algorithm 14) and Ed25519 (algorithm 15, RFC 8080).
// All cryptography is done by the standard library.
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
package localbackend
