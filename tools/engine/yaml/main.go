// The YAML language host the engine tests run YAML programs with: pulumi-yaml's own host (github.com/pulumi/pulumi-yaml
// v1.25.0, the newest release the Go module proxy serves here), plus Link. That release predates the Link call, which
// `pulumi package add` makes of the program's language host since CLI 3.1xx; for YAML it has nothing to do (a YAML
// program needs no SDK, and `package add` itself records the package in Pulumi.yaml), so it answers with no change.
//
// Built against Pulumi's SDK v3.219.0 (go.mod), not the v3.206.0 that release was made with: the host finds the
// plugins of a program's packages itself, and SDKs before v3.215 name the folder of a plugin added from a git subfolder
// without the subfolder (workspace.PluginDescriptor.LocalName), so it looked for `…pulumi-rekognition-liveness.git-v…`
// where CLIs from 3.215 install `…pulumi-rekognition-liveness.git_plugin-v…`. v3.219.0 is the newest SDK the module
// proxy serves that this release still compiles against (v3.224 changed plugin.NewContextWithRoot).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/pulumi/pulumi-yaml/pkg/server"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

type yamlHost struct {
	pulumirpc.LanguageRuntimeServer
}

// Link has nothing to link for YAML.
func (yamlHost) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return &pulumirpc.LinkResponse{}, nil
}

func main() {
	var tracing, root, compiler string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	flag.StringVar(&root, "root", "", "Root of the program execution")
	flag.StringVar(&compiler, "compiler", "", "[obsolete] Compiler to use to pre-process YAML")
	flag.Parse()
	logging.InitLogging(false, 0, false)

	var engineAddress string
	// Closed when the engine stops answering, so that the host never outlives it.
	cancel := make(chan bool)
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
		ctx, stop := context.WithCancel(context.Background())
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start the health check of the engine: %w", err))
		}
		go func() {
			<-ctx.Done()
			close(cancel)
		}()
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, yamlHost{server.NewLanguageHost(engineAddress, tracing, false)})
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start the YAML language host: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
