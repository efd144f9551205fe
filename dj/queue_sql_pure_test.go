package dj

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/datajoint-go/datajoint/dj/schema"
)

func TestQueueTableSQL(t *testing.T) {
	q := queueTableSQL("lab")
	for _, want := range []string{
		"CREATE TABLE IF NOT EXISTS `lab`.`~queue` (",
		"`status` enum('pending','reserved','done','error','refresh') NOT NULL DEFAULT 'pending'",
		"UNIQUE KEY `job` (`table_name`,`key_hash`)",
		"KEY `pop` (`table_name`,`status`,`priority`,`id`)",
		"`key_hash` char(32) NOT NULL",
	} {
		if !strings.Contains(q, want) {
			t.Errorf("DDL lacks %q:\n%s", want, q)
		}
	}
	if !strings.HasPrefix(queueTable, "~") {
		t.Error("the queue's name must start with ~ for DataJoint 0.14 to skip it")
	}
}

func TestQueueFillSQL(t *testing.T) {
	got := queueFillSQL("`db`.`~queue`", "SELECT `b`,`a` FROM `db`.`src`", []string{"b", "a"}, []string{"a", "b"})
	want := "INSERT INTO `db`.`~queue` (`table_name`,`key_hash`,`key`,`priority`,`generation`) " +
		"SELECT ?, MD5(CONCAT(CONVERT(`k`.`a` USING utf8mb4),CONVERT(`k`.`b` USING utf8mb4))), JSON_OBJECT('b',`k`.`b`,'a',`k`.`a`), ?, ? " +
		"FROM (SELECT `b`,`a` FROM `db`.`src`) AS `k` ON DUPLICATE KEY UPDATE " +
		"`db`.`~queue`.`token`=IF(`db`.`~queue`.`status`='done',NULL,`db`.`~queue`.`token`), " +
		"`db`.`~queue`.`status`=IF(`db`.`~queue`.`status`='done','pending',`db`.`~queue`.`status`), `db`.`~queue`.`generation`=?"
	if got != want {
		t.Errorf("fill:\n got %s\nwant %s", got, want)
	}
	ins := queueInsertSQL("`db`.`~queue`", 2)
	if !strings.Contains(ins, " VALUES (?,?,?,?,?),(?,?,?,?,?) ON DUPLICATE KEY UPDATE ") || strings.Count(ins, "?") != 11 {
		t.Errorf("insert: %s", ins)
	}
}

func TestQueueServerKey(t *testing.T) {
	a := func(cat schema.Category, typ string) *schema.Attribute {
		return &schema.Attribute{Category: cat, Type: typ}
	}
	for _, c := range []struct {
		attrs []*schema.Attribute
		want  bool
	}{
		{[]*schema.Attribute{a(schema.CatInteger, "int"), a(schema.CatString, "varchar(8)")}, true},
		{[]*schema.Attribute{a(schema.CatEnum, "enum('a')"), a(schema.CatTemporal, "date")}, true},
		{[]*schema.Attribute{a(schema.CatTemporal, "datetime")}, false}, // Python omits zero microseconds
		{[]*schema.Attribute{a(schema.CatFloat, "double")}, false},      // Python prints 1.0
		{[]*schema.Attribute{a(schema.CatUUID, "uuid")}, false},
		{[]*schema.Attribute{a(schema.CatDecimal, "decimal(5,2)")}, false},
		{nil, false},
	} {
		if got := queueServerKey(c.attrs); got != c.want {
			t.Errorf("queueServerKey(%v) = %v", c.attrs[0:min(1, len(c.attrs))], got)
		}
	}
}

