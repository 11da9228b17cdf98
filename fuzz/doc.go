// Package fuzz holds cross-package fuzz targets for dnsseal: properties that
// only hold when several packages work together, and differential checks
// against github.com/miekg/dns. It has no exported API; everything lives in
// its _test.go files.
//
// # Targets
//
//   - FuzzSignValidate: an RRset built from fuzzed owner, type and RDATA is
//     signed with package signer and a deterministic P-256 key from package
//     localbackend; validate.VerifyRRSIG must accept the signature (also with
//     the owner and signer name in another case), and must reject it once
//     one byte of a record's RDATA is changed, unless the canonical form of
//     the RRset (RFC 4034 §6, computed here independently of
//     internal/canonical) is unchanged.
//   - FuzzDifferentialMiekg: the same RRsets signed by package signer must
//     verify with miekg/dns's RRSIG.Verify, and RRSIGs made by miekg/dns's
//     RRSIG.Sign must verify with package validate, except for inputs that
//     hit a known miekg/dns divergence (see knownMiekgDivergence).
//   - FuzzRecords: arbitrary text is read with the miekg/dns zone parser and
//     given to validate.Records, with and without trust anchors: it must not
//     panic, must return exactly one result per RRSIG and DS record, in input
//     order, and every valid RRSIG result must be confirmed by
//     validate.VerifyRRSIG.
//   - FuzzRecordsResigned: the records of arbitrary text are grouped into
//     RRsets, every RRset is signed with package signer, and
//     validate.Records must find each new signature valid (bogus with
//     ReasonClassMismatch for classes other than IN).
//   - FuzzZoneSign: a small zone is parsed by zonesign.ParseWithOptions
//     (with bounds on its records, so that $GENERATE cannot make one
//     execution take minutes) and signed by zonesign.Sign with
//     deterministic keys; Sign may return an error, but every RRSIG of a
//     zone it writes must be valid under validate.Records with the
//     key-signing key as the trust anchor, and validate.Zone must
//     find no error, apart from the known disagreements between zonesign
//     and validate listed at knownZoneDisagreement (each with a bug-...
//     input in testdata/fuzz/FuzzZoneSign).
//
// TestKnownMiekgDivergences shows each miekg/dns divergence that
// FuzzDifferentialMiekg skips (letters written as \DDD and other
// non-canonical spellings, invalid UTF-8, NXT and A6 RDATA names, labels
// starting with '*', empty name fields, the wildcard "*." with Labels 0,
// owners spelled in two cases), so that an upgrade of miekg/dns that fixes
// one is noticed. TestFlipOracle pins the byte changes of FuzzSignValidate
// whose outcome RFC 4034 §6.2 and RFC 6840 §5.1 decide.
//
// # Running
//
// Plain go test replays the seed corpora in testdata/fuzz/FuzzXxx (seeds
// made from package testvectors and hand-made corner cases) in a few
// seconds:
//
//	go test ./fuzz
//
// To fuzz one target for longer (one target at a time; -fuzz is a regular
// expression that must match a single target):
//
//	go test ./fuzz -run '^$' -fuzz FuzzSignValidate -fuzztime 10m
//	go test ./fuzz -run '^$' -fuzz FuzzDifferentialMiekg -fuzztime 10m
//	go test ./fuzz -run '^$' -fuzz '^FuzzRecords$' -fuzztime 10m
//	go test ./fuzz -run '^$' -fuzz FuzzRecordsResigned -fuzztime 10m
//	go test ./fuzz -run '^$' -fuzz FuzzZoneSign -fuzztime 10m
//
// When a worker finds a new interesting input, it minimizes it before it
// fuzzes on, for up to -fuzzminimizetime (a minute by default) and without
// updating the execs count: a run with -parallel 1 then seems to stall for
// up to a minute. -fuzzminimizetime 5s shortens these pauses.
//
// Crashers are written to testdata/fuzz/FuzzXxx and replayed by go test from
// then on; keep them once the bug is fixed. The seed files are regenerated
// from the test vectors with
//
//	go test ./fuzz -run TestSeedCorpus -update
package fuzz
