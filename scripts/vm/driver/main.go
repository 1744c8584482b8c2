// Command driver runs one VM test guest under QEMU and decides the test
// from what the guest prints on its serial console (scripts/vm-test.sh).
//
// The guest's check script (scripts/vm/guest.sh) prints one line per
// event, and the driver acts on these and on nothing else:
//
//	SENSORD-CHECK ok NAME [detail]     a check passed
//	SENSORD-CHECK FAIL NAME: why       a check failed
//	SENSORD-INFO text                  a figure, printed as it comes
//	SENSORD-WANT gpio LINE 0|1         drive the PL061 input through qtest
//	SENSORD-WANT screendump NAME       QMP screendump of the console to OUT/NAME.png
//	SENSORD-WANT powercut              SIGKILL QEMU, then boot it again
//	SENSORD-END                        the guest is done
//
// Each WANT but the power cut is answered on the serial line with
// "SENSORD-DONE WHAT" once done, so the guest never guesses when the
// host has acted. No sleeps: every wait is for a line, with a deadline.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type driver struct {
	out      string
	serial   string // the unix socket of the serial console
	qmp      string
	qtest    string
	log      *os.File
	idle     time.Duration
	deadline time.Time
	t0       time.Time
	passed   []string
	failed   []string
	gpioPath string
	qmpConn  *qmpClient
	qtConn   *bufio.ReadWriter
	boots    int
	cutAt    string // the guest's clock when it asked for the power cut
}

func main() {
	d := &driver{t0: time.Now()}
	flag.StringVar(&d.out, "out", "", "folder for the serial log and the screendumps")
	idle := flag.Duration("idle", 8*time.Minute, "longest wait for the next line from the guest (a TCG boot on a busy host is slow)")
	total := flag.Duration("timeout", 40*time.Minute, "longest whole run")
	flag.Parse()
	if d.out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: driver -out DIR -- qemu-system-... ARGS (the driver adds the serial, QMP and qtest sockets)")
		os.Exit(2)
	}
	d.idle, d.deadline = *idle, time.Now().Add(*total)
	if err := os.MkdirAll(d.out, 0o755); err != nil {
		fatal(err)
	}
	sock, err := os.MkdirTemp("", "sensord-vm-sock.")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(sock)
	d.serial, d.qmp, d.qtest = filepath.Join(sock, "serial"), filepath.Join(sock, "qmp"), filepath.Join(sock, "qtest")
	logPath := filepath.Join(d.out, "serial.log")
	d.log, err = os.Create(logPath)
	if err != nil {
		fatal(err)
	}
	err = d.run(flag.Args())
	d.log.Close()
	fmt.Printf("vm-test: serial log: %s\n", logPath)
	if err != nil {
		d.failed = append(d.failed, "driver: "+err.Error())
	}
	for _, f := range d.failed {
		fmt.Printf("vm-test: FAILED %s\n", f)
	}
	fmt.Printf("vm-test: %d passed, %d failed\n", len(d.passed), len(d.failed))
	if len(d.failed) > 0 {
		if b, err := os.ReadFile(logPath); err == nil {
			lines := strings.Split(string(b), "\n")
			if len(lines) > 60 {
				lines = lines[len(lines)-60:]
			}
			fmt.Printf("vm-test: last lines of %s:\n%s\n", logPath, strings.Join(lines, "\n"))
		}
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "vm-test:", err)
	os.Exit(1)
}

func (d *driver) say(format string, a ...any) {
	fmt.Printf("vm-test: [%4.0fs] %s\n", time.Since(d.t0).Seconds(), fmt.Sprintf(format, a...))
}

// run boots QEMU until the guest says it is done; a power cut boots it again.
func (d *driver) run(qemu []string) error {
	for {
		d.boots++
		again, err := d.boot(qemu)
		if err != nil || !again {
			return err
		}
	}
}

