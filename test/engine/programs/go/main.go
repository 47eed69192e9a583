package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/rekognition-liveness/pulumi-rekognition-liveness/sdk/go/liveness"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		session, err := liveness.NewFaceLivenessSession(ctx, "onboarding", &liveness.FaceLivenessSessionArgs{
			Settings: &liveness.FaceLivenessSessionSettingsArgs{
				AuditImagesLimit: pulumi.Int(1),
				ChallengePreferences: liveness.ChallengePreferenceArray{
					&liveness.ChallengePreferenceArgs{Type: liveness.ChallengeTypeFaceMovementChallenge},
				},
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("sessionId", session.SessionId)
		ctx.Export("region", session.Region)
		return nil
	})
}
