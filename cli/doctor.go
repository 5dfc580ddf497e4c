package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"zenrecover/lab"
	"zenrecover/procedures"
	"zenrecover/readiness"
	"zenrecover/runner"
)

func newDoctorCmd(g *globals) *cobra.Command {
	var (
		labDir, prom, ep, kind string
		asJSON                 bool
		timeout                time.Duration
	)
	cmd := &cobra.Command{
		Use:   "doctor [--lab DIR] [--json] [--prometheus FILE]",
		Short: "How ready is this server for a disaster: certificates, backups, escrow, rehearsals",
		Long: `doctor checks, on this server or in a lab (--lab), what a recovery will need:

  certificates  the server's and the CA's expiry, read from the TLS endpoint (a
                handshake) and from the CA's keystore (in a lab, its zone):
                amber within 90 days, red once expired, with the chapter 4 or 5
                procedure that renews them
  backups       the last zman server backup (and whether the server's ZENworks
                version changed since), CA export, content repository archive
                and database backup: where, and how old
  escrow        the team's recipients, and an escrow beside each backup that a
                passphrase protects
  rehearsals    when each procedure was last rehearsed, how long it took, and
                what a live run will likely take

Exit status: 0 all green, 1 something amber, 2 something red. --json writes the
checks for tooling; --prometheus FILE writes the same figures for node_exporter's
textfile collector, atomically, and prints nothing else (unless --json).`,
		Example: `  zenrecover doctor
  zenrecover doctor --lab /tmp/zenlab
  zenrecover doctor --json
  zenrecover doctor --prometheus /var/lib/node_exporter/textfile/zenrecover.prom
  zenrecover doctor --endpoint zen-primary-1.example.com:443 --cert-kind external`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch kind {
			case "", lab.CertInternal, lab.CertExternal:
			default:
				return usageErr("--cert-kind %q: choose internal or external", kind)
			}
			o := readiness.Options{Endpoint: ep, Timeout: timeout, CertKind: kind}
			if labDir != "" {
				l, err := openLab(labDir)
				if err != nil {
					return err
				}
				o.Lab = l
			}
			lib, err := g.library()
			if err != nil {
				return err
			}
			st, err := g.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			o.Store, o.Library = st, lib
			r, err := readiness.Assess(cmd.Context(), o)
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			if prom != "" {
				if err := readiness.WritePrometheusFile(prom, r); err != nil {
					return &exitError{code: exitFailed, err: err}
				}
			}
			out := cmd.OutOrStdout()
			switch {
			case asJSON:
				b, err := json.MarshalIndent(r, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "%s\n", b)
			case prom == "":
				writeDoctor(out, r, 80)
			}
			if r.Level != readiness.Green {
				return &exitError{code: int(r.Level)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&labDir, "lab", "", "check a lab instead of this server")
	f.BoolVar(&asJSON, "json", false, "write the checks as JSON")
	f.StringVar(&prom, "prometheus", "", "write the figures to FILE in the Prometheus text format (for node_exporter)")
	f.StringVar(&ep, "endpoint", "", "the TLS endpoint to read the server's certificate from, HOST:PORT (default: this host:443; none in a lab; - for none)")
	f.DurationVar(&timeout, "timeout", 5*time.Second, "how long the TLS handshake may take")
	f.StringVar(&kind, "cert-kind", "", "the zone's certificate: internal or external (default: read from the zone or judged)")
	return cmd
}

// writeDoctor draws the checks for a terminal of the given width: a line
// that says where and when, then the checks by area, each with its level
// first (in capitals when it is not green), its finding, and what to do.
func writeDoctor(w io.Writer, r *readiness.Result, width int) {
	var b bytes.Buffer
	where := r.Host
	if r.Lab != "" {
		where += " (lab " + r.Lab + ")"
	}
	fmt.Fprintf(&b, "zenrecover doctor: %s, %s\n", where, r.Generated.Format("2006-01-02 15:04 UTC"))
	headings := map[string]string{readiness.AreaCertificate: "Certificates", readiness.AreaBackup: "Backups",
		readiness.AreaEscrow: "Escrow", readiness.AreaRehearsal: "Rehearsals"}
	area := ""
	const indent = "         "
	for _, c := range r.Checks {
		if c.Area != area {
			area = c.Area
			fmt.Fprintf(&b, "%s\n", headings[area])
		}
		lv := map[readiness.Level]string{readiness.Green: "ok", readiness.Amber: "AMBER", readiness.Red: "RED"}[c.Level]
		first := fmt.Sprintf("  %-5s  ", lv)
		wrapInto(&b, first, indent, c.Title+": "+c.Text, width)
		switch {
		case c.Command != "":
			// The command stays on one line, to be copied whole; what it
			// does follows as a shell comment.
			line := indent + "→ " + c.Command
			if n := utf8.RuneCountInString(line + "  # " + c.Action); n <= width {
				fmt.Fprintf(&b, "%s  # %s\n", line, c.Action)
			} else {
				b.WriteString(line + "\n")
				wrapInto(&b, indent+"  # ", indent+"    ", c.Action, width)
			}
		case c.Action != "":
			wrapInto(&b, indent+"→ ", indent+"  ", c.Action, width)
		}
	}
	g, a, red := r.Counts()
	fmt.Fprintf(&b, "%d ok, %d amber, %d red: %s.\n", g, a, red, strings.ToUpper(r.Level.String()))
	_, _ = w.Write(b.Bytes())
}

// wrapInto writes text from first, wrapped at width, continuing lines
// with rest. A word longer than a line (a path) stands on its own line.
func wrapInto(b *bytes.Buffer, first, rest, text string, width int) {
	line := first
	lead := utf8.RuneCountInString(first)
	n := lead
	for _, word := range strings.Fields(text) {
		wl := utf8.RuneCountInString(word)
		if n > lead && n+1+wl > width {
			b.WriteString(line + "\n")
			line, lead = rest, utf8.RuneCountInString(rest)
			n = lead
		}
		if n > lead {
			line += " "
			n++
		}
		line += word
		n += wl
	}
	b.WriteString(line + "\n")
}

// writeDrills is `report --drills`: every rehearsal and live run.
func writeDrills(cmd *cobra.Command, g *globals, format, out string) error {
	lib, err := g.library()
	if err != nil {
		return err
	}
	st, err := g.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := readiness.Drills(cmd.Context(), st, lib, time.Now())
	if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	var b bytes.Buffer
	if err := readiness.WriteDrills(&b, rep, format, htmlTheme()); err != nil {
		return err
	}
	// Who ran what, and when: private like the runs' reports.
	return writeOutput(cmd.OutOrStdout(), cmd.ErrOrStderr(), out, b.Bytes(), 0o600)
}

// readinessFor is the wizard's readiness check (its picker's line and
// screen): doctor's checks of the lab, or of this server when ZENworks is
// installed here; nil elsewhere, where they would only say what is missing
// from a machine that is no Primary Server.
func (g *globals) readinessFor(lib *procedures.Library, o runner.Options) func(context.Context) (*readiness.Result, error) {
	if o.Guide || (o.Lab == nil && !runner.ZENworksInstalled()) {
		return nil
	}
	return func(ctx context.Context) (*readiness.Result, error) {
		return readiness.Assess(ctx, readiness.Options{Store: o.Store, Library: lib, Lab: o.Lab})
	}
}
