package procedures_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The HTML checklist is printed to PDF by headless Chromium, on A4 and on
// US Letter, and the PDF's text must hold every step's reference number
// and every command: what the administrator carries into the server room.
// .ci/deps/checklist.sh installs chromium and poppler-utils from Debian's
// packages; where they cannot be installed the test says so and skips.
//
// With ZENRECOVER_CHECKLIST_PNG=DIR the pages are also rendered to PNG in
// DIR (pdftoppm -png -r 60), to be looked at.
func TestHTMLChecklistPrintsToPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("Chromium is skipped under -short; go test ./... (and CI) runs it")
	}
	chromium := firstOnPath("chromium", "chromium-browser", "google-chrome")
	pdftotext := firstOnPath("pdftotext")
	if chromium == "" || pdftotext == "" {
		t.Skip("needs chromium and pdftotext (Debian: apt-get install chromium poppler-utils; .ci/deps/checklist.sh does it): not installed here")
	}
	cases := checklistCases(t)
	for _, name := range []string{"2.1", "2.1-answers", "2.1-synthetic", "1.2"} {
		c := cases[name]
		for _, paper := range []string{"A4", "letter"} {
			t.Run(name+"-"+paper, func(t *testing.T) {
				dir := t.TempDir()
				// The page says no size, so that it prints on whatever the
				// printer holds; the test picks each in turn.
				html := strings.Replace(render(t, c, "html"), "</style>", "@page { size: "+paper+"; }\n</style>", 1)
				src := filepath.Join(dir, "checklist.html")
				if err := os.WriteFile(src, []byte(html), 0o644); err != nil {
					t.Fatal(err)
				}
				pdf := filepath.Join(dir, "checklist.pdf")
				printPDF(t, chromium, src, pdf, dir)
				out, err := exec.Command(pdftotext, pdf, "-").Output()
				if err != nil {
					t.Fatalf("pdftotext: %v", err)
				}
				text := flatten(string(out))
				for _, it := range c.Items {
					if !strings.Contains(text, flatten(it.Label)) {
						t.Errorf("the PDF lacks step %s", it.Label)
					}
					for _, line := range commandLines(it) {
						if !strings.Contains(text, flatten(line)) {
							t.Errorf("the PDF lacks the command %q", line)
						}
					}
				}
				if png := os.Getenv("ZENRECOVER_CHECKLIST_PNG"); png != "" {
					if pdftoppm := firstOnPath("pdftoppm"); pdftoppm != "" {
						os.MkdirAll(png, 0o755)
						prefix := filepath.Join(png, name+"-"+paper)
						if out, err := exec.Command(pdftoppm, "-png", "-r", "60", pdf, prefix).CombinedOutput(); err != nil {
							t.Errorf("pdftoppm: %v\n%s", err, out)
						}
						os.WriteFile(prefix+".pdf", mustRead(t, pdf), 0o644)
					}
				}
			})
		}
	}
}

func printPDF(t *testing.T, chromium, src, pdf, dir string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--no-pdf-header-footer", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--print-to-pdf="+pdf, "file://"+src)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if _, statErr := os.Stat(pdf); err != nil || statErr != nil {
		t.Fatalf("chromium did not print the PDF: %v\n%s", err, out)
	}
}

func firstOnPath(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
