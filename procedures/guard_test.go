package procedures_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"zenrecover/procedures"
)

// Issue 11, item 2: small YAML files took gigabytes (80 KB of nested
// brackets 2.5 GB, 1 MB of aliases to one note 9 GB, a 50 MB definition a
// fatal "out of memory"). Every path that reads YAML now refuses them
// before the parser pays for them, with a positioned error, in bounded
// memory.

// hostile is one input that no definition needs, and the error it gets.
type hostile struct {
	name string
	src  []byte
	want string // in the error, with a file:line:column before it
}

// defHead makes an input start like a definition, so that the limits
// (not "not a definition") are what refuses it.
const defHead = "id: hostile\ntitle: T\nsection: \"9.9\"\nsummary: S\nsteps:\n  - {id: a, ref: \"1\", title: A, manual: Do.}\n"

func rep(s string, n int) string { return strings.Repeat(s, n) }

func hostileInputs() []hostile {
	// The alias case: a long note, and a megabyte of notes that
	// are aliases to it.
	note := rep("x", 60000)
	aliasesMB := defHead + "summary2: &n \"" + note + "\"\nnotes:\n" + rep("  - {kind: note, text: *n}\n", 30000)
	// Fewer aliases, within the word limit, that still expand to 6 MB.
	aliasesFew := defHead + "notes:\n  - kind: note\n    text: &n \"" + note + "\"\n" + rep("  - {kind: note, text: *n}\n", 99)
	// The billion laughs: each level nine aliases of the one before.
	laughs := defHead + "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for i := 1; i <= 9; i++ {
		laughs += fmt.Sprintf("x%d: &a%d [%s]\n", i, i, strings.TrimSuffix(rep(fmt.Sprintf("*a%d, ", i-1), 9), ", "))
	}
	var keys strings.Builder
	keys.WriteString(defHead + "extra:\n")
	for i := 1; i <= 1000; i++ {
		keys.WriteString(rep(" ", i) + "a:\n")
	}
	return []hostile{
		{"brackets-80k", []byte(defHead + "extra: " + rep("[", 40000) + rep("]", 40000) + "\n"), "more than 50000 words and YAML symbols"},
		{"brackets-40k", []byte(defHead + "extra: " + rep("[", 20000) + rep("]", 20000) + "\n"), "nested more than 32 levels deep"},
		{"brackets-unclosed", []byte(defHead + "extra: " + rep("[", 30000) + "\n"), "nested more than 32 levels deep"},
		{"braces", []byte(defHead + "extra: " + rep("{a: ", 10000) + rep("}", 10000) + "\n"), "nested more than 32 levels deep"},
		{"dashes", []byte(defHead + "extra:\n  " + rep("- ", 20000) + "x\n"), "nested more than 32 levels deep"},
		{"indented-keys", []byte(keys.String()), "nested more than 32 levels deep"},
		{"aliases-1mb", []byte(aliasesMB), "goes on past 512 KiB here"},
		{"aliases-6mb-expanded", []byte(aliasesFew), "aliases expand past 512 KiB"},
		{"billion-laughs", []byte(laughs), "aliases expand past 512 KiB"},
		{"many-aliases", []byte(defHead + "x: &a b\ny: [" + strings.TrimSuffix(rep("*a, ", 101), ", ") + "]\n"), "more than 100 aliases"},
		{"over-the-size-limit", []byte(defHead + "summary2: \"" + rep("y", procedures.MaxFileSize) + "\"\n"), "goes on past 512 KiB here"},
	}
}

// errorAt fails unless err says want, after a file:line:column.
func errorAt(t *testing.T, err error, file, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want an error %q", want)
	}
	for _, e := range procedures.AsErrors(err) {
		if e.File == file && e.Line >= 1 && e.Column >= 1 && strings.Contains(e.Msg, want) {
			return
		}
	}
	t.Fatalf("error\n%v\nwant %s:LINE:COLUMN: ...%s...", err, file, want)
}

// allocated runs fn and returns how many bytes it allocated in all: an
// upper bound of what it held at any moment.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

