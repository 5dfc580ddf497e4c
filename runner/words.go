package runner

import "fmt"

// TargetsNotDone names the targets of a fan-out left to do, for the front
// ends' sentences: "the target not done", "the 12 targets not done".
func TargetsNotDone(n int) string {
	if n == 1 {
		return "the target not done"
	}
	return fmt.Sprintf("the %d targets not done", n)
}
