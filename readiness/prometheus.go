package readiness

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"zenrecover/atomicfile"
)

// The Prometheus text exposition format, for node_exporter's textfile
// collector: every family a gauge with HELP and TYPE, one series per
// check, times as Unix seconds (Prometheus's convention: alert on
// time() - x), each series labelled with the server examined.

type family struct {
	name, help string
	samples    []sample
}

type sample struct {
	labels [][2]string
	value  float64
}

type families struct {
	list  []*family
	byKey map[string]*family
}

func (fs *families) add(name, help string, value float64, labels ...[2]string) {
	if fs.byKey == nil {
		fs.byKey = map[string]*family{}
	}
	f := fs.byKey[name]
	if f == nil {
		f = &family{name: name, help: help}
		fs.byKey[name] = f
		fs.list = append(fs.list, f)
	}
	f.samples = append(f.samples, sample{labels: labels, value: value})
}

func label(k, v string) [2]string { return [2]string{k, v} }

// WritePrometheus writes r's figures in the text exposition format.
func WritePrometheus(w io.Writer, r *Result) error {
	host := label("host", r.Host)
	var fs families
	fs.add("zenrecover_doctor_level", "Worst level of all checks: 0 green, 1 amber, 2 red.", float64(r.Level), host)
	fs.add("zenrecover_doctor_timestamp_seconds", "When zenrecover doctor made the checks.", unix(r.Generated), host)
	for _, c := range r.Checks {
		check := label("check", c.ID)
		fs.add("zenrecover_check_level", "Level of each check: 0 green, 1 amber, 2 red.", float64(c.Level),
			host, check, label("area", c.Area), label("procedure", c.Procedure))
		if f := c.Certificate; f != nil && !f.NotAfter.IsZero() {
			fs.add("zenrecover_certificate_expiry_timestamp_seconds", "When the certificate expires (the earliest date any source showed).",
				unix(f.NotAfter), host, check, label("kind", f.Kind))
		}
		if f := c.Backup; f != nil && !f.At.IsZero() {
			kind := label("kind", f.Kind)
			fs.add("zenrecover_backup_timestamp_seconds", "When the last backup was finished.", unix(f.At), host, check, kind)
			fs.add("zenrecover_backup_age_seconds", "How old the last backup was when doctor ran.", f.AgeSeconds, host, check, kind)
			fs.add("zenrecover_backup_present", "1 if the last backup is still there and complete.", bool01(f.Exists), host, check, kind)
			if f.Kind == kindZman || f.Kind == kindCA {
				fs.add("zenrecover_backup_stale", "1 if the server changed after the backup (zman: its ZENworks version; CA: its keystore).",
					bool01(f.Stale), host, check, kind)
			}
		}
		if f := c.Escrow; f != nil {
			if c.ID == "escrow.recipients" {
				fs.add("zenrecover_escrow_recipients", "How many team recipients passphrases are escrowed to.", float64(f.Recipients), host)
			}
			for _, b := range f.Backups {
				fs.add("zenrecover_escrow_sealed", "1 if the backup's passphrase is sealed for the team beside it.", bool01(b.Sealed),
					host, check, label("kind", b.Kind))
			}
		}
		if f := c.Rehearsal; f != nil {
			proc := [][2]string{host, label("procedure", f.Procedure), label("section", f.Section)}
			fs.add("zenrecover_rehearsals", "How many rehearsals (lab runs) of the procedure the journal holds.", float64(f.Rehearsals), proc...)
			if !f.Last.IsZero() {
				fs.add("zenrecover_rehearsal_timestamp_seconds", "When the last completed rehearsal started.", unix(f.Last), proc...)
				fs.add("zenrecover_rehearsal_duration_seconds", "Working time of the last completed rehearsal.", f.DurationSeconds, proc...)
				fs.add("zenrecover_rehearsal_estimate_seconds", "What a live run of the procedure is likely to take.", f.EstimateSeconds, proc...)
			}
		}
	}
	var b bytes.Buffer
	for _, f := range fs.list {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", f.name, escapeHelp(f.help), f.name)
		for _, s := range f.samples {
			b.WriteString(f.name)
			if len(s.labels) > 0 {
				b.WriteByte('{')
				for i, l := range s.labels {
					if i > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `%s="%s"`, l[0], escapeLabel(l[1]))
				}
				b.WriteByte('}')
			}
			fmt.Fprintf(&b, " %s\n", strconv.FormatFloat(s.value, 'f', -1, 64))
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func unix(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// WritePrometheusFile writes r's figures to path so that a reader sees
// the old file or the new one, never a part: a temporary file in the same
// folder (a name node_exporter ignores: it reads *.prom only), written,
// flushed to disk, made readable to the collector, renamed over path, and
// the folder synced.
func WritePrometheusFile(path string, r *Result) error {
	var b bytes.Buffer
	if err := WritePrometheus(&b, r); err != nil {
		return err
	}
	// The figures are no secret, and node_exporter runs as another user.
	if err := atomicfile.Write(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("prometheus file %s: %w", path, err)
	}
	return nil
}
