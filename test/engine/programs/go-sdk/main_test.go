// A Go program using the liveness package's generated SDK, run under the Pulumi Go SDK's mocks by `go test`: writes,
// as JSON to $REGISTERED_JSON, every resource it registers (type, name, inputs as they go on the wire) and the outputs
// it reads back. test/engine/consumers.spec.ts generates the SDK, runs this, and checks what it wrote.
package main

import (
	"encoding/json"
	"os"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/rekognition-liveness/pulumi-rekognition-liveness/sdk/go/liveness"
)

type registration struct {
	Type   string         `json:"type"`
	Name   string         `json:"name"`
	Inputs map[string]any `json:"inputs"`
}

type recorder struct {
	mu         sync.Mutex
	registered []registration
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	r.registered = append(r.registered, registration{args.TypeToken, args.Name, args.Inputs.Mappable()})
	r.mu.Unlock()
	outputs := args.Inputs.Copy()
	switch args.TypeToken {
	case "liveness:index:FaceLivenessSession":
		outputs["sessionId"] = resource.NewStringProperty(args.Name + "-id")
		outputs["status"] = resource.NewStringProperty("CREATED")
	case "liveness:index:LivenessSetup":
		// What the plugin's construct would answer (test/plugin/construct.spec.ts checks that it does).
		ids := resource.PropertyMap{}
		for name := range args.Inputs["sessions"].ObjectValue() {
			ids[name] = resource.NewStringProperty(args.Name + "-" + string(name) + "-id")
		}
		outputs["sessionIds"] = resource.NewObjectProperty(ids)
	}
	return args.Name + "-id", outputs, nil
}

func (r *recorder) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

func TestProgram(t *testing.T) {
	mocks := &recorder{}
	var sessionID, status string
	var sessionIDs map[string]string
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		session, err := liveness.NewFaceLivenessSession(ctx, "onboarding", &liveness.FaceLivenessSessionArgs{
			KmsKeyId: pulumi.String("alias/kyc"),
			Settings: &liveness.FaceLivenessSessionSettingsArgs{
				OutputConfig:     &liveness.OutputConfigArgs{S3Bucket: pulumi.String("kyc-images"), S3KeyPrefix: pulumi.String("onboarding/")},
				AuditImagesLimit: pulumi.Int(2),
				ChallengePreferences: liveness.ChallengePreferenceArray{
					&liveness.ChallengePreferenceArgs{
						Type:     liveness.ChallengeTypeFaceMovementChallenge,
						Versions: &liveness.ChallengeVersionsArgs{Minimum: pulumi.String("1.0.0")},
					},
				},
			},
			RenewExpired: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		setup, err := liveness.NewLivenessSetup(ctx, "kyc", &liveness.LivenessSetupArgs{
			Sessions:         map[string]liveness.LivenessSessionOptionsInput{"onboarding": &liveness.LivenessSessionOptionsArgs{AuditImagesLimit: pulumi.Int(2)}},
			SessionDefaults:  &liveness.LivenessSessionOptionsArgs{RenewExpired: pulumi.Bool(true)},
			RetentionDays:    pulumi.IntRef(14),
			BackendRoleNames: pulumi.StringArray{pulumi.String("kyc-backend")},
			Tags:             pulumi.StringMap{"team": pulumi.String("identity")},
		})
		if err != nil {
			return err
		}
		pulumi.All(session.SessionId, session.Status, setup.SessionIds).ApplyT(func(values []any) error {
			sessionID, status, sessionIDs = values[0].(string), values[1].(string), values[2].(map[string]string)
			return nil
		})
		return nil
	}, pulumi.WithMocks("consumer", "test", mocks))
	if err != nil {
		t.Fatal(err)
	}
	report, err := json.Marshal(map[string]any{
		"registered": mocks.registered, "sessionId": sessionID, "status": status, "sessionIds": sessionIDs,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv("REGISTERED_JSON"), report, 0o644); err != nil {
		t.Fatal(err)
	}
}