const memoryBound = 64 << 20

func TestHostileYAMLIsRefusedOnEveryPathInBoundedMemory(t *testing.T) {
	lib := library(t)
	def := lib.Get("2.1")
	for _, h := range hostileInputs() {
		t.Run(h.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "x.yaml")
			if err := os.WriteFile(path, h.src, 0o600); err != nil {
				t.Fatal(err)
			}
			// An answers file is refused by the same limits; it starts
			// like one, so that its shape is not what refuses it.
			answers := bytes.Replace(h.src, []byte(defHead), []byte("same_platform: yes\n"), 1)
			paths := []struct {
				what string
				file string
				run  func() error
			}{
				{"Parse", "x.yaml", func() error { _, err := procedures.Parse("x.yaml", h.src); return err }},
				{"lint (Library.Check)", "x.yaml", func() error { _, err := lib.Check("x.yaml", h.src); return err }},
				{"LoadFS", "p/x.yaml", func() error {
					_, err := procedures.LoadFS(fstest.MapFS{"p/x.yaml": {Data: h.src}}, "p")
					return err
				}},
				{"--procedures DIR (AddDir)", path, func() error { return library(t).AddDir(dir) }},
				{"ReadDefinition", path, func() error {
					src, err := procedures.ReadDefinition(path)
					if err == nil {
						_, err = lib.Check(path, src)
					}
					return err
				}},
				{"recorded bundle (ParseBundle)", "run x (part 1)", func() error { _, err := procedures.ParseBundle("run x", h.src); return err }},
				{"--answers (ParseAnswers)", "answers.yaml", func() error {
					_, err := procedures.ParseAnswers("answers.yaml", answers, def)
					return err
				}},
			}
			for _, p := range paths {
				var err error
				n := allocated(func() { err = p.run() })
				errorAt(t, err, p.file, h.want)
				if n > memoryBound {
					t.Errorf("%s allocated %d MB refusing %s; the bound is %d MB", p.what, n>>20, h.name, memoryBound>>20)
				}
			}
		})
	}
}

// insideLimits are inputs just inside the limits: the limits, not luck,
// must bound what the parser takes for them too.
func insideLimits() []hostile {
	nest := rep("[", 30) + "a" + rep("]", 30)
	line := "      " + rep("z", 200) + "\n"
	return []hostile{
		{name: "flat-list-24000", src: []byte(defHead + "extra: [" + strings.TrimSuffix(rep("a,", 24000), ",") + "]\n")},
		{name: "depth-30-repeated", src: []byte(defHead + "extra: [" + strings.TrimSuffix(rep(nest+",", 45000/len(nest)), ",") + "]\n")},
		{name: "one-long-string", src: []byte(defHead + "notes:\n  - {kind: note, text: \"" + rep("y", procedures.MaxFileSize-300) + "\"}\n")},
		{name: "many-keys", src: []byte(defHead + "extra:\n" + rep("  k: v\n", 12000))},
		{name: "long-block-scalar", src: []byte(defHead + "notes:\n  - kind: note\n    text: |\n" + rep(line, (procedures.MaxFileSize-300)/len(line)))},
		{name: "long-plain-scalar", src: []byte(defHead + "notes:\n  - kind: note\n    text:\n" + rep(line, (procedures.MaxFileSize-300)/len(line)))},
		{name: "aliases-inside-limits", src: []byte(defHead + "notes:\n  - kind: note\n    text: &n \"" + rep("x", 4000) + "\"\n" + rep("  - {kind: note, text: *n}\n", 99))},
		{name: "nested-dashes", src: []byte(defHead + "extra:\n" + rep("  "+rep("- ", 30)+"x\n", 800))},
	}
}

