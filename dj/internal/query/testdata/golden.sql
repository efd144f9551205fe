-- table
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- where
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (home_state = ?)
-- args: []interface {}{"CA"}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE (home_state = ?) []interface {}{"CA"}

-- where multi-line
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (home_state =
 ?)AND(student_id > 1)
-- args: []interface {}{"CA"}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE (home_state =
 ?)AND(student_id > 1) []interface {}{"CA"}

-- where and match
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (home_state = ?)AND(`last_name`=?)
-- args: []interface {}{"CA", "Lee"}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE (home_state = ?)AND(`last_name`=?) []interface {}{"CA", "Lee"}

-- match null
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (`student_id`=? AND `home_state` IS NULL)
-- args: []interface {}{3}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE (`student_id`=? AND `home_state` IS NULL) []interface {}{3}

-- match uuid
SELECT `sample_id`,`label`,`weight` FROM `db`.`sample` WHERE (`sample_id`=?)
-- args: []interface {}{[]uint8{0x1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}}
-- count: SELECT count(DISTINCT `sample_id`) FROM `db`.`sample` WHERE (`sample_id`=?) []interface {}{[]uint8{0x1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x1, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}}

-- match no common key
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- matches
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE ((`student_id`=?)OR(`student_id`=?))
-- args: []interface {}{1, 2}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE ((`student_id`=?)OR(`student_id`=?)) []interface {}{1, 2}

-- matches empty
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (FALSE)
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE (FALSE)

-- exclude matches empty
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- or and not
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE ((home_state = ?)OR((home_state = ?)AND(NOT (`last_name`=?))))
-- args: []interface {}{"NY", "CA", "Kim"}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE ((home_state = ?)OR((home_state = ?)AND(NOT (`last_name`=?)))) []interface {}{"NY", "CA", "Kim"}

-- not not
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (student_id > ?)
-- args: []interface {}{3}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE (student_id > ?) []interface {}{3}

-- false
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (FALSE)
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE (FALSE)

-- true
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- semijoin
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE ((`student_id`) IN (SELECT `student_id` FROM `db`.`enroll`))
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE ((`student_id`) IN (SELECT `student_id` FROM `db`.`enroll`))

-- antijoin
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE ((`student_id`) NOT IN (SELECT `student_id` FROM `db`.`enroll`))
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE ((`student_id`) NOT IN (SELECT `student_id` FROM `db`.`enroll`))

-- exclude two
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (NOT (((`student_id`) IN (SELECT `student_id` FROM `db`.`enroll`))AND(home_state = ?)))
-- args: []interface {}{"NY"}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE (NOT (((`student_id`) IN (SELECT `student_id` FROM `db`.`enroll`))AND(home_state = ?))) []interface {}{"NY"}

-- exclude chained
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE ((`student_id`) NOT IN (SELECT `student_id` FROM `db`.`enroll`))AND(NOT (home_state = ?))
-- args: []interface {}{"NY"}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE ((`student_id`) NOT IN (SELECT `student_id` FROM `db`.`enroll`))AND(NOT (home_state = ?)) []interface {}{"NY"}

-- semijoin composite
SELECT `dept`,`course`,`course_name`,`credits` FROM `db`.`course` WHERE ((`dept`,`course`) IN (SELECT `dept`,`course` FROM `db`.`enroll` WHERE (`student_id`=?)))
-- args: []interface {}{1}
-- count: SELECT count(DISTINCT `dept`,`course`) FROM `db`.`course` WHERE ((`dept`,`course`) IN (SELECT `dept`,`course` FROM `db`.`enroll` WHERE (`student_id`=?))) []interface {}{1}

-- semijoin no common
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (EXISTS(SELECT `dept`,`dept_name` FROM `db`.`#department` WHERE (`dept`=?)))
-- args: []interface {}{"CS"}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE (EXISTS(SELECT `dept`,`dept_name` FROM `db`.`#department` WHERE (`dept`=?))) []interface {}{"CS"}

-- antijoin no common
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (NOT EXISTS(SELECT `dept`,`dept_name` FROM `db`.`#department`))
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE (NOT EXISTS(SELECT `dept`,`dept_name` FROM `db`.`#department`))

-- semijoin limited
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE ((`student_id`) IN (SELECT `student_id` FROM (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` ORDER BY `student_id`,`dept`,`course` LIMIT 3) as `$1`))
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE ((`student_id`) IN (SELECT `student_id` FROM (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` ORDER BY `student_id`,`dept`,`course` LIMIT 3) as `$1`))

