// A minimal Go and Python language host for the engine test layer, used only because the real ones cannot be built
// here: the Go module proxy these machines reach refuses github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3 and
// .../sdk/python/cmd/pulumi-language-python/v3. Built twice by scripts/engine.sh, as pulumi-language-go and
// pulumi-language-python; the name it is started under says which language it serves.
//
// It does what the real hosts do for `pulumi package add` and for a program whose dependencies are installed:
//   - GeneratePackage: the SDK, with the code generators of the pinned Pulumi version (pkg/v3/codegen);
//   - Link: Go, a require and a replace of the generated module in the program's go.mod; Python, a pip install of the
//     generated SDK into the program's virtualenv (runtime option `virtualenv`);
//   - Run: Go, `go build` of the program, then the binary; Python, exec.py with the virtualenv's Python. Both with the
//     monitor, engine, project, stack, config and dry-run the engine gives, as the SDKs read them.
//
// Not done here (the real hosts do them): installing dependencies, plugin discovery, debugging, toolchains other than
// `go` and a virtualenv, and the other calls a CLI makes of a language host outside package add, up, refresh, destroy.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-rekognition-liveness/tools/engine/internal/standin"
)

//go:embed exec.py
var execPy []byte

// The version reported to the engine: the CLI's, as the real hosts do.
var version = "3.276.0"

type languageHost struct {
	standin.Host
	language string
}

func main() {
	language := strings.TrimPrefix(filepath.Base(os.Args[0]), "pulumi-language-")
	if language != "go" && language != "python" {
		fmt.Fprintf(os.Stderr, "started as %s: this host serves go or python, by the name it is started under\n", os.Args[0])
		os.Exit(2)
	}
	// Engines pass a runtime's options as flags too (older ones only so); they also come with each request, where
	// this host reads them.
	for _, option := range []string{"tracing", "root", "binary", "buildTarget", "virtualenv", "toolchain", "typechecker"} {
		flag.String(option, "", "accepted; read from each request instead")
	}
	flag.Parse()

	host := &languageHost{Host: standin.Host{Version: version}, language: language}
	if args := flag.Args(); len(args) > 0 {
		host.EngineAddress = args[0]
	}
	standin.Serve(host, host.EngineAddress)
}

func (h *languageHost) About(_ context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	executable, err := h.executable(req.GetInfo())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{Executable: executable}, nil
}

// Dependencies are installed by the tests (the Go module cache, the virtualenv), never by the engine here.
func (h *languageHost) InstallDependencies(
	*pulumirpc.InstallDependenciesRequest, pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	return nil
}

// executable is the `go` command, or the Python of the program's virtualenv (runtime option `virtualenv`, relative
// to the program's root), else python3.
func (h *languageHost) executable(info *pulumirpc.ProgramInfo) (string, error) {
	if h.language == "go" {
		return exec.LookPath("go")
	}
	if venv, ok := info.GetOptions().AsMap()["virtualenv"].(string); ok && venv != "" {
		if !filepath.IsAbs(venv) {
			venv = filepath.Join(info.GetRootDirectory(), venv)
		}
		return filepath.Join(venv, "bin", "python"), nil
	}
	return exec.LookPath("python3")
}

func (h *languageHost) GeneratePackage(
	_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	err := standin.GenerateSDK(h.language, []byte(req.Schema), req.Directory, req.Local, req.ExtraFiles, req.LocalDependencies)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GeneratePackageResponse{}, nil
}

var goModule = regexp.MustCompile(`(?m)^module\s+(\S+)`)

func (h *languageHost) Link(_ context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	root := req.GetInfo().GetRootDirectory()
	for _, dep := range req.GetPackages() {
		path := dep.GetPath()
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		if h.language == "go" {
			// The generated module sits in a folder of its own, with its go.mod.
			gomods, _ := filepath.Glob(filepath.Join(path, "*", "go.mod"))
			if direct := filepath.Join(path, "go.mod"); fileExists(direct) {
				gomods = append([]string{direct}, gomods...)
			}
			if len(gomods) == 0 {
				return nil, fmt.Errorf("no go.mod in the generated SDK at %s", path)
			}
			text, err := os.ReadFile(gomods[0])
			if err != nil {
				return nil, err
			}
			module := goModule.FindSubmatch(text)
			if module == nil {
				return nil, fmt.Errorf("no module line in %s", gomods[0])
			}
			name := string(module[1])
			// Relative to the program, starting with ./ as go.mod requires, as the real host writes it: the project
			// can be copied or committed with its go.mod and restored elsewhere by `pulumi install`.
			replacement, err := filepath.Rel(root, filepath.Dir(gomods[0]))
			if err != nil {
				return nil, err
			}
			replacement = "./" + filepath.ToSlash(replacement)
			if err := run(root, nil, "go", "mod", "edit", "-require="+name+"@v0.0.0", "-replace="+name+"="+replacement); err != nil {
				return nil, err
			}
			if err := run(root, []string{"GOFLAGS=-mod=mod"}, "go", "mod", "tidy"); err != nil {
				return nil, err
			}
			continue
		}
		pythonExe, err := h.executable(req.GetInfo())
		if err != nil {
			return nil, err
		}
		// Offline: the SDK's own dependencies (pulumi, parver, semver) are in the virtualenv already.
		if err := run(root, nil, pythonExe, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", path); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.LinkResponse{}, nil
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	// What the SDKs read: Go from the environment, Python from flags and the environment.
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
		"PULUMI_PROJECT="+req.GetProject(),
		"PULUMI_STACK="+req.GetStack(),
		"PULUMI_ORGANIZATION="+req.GetOrganization(),
		"PULUMI_ROOT_DIRECTORY="+req.GetInfo().GetRootDirectory(),
		"PULUMI_DRY_RUN="+strconv.FormatBool(req.GetDryRun()),
		"PULUMI_PARALLEL="+strconv.Itoa(int(req.GetParallel())),
		"PULUMI_MONITOR="+req.GetMonitorAddress(),
		"PULUMI_ENGINE="+h.EngineAddress,
	)
	dir := req.GetInfo().GetProgramDirectory()
	var cmd *exec.Cmd
	if h.language == "go" {
		binary, err := os.CreateTemp("", "pulumi-go-program-")
		if err != nil {
			return nil, err
		}
		binary.Close()
		defer os.Remove(binary.Name())
		build := exec.CommandContext(ctx, "go", "build", "-o", binary.Name(), ".")
		build.Dir, build.Env = dir, append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := build.CombinedOutput(); err != nil {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("go build failed: %v\n%s", err, out)}, nil
		}
		cmd = exec.CommandContext(ctx, binary.Name())
	} else {
		pythonExe, err := h.executable(req.GetInfo())
		if err != nil {
			return nil, err
		}
		script, err := os.CreateTemp("", "pulumi-python-exec-*.py")
		if err != nil {
			return nil, err
		}
		defer os.Remove(script.Name())
		if _, err := script.Write(execPy); err != nil {
			return nil, err
		}
		script.Close()
		cmd = exec.CommandContext(ctx, pythonExe, "-u", script.Name(),
			"--monitor", req.GetMonitorAddress(), "--engine", h.EngineAddress, "--project", req.GetProject(),
			"--stack", req.GetStack(), "--organization", req.GetOrganization(), "--root", req.GetInfo().GetRootDirectory(),
			"--parallel", strconv.Itoa(int(req.GetParallel())), "--dry_run", strconv.FormatBool(req.GetDryRun()), dir)
	}
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			// The program reported its error through the engine or on stderr, which the engine shows.
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func run(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
