// gensdk writes a Pulumi package's SDK for Python or Go from its schema, with the code generators of the pinned
// Pulumi version (github.com/pulumi/pulumi/pkg/v3/codegen): what `pulumi package add` asks a program's language host
// to do. The engine tests use it to run programs on both SDKs under their own language's Pulumi mocks, declaring what
// cannot run under the engine here (LivenessSetup, whose AWS children need the AWS plugin).
//
//	gensdk <python|go> <schema.json> <out dir>
package main

import (
	"fmt"
	"os"

	"pulumi-rekognition-liveness/tools/engine/internal/standin"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gensdk:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: gensdk <python|go> <schema.json> <out dir>")
	}
	language, schemaFile, out := args[0], args[1], args[2]
	text, err := os.ReadFile(schemaFile)
	if err != nil {
		return err
	}
	return standin.GenerateSDK(language, text, out, false, nil, nil)
}
