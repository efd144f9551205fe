package query_test

import (
	"fmt"

	"github.com/datajoint-go/datajoint/dj/internal/query"
	"github.com/datajoint-go/datajoint/dj/schema"
)

func table(name string, key []string, secondary ...string) *schema.Table {
	t := &schema.Table{Database: "lab", Name: name}
	for _, k := range key {
		t.Heading.Attributes = append(t.Heading.Attributes, schema.Attribute{Name: k, InKey: true})
	}
	for _, s := range secondary {
		t.Heading.Attributes = append(t.Heading.Attributes, schema.Attribute{Name: s})
	}
	return t
}

var (
	subject = query.Table(table("subject", []string{"subject_id"}, "species", "sex"))
	session = query.Table(table("session", []string{"subject_id", "session_id"}, "session_date"))
	spikes  = query.Table(table("__spikes", []string{"subject_id", "session_id"}, "rate"))
)

func show(e query.Expr) {
	q, args, err := e.SQL()
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(q, args)
}

func ExampleExpr_Restrict() {
	show(session.Restrict(query.Where("session_date > ?", "2024-01-01"), query.Match(map[string]any{"subject_id": 7})))
	// Output:
	// SELECT `subject_id`,`session_id`,`session_date` FROM `lab`.`session` WHERE (session_date > ?)AND(`subject_id`=?) [2024-01-01 7]
}

func ExampleExpr_Exclude() {
	show(session.Exclude(spikes))
	// Output:
	// SELECT `subject_id`,`session_id`,`session_date` FROM `lab`.`session` WHERE ((`subject_id`,`session_id`) NOT IN (SELECT `subject_id`,`session_id` FROM `lab`.`__spikes`)) []
}

func ExampleExpr_Join() {
	show(subject.Join(session).Proj("species", "date=session_date"))
	// Output:
	// SELECT `subject_id`,`session_id`,`species`,`session_date` as `date` FROM `lab`.`subject` NATURAL JOIN `lab`.`session` []
}

func ExampleExpr_Aggr() {
	show(subject.Aggr(session, true, "species", "n=count(session_id)").Restrict(query.Where("n < ?", 3)))
	// Output:
	// SELECT `subject_id`,`species`,(count(session_id)) as `n` FROM `lab`.`subject` NATURAL LEFT JOIN `lab`.`session` GROUP BY `subject_id`,`species` HAVING (n < ?) [3]
}

func ExampleU() {
	show(query.U("species").Restrict(subject))
	show(query.U("species").Aggr(subject, false, "n=count(*)"))
	show(query.U().Aggr(session, false, "first=min(session_date)"))
	// Output:
	// SELECT DISTINCT `species` FROM `lab`.`subject` []
	// SELECT `species`,(count(*)) as `n` FROM `lab`.`subject` GROUP BY `species` []
	// SELECT (min(session_date)) as `first` FROM `lab`.`session` []
}

func ExampleExpr_OrderBy() {
	show(session.OrderBy("session_date DESC", "KEY").Limit(10).Offset(20))
	show(session.Limit(5).Restrict(query.Match(map[string]any{"subject_id": 1})))
	// Output:
	// SELECT `subject_id`,`session_id`,`session_date` FROM `lab`.`session` ORDER BY `session_date` DESC,`subject_id`,`session_id` LIMIT 10 OFFSET 20 []
	// SELECT `subject_id`,`session_id`,`session_date` FROM (SELECT `subject_id`,`session_id`,`session_date` FROM `lab`.`session` ORDER BY `subject_id`,`session_id` LIMIT 5) as `$1` WHERE (`subject_id`=?) [1]
}

func ExampleExpr_Union() {
	show(session.Proj().Union(spikes.Proj()))
	// Output:
	// SELECT `subject_id`,`session_id` FROM ((SELECT `subject_id`,`session_id` FROM `lab`.`session`) UNION (SELECT `subject_id`,`session_id` FROM `lab`.`__spikes`)) as `$1` []
}

func ExampleExpr_CountSQL() {
	q, _, _ := subject.Restrict(session).CountSQL()
	fmt.Println(q)
	// Output:
	// SELECT count(DISTINCT `subject_id`) FROM `lab`.`subject` WHERE ((`subject_id`) IN (SELECT `subject_id` FROM `lab`.`session`))
}

func ExampleExpr_WhereSQL() {
	e := session.Restrict(query.Match(map[string]any{"subject_id": 7}))
	if t, ok := e.Source(); ok {
		w, args, _ := e.WhereSQL()
		fmt.Println("DELETE FROM "+t.FullName()+" WHERE "+w, args)
	}
	// Output:
	// DELETE FROM `lab`.`session` WHERE (`subject_id`=?) [7]
}

func ExampleExpr_Err() {
	e := subject.Proj("weight").Join(session)
	fmt.Println(e.Err())
	// Output:
	// proj `lab`.`subject`: unknown attribute: "weight" (attributes: subject_id,species,sex)
}