func TestQueueStatementsPure(t *testing.T) {
	full := "`db`.`~queue`"
	pop := queuePopSQL(full)
	if !strings.HasPrefix(pop, "UPDATE `db`.`~queue` SET `status`='reserved', `token`=?") ||
		!strings.HasSuffix(pop, "WHERE `table_name`=? AND `status`='pending' ORDER BY `priority` DESC, `id` DESC LIMIT 1") ||
		strings.Count(pop, "?") != 5 {
		t.Errorf("pop: %s", pop)
	}
	if got := queueClaimSelectSQL(full); !strings.HasSuffix(got, "WHERE `table_name`=? AND `status`='pending' ORDER BY `priority` DESC, `id` DESC LIMIT ? FOR UPDATE SKIP LOCKED") {
		t.Errorf("claim select: %s", got)
	}
	if got := queueClaimUpdateSQL(full, 3); !strings.HasSuffix(got, "WHERE `id` IN (?,?,?)") || strings.Count(got, "?") != 7 {
		t.Errorf("claim update: %s", got)
	}
	if got := queueFinishSQL(full, QueueDone); !strings.Contains(got, "SET `status`='done', `token`=NULL") || !strings.HasSuffix(got, "WHERE `id`=? AND `token`=?") {
		t.Errorf("finish: %s", got)
	}
	if got := queueReclaimSQL(full); !strings.Contains(got, "`token` <=> ?") || !strings.Contains(got, "`heartbeat` < NOW(6) - INTERVAL ? MICROSECOND") {
		t.Errorf("reclaim: %s", got)
	}
	if got := queueExpiredSQL(full, true); !strings.HasSuffix(got, "AND `table_name`=?") || strings.Count(got, "?") != 2 {
		t.Errorf("expired: %s", got)
	}
	if got := queueProbeSQL(full); strings.Count(got, "?") != 4 || strings.Count(got, full) != 3 {
		t.Errorf("probe: %s", got)
	}
	where, args := queueFilterWhere("__t", QueueError, "")
	if where != " WHERE `status`<>'refresh' AND `table_name`=? AND `status`=?" || len(args) != 2 {
		t.Errorf("filter: %q %v", where, args)
	}
	rq := queueRequeueJobsSQL(full, "`db`.`~jobs`", where)
	want := "DELETE `db`.`~jobs` FROM `db`.`~jobs` JOIN `db`.`~queue` ON `db`.`~jobs`.`table_name`=`db`.`~queue`.`table_name` AND `db`.`~jobs`.`key_hash`=`db`.`~queue`.`key_hash`" +
		" WHERE `db`.`~queue`.`status`<>'refresh' AND `db`.`~queue`.`table_name`=? AND `db`.`~queue`.`status`=? AND `db`.`~jobs`.`status`='error'"
	if rq != want {
		t.Errorf("requeue ~jobs:\n got %s\nwant %s", rq, want)
	}
	if got := queueStatusSQL(full); strings.Count(got, "?") != 4 || !strings.HasSuffix(got, "GROUP BY `table_name` ORDER BY `table_name`") {
		t.Errorf("status: %s", got)
	}
	if got := queueLockName("lab", "__square"); got != "dj.queue.lab.__square" {
		t.Errorf("lock name %q", got)
	}
	long := queueLockName(strings.Repeat("d", 40), strings.Repeat("t", 40))
	if len(long) > 64 || !strings.HasPrefix(long, "dj.queue.") {
		t.Errorf("long lock name %q", long)
	}
}

