// Package standin is what the engine layer's stand-in language hosts share (tools/engine/langhost for Node.js,
// tools/engine/sdkhost for Go and Python, and the SDK generator tools/engine/gensdk): serving the language runtime
// protocol the way every Pulumi plugin does, the calls that have nothing to do for the test programs, and SDK
// generation with the code generators of the pinned Pulumi version.
package standin

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Host answers the calls whose answers are the same for every stand-in. A host embeds it and adds the rest.
type Host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	// EngineAddress is the engine's, from the command line or Handshake.
	EngineAddress string
	// Version is reported to the engine: the CLI's, as the real hosts do.
	Version string
}

func (h *Host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.EngineAddress = req.EngineAddress
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *Host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: h.Version}, nil
}

// GetRequiredPlugins has none to report: the dynamic-provider launcher is found on PATH, and the engine learns a
// program's packages from its Pulumi.yaml (`pulumi package add` records them there).
func (h *Host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *Host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *Host) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// Serve serves host until the engine at engineAddress stops answering (when given) or the host is interrupted,
// printing the port first, as the engine expects of a plugin. It does not return. As the real hosts do, an interrupt
// stops it: the CLI closes a language host by interrupting its process group, and kills it only 5 seconds later if
// the CLI itself is still there to, so a host that ignored the interrupt outlived a CLI that exited first.
func Serve(host pulumirpc.LanguageRuntimeServer, engineAddress string) {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	if engineAddress != "" {
		// Exit when the engine goes away, as every plugin does. The real hosts look every 5 minutes; this stand-in,
		// which only tests run, every 2 seconds, so that a CLI killed outright (as when a CI job is cancelled, which a
		// test plays) leaves no host behind for long.
		if err := rpcutil.Healthcheck(ctx, engineAddress, 2*time.Second, cancel); err != nil {
			fmt.Fprintf(os.Stderr, "could not start the health check: %v\n", err)
			os.Exit(1)
		}
	}
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
		// Stopping waits for the calls in flight (a program still running); the CLI gives a plugin 5 seconds after the
		// interrupt before it kills it, if it is still there to: so does this host, then goes whatever is running.
		time.Sleep(5 * time.Second)
		os.Exit(1)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not serve: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "stopped serving: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// GenerateSDK writes the `go` or `python` SDK of the package whose schema is schemaJSON into dir, with extraFiles
// beside it. local asks for an SDK its own project can build (a go.mod for Go), as `pulumi package add` does;
// localDependencies, Go modules to use from local paths.
func GenerateSDK(
	language string, schemaJSON []byte, dir string, local bool, extraFiles map[string][]byte, localDependencies map[string]string,
) error {
	var spec schema.PackageSpec
	if err := json.Unmarshal(schemaJSON, &spec); err != nil {
		return fmt.Errorf("reading the schema: %w", err)
	}
	// The packages these tests generate refer to no other package: a loader that finds none.
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
	pkg.SupportPack = pkg.SupportPack || local
	var files map[string][]byte
	switch language {
	case "go":
		files, err = gogen.GeneratePackage("pulumi-language-go", pkg, localDependencies)
	case "python":
		files, err = python.GeneratePackage("pulumi-language-python", pkg, extraFiles, nil)
	default:
		return fmt.Errorf("no generator for %q: go or python", language)
	}
	if err != nil {
		return fmt.Errorf("generating the %s SDK: %w", language, err)
	}
	for name, content := range extraFiles {
		files[name] = content
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
