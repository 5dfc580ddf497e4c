// Package archive makes, verifies and restores encrypted backups of a
// folder tree (a content-repo with its images): a tar stream encrypted with
// age, in parts, with a manifest, resumable when interrupted. It also seals
// passphrases for the team (escrow). It imports nothing of zenrecover's.
//
// # The archive set
//
// An archive is a folder, DEST:
//
//	part-000001.age ...  the tar stream, cut into parts; each part is a whole age file
//	manifest.age         the manifest, age-encrypted to the same recipients
//	identity.age         only with a passphrase: the set's key, encrypted with it
//	README.txt           how to restore with age and tar alone (no secret in it)
//
// The parts are consecutive slices of ONE tar stream: only the last holds
// tar's end-of-archive marker, so decrypting every part in order and
// piping the concatenation to tar restores the tree exactly, with no
// --ignore-zeros and no tool of ours:
//
//	for p in DEST/part-*.age; do age -d -i KEY "$p" || exit 1; done | tar -xpf -
//
// README.txt carries that command (and, for a passphrase, the one that
// first recovers the key, so the passphrase is typed once, not once a
// part); the interop tests run README.txt's text as written against
// Debian's age. A part alone is not a tar file, and a missing or damaged
// part makes age or tar fail: the stream is only whole with every part.
//
// The tar stream is what `tar -C SRC -cf - .` would write: "./" first,
// then depth first, a folder before its contents, names in byte order.
// Headers are plain ustar, times to the second as GNU tar writes by
// default; PAX is used only when a name, a size (8 GiB and more) or an
// owner needs it. Symbolic links are archived as links; devices, FIFOs
// and sockets are skipped with a note; a hard-linked file is archived once
// per name; extended attributes, ACLs and sparse holes are not kept.
//
// # The manifest
//
// manifest.age holds JSON lines: first a Summary (source, host, times, the
// parts and the plain bytes each holds, counts), then one Entry for each
// tar entry, in stream order: path, type, size, mode (with setuid, setgid,
// sticky), owner by number and name, modification time to the
// nanosecond, SHA-256 of the bytes as archived, link target, and a flag
// when the copy is not to be trusted (see below). A name that is not
// valid UTF-8 is written as path64 (base64 of its bytes): Linux names are
// bytes. Verify reads the tar stream and the manifest in step and checks
// every header field and every SHA-256; extract restores modes, owners
// (as root; by name where this machine knows the name, as GNU tar does)
// and nanosecond times from the manifest. age authenticates every 64 KiB
// of every part, so a changed byte stops the read at that point, and the
// report names the part and the file it was in; a part re-encrypted by
// someone holding a public key is caught by the SHA-256s. Nothing signs
// the set as a whole: anyone with a recipient's public key can make a
// different, valid set.
//
// # Resuming: parts and the checkpoint
//
// The set is built in DEST.partial and renamed to DEST only once its
// manifest is written and synced, so a DEST that exists is complete and
// an interrupted one never looks complete. An existing DEST is replaced
// (with Force) only by such a rename, once the new set is whole, and only
// if it is a zenrecover set.
//
// A part ends after PartSize bytes of the stream (256 MiB by default), at
// any byte: in the middle of a file is fine, since the parts are slices of
// one stream. A part is written as part-N.age.tmp, closed by age, synced
// and renamed; then the checkpoint, zenrecover-state.json in
// DEST.partial, is written atomically (temporary file, sync, rename, sync
// of the folder). It records the recipients (public keys: nothing
// secret), the complete parts and the plain bytes each holds, the length
// of the manifest spool (manifest.spool, the entries so far, written
// beside the parts and sealed into manifest.age at the end), running
// counts, and the cursor: the last entry written whole, or the file cut
// by the part boundary with its offset, identity (inode, size, mtime,
// ctime) and the SHA-256 state of its bytes so far.
//
// Resume deletes parts the checkpoint does not count and any .tmp,
// truncates the spool to its recorded length, walks the tree again in the
// same order skipping what is done, and continues the cut file where it
// stopped if it is unchanged. If it changed or vanished meanwhile, the
// rest of its entry is zeros, it is flagged incomplete (never restored by
// extract), and a fresh copy follows when the file is still there. A
// cancelled context closes the current part at the point reached, so a
// Ctrl+C loses nothing; a crash, a power cut or a full disk loses at most
// the part being written. A full disk gives an error that says so; the
// part being written is removed to give its space back; Resume continues
// once there is room. Every error after the start is a *StoppedError:
// DEST.partial is resumable.
//
// An extraction resumes too, more simply: into a DIR that was empty, Extract
// first writes ExtractMarker (naming the set) and removes it only once every
// file is in place, so running it again after a Ctrl+C or a crash takes the
// DIR up again, restoring every file anew, where any other DIR that is not
// empty is refused without Force.
//
// # Files that change while they are read
//
// Each file is opened, fstat'd (its size goes in the header), read to
// that size and fstat'd again. When size, mtime or ctime differ, or the
// file ended early (the rest is zeros), its copy is flagged superseded and
// it is read again at once, as the next entry: tar -x keeps the last copy
// of a name, and extract skips superseded ones. When the second read sees
// a change too, that copy is flagged changed: restored, reported by create
// (Result.Unfaithful), verify and extract. A file that cannot be read is
// not archived and is reported.
//
// # Safety
//
// The tree is walked through folder descriptors: every name is opened
// relative to its parent with O_NOFOLLOW, so no link is ever followed,
// whether it points inside the tree or out of it, and no rename during the
// walk can lead the walk elsewhere. Only SRC itself is followed if it is
// a link, since that is the path the operator named. A DEST inside SRC is
// refused. Extract creates every name relative to its parent's
// descriptor, without following links, refuses names that are not plain
// relative paths, writes each file under a temporary name and renames it
// into place only when its SHA-256 matches the manifest, sets a folder's
// mode and time after its contents, and syncs the file system at the end.
//
// On Windows (fsys_root.go) the same walk, reader and extractor run over
// os.Root: every name is opened relative to its folder's handle, so
// nothing leaves the tree; a symbolic link is archived as a link, a
// junction, mount point or other reparse point standing for another name
// is never followed (a note says it was not archived), and a name swapped
// for a link between the look and the open is refused (the file IDs must
// match). Data Deduplication's files are read as the regular files they
// are. Windows has no modes or numeric owners: a file is archived 0644
// (0444 when read-only), a folder 0755, owner 0 with no name; Extract
// applies no mode or owner there (a restored file takes its folder's
// permissions), syncs each file before its rename, and makes symbolic
// links only with the right to (administrator or developer mode).
// `go test -tags rootfs ./archive/` runs the whole suite over that layer
// on Linux (.ci/cross-build does); only Windows's file IDs and reparse
// points are Windows's own, compiled and vetted here but not run.
//
// # Speed and memory
//
// Creating runs as stages on their own goroutines: the producer (walk,
// open, read straight into pool buffers, decide where parts end), the
// hasher (SHA-256, manifest lines), the part writer (age, writes) and the
// committer (sync and rename finished parts, checkpoints), so that no
// stage waits for the disk to sync; the quick first pass that counts
// files and bytes for the progress bar runs beside them, and the bar says
// "counting" until it is done. Memory is bounded whatever the tree: eight 1 MiB buffers, a 1 MiB
// write buffer, one folder's listing at a time and the folders above it.
// The time left that Progress gives counts each file as 64 KiB on top of
// its bytes (opening it and writing its header take time its size does
// not show), measured over the current phase of this session.
// Verify and extract decrypt on one goroutine and hash and write on the
// caller's. bench/archive.sh measures create against `tar | age` and
// `cp -a`.
//
// # Passphrases
//
// A passphrase set is encrypted to an X25519 key made for it; identity.age
// holds that key, encrypted with the passphrase (scrypt): the passphrase
// is asked once per restore, whatever the number of parts, and never
// stored elsewhere. Resume needs no passphrase (the checkpoint has the
// key's public half); CheckPassphrase tells whether a passphrase opens a
// set, complete or not, so that a caller never resumes, or seals for the
// team, a passphrase other than the set's. Scripts give it in
// ZENRECOVER_SECRET_ARCHIVE_PASSPHRASE; it never goes on a command line, in
// the checkpoint, a log or an error.
//
// # Escrow
//
// SealEscrow encrypts a secret with age to the team's recipients (age or
// SSH public keys; TeamRecipientsFile names the configuration file) and
// writes it beside the file it opens, as FILE.escrow.age, 0600. Its
// plaintext, what `age -d` shows, is a few "Key: value" lines (what the
// secret is, what it opens, host, time), a blank line, and the secret.
// OpenEscrow also opens a one-line secret sealed by hand with `age -r`.
package archive