-- semijoin aggregation
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE ((`student_id`) IN (SELECT `student_id` FROM (SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id` HAVING (n >= ?)) as `$1`))
-- args: []interface {}{2}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE ((`student_id`) IN (SELECT `student_id` FROM (SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id` HAVING (n >= ?)) as `$1`)) []interface {}{2}

-- semijoin nullable
SELECT `thesis_id`,`student_id`,`title` FROM `db`.`thesis` WHERE ((`student_id`) IN (SELECT `student_id` FROM `db`.`student`))
-- count: SELECT count(DISTINCT `thesis_id`) FROM `db`.`thesis` WHERE ((`student_id`) IN (SELECT `student_id` FROM `db`.`student`))

-- antijoin nullable
SELECT `thesis_id`,`student_id`,`title` FROM `db`.`thesis` WHERE (NOT COALESCE((`student_id`) IN (SELECT `student_id` FROM `db`.`student`), FALSE))
-- count: SELECT count(DISTINCT `thesis_id`) FROM `db`.`thesis` WHERE (NOT COALESCE((`student_id`) IN (SELECT `student_id` FROM `db`.`student`), FALSE))

-- antijoin nullable subquery
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE ((`student_id`) NOT IN (SELECT `student_id` FROM `db`.`thesis` WHERE (`student_id` IS NOT NULL)))
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` WHERE ((`student_id`) NOT IN (SELECT `student_id` FROM `db`.`thesis` WHERE (`student_id` IS NOT NULL)))

-- semijoin universal
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- join
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`dept`,`declare_date` FROM `db`.`student` NATURAL JOIN `db`.`student_major`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student` NATURAL JOIN `db`.`student_major`

-- join three
SELECT `student_id`,`dept`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`declare_date`,`dept_name` FROM `db`.`student` NATURAL JOIN `db`.`student_major` NATURAL JOIN `db`.`#department`
-- count: SELECT count(DISTINCT `student_id`,`dept`) FROM `db`.`student` NATURAL JOIN `db`.`student_major` NATURAL JOIN `db`.`#department`

-- join restricted
SELECT `student_id`,`dept`,`course`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` NATURAL JOIN `db`.`enroll` WHERE (home_state = ?)AND(`dept`=?)
-- args: []interface {}{"CA", "MATH"}
-- count: SELECT count(DISTINCT `student_id`,`dept`,`course`) FROM `db`.`student` NATURAL JOIN `db`.`enroll` WHERE (home_state = ?)AND(`dept`=?) []interface {}{"CA", "MATH"}

-- join secondary with primary
SELECT `student_id`,`dept`,`course`,`declare_date`,`course_name`,`credits` FROM `db`.`student_major` NATURAL JOIN `db`.`course`
-- count: SELECT count(DISTINCT `student_id`,`dept`,`course`) FROM `db`.`student_major` NATURAL JOIN `db`.`course`

-- join overlap beyond keys
SELECT `student_id`,`dept`,`dept_name` FROM (SELECT `student_id` FROM `db`.`student_major`) as `$1` NATURAL JOIN `db`.`#department`
-- count: SELECT count(DISTINCT `student_id`,`dept`) FROM (SELECT `student_id` FROM `db`.`student_major`) as `$1` NATURAL JOIN `db`.`#department`

-- join renamed key
SELECT `subject`,`course`,`credits`,`dept_name` FROM (SELECT `dept` as `subject`,`course`,`credits` FROM `db`.`course`) as `$1` NATURAL JOIN (SELECT `dept` as `subject`,`dept_name` FROM `db`.`#department`) as `$2`
-- count: SELECT count(DISTINCT `subject`,`course`) FROM (SELECT `dept` as `subject`,`course`,`credits` FROM `db`.`course`) as `$1` NATURAL JOIN (SELECT `dept` as `subject`,`dept_name` FROM `db`.`#department`) as `$2`

-- join computed not key
SELECT `dept`,`course`,`student_id`,(credits*15) as `hours` FROM `db`.`course` NATURAL JOIN `db`.`enroll`
-- count: SELECT count(DISTINCT `dept`,`course`,`student_id`) FROM `db`.`course` NATURAL JOIN `db`.`enroll`