// TestQueueKeyRoundTrip encodes keys as the client-side refresh does and
// decodes them as a worker does: every value comes back as the Go value
// FetchKeys gives.
func TestQueueKeyRoundTrip(t *testing.T) {
	h := schema.Heading{Attributes: []schema.Attribute{
		{Name: "i", Type: "int", Category: schema.CatInteger, InKey: true},
		{Name: "u", Type: "bigint unsigned", Category: schema.CatInteger, Unsigned: true, InKey: true},
		{Name: "s", Type: "varchar(16)", Category: schema.CatString, InKey: true},
		{Name: "d", Type: "date", Category: schema.CatTemporal, InKey: true},
		{Name: "t", Type: "datetime(6)", Category: schema.CatTemporal, InKey: true},
		{Name: "f", Type: "double", Category: schema.CatFloat, InKey: true},
		{Name: "g", Type: "float", Category: schema.CatFloat, InKey: true},
		{Name: "x", Type: "decimal(5,2)", Category: schema.CatDecimal, InKey: true},
		{Name: "id", Type: "uuid", Category: schema.CatUUID, InKey: true},
		{Name: "dur", Type: "time", Category: schema.CatTemporal, InKey: true},
	}}
	names := h.PrimaryKey()
	id := uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	key := Key{
		"i": int64(-3), "u": uint64(18446744073709551615), "s": "naïve \"q\"",
		"d": time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "t": time.Date(2024, 2, 29, 13, 4, 5, 123456000, time.UTC),
		"f": 0.1, "g": float32(0.1), "x": "12.50", "id": id, "dur": 90 * time.Minute,
	}
	js, err := queueKeyJSON(&h, names, key)
	if err != nil {
		t.Fatal(err)
	}
	back, err := queueKey(&h, names, []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		want, got := key[n], back[n]
		if wt, ok := want.(time.Time); ok {
			if gt, ok := got.(time.Time); !ok || !gt.Equal(wt) {
				t.Errorf("%s: %#v, want %#v", n, got, want)
			}
			continue
		}
		if got != want {
			t.Errorf("%s: %#v (%T), want %#v (%T)", n, got, got, want, want)
		}
	}
	pk1, err := PyKey(&h, key)
	if err != nil {
		t.Fatal(err)
	}
	pk2, err := PyKey(&h, back)
	if err != nil {
		t.Fatal(err)
	}
	if KeyHash(pk1) != KeyHash(pk2) {
		t.Error("the decoded key hashes differently")
	}
	// Server-made JSON (JSON_OBJECT) of the server-hashed types.
	back, err = queueKey(&h, []string{"i", "s", "d"}, []byte(`{"i": 7, "s": "a", "d": "2020-01-02"}`))
	if err != nil || back["i"] != int64(7) || back["s"] != "a" || !back["d"].(time.Time).Equal(time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("server JSON: %#v %v", back, err)
	}
	if _, err := queueKey(&h, []string{"i"}, []byte(`{"j": 1}`)); err == nil {
		t.Error("a key without its attribute decoded")
	}
	if _, err := queueKeyJSON(&h, []string{"s"}, Key{"s": "\xff"}); err == nil {
		t.Error("bytes that are not text encoded")
	}
}

func TestPercentile(t *testing.T) {
	if percentile(nil, 0.95) != 0 {
		t.Error("empty")
	}
	v := make([]float64, 100)
	for i := range v {
		v[i] = float64(i + 1)
	}
	if p := percentile(v, 0.95); p != 95 {
		t.Errorf("p95 of 1..100 = %v", p)
	}
	if p := percentile([]float64{3, 1, 2}, 0.5); p != 2 {
		t.Errorf("median = %v", p)
	}
}

func TestPollBackoff(t *testing.T) {
	d := 100 * time.Millisecond
	var seq []time.Duration
	for range 6 {
		seq = append(seq, d)
		d = nextPoll(d, time.Second)
	}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i := range want {
		if seq[i] != want[i]*time.Millisecond {
			t.Fatalf("waits %v", seq)
		}
	}
	if nextPoll(time.Second, 0) != time.Second || nextPoll(time.Second, time.Second/2) != time.Second {
		t.Error("without a larger MaxPoll the wait must stay Poll")
	}
	lo, hi := time.Hour, time.Duration(0)
	for range 2000 {
		j := jitter(time.Second)
		lo, hi = min(lo, j), max(hi, j)
	}
	if lo < 750*time.Millisecond || hi >= 1250*time.Millisecond || hi-lo < 400*time.Millisecond {
		t.Errorf("jitter of 1s spans [%v, %v], want within [0.75s, 1.25s) and spread", lo, hi)
	}
}

// TestQueuePurgeSQL: the refresh's purge of one table and Purge of every
// table delete only done rows older than the bound.
func TestQueuePurgeSQL(t *testing.T) {
	for _, c := range []struct {
		byTable bool
		want    string
	}{
		{true, "DELETE FROM `db`.`~queue` WHERE `status`='done' AND `table_name`=? AND `finished_at` < NOW(6) - INTERVAL ? MICROSECOND"},
		{false, "DELETE FROM `db`.`~queue` WHERE `status`='done' AND `finished_at` < NOW(6) - INTERVAL ? MICROSECOND"},
	} {
		if got := queuePurgeSQL("`db`.`~queue`", c.byTable); got != c.want {
			t.Errorf("queuePurgeSQL(%t) = %s", c.byTable, got)
		}
	}
}
