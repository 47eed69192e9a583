// gensdk writes a Pulumi package's SDK for Python or Go from its schema, with the code generators of the pinned
// Pulumi version (github.com/pulumi/pulumi/pkg/v3/codegen): what `pulumi package add` asks a program's language host
// to do. The engine tests use it where that language host cannot be had here (the Go module proxy refuses the Python
// and Go language hosts), to prove the generated SDKs import, compile and register resources as they should.
//
//	gensdk <python|go> <schema.json> <out dir>
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
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
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("reading %s: %w", schemaFile, err)
	}
	// The schema refers to no other package: a loader that finds none.
	pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("binding the schema: %w", err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("binding the schema: %v", diags)
	}
	if err := pkg.ImportLanguages(map[string]schema.Language{"python": python.Importer, "go": gogen.Importer}); err != nil {
		return fmt.Errorf("reading the schema's language options: %w", err)
	}
	var files map[string][]byte
	switch language {
	case "python":
		files, err = python.GeneratePackage("gensdk", pkg, nil, nil)
	case "go":
		files, err = gogen.GeneratePackage("gensdk", pkg, nil)
	default:
		return fmt.Errorf("no generator for %q: python or go", language)
	}
	if err != nil {
		return fmt.Errorf("generating the %s SDK: %w", language, err)
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
