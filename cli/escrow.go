package cli

import (
	"fmt"
	"os"
	"time"

	"filippo.io/age"
	"github.com/dustin/go-humanize/english"
	"github.com/spf13/cobra"

	"zenrecover/archive"
)

// escrowEnv is where scripts put the secret to seal: never argv.
const escrowEnv = "ZENRECOVER_SECRET_ESCROW"

func newEscrowCmd(_ *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "escrow",
		Short: "Seal a passphrase for the team, beside the backup it opens; open it again",
		Long: `A backup passphrase that is lost loses the zone. escrow seals it with age to the
team's recipients (age or SSH public keys: --recipient, --recipients-file, or
the team's file ` + teamFileForHelp() + `) and writes it
beside the backup, as FILE` + archive.EscrowExt + `. Any one of the team opens it
with their key: ` + "`zenrecover escrow open FILE" + archive.EscrowExt + " -i KEY`" + `, or ` + "`age -d -i KEY`" + `.`,
		Example: `  zenrecover escrow seal /root/zcm_backups/zone_backup.bak
  zenrecover escrow open /root/zcm_backups/zone_backup.bak -i ~/.ssh/id_ed25519`,
	}
	cmd.AddCommand(newEscrowSealCmd(), newEscrowOpenCmd())
	return cmd
}

func newEscrowSealCmd() *cobra.Command {
	var (
		recips, recipFiles []string
		label, out         string
		force              bool
	)
	cmd := &cobra.Command{
		Use:   "seal FILE",
		Short: "Seal a passphrase that opens FILE, for the team, in FILE" + archive.EscrowExt,
		Long: `seal asks the secret twice, hidden (or reads it from ` + escrowEnv + `),
encrypts it with age to the recipients, and writes FILE` + archive.EscrowExt + ` (0600),
replacing an existing one only with --force.`,
		Example: `  zenrecover escrow seal /root/zcm_backups/zone_backup.bak     # asks the passphrase twice
  zenrecover escrow seal /root/zcm_backups/zone_backup.bak -R team-keys.txt --label "zman backup passphrase"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := gatherRecipients(cmd, recips, recipFiles, false)
			if err != nil {
				return err
			}
			secret := os.Getenv(escrowEnv)
			if secret == "" {
				if secret, err = askTwice("Secret to seal (" + label + ")"); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			}
			if out == "" {
				out = archive.EscrowPath(args[0])
			}
			e := archive.Escrow{Label: label, For: args[0], Secret: secret}
			if err := archive.SealEscrow(out, e, rs, force); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "sealed for %d %s: %s\n", len(rs), english.PluralWord(len(rs), "recipient", ""), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&recips, "recipient", "r", nil, "seal for this age or SSH public key (repeatable)")
	f.StringArrayVarP(&recipFiles, "recipients-file", "R", nil, "seal for the recipients listed in FILE (repeatable)")
	f.StringVar(&label, "label", "backup passphrase", "what the secret is, written beside it")
	f.StringVarP(&out, "output", "o", "", "where to write the escrow (default FILE"+archive.EscrowExt+")")
	f.BoolVar(&force, "force", false, "replace an existing escrow")
	return cmd
}

func newEscrowOpenCmd() *cobra.Command {
	var ids []string
	cmd := &cobra.Command{
		Use:   "open FILE",
		Short: "Decrypt an escrow with your key and print the secret",
		Long: `open decrypts FILE (an escrow, or the file it belongs to) with an identity of
one of its recipients and prints the secret on standard output, and what it
opens on standard error.`,
		Example: `  zenrecover escrow open /root/zcm_backups/zone_backup.bak -i ~/.ssh/id_ed25519
  zenrecover escrow open /root/zcm_backups/zone_backup.bak.escrow.age -i ~/.age/key.txt`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(ids) == 0 {
				return usageErr("give an identity file (-i) of one of the escrow's recipients")
			}
			var all []age.Identity
			for _, f := range ids {
				got, err := archive.LoadIdentities(f, askHidden)
				if err != nil {
					return usageErr("--identity: %v", err)
				}
				all = append(all, got...)
			}
			p := args[0]
			if _, err := os.Stat(archive.EscrowPath(p)); err == nil {
				p = archive.EscrowPath(p)
			}
			e, err := archive.OpenEscrow(p, all)
			if err != nil {
				return &exitError{code: exitFailed, err: err}
			}
			errw := cmd.ErrOrStderr()
			if e.Label != "" {
				fmt.Fprintf(errw, "%s for %s, sealed on %s at %s:\n", e.Label, e.For, e.Host, e.Created.Local().Format(time.DateTime))
			}
			fmt.Fprintln(cmd.OutOrStdout(), e.Secret)
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&ids, "identity", "i", nil, "an age identity file or SSH private key (repeatable)")
	return cmd
}

// askTwice asks a new secret twice, hidden, until both agree.
func askTwice(prompt string) (string, error) {
	for {
		s, err := askHidden(prompt)
		if err != nil {
			return "", err
		}
		if s == "" {
			ttyPrintf("empty; again\n")
			continue
		}
		again, err := askHidden("The same again")
		if err != nil {
			return "", err
		}
		if again == s {
			return s, nil
		}
		ttyPrintf("the two do not match; again\n")
	}
}
