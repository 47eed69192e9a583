// A minimal Go and Python language host for the engine test layer, used only because the real ones cannot be built
// here: the Go module proxy these machines reach refuses github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3 and
// .../sdk/python/cmd/pulumi-language-python/v3. Built twice by scripts/engine.sh, as pulumi-language-go and
// pulumi-language-python; the name it is started under says which language it serves.
//
// It does what the real hosts do for `pulumi package add`, `pulumi install` and a program's run (the real Python
// host's pip toolchain is its reference: sdk/python/cmd/pulumi-language-python, sdk/python/toolchain/pip.go):
//   - GeneratePackage: the SDK, with the code generators of the pinned Pulumi version (pkg/v3/codegen);
//   - Link: Go, a require and a replace of the generated module in the program's go.mod; Python, the generated SDK's
//     path in the program's requirements.txt, in place of any line naming the same package or path;
//   - InstallDependencies: Python, the program's virtualenv (runtime option `virtualenv`) created where it is missing,
//     then `pip install --upgrade pip setuptools wheel` and `pip install -r requirements.txt` in it; Go, nothing (the
//     tests' Go module cache holds the modules);
//   - Run: Go, `go build` of the program, then the binary; Python, the real host's own pulumi-language-python-exec (of
//     the pinned SDK, installed beside this host by scripts/engine.sh) with the virtualenv's Python and the real host's
//     arguments, its exit code 32 (the program showed its error) a bail. Both with the monitor, engine, project,
//     stack, config and dry-run the engine gives, as the SDKs read them.
//
// Not done here (the real hosts do them): plugin discovery, debugging, type checkers, toolchains other than `go` and
// pip with a virtualenv, and the other calls a CLI makes of a language host outside package add, install, up, refresh,
// destroy.
package main

import (
	"context"
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
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-rekognition-liveness/tools/engine/internal/standin"
)

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

// InstallDependencies: for Python, what the real pip toolchain does (toolchain.InstallDependencies), its output sent
// to the CLI; for Go, nothing.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	if h.language == "go" {
		return nil
	}
	info := req.GetInfo()
	venv := virtualenv(info)
	// The real toolchain runs `python -m venv` whenever the option is set; here only where there is none, so that a
	// test's virtualenv shared between projects (a symbolic link) is left as it is.
	if venv != "" && !fileExists(filepath.Join(venv, "bin", "python")) {
		python, err := exec.LookPath("python3")
		if err != nil {
			return err
		}
		if err := runTo(server, info.GetRootDirectory(), python, "-m", "venv", venv); err != nil {
			return fmt.Errorf("creating virtual environment at '%s': %w", venv, err)
		}
	}
	python, err := h.executable(info)
	if err != nil {
		return err
	}
	if err := runTo(server, info.GetRootDirectory(), python, "-m", "pip", "install", "--upgrade", "pip", "setuptools", "wheel"); err != nil {
		return fmt.Errorf("updating pip, setuptools, and wheel: %w", err)
	}
	if !fileExists(filepath.Join(info.GetRootDirectory(), "requirements.txt")) {
		return nil
	}
	if err := runTo(server, info.GetRootDirectory(), python, "-m", "pip", "install", "-r", "requirements.txt"); err != nil {
		return fmt.Errorf("installing dependencies: %w", err)
	}
	return nil
}

