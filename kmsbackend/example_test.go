package kmsbackend_test

import (
	"context"
	"fmt"
	"log"

	"github.com/dnsseal/dnsseal/kmsbackend"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
	"github.com/dnsseal/dnsseal/signer"
)

// Create a Route 53-ready key, sign with it, and check it. With real KMS,
// the client comes from config.LoadDefaultConfig and kms.NewFromConfig.
func Example() {
	srv := kmstest.NewServer() // a KMS emulator; use kms.NewFromConfig(cfg) for AWS
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	created, err := kmsbackend.CreateKey(ctx, client, kmsbackend.CreateOptions{
		Alias:   "example-com-ksk",
		Route53: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("alias:", created.Alias)

	s, err := kmsbackend.New(ctx, client, "alias/example-com-ksk", kmsbackend.Options{Zone: "example.com"})
	if err != nil {
		log.Fatal(err)
	}
	k := s.DNSKEY()
	fmt.Println("DNSKEY:", k.Hdr.Name, k.Flags, k.Protocol, k.Algorithm)

	data := []byte("RRSIG RDATA followed by the canonical RRset")
	sig, err := s.Sign(ctx, data)
	if err != nil {
		log.Fatal(err)
	}
	v, err := signer.NewVerifier(k)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signature:", len(sig), "bytes, verifies:", v.Verify(data, sig) == nil)

	problems, err := kmsbackend.CheckRoute53(ctx, client, created.ARN)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Route 53 problems:", len(problems))
	// Output:
	// alias: alias/example-com-ksk
	// DNSKEY: example.com. 257 3 13
	// signature: 64 bytes, verifies: true
	// Route 53 problems: 0
}

func ExampleCheckRoute53() {
	srv := kmstest.NewServerWith(kmstest.Options{Region: "eu-west-1"})
	defer srv.Close()
	key, err := srv.NewKey("ECC_NIST_P384", "SIGN_VERIFY")
	if err != nil {
		log.Fatal(err)
	}
	problems, err := kmsbackend.CheckRoute53(context.Background(), srv.Client(), key.ARN)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range problems {
		fmt.Println(p.Code+":", p.Message)
	}
	// Output:
	// region: key is in region "eu-west-1", but Route 53 uses only keys in us-east-1
	// key-spec: key spec is ECC_NIST_P384, want ECC_NIST_P256
	// key-policy: key policy does not allow the Route 53 DNSSEC service principal dnssec-route53.amazonaws.com to call kms:DescribeKey, kms:GetPublicKey, kms:Sign
}

func ExampleRoute53Policy() {
	p, err := kmsbackend.Route53Policy("aws", "111122223333")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p)
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Id": "dnsseal-route53-dnssec",
	//   "Statement": [
	//     {
	//       "Sid": "Enable IAM User Permissions",
	//       "Effect": "Allow",
	//       "Principal": {
	//         "AWS": "arn:aws:iam::111122223333:root"
	//       },
	//       "Action": "kms:*",
	//       "Resource": "*"
	//     },
	//     {
	//       "Sid": "Allow Route 53 DNSSEC Service",
	//       "Effect": "Allow",
	//       "Principal": {
	//         "Service": "dnssec-route53.amazonaws.com"
	//       },
	//       "Action": [
	//         "kms:DescribeKey",
	//         "kms:GetPublicKey",
	//         "kms:Sign"
	//       ],
	//       "Resource": "*",
	//       "Condition": {
	//         "ArnLike": {
	//           "aws:SourceArn": "arn:aws:route53:::hostedzone/*"
	//         },
	//         "StringEquals": {
	//           "aws:SourceAccount": "111122223333"
	//         }
	//       }
	//     },
	//     {
	//       "Sid": "Allow Route 53 DNSSEC to CreateGrant",
	//       "Effect": "Allow",
	//       "Principal": {
	//         "Service": "dnssec-route53.amazonaws.com"
	//       },
	//       "Action": "kms:CreateGrant",
	//       "Resource": "*",
	//       "Condition": {
	//         "Bool": {
	//           "kms:GrantIsForAWSResource": true
	//         }
	//       }
	//     }
	//   ]
	// }
}
