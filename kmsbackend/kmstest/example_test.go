package kmstest_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/dnsseal/dnsseal/kmsbackend/kmstest"
)

func ExampleServer() {
	srv := kmstest.NewServer()
	defer srv.Close()
	client := srv.Client() // a real *kms.Client
	ctx := context.Background()

	out, err := client.CreateKey(ctx, &kms.CreateKeyInput{
		KeySpec:  types.KeySpecEccNistP256,
		KeyUsage: types.KeyUsageTypeSignVerify,
	})
	if err != nil {
		log.Fatal(err)
	}
	key := out.KeyMetadata.KeyId
	digest := sha256.Sum256([]byte("data"))
	sign := func() error {
		_, err := client.Sign(ctx, &kms.SignInput{
			KeyId: key, Message: digest[:],
			MessageType: types.MessageTypeDigest, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
		})
		return err
	}
	fmt.Println("sign:", sign())

	// Inject a fault: the key is disabled.
	if _, err := client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: key}); err != nil {
		log.Fatal(err)
	}
	var disabled *types.DisabledException
	fmt.Println("disabled:", errors.As(sign(), &disabled))

	// Two injected 500s are retried by the SDK's retryer.
	if _, err := client.EnableKey(ctx, &kms.EnableKeyInput{KeyId: key}); err != nil {
		log.Fatal(err)
	}
	srv.ResetCalls()
	srv.Fail("Sign", "KMSInternalException", 2)
	fmt.Println("sign:", sign(), "after", srv.Calls("Sign"), "requests")
	fmt.Println("ARN:", aws.ToString(out.KeyMetadata.Arn) == "arn:aws:kms:us-east-1:111122223333:key/"+aws.ToString(key))
	// Output:
	// sign: <nil>
	// disabled: true
	// sign: <nil> after 3 requests
	// ARN: true
}