// runTo runs a command in dir, sending its output to the CLI as the real hosts stream theirs.
func runTo(server pulumirpc.LanguageRuntime_InstallDependenciesServer, dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if sendErr := server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: out}); sendErr != nil && err == nil {
		err = sendErr
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

// virtualenv is the absolute path of the program's virtualenv (runtime option `virtualenv`, relative to the
// program's root), or "" where there is none.
func virtualenv(info *pulumirpc.ProgramInfo) string {
	venv, _ := info.GetOptions().AsMap()["virtualenv"].(string)
	if venv != "" && !filepath.IsAbs(venv) {
		venv = filepath.Join(info.GetRootDirectory(), venv)
	}
	return venv
}

// executable is the `go` command, or the Python of the program's virtualenv, else python3.
func (h *languageHost) executable(info *pulumirpc.ProgramInfo) (string, error) {
	if h.language == "go" {
		return exec.LookPath("go")
	}
	if venv := virtualenv(info); venv != "" {
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

var (
	goModule          = regexp.MustCompile(`(?m)^module\s+(\S+)`)
	pythonPackageName = regexp.MustCompile(`(?m)^\s*name\s*=\s*"([^"]+)"`)
	requirementName   = regexp.MustCompile(`^([a-zA-Z0-9_-]+)`)
)

// linkRequirement puts `path` in the program's requirements.txt in place of any line naming the package `name` (the
// names some_thing and some-thing being the same) or that path, keeping the file's line endings, as the real pip
// toolchain's LinkPackages does; InstallDependencies then installs it, with its dependencies.
func linkRequirement(root, name, path string) error {
	file := filepath.Join(root, "requirements.txt")
	text, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("error opening requirements.txt: %w", err)
	}
	ending := "\n"
	if strings.Contains(string(text), "\r\n") {
		ending = "\r\n"
	}
	lines := regexp.MustCompile("\r?\n").Split(string(text), -1)
	trailing := len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == ""
	if trailing {
		lines = lines[:len(lines)-1]
	}
	kept := make([]string, 0, len(lines)+1)
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		named := requirementName.FindStringSubmatch(strings.ReplaceAll(trimmed, "-", "_"))
		if trimmed != "" && named != nil && (named[1] == strings.ReplaceAll(name, "-", "_") || trimmed == path) {
			continue
		}
		kept = append(kept, line)
	}
	kept = append(kept, path)
	if trailing {
		kept = append(kept, "")
	}
	return os.WriteFile(file, []byte(strings.Join(kept, ending)), 0o600)
}

// readOr is the file's contents, or nothing where it cannot be read.
func readOr(file string) []byte {
	text, _ := os.ReadFile(file)
	return text
}

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
		name := pythonPackageName.FindSubmatch(readOr(filepath.Join(path, "pyproject.toml")))
		if name == nil {
			return nil, fmt.Errorf("no project name in the generated SDK's %s", filepath.Join(path, "pyproject.toml"))
		}
		if err := linkRequirement(root, string(name[1]), dep.GetPath()); err != nil {
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
		// The real host's executor, installed beside this host, with the arguments the real host gives it.
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		executor := filepath.Join(filepath.Dir(self), "pulumi-language-python-exec")
		args := []string{"-u", executor}
		for _, flag := range [][2]string{
			{"monitor", req.GetMonitorAddress()}, {"engine", h.EngineAddress}, {"project", req.GetProject()},
			{"root_directory", req.GetInfo().GetRootDirectory()}, {"stack", req.GetStack()}, {"pwd", req.GetPwd()},
			{"dry_run", strconv.FormatBool(req.GetDryRun())}, {"parallel", strconv.Itoa(int(req.GetParallel()))},
			{"organization", req.GetOrganization()},
		} {
			if flag[1] != "" {
				args = append(args, "--"+flag[0], flag[1])
			}
		}
		entry := req.GetInfo().GetEntryPoint()
		if entry == "" {
			entry = "."
		}
		cmd = exec.CommandContext(ctx, pythonExe, append(args, entry)...)
	}
	cmd.Dir, cmd.Env = dir, env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// As the real hosts stop a program the engine cancels: an interrupt first, a kill 5 seconds later.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return &pulumirpc.RunResponse{Error: err.Error()}, nil
		}
		// Go's SDK and Python's executor have shown the program's error: exit code 32 for Python, as the real host
		// reads it; a Go program prints its error and exits 1.
		if h.language == "go" || exit.ExitCode() == 32 {
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", exit.ExitCode())}, nil
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
