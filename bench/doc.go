// Package bench holds dnsseal's end-to-end benchmarks: the synthetic zone
// generator (bench/zonegen and bench/cmd/zonegen), the ECDSA P-256 floor
// (bench/ecdsafloor) and run.sh, the harness that signs the same zones with
// dnsseal, ldns-signzone, dnssec-signzone and kzonesign and compares them.
// The tests in this package check the harness itself; see README.md.
package bench
