package inspect_test

import (
	"fmt"

	"github.com/datajoint-go/datajoint/dj/blob"
	"github.com/datajoint-go/datajoint/dj/inspect"
)

// Class names as DataJoint gives them to MySQL table names.
func ExampleClassPath() {
	for _, name := range []string{"session", "#species", "_recording", "__spike_sorting", "__spike_sorting__unit", "~jobs"} {
		fmt.Println(name, "→", inspect.ClassPath(name))
	}
	// Output:
	// session → Session
	// #species → Species
	// _recording → Recording
	// __spike_sorting → SpikeSorting
	// __spike_sorting__unit → SpikeSorting.Unit
	// ~jobs → ~jobs
}

// Blob values as a preview shows them.
func ExampleSummary() {
	arr, _ := blob.NewArray([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Println(inspect.Summary(arr))
	fmt.Println(inspect.Summary([]any{int64(1), "a"}))
	fmt.Println(inspect.Summary("a rather long string of text"))
	fmt.Println(inspect.Summary(2.5))
	// Output:
	// <2×3 float64>
	// <list 2>
	// "a rather long string"…
	// 2.5
}

// A preview laid out as DataJoint for Python shows a query.
func ExamplePreviewTable_Format() {
	p := &inspect.PreviewTable{
		Columns:    []string{"subject_id", "species", "trace"},
		PrimaryKey: []string{"subject_id"},
		Rows:       [][]string{{"1", "mouse", "<100 float64>"}, {"2", "rat", "NULL"}},
		More:       true,
		Total:      7,
	}
	fmt.Print(p.Format(0))
	// Output:
	// *subject_id   species   trace
	// +-----------+ +-------+ +-------------+
	// 1             mouse     <100 float64>
	// 2             rat       NULL
	//    ...
	//  (Total: 7)
}

// The default package name of generated code.
func ExamplePackageName() {
	fmt.Println(inspect.PackageName("lab_pipeline"), inspect.PackageName("2024-ephys"))
	// Output: labpipeline pipeline2024ephys
}
