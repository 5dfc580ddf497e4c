//go:build rootfs

package archive

// layerKeepsModes: the os.Root layer Windows runs (fsys_root.go), run
// here with -tags rootfs, applies no modes or owners and leaves a link's
// own time (Windows has neither; see fsys_root.go), so compareTrees checks
// types, bytes, link targets and the times of files and folders only.
const layerKeepsModes = false
