// Package board is the hardware: real periph.io GPIO and I2C on a
// Raspberry Pi, or a simulated board below the same drivers. It is the
// only package that imports periph.io/x/host.
//
// # What it hands out
//
// Open returns a Board. Board.I2C gives an i2c.Bus for the light sensor,
// Board.Pin a gpio.PinIn for the PIR. The Board owns them: it opens them
// and Board.Close closes them; sensor code uses them and never closes
// them. Open touches no hardware, so a missing device shows up as an
// error from I2C or Pin, which the sensor reports as offline and retries.
//
// # Real board
//
// GPIO goes through the Linux GPIO character device with periph's
// gpioioctl driver, the only host driver this package imports, started
// with driverreg.Init. It works on every Pi up to the Pi 5 (whose GPIO
// header is on the RP1 chip). host.Init and its bcm283x driver are not
// used: they map the Pi 4's register layout through /dev/gpiomem.
//
// I2C goes through /dev/i2c-N with the I2C_RDWR ioctl (i2cdev_linux.go),
// bus 1 by default; never i2creg.Open(""), which picks the lowest bus
// number, often the HDMI DDC bus. The ioctl is ours, not periph's sysfs
// package, because importing sysfs registers its GPIO, SPI, LED and
// thermal drivers too, and sysfs-gpio would then fight gpioioctl over
// pin names in driverreg.Init.
//
// Errors name the device and what to do: the group to join (gpio, i2c)
// or the config.txt line to add (dtparam=i2c_arm=on).
//
// # Simulated board
//
// The simulation sits below the drivers, so --board sim runs the same
// driver code as a Pi:
//
//   - SimBH1750 is an i2c.Bus with a BH1750 that answers its instruction
//     set byte for byte (see simlight.go), with conversion times as on
//     the chip and a day curve with noise (DayLux).
//   - SimPIR is a gpio.PinIn with HC-SR501-like pulses: a trigger every
//     25 s on average, held 2.5-5 s, retriggered while high, never
//     longer than 20 s (PIRMaxPulse), so a longer pulse is a fault.
//
// Both run on an injected clockwork.Clock, so tests advance a fake clock
// and never sleep, and on a seeded PRNG (Config.Seed; 0 picks a seed
// from the clock, reported by Board.Seed for the log).
//
// # Faults
//
// The simulation misbehaves on a schedule given with --sim-faults
// (config key board.sim_faults; see ParseFaults for the syntax, for
// example "light-unplug@5s-15s,pir-stuck@20s-30s,i2c-errors=0.1"), whose
// offsets count from the start of the sensor process, so the schedule
// starts over each time the daemon restarts it. At run time
// Board.Fault switches the same faults on and off (ipc.OpSimFault with
// SimUnplug, SimReplug, SimBusErrorsOn/Off, SimStuckHigh,
// SimRelease). A fault is on while either the schedule or a run-time
// switch says so. A hang is not in the hardware: SimHang (7) at run
// time, or light-hang@5s / motion-hang@5s in the schedule (HangAt), makes
// the sensor's main loop (package sensor) block until the process is
// stopped, so it stops pinging its watchdog while the process stays
// alive; the board only accepts or schedules it.
//
// An unplugged BH1750 answers nothing (ErrSimNACK, like EREMOTEIO on
// /dev/i2c-N) and, plugged back, is in its power-up state (power down,
// data 0), so the driver must set it up again, as on real hardware.
package board
