// Package remote reaches the other Linux servers of a zone over SSH, so a
// step `on:` another Primary Server runs there instead of being shown and
// confirmed by hand (issue 16; DESIGN.md, "Platforms and other hosts").
//
// It sits below runner and beside actions: runner → remote → actions. It
// imports actions to reuse the prompt loop (actions.RunTerminal): answer
// rules, the operator's replies, the waiting cue, masking and sanitizing
// are the same code for a command here and one on another host; remote
// only supplies the terminal (an SSH session with a pseudo-terminal).
//
// Decisions:
//
//   - Authentication is the operator's own: the ssh-agent at
//     SSH_AUTH_SOCK first, then the unencrypted keys among ~/.ssh/id_ed25519,
//     id_ecdsa and id_rsa. No password is stored or asked; a key protected
//     by a passphrase is named in the error with the advice to ssh-add it.
//     The user is the operator's login name unless the host is given as
//     user@host.
//   - Host keys are checked against ~/.ssh/known_hosts (Config.KnownHosts),
//     as OpenSSH does. A host that is not there is *UnknownHostKeyError,
//     carrying the key's SHA256 fingerprint for the front end to show;
//     nothing is trusted until the operator accepts it (AcceptHostKey
//     appends the line to known_hosts). A key that differs from a known one
//     of the same type is *ChangedHostKeyError and refused: there is no way
//     to accept it here (the operator removes the old line, ssh-keygen -R,
//     after finding out why it changed). When known_hosts holds the host
//     only under other key types, the connection is retried asking for
//     those, as OpenSSH orders its algorithms.
//   - Any other failure to connect or log in is *UnreachableError: the run
//     falls back to a step shown and confirmed by hand, with its sentence.
//   - A command runs as `exec env NAME=value... sh -c 'echo HEADER; exec
//     "$@"' sh ARGV...`, each word quoted for the login shell: no shell
//     string is ever built from an answer. The header line (the pid, its
//     start time in clock ticks since boot from /proc/PID/stat, the boot id
//     and the host's clock) is read before anything else and never shown;
//     it is what the journal records (ProcessInfo), so a step in doubt on
//     that host can be diagnosed (Client.Alive). Neither the environment
//     nor the argv may hold a known secret: they are on that host's
//     command line. Secrets reach the command only through its terminal.
//   - The remote pseudo-terminal is 120x40, TERM=dumb, like a local one.
//     SSH does not carry the remote terminal's modes, so its Modes are
//     unknown: a prompt waiting for the operator is treated as hidden (what
//     is typed there becomes a secret of the run) and a Secret answer is
//     typed one second after its prompt rather than when echo goes off.
//   - Cancelling sends SIGTERM through the session, and after the grace
//     closes it: sshd then hangs up the terminal, which sends SIGHUP to the
//     command's process group. A connection lost while the command runs is
//     ErrConnectionLost, which the runner leaves in doubt (not failed): the
//     command may still be running there. So is a session that ends before
//     the header line: the command may have started. A header that says
//     something else (a missing sh, a cd that failed) is a failure.
//   - Tests: remotetest is an SSH server in the test process (exec with or
//     without a terminal, signals, SFTP, a cut), imported by this
//     package's tests and by runner's, plain's and tui's, so the rules
//     are tested under -short; sshd_test.go and e2e run them against
//     Debian's sshd.
//   - Files are checked and copied over SFTP (github.com/pkg/sftp): the
//     checks a verify: names for a file on that host, and copies whose
//     source is on another host (what a live run used to show as scp).
//     Copies land in a temporary file beside the target, synced and
//     renamed, as local copies do. "Newer than the step's start" compares
//     with that host's clock (the header's), not this machine's.
package remote
