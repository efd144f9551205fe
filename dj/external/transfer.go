package external

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// DefaultConcurrency is the number of simultaneous transfers PutMany and
// GetMany use when asked for zero or fewer.
const DefaultConcurrency = 16

// Object is one object to upload.
type Object struct {
	Key  string
	Data []byte
}

// TransferError reports the items of PutMany or GetMany that failed. Errs
// has one entry per item, in input order; nil entries succeeded.
// errors.Is and errors.As look through every failure.
type TransferError struct {
	Errs []error
}

// Error summarises the failures and shows the first.
func (e *TransferError) Error() string {
	n, first := 0, error(nil)
	for _, err := range e.Errs {
		if err != nil {
			if first == nil {
				first = err
			}
			n++
		}
	}
	return fmt.Sprintf("%d of %d transfers failed; first: %v", n, len(e.Errs), first)
}

// Unwrap returns the distinct non-nil errors.
func (e *TransferError) Unwrap() []error {
	var out []error
	for _, err := range e.Errs {
		if err != nil && !slices.Contains(out, err) {
			out = append(out, err)
		}
	}
	return out
}

// Failed returns the indexes of the items that failed.
func (e *TransferError) Failed() []int {
	var out []int
	for i, err := range e.Errs {
		if err != nil {
			out = append(out, i)
		}
	}
	return out
}

// PutMany uploads objs with at most concurrency transfers at a time
// (DefaultConcurrency if concurrency <= 0). Objects with the same key are
// uploaded once: keys are content addresses, so equal keys mean equal
// contents. It returns nil when every object was stored, otherwise a
// *TransferError with one entry per object. When ctx is done, objects not
// yet started fail with the context's error.
func PutMany(ctx context.Context, s Store, objs []Object, concurrency int) error {
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	errs := run(ctx, keys, concurrency, func(ctx context.Context, i int) error {
		return s.Put(ctx, objs[i].Key, objs[i].Data)
	}, s.Name(), "put")
	return transferResult(errs)
}

// GetMany downloads the objects under keys with at most concurrency
// transfers at a time (DefaultConcurrency if concurrency <= 0) and returns
// their contents in the order of keys; a key listed twice is fetched once
// and each occurrence gets its own copy. Items that failed are nil in the
// result and have an entry in the *TransferError (ErrNotFound for missing
// objects).
func GetMany(ctx context.Context, s Store, keys []string, concurrency int) ([][]byte, error) {
	out := make([][]byte, len(keys))
	errs := run(ctx, keys, concurrency, func(ctx context.Context, i int) error {
		b, err := s.Get(ctx, keys[i])
		out[i] = b
		return err
	}, s.Name(), "get")
	// Fill duplicates from the first occurrence.
	first := make(map[string]int, len(keys))
	for i, k := range keys {
		j, seen := first[k]
		if !seen {
			first[k] = i
			continue
		}
		if errs[i] == nil && out[j] != nil {
			out[i] = slices.Clone(out[j])
		}
	}
	return out, transferResult(errs)
}

func transferResult(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return &TransferError{Errs: errs}
		}
	}
	return nil
}

// run calls do once per distinct key (at the index of its first
// occurrence) on up to concurrency goroutines and returns one error per
// key, copying the result of a key to its duplicates.
func run(ctx context.Context, keys []string, concurrency int, do func(context.Context, int) error, store, op string) []error {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	errs := make([]error, len(keys))
	firstOf := make(map[string]int, len(keys))
	var work []int
	for i, k := range keys {
		if _, dup := firstOf[k]; !dup {
			firstOf[k] = i
			work = append(work, i)
		}
	}
	concurrency = min(concurrency, len(work))
	next := make(chan int)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := ctx.Err(); err != nil {
					errs[i] = failure(op, store, keys[i], ErrStore, err)
					continue
				}
				errs[i] = do(ctx, i)
			}
		}()
	}
feed:
	for n, i := range work {
		select {
		case next <- i:
		case <-ctx.Done():
			for _, j := range work[n:] {
				errs[j] = failure(op, store, keys[j], ErrStore, ctx.Err())
			}
			break feed
		}
	}
	close(next)
	wg.Wait()
	for i, k := range keys {
		if j := firstOf[k]; j != i {
			errs[i] = errs[j]
		}
	}
	return errs
}

// isNotFound reports whether err says an object is missing.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// hexName returns the 32-digit lowercase hex name at the end of key, if the
// key ends in one (the key of a blob).
func hexName(key string) (Hash, bool) {
	base := key[strings.LastIndex(key, "/")+1:]
	if len(base) != 32 || strings.ToLower(base) != base {
		return Hash{}, false
	}
	h, err := ParseHash(base)
	return h, err == nil
}
