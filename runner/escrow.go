package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dustin/go-humanize/english"

	"zenrecover/actions"
	"zenrecover/archive"
	"zenrecover/procedures"
	"zenrecover/remote"
	"zenrecover/state"
)

// Escrow in runs. An input declared `escrow: true` is a passphrase the team
// must not lose (1.1's backup_passphrase, 1.3's ca_passphrase, the content
// repository's archive_passphrase). Once a step that wrote a file with it
// has succeeded (its verify checks included), the runner seals it with age
// to the team's recipients (archive.TeamRecipients) and writes
// FILE.escrow.age beside that file, so `zenrecover escrow open FILE -i KEY`
// gives it back. What the step wrote is:
//
//   - an archive step: the archive set (its folder, DEST);
//   - a command: each file its verify checks want written after the step
//     started (newer-than-start) and that is an argument of the command:
//     the zman backup file, the CA export. A step that only reads a file
//     with the passphrase (an import, a restore) seals nothing: that file
//     was escrowed when it was written.
//
// An archive's passphrase is checked to open the set before it is sealed.
// An escrow already there is replaced, since the file beside it was just
// written with this passphrase. The secret is encrypted in memory and only
// the sealed file is written; the output, the log and the journal say where
// it went, never what it is. A failure to seal does not fail the step (its
// work is done): it says so, with what to do. Without team recipients the
// run says once, with how to configure them, that the passphrase is not
// escrowed, and then only one line a step. A dry run seals nothing and says
// what it would seal.

// escrowItem is one secret to seal beside one file.
type escrowItem struct {
	input  *procedures.Input
	secret string
	file   string // as on this machine (rebased in a lab)
	set    bool   // file is an archive set
	host   string // the file is on this other host (a command there over SSH)
}

// escrowNoRecipients marks, in a succeeded step's journal detail, that a
// secret was not escrowed for want of recipients: the run explains that
// only the first time.
const escrowNoRecipients = "not escrowed: no team recipients"

// escrowItems lists what step st, built as b, gives to seal. vals are the
// values the step was built with.
func (s *Session) escrowItems(st *procedures.Step, b *actions.Built) []escrowItem {
	escrowed := func(id string) *procedures.Input {
		in := s.def.InputByID(id)
		if in == nil || !in.Secret() || !in.Escrow {
			return nil
		}
		return in
	}
	var out []escrowItem
	host := ""
	add := func(in *procedures.Input, file string, set bool) {
		v, ok := s.secrets[in.ID]
		if s.opts.DryRun && !ok {
			v, ok = actions.Mask, true
		}
		if !ok || v == "" || file == "" {
			return
		}
		for _, x := range out {
			if x.input == in && x.file == file {
				return
			}
		}
		out = append(out, escrowItem{input: in, secret: v, file: file, set: set, host: host})
	}
	switch a := b.Action.(type) {
	case *actions.ArchiveCreate:
		if st.Archive != nil {
			if in := escrowed(st.Archive.Passphrase); in != nil {
				add(in, a.Dest, true)
			}
		}
	case *actions.Command:
		var written []string
		for _, c := range b.Verify {
			if n, ok := c.(*actions.NewerThanStart); ok && slices.Contains(a.Argv, n.Path) {
				written = append(written, n.Path)
			}
		}
		for _, r := range st.Answers {
			if in := escrowed(r.Input); in != nil {
				for _, f := range written {
					add(in, f, false)
				}
			}
		}
	case *remote.Command:
		// The file is on that host: named, so the operator seals it there.
		host = a.Client.Host
		var written []string
		for _, c := range b.Verify {
			if n, ok := c.(*remote.NewerThanStart); ok && slices.Contains(a.Argv, n.Path) {
				written = append(written, n.Path)
			}
		}
		for _, r := range st.Answers {
			if in := escrowed(r.Input); in != nil {
				for _, f := range written {
					add(in, f, false)
				}
			}
		}
	}
	return out
}

