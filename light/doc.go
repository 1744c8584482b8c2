// Package light is the light role of sensord: it samples a BH1750
// ambient-light sensor on I2C and sends lux to the GUI and the logger.
//
// # Contract
//
// The daemon starts it as
//
//	sensord light --gen N --rx 3 --tx-gui 4 --tx-logger 5 --board sim|pi
//	    --seed S --sim-faults STR --bus 1 --address 0x23 --interval 1s
//
// Main (sensor.Main, shared with motion) parses that and calls Run, which
// tests call in-process with real
// pipes and a fake clock. Every sample (ipc.LightSample, float64 lux) and
// every status change (ipc.SensorStatus) goes to both the light-gui and
// the light-logger pipe through one ipc.Sender, so both readers see the
// same (gen, seq). A status is sent at start: ok once the chip answered,
// offline with the reason otherwise. Commands come from the GUI on --rx;
// each gets an ipc.Reply with its ID on the GUI pipe only:
//
//   - OpInfo: model, driver, where ("i2c-1 0x23", "sim i2c-1 0x23"),
//     interval, version.
//   - OpSetInterval (Arg ns): from bh1750.MaxConversion (180 ms) on a
//     Pi, 1 ms on the simulated board, up to an hour;
//     bh1750.CheckInterval says which, and the same check refuses
//     --interval at start and light.interval in the configuration.
//   - OpResend: the current status again, to both pipes.
//   - OpSimFault (Arg a board.SimFault): passed to the board's Fault.
//
// Anything else gets OK false and an Error; nothing a pipe brings can
// crash the process.
//
// # Sampling
//
// One goroutine owns the sensor: it selects over the context, the
// commands (decoded by a reader goroutine) and one timer of the injected
// clockwork.Clock, stopped while it handles a command so that a test's
// fake clock (sensor/sensortest.Clock) sees it wait only when it is idle.
// Samples are due at origin + k·interval, so the
// schedule never drifts; a wake-up later than an interval skips the
// missed samples rather than sending a burst. The first sample comes one
// conversion time after the chip is set up. Changing the interval starts
// the schedule over from now.
//
// # Failure
//
// Each transfer is tried Attempts (4) times, so bus noise costs nothing;
// a chip that still fails is reported offline with the error as reason,
// and set up again after 1 s, doubling to 30 s. A new status is sent
// only when health or reason changes. Since a chip that lost power for
// less than an interval is back in power down and would return its last
// result for ever, the chip is re-armed (power on, mode) once a minute.
// The process never exits because of the sensor.
//
// # Driver
//
// The chip is driven by light/bh1750 (our own driver, see its doc), on
// the bus a Board hands out: *board.Board on a Pi or simulated, an
// i2ctest bus in tests.
package light
