package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// broker is empty (no uplink) or mqtt://host[:port] / mqtts://host[:port].
func broker(v string) string {
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "mqtt" && u.Scheme != "mqtts") || u.Hostname() == "" ||
		(u.Path != "" && u.Path != "/") || u.User != nil || u.RawQuery != "" {
		return fmt.Sprintf("%q: write \"mqtt://host[:port]\" or \"mqtts://host[:port]\" (user and password go in uplink.username and uplink.password_file)", v)
	}
	return ""
}

// topic is an MQTT topic prefix: no wildcards, no leading or trailing
// slash.
func topic(v string, emptyOK bool) string {
	switch {
	case v == "" && emptyOK:
		return ""
	case v == "":
		return "is empty; write a topic prefix such as \"homeassistant\""
	case strings.ContainsAny(v, "+#\x00") || strings.HasPrefix(v, "/") || strings.HasSuffix(v, "/"):
		return fmt.Sprintf("%q is not a topic prefix: no '+', '#', and no leading or trailing '/'", v)
	}
	return printable(v)
}

func absFile(v string) string {
	if v == "" || filepath.IsAbs(v) {
		return ""
	}
	return fmt.Sprintf("%q is not an absolute path", v)
}

func keyFile(key, cert string) string {
	if (key == "") != (cert == "") {
		return "uplink.cert_file and uplink.key_file go together; set both or neither"
	}
	return absFile(key)
}
