package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

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

// Parse decodes TOML b (named path in errors) over base.
func Parse(path string, b []byte, base Config) (Config, error) {
	dec := toml.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	c := base
	if err := dec.Decode(&c); err != nil {
		return base, describe(path, err)
	}
	if err := c.Validate(); err != nil {
		return base, fmt.Errorf("config: %s: %w", path, err)
	}
	return c, nil
}

func describe(path string, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) && len(strict.Errors) > 0 {
		e := strict.Errors[0]
		row, _ := e.Position()
		return fmt.Errorf("config: %s:%d: unknown key %q", path, row, joinKey(e.Key()))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, _ := de.Position()
		return fmt.Errorf("config: %s:%d: key %q: %s", path, row, joinKey(de.Key()), de.Error())
	}
	return fmt.Errorf("config: %s: %w", path, err)
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

// Validate checks values that TOML types alone do not.
func (c Config) Validate() error {
	switch c.Board.Kind {
	case "auto", "pi", "sim":
	default:
		return fmt.Errorf("board.kind = %q: must be auto, pi or sim", c.Board.Kind)
	}
	if c.Supervisor.Poll.D() < time.Millisecond {
		return fmt.Errorf("supervisor.poll = %s: must be at least 1ms", c.Supervisor.Poll.D())
	}
	if c.Supervisor.Grace.D() <= 0 {
		return fmt.Errorf("supervisor.grace = %s: must be positive", c.Supervisor.Grace.D())
	}
	if c.Light.Interval.D() < time.Millisecond {
		return fmt.Errorf("light.interval = %s: must be at least 1ms", c.Light.Interval.D())
	}
	if c.Logger.Dir == "" {
		return fmt.Errorf("logger.dir is empty: name the data directory")
	}
	return nil
}