-- join limited
SELECT `student_id`,`dept`,`course`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` ORDER BY `student_id` LIMIT 2) as `$1` NATURAL JOIN `db`.`enroll`
-- count: SELECT count(DISTINCT `student_id`,`dept`,`course`) FROM (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` ORDER BY `student_id` LIMIT 2) as `$1` NATURAL JOIN `db`.`enroll`

-- join aggregation
SELECT `student_id`,`n`,`dept`,`declare_date` FROM (SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`) as `$1` NATURAL JOIN `db`.`student_major`
-- count: SELECT count(DISTINCT `student_id`) FROM (SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`) as `$1` NATURAL JOIN `db`.`student_major`

-- join union
SELECT `student_id`,`dept`,`course` FROM ((SELECT `student_id` FROM `db`.`student` WHERE (`student_id`=?)) UNION (SELECT `student_id` FROM `db`.`student` WHERE (`student_id`=?))) as `$1` NATURAL JOIN `db`.`enroll`
-- args: []interface {}{1, 2}
-- count: SELECT count(DISTINCT `student_id`,`dept`,`course`) FROM ((SELECT `student_id` FROM `db`.`student` WHERE (`student_id`=?)) UNION (SELECT `student_id` FROM `db`.`student` WHERE (`student_id`=?))) as `$1` NATURAL JOIN `db`.`enroll` []interface {}{1, 2}

-- proj keep
SELECT `student_id`,`last_name` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- proj key only
SELECT `student_id`,`dept`,`course` FROM `db`.`enroll`
-- count: SELECT count(DISTINCT `student_id`,`dept`,`course`) FROM `db`.`enroll`

