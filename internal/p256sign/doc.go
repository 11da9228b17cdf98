// Package p256sign makes ECDSA P-256 signatures of SHA-256 digests in
// batches, with RFC 6979 deterministic nonces, faster than crypto/ecdsa
// signs them one at a time and byte for byte the same.
//
// # Why it exists
//
// A zone signer makes hundreds of thousands of signatures with one key.
// crypto/ecdsa's RFC 6979 path (priv.Sign(nil, digest, crypto.SHA256))
// costs about 21 µs per signature on the reference machine; its profile
// (bench/p256/README.md) shows about a quarter of that in the HMAC-DRBG
// that derives the nonce and another fifth in the inversion k⁻¹ mod n.
// This package keeps the same algorithm and the same output but
//
//   - derives the nonce with RFC 6979 §3.2 written directly over
//     crypto/sha256, into reused scratch, without allocation;
//   - inverts the nonces of a whole batch at once (Montgomery's trick:
//     prefix products, one inversion by Fermat's little theorem, then
//     3(N−1) multiplications), so the costly inversion is shared;
//   - leaves the rest to the libraries crypto/ecdsa itself is built from:
//     k·G and its affine coordinates with filippo.io/nistec (the standard
//     library's nistec, assembly and precomputed table included), scalar
//     arithmetic mod n with filippo.io/bigmod (the standard library's
//     bigmod). It has no point or field arithmetic of its own.
//
// bench/p256/README.md measured a prototype at 12.5 µs per signature in
// batches of 64; the benchmarks of this package measure this code.
//
// # Output
//
// [Key.Sign] returns, for every digest, exactly the r‖s that Go's
// crypto/ecdsa returns (DER-decoded) for priv.Sign(nil, digest,
// crypto.SHA256): the same HMAC-DRBG seed (int2octets(d) ‖
// bits2octets(digest)), the same rejection of candidate nonces k = 0 or
// k ≥ n, and an error where crypto/ecdsa gives one (r = 0 or s = 0, which
// cannot be reached in practice). The differential tests and FuzzSign
// check this against crypto/ecdsa. It can also return R = k·G, the
// point whose x coordinate gives r, as a hint for batch verification.
//
// [Key.SignHedged] mixes 32 bytes of fresh randomness per signature into
// the same HMAC-DRBG as RFC 6979 §3.6 describes (additional data k′ after
// bits2octets(h1) in steps d and f): nonces stay a deterministic function
// of the key and digest if the random source fails, and signatures of the
// same digest differ when it works.
//
// # Constant time
//
// Secrets are the private key d and the nonces k (and everything derived
// from them: prefix products, inverses). Every operation on them is a
// fixed sequence of constant-time operations whose control flow and memory
// accesses depend only on the batch size:
//
//   - HMAC-SHA-256 over crypto/sha256, whose compression function does
//     not branch on data; messages have fixed lengths.
//   - k·G with nistec's P256Point.ScalarBaseMult (the standard library's
//     assembly: every table entry is read for each lookup and special
//     cases are handled with conditional moves) and the one field
//     inversion of P256Point.Bytes (a fixed addition chain).
//   - bigmod's Nat.SetBytes, Mul, Add and Exp (Exp with the public
//     exponent n−2 and a constant-time window lookup); IsZero returns a
//     value computed without branches.
//
// The branches that exist are taken on public facts or on events of
// negligible probability, exactly as in crypto/ecdsa: RFC 6979's rejection
// of a candidate k ≥ n (probability below 2⁻³² for P-256) or k = 0, and
// the error returns for r = 0 or s = 0. A rejected candidate reveals only
// that a discarded value was out of range. r and s are public once
// returned. The batch size is public.
//
// Scratch state that held nonces is cleared when a call returns, as far
// as Go allows (copies made by the runtime or by the libraries' stack
// frames are out of reach).
package p256sign