// ReadFile and ReadDefinition read no more than the limit, whatever the
// file's size, and read only regular files.
func TestFilesAreReadWithinTheLimit(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("id: x\nsummary: \"")
	f.Truncate(50 << 20) // 50 MB, sparse
	f.Close()
	for name, read := range map[string]func(string) ([]byte, error){"ReadFile": procedures.ReadFile, "ReadDefinition": procedures.ReadDefinition} {
		var err error
		n := allocated(func() { _, err = read(big) })
		errorAt(t, err, big, "goes on past 512 KiB here")
		if n > 4<<20 {
			t.Errorf("%s allocated %d MB for a 50 MB file", name, n>>20)
		}
	}
}

// peakChild is the child process of TestPeakMemoryOfHostileInputs: it
// loads the library and lints one file, as `zenrecover lint FILE` does.
func TestPeakChild(t *testing.T) {
	path := os.Getenv("ZENRECOVER_PEAK_CHILD")
	if path == "" {
		t.Skip("run by TestPeakMemoryOfHostileInputs")
	}
	lib := library(t)
	src, err := procedures.ReadDefinition(path)
	if err == nil {
		_, err = lib.Check(path, src)
	}
	if err == nil && os.Getenv("ZENRECOVER_PEAK_REFUSED") != "" {
		t.Fatal("accepted")
	}
	// The high-water mark of this process's resident memory: the kernel's
	// count, fresh since exec (getrusage's maxrss of a child would count
	// the parent's memory, which vfork shares until the exec).
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Println("peak", strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")))
		}
	}
}

// The peak resident memory of a process that lints each hostile input (a
// 50 MB file among them) and each input just inside the limits, measured
// by the kernel (VmHWM).
func TestPeakMemoryOfHostileInputs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/status")
	}
	if testing.Short() {
		t.Skip("starts a process per input")
	}
	dir := t.TempDir()
	inputs := hostileInputs()
	inputs = append(inputs, hostile{name: "50mb", src: append([]byte(defHead+"summary2: \""), bytes.Repeat([]byte("y"), 50<<20)...), want: "goes on past"})
	inputs = append(inputs, insideLimits()...)
	for _, h := range inputs {
		path := filepath.Join(dir, h.name+".yaml")
		if err := os.WriteFile(path, h.src, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run", "^TestPeakChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ZENRECOVER_PEAK_CHILD="+path, "GOGC=100", "GOMEMLIMIT=off")
		if h.want != "" {
			cmd.Env = append(cmd.Env, "ZENRECOVER_PEAK_REFUSED=1")
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", h.name, err, out)
		}
		var kb int64
		if _, err := fmt.Sscanf(string(out[bytes.Index(out, []byte("peak ")):]), "peak %d kB", &kb); err != nil {
			t.Fatalf("%s: no peak in the child's output: %v\n%s", h.name, err, out)
		}
		peak := kb << 10
		t.Logf("%-22s %7d KB input, peak %3d MB", h.name, len(h.src)>>10, peak>>20)
		if peak > memoryBound {
			t.Errorf("linting %s peaked at %s MB; the bound is %d MB", h.name, strconv.FormatInt(peak>>20, 10), memoryBound>>20)
		}
	}
}

// A file with thousands of mistakes that are found while linking (include
// names no procedure) is parsed once to place them all, not once per
// mistake: that took minutes and 70 MB for 2,200 broken includes.
func TestManyIncludeMistakesParseTheFileOnce(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: inc\ntitle: T\nsection: \"9.9\"\nsummary: S\nsteps:\n")
	for i := range 2200 {
		fmt.Fprintf(&b, "  - {id: s%d, ref: \"1\", title: T, include: nope}\n", i)
	}
	lib := library(t)
	var err error
	n := allocated(func() { _, err = lib.Check("inc.yaml", []byte(b.String())) })
	if es := procedures.AsErrors(err); len(es) != 2200 || es[2199].Line != 2205 {
		t.Fatalf("want 2200 errors, the last at line 2205: %d errors, %v", len(es), err)
	}
	// Parsing it once allocates some 15 MB in all, and placing each error
	// some 20 KB; parsing it again for every error was 2200 times 15 MB.
	if n > 256<<20 {
		t.Errorf("allocated %d MB in all to place 2200 errors; the bound is 256 MB", n>>20)
	}
}
