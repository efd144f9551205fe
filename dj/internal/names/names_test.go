package names

import "testing"

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{
		"SubjectID": "subject_id", "HTTPServer": "http_server", "Scan2Mouse": "scan2_mouse", "X": "x",
		"X2Pos": "x2_pos", "Already_Snake": "already_snake", "ID": "id", "DOB": "dob", "TS": "ts",
	} {
		if got := Snake(in); got != want {
			t.Errorf("Snake(%q) = %q, want %q", in, got, want)
		}
	}
}