func (d *driver) boot(qemu []string) (again bool, err error) {
	for _, p := range []string{d.serial, d.qmp, d.qtest} {
		os.Remove(p)
	}
	args := append(qemu[1:],
		"-chardev", "socket,id=ser0,path="+d.serial+",server=on,wait=on",
		"-serial", "chardev:ser0",
		"-chardev", "socket,id=qmp0,path="+d.qmp+",server=on,wait=off",
		"-mon", "chardev=qmp0,mode=control",
		"-qtest", "unix:"+d.qtest+",server=on,wait=off")
	cmd := exec.Command(qemu[0], args...)
	stderr, _ := os.Create(filepath.Join(d.out, fmt.Sprintf("qemu-%d.log", d.boots)))
	defer stderr.Close()
	cmd.Stdout, cmd.Stderr = stderr, stderr
	// QEMU dies with the driver: a killed test leaves no VM spinning a core.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return false, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	kill := func() { cmd.Process.Kill(); <-exited }
	start := time.Now()
	d.say("boot %d: QEMU started (pid %d)", d.boots, cmd.Process.Pid)
	ser, err := dial(d.serial, exited)
	if err != nil {
		kill()
		return false, fmt.Errorf("boot %d: serial console: %w", d.boots, err)
	}
	defer ser.Close()
	if d.qmpConn, err = dialQMP(d.qmp, exited); err != nil {
		kill()
		return false, fmt.Errorf("boot %d: QMP: %w", d.boots, err)
	}
	defer d.qmpConn.c.Close()
	qt, err := dial(d.qtest, exited)
	if err != nil {
		kill()
		return false, fmt.Errorf("boot %d: qtest: %w", d.boots, err)
	}
	defer qt.Close()
	d.qtConn = bufio.NewReadWriter(bufio.NewReader(qt), bufio.NewWriter(qt))
	if d.gpioPath, err = d.qmpConn.findDevice("/machine/unattached", "child<pl061>"); err != nil {
		kill()
		return false, fmt.Errorf("boot %d: the PL061 GPIO controller: %w", d.boots, err)
	}

	lines := make(chan string)
	go func() {
		r := bufio.NewReader(ser)
		for {
			l, err := r.ReadString('\n')
			if len(l) > 0 {
				fmt.Fprintf(d.log, "%s", l)
				lines <- strings.TrimRight(l, "\r\n")
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	for {
		wait := time.Until(d.deadline)
		if wait > d.idle {
			wait = d.idle
		}
		select {
		case err := <-exited:
			return false, fmt.Errorf("boot %d: QEMU exited before the guest was done: %v", d.boots, err)
		case <-time.After(wait):
			kill()
			return false, fmt.Errorf("boot %d: no line from the guest for %s (passed so far: %d)", d.boots, wait.Round(time.Second), len(d.passed))
		case l, ok := <-lines:
			if !ok {
				kill()
				return false, fmt.Errorf("boot %d: serial console closed", d.boots)
			}
			i := strings.Index(l, "SENSORD-")
			if i < 0 {
				continue
			}
			l = l[i:]
			f := strings.Fields(l)
			switch f[0] {
			case "SENSORD-READY":
				d.say("boot %d: guest up %.1fs after QEMU started or the guest rebooted (%s)", d.boots, time.Since(start).Seconds(), strings.Join(f[1:], " "))
			case "SENSORD-INFO":
				if strings.Contains(l, "rebooting") {
					start = time.Now()
				}
				d.say("%s", l)
			case "SENSORD-CHECK":
				d.check(l)
			case "SENSORD-END":
				d.say("guest done")
				d.qmpConn.cmd(`{"execute":"quit"}`)
				select {
				case <-exited:
				case <-time.After(30 * time.Second):
					kill()
				}
				return false, nil
			case "SENSORD-WANT":
				if len(f) >= 2 && f[1] == "powercut" {
					if len(f) >= 3 {
						d.cutAt = f[2]
					}
					d.say("power cut: SIGKILL to QEMU (pid %d)", cmd.Process.Pid)
					cmd.Process.Signal(syscall.SIGKILL)
					<-exited
					return true, nil
				}
				reply, err := d.want(f[1:])
				if err != nil {
					d.failed = append(d.failed, "host: "+strings.Join(f[1:], " ")+": "+err.Error())
					reply = "SENSORD-FAILED " + f[1]
				}
				if _, err := io.WriteString(ser, reply+"\n"); err != nil {
					kill()
					return false, err
				}
			}
		}
	}
}

func (d *driver) check(l string) {
	f := strings.Fields(l)
	if len(f) >= 3 && f[1] == "ok" {
		d.passed = append(d.passed, f[2])
		d.say("ok   %s", strings.Join(f[2:], " "))
		return
	}
	d.failed = append(d.failed, strings.TrimPrefix(strings.TrimPrefix(l, "SENSORD-CHECK"), " FAIL "))
	d.say("FAIL %s", strings.TrimPrefix(l, "SENSORD-CHECK FAIL "))
}

// want does what the guest asked and returns the line that tells it so.
func (d *driver) want(f []string) (string, error) {
	switch {
	case len(f) == 3 && f[0] == "gpio":
		if _, err := strconv.Atoi(f[1]); err != nil || (f[2] != "0" && f[2] != "1") {
			return "", fmt.Errorf("bad request")
		}
		// The PL061's inputs are its unnamed GPIO inputs, one per line.
		fmt.Fprintf(d.qtConn, "set_irq_in %s unnamed-gpio-in %s %s\n", d.gpioPath, f[1], f[2])
		d.qtConn.Flush()
		for {
			l, err := d.qtConn.ReadString('\n')
			if err != nil {
				return "", err
			}
			if strings.HasPrefix(l, "IRQ") { // asynchronous interrupt notices
				continue
			}
			if !strings.HasPrefix(l, "OK") {
				return "", fmt.Errorf("qtest: %s", strings.TrimSpace(l))
			}
			break
		}
		d.say("host: GPIO line %s set to %s", f[1], f[2])
		return "SENSORD-DONE gpio", nil
	case len(f) == 1 && f[0] == "cut-time":
		if d.cutAt == "" {
			return "", fmt.Errorf("no power cut yet")
		}
		return "SENSORD-DONE cut-time " + d.cutAt, nil
	case len(f) == 2 && f[0] == "screendump":
		ppm := filepath.Join(d.out, f[1]+".ppm")
		if err := d.qmpConn.cmd(fmt.Sprintf(`{"execute":"screendump","arguments":{"filename":%q}}`, ppm)); err != nil {
			return "", err
		}
		pngPath := filepath.Join(d.out, f[1]+".png")
		if err := ppmToPNG(ppm, pngPath); err != nil {
			return "", err
		}
		os.Remove(ppm)
		d.say("host: screendump %s", pngPath)
		return "SENSORD-DONE screendump", nil
	}
	return "", fmt.Errorf("unknown request")
}

// dial connects to a QEMU socket as soon as QEMU has made it.
func dial(path string, exited chan error) (net.Conn, error) {
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.Dial("unix", path)
		if err == nil {
			return c, nil
		}
		select {
		case e := <-exited:
			exited <- e
			return nil, fmt.Errorf("QEMU exited: %v", e)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, err
		}
	}
}

type qmpClient struct {
	c net.Conn
	r *bufio.Reader
}

func dialQMP(path string, exited chan error) (*qmpClient, error) {
	c, err := dial(path, exited)
	if err != nil {
		return nil, err
	}
	q := &qmpClient{c: c, r: bufio.NewReader(c)}
	if _, err := q.r.ReadString('\n'); err != nil { // the greeting
		return nil, err
	}
	return q, q.cmd(`{"execute":"qmp_capabilities"}`)
}

// call sends one command and returns its "return", skipping events.
func (q *qmpClient) call(c string) (json.RawMessage, error) {
	q.c.SetDeadline(time.Now().Add(60 * time.Second))
	defer q.c.SetDeadline(time.Time{})
	if _, err := io.WriteString(q.c, c+"\n"); err != nil {
		return nil, err
	}
	for {
		l, err := q.r.ReadBytes('\n')
		if err != nil {
			return nil, err
		}
		var m struct {
			Return json.RawMessage `json:"return"`
			Error  *struct {
				Desc string `json:"desc"`
			} `json:"error"`
		}
		if json.Unmarshal(l, &m) != nil {
			continue
		}
		if m.Error != nil {
			return nil, errors.New("qmp: " + m.Error.Desc)
		}
		if m.Return != nil {
			return m.Return, nil
		}
	}
}

func (q *qmpClient) cmd(c string) error { _, err := q.call(c); return err }

// findDevice returns the QOM path of the child of parent with that type.
func (q *qmpClient) findDevice(parent, typ string) (string, error) {
	r, err := q.call(fmt.Sprintf(`{"execute":"qom-list","arguments":{"path":%q}}`, parent))
	if err != nil {
		return "", err
	}
	var props []struct{ Name, Type string }
	if err := json.Unmarshal(r, &props); err != nil {
		return "", err
	}
	for _, p := range props {
		if p.Type == typ {
			return parent + "/" + p.Name, nil
		}
	}
	return "", fmt.Errorf("no %s under %s", typ, parent)
}

// ppmToPNG converts QEMU's binary PPM (P6, maxval 255) screendump.
func ppmToPNG(in, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var w, h, max int
	var magic string
	n, err := fmt.Sscan(string(b[:min(len(b), 64)]), &magic, &w, &h, &max)
	if err != nil || n != 4 || magic != "P6" || max != 255 {
		return fmt.Errorf("%s: not a P6 PPM", in)
	}
	// The pixels start after the fourth header field and one whitespace byte.
	off, fields := 0, 0
	for fields < 4 && off < len(b) {
		for off < len(b) && bytes.IndexByte([]byte(" \t\r\n"), b[off]) >= 0 {
			off++
		}
		for off < len(b) && bytes.IndexByte([]byte(" \t\r\n"), b[off]) < 0 {
			off++
		}
		fields++
	}
	off++
	if len(b)-off < w*h*3 {
		return fmt.Errorf("%s: short PPM", in)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		p := b[off+3*i:]
		img.Set(i%w, i/w, color.RGBA{p[0], p[1], p[2], 255})
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