-- proj all drop
SELECT `student_id`,`first_name`,`last_name` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- proj all
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,(concat(first_name, ' ', last_name)) as `full` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- proj rename
SELECT `student_id` as `sid`,`first_name` as `first` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- proj duplicate
SELECT `student_id`,`first_name`,`first_name` as `fn` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- proj constant
SELECT `student_id`,(NULL) as `nothing`,(1) as `one` FROM `db`.`student`
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student`

-- proj computed restricted
SELECT `student_id`,`name` FROM (SELECT `student_id`,(concat(first_name, ' ', last_name)) as `name` FROM `db`.`student`) as `$1` WHERE (name LIKE ?)
-- args: []interface {}{"%Lee"}
-- count: SELECT count(DISTINCT `student_id`) FROM (SELECT `student_id`,(concat(first_name, ' ', last_name)) as `name` FROM `db`.`student`) as `$1` WHERE (name LIKE ?) []interface {}{"%Lee"}

-- proj rename restricted
SELECT `student_id`,`state` FROM (SELECT `student_id`,`home_state` as `state` FROM `db`.`student`) as `$1` WHERE (`state`=?)
-- args: []interface {}{"NY"}
-- count: SELECT count(DISTINCT `student_id`) FROM (SELECT `student_id`,`home_state` as `state` FROM `db`.`student`) as `$1` WHERE (`state`=?) []interface {}{"NY"}

-- proj of computed
SELECT `dept`,`course`,(hours/8) as `days` FROM (SELECT `dept`,`course`,(credits*15) as `hours` FROM `db`.`course`) as `$1`
-- count: SELECT count(DISTINCT `dept`,`course`) FROM (SELECT `dept`,`course`,(credits*15) as `hours` FROM `db`.`course`) as `$1`

-- proj of renamed
SELECT `dept`,`course`,`cr` as `c2` FROM (SELECT `dept`,`course`,`credits` as `cr` FROM `db`.`course`) as `$1`
-- count: SELECT count(DISTINCT `dept`,`course`) FROM (SELECT `dept`,`course`,`credits` as `cr` FROM `db`.`course`) as `$1`

-- proj after order
SELECT `student_id`,`last_name` FROM `db`.`student` ORDER BY `last_name` LIMIT 3
-- count: SELECT count(*) FROM (SELECT `student_id`,`last_name` FROM `db`.`student` ORDER BY `last_name` LIMIT 3) as `$1`

-- proj after order drops order
SELECT `student_id` FROM `db`.`student` ORDER BY `last_name` LIMIT 3
-- count: SELECT count(*) FROM (SELECT `student_id` FROM `db`.`student` ORDER BY `last_name` LIMIT 3) as `$1`

-- proj after order hides order
SELECT `student_id`,`first_name` as `last_name` FROM (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` ORDER BY `last_name` LIMIT 3) as `$1`
-- count: SELECT count(DISTINCT `student_id`) FROM (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` ORDER BY `last_name` LIMIT 3) as `$1`

-- proj after order of computed
SELECT `student_id` FROM (SELECT `student_id`,(length(last_name)) as `n` FROM `db`.`student` ORDER BY `n` LIMIT 3) as `$1`
-- count: SELECT count(DISTINCT `student_id`) FROM (SELECT `student_id`,(length(last_name)) as `n` FROM `db`.`student` ORDER BY `n` LIMIT 3) as `$1`

-- proj after distinct order
SELECT `dept`,`course` as `c` FROM (SELECT DISTINCT `dept`,`course` FROM `db`.`enroll` ORDER BY `course`) as `$1`
-- count: SELECT count(DISTINCT `dept`,`course`) FROM (SELECT DISTINCT `dept`,`course` FROM `db`.`enroll` ORDER BY `course`) as `$1`

-- aggr
SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`
-- count: SELECT count(*) FROM (SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`) as `$1`

-- aggr keep all rows
SELECT `student_id`,(count(dept)) as `n` FROM `db`.`student` NATURAL LEFT JOIN `db`.`enroll` GROUP BY `student_id`
-- count: SELECT count(*) FROM (SELECT `student_id`,(count(dept)) as `n` FROM `db`.`student` NATURAL LEFT JOIN `db`.`enroll` GROUP BY `student_id`) as `$1`

-- aggr keep all restricted group
SELECT `student_id`,(count(dept)) as `n` FROM `db`.`student` NATURAL LEFT JOIN (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` WHERE (`dept`=?)) as `$1` GROUP BY `student_id`
-- args: []interface {}{"MATH"}
-- count: SELECT count(*) FROM (SELECT `student_id`,(count(dept)) as `n` FROM `db`.`student` NATURAL LEFT JOIN (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` WHERE (`dept`=?)) as `$1` GROUP BY `student_id`) as `$2` []interface {}{"MATH"}

-- aggr all secondaries
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`
-- count: SELECT count(*) FROM (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`) as `$1`

-- aggr having
SELECT `student_id`,`last_name`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`,`last_name` HAVING (n > ?)AND(last_name <> ?)
-- args: []interface {}{1, "Ray"}
-- count: SELECT count(*) FROM (SELECT `student_id`,`last_name`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`,`last_name` HAVING (n > ?)AND(last_name <> ?)) as `$1` []interface {}{1, "Ray"}

-- aggr restricted operand
SELECT `student_id`,(max(grade)) as `best` FROM `db`.`student` NATURAL JOIN `db`.`grade` WHERE (`home_state`=?) GROUP BY `student_id`
-- args: []interface {}{"CA"}
-- count: SELECT count(*) FROM (SELECT `student_id`,(max(grade)) as `best` FROM `db`.`student` NATURAL JOIN `db`.`grade` WHERE (`home_state`=?) GROUP BY `student_id`) as `$1` []interface {}{"CA"}

-- aggr of aggr
SELECT `dept`,(sum(n)) as `total` FROM `db`.`#department` NATURAL JOIN (SELECT `dept`,`course`,(count(student_id)) as `n` FROM `db`.`course` NATURAL LEFT JOIN `db`.`enroll` GROUP BY `dept`,`course`) as `$1` GROUP BY `dept`
-- count: SELECT count(*) FROM (SELECT `dept`,(sum(n)) as `total` FROM `db`.`#department` NATURAL JOIN (SELECT `dept`,`course`,(count(student_id)) as `n` FROM `db`.`course` NATURAL LEFT JOIN `db`.`enroll` GROUP BY `dept`,`course`) as `$1` GROUP BY `dept`) as `$2`

-- aggr then proj
SELECT `student_id`,(n*2) as `twice` FROM (SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`) as `$1`
-- count: SELECT count(DISTINCT `student_id`) FROM (SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`) as `$1`

-- aggr ordered
SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id` ORDER BY `n` DESC,`student_id` LIMIT 2
-- count: SELECT count(*) FROM (SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id` ORDER BY `n` DESC,`student_id` LIMIT 2) as `$1`

-- aggr join group
SELECT `dept`,`course`,(avg(points)) as `avg_points` FROM `db`.`course` NATURAL JOIN `db`.`grade` NATURAL JOIN `db`.`#letter_grade` GROUP BY `dept`,`course`
-- count: SELECT count(*) FROM (SELECT `dept`,`course`,(avg(points)) as `avg_points` FROM `db`.`course` NATURAL JOIN `db`.`grade` NATURAL JOIN `db`.`#letter_grade` GROUP BY `dept`,`course`) as `$1`

-- u distinct
SELECT DISTINCT `dept` FROM `db`.`enroll`
-- count: SELECT count(DISTINCT `dept`) FROM `db`.`enroll`

-- u distinct restricted
SELECT DISTINCT `dept`,`course` FROM `db`.`enroll` WHERE (`dept`=?)
-- args: []interface {}{"MATH"}
-- count: SELECT count(DISTINCT `dept`,`course`) FROM `db`.`enroll` WHERE (`dept`=?) []interface {}{"MATH"}

-- u distinct limited
SELECT DISTINCT `dept` FROM (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` ORDER BY `student_id`,`dept`,`course` LIMIT 3) as `$1`
-- count: SELECT count(DISTINCT `dept`) FROM (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` ORDER BY `student_id`,`dept`,`course` LIMIT 3) as `$1`

-- u aggr
SELECT `dept`,(count(*)) as `n` FROM `db`.`enroll` GROUP BY `dept`
-- count: SELECT count(*) FROM (SELECT `dept`,(count(*)) as `n` FROM `db`.`enroll` GROUP BY `dept`) as `$1`

-- u aggr having
SELECT `dept`,(count(*)) as `n` FROM `db`.`enroll` GROUP BY `dept` HAVING (n > ?)
-- args: []interface {}{3}
-- count: SELECT count(*) FROM (SELECT `dept`,(count(*)) as `n` FROM `db`.`enroll` GROUP BY `dept` HAVING (n > ?)) as `$1` []interface {}{3}

-- u aggr over proj
SELECT `last_name`,(min(yob)) as `first` FROM (SELECT `student_id`,`last_name`,(year(date_of_birth)) as `yob` FROM `db`.`student`) as `$1` GROUP BY `last_name`
-- count: SELECT count(*) FROM (SELECT `last_name`,(min(yob)) as `first` FROM (SELECT `student_id`,`last_name`,(year(date_of_birth)) as `yob` FROM `db`.`student`) as `$1` GROUP BY `last_name`) as `$2`

-- u global
SELECT (count(*)) as `n` FROM `db`.`enroll`
-- count: SELECT count(*) FROM (SELECT (count(*)) as `n` FROM `db`.`enroll`) as `$1`

-- u global restricted
SELECT `n` FROM (SELECT (count(*)) as `n` FROM `db`.`enroll`) as `$1` WHERE (n > ?)
-- args: []interface {}{100}
-- count: SELECT count(*) FROM (SELECT (count(*)) as `n` FROM `db`.`enroll`) as `$1` WHERE (n > ?) []interface {}{100}

-- u join
SELECT `student_id`,`dept`,`declare_date` FROM `db`.`student_major`
-- count: SELECT count(DISTINCT `student_id`,`dept`) FROM `db`.`student_major`

-- join u
SELECT `student_id`,`declare_date`,`dept` FROM `db`.`student_major`
-- count: SELECT count(DISTINCT `student_id`,`declare_date`) FROM `db`.`student_major`

-- union keys
SELECT `student_id`,`dept`,`course` FROM ((SELECT `student_id`,`dept`,`course` FROM `db`.`grade`) UNION (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` WHERE (`dept`=?))) as `$1`
-- args: []interface {}{"PHYS"}
-- count: SELECT count(DISTINCT `student_id`,`dept`,`course`) FROM ((SELECT `student_id`,`dept`,`course` FROM `db`.`grade`) UNION (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` WHERE (`dept`=?))) as `$1` []interface {}{"PHYS"}

-- union secondaries
SELECT `student_id`,`dept`,`course`,`grade`,`course_name` FROM ((SELECT `student_id`,`dept`,`course`,`grade`,`course_name` FROM `db`.`grade` NATURAL LEFT JOIN (SELECT `student_id`,`dept`,`course`,`course_name` FROM `db`.`enroll` NATURAL JOIN `db`.`course`) as `$1`) UNION (SELECT `student_id`,`dept`,`course`,(NULL) as `grade`,`course_name` FROM `db`.`enroll` NATURAL JOIN `db`.`course` WHERE ((`student_id`,`dept`,`course`) NOT IN (SELECT `student_id`,`dept`,`course` FROM `db`.`grade`)))) as `$2`
-- count: SELECT count(DISTINCT `student_id`,`dept`,`course`) FROM ((SELECT `student_id`,`dept`,`course`,`grade`,`course_name` FROM `db`.`grade` NATURAL LEFT JOIN (SELECT `student_id`,`dept`,`course`,`course_name` FROM `db`.`enroll` NATURAL JOIN `db`.`course`) as `$1`) UNION (SELECT `student_id`,`dept`,`course`,(NULL) as `grade`,`course_name` FROM `db`.`enroll` NATURAL JOIN `db`.`course` WHERE ((`student_id`,`dept`,`course`) NOT IN (SELECT `student_id`,`dept`,`course` FROM `db`.`grade`)))) as `$2`

-- union restricted
SELECT `dept`,`course` FROM ((SELECT `dept`,`course` FROM `db`.`course`) UNION (SELECT DISTINCT `dept`,`course` FROM `db`.`enroll`)) as `$1` WHERE (`dept`=?)
-- args: []interface {}{"BIOL"}
-- count: SELECT count(DISTINCT `dept`,`course`) FROM ((SELECT `dept`,`course` FROM `db`.`course`) UNION (SELECT DISTINCT `dept`,`course` FROM `db`.`enroll`)) as `$1` WHERE (`dept`=?) []interface {}{"BIOL"}

-- order
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` ORDER BY `last_name` DESC,`first_name`
-- count: SELECT count(*) FROM (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` ORDER BY `last_name` DESC,`first_name`) as `$1`

-- order limit offset
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` ORDER BY `last_name` DESC,`first_name` LIMIT 3 OFFSET 2
-- count: SELECT count(*) FROM (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` ORDER BY `last_name` DESC,`first_name` LIMIT 3 OFFSET 2) as `$1`

-- limit default key
SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` ORDER BY `student_id`,`dept`,`course` LIMIT 4
-- count: SELECT count(*) FROM (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` ORDER BY `student_id`,`dept`,`course` LIMIT 4) as `$1`

-- offset only
SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` ORDER BY `student_id`,`dept`,`course` LIMIT 18446744073709551615 OFFSET 8
-- count: SELECT count(*) FROM (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` ORDER BY `student_id`,`dept`,`course` LIMIT 18446744073709551615 OFFSET 8) as `$1`

