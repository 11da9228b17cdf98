package zonesign_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/dnsseal/dnsseal/signer"
	"github.com/dnsseal/dnsseal/validate"
	"github.com/dnsseal/dnsseal/zonesign"
)

// rfc6979 signs deterministically (RFC 6979): crypto/ecdsa does so when
// given a nil io.Reader.
type rfc6979 struct{ *ecdsa.PrivateKey }

func (k rfc6979) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.PrivateKey.Sign(nil, digest, opts)
}

// exampleKey returns a fixed P-256 key; real keys come from localbackend
// or kmsbackend.
func exampleKey(seed string) *signer.Key {
	d := sha256.Sum256([]byte(seed))
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		log.Fatal(err)
	}
	s, err := signer.FromCryptoSigner(rfc6979{priv}, "example.", signer.FlagsKSK)
	if err != nil {
		log.Fatal(err)
	}
	k, err := signer.NewKey(s, signer.RoleCSK)
	if err != nil {
		log.Fatal(err)
	}
	return k
}

func ExampleSign() {
	z, err := zonesign.Parse(strings.NewReader(`$ORIGIN example.
$TTL 3600
@    SOA ns hostmaster 2026112301 7200 3600 1209600 300
@    NS  ns
ns   A   192.0.2.53
`), "example.zone", "")
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	st, err := zonesign.Sign(context.Background(), z, zonesign.Options{
		Keys:   []*signer.Key{exampleKey("example")},
		Now:    now,
		Serial: zonesign.SerialIncrement,
	}, os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("serial %d, %d signatures, %d NSEC\n", st.Serial, st.Signatures, st.Denial)
	// Output:
	// example.	3600	IN	SOA	ns.example. hostmaster.example. 2026112302 7200 3600 1209600 300
	// example.	3600	IN	RRSIG	SOA 13 1 3600 20261223110000 20261123110000 62416 example. IRIySB8zqC4l57Q72yVroJSM5NJB1dkunAPIH/gqek1tw081gH73cQDQRIri0nIh8wqVCkyy1Ggi2BWyVOFOGA==
	// example.	3600	IN	NS	ns.example.
	// example.	3600	IN	RRSIG	NS 13 1 3600 20261223110000 20261123110000 62416 example. +LkCcjEaQcRU+Heh2+bh1mrTHsZp+aGbOq31ODgxuSfOY/9DF6ARgosVs/0cPvnynr/tpp1aA8+TkD8MpRoYVg==
	// example.	3600	IN	DNSKEY	257 3 13 4dWx+X1vD7Pyv2elG+dcklxIF6POVqXzlXZ+7fzmmLFoxDQI1+9TB4zaSDbaZKMDtZJhwDS9/lA7bN7Y+3Dvag==
	// example.	3600	IN	RRSIG	DNSKEY 13 1 3600 20261223110000 20261123110000 62416 example. MG9TmFRxlux3f85vE/5rbqtmXPiTLntUYtl9GSkTy4MRGkJKce6VYq0aOYensAcMQ3MqU0oeyn1/6GWkb2AdAg==
	// example.	300	IN	NSEC	ns.example. NS SOA RRSIG NSEC DNSKEY
	// example.	300	IN	RRSIG	NSEC 13 1 300 20261223110000 20261123110000 62416 example. mzHsfwiUVAcc7c1Vt4AxjOAzJF89JEpvoYipCFpfTu2xUOoxjw4mxlYo1H4JWVs4Kr4qKu7P9yPmx3bvZ73jeg==
	// ns.example.	3600	IN	A	192.0.2.53
	// ns.example.	3600	IN	RRSIG	A 13 2 3600 20261223110000 20261123110000 62416 example. jXvF+eW5RyrKLkMA58mJyj2ErVBQViXclwIujsh2rpY3zMOpRewppsg/hu53fGf8bEVEpY/Kefwfau7T7l0oAw==
	// ns.example.	300	IN	NSEC	example. A RRSIG NSEC
	// ns.example.	300	IN	RRSIG	NSEC 13 2 300 20261223110000 20261123110000 62416 example. amFhDLAEP1iQd7v++NSOri5riE4EAN7lCvTJFTYYzxmvctzl4+wm4JtNXQ8ucrwnQLMPpwGTE/VMl2JFaeDKfA==
	// serial 2026112302, 6 signatures, 2 NSEC
}

// zoneStream adapts validate.ZoneStream to zonesign.RecordValidator: the
// run fails, and nothing is committed, unless the zone is secure.
type zoneStream struct{ *validate.ZoneStream }

func (z zoneStream) Finish() error {
	res, err := z.ZoneStream.Finish()
	if err != nil {
		return err
	}
	fmt.Println(res.Summary())
	if res.Status != validate.ZoneSecure {
		return &validate.ZoneError{Result: res}
	}
	return nil
}

// The signed zone is validated as it is written, as dnssec-signzone does
// after signing (this is what `dnsseal sign` does by default): every
// record goes to validate.ZoneStream, which checks signatures, chains and
// bitmaps while the zone is being signed.
func ExampleOptions_validator() {
	z, err := zonesign.Parse(strings.NewReader(`$ORIGIN example.
$TTL 3600
@    SOA ns hostmaster 2026112301 7200 3600 1209600 300
@    NS  ns
ns   A   192.0.2.53
www  CNAME ns
`), "example.zone", "")
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	opts := zonesign.Options{
		Keys: []*signer.Key{exampleKey("example")},
		Now:  now,
		Validator: func(ctx context.Context, origin string) (zonesign.RecordValidator, error) {
			s, err := validate.NewZoneStream(ctx, validate.ZoneOptions{Origin: origin, Now: now})
			if err != nil {
				return nil, err
			}
			return zoneStream{s}, nil
		},
	}
	if _, err := zonesign.Sign(context.Background(), z, opts, io.Discard); err != nil {
		log.Fatal(err)
	}
	// Output:
	// example.: secure (NSEC, trust taken from the apex DNSKEY RRset): 3 names, 8 RRsets, 8 signatures, 0 errors, 0 warnings
}
