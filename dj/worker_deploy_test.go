package dj_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// workerFlags returns the flags the worker defines, from its -h output.
func workerFlags(t *testing.T) map[string]bool {
	t.Helper()
	out, _ := exec.Command(popBuildWorker(t), "-h").CombinedOutput()
	flags := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(string(out), -1) {
		flags[m[1]] = true
	}
	if !flags["schema"] || !flags["log-json"] {
		t.Fatalf("worker -h:\n%s", out)
	}
	return flags
}

// checkWorkerArgs fails unless every flag in args is one the worker
// defines.
func checkWorkerArgs(t *testing.T, where string, args []string, flags map[string]bool) {
	t.Helper()
	n := 0
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			n++
			if name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); !flags[name] {
				t.Errorf("%s: the worker has no flag %s", where, a)
			}
		}
	}
	if n == 0 {
		t.Errorf("%s: no worker flags in %q", where, args)
	}
}

// TestWorkerSlurmScript checks examples/worker/deploy/worker.sbatch: bash
// syntax, the #SBATCH directives of an array with resources, and the
// worker flags it uses.
func TestWorkerSlurmScript(t *testing.T) {
	const path = "../examples/worker/deploy/worker.sbatch"
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	data, err := os.ReadFile(path)
	must(t, err)
	text := string(data)
	for _, d := range []string{"#SBATCH --array=", "#SBATCH --cpus-per-task=", "#SBATCH --mem-per-cpu=", "#SBATCH --time="} {
		if !strings.Contains(text, "\n"+d) {
			t.Errorf("no %s directive", d)
		}
	}
	text = strings.ReplaceAll(text, "\\\n", " ")
	i := strings.Index(text, "srun ")
	if i < 0 {
		t.Fatal("no srun line")
	}
	line, _, _ := strings.Cut(text[i:], "\n")
	fields := strings.Fields(line)
	if !strings.HasSuffix(fields[1], `/worker"`) {
		t.Fatalf("srun runs %s", fields[1])
	}
	checkWorkerArgs(t, "worker.sbatch", fields[2:], workerFlags(t))
}

// TestWorkerKubernetesJob parses examples/worker/deploy/worker-job.yaml:
// a Secret with the credentials, a Job whose pods take them from it, ask
// for resources and run the worker with flags it defines. Then it runs
// the worker with the manifest's arguments and the Secret's variables
// (pointed at the test server and schema) as the pod would: it makes
// every key and logs JSON lines.
func TestWorkerKubernetesJob(t *testing.T) {
	data, err := os.ReadFile("../examples/worker/deploy/worker-job.yaml")
	must(t, err)
	type container struct {
		Name    string   `yaml:"name"`
		Image   string   `yaml:"image"`
		Args    []string `yaml:"args"`
		EnvFrom []struct {
			SecretRef struct {
				Name string `yaml:"name"`
			} `yaml:"secretRef"`
		} `yaml:"envFrom"`
		Resources struct {
			Requests map[string]string `yaml:"requests"`
		} `yaml:"resources"`
	}
	type doc struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Metadata   struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		StringData map[string]string `yaml:"stringData"`
		Spec       struct {
			Parallelism int `yaml:"parallelism"`
			Template    struct {
				Spec struct {
					RestartPolicy string      `yaml:"restartPolicy"`
					Containers    []container `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var secret, job *doc
	for {
		var d doc
		if err := dec.Decode(&d); err != nil {
			break
		}
		switch {
		case d.Kind == "Secret" && d.APIVersion == "v1":
			secret = &d
		case d.Kind == "Job" && d.APIVersion == "batch/v1":
			job = &d
		default:
			t.Fatalf("unexpected document %s %s", d.APIVersion, d.Kind)
		}
	}
	if secret == nil || job == nil {
		t.Fatalf("secret %v, job %v", secret, job)
	}
	for _, k := range []string{"DJ_HOST", "DJ_USER", "DJ_PASS"} {
		if secret.StringData[k] == "" {
			t.Errorf("the Secret has no %s", k)
		}
	}
	pod := job.Spec.Template.Spec
	if len(pod.Containers) != 1 || job.Spec.Parallelism < 1 || pod.RestartPolicy == "" {
		t.Fatalf("job %+v", job.Spec)
	}
	c := pod.Containers[0]
	if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef.Name != secret.Metadata.Name {
		t.Errorf("the container does not take its environment from the Secret: %+v", c.EnvFrom)
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" {
		t.Errorf("no resource requests: %+v", c.Resources)
	}
	checkWorkerArgs(t, "worker-job.yaml", c.Args, workerFlags(t))

	// The pod's command, on the test server.
	srv := testenv.MySQL(t)
	name := testenv.Database(t)
	args := append([]string(nil), c.Args...)
	for i, a := range args {
		if a == "lab_analysis" {
			args[i] = name
		}
	}
	popRunWorker(t, srv.Host, "-schema", name, "-seed", "5")
	cmd := exec.Command(popBuildWorker(t), args...)
	cmd.Env = append(os.Environ(), "DJ_HOST="+srv.Host, "DJ_USER="+srv.User, "DJ_PASS="+srv.Pass)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("worker %v: %v\n%s", args, err, stderr.String())
	}
	// Each round of the worker logs a summary and a final progress line.
	text := stderr.String()
	sc := bufio.NewScanner(&stderr)
	made, summaries, progress := 0.0, 0, 0
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("not a JSON line: %q", sc.Text())
		}
		switch rec["msg"] {
		case "dj: populate done":
			summaries++
			made += rec["made"].(float64)
		case "dj: populate progress":
			if rec["final"] == true && rec["table"] == "Square" {
				progress++
			}
		}
	}
	if made != 5 || summaries == 0 || progress == 0 {
		t.Errorf("%v keys made in %d summaries, %d progress lines\n%s", made, summaries, progress, text)
	}
}
