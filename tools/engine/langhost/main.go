// A minimal Node.js language host for the engine test layer, used only where the real one cannot be built.
//
// The Pulumi CLI runs a Node.js program through a language host, pulumi-language-nodejs, which is a Go module of its
// own (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3). The Go module proxy these machines reach
// does not serve that module, so scripts/engine.sh builds this stand-in beside the real CLI instead. It does what the
// real host does to install a folder's dependencies (npm install) and to run what is installed: it starts
// @pulumi/pulumi's own `cmd/run` (the program), `cmd/run-policy-pack` (a policy pack) or `cmd/run-plugin` (a provider
// run from source) with the arguments, configuration and environment the engine gives, and reports how they ended.
// Everything that decides what a deployment does (the engine, the state, the SDK's runtime, the dynamic-provider host)
// stays real.
//
// Not done here (the real host does them): npm workspaces and package managers other than npm, finding the plugins a
// program's packages need, debugging, code generation, and the bun runtime. A user's own `pulumi` comes with the real
// host.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-rekognition-liveness/tools/engine/internal/standin"
)

// The exit code with which @pulumi/pulumi's run script says it has already shown the user an actionable message.
const exitAfterUserMessage = 32

// The version reported to the engine: the CLI's, as the real host does.
var version = "3.276.0"

type languageHost struct {
	standin.Host
}

func main() {
	flag.String("tracing", "", "ignored: tracing is not supported by this stand-in")
	runtime := flag.String("runtime", "nodejs", "only nodejs is supported")
	showVersion := flag.Bool("version", false, "print the version and exit")
	// Engines before 3.1xx (such as the pkg/v3 inside pulumi-yaml 1.25's host, which loads plugins for YAML programs)
	// pass a plugin's runtime options as flags. The options also arrive with each RunPlugin request, which is where
	// this host reads them, falling back on the flag.
	flag.StringVar(&typescriptFlag, "typescript", "", "the typescript runtime option, from engines that pass it as a flag")
	flag.String("tsconfig", "", "a runtime option; read from each request instead")
	flag.String("nodeargs", "", "a runtime option; read from each request instead")
	flag.String("packagemanager", "", "a runtime option; read from each request instead")
	flag.String("root", "", "ignored: the program's folder comes with each request")
	flag.Parse()
	if *showVersion {
		fmt.Println(version)
		return
	}
	if *runtime != "nodejs" {
		fmt.Fprintf(os.Stderr, "unsupported runtime %q: this stand-in runs nodejs only\n", *runtime)
		os.Exit(1)
	}
	host := &languageHost{standin.Host{Version: version}}
	if args := flag.Args(); len(args) > 0 {
		host.EngineAddress = args[0]
	}
	standin.Serve(host, host.EngineAddress)
}

func (h *languageHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: node}, nil
}

// InstallDependencies does what the real host does for a folder outside any npm workspace (v3.248
// sdk/nodejs/cmd/pulumi-language-nodejs: InstallDependencies and installShared, sdk/nodejs/npm): `npm install
// --loglevel=error` in it. The CLI asks for it where it installs a plugin run from source, such as one added from a
// git URL, and in `pulumi install`; the tests install their own programs' dependencies themselves.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.IsTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetDirectory() //nolint:staticcheck // engines before ProgramInfo send only the folder
	}
	fmt.Fprint(stdout, "Installing dependencies...\n\n")
	install := exec.CommandContext(server.Context(), "npm", "install", "--loglevel=error")
	install.Dir = dir
	install.Stdout = stdout
	install.Stderr = stderr
	if err := install.Run(); err != nil {
		return fmt.Errorf("npm install in %s: %w", dir, err)
	}
	fmt.Fprint(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}

