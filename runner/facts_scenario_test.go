package runner_test

import (
	"testing"

	"zenrecover/lab"
)

// Issue 12: section 5 asks only the facts of the scenario chosen. With
// 4.2's facts alone, new-internal runs to its end: none of 4.1's, 4.3's or
// 4.4's questions (has_satellites, replace_here, ...) is asked.
func TestSection5AsksOnlyTheChosenScenariosFacts(t *testing.T) {
	c := newCh4(t)
	if err := c.lab.ExpireCertificates(true); err != nil {
		t.Fatal(err)
	}
	v := vals("scenario", "new-internal", "ca_expired", "true", "only_primary", "false", "devices_unreachable", "false",
		"windows_auth_satellites", "false", "linux_auth_satellites", "false", "intel_amt", "false",
		"multizone_publisher", "false", "internal_ca_here", "true", "embedded_db_here", "true",
		"ca_server", lab.DefaultHostname, "other_primaries", peer, "devices", "dev-7")
	s := c.run("5", v, nil, nil) // a fact asked beyond v ends the run on NeedFact: run fails the test
	if _, ok := s.State().Answers["has_satellites"]; ok {
		t.Error("has_satellites was asked in the new-internal scenario")
	}
}
