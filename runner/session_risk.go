package runner

// SessionAtRisk reports whether a dropped connection would stop the
// wizard: it runs in an SSH session, not inside tmux or screen. getenv is
// os.Getenv.
func SessionAtRisk(getenv func(string) string) bool {
	ssh := getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != ""
	multiplexed := getenv("TMUX") != "" || getenv("STY") != ""
	return ssh && !multiplexed
}