// sealEscrows seals what a step that just succeeded gives to seal. It
// returns what the journal records of it (where each went, never what) and
// a sentence each for the operator.
func (s *Session) sealEscrows(ctx context.Context, st *procedures.Step, b *actions.Built, out io.Writer) (record, told []string) {
	items := s.escrowItems(st, b)
	if len(items) == 0 {
		return nil, nil
	}
	w := newStream(s.masker, s.log, out)
	defer w.Close()
	say := func(format string, args ...any) string {
		line := s.masker.String(fmt.Sprintf(format, args...))
		fmt.Fprintln(w, line)
		return line
	}
	// A file written on another host is not sealed from here: the escrow
	// belongs beside it, there.
	var here []escrowItem
	for _, it := range items {
		if it.host == "" {
			here = append(here, it)
			continue
		}
		told = append(told, say("NOT ESCROWED: the %s wrote %s on %s, which zenrecover does not seal from here: on %s, run zenrecover escrow seal %s", label(it.input), it.file, it.host, it.host, it.file))
		record = append(record, "not escrowed: the file is on "+it.host)
	}
	if items = here; len(items) == 0 {
		return record, told
	}
	if s.opts.DryRun {
		for _, it := range items {
			told = append(told, say("dry run: would seal the %s for the team in %s", label(it.input), archive.EscrowPath(it.file)))
		}
		return nil, told
	}
	recips, path, err := archive.TeamRecipients()
	switch {
	case err != nil:
		for _, it := range items {
			told = append(told, say("NOT ESCROWED: the %s: the team's recipients cannot be read: %v", label(it.input), err))
			record = append(record, "not escrowed: "+s.masker.String(err.Error()))
		}
		say("  Fix %s, then seal it yourself: zenrecover escrow seal %s", path, items[0].file)
		return record, told
	case len(recips) == 0:
		first := !s.saidNoRecipients()
		if path == "" {
			path = "$XDG_CONFIG_HOME/zenrecover/recipients"
		}
		for _, it := range items {
			line := say("The %s is not escrowed: no team recipients are configured.", label(it.input))
			told = append(told, line+" Keep it safe yourself, or list the team's public keys in "+path+".")
			record = append(record, escrowNoRecipients)
		}
		if first {
			say("  Keep it safe yourself: restoring needs it, and nothing else opens the file.")
			say("  To have zenrecover seal passphrases for the team, list the team's age or SSH public keys, one a line, in %s.", path)
			say("  To seal this one later: zenrecover escrow seal %s", items[0].file)
		}
		return record, told
	}
	for _, it := range items {
		if it.set {
			if err := archive.CheckPassphrase(it.file, it.secret); err != nil {
				told = append(told, say("NOT ESCROWED: the %s: %v", label(it.input), err))
				record = append(record, "not escrowed: "+err.Error())
				continue
			}
		}
		seal := &actions.EscrowSeal{For: it.file, Label: label(it.input), Secret: it.secret, Recipients: recips, Force: true}
		if err := seal.Run(ctx, actions.IO{Output: w, Secrets: s.masker}); err != nil {
			told = append(told, say("NOT ESCROWED: the %s: %s", label(it.input), err))
			say("  Seal it yourself: zenrecover escrow seal %s", it.file)
			record = append(record, "not escrowed: "+s.masker.String(err.Error()))
			continue
		}
		say("  Any of them opens it with: zenrecover escrow open %s --identity KEY", it.file)
		told = append(told, s.masker.String(fmt.Sprintf("Sealed the %s for the team (%d %s): %s.", label(it.input),
			len(recips), english.PluralWord(len(recips), "recipient", ""), archive.EscrowPath(it.file))))
		record = append(record, "sealed: "+archive.EscrowPath(it.file))
	}
	return record, told
}

// label is how an escrow names its secret: the input's prompt, in lower
// case ("passphrase to encrypt the backup file").
func label(in *procedures.Input) string {
	p := strings.TrimSpace(in.Prompt)
	if p == "" {
		return in.ID
	}
	return strings.ToLower(p[:1]) + p[1:]
}

// saidNoRecipients reports whether an earlier step of this run already
// explained that there are no team recipients.
func (s *Session) saidNoRecipients() bool {
	for _, e := range s.events {
		if e.Kind != state.EventSucceeded || !strings.Contains(e.Detail, escrowNoRecipients) {
			continue
		}
		var d detail
		if json.Unmarshal([]byte(e.Detail), &d) == nil && slices.Contains(d.Escrow, escrowNoRecipients) {
			return true
		}
	}
	return false
}
