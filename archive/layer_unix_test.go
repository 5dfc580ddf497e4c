//go:build !windows && !rootfs

package archive

// layerKeepsModes: the descriptor layer (fsys_unix.go) archives and
// restores modes, owners and a link's own time; compareTrees checks them.
const layerKeepsModes = true
