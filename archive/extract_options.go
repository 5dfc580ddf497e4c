package archive

// ExtractOptions are OpenOptions and whether DIR may hold files already.
type ExtractOptions struct {
	OpenOptions
	// Force merges into a DIR that is not empty: the archive's files
	// replace those of the same name, others are left as they are.
	Force bool
}

// ExtractMarker is the file Extract keeps in a DIR it is filling (see
// Extract); it holds the archive set's path.
const ExtractMarker = ".zenrecover-extracting"
