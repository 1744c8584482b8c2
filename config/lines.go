package config

import (
	"fmt"

	"github.com/pelletier/go-toml/v2/unstable"
)

// lines is where each key of a TOML document is, found with go-toml's
// parser (which keeps byte ranges), so errors can name a line that
// go-toml's decoder does not report.
type lines struct {
	line    map[string]int // dotted key -> line of its first definition
	at      []keyPos       // every key definition, in order
	problem *problem       // the first duplicate key or array table
}

type keyPos struct {
	key       string
	line, col int
}

type problem struct {
	key  string
	line int
	msg  string
}

// scan finds the keys of b. It stops at a syntax error, which the
// decoder reports with its position anyway.
func scan(b []byte) lines {
	l := lines{line: map[string]int{}}
	var p unstable.Parser
	p.Reset(b)
	table := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table:
			table = dotted(e.Key())
			l.add(&p, table, first(e.Key()))
		case unstable.ArrayTable:
			table = dotted(e.Key())
			l.add(&p, table, first(e.Key()))
			l.fail(table, l.line[table], "write ["+table+"]: the file has one table of each name, not an array of tables")
		case unstable.KeyValue:
			l.keyValue(&p, table, e)
		}
	}
	return l
}

func (l *lines) keyValue(p *unstable.Parser, table string, e *unstable.Node) {
	name := join(table, dotted(e.Key()))
	l.add(p, name, first(e.Key()))
	if v := e.Value(); v.Kind == unstable.InlineTable {
		for it := v.Children(); it.Next(); {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				l.keyValue(p, name, c)
			}
		}
	}
}

// add records a key at the position of its first part.
func (l *lines) add(p *unstable.Parser, name string, k *unstable.Node) {
	pos := p.Shape(k.Raw).Start
	if n, dup := l.line[name]; dup {
		l.fail(name, pos.Line, fmt.Sprintf("defined twice (first on line %d); keep one", n))
		return
	}
	l.line[name] = pos.Line
	l.at = append(l.at, keyPos{name, pos.Line, pos.Column})
}

func (l *lines) fail(key string, line int, msg string) {
	if l.problem == nil {
		l.problem = &problem{key, line, msg}
	}
}

// keyAt is the key defined on line at or before col: the one whose value
// the decoder's error points into.
func (l lines) keyAt(line, col int) string {
	name := ""
	for _, k := range l.at {
		if k.line == line && k.col <= col {
			name = k.key
		}
	}
	return name
}

func first(it unstable.Iterator) *unstable.Node {
	it.Next()
	return it.Node()
}

func dotted(it unstable.Iterator) string {
	s := ""
	for it.Next() {
		s = join(s, string(it.Node().Data))
	}
	return s
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
