// Command zenrecover walks a ZENworks administrator through the procedures
// of the ZENworks 11 SP3 Disaster Recovery Reference. Everything it does is
// in cli; main only hands over, so `go run .` works from the repository root.
package main

import (
	"os"

	"zenrecover/cli"
)

func main() { os.Exit(cli.Main()) }