-- key desc
SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` ORDER BY `student_id` DESC,`dept` DESC,`course` DESC LIMIT 2
-- count: SELECT count(*) FROM (SELECT `student_id`,`dept`,`course` FROM `db`.`enroll` ORDER BY `student_id` DESC,`dept` DESC,`course` DESC LIMIT 2) as `$1`

-- restrict after limit
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` ORDER BY `student_id` LIMIT 4) as `$1` WHERE (home_state = ?)
-- args: []interface {}{"CA"}
-- count: SELECT count(DISTINCT `student_id`) FROM (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` ORDER BY `student_id` LIMIT 4) as `$1` WHERE (home_state = ?) []interface {}{"CA"}

-- five ops
SELECT `student_id`,`dept`,`course`,`last_name`,(min(grade)) as `best` FROM `db`.`student` NATURAL JOIN `db`.`enroll` NATURAL JOIN `db`.`grade` WHERE (home_state IS NOT NULL) GROUP BY `student_id`,`dept`,`course`,`last_name` ORDER BY `best`,`student_id`,`dept`,`course` LIMIT 10
-- count: SELECT count(*) FROM (SELECT `student_id`,`dept`,`course`,`last_name`,(min(grade)) as `best` FROM `db`.`student` NATURAL JOIN `db`.`enroll` NATURAL JOIN `db`.`grade` WHERE (home_state IS NOT NULL) GROUP BY `student_id`,`dept`,`course`,`last_name` ORDER BY `best`,`student_id`,`dept`,`course` LIMIT 10) as `$1`

-- left join
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`dept`,`declare_date` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major`
-- count: SELECT count(*) FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major`

-- left join is null
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`dept`,`declare_date` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` WHERE (dept IS NULL)
-- count: SELECT count(*) FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` WHERE (dept IS NULL)

-- left join restricted operand
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`dept`,`declare_date` FROM `db`.`student` NATURAL LEFT JOIN (SELECT `student_id`,`dept`,`declare_date` FROM `db`.`student_major` WHERE (`dept`=?)) as `$1`
-- args: []interface {}{"MATH"}
-- count: SELECT count(*) FROM `db`.`student` NATURAL LEFT JOIN (SELECT `student_id`,`dept`,`declare_date` FROM `db`.`student_major` WHERE (`dept`=?)) as `$1` []interface {}{"MATH"}

-- left join restricted first operand
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`dept`,`declare_date` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` WHERE (home_state = ?)
-- args: []interface {}{"CA"}
-- count: SELECT count(*) FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` WHERE (home_state = ?) []interface {}{"CA"}

-- left join ungraded
SELECT `student_id`,`dept`,`course`,`grade` FROM `db`.`enroll` NATURAL LEFT JOIN `db`.`grade` WHERE (grade IS NULL)
-- count: SELECT count(*) FROM `db`.`enroll` NATURAL LEFT JOIN `db`.`grade` WHERE (grade IS NULL)

-- left join then join
SELECT `student_id`,`dept`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`declare_date`,`dept_name` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` NATURAL JOIN `db`.`#department`
-- count: SELECT count(*) FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` NATURAL JOIN `db`.`#department`

-- join then left join
SELECT `dept`,`student_id`,`dept_name`,`declare_date` FROM `db`.`#department` NATURAL LEFT JOIN (SELECT `student_id`,`dept`,`declare_date` FROM `db`.`student_major` WHERE (declare_date > ?)) as `$1`
-- args: []interface {}{"2020-01-01"}
-- count: SELECT count(*) FROM `db`.`#department` NATURAL LEFT JOIN (SELECT `student_id`,`dept`,`declare_date` FROM `db`.`student_major` WHERE (declare_date > ?)) as `$1` []interface {}{"2020-01-01"}

-- join with left join
SELECT `student_id`,`dept`,`course`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`declare_date` FROM `db`.`enroll` NATURAL JOIN (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`dept`,`declare_date` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major`) as `$1`
-- count: SELECT count(DISTINCT `student_id`,`dept`,`course`) FROM `db`.`enroll` NATURAL JOIN (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`dept`,`declare_date` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major`) as `$1`

-- left join twice
SELECT `student_id`,`dept`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`declare_date`,`dept_name` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` NATURAL LEFT JOIN `db`.`#department`
-- count: SELECT count(*) FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` NATURAL LEFT JOIN `db`.`#department`

-- left join semijoin
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`dept`,`declare_date` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` WHERE ((`dept`) IN (SELECT `dept` FROM `db`.`#department` WHERE (`dept`=?)))
-- args: []interface {}{"CS"}
-- count: SELECT count(*) FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` WHERE ((`dept`) IN (SELECT `dept` FROM `db`.`#department` WHERE (`dept`=?))) []interface {}{"CS"}

-- u over left join
SELECT DISTINCT `dept` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major`
-- count: SELECT count(*) FROM (SELECT DISTINCT `dept` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major`) as `$1`

