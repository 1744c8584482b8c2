// Package config is sensord's configuration: TOML at
// /etc/sensord/sensord.toml (or --config), every key with a default, and
// unknown keys or bad values refused with the file, line and key named.
package config
