// Package p256 holds the benchmarks behind dnsseal's choice of ECDSA P-256
// signing implementation (DNSSEC algorithm 13, RFC 6605).
//
// It has no API: the benchmarks in its test files measure crypto/ecdsa
// signing (hedged and RFC 6979 deterministic), verification and the parts a
// signature is made of (SHA-256 of the signed data, HMAC-DRBG blocks, the
// fixed-base scalar multiplication), on one core and in parallel. README.md
// in this directory records the profile of crypto/ecdsa, the measured
// alternatives (filippo.io/nistec + bigmod, Cloudflare CIRCL, OpenSSL through
// cgo) and the recommendation that follows from them.
//
// Run them with:
//
//	go test -run '^$' -bench . -benchmem ./bench/p256
package p256
