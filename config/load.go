package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"

	"github.com/pelletier/go-toml/v2"
)

// Load reads the file at path over the defaults. A missing file is an
// error only if mustExist is set (the path was given with --config).
func Load(path string, mustExist bool) (Config, error) {
	c := Default()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !mustExist {
		return c, c.Validate()
	}
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	return Parse(path, b, c)
}

// Parse decodes TOML b (named path in errors) over base and validates
// the result. Every error names the file, the line and the key:
// "config: /etc/sensord/sensord.toml:7: light.address: ...". Several
// bad values are reported together, one per line.
func Parse(path string, b []byte, base Config) (Config, error) {
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	c := base
	if err := dec.Decode(&c); err != nil {
		return base, describe(path, b, err)
	}
	if err := c.Validate(); err != nil {
		return base, locate(path, b, err)
	}
	return c, nil
}

// describe turns a go-toml error into one that names file, line and
// key. go-toml gets the line right for unknown keys and tables, wrong
// types and bad durations, but leaves the key empty for the last two and
// gives no position at all for a key defined twice or a [[table]]; the
// scan of the file (scan) fills those in.
func describe(path string, b []byte, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		var errs []error
		for _, e := range strict.Errors {
			row, _ := e.Position()
			what := "unknown key"
			if e.Error() == "toml: missing table" {
				what = "unknown table"
			}
			errs = append(errs, fmt.Errorf("config: %s:%d: %s: %s; see `sensord config` for the keys there are",
				path, row, joinKey(e.Key()), what))
		}
		return errors.Join(errs...)
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		name := joinKey(de.Key())
		if name == "" {
			name = scan(b).keyAt(row, col)
		}
		return fmt.Errorf("config: %s:%d: %s%s", path, row, prefix(name), explain(name, de))
	}
	if p := scan(b).problem; p != nil {
		return fmt.Errorf("config: %s:%d: %s%s", path, p.line, prefix(p.key), p.msg)
	}
	return fmt.Errorf("config: %s: %w", path, err)
}

func prefix(name string) string {
	if name == "" {
		return ""
	}
	return name + ": "
}

var decodeType = regexp.MustCompile(`cannot decode TOML (\w+(?: \w+)?) into`)

// explain says what a key wants when the file gives the wrong type,
// instead of go-toml's Go struct field names.
func explain(name string, de *toml.DecodeError) string {
	m := decodeType.FindStringSubmatch(de.Error())
	k, ok := lookup(name)
	if m == nil || !ok {
		return de.Error()
	}
	return fmt.Sprintf("must be %s, not a TOML %s", kindOf(k.get(&Config{})), m[1])
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case Duration:
		return `a duration string such as "1s"`
	case bool:
		return "true or false"
	}
	return "an integer"
}

// locate adds file and line to each *KeyError of a Validate error. A key
// that the file does not set (its default or a flag is at fault) gets no
// line.
func locate(path string, b []byte, err error) error {
	var ke []*KeyError
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			var k *KeyError
			if errors.As(e, &k) {
				ke = append(ke, k)
			}
		}
	}
	if len(ke) == 0 {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	lines := scan(b)
	errs := make([]error, len(ke))
	for i, k := range ke {
		if n, ok := lines.line[k.Key]; ok {
			errs[i] = fmt.Errorf("config: %s:%d: %w", path, n, k)
		} else {
			errs[i] = fmt.Errorf("config: %s: %w", path, k)
		}
	}
	return errors.Join(errs...)
}

func joinKey(k []string) string {
	s := ""
	for i, p := range k {
		if i > 0 {
			s += "."
		}
		s += p
	}
	return s
}
