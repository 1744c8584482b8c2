package config

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Marshal writes c as TOML that Parse reads back to c: one table per
// section, each key preceded by a comment line saying what it does.
// `sensord config` prints it.
func Marshal(c Config) []byte {
	return marshal(c, nil)
}

// MarshalCommented is Marshal with every key line commented out ("# key
// = value") except the keys named in active: a file that documents the
// defaults without pinning them, like the packaged /etc/sensord/sensord.toml.
func MarshalCommented(c Config, active ...string) []byte {
	on := map[string]bool{}
	for _, a := range active {
		on[a] = true
	}
	return marshal(c, func(name string) bool { return !on[name] })
}

func marshal(c Config, commentOut func(name string) bool) []byte {
	var b bytes.Buffer
	table := ""
	for _, k := range keys {
		t, name, _ := strings.Cut(k.name, ".")
		if t != table {
			if table != "" {
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, "[%s]\n", t)
			table = t
		}
		fmt.Fprintf(&b, "# %s\n", k.doc)
		if commentOut != nil && commentOut(k.name) {
			b.WriteString("# ")
		}
		fmt.Fprintf(&b, "%s = %s\n", name, value(k.get(&c)))
	}
	return b.Bytes()
}

// value formats v as a TOML value.
func value(v any) string {
	switch v := v.(type) {
	case string:
		return quote(v)
	case Duration:
		return quote(v.String())
	case hexInt:
		if v < 0 {
			return strconv.Itoa(int(v))
		}
		return fmt.Sprintf("0x%02X", int(v))
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	}
	panic(fmt.Sprintf("config: no TOML form for %T", v))
}

// quote writes s as a TOML basic string. Go's strconv.Quote is not
// enough: TOML has no \x or \a escapes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError, r < 0x20, r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
