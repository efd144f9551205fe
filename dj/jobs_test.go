package dj_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/datajoint-go/datajoint/dj"
	"github.com/datajoint-go/datajoint/dj/internal/testenv"
)

// TestJobsKeyHashAllTypes stores the keys of DataJoint for Python's ~jobs
// golden vectors in a table whose primary key has one attribute of every
// MySQL key type, fetches them back as populate does, and checks that the
// key_hash and the key blob dj writes to ~jobs agree byte for byte with
// the ones DataJoint for Python wrote.
func TestJobsKeyHashAllTypes(t *testing.T) {
	ctx := context.Background()
	c, s := connect(t)
	db := testenv.DB(t)
	cols := "`k_tiny` tinyint NOT NULL, `k_utiny` tinyint unsigned NOT NULL, `k_small` smallint NOT NULL," +
		"`k_int` int NOT NULL, `k_uint` int unsigned NOT NULL, `k_big` bigint NOT NULL, `k_ubig` bigint unsigned NOT NULL," +
		"`k_str` varchar(32) NOT NULL, `k_char` char(4) NOT NULL, `k_date` date NOT NULL, `k_dt` datetime NOT NULL," +
		"`k_dt6` datetime(6) NOT NULL, %s `k_dec` decimal(10,3) NOT NULL, `k_enum` enum('alpha','beta','gamma') NOT NULL," +
		"`k_uuid` binary(16) NOT NULL COMMENT ':uuid:', `k_float` float NOT NULL, `k_double` double NOT NULL"
	pk := "k_tiny,k_utiny,k_small,k_int,k_uint,k_big,k_ubig,k_str,k_char,k_date,k_dt,k_dt6,%sk_dec,k_enum,k_uuid,k_float,k_double"
	for _, tbl := range []struct{ name, timeCol, timePK string }{
		{"all_keys", "`k_time` time NOT NULL,", "k_time,"},
		{"all_keys_no_time", "", ""},
	} {
		ddl := "CREATE TABLE `" + s.Name() + "`.`" + tbl.name + "` (" + strings.Replace(cols, "%s", tbl.timeCol, 1) +
			", PRIMARY KEY (" + strings.Replace(pk, "%s", tbl.timePK, 1) + "))"
		if _, err := db.Exec(ddl); err != nil {
			t.Fatal(err)
		}
	}
	type vec struct {
		key                          map[string]any
		hash, noTimeHash, noTimeBlob string
	}
	f, err := os.Open("blob/testdata/jobs-vectors.jsonl")
	must(t, err)
	defer f.Close()
	var vecs []vec
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var row struct {
			Key        map[string]any `json:"key"`
			Hash       string         `json:"key_hash"`
			NoTime     string         `json:"key_without_time_hash"`
			NoTimeBlob string         `json:"key_without_time_blob_hex"`
		}
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.UseNumber()
		must(t, dec.Decode(&row))
		vecs = append(vecs, vec{row.Key, row.Hash, row.NoTime, row.NoTimeBlob})
	}
	insert := func(table string, withTime bool) {
		names := []string{"k_tiny", "k_utiny", "k_small", "k_int", "k_uint", "k_big", "k_ubig", "k_str", "k_char", "k_date", "k_dt", "k_dt6", "k_time", "k_dec", "k_enum", "k_uuid", "k_float", "k_double"}
		if !withTime {
			names = append(names[:12:12], names[13:]...)
		}
		for _, v := range vecs {
			var ph []string
			var args []any
			for _, n := range names {
				val := v.key[n]
				if n == "k_uuid" {
					ph = append(ph, "UNHEX(REPLACE(?,'-',''))")
				} else {
					ph = append(ph, "?")
				}
				if num, ok := val.(json.Number); ok {
					val = num.String()
				}
				if n == "k_time" {
					val = pyTimedeltaToMySQL(t, val.(string))
				}
				args = append(args, val)
			}
			q := "INSERT INTO `" + s.Name() + "`.`" + table + "` (" + strings.Join(names, ",") + ") VALUES (" + strings.Join(ph, ",") + ")"
			if _, err := db.Exec(q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	insert("all_keys", true)
	insert("all_keys_no_time", false)

	want := map[string]bool{}
	for _, v := range vecs {
		want[v.hash] = true
	}
	tbl, err := s.Table(ctx, "all_keys")
	must(t, err)
	keys, err := dj.FetchKeys(ctx, c, tbl.Expr())
	must(t, err)
	if len(keys) != len(vecs) {
		t.Fatalf("%d keys", len(keys))
	}
	jobs := s.Jobs()
	for _, k := range keys {
		h, err := jobs.KeyHash(tbl, k)
		must(t, err)
		if !want[h] {
			t.Errorf("key %v hashes to %s, which DataJoint for Python does not produce", k, h)
		}
	}

	// Without TIME, DataJoint can pack the key: compare the ~jobs rows.
	tbl2, err := s.Table(ctx, "all_keys_no_time")
	must(t, err)
	keys, err = dj.FetchKeys(ctx, c, tbl2.Expr())
	must(t, err)
	for _, k := range keys {
		ok, err := jobs.Ignore(ctx, tbl2, k)
		must(t, err)
		if !ok {
			t.Fatal("ignore: duplicate")
		}
	}
	wantBlob := map[string]string{}
	for _, v := range vecs {
		wantBlob[v.noTimeHash] = v.noTimeBlob
	}
	rows, err := db.Query("SELECT key_hash, HEX(`key`) FROM `"+s.Name()+"`.`~jobs` WHERE table_name=?", tbl2.Name())
	must(t, err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		var h, b string
		must(t, rows.Scan(&h, &b))
		wb, ok := wantBlob[h]
		if !ok {
			t.Errorf("~jobs key_hash %s is not DataJoint's", h)
			continue
		}
		if strings.ToLower(b) != wb {
			got, _ := hex.DecodeString(b)
			t.Errorf("key blob of %s:\n got %x\nwant %s", h, got, wb)
		}
		n++
	}
	if n != len(vecs) {
		t.Errorf("%d ~jobs rows, want %d", n, len(vecs))
	}
}

// pyTimedeltaToMySQL turns Python's str(timedelta) into a MySQL TIME
// literal.
func pyTimedeltaToMySQL(t *testing.T, s string) string {
	t.Helper()
	days := 0
	rest := s
	if i := strings.Index(s, " day"); i >= 0 {
		var err error
		days, err = strconv.Atoi(s[:i])
		if err != nil {
			t.Fatal(err)
		}
		rest = s[strings.Index(s, ", ")+2:]
	}
	parts := strings.Split(rest, ":")
	h, _ := strconv.Atoi(parts[0])
	m, _ := strconv.Atoi(parts[1])
	sec, _ := strconv.Atoi(parts[2])
	total := ((days*24+h)*60+m)*60 + sec
	sign := ""
	if total < 0 {
		sign, total = "-", -total
	}
	return sign + strconv.Itoa(total/3600) + ":" + strconv.Itoa(total/60%60) + ":" + strconv.Itoa(total%60)
}
