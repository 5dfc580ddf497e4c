package runner

import (
	"io"

	"zenrecover/actions"
)

// newStream is where a step's output goes: masked and sanitised, then to
// the log and the front end.
func newStream(m *actions.Masker, log, out io.Writer) io.WriteCloser {
	sinks := []io.Writer{log}
	if out != nil {
		sinks = append(sinks, out)
	}
	return actions.SafeWriter(io.MultiWriter(sinks...), m)
}
