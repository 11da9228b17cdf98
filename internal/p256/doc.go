// Package p256 verifies ECDSA P-256 signatures (DNSSEC algorithm 13,
// RFC 6605) with a per-key precomputed table, for keys that verify many
// signatures, as the zone signing key of a zone does, and verifies
// batches of signatures whose signer supplies each nonce point as a hint.
//
// ECDSA verification computes u1·G + u2·Q. crypto/ecdsa does u1·G with a
// precomputed table of multiples of the generator but u2·Q with a
// double-and-add ladder on every call, after converting the public key
// again. Here Q's multiples are precomputed once per key as well: the
// table holds d·2^(8i)·Q for every 8-bit window i and digit d, so u2·Q
// costs one point addition per non-zero window (at most 32) and no
// doublings. The table takes 768 KiB and about 2.3 ms to build; Verify
// then costs about 19.4 µs of CPU against 24.3 µs with 5-bit windows
// (150 KiB) and 49 µs for crypto/ecdsa (BenchmarkVerify; 6- and 7-bit
// windows give 21.8 and 20.5 µs).
//
// Everything verified is public (the key, the signature, the data), so
// the code is not constant-time. Point arithmetic is filippo.io/nistec,
// the Go standard library's P-256 implementation (assembly on amd64 and
// arm64) exported as a module; scalar arithmetic modulo the group order
// uses math/big.
//
// # Batch verification with hints
//
// A signer knows, for each signature (r, s) it makes, the point R = k·G
// whose x coordinate gave r, and can hand it out as a hint
// (signer.BatchSigner does). For digest e, w = s⁻¹, u1 = e·w and
// u2 = r·w modulo the group order n, the signature is valid if and only
// if x(u1·G + u2·Q) mod n = r. [PublicKey.VerifyBatch] first checks each
// item on its own: r and s in [1, n-1], R an uncompressed point on the
// curve (coordinates below p, so never the point at infinity) and
// x(R) mod n = r. Given that, the signature is valid if
// u1·G + u2·Q = R, and VerifyBatch checks all these equalities with one
// equation in random multipliers z_i:
//
//	(Σ z_i·u1_i)·G + (Σ z_i·u2_i)·Q = Σ z_i·R_i
//
// The left side is one ScalarBaseMult and one multiplication with Q's
// table; the s_i are inverted together (Montgomery's trick: one modular
// inversion and three multiplications per item). The right side is a
// multi-scalar multiplication with 64-bit multipliers: for up to 40
// items by Straus's method (window NAF, a table of odd multiples per
// point), for more by Pippenger's bucket method with signed digits, its
// window chosen by batch size. It is about three quarters of the cost.
//
// What a result proves. Write D_i = u1_i·G + u2_i·Q - R_i; an item is
// valid with a correct hint when D_i is the point at infinity O, and the
// equation says Σ z_i·D_i = O. If every item is valid with its correct
// hint, the equation holds for any z_i: VerifyBatch never rejects such a
// batch. If some D_j ≠ O, then, the group having prime order n, for any
// values of the other multipliers at most one value of z_j modulo n
// satisfies the equation. The multipliers are z_0 = 1 (so a batch whose
// only bad item is the first is always rejected) and, for i > 0,
// independent uniform 64-bit integers from crypto/rand, drawn inside the
// call after the items are fixed and never revealed. A batch holding any
// number of bad items therefore passes with probability at most 2^-64,
// whatever the items are. Batches longer than 2048 items are checked in
// chunks with fresh multipliers each; the bound holds for the whole batch
// since a bad item's own chunk must pass. A false result says only that
// some item is invalid or carries a wrong hint (a valid signature with
// the hint -R, for example); callers find which by verifying the items
// one by one.
//
// Why 64-bit multipliers: the cost of Σ z_i·R_i is proportional to their
// length, and it is most of the cost of a batch. 2^-64 per batch is far
// below the rate of the hardware faults that verify-after-sign looks for,
// and an adversary who controls the items but cannot see the multipliers
// needs about 2^64 calls to get a bad batch accepted. 128-bit
// multipliers, as in Ed25519 batch verification, would give 2^-128 at
// roughly 1.75 times the cost per signature (the multi-scalar part doubles).
package p256