// resolveModule finds an @pulumi/pulumi entry point from the program's folder, as Node itself would.
func resolveModule(module, dir string) (string, error) {
	cmd := exec.Command("node", "-e", fmt.Sprintf("console.log(require.resolve(%q))", module))
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("could not find %s from %s (is @pulumi/pulumi installed there?): %w", module, dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// typescriptFlag is the `typescript` runtime option as an older engine passes it, on the command line.
var typescriptFlag string

// typescriptEnv says whether the program is TypeScript run through ts-node: the `typescript` runtime option (from
// the request, else the flag), true unless set false.
func typescriptEnv(options map[string]any) []string {
	if enabled, ok := options["typescript"].(bool); ok && !enabled {
		return nil
	}
	if _, inRequest := options["typescript"]; !inRequest && typescriptFlag == "false" {
		return nil
	}
	return []string{"PULUMI_NODEJS_TYPESCRIPT=true"}
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	runScript, err := resolveModule("@pulumi/pulumi/cmd/run", req.Info.ProgramDirectory)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	args := []string{runScript}
	flagIfSet := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIfSet("monitor", req.MonitorAddress)
	flagIfSet("engine", h.EngineAddress)
	flagIfSet("organization", req.Organization)
	flagIfSet("project", req.Project)
	flagIfSet("root-directory", req.Info.RootDirectory)
	flagIfSet("stack", req.Stack)
	flagIfSet("pwd", req.Info.ProgramDirectory)
	if req.DryRun {
		args = append(args, "--dry-run")
	}
	flagIfSet("parallel", strconv.Itoa(int(req.Parallel)))
	args = append(args, req.Info.EntryPoint)
	args = append(args, req.Args...)

	// @pulumi/pulumi reads configuration keys in the form <namespace>:config:<name>.
	configuration := map[string]string{}
	for key, value := range req.Config {
		parsed, err := config.ParseKey(key)
		if err != nil {
			return nil, err
		}
		configuration[parsed.Namespace()+":config:"+parsed.Name()] = value
	}
	configJSON, err := json.Marshal(configuration)
	if err != nil {
		return nil, err
	}
	secretKeys := req.ConfigSecretKeys
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.Info.ProgramDirectory
	cmd.Env = append(os.Environ(), "PULUMI_CONFIG="+string(configJSON), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	cmd.Env = append(cmd.Env, typescriptEnv(req.Info.Options.AsMap())...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second

	err = cmd.Run()
	var exited *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exited) && exited.ExitCode() == exitAfterUserMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exited):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exited.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run the program: %v", err)}, nil
	}
}

// RunPlugin runs a policy pack (kind analyzer) or a provider run from source, from its own folder.
func (h *languageHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	isPolicyPack := req.Kind == string(apitype.AnalyzerPlugin)
	script := "@pulumi/pulumi/cmd/run-plugin"
	if isPolicyPack {
		script = "@pulumi/pulumi/cmd/run-policy-pack"
	}
	scriptPath, err := resolveModule(script, req.Info.ProgramDirectory)
	if err != nil {
		return err
	}
	args := []string{scriptPath}
	env := append(req.Env, typescriptEnv(req.Info.Options.AsMap())...)
	var policyProxy *sdk.PolicyProxy
	if isPolicyPack {
		// A policy pack takes its folder last, and the stack's configuration from the engine, through the SDK's proxy.
		args = append(append(args, req.Args...), req.Info.ProgramDirectory)
		policyProxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return err
		}
		stack, err := policyProxy.AwaitConfiguration(ctx)
		if err != nil {
			return err
		}
		if stack != nil {
			env = append(env,
				"PULUMI_NODEJS_ORGANIZATION="+stack.Organization,
				"PULUMI_NODEJS_PROJECT="+stack.Project,
				"PULUMI_NODEJS_STACK="+stack.Stack,
				"PULUMI_NODEJS_DRY_RUN="+strconv.FormatBool(stack.DryRun))
			if stack.Config != nil {
				configJSON, err := json.Marshal(stack.Config)
				if err != nil {
					return err
				}
				env = append(env, "PULUMI_CONFIG="+string(configJSON))
			}
		}
	} else {
		args = append(append(args, req.Info.ProgramDirectory), req.Args...)
	}

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.Pwd
	if isPolicyPack {
		cmd.Dir = req.Info.ProgramDirectory
	}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	if policyProxy != nil {
		return policyProxy.Attach(ctx, cmd)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("plugin exited: %w", err)
	}
	return closer.Close()
}
