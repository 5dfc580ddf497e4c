// Package e2e tests the built zenrecover binary as an operator or a script
// would use it: in a pseudo-terminal, through tmux, over sshd on loopback,
// killed at every crash point, on a full or damaged disk.
//
// The binary is built once per `go test` run of this package (main_test.go,
// one build per set of build tags), never per test. Tests that need a peer
// the repository's .ci/deps scripts install (sshd, sqlite3, tmux, age) skip
// with the reason when it is missing; the slow ones (the soak, sshd, the
// kill matrix) are skipped under -short.
//
// Imports: the tests read the state database (state), build labs (lab)
// and load definitions (procedures, assets) to set up and check what the
// binary did; nothing imports e2e, and it has no code outside tests.
package e2e
