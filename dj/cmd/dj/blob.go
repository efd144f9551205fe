package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"

	"github.com/datajoint-go/datajoint/dj/blob"
)

func init() {
	commands["blob"] = command{
		summary: "decode a DataJoint blob to a JSON value description, or encode one",
		run:     runBlob,
	}
}

const blobUsage = `usage:
	dj blob decode [--hex] [--full] [--legacy32] < blob
	dj blob encode [--compress=true|false] < description.json

decode reads a blob (raw bytes, or hex with --hex) on stdin and prints the
decoded value as a JSON value description (the format of the DataJoint blob
golden vectors). Arrays over 10,000 elements are summarised by data_sha256
and data_head unless --full is given.

encode reads a JSON value description on stdin and prints the blob as hex.
By default it compresses as DataJoint's inserts do (payloads over 1000 bytes
that zlib makes shorter).
`

// runBlob implements "dj blob decode" and "dj blob encode".
func runBlob(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if err := subcommandUsage(args, blobUsage, stdout, stderr); err != nil {
		return err
	}
	switch args[0] {
	case "decode":
		return blobDecode(ctx, args[1:], stdin, stdout, stderr)
	case "encode":
		return blobEncode(ctx, args[1:], stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "dj blob: unknown subcommand %q\n%s", args[0], blobUsage)
	return errUsage
}

func blobFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("dj blob "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, blobUsage) }
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected arguments %q\n", fs.Name(), fs.Args())
		return errUsage
	}
	return nil
}

func blobDecode(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := blobFlags("decode", stderr)
	asHex := fs.Bool("hex", false, "stdin holds the blob as hexadecimal text")
	full := fs.Bool("full", false, "write every array element (no data_sha256 summaries)")
	legacy := fs.Bool("legacy32", false, "read lengths as 32-bit (blobs of the 32-bit mYm)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := io.ReadAll(stdin)
	if err != nil {
		return fmt.Errorf("blob decode: read stdin: %w", err)
	}
	if *asHex {
		data, err = hex.DecodeString(string(bytes.TrimSpace(data)))
		if err != nil {
			return fmt.Errorf("blob decode: --hex: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var opts []blob.Option
	if *legacy {
		opts = append(opts, blob.Legacy32Bit())
	}
	v, err := blob.Decode(data, opts...)
	if err != nil {
		return fmt.Errorf("blob decode: %w", err)
	}
	describe := blob.Describe
	if *full {
		describe = blob.DescribeFull
	}
	out, err := describe(v)
	if err != nil {
		return fmt.Errorf("blob decode: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

func blobEncode(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := blobFlags("encode", stderr)
	compress := fs.Bool("compress", true, "compress payloads over 1000 bytes when that makes them shorter")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := io.ReadAll(stdin)
	if err != nil {
		return fmt.Errorf("blob encode: read stdin: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	v, err := blob.ParseDescription(data)
	if err != nil {
		return fmt.Errorf("blob encode: %w", err)
	}
	b, err := blob.Marshal(v, blob.Compress(*compress))
	if err != nil {
		return fmt.Errorf("blob encode: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "%x\n", b)
	return err
}
