#!/bin/bash
# A tool whose prompts differ from the lab's zman in wording, colour and
# timing: the "waiting for you" cue must not depend on any of them.
# Arguments are ignored, so it can stand in for zman in a lab.

# A coloured prompt, after a delay, in two pieces.
sleep 0.3
printf '\033[1mLog'
sleep 0.3
printf 'in as:\033[0m '
read -r name
printf 'Hello %s\n' "$name"

# A silent pause after a whole line: not waiting.
sleep 1.2

# Ends in "> "; the tests answer it with a rule.
printf 'Site code> '
read -r code
printf 'code=%s\n' "$code"

# Ends in nothing at all, and goes on by itself when nobody answers.
printf 'Press Enter to go on'
if ! read -r -t 4; then
	printf '\n(no key: going on)\n'
fi

# Echo off before the prompt, as a careful password prompt does.
stty -echo
printf 'Secret word? '
read -r word
stty echo
printf '\nsecret length %d\n' "${#word}"
