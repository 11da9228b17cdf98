package zonesign

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// SignFile parses the zone file in (see ParseFile; origin from
// opts.Origin), signs it and writes the signed zone to out atomically: the
// output goes to a temporary file in out's directory, which is synced and
// renamed over out only when signing (and opts.Validate and
// opts.Validator, if set) succeeded.
// On any error, or when ctx is cancelled, no output file is left behind
// and an existing out is untouched. A new out gets mode 0644, a replaced
// one keeps its mode.
//
// While the file is parsed, spare cores sign the RRsets already read; the
// output is the same as ParseFile followed by WriteFile, sooner.
func SignFile(ctx context.Context, in, out string, opts Options) (Stats, error) {
	f, err := os.Open(in)
	if err != nil {
		return Stats{}, fmt.Errorf("zonesign: %w", err)
	}
	defer f.Close()
	if opts.Now.IsZero() {
		opts.Now = time.Now() // the same validity for the signatures made while parsing
	}
	spec := startSpeculation(ctx, &opts)
	var feed func(*Zone, int, int)
	if spec != nil {
		feed = spec.feed
	}
	z, err := parse(ctx, f, in, opts.Origin, true, feed)
	cache := spec.stop()
	if err != nil {
		return Stats{}, err
	}
	return writeFile(ctx, z, out, opts, cache)
}

// WriteFile signs z and writes it to the file out atomically, as SignFile
// does.
func WriteFile(ctx context.Context, z *Zone, out string, opts Options) (Stats, error) {
	return writeFile(ctx, z, out, opts, nil)
}

func writeFile(ctx context.Context, z *Zone, out string, opts Options, cache *specCache) (st Stats, err error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, fmt.Errorf("zonesign: %w", err)
	}
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(out); err == nil {
		if !fi.Mode().IsRegular() {
			return Stats{}, fmt.Errorf("zonesign: %s is not a regular file", out)
		}
		mode = fi.Mode().Perm()
	}
	dir, base := filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return Stats{}, fmt.Errorf("zonesign: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	validate := opts.Validate
	opts.Validate = nil
	bw := bufio.NewWriterSize(f, 1<<20)
	st, err = sign(ctx, z, &opts, bw, cache)
	if err != nil {
		return st, err
	}
	if err = bw.Flush(); err != nil {
		return st, fmt.Errorf("zonesign: write %s: %w", tmp, err)
	}
	if err = f.Sync(); err != nil {
		return st, fmt.Errorf("zonesign: sync %s: %w", tmp, err)
	}
	if validate != nil {
		if _, err = f.Seek(0, 0); err != nil {
			return st, fmt.Errorf("zonesign: %w", err)
		}
		if err = validate(ctx, bufio.NewReaderSize(f, 1<<20)); err != nil {
			return st, fmt.Errorf("zonesign: validate: %w", err)
		}
	}
	if err = ctx.Err(); err != nil {
		return st, fmt.Errorf("zonesign: %w", err)
	}
	if err = f.Chmod(mode); err != nil {
		return st, fmt.Errorf("zonesign: %w", err)
	}
	if err = f.Close(); err != nil {
		return st, fmt.Errorf("zonesign: close %s: %w", tmp, err)
	}
	if err = os.Rename(tmp, out); err != nil {
		return st, fmt.Errorf("zonesign: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		if serr := d.Sync(); serr != nil && !errors.Is(serr, os.ErrInvalid) {
			_ = serr // best effort: the rename is done
		}
		d.Close()
	}
	return st, nil
}
