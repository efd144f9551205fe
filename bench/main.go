// Command bench runs the performance benchmarks of dj against the database
// and object store of the test suite and prints one table: per workload,
// dj's rate, the rate of the plain equivalent measured in the same run
// (go-sql-driver/mysql, minio-go or a memory copy), their ratio, and the
// figure DataJoint for Python 0.14.9 reached on the same kind of machine.
//
//	go run ./bench                  # 3 rounds, every size
//	go run ./bench -short -count 5  # without the 1M-row sizes
//	go run ./bench -run delete      # workloads whose name matches
//
// The services are found as by the tests: DJ_HOST, DJ_USER, DJ_PASS and
// DJ_S3_* (see README.md). Each benchmark alternates the dj and the plain
// version within one run; the suite runs in rounds, every benchmark once
// per round, and the table shows the median of the rounds.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

func main() {
	count := flag.Int("count", 3, "rounds; the table shows the median of each figure")
	short := flag.Bool("short", false, "skip the 1M-row sizes (sets DJ_BENCH_SHORT=1)")
	run := flag.String("run", "", "only workloads whose name matches this regular expression")
	verbose := flag.Bool("v", false, "print the output of every benchmark run")
	flag.Parse()
	if *count < 1 {
		fatalf("-count must be at least 1")
	}
	var only *regexp.Regexp
	if *run != "" {
		var err error
		if only, err = regexp.Compile(*run); err != nil {
			fatalf("-run: %v", err)
		}
	}
	root, err := moduleRoot()
	if err != nil {
		fatalf("%v", err)
	}
	ws := selectWorkloads(workloads, only, *short)
	if len(ws) == 0 {
		fatalf("no workload matches %q", *run)
	}
	tmp, err := os.MkdirTemp("", "djbench")
	if err != nil {
		fatalf("%v", err)
	}
	defer os.RemoveAll(tmp)

	load0 := loadAverage()
	started := time.Now()
	bins := map[string]string{}
	for _, inv := range invocations(ws) {
		if _, ok := bins[inv.pkg]; ok {
			continue
		}
		bin := filepath.Join(tmp, strings.NewReplacer("/", "_", ".", "_").Replace(inv.pkg)+".test")
		cmd := exec.Command("go", "test", "-c", "-o", bin, inv.pkg)
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fatalf("building the benchmarks of %s: %v", inv.pkg, err)
		}
		bins[inv.pkg] = bin
	}
	res := results{}
	var failures []string
	for round := 1; round <= *count; round++ {
		for _, inv := range invocations(ws) {
			fmt.Fprintf(os.Stderr, "round %d/%d: %s -bench %s\n", round, *count, inv.pkg, inv.bench)
			out, err := inv.run(bins[inv.pkg], filepath.Join(root, inv.pkg), *short, *verbose)
			res.parse(out)
			if err != nil {
				failures = append(failures, fmt.Sprintf("round %d, %s %s: %v", round, inv.pkg, inv.bench, err))
			}
		}
	}
	load1 := loadAverage()

	fmt.Printf("dj benchmarks: %s, %d CPU, %s/%s, %s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Printf("load average %s at the start, %s at the end; %d rounds in %s; medians\n\n", load0, load1, *count, time.Since(started).Round(time.Second))
	rows := [][]string{{"workload", "dj", "plain", "dj/plain", "Python 0.14.9", "unit"}}
	for _, w := range ws {
		dj, okDJ := res.median(w.djBench, w.djMetric)
		plain, okPlain := res.median(w.plainBench(), w.plainMetric)
		ratio, okRatio := 0.0, false
		if w.ratioMetric != "" {
			ratio, okRatio = res.median(w.djBench, w.ratioMetric)
		} else if okDJ && okPlain && plain > 0 {
			ratio, okRatio = dj/plain, true
		}
		rows = append(rows, []string{w.name, num(dj, okDJ), num(plain, okPlain), ratioText(ratio, okRatio), w.python, w.unit})
	}
	printTable(os.Stdout, rows)
	fmt.Println()
	fmt.Println("plain: " + plainNote)
	fmt.Println("Python: " + pythonNote)
	if len(failures) > 0 {
		fmt.Println()
		for _, f := range failures {
			fmt.Println("failed: " + f)
		}
		os.Exit(1)
	}
}