-- u aggr over left join
SELECT `dept`,(count(*)) as `n` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` GROUP BY `dept`
-- count: SELECT count(*) FROM (SELECT `dept`,(count(*)) as `n` FROM `db`.`student` NATURAL LEFT JOIN `db`.`student_major` GROUP BY `dept`) as `$1`

-- left join u
SELECT `student_id`,`declare_date`,`dept` FROM `db`.`student_major`
-- count: SELECT count(DISTINCT `student_id`,`declare_date`) FROM `db`.`student_major`

-- left join aggregation
SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state`,`n` FROM `db`.`student` NATURAL LEFT JOIN (SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`) as `$1`
-- count: SELECT count(*) FROM `db`.`student` NATURAL LEFT JOIN (SELECT `student_id`,(count(*)) as `n` FROM `db`.`student` NATURAL JOIN `db`.`enroll` GROUP BY `student_id`) as `$1`

-- permissive join
SELECT `student_id`,`classmate`,`dept` FROM (SELECT `student_id`,`dept` FROM `db`.`student_major`) as `$1` NATURAL JOIN (SELECT `student_id` as `classmate`,`dept` FROM `db`.`student_major`) as `$2`
-- count: SELECT count(DISTINCT `student_id`,`classmate`) FROM (SELECT `student_id`,`dept` FROM `db`.`student_major`) as `$1` NATURAL JOIN (SELECT `student_id` as `classmate`,`dept` FROM `db`.`student_major`) as `$2`

-- permissive left join
SELECT `student_id`,`classmate`,`dept` FROM `db`.`student_major` NATURAL LEFT JOIN (SELECT `classmate`,`dept` FROM (SELECT `student_id` as `classmate`,`dept` FROM `db`.`student_major`) as `$1` WHERE (classmate > ?)) as `$2`
-- args: []interface {}{4}
-- count: SELECT count(*) FROM `db`.`student_major` NATURAL LEFT JOIN (SELECT `classmate`,`dept` FROM (SELECT `student_id` as `classmate`,`dept` FROM `db`.`student_major`) as `$1` WHERE (classmate > ?)) as `$2` []interface {}{4}

-- permissive restrict
SELECT `student_id`,`dept`,`declare_date` FROM `db`.`student_major` WHERE ((`dept`) IN (SELECT `dept` FROM (SELECT `student_id` as `classmate`,`dept` FROM `db`.`student_major`) as `$1` WHERE (classmate = ?)))
-- args: []interface {}{1}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student_major` WHERE ((`dept`) IN (SELECT `dept` FROM (SELECT `student_id` as `classmate`,`dept` FROM `db`.`student_major`) as `$1` WHERE (classmate = ?))) []interface {}{1}

-- permissive exclude
SELECT `student_id`,`dept`,`declare_date` FROM `db`.`student_major` WHERE ((`dept`) NOT IN (SELECT `dept` FROM (SELECT `student_id` as `classmate`,`dept` FROM `db`.`student_major`) as `$1` WHERE (classmate = ?)))
-- args: []interface {}{1}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student_major` WHERE ((`dept`) NOT IN (SELECT `dept` FROM (SELECT `student_id` as `classmate`,`dept` FROM `db`.`student_major`) as `$1` WHERE (classmate = ?))) []interface {}{1}

-- permissive not
SELECT `student_id`,`dept`,`declare_date` FROM `db`.`student_major` WHERE ((`dept`) NOT IN (SELECT `dept` FROM (SELECT `student_id` as `classmate`,`dept` FROM `db`.`student_major`) as `$1` WHERE (classmate = ?)))
-- args: []interface {}{1}
-- count: SELECT count(DISTINCT `student_id`) FROM `db`.`student_major` WHERE ((`dept`) NOT IN (SELECT `dept` FROM (SELECT `student_id` as `classmate`,`dept` FROM `db`.`student_major`) as `$1` WHERE (classmate = ?))) []interface {}{1}

-- u restrict permissive
SELECT DISTINCT `dept` FROM `db`.`student_major`
-- count: SELECT count(DISTINCT `dept`) FROM `db`.`student_major`

-- aggr no common
SELECT `dept`,(count(*)) as `n` FROM `db`.`#department` NATURAL JOIN `db`.`student` GROUP BY `dept`
-- count: SELECT count(*) FROM (SELECT `dept`,(count(*)) as `n` FROM `db`.`#department` NATURAL JOIN `db`.`student` GROUP BY `dept`) as `$1`

-- aggr no common keep all
SELECT `dept`,(count(student_id)) as `n` FROM `db`.`#department` NATURAL LEFT JOIN (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (student_id > ?)) as `$1` GROUP BY `dept`
-- args: []interface {}{100}
-- count: SELECT count(*) FROM (SELECT `dept`,(count(student_id)) as `n` FROM `db`.`#department` NATURAL LEFT JOIN (SELECT `student_id`,`first_name`,`last_name`,`date_of_birth`,`home_state` FROM `db`.`student` WHERE (student_id > ?)) as `$1` GROUP BY `dept`) as `$2` []interface {}{100}

-- aggr no common restricted
SELECT `dept`,(count(*)) as `n`,(min(last_name)) as `first` FROM `db`.`#department` NATURAL JOIN `db`.`student` WHERE (dept <> ?)AND(`home_state`=?) GROUP BY `dept`
-- args: []interface {}{"CS", "CA"}
-- count: SELECT count(*) FROM (SELECT `dept`,(count(*)) as `n`,(min(last_name)) as `first` FROM `db`.`#department` NATURAL JOIN `db`.`student` WHERE (dept <> ?)AND(`home_state`=?) GROUP BY `dept`) as `$1` []interface {}{"CS", "CA"}