// workload is one row of the table: a benchmark and the metrics that give
// dj's rate, the plain rate and their ratio.
type workload struct {
	name, unit string
	pkg        string // package directory, relative to the module root
	bench      string // -test.bench pattern of the invocation that measures it
	benchtime  string // -test.benchtime of that invocation
	large      bool   // skipped with -short

	djBench, djMetric string // benchmark name (without -N) and metric unit
	plainName         string // benchmark of the plain rate, when not djBench
	plainMetric       string
	ratioMetric       string // reported ratio; empty: dj/plain
	python            string // DataJoint for Python's figure, or "—"
}

func (w workload) plainBench() string {
	if w.plainName != "" {
		return w.plainName
	}
	return w.djBench
}

// invocation is one run of a test binary.
type invocation struct{ pkg, bench, benchtime string }

func invocations(ws []workload) []invocation {
	var out []invocation
	for _, w := range ws {
		inv := invocation{w.pkg, w.bench, w.benchtime}
		if !slices.Contains(out, inv) {
			out = append(out, inv)
		}
	}
	return out
}

func selectWorkloads(all []workload, only *regexp.Regexp, short bool) []workload {
	var out []workload
	for _, w := range all {
		if short && w.large || only != nil && !only.MatchString(w.name) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// run executes the test binary in the package directory (the tests read
// their testdata from there) and returns its output.
func (inv invocation) run(bin, dir string, short, verbose bool) ([]byte, error) {
	args := []string{"-test.run", "^$", "-test.bench", inv.bench, "-test.benchtime", inv.benchtime, "-test.count", "1", "-test.timeout", "60m"}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if short {
		// Not -test.short: under it the tests that need a server skip.
		cmd.Env = append(os.Environ(), "DJ_BENCH_SHORT=1")
	}
	var out bytes.Buffer
	if verbose {
		cmd.Stdout = io.MultiWriter(&out, os.Stderr)
	} else {
		cmd.Stdout = &out
	}
	cmd.Stderr = cmd.Stdout
	err := cmd.Run()
	if err != nil {
		// Show what failed even without -v.
		if !verbose {
			os.Stderr.Write(tail(out.Bytes(), 40))
		}
	}
	return out.Bytes(), err
}

// results holds every value of every metric, by benchmark and unit.
type results map[string]map[string][]float64

var procSuffix = regexp.MustCompile(`-\d+$`)

// parse reads benchmark result lines: name, iterations, then value-unit
// pairs.
func (r results) parse(out []byte) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			if r[name] == nil {
				r[name] = map[string][]float64{}
			}
			r[name][f[i+1]] = append(r[name][f[i+1]], v)
		}
	}
}

func (r results) median(bench, metric string) (float64, bool) {
	v := slices.Clone(r[bench][metric])
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

// printTable writes rows as a Markdown table, the first row as its
// header, numbers right-aligned.
func printTable(w io.Writer, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i == 0 {
				b.WriteString("| " + c + pad + " ")
			} else {
				b.WriteString("| " + pad + c + " ")
			}
		}
		fmt.Fprintln(w, b.String()+"|")
	}
	line(rows[0])
	sep := make([]string, len(width))
	for i, n := range width {
		sep[i] = strings.Repeat("-", n)
		if i > 0 {
			sep[i] = sep[i][1:] + ":"
		}
	}
	line(sep)
	for _, r := range rows[1:] {
		line(r)
	}
}

func num(v float64, ok bool) string {
	switch {
	case !ok:
		return "missing"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

func ratioText(v float64, ok bool) string {
	if !ok {
		return "missing"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func tail(b []byte, lines int) []byte {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			lines--
			if lines < 0 {
				return b[i+1:]
			}
		}
	}
	return b
}

// cpuModel is the model name of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAverage is the 1, 5 and 15 minute load average of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// moduleRoot is the directory of go.mod, found with go env GOMOD.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run go run ./bench inside the module")
	}
	return filepath.Dir(mod), nil
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(2)
}
